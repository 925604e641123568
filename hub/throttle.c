/*
 * throttle — failed handshakes: waits and audit summaries.  See
 * throttle.h.  Small fixed tables scanned linearly: a few hundred entries,
 * touched once per refused handshake.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "throttle.h"

#define NS		1000000000LL

struct fail {
	char		 id[THROTTLE_ID_MAX];
	int		 fails;
	int64_t		 last_ns, until_ns;
};

struct ref {
	char		 addr[THROTTLE_ID_MAX];
	char		 user[THROTTLE_ID_MAX];
	int64_t		 since_ns;
	int		 count;		/* refusals in the window, 1st incl. */
	int		 code;
	char		 why[256];
};

struct throttle {
	struct fail	 addrs[THROTTLE_SLOTS];
	struct fail	 users[THROTTLE_SLOTS];
	struct ref	 refs[THROTTLE_REFS];
	int64_t		 rows_since_ns;	/* the current window of rows */
	int		 rows;		/* pairs itemised in it */
};

struct throttle *
throttle_new(void)
{
	return calloc(1, sizeof(struct throttle));
}

void
throttle_free(struct throttle *t)
{
	free(t);
}

/* The record of id in tab; with create, a new one (the stalest slot). */
static struct fail *
fail_find(struct fail *tab, const char *id, int create)
{
	struct fail *f, *old = &tab[0];
	size_t	 i;

	for (i = 0; i < THROTTLE_SLOTS; i++) {
		f = &tab[i];
		if (f->fails > 0 && strcmp(f->id, id) == 0)
			return f;
		if (f->fails == 0 || (old->fails > 0 && f->last_ns <
		    old->last_ns))
			old = f;
	}
	if (!create)
		return NULL;
	memset(old, 0, sizeof *old);
	snprintf(old->id, sizeof old->id, "%s", id);
	return old;
}

static void
charge(struct fail *tab, const char *id, int64_t now)
{
	struct fail *f = fail_find(tab, id, 1);
	int	 secs, k;

	if (now - f->last_ns > (int64_t)THROTTLE_FORGET * NS)
		f->fails = 0;
	f->fails++;
	f->last_ns = now;
	if (f->fails < THROTTLE_FREE)
		return;
	k = f->fails - THROTTLE_FREE;
	secs = k >= 6 ? THROTTLE_MAX_SECS : 1 << k;
	if (secs > THROTTLE_MAX_SECS)
		secs = THROTTLE_MAX_SECS;
	f->until_ns = now + (int64_t)secs * NS;
}

/* Nanoseconds id must still wait, 0 when none. */
static int64_t
waiting(struct fail *tab, const char *id, int64_t now)
{
	struct fail *f;

	if (id == NULL || (f = fail_find(tab, id, 0)) == NULL ||
	    f->until_ns <= now)
		return 0;
	return f->until_ns - now;
}

int
throttle_check(struct throttle *t, const char *addr, const char *user,
    int64_t now)
{
	int64_t	 a, u;

	a = waiting(t->addrs, addr, now);
	u = waiting(t->users, user, now);
	if (a == 0 || u == 0)
		return 0;
	return (int)(((a < u ? a : u) + NS - 1) / NS);
}

void
throttle_fail(struct throttle *t, const char *addr, const char *user,
    int64_t now)
{
	charge(t->addrs, addr, now);
	if (user != NULL)
		charge(t->users, user, now);
}

void
throttle_ok(struct throttle *t, const char *user)
{
	struct fail *f;

	if (user != NULL && (f = fail_find(t->users, user, 0)) != NULL)
		memset(f, 0, sizeof *f);
}

static void
summarize(struct ref *r, int64_t now, void (*cb)(const struct
    throttle_summary *, void *), void *arg, int *n)
{
	struct throttle_summary s;

	if (r->count > 1 && cb != NULL) {
		s.secs = (int)((now - r->since_ns + NS - 1) / NS);
		if (s.secs < 1)
			s.secs = 1;
		s.addr = r->addr;
		s.user = r->user;
		s.count = r->count - 1;
		s.code = r->code;
		s.why = r->why;
		cb(&s, arg);
		(*n)++;
	}
	memset(r, 0, sizeof *r);
}

static struct ref *
ref_find(struct throttle *t, const char *addr, const char *user)
{
	size_t	 i;

	for (i = 0; i < THROTTLE_REFS; i++)
		if (t->refs[i].count > 0 && strcmp(t->refs[i].addr, addr) ==
		    0 && strcmp(t->refs[i].user, user) == 0)
			return &t->refs[i];
	return NULL;
}

int
throttle_refused(struct throttle *t, const char *addr, const char *user,
    int code, const char *why, int64_t now)
{
	struct ref *r, *old;
	size_t	 i;
	int	 peers = 0;

	if (user == NULL)
		user = "-";
	if ((r = ref_find(t, addr, user)) == NULL) {
		/* A new pair: itemised, unless its address already has
		   many, or the window has many. */
		if (now - t->rows_since_ns >= (int64_t)THROTTLE_WINDOW * NS) {
			t->rows_since_ns = now;
			t->rows = 0;
		}
		for (i = 0; i < THROTTLE_REFS; i++)
			if (t->refs[i].count > 0 &&
			    strcmp(t->refs[i].addr, addr) == 0)
				peers++;
		if (t->rows >= THROTTLE_ROWS)
			addr = user = "*";
		else if (peers >= THROTTLE_PER_ADDR)
			user = "*";
		r = ref_find(t, addr, user);
	}
	if (r == NULL) {
		old = &t->refs[0];
		for (i = 0; i < THROTTLE_REFS && old->count > 0; i++)
			if (t->refs[i].count == 0 ||
			    t->refs[i].since_ns < old->since_ns)
				old = &t->refs[i];
		if (old->count > 0)
			return 1;	/* full: audit it, unsummarized */
		r = old;
		snprintf(r->addr, sizeof r->addr, "%s", addr);
		snprintf(r->user, sizeof r->user, "%s", user);
		r->since_ns = now;
		t->rows++;
	}
	r->code = code;
	snprintf(r->why, sizeof r->why, "%s", why != NULL ? why : "");
	return r->count++ == 0;
}

int
throttle_flush(struct throttle *t, int64_t now, int force,
    void (*cb)(const struct throttle_summary *, void *), void *arg)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < THROTTLE_REFS; i++)
		if (t->refs[i].count > 0 && (force || now -
		    t->refs[i].since_ns >= (int64_t)THROTTLE_WINDOW * NS))
			summarize(&t->refs[i], now, cb, arg, &n);
	return n;
}
