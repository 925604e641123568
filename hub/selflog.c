/*
 * Errors only: warnings are a request's or an event's (a 429, a plugin
 * that failed on one event), as many as the requests, and an event made
 * of a plugin's warning would go through that same plugin and warn
 * again; the rule ward_errors looks at ERROR and worse.
 *
 * The log hook (hub/log.h) copies each error into a small queue, on whatever thread logged it; a thread of its own turns the
 * queue into one NDJSON ingest job a second and submits it to the
 * pipeline as if a shipper had sent it (no client to answer: the job
 * has no connection).  Bounded, so that a storm of errors cannot flood
 * the store, and so that no loop can form (an error while storing these
 * events logs again, which queues again): at most SELFLOG_MAX events a
 * minute, then one event saying how many were left out.  The hook never
 * logs, and log.c does not call it from inside itself.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include <jansson.h>

#include "hub.h"
#include "job.h"
#include "log.h"
#include "pipeline.h"
#include "selflog.h"
#include "timeparse.h"

#define QUEUE_MAX	SELFLOG_MAX
#define WINDOW_US	(INT64_C(60) * 1000000)

struct note {
	int64_t		 us;
	enum log_level	 level;
	char		 text[512];
};

struct selflog {
	struct hub	*h;
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	struct note	 q[QUEUE_MAX];
	size_t		 n;
	int64_t		 window;	/* start of this minute's window */
	size_t		 taken;		/* notes taken in it */
	size_t		 dropped;	/* left out in it */
	int		 stop;
};

static void
hook(void *arg, enum log_level l, const char *msg)
{
	struct selflog *s = arg;
	int64_t	 now = time_now_us();

	pthread_mutex_lock(&s->mtx);
	if (now - s->window >= WINDOW_US) {
		s->window = now;
		s->taken = 0;
	}
	if (s->taken >= SELFLOG_MAX || s->n == QUEUE_MAX)
		s->dropped++;
	else {
		s->q[s->n].us = now;
		s->q[s->n].level = l;
		snprintf(s->q[s->n].text, sizeof s->q[s->n].text, "%s", msg);
		s->n++;
		s->taken++;
	}
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mtx);
}

static void
add_event(struct buf *b, const struct hub *h, int64_t us, const char *sev,
    const char *text)
{
	char	 ts[TIME_ISO_LEN], *line;
	json_t	*o;

	time_format(us, ts);
	if ((o = json_pack("{ss ss ss ss ss sI ss}", "utctimestamp", ts,
	    "category", "ward", "hostname", h->hostname, "processname", "wardd",
	    "severity", sev, "processid", (json_int_t)getpid(), "summary",
	    text)) == NULL)
		return;
	if ((line = json_dumps(o, JSON_COMPACT)) != NULL) {
		buf_puts(b, line);
		buf_puts(b, "\n");
	}
	free(line);
	json_decref(o);
}

/* Submit the notes as one ingest job.  Called without the lock. */
static void
submit(struct selflog *s, const struct note *q, size_t n, size_t dropped)
{
	struct job *j;
	char	 text[160];
	size_t	 i;

	if ((j = job_new(JOB_EVENTS)) == NULL)
		return;
	for (i = 0; i < n; i++)
		add_event(&j->body, s->h, q[i].us, "ERROR", q[i].text);
	if (dropped > 0) {
		snprintf(text, sizeof text, "%zu more errors of the hub were "
		    "not stored (at most %d a minute): see its log", dropped,
		    SELFLOG_MAX);
		add_event(&j->body, s->h, time_now_us(), "WARNING", text);
	}
	if (j->body.len == 0) {
		job_free(j);
		return;
	}
	snprintf(j->ctype, sizeof j->ctype, "application/x-ndjson");
	j->received_us = time_now_us();
	atomic_fetch_add(&s->h->m.queue_depth, 1);
	pipeline_submit(s->h->pipe, j);
}

static void *
thread_main(void *arg)
{
	struct selflog *s = arg;
	struct note q[QUEUE_MAX];
	struct timespec ts;
	size_t	 n, dropped;
	int	 stop;

	pthread_setname_np(pthread_self(), "ward-selflog");
	pthread_mutex_lock(&s->mtx);
	for (;;) {
		while (s->n == 0 && !s->stop)
			pthread_cond_wait(&s->cond, &s->mtx);
		/* Gather a second's worth into one job. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!s->stop && pthread_cond_timedwait(&s->cond, &s->mtx,
		    &ts) != ETIMEDOUT)
			;
		n = s->n;
		memcpy(q, s->q, n * sizeof *q);
		s->n = 0;
		dropped = s->dropped;
		s->dropped = 0;
		stop = s->stop;
		pthread_mutex_unlock(&s->mtx);
		submit(s, q, n, dropped);
		pthread_mutex_lock(&s->mtx);
		if (stop)
			break;
	}
	pthread_mutex_unlock(&s->mtx);
	return NULL;
}

struct selflog *
selflog_start(struct hub *h, char *err, size_t errlen)
{
	struct selflog *s;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->h = h;
	s->window = time_now_us();
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
		pthread_mutex_destroy(&s->mtx);
		pthread_cond_destroy(&s->cond);
		free(s);
		snprintf(err, errlen, "cannot start the self-log thread");
		return NULL;
	}
	log_set_hook(hook, s);
	return s;
}

void
selflog_stop(struct selflog *s)
{
	if (s == NULL)
		return;
	log_set_hook(NULL, NULL);
	pthread_mutex_lock(&s->mtx);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mtx);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mtx);
	pthread_cond_destroy(&s->cond);
	free(s);
}
