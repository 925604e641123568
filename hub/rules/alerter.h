/* alerter — runs the detection rules (hub/rules/sigma.h, hub/rules/correlate.h) over
 * every committed event on its own thread, keeps alerts in the state db
 * (deduplicated while open), broadcasts them to consoles and runs response
 * actions.  Fed by the commit owner (hub/commit.h) on the net thread after
 * each ingest job is acknowledged, so rules never delay an
 * acknowledgement. */
#ifndef WARD_ALERTER_H
#define WARD_ALERTER_H

#include <stddef.h>

#include "hub.h"
#include "job.h"

struct alerter;

struct alerter_opts {
	const char *const *rule_paths;	/* directories or files */
	size_t		 nrule_paths;
};

/*
 * Load the rules (a broken rule is logged with file:line and skipped) and
 * start the alerter thread, using h->statedb and h->sessions.  Returns
 * NULL with err when the thread or the state db cannot start.
 */
struct alerter	*alerter_new(struct hub *h, const struct alerter_opts *,
		    char *err, size_t errlen);
/* Net thread (commit.c): evaluate the committed events of j (j->ids set,
   status 0); the alerter takes j and frees it. */
void		 alerter_submit(struct alerter *, struct job *j);
/* Bytes held by the jobs handed to the alerter and not yet evaluated
   (job_bytes: their rows, text and documents).  Any thread.  The hub
   answers 429 while this is past its bound (commit.c), so rules that
   fall behind slow ingest down instead of queueing without bound. */
size_t		 alerter_backlog(struct alerter *);
/* Reload the rules from the same paths; safe from any thread (SIGHUP
   sets a flag, the alerter reloads between events).  No event is lost. */
void		 alerter_reload(struct alerter *);
/* Stop broadcasting to sessions (call before sessions_stop); accepts
   NULL. */
void		 alerter_quiet(struct alerter *);
/* Finish queued jobs, stop the thread, free; accepts NULL. */
void		 alerter_free(struct alerter *);

#endif
