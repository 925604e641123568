/*
 * observe — the observables an alert names.  See observe.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "observe.h"
#include "wire.h"

#define OBS_VALUE	256	/* longest value kept (a domain is 253) */
#define OBS_DEPTH	16	/* how deep into an event's objects */

/* One observable found so far. */
struct obs {
	const char	*kind;		/* static: "ip", "user", ... */
	char		 value[OBS_VALUE];
	long long	 sightings;
	int		 last_ev;	/* the event that counted last */
	int		 group;		/* in the group key: its order + 1 */
	const char	*first, *last;	/* borrowed from the alert */
};

struct found {
	struct obs	 o[OBSERVE_MAX];
	size_t		 n;
};

static int
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void
lower(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* An address, in its usual form into out; not loopback or unspecified. */
static int
is_ip(const char *s, char *out, size_t outlen)
{
	unsigned char a[16];
	static const unsigned char zero[16], one[16] = { [15] = 1 };

	if (inet_pton(AF_INET, s, a) == 1) {
		if (a[0] == 127 || a[0] == 0)
			return 0;
		return inet_ntop(AF_INET, a, out, (socklen_t)outlen) != NULL;
	}
	if (strchr(s, ':') != NULL && inet_pton(AF_INET6, s, a) == 1) {
		if (memcmp(a, zero, 16) == 0 || memcmp(a, one, 16) == 0)
			return 0;
		return inet_ntop(AF_INET6, a, out, (socklen_t)outlen) != NULL;
	}
	return 0;
}

/* A DNS name of two labels or more whose last is letters. */
static int
is_domain(const char *s)
{
	size_t	 n = strlen(s), i, label = 0, labels = 1, tld = 0;

	if (n < 4 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			labels++;
			label = 0;
			tld = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
		tld = isalpha(c) ? tld + 1 : 0;
	}
	return labels >= 2 && tld >= 2 && tld == label;
}

const char *
observe_shape(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (outlen == 0 || n == 0 || n >= OBS_VALUE)
		return NULL;
	if (is_ip(s, out, outlen))
		return "ip";
	if ((n == 32 || n == 40 || n == 64) && all_hex(s, n)) {
		lower(s, out, outlen);
		return "hash";
	}
	if (is_domain(s)) {
		lower(s, out, outlen);
		return "domain";
	}
	return NULL;
}

/* Record kind/value seen in event ev (at time t, may be NULL). */
static void
add(struct found *f, const char *kind, const char *value, int ev,
    const char *t)
{
	struct obs *o;
	size_t	 i;

	if (*value == '\0' || strlen(value) >= OBS_VALUE)
		return;
	for (i = 0; i < f->n; i++) {
		o = &f->o[i];
		if (strcmp(o->kind, kind) != 0 || strcmp(o->value, value) != 0)
			continue;
		if (ev >= 0 && o->last_ev != ev) {
			o->last_ev = ev;
			o->sightings++;
			if (t != NULL && (o->first == NULL ||
			    strcmp(t, o->first) < 0))
				o->first = t;
			if (t != NULL && (o->last == NULL ||
			    strcmp(t, o->last) > 0))
				o->last = t;
		}
		return;
	}
	if (f->n == OBSERVE_MAX)
		return;
	o = &f->o[f->n++];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	snprintf(o->value, sizeof o->value, "%s", value);
	o->last_ev = ev;
	o->sightings = ev >= 0 ? 1 : 0;
	o->first = o->last = t;
}

/* The key k without '_' and '-', lower case, into out. */
static void
key_norm(const char *k, char *out, size_t outlen)
{
	size_t o = 0;

	for (; k != NULL && *k != '\0' && o + 1 < outlen; k++)
		if (*k != '_' && *k != '-')
			out[o++] = (char)tolower((unsigned char)*k);
	out[o] = '\0';
}

static int
ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int
user_key(const char *k)
{
	static const char *const names[] = { "account", "accountname",
		"acct", NULL };

	return ends(k, "user") || ends(k, "username") || in(k, names);
}

static int
host_key(const char *k)
{
	static const char *const names[] = { "computer", "computername",
		"workstation", "workstationname", NULL };

	return ends(k, "host") || ends(k, "hostname") || in(k, names);
}

static int
domain_key(const char *k)
{
	static const char *const names[] = { "fqdn", "query", "qname",
		"dnsquery", "servername", "sni", NULL };

	return ends(k, "domain") || ends(k, "domainname") || in(k, names);
}

static int
url_key(const char *k)
{
	static const char *const names[] = { "referer", "referrer", NULL };

	return ends(k, "url") || ends(k, "uri") || in(k, names);
}

/* A word that names something: no space, no control character (C0, DEL,
   C1: the hub refuses them in what people type too), not a
   placeholder. */
static int
name_like(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i;

	if (n == 0 || n > 128 || strcmp(s, "-") == 0 || strcmp(s, "?") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] == 0x7f || (p[i] == 0xc2 &&
		    p[i + 1] >= 0x80 && p[i + 1] <= 0x9f))
			return 0;
	return 1;
}

/* A value that is an address or a hash, whole. */
static void
add_shape(struct found *f, const char *s, int ev, const char *t)
{
	char	 out[OBS_VALUE];
	const char *k = observe_shape(s, out, sizeof out);

	if (k != NULL && strcmp(k, "domain") != 0)
		add(f, k, out, ev, t);
}

/* The authority of URL u: an address or a domain. */
static void
add_url(struct found *f, const char *u, int ev, const char *t)
{
	const char *p = strstr(u, "://"), *e;
	char	 host[OBS_VALUE], out[OBS_VALUE], *at, *c;
	const char *k;

	if (p == NULL)
		return;
	p += 3;
	e = p + strcspn(p, "/?#");
	if ((size_t)(e - p) >= sizeof host)
		return;
	snprintf(host, sizeof host, "%.*s", (int)(e - p), p);
	if ((at = strrchr(host, '@')) != NULL)
		memmove(host, at + 1, strlen(at + 1) + 1);
	if (host[0] == '[') {
		if ((c = strchr(host, ']')) == NULL)
			return;
		*c = '\0';
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((c = strchr(host, ':')) != NULL)
		*c = '\0';
	if ((k = observe_shape(host, out, sizeof out)) != NULL &&
	    strcmp(k, "hash") != 0)
		add(f, k, out, ev, t);
}

/* Text: addresses and hashes among its words, and KEY=VALUE words whose
   key names a user. */
static void
add_text(struct found *f, const char *s, int ev, const char *t)
{
	static const char seps[] = " \t\r\n,;()[]{}\"'";
	char	 w[OBS_VALUE], kn[64], *eq, *v, *c;
	size_t	 n, len;

	while (*s != '\0') {
		s += strspn(s, seps);
		n = strcspn(s, seps);
		if (n == 0)
			break;
		if (n >= sizeof w) {
			s += n;
			continue;
		}
		memcpy(w, s, n);
		w[n] = '\0';
		s += n;
		v = w;
		if ((eq = strchr(w, '=')) != NULL) {
			*eq = '\0';
			v = eq + 1;
			/* user=<bob> */
			if (*v == '<' && (len = strlen(v)) > 1 &&
			    v[len - 1] == '>') {
				v[len - 1] = '\0';
				v++;
			}
			key_norm(w, kn, sizeof kn);
			if (user_key(kn) && name_like(v)) {
				add(f, "user", v, ev, t);
				continue;
			}
		}
		/* Edges: "203.0.113.7." ends a sentence, "<...>" quotes. */
		v += strspn(v, "<.:");
		len = strlen(v);
		while (len > 0 && strchr(">.:", v[len - 1]) != NULL)
			v[--len] = '\0';
		/* ADDRESS:PORT */
		if ((c = strchr(v, ':')) != NULL && strchr(c + 1, ':') ==
		    NULL && strchr(v, '.') != NULL)
			*c = '\0';
		add_shape(f, v, ev, t);
	}
}

/* A string field named key (normalized), in event ev. */
static void
add_field(struct found *f, const char *key, const char *s, int ev,
    const char *t)
{
	char	 out[OBS_VALUE];
	const char *k;

	if (user_key(key)) {
		if (name_like(s))
			add(f, "user", s, ev, t);
	} else if (host_key(key)) {
		if (is_ip(s, out, sizeof out))
			add(f, "ip", out, ev, t);
		else if (name_like(s) && strlen(s) < OBS_VALUE) {
			lower(s, out, sizeof out);
			add(f, "host", out, ev, t);
		}
	} else if (domain_key(key)) {
		if ((k = observe_shape(s, out, sizeof out)) != NULL &&
		    strcmp(k, "hash") != 0)
			add(f, k, out, ev, t);
	} else if (url_key(key))
		add_url(f, s, ev, t);
	else if (strpbrk(s, " \t\r\n") != NULL)
		add_text(f, s, ev, t);
	else
		add_shape(f, s, ev, t);
}

/* The value v of the field key (normalized; an object's members are
   named by its key and theirs: user.name is "username"). */
static void
walk(struct found *f, const char *key, const json_t *v, int depth, int ev,
    const char *t)
{
	const char *k;
	const json_t *x;
	char	 kn[64], path[128];
	size_t	 i;

	if (depth > OBS_DEPTH)
		return;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			key_norm(k, kn, sizeof kn);
			snprintf(path, sizeof path, "%s%s", key, kn);
			walk(f, path, x, depth + 1, ev, t);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			walk(f, key, x, depth + 1, ev, t);
	} else if (json_is_string(v))
		add_field(f, key, json_string_value(v), ev, t);
}

/* One event: its host, its summary, its details (but the hub's name). */
static void
event(struct found *f, const json_t *e, int ev)
{
	const char *t = json_string_value(json_object_get(e, "utctimestamp"));
	const char *k, *s;
	const json_t *x;
	char	 kn[64];

	if ((s = json_string_value(json_object_get(e, "hostname"))) != NULL)
		add_field(f, "hostname", s, ev, t);
	if ((s = json_string_value(json_object_get(e, "summary"))) != NULL)
		add_text(f, s, ev, t);
	json_object_foreach((json_t *)json_object_get(e, "details"), k, x) {
		if (strcmp(k, "hub") == 0)
			continue;
		key_norm(k, kn, sizeof kn);
		walk(f, kn, x, 1, ev, t);
	}
}

/* A value of the group key. */
static void
group_value(struct found *f, const char *v, int order, long long count,
    const char *first, const char *last)
{
	char	 out[OBS_VALUE];
	const char *kind = observe_shape(v, out, sizeof out);
	struct obs *o = NULL;
	size_t	 i;

	/* Known from the events by its field: a user, a host. */
	if (kind == NULL || strcmp(kind, "domain") == 0)
		for (i = 0; i < f->n; i++)
			if (strcasecmp(f->o[i].value, v) == 0) {
				o = &f->o[i];
				break;
			}
	if (o == NULL) {
		if (kind == NULL)
			return;
		add(f, kind, out, -1, NULL);
		for (i = 0; i < f->n; i++)
			if (strcmp(f->o[i].kind, kind) == 0 &&
			    strcmp(f->o[i].value, out) == 0)
				o = &f->o[i];
		if (o == NULL)
			return;
	}
	if (o->group == 0)
		o->group = order;
	o->sightings = count;
	o->first = first;
	o->last = last;
}

/* Where o goes in the answer: the group key's values first. */
static int
rank(const struct obs *o)
{
	return o->group ? o->group : OBSERVE_MAX * 4;
}

json_t *
observe_alert(const json_t *a)
{
	struct found *f;
	const json_t *e;
	const char *g, *first, *last;
	char	 v[OBS_VALUE];
	json_t	*out = NULL, *o;
	long long count;
	size_t	 i, n;
	int	 order = 1;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(a, "samples"), i, e)
		if (json_is_object(e))
			event(f, e, (int)i);
	count = json_integer_value(json_object_get(a, "count"));
	first = json_string_value(json_object_get(a, "first_seen"));
	last = json_string_value(json_object_get(a, "last_seen"));
	if ((g = json_string_value(json_object_get(a, "group"))) != NULL)
		while (*g != '\0') {
			n = strcspn(g, "|");
			if (n > 0 && n < sizeof v) {
				memcpy(v, g, n);
				v[n] = '\0';
				group_value(f, v, order++, count > 0 ? count : 1,
				    first, last);
			}
			g += n;
			if (*g == '|')
				g++;
		}
	/* The group key's first, in its order, then as found (an
	   insertion sort: stable, and n is small). */
	for (i = 1; i < f->n; i++) {
		struct obs tmp = f->o[i];
		size_t	 j;

		for (j = i; j > 0 && rank(&f->o[j - 1]) > rank(&tmp); j--)
			f->o[j] = f->o[j - 1];
		f->o[j] = tmp;
	}
	if ((out = json_array()) == NULL)
		goto done;
	for (i = 0; i < f->n; i++) {
		if ((o = json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "kind",
		    f->o[i].kind, "value", f->o[i].value, "sightings",
		    (json_int_t)f->o[i].sightings, "first_seen", f->o[i].first,
		    "last_seen", f->o[i].last)) == NULL ||
		    json_array_append_new(out, o) != 0) {
			json_decref(out);
			out = NULL;
			goto done;
		}
	}
done:
	free(f);
	return out;
}
