/*
 * search — run a query over the day partitions: the entry points, and
 * the search for events, newest first.  The wing's other rooms:
 * searchsql.c compiles the query's AST to SQL; daypart.c finds, opens
 * and pools the partitions and says which days are archived;
 * aggregate.c runs count, count by, top and histogram; searchrun.c/.h
 * is the state one search shares among them (its time budget, errors
 * and output); searchopts.h holds the types of search.h.
 *
 * Plans.  Only utc is indexed besides the FTS table (hub/schema.h), so the
 * filter is first reduced to an FTS5 expression it implies, when it has
 * one (searchsql_fts()); every row that expression admits is then checked
 * against the exact filter.
 *
 * Events, newest first: each partition yields its matches by utc DESC,
 * id DESC, and the partitions, ordered by their highest utctimestamp, are
 * merged; a partition is only opened once its newest event could come
 * next.  Within a partition, with an FTS expression:
 *   - up to fts_probe matches (a rare term): read them through the FTS
 *     index, look each row up and sort them (plan "fts");
 *   - more (a common term): walk the utc index newest first without
 *     touching the rows, and test each id against a bitmap of FTS matches
 *     that is filled lazily from the newest id down (FTS yields rowids in
 *     arrival order, which follows utc closely); a row whose id lies far
 *     below the filled part (a late or early clock) is checked on its own
 *     document instead, so a skewed row never makes the bitmap read far.
 *     Only rows that pass are read (plan "walk").
 * Without one, the utc index is walked with the whole filter in SQL.
 *
 * A day whose full-text index is behind (hub/ingest/textindex.h: a write failed
 * and it is catching up) lacks the rows past its mark, the highest id it
 * holds.  Its partition is searched exactly all the same: rows at or
 * below the mark through the index, the others checked on their own
 * document (the walk, with a row past the mark always checked; without an
 * FTS expression or with a sort, the whole filter on each row; an
 * aggregation reads the FTS matches and the rows past the mark, checking
 * those on their documents).  Slower, never fewer results: 300,000
 * events a day, 10,000 of them past the mark, 'alice | count by
 * hostname' took 500 ms instead of 36, 'user0042' (rare) 570 ms instead
 * of 0.2 (tests/bench/bench_search, with the mark lowered by hand; 2
 * busy cores).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "aggregate.h"
#include "buf.h"
#include "daypart.h"
#include "deadline.h"
#include "errf.h"
#include "log.h"
#include "query.h"
#include "search.h"
#include "searchrun.h"
#include "searchsql.h"
#include "textindex.h"
#include "timeparse.h"

#define FTS_PROBE	4000	/* FTS matches a partition reads and sorts;
				   past this it walks utc */
#define EXT_BASE	4000	/* FTS rowids a walk may read for free */
#define EXT_PER_CHECK	10	/* more for each row checked on its own
				   (about what one such check costs in a
				   partition still being written, whose
				   FTS index is in many small segments) */
#define BITS_MAX	(1 << 25) /* ids a walk's bitmap may span (4 MB) */

/* ---- output ----------------------------------------------------------- */

static int
dump_cb(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n);
}

/* One event line: the document with "id" spliced in first, or only the
   fields asked for. */
static int
emit_event(struct run *r, sqlite3_stmt *st)
{
	int64_t	 id = sqlite3_column_int64(st, 0);
	const char *doc = (const char *)sqlite3_column_text(st, 2);
	int	 len = sqlite3_column_bytes(st, 2);
	const char *body;
	json_t	*ev, *out;
	size_t	 i;
	int	 rc;

	buf_reset(&r->line);
	if (doc == NULL)
		return 0;
	if (r->q->nfields > 0) {
		if ((ev = json_loadb(doc, (size_t)len, 0, NULL)) == NULL)
			return 0;
		out = json_object();
		json_object_set_new(out, "id", json_integer(id));
		for (i = 0; i < r->q->nfields; i++) {
			const json_t *v = query_lookup(ev,
			    r->q->fields[i].path);

			json_object_set(out, r->q->fields[i].path,
			    v != NULL ? (json_t *)v : json_null());
		}
		rc = json_dump_callback(out, dump_cb, &r->line,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(out);
		json_decref(ev);
		if (rc == -1) {
			searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
			return -1;
		}
		return searchrun_out(r, r->line.data, r->line.len);
	}
	body = doc;
	while (*body != '\0' && *body != '{')
		body++;
	if (*body == '\0')
		return 0;
	body++;
	while (*body == ' ' || *body == '\n' || *body == '\t' || *body == '\r')
		body++;
	if (buf_printf(&r->line, "{\"id\":%" PRId64 "%s", id,
	    *body == '}' ? "" : ",") == -1 ||
	    buf_append(&r->line, body, (size_t)(doc + len - body)) == -1) {
		searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
		return -1;
	}
	return searchrun_out(r, r->line.data, r->line.len);
}

/* ---- the walk: utc index, FTS bitmap, checks by id ------------------- */

/* Read FTS rowids (newest first) until one at or below id is read or
   none are left, setting their bits.  Returns 0 or -1. */
static int
fts_fill(struct run *r, struct part *p, int64_t id)
{
	uint64_t *nb;
	size_t	 need, nw;
	int64_t	 x;
	int	 rc;

	while (!p->fts_done && (p->nread == 0 || p->lo > id)) {
		if ((rc = sqlite3_step(p->fts)) != SQLITE_ROW) {
			if (rc != SQLITE_DONE) {
				searchrun_step_failed(r, p, rc);
				return -1;
			}
			p->fts_done = 1;
			break;
		}
		x = sqlite3_column_int64(p->fts, 0);
		if (p->nread++ == 0)
			p->top = x;
		p->lo = x;
		need = (size_t)((uint64_t)(p->top - x) >> 6) + 1;
		if (need > p->nwords) {
			nw = p->nwords ? p->nwords * 2 : 1024;
			while (nw < need)
				nw *= 2;
			if ((nb = reallocarray(p->bits, nw,
			    sizeof(*nb))) == NULL) {
				searchrun_seterr(r, SEARCH_EUNAVAIL,
				    "out of memory");
				return -1;
			}
			memset(nb + p->nwords, 0, (nw - p->nwords) *
			    sizeof(*nb));
			p->bits = nb;
			p->nwords = nw;
		}
		p->bits[(uint64_t)(p->top - x) >> 6] |=
		    UINT64_C(1) << ((uint64_t)(p->top - x) & 63);
	}
	return 0;
}

/*
 * Is id an FTS match?  Returns 1 or 0, 2 when it is cheaper to check the
 * row itself than to read the FTS index down to id, or -1 on error.  The
 * bitmap is read further down while that costs at most EXT_BASE rowids
 * plus EXT_PER_CHECK for each row checked on its own so far, so a walk
 * never spends much more on either than the better choice would have.
 */
static int
fts_member(struct run *r, struct part *p, int64_t id)
{
	uint64_t k;
	double	 dens, need;

	if (p->behind && id > p->ixmark) {	/* not in the index */
		p->nchecks++;
		return 2;
	}
	if (p->nread == 0 && fts_fill(r, p, INT64_MAX) == -1)
		return -1;
	if (p->nread == 0 || id > p->top)
		return 0;
	if (!p->fts_done && id < p->lo) {
		dens = (double)p->nread / (double)(p->top - p->lo + 1);
		need = (double)(p->lo - id) * dens;
		if (r->o->force_plan == SEARCH_PLAN_CHECK ||
		    p->top - id >= BITS_MAX || (double)p->nread + need >
		    (double)EXT_BASE + (double)EXT_PER_CHECK *
		    (double)p->nchecks) {
			p->nchecks++;
			return 2;
		}
		if (fts_fill(r, p, id) == -1)
			return -1;
	}
	if (id < p->lo)		/* below every match */
		return 0;
	k = (uint64_t)(p->top - id);
	return (p->bits[k >> 6] >> (k & 63)) & 1;
}

/* Step a P_WALK partition to its next matching row. */
static int
walk_step(struct run *r, struct part *p)
{
	sqlite3_stmt *vs;
	int64_t	 id;
	int	 rc, m;

	for (;;) {
		if (p->cur != NULL)
			sqlite3_reset(p->cur);
		p->cur = NULL;
		p->has_row = 0;
		if ((rc = sqlite3_step(p->st)) != SQLITE_ROW) {
			p->done = 1;
			if (rc == SQLITE_DONE)
				return 0;
			searchrun_step_failed(r, p, rc);
			return -1;
		}
		id = sqlite3_column_int64(p->st, 0);
		if ((m = fts_member(r, p, id)) == -1)
			return -1;
		if (m == 0)
			continue;
		vs = m == 1 ? p->verify : p->check;
		if (sqlite3_bind_int64(vs, 1, id) != SQLITE_OK) {
			searchrun_step_failed(r, p, SQLITE_ERROR);
			return -1;
		}
		rc = sqlite3_step(vs);
		if (rc == SQLITE_ROW) {
			p->cur = vs;
			p->has_row = 1;
			return 0;
		}
		sqlite3_reset(vs);
		if (rc != SQLITE_DONE) {
			searchrun_step_failed(r, p, rc);
			return -1;
		}
	}
}

static int
part_step(struct run *r, struct part *p)
{
	return p->plan == P_WALK ? walk_step(r, p) : daypart_step(r, p);
}

/*
 * Choose p's plan and start it (its first row is stepped by the caller).
 * With an FTS expression, count its matches up to fts_probe: fewer, and
 * they are all read and sorted; more, and the partition is walked.
 */
static int
part_start(struct run *r, struct part *p)
{
	size_t	 n = 0;
	int	 rc = SQLITE_ROW;

	p->plan = P_SQL;
	if (daypart_open(r, p) == -1)
		return -1;
	if (r->fts == NULL)
		return daypart_prepare(r, p, p->behind ? &r->sqlrow :
		    &r->sql, &p->st);
	/* Counted in the index's own order, the cheapest; an index that is
	   behind is walked (rows past its mark checked on their own). */
	if (p->behind)
		rc = SQLITE_ROW;
	else if (daypart_prepare(r, p, &r->count, &p->fts) == -1)
		return -1;
	if (r->o->force_plan == 0 && p->fts != NULL)
		while (n < r->fts_probe &&
		    (rc = sqlite3_step(p->fts)) == SQLITE_ROW)
			n++;
	sqlite3_finalize(p->fts);
	p->fts = NULL;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		searchrun_step_failed(r, p, rc);
		return -1;
	}
	if (rc == SQLITE_DONE)
		return daypart_prepare(r, p, &r->sqlf, &p->st);
	p->plan = P_WALK;
	return daypart_prepare(r, p, &r->probe, &p->fts) == -1 ||
	    daypart_prepare(r, p, &r->walk, &p->st) == -1 ||
	    daypart_prepare(r, p, &r->verify, &p->verify) == -1 ||
	    daypart_prepare(r, p, &r->check, &p->check) == -1 ? -1 : 0;
}

/* Compare the current rows of two partitions in output order: by the
   sort key (column 3) when sorting, else utc (column 1); then id. */
static int
row_cmp(const struct run *r, sqlite3_stmt *a, sqlite3_stmt *b)
{
	int64_t	 x, y;
	int	 c = 0, ta, tb, desc = 1;

	if (r->q->has_sort) {
		desc = r->q->sort_desc;
		ta = sqlite3_column_type(a, 3);
		tb = sqlite3_column_type(b, 3);
		if (ta == SQLITE_FLOAT)
			ta = SQLITE_INTEGER;
		if (tb == SQLITE_FLOAT)
			tb = SQLITE_INTEGER;
		if (ta != tb)	/* NULL < numbers < text < blob */
			c = ta == SQLITE_NULL ? -1 : tb == SQLITE_NULL ? 1 :
			    ta < tb ? -1 : 1;
		else if (ta == SQLITE_INTEGER) {
			double da = sqlite3_column_double(a, 3);
			double db = sqlite3_column_double(b, 3);

			c = da < db ? -1 : da > db;
		} else if (ta == SQLITE_TEXT) {
			const char *sa = (const char *)sqlite3_column_text(a, 3);
			const char *sb = (const char *)sqlite3_column_text(b, 3);

			c = r->q->sort.type == QUERY_F_JSON ||
			    r->q->sort.type == QUERY_F_SUMMARY ?
			    strcmp(sa, sb) : strcasecmp(sa, sb);
		}
	} else {
		x = sqlite3_column_int64(a, 1);
		y = sqlite3_column_int64(b, 1);
		c = x < y ? -1 : x > y;
	}
	if (c == 0) {
		x = sqlite3_column_int64(a, 0);
		y = sqlite3_column_int64(b, 0);
		c = x < y ? -1 : x > y;
	}
	return desc ? -c : c;
}

/*
 * Build the statements of an events search: r->sql (the whole filter in
 * SQL), and with an FTS expression and no sort, r->sqlf (rows the FTS
 * index yields, sorted), r->probe, r->walk, r->verify and r->check.
 */
static int
events_sql(struct run *r)
{
	const char *dir = r->q->has_sort && !r->q->sort_desc ? "ASC" : "DESC";
	struct sql *s;
	int	 k;

	/* r->sql, and r->sqlrow the same on each row's own document. */
	for (k = 0; k < 2; k++) {
		s = k == 0 ? &r->sql : &r->sqlrow;
		searchsql_put(s, "SELECT id, utc, doc");
		if (r->q->has_sort) {
			searchsql_put(s, ", ");
			searchsql_key(s, &r->q->sort, 0);
		}
		searchsql_put(s, " FROM events_full");
		searchsql_where(s, r->q->root, k == 0 ? T_SQL : T_ROW,
		    r->since, r->until);
		if (r->q->has_sort) {
			searchsql_put(s, " ORDER BY 4 ");
			searchsql_put(s, dir);
			searchsql_put(s, ", id ");
			searchsql_put(s, dir);
		} else
			searchsql_put(s, " ORDER BY " TIME_ORDER);
		/* One row past the limit: a partition that still has one
		   when the limit is reached says the search was cut
		   (info->limited). */
		searchsql_put(s, " LIMIT ");
		searchsql_int(s, (int64_t)r->limit + 1);
	}
	if (r->fts != NULL && !r->q->has_sort) {
		s = &r->sqlf;
		searchsql_put(s, "SELECT id, utc, doc FROM (SELECT rowid AS"
		    " fid FROM fts WHERE fts MATCH ");
		searchsql_owned(s, strdup(r->fts));
		searchsql_put(s, ") AS m CROSS JOIN events_full ON"
		    " events_full.id = m.fid");
		searchsql_where(s, r->q->root, T_COVERED, r->since,
		    r->until);
		searchsql_put(s, " ORDER BY utc DESC, id DESC LIMIT ");
		searchsql_int(s, (int64_t)r->limit + 1);

		s = &r->count;
		searchsql_put(s, "SELECT rowid FROM fts WHERE fts MATCH ");
		searchsql_owned(s, strdup(r->fts));

		s = &r->probe;
		searchsql_put(s, "SELECT rowid FROM fts WHERE fts MATCH ");
		searchsql_owned(s, strdup(r->fts));
		searchsql_put(s, " ORDER BY rowid DESC");

		s = &r->walk;
		searchsql_put(s, "SELECT id, utc FROM events_full WHERE 1");
		searchsql_bounds(s, r->since, r->until);
		searchsql_put(s, " ORDER BY " TIME_ORDER);

		s = &r->verify;
		searchsql_put(s, "SELECT id, utc, doc FROM events_full"
		    " WHERE id = ");
		searchsql_int(s, 0);
		searchsql_put(s, " AND ");
		searchsql_compile(s, r->q->root, T_COVERED, 1);

		s = &r->check;
		searchsql_put(s, "SELECT id, utc, doc FROM events_full"
		    " WHERE id = ");
		searchsql_int(s, 0);
		searchsql_put(s, " AND ");
		searchsql_compile(s, r->q->root, T_ROW, 1);
	} else {
		free(r->fts);
		r->fts = NULL;
	}
	if (r->sql.nomem || r->sqlrow.nomem || r->sqlf.nomem || r->count.nomem ||
	    r->probe.nomem ||
	    r->walk.nomem || r->verify.nomem || r->check.nomem) {
		searchrun_seterr(r, SEARCH_EUNAVAIL, "out of memory");
		return -1;
	}
	return 0;
}

static int
run_events(struct run *r)
{
	struct part *best;
	size_t	 i, next = 0;

	if (events_sql(r) == -1)
		return -1;
	/* Newest partitions (by their newest event) first. */
	daypart_sort_newest(r);
	while (r->info->rows < r->limit) {
		best = NULL;
		for (;;) {
			for (i = 0; i < next; i++) {
				struct part *p = &r->parts[i];

				if (p->has_row && (best == NULL ||
				    row_cmp(r, p->cur, best->cur) < 0))
					best = p;
			}
			/* Open the next partition when it may hold a row
			   that comes before the best one (any row, when
			   sorting on another key). */
			if (next == r->nparts || (best != NULL &&
			    !r->q->has_sort && r->parts[next].max_utc <
			    sqlite3_column_int64(best->cur, 1)))
				break;
			if (part_start(r, &r->parts[next]) == -1 ||
			    part_step(r, &r->parts[next]) == -1)
				return -1;
			r->info->partitions++;
			next++;
		}
		if (best == NULL)
			return 0;
		if (emit_event(r, best->cur) == -1)
			return r->stopped ? 0 : -1;
		if (part_step(r, best) == -1)
			return -1;
		if (best->done)
			daypart_close(r, best);
		if (searchrun_past(r)) {
			searchrun_timed_out(r);
			return -1;
		}
	}
	for (i = 0; i < next; i++)
		if (r->parts[i].has_row)
			r->info->limited = 1;
	if (next < r->nparts)
		r->info->limited = 1;
	return 0;
}

/* ---- entry points ----------------------------------------------------- */

/* search_exec() once; *ix_damaged set when it failed on a day's index
   file found damaged (searchrun.c). */
static int
search_once(const char *datadir, const struct query *q,
    const struct search_opts *o, search_emit emitfn, void *arg,
    struct search_info *info, char *err, size_t errlen, int *ix_damaged)
{
	struct run r;
	size_t	 max;
	int	 ms, rc = -1, nomem = 0;

	memset(info, 0, sizeof(*info));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&r, 0, sizeof(r));
	r.q = q;
	r.o = o;
	r.emit = emitfn;
	r.arg = arg;
	r.info = info;
	r.err = err;
	r.errlen = errlen;
	r.since = o->since_us;
	r.until = o->until_us;
	searchsql_time_bounds(q->root, &r.since, &r.until);
	max = o->max_limit > 0 ? o->max_limit : SEARCH_LIMIT_MAX;
	r.limit = o->limit > 0 ? o->limit : SEARCH_LIMIT_DEFAULT;
	if (q->head > 0 && q->head < r.limit)
		r.limit = q->head;
	if (r.limit > max)
		r.limit = max;
	r.max_groups = o->max_groups > 0 ? o->max_groups : SEARCH_GROUPS_MAX;
	ms = o->timeout_ms > 0 ? o->timeout_ms : SEARCH_TIMEOUT_MS;
	deadline_after(CLOCK_MONOTONIC, (int64_t)ms * 1000, &r.deadline);
	r.fts_probe = o->fts_probe > 0 ? o->fts_probe : FTS_PROBE;
	pthread_mutex_init(&r.mtx, NULL);
	searchsql_init(&r.sql);
	searchsql_init(&r.sqlrow);
	searchsql_init(&r.sqlf);
	searchsql_init(&r.count);
	searchsql_init(&r.probe);
	searchsql_init(&r.walk);
	searchsql_init(&r.verify);
	searchsql_init(&r.check);
	buf_init(&r.line);
	r.fts = searchsql_fts(q->root, 0, &nomem);
	/* The index may trail the acknowledged events by a few commits:
	   a search that reads it sees everything acknowledged before it
	   began. */
	r.ix_unsure = o->index == NULL;
	if (o->index != NULL && (r.fts != NULL ||
	    searchsql_has_text(q->root)) &&
	    textindex_wait(o->index, ms) == -1) {
		log_warn("search: the text index is slow; the events it lacks "
		    "are read one by one");
		r.ix_unsure = 1;
	}
	if (nomem) {
		searchrun_seterr(&r, SEARCH_EUNAVAIL, "out of memory");
		rc = -1;
	} else if (r.since != 0 && r.until != 0 && r.since >= r.until) {
		/* Nothing can match. */
		if (q->agg == QUERY_AGG_COUNT)
			searchrun_out(&r, "{\"count\":0}", 11);
		rc = 0;
	} else if (daypart_prune(), daypart_list(&r, datadir) == 0) {
		rc = q->agg == QUERY_AGG_NONE ? run_events(&r) :
		    aggregate_run(&r);
		/* Say what it could not read rather than return less. */
		daypart_archived(&r, datadir);
	}
	info->timed_out = r.timed_out;
	*ix_damaged = atomic_load(&r.ix_damaged);
	daypart_close_all(&r);
	searchsql_release(&r.sql);
	searchsql_release(&r.sqlrow);
	searchsql_release(&r.sqlf);
	searchsql_release(&r.count);
	searchsql_release(&r.probe);
	searchsql_release(&r.walk);
	searchsql_release(&r.verify);
	searchsql_release(&r.check);
	free(r.fts);
	buf_release(&r.line);
	pthread_mutex_destroy(&r.mtx);
	if (rc == -1 && info->error == SEARCH_OK) {
		info->error = SEARCH_EFAIL;
		errf(err, errlen, "search failed");
	}
	return rc;
}

int
search_exec(const char *datadir, const struct query *q,
    const struct search_opts *o, search_emit emitfn, void *arg,
    struct search_info *info, char *err, size_t errlen)
{
	static const struct search_opts defaults;
	struct search_info scratch;
	int	 rc, damaged = 0;

	if (o == NULL)
		o = &defaults;
	if (info == NULL)
		info = &scratch;
	rc = search_once(datadir, q, o, emitfn, arg, info, err, errlen,
	    &damaged);
	/* A day's index file found damaged as it was read: the text index
	   rebuilds it and, until it is replaced, says not to read it
	   (textindex_unusable()), so the same search, run again, reads that
	   day without it.  Only when nothing was sent yet: lines sent
	   cannot be taken back, and the error says to search again. */
	if (rc == -1 && damaged && info->rows == 0 && o->index != NULL &&
	    !info->timed_out)
		rc = search_once(datadir, q, o, emitfn, arg, info, err, errlen,
		    &damaged);
	return rc;
}

int
search_http_status(enum search_error e)
{
	switch (e) {
	case SEARCH_OK:		return 200;
	case SEARCH_EQUERY:	return 400;
	case SEARCH_ETIMEOUT:	return 504;
	case SEARCH_EUNAVAIL:	return 503;
	default:		return 500;
	}
}

int
search_run(const char *datadir, const char *text,
    const struct search_opts *o, search_emit emitfn, void *arg,
    struct search_info *info, char *err, size_t errlen, int *errpos)
{
	struct query_error qe;
	struct query *q;
	int	 rc;

	if (errpos != NULL)
		*errpos = -1;
	if (query_parse(text, o != NULL && o->now_us != 0 ? o->now_us :
	    time_now_us(), &q, &qe) == -1) {
		if (info != NULL)
			memset(info, 0, sizeof(*info));
		if (qe.expected[0] != '\0' &&
		    strstr(qe.msg, qe.expected) == NULL)
			errf(err, errlen, "%s (expected %s)", qe.msg,
			    qe.expected);
		else
			errf(err, errlen, "%s", qe.msg);
		if (errpos != NULL)
			*errpos = qe.pos;
		if (info != NULL)
			info->error = SEARCH_EQUERY;
		return -1;
	}
	rc = search_exec(datadir, q, o, emitfn, arg, info, err, errlen);
	query_free(q);
	return rc;
}

