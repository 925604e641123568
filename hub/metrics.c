#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "timeparse.h"

/* Upper bounds of the commit-latency buckets, in seconds. */
static const double lat_bounds[METRICS_LAT_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
};

void
metrics_commit_latency(struct metrics *m, uint64_t us)
{
	int	 i;

	for (i = 0; i < METRICS_LAT_BUCKETS; i++)
		if ((double)us / 1e6 <= lat_bounds[i])
			break;
	atomic_fetch_add(&m->lat_bucket[i], 1);
	atomic_fetch_add(&m->lat_sum_us, us);
	atomic_fetch_add(&m->commits, 1);
}

static int
counter(struct buf *out, const char *name, const char *type,
    const char *help, uint64_t v)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n",
	    name, help, name, type, name, (unsigned long long)v);
}

void *
metrics_more(struct metrics *m, const char *name, void *(*make)(void),
    int (*render)(void *, struct buf *), void (*free)(void *))
{
	int	 i;

	for (i = 0; i < METRICS_MORE && m->more[i].name != NULL; i++)
		if (strcmp(m->more[i].name, name) == 0)
			return m->more[i].arg;
	if (i == METRICS_MORE || (m->more[i].arg = make()) == NULL)
		return NULL;
	m->more[i].render = render;
	m->more[i].free = free;
	m->more[i].name = name;
	return m->more[i].arg;
}

void
metrics_release(struct metrics *m)
{
	int	 i;

	for (i = 0; i < METRICS_MORE && m->more[i].name != NULL; i++) {
		m->more[i].free(m->more[i].arg);
		m->more[i].name = NULL;
	}
}

int
metrics_health(struct metrics *m, struct buf *out)
{
	char	 since[TIME_ISO_LEN];
	uint64_t days = m->index_lag_days, failing = m->store_failing_us;

	if (days == 0 && failing == 0 && m->index_rebuilding_days == 0) {
		buf_puts(out, "ok\n");
		return 200;
	}
	if (failing != 0) {
		time_format((int64_t)failing, since);
		buf_printf(out, "unavailable: the store cannot commit since %s "
		    "(a full disk or an I/O error: see the log); ingest "
		    "requests are answered 503\n", since);
	}
	if (days != 0) {
		time_format((int64_t)m->index_lag_since_us, since);
		buf_printf(out, "degraded: the full-text index of %llu day%s "
		    "lacks %llu acknowledged events since %s (a write failed; "
		    "retrying); searches read them one by one\n",
		    (unsigned long long)days, days == 1 ? "" : "s",
		    (unsigned long long)m->index_lag_events, since);
	}
	if (m->index_rebuilding_days != 0)
		buf_printf(out, "degraded: the full-text index of %llu day%s "
		    "is being rebuilt (its file was missing or damaged: see "
		    "the log); searches read %s events one by one\n",
		    (unsigned long long)m->index_rebuilding_days,
		    m->index_rebuilding_days == 1 ? "" : "s",
		    m->index_rebuilding_days == 1 ? "its" : "their");
	return failing != 0 ? 503 : 200;
}

int
metrics_render(struct metrics *m, struct buf *out)
{
	uint64_t cum = 0;
	int	 i, rc = 0;

	rc |= counter(out, "ward_events_received_total", "counter",
	    "Documents received in ingest requests.", m->events_received);
	rc |= counter(out, "ward_events_stored_total", "counter",
	    "Events committed to the store since start.", m->events_stored);
	rc |= counter(out, "ward_events_rejected_total", "counter",
	    "Documents refused (bad JSON, not an object, too deep...).",
	    m->events_rejected);
	rc |= counter(out, "ward_store_events", "gauge",
	    "Events held in the store now.", m->store_events);
	rc |= counter(out, "ward_ingest_requests_rejected_total", "counter",
	    "Ingest requests answered with an error status.",
	    m->requests_rejected);
	rc |= counter(out, "ward_ingest_throttled_total", "counter",
	    "Ingest requests answered 429 because the pipeline was full.",
	    m->requests_throttled);
	rc |= counter(out, "ward_ingest_disk_full_total", "counter",
	    "Ingest requests answered 507 because the disk was below "
	    "--min-free.", m->requests_disk_full);
	rc |= counter(out, "ward_ingest_queue_depth", "gauge",
	    "Ingest requests in the pipeline, not yet acknowledged.",
	    (uint64_t)(m->queue_depth < 0 ? 0 : m->queue_depth));
	rc |= counter(out, "ward_alerter_backlog", "gauge",
	    "Acknowledged ingest requests whose events the rules have not "
	    "evaluated yet.", (uint64_t)(m->alerter_backlog < 0 ? 0 :
	    m->alerter_backlog));
	rc |= counter(out, "ward_index_queue_bytes", "gauge",
	    "Bytes of acknowledged events' text the full-text index has not "
	    "written yet.", m->index_queued);
	rc |= counter(out, "ward_store_failing_seconds", "gauge",
	    "Seconds the store's commits have been failing (a full disk, an "
	    "I/O error); 0 while they succeed.", m->store_failing_us == 0 ?
	    0 : (uint64_t)((time_now_us() - (int64_t)m->store_failing_us) /
	    1000000));
	rc |= counter(out, "ward_index_broken_days", "gauge",
	    "Days whose full-text index lacks acknowledged events because a "
	    "write failed (disk full); it retries and catches up by itself.",
	    m->index_lag_days);
	rc |= counter(out, "ward_index_lag_events", "gauge",
	    "Acknowledged events those days' index lacks; searches read them "
	    "one by one.", m->index_lag_events);
	rc |= counter(out, "ward_index_lag_seconds", "gauge",
	    "Seconds since the oldest of those days fell behind (0: none).",
	    m->index_lag_since_us == 0 ? 0 : (uint64_t)((time_now_us() -
	    (int64_t)m->index_lag_since_us) / 1000000));
	rc |= counter(out, "ward_index_rebuilding_days", "gauge",
	    "Days whose full-text index file was missing or damaged and is "
	    "being rebuilt from their events (searches read them without "
	    "it meanwhile).", m->index_rebuilding_days);
	rc |= counter(out, "ward_index_rebuilding_events", "gauge",
	    "Events those days' index files lack, about.",
	    m->index_rebuilding_events);
	rc |= counter(out, "ward_index_rebuilt_total", "counter",
	    "Index files rebuilt from their day's events since start.",
	    m->index_rebuilt_total);
	rc |= counter(out, "ward_rule_groups", "gauge",
	    "Correlation groups the rules hold now (updated each second).",
	    m->rule_groups);
	rc |= counter(out, "ward_rule_groups_evicted_total", "counter",
	    "Correlation groups evicted, the least recently hit, for a new "
	    "group when their rule held its most.", m->rule_groups_evicted);
	rc |= counter(out, "ward_rule_hits_dropped_total", "counter",
	    "Deadman rule hits not counted because their rule held its most "
	    "groups.", m->rule_hits_dropped);
	rc |= counter(out, "ward_console_searches_running", "gauge",
	    "Consoles' searches and observable counts running now.",
	    (uint64_t)(m->console_searches < 0 ? 0 : m->console_searches));
	rc |= counter(out, "ward_console_searches_refused_total", "counter",
	    "Consoles' searches refused because their user had the most "
	    "running and waiting.", m->console_searches_refused);
	rc |= counter(out, "ward_searches_total", "counter",
	    "Searches run.", m->searches);
	rc |= counter(out, "ward_search_errors_total", "counter",
	    "Searches refused or failed.", m->search_errors);
	rc |= counter(out, "ward_http_pipelined_refused_total", "counter",
	    "Request bodies pipelined behind another request, refused (503) "
	    "and their connection closed.", m->http_pipelined_refused);
	rc |= counter(out, "ward_http_slow_closed_total", "counter",
	    "Connections closed (408) because a request came slower than "
	    "the minimum rate.", m->http_slow_closed);
	rc |= counter(out, "ward_http_connections_refused_total", "counter",
	    "Connections refused because their address held the most "
	    "unauthenticated connections.", m->http_conns_refused);
	rc |= counter(out, "ward_http_unauthenticated_connections", "gauge",
	    "Open connections that have not authenticated yet.",
	    (uint64_t)(m->http_unauth_conns < 0 ? 0 : m->http_unauth_conns));
	rc |= buf_puts(out, "# HELP ward_commit_latency_seconds Time from "
	    "BEGIN to fsynced COMMIT of one group commit.\n"
	    "# TYPE ward_commit_latency_seconds histogram\n");
	for (i = 0; i < METRICS_LAT_BUCKETS; i++) {
		cum += m->lat_bucket[i];
		rc |= buf_printf(out,
		    "ward_commit_latency_seconds_bucket{le=\"%g\"} %llu\n",
		    lat_bounds[i], (unsigned long long)cum);
	}
	cum += m->lat_bucket[METRICS_LAT_BUCKETS];
	rc |= buf_printf(out,
	    "ward_commit_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "ward_commit_latency_seconds_sum %.6f\n"
	    "ward_commit_latency_seconds_count %llu\n",
	    (unsigned long long)cum, (double)m->lat_sum_us / 1e6,
	    (unsigned long long)cum);
	for (i = 0; i < METRICS_MORE && m->more[i].name != NULL; i++)
		rc |= m->more[i].render(m->more[i].arg, out);
	return rc ? -1 : 0;
}
