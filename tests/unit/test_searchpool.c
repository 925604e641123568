/* Unit tests for hub/search/searchpool's tasks: at most per_key of one key run at
   once and max_waiting more wait, other keys are not held up, cancelling
   a tag stops its running tasks and drops its waiting ones, and
   searchpool_free leaves no task unfreed (ASan sees to the frees). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "deadline.h"
#include "searchpool.h"

/* What the tasks of one key did. */
struct probe {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	int		 running, max_running, started, finished;
	int		 dropped;	/* called with *cancel already set */
	int		 stopped;	/* cancelled while running */
	int		 release;
};

struct targ {
	struct probe	*p;
};

static void
probe_init(struct probe *p)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->cond, NULL);
}

static void
probe_release(struct probe *p)
{
	pthread_mutex_destroy(&p->mtx);
	pthread_cond_destroy(&p->cond);
}

/* Runs until released or cancelled. */
static void
block_task(void *arg, const atomic_int *cancel)
{
	struct targ *a = arg;
	struct probe *p = a->p;
	struct timespec ts;

	free(a);
	pthread_mutex_lock(&p->mtx);
	if (atomic_load(cancel)) {
		p->dropped++;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->mtx);
		return;
	}
	p->started++;
	if (++p->running > p->max_running)
		p->max_running = p->running;
	pthread_cond_broadcast(&p->cond);
	while (!p->release && !atomic_load(cancel)) {
		deadline_after(CLOCK_REALTIME, 5000, &ts);
		pthread_cond_timedwait(&p->cond, &p->mtx, &ts);
	}
	if (!p->release)
		p->stopped++;
	p->running--;
	p->finished++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mtx);
}

static int
queue(struct searchpool *s, const char *key, uint64_t tag, struct probe *p,
    int *running, int *waiting)
{
	struct targ *a = malloc(sizeof *a);
	int	 rc;

	assert_non_null(a);
	a->p = p;
	if ((rc = searchpool_task(s, key, tag, block_task, a, running,
	    waiting)) != 0)
		free(a);
	return rc;
}

/* Wait up to 10 s for *field to reach want; returns its value. */
static int
wait_for(struct probe *p, const int *field, int want)
{
	struct timespec ts;
	int	 v, i;

	pthread_mutex_lock(&p->mtx);
	for (i = 0; *field < want && i < 1000; i++) {
		deadline_after(CLOCK_REALTIME, 10000, &ts);
		pthread_cond_timedwait(&p->cond, &p->mtx, &ts);
	}
	v = *field;
	pthread_mutex_unlock(&p->mtx);
	return v;
}

/* Wait up to 10 s for the searcher's load to be (want_r, want_w); *r and
   *w are what it is then. */
static void
load_settles(struct searchpool *s, int want_r, int want_w, int *r, int *w)
{
	int	 i;

	for (i = 0; i < 10000; i++) {
		searchpool_load(s, r, w);
		if (*r == want_r && *w == want_w)
			return;
		usleep(1000);
	}
}

static void
release_all(struct probe *p)
{
	pthread_mutex_lock(&p->mtx);
	p->release = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mtx);
}

/* vic's six: two run, four wait, the seventh is refused; dora's runs on
   the free thread meanwhile. */
static void
one_key_runs_at_most_per_key(void **state)
{
	struct searchpool *s = searchpool_new("/nonexistent", 4, NULL, NULL);
	struct probe vic, dora;
	int	 i, running = -1, waiting = -1, r, w;

	assert_non_null(s);
	searchpool_limits(s, 2, 4);
	probe_init(&vic);
	probe_init(&dora);
	for (i = 0; i < 6; i++)
		assert_int_equal(queue(s, "vic", 1, &vic, NULL, NULL), 0);
	assert_int_equal(queue(s, "vic", 2, &vic, &running, &waiting), 1);
	assert_int_equal(running + waiting, 6);
	assert_int_equal(wait_for(&vic, &vic.started, 2), 2);
	assert_int_equal(queue(s, "dora", 3, &dora, NULL, NULL), 0);
	assert_int_equal(wait_for(&dora, &dora.started, 1), 1);
	searchpool_load(s, &r, &w);
	assert_int_equal(r, 3);
	assert_int_equal(w, 4);
	release_all(&vic);
	release_all(&dora);
	assert_int_equal(wait_for(&vic, &vic.finished, 6), 6);
	assert_int_equal(wait_for(&dora, &dora.finished, 1), 1);
	assert_int_equal(vic.max_running, 2);
	assert_int_equal(vic.stopped + vic.dropped, 0);
	/* Room again once they are done. */
	assert_int_equal(queue(s, "vic", 1, &vic, NULL, NULL), 0);
	assert_int_equal(wait_for(&vic, &vic.finished, 7), 7);
	searchpool_free(s);
	probe_release(&vic);
	probe_release(&dora);
}

/* Cancelling tag 1 (a session closing): its running tasks stop, its
   waiting ones are called with *cancel set before searchpool_cancel
   returns, tag 2 of the same key runs on. */
static void
cancel_stops_running_and_drops_waiting(void **state)
{
	struct searchpool *s = searchpool_new("/nonexistent", 3, NULL, NULL);
	struct probe a, b;
	int	 i, r, w;

	assert_non_null(s);
	searchpool_limits(s, 2, 4);
	probe_init(&a);
	probe_init(&b);
	assert_int_equal(queue(s, "vic", 2, &b, NULL, NULL), 0);
	assert_int_equal(wait_for(&b, &b.started, 1), 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(queue(s, "vic", 1, &a, NULL, NULL), 0);
	assert_int_equal(wait_for(&a, &a.started, 1), 1);
	searchpool_cancel(s, 1);
	pthread_mutex_lock(&a.mtx);
	assert_int_equal(a.dropped, 3);
	pthread_mutex_unlock(&a.mtx);
	assert_int_equal(wait_for(&a, &a.finished, 1), 1);
	assert_int_equal(a.stopped, 1);
	/* The probe counts a task finished before the searcher's thread
	   has taken it off its books: wait for the books to settle. */
	load_settles(s, 1, 0, &r, &w);
	assert_int_equal(r, 1);		/* tag 2 */
	assert_int_equal(w, 0);
	release_all(&b);
	assert_int_equal(wait_for(&b, &b.finished, 1), 1);
	assert_int_equal(b.stopped, 0);
	searchpool_free(s);
	probe_release(&a);
	probe_release(&b);
}

/* The hub stops with tasks running and waiting: the running ones are
   cancelled, the waiting ones dropped; nothing leaks. */
static void
free_cancels_everything(void **state)
{
	struct searchpool *s = searchpool_new("/nonexistent", 2, NULL, NULL);
	struct probe p;
	int	 i;

	assert_non_null(s);
	probe_init(&p);
	for (i = 0; i < 5; i++)
		assert_int_equal(queue(s, "vic", 1, &p, NULL, NULL), 0);
	assert_int_equal(wait_for(&p, &p.started, 2), 2);
	searchpool_free(s);
	assert_int_equal(p.stopped, 2);
	assert_int_equal(p.dropped, 3);
	assert_int_equal(p.running, 0);
	probe_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_key_runs_at_most_per_key),
		cmocka_unit_test(cancel_stops_running_and_drops_waiting),
		cmocka_unit_test(free_cancels_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
