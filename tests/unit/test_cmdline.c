/* Unit tests for console/cmdline: line editing, history, completion and
   the ':' commands. */
#include <curses.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"

#define CTRL(c)	((c) & 0x1f)

static void
typekeys(struct cmdline *cl, const char *s)
{
	while (*s != '\0')
		cmdline_key(cl, (unsigned char)*s++, NULL);
}

static void
edits(void **state)
{
	struct cmdline cl;

	cmdline_init(&cl);
	typekeys(&cl, "note hello");
	assert_string_equal(cl.buf, "note hello");
	cmdline_key(&cl, KEY_LEFT, NULL);
	cmdline_key(&cl, KEY_LEFT, NULL);
	typekeys(&cl, "XY");
	assert_string_equal(cl.buf, "note helXYlo");
	cmdline_key(&cl, KEY_BACKSPACE, NULL);
	assert_string_equal(cl.buf, "note helXlo");
	cmdline_key(&cl, CTRL('a'), NULL);
	cmdline_key(&cl, KEY_DC, NULL);
	assert_string_equal(cl.buf, "ote helXlo");
	cmdline_key(&cl, CTRL('e'), NULL);
	cmdline_key(&cl, CTRL('w'), NULL);
	assert_string_equal(cl.buf, "ote ");
	cmdline_key(&cl, CTRL('u'), NULL);
	assert_string_equal(cl.buf, "");
	/* Backspace on an empty line leaves it. */
	assert_int_equal(cmdline_key(&cl, KEY_BACKSPACE, NULL), CL_CANCEL);
	assert_int_equal(cmdline_key(&cl, 27, NULL), CL_CANCEL);
	assert_int_equal(cmdline_key(&cl, KEY_F(5), NULL), CL_IGNORED);
	cmdline_release(&cl);
}

static void
utf8_moves_by_character(void **state)
{
	struct cmdline cl;

	cmdline_init(&cl);
	typekeys(&cl, "né日");
	assert_int_equal(cl.len, 6);
	cmdline_key(&cl, KEY_LEFT, NULL);
	assert_int_equal(cl.cur, 3);
	cmdline_key(&cl, KEY_LEFT, NULL);
	assert_int_equal(cl.cur, 1);
	cmdline_key(&cl, KEY_DC, NULL);
	assert_string_equal(cl.buf, "n日");
	cmdline_key(&cl, KEY_END, NULL);
	cmdline_key(&cl, 127, NULL);
	assert_string_equal(cl.buf, "n");
	cmdline_release(&cl);
}

static void
history(void **state)
{
	struct cmdline cl;
	int	 i;

	cmdline_init(&cl);
	typekeys(&cl, "one");
	assert_int_equal(cmdline_key(&cl, '\r', NULL), CL_ENTER);
	cmdline_set(&cl, "");
	typekeys(&cl, "two");
	cmdline_key(&cl, '\n', NULL);
	cmdline_set(&cl, "");
	typekeys(&cl, "thr");
	cmdline_key(&cl, KEY_UP, NULL);
	assert_string_equal(cl.buf, "two");
	cmdline_key(&cl, KEY_UP, NULL);
	assert_string_equal(cl.buf, "one");
	cmdline_key(&cl, KEY_UP, NULL);
	assert_string_equal(cl.buf, "one");
	cmdline_key(&cl, KEY_DOWN, NULL);
	cmdline_key(&cl, KEY_DOWN, NULL);
	/* Back to the line being typed. */
	assert_string_equal(cl.buf, "thr");
	/* No repeats, and a cap. */
	cmdline_history_add(&cl, "two");
	assert_int_equal(cl.nhist, 2);
	for (i = 0; i < CMDLINE_HIST + 10; i++) {
		char s[16];

		snprintf(s, sizeof s, "l%d", i);
		cmdline_history_add(&cl, s);
	}
	assert_int_equal(cl.nhist, CMDLINE_HIST);
	assert_string_equal(cl.hist[CMDLINE_HIST - 1], "l209");
	cmdline_release(&cl);
}

static void
parses_commands(void **state)
{
	struct cmd c;
	char	 err[256];

	assert_int_equal(cmdline_parse("note web1 reimaged  ", &c, err,
	    sizeof err), 0);
	assert_int_equal(c.kind, CMD_NOTE);
	assert_string_equal(c.a[0], "web1 reimaged");
	assert_int_equal(cmdline_parse("assign 4 bob", &c, err, sizeof err),
	    0);
	assert_int_equal(c.kind, CMD_ASSIGN);
	assert_string_equal(c.a[0], "T-4");
	assert_string_equal(c.a[1], "bob");
	assert_int_equal(cmdline_parse("assign t-4 -", &c, err, sizeof err),
	    0);
	assert_string_equal(c.a[1], "-");
	assert_int_equal(cmdline_parse(":status contained", &c, err,
	    sizeof err), 0);
	assert_int_equal(c.kind, CMD_STATUS);
	assert_string_equal(c.a[0], "contained");
	/* Unique prefixes of commands and values. */
	assert_int_equal(cmdline_parse("st cont", &c, err, sizeof err), 0);
	assert_int_equal(c.kind, CMD_STATUS);
	assert_string_equal(c.a[0], "contained");
	assert_int_equal(cmdline_parse("phase lessons", &c, err, sizeof err),
	    0);
	assert_string_equal(c.a[0], "lessons_learned");
	assert_int_equal(cmdline_parse("task add pull proxy logs @bob", &c,
	    err, sizeof err), 0);
	assert_int_equal(c.kind, CMD_TASK_ADD);
	assert_string_equal(c.a[0], "pull proxy logs");
	assert_string_equal(c.a[1], "bob");
	assert_int_equal(cmdline_parse("task add email alice@x.org", &c, err,
	    sizeof err), 0);
	assert_string_equal(c.a[0], "email alice@x.org");
	assert_null(c.a[1]);
	assert_int_equal(cmdline_parse("task done T-7", &c, err, sizeof err),
	    0);
	assert_int_equal(c.kind, CMD_TASK_DONE);
	assert_string_equal(c.a[0], "T-7");
	assert_int_equal(cmdline_parse("task st 7 block", &c, err,
	    sizeof err), 0);
	assert_int_equal(c.kind, CMD_TASK_STATUS);
	assert_string_equal(c.a[1], "blocked");
	assert_int_equal(cmdline_parse("close false", &c, err, sizeof err),
	    0);
	assert_string_equal(c.a[0], "false_positive");
	assert_null(c.a[1]);
	assert_int_equal(cmdline_parse("close dup same as INC-2", &c, err,
	    sizeof err), 0);
	assert_string_equal(c.a[1], "same as INC-2");
	assert_int_equal(cmdline_parse("promote", &c, err, sizeof err), 0);
	assert_null(c.a[0]);
	assert_int_equal(cmdline_parse("promote 12", &c, err, sizeof err), 0);
	assert_string_equal(c.a[0], "INC-12");
	assert_int_equal(cmdline_parse("observable ip 10.1.2.3 ioc", &c, err,
	    sizeof err), 0);
	assert_string_equal(c.a[0], "ip");
	assert_string_equal(c.a[1], "10.1.2.3");
	assert_string_equal(c.a[2], "ioc");
	assert_int_equal(cmdline_parse("query", &c, err, sizeof err), 0);
	assert_int_equal(c.kind, CMD_QUERY);
	assert_string_equal(c.a[0], "");
	assert_int_equal(cmdline_parse("q", &c, err, sizeof err), 0);
	assert_int_equal(c.kind, CMD_QUIT);
	assert_int_equal(cmdline_parse("quit", &c, err, sizeof err), 0);
	assert_int_equal(c.kind, CMD_QUIT);
}

static void
refuses_bad_commands(void **state)
{
	struct cmd c;
	char	 err[256];

	assert_int_equal(cmdline_parse("", &c, err, sizeof err), -1);
	assert_int_equal(cmdline_parse("frobnicate", &c, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "unknown command"));
	/* "s" is status or ... nothing else; "p" is phase or promote. */
	assert_int_equal(cmdline_parse("p x", &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "ambiguous"));
	assert_int_equal(cmdline_parse("note", &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "usage: note TEXT"));
	assert_int_equal(cmdline_parse("status closed", &c, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "status"));
	assert_int_equal(cmdline_parse("assign T-0 bob", &c, err, sizeof err),
	    -1);
	assert_int_equal(cmdline_parse("assign x bob", &c, err, sizeof err),
	    -1);
	assert_int_equal(cmdline_parse("assign 3 b@d", &c, err, sizeof err),
	    -1);
	assert_int_equal(cmdline_parse("assign 3 bob extra", &c, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "too many"));
	assert_int_equal(cmdline_parse("open INC-", &c, err, sizeof err), -1);
	assert_int_equal(cmdline_parse("task frob", &c, err, sizeof err), -1);
	assert_int_equal(cmdline_parse("task add x @b@d", &c, err,
	    sizeof err), -1);
	assert_int_equal(cmdline_parse("observable ip", &c, err, sizeof err),
	    -1);
	assert_int_equal(c.kind, CMD_NONE);
}

static void
completes(void **state)
{
	static const char *const users[] = { "alice", "bob", "bobby" };
	static const char *const tasks[] = { "T-1", "T-12" };
	struct cmdline_words w = { users, 3, tasks, 2, NULL, 0 };
	struct cmdline cl;

	cmdline_init(&cl);
	cmdline_set(&cl, "no");
	assert_int_equal(cmdline_complete(&cl, &w), 1);
	assert_string_equal(cl.buf, "note ");
	cmdline_set(&cl, "st");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "status ");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "status ");
	assert_string_equal(cl.hint, "open contained");
	cmdline_set(&cl, "status c");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "status contained ");
	cmdline_set(&cl, "assign T-1");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "assign T-1");
	assert_string_equal(cl.hint, "T-1 T-12");
	cmdline_set(&cl, "assign T-12 b");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "assign T-12 bob");
	assert_string_equal(cl.hint, "bob bobby");
	cmdline_set(&cl, "assign T-12 a");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "assign T-12 alice ");
	cmdline_set(&cl, "task a");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "task add ");
	cmdline_set(&cl, "task add call the ISP @al");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "task add call the ISP @alice ");
	cmdline_set(&cl, "phase era");
	cmdline_complete(&cl, &w);
	assert_string_equal(cl.buf, "phase eradication ");
	/* Nothing to offer: the usage instead. */
	cmdline_set(&cl, "note some");
	assert_int_equal(cmdline_complete(&cl, &w), 0);
	assert_string_equal(cl.hint, "note TEXT");
	/* Tab through cmdline_key completes too. */
	cmdline_set(&cl, "esc");
	assert_int_equal(cmdline_key(&cl, '\t', &w), CL_EDIT);
	assert_string_equal(cl.buf, "escalate ");
	cmdline_release(&cl);
}

static void
usage_table(void **state)
{
	const char *u, *h;
	size_t	 i;

	for (i = 0; (u = cmdline_usage(i, &h)) != NULL; i++) {
		assert_non_null(h);
		assert_true(strlen(u) > 0);
	}
	assert_true(i >= 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edits),
		cmocka_unit_test(utf8_moves_by_character),
		cmocka_unit_test(history),
		cmocka_unit_test(parses_commands),
		cmocka_unit_test(refuses_bad_commands),
		cmocka_unit_test(completes),
		cmocka_unit_test(usage_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
