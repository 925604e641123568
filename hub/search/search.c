/*
 * search — compile a query's AST to parameterised SQL and run it over the
 * day partitions.
 *
 * No text of the query ever becomes SQL text: values, field paths and FTS5
 * expressions are bound as parameters, and the leaves SQL cannot express
 * exactly (wildcards, CIDR, fields inside the JSON document, phrases) call
 * back into proto/query.c through two SQL functions that receive their AST
 * node as a bound pointer, so SQL and query_match() share one meaning.
 *
 * Rows.  The SQL reads events_full (the narrow events joined with docs):
 * SQLite drops the join when the statement never names doc or summary,
 * so filters, count by and top on the other typed columns and the facets
 * (hub/schema.h) read only the narrow rows; a facet stands in for doc -> '$.PATH' with the same
 * text.  Partitions of the layout before facets get temp views of the
 * same names and shape (layout_setup()).
 *
 * Plans.  Only utc is indexed besides the FTS table (hub/schema.h), so the
 * filter is first reduced to an FTS5 expression it implies, when it has
 * one (fts_cond(): its words, and the words of an equality on a field the
 * FTS "text" column holds, joined as the filter joins them); every row
 * that expression admits is then checked against the exact filter.
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
 * Aggregations read the matching rows of each partition, driven by the
 * FTS index when there is an expression.  count and histogram count in
 * SQL; count by and top group the rows in C (a bounded hash table per
 * thread, partitions shared among AGG_THREADS threads, merged at the end;
 * see run_groups()).
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
 *
 * Each partition's time range is read from its meta table once and kept
 * in a process-wide cache for partitions of days before yesterday (keyed
 * on the files' identity, size and mtime), so a search opens only the
 * partitions it reads.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
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

#include "archive.h"
#include "buf.h"
#include "deadline.h"
#include "jsonfast.h"
#include "normalize.h"
#include "query.h"
#include "schema.h"
#include "log.h"
#include "search.h"
#include "store.h"
#include "textindex.h"
#include "timeparse.h"

#define NODE_PTR	"ward_query_node"
#define MAX_PARTS	36500	/* a century of days */
#define BUSY_MS		2000
#define FTS_PROBE	4000	/* FTS matches a partition reads and sorts;
				   past this it walks utc */
#define EXT_BASE	4000	/* FTS rowids a walk may read for free */
#define EXT_PER_CHECK	10	/* more for each row checked on its own
				   (about what one such check costs in a
				   partition still being written, whose
				   FTS index is in many small segments) */
#define BITS_MAX	(1 << 25) /* ids a walk's bitmap may span (4 MB) */
#define CACHE_MAX	4096	/* partitions whose meta is cached */
#define POOL_MAX	32	/* idle connections kept */
#define MMAP_BYTES	"2147418112"	/* mapped, at most */
#define CACHE_KIB	"-2048"	/* an unmapped one's page cache, KiB */
#define FTS_COND_MAX_DEPTH 24	/* AND/OR levels in an implied FTS5 prefilter */
#define AGG_THREADS	2	/* threads a count by runs partitions on,
				   when opts->threads is 0 */

enum bind_type { B_INT, B_TEXT, B_PTR };

struct bind {
	enum bind_type	 type;
	int64_t		 i;
	char		*s;		/* owned */
	const void	*ptr;
};

/* One statement's SQL text and its parameters, in order. */
struct sql {
	struct buf	 text;
	struct bind	*b;
	size_t		 n, cap;
	int		 nomem;
	int		 doc;		/* it reads docs: doc or summary */
};

/* How compile() turns full-text nodes into SQL. */
enum tmode {
	T_SQL,		/* id IN (FTS matches): a whole set at once */
	T_ROW,		/* ward_text() on the row's own document */
	T_COVERED	/* T_ROW, but a one-word node ANDed at the top is
			   true: the FTS expression driving the rows holds
			   it */
};

enum plan {
	P_SQL,		/* one statement: rows in output order */
	P_WALK		/* utc index + FTS bitmap + checks by id */
};

struct part {
	char		 name[16];	/* YYYY-MM-DD.db */
	int64_t		 min_utc, max_utc, count;
	sqlite3		*db;
	int		 mapped;	/* db maps the file (part_open()) */
	int		 behind;	/* its index lacks rows past ixmark */
	int64_t		 ixmark;
	enum plan	 plan;
	sqlite3_stmt	*st;		/* P_SQL rows; P_WALK (id, utc) */
	sqlite3_stmt	*cur;		/* holds the current row: id, utc,
					   doc[, sort key] */
	int		 has_row;	/* cur holds a row */
	int		 done;
	/* P_WALK */
	sqlite3_stmt	*fts;		/* matching rowids, newest first */
	sqlite3_stmt	*verify;	/* by id, FTS match known */
	sqlite3_stmt	*check;		/* by id, nothing known */
	uint64_t	*bits;		/* bit k: id top - k matches */
	size_t		 nwords;
	int64_t		 top;		/* highest matching id */
	int64_t		 lo;		/* every match >= lo is in bits */
	int		 fts_done;	/* every match is in bits */
	size_t		 nread;		/* rowids read from fts */
	size_t		 nchecks;	/* rows checked on their own */
	struct stat	 sb;		/* the file opened */
};

struct run {
	const struct query	*q;
	const struct search_opts *o;
	search_emit		 emit;
	void			*arg;
	struct search_info	*info;
	char			*err;
	size_t			 errlen;
	int64_t			 since, until;	/* utc bounds; 0 open */
	struct timespec		 deadline;
	atomic_int		 timed_out;	/* set from any thread */
	pthread_mutex_t		 mtx;		/* err, info->partitions and
						   next_part, while workers
						   run */
	size_t			 next_part;	/* count by: the next
						   partition a worker takes */
	size_t			 limit;
	size_t			 max_groups;
	size_t			 fts_probe;
	int			 ix_unsure;	/* the index may lack any day's
						   acknowledged rows (no index
						   to ask, or its wait timed
						   out) */
	char			 dir[4096];	/* datadir/events */
	struct part		*parts;
	size_t			 nparts;
	char			*fts;		/* FTS expression the filter
						   implies, or NULL */
	struct sql		 sql;		/* P_SQL without FTS */
	struct sql		 sqlrow;	/* sql for a partition behind:
						   every row checked on its own
						   (T_ROW) */
	struct sql		 sqlf;		/* P_SQL driven by FTS */
	struct sql		 count;		/* FTS rowids, any order */
	struct sql		 probe;		/* FTS rowids, newest first */
	struct sql		 walk;		/* P_WALK: (id, utc) */
	struct sql		 verify;	/* P_WALK: row by id */
	struct sql		 check;		/* P_WALK: row by id */
	struct buf		 line;
	int			 stopped;	/* emit said stop */
};

/* ---- SQL building ----------------------------------------------------- */

static void
sql_init(struct sql *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->text);
}

static void
sql_release(struct sql *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->b[i].s);
	free(s->b);
	buf_release(&s->text);
	memset(s, 0, sizeof(*s));
}

static void
sql_put(struct sql *s, const char *t)
{
	if (buf_puts(&s->text, t) == -1)
		s->nomem = 1;
}

static struct bind *
sql_bind(struct sql *s, enum bind_type type)
{
	struct bind *nb;
	size_t	 cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 16;
		if ((nb = reallocarray(s->b, cap, sizeof(*nb))) == NULL) {
			s->nomem = 1;
			return NULL;
		}
		s->b = nb;
		s->cap = cap;
	}
	nb = &s->b[s->n++];
	memset(nb, 0, sizeof(*nb));
	nb->type = type;
	sql_put(s, "?");
	return nb;
}

static void
bind_int(struct sql *s, int64_t v)
{
	struct bind *b;

	if ((b = sql_bind(s, B_INT)) != NULL)
		b->i = v;
}

static void
bind_ptr(struct sql *s, const void *p)
{
	struct bind *b;

	if ((b = sql_bind(s, B_PTR)) != NULL)
		b->ptr = p;
}

/* Bind text the caller gives away (freed here on failure). */
static void
bind_owned(struct sql *s, char *t)
{
	struct bind *b;

	if (t == NULL) {
		s->nomem = 1;
		return;
	}
	if ((b = sql_bind(s, B_TEXT)) == NULL) {
		free(t);
		return;
	}
	b->s = t;
}

/* A field path as a JSON path "$.a.b"; query_field_valid() holds for it,
   so it only has [A-Za-z0-9_.-]. */
static void
bind_path(struct sql *s, const struct query_field *f)
{
	char	*p;

	if (!query_field_valid(f->path)) {
		s->nomem = 1;
		return;
	}
	if (asprintf(&p, "$.%s", f->path) == -1)
		p = NULL;
	bind_owned(s, p);
}

static const char *
column(enum query_ftype t)
{
	switch (t) {
	case QUERY_F_UTC:		return "utc";
	case QUERY_F_RECEIVED:		return "received";
	case QUERY_F_SEVERITY:		return "severity";
	case QUERY_F_CATEGORY:		return "category";
	case QUERY_F_HOSTNAME:		return "hostname";
	case QUERY_F_PROCESSNAME:	return "processname";
	case QUERY_F_SOURCE:		return "source";
	case QUERY_F_SUMMARY:		return "summary";
	default:			return NULL;
	}
}

#define FACET_ENTRY(col, path)	{ #col, path },
static const struct {
	const char	*col, *path;
} facets[SCHEMA_FACET_COUNT] = { SCHEMA_FACETS(FACET_ENTRY) };

/* The facet column holding f (its doc -> '$.PATH' text), or NULL. */
static const char *
facet(const struct query_field *f)
{
	size_t	 i;

	if (f->type != QUERY_F_JSON)
		return NULL;
	for (i = 0; i < SCHEMA_FACET_COUNT; i++)
		if (strcmp(f->path, facets[i].path) == 0)
			return facets[i].col;
	return NULL;
}

/* doc -> '$.PATH' for JSON field f: its facet column if it has one. */
static void
json_sql(struct sql *s, const struct query_field *f)
{
	const char *col = facet(f);

	if (col != NULL)
		sql_put(s, col);
	else {
		sql_put(s, "(doc -> ");
		bind_path(s, f);
		sql_put(s, ")");
		s->doc = 1;
	}
}

/* ", summary)" or ", doc)": what ward_text() reads for TEXT node n. */
static void
doc_arg(struct sql *s, const struct query_node *n)
{
	if (n->field.type == QUERY_F_SUMMARY)
		sql_put(s, ", summary)");
	else {
		sql_put(s, ", doc)");
		s->doc = 1;
	}
}

/* An FTS5 expression for the words of a TEXT node: each word a quoted
   string (words hold no '"'), joined by AND; phrases are checked after. */
static char *
fts_expr(const struct query_node *n)
{
	struct buf b;
	size_t	 k;

	buf_init(&b);
	if (n->field.type == QUERY_F_SUMMARY)
		buf_puts(&b, "{summary} : (");
	for (k = 0; k < n->ntokens; k++) {
		if (k > 0)
			buf_puts(&b, " AND ");
		buf_puts(&b, "\"");
		buf_puts(&b, n->tokens[k]);
		buf_puts(&b, "\"");
	}
	if (n->prefix_last)
		buf_puts(&b, " *");
	if (n->field.type == QUERY_F_SUMMARY)
		buf_puts(&b, ")");
	if (b.data == NULL || buf_puts(&b, "") == -1) {
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

static void
range_sql(struct sql *s, const char *col, const struct query_node *n)
{
	int	 any = 0;

	sql_put(s, "(");
	if (n->range & QUERY_LO) {
		sql_put(s, col);
		sql_put(s, n->range & QUERY_LO_INCL ? " >= " : " > ");
		bind_int(s, (int64_t)n->lo);
		any = 1;
	}
	if (n->range & QUERY_HI) {
		if (any)
			sql_put(s, " AND ");
		sql_put(s, col);
		sql_put(s, n->range & QUERY_HI_INCL ? " <= " : " < ");
		bind_int(s, (int64_t)n->hi);
		any = 1;
	}
	if (!any)
		sql_put(s, "1");
	sql_put(s, ")");
}

/*
 * The SQL for node n.  mode says how full-text nodes are tested; top is 1
 * while n is reached from the root through AND nodes only.
 */
static void compile(struct sql *, const struct query_node *, enum tmode,
    int);

/* A run of kind (AND or OR) as one flat list, so that many terms do not
   nest parentheses past SQLite's parser stack. */
static void
compile_chain(struct sql *s, const struct query_node *n,
    enum query_kind kind, enum tmode mode, int top)
{
	if (n->kind != kind) {
		compile(s, n, mode, top);
		return;
	}
	compile_chain(s, n->a, kind, mode, top);
	sql_put(s, kind == QUERY_AND ? " AND " : " OR ");
	compile_chain(s, n->b, kind, mode, top);
}

static void
compile(struct sql *s, const struct query_node *n, enum tmode mode, int top)
{
	const char *col = column(n->field.type);
	int	 r;

	if (n->field.type == QUERY_F_SUMMARY)
		s->doc = 1;	/* summary is in docs (hub/schema.h) */

	switch (n->kind) {
	case QUERY_ALL:
		sql_put(s, "1");
		return;
	case QUERY_AND:
	case QUERY_OR:
		sql_put(s, "(");
		compile_chain(s, n, n->kind, mode, top && n->kind == QUERY_AND);
		sql_put(s, ")");
		return;
	case QUERY_NOT:
		sql_put(s, "(NOT ");
		compile(s, n->a, mode, 0);
		sql_put(s, ")");
		return;
	case QUERY_TEXT:
		if (mode == T_COVERED && top && n->ntokens == 1) {
			sql_put(s, "1");
			return;
		}
		if (mode != T_SQL) {
			sql_put(s, "ward_text(");
			bind_ptr(s, n);
			doc_arg(s, n);
			return;
		}
		sql_put(s, "(id IN (SELECT rowid FROM fts WHERE fts MATCH ");
		bind_owned(s, fts_expr(n));
		sql_put(s, ")");
		if (n->ntokens > 1) {
			/* FTS5 without positions cannot test a phrase. */
			sql_put(s, " AND ward_text(");
			bind_ptr(s, n);
			doc_arg(s, n);
		}
		sql_put(s, ")");
		return;
	case QUERY_EXISTS:
		switch (n->field.type) {
		case QUERY_F_UTC:
		case QUERY_F_RECEIVED:
		case QUERY_F_SEVERITY:
			sql_put(s, "1");
			return;
		case QUERY_F_JSON:
			sql_put(s, "(ifnull(");
			json_sql(s, &n->field);
			sql_put(s, ", 'null') <> 'null')");
			return;
		default:
			sql_put(s, "(");
			sql_put(s, col);
			sql_put(s, " IS NOT NULL)");
			return;
		}
	case QUERY_TERM:
		break;
	}
	switch (n->field.type) {
	case QUERY_F_UTC:
	case QUERY_F_RECEIVED:
		range_sql(s, col, n);
		return;
	case QUERY_F_SEVERITY:
		if (n->op == QUERY_RANGE) {
			range_sql(s, col, n);
			return;
		}
		for (r = 0; r < 8; r++)
			if (n->sevmask == 1u << r) {
				sql_put(s, "(severity = ");
				bind_int(s, r);
				sql_put(s, ")");
				return;
			}
		sql_put(s, "((");
		bind_int(s, n->sevmask);
		sql_put(s, " >> severity) & 1)");
		return;
	case QUERY_F_JSON:
		sql_put(s, "ward_leaf(");
		bind_ptr(s, n);
		sql_put(s, ", ");
		json_sql(s, &n->field);
		sql_put(s, ", 1)");
		return;
	default:
		if (n->op == QUERY_EQ) {
			sql_put(s, "(");
			sql_put(s, col);
			sql_put(s, " IS ");
			bind_owned(s, strdup(n->value));
			sql_put(s, ")");
			return;
		}
		sql_put(s, "ward_leaf(");
		bind_ptr(s, n);
		sql_put(s, ", ");
		sql_put(s, col);
		sql_put(s, ", 0)");
		return;
	}
}

/* ---- the FTS expression a filter implies ------------------------------ */

/* The top-level fields whose values the FTS "text" column holds
   (hub/ingest/pipeline.c, query_fts_text()). */
static const char *text_keys[] = { "hostname", "processname", "category",
    "source", "tags", "details", "processid" };

struct words {
	struct buf	 b;
	size_t		 n;
	int		 bad;	/* a word FTS5 might split otherwise */
};

static int
add_word(void *arg, const char *w, size_t len)
{
	struct words *ws = arg;
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)w[i]))
			ws->bad = 1;
	if ((ws->n > 0 && buf_puts(&ws->b, " AND ") == -1) ||
	    buf_puts(&ws->b, "\"") == -1 || buf_append(&ws->b, w, len) == -1 ||
	    buf_puts(&ws->b, "\"") == -1)
		ws->bad = 1;
	ws->n++;
	return ws->bad;
}

/*
 * Is an equality term's value sure to appear, word for word, in the FTS
 * text of every event it matches?  Its field must be a typed text column
 * (compared as text) or a path under one of text_keys compared as a
 * string: a numeric or boolean value may match a value written otherwise
 * (1e3, true), which FTS would not find.
 */
static int
eq_in_text(const struct query_node *n)
{
	const char *p = n->field.path, *dot;
	size_t	 k, len;

	if (n->kind != QUERY_TERM || n->op != QUERY_EQ || n->value == NULL)
		return 0;
	switch (n->field.type) {
	case QUERY_F_CATEGORY:
	case QUERY_F_HOSTNAME:
	case QUERY_F_PROCESSNAME:
	case QUERY_F_SOURCE:
		return 1;
	case QUERY_F_JSON:
		break;
	default:
		return 0;
	}
	if (n->numeric || strcasecmp(n->value, "true") == 0 ||
	    strcasecmp(n->value, "false") == 0 || p == NULL)
		return 0;
	dot = strchr(p, '.');
	len = dot != NULL ? (size_t)(dot - p) : strlen(p);
	for (k = 0; k < sizeof(text_keys) / sizeof(text_keys[0]); k++)
		if (strlen(text_keys[k]) == len &&
		    strncmp(text_keys[k], p, len) == 0)
			return 1;
	return 0;
}

/* Does n search the full text (a bare word or phrase) anywhere? */
static int
has_text(const struct query_node *n)
{
	if (n == NULL)
		return 0;
	switch (n->kind) {
	case QUERY_TEXT:
		return 1;
	case QUERY_AND:
	case QUERY_OR:
		return has_text(n->a) || has_text(n->b);
	case QUERY_NOT:
		return has_text(n->a);
	default:
		return 0;
	}
}

/*
 * An FTS5 expression every event matching n also matches, or NULL when
 * there is none (or memory ran out: *nomem is set).
 */
static char *
fts_cond(const struct query_node *n, int depth, int *nomem)
{
	struct words ws;
	char	*a, *b, *out;

	/* Deeper, FTS5's parser runs out of stack ("parser stack
	   overflow"); leaving a part out keeps the prefilter implied. */
	if (depth > FTS_COND_MAX_DEPTH)
		return NULL;
	switch (n->kind) {
	case QUERY_TEXT:
		if (n->ntokens == 0)
			return NULL;
		if ((out = fts_expr(n)) == NULL)
			*nomem = 1;
		return out;
	case QUERY_TERM:
		if (!eq_in_text(n))
			return NULL;
		memset(&ws, 0, sizeof(ws));
		buf_init(&ws.b);
		buf_puts(&ws.b, "{text} : (");
		query_words(n->value, strlen(n->value), add_word, &ws);
		if (ws.bad || ws.n == 0 || buf_puts(&ws.b, ")") == -1) {
			buf_release(&ws.b);
			return NULL;
		}
		return buf_steal(&ws.b, NULL);
	case QUERY_AND:
	case QUERY_OR:
		a = fts_cond(n->a, depth + 1, nomem);
		b = fts_cond(n->b, depth + 1, nomem);
		out = NULL;
		if (a != NULL && b != NULL) {
			if (asprintf(&out, "(%s) %s (%s)", a, n->kind ==
			    QUERY_AND ? "AND" : "OR", b) == -1) {
				out = NULL;
				*nomem = 1;
			}
		} else if (n->kind == QUERY_AND) {
			out = a != NULL ? a : b;
			return out;
		}
		free(a);
		free(b);
		return out;
	default:
		return NULL;
	}
}

/* The expression a field groups or sorts by. */
static void
key_sql(struct sql *s, const struct query_field *f, int json_text)
{
	const char *col = column(f->type);

	if (col != NULL) {
		sql_put(s, col);
		return;
	}
	if (json_text)
		json_sql(s, f);
	else if ((col = facet(f)) != NULL) {
		sql_put(s, "(");
		sql_put(s, col);
		sql_put(s, " ->> '$')");
	} else {
		sql_put(s, "json_extract(doc, ");
		bind_path(s, f);
		sql_put(s, ")");
		s->doc = 1;
	}
}

static int
apply_binds(struct run *r, sqlite3_stmt *st, const struct sql *s)
{
	size_t	 i;
	int	 rc = SQLITE_OK;

	for (i = 0; i < s->n && rc == SQLITE_OK; i++) {
		const struct bind *b = &s->b[i];

		switch (b->type) {
		case B_INT:
			rc = sqlite3_bind_int64(st, (int)i + 1, b->i);
			break;
		case B_TEXT:
			rc = sqlite3_bind_text(st, (int)i + 1, b->s, -1,
			    SQLITE_STATIC);
			break;
		case B_PTR:
			rc = sqlite3_bind_pointer(st, (int)i + 1,
			    (void *)b->ptr, NODE_PTR, NULL);
			break;
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/* ---- SQL functions ---------------------------------------------------- */

/* ward_leaf(node, value, is_json): value is JSON text (doc -> path) when
   is_json, else a column's text. */
static void
fn_leaf(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct query_node *n;
	const char *t;
	json_t	*v;
	int	 len;

	n = sqlite3_value_pointer(argv[0], NODE_PTR);
	if (n == NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	t = (const char *)sqlite3_value_text(argv[1]);
	len = sqlite3_value_bytes(argv[1]);
	if (t == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_int(argv[2]))
		v = json_loadb(t, (size_t)len, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, NULL);
	else
		v = json_stringn_nocheck(t, (size_t)len);
	sqlite3_result_int(ctx, v != NULL && query_match_value(n, v));
	json_decref(v);
	(void)argc;
}

/* ward_text(node, text): the words of a phrase, next to each other, in
   the summary (node on summary) or in the document. */
static void
fn_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct query_node *n;
	const char *t;
	json_t	*v;
	int	 len;

	n = sqlite3_value_pointer(argv[0], NODE_PTR);
	if (n == NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	t = (const char *)sqlite3_value_text(argv[1]);
	len = sqlite3_value_bytes(argv[1]);
	if (t == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (n->field.type == QUERY_F_SUMMARY)
		v = json_stringn_nocheck(t, (size_t)len);
	else
		v = json_loadb(t, (size_t)len, 0, NULL);
	sqlite3_result_int(ctx, v != NULL && query_match_text(n, v));
	json_decref(v);
	(void)argc;
}

/* ward_get(doc, path): the text of the value at path ("details.user") in
   the JSON document doc as it stands there (what doc -> '$.path' gives
   for ward's compact documents), or NULL when there is none.  The
   document is read as a blob: SQLite need not copy it to terminate it. */
static void
fn_get(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *doc, *path, *v;
	size_t	 vlen;
	int	 rc;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    (path = (const char *)sqlite3_value_text(argv[1])) == NULL)
		return;
	doc = sqlite3_value_blob(argv[0]);
	rc = jsonfast_get(doc != NULL ? doc : "", (size_t)sqlite3_value_bytes(
	    argv[0]), path, &v, &vlen);
	if (rc == 1)
		sqlite3_result_text(ctx, v, (int)vlen, SQLITE_TRANSIENT);
	else if (rc == -1)
		sqlite3_result_error(ctx, "malformed JSON", -1);
}

/* ---- time budget ------------------------------------------------------ */

static int
past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec ==
	    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static int
progress(void *arg)
{
	struct run *r = arg;

	if (past(&r->deadline)) {
		r->timed_out = 1;
		return 1;
	}
	if (r->o->cancel != NULL && atomic_load(r->o->cancel))
		return 1;	/* the caller will not read the answer */
	return 0;
}

/* ---- partitions ------------------------------------------------------- */

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

static void
seterr(struct run *r, enum search_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first error wins: its message and its kind. */
static void
seterr(struct run *r, enum search_error code, const char *fmt, ...)
{
	va_list	 ap;

	pthread_mutex_lock(&r->mtx);
	if (r->info->error == SEARCH_OK) {
		r->info->error = code;
		if (r->err != NULL && r->errlen > 0) {
			va_start(ap, fmt);
			vsnprintf(r->err, r->errlen, fmt, ap);
			va_end(ap);
		}
	}
	pthread_mutex_unlock(&r->mtx);
}

/* The kind of a failure SQLite reported (rc, or the connection's last):
   a damaged file, the time limit, or the store unreadable now (disk
   full, I/O, busy, memory, a file missing). */
static enum search_error
db_error(sqlite3 *db, int rc)
{
	if (rc == SQLITE_OK && db != NULL)
		rc = sqlite3_errcode(db);
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
		return SEARCH_EFAIL;
	case SQLITE_INTERRUPT:
		return SEARCH_ETIMEOUT;
	default:
		return SEARCH_EUNAVAIL;
	}
}

/* Report SQLite's failure rc (0: the connection's last) on p. */
static void
seterr_db(struct run *r, const struct part *p, int rc)
{
	seterr(r, db_error(p->db, rc), "%s: %s", p->name, p->db != NULL ?
	    sqlite3_errmsg(p->db) : "cannot open");
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
	int		 mapped;	/* see part_open() */
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

/* Close idle connections whose file is gone or replaced. */
static void
pool_prune(void)
{
	struct stat sb;
	size_t	 i;

	pthread_mutex_lock(&pool_mtx);
	for (i = 0; i < pool_n; )
		if (stat(pool[i].path, &sb) == -1 ||
		    sb.st_dev != pool[i].dev || sb.st_ino != pool[i].ino)
			pool_drop(i);
		else
			i++;
	pthread_mutex_unlock(&pool_mtx);
}

/* Take an idle connection to path (that file), mapped or not; NULL if
   none. */
static sqlite3 *
pool_take(const char *path, const struct stat *sb, int mapped)
{
	sqlite3	*db = NULL;
	size_t	 i;

	pthread_mutex_lock(&pool_mtx);
	for (i = 0; i < pool_n; i++)
		if (pool[i].mapped == mapped &&
		    strcmp(pool[i].path, path) == 0) {
			if (pool[i].dev == sb->st_dev &&
			    pool[i].ino == sb->st_ino) {
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

/* Give db (idle, no statements, no transaction) back, or close it. */
static void
pool_give(const char *path, const struct stat *sb, int mapped, sqlite3 *db)
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
	pool[pool_n].dev = sb->st_dev;
	pool[pool_n].ino = sb->st_ino;
	pool[pool_n].mapped = mapped;
	pool[pool_n].db = db;
	pool[pool_n].used = ++pool_tick;
	pool_n++;
	pthread_mutex_unlock(&pool_mtx);
}

/* Finalize p's statements and hand its connection back to the pool
   (closing it when its transaction cannot be ended cleanly). */
static void
part_close(struct run *r, struct part *p)
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
	if (sqlite3_get_autocommit(p->db) ||
	    sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		pool_give(path, &p->sb, p->mapped, p->db);
	else
		sqlite3_close_v2(p->db);
	p->db = NULL;
}

/* Attach the index file beside the partition at path as "ix". */
static int
attach_index(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	char	 ix[4096 + 32];
	int	 rc;

	if (textindex_beside(path, ix, sizeof ix) == -1)
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

/* Make the partition at path read as the current layout: from layout 3
   on its index file (hub/ingest/textindex.h) is attached, so fts names it;
   before layout 4, temp views of the current layout's events and
   events_full name utc utcs too (its index on utc walks utcs DESC, utc
   DESC, id DESC as layout 4's on (utcs, id, utc) does: hub/schema.h),
   and in layout 0 (the document in events, no facets) they hold the
   facets and the document as well, so that one SQL text serves every
   layout (temp comes first in name lookup). */
static int
layout_setup(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	int	 rc, version = -1;

	rc = sqlite3_prepare_v2(db, "SELECT user_version FROM"
	    " pragma_user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
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
	if (!r->ix_unsure && !textindex_behind(r->o->index,
	    store_partition_day(p->name)))
		return 0;
	if ((rc = sqlite3_prepare_v2(p->db, "SELECT (SELECT value FROM"
	    " ixmark), (SELECT max(id) FROM events)", -1, &st, NULL)) ==
	    SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->ixmark = sqlite3_column_int64(st, 0);
		p->behind = sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 1) > p->ixmark;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		seterr_db(r, p, rc);
		return -1;
	}
	return 0;
}

/* Open a partition read-only (or take a pooled connection to it) inside
   a read transaction: one snapshot for meta and the queries. */
static int
part_open(struct run *r, struct part *p)
{
	char	 path[4096 + 16];

	if (p->db != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", r->dir, p->name);
	if (stat(path, &p->sb) == -1) {
		seterr(r, SEARCH_EUNAVAIL, "%s: cannot open", p->name);
		return -1;
	}
	/* Searches for events map the file: pages cost no copy, so a
	   rare term's newest 50 (a thousand rows looked up) takes ~1 ms
	   instead of ~5.  Aggregations read through SQLite's page cache:
	   a count by over 1M rows took 15 % less CPU (a mapped page is set
	   up again at every B-tree descent, and costs TLB misses)
	   (tests/bench/search.sh). */
	p->mapped = r->q->agg == QUERY_AGG_NONE;
	if ((p->db = pool_take(path, &p->sb, p->mapped)) == NULL) {
		if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			seterr_db(r, p, SQLITE_CANTOPEN);
			sqlite3_close_v2(p->db);
			p->db = NULL;
			return -1;
		}
		sqlite3_busy_timeout(p->db, BUSY_MS);
		if (sqlite3_exec(p->db, p->mapped ? "PRAGMA mmap_size="
		    MMAP_BYTES : "PRAGMA cache_size=" CACHE_KIB, NULL, NULL,
		    NULL) != SQLITE_OK ||
		    sqlite3_create_function(p->db, "ward_leaf", 3,
		    SQLITE_UTF8, NULL, fn_leaf, NULL, NULL) != SQLITE_OK ||
		    sqlite3_create_function(p->db, "ward_text", 2,
		    SQLITE_UTF8, NULL, fn_text, NULL, NULL) != SQLITE_OK ||
		    sqlite3_create_function(p->db, "ward_get", 2,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_get, NULL,
		    NULL) != SQLITE_OK || layout_setup(p->db, path) != SQLITE_OK) {
			seterr_db(r, p, 0);
			sqlite3_close_v2(p->db);
			p->db = NULL;
			return -1;
		}
	}
	sqlite3_progress_handler(p->db, 1000, progress, r);
	if (sqlite3_exec(p->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		seterr_db(r, p, 0);
		sqlite3_close_v2(p->db);
		p->db = NULL;
		return -1;
	}
	return part_behind(r, p);
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
	cacheable = store_partition_day(p->name) < today - 1 &&
	    meta_stat(path, &id) == 0;
	if (!cacheable || !meta_get(path, &id, p, &have)) {
		if (part_open(r, p) == -1)
			return -1;
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
		seterr(r, SEARCH_ETIMEOUT, "search timed out");
	else
		seterr_db(r, p, 0);
	sqlite3_finalize(st);
	return -1;
}

/* Find the partitions under datadir/events that may hold matches. */
static int
parts_list(struct run *r, const char *datadir)
{
	struct dirent *de;
	DIR	*d;
	size_t	 i, keep, cap = 0;
	int64_t	 today = time_now_us() / 86400000000LL;
	int	 m;

	if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s/events", datadir) >=
	    sizeof(r->dir)) {
		seterr(r, SEARCH_EFAIL, "data directory path too long");
		return -1;
	}
	if ((d = opendir(r->dir)) == NULL)
		return 0;	/* nothing stored yet */
	while ((de = readdir(d)) != NULL) {
		struct part *np;

		if (store_partition_day(de->d_name) == -1)
			continue;
		if (r->nparts == MAX_PARTS)
			break;
		if (r->nparts == cap) {
			cap = cap ? cap * 2 : 64;
			if ((np = reallocarray(r->parts, cap,
			    sizeof(*np))) == NULL) {
				closedir(d);
				seterr(r, SEARCH_EUNAVAIL, "out of memory");
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
			part_close(r, p);
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

static void
parts_close(struct run *r)
{
	size_t	 i;

	for (i = 0; i < r->nparts; i++)
		part_close(r, &r->parts[i]);
	free(r->parts);
	r->parts = NULL;
	r->nparts = 0;
}

/* Prepare s on partition p into *st and bind it. */
static int
prepare(struct run *r, struct part *p, const struct sql *s,
    sqlite3_stmt **st)
{
	if (part_open(r, p) == -1)
		return -1;
	if (sqlite3_prepare_v2(p->db, s->text.data, -1, st, NULL) !=
	    SQLITE_OK || apply_binds(r, *st, s) == -1) {
		seterr_db(r, p, 0);
		return -1;
	}
	return 0;
}

static void
step_failed(struct run *r, struct part *p, int rc)
{
	if (r->timed_out || rc == SQLITE_INTERRUPT)
		seterr(r, SEARCH_ETIMEOUT, "search timed out after %d ms "
		    "(narrow the time range or the query)", r->o->timeout_ms > 0 ?
		    r->o->timeout_ms : SEARCH_TIMEOUT_MS);
	else
		seterr_db(r, p, rc);
}

/* Step a P_SQL partition; returns 0 (row or done) or -1. */
static int
sql_step(struct run *r, struct part *p)
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
	step_failed(r, p, rc);
	return -1;
}

/* Newest first, as the time index walks (hub/schema.h): utcs is utc's
   second, so this is utc DESC, id DESC. */
#define TIME_ORDER	"utcs DESC, utc DESC, id DESC"

/* The time bounds, as " AND ..." (nothing when open), on utcs as well so
   that the time index can be searched: utc >= since implies utcs >= the
   second of since, utc < until that utcs < until. */
static void
bounds_sql(struct run *r, struct sql *s)
{
	if (r->since != 0) {
		sql_put(s, " AND utcs >= ");
		bind_int(s, r->since > INT64_MIN + 1000000 ? r->since -
		    (r->since % 1000000 + 1000000) % 1000000 : INT64_MIN);
		sql_put(s, " AND utc >= ");
		bind_int(s, r->since);
	}
	if (r->until != 0) {
		sql_put(s, " AND utcs < ");
		bind_int(s, r->until);
		sql_put(s, " AND utc < ");
		bind_int(s, r->until);
	}
}

/* The WHERE clause: the filter and the time bounds. */
static void
where_sql(struct run *r, struct sql *s, enum tmode mode)
{
	sql_put(s, " WHERE ");
	compile(s, r->q->root, mode, 1);
	bounds_sql(r, s);
}

/* "events_full" when where_sql(r, ..., mode) reads docs (the document or
   the summary), else "events": SQLite drops events_full's join of docs
   when neither is used, but not in an aggregate query. */
static const char *
rows_table(struct run *r, enum tmode mode)
{
	struct sql t;
	int	 doc;

	sql_init(&t);
	where_sql(r, &t, mode);
	doc = t.doc || t.nomem;
	sql_release(&t);
	return doc ? "events_full" : "events";
}

/* Tighten [since, until) with the utctimestamp terms every match must
   satisfy (those joined by AND at the top). */
static void
query_bounds(const struct query_node *n, int64_t *since, int64_t *until)
{
	int64_t	 v;

	if (n->kind == QUERY_AND) {
		query_bounds(n->a, since, until);
		query_bounds(n->b, since, until);
		return;
	}
	if (n->kind != QUERY_TERM || n->field.type != QUERY_F_UTC ||
	    n->op != QUERY_RANGE)
		return;
	if (n->range & QUERY_LO) {
		v = (int64_t)n->lo + !(n->range & QUERY_LO_INCL);
		if (*since == 0 || v > *since)
			*since = v;
	}
	if (n->range & QUERY_HI) {
		v = (int64_t)n->hi + !!(n->range & QUERY_HI_INCL);
		if (*until == 0 || v < *until)
			*until = v;
	}
}

/* ---- output ----------------------------------------------------------- */

static int
emit(struct run *r, const char *s, size_t n)
{
	if (r->emit(r->arg, s, n) == -1) {
		r->stopped = 1;
		return -1;
	}
	r->info->rows++;
	return 0;
}

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
			seterr(r, SEARCH_EUNAVAIL, "out of memory");
			return -1;
		}
		return emit(r, r->line.data, r->line.len);
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
		seterr(r, SEARCH_EUNAVAIL, "out of memory");
		return -1;
	}
	return emit(r, r->line.data, r->line.len);
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
				step_failed(r, p, rc);
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
				seterr(r, SEARCH_EUNAVAIL, "out of memory");
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
			step_failed(r, p, rc);
			return -1;
		}
		id = sqlite3_column_int64(p->st, 0);
		if ((m = fts_member(r, p, id)) == -1)
			return -1;
		if (m == 0)
			continue;
		vs = m == 1 ? p->verify : p->check;
		if (sqlite3_bind_int64(vs, 1, id) != SQLITE_OK) {
			step_failed(r, p, SQLITE_ERROR);
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
			step_failed(r, p, rc);
			return -1;
		}
	}
}

static int
part_step(struct run *r, struct part *p)
{
	return p->plan == P_WALK ? walk_step(r, p) : sql_step(r, p);
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
	if (part_open(r, p) == -1)
		return -1;
	if (r->fts == NULL)
		return prepare(r, p, p->behind ? &r->sqlrow : &r->sql, &p->st);
	/* Counted in the index's own order, the cheapest; an index that is
	   behind is walked (rows past its mark checked on their own). */
	if (p->behind)
		rc = SQLITE_ROW;
	else if (prepare(r, p, &r->count, &p->fts) == -1)
		return -1;
	if (r->o->force_plan == 0 && p->fts != NULL)
		while (n < r->fts_probe &&
		    (rc = sqlite3_step(p->fts)) == SQLITE_ROW)
			n++;
	sqlite3_finalize(p->fts);
	p->fts = NULL;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		step_failed(r, p, rc);
		return -1;
	}
	if (rc == SQLITE_DONE)
		return prepare(r, p, &r->sqlf, &p->st);
	p->plan = P_WALK;
	return prepare(r, p, &r->probe, &p->fts) == -1 ||
	    prepare(r, p, &r->walk, &p->st) == -1 ||
	    prepare(r, p, &r->verify, &p->verify) == -1 ||
	    prepare(r, p, &r->check, &p->check) == -1 ? -1 : 0;
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
		sql_put(s, "SELECT id, utc, doc");
		if (r->q->has_sort) {
			sql_put(s, ", ");
			key_sql(s, &r->q->sort, 0);
		}
		sql_put(s, " FROM events_full");
		where_sql(r, s, k == 0 ? T_SQL : T_ROW);
		if (r->q->has_sort) {
			sql_put(s, " ORDER BY 4 ");
			sql_put(s, dir);
			sql_put(s, ", id ");
			sql_put(s, dir);
		} else
			sql_put(s, " ORDER BY " TIME_ORDER);
		/* One row past the limit: a partition that still has one
		   when the limit is reached says the search was cut
		   (info->limited). */
		sql_put(s, " LIMIT ");
		bind_int(s, (int64_t)r->limit + 1);
	}
	if (r->fts != NULL && !r->q->has_sort) {
		s = &r->sqlf;
		sql_put(s, "SELECT id, utc, doc FROM (SELECT rowid AS fid FROM "
		    "fts WHERE fts MATCH ");
		bind_owned(s, strdup(r->fts));
		sql_put(s, ") AS m CROSS JOIN events_full ON events_full.id = m.fid");
		where_sql(r, s, T_COVERED);
		sql_put(s, " ORDER BY utc DESC, id DESC LIMIT ");
		bind_int(s, (int64_t)r->limit + 1);

		s = &r->count;
		sql_put(s, "SELECT rowid FROM fts WHERE fts MATCH ");
		bind_owned(s, strdup(r->fts));

		s = &r->probe;
		sql_put(s, "SELECT rowid FROM fts WHERE fts MATCH ");
		bind_owned(s, strdup(r->fts));
		sql_put(s, " ORDER BY rowid DESC");

		s = &r->walk;
		sql_put(s, "SELECT id, utc FROM events_full WHERE 1");
		bounds_sql(r, s);
		sql_put(s, " ORDER BY " TIME_ORDER);

		s = &r->verify;
		sql_put(s, "SELECT id, utc, doc FROM events_full WHERE id = ");
		bind_int(s, 0);
		sql_put(s, " AND ");
		compile(s, r->q->root, T_COVERED, 1);

		s = &r->check;
		sql_put(s, "SELECT id, utc, doc FROM events_full WHERE id = ");
		bind_int(s, 0);
		sql_put(s, " AND ");
		compile(s, r->q->root, T_ROW, 1);
	} else {
		free(r->fts);
		r->fts = NULL;
	}
	if (r->sql.nomem || r->sqlrow.nomem || r->sqlf.nomem || r->count.nomem ||
	    r->probe.nomem ||
	    r->walk.nomem || r->verify.nomem || r->check.nomem) {
		seterr(r, SEARCH_EUNAVAIL, "out of memory");
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
	if (r->nparts > 0)
		qsort(r->parts, r->nparts, sizeof(*r->parts), newest_desc);
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
			part_close(r, best);
		if (past(&r->deadline)) {
			r->timed_out = 1;
			seterr(r, SEARCH_ETIMEOUT, "search timed out after %d ms (narrow the time "
			    "range or the query)", r->o->timeout_ms > 0 ?
			    r->o->timeout_ms : SEARCH_TIMEOUT_MS);
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
		sql_put(s, " FROM (SELECT rowid AS fid FROM fts WHERE "
		    "fts MATCH ");
		bind_owned(s, strdup(r->fts));
		if (behind)
			sql_put(s, " AND rowid <= (SELECT value FROM ixmark)"
			    " UNION ALL SELECT id FROM events WHERE id >"
			    " (SELECT value FROM ixmark)");
		sql_put(s, ") AS m CROSS JOIN ");
		sql_put(s, table);
		sql_put(s, " ON ");
		sql_put(s, table);
		sql_put(s, ".id = m.fid");
		if (behind) {
			/* The index's rows as always; the others each on
			   its own document. */
			sql_put(s, " WHERE ((m.fid <= (SELECT value FROM"
			    " ixmark) AND ");
			compile(s, r->q->root, T_COVERED, 1);
			sql_put(s, ") OR (m.fid > (SELECT value FROM ixmark)"
			    " AND ");
			compile(s, r->q->root, T_ROW, 1);
			sql_put(s, "))");
			bounds_sql(r, s);
		} else
			where_sql(r, s, T_COVERED);
	} else {
		sql_put(s, " FROM ");
		sql_put(s, table);
		where_sql(r, s, behind ? T_ROW : T_SQL);
	}
}

/* Prepare an aggregation's statement on p: r->sql, or r->sqlrow when
   p's index is behind. */
static int
prepare_rows(struct run *r, struct part *p, sqlite3_stmt **st)
{
	if (part_open(r, p) == -1)
		return -1;
	return prepare(r, p, p->behind ? &r->sqlrow : &r->sql, st);
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
		step_failed(r, p, rc);
		return -1;
	}
	part_close(r, p);
	return 0;
nomem:
	seterr(r, SEARCH_EUNAVAIL, "out of memory");
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
		sql_put(s, "SELECT ");
		for (k = 0; k < q->nby; k++) {
			const char *col = column(q->by[k].type);

			if (k > 0)
				sql_put(s, ", ");
			if (col == NULL)
				col = facet(&q->by[k]);
			if (col != NULL)
				sql_put(s, col);
			else {
				sql_put(s, "ward_get(doc, ");
				bind_owned(s, strdup(q->by[k].path));
				sql_put(s, ")");
			}
		}
		rows_sql(r, s, "events_full", b);
	}
	s = &r->sqlrow;
	if (r->sql.nomem || s->nomem) {
		seterr(r, SEARCH_EUNAVAIL, "out of memory");
		return -1;
	}
	n = r->o->threads > 0 ? (size_t)r->o->threads : AGG_THREADS;
	if (n > r->nparts)
		n = r->nparts;
	if (n == 0)
		n = 1;
	if ((sh = calloc(n, sizeof(*sh))) == NULL) {
		seterr(r, SEARCH_EUNAVAIL, "out of memory");
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
			seterr(r, SEARCH_EUNAVAIL, "out of memory");
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

static int
run_aggregate(struct run *r)
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
		sql_put(s, "SELECT ");
		if (q->agg == QUERY_AGG_HISTOGRAM) {
			sql_put(s, "((utc / ");
			bind_int(s, q->interval_us);
			sql_put(s, ") - (utc % ");
			bind_int(s, q->interval_us);
			sql_put(s, " < 0)) * ");
			bind_int(s, q->interval_us);
			sql_put(s, ", ");
			ncols = 1;
		}
		sql_put(s, "count(*)");
		rows_sql(r, s, rows_table(r, b ? T_ROW : r->fts != NULL ?
		    T_COVERED : T_SQL), b);
		for (k = 0; k < (size_t)ncols; k++)
			sql_put(s, k == 0 ? " GROUP BY 1" : k == 1 ? ", 2" :
			    k == 2 ? ", 3" : ", 4");
	}
	s = &r->sql;
	if (s->nomem || r->sqlrow.nomem) {
		seterr(r, SEARCH_EUNAVAIL, "out of memory");
		goto fail;
	}
	for (i = 0; i < r->nparts; i++) {
		struct part *p = &r->parts[i];

		if (prepare_rows(r, p, &p->st) == -1 || sql_step(r, p) == -1)
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
					seterr(r, SEARCH_EUNAVAIL, "out of memory");
					goto fail;
				}
			}
			if (sql_step(r, p) == -1)
				goto fail;
		}
		part_close(r, p);
	}
	if (q->agg == QUERY_AGG_COUNT) {
		buf_reset(&row);
		if (buf_printf(&row, "{\"count\":%" PRIu64 "}", total) == -1) {
			seterr(r, SEARCH_EUNAVAIL, "out of memory");
			goto fail;
		}
		if (emit(r, row.data, row.len) == -1)
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
				seterr(r, SEARCH_EUNAVAIL, "out of memory");
				goto fail;
			}
		} else if (buf_puts(&row, gs.g[i].row) == -1 ||
		    buf_printf(&row, ",\"count\":%" PRIu64 "}",
		    gs.g[i].count) == -1) {
			seterr(r, SEARCH_EUNAVAIL, "out of memory");
			goto fail;
		}
		if (emit(r, row.data, row.len) == -1)
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

/* ---- entry points ----------------------------------------------------- */

int
search_exec(const char *datadir, const struct query *q,
    const struct search_opts *o, search_emit emitfn, void *arg,
    struct search_info *info, char *err, size_t errlen)
{
	static const struct search_opts defaults;
	struct search_info scratch;
	struct run r;
	size_t	 max;
	int	 ms, rc = -1, nomem = 0;

	if (o == NULL)
		o = &defaults;
	if (info == NULL)
		info = &scratch;
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
	query_bounds(q->root, &r.since, &r.until);
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
	sql_init(&r.sql);
	sql_init(&r.sqlrow);
	sql_init(&r.sqlf);
	sql_init(&r.count);
	sql_init(&r.probe);
	sql_init(&r.walk);
	sql_init(&r.verify);
	sql_init(&r.check);
	buf_init(&r.line);
	r.fts = fts_cond(q->root, 0, &nomem);
	/* The index may trail the acknowledged events by a few commits:
	   a search that reads it sees everything acknowledged before it
	   began. */
	r.ix_unsure = o->index == NULL;
	if (o->index != NULL && (r.fts != NULL || has_text(q->root)) &&
	    textindex_wait(o->index, ms) == -1) {
		log_warn("search: the text index is slow; the events it lacks "
		    "are read one by one");
		r.ix_unsure = 1;
	}
	if (nomem) {
		seterr(&r, SEARCH_EUNAVAIL, "out of memory");
		rc = -1;
	} else if (r.since != 0 && r.until != 0 && r.since >= r.until) {
		/* Nothing can match. */
		if (q->agg == QUERY_AGG_COUNT)
			emit(&r, "{\"count\":0}", 11);
		rc = 0;
	} else if (pool_prune(), parts_list(&r, datadir) == 0) {
		rc = q->agg == QUERY_AGG_NONE ? run_events(&r) :
		    run_aggregate(&r);
		/* Say what it could not read rather than return less. */
		info->archived = archive_reaching(datadir, r.since, r.until,
		    info->archived_days, SEARCH_ARCHIVED_MAX);
	}
	info->timed_out = r.timed_out;
	parts_close(&r);
	sql_release(&r.sql);
	sql_release(&r.sqlrow);
	sql_release(&r.sqlf);
	sql_release(&r.count);
	sql_release(&r.probe);
	sql_release(&r.walk);
	sql_release(&r.verify);
	sql_release(&r.check);
	free(r.fts);
	buf_release(&r.line);
	pthread_mutex_destroy(&r.mtx);
	if (rc == -1 && info->error == SEARCH_OK) {
		info->error = SEARCH_EFAIL;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "search failed");
	}
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
		if (err != NULL && errlen > 0) {
			if (qe.expected[0] != '\0' &&
			    strstr(qe.msg, qe.expected) == NULL)
				snprintf(err, errlen, "%s (expected %s)",
				    qe.msg, qe.expected);
			else
				snprintf(err, errlen, "%s", qe.msg);
		}
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
