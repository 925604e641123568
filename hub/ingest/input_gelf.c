/* input_gelf — the GELF protocol of a listener (--gelf): a UDP datagram
 * is a message, or a chunk of one (reassembled, gelf.c), compressed with
 * zlib or gzip or not; over TCP messages end at a NUL byte.  Each becomes
 * an event (gelf_to_event), with details.peer the sender's address. */
#include <stdlib.h>

#include "gelf.h"
#include "listener.h"

#define CHUNK_BYTES	(32u << 20)	/* chunks held at once */
#define MAX_INFLATED	(1u << 20)	/* a UDP message, inflated */

static int
gelf_message(void *state, struct buf *body, const char *msg, size_t len,
    const char *peer, const char **why)
{
	(void)state;
	return gelf_to_event(msg, len, MAX_INFLATED, peer, body, why);
}

static int
gelf_datagram(void *state, const char *p, size_t n, int64_t now_ms,
    const char **msg, size_t *len, const char **why, size_t *lost)
{
	return gelf_chunks_add(state, p, n, now_ms, msg, len, why, lost);
}

static void *
gelf_state_new(void)
{
	return gelf_chunks_new(CHUNK_BYTES);
}

static void
gelf_state_free(void *state)
{
	gelf_chunks_free(state);
}

const struct listener_proto listener_gelf = {
	.name = "gelf",
	.nul_framed = 1,
	.message = gelf_message,
	.datagram = gelf_datagram,
	.state_new = gelf_state_new,
	.state_free = gelf_state_free,
};
