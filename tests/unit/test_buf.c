/* Unit tests for proto/buf. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
appends_and_grows(void **state)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i), 0);
	assert_true(b.len > 3000);
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_int_equal(b.data[b.len], '\0');
	buf_release(&b);
	assert_null(b.data);
}

/* Integers as snprintf("%lld") writes them, the extremes included. */
static void
int64_as_printf(void **state)
{
	static const int64_t v[] = { 0, 7, -1, 10, -100, 1234567890123,
	    INT64_MAX, INT64_MIN };
	char	 want[32], got[BUF_INT64_LEN];
	struct buf b;
	size_t	 i;

	buf_init(&b);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		snprintf(want, sizeof want, "%lld", (long long)v[i]);
		assert_int_equal(buf_int64_text(got, v[i]), strlen(want));
		assert_string_equal(got, want);
		buf_reset(&b);
		assert_int_equal(buf_int64(&b, v[i]), 0);
		assert_string_equal(b.data, want);
	}
	buf_release(&b);
}

static void
json_string_escapes(void **state)
{
	struct buf b;

	buf_init(&b);
	assert_int_equal(buf_json_string(&b, "a\"b\\c\n\x01", 7), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
	buf_release(&b);
}

static void
steal_leaves_empty(void **state)
{
	struct buf b;
	size_t len;
	char *p;

	buf_init(&b);
	buf_puts(&b, "hello");
	p = buf_steal(&b, &len);
	assert_int_equal(len, 5);
	assert_string_equal(p, "hello");
	assert_null(b.data);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(appends_and_grows),
		cmocka_unit_test(int64_as_printf),
		cmocka_unit_test(json_string_escapes),
		cmocka_unit_test(steal_leaves_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
