#include <pthread.h>
#include <stdlib.h>

#include "job.h"
#include "monotime.h"

struct job *
job_new(enum job_kind kind)
{
	struct job *j;

	if ((j = calloc(1, sizeof *j)) == NULL)
		return NULL;
	j->kind = kind;
	buf_init(&j->body);
	buf_init(&j->arena);
	split_result_init(&j->split);
	j->t0_ns = monotime_ns();
	return j;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	buf_release(&j->body);
	buf_release(&j->arena);
	split_result_release(&j->split);
	free(j->rows);
	free(j->ids);
	free(j);
}

size_t
job_bytes(const struct job *j)
{
	size_t	 n = j->nrows + 1;	/* rows and ids: one per item */

	if (j->split.n + 1 > n)
		n = j->split.n + 1;
	return sizeof *j + j->body.cap + j->arena.cap +
	    j->split.cap * sizeof *j->split.items +
	    (j->rows != NULL ? n * sizeof *j->rows : 0) +
	    (j->ids != NULL ? n * sizeof *j->ids : 0);
}

int
jobq_init(struct jobq *q)
{
	q->head = q->tail = NULL;
	q->n = 0;
	q->closed = 0;
	q->mtx = malloc(sizeof(pthread_mutex_t));
	q->cond = malloc(sizeof(pthread_cond_t));
	if (q->mtx == NULL || q->cond == NULL)
		goto fail;
	pthread_mutex_init(q->mtx, NULL);
	pthread_cond_init(q->cond, NULL);
	return 0;
fail:
	free(q->mtx);
	free(q->cond);
	q->mtx = q->cond = NULL;
	return -1;
}

void
jobq_release(struct jobq *q)
{
	struct job *j, *next;

	for (j = q->head; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	if (q->mtx != NULL) {
		pthread_mutex_destroy(q->mtx);
		pthread_cond_destroy(q->cond);
	}
	free(q->mtx);
	free(q->cond);
	q->mtx = q->cond = NULL;
	q->head = q->tail = NULL;
}

void
jobq_push(struct jobq *q, struct job *j)
{
	j->next = NULL;
	pthread_mutex_lock(q->mtx);
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->n++;
	pthread_cond_signal(q->cond);
	pthread_mutex_unlock(q->mtx);
}

static struct job *
take_all_locked(struct jobq *q, size_t *n)
{
	struct job *j = q->head;

	if (n != NULL)
		*n = q->n;
	q->head = q->tail = NULL;
	q->n = 0;
	return j;
}

struct job *
jobq_take_all(struct jobq *q, size_t *n)
{
	struct job *j;

	pthread_mutex_lock(q->mtx);
	while (q->head == NULL && !q->closed)
		pthread_cond_wait(q->cond, q->mtx);
	j = take_all_locked(q, n);
	pthread_mutex_unlock(q->mtx);
	return j;
}

struct job *
jobq_take(struct jobq *q)
{
	struct job *j;

	pthread_mutex_lock(q->mtx);
	while (q->head == NULL && !q->closed)
		pthread_cond_wait(q->cond, q->mtx);
	if ((j = q->head) != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->n--;
		j->next = NULL;
	}
	pthread_mutex_unlock(q->mtx);
	return j;
}

struct job *
jobq_poll_all(struct jobq *q)
{
	struct job *j;

	pthread_mutex_lock(q->mtx);
	j = take_all_locked(q, NULL);
	pthread_mutex_unlock(q->mtx);
	return j;
}

void
jobq_close(struct jobq *q)
{
	pthread_mutex_lock(q->mtx);
	q->closed = 1;
	pthread_cond_broadcast(q->cond);
	pthread_mutex_unlock(q->mtx);
}
