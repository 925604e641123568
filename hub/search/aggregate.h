/*
 * aggregate — the pipeline's aggregation stages over the day partitions:
 * count, count by, top and histogram (hub/search/aggregate.c).  Private
 * to the search wing.
 */
#ifndef WARD_AGGREGATE_H
#define WARD_AGGREGATE_H

struct run;

/* Run r's aggregation over r->parts (listed by daypart_list()) and emit
   its rows: {"count":N}, groups largest count first (at most r->limit,
   r->info->limited when cut; truncated when groups were dropped past
   r->max_groups) or histogram buckets oldest first.  Returns 0 (also
   when the caller's callback said stop) or -1 with the run's error
   set. */
int	 aggregate_run(struct run *r);

#endif
