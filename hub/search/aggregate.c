/*
 * aggregate — the pipeline's aggregation stages (count, count by, top,
 * histogram; man ward-query.7) over the day partitions.
 *
 * Aggregations read the matching rows of each partition, driven by the
 * FTS index when there is an expression.  count and histogram count in
 * SQL; count by and top group the rows in C (a bounded hash table per
 * thread, partitions shared among AGG_THREADS threads, merged at the end;
 * see run_groups()).  A partition whose full-text index is behind reads
 * the FTS matches and the rows past the index's mark, checking those on
 * their documents (rows_sql()).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "aggregate.h"
#include "buf.h"
#include "daypart.h"
#include "normalize.h"
#include "query.h"
#include "searchrun.h"
#include "searchsql.h"
#include "timeparse.h"

#define AGG_THREADS	2	/* threads a count by runs partitions on,
				   when opts->threads is 0 */

/*
 * " FROM rows WHERE ..." of an aggregation over table (events or
 * events_full): the rows the FTS expression admits, when there is one,
 * else every row.  behind: for a partition whose index lacks the rows
 * past its mark, those rows too, each checked on its own document.
 */
static void
rows_sql(struct run *r, struct sql *s, const char *table, int behind)
{
	if (r->fts != NULL) {
		searchsql_put(s, " FROM (SELECT rowid AS fid FROM fts WHERE "
		    "fts MATCH ");
		searchsql_owned(s, strdup(r->fts));
		if (behind)
			searchsql_put(s, " AND rowid <= (SELECT value FROM"
			    " ixmark) UNION ALL SELECT id FROM events WHERE id >"
			    " (SELECT value FROM ixmark)");
		searchsql_put(s, ") AS m CROSS JOIN ");
		searchsql_put(s, table);
		searchsql_put(s, " ON ");
		searchsql_put(s, table);
		searchsql_put(s, ".id = m.fid");
		if (behind) {
			/* The index's rows as always; the others each on
			   its own document. */
			searchsql_put(s, " WHERE ((m.fid <= (SELECT value FROM"
			    " ixmark) AND ");
			searchsql_compile(s, r->q->root, T_COVERED, 1);
			searchsql_put(s, ") OR (m.fid > (SELECT value FROM"
			    " ixmark) AND ");
			searchsql_compile(s, r->q->root, T_ROW, 1);
			searchsql_put(s, "))");
			searchsql_bounds(s, r->since, r->until);
		} else
			searchsql_where(s, r->q->root, T_COVERED,
			    r->since, r->until);
	} else {
		searchsql_put(s, " FROM ");
		searchsql_put(s, table);
		searchsql_where(s, r->q->root, behind ? T_ROW : T_SQL,
		    r->since, r->until);
	}
}

/* Prepare an aggregation's statement on p: r->sql, or r->sqlrow when
   p's index is behind. */
static int
prepare_rows(struct run *r, struct part *p, sqlite3_stmt **st)
{
	if (daypart_open(r, p) == -1)
		return -1;
	return daypart_prepare(r, p, p->behind ? &r->sqlrow : &r->sql, st);
}

/* ---- aggregations ----------------------------------------------------- */

struct group {
	char		*key;	/* merge key; NULL: free slot */
	char		*row;	/* the row's JSON without its count */
	uint64_t	 count;
	int64_t		 bucket;
	uint64_t	 hash;	/* of key */
	uint64_t	 first;	/* count by: where its row was first seen,
				   (partition << 40) | row within it */
};

struct groups {
	struct group	*g;
	size_t		 n, cap;	/* cap: power of two */
	size_t		 max;
	int		 truncated;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The group of key (hash h), or NULL. */
static struct group *
groups_find(const struct groups *gs, const char *key, uint64_t h)
{
	size_t	 j;

	if (gs->cap == 0)
		return NULL;
	for (j = h & (gs->cap - 1); gs->g[j].key != NULL;
	    j = (j + 1) & (gs->cap - 1))
		if (gs->g[j].hash == h && strcmp(gs->g[j].key, key) == 0)
			return &gs->g[j];
	return NULL;
}

static int
groups_grow(struct groups *gs)
{
	struct group *ng;
	size_t	 cap = gs->cap ? gs->cap * 2 : 256, i, j;

	if ((ng = calloc(cap, sizeof(*ng))) == NULL)
		return -1;
	for (i = 0; i < gs->cap; i++) {
		if (gs->g[i].key == NULL)
			continue;
		for (j = gs->g[i].hash & (cap - 1); ng[j].key != NULL;
		    j = (j + 1) & (cap - 1))
			;
		ng[j] = gs->g[i];
	}
	free(gs->g);
	gs->g = ng;
	gs->cap = cap;
	return 0;
}

/* Add count to the group key (row made by the caller, taken here); a
   new group was first seen at first. */
static int
groups_add(struct groups *gs, char *key, char *row, int64_t bucket,
    uint64_t count, uint64_t first)
{
	uint64_t h = hash(key);
	size_t	 j;

	if (gs->cap == 0 || gs->n * 2 >= gs->cap)
		if (groups_grow(gs) == -1)
			goto nomem;
	for (j = h & (gs->cap - 1); gs->g[j].key != NULL;
	    j = (j + 1) & (gs->cap - 1))
		if (gs->g[j].hash == h && strcmp(gs->g[j].key, key) == 0) {
			gs->g[j].count += count;
			free(key);
			free(row);
			return 0;
		}
	if (gs->n >= gs->max) {
		gs->truncated = 1;
		free(key);
		free(row);
		return 0;
	}
	gs->g[j].key = key;
	gs->g[j].row = row;
	gs->g[j].count = count;
	gs->g[j].bucket = bucket;
	gs->g[j].hash = h;
	gs->g[j].first = first;
	gs->n++;
	return 0;
nomem:
	free(key);
	free(row);
	return -1;
}

static void
groups_free(struct groups *gs)
{
	size_t	 i;

	for (i = 0; i < gs->cap; i++) {
		free(gs->g[i].key);
		free(gs->g[i].row);
	}
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

static int
by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->row, y->row);
}

static int
by_bucket(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* ---- count by, top: rows grouped in C, partitions on several threads -- */

/*
 * The SQL reads, per matching row, the value of each field grouped on:
 * a typed column, or for a field in the JSON document its text there,
 * found by ward_get() (jsonfast_get()) without parsing the document: the
 * text SQLite's doc -> '$.path' gives.  Rows are grouped in a hash table
 * as they come: no SQL GROUP BY, whose sorter spilled to temporary files
 * and cost more than reading the rows.
 *
 * Each worker thread takes the next partition (newest first) and groups
 * into its own table, bounded by max_groups; the tables are merged at the
 * end.  A group shows the values of the first row that made it in
 * (partition order, then row order), as one thread reading partition
 * after partition would.
 */
struct gval {
	const char	*t;	/* text as SQLite or the document has it */
	size_t		 len;
	int		 null;	/* no value */
};

struct shard {
	struct run	*r;
	struct groups	 gs;
	struct buf	 key, row;
	pthread_t	 tid;
	int		 started;
	int		 rc;
};

/* The value of the k-th field in st's row. */
static void
by_value(sqlite3_stmt *st, int k, struct gval *v)
{
	const char *t;

	v->null = 1;
	if (sqlite3_column_type(st, k) == SQLITE_NULL ||
	    (t = (const char *)sqlite3_column_text(st, k)) == NULL)
		return;
	v->t = t;
	v->len = (size_t)sqlite3_column_bytes(st, k);
	v->null = 0;
}

/* Append v's part of the merge key: typed text columns group without
   case, the rest by their text; an event without a JSON field counts
   under null (it shows as null), an empty typed column apart ("\x01n"). */
static int
key_put(struct buf *key, const struct query_field *f, const struct gval *v)
{
	size_t	 k, start = key->len;

	if (v->null)
		return buf_puts(key, f->type == QUERY_F_JSON ? "null\x01" :
		    "\x01n");
	if (buf_append(key, v->t, v->len) == -1)
		return -1;
	switch (f->type) {
	case QUERY_F_UTC:
	case QUERY_F_RECEIVED:
	case QUERY_F_SEVERITY:
	case QUERY_F_JSON:
		break;
	default:
		for (k = start; k < key->len; k++)
			if (key->data[k] >= 'A' && key->data[k] <= 'Z')
				key->data[k] += 32;
	}
	return buf_puts(key, "\x01");
}

/* Append v (field f, column k of st) to a group's row as JSON. */
static int
row_put(struct buf *row, sqlite3_stmt *st, int k, const struct query_field *f,
    const struct gval *v)
{
	char	 iso[TIME_ISO_LEN];
	const char *name;

	if (v->null)
		return buf_puts(row, "null");
	switch (f->type) {
	case QUERY_F_UTC:
	case QUERY_F_RECEIVED:
		time_format(sqlite3_column_int64(st, k), iso);
		return buf_json_string(row, iso, strlen(iso));
	case QUERY_F_SEVERITY:
		name = severity_name(sqlite3_column_int(st, k));
		if (name == NULL)
			name = "?";
		return buf_json_string(row, name, strlen(name));
	case QUERY_F_JSON:
		/* Already JSON text. */
		return buf_append(row, v->t, v->len);
	default:
		return buf_json_string(row, v->t, v->len);
	}
}

/* Group the matching rows of partition pi into sh's table. */
static int
shard_part(struct shard *sh, size_t pi)
{
	struct run *r = sh->r;
	struct part *p = &r->parts[pi];
	const struct query *q = r->q;
	struct gval v[QUERY_MAX_BY];
	struct group *g;
	uint64_t ord = 0;
	size_t	 k;
	int	 rc;

	if (prepare_rows(r, p, &p->st) == -1)
		return -1;
	while ((rc = sqlite3_step(p->st)) == SQLITE_ROW) {
		buf_reset(&sh->key);
		for (k = 0; k < q->nby; k++) {
			by_value(p->st, (int)k, &v[k]);
			if (key_put(&sh->key, &q->by[k], &v[k]) == -1)
				goto nomem;
		}
		ord++;
		if ((g = groups_find(&sh->gs, sh->key.data,
		    hash(sh->key.data))) != NULL) {
			g->count++;
			continue;
		}
		if (sh->gs.n >= sh->gs.max) {
			sh->gs.truncated = 1;
			continue;
		}
		buf_reset(&sh->row);
		if (buf_puts(&sh->row, "{") == -1)
			goto nomem;
		for (k = 0; k < q->nby; k++)
			if ((k > 0 && buf_puts(&sh->row, ",") == -1) ||
			    buf_json_string(&sh->row, q->by[k].path,
			    strlen(q->by[k].path)) == -1 ||
			    buf_puts(&sh->row, ":") == -1 ||
			    row_put(&sh->row, p->st, (int)k, &q->by[k],
			    &v[k]) == -1)
				goto nomem;
		if (groups_add(&sh->gs, strdup(sh->key.data),
		    strdup(sh->row.data), 0, 1, (uint64_t)pi << 40 |
		    (ord - 1)) == -1)
			goto nomem;
	}
	if (rc != SQLITE_DONE) {
		searchrun_step_failed(r, p, rc);
		return -1;
	}
	daypart_close(r, p);
	return 0;
nomem:
	searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
	return -1;
}

static void *
shard_run(void *arg)
{
	struct shard *sh = arg;
	struct run *r = sh->r;
	size_t	 i;

	for (;;) {
		pthread_mutex_lock(&r->mtx);
		i = r->next_part < r->nparts ? r->next_part++ : SIZE_MAX;
		if (i != SIZE_MAX)
			r->info->partitions++;
		pthread_mutex_unlock(&r->mtx);
		if (i == SIZE_MAX)
			break;
		if (shard_part(sh, i) == -1) {
			sh->rc = -1;
			pthread_mutex_lock(&r->mtx);
			r->next_part = r->nparts;	/* the others stop */
			pthread_mutex_unlock(&r->mtx);
			break;
		}
	}
	return NULL;
}

/* Move from's groups into into (keeping each group's first row). */
static int
groups_merge(struct groups *into, struct groups *from)
{
	struct group *g, *f;
	size_t	 i;

	into->truncated |= from->truncated;
	for (i = 0; i < from->cap; i++) {
		g = &from->g[i];
		if (g->key == NULL)
			continue;
		if ((f = groups_find(into, g->key, g->hash)) != NULL) {
			f->count += g->count;
			if (g->first < f->first) {
				char	*t = f->row;

				f->row = g->row;
				g->row = t;
				f->first = g->first;
			}
			continue;
		}
		if (groups_add(into, g->key, g->row, 0, g->count,
		    g->first) == -1) {
			g->key = g->row = NULL;
			return -1;
		}
		g->key = g->row = NULL;
	}
	return 0;
}

/* Run a count by or top over every partition into gs. */
static int
run_groups(struct run *r, struct groups *gs)
{
	const struct query *q = r->q;
	struct sql *s;
	struct shard *sh;
	size_t	 i, k, n;
	int	 rc = 0, b;

	for (b = 0; b < 2; b++) {
		s = b == 0 ? &r->sql : &r->sqlrow;
		searchsql_put(s, "SELECT ");
		for (k = 0; k < q->nby; k++) {
			const char *col = searchsql_column(q->by[k].type);

			if (k > 0)
				searchsql_put(s, ", ");
			if (col == NULL)
				col = searchsql_facet(&q->by[k]);
			if (col != NULL)
				searchsql_put(s, col);
			else {
				searchsql_put(s, "ward_get(doc, ");
				searchsql_owned(s, strdup(q->by[k].path));
				searchsql_put(s, ")");
			}
		}
		rows_sql(r, s, "events_full", b);
	}
	s = &r->sqlrow;
	if (r->sql.nomem || s->nomem) {
		searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
		return -1;
	}
	n = r->o->threads > 0 ? (size_t)r->o->threads : AGG_THREADS;
	if (n > r->nparts)
		n = r->nparts;
	if (n == 0)
		n = 1;
	if ((sh = calloc(n, sizeof(*sh))) == NULL) {
		searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		sh[i].r = r;
		sh[i].gs.max = r->max_groups;
		buf_init(&sh[i].key);
		buf_init(&sh[i].row);
	}
	r->next_part = 0;
	for (i = 1; i < n; i++)
		sh[i].started = pthread_create(&sh[i].tid, NULL, shard_run,
		    &sh[i]) == 0;
	shard_run(&sh[0]);
	for (i = 1; i < n; i++)
		if (sh[i].started)
			pthread_join(sh[i].tid, NULL);
	for (i = 0; i < n; i++)
		if (sh[i].rc == -1)
			rc = -1;
	for (i = 1; i < n && rc == 0; i++)
		if (groups_merge(&sh[0].gs, &sh[i].gs) == -1) {
			searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
			rc = -1;
		}
	*gs = sh[0].gs;
	memset(&sh[0].gs, 0, sizeof(sh[0].gs));
	for (i = 0; i < n; i++) {
		groups_free(&sh[i].gs);
		buf_release(&sh[i].key);
		buf_release(&sh[i].row);
	}
	free(sh);
	return rc;
}

int
aggregate_run(struct run *r)
{
	const struct query *q = r->q;
	struct sql *s = &r->sql;
	struct groups gs;
	struct buf row;
	uint64_t total = 0;
	size_t	 i, k, nout;
	int	 rc = -1, ncols = 0, b;
	char	 iso[TIME_ISO_LEN];

	memset(&gs, 0, sizeof(gs));
	gs.max = r->max_groups;
	buf_init(&row);
	if (q->agg == QUERY_AGG_COUNT_BY || q->agg == QUERY_AGG_TOP) {
		if (run_groups(r, &gs) == -1)
			goto fail;
		goto out;
	}
	for (b = 0; b < 2; b++) {
		s = b == 0 ? &r->sql : &r->sqlrow;
		searchsql_put(s, "SELECT ");
		if (q->agg == QUERY_AGG_HISTOGRAM) {
			searchsql_put(s, "((utc / ");
			searchsql_int(s, q->interval_us);
			searchsql_put(s, ") - (utc % ");
			searchsql_int(s, q->interval_us);
			searchsql_put(s, " < 0)) * ");
			searchsql_int(s, q->interval_us);
			searchsql_put(s, ", ");
			ncols = 1;
		}
		searchsql_put(s, "count(*)");
		rows_sql(r, s, searchsql_table(r->q->root, b ? T_ROW :
		    r->fts != NULL ? T_COVERED : T_SQL, r->since, r->until),
		    b);
		for (k = 0; k < (size_t)ncols; k++)
			searchsql_put(s, k == 0 ? " GROUP BY 1" : k == 1 ?
			    ", 2" : k == 2 ? ", 3" : ", 4");
	}
	s = &r->sql;
	if (s->nomem || r->sqlrow.nomem) {
		searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
		goto fail;
	}
	for (i = 0; i < r->nparts; i++) {
		struct part *p = &r->parts[i];

		if (prepare_rows(r, p, &p->st) == -1 ||
		    daypart_step(r, p) == -1)
			goto fail;
		r->info->partitions++;
		for (; p->has_row; ) {
			uint64_t c = (uint64_t)sqlite3_column_int64(p->st,
			    ncols);

			if (q->agg == QUERY_AGG_COUNT)
				total += c;
			else if (q->agg == QUERY_AGG_HISTOGRAM) {
				int64_t b = sqlite3_column_int64(p->st, 0);
				char *kk;

				if (asprintf(&kk, "%" PRId64, b) == -1 ||
				    groups_add(&gs, kk, NULL, b, c, 0) == -1) {
					searchrun_seterr(r, SEARCH_EUNAVAIL,
					    "out of memory");
					goto fail;
				}
			}
			if (daypart_step(r, p) == -1)
				goto fail;
		}
		daypart_close(r, p);
	}
	if (q->agg == QUERY_AGG_COUNT) {
		buf_reset(&row);
		if (buf_printf(&row, "{\"count\":%" PRIu64 "}", total) == -1) {
			searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
			goto fail;
		}
		if (searchrun_out(r, row.data, row.len) == -1)
			goto stopped;
		rc = 0;
		goto fail;
	}
out:
	/* Pack the groups and order them. */
	for (i = k = 0; i < gs.cap; i++)
		if (gs.g[i].key != NULL)
			gs.g[k++] = gs.g[i];
	for (i = k; i < gs.cap; i++)
		memset(&gs.g[i], 0, sizeof(gs.g[i]));
	if (k > 0)
		qsort(gs.g, k, sizeof(*gs.g), q->agg == QUERY_AGG_HISTOGRAM ?
		    by_bucket : by_count);
	nout = k;
	if (q->agg == QUERY_AGG_TOP && q->top < nout)
		nout = q->top;
	if (nout > r->limit) {
		nout = r->limit;
		r->info->limited = 1;
	}
	for (i = 0; i < nout; i++) {
		buf_reset(&row);
		if (q->agg == QUERY_AGG_HISTOGRAM) {
			time_format(gs.g[i].bucket, iso);
			if (buf_printf(&row, "{\"time\":\"%s\",\"count\":%"
			    PRIu64 "}", iso, gs.g[i].count) == -1) {
				searchrun_seterr(r, SEARCH_EUNAVAIL,
				    "out of memory");
				goto fail;
			}
		} else if (buf_puts(&row, gs.g[i].row) == -1 ||
		    buf_printf(&row, ",\"count\":%" PRIu64 "}",
		    gs.g[i].count) == -1) {
			searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
			goto fail;
		}
		if (searchrun_out(r, row.data, row.len) == -1)
			goto stopped;
	}
stopped:
	rc = 0;
fail:
	r->info->truncated = gs.truncated;
	groups_free(&gs);
	buf_release(&row);
	return rc;
}
