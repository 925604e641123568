/*
 * walgate — one gate per day the readers pass (walgate.h).  A small
 * table: a day has an entry while a reader is inside or the gate is
 * closed, and only days being written are gated (hub/search/daypart.c),
 * so a few entries are in use at once.  A reader that finds the table
 * full goes in ungated; the closer's truncation then meets it as SQLite's
 * busy and tries again later.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "deadline.h"
#include "monotime.h"
#include "walgate.h"

#define GATES	64

struct gate {
	int64_t	 day;
	int	 readers;
	int	 closed;
	int	 used;
};

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cond;		/* a gate opened, a reader left */
static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static struct gate	 gates[GATES];

static void
init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &ca);
	pthread_condattr_destroy(&ca);
}

/* day's entry, made when make and a slot is free; NULL otherwise. */
static struct gate *
find(int64_t day, int make)
{
	struct gate *free_slot = NULL;
	size_t	 i;

	for (i = 0; i < GATES; i++) {
		if (gates[i].used && gates[i].day == day)
			return &gates[i];
		if (!gates[i].used && free_slot == NULL)
			free_slot = &gates[i];
	}
	if (!make || free_slot == NULL)
		return NULL;
	free_slot->used = 1;
	free_slot->day = day;
	free_slot->readers = 0;
	free_slot->closed = 0;
	return free_slot;
}

static void
release(struct gate *g)
{
	if (g->readers == 0 && !g->closed)
		g->used = 0;
}

int64_t
walgate_enter(int64_t day, const struct timespec *deadline)
{
	struct gate *g;
	int64_t	 t0 = 0;

	pthread_once(&once, init);
	pthread_mutex_lock(&mtx);
	while ((g = find(day, 1)) != NULL && g->closed) {
		if (t0 == 0)
			t0 = monotime_us();
		if (deadline == NULL)
			pthread_cond_wait(&cond, &mtx);
		else if (pthread_cond_timedwait(&cond, &mtx, deadline) != 0)
			break;
	}
	if (g != NULL)
		g->readers++;
	pthread_mutex_unlock(&mtx);
	return t0 == 0 ? 0 : (monotime_us() - t0) / 1000;
}

void
walgate_leave(int64_t day)
{
	struct gate *g;

	pthread_once(&once, init);
	pthread_mutex_lock(&mtx);
	if ((g = find(day, 0)) != NULL && g->readers > 0) {
		g->readers--;
		if (g->readers == 0 && g->closed)
			pthread_cond_broadcast(&cond);
		release(g);
	}
	pthread_mutex_unlock(&mtx);
}

int
walgate_close(int64_t day, int wait_ms, const atomic_int *stop)
{
	struct timespec until, step;
	struct gate *g;
	int	 rc = 0;

	pthread_once(&once, init);
	deadline_after(CLOCK_MONOTONIC, (int64_t)wait_ms * 1000, &until);
	pthread_mutex_lock(&mtx);
	if ((g = find(day, 1)) == NULL) {
		pthread_mutex_unlock(&mtx);
		return 0;	/* full: nobody counted, SQLite decides */
	}
	g->closed = 1;
	while (g->readers > 0 && (stop == NULL || !atomic_load(stop))) {
		/* A tenth of a second at a time, to see stop. */
		deadline_after(CLOCK_MONOTONIC, 100000, &step);
		if (step.tv_sec > until.tv_sec || (step.tv_sec ==
		    until.tv_sec && step.tv_nsec > until.tv_nsec))
			step = until;
		if (pthread_cond_timedwait(&cond, &mtx, &step) != 0 &&
		    step.tv_sec == until.tv_sec &&
		    step.tv_nsec == until.tv_nsec)
			break;
	}
	if (g->readers > 0) {
		g->closed = 0;
		pthread_cond_broadcast(&cond);
		rc = -1;
	}
	pthread_mutex_unlock(&mtx);
	return rc;
}

void
walgate_open(int64_t day)
{
	struct gate *g;

	pthread_once(&once, init);
	pthread_mutex_lock(&mtx);
	if ((g = find(day, 0)) != NULL) {
		g->closed = 0;
		pthread_cond_broadcast(&cond);
		release(g);
	}
	pthread_mutex_unlock(&mtx);
}

int
walgate_readers(int64_t day)
{
	struct gate *g;
	int	 n;

	pthread_once(&once, init);
	pthread_mutex_lock(&mtx);
	n = (g = find(day, 0)) != NULL ? g->readers : 0;
	pthread_mutex_unlock(&mtx);
	return n;
}
