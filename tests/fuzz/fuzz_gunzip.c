/*
 * fuzz_gunzip — libFuzzer target for the gzip/zlib inflater of request
 * bodies (gunzip.c): any input either inflates within the limit, or is
 * refused as corrupt or as a bomb with the output buffer as it was.
 *
 *   make build/fuzz/fuzz_gunzip && build/fuzz/fuzz_gunzip -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gunzip.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[] = { 0, 1, 64, 4096, 1u << 20 };
	struct buf out;
	char	 err[256];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof limits / sizeof *limits; i++) {
		buf_init(&out);
		if (buf_append(&out, "prefix", 6) == -1)
			abort();
		err[0] = '\0';
		rc = gunzip(data, size, limits[i], &out, err, sizeof err);
		if (rc != 0 && rc != -1 && rc != -2)
			abort();
		if (rc == 0 && out.len > 6 + limits[i])
			abort();	/* more than the limit came out */
		if (rc != 0 && (out.len != 6 || err[0] == '\0' ||
		    memchr(err, '\0', sizeof err) == NULL))
			abort();	/* a refusal must leave out as it was,
					   and say why */
		if (memcmp(out.data, "prefix", 6) != 0)
			abort();
		buf_release(&out);
	}
	return 0;
}
