/*
 * cef — ArcSight's Common Event Format (cef.h).
 *
 *   CEF:Version|Device Vendor|Device Product|Device Version|
 *       Device Event Class ID|Name|Severity|Extension
 *
 * In the header '|' and '\' are escaped with a backslash.  The extension
 * is key=value pairs separated by spaces, where a value may hold spaces:
 * it ends where the next " key=" starts, so an '=' inside a value must be
 * escaped ("\="), as must '\'; "\n" and "\r" are line ends.  A '=' whose
 * word before it is not a key (letters, digits, '_', '.', '-', '[', ']')
 * belongs to the value ("request=http://x/?a=b" keeps its query).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cef.h"
#include "normalize.h"
#include "pfield.h"
#include "timeparse.h"
#include "transit.h"

/* The most extension pairs read; the rest stays in the last value. */
#define CEF_MAXPAIRS	512
/* How far into a message "CEF:" is looked for. */
#define CEF_SCAN	128

struct span {
	const char	*p;
	size_t		 n;
};

long
cef_find(const char *s, size_t n)
{
	const char *p;
	size_t	 lim = n < CEF_SCAN ? n : CEF_SCAN;

	if (n >= 4 && memcmp(s, "CEF:", 4) == 0)
		return 0;
	/* a record has a '|' a few bytes after "CEF:": look for that byte
	   first, which is faster than for the word, and rarer in prose */
	if (lim < 5 || memchr(s, '|', n < CEF_SCAN + 8 ? n : CEF_SCAN + 8) ==
	    NULL || (p = memmem(s, lim, " CEF:", 5)) == NULL)
		return -1;
	return (long)(p + 1 - s);
}

/* sp unescaped (header: \| \\; extension also \= \n \r) as a string. */
static json_t *
unesc(struct span sp, int ext)
{
	struct buf b;
	json_t	*j = NULL;
	size_t	 i;
	char	 c;

	if (memchr(sp.p, '\\', sp.n) == NULL)
		return json_stringn_nocheck(sp.p, sp.n);
	buf_init(&b);
	for (i = 0; i < sp.n; i++) {
		c = sp.p[i];
		if (c == '\\' && i + 1 < sp.n) {
			c = sp.p[i + 1];
			if (c == '|' || c == '\\' || (ext && c == '='))
				i++;
			else if (ext && (c == 'n' || c == 'r')) {
				i++;
				c = c == 'n' ? '\n' : '\r';
			} else
				c = '\\';
		}
		if (buf_append(&b, &c, 1) == -1)
			goto fail;
	}
	j = json_stringn_nocheck(b.data ? b.data : "", b.len);
fail:
	buf_release(&b);
	return j;
}

static int
key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
	    c == '[' || c == ']';
}

/* CEF's 0-10 or Low/Medium/High/Very-High as a severity rank, or -1. */
static int
severity(struct span sp)
{
	int64_t	 v;

	if (pfield_int(sp.p, sp.n, &v) && v >= 0 && v <= 10)
		return v <= 3 ? SEV_INFO : v <= 6 ? SEV_WARNING :
		    v <= 8 ? SEV_ERROR : SEV_CRITICAL;
	if (pfield_ieq(sp.p, sp.n, "low"))
		return SEV_INFO;
	if (pfield_ieq(sp.p, sp.n, "medium"))
		return SEV_WARNING;
	if (pfield_ieq(sp.p, sp.n, "high"))
		return SEV_ERROR;
	if (pfield_ieq(sp.p, sp.n, "very-high"))
		return SEV_CRITICAL;
	return -1;
}

static const char *const hdr_names[7] = {
	"cefVersion", "deviceVendor", "deviceProduct", "deviceVersion",
	"deviceEventClassId", "name", "cefSeverity"
};

/* One extension pair: set, and its MozDef name, and the time. */
static int
ext_pair(json_t *ev, json_t *d, struct span k, struct span v)
{
	json_t	*j;
	int64_t	 us;

	while (v.n > 0 && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	if ((j = unesc(v, 1)) == NULL)
		return -1;
	if (pfield_alias(d, k.p, k.n, json_string_value(j),
	    json_string_length(j)) == -1) {
		json_decref(j);
		return -1;
	}
	if (k.n == 2 && memcmp(k.p, "rt", 2) == 0 &&
	    time_parse(json_string_value(j), 0, &us) == 0 &&
	    pfield_time(ev, us) == -1) {
		json_decref(j);
		return -1;
	}
	return pfield_add(d, k.p, k.n, j);
}

/* The extension e[0..n): pairs found by their unescaped '='. */
static int
extension(json_t *ev, json_t *d, const char *e, size_t n)
{
	struct span k = { NULL, 0 }, v, nk;
	size_t	 j, ks, c, npairs = 0;

	for (j = 0; j < n && npairs < CEF_MAXPAIRS; j++) {
		if (e[j] == '\\') {
			j++;
			continue;
		}
		if (e[j] != '=')
			continue;
		for (ks = j; ks > 0 && e[ks - 1] != ' '; ks--)
			;
		for (c = ks; c < j && key_char((unsigned char)e[c]); c++)
			;
		if (c != j || ks == j)
			continue;
		nk.p = e + ks;
		nk.n = j - ks;
		npairs++;
		if (k.p != NULL) {
			v.p = k.p + k.n + 1;
			v.n = (size_t)(nk.p - v.p);
			if (ext_pair(ev, d, k, v) == -1)
				return -1;
		}
		k = nk;
	}
	if (k.p != NULL) {
		v.p = k.p + k.n + 1;
		v.n = (size_t)(e + n - v.p);
		if (ext_pair(ev, d, k, v) == -1)
			return -1;
	}
	return 0;
}

int
cef_apply(json_t *ev, const char *s, size_t n, const char *prefix,
    size_t pn)
{
	struct span f[7];
	json_t	*d;
	const char *pn0;
	size_t	 i = 0, k, start;
	int	 sev;

	if (n >= 4 && memcmp(s, "CEF:", 4) == 0)
		i = 4;
	for (k = 0; k < 7; k++) {
		start = i;
		while (i < n && s[i] != '|')
			i += s[i] == '\\' && i + 1 < n ? 2 : 1;
		if (i > n)
			i = n;
		f[k].p = s + start;
		f[k].n = i - start;
		if (i >= n && k < 6)
			return 0;
		i++;
	}
	if (f[0].n == 0 || f[0].n > 3 || f[0].p[0] < '0' || f[0].p[0] > '9')
		return 0;
	if ((d = pfield_details(ev)) == NULL)
		return -1;
	for (k = 0; k < 7; k++)
		if (pfield_add(d, hdr_names[k], strlen(hdr_names[k]),
		    unesc(f[k], 0)) == -1)
			return -1;
	while (pn > 0 && (prefix[pn - 1] == ' ' || prefix[pn - 1] == ':'))
		pn--;
	if (pn > 0 && pfield_add(d, "prefix", 6,
	    json_stringn_nocheck(prefix, pn)) == -1)
		return -1;
	if (i < n && extension(ev, d, s + i, n - i) == -1)
		return -1;
	if ((sev = severity(f[6])) >= 0 && json_object_set_new(ev,
	    "severity", json_string(severity_name(sev))) == -1)
		return -1;
	/* rsyslog read "CEF:" as a tag: the product is the program */
	pn0 = json_string_value(json_object_get(ev, "processname"));
	if (pn0 != NULL && strcmp(pn0, "CEF") == 0 && f[2].n > 0 &&
	    pfield_top(ev, d, "processname", unesc(f[2], 0), 0) == -1)
		return -1;
	if (pfield_top(ev, d, "summary", unesc(f[5].n > 0 ? f[5] : f[4], 0),
	    0) == -1)
		return -1;
	return pfield_last(ev, "tags") == -1 ||
	    pfield_last(ev, "details") == -1 ? -1 : 1;
}

/* The transit step: a CEF record in the summary gives fields. */
static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	json_t	*sum;
	const char *s, *pn;
	size_t	 n;
	long	 off;
	int	 rc;

	(void)state, (void)w, (void)ctx;
	sum = json_object_get(ev, "summary");
	if ((s = json_string_value(sum)) == NULL)
		return 0;
	n = json_string_length(sum);
	if ((off = cef_find(s, n)) < 0) {
		/* rsyslog's template: programname "CEF", msg "0|Vendor|..." */
		pn = json_string_value(json_object_get(ev, "processname"));
		if (pn == NULL || strcmp(pn, "CEF") != 0 || n < 2 ||
		    s[0] < '0' || s[0] > '9' || s[1] != '|')
			return 0;
		off = 0;
	}
	/* the spans point into the summary, which apply replaces */
	json_incref(sum);
	rc = cef_apply(ev, s + off, n - (size_t)off, s, (size_t)off);
	json_decref(sum);
	return rc;
}

const struct transit_step transit_step_cef = {
	.name = "cef",
	.event = step_event,
};
