/*
 * session — ward.v3 consoles on /ws: handshake, requests, subscriptions,
 * presence and fan-out.
 *
 * Three kinds of thread share the work.  This file is the net thread's
 * half, and starting and stopping the whole; session_worker.c is the
 * worker's half and the search tasks it hands out; session_private.h is
 * what the two halves share (struct sessions, the items and queues).
 *  - the net thread (session_cb, sessions_wake, sessions_events and the
 *    timers) owns the sessions: their outgoing queues, subscriptions and
 *    presence.  It never touches SQLite and never waits.
 *  - the worker thread owns its own connection to DATA/state.db and the
 *    hub's secret key: it checks handshakes, applies ops (incident_apply),
 *    answers queries, replays the op log and matches committed events
 *    against the event tails.
 *  - the search threads (ss->pool, hub/search/searchpool.c) run what may take
 *    seconds: the "search" query, the event counts of incident.show and
 *    audit.list (a read-only connection of their own to state.db).
 *    The worker hands them over and goes on, so ops, handshakes and
 *    replays never wait behind a search.  At most SQ_PER_USER of one
 *    user's run at once and SQ_WAITING more wait (over all their
 *    sessions); more are refused as "busy".  A session that closes
 *    cancels its searches.
 * They talk through two FIFO queues of items: "in" (net, search threads
 * -> worker) and "out" (worker, search threads, alerting -> net; the net
 * thread is woken through the hub's hook, hub_wake).  The worker
 * alone gives out op sequence numbers and "out" is FIFO, so each session
 * sees ops in seq order, a request's reply before the push of its op, and
 * a subscription's replay before the live ops after it.  The reply to a
 * search or an audit.list leaves from its search thread when it is done,
 * so it may come after the replies to later requests; the counts of incident.show come back to the
 * worker (I_COUNTED), which reads the incident again and answers, so the
 * incident in that reply is as of the ops pushed before it.
 *
 * Outgoing messages are encoded once into a shared, reference counted
 * buffer with LWS_PRE headroom; each session queues pointers to them and
 * writes one per WRITEABLE.  A session's queue of pushes is bounded: past
 * the bound its pushes are dropped and it is sent a resync; a session
 * whose queue makes no progress for STUCK_SECS is closed.  Replies are
 * never dropped; they are bounded by MAX_INFLIGHT, past which the session
 * is not read (lws_rx_flow_control) until the worker catches up.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "auth.h"
#include "buf.h"
#include "errf.h"
#include "hub.h"
#include "incident.h"
#include "log.h"
#include "monotime.h"
#include "query.h"
#include "searchpool.h"
#include "session.h"
#include "session_private.h"
#include "state.h"
#include "throttle.h"
#include "version.h"
#include "wire.h"

void
squery_free(struct squery *sq)
{
	if (sq == NULL)
		return;
	free(sq->q);
	json_decref(sq->req);
	json_decref(sq->obs);
	json_decref(sq->counts);
	free(sq);
}

void
iq_push(struct iq *q, struct item *it)
{
	it->next = NULL;
	if (q->tail != NULL)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->n++;
}

void
iq_cat(struct iq *q, struct iq *from)
{
	if (from->head == NULL)
		return;
	if (q->tail != NULL)
		q->tail->next = from->head;
	else
		q->head = from->head;
	q->tail = from->tail;
	q->n += from->n;
	memset(from, 0, sizeof *from);
}

struct item *
item_new(enum ikind kind, uint64_t sid)
{
	struct item *it;

	if ((it = calloc(1, sizeof *it)) == NULL)
		return NULL;
	it->kind = kind;
	it->sid = sid;
	return it;
}

void
item_free(struct item *it)
{
	if (it == NULL)
		return;
	if (it->msg != NULL && it->msg->refs == 0)
		free(it->msg);
	squery_free(it->sq);
	free(it->text);
	free(it);
}

/* A shared buffer holding a copy of the encoded message s[0..len), which
   counts as one push.  NULL when out of memory. */
struct omsg *
omsg_raw(const char *s, size_t len)
{
	struct omsg *m;

	if ((m = malloc(sizeof *m + LWS_PRE + len)) != NULL) {
		m->refs = 0;
		m->weight = 1;
		m->len = len;
		memcpy(m->buf + LWS_PRE, s, len);
	}
	return m;
}

/* Encode msg (taken) into a new shared buffer.  NULL on failure. */
struct omsg *
omsg_new(json_t *msg)
{
	struct omsg *m;
	char	*s;
	size_t	 len;

	if (msg == NULL)
		return NULL;
	s = wire_encode(msg, &len);
	json_decref(msg);
	if (s == NULL)
		return NULL;
	m = omsg_raw(s, len);
	free(s);
	return m;
}

void
omsg_drop(struct omsg *m)
{
	if (m != NULL && --m->refs <= 0)
		free(m);
}

void
iq_free(struct iq *q)
{
	struct item *it, *next;

	for (it = q->head; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	memset(q, 0, sizeof *q);
}

/* Hand an item to the worker. */
void
to_worker(struct sessions *ss, struct item *it, int events)
{
	pthread_mutex_lock(&ss->in_mtx);
	iq_push(events ? &ss->evin : &ss->in, it);
	pthread_cond_signal(&ss->in_cond);
	pthread_mutex_unlock(&ss->in_mtx);
}

/* ------------------------------------------------------------------ */
/* Net thread. */

/* The sessions of a connection's hub: session_protocol() left the hub
   in the protocol's user pointer. */
static struct sessions *
sessions_of(struct lws *wsi)
{
	const struct lws_protocols *p = lws_get_protocol(wsi);
	struct hub *h = p != NULL ? p->user : NULL;

	return h != NULL ? h->sessions : NULL;
}

static struct sess *
sess_find(struct sessions *ss, uint64_t sid)
{
	struct sess *s;

	for (s = ss->byid[bucket(sid)]; s != NULL; s = s->hnext)
		if (s->sid == sid)
			return s;
	return NULL;
}

static void
sess_link(struct sessions *ss, struct sess *s)
{
	size_t	 b = bucket(s->sid);

	s->hnext = ss->byid[b];
	ss->byid[b] = s;
	s->prev = NULL;
	s->next = ss->all;
	if (ss->all != NULL)
		ss->all->prev = s;
	ss->all = s;
	s->listed = 1;
}

static void
sess_unlink(struct sessions *ss, struct sess *s)
{
	struct sess **pp;

	if (!s->listed)
		return;
	for (pp = &ss->byid[bucket(s->sid)]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		ss->all = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->listed = 0;
}

static void
sess_free_queue(struct sess *s)
{
	struct qnode *q, *next;

	for (q = s->qh; q != NULL; q = next) {
		next = q->next;
		omsg_drop(q->msg);
		free(q);
	}
	s->qh = s->qt = NULL;
	s->qn = s->qbytes = s->qall = 0;
}

static void	 enqueue(struct sessions *, struct sess *, struct omsg *, int);

/* The session fell behind: drop its queued pushes (replies stay) and tell
   it to resync. */
static void
overflow(struct sessions *ss, struct sess *s, const char *why)
{
	struct qnode **pp, *q;
	struct omsg *m;

	for (pp = &s->qh; (q = *pp) != NULL; ) {
		if (q->reply) {
			pp = &q->next;
			continue;
		}
		*pp = q->next;
		s->qn -= q->msg->weight;
		s->qbytes -= q->msg->len;
		s->qall--;
		omsg_drop(q->msg);
		free(q);
	}
	for (s->qt = s->qh; s->qt != NULL && s->qt->next != NULL; )
		s->qt = s->qt->next;
	log_warn("session %" PRIu64 " (%s): %s; resync", s->sid, s->user, why);
	if ((m = omsg_new(wire_resync(why, ss->last_seq))) != NULL) {
		enqueue(ss, s, m, 1);
		if (m->refs == 0)
			free(m);
		else {
			s->qt->resync = 1;
			s->resyncing = 1;
		}
	}
}

/* Queue m for s.  reply: an answer or a control message, never dropped. */
static void
enqueue(struct sessions *ss, struct sess *s, struct omsg *m, int reply)
{
	struct qnode *q;

	if (s->state == S_CLOSING || (s->resyncing && !reply))
		return;
	if (!reply && s->qn > 0 && (s->qn + m->weight > Q_MAX_MSGS ||
	    s->qbytes + m->len > Q_MAX_BYTES)) {
		overflow(ss, s, "console too slow; pushes dropped");
		return;
	}
	if ((q = malloc(sizeof *q)) == NULL) {
		if (!reply)
			overflow(ss, s, "hub out of memory; pushes dropped");
		return;
	}
	q->next = NULL;
	q->msg = m;
	q->reply = reply;
	q->resync = 0;
	m->refs++;
	if (s->qt != NULL)
		s->qt->next = q;
	else
		s->qh = q;
	s->qt = q;
	if (!reply) {
		s->qn += m->weight;
		s->qbytes += m->len;
	}
	if (s->qall++ == 0) {
		s->progress_ns = monotime_ns();
		lws_callback_on_writable(s->wsi);
	}
}

/* Build msg (taken) and queue it for s. */
static void
send_json(struct sessions *ss, struct sess *s, json_t *msg, int reply)
{
	struct omsg *m;

	if ((m = omsg_new(msg)) == NULL)
		return;
	enqueue(ss, s, m, reply);
	if (m->refs == 0)
		free(m);
}

/* Say why and close once the queue is out. */
static void
sess_refuse(struct sessions *ss, struct sess *s, int64_t id,
    enum wire_err code, const char *why)
{
	send_json(ss, s, wire_error(id, code, why, NULL), 1);
	s->state = S_CLOSING;
	lws_callback_on_writable(s->wsi);
}

static int
sess_viewing(const struct sess *s, int64_t n)
{
	size_t	 i;

	for (i = 0; i < s->nview; i++)
		if (s->view[i] == n)
			return 1;
	return 0;
}

/* Who is connected and what each is looking at: [{user, role,
   viewing: [INC-n...]}], one entry per user. */
static json_t *
presence_users(struct sessions *ss)
{
	struct sess *s;
	json_t	*a, *u, *v, *e;
	char	 ref[32];
	size_t	 i, j;

	if ((a = json_array()) == NULL)
		return NULL;
	for (s = ss->all; s != NULL; s = s->next) {
		if (s->state != S_READY)
			continue;
		u = NULL;
		json_array_foreach(a, i, e)
			if (strcmp(json_string_value(json_object_get(e, "user")),
			    s->user) == 0) {
				u = e;
				break;
			}
		if (u == NULL) {
			u = json_pack("{s:s, s:s, s:[]}", "user", s->user,
			    "role", role_name(s->role), "viewing");
			if (u == NULL || json_array_append_new(a, u) != 0)
				goto fail;
		}
		v = json_object_get(u, "viewing");
		for (i = 0; i < s->nview; i++) {
			wire_incident_ref(s->view[i], ref, sizeof ref);
			json_array_foreach(v, j, e)
				if (strcmp(json_string_value(e), ref) == 0)
					break;
			if (j == json_array_size(v))
				json_array_append_new(v, json_string(ref));
		}
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

static void
presence_flush(lws_sorted_usec_list_t *sul)
{
	struct sessions *ss = lws_container_of(sul, struct sessions,
	    presence_sul);
	struct sess *s;
	struct omsg *m;

	ss->presence_due = 0;
	if ((m = omsg_new(wire_presence(presence_users(ss)))) == NULL)
		return;
	for (s = ss->all; s != NULL; s = s->next)
		if (s->state == S_READY && (s->topics & T_PRESENCE))
			enqueue(ss, s, m, 0);
	if (m->refs == 0)
		free(m);
}

static void
presence_changed(struct sessions *ss)
{
	if (ss->presence_due || ss->ctx == NULL)
		return;
	ss->presence_due = 1;
	lws_sul_schedule(ss->ctx, 0, &ss->presence_sul, presence_flush,
	    PRESENCE_US);
}

/* Every second: close sessions whose queue has not moved, and have the
   worker look for revoked users. */
static void
sweep(lws_sorted_usec_list_t *sul)
{
	struct sessions *ss = lws_container_of(sul, struct sessions,
	    sweep_sul);
	struct sess *s;
	struct item *it;
	int64_t	 now = monotime_ns();

	if (atomic_exchange(&ss->check_queued, 1) == 0) {
		if ((it = item_new(I_CHECK, 0)) != NULL)
			to_worker(ss, it, 0);
		else
			atomic_store(&ss->check_queued, 0);
	}

	for (s = ss->all; s != NULL; s = s->next) {
		if (s->qall == 0 || now - s->progress_ns <
		    (int64_t)STUCK_SECS * 1000000000)
			continue;
		log_warn("session %" PRIu64 " (%s): nothing written for %d s; "
		    "closing it", s->sid, *s->user ? s->user : "-",
		    STUCK_SECS);
		s->state = S_CLOSING;
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
	}
	lws_sul_schedule(ss->ctx, 0, &ss->sweep_sul, sweep, SWEEP_US);
}

static void
timers_start(struct sessions *ss, struct lws *wsi)
{
	if (ss->timers)
		return;
	ss->ctx = lws_get_context(wsi);
	ss->timers = 1;
	lws_sul_schedule(ss->ctx, 0, &ss->sweep_sul, sweep, SWEEP_US);
}

/*
 * The channel binding of a TLS connection (auth.h): the SHA-256 of the
 * certificate this hub presents on it.  Returns 1 when wsi is TLS and out
 * is set, 0 over plain ws://, -1 when the certificate cannot be read.
 */
static int
tls_channel(struct lws *wsi, unsigned char out[AUTH_CHANNEL_BYTES])
{
	unsigned char *der = NULL;
	X509	*x;
	SSL	*ssl;
	int	 len;

	if (!lws_is_ssl(wsi))
		return 0;
	if ((ssl = lws_get_ssl(wsi)) == NULL ||
	    (x = SSL_get_certificate(ssl)) == NULL ||
	    (len = i2d_X509(x, &der)) <= 0)
		return -1;
	auth_channel(der, (size_t)len, out);
	OPENSSL_free(der);
	return 1;
}

static void
on_established(struct sessions *ss, struct lws *wsi, struct sess *s)
{
	struct item *it;

	memset(s, 0, sizeof *s);
	s->wsi = wsi;
	s->sid = ++ss->next_sid;
	s->state = S_HELLO;
	timers_start(ss, wsi);
	sess_link(ss, s);
	if ((it = item_new(I_OPEN, s->sid)) == NULL) {
		s->state = S_CLOSING;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
		return;
	}
	lws_get_peer_simple(wsi, it->addr, sizeof it->addr);
	if (strncmp(it->addr, "::ffff:", 7) == 0 && strchr(it->addr + 7, '.'))
		memmove(it->addr, it->addr + 7, strlen(it->addr + 7) + 1);

	auth_nonce(it->nonce);
	if ((it->tls = tls_channel(wsi, it->channel)) == -1)
		log_err("session %" PRIu64 ": cannot read this hub's TLS "
		    "certificate; its handshake will fail", s->sid);
	send_json(ss, s, wire_hello(ss->key.pk, it->nonce), 1);
	to_worker(ss, it, 0);
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, AUTH_SECS);
}

static void
on_receive(struct sessions *ss, struct lws *wsi, struct sess *s,
    const void *in, size_t len)
{
	struct item *it;
	char	 msg[128];

	if (s->state == S_CLOSING)
		return;
	if (lws_frame_is_binary(wsi)) {
		sess_refuse(ss, s, -1, WIRE_EINVALID, "binary messages are "
		    "not part of " WARD_PROTOCOL);
		return;
	}
	if (s->rx.len + len > WIRE_MAX_FRAME) {
		snprintf(msg, sizeof msg, "message longer than %d bytes",
		    WIRE_MAX_FRAME);
		buf_release(&s->rx);
		sess_refuse(ss, s, -1, WIRE_EINVALID, msg);
		return;
	}
	if (buf_append(&s->rx, in, len) == -1) {
		buf_release(&s->rx);
		sess_refuse(ss, s, -1, WIRE_EINTERNAL, "hub out of memory");
		return;
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	if ((it = item_new(I_FRAME, s->sid)) == NULL) {
		buf_release(&s->rx);
		sess_refuse(ss, s, -1, WIRE_EINTERNAL, "hub out of memory");
		return;
	}
	if (s->rx.data == NULL)		/* an empty frame */
		buf_append(&s->rx, "", 0);
	it->text = buf_steal(&s->rx, &it->len);
	if (++s->inflight >= MAX_INFLIGHT && !s->throttled) {
		s->throttled = 1;
		lws_rx_flow_control(wsi, 0);
	}
	to_worker(ss, it, 0);
}

static int
on_writeable(struct sessions *ss, struct lws *wsi, struct sess *s)
{
	struct qnode *q = s->qh;
	int	 n;

	if (q == NULL)
		return s->state == S_CLOSING ? -1 : 0;
	n = lws_write(wsi, q->msg->buf + LWS_PRE, q->msg->len,
	    LWS_WRITE_TEXT);
	if (n < (int)q->msg->len)
		return -1;
	if ((s->qh = q->next) == NULL)
		s->qt = NULL;
	if (!q->reply) {
		s->qn -= q->msg->weight;
		s->qbytes -= q->msg->len;
	}
	s->qall--;
	if (q->resync)
		s->resyncing = 0;
	omsg_drop(q->msg);
	free(q);
	s->progress_ns = monotime_ns();
	/* Once drained, a closing session gets one more callback: lws
	   calls it only after whatever it still buffers is out. */
	if (s->qh != NULL || s->state == S_CLOSING)
		lws_callback_on_writable(wsi);
	return 0;
}

static void
on_closed(struct sessions *ss, struct sess *s)
{
	struct item *it;

	if (ss != NULL && s->listed) {
		sess_unlink(ss, s);
		if ((it = item_new(I_CLOSED, s->sid)) != NULL)
			to_worker(ss, it, 0);
		if (s->state == S_READY || s->nview > 0) {
			s->state = S_CLOSING;
			presence_changed(ss);
		}
		if (*s->user)
			log_info("session %" PRIu64 " (%s): closed", s->sid,
			    s->user);
	}
	sess_free_queue(s);
	buf_release(&s->rx);
	free(s->view);
	s->view = NULL;
	s->nview = 0;
}

static int
session_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct sess *s = user;
	struct sessions *ss;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLOSED:
		ss = wsi != NULL ? sessions_of(wsi) : NULL;
		break;
	default:
		return 0;
	}
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		if (ss == NULL)
			return -1;
		on_established(ss, wsi, s);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (ss == NULL || !s->listed)
			return -1;
		on_receive(ss, wsi, s, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (ss == NULL || !s->listed)
			return -1;
		return on_writeable(ss, wsi, s);
	case LWS_CALLBACK_CLOSED:
		on_closed(ss, s);
		return 0;
	default:
		break;
	}
	return 0;
}

struct lws_protocols
session_protocol(struct hub *h)
{
	return (struct lws_protocols){ WARD_PROTOCOL, session_cb,
	    sizeof(struct sess), 65536, 0, h, 0 };
}

static void
sess_view_add(struct sess *s, int64_t n)
{
	int64_t	*v;

	if (sess_viewing(s, n))
		return;
	if ((v = realloc(s->view, (s->nview + 1) * sizeof *v)) == NULL)
		return;
	s->view = v;
	s->view[s->nview++] = n;
}

static void
sess_view_del(struct sess *s, int64_t n)
{
	size_t	 i;

	for (i = 0; i < s->nview; i++)
		if (s->view[i] == n) {
			s->view[i] = s->view[--s->nview];
			return;
		}
}

/* Deliver one item from the out queue. */
static void
deliver(struct sessions *ss, struct item *it)
{
	struct sess *s = NULL;

	if (it->sid != 0 && (s = sess_find(ss, it->sid)) == NULL)
		return;		/* gone */
	if (s != NULL && it->done && --s->inflight < MAX_INFLIGHT / 2 &&
	    s->throttled) {
		s->throttled = 0;
		lws_rx_flow_control(s->wsi, 1);
	}
	switch (it->kind) {
	case O_SEND:
		if (it->msg != NULL)
			enqueue(ss, s, it->msg, it->reply);
		break;
	case O_AUTHED:
		if (s->state != S_HELLO)
			break;
		s->state = S_READY;
		snprintf(s->user, sizeof s->user, "%s", it->user);
		s->role = it->role;
		lws_set_timeout(s->wsi, NO_PENDING_TIMEOUT, 0);
		presence_changed(ss);
		break;
	case O_SUB:
		s->topics |= it->topic;
		if (it->topic == T_INCIDENT) {
			sess_view_add(s, it->n);
			presence_changed(ss);
		}
		if (it->topic == T_PRESENCE)
			send_json(ss, s, wire_ok(it->n, -1,
			    presence_users(ss)), 1);
		else if (it->msg != NULL)
			enqueue(ss, s, it->msg, 1);
		break;
	case O_UNSUB:
		if (it->topic == T_INCIDENT) {
			sess_view_del(s, it->n);
			presence_changed(ss);
		} else
			s->topics &= ~(unsigned)it->topic;
		if (it->msg != NULL)
			enqueue(ss, s, it->msg, 1);
		break;
	case O_OP:
		if (it->seq > ss->last_seq)
			ss->last_seq = it->seq;
		for (s = ss->all; s != NULL; s = s->next)
			if (s->state == S_READY && ((s->topics & T_INCIDENTS) ||
			    sess_viewing(s, it->n)))
				enqueue(ss, s, it->msg, 0);
		break;
	case O_ALERT:
		for (s = ss->all; s != NULL; s = s->next)
			if (s->state == S_READY && (s->topics & T_ALERTS))
				enqueue(ss, s, it->msg, 0);
		break;
	case O_PRESENCE:
		send_json(ss, s, wire_ok(it->n, -1, presence_users(ss)), 1);
		break;
	case O_CLOSE:
		if (s->state == S_READY)
			presence_changed(ss);	/* it leaves the list */
		s->state = S_CLOSING;
		lws_callback_on_writable(s->wsi);
		break;
	default:
		break;
	}
}

void
sessions_wake(struct hub *h)
{
	struct sessions *ss = h->sessions;
	struct item *it, *next;
	struct iq q;

	if (ss == NULL)
		return;
	pthread_mutex_lock(&ss->out_mtx);
	q = ss->out;
	memset(&ss->out, 0, sizeof ss->out);
	pthread_mutex_unlock(&ss->out_mtx);
	for (it = q.head; it != NULL; it = next) {
		next = it->next;
		deliver(ss, it);
		item_free(it);
	}
}

void
sessions_events(struct hub *h, const struct job *j)
{
	struct sessions *ss = h->sessions;
	struct item *it;
	struct buf b;
	size_t	 i;
	uint32_t l;
	int64_t	 id;

	if (ss == NULL || atomic_load(&ss->ntails) == 0 || j->ids == NULL ||
	    j->nrows == 0)
		return;
	if (atomic_load(&ss->ev_backlog) >= EV_MAX_BACKLOG) {
		atomic_fetch_add(&ss->ev_dropped, 1);
		return;
	}
	/* Pack: per event, 8 bytes id, 4 bytes length, the JSON text. */
	buf_init(&b);
	for (i = 0; i < j->nrows; i++) {
		const struct row *r = &j->rows[i];

		if (r->item >= j->split.n || (id = j->ids[r->item]) < 0)
			continue;
		l = r->doclen;
		if (buf_append(&b, &id, sizeof id) == -1 ||
		    buf_append(&b, &l, sizeof l) == -1 ||
		    buf_append(&b, j->arena.data + r->doc, l) == -1) {
			buf_release(&b);
			return;
		}
	}
	if (b.len == 0 || (it = item_new(I_EVENTS, 0)) == NULL) {
		buf_release(&b);
		return;
	}
	it->text = buf_steal(&b, &it->len);
	atomic_fetch_add(&ss->ev_backlog, 1);
	to_worker(ss, it, 1);
}

/* ------------------------------------------------------------------ */

int
sessions_start(struct hub *h, char *err, size_t errlen)
{
	struct sessions *ss;
	char	 path[4200], comment[300], msg[512], *emsg = NULL;
	int	 created = 0;

	if ((ss = calloc(1, sizeof *ss)) == NULL)
		return errf(err, errlen, "out of memory");
	ss->h = h;
	pthread_mutex_init(&ss->in_mtx, NULL);
	pthread_cond_init(&ss->in_cond, NULL);
	pthread_mutex_init(&ss->out_mtx, NULL);
	if (auth_init() == -1) {
		errf(err, errlen, "libsodium failed to start");
		goto fail;
	}
	snprintf(path, sizeof path, "%s/hub_ed25519", h->datadir);
	snprintf(comment, sizeof comment, "wardd@%s", h->hostname);
	if (auth_key_load_or_create(path, comment, &ss->key, &created, msg,
	    sizeof msg) == -1) {
		errf(err, errlen, "hub key: %s", msg);
		goto fail;
	}
	auth_pubkey_b64(ss->key.pk, msg, sizeof msg);
	log_info("%s hub key %s (ward-ed25519 %s)", created ? "created" :
	    "loaded", path, msg);
	if (sqlite3_open_v2(h->statedb, &ss->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", h->statedb,
		    sqlite3_errmsg(ss->db));
		goto fail;
	}
	sqlite3_busy_timeout(ss->db, 5000);
	if (sqlite3_exec(ss->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL,
	    &emsg) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", h->statedb, emsg ? emsg :
		    sqlite3_errmsg(ss->db));
		sqlite3_free(emsg);
		goto fail;
	}
	if (state_schema(ss->db, msg, sizeof msg) == -1) {
		errf(err, errlen, "%s: %s", h->statedb, msg);
		goto fail;
	}
	if (sqlite3_prepare_v2(ss->db, "PRAGMA data_version", -1, &ss->dv,
	    NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", h->statedb,
		    sqlite3_errmsg(ss->db));
		goto fail;
	}
	ss->users_dv = -1;
	if ((ss->throttle = throttle_new()) == NULL) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	if ((ss->last_seq = incident_last_seq(ss->db)) < 0)
		ss->last_seq = 0;
	if ((ss->pool = searchpool_new(h->datadir, SQ_THREADS, NULL,
	    NULL)) == NULL) {
		errf(err, errlen, "cannot start the consoles' search "
		    "threads");
		goto fail;
	}
	searchpool_limits(ss->pool, SQ_PER_USER, SQ_WAITING);
	searchpool_nice(ss->pool, SQ_NICE);
	if (pthread_create(&ss->thread, NULL, sessions_worker, ss) != 0) {
		errf(err, errlen, "cannot start the session worker");
		goto fail;
	}
	ss->started = 1;
	h->sessions = ss;
	return 0;
fail:
	h->sessions = ss;
	sessions_stop(h);
	return -1;
}

void
sessions_stop(struct hub *h)
{
	struct sessions *ss = h->sessions;
	struct wsess *w, *wn;
	struct tail *t, *tn;
	size_t	 i;

	if (ss == NULL)
		return;
	if (ss->started) {
		pthread_mutex_lock(&ss->in_mtx);
		ss->stopping = 1;
		pthread_cond_broadcast(&ss->in_cond);
		pthread_mutex_unlock(&ss->in_mtx);
		pthread_join(ss->thread, NULL);
	}
	/* Searches still running stop; their answers are not sent. */
	searchpool_free(ss->pool);
	/* The net loop has stopped: no callback runs now. */
	if (ss->timers) {
		lws_sul_cancel(&ss->sweep_sul);
		lws_sul_cancel(&ss->presence_sul);
	}
	iq_free(&ss->in);
	iq_free(&ss->evin);
	iq_free(&ss->out);
	iq_free(&ss->pending);
	for (i = 0; i < NBUCKET; i++)
		for (w = ss->wbyid[i]; w != NULL; w = wn) {
			wn = w->hnext;
			free(w);
		}
	for (t = ss->tails; t != NULL; t = tn) {
		tn = t->next;
		query_free(t->q);
		buf_release(&t->batch);
		free(t);
	}
	/* Sessions still open are freed by their CLOSED callbacks. */
	while (ss->all != NULL)
		sess_unlink(ss, ss->all);
	sqlite3_finalize(ss->dv);
	throttle_free(ss->throttle);
	sqlite3_close(ss->db);
	auth_key_wipe(&ss->key);
	pthread_mutex_destroy(&ss->in_mtx);
	pthread_cond_destroy(&ss->in_cond);
	pthread_mutex_destroy(&ss->out_mtx);
	free(ss);
	h->sessions = NULL;
}

int
sessions_broadcast_alert(struct hub *h, json_t *alert)
{
	struct sessions *ss = h->sessions;
	struct item *it;

	if (ss == NULL || !json_is_object(alert))
		return -1;
	if ((it = item_new(O_ALERT, 0)) == NULL)
		return -1;
	/* encoded now, on this thread: the message holds text, not alert */
	if ((it->msg = omsg_new(wire_alert(json_incref(alert)))) == NULL) {
		free(it);
		return -1;
	}
	pthread_mutex_lock(&ss->out_mtx);
	iq_push(&ss->out, it);
	pthread_mutex_unlock(&ss->out_mtx);
	hub_wake(h);
	return 0;
}
