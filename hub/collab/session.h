/* session — the ward.v3 WebSocket sessions of consoles on /ws: handshake,
 * requests, subscriptions, presence and fan-out.  The net thread calls
 * these; session.c runs its SQLite work on its own thread and wakes the
 * net thread with lws_cancel_service() when it has answers. */
#ifndef WARD_SESSION_H
#define WARD_SESSION_H

#include <stddef.h>

#include <libwebsockets.h>

#include "hub.h"
#include "job.h"

/* Start the session layer of h (threads, hub key, state db).  Called by
   main before the net loop runs.  Returns 0, or -1 with err. */
int	 sessions_start(struct hub *h, char *err, size_t errlen);
/* Stop its threads and free it; accepts h->sessions == NULL. */
void	 sessions_stop(struct hub *h);
/* The lws protocol callback of WARD_PROTOCOL, and its per-session size. */
int	 session_cb(struct lws *, enum lws_callback_reasons, void *user,
	    void *in, size_t len);
size_t	 session_pss_size(void);
/* Net thread, on every LWS_CALLBACK_EVENT_WAIT_CANCELLED: deliver what
   other threads queued for sessions. */
void	 sessions_wake(struct hub *h);
/* Net thread: the events of j are committed (j->ids set); offer them to
   the sessions that tail events.  j stays the caller's. */
void	 sessions_events(struct hub *h, const struct job *j);

/*
 * From any thread: push the alert json (one JSON object, as text; copied)
 * to every session subscribed to "alerts".  Returns 0, or -1 when json is
 * not an object or the session layer is not running.  Must not be called
 * once sessions_stop has begun.
 */
int	 sessions_broadcast_alert(struct hub *h, const char *json);

#endif
