/*
 * alerter — the rules, run over every acknowledged event on a thread of
 * their own.  See alerter.h.
 *
 * The commit owner (hub/commit.c), on the net thread, hands over each
 * acknowledged ingest job (alerter_submit); the alerter thread takes
 * every job queued at once, parses each event once, feeds it to the
 * correlator and folds what the rules report per rule and group.  It
 * writes the folded matches into the state db in one transaction, at
 * most every FLUSH_GAP_US while matches keep coming (an alert's row, with
 * its event ids and samples, is rewritten whole on every write, so a
 * stream where every event matches cost one such rewrite per job; a new
 * match after a quiet spell is written at once).  A match refers to its
 * event's stored text in the job, copied when the job is freed.
 * Its connection commits with synchronous=NORMAL:
 * what the rules write is derived from events already stored, and their
 * windows live in memory and are lost with the process anyway, so an fsync
 * per transaction (it took up to 620 ms of every second at 50,000
 * events/s) would buy nothing; a commit survives the process being
 * killed, and the next checkpoint, or a console's commit, syncs it.  After
 * the commit it
 * broadcasts every alert changed since the last one it sent (by rev, so
 * changes made by consoles' ops on the session thread go out too, within
 * a tick) and offers them to the response actions (actions.c), which run
 * on their own threads.
 *
 * About once a second the thread ticks: deadman timers, idle windows,
 * alerts changed by others, and reload requests made over the wire
 * (rules.reload writes a generation into rules_state).  A reload builds
 * the new ruleset and correlator on this thread between two batches, so
 * no event is skipped; jobs queue meanwhile.  Windows restart empty.
 */
#include <sys/stat.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "actions.h"
#include "alerter.h"
#include "alertdb.h"
#include "buf.h"
#include "correlate.h"
#include "deadline.h"
#include "errf.h"
#include "jarena.h"
#include "jsonfast.h"
#include "log.h"
#include "monotime.h"
#include "session.h"
#include "sigma.h"
#include "state.h"
#include "timeparse.h"

#define TICK_US		(1000 * 1000)
#define FLUSH_GAP_US	(250 * 1000)	/* between two writes of matches */
#define CHANGES_MAX	1000		/* alerts broadcast per query */
#define QUEUE_WARN	10000		/* jobs waiting: say so */

struct alerter {
	struct hub	*h;
	atomic_size_t	 held;		/* jobs taken and not yet evaluated */
	atomic_size_t	 held_bytes;	/* ... and what they hold (job_bytes) */
	char		**paths;
	size_t		 npaths;

	pthread_t	 thr;
	int		 started;
	pthread_mutex_t	 mtx;		/* the queue, closing */
	pthread_cond_t	 cond;
	struct job	*head, *tail;
	size_t		 n;
	int		 closing;
	int		 done;		/* the thread has ended */
	atomic_int	 reload;	/* SIGHUP */

	pthread_mutex_t	 bmtx;		/* broadcasting, quiet */
	int		 quiet;

	/* The alerter thread's. */
	sqlite3		*db;
	struct alertdb_held stmts;	/* alertdb_upsert's statements */
	struct ruleset	*rs;
	struct correlator *cor;
	struct actions	*act;
	struct jarena	 arena;		/* the event being evaluated */
	int64_t		 last_rev;	/* last alert change broadcast */
	int64_t		 reload_gen;	/* last rules.reload answered */
	int		 in_txn;
	struct batch	*batch;		/* matches not yet written */
	const char	*doc;		/* the stored text of the event being
					   evaluated, in its job */
	size_t		 doclen;
	int64_t		 flushed;	/* monotonic µs of the last write */
	struct recent	**recent;	/* alerts pushed lately */
	uint64_t	 events, hits, failed;
	uint64_t	 dropped_before;	/* by correlators reloaded away */
	uint64_t	 dropped_said;		/* in the last warning */
	uint64_t	 evicted_before, evicted_said;	/* the same */
	time_t		 next_say;		/* of that warning */
	int64_t		 next_tick;
};

void	alerter_quiet(struct alerter *);

/* The wall clock (timeparse.h), by the name this file's callers use. */
static int64_t
now_us(void)
{
	return time_now_us();
}

/* Rule errors: logged, and kept for rules.status. */
#define LOGGED_RULE_FILES	20
struct rule_errs {
	json_t	*errs;
	size_t	 n;
};

/* The first few reasons are logged one a line; the rest only counted
   (a rule pack of thousands, such as SigmaHQ's, may skip dozens). */
#define LOGGED_RULE_ERRORS	10

static void
on_rule_error(void *arg, const struct rule_error *e)
{
	struct rule_errs *re = arg;
	char	 line[800];

	snprintf(line, sizeof line, "%s:%u: %s", e->file, e->line, e->msg);
	if (re->n++ < LOGGED_RULE_ERRORS)
		log_warn("rules: %s", line);
	if (re->errs != NULL)
		json_array_append_new(re->errs, json_string(line));
}

/* How many rules there are of each logsource ("product/category/
   service", "-" for a part not given, "none" without one); NULL when out
   of memory. */
static json_t *
by_logsource(const struct ruleset *rs)
{
	const struct rule *r;
	json_t	*o = json_object();
	const char *k;
	size_t	 i;

	for (i = 0; o != NULL && i < ruleset_count(rs); i++) {
		r = ruleset_rule(rs, i);
		k = r->logsource != NULL ? r->logsource : "none";
		json_object_set_new(o, k, json_integer(json_integer_value(
		    json_object_get(o, k)) + 1));
	}
	return o;
}

/* Load the rules and log what came from where.  NULL when out of memory
   (errors are reported and skipped, never fatal). */
static struct ruleset *
load_rules(struct alerter *a, json_t *errs)
{
	struct ruleset *rs;
	const struct rule *r;
	size_t	 i, n, nerr = 0, kinds[3] = { 0, 0, 0 }, infile = 0;
	size_t	 nfiles = 0;
	struct rule_errs re;
	const char *file = NULL;

	/* The default DATA/rules is optional; a directory named on the
	   command line is not. */
	const char *use[a->npaths + 1];
	char	 dflt[4200];
	struct stat sb;
	size_t	 nuse = 0;

	snprintf(dflt, sizeof dflt, "%s/rules", a->h->datadir ?
	    a->h->datadir : "");
	for (i = 0; i < a->npaths; i++)
		if (strcmp(a->paths[i], dflt) != 0 || stat(dflt, &sb) == 0)
			use[nuse++] = a->paths[i];
	re.errs = errs;
	re.n = 0;
	rs = ruleset_load(use, nuse, on_rule_error, &re, &nerr);
	if (rs == NULL) {
		log_err("rules: out of memory loading the rules");
		return NULL;
	}
	n = ruleset_count(rs);
	for (i = 0; i <= n; i++) {
		r = i < n ? ruleset_rule(rs, i) : NULL;
		if (file != NULL && (r == NULL || strcmp(r->file, file) != 0)) {
			if (++nfiles <= LOGGED_RULE_FILES)
				log_info("rules: %s: %zu rule%s", file, infile,
				    infile == 1 ? "" : "s");
			infile = 0;
		}
		if (r == NULL)
			break;
		file = r->file;
		infile++;
		if ((int)r->kind >= 0 && r->kind <= RULE_DEADMAN)
			kinds[r->kind]++;
	}
	if (nfiles > LOGGED_RULE_FILES)
		log_info("rules: %zu files", nfiles);
	log_info("rules: %zu loaded (%zu detection, %zu correlation, %zu "
	    "deadman), %zu broken%s", n, kinds[RULE_DETECTION],
	    kinds[RULE_CORRELATION], kinds[RULE_DEADMAN], nerr,
	    nerr > LOGGED_RULE_ERRORS ? " (the first logged above; wardd "
	    "rules check lists them all)" : "");
	return rs;
}

static int
begin(struct alerter *a)
{
	if (a->in_txn)
		return 0;
	if (sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_err("alerter: cannot write alerts: %s",
		    sqlite3_errmsg(a->db));
		return -1;
	}
	a->in_txn = 1;
	return 0;
}

static void
commit(struct alerter *a)
{
	if (!a->in_txn)
		return;
	a->in_txn = 0;
	if (sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_err("alerter: alerts of this batch not saved: %s",
		    sqlite3_errmsg(a->db));
		sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

/*
 * Matches of one rule and group key within a batch, folded into one
 * write: a rule that matches every event of a batch costs one upsert.
 */
struct pend {
	struct pend	*next;		/* in its bucket */
	struct pend	*all;		/* in the batch, in order */
	const struct rule *rule;	/* owned by the ruleset */
	char		*group;
	char		*summary;	/* of the latest match */
	int64_t		*ids;
	size_t		 nids, capids, dropped;
	int64_t		 maxid;
	size_t		 nmatches;
	int64_t		 first_us, last_us;
	const char	*doc;		/* the latest triggering event's text,
					   as stored: in its job, or own */
	size_t		 doclen;
	char		*own;
};

#define PEND_BUCKETS	1024

struct batch {
	struct pend	*b[PEND_BUCKETS];
	struct pend	*head, **tail;
	size_t		 n;
};

static uint64_t
fnv(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *a != '\0'; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (; *b != '\0'; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h;
}

static void
pend_free(struct pend *p)
{
	free(p->group);
	free(p->summary);
	free(p->ids);
	free(p->own);
	free(p);
}

/* Keep p's first ALERTS_KEEP_FIRST ids and the newest, ALERTS_MAX_IDS in
   all, as the alert keeps them; what goes is counted.  Done once the list
   is twice that long (and before a write), not on every id past it. */
static void
ids_trim(struct pend *p)
{
	size_t	 drop;

	if (p->nids <= ALERTS_MAX_IDS)
		return;
	drop = p->nids - ALERTS_MAX_IDS;
	memmove(p->ids + ALERTS_KEEP_FIRST, p->ids + ALERTS_KEEP_FIRST + drop,
	    (p->nids - ALERTS_KEEP_FIRST - drop) * sizeof *p->ids);
	p->nids -= drop;
	p->dropped += drop;
}

/* The correlator reports a match: fold it into the batch. */
static void
on_match(void *arg, const struct rule_match *m)
{
	struct alerter *a = arg;
	struct batch *bt = a->batch;
	struct pend *p;
	uint64_t h;
	char	*sum;
	size_t	 i;
	int64_t	*ni;

	a->hits++;
	h = fnv(m->rule->id, m->group) % PEND_BUCKETS;
	for (p = bt->b[h]; p != NULL; p = p->next)
		if (p->rule == m->rule && strcmp(p->group, m->group) == 0)
			break;
	if (p == NULL) {
		if ((p = calloc(1, sizeof *p)) == NULL ||
		    (p->group = strdup(m->group)) == NULL) {
			free(p);
			goto oom;
		}
		p->rule = m->rule;
		p->first_us = m->first_us;
		p->last_us = m->last_us;
		p->next = bt->b[h];
		bt->b[h] = p;
		*bt->tail = p;
		bt->tail = &p->all;
		bt->n++;
	}
	p->nmatches++;
	if (m->first_us < p->first_us)
		p->first_us = m->first_us;
	if (m->last_us > p->last_us)
		p->last_us = m->last_us;
	if ((sum = strdup(m->summary ? m->summary : m->rule->title)) != NULL) {
		free(p->summary);
		p->summary = sum;
	}
	/* The event is the one being evaluated: its stored text is what
	   the alert's samples take (writing the tree out again was most
	   of what a match cost). */
	if (m->event != NULL && a->doc != NULL) {
		free(p->own);
		p->own = NULL;
		p->doc = a->doc;
		p->doclen = a->doclen;
	}
	/* Ids mostly grow, but a window lists its events by event time,
	   not by id (taking only those past the largest so far counted
	   about 3 of a window of 10 whose times were not in id order), so
	   one at or below the largest is looked for among those kept. */
	for (i = 0; i < m->nids; i++) {
		if (m->ids[i] <= p->maxid) {
			size_t	 k;

			for (k = 0; k < p->nids && p->ids[k] != m->ids[i]; k++)
				;
			if (k < p->nids)
				continue;
		} else
			p->maxid = m->ids[i];
		if (p->nids == 2 * ALERTS_MAX_IDS)
			ids_trim(p);
		if (p->nids == p->capids) {
			if ((ni = reallocarray(p->ids, p->capids * 2 + 16,
			    sizeof *ni)) == NULL)
				goto oom;
			p->ids = ni;
			p->capids = p->capids * 2 + 16;
		}
		p->ids[p->nids++] = m->ids[i];
	}
	return;
oom:
	a->failed++;
	log_err("alerter: out of memory recording a match of %s",
	    m->rule->id);
}

/* µs until the batch is due to be written: 0 now, -1 when it is empty. */
static int64_t
flush_due(struct alerter *a)
{
	int64_t	 left;

	if (a->batch->head == NULL)
		return -1;
	left = a->flushed + FLUSH_GAP_US - monotime_us();
	return left > 0 ? left : 0;
}

/* Job j is about to be freed: the matches whose event is in it keep a
   copy of its text (a job's arena moves nowhere until then). */
static void
batch_detach(struct alerter *a, const struct job *j)
{
	struct pend *p;
	uintptr_t lo = (uintptr_t)j->arena.data, hi = lo + j->arena.len;

	for (p = a->batch->head; p != NULL; p = p->all) {
		if (p->own != NULL || p->doc == NULL ||
		    (uintptr_t)p->doc < lo || (uintptr_t)p->doc >= hi)
			continue;
		if ((p->own = strndup(p->doc, p->doclen)) == NULL) {
			log_err("alerter: out of memory keeping an event of "
			    "%s", p->rule->id);
			p->doc = NULL;
			continue;
		}
		p->doc = p->own;
	}
}

/* Write the batch's matches in one transaction; empty it. */
static void
flush(struct alerter *a)
{
	struct batch *bt = a->batch;
	struct alert_hit h;
	struct pend *p, *next;
	char	 err[512], *text;
	int64_t	 id;
	int	 ok;

	a->flushed = monotime_us();
	if (bt->head == NULL)
		return;
	ok = begin(a) == 0;
	for (p = bt->head; p != NULL; p = next) {
		next = p->all;
		text = p->own != NULL ? p->own : p->doc == NULL ? NULL :
		    strndup(p->doc, p->doclen);
		p->own = NULL;
		if (ok && p->doc != NULL && text == NULL) {
			a->failed += p->nmatches;
			log_err("alerter: out of memory writing a match of %s",
			    p->rule->id);
		} else if (ok) {
			ids_trim(p);
			memset(&h, 0, sizeof h);
			h.rule = p->rule->title;
			h.rule_id = p->rule->id;
			h.level = p->rule->level;
			h.summary = p->summary;
			h.group = p->group;
			h.tags = (const char *const *)p->rule->tags;
			h.ntags = p->rule->ntags;
			h.ids = p->ids;
			h.nids = p->nids;
			h.ndropped = p->dropped;
			h.nmatches = p->nmatches;
			h.first_us = p->first_us;
			h.last_us = p->last_us;
			h.event_text = text;
			h.custom = p->rule->custom;
			if (alertdb_upsert(a->db, &a->stmts, &h, &id, err,
			    sizeof err) == -1) {
				a->failed += p->nmatches;
				log_err("alerter: rule %s: %s", h.rule_id, err);
			}
		} else
			a->failed += p->nmatches;
		free(text);
		pend_free(p);
	}
	memset(bt, 0, sizeof *bt);
	bt->tail = &bt->head;
	commit(a);
}

/*
 * Pushes of updates are coalesced: an alert updated again within
 * PUSH_GAP_US of its last push is marked and pushed (as it is then) once
 * the gap has passed, so a rule matching thousands of events a second
 * sends a console a few pushes, not thousands.  New alerts and status
 * changes go out at once.
 */
#define PUSH_GAP_US	(500 * 1000)
#define PUSH_FORGET_US	(10 * 1000000)
#define PUSH_BUCKETS	4096

struct recent {
	struct recent	*next;
	int64_t		 id;
	int64_t		 last;		/* monotonic µs of the last push */
	int		 dirty;		/* changed since */
};

struct bcast {
	struct alerter	*a;
	size_t		 n;
};

/* The monotonic clock (monotime.h), by the name this file's callers use. */
static int64_t
mono_us(void)
{
	return monotime_us();
}

static struct recent *
recent_get(struct alerter *a, int64_t id, int add)
{
	struct recent **b = &a->recent[(uint64_t)id % PUSH_BUCKETS], *r;

	for (r = *b; r != NULL; r = r->next)
		if (r->id == id)
			return r;
	if (!add || (r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->id = id;
	r->next = *b;
	*b = r;
	return r;
}

static void
push(struct alerter *a, json_t *alert)
{
	pthread_mutex_lock(&a->bmtx);
	if (!a->quiet && a->h != NULL && a->h->sessions != NULL)
		sessions_broadcast_alert(a->h, alert);
	pthread_mutex_unlock(&a->bmtx);
	actions_offer(a->act, alert);
}

/* Push the alerts whose coalesced updates are due; forget old ones. */
static void
push_due(struct alerter *a, int all)
{
	struct recent **pp, *r;
	json_t	*o;
	char	 err[256];
	int64_t	 now = mono_us();
	size_t	 i;

	for (i = 0; i < PUSH_BUCKETS; i++)
		for (pp = &a->recent[i]; (r = *pp) != NULL; ) {
			if (r->dirty && (all || now - r->last >= PUSH_GAP_US)) {
				r->dirty = 0;
				r->last = now;
				if (alertdb_brief(a->db, &a->stmts, r->id, &o,
				    err, sizeof err) == WIRE_OK) {
					json_object_set_new(o, "change",
					    json_string("updated"));
					push(a, o);
					json_decref(o);
				}
			}
			if (!r->dirty && now - r->last > PUSH_FORGET_US) {
				*pp = r->next;
				free(r);
				continue;
			}
			pp = &r->next;
		}
}

/* An alert changed: push it now, or note it for push_due when it was
   pushed less than PUSH_GAP_US ago and only its count moved. */
static int
send_one(int64_t id, const char *change, void *arg)
{
	struct bcast *b = arg;
	struct alerter *a = b->a;
	struct recent *r;
	json_t	*o;
	char	 err[256];
	int64_t	 now = mono_us();

	b->n++;
	r = recent_get(a, id, 1);
	if (r != NULL && strcmp(change, "updated") == 0 && r->last != 0 &&
	    now - r->last < PUSH_GAP_US) {
		r->dirty = 1;
		return 0;
	}
	if (r != NULL) {
		r->last = now;
		r->dirty = 0;
	}
	if (alertdb_brief(a->db, &a->stmts, id, &o, err, sizeof err) !=
	    WIRE_OK) {
		log_err("alerter: %s", err);
		return 0;
	}
	push(a, o);
	json_decref(o);
	return 0;
}

/* Broadcast every alert changed since the last one sent, from one
   snapshot of the alerts. */
static void
broadcast_changes(struct alerter *a)
{
	struct bcast b;
	char	 err[512];
	int64_t	 r;
	int	 snap;

	snap = sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	do {
		b.a = a;
		b.n = 0;
		r = alertdb_changes(a->db, &a->stmts, a->last_rev, CHANGES_MAX,
		    send_one, &b, err, sizeof err);
		if (r < 0) {
			log_err("alerter: %s", err);
			break;
		}
		a->last_rev = r;
	} while (b.n == CHANGES_MAX);
	if (snap)
		sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
	if (r >= 0)
		push_due(a, 0);
}

/* Evaluate the events of one job. */
static void
run_job(struct alerter *a, struct job *j)
{
	struct jsonfast_error jerr;
	json_t	*ev;
	size_t	 i, used;
	int64_t	 id;

	/* Without rules there is nothing to parse the events for. */
	if (j->ids == NULL || j->arena.data == NULL ||
	    ruleset_count(a->rs) == 0)
		return;
	for (i = 0; i < j->nrows; i++) {
		id = j->ids[j->rows[i].item];
		if (id < 0)
			continue;
		/* The tree comes from the arena; rules run with it put
		   aside, so what they keep is ordinary memory. */
		jarena_use(&a->arena);
		ev = jsonfast_parse(j->arena.data + j->rows[i].doc,
		    j->rows[i].doclen, &used, 64, &jerr);
		jarena_use(NULL);
		if (ev == NULL) {
			jarena_reset(&a->arena);
			log_warn("alerter: event %" PRId64 " unreadable: %s",
			    id, jerr.text);
			continue;
		}
		a->events++;
		a->doc = j->arena.data + j->rows[i].doc;
		a->doclen = j->rows[i].doclen;
		if (correlator_feed(a->cor, ev, id, j->rows[i].received,
		    on_match, a) < 0)
			log_err("alerter: out of memory evaluating event %"
			    PRId64, id);
		/* the rules do not change ev: all of it is arena */
		jarena_reset(&a->arena);
		a->doc = NULL;
	}
}

/* Swap in a fresh ruleset from the same paths; gen: the rules.reload
   request answered (0 for SIGHUP or start). */
static void
reload(struct alerter *a, int64_t gen)
{
	struct ruleset *rs;
	struct correlator *cor;
	json_t	*errs, *bylog;
	char	 err[512];

	errs = json_array();
	if ((rs = load_rules(a, errs)) == NULL ||
	    (cor = correlator_new(rs)) == NULL) {
		ruleset_free(rs);
		json_decref(errs);
		log_err("rules: reload failed (out of memory); the previous "
		    "rules stay");
		return;
	}
	flush(a);
	a->dropped_before += correlator_dropped(a->cor);
	a->evicted_before += correlator_evicted(a->cor);
	correlator_free(a->cor);
	ruleset_free(a->rs);
	a->rs = rs;
	a->cor = cor;
	bylog = by_logsource(rs);
	if (alertdb_rules_report(a->db, gen, ruleset_count(rs), errs, bylog,
	    err, sizeof err) == -1)
		log_warn("rules: %s", err);
	json_decref(bylog);
	json_decref(errs);
	if (actions_reload(a->act, err, sizeof err) == -1)
		log_warn("actions: %s; the previous actions stay", err);
}

/* Publish the correlation groups, and the groups evicted and hits
   dropped at a rule's cap, and say so in the log (once a minute at most)
   when there are more. */
static void
publish_groups(struct alerter *a)
{
	uint64_t dropped = a->dropped_before + correlator_dropped(a->cor);
	uint64_t evicted = a->evicted_before + correlator_evicted(a->cor);

	atomic_store(&a->h->m.rule_groups, correlator_groups(a->cor));
	atomic_store(&a->h->m.rule_hits_dropped, dropped);
	atomic_store(&a->h->m.rule_groups_evicted, evicted);
	if ((dropped > a->dropped_said || evicted > a->evicted_said) &&
	    time(NULL) >= a->next_say) {
		log_warn("rules: a rule holds %d groups, its most: %" PRIu64
		    " more groups evicted, the least recently hit (see "
		    "ward_rule_groups_evicted_total), %" PRIu64 " more deadman "
		    "hits dropped (ward_rule_hits_dropped_total)",
		    CORRELATOR_MAX_GROUPS, evicted - a->evicted_said,
		    dropped - a->dropped_said);
		a->dropped_said = dropped;
		a->evicted_said = evicted;
		a->next_say = time(NULL) + 60;
	}
}

static void
tick(struct alerter *a)
{
	int64_t	 gen;

	if (correlator_tick(a->cor, now_us(), on_match, a) < 0)
		log_err("alerter: out of memory in the deadman timers");
	publish_groups(a);
	flush(a);
	if ((gen = alertdb_reload_wanted(a->db)) > a->reload_gen) {
		log_info("rules: reloading (asked over the wire, #%" PRId64
		    ")", gen);
		a->reload_gen = gen;
		reload(a, gen);
	}
	broadcast_changes(a);
}

/* Write the matches when they are due, or all of them (the hub is
   stopping), and broadcast what changed. */
static void
write_due(struct alerter *a, int all)
{
	int64_t	 due = flush_due(a);

	if (due == 0 || (all && due > 0)) {
		flush(a);
		broadcast_changes(a);
	}
}

static void *
alerter_main(void *arg)
{
	struct alerter *a = arg;
	struct job *jobs, *j, *next;
	struct timespec ts;
	int64_t	 t, wait, f;
	size_t	 n;
	int	 closing;

	/* The rules run at the ingest threads' priority: below it (nice
	   5) they starved whenever the cores were busy, and their bounded
	   backlog turned into 429s (tests/bench, 50,000 events/s). */
	a->next_tick = now_us() + TICK_US;
	for (;;) {
		pthread_mutex_lock(&a->mtx);
		while (a->head == NULL && !a->closing &&
		    !atomic_load(&a->reload)) {
			t = now_us();
			if (t >= a->next_tick || (f = flush_due(a)) == 0)
				break;
			wait = a->next_tick - t;
			if (f > 0 && f < wait)
				wait = f;
			deadline_after(CLOCK_REALTIME, wait, &ts);
			pthread_cond_timedwait(&a->cond, &a->mtx, &ts);
		}
		jobs = a->head;
		n = a->n;
		a->head = a->tail = NULL;
		a->n = 0;
		closing = a->closing;
		pthread_mutex_unlock(&a->mtx);

		if (n > QUEUE_WARN)
			log_warn("alerter: %zu jobs were waiting for the rules",
			    n);
		if (jobs != NULL) {
			for (j = jobs; j != NULL; j = j->next)
				run_job(a, j);
			/* before the jobs go, so no event text is copied */
			write_due(a, closing);
			for (j = jobs; j != NULL; j = next) {
				size_t	 bytes = job_bytes(j);

				next = j->next;
				batch_detach(a, j);
				job_free(j);
				atomic_fetch_sub(&a->held_bytes, bytes);
				atomic_fetch_sub(&a->held, 1);
				atomic_fetch_sub(&a->h->m.alerter_backlog, 1);
			}
		}
		if (atomic_exchange(&a->reload, 0)) {
			log_info("rules: reloading (SIGHUP)");
			reload(a, 0);
		}
		if (now_us() >= a->next_tick) {
			tick(a);
			a->next_tick = now_us() + TICK_US;
		}
		write_due(a, closing);
		if (closing && jobs == NULL) {
			push_due(a, 1);
			break;
		}
	}
	return NULL;
}

static void
recent_free(struct alerter *a)
{
	struct recent *r, *next;
	size_t	 i;

	for (i = 0; a->recent != NULL && i < PUSH_BUCKETS; i++)
		for (r = a->recent[i]; r != NULL; r = next) {
			next = r->next;
			free(r);
		}
	free(a->recent);
}

static void
free_paths(struct alerter *a)
{
	size_t	 i;

	for (i = 0; i < a->npaths; i++)
		free(a->paths[i]);
	free(a->paths);
}

/* Free what a holds and a itself; its thread has ended or never ran. */
static void
destroy(struct alerter *a)
{
	actions_free(a->act);
	correlator_free(a->cor);
	ruleset_free(a->rs);
	alertdb_held_release(&a->stmts);
	sqlite3_close(a->db);
	free_paths(a);
	free(a->batch);
	recent_free(a);
	pthread_mutex_destroy(&a->mtx);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->bmtx);
	jarena_release(&a->arena);
	free(a);
}

struct alerter *
alerter_new(struct hub *h, const struct alerter_opts *o, char *err,
    size_t errlen)
{
	struct alerter *a;
	char	 e[512];
	size_t	 i;

	if ((a = calloc(1, sizeof *a)) == NULL) {
		errf(err, errlen, "alerter: out of memory");
		return NULL;
	}
	a->h = h;
	pthread_mutex_init(&a->mtx, NULL);
	pthread_cond_init(&a->cond, NULL);
	pthread_mutex_init(&a->bmtx, NULL);
	atomic_init(&a->reload, 0);
	if ((a->batch = calloc(1, sizeof *a->batch)) == NULL)
		goto oom;
	a->batch->tail = &a->batch->head;
	if ((a->recent = calloc(PUSH_BUCKETS, sizeof *a->recent)) == NULL)
		goto oom;
	if ((a->paths = calloc(o->nrule_paths + 1, sizeof *a->paths)) == NULL)
		goto oom;
	for (i = 0; i < o->nrule_paths; i++) {
		if ((a->paths[i] = strdup(o->rule_paths[i])) == NULL)
			goto oom;
		a->npaths++;
	}
	if (sqlite3_open_v2(h->statedb, &a->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		errf(err, errlen, "alerter: %s: %s", h->statedb,
		    sqlite3_errmsg(a->db));
		goto fail;
	}
	sqlite3_busy_timeout(a->db, 5000);
	if (sqlite3_exec(a->db, "PRAGMA journal_mode=WAL; PRAGMA "
	    "synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, "alerter: %s: %s", h->statedb,
		    sqlite3_errmsg(a->db));
		goto fail;
	}
	if (state_schema(a->db, e, sizeof e) == -1) {
		errf(err, errlen, "alerter: %s: %s", h->statedb, e);
		goto fail;
	}
	if ((a->last_rev = alertdb_last_rev(a->db)) < 0 ||
	    (a->reload_gen = alertdb_reload_wanted(a->db)) < 0) {
		errf(err, errlen, "alerter: %s: %s", h->statedb,
		    sqlite3_errmsg(a->db));
		goto fail;
	}
	if ((a->act = actions_new(h->datadir, h->statedb, e, sizeof e)) ==
	    NULL) {
		errf(err, errlen, "actions: %s", e);
		goto fail;
	}
	{
		json_t	*errs = json_array();

		if ((a->rs = load_rules(a, errs)) == NULL ||
		    (a->cor = correlator_new(a->rs)) == NULL) {
			json_decref(errs);
			goto oom;
		}
		json_t	*bylog = by_logsource(a->rs);

		if (alertdb_rules_report(a->db, a->reload_gen,
		    ruleset_count(a->rs), errs, bylog, e, sizeof e) == -1)
			log_warn("rules: %s", e);
		json_decref(bylog);
		json_decref(errs);
	}
	if (pthread_create(&a->thr, NULL, alerter_main, a) != 0) {
		errf(err, errlen, "alerter: cannot start its thread");
		goto fail;
	}
	pthread_setname_np(a->thr, "ward-alert");
	a->started = 1;
	return a;
oom:
	errf(err, errlen, "alerter: out of memory");
fail:
	destroy(a);
	return NULL;
}

void
alerter_submit(struct alerter *a, struct job *j)
{
	if (a == NULL) {
		job_free(j);
		return;
	}
	j->next = NULL;
	pthread_mutex_lock(&a->mtx);
	if (a->done) {
		pthread_mutex_unlock(&a->mtx);
		log_warn("alerter: stopped; %zu events not evaluated",
		    j->nrows);
		job_free(j);
		return;
	}
	if (a->tail != NULL)
		a->tail->next = j;
	else
		a->head = j;
	a->tail = j;
	a->n++;
	atomic_fetch_add(&a->held, 1);
	atomic_fetch_add(&a->held_bytes, job_bytes(j));
	atomic_fetch_add(&a->h->m.alerter_backlog, 1);
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->mtx);
}

size_t
alerter_backlog(struct alerter *a)
{
	return a != NULL ? atomic_load(&a->held_bytes) : 0;
}

void
alerter_reload(struct alerter *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->reload, 1);
	pthread_mutex_lock(&a->mtx);
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->mtx);
}

/*
 * Stop broadcasting to sessions (they are about to stop); alerts are
 * still evaluated and stored.  Any thread; waits for a broadcast in
 * progress.
 */
void
alerter_quiet(struct alerter *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->bmtx);
	a->quiet = 1;
	pthread_mutex_unlock(&a->bmtx);
}

void
alerter_free(struct alerter *a)
{
	struct job *j, *next;

	if (a == NULL)
		return;
	if (a->started) {
		pthread_mutex_lock(&a->mtx);
		a->closing = 1;
		pthread_cond_signal(&a->cond);
		pthread_mutex_unlock(&a->mtx);
		pthread_join(a->thr, NULL);
	}
	pthread_mutex_lock(&a->mtx);
	a->done = 1;
	for (j = a->head; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	a->head = a->tail = NULL;
	pthread_mutex_unlock(&a->mtx);
	log_info("alerter: %" PRIu64 " events evaluated, %" PRIu64 " rule "
	    "matches%s", a->events, a->hits, a->failed ? " (some not saved: "
	    "see above)" : "");
	destroy(a);
}
