/* hub — the one context struct of wardd, shared by its modules.  Created
 * by main; modules hold pointers into it, never copies.  A module that
 * has work for the net thread's loop wakes it through hub_wake(), a hook
 * the net sets as it starts, rather than by naming the net: the net calls
 * the modules it serves, never the other way round. */
#ifndef WARD_HUB_H
#define WARD_HUB_H

#include <sqlite3.h>

#include "metrics.h"

struct net;
struct store;
struct commit;
struct pipeline;
struct tokens;
struct sessions;
struct alerter;
struct diskguard;

struct hub {
	const char	*datadir;
	char		 hostname[256];
	struct metrics	 m;
	struct net	*net;		/* the lws loop (net thread) */
	void		(*wake)(void *);	/* wake that loop: any thread, */
	void		*wake_arg;		/* even a signal handler */
	struct commit	*commit;	/* a committed job's owner (commit.c) */
	struct store	*store;
	struct pipeline	*pipe;
	struct tokens	*tokens;
	struct sessions	*sessions;	/* WebSocket sessions (session.c) */
	struct alerter	*alerter;	/* rules and alerts (alerter.c) */
	struct diskguard *disk;		/* --min-free (net thread only) */
	char		 statedb[4096];	/* path of DATA/state.db */
};

/* Wake the net thread's loop, which then drains what modules queued for
   it (commit_drain, sessions_wake); nothing before the net has started.
   Any thread. */
static inline void
hub_wake(struct hub *h)
{
	if (h != NULL && h->wake != NULL)
		h->wake(h->wake_arg);
}

#endif
