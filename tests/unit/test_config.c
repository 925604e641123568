/* Unit tests for hub/config: one option table drives getopt's long
   options, the ward.conf reader and --help; a file's bad line is refused
   naming file and line; flags win over the file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static const struct config_opt table[] = {
	{ "data", 'd', "DIR", 0, "data directory" },
	{ "listen", 'l', "ADDR:PORT", 0, "where to listen" },
	{ "syslog", 'S', "URL", CONFIG_REPEAT, "a syslog listener\n(repeatable)" },
	{ "verbose", 'v', NULL, 0, "log debug messages" },
	{ "config", 'C', "FILE", CONFIG_CMDLINE, "read options from FILE" },
	{ NULL, 0, NULL, 0, NULL }
};

static char path[64];

static int
setup(void **state)
{
	int	 fd;

	snprintf(path, sizeof path, "/tmp/ward-test-config.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	return 0;
}

static void
write_conf(const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Merge the file with argv (argv[1..] after "--config PATH"); the joined
   vector as one string, or the error. */
static int
merge(const char *text, const char **args, char *out, size_t outlen)
{
	char	*argv[16], **v, err[512];
	int	 argc = 0, n, i, rc;

	write_conf(text);
	argv[argc++] = (char *)"wardd";
	argv[argc++] = (char *)"--config";
	argv[argc++] = path;
	for (; args != NULL && *args != NULL; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	rc = config_merge(table, argc, argv, &n, &v, err, sizeof err);
	if (rc == -1) {
		snprintf(out, outlen, "%s", err);
		return -1;
	}
	out[0] = '\0';
	for (i = 1; i < n; i++)
		if (strcmp(v[i], path) != 0)
			snprintf(out + strlen(out), outlen - strlen(out), "%s%s",
			    i > 1 ? " " : "", v[i]);
	config_free(v);
	return 0;
}

static void
longopts_follow_the_table(void **state)
{
	struct option lo[6], small[3];

	assert_int_equal(config_longopts(table, lo, 6), 0);
	assert_string_equal(lo[2].name, "syslog");
	assert_int_equal(lo[2].has_arg, required_argument);
	assert_int_equal(lo[2].val, 'S');
	assert_int_equal(lo[3].has_arg, no_argument);
	assert_null(lo[5].name);
	assert_int_equal(config_longopts(table, small, 3), -1);
}

static void
usage_has_every_row(void **state)
{
	char	 buf[2048];
	FILE	*f = fmemopen(buf, sizeof buf, "w");

	assert_non_null(f);
	config_usage(table, f);
	fclose(f);
	assert_non_null(strstr(buf, "  --data DIR           data directory\n"));
	assert_non_null(strstr(buf, "  --syslog URL         a syslog listener\n"
	    "                       (repeatable)\n"));
	assert_non_null(strstr(buf, "  --verbose            log debug"));
	assert_non_null(strstr(buf, "  --config FILE"));
}

static void
file_goes_ahead_and_flags_win(void **state)
{
	char	 out[1024];
	const char *args[] = { "--listen", "1.2.3.4:5", NULL };
	const char *args2[] = { "--syslog=udp://c", NULL };

	assert_int_equal(merge("# a comment\n  listen = 127.0.0.1:1 # why\n"
	    "syslog = udp://a\nsyslog=udp://b\nverbose\n\n", NULL, out,
	    sizeof out), 0);
	assert_string_equal(out, "--listen 127.0.0.1:1 --syslog udp://a "
	    "--syslog udp://b --verbose --config");
	assert_int_equal(merge("listen = 127.0.0.1:1\nverbose = no\n", args,
	    out, sizeof out), 0);
	assert_string_equal(out, "--config --listen 1.2.3.4:5");
	/* a flag replaces every value of a repeatable key */
	assert_int_equal(merge("syslog = udp://a\nsyslog = udp://b\n", args2,
	    out, sizeof out), 0);
	assert_string_equal(out, "--config --syslog=udp://c");
}

static void
bad_lines_name_file_and_line(void **state)
{
	char	 out[1024], want[256];

	assert_int_equal(merge("listen = x:1\nlisten-on = y\n", NULL, out,
	    sizeof out), -1);
	snprintf(want, sizeof want, "%s:2: unknown key 'listen-on'", path);
	assert_non_null(strstr(out, want));
	assert_int_equal(merge("config = /etc/other\n", NULL, out,
	    sizeof out), -1);
	assert_non_null(strstr(out, ":1: unknown key 'config'"));
	assert_int_equal(merge("verbose = maybe\n", NULL, out, sizeof out), -1);
	assert_non_null(strstr(out, ":1: verbose is a switch"));
	assert_int_equal(merge("\n\nlisten =\n", NULL, out, sizeof out), -1);
	assert_non_null(strstr(out, ":3: listen needs a value"));
	assert_int_equal(merge("= 5\n", NULL, out, sizeof out), -1);
	assert_non_null(strstr(out, ":1: unknown key ''"));
}

static void
named_file_must_exist(void **state)
{
	char	*argv[] = { (char *)"wardd", (char *)"--config",
	    (char *)"/nonexistent/ward.conf", NULL }, **v, err[512];
	char	*argv2[] = { (char *)"wardd", (char *)"--data",
	    (char *)"/nonexistent", NULL };
	int	 n;

	assert_int_equal(config_merge(table, 3, argv, &n, &v, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/ward.conf"));
	/* the default file need not */
	assert_int_equal(config_merge(table, 3, argv2, &n, &v, err,
	    sizeof err), 0);
	assert_int_equal(n, 3);
	config_free(v);
	config_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(longopts_follow_the_table),
		cmocka_unit_test(usage_has_every_row),
		cmocka_unit_test_setup_teardown(file_goes_ahead_and_flags_win,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(bad_lines_name_file_and_line,
		    setup, teardown),
		cmocka_unit_test(named_file_must_exist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
