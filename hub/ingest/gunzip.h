/* gunzip — inflate gzip (or zlib) data from outside, refusing bombs:
 * request bodies (pipeline.c, Content-Encoding: gzip) and compressed GELF
 * messages (gelf.c, from any GELF input). */
#ifndef WARD_GUNZIP_H
#define WARD_GUNZIP_H

#include <stddef.h>

#include "buf.h"

/*
 * Inflate the gzip or zlib stream in[0..len) (several concatenated gzip
 * members are allowed) and append the result to out.  Returns 0; -1 when
 * the input is corrupt or truncated; -2 when the output would exceed
 * maxout bytes (a bomb: stops as soon as the limit is passed).  On error
 * err (errlen bytes; NULL with 0 when the caller needs no words) says
 * what and at which input byte, and out is as it was before the call.
 * out's storage never grows past what it held plus maxout + 2 bytes.
 */
int	gunzip(const void *in, size_t len, size_t maxout, struct buf *out,
	    char *err, size_t errlen);

#endif
