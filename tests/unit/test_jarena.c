/* Unit tests for hub/ingest/jarena: jansson trees in a per-thread arena. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "jarena.h"
#include "jsonfast.h"

static const char doc[] = "{\"summary\":\"Failed password for root\","
    "\"details\":{\"sourceipaddress\":\"203.0.113.7\",\"port\":22,"
    "\"tags\":[\"ssh\",\"auth\",1.5,true,null]}}";

static json_t *
parse(void)
{
	struct jsonfast_error e;
	size_t	 used;

	return jsonfast_parse(doc, sizeof doc - 1, &used, 64, &e);
}

/* A tree built with an arena current comes from it; outside, from the
   heap, and both read and free the same way. */
static void
trees_come_from_the_current_arena(void **state)
{
	struct jarena a;
	json_t	*in, *out;

	jarena_init(&a);
	assert_null(jarena_use(&a));
	assert_ptr_equal(jarena_current(), &a);
	in = parse();
	assert_non_null(in);
	assert_true(a.allocated > 0);
	assert_ptr_equal(jarena_use(NULL), &a);
	out = parse();
	assert_true(json_equal(in, out));
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(in, "details"), "sourceipaddress")), "203.0.113.7");
	/* A heap value put into an arena tree is freed with it (the leak
	   checker of make SANITIZE=1 check says if not). */
	json_object_set_new(in, "heap", out);
	jarena_use(&a);
	json_decref(in);
	jarena_use(NULL);
	jarena_reset(&a);
	assert_int_equal(a.allocated, 0);
	jarena_release(&a);
}

/* What must outlive the reset is deep-copied with the arena put aside;
   the copy stays whole after the arena's memory is reused. */
static void
a_deep_copy_outlives_the_reset(void **state)
{
	struct jarena a;
	json_t	*in, *keep, *again;
	int	 i;

	jarena_init(&a);
	jarena_use(&a);
	in = parse();
	jarena_use(NULL);
	keep = json_deep_copy(in);
	jarena_use(&a);
	json_decref(in);
	jarena_use(NULL);
	jarena_reset(&a);
	/* Reuse the arena many times over. */
	for (i = 0; i < 100; i++) {
		jarena_use(&a);
		again = parse();
		json_object_set_new(again, "n", json_integer(i));
		json_decref(again);
		jarena_use(NULL);
		jarena_reset(&a);
	}
	again = parse();
	assert_true(json_equal(keep, again));
	json_decref(again);
	json_decref(keep);
	jarena_release(&a);
}

/* A big value gets a chunk of its own; resets keep a bounded amount. */
static void
big_values_and_many_chunks(void **state)
{
	struct jarena a;
	char	*big;
	json_t	*arr, *s;
	int	 i;

	big = malloc(1 << 20);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	jarena_init(&a);
	jarena_use(&a);
	arr = json_array();
	for (i = 0; i < 20000; i++)
		json_array_append_new(arr, json_string("some text to fill"));
	s = json_string(big);
	assert_int_equal(json_string_length(s), (1 << 20) - 1);
	assert_true(a.allocated > (1 << 20));
	assert_int_equal(json_array_size(arr), 20000);
	json_decref(s);
	json_decref(arr);
	jarena_use(NULL);
	jarena_reset(&a);
	assert_true(a.spare_bytes <= (4u << 20));
	jarena_release(&a);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trees_come_from_the_current_arena),
		cmocka_unit_test(a_deep_copy_outlives_the_reset),
		cmocka_unit_test(big_values_and_many_chunks),
	};

	jarena_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
