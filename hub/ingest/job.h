/* job — one ingest request on its way from the net thread through the
 * pipeline and the store and back.  While a job is in flight the pipeline
 * or the store owns it; once committed, the commit owner (hub/commit.h)
 * does, on the net thread, until it frees the job or hands it to the
 * rules (which free it).  Only the net thread touches wsi. */
#ifndef WARD_JOB_H
#define WARD_JOB_H

#include <stdint.h>

#include "buf.h"
#include "schema.h"
#include "split.h"

enum job_kind {
	JOB_EVENTS,	/* POST /events: JSON, array, NDJSON, stream */
	JOB_BULK,	/* POST /_bulk, /INDEX/_bulk */
	JOB_DOC,	/* POST /INDEX/_doc: one Elasticsearch document */
	JOB_GELF	/* POST /gelf: one GELF message (gelf.h) */
};

struct ingest_source;

#define ROW_NONE	UINT32_MAX

/* One normalized event ready for the store; strings are offsets into
   the job's arena (ROW_NONE for absent). */
struct row {
	int64_t		 utc;		/* µs */
	int64_t		 received;	/* µs */
	int		 severity;	/* enum severity */
	uint32_t	 category, hostname, processname, source, summary;
	uint32_t	 doc, doclen;	/* normalized event, JSON */
	uint32_t	 text, textlen;	/* free text for the FTS index */
	uint32_t	 facet[SCHEMA_FACET_COUNT];	/* JSON text in doc, */
	uint32_t	 facetlen[SCHEMA_FACET_COUNT];	/* or ROW_NONE */
	uint32_t	 item;		/* index of its split item */
};

struct job {
	enum job_kind	 kind;
	struct buf	 body;		/* the request body as received */
	char		 ctype[128];	/* Content-Type, "" if none */
	char		 index[128];	/* Elasticsearch index in the path */
	int		 gzip;		/* Content-Encoding: gzip */
	int64_t		 received_us;	/* arrival */
	int64_t		 t0_ns;		/* monotonic, for ack latency */
	int		 internal;	/* the hub's own events (selflog.c):
					   no decoder or plugin runs; commit.c
					   gives them a slot of their own */

	/* Filled by the pipeline. */
	int		 status;	/* 0 while fine, else the HTTP status */
	char		 err[256];	/* whole-request error */
	struct split_result split;	/* items (documents freed) */
	struct row	*rows;
	size_t		 nrows;
	struct buf	 arena;

	/* Filled by the store. */
	int64_t		*ids;		/* per item: event id, or -1 */

	/* Net thread only. */
	void		*wsi;		/* NULL once the client has gone */
	struct ingest_source *src;	/* not HTTP: told when done
					   (source.h); NULL for HTTP */
	struct job	*next;		/* in a queue */
};

/* A new empty job, or NULL. */
struct job	*job_new(enum job_kind);
/* Free a job and all it holds; accepts NULL. */
void		 job_free(struct job *);
/* About the bytes j holds on the heap: its buffers' capacities, its
   split items (not the documents they point to), rows and ids; for
   bounding what waits in a queue. */
size_t		 job_bytes(const struct job *j);
/* A FIFO of jobs with a lock and a condition, for handing jobs between
   threads. */
struct jobq {
	struct job	*head, *tail;
	size_t		 n;
	int		 closed;
	void		*mtx, *cond;	/* pthread objects, opaque here */
};

/* Returns 0 or -1. */
int		 jobq_init(struct jobq *);
void		 jobq_release(struct jobq *);
/* Append j; wakes one waiter. */
void		 jobq_push(struct jobq *, struct job *j);
/* Take every queued job (a list in FIFO order through next), waiting
   until there is one, or the queue is closed (then returns NULL). */
struct job	*jobq_take_all(struct jobq *, size_t *n);
/* Take one job, waiting; NULL once closed and empty. */
struct job	*jobq_take(struct jobq *);
/* Take every queued job without waiting; NULL if none. */
struct job	*jobq_poll_all(struct jobq *);
/* Wake every waiter; takes return NULL once the queue is empty. */
void		 jobq_close(struct jobq *);

#endif
