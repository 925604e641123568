/*
 * syslogline — RFC 3164 and RFC 5424 lines, by hand (syslogline.h).
 *
 * What real senders put in a "BSD" line varies (RFC 3164 only describes
 * it), so the reader is lenient where senders differ and strict where a
 * wrong guess would invent fields:
 *
 *   [<PRI>] TIMESTAMP [HOSTNAME] [TAG[[PID]]:] MSG
 *
 *   <PRI>      1-3 digits, at most 191; absent in files (/var/log/auth.log)
 *   TIMESTAMP  "Mmm dd hh:mm:ss" (day padded with a space or a zero),
 *              optionally ".fraction", a year before the clock ("Mmm dd
 *              yyyy hh:mm:ss") or after it; or RFC 3339 (rsyslog's
 *              RSYSLOG_FileFormat).  Required unless <PRI> is given.
 *   HOSTNAME   the next word, unless it ends with ':' or holds '[' (then
 *              it is the tag: a local line has no host) or '|' (then it
 *              is a CEF or LEEF header from a device that sends no host)
 *   TAG        up to 64 characters other than space, '[' and ':', ended by
 *              ':' or "[PID]:"; anything else is no tag, and the rest of
 *              the line is the MSG
 *
 * RFC 5424 is "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]"
 * with "-" for a nil value, taken strictly: a line that claims version 1
 * and does not follow it is read as RFC 3164 (after the "1 ").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "normalize.h"
#include "syslogline.h"
#include "timeparse.h"
#include "transit.h"

#define TAG_MAX		64

struct rd {
	const char	*s;
	size_t		 i, n;
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* n digits at r's position: their value, or -1 (r unmoved). */
static int
digits(struct rd *r, size_t n)
{
	int	 v = 0;
	size_t	 k;

	if (r->i + n > r->n)
		return -1;
	for (k = 0; k < n; k++) {
		if (!is_digit(r->s[r->i + k]))
			return -1;
		v = v * 10 + (r->s[r->i + k] - '0');
	}
	r->i += n;
	return v;
}

static int
take(struct rd *r, int c)
{
	if (r->i < r->n && r->s[r->i] == c) {
		r->i++;
		return 1;
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t	 era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
year_of(int64_t us)
{
	int64_t	 days = us / 86400000000 - (us % 86400000000 < 0);
	int64_t	 z = days + 719468, era, yoe, doy, mp;
	int64_t	 y;

	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	y = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365 + era * 400;
	doy = yoe - (365 * y + y / 4 - y / 100);
	mp = (5 * doy + 2) / 153;
	return (int)(y + (mp >= 10));
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* "Mmm": its number 1-12, or 0. */
static int
month(struct rd *r)
{
	int	 m;

	if (r->i + 3 > r->n)
		return 0;
	for (m = 0; m < 12; m++)
		if (memcmp(r->s + r->i, months + 3 * m, 3) == 0) {
			r->i += 3;
			return m + 1;
		}
	return 0;
}

/* "hh:mm:ss[.frac]": 0 with seconds of the day and µs, or -1. */
static int
clock_time(struct rd *r, int *sec, int *us)
{
	int	 h, mi, s, k;

	if ((h = digits(r, 2)) < 0 || !take(r, ':') ||
	    (mi = digits(r, 2)) < 0 || !take(r, ':') ||
	    (s = digits(r, 2)) < 0 || h > 23 || mi > 59 || s > 60)
		return -1;
	*us = 0;
	if (r->i + 1 < r->n && r->s[r->i] == '.' && is_digit(r->s[r->i + 1])) {
		r->i++;
		for (k = 0; r->i < r->n && is_digit(r->s[r->i]); r->i++, k++)
			if (k < 6)
				*us = *us * 10 + (r->s[r->i] - '0');
		for (; k < 6; k++)
			*us *= 10;
	}
	*sec = h * 3600 + mi * 60 + (s > 59 ? 59 : s);
	return 0;
}

static const unsigned char mdays[] = {
	31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
};

/* The BSD timestamp at r: 0 with *us, or -1 (r unmoved). */
static int
bsd_time(struct rd *r, int64_t now_us, int64_t *us)
{
	struct rd save = *r;
	int	 mon, day, year = -1, sec, frac, y, best;
	int64_t	 t, bt = 0, d, bd = INT64_MAX;

	if ((mon = month(r)) == 0 || !take(r, ' '))
		goto fail;
	if (take(r, ' ')) {
		if ((day = digits(r, 1)) < 1)
			goto fail;
	} else if ((day = digits(r, 2)) < 0 &&
	    (day = digits(r, 1)) < 1)
		goto fail;
	if (day < 1 || day > mdays[mon - 1] || !take(r, ' '))
		goto fail;
	if (r->i + 4 < r->n && r->s[r->i + 4] == ' ' &&
	    (year = digits(r, 4)) >= 0 && !take(r, ' '))
		goto fail;
	if (clock_time(r, &sec, &frac) == -1)
		goto fail;
	if (year < 0 && r->i + 5 <= r->n && r->s[r->i] == ' ' &&
	    (r->i + 5 == r->n || r->s[r->i + 5] == ' ')) {
		struct rd y4 = *r;

		y4.i++;
		if ((year = digits(&y4, 4)) >= 0)
			*r = y4;
	}
	if (year >= 0) {
		if (mon == 2 && day == 29 && (year % 4 != 0 ||
		    (year % 100 == 0 && year % 400 != 0)))
			goto fail;
		*us = (days_from_civil(year, (unsigned)mon, (unsigned)day) *
		    86400 + sec) * INT64_C(1000000) + frac;
		return 0;
	}
	/* no year: the one that puts the time nearest to arrival */
	best = year_of(now_us);
	for (y = best - 1; y <= best + 1; y++) {
		if (mon == 2 && day == 29 && (y % 4 != 0 ||
		    (y % 100 == 0 && y % 400 != 0)))
			continue;
		t = (days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 +
		    sec) * INT64_C(1000000) + frac;
		d = t > now_us ? t - now_us : now_us - t;
		if (d < bd) {
			bd = d;
			bt = t;
		}
	}
	if (bd == INT64_MAX)
		goto fail;
	*us = bt;
	return 0;
fail:
	*r = save;
	return -1;
}

/* The next word (up to a space or the end); r moves past it. */
static struct sl_span
word(struct rd *r)
{
	struct sl_span w = { r->s + r->i, 0 };

	while (r->i < r->n && r->s[r->i] != ' ')
		r->i++;
	w.n = (size_t)(r->s + r->i - w.p);
	return w;
}

/* An RFC 3339 timestamp word at r: 0 with *us, or -1 (r unmoved). */
static int
iso_time(struct rd *r, int64_t *us)
{
	struct rd save = *r;
	struct sl_span w;
	char	 buf[48];

	if (r->i + 19 > r->n || !is_digit(r->s[r->i]) ||
	    r->s[r->i + 4] != '-' || r->s[r->i + 10] != 'T')
		return -1;
	w = word(r);
	if (w.n >= sizeof buf)
		goto fail;
	memcpy(buf, w.p, w.n);
	buf[w.n] = '\0';
	if (time_parse(buf, 0, us) == -1)
		goto fail;
	return 0;
fail:
	*r = save;
	return -1;
}

/* The MSG from r on: white space and a BOM taken off both ends. */
static struct sl_span
msg_rest(struct rd *r)
{
	const char *p = r->s + r->i, *e = r->s + r->n;
	struct sl_span m;

	if (e - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < e && is_space(*p))
		p++;
	while (e > p && is_space(e[-1]))
		e--;
	m.p = p;
	m.n = (size_t)(e - p);
	return m;
}

/* "<PRI>": its value, or -1 (r unmoved). */
static int
pri(struct rd *r)
{
	struct rd save = *r;
	int	 v = 0, k;

	if (!take(r, '<'))
		return -1;
	for (k = 0; k < 3 && r->i < r->n && is_digit(r->s[r->i]); k++)
		v = v * 10 + (r->s[r->i++] - '0');
	if (k == 0 || v > 191 || !take(r, '>')) {
		*r = save;
		return -1;
	}
	return v;
}

/* RFC 5424 header field: a word, "-" giving an absent span. */
static int
field(struct rd *r, size_t max, struct sl_span *out)
{
	struct sl_span w = word(r);
	size_t	 k;

	if (w.n == 0 || w.n > max || !take(r, ' '))
		return -1;
	for (k = 0; k < w.n; k++)
		if ((unsigned char)w.p[k] < 33 || (unsigned char)w.p[k] > 126)
			return -1;
	if (w.n == 1 && w.p[0] == '-')
		w.p = NULL, w.n = 0;
	*out = w;
	return 0;
}

/* SD-NAME: 1-32 printable characters but '=', ' ', ']', '"'. */
static int
sd_name(struct rd *r)
{
	size_t	 k = 0;
	int	 c;

	while (r->i < r->n) {
		c = (unsigned char)r->s[r->i];
		if (c < 33 || c > 126 || c == '=' || c == ']' || c == '"')
			break;
		r->i++;
		k++;
	}
	return k >= 1 && k <= 32 ? 0 : -1;
}

/* STRUCTURED-DATA: "-" or one or more "[ID PARAM="V"...]". */
static int
sd(struct rd *r, struct sl_span *out)
{
	size_t	 start = r->i;

	if (take(r, '-')) {
		out->p = NULL;
		out->n = 0;
		return 0;
	}
	if (r->i >= r->n || r->s[r->i] != '[')
		return -1;
	while (take(r, '[')) {
		if (sd_name(r) == -1)
			return -1;
		while (take(r, ' ')) {
			if (sd_name(r) == -1 || !take(r, '=') ||
			    !take(r, '"'))
				return -1;
			for (;;) {
				if (r->i >= r->n)
					return -1;
				if (r->s[r->i] == '\\' && r->i + 1 < r->n) {
					r->i += 2;
					continue;
				}
				if (r->s[r->i++] == '"')
					break;
			}
		}
		if (!take(r, ']'))
			return -1;
	}
	out->p = r->s + start;
	out->n = r->i - start;
	return 0;
}

static int
rfc5424(struct rd *r, int64_t now_us, struct syslogline *l)
{
	(void)now_us;
	if (take(r, '-')) {
		if (!take(r, ' '))
			return -1;
	} else {
		if (iso_time(r, &l->utc_us) == -1 || !take(r, ' '))
			return -1;
		l->has_time = 1;
	}
	if (field(r, 255, &l->host) == -1 || field(r, 48, &l->app) == -1 ||
	    field(r, 128, &l->procid) == -1)
		return -1;
	/* MSGID may end the line when there is no SD either */
	if (field(r, 32, &l->msgid) == -1 || sd(r, &l->sd) == -1)
		return -1;
	if (r->i < r->n && !take(r, ' '))
		return -1;
	l->version = 1;
	l->msg = msg_rest(r);
	return 0;
}

/* The tag ("TAG:" or "TAG[PID]:") at r, or nothing (r unmoved). */
static void
tag(struct rd *r, struct syslogline *l)
{
	struct rd save = *r;
	size_t	 k = 0, p0;
	int	 c;

	while (r->i < r->n && k <= TAG_MAX) {
		c = (unsigned char)r->s[r->i];
		if (c == ' ' || c == '[' || c == ':' || c < 32)
			break;
		r->i++;
		k++;
	}
	if (k == 0 || k > TAG_MAX || r->i >= r->n)
		goto none;
	l->app.p = save.s + save.i;
	l->app.n = k;
	if (take(r, '[')) {
		p0 = r->i;
		while (r->i < r->n && r->s[r->i] != ']' && r->s[r->i] != ' ')
			r->i++;
		l->procid.p = r->s + p0;
		l->procid.n = r->i - p0;
		if (r->i == p0 || !take(r, ']'))
			goto none;
	}
	if (!take(r, ':') || (r->i < r->n && r->s[r->i] != ' '))
		goto none;
	return;
none:
	l->app.p = l->procid.p = NULL;
	l->app.n = l->procid.n = 0;
	*r = save;
}

static void
rfc3164(struct rd *r, struct syslogline *l)
{
	struct rd save;
	struct sl_span w;

	/* a hostname, unless the word is the tag already; a line without
	   a timestamp is all CONTENT (RFC 3164 4.3.3): no host in it */
	save = *r;
	w = word(r);
	if (l->has_time && w.n > 0 && w.p[w.n - 1] != ':' &&
	    memchr(w.p, '[', w.n) == NULL && memchr(w.p, '|', w.n) == NULL &&
	    r->i < r->n && take(r, ' '))
		l->host = w;
	else
		*r = save;
	tag(r, l);
	l->msg = msg_rest(r);
}

int
syslogline_parse(const char *s, size_t len, int64_t now_us,
    struct syslogline *l)
{
	struct rd r = { s, 0, len }, after;
	int	 p;

	memset(l, 0, sizeof *l);
	l->pri = pri(&r);
	if (l->pri >= 0 && r.i + 2 <= r.n && s[r.i] == '1' &&
	    s[r.i + 1] == ' ') {
		after = r;
		after.i += 2;
		if (rfc5424(&after, now_us, l) == 0)
			return 0;
		p = l->pri;
		memset(l, 0, sizeof *l);
		l->pri = p;
	}
	if (bsd_time(&r, now_us, &l->utc_us) == 0 ||
	    iso_time(&r, &l->utc_us) == 0) {
		l->has_time = 1;
		if (!take(&r, ' ') && r.i < r.n)
			return -1;
	} else if (l->pri < 0)
		return -1;
	rfc3164(&r, l);
	return 0;
}

int
syslogline_sd_next(struct sl_span sd, size_t *pos, struct sl_param *p)
{
	struct rd r = { sd.p, *pos, sd.n };
	size_t	 a;

	if (sd.p == NULL || r.i >= r.n)
		return 0;
	if (r.s[r.i] == ']')
		r.i++;
	if (r.i >= r.n)
		return 0;
	if (r.s[r.i] == '[') {
		/* a new element: its id */
		a = ++r.i;
		sd_name(&r);
		p->id.p = r.s + a;
		p->id.n = r.i - a;
		if (r.i < r.n && r.s[r.i] == ']') {
			p->name.p = p->value.p = NULL;
			p->name.n = p->value.n = 0;
			*pos = r.i;
			return 1;
		}
	}
	/* " NAME="VALUE"", p->id kept from the previous call */
	take(&r, ' ');
	a = r.i;
	sd_name(&r);
	p->name.p = r.s + a;
	p->name.n = r.i - a;
	r.i += 2;			/* =" */
	a = r.i;
	while (r.i < r.n && r.s[r.i] != '"')
		r.i += r.s[r.i] == '\\' && r.i + 1 < r.n ? 2 : 1;
	p->value.p = r.s + a;
	p->value.n = r.i - a;
	r.i++;				/* " */
	*pos = r.i;
	return 1;
}

/* A JSON string of span sp, or NULL. */
static json_t *
span_string(struct sl_span sp)
{
	return json_stringn(sp.p, sp.n);
}

/* Put v (a new reference, stolen) under details[name], or name_2... */
static int
details_add(json_t *d, const char *name, json_t *v)
{
	struct buf b;
	unsigned i;
	int	 rc = -1;

	if (v == NULL)
		return -1;
	if (json_object_get(d, name) == NULL)
		return json_object_set_new(d, name, v);
	buf_init(&b);
	for (i = 2; ; i++) {
		buf_reset(&b);
		if (buf_printf(&b, "%s_%u", name, i) == -1)
			goto fail;
		if (json_object_get(d, b.data) == NULL)
			break;
	}
	rc = json_object_set_new(d, b.data, v);
	v = NULL;
fail:
	json_decref(v);
	buf_release(&b);
	return rc;
}

/* Set ev[key] = v (stolen); a different value there moves to details. */
static int
top_set(json_t *ev, json_t *d, const char *key, json_t *v, int keep_old)
{
	json_t	*old;

	if (v == NULL)
		return -1;
	old = json_object_get(ev, key);
	if (old != NULL && keep_old && !json_equal(old, v) &&
	    details_add(d, key, json_incref(old)) == -1) {
		json_decref(v);
		return -1;
	}
	return json_object_set_new(ev, key, v);
}

/* RFC 5424's PARAM-VALUE unescaped. */
static json_t *
sd_value(struct sl_span v)
{
	char	*t;
	json_t	*j;
	size_t	 i, k;

	if (memchr(v.p, '\\', v.n) == NULL)
		return span_string(v);
	if ((t = malloc(v.n + 1)) == NULL)
		return NULL;
	for (i = k = 0; i < v.n; i++) {
		if (v.p[i] == '\\' && i + 1 < v.n && (v.p[i + 1] == '"' ||
		    v.p[i + 1] == '\\' || v.p[i + 1] == ']'))
			i++;
		t[k++] = v.p[i];
	}
	j = json_stringn(t, k);
	free(t);
	return j;
}

/* details.sd.ID.NAME = VALUE for every parameter. */
static int
apply_sd(const struct syslogline *l, json_t *d)
{
	struct sl_param p;
	json_t	*sdo, *ido, *v, *old, *a;
	size_t	 pos = 0;
	char	 id[40], name[40];

	if (l->sd.p == NULL)
		return 0;
	if ((sdo = json_object_get(d, "sd")) == NULL || !json_is_object(sdo)) {
		if ((sdo = json_object()) == NULL ||
		    details_add(d, "sd", sdo) == -1)
			return -1;
	}
	while (syslogline_sd_next(l->sd, &pos, &p)) {
		snprintf(id, sizeof id, "%.*s", (int)p.id.n, p.id.p);
		if ((ido = json_object_get(sdo, id)) == NULL) {
			if ((ido = json_object()) == NULL ||
			    json_object_set_new(sdo, id, ido) == -1)
				return -1;
		}
		if (p.name.p == NULL || !json_is_object(ido))
			continue;
		snprintf(name, sizeof name, "%.*s", (int)p.name.n, p.name.p);
		if ((v = sd_value(p.value)) == NULL)
			return -1;
		if ((old = json_object_get(ido, name)) == NULL) {
			if (json_object_set_new(ido, name, v) == -1)
				return -1;
			continue;
		}
		if (json_is_array(old)) {
			if (json_array_append_new(old, v) == -1)
				return -1;
			continue;
		}
		if ((a = json_pack("[O]", old)) == NULL ||
		    json_array_append_new(a, v) == -1 ||
		    json_object_set_new(ido, name, a) == -1) {
			json_decref(a);
			return -1;
		}
	}
	return 0;
}

/* A PID: an integer when it is digits, else the text. */
static json_t *
pid_value(struct sl_span p)
{
	json_int_t v = 0;
	size_t	 i;

	if (p.n == 0 || p.n > 18)
		return span_string(p);
	for (i = 0; i < p.n; i++) {
		if (!is_digit(p.p[i]))
			return span_string(p);
		v = v * 10 + (p.p[i] - '0');
	}
	return json_integer(v);
}

/* Move ev[key] to the end of ev, where normalize_event puts tags and
   details, after the fields added above. */
static int
last(json_t *ev, const char *key)
{
	json_t	*v;
	int	 rc;

	if ((v = json_object_get(ev, key)) == NULL)
		return 0;
	json_incref(v);
	rc = json_object_del(ev, key) == -1 ||
	    json_object_set_new(ev, key, v) == -1 ? -1 : 0;
	return rc;
}

int
syslogline_apply(const struct syslogline *l, json_t *ev)
{
	json_t	*d, *old;
	const char *fac, *rcv;
	char	 ts[TIME_ISO_LEN];
	int	 keep;

	if ((d = json_object_get(ev, "details")) == NULL ||
	    !json_is_object(d)) {
		if ((d = json_object()) == NULL ||
		    json_object_set_new(ev, "details", d) == -1)
			return -1;
	}
	if (l->has_time) {
		/* a utctimestamp equal to the arrival was no one's word */
		old = json_object_get(ev, "utctimestamp");
		rcv = json_string_value(json_object_get(ev,
		    "receivedtimestamp"));
		keep = !(json_is_string(old) && rcv != NULL &&
		    strcmp(json_string_value(old), rcv) == 0);
		time_format(l->utc_us, ts);
		if (top_set(ev, d, "utctimestamp", json_string(ts), keep) == -1)
			return -1;
	}
	if (l->pri >= 0) {
		/* the shipper's severity, if any, came from this PRI */
		if (top_set(ev, d, "severity", json_string(severity_name(
		    SEV_EMERGENCY - (l->pri & 7))), 0) == -1)
			return -1;
		fac = facility_name(l->pri >> 3);
		old = json_object_get(d, "facility");
		if (fac != NULL && !(json_is_string(old) &&
		    strcmp(json_string_value(old), fac) == 0) &&
		    details_add(d, "facility", json_string(fac)) == -1)
			return -1;
	}
	if (l->host.p != NULL &&
	    top_set(ev, d, "hostname", span_string(l->host), 1) == -1)
		return -1;
	if (l->app.p != NULL &&
	    top_set(ev, d, "processname", span_string(l->app), 1) == -1)
		return -1;
	if (l->procid.p != NULL &&
	    top_set(ev, d, "processid", pid_value(l->procid), 1) == -1)
		return -1;
	if (l->msgid.p != NULL &&
	    details_add(d, "msgid", span_string(l->msgid)) == -1)
		return -1;
	if (apply_sd(l, d) == -1)
		return -1;
	/* the line itself is all in fields now: not kept */
	if (top_set(ev, d, "summary", span_string(l->msg), 0) == -1)
		return -1;
	return last(ev, "tags") == -1 || last(ev, "details") == -1 ? -1 : 0;
}

/* Could s start a syslog line?  One look at its first bytes, so the
   transit step costs next to nothing on a message that is not one. */
static int
maybe_line(const char *s)
{
	if (s[0] == '<')
		return 1;
	if (s[0] >= '1' && s[0] <= '2')		/* RFC 3339 */
		return s[1] >= '0' && s[1] <= '9' && s[4] == '-';
	return s[0] >= 'A' && s[0] <= 'S' && s[1] != '\0' && s[2] != '\0' &&
	    s[3] == ' ' && strchr("nbrynlgpctv", s[2]) != NULL;
}

/* The transit step: a summary that is a raw syslog line becomes fields. */
static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	struct syslogline l;
	json_t	*sum;
	const char *s;
	int	 rc = 0;

	(void)state, (void)w;
	sum = json_object_get(ev, "summary");
	if ((s = json_string_value(sum)) == NULL || !maybe_line(s))
		return 0;
	/* the spans point into the summary, which apply replaces */
	json_incref(sum);
	/* A line without <PRI> must have a tag as well: an application's
	   own message that starts with a date is not a syslog line. */
	if (syslogline_parse(s, json_string_length(sum), ctx->received_us,
	    &l) == 0 && (l.pri >= 0 || l.app.p != NULL))
		rc = syslogline_apply(&l, ev) == -1 ? -1 : 1;
	json_decref(sum);
	return rc;
}

const struct transit_step transit_step_syslog = {
	.name = "syslog",
	.event = step_event,
};
