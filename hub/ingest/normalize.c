/*
 * normalize — turn any shipper's event into ward's schema (README.md).
 *
 * Field            taken from (first one present and readable wins)
 * ---------------  ----------------------------------------------------------
 * utctimestamp     utctimestamp, timestamp, @timestamp, date, eventtime,
 *                  time, timereported (rsyslog), ISODATE (syslog-ng),
 *                  EventTime (NXLog; no zone: UTC), _SOURCE_REALTIME_
 *                  TIMESTAMP, __REALTIME_TIMESTAMP (journald, µs), DATE
 *                  (syslog-ng), event.created (ECS), timegenerated (ISO
 *                  8601, RFC 2822, RFC 3164 strings; epoch s/ms/us as
 *                  numbers or digit strings); none readable: arrival time
 * receivedtimestamp  always the arrival time (opts->received_us); a sent
 *                  receivedtimestamp goes to details.receivedtimestamp
 * category         category (string)
 * severity         severity, level, log.level (inside a "log" object),
 *                  "log.level", syslogseverity, syslog_severity,
 *                  syslogseverity-text, PRIORITY (syslog-ng's name,
 *                  journald's number), Severity, SyslogSeverity,
 *                  SyslogSeverityValue (NXLog): a name (severity_parse) or
 *                  a syslog number 0-7 (GELF level too); then NXLog's
 *                  SeverityValue (1 DEBUG, 2 INFO, 3 WARNING, 4 ERROR,
 *                  5 CRITICAL), log.syslog.severity.name and .code (ECS),
 *                  pri (a PRI number, read and left in details); none
 *                  readable: INFO, and the first unreadable value is kept
 *                  as details.severity_original
 * summary          summary, message, short_message, payload, msg, log,
 *                  MESSAGE (syslog-ng, journald), Message (NXLog) (strings,
 *                  white space around them taken off: rsyslog's msg starts
 *                  with the space after the tag's colon)
 * hostname         hostname, host (string), host.name, host.hostname
 *                  (inside a "host" object), "host.name", "host.hostname",
 *                  HOST (syslog-ng), Hostname (NXLog), _HOSTNAME
 *                  (journald), log.syslog.hostname, source_host, fromhost,
 *                  HOST_FROM (the relay, last)
 * processname      processname, program, pname, programname, process.name
 *                  (inside a "process" object), "process.name", appname
 *                  (Vector), app-name (rsyslog), ident (Fluent Bit),
 *                  PROGRAM (syslog-ng), SYSLOG_IDENTIFIER (journald),
 *                  SourceName (NXLog), log.syslog.appname, _COMM; else the
 *                  name in rsyslog's syslogtag ("sshd[12]:", left in
 *                  details)
 * processid        pid, processid, procid, process.pid (inside "process"),
 *                  "process.pid", PID, _PID, SYSLOG_PID, ProcessID,
 *                  log.syslog.procid, else syslogtag's: numbers kept, digit
 *                  strings become integers, other strings kept as they are
 * source           source (string)
 * tags             tags: an array as is; a string becomes [string], or is
 *                  split at commas ("a, b" gives ["a","b"]); none: []
 * details.facility facility, syslogfacility-text, syslogfacility, FACILITY,
 *                  SYSLOG_FACILITY, SyslogFacility, SyslogFacilityValue,
 *                  log.syslog.facility.name and .code, pri: as the
 *                  facility's lower-case name ("auth", "local3"); a value
 *                  that is not a facility stays under its own name
 * details          the sent details object, plus every other key
 *
 * Every key not used above goes into details under its own name, a leading
 * '@' removed (@version -> details.version); so do aliases that lost to an
 * earlier one and values that could not be read.  A "host", "log",
 * "process" or "event" object that gave up a field keeps the rest of its
 * keys in details (details.host without "name"; objects left empty on the
 * way go).  When a name is taken in details
 * already, the newcomer gets "_2", "_3"...  details.hub is the hub's name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "normalize.h"
#include "timeparse.h"

/* The top-level keys we look at; the names below in strcmp order.
   K_NG_ are syslog-ng's macros, K_J_ journald's fields, K_NX_ NXLog's. */
enum key {
	K_AT_TIMESTAMP, K_NG_DATE, K_NX_EVENTTIME, K_NG_FACILITY,
	K_NG_HOST, K_NG_HOST_FROM, K_NX_HOSTNAME, K_NG_ISODATE,
	K_NG_MESSAGE, K_NX_MESSAGE, K_NG_PID, K_NG_PRIORITY,
	K_NG_PROGRAM, K_NX_PROCESSID, K_J_FACILITY, K_J_IDENTIFIER,
	K_J_SYSLOG_PID, K_NX_SEVERITY, K_NX_SEVERITYVALUE,
	K_NX_SOURCENAME, K_NX_SYSLOGFACILITY, K_NX_SYSLOGFACILITYVALUE,
	K_NX_SYSLOGSEVERITY, K_NX_SYSLOGSEVERITYVALUE, K_J_COMM,
	K_J_HOSTNAME, K_J_PID, K_J_SOURCE_REALTIME, K_J_REALTIME,
	K_APP_NAME, K_APPNAME, K_CATEGORY, K_DATE, K_DETAILS, K_EVENT,
	K_EVENTTIME, K_FACILITY, K_FROMHOST, K_HOST, K_HOST_HOSTNAME,
	K_HOST_NAME, K_HOSTNAME, K_IDENT, K_LEVEL, K_LOG, K_LOG_LEVEL,
	K_MESSAGE, K_MSG, K_PAYLOAD, K_PID, K_PNAME, K_PRI, K_PROCESS,
	K_PROCESS_NAME, K_PROCESS_PID, K_PROCESSID, K_PROCESSNAME,
	K_PROCID, K_PROGRAM, K_PROGRAMNAME, K_RECEIVEDTIMESTAMP,
	K_SEVERITY, K_SHORT_MESSAGE, K_SOURCE, K_SOURCE_HOST, K_SUMMARY,
	K_SYSLOG_SEVERITY, K_SYSLOGFACILITY, K_SYSLOGFACILITY_TEXT,
	K_SYSLOGSEVERITY, K_SYSLOGSEVERITY_TEXT, K_SYSLOGTAG, K_TAGS,
	K_TIME, K_TIMEGENERATED, K_TIMEREPORTED, K_TIMESTAMP,
	K_UTCTIMESTAMP,
	K_N
};

static const char *const key_names[K_N] = {
	"@timestamp", "DATE", "EventTime", "FACILITY", "HOST",
	"HOST_FROM", "Hostname", "ISODATE", "MESSAGE", "Message", "PID",
	"PRIORITY", "PROGRAM", "ProcessID", "SYSLOG_FACILITY",
	"SYSLOG_IDENTIFIER", "SYSLOG_PID", "Severity", "SeverityValue",
	"SourceName", "SyslogFacility", "SyslogFacilityValue",
	"SyslogSeverity", "SyslogSeverityValue", "_COMM", "_HOSTNAME",
	"_PID", "_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP",
	"app-name", "appname", "category", "date", "details", "event",
	"eventtime", "facility", "fromhost", "host", "host.hostname",
	"host.name", "hostname", "ident", "level", "log", "log.level",
	"message", "msg", "payload", "pid", "pname", "pri", "process",
	"process.name", "process.pid", "processid", "processname",
	"procid", "program", "programname", "receivedtimestamp",
	"severity", "short_message", "source", "source_host", "summary",
	"syslog_severity", "syslogfacility", "syslogfacility-text",
	"syslogseverity", "syslogseverity-text", "syslogtag", "tags",
	"time", "timegenerated", "timereported", "timestamp",
	"utctimestamp"
};

enum field {
	F_UTC, F_SEVERITY, F_CATEGORY, F_SUMMARY, F_HOSTNAME, F_PNAME,
	F_PID, F_SOURCE, F_TAGS, F_FACILITY,
	F_N
};

/* How a candidate's value is read, beyond its field's usual way. */
enum how {
	H_PLAIN,
	H_PRI,		/* a PRI number: severity or facility from it; read
			   but left in details */
	H_NXLOG		/* NXLog's SeverityValue: 1 DEBUG .. 5 CRITICAL */
};

/* Where a field may come from: a top-level key, or a path of keys
   ("a.b") into the object under that key. */
struct cand {
	enum key	 key;
	const char	*sub;
	enum how	 how;
};

#define CAND_MAX	16

static const struct cand cands[F_N][CAND_MAX + 1] = {
	[F_UTC] = {
		{ K_UTCTIMESTAMP, NULL }, { K_TIMESTAMP, NULL },
		{ K_AT_TIMESTAMP, NULL }, { K_DATE, NULL },
		{ K_EVENTTIME, NULL }, { K_TIME, NULL },
		{ K_TIMEREPORTED, NULL }, { K_NG_ISODATE, NULL },
		{ K_NX_EVENTTIME, NULL }, { K_J_SOURCE_REALTIME, NULL },
		{ K_J_REALTIME, NULL }, { K_NG_DATE, NULL },
		{ K_EVENT, "created" }, { K_TIMEGENERATED, NULL },
		{ K_N, NULL }
	},
	[F_SEVERITY] = {
		{ K_SEVERITY, NULL }, { K_LEVEL, NULL }, { K_LOG, "level" },
		{ K_LOG_LEVEL, NULL }, { K_SYSLOGSEVERITY, NULL },
		{ K_SYSLOG_SEVERITY, NULL }, { K_SYSLOGSEVERITY_TEXT, NULL },
		{ K_NG_PRIORITY, NULL }, { K_NX_SEVERITY, NULL },
		{ K_NX_SYSLOGSEVERITY, NULL },
		{ K_NX_SYSLOGSEVERITYVALUE, NULL },
		{ K_NX_SEVERITYVALUE, NULL, H_NXLOG },
		{ K_LOG, "syslog.severity.name" },
		{ K_LOG, "syslog.severity.code" },
		{ K_PRI, NULL, H_PRI }, { K_N, NULL }
	},
	[F_CATEGORY] = { { K_CATEGORY, NULL }, { K_N, NULL } },
	[F_SUMMARY] = {
		{ K_SUMMARY, NULL }, { K_MESSAGE, NULL },
		{ K_SHORT_MESSAGE, NULL }, { K_PAYLOAD, NULL },
		{ K_MSG, NULL }, { K_LOG, NULL }, { K_NG_MESSAGE, NULL },
		{ K_NX_MESSAGE, NULL }, { K_N, NULL }
	},
	[F_HOSTNAME] = {
		{ K_HOSTNAME, NULL }, { K_HOST, NULL }, { K_HOST, "name" },
		{ K_HOST, "hostname" }, { K_HOST_NAME, NULL },
		{ K_HOST_HOSTNAME, NULL }, { K_NG_HOST, NULL },
		{ K_NX_HOSTNAME, NULL }, { K_J_HOSTNAME, NULL },
		{ K_LOG, "syslog.hostname" }, { K_SOURCE_HOST, NULL },
		{ K_FROMHOST, NULL }, { K_NG_HOST_FROM, NULL }, { K_N, NULL }
	},
	[F_PNAME] = {
		{ K_PROCESSNAME, NULL }, { K_PROGRAM, NULL },
		{ K_PNAME, NULL }, { K_PROGRAMNAME, NULL },
		{ K_PROCESS, "name" }, { K_PROCESS_NAME, NULL },
		{ K_APPNAME, NULL }, { K_APP_NAME, NULL }, { K_IDENT, NULL },
		{ K_NG_PROGRAM, NULL }, { K_J_IDENTIFIER, NULL },
		{ K_NX_SOURCENAME, NULL }, { K_LOG, "syslog.appname" },
		{ K_J_COMM, NULL }, { K_N, NULL }
	},
	[F_PID] = {
		{ K_PID, NULL }, { K_PROCESSID, NULL }, { K_PROCID, NULL },
		{ K_PROCESS, "pid" }, { K_PROCESS_PID, NULL },
		{ K_NG_PID, NULL }, { K_J_PID, NULL }, { K_J_SYSLOG_PID, NULL },
		{ K_NX_PROCESSID, NULL }, { K_LOG, "syslog.procid" },
		{ K_N, NULL }
	},
	[F_SOURCE] = { { K_SOURCE, NULL }, { K_N, NULL } },
	[F_TAGS] = { { K_TAGS, NULL }, { K_N, NULL } },
	[F_FACILITY] = {
		{ K_FACILITY, NULL }, { K_SYSLOGFACILITY_TEXT, NULL },
		{ K_SYSLOGFACILITY, NULL }, { K_NG_FACILITY, NULL },
		{ K_J_FACILITY, NULL }, { K_NX_SYSLOGFACILITY, NULL },
		{ K_NX_SYSLOGFACILITYVALUE, NULL },
		{ K_LOG, "syslog.facility.name" },
		{ K_LOG, "syslog.facility.code" },
		{ K_PRI, NULL, H_PRI }, { K_N, NULL }
	},
};


static int
key_cmp(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

static int
key_lookup(const char *k)
{
	const char *const	*p;

	p = bsearch(k, key_names, K_N, sizeof(key_names[0]), key_cmp);
	return p != NULL ? (int)(p - key_names) : -1;
}

/* A syslog number 0-7 given as a JSON number: its rank, or -1. */
static int
severity_number(const json_t *v)
{
	double	 d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		return i >= 0 && i <= 7 ? SEV_EMERGENCY - (int)i : -1;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= 0 && d <= 7 && d == (double)(int)d)
			return SEV_EMERGENCY - (int)d;
	}
	return -1;
}

/* Digits with an optional '-', fitting an int64: 0 and *v, else -1. */
static int
parse_int(const char *s, json_int_t *v)
{
	int64_t	 x = 0;
	int	 neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || x > (INT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (*s - '0');
	}
	*v = neg ? -x : x;
	return 0;
}

struct pick {
	json_t		*v;		/* the value read, our reference */
	int		 rank;		/* severity */
	int64_t		 us;		/* utctimestamp */
};

/* An integer 0..max as a JSON number or a digit string: it, or -1. */
static int
small_int(const json_t *v, int max)
{
	json_int_t i;

	if (json_is_integer(v)) {
		i = json_integer_value(v);
		return i >= 0 && i <= max ? (int)i : -1;
	}
	if (json_is_string(v) &&
	    parse_int(json_string_value(v), &i) == 0 && i >= 0 && i <= max)
		return (int)i;
	return -1;
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A string without the white space around it: a new reference to v
   itself when there is none, else to a trimmed copy; NULL out of memory. */
static json_t *
trimmed(json_t *v)
{
	const char *s = json_string_value(v), *e;
	size_t	 n = json_string_length(v);

	if (n == 0 || (!is_ws(s[0]) && !is_ws(s[n - 1])))
		return json_incref(v);
	e = s + n;
	while (s < e && is_ws(*s))
		s++;
	while (e > s && is_ws(e[-1]))
		e--;
	return json_stringn(s, (size_t)(e - s));
}

/* Can field f be read from v (candidate c)?  Sets p (with a new
   reference).  1 yes, 0 no, -1 out of memory. */
static int
readable(enum field f, const struct cand *c, json_t *v, int64_t now_us,
    struct pick *p)
{
	json_int_t	 i;
	int		 n;

	if (c->how == H_PRI) {
		if ((n = small_int(v, 191)) == -1)
			return 0;
		if (f == F_SEVERITY) {
			p->rank = SEV_EMERGENCY - (n & 7);
			p->v = json_incref(v);
			return 1;
		}
		return (p->v = json_string(facility_name(n >> 3))) ? 1 : -1;
	}
	switch (f) {
	case F_UTC:
		if (json_is_string(v) &&
		    time_parse(json_string_value(v), now_us, &p->us) == 0)
			break;
		if (json_is_number(v) &&
		    time_from_number(json_number_value(v), &p->us) == 0)
			break;
		return 0;
	case F_SEVERITY:
		if (c->how == H_NXLOG) {
			static const int nx[] = { -1, SEV_DEBUG, SEV_INFO,
			    SEV_WARNING, SEV_ERROR, SEV_CRITICAL };

			p->rank = (n = small_int(v, 5)) == -1 ? -1 : nx[n];
		} else if (json_is_string(v))
			p->rank = severity_parse(json_string_value(v));
		else
			p->rank = severity_number(v);
		if (p->rank == -1)
			return 0;
		break;
	case F_PID:
		if (json_is_string(v) &&
		    parse_int(json_string_value(v), &i) == 0) {
			if ((p->v = json_integer(i)) == NULL)
				return -1;
			return 1;
		}
		if (!json_is_string(v) && !json_is_number(v))
			return 0;
		break;
	case F_TAGS:
		if (!json_is_array(v) && !json_is_string(v))
			return 0;
		break;
	case F_FACILITY:
		n = json_is_string(v) ? facility_parse(json_string_value(v)) :
		    small_int(v, FACILITY_MAX);
		if (n == -1)
			return 0;
		return (p->v = json_string(facility_name(n))) ? 1 : -1;
	case F_SUMMARY:
		if (!json_is_string(v))
			return 0;
		return (p->v = trimmed(v)) != NULL ? 1 : -1;
	default:
		if (!json_is_string(v))
			return 0;
		break;
	}
	p->v = json_incref(v);
	return 1;
}

/* The value at path "a.b.c" under the object o, or NULL. */
static json_t *
path_get(json_t *o, const char *path)
{
	const char *dot;
	char	 seg[64];

	while ((dot = strchr(path, '.')) != NULL) {
		if ((size_t)(dot - path) >= sizeof seg)
			return NULL;
		memcpy(seg, path, (size_t)(dot - path));
		seg[dot - path] = '\0';
		o = json_object_get(o, seg);
		if (!json_is_object(o))
			return NULL;
		path = dot + 1;
	}
	return json_object_get(o, path);
}

/* Delete path under o, and every object on the way it leaves empty. */
static int
path_del(json_t *o, const char *path)
{
	const char *dot = strchr(path, '.');
	json_t	*sub;
	char	 seg[64];

	if (dot == NULL)
		return json_object_del(o, path);
	if ((size_t)(dot - path) >= sizeof seg)
		return -1;
	memcpy(seg, path, (size_t)(dot - path));
	seg[dot - path] = '\0';
	if ((sub = json_object_get(o, seg)) == NULL ||
	    path_del(sub, dot + 1) == -1)
		return -1;
	return json_object_size(sub) == 0 ? json_object_del(o, seg) : 0;
}

/* tags from a string: [s], or its comma-separated parts trimmed. */
static json_t *
tags_from_string(const char *s)
{
	json_t		*a;
	const char	*e, *t;

	if ((a = json_array()) == NULL)
		return NULL;
	if (strchr(s, ',') == NULL) {
		if (json_array_append_new(a, json_string(s)) == -1)
			goto fail;
		return a;
	}
	for (;;) {
		e = s + strcspn(s, ",");
		t = e;
		while (*s == ' ' || *s == '\t')
			s++;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if (t > s &&
		    json_array_append_new(a, json_stringn(s, t - s)) == -1)
			goto fail;
		if (*e == '\0')
			break;
		s = e + 1;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* rsyslog's syslogtag ("sshd[1234]:"): the program name and PID it
   holds, for those not read from elsewhere; the tag stays in details.
   Returns 0 or -1 (memory). */
static int
from_tag(const char *t, struct pick *name, struct pick *pid)
{
	size_t	 n = strcspn(t, "[:"), k;
	json_int_t v = 0;

	if (name->v == NULL && n > 0 &&
	    (name->v = json_stringn(t, n)) == NULL)
		return -1;
	if (pid->v != NULL || t[n] != '[')
		return 0;
	for (k = n + 1; t[k] >= '0' && t[k] <= '9' && k < n + 19; k++)
		v = v * 10 + (t[k] - '0');
	if (k == n + 1 || t[k] != ']')
		return 0;
	return (pid->v = json_integer(v)) != NULL ? 0 : -1;
}

static int	set_string(json_t *, const char *, const char *);

/* Put v (a new reference taken) into details under name, or under
   name_2, name_3... when name is taken.  Returns 0 or -1. */
static int
details_put(json_t *d, const char *name, json_t *v)
{
	struct buf	 b;
	unsigned	 i;
	int		 rc = -1;

	if (json_object_get(d, name) == NULL)
		return json_object_set(d, name, v);
	buf_init(&b);
	for (i = 2; ; i++) {
		buf_reset(&b);
		if (buf_printf(&b, "%s_%u", name, i) == -1)
			goto fail;
		if (json_object_get(d, b.data) == NULL)
			break;
	}
	rc = json_object_set(d, b.data, v);
fail:
	buf_release(&b);
	return rc;
}

/* Set a new string field: json_object_set_new of a copy. */
static int
set_string(json_t *ev, const char *k, const char *s)
{
	return json_object_set_new(ev, k, json_string(s));
}

/* The string fields of f, borrowed from the normalized event ev. */
static void
read_strings(const json_t *ev, struct event_fields *f)
{
	f->category = json_string_value(json_object_get(ev, "category"));
	f->hostname = json_string_value(json_object_get(ev, "hostname"));
	f->processname = json_string_value(json_object_get(ev,
	    "processname"));
	f->source = json_string_value(json_object_get(ev, "source"));
	f->summary = json_string_value(json_object_get(ev, "summary"));
}

int
normalize_fields(const json_t *ev, int64_t received_us,
    struct event_fields *f)
{
	const char *s;

	if (!json_is_object(ev))
		return -1;
	f->received_us = received_us;
	s = json_string_value(json_object_get(ev, "utctimestamp"));
	if (s == NULL || time_parse(s, received_us, &f->utc_us) == -1)
		f->utc_us = received_us;
	s = json_string_value(json_object_get(ev, "severity"));
	if ((f->severity = severity_parse(s)) == -1)
		f->severity = SEV_INFO;
	read_strings(ev, f);
	return 0;
}

int
normalize_event(json_t *ev, const struct normalize_opts *o,
    struct event_fields *fo)
{
	json_t		*seen[K_N], *details = NULL, *sevorig = NULL, *v, *obj;
	struct pick	 got[F_N];
	unsigned char	 used[K_N], emptied[K_N];
	const struct cand *c;
	const char	*k;
	char		 ts[TIME_ISO_LEN];
	int		 f, id, r, rc = -1;
	int64_t		 now = o->received_us;

	if (!json_is_object(ev))
		return -1;
	memset(seen, 0, sizeof(seen));
	memset(got, 0, sizeof(got));
	memset(used, 0, sizeof(used));
	memset(emptied, 0, sizeof(emptied));
	json_object_foreach(ev, k, v)
		if ((id = key_lookup(k)) != -1)
			seen[id] = v;

	/* Pick each field: the first candidate that can be read. */
	for (f = 0; f < F_N; f++) {
		for (c = cands[f]; c->key != K_N; c++) {
			if ((v = seen[c->key]) == NULL || used[c->key])
				continue;
			if (c->sub != NULL && (!json_is_object(v) ||
			    (v = path_get(v, c->sub)) == NULL))
				continue;
			if ((r = readable(f, c, v, now, &got[f])) == -1)
				goto fail;
			if (r == 1 && c->how == H_PRI)
				break;		/* left in details */
			if (r == 0) {
				if (f != F_SEVERITY || sevorig != NULL ||
				    c->how == H_PRI)
					continue;
				/* the first unreadable severity is set aside
				   for details.severity_original */
				sevorig = json_incref(v);
			}
			/* the value is used: it does not go to details */
			if (c->sub != NULL) {
				if (path_del(seen[c->key], c->sub) == -1)
					goto fail;
				emptied[c->key] =
				    json_object_size(seen[c->key]) == 0;
			} else
				used[c->key] = 1;
			if (r == 1)
				break;
		}
	}
	if (got[F_SEVERITY].v == NULL)
		got[F_SEVERITY].rank = SEV_INFO;
	if (json_is_string(seen[K_SYSLOGTAG]) &&
	    from_tag(json_string_value(seen[K_SYSLOGTAG]), &got[F_PNAME],
	    &got[F_PID]) == -1)
		goto fail;

	/* details: the sent object, then everything not used above */
	if (json_is_object(seen[K_DETAILS])) {
		details = json_incref(seen[K_DETAILS]);
		used[K_DETAILS] = 1;
	} else if ((details = json_object()) == NULL)
		goto fail;
	json_object_foreach(ev, k, v) {
		id = key_lookup(k);
		if (id != -1 && (used[id] || emptied[id]))
			continue;
		/* (k itself must not move: the loop walks from it) */
		if (details_put(details, k[0] == '@' && k[1] != '\0' ?
		    k + 1 : k, v) == -1)
			goto fail;
	}
	if (got[F_FACILITY].v != NULL &&
	    details_put(details, "facility", got[F_FACILITY].v) == -1)
		goto fail;
	if (sevorig != NULL &&
	    details_put(details, "severity_original", sevorig) == -1)
		goto fail;
	if (o->hub != NULL) {
		/* a hub name sent by the shipper moves to hub_2 */
		obj = json_object_get(details, "hub");
		if (obj != NULL && !(json_is_string(obj) &&
		    strcmp(json_string_value(obj), o->hub) == 0) &&
		    details_put(details, "hub", obj) == -1)
			goto fail;
		if (set_string(details, "hub", o->hub) == -1)
			goto fail;
	}

	/* Rebuild ev: the standard fields in a fixed order, then details. */
	json_object_clear(ev);
	if (got[F_UTC].v == NULL)
		got[F_UTC].us = now;
	time_format(got[F_UTC].us, ts);
	if (set_string(ev, "utctimestamp", ts) == -1)
		goto fail;
	time_format(now, ts);
	if (set_string(ev, "receivedtimestamp", ts) == -1)
		goto fail;
	if (got[F_CATEGORY].v != NULL &&
	    json_object_set(ev, "category", got[F_CATEGORY].v) == -1)
		goto fail;
	if (set_string(ev, "severity",
	    severity_name(got[F_SEVERITY].rank)) == -1)
		goto fail;
	if (got[F_SUMMARY].v != NULL &&
	    json_object_set(ev, "summary", got[F_SUMMARY].v) == -1)
		goto fail;
	if (got[F_HOSTNAME].v != NULL &&
	    json_object_set(ev, "hostname", got[F_HOSTNAME].v) == -1)
		goto fail;
	if (got[F_PNAME].v != NULL &&
	    json_object_set(ev, "processname", got[F_PNAME].v) == -1)
		goto fail;
	if (got[F_PID].v != NULL &&
	    json_object_set(ev, "processid", got[F_PID].v) == -1)
		goto fail;
	if (got[F_SOURCE].v != NULL &&
	    json_object_set(ev, "source", got[F_SOURCE].v) == -1)
		goto fail;
	if (got[F_TAGS].v == NULL)
		v = json_array();
	else if (json_is_string(got[F_TAGS].v))
		v = tags_from_string(json_string_value(got[F_TAGS].v));
	else
		v = json_incref(got[F_TAGS].v);
	if (json_object_set_new(ev, "tags", v) == -1)
		goto fail;
	if (json_object_set(ev, "details", details) == -1)
		goto fail;

	if (fo != NULL) {
		fo->utc_us = got[F_UTC].us;
		fo->received_us = now;
		fo->severity = got[F_SEVERITY].rank;
		read_strings(ev, fo);
	}
	rc = 0;
fail:
	json_decref(details);
	json_decref(sevorig);
	for (f = 0; f < F_N; f++)
		json_decref(got[f].v);
	return rc;
}

int
normalize_set_detail(json_t *ev, const char *name, const char *value)
{
	json_t	*d = json_object_get(ev, "details"), *old;

	if (!json_is_object(d))
		return -1;
	old = json_object_get(d, name);
	if (old != NULL && !(json_is_string(old) &&
	    strcmp(json_string_value(old), value) == 0) &&
	    details_put(d, name, old) == -1)
		return -1;
	return set_string(d, name, value);
}
