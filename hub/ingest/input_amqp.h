/* input_amqp — a RabbitMQ (AMQP 0-9-1) consumer as an ingest source
 * (--amqp URL), MozDef's own transport.  One thread a URL consumes a
 * queue with a prefetch window, checks each delivery is JSON (an event,
 * an array of events or NDJSON), hands batches to the pipeline, and acks
 * to the broker only when the store says the batch's events are in an
 * fsynced commit (source.h).  At least once: a delivery taken but not
 * acked when the hub or the connection dies comes again. */
#ifndef WARD_INPUT_AMQP_H
#define WARD_INPUT_AMQP_H

#include <stddef.h>

struct amqp_input;
struct net;
struct metrics;

/*
 * Parse url: amqp[s]://USER:PASS@HOST:PORT/VHOST?queue=Q&exchange=E&
 * routing-key=K&prefetch=N (queue default "eventtask", exchange default
 * "eventtask", routing-key default the queue's name, prefetch default
 * 8000).  No connection yet.  NULL with err on a bad URL.
 */
struct amqp_input *amqp_input_new(const char *url, char *err, size_t errlen);
/* Put its counters on m's /metrics.  0 or -1. */
int		 amqp_input_register(struct amqp_input *, struct metrics *m);
/* Start consuming (connecting, and again after every failure, with
   backoff).  0, or -1 (no thread). */
int		 amqp_input_start(struct amqp_input *, struct net *net);
/* Stop consuming and join; what is not acked comes again from the
   broker.  Before the pipeline stops. */
void		 amqp_input_stop(struct amqp_input *);
/* Free; accepts NULL.  After the net is freed. */
void		 amqp_input_free(struct amqp_input *);

#endif
