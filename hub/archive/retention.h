/* retention — the hub's housekeeping thread: archives (or deletes) the
 * days past --retain at start and once a day, and keeps the figures of
 * /metrics about the disk and the days (free space, bytes per day,
 * archived days) fresh. */
#ifndef WARD_RETENTION_H
#define WARD_RETENTION_H

#include <stdint.h>

#include "metrics.h"

struct retention;

struct textindex;

struct retention_opts {
	const char	*datadir;
	const char	*archdir;	/* NULL: DATA/archive */
	int64_t		 age_us;	/* 0: keep every day */
	int		 delete;	/* delete past age, do not archive */
	struct textindex *index;	/* the hub's: a day whose index file
					   is missing or damaged is rebuilt
					   there before it is archived;
					   NULL: none */
};

/*
 * Start the thread: the first pass (retention, then figures) runs at
 * once.  Its figures are rendered in m's /metrics (registered here: call
 * on the main thread).  o's strings must outlive it.  Returns it, or NULL
 * with err.
 */
struct retention *retention_start(const struct retention_opts *o,
		    struct metrics *m, char *err, size_t errlen);
/* Stop the thread (after the day it is archiving) and free; accepts
   NULL.  Before metrics_release(). */
void		 retention_stop(struct retention *);

#endif
