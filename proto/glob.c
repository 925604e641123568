/*
 * glob — wildcard matching (glob.h).
 *
 * Greedy with one backtrack point: a '*' remembers where it is in the
 * pattern and the text, and a mismatch later retries from there with the
 * star taking one more character.  Only the last star needs remembering
 * (an earlier one could only take what the later one can), so the work
 * is bounded by the pattern's length times the text's.
 */
#include <stddef.h>

#include "glob.h"

/* Is p[i] a wildcard c, and how many pattern bytes does the item at i
   take (*len: 2 for an escaped byte)? */
static int
item(const char *p, size_t pn, const unsigned char *wild, size_t i,
    size_t *len, char *lit)
{
	*len = 1;
	if (wild != NULL) {
		*lit = p[i];
		return wild[i] ? p[i] : 0;
	}
	if (p[i] == '\\' && i + 1 < pn) {
		*len = 2;
		*lit = p[i + 1];
		return 0;
	}
	*lit = p[i];
	return p[i] == '*' || p[i] == '?' ? p[i] : 0;
}

/* Bytes of the UTF-8 character at s (n > 0 bytes left): a malformed or
   cut one counts as one byte. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, k;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4;
	else
		return 1;
	if (len > n)
		return 1;
	for (k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 1;
	return len;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The common case on its own: a wildcard mask, bytes as they are (Sigma's
   rules, once an event for many of their values). */
static int
glob_mask(const char *p, size_t pn, const unsigned char *w, const char *s,
    size_t sn)
{
	size_t pi = 0, si = 0, star_p = 0, star_s = 0;
	int star = 0;

	while (si < sn) {
		if (pi < pn && w[pi] && p[pi] == '*') {
			star = 1;
			star_p = ++pi;
			star_s = si;
		} else if (pi < pn && (w[pi] ? p[pi] == '?' : p[pi] == s[si])) {
			pi++;
			si++;
		} else if (star) {
			pi = star_p;
			si = ++star_s;
		} else
			return 0;
	}
	while (pi < pn && w[pi] && p[pi] == '*')
		pi++;
	return pi == pn;
}

int
glob_match(const char *p, size_t pn, const unsigned char *wild,
    const char *s, size_t sn, unsigned flags)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pi = 0, si = 0, star_p = 0, star_s = 0, len;
	int star = 0, w;
	char lit;

	if (wild != NULL && flags == 0)
		return glob_mask(p, pn, wild, s, sn);
	for (;;) {
		if (pi < pn && (w = item(p, pn, wild, pi, &len, &lit)) == '*') {
			while (pi < pn && item(p, pn, wild, pi, &len, &lit) ==
			    '*')
				pi += len;
			star = 1;
			star_p = pi;
			star_s = si;
			continue;
		}
		if (si == sn) {
			if (pi == pn)
				return 1;
			goto backtrack;
		}
		if (pi < pn) {
			w = item(p, pn, wild, pi, &len, &lit);
			if (w == '?') {
				pi += len;
				si += flags & GLOB_UTF8 ? utf8_len(u + si,
				    sn - si) : 1;
				continue;
			}
			if ((unsigned char)lit == u[si] || ((flags &
			    GLOB_NOCASE) && lower((unsigned char)lit) ==
			    lower(u[si]))) {
				pi += len;
				si++;
				continue;
			}
		}
backtrack:
		if (!star || star_s >= sn)
			return 0;
		star_s += flags & GLOB_UTF8 ? utf8_len(u + star_s,
		    sn - star_s) : 1;
		si = star_s;
		pi = star_p;
	}
}
