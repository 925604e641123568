/* Unit tests for hub/collab/incident (and hub/collab/users): ops, rights, versions, op
   log, atomicity, audit, persistence. */
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

#include "auth.h"
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
	{ "hana", ROLE_HANDLER },
	{ "lena", ROLE_LEAD },
	{ "alice", ROLE_ADMIN },
};

static sqlite3 *
open_db(const char *path)
{
	unsigned char pk[32];
	char err[256];
	sqlite3 *db;
	size_t i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL,
	    NULL), SQLITE_OK);
	if (state_schema(db, err, sizeof(err)) != 0)
		fail_msg("schema: %s", err);
	for (i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		if (users_find(db, people[i].name, NULL, err, sizeof(err)) == 1)
			continue;
		memset(pk, (int)i + 1, sizeof(pk));
		assert_int_equal(users_add(db, people[i].name, people[i].role,
		    pk, NULL, err, sizeof(err)), 0);
	}
	return db;
}

static enum role
role_of(const char *user)
{
	size_t i;

	for (i = 0; i < sizeof(people) / sizeof(people[0]); i++)
		if (strcmp(people[i].name, user) == 0)
			return people[i].role;
	return ROLE_NONE;
}

/* Apply the op in JSON text as user; return the code, the result in *res
   (if res is not NULL; else it is freed) and the reason in err. */
static enum wire_err
apply_as(sqlite3 *db, const char *user, const char *json, json_t **res,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *req, *r = NULL;
	enum wire_err e;

	req = json_loads(json, 0, &je);
	if (req == NULL)
		fail_msg("test JSON: %s: %s", je.text, json);
	err[0] = '\0';
	e = incident_apply(db, user, role_of(user), req, &r, err, errlen);
	json_decref(req);
	if (res != NULL)
		*res = r;
	else
		json_decref(r);
	return e;
}

static void
must(sqlite3 *db, const char *user, const char *json)
{
	char err[256];
	enum wire_err e;

	if ((e = apply_as(db, user, json, NULL, err, sizeof(err))) != WIRE_OK)
		fail_msg("%s as %s: %s: %s", json, user, wire_err_name(e), err);
}

static json_t *
show(sqlite3 *db, int64_t n)
{
	char err[256];
	json_t *o;

	if (incident_show(db, n, &o, err, sizeof(err)) != WIRE_OK)
		fail_msg("show INC-%lld: %s", (long long)n, err);
	return o;
}

static int64_t
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* INC-1 by alice; T-1 for hank and T-2 for lena, both made by lena. */
static void
seed(sqlite3 *db)
{
	must(db, "alice", "{\"op\":\"incident.create\",\"title\":\"Phish\"}");
	must(db, "lena", "{\"op\":\"task.add\",\"incident\":\"INC-1\","
	    "\"title\":\"reset passwords\",\"assignee\":\"hank\"}");
	must(db, "lena", "{\"op\":\"task.add\",\"incident\":\"INC-1\","
	    "\"title\":\"tell legal\",\"assignee\":\"lena\"}");
}

static void
show_json_has_timeline_and_tasks(void **state)
{
	json_t *inc, *tasks, *t, *tl;
	sqlite3 *db = open_db(":memory:");

	seed(db);
	must(db, "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
	    "\"text\":\"mail from evil.example\"}");
	must(db, "hank", "{\"op\":\"observable.add\",\"incident\":\"INC-1\","
	    "\"kind\":\"domain\",\"value\":\"EVIL.example\",\"ioc\":true}");
	must(db, "hank", "{\"op\":\"incident.link\",\"incident\":\"INC-1\","
	    "\"alerts\":[4],\"events\":[68719476737]}");
	inc = show(db, 1);
	assert_string_equal(json_string_value(json_object_get(inc, "id")),
	    "INC-1");
	assert_string_equal(json_string_value(json_object_get(inc, "status")),
	    "open");
	assert_string_equal(json_string_value(json_object_get(inc, "phase")),
	    "identification");
	tasks = json_object_get(inc, "tasks");
	assert_int_equal(json_array_size(tasks), 2);
	t = json_array_get(tasks, 0);
	assert_string_equal(json_string_value(json_object_get(t, "id")), "T-1");
	assert_string_equal(json_string_value(json_object_get(t, "title")),
	    "reset passwords");
	assert_string_equal(json_string_value(json_object_get(t, "assignee")),
	    "hank");
	assert_string_equal(json_string_value(json_object_get(t, "status")),
	    "todo");
	tl = json_object_get(inc, "timeline");
	/* created, 2 tasks, note, observable, link */
	assert_int_equal(json_array_size(tl), 6);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(tl, 3), "kind")), "note");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(tl, 3), "author")), "hank");
	/* domains are kept in lower case */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(inc, "observables"), 0), "value")), "evil.example");
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(inc, "observables"), 0), "ioc")));
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
	    json_object_get(inc, "links"), "events"), 0)), 68719476737LL);
	/* notes and tasks do not move the version; edits do */
	assert_int_equal(json_integer_value(json_object_get(inc, "version")),
	    1);
	json_decref(inc);
	sqlite3_close(db);
}

/* The hub has a handler for every op and query of the catalogue that is
   not the session layer's (and it starts only then). */
static void
every_op_has_a_handler(void **state)
{
	char	 err[256];

	assert_int_equal(incident_check_handlers(err, sizeof err), 0);
}

/* Rights: each op by each role, on a fresh seeded database. */
static void
each_role_may_do_what_it_should(void **state)
{
	static const struct {
		const char	*json;
		int		 want[4];	/* vic hank lena alice */
	} t[] = {
		{ "{\"op\":\"incident.create\",\"title\":\"x\"}", { 2, 0, 0, 0 } },
		{ "{\"op\":\"incident.create\",\"title\":\"x\",\"lead\":\"lena\"}",
		  { 2, 2, 0, 0 } },
		{ "{\"op\":\"incident.update\",\"incident\":\"INC-1\","
		  "\"version\":1,\"title\":\"y\"}", { 2, 0, 0, 0 } },
		{ "{\"op\":\"incident.note\",\"incident\":\"INC-1\",\"text\":"
		  "\"n\"}", { 2, 0, 0, 0 } },
		{ "{\"op\":\"incident.close\",\"incident\":\"INC-1\","
		  "\"resolution\":\"other\"}", { 2, 2, 0, 0 } },
		{ "{\"op\":\"incident.status\",\"incident\":\"INC-1\","
		  "\"status\":\"contained\"}", { 2, 2, 0, 0 } },
		{ "{\"op\":\"incident.phase\",\"incident\":\"INC-1\","
		  "\"phase\":\"containment\"}", { 2, 2, 0, 0 } },
		{ "{\"op\":\"incident.lead\",\"incident\":\"INC-1\","
		  "\"lead\":\"lena\"}", { 2, 2, 0, 0 } },
		{ "{\"op\":\"task.add\",\"incident\":\"INC-1\",\"title\":\"t\"}",
		  { 2, 0, 0, 0 } },
		{ "{\"op\":\"task.add\",\"incident\":\"INC-1\",\"title\":\"t\","
		  "\"assignee\":\"hank\"}", { 2, 2, 0, 0 } },
		{ "{\"op\":\"task.assign\",\"task\":\"T-1\",\"assignee\":"
		  "\"hana\"}", { 2, 2, 0, 0 } },
		{ "{\"op\":\"task.status\",\"task\":\"T-1\",\"status\":"
		  "\"doing\"}", { 2, 0, 0, 0 } },	/* hank's own task */
		{ "{\"op\":\"task.status\",\"task\":2,\"status\":\"done\"}",
		  { 2, 2, 0, 0 } },			/* lena's task */
		{ "{\"op\":\"observable.add\",\"incident\":\"INC-1\","
		  "\"kind\":\"ip\",\"value\":\"10.1.2.3\"}", { 2, 0, 0, 0 } },
		{ "{\"op\":\"incident.link\",\"incident\":\"INC-1\","
		  "\"alerts\":[9]}", { 2, 0, 0, 0 } },
	};
	static const char *const who[] = { "vic", "hank", "lena", "alice" };
	char err[256];
	enum wire_err e;
	sqlite3 *db;
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (r = 0; r < 4; r++) {
			db = open_db(":memory:");
			seed(db);
			e = apply_as(db, who[r], t[i].json, NULL, err,
			    sizeof(err));
			if ((int)e != t[i].want[r])
				fail_msg("%s as %s: got %s (%s), want %s",
				    t[i].json, who[r], wire_err_name(e), err,
				    wire_err_name(t[i].want[r]));
			if (e == WIRE_EFORBIDDEN && strstr(err, "may") == NULL)
				fail_msg("refusal does not say why: %s", err);
			sqlite3_close(db);
		}
}

/* Token roles are not people: nothing. */
static void
token_roles_may_not_operate(void **state)
{
	json_t *req, *res;
	char err[256];
	sqlite3 *db = open_db(":memory:");

	seed(db);
	req = json_pack("{s:s, s:s, s:s}", "op", "incident.note", "incident",
	    "INC-1", "text", "x");
	assert_int_equal(incident_apply(db, "ship", ROLE_SHIPPER, req, &res,
	    err, sizeof(err)), WIRE_EFORBIDDEN);
	assert_null(res);
	assert_int_equal(incident_apply(db, "rd", ROLE_READER, req, &res,
	    err, sizeof(err)), WIRE_EFORBIDDEN);
	json_decref(req);
	sqlite3_close(db);
}

static void
stale_update_is_refused_with_current(void **state)
{
	json_t *cur = NULL;
	char err[256];
	sqlite3 *db = open_db(":memory:");

	seed(db);
	/* hank and hana both saw version 1 */
	must(db, "hank", "{\"op\":\"incident.update\",\"incident\":\"INC-1\","
	    "\"version\":1,\"title\":\"Phish at finance\"}");
	assert_int_equal(apply_as(db, "hana", "{\"op\":\"incident.update\","
	    "\"incident\":\"INC-1\",\"version\":1,\"title\":\"Phish (HR)\"}",
	    &cur, err, sizeof(err)), WIRE_ESTALE);
	assert_non_null(cur);
	assert_string_equal(json_string_value(json_object_get(cur, "title")),
	    "Phish at finance");
	assert_int_equal(json_integer_value(json_object_get(cur, "version")),
	    2);
	assert_non_null(strstr(err, "version 2"));
	json_decref(cur);
	/* hana's title did not land anywhere */
	cur = show(db, 1);
	assert_string_equal(json_string_value(json_object_get(cur, "title")),
	    "Phish at finance");
	json_decref(cur);
	/* against the current version it goes through */
	must(db, "hana", "{\"op\":\"incident.update\",\"incident\":\"INC-1\","
	    "\"version\":2,\"title\":\"Phish (HR)\"}");
	/* an optional version is checked too */
	assert_int_equal(apply_as(db, "lena", "{\"op\":\"incident.status\","
	    "\"incident\":\"INC-1\",\"status\":\"contained\",\"version\":2}",
	    &cur, err, sizeof(err)), WIRE_ESTALE);
	assert_int_equal(json_integer_value(json_object_get(cur, "version")),
	    3);
	json_decref(cur);
	/* the same value again is no change */
	assert_int_equal(apply_as(db, "hana", "{\"op\":\"incident.update\","
	    "\"incident\":\"INC-1\",\"version\":3,\"title\":\"Phish (HR)\"}",
	    NULL, err, sizeof(err)), WIRE_ECONFLICT);
	sqlite3_close(db);
}

struct seqs {
	int64_t	 seq[64];
	int	 n;
};

static int
gather(json_t *op, void *arg)
{
	struct seqs *s = arg;
	struct wire_msg m;
	char err[256], *text;
	size_t len;

	/* every replayed op is a valid push */
	text = wire_encode(op, &len);
	if (wire_decode(text, len, WIRE_FROM_HUB, &m, err, sizeof(err)) != 0)
		fail_msg("replayed op is not a valid push: %s\n%s", err, text);
	assert_int_equal(m.type, WIRE_OP_PUSH);
	wire_msg_release(&m);
	free(text);
	if (s->n < 64)
		s->seq[s->n++] = json_integer_value(json_object_get(op, "seq"));
	return 0;
}

static void
op_log_is_contiguous(void **state)
{
	static const struct {
		const char	*user;
		const char	*json;
		int		 want;
	} t[] = {
		{ "alice", "{\"op\":\"incident.create\",\"title\":\"a\"}", 0 },
		{ "vic", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
		  "\"text\":\"x\"}", WIRE_EFORBIDDEN },
		{ "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
		  "\"text\":\"x\"}", 0 },
		{ "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-9\","
		  "\"text\":\"x\"}", WIRE_ENOTFOUND },
		{ "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\"}",
		  WIRE_EINVALID },
		{ "hank", "{\"op\":\"incident.create\",\"title\":\"b\"}", 0 },
		{ "hank", "{\"op\":\"incident.update\",\"incident\":\"INC-1\","
		  "\"version\":7,\"title\":\"z\"}", WIRE_ESTALE },
		{ "lena", "{\"op\":\"incident.close\",\"incident\":\"INC-2\","
		  "\"resolution\":\"duplicate\"}", 0 },
		{ "lena", "{\"op\":\"incident.close\",\"incident\":\"INC-2\","
		  "\"resolution\":\"duplicate\"}", WIRE_ECONFLICT },
		{ "lena", "{\"op\":\"task.add\",\"incident\":\"INC-1\","
		  "\"title\":\"t\",\"assignee\":\"nobody\"}", WIRE_ENOTFOUND },
		{ "lena", "{\"op\":\"task.assign\",\"task\":\"T-5\","
		  "\"assignee\":\"hank\"}", WIRE_ENOTFOUND },
		{ "lena", "{\"op\":\"incident.lead\",\"incident\":\"INC-1\","
		  "\"lead\":\"ghost\"}", WIRE_ENOTFOUND },
		{ "lena", "{\"op\":\"task.add\",\"incident\":\"INC-1\","
		  "\"title\":\"t\",\"assignee\":\"hank\"}", 0 },
		{ "hank", "{\"op\":\"task.status\",\"task\":\"T-1\","
		  "\"status\":\"done\"}", 0 },
	};
	struct wire_msg m;
	struct seqs s;
	json_t *res;
	char err[256], *text;
	enum wire_err e;
	sqlite3 *db = open_db(":memory:");
	int64_t want = 0;
	size_t i, len;
	int k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = apply_as(db, t[i].user, t[i].json, &res, err, sizeof(err));
		if ((int)e != t[i].want)
			fail_msg("step %zu: got %s (%s)", i, wire_err_name(e),
			    err);
		if (e != WIRE_OK) {
			if (e != WIRE_ESTALE)
				assert_null(res);
			json_decref(res);
			continue;
		}
		/* each success gets the next number, and is a valid push */
		assert_int_equal(json_integer_value(json_object_get(res,
		    "seq")), ++want);
		text = wire_encode(res, &len);
		if (wire_decode(text, len, WIRE_FROM_HUB, &m, err,
		    sizeof(err)) != 0)
			fail_msg("push %zu: %s\n%s", i, err, text);
		wire_msg_release(&m);
		free(text);
		json_decref(res);
	}
	assert_int_equal(incident_last_seq(db), want);
	memset(&s, 0, sizeof(s));
	assert_int_equal(incident_ops_since(db, 0, 0, gather, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(s.n, want);
	for (k = 0; k < s.n; k++)
		assert_int_equal(s.seq[k], k + 1);
	/* resume after 2, and one incident only */
	memset(&s, 0, sizeof(s));
	assert_int_equal(incident_ops_since(db, 2, 0, gather, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(s.seq[0], 3);
	assert_int_equal(s.n, want - 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(incident_ops_since(db, 0, 2, gather, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(s.n, 2);	/* create and close of INC-2 */
	sqlite3_close(db);
}

/* A failure after part of an op's effect rolls all of it back. */
static void
failed_op_leaves_nothing_half_done(void **state)
{
	static const struct {
		const char	*user;
		const char	*json;
		const char	*trigger;	/* where it breaks */
	} t[] = {
		/* effect and timeline written, op log insert fails */
		{ "hank", "{\"op\":\"incident.update\",\"incident\":\"INC-1\","
		  "\"version\":1,\"title\":\"changed\",\"severity\":\"high\"}",
		  "BEFORE INSERT ON oplog" },
		/* task row written, timeline insert fails */
		{ "lena", "{\"op\":\"task.add\",\"incident\":\"INC-1\","
		  "\"title\":\"half\",\"assignee\":\"hank\"}",
		  "BEFORE INSERT ON timeline" },
		/* everything written, the success audit fails */
		{ "lena", "{\"op\":\"incident.close\",\"incident\":\"INC-1\","
		  "\"resolution\":\"other\"}",
		  "BEFORE INSERT ON audit WHEN NEW.result = 'ok'" },
		/* links written, the incident's touch fails */
		{ "hank", "{\"op\":\"incident.link\",\"incident\":\"INC-1\","
		  "\"alerts\":[1,2,3]}",
		  "BEFORE UPDATE OF updated ON incidents" },
	};
	char sql[256], err[256], *before, *after;
	json_t *a, *b;
	enum wire_err e;
	sqlite3 *db;
	int64_t seq, tl, tasks, audits;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		db = open_db(":memory:");
		seed(db);
		a = show(db, 1);
		seq = incident_last_seq(db);
		tl = count(db, "SELECT count(*) FROM timeline");
		tasks = count(db, "SELECT count(*) FROM tasks");
		audits = count(db, "SELECT count(*) FROM audit");
		snprintf(sql, sizeof(sql), "CREATE TEMP TRIGGER boom %s BEGIN "
		    "SELECT RAISE(ABORT, 'injected failure'); END;",
		    t[i].trigger);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		e = apply_as(db, t[i].user, t[i].json, NULL, err, sizeof(err));
		if (e != WIRE_EINTERNAL)
			fail_msg("case %zu: got %s (%s)", i, wire_err_name(e),
			    err);
		assert_non_null(strstr(err, "injected failure"));
		b = show(db, 1);
		before = json_dumps(a, JSON_SORT_KEYS);
		after = json_dumps(b, JSON_SORT_KEYS);
		assert_string_equal(before, after);
		free(before);
		free(after);
		json_decref(b);
		assert_int_equal(incident_last_seq(db), seq);
		assert_int_equal(count(db, "SELECT count(*) FROM timeline"),
		    tl);
		assert_int_equal(count(db, "SELECT count(*) FROM tasks"),
		    tasks);
		assert_int_equal(count(db, "SELECT count(*) FROM links"), 0);
		/* the refusal itself is audited, unless that was the fault */
		if (i != 2)
			assert_int_equal(count(db, "SELECT count(*) FROM audit "
			    "WHERE result = 'internal'"), 1);
		else
			assert_int_equal(count(db, "SELECT count(*) FROM "
			    "audit"), audits + 1);
		/* the number was not used up */
		assert_int_equal(sqlite3_exec(db, "DROP TRIGGER temp.boom",
		    NULL, NULL, NULL), SQLITE_OK);
		must(db, t[i].user, t[i].json);
		assert_int_equal(incident_last_seq(db), seq + 1);
		json_decref(a);
		sqlite3_close(db);
	}
}

static void
timeline_is_append_only(void **state)
{
	sqlite3 *db = open_db(":memory:");

	seed(db);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE timeline SET text = 'x'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM timeline", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM timeline"), 3);
	sqlite3_close(db);
}

static void
state_survives_reopen(void **state)
{
	char dir[] = "/tmp/ward-inc.XXXXXX", path[64], err[256], *x, *y;
	json_t *before, *after, *res;
	sqlite3 *db;
	int64_t seq;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.db", dir);
	db = open_db(path);
	seed(db);
	must(db, "lena", "{\"op\":\"incident.status\",\"incident\":\"INC-1\","
	    "\"status\":\"contained\"}");
	must(db, "hank", "{\"op\":\"task.status\",\"task\":\"T-1\","
	    "\"status\":\"doing\"}");
	before = show(db, 1);
	seq = incident_last_seq(db);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	db = open_db(path);	/* schema init again: idempotent */
	after = show(db, 1);
	x = json_dumps(before, JSON_SORT_KEYS);
	y = json_dumps(after, JSON_SORT_KEYS);
	assert_string_equal(x, y);
	free(x);
	free(y);
	assert_true(json_is_string(json_object_get(after, "contained")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(after, "tasks"), 0), "status")), "doing");
	assert_int_equal(incident_last_seq(db), seq);
	assert_int_equal(apply_as(db, "hank", "{\"op\":\"incident.note\","
	    "\"incident\":\"INC-1\",\"text\":\"after restart\"}", &res, err,
	    sizeof(err)), WIRE_OK);
	assert_int_equal(json_integer_value(json_object_get(res, "seq")),
	    seq + 1);
	json_decref(res);
	json_decref(before);
	json_decref(after);
	sqlite3_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static int
count_audit(json_t *e, void *arg)
{
	json_array_append((json_t *)arg, e);
	return 0;
}

static void
audit_records_successes_and_refusals(void **state)
{
	struct audit_filter f;
	json_t *a, *req, *res;
	char err[256];
	sqlite3 *db = open_db(":memory:");
	size_t i;

	seed(db);
	apply_as(db, "vic", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
	    "\"text\":\"let me in\"}", NULL, err, sizeof(err));
	apply_as(db, "hank", "{\"op\":\"incident.close\",\"incident\":"
	    "\"INC-1\",\"resolution\":\"other\"}", NULL, err, sizeof(err));
	memset(&f, 0, sizeof(f));
	a = json_array();
	assert_int_equal(audit_list(db, &f, count_audit, a, err, sizeof(err)),
	    0);
	assert_int_equal(json_array_size(a), 5);	/* newest first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(a,
	    0), "user")), "hank");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a,
	    0), "result")), "forbidden");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a,
	    1), "name")), "incident.note");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a,
	    4), "result")), "ok");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a,
	    4), "seq")), 1);
	json_decref(a);
	f.refused = 1;
	f.user = "vic";
	a = json_array();
	assert_int_equal(audit_list(db, &f, count_audit, a, err, sizeof(err)),
	    0);
	assert_int_equal(json_array_size(a), 1);
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_array_get(a, 0), "message")), "viewer may not"));
	json_decref(a);
	/* through the query: a handler sees only their own entries */
	req = json_pack("{s:s}", "query", "audit.list");
	assert_int_equal(incident_query(db, "hank", ROLE_HANDLER, req, &res,
	    err, sizeof(err)), WIRE_OK);
	assert_int_equal(json_array_size(res), 1);
	json_decref(res);
	assert_int_equal(incident_query(db, "lena", ROLE_LEAD, req, &res, err,
	    sizeof(err)), WIRE_OK);
	assert_int_equal(json_array_size(res), 5);
	for (i = 0; i < json_array_size(res); i++)
		assert_non_null(json_object_get(json_array_get(res, i),
		    "time"));
	json_decref(res);
	json_decref(req);
	sqlite3_close(db);
}

static void
queries_list_show_whoami(void **state)
{
	json_t *req, *res, *e;
	char err[256];
	sqlite3 *db = open_db(":memory:");

	seed(db);
	must(db, "hank", "{\"op\":\"incident.create\",\"title\":\"second\"}");
	must(db, "hank", "{\"op\":\"task.status\",\"task\":\"T-1\","
	    "\"status\":\"done\"}");
	must(db, "lena", "{\"op\":\"incident.close\",\"incident\":\"INC-2\","
	    "\"resolution\":\"false_positive\"}");
	req = json_pack("{s:s, s:s}", "query", "incident.list", "status",
	    "active");
	assert_int_equal(incident_query(db, "vic", ROLE_VIEWER, req, &res,
	    err, sizeof(err)), WIRE_OK);
	json_decref(req);
	assert_int_equal(json_array_size(res), 1);
	e = json_array_get(res, 0);
	assert_string_equal(json_string_value(json_object_get(e, "id")),
	    "INC-1");
	assert_int_equal(json_integer_value(json_object_get(e, "open_tasks")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(e, "last_seq")),
	    5);	/* T-1 done */
	json_decref(res);
	req = json_pack("{s:s}", "query", "incident.list");
	assert_int_equal(incident_query(db, "vic", ROLE_VIEWER, req, &res,
	    err, sizeof(err)), WIRE_OK);
	assert_int_equal(json_array_size(res), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    res, 0), "status")), "closed");
	json_decref(res);
	json_decref(req);
	req = json_pack("{s:s, s:s}", "query", "incident.show", "incident",
	    "INC-7");
	assert_int_equal(incident_query(db, "vic", ROLE_VIEWER, req, &res,
	    err, sizeof(err)), WIRE_ENOTFOUND);
	assert_null(res);
	json_decref(req);
	req = json_pack("{s:s}", "query", "whoami");
	assert_int_equal(incident_query(db, "vic", ROLE_VIEWER, req, &res,
	    err, sizeof(err)), WIRE_OK);
	assert_string_equal(json_string_value(json_object_get(res, "role")),
	    "viewer");
	assert_int_equal(json_integer_value(json_object_get(res, "last_seq")),
	    6);
	json_decref(res);
	json_decref(req);
	req = json_pack("{s:s, s:i}", "query", "incident.list", "limit", -1);
	assert_int_equal(incident_query(db, "vic", ROLE_VIEWER, req, &res,
	    err, sizeof(err)), WIRE_EINVALID);
	json_decref(req);
	req = json_pack("{s:s}", "query", "whoami");
	assert_int_equal(incident_query(db, "tok", ROLE_READER, req, &res,
	    err, sizeof(err)), WIRE_EFORBIDDEN);
	json_decref(req);
	sqlite3_close(db);
}

static void
status_close_and_reopen(void **state)
{
	json_t *inc;
	char err[256];
	sqlite3 *db = open_db(":memory:");

	seed(db);
	must(db, "lena", "{\"op\":\"incident.status\",\"incident\":\"INC-1\","
	    "\"status\":\"contained\"}");
	assert_int_equal(apply_as(db, "lena", "{\"op\":\"incident.status\","
	    "\"incident\":\"INC-1\",\"status\":\"contained\"}", NULL, err,
	    sizeof(err)), WIRE_ECONFLICT);
	must(db, "lena", "{\"op\":\"incident.close\",\"incident\":\"INC-1\","
	    "\"resolution\":\"true_positive\",\"text\":\"done\"}");
	inc = show(db, 1);
	assert_string_equal(json_string_value(json_object_get(inc, "status")),
	    "closed");
	assert_string_equal(json_string_value(json_object_get(inc,
	    "resolution")), "true_positive");
	assert_true(json_is_string(json_object_get(inc, "closed")));
	assert_true(json_is_string(json_object_get(inc, "contained")));
	json_decref(inc);
	assert_int_equal(apply_as(db, "alice", "{\"op\":\"incident.close\","
	    "\"incident\":\"INC-1\",\"resolution\":\"other\"}", NULL, err,
	    sizeof(err)), WIRE_ECONFLICT);
	must(db, "alice", "{\"op\":\"incident.status\",\"incident\":\"INC-1\","
	    "\"status\":\"open\"}");
	inc = show(db, 1);
	assert_string_equal(json_string_value(json_object_get(inc, "status")),
	    "open");
	assert_true(json_is_null(json_object_get(inc, "resolution")));
	assert_true(json_is_null(json_object_get(inc, "closed")));
	assert_int_equal(json_integer_value(json_object_get(inc, "version")),
	    4);
	json_decref(inc);
	sqlite3_close(db);
}

/* Ops inside the caller's transaction (group commit): a failed op rolls
   back to its savepoint only; the batch is durable when committed, and
   gone, numbers included, when rolled back. */
static void
group_commit_batches_ops(void **state)
{
	char err[256];
	json_t *inc;
	sqlite3 *db = open_db(":memory:");
	int64_t seq;

	seed(db);
	seq = incident_last_seq(db);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	must(db, "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
	    "\"text\":\"one\"}");
	assert_int_equal(sqlite3_exec(db, "CREATE TEMP TRIGGER boom BEFORE "
	    "INSERT ON oplog WHEN NEW.type = 'incident.update' BEGIN SELECT "
	    "RAISE(ABORT, 'injected failure'); END;", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(apply_as(db, "hank", "{\"op\":\"incident.update\","
	    "\"incident\":\"INC-1\",\"version\":1,\"title\":\"half\"}", NULL,
	    err, sizeof(err)), WIRE_EINTERNAL);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER temp.boom", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(apply_as(db, "vic", "{\"op\":\"incident.note\","
	    "\"incident\":\"INC-1\",\"text\":\"x\"}", NULL, err,
	    sizeof(err)), WIRE_EFORBIDDEN);
	must(db, "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
	    "\"text\":\"two\"}");
	assert_false(sqlite3_get_autocommit(db));	/* still the caller's */
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(incident_last_seq(db), seq + 2);
	inc = show(db, 1);
	assert_string_equal(json_string_value(json_object_get(inc, "title")),
	    "Phish");
	assert_int_equal(json_array_size(json_object_get(inc, "timeline")), 5);
	json_decref(inc);
	/* a batch rolled back leaves nothing, and frees its numbers */
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	must(db, "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
	    "\"text\":\"three\"}");
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(incident_last_seq(db), seq + 2);
	must(db, "hank", "{\"op\":\"incident.note\",\"incident\":\"INC-1\","
	    "\"text\":\"four\"}");
	assert_int_equal(incident_last_seq(db), seq + 3);
	sqlite3_close(db);
}

/* The user ops: admins only, validated, audited, not in the op log; an
   admin may not remove or demote themselves, and the last admin stays. */
static void
user_ops_rights_and_guards(void **state)
{
	unsigned char pk[32];
	char err[256], line[256], req[512];
	json_t *res = NULL, *q;
	sqlite3 *db = open_db(":memory:");
	int64_t seq = incident_last_seq(db);

	memset(pk, 0x77, sizeof(pk));
	assert_int_equal(auth_pubkey_format(pk, "neo@host", line,
	    sizeof(line)), 0);
	snprintf(req, sizeof(req), "{\"op\":\"user.add\",\"name\":\"neo\","
	    "\"role\":\"handler\",\"key\":\"%s\"}", line);
	assert_int_equal(apply_as(db, "lena", req, NULL, err, sizeof(err)),
	    WIRE_EFORBIDDEN);
	assert_int_equal(apply_as(db, "alice", req, &res, err, sizeof(err)),
	    WIRE_OK);
	assert_string_equal(json_string_value(json_object_get(res, "role")),
	    "handler");
	assert_string_equal(json_string_value(json_object_get(res,
	    "comment")), "neo@host");
	json_decref(res);
	assert_int_equal(apply_as(db, "alice", req, NULL, err, sizeof(err)),
	    WIRE_ECONFLICT);
	/* a key that is not a key; a role that is not a person's */
	assert_int_equal(apply_as(db, "alice", "{\"op\":\"user.add\","
	    "\"name\":\"trin\",\"role\":\"viewer\",\"key\":\"ward-ed25519 "
	    "AAAA\"}", NULL, err, sizeof(err)), WIRE_EINVALID);
	assert_non_null(strstr(err, "field 'key'"));
	assert_int_equal(apply_as(db, "alice", "{\"op\":\"user.role\","
	    "\"name\":\"neo\",\"role\":\"shipper\"}", NULL, err,
	    sizeof(err)), WIRE_EINVALID);
	/* self, last admin, unknown */
	assert_int_equal(apply_as(db, "alice", "{\"op\":\"user.del\","
	    "\"name\":\"alice\"}", NULL, err, sizeof(err)), WIRE_EFORBIDDEN);
	assert_int_equal(apply_as(db, "alice", "{\"op\":\"user.role\","
	    "\"name\":\"alice\",\"role\":\"lead\"}", NULL, err, sizeof(err)),
	    WIRE_EFORBIDDEN);
	q = json_pack("{s:s, s:s}", "op", "user.del", "name", "alice");
	assert_int_equal(users_apply(db, "hank", q, &res, err, sizeof(err)),
	    WIRE_EFORBIDDEN);
	assert_non_null(strstr(err, "last admin"));
	json_decref(q);
	assert_int_equal(apply_as(db, "alice", "{\"op\":\"user.del\","
	    "\"name\":\"ghost\"}", NULL, err, sizeof(err)), WIRE_ENOTFOUND);
	must(db, "alice", "{\"op\":\"user.role\",\"name\":\"neo\","
	    "\"role\":\"lead\"}");
	must(db, "alice", "{\"op\":\"user.del\",\"name\":\"vic\"}");
	assert_int_equal(users_find(db, "vic", NULL, err, sizeof(err)), 0);
	/* user.list: admins only */
	q = json_pack("{s:s}", "query", "user.list");
	assert_int_equal(incident_query(db, "lena", ROLE_LEAD, q, &res, err,
	    sizeof(err)), WIRE_EFORBIDDEN);
	assert_int_equal(incident_query(db, "alice", ROLE_ADMIN, q, &res, err,
	    sizeof(err)), WIRE_OK);
	assert_int_equal(json_array_size(res), 5);	/* vic gone, neo in */
	json_decref(res);
	json_decref(q);
	/* audited, not in the op log */
	assert_int_equal(incident_last_seq(db), seq);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE name "
	    "LIKE 'user.%' AND result = 'ok'"), 3);
	assert_true(count(db, "SELECT count(*) FROM audit WHERE name LIKE "
	    "'user.%' AND result != 'ok'") >= 7);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(show_json_has_timeline_and_tasks),
		cmocka_unit_test(every_op_has_a_handler),
		cmocka_unit_test(each_role_may_do_what_it_should),
		cmocka_unit_test(token_roles_may_not_operate),
		cmocka_unit_test(stale_update_is_refused_with_current),
		cmocka_unit_test(op_log_is_contiguous),
		cmocka_unit_test(failed_op_leaves_nothing_half_done),
		cmocka_unit_test(timeline_is_append_only),
		cmocka_unit_test(state_survives_reopen),
		cmocka_unit_test(audit_records_successes_and_refusals),
		cmocka_unit_test(queries_list_show_whoami),
		cmocka_unit_test(status_close_and_reopen),
		cmocka_unit_test(group_commit_batches_ops),
		cmocka_unit_test(user_ops_rights_and_guards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
