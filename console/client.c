/*
 * client — the console's connection to a hub.  See client.h.
 *
 * Two sides.  The lws thread owns the connection: the handshake, frames
 * going out (held until the session is ready), the subscriptions to renew
 * after a reconnection, the last op seq and the duplicate filter.  The
 * application thread owns the callbacks and the table of requests waiting
 * for replies.  Commands go to the lws thread through a locked list and
 * lws_cancel_service(); what happens comes back through another locked
 * list and a pipe that is readable while that list is not empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "auth.h"
#include "buf.h"
#include "client.h"
#include "errf.h"
#include "url.h"
#include "version.h"
#include "wire.h"

#define INTERNAL_ID	(1LL << 50)	/* ids of the client's own requests */
#define SEEN_SLOTS	4096		/* op seqs remembered against replays */
#define BACKOFF_MIN_MS	250
#define BACKOFF_MAX_MS	10000
#define HANDSHAKE_SECS	15
#define DEFAULT_PORT	9200

/* lws thread -> application. */
enum ckind { E_STATE, E_MSG, E_LOST };

struct cev {
	struct cev	*next;
	enum ckind	 kind;
	enum client_state state;	/* E_STATE */
	enum role	 role;		/* E_STATE: READY */
	char		 user[WIRE_MAX_NAME + 1];
	int64_t		 last_seq;	/* E_MSG: after this message */
	struct wire_msg	 m;		/* E_MSG */
	char		*why;
	int64_t		*ids;		/* E_LOST: requests without replies */
	size_t		 nids;
};

/* Application -> lws thread: one frame to send. */
struct cmd {
	struct cmd	*next;
	int64_t		 id;
	int		 sub;		/* 1 subscribe, -1 unsubscribe */
	char		 topic[80];
	char		*query;
	unsigned char	*frame;		/* LWS_PRE + len */
	size_t		 len;
};

/* lws thread: a subscription to renew. */
struct sub {
	struct sub	*next;
	char		 topic[80];
	char		*query;
	int		 sent;		/* has gone out on some connection */
};

/* Application thread: a request waiting for its reply. */
struct pending {
	int64_t		 id;
	client_reply_fn	 fn;
	void		*arg;
};

enum hs { H_NONE, H_HELLO, H_WELCOME, H_READY };

struct client {
	/* Settings. */
	char		 host[256];
	int		 port;
	char		 path[256];
	int		 tls;
	char		 hostport[300];
	char		 user[WIRE_MAX_NAME + 1];
	struct auth_key	 key;
	char		 known_hubs[4096];
	char		 tls_ca[4096];
	int		 reconnect;
	struct lws_protocols protocols[2];

	/* Application thread. */
	client_state_fn	 state_fn;
	client_push_fn	 push_fn;
	void		*arg;
	enum client_state app_state;
	enum role	 app_role;
	char		 app_user[WIRE_MAX_NAME + 1];
	int64_t		 app_last_seq;
	struct pending	*pend;
	size_t		 npend, cpend;
	int64_t		 next_id;
	int		 in_free;

	/* Shared. */
	pthread_mutex_t	 mtx;
	struct cev	*evh, *evt;
	struct cmd	*cmdh, *cmdt;
	int		 pfd[2];
	atomic_int	 stop;
	struct lws_context *ctx;
	pthread_t	 thread;
	int		 started;

	/* lws thread. */
	struct lws	*wsi;
	int		 alive;		/* a connection attempt is live */
	enum hs		 hs;
	unsigned char	 hub_nonce[AUTH_NONCE_BYTES];
	unsigned char	 my_nonce[AUTH_NONCE_BYTES];
	unsigned char	 hub_pk[AUTH_PK_BYTES];
	unsigned char	 channel[AUTH_CHANNEL_BYTES];	/* over TLS */
	unsigned char	*hsframe;
	size_t		 hslen;
	struct cmd	*outh, *outt;
	struct sub	*subs;
	int64_t		*inflight;
	size_t		 ninflight, cinflight;
	int64_t		 last_seq;
	int64_t		 seen[SEEN_SLOTS];
	int64_t		 next_internal;
	int64_t		 presence_resub;
	struct buf	 rx;
	int		 attempt;
	int		 fatal;
	char		 fatal_why[2048];
	int		 connected_once;
	lws_sorted_usec_list_t retry_sul;
};

int
client_config_path(const char *name, char *out, size_t outlen)
{
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0') {
		*out = '\0';
		return -1;
	}
	snprintf(out, outlen, "%s/.config/ward/%s", home, name);
	return 0;
}

static int
parse_url(struct client *c, const char *url, char *err, size_t errlen)
{
	struct url u;

	if (url_parse(url, &u, NULL, 0) == -1 || (strcmp(u.scheme, "ws") !=
	    0 && strcmp(u.scheme, "wss") != 0))
		return errf(err, errlen, "hub URL '%s': expected "
		    "ws://HOST:PORT or wss://HOST:PORT", url);
	c->tls = strcmp(u.scheme, "wss") == 0;
	snprintf(c->host, sizeof c->host, "%s", u.host);
	c->port = u.port != 0 ? u.port : DEFAULT_PORT;
	snprintf(c->path, sizeof c->path, "%s", *u.path == '\0' ||
	    strcmp(u.path, "/") == 0 ? "/ws" : u.path);
	snprintf(c->hostport, sizeof c->hostport, strchr(c->host, ':') ?
	    "[%s]:%d" : "%s:%d", c->host, c->port);
	return 0;
}

static void
cev_free(struct cev *e)
{
	wire_msg_release(&e->m);
	free(e->why);
	free(e->ids);
	free(e);
}

static void
cmd_free(struct cmd *k)
{
	if (k == NULL)
		return;
	free(k->query);
	free(k->frame);
	free(k);
}

/* lws thread: hand an event to the application. */
static void
post(struct client *c, struct cev *e)
{
	int	 was_empty;

	pthread_mutex_lock(&c->mtx);
	was_empty = c->evh == NULL;
	e->next = NULL;
	if (c->evt != NULL)
		c->evt->next = e;
	else
		c->evh = e;
	c->evt = e;
	if (was_empty)
		(void)!write(c->pfd[1], "x", 1);
	pthread_mutex_unlock(&c->mtx);
}

static void
post_state(struct client *c, enum client_state st, const char *why,
    enum role role)
{
	struct cev *e;

	if ((e = calloc(1, sizeof *e)) == NULL)
		return;
	e->kind = E_STATE;
	e->state = st;
	e->role = role;
	snprintf(e->user, sizeof e->user, "%s", c->user);
	e->why = strdup(why != NULL ? why : "");
	post(c, e);
}

/* Post msg (taken) as a message to the application. */
static void
post_json(struct client *c, json_t *msg)
{
	struct cev *e;

	if (msg == NULL || (e = calloc(1, sizeof *e)) == NULL) {
		json_decref(msg);
		return;
	}
	e->kind = E_MSG;
	e->m.type = WIRE_NONE;
	e->m.id = e->m.seq = -1;
	e->m.root = msg;
	e->m.name = json_string_value(json_object_get(msg, "type"));
	if (strcmp(e->m.name, "resync") == 0) {
		e->m.type = WIRE_RESYNC;
		e->m.seq = json_integer_value(json_object_get(msg,
		    "last_seq"));
	} else if (strcmp(e->m.name, "presence") == 0)
		e->m.type = WIRE_PRESENCE;
	e->m.name = NULL;
	e->last_seq = c->last_seq;
	post(c, e);
}

static void
notice(struct client *c, const char *text)
{
	post_json(c, json_pack("{s:s, s:s}", "type", "notice", "message",
	    text));
}

static int
seen_check(struct client *c, int64_t seq)
{
	int64_t	*slot = &c->seen[seq % SEEN_SLOTS];

	if (*slot == seq || seq <= c->last_seq - SEEN_SLOTS)
		return 1;
	*slot = seq;
	return 0;
}

static void	 dial(struct client *);

static void
retry_cb(lws_sorted_usec_list_t *sul)
{
	struct client *c = lws_container_of(sul, struct client, retry_sul);

	dial(c);
}

/* lws thread: the connection is gone (or never came). */
static void
lost(struct client *c, const char *why)
{
	struct cev *e;
	char	 msg[2200];
	unsigned ms;

	if (!c->alive)
		return;
	c->alive = 0;
	c->wsi = NULL;
	c->hs = H_NONE;
	buf_release(&c->rx);
	free(c->hsframe);
	c->hsframe = NULL;
	if (c->ninflight > 0 && (e = calloc(1, sizeof *e)) != NULL) {
		e->kind = E_LOST;
		e->ids = c->inflight;
		e->nids = c->ninflight;
		c->inflight = NULL;
		c->ninflight = c->cinflight = 0;
		post(c, e);
	}
	if (*c->fatal_why)
		why = c->fatal_why;
	if (c->fatal || !c->reconnect || atomic_load(&c->stop)) {
		post_state(c, CLIENT_FAILED, why, ROLE_NONE);
		return;
	}
	ms = BACKOFF_MIN_MS << (c->attempt < 6 ? c->attempt : 6);
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	ms = ms - ms / 5 + randombytes_uniform(ms / 5 * 2 + 1);
	c->attempt++;
	snprintf(msg, sizeof msg, "%s; retrying in %.1f s", why, ms / 1000.0);
	post_state(c, CLIENT_RECONNECTING, msg, ROLE_NONE);
	*c->fatal_why = '\0';
	lws_sul_schedule(c->ctx, 0, &c->retry_sul, retry_cb,
	    (lws_usec_t)ms * 1000);
}

/* Is the hub pinned in known_hubs (with any key)? */
static int
hub_pinned(struct client *c)
{
	unsigned char zero[AUTH_PK_BYTES] = { 0 };
	char	 err[512];

	return auth_known_hubs_check(c->known_hubs, c->hostport, zero, err,
	    sizeof err) == AUTH_HUB_CHANGED;
}

static void
dial(struct client *c)
{
	struct lws_client_connect_info i;

	if (atomic_load(&c->stop))
		return;
	memset(&i, 0, sizeof i);
	i.context = c->ctx;
	i.address = c->host;
	i.port = c->port;
	i.path = c->path;
	i.host = c->host;
	i.origin = c->host;
	i.protocol = WARD_PROTOCOL;
	i.local_protocol_name = c->protocols[0].name;
	i.pwsi = &c->wsi;
	if (c->tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		/* The hub's Ed25519 key is the identity; a self-signed
		   certificate is fine once that key is pinned. */
		if (hub_pinned(c))
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	}
	c->alive = 1;
	c->hs = H_HELLO;
	post_state(c, CLIENT_CONNECTING, c->hostport, ROLE_NONE);
	if (lws_client_connect_via_info(&i) == NULL)
		lost(c, "cannot connect");
}

static void
fatal(struct client *c, const char *fmt, const char *a)
{
	c->fatal = 1;
	snprintf(c->fatal_why, sizeof c->fatal_why, fmt, a);
}

static void
want_write(struct client *c)
{
	if (c->wsi != NULL)
		lws_callback_on_writable(c->wsi);
}

/* Queue a subscribe of our own (renewing s) at the head of the queue. */
static void
resubscribe(struct client *c, struct sub *s, int64_t since)
{
	struct cmd *k;
	json_t	*req;
	char	*text;
	size_t	 len;

	if ((req = wire_subscribe(++c->next_internal, s->topic, s->query,
	    since)) == NULL || (text = wire_encode(req, &len)) == NULL) {
		json_decref(req);
		return;
	}
	json_decref(req);
	if ((k = calloc(1, sizeof *k)) == NULL ||
	    (k->frame = malloc(LWS_PRE + len)) == NULL) {
		free(k);
		free(text);
		return;
	}
	memcpy(k->frame + LWS_PRE, text, len);
	free(text);
	k->len = len;
	k->id = c->next_internal;
	if (strcmp(s->topic, "presence") == 0)
		c->presence_resub = k->id;
	k->next = c->outh;
	c->outh = k;
	if (c->outt == NULL)
		c->outt = k;
}

/* The channel binding (auth.h) of this TLS connection: the SHA-256 of the
   certificate the hub, or whoever answered, presented.  0 or -1. */
static int
tls_channel(struct client *c)
{
	unsigned char *der = NULL;
	X509	*x;
	SSL	*ssl;
	int	 len;

	if (c->wsi == NULL || (ssl = lws_get_ssl(c->wsi)) == NULL ||
	    (x = SSL_get1_peer_certificate(ssl)) == NULL)
		return -1;
	len = i2d_X509(x, &der);
	X509_free(x);
	if (len <= 0)
		return -1;
	auth_channel(der, (size_t)len, c->channel);
	OPENSSL_free(der);
	return 0;
}

static int
on_hello(struct client *c, const struct wire_msg *m)
{
	unsigned char sig[AUTH_SIG_BYTES];
	char	 err[1024], b64[64], text[4600];
	json_t	*auth;
	char	*s;

	if (m->type == WIRE_REPLY_ERROR) {
		fatal(c, "hub refused the connection: %s",
		    json_string_value(json_object_get(m->root, "message")));
		return -1;
	}
	if (m->type != WIRE_HELLO ||
	    wire_b64_decode(json_string_value(json_object_get(m->root,
	    "hub_key")), c->hub_pk, sizeof c->hub_pk) != 0 ||
	    wire_b64_decode(json_string_value(json_object_get(m->root,
	    "nonce")), c->hub_nonce, sizeof c->hub_nonce) != 0) {
		fatal(c, "%s", "the hub did not start the handshake");
		return -1;
	}
	switch (auth_known_hubs_check(c->known_hubs, c->hostport, c->hub_pk,
	    err, sizeof err)) {
	case AUTH_HUB_MATCH:
		break;
	case AUTH_HUB_UNKNOWN:
		if (auth_known_hubs_add(c->known_hubs, c->hostport, c->hub_pk,
		    err, sizeof err) == -1) {
			fatal(c, "cannot pin the hub key: %s", err);
			return -1;
		}
		auth_pubkey_b64(c->hub_pk, b64, sizeof b64);
		snprintf(text, sizeof text, "pinned the key of hub %s "
		    "(ward-ed25519 %s) in %s", c->hostport, b64,
		    c->known_hubs);
		notice(c, text);
		break;
	default:
		fatal(c, "%s", err);
		return -1;
	}
	if (c->tls && tls_channel(c) == -1) {
		fatal(c, "%s", "cannot read the hub's TLS certificate");
		return -1;
	}
	auth_nonce(c->my_nonce);
	if (auth_console_sign(c->key.sk, c->hub_nonce, c->my_nonce, c->hub_pk,
	    c->user, c->tls ? c->channel : NULL, sig) == -1 ||
	    (auth = wire_auth(c->user, c->my_nonce, sig)) == NULL) {
		fatal(c, "cannot sign in as '%s'", c->user);
		return -1;
	}
	s = wire_encode(auth, &c->hslen);
	json_decref(auth);
	if (s == NULL || (c->hsframe = malloc(LWS_PRE + c->hslen)) == NULL) {
		free(s);
		fatal(c, "%s", "out of memory");
		return -1;
	}
	memcpy(c->hsframe + LWS_PRE, s, c->hslen);
	free(s);
	c->hs = H_WELCOME;
	want_write(c);
	return 0;
}

static int
on_welcome(struct client *c, const struct wire_msg *m)
{
	unsigned char sig[AUTH_SIG_BYTES];
	const char *msg;
	struct sub *s;
	enum role role;
	int	 code;

	if (m->type == WIRE_REPLY_ERROR) {
		msg = json_string_value(json_object_get(m->root, "message"));
		code = wire_err_parse(json_string_value(json_object_get(
		    m->root, "code")));
		if (code != WIRE_EBUSY && code != WIRE_EINTERNAL)
			fatal(c, "hub refused: %s", msg);
		else {
			/* Worth another try later. */
			snprintf(c->fatal_why, sizeof c->fatal_why,
			    "hub refused: %s", msg);
			if (!c->reconnect)
				c->fatal = 1;
		}
		return -1;
	}
	if (m->type != WIRE_WELCOME || strcmp(json_string_value(
	    json_object_get(m->root, "user")), c->user) != 0 ||
	    wire_b64_decode(json_string_value(json_object_get(m->root,
	    "signature")), sig, sizeof sig) != 0 ||
	    auth_hub_verify(c->hub_pk, c->hub_nonce, c->my_nonce, c->user,
	    c->tls ? c->channel : NULL, sig) != 0) {
		fatal(c, "%s", c->tls ? "the hub did not prove that it holds "
		    "its key on this TLS connection (a TLS proxy between "
		    "you and the hub?); not talking to it" : "the hub did not "
		    "prove that it holds its key; not talking to it");
		return -1;
	}
	role = role_parse(json_string_value(json_object_get(m->root,
	    "role")));
	c->hs = H_READY;
	c->attempt = 0;
	lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
	if (c->connected_once) {
		if (m->seq < c->last_seq) {
			post_json(c, json_pack("{s:s, s:s, s:I}", "type",
			    "resync", "reason", "the hub's op log is behind "
			    "this console's (restored from a backup?)",
			    "last_seq", (json_int_t)m->seq));
			c->last_seq = m->seq;
			memset(c->seen, 0, sizeof c->seen);
		}
		for (s = c->subs; s != NULL; s = s->next)
			if (s->sent)
				resubscribe(c, s, strncmp(s->topic,
				    "incident", 8) == 0 ? c->last_seq : -1);
	} else
		c->last_seq = m->seq;
	c->connected_once = 1;
	post_state(c, CLIENT_READY, "", role);
	if (c->outh != NULL)
		want_write(c);
	return 0;
}

static void
inflight_del(struct client *c, int64_t id)
{
	size_t	 i;

	for (i = 0; i < c->ninflight; i++)
		if (c->inflight[i] == id) {
			c->inflight[i] = c->inflight[--c->ninflight];
			return;
		}
}

static void
inflight_add(struct client *c, int64_t id)
{
	int64_t	*n;

	if (c->ninflight == c->cinflight) {
		if ((n = reallocarray(c->inflight, c->cinflight * 2 + 16,
		    sizeof *n)) == NULL)
			return;
		c->inflight = n;
		c->cinflight = c->cinflight * 2 + 16;
	}
	c->inflight[c->ninflight++] = id;
}

/* One whole message from the hub.  Returns -1 to close. */
static int
on_frame(struct client *c)
{
	struct wire_msg m;
	struct cev *e;
	char	 err[512], text[700];
	int	 rc = 0;

	if (wire_decode(c->rx.data ? c->rx.data : "", c->rx.len,
	    WIRE_FROM_HUB, &m, err, sizeof err) != 0) {
		buf_reset(&c->rx);
		if (c->hs != H_READY) {
			fatal(c, "the hub sent a bad message: %s", err);
			return -1;
		}
		snprintf(text, sizeof text, "ignored a bad message from the "
		    "hub: %s", err);
		notice(c, text);
		return 0;
	}
	buf_reset(&c->rx);
	switch (c->hs) {
	case H_HELLO:
		rc = on_hello(c, &m);
		break;
	case H_WELCOME:
		rc = on_welcome(c, &m);
		break;
	case H_READY:
		if (m.type == WIRE_REPLY_ERROR && m.id < 0) {
			/* No request's: the hub says why it closes the
			   session.  Revoked access is final; anything else
			   is worth another try. */
			snprintf(text, sizeof text, "%s", json_string_value(
			    json_object_get(m.root, "message")));
			if (wire_err_parse(json_string_value(json_object_get(
			    m.root, "code"))) == WIRE_EUNAUTH)
				fatal(c, "%s", text);
			else
				snprintf(c->fatal_why, sizeof c->fatal_why,
				    "hub closed the session: %s", text);
			break;
		}
		if ((m.type == WIRE_REPLY_OK || m.type == WIRE_REPLY_ERROR) &&
		    m.id >= INTERNAL_ID) {
			if (m.type == WIRE_REPLY_ERROR) {
				snprintf(text, sizeof text, "could not renew "
				    "a subscription: %s", json_string_value(
				    json_object_get(m.root, "message")));
				notice(c, text);
			} else if (m.id == c->presence_resub)
				post_json(c, wire_presence(json_incref(
				    json_object_get(m.root, "result"))));
			break;
		}
		if (m.type == WIRE_REPLY_OK || m.type == WIRE_REPLY_ERROR)
			inflight_del(c, m.id);
		if (m.type == WIRE_OP_PUSH) {
			if (seen_check(c, m.seq))
				break;
			if (m.seq > c->last_seq)
				c->last_seq = m.seq;
		}
		if (m.type == WIRE_RESYNC) {
			c->last_seq = m.seq;
			memset(c->seen, 0, sizeof c->seen);
		}
		if ((e = calloc(1, sizeof *e)) == NULL)
			break;
		e->kind = E_MSG;
		e->m = m;
		e->last_seq = c->last_seq;
		memset(&m, 0, sizeof m);
		post(c, e);
		break;
	default:
		break;
	}
	wire_msg_release(&m);
	return rc;
}

static void
take_cmds(struct client *c)
{
	struct cmd *k, *next;
	struct sub *s, **pp;

	pthread_mutex_lock(&c->mtx);
	k = c->cmdh;
	c->cmdh = c->cmdt = NULL;
	pthread_mutex_unlock(&c->mtx);
	for (; k != NULL; k = next) {
		next = k->next;
		k->next = NULL;
		if (k->sub == 1 && (s = calloc(1, sizeof *s)) != NULL) {
			snprintf(s->topic, sizeof s->topic, "%s", k->topic);
			s->query = k->query ? strdup(k->query) : NULL;
			s->next = c->subs;
			c->subs = s;
		} else if (k->sub == -1) {
			for (pp = &c->subs; (s = *pp) != NULL; ) {
				if (strcmp(s->topic, k->topic) == 0) {
					*pp = s->next;
					free(s->query);
					free(s);
				} else
					pp = &s->next;
			}
		}
		if (c->outt != NULL)
			c->outt->next = k;
		else
			c->outh = k;
		c->outt = k;
	}
	if (c->hs == H_READY && c->outh != NULL)
		want_write(c);
}

static int
on_writeable(struct client *c, struct lws *wsi)
{
	struct cmd *k;
	struct sub *s;

	if (c->hs == H_WELCOME && c->hsframe != NULL) {
		if (lws_write(wsi, c->hsframe + LWS_PRE, c->hslen,
		    LWS_WRITE_TEXT) < (int)c->hslen)
			return -1;
		free(c->hsframe);
		c->hsframe = NULL;
		return 0;
	}
	if (c->hs != H_READY || (k = c->outh) == NULL)
		return 0;
	if (lws_write(wsi, k->frame + LWS_PRE, k->len, LWS_WRITE_TEXT) <
	    (int)k->len)
		return -1;
	if ((c->outh = k->next) == NULL)
		c->outt = NULL;
	if (k->id < INTERNAL_ID)
		inflight_add(c, k->id);
	if (k->sub == 1)
		for (s = c->subs; s != NULL; s = s->next)
			if (strcmp(s->topic, k->topic) == 0)
				s->sent = 1;
	cmd_free(k);
	if (c->outh != NULL)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct client *c = lws_context_user(lws_get_context(wsi));
	char	 why[600];

	if (c == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof why, "cannot connect to %s%s%.*s",
		    c->hostport, in ? ": " : "", in ? (int)strcspn(in, "\n") :
		    0, in ? (const char *)in : "");
		lost(c, why);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, HANDSHAKE_SECS);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (c->rx.len + len > WIRE_MAX_FRAME + 4096 ||
		    buf_append(&c->rx, in, len) == -1) {
			fatal(c, "%s", "the hub sent a message too large");
			return -1;
		}
		if (!lws_is_final_fragment(wsi) ||
		    lws_remaining_packet_payload(wsi))
			return 0;
		return on_frame(c);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_CLIENT_CLOSED:
		lost(c, "the connection to the hub was lost");
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		take_cmds(c);
		return 0;
	default:
		break;
	}
	return 0;
}

static void *
loop(void *arg)
{
	struct client *c = arg;

	dial(c);
	while (!atomic_load(&c->stop))
		if (lws_service(c->ctx, 0) < 0)
			break;
	return NULL;
}

struct client *
client_new(const struct client_opts *o, client_state_fn state,
    client_push_fn push, void *arg, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct client *c;
	int	 i;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	c->pfd[0] = c->pfd[1] = -1;
	pthread_mutex_init(&c->mtx, NULL);
	c->state_fn = state;
	c->push_fn = push;
	c->arg = arg;
	c->reconnect = o->reconnect;
	c->next_internal = INTERNAL_ID;
	c->app_state = CLIENT_CONNECTING;
	if (parse_url(c, o->url, err, errlen) == -1)
		goto fail;
	if (o->user == NULL || !wire_valid_name(o->user)) {
		errf(err, errlen, "user name '%s': use 1-%d of A-Z a-z "
		    "0-9 . _ -, starting with a letter or digit",
		    o->user ? o->user : "", WIRE_MAX_NAME);
		goto fail;
	}
	snprintf(c->user, sizeof c->user, "%s", o->user);
	if (auth_init() == -1) {
		errf(err, errlen, "libsodium failed to start");
		goto fail;
	}
	if (auth_key_read(o->key_path, &c->key, err, errlen) == -1)
		goto fail;
	if (o->known_hubs != NULL)
		snprintf(c->known_hubs, sizeof c->known_hubs, "%s",
		    o->known_hubs);
	else if (client_config_path("known_hubs", c->known_hubs,
	    sizeof c->known_hubs) == -1) {
		errf(err, errlen, "HOME is not set: cannot find "
		    "known_hubs");
		goto fail;
	}
	if (o->tls_ca != NULL)
		snprintf(c->tls_ca, sizeof c->tls_ca, "%s", o->tls_ca);
	if (pipe2(c->pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		errf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	c->protocols[0] = (struct lws_protocols){ "ward-client", client_cb,
	    0, 0, 0, NULL, 0 };
	lws_set_log_level(0, NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = c->protocols;
	info.user = c;
	if (c->tls) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		if (*c->tls_ca)
			info.client_ssl_ca_filepath = c->tls_ca;
	}
	if ((c->ctx = lws_create_context(&info)) == NULL) {
		errf(err, errlen, "cannot start the connection library");
		goto fail;
	}
	if ((i = pthread_create(&c->thread, NULL, loop, c)) != 0) {
		errf(err, errlen, "cannot start a thread: %s",
		    strerror(i));
		goto fail;
	}
	c->started = 1;
	return c;
fail:
	client_free(c);
	return NULL;
}

void
client_free(struct client *c)
{
	struct cev *e, *en;
	struct cmd *k, *kn;
	struct sub *s, *sn;

	if (c == NULL)
		return;
	if (c->started) {
		atomic_store(&c->stop, 1);
		lws_cancel_service(c->ctx);
		pthread_join(c->thread, NULL);
	}
	if (c->ctx != NULL)
		lws_context_destroy(c->ctx);
	for (e = c->evh; e != NULL; e = en) {
		en = e->next;
		cev_free(e);
	}
	for (k = c->cmdh; k != NULL; k = kn) {
		kn = k->next;
		cmd_free(k);
	}
	for (k = c->outh; k != NULL; k = kn) {
		kn = k->next;
		cmd_free(k);
	}
	for (s = c->subs; s != NULL; s = sn) {
		sn = s->next;
		free(s->query);
		free(s);
	}
	if (c->pfd[0] != -1)
		close(c->pfd[0]);
	if (c->pfd[1] != -1)
		close(c->pfd[1]);
	free(c->hsframe);
	free(c->inflight);
	free(c->pend);
	buf_release(&c->rx);
	auth_key_wipe(&c->key);
	pthread_mutex_destroy(&c->mtx);
	free(c);
}

int
client_fd(const struct client *c)
{
	return c->pfd[0];
}

/* Remove the pending request id; 1 and its callback when found. */
static int
pend_take(struct client *c, int64_t id, struct pending *out)
{
	size_t	 i;

	for (i = 0; i < c->npend; i++)
		if (c->pend[i].id == id) {
			*out = c->pend[i];
			memmove(&c->pend[i], &c->pend[i + 1],
			    (c->npend - i - 1) * sizeof *c->pend);
			c->npend--;
			return 1;
		}
	return 0;
}

int
client_dispatch(struct client *c)
{
	struct cev *e, *next;
	struct pending p;
	char	 drain[64];
	size_t	 i;
	int	 n = 0;

	pthread_mutex_lock(&c->mtx);
	e = c->evh;
	c->evh = c->evt = NULL;
	while (read(c->pfd[0], drain, sizeof drain) > 0)
		;
	pthread_mutex_unlock(&c->mtx);
	for (; e != NULL; e = next) {
		next = e->next;
		switch (e->kind) {
		case E_STATE:
			c->app_state = e->state;
			if (e->state == CLIENT_READY) {
				c->app_role = e->role;
				snprintf(c->app_user, sizeof c->app_user, "%s",
				    e->user);
			}
			if (c->state_fn != NULL)
				c->state_fn(c, e->state, e->why, c->arg);
			n++;
			if (e->state != CLIENT_FAILED)
				break;
			/* Nothing more will come: fail what waits. */
			while (c->npend > 0) {
				p = c->pend[0];
				pend_take(c, p.id, &p);
				if (p.fn != NULL)
					p.fn(c, NULL, e->why, p.arg);
				n++;
			}
			break;
		case E_LOST:
			for (i = 0; i < e->nids; i++)
				if (pend_take(c, e->ids[i], &p) &&
				    p.fn != NULL) {
					p.fn(c, NULL, "the connection was lost "
					    "before the reply; the request may "
					    "or may not have been applied",
					    p.arg);
					n++;
				}
			break;
		case E_MSG:
			c->app_last_seq = e->last_seq;
			if (e->m.type == WIRE_REPLY_OK ||
			    e->m.type == WIRE_REPLY_ERROR) {
				if (pend_take(c, e->m.id, &p) && p.fn != NULL)
					p.fn(c, &e->m, NULL, p.arg);
			} else if (c->push_fn != NULL)
				c->push_fn(c, &e->m, c->arg);
			n++;
			break;
		}
		cev_free(e);
	}
	return n;
}

int
client_wait(struct client *c, int timeout_ms)
{
	struct pollfd pfd;

	pfd.fd = c->pfd[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	return client_dispatch(c);
}

int64_t
client_request(struct client *c, json_t *req, client_reply_fn fn, void *arg)
{
	struct pending *np;
	struct cmd *k = NULL;
	const char *type, *topic, *q;
	char	*text = NULL;
	int64_t	 id;
	size_t	 len;

	if (!json_is_object(req) || c->app_state == CLIENT_FAILED)
		goto fail;
	id = ++c->next_id;
	if (json_object_set_new(req, "id", json_integer(id)) != 0 ||
	    (text = wire_encode(req, &len)) == NULL ||
	    (k = calloc(1, sizeof *k)) == NULL ||
	    (k->frame = malloc(LWS_PRE + len)) == NULL)
		goto fail;
	memcpy(k->frame + LWS_PRE, text, len);
	k->len = len;
	k->id = id;
	type = json_string_value(json_object_get(req, "type"));
	topic = json_string_value(json_object_get(req, "topic"));
	if (type != NULL && topic != NULL) {
		if (strcmp(type, "subscribe") == 0)
			k->sub = 1;
		else if (strcmp(type, "unsubscribe") == 0)
			k->sub = -1;
		snprintf(k->topic, sizeof k->topic, "%s", topic);
		if ((q = json_string_value(json_object_get(req, "query"))) !=
		    NULL && (k->query = strdup(q)) == NULL)
			goto fail;
	}
	if (c->npend == c->cpend) {
		if ((np = reallocarray(c->pend, c->cpend * 2 + 16,
		    sizeof *np)) == NULL)
			goto fail;
		c->pend = np;
		c->cpend = c->cpend * 2 + 16;
	}
	c->pend[c->npend++] = (struct pending){ id, fn, arg };
	free(text);
	json_decref(req);
	pthread_mutex_lock(&c->mtx);
	if (c->cmdt != NULL)
		c->cmdt->next = k;
	else
		c->cmdh = k;
	c->cmdt = k;
	pthread_mutex_unlock(&c->mtx);
	lws_cancel_service(c->ctx);
	return id;
fail:
	cmd_free(k);
	free(text);
	json_decref(req);
	return -1;
}

int64_t
client_op(struct client *c, const char *op, const json_t *args,
    client_reply_fn fn, void *arg)
{
	json_t	*req = wire_op(0, op, args);

	if (req != NULL)
		json_object_del(req, "id");
	return client_request(c, req, fn, arg);
}

int64_t
client_query(struct client *c, const char *query, const json_t *args,
    client_reply_fn fn, void *arg)
{
	json_t	*req = wire_query(0, query, args);

	if (req != NULL)
		json_object_del(req, "id");
	return client_request(c, req, fn, arg);
}

int64_t
client_subscribe(struct client *c, const char *topic, const char *query,
    client_reply_fn fn, void *arg)
{
	json_t	*req = wire_subscribe(0, topic, query, -1);

	if (req != NULL)
		json_object_del(req, "id");
	return client_request(c, req, fn, arg);
}

int64_t
client_unsubscribe(struct client *c, const char *topic, client_reply_fn fn,
    void *arg)
{
	json_t	*req = wire_unsubscribe(0, topic);

	if (req != NULL)
		json_object_del(req, "id");
	return client_request(c, req, fn, arg);
}

enum client_state
client_state(const struct client *c)
{
	return c->app_state;
}

const char *
client_user(const struct client *c)
{
	return c->user;
}

enum role
client_role(const struct client *c)
{
	return c->app_role;
}

int64_t
client_last_seq(const struct client *c)
{
	return c->app_last_seq;
}

const char *
client_hub(const struct client *c)
{
	return c->hostport;
}
