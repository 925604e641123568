/* Unit tests for hub/rules/correlate: correlation windows and deadman rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <jansson.h>

#include "correlate.h"
#include "sigma.h"

#define SEC	1000000LL
#define T0	1795773600000000LL	/* 2026-11-27T10:00:00Z */

struct seen {
	char	 rule[64][64];
	char	 group[64][128];
	char	 summary[64][256];
	size_t	 count[64];
	size_t	 nids[64];
	int64_t	 lastid[64];
	size_t	 n;
};

static void
record(void *arg, const struct rule_match *m)
{
	struct seen *s = arg;

	if (s->n < 64) {
		snprintf(s->rule[s->n], sizeof(s->rule[0]), "%s", m->rule->id);
		snprintf(s->group[s->n], sizeof(s->group[0]), "%s", m->group);
		snprintf(s->summary[s->n], sizeof(s->summary[0]), "%s",
		    m->summary);
		s->count[s->n] = m->count;
		s->nids[s->n] = m->nids;
		s->lastid[s->n] = m->nids ? m->ids[m->nids - 1] : -1;
	}
	s->n++;
}

static struct ruleset *
load(const char *yaml)
{
	struct ruleset *rs;
	size_t nerr;

	rs = ruleset_load_string(yaml, strlen(yaml), "c.yml", NULL, NULL,
	    &nerr);
	assert_non_null(rs);
	assert_int_equal(nerr, 0);
	return rs;
}

/* Feed one event at time t (µs) with these fields. */
static void
feed(struct correlator *c, int64_t id, int64_t t, const char *proc,
    const char *ip, const char *user, struct seen *s)
{
	char ts[64];
	time_t secs = (time_t)(t / SEC);
	struct tm tm;
	json_t *ev;

	gmtime_r(&secs, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long long)(t % SEC));
	ev = json_pack("{s:s, s:s, s:s, s:s, s:{s:s?, s:s?}}",
	    "utctimestamp", ts, "hostname", "bastion1", "processname", proc,
	    "summary", "x", "details", "sourceipaddress", ip, "username", user);
	assert_non_null(ev);
	assert_true(correlator_feed(c, ev, id, t, record, s) >= 0);
	json_decref(ev);
}

static const char brute[] =
    "title: brute\nid: brute\ncorrelation:\n  type: event_count\n"
    "  rules: [fail]\n  group-by: [details.sourceipaddress]\n"
    "  timespan: 2m\n  condition:\n    gte: 10\n"
    "ward:\n  summary: '{@count} failures from {details.sourceipaddress}'\n"
    "---\ntitle: fail\nname: fail\ndetection:\n  sel:\n"
    "    processname: fail\n  condition: sel\n";

static void
event_count_exactly_n(void **state)
{
	struct ruleset *rs = load(brute);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 9; i++)
		feed(c, i + 1, T0 + i * SEC, "fail", "203.0.113.7", "a", &s);
	assert_int_equal(s.n, 0);		/* N-1: nothing */
	feed(c, 10, T0 + 9 * SEC, "fail", "203.0.113.7", "a", &s);
	assert_int_equal(s.n, 1);		/* N: fires */
	assert_string_equal(s.rule[0], "brute");
	assert_string_equal(s.group[0], "203.0.113.7");
	assert_int_equal(s.count[0], 10);
	assert_int_equal(s.nids[0], 10);
	assert_int_equal(s.lastid[0], 10);
	assert_string_equal(s.summary[0], "10 failures from 203.0.113.7");
	/* the window starts over: nine more do not fire again */
	for (i = 0; i < 9; i++)
		feed(c, 20 + i, T0 + (10 + i) * SEC, "fail", "203.0.113.7",
		    "a", &s);
	assert_int_equal(s.n, 1);
	correlator_free(c);
	ruleset_free(rs);
}

static void
event_count_window_boundary(void **state)
{
	struct ruleset *rs = load(brute);
	struct correlator *c;
	struct seen s;
	int i;

	/* 10th event exactly timespan after the first: inside */
	c = correlator_new(rs);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 9; i++)
		feed(c, i + 1, T0 + i * SEC, "fail", "203.0.113.7", "a", &s);
	feed(c, 10, T0 + 120 * SEC, "fail", "203.0.113.7", "a", &s);
	assert_int_equal(s.n, 1);
	correlator_free(c);
	/* one microsecond later: the first has left the window */
	c = correlator_new(rs);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 9; i++)
		feed(c, i + 1, T0 + i * SEC, "fail", "203.0.113.7", "a", &s);
	feed(c, 10, T0 + 120 * SEC + 1, "fail", "203.0.113.7", "a", &s);
	assert_int_equal(s.n, 0);
	feed(c, 11, T0 + 120 * SEC + 2, "fail", "203.0.113.7", "a", &s);
	assert_int_equal(s.n, 1);		/* 2nd..11th fit */
	correlator_free(c);
	ruleset_free(rs);
}

static void
event_count_groups_apart(void **state)
{
	struct ruleset *rs = load(brute);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 18; i++)
		feed(c, i + 1, T0 + i * SEC, "fail", i % 2 ? "198.51.100.1" :
		    "198.51.100.2", "a", &s);
	assert_int_equal(s.n, 0);
	/* no source address: no group, does not count */
	for (i = 0; i < 12; i++)
		feed(c, 100 + i, T0 + i * SEC, "fail", NULL, "a", &s);
	assert_int_equal(s.n, 0);
	feed(c, 50, T0 + 30 * SEC, "fail", "198.51.100.2", "a", &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.group[0], "198.51.100.2");
	correlator_free(c);
	ruleset_free(rs);
}

static void
event_count_conditions(void **state)
{
	const char *y = "title: few\nid: few\ncorrelation:\n  type: "
	    "event_count\n  rules: [fail]\n  timespan: 1m\n  condition:\n"
	    "    gt: 2\n    lte: 3\n---\ntitle: fail\nname: fail\n"
	    "detection:\n  sel:\n    processname: fail\n  condition: sel\n";
	struct ruleset *rs = load(y);
	struct correlator *c = correlator_new(rs);
	struct seen s;

	memset(&s, 0, sizeof(s));
	feed(c, 1, T0, "fail", "x", "a", &s);
	feed(c, 2, T0 + SEC, "fail", "x", "a", &s);
	assert_int_equal(s.n, 0);
	feed(c, 3, T0 + 2 * SEC, "fail", "x", "a", &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.count[0], 3);
	correlator_free(c);
	ruleset_free(rs);
}

static const char spray[] =
    "title: spray\nid: spray\ncorrelation:\n  type: value_count\n"
    "  rules: [fail]\n  group-by: [SourceIp]\n  timespan: 10m\n"
    "  condition:\n    field: User\n    gte: 5\n"
    "---\ntitle: fail\nname: fail\ndetection:\n  sel:\n"
    "    processname: fail\n  condition: sel\n";

static void
value_count_distinct(void **state)
{
	static const char *const users[] = { "admin", "ADMIN", "oracle",
	    "test", "admin", "ubuntu", "test", "pi" };
	struct ruleset *rs = load(spray);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	/* admin, ADMIN (same), oracle, test, admin, ubuntu, test: 4 */
	for (i = 0; i < 7; i++)
		feed(c, i + 1, T0 + i * 60 * SEC, "fail", "203.0.113.9",
		    users[i], &s);
	assert_int_equal(s.n, 0);
	feed(c, 8, T0 + 7 * 60 * SEC, "fail", "203.0.113.9", users[7], &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.count[0], 5);
	correlator_free(c);
	ruleset_free(rs);
}

static void
value_count_window(void **state)
{
	static const char *const users[] = { "a", "b", "c", "d", "e" };
	struct ruleset *rs = load(spray);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	/* 5 users, but the first falls out of the 10 minutes */
	for (i = 0; i < 4; i++)
		feed(c, i + 1, T0 + i * 200 * SEC, "fail", "203.0.113.9",
		    users[i], &s);
	feed(c, 5, T0 + 4 * 200 * SEC, "fail", "203.0.113.9", users[4], &s);
	assert_int_equal(s.n, 0);
	correlator_free(c);
	ruleset_free(rs);
}

/* value_sum, value_avg, value_percentile, value_median: over the
   numbers of a field (here User carries them) in the window. */
static size_t
aggregate_fires(const char *type, const char *cond, const char *const *v,
    size_t n)
{
	char y[1024];
	struct ruleset *rs;
	struct correlator *c;
	struct seen s;
	size_t i;

	snprintf(y, sizeof(y), "title: agg\nid: agg\ncorrelation:\n"
	    "  type: %s\n  rules: [xfer]\n  group-by: [SourceIp]\n"
	    "  timespan: 10m\n  condition:\n    field: User\n%s"
	    "---\ntitle: xfer\nname: xfer\ndetection:\n  sel:\n"
	    "    processname: xfer\n  condition: sel\n", type, cond);
	rs = load(y);
	c = correlator_new(rs);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < n; i++)
		feed(c, (int64_t)i + 1, T0 + (int64_t)i * 60 * SEC, "xfer",
		    "198.51.100.4", v[i], &s);
	correlator_free(c);
	ruleset_free(rs);
	return s.n;
}

static void
value_aggregates(void **state)
{
	static const char *const v[] = { "400", "x", "300", "350.5" };
	static const char *const skew[] = { "1", "2", "3", "4", "5", "6",
	    "7", "8", "9", "1000" };

	/* sum 400 + 300 + 350.5 (x is not a number) */
	assert_int_equal(aggregate_fires("value_sum", "    gte: 1050\n", v, 4),
	    1);
	assert_int_equal(aggregate_fires("value_sum", "    gt: 1050.5\n", v, 4),
	    0);
	assert_int_equal(aggregate_fires("value_sum", "    gte: 1050.5\n", v,
	    4), 1);
	/* mean of the last window: 400, 350, 350.16..: never above 401 */
	assert_int_equal(aggregate_fires("value_avg", "    gt: 401\n", v, 4),
	    0);
	assert_int_equal(aggregate_fires("value_avg", "    gte: 400\n", v, 4),
	    1);
	/* 9 small values and one large: the median stays small, the 95th
	   percentile does not */
	assert_int_equal(aggregate_fires("value_median", "    gte: 100\n",
	    skew, 10), 0);
	assert_int_equal(aggregate_fires("value_percentile",
	    "    percentile: 95\n    gte: 100\n", skew, 10), 1);
	assert_int_equal(aggregate_fires("value_percentile",
	    "    percentile: 50\n    gte: 100\n", skew, 10), 0);
}

static const char temporal[] =
    "title: both\nid: both\ncorrelation:\n  type: %s\n"
    "  rules: [a, b]\n  group-by: [User]\n  timespan: 5m\n"
    "---\ntitle: a\nname: a\ndetection:\n  sel:\n    processname: a\n"
    "  condition: sel\n"
    "---\ntitle: b\nname: b\ndetection:\n  sel:\n    processname: b\n"
    "  condition: sel\n";

static struct ruleset *
load_temporal(const char *type)
{
	char y[1024];

	snprintf(y, sizeof(y), temporal, type);
	return load(y);
}

static void
temporal_any_order(void **state)
{
	struct ruleset *rs = load_temporal("temporal");
	struct correlator *c = correlator_new(rs);
	struct seen s;

	memset(&s, 0, sizeof(s));
	feed(c, 1, T0, "b", "x", "alice", &s);
	feed(c, 2, T0 + 60 * SEC, "a", "x", "bob", &s);	/* other group */
	assert_int_equal(s.n, 0);
	feed(c, 3, T0 + 300 * SEC, "a", "x", "alice", &s);	/* edge */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.group[0], "alice");
	feed(c, 4, T0 + 400 * SEC, "b", "x", "bob", &s);	/* 340 s */
	assert_int_equal(s.n, 1);
	correlator_free(c);
	ruleset_free(rs);
}

static void
temporal_ordered_needs_order(void **state)
{
	struct ruleset *rs = load_temporal("temporal_ordered");
	struct correlator *c = correlator_new(rs);
	struct seen s;

	memset(&s, 0, sizeof(s));
	feed(c, 1, T0, "b", "x", "alice", &s);
	feed(c, 2, T0 + SEC, "a", "x", "alice", &s);
	assert_int_equal(s.n, 0);		/* b before a: no */
	feed(c, 3, T0 + 2 * SEC, "b", "x", "alice", &s);
	assert_int_equal(s.n, 1);		/* a then b */
	assert_int_equal(s.nids[0], 2);
	assert_int_equal(s.lastid[0], 3);
	feed(c, 4, T0 + 10 * SEC, "a", "x", "carol", &s);
	feed(c, 5, T0 + 311 * SEC, "b", "x", "carol", &s);
	assert_int_equal(s.n, 1);		/* too far apart */
	correlator_free(c);
	ruleset_free(rs);
}

/* The classic: a success from an address right after its brute force,
   correlations chained. */
static void
chained_success_after_brute_force(void **state)
{
	char y[2048];
	struct ruleset *rs;
	struct correlator *c;
	struct seen s;
	int i;

	snprintf(y, sizeof(y), "%s---\ntitle: after\nid: after\n"
	    "correlation:\n  type: temporal_ordered\n  rules: [brute, ok]\n"
	    "  group-by: [details.sourceipaddress]\n  timespan: 10m\n"
	    "---\ntitle: ok\nname: ok\ndetection:\n  sel:\n"
	    "    processname: ok\n  condition: sel\n", brute);
	rs = load(y);
	c = correlator_new(rs);
	memset(&s, 0, sizeof(s));
	feed(c, 1, T0, "ok", "203.0.113.7", "deploy", &s);
	for (i = 0; i < 10; i++)
		feed(c, 2 + i, T0 + (1 + i) * SEC, "fail", "203.0.113.7",
		    "root", &s);
	/* brute is a building block in this file: it does not report */
	assert_int_equal(s.n, 0);
	feed(c, 20, T0 + 60 * SEC, "ok", "198.51.100.3", "deploy", &s);
	assert_int_equal(s.n, 0);
	feed(c, 21, T0 + 61 * SEC, "ok", "203.0.113.7", "deploy", &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.rule[0], "after");
	assert_string_equal(s.group[0], "203.0.113.7");
	correlator_free(c);
	ruleset_free(rs);
}

static void
detection_reports_with_group(void **state)
{
	const char *y = "title: root login\nid: root\ndetection:\n  sel:\n"
	    "    User: root\n  condition: sel\nward:\n  group-by: [hostname]\n"
	    "  summary: 'root on {hostname} from {SourceIp} ({nothere})'\n";
	struct ruleset *rs = load(y);
	struct correlator *c = correlator_new(rs);
	struct seen s;

	memset(&s, 0, sizeof(s));
	feed(c, 7, T0, "sshd", "192.0.2.1", "root", &s);
	feed(c, 8, T0, "sshd", "192.0.2.1", "deploy", &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.group[0], "bastion1");
	assert_string_equal(s.summary[0], "root on bastion1 from 192.0.2.1 (-)");
	assert_int_equal(s.lastid[0], 7);
	correlator_free(c);
	ruleset_free(rs);
}

static void
extract_fills_group_by(void **state)
{
	const char *y = "title: n\nid: n\ncorrelation:\n  type: event_count\n"
	    "  rules: [f]\n  group-by: [details.sourceipaddress]\n"
	    "  timespan: 1m\n  condition: {gte: 2}\nward:\n"
	    "  summary: 'from {details.sourceipaddress}'\n---\n"
	    "title: f\nname: f\ndetection:\n  sel:\n"
	    "    summary|startswith: 'Failed password'\n  condition: sel\n"
	    "ward:\n  extract:\n    details.sourceipaddress: "
	    "' from ([0-9.]+) port'\n";
	struct ruleset *rs = load(y);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	json_t *ev;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 2; i++) {
		ev = json_pack("{s:s, s:s}", "utctimestamp",
		    "2026-11-27T10:00:00Z", "summary", "Failed password for "
		    "invalid user admin from 203.0.113.7 port 52211 ssh2");
		assert_true(correlator_feed(c, ev, i, T0, record, &s) >= 0);
		json_decref(ev);
	}
	assert_int_equal(s.n, 1);
	assert_string_equal(s.group[0], "203.0.113.7");
	assert_string_equal(s.summary[0], "from 203.0.113.7");
	correlator_free(c);
	ruleset_free(rs);
}

static void
deadman_fires_once_per_silence(void **state)
{
	const char *y = "title: quiet\nid: quiet\ndetection:\n  sel:\n"
	    "    hostname|exists: true\n  condition: sel\nward:\n"
	    "  deadman:\n    timespan: 10m\n    group-by: [hostname]\n"
	    "  summary: 'no events from {hostname}'\n";
	struct ruleset *rs = load(y);
	struct correlator *c = correlator_new(rs);
	struct seen s;

	memset(&s, 0, sizeof(s));
	feed(c, 1, T0, "app", "x", "a", &s);
	assert_int_equal(s.n, 0);		/* its match is not a report */
	assert_int_equal(correlator_tick(c, T0 + 600 * SEC - 1, record, &s), 0);
	assert_int_equal(correlator_tick(c, T0 + 600 * SEC, record, &s), 1);
	assert_string_equal(s.group[0], "bastion1");
	assert_string_equal(s.summary[0], "no events from bastion1");
	assert_int_equal(s.lastid[0], 1);
	assert_int_equal(correlator_tick(c, T0 + 900 * SEC, record, &s), 0);
	/* alive again, then silent again: fires again */
	feed(c, 2, T0 + 1000 * SEC, "app", "x", "a", &s);
	assert_int_equal(correlator_tick(c, T0 + 1500 * SEC, record, &s), 0);
	assert_int_equal(correlator_tick(c, T0 + 1600 * SEC, record, &s), 1);
	correlator_free(c);
	ruleset_free(rs);
}

static void
deadman_without_group(void **state)
{
	const char *y = "title: silent source\nid: ss\ndetection:\n  sel:\n"
	    "    processname: app\n  condition: sel\nward:\n"
	    "  deadman:\n    timespan: 1m\n";
	struct ruleset *rs = load(y);
	struct correlator *c = correlator_new(rs);
	struct seen s;

	memset(&s, 0, sizeof(s));
	/* nothing ever seen: silence counts from the first tick */
	assert_int_equal(correlator_tick(c, T0, record, &s), 0);
	assert_int_equal(correlator_tick(c, T0 + 59 * SEC, record, &s), 0);
	assert_int_equal(correlator_tick(c, T0 + 60 * SEC, record, &s), 1);
	assert_int_equal(s.nids[0], 0);
	feed(c, 5, T0 + 61 * SEC, "other", "x", "a", &s);
	assert_int_equal(correlator_tick(c, T0 + 200 * SEC, record, &s), 0);
	feed(c, 6, T0 + 201 * SEC, "app", "x", "a", &s);
	assert_int_equal(correlator_tick(c, T0 + 261 * SEC, record, &s), 1);
	correlator_free(c);
	ruleset_free(rs);
}

static void
idle_groups_are_forgotten(void **state)
{
	struct ruleset *rs = load(brute);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 9; i++)
		feed(c, i + 1, T0 + i * SEC, "fail", "203.0.113.7", "a", &s);
	/* a tick long after (arrival clock) forgets the group ... */
	correlator_tick(c, T0 + 3600 * SEC, record, &s);
	/* ... so an out-of-order 10th event dated inside the old window
	   starts a new one */
	feed(c, 10, T0 + 9 * SEC, "fail", "203.0.113.7", "a", &s);
	assert_int_equal(s.n, 0);
	correlator_free(c);
	ruleset_free(rs);
}

static void
groups_are_counted_and_capped(void **state)
{
	struct ruleset *rs = load(brute);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	char ip[32];
	int i;

	memset(&s, 0, sizeof(s));
	assert_int_equal(correlator_groups(c), 0);
	feed(c, 1, T0, "fail", "203.0.113.7", "a", &s);
	feed(c, 2, T0, "fail", "203.0.113.7", "a", &s);
	feed(c, 3, T0, "fail", "203.0.113.8", "a", &s);
	feed(c, 4, T0, "other", "203.0.113.9", "a", &s);
	assert_int_equal(correlator_groups(c), 2);	/* an address each */
	feed(c, 5, T0, "fail", "203.0.113.8", "a", &s);	/* .8 hit last */
	for (i = 0; i < CORRELATOR_MAX_GROUPS - 1; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16 & 255,
		    i >> 8 & 255, i & 255);
		feed(c, 10 + i, T0 + SEC, "fail", ip, "a", &s);
		if (i == CORRELATOR_MAX_GROUPS / 2)	/* .8 again */
			feed(c, 9, T0 + SEC, "fail", "203.0.113.8", "a", &s);
	}
	/* Full: each new group evicts the least recently hit one. */
	assert_int_equal(correlator_groups(c), CORRELATOR_MAX_GROUPS);
	assert_int_equal(correlator_evicted(c), 1);	/* .7 */
	assert_int_equal(correlator_dropped(c), 0);
	for (i = 0; i < 5; i++) {
		snprintf(ip, sizeof ip, "172.16.0.%d", i);
		feed(c, 60000 + i, T0 + SEC, "fail", ip, "a", &s);
	}
	assert_int_equal(correlator_groups(c), CORRELATOR_MAX_GROUPS);
	assert_int_equal(correlator_evicted(c), 6);
	/* .8, hit half way through, is still held: 3 + 7 hits fire */
	for (i = 0; i < 7; i++)
		feed(c, 100000 + i, T0 + 2 * SEC, "fail", "203.0.113.8",
		    "a", &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.group[0], "203.0.113.8");
	assert_int_equal(s.count[0], 10);
	/* .7 was evicted: its 2 hits are gone, 8 more do not fire */
	for (i = 0; i < 8; i++)
		feed(c, 100100 + i, T0 + 2 * SEC, "fail", "203.0.113.7",
		    "a", &s);
	assert_int_equal(s.n, 1);
	/* idle groups are forgotten, and new ones start again */
	correlator_tick(c, T0 + 3600 * SEC, record, &s);
	assert_int_equal(correlator_groups(c), 0);
	feed(c, 200000, T0 + 3600 * SEC, "fail", "192.0.2.1", "a", &s);
	assert_int_equal(correlator_groups(c), 1);
	assert_int_equal(correlator_evicted(c), 7);
	correlator_free(c);
	ruleset_free(rs);
}

/* A deadman rule at its cap refuses new groups rather than evict the one
   falling silent: the group it held first still reports its silence. */
static void
deadman_at_cap_keeps_its_groups(void **state)
{
	const char *y = "title: quiet\nid: quiet\ndetection:\n  sel:\n"
	    "    processname: app\n  condition: sel\nward:\n"
	    "  deadman:\n    timespan: 10m\n"
	    "    group-by: [details.sourceipaddress]\n";
	struct ruleset *rs = load(y);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	char ip[32];
	int i;

	memset(&s, 0, sizeof(s));
	feed(c, 1, T0, "app", "192.0.2.1", "a", &s);
	for (i = 0; i < CORRELATOR_MAX_GROUPS; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16 & 255,
		    i >> 8 & 255, i & 255);
		feed(c, 10 + i, T0 + 300 * SEC, "app", ip, "a", &s);
	}
	assert_int_equal(correlator_groups(c), CORRELATOR_MAX_GROUPS);
	assert_int_equal(correlator_dropped(c), 1);
	assert_int_equal(correlator_evicted(c), 0);
	/* only 192.0.2.1 has been silent for 10 minutes */
	assert_int_equal(correlator_tick(c, T0 + 600 * SEC, record, &s), 1);
	assert_string_equal(s.group[0], "192.0.2.1");
	correlator_free(c);
	ruleset_free(rs);
}

/*
 * An attacker first floods a rule with distinct keys until it holds its
 * most groups, then brute-forces from one address: the rule still fires
 * for that address (its group evicts an idle one and, hitting again and
 * again, is never the least recently hit).
 */
static void
flood_does_not_blind_a_rule(void **state)
{
	struct ruleset *rs = load(brute);
	struct correlator *c = correlator_new(rs);
	struct seen s;
	char ip[32];
	int i, k, id = 1;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < CORRELATOR_MAX_GROUPS + 1000; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16 & 255,
		    i >> 8 & 255, i & 255);
		feed(c, id++, T0 + SEC, "fail", ip, "a", &s);
	}
	assert_int_equal(s.n, 0);
	/* Ten attempts, each behind another 2,000 distinct keys. */
	for (k = 0; k < 10; k++) {
		feed(c, id++, T0 + 2 * SEC, "fail", "198.51.100.66", "root",
		    &s);
		for (i = 0; i < 2000; i++, id++) {
			snprintf(ip, sizeof ip, "11.%d.%d.%d", id >> 16 & 255,
			    id >> 8 & 255, id & 255);
			feed(c, id, T0 + 2 * SEC, "fail", ip, "a", &s);
		}
	}
	assert_int_equal(s.n, 1);
	assert_string_equal(s.rule[0], "brute");
	assert_string_equal(s.group[0], "198.51.100.66");
	assert_int_equal(s.count[0], 10);
	assert_int_equal(correlator_groups(c), CORRELATOR_MAX_GROUPS);
	assert_true(correlator_evicted(c) > 20000);
	correlator_free(c);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(event_count_exactly_n),
		cmocka_unit_test(event_count_window_boundary),
		cmocka_unit_test(event_count_groups_apart),
		cmocka_unit_test(event_count_conditions),
		cmocka_unit_test(value_count_distinct),
		cmocka_unit_test(value_count_window),
		cmocka_unit_test(value_aggregates),
		cmocka_unit_test(temporal_any_order),
		cmocka_unit_test(temporal_ordered_needs_order),
		cmocka_unit_test(chained_success_after_brute_force),
		cmocka_unit_test(detection_reports_with_group),
		cmocka_unit_test(extract_fills_group_by),
		cmocka_unit_test(deadman_fires_once_per_silence),
		cmocka_unit_test(deadman_without_group),
		cmocka_unit_test(idle_groups_are_forgotten),
		cmocka_unit_test(groups_are_counted_and_capped),
		cmocka_unit_test(flood_does_not_blind_a_rule),
		cmocka_unit_test(deadman_at_cap_keeps_its_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
