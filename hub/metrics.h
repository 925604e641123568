/* metrics — the hub's counters, rendered in Prometheus text format. */
#ifndef WARD_METRICS_H
#define WARD_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "buf.h"

#define METRICS_LAT_BUCKETS	12
#define METRICS_MORE		4

/* Counters a wing keeps in its own table (one line a plugin...),
   rendered after the hub's own. */
struct metrics_more {
	const char	*name;		/* NULL: free slot */
	void		*arg;		/* the table, until metrics_release() */
	int		(*render)(void *arg, struct buf *out);
	void		(*free)(void *arg);
};

struct metrics {
	atomic_uint_fast64_t	events_received;	/* documents seen */
	atomic_uint_fast64_t	events_stored;		/* committed */
	atomic_uint_fast64_t	events_rejected;	/* refused documents */
	atomic_uint_fast64_t	store_events;		/* held in the store */
	atomic_uint_fast64_t	requests_rejected;	/* 4xx/5xx requests */
	atomic_uint_fast64_t	requests_throttled;	/* 429s */
	atomic_uint_fast64_t	requests_disk_full;	/* 507s (--min-free) */
	atomic_int_fast64_t	queue_depth;		/* jobs in flight */
	atomic_int_fast64_t	alerter_backlog;	/* jobs the rules owe */
	atomic_uint_fast64_t	index_queued;		/* bytes of text the
							   full-text index owes */
	atomic_uint_fast64_t	store_failing_us;	/* commits fail since
							   then (store); 0 */
	atomic_uint_fast64_t	index_lag_days;		/* days whose index is
							   behind (textindex) */
	atomic_uint_fast64_t	index_lag_events;	/* events they lack */
	atomic_uint_fast64_t	index_lag_since_us;	/* the oldest fell
							   behind then; 0 */
	atomic_uint_fast64_t	index_rebuilding_days;	/* days whose index
							   file is being
							   rebuilt (textindex) */
	atomic_uint_fast64_t	index_rebuilding_events;	/* events
							   it lacks, about */
	atomic_uint_fast64_t	index_rebuilt_total;	/* rebuilds done */
	atomic_uint_fast64_t	rule_groups;		/* correlation groups */
	atomic_uint_fast64_t	rule_hits_dropped;	/* at a deadman's cap */
	atomic_uint_fast64_t	rule_groups_evicted;	/* at a rule's cap */
	atomic_uint_fast64_t	commits;
	atomic_uint_fast64_t	lat_bucket[METRICS_LAT_BUCKETS + 1];
	atomic_uint_fast64_t	lat_sum_us;
	atomic_int_fast64_t	console_searches;	/* consoles' searches
							   and counts running */
	atomic_uint_fast64_t	console_searches_refused; /* over a
							   user's cap */
	atomic_uint_fast64_t	searches;
	atomic_uint_fast64_t	search_errors;
	/* The HTTP front door (net.c). */
	atomic_uint_fast64_t	http_pipelined_refused;	/* bodies lws misreads */
	atomic_uint_fast64_t	http_slow_closed;	/* 408: body too slow */
	atomic_uint_fast64_t	http_conns_refused;	/* over an address's cap */
	atomic_int_fast64_t	http_unauth_conns;	/* open, not authenticated */
	struct metrics_more	more[METRICS_MORE];
};

/* Record one commit that took us microseconds. */
void	metrics_commit_latency(struct metrics *, uint64_t us);
/*
 * Append the answer of /healthz to out: "ok", or a line for each thing
 * wrong: "unavailable: " the store cannot commit (ingest is refused), or
 * "degraded: " the full-text index of some days is behind.  Returns the
 * HTTP status: 503 while the store cannot commit, else 200 (a degraded
 * hub still stores and finds every event; the body says what is slow).
 */
int	metrics_health(struct metrics *m, struct buf *out);
/*
 * The table registered under name, or make() one and register it with
 * render and free; NULL when make() fails or every slot is taken.  Call
 * on the thread that renders (the main thread, at start or on SIGHUP),
 * never while another renders.
 */
void	*metrics_more(struct metrics *m, const char *name, void *(*make)(void),
	    int (*render)(void *arg, struct buf *out), void (*free)(void *arg));
/* Free the tables of metrics_more(), when nothing uses them any more. */
void	 metrics_release(struct metrics *m);
/* Append the Prometheus text exposition of m to out.  Returns 0 or -1. */
int	metrics_render(struct metrics *m, struct buf *out);

#endif
