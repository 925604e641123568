/*
 * wire — the ward.v3 messages.  See wire.h and ward-protocol.7.
 *
 * Validation is table driven: every message type has a list of fields
 * here, and every op and query its entry in the catalogue (catalogue.c),
 * each field with a kind, a cap and (for enumerations) its names.  A
 * message is valid when every key it carries is in its lists, every
 * required one is present, and each value passes its kind's check; a few
 * messages add a check that spans fields.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "catalogue.h"
#include "errf.h"
#include "jsonfast.h"
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
		if (!clean_text(s, n, f->kind == WK_TEXT))
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
			    !clean_text(json_string_value(e),
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
		if (s == NULL || n > 64 || !valid_topic(s))
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
			if (strlen(key) > 64 || !clean_text(key, strlen(key), 0))
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

/* ------------------------------------------------------------------ */
/*
 * Event batches.  An "events" push is read in one pass over its bytes,
 * without a JSON value per event: the scanner checks what json_loadb()
 * with JSON_REJECT_DUPLICATES checks (syntax, UTF-8, no \u0000 and no lone
 * surrogate, integers within int64 and reals within double, nesting up to
 * WIRE_MAX_DEPTH, no key twice in any object) and notes where each event's
 * text starts and ends.
 */

struct keyref {
	const char	*p;		/* the raw text, between the quotes */
	size_t		 len;
	size_t		 dlen;		/* decoded length */
	uint64_t	 hash;		/* FNV-1a of the decoded bytes */
	int		 esc;		/* has escapes */
};

struct scan {
	const char	*s, *p, *end;
	const char	*why;		/* the first syntax error, or NULL */
	size_t		 pos;
	char		 whybuf[160];
	struct keyref	*keys;		/* the keys of the open objects */
	size_t		 nkeys, ckeys;
};

#define FNV_BASIS	1469598103934665603ULL
#define FNV_PRIME	1099511628211ULL

static int
scan_fail(struct scan *sc, const char *at, const char *why)
{
	if (sc->why == NULL) {
		sc->why = why;
		sc->pos = (size_t)(at - sc->s);
	}
	return -1;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
scan_ws(struct scan *sc)
{
	while (sc->p < sc->end && is_ws(*sc->p))
		sc->p++;
}

/* The length of the valid UTF-8 sequence at p, 0 when it is not one. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t	 n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* up to U+10FFFF */
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int
hex4(const char *p, const char *end, unsigned *v)
{
	unsigned x = 0, c;
	int	 i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		if (c >= '0' && c <= '9')
			x = x * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			x = x * 16 + c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x = x * 16 + c - 'A' + 10;
		else
			return -1;
	}
	*v = x;
	return 0;
}

static size_t
utf8_put(unsigned u, unsigned char *out)
{
	if (u < 0x80) {
		out[0] = (unsigned char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (unsigned char)(0xc0 | u >> 6);
		out[1] = (unsigned char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (unsigned char)(0xe0 | u >> 12);
		out[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | u >> 18);
	out[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (u & 0x3f));
	return 4;
}

/*
 * The escape at p ('\\'), decoded into out (up to 4 bytes).  Returns its
 * length in the input, or 0 when it is not a valid escape; *n is the
 * decoded length.  A \u0000 or a lone surrogate is invalid, with why set.
 */
static size_t
unescape_one(const char *p, const char *end, unsigned char *out, size_t *n,
    const char **why)
{
	unsigned u, lo;

	*why = "invalid escape";
	if (end - p < 2)
		return 0;
	switch (p[1]) {
	case '"': case '\\': case '/':
		out[0] = (unsigned char)p[1];
		break;
	case 'b': out[0] = '\b'; break;
	case 'f': out[0] = '\f'; break;
	case 'n': out[0] = '\n'; break;
	case 'r': out[0] = '\r'; break;
	case 't': out[0] = '\t'; break;
	case 'u':
		if (hex4(p + 2, end, &u) != 0)
			return 0;
		if (u == 0) {
			*why = "\\u0000 in a string";
			return 0;
		}
		if (u >= 0xdc00 && u <= 0xdfff) {
			*why = "lone low surrogate in a string";
			return 0;
		}
		if (u < 0xd800 || u > 0xdbff) {
			*n = utf8_put(u, out);
			return 6;
		}
		if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
		    hex4(p + 8, end, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff) {
			*why = "lone high surrogate in a string";
			return 0;
		}
		*n = utf8_put(0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00),
		    out);
		return 12;
	default:
		return 0;
	}
	*n = 1;
	return 2;
}

/* At '"': check a string and step over it.  k, when not NULL, learns
   where its text is, its decoded length and hash. */
static int
scan_string(struct scan *sc, struct keyref *k)
{
	const char *p = sc->p + 1, *end = sc->end, *why;
	const unsigned char *u;
	unsigned char dec[4];
	uint64_t h = FNV_BASIS;
	size_t	 dlen = 0, n, i, used;
	int	 esc = 0;

	for (;;) {
		/* the common case: plain ASCII */
		if (k == NULL) {
			while (p < end && (unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x80 && *p != '"' &&
			    *p != '\\')
				p++;
		} else {
			while (p < end && (unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x80 && *p != '"' &&
			    *p != '\\') {
				h = (h ^ (unsigned char)*p) * FNV_PRIME;
				dlen++;
				p++;
			}
		}
		if (p >= end)
			return scan_fail(sc, p, "unterminated string");
		u = (const unsigned char *)p;
		if (*p == '"')
			break;
		if (*p == '\\') {
			esc = 1;
			if ((used = unescape_one(p, end, dec, &n, &why)) == 0)
				return scan_fail(sc, p, why);
		} else if (*u < 0x20)
			return scan_fail(sc, p, "control character in a string");
		else {
			if ((n = utf8_seq(u, (const unsigned char *)end)) == 0)
				return scan_fail(sc, p, "invalid UTF-8");
			memcpy(dec, u, n);
			used = n;
		}
		if (k != NULL)
			for (i = 0; i < n; i++)
				h = (h ^ dec[i]) * FNV_PRIME;
		dlen += n;
		p += used;
	}
	if (k != NULL) {
		k->p = sc->p + 1;
		k->len = (size_t)(p - k->p);
		k->dlen = dlen;
		k->hash = h;
		k->esc = esc;
	}
	sc->p = p + 1;
	return 0;
}

/* Decode the checked text of a string (between its quotes) into out, which
   holds n bytes: decoding never makes it longer.  Returns the length. */
static size_t
unescape(const char *p, size_t n, char *out)
{
	const char *end = p + n, *why;
	size_t	 o = 0, dn, used;

	while (p < end) {
		if (*p != '\\') {
			out[o++] = *p++;
			continue;
		}
		if ((used = unescape_one(p, end, (unsigned char *)out + o,
		    &dn, &why)) == 0)
			break;
		o += dn;
		p += used;
	}
	return o;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number: the JSON grammar, then the range jansson holds it in.  *real
   (may be NULL) says whether it has a fraction or an exponent. */
static int
scan_number(struct scan *sc, int *real)
{
	const char *p = sc->p, *start = p, *end = sc->end;
	char	 small[64], *tmp, *d, point;
	int	 fr = 0, ex = 0, bad;
	size_t	 n;
	double	 v;

	if (p < end && *p == '-')
		p++;
	if (p >= end || !is_digit(*p))
		return scan_fail(sc, p, "invalid number");
	if (*p == '0')
		p++;
	else
		while (p < end && is_digit(*p))
			p++;
	if (p < end && *p == '.') {
		fr = 1;
		if (++p >= end || !is_digit(*p))
			return scan_fail(sc, p, "invalid number");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		ex = 1;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return scan_fail(sc, p, "invalid number");
		while (p < end && is_digit(*p))
			p++;
	}
	sc->p = p;
	if (real != NULL)
		*real = fr || ex;
	n = (size_t)(p - start);
	/* Only long numbers can be out of range. */
	if ((!fr && !ex && n < 19) || ((fr || ex) && !ex && n < 300))
		return 0;
	tmp = n < sizeof(small) ? small : malloc(n + 1);
	if (tmp == NULL)
		return scan_fail(sc, start, "out of memory");
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	errno = 0;
	if (!fr && !ex) {
		(void)strtoll(tmp, NULL, 10);
		bad = errno == ERANGE;
	} else {
		/* strtod reads the locale's decimal point */
		point = *localeconv()->decimal_point;
		if ((d = strchr(tmp, '.')) != NULL)
			*d = point;
		v = strtod(tmp, NULL);
		bad = isinf(v);
	}
	if (tmp != small)
		free(tmp);
	if (bad)
		return scan_fail(sc, start, "number out of range");
	return 0;
}

static int
scan_literal(struct scan *sc, const char *w, size_t n)
{
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, w, n) != 0)
		return scan_fail(sc, sc->p, "invalid token");
	sc->p += n;
	return 0;
}

static int	 scan_object(struct scan *, int, const char **, size_t *);
static int	 scan_array(struct scan *, int);

static int
scan_value(struct scan *sc, int depth)
{
	scan_ws(sc);
	if (sc->p >= sc->end)
		return scan_fail(sc, sc->p, "unexpected end of input");
	switch (*sc->p) {
	case '{':
		return scan_object(sc, depth + 1, NULL, NULL);
	case '[':
		return scan_array(sc, depth + 1);
	case '"':
		return scan_string(sc, NULL);
	case 't':
		return scan_literal(sc, "true", 4);
	case 'f':
		return scan_literal(sc, "false", 5);
	case 'n':
		return scan_literal(sc, "null", 4);
	default:
		if (*sc->p == '-' || is_digit(*sc->p))
			return scan_number(sc, NULL);
		return scan_fail(sc, sc->p, "invalid token");
	}
}

static int
key_eq(const struct keyref *a, const struct keyref *b)
{
	char	 sa[64], sb[64], *da, *db;
	size_t	 na, nb;
	int	 eq;

	if (a->hash != b->hash || a->dlen != b->dlen)
		return 0;
	if (!a->esc && !b->esc)
		return memcmp(a->p, b->p, a->len) == 0;
	da = a->len <= sizeof(sa) ? sa : malloc(a->len);
	db = b->len <= sizeof(sb) ? sb : malloc(b->len);
	/* out of memory: call them the same (refused, not let through) */
	if (da == NULL || db == NULL)
		eq = 1;
	else {
		na = unescape(a->p, a->len, da);
		nb = unescape(b->p, b->len, db);
		eq = na == nb && memcmp(da, db, na) == 0;
	}
	if (da != NULL && da != sa)
		free(da);
	if (db != NULL && db != sb)
		free(db);
	return eq;
}

static int
key_cmp(const void *x, const void *y)
{
	const struct keyref *a = x, *b = y;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->dlen < b->dlen ? -1 : a->dlen > b->dlen;
}

/* No key twice among the keys of the object that starts at base. */
static int
keys_unique(struct scan *sc, size_t base)
{
	struct keyref *k = sc->keys + base;
	size_t	 n = sc->nkeys - base, i, j;
	char	 name[48];

	if (n > 16)
		qsort(k, n, sizeof(*k), key_cmp);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (n > 16 && key_cmp(&k[i], &k[j]) != 0)
				break;
			if (!key_eq(&k[i], &k[j]))
				continue;
			if (k[i].dlen < sizeof(name) && !k[i].esc &&
			    clean_text(k[i].p, k[i].len, 0)) {
				snprintf(sc->whybuf, sizeof(sc->whybuf),
				    "duplicate key '%.*s'", (int)k[i].len,
				    k[i].p);
				return scan_fail(sc, k[i].p > k[j].p ? k[i].p :
				    k[j].p, sc->whybuf);
			}
			return scan_fail(sc, k[i].p > k[j].p ? k[i].p : k[j].p,
			    "duplicate key");
		}
	return 0;
}

static int
key_push(struct scan *sc, const struct keyref *k)
{
	struct keyref *nk;
	size_t	 c;

	if (sc->nkeys == sc->ckeys) {
		c = sc->ckeys ? sc->ckeys * 2 : 64;
		if ((nk = realloc(sc->keys, c * sizeof(*nk))) == NULL)
			return scan_fail(sc, sc->p, "out of memory");
		sc->keys = nk;
		sc->ckeys = c;
	}
	sc->keys[sc->nkeys++] = *k;
	return 0;
}

static int
key_is(const struct keyref *k, const char *s)
{
	char	 d[16];
	size_t	 n = strlen(s);

	if (k->dlen != n)
		return 0;
	if (!k->esc)
		return memcmp(k->p, s, n) == 0;
	return k->len <= sizeof(d) && unescape(k->p, k->len, d) == n &&
	    memcmp(d, s, n) == 0;
}

/* At '{'.  idv, when not NULL, gets the text of the member "id". */
static int
scan_object(struct scan *sc, int depth, const char **idv, size_t *idl)
{
	struct keyref k;
	const char *v;
	size_t	 base = sc->nkeys;

	if (depth > WIRE_MAX_DEPTH)
		return scan_fail(sc, sc->p, "nested too deep");
	sc->p++;
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return 0;
	}
	for (;;) {
		scan_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"')
			return scan_fail(sc, sc->p, "string expected");
		if (scan_string(sc, &k) != 0 || key_push(sc, &k) != 0)
			return -1;
		scan_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return scan_fail(sc, sc->p, "':' expected");
		sc->p++;
		scan_ws(sc);
		v = sc->p;
		if (scan_value(sc, depth) != 0)
			return -1;
		if (idv != NULL && key_is(&k, "id")) {
			*idv = v;
			*idl = (size_t)(sc->p - v);
		}
		scan_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == '}')
			break;
		return scan_fail(sc, sc->p, "',' or '}' expected");
	}
	sc->p++;
	if (keys_unique(sc, base) != 0)
		return -1;
	sc->nkeys = base;
	return 0;
}

static int
scan_array(struct scan *sc, int depth)
{
	if (depth > WIRE_MAX_DEPTH)
		return scan_fail(sc, sc->p, "nested too deep");
	sc->p++;
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		return 0;
	}
	for (;;) {
		if (scan_value(sc, depth) != 0)
			return -1;
		scan_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == ']')
			break;
		return scan_fail(sc, sc->p, "',' or ']' expected");
	}
	sc->p++;
	return 0;
}

/* An integer token 0..WIRE_MAX_ID (no sign, fraction or exponent). */
static int
id_token(const char *p, size_t n, int64_t *v)
{
	int64_t	 x = 0;
	size_t	 i;

	if (n == 0 || n > 16 || (p[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	if (x > WIRE_MAX_ID)
		return -1;
	*v = x;
	return 0;
}

static int
add_event(struct wire_msg *m, size_t *cap, int64_t id, const char *p,
    size_t n)
{
	struct wire_event *ne;

	if (m->nevents == *cap) {
		*cap = *cap ? *cap * 2 : 128;
		if ((ne = realloc(m->events, *cap * sizeof(*ne))) == NULL)
			return -1;
		m->events = ne;
	}
	m->events[m->nevents].id = id;
	m->events[m->nevents].json = p;
	m->events[m->nevents].len = n;
	m->nevents++;
	return 0;
}

/* The "events" member's array: every item an object with an "id". */
static int
scan_events(struct scan *sc, struct wire_msg *m, char *err, size_t errlen)
{
	const char *start, *idv;
	size_t	 cap = 0, idl, item = 0;
	int64_t	 id;

	if (sc->p >= sc->end || *sc->p != '[')
		return errf(err, errlen, "field 'events': not an array");
	sc->p++;
	for (;; item++) {
		scan_ws(sc);
		if (item == 0 && sc->p < sc->end && *sc->p == ']')
			return errf(err, errlen, "field 'events': empty");
		if (sc->p >= sc->end || *sc->p != '{') {
			if (scan_value(sc, 2) != 0)
				goto syntax;
			return errf(err, errlen, "field 'events': item %zu is "
			    "not an object", item);
		}
		if (item >= WIRE_MAX_BATCH)
			return errf(err, errlen, "field 'events': more than %d "
			    "items", WIRE_MAX_BATCH);
		start = sc->p;
		idv = NULL;
		if (scan_object(sc, 3, &idv, &idl) != 0)
			goto syntax;
		if (idv == NULL)
			return errf(err, errlen, "field 'events': item %zu: "
			    "missing field 'id'", item);
		if (id_token(idv, idl, &id) != 0)
			return errf(err, errlen, "field 'events': item %zu: "
			    "field 'id': not an integer in 0..%lld", item,
			    WIRE_MAX_ID);
		if (add_event(m, &cap, id, start, (size_t)(sc->p - start)) !=
		    0)
			return errf(err, errlen, "out of memory");
		scan_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == ']')
			break;
		scan_fail(sc, sc->p, "',' or ']' expected");
		goto syntax;
	}
	sc->p++;
	return 0;
syntax:
	return errf(err, errlen, "field 'events': item %zu: not JSON: %s "
	    "(byte %zu)", item, sc->why, sc->pos + 1);
}

/*
 * Decode an "events" push (wire_decode has seen its "type").  The members
 * are "type", "sub" (optional) and "events", in any order.
 */
static int
decode_events(const char *frame, size_t len, struct wire_msg *m, char *err,
    size_t errlen)
{
	struct scan sc;
	struct keyref k;
	const char *v;
	char	 key[16];
	int	 have = 0, bit, real;
	int64_t	 sub = -1;

	memset(&sc, 0, sizeof(sc));
	if ((m->text = malloc(len + 1)) == NULL) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	memcpy(m->text, frame, len);
	m->text[len] = '\0';
	sc.s = sc.p = m->text;
	sc.end = m->text + len;
	scan_ws(&sc);
	if (sc.p >= sc.end || *sc.p != '{') {
		errf(err, errlen, "message is not a JSON object");
		goto fail;
	}
	sc.p++;
	for (;;) {
		scan_ws(&sc);
		if (sc.p >= sc.end || *sc.p != '"') {
			scan_fail(&sc, sc.p, "string expected");
			goto syntax;
		}
		if (scan_string(&sc, &k) != 0)
			goto syntax;
		key[0] = '\0';
		if (k.len < sizeof(key))
			key[unescape(k.p, k.len, key)] = '\0';
		bit = strcmp(key, "type") == 0 ? 1 : strcmp(key, "sub") == 0 ?
		    2 : strcmp(key, "events") == 0 ? 4 : 0;
		if (bit == 0) {
			if (k.len <= 64 && !k.esc && clean_text(k.p, k.len, 0))
				errf(err, errlen, "events: unknown field '%.*s'",
				    (int)k.len, k.p);
			else
				errf(err, errlen, "events: unknown field");
			goto fail;
		}
		if (have & bit) {
			errf(err, errlen, "events: duplicate key '%s'", key);
			goto fail;
		}
		have |= bit;
		scan_ws(&sc);
		if (sc.p >= sc.end || *sc.p != ':') {
			scan_fail(&sc, sc.p, "':' expected");
			goto syntax;
		}
		sc.p++;
		scan_ws(&sc);
		v = sc.p;
		if (bit == 1) {
			if (sc.p >= sc.end || *sc.p != '"' ||
			    scan_string(&sc, &k) != 0 || !key_is(&k, "events")) {
				errf(err, errlen, "field 'type': not \"events\"");
				goto fail;
			}
		} else if (bit == 2) {
			if (sc.p >= sc.end || (*sc.p != '-' &&
			    !is_digit(*sc.p)) || scan_number(&sc, &real) != 0 ||
			    id_token(v, (size_t)(sc.p - v), &sub) != 0) {
				errf(err, errlen, "field 'sub': not an integer in "
				    "0..%lld", WIRE_MAX_ID);
				goto fail;
			}
		} else if (scan_events(&sc, m, err, errlen) != 0)
			goto fail;
		scan_ws(&sc);
		if (sc.p < sc.end && *sc.p == ',') {
			sc.p++;
			continue;
		}
		if (sc.p < sc.end && *sc.p == '}')
			break;
		scan_fail(&sc, sc.p, "',' or '}' expected");
		goto syntax;
	}
	sc.p++;
	scan_ws(&sc);
	if (sc.p != sc.end) {
		scan_fail(&sc, sc.p, "end of input expected");
		goto syntax;
	}
	if (!(have & 4)) {
		errf(err, errlen, "events: missing field 'events'");
		goto fail;
	}
	if ((m->root = json_pack("{s:s}", "type", "events")) == NULL ||
	    (sub >= 0 && json_object_set_new(m->root, "sub",
	    json_integer(sub)) != 0)) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	free(sc.keys);
	m->type = WIRE_EVENTS;
	return 0;
syntax:
	errf(err, errlen, "not JSON: %s (byte %zu)", sc.why, sc.pos + 1);
fail:
	free(sc.keys);
	wire_msg_release(m);
	return -1;
}

/* Raw JSON: step over things without checking them. */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* Past the value at p (proto/jsonfast.c), or NULL when there is none. */
static const char *
skip_value(const char *p, const char *end)
{
	size_t	 n = jsonfast_skip(p, (size_t)(end - p));

	return n == 0 ? NULL : p + n;
}

int
wire_json_member(const char *obj, size_t len, const char *key,
    const char **val, size_t *vlen)
{
	const char *p, *end = obj + len, *ks, *v;
	char	 tmp[128];
	size_t	 kl = strlen(key), n;
	int	 got;

	p = skip_ws(obj, end);
	if (p >= end || *p != '{')
		return -1;
	for (p++;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return -1;
		ks = p;
		if ((p = skip_value(p, end)) == NULL)
			return -1;
		n = (size_t)(p - ks);		/* with the quotes */
		if (memchr(ks, '\\', n) == NULL)
			got = n == kl + 2 && memcmp(ks + 1, key, kl) == 0;
		else
			got = n < sizeof(tmp) && wire_json_str(ks, n, tmp,
			    sizeof(tmp)) == (int)kl && memcmp(tmp, key, kl) == 0;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return -1;
		v = p = skip_ws(p + 1, end);
		if ((p = skip_value(p, end)) == NULL)
			return -1;
		if (got) {
			*val = v;
			*vlen = (size_t)(p - v);
			return 0;
		}
		p = skip_ws(p, end);
		if (p >= end || *p != ',')
			return -1;
		p++;
	}
}

int
wire_json_str(const char *v, size_t vlen, char *out, size_t outlen)
{
	const char *p = v, *end = v + vlen, *why;
	unsigned char dec[4];
	size_t	 o = 0, n, used;
	unsigned char c;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (vlen < 2 || *p != '"')
		return -1;
	for (p++; p < end && *p != '"'; p += used) {
		c = (unsigned char)*p;
		if (c == '\\') {
			if ((used = unescape_one(p, end, dec, &n, &why)) == 0) {
				/* not valid: a replacement character */
				used = 2;
				n = utf8_put(0xfffd, dec);
			}
		} else {
			n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if ((size_t)(end - p) < n)
				n = (size_t)(end - p);
			memcpy(dec, p, n);
			used = n;
		}
		if (o + n >= outlen)
			break;
		memcpy(out + o, dec, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}

int
wire_json_field(const char *obj, size_t len, const char *key, char *out,
    size_t outlen)
{
	const char *v;
	size_t	 vl;

	if (outlen > 0)
		out[0] = '\0';
	if (wire_json_member(obj, len, key, &v, &vl) != 0)
		return -1;
	return wire_json_str(v, vl, out, outlen);
}

/* Builders of event batches. */

int
wire_events_head(struct buf *out, int64_t sub)
{
	size_t	 was = out->len;

	if (buf_puts(out, "{\"type\":\"events\"") != 0 ||
	    (sub >= 0 && buf_printf(out, ",\"sub\":%" PRId64, sub) != 0) ||
	    buf_puts(out, ",\"events\":[") != 0) {
		if (out->data != NULL)
			out->data[out->len = was] = '\0';
		return -1;
	}
	return 0;
}

int
wire_events_tail(struct buf *out)
{
	return buf_puts(out, "]}");
}

int
wire_event_text(struct buf *out, int64_t id, const char *json, size_t len)
{
	struct jsonfast_error je;
	const char *p, *end = json + len, *v;
	struct buf tmp;
	json_t	*ev = NULL;
	size_t	 was = out->len, vl;

	p = skip_ws(json, end);
	if (p >= end || *p != '{')
		return -1;
	buf_init(&tmp);
	if (buf_printf(out, "{\"id\":%" PRId64, id) != 0)
		goto fail;
	if (wire_json_member(json, len, "id", &v, &vl) == 0) {
		/* It has one already (a plugin put it there): replace it. */
		if ((ev = jsonfast_parse(json, len, NULL, WIRE_MAX_DEPTH,
		    &je)) == NULL || !json_is_object(ev))
			goto fail;
		json_object_del(ev, "id");
		if (jsonfast_dump(&tmp, ev) != 0)
			goto fail;
		json = tmp.data;
		end = tmp.data + tmp.len;
		p = tmp.data;
	}
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		if (buf_puts(out, "}") != 0)
			goto fail;
	} else if (buf_puts(out, ",") != 0 || buf_append(out, p,
	    (size_t)(end - p)) != 0)
		goto fail;
	json_decref(ev);
	buf_release(&tmp);
	return 0;
fail:
	json_decref(ev);
	buf_release(&tmp);
	if (out->data != NULL)
		out->data[out->len = was] = '\0';
	return -1;
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
		return decode_events(frame, len, m, err, errlen);
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
