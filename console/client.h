/*
 * client — the console's connection to a hub, shared by the TUI and the
 * scriptable subcommands: the ward.v3 handshake with hub key pinning
 * (~/.config/ward/known_hubs), requests matched with their replies by id,
 * pushes, and reconnection with backoff that resumes from the last op seq.
 *
 * Threads.  The client runs its libwebsockets loop on a thread of its own;
 * the application never sees that thread.  Every callback runs on the
 * application's thread, inside client_dispatch(), and nowhere else.  The
 * application learns that there is something to dispatch when client_fd()
 * becomes readable: a TUI puts that fd in its poll() next to the terminal
 * (or checks it between getch timeouts) and calls client_dispatch(); a
 * script calls client_wait().  All the functions below are for that one
 * application thread.
 *
 * Requests.  client_request() sends at once when the session is ready and
 * otherwise holds the request until it is (across reconnections).  Its
 * callback runs exactly once: with the hub's reply ("ok" or "error"), or
 * with m == NULL when the connection was lost after the request was sent
 * (the hub may or may not have applied it), or when the client gave up.
 *
 * Subscriptions.  client_subscribe() remembers the topic.  The first reply
 * (to the caller's callback) carries the hub's snapshot ("result") and
 * the seq it is consistent with; pushes follow.  After a reconnection the
 * client subscribes again by itself with since_seq = the last op seq it
 * delivered, so the hub replays what was missed, in order, without
 * duplicates.  When the hub cannot replay (too far behind, restored from a
 * backup, or this console was too slow) the application gets a "resync"
 * push: reload what it shows (queries, or subscribe again).
 */
#ifndef WARD_CLIENT_H
#define WARD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wire.h"

struct client;

enum client_state {
	CLIENT_CONNECTING = 1,	/* dialling, or in the handshake */
	CLIENT_READY,		/* authenticated; requests flow */
	CLIENT_RECONNECTING,	/* lost; the next attempt is scheduled */
	CLIENT_FAILED		/* gave up; see why.  Final. */
};

struct client_opts {
	const char	*url;		/* ws[s]://HOST[:PORT][/PATH]; port
					   9200 and path /ws by default */
	const char	*user;
	const char	*key_path;	/* the user's secret key file */
	const char	*known_hubs;	/* NULL: $HOME/.config/ward/known_hubs */
	const char	*tls_ca;	/* wss: PEM CA bundle to trust, or NULL */
	int		 reconnect;	/* retry with backoff after a loss */
};

/* Called on every state change.  why says what happened ("" if
   nothing to say); for CLIENT_FAILED it is the reason to show. */
typedef void	(*client_state_fn)(struct client *, enum client_state,
		    const char *why, void *arg);
/* Called for each push (op, events, alert, presence, resync) and for
   notices (type "notice": {"message"}, e.g. a hub key pinned on first
   use).  m is borrowed: valid during the call. */
typedef void	(*client_push_fn)(struct client *, const struct wire_msg *m,
		    void *arg);
/* A request's reply: m (borrowed) is the "ok" or "error" message, or NULL
   when there will be no reply; why then says why. */
typedef void	(*client_reply_fn)(struct client *, const struct wire_msg *m,
		    const char *why, void *arg);

/*
 * Read the user's key and start connecting (on the client's thread).
 * The strings in o are copied.  state and push may be NULL; arg is passed
 * to both.  Returns the client, or NULL with err (bad URL, unreadable key,
 * no memory).
 */
struct client	*client_new(const struct client_opts *o, client_state_fn state,
		    client_push_fn push, void *arg, char *err, size_t errlen);
/* Stop the thread, close and free.  No callback runs after (or during)
   this call; requests still pending are dropped.  Accepts NULL. */
void		 client_free(struct client *);

/* A file descriptor that is readable while client_dispatch has work. */
int		 client_fd(const struct client *);
/* Run the callbacks of everything that happened since the last call.
   Returns how many ran. */
int		 client_dispatch(struct client *);
/* Wait up to timeout_ms (-1: forever) for something to happen, then
   dispatch it.  Returns how many callbacks ran (0 on timeout). */
int		 client_wait(struct client *, int timeout_ms);

/*
 * Send the request req (a subscribe, unsubscribe, op or query message
 * without "id"; taken, even on failure).  The client sets its "id".
 * fn (may be NULL) runs once, as described above.  Returns the id, or -1
 * when req is not an object or the client has failed.
 */
int64_t		 client_request(struct client *, json_t *req,
		    client_reply_fn fn, void *arg);
/* Build and send an op / a query: args (borrowed; may be NULL) holds the
   fields besides "type", "id" and "op"/"query".  As client_request. */
int64_t		 client_op(struct client *, const char *op, const json_t *args,
		    client_reply_fn fn, void *arg);
int64_t		 client_query(struct client *, const char *query,
		    const json_t *args, client_reply_fn fn, void *arg);
/* Subscribe to topic ("incidents", "incident:INC-n", "alerts", "events",
   "presence"; query: the event filter for "events", else NULL) and keep
   the subscription across reconnections.  As client_request. */
int64_t		 client_subscribe(struct client *, const char *topic,
		    const char *query, client_reply_fn fn, void *arg);
/* Forget a subscription (every one of that topic) and tell the hub. */
int64_t		 client_unsubscribe(struct client *, const char *topic,
		    client_reply_fn fn, void *arg);

/* What the application knows as of the last dispatch. */
enum client_state client_state(const struct client *);
/* The user and role the hub welcomed (role ROLE_NONE before). */
const char	*client_user(const struct client *);
enum role	 client_role(const struct client *);
/* The last op seq delivered to the application. */
int64_t		 client_last_seq(const struct client *);
/* "HOST:PORT" of the hub, as pinned in known_hubs. */
const char	*client_hub(const struct client *);

/* Fill out with $HOME/.config/ward/NAME ("" and -1 when HOME is unset). */
int		 client_config_path(const char *name, char *out, size_t outlen);

#endif
