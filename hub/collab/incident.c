/*
 * incident — the incident model, op log and audit log.  See incident.h.
 *
 * The ops and queries are the catalogue's (catalogue.h); handlers[] below
 * holds the hub's handler for each, indexed by its id.  incident_apply
 * runs an incident op (CAT_LOGGED) as: validate (wire_check_op), authorise
 * by role (role_may), BEGIN IMMEDIATE (or a savepoint inside the caller's
 * transaction), the op's handler (load, version check, ownership check,
 * effect, timeline entries), touch the incident, insert the op log row
 * (its seq), audit, COMMIT.  Any failure rolls everything back; the
 * refusal is then audited on its own.  Other ops run their handler and
 * are audited; incident_query runs a query's.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "alertdb.h"
#include "catalogue.h"
#include "errf.h"
#include "incident.h"
#include "sqlx.h"
#include "observe.h"
#include "users.h"
#include "wire.h"

#define AUDIT_MAX_REQUEST	8192

#define INCIDENT_COLS \
	"'INC-' || id AS id, title, description, severity, status, " \
	"resolution, phase, lead, tags, reported, verified, contained, " \
	"mitigated, closed, created_by, created, updated, version"
#define TASK_COLS \
	"'T-' || id AS id, 'INC-' || incident AS incident, title, assignee, " \
	"status, due, created_by, created, updated"

/* Load incident n as an object into *out: WIRE_OK, ENOTFOUND, EINTERNAL. */
static enum wire_err
load_incident(sqlite3 *db, int64_t n, json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	if ((st = sqlx_prep(db, "SELECT " INCIDENT_COLS " FROM incidents WHERE "
	    "id = ?", "i", n)) == NULL)
		goto fail;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sqlx_row_json(st);
	sqlite3_finalize(st);
	if (r == SQLITE_DONE) {
		errf(err, errlen, "no incident INC-%" PRId64, n);
		return WIRE_ENOTFOUND;
	}
	if (*out == NULL)
		goto fail;
	return WIRE_OK;
fail:
	errf(err, errlen, "incident: %s", sqlite3_errmsg(db));
	return WIRE_EINTERNAL;
}

/* Load task n (with its incident number in *inc). */
static enum wire_err
load_task(sqlite3 *db, int64_t n, json_t **out, int64_t *inc, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	if ((st = sqlx_prep(db, "SELECT " TASK_COLS ", incident AS inc FROM "
	    "tasks WHERE id = ?", "i", n)) == NULL)
		goto fail;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*inc = sqlite3_column_int64(st, 9);
		*out = sqlx_row_json(st);
	}
	sqlite3_finalize(st);
	if (r == SQLITE_DONE) {
		errf(err, errlen, "no task T-%" PRId64, n);
		return WIRE_ENOTFOUND;
	}
	if (*out == NULL)
		goto fail;
	json_object_del(*out, "inc");
	return WIRE_OK;
fail:
	errf(err, errlen, "task: %s", sqlite3_errmsg(db));
	return WIRE_EINTERNAL;
}

/* The state of one op being applied. */
struct ctx {
	sqlite3		*db;
	const char	*user;
	enum role	 role;
	enum wire_may	 may;
	const json_t	*req;
	const char	*op;		/* the op's or query's name */
	const struct catalogue_entry *def;	/* its catalogue entry */
	json_t		*result;	/* side ops, queries: the answer */
	char		 now[32];
	int64_t		 inc;		/* the incident's number */
	json_t		*row;		/* the incident before the op */
	json_t		*state;		/* what the push carries */
	int		 bump;		/* the op changes incident fields */
	json_t		*current;	/* stale: the current incident */
	char		*err;
	size_t		 errlen;
};

static const char *
rstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static enum wire_err
sqlfail(struct ctx *c)
{
	errf(c->err, c->errlen, "%s: %s", c->op, sqlite3_errmsg(c->db));
	return WIRE_EINTERNAL;
}

static enum wire_err
refuse(struct ctx *c, enum wire_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum wire_err
refuse(struct ctx *c, enum wire_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* Load the incident the request names into c->row and check "version". */
static enum wire_err
need_incident(struct ctx *c, int64_t n)
{
	const json_t *v;
	enum wire_err e;

	c->inc = n;
	if (n == 0 && wire_incident_id(rstr(c->req, "incident"), &c->inc) != 0)
		return refuse(c, WIRE_EINVALID, "bad incident id");
	if ((e = load_incident(c->db, c->inc, &c->row, c->err, c->errlen))
	    != WIRE_OK)
		return e;
	v = json_object_get(c->req, "version");
	if (v != NULL && json_integer_value(v) !=
	    json_integer_value(json_object_get(c->row, "version"))) {
		c->current = json_incref(c->row);
		return refuse(c, WIRE_ESTALE, "INC-%" PRId64 " changed: it is "
		    "at version %" JSON_INTEGER_FORMAT ", the request was made "
		    "against version %" JSON_INTEGER_FORMAT, c->inc,
		    json_integer_value(json_object_get(c->row, "version")),
		    json_integer_value(v));
	}
	return WIRE_OK;
}

/* A user named in a request must exist. */
static enum wire_err
need_user(struct ctx *c, const char *name)
{
	char e[256];
	int r;

	if (name == NULL)
		return WIRE_OK;
	if ((r = users_find(c->db, name, NULL, e, sizeof(e))) < 0)
		return refuse(c, WIRE_EINTERNAL, "%s", e);
	if (r == 0)
		return refuse(c, WIRE_ENOTFOUND, "no user %s", name);
	return WIRE_OK;
}

/* Append a timeline entry; steal_data (may be NULL) is consumed. */
static enum wire_err
timeline(struct ctx *c, const char *kind, const char *text, json_t *steal_data)
{
	char ref[32], *data = NULL;
	json_t *arr, *e = NULL;
	int rc;

	if (steal_data != NULL &&
	    (data = json_dumps(steal_data, JSON_COMPACT)) == NULL)
		goto oom;
	rc = sqlx_exec(c->db, "INSERT INTO timeline(incident, time, author, "
	    "kind, text, data) VALUES(?, ?, ?, ?, ?, ?)", "itttt" "t", c->inc,
	    c->now, c->user, kind, text, data);
	free(data);
	if (rc != 0) {
		json_decref(steal_data);
		return sqlfail(c);
	}
	wire_incident_ref(c->inc, ref, sizeof(ref));
	e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}",
	    "id", (json_int_t)sqlite3_last_insert_rowid(c->db),
	    "incident", ref, "time", c->now, "author", c->user, "kind", kind,
	    "text", text, "data", steal_data ? steal_data : json_null());
	if (e == NULL)
		goto oom;
	if ((arr = json_object_get(c->state, "timeline")) == NULL) {
		if (json_object_set_new(c->state, "timeline",
		    arr = json_array()) != 0)
			goto oom;
	}
	if (json_array_append_new(arr, e) != 0)
		goto oom;
	return WIRE_OK;
oom:
	return refuse(c, WIRE_EINTERNAL, "out of memory");
}

/* incident.create */
static enum wire_err
op_create(struct ctx *c)
{
	const char *lead = rstr(c->req, "lead"), *sev;
	json_t *tags = json_object_get(c->req, "tags");
	char *tagtext;
	enum wire_err e;
	int rc;

	if (lead != NULL && role_may(c->role, "incident.lead") != WIRE_MAY_YES)
		return refuse(c, WIRE_EFORBIDDEN, "role %s may not set the "
		    "lead (lead or admin may)", role_name(c->role));
	if ((e = need_user(c, lead)) != WIRE_OK)
		return e;
	if ((sev = rstr(c->req, "severity")) == NULL)
		sev = "medium";
	tagtext = tags ? json_dumps(tags, JSON_COMPACT) : strdup("[]");
	if (tagtext == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	rc = sqlx_exec(c->db, "INSERT INTO incidents(title, description, "
	    "severity, status, phase, lead, tags, reported, created_by, "
	    "created, updated, version) VALUES(?, ?, ?, 'open', "
	    "'identification', ?, ?, ?, ?, ?, ?, 1)", "ttttttttt",
	    rstr(c->req, "title"), rstr(c->req, "description") ?
	    rstr(c->req, "description") : "", sev, lead, tagtext,
	    rstr(c->req, "reported") ? rstr(c->req, "reported") : c->now,
	    c->user, c->now, c->now);
	free(tagtext);
	if (rc != 0)
		return sqlfail(c);
	c->inc = sqlite3_last_insert_rowid(c->db);
	return timeline(c, "created", rstr(c->req, "title"), NULL);
}

/* incident.update: title, description, severity, tags, dates. */
static enum wire_err
op_update(struct ctx *c)
{
	static const char *const cols[] = { "title", "description",
		"severity", "tags", "reported", "verified", "mitigated", NULL };
	json_t *changes, *v, *old;
	char sql[128], *text = NULL, what[100], line[128];
	size_t o = 0;
	enum wire_err e;
	int i, rc;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	if ((changes = json_object()) == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	what[0] = '\0';
	for (i = 0; cols[i] != NULL; i++) {
		if ((v = json_object_get(c->req, cols[i])) == NULL)
			continue;
		old = json_object_get(c->row, cols[i]);
		if (old != NULL && json_equal(old, v))
			continue;
		if (json_is_array(v))
			text = json_dumps(v, JSON_COMPACT);
		else if (json_is_string(v))
			text = strdup(json_string_value(v));
		else
			text = NULL;	/* null: clear a date */
		if (!json_is_null(v) && text == NULL) {
			json_decref(changes);
			return refuse(c, WIRE_EINTERNAL, "out of memory");
		}
		/* cols[] is a fixed list: no injection through the name. */
		snprintf(sql, sizeof(sql), "UPDATE incidents SET %s = ? "
		    "WHERE id = ?", cols[i]);
		rc = sqlx_exec(c->db, sql, "ti", text, c->inc);
		free(text);
		if (rc != 0) {
			json_decref(changes);
			return sqlfail(c);
		}
		json_object_set_new(changes, cols[i], json_pack("{s:O, s:O}",
		    "from", old ? old : json_null(), "to", v));
		o += (size_t)snprintf(what + o, o < sizeof(what) ?
		    sizeof(what) - o : 0, "%s%s", o ? ", " : "", cols[i]);
	}
	if (json_object_size(changes) == 0) {
		json_decref(changes);
		return refuse(c, WIRE_ECONFLICT, "INC-%" PRId64 ": nothing "
		    "changed", c->inc);
	}
	c->bump = 1;
	snprintf(line, sizeof(line), "changed %s", what);
	return timeline(c, "updated", line, changes);
}

/* incident.note */
static enum wire_err
op_note(struct ctx *c)
{
	enum wire_err e;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	return timeline(c, "note", rstr(c->req, "text"), NULL);
}

/* incident.close */
static enum wire_err
op_close(struct ctx *c)
{
	const char *res = rstr(c->req, "resolution"), *note;
	char text[WIRE_MAX_TEXT + 64];
	enum wire_err e;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	if (strcmp(rstr(c->row, "status"), "closed") == 0)
		return refuse(c, WIRE_ECONFLICT, "INC-%" PRId64 " is already "
		    "closed", c->inc);
	if (sqlx_exec(c->db, "UPDATE incidents SET status = 'closed', "
	    "resolution = ?, closed = ? WHERE id = ?", "tti", res, c->now,
	    c->inc) != 0)
		return sqlfail(c);
	c->bump = 1;
	note = rstr(c->req, "text");
	snprintf(text, sizeof(text), "closed as %s%s%s", res,
	    note ? ": " : "", note ? note : "");
	return timeline(c, "closed", text, json_pack("{s:s, s:s}", "from",
	    rstr(c->row, "status"), "resolution", res));
}

/* incident.status: open or contained (closing is incident.close). */
static enum wire_err
op_status(struct ctx *c)
{
	const char *to = rstr(c->req, "status"), *from;
	char text[64];
	enum wire_err e;
	int rc;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	from = rstr(c->row, "status");
	if (strcmp(from, to) == 0)
		return refuse(c, WIRE_ECONFLICT, "INC-%" PRId64 " is already "
		    "%s", c->inc, to);
	if (strcmp(to, "open") == 0)
		rc = sqlx_exec(c->db, "UPDATE incidents SET status = 'open', "
		    "resolution = NULL, closed = NULL WHERE id = ?", "i",
		    c->inc);
	else
		rc = sqlx_exec(c->db, "UPDATE incidents SET status = ?, "
		    "resolution = NULL, closed = NULL, contained = "
		    "coalesce(contained, ?) WHERE id = ?", "tti", to, c->now,
		    c->inc);
	if (rc != 0)
		return sqlfail(c);
	c->bump = 1;
	snprintf(text, sizeof(text), "status %s -> %s", from, to);
	return timeline(c, "status", text, json_pack("{s:s, s:s}", "from",
	    from, "to", to));
}

/* incident.phase */
static enum wire_err
op_phase(struct ctx *c)
{
	const char *to = rstr(c->req, "phase"), *from;
	char text[80];
	enum wire_err e;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	from = rstr(c->row, "phase");
	if (strcmp(from, to) == 0)
		return refuse(c, WIRE_ECONFLICT, "INC-%" PRId64 " is already "
		    "in phase %s", c->inc, to);
	if (sqlx_exec(c->db, "UPDATE incidents SET phase = ? WHERE id = ?",
	    "ti", to, c->inc) != 0)
		return sqlfail(c);
	c->bump = 1;
	snprintf(text, sizeof(text), "phase %s -> %s", from, to);
	return timeline(c, "phase", text, json_pack("{s:s, s:s}", "from",
	    from, "to", to));
}

/* incident.lead */
static enum wire_err
op_lead(struct ctx *c)
{
	const char *to = rstr(c->req, "lead"), *from;
	char text[WIRE_MAX_NAME + 32];
	enum wire_err e;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	if ((e = need_user(c, to)) != WIRE_OK)
		return e;
	from = rstr(c->row, "lead");
	if ((from == NULL && to == NULL) || (from != NULL && to != NULL &&
	    strcmp(from, to) == 0))
		return refuse(c, WIRE_ECONFLICT, "INC-%" PRId64 ": lead "
		    "unchanged", c->inc);
	if (sqlx_exec(c->db, "UPDATE incidents SET lead = ? WHERE id = ?",
	    "ti", to, c->inc) != 0)
		return sqlfail(c);
	c->bump = 1;
	snprintf(text, sizeof(text), to ? "lead: %s" : "lead removed%s",
	    to ? to : "");
	return timeline(c, "lead", text, json_pack("{s:s?, s:s?}", "from",
	    from, "to", to));
}

/* Put task n in c->state.task. */
static enum wire_err
state_task(struct ctx *c, int64_t n)
{
	json_t *t;
	int64_t inc = 0;
	enum wire_err e;

	if ((e = load_task(c->db, n, &t, &inc, c->err, c->errlen)) != WIRE_OK)
		return e;
	if (json_object_set_new(c->state, "task", t) != 0)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	return WIRE_OK;
}

/* task.add */
static enum wire_err
op_task_add(struct ctx *c)
{
	const char *who = rstr(c->req, "assignee"), *title;
	char text[WIRE_MAX_TITLE + WIRE_MAX_NAME + 64];
	enum wire_err e;
	int64_t n;

	if (who != NULL && role_may(c->role, "task.assign") != WIRE_MAY_YES)
		return refuse(c, WIRE_EFORBIDDEN, "role %s may not assign "
		    "tasks (lead or admin may); add it unassigned",
		    role_name(c->role));
	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	if ((e = need_user(c, who)) != WIRE_OK)
		return e;
	title = rstr(c->req, "title");
	if (sqlx_exec(c->db, "INSERT INTO tasks(incident, title, assignee, "
	    "status, due, created_by, created, updated) VALUES(?, ?, ?, "
	    "'todo', ?, ?, ?, ?)", "ittttt" "t", c->inc, title, who,
	    rstr(c->req, "due"), c->user, c->now, c->now) != 0)
		return sqlfail(c);
	n = sqlite3_last_insert_rowid(c->db);
	snprintf(text, sizeof(text), "task T-%" PRId64 " added%s%s: %s", n,
	    who ? " for " : "", who ? who : "", title);
	if ((e = timeline(c, "task", text, json_pack("{s:I, s:s?}", "task",
	    (json_int_t)n, "assignee", who))) != WIRE_OK)
		return e;
	return state_task(c, n);
}

/* Load the task named in the request into *task, its incident in c. */
static enum wire_err
need_task(struct ctx *c, json_t **task, int64_t *n)
{
	int64_t inc = 0;
	enum wire_err e;

	if (wire_task_id(json_object_get(c->req, "task"), n) != 0)
		return refuse(c, WIRE_EINVALID, "bad task id");
	if ((e = load_task(c->db, *n, task, &inc, c->err, c->errlen))
	    != WIRE_OK)
		return e;
	return need_incident(c, inc);
}

/* task.assign */
static enum wire_err
op_task_assign(struct ctx *c)
{
	const char *to = rstr(c->req, "assignee"), *from;
	char text[2 * WIRE_MAX_NAME + 64];
	json_t *task = NULL;
	enum wire_err e;
	int64_t n;

	if ((e = need_task(c, &task, &n)) != WIRE_OK)
		goto done;
	if ((e = need_user(c, to)) != WIRE_OK)
		goto done;
	from = rstr(task, "assignee");
	if ((from == NULL && to == NULL) || (from != NULL && to != NULL &&
	    strcmp(from, to) == 0)) {
		e = refuse(c, WIRE_ECONFLICT, "T-%" PRId64 " is already %s%s",
		    n, to ? "assigned to " : "unassigned", to ? to : "");
		goto done;
	}
	if (sqlx_exec(c->db, "UPDATE tasks SET assignee = ?, updated = ? "
	    "WHERE id = ?", "tti", to, c->now, n) != 0) {
		e = sqlfail(c);
		goto done;
	}
	if (to != NULL)
		snprintf(text, sizeof(text), "task T-%" PRId64 " assigned to "
		    "%s", n, to);
	else
		snprintf(text, sizeof(text), "task T-%" PRId64 " unassigned",
		    n);
	if ((e = timeline(c, "assigned", text, json_pack("{s:I, s:s?, s:s?}",
	    "task", (json_int_t)n, "from", from, "to", to))) != WIRE_OK)
		goto done;
	e = state_task(c, n);
done:
	json_decref(task);
	return e;
}

/* task.status: handlers only on their own tasks. */
static enum wire_err
op_task_status(struct ctx *c)
{
	const char *to = rstr(c->req, "status"), *from, *who, *by;
	char text[80];
	json_t *task = NULL;
	enum wire_err e;
	int64_t n;

	if ((e = need_task(c, &task, &n)) != WIRE_OK)
		goto done;
	who = rstr(task, "assignee");
	by = rstr(task, "created_by");
	if (c->may == WIRE_MAY_OWN && (who == NULL ||
	    strcmp(who, c->user) != 0) && strcmp(by, c->user) != 0) {
		e = refuse(c, WIRE_EFORBIDDEN, "role %s may change only its "
		    "own tasks; T-%" PRId64 " is %s%s", role_name(c->role), n,
		    who ? "assigned to " : "unassigned", who ? who : "");
		goto done;
	}
	from = rstr(task, "status");
	if (strcmp(from, to) == 0) {
		e = refuse(c, WIRE_ECONFLICT, "T-%" PRId64 " is already %s",
		    n, to);
		goto done;
	}
	if (sqlx_exec(c->db, "UPDATE tasks SET status = ?, updated = ? "
	    "WHERE id = ?", "tti", to, c->now, n) != 0) {
		e = sqlfail(c);
		goto done;
	}
	snprintf(text, sizeof(text), "task T-%" PRId64 " %s -> %s", n, from,
	    to);
	if ((e = timeline(c, "task_status", text, json_pack("{s:I, s:s, s:s}",
	    "task", (json_int_t)n, "from", from, "to", to))) != WIRE_OK)
		goto done;
	e = state_task(c, n);
done:
	json_decref(task);
	return e;
}

/* observable.add: hashes and domains are stored in lower case. */
static enum wire_err
op_observable(struct ctx *c)
{
	const char *kind = rstr(c->req, "kind");
	char *value = NULL, text[WIRE_MAX_VALUE + 64];
	json_t *o = NULL;
	enum wire_err e;
	sqlite3_stmt *st;
	size_t i;
	int ioc, r;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	if ((value = strdup(rstr(c->req, "value"))) == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	if (strcmp(kind, "hash") == 0 || strcmp(kind, "domain") == 0)
		for (i = 0; value[i] != '\0'; i++)
			value[i] = (char)tolower((unsigned char)value[i]);
	ioc = json_is_true(json_object_get(c->req, "ioc"));
	if ((st = sqlx_prep(c->db, "INSERT INTO observables(incident, kind, "
	    "value, ioc, added_by, time) VALUES(?, ?, ?, ?, ?, ?)", "ittdtt",
	    c->inc, kind, value, ioc, c->user, c->now)) == NULL) {
		e = sqlfail(c);
		goto done;
	}
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE) {
		e = refuse(c, WIRE_ECONFLICT, "%s %s is already on INC-%"
		    PRId64, kind, value, c->inc);
		goto done;
	}
	if (r != SQLITE_DONE) {
		e = sqlfail(c);
		goto done;
	}
	o = json_pack("{s:I, s:s, s:s, s:b, s:s, s:s}", "id",
	    (json_int_t)sqlite3_last_insert_rowid(c->db), "kind", kind,
	    "value", value, "ioc", ioc, "added_by", c->user, "time", c->now);
	if (o == NULL || json_object_set(c->state, "observable", o) != 0) {
		e = refuse(c, WIRE_EINTERNAL, "out of memory");
		goto done;
	}
	snprintf(text, sizeof(text), "observable %s %s%s", kind, value,
	    ioc ? " (IOC)" : "");
	e = timeline(c, "observable", text, json_pack("{s:s, s:s, s:b}",
	    "kind", kind, "value", value, "ioc", ioc));
done:
	json_decref(o);
	free(value);
	return e;
}

/* Link the ids of one kind; add the new ones to the array added. */
static enum wire_err
link_kind(struct ctx *c, const char *kind, const json_t *ids, json_t *added)
{
	sqlite3_stmt *st;
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v) {
		if ((st = sqlx_prep(c->db, "INSERT OR IGNORE INTO links("
		    "incident, kind, ref, added_by, time) VALUES(?, ?, ?, ?, "
		    "?)", "ititt",
		    c->inc, kind, (int64_t)json_integer_value(v), c->user,
		    c->now)) == NULL)
			return sqlfail(c);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return sqlfail(c);
		}
		sqlite3_finalize(st);
		if (sqlite3_changes(c->db) > 0 &&
		    json_array_append(added, (json_t *)v) != 0)
			return refuse(c, WIRE_EINTERNAL, "out of memory");
	}
	return WIRE_OK;
}

static void
join_ids(const json_t *a, char *out, size_t outlen)
{
	const json_t *v;
	size_t i, o = 0;

	out[0] = '\0';
	json_array_foreach(a, i, v) {
		if (o >= outlen)
			break;
		o += (size_t)snprintf(out + o, outlen - o, "%s%"
		    JSON_INTEGER_FORMAT, i ? ", " : "", json_integer_value(v));
	}
}

/*
 * Linked alerts that ward raised now belong to the incident (acknowledged
 * when new); ids of alerts it does not know, or attached elsewhere, stay
 * mere links.
 */
static enum wire_err
attach_alerts(struct ctx *c, const json_t *ids)
{
	const json_t *v;
	enum wire_err e;
	size_t i;

	json_array_foreach(ids, i, v) {
		e = alertdb_attach(c->db, json_integer_value(v), c->inc,
		    c->user, c->err, c->errlen);
		if (e != WIRE_OK && e != WIRE_ENOTFOUND && e != WIRE_ECONFLICT)
			return e;
	}
	c->err[0] = '\0';
	return WIRE_OK;
}

/* incident.link */
static enum wire_err
op_link(struct ctx *c)
{
	json_t *alerts, *events, *data;
	char text[512], a[240], ev[240];
	enum wire_err e;

	if ((e = need_incident(c, 0)) != WIRE_OK)
		return e;
	data = json_pack("{s:[], s:[]}", "alerts", "events");
	if (data == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	alerts = json_object_get(data, "alerts");
	events = json_object_get(data, "events");
	if ((e = link_kind(c, "alert", json_object_get(c->req, "alerts"),
	    alerts)) != WIRE_OK ||
	    (e = link_kind(c, "event", json_object_get(c->req, "events"),
	    events)) != WIRE_OK) {
		json_decref(data);
		return e;
	}
	if (json_array_size(alerts) + json_array_size(events) == 0) {
		json_decref(data);
		return refuse(c, WIRE_ECONFLICT, "already linked to INC-%"
		    PRId64, c->inc);
	}
	if ((e = attach_alerts(c, alerts)) != WIRE_OK) {
		json_decref(data);
		return e;
	}
	join_ids(alerts, a, sizeof(a));
	join_ids(events, ev, sizeof(ev));
	snprintf(text, sizeof(text), "linked%s%s%s%s%s",
	    a[0] ? " alerts " : "", a, a[0] && ev[0] ? ";" : "",
	    ev[0] ? " events " : "", ev);
	if (json_object_set(c->state, "links", data) != 0) {
		json_decref(data);
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	}
	return timeline(c, "link", text, data);
}

/* A title from an alert's summary: one line, at most WIRE_MAX_TITLE
   bytes, cut on a UTF-8 boundary. */
static void
title_of(const char *s, char *out, size_t outlen)
{
	size_t i, o = 0, max = outlen - 1;

	if (max > WIRE_MAX_TITLE)
		max = WIRE_MAX_TITLE;
	for (i = 0; s[i] != '\0' && o < max; i++)
		out[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' :
		    s[i];
	if (s[i] != '\0')
		while (o > 0 && ((unsigned char)s[o] & 0xc0) == 0x80)
			o--;
	out[o] = '\0';
	for (i = 0; out[i] == ' '; i++)
		;
	if (out[i] == '\0')
		snprintf(out, outlen, "alert");
}

/* A new incident for the alert a (alert.promote without "incident"). */
static enum wire_err
promote_create(struct ctx *c, const json_t *a)
{
	char title[WIRE_MAX_TITLE + 1], desc[2048], *tagtext;
	const char *sev;
	const json_t *t;
	json_t *tags;
	size_t i;
	int rc;

	title_of(rstr(c->req, "title") ? rstr(c->req, "title") :
	    rstr(a, "summary") ? rstr(a, "summary") : "alert", title,
	    sizeof(title));
	if ((sev = rstr(c->req, "severity")) == NULL &&
	    (sev = rstr(a, "severity")) == NULL)
		sev = "medium";
	snprintf(desc, sizeof(desc), "Promoted from alert %" JSON_INTEGER_FORMAT
	    ": %.200s (rule %.200s), %" JSON_INTEGER_FORMAT " event(s) from "
	    "%.32s to %.32s.", json_integer_value(json_object_get(a, "id")),
	    rstr(a, "rule") ? rstr(a, "rule") : "?", rstr(a, "rule_id") ?
	    rstr(a, "rule_id") : "?", json_integer_value(json_object_get(a,
	    "count")), rstr(a, "first_seen") ? rstr(a, "first_seen") : "?",
	    rstr(a, "last_seen") ? rstr(a, "last_seen") : "?");
	/* The rule's tags, as far as they are valid incident tags. */
	if ((tags = json_array()) == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	json_array_foreach(json_object_get(a, "tags"), i, t)
		if (json_is_string(t) && json_string_length(t) > 0 &&
		    json_string_length(t) <= WIRE_MAX_TAG &&
		    json_array_size(tags) < WIRE_MAX_TAGS)
			json_array_append(tags, (json_t *)t);
	tagtext = json_dumps(tags, JSON_COMPACT);
	json_decref(tags);
	if (tagtext == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	rc = sqlx_exec(c->db, "INSERT INTO incidents(title, description, "
	    "severity, status, phase, lead, tags, reported, created_by, "
	    "created, updated, version) VALUES(?, ?, ?, 'open', "
	    "'identification', NULL, ?, ?, ?, ?, ?, 1)", "tttttttt", title,
	    desc, sev, tagtext, rstr(a, "first_seen") ? rstr(a, "first_seen") :
	    c->now, c->user, c->now, c->now);
	free(tagtext);
	if (rc != 0)
		return sqlfail(c);
	c->inc = sqlite3_last_insert_rowid(c->db);
	return timeline(c, "created", title, NULL);
}

/* Observable oid with its sightings, as incident.show gives it. */
static json_t *
observable_json(sqlite3 *db, int64_t oid)
{
	json_t *a, *o, *sg;

	if ((a = sqlx_rows(db, "SELECT id, kind, value, ioc, added_by, "
	    "time FROM observables WHERE id = ?", "i", oid)) == NULL)
		return NULL;
	o = json_incref(json_array_get(a, 0));
	json_decref(a);
	if (o == NULL || (sg = sqlx_rows(db, "SELECT alert, events, "
	    "first_seen, last_seen FROM sightings WHERE observable = ? ORDER "
	    "BY alert", "i", oid)) == NULL ||
	    json_object_set_new(o, "sightings", sg) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The observables alert id (a, as alertdb_get(full) gives it) names
 * (observe_alert) go on the incident, each with the alert's sighting of
 * it; one the incident has already gets the sighting.  c->state gets them
 * as "observables", and the timeline one entry that lists them.
 */
static enum wire_err
promote_observables(struct ctx *c, int64_t id, const json_t *a)
{
	json_t *found, *rows = NULL, *list = NULL, *o;
	const json_t *f;
	const char *kind, *value;
	char text[512];
	enum wire_err e = WIRE_OK;
	sqlite3_stmt *st;
	size_t i, n = 0;
	int64_t oid;

	if ((found = observe_alert(a)) == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	if (json_array_size(found) == 0)
		goto done;
	if ((rows = json_array()) == NULL || (list = json_array()) == NULL) {
		e = refuse(c, WIRE_EINTERNAL, "out of memory");
		goto done;
	}
	n = (size_t)snprintf(text, sizeof(text), "observables of alert %"
	    PRId64 ":", id);
	json_array_foreach(found, i, f) {
		kind = rstr(f, "kind");
		value = rstr(f, "value");
		if (sqlx_exec(c->db, "INSERT OR IGNORE INTO observables("
		    "incident, kind, value, ioc, added_by, time) VALUES(?, ?, "
		    "?, 0, ?, ?)", "itttt", c->inc, kind, value, c->user,
		    c->now) != 0 || (st = sqlx_prep(c->db, "SELECT id FROM "
		    "observables WHERE incident = ? AND kind = ? AND value = ?",
		    "itt", c->inc, kind, value)) == NULL) {
			e = sqlfail(c);
			goto done;
		}
		oid = sqlite3_step(st) == SQLITE_ROW ?
		    sqlite3_column_int64(st, 0) : -1;
		sqlite3_finalize(st);
		if (oid < 0 || sqlx_exec(c->db, "INSERT OR REPLACE INTO "
		    "sightings(observable, alert, events, first_seen, "
		    "last_seen) VALUES(?, ?, ?, ?, ?)", "iiitt", oid, id,
		    (int64_t)json_integer_value(json_object_get(f,
		    "sightings")), rstr(f, "first_seen"), rstr(f,
		    "last_seen")) != 0) {
			e = sqlfail(c);
			goto done;
		}
		if ((o = observable_json(c->db, oid)) == NULL ||
		    json_array_append_new(rows, o) != 0 ||
		    json_array_append_new(list, json_pack("{s:s, s:s}",
		    "kind", kind, "value", value)) != 0) {
			e = refuse(c, WIRE_EINTERNAL, "out of memory");
			goto done;
		}
		if (n < sizeof(text))
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "%s %s %s", i ? "," : "", kind, value);
	}
	if (n >= sizeof(text))
		memcpy(text + sizeof(text) - 4, "...", 4);
	if (json_object_set(c->state, "observables", rows) != 0) {
		e = refuse(c, WIRE_EINTERNAL, "out of memory");
		goto done;
	}
	e = timeline(c, "observable", text, json_pack("{s:I, s:O}", "alert",
	    (json_int_t)id, "observables", list));
done:
	json_decref(list);
	json_decref(rows);
	json_decref(found);
	return e;
}

/*
 * alert.promote: a new incident made from the alert, or the incident
 * named; links the alert and its events, makes observables of the
 * addresses, users, hosts, hashes and domains it names (with their
 * sightings), acknowledges the alert.  All in the op's transaction.
 */
static enum wire_err
op_promote(struct ctx *c)
{
	json_t *a = NULL, *data = NULL, *one = NULL, *after = NULL;
	char text[512], ref[32];
	enum wire_err e;
	int64_t id, inc;

	id = json_integer_value(json_object_get(c->req, "alert"));
	if ((e = alertdb_get(c->db, id, 1, &a, c->err, c->errlen)) != WIRE_OK)
		return e;
	if (rstr(a, "incident") != NULL &&
	    wire_incident_id(rstr(a, "incident"), &inc) == 0) {
		wire_incident_ref(inc, ref, sizeof(ref));
		e = refuse(c, WIRE_ECONFLICT, "alert %" PRId64 " was already "
		    "promoted to %s", id, ref);
		goto out;
	}
	if (rstr(c->req, "incident") != NULL)
		e = need_incident(c, 0);
	else
		e = promote_create(c, a);
	if (e != WIRE_OK)
		goto out;
	e = WIRE_EINTERNAL;
	if ((data = json_pack("{s:[], s:[]}", "alerts", "events")) == NULL ||
	    (one = json_pack("[I]", (json_int_t)id)) == NULL) {
		e = refuse(c, WIRE_EINTERNAL, "out of memory");
		goto out;
	}
	if ((e = link_kind(c, "alert", one, json_object_get(data,
	    "alerts"))) != WIRE_OK ||
	    (e = link_kind(c, "event", json_object_get(a, "events"),
	    json_object_get(data, "events"))) != WIRE_OK)
		goto out;
	if ((e = alertdb_attach(c->db, id, c->inc, c->user, c->err,
	    c->errlen)) != WIRE_OK)
		goto out;
	if ((e = promote_observables(c, id, a)) != WIRE_OK)
		goto out;
	if ((e = alertdb_get(c->db, id, 0, &after, c->err, c->errlen)) !=
	    WIRE_OK)
		goto out;
	if (json_object_set(c->state, "links", data) != 0 ||
	    json_object_set_new(c->state, "alert", after) != 0) {
		after = NULL;
		e = refuse(c, WIRE_EINTERNAL, "out of memory");
		goto out;
	}
	after = NULL;
	snprintf(text, sizeof(text), "promoted alert %" PRId64 " (%zu "
	    "event%s): %.400s", id, json_array_size(json_object_get(a,
	    "events")), json_array_size(json_object_get(a, "events")) == 1 ?
	    "" : "s", rstr(a, "summary") ? rstr(a, "summary") : "");
	e = timeline(c, "alert", text, data);
	data = NULL;
out:
	json_decref(after);
	json_decref(one);
	json_decref(data);
	json_decref(a);
	return e;
}

/*
 * Ops on alerts alone (ack, escalate, close), rules.reload and the user
 * ops: not incident ops (no CAT_LOGGED), so not in the op log (which is
 * per incident); audited.  c->result: for an alert, the alert push
 * {"type":"alert","alert":{...}}; for rules.reload, the rules status with
 * the generation asked for; for a user op, the user (users_apply).
 */
static enum wire_err
op_alert_status(struct ctx *c)
{
	json_t	*a = NULL;
	enum wire_err e;

	if ((e = alertdb_set_status(c->db, json_integer_value(
	    json_object_get(c->req, "alert")), c->op + 6, c->user,
	    rstr(c->req, "text"), &a, c->err, c->errlen)) != WIRE_OK)
		return e;
	if ((c->result = wire_alert(a)) == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	return WIRE_OK;
}

static enum wire_err
op_rules_reload(struct ctx *c)
{
	enum wire_err e;
	int64_t	 gen;

	if ((gen = alertdb_reload_request(c->db, c->user, c->err,
	    c->errlen)) < 0)
		return WIRE_EINTERNAL;
	if ((e = alertdb_rules_status(c->db, &c->result, c->err, c->errlen))
	    != WIRE_OK)
		return e;
	json_object_set_new(c->result, "requested", json_integer(gen));
	return WIRE_OK;
}

static enum wire_err
op_user(struct ctx *c)
{
	return users_apply(c->db, c->user, c->req, &c->result, c->err,
	    c->errlen);
}

static enum wire_err	q_incident_list(struct ctx *);
static enum wire_err	q_incident_show(struct ctx *);
static enum wire_err	q_audit_list(struct ctx *);
static enum wire_err	q_whoami(struct ctx *);
static enum wire_err	q_alert_list(struct ctx *);
static enum wire_err	q_alert_show(struct ctx *);
static enum wire_err	q_rules_status(struct ctx *);
static enum wire_err	q_user_list(struct ctx *);

/*
 * The hub's half of the catalogue (catalogue.h): one handler per op and
 * query, indexed by its id.  An incident op's (CAT_LOGGED) runs inside
 * incident_apply's transaction and fills c->state; the others answer in
 * c->result.  Queries marked CAT_SESSION are the session layer's and have
 * none here.  incident_check_handlers proves the table complete at start.
 */
static enum wire_err (*const handlers[CAT_COUNT])(struct ctx *) = {
	[CAT_INCIDENT_CREATE] = op_create,
	[CAT_INCIDENT_UPDATE] = op_update,
	[CAT_INCIDENT_NOTE] = op_note,
	[CAT_INCIDENT_CLOSE] = op_close,
	[CAT_INCIDENT_STATUS] = op_status,
	[CAT_INCIDENT_PHASE] = op_phase,
	[CAT_INCIDENT_LEAD] = op_lead,
	[CAT_TASK_ADD] = op_task_add,
	[CAT_TASK_ASSIGN] = op_task_assign,
	[CAT_TASK_STATUS] = op_task_status,
	[CAT_OBSERVABLE_ADD] = op_observable,
	[CAT_INCIDENT_LINK] = op_link,
	[CAT_ALERT_ACK] = op_alert_status,
	[CAT_ALERT_ESCALATE] = op_alert_status,
	[CAT_ALERT_CLOSE] = op_alert_status,
	[CAT_ALERT_PROMOTE] = op_promote,
	[CAT_RULES_RELOAD] = op_rules_reload,
	[CAT_USER_ADD] = op_user,
	[CAT_USER_DEL] = op_user,
	[CAT_USER_ROLE] = op_user,
	[CAT_INCIDENT_LIST] = q_incident_list,
	[CAT_INCIDENT_SHOW] = q_incident_show,
	[CAT_AUDIT_LIST] = q_audit_list,
	[CAT_WHOAMI] = q_whoami,
	[CAT_ALERT_LIST] = q_alert_list,
	[CAT_ALERT_SHOW] = q_alert_show,
	[CAT_RULES_STATUS] = q_rules_status,
	[CAT_USER_LIST] = q_user_list,
};

int
incident_check_handlers(char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < CAT_COUNT; i++) {
		if (catalogue[i].id != (enum catalogue_id)i)
			return errf(err, errlen, "catalogue entry %zu (%s) "
			    "is out of place", i, catalogue[i].name);
		if ((handlers[i] == NULL) != !!(catalogue[i].flags &
		    CAT_SESSION))
			return errf(err, errlen, "%s %s has %s handler in the "
			    "hub", catalogue[i].flags & CAT_QUERY ? "query" :
			    "op", catalogue[i].name, handlers[i] == NULL ?
			    "no" : "a");
	}
	return 0;
}

/* The request minus type and id: the op's args as broadcast. */
static json_t *
args_of(const json_t *req)
{
	json_t *a;

	if ((a = json_deep_copy(req)) == NULL)
		return NULL;
	json_object_del(a, "type");
	json_object_del(a, "id");
	json_object_del(a, "op");
	return a;
}

/* Bump, log and audit the op; build the push into *out.  In the
   transaction. */
static enum wire_err
commit_op(struct ctx *c, json_t **out)
{
	json_t *payload = NULL, *inc = NULL, *args = NULL;
	char ref[32], *text = NULL;
	enum wire_err e = WIRE_EINTERNAL;
	int64_t seq;

	if (sqlx_exec(c->db, "UPDATE incidents SET updated = ?, version = "
	    "version + ? WHERE id = ?", "tdi", c->now, c->bump, c->inc) != 0)
		return sqlfail(c);
	if ((e = load_incident(c->db, c->inc, &inc, c->err, c->errlen))
	    != WIRE_OK)
		return e;
	e = WIRE_EINTERNAL;
	if (json_object_set_new(c->state, "incident", inc) != 0)
		goto oom;
	wire_incident_ref(c->inc, ref, sizeof(ref));
	if ((args = args_of(c->req)) == NULL)
		goto oom;
	payload = json_pack("{s:s, s:s, s:s, s:s, s:o, s:O}", "op", c->op,
	    "user", c->user, "time", c->now, "incident", ref, "args", args,
	    "state", c->state);
	args = NULL;
	if (payload == NULL || (text = json_dumps(payload, JSON_COMPACT)) ==
	    NULL)
		goto oom;
	if (sqlx_exec(c->db, "INSERT INTO oplog(time, user, type, incident, "
	    "payload) VALUES(?, ?, ?, ?, ?)", "tttit", c->now, c->user, c->op,
	    c->inc, text) != 0) {
		e = sqlfail(c);
		goto fail;
	}
	seq = sqlite3_last_insert_rowid(c->db);
	if (audit_add(c->db, c->user, c->role, "op", c->op, c->inc, WIRE_OK,
	    NULL, c->req, seq, c->err, c->errlen) != 0)
		goto fail;
	if (json_object_set_new(payload, "type", json_string("op")) != 0 ||
	    json_object_set_new(payload, "seq", json_integer(seq)) != 0)
		goto oom;
	*out = payload;
	payload = NULL;
	e = WIRE_OK;
	goto fail;
oom:
	refuse(c, WIRE_EINTERNAL, "out of memory");
fail:
	free(text);
	json_decref(args);
	json_decref(payload);
	return e;
}

enum wire_err
incident_apply(sqlite3 *db, const char *user, enum role role,
    const json_t *req, json_t **result, char *err, size_t errlen)
{
	struct ctx c;
	enum wire_err e;
	int64_t inc = 0;
		int began = 0, nested = 0;

	*result = NULL;
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.user = user;
	c.role = role;
	c.req = req;
	c.err = err;
	c.errlen = errlen;
	sqlx_iso_now(c.now, sizeof(c.now));
	if (user == NULL || !wire_valid_name(user)) {
		e = refuse(&c, WIRE_EUNAUTH, "no user");
		goto refused;
	}
	if (wire_check_op(req, err, errlen) != 0) {
		e = WIRE_EINVALID;
		goto refused;
	}
	c.op = rstr(req, "op");
	c.def = catalogue_find(c.op, 0);
	if ((c.may = role_may(role, c.op)) == WIRE_MAY_NO) {
		e = refuse(&c, WIRE_EFORBIDDEN, "role %s may not %s",
		    role_name(role), c.op);
		goto refused;
	}
	if (!(c.def->flags & CAT_LOGGED)) {
		if ((e = handlers[c.def->id](&c)) != WIRE_OK)
			goto refused;
		audit_add(c.db, c.user, c.role, "op", c.op, 0, WIRE_OK, NULL,
		    c.req, -1, NULL, 0);
		*result = c.result;
		return WIRE_OK;
	}
	if ((c.state = json_object()) == NULL) {
		e = refuse(&c, WIRE_EINTERNAL, "out of memory");
		goto refused;
	}
	/* Inside the caller's transaction (group commit) the op is a
	   savepoint; on its own it is a transaction. */
	nested = !sqlite3_get_autocommit(db);
	if (sqlite3_exec(db, nested ? "SAVEPOINT incident_op" :
	    "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		e = sqlite3_errcode(db) == SQLITE_BUSY ? WIRE_EBUSY :
		    WIRE_EINTERNAL;
		errf(err, errlen, "%s: %s", c.op, sqlite3_errmsg(db));
		goto refused;
	}
	began = 1;
	if ((e = handlers[c.def->id](&c)) != WIRE_OK)
		goto refused;
	if ((e = commit_op(&c, result)) != WIRE_OK)
		goto refused;
	if (sqlite3_exec(db, nested ? "RELEASE incident_op" : "COMMIT", NULL,
	    NULL, NULL) != SQLITE_OK) {
		e = sqlfail(&c);
		json_decref(*result);
		*result = NULL;
		goto refused;
	}
	json_decref(c.row);
	json_decref(c.state);
	return WIRE_OK;
refused:
	if (began)
		sqlite3_exec(db, nested ? "ROLLBACK TO incident_op; RELEASE "
		    "incident_op" : "ROLLBACK", NULL, NULL, NULL);
	if (e == WIRE_ESTALE && c.current != NULL) {
		*result = c.current;
		c.current = NULL;
	}
	if (c.inc > 0 && c.op != NULL && strcmp(c.op, "incident.create") != 0)
		inc = c.inc;
	else if (json_is_object(req))
		wire_incident_id(rstr(req, "incident"), &inc);
	audit_add(db, user ? user : "", role, "op", c.op ? c.op :
	    rstr(req, "op"), inc, e, err, req, -1, NULL, 0);
	json_decref(c.result);
	json_decref(c.current);
	json_decref(c.row);
	json_decref(c.state);
	return e;
}

/* Queries. */

enum wire_err
incident_show(sqlite3 *db, int64_t id, json_t **out, char *err,
    size_t errlen)
{
	json_t *inc = NULL, *a, *links = NULL;
	enum wire_err e;

	*out = NULL;
	if ((e = load_incident(db, id, &inc, err, errlen)) != WIRE_OK)
		return e;
	if ((a = sqlx_rows(db, "SELECT id, 'INC-' || incident AS "
	    "incident, time, author, kind, text, data FROM timeline WHERE "
	    "incident = ? ORDER BY id", "i", id)) == NULL ||
	    json_object_set_new(inc, "timeline", a) != 0)
		goto fail;
	if ((a = sqlx_rows(db, "SELECT " TASK_COLS " FROM tasks WHERE "
	    "incident = ? ORDER BY id", "i", id)) == NULL ||
	    json_object_set_new(inc, "tasks", a) != 0)
		goto fail;
	if ((a = sqlx_rows(db, "SELECT id, kind, value, ioc, added_by, "
	    "time FROM observables WHERE incident = ? ORDER BY id", "i",
	    id)) == NULL || json_object_set_new(inc, "observables", a) != 0)
		goto fail;
	{
		json_t *ob, *sg;
		size_t i;

		json_array_foreach(a, i, ob)
			if ((sg = sqlx_rows(db, "SELECT alert, events, "
			    "first_seen, last_seen FROM sightings WHERE "
			    "observable = ? ORDER BY alert", "i",
			    (int64_t)json_integer_value(json_object_get(ob,
			    "id")))) == NULL ||
			    json_object_set_new(ob, "sightings", sg) != 0)
				goto fail;
	}
	if ((links = json_pack("{s:[], s:[]}", "alerts", "events")) == NULL)
		goto fail;
	if ((a = sqlx_rows(db, "SELECT kind, ref FROM links WHERE "
	    "incident = ? ORDER BY time, ref", "i", id)) == NULL)
		goto fail;
	{
		json_t *row;
		size_t i;

		json_array_foreach(a, i, row)
			json_array_append(json_object_get(links,
			    strcmp(rstr(row, "kind"), "alert") == 0 ? "alerts" :
			    "events"), json_object_get(row, "ref"));
	}
	json_decref(a);
	if (json_object_set_new(inc, "links", links) != 0) {
		links = NULL;
		goto fail;
	}
	*out = inc;
	return WIRE_OK;
fail:
	errf(err, errlen, "incident show: %s", sqlite3_errmsg(db));
	json_decref(links);
	json_decref(inc);
	return WIRE_EINTERNAL;
}

enum wire_err
incident_list(sqlite3 *db, const char *status, int limit, json_t **out,
    char *err, size_t errlen)
{
	if (status == NULL)
		status = "all";
	if (limit <= 0)
		limit = 200;
	if (limit > 1000)
		limit = 1000;
	*out = sqlx_rows(db, "SELECT 'INC-' || i.id AS id, i.title, "
	    "i.severity, i.status, i.phase, i.lead, i.tags, i.updated, "
	    "i.version, (SELECT count(*) FROM tasks t WHERE t.incident = i.id "
	    "AND t.status != 'done') AS open_tasks, (SELECT max(seq) FROM "
	    "oplog o WHERE o.incident = i.id) AS last_seq FROM incidents i "
	    "WHERE ?1 = 'all' OR (?1 = 'active' AND i.status != 'closed') OR "
	    "i.status = ?1 ORDER BY i.id DESC LIMIT ?2", "td", status, limit);
	if (*out == NULL) {
		errf(err, errlen, "incident list: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	return WIRE_OK;
}

int64_t
incident_last_seq(sqlite3 *db)
{
	int64_t seq;

	/* sqlite_sequence remembers numbers given out even if the newest
	   rows were removed; the op log is never trimmed, but be exact. */
	if (sqlx_int(db, "SELECT coalesce(max(seq), 0) FROM oplog", &seq) ==
	    -1)
		return -1;
	return seq;
}

int
incident_ops_since(sqlite3 *db, int64_t seq, int64_t inc,
    int (*cb)(json_t *, void *), void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	json_t *op;
	int r, rc = -1;

	if ((st = sqlx_prep(db, "SELECT seq, payload FROM oplog WHERE seq > ?1 "
	    "AND (?2 <= 0 OR incident = ?2) ORDER BY seq", "ii", seq, inc))
	    == NULL)
		return errf(err, errlen, "op log: %s", sqlite3_errmsg(db));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		op = json_loads((const char *)sqlite3_column_text(st, 1), 0,
		    NULL);
		if (op == NULL || json_object_set_new(op, "type",
		    json_string("op")) != 0 || json_object_set_new(op, "seq",
		    json_integer(sqlite3_column_int64(st, 0))) != 0) {
			json_decref(op);
			errf(err, errlen, "op log: bad payload at seq %lld",
			    (long long)sqlite3_column_int64(st, 0));
			goto fail;
		}
		r = cb(op, arg);
		json_decref(op);
		if (r != 0) {
			rc = r;
			goto fail;
		}
	}
	if (r != SQLITE_DONE) {
		errf(err, errlen, "op log: %s", sqlite3_errmsg(db));
		goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

int
audit_add(sqlite3 *db, const char *user, enum role role, const char *kind,
    const char *name, int64_t inc, enum wire_err code, const char *message,
    const json_t *request, int64_t seq, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char now[32], *req = NULL;
	int rc;

	sqlx_iso_now(now, sizeof(now));
	if (request != NULL && (req = json_dumps(request, JSON_COMPACT |
	    JSON_ENCODE_ANY)) != NULL && strlen(req) > AUDIT_MAX_REQUEST)
		req[AUDIT_MAX_REQUEST] = '\0';
	st = sqlx_prep(db, "INSERT INTO audit(time, user, role, kind, name, "
	    "incident, result, message, seq, request) VALUES(?, ?, ?, ?, ?, "
	    "nullif(?, 0), ?, ?, nullif(?, -1), ?)", "tttttit" "tit", now,
	    user ? user : "", role_name(role), kind, name, inc,
	    wire_err_name(code), code == WIRE_OK ? NULL : message, seq, req);
	rc = sqlx_run(st);
	free(req);
	if (rc != 0)
		return errf(err, errlen, "audit: %s", sqlite3_errmsg(db));
	return 0;
}

int
audit_list(sqlite3 *db, const struct audit_filter *f,
    int (*cb)(json_t *, void *), void *arg, char *err, size_t errlen)
{
	static const struct audit_filter none;
	sqlite3_stmt *st;
	json_t *e;
	int limit, r, rc = -1;

	if (f == NULL)
		f = &none;
	limit = f->limit <= 0 ? 100 : f->limit > 1000 ? 1000 : f->limit;
	if ((st = sqlx_prep(db, "SELECT id, time, user, role, kind, name, CASE "
	    "WHEN incident IS NULL THEN NULL ELSE 'INC-' || incident END AS "
	    "incident, result, message, seq, request FROM audit WHERE "
	    "(?1 IS NULL OR user = ?1) AND (?2 <= 0 OR incident = ?2) AND "
	    "(?3 IS NULL OR name = ?3) AND (?4 IS NULL OR time >= ?4) AND "
	    "(?5 = 0 OR result != 'ok') ORDER BY id DESC LIMIT ?6", "tittdd",
	    f->user, f->incident, f->name, f->since, f->refused, limit)) ==
	    NULL)
		return errf(err, errlen, "audit: %s", sqlite3_errmsg(db));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((e = sqlx_row_json(st)) == NULL) {
			errf(err, errlen, "out of memory");
			goto fail;
		}
		r = cb(e, arg);
		json_decref(e);
		if (r != 0) {
			rc = r;
			goto fail;
		}
	}
	if (r != SQLITE_DONE) {
		errf(err, errlen, "audit: %s", sqlite3_errmsg(db));
		goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

static int
collect(json_t *e, void *arg)
{
	return json_array_append((json_t *)arg, e) == 0 ? 0 : -1;
}

static enum wire_err
q_incident_list(struct ctx *c)
{
	return incident_list(c->db, rstr(c->req, "status"),
	    (int)json_integer_value(json_object_get(c->req, "limit")),
	    &c->result, c->err, c->errlen);
}

static enum wire_err
q_incident_show(struct ctx *c)
{
	int64_t	 n = 0;

	wire_incident_id(rstr(c->req, "incident"), &n);
	return incident_show(c->db, n, &c->result, c->err, c->errlen);
}

static enum wire_err
q_whoami(struct ctx *c)
{
	c->result = json_pack("{s:s, s:s, s:I}", "user", c->user, "role",
	    role_name(c->role), "last_seq", (json_int_t)incident_last_seq(
	    c->db));
	if (c->result == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	return WIRE_OK;
}

static enum wire_err
q_audit_list(struct ctx *c)
{
	struct audit_filter f;

	memset(&f, 0, sizeof(f));
	f.user = rstr(c->req, "user");
	if (c->role < ROLE_LEAD)
		f.user = c->user;	/* others' entries are not theirs */
	if (rstr(c->req, "incident") != NULL)
		wire_incident_id(rstr(c->req, "incident"), &f.incident);
	f.name = rstr(c->req, "op");
	f.since = rstr(c->req, "since");
	f.refused = json_is_true(json_object_get(c->req, "refused"));
	f.limit = (int)json_integer_value(json_object_get(c->req, "limit"));
	if ((c->result = json_array()) == NULL)
		return refuse(c, WIRE_EINTERNAL, "out of memory");
	if (audit_list(c->db, &f, collect, c->result, c->err, c->errlen) != 0)
		return WIRE_EINTERNAL;
	return WIRE_OK;
}

static enum wire_err
q_alert_list(struct ctx *c)
{
	return alertdb_list(c->db, rstr(c->req, "status"), rstr(c->req,
	    "rule"), (int)json_integer_value(json_object_get(c->req,
	    "limit")), &c->result, c->err, c->errlen);
}

static enum wire_err
q_alert_show(struct ctx *c)
{
	return alertdb_get(c->db, json_integer_value(json_object_get(c->req,
	    "alert")), 1, &c->result, c->err, c->errlen);
}

static enum wire_err
q_rules_status(struct ctx *c)
{
	return alertdb_rules_status(c->db, &c->result, c->err, c->errlen);
}

static enum wire_err
q_user_list(struct ctx *c)
{
	return users_list_json(c->db, &c->result, c->err, c->errlen);
}

enum wire_err
incident_query(sqlite3 *db, const char *user, enum role role,
    const json_t *req, json_t **result, char *err, size_t errlen)
{
	struct ctx c;
	enum wire_err e;

	*result = NULL;
	if (!role_is_person(role) || user == NULL) {
		errf(err, errlen, "role %s may not query incidents",
		    role_name(role));
		return WIRE_EFORBIDDEN;
	}
	if (wire_check_query(req, err, errlen) != 0)
		return WIRE_EINVALID;
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.user = user;
	c.role = role;
	c.req = req;
	c.err = err;
	c.errlen = errlen;
	c.op = rstr(req, "query");
	c.def = catalogue_find(c.op, 1);
	if (c.def->may[role - ROLE_VIEWER] == WIRE_MAY_NO) {
		errf(err, errlen, "role %s may not %s%s", role_name(role),
		    c.op, c.def->may[ROLE_LEAD - ROLE_VIEWER] == WIRE_MAY_NO ?
		    " (admin only)" : "");
		return WIRE_EFORBIDDEN;
	}
	if (handlers[c.def->id] == NULL) {
		errf(err, errlen, "query %s is answered by the session layer",
		    c.op);
		return WIRE_EINVALID;
	}
	if ((e = handlers[c.def->id](&c)) != WIRE_OK) {
		json_decref(c.result);
		return e;
	}
	*result = c.result;
	return WIRE_OK;
}
