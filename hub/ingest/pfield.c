/* pfield — the structural parsers' shared field rules (pfield.h). */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pfield.h"
#include "timeparse.h"

json_t *
pfield_details(json_t *ev)
{
	json_t	*d;

	if ((d = json_object_get(ev, "details")) != NULL && json_is_object(d))
		return d;
	if ((d = json_object()) == NULL ||
	    json_object_set_new(ev, "details", d) == -1)
		return NULL;
	return d;
}

int
pfield_add(json_t *d, const char *name, size_t n, json_t *v)
{
	struct buf b;
	json_t	*old;
	unsigned i;
	int	 rc = -1;

	if (v == NULL)
		return -1;
	if ((old = json_object_getn(d, name, n)) == NULL)
		return json_object_setn_new(d, name, n, v);
	if (json_equal(old, v)) {
		json_decref(v);
		return 0;
	}
	buf_init(&b);
	for (i = 2; ; i++) {
		buf_reset(&b);
		if (buf_append(&b, name, n) == -1 ||
		    buf_printf(&b, "_%u", i) == -1)
			goto fail;
		if ((old = json_object_getn(d, b.data, b.len)) == NULL)
			break;
		if (json_equal(old, v)) {
			rc = 0;
			goto fail;
		}
	}
	rc = json_object_setn_new(d, b.data, b.len, v);
	v = NULL;
fail:
	json_decref(v);
	buf_release(&b);
	return rc;
}

int
pfield_top(json_t *ev, json_t *d, const char *key, json_t *v, int keep_old)
{
	json_t	*old;

	if (v == NULL)
		return -1;
	old = json_object_get(ev, key);
	if (old != NULL && keep_old && !json_equal(old, v) &&
	    pfield_add(d, key, strlen(key), json_incref(old)) == -1) {
		json_decref(v);
		return -1;
	}
	return json_object_set_new(ev, key, v);
}

int
pfield_mozdef(json_t *d, const char *key, json_t *v)
{
	if (v == NULL)
		return -1;
	if (json_object_get(d, key) != NULL) {
		json_decref(v);
		return 0;
	}
	return json_object_set_new(d, key, v);
}

int
pfield_utf8(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p, *e = s + n;
	unsigned c, need, min;
	uint32_t cp;

	while (s < e) {
		c = *s++;
		if (c < 0x80) {
			if (c == 0)
				return 0;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if ((size_t)(e - s) < need)
			return 0;
		while (need-- > 0) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (*s++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

json_t *
pfield_str(const char *p, size_t n, int *bad)
{
	if (!pfield_utf8(p, n)) {
		if (bad != NULL)
			*bad = 1;
		return NULL;
	}
	return json_stringn_nocheck(p, n);
}

int
pfield_ip(const char *p, size_t n, char *out)
{
	char	 tmp[64];
	unsigned char a[16];

	if (n == 0 || n >= sizeof tmp)
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, a) == 1)
		return inet_ntop(AF_INET, a, out, PFIELD_IPLEN) != NULL;
	if (memchr(tmp, ':', n) == NULL || inet_pton(AF_INET6, tmp, a) != 1)
		return 0;
	/* an IPv4-mapped address is the IPv4 one, as the decoders say */
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		return inet_ntop(AF_INET, a + 12, out, PFIELD_IPLEN) != NULL;
	return inet_ntop(AF_INET6, a, out, PFIELD_IPLEN) != NULL;
}

int
pfield_port(const char *p, size_t n)
{
	int64_t	 v;

	if (n == 0 || n > 5 || p[0] == '-' || !pfield_int(p, n, &v) ||
	    v > 65535)
		return -1;
	return (int)v;
}

int
pfield_int(const char *p, size_t n, int64_t *v)
{
	int64_t	 x = 0;
	size_t	 i = 0;
	int	 neg = 0;

	if (n > 0 && p[0] == '-')
		neg = 1, i = 1;
	if (n == i || n - i > 18)
		return 0;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		x = x * 10 + (p[i] - '0');
	}
	*v = neg ? -x : x;
	return 1;
}

int
pfield_time(json_t *ev, int64_t us)
{
	char	 ts[TIME_ISO_LEN];

	time_format(us, ts);
	return json_object_set_new(ev, "utctimestamp", json_string(ts));
}

int
pfield_time_is_arrival(const json_t *ev)
{
	const char *u, *r;

	u = json_string_value(json_object_get(ev, "utctimestamp"));
	r = json_string_value(json_object_get(ev, "receivedtimestamp"));
	return u != NULL && r != NULL && strcmp(u, r) == 0;
}

int
pfield_ieq(const char *p, size_t n, const char *s)
{
	size_t	 i;
	int	 a, b;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0')
			return 0;
		a = (unsigned char)p[i];
		b = (unsigned char)s[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return s[n] == '\0';
}

int
pfield_last(json_t *ev, const char *key)
{
	json_t	*v;

	if ((v = json_object_get(ev, key)) == NULL)
		return 0;
	json_incref(v);
	return json_object_del(ev, key) == -1 ||
	    json_object_set_new(ev, key, v) == -1 ? -1 : 0;
}

enum alias { A_NONE, A_SRC, A_DST, A_SPT, A_DPT, A_USER };

static const struct {
	const char	*k;
	enum alias	 a;
} aliases[] = {
	{ "src", A_SRC }, { "srcip", A_SRC }, { "src_ip", A_SRC },
	{ "source_ip", A_SRC },
	{ "dst", A_DST }, { "dstip", A_DST }, { "dst_ip", A_DST },
	{ "destination_ip", A_DST },
	{ "spt", A_SPT }, { "sport", A_SPT }, { "srcport", A_SPT },
	{ "src_port", A_SPT }, { "source_port", A_SPT },
	{ "dpt", A_DPT }, { "dport", A_DPT }, { "dstport", A_DPT },
	{ "dst_port", A_DPT }, { "destination_port", A_DPT },
	{ "user", A_USER }, { "username", A_USER }, { "user_name", A_USER },
	{ "duser", A_USER }, { "suser", A_USER },
};

/* An address, or IPv4:port: 1 with out (and *port, else -1). */
static int
ip_port(const char *v, size_t vn, char *out, int *port)
{
	const char *c;

	*port = -1;
	if (pfield_ip(v, vn, out))
		return 1;
	if ((c = memchr(v, ':', vn)) == NULL ||
	    memchr(c + 1, ':', vn - (size_t)(c + 1 - v)) != NULL ||
	    (*port = pfield_port(c + 1, vn - (size_t)(c + 1 - v))) < 0)
		return 0;
	return pfield_ip(v, (size_t)(c - v), out);
}

int
pfield_alias(json_t *d, const char *k, size_t kn, const char *v, size_t vn)
{
	static const char *const ipname[] = { "sourceipaddress",
	    "destinationipaddress" };
	static const char *const portname[] = { "sourceport",
	    "destinationport" };
	char	 ip[PFIELD_IPLEN];
	enum alias a = A_NONE;
	size_t	 i;
	int	 port, x;

	if (kn < 3 || kn > 16)
		return 0;
	for (i = 0; i < sizeof aliases / sizeof *aliases; i++)
		if (aliases[i].a == A_USER ? strlen(aliases[i].k) == kn &&
		    memcmp(k, aliases[i].k, kn) == 0 :
		    pfield_ieq(k, kn, aliases[i].k)) {
			a = aliases[i].a;
			break;
		}
	switch (a) {
	case A_SRC:
	case A_DST:
		x = a == A_DST;
		if (json_object_get(d, ipname[x]) != NULL ||
		    !ip_port(v, vn, ip, &port))
			return 0;
		if (pfield_mozdef(d, ipname[x], json_string(ip)) == -1)
			return -1;
		if (port >= 0 && pfield_mozdef(d, portname[x],
		    json_integer(port)) == -1)
			return -1;
		return 0;
	case A_SPT:
	case A_DPT:
		x = a == A_DPT;
		if (json_object_get(d, portname[x]) != NULL ||
		    (port = pfield_port(v, vn)) < 0)
			return 0;
		return pfield_mozdef(d, portname[x], json_integer(port));
	case A_USER:
		if (json_object_get(d, "username") != NULL || vn == 0 ||
		    (vn == 1 && (v[0] == '-' || v[0] == '?')) ||
		    v[0] == '<' || v[0] == '(' ||
		    !pfield_utf8(v, vn))
			return 0;
		return pfield_mozdef(d, "username", json_stringn(v, vn));
	default:
		return 0;
	}
}
