/*
 * The indexing thread keeps up to IX_OPEN index files open, takes every
 * batch queued since its last pass (lingering for more, see linger()) and
 * inserts each day's rows with one INSERT ... SELECT from a ward_batch
 * virtual table (hub/batchtab.h: FTS5 writes a segment per statement),
 * moving the file's 'indexed' mark in the same transaction.  The files
 * are WAL, synchronous=NORMAL and checkpointed by SQLite on this thread:
 * a lost tail is re-indexed from the documents at the next start, so
 * nothing here is fsynced on its own.
 * A day whose index cannot be written is left alone until the next start
 * (its mark stays where its rows stop, so the catch-up fills the gap).
 */
#include <dirent.h>
#include <errno.h>
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
#include "deadline.h"
#include "jsonfast.h"
#include "log.h"
#include "query.h"
#include "schema.h"
#include "store.h"
#include "textindex.h"

#define IX_OPEN		3	/* index files kept open */
#define IX_BROKEN_MAX	16	/* days left alone after a failure */
#define CATCHUP_ROWS	20000	/* rows a catch-up transaction indexes */
#define IX_BATCH_ROWS	16384	/* rows worth a transaction at once */
#define IX_LINGER_MS	200	/* the longest a smaller batch waits */

struct ixdb {
	int64_t		 day;		/* -1: slot unused */
	sqlite3		*db;
	sqlite3_stmt	*ins, *mark;
	struct batchtab	 bt;
	struct row	*stage;		/* the staged rows as batchtab reads
					   them, until the commit */
	uint64_t	 used;
};

struct textindex {
	char		*datadir;
	struct ixdb	 dbs[IX_OPEN];
	uint64_t	 tick;
	int64_t		 broken[IX_BROKEN_MAX];
	int		 nbroken;
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
	struct metrics	*m;		/* index_queued: bytes of text */
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

int
textindex_beside(const char *partition, char *out, size_t outlen)
{
	size_t	 len = strlen(partition);

	if (len < 3 || strcmp(partition + len - 3, ".db") != 0 ||
	    len + 2 > outlen)
		return -1;
	memcpy(out, partition, len - 3);
	memcpy(out + len - 3, ".fts", 5);
	return 0;
}

void
textindex_path(const char *datadir, int64_t day, char *out, size_t outlen)
{
	char	 part[4096];

	store_partition_path(datadir, day, part, sizeof part);
	if (textindex_beside(part, out, outlen) == -1 && outlen > 0)
		*out = '\0';
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

/* Open (creating) the index file of day in x.  Returns 0 or -1 with err. */
static int
ixdb_open(const char *datadir, int64_t day, struct ixdb *x, char *err,
    size_t errlen)
{
	char	 path[4096];

	memset(x, 0, sizeof *x);
	x->day = day;
	textindex_path(datadir, day, path, sizeof path);
	if (store_private_file(path, err, errlen) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &x->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%.300s: %s", path,
		    sqlite3_errmsg(x->db));
		goto fail;
	}
	sqlite3_busy_timeout(x->db, 5000);
	if (store_exec(x->db, "PRAGMA page_size=32768; PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192;"
	    SCHEMA_INDEX, err, errlen) == -1)
		goto fail;
	if (batchtab_register(x->db, &x->bt) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, "INSERT INTO fts(rowid, summary, text)"
	    " SELECT id, summary, text FROM ward_batch", -1, &x->ins,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, "UPDATE meta SET value = max(value, ?1)"
	    " WHERE key = 'indexed'", -1, &x->mark, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%.300s: %s", path,
		    sqlite3_errmsg(x->db));
		goto fail;
	}
	return 0;
fail:
	ixdb_close(x);
	return -1;
}

/* Stage every row of the batches of list (through next) in x->bt.
   Returns the highest id, or -1 (out of memory). */
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
		for (i = 0; i < b->n; i++, k++) {
			struct row *r = &x->stage[k];

			r->summary = b->rows[i].summary;
			r->text = b->rows[i].text;
			r->textlen = b->rows[i].textlen;
			if (batchtab_add(&x->bt, b->rows[i].id,
			    b->arena.data, r) == -1)
				return -1;
			if (b->rows[i].id > top)
				top = b->rows[i].id;
		}
	return top;
}

/* Index the rows staged in x->bt (highest id top) in one transaction.
   Returns 0 or -1 with err; the batch is reset either way. */
static int
ixdb_commit(struct ixdb *x, int64_t top, char *err, size_t errlen)
{
	int	 rc = 0;

	if (store_exec(x->db, "BEGIN IMMEDIATE", err, errlen) == -1) {
		batchtab_reset(&x->bt);
		return -1;
	}
	sqlite3_bind_int64(x->mark, 1, top);
	if (sqlite3_step(x->ins) != SQLITE_DONE ||
	    sqlite3_step(x->mark) != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(x->db));
		rc = -1;
	}
	sqlite3_reset(x->ins);
	sqlite3_reset(x->mark);
	batchtab_reset(&x->bt);
	free(x->stage);
	x->stage = NULL;
	if (rc == 0 && store_exec(x->db, "COMMIT", err, errlen) == 0)
		return 0;
	sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
textindex_create(const char *datadir, int64_t day, char *err, size_t errlen)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	struct ixdb x;
	char	 path[4096], f[4200];
	size_t	 i;

	textindex_path(datadir, day, path, sizeof path);
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(f, sizeof f, "%s%s", path, sfx[i]);
		if (unlink(f) == -1 && errno != ENOENT) {
			snprintf(err, errlen, "%.300s: %s", f,
			    strerror(errno));
			return -1;
		}
	}
	if (ixdb_open(datadir, day, &x, err, errlen) == -1)
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

/* Index the rows of b in one transaction.  Returns 0 or -1 with err. */
static int
index_batch(struct ixdb *x, const struct ixbatch *b, char *err,
    size_t errlen)
{
	int64_t	 top;

	if ((top = ixdb_stage(x, b)) == -1) {
		batchtab_reset(&x->bt);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return ixdb_commit(x, top, err, errlen);
}

/* Index the documents of partition day that its index lacks.  Returns
   0 or -1 with err. */
static int
catch_up(const char *datadir, int64_t day, char *err, size_t errlen)
{
	struct ixbatch *b = NULL;
	struct ixdb x;
	struct buf scratch;
	sqlite3	*db = NULL;
	sqlite3_stmt *st = NULL;
	char	 path[4096];
	int64_t	 hw = 0, done = 0;
	int	 rc = -1, step, version;

	buf_init(&scratch);
	store_partition_path(datadir, day, path, sizeof path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "SELECT user_version FROM"
	    " pragma_user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
		return -1;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version < 3) {	/* its index is inside it */
		sqlite3_close(db);
		return 0;
	}
	if (ixdb_open(datadir, day, &x, err, errlen) == -1) {
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(x.db, "SELECT value FROM meta WHERE key ="
	    " 'indexed'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "index of %.300s: %s", path,
		    sqlite3_errmsg(x.db));
		goto out;
	}
	hw = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT id, summary, doc FROM docs WHERE"
	    " id > ?1 ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, hw);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((b == NULL && (b = ixbatch_new(day)) == NULL) ||
		    add_doc(b, &scratch, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) == -1)
			goto nomem;
		if (b->n == CATCHUP_ROWS) {
			if (index_batch(&x, b, err, errlen) == -1)
				goto out;
			done += (int64_t)b->n;
			ixbatch_free(b);
			b = NULL;
		}
	}
	if (step != SQLITE_DONE) {
		snprintf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	if (b != NULL) {
		if (index_batch(&x, b, err, errlen) == -1)
			goto out;
		done += (int64_t)b->n;
	}
	if (done > 0)
		log_info("index: %s: %" PRId64 " events indexed that its "
		    "index lacked", path, done);
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	buf_release(&scratch);
	ixbatch_free(b);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ixdb_close(&x);
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
	int64_t	 day;
	int	 i;

	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->datadir = strdup(datadir)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(t);
		return NULL;
	}
	for (i = 0; i < IX_OPEN; i++)
		t->dbs[i].day = -1;
	t->m = m;
	pthread_mutex_init(&t->mtx, NULL);
	pthread_cond_init(&t->cond, NULL);
	pthread_cond_init(&t->done_cond, NULL);
	t->tail = &t->head;
	snprintf(dir, sizeof dir, "%s/events", datadir);
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		textindex_free(t);
		return NULL;
	}
	/* A partition that cannot be read is the store's to report; its
	   words stay unsearchable until it can. */
	while ((de = readdir(d)) != NULL)
		if ((day = store_partition_day(de->d_name)) >= 0 &&
		    catch_up(datadir, day, err, errlen) == -1)
			log_warn("index: %s; that day's events are not indexed",
			    err);
	closedir(d);
	return t;
}

static int
is_broken(struct textindex *t, int64_t day)
{
	int	 i;

	for (i = 0; i < t->nbroken; i++)
		if (t->broken[i] == day)
			return 1;
	return 0;
}

/* The open index of day, opening it in the least recently used slot;
   NULL if it cannot be written (logged, and the day left alone). */
static struct ixdb *
ixdb_get(struct textindex *t, int64_t day)
{
	struct ixdb *x, *lru = &t->dbs[0];
	char	 err[512];
	int	 i;

	if (is_broken(t, day))
		return NULL;
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
	if (ixdb_open(t->datadir, day, lru, err, sizeof err) == -1) {
		log_err("index: %s; its events are indexed at the next start",
		    err);
		if (t->nbroken < IX_BROKEN_MAX)
			t->broken[t->nbroken++] = day;
		return NULL;
	}
	lru->used = ++t->tick;
	return lru;
}

/* Index every batch of list of the same day as its first, in one
   transaction; they are taken off the list.  Returns the rest. */
static struct ixbatch *
index_day(struct textindex *t, struct ixbatch *list, uint64_t *nb)
{
	struct ixbatch *b, *rest = NULL, **rt = &rest, *mine = NULL,
		       **mt = &mine, *next;
	int64_t	 day = list->day;
	struct ixdb *x;
	char	 err[512];

	for (b = list; b != NULL; b = next) {
		next = b->next;
		b->next = NULL;
		if (b->day == day) {
			*mt = b;
			mt = &b->next;
		} else {
			*rt = b;
			rt = &b->next;
		}
	}
	/* ixdb_get() has said why it cannot open the day's index. */
	if ((x = ixdb_get(t, day)) != NULL &&
	    index_batch(x, mine, err, sizeof err) == -1) {
		log_err("index: day %" PRId64 ": %s; its events are indexed "
		    "at the next start", day, err);
		ixdb_close(x);
		if (t->nbroken < IX_BROKEN_MAX)
			t->broken[t->nbroken++] = day;
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
		while (t->head == NULL && !t->stop)
			pthread_cond_wait(&t->cond, &t->mtx);
		if (t->head == NULL)
			break;
		linger(t);
		list = t->head;
		t->head = NULL;
		t->tail = &t->head;
		t->queued_rows = 0;
		pthread_mutex_unlock(&t->mtx);
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

int
textindex_start(struct textindex *t)
{
	if (pthread_create(&t->thr, NULL, index_main, t) != 0)
		return -1;
	t->running = 1;
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
	pthread_mutex_unlock(&t->mtx);
	pthread_join(t->thr, NULL);
	t->running = 0;
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
	free(t->datadir);
	free(t);
}
