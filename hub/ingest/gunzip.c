/*
 * gunzip — inflate gzip (or zlib) data, refusing bombs (gunzip.h).
 *
 * zlib inflates straight into the output buffer's storage, which we grow
 * ourselves so that it never holds more than maxout + 2 bytes of this
 * call's output (buf_reserve() doubles, which could reach twice the cap).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "errf.h"
#include "gunzip.h"

#define GUNZIP_CHUNK	(64 * 1024)

/* Make room in out for at least one more byte of output (plus the NUL),
   never past limit bytes of storage.  Returns 0 or -1. */
static int
grow(struct buf *out, size_t limit)
{
	size_t	 want;
	char	*p;

	if (out->cap > out->len + 1)
		return 0;
	want = out->cap < GUNZIP_CHUNK ? GUNZIP_CHUNK : out->cap * 2;
	if (want > limit)
		want = limit;
	if (want <= out->len + 1)
		return -1;
	if ((p = realloc(out->data, want)) == NULL)
		return -1;
	out->data = p;
	out->cap = want;
	return 0;
}

int
gunzip(const void *in, size_t len, size_t maxout, struct buf *out,
    char *err, size_t errlen)
{
	const unsigned char	*src = in;
	z_stream		 zs;
	size_t			 base, used, room, limit, off;
	int			 rc, ret = -1;

	if (errlen > 0)
		err[0] = '\0';
	if (len == 0)
		return errf(err, errlen, "empty compressed body");
	base = out->len;
	/* storage: what was there, the cap, one byte to see it passed, NUL */
	if (maxout > (size_t)-1 / 2 - base)
		return errf(err, errlen, "output limit too large");
	limit = base + maxout + 2;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return errf(err, errlen, "out of memory");
	/* 15: the largest window; + 32: detect a gzip or zlib header */
	used = 0;
	for (;;) {
		if (grow(out, limit) == -1) {
			errf(err, errlen, "out of memory");
			goto fail;
		}
		room = out->cap - out->len - 1;
		if (room > UINT_MAX)
			room = UINT_MAX;
		if (zs.avail_in == 0 && used < len) {
			zs.next_in = (unsigned char *)(uintptr_t)(src + used);
			zs.avail_in = len - used > UINT_MAX ? UINT_MAX :
			    (unsigned)(len - used);
			used += zs.avail_in;
		}
		zs.next_out = (unsigned char *)out->data + out->len;
		zs.avail_out = (unsigned)room;
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len += room - zs.avail_out;
		out->data[out->len] = '\0';
		off = used - zs.avail_in;
		if (out->len - base > maxout) {
			errf(err, errlen, "inflated body exceeds %zu bytes "
			    "(at input byte %zu)", maxout, off);
			ret = -2;
			goto fail;
		}
		switch (rc) {
		case Z_OK:
			continue;
		case Z_STREAM_END:
			if (off == len)
				goto done;
			/* another gzip member follows */
			if (inflateReset(&zs) != Z_OK) {
				errf(err, errlen, "inflate reset failed");
				goto fail;
			}
			continue;
		case Z_BUF_ERROR:
			/* no progress: input exhausted (or output full) */
			if (off == len && zs.avail_in == 0 &&
			    zs.avail_out != 0) {
				errf(err, errlen, "truncated compressed "
				    "body at byte %zu", off);
				goto fail;
			}
			continue;
		case Z_NEED_DICT:
			errf(err, errlen, "compressed body needs a preset "
			    "dictionary (byte %zu)", off);
			goto fail;
		case Z_MEM_ERROR:
			errf(err, errlen, "out of memory");
			goto fail;
		default:
			errf(err, errlen, "corrupt compressed body at byte "
			    "%zu: %s", off, zs.msg != NULL ? zs.msg : "error");
			goto fail;
		}
	}
done:
	inflateEnd(&zs);
	return 0;
fail:
	inflateEnd(&zs);
	out->len = base;
	if (out->data != NULL)
		out->data[base] = '\0';
	return ret;
}
