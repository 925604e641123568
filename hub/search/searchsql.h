/*
 * searchsql — compile a query's AST to parameterised SQL over a day
 * partition (hub/search/searchsql.c).  Private to the search wing: the
 * statements' texts and binds that search.c, daypart.c and aggregate.c
 * prepare.
 */
#ifndef WARD_SEARCHSQL_H
#define WARD_SEARCHSQL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"
#include "query.h"

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

/* Start s empty; searchsql_release() frees it. */
void	 searchsql_init(struct sql *);

/* Free s's text and bound values; s is empty again. */
void	 searchsql_release(struct sql *);

/* Append SQL text t (never a value from the query).  Running out of
   memory here or in any searchsql_ builder sets s->nomem, which the
   caller checks once when the statement is built. */
void	 searchsql_put(struct sql *, const char *t);

/* Append a parameter bound to v. */
void	 searchsql_int(struct sql *, int64_t v);

/* Append a parameter bound to text t, which s takes (and frees; NULL
   sets s->nomem). */
void	 searchsql_owned(struct sql *, char *t);

/* The events column of a typed field, or NULL (a JSON field). */
const char *searchsql_column(enum query_ftype);

/* The facet column holding JSON field f (its doc -> '$.PATH' text), or
   NULL.  Static text. */
const char *searchsql_facet(const struct query_field *);

/* Append the SQL for node n; mode says how full-text nodes are tested,
   top is 1 while n is reached from the root through AND nodes only.  n
   must outlive the statements (its pointer is bound). */
void	 searchsql_compile(struct sql *, const struct query_node *n,
	    enum tmode mode, int top);

/* An FTS5 expression every event matching n also matches (depth: 0),
   or NULL when there is none or memory ran out (*nomem set).  The
   caller frees it. */
char	*searchsql_fts(const struct query_node *n, int depth, int *nomem);

/* Does n search the full text (a bare word or phrase) anywhere? */
int	 searchsql_has_text(const struct query_node *n);

/* Append the expression field f sorts or groups by; json_text: a JSON
   field as its JSON text (doc -> path), else its SQL value. */
void	 searchsql_key(struct sql *, const struct query_field *f,
	    int json_text);

/* Bind s's parameters to st, prepared from s's text.  Returns 0 or -1
   (st's connection holds the error).  st reads s's values: s outlives
   st's use. */
int	 searchsql_apply(sqlite3_stmt *st, const struct sql *s);

/* Append the time bounds [since, until) (0: open) as " AND ..."
   (nothing when open), on utcs as well so that the time index can be
   searched. */
void	 searchsql_bounds(struct sql *, int64_t since, int64_t until);

/* Append " WHERE ", the filter root (in mode) and the time bounds. */
void	 searchsql_where(struct sql *, const struct query_node *root,
	    enum tmode mode, int64_t since, int64_t until);

/* "events_full" when searchsql_where() with these arguments reads docs
   (the document or the summary), else "events".  Static text. */
const char *searchsql_table(const struct query_node *root,
	    enum tmode mode, int64_t since, int64_t until);

/* Tighten [*since, *until) (0: open) with the utctimestamp terms every
   match of n must satisfy (those joined by AND at the top). */
void	 searchsql_time_bounds(const struct query_node *n, int64_t *since,
	    int64_t *until);

/* Register the SQL functions the compiled SQL calls (ward_leaf,
   ward_text, ward_get) on db.  Returns 0 or -1. */
int	 searchsql_functions(sqlite3 *db);

/* Newest first, as the time index walks (hub/schema.h): utcs is utc's
   second, so this is utc DESC, id DESC. */
#define TIME_ORDER	"utcs DESC, utc DESC, id DESC"

#endif
