/* Unit tests for console/keys: the key tables the console dispatches
   from and generates its help from. */
#include <curses.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "keys.h"

#define CTRL(c)	((c) & 0x1f)

static void
less_and_vim_keys_everywhere(void **state)
{
	int v;

	for (v = 0; v < LV_COUNT; v++) {
		assert_int_equal(keys_lookup(v, 'j'), KA_DOWN);
		assert_int_equal(keys_lookup(v, KEY_DOWN), KA_DOWN);
		assert_int_equal(keys_lookup(v, 'k'), KA_UP);
		assert_int_equal(keys_lookup(v, KEY_UP), KA_UP);
		assert_int_equal(keys_lookup(v, 'g'), KA_TOP);
		assert_int_equal(keys_lookup(v, 'G'), KA_BOTTOM);
		assert_int_equal(keys_lookup(v, CTRL('d')), KA_HALF_DOWN);
		assert_int_equal(keys_lookup(v, CTRL('u')), KA_HALF_UP);
		assert_int_equal(keys_lookup(v, KEY_NPAGE), KA_PAGE_DOWN);
		assert_int_equal(keys_lookup(v, KEY_PPAGE), KA_PAGE_UP);
		assert_int_equal(keys_lookup(v, '/'), KA_SEARCH);
		assert_int_equal(keys_lookup(v, 'n'), KA_SEARCH_NEXT);
		assert_int_equal(keys_lookup(v, 'N'), KA_SEARCH_PREV);
		assert_int_equal(keys_lookup(v, '1'), KA_VIEW_EVENTS);
		assert_int_equal(keys_lookup(v, '2'), KA_VIEW_ALERTS);
		assert_int_equal(keys_lookup(v, '3'), KA_VIEW_INCIDENTS);
		assert_int_equal(keys_lookup(v, '?'), KA_HELP);
		assert_int_equal(keys_lookup(v, ':'), KA_CMDLINE);
		assert_int_equal(keys_lookup(v, '\t'), KA_PANE);
		assert_int_equal(keys_lookup(v, 'q'), KA_QUIT);
		assert_int_equal(keys_lookup(v, 27), KA_BACK);
	}
}

static void
views_have_their_own(void **state)
{
	assert_int_equal(keys_lookup(LV_EVENTS, 'e'), KA_QUERY);
	assert_int_equal(keys_lookup(LV_EVENTS, 'f'), KA_FOLLOW);
	assert_int_equal(keys_lookup(LV_EVENTS, '\r'), KA_DETAIL);
	assert_int_equal(keys_lookup(LV_ALERTS, 'a'), KA_ACK);
	assert_int_equal(keys_lookup(LV_ALERTS, 'e'), KA_ESCALATE);
	assert_int_equal(keys_lookup(LV_ALERTS, 'p'), KA_PROMOTE);
	assert_int_equal(keys_lookup(LV_INCIDENTS, '\r'), KA_OPEN);
	assert_int_equal(keys_lookup(LV_INCIDENTS, 'f'), KA_FILTER);
	assert_int_equal(keys_lookup(LV_INCIDENTS, 's'), KA_SORT);
	assert_int_equal(keys_lookup(LV_INCIDENT, 'c'), KA_NOTE);
	assert_int_equal(keys_lookup(LV_INCIDENT, 's'), KA_STATUS);
	/* A view's key does not leak into another view. */
	assert_int_equal(keys_lookup(LV_INCIDENTS, 'a'), KA_NONE);
	assert_int_equal(keys_lookup(LV_HELP, 'c'), KA_NONE);
	assert_int_equal(keys_lookup(LV_EVENTS, 'Z'), KA_NONE);
}

/* No table binds one key twice: the second would be dead and help would
   show it. */
static void
no_key_bound_twice_in_a_table(void **state)
{
	const struct keymap *const *km;
	size_t	 i, j;
	int	 v;

	for (v = 0; v < LV_COUNT; v++)
		for (km = keys_for(v); *km != NULL; km++)
			for (i = 0; i < (*km)->n; i++)
				for (j = i + 1; j < (*km)->n; j++)
					assert_int_not_equal(
					    (*km)->binds[i].key,
					    (*km)->binds[j].key);
}

/* Every action a table binds has a name and every line of help says
   something: help is generated from these tables. */
static void
help_lines_from_tables(void **state)
{
	const struct keymap *const *km;
	char	 line[256];
	size_t	 i, lines = 0;

	for (km = keys_for(LV_EVENTS); *km != NULL; km++) {
		assert_non_null((*km)->title);
		assert_non_null((*km)->binds[0].help);
		for (i = 0; i < (*km)->n; i++) {
			assert_string_not_equal(keys_action_name(
			    (*km)->binds[i].action), "none");
			if (keys_help_line(*km, i, line, sizeof line) == 0) {
				lines++;
				assert_true(strlen(line) > 10);
			}
		}
	}
	assert_true(lines > 20);
	/* Alternatives share the first key's line. */
	for (km = keys_for(LV_EVENTS); *km != NULL; km++)
		for (i = 0; i < (*km)->n; i++)
			if ((*km)->binds[i].key == 'j') {
				keys_help_line(*km, i, line, sizeof line);
				assert_non_null(strstr(line, "j Down C-n"));
				assert_non_null(strstr(line, "down one row"));
				assert_int_equal(keys_help_line(*km, i + 1,
				    line, sizeof line), -1);
			}
}

static void
enter_listed_once(void **state)
{
	const struct keymap *const *km = keys_for(LV_EVENTS);
	char	 line[256];
	size_t	 i;

	for (i = 0; i < km[0]->n; i++)
		if (km[0]->binds[i].key == '\n') {
			keys_help_line(km[0], i, line, sizeof line);
			assert_null(strstr(line, "Enter Enter"));
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(less_and_vim_keys_everywhere),
		cmocka_unit_test(views_have_their_own),
		cmocka_unit_test(no_key_bound_twice_in_a_table),
		cmocka_unit_test(help_lines_from_tables),
		cmocka_unit_test(enter_listed_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
