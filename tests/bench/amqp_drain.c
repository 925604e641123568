/*
 * amqp_drain — the broker's own ceiling: consume N messages from a queue
 * and do nothing with them but acknowledge them (multiple=true every
 * 2,000, and the last), with the hub's prefetch.  What the broker can
 * deliver to a consumer that costs nothing, on the same cores, for
 * tests/bench/inputs.sh to print beside the hub's rate.
 *
 *   amqp_drain -h HOST -p PORT -q QUEUE -n MESSAGES [-P PREFETCH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amqp_bench.h"

#include "monotime.h"

#define ACK_EVERY	2000



int
main(int argc, char **argv)
{
	amqp_connection_state_t c;
	amqp_envelope_t env;
	const char *host = "127.0.0.1", *queue = "eventtask";
	int	 port = 5672, prefetch = 8000, ch;
	long	 n = 0, got = 0;
	int64_t	 t0, t1;

	amqp_bench_name = "amqp_drain";
	while ((ch = getopt(argc, argv, "h:p:q:n:P:")) != -1)
		switch (ch) {
		case 'h': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'q': queue = optarg; break;
		case 'n': n = atol(optarg); break;
		case 'P': prefetch = atoi(optarg); break;
		default: die("usage: amqp_drain -h HOST -p PORT -q QUEUE "
		    "-n MESSAGES [-P PREFETCH]");
		}
	if (n <= 0 || prefetch < 1 || prefetch > 65535)
		die("usage: amqp_drain -h HOST -p PORT -q QUEUE -n MESSAGES "
		    "[-P PREFETCH]");
	c = amqp_bench_connect(host, port);
	amqp_basic_qos(c, 1, 0, (uint16_t)prefetch, 0);
	rpc(c, "basic.qos refused");
	amqp_basic_consume(c, 1, amqp_cstring_bytes(queue), amqp_empty_bytes,
	    0, 0, 0, amqp_empty_table);
	rpc(c, "basic.consume refused");
	t0 = monotime_us();
	while (got < n) {
		amqp_maybe_release_buffers(c);
		if (amqp_consume_message(c, &env, NULL, 0).reply_type !=
		    AMQP_RESPONSE_NORMAL)
			die("consume failed");
		got++;
		if ((got % ACK_EVERY == 0 || got == n) &&
		    amqp_basic_ack(c, 1, env.delivery_tag, 1) != 0)
			die("ack failed");
		amqp_destroy_envelope(&env);
	}
	t1 = monotime_us();
	printf("%ld messages in %.2f s: %.0f messages/s\n", got,
	    (double)(t1 - t0) / 1e6, (double)got * 1e6 / (double)(t1 - t0));
	amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
	amqp_connection_close(c, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(c);
	return 0;
}
