/*
 * session_worker — the worker thread's half of the session layer (see
 * session.c's opening comment for the whole): it owns its connection to
 * DATA/state.db and the hub's secret key; it checks handshakes, applies
 * ops (incident_apply), answers queries, replays the op log, matches
 * committed events against the event tails, and hands searches, counts
 * and audit listings to the search threads.  It takes items from the
 * "in" queues and hands what sessions must be sent to the net thread
 * through "out", a step's worth at a time (out_flush), waking it through
 * the hub's hook.  It never touches a session's lws state.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "archive.h"
#include "auth.h"
#include "buf.h"
#include "errf.h"
#include "hub.h"
#include "monotime.h"
#include "store.h"
#include "catalogue.h"
#include "incident.h"
#include "jsonfast.h"
#include "log.h"
#include "query.h"
#include "search.h"
#include "searchpool.h"
#include "session_private.h"
#include "throttle.h"
#include "timeparse.h"
#include "users.h"
#include "wire.h"

/* ------------------------------------------------------------------ */
/* Worker thread. */

/* Queue an out item for the end of this step. */
static struct item *
out_item(struct sessions *ss, enum ikind kind, uint64_t sid)
{
	struct item *it;

	if ((it = item_new(kind, sid)) != NULL)
		iq_push(&ss->pending, it);
	return it;
}

/* Send msg (taken) to sid.  reply/done as in struct item. */
static void
out_send(struct sessions *ss, uint64_t sid, json_t *msg, int reply, int done)
{
	struct item *it;

	if ((it = out_item(ss, O_SEND, sid)) == NULL) {
		json_decref(msg);
		return;
	}
	it->msg = omsg_new(msg);
	it->reply = reply;
	it->done = done;
}

/* Hand this step's items to the net thread and wake it. */
static void
out_flush(struct sessions *ss)
{
	if (ss->pending.head == NULL || ss->batching)
		return;
	pthread_mutex_lock(&ss->out_mtx);
	iq_cat(&ss->out, &ss->pending);
	pthread_mutex_unlock(&ss->out_mtx);
	hub_wake(ss->h);
}

static struct wsess *
wfind(struct sessions *ss, uint64_t sid)
{
	struct wsess *w;

	for (w = ss->wbyid[bucket(sid)]; w != NULL; w = w->hnext)
		if (w->sid == sid)
			return w;
	return NULL;
}

static void
tails_drop(struct sessions *ss, uint64_t sid)
{
	struct tail **pp, *t;

	for (pp = &ss->tails; (t = *pp) != NULL; ) {
		if (t->sid == sid) {
			*pp = t->next;
			query_free(t->q);
			buf_release(&t->batch);
			free(t);
			atomic_fetch_sub(&ss->ntails, 1);
		} else
			pp = &t->next;
	}
}

/* One summary of refused handshakes into the log and the audit. */
static void
refusals_write(const struct throttle_summary *r, void *arg)
{
	struct sessions *ss = arg;
	char	 msg[512];
	json_t	*req;

	snprintf(msg, sizeof msg, "%d more refused handshake%s from %s as %s "
	    "in %d s; the last: %s", r->count, r->count == 1 ? "" : "s",
	    r->addr, r->user, r->secs, r->why);
	log_warn("%s", msg);
	req = json_pack("{s:s, s:i}", "address", r->addr, "refused",
	    r->count);
	audit_add(ss->db, r->user, ROLE_NONE, "auth", "handshake", 0,
	    (enum wire_err)r->code, msg, req, -1, NULL, 0);
	json_decref(req);
}

/*
 * A handshake failed: say why and close; log and audit it (the first of
 * its address and user in a minute; the rest as one summary, see
 * throttle.h); with count, charge the address and the user.
 */
static void
auth_refuse(struct sessions *ss, struct wsess *w, const char *user,
    enum wire_err code, const char *why, int count)
{
	int64_t	 now = monotime_ns();
	json_t	*req;

	if (ss->throttle == NULL || throttle_refused(ss->throttle, w->addr,
	    user, code, why, now)) {
		log_warn("session %" PRIu64 ": handshake from %s refused: %s",
		    w->sid, w->addr, why);
		req = json_pack("{s:s}", "address", w->addr);
		audit_add(ss->db, user != NULL ? user : "-", ROLE_NONE, "auth",
		    "handshake", 0, code, why, req, -1, NULL, 0);
		json_decref(req);
	}
	if (count && ss->throttle != NULL)
		throttle_fail(ss->throttle, w->addr, user, now);
	out_send(ss, w->sid, wire_error(-1, code, why, NULL), 1, 1);
	out_item(ss, O_CLOSE, w->sid);
}

static void
do_auth(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	struct users_entry e;
	unsigned char cn[AUTH_NONCE_BYTES], sig[AUTH_SIG_BYTES];
	const char *user;
	char	 err[512];
	json_t	*welcome;
	int64_t	 last;
	struct item *it;
	int	 r, secs;

	if (m->type != WIRE_AUTH) {
		auth_refuse(ss, w, NULL, WIRE_EUNAUTH, "expected an auth "
		    "message first (see ward-protocol(7))", 1);
		return;
	}
	user = json_string_value(json_object_get(m->root, "user"));
	if (ss->throttle != NULL && (secs = throttle_check(ss->throttle,
	    w->addr, user, monotime_ns())) > 0) {
		errf(err, sizeof err, "too many failed handshakes as '%s' "
		    "from %s; try again in %d s", user, w->addr, secs);
		auth_refuse(ss, w, user, WIRE_EBUSY, err, 0);
		return;
	}
	if (wire_b64_decode(json_string_value(json_object_get(m->root,
	    "nonce")), cn, sizeof cn) != 0 ||
	    wire_b64_decode(json_string_value(json_object_get(m->root,
	    "signature")), sig, sizeof sig) != 0) {
		auth_refuse(ss, w, user, WIRE_EUNAUTH, "bad nonce or "
		    "signature encoding", 1);
		return;
	}
	if ((r = users_find(ss->db, user, &e, err, sizeof err)) == -1) {
		log_err("handshake: %s", err);
		auth_refuse(ss, w, user, WIRE_EINTERNAL, "the hub cannot "
		    "read its users", 0);
		return;
	}
	if (r == 0) {
		errf(err, sizeof err, "no user '%s' on this hub (an admin "
		    "adds people with: wardd user add)", user);
		auth_refuse(ss, w, user, WIRE_EUNAUTH, err, 1);
		return;
	}
	if (w->tls == -1 || auth_console_verify(e.pk, w->nonce, cn,
	    ss->key.pk, user, w->tls ? w->channel : NULL, sig) != 0) {
		errf(err, sizeof err, "the signature does not match the "
		    "key registered for '%s'%s", user, w->tls ? " on this TLS "
		    "connection (wrong key file, or a TLS proxy between you "
		    "and the hub?)" : " (wrong key file?)");
		auth_refuse(ss, w, user, WIRE_EUNAUTH, err, 1);
		return;
	}
	if (auth_hub_sign(ss->key.sk, w->nonce, cn, ss->key.pk, user,
	    w->tls ? w->channel : NULL, sig) != 0 ||
	    (last = incident_last_seq(ss->db)) < 0 ||
	    (welcome = wire_welcome(user, e.role, sig, last)) == NULL) {
		auth_refuse(ss, w, user, WIRE_EINTERNAL, "the hub failed to "
		    "answer the handshake", 0);
		return;
	}
	w->authed = 1;
	snprintf(w->user, sizeof w->user, "%s", user);
	w->role = e.role;
	memcpy(w->pk, e.pk, sizeof w->pk);
	if (ss->throttle != NULL)
		throttle_ok(ss->throttle, user);
	log_info("session %" PRIu64 ": %s (%s) from %s", w->sid, user,
	    role_name(e.role), w->addr);
	if ((it = out_item(ss, O_AUTHED, w->sid)) != NULL) {
		snprintf(it->user, sizeof it->user, "%s", user);
		it->role = e.role;
	}
	out_send(ss, w->sid, welcome, 1, 1);
}

/*
 * Revocation.  `wardd user del` and `user role` run in another process
 * and write state.db; an admin's user.* op writes it on this worker.
 * Every second (I_CHECK) the worker reads PRAGMA data_version, which
 * changes when another connection commits to state.db, and only then
 * (or after its own user ops) looks each signed-in user up again: a
 * session whose user is gone, holds another role or another key is told
 * why and closed.  Polling the database, not a signal from the CLI, works
 * whoever changed the users (wardd user, sqlite3, a restored backup) and
 * needs no pid file; it costs one PRAGMA a second when nothing changed.
 */
static void
sess_revoke(struct sessions *ss, struct wsess *w, const char *why)
{
	log_warn("session %" PRIu64 " (%s): %s; closing it", w->sid, w->user,
	    why);
	struct iq q;
	struct item *it;

	audit_add(ss->db, w->user, w->role, "auth", "revoke", 0,
	    WIRE_EUNAUTH, why, NULL, -1, NULL, 0);
	/* Straight to the net thread, not held with a batch of requests:
	   the close must not wait for their COMMIT, nor vanish if it
	   fails. */
	memset(&q, 0, sizeof q);
	if ((it = item_new(O_SEND, w->sid)) != NULL) {
		it->msg = omsg_new(wire_error(-1, WIRE_EUNAUTH, why, NULL));
		it->reply = 1;
		iq_push(&q, it);
	}
	if ((it = item_new(O_CLOSE, w->sid)) != NULL)
		iq_push(&q, it);
	pthread_mutex_lock(&ss->out_mtx);
	iq_cat(&ss->out, &q);
	pthread_mutex_unlock(&ss->out_mtx);
	hub_wake(ss->h);
	w->revoked = 1;
	tails_drop(ss, w->sid);
}

static void
users_check(struct sessions *ss)
{
	struct users_entry e;
	struct wsess *w;
	char	 err[512], why[600];
	int64_t	 v = -1;
	size_t	 i;
	int	 r;

	if (ss->dv != NULL) {
		if (sqlite3_step(ss->dv) == SQLITE_ROW)
			v = sqlite3_column_int64(ss->dv, 0);
		sqlite3_reset(ss->dv);
	}
	if (v == ss->users_dv && !ss->users_dirty)
		return;
	ss->users_dv = v;
	ss->users_dirty = 0;
	for (i = 0; i < NBUCKET; i++)
		for (w = ss->wbyid[i]; w != NULL; w = w->hnext) {
			if (!w->authed || w->revoked)
				continue;
			if ((r = users_find(ss->db, w->user, &e, err,
			    sizeof err)) == -1) {
				log_err("users check: %s", err);
				ss->users_dirty = 1;	/* again next time */
				return;
			}
			if (r == 0)
				snprintf(why, sizeof why, "access revoked by an "
				    "admin: user %s removed", w->user);
			else if (e.role != w->role)
				snprintf(why, sizeof why, "access revoked by an "
				    "admin: role now %s; sign in again",
				    role_name(e.role));
			else if (memcmp(e.pk, w->pk, sizeof e.pk) != 0)
				snprintf(why, sizeof why, "access revoked by an "
				    "admin: key changed");
			else
				continue;
			sess_revoke(ss, w, why);
		}
}

/* Replay: collect op pushes as out items until REPLAY_MAX. */
struct replay {
	struct sessions	*ss;
	uint64_t	 sid;
	struct iq	 q;
	size_t		 n;
};

static int
replay_one(json_t *op, void *arg)
{
	struct replay *r = arg;
	struct item *it;

	if (++r->n > REPLAY_MAX)
		return 1;
	if ((it = item_new(O_SEND, r->sid)) == NULL)
		return -1;
	iq_push(&r->q, it);
	if ((it->msg = omsg_new(json_incref(op))) == NULL)
		return -1;
	return 0;
}

static void
do_subscribe(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	const char *topic = m->name, *qs;
	json_t	*v, *snap = NULL;
	struct query_error qe;
	struct query *q = NULL;
	struct replay r;
	struct tail *t;
	struct item *it;
	char	 err[512];
	int64_t	 inc = 0, since = -1, last;
	enum wire_err e;
	int	 rc;

	if ((v = json_object_get(m->root, "since_seq")) != NULL)
		since = json_integer_value(v);
	if (strcmp(topic, "events") == 0) {
		qs = json_string_value(json_object_get(m->root, "query"));
		if (qs != NULL && query_parse(qs, time_now_us(), &q, &qe) !=
		    0) {
			if (qe.pos >= 0)
				errf(err, sizeof err, "query: %s (at "
				    "byte %d)", qe.msg, qe.pos + 1);
			else
				errf(err, sizeof err, "query: %s",
				    qe.msg);
			out_send(ss, w->sid, wire_error(m->id, WIRE_EINVALID,
			    err, NULL), 1, 1);
			return;
		}
		if ((t = calloc(1, sizeof *t)) == NULL) {
			query_free(q);
			out_send(ss, w->sid, wire_error(m->id, WIRE_EINTERNAL,
			    "out of memory", NULL), 1, 1);
			return;
		}
		t->sid = w->sid;
		t->sub = m->id;
		t->q = q;
		t->next = ss->tails;
		ss->tails = t;
		atomic_fetch_add(&ss->ntails, 1);
		if ((it = out_item(ss, O_SUB, w->sid)) != NULL) {
			it->topic = T_EVENTS;
			it->done = 1;
			it->msg = omsg_new(wire_ok(m->id, -1, NULL));
		}
		return;
	}
	if (strcmp(topic, "presence") == 0 || strcmp(topic, "alerts") == 0) {
		if ((it = out_item(ss, O_SUB, w->sid)) != NULL) {
			it->done = 1;
			it->n = m->id;
			if (*topic == 'p')
				it->topic = T_PRESENCE;
			else {
				it->topic = T_ALERTS;
				it->msg = omsg_new(wire_ok(m->id, -1, NULL));
			}
		}
		return;
	}
	/* "incidents" or "incident:INC-n" */
	if (strncmp(topic, "incident:", 9) == 0)
		wire_incident_id(topic + 9, &inc);
	if ((last = incident_last_seq(ss->db)) < 0) {
		out_send(ss, w->sid, wire_error(m->id, WIRE_EINTERNAL, "the "
		    "hub cannot read its op log", NULL), 1, 1);
		return;
	}
	if (since < 0) {
		/* A snapshot, consistent with the seq in the reply. */
		if (inc > 0)
			e = incident_show(ss->db, inc, &snap, err, sizeof err);
		else
			e = incident_list(ss->db, "all", 0, &snap, err,
			    sizeof err);
		if (e != WIRE_OK) {
			out_send(ss, w->sid, wire_error(m->id, e, err, NULL),
			    1, 1);
			return;
		}
	} else if (since > last) {
		errf(err, sizeof err, "the hub's op log ends at seq %"
		    PRId64 ", before your seq %" PRId64 "; reload", last,
		    since);
		out_send(ss, w->sid, wire_resync(err, last), 1, 0);
	} else {
		memset(&r, 0, sizeof r);
		r.ss = ss;
		r.sid = w->sid;
		rc = incident_ops_since(ss->db, since, inc, replay_one, &r, err,
		    sizeof err);
		if (rc == 1) {
			iq_free(&r.q);
			errf(err, sizeof err, "more than %d ops since seq %"
			    PRId64 "; reload", REPLAY_MAX, since);
			out_send(ss, w->sid, wire_resync(err, last), 1, 0);
		} else if (rc != 0) {
			iq_free(&r.q);
			out_send(ss, w->sid, wire_error(m->id, WIRE_EINTERNAL,
			    "the hub cannot read its op log", NULL), 1, 1);
			return;
		} else
			iq_cat(&ss->pending, &r.q);
	}
	if ((it = out_item(ss, O_SUB, w->sid)) == NULL) {
		json_decref(snap);
		return;
	}
	it->topic = inc > 0 ? T_INCIDENT : T_INCIDENTS;
	it->n = inc;
	it->done = 1;
	it->msg = omsg_new(wire_ok(m->id, last, snap));
}

static void
do_unsubscribe(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	const char *topic = m->name;
	struct item *it;

	if ((it = out_item(ss, O_UNSUB, w->sid)) == NULL)
		return;
	it->done = 1;
	if (strncmp(topic, "incident:", 9) == 0) {
		it->topic = T_INCIDENT;
		wire_incident_id(topic + 9, &it->n);
	} else if (strcmp(topic, "incidents") == 0)
		it->topic = T_INCIDENTS;
	else if (strcmp(topic, "alerts") == 0)
		it->topic = T_ALERTS;
	else if (strcmp(topic, "presence") == 0)
		it->topic = T_PRESENCE;
	else {
		it->topic = T_EVENTS;
		tails_drop(ss, w->sid);
	}
	it->msg = omsg_new(wire_ok(m->id, -1, NULL));
}

static void
do_op(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	json_t	*res = NULL, *state;
	struct item *it;
	char	 err[1024];
	enum wire_err e;
	int64_t	 seq, inc = 0;

	e = incident_apply(ss->db, w->user, w->role, m->root, &res, err,
	    sizeof err);
	if (e != WIRE_OK) {
		out_send(ss, w->sid, wire_error(m->id, e, err, res), 1, 1);
		return;
	}
	if (json_object_get(res, "seq") == NULL) {
		/* Not in the op log (alert ops, rules.reload, user ops): a
		   reply only; the alerter broadcasts alert changes itself. */
		if (m->entry->flags & CAT_PEOPLE)
			ss->users_dirty = 1;
		out_send(ss, w->sid, wire_ok(m->id, -1, res), 1, 1);
		return;
	}
	seq = json_integer_value(json_object_get(res, "seq"));
	wire_incident_id(json_string_value(json_object_get(res, "incident")),
	    &inc);
	state = json_object_get(res, "state");
	out_send(ss, w->sid, wire_ok(m->id, seq, json_incref(state)), 1, 1);
	if ((it = out_item(ss, O_OP, 0)) == NULL) {
		json_decref(res);
		return;
	}
	it->n = inc;
	it->seq = seq;
	it->msg = omsg_new(res);
}

/* ---- searches and counts, on the search threads ---- */

/* From a search thread: send msg (taken), the reply that ends a request
   of sid, and wake the net thread. */
static void
sq_answer(struct sessions *ss, uint64_t sid, json_t *msg)
{
	struct item *it;

	if ((it = item_new(O_SEND, sid)) == NULL) {
		json_decref(msg);
		return;
	}
	it->msg = omsg_new(msg);
	it->reply = 1;
	it->done = 1;
	pthread_mutex_lock(&ss->out_mtx);
	iq_push(&ss->out, it);
	pthread_mutex_unlock(&ss->out_mtx);
	hub_wake(ss->h);
}

/* search: rows collected into the reply, within a frame's size. */
struct search_reply {
	json_t	*rows;
	size_t	 bytes;
	int	 truncated;
	const atomic_int *cancel;
};

static int
search_row(void *arg, const char *line, size_t len)
{
	struct search_reply *r = arg;
	json_t	*row;

	if (atomic_load(r->cancel))
		return -1;
	if (r->bytes + len > WIRE_MAX_FRAME - 4096) {
		r->truncated = 1;
		return -1;
	}
	if ((row = json_loadb(line, len, 0, NULL)) == NULL)
		return 0;
	json_array_append_new(r->rows, row);
	r->bytes += len + 1;
	return 0;
}

/* Search thread: run a search and answer it, unless its session closed. */
static void
search_task(void *arg, const atomic_int *cancel)
{
	struct squery *sq = arg;
	struct sessions *ss = sq->ss;
	struct search_reply r = { NULL, 0, 0, cancel };
	struct search_info info;
	json_t	*msg;
	char	 err[512], text[600];
	int	 errpos = -1, rc;

	if (atomic_load(cancel) || (r.rows = json_array()) == NULL)
		goto done;
	atomic_fetch_add(&ss->h->m.console_searches, 1);
	sq->o.cancel = cancel;
	memset(&info, 0, sizeof info);
	err[0] = '\0';
	rc = search_run(ss->h->datadir, sq->q, &sq->o, search_row, &r, &info,
	    err, sizeof err, &errpos);
	atomic_fetch_sub(&ss->h->m.console_searches, 1);
	if (atomic_load(cancel))
		goto done;
	if (rc == -1 && !r.truncated) {
		if (errpos >= 0)
			snprintf(text, sizeof text, "at byte %d: %s", errpos,
			    err);
		else
			snprintf(text, sizeof text, "%s", err);
		msg = wire_error(sq->id, info.error == SEARCH_EUNAVAIL ?
		    WIRE_EBUSY : info.error == SEARCH_EFAIL ? WIRE_EINTERNAL :
		    WIRE_EINVALID, text, NULL);
	} else {
		json_t	*res = json_pack("{sOsbsb}", "rows", r.rows,
		    "limited", info.limited || r.truncated, "timed_out",
		    info.timed_out);

		if (res != NULL && info.archived > 0) {
			/* The days the range reaches that were not read. */
			archive_notice(ss->h->datadir, info.archived,
			    info.archived_days, SEARCH_ARCHIVED_MAX, text,
			    sizeof text);
			json_object_set_new(res, "archived", json_integer(
			    (json_int_t)info.archived));
			json_object_set_new(res, "notice", json_string(text));
		}
		msg = wire_ok(sq->id, -1, res);
	}
	sq_answer(ss, sq->sid, msg);
done:
	json_decref(r.rows);
	squery_free(sq);
}

static int
count_row(void *arg, const char *line, size_t len)
{
	json_t	*row = json_loadb(line, len, 0, NULL);

	*(json_int_t *)arg = json_integer_value(json_object_get(row, "count"));
	json_decref(row);
	return 0;
}

/*
 * Search thread: for each observable of an incident.show, how many stored
 * events of the last 30 days mention its value (a full-text phrase
 * search), each within SQ_COUNT_MS and all within SQ_COUNTS_MS; then back
 * to the worker, which answers (do_counted).
 */
static void
counts_task(void *arg, const atomic_int *cancel)
{
	struct squery *sq = arg;
	struct sessions *ss = sq->ss;
	struct item *it;
	const char *id;
	json_t	*v;
	int64_t	 end = monotime_ns() + (int64_t)SQ_COUNTS_MS * 1000000, left;
	char	 err[256];
	int	 errpos;

	if (atomic_load(cancel))
		goto fail;
	atomic_fetch_add(&ss->h->m.console_searches, 1);
	sq->o.cancel = cancel;
	json_object_foreach(sq->obs, id, v) {
		json_int_t n = -1;
		struct buf q;

		left = (end - monotime_ns()) / 1000000;
		if (atomic_load(cancel) || left <= 0)
			break;
		sq->o.timeout_ms = left < SQ_COUNT_MS ? (int)left :
		    SQ_COUNT_MS;
		buf_init(&q);
		buf_json_string(&q, json_string_value(v),
		    json_string_length(v));		/* a quoted phrase */
		buf_puts(&q, " | count");
		if (q.data != NULL && search_run(ss->h->datadir, q.data,
		    &sq->o, count_row, &n, NULL, err, sizeof err, &errpos) ==
		    0 && n >= 0)
			json_object_set_new(sq->counts, id, json_integer(n));
		buf_release(&q);
	}
	atomic_fetch_sub(&ss->h->m.console_searches, 1);
	if (atomic_load(cancel) || (it = item_new(I_COUNTED, sq->sid)) ==
	    NULL)
		goto fail;
	it->sq = sq;
	to_worker(ss, it, 0);
	return;
fail:
	squery_free(sq);
}

/* SQLite progress handler: stop when the task is cancelled. */
static int
sq_cancelled(void *arg)
{
	return atomic_load((const atomic_int *)arg);
}

/*
 * Search thread: audit.list, on a read-only connection of its own to
 * state.db (the audit log grows with every request and refusal; a filter
 * that matches little reads all of it).  The ops whose replies went out
 * before this request came are committed, so they are in it.
 */
static void
audit_task(void *arg, const atomic_int *cancel)
{
	struct squery *sq = arg;
	struct sessions *ss = sq->ss;
	sqlite3	*db = NULL;
	json_t	*res = NULL;
	char	 err[1024];
	enum wire_err e;

	if (atomic_load(cancel))
		goto done;
	atomic_fetch_add(&ss->h->m.console_searches, 1);
	if (sqlite3_open_v2(ss->h->statedb, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_err("audit.list: %s: %s", ss->h->statedb,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		errf(err, sizeof err, "the hub cannot read its audit log");
		e = WIRE_EINTERNAL;
	} else {
		sqlite3_busy_timeout(db, 5000);
		sqlite3_progress_handler(db, 1000, sq_cancelled,
		    (void *)(uintptr_t)cancel);
		e = incident_query(db, sq->user, sq->role, sq->req, &res, err,
		    sizeof err);
	}
	sqlite3_close(db);
	atomic_fetch_sub(&ss->h->m.console_searches, 1);
	if (atomic_load(cancel)) {
		json_decref(res);
		goto done;
	}
	sq_answer(ss, sq->sid, e == WIRE_OK ? wire_ok(sq->id, -1, res) :
	    wire_error(sq->id, e, err, NULL));
done:
	squery_free(sq);
}

/* Worker: queue sq (taken) on the search threads for w's user.  Returns
   0, or 1 when that user has too many there (err says so), or -1. */
static int
sq_queue(struct sessions *ss, struct wsess *w, struct squery *sq,
    searchpool_task_fn fn, char *err, size_t errlen)
{
	int	 running = 0, waiting = 0, rc;

	sq->ss = ss;
	sq->sid = w->sid;
	rc = searchpool_task(ss->pool, w->user, w->sid, fn, sq, &running,
	    &waiting);
	if (rc == 1) {
		atomic_fetch_add(&ss->h->m.console_searches_refused, 1);
		errf(err, errlen, "%s already has %d searches running "
		    "or waiting, the most the hub allows one user (%d "
		    "running, %d waiting); try again when one has finished",
		    w->user, running + waiting, SQ_PER_USER, SQ_WAITING);
	} else if (rc == -1)
		errf(err, errlen, "the hub is out of memory");
	if (rc != 0)
		squery_free(sq);
	return rc;
}

/* A time bound: "15m" back from now, or a time. */
static int
search_time(const char *v, int64_t now, int64_t *out)
{
	int64_t	 d;

	if (v == NULL)
		return 0;
	if (time_parse_duration(v, &d) == 0) {
		*out = now - d;
		return 0;
	}
	return time_parse(v, now, out);
}

/*
 * The search query: checked here, run on a search thread (bounded by the
 * limit, the reply's frame size and SQ_SEARCH_MS), answered from there as
 * {"rows":[...],"limited":B,"timed_out":B}, with "archived":N and
 * "notice" when the range reaches archived days.  Any person may search.
 */
static void
do_search(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	json_t	*args = json_object_get(m->root, "args");
	struct squery *sq;
	const char *q;
	char	 err[512];
	int	 rc;
	int64_t	 now = time_now_us();

	if (args == NULL)
		args = m->root;
	q = json_string_value(json_object_get(args, "q"));
	if ((sq = calloc(1, sizeof *sq)) == NULL ||
	    (sq->q = strdup(q != NULL ? q : "")) == NULL) {
		squery_free(sq);
		out_send(ss, w->sid, wire_error(m->id, WIRE_EINTERNAL, "the "
		    "hub is out of memory", NULL), 1, 1);
		return;
	}
	sq->id = m->id;
	sq->o.now_us = now;
	sq->o.index = store_textindex(ss->h->store);
	sq->o.limit = (size_t)json_integer_value(json_object_get(args,
	    "limit"));
	sq->o.timeout_ms = SQ_SEARCH_MS;
	if (search_time(json_string_value(json_object_get(args, "since")),
	    now, &sq->o.since_us) == -1 ||
	    search_time(json_string_value(json_object_get(args, "until")),
	    now, &sq->o.until_us) == -1) {
		squery_free(sq);
		out_send(ss, w->sid, wire_error(m->id, WIRE_EINVALID,
		    "since/until: expected a duration (15m, 2h) or an ISO "
		    "8601 time", NULL), 1, 1);
		return;
	}
	if ((rc = sq_queue(ss, w, sq, search_task, err, sizeof err)) != 0)
		out_send(ss, w->sid, wire_error(m->id, rc == 1 ? WIRE_EBUSY :
		    WIRE_EINTERNAL, err, NULL), 1, 1);
}

/* audit.list: on a search thread (audit_task), as one of the user's
   searches. */
static void
do_audit(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	struct squery *sq;
	char	 err[512];
	int	 rc;

	if ((sq = calloc(1, sizeof *sq)) == NULL ||
	    (sq->req = json_deep_copy(m->root)) == NULL) {
		squery_free(sq);
		out_send(ss, w->sid, wire_error(m->id, WIRE_EINTERNAL, "the "
		    "hub is out of memory", NULL), 1, 1);
		return;
	}
	sq->id = m->id;
	snprintf(sq->user, sizeof sq->user, "%s", w->user);
	sq->role = w->role;
	if ((rc = sq_queue(ss, w, sq, audit_task, err, sizeof err)) != 0)
		out_send(ss, w->sid, wire_error(m->id, rc == 1 ? WIRE_EBUSY :
		    WIRE_EINTERNAL, err, NULL), 1, 1);
}

/*
 * incident.show: each observable gets "events", counted on a search
 * thread (counts_task).  Returns 0 when they are being counted (the
 * answer will come from do_counted), -1 when inc is to be answered as it
 * is: no observables, or the user's searches are at their cap (the counts
 * are left out, as when they time out).
 */
static int
count_observables(struct sessions *ss, struct wsess *w,
    const struct wire_msg *m, json_t *inc)
{
	struct squery *sq;
	json_t	*ob;
	size_t	 i;
	char	 err[512], key[32];

	if (json_array_size(json_object_get(inc, "observables")) == 0 ||
	    (sq = calloc(1, sizeof *sq)) == NULL)
		return -1;
	sq->id = m->id;
	sq->o.now_us = time_now_us();
	sq->o.index = store_textindex(ss->h->store);
	sq->o.since_us = sq->o.now_us - INT64_C(30) * 86400 * 1000000;
	if ((sq->req = json_deep_copy(m->root)) == NULL ||
	    (sq->obs = json_object()) == NULL ||
	    (sq->counts = json_object()) == NULL) {
		squery_free(sq);
		return -1;
	}
	json_array_foreach(json_object_get(inc, "observables"), i, ob) {
		json_t	*v = json_object_get(ob, "value");

		if (!json_is_string(v))
			continue;
		snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(ob, "id")));
		json_object_set_new(sq->obs, key, json_stringn(
		    json_string_value(v), json_string_length(v)));
	}
	return sq_queue(ss, w, sq, counts_task, err, sizeof err) == 0 ? 0 :
	    -1;
}

/* Worker: the counts of an incident.show are in; read the incident now
   (the ops pushed before this answer are in it) and answer. */
static void
do_counted(struct sessions *ss, struct item *in)
{
	struct squery *sq = in->sq;
	struct wsess *w;
	json_t	*res = NULL, *ob, *n;
	char	 err[1024], key[32];
	enum wire_err e;
	size_t	 i;

	if ((w = wfind(ss, in->sid)) == NULL || !w->authed)
		return;		/* closed meanwhile */
	e = incident_query(ss->db, w->user, w->role, sq->req, &res, err,
	    sizeof err);
	if (e != WIRE_OK) {
		out_send(ss, w->sid, wire_error(sq->id, e, err, NULL), 1, 1);
		return;
	}
	json_array_foreach(json_object_get(res, "observables"), i, ob) {
		snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(ob, "id")));
		if ((n = json_object_get(sq->counts, key)) != NULL)
			json_object_set(ob, "events", n);
	}
	out_send(ss, w->sid, wire_ok(sq->id, -1, res), 1, 1);
}

static void
do_query(struct sessions *ss, struct wsess *w, const struct wire_msg *m)
{
	json_t	*res = NULL;
	struct item *it;
	char	 err[1024];
	enum wire_err e;

	if (strcmp(m->name, "search") == 0) {
		do_search(ss, w, m);
		return;
	}
	if (strcmp(m->name, "audit.list") == 0) {
		do_audit(ss, w, m);
		return;
	}
	if (strcmp(m->name, "presence") == 0) {
		if ((it = out_item(ss, O_PRESENCE, w->sid)) != NULL) {
			it->n = m->id;
			it->done = 1;
		}
		return;
	}
	e = incident_query(ss->db, w->user, w->role, m->root, &res, err,
	    sizeof err);
	if (e != WIRE_OK) {
		out_send(ss, w->sid, wire_error(m->id, e, err, NULL), 1, 1);
		return;
	}
	if (strcmp(m->name, "incident.show") == 0 &&
	    count_observables(ss, w, m, res) == 0) {
		json_decref(res);	/* do_counted answers */
		return;
	}
	out_send(ss, w->sid, wire_ok(m->id, -1, res), 1, 1);
}

static void
do_frame(struct sessions *ss, struct item *in)
{
	struct wire_msg m;
	struct wsess *w;
	char	 err[512];

	if ((w = wfind(ss, in->sid)) == NULL || w->revoked)
		return;		/* closed meanwhile, or closing */
	if (wire_decode(in->text, in->len, WIRE_FROM_CONSOLE, &m, err,
	    sizeof err) != 0) {
		if (!w->authed)
			auth_refuse(ss, w, NULL, WIRE_EUNAUTH, err, 1);
		else
			out_send(ss, w->sid, wire_error(m.id, WIRE_EINVALID,
			    err, NULL), 1, 1);
		return;
	}
	if (!w->authed)
		do_auth(ss, w, &m);
	else {
		switch (m.type) {
		case WIRE_SUBSCRIBE:
			do_subscribe(ss, w, &m);
			break;
		case WIRE_UNSUBSCRIBE:
			do_unsubscribe(ss, w, &m);
			break;
		case WIRE_OP:
			do_op(ss, w, &m);
			break;
		case WIRE_QUERY:
			do_query(ss, w, &m);
			break;
		default:
			out_send(ss, w->sid, wire_error(m.id, WIRE_EINVALID,
			    "already authenticated", NULL), 1, 1);
			break;
		}
	}
	wire_msg_release(&m);
}

/* Send t's batch of events, if it has one. */
static void
batch_flush(struct sessions *ss, struct tail *t)
{
	struct item *it;

	if (t->nbatch == 0)
		return;
	if (wire_events_tail(&t->batch) == 0 &&
	    (it = out_item(ss, O_SEND, t->sid)) != NULL &&
	    (it->msg = omsg_raw(t->batch.data, t->batch.len)) != NULL)
		it->msg->weight = t->nbatch;
	buf_reset(&t->batch);
	t->nbatch = 0;
}

/* Add the event text ev (its "id" in it) to t's batch. */
static void
batch_add(struct sessions *ss, struct tail *t, const struct buf *ev)
{
	if (t->nbatch > 0 && (t->batch.len + ev->len + 2 > EV_FRAME_BYTES ||
	    t->nbatch >= EV_FRAME_MAX))
		batch_flush(ss, t);
	if (t->nbatch == 0 && wire_events_head(&t->batch, t->sub) != 0)
		return;
	if ((t->nbatch > 0 && buf_append(&t->batch, ",", 1) != 0) ||
	    buf_append(&t->batch, ev->data, ev->len) != 0) {
		/* out of memory: what was added so far goes */
		if (t->nbatch == 0)
			buf_reset(&t->batch);
		else
			batch_flush(ss, t);
		return;
	}
	t->nbatch++;
}

/*
 * Match a packed batch of committed events (those of one commit) against
 * the tails.  Each tail gets them in "events" pushes of up to about
 * EV_FRAME_BYTES: the stored JSON text with "id" put in, copied, parsed
 * only when some tail has a query to match.
 */
static void
do_events(struct sessions *ss, struct item *in)
{
	const char *p = in->text, *end = in->text + in->len;
	struct jsonfast_error je;
	struct tail *t, *u;
	struct buf text;
	json_t	*ev;
	int64_t	 id;
	uint32_t l;
	char	 why[128];
	int	 dropped, parsed, made;

	if ((dropped = atomic_exchange(&ss->ev_dropped, 0)) > 0) {
		snprintf(why, sizeof why, "event tail fell behind; %d batches "
		    "of events were not sent", dropped);
		for (t = ss->tails; t != NULL; t = t->next) {
			for (u = ss->tails; u != t; u = u->next)
				if (u->sid == t->sid)
					break;
			if (u == t)
				out_send(ss, t->sid, wire_resync(why, 0), 0, 0);
		}
	}
	buf_init(&text);
	while (p + sizeof id + sizeof l <= end) {
		memcpy(&id, p, sizeof id);
		memcpy(&l, p + sizeof id, sizeof l);
		p += sizeof id + sizeof l;
		if (p + l > end)
			break;
		ev = NULL;
		parsed = made = 0;
		for (t = ss->tails; t != NULL; t = t->next) {
			if (t->q != NULL) {
				if (!parsed) {
					parsed = 1;
					if ((ev = jsonfast_parse(p, l, NULL,
					    WIRE_MAX_DEPTH, &je)) != NULL)
						json_object_set_new(ev, "id",
						    json_integer(id));
				}
				if (ev == NULL || !query_match(t->q, ev))
					continue;
			}
			if (!made) {
				made = 1;
				buf_reset(&text);
				if (wire_event_text(&text, id, p, l) != 0)
					break;	/* not an object */
				if (text.len + 64 > WIRE_MAX_FRAME) {
					log_warn("event %" PRId64 ": too large "
					    "for a console (%zu bytes); not "
					    "sent", id, text.len);
					break;
				}
			}
			batch_add(ss, t, &text);
		}
		json_decref(ev);
		p += l;
	}
	for (t = ss->tails; t != NULL; t = t->next)
		batch_flush(ss, t);
	buf_release(&text);
}

static void
work(struct sessions *ss, struct item *it)
{
	struct wsess *w, **pp;

	switch (it->kind) {
	case I_OPEN:
		if ((w = calloc(1, sizeof *w)) == NULL)
			break;
		w->sid = it->sid;
		snprintf(w->addr, sizeof w->addr, "%s", *it->addr ? it->addr :
		    "?");
		memcpy(w->nonce, it->nonce, sizeof w->nonce);
		memcpy(w->channel, it->channel, sizeof w->channel);
		w->tls = it->tls;
		w->hnext = ss->wbyid[bucket(w->sid)];
		ss->wbyid[bucket(w->sid)] = w;
		break;
	case I_FRAME:
		do_frame(ss, it);
		if (ss->users_dirty)	/* an admin's user op: revoke now */
			users_check(ss);
		break;
	case I_CLOSED:
		for (pp = &ss->wbyid[bucket(it->sid)]; (w = *pp) != NULL;
		    pp = &w->hnext)
			if (w->sid == it->sid) {
				*pp = w->hnext;
				free(w);
				break;
			}
		tails_drop(ss, it->sid);
		searchpool_cancel(ss->pool, it->sid);
		break;
	case I_COUNTED:
		do_counted(ss, it);
		break;
	case I_EVENTS:
		do_events(ss, it);
		atomic_fetch_sub(&ss->ev_backlog, 1);
		break;
	case I_CHECK:
		atomic_store(&ss->check_queued, 0);
		users_check(ss);
		if (ss->throttle != NULL)
			throttle_flush(ss->throttle, monotime_ns(), 0,
			    refusals_write, ss);
		break;
	default:
		break;
	}
	out_flush(ss);
}

/*
 * Several requests waiting at once are applied in one transaction, so they
 * share one fsync (each op is a savepoint inside it); their replies and
 * pushes leave only after the COMMIT.  If the COMMIT fails nothing of the
 * batch happened: its outputs are dropped and the sessions that sent it are
 * closed, so their consoles reconnect, learn that their requests may not
 * have been applied, and resume from the op log.
 */
static void
batch_failed(struct sessions *ss, const uint64_t *sids, size_t n)
{
	struct item *it, *next;
	size_t	 i;

	for (it = ss->pending.head; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	memset(&ss->pending, 0, sizeof ss->pending);
	for (i = 0; i < n; i++)
		out_item(ss, O_CLOSE, sids[i]);
	out_flush(ss);
}

void *
sessions_worker(void *arg)
{
	struct sessions *ss = arg;
	struct item *it, *next;
	struct iq q;
	uint64_t sids[256];
	size_t	 nsids;
	char	*emsg;

	for (;;) {
		pthread_mutex_lock(&ss->in_mtx);
		while (!ss->stopping && ss->in.head == NULL &&
		    ss->evin.head == NULL)
			pthread_cond_wait(&ss->in_cond, &ss->in_mtx);
		if (ss->stopping) {
			pthread_mutex_unlock(&ss->in_mtx);
			break;
		}
		/* Requests first; then one batch of events. */
		memset(&q, 0, sizeof q);
		if (ss->in.head != NULL) {
			q = ss->in;
			memset(&ss->in, 0, sizeof ss->in);
		} else {
			it = ss->evin.head;
			if ((ss->evin.head = it->next) == NULL)
				ss->evin.tail = NULL;
			ss->evin.n--;
			iq_push(&q, it);
		}
		pthread_mutex_unlock(&ss->in_mtx);
		ss->batching = q.head != NULL && q.head->next != NULL &&
		    q.head->kind != I_EVENTS && sqlite3_exec(ss->db,
		    "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
		nsids = 0;
		for (it = q.head; it != NULL; it = next) {
			next = it->next;
			if (ss->batching && (it->kind == I_FRAME ||
			    it->kind == I_COUNTED) &&
			    nsids < sizeof sids / sizeof *sids)
				sids[nsids++] = it->sid;
			work(ss, it);
			item_free(it);
		}
		if (!ss->batching)
			continue;
		ss->batching = 0;
		emsg = NULL;
		if (sqlite3_exec(ss->db, "COMMIT", NULL, NULL, &emsg) !=
		    SQLITE_OK) {
			log_err("sessions: commit of %zu requests failed: %s",
			    nsids, emsg ? emsg : sqlite3_errmsg(ss->db));
			sqlite3_free(emsg);
			sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
			batch_failed(ss, sids, nsids);
			continue;
		}
		out_flush(ss);
	}
	if (ss->throttle != NULL)	/* the refusals not yet summarized */
		throttle_flush(ss->throttle, monotime_ns(), 1, refusals_write, ss);
	return NULL;
}
