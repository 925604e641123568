/* pipeline — worker threads that turn request bodies into store rows:
 * inflate, split, normalize, transit (parsers, plugins: transit.h),
 * serialize once, build the free-text column. */
#ifndef WARD_PIPELINE_H
#define WARD_PIPELINE_H

#include <stddef.h>

#include "job.h"
#include "metrics.h"

struct store;
struct pipeline;
struct transit_slot;
struct transit_worker;

struct pipeline_opts {
	int		 workers;	/* threads, >= 1 */
	size_t		 max_inflated;	/* gzip bodies inflate at most this */
	size_t		 max_depth;	/* nesting limit of a document */
	const char	*hub;		/* host name stamped on every event */
	struct transit_slot *transit;	/* parsers and plugins, or NULL */
};

/* Start the workers; they hand finished jobs to st.  NULL on failure. */
struct pipeline	*pipeline_new(const struct pipeline_opts *, struct store *st,
		    struct metrics *m);
/* Queue a job; the pipeline takes it. */
void		 pipeline_submit(struct pipeline *, struct job *);
/* Finish queued jobs, stop and free the workers; accepts NULL. */
void		 pipeline_free(struct pipeline *);

/*
 * Do one job's work on the calling thread, with the transit steps of tw
 * (NULL: none; the caller owns it): fill job->rows and arena, or set
 * job->status and job->err.  Exposed for tests and benchmarks.
 */
void		 pipeline_process(const struct pipeline_opts *,
		    struct transit_worker *tw, struct job *, struct metrics *m);

#endif
