/*
 * kvscan — the key=value scanner (kvscan.h): one pass over the text, no
 * allocation but kv_value's string.  Read by the kv step (kv.c) and by
 * the auditd parser (auditd.c), which splits its records with it.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kvscan.h"

static int
is_sep(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x1d;
}

static int
key_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
key_char(int c)
{
	return key_start(c) || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-' || c == '[' || c == ']';
}

void
kv_scan_init(struct kv_scan *sc, const char *s, size_t n)
{
	sc->s = s;
	sc->i = 0;
	sc->n = n;
}

/* The closing quote q of a value opening at i (s[i] == q), ended by a
   separator, ',' or ';' or the end: its index, or 0 when none. */
static size_t
close_quote(const struct kv_scan *sc, size_t i, int q)
{
	const char *s = sc->s;
	size_t	 j;

	for (j = i + 1; j < sc->n; j++) {
		if (q == '"' && s[j] == '\\' && j + 1 < sc->n) {
			j++;
			continue;
		}
		if (s[j] != q)
			continue;
		if (j + 1 == sc->n || is_sep(s[j + 1]))
			return j;
		if ((s[j + 1] == ',' || s[j + 1] == ';') &&
		    (j + 2 == sc->n || is_sep(s[j + 2])))
			return j;
		return 0;
	}
	return 0;
}

int
kv_next(struct kv_scan *sc, struct kv_item *it)
{
	const char *s = sc->s;
	size_t	 i = sc->i, k, e;

	while (i < sc->n && is_sep(s[i]))
		i++;
	if (i >= sc->n) {
		sc->i = i;
		return 0;
	}
	memset(it, 0, sizeof *it);
	k = i;
	if (key_start((unsigned char)s[i])) {
		while (k < sc->n && k - i <= KV_KEY_MAX &&
		    key_char((unsigned char)s[k]))
			k++;
		if (k < sc->n && s[k] == '=' && k - i <= KV_KEY_MAX) {
			it->k = s + i;
			it->kn = k - i;
			i = k + 1;
			if (i < sc->n && (s[i] == '"' || s[i] == '\'') &&
			    (e = close_quote(sc, i, s[i])) != 0) {
				it->q = s[i];
				it->v = s + i + 1;
				it->vn = e - i - 1;
				i = e + 1;
				if (i < sc->n && (s[i] == ',' || s[i] == ';'))
					i++;
				sc->i = i;
				return 1;
			}
		} else
			k = i;
	}
	for (e = i; e < sc->n && !is_sep(s[e]); e++)
		;
	it->v = s + i;
	it->vn = e - i;
	if (it->k != NULL && it->vn > 0 &&
	    (s[e - 1] == ',' || s[e - 1] == ';'))
		it->vn--;
	sc->i = e;
	return 1;
}

json_t *
kv_value(const struct kv_item *it)
{
	json_t	*j;
	char	*t;
	size_t	 i, k;

	if (it->q != '"' || memchr(it->v, '\\', it->vn) == NULL)
		return json_stringn_nocheck(it->v, it->vn);
	if ((t = malloc(it->vn)) == NULL)
		return NULL;
	for (i = k = 0; i < it->vn; i++) {
		if (it->v[i] == '\\' && i + 1 < it->vn &&
		    (it->v[i + 1] == '"' || it->v[i + 1] == '\\'))
			i++;
		t[k++] = it->v[i];
	}
	j = json_stringn_nocheck(t, k);
	free(t);
	return j;
}

int
kv_mostly(const char *s, size_t n)
{
	struct kv_scan sc;
	struct kv_item it;
	size_t	 words = 0, pairs = 0;

	if (memchr(s, '=', n) == NULL)
		return 0;
	kv_scan_init(&sc, s, n);
	while (kv_next(&sc, &it)) {
		/* the words before the first pair are the message's lead
		   ("flows", "[UFW BLOCK]", "new user:"): not counted */
		if (it.k == NULL && pairs == 0)
			continue;
		words++;
		pairs += it.k != NULL;
	}
	return pairs >= 2 && 2 * pairs >= words;
}
