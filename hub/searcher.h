/* searcher — runs searches for HTTP clients off the net thread and streams
 * their NDJSON back through a bounded buffer: a search that produces faster
 * than its client reads waits, so memory stays bounded whatever the size
 * of the result. */
#ifndef WARD_SEARCHER_H
#define WARD_SEARCHER_H

#include <stddef.h>

#include "buf.h"
#include "search.h"

struct searcher;
struct sjob;

/* Called from a search thread when a job has output or has finished;
   must only queue and wake (net_search_ready).  The callee holds a
   reference to the job and drops it with sjob_unref. */
typedef void (*searcher_ready_fn)(void *arg, struct sjob *);

/* Start nthreads search threads over datadir.  NULL on failure. */
struct searcher	*searcher_new(const char *datadir, int nthreads,
		    searcher_ready_fn ready, void *arg);
/* Cancel running searches, join the threads, free; accepts NULL. */
void		 searcher_free(struct searcher *);

/* Queue a search of q (copied) with opts.  The job is referenced by the
   caller until sjob_release.  NULL when out of memory. */
struct sjob	*searcher_submit(struct searcher *, const char *q,
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
