/* Unit tests for hub/yamldoc: the hub's YAML loader and its helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "yamldoc.h"

static struct yamldoc_file *
parse(const char *text, char *err, unsigned *line)
{
	return yamldoc_parse(text, strlen(text), "t.yml", err, 256, line);
}

static void
documents_and_lines(void **state)
{
	static const char y[] =
	    "# a comment\n"
	    "a: 1\n"
	    "b:\n"
	    "  - x\n"
	    "  - 'true'\n"
	    "c: yes\n"
	    "d: ~\n"
	    "---\n"
	    "e: [1, 2]\n";
	struct yamldoc_file *f;
	struct yamldoc *d;
	yaml_node_t *root, *b, *x;
	char	 err[256];
	unsigned line;
	int	 v;

	f = parse(y, err, &line);
	assert_non_null(f);
	assert_int_equal(f->ndocs, 2);
	assert_string_equal(f->docs[1].file, "t.yml");
	assert_int_equal(f->docs[1].nth, 2);
	d = &f->docs[0];
	root = yamldoc_root(d);
	assert_int_equal(yamldoc_line(root), 2);
	assert_string_equal(yamldoc_scalar(yamldoc_get(d, root, "a")), "1");
	assert_int_equal(yamldoc_line(yamldoc_get(d, root, "a")), 2);
	b = yamldoc_get(d, root, "b");
	assert_int_equal(b->type, YAML_SEQUENCE_NODE);
	x = yamldoc_node(d, b->data.sequence.items.start[1]);
	assert_int_equal(yamldoc_line(x), 5);
	assert_false(yamldoc_plain(x));		/* quoted: text */
	assert_int_equal(yamldoc_bool(x, &v), 0);
	assert_true(v);
	assert_int_equal(yamldoc_bool(yamldoc_get(d, root, "c"), &v), 0);
	assert_true(v);
	assert_true(yamldoc_isnull(yamldoc_get(d, root, "d")));
	assert_false(yamldoc_isnull(yamldoc_get(d, root, "a")));
	assert_null(yamldoc_get(d, root, "zz"));
	assert_null(yamldoc_get(d, b, "a"));	/* not a mapping */
	assert_null(yamldoc_scalar(b));
	assert_int_equal(yamldoc_bool(b, &v), -1);
	assert_int_equal(yamldoc_line(NULL), 0);
	assert_int_equal(yamldoc_line(yamldoc_root(&f->docs[1])), 9);
	yamldoc_file_free(f);
}

static void
errors_and_empty(void **state)
{
	struct yamldoc_file *f;
	char	 err[256];
	unsigned line;

	f = parse("a: 1\nb: [1, 2\nc: 3\n", err, &line);
	assert_null(f);
	assert_true(line >= 2);
	assert_non_null(strstr(err, "YAML: "));
	f = parse("# only a comment\n", err, &line);
	assert_non_null(f);
	assert_int_equal(f->ndocs, 0);
	yamldoc_file_free(f);
	f = parse("", err, &line);
	assert_non_null(f);
	assert_int_equal(f->ndocs, 0);
	yamldoc_file_free(f);
	assert_null(yamldoc_load("/nonexistent/x.yml", err, sizeof err,
	    &line));
	assert_int_equal(line, 0);
	assert_string_equal(err, "cannot open: No such file or directory");
	f = yamldoc_load("share/parsers/sshd.yml", err, sizeof err, &line);
	assert_non_null(f);
	assert_int_equal(f->ndocs, 1);
	assert_string_equal(f->name, "share/parsers/sshd.yml");
	yamldoc_file_free(f);
	yamldoc_file_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(documents_and_lines),
		cmocka_unit_test(errors_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
