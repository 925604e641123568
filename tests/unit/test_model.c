/* Unit tests for console/model: fed the hub's messages as JSON, it keeps
   what the console shows. */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"
#include "query.h"

static struct model *
fresh(void)
{
	struct model *m = calloc(1, sizeof *m);

	assert_non_null(m);
	assert_int_equal(model_init(m), 0);
	return m;
}

static void
gone(struct model *m)
{
	model_release(m);
	free(m);
}

static json_t *
ev(int64_t id, const char *host, const char *sev, const char *summary)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
	    "utctimestamp", "2026-11-27T10:11:12.000000Z", "hostname", host,
	    "severity", sev, "summary", summary);
}

/* Add ev (taken) as an "events" push carries it: its JSON text. */
static unsigned
add_json(struct model *m, json_t *e)
{
	char	*s = json_dumps(e, JSON_COMPACT);
	unsigned r;

	assert_non_null(s);
	r = model_event_add(m, json_integer_value(json_object_get(e, "id")), s,
	    strlen(s));
	free(s);
	json_decref(e);
	return r;
}

static void
add(struct model *m, int64_t id, const char *host, const char *sev,
    const char *summary)
{
	add_json(m, ev(id, host, sev, summary));
}

/* xorshift: the same pseudo-random bytes on every run */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* An event like those of tests/bench/loadgen.c once normalized, about
   600 bytes, its varying parts pseudo-random. */
static json_t *
loadgen_event(int64_t id, uint32_t *s)
{
	static const char *const hosts[] = { "web1", "web2", "db1", "mail1",
		"bastion", "vpn1", "k8s-node-1", "k8s-node-2" };
	static const char *const users[] = { "root", "admin", "deploy",
		"alice", "bob", "oracle", "postgres", "ubuntu" };
	static const char *const sevs[] = { "INFO", "NOTICE", "WARNING",
		"ERROR" };
	char	 ts[40], rts[40], ip[20], sum[160], load[40];
	unsigned port = 1024 + rnd(s) % 60000;
	const char *u = users[rnd(s) % 8];

	snprintf(ts, sizeof ts, "2026-11-27T10:%02u:%02u.%06uZ", rnd(s) % 60,
	    rnd(s) % 60, rnd(s) % 1000000);
	snprintf(rts, sizeof rts, "2026-11-27T10:%02u:%02u.%06uZ", rnd(s) % 60,
	    rnd(s) % 60, rnd(s) % 1000000);
	snprintf(ip, sizeof ip, "%u.%u.%u.%u", 10 + rnd(s) % 200, rnd(s) % 256,
	    rnd(s) % 256, 1 + rnd(s) % 254);
	snprintf(sum, sizeof sum, "Failed password for %s from %s port %u "
	    "ssh2", u, ip, port);
	snprintf(load, sizeof load, "s%u-c0-%lld", rnd(s) % 1000,
	    (long long)id);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:[s,s],"
	    " s:s, s:{s:s, s:I, s:s, s:b, s:s, s:s, s:I, s:s, s:s}}",
	    "id", (json_int_t)id, "utctimestamp", ts, "receivedtimestamp", rts,
	    "category", "authentication", "severity", sevs[rnd(s) % 4],
	    "hostname", hosts[rnd(s) % 8], "processname", "sshd", "processid",
	    (json_int_t)(1000 + rnd(s) % 30000), "source", "auth.log", "tags",
	    "ssh", "loadgen", "summary", sum, "details", "sourceipaddress", ip,
	    "sourceport", (json_int_t)port, "username", u, "success", 0,
	    "authmethod", "password", "loadid", load, "bytes",
	    (json_int_t)(rnd(s) % 100000), "timestamp_original", ts, "hub",
	    "ward-bench");
}

static void
events_and_rows(void **state)
{
	struct model *m = fresh();
	const struct model_event *e;

	add(m, 1, "web1", "WARNING", "one");
	add(m, 2, "db1", "INFO", "two");
	assert_int_equal(m->ev_n, 2);
	assert_int_equal(m->rows_n, 2);
	e = model_row(m, 0);
	assert_int_equal(e->id, 1);
	assert_int_equal(e->sev, 4);
	assert_non_null(strstr(model_row_line(m, 0), "10:11:12 WARN web1"));
	assert_non_null(strstr(model_row_line(m, 1), "two"));
	assert_null(model_row(m, 2));
	assert_string_equal(model_row_line(m, 5), "");
	gone(m);
}

/* Stored events fetched by a search go in by id, before or among the
   live ones, each once; a live push of an event merged already is left
   out. */
static void
merge_stored_events(void **state)
{
	struct model *m = fresh();
	struct query *q;
	json_t	*rows;
	size_t	 i;

	add(m, 10, "web1", "INFO", "live ten");
	add(m, 11, "web1", "INFO", "live eleven");
	/* Newest first, as a search gives them; 11 is held already, "count"
	   rows are no events. */
	rows = json_pack("[O, O, O, O, {s:i}]", ev(11, "web1", "INFO",
	    "stored eleven"), ev(9, "db1", "INFO", "nine"), ev(7, "web2",
	    "INFO", "seven"), ev(8, "web2", "INFO", "eight"), "count", 3);
	for (i = 0; i < 4; i++)
		json_decref(json_array_get(rows, i));
	assert_true(model_events_merge(m, rows) & MC_EVENTS);
	assert_int_equal(m->ev_n, 5);
	assert_int_equal(m->rows_n, 5);
	assert_int_equal(m->ev_total, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(model_row(m, i)->id, (int64_t)(7 + i));
	assert_non_null(strstr(model_row_line(m, 4), "live eleven"));
	/* Again: nothing new. */
	assert_int_equal(model_events_merge(m, rows), 0);
	assert_int_equal(m->ev_n, 5);
	json_decref(rows);
	/* Newer than all held: appended. */
	rows = json_pack("[o]", ev(12, "web3", "INFO", "twelve"));
	assert_true(model_events_merge(m, rows) & MC_EVENTS);
	json_decref(rows);
	assert_int_equal(model_row(m, 5)->id, 12);
	/* The live push of one merged already. */
	add(m, 12, "web3", "INFO", "twelve");
	add(m, 9, "db1", "INFO", "nine");
	assert_int_equal(m->ev_n, 6);
	/* With a query: rows are those it selects, in id order. */
	assert_int_equal(query_parse("hostname:web*", 0, &q, NULL), 0);
	assert_int_equal(model_events_query(m, q, "hostname:web*"), 0);
	rows = json_pack("[o]", ev(3, "web4", "INFO", "three"));
	assert_true(model_events_merge(m, rows) & MC_EVENTS);
	json_decref(rows);
	assert_int_equal(m->rows_n, 6);
	assert_int_equal(model_row(m, 0)->id, 3);
	assert_int_equal(model_row(m, 1)->id, 7);
	gone(m);
}

static void
lines_are_escaped(void **state)
{
	struct model *m = fresh();

	add(m, 1, "h\x1b[31m", "ERROR", "a\nb\x07");
	assert_non_null(strstr(model_row_line(m, 0), "h^[[31m"));
	assert_non_null(strstr(model_row_line(m, 0), "a b^G"));
	assert_null(strchr(model_row_line(m, 0), '\x1b'));
	gone(m);
}

static void
query_selects_rows(void **state)
{
	struct model *m = fresh();
	struct query *q;
	struct query_error qe;

	add(m, 1, "web1", "WARNING", "one");
	add(m, 2, "db1", "INFO", "two");
	add(m, 3, "web2", "ERROR", "three");
	assert_int_equal(query_parse("hostname:web*", 0, &q, &qe), 0);
	assert_int_equal(model_events_query(m, q, "hostname:web*"), 0);
	assert_int_equal(m->rows_n, 2);
	assert_int_equal(model_row(m, 1)->id, 3);
	/* New events are filtered as they come. */
	add(m, 4, "db2", "INFO", "four");
	assert_int_equal(m->rows_n, 2);
	add(m, 5, "web3", "INFO", "five");
	assert_int_equal(m->rows_n, 3);
	assert_int_equal(model_row(m, 2)->id, 5);
	/* Every event again. */
	assert_int_equal(model_events_query(m, NULL, ""), 0);
	assert_int_equal(m->rows_n, 5);
	gone(m);
}

static void
count_by_table(void **state)
{
	struct model *m = fresh();
	const struct model_agg_row *r[8];
	struct query *q;
	struct query_error qe;
	size_t	 n;

	add(m, 1, "web1", "WARNING", "x");
	add(m, 2, "web1", "INFO", "x");
	add(m, 3, "db1", "INFO", "x");
	assert_int_equal(query_parse("* | count by hostname", 0, &q, &qe), 0);
	model_events_query(m, q, "* | count by hostname");
	assert_int_equal(m->agg, QUERY_AGG_COUNT_BY);
	add(m, 4, "db1", "INFO", "x");
	add(m, 5, "db1", "INFO", "x");
	n = model_agg_sorted(m, r, 8);
	assert_int_equal(n, 2);
	assert_string_equal(r[0]->key, "db1");
	assert_int_equal(r[0]->count, 3);
	assert_string_equal(r[1]->key, "web1");
	assert_int_equal(r[1]->count, 2);
	/* A histogram orders by time. */
	assert_int_equal(query_parse("* | histogram 1m", 0, &q, &qe), 0);
	model_events_query(m, q, "* | histogram 1m");
	n = model_agg_sorted(m, r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0]->count, 5);
	assert_non_null(strstr(r[0]->key, "10:11:00"));
	gone(m);
}

/* The ring keeps the newest MODEL_EVENTS_MAX; rows that fall off are
   counted so the view can keep its cursor on the same event. */
static void
ring_is_capped(void **state)
{
	struct model *m = fresh();
	int	 i;

	for (i = 0; i < MODEL_EVENTS_MAX + 10; i++)
		add(m, i, "h", "INFO", "s");
	assert_int_equal(m->ev_n, MODEL_EVENTS_MAX);
	assert_int_equal(m->rows_n, MODEL_EVENTS_MAX);
	assert_int_equal(m->rows_dropped, 10);
	assert_int_equal(model_row(m, 0)->id, 10);
	assert_true(m->ev_bytes <= MODEL_EVENT_BYTES);
	model_events_clear(m);
	assert_int_equal(m->ev_n, 0);
	assert_int_equal(m->ev_bytes, 0);
	gone(m);
}

/* Events that do not compress are capped by the bytes they take. */
static void
ring_is_capped_by_bytes(void **state)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	struct model *m = fresh();
	char	*big = malloc(100001);
	uint32_t s = 42;
	int	 i, j;

	assert_non_null(big);
	big[100000] = '\0';
	for (i = 0; i < 300; i++) {
		for (j = 0; j < 100000; j++)
			big[j] = b64[rnd(&s) % 64];
		add(m, i, "h", "INFO", big);
		assert_true(m->ev_bytes <= MODEL_EVENT_BYTES);
	}
	assert_true(m->ev_n < 300);
	assert_int_equal(model_row(m, m->rows_n - 1)->id, 299);
	assert_int_equal(model_row(m, 0)->id, 300 - (int)m->ev_n);
	free(big);
	gone(m);
}

/*
 * The scroll-back holds MODEL_EVENTS_MAX events of the size loadgen sends
 * (about 600 bytes of JSON each, 60 MB in all) in much less memory: their
 * text is deflated a block at a time, yet every one of them reads back as
 * it came, the oldest too.
 */
static void
scrollback_holds_100k_events(void **state)
{
	struct model *m = fresh();
	json_t	*first = NULL, *back;
	const char *t;
	uint32_t s = 7;
	size_t	 raw = 0, len;
	char	*text;
	int64_t	 i;

	for (i = 1; i <= MODEL_EVENTS_MAX; i++) {
		json_t *e = loadgen_event(i, &s);

		text = json_dumps(e, JSON_COMPACT);
		raw += strlen(text);
		free(text);
		if (i == 1)
			first = json_incref(e);
		assert_int_equal(add_json(m, e), MC_EVENTS);
	}
	assert_int_equal(m->ev_n, MODEL_EVENTS_MAX);
	assert_int_equal(m->rows_n, MODEL_EVENTS_MAX);
	assert_int_equal(m->rows_dropped, 0);
	assert_true(raw > 50u << 20);
	/* a fifth of the text, or less */
	assert_true(m->ev_bytes < raw / 5);
	print_message("# %d events: %zu bytes of JSON held in %zu\n",
	    MODEL_EVENTS_MAX, raw, m->ev_bytes);
	back = model_event_json(m, model_row(m, 0));
	assert_non_null(back);
	assert_true(json_equal(back, first));
	json_decref(back);
	assert_non_null(strstr(model_row_line(m, 0), "sshd: Failed password"));
	t = model_event_text(m, model_row(m, 0), &len);
	assert_non_null(t);
	assert_int_equal(t[0], '{');
	assert_int_equal(t[len - 1], '}');
	/* One more: the oldest goes, and rows follow. */
	add_json(m, loadgen_event(MODEL_EVENTS_MAX + 1, &s));
	assert_int_equal(m->ev_n, MODEL_EVENTS_MAX);
	assert_int_equal(m->rows_dropped, 1);
	assert_int_equal(model_row(m, 0)->id, 2);
	assert_int_equal(model_row(m, MODEL_EVENTS_MAX - 1)->id,
	    MODEL_EVENTS_MAX + 1);
	/* A query re-reads them all from the blocks. */
	{
		struct query *q;
		struct query_error qe;

		assert_int_equal(query_parse("hostname:web1", 0, &q, &qe), 0);
		assert_int_equal(model_events_query(m, q, "hostname:web1"), 0);
		assert_true(m->rows_n > MODEL_EVENTS_MAX / 10);
		assert_true(m->rows_n < MODEL_EVENTS_MAX / 6);
		assert_non_null(strstr(model_row_line(m, 0), "web1"));
	}
	model_events_clear(m);
	assert_int_equal(m->ev_bytes, 0);
	assert_int_equal(m->blk_n, 0);
	json_decref(first);
	gone(m);
}

static void
alerts_dedupe(void **state)
{
	struct model *m = fresh();
	json_t	*a;

	a = json_pack("{s:i, s:s, s:i}", "id", 7, "rule", "ssh brute", "count",
	    1);
	assert_int_equal(model_alert_add(m, a), MC_ALERTS);
	json_object_set_new(a, "count", json_integer(5));
	model_alert_add(m, a);
	assert_int_equal(m->alerts_n, 1);
	assert_int_equal(m->alerts_unseen, 1);
	assert_int_equal(json_integer_value(json_object_get(
	    model_alert_find(m, 7), "count")), 5);
	json_decref(a);
	assert_int_equal(model_alert_add(m, NULL), 0);
	gone(m);
}

/* An alert is listed as "RULE: SUMMARY", without saying the rule twice
   when the summary starts with it. */
static void
alert_text_says_rule_once(void **state)
{
	json_t	*a;
	char	 out[256];

	a = json_pack("{s:s, s:s}", "rule", "SSH brute force", "summary",
	    "SSH brute force: 10 failed logins from 203.0.113.7 on bastion");
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "SSH brute force: 10 failed logins from "
	    "203.0.113.7 on bastion");
	json_object_set_new(a, "summary", json_string("ssh BRUTE force - 3"));
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "ssh BRUTE force - 3");
	/* A summary that does not start with it gets the rule in front. */
	json_object_set_new(a, "summary", json_string("10 failed logins"));
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "SSH brute force: 10 failed logins");
	/* A longer word is not the title. */
	json_object_set_new(a, "summary", json_string("SSH brute forcer run"));
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "SSH brute force: SSH brute forcer run");
	/* No summary: the rule; no rule: its id, then the summary alone. */
	json_object_del(a, "summary");
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "SSH brute force");
	json_decref(a);
	a = json_pack("{s:s, s:s}", "rule_id", "r1", "summary", "x");
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "r1: x");
	json_object_del(a, "rule_id");
	model_alert_text(a, out, sizeof out);
	assert_string_equal(out, "x");
	json_decref(a);
}

static json_t *
show(void)
{
	return json_loads("{\"id\":\"INC-3\",\"title\":\"Phish\",\"status\":"
	    "\"open\",\"phase\":\"identification\",\"version\":1,\"timeline\":"
	    "[{\"id\":1,\"kind\":\"created\",\"text\":\"Phish\"}],\"tasks\":[],"
	    "\"observables\":[],\"links\":{\"alerts\":[],\"events\":[]}}", 0,
	    NULL);
}

static void
ops_update_incident_and_list(void **state)
{
	struct model *m = fresh();
	json_t	*op, *inc;
	unsigned r;

	model_incidents_set(m, json_loads("[{\"id\":\"INC-3\",\"title\":"
	    "\"Phish\",\"status\":\"open\",\"open_tasks\":0,\"version\":1}]", 0,
	    NULL));
	model_incident_set(m, show());
	assert_string_equal(m->inc_ref, "INC-3");
	op = json_loads("{\"type\":\"op\",\"seq\":9,\"op\":\"task.add\","
	    "\"incident\":\"INC-3\",\"state\":{\"incident\":{\"id\":\"INC-3\","
	    "\"title\":\"Phish\",\"status\":\"open\",\"version\":1},\"timeline\":"
	    "[{\"id\":2,\"kind\":\"task\",\"text\":\"task T-1 added\"}],"
	    "\"task\":{\"id\":\"T-1\",\"title\":\"logs\",\"status\":\"todo\","
	    "\"assignee\":\"bob\"}}}", 0, NULL);
	r = model_apply_op(m, op);
	assert_int_equal(r, MC_INCIDENTS | MC_INCIDENT);
	assert_int_equal(m->last_seq, 9);
	inc = m->inc;
	assert_int_equal(json_array_size(json_object_get(inc, "timeline")), 2);
	assert_int_equal(json_array_size(json_object_get(inc, "tasks")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    m->incidents, 0), "open_tasks")), 1);
	/* A replay of the same op adds nothing twice to the timeline. */
	model_apply_op(m, op);
	assert_int_equal(json_array_size(json_object_get(inc, "timeline")), 2);
	json_decref(op);
	/* The task is done: updated in place, one task fewer open. */
	op = json_loads("{\"seq\":10,\"op\":\"task.status\",\"incident\":"
	    "\"INC-3\",\"state\":{\"incident\":{\"id\":\"INC-3\",\"status\":"
	    "\"contained\",\"version\":2},\"timeline\":[{\"id\":3,\"kind\":"
	    "\"task_status\",\"data\":{\"task\":1,\"from\":\"todo\",\"to\":"
	    "\"done\"}}],\"task\":{\"id\":\"T-1\",\"title\":\"logs\",\"status\":"
	    "\"done\"}}}", 0, NULL);
	model_apply_op(m, op);
	json_decref(op);
	assert_int_equal(json_array_size(json_object_get(inc, "tasks")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(inc, "tasks"), 0), "status")), "done");
	assert_string_equal(json_string_value(json_object_get(inc, "status")),
	    "contained");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    m->incidents, 0), "open_tasks")), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    m->incidents, 0), "status")), "contained");
	/* An op on another incident adds it to the list, not to the open
	   one. */
	op = json_loads("{\"seq\":11,\"op\":\"incident.create\",\"incident\":"
	    "\"INC-4\",\"state\":{\"incident\":{\"id\":\"INC-4\",\"title\":"
	    "\"New\",\"status\":\"open\",\"version\":1}}}", 0, NULL);
	assert_int_equal(model_apply_op(m, op), MC_INCIDENTS);
	json_decref(op);
	assert_int_equal(json_array_size(m->incidents), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    m->incidents, 0), "id")), "INC-4");
	/* Junk is ignored. */
	op = json_loads("{\"seq\":12}", 0, NULL);
	assert_int_equal(model_apply_op(m, op), 0);
	json_decref(op);
	gone(m);
}

static void
presence_viewers(void **state)
{
	struct model *m = fresh();
	json_t	*u;
	char	 out[256];

	u = json_loads("[{\"user\":\"alice\",\"role\":\"lead\",\"viewing\":"
	    "[\"INC-3\"]},{\"user\":\"bob\",\"role\":\"handler\",\"viewing\":"
	    "[\"INC-3\",\"INC-4\"]},{\"user\":\"carol\",\"role\":\"viewer\","
	    "\"viewing\":[]}]", 0, NULL);
	model_presence_set(m, u);
	json_decref(u);
	assert_int_equal(model_viewers(m, "INC-3", "alice", out, sizeof out),
	    1);
	assert_string_equal(out, "bob (handler)");
	assert_int_equal(model_viewers(m, "INC-3", NULL, out, sizeof out), 2);
	assert_string_equal(out, "alice (lead), bob (handler)");
	assert_int_equal(model_viewers(m, "INC-9", NULL, out, sizeof out), 0);
	gone(m);
}

static void
paths_and_values(void **state)
{
	json_t	*o = json_loads("{\"a\":{\"b\":{\"c\":3}},\"x.y\":\"dotted\","
	    "\"n\":null,\"arr\":[1,2]}", 0, NULL);
	char	 out[64];

	model_value_text(model_path(o, "a.b.c"), out, sizeof out);
	assert_string_equal(out, "3");
	model_value_text(model_path(o, "x.y"), out, sizeof out);
	assert_string_equal(out, "dotted");
	model_value_text(model_path(o, "n"), out, sizeof out);
	assert_string_equal(out, "-");
	model_value_text(model_path(o, "arr"), out, sizeof out);
	assert_string_equal(out, "[1,2]");
	assert_null(model_path(o, "a.q"));
	assert_int_equal(model_sev_rank("warning"), 4);
	assert_int_equal(model_sev_rank("bogus"), MODEL_SEV_UNKNOWN);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(events_and_rows),
		cmocka_unit_test(lines_are_escaped),
		cmocka_unit_test(merge_stored_events),
		cmocka_unit_test(query_selects_rows),
		cmocka_unit_test(count_by_table),
		cmocka_unit_test(ring_is_capped),
		cmocka_unit_test(ring_is_capped_by_bytes),
		cmocka_unit_test(scrollback_holds_100k_events),
		cmocka_unit_test(alerts_dedupe),
		cmocka_unit_test(alert_text_says_rule_once),
		cmocka_unit_test(ops_update_incident_and_list),
		cmocka_unit_test(presence_viewers),
		cmocka_unit_test(paths_and_values),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
