/*
 * Errors and warnings both: the rule ward_errors looks at ERROR and
 * worse, and a warning (a 429, retention that could not archive a day,
 * a plugin failing) is what an operator wants to find beside the events
 * it is about.  Many are one request's or one event's, so they are
 * coalesced: a message (numbers aside: "in 3 ms" and "in 5 ms" are the
 * same message) becomes an event the first time it is logged; each
 * minute after that in which it was logged again becomes one event more,
 * with details.count saying how many times (a flood of 429s is one
 * event a minute); a minute without it forgets it.
 *
 * The log hook (hub/log.h) does this on whatever thread logged, into a
 * small queue; a thread of its own turns the queue into one NDJSON
 * ingest job a second and hands it to the commit owner as if a shipper
 * had sent it (no client to answer: the job has no connection), marked
 * internal so that no decoder or plugin runs on it (they are the
 * shippers'; and a plugin failing on the hub's event would warn again).
 * The hub warns most when it is full (429s), so these jobs have a slot
 * of their own beside the shippers' (commit_submit_own): one job in
 * flight at a time, refused while the rules or the text index are
 * behind.  A job refused is made again from the queue a second later;
 * nothing waits anywhere else, so a pipeline that does not move holds
 * one job of these and the queue holds QUEUE_MAX notes, whatever is
 * logged meanwhile.
 * Bounded, so that a storm cannot flood the store, and so that no loop
 * can form (a warning while storing these events logs again, which
 * queues again): at most SELFLOG_MAX events a minute, then, once the
 * minute is over, one event saying how many were left out (past the
 * minute's budget, or past the queue while the hub could not take
 * them).  The hook never logs, and log.c does not call it from inside
 * itself.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include <jansson.h>

#include "commit.h"
#include "deadline.h"
#include "errf.h"
#include "hub.h"
#include "job.h"
#include "log.h"
#include "selflog.h"
#include "timeparse.h"

#define QUEUE_MAX	SELFLOG_MAX
#define WINDOW_US	(INT64_C(60) * 1000000)
#define SEEN_MAX	64	/* messages followed at once; past it the
				   oldest is let go (its count sent) */
#define KEY_MAX		160

struct note {
	int64_t		 us;
	enum log_level	 level;
	uint64_t	 count;		/* 1, or the minute's repeats */
	char		 text[512];
};

/* A message logged lately, and how often since its last event. */
struct seen {
	char		 key[KEY_MAX];	/* text with numbers as '#' */
	char		 text[512];	/* as logged the first time */
	enum log_level	 level;
	int64_t		 since;		/* start of its minute */
	uint64_t	 repeats;	/* logged again in it */
};

struct selflog {
	struct hub	*h;
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	struct note	 q[QUEUE_MAX];
	size_t		 n;
	struct seen	 seen[SEEN_MAX];
	size_t		 nseen;
	int64_t		 window;	/* start of this minute's window */
	size_t		 taken;		/* notes taken in it */
	size_t		 dropped;	/* left out in it */
	size_t		 unsaid;	/* left out in minutes over, not
					   yet said in an event */
	int		 started;	/* the thread runs */
	int		 stop;
};

/* msg with each run of digits as one '#', cut to KEY_MAX - 1. */
static void
make_key(const char *msg, char *key)
{
	size_t	 n = 0;

	while (*msg != '\0' && n < KEY_MAX - 1) {
		if (isdigit((unsigned char)*msg)) {
			key[n++] = '#';
			while (isdigit((unsigned char)*msg))
				msg++;
		} else
			key[n++] = *msg++;
	}
	key[n] = '\0';
}

/* Start a new minute if this one is over.  With s->mtx. */
static void
window(struct selflog *s, int64_t now)
{
	if (now - s->window >= WINDOW_US) {
		s->window = now;
		s->taken = 0;
		s->unsaid += s->dropped;
		s->dropped = 0;
	}
}

/* Queue a note, within the minute's budget.  With s->mtx. */
static void
queue(struct selflog *s, int64_t now, enum log_level l, uint64_t count,
    const char *text)
{
	window(s, now);
	if (s->taken >= SELFLOG_MAX || s->n == QUEUE_MAX) {
		s->dropped++;
		return;
	}
	s->q[s->n].us = now;
	s->q[s->n].level = l;
	s->q[s->n].count = count;
	snprintf(s->q[s->n].text, sizeof s->q[s->n].text, "%s", text);
	s->n++;
	s->taken++;
}

/* Send the repeats of seen[i] as one note, and let it go.  With
   s->mtx. */
static void
let_go(struct selflog *s, size_t i, int64_t now)
{
	if (s->seen[i].repeats > 0)
		queue(s, now, s->seen[i].level, s->seen[i].repeats,
		    s->seen[i].text);
	s->seen[i] = s->seen[--s->nseen];
}

/* The minute of each message followed: its repeats as one note, or
   forget it if there were none.  With s->mtx. */
static void
roll(struct selflog *s, int64_t now, int all)
{
	size_t	 i = 0;

	while (i < s->nseen) {
		struct seen *e = &s->seen[i];

		if (!all && now - e->since < WINDOW_US) {
			i++;
			continue;
		}
		if (all || e->repeats == 0) {
			let_go(s, i, now);	/* seen[i] is another now */
			continue;
		}
		queue(s, now, e->level, e->repeats, e->text);
		e->repeats = 0;
		e->since = now;
		i++;
	}
}

static void
hook(void *arg, enum log_level l, const char *msg)
{
	struct selflog *s = arg;
	int64_t	 now = time_now_us();
	char	 key[KEY_MAX];
	size_t	 i, oldest = 0;

	make_key(msg, key);
	pthread_mutex_lock(&s->mtx);
	for (i = 0; i < s->nseen; i++) {
		if (s->seen[i].level == l && strcmp(s->seen[i].key, key) == 0)
			break;
		if (s->seen[i].since < s->seen[oldest].since)
			oldest = i;
	}
	if (i < s->nseen)
		s->seen[i].repeats++;		/* in the minute's count */
	else {
		if (s->nseen == SEEN_MAX)
			let_go(s, oldest, now);
		snprintf(s->seen[s->nseen].key, KEY_MAX, "%s", key);
		snprintf(s->seen[s->nseen].text, sizeof s->seen[0].text, "%s",
		    msg);
		s->seen[s->nseen].level = l;
		s->seen[s->nseen].since = now;
		s->seen[s->nseen].repeats = 0;
		s->nseen++;
		queue(s, now, l, 1, msg);
	}
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mtx);
}

static void
add_event(struct buf *b, const struct hub *h, int64_t us, const char *sev,
    uint64_t count, const char *text)
{
	char	 ts[TIME_ISO_LEN], *line, sum[640];
	json_t	*o;

	time_format(us, ts);
	if (count > 1)
		snprintf(sum, sizeof sum, "%s (%llu times in a minute)", text,
		    (unsigned long long)count);
	else
		snprintf(sum, sizeof sum, "%s", text);
	if ((o = json_pack("{ss ss ss ss ss sI ss s{sI}}", "utctimestamp", ts,
	    "category", "ward", "hostname", h->hostname, "processname", "wardd",
	    "severity", sev, "processid", (json_int_t)getpid(), "summary",
	    sum, "details", "count", (json_int_t)count)) == NULL)
		return;
	if ((line = json_dumps(o, JSON_COMPACT)) != NULL) {
		buf_puts(b, line);
		buf_puts(b, "\n");
	}
	free(line);
	json_decref(o);
}

/*
 * Submit the notes, and an event saying dropped were left out, as one
 * ingest job (last: the hub is stopping).  Returns 0 when they are taken
 * (or there is nothing to send), -1 when they are to be sent again.
 * Called without the lock.
 */
static int
submit(struct selflog *s, const struct note *q, size_t n, size_t dropped,
    int last)
{
	struct job *j;
	const char *why;
	char	 text[240];
	size_t	 i;

	if (n == 0 && dropped == 0)
		return 0;
	if ((j = job_new(JOB_EVENTS)) == NULL)
		return -1;
	j->internal = 1;
	for (i = 0; i < n; i++)
		add_event(&j->body, s->h, q[i].us, q[i].level == LOG_ERR ?
		    "ERROR" : "WARNING", q[i].count, q[i].text);
	if (dropped > 0) {
		snprintf(text, sizeof text, "%zu more errors and warnings of "
		    "the hub were not stored (at most %d a minute are, and "
		    "%d wait while the hub is too busy to store them): see "
		    "its log", dropped, SELFLOG_MAX, QUEUE_MAX);
		add_event(&j->body, s->h, time_now_us(), "WARNING", 1, text);
	}
	if (j->body.len == 0) {
		job_free(j);
		return -1;
	}
	snprintf(j->ctype, sizeof j->ctype, "application/x-ndjson");
	j->received_us = time_now_us();
	if (commit_submit_own(s->h->commit, j, last, &why) == -1) {
		job_free(j);
		return -1;
	}
	return 0;
}

static void *
thread_main(void *arg)
{
	struct selflog *s = arg;
	struct note q[QUEUE_MAX];
	struct timespec ts;
	int64_t	 now;
	size_t	 n, dropped;
	int	 stop;

	pthread_setname_np(pthread_self(), "ward-selflog");
	pthread_mutex_lock(&s->mtx);
	for (;;) {
		/* Asleep while nothing is queued, followed or left out;
		   else a look a second, gathering what is queued into one
		   job. */
		while (s->n == 0 && s->nseen == 0 && s->dropped == 0 &&
		    s->unsaid == 0 && !s->stop)
			pthread_cond_wait(&s->cond, &s->mtx);
		deadline_after(CLOCK_REALTIME, 1000000, &ts);
		while (!s->stop && pthread_cond_timedwait(&s->cond, &s->mtx,
		    &ts) != ETIMEDOUT)
			;
		now = time_now_us();
		roll(s, now, s->stop);
		window(s, now);
		if (s->stop) {
			s->unsaid += s->dropped;
			s->dropped = 0;
		}
		/* The notes stay queued until the job holding them is
		   taken; the hook only appends meanwhile. */
		n = s->n;
		memcpy(q, s->q, n * sizeof *q);
		dropped = s->unsaid;
		stop = s->stop;
		pthread_mutex_unlock(&s->mtx);
		if (submit(s, q, n, dropped, stop) == 0) {
			pthread_mutex_lock(&s->mtx);
			memmove(s->q, s->q + n, (s->n - n) * sizeof *s->q);
			s->n -= n;
			s->unsaid -= dropped;
		} else
			pthread_mutex_lock(&s->mtx);
		if (stop)
			break;
	}
	pthread_mutex_unlock(&s->mtx);
	return NULL;
}

struct selflog *
selflog_new(struct hub *h, char *err, size_t errlen)
{
	struct selflog *s;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	s->h = h;
	s->window = time_now_us();
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->cond, NULL);
	log_set_hook(hook, s);
	return s;
}

int
selflog_start(struct selflog *s, char *err, size_t errlen)
{
	if (pthread_create(&s->thread, NULL, thread_main, s) != 0)
		return errf(err, errlen, "cannot start the self-log thread");
	s->started = 1;
	return 0;
}

void
selflog_stop(struct selflog *s)
{
	if (s == NULL)
		return;
	log_set_hook(NULL, NULL);
	if (s->started) {
		pthread_mutex_lock(&s->mtx);
		s->stop = 1;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->mtx);
		pthread_join(s->thread, NULL);
	}
	pthread_mutex_destroy(&s->mtx);
	pthread_cond_destroy(&s->cond);
	free(s);
}
