/* selflog — the hub's own errors and warnings become events (category
 * "ward", the hub's hostname), stored and seen by the rules like any
 * other, so that share/rules/ward_errors.yml fires; a message logged
 * again and again is one event a minute with its count. */
#ifndef WARD_SELFLOG_H
#define WARD_SELFLOG_H

#include <stddef.h>

struct hub;
struct selflog;

#define SELFLOG_MAX	20	/* events a minute, at most */

/*
 * Hook into the log: from now on errors and warnings are queued (the
 * first SELFLOG_MAX of them until selflog_start).  Returns it, or NULL
 * with err.
 */
struct selflog	*selflog_new(struct hub *h, char *err, size_t errlen);
/*
 * Start the thread that hands the queue to the commit owner (h->commit,
 * its pipeline set: commit_submit_own).  Returns 0, or -1 with err.
 */
int		 selflog_start(struct selflog *, char *err, size_t errlen);
/* Unhook, hand over what is queued and counted (if started), stop, free;
   accepts NULL.  Before the pipeline is freed. */
void		 selflog_stop(struct selflog *);

#endif
