/*
 * Archive and restore whole days.  A day lives as DATA/events/DAY.db (its
 * events) and DAY.fts (its text index); archived, it is
 *
 *	ARCH/DAY.db.zst, ARCH/DAY.fts.zst	the two files, byte for byte,
 *						in zstd frames with checksums
 *	ARCH/DAY.json				the manifest: day, events,
 *						first and last utctimestamp,
 *						each file's bytes and SHA-256
 *	DATA/events/DAY.archived		a copy of the manifest where
 *						searches and restore look
 *
 * (ARCH is DATA/archive unless --archive-dir says otherwise; the copy
 * names it).  `zstd -d DAY.db.zst` gives back a partition sqlite3 opens.
 *
 * Archiving, in this order, so that kill -9 anywhere loses nothing and
 * shows nothing half done:
 *   1. take the lock (DATA/events/.archive.lock: one archive, restore or
 *      retention at a time), refuse a day not over (ARCHIVE_GRACE_US) or
 *      whose text index is behind;
 *   2. on each file, checkpoint the WAL into it (TRUNCATE) and hold the
 *      write lock (BEGIN IMMEDIATE) with the WAL empty: the bytes read
 *      are then the whole day, and nothing can change them;
 *   3. compress each file to NAME.tmp in ARCH, fsync, rename, fsync ARCH
 *      (a crash leaves stray files and the day live);
 *   4. write the manifest the same way — from here the archive is whole;
 *   5. write the copy in events/ the same way — from here searches and
 *      `archive list` know it (a crash leaves the day live and archived,
 *      i.e. restored: running archive again finishes the job without a
 *      second copy, since the live bytes hash to the manifest's);
 *   6. unlink DAY.db first (new searches stop seeing the day at once:
 *      they list events/ on every search, and drop pooled connections
 *      to files gone), then DAY.fts and the WAL and shm files, fsync
 *      events/.
 * Restoring: decompress each file to events/.NAME.restore (a name no
 * search or store looks at), hashing as it goes, fsync, compare with
 * the manifest, remove any stale WAL and shm, rename DAY.fts then DAY.db
 * (the day becomes visible last, whole), fsync events/.  A crash leaves
 * temporary files (removed by the next archive or restore) and the day
 * archived.
 *
 * A running hub writes only into today's partition (the day of arrival),
 * so a day over for an hour receives nothing; its writer may still hold
 * the file open, which the write lock of step 2 makes harmless.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <zstd.h>

#include "archive.h"
#include "datafile.h"
#include "errf.h"
#include "partition.h"
#include "sqlx.h"
#include "timeparse.h"

#define IO_CHUNK	(1 << 21)
/*
 * Level 1: on a 1,000,000-event day (893 MB of partition) zstd -b gives
 * 367 MB/s at level 1 and 151 MB/s at level 3 for the same ratio (7.28
 * and 7.28: 13.7 % of live; the text index 4.9).  Higher levels gain
 * under 1 %.
 */
#define ZSTD_LEVEL	1
#define ZSTD_MAX_WORKERS 4	/* compression threads, at most one a core */
#define HOLD_TRIES	20	/* a writer got in between checkpoint and
				   lock: try again, 50 ms apart */
#define NFILES		2	/* DAY.db, DAY.fts */

static const char *const exts[NFILES] = { "db", "fts" };

struct held {
	sqlite3	*db;
	int	 present;
	uint64_t bytes;
	unsigned char sha[32];
	uint64_t zbytes;
};

void
archive_day_name(int64_t day, char out[11])
{
	time_t	 t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) %
	    10000u, (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday %
	    100u);
}

void
archive_notice(const char *datadir, size_t n, const int64_t *days,
    size_t nshown, char *out, size_t outlen)
{
	char	 name[11];
	size_t	 i, len;

	snprintf(out, outlen, "%zu day%s archived: restore with wardd "
	    "restore --data %s", n, n == 1 ? "" : "s", datadir);
	for (i = 0; i < nshown && i < n; i++) {
		archive_day_name(days[i], name);
		len = strlen(out);
		snprintf(out + len, outlen - len, " %s", name);
	}
	if (nshown < n) {
		len = strlen(out);
		snprintf(out + len, outlen - len, " ... (wardd archive list "
		    "shows them all)");
	}
}

int64_t
archive_parse_day(const char *s)
{
	char	 name[16];
	int64_t	 day;
	char	 back[11];

	if (strlen(s) != 10)
		return -1;
	snprintf(name, sizeof name, "%s.db", s);
	if ((day = partition_day(name)) == -1)
		return -1;
	archive_day_name(day, back);
	return strcmp(back, s) == 0 ? day : -1;	/* 2026-02-31: no */
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Take the lock that serialises archive, restore and retention on
   datadir.  Returns the descriptor, or -1 with err. */
static int
lock_take(const char *datadir, char *err, size_t errlen)
{
	char	 path[4200];
	int	 fd;

	snprintf(path, sizeof path, "%s/events/.archive.lock", datadir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return errf(err, errlen, "%.300s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) == -1) {
		errf(err, errlen, "%.300s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Remove what an interrupted restore or archive left: events/.*.restore
   and ARCH/\*.tmp. */
static void
clean_temps(const char *dir, const char *suffix)
{
	struct dirent *de;
	char	 path[4608];
	size_t	 n, sl = strlen(suffix);
	DIR	*d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n > sl && strcmp(de->d_name + n - sl, suffix) == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

static void
arch_dir(const char *datadir, const char *archdir, char *out, size_t outlen)
{
	if (archdir != NULL)
		snprintf(out, outlen, "%s", archdir);
	else
		snprintf(out, outlen, "%s/archive", datadir);
}

/*
 * Open path, fold its WAL into it and hold the write lock with the WAL
 * empty, so its bytes are the whole file and stay so.  Returns 0 with
 * *out, or -1 with err.
 */
static int
hold(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	char	 wal[4700];
	sqlite3	*db = NULL;
	struct stat sb;
	int	 i, rc;

	snprintf(wal, sizeof wal, "%s-wal", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		goto sqlfail;
	sqlite3_busy_timeout(db, 10000);
	/* A connection learns the file is in WAL mode on its first read;
	   until then a checkpoint is a no-op. */
	if (sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto sqlfail;
	for (i = 0; i < HOLD_TRIES; i++) {
		rc = sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			goto sqlfail;
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto sqlfail;
		if (rc == SQLITE_OK && (stat(wal, &sb) == -1 ||
		    sb.st_size == 0)) {
			*out = db;
			return 0;
		}
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		usleep(50000);
	}
	errf(err, errlen, "%.300s: busy (readers or a writer kept its "
	    "WAL from being folded in); try again", path);
	sqlite3_close(db);
	return -1;
sqlfail:
	errf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return -1;
}

static void
release(sqlite3 *db)
{
	if (db == NULL)
		return;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
}

/*
 * Read src whole, hashing it, and (dst not NULL) write it compressed to
 * dst, fsynced.  Returns 0 with the sizes and sha, or -1 with err.
 */
static int
pack(const char *src, const char *dst, unsigned char sha[32],
    uint64_t *in, uint64_t *out, char *err, size_t errlen)
{
	ZSTD_CCtx *cz = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *ib = NULL, *ob = NULL;
	size_t	 ocap = ZSTD_CStreamOutSize(), left;
	ssize_t	 r;
	int	 ifd = -1, ofd = -1, last = 0, rc = -1;

	*in = *out = 0;
	if ((ifd = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		errf(err, errlen, "%.300s: %s", src, strerror(errno));
		goto out;
	}
	if (dst != NULL && (ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		goto out;
	}
	if (ocap < IO_CHUNK)
		ocap = IO_CHUNK;
	if ((ib = malloc(IO_CHUNK)) == NULL || (ob = malloc(ocap)) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    (dst != NULL && (cz = ZSTD_createCCtx()) == NULL)) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	if (cz != NULL) {
		struct stat sb;
		long	 ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		ZSTD_CCtx_setParameter(cz, ZSTD_c_compressionLevel,
		    ZSTD_LEVEL);
		ZSTD_CCtx_setParameter(cz, ZSTD_c_checksumFlag, 1);
		/* Compression on zstd's threads, reading and hashing on
		   this one; a libzstd built without threads refuses, and
		   compresses here. */
		if (ncpu > 1)
			ZSTD_CCtx_setParameter(cz, ZSTD_c_nbWorkers,
			    (int)(ncpu < ZSTD_MAX_WORKERS ? ncpu :
			    ZSTD_MAX_WORKERS));
		if (fstat(ifd, &sb) == 0)	/* fits its tables to it */
			ZSTD_CCtx_setPledgedSrcSize(cz,
			    (unsigned long long)sb.st_size);
	}
	posix_fadvise(ifd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (!last) {
		ZSTD_inBuffer zi;

		if ((r = read(ifd, ib, IO_CHUNK)) == -1) {
			if (errno == EINTR)
				continue;
			errf(err, errlen, "%.300s: %s", src,
			    strerror(errno));
			goto out;
		}
		last = r == 0;
		*in += (uint64_t)r;
		EVP_DigestUpdate(md, ib, (size_t)r);
		if (cz == NULL)
			continue;
		zi = (ZSTD_inBuffer){ ib, (size_t)r, 0 };
		do {
			ZSTD_outBuffer zo = { ob, ocap, 0 };

			left = ZSTD_compressStream2(cz, &zo, &zi, last ?
			    ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(left)) {
				errf(err, errlen, "zstd: %s",
				    ZSTD_getErrorName(left));
				goto out;
			}
			if (write_all(ofd, ob, zo.pos) == -1) {
				errf(err, errlen, "%.300s: %s", dst,
				    strerror(errno));
				goto out;
			}
			*out += zo.pos;
		} while (last ? left != 0 : zi.pos < zi.size);
	}
	EVP_DigestFinal_ex(md, sha, NULL);
	if (ofd != -1 && fsync(ofd) == -1) {
		errf(err, errlen, "%.300s: fsync: %s", dst,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (ofd != -1 && close(ofd) == -1 && rc == 0) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		rc = -1;
	}
	if (ifd != -1)
		close(ifd);
	ZSTD_freeCCtx(cz);
	EVP_MD_CTX_free(md);
	free(ib);
	free(ob);
	return rc;
}

/* Decompress src into dst (fsynced), hashing what comes out.  Returns 0
   with *bytes and sha, or -1 with err. */
static int
unpack(const char *src, const char *dst, unsigned char sha[32],
    uint64_t *bytes, char *err, size_t errlen)
{
	ZSTD_DCtx *dz = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *ib = NULL, *ob = NULL;
	size_t	 icap = ZSTD_DStreamInSize(), ocap = IO_CHUNK;
	size_t	 left = 1;
	ssize_t	 r;
	int	 ifd = -1, ofd = -1, full, rc = -1;

	*bytes = 0;
	if ((ifd = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		errf(err, errlen, "%.300s: %s", src, strerror(errno));
		goto out;
	}
	if ((ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		goto out;
	}
	if ((ib = malloc(icap)) == NULL || (ob = malloc(ocap)) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    (dz = ZSTD_createDCtx()) == NULL) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	for (;;) {
		ZSTD_inBuffer zi;

		if ((r = read(ifd, ib, icap)) == -1) {
			if (errno == EINTR)
				continue;
			errf(err, errlen, "%.300s: %s", src,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		zi = (ZSTD_inBuffer){ ib, (size_t)r, 0 };
		/* Until the input is used and the output not full (when
		   it is, zstd may hold more of this input's output). */
		for (full = 1; zi.pos < zi.size || full; ) {
			ZSTD_outBuffer zo = { ob, ocap, 0 };

			left = ZSTD_decompressStream(dz, &zo, &zi);
			full = zo.pos == ocap;
			if (ZSTD_isError(left)) {
				errf(err, errlen, "%.300s: zstd: %s", src,
				    ZSTD_getErrorName(left));
				goto out;
			}
			EVP_DigestUpdate(md, ob, zo.pos);
			if (write_all(ofd, ob, zo.pos) == -1) {
				errf(err, errlen, "%.300s: %s", dst,
				    strerror(errno));
				goto out;
			}
			*bytes += zo.pos;
		}
	}
	if (left != 0) {
		errf(err, errlen, "%.300s: truncated", src);
		goto out;
	}
	EVP_DigestFinal_ex(md, sha, NULL);
	if (fsync(ofd) == -1) {
		errf(err, errlen, "%.300s: fsync: %s", dst,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (ofd != -1 && close(ofd) == -1 && rc == 0) {
		errf(err, errlen, "%.300s: %s", dst, strerror(errno));
		rc = -1;
	}
	if (ifd != -1)
		close(ifd);
	ZSTD_freeDCtx(dz);
	EVP_MD_CTX_free(md);
	free(ib);
	free(ob);
	return rc;
}

/* Write text to path through path.tmp, fsynced, renamed, the directory
   fsynced.  Returns 0 or -1 with err. */
static int
put_file(const char *dir, const char *name, const char *text, char *err,
    size_t errlen)
{
	char	 tmp[4608], path[4608];
	int	 fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || write_all(fd, text, strlen(text)) == -1 ||
	    fsync(fd) == -1) {
		errf(err, errlen, "%.300s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		errf(err, errlen, "%.300s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return datafile_fsync(dir, err, errlen);
}

/* text with a newline at its end (it is freed on failure). */
static char *
realloc_nl(char *text)
{
	size_t	 n = strlen(text);
	char	*t;

	if ((t = realloc(text, n + 2)) == NULL) {
		free(text);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

static json_t *
load_manifest(const char *path)
{
	json_t	*m = json_load_file(path, 0, NULL);

	if (m != NULL && !json_is_array(json_object_get(m, "files"))) {
		json_decref(m);
		m = NULL;
	}
	return m;
}

/* The manifest's entry for the file with extension ext, or NULL. */
static json_t *
manifest_file(json_t *m, const char *ext)
{
	json_t	*f;
	size_t	 i;
	const char *n;

	json_array_foreach(json_object_get(m, "files"), i, f) {
		n = json_string_value(json_object_get(f, "name"));
		if (n != NULL && strlen(n) == 11 + strlen(ext) &&
		    strcmp(n + 11, ext) == 0)
			return f;
	}
	return NULL;
}

/* Does archive m hold exactly what h holds, its files all present? */
static int
same_bytes(json_t *m, const char *archdir, const struct held *h)
{
	char	 want[65], path[4608];
	json_t	*f;
	const char *z;
	struct stat sb;
	int	 i;

	for (i = 0; i < NFILES; i++) {
		f = manifest_file(m, exts[i]);
		if ((f != NULL) != h[i].present)
			return 0;
		if (f == NULL)
			continue;
		hex(h[i].sha, 32, want);
		z = json_string_value(json_object_get(f, "archive"));
		if (z == NULL || strchr(z, '/') != NULL)
			return 0;
		snprintf(path, sizeof path, "%s/%s", archdir, z);
		if (stat(path, &sb) == -1 || (uint64_t)json_integer_value(
		    json_object_get(f, "bytes")) != h[i].bytes ||
		    json_string_value(json_object_get(f, "sha256")) == NULL ||
		    strcmp(json_string_value(json_object_get(f, "sha256")),
		    want) != 0)
			return 0;
	}
	return 1;
}

/* Are the live files of day name in ev the sizes archive m says? */
static int
same_sizes(json_t *m, const char *ev, const char *name, const struct held *h)
{
	char	 path[4608];
	json_t	*f;
	struct stat sb;
	int	 i;

	for (i = 0; i < NFILES; i++) {
		f = manifest_file(m, exts[i]);
		if ((f != NULL) != h[i].present)
			return 0;
		if (f == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s.%s", ev, name, exts[i]);
		if (stat(path, &sb) == -1 || (uint64_t)sb.st_size !=
		    (uint64_t)json_integer_value(json_object_get(f, "bytes")))
			return 0;
	}
	return 1;
}

static void
unlink_day(const char *ev, const char *name)
{
	static const char *const sfx[] = { ".db", ".fts", ".db-wal",
	    ".db-shm", ".fts-wal", ".fts-shm", ".db-journal", ".fts-journal" };
	char	 path[4608];
	size_t	 i;

	/* DAY.db first: the day leaves the searches before anything else
	   of it goes. */
	for (i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		snprintf(path, sizeof path, "%s/%s%s", ev, name, sfx[i]);
		unlink(path);
	}
}

int
archive_day(const char *datadir, const char *archdir, int64_t day,
    int64_t now_us, int remove_only, enum archive_did *did, uint64_t *bytes,
    int64_t *events, char *err, size_t errlen)
{
	struct held h[NFILES];
	char	 ev[4096], arch[4096], name[11], path[4608], tmp[4608];
	char	 manifest[4608], shahex[65], t1[TIME_ISO_LEN], t2[TIME_ISO_LEN];
	char	 now[TIME_ISO_LEN];
	json_t	*m = NULL, *files, *old = NULL;
	char	*text = NULL;
	struct stat sb;
	int64_t	 count, min_utc, max_utc, maxid, indexed, version;
	int	 lock = -1, i, reuse, rc = -1;

	memset(h, 0, sizeof h);
	*bytes = 0;
	*events = -1;
	archive_day_name(day, name);
	snprintf(ev, sizeof ev, "%s/events", datadir);
	arch_dir(datadir, archdir, arch, sizeof arch);
	if ((lock = lock_take(datadir, err, errlen)) == -1)
		return -1;
	clean_temps(ev, ".restore");
	clean_temps(ev, ".archived.tmp");
	arch_dir(datadir, archdir, arch, sizeof arch);
	clean_temps(arch, ".tmp");
	snprintf(path, sizeof path, "%s/%s.db", ev, name);
	if (stat(path, &sb) == -1) {
		snprintf(tmp, sizeof tmp, "%s/%s.archived", ev, name);
		if (errno == ENOENT && stat(tmp, &sb) == 0) {
			*did = ARCHIVE_ALREADY;
			rc = 0;
		} else
			errf(err, errlen, "%s: no such day in %.300s",
			    name, ev);
		goto out;
	}
	if (now_us < (day + 1) * INT64_C(86400000000) + ARCHIVE_GRACE_US) {
		errf(err, errlen, "%s is not over: a day can be archived "
		    "an hour after its end (UTC)", name);
		goto out;
	}
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof path, "%s/%s.%s", ev, name, exts[i]);
		if (i > 0 && stat(path, &sb) == -1 && errno == ENOENT)
			continue;
		if (hold(path, &h[i].db, err, errlen) == -1)
			goto out;
		h[i].present = 1;
	}
	if (sqlx_int(h[0].db, "SELECT value FROM meta WHERE key = 'count'",
	    &count) == -1 || sqlx_int(h[0].db, "SELECT value FROM meta WHERE"
	    " key = 'min_utc'", &min_utc) == -1 || sqlx_int(h[0].db, "SELECT"
	    " value FROM meta WHERE key = 'max_utc'", &max_utc) == -1 ||
	    sqlx_int(h[0].db, "SELECT max(id) FROM events", &maxid) == -1 ||
	    sqlx_int(h[0].db, "PRAGMA user_version", &version) == -1) {
		errf(err, errlen, "%s.db: %s", name,
		    sqlite3_errmsg(h[0].db));
		goto out;
	}
	*events = count;
	if (version >= 3 && !remove_only) {
		if (!h[1].present) {
			errf(err, errlen, "%s.fts: missing: a running hub "
			    "rebuilds it when it next reads the day (at its "
			    "start, or a search over the day); try again "
			    "after", name);
			rc = -2;
			goto out;
		}
		if (sqlx_int(h[1].db, "SELECT value FROM meta WHERE key ="
		    " 'indexed'", &indexed) == -1 || indexed < maxid) {
			errf(err, errlen, "%s: its text index is still "
			    "catching up; try again later", name);
			rc = -2;
			goto out;
		}
	}
	if (remove_only) {
		for (i = 0; i < NFILES; i++) {
			snprintf(path, sizeof path, "%s/%s.%s", ev, name,
			    exts[i]);
			if (h[i].present && stat(path, &sb) == 0)
				*bytes += (uint64_t)sb.st_size;
		}
		unlink_day(ev, name);
		*did = ARCHIVE_WROTE;
		rc = datafile_fsync(ev, err, errlen);
		goto out;
	}
	if (mkdir(arch, 0700) == -1 && errno != EEXIST) {
		errf(err, errlen, "%.300s: %s", arch, strerror(errno));
		goto out;
	}
	snprintf(manifest, sizeof manifest, "%s/%s.json", arch, name);
	old = load_manifest(manifest);
	*did = ARCHIVE_REUSED;
	/* A restored day may still be its archive's very bytes: hash it
	   first when the sizes say it could be (read once more, but no
	   second copy); else compress at once, hashing as it goes. */
	reuse = old != NULL && same_sizes(old, ev, name, h);
	for (i = 0; reuse && i < NFILES; i++) {
		if (!h[i].present)
			continue;
		snprintf(path, sizeof path, "%s/%s.%s", ev, name, exts[i]);
		if (pack(path, NULL, h[i].sha, &h[i].bytes, &h[i].zbytes, err,
		    errlen) == -1)
			goto out;
	}
	if (!reuse || !same_bytes(old, arch, h)) {
		*did = ARCHIVE_WROTE;
		for (i = 0; i < NFILES; i++) {
			if (!h[i].present)
				continue;
			snprintf(path, sizeof path, "%s/%s.%s", ev, name,
			    exts[i]);
			snprintf(tmp, sizeof tmp, "%s/%s.%s.zst.tmp", arch,
			    name, exts[i]);
			if (pack(path, tmp, h[i].sha, &h[i].bytes,
			    &h[i].zbytes, err, errlen) == -1) {
				unlink(tmp);
				goto out;
			}
			snprintf(path, sizeof path, "%s/%s.%s.zst", arch, name,
			    exts[i]);
			if (rename(tmp, path) == -1) {
				errf(err, errlen, "%.300s: %s", path,
				    strerror(errno));
				unlink(tmp);
				goto out;
			}
		}
		if (datafile_fsync(arch, err, errlen) == -1)
			goto out;
	}
	time_format(min_utc > 0 ? min_utc : 0, t1);
	time_format(max_utc > 0 ? max_utc : 0, t2);
	time_format(now_us, now);
	files = json_array();
	for (i = 0; i < NFILES; i++) {
		char	 live[32], z[40];
		json_t	*of;

		if (!h[i].present)
			continue;
		snprintf(live, sizeof live, "%s.%s", name, exts[i]);
		snprintf(z, sizeof z, "%s.%s.zst", name, exts[i]);
		if (*did == ARCHIVE_REUSED && (of = manifest_file(old,
		    exts[i])) != NULL)
			h[i].zbytes = (uint64_t)json_integer_value(
			    json_object_get(of, "archive_bytes"));
		hex(h[i].sha, 32, shahex);
		json_array_append_new(files, json_pack("{sssIsssssI}",
		    "name", live, "bytes", (json_int_t)h[i].bytes, "sha256",
		    shahex, "archive", z, "archive_bytes",
		    (json_int_t)h[i].zbytes));
		*bytes += h[i].bytes;
	}
	m = json_pack("{sisssIsssssIsIssso}", "ward_archive", 1, "day", name,
	    "events", (json_int_t)(count < 0 ? 0 : count), "first", t1,
	    "last", t2, "first_us", (json_int_t)min_utc, "last_us",
	    (json_int_t)max_utc, "archived_at", now, "files", files);
	if (m == NULL) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	if (archdir != NULL)
		json_object_set_new(m, "archive_dir", json_string(archdir));
	if ((text = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) ==
	    NULL || (text = realloc_nl(text)) == NULL) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(tmp, sizeof tmp, "%s.json", name);
	if (put_file(arch, tmp, text, err, errlen) == -1)
		goto out;
	snprintf(tmp, sizeof tmp, "%s.archived", name);
	if (put_file(ev, tmp, text, err, errlen) == -1)
		goto out;
	unlink_day(ev, name);
	rc = datafile_fsync(ev, err, errlen);
out:
	for (i = NFILES - 1; i >= 0; i--)
		release(h[i].db);
	free(text);
	json_decref(m);
	json_decref(old);
	if (lock != -1)
		close(lock);
	return rc;
}

int
archive_restore(const char *datadir, const char *archdir, int64_t day,
    char *err, size_t errlen)
{
	char	 ev[4096], arch[4096], name[11], path[4608], tmp[4608];
	char	 got[65];
	unsigned char sha[32];
	json_t	*m = NULL, *f;
	const char *dir, *z, *want;
	struct stat sb;
	uint64_t bytes;
	int	 lock = -1, i, rc = -1;

	archive_day_name(day, name);
	snprintf(ev, sizeof ev, "%s/events", datadir);
	if ((lock = lock_take(datadir, err, errlen)) == -1)
		return -1;
	clean_temps(ev, ".restore");
	clean_temps(ev, ".archived.tmp");
	arch_dir(datadir, archdir, arch, sizeof arch);
	clean_temps(arch, ".tmp");
	snprintf(path, sizeof path, "%s/%s.db", ev, name);
	if (stat(path, &sb) == 0) {
		rc = 0;			/* live already */
		goto out;
	}
	if (archdir != NULL)
		snprintf(path, sizeof path, "%s/%s.json", archdir, name);
	else
		snprintf(path, sizeof path, "%s/%s.archived", ev, name);
	if ((m = load_manifest(path)) == NULL) {
		errf(err, errlen, "%s: not archived (no %.300s)", name,
		    path);
		goto out;
	}
	if (archdir != NULL)
		dir = archdir;
	else if ((dir = json_string_value(json_object_get(m,
	    "archive_dir"))) == NULL) {
		arch_dir(datadir, NULL, arch, sizeof arch);
		dir = arch;
	}
	clean_temps(dir, ".tmp");
	for (i = 0; i < NFILES; i++) {
		if ((f = manifest_file(m, exts[i])) == NULL)
			continue;
		z = json_string_value(json_object_get(f, "archive"));
		want = json_string_value(json_object_get(f, "sha256"));
		if (z == NULL || want == NULL || strchr(z, '/') != NULL) {
			errf(err, errlen, "%.300s: a file without its "
			    "archive or sha256", path);
			goto out;
		}
		snprintf(path, sizeof path, "%s/%s", dir, z);
		snprintf(tmp, sizeof tmp, "%s/.%s.%s.restore", ev, name,
		    exts[i]);
		if (unpack(path, tmp, sha, &bytes, err, errlen) == -1)
			goto out;
		hex(sha, 32, got);
		if (strcmp(got, want) != 0 || bytes != (uint64_t)
		    json_integer_value(json_object_get(f, "bytes"))) {
			errf(err, errlen, "%.300s: SHA-256 %s, the manifest"
			    " says %s: the archive is damaged; nothing was "
			    "restored", path, got, want);
			goto out;
		}
	}
	/* Stale WAL and shm files of the day would be read with the
	   restored file. */
	unlink_day(ev, name);
	for (i = NFILES - 1; i >= 0; i--) {	/* DAY.db last */
		if (manifest_file(m, exts[i]) == NULL)
			continue;
		snprintf(tmp, sizeof tmp, "%s/.%s.%s.restore", ev, name,
		    exts[i]);
		snprintf(path, sizeof path, "%s/%s.%s", ev, name, exts[i]);
		if (rename(tmp, path) == -1) {
			errf(err, errlen, "%.300s: %s", path,
			    strerror(errno));
			goto out;
		}
	}
	if (datafile_fsync(ev, err, errlen) == -1)
		goto out;
	if (archdir != NULL) {		/* say where the archive is */
		char	*text;

		snprintf(tmp, sizeof tmp, "%s.archived", name);
		json_object_set_new(m, "archive_dir", json_string(archdir));
		if ((text = json_dumps(m, JSON_INDENT(1) |
		    JSON_PRESERVE_ORDER)) == NULL || (text =
		    realloc_nl(text)) == NULL || put_file(ev, tmp, text,
		    err, errlen) == -1) {
			free(text);
			goto out;
		}
		free(text);
	}
	rc = 0;
out:
	if (rc == -1)
		clean_temps(ev, ".restore");
	json_decref(m);
	if (lock != -1)
		close(lock);
	return rc;
}

static int
day_cmp(const void *a, const void *b)
{
	const struct archive_day *x = a, *y = b;

	return x->day < y->day ? -1 : x->day > y->day;
}

/* The entry for day in *v, added if new. */
static struct archive_day *
entry(struct archive_day **v, size_t *n, size_t *cap, int64_t day)
{
	struct archive_day *nv;
	size_t	 i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].day == day)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		if ((nv = reallocarray(*v, *cap, sizeof *nv)) == NULL)
			return NULL;
		*v = nv;
	}
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].day = day;
	(*v)[*n].events = -1;
	return &(*v)[(*n)++];
}

/* Fill e from the live partition at path (read-only). */
static void
live_meta(const char *path, int meta, struct archive_day *e)
{
	sqlite3	*db = NULL;
	char	 fts[4700];
	struct stat sb;
	int64_t	 v;

	if (stat(path, &sb) == 0)
		e->live_bytes += (uint64_t)sb.st_size;
	snprintf(fts, sizeof fts, "%.*s.fts", (int)strlen(path) - 3, path);
	if (stat(fts, &sb) == 0)
		e->live_bytes += (uint64_t)sb.st_size;
	if (meta && sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(db, 2000);
		if (sqlx_int(db, "SELECT value FROM meta WHERE key = 'count'",
		    &v) == 0)
			e->events = v;
		if (sqlx_int(db, "SELECT value FROM meta WHERE key = 'min_utc'",
		    &v) == 0 && v != -1)
			e->first_us = v;
		if (sqlx_int(db, "SELECT value FROM meta WHERE key = 'max_utc'",
		    &v) == 0 && v != -1)
			e->last_us = v;
	}
	sqlite3_close(db);
}

static void
archived_meta(json_t *m, struct archive_day *e)
{
	json_t	*f;
	size_t	 i;

	e->archived = 1;
	if (e->events < 0)
		e->events = json_integer_value(json_object_get(m, "events"));
	if (e->first_us == 0)
		e->first_us = json_integer_value(json_object_get(m,
		    "first_us"));
	if (e->last_us == 0)
		e->last_us = json_integer_value(json_object_get(m, "last_us"));
	json_array_foreach(json_object_get(m, "files"), i, f)
		e->archive_bytes += (uint64_t)json_integer_value(
		    json_object_get(f, "archive_bytes"));
}

int
archive_list(const char *datadir, int meta, struct archive_day **out,
    size_t *n, char *err, size_t errlen)
{
	char	 ev[4096], path[4608], dayname[16];
	struct archive_day *v = NULL, *e;
	struct dirent *de;
	size_t	 cap = 0, len;
	int64_t	 day;
	json_t	*m;
	DIR	*d;

	*out = NULL;
	*n = 0;
	snprintf(ev, sizeof ev, "%s/events", datadir);
	if ((d = opendir(ev)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return errf(err, errlen, "%.300s: %s", ev, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		snprintf(path, sizeof path, "%s/%s", ev, de->d_name);
		if ((day = partition_day(de->d_name)) != -1) {
			if ((e = entry(&v, n, &cap, day)) == NULL)
				goto oom;
			e->live = 1;
			live_meta(path, meta, e);
			continue;
		}
		if (len != 19 || strcmp(de->d_name + 10, ".archived") != 0)
			continue;
		snprintf(dayname, sizeof dayname, "%.10s", de->d_name);
		if ((day = archive_parse_day(dayname)) == -1 ||
		    (m = load_manifest(path)) == NULL)
			continue;
		if ((e = entry(&v, n, &cap, day)) == NULL) {
			json_decref(m);
			goto oom;
		}
		archived_meta(m, e);
		json_decref(m);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof *v, day_cmp);
	*out = v;
	return 0;
oom:
	closedir(d);
	free(v);
	*n = 0;
	return errf(err, errlen, "out of memory");
}

size_t
archive_reaching(const char *datadir, int64_t since_us, int64_t until_us,
    int64_t *days, size_t max)
{
	char	 ev[4096], path[4608], dayname[16];
	struct dirent *de;
	struct stat sb;
	size_t	 n = 0, i, j;
	int64_t	 day, first, last;
	json_t	*m;
	DIR	*d;

	snprintf(ev, sizeof ev, "%s/events", datadir);
	if ((d = opendir(ev)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 19 ||
		    strcmp(de->d_name + 10, ".archived") != 0)
			continue;
		snprintf(dayname, sizeof dayname, "%.10s", de->d_name);
		if ((day = archive_parse_day(dayname)) == -1)
			continue;
		snprintf(path, sizeof path, "%s/%s.db", ev, dayname);
		if (stat(path, &sb) == 0)
			continue;		/* live (restored) */
		if (since_us != 0 || until_us != 0) {
			snprintf(path, sizeof path, "%s/%s", ev, de->d_name);
			if ((m = load_manifest(path)) == NULL)
				continue;
			first = json_integer_value(json_object_get(m,
			    "first_us"));
			last = json_integer_value(json_object_get(m,
			    "last_us"));
			json_decref(m);
			if ((since_us != 0 && last < since_us) ||
			    (until_us != 0 && first >= until_us))
				continue;
		}
		/* Keep the newest max, newest first. */
		for (i = 0; i < n && i < max && days[i] > day; i++)
			;
		if (i < max) {
			for (j = (n < max ? n : max - 1); j > i; j--)
				days[j] = days[j - 1];
			days[i] = day;
		}
		n++;
	}
	closedir(d);
	return n;
}

long
archive_older_than(const char *datadir, int64_t age_us, int64_t now_us,
    int64_t **out, char *err, size_t errlen)
{
	char	 ev[4096];
	struct dirent *de;
	int64_t	*v = NULL, *nv, day, end;
	size_t	 n = 0, cap = 0, i, j;
	DIR	*d;

	*out = NULL;
	snprintf(ev, sizeof ev, "%s/events", datadir);
	if ((d = opendir(ev)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return errf(err, errlen, "%.300s: %s", ev, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if ((day = partition_day(de->d_name)) == -1)
			continue;
		end = (day + 1) * INT64_C(86400000000);
		if (end > now_us - age_us || end + ARCHIVE_GRACE_US > now_us)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof *v)) == NULL) {
				closedir(d);
				free(v);
				return errf(err, errlen, "out of memory");
			}
			v = nv;
		}
		v[n++] = day;
	}
	closedir(d);
	for (i = 1; i < n; i++)		/* few: insertion sort */
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			day = v[j];
			v[j] = v[j - 1];
			v[j - 1] = day;
		}
	*out = v;
	return (long)n;
}
