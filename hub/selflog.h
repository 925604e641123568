/* selflog — the hub's own errors become events (category "ward", the
 * hub's hostname), stored and seen by the rules like any other, so that
 * share/rules/ward_errors.yml fires. */
#ifndef WARD_SELFLOG_H
#define WARD_SELFLOG_H

#include <stddef.h>

struct hub;
struct selflog;

#define SELFLOG_MAX	20	/* events a minute, at most */

/*
 * Hook into the log and start the thread that hands the messages to the
 * pipeline (h->pipe must be running).  Returns it, or NULL with err.
 */
struct selflog	*selflog_start(struct hub *h, char *err, size_t errlen);
/* Unhook, hand over what is queued, stop; accepts NULL.  Before the
   pipeline is freed. */
void		 selflog_stop(struct selflog *);

#endif
