/* searchpool — a pool of search threads.  It runs searches for HTTP clients
 * off the net thread and streams their NDJSON back through a bounded
 * buffer: a search that produces faster than its client reads waits, so
 * memory stays bounded whatever the size of the result.  It also runs
 * tasks (the consoles' searches and counts, hub/collab/session.c) on behalf of a
 * key, a user: at most per_key tasks of one key run at once and at most
 * max_waiting wait, so one user cannot take every thread, and a task is
 * cancelled by its tag (a session) when that closes. */
#ifndef WARD_SEARCHER_H
#define WARD_SEARCHER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "search.h"

struct searchpool;
struct sjob;

/* Called from a search thread when a job has output or has finished;
   must only queue and wake (net_search_ready).  The callee holds a
   reference to the job and drops it with sjob_unref. */
typedef void (*searchpool_ready_fn)(void *arg, struct sjob *);

/* Start nthreads search threads over datadir; ready (NULL when only
   tasks are queued) hears of searches.  NULL on failure. */
struct searchpool	*searchpool_new(const char *datadir, int nthreads,
		    searchpool_ready_fn ready, void *arg);
/* Cancel running searches and tasks, join the threads, call the tasks
   still waiting with *cancel set, free; accepts NULL. */
void		 searchpool_free(struct searchpool *);

/*
 * A task: runs once, on a search thread, and owns arg (frees it).  It
 * checks *cancel now and then (search_opts.cancel does it for a search)
 * and returns soon once it is set; then its answer is not wanted.  A task
 * cancelled before it started is called at once with *cancel set, on the
 * thread that cancelled it, and must only free arg.
 */
typedef void (*searchpool_task_fn)(void *arg, const atomic_int *cancel);

/* Tasks of one key: at most per_key run at once (default 2), at most
   max_waiting more wait (default 4).  Call before any task is queued. */
void		 searchpool_limits(struct searchpool *, int per_key,
		    int max_waiting);
/* Run the search threads at this nice value (Linux: per thread), so
   that other threads come first when cores are short.  Taken before the
   next job. */
void		 searchpool_nice(struct searchpool *, int nice);
/*
 * Queue task fn(arg) for key (copied; up to 64 bytes) with tag.  Returns
 * 0, and arg belongs to the task; 1 when key already has max_waiting
 * tasks waiting, or -1 when out of memory, and arg stays the caller's.
 * *running and *waiting (may be NULL) get key's tasks, counting this one.
 */
int		 searchpool_task(struct searchpool *, const char *key,
		    uint64_t tag, searchpool_task_fn fn, void *arg,
		    int *running, int *waiting);
/* Cancel every task of tag: set their *cancel; those waiting are called
   (and so freed) before this returns. */
void		 searchpool_cancel(struct searchpool *, uint64_t tag);
/* Tasks running and waiting, over every key. */
void		 searchpool_load(struct searchpool *, int *running, int *waiting);

/* Queue a search of q (copied) with opts.  The job is referenced by the
   caller until sjob_release.  NULL when out of memory. */
struct sjob	*searchpool_submit(struct searchpool *, const char *q,
		    const struct search_opts *opts);

/* Take up to max bytes of output into out (appended).  Returns 1 when the
   job is finished and everything was taken, else 0.  *status is 0 while
   running, 200 after success, else search_http_status() of its error
   (400 a bad query, 503 the store unreadable now, 504 the time limit);
   err/errpos tell why (errpos -1 when not a syntax error). */
int		 sjob_take(struct sjob *, struct buf *out, size_t max,
		    int *status, char *err, size_t errlen, int *errpos);
/* 1 when there is output waiting or the job finished. */
int		 sjob_ready(struct sjob *);
/* The caller is done with the job (client gone or answered); the search
   stops if still running. */
void		 sjob_release(struct sjob *);
/* Drop the reference a ready callback was given. */
void		 sjob_unref(struct sjob *);
/* The opaque pointer the net thread attached to the job. */
void		*sjob_owner(struct sjob *);
void		 sjob_set_owner(struct sjob *, void *);

#endif
