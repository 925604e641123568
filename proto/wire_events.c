/*
 * wire_events — event batches as raw text.  See wire.h.
 *
 * The hub writes an "events" push straight from stored event text
 * (wire_events_head, wire_event_text, wire_events_tail) and reads members
 * of raw JSON without a value per event (wire_json_member, wire_json_str,
 * wire_json_field); the console reads a push here (wire_decode hands it
 * over).  An "events" push is read in one pass over its bytes,
 * without a JSON value per event: the scanner checks what json_loadb()
 * with JSON_REJECT_DUPLICATES checks (syntax, UTF-8, no \u0000 and no lone
 * surrogate, integers within int64 and reals within double, nesting up to
 * WIRE_MAX_DEPTH, no key twice in any object) and notes where each event's
 * text starts and ends.
 */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errf.h"
#include "jsonfast.h"
#include "wire.h"
#include "wire_impl.h"

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
			    wire_clean_text(k[i].p, k[i].len, 0)) {
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

int
wire_decode_events(const char *frame, size_t len, struct wire_msg *m, char *err,
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
			if (k.len <= 64 && !k.esc &&
			    wire_clean_text(k.p, k.len, 0))
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

