/*
 * libFuzzer target: GELF decoding.  The input is a run of datagrams,
 * each a length byte then that many bytes, fed to the chunk reassembly
 * with a clock that moves by the length byte's top bits (so messages
 * expire too); every whole message goes through gelf_to_event (JSON,
 * zlib, gzip), whose line must be a JSON object with a summary.  The
 * whole input is also given to gelf_to_event as one message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "gelf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
decode(const char *p, size_t n)
{
	struct buf out;
	const char *why = NULL;
	json_t	*v;

	buf_init(&out);
	if (gelf_to_event(p, n, 1 << 16, "peer", &out, &why) == 0) {
		if (out.len == 0 || out.data[out.len - 1] != '\n' ||
		    (v = json_loadb(out.data, out.len - 1, 0, NULL)) == NULL ||
		    !json_is_string(json_object_get(v, "summary")))
			abort();
		json_decref(v);
	} else if (why == NULL || out.len != 0)
		abort();
	buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct gelf_chunks *c = gelf_chunks_new(4096);
	size_t	 off = 0, n, mlen, lost = 0;
	int64_t	 now = 0;
	const char *msg, *why;
	int	 rc;

	if (c == NULL)
		return 0;
	decode((const char *)data, len);
	while (off < len) {
		n = data[off] & 0x3f;
		now += (data[off] >> 6) * 2000;
		off++;
		if (n > len - off)
			n = len - off;
		why = NULL;
		rc = gelf_chunks_add(c, (const char *)data + off, n, now, &msg,
		    &mlen, &why, &lost);
		if (rc == 1)
			decode(msg, mlen);
		else if (rc == -1 && why == NULL)
			abort();
		off += n;
	}
	gelf_chunks_free(c);
	return 0;
}
