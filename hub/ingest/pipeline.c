#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gelf.h"
#include "gunzip.h"
#include "jarena.h"
#include "jsonfast.h"
#include "log.h"
#include "normalize.h"
#include "pipeline.h"
#include "query.h"
#include "split.h"
#include "store.h"
#include "transit.h"

struct pipeline {
	struct pipeline_opts opts;
	struct store	*st;
	struct metrics	*m;
	struct jobq	 q;
	pthread_t	*threads;
	int		 nthreads;
};

#define FACET_PATH(col, path)	path,
static const char *const facet_paths[SCHEMA_FACET_COUNT] = {
	SCHEMA_FACETS(FACET_PATH)
};

/* Append s with its NUL to the arena; returns its offset or ROW_NONE. */
static uint32_t
arena_str(struct buf *a, const char *s)
{
	size_t	 off = a->len;

	if (s == NULL || buf_append(a, s, strlen(s) + 1) == -1)
		return ROW_NONE;
	return (uint32_t)off;
}

/* Add the row of item's normalized document, whose typed fields are f.
   Returns 0 or -1 (memory). */
static int
add_row(struct job *j, size_t item, const struct event_fields *fp)
{
	const struct event_fields f = *fp;
	struct row *r = &j->rows[j->nrows];
	json_t	*ev = j->split.items[item].doc;
	const json_t *v;
	size_t	 start, k;

	r->utc = f.utc_us;
	r->received = f.received_us;
	r->severity = f.severity;
	r->item = (uint32_t)item;
	r->category = arena_str(&j->arena, f.category);
	r->hostname = arena_str(&j->arena, f.hostname);
	r->processname = arena_str(&j->arena, f.processname);
	r->source = arena_str(&j->arena, f.source);
	r->summary = arena_str(&j->arena, f.summary);
	start = j->arena.len;
	if (jsonfast_dump(&j->arena, ev) == -1)
		return -1;
	r->doc = (uint32_t)start;
	r->doclen = (uint32_t)(j->arena.len - start);
	if (buf_append(&j->arena, "", 1) == -1)
		return -1;
	for (k = 0; k < SCHEMA_FACET_COUNT; k++) {
		r->facet[k] = ROW_NONE;
		/* what jsonfast_get() finds in the document's text, so
		   its dump is the text found there (fuzz_jsonfast) */
		if ((v = query_lookup(ev, facet_paths[k])) == NULL)
			continue;
		start = j->arena.len;
		if (jsonfast_dump(&j->arena, v) == -1)
			return -1;
		r->facet[k] = (uint32_t)start;
		r->facetlen[k] = (uint32_t)(j->arena.len - start);
	}
	start = j->arena.len;
	/* The text search and query_match() agree on (proto/query.c). */
	if (query_fts_text(ev, &j->arena) == -1)
		return -1;
	r->text = (uint32_t)start;
	r->textlen = (uint32_t)(j->arena.len - start);
	if (buf_append(&j->arena, "", 1) == -1 || j->arena.len > UINT32_MAX)
		return -1;
	j->nrows++;
	return 0;
}

/*
 * Normalize every document of j, run the transit steps over them (tw may
 * be NULL: none), then add the rows of those not dropped.  A dropped
 * item is answered as accepted without an id (status 204 in its split
 * item).  Returns 0 or -1 (memory).
 */
static int
add_rows(const struct pipeline_opts *o, struct transit_worker *tw,
    struct job *j)
{
	struct normalize_opts no = { j->received_us, o->hub };
	struct transit_ctx ctx = { j->received_us };
	struct event_fields *f = NULL;
	unsigned char *flags = NULL;
	json_t	**evs = NULL;
	size_t	*idx = NULL, i, n = 0;
	const char *ix;
	int	 rc = -1;

	if ((f = calloc(j->split.n + 1, sizeof *f)) == NULL ||
	    (flags = calloc(j->split.n + 1, 1)) == NULL ||
	    (evs = calloc(j->split.n + 1, sizeof *evs)) == NULL ||
	    (idx = calloc(j->split.n + 1, sizeof *idx)) == NULL)
		goto fail;
	for (i = 0; i < j->split.n; i++) {
		if (j->split.items[i].doc == NULL)
			continue;
		if (normalize_event(j->split.items[i].doc, &no, &f[n]) == -1)
			goto fail;
		/* The index it was sent to: the bulk action's _index, else
		   the path's (/INDEX/_doc, /INDEX/_bulk). */
		ix = *j->split.items[i].index ? j->split.items[i].index :
		    j->index;
		if (*ix != '\0' && normalize_set_detail(j->split.items[i].doc,
		    "index", ix) == -1)
			goto fail;
		evs[n] = j->split.items[i].doc;
		idx[n++] = i;
	}
	if (tw != NULL && !j->internal && transit_run(tw, evs, n, flags,
	    &ctx) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		struct split_item *it = &j->split.items[idx[i]];

		/* a batch step may have put another tree in its place */
		it->doc = evs[i];
		if (flags[i] & TRANSIT_DROP) {
			it->status = 204;
			snprintf(it->err, sizeof it->err, "dropped in transit");
			continue;
		}
		if ((flags[i] & TRANSIT_CHANGED) &&
		    normalize_fields(it->doc, j->received_us, &f[i]) == -1)
			goto fail;
		if (add_row(j, idx[i], &f[i]) == -1)
			goto fail;
	}
	rc = 0;
fail:
	free(f);
	free(flags);
	free(evs);
	free(idx);
	return rc;
}

/* pipeline_process() with the worker's transit (NULL: none). */
static void
process(const struct pipeline_opts *o, struct transit_worker *tw,
    struct job *j, struct metrics *m)
{
	struct split_limits lim = { o->max_depth, 100000 };
	enum split_format fmt;
	struct buf inflated;
	size_t	 i;
	int	 rc;

	buf_init(&inflated);
	if (j->gzip) {
		rc = gunzip(j->body.data, j->body.len, o->max_inflated,
		    &inflated, j->err, sizeof j->err);
		if (rc != 0) {
			j->status = rc == -2 ? 413 : 400;
			goto out;
		}
		buf_release(&j->body);
		j->body = inflated;
		buf_init(&inflated);
	}
	if (j->kind == JOB_GELF) {	/* one message: made an event */
		const char *why;

		buf_reset(&inflated);
		if (gelf_to_event(j->body.data ? j->body.data : "",
		    j->body.len, o->max_inflated, NULL, &inflated,
		    &why) == -1) {
			snprintf(j->err, sizeof j->err, "not a GELF message: "
			    "%s", why);
			j->status = 400;
			goto out;
		}
		buf_release(&j->body);
		j->body = inflated;
		buf_init(&inflated);
	}
	switch (j->kind) {
	case JOB_BULK:
		fmt = SPLIT_BULK;
		break;
	case JOB_GELF:
		fmt = SPLIT_NDJSON;
		break;
	case JOB_DOC:
		fmt = SPLIT_JSON;
		break;
	default:
		fmt = split_format_for(j->ctype[0] ? j->ctype : NULL);
		break;
	}
	if (split_body(j->body.data ? j->body.data : "", j->body.len, fmt,
	    &lim, &j->split, j->err, sizeof j->err) == -1) {
		j->status = 400;
		goto out;
	}
	if (j->kind == JOB_DOC && j->split.n != 1) {
		j->status = 400;
		snprintf(j->err, sizeof j->err,
		    "expected one document, got %zu", j->split.n);
		goto out;
	}
	/* The arena takes ~1.6 times the body (documents, text, facets:
	   loadgen's events); it grows if need be, but a job waiting for
	   the rules holds all of it. */
	if ((j->rows = calloc(j->split.n + 1, sizeof *j->rows)) == NULL ||
	    buf_reserve(&j->arena, j->body.len * 2 + 256) == -1)
		goto nomem;
	if (add_rows(o, tw, j) == -1)
		goto nomem;
	atomic_fetch_add(&m->events_received, j->split.n);
	atomic_fetch_add(&m->events_rejected, j->split.bad);
	goto out;
nomem:
	j->status = 503;
	snprintf(j->err, sizeof j->err, "out of memory");
out:
	buf_release(&inflated);
	/* The body and the trees are no longer needed: the rows hold what
	   is stored.  Trees built in this thread's arena go with its reset,
	   unwalked (json_decref visits every value: 14 % of this thread's
	   time); without an arena they are freed. */
	buf_release(&j->body);
	for (i = 0; i < j->split.n; i++) {
		if (jarena_current() == NULL)
			json_decref(j->split.items[i].doc);
		j->split.items[i].doc = NULL;
	}
	jarena_reset(jarena_current());
}

void
pipeline_process(const struct pipeline_opts *o, struct transit_worker *tw,
    struct job *j, struct metrics *m)
{
	process(o, tw, j, m);
}

static void *
worker_main(void *arg)
{
	struct pipeline *p = arg;
	struct transit_worker *tw = NULL;
	struct job *j;
	struct jarena arena;
	char	 err[512];

	pthread_setname_np(pthread_self(), "ward-pipe");
	if (p->opts.transit != NULL &&
	    (tw = transit_slot_worker(p->opts.transit, err, sizeof err)) ==
	    NULL)
		log_err("pipeline: a worker runs without parsers and "
		    "plugins: %s", err);
	jarena_init(&arena);
	jarena_use(&arena);
	while ((j = jobq_take(&p->q)) != NULL) {
		if (tw != NULL) {
			/* per-worker states outlive jobs: not in the arena */
			jarena_use(NULL);
			transit_worker_sync(tw);
			jarena_use(&arena);
		}
		process(&p->opts, tw, j, p->m);
		store_submit(p->st, j);
	}
	jarena_use(NULL);
	jarena_release(&arena);
	transit_worker_free(tw);
	return NULL;
}

struct pipeline *
pipeline_new(const struct pipeline_opts *o, struct store *st,
    struct metrics *m)
{
	struct pipeline *p;
	int	 i;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	p->opts = *o;
	p->st = st;
	p->m = m;
	if (jobq_init(&p->q) == -1 ||
	    (p->threads = calloc((size_t)o->workers, sizeof *p->threads)) ==
	    NULL)
		goto fail;
	for (i = 0; i < o->workers; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			goto fail;
		p->nthreads++;
	}
	return p;
fail:
	pipeline_free(p);
	return NULL;
}

void
pipeline_submit(struct pipeline *p, struct job *j)
{
	jobq_push(&p->q, j);
}

void
pipeline_free(struct pipeline *p)
{
	int	 i;

	if (p == NULL)
		return;
	if (p->q.mtx != NULL) {
		jobq_close(&p->q);
		for (i = 0; i < p->nthreads; i++)
			pthread_join(p->threads[i], NULL);
		jobq_release(&p->q);
	}
	free(p->threads);
	free(p);
}
