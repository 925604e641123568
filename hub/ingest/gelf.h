/* gelf — Graylog Extended Log Format 1.1: one message (JSON, or that
 * JSON compressed with zlib or gzip) turned into a ward event, and the
 * reassembly of chunked UDP messages.  No I/O: the listener (UDP, TCP)
 * and POST /gelf feed it. */
#ifndef WARD_GELF_H
#define WARD_GELF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define GELF_MAX_CHUNKS		128	/* the specification's limit */
#define GELF_CHUNK_TIMEOUT_MS	5000	/* ... and its reassembly time */

/*
 * Append message p[0..n) as one NDJSON line to out: short_message is the
 * summary, host the hostname, level the severity (syslog 0-7), timestamp
 * (seconds since the epoch, with a fraction) the time, full_message and
 * every additional field (its '_' taken off) under details, with
 * details.input "gelf" and details.peer peer (NULL: none).  A message
 * compressed with zlib or gzip is inflated first, to at most max_inflated
 * bytes.  Returns 0, or -1 with *why (static) when it is not GELF: not
 * JSON, not an object, no short_message, or too big; out is unchanged.
 */
int	gelf_to_event(const char *p, size_t n, size_t max_inflated,
	    const char *peer, struct buf *out, const char **why);

/* Chunked messages being put together, for one UDP listener. */
struct gelf_chunks;

/* Hold at most max_bytes of chunks at once.  NULL when out of memory. */
struct gelf_chunks *gelf_chunks_new(size_t max_bytes);
/* Accepts NULL. */
void	gelf_chunks_free(struct gelf_chunks *);

/*
 * A datagram p[0..n) at now_ms.  Not a chunk (no 0x1e 0x0f magic): returns
 * 1 with *msg = p and *len = n.  A chunk: kept, returns 0; or, when it
 * completes its message, returns 1 with the message in *msg and *len
 * (held by c until the next call).  Returns -1 with *why for a bad chunk
 * (count 0 or past 128, number past the count, a size that disagrees),
 * which is dropped.  Messages not complete within GELF_CHUNK_TIMEOUT_MS,
 * or pushed out because max_bytes would be passed, are given up and
 * added to *lost.
 */
int	gelf_chunks_add(struct gelf_chunks *c, const char *p, size_t n,
	    int64_t now_ms, const char **msg, size_t *len, const char **why,
	    size_t *lost);

#endif
