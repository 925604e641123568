/*
 * Unit tests for hub/ingest/syslogline and the transit stage it runs in.
 *
 * The sshd lines are from loghub's OpenSSH sample (logpai/loghub,
 * OpenSSH/OpenSSH_2k.log: a real server, "LabSZ", under brute force),
 * written here by hand, some with a <PRI> put in front as a syslog sender
 * adds it.  The RFC 5424 lines are the examples of RFC 5424 section 6.5.
 * The others are shapes real senders emit: rsyslog's
 * RSYSLOG_ForwardFormat (RFC 3339 time after <PRI>), Cisco IOS (year
 * before the clock), a local /dev/log line (no host).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "normalize.h"
#include "syslogline.h"
#include "timeparse.h"
#include "transit.h"

/* Arrival: 2026-12-07T16:30:00Z */
#define NOW_US	(INT64_C(1796661000) * 1000000)

static int64_t
iso(const char *s)
{
	int64_t	 us;

	assert_int_equal(time_parse(s, 0, &us), 0);
	return us;
}

static void
span_is(struct sl_span sp, const char *want)
{
	if (want == NULL) {
		if (sp.p != NULL)
			fail_msg("want absent, got '%.*s'", (int)sp.n, sp.p);
		return;
	}
	if (sp.p == NULL)
		fail_msg("want '%s', got nothing", want);
	if (sp.n != strlen(want) || memcmp(sp.p, want, sp.n) != 0)
		fail_msg("want '%s', got '%.*s'", want, (int)sp.n, sp.p);
}

struct lcase {
	const char	*line;
	int		 pri;
	int		 version;
	const char	*time;		/* NULL: no time */
	const char	*host, *app, *procid, *msg;
};

static void
parse_all(const struct lcase *t, size_t n, int64_t now)
{
	struct syslogline l;
	size_t	 i;

	for (i = 0; i < n; i++) {
		print_message("%s\n", t[i].line);
		assert_int_equal(syslogline_parse(t[i].line,
		    strlen(t[i].line), now, &l), 0);
		assert_int_equal(l.pri, t[i].pri);
		assert_int_equal(l.version, t[i].version);
		assert_int_equal(l.has_time, t[i].time != NULL);
		if (t[i].time != NULL && l.utc_us != iso(t[i].time)) {
			char got[TIME_ISO_LEN];

			time_format(l.utc_us, got);
			fail_msg("time: want %s, got %s", t[i].time, got);
		}
		span_is(l.host, t[i].host);
		span_is(l.app, t[i].app);
		span_is(l.procid, t[i].procid);
		span_is(l.msg, t[i].msg);
	}
}

static void
reads_bsd_lines(void **state)
{
	static const struct lcase t[] = {
		/* auth.log as written to the file: no PRI */
		{ "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster "
		  "from 173.234.31.186", -1, 0, "2026-12-10T06:55:46Z",
		  "LabSZ", "sshd", "24200",
		  "Invalid user webmaster from 173.234.31.186" },
		/* trailing space in the original line, taken off */
		{ "Dec 10 07:07:38 LabSZ sshd[24206]: pam_unix(sshd:auth): "
		  "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
		  "rhost=ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn ",
		  -1, 0, "2026-12-10T07:07:38Z", "LabSZ", "sshd", "24206",
		  "pam_unix(sshd:auth): authentication failure; logname= "
		  "uid=0 euid=0 tty=ssh ruser= "
		  "rhost=ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn" },
		/* as sent over the wire: auth.info is <38> */
		{ "<38>Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for "
		  "root from 5.36.59.76 port 42393 ssh2", 38, 0,
		  "2026-12-10T07:13:43Z", "LabSZ", "sshd", "24227",
		  "Failed password for root from 5.36.59.76 port 42393 ssh2" },
		/* a one-digit day padded with a space, authpriv.notice */
		{ "<85>Dec  7 16:00:01 web3 sudo:    alice : TTY=pts/0 ; "
		  "PWD=/home/alice ; USER=root ; COMMAND=/bin/ls", 85, 0,
		  "2026-12-07T16:00:01Z", "web3", "sudo", NULL,
		  "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
		  "COMMAND=/bin/ls" },
		/* a local line (logger to /dev/log): no host */
		{ "<13>Dec  7 16:10:00 alice[4242]: hello", 13, 0,
		  "2026-12-07T16:10:00Z", NULL, "alice", "4242", "hello" },
		/* a tag with a slash, a zero-padded day */
		{ "Dec 07 16:10:00 mx1 postfix/smtpd[1877]: connect from "
		  "unknown[203.0.113.9]", -1, 0, "2026-12-07T16:10:00Z", "mx1",
		  "postfix/smtpd", "1877",
		  "connect from unknown[203.0.113.9]" },
		/* no tag: the rest is the message */
		{ "Dec  7 16:10:00 fw1 kernel [UFW BLOCK] IN=eth0", -1, 0,
		  "2026-12-07T16:10:00Z", "fw1", NULL, NULL,
		  "kernel [UFW BLOCK] IN=eth0" },
		/* rsyslog's RSYSLOG_ForwardFormat: RFC 3339 time */
		{ "<86>2026-12-07T17:10:00.123456+01:00 web3 sshd[7]: x",
		  86, 0, "2026-12-07T16:10:00.123456Z", "web3", "sshd", "7",
		  "x" },
		/* Cisco IOS style: a year before the clock, a fraction */
		{ "<189>Dec  7 2025 16:10:00.250 rtr1 %SYS-5-CONFIG_I: "
		  "Configured from console", 189, 0,
		  "2025-12-07T16:10:00.25Z", "rtr1", "%SYS-5-CONFIG_I", NULL,
		  "Configured from console" },
		/* a year after the clock */
		{ "Dec  7 16:10:00 2024 h1 app: m", -1, 0,
		  "2024-12-07T16:10:00Z", "h1", "app", NULL, "m" },
		/* PRI and nothing else: all of it is the message */
		{ "<13>hello world", 13, 0, NULL, NULL, NULL, NULL,
		  "hello world" },
		{ "<13>sshd[1]: Connection closed", 13, 0, NULL, NULL, "sshd",
		  "1", "Connection closed" },
		/* CEF straight after the time (a device that sends no host):
		   the first word holds '|', so it is no host, and
		   "CEF:0|...": is no tag; the CEF step reads the message */
		{ "<134>Dec  7 16:10:00 CEF:0|Security|threatmanager|1.0|100|"
		  "worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2",
		  134, 0, "2026-12-07T16:10:00Z", NULL, NULL, NULL,
		  "CEF:0|Security|threatmanager|1.0|100|worm successfully "
		  "stopped|10|src=10.0.0.1 dst=2.1.2.2" },
	};

	(void)state;
	parse_all(t, sizeof t / sizeof *t, NOW_US);
}

static void
reads_rfc5424_lines(void **state)
{
	static const struct lcase t[] = {
		{ "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - "
		  "ID47 - \xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8",
		  34, 1, "2003-10-11T22:14:15.003Z", "mymachine.example.com",
		  "su", NULL, "'su root' failed for lonvick on /dev/pts/8" },
		{ "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc "
		  "8710 - - %% It's time to make the do-nuts.", 165, 1,
		  "2003-08-24T12:14:15.000003Z", "192.0.2.1", "myproc", "8710",
		  "%% It's time to make the do-nuts." },
		{ "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com "
		  "evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
		  "eventSource=\"Application\" eventID=\"1011\"] An application "
		  "event log entry...", 165, 1, "2003-10-11T22:14:15.003Z",
		  "mymachine.example.com", "evntslog", NULL,
		  "An application event log entry..." },
		/* no MSG at all, nil time */
		{ "<165>1 - h app - - [x@1 a=\"b\\\"]\"]", 165, 1, NULL, "h",
		  "app", NULL, "" },
	};

	(void)state;
	parse_all(t, sizeof t / sizeof *t, NOW_US);
}

static void
refuses_what_is_not_a_line(void **state)
{
	static const char *const no[] = {
		"", "Failed password for root from 5.36.59.76 port 42393 ssh2",
		"Decided to restart", "Dec", "Dec  7", "Dec 32 10:00:00 h a: m",
		"Feb 30 10:00:00 h a: m", "Dec  7 25:00:00 h a: m",
		"Dec  7 16:00:01x", "<192>Dec  7 16:00:01 h a: m", "<>x",
		"<1234>x", "2026-12-07 not a time", "<5",
	};
	struct syslogline l;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof no / sizeof *no; i++)
		if (syslogline_parse(no[i], strlen(no[i]), NOW_US, &l) == 0)
			fail_msg("'%s' read as a syslog line", no[i]);
}

static void
takes_the_nearest_year(void **state)
{
	struct syslogline l;
	const char *s = "Dec 31 23:59:59 h a: m";
	const char *f = "Jan  1 00:00:01 h a: m";
	const char *leap = "Feb 29 12:00:00 h a: m";

	(void)state;
	/* sent just before the new year, arriving just after */
	assert_int_equal(syslogline_parse(s, strlen(s),
	    iso("2027-01-01T00:00:03Z"), &l), 0);
	assert_int_equal(l.utc_us, iso("2026-12-31T23:59:59Z"));
	/* a sender's clock a little ahead across the new year */
	assert_int_equal(syslogline_parse(f, strlen(f),
	    iso("2026-12-31T23:59:58Z"), &l), 0);
	assert_int_equal(l.utc_us, iso("2027-01-01T00:00:01Z"));
	/* Feb 29 only exists in a leap year: 2028 is nearest to 2027 */
	assert_int_equal(syslogline_parse(leap, strlen(leap),
	    iso("2027-06-01T00:00:00Z"), &l), 0);
	assert_int_equal(l.utc_us, iso("2028-02-29T12:00:00Z"));
}

static void
walks_structured_data(void **state)
{
	const char *s = "<165>1 - h app - - [a@1 x=\"1\" y=\"q\\\"\"][b@2]"
	    "[c@3 z=\"\"] m";
	struct syslogline l;
	struct sl_param p;
	size_t	 pos = 0;

	(void)state;
	assert_int_equal(syslogline_parse(s, strlen(s), NOW_US, &l), 0);
	assert_true(syslogline_sd_next(l.sd, &pos, &p));
	span_is(p.id, "a@1"); span_is(p.name, "x"); span_is(p.value, "1");
	assert_true(syslogline_sd_next(l.sd, &pos, &p));
	span_is(p.id, "a@1"); span_is(p.name, "y"); span_is(p.value, "q\\\"");
	assert_true(syslogline_sd_next(l.sd, &pos, &p));
	span_is(p.id, "b@2"); span_is(p.name, NULL);
	assert_true(syslogline_sd_next(l.sd, &pos, &p));
	span_is(p.id, "c@3"); span_is(p.name, "z"); span_is(p.value, "");
	assert_false(syslogline_sd_next(l.sd, &pos, &p));
	span_is(l.msg, "m");
	/* broken structured data: not RFC 5424, so read as a BSD line */
	s = "<165>1 - h app - - [a@1 x=\"1] m";
	assert_int_equal(syslogline_parse(s, strlen(s), NOW_US, &l), 0);
	assert_int_equal(l.version, 0);
}

/* Normalize in, run the whole transit, compare to want (sorted keys). */
static void
transit_is(const char *in, const char *want)
{
	struct normalize_opts no = { NOW_US, "hub1" };
	struct transit_opts to = { 0 };
	struct transit_ctx ctx = { NOW_US };
	struct transit *t;
	struct transit_worker *w;
	struct event_fields f;
	unsigned char flags = 0;
	json_t	*ev, *wj;
	char	 err[256], *got;

	ev = json_loads(in, 0, NULL);
	wj = json_loads(want, 0, NULL);
	assert_non_null(ev);
	assert_non_null(wj);
	assert_non_null(t = transit_new(&to, err, sizeof err));
	assert_non_null(w = transit_worker_new(t, err, sizeof err));
	assert_int_equal(normalize_event(ev, &no, NULL), 0);
	assert_int_equal(transit_run(w, &ev, 1, &flags, &ctx), 0);
	/* the details the test does not look at */
	json_object_del(json_object_get(ev, "details"), "hub");
	json_object_del(ev, "receivedtimestamp");
	if (!json_equal(ev, wj)) {
		got = json_dumps(ev, JSON_SORT_KEYS);
		fail_msg("got  %s\nwant %s", got, want);
	}
	/* the typed columns follow what the step set */
	assert_int_equal(normalize_fields(ev, NOW_US, &f), 0);
	if (flags & TRANSIT_CHANGED)
		assert_int_equal(f.utc_us, iso(json_string_value(
		    json_object_get(ev, "utctimestamp"))));
	json_decref(ev);
	json_decref(wj);
	transit_worker_free(w);
	transit_unref(t);
}

static void
sets_fields_in_transit(void **state)
{
	(void)state;
	/* a raw line as the whole message, as the bench sends it */
	transit_is("{\"message\":\"<38>Dec  7 16:00:01 web3 sshd[1234]: "
	    "Failed password for root from 198.51.100.7 port 52311 ssh2\"}",
	    "{\"utctimestamp\":\"2026-12-07T16:00:01.000000+00:00\","
	    "\"severity\":\"INFO\",\"summary\":\"Failed password for root "
	    "from 198.51.100.7 port 52311 ssh2\",\"hostname\":\"web3\","
	    "\"processname\":\"sshd\",\"processid\":1234,\"tags\":[],"
	    "\"details\":{\"facility\":\"auth\"}}");
	/* rsyslog with %rawmsg% as the message: the relay's view moves to
	   details where it differs from the line's */
	transit_is("{\"timestamp\":\"2026-12-07T16:00:02Z\",\"host\":\"relay\","
	    "\"programname\":\"sshd\",\"message\":\"<38>Dec  7 16:00:01 web3 "
	    "sshd[1234]: Invalid user admin from 198.51.100.7\"}",
	    "{\"utctimestamp\":\"2026-12-07T16:00:01.000000+00:00\","
	    "\"severity\":\"INFO\",\"summary\":\"Invalid user admin from "
	    "198.51.100.7\",\"hostname\":\"web3\",\"processname\":\"sshd\","
	    "\"processid\":1234,\"tags\":[],\"details\":{\"facility\":\"auth\","
	    "\"utctimestamp\":\"2026-12-07T16:00:02.000000+00:00\","
	    "\"hostname\":\"relay\"}}");
	/* RFC 5424 structured data under details.sd */
	transit_is("{\"message\":\"<165>1 2003-10-11T22:14:15.003Z h evntslog "
	    "- ID47 [exampleSDID@32473 iut=\\\"3\\\" eventID=\\\"1011\\\"]"
	    "[x@1 a=\\\"1\\\" a=\\\"2\\\"] An event\"}",
	    "{\"utctimestamp\":\"2003-10-11T22:14:15.003000+00:00\","
	    "\"severity\":\"NOTICE\",\"summary\":\"An event\","
	    "\"hostname\":\"h\",\"processname\":\"evntslog\",\"tags\":[],"
	    "\"details\":{\"facility\":\"local4\",\"msgid\":\"ID47\","
	    "\"sd\":{\"exampleSDID@32473\":{\"iut\":\"3\",\"eventID\":"
	    "\"1011\"},\"x@1\":{\"a\":[\"1\",\"2\"]}}}}");
	/* a date, then words, without <PRI> or a tag: an application's own
	   message, untouched */
	transit_is("{\"message\":\"Dec  7 16:10:00 backup job done: 3 files\"}",
	    "{\"utctimestamp\":\"2026-12-07T16:30:00.000000+00:00\","
	    "\"severity\":\"INFO\",\"summary\":\"Dec  7 16:10:00 backup job "
	    "done: 3 files\",\"tags\":[],\"details\":{}}");
	/* not a line: untouched */
	transit_is("{\"message\":\"Dec is a month\"}",
	    "{\"utctimestamp\":\"2026-12-07T16:30:00.000000+00:00\","
	    "\"severity\":\"INFO\",\"summary\":\"Dec is a month\","
	    "\"tags\":[],\"details\":{}}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_bsd_lines),
		cmocka_unit_test(reads_rfc5424_lines),
		cmocka_unit_test(refuses_what_is_not_a_line),
		cmocka_unit_test(takes_the_nearest_year),
		cmocka_unit_test(walks_structured_data),
		cmocka_unit_test(sets_fields_in_transit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
