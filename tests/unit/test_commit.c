/* Unit tests for hub/commit: the owner of an ingest job around the
   pipeline and the store.  A real pipeline and store in a temporary
   directory; no net: the test is the answer hook and the wake hook. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "commit.h"
#include "hub.h"
#include "job.h"
#include "pipeline.h"
#include "source.h"
#include "store.h"

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int woken;
static char order[16];		/* who saw the job, in order: s(ource) a(nswer) */
static int answered_status = -1;
static int64_t answered_id = -1;

static void
wake(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mtx);
	woken++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
}

static void
answer(void *arg, struct job *j)
{
	(void)arg;
	strcat(order, "a");
	answered_status = j->status;
	answered_id = j->ids != NULL ? j->ids[0] : -1;
	j->wsi = NULL;
}

static void
source_done(struct ingest_source *src, struct job *j)
{
	(void)src;
	assert_int_equal(j->status, 0);
	strcat(order, "s");
}

static struct job *
events_job(const char *body)
{
	struct job *j = job_new(JOB_EVENTS);

	assert_non_null(j);
	snprintf(j->ctype, sizeof j->ctype, "application/x-ndjson");
	assert_int_equal(buf_puts(&j->body, body), 0);
	j->received_us = (int64_t)time(NULL) * 1000000;
	return j;
}

/* A commit owner taking max_inflight jobs, with a real pipeline (one
   worker) and store in a new temporary directory dir, into h. */
static struct commit *
hub_up(struct hub *h, char *dir, int max_inflight)
{
	static const struct pipeline_opts po = { 1, 1 << 20, 64, "testhub",
	    NULL };
	struct commit *c;
	char	 err[256];

	assert_non_null(mkdtemp(dir));
	memset(h, 0, sizeof *h);
	h->datadir = dir;
	h->wake = wake;
	assert_non_null(c = commit_new(h, max_inflight, err, sizeof err));
	h->commit = c;
	assert_non_null(h->store = store_open(dir, &h->m, err, sizeof err));
	assert_int_equal(store_start(h->store, commit_done, c), 0);
	assert_non_null(h->pipe = pipeline_new(&po, h->store, &h->m));
	commit_set_pipeline(c, h->pipe);
	return c;
}

/* Stop and free what hub_up made, and remove dir. */
static void
hub_down(struct hub *h, const char *dir)
{
	char	 cmd[600];

	pipeline_free(h->pipe);
	store_stop(h->store);
	commit_free(h->commit);
	store_free(h->store);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Until the pipeline exists nothing is taken, and the caller keeps j. */
static void
refuses_before_the_pipeline(void **state)
{
	struct hub h;
	struct commit *c;
	struct job *j = events_job("{\"summary\":\"x\"}\n");
	const char *why = NULL;
	char	 err[256];

	memset(&h, 0, sizeof h);
	assert_non_null(c = commit_new(&h, 4, err, sizeof err));
	assert_int_equal(commit_submit(c, j, &why), -1);
	assert_string_equal(why, "the hub is starting");
	assert_int_equal(h.m.queue_depth, 0);
	assert_null(commit_full(c));
	/* max_inflight jobs in flight: full */
	h.m.queue_depth = 4;
	assert_string_equal(commit_full(c), "ingest pipeline is full");
	job_free(j);
	commit_free(c);
}

/* A job goes through the pipeline and the store, comes back through
   commit_done (waking the loop through the hub's hook), and the drain
   tells its source before it answers; the ids are set by then. */
static void
committed_job_goes_to_source_then_answer(void **state)
{
	char	 dir[] = "/tmp/test_commit.XXXXXX";
	struct ingest_source src;
	struct hub h;
	struct commit *c;
	struct job *j;
	const char *why = NULL;

	memset(&src, 0, sizeof src);
	src.done = source_done;
	c = hub_up(&h, dir, 4);
	commit_set_answer(c, answer, NULL);

	j = events_job("{\"summary\":\"one\"}\n{\"summary\":\"two\"}\n");
	j->wsi = (void *)1;	/* an HTTP client, as far as commit knows */
	j->src = &src;
	assert_int_equal(commit_submit(c, j, &why), 0);
	assert_null(why);
	assert_int_equal(h.m.queue_depth, 1);

	pthread_mutex_lock(&mtx);
	while (woken == 0)
		pthread_cond_wait(&cond, &mtx);
	pthread_mutex_unlock(&mtx);
	commit_drain(c);
	assert_string_equal(order, "sa");
	assert_int_equal(answered_status, 0);
	assert_true(answered_id >> 36 == time(NULL) / 86400);	/* today's */
	assert_int_equal(h.m.queue_depth, 0);
	hub_down(&h, dir);
}

/* Drain until every job in flight is back (queue_depth 0). */
static void
drain_all(struct hub *h, struct commit *c)
{
	while (h->m.queue_depth > 0) {
		pthread_mutex_lock(&mtx);
		while (woken == 0)
			pthread_cond_wait(&cond, &mtx);
		woken = 0;
		pthread_mutex_unlock(&mtx);
		commit_drain(c);
	}
}

/* The hub's own events (commit_submit_own) get in while the shippers'
   slots are full, one job at a time; when the hub stops, its last one
   gets in whatever is in flight. */
static void
own_events_have_one_slot_of_their_own(void **state)
{
	char	 dir[] = "/tmp/test_commit.XXXXXX";
	struct hub h;
	struct commit *c;
	struct job *j, *own, *own2;
	const char *why = NULL;

	c = hub_up(&h, dir, 1);

	assert_int_equal(commit_submit(c, events_job("{\"summary\":\"a\"}\n"),
	    &why), 0);
	j = events_job("{\"summary\":\"b\"}\n");
	assert_int_equal(commit_submit(c, j, &why), -1);
	assert_string_equal(why, "ingest pipeline is full");
	own = events_job("{\"summary\":\"hub warning\"}\n");
	own->internal = 1;
	assert_int_equal(commit_submit_own(c, own, 0, &why), 0);
	assert_int_equal(h.m.queue_depth, 2);
	own2 = events_job("{\"summary\":\"hub warning 2\"}\n");
	own2->internal = 1;
	assert_int_equal(commit_submit_own(c, own2, 0, &why), -1);
	assert_string_equal(why, "the hub's own events are in the pipeline");
	assert_int_equal(h.m.queue_depth, 2);
	drain_all(&h, c);
	/* back: the slot is free again */
	assert_int_equal(commit_submit_own(c, own2, 0, &why), 0);
	own = events_job("{\"summary\":\"hub warning 3\"}\n");
	own->internal = 1;
	assert_int_equal(commit_submit_own(c, own, 1, &why), 0);
	assert_int_equal(h.m.queue_depth, 2);
	drain_all(&h, c);

	job_free(j);
	hub_down(&h, dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refuses_before_the_pipeline),
		cmocka_unit_test(committed_job_goes_to_source_then_answer),
		cmocka_unit_test(own_events_have_one_slot_of_their_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
