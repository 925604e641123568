/* batchtab — the rows of one group commit as an SQLite virtual table, so
 * the writer stores a whole batch with one INSERT ... SELECT per table.
 *
 * One statement a batch instead of one a row matters most for FTS5: it
 * flushes its pending terms into a new segment at every statement's
 * savepoint, so row-at-a-time inserts wrote a segment per event and spent
 * a third of the writer's time merging them. */
#ifndef WARD_BATCHTAB_H
#define WARD_BATCHTAB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "job.h"

/* One staged row: its event id and where its fields live (r's offsets
   are into base: a job's arena). */
struct batchrow {
	int64_t		 id;
	const char	*base;
	const struct row *r;
};

/* The rows staged for one statement; the arenas they point into must
   live until the batch is reset. */
struct batchtab {
	struct batchrow	*rows;
	size_t		 n, cap;
};

/*
 * Make the eponymous virtual table "ward_batch" on db show bt's rows, with
 * the columns id, utc, received, severity, category, hostname,
 * processname, source, summary, doc, text (strings NULL when absent).
 * bt must outlive db's use of the table.  Returns an SQLite result code.
 */
int	 batchtab_register(sqlite3 *db, struct batchtab *bt);
/* Stage a row whose strings are at base + its offsets.  Returns 0 or -1
   (out of memory). */
int	 batchtab_add(struct batchtab *bt, int64_t id, const char *base,
	    const struct row *r);
/* Forget the staged rows (keeps the storage). */
void	 batchtab_reset(struct batchtab *bt);
/* Free the storage. */
void	 batchtab_release(struct batchtab *bt);

#endif
