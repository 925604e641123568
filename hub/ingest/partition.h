/* partition — the names and files of the events store's day partitions:
 * DATA/events/YYYY-MM-DD.db (hub/schema.h) and its full-text index beside
 * it, YYYY-MM-DD.fts (hub/ingest/textindex.h); the day numbers their names
 * stand for; the event ids they hand out; and the SQL helper every
 * writer of them uses.  Pure naming and small helpers: no state, no
 * threads, so the store, the text index, search and the archive share it
 * without calling one another. */
#ifndef WARD_PARTITION_H
#define WARD_PARTITION_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;

#define PARTITION_ID_SHIFT	36	/* event id = day << 36 | sequence */

/* The day (since the epoch) of a partition file name, "YYYY-MM-DD.db",
   or -1 when name is not one. */
int64_t		 partition_day(const char *name);

/* Path of the partition file for a day (days since the epoch). */
void		 partition_path(const char *datadir, int64_t day, char *out,
		    size_t outlen);

/* The path of the index file beside the partition file at path (".db"
   becomes ".fts") into out.  Returns 0, or -1 when path is not a
   partition's path or out is too small. */
int		 partition_index_beside(const char *path, char *out,
		    size_t outlen);

/* Path of the index file of a day's partition (out is "" when it does
   not fit). */
void		 partition_index_path(const char *datadir, int64_t day,
		    char *out, size_t outlen);

/* Run the SQL text sql on db; on failure err gets SQLite's message.
   Returns 0 or -1. */
int		 partition_exec(struct sqlite3 *db, const char *sql, char *err,
		    size_t errlen);

#endif
