/* store — the events store: day partitions of SQLite files written by one
 * writer thread with group commit, fsynced before any job is acknowledged.
 * See wardd(8), FILES, and hub/schema.h. */
#ifndef WARD_STORE_H
#define WARD_STORE_H

#include <stdint.h>

#include "job.h"
#include "metrics.h"

struct store;

/* Called on the writer thread for every job once its events are committed
   and fsynced (job->ids filled), or once the commit failed (job->status
   503 and job->err set).  The callee takes the job. */
typedef void (*store_done_fn)(void *arg, struct job *);

/*
 * Open the store under datadir (creating datadir/events), count the events
 * already held into m->store_events.  Returns the store, or NULL with err.
 * m must outlive the store.
 */
struct store	*store_open(const char *datadir, struct metrics *m,
		    char *err, size_t errlen);
/* Start the writer and checkpointer threads.  Returns 0 or -1. */
int		 store_start(struct store *, store_done_fn, void *arg);
/* Queue a job whose rows are ready; the store takes it. */
void		 store_submit(struct store *, struct job *);
/* Commit what is queued, then stop the threads.  Idempotent. */
void		 store_stop(struct store *);
/* Stop if running and free; accepts NULL. */
void		 store_free(struct store *);

/*
 * Bound each partition's WAL (and its text index's) near bytes, 0: none
 * (default STORE_WAL_MAX_DEFAULT).  Past it the checkpointer makes new
 * searches of that day wait until the ones reading it have left, then
 * truncates the WALs (hub/ingest/walgate.h, wardd(8) --wal-max).  Any
 * thread, any time.
 */
#define STORE_WAL_MAX_DEFAULT	((int64_t)1 << 30)
void		 store_wal_max(struct store *, int64_t bytes);

/* The full-text index of the store's partitions of layout 3
   (hub/ingest/textindex.h): for textindex_wait() and textindex_queued(). */
struct textindex *store_textindex(struct store *);

#endif
