/*
 * wire — the ward.v1 message catalogue.  See wire.h and ward-protocol.7.
 *
 * Validation is table driven: every message type, op and query has a list
 * of fields, each with a kind, a cap and (for enumerations) its names.  A
 * message is valid when every key it carries is in its lists, every
 * required one is present, and each value passes its kind's check; a few
 * messages add a check that spans fields.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "errf.h"
#include "version.h"
#include "wire.h"

const char *const wire_statuses[] = { "open", "contained", "closed", NULL };
const char *const wire_resolutions[] = { "true_positive", "false_positive",
	"duplicate", "other", NULL };
const char *const wire_phases[] = { "identification", "containment",
	"eradication", "recovery", "lessons_learned", NULL };
const char *const wire_severities[] = { "low", "medium", "high", "critical",
	NULL };
const char *const wire_task_statuses[] = { "todo", "doing", "done",
	"blocked", NULL };
const char *const wire_observable_kinds[] = { "ip", "domain", "hash", "user",
	"host", "url", NULL };
const char *const wire_ops[] = { "incident.create", "incident.update",
	"incident.note", "incident.close", "incident.status", "incident.phase",
	"incident.lead", "task.add", "task.assign", "task.status",
	"observable.add", "incident.link", "alert.ack", "alert.escalate",
	"alert.close", "alert.promote", "rules.reload", NULL };
const char *const wire_queries[] = { "incident.list", "incident.show",
	"audit.list", "whoami", "presence", "alert.list", "alert.show",
	"rules.status", "search", NULL };
const char *const wire_alert_statuses[] = { "new", "acknowledged",
	"escalated", "closed", NULL };

static const char *const role_names[] = { "none", "viewer", "handler",
	"lead", "admin", "shipper", "reader", NULL };
static const char *const person_roles[] = { "viewer", "handler", "lead",
	"admin", NULL };
static const char *const err_names[] = { "ok", "invalid", "forbidden",
	"stale", "not_found", "unauthenticated", "busy", "internal",
	"conflict", NULL };
static const char *const list_statuses[] = { "open", "contained", "closed",
	"active", "all", NULL };
static const char *const alert_list_statuses[] = { "new", "acknowledged",
	"escalated", "closed", "open", "all", NULL };

/*
 * Rights: for each op, what viewer, handler, lead and admin may do.
 * Handlers work incidents (create, edit, notes, observables, links, tasks
 * without an assignee) and move their own tasks; leads also assign, change
 * status, phase and lead, and close; admins may do everything.
 */
static const struct {
	const char	*op;
	unsigned char	 may[4];	/* viewer handler lead admin */
} rights[] = {
	{ "incident.create",	{ 0, 1, 1, 1 } },
	{ "incident.update",	{ 0, 1, 1, 1 } },
	{ "incident.note",	{ 0, 1, 1, 1 } },
	{ "incident.close",	{ 0, 0, 1, 1 } },
	{ "incident.status",	{ 0, 0, 1, 1 } },
	{ "incident.phase",	{ 0, 0, 1, 1 } },
	{ "incident.lead",	{ 0, 0, 1, 1 } },
	{ "task.add",		{ 0, 1, 1, 1 } },
	{ "task.assign",	{ 0, 0, 1, 1 } },
	{ "task.status",	{ 0, 2, 1, 1 } },
	{ "observable.add",	{ 0, 1, 1, 1 } },
	{ "incident.link",	{ 0, 1, 1, 1 } },
	/* Alerts: handlers triage them (acknowledge, escalate, close a false
	   positive) and promote them to incidents; admins reload rules. */
	{ "alert.ack",		{ 0, 1, 1, 1 } },
	{ "alert.escalate",	{ 0, 1, 1, 1 } },
	{ "alert.close",	{ 0, 1, 1, 1 } },
	{ "alert.promote",	{ 0, 1, 1, 1 } },
	{ "rules.reload",	{ 0, 0, 0, 1 } },
};

enum role
role_parse(const char *s)
{
	int i;

	if (s == NULL)
		return ROLE_NONE;
	i = wire_enum(role_names, s);
	return i <= 0 ? ROLE_NONE : (enum role)i;
}

const char *
role_name(enum role r)
{
	if ((int)r < 0 || r > ROLE_READER)
		return "none";
	return role_names[r];
}

int
role_is_person(enum role r)
{
	return r >= ROLE_VIEWER && r <= ROLE_ADMIN;
}

enum wire_may
role_may(enum role r, const char *op)
{
	size_t i;

	if (!role_is_person(r) || op == NULL)
		return WIRE_MAY_NO;
	for (i = 0; i < sizeof(rights) / sizeof(rights[0]); i++)
		if (strcmp(rights[i].op, op) == 0)
			return (enum wire_may)rights[i].may[r - ROLE_VIEWER];
	return WIRE_MAY_NO;
}

const char *
wire_err_name(enum wire_err e)
{
	if ((int)e < 0 || e > WIRE_ECONFLICT)
		return "internal";
	return err_names[e];
}

int
wire_err_parse(const char *s)
{
	return s == NULL ? -1 : wire_enum(err_names, s);
}

int
wire_enum(const char *const *t, const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; t[i] != NULL; i++)
		if (strcmp(t[i], s) == 0)
			return i;
	return -1;
}

/* Field validation. */

enum kind {
	K_LINE = 1,	/* one line of text, not blank, max bytes */
	K_TEXT,		/* text with newlines and tabs, may be empty */
	K_NAME,		/* a user name */
	K_INT,		/* integer 0..max */
	K_BOOL,
	K_OBJ,		/* any object */
	K_ANY,		/* any value */
	K_TAGS,		/* array of up to max K_LINE strings of WIRE_MAX_TAG */
	K_IDS,		/* array of up to max integers 1..WIRE_MAX_ID */
	K_OBJS,		/* array of up to max objects */
	K_B64,		/* base64 of exactly max bytes */
	K_ENUM,		/* one of names */
	K_INC,		/* "INC-n" */
	K_TASK,		/* "T-n" or n */
	K_TIME,		/* ISO 8601 UTC */
	K_TOPIC,	/* a subscription topic */
};

#define REQ	0x1	/* required */
#define NUL	0x2	/* null accepted */

struct field {
	const char		*name;
	enum kind		 kind;
	int			 flags;
	int64_t			 max;
	const char *const	*names;
};

#define END	{ NULL, 0, 0, 0, NULL }

struct spec {
	const char		*name;
	const struct field	*fields;
	int			(*check)(const json_t *, char *, size_t);
};

/*
 * Check the bytes of a string: no NUL, no C0 or C1 control characters, no
 * DEL (they would reach other handlers' terminals), except newline and tab
 * when lines is set.  jansson has already checked UTF-8.
 */
static int
clean_text(const char *s, size_t n, int lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' || p[i] == '\t') {
			if (!lines)
				return 0;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return 0;
	}
	return 1;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ')
			return 0;
	return 1;
}

int
wire_valid_name(const char *s)
{
	size_t i;

	if (s == NULL || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= WIRE_MAX_NAME)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

int
wire_valid_time(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y, mo, d, h, mi, se, i, leap;

	if (s == NULL || strlen(s) < 20 || strlen(s) > 30)
		return 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || s[10] != 'T' ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 60)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return 0;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		while (s[i] >= '0' && s[i] <= '9' && i < 29)
			i++;
	}
	return s[i] == 'Z' && s[i + 1] == '\0';
}

static int
parse_ref(const char *s, const char *prefix, int64_t *n)
{
	size_t pl = strlen(prefix);
	int64_t v = 0;
	const char *p;

	if (s == NULL || strncmp(s, prefix, pl) != 0)
		return -1;
	p = s + pl;
	if (*p < '1' || *p > '9')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (WIRE_MAX_ID - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*n = v;
	return 0;
}

int
wire_incident_id(const char *s, int64_t *n)
{
	return parse_ref(s, "INC-", n);
}

int
wire_task_id(const json_t *v, int64_t *n)
{
	json_int_t i;

	if (json_is_integer(v)) {
		i = json_integer_value(v);
		if (i < 1 || i > WIRE_MAX_ID)
			return -1;
		*n = i;
		return 0;
	}
	if (json_is_string(v))
		return parse_ref(json_string_value(v), "T-", n);
	return -1;
}

void
wire_incident_ref(int64_t n, char *out, size_t outlen)
{
	snprintf(out, outlen, "INC-%" PRId64, n);
}

void
wire_task_ref(int64_t n, char *out, size_t outlen)
{
	snprintf(out, outlen, "T-%" PRId64, n);
}

static int
valid_topic(const char *s)
{
	int64_t n;

	if (strcmp(s, "incidents") == 0 || strcmp(s, "alerts") == 0 ||
	    strcmp(s, "events") == 0 || strcmp(s, "presence") == 0)
		return 1;
	return strncmp(s, "incident:", 9) == 0 && wire_incident_id(s + 9, &n)
	    == 0;
}

static void
join_names(const char *const *names, char *out, size_t outlen)
{
	size_t i, o = 0;
	int w;

	out[0] = '\0';
	for (i = 0; names[i] != NULL && o < outlen; i++) {
		w = snprintf(out + o, outlen - o, "%s%s", i ? ", " : "",
		    names[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int
check_int(const json_t *v, int64_t lo, int64_t hi)
{
	json_int_t i;

	if (!json_is_integer(v))
		return 0;
	i = json_integer_value(v);
	return i >= lo && i <= hi;
}

static int
check_value(const struct field *f, const json_t *v, char *err, size_t errlen)
{
	char names[256];
	const char *s = NULL;
	size_t n = 0, i;
	unsigned char bin[WIRE_SIG_BYTES];
	const json_t *e;
	int64_t ref;

	if (json_is_null(v) && (f->flags & NUL))
		return 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
		if (memchr(s, '\0', n) != NULL)
			return errf(err, errlen, "field '%s': contains NUL",
			    f->name);
	}
	switch (f->kind) {
	case K_LINE:
	case K_TEXT:
		if (s == NULL)
			return errf(err, errlen, "field '%s': not a string",
			    f->name);
		if ((int64_t)n > f->max)
			return errf(err, errlen, "field '%s': longer than %"
			    PRId64 " bytes", f->name, f->max);
		if (!clean_text(s, n, f->kind == K_TEXT))
			return errf(err, errlen, "field '%s': contains control "
			    "characters", f->name);
		if (f->kind == K_LINE && blank(s))
			return errf(err, errlen, "field '%s': empty", f->name);
		return 0;
	case K_NAME:
		if (s == NULL || !wire_valid_name(s))
			return errf(err, errlen, "field '%s': not a user name "
			    "(1-%d of A-Z a-z 0-9 . _ -, starting with a "
			    "letter or digit)", f->name, WIRE_MAX_NAME);
		return 0;
	case K_INT:
		if (!check_int(v, 0, f->max))
			return errf(err, errlen, "field '%s': not an integer in "
			    "0..%" PRId64, f->name, f->max);
		return 0;
	case K_BOOL:
		if (!json_is_boolean(v))
			return errf(err, errlen, "field '%s': not true or false",
			    f->name);
		return 0;
	case K_OBJ:
		if (!json_is_object(v))
			return errf(err, errlen, "field '%s': not an object",
			    f->name);
		return 0;
	case K_ANY:
		return 0;
	case K_TAGS:
	case K_IDS:
	case K_OBJS:
		if (!json_is_array(v))
			return errf(err, errlen, "field '%s': not an array",
			    f->name);
		if ((int64_t)json_array_size(v) > f->max)
			return errf(err, errlen, "field '%s': more than %" PRId64
			    " items", f->name, f->max);
		json_array_foreach(v, i, e) {
			if (f->kind == K_IDS && !check_int(e, 1, WIRE_MAX_ID))
				return errf(err, errlen, "field '%s': item %zu "
				    "is not a positive integer", f->name, i);
			if (f->kind == K_OBJS && !json_is_object(e))
				return errf(err, errlen, "field '%s': item %zu "
				    "is not an object", f->name, i);
			if (f->kind == K_TAGS && (!json_is_string(e) ||
			    json_string_length(e) > WIRE_MAX_TAG ||
			    json_string_length(e) == 0 ||
			    strlen(json_string_value(e)) !=
			    json_string_length(e) ||
			    !clean_text(json_string_value(e),
			    json_string_length(e), 0)))
				return errf(err, errlen, "field '%s': item %zu "
				    "is not a string of 1-%d plain characters",
				    f->name, i, WIRE_MAX_TAG);
		}
		return 0;
	case K_B64:
		if (s == NULL || wire_b64_decode(s, bin, (size_t)f->max) != 0)
			return errf(err, errlen, "field '%s': not base64 of %"
			    PRId64 " bytes", f->name, f->max);
		return 0;
	case K_ENUM:
		if (s == NULL || wire_enum(f->names, s) < 0) {
			join_names(f->names, names, sizeof(names));
			return errf(err, errlen, "field '%s': must be one of %s",
			    f->name, names);
		}
		return 0;
	case K_INC:
		if (s == NULL || wire_incident_id(s, &ref) != 0)
			return errf(err, errlen, "field '%s': not an incident "
			    "id (INC-n)", f->name);
		return 0;
	case K_TASK:
		if (wire_task_id(v, &ref) != 0)
			return errf(err, errlen, "field '%s': not a task id "
			    "(T-n or n)", f->name);
		return 0;
	case K_TIME:
		if (s == NULL || !wire_valid_time(s))
			return errf(err, errlen, "field '%s': not a UTC time "
			    "(YYYY-MM-DDTHH:MM:SSZ)", f->name);
		return 0;
	case K_TOPIC:
		if (s == NULL || n > 64 || !valid_topic(s))
			return errf(err, errlen, "field '%s': not a topic "
			    "(incidents, incident:INC-n, alerts, events, "
			    "presence)", f->name);
		return 0;
	}
	return errf(err, errlen, "field '%s': unknown kind", f->name);
}

static const struct field *
find_field(const struct field *const *sets, const char *key)
{
	const struct field *f;
	int i;

	for (i = 0; sets[i] != NULL; i++)
		for (f = sets[i]; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				return f;
	return NULL;
}

/*
 * Check obj against the NULL-terminated field lists in sets; the keys in
 * skip are the caller's.  Returns 0 or -1 with err.
 */
static int
check_fields(const json_t *obj, const struct field *const *sets,
    const char *const *skip, char *err, size_t errlen)
{
	const struct field *f;
	const char *key;
	json_t *v;
	int i;

	json_object_foreach((json_t *)obj, key, v) {
		if (skip != NULL && wire_enum(skip, key) >= 0)
			continue;
		if ((f = find_field(sets, key)) == NULL) {
			if (strlen(key) > 64 || !clean_text(key, strlen(key), 0))
				return errf(err, errlen, "unknown field");
			return errf(err, errlen, "unknown field '%s'", key);
		}
		if (check_value(f, v, err, errlen) != 0)
			return -1;
	}
	for (i = 0; sets[i] != NULL; i++)
		for (f = sets[i]; f->name != NULL; f++)
			if ((f->flags & REQ) && json_object_get(obj, f->name)
			    == NULL)
				return errf(err, errlen, "missing field '%s'",
				    f->name);
	return 0;
}

static const char *
sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Cross-field checks. */

static int
chk_hello(const json_t *o, char *err, size_t errlen)
{
	if (strcmp(sget(o, "protocol"), WARD_PROTOCOL) != 0)
		return errf(err, errlen, "hub speaks protocol %.32s, this "
		    "console %s", sget(o, "protocol"), WARD_PROTOCOL);
	return 0;
}

static int
chk_subscribe(const json_t *o, char *err, size_t errlen)
{
	if (json_object_get(o, "query") != NULL &&
	    strcmp(sget(o, "topic"), "events") != 0)
		return errf(err, errlen, "field 'query': only for topic "
		    "'events'");
	return 0;
}

static int
chk_update(const json_t *o, char *err, size_t errlen)
{
	static const char *const settable[] = { "title", "description",
		"severity", "tags", "reported", "verified", "mitigated", NULL };
	int i;

	for (i = 0; settable[i] != NULL; i++)
		if (json_object_get(o, settable[i]) != NULL)
			return 0;
	return errf(err, errlen, "incident.update: nothing to change (title, "
	    "description, severity, tags, reported, verified, mitigated)");
}

static int
chk_note(const json_t *o, char *err, size_t errlen)
{
	const char *s = sget(o, "text");
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t')
			return 0;
	return errf(err, errlen, "field 'text': empty");
}

static int
chk_status(const json_t *o, char *err, size_t errlen)
{
	if (strcmp(sget(o, "status"), "closed") == 0)
		return errf(err, errlen, "field 'status': close with "
		    "incident.close and a resolution");
	return 0;
}

static int
chk_observable(const json_t *o, char *err, size_t errlen)
{
	return wire_check_observable(sget(o, "kind"), sget(o, "value"), err,
	    errlen);
}

static int
chk_link(const json_t *o, char *err, size_t errlen)
{
	if (json_array_size(json_object_get(o, "alerts")) +
	    json_array_size(json_object_get(o, "events")) == 0)
		return errf(err, errlen, "incident.link: no alerts or events");
	return 0;
}

static int
chk_promote(const json_t *o, char *err, size_t errlen)
{
	if (json_object_get(o, "incident") != NULL &&
	    (json_object_get(o, "title") != NULL ||
	    json_object_get(o, "severity") != NULL))
		return errf(err, errlen, "alert.promote: title and severity "
		    "are for a new incident, not with 'incident'");
	return 0;
}

static int
chk_presence(const json_t *o, char *err, size_t errlen)
{
	static const struct field item[] = {
		{ "user", K_NAME, REQ, 0, NULL },
		{ "role", K_ENUM, REQ, 0, person_roles },
		{ "viewing", K_TAGS, 0, 1000, NULL },
		END
	};
	static const struct field inc = { "viewing", K_INC, 0, 0, NULL };
	const struct field *sets[] = { item, NULL };
	const json_t *u, *v;
	size_t i, j;

	json_array_foreach(json_object_get(o, "users"), i, u) {
		if (check_fields(u, sets, NULL, err, errlen) != 0)
			return -1;
		json_array_foreach(json_object_get(u, "viewing"), j, v)
			if (check_value(&inc, v, err, errlen) != 0)
				return -1;
	}
	return 0;
}

/* The catalogue. */

static const struct field f_hello[] = {
	{ "protocol", K_LINE, REQ, 32, NULL },
	{ "version", K_LINE, REQ, 32, NULL },
	{ "hub_key", K_B64, REQ, WIRE_KEY_BYTES, NULL },
	{ "nonce", K_B64, REQ, WIRE_NONCE_BYTES, NULL },
	END
};
static const struct field f_auth[] = {
	{ "user", K_NAME, REQ, 0, NULL },
	{ "nonce", K_B64, REQ, WIRE_NONCE_BYTES, NULL },
	{ "signature", K_B64, REQ, WIRE_SIG_BYTES, NULL },
	END
};
static const struct field f_welcome[] = {
	{ "user", K_NAME, REQ, 0, NULL },
	{ "role", K_ENUM, REQ, 0, person_roles },
	{ "signature", K_B64, REQ, WIRE_SIG_BYTES, NULL },
	{ "last_seq", K_INT, REQ, WIRE_MAX_ID, NULL },
	END
};
static const struct field f_subscribe[] = {
	{ "topic", K_TOPIC, REQ, 0, NULL },
	{ "query", K_LINE, 0, WIRE_MAX_QUERY, NULL },
	{ "since_seq", K_INT, 0, WIRE_MAX_ID, NULL },
	END
};
static const struct field f_unsubscribe[] = {
	{ "topic", K_TOPIC, REQ, 0, NULL },
	END
};
static const struct field f_op[] = {
	{ "op", K_ENUM, REQ, 0, wire_ops },
	END
};
static const struct field f_query[] = {
	{ "query", K_ENUM, REQ, 0, wire_queries },
	END
};
static const struct field f_ok[] = {
	{ "seq", K_INT, 0, WIRE_MAX_ID, NULL },
	{ "result", K_ANY, 0, 0, NULL },
	END
};
static const struct field f_error[] = {
	{ "code", K_ENUM, REQ, 0, err_names },
	{ "message", K_TEXT, REQ, WIRE_MAX_MESSAGE, NULL },
	{ "current", K_OBJ, 0, 0, NULL },
	END
};
static const struct field f_op_push[] = {
	{ "seq", K_INT, REQ, WIRE_MAX_ID, NULL },
	{ "op", K_ENUM, REQ, 0, wire_ops },
	{ "user", K_NAME, REQ, 0, NULL },
	{ "time", K_TIME, REQ, 0, NULL },
	{ "incident", K_INC, REQ, 0, NULL },
	{ "args", K_OBJ, REQ, 0, NULL },
	{ "state", K_OBJ, REQ, 0, NULL },
	END
};
static const struct field f_event[] = {
	{ "sub", K_INT, 0, WIRE_MAX_ID, NULL },
	{ "event", K_OBJ, REQ, 0, NULL },
	END
};
static const struct field f_alert[] = {
	{ "alert", K_OBJ, REQ, 0, NULL },
	END
};
static const struct field f_presence[] = {
	{ "users", K_OBJS, REQ, 10000, NULL },
	END
};
static const struct field f_resync[] = {
	{ "reason", K_LINE, REQ, WIRE_MAX_MESSAGE, NULL },
	{ "last_seq", K_INT, REQ, WIRE_MAX_ID, NULL },
	END
};

#define ID_NONE	0
#define ID_REQ	1
#define ID_OPT	2

static const struct msg {
	const char		*type;
	enum wire_from		 from;
	enum wire_type		 wt;
	int			 id;
	const struct field	*fields;
	int			(*check)(const json_t *, char *, size_t);
} msgs[] = {
	{ "hello", WIRE_FROM_HUB, WIRE_HELLO, ID_NONE, f_hello, chk_hello },
	{ "auth", WIRE_FROM_CONSOLE, WIRE_AUTH, ID_NONE, f_auth, NULL },
	{ "welcome", WIRE_FROM_HUB, WIRE_WELCOME, ID_NONE, f_welcome, NULL },
	{ "subscribe", WIRE_FROM_CONSOLE, WIRE_SUBSCRIBE, ID_REQ, f_subscribe,
	  chk_subscribe },
	{ "unsubscribe", WIRE_FROM_CONSOLE, WIRE_UNSUBSCRIBE, ID_REQ,
	  f_unsubscribe, NULL },
	{ "op", WIRE_FROM_CONSOLE, WIRE_OP, ID_REQ, f_op, NULL },
	{ "query", WIRE_FROM_CONSOLE, WIRE_QUERY, ID_REQ, f_query, NULL },
	{ "ok", WIRE_FROM_HUB, WIRE_REPLY_OK, ID_REQ, f_ok, NULL },
	{ "error", WIRE_FROM_HUB, WIRE_REPLY_ERROR, ID_OPT, f_error, NULL },
	{ "op", WIRE_FROM_HUB, WIRE_OP_PUSH, ID_NONE, f_op_push, NULL },
	{ "event", WIRE_FROM_HUB, WIRE_EVENT, ID_NONE, f_event, NULL },
	{ "alert", WIRE_FROM_HUB, WIRE_ALERT, ID_NONE, f_alert, NULL },
	{ "presence", WIRE_FROM_HUB, WIRE_PRESENCE, ID_NONE, f_presence,
	  chk_presence },
	{ "resync", WIRE_FROM_HUB, WIRE_RESYNC, ID_NONE, f_resync, NULL },
};

#define INC_REQ	{ "incident", K_INC, REQ, 0, NULL }
#define VERSION	{ "version", K_INT, 0, WIRE_MAX_ID, NULL }

static const struct field o_create[] = {
	{ "title", K_LINE, REQ, WIRE_MAX_TITLE, NULL },
	{ "description", K_TEXT, 0, WIRE_MAX_TEXT, NULL },
	{ "severity", K_ENUM, 0, 0, wire_severities },
	{ "tags", K_TAGS, 0, WIRE_MAX_TAGS, NULL },
	{ "lead", K_NAME, 0, 0, NULL },
	{ "reported", K_TIME, 0, 0, NULL },
	END
};
static const struct field o_update[] = {
	INC_REQ,
	{ "version", K_INT, REQ, WIRE_MAX_ID, NULL },
	{ "title", K_LINE, 0, WIRE_MAX_TITLE, NULL },
	{ "description", K_TEXT, 0, WIRE_MAX_TEXT, NULL },
	{ "severity", K_ENUM, 0, 0, wire_severities },
	{ "tags", K_TAGS, 0, WIRE_MAX_TAGS, NULL },
	{ "reported", K_TIME, 0, 0, NULL },
	{ "verified", K_TIME, NUL, 0, NULL },
	{ "mitigated", K_TIME, NUL, 0, NULL },
	END
};
static const struct field o_note[] = {
	INC_REQ,
	{ "text", K_TEXT, REQ, WIRE_MAX_TEXT, NULL },
	END
};
static const struct field o_close[] = {
	INC_REQ, VERSION,
	{ "resolution", K_ENUM, REQ, 0, wire_resolutions },
	{ "text", K_TEXT, 0, WIRE_MAX_TEXT, NULL },
	END
};
static const struct field o_status[] = {
	INC_REQ, VERSION,
	{ "status", K_ENUM, REQ, 0, wire_statuses },
	END
};
static const struct field o_phase[] = {
	INC_REQ, VERSION,
	{ "phase", K_ENUM, REQ, 0, wire_phases },
	END
};
static const struct field o_lead[] = {
	INC_REQ, VERSION,
	{ "lead", K_NAME, REQ | NUL, 0, NULL },
	END
};
static const struct field o_task_add[] = {
	INC_REQ,
	{ "title", K_LINE, REQ, WIRE_MAX_TITLE, NULL },
	{ "assignee", K_NAME, 0, 0, NULL },
	{ "due", K_TIME, 0, 0, NULL },
	END
};
static const struct field o_task_assign[] = {
	{ "task", K_TASK, REQ, 0, NULL },
	{ "assignee", K_NAME, REQ | NUL, 0, NULL },
	END
};
static const struct field o_task_status[] = {
	{ "task", K_TASK, REQ, 0, NULL },
	{ "status", K_ENUM, REQ, 0, wire_task_statuses },
	END
};
static const struct field o_observable[] = {
	INC_REQ,
	{ "kind", K_ENUM, REQ, 0, wire_observable_kinds },
	{ "value", K_LINE, REQ, WIRE_MAX_VALUE, NULL },
	{ "ioc", K_BOOL, 0, 0, NULL },
	END
};
static const struct field o_link[] = {
	INC_REQ,
	{ "alerts", K_IDS, 0, WIRE_MAX_LINKS, NULL },
	{ "events", K_IDS, 0, WIRE_MAX_LINKS, NULL },
	END
};

static const struct field q_none_op[] = {
	END
};
static const struct field o_alert[] = {
	{ "alert", K_INT, REQ, WIRE_MAX_ID, NULL },
	{ "text", K_TEXT, 0, WIRE_MAX_TEXT, NULL },
	END
};
static const struct field o_promote[] = {
	{ "alert", K_INT, REQ, WIRE_MAX_ID, NULL },
	{ "incident", K_INC, 0, 0, NULL },
	{ "title", K_LINE, 0, WIRE_MAX_TITLE, NULL },
	{ "severity", K_ENUM, 0, 0, wire_severities },
	END
};

static const struct spec ops[] = {
	{ "incident.create", o_create, NULL },
	{ "incident.update", o_update, chk_update },
	{ "incident.note", o_note, chk_note },
	{ "incident.close", o_close, NULL },
	{ "incident.status", o_status, chk_status },
	{ "incident.phase", o_phase, NULL },
	{ "incident.lead", o_lead, NULL },
	{ "task.add", o_task_add, NULL },
	{ "task.assign", o_task_assign, NULL },
	{ "task.status", o_task_status, NULL },
	{ "observable.add", o_observable, chk_observable },
	{ "incident.link", o_link, chk_link },
	{ "alert.ack", o_alert, NULL },
	{ "alert.escalate", o_alert, NULL },
	{ "alert.close", o_alert, NULL },
	{ "alert.promote", o_promote, chk_promote },
	{ "rules.reload", q_none_op, NULL },
	{ NULL, NULL, NULL }
};

static const struct field q_list[] = {
	{ "status", K_ENUM, 0, 0, list_statuses },
	{ "limit", K_INT, 0, 1000, NULL },
	END
};
static const struct field q_show[] = {
	INC_REQ,
	END
};
static const struct field q_audit[] = {
	{ "user", K_NAME, 0, 0, NULL },
	{ "incident", K_INC, 0, 0, NULL },
	{ "op", K_LINE, 0, 64, NULL },
	{ "since", K_TIME, 0, 0, NULL },
	{ "refused", K_BOOL, 0, 0, NULL },
	{ "limit", K_INT, 0, 1000, NULL },
	END
};
static const struct field q_none[] = {
	END
};

static const struct field q_alerts[] = {
	{ "status", K_ENUM, 0, 0, alert_list_statuses },
	{ "rule", K_LINE, 0, 256, NULL },
	{ "limit", K_INT, 0, 1000, NULL },
	END
};
static const struct field q_alert[] = {
	{ "alert", K_INT, REQ, WIRE_MAX_ID, NULL },
	END
};

static const struct field q_search[] = {
	{ "q", K_TEXT, REQ, WIRE_MAX_QUERY, NULL },
	{ "since", K_LINE, 0, 64, NULL },
	{ "until", K_LINE, 0, 64, NULL },
	{ "limit", K_INT, 0, 10000, NULL },
	END
};

static const struct spec queries[] = {
	{ "incident.list", q_list, NULL },
	{ "incident.show", q_show, NULL },
	{ "audit.list", q_audit, NULL },
	{ "whoami", q_none, NULL },
	{ "presence", q_none, NULL },
	{ "alert.list", q_alerts, NULL },
	{ "alert.show", q_alert, NULL },
	{ "rules.status", q_none, NULL },
	{ "search", q_search, NULL },
	{ NULL, NULL, NULL }
};

static const char *const skip_req[] = { "type", "id", NULL };

/* Validate a request whose name (key nkey) selects a spec from table. */
static int
check_named(const json_t *req, const char *nkey, const struct field *head,
    const struct spec *table, char *err, size_t errlen)
{
	const struct field *sets[3];
	const char *name;
	const json_t *t;
	int i;

	if (!json_is_object(req))
		return errf(err, errlen, "message is not a JSON object");
	if ((t = json_object_get(req, "type")) != NULL && !json_is_string(t))
		return errf(err, errlen, "field 'type': not a string");
	name = sget(req, nkey);
	if (name == NULL) {
		if (json_object_get(req, nkey) != NULL)
			return errf(err, errlen, "field '%s': not a string",
			    nkey);
		return errf(err, errlen, "missing field '%s'", nkey);
	}
	for (i = 0; table[i].name != NULL; i++)
		if (strcmp(table[i].name, name) == 0)
			break;
	if (table[i].name == NULL)
		return check_value(&head[0], json_object_get(req, nkey), err,
		    errlen);
	sets[0] = head;
	sets[1] = table[i].fields;
	sets[2] = NULL;
	if (check_fields(req, sets, skip_req, err, errlen) != 0)
		return -1;
	if (table[i].check != NULL && table[i].check(req, err, errlen) != 0)
		return -1;
	return 0;
}

int
wire_check_op(const json_t *req, char *err, size_t errlen)
{
	return check_named(req, "op", f_op, ops, err, errlen);
}

int
wire_check_query(const json_t *req, char *err, size_t errlen)
{
	return check_named(req, "query", f_query, queries, err, errlen);
}

int
wire_decode(const char *frame, size_t len, enum wire_from from,
    struct wire_msg *m, char *err, size_t errlen)
{
	const struct field *sets[2];
	const struct msg *spec = NULL;
	json_error_t jerr;
	const char *type;
	json_t *root = NULL, *v;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->id = m->seq = -1;
	if (len > WIRE_MAX_FRAME) {
		errf(err, errlen, "message longer than %d bytes",
		    WIRE_MAX_FRAME);
		goto fail;
	}
	root = json_loadb(frame, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (root == NULL) {
		errf(err, errlen, "not JSON: %s (column %d)", jerr.text,
		    jerr.column);
		goto fail;
	}
	if (!json_is_object(root)) {
		errf(err, errlen, "message is not a JSON object");
		goto fail;
	}
	v = json_object_get(root, "id");
	if (check_int(v, 0, WIRE_MAX_ID))
		m->id = json_integer_value(v);
	if ((type = sget(root, "type")) == NULL) {
		errf(err, errlen, json_object_get(root, "type") == NULL ?
		    "missing field 'type'" : "field 'type': not a string");
		goto fail;
	}
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (msgs[i].from == from && strcmp(msgs[i].type, type) == 0) {
			spec = &msgs[i];
			break;
		}
	if (spec == NULL) {
		errf(err, errlen, "unknown message type '%.32s'%s", type,
		    clean_text(type, strlen(type), 0) ? "" : " (garbled)");
		goto fail;
	}
	if (v != NULL && spec->id == ID_NONE) {
		errf(err, errlen, "%s: unexpected field 'id'", spec->type);
		goto fail;
	}
	if (v != NULL && m->id < 0) {
		errf(err, errlen, "field 'id': not an integer in 0..%lld",
		    WIRE_MAX_ID);
		goto fail;
	}
	if (v == NULL && spec->id == ID_REQ) {
		errf(err, errlen, "%s: missing field 'id'", spec->type);
		goto fail;
	}
	if (spec->wt == WIRE_OP) {
		if (wire_check_op(root, err, errlen) != 0)
			goto fail;
		m->name = sget(root, "op");
	} else if (spec->wt == WIRE_QUERY) {
		if (wire_check_query(root, err, errlen) != 0)
			goto fail;
		m->name = sget(root, "query");
	} else {
		sets[0] = spec->fields;
		sets[1] = NULL;
		if (check_fields(root, sets, skip_req, err, errlen) != 0)
			goto fail;
		if (spec->check != NULL && spec->check(root, err, errlen) != 0)
			goto fail;
		if (spec->wt == WIRE_SUBSCRIBE || spec->wt == WIRE_UNSUBSCRIBE)
			m->name = sget(root, "topic");
		else if (spec->wt == WIRE_OP_PUSH)
			m->name = sget(root, "op");
	}
	if ((v = json_object_get(root, "seq")) != NULL ||
	    (v = json_object_get(root, "last_seq")) != NULL)
		m->seq = json_integer_value(v);
	m->type = spec->wt;
	m->root = root;
	return 0;
fail:
	json_decref(root);
	m->type = WIRE_NONE;
	m->name = NULL;
	m->seq = -1;
	return -1;
}

void
wire_msg_release(struct wire_msg *m)
{
	if (m == NULL)
		return;
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
	m->id = m->seq = -1;
}

/* Observables. */

static int
valid_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	size_t n;
	int v6, bits = 0;

	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(addr))
		return 0;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1)
		v6 = 0;
	else if (inet_pton(AF_INET6, addr, buf) == 1)
		v6 = 1;
	else
		return 0;
	if (slash == NULL)
		return 1;
	if (!digits(slash + 1, (int)strlen(slash + 1), &bits) ||
	    strlen(slash + 1) == 0 || strlen(slash + 1) > 3)
		return 0;
	return bits <= (v6 ? 128 : 32);
}

static int
valid_domain(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > 253 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_'
		    && s[i] != '*')
			return 0;
		if (label == 0 && s[i] == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label == 0 || s[n - 1] != '-';
}

static int
valid_hash(const char *s)
{
	size_t n = strlen(s), i;

	if (n != 32 && n != 40 && n != 64 && n != 128)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
valid_url(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; isalnum((unsigned char)s[i]) || s[i] == '+' ||
	    s[i] == '.' || s[i] == '-'; i++)
		;
	if (strncmp(s + i, "://", 3) != 0 || s[i + 3] == '\0')
		return 0;
	for (i += 3; s[i] != '\0'; i++)
		if (s[i] == ' ')
			return 0;
	return 1;
}

int
wire_check_observable(const char *kind, const char *value, char *err,
    size_t errlen)
{
	int ok;

	if (kind == NULL || value == NULL)
		return errf(err, errlen, "observable: kind and value required");
	if (strlen(value) == 0 || strlen(value) > WIRE_MAX_VALUE ||
	    !clean_text(value, strlen(value), 0))
		return errf(err, errlen, "observable: value must be 1-%d plain "
		    "characters", WIRE_MAX_VALUE);
	switch (wire_enum(wire_observable_kinds, kind)) {
	case 0:
		ok = valid_ip(value);
		break;
	case 1:
		ok = valid_domain(value);
		break;
	case 2:
		ok = valid_hash(value);
		break;
	case 3:
		ok = strlen(value) <= 256;
		break;
	case 4:
		ok = strlen(value) <= 253 && strchr(value, ' ') == NULL;
		break;
	case 5:
		ok = valid_url(value);
		break;
	default:
		return errf(err, errlen, "observable: unknown kind");
	}
	if (!ok)
		return errf(err, errlen, "observable: '%.64s' is not a valid "
		    "%s", value, kind);
	return 0;
}

/* base64 */

int
wire_b64_decode(const char *s, unsigned char *out, size_t n)
{
	size_t got = 0;
	const char *end = NULL;

	if (s == NULL || strlen(s) != ((n + 2) / 3) * 4)
		return -1;
	if (sodium_base642bin(out, n, s, strlen(s), NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (got != n || end != s + strlen(s))
		return -1;
	return 0;
}

void
wire_b64_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	if (outlen < sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL)) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, outlen, in, n, sodium_base64_VARIANT_ORIGINAL);
}

/* Builders. */

static int
set_b64(json_t *o, const char *k, const unsigned char *p, size_t n)
{
	char b[128];

	wire_b64_encode(p, n, b, sizeof(b));
	return json_object_set_new(o, k, json_string(b));
}

static json_t *
msg_new(const char *type, int64_t id)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "type", json_string(type)) != 0 ||
	    (id >= 0 && json_object_set_new(o, "id", json_integer(id)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
done(json_t *o, int rc)
{
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
wire_hello(const unsigned char hub_key[WIRE_KEY_BYTES],
    const unsigned char nonce[WIRE_NONCE_BYTES])
{
	json_t *o;
	int rc = 0;

	if ((o = msg_new("hello", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "protocol", json_string(WARD_PROTOCOL));
	rc |= json_object_set_new(o, "version", json_string(WARD_VERSION));
	rc |= set_b64(o, "hub_key", hub_key, WIRE_KEY_BYTES);
	rc |= set_b64(o, "nonce", nonce, WIRE_NONCE_BYTES);
	return done(o, rc);
}

json_t *
wire_auth(const char *user, const unsigned char console_nonce[WIRE_NONCE_BYTES],
    const unsigned char sig[WIRE_SIG_BYTES])
{
	json_t *o;
	int rc = 0;

	if (!wire_valid_name(user) || (o = msg_new("auth", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "user", json_string(user));
	rc |= set_b64(o, "nonce", console_nonce, WIRE_NONCE_BYTES);
	rc |= set_b64(o, "signature", sig, WIRE_SIG_BYTES);
	return done(o, rc);
}

json_t *
wire_welcome(const char *user, enum role role,
    const unsigned char sig[WIRE_SIG_BYTES], int64_t last_seq)
{
	json_t *o;
	int rc = 0;

	if (!wire_valid_name(user) || !role_is_person(role) || last_seq < 0 ||
	    (o = msg_new("welcome", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "user", json_string(user));
	rc |= json_object_set_new(o, "role", json_string(role_name(role)));
	rc |= set_b64(o, "signature", sig, WIRE_SIG_BYTES);
	rc |= json_object_set_new(o, "last_seq", json_integer(last_seq));
	return done(o, rc);
}

json_t *
wire_subscribe(int64_t id, const char *topic, const char *query,
    int64_t since_seq)
{
	json_t *o;
	int rc = 0;

	if (topic == NULL || !valid_topic(topic) ||
	    (o = msg_new("subscribe", id)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "topic", json_string(topic));
	if (query != NULL)
		rc |= json_object_set_new(o, "query", json_string(query));
	if (since_seq >= 0)
		rc |= json_object_set_new(o, "since_seq",
		    json_integer(since_seq));
	return done(o, rc);
}

json_t *
wire_unsubscribe(int64_t id, const char *topic)
{
	json_t *o;

	if (topic == NULL || !valid_topic(topic) ||
	    (o = msg_new("unsubscribe", id)) == NULL)
		return NULL;
	return done(o, json_object_set_new(o, "topic", json_string(topic)));
}

static json_t *
named(const char *type, int64_t id, const char *key, const char *name,
    const json_t *args)
{
	const char *k;
	json_t *o, *v;
	int rc = 0;

	if (name == NULL || (args != NULL && !json_is_object(args)) ||
	    (o = msg_new(type, id)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, key, json_string(name));
	if (args != NULL)
		json_object_foreach((json_t *)args, k, v)
			if (strcmp(k, "type") != 0 && strcmp(k, "id") != 0 &&
			    strcmp(k, key) != 0)
				rc |= json_object_set_new(o, k,
				    json_deep_copy(v));
	return done(o, rc);
}

json_t *
wire_op(int64_t id, const char *op, const json_t *args)
{
	return named("op", id, "op", op, args);
}

json_t *
wire_query(int64_t id, const char *query, const json_t *args)
{
	return named("query", id, "query", query, args);
}

json_t *
wire_ok(int64_t id, int64_t seq, json_t *steal_result)
{
	json_t *o;
	int rc = 0;

	if ((o = msg_new("ok", id)) == NULL) {
		json_decref(steal_result);
		return NULL;
	}
	if (seq >= 0)
		rc |= json_object_set_new(o, "seq", json_integer(seq));
	if (steal_result != NULL)
		rc |= json_object_set_new(o, "result", steal_result);
	return done(o, rc);
}

json_t *
wire_error(int64_t id, enum wire_err code, const char *message,
    json_t *steal_current)
{
	json_t *o;
	size_t n;
	int rc = 0;

	if ((o = msg_new("error", id)) == NULL) {
		json_decref(steal_current);
		return NULL;
	}
	if (message == NULL)
		message = "";
	n = strlen(message);
	if (n > WIRE_MAX_MESSAGE) {
		n = WIRE_MAX_MESSAGE;
		while (n > 0 && ((unsigned char)message[n] & 0xc0) == 0x80)
			n--;
	}
	rc |= json_object_set_new(o, "code", json_string(wire_err_name(code)));
	rc |= json_object_set_new(o, "message", json_stringn(message, n));
	if (steal_current != NULL)
		rc |= json_object_set_new(o, "current", steal_current);
	return done(o, rc);
}

json_t *
wire_event(int64_t sub, json_t *steal_event)
{
	json_t *o;
	int rc = 0;

	if ((o = msg_new("event", -1)) == NULL) {
		json_decref(steal_event);
		return NULL;
	}
	if (sub >= 0)
		rc |= json_object_set_new(o, "sub", json_integer(sub));
	rc |= json_object_set_new(o, "event", steal_event);
	return done(o, rc);
}

json_t *
wire_alert(json_t *steal_alert)
{
	json_t *o;

	if ((o = msg_new("alert", -1)) == NULL) {
		json_decref(steal_alert);
		return NULL;
	}
	return done(o, json_object_set_new(o, "alert", steal_alert));
}

json_t *
wire_presence(json_t *steal_users)
{
	json_t *o;

	if ((o = msg_new("presence", -1)) == NULL) {
		json_decref(steal_users);
		return NULL;
	}
	return done(o, json_object_set_new(o, "users", steal_users));
}

json_t *
wire_resync(const char *reason, int64_t last_seq)
{
	json_t *o;
	int rc = 0;

	if (reason == NULL || last_seq < 0 ||
	    (o = msg_new("resync", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "reason", json_string(reason));
	rc |= json_object_set_new(o, "last_seq", json_integer(last_seq));
	return done(o, rc);
}

char *
wire_encode(const json_t *msg, size_t *len)
{
	char *s;

	if (msg == NULL)
		return NULL;
	if ((s = json_dumps(msg, JSON_COMPACT)) == NULL)
		return NULL;
	if (len != NULL)
		*len = strlen(s);
	return s;
}
