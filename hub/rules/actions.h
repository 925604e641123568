/*
 * actions — response actions run when alerts are raised or escalated:
 * webhooks (the alert as JSON, POSTed over HTTP/1.1, with a timeout and
 * retries with backoff) and commands (the alert as JSON on standard
 * input, a timeout, the exit status and output recorded).
 *
 * Configured in DATA/actions.yml (see ward-rules(5) and
 * share/actions/actions.yml): each action says which alerts it is for
 * (rule ids or titles, a lowest severity, which changes: new, update,
 * escalated) and what to do.  No file: no actions.
 *
 * Actions run on worker threads of their own, from a queue: whoever
 * offers an alert never waits for a webhook or a command.  Every attempt
 * and its result goes on the alert's timeline (their own connection to
 * state.db) and failures into the log; an action that fails is retried
 * after a backoff that doubles, up to its retries, then reported as
 * given up.  Actions still queued at shutdown are reported as not run.
 */
#ifndef WARD_ACTIONS_H
#define WARD_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct actions;
struct action_set;

/*
 * Read DATA/actions.yml (datadir may be NULL: none) and start the
 * workers, which record on alert timelines in the state db at statedb.
 * Returns NULL with err when the file exists but is broken (the reason
 * names file:line) or threads cannot start.
 */
struct actions	*actions_new(const char *datadir, const char *statedb,
		    char *err, size_t errlen);
/* Read the file again; on error keep the actions as they were and
   return -1 with err. */
int		 actions_reload(struct actions *, char *err, size_t errlen);
/*
 * An alert changed (as alertdb_changed_since shows it: with "change"):
 * queue the actions configured for it.  Never blocks on an action.
 * alert is borrowed.  Accepts a NULL struct actions.
 */
void		 actions_offer(struct actions *, const json_t *alert);
/* Let running actions finish (each is bounded by its timeout), report
   the queued ones as not run, stop the workers, free.  Accepts NULL. */
void		 actions_free(struct actions *);

/* Actions queued or running now, for tests and metrics. */
size_t		 actions_pending(struct actions *);

/*
 * Parse an actions file held in memory (name for messages).  Returns the
 * set (free with action_set_free) or NULL with "name:line: reason" in
 * err.  For actions.c, tests and fuzzing.
 */
struct action_set *action_set_parse(const char *text, size_t len,
		    const char *name, char *err, size_t errlen);
void		 action_set_free(struct action_set *);
/* How many actions the set holds; the names of the ones alert (with
   "change") would run, joined by ',' into out.  Returns that count. */
size_t		 action_set_count(const struct action_set *);
size_t		 action_set_select(const struct action_set *,
		    const json_t *alert, char *out, size_t outlen);

#endif
