/*
 * libFuzzer target: cut the input as a syslog TCP stream (RFC 6587), fed
 * in pieces whose sizes come from the first byte, with a small size
 * limit so long messages and counts are exercised; every message must
 * lie inside what was fed, be at most the limit, and the framing must
 * consume the whole stream at its end.  The same for GELF's NUL
 * framing, and each message goes through source_json_text, whose output
 * must be JSON that jansson reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "source.h"
#include "syslogframe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
run(struct syslogframe *f, const char *s, size_t len, size_t step)
{
	struct buf in, js;
	size_t	 fed = 0, used, mlen;
	const char *msg, *why;
	int	 rc, eof;
	json_t	*v;

	buf_init(&in);
	buf_init(&js);
	do {
		size_t	 k = len - fed < step ? len - fed : step;

		if (buf_append(&in, s + fed, k) == -1)
			abort();
		fed += k;
		eof = fed == len;
		for (;;) {
			rc = syslogframe_next(f, in.data ? in.data : "",
			    in.len, eof, &msg, &mlen, &used, &why);
			if (used > in.len)
				abort();
			if (rc == SF_MSG) {
				if (msg < in.data || msg + mlen > in.data +
				    in.len || mlen > f->max || mlen == 0)
					abort();
				buf_reset(&js);
				if (source_json_text(&js, msg, mlen) == -1 ||
				    (v = json_loadb(js.data, js.len,
				    JSON_DECODE_ANY | JSON_ALLOW_NUL,
				    NULL)) == NULL)
					abort();
				json_decref(v);
			} else if (rc == SF_BAD && why == NULL)
				abort();
			if (used > 0) {
				memmove(in.data, in.data + used, in.len - used);
				in.len -= used;
			}
			if (rc == SF_MORE)
				break;
		}
	} while (!eof);
	if (in.len != 0)
		abort();	/* the end of a stream leaves nothing */
	buf_release(&in);
	buf_release(&js);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct syslogframe f;
	size_t	 step;

	if (len < 1)
		return 0;
	step = 1 + data[0] % 64;
	syslogframe_init(&f, 32);
	run(&f, (const char *)data + 1, len - 1, step);
	syslogframe_init_nul(&f, 32);
	run(&f, (const char *)data + 1, len - 1, step);
	return 0;
}
