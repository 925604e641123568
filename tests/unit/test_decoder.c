/*
 * Unit tests for hub/ingest/decoder (ward-parsers(5)) and the shipped
 * decoders in share/parsers: every sample file there goes through
 * `wardd parsers check`'s code, which must pass.  Run from the
 * repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "decoder.h"
#include "parsers_cli.h"

struct errs {
	char	 msg[8][512];
	unsigned line[8];
	size_t	 n;
};

static void
collect(void *arg, const struct decoder_error *e)
{
	struct errs *x = arg;

	if (x->n < 8) {
		snprintf(x->msg[x->n], sizeof x->msg[0], "%s", e->msg);
		x->line[x->n] = e->line;
	}
	x->n++;
}

static struct decoders *
load_ok(const char *yaml)
{
	struct errs x;
	struct decoders *ds;
	size_t	 nerr;

	memset(&x, 0, sizeof x);
	ds = decoders_load_string(yaml, strlen(yaml), "t.yml", collect, &x,
	    &nerr);
	assert_non_null(ds);
	if (nerr > 0)
		fail_msg("unexpected error t.yml:%u: %s", x.line[0], x.msg[0]);
	return ds;
}

/* The first error loading yaml; its line in *line. */
static const char *
load_err(const char *yaml, unsigned *line)
{
	static struct errs x;
	struct decoders *ds;
	size_t	 nerr;

	memset(&x, 0, sizeof x);
	ds = decoders_load_string(yaml, strlen(yaml), "t.yml", collect, &x,
	    &nerr);
	assert_non_null(ds);
	assert_true(nerr > 0);
	assert_int_equal(nerr, x.n);
	decoders_free(ds);
	*line = x.line[0];
	return x.msg[0];
}

/* Apply ds to the event text; returns the event (caller frees). */
static json_t *
apply(const struct decoders *ds, const char *evjson, int *rc)
{
	struct decoder_scratch *s = decoder_scratch_new();
	json_error_t je;
	json_t	*ev;

	assert_non_null(s);
	ev = json_loads(evjson, 0, &je);
	assert_non_null(ev);
	*rc = decoders_apply(ds, ev, s);
	decoder_scratch_free(s);
	return ev;
}

static const char sshd[] =
"decoder: t\n"
"select:\n"
"  processname: [sshd, sshd-session]\n"
"set:\n"
"  category: authentication\n"
"tags: [sshd]\n"
"captures:\n"
"  ip: { field: details.sourceipaddress, type: ip }\n"
"  port: { field: details.sourceport, type: int }\n"
"patterns:\n"
"  - regex: '^Failed (?<authmethod>\\S+) for (?<username>\\S+) from (?<ip>\\S+) port (?<port>\\S+)'\n"
"    set:\n"
"      details.success: false\n"
"      details.n: 7\n"
"      details.t: 'yes'\n"
"    tags: [failed]\n"
"  - regex: '^Accepted (?<authmethod>\\S+) for (?<username>\\S+)'\n"
"    set:\n"
"      details.success: true\n";

static void
typed_fields_constants_and_tags(void **state)
{
	struct decoders *ds = load_ok(sshd);
	json_t	*ev, *d;
	int	 rc;

	ev = apply(ds, "{\"processname\": \"sshd\", \"summary\": \"Failed "
	    "password for root from ::ffff:192.0.2.7 port 2222 ssh2\", "
	    "\"tags\": [\"x\"], \"details\": {}}", &rc);
	assert_int_equal(rc, 1);
	d = json_object_get(ev, "details");
	assert_string_equal(json_string_value(json_object_get(d,
	    "sourceipaddress")), "192.0.2.7");
	assert_int_equal(json_integer_value(json_object_get(d, "sourceport")),
	    2222);
	assert_true(json_is_false(json_object_get(d, "success")));
	assert_int_equal(json_integer_value(json_object_get(d, "n")), 7);
	assert_string_equal(json_string_value(json_object_get(d, "t")), "yes");
	assert_string_equal(json_string_value(json_object_get(d, "username")),
	    "root");
	assert_string_equal(json_string_value(json_object_get(ev, "category")),
	    "authentication");
	assert_int_equal(json_array_size(json_object_get(ev, "tags")), 3);
	json_decref(ev);

	/* a value that is not of its type is left unset; the rest is set */
	ev = apply(ds, "{\"processname\": \"sshd-session\", \"summary\": "
	    "\"Failed password for root from example.org port 99999999999999"
	    "99999999 ssh2\"}", &rc);
	assert_int_equal(rc, 1);
	d = json_object_get(ev, "details");
	assert_non_null(d);
	assert_null(json_object_get(d, "sourceipaddress"));
	assert_null(json_object_get(d, "sourceport"));
	assert_string_equal(json_string_value(json_object_get(d, "username")),
	    "root");
	json_decref(ev);

	/* first match: the second pattern is not tried after the first */
	ev = apply(ds, "{\"processname\": \"sshd\", \"summary\": \"Accepted "
	    "publickey for alice\"}", &rc);
	assert_int_equal(rc, 1);
	assert_true(json_is_true(json_object_get(json_object_get(ev,
	    "details"), "success")));
	json_decref(ev);
	decoders_free(ds);
}

static void
selector_picks_the_events(void **state)
{
	struct decoders *ds = load_ok(sshd);
	json_t	*ev;
	int	 rc;

	/* the right message from another program */
	ev = apply(ds, "{\"processname\": \"cron\", \"summary\": \"Failed "
	    "password for root from 192.0.2.7 port 22\"}", &rc);
	assert_int_equal(rc, 0);
	assert_null(json_object_get(ev, "details"));
	json_decref(ev);
	/* no processname, a number for a summary, not an object */
	ev = apply(ds, "{\"summary\": \"Failed password for root from "
	    "192.0.2.7 port 22\"}", &rc);
	assert_int_equal(rc, 0);
	json_decref(ev);
	ev = apply(ds, "{\"processname\": \"sshd\", \"summary\": 5}", &rc);
	assert_int_equal(rc, 0);
	json_decref(ev);
	ev = apply(ds, "[1]", &rc);
	assert_int_equal(rc, 0);
	json_decref(ev);
	decoders_free(ds);
}

static void
globs_all_match_and_order(void **state)
{
	static const char y[] =
	    "decoder: a\n"
	    "select: { summary: 'pam_unix(*', hostname: [web*, db1] }\n"
	    "match: all\n"
	    "patterns:\n"
	    "  - regex: 'user=(?<username>\\w+)'\n"
	    "  - regex: 'rhost=(?<rhost>\\S+)'\n"
	    "---\n"
	    "decoder: b\n"
	    "select: { processname: sshd }\n"
	    "patterns:\n"
	    "  - regex: '(?<username>\\w+)$'\n"
	    "    captures: { username: { field: details.last } }\n";
	struct decoder_scratch *s = decoder_scratch_new();
	struct decoders *ds = load_ok(y);
	const size_t *m;
	json_t	*ev, *d;
	size_t	 n;

	assert_int_equal(decoders_count(ds), 2);
	ev = json_pack("{s:s, s:s, s:s}", "processname", "sshd", "hostname",
	    "web3", "summary", "pam_unix(sshd:auth): x rhost=h  user=bob");
	assert_int_equal(decoders_apply(ds, ev, s), 1);
	m = decoder_scratch_matched(s, &n);
	assert_int_equal(n, 2);
	assert_int_equal(m[0], 0);	/* unindexed a before indexed b */
	assert_int_equal(m[1], 1);
	d = json_object_get(ev, "details");
	assert_string_equal(json_string_value(json_object_get(d, "username")),
	    "bob");
	assert_string_equal(json_string_value(json_object_get(d, "rhost")),
	    "h");
	assert_string_equal(json_string_value(json_object_get(d, "last")),
	    "bob");
	json_decref(ev);
	/* the hostname selector fails: only b runs */
	ev = json_pack("{s:s, s:s, s:s}", "processname", "sshd", "hostname",
	    "db2", "summary", "pam_unix(sshd:auth): user=bob");
	assert_int_equal(decoders_apply(ds, ev, s), 1);
	m = decoder_scratch_matched(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(m[0], 1);
	json_decref(ev);
	decoder_scratch_free(s);
	decoders_free(ds);
}

static void
hostile_input_is_bounded(void **state)
{
	/* catastrophic backtracking: given up at the match limit */
	static const char y[] =
	    "decoder: slow\n"
	    "select: { processname: x }\n"
	    "patterns:\n"
	    "  - regex: '^(?<a>(\\w+\\s?)*)$'\n";
	struct decoder_scratch *s = decoder_scratch_new();
	struct decoders *ds = load_ok(y);
	char	 msg[4096];
	json_t	*ev;

	memset(msg, 'a', sizeof msg - 2);
	msg[sizeof msg - 2] = '!';
	msg[sizeof msg - 1] = '\0';
	ev = json_pack("{s:s, s:s}", "processname", "x", "summary", msg);
	assert_int_equal(decoders_apply(ds, ev, s), 0);
	assert_true(decoder_scratch_limited(s) > 0);
	json_decref(ev);
	decoder_scratch_free(s);
	decoders_free(ds);
}

static void
errors_name_the_line(void **state)
{
	unsigned line;
	const char *m;

	m = load_err("decoder: a\nselect: { processname: x }\npatterns:\n"
	    "  - regex: '(?<a>x'\n", &line);
	assert_int_equal(line, 4);
	assert_non_null(strstr(m, "regex: missing closing parenthesis"));
	m = load_err("decoder: a\nselect: { processname: x }\npatterns:\n"
	    "  - regex: 'x'\n", &line);
	assert_non_null(strstr(m, "no named group"));
	m = load_err("decoder: a\nselect: { processname: x }\npatterns:\n"
	    "  - regex: '(?<a>x)'\n    set: { summary: y }\n", &line);
	assert_int_equal(line, 5);
	assert_non_null(strstr(m, "details.NAME or category"));
	m = load_err("decoder: a\nselect: { processname: x }\ncaptures:\n"
	    "  a: float\npatterns:\n  - regex: '(?<a>x)'\n", &line);
	assert_int_equal(line, 4);
	assert_non_null(strstr(m, "unknown type 'float'"));
	m = load_err("decoder: a\nselect: { processname: x }\ncaptures:\n"
	    "  b: int\npatterns:\n  - regex: '(?<a>x)'\n", &line);
	assert_non_null(strstr(m, "'b' is not a group"));
	m = load_err("decoder: a\nselect: {}\npatterns:\n"
	    "  - regex: '(?<a>x)'\n", &line);
	assert_non_null(strstr(m, "select"));
	m = load_err("decoder: a\nselect: { processname: x }\nmatch: some\n"
	    "patterns:\n  - regex: '(?<a>x)'\n", &line);
	assert_int_equal(line, 3);
	m = load_err("decoder: a\nselect: { processname: x }\npaterns:\n",
	    &line);
	assert_non_null(strstr(m, "unknown key 'paterns'"));
	m = load_err("decoder: a\nselect: { processname: x }\npatterns:\n"
	    "  - regex: '(?<a>x)'\n---\ndecoder: a\nselect: { processname: "
	    "x }\npatterns:\n  - regex: '(?<a>x)'\n", &line);
	assert_int_equal(line, 6);
	assert_non_null(strstr(m, "already defined at t.yml:1"));
	m = load_err("decoder: a\n  - : [\n", &line);
	assert_true(line >= 1);
	assert_non_null(strstr(m, "YAML"));
}

static void
broken_decoder_skipped_others_load(void **state)
{
	static const char y[] =
	    "decoder: bad\nselect: { processname: x }\npatterns:\n"
	    "  - regex: '('\n---\n"
	    "decoder: good\nselect: { processname: x }\npatterns:\n"
	    "  - regex: '(?<a>x)'\n";
	struct decoders *ds;
	char	 err[256];
	size_t	 nerr;
	const char *paths[] = { "share/parsers/nonexistent.yml" };

	ds = decoders_load_string(y, sizeof y - 1, "t.yml", NULL, NULL, &nerr);
	assert_non_null(ds);
	assert_int_equal(nerr, 1);
	assert_int_equal(decoders_count(ds), 1);
	assert_string_equal(decoders_name(ds, 0), "good");
	decoders_free(ds);
	/* the strict form fails with file:line: reason */
	assert_null(decoders_load(paths, 1, err, sizeof err));
	assert_string_equal(err, "share/parsers/nonexistent.yml: cannot "
	    "read: No such file or directory");
}

/* Every shipped decoder file loads, has samples, and they pass. */
static void
shipped_decoders_and_samples(void **state)
{
	char	*argv[] = { "check", "share/parsers", NULL };
	const char *const *files;
	struct decoders *ds;
	char	 err[512], path[512];
	const char *dir[] = { "share/parsers" };
	size_t	 n, i;

	ds = decoders_load(dir, 1, err, sizeof err);
	if (ds == NULL)
		fail_msg("%s", err);
	assert_true(decoders_count(ds) >= 9);
	files = decoders_files(ds, &n);
	for (i = 0; i < n; i++) {
		const char *b = strrchr(files[i], '/') + 1;

		snprintf(path, sizeof path, "share/parsers/samples/%.*s."
		    "match.ndjson", (int)(strlen(b) - 4), b);
		assert_int_equal(access(path, R_OK), 0);
		snprintf(path, sizeof path, "share/parsers/samples/%.*s."
		    "nomatch.ndjson", (int)(strlen(b) - 4), b);
		assert_int_equal(access(path, R_OK), 0);
	}
	decoders_free(ds);
	assert_int_equal(parsers_cli_check(2, argv), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typed_fields_constants_and_tags),
		cmocka_unit_test(selector_picks_the_events),
		cmocka_unit_test(globs_all_match_and_order),
		cmocka_unit_test(hostile_input_is_bounded),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(broken_decoder_skipped_others_load),
		cmocka_unit_test(shipped_decoders_and_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
