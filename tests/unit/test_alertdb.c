/* Unit tests for hub/rules/alertdb (storage, deduplication, lifecycle), the
   alert ops through hub/collab/incident (promote, rights) and the actions file
   parser of hub/rules/actions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>

#include "actions.h"
#include "alertdb.h"
#include "incident.h"
#include "state.h"
#include "users.h"
#include "wire.h"

static const struct {
	const char	*name;
	enum role	 role;
} people[] = {
	{ "vic", ROLE_VIEWER },
	{ "hank", ROLE_HANDLER },
	{ "lena", ROLE_LEAD },
	{ "alice", ROLE_ADMIN },
};

static int
setup(void **state)
{
	unsigned char pk[32];
	char	 err[256];
	sqlite3	*db;
	size_t	 i;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (state_schema(db, err, sizeof err) != 0)
		fail_msg("schema: %s", err);
	for (i = 0; i < sizeof people / sizeof people[0]; i++) {
		memset(pk, (int)i + 1, sizeof pk);
		assert_int_equal(users_add(db, people[i].name, people[i].role,
		    pk, NULL, err, sizeof err), 0);
	}
	*state = db;
	return 0;
}

/* The statements hit() keeps prepared, as the alerter does. */
static struct alertdb_held held;

static int
teardown(void **state)
{
	alertdb_held_release(&held);
	assert_int_equal(sqlite3_close(*state), SQLITE_OK);
	return 0;
}

static const char *const tags[] = { "attack.credential_access",
	"attack.t1110" };

/* Record a hit of rule rid for group with the given event ids. */
static int64_t
hit(sqlite3 *db, const char *rid, const char *group, const int64_t *ids,
    size_t nids, int want_new)
{
	struct alert_hit h;
	char	 err[256];
	int64_t	 id;
	json_t	*ev = json_pack("{s:s, s:s}", "hostname", "web1", "category",
	    "authentication");

	memset(&h, 0, sizeof h);
	h.rule = "SSH brute force";
	h.rule_id = rid;
	h.level = "high";
	h.summary = "10 failed logins\nfrom 203.0.113.7";
	h.group = group;
	h.tags = tags;
	h.ntags = 2;
	h.ids = ids;
	h.nids = nids;
	h.first_us = 1700000000000000LL + (nids ? ids[0] : 0);
	h.last_us = 1700000000000000LL + (nids ? ids[nids - 1] : 0);
	h.event = ev;
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	if (alertdb_upsert(db, &held, &h, &id, err, sizeof err) != want_new)
		fail_msg("upsert: want %d: %s", want_new, err);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	json_decref(ev);
	return id;
}

static json_t *
get(sqlite3 *db, int64_t id)
{
	json_t	*a;
	char	 err[256];

	if (alertdb_get(db, id, 1, &a, err, sizeof err) != WIRE_OK)
		fail_msg("get: %s", err);
	return a;
}

static json_int_t
ival(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *
sval(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "(null)";
}

static void
severity_follows_the_rule_level(void **state)
{
	assert_string_equal(alertdb_severity("informational"), "low");
	assert_string_equal(alertdb_severity("low"), "low");
	assert_string_equal(alertdb_severity("medium"), "medium");
	assert_string_equal(alertdb_severity("high"), "high");
	assert_string_equal(alertdb_severity("critical"), "critical");
	assert_string_equal(alertdb_severity("bogus"), "medium");
	assert_string_equal(alertdb_severity(NULL), "medium");
}

static void
a_new_alert_records_what_the_rule_saw(void **state)
{
	sqlite3	*db = *state;
	int64_t	 ids[] = { 5, 6, 7 };
	json_t	*a;

	a = get(db, hit(db, "r1", "203.0.113.7", ids, 3, 1));
	assert_string_equal(sval(a, "rule"), "SSH brute force");
	assert_string_equal(sval(a, "rule_id"), "r1");
	assert_string_equal(sval(a, "severity"), "high");
	assert_string_equal(sval(a, "status"), "new");
	assert_string_equal(sval(a, "group"), "203.0.113.7");
	assert_string_equal(sval(a, "category"), "credential_access");
	/* A summary is one line on every console. */
	assert_string_equal(sval(a, "summary"),
	    "10 failed logins from 203.0.113.7");
	assert_int_equal(ival(a, "count"), 3);
	assert_int_equal(json_array_size(json_object_get(a, "events")), 3);
	assert_int_equal(json_array_size(json_object_get(a, "samples")), 1);
	assert_true(json_is_null(json_object_get(a, "incident")));
	assert_string_equal(sval(a, "change"), "created");
	json_decref(a);
}

static void
matches_while_open_update_the_alert(void **state)
{
	sqlite3	*db = *state;
	int64_t	 w1[] = { 1, 2, 3 }, w2[] = { 2, 3, 4 }, w3[] = { 9 }, id, id2;
	json_t	*a;

	id = hit(db, "r1", "g", w1, 3, 1);
	/* A correlation reports its window again: only 4 is new. */
	assert_int_equal(hit(db, "r1", "g", w2, 3, 0), id);
	assert_int_equal(hit(db, "r1", "g", w3, 1, 0), id);
	a = get(db, id);
	assert_int_equal(ival(a, "count"), 5);
	assert_int_equal(ival(a, "matches"), 3);
	assert_string_equal(sval(a, "change"), "updated");
	json_decref(a);
	/* Another group or another rule: another alert. */
	id2 = hit(db, "r1", "other", w3, 1, 1);
	assert_true(id2 != id);
	assert_true(hit(db, "r2", "g", w3, 1, 1) != id);
}

static void
ids_are_capped_keeping_the_first_and_newest(void **state)
{
	sqlite3	*db = *state;
	int64_t	*ids, id;
	json_t	*a, *ev;
	size_t	 i, n = ALERTS_MAX_IDS + 500;

	ids = calloc(n, sizeof *ids);
	for (i = 0; i < n; i++)
		ids[i] = (int64_t)i + 1;
	id = hit(db, "cap", "", ids, ALERTS_MAX_IDS, 1);
	assert_int_equal(hit(db, "cap", "", ids + ALERTS_MAX_IDS, 500, 0), id);
	/* Old ones again, below what is kept: not counted twice. */
	assert_int_equal(hit(db, "cap", "", ids + 20, 5, 0), id);
	a = get(db, id);
	ev = json_object_get(a, "events");
	assert_int_equal(json_array_size(ev), ALERTS_MAX_IDS);
	assert_int_equal(json_integer_value(json_array_get(ev, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(ev,
	    ALERTS_KEEP_FIRST - 1)), ALERTS_KEEP_FIRST);
	assert_int_equal(json_integer_value(json_array_get(ev,
	    ALERTS_MAX_IDS - 1)), (json_int_t)n);
	assert_int_equal(ival(a, "count"), (json_int_t)n);
	assert_true(json_array_size(json_object_get(a, "samples")) <=
	    ALERTS_MAX_SAMPLES);
	json_decref(a);
	free(ids);
}

/* Samples: the first ALERTS_MAX_SAMPLES - 1 stay, the last is the newest
   match's event, each as it came (strings with brackets, commas, quotes
   and escapes included); the brief form is the full one without events. */
static void
samples_keep_the_first_and_the_newest(void **state)
{
	sqlite3	*db = *state;
	struct alert_hit h;
	char	 err[256], msg[64], *text;
	json_t	*a, *b, *ev, *s;
	int64_t	 id = 0, first = 0, evid;
	int	 i, n = ALERTS_MAX_SAMPLES + 3;

	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof msg, "x\"],[{\\ %d, \u00e9", i);
		ev = json_pack("{s:s, s:i, s:{s:[i, s]}}", "summary", msg, "n",
		    i, "d", "a", i, "]");
		memset(&h, 0, sizeof h);
		h.rule = "Samples";
		h.rule_id = "samples";
		h.group = "";
		evid = i + 1;
		h.ids = &evid;
		h.nids = 1;
		/* as a tree, or as the alerter gives it, its text */
		text = i % 2 == 0 ? json_dumps(ev, JSON_COMPACT) : NULL;
		h.event = ev;
		h.event_text = text;
		assert_int_equal(alertdb_upsert(db, &held, &h, &id, err,
		    sizeof err), i == 0);
		free(text);
		if (i == 0)
			first = id;
		assert_int_equal(id, first);
		json_decref(ev);
	}
	a = get(db, id);
	s = json_object_get(a, "samples");
	assert_int_equal(json_array_size(s), ALERTS_MAX_SAMPLES);
	for (i = 0; i < ALERTS_MAX_SAMPLES; i++) {
		ev = json_array_get(s, (size_t)i);
		assert_int_equal(ival(ev, "n"), i < ALERTS_MAX_SAMPLES - 1 ?
		    i : n - 1);
		snprintf(msg, sizeof msg, "x\"],[{\\ %d, \u00e9",
		    (int)ival(ev, "n"));
		assert_string_equal(json_string_value(json_object_get(ev,
		    "summary")), msg);
	}
	assert_int_equal(ival(a, "count"), n);
	assert_int_equal(alertdb_brief(db, &held, id, &b, err, sizeof err),
	    WIRE_OK);
	json_object_del(a, "events");
	json_object_del(a, "samples");
	json_object_del(a, "attributes");
	json_object_del(a, "timeline");
	assert_true(json_equal(a, b));
	json_decref(b);
	assert_int_equal(alertdb_brief(db, &held, id + 1, &b, err, sizeof err),
	    WIRE_ENOTFOUND);
	json_decref(a);
}

static enum wire_err
op(sqlite3 *db, const char *user, const char *fmt, ...)
{
	char	 err[512];
	json_t	*req, *res = NULL;
	enum role r = ROLE_NONE;
	enum wire_err e;
	va_list	 ap;
	size_t	 i;

	for (i = 0; i < sizeof people / sizeof people[0]; i++)
		if (strcmp(people[i].name, user) == 0)
			r = people[i].role;
	va_start(ap, fmt);
	req = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	assert_non_null(req);
	e = incident_apply(db, user, r, req, &res, err, sizeof err);
	json_decref(req);
	json_decref(res);
	return e;
}

static void
lifecycle_moves_with_who_and_when(void **state)
{
	sqlite3	*db = *state;
	int64_t	 ids[] = { 1 }, id;
	json_t	*a;

	id = hit(db, "r1", "g", ids, 1, 1);
	assert_int_equal(op(db, "vic", "{s:s, s:I}", "op", "alert.ack",
	    "alert", (json_int_t)id), WIRE_EFORBIDDEN);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.ack",
	    "alert", (json_int_t)id), WIRE_OK);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.ack",
	    "alert", (json_int_t)id), WIRE_ECONFLICT);
	assert_int_equal(op(db, "lena", "{s:s, s:I, s:s}", "op",
	    "alert.escalate", "alert", (json_int_t)id, "text", "look"),
	    WIRE_OK);
	a = get(db, id);
	assert_string_equal(sval(a, "status"), "escalated");
	assert_string_equal(sval(a, "acknowledged_by"), "hank");
	assert_string_equal(sval(a, "escalated_by"), "lena");
	assert_true(wire_valid_time(sval(a, "escalated_at")));
	assert_int_equal(json_array_size(json_object_get(a, "timeline")), 2);
	json_decref(a);
	/* Still open: matches update it. */
	assert_int_equal(hit(db, "r1", "g", ids, 1, 0), id);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.close",
	    "alert", (json_int_t)id), WIRE_OK);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.close",
	    "alert", (json_int_t)id), WIRE_ECONFLICT);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.ack",
	    "alert", (json_int_t)id), WIRE_ECONFLICT);
	/* Closed: the next match is a new alert. */
	assert_true(hit(db, "r1", "g", ids, 1, 1) != id);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.ack",
	    "alert", (json_int_t)999), WIRE_ENOTFOUND);
	assert_int_equal(op(db, "hank", "{s:s, s:s}", "op", "alert.ack",
	    "alert", "1"), WIRE_EINVALID);
}

static void
promote_makes_an_incident_in_one_transaction(void **state)
{
	sqlite3	*db = *state;
	int64_t	 ids[] = { 11, 12 }, id, id2;
	json_t	*a, *inc;
	char	 err[256];

	id = hit(db, "r1", "g", ids, 2, 1);
	assert_int_equal(op(db, "vic", "{s:s, s:I}", "op", "alert.promote",
	    "alert", (json_int_t)id), WIRE_EFORBIDDEN);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.promote",
	    "alert", (json_int_t)id), WIRE_OK);
	a = get(db, id);
	assert_string_equal(sval(a, "status"), "acknowledged");
	assert_string_equal(sval(a, "incident"), "INC-1");
	json_decref(a);
	assert_int_equal(incident_show(db, 1, &inc, err, sizeof err), WIRE_OK);
	assert_string_equal(sval(inc, "severity"), "high");
	assert_string_equal(sval(inc, "title"),
	    "10 failed logins from 203.0.113.7");
	assert_int_equal(json_array_size(json_object_get(json_object_get(inc,
	    "links"), "events")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
	    json_object_get(inc, "links"), "alerts"), 0)), id);
	json_decref(inc);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.promote",
	    "alert", (json_int_t)id), WIRE_ECONFLICT);
	/* Attach to an incident that does not exist: nothing changes. */
	id2 = hit(db, "r2", "g", ids, 2, 1);
	assert_int_equal(op(db, "hank", "{s:s, s:I, s:s}", "op",
	    "alert.promote", "alert", (json_int_t)id2, "incident", "INC-7"),
	    WIRE_ENOTFOUND);
	a = get(db, id2);
	assert_string_equal(sval(a, "status"), "new");
	assert_true(json_is_null(json_object_get(a, "incident")));
	json_decref(a);
	assert_int_equal(op(db, "hank", "{s:s, s:I, s:s}", "op",
	    "alert.promote", "alert", (json_int_t)id2, "incident", "INC-1"),
	    WIRE_OK);
	assert_int_equal(op(db, "hank", "{s:s, s:I, s:s, s:s}", "op",
	    "alert.promote", "alert", (json_int_t)id2, "incident", "INC-1",
	    "title", "x"), WIRE_EINVALID);
	a = get(db, id2);
	assert_string_equal(sval(a, "incident"), "INC-1");
	json_decref(a);
}

static void
rules_reload_is_for_admins(void **state)
{
	sqlite3	*db = *state;

	assert_int_equal(alertdb_reload_wanted(db), 0);
	assert_int_equal(op(db, "lena", "{s:s}", "op", "rules.reload"),
	    WIRE_EFORBIDDEN);
	assert_int_equal(op(db, "alice", "{s:s}", "op", "rules.reload"),
	    WIRE_OK);
	assert_int_equal(alertdb_reload_wanted(db), 1);
}

static void
list_filters_and_orders_newest_first(void **state)
{
	sqlite3	*db = *state;
	int64_t	 ids[] = { 1 }, a1, a2;
	json_t	*l;
	char	 err[256];

	a1 = hit(db, "r1", "a", ids, 1, 1);
	a2 = hit(db, "r2", "b", ids, 1, 1);
	assert_int_equal(op(db, "hank", "{s:s, s:I}", "op", "alert.close",
	    "alert", (json_int_t)a1), WIRE_OK);
	assert_int_equal(alertdb_list(db, "all", NULL, 0, &l, err, sizeof err),
	    WIRE_OK);
	assert_int_equal(json_array_size(l), 2);
	assert_int_equal(ival(json_array_get(l, 0), "id"), a2);
	json_decref(l);
	assert_int_equal(alertdb_list(db, "open", NULL, 0, &l, err, sizeof err),
	    WIRE_OK);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
	assert_int_equal(alertdb_list(db, "closed", "r1", 0, &l, err,
	    sizeof err), WIRE_OK);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
}

static int
count_cb(json_t *a, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* alertdb_changes' callback: notes the change names, "id:change;". */
static int
note_cb(int64_t id, const char *change, void *arg)
{
	char	*s = arg;

	snprintf(s + strlen(s), 256 - strlen(s), "%lld:%s;", (long long)id,
	    change);
	return 0;
}

static void
changes_come_in_rev_order(void **state)
{
	sqlite3	*db = *state;
	int64_t	 ids[] = { 1 }, rev, r2;
	char	 err[256];
	int	 n = 0;

	rev = alertdb_last_rev(db);
	hit(db, "r1", "a", ids, 1, 1);
	hit(db, "r1", "a", ids, 1, 0);
	hit(db, "r2", "a", ids, 1, 1);
	r2 = alertdb_changed_since(db, NULL, rev, 100, count_cb, &n, err,
	    sizeof err);
	assert_int_equal(n, 2);		/* two alerts, the first once */
	assert_int_equal(r2, rev + 3);
	n = 0;
	assert_int_equal(alertdb_changed_since(db, NULL, r2, 100, count_cb, &n,
	    err, sizeof err), r2);
	assert_int_equal(n, 0);
	/* The light walk sees the same, with each alert's last change. */
	{
		char	 seen[256] = "";
		int64_t	 a = hit(db, "r1", "a", ids, 1, 0);

		assert_int_equal(alertdb_changes(db, &held, rev, 100, note_cb,
		    seen, err, sizeof err), r2 + 1);
		snprintf(err, sizeof err, "%lld:created;%lld:updated;",
		    (long long)(a + 1), (long long)a);
		assert_string_equal(seen, err);
		seen[0] = '\0';
		assert_int_equal(alertdb_changes(db, &held, r2 + 1, 100,
		    note_cb, seen, err, sizeof err), r2 + 1);
		assert_string_equal(seen, "");
	}
}

static struct action_set *
parse(const char *text, char *err, size_t errlen)
{
	return action_set_parse(text, strlen(text), "actions.yml", err,
	    errlen);
}

static void
actions_file_is_checked(void **state)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "actions:\n  - name: x\n", "actions.yml:2: action x: no "
		  "webhook or command" },
		{ "actions:\n  - name: x\n    webhook: https://h/\n",
		  "actions.yml:3: webhook: https is not spoken" },
		{ "actions:\n  - name: x\n    command: [rm]\n",
		  "actions.yml:3: command: give the program's absolute path" },
		{ "actions:\n  - name: x\n    severity: huge\n    command: [/bin/true]\n",
		  "actions.yml:3: severity:" },
		{ "actions:\n  - name: x\n    on: [sometimes]\n",
		  "actions.yml:3: on: new, update or escalated" },
		{ "actions:\n  - name: x\n    timeout: soon\n",
		  "actions.yml:3: timeout: a duration" },
		{ "actions:\n  - name: x\n    command: [/bin/true]\n  - name: x\n"
		  "    command: [/bin/true]\n", "actions.yml:4: two actions named x" },
		{ "actions:\n  - name: x\n    webhook:\n      url: http://h/\n"
		  "      headers: {\"X: y\": z}\n", "actions.yml:5: webhook: a header" },
		{ "action: []\n", "actions.yml:1: unknown key" },
		{ "actions: [\n", "actions.yml:" },
	};
	struct action_set *s;
	char	 err[512];
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		s = parse(bad[i].text, err, sizeof err);
		if (s != NULL || strncmp(err, bad[i].want, strlen(bad[i].want))
		    != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err,
			    bad[i].want);
	}
	s = parse("", err, sizeof err);
	assert_non_null(s);
	assert_int_equal(action_set_count(s), 0);
	action_set_free(s);
}

static void
actions_select_by_rule_severity_and_change(void **state)
{
	static const char text[] =
	    "actions:\n"
	    "  - name: page\n"
	    "    severity: high\n"
	    "    on: [new, escalated]\n"
	    "    webhook: http://127.0.0.1:9/x\n"
	    "  - name: block\n"
	    "    rules: [ssh-bf, Port scan]\n"
	    "    command: [/bin/true, --flag]\n"
	    "  - name: every\n"
	    "    on: update\n"
	    "    webhook:\n"
	    "      url: http://[::1]:8080/hook\n"
	    "      headers: {Authorization: Bearer x}\n";
	struct action_set *s;
	json_t	*a;
	char	 err[512], names[256];

	if ((s = parse(text, err, sizeof err)) == NULL)
		fail_msg("%s", err);
	assert_int_equal(action_set_count(s), 3);
	a = json_pack("{s:s, s:s, s:s, s:s}", "rule_id", "ssh-bf", "rule",
	    "SSH brute force", "severity", "high", "change", "created");
	assert_int_equal(action_set_select(s, a, names, sizeof names), 2);
	assert_string_equal(names, "page,block");
	json_object_set_new(a, "severity", json_string("medium"));
	action_set_select(s, a, names, sizeof names);
	assert_string_equal(names, "block");
	json_object_set_new(a, "change", json_string("updated"));
	action_set_select(s, a, names, sizeof names);
	assert_string_equal(names, "every");
	json_object_set_new(a, "change", json_string("escalated"));
	json_object_set_new(a, "severity", json_string("critical"));
	action_set_select(s, a, names, sizeof names);
	assert_string_equal(names, "page");
	json_object_set_new(a, "change", json_string("acknowledged"));
	assert_int_equal(action_set_select(s, a, names, sizeof names), 0);
	json_object_set_new(a, "change", json_string("created"));
	json_object_set_new(a, "rule_id", json_string("x"));
	json_object_set_new(a, "rule", json_string("Port scan"));
	json_object_set_new(a, "severity", json_string("low"));
	action_set_select(s, a, names, sizeof names);
	assert_string_equal(names, "block");
	json_decref(a);
	action_set_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(severity_follows_the_rule_level),
		cmocka_unit_test_setup_teardown(
		    a_new_alert_records_what_the_rule_saw, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    matches_while_open_update_the_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    ids_are_capped_keeping_the_first_and_newest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    samples_keep_the_first_and_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    lifecycle_moves_with_who_and_when, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    promote_makes_an_incident_in_one_transaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(rules_reload_is_for_admins,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    list_filters_and_orders_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(changes_come_in_rev_order,
		    setup, teardown),
		cmocka_unit_test(actions_file_is_checked),
		cmocka_unit_test(actions_select_by_rule_severity_and_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
