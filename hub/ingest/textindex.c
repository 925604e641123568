/*
 * The indexing thread keeps up to IX_OPEN index files open, takes every
 * batch queued since its last pass (lingering for more, see linger()) and
 * inserts each day's rows with one INSERT ... SELECT from a ward_batch
 * virtual table (hub/ingest/batchtab.h: FTS5 writes a segment per statement),
 * moving the file's 'indexed' mark in the same transaction.  The files
 * are WAL, synchronous=NORMAL and checkpointed by SQLite on this thread:
 * a lost tail is re-indexed from the documents at the next start, so
 * nothing here is fsynced on its own.
 * A day whose index cannot be written (a full disk, an I/O error) falls
 * behind: its mark stays where its rows stop, the batches that come for
 * it meanwhile are set aside (their rows are committed, so the documents
 * hold them), and the thread retries with a backoff (1 s, doubling to
 * 10 s), catching up from the documents CATCHUP_ROWS at a time between
 * the live batches, as at start; once it holds every document it leaves
 * the day.  A row at or below a file's mark is never indexed twice, so a
 * batch the catch-up overtook is skipped.  Searches read the rows past
 * the mark of a day that is behind one by one (textindex_behind(),
 * hub/search/search.c), and /healthz and /metrics show it.
 *
 * A damaged or missing file is another matter: catching up cannot mend
 * it.  Such a day goes on a list of its own (struct ixdmg), in three
 * steps: FOUND (warned; its batches are set aside from now on), EMPTY
 * (this thread, the only one that opens index files for writing besides
 * the rebuild, has closed its connection and put an empty index in its
 * place: made under another name and renamed over it, after removing
 * the old file's WAL and shm, so no reader ever sees a half-made file),
 * BUILDING (the rebuild thread, at nice 10, indexes the documents
 * CATCHUP_ROWS at a time, each step a transaction of its own, so a
 * search reads what is done through the index and the rest one by one).
 * Done, the day leaves the list; if batches were set aside meanwhile it
 * becomes a day behind for one catch-up on this thread, which sees every
 * row those batches held (they were committed before they were set
 * aside, and the catch-up reads after).  Only one thread writes a file
 * at a time: a day on this list is skipped by this thread's catch-ups.
 * Index files are never created by opening them (a deleted file would
 * come back empty with a mark past the rows it lacks); only
 * textindex_create() and the replacement make them.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "batchtab.h"
#include "datafile.h"
#include "deadline.h"
#include "errf.h"
#include "jsonfast.h"
#include "log.h"
#include "monotime.h"
#include "partition.h"
#include "query.h"
#include "schema.h"
#include "textindex.h"
#include "timeparse.h"
#include "walgate.h"

#define IX_OPEN		3	/* index files kept open */
#define IX_LAG_MAX	64	/* days behind, one by one; past that
				   every day is behind until a rescan */
#define IX_ALL		INT64_MIN	/* the day of that rescan */
#define IX_RETRY_MIN_MS	1000	/* first retry of a day behind */
#define IX_RETRY_MAX_MS	10000	/* a failed catch-up reads up to
				   CATCHUP_ROWS documents: ~1 % of a core */
#define CATCHUP_ROWS	20000	/* rows a catch-up transaction indexes */
#define IX_BATCH_ROWS	16384	/* rows worth a transaction at once */
#define IX_LINGER_MS	200	/* the longest a smaller batch waits */
#define IX_REBUILD_NICE	10	/* the rebuild thread's, as retention's
				   (hub/archive/retention.c) */

/* Besides 0 and -1, what opening or writing an index may return. */
#define IX_DAMAGED	(-2)	/* the index file is missing or damaged */
#define IX_GONE		(-3)	/* the partition is gone (archived) */

struct ixdb {
	int64_t		 day;		/* -1: slot unused */
	sqlite3		*db;
	sqlite3_stmt	*ins, *mark;
	struct batchtab	 bt;
	struct row	*stage;		/* the staged rows as batchtab reads
					   them, until the commit */
	int64_t		 indexed;	/* its meta 'indexed' */
	uint64_t	 used;
};

/* A day whose index file is missing or damaged (see above). */
enum dmg_state { DMG_FOUND, DMG_EMPTY, DMG_BUILDING };

struct ixdmg {
	int64_t		 day;
	enum dmg_state	 state;
	int64_t		 retry_us;	/* FOUND, EMPTY: next attempt
					   (CLOCK_MONOTONIC) */
	int		 backoff_ms;
	int64_t		 pending;	/* documents it lacks, about */
	uint64_t	 set_aside;	/* batches set aside meanwhile */
	char		 why[512];	/* the last failure, logged once */
};

/* A day whose index lacks acknowledged events. */
struct ixlag {
	int64_t		 day;		/* or IX_ALL */
	int64_t		 since_us;	/* fell behind then (wall clock) */
	int64_t		 pending;	/* events it lacks, at least */
	int64_t		 retry_us;	/* next attempt (CLOCK_MONOTONIC) */
	int		 backoff_ms;
	char		 why[512];	/* the last failure, logged once */
};

struct textindex {
	char		*datadir;
	struct ixdb	 dbs[IX_OPEN];
	uint64_t	 tick;
	pthread_t	 thr;
	int		 running;

	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;		/* a batch queued, or stop */
	pthread_cond_t	 done_cond;	/* done moved */
	struct ixbatch	*head, **tail;
	size_t		 queued_rows;
	uint64_t	 submitted, done;	/* batches */
	int		 waiters;	/* in textindex_wait() */
	int		 stop;
	struct ixlag	 lag[IX_LAG_MAX];	/* days behind, under mtx */
	int		 nlag;
	struct ixdmg	*dmg;		/* days damaged, under mtx */
	size_t		 ndmg, dmgcap;
	pthread_t	 rthr;		/* the rebuild thread */
	int		 rrunning;
	pthread_cond_t	 rcond;		/* a day to rebuild, or stop */
	struct metrics	*m;		/* index_queued: bytes of text;
					   index_lag_*: the days behind;
					   index_rebuild*: damaged */
};

struct ixbatch *
ixbatch_new(int64_t day)
{
	struct ixbatch *b;

	if ((b = calloc(1, sizeof *b)) == NULL)
		return NULL;
	b->day = day;
	buf_init(&b->arena);
	return b;
}

int
ixbatch_add(struct ixbatch *b, int64_t id, const char *base,
    const struct row *r)
{
	struct ixrow *x;
	size_t	 slen;

	if (b->n == b->cap) {
		size_t	 cap = b->cap ? b->cap * 2 : 1024;

		if ((x = realloc(b->rows, cap * sizeof *x)) == NULL)
			return -1;
		b->rows = x;
		b->cap = cap;
	}
	x = &b->rows[b->n];
	x->id = id;
	x->summary = ROW_NONE;
	if (r->summary != ROW_NONE) {
		slen = strlen(base + r->summary) + 1;
		x->summary = (uint32_t)b->arena.len;
		if (buf_append(&b->arena, base + r->summary, slen) == -1)
			return -1;
	}
	x->text = (uint32_t)b->arena.len;
	x->textlen = r->textlen;
	if (buf_append(&b->arena, base + r->text, r->textlen) == -1 ||
	    buf_append(&b->arena, "", 1) == -1 || b->arena.len > UINT32_MAX)
		return -1;
	b->n++;
	return 0;
}

void
ixbatch_free(struct ixbatch *b)
{
	if (b == NULL)
		return;
	buf_release(&b->arena);
	free(b->rows);
	free(b);
}

static void
ixdb_close(struct ixdb *x)
{
	sqlite3_finalize(x->ins);
	sqlite3_finalize(x->mark);
	sqlite3_close(x->db);
	batchtab_release(&x->bt);
	free(x->stage);
	memset(x, 0, sizeof *x);
	x->day = -1;
}

/* Is SQLite's failure rc one of a damaged file? */
static int
is_damage(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

int
textindex_check_file(const char *path, char *why, size_t whylen)
{
	unsigned char h[100];
	struct stat sb, wsb;
	char	 wal[4200];
	int64_t	 pgsz, npages;
	ssize_t	 n;
	int	 fd;

	if (lstat(path, &sb) == -1)
		return errf(why, whylen, "%s", errno == ENOENT ? "is missing" :
		    strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return errf(why, whylen, "is a symbolic link, not a file of "
		    "its own");
	if (!S_ISREG(sb.st_mode))
		return errf(why, whylen, "is not a regular file");
	if (sb.st_size == 0)
		return errf(why, whylen, "is empty");
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errf(why, whylen, "%s", strerror(errno));
	n = pread(fd, h, sizeof h, 0);
	close(fd);
	if (n != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
		return errf(why, whylen, "is not an SQLite database (%lld "
		    "bytes of something else)", (long long)sb.st_size);
	pgsz = h[16] << 8 | h[17];
	if (pgsz == 1)
		pgsz = 65536;
	if (pgsz < 512 || (pgsz & (pgsz - 1)) != 0)
		return errf(why, whylen, "has a damaged header");
	/* Its size in pages is valid when the change counter it was
	   written with is the file's; a WAL beside it may hold the rest
	   (or a checkpoint be growing the file right now). */
	npages = (int64_t)h[28] << 24 | h[29] << 16 | h[30] << 8 | h[31];
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (memcmp(h + 24, h + 92, 4) == 0 && sb.st_size < npages * pgsz &&
	    (stat(wal, &wsb) == -1 || wsb.st_size == 0))
		return errf(why, whylen, "is truncated (%lld of %lld bytes)",
		    (long long)sb.st_size, (long long)(npages * pgsz));
	return 0;
}

/* Open the index file at path (creating it when create is set; else it
   must exist and look whole) as day's in x.  Returns 0, or -1 or
   IX_DAMAGED with err. */
static int
ixdb_open_path(const char *path, int64_t day, int create, struct ixdb *x,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char	 why[256];
	int	 rc = -1;

	memset(x, 0, sizeof *x);
	x->day = day;
	if (!create && textindex_check_file(path, why, sizeof why) == -1) {
		errf(err, errlen, "%s", why);
		x->day = -1;
		return IX_DAMAGED;
	}
	if (create && datafile_private(path, err, errlen) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &x->db, SQLITE_OPEN_READWRITE |
	    (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		errf(err, errlen, "%.300s: %s", path,
		    sqlite3_errmsg(x->db));
		goto fail;
	}
	sqlite3_busy_timeout(x->db, 5000);
	if (partition_exec(x->db, "PRAGMA page_size=32768; PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192;"
	    SCHEMA_INDEX, err, errlen) == -1)
		goto fail;
	if (batchtab_register(x->db, &x->bt) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, "INSERT INTO fts(rowid, summary, text)"
	    " SELECT id, summary, text FROM ward_batch", -1, &x->ins,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, "UPDATE meta SET value = max(value, ?1)"
	    " WHERE key = 'indexed'", -1, &x->mark, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, "SELECT value FROM meta WHERE key ="
	    " 'indexed'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		errf(err, errlen, "%.300s: %s", path,
		    sqlite3_errmsg(x->db));
		goto fail;
	}
	x->indexed = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
fail:
	if (x->db != NULL && is_damage(sqlite3_errcode(x->db))) {
		errf(err, errlen, "is damaged (%s)", sqlite3_errmsg(x->db));
		rc = IX_DAMAGED;
	}
	sqlite3_finalize(st);
	ixdb_close(x);
	return rc;
}

/* Open the index file of day, which must exist, in x.  Returns as
   ixdb_open_path(). */
static int
ixdb_open(const char *datadir, int64_t day, struct ixdb *x, char *err,
    size_t errlen)
{
	char	 path[4096];

	partition_index_path(datadir, day, path, sizeof path);
	return ixdb_open_path(path, day, 0, x, err, errlen);
}

/* Stage the rows of the batches of list (through next) past x's mark in
   x->bt: a row at or below it is indexed already (a catch-up overtook
   its batch).  Returns the highest id, 0 when none is left, or -1 (out
   of memory). */
static int64_t
ixdb_stage(struct ixdb *x, const struct ixbatch *list)
{
	const struct ixbatch *b;
	size_t	 n = 0, i, k = 0;
	int64_t	 top = 0;

	for (b = list; b != NULL; b = b->next)
		n += b->n;
	free(x->stage);
	if ((x->stage = calloc(n + 1, sizeof *x->stage)) == NULL)
		return -1;
	for (b = list; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++) {
			struct row *r = &x->stage[k];

			if (b->rows[i].id <= x->indexed)
				continue;
			r->summary = b->rows[i].summary;
			r->text = b->rows[i].text;
			r->textlen = b->rows[i].textlen;
			if (batchtab_add(&x->bt, b->rows[i].id,
			    b->arena.data, r) == -1)
				return -1;
			if (b->rows[i].id > top)
				top = b->rows[i].id;
			k++;
		}
	return top;
}

/* Index the rows staged in x->bt (highest id top) in one transaction.
   Returns 0, or -1 or IX_DAMAGED with err; the batch is reset either
   way. */
static int
ixdb_commit(struct ixdb *x, int64_t top, char *err, size_t errlen)
{
	int	 rc = 0;

	if (partition_exec(x->db, "BEGIN IMMEDIATE", err, errlen) == -1) {
		batchtab_reset(&x->bt);
		return -1;
	}
	sqlite3_bind_int64(x->mark, 1, top);
	if (sqlite3_step(x->ins) != SQLITE_DONE ||
	    sqlite3_step(x->mark) != SQLITE_DONE) {
		errf(err, errlen, "%s", sqlite3_errmsg(x->db));
		rc = -1;
	}
	sqlite3_reset(x->ins);
	sqlite3_reset(x->mark);
	batchtab_reset(&x->bt);
	free(x->stage);
	x->stage = NULL;
	if (rc == 0 && partition_exec(x->db, "COMMIT", err, errlen) == 0) {
		if (top > x->indexed)
			x->indexed = top;
		return 0;
	}
	rc = -1;
	if (is_damage(sqlite3_errcode(x->db))) {
		errf(err, errlen, "is damaged (%s)", sqlite3_errmsg(x->db));
		rc = IX_DAMAGED;
	}
	sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
textindex_create(const char *datadir, int64_t day, char *err, size_t errlen)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	struct ixdb x;
	char	 path[4096], f[4200];
	size_t	 i;

	partition_index_path(datadir, day, path, sizeof path);
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(f, sizeof f, "%s%s", path, sfx[i]);
		if (unlink(f) == -1 && errno != ENOENT)
			return errf(err, errlen, "%.300s: %s", f,
			    strerror(errno));
	}
	if (ixdb_open_path(path, day, 1, &x, err, errlen) < 0)
		return -1;
	ixdb_close(&x);
	return 0;
}

/* Add to b the row the pipeline would have made of a stored document
   (its summary and full text), through scratch.  A document that does
   not parse gives its summary alone.  Returns 0 or -1 (memory). */
static int
add_doc(struct ixbatch *b, struct buf *scratch, int64_t id,
    const char *summary, const char *doc, size_t doclen)
{
	struct jsonfast_error jerr;
	struct row r;
	json_t	*ev = NULL;
	size_t	 used;
	int	 rc;

	buf_reset(scratch);
	memset(&r, 0, sizeof r);
	r.summary = ROW_NONE;
	if (summary != NULL) {
		r.summary = 0;
		if (buf_append(scratch, summary, strlen(summary) + 1) == -1)
			return -1;
	}
	r.text = (uint32_t)scratch->len;
	if (doc != NULL)
		ev = jsonfast_parse(doc, doclen, &used, 256, &jerr);
	rc = ev != NULL ? query_fts_text(ev, scratch) : 0;
	json_decref(ev);
	r.textlen = (uint32_t)(scratch->len - r.text);
	if (rc == -1)
		return -1;
	return ixbatch_add(b, id, scratch->data, &r);
}

/* Index the rows of b past x's mark in one transaction.  Returns 0, or
   -1 or IX_DAMAGED with err. */
static int
index_batch(struct ixdb *x, const struct ixbatch *b, char *err,
    size_t errlen)
{
	int64_t	 top;

	if ((top = ixdb_stage(x, b)) <= 0) {
		batchtab_reset(&x->bt);
		free(x->stage);
		x->stage = NULL;
		if (top == 0)
			return 0;
		return errf(err, errlen, "out of memory");
	}
	return ixdb_commit(x, top, err, errlen);
}

/*
 * Index up to CATCHUP_ROWS documents of partition day that its index
 * lacks, in one transaction of its own connection.  *n gets the rows
 * indexed, or on failure the documents the index lacks (0 if unknown);
 * *left (when not NULL) the documents it still lacks after, about (ids
 * are dense).  Returns 1 when more may remain, 0 when the index holds
 * every document, or with err -1, IX_DAMAGED (the index file is missing
 * or damaged, or holds events the partition does not: from another copy
 * of the day) or IX_GONE (no partition: archived meanwhile).
 */
static int
catch_up_read(const char *datadir, int64_t day, int64_t *n, int64_t *left,
    char *err, size_t errlen)
{
	struct ixbatch *b = NULL;
	struct ixdb x;
	struct buf scratch;
	struct stat sb;
	sqlite3	*db = NULL;
	sqlite3_stmt *st = NULL;
	char	 path[4096];
	int64_t	 maxid = 0;
	int	 rc = -1, step, version;

	*n = 0;
	if (left != NULL)
		*left = 0;
	x.day = -1;
	x.db = NULL;
	buf_init(&scratch);
	partition_path(datadir, day, path, sizeof path);
	if (stat(path, &sb) == -1 && errno == ENOENT) {
		errf(err, errlen, "%.300s: gone", path);
		return IX_GONE;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK)
		sqlite3_busy_timeout(db, 1000);	/* a checkpoint, a full disk */
	if (sqlite3_errcode(db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT user_version, (SELECT max(id)"
	    " FROM events) FROM pragma_user_version", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		errf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
		return -1;
	}
	version = sqlite3_column_int(st, 0);
	maxid = sqlite3_column_int64(st, 1);	/* 0 when empty */
	sqlite3_finalize(st);
	st = NULL;
	if (version < 3) {	/* its index is inside it */
		sqlite3_close(db);
		return 0;
	}
	if ((rc = ixdb_open(datadir, day, &x, err, errlen)) < 0)
		goto out;
	rc = -1;
	if (x.indexed > maxid) {
		errf(err, errlen, "holds events its partition does not (up "
		    "to id %" PRId64 ", the partition to %" PRId64 ": an index "
		    "of another copy of the day?)", x.indexed, maxid);
		rc = IX_DAMAGED;
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT id, summary, doc FROM docs WHERE"
	    " id > ?1 ORDER BY id LIMIT ?2", -1, &st, NULL) != SQLITE_OK) {
		errf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, x.indexed);
	sqlite3_bind_int(st, 2, CATCHUP_ROWS);
	if ((b = ixbatch_new(day)) == NULL)
		goto nomem;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (add_doc(b, &scratch, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) == -1)
			goto nomem;
	if (step != SQLITE_DONE) {
		errf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	if (b->n > 0 && (rc = index_batch(&x, b, err, errlen)) < 0)
		goto out;
	*n = (int64_t)b->n;
	if (left != NULL && maxid > x.indexed)
		*left = maxid - x.indexed;
	rc = b->n == CATCHUP_ROWS;
	goto out;
nomem:
	errf(err, errlen, "out of memory");
out:
	sqlite3_finalize(st);
	st = NULL;
	/* How far behind it is, for /metrics. */
	if (rc < 0 && x.db != NULL && sqlite3_prepare_v2(db, "SELECT"
	    " count(*) FROM docs WHERE id > ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, x.indexed);
		if (sqlite3_step(st) == SQLITE_ROW)
			*n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	buf_release(&scratch);
	ixbatch_free(b);
	sqlite3_close(db);
	if (x.db != NULL)
		ixdb_close(&x);
	return rc;
}

/* catch_up_read(), inside the day's WAL gate (hub/ingest/walgate.h) when
   it is being written (today, or yesterday around midnight), as a search
   is: a rebuild reads for long, and the store's checkpointer, which
   cannot truncate a WAL under a reader, then waits for the step to end
   instead of holding every other reader off while it retries. */
static int
catch_up_step(const char *datadir, int64_t day, int64_t *n, int64_t *left,
    char *err, size_t errlen)
{
	struct timespec lim;
	int	 gated, rc;

	gated = day >= time_now_us() / INT64_C(86400000000) - 1;
	if (gated) {
		deadline_after(CLOCK_MONOTONIC, (int64_t)WALGATE_WAIT_MS * 2000,
		    &lim);
		walgate_enter(day, &lim);
	}
	rc = catch_up_read(datadir, day, n, left, err, errlen);
	if (gated)
		walgate_leave(day);
	return rc;
}

/* ---- days behind ---------------------------------------------------- */

/* With t->mtx held: the entry of day, or NULL. */
static struct ixlag *
lag_find(struct textindex *t, int64_t day)
{
	int	 i;

	for (i = 0; i < t->nlag; i++)
		if (t->lag[i].day == day)
			return &t->lag[i];
	return NULL;
}

/* With t->mtx held: show the days behind in the metrics. */
static void
lag_publish(struct textindex *t)
{
	int64_t	 pending = 0, since = 0, days = 0;
	int	 i;

	for (i = 0; i < t->nlag; i++) {
		days += t->lag[i].day == IX_ALL ? IX_LAG_MAX : 1;
		pending += t->lag[i].pending;
		if (since == 0 || t->lag[i].since_us < since)
			since = t->lag[i].since_us;
	}
	atomic_store(&t->m->index_lag_days, (uint64_t)days);
	atomic_store(&t->m->index_lag_events, (uint64_t)pending);
	atomic_store(&t->m->index_lag_since_us, (uint64_t)since);
}

static void
day_name(int64_t day, char *out, size_t outlen)
{
	time_t	 tt = (time_t)(day * 86400);
	struct tm tm;

	if (day == IX_ALL)
		snprintf(out, outlen, "every day");
	else {
		gmtime_r(&tt, &tm);
		strftime(out, outlen, "%Y-%m-%d", &tm);
	}
}

/*
 * Day's index failed (why) and lacks n more events: it is behind from now
 * on until a catch-up brings it level, and its batches are set aside
 * meanwhile.  With more days behind than IX_LAG_MAX, every day is (one
 * rescan catches them all up).
 */
static void
lag_add_locked(struct textindex *t, int64_t day, int64_t n, const char *why)
{
	struct ixlag *e;
	char	 name[32];
	int	 i;

	day_name(day, name, sizeof name);
	if ((e = lag_find(t, IX_ALL)) == NULL &&
	    (e = lag_find(t, day)) == NULL) {
		if (t->nlag == IX_LAG_MAX) {
			/* Fold them into one rescan of every partition. */
			for (i = 1; i < t->nlag; i++) {
				t->lag[0].pending += t->lag[i].pending;
				if (t->lag[i].since_us < t->lag[0].since_us)
					t->lag[0].since_us = t->lag[i].since_us;
			}
			t->nlag = 1;
			t->lag[0].day = IX_ALL;
			e = &t->lag[0];
		} else {
			e = &t->lag[t->nlag++];
			memset(e, 0, sizeof *e);
			e->day = day;
			e->since_us = time_now_us();
			e->backoff_ms = IX_RETRY_MIN_MS;
			e->retry_us = monotime_us() + IX_RETRY_MIN_MS * 1000;
		}
	}
	e->pending += n;
	if (*why != '\0' && strcmp(e->why, why) != 0) {
		snprintf(e->why, sizeof e->why, "%s", why);
		log_err("index: %s: %s; searches read its events one by one "
		    "until the index catches up (retrying)", name, why);
	}
	lag_publish(t);
}

/* lag_add_locked() taking t->mtx. */
static void
lag_add(struct textindex *t, int64_t day, int64_t n, const char *why)
{
	pthread_mutex_lock(&t->mtx);
	lag_add_locked(t, day, n, why);
	pthread_mutex_unlock(&t->mtx);
}

/* ---- days damaged --------------------------------------------------- */

/* With t->mtx held: the entry of day, or NULL. */
static struct ixdmg *
dmg_find(struct textindex *t, int64_t day)
{
	size_t	 i;

	for (i = 0; i < t->ndmg; i++)
		if (t->dmg[i].day == day)
			return &t->dmg[i];
	return NULL;
}

/* With t->mtx held: show the days damaged in the metrics. */
static void
dmg_publish(struct textindex *t)
{
	int64_t	 pending = 0;
	size_t	 i;

	for (i = 0; i < t->ndmg; i++)
		pending += t->dmg[i].pending;
	atomic_store(&t->m->index_rebuilding_days, (uint64_t)t->ndmg);
	atomic_store(&t->m->index_rebuilding_events, (uint64_t)pending);
}

/* With t->mtx held: day leaves the list (e is its entry). */
static void
dmg_remove(struct textindex *t, struct ixdmg *e)
{
	*e = t->dmg[--t->ndmg];
	dmg_publish(t);
}

/*
 * With t->mtx held: put day on the list in state (DMG_FOUND: its file
 * is to be replaced, and why it is is logged as a warning; DMG_EMPTY:
 * the file is whole and only lacks documents, pending of them).  A day
 * on it already stays as it is.  Returns 0, or -1 (out of memory).
 */
static int
dmg_add_locked(struct textindex *t, int64_t day, enum dmg_state state,
    int64_t pending, const char *why)
{
	struct ixdmg *e;
	char	 name[32];
	size_t	 cap;

	if (dmg_find(t, day) != NULL)
		return 0;
	if (t->ndmg == t->dmgcap) {
		cap = t->dmgcap ? t->dmgcap * 2 : 8;
		if ((e = reallocarray(t->dmg, cap, sizeof *e)) == NULL)
			return -1;
		t->dmg = e;
		t->dmgcap = cap;
	}
	e = &t->dmg[t->ndmg++];
	memset(e, 0, sizeof *e);
	e->day = day;
	e->state = state;
	e->pending = pending;
	e->backoff_ms = IX_RETRY_MIN_MS;
	e->retry_us = monotime_us();
	day_name(day, name, sizeof name);
	if (state == DMG_FOUND)
		log_warn("index: %s: its full-text index file %s; rebuilding "
		    "it from the day's events in the background (searches read "
		    "the day without it meanwhile)", name, why);
	else
		log_info("index: %s: its full-text index lacks %" PRId64
		    " events; indexing them in the background (searches read "
		    "those one by one meanwhile)", name, pending);
	dmg_publish(t);
	pthread_cond_signal(state == DMG_FOUND ? &t->cond : &t->rcond);
	return 0;
}

void
textindex_damaged(struct textindex *t, int64_t day, const char *why)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mtx);
	if (dmg_add_locked(t, day, DMG_FOUND, 0, why) == -1)
		log_err("index: out of memory: a damaged index is not rebuilt");
	pthread_mutex_unlock(&t->mtx);
}

int
textindex_unusable(struct textindex *t, int64_t day)
{
	struct ixdmg *e;
	int	 rc;

	if (t == NULL)
		return 0;
	pthread_mutex_lock(&t->mtx);
	rc = (e = dmg_find(t, day)) != NULL && e->state == DMG_FOUND;
	pthread_mutex_unlock(&t->mtx);
	return rc;
}

int
textindex_file_usable(struct textindex *t, int64_t day, const char *path,
    char *why, size_t whylen)
{
	char	 what[256];

	if (textindex_unusable(t, day)) {
		snprintf(why, whylen, "being rebuilt");
		return -1;
	}
	if (textindex_check_file(path, what, sizeof what) == -1) {
		textindex_damaged(t, day, what);
		snprintf(why, whylen, "%s: rebuilding it", what);
		return -1;
	}
	return 0;
}

/*
 * Put an empty index in place of day's damaged one: made as DAY.fts.new,
 * then the old file's WAL and shm removed (they would be read as the new
 * file's) and the new one renamed over it.  Returns 0, IX_GONE when the
 * partition is gone, or -1 with err.
 */
static int
replace_file(const char *datadir, int64_t day, char *err, size_t errlen)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	struct ixdb x;
	struct stat sb;
	char	 part[4096], path[4096], tmp[4200], f[4300];
	size_t	 i;

	partition_path(datadir, day, part, sizeof part);
	if (stat(part, &sb) == -1 && errno == ENOENT)
		return IX_GONE;
	partition_index_path(datadir, day, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.new", path);
	for (i = 0; i < 3; i++) {
		snprintf(f, sizeof f, "%s%s", tmp, i < 2 ? sfx[i] : "");
		if (unlink(f) == -1 && errno != ENOENT)
			return errf(err, errlen, "%.300s: %s", f,
			    strerror(errno));
	}
	if (ixdb_open_path(tmp, day, 1, &x, err, errlen) < 0)
		return -1;
	ixdb_close(&x);		/* the last connection: its WAL goes */
	for (i = 0; i < 2; i++) {
		snprintf(f, sizeof f, "%s%s", path, sfx[i]);
		if (unlink(f) == -1 && errno != ENOENT)
			return errf(err, errlen, "%.300s: %s", f,
			    strerror(errno));
	}
	if (rename(tmp, path) == -1)
		return errf(err, errlen, "%.300s: %s", path, strerror(errno));
	return 0;
}

/*
 * The indexing thread's part: replace the files of the days found
 * damaged whose time has come (closing its own connections to them
 * first), and hand them to the rebuild thread.  One that cannot be
 * replaced now is tried again later (1 s, doubling to 10 s).
 */
static void
dmg_replace(struct textindex *t)
{
	struct ixdmg *e;
	char	 err[512], name[32];
	int64_t	 day, now = monotime_us();
	size_t	 i;
	int	 k, rc;

	pthread_mutex_lock(&t->mtx);
	for (i = 0; i < t->ndmg; i++) {
		e = &t->dmg[i];
		if (e->state != DMG_FOUND || e->retry_us > now)
			continue;
		day = e->day;
		pthread_mutex_unlock(&t->mtx);
		for (k = 0; k < IX_OPEN; k++)
			if (t->dbs[k].day == day)
				ixdb_close(&t->dbs[k]);
		rc = replace_file(t->datadir, day, err, sizeof err);
		day_name(day, name, sizeof name);
		pthread_mutex_lock(&t->mtx);
		if ((e = dmg_find(t, day)) == NULL)
			continue;
		if (rc == IX_GONE) {
			dmg_remove(t, e);
			i--;
		} else if (rc == -1) {
			e->backoff_ms = e->backoff_ms * 2 > IX_RETRY_MAX_MS ?
			    IX_RETRY_MAX_MS : e->backoff_ms * 2;
			e->retry_us = monotime_us() + (int64_t)e->backoff_ms *
			    1000;
			if (strcmp(e->why, err) != 0) {
				snprintf(e->why, sizeof e->why, "%s", err);
				log_err("index: %s: cannot replace its damaged "
				    "index: %s; retrying", name, err);
			}
		} else {
			e->state = DMG_EMPTY;
			e->backoff_ms = IX_RETRY_MIN_MS;
			e->retry_us = monotime_us();
			e->why[0] = '\0';
			pthread_cond_signal(&t->rcond);
		}
	}
	pthread_mutex_unlock(&t->mtx);
}

/* With t->mtx held: the earliest retry of a day behind or of a damaged
   file to replace, or 0 when there is none. */
static int64_t
lag_next(struct textindex *t)
{
	int64_t	 next = 0;
	size_t	 k;
	int	 i;

	for (i = 0; i < t->nlag; i++)
		if ((next == 0 || t->lag[i].retry_us < next) &&
		    (t->lag[i].day == IX_ALL || dmg_find(t, t->lag[i].day) ==
		    NULL))	/* else it waits for the rebuild */
			next = t->lag[i].retry_us;
	for (k = 0; k < t->ndmg; k++)
		if (t->dmg[k].state == DMG_FOUND && (next == 0 ||
		    t->dmg[k].retry_us < next))
			next = t->dmg[k].retry_us;
	return next;
}

/* With t->mtx held: is day (IX_ALL: any) on the damaged list? */
static int
dmg_any(struct textindex *t, int64_t day)
{
	return day == IX_ALL ? t->ndmg > 0 : dmg_find(t, day) != NULL;
}

/* One catch-up step of day (IX_ALL: every partition, but for those
   damaged, which go to the rebuild).  Returns as catch_up_step(). */
static int
lag_step(struct textindex *t, int64_t day, int64_t *n, char *err,
    size_t errlen)
{
	struct dirent *de;
	char	 dir[4096];
	DIR	*d;
	int64_t	 k, m;
	int	 rc, more = 0;

	if (day != IX_ALL)
		return catch_up_step(t->datadir, day, n, NULL, err, errlen);
	*n = 0;
	snprintf(dir, sizeof dir, "%s/events", t->datadir);
	if ((d = opendir(dir)) == NULL)
		return errf(err, errlen, "%.300s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if ((k = partition_day(de->d_name)) < 0)
			continue;
		pthread_mutex_lock(&t->mtx);
		rc = dmg_any(t, k);	/* the rebuild's to write */
		pthread_mutex_unlock(&t->mtx);
		if (rc)
			continue;
		rc = catch_up_step(t->datadir, k, &m, NULL, err, errlen);
		if (rc == IX_DAMAGED) {
			textindex_damaged(t, k, err);
			continue;
		}
		if (rc == IX_GONE)
			continue;
		if (rc == -1) {
			closedir(d);
			*n = 0;
			return -1;
		}
		*n += m;
		more |= rc;
	}
	closedir(d);
	return more;
}

/*
 * Retry the days behind whose time has come: a catch-up step each.  A
 * day level with its documents is behind no more; one that failed again
 * waits twice as long (up to IX_RETRY_MAX_MS); one with more to do goes
 * on at the next pass, after the batches that came meanwhile.
 */
static void
lag_retry(struct textindex *t)
{
	struct ixlag e, *x;
	char	 err[512], name[32];
	int64_t	 now = monotime_us(), n;
	int	 i, k, rc;

	for (i = 0; ; i++) {
		pthread_mutex_lock(&t->mtx);
		/* A damaged day waits for its rebuild, which writes its
		   file meanwhile. */
		while (i < t->nlag && (t->lag[i].retry_us > now ||
		    (t->lag[i].day != IX_ALL && dmg_any(t, t->lag[i].day))))
			i++;
		if (i >= t->nlag) {
			pthread_mutex_unlock(&t->mtx);
			return;
		}
		e = t->lag[i];
		pthread_mutex_unlock(&t->mtx);

		/* The step writes on a connection of its own. */
		for (k = 0; k < IX_OPEN; k++)
			if (t->dbs[k].day != -1 && (e.day == IX_ALL ||
			    t->dbs[k].day == e.day))
				ixdb_close(&t->dbs[k]);
		rc = lag_step(t, e.day, &n, err, sizeof err);
		day_name(e.day, name, sizeof name);

		pthread_mutex_lock(&t->mtx);
		if ((x = lag_find(t, e.day)) == NULL) {	/* folded into IX_ALL meanwhile */
			pthread_mutex_unlock(&t->mtx);
			continue;
		}
		if (rc == IX_DAMAGED || rc == IX_GONE) {
			/* Catching up cannot mend it: rebuilt instead. */
			*x = t->lag[--t->nlag];
			i--;
			if (rc == IX_DAMAGED && dmg_add_locked(t, e.day,
			    DMG_FOUND, 0, err) == -1)
				log_err("index: out of memory: a damaged index "
				    "is not rebuilt");
		} else if (rc == -1) {
			x->backoff_ms = x->backoff_ms * 2 > IX_RETRY_MAX_MS ?
			    IX_RETRY_MAX_MS : x->backoff_ms * 2;
			x->retry_us = monotime_us() + (int64_t)x->backoff_ms * 1000;
			if (n > 0)
				x->pending = n;
			if (strcmp(x->why, err) != 0) {
				snprintf(x->why, sizeof x->why, "%s", err);
				log_err("index: %s: catching up: %s; retrying",
				    name, err);
			}
		} else if (rc == 1) {
			x->pending = x->pending > n ? x->pending - n : 0;
			x->backoff_ms = IX_RETRY_MIN_MS;
			x->retry_us = monotime_us();	/* at the next pass */
		} else {
			log_info("index: %s: caught up after %" PRId64 " s; "
			    "its events are indexed again", name,
			    (time_now_us() - x->since_us) / 1000000);
			*x = t->lag[--t->nlag];
			i--;
		}
		lag_publish(t);
		pthread_mutex_unlock(&t->mtx);
	}
}

int
textindex_behind(struct textindex *t, int64_t day)
{
	int	 rc;

	if (t == NULL)
		return 0;
	pthread_mutex_lock(&t->mtx);
	rc = (t->nlag > 0 && (lag_find(t, day) != NULL ||
	    lag_find(t, IX_ALL) != NULL)) || dmg_find(t, day) != NULL;
	pthread_mutex_unlock(&t->mtx);
	return rc;
}

struct textindex *
textindex_open(const char *datadir, struct metrics *m, char *err,
    size_t errlen)
{
	struct textindex *t;
	struct dirent *de;
	char	 dir[4096];
	DIR	*d;
	int64_t	 day, n, left;
	int	 i, rc;

	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->datadir = strdup(datadir)) == NULL) {
		errf(err, errlen, "out of memory");
		free(t);
		return NULL;
	}
	for (i = 0; i < IX_OPEN; i++)
		t->dbs[i].day = -1;
	t->m = m;
	pthread_mutex_init(&t->mtx, NULL);
	pthread_cond_init(&t->cond, NULL);
	pthread_cond_init(&t->done_cond, NULL);
	pthread_cond_init(&t->rcond, NULL);
	t->tail = &t->head;
	snprintf(dir, sizeof dir, "%s/events", datadir);
	if ((d = opendir(dir)) == NULL) {
		errf(err, errlen, "%s: %s", dir, strerror(errno));
		textindex_free(t);
		return NULL;
	}
	/* One catch-up step for each partition: a crash's tail is done
	   before the hub serves.  An index that lacks more is caught up in
	   the background, one damaged or missing is rebuilt there, one
	   that cannot be written now is behind (the thread retries it). */
	while ((de = readdir(d)) != NULL) {
		if ((day = partition_day(de->d_name)) < 0)
			continue;
		rc = catch_up_step(datadir, day, &n, &left, err, errlen);
		if (rc >= 0 && n > 0)
			log_info("index: %s: %" PRId64 " events indexed that "
			    "its index lacked", de->d_name, n);
		pthread_mutex_lock(&t->mtx);
		if (rc == 1)
			rc = dmg_add_locked(t, day, DMG_EMPTY, left, "");
		else if (rc == IX_DAMAGED)
			rc = dmg_add_locked(t, day, DMG_FOUND, 0, err);
		else if (rc == -1)
			lag_add_locked(t, day, n, err);
		pthread_mutex_unlock(&t->mtx);
		if (rc == -1) {
			closedir(d);
			errf(err, errlen, "out of memory");
			textindex_free(t);
			return NULL;
		}
	}
	closedir(d);
	return t;
}

/* The open index of day, opening it in the least recently used slot;
   NULL with err if it cannot be opened (*rc -1 or IX_DAMAGED). */
static struct ixdb *
ixdb_get(struct textindex *t, int64_t day, int *rc, char *err,
    size_t errlen)
{
	struct ixdb *x, *lru = &t->dbs[0];
	int	 i;

	for (i = 0; i < IX_OPEN; i++) {
		x = &t->dbs[i];
		if (x->day == day) {
			x->used = ++t->tick;
			return x;
		}
		if (x->day == -1 || (lru->day != -1 && x->used < lru->used))
			lru = x;
	}
	if (lru->day != -1)
		ixdb_close(lru);
	if ((*rc = ixdb_open(t->datadir, day, lru, err, errlen)) < 0)
		return NULL;
	lru->used = ++t->tick;
	return lru;
}

/* Index every batch of list of the same day as its first, in one
   transaction, unless the day is behind (then they wait for its
   catch-up); they are taken off the list.  Returns the rest. */
static struct ixbatch *
index_day(struct textindex *t, struct ixbatch *list, uint64_t *nb)
{
	struct ixbatch *b, *rest = NULL, **rt = &rest, *mine = NULL,
		       **mt = &mine, *next;
	int64_t	 day = list->day, rows = 0;
	struct ixdb *x = NULL;
	struct ixdmg *d;
	char	 err[512];
	int	 behind, rc;

	for (b = list; b != NULL; b = next) {
		next = b->next;
		b->next = NULL;
		if (b->day == day) {
			*mt = b;
			mt = &b->next;
			rows += (int64_t)b->n;
		} else {
			*rt = b;
			rt = &b->next;
		}
	}
	pthread_mutex_lock(&t->mtx);
	if ((d = dmg_find(t, day)) != NULL) {
		/* Set aside; the rebuild reads its rows, or the catch-up
		   after it. */
		d->set_aside++;
		d->pending += rows;
		dmg_publish(t);
		behind = 2;
	} else
		behind = t->nlag > 0 && (lag_find(t, day) != NULL ||
		    lag_find(t, IX_ALL) != NULL);
	pthread_mutex_unlock(&t->mtx);
	rc = 0;
	if (behind == 1)
		lag_add(t, day, rows, "");
	else if (behind == 0 &&
	    ((x = ixdb_get(t, day, &rc, err, sizeof err)) == NULL ||
	    (rc = index_batch(x, mine, err, sizeof err)) < 0)) {
		if (x != NULL)
			ixdb_close(x);
		if (rc == IX_DAMAGED) {
			pthread_mutex_lock(&t->mtx);
			if (dmg_add_locked(t, day, DMG_FOUND, rows, err) == 0)
				dmg_find(t, day)->set_aside++;
			else
				lag_add_locked(t, day, rows, err);
			pthread_mutex_unlock(&t->mtx);
		} else
			lag_add(t, day, rows, err);
	}
	for (b = mine; b != NULL; b = next) {
		next = b->next;
		atomic_fetch_sub(&t->m->index_queued, b->arena.len);
		ixbatch_free(b);
		(*nb)++;
	}
	return rest;
}

/* With t->mtx held and a batch queued: wait, at most IX_LINGER_MS, until
   IX_BATCH_ROWS rows are queued, unless a search waits or the index
   stops.  FTS5 writes a segment a transaction and merges them later, so
   a few large transactions cost far less than many small ones. */
static void
linger(struct textindex *t)
{
	struct timespec ts;

	deadline_after(CLOCK_REALTIME, IX_LINGER_MS * 1000, &ts);
	while (t->queued_rows < IX_BATCH_ROWS && t->waiters == 0 &&
	    !t->stop)
		if (pthread_cond_timedwait(&t->cond, &t->mtx, &ts) ==
		    ETIMEDOUT)
			break;
}

/* With t->mtx held: wait for a batch, the stop, or the next retry of a
   day behind. */
static void
idle(struct textindex *t)
{
	struct timespec ts;
	int64_t	 next;

	while (t->head == NULL && !t->stop) {
		if ((next = lag_next(t)) == 0) {
			pthread_cond_wait(&t->cond, &t->mtx);
			continue;
		}
		if ((next -= monotime_us()) <= 0)
			return;
		deadline_after(CLOCK_REALTIME, next, &ts);
		pthread_cond_timedwait(&t->cond, &t->mtx, &ts);
	}
}

static void *
index_main(void *arg)
{
	struct textindex *t = arg;
	struct ixbatch *list;
	uint64_t nb;

	pthread_setname_np(pthread_self(), "ward-index");
	/* At the ingest threads' priority: lingering makes it cheap, and
	   below them (nice 10) it starved whenever the cores were busy,
	   until its full queue turned into 429s (tests/bench, closed loop:
	   32-41 429s a 30 s run at nice 10, 4-8 at 0). */
	pthread_mutex_lock(&t->mtx);
	for (;;) {
		idle(t);
		if (t->head == NULL && t->stop)
			break;
		if (t->head != NULL)
			linger(t);
		list = t->head;
		t->head = NULL;
		t->tail = &t->head;
		t->queued_rows = 0;
		pthread_mutex_unlock(&t->mtx);
		dmg_replace(t);
		lag_retry(t);
		nb = 0;
		while (list != NULL)
			list = index_day(t, list, &nb);
		pthread_mutex_lock(&t->mtx);
		t->done += nb;
		pthread_cond_broadcast(&t->done_cond);
	}
	pthread_mutex_unlock(&t->mtx);
	return NULL;
}

/* ---- the rebuild thread --------------------------------------------- */

/* With t->mtx held: the day to rebuild next (its file replaced, its
   time come), or NULL; *wait_us the time until the earliest other, or
   0 when there is none. */
static struct ixdmg *
rebuild_next(struct textindex *t, int64_t *wait_us)
{
	int64_t	 now = monotime_us();
	size_t	 i;

	*wait_us = 0;
	for (i = 0; i < t->ndmg; i++) {
		if (t->dmg[i].state != DMG_EMPTY)
			continue;
		if (t->dmg[i].retry_us <= now)
			return &t->dmg[i];
		if (*wait_us == 0 || t->dmg[i].retry_us - now < *wait_us)
			*wait_us = t->dmg[i].retry_us - now;
	}
	return NULL;
}

/*
 * Rebuild day's index (its file whole, lacking documents) from the
 * partition, CATCHUP_ROWS a transaction, until it holds every document
 * or the index stops.  Returns as catch_up_step(), 1 when stopped; *n
 * the documents indexed.
 */
static int
rebuild_day(struct textindex *t, int64_t day, int64_t *n, char *err,
    size_t errlen)
{
	struct ixdmg *e;
	int64_t	 k, left;
	int	 rc, stop;

	*n = 0;
	for (;;) {
		rc = catch_up_step(t->datadir, day, &k, &left, err, errlen);
		pthread_mutex_lock(&t->mtx);
		stop = t->stop;
		if (rc >= 0 && (e = dmg_find(t, day)) != NULL) {
			e->pending = left;
			dmg_publish(t);
		}
		pthread_mutex_unlock(&t->mtx);
		if (rc < 0)
			return rc;
		*n += k;
		if (rc == 0 || stop)
			return rc;
	}
}

static void *
rebuild_main(void *arg)
{
	struct textindex *t = arg;
	struct ixdmg *e;
	struct ixlag *x;
	struct timespec ts;
	char	 err[512], name[32], part[4096], ix[4096];
	int64_t	 day, n, t0, wait_us;
	double	 secs;
	int	 rc;

	pthread_setname_np(pthread_self(), "ward-reindex");
	/* Below ingest, indexing and searches, which answer people, as
	   the archive and retention work (hub/archive/retention.c); on
	   Linux a thread's nice value is its own. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), IX_REBUILD_NICE) == -1)
		log_warn("index: cannot lower the rebuild's priority: %s",
		    strerror(errno));
	pthread_mutex_lock(&t->mtx);
	while (!t->stop) {
		if ((e = rebuild_next(t, &wait_us)) == NULL) {
			if (wait_us == 0)
				pthread_cond_wait(&t->rcond, &t->mtx);
			else {
				deadline_after(CLOCK_REALTIME, wait_us, &ts);
				pthread_cond_timedwait(&t->rcond, &t->mtx, &ts);
			}
			continue;
		}
		e->state = DMG_BUILDING;
		day = e->day;
		pthread_mutex_unlock(&t->mtx);

		day_name(day, name, sizeof name);
		t0 = monotime_us();
		rc = rebuild_day(t, day, &n, err, sizeof err);
		secs = (double)(monotime_us() - t0) / 1e6;

		pthread_mutex_lock(&t->mtx);
		e = dmg_find(t, day);	/* only this thread removes it */
		if (rc == 1) {		/* stopped: the next start goes on */
			e->state = DMG_EMPTY;
			break;
		}
		if (rc == 0) {
			log_info("index: %s: rebuilt: %" PRId64 " events indexed "
			    "in %.1f s (%.0f events/s); searches read the day "
			    "through its index again", name, n, secs,
			    secs > 0 ? (double)n / secs : 0.0);
			atomic_fetch_add(&t->m->index_rebuilt_total, 1);
			/* Batches set aside meanwhile may hold rows the
			   last step did not see: one catch-up after them
			   on the indexing thread. */
			if (e->set_aside > 0) {
				lag_add_locked(t, day, 0, "");
				if ((x = lag_find(t, day)) != NULL)
					x->retry_us = monotime_us();
				pthread_cond_signal(&t->cond);
			}
			dmg_remove(t, e);
		} else if (rc == IX_GONE) {
			/* Archived or deleted meanwhile: no stray index. */
			partition_path(t->datadir, day, part, sizeof part);
			partition_index_path(t->datadir, day, ix, sizeof ix);
			if (access(part, F_OK) == -1 && errno == ENOENT)
				unlink(ix);
			dmg_remove(t, e);
		} else if (rc == IX_DAMAGED) {
			e->state = DMG_FOUND;
			e->retry_us = monotime_us() + (int64_t)e->backoff_ms *
			    1000;
			log_warn("index: %s: its rebuilt index file %s; "
			    "replacing it again", name, err);
			pthread_cond_signal(&t->cond);
		} else {
			e->state = DMG_EMPTY;
			e->backoff_ms = e->backoff_ms * 2 > IX_RETRY_MAX_MS ?
			    IX_RETRY_MAX_MS : e->backoff_ms * 2;
			e->retry_us = monotime_us() + (int64_t)e->backoff_ms *
			    1000;
			if (strcmp(e->why, err) != 0) {
				snprintf(e->why, sizeof e->why, "%s", err);
				log_err("index: %s: rebuilding: %s; retrying",
				    name, err);
			}
		}
	}
	pthread_mutex_unlock(&t->mtx);
	return NULL;
}

int
textindex_start(struct textindex *t)
{
	if (pthread_create(&t->thr, NULL, index_main, t) != 0)
		return -1;
	t->running = 1;
	if (pthread_create(&t->rthr, NULL, rebuild_main, t) != 0) {
		textindex_stop(t);
		return -1;
	}
	t->rrunning = 1;
	return 0;
}

void
textindex_submit(struct textindex *t, struct ixbatch *b)
{
	b->next = NULL;
	atomic_fetch_add(&t->m->index_queued, b->arena.len);
	pthread_mutex_lock(&t->mtx);
	*t->tail = b;
	t->tail = &b->next;
	t->queued_rows += b->n;
	t->submitted++;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->mtx);
}

int
textindex_wait(struct textindex *t, int timeout_ms)
{
	struct timespec ts;
	uint64_t target;
	int	 rc = 0;

	if (t == NULL)
		return 0;
	deadline_after(CLOCK_REALTIME, (int64_t)timeout_ms * 1000, &ts);
	pthread_mutex_lock(&t->mtx);
	target = t->submitted;
	t->waiters++;
	pthread_cond_signal(&t->cond);	/* no lingering while we wait */
	while (t->done < target && rc == 0)
		if (pthread_cond_timedwait(&t->done_cond, &t->mtx, &ts) ==
		    ETIMEDOUT)
			rc = -1;
	t->waiters--;
	if (t->done >= target)
		rc = 0;
	pthread_mutex_unlock(&t->mtx);
	return rc;
}

size_t
textindex_queued(struct textindex *t)
{
	return t == NULL ? 0 : (size_t)atomic_load(&t->m->index_queued);
}

void
textindex_stop(struct textindex *t)
{
	if (t == NULL || !t->running)
		return;
	pthread_mutex_lock(&t->mtx);
	t->stop = 1;
	pthread_cond_signal(&t->cond);
	pthread_cond_signal(&t->rcond);
	pthread_mutex_unlock(&t->mtx);
	pthread_join(t->thr, NULL);
	t->running = 0;
	if (t->rrunning)
		pthread_join(t->rthr, NULL);
	t->rrunning = 0;
}

void
textindex_free(struct textindex *t)
{
	struct ixbatch *b, *next;
	int	 i;

	if (t == NULL)
		return;
	textindex_stop(t);
	for (b = t->head; b != NULL; b = next) {
		next = b->next;
		ixbatch_free(b);
	}
	for (i = 0; i < IX_OPEN; i++)
		if (t->dbs[i].day != -1)
			ixdb_close(&t->dbs[i]);
	pthread_mutex_destroy(&t->mtx);
	pthread_cond_destroy(&t->cond);
	pthread_cond_destroy(&t->done_cond);
	pthread_cond_destroy(&t->rcond);
	free(t->dmg);
	free(t->datadir);
	free(t);
}
