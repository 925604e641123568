/*
 * correlate — correlation windows and deadman timers over a ruleset.
 *
 * Each correlation and deadman rule keeps a hash of groups (the group-by
 * values joined by "|").  A group holds what its type needs:
 * event_count and value_count a queue of the hits inside the window
 * (value_count also a count per distinct value), temporal the newest hit
 * of each rule it names, temporal_ordered for each step the start time
 * and events of the newest chain that got that far, deadman when the
 * group was last seen.  A correlation that fires reports, forgets the
 * group's window (so the next report needs a fresh window) and passes
 * its hit on to the correlations that name it.
 *
 * A rule's groups are also on a list, most recently hit first.  A
 * correlation at CORRELATOR_MAX_GROUPS evicts its least recently hit
 * group for a new one (O(1)), so a flood of distinct keys cannot keep the
 * key that keeps hitting, an attacker's, out of its windows; what the
 * flood costs is the windows of groups idle the longest.  A deadman rule
 * at its cap refuses new groups instead: its least recently seen group
 * is the one going silent, the very one it watches.
 */
#define SIGMA_INTERNAL
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "correlate.h"
#include "sigma.h"

#define MAX_IDS		1000		/* reported per match */
#define NONE		INT64_MIN

struct entry {
	int64_t		 ts;
	int64_t		 id;
	char		*val;		/* value_count */
};

/* Slot i of g's ring, its oldest first: qcap is a power of two (2, then
   doubling), so a mask, not a division, which an insertion kept in time
   order did at every step. */
#define QPOS(g, i)	(((g)->qh + (i)) & ((g)->qcap - 1))

struct group {
	struct group	*newer, *older;	/* the rule's list, by last hit */
	struct sigma_map_ent *ent;	/* its entry in the rule's map */
	int64_t		 touched;	/* arrival time of the last hit */
	struct entry	*q;		/* ring: event_count, value_count */
	size_t		 qh, qn, qcap;
	struct sigma_map vals;		/* value -> count in the window */
	int64_t		*rts, *rid;	/* temporal: per position */
	int64_t		*sts;		/* ordered: chain start per step */
	int64_t		*sids;		/* ordered: [step * nrefs + k] */
	int64_t		 seen;		/* deadman */
	int64_t		 lastid;
	int		 hasid;
	int		 fired;
	json_t		*gv;		/* deadman: group-by values */
};

struct cstate {
	struct sigma_map groups;
	struct group	*newest, *oldest;	/* by last hit */
};

struct correlator {
	const struct ruleset *rs;
	struct sigma_scratch *s;
	struct cstate	*st;		/* per rule */
	struct buf	 key, tmp, sum;
	int64_t		*ids;
	int		 started;
	int64_t		 start_us;
	uint64_t	 dropped;
	uint64_t	 evicted;
	int		 calls;
	int		 oom;
	rule_matchcb	 cb;
	void		*arg;
	int64_t		 now_us;
};

static void
group_free(struct group *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->qn; i++)
		free(g->q[QPOS(g, i)].val);
	free(g->q);
	sigma_map_release(&g->vals);
	free(g->rts);
	free(g->rid);
	free(g->sts);
	free(g->sids);
	json_decref(g->gv);
	free(g);
}

struct correlator *
correlator_new(const struct ruleset *rs)
{
	struct correlator *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->rs = rs;
	if ((c->s = sigma_scratch_new(rs)) == NULL ||
	    (c->st = calloc(rs->nrules + 1, sizeof(*c->st))) == NULL ||
	    (c->ids = calloc(MAX_IDS, sizeof(*c->ids))) == NULL) {
		correlator_free(c);
		return NULL;
	}
	return c;
}

static void
state_release(struct cstate *st)
{
	struct sigma_map_ent *e;
	size_t i;

	for (i = 0; (e = sigma_map_next(&st->groups, &i)) != NULL; i++)
		group_free(e->val);
	sigma_map_release(&st->groups);
}

void
correlator_free(struct correlator *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->st != NULL)
		for (i = 0; i < c->rs->nrules; i++)
			state_release(&c->st[i]);
	free(c->st);
	sigma_scratch_free(c->s);
	buf_release(&c->key);
	buf_release(&c->tmp);
	buf_release(&c->sum);
	free(c->ids);
	free(c);
}

uint64_t
correlator_dropped(const struct correlator *c)
{
	return c->dropped;
}

uint64_t
correlator_evicted(const struct correlator *c)
{
	return c->evicted;
}

static void
lru_unlink(struct cstate *st, struct group *g)
{
	if (g->newer != NULL)
		g->newer->older = g->older;
	else
		st->newest = g->older;
	if (g->older != NULL)
		g->older->newer = g->newer;
	else
		st->oldest = g->newer;
	g->newer = g->older = NULL;
}

static void
lru_push(struct cstate *st, struct group *g)
{
	g->older = st->newest;
	g->newer = NULL;
	if (st->newest != NULL)
		st->newest->newer = g;
	st->newest = g;
	if (st->oldest == NULL)
		st->oldest = g;
}

/* Forget group g of st: off the list, out of the map, freed. */
static void
group_drop(struct cstate *st, struct group *g)
{
	lru_unlink(st, g);
	sigma_map_del(&st->groups, g->ent->key, g->ent->klen);
	group_free(g);
}

size_t
correlator_groups(const struct correlator *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->rs->nrules; i++)
		n += c->st[i].groups.n;
	return n;
}

/*
 * The group key of ev for rule cr (whose group-by belongs to correlation
 * or deadman rule owner) at reference position pos, into c->key.
 * Returns 1, 0 when a group-by field is missing, -1 (memory).
 */
static int
group_key(struct correlator *c, const struct rule *owner,
    const struct rule *src, size_t pos, json_t *ev)
{
	const struct sigma_corr *k = owner->corr;
	size_t g;
	int rc;

	buf_reset(&c->key);
	if (buf_puts(&c->key, "") == -1)
		return -1;
	if (k == NULL)
		return 1;
	for (g = 0; g < k->ngroup; g++) {
		if (g > 0 && buf_puts(&c->key, "|") == -1)
			return -1;
		rc = sigma_field_text_idx(c->rs, src, ev,
		    k->groupfield[g * k->nrefs + pos], &c->key);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

static struct group *
group_get(struct correlator *c, const struct rule *r, int create)
{
	struct cstate *st = &c->st[r->index];
	struct sigma_map_ent *e;
	struct group *g;
	size_t n = r->corr ? r->corr->nrefs : 1, i;

	if ((e = sigma_map_get(&st->groups, c->key.data, c->key.len)) !=
	    NULL) {
		g = e->val;
		if (st->newest != g) {	/* the most recently hit now */
			lru_unlink(st, g);
			lru_push(st, g);
		}
		return g;
	}
	if (!create)
		return NULL;
	if (st->groups.n >= CORRELATOR_MAX_GROUPS) {
		if (r->kind == RULE_DEADMAN) {
			c->dropped++;
			return NULL;
		}
		group_drop(st, st->oldest);
		c->evicted++;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		goto oom;
	g->seen = NONE;
	if (r->kind == RULE_CORRELATION && (r->corr->type == CORR_TEMPORAL ||
	    r->corr->type == CORR_TEMPORAL_ORDERED)) {
		if ((g->rts = calloc(n, sizeof(int64_t))) == NULL ||
		    (g->rid = calloc(n, sizeof(int64_t))) == NULL ||
		    (g->sts = calloc(n, sizeof(int64_t))) == NULL ||
		    (g->sids = calloc(n * n, sizeof(int64_t))) == NULL)
			goto oom;
		for (i = 0; i < n; i++)
			g->rts[i] = g->sts[i] = NONE;
	}
	if ((e = sigma_map_put(&st->groups, c->key.data, c->key.len)) == NULL)
		goto oom;
	e->val = g;
	g->ent = e;
	lru_push(st, g);
	return g;
oom:
	group_free(g);
	c->oom = 1;
	return NULL;
}

static void
queue_pop(struct group *g)
{
	struct entry *e = &g->q[g->qh];
	struct sigma_map_ent *m;

	if (e->val != NULL) {
		m = sigma_map_get(&g->vals, e->val, strlen(e->val));
		if (m != NULL) {
			m->val = (void *)((uintptr_t)m->val - 1);
			if (m->val == NULL)
				sigma_map_del(&g->vals, e->val, strlen(e->val));
		}
		free(e->val);
	}
	g->qh = QPOS(g, 1);
	g->qn--;
}

static void
queue_clear(struct group *g)
{
	while (g->qn > 0)
		queue_pop(g);
	sigma_map_release(&g->vals);
	g->qh = 0;
}

/* Insert keeping the queue ordered by time. */
static int
queue_push(struct group *g, int64_t ts, int64_t id, char *val)
{
	struct entry *nq;
	size_t i, j, ncap;

	if (g->qn == g->qcap) {
		ncap = g->qcap ? g->qcap * 2 : 2;	/* most groups see one */
		if ((nq = calloc(ncap, sizeof(*nq))) == NULL)
			return -1;
		for (i = 0; i < g->qn; i++)
			nq[i] = g->q[QPOS(g, i)];
		free(g->q);
		g->q = nq;
		g->qh = 0;
		g->qcap = ncap;
	}
	i = g->qn;
	while (i > 0 && g->q[QPOS(g, i - 1)].ts > ts) {
		j = QPOS(g, i);
		g->q[j] = g->q[QPOS(g, i - 1)];
		i--;
	}
	j = QPOS(g, i);
	g->q[j].ts = ts;
	g->q[j].id = id;
	g->q[j].val = val;
	g->qn++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The sum, mean, percentile or median of the numbers held in g's window,
 * into *out.  A percentile is the nearest rank: the smallest value with
 * at least pct % of the values at or below it.  -1 when out of memory.
 */
static int
aggregate(const struct group *g, const struct sigma_corr *k, double *out)
{
	double *v, sum = 0, pct;
	size_t i, rank;

	if (g->qn == 0 || (v = calloc(g->qn, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < g->qn; i++) {
		const char *s = g->q[QPOS(g, i)].val;

		v[i] = s != NULL ? strtod(s, NULL) : 0;
		sum += v[i];
	}
	if (k->type == CORR_VALUE_SUM)
		*out = sum;
	else if (k->type == CORR_VALUE_AVG)
		*out = sum / (double)g->qn;
	else {
		pct = k->type == CORR_VALUE_MEDIAN ? 50 : k->pct;
		qsort(v, g->qn, sizeof(*v), cmp_double);
		rank = (size_t)ceil(pct / 100.0 * (double)g->qn);
		*out = v[rank > 0 ? rank - 1 : 0];
	}
	free(v);
	return 0;
}

static void corr_hit(struct correlator *, size_t, size_t, const struct rule *,
    json_t *, int64_t, int64_t);

/* Hand m (rule r's) to the callback with its summary: r's template over
   vals (the event, or a deadman group's values), count and m->group. */
static void
report(struct correlator *c, const struct rule *r, struct rule_match *m,
    json_t *vals, size_t count)
{
	buf_reset(&c->sum);
	if (sigma_template(c->rs, r, r->summary ? r->summary : r->title, vals,
	    count, m->group, &c->sum) == -1 || buf_puts(&c->sum, "") == -1) {
		c->oom = 1;
		m->summary = r->title;
	} else
		m->summary = c->sum.data;
	if (c->cb != NULL) {
		c->cb(c->arg, m);
		c->calls++;
	}
}

/* Report rule r (when it reports) and pass its hit to its consumers. */
static void
fire(struct correlator *c, const struct rule *r, json_t *ev,
    const int64_t *ids, size_t nids, size_t count, int64_t first,
    int64_t last, const char *group)
{
	struct rule_match m;
	int64_t lastid = ids != NULL && nids > 0 ? ids[nids - 1] : 0;
	size_t i;

	if (r->emit && c->cb != NULL) {
		memset(&m, 0, sizeof(m));
		m.rule = r;
		m.group = group;
		if (nids > MAX_IDS) {
			ids += nids - MAX_IDS;
			nids = MAX_IDS;
		}
		m.ids = ids;
		m.nids = nids;
		m.count = count;
		m.first_us = first;
		m.last_us = last;
		m.event = ev;
		report(c, r, &m, ev, count);
	}
	/* consumers may fire in turn, reusing c->ids and c->key */
	for (i = r->nconsumers; i-- > 0; )
		corr_hit(c, r->consumers[i] >> 8, r->consumers[i] & 0xff, r,
		    ev, lastid, last);
}

/* Rule src (at position pos of correlation ci) matched ev at ts. */
static void
corr_hit(struct correlator *c, size_t ci, size_t pos, const struct rule *src,
    json_t *ev, int64_t id, int64_t ts)
{
	const struct rule *r = c->rs->rules[ci];
	const struct sigma_corr *k = r->corr;
	struct group *g;
	struct buf val;
	char *group = NULL;
	int64_t now, lo, *chain;
	size_t i, n, cnt;
	int rc;

	if ((rc = group_key(c, r, src, pos, ev)) <= 0) {
		if (rc == -1)
			c->oom = 1;
		return;
	}
	if ((g = group_get(c, r, 1)) == NULL)
		return;
	g->touched = c->now_us;
	/* The key (c->key) is copied only when the rule fires, when its
	   consumers may reuse c->key: most hits only fill a window. */
	switch (k->type) {
	case CORR_EVENT_COUNT:
	case CORR_VALUE_COUNT:
	case CORR_VALUE_SUM:
	case CORR_VALUE_AVG:
	case CORR_VALUE_PERCENTILE:
	case CORR_VALUE_MEDIAN:
		now = ts;
		if (g->qn > 0 && g->q[QPOS(g, g->qn - 1)].ts > now)
			now = g->q[QPOS(g, g->qn - 1)].ts;
		lo = now - k->span_us;
		while (g->qn > 0 && g->q[g->qh].ts < lo)
			queue_pop(g);
		if (ts < lo)
			break;		/* too late for any window */
		if (k->type == CORR_VALUE_COUNT || CORR_AGGREGATES(k->type)) {
			struct sigma_map_ent *e;
			char *v, *end;

			buf_init(&val);
			rc = sigma_field_text_idx(c->rs, src, ev, k->valuefield,
			    &val);
			if (rc <= 0 || buf_puts(&val, "") == -1) {
				if (rc == -1)
					c->oom = 1;
				buf_release(&val);
				break;
			}
			/* an aggregate counts the events whose field is a
			   number */
			if (CORR_AGGREGATES(k->type) && (strtod(val.data, &end),
			    end == val.data || *end != '\0')) {
				buf_release(&val);
				break;
			}
			/* values compare case-insensitively */
			for (i = 0; i < val.len; i++)
				if (val.data[i] >= 'A' && val.data[i] <= 'Z')
					val.data[i] += 'a' - 'A';
			v = buf_steal(&val, &n);
			if ((e = sigma_map_put(&g->vals, v, n)) == NULL ||
			    queue_push(g, ts, id, v) == -1) {
				if (e != NULL && e->val == NULL)
					sigma_map_del(&g->vals, v, n);
				free(v);
				c->oom = 1;
				break;
			}
			e->val = (void *)((uintptr_t)e->val + 1);
			cnt = g->vals.n;
			if (CORR_AGGREGATES(k->type)) {
				double a;

				cnt = g->qn;
				if (aggregate(g, k, &a) == -1) {
					c->oom = 1;
					break;
				}
				if (a < k->dlo || (k->dlo_open && a == k->dlo) ||
				    a > k->dhi || (k->dhi_open && a == k->dhi))
					break;
				goto fires;
			}
		} else {
			if (queue_push(g, ts, id, NULL) == -1) {
				c->oom = 1;
				break;
			}
			cnt = g->qn;
		}
		if ((int64_t)cnt < k->lo || (int64_t)cnt > k->hi)
			break;
fires:
		if ((group = strdup(c->key.data)) == NULL) {
			c->oom = 1;
			break;
		}
		n = g->qn < MAX_IDS ? g->qn : MAX_IDS;
		for (i = 0; i < n; i++)
			c->ids[i] = g->q[QPOS(g, g->qn - n + i)].id;
		{
			int64_t first = g->q[g->qh].ts;

			queue_clear(g);
			fire(c, r, ev, c->ids, n, cnt, first, ts, group);
		}
		break;
	case CORR_TEMPORAL:
		if (g->rts[pos] == NONE || ts >= g->rts[pos]) {
			g->rts[pos] = ts;
			g->rid[pos] = id;
		}
		now = ts;
		for (i = 0; i < k->nrefs; i++)
			if (g->rts[i] != NONE && g->rts[i] > now)
				now = g->rts[i];
		lo = now - k->span_us;
		cnt = 0;
		{
			int64_t first = now;

			for (i = 0, n = 0; i < k->nrefs; i++) {
				if (g->rts[i] == NONE || g->rts[i] < lo)
					continue;
				cnt++;
				c->ids[n++] = g->rid[i];
				if (g->rts[i] < first)
					first = g->rts[i];
			}
			if ((int64_t)cnt < k->lo || (int64_t)cnt > k->hi)
				break;
			if ((group = strdup(c->key.data)) == NULL) {
				c->oom = 1;
				break;
			}
			for (i = 0; i < k->nrefs; i++)
				g->rts[i] = NONE;
			fire(c, r, ev, c->ids, n, cnt, first, now, group);
		}
		break;
	case CORR_TEMPORAL_ORDERED:
		n = k->nrefs;
		if (pos == 0) {
			g->sts[0] = ts;
			g->sids[0] = id;
		} else if (g->sts[pos - 1] != NONE &&
		    g->sts[pos - 1] >= ts - k->span_us &&
		    (g->sts[pos] == NONE || g->sts[pos - 1] >= g->sts[pos])) {
			g->sts[pos] = g->sts[pos - 1];
			memcpy(&g->sids[pos * n], &g->sids[(pos - 1) * n],
			    pos * sizeof(int64_t));
			g->sids[pos * n + pos] = id;
		} else
			break;
		if (pos != n - 1)
			break;
		if ((group = strdup(c->key.data)) == NULL) {
			c->oom = 1;
			break;
		}
		chain = &g->sids[pos * n];
		memcpy(c->ids, chain, n * sizeof(int64_t));
		{
			int64_t first = g->sts[pos];

			for (i = 0; i < n; i++)
				g->sts[i] = NONE;
			fire(c, r, ev, c->ids, n, n, first, ts, group);
		}
		break;
	}
	free(group);
}

/* A deadman rule's detection matched: the group is alive. */
static void
deadman_seen(struct correlator *c, const struct rule *r, json_t *ev,
    int64_t id)
{
	const struct sigma_corr *k = r->corr;
	struct group *g;
	json_t *obj, *o, *x;
	struct buf v;
	size_t i, j;
	int rc;

	if ((rc = group_key(c, r, r, 0, ev)) <= 0) {
		if (rc == -1)
			c->oom = 1;
		return;
	}
	if ((g = group_get(c, r, 1)) == NULL)
		return;
	g->seen = c->now_us;
	g->lastid = id;
	g->hasid = 1;
	g->fired = 0;
	if (g->gv != NULL || k->ngroup == 0)
		return;
	/* remember the group-by values for the summary of a later report */
	if ((obj = json_object()) == NULL) {
		c->oom = 1;
		return;
	}
	buf_init(&v);
	for (i = 0; i < k->ngroup; i++) {
		const struct sigma_field *f =
		    &c->rs->fields[k->groupfield[i * k->nrefs]];

		/* a field found under one of several paths: kept under
		   its first */
		if (f->nalts > 0)
			f = &c->rs->fields[f->alts[0]];

		buf_reset(&v);
		if (sigma_field_text_idx(c->rs, r, ev, k->groupfield[i *
		    k->nrefs], &v) <= 0 || buf_puts(&v, "") == -1)
			continue;
		for (o = obj, j = 0; j + 1 < f->ncomp; j++) {
			if ((x = json_object_get(o, f->comp[j])) == NULL) {
				x = json_object();
				if (json_object_set_new(o, f->comp[j], x) == -1)
					break;
			}
			o = x;
		}
		if (j + 1 >= f->ncomp && json_is_object(o))
			json_object_set_new(o, f->comp[f->ncomp - 1],
			    json_string(v.data));
	}
	buf_release(&v);
	g->gv = obj;
}

int
correlator_feed(struct correlator *c, json_t *ev, int64_t id,
    int64_t now_us, rule_matchcb cb, void *arg)
{
	const struct ruleset *rs = c->rs;
	const size_t *hits;
	const struct rule *r;
	size_t n, i, j;
	int64_t ts = NONE;
	int rc;

	c->cb = cb;
	c->arg = arg;
	c->calls = 0;
	c->oom = 0;
	c->now_us = now_us;
	if (!c->started) {
		c->started = 1;
		c->start_us = now_us;
	}
	n = sigma_match(rs, c->s, ev, &hits);
	for (i = 0; i < n; i++) {
		r = rs->rules[hits[i]];
		if (r->kind == RULE_DEADMAN) {
			deadman_seen(c, r, ev, id);
			continue;
		}
		if (ts == NONE)
			ts = sigma_event_time(ev, now_us);
		if (r->emit) {
			if (r->corr != NULL) {
				rc = group_key(c, r, r, 0, ev);
				if (rc == -1)
					c->oom = 1;
				if (rc == 0 && buf_puts(&c->key, "") == -1)
					c->oom = 1;
			} else {
				buf_reset(&c->key);
				if (buf_puts(&c->key, "") == -1)
					c->oom = 1;
			}
			if (!c->oom) {
				struct rule_match m;

				/* c->key is reused only by the consumers,
				   after the report */
				memset(&m, 0, sizeof(m));
				m.rule = r;
				m.group = c->key.data;
				m.ids = &id;
				m.nids = 1;
				m.count = 1;
				m.first_us = m.last_us = ts;
				m.event = ev;
				report(c, r, &m, ev, 1);
			}
		}
		for (j = r->nconsumers; j-- > 0; )
			corr_hit(c, r->consumers[j] >> 8, r->consumers[j] & 0xff,
			    r, ev, id, ts);
	}
	return c->oom ? -1 : c->calls;
}

int
correlator_tick(struct correlator *c, int64_t now_us, rule_matchcb cb,
    void *arg)
{
	const struct ruleset *rs = c->rs;
	struct sigma_map_ent *e;
	struct rule_match m;
	const struct rule *r;
	struct group *g;
	size_t i, b;

	c->cb = cb;
	c->arg = arg;
	c->calls = 0;
	c->oom = 0;
	c->now_us = now_us;
	if (!c->started) {
		c->started = 1;
		c->start_us = now_us;
	}
	for (i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		if (r->kind == RULE_CORRELATION) {
			/* forget idle groups */
			for (b = 0; (e = sigma_map_next(&c->st[i].groups,
			    &b)) != NULL; ) {
				g = e->val;
				if (now_us - g->touched <= r->corr->span_us) {
					b++;
					continue;
				}
				lru_unlink(&c->st[i], g);
				group_free(g);
				sigma_map_del_at(&c->st[i].groups, b);
			}
			continue;
		}
		if (r->kind != RULE_DEADMAN)
			continue;
		if (r->corr->ngroup == 0) {
			buf_reset(&c->key);
			if (buf_puts(&c->key, "") == -1 ||
			    (g = group_get(c, r, 1)) == NULL) {
				c->oom = 1;
				continue;
			}
			if (g->seen == NONE)
				g->seen = c->start_us;
		}
		for (b = 0; (e = sigma_map_next(&c->st[i].groups, &b)) != NULL;
		    b++) {
			g = e->val;
			if (g->fired || g->seen == NONE ||
			    now_us - g->seen < r->corr->span_us)
				continue;
			g->fired = 1;
			memset(&m, 0, sizeof(m));
			m.rule = r;
			m.group = e->key;
			m.ids = g->hasid ? &g->lastid : NULL;
			m.nids = g->hasid ? 1 : 0;
			m.count = 0;
			m.first_us = g->seen;
			m.last_us = now_us;
			report(c, r, &m, g->gv, 0);
		}
	}
	return c->oom ? -1 : c->calls;
}
