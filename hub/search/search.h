/*
 * search — run a query (proto/query.h, man ward-query.7) over the event
 * partitions DATA/events/YYYY-MM-DD.db: compile it to parameterised SQL,
 * walk the partitions newest first, and stream each result line through a
 * callback.  Safe to call from any thread while the store writes (each
 * call opens its own read-only connections).
 */
#ifndef WARD_SEARCH_H
#define WARD_SEARCH_H

#include <stddef.h>

#include "searchopts.h"	/* its options, outcome and output */

struct query;

/*
 * Parse and run the query text q over datadir/events.  Events come out
 * newest first (utctimestamp, then arrival) as the stored document with
 * "id" first; an aggregation gives {"count":N}, {"a":..,"count":N} rows
 * (largest count first) or {"time":"ISO","count":N} buckets (oldest
 * first).  Returns 0, or -1 with a message in err (errlen bytes), its
 * kind in info->error, and *errpos the byte offset of a syntax error in
 * q, or -1 for other errors (timeout, I/O).  info (may be NULL) is filled
 * either way.  A day whose full-text index is behind (hub/ingest/textindex.h) is
 * searched on its documents: never fewer results, only slower.
 */
int	search_run(const char *datadir, const char *q,
	    const struct search_opts *opts, search_emit emit, void *arg,
	    struct search_info *info, char *err, size_t errlen, int *errpos);

/* The HTTP status for a search that failed with e (200 for SEARCH_OK). */
int	search_http_status(enum search_error e);

/* The same for a query already parsed; q stays the caller's. */
int	search_exec(const char *datadir, const struct query *q,
	    const struct search_opts *opts, search_emit emit, void *arg,
	    struct search_info *info, char *err, size_t errlen);

#endif
