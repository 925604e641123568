/*
 * daypart — the day partitions DATA/events/YYYY-MM-DD.db a search reads:
 * find them, read each one's time range, skip those outside the search's,
 * open the others read-only, each inside one read transaction (a snapshot
 * for all the search reads of it), keep idle connections for the next
 * search, and say which archived days the search's range reaches.
 *
 * Each partition's time range is read from its meta table once and kept
 * in a process-wide cache for partitions of days before yesterday (keyed
 * on the files' identity, size and mtime), so a search opens only the
 * partitions it reads.
 *
 * A partition the writer has created but not laid out yet (an empty file,
 * for the moment its day's first events are being stored) holds no events:
 * it is skipped, and its connection is closed rather than kept, since how
 * a connection is set up for its file's layout lasts as long as it does.
 *
 * A partition whose index file is missing or damaged, or known damaged
 * and not yet replaced (textindex_file_usable() in textindex.h), is read
 * without it: an empty FTS table of the same columns
 * stands in for it, with a mark of 0, so every row is checked on its own
 * document (search.c), and the text index is told to rebuild the file.
 * Such a connection is not kept; a kept one is taken back only while its
 * index file is the one it attached (the rebuild puts another in place).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "archive.h"
#include "deadline.h"
#include "daypart.h"
#include "partition.h"
#include "query.h"
#include "schema.h"
#include "searchrun.h"
#include "searchsql.h"
#include "textindex.h"
#include "timeparse.h"
#include "walgate.h"

#define MAX_PARTS	36500	/* a century of days */
#define BUSY_MS		2000
#define CACHE_MAX	4096	/* partitions whose meta is cached */
#define POOL_MAX	32	/* idle connections kept */
#define MMAP_BYTES	"2147418112"	/* mapped, at most */
#define CACHE_KIB	"-2048"	/* an unmapped one's page cache, KiB */

static int
name_desc(const void *a, const void *b)
{
	return -strcmp(((const struct part *)a)->name,
	    ((const struct part *)b)->name);
}

static int
newest_desc(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	if (x->max_utc != y->max_utc)
		return x->max_utc > y->max_utc ? -1 : 1;
	return -strcmp(x->name, y->name);
}

/*
 * The meta cache: a partition's min_utc, max_utc and count, valid while
 * its file and its WAL keep their identity, size and mtime.  Only
 * partitions of days before yesterday are cached (the writer only writes
 * today's, and yesterday's around midnight), so a write racing a coarse
 * mtime cannot leave a stale entry behind.
 */
struct meta_ent {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size, wsize;
	struct timespec	 mtime, wmtime;
	int		 wal;
	int64_t		 min_utc, max_utc, count;
	int		 have;		/* 0: no time range (empty) */
};

static pthread_mutex_t	 meta_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct meta_ent	 meta_cache[CACHE_MAX];
static size_t		 meta_n;

/* Fill e's file identity for path; returns 0 or -1 (no such file). */
static int
meta_stat(const char *path, struct meta_ent *e)
{
	struct stat sb;
	char	 wal[4096 + 32];

	if (stat(path, &sb) == -1)
		return -1;
	e->dev = sb.st_dev;
	e->ino = sb.st_ino;
	e->size = sb.st_size;
	e->mtime = sb.st_mtim;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	e->wal = stat(wal, &sb) == 0;
	e->wsize = e->wal ? sb.st_size : 0;
	if (e->wal)
		e->wmtime = sb.st_mtim;
	else
		memset(&e->wmtime, 0, sizeof(e->wmtime));
	return 0;
}

static int
meta_same(const struct meta_ent *a, const struct meta_ent *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec && a->wal == b->wal &&
	    a->wsize == b->wsize && a->wmtime.tv_sec == b->wmtime.tv_sec &&
	    a->wmtime.tv_nsec == b->wmtime.tv_nsec;
}

/* Look path up; returns 1 and fills p when a valid entry is there. */
static int
meta_get(const char *path, const struct meta_ent *id, struct part *p,
    int *have)
{
	size_t	 i;
	int	 hit = 0;

	pthread_mutex_lock(&meta_mtx);
	for (i = 0; i < meta_n; i++)
		if (strcmp(meta_cache[i].path, path) == 0) {
			if (meta_same(&meta_cache[i], id)) {
				p->min_utc = meta_cache[i].min_utc;
				p->max_utc = meta_cache[i].max_utc;
				p->count = meta_cache[i].count;
				*have = meta_cache[i].have;
				hit = 1;
			}
			break;
		}
	pthread_mutex_unlock(&meta_mtx);
	return hit;
}

static void
meta_put(const char *path, const struct meta_ent *id, const struct part *p,
    int have)
{
	struct meta_ent *e = NULL;
	size_t	 i;
	char	*dup;

	if ((dup = strdup(path)) == NULL)
		return;
	pthread_mutex_lock(&meta_mtx);
	for (i = 0; i < meta_n; i++)
		if (strcmp(meta_cache[i].path, path) == 0) {
			e = &meta_cache[i];
			free(e->path);
			break;
		}
	if (e == NULL) {
		if (meta_n == CACHE_MAX) {
			/* Full: forget everything, start over. */
			for (i = 0; i < meta_n; i++)
				free(meta_cache[i].path);
			meta_n = 0;
		}
		e = &meta_cache[meta_n++];
	}
	*e = *id;
	e->path = dup;
	e->min_utc = p->min_utc;
	e->max_utc = p->max_utc;
	e->count = p->count;
	e->have = have;
	pthread_mutex_unlock(&meta_mtx);
}

/*
 * The connection pool: read-only connections to partitions, kept idle
 * between searches so that a search neither pays for opening a partition
 * nor starts with a cold page cache.  A connection is used by one search
 * at a time, is idle outside a transaction, and is taken back only for
 * the same file (device and inode), so a partition replaced or deleted
 * (retention, restore) is never read through an old connection; idle
 * connections to files that are gone are closed at the start of each
 * search, so they do not hold deleted files' space for long.
 */
struct pooled {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	dev_t		 ixdev;		/* its index file's (0: none) */
	ino_t		 ixino;
	int		 mapped;	/* see daypart_open() */
	sqlite3		*db;
	uint64_t	 used;		/* LRU tick */
};

static pthread_mutex_t	 pool_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct pooled	 pool[POOL_MAX];
static size_t		 pool_n;
static uint64_t		 pool_tick;

static void
pool_drop(size_t i)
{
	sqlite3_close_v2(pool[i].db);
	free(pool[i].path);
	pool[i] = pool[--pool_n];
}

/* The identity of the index file beside the partition at path into
   *dev and *ino, 0 when there is none. */
static void
ix_ident(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat sb;
	char	 ix[4096 + 32];

	*dev = 0;
	*ino = 0;
	if (partition_index_beside(path, ix, sizeof ix) == 0 &&
	    lstat(ix, &sb) == 0) {
		*dev = sb.st_dev;
		*ino = sb.st_ino;
	}
}

/* Close idle connections whose file, or index file, is gone or
   replaced. */
void
daypart_prune(void)
{
	struct stat sb;
	dev_t	 ixdev;
	ino_t	 ixino;
	size_t	 i;

	pthread_mutex_lock(&pool_mtx);
	for (i = 0; i < pool_n; ) {
		ix_ident(pool[i].path, &ixdev, &ixino);
		if (stat(pool[i].path, &sb) == -1 ||
		    sb.st_dev != pool[i].dev || sb.st_ino != pool[i].ino ||
		    ixdev != pool[i].ixdev || ixino != pool[i].ixino)
			pool_drop(i);
		else
			i++;
	}
	pthread_mutex_unlock(&pool_mtx);
}

/* Take an idle connection to path (that file, and p's index file),
   mapped or not; NULL if none. */
static sqlite3 *
pool_take(const char *path, const struct part *p, int mapped)
{
	sqlite3	*db = NULL;
	size_t	 i;

	pthread_mutex_lock(&pool_mtx);
	for (i = 0; i < pool_n; i++)
		if (pool[i].mapped == mapped &&
		    strcmp(pool[i].path, path) == 0) {
			if (pool[i].dev == p->sb.st_dev &&
			    pool[i].ino == p->sb.st_ino &&
			    pool[i].ixdev == p->ixdev &&
			    pool[i].ixino == p->ixino) {
				db = pool[i].db;
				free(pool[i].path);
				pool[i] = pool[--pool_n];
			} else
				pool_drop(i);
			break;
		}
	pthread_mutex_unlock(&pool_mtx);
	return db;
}

/* Give db (idle, no statements, no transaction), p's, back, or close
   it. */
static void
pool_give(const char *path, const struct part *p, sqlite3 *db)
{
	size_t	 i, old = 0;
	char	*dup;

	if ((dup = strdup(path)) == NULL) {
		sqlite3_close_v2(db);
		return;
	}
	pthread_mutex_lock(&pool_mtx);
	if (pool_n == POOL_MAX) {
		for (i = 1; i < pool_n; i++)
			if (pool[i].used < pool[old].used)
				old = i;
		pool_drop(old);
	}
	pool[pool_n].path = dup;
	pool[pool_n].dev = p->sb.st_dev;
	pool[pool_n].ino = p->sb.st_ino;
	pool[pool_n].ixdev = p->ixdev;
	pool[pool_n].ixino = p->ixino;
	pool[pool_n].mapped = p->mapped;
	pool[pool_n].db = db;
	pool[pool_n].used = ++pool_tick;
	pool_n++;
	pthread_mutex_unlock(&pool_mtx);
}

/* Finalize p's statements and hand its connection back to the pool
   (closing it when its transaction cannot be ended cleanly). */
void
daypart_close(struct run *r, struct part *p)
{
	char	 path[4096 + 16];

	sqlite3_finalize(p->st);
	sqlite3_finalize(p->fts);
	sqlite3_finalize(p->verify);
	sqlite3_finalize(p->check);
	p->st = p->fts = p->verify = p->check = p->cur = NULL;
	free(p->bits);
	p->bits = NULL;
	p->nwords = 0;
	if (p->db == NULL)
		return;
	sqlite3_progress_handler(p->db, 0, NULL, NULL);
	snprintf(path, sizeof(path), "%s/%s", r->dir, p->name);
	if (!p->noindex && (sqlite3_get_autocommit(p->db) ||
	    sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK))
		pool_give(path, p, p->db);
	else
		sqlite3_close_v2(p->db);
	p->db = NULL;
	if (p->gated)
		walgate_leave(partition_day(p->name));
	p->gated = 0;
}

/*
 * A day being written (today's, and yesterday's around midnight) has a
 * gate its readers pass, so that the checkpointer can keep its WAL
 * bounded (hub/ingest/walgate.h): wait while it is closed, but at most
 * about as long as the checkpointer waits for the readers inside; the
 * wait moves the search's deadline on (searchrun.c, searchrun_past()).
 */
static void
gate_enter(struct run *r, struct part *p)
{
	struct timespec lim;
	int64_t	 day = partition_day(p->name), ms;

	if (day < time_now_us() / 86400000000LL - 1)
		return;
	deadline_after(CLOCK_MONOTONIC, (int64_t)WALGATE_WAIT_MS * 2000,
	    &lim);
	if ((ms = walgate_enter(day, &lim)) > 0)
		atomic_fetch_add(&r->gate_wait_us, ms * 1000);
	p->gated = 1;
}

/* Attach the index file beside the partition at path as "ix". */
static int
attach_index(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	char	 ix[4096 + 32];
	int	 rc;

	if (partition_index_beside(path, ix, sizeof ix) == -1)
		return SQLITE_CANTOPEN;
	if ((rc = sqlite3_prepare_v2(db, "ATTACH ?1 AS ix", -1, &st, NULL)) !=
	    SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, ix, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	sqlite3_finalize(st);
	return rc;
}

#define FACET_LEGACY(col, path)	", ward_get(doc, '" path "') AS " #col

/* What stands in for an index file that cannot be read: an empty FTS
   table of SCHEMA_FTS's columns (hub/schema.h), so that the same SQL
   texts prepare, and a mark below every row. */
#define INDEX_STANDIN \
	"CREATE VIRTUAL TABLE temp.fts USING fts5(summary, text," \
	" content='', columnsize=0, detail=column);" \
	"CREATE TEMP VIEW ixmark AS SELECT 0 AS value;"

/* May p's index file beside the partition at path be read?  Not when
   the text index knows it damaged, nor when it looks damaged or is
   missing (the text index is told: it rebuilds it). */
static int
index_usable(struct run *r, struct part *p, const char *path)
{
	char	 ix[4096 + 32], why[512];

	return partition_index_beside(path, ix, sizeof ix) == 0 &&
	    textindex_file_usable(r->o->index, partition_day(p->name), ix, why,
	    sizeof why) == 0;
}

/* Make the partition at path read as the current layout: from layout 3
   on its index file (hub/ingest/textindex.h) is attached, so fts names it;
   before layout 4, temp views of the current layout's events and
   events_full name utc utcs too (its index on utc walks utcs DESC, utc
   DESC, id DESC as layout 4's on (utcs, id, utc) does: hub/schema.h),
   and in layout 0 (the document in events, no facets) they hold the
   facets and the document as well, so that one SQL text serves every
   layout (temp comes first in name lookup).
   A partition the writer has created but not laid out yet (an empty
   file: hub/ingest/store.c commits the layout, and creates the index
   file, in one transaction after creating the file) is set up as
   nothing: *laid is 0 and the connection must not be used, nor kept,
   since what is set up here holds for the connection's life.  An index
   file that cannot be read has INDEX_STANDIN in its place (p->noindex).
   */
static int
layout_setup(struct run *r, struct part *p, sqlite3 *db, const char *path,
    int *laid)
{
	sqlite3_stmt *st;
	int	 rc, version = -1;

	*laid = 0;
	/* Layout 0 has no user_version: its events table tells. */
	rc = sqlite3_prepare_v2(db, "SELECT user_version, (SELECT count(*)"
	    " FROM main.sqlite_schema WHERE name = 'events') FROM"
	    " pragma_user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		version = sqlite3_column_int(st, 0);
		*laid = version != 0 || sqlite3_column_int(st, 1) != 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK || !*laid)
		return rc;
	if (version >= 2 && version < 4)
		rc = sqlite3_exec(db, "CREATE TEMP VIEW events AS SELECT *,"
		    " utc AS utcs FROM main.events;"
		    "CREATE TEMP VIEW events_full AS SELECT events.*,"
		    " docs.summary, docs.doc FROM temp.events LEFT JOIN"
		    " main.docs ON docs.id = events.id;", NULL, NULL, NULL);
	else if (version < 2)
		rc = sqlite3_exec(db, "CREATE TEMP VIEW events AS SELECT *"
		    SCHEMA_FACETS(FACET_LEGACY) ", utc AS utcs FROM"
		    " main.events;"
		    "CREATE TEMP VIEW events_full AS SELECT * FROM temp.events;",
		    NULL, NULL, NULL);
	p->noindex = 0;
	if (rc == SQLITE_OK && version >= 3 && !index_usable(r, p, path)) {
		p->noindex = 1;
		return sqlite3_exec(db, INDEX_STANDIN, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK && version >= 3)
		rc = attach_index(db, path);
	/* ixmark: the highest id the full-text index holds; before layout
	   3 the index is written with the rows. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, version >= 3 ? "CREATE TEMP VIEW ixmark"
		    " AS SELECT value FROM ix.meta WHERE key = 'indexed'" :
		    "CREATE TEMP VIEW ixmark AS SELECT 9223372036854775807"
		    " AS value", NULL, NULL, NULL);
	return rc;
}

/* Is p's full-text index behind, lacking rows it should hold (in the
   snapshot just begun)?  Sets p->behind and p->ixmark.  Only asked when
   the index says so or cannot be asked: otherwise rows past the mark
   arrived after the search began.  Returns 0 or -1. */
static int
part_behind(struct run *r, struct part *p)
{
	sqlite3_stmt *st;
	int	 rc;

	p->behind = 0;
	if (!r->ix_unsure && !p->noindex && !textindex_behind(r->o->index,
	    partition_day(p->name)))
		return 0;
	if ((rc = sqlite3_prepare_v2(p->db, "SELECT (SELECT value FROM"
	    " ixmark), (SELECT max(id) FROM events)", -1, &st, NULL)) ==
	    SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->ixmark = sqlite3_column_int64(st, 0);
		p->behind = sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 1) > p->ixmark;
		rc = SQLITE_OK;
		if (p->behind) {
			pthread_mutex_lock(&r->mtx);
			if (r->slow_day[0] == '\0')
				snprintf(r->slow_day, sizeof r->slow_day,
				    "%.10s", p->name);
			pthread_mutex_unlock(&r->mtx);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		searchrun_seterr_db(r, p, rc);
		return -1;
	}
	return 0;
}

/* Open a partition read-only (or take a pooled connection to it) inside
   a read transaction: one snapshot for meta and the queries.  Returns 0,
   1 when the partition is not laid out yet (it holds no events; p is
   left closed), or -1 with the run's error set. */
static int
part_open(struct run *r, struct part *p)
{
	char	 path[4096 + 16];
	int	 laid;

	if (p->db != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", r->dir, p->name);
	if (stat(path, &p->sb) == -1) {
		searchrun_seterr(r, SEARCH_EUNAVAIL,
		    "%s: cannot open", p->name);
		return -1;
	}
	/* Searches for events map the file: pages cost no copy, so a
	   rare term's newest 50 (a thousand rows looked up) takes ~1 ms
	   instead of ~5.  Aggregations read through SQLite's page cache:
	   a count by over 1M rows took 15 % less CPU (a mapped page is set
	   up again at every B-tree descent, and costs TLB misses)
	   (tests/bench/search.sh). */
	p->mapped = r->q->agg == QUERY_AGG_NONE;
	/* Before the partition's connection: a rebuild renaming a new
	   index file in place meanwhile gives an identity that matches no
	   kept connection, never a kept connection to the old file. */
	ix_ident(path, &p->ixdev, &p->ixino);
	p->noindex = 0;
	if ((p->db = pool_take(path, p, p->mapped)) == NULL) {
		if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			searchrun_seterr_db(r, p, SQLITE_CANTOPEN);
			sqlite3_close_v2(p->db);
			p->db = NULL;
			return -1;
		}
		sqlite3_busy_timeout(p->db, BUSY_MS);
		if (sqlite3_exec(p->db, p->mapped ? "PRAGMA mmap_size="
		    MMAP_BYTES : "PRAGMA cache_size=" CACHE_KIB, NULL, NULL,
		    NULL) != SQLITE_OK || searchsql_functions(p->db) == -1 ||
		    layout_setup(r, p, p->db, path, &laid) != SQLITE_OK) {
			searchrun_seterr_db(r, p, 0);
			sqlite3_close_v2(p->db);
			p->db = NULL;
			return -1;
		}
		if (!laid) {
			sqlite3_close_v2(p->db);
			p->db = NULL;
			return 1;
		}
	}
	sqlite3_progress_handler(p->db, 1000, searchrun_progress, r);
	gate_enter(r, p);
	if (sqlite3_exec(p->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		searchrun_seterr_db(r, p, 0);
		sqlite3_close_v2(p->db);
		p->db = NULL;
		if (p->gated)
			walgate_leave(partition_day(p->name));
		p->gated = 0;
		return -1;
	}
	return part_behind(r, p);
}

int
daypart_open(struct run *r, struct part *p)
{
	int	 rc;

	if ((rc = part_open(r, p)) == 1) {
		/* Listed with a time range, so laid out: its file was
		   replaced meanwhile. */
		searchrun_seterr(r, SEARCH_EUNAVAIL, "%s: cannot open",
		    p->name);
		return -1;
	}
	return rc;
}

/* Read a partition's meta (from the cache when it can); returns 1 when
   it may hold matches, 0 when it can be skipped, -1 on error. */
static int
part_meta(struct run *r, struct part *p, int64_t today)
{
	struct meta_ent id;
	sqlite3_stmt *st = NULL;
	char	 path[4096 + 16];
	int	 have = 0, rc, cacheable;

	snprintf(path, sizeof(path), "%s/%s", r->dir, p->name);
	cacheable = partition_day(p->name) < today - 1 &&
	    meta_stat(path, &id) == 0;
	if (!cacheable || !meta_get(path, &id, p, &have)) {
		if ((rc = part_open(r, p)) != 0)
			return rc == 1 ? 0 : -1;	/* not laid out: empty */
		p->count = 0;
		if (sqlite3_prepare_v2(p->db, "SELECT key, value FROM meta",
		    -1, &st, NULL) != SQLITE_OK)
			goto fail;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *k = (const char *)sqlite3_column_text(st,
			    0);
			int64_t v = sqlite3_column_int64(st, 1);

			if (k == NULL)
				continue;
			if (strcmp(k, "min_utc") == 0) {
				p->min_utc = v;
				have |= 1;
			} else if (strcmp(k, "max_utc") == 0) {
				p->max_utc = v;
				have |= 2;
			} else if (strcmp(k, "count") == 0)
				p->count = v;
		}
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		have = have == 3;
		/* Cache what was read only if the files did not change
		   meanwhile. */
		if (cacheable) {
			struct meta_ent again;

			if (meta_stat(path, &again) == 0 &&
			    meta_same(&id, &again))
				meta_put(path, &id, p, have);
		}
	}
	if (!have)
		return 0;
	if (r->since != 0 && p->max_utc < r->since)
		return 0;
	if (r->until != 0 && p->min_utc >= r->until)
		return 0;
	return 1;
fail:
	if (r->timed_out)
		searchrun_seterr(r, SEARCH_ETIMEOUT, "search timed out");
	else
		searchrun_seterr_db(r, p, 0);
	sqlite3_finalize(st);
	return -1;
}

/* Find the partitions under datadir/events that may hold matches. */
int
daypart_list(struct run *r, const char *datadir)
{
	struct dirent *de;
	DIR	*d;
	size_t	 i, keep, cap = 0;
	int64_t	 today = time_now_us() / 86400000000LL;
	int	 m;

	if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s/events", datadir) >=
	    sizeof(r->dir)) {
		searchrun_seterr(r, SEARCH_EFAIL,
		    "data directory path too long");
		return -1;
	}
	if ((d = opendir(r->dir)) == NULL)
		return 0;	/* nothing stored yet */
	while ((de = readdir(d)) != NULL) {
		struct part *np;

		if (partition_day(de->d_name) == -1)
			continue;
		if (r->nparts == MAX_PARTS)
			break;
		if (r->nparts == cap) {
			cap = cap ? cap * 2 : 64;
			if ((np = reallocarray(r->parts, cap,
			    sizeof(*np))) == NULL) {
				closedir(d);
				searchrun_seterr(r, SEARCH_EUNAVAIL,
				    "out of memory");
				return -1;
			}
			r->parts = np;
		}
		np = &r->parts[r->nparts++];
		memset(np, 0, sizeof(*np));
		memcpy(np->name, de->d_name, 14);	/* checked: 13 + NUL */
	}
	closedir(d);
	if (r->nparts > 0)
		qsort(r->parts, r->nparts, sizeof(*r->parts), name_desc);
	for (i = keep = 0; i < r->nparts; i++) {
		struct part *p = &r->parts[i];

		if ((m = part_meta(r, p, today)) == -1)
			return -1;
		if (m == 0)
			daypart_close(r, p);
		if (m == 1) {
			if (keep != i) {
				r->parts[keep] = *p;
				memset(p, 0, sizeof(*p));
			}
			keep++;
		}
	}
	r->nparts = keep;
	return 0;
}

void
daypart_close_all(struct run *r)
{
	size_t	 i;

	for (i = 0; i < r->nparts; i++)
		daypart_close(r, &r->parts[i]);
	free(r->parts);
	r->parts = NULL;
	r->nparts = 0;
}

/* Prepare s on partition p into *st and bind it. */
int
daypart_prepare(struct run *r, struct part *p, const struct sql *s,
    sqlite3_stmt **st)
{
	if (daypart_open(r, p) == -1)
		return -1;
	if (sqlite3_prepare_v2(p->db, s->text.data, -1, st, NULL) !=
	    SQLITE_OK || searchsql_apply(*st, s) == -1) {
		searchrun_seterr_db(r, p, 0);
		return -1;
	}
	return 0;
}

/* Step a P_SQL partition; returns 0 (row or done) or -1. */
int
daypart_step(struct run *r, struct part *p)
{
	int	 rc = sqlite3_step(p->st);

	if (rc == SQLITE_ROW) {
		p->cur = p->st;
		p->has_row = 1;
		return 0;
	}
	p->has_row = 0;
	p->done = 1;
	if (rc == SQLITE_DONE)
		return 0;
	searchrun_step_failed(r, p, rc);
	return -1;
}

void
daypart_sort_newest(struct run *r)
{
	if (r->nparts > 0)
		qsort(r->parts, r->nparts, sizeof(*r->parts), newest_desc);
}

void
daypart_archived(struct run *r, const char *datadir)
{
	r->info->archived = archive_reaching(datadir, r->since, r->until,
	    r->info->archived_days, SEARCH_ARCHIVED_MAX);
}
