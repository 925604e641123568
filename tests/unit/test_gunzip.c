/* Unit tests for hub/ingest/gunzip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <zlib.h>

#include "buf.h"
#include "gunzip.h"

enum wrap { GZIP = 16 + 15, ZLIB = 15 };

/* Compress `total` bytes: the n bytes of p repeated, into out. */
static void
deflate_into(struct buf *out, enum wrap w, const void *p, size_t n,
    size_t total)
{
	unsigned char	 chunk[65536];
	z_stream	 zs;
	size_t		 left = total, take;
	int		 rc;

	memset(&zs, 0, sizeof(zs));
	/* run-length matching: as small as level 9 for zeros, much faster */
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, (int)w, 9,
	    total > (64 << 20) ? Z_RLE : Z_DEFAULT_STRATEGY), Z_OK);
	do {
		take = left < n ? left : n;
		zs.next_in = (unsigned char *)(uintptr_t)p;
		zs.avail_in = (unsigned)take;
		left -= take;
		do {
			zs.next_out = chunk;
			zs.avail_out = sizeof(chunk);
			rc = deflate(&zs, left == 0 ? Z_FINISH : Z_NO_FLUSH);
			assert_true(rc == Z_OK || rc == Z_STREAM_END ||
			    rc == Z_BUF_ERROR);
			assert_int_equal(buf_append(out, chunk,
			    sizeof(chunk) - zs.avail_out), 0);
		} while (zs.avail_out == 0);
	} while (left > 0);
	assert_int_equal(rc, Z_STREAM_END);
	deflateEnd(&zs);
}

static void
deflate_str(struct buf *out, enum wrap w, const char *s)
{
	deflate_into(out, w, s, strlen(s), strlen(s));
}

static void
inflates_gzip_and_zlib(void **state)
{
	static const char *const texts[] = {
		"", "x", "{\"message\":\"hello\"}\n{\"message\":\"world\"}\n",
	};
	static const enum wrap wraps[] = { GZIP, ZLIB };
	struct buf	 z, out;
	char		 err[128];
	size_t		 i, j;

	for (i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++)
		for (j = 0; j < sizeof(texts) / sizeof(texts[0]); j++) {
			buf_init(&z);
			buf_init(&out);
			deflate_str(&z, wraps[i], texts[j]);
			assert_int_equal(gunzip(z.data, z.len, 1 << 20, &out,
			    err, sizeof(err)), 0);
			assert_int_equal(out.len, strlen(texts[j]));
			if (out.len > 0)
				assert_string_equal(out.data, texts[j]);
			assert_string_equal(err, "");
			buf_release(&z);
			buf_release(&out);
		}
}

static void
appends_to_what_is_there(void **state)
{
	struct buf	 z, out;
	char		 err[128];

	buf_init(&z);
	buf_init(&out);
	buf_puts(&out, "head:");
	deflate_str(&z, GZIP, "body");
	assert_int_equal(gunzip(z.data, z.len, 4, &out, err, sizeof(err)), 0);
	assert_string_equal(out.data, "head:body");
	buf_release(&z);
	buf_release(&out);
}

static void
inflates_concatenated_members(void **state)
{
	struct buf	 z, out;
	char		 err[128];

	buf_init(&z);
	buf_init(&out);
	deflate_str(&z, GZIP, "{\"a\":1}\n");
	deflate_str(&z, GZIP, "{\"b\":2}\n");
	deflate_str(&z, GZIP, "");
	deflate_str(&z, GZIP, "{\"c\":3}\n");
	assert_int_equal(gunzip(z.data, z.len, 1024, &out, err, sizeof(err)),
	    0);
	assert_string_equal(out.data, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	buf_release(&z);
	buf_release(&out);
}

/* A big body comes out whole, just under and exactly at the cap. */
static void
inflates_up_to_the_cap(void **state)
{
	static const char line[] = "{\"message\":\"a line of a log\"}\n";
	struct buf	 z, out;
	char		 err[128];
	size_t		 total = (sizeof(line) - 1) * 100000;

	buf_init(&z);
	buf_init(&out);
	deflate_into(&z, GZIP, line, sizeof(line) - 1, total);
	assert_int_equal(gunzip(z.data, z.len, total, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.len, total);
	assert_memory_equal(out.data + total - (sizeof(line) - 1), line,
	    sizeof(line) - 1);
	assert_true(out.cap <= total + 2);
	buf_reset(&out);
	assert_int_equal(gunzip(z.data, z.len, total - 1, &out, err,
	    sizeof(err)), -2);
	buf_release(&z);
	buf_release(&out);
}

/* 1 GiB of zeros compressed to about 1 MB: stopped at the cap, with the
   buffer never much bigger than the cap. */
static void
refuses_a_bomb(void **state)
{
	static const char zeros[65536];
	const size_t	 cap = 10 << 20;
	struct buf	 z, out;
	char		 err[128];

	buf_init(&z);
	buf_init(&out);
	deflate_into(&z, GZIP, zeros, sizeof(zeros), (size_t)1 << 30);
	assert_true(z.len < 2 << 20);
	assert_int_equal(gunzip(z.data, z.len, cap, &out, err, sizeof(err)),
	    -2);
	assert_non_null(strstr(err, "exceeds"));
	assert_true(out.cap <= cap + 2);
	assert_int_equal(out.len, 0);
	buf_release(&z);
	buf_release(&out);
}

static void
refuses_truncated_and_corrupt(void **state)
{
	static const char text[] =
	    "{\"message\":\"some text that compresses\"}\n"
	    "{\"message\":\"some more text that compresses\"}\n";
	struct buf	 z, out;
	char		 err[128], *bad;
	size_t		 cut;

	buf_init(&z);
	buf_init(&out);
	deflate_str(&z, GZIP, text);

	/* every truncation */
	for (cut = 1; cut < z.len; cut++) {
		buf_reset(&out);
		if (gunzip(z.data, cut, 1 << 20, &out, err, sizeof(err)) != -1)
			fail_msg("truncated at %zu of %zu accepted", cut,
			    z.len);
		assert_true(err[0] != '\0');
		assert_int_equal(out.len, 0);
	}
	assert_int_equal(gunzip(z.data, z.len, 1 << 20, &out, err,
	    sizeof(err)), 0);
	buf_reset(&out);
	assert_int_equal(gunzip(z.data, 5, 1 << 20, &out, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "byte 5"));

	/* a flipped bit in the CRC, in the data, in the magic */
	bad = malloc(z.len);
	memcpy(bad, z.data, z.len);
	bad[z.len - 6] ^= 1;
	assert_int_equal(gunzip(bad, z.len, 1 << 20, &out, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "corrupt"));
	memcpy(bad, z.data, z.len);
	bad[0] = 'x';
	assert_int_equal(gunzip(bad, z.len, 1 << 20, &out, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "byte"));
	free(bad);

	/* not compressed at all; empty; garbage after a member */
	assert_int_equal(gunzip(text, sizeof(text) - 1, 1 << 20, &out, err,
	    sizeof(err)), -1);
	assert_int_equal(gunzip("", 0, 1 << 20, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "empty compressed body");
	buf_append(&z, "garbage!", 8);
	assert_int_equal(gunzip(z.data, z.len, 1 << 20, &out, err,
	    sizeof(err)), -1);
	assert_int_equal(out.len, 0);
	buf_release(&z);
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(inflates_gzip_and_zlib),
		cmocka_unit_test(appends_to_what_is_there),
		cmocka_unit_test(inflates_concatenated_members),
		cmocka_unit_test(inflates_up_to_the_cap),
		cmocka_unit_test(refuses_a_bomb),
		cmocka_unit_test(refuses_truncated_and_corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
