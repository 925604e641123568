/* textindex — the full-text index of partitions of layout 3: one SQLite
 * file beside each partition (DATA/events/YYYY-MM-DD.fts, hub/schema.h
 * SCHEMA_INDEX) holding its FTS5 table, written by a thread of its own.
 *
 * The store commits and fsyncs events without their index, then hands
 * the committed rows' summary and text here (textindex_submit) before it
 * acknowledges them; this thread inserts them, one statement for what
 * has gathered (it waits up to 200 ms for 16k rows, unless a search is
 * waiting: FTS5 writes a segment a transaction and merges them later).  So
 * indexing runs beside the writer instead of inside its commits, and an
 * acknowledgement never waits for FTS5.  What is indexed is derived
 * data: each index file records the highest event id it holds, in the
 * same transaction, and at start (textindex_open) every partition's index
 * catches up from the documents past that mark after a crash (a file
 * deleted or damaged is rebuilt instead: below).  A search that reads the index first waits
 * for what was submitted before it (textindex_wait), so an event is found
 * by its words as soon as it is acknowledged.  A day whose index cannot
 * be written (disk full) is behind until the thread, retrying, has caught
 * it up from the documents; meanwhile textindex_behind() says so and
 * searches read the rows past its mark one by one.
 *
 * An index file that is missing or damaged (deleted by hand, truncated,
 * overwritten, from another copy of the day: textindex_check_file(), or
 * SQLite finds it corrupt) is noticed at start, by a search that opens
 * the day (textindex_damaged()) and by this thread's own writes.  The
 * hub warns (the warning is an event too: hub/selflog.c), replaces the
 * file by an empty one and rebuilds it from the day's documents on a
 * thread of its own at nice 10, as the archive and retention work, so
 * that today's ingest and indexing go on; until it holds every document
 * the day is behind, and searches read the rows past the rebuilt part
 * one by one (before the file is replaced, the whole day: the search
 * wing does not read a file that is unusable, textindex_unusable()).
 * An index left short by a crash or a stop is caught up the same way
 * when what it lacks is more than one step (CATCHUP_ROWS) at start. */
#ifndef WARD_TEXTINDEX_H
#define WARD_TEXTINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "job.h"
#include "metrics.h"

struct textindex;

/* One row to index: its event id, strings at offsets into its batch's
   arena. */
struct ixrow {
	int64_t		 id;
	uint32_t	 summary;	/* ROW_NONE when absent */
	uint32_t	 text, textlen;
};

/* Rows of one partition to index: copies of their summary and text. */
struct ixbatch {
	int64_t		 day;		/* days since the epoch */
	struct buf	 arena;		/* the strings */
	struct ixrow	*rows;
	size_t		 n, cap;
	struct ixbatch	*next;
};

/* A new empty batch for day, or NULL. */
struct ixbatch	*ixbatch_new(int64_t day);
/* Copy the summary and text of r (offsets into base) under id.  Returns
   0 or -1 (out of memory). */
int		 ixbatch_add(struct ixbatch *, int64_t id, const char *base,
		    const struct row *r);
/* Free a batch (and not the ones after it); accepts NULL. */
void		 ixbatch_free(struct ixbatch *);

/*
 * Make a new, empty index file for day, removing any left from an
 * earlier partition of that name (its ids would be reused).  Called by
 * the writer as it creates the partition.  Returns 0 or -1 with err.
 */
int		 textindex_create(const char *datadir, int64_t day, char *err,
		    size_t errlen);

/*
 * Open the index of datadir: bring the index of every partition of layout
 * 3 up to its partition, by one catch-up step (CATCHUP_ROWS documents);
 * one that lacks more is caught up by the rebuild thread, one missing
 * or damaged is rebuilt there (warned), one that cannot be written is
 * behind, and retried.  Call before anything writes partitions.  m->index_queued counts the bytes waiting, m->index_lag_*
 * the days behind; m must outlive the index.  Returns it, or NULL with
 * err.
 */
struct textindex *textindex_open(const char *datadir, struct metrics *m,
		    char *err, size_t errlen);
/* Start the indexing thread and the rebuilding one.  Returns 0 or
   -1. */
int		 textindex_start(struct textindex *);
/* Queue a batch whose rows are committed; the index takes it. */
void		 textindex_submit(struct textindex *, struct ixbatch *);
/*
 * Wait until every batch submitted before the call is indexed, at most
 * timeout_ms.  Returns 0, or -1 on timeout.  Accepts NULL (returns 0).
 */
int		 textindex_wait(struct textindex *, int timeout_ms);
/*
 * 1 when day's index lacks acknowledged events its batches did not bring
 * (a write failed; the rows past its mark wait for a catch-up), else 0.
 * Any thread; accepts NULL (0).
 */
int		 textindex_behind(struct textindex *, int64_t day);
/*
 * Does the index file at path look whole, as far as what is cheap to
 * tell (a stat and its first 100 bytes): present, a regular file (not a
 * symbolic link: the hub writes it), an SQLite database, and as long
 * as its header says when no WAL beside it holds more?  Returns 0, or
 * -1 with why ("missing", "empty", "truncated to ...").  Any thread.
 */
int		 textindex_check_file(const char *path, char *why,
		    size_t whylen);
/*
 * Day's index file is missing or damaged (why, as the warning says it):
 * warn once, replace it by an empty one and rebuild it from the day's
 * documents in the background.  Idempotent while the day is rebuilt.
 * Any thread; accepts NULL (does nothing).
 */
void		 textindex_damaged(struct textindex *, int64_t day,
		    const char *why);
/*
 * 1 while day's index file is known damaged and not yet replaced: a
 * search must not read it (it reads the day without an index), else 0.
 * Any thread; accepts NULL (0).
 */
int		 textindex_unusable(struct textindex *, int64_t day);
/*
 * May day's index file at path be read now?  0 when so; -1 with why when
 * it is known damaged and not yet replaced ("being rebuilt"), or looks
 * damaged or is missing (textindex_check_file): then t is told
 * (textindex_damaged) and rebuilds it (why: "missing: rebuilding it").
 * What a search asks before it reads a day through its index, and
 * retention before it archives one.  Any thread; accepts t NULL (the file
 * is only checked).
 */
int		 textindex_file_usable(struct textindex *t, int64_t day,
		    const char *path, char *why, size_t whylen);
/* Bytes of text waiting to be indexed (for back-pressure). */
size_t		 textindex_queued(struct textindex *);
/* Index what is queued, then stop the threads (a rebuild stops after
   its current step and goes on at the next start).  Idempotent. */
void		 textindex_stop(struct textindex *);
/* Stop if running and free; accepts NULL. */
void		 textindex_free(struct textindex *);

#endif
