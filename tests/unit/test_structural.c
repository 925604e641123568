/*
 * Unit tests for the structural parsers of the transit stage: kv.c,
 * cef.c, jsonmsg.c, auditd.c and winevent.c, run as the hub runs them
 * (normalize_event, then the steps in transit.c's order, without the
 * decoders), on real lines and on lines they must leave alone.
 *
 * Where the lines come from (written in by hand, some cut short):
 *  - key=value: Cisco Meraki's "flows" sample from IBM's QRadar DSM guide
 *    ("Cisco Meraki sample event messages"); a UFW line from a server
 *    set-up diary quoted in share/parsers/samples/netfilter.match.ndjson;
 *    useradd's "new user:" line as Debian's shadow writes it.
 *  - CEF: the examples of ArcSight's "Implementing ArcSight CEF" standard
 *    (the "worm successfully stopped" line and its escaping examples);
 *    Trend Micro's Deep Discovery Email Inspector syslog guide ("CEF
 *    System Logs" log sample).
 *  - auditd: Red Hat's Security Guide, "Understanding Audit Log Files"
 *    (the cat /etc/ssh/sshd_config records); Elastic's auditbeat tests
 *    (auditbeat/module/auditd/audit_linux_test.go in elastic/beats:
 *    records captured on a real host — USER_LOGIN from sshd, EXECVE,
 *    PROCTITLE).
 *  - Windows: SigmaHQ's regression_data (evtx_dump JSON of a Sysmon 1 on
 *    SigmaCatchVm and a Security 5145 on IEWIN7, cut to the fields the
 *    test reads); the same kind of events in NXLog's and Winlogbeat's
 *    shapes as their documentation shows them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auditd.h"
#include "cef.h"
#include "jsonmsg.h"
#include "kv.h"
#include "normalize.h"
#include "timeparse.h"
#include "transit.h"

/* Arrival: 2026-12-07T16:30:00Z */
#define NOW_US	(INT64_C(1796661000) * 1000000)

static const struct transit_step *const table[] = {
	&transit_step_syslog, &transit_step_auditd, &transit_step_cef,
	&transit_step_jsonmsg, &transit_step_winevent, &transit_step_kv,
};

static struct transit *tr;
static struct transit_worker *tw;

static int
setup(void **state)
{
	struct transit_opts o = { 0 };
	char	 err[256];

	(void)state;
	tr = transit_new_steps(table, sizeof table / sizeof *table, &o, err,
	    sizeof err);
	if (tr == NULL || (tw = transit_worker_new(tr, err,
	    sizeof err)) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	transit_worker_free(tw);
	transit_unref(tr);
	return 0;
}

/* The event sent as JSON text, normalized and through the steps. */
static json_t *
run(const char *text)
{
	struct normalize_opts no = { NOW_US, NULL };
	struct transit_ctx ctx = { NOW_US };
	unsigned char flags = 0;
	json_error_t e;
	json_t	*ev;

	if ((ev = json_loads(text, 0, &e)) == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	assert_int_equal(normalize_event(ev, &no, NULL), 0);
	assert_int_equal(transit_run(tw, &ev, 1, &flags, &ctx), 0);
	return ev;
}

/* The value at "a.b" (no dots inside names). */
static json_t *
at(json_t *ev, const char *path)
{
	char	 seg[128];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(seg, sizeof seg, "%.*s", (int)(dot - path), path);
		ev = json_object_get(ev, seg);
		path = dot + 1;
	}
	return json_object_get(ev, path);
}

static void
str_is(json_t *ev, const char *path, const char *want)
{
	json_t	*v = at(ev, path);

	if (want == NULL) {
		if (v != NULL) {
			char *s = json_dumps(v, JSON_ENCODE_ANY);

			fail_msg("%s: want absent, got %s", path, s);
		}
		return;
	}
	if (!json_is_string(v)) {
		char *s = json_dumps(ev, 0);

		fail_msg("%s: want '%s', not a string in %s", path, want, s);
	}
	if (strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: want '%s', got '%s'", path, want,
		    json_string_value(v));
}

static void
int_is(json_t *ev, const char *path, json_int_t want)
{
	json_t	*v = at(ev, path);

	if (!json_is_integer(v))
		fail_msg("%s: want %lld, not an integer", path,
		    (long long)want);
	assert_int_equal(json_integer_value(v), want);
}

static void
bool_is(json_t *ev, const char *path, int want)
{
	json_t	*v = at(ev, path);

	if (!json_is_boolean(v))
		fail_msg("%s: want a boolean", path);
	assert_int_equal(json_is_true(v), want);
}

/* ---- key=value ---- */

static void
test_kv_lines(void **state)
{
	json_t	*ev;

	(void)state;
	/* Meraki: a lead word, pairs, and prose at the end */
	ev = run("{\"host\":\"appliance\",\"program\":\"flows\",\"message\":"
	    "\"flows src=172.21.84.107 dst=10.52.193.137 mac=5C:E0:C5:22:85:E4"
	    " protocol=tcp sport=50395 dport=443 pattern: allow all\"}");
	str_is(ev, "details.src", "172.21.84.107");
	str_is(ev, "details.mac", "5C:E0:C5:22:85:E4");
	str_is(ev, "details.dport", "443");
	str_is(ev, "details.sourceipaddress", "172.21.84.107");
	str_is(ev, "details.destinationipaddress", "10.52.193.137");
	int_is(ev, "details.sourceport", 50395);
	int_is(ev, "details.destinationport", 443);
	str_is(ev, "summary", "flows src=172.21.84.107 dst=10.52.193.137 "
	    "mac=5C:E0:C5:22:85:E4 protocol=tcp sport=50395 dport=443 "
	    "pattern: allow all");
	json_decref(ev);

	/* UFW, raw syslog line: keys as sent, upper case kept */
	ev = run("{\"message\":\"<4>Dec 10 07:28:03 jwserver kernel: [UFW "
	    "BLOCK] IN=eth0 OUT= MAC=96:00:00:3a:5b:c6:d2:74:7f:6e:37:e3:08:00"
	    " SRC=51.161.12.231 DST=95.216.178.106 LEN=40 TOS=0x00 PREC\"}");
	str_is(ev, "processname", "kernel");
	str_is(ev, "details.IN", "eth0");
	str_is(ev, "details.OUT", "");
	str_is(ev, "details.SRC", "51.161.12.231");
	str_is(ev, "details.sourceipaddress", "51.161.12.231");
	str_is(ev, "details.LEN", "40");
	json_decref(ev);

	/* useradd: commas between pairs are not part of the values */
	ev = run("{\"program\":\"useradd\",\"message\":\"new user: "
	    "name=backdoor, UID=1001, GID=1001, home=/home/backdoor, "
	    "shell=/bin/bash, from=/dev/pts/0\"}");
	str_is(ev, "details.name", "backdoor");
	str_is(ev, "details.UID", "1001");
	str_is(ev, "details.shell", "/bin/bash");
	json_decref(ev);

	/* logfmt: quoted values with spaces and escapes; single quotes */
	ev = run("{\"message\":\"level=info msg=\\\"container \\\\\\\"web\\\\\\\" "
	    "started\\\" name=web-1 id='a b' user=bob\"}");
	str_is(ev, "details.level", "info");
	str_is(ev, "details.msg", "container \"web\" started");
	str_is(ev, "details.id", "a b");
	str_is(ev, "details.username", "bob");
	json_decref(ev);
}

static void
test_kv_untouched(void **state)
{
	static const char *const prose[] = {
		/* sshd, cron, nginx: prose, a URL's query, a lone pair */
		"Failed password for root from 112.95.230.3 port 54087 ssh2",
		"pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
		"10.2.0.1 - - \\\"GET /q?a=1&b=2 HTTP/1.1\\\" 200 512",
		"User bob changed the setting mode=fast on the server today",
		"connect from unknown[192.0.2.4] user=bob",
		"a=1",
		"== = == = ==",
	};
	json_t	*ev;
	size_t	 i;
	char	 buf[512];

	(void)state;
	for (i = 0; i < sizeof prose / sizeof *prose; i++) {
		snprintf(buf, sizeof buf, "{\"program\":\"x\",\"message\":"
		    "\"%s\"}", prose[i]);
		ev = run(buf);
		if (json_object_size(at(ev, "details")) != 0)
			fail_msg("fields from '%s': %s", prose[i],
			    json_dumps(at(ev, "details"), 0));
		json_decref(ev);
	}
	/* at most KV_MAXPAIRS fields from one message */
	{
		char	 big[8192];
		size_t	 k, o = 0;

		o += (size_t)snprintf(big, sizeof big, "{\"message\":\"");
		for (k = 0; k < 300; k++)
			o += (size_t)snprintf(big + o, sizeof big - o,
			    "k%zu=%zu ", k, k);
		snprintf(big + o, sizeof big - o, "\"}");
		ev = run(big);
		str_is(ev, "details.k255", "255");
		str_is(ev, "details.k256", NULL);
		json_decref(ev);
	}
	/* a name taken already by a different value gets _2 */
	ev = run("{\"message\":\"a=1 b=2\",\"details\":{\"a\":\"x\"}}");
	str_is(ev, "details.a", "x");
	str_is(ev, "details.a_2", "1");
	json_decref(ev);
	/* a sent sourceipaddress is not replaced */
	ev = run("{\"message\":\"src=192.0.2.1 dst=192.0.2.2\","
	    "\"details\":{\"sourceipaddress\":\"198.51.100.1\"}}");
	str_is(ev, "details.sourceipaddress", "198.51.100.1");
	str_is(ev, "details.destinationipaddress", "192.0.2.2");
	json_decref(ev);
	/* not an address: no MozDef name */
	ev = run("{\"message\":\"src=host.example dst=10.0.0.1:8080\"}");
	str_is(ev, "details.sourceipaddress", NULL);
	str_is(ev, "details.destinationipaddress", "10.0.0.1");
	int_is(ev, "details.destinationport", 8080);
	json_decref(ev);
}

static void
test_kv_scanner(void **state)
{
	struct kv_scan sc;
	struct kv_item it;
	const char *s = "lead k1=\"a \\\" b\" k2='c d', k3=e; bare k4=";

	(void)state;
	kv_scan_init(&sc, s, strlen(s));
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_null(it.k);
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_int_equal(it.q, '"');
	assert_int_equal(it.vn, 6);
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_int_equal(it.q, '\'');
	assert_memory_equal(it.v, "c d", 3);
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_int_equal(it.vn, 1);
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_null(it.k);
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_int_equal(it.kn, 2);
	assert_int_equal(it.vn, 0);
	assert_int_equal(kv_next(&sc, &it), 0);
	assert_int_equal(kv_mostly(s, strlen(s)), 1);
	assert_int_equal(kv_mostly("no pairs", 8), 0);
	/* an unclosed quote is an ordinary byte */
	s = "a=\"x b=2";
	kv_scan_init(&sc, s, strlen(s));
	assert_int_equal(kv_next(&sc, &it), 1);
	assert_int_equal(it.q, 0);
	assert_int_equal(it.vn, 2);
}

/* ---- CEF ---- */

static void
test_cef_lines(void **state)
{
	json_t	*ev;

	(void)state;
	ev = run("{\"message\":\"<134>Sep 19 08:26:10 host CEF:0|Security|"
	    "threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 "
	    "dst=2.1.2.2 spt=1232\"}");
	str_is(ev, "hostname", "host");
	str_is(ev, "summary", "worm successfully stopped");
	str_is(ev, "severity", "CRITICAL");
	str_is(ev, "details.cefVersion", "0");
	str_is(ev, "details.deviceVendor", "Security");
	str_is(ev, "details.deviceProduct", "threatmanager");
	str_is(ev, "details.deviceVersion", "1.0");
	str_is(ev, "details.deviceEventClassId", "100");
	str_is(ev, "details.name", "worm successfully stopped");
	str_is(ev, "details.cefSeverity", "10");
	str_is(ev, "details.src", "10.0.0.1");
	str_is(ev, "details.sourceipaddress", "10.0.0.1");
	str_is(ev, "details.destinationipaddress", "2.1.2.2");
	int_is(ev, "details.sourceport", 1232);
	json_decref(ev);

	/* the standard's escaping examples */
	ev = run("{\"message\":\"CEF:0|security|threatmanager|1.0|100|"
	    "detected a \\\\| in message|10|src=10.0.0.1 act=blocked a | "
	    "dst=1.1.1.1\"}");
	str_is(ev, "summary", "detected a | in message");
	str_is(ev, "details.act", "blocked a |");
	str_is(ev, "details.dst", "1.1.1.1");
	json_decref(ev);
	ev = run("{\"message\":\"CEF:0|security|threatmanager|1.0|100|"
	    "detected a \\\\\\\\ in packet|10|src=10.0.0.1 act=blocked a "
	    "\\\\\\\\ dst=1.1.1.1\"}");
	str_is(ev, "summary", "detected a \\ in packet");
	str_is(ev, "details.act", "blocked a \\");
	json_decref(ev);
	ev = run("{\"message\":\"CEF:0|security|threatmanager|1.0|100|"
	    "detected an equal sign in message|10|src=10.0.0.1 act=blocked a "
	    "\\\\= dst=1.1.1.1 msg=line one\\\\nline two "
	    "request=http://x/?a=b\"}");
	str_is(ev, "details.act", "blocked a =");
	str_is(ev, "details.dst", "1.1.1.1");
	str_is(ev, "details.msg", "line one\nline two");
	str_is(ev, "details.request", "http://x/?a=b");
	json_decref(ev);

	/* Trend Micro: values with spaces, rt with a zone */
	ev = run("{\"message\":\"May 15 16:00:47 localhost CEF:0|Trend Micro|"
	    "Deep Discovery Email Inspector|2.5.1.1139|300999|SYSTEM_EVENT|3|"
	    "rt=Mar 24 2015 08:43:35 GMT+00:00 dvcmac=C4:34:6B:B8:09:BC "
	    "cn3Label=operationId cn3=30000 msg=Account 'admin' logged on "
	    "from 10.64.50.147 dvchost=internalbeta.bcc.ddei "
	    "dvc=10.64.1.131\"}");
	str_is(ev, "severity", "INFO");
	str_is(ev, "summary", "SYSTEM_EVENT");
	str_is(ev, "details.deviceProduct", "Deep Discovery Email Inspector");
	str_is(ev, "details.msg", "Account 'admin' logged on from 10.64.50.147");
	str_is(ev, "details.rt", "Mar 24 2015 08:43:35 GMT+00:00");
	str_is(ev, "details.dvchost", "internalbeta.bcc.ddei");
	json_decref(ev);

	/* rsyslog's template took "CEF:" for the tag */
	ev = run("{\"programname\":\"CEF\",\"message\":\"0|Vendor|Firewall|"
	    "2|4|Blocked|Medium|src=192.0.2.9 rt=1700000000000 suser=alice\"}");
	str_is(ev, "processname", "Firewall");
	str_is(ev, "severity", "WARNING");
	str_is(ev, "details.username", "alice");
	str_is(ev, "utctimestamp", "2023-11-14T22:13:20.000000+00:00");
	json_decref(ev);
}

static void
test_cef_untouched(void **state)
{
	json_t	*ev;

	(void)state;
	/* too few header fields; CEF: in the middle of prose */
	ev = run("{\"message\":\"CEF:0|a|b|c\"}");
	str_is(ev, "summary", "CEF:0|a|b|c");
	str_is(ev, "details.deviceVendor", NULL);
	json_decref(ev);
	ev = run("{\"message\":\"the word CEF:notes|x was typed\"}");
	str_is(ev, "details.deviceVendor", NULL);
	json_decref(ev);
	assert_int_equal(cef_find("xx", 2), -1);
	assert_int_equal(cef_find("host CEF:0|", 11), 5);
}

/* ---- JSON in a message ---- */

static void
test_jsonmsg(void **state)
{
	json_t	*ev;

	(void)state;
	ev = run("{\"message\":\"<14>Dec  7 16:29:59 web1 api[311]: "
	    "{\\\"level\\\":\\\"warn\\\",\\\"msg\\\":\\\"slow query\\\","
	    "\\\"ms\\\":812,\\\"ctx\\\":{\\\"db\\\":\\\"main\\\"}}\"}");
	str_is(ev, "processname", "api");
	str_is(ev, "summary", "slow query");
	str_is(ev, "details.level", "warn");
	int_is(ev, "details.ms", 812);
	str_is(ev, "details.ctx.db", "main");
	str_is(ev, "details.msg", NULL);
	/* the line's own time stays: not the object's */
	str_is(ev, "utctimestamp", "2026-12-07T16:29:59.000000+00:00");
	json_decref(ev);

	/* a prefix naming the program; a time taken when the event had
	   none; a clash with a sent detail */
	ev = run("{\"message\":\"app[12]: {\\\"time\\\":\\\"2026-12-07T10:00:00Z"
	    "\\\",\\\"hub\\\":\\\"x\\\",\\\"user\\\":\\\"bob\\\"}\"}");
	str_is(ev, "processname", "app");
	int_is(ev, "processid", 12);
	str_is(ev, "utctimestamp", "2026-12-07T10:00:00.000000+00:00");
	str_is(ev, "details.user", "bob");
	json_decref(ev);

	/* not objects, broken, or a brace in prose: left alone */
	ev = run("{\"message\":\"{not json}\"}");
	str_is(ev, "summary", "{not json}");
	json_decref(ev);
	ev = run("{\"message\":\"set {a} to {b}\"}");
	str_is(ev, "summary", "set {a} to {b}");
	json_decref(ev);
	assert_int_equal(jsonmsg_find("[1]", 3), -1);
	assert_int_equal(jsonmsg_find("a: {}  ", 7), 3);
}

/* ---- auditd ---- */

static void
test_auditd(void **state)
{
	json_t	*ev;

	(void)state;
	ev = run("{\"message\":\"type=SYSCALL msg=audit(1364481363.243:24287): "
	    "arch=c000003e syscall=2 success=no exit=-13 a0=7fffd19c5592 a1=0 "
	    "a2=7fffd19c4b50 a3=a items=1 ppid=2686 pid=3538 auid=1000 "
	    "uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
	    "sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\\\"cat\\\" "
	    "exe=\\\"/bin/cat\\\" subj=unconfined_u:unconfined_r:unconfined_t:"
	    "s0-s0:c0.c1023 key=\\\"sshd_config\\\"\"}");
	str_is(ev, "utctimestamp", "2013-03-28T14:36:03.243000+00:00");
	str_is(ev, "category", "auditd");
	/* auditd logged it; the process it is about is in details */
	str_is(ev, "processname", "auditd");
	str_is(ev, "processid", NULL);
	str_is(ev, "details.comm", "cat");
	str_is(ev, "details.pid", "3538");
	str_is(ev, "details.type", "SYSCALL");
	int_is(ev, "details.serial", 24287);
	str_is(ev, "details.syscall", "2");
	str_is(ev, "details.a0", "7fffd19c5592");	/* not text */
	str_is(ev, "details.exe", "/bin/cat");
	str_is(ev, "details.key", "sshd_config");
	/* the record stays the summary (the default rules read it) */
	assert_non_null(strstr(json_string_value(at(ev, "summary")),
	    "type=SYSCALL msg=audit("));
	json_decref(ev);

	ev = run("{\"message\":\"type=PROCTITLE msg=audit(1364481363.243:24287)"
	    " : proctitle=636174002F6574632F7373682F737368645F636F6E666967\"}");
	str_is(ev, "details.proctitle", "cat /etc/ssh/sshd_config");
	json_decref(ev);

	ev = run("{\"message\":\"type=EXECVE msg=audit(1492752522.985:8972): "
	    "argc=3 a0=\\\"uname\\\" a1=\\\"-a\\\" a2=2F746D702F6D7920646972\"}");
	str_is(ev, "details.a0", "uname");
	str_is(ev, "details.a2", "/tmp/my dir");
	str_is(ev, "details.command", "uname -a /tmp/my dir");
	json_decref(ev);

	/* sshd's failed login, via audispd's syslog line */
	ev = run("{\"message\":\"<86>Apr 22 21:25:01 h audispd: node=h "
	    "type=USER_LOGIN msg=audit(1492896301.818:19955): pid=12635 "
	    "uid=0 auid=4294967295 ses=4294967295 msg='op=login "
	    "acct=28696E76616C6964207573657229 exe=\\\"/usr/sbin/sshd\\\" "
	    "hostname=? addr=179.38.151.221 terminal=sshd res=failed'\"}");
	str_is(ev, "category", "authentication");
	str_is(ev, "processname", "audispd");
	str_is(ev, "details.exe", "/usr/sbin/sshd");
	str_is(ev, "details.node", "h");
	str_is(ev, "details.op", "login");
	str_is(ev, "details.acct", "(invalid user)");
	str_is(ev, "details.username", NULL);
	str_is(ev, "details.sourceipaddress", "179.38.151.221");
	bool_is(ev, "details.success", 0);
	json_decref(ev);

	/* a value running on over spaces; a user name */
	ev = run("{\"message\":\"type=USER_AUTH msg=audit(1795773600.2:300): "
	    "pid=4242 uid=0 auid=1000 ses=3 msg='op=PAM:authentication "
	    "grantors=pam_unix acct=\\\"root\\\" exe=\\\"/usr/bin/su\\\" "
	    "hostname=web1 addr=? terminal=pts/0 res=success'\"}");
	str_is(ev, "details.username", "root");
	bool_is(ev, "details.success", 1);
	str_is(ev, "details.sourceipaddress", NULL);
	json_decref(ev);
	ev = run("{\"message\":\"type=ADD_USER msg=audit(1795773600.2:301): "
	    "pid=4242 uid=0 msg='op=adding user id=1001 "
	    "exe=\\\"/usr/sbin/useradd\\\" res=success'\"}");
	str_is(ev, "details.op", "adding user");
	str_is(ev, "details.id", "1001");
	str_is(ev, "details.exe", "/usr/sbin/useradd");
	json_decref(ev);

	/* log_format=ENRICHED: the interpreted fields after a GS byte */
	ev = run("{\"message\":\"type=SYSCALL msg=audit(1615114232.375:15558):"
	    " arch=c000003e syscall=59 success=yes exit=0 pid=1 comm=\\\"true\\\""
	    " exe=\\\"/bin/true\\\" key=(null)\\u001dARCH=x86_64 "
	    "SYSCALL=execve AUID=\\\"user\\\" UID=\\\"user\\\"\"}");
	str_is(ev, "details.key", "(null)");
	str_is(ev, "details.syscall", "59");
	str_is(ev, "details.SYSCALL", "execve");
	str_is(ev, "details.AUID", "user");
	json_decref(ev);

	/* not records */
	assert_int_equal(auditd_record("type=SYSCALL but no header", 26), 0);
	assert_int_equal(auditd_record("typeface=x audit(1.2:3):", 24), 0);
	/* (found by fuzz_kv: seconds past any time overflowed) */
	{
		const char *far = "type=A msg=audit(14928961492896301.1:2): x=1";

		assert_int_equal(auditd_record(far, strlen(far)), 0);
	}
	ev = run("{\"message\":\"type=A msg=audit(12:3): x=1 y=2\"}");
	str_is(ev, "details.type", "A");	/* kv's, not auditd's */
	str_is(ev, "category", NULL);
	json_decref(ev);
}

/* ---- Windows ---- */

static void
test_winevent_shapes(void **state)
{
	static const char *const shapes[] = {
		/* evtx_dump, as in SigmaHQ's regression_data */
		"{\"Event\":{\"#attributes\":{\"xmlns\":\"x\"},\"System\":{"
		"\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-"
		"Sysmon\",\"Guid\":\"5770385F-C22A-43E0-BF4C-06F5698FFBD9\"}},"
		"\"EventID\":1,\"Version\":5,\"Level\":4,\"TimeCreated\":{"
		"\"#attributes\":{\"SystemTime\":\"2026-08-07T11:17:00.1522265Z\""
		"}},\"EventRecordID\":376780,\"Correlation\":null,\"Execution\":"
		"{\"#attributes\":{\"ProcessID\":3712,\"ThreadID\":4724}},"
		"\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":"
		"\"SigmaCatchVm\"},\"EventData\":{\"ProcessId\":3592,\"Image\":"
		"\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":"
		"\"\\\"cmd.exe\\\" /c schtasks /query /tn win32times\",\"User\":"
		"\"SigmaCatchVm\\\\frack113\",\"ParentImage\":\"C:\\\\Windows\\\\"
		"System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe\"}}}",
		/* NXLog's im_msvistalog, to_json() */
		"{\"EventTime\":\"2026-08-07 11:17:00\",\"Hostname\":"
		"\"SigmaCatchVm\",\"Keywords\":-9223372036854775808,\"EventType\":"
		"\"INFO\",\"SeverityValue\":2,\"Severity\":\"INFO\",\"EventID\":1,"
		"\"SourceName\":\"Microsoft-Windows-Sysmon\",\"ProviderGuid\":"
		"\"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}\",\"Version\":5,"
		"\"Task\":1,\"OpcodeValue\":0,\"RecordNumber\":376780,"
		"\"ProcessID\":3712,\"ThreadID\":4724,\"Channel\":"
		"\"Microsoft-Windows-Sysmon/Operational\",\"Message\":\"Process "
		"Create:\",\"ProcessId\":\"3592\",\"Image\":\"C:\\\\Windows\\\\"
		"System32\\\\cmd.exe\",\"CommandLine\":\"\\\"cmd.exe\\\" /c "
		"schtasks /query /tn win32times\",\"User\":\"SigmaCatchVm\\\\"
		"frack113\",\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\"
		"WindowsPowerShell\\\\v1.0\\\\powershell.exe\"}",
		/* Winlogbeat 8 */
		"{\"@timestamp\":\"2026-08-07T11:17:00.152Z\",\"message\":"
		"\"Process Create:\",\"host\":{\"name\":\"sigmacatchvm\"},"
		"\"event\":{\"code\":\"1\",\"kind\":\"event\"},\"winlog\":{"
		"\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":"
		"\"1\",\"provider_name\":\"Microsoft-Windows-Sysmon\","
		"\"computer_name\":\"SigmaCatchVm\",\"record_id\":376780,"
		"\"process\":{\"pid\":3712,\"thread\":{\"id\":4724}},"
		"\"event_data\":{\"ProcessId\":\"3592\",\"Image\":\"C:\\\\Windows"
		"\\\\System32\\\\cmd.exe\",\"CommandLine\":\"\\\"cmd.exe\\\" /c "
		"schtasks /query /tn win32times\",\"User\":\"SigmaCatchVm\\\\"
		"frack113\",\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\"
		"WindowsPowerShell\\\\v1.0\\\\powershell.exe\"}}}",
	};
	json_t	*ev;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof shapes / sizeof *shapes; i++) {
		print_message("shape %zu\n", i);
		ev = run(shapes[i]);
		int_is(ev, "details.EventID", 1);
		str_is(ev, "details.Channel",
		    "Microsoft-Windows-Sysmon/Operational");
		str_is(ev, "details.Provider_Name",
		    "Microsoft-Windows-Sysmon");
		int_is(ev, "details.EventRecordID", 376780);
		str_is(ev, "details.Image",
		    "C:\\Windows\\System32\\cmd.exe");
		str_is(ev, "details.CommandLine",
		    "\"cmd.exe\" /c schtasks /query /tn win32times");
		str_is(ev, "details.ProcessId", "3592");
		str_is(ev, "details.User", "SigmaCatchVm\\frack113");
		str_is(ev, "hostname", "SigmaCatchVm");
		str_is(ev, "category", "sysmon");
		assert_non_null(strstr(json_string_value(at(ev,
		    "utctimestamp")), "2026-08-07T11:17:00"));
		str_is(ev, "details.winlog.event_data", NULL);
		str_is(ev, "details.winlog.event_id", NULL);
		str_is(ev, "details.Event", NULL);
		if (i == 0) {
			int_is(ev, "processid", 3712);
			int_is(ev, "details.ThreadID", 4724);
			assert_non_null(strstr(json_string_value(at(ev,
			    "summary")), "Microsoft-Windows-Sysmon/"
			    "Operational 1 on SigmaCatchVm: CommandLine="));
		} else
			str_is(ev, "summary", "Process Create:");
		json_decref(ev);
	}
}

static void
test_winevent_security(void **state)
{
	json_t	*ev;

	(void)state;
	/* Security 4625 from Winlogbeat 7: event_id a number */
	ev = run("{\"@timestamp\":\"2019-01-19T13:00:10Z\",\"host\":{\"name\":"
	    "\"iewin7\"},\"winlog\":{\"channel\":\"Security\",\"event_id\":4625,"
	    "\"provider_name\":\"Microsoft-Windows-Security-Auditing\","
	    "\"computer_name\":\"IEWIN7\",\"event_data\":{\"TargetUserName\":"
	    "\"admin\",\"IpAddress\":\"::ffff:10.0.2.16\",\"IpPort\":\"54765\","
	    "\"LogonType\":\"3\"}}}");
	str_is(ev, "category", "authentication");
	bool_is(ev, "details.success", 0);
	str_is(ev, "details.username", "admin");
	str_is(ev, "details.sourceipaddress", "10.0.2.16");
	int_is(ev, "details.sourceport", 54765);
	str_is(ev, "details.hostname", "iewin7");
	str_is(ev, "summary", "Security 4625 on IEWIN7: "
	    "TargetUserName=admin IpAddress=::ffff:10.0.2.16");
	json_decref(ev);

	/* evtx: UserData, numbers as text */
	ev = run("{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":"
	    "{\"Name\":\"Microsoft-Windows-Eventlog\"}},\"EventID\":{"
	    "\"#attributes\":{\"Qualifiers\":0},\"#text\":1102},\"Channel\":"
	    "\"Security\",\"Computer\":\"PC01.example.corp\",\"Security\":null},"
	    "\"UserData\":{\"LogFileCleared\":{\"#attributes\":{\"xmlns\":\"x\"},"
	    "\"SubjectUserName\":\"admin01\",\"SubjectLogonId\":\"0xaf855\"}}}}");
	int_is(ev, "details.EventID", 1102);
	str_is(ev, "details.SubjectUserName", "admin01");
	str_is(ev, "category", "security");
	json_decref(ev);

	/* an app's JSON with an EventID but no channel: not Windows */
	ev = run("{\"EventID\":7,\"message\":\"x\"}");
	str_is(ev, "category", NULL);
	str_is(ev, "details.Provider_Name", NULL);
	json_decref(ev);
}

/* NXLog's JSON inside a syslog line: jsonmsg then winevent. */
static void
test_winevent_in_syslog(void **state)
{
	json_t	*ev;

	(void)state;
	ev = run("{\"message\":\"<14>Dec  7 16:29:59 collector nxlog: "
	    "{\\\"EventTime\\\":\\\"2026-12-07 16:29:58\\\",\\\"Hostname\\\":"
	    "\\\"DC01\\\",\\\"EventID\\\":4688,\\\"SourceName\\\":\\\"Microsoft-"
	    "Windows-Security-Auditing\\\",\\\"Channel\\\":\\\"Security\\\","
	    "\\\"Message\\\":\\\"A new process has been created.\\\","
	    "\\\"NewProcessName\\\":\\\"C:\\\\\\\\Windows\\\\\\\\System32\\\\\\\\"
	    "whoami.exe\\\"}\"}");
	str_is(ev, "hostname", "DC01");
	str_is(ev, "details.hostname", "collector");
	str_is(ev, "processname", "nxlog");
	str_is(ev, "summary", "A new process has been created.");
	int_is(ev, "details.EventID", 4688);
	str_is(ev, "details.Provider_Name",
	    "Microsoft-Windows-Security-Auditing");
	str_is(ev, "details.NewProcessName",
	    "C:\\Windows\\System32\\whoami.exe");
	str_is(ev, "utctimestamp", "2026-12-07T16:29:58.000000+00:00");
	str_is(ev, "category", "security");
	json_decref(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_lines),
		cmocka_unit_test(test_kv_untouched),
		cmocka_unit_test(test_kv_scanner),
		cmocka_unit_test(test_cef_lines),
		cmocka_unit_test(test_cef_untouched),
		cmocka_unit_test(test_jsonmsg),
		cmocka_unit_test(test_auditd),
		cmocka_unit_test(test_winevent_shapes),
		cmocka_unit_test(test_winevent_security),
		cmocka_unit_test(test_winevent_in_syslog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
