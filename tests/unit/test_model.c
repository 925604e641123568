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

static void
add(struct model *m, int64_t id, const char *host, const char *sev,
    const char *summary)
{
	json_t *e = ev(id, host, sev, summary);

	model_event_add(m, e);
	json_decref(e);
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

static void
ring_is_capped_by_bytes(void **state)
{
	struct model *m = fresh();
	char	*big = malloc(100001);
	int	 i;

	memset(big, 'x', 100000);
	big[100000] = '\0';
	for (i = 0; i < 300; i++)
		add(m, i, "h", "INFO", big);
	assert_true(m->ev_bytes <= MODEL_EVENT_BYTES);
	assert_true(m->ev_n < 300);
	assert_int_equal(model_row(m, m->rows_n - 1)->id, 299);
	free(big);
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
		cmocka_unit_test(query_selects_rows),
		cmocka_unit_test(count_by_table),
		cmocka_unit_test(ring_is_capped),
		cmocka_unit_test(ring_is_capped_by_bytes),
		cmocka_unit_test(alerts_dedupe),
		cmocka_unit_test(ops_update_incident_and_list),
		cmocka_unit_test(presence_viewers),
		cmocka_unit_test(paths_and_values),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
