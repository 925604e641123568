/* source — a way events come into the hub other than an HTTP request: a
 * syslog or GELF listener, a RabbitMQ consumer.  The HTTP side (net.c)
 * and every source are peers: each fills jobs (job.h), hands them to the
 * pipeline through net_submit() and learns through its done() callback,
 * on the net thread, that the job's events are in an fsynced commit (or
 * that the job failed).  Only then may a source acknowledge what it took
 * (a broker's ack); a listener without acks counts what it could not
 * store.  The commit owner (hub/commit.h) then feeds the consoles' tails
 * and the rules from the job, on the net thread, as it does for HTTP.  A later hub that consumes from a
 * shared queue is one more source.
 *
 * The counters are rendered on /metrics (metrics_more "inputs") labelled
 * by the source's kind and URL: {input="syslog",url="tcp://:514"}.
 */
#ifndef WARD_SOURCE_H
#define WARD_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>

struct job;
struct metrics;
struct buf;

struct ingest_source {
	char		 name[256];	/* for logs: "syslog tcp://0.0.0.0:514" */
	char		 kind[16];	/* label input: "syslog" */
	char		 url[224];	/* label url, no password:
					   "tcp://0.0.0.0:514" */
	/*
	 * Net thread: j (with j->src == this source) is back from the
	 * store; j->status is 0 when its events are committed (j->ids[i]
	 * >= 0 for each stored item), else the HTTP status of the failure.
	 * Short: a counter, a queue, a wake-up.  Must not keep j, which
	 * the net thread frees or hands to the rules afterwards.
	 */
	void		(*done)(struct ingest_source *, struct job *j);
	atomic_uint_fast64_t messages;	/* messages (deliveries) taken */
	atomic_uint_fast64_t events;	/* events stored from them */
	atomic_uint_fast64_t rejected;	/* messages dropped as bad */
	atomic_uint_fast64_t dropped;	/* lost before reaching the hub
					   (UDP socket buffer overruns) */
	atomic_uint_fast64_t failed;	/* events the store refused */
	atomic_uint_fast64_t reconnects;	/* to a broker */
	atomic_int_fast64_t connections;	/* open now (listeners) */
	struct ingest_source *next;	/* in the metrics table */
};

/*
 * Put s on the hub's /metrics (the "inputs" table of m).  Call on the
 * main thread before the net serves; s must outlive metrics_release().
 * Returns 0, or -1 when the table cannot be made.
 */
int	source_register(struct metrics *m, struct ingest_source *s);

/*
 * Count j's outcome on s: events stored, or, when the job failed, its
 * items as failed.  Returns the number of events stored.  For done().
 */
size_t	source_count(struct ingest_source *s, const struct job *j);

/*
 * Append s[0..n) to b as a JSON string literal, bytes that are not UTF-8
 * each replaced by U+FFFD (a syslog line may carry Latin-1).  0 or -1.
 */
int	source_json_text(struct buf *b, const char *s, size_t n);

#endif
