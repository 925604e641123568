/* input_amqp — RabbitMQ consumer (--amqp).  See input_amqp.h.
 *
 * The consumer thread owns the connection (librabbitmq is not thread
 * safe).  Batches it hands to the pipeline are remembered in order, with
 * the delivery tag of their last message and the connection they came
 * on; the net thread marks them done (on_done), and the consumer settles
 * the done ones at the front in order: basic.ack with multiple for a
 * stored batch, basic.nack multiple with requeue for one the store
 * refused.  Batches of a connection that has gone are forgotten: the
 * broker gives their messages again (at least once).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include "deadline.h"
#include "errf.h"
#include "input_amqp.h"
#include "jarena.h"
#include "job.h"
#include "jsonfast.h"
#include "log.h"
#include "monotime.h"
#include "net.h"
#include "source.h"
#include "timeparse.h"

/* A batch (one pipeline job) closes LINGER_NS after its first delivery,
   when no delivery came for 10 ms, when the prefetch window is all held
   (nothing more comes before an ack), or at BATCH_MSGS_MAX messages or
   BATCH_BYTES of events.  A job per delivery cost the hub most of its
   CPU on single-event deliveries, and gathering them also means fewer
   acks for the broker, which shares the cores; but past a few thousand
   events a job only grows the working set: with the rules writing their
   matches by time rather than by job, jobs of 2,000 events and 1 MB took
   the hub from 2.1-2.4 to 1.7-1.8 CPU s per 100k events on bodies of 100
   events, and from 3.0-3.4 to 2.8 on single-event ones, against 10,000
   and 4 MB (tests/bench/inputs.sh, alternate runs, loaded machine). */
#define LINGER_NS	50000000
#define BATCH_MSGS_MAX	2000
#define BATCH_BYTES	(1u << 20)
#define MAX_BATCHES	64		/* in flight at once */
#define CHANNEL		1

struct pending {
	struct job	*j;
	uint64_t	 last_tag;
	size_t		 nmsgs;		/* deliveries it holds */
	unsigned	 gen;
	int		 done, ok;
};

struct amqp_input {
	struct ingest_source src;	/* first: the jobs' src */
	char		 host[256], user[128], pass[128], vhost[128];
	char		 queue[128], exchange[128], rkey[128], cacert[512];
	int		 port, ssl, prefetch;
	struct jarena	 arena;		/* the consumer's parse trees */
	struct net	*net;
	pthread_t	 th;
	int		 started;
	atomic_int	 stop;
	amqp_connection_state_t conn;
	unsigned	 gen;
	pthread_mutex_t	 mtx;		/* pend, with on_done */
	pthread_cond_t	 donecv;	/* on_done marked one */
	struct pending	 pend[MAX_BATCHES];
	size_t		 phead, pn;
	size_t		 held;		/* deliveries of this connection in
					   pend (consumer thread) */
	struct job	*batch;
	size_t		 nbatch;
	uint64_t	 batch_tag;
};

/* Net thread: a batch is back from the store. */
static void
on_done(struct ingest_source *s, struct job *j)
{
	struct amqp_input *a = (struct amqp_input *)s;
	size_t	 i;

	source_count(s, j);
	pthread_mutex_lock(&a->mtx);
	for (i = 0; i < a->pn; i++) {
		struct pending *p = &a->pend[(a->phead + i) % MAX_BATCHES];

		if (p->j == j && !p->done) {
			p->done = 1;
			p->ok = j->status == 0;
			pthread_cond_signal(&a->donecv);
			break;
		}
	}
	pthread_mutex_unlock(&a->mtx);
}

static int
opt(const char *q, const char *key, char *out, size_t outlen)
{
	size_t	 kl = strlen(key);
	const char *p = q, *e;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			p += kl + 1;
			e = strchr(p, '&');
			if (e == NULL)
				e = p + strlen(p);
			if ((size_t)(e - p) >= outlen)
				return -1;
			memcpy(out, p, (size_t)(e - p));
			out[e - p] = '\0';
			return 1;
		}
		if ((p = strchr(p, '&')) != NULL)
			p++;
	}
	return 0;
}

struct amqp_input *
amqp_input_new(const char *url, char *err, size_t errlen)
{
	struct amqp_input *a;
	struct amqp_connection_info ci;
	char	 base[1024], pf[16] = "8000", *q, *e;
	const char *query = "";
	long	 v;

	if ((a = calloc(1, sizeof *a)) == NULL) {
		errf(err, errlen, "--amqp: out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->mtx, NULL);
	pthread_cond_init(&a->donecv, NULL);
	jarena_init(&a->arena);
	a->src.done = on_done;
	snprintf(a->src.kind, sizeof a->src.kind, "amqp");
	if (strlen(url) >= sizeof base)
		goto bad;
	snprintf(base, sizeof base, "%s", url);
	if ((q = strchr(base, '?')) != NULL) {
		*q = '\0';
		query = url + (q - base) + 1;
	}
	snprintf(a->queue, sizeof a->queue, "eventtask");
	snprintf(a->exchange, sizeof a->exchange, "eventtask");
	if (opt(query, "queue", a->queue, sizeof a->queue) == -1 ||
	    opt(query, "exchange", a->exchange, sizeof a->exchange) == -1 ||
	    opt(query, "routing-key", a->rkey, sizeof a->rkey) == -1 ||
	    opt(query, "prefetch", pf, sizeof pf) == -1 ||
	    opt(query, "cacert", a->cacert, sizeof a->cacert) == -1)
		goto bad;
	if (*a->rkey == '\0')
		snprintf(a->rkey, sizeof a->rkey, "%s", a->queue);
	errno = 0;
	v = strtol(pf, &e, 10);
	if (errno != 0 || *e != '\0' || v < 1 || v > 65535)
		goto bad;
	a->prefetch = (int)v;
	amqp_default_connection_info(&ci);
	/* amqp_parse_url writes into base and points ci into it */
	if (amqp_parse_url(base, &ci) != AMQP_STATUS_OK)
		goto bad;
	snprintf(a->host, sizeof a->host, "%s", ci.host);
	snprintf(a->user, sizeof a->user, "%s", ci.user);
	snprintf(a->pass, sizeof a->pass, "%s", ci.password);
	snprintf(a->vhost, sizeof a->vhost, "%s", ci.vhost);
	a->port = ci.port;
	a->ssl = ci.ssl;
	snprintf(a->src.url, sizeof a->src.url,
	    "%s://%.32s@%.64s:%d/%.32s?queue=%.64s",
	    a->ssl ? "amqps" : "amqp", a->user, a->host, a->port,
	    strcmp(a->vhost, "/") == 0 ? "" : a->vhost, a->queue);
	snprintf(a->src.name, sizeof a->src.name, "amqp %.230s", a->src.url);
	return a;
bad:
	errf(err, errlen, "--amqp: expected amqp[s]://USER:PASS@HOST:PORT/"
	    "VHOST?queue=Q&exchange=E&routing-key=K&prefetch=N "
	    "(prefetch 1-65535)");
	amqp_input_free(a);
	return NULL;
}

int
amqp_input_register(struct amqp_input *a, struct metrics *m)
{
	return source_register(m, &a->src);
}

/* Text of a failed RPC reply, into buf. */
static const char *
reply_text(amqp_rpc_reply_t r, char *buf, size_t len)
{
	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		return "ok";
	case AMQP_RESPONSE_NONE:
		return "no reply";
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		return amqp_error_string2(r.library_error);
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
			amqp_connection_close_t *c = r.reply.decoded;

			snprintf(buf, len, "the broker closed the connection: "
			    "%u %.*s", c->reply_code, (int)c->reply_text.len,
			    (char *)c->reply_text.bytes);
		} else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
			amqp_channel_close_t *c = r.reply.decoded;

			snprintf(buf, len, "the broker closed the channel: "
			    "%u %.*s", c->reply_code, (int)c->reply_text.len,
			    (char *)c->reply_text.bytes);
		} else
			snprintf(buf, len, "broker error, method %08x",
			    r.reply.id);
		return buf;
	}
	return "unknown";
}

/* After the broker closed the channel (a passive declare of something
   missing): answer close-ok and open it again.  0 or -1. */
static int
reopen(struct amqp_input *a)
{
	amqp_channel_close_ok_t ok = { 0 };

	if (amqp_send_method(a->conn, CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD,
	    &ok) != AMQP_STATUS_OK)
		return -1;
	amqp_channel_open(a->conn, CHANNEL);
	return amqp_get_rpc_reply(a->conn).reply_type ==
	    AMQP_RESPONSE_NORMAL ? 0 : -1;
}

static void
disconnect(struct amqp_input *a)
{
	if (a->conn == NULL)
		return;
	amqp_connection_close(a->conn, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(a->conn);
	a->conn = NULL;
	a->gen++;		/* its deliveries come again */
	a->held = 0;
	job_free(a->batch);
	a->batch = NULL;
	a->nbatch = 0;
}

/* Connect, declare what is missing, consume.  0, or -1 with why. */
static int
connect_broker(struct amqp_input *a, char *why, size_t whylen)
{
	amqp_socket_t *sock;
	amqp_rpc_reply_t r;
	struct timeval tv = { 10, 0 };
	int	 rc;

	if ((a->conn = amqp_new_connection()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (a->ssl) {
		if ((sock = amqp_ssl_socket_new(a->conn)) == NULL)
			goto nomem;
		if (*a->cacert) {
			if (amqp_ssl_socket_set_cacert(sock, a->cacert) !=
			    AMQP_STATUS_OK) {
				snprintf(why, whylen, "cannot read %.200s",
				    a->cacert);
				goto fail;
			}
		} else {
			amqp_ssl_socket_set_verify_peer(sock, 0);
			amqp_ssl_socket_set_verify_hostname(sock, 0);
		}
	} else if ((sock = amqp_tcp_socket_new(a->conn)) == NULL)
		goto nomem;
	if ((rc = amqp_socket_open_noblock(sock, a->host, a->port, &tv)) !=
	    AMQP_STATUS_OK) {
		snprintf(why, whylen, "%s", amqp_error_string2(rc));
		goto fail;
	}
	r = amqp_login(a->conn, a->vhost, 0, 131072, 0,
	    AMQP_SASL_METHOD_PLAIN, a->user, a->pass);
	if (r.reply_type != AMQP_RESPONSE_NORMAL)
		goto rpc;
	amqp_channel_open(a->conn, CHANNEL);
	if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
	    AMQP_RESPONSE_NORMAL)
		goto rpc;
	/* A site's queue and exchange are used as they are: passive first,
	   declared (durable) only when missing. */
	amqp_queue_declare(a->conn, CHANNEL, amqp_cstring_bytes(a->queue), 1,
	    0, 0, 0, amqp_empty_table);
	if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
	    AMQP_RESPONSE_NORMAL) {
		if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION ||
		    r.reply.id != AMQP_CHANNEL_CLOSE_METHOD || reopen(a) == -1)
			goto rpc;
		amqp_queue_declare(a->conn, CHANNEL,
		    amqp_cstring_bytes(a->queue), 0, 1, 0, 0, amqp_empty_table);
		if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
		    AMQP_RESPONSE_NORMAL)
			goto rpc;
		log_info("%s: declared the durable queue %s", a->src.name,
		    a->queue);
	}
	if (*a->exchange) {
		amqp_exchange_declare(a->conn, CHANNEL,
		    amqp_cstring_bytes(a->exchange),
		    amqp_cstring_bytes("topic"), 1, 0, 0, 0, amqp_empty_table);
		if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
		    AMQP_RESPONSE_NORMAL) {
			if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION ||
			    r.reply.id != AMQP_CHANNEL_CLOSE_METHOD ||
			    reopen(a) == -1)
				goto rpc;
			amqp_exchange_declare(a->conn, CHANNEL,
			    amqp_cstring_bytes(a->exchange),
			    amqp_cstring_bytes("topic"), 0, 1, 0, 0,
			    amqp_empty_table);
			if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
			    AMQP_RESPONSE_NORMAL)
				goto rpc;
			log_info("%s: declared the durable topic exchange %s",
			    a->src.name, a->exchange);
		}
		amqp_queue_bind(a->conn, CHANNEL, amqp_cstring_bytes(a->queue),
		    amqp_cstring_bytes(a->exchange),
		    amqp_cstring_bytes(a->rkey), amqp_empty_table);
		if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
		    AMQP_RESPONSE_NORMAL)
			goto rpc;
	}
	amqp_basic_qos(a->conn, CHANNEL, 0, (uint16_t)a->prefetch, 0);
	if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
	    AMQP_RESPONSE_NORMAL)
		goto rpc;
	amqp_basic_consume(a->conn, CHANNEL, amqp_cstring_bytes(a->queue),
	    amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
	if ((r = amqp_get_rpc_reply(a->conn)).reply_type !=
	    AMQP_RESPONSE_NORMAL)
		goto rpc;
	return 0;
rpc:
	reply_text(r, why, whylen);
	if (why[0] == '\0' || strcmp(why, "ok") == 0)
		snprintf(why, whylen, "%s", reply_text(r, why, whylen));
	goto fail;
nomem:
	snprintf(why, whylen, "out of memory");
fail:
	amqp_destroy_connection(a->conn);
	a->conn = NULL;
	return -1;
}

/* Settle the done batches at the front, in order.  -1 when the
   connection failed. */
static int
settle(struct amqp_input *a)
{
	int	 rc = 0;

	pthread_mutex_lock(&a->mtx);
	while (a->pn > 0 && a->pend[a->phead].done) {
		struct pending p = a->pend[a->phead];

		a->phead = (a->phead + 1) % MAX_BATCHES;
		a->pn--;
		if (p.gen != a->gen || a->conn == NULL || rc == -1)
			continue;	/* its connection is gone */
		a->held -= p.nmsgs;
		if (p.ok)
			rc = amqp_basic_ack(a->conn, CHANNEL, p.last_tag, 1);
		else
			rc = amqp_basic_nack(a->conn, CHANNEL, p.last_tag, 1,
			    1);
		rc = rc == AMQP_STATUS_OK ? 0 : -1;
	}
	pthread_mutex_unlock(&a->mtx);
	return rc;
}

/* Hand the batch on.  1 when there is no batch left waiting. */
static int
flush(struct amqp_input *a)
{
	struct pending *p;

	if (a->batch == NULL)
		return 1;
	pthread_mutex_lock(&a->mtx);
	if (a->pn == MAX_BATCHES) {
		pthread_mutex_unlock(&a->mtx);
		return 0;
	}
	p = &a->pend[(a->phead + a->pn) % MAX_BATCHES];
	p->j = a->batch;
	p->last_tag = a->batch_tag;
	p->nmsgs = a->nbatch;
	p->gen = a->gen;
	p->done = p->ok = 0;
	a->pn++;
	if (net_submit(a->net, a->batch) == -1) {
		a->pn--;
		pthread_mutex_unlock(&a->mtx);
		return 0;
	}
	pthread_mutex_unlock(&a->mtx);
	a->held += a->nbatch;
	a->batch = NULL;
	a->nbatch = 0;
	return 1;
}

/* Until on_done marks a batch, or 10 ms. */
static void
wait_done(struct amqp_input *a)
{
	struct timespec ts;

	deadline_after(CLOCK_REALTIME, 10000, &ts);
	pthread_mutex_lock(&a->mtx);
	if (a->pn == 0 || !a->pend[a->phead].done)
		pthread_cond_timedwait(&a->donecv, &a->mtx, &ts);
	pthread_mutex_unlock(&a->mtx);
}

/* 1 when the batch should go now (see LINGER_NS). */
static int
closing(struct amqp_input *a, int idle)
{
	if (a->batch == NULL)
		return 0;
	return idle || a->nbatch >= BATCH_MSGS_MAX ||
	    a->batch->body.len >= BATCH_BYTES ||
	    a->held + a->nbatch >= (size_t)a->prefetch ||
	    monotime_ns() - a->batch->t0_ns >= LINGER_NS;
}

/* Append body b[0..n) to the batch as events: a JSON object, an array of
   objects, or objects one after another (NDJSON).  -1 with why when it
   is not that (nothing appended).  An object on one line goes into the
   batch as it came, checked but not built (jsonfast_check): the
   pipeline parses it anyway, and building it here too cost this thread
   half its time on single-event deliveries. */
static int
take(struct amqp_input *a, const char *b, size_t n, const char **why)
{
	struct jsonfast_error e;
	struct buf *out;
	size_t	 off = 0, used, before, i;
	json_t	*v = NULL;
	int	 any = 0, type;

	if (a->batch == NULL) {
		if ((a->batch = job_new(JOB_EVENTS)) == NULL) {
			*why = "out of memory";
			return -1;
		}
		snprintf(a->batch->ctype, sizeof a->batch->ctype,
		    "application/x-ndjson");
		a->batch->src = &a->src;
		a->batch->t0_ns = monotime_ns();
		a->batch->received_us = time_now_us();
	}
	out = &a->batch->body;
	before = out->len;
	for (;;) {
		while (off < n && (b[off] == ' ' || b[off] == '\n' ||
		    b[off] == '\r' || b[off] == '\t'))
			off++;
		if (off == n)
			break;
		if ((type = jsonfast_check(b + off, n - off, &used, 64,
		    &e)) == -1) {
			*why = "not JSON";
			goto bad;
		}
		if (type != JSON_OBJECT && type != JSON_ARRAY) {
			*why = "JSON but not an event (an object)";
			goto bad;
		}
		/* One to a line: a string cannot hold a raw newline, so an
		   object spanning lines has whitespace to drop. */
		if (type == JSON_OBJECT && memchr(b + off, '\n', used) == NULL) {
			if (buf_append(out, b + off, used) == -1 ||
			    buf_append(out, "\n", 1) == -1)
				goto nomem;
			any = 1;
			off += used;
			continue;
		}
		if ((v = jsonfast_parse(b + off, used, NULL, 64, &e)) == NULL)
			goto nomem;	/* it was checked: only memory */
		if (json_is_array(v) && json_array_size(v) == 0) {
			*why = "JSON but not an event (an object)";
			goto bad;
		}
		for (i = 0; json_is_array(v) && i < json_array_size(v); i++)
			if (!json_is_object(json_array_get(v, i))) {
				*why = "an array of something other than "
				    "events";
				goto bad;
			}
		if (json_is_object(v)) {
			if (jsonfast_dump(out, v) == -1 ||
			    buf_append(out, "\n", 1) == -1)
				goto nomem;
		} else
			for (i = 0; i < json_array_size(v); i++)
				if (jsonfast_dump(out, json_array_get(v, i)) ==
				    -1 || buf_append(out, "\n", 1) == -1)
					goto nomem;
		json_decref(v);
		v = NULL;
		any = 1;
		off += used;
	}
	if (!any) {
		*why = "empty";
		goto bad;
	}
	return 0;
nomem:
	*why = "out of memory";
bad:
	json_decref(v);
	out->len = before;
	if (out->data != NULL)
		out->data[before] = '\0';
	return -1;
}

static void *
run(void *arg)
{
	struct amqp_input *a = arg;
	int	 backoff = 1, idle = 0, first = 1, rc;
	char	 why[512];

	pthread_setname_np(pthread_self(), "ward-amqp");

	while (!atomic_load(&a->stop)) {
		amqp_envelope_t env;
		amqp_rpc_reply_t r;
		struct timeval tv = { 0, 10000 };
		const char *bad;

		if (a->conn == NULL) {
			if (connect_broker(a, why, sizeof why) == -1) {
				log_warn("%s: %s; again in %d s", a->src.name,
				    why, backoff);
				for (int i = 0; i < backoff * 10 &&
				    !atomic_load(&a->stop); i++)
					usleep(100000);
				backoff = backoff < 30 ? backoff * 2 : 30;
				continue;
			}
			if (!first)
				atomic_fetch_add(&a->src.reconnects, 1);
			first = 0;
			backoff = 1;
			log_info("%s: consuming", a->src.name);
			atomic_store(&a->src.connections, 1);
		}
		if (settle(a) == -1)
			goto lost;
		if (closing(a, idle) && !flush(a)) {
			/* The pipeline is full: stop taking; the broker
			   holds the rest (prefetch window). */
			usleep(5000);
			continue;
		}
		if (a->batch == NULL && a->held >= (size_t)a->prefetch) {
			/* The window is all in the pipeline: nothing comes
			   before an ack; wait for a batch to be stored. */
			wait_done(a);
			continue;
		}
		amqp_maybe_release_buffers(a->conn);
		r = amqp_consume_message(a->conn, &env, &tv, 0);
		if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
		    r.library_error == AMQP_STATUS_TIMEOUT) {
			idle = 1;
			continue;
		}
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			snprintf(why, sizeof why, "%s", reply_text(r, why,
			    sizeof why));
			goto lost_why;
		}
		idle = 0;
		atomic_fetch_add(&a->src.messages, 1);
		/* A body's tree, when one is built (take), lives in the
		   arena, taken back at once: no malloc or free per JSON
		   value (jarena.h). */
		if (jarena_installed())
			jarena_use(&a->arena);
		rc = take(a, env.message.body.bytes, env.message.body.len,
		    &bad);
		jarena_use(NULL);
		jarena_reset(&a->arena);
		if (rc == -1) {
			atomic_fetch_add(&a->src.rejected, 1);
			log_warn("%s: rejected delivery %llu (not requeued): "
			    "%s", a->src.name,
			    (unsigned long long)env.delivery_tag, bad);
			amqp_basic_reject(a->conn, CHANNEL, env.delivery_tag, 0);
		} else {
			a->nbatch++;
			a->batch_tag = env.delivery_tag;
		}
		amqp_destroy_envelope(&env);
		continue;
lost:
		snprintf(why, sizeof why, "the connection failed");
lost_why:
		log_warn("%s: %s; reconnecting (what was not acknowledged "
		    "comes again)", a->src.name, why);
		atomic_store(&a->src.connections, 0);
		disconnect(a);
	}
	/* Stopping: hand the batch on; its acks will not be sent (the
	   connection closes), so the broker gives its messages again. */
	if (a->conn != NULL) {
		for (int i = 0; a->batch != NULL && i < 200; i++)
			if (!flush(a))
				usleep(10000);
		settle(a);
		disconnect(a);
	}
	atomic_store(&a->src.connections, 0);
	return NULL;
}

int
amqp_input_start(struct amqp_input *a, struct net *net)
{
	a->net = net;
	if (pthread_create(&a->th, NULL, run, a) != 0)
		return -1;
	a->started = 1;
	return 0;
}

void
amqp_input_stop(struct amqp_input *a)
{
	if (a == NULL || !a->started)
		return;
	atomic_store(&a->stop, 1);
	pthread_join(a->th, NULL);
	a->started = 0;
}

void
amqp_input_free(struct amqp_input *a)
{
	if (a == NULL)
		return;
	amqp_input_stop(a);
	disconnect(a);
	job_free(a->batch);
	jarena_release(&a->arena);
	pthread_cond_destroy(&a->donecv);
	pthread_mutex_destroy(&a->mtx);
	free(a);
}
