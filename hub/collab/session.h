/* session — the ward.v3 WebSocket sessions of consoles on /ws: handshake,
 * requests, subscriptions, presence and fan-out.  The net thread calls
 * these; session.c runs its SQLite work on its own thread and wakes the
 * net thread through the hub's hook (hub_wake) when it has answers. */
#ifndef WARD_SESSION_H
#define WARD_SESSION_H

#include <stddef.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "hub.h"
#include "job.h"

/* Start the session layer of h (threads, hub key, state db).  Called by
   main before the net loop runs.  Returns 0, or -1 with err. */
int	 sessions_start(struct hub *h, char *err, size_t errlen);
/* Stop its threads and free it; accepts h->sessions == NULL. */
void	 sessions_stop(struct hub *h);
/* The lws protocol WARD_PROTOCOL of h's sessions, for the net's
   context: its callback finds h in the protocol's user pointer. */
struct lws_protocols session_protocol(struct hub *h);
/* Net thread, on every LWS_CALLBACK_EVENT_WAIT_CANCELLED: deliver what
   other threads queued for sessions. */
void	 sessions_wake(struct hub *h);
/* Net thread: the events of j are committed (j->ids set); offer them to
   the sessions that tail events.  j stays the caller's. */
void	 sessions_events(struct hub *h, const struct job *j);

/*
 * From any thread: push alert (a JSON object, encoded here; not kept) to
 * every session subscribed to "alerts".  Returns 0, or -1 when alert is
 * not an object, memory ran out or the session layer is not running.
 * Must not be called once sessions_stop has begun.
 */
int	 sessions_broadcast_alert(struct hub *h, json_t *alert);

#endif
