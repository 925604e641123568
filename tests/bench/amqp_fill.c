/*
 * amqp_fill — fill a RabbitMQ queue for the inputs benchmark faster than
 * amqp-publish (about 18k messages/s on a quiet 2-core machine, so that
 * it measured the publisher, not the hub).  Reads NDJSON events from
 * FILE and publishes them, persistent, to the default exchange with
 * routing key QUEUE (declared durable when missing), EVENTS events a
 * message: 1, one JSON object a message as MozDef's shippers send; more,
 * NDJSON bodies as a batching shipper sends.  Then waits until the queue
 * holds every message (a passive declare's count), so that the caller
 * can start a consumer on a full queue.  Prints the messages published.
 *   amqp_fill -h HOST -p PORT -q QUEUE [-b EVENTS] FILE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amqp_bench.h"



int
main(int argc, char **argv)
{
	amqp_connection_state_t c;
	amqp_basic_properties_t props;
	amqp_queue_declare_ok_t *ok;
	const char *host = "127.0.0.1", *queue = "eventtask";
	int	 port = 5672, per = 1, ch, n = 0, version = 0;
	amqp_table_entry_t arg;
	amqp_table_t args = amqp_empty_table;
	long	 msgs = 0;
	char	*line = NULL, *body = NULL;
	size_t	 cap = 0, blen = 0, bcap = 0;
	ssize_t	 len;
	FILE	*in;

	amqp_bench_name = "amqp_fill";
	while ((ch = getopt(argc, argv, "h:p:q:b:v:")) != -1)
		switch (ch) {
		case 'h': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'q': queue = optarg; break;
		case 'b': per = atoi(optarg); break;
		case 'v': version = atoi(optarg); break;
		default: die("usage: amqp_fill -h HOST -p PORT -q QUEUE "
		    "[-b EVENTS] [-v QUEUE-VERSION] FILE");
		}
	if (optind != argc - 1 || per < 1)
		die("usage: amqp_fill -h HOST -p PORT -q QUEUE [-b EVENTS] "
		    "[-v QUEUE-VERSION] FILE");
	/* -v 2: a classic queue in RabbitMQ's version 2 format (3.10 on;
	   the default from 3.12), as a site would declare it. */
	if (version > 0) {
		arg.key = amqp_cstring_bytes("x-queue-version");
		arg.value.kind = AMQP_FIELD_KIND_I32;
		arg.value.value.i32 = version;
		args.num_entries = 1;
		args.entries = &arg;
	}
	if ((in = fopen(argv[optind], "r")) == NULL)
		die(strerror(errno));
	c = amqp_bench_connect(host, port);
	amqp_queue_declare(c, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, args);
	rpc(c, "queue.declare (durable) refused");
	memset(&props, 0, sizeof props);
	props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG |
	    AMQP_BASIC_CONTENT_TYPE_FLAG;
	props.delivery_mode = 2;
	props.content_type = amqp_cstring_bytes("application/json");
	for (;;) {
		len = getline(&line, &cap, in);
		if (len > 0) {
			if (blen + (size_t)len > bcap) {
				bcap = (blen + (size_t)len) * 2;
				if ((body = realloc(body, bcap)) == NULL)
					die("out of memory");
			}
			memcpy(body + blen, line, (size_t)len);
			blen += (size_t)len;
			n++;
		}
		if (blen > 0 && (n == per || len <= 0)) {
			amqp_bytes_t b = { blen, body };

			if (amqp_basic_publish(c, 1, amqp_empty_bytes,
			    amqp_cstring_bytes(queue), 0, 0, &props, b) !=
			    AMQP_STATUS_OK)
				die("publish failed");
			msgs++;
			blen = 0;
			n = 0;
		}
		if (len <= 0)
			break;
	}
	/* Until the broker has them all in the queue. */
	for (;;) {
		ok = amqp_queue_declare(c, 1, amqp_cstring_bytes(queue), 1, 0,
		    0, 0, amqp_empty_table);
		rpc(c, "queue.declare (passive) refused");
		if (ok->message_count >= msgs)
			break;
		usleep(20000);
	}
	printf("%ld\n", msgs);
	amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
	amqp_connection_close(c, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(c);
	free(line);
	free(body);
	fclose(in);
	return 0;
}
