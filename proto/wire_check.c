/*
 * wire_check — the ward.v3 messages decoded and checked.  See wire.h and
 * ward-protocol.7.  The builders are wire_build.c's, event batches
 * (raw event text) wire_events.c's.
 *
 * Validation is table driven: every message type has a list of fields
 * here, and every op and query its entry in the catalogue (catalogue.c),
 * each field with a kind, a cap and (for enumerations) its names.  A
 * message is valid when every key it carries is in its lists, every
 * required one is present, and each value passes its kind's check; a few
 * messages add a check that spans fields.  The enumerations, roles and
 * rights, names, times, references and observables are checked here too.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "catalogue.h"
#include "errf.h"
#include "version.h"
#include "wire.h"
#include "wire_impl.h"

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
const char *const wire_alert_statuses[] = { "new", "acknowledged",
	"escalated", "closed", NULL };

static const char *const role_names[] = { "none", "viewer", "handler",
	"lead", "admin", "shipper", "reader", NULL };
static const char *const person_roles[] = { "viewer", "handler", "lead",
	"admin", NULL };
static const char *const err_names[] = { "ok", "invalid", "forbidden",
	"stale", "not_found", "unauthenticated", "busy", "internal",
	"conflict", NULL };

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
	const struct catalogue_entry *e;

	if (!role_is_person(r) || (e = catalogue_find(op, 0)) == NULL)
		return WIRE_MAY_NO;
	return (enum wire_may)e->may[r - ROLE_VIEWER];
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

/* Field validation: the kinds and field lists are in catalogue.h. */

#define END	{ NULL, 0, 0, 0, NULL }

/*
 * Check the bytes of a string: no NUL, no C0 or C1 control characters, no
 * DEL (they would reach other handlers' terminals), except newline and tab
 * when lines is set.  jansson has already checked UTF-8.
 */
int
wire_clean_text(const char *s, size_t n, int lines)
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

int
wire_valid_topic(const char *s)
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
check_value(const struct wire_field *f, const json_t *v, char *err, size_t errlen)
{
	char names[256];
	const char *s = NULL;
	size_t n = 0, i;
	unsigned char bin[WIRE_SIG_BYTES];
	const json_t *e;
	int64_t ref;

	if (json_is_null(v) && (f->flags & WF_NUL))
		return 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
		if (memchr(s, '\0', n) != NULL)
			return errf(err, errlen, "field '%s': contains NUL",
			    f->name);
	}
	switch (f->kind) {
	case WK_LINE:
	case WK_TEXT:
		if (s == NULL)
			return errf(err, errlen, "field '%s': not a string",
			    f->name);
		if ((int64_t)n > f->max)
			return errf(err, errlen, "field '%s': longer than %"
			    PRId64 " bytes", f->name, f->max);
		if (!wire_clean_text(s, n, f->kind == WK_TEXT))
			return errf(err, errlen, "field '%s': contains control "
			    "characters", f->name);
		if (f->kind == WK_LINE && blank(s))
			return errf(err, errlen, "field '%s': empty", f->name);
		return 0;
	case WK_NAME:
		if (s == NULL || !wire_valid_name(s))
			return errf(err, errlen, "field '%s': not a user name "
			    "(1-%d of A-Z a-z 0-9 . _ -, starting with a "
			    "letter or digit)", f->name, WIRE_MAX_NAME);
		return 0;
	case WK_INT:
		if (!check_int(v, 0, f->max))
			return errf(err, errlen, "field '%s': not an integer in "
			    "0..%" PRId64, f->name, f->max);
		return 0;
	case WK_BOOL:
		if (!json_is_boolean(v))
			return errf(err, errlen, "field '%s': not true or false",
			    f->name);
		return 0;
	case WK_OBJ:
		if (!json_is_object(v))
			return errf(err, errlen, "field '%s': not an object",
			    f->name);
		return 0;
	case WK_ANY:
		return 0;
	case WK_TAGS:
	case WK_IDS:
	case WK_OBJS:
		if (!json_is_array(v))
			return errf(err, errlen, "field '%s': not an array",
			    f->name);
		if ((int64_t)json_array_size(v) > f->max)
			return errf(err, errlen, "field '%s': more than %" PRId64
			    " items", f->name, f->max);
		json_array_foreach(v, i, e) {
			if (f->kind == WK_IDS && !check_int(e, 1, WIRE_MAX_ID))
				return errf(err, errlen, "field '%s': item %zu "
				    "is not a positive integer", f->name, i);
			if (f->kind == WK_OBJS && !json_is_object(e))
				return errf(err, errlen, "field '%s': item %zu "
				    "is not an object", f->name, i);
			if (f->kind == WK_TAGS && (!json_is_string(e) ||
			    json_string_length(e) > WIRE_MAX_TAG ||
			    json_string_length(e) == 0 ||
			    strlen(json_string_value(e)) !=
			    json_string_length(e) ||
			    !wire_clean_text(json_string_value(e),
			    json_string_length(e), 0)))
				return errf(err, errlen, "field '%s': item %zu "
				    "is not a string of 1-%d plain characters",
				    f->name, i, WIRE_MAX_TAG);
		}
		return 0;
	case WK_B64:
		if (s == NULL || wire_b64_decode(s, bin, (size_t)f->max) != 0)
			return errf(err, errlen, "field '%s': not base64 of %"
			    PRId64 " bytes", f->name, f->max);
		return 0;
	case WK_ENUM:
		if (s == NULL || wire_enum(f->names, s) < 0) {
			join_names(f->names, names, sizeof(names));
			return errf(err, errlen, "field '%s': must be one of %s",
			    f->name, names);
		}
		return 0;
	case WK_OP:
	case WK_QUERY:
		if (s == NULL || catalogue_find(s, f->kind == WK_QUERY) ==
		    NULL) {
			catalogue_names(f->kind == WK_QUERY, names,
			    sizeof(names));
			return errf(err, errlen, "field '%s': must be one of %s",
			    f->name, names);
		}
		return 0;
	case WK_INC:
		if (s == NULL || wire_incident_id(s, &ref) != 0)
			return errf(err, errlen, "field '%s': not an incident "
			    "id (INC-n)", f->name);
		return 0;
	case WK_TASK:
		if (wire_task_id(v, &ref) != 0)
			return errf(err, errlen, "field '%s': not a task id "
			    "(T-n or n)", f->name);
		return 0;
	case WK_TIME:
		if (s == NULL || !wire_valid_time(s))
			return errf(err, errlen, "field '%s': not a UTC time "
			    "(YYYY-MM-DDTHH:MM:SSZ)", f->name);
		return 0;
	case WK_TOPIC:
		if (s == NULL || n > 64 || !wire_valid_topic(s))
			return errf(err, errlen, "field '%s': not a topic "
			    "(incidents, incident:INC-n, alerts, events, "
			    "presence)", f->name);
		return 0;
	}
	return errf(err, errlen, "field '%s': unknown kind", f->name);
}

static const struct wire_field *
find_field(const struct wire_field *const *sets, const char *key)
{
	const struct wire_field *f;
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
check_fields(const json_t *obj, const struct wire_field *const *sets,
    const char *const *skip, char *err, size_t errlen)
{
	const struct wire_field *f;
	const char *key;
	json_t *v;
	int i;

	json_object_foreach((json_t *)obj, key, v) {
		if (skip != NULL && wire_enum(skip, key) >= 0)
			continue;
		if ((f = find_field(sets, key)) == NULL) {
			if (strlen(key) > 64 ||
			    !wire_clean_text(key, strlen(key), 0))
				return errf(err, errlen, "unknown field");
			return errf(err, errlen, "unknown field '%s'", key);
		}
		if (check_value(f, v, err, errlen) != 0)
			return -1;
	}
	for (i = 0; sets[i] != NULL; i++)
		for (f = sets[i]; f->name != NULL; f++)
			if ((f->flags & WF_REQ) && json_object_get(obj, f->name)
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
chk_presence(const json_t *o, char *err, size_t errlen)
{
	static const struct wire_field item[] = {
		{ "user", WK_NAME, WF_REQ, 0, NULL },
		{ "role", WK_ENUM, WF_REQ, 0, person_roles },
		{ "viewing", WK_TAGS, 0, 1000, NULL },
		END
	};
	static const struct wire_field inc = { "viewing", WK_INC, 0, 0, NULL };
	const struct wire_field *sets[] = { item, NULL };
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

static const struct wire_field f_hello[] = {
	{ "protocol", WK_LINE, WF_REQ, 32, NULL },
	{ "version", WK_LINE, WF_REQ, 32, NULL },
	{ "hub_key", WK_B64, WF_REQ, WIRE_KEY_BYTES, NULL },
	{ "nonce", WK_B64, WF_REQ, WIRE_NONCE_BYTES, NULL },
	END
};
static const struct wire_field f_auth[] = {
	{ "user", WK_NAME, WF_REQ, 0, NULL },
	{ "nonce", WK_B64, WF_REQ, WIRE_NONCE_BYTES, NULL },
	{ "signature", WK_B64, WF_REQ, WIRE_SIG_BYTES, NULL },
	END
};
static const struct wire_field f_welcome[] = {
	{ "user", WK_NAME, WF_REQ, 0, NULL },
	{ "role", WK_ENUM, WF_REQ, 0, person_roles },
	{ "signature", WK_B64, WF_REQ, WIRE_SIG_BYTES, NULL },
	{ "last_seq", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
	END
};
static const struct wire_field f_subscribe[] = {
	{ "topic", WK_TOPIC, WF_REQ, 0, NULL },
	{ "query", WK_LINE, 0, WIRE_MAX_QUERY, NULL },
	{ "since_seq", WK_INT, 0, WIRE_MAX_ID, NULL },
	END
};
static const struct wire_field f_unsubscribe[] = {
	{ "topic", WK_TOPIC, WF_REQ, 0, NULL },
	END
};
static const struct wire_field f_op[] = {
	{ "op", WK_OP, WF_REQ, 0, NULL },
	END
};
static const struct wire_field f_query[] = {
	{ "query", WK_QUERY, WF_REQ, 0, NULL },
	END
};
static const struct wire_field f_ok[] = {
	{ "seq", WK_INT, 0, WIRE_MAX_ID, NULL },
	{ "result", WK_ANY, 0, 0, NULL },
	END
};
static const struct wire_field f_error[] = {
	{ "code", WK_ENUM, WF_REQ, 0, err_names },
	{ "message", WK_TEXT, WF_REQ, WIRE_MAX_MESSAGE, NULL },
	{ "current", WK_OBJ, 0, 0, NULL },
	END
};
static const struct wire_field f_op_push[] = {
	{ "seq", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
	{ "op", WK_OP, WF_REQ, 0, NULL },
	{ "user", WK_NAME, WF_REQ, 0, NULL },
	{ "time", WK_TIME, WF_REQ, 0, NULL },
	{ "incident", WK_INC, WF_REQ, 0, NULL },
	{ "args", WK_OBJ, WF_REQ, 0, NULL },
	{ "state", WK_OBJ, WF_REQ, 0, NULL },
	END
};
static const struct wire_field f_alert[] = {
	{ "alert", WK_OBJ, WF_REQ, 0, NULL },
	END
};
static const struct wire_field f_presence[] = {
	{ "users", WK_OBJS, WF_REQ, 10000, NULL },
	END
};
static const struct wire_field f_resync[] = {
	{ "reason", WK_LINE, WF_REQ, WIRE_MAX_MESSAGE, NULL },
	{ "last_seq", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
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
	const struct wire_field	*fields;
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
	{ "alert", WIRE_FROM_HUB, WIRE_ALERT, ID_NONE, f_alert, NULL },
	{ "presence", WIRE_FROM_HUB, WIRE_PRESENCE, ID_NONE, f_presence,
	  chk_presence },
	{ "resync", WIRE_FROM_HUB, WIRE_RESYNC, ID_NONE, f_resync, NULL },
};

static const char *const skip_req[] = { "type", "id", NULL };

/* Validate an op (query set: a query) request against its entry. */
static int
check_named(const json_t *req, int query, char *err, size_t errlen)
{
	const struct wire_field *sets[3];
	const struct catalogue_entry *e;
	const char *nkey = query ? "query" : "op", *name;
	const json_t *t;

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
	sets[0] = query ? f_query : f_op;
	if ((e = catalogue_find(name, query)) == NULL)
		return check_value(&sets[0][0], json_object_get(req, nkey),
		    err, errlen);
	sets[1] = e->fields;
	sets[2] = NULL;
	if (check_fields(req, sets, skip_req, err, errlen) != 0)
		return -1;
	if (e->check != NULL && e->check(req, err, errlen) != 0)
		return -1;
	return 0;
}

int
wire_check_op(const json_t *req, char *err, size_t errlen)
{
	return check_named(req, 0, err, errlen);
}

int
wire_check_query(const json_t *req, char *err, size_t errlen)
{
	return check_named(req, 1, err, errlen);
}

int
wire_decode(const char *frame, size_t len, enum wire_from from,
    struct wire_msg *m, char *err, size_t errlen)
{
	const struct wire_field *sets[2];
	const struct msg *spec = NULL;
	json_error_t jerr;
	const char *type, *bt;
	char	 btype[8];
	size_t	 btl;
	json_t *root = NULL, *v;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->id = m->seq = -1;
	if (len > WIRE_MAX_FRAME) {
		errf(err, errlen, "message longer than %d bytes",
		    WIRE_MAX_FRAME);
		goto fail;
	}
	/* Event batches have their own reader: no JSON value per event. */
	if (from == WIRE_FROM_HUB && wire_json_member(frame, len, "type", &bt,
	    &btl) == 0 && wire_json_str(bt, btl, btype, sizeof(btype)) == 6 &&
	    strcmp(btype, "events") == 0)
		return wire_decode_events(frame, len, m, err, errlen);
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
		    wire_clean_text(type, strlen(type), 0) ? "" : " (garbled)");
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
		m->entry = catalogue_find(m->name, 0);
	} else if (spec->wt == WIRE_QUERY) {
		if (wire_check_query(root, err, errlen) != 0)
			goto fail;
		m->name = sget(root, "query");
		m->entry = catalogue_find(m->name, 1);
	} else {
		sets[0] = spec->fields;
		sets[1] = NULL;
		if (check_fields(root, sets, skip_req, err, errlen) != 0)
			goto fail;
		if (spec->check != NULL && spec->check(root, err, errlen) != 0)
			goto fail;
		if (spec->wt == WIRE_SUBSCRIBE || spec->wt == WIRE_UNSUBSCRIBE)
			m->name = sget(root, "topic");
		else if (spec->wt == WIRE_OP_PUSH) {
			m->name = sget(root, "op");
			m->entry = catalogue_find(m->name, 0);
		}
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
	m->entry = NULL;
	m->seq = -1;
	return -1;
}

void
wire_msg_release(struct wire_msg *m)
{
	if (m == NULL)
		return;
	json_decref(m->root);
	free(m->events);
	free(m->text);
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
	    !wire_clean_text(value, strlen(value), 0))
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

