/* Unit tests for console/layout: where things go for a given terminal
   size, list scrolling, and measuring and escaping untrusted text. */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"

static int
setup(void **state)
{
	return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

static int
overlap(const struct layout_rect *a, const struct layout_rect *b)
{
	if (a->h == 0 || b->h == 0)
		return 0;
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Every size from tiny to huge, every view, with and without panes:
   regions inside the screen, disjoint, the fixed ones where they belong,
   and the body rows all covered. */
static void
every_size_is_sane(void **state)
{
	static const int ws[] = { 20, 40, 79, 80, 81, 100, 139, 140, 200, 500 };
	static const int hs[] = { 6, 10, 23, 24, 25, 40, 100 };
	struct layout_in in;
	struct layout l;
	size_t	 wi, hi;
	int	 v, side, qerr, i, j, covered, y;

	for (wi = 0; wi < sizeof ws / sizeof ws[0]; wi++)
	for (hi = 0; hi < sizeof hs / sizeof hs[0]; hi++)
	for (v = 0; v < LV_COUNT; v++)
	for (side = 0; side < 2; side++)
	for (qerr = 0; qerr < 2; qerr++) {
		memset(&in, 0, sizeof in);
		in.w = ws[wi];
		in.h = hs[hi];
		in.view = v;
		in.side = side;
		in.qerr = qerr;
		layout_compute(&in, &l);
		assert_false(l.tiny);
		assert_int_equal(l.r[R_TABS].y, 0);
		assert_int_equal(l.r[R_TABS].w, in.w);
		assert_int_equal(l.r[R_STATUS].y, in.h - 2);
		assert_int_equal(l.r[R_CMD].y, in.h - 1);
		assert_true(l.r[R_MAIN].h >= 1);
		for (i = 0; i < R_COUNT; i++) {
			if (l.r[i].h == 0)
				continue;
			assert_true(l.r[i].x >= 0 && l.r[i].y >= 0);
			assert_true(l.r[i].x + l.r[i].w <= in.w);
			assert_true(l.r[i].y + l.r[i].h <= in.h);
			for (j = i + 1; j < R_COUNT; j++)
				assert_false(overlap(&l.r[i], &l.r[j]));
		}
		/* Each row of column 0 belongs to some region. */
		for (y = 0; y < in.h; y++) {
			covered = 0;
			for (i = 0; i < R_COUNT; i++)
				if (l.r[i].h > 0 && l.r[i].x == 0 &&
				    y >= l.r[i].y && y < l.r[i].y + l.r[i].h)
					covered = 1;
			assert_true(covered);
		}
	}
}

static void
tiny_screen(void **state)
{
	struct layout_in in = { 19, 30, LV_EVENTS, 0, 0 };
	struct layout l;

	layout_compute(&in, &l);
	assert_true(l.tiny);
	in.w = 80;
	in.h = 5;
	layout_compute(&in, &l);
	assert_true(l.tiny);
}

static void
events_at_80x24(void **state)
{
	struct layout_in in = { 80, 24, LV_EVENTS, 0, 0 };
	struct layout l;

	layout_compute(&in, &l);
	assert_int_equal(l.r[R_QUERY].y, 1);
	assert_int_equal(l.r[R_QERR].h, 0);
	assert_int_equal(l.r[R_MAIN].y, 2);
	assert_int_equal(l.r[R_MAIN].h, 20);
	assert_int_equal(l.r[R_SIDE].h, 0);
	/* An error in the query takes one row, under the query. */
	in.qerr = 1;
	layout_compute(&in, &l);
	assert_int_equal(l.r[R_QERR].y, 2);
	assert_int_equal(l.r[R_MAIN].y, 3);
	assert_int_equal(l.r[R_MAIN].h, 19);
	/* The detail pane goes below on a narrow screen... */
	in.qerr = 0;
	in.side = 1;
	layout_compute(&in, &l);
	assert_false(l.side_right);
	assert_int_equal(l.r[R_SIDE].x, 0);
	assert_int_equal(l.r[R_SIDE].y, l.r[R_MAIN].y + l.r[R_MAIN].h);
	assert_int_equal(l.r[R_SIDE].y + l.r[R_SIDE].h, 22);
	/* ... and beside on a wide one. */
	in.w = 160;
	layout_compute(&in, &l);
	assert_true(l.side_right);
	assert_int_equal(l.r[R_SIDE].y, l.r[R_MAIN].y);
	assert_int_equal(l.r[R_MAIN].w + l.r[R_SIDE].w, 160);
}

static void
incident_panes(void **state)
{
	struct layout_in in = { 80, 24, LV_INCIDENT, 0, 0 };
	struct layout l, l2;

	layout_compute(&in, &l);
	assert_int_equal(l.r[R_HEADER].h, 3);
	assert_true(l.r[R_MAIN].h >= 8);
	assert_true(l.r[R_SIDE].h >= 5);
	assert_int_equal(l.r[R_SIDE].y, l.r[R_SIDE2].y);
	assert_int_equal(l.r[R_SIDE].w + l.r[R_SIDE2].w, 80);
	in.w = 200;
	in.h = 60;
	layout_compute(&in, &l2);
	assert_true(l2.side_right);
	assert_false(layout_same(&l, &l2));
	layout_compute(&in, &l);
	assert_true(layout_same(&l, &l2));
}

static void
list_moves_like_less(void **state)
{
	struct layout_list l = { 0, 0, 0 };

	/* 100 rows, 10 shown. */
	assert_true(layout_list_move(&l, 100, 10, LM_DOWN, 0));
	assert_int_equal(l.cur, 1);
	assert_int_equal(l.top, 0);
	layout_list_move(&l, 100, 10, LM_PAGE_DOWN, 0);
	assert_int_equal(l.cur, 11);
	assert_int_equal(l.top, 10);
	layout_list_move(&l, 100, 10, LM_HALF_DOWN, 0);
	assert_int_equal(l.cur, 16);
	assert_true(l.cur >= l.top && l.cur < l.top + 10);
	layout_list_move(&l, 100, 10, LM_BOTTOM, 1);
	assert_int_equal(l.cur, 99);
	assert_int_equal(l.top, 90);
	assert_true(l.follow);
	layout_list_move(&l, 100, 10, LM_UP, 1);
	assert_false(l.follow);
	layout_list_move(&l, 100, 10, LM_TOP, 1);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	assert_false(layout_list_move(&l, 100, 10, LM_UP, 1));
	layout_list_move(&l, 100, 10, LM_HALF_UP, 0);
	assert_int_equal(l.cur, 0);
	/* Empty lists stay at 0. */
	layout_list_move(&l, 0, 10, LM_PAGE_DOWN, 0);
	assert_int_equal(l.cur, 0);
}

static void
list_follows_and_drops(void **state)
{
	struct layout_list l = { 0, 0, 1 };

	layout_list_fix(&l, 5, 10);
	assert_int_equal(l.cur, 4);
	assert_int_equal(l.top, 0);
	layout_list_fix(&l, 50, 10);
	assert_int_equal(l.cur, 49);
	assert_int_equal(l.top, 40);
	/* Paused: new rows do not move it; dropped rows shift it. */
	l.follow = 0;
	l.cur = 42;
	layout_list_fix(&l, 60, 10);
	assert_int_equal(l.cur, 42);
	layout_list_dropped(&l, 10);
	assert_int_equal(l.cur, 32);
	assert_int_equal(l.top, 30);
	layout_list_dropped(&l, 100);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	/* Shrinking the screen keeps the cursor in sight. */
	l.cur = 45;
	l.top = 40;
	layout_list_fix(&l, 60, 3);
	assert_true(l.cur >= l.top && l.cur < l.top + 3);
}

static void
escape_controls(void **state)
{
	char	 out[256];
	size_t	 n;

	n = layout_escape("a\x1b[2Jb", 6, out, sizeof out, 1);
	assert_string_equal(out, "a^[[2Jb");
	assert_int_equal(n, strlen(out));
	layout_escape("bell\a del\x7f", 10, out, sizeof out, 1);
	assert_string_equal(out, "bell^G del^?");
	layout_escape("l1\nl2\tx\r", 8, out, sizeof out, 1);
	assert_string_equal(out, "l1 l2 x ");
	layout_escape("l1\nl2", 5, out, sizeof out, 0);
	assert_string_equal(out, "l1\nl2");
	/* C1 controls, bidi overrides, invalid UTF-8, overlong forms. */
	layout_escape("x\xc2\x9by", 4, out, sizeof out, 1);
	assert_string_equal(out, "x\\u009by");
	layout_escape("\xe2\x80\xae" "abc", 6, out, sizeof out, 1);
	assert_string_equal(out, "\\u202eabc");
	layout_escape("\xff\xc0\xaf", 3, out, sizeof out, 1);
	assert_string_equal(out, "\\xff\\xc0\\xaf");
	layout_escape("\xed\xa0\x80", 3, out, sizeof out, 1);
	assert_string_equal(out, "\\xed\\xa0\\x80");
	/* Valid UTF-8 passes. */
	layout_escape("ünïcödé 日本", strlen("ünïcödé 日本"), out, sizeof out, 1);
	assert_string_equal(out, "ünïcödé 日本");
	/* A NUL in the data is escaped, not an end. */
	layout_escape("a\0b", 3, out, sizeof out, 1);
	assert_string_equal(out, "a^@b");
}

static void
escape_truncates_on_boundary(void **state)
{
	char	 out[6];

	/* "^[" does not fit after "abcd": stop before it. */
	layout_escape("abcd\x1b", 5, out, sizeof out, 1);
	assert_string_equal(out, "abcd");
	layout_escape("abcd\xc3\xa9", 6, out, sizeof out, 1);
	assert_string_equal(out, "abcd");
	assert_int_equal(layout_escape("x", 1, out, 0, 1), 0);
}

static void
widths_and_fitting(void **state)
{
	int	 used;

	assert_int_equal(layout_width("abc", 3), 3);
	assert_int_equal(layout_width("é", 2), 1);
	assert_int_equal(layout_width("日本", 6), 4);
	/* A wide character that does not fit is left out whole. */
	assert_int_equal(layout_fit("a日本", 7, 2, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(layout_fit("a日本", 7, 3, &used), 4);
	assert_int_equal(used, 3);
	assert_int_equal(layout_fit("héllo", 6, 2, &used), 3);
	assert_int_equal(layout_fit("abc", 3, 10, &used), 3);
	assert_int_equal(used, 3);
}

struct lines {
	char	l[16][64];
	int	n;
};

static void
collect(void *arg, const char *s, size_t n)
{
	struct lines *x = arg;

	if (x->n < 16)
		snprintf(x->l[x->n++], 64, "%.*s", (int)n, s);
}

static void
wraps_words(void **state)
{
	struct lines x;

	memset(&x, 0, sizeof x);
	assert_int_equal(layout_wrap("the quick brown fox", 19, 10, collect,
	    &x), 2);
	assert_string_equal(x.l[0], "the quick");
	assert_string_equal(x.l[1], "brown fox");
	memset(&x, 0, sizeof x);
	layout_wrap("abcdefghijkl", 12, 5, collect, &x);
	assert_int_equal(x.n, 3);
	assert_string_equal(x.l[2], "kl");
	memset(&x, 0, sizeof x);
	assert_int_equal(layout_wrap("a\n\nb", 4, 5, collect, &x), 3);
	assert_string_equal(x.l[1], "");
	assert_int_equal(layout_wrap("日本語", 9, 1, NULL, NULL), 3);
}

static void
bars(void **state)
{
	char	 out[256];

	assert_int_equal(layout_bar(10, 10, 4, 1, out, sizeof out), 4);
	assert_string_equal(out, "####");
	layout_bar(0, 10, 4, 1, out, sizeof out);
	assert_string_equal(out, "");
	layout_bar(5, 10, 4, 0, out, sizeof out);
	assert_string_equal(out, "██");
	/* 1/8 of a cell shows as the thinnest block, never as nothing. */
	layout_bar(1, 80, 1, 0, out, sizeof out);
	assert_string_equal(out, "▏");
	layout_bar(3, 1, 2, 1, out, sizeof out);
	assert_string_equal(out, "##");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_size_is_sane),
		cmocka_unit_test(tiny_screen),
		cmocka_unit_test(events_at_80x24),
		cmocka_unit_test(incident_panes),
		cmocka_unit_test(list_moves_like_less),
		cmocka_unit_test(list_follows_and_drops),
		cmocka_unit_test(escape_controls),
		cmocka_unit_test(escape_truncates_on_boundary),
		cmocka_unit_test(widths_and_fitting),
		cmocka_unit_test(wraps_words),
		cmocka_unit_test(bars),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
