/*
 * A read-only, eponymous-only virtual table over a C array: a cursor is an
 * index into bt->rows, columns are pointers into the jobs' arenas handed to
 * SQLite as static text (the statement copies them before the jobs go).
 */
#include <stdlib.h>
#include <string.h>

#include "batchtab.h"
#include "schema.h"

enum { C_ID, C_UTC, C_RECEIVED, C_SEVERITY, C_CATEGORY, C_HOSTNAME,
    C_PROCESSNAME, C_SOURCE, C_SUMMARY, C_DOC, C_TEXT, C_FACET };

struct vtab {
	sqlite3_vtab	 base;
	struct batchtab	*bt;
};

struct cursor {
	sqlite3_vtab_cursor base;
	size_t		 i;
};

static int
xconnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **out, char **err)
{
	struct vtab *t;
	int	 rc;

	rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id INTEGER, utc INTEGER,"
	    " received INTEGER, severity INTEGER, category TEXT, hostname TEXT,"
	    " processname TEXT, source TEXT, summary TEXT, doc TEXT,"
	    " text TEXT" SCHEMA_FACETS(SCHEMA_FACET_DECL) ")");
	if (rc != SQLITE_OK)
		return rc;
	if ((t = sqlite3_malloc(sizeof *t)) == NULL)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof *t);
	t->bt = aux;
	*out = &t->base;
	return SQLITE_OK;
}

static int
xdisconnect(sqlite3_vtab *t)
{
	sqlite3_free(t);
	return SQLITE_OK;
}

static int
xbestindex(sqlite3_vtab *t, sqlite3_index_info *info)
{
	info->estimatedCost = 1000;
	info->estimatedRows = 1000;
	return SQLITE_OK;
}

static int
xopen(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
	struct cursor *c;

	if ((c = sqlite3_malloc(sizeof *c)) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int
xclose(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int
xfilter(sqlite3_vtab_cursor *c, int idxnum, const char *idxstr, int argc,
    sqlite3_value **argv)
{
	((struct cursor *)c)->i = 0;
	return SQLITE_OK;
}

static int
xnext(sqlite3_vtab_cursor *c)
{
	((struct cursor *)c)->i++;
	return SQLITE_OK;
}

static int
xeof(sqlite3_vtab_cursor *c)
{
	const struct vtab *t = (const struct vtab *)c->pVtab;

	return ((struct cursor *)c)->i >= t->bt->n;
}

static void
text(sqlite3_context *ctx, const char *base, uint32_t off, int len)
{
	if (off == ROW_NONE)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, base + off, len,
		    SQLITE_STATIC);
}

static int
xcolumn(sqlite3_vtab_cursor *c, sqlite3_context *ctx, int col)
{
	const struct vtab *t = (const struct vtab *)c->pVtab;
	const struct batchrow *b = &t->bt->rows[((struct cursor *)c)->i];
	const struct row *r = b->r;

	switch (col) {
	case C_ID:		sqlite3_result_int64(ctx, b->id); break;
	case C_UTC:		sqlite3_result_int64(ctx, r->utc); break;
	case C_RECEIVED:	sqlite3_result_int64(ctx, r->received); break;
	case C_SEVERITY:	sqlite3_result_int(ctx, r->severity); break;
	case C_CATEGORY:	text(ctx, b->base, r->category, -1); break;
	case C_HOSTNAME:	text(ctx, b->base, r->hostname, -1); break;
	case C_PROCESSNAME:	text(ctx, b->base, r->processname, -1); break;
	case C_SOURCE:		text(ctx, b->base, r->source, -1); break;
	case C_SUMMARY:		text(ctx, b->base, r->summary, -1); break;
	case C_DOC:		text(ctx, b->base, r->doc, (int)r->doclen); break;
	case C_TEXT:		text(ctx, b->base, r->text, (int)r->textlen); break;
	default:
		col -= C_FACET;
		if (col >= 0 && col < SCHEMA_FACET_COUNT)
			text(ctx, b->base, r->facet[col], (int)r->facetlen[col]);
		break;
	}
	return SQLITE_OK;
}

static int
xrowid(sqlite3_vtab_cursor *c, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct cursor *)c)->i;
	return SQLITE_OK;
}

static const sqlite3_module module = {
	.iVersion = 0,
	.xCreate = NULL,	/* eponymous only */
	.xConnect = xconnect,
	.xBestIndex = xbestindex,
	.xDisconnect = xdisconnect,
	.xDestroy = xdisconnect,
	.xOpen = xopen,
	.xClose = xclose,
	.xFilter = xfilter,
	.xNext = xnext,
	.xEof = xeof,
	.xColumn = xcolumn,
	.xRowid = xrowid,
};

int
batchtab_register(sqlite3 *db, struct batchtab *bt)
{
	return sqlite3_create_module(db, "ward_batch", &module, bt);
}

int
batchtab_add(struct batchtab *bt, int64_t id, const char *base,
    const struct row *r)
{
	if (bt->n == bt->cap) {
		size_t	 cap = bt->cap ? bt->cap * 2 : 4096;
		struct batchrow *n;

		if ((n = realloc(bt->rows, cap * sizeof *n)) == NULL)
			return -1;
		bt->rows = n;
		bt->cap = cap;
	}
	bt->rows[bt->n++] = (struct batchrow){ id, base, r };
	return 0;
}

void
batchtab_reset(struct batchtab *bt)
{
	bt->n = 0;
}

void
batchtab_release(struct batchtab *bt)
{
	free(bt->rows);
	bt->rows = NULL;
	bt->n = bt->cap = 0;
}
