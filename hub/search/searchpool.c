#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "archive.h"
#include "deadline.h"
#include "searchpool.h"

#define HIGH_WATER	(256 * 1024)	/* a search waits past this */
#define PER_KEY		2		/* tasks of a key running at once */
#define MAX_WAITING	4		/* ... and waiting */

/* A key (a user) with tasks running or waiting. */
struct skey {
	struct skey	*next;
	char		 name[65];
	int		 running, waiting;
};

struct sjob {
	char		*q;
	struct search_opts opts;
	struct buf	 out;		/* produced, not yet taken */
	int		 done;
	int		 status;
	char		 err[512];
	int		 errpos;
	int		 cancelled;
	int		 stalled;	/* its client took nothing for the
					   search's time limit: stopped */
	int		 refs;		/* searcher + caller */
	int		 signalled;	/* ready() called, not yet taken */
	void		*owner;
	struct searchpool	*s;
	struct sjob	*next;

	/* A task instead of a search. */
	searchpool_task_fn task;
	void		*task_arg;
	uint64_t	 tag;
	struct skey	*key;
	atomic_int	 cancel;
	struct sjob	*rnext;		/* the running tasks */
};

struct searchpool {
	char		*datadir;
	pthread_mutex_t	 mtx;		/* guards everything here and jobs */
	pthread_cond_t	 work;		/* a job was queued */
	pthread_cond_t	 drained;	/* output was taken or cancelled */
	struct sjob	*head, *tail;
	int		 stop;
	pthread_t	*threads;
	int		 nthreads;
	searchpool_ready_fn ready;
	void		*ready_arg;
	struct skey	*keys;
	struct sjob	*running;	/* tasks running, by rnext */
	int		 nrunning, nwaiting;
	int		 per_key, max_waiting;
	int		 nice;
};

static void
unref_locked(struct sjob *j)
{
	if (--j->refs > 0)
		return;
	buf_release(&j->out);
	free(j->q);
	free(j);
}

/* Tell the net thread once per batch of news. */
static void
notify_locked(struct sjob *j)
{
	if (j->signalled || j->cancelled || j->s->ready == NULL)
		return;
	j->signalled = 1;
	j->refs++;		/* held by the ready queue: sjob_unref */
	j->s->ready(j->s->ready_arg, j);
}

static int
emit(void *arg, const char *line, size_t len)
{
	struct sjob *j = arg;
	struct searchpool *s = j->s;
	struct timespec until;
	int	 rc = 0;

	/* A client that does not read holds the search, and its snapshot of
	   the day being written, which keeps that WAL from being truncated
	   (hub/ingest/walgate.h): one that takes nothing for as long as
	   the search may run stops it (504). */
	pthread_mutex_lock(&s->mtx);
	while (j->out.len > HIGH_WATER && !j->cancelled && !s->stop &&
	    !j->stalled) {
		notify_locked(j);
		deadline_after(CLOCK_REALTIME, (int64_t)(j->opts.timeout_ms >
		    0 ? j->opts.timeout_ms : SEARCH_TIMEOUT_MS) * 1000, &until);
		if (pthread_cond_timedwait(&s->drained, &s->mtx, &until) ==
		    ETIMEDOUT && j->out.len > HIGH_WATER)
			j->stalled = 1;
	}
	if (j->cancelled || s->stop || j->stalled ||
	    buf_append(&j->out, line, len) == -1 ||
	    buf_append(&j->out, "\n", 1) == -1)
		rc = -1;
	else if (j->out.len >= 16384)
		notify_locked(j);
	pthread_mutex_unlock(&s->mtx);
	return rc;
}

/* {"notice":"3 days archived: restore with ...","archived":3}: the
   search's time range reaches days it could not read. */
static void
archived_locked(struct searchpool *s, struct sjob *j,
    const struct search_info *info)
{
	char	 text[512], *line;
	json_t	*o;

	archive_notice(s->datadir, info->archived, info->archived_days,
	    SEARCH_ARCHIVED_MAX, text, sizeof text);
	if ((o = json_pack("{sssI}", "notice", text, "archived",
	    (json_int_t)info->archived)) == NULL)
		return;
	if ((line = json_dumps(o, JSON_COMPACT)) != NULL) {
		buf_puts(&j->out, line);
		buf_puts(&j->out, "\n");
	}
	free(line);
	json_decref(o);
}

/*
 * The last line of a search cut short, so that a client reading the NDJSON
 * knows more matched: {"notice":"...","limited":true} after the limit,
 * {"notice":"...","truncated":true} when an aggregation dropped groups.
 * Event lines always have "id", aggregation rows "count"; this has
 * neither.
 */
static void
notice_locked(struct sjob *j, const struct search_info *info)
{
	char	 line[256];

	if (info->limited)
		snprintf(line, sizeof line, "{\"notice\":\"limit %zu reached; "
		    "more match (raise limit= or narrow the query)\","
		    "\"limited\":true}\n", info->rows);
	else
		snprintf(line, sizeof line, "{\"notice\":\"too many groups: "
		    "the counts are partial\",\"truncated\":true}\n");
	buf_puts(&j->out, line);
}

/* A task's key is done with one task (running or waiting): forget the
   key when it has no more. */
static void
key_drop_locked(struct searchpool *s, struct skey *k)
{
	struct skey **pp;

	if (k->running > 0 || k->waiting > 0)
		return;
	for (pp = &s->keys; *pp != NULL; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			free(k);
			return;
		}
}

/* Take the first job of the queue that may run now: a search, or a task
   whose key runs fewer than per_key.  NULL when none may. */
static struct sjob *
pick_locked(struct searchpool *s)
{
	struct sjob **pp, *j, *prev = NULL;

	for (pp = &s->head; (j = *pp) != NULL; prev = j, pp = &j->next) {
		if (j->task != NULL && j->key->running >= s->per_key &&
		    !atomic_load(&j->cancel))
			continue;
		*pp = j->next;
		if (s->tail == j)
			s->tail = prev;
		j->next = NULL;
		return j;
	}
	return NULL;
}

/* Run task j (taken from the queue) with the mutex dropped meanwhile. */
static void
run_task_locked(struct searchpool *s, struct sjob *j)
{
	struct sjob **pp;

	j->key->waiting--;
	j->key->running++;
	s->nwaiting--;
	s->nrunning++;
	j->rnext = s->running;
	s->running = j;
	pthread_mutex_unlock(&s->mtx);
	j->task(j->task_arg, &j->cancel);
	pthread_mutex_lock(&s->mtx);
	for (pp = &s->running; *pp != NULL; pp = &(*pp)->rnext)
		if (*pp == j) {
			*pp = j->rnext;
			break;
		}
	j->key->running--;
	s->nrunning--;
	key_drop_locked(s, j->key);
	free(j);
	/* One of the key's waiting tasks may run now. */
	pthread_cond_broadcast(&s->work);
}

static void *
worker(void *arg)
{
	struct searchpool *s = arg;
	struct search_info info;
	struct sjob *j;
	char	 err[512];
	int	 errpos, rc, nice = 0;

	pthread_setname_np(pthread_self(), "ward-search");
	pthread_mutex_lock(&s->mtx);
	for (;;) {
		j = NULL;
		while (!s->stop && (j = pick_locked(s)) == NULL)
			pthread_cond_wait(&s->work, &s->mtx);
		if (s->stop)
			break;
		if (s->nice != nice) {
			/* On Linux a thread's nice value is its own. */
			nice = s->nice;
			setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
			    nice);
		}
		if (j->task != NULL) {
			run_task_locked(s, j);
			continue;
		}
		pthread_mutex_unlock(&s->mtx);

		errpos = -1;
		err[0] = '\0';
		memset(&info, 0, sizeof info);
		rc = j->cancelled ? -1 : search_run(s->datadir, j->q, &j->opts,
		    emit, j, &info, err, sizeof err, &errpos);

		pthread_mutex_lock(&s->mtx);
		j->done = 1;
		j->errpos = errpos;
		snprintf(j->err, sizeof j->err, "%s", err);
		if (rc == 0 || j->cancelled)
			j->status = 200;	/* or stopped by the client */
		else if (info.timed_out)
			j->status = 504;
		else
			j->status = search_http_status(info.error);
		if (rc == 0 && (info.timed_out || j->stalled)) {
			j->status = 504;
			snprintf(j->err, sizeof j->err, "search timed out");
		}
		if (j->status == 200 && !j->cancelled &&
		    (info.limited || info.truncated))
			notice_locked(j, &info);
		if (j->status == 200 && !j->cancelled && info.archived > 0)
			archived_locked(s, j, &info);
		notify_locked(j);
		unref_locked(j);
	}
	pthread_mutex_unlock(&s->mtx);
	return NULL;
}

struct searchpool *
searchpool_new(const char *datadir, int nthreads, searchpool_ready_fn ready,
    void *arg)
{
	struct searchpool *s;
	int	 i;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->drained, NULL);
	s->ready = ready;
	s->ready_arg = arg;
	s->per_key = PER_KEY;
	s->max_waiting = MAX_WAITING;
	if ((s->datadir = strdup(datadir)) == NULL ||
	    (s->threads = calloc((size_t)nthreads, sizeof *s->threads)) ==
	    NULL)
		goto fail;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&s->threads[i], NULL, worker, s) != 0)
			goto fail;
		s->nthreads++;
	}
	return s;
fail:
	searchpool_free(s);
	return NULL;
}

void
searchpool_free(struct searchpool *s)
{
	struct sjob *j, *next;
	int	 i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mtx);
	s->stop = 1;
	for (j = s->running; j != NULL; j = j->rnext)
		atomic_store(&j->cancel, 1);
	pthread_cond_broadcast(&s->work);
	pthread_cond_broadcast(&s->drained);
	pthread_mutex_unlock(&s->mtx);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	for (j = s->head; j != NULL; j = next) {
		next = j->next;
		if (j->task != NULL) {
			atomic_store(&j->cancel, 1);
			j->task(j->task_arg, &j->cancel);
			free(j);
		} else
			unref_locked(j);	/* the searcher's reference */
	}
	while (s->keys != NULL) {
		struct skey *k = s->keys;

		s->keys = k->next;
		free(k);
	}
	pthread_mutex_destroy(&s->mtx);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->drained);
	free(s->threads);
	free(s->datadir);
	free(s);
}

void
searchpool_nice(struct searchpool *s, int nice)
{
	pthread_mutex_lock(&s->mtx);
	s->nice = nice;
	pthread_mutex_unlock(&s->mtx);
}

void
searchpool_limits(struct searchpool *s, int per_key, int max_waiting)
{
	pthread_mutex_lock(&s->mtx);
	s->per_key = per_key > 0 ? per_key : 1;
	s->max_waiting = max_waiting >= 0 ? max_waiting : 0;
	pthread_mutex_unlock(&s->mtx);
}

int
searchpool_task(struct searchpool *s, const char *key, uint64_t tag,
    searchpool_task_fn fn, void *arg, int *running, int *waiting)
{
	struct sjob *j;
	struct skey *k;
	int	 rc = 0;

	if ((j = calloc(1, sizeof *j)) == NULL)
		return -1;
	j->task = fn;
	j->task_arg = arg;
	j->tag = tag;
	j->s = s;
	atomic_init(&j->cancel, 0);
	pthread_mutex_lock(&s->mtx);
	for (k = s->keys; k != NULL; k = k->next)
		if (strcmp(k->name, key) == 0)
			break;
	if (k == NULL) {
		if ((k = calloc(1, sizeof *k)) == NULL) {
			rc = -1;
			goto out;
		}
		snprintf(k->name, sizeof k->name, "%s", key);
		k->next = s->keys;
		s->keys = k;
	}
	if (s->stop)
		rc = -1;
	else if (k->running + k->waiting >= s->per_key + s->max_waiting)
		rc = 1;
	else {
		j->key = k;
		k->waiting++;
		s->nwaiting++;
		if (s->tail != NULL)
			s->tail->next = j;
		else
			s->head = j;
		s->tail = j;
		pthread_cond_signal(&s->work);
	}
	if (running != NULL)
		*running = k->running;
	if (waiting != NULL)
		*waiting = k->waiting;
	if (rc != 0)
		key_drop_locked(s, k);
out:
	pthread_mutex_unlock(&s->mtx);
	if (rc != 0)
		free(j);
	return rc;
}

void
searchpool_cancel(struct searchpool *s, uint64_t tag)
{
	struct sjob **pp, *j, *prev = NULL, *gone = NULL;

	pthread_mutex_lock(&s->mtx);
	for (pp = &s->head; (j = *pp) != NULL; ) {
		if (j->task == NULL || j->tag != tag) {
			prev = j;
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		if (s->tail == j)
			s->tail = prev;
		j->key->waiting--;
		s->nwaiting--;
		key_drop_locked(s, j->key);
		j->key = NULL;
		j->next = gone;
		gone = j;
	}
	for (j = s->running; j != NULL; j = j->rnext)
		if (j->tag == tag)
			atomic_store(&j->cancel, 1);
	pthread_mutex_unlock(&s->mtx);
	while ((j = gone) != NULL) {
		gone = j->next;
		atomic_store(&j->cancel, 1);
		j->task(j->task_arg, &j->cancel);
		free(j);
	}
}

void
searchpool_load(struct searchpool *s, int *running, int *waiting)
{
	pthread_mutex_lock(&s->mtx);
	*running = s->nrunning;
	*waiting = s->nwaiting;
	pthread_mutex_unlock(&s->mtx);
}

struct sjob *
searchpool_submit(struct searchpool *s, const char *q,
    const struct search_opts *opts)
{
	struct sjob *j;

	if ((j = calloc(1, sizeof *j)) == NULL)
		return NULL;
	if ((j->q = strdup(q)) == NULL) {
		free(j);
		return NULL;
	}
	j->opts = *opts;
	j->s = s;
	j->refs = 2;
	j->errpos = -1;
	buf_init(&j->out);
	pthread_mutex_lock(&s->mtx);
	if (s->tail != NULL)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mtx);
	return j;
}

int
sjob_take(struct sjob *j, struct buf *out, size_t max, int *status,
    char *err, size_t errlen, int *errpos)
{
	struct searchpool *s = j->s;
	size_t	 n;
	int	 finished;

	pthread_mutex_lock(&s->mtx);
	n = j->out.len < max ? j->out.len : max;
	buf_append(out, j->out.data, n);
	if (n > 0) {
		memmove(j->out.data, j->out.data + n, j->out.len - n);
		j->out.len -= n;
		j->out.data[j->out.len] = '\0';
		pthread_cond_broadcast(&s->drained);
	}
	j->signalled = 0;
	*status = j->done ? j->status : 0;
	snprintf(err, errlen, "%s", j->err);
	*errpos = j->errpos;
	finished = j->done && j->out.len == 0;
	pthread_mutex_unlock(&s->mtx);
	return finished;
}

int
sjob_ready(struct sjob *j)
{
	int	 r;

	pthread_mutex_lock(&j->s->mtx);
	r = j->done || j->out.len > 0;
	pthread_mutex_unlock(&j->s->mtx);
	return r;
}

void
sjob_release(struct sjob *j)
{
	struct searchpool *s = j->s;

	pthread_mutex_lock(&s->mtx);
	j->cancelled = 1;
	pthread_cond_broadcast(&s->drained);
	unref_locked(j);
	pthread_mutex_unlock(&s->mtx);
}

void
sjob_unref(struct sjob *j)
{
	struct searchpool *s = j->s;

	pthread_mutex_lock(&s->mtx);
	unref_locked(j);
	pthread_mutex_unlock(&s->mtx);
}

void *
sjob_owner(struct sjob *j)
{
	return j->owner;
}

void
sjob_set_owner(struct sjob *j, void *owner)
{
	j->owner = owner;
}
