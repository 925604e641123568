/* session_private — what the two halves of the session layer share:
 * session.c (the net thread's half, and starting and stopping it) and
 * session_worker.c (the worker thread's half and the search tasks it
 * hands out).  Only those two include it; the rest of the hub sees
 * session.h.  Their threads meet only in the queues of struct sessions
 * ("in" and "out", each under its mutex) and in the items they carry. */
#ifndef WARD_SESSION_PRIVATE_H
#define WARD_SESSION_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libwebsockets.h>
#include <sqlite3.h>

#include "auth.h"
#include "buf.h"
#include "search.h"
#include "wire.h"

struct hub;
struct query;
struct searchpool;
struct throttle;

#define Q_MAX_MSGS	4096		/* pushes queued for one session (each
					   event of an "events" push counts) */
#define Q_MAX_BYTES	(16u << 20)	/* ... and their bytes */
#define MAX_INFLIGHT	64		/* requests at the worker, per session */
#define STUCK_SECS	30		/* queue without progress: close */
#define AUTH_SECS	20		/* to finish the handshake */
#define REPLAY_MAX	2000		/* ops replayed on resume, else resync */
#define EV_MAX_BACKLOG	64		/* event batches waiting for the worker */
#define EV_FRAME_BYTES	(256u << 10)	/* one "events" push, about */
#define EV_FRAME_MAX	1000		/* ... and its events, at most */
#define NBUCKET		1024		/* session hash buckets (both sides) */
#define PRESENCE_US	(100 * 1000)	/* presence pushes coalesced */
#define SWEEP_US	(1000 * 1000)
#define SQ_THREADS	3		/* search threads for the consoles */
#define SQ_PER_USER	2		/* one user's searches running at once */
#define SQ_WAITING	4		/* ... and waiting; more are refused */
#define SQ_SEARCH_MS	5000		/* a search's time limit */
#define SQ_COUNT_MS	1000		/* one observable's count */
#define SQ_COUNTS_MS	5000		/* all the counts of one incident.show */
#define SQ_NICE		10		/* the search threads yield the cores to
					   ops, handshakes and ingest */

/* Subscription topics of a session. */
#define T_INCIDENTS	0x01
#define T_ALERTS	0x02
#define T_PRESENCE	0x04
#define T_EVENTS	0x08
#define T_INCIDENT	0x10		/* one incident: n */

/* One encoded message, shared by the sessions it is queued for.  refs is
   touched by the net thread only. */
struct omsg {
	int		 refs;
	size_t		 weight;	/* pushes it counts as: its events */
	size_t		 len;
	unsigned char	 buf[];		/* LWS_PRE + len */
};

enum ikind {
	/* net -> worker */
	I_OPEN,		/* sid, addr, nonce: a session said hello */
	I_FRAME,	/* sid, text/len: one message */
	I_CLOSED,	/* sid */
	I_EVENTS,	/* text/len: packed committed events */
	I_CHECK,	/* every second: users changed? refusals due? */
	/* search thread -> worker */
	I_COUNTED,	/* sid, sq: the counts of an incident.show */
	/* worker, alerting -> net */
	O_SEND,		/* sid, msg (reply: a request's answer) */
	O_AUTHED,	/* sid, user, role */
	O_SUB,		/* sid, topic, n; msg: the reply (NULL: presence) */
	O_UNSUB,	/* sid, topic, n; msg: the reply */
	O_OP,		/* n: incident, seq; msg: the push */
	O_ALERT,	/* msg */
	O_PRESENCE,	/* sid, n: id of a presence query to answer */
	O_CLOSE		/* sid: close once its queue is written */
};

struct item {
	struct item	*next;
	enum ikind	 kind;
	uint64_t	 sid;
	int64_t		 n, seq;
	int		 topic;
	int		 reply;		/* O_SEND: never dropped */
	int		 done;		/* ends one I_FRAME of sid */
	enum role	 role;
	struct omsg	*msg;
	struct squery	*sq;		/* I_COUNTED */
	char		*text;
	size_t		 len;
	char		 user[WIRE_MAX_NAME + 1];
	char		 addr[64];
	unsigned char	 nonce[AUTH_NONCE_BYTES];
	unsigned char	 channel[AUTH_CHANNEL_BYTES];	/* I_OPEN over TLS */
	int		 tls;
};

struct iq {
	struct item	*head, *tail;
	size_t		 n;
};

/* Net thread: one node of a session's outgoing queue. */
struct qnode {
	struct qnode	*next;
	struct omsg	*msg;
	int		 reply;
	int		 resync;	/* the resync of an overflow */
};

enum sstate { S_HELLO, S_READY, S_CLOSING };

/* Net thread: the per-session state (lws pss). */
struct sess {
	struct sess	*hnext, *next, *prev;
	struct lws	*wsi;
	uint64_t	 sid;
	enum sstate	 state;
	int		 listed;
	char		 user[WIRE_MAX_NAME + 1];
	enum role	 role;
	unsigned	 topics;
	int64_t		*view;		/* incidents subscribed one by one */
	size_t		 nview;
	struct qnode	*qh, *qt;
	size_t		 qn, qbytes;	/* pushes queued */
	size_t		 qall;		/* every node */
	int64_t		 progress_ns;
	int		 inflight, throttled;
	int		 resyncing;	/* pushes dropped until the resync is out */
	struct buf	 rx;
};

/* Worker: what it knows of a session. */
struct wsess {
	struct wsess	*hnext;
	uint64_t	 sid;
	int		 authed;
	int		 revoked;	/* closing: its frames are ignored */
	char		 user[WIRE_MAX_NAME + 1];
	enum role	 role;
	unsigned char	 pk[AUTH_PK_BYTES];	/* the key it proved */
	char		 addr[64];
	unsigned char	 nonce[AUTH_NONCE_BYTES];
	unsigned char	 channel[AUTH_CHANNEL_BYTES];	/* the TLS binding */
	int		 tls;		/* channel is set */
};

/* Worker: a live event tail. */
struct tail {
	struct tail	*next;
	uint64_t	 sid;
	int64_t		 sub;		/* id of the subscribe request */
	struct query	*q;		/* NULL: every event */
	struct buf	 batch;		/* the "events" push being built */
	size_t		 nbatch;	/* ... and how many events it has */
};


struct sessions {
	struct hub	*h;
	struct auth_key	 key;		/* the hub's; sk for the worker only */

	/* Net thread. */
	struct lws_context *ctx;
	struct sess	*byid[NBUCKET];
	struct sess	*all;
	uint64_t	 next_sid;
	int64_t		 last_seq;	/* last op passed on */
	lws_sorted_usec_list_t sweep_sul, presence_sul;
	int		 timers, presence_due;

	/* The queues. */
	pthread_mutex_t	 in_mtx;
	pthread_cond_t	 in_cond;
	struct iq	 in, evin;
	int		 stopping;
	int		 batching;	/* worker: hold outputs until COMMIT */
	pthread_mutex_t	 out_mtx;
	struct iq	 out;
	atomic_int	 ntails, ev_backlog, ev_dropped;
	atomic_int	 check_queued;	/* an I_CHECK is on its way */

	/* Worker. */
	pthread_t	 thread;
	int		 started;
	sqlite3		*db;
	struct wsess	*wbyid[NBUCKET];
	struct tail	*tails;
	struct throttle	*throttle;	/* failed handshakes (throttle.h) */
	struct iq	 pending;	/* out items of the current step */
	sqlite3_stmt	*dv;		/* PRAGMA data_version */
	int64_t		 users_dv;	/* its value at the last users check */
	int		 users_dirty;	/* this worker changed users itself */

	/* Search threads: searches and counts (struct squery). */
	struct searchpool	*pool;
};

/* A search or the counts of an incident.show, queued by the worker, run
   on a search thread.  Whoever holds it frees it (squery_free). */
struct squery {
	struct sessions	*ss;
	uint64_t	 sid;
	int64_t		 id;		/* of the request */
	char		*q;		/* search: the query */
	struct search_opts o;
	json_t		*req;		/* counts, audit: the request */
	char		 user[WIRE_MAX_NAME + 1];	/* audit: who asks */
	enum role	 role;
	json_t		*obs;		/* counts: {"observable id": value} */
	json_t		*counts;	/* counts: {"observable id": events} */
};

/* The hash bucket of a session id (byid and wbyid). */
static inline size_t
bucket(uint64_t sid)
{
	return (size_t)((sid * 0x9E3779B97F4A7C15ULL) >> 54) % NBUCKET;
}

/* Free a search task and what it holds; accepts NULL. */
void		 squery_free(struct squery *);
/* Append it to q / move all of from to the end of q (from is emptied) /
   free every item of q. */
void		 iq_push(struct iq *q, struct item *it);
void		 iq_cat(struct iq *q, struct iq *from);
void		 iq_free(struct iq *q);
/* A new item of kind for session sid, or NULL; item_free frees it and
   what it holds (a message no session took), accepts NULL. */
struct item	*item_new(enum ikind kind, uint64_t sid);
void		 item_free(struct item *);
/* A shared buffer holding a copy of s[0..len) / the encoding of msg
   (taken), counting as one push; NULL when out of memory or msg does
   not encode.  omsg_drop lets one holder go (net thread). */
struct omsg	*omsg_raw(const char *s, size_t len);
struct omsg	*omsg_new(json_t *msg);
void		 omsg_drop(struct omsg *);
/* Any thread: hand it to the worker (events: to the queue of committed
   events, which the worker takes after the requests). */
void		 to_worker(struct sessions *, struct item *it, int events);

/* The worker thread (session_worker.c); arg is the struct sessions. */
void		*sessions_worker(void *arg);

#endif
