/*
 * auditd — Linux audit records (auditd.h).
 *
 * A record is "type=T msg=audit(EPOCH.MS:SERIAL): field=value ...", one
 * line each of the several records of one event (SYSCALL, EXECVE, PATH,
 * CWD, PROCTITLE share the serial).  Values are unquoted, "quoted", or
 * hex when the text had spaces, quotes or control characters in it
 * (EXECVE's a0, a1..., proctitle, name, comm, exe, cwd...); user-space
 * records put their own pairs inside msg='...', where a value may run on
 * over spaces ("op=adding user id=1001").  With log_format=ENRICHED a GS
 * byte (0x1d) precedes the interpreted fields, written upper-case
 * (AUID="root").
 *
 * Every field goes under details by its name, as Sigma's auditd rules
 * name them (type, syscall, exe, comm, key, a0..., proctitle); the
 * summary stays the record itself, which the default rules read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auditd.h"
#include "buf.h"
#include "kvscan.h"
#include "pfield.h"
#include "transit.h"

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* s at i starts with lit: i moved past it. */
static int
lit(const char *s, size_t n, size_t *i, const char *l)
{
	size_t	 k = strlen(l);

	if (n - *i < k || memcmp(s + *i, l, k) != 0)
		return 0;
	*i += k;
	return 1;
}

/* Digits at i: their value (at most 18 of them), i moved; -1 if none. */
static int64_t
num(const char *s, size_t n, size_t *i, size_t *ndig)
{
	int64_t	 v = 0;
	size_t	 k = 0;

	while (*i < n && is_digit(s[*i]) && k < 18) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	if (ndig != NULL)
		*ndig = k;
	return k == 0 ? -1 : v;
}

/* A word up to a space: its length, at most max, or 0. */
static size_t
word(const char *s, size_t n, size_t i, size_t max)
{
	size_t	 k = i;

	while (k < n && s[k] != ' ' && k - i <= max)
		k++;
	return k - i > max ? 0 : k - i;
}

int
auditd_header(const char *s, size_t n, struct auditd_hdr *h)
{
	size_t	 i = 0, k, nd;
	int64_t	 sec, frac;

	if (n < 20 || (s[0] != 't' && s[0] != 'n' && s[0] != 'a'))
		return 0;
	memset(h, 0, sizeof *h);
	lit(s, n, &i, "audit: ");
	if (lit(s, n, &i, "node=")) {
		if ((k = word(s, n, i, 255)) == 0)
			return 0;
		h->node = s + i;
		h->noden = k;
		i += k;
		if (!lit(s, n, &i, " "))
			return 0;
	}
	if (!lit(s, n, &i, "type=") || (k = word(s, n, i, 64)) == 0)
		return 0;
	h->type = s + i;
	h->typen = k;
	i += k;
	if (!lit(s, n, &i, " "))
		return 0;
	lit(s, n, &i, "msg=");
	/* seconds up to the year 9999, as every time ward keeps */
	if (!lit(s, n, &i, "audit(") || (sec = num(s, n, &i, NULL)) < 0 ||
	    sec > INT64_C(253402300799) || !lit(s, n, &i, "."))
		return 0;
	/* ausearch -i writes "audit(...) :" */
	if ((frac = num(s, n, &i, &nd)) < 0 || !lit(s, n, &i, ":") ||
	    (h->serial = num(s, n, &i, NULL)) < 0 || !lit(s, n, &i, ")") ||
	    (!lit(s, n, &i, ":") && !lit(s, n, &i, " :")))
		return 0;
	for (; nd < 6; nd++)
		frac *= 10;
	for (; nd > 6; nd--)
		frac /= 10;
	h->us = sec * 1000000 + frac;
	while (i < n && s[i] == ' ')
		i++;
	h->body = i;
	return 1;
}

int
auditd_record(const char *s, size_t n)
{
	struct auditd_hdr h;

	return auditd_header(s, n, &h);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Is the field k one auditd writes hex-encoded when it must? */
static int
encoded(const char *k, size_t kn, int execve)
{
	static const char *const names[] = { "proctitle", "name", "comm",
	    "exe", "cwd", "cmd", "acct", "path", "data", "key", "old",
	    "new" };
	size_t	 i;

	if (execve && kn >= 2 && k[0] == 'a' && is_digit(k[1])) {
		for (i = 2; i < kn && is_digit(k[i]); i++)
			;
		return i == kn || k[i] == '[';
	}
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == kn && memcmp(names[i], k, kn) == 0)
			return 1;
	return 0;
}

/* The text of hex v[0..n) into b, NULs as spaces: 1, or 0 when v is not
   even-length hex of valid UTF-8 text (b then empty). */
static int
unhex(const char *v, size_t n, struct buf *b)
{
	size_t	 i;
	int	 hi, lo;
	char	 c;

	buf_reset(b);
	if (n < 2 || n % 2 != 0)
		return 0;
	for (i = 0; i < n; i += 2) {
		if ((hi = hexval((unsigned char)v[i])) < 0 ||
		    (lo = hexval((unsigned char)v[i + 1])) < 0)
			goto no;
		c = (char)(hi << 4 | lo);
		if (c == '\0')
			c = ' ';
		if (buf_append(b, &c, 1) == -1)
			goto no;
	}
	/* a trailing NUL (proctitle's last argument) is no space */
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;
	if (pfield_utf8(b->data, b->len))
		return 1;
no:
	buf_reset(b);
	return 0;
}

struct rec {
	json_t		*d;
	int		 execve;
	struct buf	 hex;		/* scratch for decoding */
	struct buf	 cmd;		/* EXECVE's arguments joined */
};

/* One field into details. */
static int
field(struct rec *r, const struct kv_item *it)
{
	json_t	*v;
	int	 arg;

	arg = r->execve && it->kn >= 2 && it->k[0] == 'a' &&
	    is_digit(it->k[1]) && encoded(it->k, it->kn, 1) &&
	    memchr(it->k, '[', it->kn) == NULL;
	if (it->q == 0 && encoded(it->k, it->kn, r->execve) &&
	    unhex(it->v, it->vn, &r->hex))
		v = json_stringn_nocheck(r->hex.data ? r->hex.data : "",
		    r->hex.len);
	else
		v = kv_value(it);
	if (v == NULL)
		return -1;
	if (arg && ((r->cmd.len > 0 && buf_append(&r->cmd, " ", 1) == -1) ||
	    buf_append(&r->cmd, json_string_value(v),
	    json_string_length(v)) == -1)) {
		json_decref(v);
		return -1;
	}
	return pfield_add(r->d, it->k, it->kn, v);
}

/* The pairs of s[0..n): a bare word after an unquoted value continues
   it ("op=adding user"); msg='...' is read as pairs in its turn. */
static int
fields(struct rec *r, const char *s, size_t n, int depth)
{
	struct kv_scan sc;
	struct kv_item it, pend;
	int	 have = 0;

	kv_scan_init(&sc, s, n);
	for (;;) {
		int more = kv_next(&sc, &it);

		if (more && it.k == NULL) {
			if (have && pend.q == 0)
				pend.vn = (size_t)(it.v + it.vn - pend.v);
			continue;
		}
		if (have) {
			if (pend.kn == 3 && memcmp(pend.k, "msg", 3) == 0 &&
			    pend.q == '\'' && depth == 0) {
				if (fields(r, pend.v, pend.vn, 1) == -1)
					return -1;
			} else if (field(r, &pend) == -1)
				return -1;
		}
		if (!more)
			return 0;
		pend = it;
		have = 1;
	}
}

/* details[k] as a string, or NULL. */
static const char *
dstr(json_t *d, const char *k, size_t *n)
{
	json_t	*v = json_object_get(d, k);

	*n = json_string_length(v);
	return json_string_value(v);
}

static int
is_type(const struct auditd_hdr *h, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strlen(*set) == h->typen &&
		    memcmp(*set, h->type, h->typen) == 0)
			return 1;
	return 0;
}

/* Records of logging in, out and being refused. */
static const char *const auth_types[] = {
	"USER_AUTH", "USER_LOGIN", "USER_LOGOUT", "USER_ACCT", "USER_ERR",
	"USER_START", "USER_END", "CRED_ACQ", "CRED_DISP", "CRED_REFR",
	"LOGIN", "ANOM_LOGIN_FAILURES", "ANOM_LOGIN_LOCATION",
	"ANOM_LOGIN_SESSIONS", "ANOM_LOGIN_TIME", "ANOM_LOGIN_ACCT", NULL
};

/*
 * processname, category and MozDef's login fields.  The program that
 * logged a record is auditd: the process it is about (comm, exe, pid)
 * stays in details, under Sigma's names.  Were it processname, an sshd
 * login seen by auditd would count as one of sshd's own lines (the
 * rules' "service: sshd"), twice when both are shipped.
 */
static int
schema(json_t *ev, json_t *d, const struct auditd_hdr *h)
{
	const char *s;
	char	 ip[PFIELD_IPLEN];
	size_t	 n;
	int	 auth = is_type(h, auth_types);

	if (json_object_get(ev, "processname") == NULL &&
	    json_object_set_new(ev, "processname", json_string("auditd")) == -1)
		return -1;
	if (json_object_get(ev, "category") == NULL &&
	    json_object_set_new(ev, "category", json_string(auth ?
	    "authentication" : "auditd")) == -1)
		return -1;
	if (!auth)
		return 0;
	if ((s = dstr(d, "res", &n)) != NULL) {
		if (pfield_ieq(s, n, "success") || pfield_ieq(s, n, "yes") ||
		    pfield_ieq(s, n, "1")) {
			if (pfield_mozdef(d, "success", json_true()) == -1)
				return -1;
		} else if (pfield_ieq(s, n, "failed") ||
		    pfield_ieq(s, n, "no") || pfield_ieq(s, n, "0")) {
			if (pfield_mozdef(d, "success", json_false()) == -1)
				return -1;
		}
	}
	/* not sshd's "(invalid user)" */
	if ((s = dstr(d, "acct", &n)) != NULL && n > 0 && s[0] != '(' &&
	    !(n == 1 && s[0] == '?') &&
	    pfield_mozdef(d, "username", json_stringn(s, n)) == -1)
		return -1;
	if ((s = dstr(d, "addr", &n)) != NULL && pfield_ip(s, n, ip) &&
	    pfield_mozdef(d, "sourceipaddress", json_string(ip)) == -1)
		return -1;
	return 0;
}

int
auditd_apply(json_t *ev, const char *s, size_t n)
{
	struct auditd_hdr h;
	struct rec r;
	int	 rc = -1;

	if (!auditd_header(s, n, &h))
		return 0;
	memset(&r, 0, sizeof r);
	buf_init(&r.hex);
	buf_init(&r.cmd);
	if ((r.d = pfield_details(ev)) == NULL)
		goto fail;
	r.execve = h.typen == 6 && memcmp(h.type, "EXECVE", 6) == 0;
	if (pfield_add(r.d, "type", 4, json_stringn(h.type, h.typen)) == -1 ||
	    pfield_add(r.d, "serial", 6, json_integer(h.serial)) == -1 ||
	    (h.node != NULL && pfield_add(r.d, "node", 4,
	    json_stringn(h.node, h.noden)) == -1))
		goto fail;
	if (fields(&r, s + h.body, n - h.body, 0) == -1)
		goto fail;
	if (r.execve && r.cmd.len > 0 && pfield_add(r.d, "command", 7,
	    json_stringn_nocheck(r.cmd.data, r.cmd.len)) == -1)
		goto fail;
	if (pfield_time(ev, h.us) == -1 || schema(ev, r.d, &h) == -1 ||
	    pfield_last(ev, "tags") == -1 || pfield_last(ev, "details") == -1)
		goto fail;
	rc = 1;
fail:
	buf_release(&r.hex);
	buf_release(&r.cmd);
	return rc;
}

/* The transit step: an audit record in the summary gives fields. */
static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	json_t	*sum;
	const char *s;
	int	 rc;

	(void)state, (void)w, (void)ctx;
	sum = json_object_get(ev, "summary");
	if ((s = json_string_value(sum)) == NULL ||
	    (s[0] != 't' && s[0] != 'n' && s[0] != 'a'))
		return 0;
	json_incref(sum);
	rc = auditd_apply(ev, s, json_string_length(sum));
	json_decref(sum);
	return rc;
}

const struct transit_step transit_step_auditd = {
	.name = "auditd",
	.event = step_event,
};
