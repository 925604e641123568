/*
 * searchopts — what a search is asked (struct search_opts), what it says
 * back (struct search_info, enum search_error) and how its lines come out
 * (search_emit): the types of search.h, in a header of their own so that
 * the search wing's parts (searchrun.h) use them without search.h's
 * entry points.
 */
#ifndef WARD_SEARCHOPTS_H
#define WARD_SEARCHOPTS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct textindex;

#define SEARCH_LIMIT_DEFAULT	100	/* rows when opts->limit is 0 */
#define SEARCH_LIMIT_MAX	100000	/* rows when opts->max_limit is 0 */
#define SEARCH_TIMEOUT_MS	10000	/* when opts->timeout_ms is 0 */
#define SEARCH_GROUPS_MAX	100000	/* distinct groups an aggregation
					   keeps when opts->max_groups is 0 */

struct search_opts {
	int64_t	 since_us;	/* utctimestamp >= since; 0: unbounded */
	int64_t	 until_us;	/* utctimestamp < until; 0: unbounded */
	size_t	 limit;		/* most lines out; 0: SEARCH_LIMIT_DEFAULT */
	size_t	 max_limit;	/* limit is capped here; 0: SEARCH_LIMIT_MAX */
	int	 timeout_ms;	/* whole search; 0: SEARCH_TIMEOUT_MS */
	size_t	 max_groups;	/* 0: SEARCH_GROUPS_MAX */
	int64_t	 now_us;	/* "now" for relative times; 0: the clock */
	size_t	 fts_probe;	/* FTS matches a partition reads and sorts
				   before it walks utc instead; 0: default */
	int	 force_plan;	/* tests: 0 (choose), SEARCH_PLAN_WALK or
				   SEARCH_PLAN_CHECK */
	int	 threads;	/* threads a count by or top reads
				   partitions on; 0: 2 */
	struct textindex *index;	/* a search reading the full-text
					   index first waits for it to
					   hold what was acknowledged
					   (textindex_wait()); NULL: no */
	const atomic_int *cancel;	/* set from another thread: stop
					   soon, as if emit said stop;
					   NULL: never */
};

/* Plans a test may force on every partition when the filter implies an
   FTS expression: walk utc with the FTS bitmap, or walk utc checking
   every row below the newest FTS match on its own document. */
#define SEARCH_PLAN_WALK	1
#define SEARCH_PLAN_CHECK	2

/*
 * Why a search failed (search_info.error), so that each caller answers in
 * kind: search_http_status() gives the HTTP status.
 */
enum search_error {
	SEARCH_OK = 0,
	SEARCH_EQUERY,		/* the query is wrong (syntax, field, type):
				   400, with errpos */
	SEARCH_ETIMEOUT,	/* the time limit stopped it: 504 */
	SEARCH_EUNAVAIL,	/* the store cannot be read now: a full
				   disk, an I/O error, a file missing or
				   busy, out of memory: 503 (try again) */
	SEARCH_EFAIL		/* a damaged partition, anything else:
				   500 */
};

#define SEARCH_ARCHIVED_MAX	8

/* What happened, for the caller to report (HTTP trailer, console). */
struct search_info {
	size_t	 rows;		/* lines emitted */
	size_t	 partitions;	/* partitions searched */
	int	 limited;	/* stopped at the limit; more may match */
	int	 truncated;	/* an aggregation dropped groups past
				   max_groups: its counts are partial */
	int	 timed_out;	/* the timeout stopped the search */
	size_t	 archived;	/* archived days its time range reaches
				   (hub/archive/archive.h): not searched */
	int64_t	 archived_days[SEARCH_ARCHIVED_MAX];	/* the newest of
				   them, newest first (days since 1970) */
	enum search_error error;	/* when it returned -1 */
};

/*
 * One result line: a JSON object without a newline, valid only during the
 * call.  Return 0 to go on or -1 to stop the search (not an error).
 */
typedef int (*search_emit)(void *arg, const char *line, size_t len);

#endif
