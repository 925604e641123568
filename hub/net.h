/* net — the hub's network thread: one libwebsockets event loop serving
 * HTTP ingest, the Elasticsearch-compatible endpoints, search, health and
 * metrics, and the consoles' WebSocket (session.h).  Everything here is
 * short; work runs on other threads, which queue results with the module
 * that owns them (ingest jobs: commit.h) and wake the loop through the
 * hub's hook (hub_wake), which the net sets; none of them calls the net. */
#ifndef WARD_NET_H
#define WARD_NET_H

#include <signal.h>
#include <stddef.h>

#include "job.h"
#include "metrics.h"

struct hub;
struct net;

struct net_opts {
	const char	*host;		/* listen address, e.g. 127.0.0.1 */
	int		 port;
	size_t		 max_body;	/* 413 past this */
	const char	*tls_cert;	/* PEM files, both or neither */
	const char	*tls_key;
	const char	*datadir;
	int		 metrics_auth;	/* /metrics needs a reader token */
};

/*
 * Create the listening context serving HTTP and, on /ws, the WebSocket
 * protocol of session.c.  h (its tokens, metrics and commit owner, which
 * must exist) must outlive the net; the net sets h's wake hook and the
 * commit owner's answer hook.  Returns NULL with err on failure (e.g. the
 * port is taken).
 */
struct net	*net_new(const struct net_opts *, struct hub *h, char *err,
		    size_t errlen);
/* Serve until *stop or *other becomes non-zero: 0; -1 if the loop broke. */
int		 net_run(struct net *, volatile sig_atomic_t *stop,
		    volatile sig_atomic_t *other);
/* Wake the loop (safe from any thread and from a signal handler). */
void		 net_wake(struct net *);
/*
 * From any thread (an ingest source, source.h): hand j, filled like an
 * HTTP request's job and with j->src set, to the pipeline.  Returns 0
 * (the pipeline owns j until the source's done() on the net thread), or
 * -1 when the pipeline is full (the caller keeps j and tries later: this
 * is the hub's backpressure).
 */
int		 net_submit(struct net *, struct job *j);
/* Close every connection, clear h's wake hook and free; accepts NULL.
   Call after the pipeline and store have stopped, before commit_free. */
void		 net_free(struct net *);

#endif
