/* listener — a socket the hub listens on for a message protocol other
 * than HTTP (syslog, GELF): `tcp://ADDR:PORT`, `udp://ADDR:PORT` or
 * `tls://ADDR:PORT`, with limits in the query (`?max-message=BYTES&
 * max-connections=N&idle=SECONDS`).  One thread a listener reads its
 * sockets with poll(), cuts streams into messages (syslogframe.h), turns
 * each message into an NDJSON line through its protocol, and hands a
 * batch at a time to the pipeline as an ingest source (source.h).
 *
 * Promise: a message read is stored, or counted as rejected (bad) or
 * failed (the store refused it), and logged, never lost silently.  When
 * the pipeline is full or this listener has LISTENER_INFLIGHT batches in
 * flight it stops reading: TCP senders are held back by their socket
 * buffers, UDP datagrams overflow the kernel's buffer and are counted as
 * dropped (the socket's drop counter, SO_MEMINFO).
 */
#ifndef WARD_LISTENER_H
#define WARD_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "source.h"

#define LISTENER_INFLIGHT	8	/* batches in the pipeline at once */
#define LISTENER_BATCH		4096	/* messages in one batch at most */

struct listener;
struct net;
struct metrics;

/* What a protocol does with the bytes (syslog, GELF). */
struct listener_proto {
	const char	*name;		/* "syslog" */
	int		 nul_framed;	/* TCP messages end at NUL, not LF */
	/*
	 * Append message msg[0..len) from peer (an address as text) to
	 * body as NDJSON lines (one or more).  Returns 0, or -1 with *why
	 * (static) when the message is bad: it is dropped, body unchanged.
	 * state is the listener's protocol state (proto_new), used only by
	 * the listener's thread.
	 */
	int		(*message)(void *state, struct buf *body,
			    const char *msg, size_t len, const char *peer,
			    const char **why);
	/*
	 * A UDP datagram p[0..n), if the protocol does more than take it
	 * as one message (GELF's chunks).  Returns 1 with a whole message
	 * in *msg and *len (p itself, or held by state until the next
	 * call), 0 when the datagram was kept (a chunk), -1 with *why when
	 * it is dropped.  Messages it gave up (chunks that never all
	 * came) are added to *lost.  NULL: every datagram is one message.
	 */
	int		(*datagram)(void *state, const char *p, size_t n,
			    int64_t now_ms, const char **msg, size_t *len,
			    const char **why, size_t *lost);
	void	       *(*state_new)(void);	/* NULL: no state */
	void		(*state_free)(void *);
};

extern const struct listener_proto listener_syslog;	/* input_syslog.c */
extern const struct listener_proto listener_gelf;	/* input_gelf.c */

/*
 * Open the socket of url for protocol p (flag is "--syslog" etc., for
 * messages).  tls_cert and tls_key (PEM files; may be NULL) serve tls://.
 * The socket is bound now, the thread starts in listener_start().
 * Returns the listener, or NULL with err ("--syslog tcp://...: reason").
 */
struct listener	*listener_new(const struct listener_proto *p,
		    const char *flag, const char *url, const char *tls_cert,
		    const char *tls_key, char *err, size_t errlen);
/* Put l's counters on m's /metrics.  0 or -1. */
int		 listener_register(struct listener *, struct metrics *m);
/* Start reading, handing batches to net.  0, or -1 (no thread). */
int		 listener_start(struct listener *, struct net *net);
/* Hand the batch being built to the pipeline, stop reading, close the
   sockets and join the thread.  Before the pipeline stops. */
void		 listener_stop(struct listener *);
/* Free l; accepts NULL.  After the net is freed (its jobs name l). */
void		 listener_free(struct listener *);

#endif
