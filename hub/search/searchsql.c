/*
 * searchsql — compile a query's AST (proto/query.h) to parameterised SQL
 * over a day partition, and the SQL functions that SQL calls back.
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
 * same names and shape (daypart.c, layout_setup()).
 *
 * Only utc is indexed besides the FTS table (hub/schema.h), so the
 * filter is first reduced to an FTS5 expression it implies, when it has
 * one (searchsql_fts(): its words, and the words of an equality on a
 * field the FTS "text" column holds, joined as the filter joins them);
 * every row that expression admits is then checked against the exact
 * filter (search.c chooses how).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "jsonfast.h"
#include "query.h"
#include "schema.h"
#include "searchsql.h"

#define NODE_PTR	"ward_query_node"
#define FTS_COND_MAX_DEPTH 24	/* AND/OR levels in an implied FTS5 prefilter */

/* ---- SQL building ----------------------------------------------------- */

void
searchsql_init(struct sql *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->text);
}

void
searchsql_release(struct sql *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->b[i].s);
	free(s->b);
	buf_release(&s->text);
	memset(s, 0, sizeof(*s));
}

void
searchsql_put(struct sql *s, const char *t)
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
	searchsql_put(s, "?");
	return nb;
}

void
searchsql_int(struct sql *s, int64_t v)
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
void
searchsql_owned(struct sql *s, char *t)
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
	searchsql_owned(s, p);
}

const char *
searchsql_column(enum query_ftype t)
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
const char *
searchsql_facet(const struct query_field *f)
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
	const char *col = searchsql_facet(f);

	if (col != NULL)
		searchsql_put(s, col);
	else {
		searchsql_put(s, "(doc -> ");
		bind_path(s, f);
		searchsql_put(s, ")");
		s->doc = 1;
	}
}

/* ", summary)" or ", doc)": what ward_text() reads for TEXT node n. */
static void
doc_arg(struct sql *s, const struct query_node *n)
{
	if (n->field.type == QUERY_F_SUMMARY)
		searchsql_put(s, ", summary)");
	else {
		searchsql_put(s, ", doc)");
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

	searchsql_put(s, "(");
	if (n->range & QUERY_LO) {
		searchsql_put(s, col);
		searchsql_put(s, n->range & QUERY_LO_INCL ? " >= " : " > ");
		searchsql_int(s, (int64_t)n->lo);
		any = 1;
	}
	if (n->range & QUERY_HI) {
		if (any)
			searchsql_put(s, " AND ");
		searchsql_put(s, col);
		searchsql_put(s, n->range & QUERY_HI_INCL ? " <= " : " < ");
		searchsql_int(s, (int64_t)n->hi);
		any = 1;
	}
	if (!any)
		searchsql_put(s, "1");
	searchsql_put(s, ")");
}

/*
 * The SQL for node n.  mode says how full-text nodes are tested; top is 1
 * while n is reached from the root through AND nodes only.
 */

/* A run of kind (AND or OR) as one flat list, so that many terms do not
   nest parentheses past SQLite's parser stack. */
static void
compile_chain(struct sql *s, const struct query_node *n,
    enum query_kind kind, enum tmode mode, int top)
{
	if (n->kind != kind) {
		searchsql_compile(s, n, mode, top);
		return;
	}
	compile_chain(s, n->a, kind, mode, top);
	searchsql_put(s, kind == QUERY_AND ? " AND " : " OR ");
	compile_chain(s, n->b, kind, mode, top);
}

void
searchsql_compile(struct sql *s, const struct query_node *n,
    enum tmode mode, int top)
{
	const char *col = searchsql_column(n->field.type);
	int	 r;

	if (n->field.type == QUERY_F_SUMMARY)
		s->doc = 1;	/* summary is in docs (hub/schema.h) */

	switch (n->kind) {
	case QUERY_ALL:
		searchsql_put(s, "1");
		return;
	case QUERY_AND:
	case QUERY_OR:
		searchsql_put(s, "(");
		compile_chain(s, n, n->kind, mode, top && n->kind == QUERY_AND);
		searchsql_put(s, ")");
		return;
	case QUERY_NOT:
		searchsql_put(s, "(NOT ");
		searchsql_compile(s, n->a, mode, 0);
		searchsql_put(s, ")");
		return;
	case QUERY_TEXT:
		if (mode == T_COVERED && top && n->ntokens == 1) {
			searchsql_put(s, "1");
			return;
		}
		if (mode != T_SQL) {
			searchsql_put(s, "ward_text(");
			bind_ptr(s, n);
			doc_arg(s, n);
			return;
		}
		searchsql_put(s, "(id IN (SELECT rowid FROM fts WHERE"
		    " fts MATCH ");
		searchsql_owned(s, fts_expr(n));
		searchsql_put(s, ")");
		if (n->ntokens > 1) {
			/* FTS5 without positions cannot test a phrase. */
			searchsql_put(s, " AND ward_text(");
			bind_ptr(s, n);
			doc_arg(s, n);
		}
		searchsql_put(s, ")");
		return;
	case QUERY_EXISTS:
		switch (n->field.type) {
		case QUERY_F_UTC:
		case QUERY_F_RECEIVED:
		case QUERY_F_SEVERITY:
			searchsql_put(s, "1");
			return;
		case QUERY_F_JSON:
			searchsql_put(s, "(ifnull(");
			json_sql(s, &n->field);
			searchsql_put(s, ", 'null') <> 'null')");
			return;
		default:
			searchsql_put(s, "(");
			searchsql_put(s, col);
			searchsql_put(s, " IS NOT NULL)");
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
				searchsql_put(s, "(severity = ");
				searchsql_int(s, r);
				searchsql_put(s, ")");
				return;
			}
		searchsql_put(s, "((");
		searchsql_int(s, n->sevmask);
		searchsql_put(s, " >> severity) & 1)");
		return;
	case QUERY_F_JSON:
		searchsql_put(s, "ward_leaf(");
		bind_ptr(s, n);
		searchsql_put(s, ", ");
		json_sql(s, &n->field);
		searchsql_put(s, ", 1)");
		return;
	default:
		if (n->op == QUERY_EQ) {
			searchsql_put(s, "(");
			searchsql_put(s, col);
			searchsql_put(s, " IS ");
			searchsql_owned(s, strdup(n->value));
			searchsql_put(s, ")");
			return;
		}
		searchsql_put(s, "ward_leaf(");
		bind_ptr(s, n);
		searchsql_put(s, ", ");
		searchsql_put(s, col);
		searchsql_put(s, ", 0)");
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
int
searchsql_has_text(const struct query_node *n)
{
	if (n == NULL)
		return 0;
	switch (n->kind) {
	case QUERY_TEXT:
		return 1;
	case QUERY_AND:
	case QUERY_OR:
		return searchsql_has_text(n->a) || searchsql_has_text(n->b);
	case QUERY_NOT:
		return searchsql_has_text(n->a);
	default:
		return 0;
	}
}

/*
 * An FTS5 expression every event matching n also matches, or NULL when
 * there is none (or memory ran out: *nomem is set).
 */
char *
searchsql_fts(const struct query_node *n, int depth, int *nomem)
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
		a = searchsql_fts(n->a, depth + 1, nomem);
		b = searchsql_fts(n->b, depth + 1, nomem);
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
void
searchsql_key(struct sql *s, const struct query_field *f, int json_text)
{
	const char *col = searchsql_column(f->type);

	if (col != NULL) {
		searchsql_put(s, col);
		return;
	}
	if (json_text)
		json_sql(s, f);
	else if ((col = searchsql_facet(f)) != NULL) {
		searchsql_put(s, "(");
		searchsql_put(s, col);
		searchsql_put(s, " ->> '$')");
	} else {
		searchsql_put(s, "json_extract(doc, ");
		bind_path(s, f);
		searchsql_put(s, ")");
		s->doc = 1;
	}
}

int
searchsql_apply(sqlite3_stmt *st, const struct sql *s)
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

/* The time bounds, as " AND ..." (nothing when open), on utcs as well so
   that the time index can be searched: utc >= since implies utcs >= the
   second of since, utc < until that utcs < until. */
void
searchsql_bounds(struct sql *s, int64_t since, int64_t until)
{
	if (since != 0) {
		searchsql_put(s, " AND utcs >= ");
		searchsql_int(s, since > INT64_MIN + 1000000 ? since -
		    (since % 1000000 + 1000000) % 1000000 : INT64_MIN);
		searchsql_put(s, " AND utc >= ");
		searchsql_int(s, since);
	}
	if (until != 0) {
		searchsql_put(s, " AND utcs < ");
		searchsql_int(s, until);
		searchsql_put(s, " AND utc < ");
		searchsql_int(s, until);
	}
}

/* The WHERE clause: the filter and the time bounds. */
void
searchsql_where(struct sql *s, const struct query_node *root,
    enum tmode mode, int64_t since, int64_t until)
{
	searchsql_put(s, " WHERE ");
	searchsql_compile(s, root, mode, 1);
	searchsql_bounds(s, since, until);
}

/* "events_full" when searchsql_where(..., mode, ...) reads docs (the
   document or the summary), else "events": SQLite drops events_full's
   join of docs when neither is used, but not in an aggregate query. */
const char *
searchsql_table(const struct query_node *root, enum tmode mode,
    int64_t since, int64_t until)
{
	struct sql t;
	int	 doc;

	searchsql_init(&t);
	searchsql_where(&t, root, mode, since, until);
	doc = t.doc || t.nomem;
	searchsql_release(&t);
	return doc ? "events_full" : "events";
}

/* Tighten [since, until) with the utctimestamp terms every match must
   satisfy (those joined by AND at the top). */
void
searchsql_time_bounds(const struct query_node *n, int64_t *since,
    int64_t *until)
{
	int64_t	 v;

	if (n->kind == QUERY_AND) {
		searchsql_time_bounds(n->a, since, until);
		searchsql_time_bounds(n->b, since, until);
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

/* Register ward_leaf, ward_text and ward_get on db. */
int
searchsql_functions(sqlite3 *db)
{
	return sqlite3_create_function(db, "ward_leaf", 3, SQLITE_UTF8, NULL,
	    fn_leaf, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "ward_text", 2, SQLITE_UTF8, NULL,
	    fn_text, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "ward_get", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, fn_get, NULL, NULL) != SQLITE_OK ?
	    -1 : 0;
}
