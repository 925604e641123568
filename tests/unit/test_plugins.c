/* Unit tests for hub/ingest/plugins: loading and its errors, the
 * registration pre-filter, the reply framing, and plugins written in
 * MozDef's style run through a real python host, including ones that
 * raise, hang and kill their host. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "plugins.h"

static char dir[64];

static void
put(const char *d, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", d, name);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static json_t *
J(const char *s)
{
	json_error_t e;
	json_t	*j = json_loads(s, 0, &e);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, s);
	return j;
}

static char *
dump(const json_t *j)
{
	return json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
}

static void
assert_json(const json_t *got, const char *want)
{
	json_t	*w = J(want);
	char	*g;

	if (!json_equal(got, w)) {
		g = dump(got);
		fail_msg("got  %s\nwant %s", g, want);
	}
	json_decref(w);
}

/* An sshd parser in the manner of MozDef's parse_sshd.py. */
static const char sshd_py[] =
"import re\n"
"\n"
"\n"
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['sshd']\n"
"        self.priority = 5\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        failed = re.compile(r'^Failed (?P<authmethod>\\w+) for (invalid "
    "user )?(?P<username>\\S+) from (?P<sourceipaddress>[0-9.]+) port "
    "(?P<sourceport>\\d+) ssh2$')\n"
"        if message.get('processname') == 'sshd':\n"
"            m = failed.search(message.get('summary', ''))\n"
"            if m:\n"
"                for k in ('authmethod', 'username', 'sourceipaddress',"
    " 'sourceport'):\n"
"                    message['details'][k] = m.group(k)\n"
"                message['details']['success'] = False\n"
"        return (message, metadata)\n";

/* Lower-cases keys, as MozDef's lower_keys.py. */
static const char lower_py[] =
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['cloudtrail']\n"
"        self.priority = 4\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        def low(v):\n"
"            if isinstance(v, dict):\n"
"                return {k.lower(): low(x) for k, x in v.items()}\n"
"            if isinstance(v, list):\n"
"                return [low(x) for x in v]\n"
"            return v\n"
"        return (low(message), metadata)\n";

/* Removes dots at the ends of keys, as MozDef's remove_dots.py. */
static const char nodots_py[] =
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['cloudtrail']\n"
"        self.priority = 5\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        def fix(v):\n"
"            if isinstance(v, dict):\n"
"                return {k.strip('.'): fix(x) for k, x in v.items()}\n"
"            if isinstance(v, list):\n"
"                return [fix(x) for x in v]\n"
"            return v\n"
"        return (fix(message), metadata)\n";

/* Drops load balancer health checks with a bare None, as MozDef's
   dropMessage.py (its registration is mixed case). */
static const char dropper_py[] =
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['ELB-HealthChecker/1.0']\n"
"        self.priority = 1\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        d = message.get('details', {})\n"
"        if d.get('http_user_agent') == 'ELB-HealthChecker/1.0':\n"
"            return None\n"
"        return (message, metadata)\n";

/* Marks events before the raiser (priority 1): its mark must stay. */
static const char marker_py[] =
"class message(object):\n"
"    registration = ['boom', 'die', 'sleepy']\n"
"    priority = 1\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        message['details']['marked'] = True\n"
"        return (message, metadata)\n";

static const char raiser_py[] =
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['boom']\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        message['details']['half'] = 'done'\n"
"        raise ValueError('no good')\n";

static const char sleeper_py[] =
"import time\n"
"\n"
"\n"
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['sleepy']\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        message['details']['half'] = 'done'\n"
"        time.sleep(1000)\n"
"        return (message, metadata)\n";

static const char exiter_py[] =
"import os\n"
"\n"
"\n"
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['die']\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        os._exit(3)\n";

static int
setup(void **state)
{
	char	 cmd[1024];

	snprintf(dir, sizeof dir, "/tmp/ward-test-plugins.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "mkdir -p %s/ok %s/bad1 %s/bad2 %s/fail "
	    "%s/star %s/bad3", dir, dir, dir, dir, dir, dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof cmd, "%s/ok", dir);
	put(cmd, "ward_sshd.py", sshd_py);
	put(cmd, "lower.py", lower_py);
	put(cmd, "nodots.py", nodots_py);
	put(cmd, "dropper.py", dropper_py);
	put(cmd, "_helper.py", "x = (\n");	/* skipped: starts with _ */
	put(cmd, "README", "not a plugin\n");
	snprintf(cmd, sizeof cmd, "%s/bad1", dir);
	put(cmd, "broken.py", "class message(object):\n"
	    "    registration = ['x']\n"
	    "    def onMessage(self, m, md)\n"
	    "        return (m, md)\n");
	snprintf(cmd, sizeof cmd, "%s/bad2", dir);
	put(cmd, "noclass.py", "import re\n\ndef onMessage(m, md):\n"
	    "    return (m, md)\n");
	snprintf(cmd, sizeof cmd, "%s/bad3", dir);
	put(cmd, "notlist.py", "class message(object):\n"
	    "    registration = 'sshd'\n"
	    "    def onMessage(self, m, md):\n"
	    "        return (m, md)\n");
	snprintf(cmd, sizeof cmd, "%s/fail", dir);
	put(cmd, "ward_sshd.py", sshd_py);
	put(cmd, "marker.py", marker_py);
	put(cmd, "raiser.py", raiser_py);
	put(cmd, "sleeper.py", sleeper_py);
	put(cmd, "exiter.py", exiter_py);
	snprintf(cmd, sizeof cmd, "%s/star", dir);
	put(cmd, "all.py", "class message(object):\n"
	    "    registration = ['*']\n"
	    "    def onMessage(self, m, md):\n"
	    "        m['seen'] = md['index']\n"
	    "        return (m, md)\n");
	(void)state;
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

static struct plugins *
load(const char *sub, int timeout_ms, char *err, size_t errlen)
{
	struct plugins_opts o = { 0 };
	char	 d[512];
	const char *dirs[1] = { d };

	o.timeout_ms = timeout_ms;
	snprintf(d, sizeof d, "%s/%s", dir, sub);
	return plugins_load(dirs, 1, &o, err, errlen);
}

static void
test_load_errors(void **state)
{
	char	 err[512], want[512];
	struct plugins_opts o = { 0 };
	const char *none[1] = { "/nonexistent/plugins" };
	struct plugins *ps;

	(void)state;
	assert_null(load("bad1", 0, err, sizeof err));
	snprintf(want, sizeof want, "%s/bad1/broken.py:3: syntax error", dir);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got '%s', want '%s...'", err, want);
	assert_null(load("bad2", 0, err, sizeof err));
	snprintf(want, sizeof want, "%s/bad2/noclass.py:1: no class message",
	    dir);
	assert_string_equal(err, want);
	assert_null(load("bad3", 0, err, sizeof err));
	snprintf(want, sizeof want, "%s/bad3/notlist.py:1: registration is "
	    "not a list", dir);
	assert_string_equal(err, want);
	assert_null(plugins_load(none, 1, &o, err, sizeof err));
	assert_string_equal(err, "plugin folder /nonexistent/plugins: No such "
	    "file or directory");
	o.missing_ok = 1;
	ps = plugins_load(none, 1, &o, err, sizeof err);
	assert_non_null(ps);
	assert_int_equal(plugins_count(ps), 0);
	plugins_free(ps);
}

static void
test_prefilter(void **state)
{
	static const struct {
		const char *ev;
		int	 want;
		uint64_t mask;
	} c[] = {
		/* ok/ in priority order: dropper(1) lower(4) nodots(5)
		   ward_sshd(5) */
		{ "{\"processname\":\"sshd\"}", 1, 8 },
		{ "{\"processname\":\"SSHD\"}", 1, 8 },
		{ "{\"details\":{\"Sshd\":1}}", 1, 8 },		/* a key */
		{ "{\"a\":[1,[\"x\",\"sshd\"]]}", 1, 8 },
		{ "{\"summary\":\"sshd[12]: Failed password\"}", 0, 0 },
		{ "{\"n\":12,\"b\":true,\"z\":null}", 0, 0 },
		{ "{\"source\":\"CloudTrail\",\"p\":\"sshd\"}", 1, 2|4|8 },
		{ "{\"ua\":\"elb-healthchecker/1.0\"}", 1, 1 },
		{ "{\"x\":\"\\u017fshd\"}", 2, 0 },	/* long s: python */
		{ "{\"x\":\"\\u00e9t\\u00e9, a string longer than any term\"}", 0, 0 },
	};
	struct plugins *ps;
	char	 err[512];
	uint64_t mask;
	size_t	 i;
	json_t	*ev;

	(void)state;
	ps = load("ok", 0, err, sizeof err);
	if (ps == NULL)
		fail_msg("%s", err);
	assert_int_equal(plugins_count(ps), 4);
	for (i = 0; i < sizeof c / sizeof *c; i++) {
		ev = J(c[i].ev);
		if (plugins_match(ps, ev, &mask) != c[i].want ||
		    (c[i].want == 1 && mask != c[i].mask))
			fail_msg("%s: got %d mask %llx, want %d %llx", c[i].ev,
			    plugins_match(ps, ev, &mask),
			    (unsigned long long)mask, c[i].want,
			    (unsigned long long)c[i].mask);
		json_decref(ev);
	}
	plugins_free(ps);
}

static void
test_reply(void **state)
{
	struct plugin_result r[4];
	uint64_t calls[2] = { 0 }, ns[2] = { 0 };
	uint32_t seq;
	size_t	 count, nbytes, hdr;
	char	 err[200];
	const char *good = "u\nj 1 {\"a\":1}\nd 0\ne 1 \"Value: x y\" "
	    "{\"b\":[1]}\ns 3 100 4 200\n";
	static const char *const bad[] = {
		"u\nj 1 {\"a\":1}\nd 0\n",		/* no s line */
		"u\nj 2 {\"a\":1}\nd 0\ne 1 \"x\" {}\ns 1 1 1 1\n", /* k */
		"u\nj 1 {\"a\":1}\nd 0\ne 1 {} {}\ns 1 1 1 1\n", /* reason */
		"u\nj 1\nd 0\ne 1 \"x\" {}\ns 1 1 1 1\n",	/* no event */
		"u\nj 1 {}\nd 0\ne 1 \"x\" {}\ns 1 1 1\n",	/* stats */
		"u\nj 1 {}\nd 0 \ne 1 \"x\" {}\ns 1 1 1 1\n",	/* d 0_ */
		"u\nj 1 {}\nd 0\ne 1 \"x\" {}\ns 1 1 1 1\nu\n", /* extra */
		"x\nj 1 {}\nd 0\ne 1 \"x\" {}\ns 1 1 1 1\n",
	};
	size_t	 i;

	(void)state;
	assert_int_equal(plugins_reply_header("7 4 12\nxx", 9, &seq, &count,
	    &nbytes, &hdr), 1);
	assert_int_equal(seq, 7);
	assert_int_equal(count, 4);
	assert_int_equal(nbytes, 12);
	assert_int_equal(hdr, 7);
	assert_int_equal(plugins_reply_header("7 4", 3, &seq, &count, &nbytes,
	    &hdr), 0);
	assert_int_equal(plugins_reply_header("7 x 1\n", 6, &seq, &count,
	    &nbytes, &hdr), -1);
	assert_int_equal(plugins_reply_header("99999999999 1 1\n", 16, &seq,
	    &count, &nbytes, &hdr), -1);
	assert_int_equal(plugins_reply_header("1 1 1 1\n", 8, &seq,
	    &count, &nbytes, &hdr), -1);
	assert_int_equal(plugins_reply_parse(good, strlen(good), 4, 2, r,
	    calls, ns, err, sizeof err), 0);
	assert_int_equal(r[0].kind, 'u');
	assert_int_equal(r[1].kind, 'j');
	assert_int_equal(r[1].k, 1);
	assert_int_equal(r[1].eventlen, 7);
	assert_memory_equal(r[1].event, "{\"a\":1}", 7);
	assert_int_equal(r[2].kind, 'd');
	assert_int_equal(r[3].kind, 'e');
	assert_int_equal(r[3].reasonlen, 12);
	assert_memory_equal(r[3].event, "{\"b\":[1]}", 9);
	assert_int_equal(calls[0], 3);
	assert_int_equal(ns[1], 200);
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (plugins_reply_parse(bad[i], strlen(bad[i]), 4, 2, r, calls,
		    ns, err, sizeof err) != -1)
			fail_msg("accepted bad reply %zu", i);
}

static void
test_run(void **state)
{
	const char *in[] = {
		"{\"processname\":\"sshd\",\"summary\":\"Failed password for "
		    "invalid user admin from 203.0.113.7 port 4242 ssh2\","
		    "\"details\":{},\"tags\":[]}",
		"{\"processname\":\"cron\",\"summary\":\"sshd is fine\","
		    "\"details\":{}}",
		"{\"source\":\"cloudtrail\",\"details\":{\"EventName\":"
		    "\"Login\",\".Region.\":\"eu\",\"List\":[{\"A.\":1}]}}",
		"{\"details\":{\"http_user_agent\":\"ELB-HealthChecker/1.0\"}}",
		"{\"details\":{\"http_user_agent\":\"elb-healthchecker/1.0\"}}",
	};
	const char *want[] = {
		"{\"processname\":\"sshd\",\"summary\":\"Failed password for "
		    "invalid user admin from 203.0.113.7 port 4242 ssh2\","
		    "\"details\":{\"authmethod\":\"password\",\"username\":"
		    "\"admin\",\"sourceipaddress\":\"203.0.113.7\","
		    "\"sourceport\":\"4242\",\"success\":false},\"tags\":[]}",
		NULL,
		"{\"source\":\"cloudtrail\",\"details\":{\"eventname\":"
		    "\"Login\",\"region\":\"eu\",\"list\":[{\"a\":1}]}}",
		NULL,
		"{\"details\":{\"http_user_agent\":\"elb-healthchecker/1.0\"}}",
	};
	json_t	*evs[5], *untouched;
	unsigned char dropped[5];
	struct plugins *ps;
	struct plugin_host *h;
	struct buf m;
	char	 err[512];
	size_t	 i, round;

	(void)state;
	if ((ps = load("ok", 0, err, sizeof err)) == NULL)
		fail_msg("%s", err);
	h = plugin_host_new(ps);
	for (round = 0; round < 2; round++) {	/* the host is reused */
		for (i = 0; i < 5; i++)
			evs[i] = J(in[i]);
		untouched = evs[1];
		assert_int_equal(plugin_host_run(h, evs, 5, dropped), 4);
		assert_ptr_equal(evs[1], untouched);	/* never sent */
		for (i = 0; i < 5; i++) {
			assert_int_equal(dropped[i], i == 3);
			if (i != 3)
				assert_json(evs[i], want[i] ? want[i] : in[i]);
			json_decref(evs[i]);
		}
	}
	buf_init(&m);
	assert_int_equal(plugins_metrics_render(plugins_stats(ps), &m), 0);
	assert_non_null(strstr(m.data,
	    "ward_plugin_events_total{plugin=\"ward_sshd\"} 2\n"));
	assert_non_null(strstr(m.data,
	    "ward_plugin_dropped_total{plugin=\"dropper\"} 2\n"));
	assert_non_null(strstr(m.data,
	    "ward_plugin_events_total{plugin=\"lower\"} 2\n"));
	assert_non_null(strstr(m.data, "ward_plugin_sent_total 8\n"));
	buf_release(&m);
	plugin_host_free(h);
	plugins_free(ps);
}

static void
test_star(void **state)
{
	json_t	*ev = J("{\"a\":1}");
	unsigned char dropped[1];
	struct plugins *ps;
	struct plugin_host *h;
	char	 err[512];

	(void)state;
	if ((ps = load("star", 0, err, sizeof err)) == NULL)
		fail_msg("%s", err);
	h = plugin_host_new(ps);
	assert_int_equal(plugin_host_run(h, &ev, 1, dropped), 1);
	assert_json(ev, "{\"a\":1,\"seen\":\"events\"}");
	json_decref(ev);
	plugin_host_free(h);
	plugins_free(ps);
}

static void
test_failures(void **state)
{
	const char *in[] = {
		"{\"processname\":\"sshd\",\"summary\":\"Failed password for "
		    "root from 198.51.100.1 port 1 ssh2\",\"details\":{}}",
		"{\"category\":\"boom\",\"details\":{},\"tags\":[\"a\"]}",
		"{\"processname\":\"sshd\",\"summary\":\"Failed password for "
		    "bob from 198.51.100.2 port 2 ssh2\",\"details\":{}}",
		"{\"category\":\"sleepy\",\"details\":{}}",
		"{\"processname\":\"sshd\",\"summary\":\"Failed password for "
		    "eve from 198.51.100.3 port 3 ssh2\",\"details\":{}}",
		"{\"category\":\"die\",\"details\":{}}",
		"{\"processname\":\"sshd\",\"summary\":\"Failed password for "
		    "mal from 198.51.100.4 port 4 ssh2\",\"details\":{}}",
	};
	const char *want[] = {
		NULL,
		"{\"category\":\"boom\",\"details\":{\"marked\":true},"
		    "\"tags\":[\"a\",\"plugin_error:raiser\"]}",
		NULL,
		"{\"category\":\"sleepy\",\"details\":{\"marked\":true},"
		    "\"tags\":[\"plugin_error:sleeper\"]}",
		NULL,
		"{\"category\":\"die\",\"details\":{\"marked\":true},"
		    "\"tags\":[\"plugin_error:exiter\"]}",
		NULL,
	};
	const size_t n = sizeof in / sizeof *in;
	json_t	*evs[sizeof in / sizeof *in];
	unsigned char dropped[sizeof in / sizeof *in];
	struct plugins *ps;
	struct plugin_host *h;
	struct buf m;
	char	 err[512];
	size_t	 i, round;

	(void)state;
	if ((ps = load("fail", 300, err, sizeof err)) == NULL)
		fail_msg("%s", err);
	h = plugin_host_new(ps);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < n; i++)
			evs[i] = J(in[i]);
		assert_int_equal(plugin_host_run(h, evs, n, dropped), n);
		for (i = 0; i < n; i++) {
			assert_int_equal(dropped[i], 0);
			if (want[i] != NULL)
				assert_json(evs[i], want[i]);
			else if (json_object_get(json_object_get(evs[i],
			    "details"), "sourceipaddress") == NULL ||
			    json_object_get(evs[i], "tags") != NULL) {
				char	*g = dump(evs[i]);

				fail_msg("round %zu event %zu not parsed: %s",
				    round, i, g);
			}
			json_decref(evs[i]);
		}
		/* the second round waits out the backoff of the first */
		if (round == 0)
			usleep(400000);
	}
	buf_init(&m);
	assert_int_equal(plugins_metrics_render(plugins_stats(ps), &m), 0);
	assert_non_null(strstr(m.data,
	    "ward_plugin_errors_total{plugin=\"raiser\"} 2\n"));
	assert_non_null(strstr(m.data,
	    "ward_plugin_errors_total{plugin=\"sleeper\"} 2\n"));
	assert_non_null(strstr(m.data,
	    "ward_plugin_errors_total{plugin=\"exiter\"} 2\n"));
	assert_non_null(strstr(m.data,
	    "ward_plugin_errors_total{plugin=\"ward_sshd\"} 0\n"));
	assert_non_null(strstr(m.data,
	    "ward_plugin_host_restarts_total 4\n"));
	buf_release(&m);
	plugin_host_free(h);
	plugins_free(ps);
}

/* A plugin that kills its host on every event: the first deaths in a
   row restart it at once, then it backs off and the events left are
   stored as they came, tagged plugin_skipped; nothing is lost. */
static void
test_backoff(void **state)
{
	json_t	*evs[8];
	unsigned char dropped[8];
	struct plugins *ps;
	struct plugin_host *h;
	struct buf m;
	char	 err[512], sub[128];
	size_t	 i, errors = 0, skipped = 0;

	(void)state;
	snprintf(sub, sizeof sub, "%s/dies", dir);
	if (mkdir(sub, 0700) == -1)
		fail_msg("mkdir %s", sub);
	put(sub, "exiter.py", exiter_py);
	if ((ps = load("dies", 0, err, sizeof err)) == NULL)
		fail_msg("%s", err);
	h = plugin_host_new(ps);
	for (i = 0; i < 8; i++)
		evs[i] = J("{\"category\":\"die\",\"details\":{}}");
	assert_int_equal(plugin_host_run(h, evs, 8, dropped), 8);
	for (i = 0; i < 8; i++) {
		json_t	*tags = json_object_get(evs[i], "tags");
		const char *t = json_string_value(json_array_get(tags, 0));

		assert_int_equal(dropped[i], 0);
		assert_int_equal(json_array_size(tags), 1);
		if (strcmp(t, "plugin_error:exiter") == 0)
			errors++;
		else if (strcmp(t, "plugin_skipped") == 0)
			skipped++;
		json_decref(evs[i]);
	}
	/* three restarts at once, the fourth death backs off */
	assert_int_equal(errors, 4);
	assert_int_equal(skipped, 4);
	buf_init(&m);
	assert_int_equal(plugins_metrics_render(plugins_stats(ps), &m), 0);
	assert_non_null(strstr(m.data, "ward_plugin_skipped_total 4\n"));
	assert_non_null(strstr(m.data, "ward_plugin_host_restarts_total 4\n"));
	buf_release(&m);
	/* while it waits, events are not sent at all */
	evs[0] = J("{\"category\":\"die\",\"details\":{}}");
	assert_int_equal(plugin_host_run(h, evs, 1, dropped), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    evs[0], "tags"), 0)), "plugin_skipped");
	json_decref(evs[0]);
	plugin_host_free(h);
	plugins_free(ps);
}

/* A plugin broken after the load (no SIGHUP): the host cannot start,
   the events are stored as they came, tagged plugin_skipped. */
static void
test_changed_on_disk(void **state)
{
	json_t	*ev;
	unsigned char dropped[1];
	struct plugins *ps;
	struct plugin_host *h;
	char	 err[512], sub[128];

	(void)state;
	snprintf(sub, sizeof sub, "%s/changes", dir);
	if (mkdir(sub, 0700) == -1)
		fail_msg("mkdir %s", sub);
	put(sub, "ward_sshd.py", sshd_py);
	if ((ps = load("changes", 0, err, sizeof err)) == NULL)
		fail_msg("%s", err);
	put(sub, "ward_sshd.py", "class message(object)\n");
	h = plugin_host_new(ps);
	ev = J("{\"processname\":\"sshd\",\"summary\":\"Failed password "
	    "for root from 192.0.2.1 port 1 ssh2\",\"details\":{}}");
	assert_int_equal(plugin_host_run(h, &ev, 1, dropped), 1);
	assert_int_equal(dropped[0], 0);
	assert_json(ev, "{\"processname\":\"sshd\",\"summary\":\"Failed "
	    "password for root from 192.0.2.1 port 1 ssh2\",\"details\":{},"
	    "\"tags\":[\"plugin_skipped\"]}");
	json_decref(ev);
	plugin_host_free(h);
	plugins_free(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_prefilter),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_changed_on_disk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
