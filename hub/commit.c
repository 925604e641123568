/*
 * A job's way: the net thread (an HTTP request) or a source's thread
 * hands it over through commit_submit; the pipeline's workers turn it
 * into rows; the store commits and fsyncs them and, from its syncer
 * thread, gives the job back to commit_done, which queues it and wakes
 * the net thread through the hub's hook.  commit_drain, on the net
 * thread, then finishes each job; the order matters:
 *  - its source first (a broker's ack waits on it), then the consoles'
 *    tails, which read the job's ids and rows;
 *  - then its answer, so a client never waits for the tails or the
 *    rules;
 *  - last the rules, on the alerter's thread: they need the rows, not
 *    the items (~360 bytes each), which are freed first.
 *
 * The hub takes a job only while each stage after the net thread keeps
 * up (commit_full): the pipeline and store hold at most max_inflight
 * jobs (each a request body and its rows), and one job more of the
 * hub's own events (commit_submit_own: some twenty events, a few KB, so
 * that the warnings of a full pipeline are stored while it is full, not
 * after the shippers' next lull); the rules may owe answered
 * jobs holding at most RULES_SLOT_BYTES per pipeline slot (each holds
 * its events' rows, documents and text until it is evaluated); the text
 * index holds a copy of what it has yet to index, up to INDEX_QUEUE_MAX
 * bytes.
 *
 * The rules' bound is in bytes, not jobs: it was half max_inflight jobs
 * (32), and a closed-loop ingest of 1000-event requests at 39,000
 * events/s met it 43 times in 20 s on 2 busy cores — the alerter thread
 * takes every waiting job at once and frees them when the batch is
 * done, so a second's stall of that thread at 50,000 events/s holds
 * 50-100 jobs.  A job of 1000 events holds 1.16 MB (measured: arena 1 MB
 * of capacity, rows 120 KB), so the 128 MB of the default 64 slots hold
 * about 110 of them, 2.2 s of a 50,000 events/s stream, and that much
 * memory (on top of the pipeline's and the index's) is what the bound
 * costs when the rules fall behind.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "alerter.h"
#include "commit.h"
#include "errf.h"
#include "hub.h"
#include "pipeline.h"
#include "session.h"
#include "source.h"
#include "store.h"
#include "textindex.h"

#define INDEX_QUEUE_MAX	(16u << 20)	/* bytes of text the index may trail
				   (at 50k events/s it stays under 4 MB) */
#define RULES_SLOT_BYTES (2u << 20)	/* the rules may owe this much
				   (job_bytes) per pipeline slot */

struct commit {
	struct hub	*h;
	int		 max_inflight;
	_Atomic(struct pipeline *) pipe;
	atomic_int	 own;		/* jobs of commit_submit_own in flight */
	commit_answer_fn answer;
	void		*answer_arg;
	struct jobq	 done;		/* jobs back from the store */
};

struct commit *
commit_new(struct hub *h, int max_inflight, char *err, size_t errlen)
{
	struct commit *c;

	if ((c = calloc(1, sizeof *c)) == NULL || jobq_init(&c->done) == -1) {
		free(c);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	c->h = h;
	c->max_inflight = max_inflight;
	return c;
}

void
commit_set_pipeline(struct commit *c, struct pipeline *p)
{
	atomic_store(&c->pipe, p);
}

void
commit_set_answer(struct commit *c, commit_answer_fn fn, void *arg)
{
	c->answer = fn;
	c->answer_arg = arg;
}

/* commit_full, or, without jobs, its byte bounds alone. */
static const char *
full(struct commit *c, int jobs)
{
	struct hub *h = c->h;

	if (jobs && atomic_load(&h->m.queue_depth) >= c->max_inflight)
		return "ingest pipeline is full";
	if (alerter_backlog(h->alerter) >= (size_t)c->max_inflight *
	    RULES_SLOT_BYTES)
		return "detection rules are behind (the ingest pipeline is "
		    "full)";
	if (h->store != NULL &&
	    textindex_queued(store_textindex(h->store)) >= INDEX_QUEUE_MAX)
		return "the full-text index is behind (the ingest pipeline "
		    "is full)";
	return NULL;
}

const char *
commit_full(struct commit *c)
{
	return full(c, 1);
}

int
commit_submit(struct commit *c, struct job *j, const char **why)
{
	struct pipeline *p = atomic_load(&c->pipe);

	if (p == NULL) {
		*why = "the hub is starting";
		return -1;
	}
	if ((*why = commit_full(c)) != NULL)
		return -1;
	atomic_fetch_add(&c->h->m.queue_depth, 1);
	pipeline_submit(p, j);
	return 0;
}

int
commit_submit_own(struct commit *c, struct job *j, int last,
    const char **why)
{
	struct pipeline *p = atomic_load(&c->pipe);

	if (p == NULL) {
		*why = "the hub is starting";
		return -1;
	}
	if (!last) {
		/* Only the self-log's thread submits these: no race. */
		if (atomic_load(&c->own) > 0) {
			*why = "the hub's own events are in the pipeline";
			return -1;
		}
		if ((*why = full(c, 0)) != NULL)
			return -1;
	}
	atomic_fetch_add(&c->own, 1);
	atomic_fetch_add(&c->h->m.queue_depth, 1);
	pipeline_submit(p, j);
	return 0;
}

void
commit_done(void *arg, struct job *j)
{
	struct commit *c = arg;

	jobq_push(&c->done, j);
	hub_wake(c->h);
}

void
commit_drain(struct commit *c)
{
	struct job *j, *next;

	if (c == NULL)
		return;
	for (j = jobq_poll_all(&c->done); j != NULL; j = next) {
		next = j->next;
		atomic_fetch_sub(&c->h->m.queue_depth, 1);
		if (j->internal)
			atomic_fetch_sub(&c->own, 1);
		if (j->src != NULL)
			j->src->done(j->src, j);
		if (j->status == 0)
			sessions_events(c->h, j);
		if (j->wsi != NULL && c->answer != NULL)
			c->answer(c->answer_arg, j);
		if (j->status == 0 && j->nrows > 0 && c->h->alerter != NULL) {
			split_result_release(&j->split);
			alerter_submit(c->h->alerter, j);
		} else
			job_free(j);
	}
}

void
commit_free(struct commit *c)
{
	struct job *j, *next;

	if (c == NULL)
		return;
	for (j = jobq_poll_all(&c->done); j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	jobq_release(&c->done);
	free(c);
}
