/*
 * The writer takes every job queued since its last commit (group commit),
 * inserts their rows into the partition of their arrival day, updates the
 * partition's meta row, and commits each partition it touched.  The commit
 * writes the WAL (synchronous=NORMAL: SQLite itself does not fsync it) and
 * the writer hands the batch to the syncer thread and goes on with the
 * next one; the syncer fdatasyncs the WAL files the batches wrote — one
 * sync for every batch committed before it started — and only then hands
 * the jobs back for acknowledgement.  So inserting and syncing overlap,
 * and nothing is acknowledged before it is on disk.  A partition is
 * created with synchronous=FULL (its schema and the WAL's first frames are
 * synced by SQLite), and one whose WAL cannot be opened for syncing stays
 * FULL.  Checkpoints run on a separate thread and connection (PASSIVE, so
 * they never block the writer; SQLite syncs the WAL before it copies it
 * back).  Readers that never pause keep the WAL from starting over; past
 * its bound (store_wal_max(), wardd --wal-max) the checkpointer closes the
 * day's gate to new searches, waits for those inside to leave, and
 * truncates the partition's and its index's WALs (hub/ingest/walgate.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "batchtab.h"
#include "datafile.h"
#include "errf.h"
#include "log.h"
#include "monotime.h"
#include "partition.h"
#include "schema.h"
#include "store.h"
#include "textindex.h"
#include "timeparse.h"
#include "walgate.h"

#define STORE_OPEN_PARTS	3	/* partitions kept open by the writer */
#define WAL_PASSIVE_BYTES	(64 << 20)	/* ask the checkpointer */
#define RESTART_WAIT_MS		100		/* for the writer, at most */
#define TRUNCATE_TRIES		5	/* of RESTART_WAIT_MS each */

struct part {
	int64_t		 day;		/* -1: slot unused */
	sqlite3		*db;
	sqlite3_stmt	*ins, *docs, *fts;	/* of ward_batch; docs NULL
						   in layout 0, fts NULL in 3 */
	sqlite3_stmt	*meta;
	struct batchtab	 bt;		/* rows of the open transaction */
	struct ixbatch	*ix;		/* the same rows for the text index
					   (layout 3); NULL until one */
	int64_t		 next_seq;
	int64_t		 min_utc, max_utc;
	int64_t		 added;		/* rows in the open transaction */
	int		 in_txn;
	int		 walfd;		/* the WAL, for the syncer; -1: FULL */
	int		 wal_pages;	/* from the WAL hook */
	int		 page_size;
	uint64_t	 used;		/* LRU tick */
};

/* Jobs committed together, waiting for the syncer. */
struct batch {
	struct job	*jobs;		/* through next */
	int		 fds[STORE_OPEN_PARTS];	/* WALs to sync, -1 none */
	struct ixbatch	*ix;		/* committed rows to index */
	int64_t		 t0, rows;
	struct batch	*next;
};

struct store {
	char		*datadir;
	struct metrics	*m;
	struct textindex *ix;
	struct jobq	 q;
	struct part	 parts[STORE_OPEN_PARTS];
	uint64_t	 tick;
	store_done_fn	 done;
	void		*done_arg;
	uint64_t	 failures;	/* commits failed since the last that
					   worked (writer) */
	char		 fail_why[512];	/* the last failure, logged */
	pthread_t	 writer, ckpt, syncer;
	int		 running;

	pthread_mutex_t	 sy_mtx;	/* writer -> syncer */
	pthread_cond_t	 sy_cond;	/* a batch queued, or stop */
	pthread_cond_t	 sy_idle;	/* the syncer has nothing left */
	struct batch	*sy_head, **sy_tail;
	int		 sy_busy, sy_stop;

	pthread_mutex_t	 ck_mtx;	/* checkpointer hand-off */
	pthread_cond_t	 ck_cond;
	int64_t		 ck_day;	/* day to checkpoint, -1 none */
	int		 ck_restart;	/* the WAL is past wal_max */
	atomic_llong	 wal_max;	/* bytes; 0: no bound */
	int		 ck_stop;
	atomic_int	 ck_abort;	/* stopping: a wal_bound() waiting
					   gives up */
};

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct part *p = arg;

	p->wal_pages = pages;
	return SQLITE_OK;
}

static void
part_close(struct part *p)
{
	sqlite3_finalize(p->ins);
	sqlite3_finalize(p->docs);
	sqlite3_finalize(p->fts);
	sqlite3_finalize(p->meta);
	sqlite3_close(p->db);
	batchtab_release(&p->bt);
	ixbatch_free(p->ix);
	if (p->walfd != -1)
		close(p->walfd);
	memset(p, 0, sizeof *p);
	p->day = -1;
	p->walfd = -1;
}

/* The layout of db's partition of day (hub/schema.h), creating the
   current one, and its index file, in a new file.  Returns the version,
   or -1 with err. */
static int
layout(struct store *s, sqlite3 *db, int64_t day, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char	 set[64];
	int	 version = -1;

	if (partition_exec(db, "BEGIN IMMEDIATE", err, errlen) == -1)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT user_version, (SELECT count(*)"
	    " FROM sqlite_schema WHERE name = 'events') FROM"
	    " pragma_user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		errf(err, errlen, "%s", sqlite3_errmsg(db));
	else if (sqlite3_column_int(st, 0) != 0 ||
	    sqlite3_column_int(st, 1) != 0)
		version = sqlite3_column_int(st, 0);
	else {
		snprintf(set, sizeof set, "PRAGMA user_version=%d;",
		    SCHEMA_PARTITION_VERSION);
		if (textindex_create(s->datadir, day, err, errlen) == 0 &&
		    partition_exec(db, SCHEMA_PARTITION, err, errlen) == 0 &&
		    partition_exec(db, set, err, errlen) == 0)
			version = SCHEMA_PARTITION_VERSION;
	}
	sqlite3_finalize(st);
	if (version == -1)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	else if (partition_exec(db, "COMMIT", err, errlen) == -1)
		version = -1;
	return version;
}

/* Open (creating) the partition for day in slot p.  Returns 0 or -1. */
static int
part_open(struct store *s, struct part *p, int64_t day, char *err,
    size_t errlen)
{
	char	 path[4096];
	sqlite3_stmt *st = NULL;
	int	 version;

	memset(p, 0, sizeof *p);
	p->day = day;
	p->walfd = -1;
	partition_path(s->datadir, day, path, sizeof path);
	if (datafile_private(path, err, errlen) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		errf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(p->db));
		goto fail;
	}
	sqlite3_busy_timeout(p->db, 5000);
	/* 32 KiB pages: a quarter of the writes (syscalls and page
	   headers) of 4 KiB ones for the same rows (tests/bench/bench_store).
	   A new file only: an existing one keeps its page size. */
	if (partition_exec(p->db, "PRAGMA page_size=32768; PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;"
	    "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;", err,
	    errlen) == -1 ||
	    (version = layout(s, p->db, day, err, errlen)) == -1)
		goto fail;
	if (version > SCHEMA_PARTITION_VERSION) {
		errf(err, errlen, "%.300s: layout %d is newer than this "
		    "wardd's (%d)", path, version, SCHEMA_PARTITION_VERSION);
		goto fail;
	}
	if (batchtab_register(p->db, &p->bt) != SQLITE_OK)
		goto sqlfail;
	if (version >= 2) {
		/* layout 4 adds utcs, the utc second of the time index */
		if (sqlite3_prepare_v2(p->db, version >= 4 ?
		    "INSERT INTO events(id, utc, received, severity, category,"
		    " hostname, processname, source"
		    SCHEMA_FACETS(SCHEMA_FACET_NAME) ", utcs)"
		    " SELECT id, utc, received, severity, category, hostname,"
		    " processname, source" SCHEMA_FACETS(SCHEMA_FACET_NAME) ", "
		    SCHEMA_UTC_SECOND("utc") " FROM ward_batch" :
		    "INSERT INTO events(id, utc, received, severity, category,"
		    " hostname, processname, source"
		    SCHEMA_FACETS(SCHEMA_FACET_NAME) ")"
		    " SELECT id, utc, received, severity, category, hostname,"
		    " processname, source" SCHEMA_FACETS(SCHEMA_FACET_NAME)
		    " FROM ward_batch", -1, &p->ins, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(p->db, "INSERT INTO docs(id, summary,"
		    " doc) SELECT id, summary, doc FROM ward_batch", -1,
		    &p->docs, NULL) != SQLITE_OK)
			goto sqlfail;
	} else if (sqlite3_prepare_v2(p->db, "INSERT INTO events(id, utc,"
	    " received, severity, category, hostname, processname, source,"
	    " summary, doc) SELECT id, utc, received, severity, category,"
	    " hostname, processname, source, summary, doc FROM ward_batch",
	    -1, &p->ins, NULL) != SQLITE_OK)
		goto sqlfail;	/* layout 0: the document in events */
	/* Before layout 3 the index is inside the partition. */
	if ((version < 3 && sqlite3_prepare_v2(p->db, "INSERT INTO fts(rowid,"
	    " summary, text) SELECT id, summary, text FROM ward_batch", -1,
	    &p->fts, NULL) != SQLITE_OK) ||
	    sqlite3_prepare_v2(p->db, "INSERT OR REPLACE INTO meta VALUES"
	    " ('count', (SELECT value FROM meta WHERE key = 'count') + ?1),"
	    " ('min_utc', min(?2, coalesce((SELECT value FROM meta WHERE"
	    " key = 'min_utc'), ?2))),"
	    " ('max_utc', max(?3, coalesce((SELECT value FROM meta WHERE"
	    " key = 'max_utc'), ?3)))", -1, &p->meta, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db, "SELECT max(id) FROM events", -1, &st,
	    NULL) != SQLITE_OK)
		goto sqlfail;
	p->next_seq = 0;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		p->next_seq = (sqlite3_column_int64(st, 0) &
		    ((INT64_C(1) << PARTITION_ID_SHIFT) - 1)) + 1;
	sqlite3_finalize(st);
	st = NULL;
	p->page_size = 4096;
	if (sqlite3_prepare_v2(p->db, "PRAGMA page_size", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		p->page_size = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	sqlite3_wal_hook(p->db, wal_hook, p);
	/* The schema is committed, so the WAL exists: from here on the
	   syncer makes commits durable. */
	if (strlen(path) + 5 <= sizeof path) {
		strcat(path, "-wal");
		if ((p->walfd = open(path, O_RDWR | O_CLOEXEC)) == -1)
			log_warn("%s: %s; commits stay synchronous=FULL",
			    path, strerror(errno));
		else if (partition_exec(p->db, "PRAGMA synchronous=NORMAL", err,
		    errlen) == -1)
			goto fail;
	}
	return 0;
sqlfail:
	errf(err, errlen, "%.300s: %s", path, sqlite3_errmsg(p->db));
fail:
	sqlite3_finalize(st);
	part_close(p);
	return -1;
}

/* Wait until every batch handed to the syncer has been synced and
   answered. */
static void
sync_drain(struct store *s)
{
	pthread_mutex_lock(&s->sy_mtx);
	while (s->sy_head != NULL || s->sy_busy)
		pthread_cond_wait(&s->sy_idle, &s->sy_mtx);
	pthread_mutex_unlock(&s->sy_mtx);
}

/* Hand jobs back, stored or not, in order. */
static void
hand_back(struct store *s, struct job *list)
{
	struct job *j, *next;

	for (j = list; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		s->done(s->done_arg, j);
	}
}

/* Mark every job of list failed with err: nothing of it is stored (or
   durable). */
static void
fail_jobs(struct job *list, const char *err)
{
	struct job *j;

	for (j = list; j != NULL; j = j->next) {
		if (j->status != 0)
			continue;
		j->status = 503;
		snprintf(j->err, sizeof j->err, "store: %s", err);
		for (size_t k = 0; k < j->split.n; k++)
			j->ids[k] = -1;
	}
}

/* Hand each batch of list to the text index. */
static void
index_all(struct store *s, struct ixbatch *list)
{
	struct ixbatch *b, *next;

	for (b = list; b != NULL; b = next) {
		next = b->next;
		textindex_submit(s->ix, b);
	}
}

/*
 * The syncer: takes every committed batch, fdatasyncs each WAL they wrote
 * once (a sync covers every commit that returned before it), then counts
 * and hands back their jobs.
 */
static void *
syncer_main(void *arg)
{
	struct store *s = arg;
	struct batch *list, *b, *next;
	int	 fds[64], nfd, i, k, bad;
	char	 err[128];

	pthread_setname_np(pthread_self(), "ward-sync");
	pthread_mutex_lock(&s->sy_mtx);
	for (;;) {
		while (s->sy_head == NULL && !s->sy_stop)
			pthread_cond_wait(&s->sy_cond, &s->sy_mtx);
		if (s->sy_head == NULL)
			break;
		list = s->sy_head;
		s->sy_head = NULL;
		s->sy_tail = &s->sy_head;
		s->sy_busy = 1;
		pthread_mutex_unlock(&s->sy_mtx);

		nfd = 0;
		for (b = list; b != NULL; b = b->next)
			for (i = 0; i < STORE_OPEN_PARTS; i++) {
				if (b->fds[i] == -1)
					continue;
				for (k = 0; k < nfd && fds[k] != b->fds[i]; k++)
					;
				if (k == nfd && nfd < (int)(sizeof fds /
				    sizeof fds[0]))
					fds[nfd++] = b->fds[i];
			}
		bad = 0;
		for (k = 0; k < nfd; k++)
			if (fdatasync(fds[k]) == -1 && !bad) {
				bad = errno;
				errf(err, sizeof err, "fdatasync: %s",
				    strerror(errno));
				log_err("store: %s", err);
			}
		for (b = list; b != NULL; b = next) {
			next = b->next;
			/* Committed, so indexed (even if the sync failed),
			   and queued before the jobs are answered: a search
			   after the answer waits for it (textindex_wait). */
			index_all(s, b->ix);
			if (bad)
				fail_jobs(b->jobs, err);
			else if (b->rows > 0) {
				metrics_commit_latency(s->m, (uint64_t)
				    (monotime_ns() - b->t0) / 1000);
				atomic_fetch_add(&s->m->events_stored,
				    (uint64_t)b->rows);
				atomic_fetch_add(&s->m->store_events,
				    (uint64_t)b->rows);
			}
			hand_back(s, b->jobs);
			free(b);
		}
		pthread_mutex_lock(&s->sy_mtx);
		s->sy_busy = 0;
		if (s->sy_head == NULL)
			pthread_cond_broadcast(&s->sy_idle);
	}
	s->sy_busy = 0;
	pthread_cond_broadcast(&s->sy_idle);
	pthread_mutex_unlock(&s->sy_mtx);
	return NULL;
}

/* Queue a committed batch for the syncer.  Returns 0, or -1 (memory:
   the caller answers the jobs and indexes ix). */
static int
sync_submit(struct store *s, struct job *list, const int *fds,
    struct ixbatch *ix, int64_t t0, int64_t rows)
{
	struct batch *b;

	if ((b = calloc(1, sizeof *b)) == NULL)
		return -1;
	b->jobs = list;
	b->ix = ix;
	memcpy(b->fds, fds, sizeof b->fds);
	b->t0 = t0;
	b->rows = rows;
	pthread_mutex_lock(&s->sy_mtx);
	*s->sy_tail = b;
	s->sy_tail = &b->next;
	pthread_cond_signal(&s->sy_cond);
	pthread_mutex_unlock(&s->sy_mtx);
	return 0;
}

/* The writer's open partition for day, opening it (and closing the least
   recently used one) if needed.  NULL with err on failure. */
static struct part *
part_get(struct store *s, int64_t day, char *err, size_t errlen)
{
	struct part *p, *lru = NULL;
	int	 i;

	for (i = 0; i < STORE_OPEN_PARTS; i++) {
		p = &s->parts[i];
		if (p->day == day) {
			p->used = ++s->tick;
			return p;
		}
		if (p->in_txn)
			continue;
		if (lru == NULL || p->day == -1 || (lru->day != -1 &&
		    p->used < lru->used))
			lru = p;
	}
	if (lru == NULL) {
		errf(err, errlen, "too many partitions in one commit");
		return NULL;
	}
	if (lru->day != -1) {
		/* The syncer may still hold its WAL. */
		sync_drain(s);
		part_close(lru);
	}
	if (part_open(s, lru, day, err, errlen) == -1)
		return NULL;
	lru->used = ++s->tick;
	return lru;
}

/* Stage every row of j in its partition's batch, giving it its id; the
   rows are inserted when the batch is committed (finish_all).  Returns 0
   or -1 with err. */
static int
insert_job(struct store *s, struct job *j, char *err, size_t errlen)
{
	int64_t	 day = j->received_us / 86400000000LL;
	struct part *p;
	size_t	 i;

	if (j->nrows == 0)
		return 0;
	if ((p = part_get(s, day, err, errlen)) == NULL)
		return -1;
	if (!p->in_txn) {
		if (partition_exec(p->db, "BEGIN IMMEDIATE", err, errlen) == -1)
			return -1;
		p->in_txn = 1;
		p->added = 0;
		p->min_utc = INT64_MAX;
		p->max_utc = INT64_MIN;
	}
	for (i = 0; i < j->nrows; i++) {
		const struct row *r = &j->rows[i];
		int64_t	 id = (day << PARTITION_ID_SHIFT) | p->next_seq;

		if (batchtab_add(&p->bt, id, j->arena.data, r) == -1 ||
		    (p->fts == NULL && ((p->ix == NULL && (p->ix =
		    ixbatch_new(day)) == NULL) ||
		    ixbatch_add(p->ix, id, j->arena.data, r) == -1)))
			return errf(err, errlen, "out of memory");
		p->next_seq++;
		p->added++;
		if (r->utc < p->min_utc)
			p->min_utc = r->utc;
		if (r->utc > p->max_utc)
			p->max_utc = r->utc;
		j->ids[r->item] = id;
	}
	return 0;
}

/* Insert the staged rows of p, one statement a table (the caller resets
   the batch).  Returns 0 or -1 with err. */
static int
insert_staged(struct part *p, char *err, size_t errlen)
{
	int	 rc = 0;

	if (p->bt.n == 0)
		return 0;
	if (sqlite3_step(p->ins) != SQLITE_DONE || (p->docs != NULL &&
	    sqlite3_step(p->docs) != SQLITE_DONE) || (p->fts != NULL &&
	    sqlite3_step(p->fts) != SQLITE_DONE)) {
		errf(err, errlen, "insert: %s", sqlite3_errmsg(p->db));
		rc = -1;
	}
	sqlite3_reset(p->ins);
	if (p->docs != NULL)
		sqlite3_reset(p->docs);
	if (p->fts != NULL)
		sqlite3_reset(p->fts);
	return rc;
}

/* Commit (or roll back) every partition with an open transaction; fds[i]
   gets the WAL the syncer must sync for slot i, or -1, and *ix the rows
   committed for the text index.  Returns 0 or -1 with err; after -1
   every transaction is rolled back. */
static int
finish_all(struct store *s, int ok, int *fds, struct ixbatch **ix,
    char *err, size_t errlen)
{
	struct part *p;
	int	 i, rc = ok ? 0 : -1;

	for (i = 0; i < STORE_OPEN_PARTS; i++) {
		p = &s->parts[i];
		fds[i] = -1;
		if (!p->in_txn)
			continue;
		if (rc == 0 && insert_staged(p, err, errlen) == -1)
			rc = -1;
		batchtab_reset(&p->bt);
		if (rc == 0) {
			sqlite3_bind_int64(p->meta, 1, p->added);
			sqlite3_bind_int64(p->meta, 2, p->min_utc);
			sqlite3_bind_int64(p->meta, 3, p->max_utc);
			if (sqlite3_step(p->meta) != SQLITE_DONE ||
			    partition_exec(p->db, "COMMIT", err, errlen) == -1) {
				if (*err == '\0')
					errf(err, errlen, "meta: %s",
					    sqlite3_errmsg(p->db));
				rc = -1;
			}
			sqlite3_reset(p->meta);
		}
		if (rc == -1) {
			char	 e2[64];

			ixbatch_free(p->ix);
			p->ix = NULL;
			partition_exec(p->db, "ROLLBACK", e2, sizeof e2);
			/* Sequences may have advanced; reread on reopen. */
			part_close(p);
			continue;
		}
		p->in_txn = 0;
		fds[i] = p->walfd;
		if (p->ix != NULL) {
			p->ix->next = *ix;
			*ix = p->ix;
			p->ix = NULL;
		}
	}
	return rc;
}

static void
ask_checkpoint(struct store *s, struct part *p)
{
	int64_t	 wal = (int64_t)p->wal_pages * p->page_size;
	int64_t	 max = atomic_load(&s->wal_max);

	if (wal < WAL_PASSIVE_BYTES && (max == 0 || wal < max))
		return;
	pthread_mutex_lock(&s->ck_mtx);
	s->ck_day = p->day;
	s->ck_restart = max > 0 && wal >= max;
	pthread_cond_signal(&s->ck_cond);
	pthread_mutex_unlock(&s->ck_mtx);
}

/*
 * A commit failed with err: /healthz says so from the first failure on
 * (m->store_failing_us), and the log once for each new reason, not once
 * a request (a full disk refuses every one).
 */
static void
commit_failed(struct store *s, const char *err)
{
	s->failures++;
	if (atomic_load(&s->m->store_failing_us) == 0)
		atomic_store(&s->m->store_failing_us, (uint64_t)time_now_us());
	if (strcmp(s->fail_why, err) == 0)
		return;
	snprintf(s->fail_why, sizeof s->fail_why, "%s", err);
	log_err("store: commit failed: %s; ingest requests are answered 503 "
	    "until commits work again", err);
}

/* A commit worked: the store is no longer failing. */
static void
commit_worked(struct store *s)
{
	uint64_t since = atomic_load(&s->m->store_failing_us);

	if (since == 0)
		return;
	log_info("store: commits work again after %" PRId64 " s; %" PRIu64
	    " commits failed meanwhile", (time_now_us() - (int64_t)since) /
	    1000000, s->failures);
	atomic_store(&s->m->store_failing_us, 0);
	s->failures = 0;
	s->fail_why[0] = '\0';
}

static void *
writer_main(void *arg)
{
	struct store *s = arg;
	struct job *list, *j;
	struct ixbatch *ix;
	char	 err[512];
	size_t	 n;
	int	 fds[STORE_OPEN_PARTS], i, ok;

	pthread_setname_np(pthread_self(), "ward-store");
	while ((list = jobq_take_all(&s->q, &n)) != NULL) {
		int64_t	 t0 = monotime_ns(), rows = 0;

		err[0] = '\0';
		ix = NULL;
		ok = 1;
		for (j = list; j != NULL && ok; j = j->next) {
			if (j->status != 0)
				continue;
			if (insert_job(s, j, err, sizeof err) == -1)
				ok = 0;
			rows += (int64_t)j->nrows;
		}
		if (finish_all(s, ok, fds, &ix, err, sizeof err) == -1) {
			commit_failed(s, err);
			index_all(s, ix);	/* of partitions committed */
			fail_jobs(list, err);
			hand_back(s, list);
		} else {
			if (rows > 0)
				commit_worked(s);
			if (sync_submit(s, list, fds, ix, t0, rows) == -1) {
				/* Committed but not known durable: say so. */
				log_err("store: out of memory queueing a sync");
				index_all(s, ix);
				fail_jobs(list, "out of memory");
				hand_back(s, list);
			}
		}
		for (i = 0; i < STORE_OPEN_PARTS; i++)
			if (s->parts[i].day != -1)
				ask_checkpoint(s, &s->parts[i]);
	}
	sync_drain(s);
	return NULL;
}

/* A connection to the index file path for its checkpoints, or NULL (no
   index file: layout before 3). */
static sqlite3 *
ix_open(const char *path)
{
	sqlite3	*db = NULL;

	if (path[0] == '\0' || sqlite3_open_v2(path, &db,
	    SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, RESTART_WAIT_MS);
	return db;
}

/* Copy db's WAL back and truncate it.  With no reader left, what it waits
   for is the writer's transaction: RESTART_WAIT_MS a try.  Returns
   SQLite's last code. */
static int
wal_truncate(sqlite3 *db)
{
	int	 rc = SQLITE_BUSY, tries;

	/* What the copy before the gate closed left, without holding the
	   writer up; then the rest, holding it. */
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
	for (tries = 0; tries < TRUNCATE_TRIES; tries++)
		if ((rc = sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL)) != SQLITE_BUSY)
			break;
	return rc;
}

/*
 * day's WAL is past its bound: searches holding read transactions kept it
 * from starting over.  Close the day's gate (hub/ingest/walgate.h): new
 * searches of the day wait while those inside finish; then truncate the
 * partition's WAL and its text index's, and open the gate.  Returns 0,
 * or -1 when the WAL is still there (a reader the gate does not hold: the
 * index catching up, another process).
 */
static int
wal_bound(struct store *s, sqlite3 *db, int64_t day, const char *path)
{
	sqlite3	*ixdb;
	char	 ix[4096];
	int64_t	 t0, t1, t2;
	int	 rc, rcx = SQLITE_OK;

	partition_index_path(s->datadir, day, ix, sizeof ix);
	ixdb = ix_open(ix);
	/* Copy back what the searches inside do not need first: the gate
	   stays closed only for the rest (64 MB copied with it closed
	   took 1.2 s, tests/bench/wal.sh). */
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
	if (ixdb != NULL)
		sqlite3_wal_checkpoint_v2(ixdb, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	t0 = monotime_ns();
	if (walgate_close(day, WALGATE_WAIT_MS, &s->ck_abort) == -1) {
		log_warn("checkpoint: %s: searches held its WAL past its bound "
		    "for %d s; trying again", path, WALGATE_WAIT_MS / 1000);
		sqlite3_close(ixdb);
		return -1;
	}
	t1 = monotime_ns();
	rc = wal_truncate(db);
	if (ixdb != NULL)
		rcx = wal_truncate(ixdb);
	walgate_open(day);
	t2 = monotime_ns();
	sqlite3_close(ixdb);
	if (rc != SQLITE_OK) {
		log_debug("checkpoint: %s: cannot truncate its WAL: %s", path,
		    sqlite3_errstr(rc));
		return -1;
	}
	log_debug("checkpoint: %s: WAL truncated (index: %s): searches "
	    "inside took %" PRId64 " ms to leave, the truncation %" PRId64
	    " ms", path, sqlite3_errstr(rcx), (t1 - t0) / 1000000,
	    (t2 - t1) / 1000000);
	return 0;
}

/* Runs PASSIVE checkpoints on its own connection, so that copying the WAL
   back into the database never holds up a commit; bounds the WAL
   (wal_bound()). */
static void *
ckpt_main(void *arg)
{
	struct store *s = arg;
	sqlite3	*db = NULL;
	int64_t	 open_day = -1, day, next_bound = 0;
	char	 path[4096];
	int	 bound;

	pthread_setname_np(pthread_self(), "ward-ckpt");
	pthread_mutex_lock(&s->ck_mtx);
	for (;;) {
		while (s->ck_day == -1 && !s->ck_stop)
			pthread_cond_wait(&s->ck_cond, &s->ck_mtx);
		if (s->ck_stop)
			break;
		day = s->ck_day;
		s->ck_day = -1;
		/* Not again within a second, nor within 10 s of a failure
		   (each try may hold the writer up RESTART_WAIT_MS times
		   TRUNCATE_TRIES). */
		bound = s->ck_restart && monotime_ns() >= next_bound;
		pthread_mutex_unlock(&s->ck_mtx);
		if (day != open_day) {
			sqlite3_close(db);
			db = NULL;
			partition_path(s->datadir, day, path,
			    sizeof path);
			if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
			    NULL) != SQLITE_OK) {
				log_warn("checkpoint: %s: %s", path,
				    sqlite3_errmsg(db));
				sqlite3_close(db);
				db = NULL;
			}
			/* A connection learns the file is in WAL mode on its
			   first read; until then a checkpoint is a no-op. */
			if (db != NULL && sqlite3_exec(db, "PRAGMA "
			    "schema_version", NULL, NULL, NULL) != SQLITE_OK) {
				log_warn("checkpoint: %s: %s", path,
				    sqlite3_errmsg(db));
				sqlite3_close(db);
				db = NULL;
			}
			open_day = db ? day : -1;
			if (db != NULL)
				sqlite3_busy_timeout(db, RESTART_WAIT_MS);
		}
		if (db != NULL && bound)
			next_bound = monotime_ns() + (wal_bound(s, db, day,
			    path) == 0 ? INT64_C(1000000000) :
			    INT64_C(10000000000));
		else if (db != NULL && sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) != SQLITE_OK)
			log_warn("checkpoint: %s", sqlite3_errmsg(db));
		pthread_mutex_lock(&s->ck_mtx);
	}
	pthread_mutex_unlock(&s->ck_mtx);
	sqlite3_close(db);
	return NULL;
}

/* Sum the meta counts of every partition on disk. */
static int
count_existing(struct store *s, char *err, size_t errlen)
{
	char	 dir[4096], path[4400];
	struct dirent *de;
	DIR	*d;
	uint64_t total = 0;

	snprintf(dir, sizeof dir, "%s/events", s->datadir);
	if ((d = opendir(dir)) == NULL)
		return errf(err, errlen, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		sqlite3	*db = NULL;
		sqlite3_stmt *st = NULL;

		if (partition_day(de->d_name) == -1)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
		    NULL) == SQLITE_OK && sqlite3_prepare_v2(db,
		    "SELECT value FROM meta WHERE key = 'count'", -1, &st,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			total += (uint64_t)sqlite3_column_int64(st, 0);
		else
			log_warn("%s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	closedir(d);
	atomic_store(&s->m->store_events, total);
	return 0;
}

struct store *
store_open(const char *datadir, struct metrics *m, char *err, size_t errlen)
{
	struct store *s;
	char	 dir[4096];
	int	 i;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < STORE_OPEN_PARTS; i++) {
		s->parts[i].day = -1;
		s->parts[i].walfd = -1;
	}
	s->m = m;
	s->ck_day = -1;
	atomic_init(&s->wal_max, STORE_WAL_MAX_DEFAULT);
	atomic_init(&s->ck_abort, 0);
	pthread_mutex_init(&s->ck_mtx, NULL);
	pthread_cond_init(&s->ck_cond, NULL);
	pthread_mutex_init(&s->sy_mtx, NULL);
	pthread_cond_init(&s->sy_cond, NULL);
	pthread_cond_init(&s->sy_idle, NULL);
	s->sy_tail = &s->sy_head;
	if ((s->datadir = strdup(datadir)) == NULL ||
	    jobq_init(&s->q) == -1) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(dir, sizeof dir, "%s/events", datadir);
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (count_existing(s, err, errlen) == -1 ||
	    (s->ix = textindex_open(datadir, m, err, errlen)) == NULL)
		goto fail;
	return s;
fail:
	store_free(s);
	return NULL;
}

/* Stop the syncer once it has answered everything queued. */
static void
sync_stop(struct store *s)
{
	pthread_mutex_lock(&s->sy_mtx);
	s->sy_stop = 1;
	pthread_cond_signal(&s->sy_cond);
	pthread_mutex_unlock(&s->sy_mtx);
	pthread_join(s->syncer, NULL);
}

int
store_start(struct store *s, store_done_fn done, void *arg)
{
	s->done = done;
	s->done_arg = arg;
	if (textindex_start(s->ix) == -1)
		return -1;
	if (pthread_create(&s->syncer, NULL, syncer_main, s) != 0) {
		textindex_stop(s->ix);
		return -1;
	}
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
		goto stop_syncer;
	if (pthread_create(&s->ckpt, NULL, ckpt_main, s) != 0) {
		jobq_close(&s->q);
		pthread_join(s->writer, NULL);
		goto stop_syncer;
	}
	s->running = 1;
	return 0;
stop_syncer:
	sync_stop(s);
	textindex_stop(s->ix);
	return -1;
}

void
store_submit(struct store *s, struct job *j)
{
	size_t	 i;

	if (j->ids == NULL && (j->ids = calloc(j->split.n + 1,
	    sizeof *j->ids)) == NULL && j->status == 0) {
		j->status = 503;
		snprintf(j->err, sizeof j->err, "out of memory");
	}
	for (i = 0; j->ids != NULL && i < j->split.n; i++)
		j->ids[i] = -1;
	jobq_push(&s->q, j);
}

void
store_stop(struct store *s)
{
	if (!s->running)
		return;
	jobq_close(&s->q);
	pthread_join(s->writer, NULL);
	sync_stop(s);
	atomic_store(&s->ck_abort, 1);
	pthread_mutex_lock(&s->ck_mtx);
	s->ck_stop = 1;
	pthread_cond_signal(&s->ck_cond);
	pthread_mutex_unlock(&s->ck_mtx);
	pthread_join(s->ckpt, NULL);
	textindex_stop(s->ix);
	s->running = 0;
}

void
store_free(struct store *s)
{
	int	 i;

	if (s == NULL)
		return;
	store_stop(s);
	for (i = 0; i < STORE_OPEN_PARTS; i++)
		if (s->parts[i].day != -1) {
			/* A clean close checkpoints and removes the WAL. */
			part_close(&s->parts[i]);
		}
	textindex_free(s->ix);
	if (s->q.mtx != NULL)
		jobq_release(&s->q);
	pthread_mutex_destroy(&s->ck_mtx);
	pthread_cond_destroy(&s->ck_cond);
	pthread_mutex_destroy(&s->sy_mtx);
	pthread_cond_destroy(&s->sy_cond);
	pthread_cond_destroy(&s->sy_idle);
	free(s->datadir);
	free(s);
}

void
store_wal_max(struct store *s, int64_t bytes)
{
	atomic_store(&s->wal_max, bytes > 0 ? bytes : 0);
}

struct textindex *
store_textindex(struct store *s)
{
	return s->ix;
}
