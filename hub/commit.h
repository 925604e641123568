/* commit — the one owner of what happens to an ingest job around the
 * pipeline and the store: whether the hub takes it now (the backlog of
 * the pipeline, the rules and the text index: commit_full), its hand-over
 * to the pipeline, and, once the store has committed and fsynced its
 * events, the rest of its life, in this order on the net thread: its
 * source is told (source.h), the consoles' event tails are fed
 * (sessions_events), its request is answered (the hook the HTTP side sets)
 * and the rules get its rows (alerter_submit).  The store hands jobs back
 * from its own thread; they wait here until the net thread's loop, woken
 * through the hub's hook (hub_wake), drains them. */
#ifndef WARD_COMMIT_H
#define WARD_COMMIT_H

#include "job.h"

struct hub;
struct commit;
struct pipeline;

/* Net thread: answer the request of j (j->wsi != NULL) and forget j,
   which stays the caller's. */
typedef void	(*commit_answer_fn)(void *arg, struct job *j);

/*
 * A commit owner for h (its metrics, h->sessions and h->alerter, read
 * when jobs come back), taking at most max_inflight jobs into the
 * pipeline at once, and none while the rules owe more than 2 MB of jobs
 * per such slot.  Returns it, or NULL with err.  h must outlive it.
 */
struct commit	*commit_new(struct hub *h, int max_inflight, char *err,
		    size_t errlen);
/* Set the pipeline jobs go to once it exists (it needs the store, which
   needs commit_done); until then commit_submit refuses. */
void		 commit_set_pipeline(struct commit *, struct pipeline *);
/* Set who answers requests (the HTTP side, net.c); before the loop runs. */
void		 commit_set_answer(struct commit *, commit_answer_fn,
		    void *arg);
/*
 * Why the hub takes no more ingest work now (a sentence for a 429's
 * body and the log), or NULL when it does.  Any thread.
 */
const char	*commit_full(struct commit *);
/*
 * Any thread: hand j, whose body is in, to the pipeline.  Returns 0 (j
 * comes back through commit_done), or -1 with *why set (commit_full's
 * sentence) when the hub takes no more now: the caller keeps j.
 */
int		 commit_submit(struct commit *, struct job *j,
		    const char **why);
/*
 * Any thread: hand j, a job of the hub's own events (selflog.c;
 * j->internal set), to the pipeline.  The hub warns most when its
 * pipeline is full, so such a job is not refused for the jobs in the
 * pipeline: the hub's own events have a slot of their own, one job in
 * flight at a time beyond max_inflight.  Returns 0 (j comes back through
 * commit_done), or -1 with *why set while that job is in flight, or
 * while the rules or the text index are behind (their bounds are in
 * bytes: the hub's own events count too); the caller keeps j.  With last
 * (the hub is stopping and drains nothing more), j is taken whatever is
 * in flight or behind.
 */
int		 commit_submit_own(struct commit *, struct job *j, int last,
		    const char **why);
/* The store's done hook (store_done_fn), from its thread: j is committed
   (or failed); queue it and wake the net thread.  Takes j. */
void		 commit_done(void *commit, struct job *j);
/* Net thread, when woken: finish every job come back (see above). */
void		 commit_drain(struct commit *);
/* Free, with the jobs committed and not yet drained (their clients will
   retry); accepts NULL.  Call once the store has stopped and the net is
   freed. */
void		 commit_free(struct commit *);

#endif
