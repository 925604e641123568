/* hub — the one context struct of wardd, shared by its modules.  Created
 * by main; modules hold pointers into it, never copies. */
#ifndef WARD_HUB_H
#define WARD_HUB_H

#include <sqlite3.h>

#include "metrics.h"

struct net;
struct store;
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
	struct store	*store;
	struct pipeline	*pipe;
	struct tokens	*tokens;
	struct sessions	*sessions;	/* WebSocket sessions (session.c) */
	struct alerter	*alerter;	/* rules and alerts (alerter.c) */
	struct diskguard *disk;		/* --min-free (net thread only) */
	char		 statedb[4096];	/* path of DATA/state.db */
};

#endif
