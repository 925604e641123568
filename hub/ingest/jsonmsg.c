/*
 * jsonmsg — JSON embedded in a message (jsonmsg.h).
 *
 * Programs that log JSON (Go and Node services, Docker's json-file,
 * NXLog's to_json() sent over syslog) end up with the object as the
 * syslog MSG, often after the tag: "app: {...}".  The step looks at the
 * last byte first (an object ends with '}'), then for a '{' near the
 * start, and only then parses, with ward's own JSON reader.
 */
#include <stdint.h>
#include <string.h>

#include "jsonfast.h"
#include "jsonmsg.h"
#include "pfield.h"
#include "timeparse.h"
#include "transit.h"

/* How far into a message the '{' is looked for. */
#define JM_SCAN		64
/* Nesting taken (the hub's own limit for bodies is deeper). */
#define JM_DEPTH	32

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

long
jsonmsg_find(const char *s, size_t n)
{
	const char *p;
	size_t	 lim;

	while (n > 0 && is_ws(s[n - 1]))
		n--;
	if (n < 2 || s[n - 1] != '}')
		return -1;
	if (s[0] == '{')
		return 0;
	lim = n < JM_SCAN ? n : JM_SCAN;
	if ((p = memchr(s, '{', lim)) == NULL || p[-1] != ' ')
		return -1;
	return (long)(p - s);
}

static const char *const msg_keys[] = {
	"message", "msg", "Message", "MESSAGE", "summary", NULL
};
static const char *const time_keys[] = {
	"timestamp", "@timestamp", "time", "ts", NULL
};

/* Is k one of set? */
static int
in(const char *k, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(k, *set) == 0)
			return 1;
	return 0;
}

/* "name:" or "name[pid]:" as processname (and processid) when the event
   has none; else the prefix as details.prefix. */
static int
prefix(json_t *ev, json_t *d, const char *p, size_t n)
{
	const char *b;
	int64_t	 pid;
	size_t	 k;

	while (n > 0 && is_ws(p[n - 1]))
		n--;
	if (n == 0)
		return 0;
	if (p[n - 1] == ':' && json_object_get(ev, "processname") == NULL) {
		for (k = 0; k < n - 1 && p[k] != ' ' && p[k] != '['; k++)
			;
		b = memchr(p, '[', n);
		if (k > 0 && (k == n - 1 || (b == p + k && p[n - 2] == ']'))) {
			if (json_object_set_new(ev, "processname",
			    json_stringn(p, k)) == -1)
				return -1;
			if (b != NULL && pfield_int(b + 1,
			    (size_t)(p + n - 2 - b - 1), &pid) &&
			    json_object_get(ev, "processid") == NULL &&
			    json_object_set_new(ev, "processid",
			    json_integer(pid)) == -1)
				return -1;
			return 0;
		}
	}
	if (p[n - 1] == ':')
		n--;
	return n == 0 ? 0 : pfield_add(d, "prefix", 6, json_stringn(p, n));
}

int
jsonmsg_apply(json_t *ev, const char *s, size_t n, size_t off)
{
	struct jsonfast_error err;
	json_t	*o, *d, *v, *sum = NULL;
	const char *k;
	int64_t	 us;
	int	 take_time, rc = -1;

	if ((o = jsonfast_parse(s + off, n - off, NULL, JM_DEPTH,
	    &err)) == NULL)
		return err.code == JSONFAST_NOMEM ? -1 : 0;
	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	if ((d = pfield_details(ev)) == NULL)
		goto fail;
	take_time = pfield_time_is_arrival(ev);
	json_object_foreach(o, k, v) {
		if (sum == NULL && json_is_string(v) && in(k, msg_keys)) {
			sum = v;
			continue;
		}
		if (take_time && in(k, time_keys) &&
		    ((json_is_string(v) && time_parse(json_string_value(v),
		    0, &us) == 0) || (json_is_number(v) &&
		    time_from_number(json_number_value(v), &us) == 0))) {
			if (pfield_time(ev, us) == -1)
				goto fail;
			take_time = 0;
			continue;
		}
		if (pfield_add(d, k, strlen(k), json_incref(v)) == -1)
			goto fail;
	}
	if (prefix(ev, d, s, off) == -1)
		goto fail;
	if (sum != NULL && json_object_set(ev, "summary", sum) == -1)
		goto fail;
	if (pfield_last(ev, "tags") == -1 || pfield_last(ev, "details") == -1)
		goto fail;
	rc = 1;
fail:
	json_decref(o);
	return rc;
}

/* The transit step: an object in the summary gives fields. */
static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	json_t	*sum;
	const char *s;
	size_t	 n;
	long	 off;
	int	 rc;

	(void)state, (void)w, (void)ctx;
	sum = json_object_get(ev, "summary");
	if ((s = json_string_value(sum)) == NULL)
		return 0;
	n = json_string_length(sum);
	if ((off = jsonmsg_find(s, n)) < 0)
		return 0;
	json_incref(sum);
	rc = jsonmsg_apply(ev, s, n, (size_t)off);
	json_decref(sum);
	return rc;
}

const struct transit_step transit_step_jsonmsg = {
	.name = "jsonmsg",
	.event = step_event,
};
