/*
 * A backup while the hub ingests.  Each SQLite file is copied with the
 * online backup API in one step: the copy is the snapshot of one read
 * transaction, so it holds every transaction committed (and so every
 * event acknowledged) before it began, and the hub's writer is never
 * blocked (WAL: readers and the writer do not wait for each other).
 * state.db is copied first, then each day: its index (DAY.fts) before
 * its partition (DAY.db), so the copy's index never holds an event its
 * partition lacks — a hub started on the copy finds the index behind
 * and catches it up from the documents, as after a crash.
 *
 * Incremental: a closed day (ARCHIVE_GRACE_US after its end) whose copy
 * is newer than both its files, with an empty WAL, is left as it is.
 * Today's partition and any day still changing are copied again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "archive.h"
#include "backup.h"
#include "datafile.h"
#include "errf.h"
#include "partition.h"

/* Copy the database src to dst (through dst.tmp) with the online backup
   API.  Returns 0 or -1 with err. */
static int
db_copy(const char *src, const char *dst, uint64_t *bytes, char *err,
    size_t errlen)
{
	char	 tmp[4700];
	sqlite3	*s = NULL, *d = NULL;
	sqlite3_backup *b;
	struct stat sb;
	int	 rc;

	snprintf(tmp, sizeof tmp, "%s.tmp", dst);
	unlink(tmp);
	if (datafile_private(tmp, err, errlen) == -1)
		return -1;
	if (sqlite3_open_v2(src, &s, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		errf(err, errlen, "%.300s: %s", src, sqlite3_errmsg(s));
		goto fail;
	}
	sqlite3_busy_timeout(s, 10000);
	if (sqlite3_open_v2(tmp, &d, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		errf(err, errlen, "%.300s: %s", tmp, sqlite3_errmsg(d));
		goto fail;
	}
	sqlite3_busy_timeout(d, 10000);
	if ((b = sqlite3_backup_init(d, "main", s, "main")) == NULL) {
		errf(err, errlen, "%.300s: %s", tmp, sqlite3_errmsg(d));
		goto fail;
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, "%.300s: %s", src, sqlite3_errstr(rc));
		goto fail;
	}
	/* Fold the copy's own WAL in, so the file alone is the copy. */
	if (sqlite3_wal_checkpoint_v2(d, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, "%.300s: %s", tmp, sqlite3_errmsg(d));
		goto fail;
	}
	sqlite3_close(d);
	d = NULL;
	sqlite3_close(s);
	s = NULL;
	if (datafile_fsync(tmp, err, errlen) == -1)
		goto fail;
	if (rename(tmp, dst) == -1) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		goto fail;
	}
	if (stat(dst, &sb) == 0)
		*bytes += (uint64_t)sb.st_size;
	return 0;
fail:
	sqlite3_close(d);
	sqlite3_close(s);
	unlink(tmp);
	snprintf(tmp, sizeof tmp, "%s.tmp-wal", dst);
	unlink(tmp);
	snprintf(tmp, sizeof tmp, "%s.tmp-shm", dst);
	unlink(tmp);
	return -1;
}

/* Copy the plain file src to dst (through dst.tmp), keeping its mode.
   Returns 0 or -1 with err. */
static int
file_copy(const char *src, const char *dst, uint64_t *bytes, char *err,
    size_t errlen)
{
	char	 tmp[4700], buf[65536];
	struct stat sb;
	ssize_t	 r;
	int	 in, out = -1;

	snprintf(tmp, sizeof tmp, "%s.tmp", dst);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(in, &sb) == -1) {
		errf(err, errlen, "%.300s: %s", src, strerror(errno));
		goto fail;
	}
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    sb.st_mode & 0777)) == -1) {
		errf(err, errlen, "%.300s: %s", tmp, strerror(errno));
		goto fail;
	}
	while ((r = read(in, buf, sizeof buf)) > 0) {
		if (write(out, buf, (size_t)r) != r) {
			errf(err, errlen, "%.300s: %s", tmp,
			    strerror(errno));
			goto fail;
		}
		*bytes += (uint64_t)r;
	}
	if (r == -1 || fsync(out) == -1) {
		errf(err, errlen, "%.300s: %s", r == -1 ? src : tmp,
		    strerror(errno));
		goto fail;
	}
	close(in);
	if (close(out) == -1 || rename(tmp, dst) == -1) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	if (in != -1)
		close(in);
	if (out != -1) {
		close(out);
		unlink(tmp);
	}
	return -1;
}

/* Does dst hold src (sb) already: as large, and written since?  (The
   archive's files do not change once written.) */
static int
same_file(const struct stat *sb, const char *dst)
{
	struct stat d;

	return stat(dst, &d) == 0 && d.st_size == sb->st_size &&
	    d.st_mtim.tv_sec > sb->st_mtim.tv_sec;
}

/* Copy the regular files of src (recursively) into dst; a missing src
   is nothing to copy.  Returns 0 or -1 with err. */
static int
tree_copy(const char *src, const char *dst, struct backup_stats *st,
    char *err, size_t errlen)
{
	char	 s[4700], d[4700];
	struct dirent *de;
	struct stat sb;
	DIR	*dir;
	int	 rc = 0;

	if ((dir = opendir(src)) == NULL)
		return errno == ENOENT ? 0 : errf(err, errlen, "%.300s: %s",
		    src, strerror(errno));
	if (mkdir(dst, 0750) == -1 && errno != EEXIST) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		closedir(dir);
		return -1;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(s, sizeof s, "%.2300s/%s", src, de->d_name);
		snprintf(d, sizeof d, "%.2300s/%s", dst, de->d_name);
		if (lstat(s, &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = tree_copy(s, d, st, err, errlen);
		else if (S_ISREG(sb.st_mode) && !same_file(&sb, d)) {
			rc = file_copy(s, d, &st->bytes, err, errlen);
			st->files++;
		}
	}
	closedir(dir);
	return rc;
}

/* Has dest's copy of the closed partition src nothing to catch up? */
static int
unchanged(const char *src, const char *dst)
{
	char	 p[4700];
	struct stat s, d;

	if (stat(dst, &d) == -1 || stat(src, &s) == -1 ||
	    s.st_mtim.tv_sec >= d.st_mtim.tv_sec)
		return 0;
	snprintf(p, sizeof p, "%.*s.fts", (int)strlen(src) - 3, src);
	if (stat(p, &s) == 0 && s.st_mtim.tv_sec >= d.st_mtim.tv_sec)
		return 0;
	snprintf(p, sizeof p, "%s-wal", src);
	return stat(p, &s) == -1 || s.st_size == 0;
}

static int
days_copy(const char *datadir, const char *dest, int64_t now_us,
    struct backup_stats *st, char *err, size_t errlen)
{
	char	 ev[4200], dev[4200], s[4700], d[4700];
	struct dirent *de;
	int64_t	 day;
	size_t	 n;
	DIR	*dir;
	int	 rc = 0;

	snprintf(ev, sizeof ev, "%.4000s/events", datadir);
	snprintf(dev, sizeof dev, "%.4000s/events", dest);
	if (mkdir(dev, 0750) == -1 && errno != EEXIST)
		return errf(err, errlen, "%.300s: %s", dev, strerror(errno));
	if ((dir = opendir(ev)) == NULL)
		return errno == ENOENT ? 0 : errf(err, errlen, "%.300s: %s",
		    ev, strerror(errno));
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		n = strlen(de->d_name);
		snprintf(s, sizeof s, "%s/%s", ev, de->d_name);
		snprintf(d, sizeof d, "%s/%s", dev, de->d_name);
		if (n == 19 && strcmp(de->d_name + 10, ".archived") == 0) {
			rc = file_copy(s, d, &st->bytes, err, errlen);
			continue;
		}
		if ((day = partition_day(de->d_name)) == -1)
			continue;
		if ((day + 1) * INT64_C(86400000000) + ARCHIVE_GRACE_US <=
		    now_us && unchanged(s, d)) {
			st->days_kept++;
			continue;
		}
		/* The index first: the copy's never runs ahead. */
		snprintf(s, sizeof s, "%s/%.10s.fts", ev, de->d_name);
		snprintf(d, sizeof d, "%s/%.10s.fts", dev, de->d_name);
		if (access(s, F_OK) == 0 && db_copy(s, d, &st->bytes, err,
		    errlen) == -1) {
			rc = -1;
			break;
		}
		snprintf(s, sizeof s, "%s/%s", ev, de->d_name);
		snprintf(d, sizeof d, "%s/%s", dev, de->d_name);
		if ((rc = db_copy(s, d, &st->bytes, err, errlen)) == 0)
			st->days_copied++;
	}
	closedir(dir);
	return rc == 0 ? datafile_fsync(dev, err, errlen) : -1;
}

int
backup_run(const char *datadir, const char *dest, int64_t now_us,
    struct backup_stats *st, char *err, size_t errlen)
{
	static const char *const files[] = { "hub_ed25519",
	    "hub_ed25519.pub", "ward.conf" };
	static const char *const trees[] = { "rules", "parsers", "plugins",
	    "archive" };
	char	 s[4700], d[4700];
	size_t	 i;

	memset(st, 0, sizeof *st);
	if (mkdir(dest, 0700) == -1 && errno != EEXIST)
		return errf(err, errlen, "%.300s: %s", dest, strerror(errno));
	snprintf(s, sizeof s, "%.4000s/state.db", datadir);
	snprintf(d, sizeof d, "%.4000s/state.db", dest);
	if (db_copy(s, d, &st->bytes, err, errlen) == -1)
		return -1;
	for (i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(s, sizeof s, "%.4000s/%s", datadir, files[i]);
		snprintf(d, sizeof d, "%.4000s/%s", dest, files[i]);
		if (access(s, F_OK) == -1)
			continue;
		if (file_copy(s, d, &st->bytes, err, errlen) == -1)
			return -1;
		st->files++;
	}
	for (i = 0; i < sizeof trees / sizeof *trees; i++) {
		snprintf(s, sizeof s, "%.4000s/%s", datadir, trees[i]);
		snprintf(d, sizeof d, "%.4000s/%s", dest, trees[i]);
		if (tree_copy(s, d, st, err, errlen) == -1)
			return -1;
	}
	if (days_copy(datadir, dest, now_us, st, err, errlen) == -1)
		return -1;
	return datafile_fsync(dest, err, errlen);
}
