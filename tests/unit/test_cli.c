/* Unit tests for what the subcommands print of the hub's text
   (console/cli.c): escaped for people, JSON kept JSON. */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalogue.h"
#include "cli.h"
#include "utf8.h"

/* Every string of a reply, however deep, is escaped in place. */
static void
clean_escapes_every_string(void **state)
{
	json_t	*v;

	v = json_pack("{s:s, s:[s, {s:s}], s:i}", "summary",
	    "a\x1b[2Jb\a", "rows", "osc \x1b]52;c;QQ==\x07", "host",
	    "c1\xc2\x9b" "2J", "n", 3);
	assert_non_null(v);
	cli_clean(v);
	assert_string_equal(json_string_value(json_object_get(v, "summary")),
	    "a^[[2Jb^G");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    v, "rows"), 0)), "osc ^[]52;c;QQ==^G");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(v, "rows"), 1), "host")), "c1\\u009b2J");
	assert_int_equal(json_integer_value(json_object_get(v, "n")), 3);
	json_decref(v);
	/* The longest growth: every byte a C1 control (2 bytes -> 6). */
	v = json_string("\xc2\x85\xc2\x85\xc2\x85");
	cli_clean(v);
	assert_string_equal(json_string_value(v), "\\u0085\\u0085\\u0085");
	json_decref(v);
}

static char *
put_json(const char *s, size_t len)
{
	static char out[512];
	FILE	*f = tmpfile();
	size_t	 n;

	assert_non_null(f);
	utf8_put_json(f, s, len);
	rewind(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

/* JSON out: DEL and C1 become \u escapes (still the same JSON), a byte
   that is not UTF-8 becomes \ufffd; the rest passes as it is. */
static void
json_out_has_no_controls(void **state)
{
	json_t	*v;
	const char *in = "{\"s\":\"x\x7fy\xc2\x9b" "z \xc3\xa9\xe6\x97\xa5\"}";

	assert_string_equal(put_json(in, strlen(in)),
	    "{\"s\":\"x\\u007fy\\u009bz \xc3\xa9\xe6\x97\xa5\"}\n");
	v = json_loads(put_json(in, strlen(in)), 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "s")),
	    "x\x7fy\xc2\x9b" "z \xc3\xa9\xe6\x97\xa5");
	json_decref(v);
	assert_string_equal(put_json("\"a\x9b" "b\"", 5),
	    "\"a\\ufffdb\"\n");
}

/* Every op and query with a subcommand in the catalogue is one: ward
   knows its first word and --help prints its synopsis. */
static void
every_catalogue_subcommand_exists(void **state)
{
	char	*out = NULL, w[32];
	size_t	 len = 0, i;
	FILE	*f;

	assert_non_null(f = open_memstream(&out, &len));
	cli_usage(f);
	fclose(f);
	for (i = 0; i < CAT_COUNT; i++) {
		if (catalogue[i].cli == NULL)
			continue;
		assert_non_null(strstr(out, catalogue[i].cli));
		snprintf(w, sizeof w, "%.*s", (int)strcspn(catalogue[i].cli,
		    " "), catalogue[i].cli);
		assert_true(cli_is_command(w));
	}
	assert_non_null(strstr(out, "task done TASK"));
	assert_non_null(strstr(out, "keygen"));
	assert_false(cli_is_command("incidents"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_escapes_every_string),
		cmocka_unit_test(json_out_has_no_controls),
		cmocka_unit_test(every_catalogue_subcommand_exists),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
