/*
 * amqp_bench.h — what amqp_fill and amqp_drain share: dying with a
 * message, checking an RPC's reply, and a connection to a broker as
 * guest with channel 1 open.  Static: each program is one file.
 */
#ifndef WARD_AMQP_BENCH_H
#define WARD_AMQP_BENCH_H

#include <stdio.h>
#include <stdlib.h>

#include <amqp.h>
#include <amqp_tcp_socket.h>

/* The program's name in its messages; each program sets it first. */
static const char *amqp_bench_name = "amqp";

/* Say what failed, exit 1. */
static void
die(const char *what)
{
	fprintf(stderr, "%s: %s\n", amqp_bench_name, what);
	exit(1);
}

/* Die with what unless the last RPC on c succeeded. */
static void
rpc(amqp_connection_state_t c, const char *what)
{
	if (amqp_get_rpc_reply(c).reply_type != AMQP_RESPONSE_NORMAL)
		die(what);
}

/* A connection to host:port as guest/guest on vhost "/", channel 1
   open; dies when the broker cannot be reached or refuses. */
static amqp_connection_state_t
amqp_bench_connect(const char *host, int port)
{
	amqp_connection_state_t c = amqp_new_connection();
	amqp_socket_t *s;

	if ((s = amqp_tcp_socket_new(c)) == NULL ||
	    amqp_socket_open(s, host, port) != AMQP_STATUS_OK)
		die("cannot connect");
	if (amqp_login(c, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest",
	    "guest").reply_type != AMQP_RESPONSE_NORMAL)
		die("login refused");
	amqp_channel_open(c, 1);
	rpc(c, "channel.open refused");
	return c;
}

#endif
