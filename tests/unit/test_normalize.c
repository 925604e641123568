/* Unit tests for hub/ingest/normalize. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "normalize.h"
#include "timeparse.h"

/* Arrival: 2026-11-27T18:00:00Z */
#define RECV_US	(INT64_C(1795802400) * 1000000)
#define RECV	"2026-11-27T18:00:00.000000+00:00"
#define HEAD	"\"utctimestamp\":\"" RECV "\",\"receivedtimestamp\":\"" \
		RECV "\""

static const struct normalize_opts opts = { RECV_US, "hub1" };

struct tcase {
	const char	*name;
	const char	*in;
	const char	*want;
};

static json_t *
load(const char *name, const char *s)
{
	json_error_t	 e;
	json_t		*j;

	if ((j = json_loads(s, 0, &e)) == NULL)
		fail_msg("%s: bad test JSON: %s: %s", name, e.text, s);
	return j;
}

static void
run_cases(const struct tcase *t, size_t n, const struct normalize_opts *o)
{
	struct event_fields	 f;
	json_t			*ev, *want;
	char			*got;
	size_t			 i;

	for (i = 0; i < n; i++) {
		ev = load(t[i].name, t[i].in);
		want = load(t[i].name, t[i].want);
		if (normalize_event(ev, o, &f) != 0)
			fail_msg("%s: normalize_event failed", t[i].name);
		if (!json_equal(ev, want)) {
			got = json_dumps(ev, JSON_SORT_KEYS);
			fail_msg("%s:\n got  %s\n want %s", t[i].name, got,
			    t[i].want);
		}
		json_decref(ev);
		json_decref(want);
	}
}

#define RUN(t)	run_cases(t, sizeof(t) / sizeof(t[0]), &opts)

static void
normalizes_shipper_samples(void **state)
{
	static const struct tcase t[] = {
		{ "empty", "{}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],"
		  "\"details\":{\"hub\":\"hub1\"}}" },
		{ "Fluent Bit",
		  "{\"date\":1795801353.123456,\"log\":\"GET / 200\\n\","
		  "\"stream\":\"stdout\",\"container_name\":\"web\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.123456+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"GET / 200\",\"tags\":[],\"details\":{"
		  "\"stream\":\"stdout\",\"container_name\":\"web\","
		  "\"hub\":\"hub1\"}}" },
		{ "Vector",
		  "{\"message\":\"sshd[1]: Accepted\",\"host\":\"web1\","
		  "\"timestamp\":\"2026-11-27T17:42:33.123456789Z\","
		  "\"source_type\":\"file\",\"file\":\"/var/log/auth.log\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.123456+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"sshd[1]: Accepted\",\"hostname\":\"web1\","
		  "\"tags\":[],\"details\":{\"source_type\":\"file\","
		  "\"file\":\"/var/log/auth.log\",\"hub\":\"hub1\"}}" },
		{ "Filebeat 8",
		  "{\"@timestamp\":\"2026-11-27T17:42:33.123Z\","
		  "\"@metadata\":{\"beat\":\"filebeat\",\"type\":\"_doc\","
		  "\"version\":\"8.11.0\"},\"message\":\"hello\","
		  "\"host\":{\"name\":\"web1\",\"hostname\":\"web1\","
		  "\"os\":{\"family\":\"debian\"}},"
		  "\"log\":{\"offset\":42,\"file\":{\"path\":\"/var/log/syslog\"}},"
		  "\"agent\":{\"type\":\"filebeat\",\"version\":\"8.11.0\"},"
		  "\"ecs\":{\"version\":\"8.0.0\"},"
		  "\"input\":{\"type\":\"filestream\"}}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.123000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"hello\",\"hostname\":\"web1\",\"tags\":[],"
		  "\"details\":{\"metadata\":{\"beat\":\"filebeat\","
		  "\"type\":\"_doc\",\"version\":\"8.11.0\"},"
		  "\"host\":{\"hostname\":\"web1\",\"os\":{\"family\":\"debian\"}},"
		  "\"log\":{\"offset\":42,\"file\":{\"path\":\"/var/log/syslog\"}},"
		  "\"agent\":{\"type\":\"filebeat\",\"version\":\"8.11.0\"},"
		  "\"ecs\":{\"version\":\"8.0.0\"},"
		  "\"input\":{\"type\":\"filestream\"},\"hub\":\"hub1\"}}" },
		{ "Logstash",
		  "{\"@timestamp\":\"2026-11-27T17:42:33.000Z\","
		  "\"@version\":\"1\",\"host\":{\"name\":\"lg1\"},"
		  "\"message\":\"m\",\"type\":\"syslog\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"m\",\"hostname\":\"lg1\",\"tags\":[],"
		  "\"details\":{\"version\":\"1\",\"type\":\"syslog\","
		  "\"hub\":\"hub1\"}}" },
		{ "rsyslog omelasticsearch",
		  "{\"timestamp\":\"2026-11-27T17:42:33.123456+01:00\","
		  "\"host\":\"fw1\",\"severity\":\"warning\","
		  "\"facility\":\"auth\",\"programname\":\"sshd\","
		  "\"procid\":\"1234\",\"msg\":\"Failed password\"}",
		  "{\"utctimestamp\":\"2026-11-27T16:42:33.123456+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\","
		  "\"severity\":\"WARNING\",\"summary\":\"Failed password\","
		  "\"hostname\":\"fw1\",\"processname\":\"sshd\","
		  "\"processid\":1234,\"tags\":[],"
		  "\"details\":{\"facility\":\"auth\",\"hub\":\"hub1\"}}" },
		/* rsyslog, a template of raw properties: msg keeps the space
		   after the tag's colon; syslogtag gives program and PID */
		{ "rsyslog properties",
		  "{\"timereported\":\"2026-11-27T17:42:33.123456+01:00\","
		  "\"hostname\":\"web1\",\"fromhost-ip\":\"10.0.0.9\","
		  "\"syslogtag\":\"sshd[1234]:\",\"syslogseverity-text\":"
		  "\"info\",\"syslogfacility\":\"4\",\"msg\":\" Failed password "
		  "for root from 203.0.113.7 port 22 ssh2\"}",
		  "{\"utctimestamp\":\"2026-11-27T16:42:33.123456+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"Failed password for root from 203.0.113.7 "
		  "port 22 ssh2\",\"hostname\":\"web1\",\"processname\":"
		  "\"sshd\",\"processid\":1234,\"tags\":[],\"details\":{"
		  "\"fromhost-ip\":\"10.0.0.9\",\"syslogtag\":\"sshd[1234]:\","
		  "\"facility\":\"auth\",\"hub\":\"hub1\"}}" },
		/* syslog-ng, format-json --scope rfc5424 */
		{ "syslog-ng",
		  "{\"PROGRAM\":\"sshd\",\"PRIORITY\":\"notice\",\"PID\":\"1234\","
		  "\"MESSAGE\":\"Invalid user admin from 203.0.113.7\","
		  "\"ISODATE\":\"2026-11-27T17:42:33+00:00\",\"HOST\":\"web1\","
		  "\"FACILITY\":\"authpriv\",\"DATE\":\"Nov 27 17:42:33\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"NOTICE\","
		  "\"summary\":\"Invalid user admin from 203.0.113.7\","
		  "\"hostname\":\"web1\",\"processname\":\"sshd\","
		  "\"processid\":1234,\"tags\":[],\"details\":{\"DATE\":"
		  "\"Nov 27 17:42:33\",\"facility\":\"authpriv\","
		  "\"hub\":\"hub1\"}}" },
		/* journalctl -o json */
		{ "journald",
		  "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":"
		  "\"1795801353123456\",\"_HOSTNAME\":\"web1\","
		  "\"SYSLOG_IDENTIFIER\":\"sshd\",\"_COMM\":\"sshd\","
		  "\"_PID\":\"1234\",\"PRIORITY\":\"6\",\"SYSLOG_FACILITY\":\"4\","
		  "\"MESSAGE\":\"Accepted publickey for alice\","
		  "\"_SYSTEMD_UNIT\":\"ssh.service\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.123456+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"Accepted publickey for alice\","
		  "\"hostname\":\"web1\",\"processname\":\"sshd\","
		  "\"processid\":1234,\"tags\":[],\"details\":{\"__CURSOR\":"
		  "\"s=1\",\"_COMM\":\"sshd\",\"_SYSTEMD_UNIT\":\"ssh.service\","
		  "\"facility\":\"auth\",\"hub\":\"hub1\"}}" },
		/* Fluent Bit's syslog-rfc3164 parser: pri stays, read */
		{ "Fluent Bit syslog",
		  "{\"pri\":\"38\",\"time\":\"Nov 27 17:42:33\",\"host\":\"web1\","
		  "\"ident\":\"sshd\",\"pid\":\"1234\",\"message\":\"m\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"m\",\"hostname\":\"web1\",\"processname\":"
		  "\"sshd\",\"processid\":1234,\"tags\":[],\"details\":{"
		  "\"pri\":\"38\",\"facility\":\"auth\",\"hub\":\"hub1\"}}" },
		/* Vector's syslog source */
		{ "Vector syslog",
		  "{\"appname\":\"sshd\",\"facility\":\"auth\",\"host\":"
		  "\"127.0.0.1\",\"hostname\":\"web1\",\"message\":\"m\","
		  "\"msgid\":\"ID1\",\"procid\":1234,\"severity\":\"err\","
		  "\"source_type\":\"syslog\",\"timestamp\":"
		  "\"2026-11-27T17:42:33Z\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"ERROR\","
		  "\"summary\":\"m\",\"hostname\":\"web1\",\"processname\":"
		  "\"sshd\",\"processid\":1234,\"tags\":[],\"details\":{"
		  "\"host\":\"127.0.0.1\",\"msgid\":\"ID1\",\"source_type\":"
		  "\"syslog\",\"facility\":\"auth\",\"hub\":\"hub1\"}}" },
		/* NXLog's JSON of a Windows event (EventTime has no zone) */
		{ "NXLog",
		  "{\"EventTime\":\"2026-11-27 17:42:33\",\"Hostname\":\"WIN1\","
		  "\"SourceName\":\"Microsoft-Windows-Security-Auditing\","
		  "\"ProcessID\":612,\"Severity\":\"INFO\",\"SeverityValue\":2,"
		  "\"EventID\":4625,\"Message\":\"An account failed to log on.\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"summary\":\"An account failed to log on.\",\"hostname\":"
		  "\"WIN1\",\"processname\":\"Microsoft-Windows-Security-"
		  "Auditing\",\"processid\":612,\"tags\":[],\"details\":{"
		  "\"SeverityValue\":2,\"EventID\":4625,\"hub\":\"hub1\"}}" },
		/* ECS with log.syslog */
		{ "ECS",
		  "{\"@timestamp\":\"2026-11-27T17:42:33Z\",\"message\":\"m\","
		  "\"host\":{\"name\":\"web1\"},\"process\":{\"name\":\"sshd\","
		  "\"pid\":1234},\"log\":{\"syslog\":{\"facility\":{\"code\":4,"
		  "\"name\":\"auth\"},\"severity\":{\"code\":3,\"name\":"
		  "\"Error\"}}},\"event\":{\"created\":\"2026-11-27T17:42:34Z\"}}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"ERROR\","
		  "\"summary\":\"m\",\"hostname\":\"web1\",\"processname\":"
		  "\"sshd\",\"processid\":1234,\"tags\":[],\"details\":{"
		  "\"log\":{\"syslog\":{\"facility\":{\"code\":4},\"severity\":"
		  "{\"code\":3}}},\"event\":{\"created\":"
		  "\"2026-11-27T17:42:34Z\"},\"facility\":\"auth\","
		  "\"hub\":\"hub1\"}}" },
		{ "GELF",
		  "{\"version\":\"1.1\",\"host\":\"app1\","
		  "\"short_message\":\"boom\",\"full_message\":\"trace\","
		  "\"timestamp\":1795801353.5,\"level\":3,\"_user\":\"bob\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.500000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"ERROR\","
		  "\"summary\":\"boom\",\"hostname\":\"app1\",\"tags\":[],"
		  "\"details\":{\"version\":\"1.1\",\"full_message\":\"trace\","
		  "\"_user\":\"bob\",\"hub\":\"hub1\"}}" },
		{ "MozDef native",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33+00:00\","
		  "\"category\":\"authentication\",\"severity\":\"NOTICE\","
		  "\"summary\":\"s\",\"hostname\":\"h\",\"processname\":\"p\","
		  "\"processid\":12,\"source\":\"src\",\"tags\":[\"a\",\"b\"],"
		  "\"details\":{\"x\":1}}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\","
		  "\"category\":\"authentication\",\"severity\":\"NOTICE\","
		  "\"summary\":\"s\",\"hostname\":\"h\",\"processname\":\"p\","
		  "\"processid\":12,\"source\":\"src\",\"tags\":[\"a\",\"b\"],"
		  "\"details\":{\"x\":1,\"hub\":\"hub1\"}}" },
	};

	RUN(t);
}

/* Each alias alone: the field it fills and the value it gets. */
static void
reads_every_alias(void **state)
{
	static const struct {
		const char	*in;
		const char	*field;
		const char	*want;	/* JSON */
	} t[] = {
		{ "{\"utctimestamp\":\"2026-11-27T17:42:33Z\"}", "utctimestamp",
		  "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"timestamp\":\"2026-11-27T17:42:33Z\"}", "utctimestamp",
		  "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"@timestamp\":\"2026-11-27T17:42:33Z\"}", "utctimestamp",
		  "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"date\":\"Fri, 27 Nov 2026 17:42:33 +0000\"}",
		  "utctimestamp", "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"eventtime\":\"Nov 27 17:42:33\"}", "utctimestamp",
		  "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"time\":1795801353}", "utctimestamp",
		  "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"time\":1795801353123}", "utctimestamp",
		  "\"2026-11-27T17:42:33.123000+00:00\"" },
		{ "{\"time\":1795801353123456}", "utctimestamp",
		  "\"2026-11-27T17:42:33.123456+00:00\"" },
		{ "{\"time\":\"1795801353.25\"}", "utctimestamp",
		  "\"2026-11-27T17:42:33.250000+00:00\"" },
		{ "{\"time\":4102444800}", "utctimestamp",
		  "\"2100-01-01T00:00:00.000000+00:00\"" },
		{ "{\"category\":\"auth\"}", "category", "\"auth\"" },
		{ "{\"severity\":\"crit\"}", "severity", "\"CRITICAL\"" },
		{ "{\"level\":\"Warn\"}", "severity", "\"WARNING\"" },
		{ "{\"log\":{\"level\":\"debug\"}}", "severity", "\"DEBUG\"" },
		{ "{\"log.level\":\"error\"}", "severity", "\"ERROR\"" },
		{ "{\"syslogseverity\":\"5\"}", "severity", "\"NOTICE\"" },
		{ "{\"syslog_severity\":0}", "severity", "\"EMERGENCY\"" },
		{ "{\"level\":7}", "severity", "\"DEBUG\"" },
		{ "{\"SeverityValue\":4}", "severity", "\"ERROR\"" },
		{ "{\"SyslogSeverityValue\":4}", "severity", "\"WARNING\"" },
		{ "{\"syslogseverity-text\":\"crit\"}", "severity",
		  "\"CRITICAL\"" },
		{ "{\"log\":{\"syslog\":{\"severity\":{\"code\":2}}}}",
		  "severity", "\"CRITICAL\"" },
		{ "{\"message\":\" \\t s \\n\"}", "summary", "\"s\"" },
		{ "{\"Message\":\"s\"}", "summary", "\"s\"" },
		{ "{\"_HOSTNAME\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"log\":{\"syslog\":{\"hostname\":\"h\"}}}", "hostname",
		  "\"h\"" },
		{ "{\"_COMM\":\"p\"}", "processname", "\"p\"" },
		{ "{\"SYSLOG_PID\":\"7\"}", "processid", "7" },
		{ "{\"timegenerated\":\"2026-11-27T17:42:33Z\"}",
		  "utctimestamp", "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"event\":{\"created\":\"2026-11-27T17:42:33Z\"}}",
		  "utctimestamp", "\"2026-11-27T17:42:33.000000+00:00\"" },
		{ "{\"level\":1.0}", "severity", "\"ALERT\"" },
		{ "{\"summary\":\"s\"}", "summary", "\"s\"" },
		{ "{\"message\":\"s\"}", "summary", "\"s\"" },
		{ "{\"short_message\":\"s\"}", "summary", "\"s\"" },
		{ "{\"payload\":\"s\"}", "summary", "\"s\"" },
		{ "{\"msg\":\"s\"}", "summary", "\"s\"" },
		{ "{\"log\":\"s\"}", "summary", "\"s\"" },
		{ "{\"hostname\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"host\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"host\":{\"name\":\"h\"}}", "hostname", "\"h\"" },
		{ "{\"host\":{\"hostname\":\"h\"}}", "hostname", "\"h\"" },
		{ "{\"host.name\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"host.hostname\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"source_host\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"fromhost\":\"h\"}", "hostname", "\"h\"" },
		{ "{\"processname\":\"p\"}", "processname", "\"p\"" },
		{ "{\"program\":\"p\"}", "processname", "\"p\"" },
		{ "{\"pname\":\"p\"}", "processname", "\"p\"" },
		{ "{\"programname\":\"p\"}", "processname", "\"p\"" },
		{ "{\"process\":{\"name\":\"p\"}}", "processname", "\"p\"" },
		{ "{\"process.name\":\"p\"}", "processname", "\"p\"" },
		{ "{\"pid\":42}", "processid", "42" },
		{ "{\"processid\":\"42\"}", "processid", "42" },
		{ "{\"procid\":\"-\"}", "processid", "\"-\"" },
		{ "{\"process\":{\"pid\":42}}", "processid", "42" },
		{ "{\"process.pid\":\"0042\"}", "processid", "42" },
		{ "{\"pid\":\"12345678901234567890\"}", "processid",
		  "\"12345678901234567890\"" },
		{ "{\"pid\":-1}", "processid", "-1" },
		{ "{\"source\":\"s\"}", "source", "\"s\"" },
		{ "{\"tags\":[\"a\",1]}", "tags", "[\"a\",1]" },
		{ "{\"tags\":\"a\"}", "tags", "[\"a\"]" },
		{ "{\"tags\":\"a, b,,c ,\"}", "tags", "[\"a\",\"b\",\"c\"]" },
		{ "{\"tags\":\"\"}", "tags", "[\"\"]" },
		{ "{\"details\":{\"a\":1}}", "details",
		  "{\"a\":1,\"hub\":\"hub1\"}" },
	};
	struct event_fields	 f;
	json_t			*ev, *want;
	size_t			 i;
	char			*got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ev = load(t[i].in, t[i].in);
		want = json_loads(t[i].want, JSON_DECODE_ANY, NULL);
		assert_non_null(want);
		assert_int_equal(normalize_event(ev, &opts, &f), 0);
		if (!json_equal(json_object_get(ev, t[i].field), want)) {
			got = json_dumps(ev, JSON_SORT_KEYS);
			fail_msg("%s: %s wants %s, got %s", t[i].in, t[i].field,
			    t[i].want, got);
		}
		/* nothing else was left over in details */
		if (strcmp(t[i].field, "details") != 0 &&
		    json_object_size(json_object_get(ev, "details")) != 1)
			fail_msg("%s: details %s", t[i].in, json_dumps(
			    json_object_get(ev, "details"), 0));
		json_decref(ev);
		json_decref(want);
	}
}

static void
keeps_what_it_cannot_read(void **state)
{
	static const struct tcase t[] = {
		{ "bad timestamp",
		  "{\"timestamp\":\"garbage\"}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"timestamp\":\"garbage\",\"hub\":\"hub1\"}}" },
		{ "bad utctimestamp object",
		  "{\"utctimestamp\":{\"x\":1}}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"utctimestamp\":{\"x\":1},\"hub\":\"hub1\"}}" },
		{ "bad @timestamp loses its @",
		  "{\"@timestamp\":\"2026-02-30T00:00:00Z\"}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"timestamp\":\"2026-02-30T00:00:00Z\",\"hub\":\"hub1\"}}" },
		{ "negative epoch",
		  "{\"time\":-5}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"time\":-5,\"hub\":\"hub1\"}}" },
		{ "next readable alias wins",
		  "{\"timestamp\":\"bad\",\"date\":1795801353,"
		  "\"time\":\"2020-01-01\"}",
		  "{\"utctimestamp\":\"2026-11-27T17:42:33.000000+00:00\","
		  "\"receivedtimestamp\":\"" RECV "\",\"severity\":\"INFO\","
		  "\"tags\":[],\"details\":{\"timestamp\":\"bad\","
		  "\"time\":\"2020-01-01\",\"hub\":\"hub1\"}}" },
		{ "sent receivedtimestamp",
		  "{\"receivedtimestamp\":\"2020-01-01T00:00:00Z\"}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"receivedtimestamp\":\"2020-01-01T00:00:00Z\","
		  "\"hub\":\"hub1\"}}" },
		{ "unknown severity",
		  "{\"severity\":\"loud\"}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"severity_original\":\"loud\",\"hub\":\"hub1\"}}" },
		{ "severity out of range",
		  "{\"level\":9}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"severity_original\":9,\"hub\":\"hub1\"}}" },
		{ "unknown severity, later alias read",
		  "{\"severity\":\"loud\",\"syslogseverity\":3}",
		  "{" HEAD ",\"severity\":\"ERROR\",\"tags\":[],\"details\":{"
		  "\"severity_original\":\"loud\",\"hub\":\"hub1\"}}" },
		{ "log object gives its level, keeps the rest",
		  "{\"log\":{\"level\":\"warn\",\"logger\":\"x\"}}",
		  "{" HEAD ",\"severity\":\"WARNING\",\"tags\":[],\"details\":{"
		  "\"log\":{\"logger\":\"x\"},\"hub\":\"hub1\"}}" },
		{ "process object",
		  "{\"process\":{\"name\":\"sshd\",\"pid\":42,"
		  "\"args\":[\"-D\"]}}",
		  "{" HEAD ",\"severity\":\"INFO\",\"processname\":\"sshd\","
		  "\"processid\":42,\"tags\":[],\"details\":{"
		  "\"process\":{\"args\":[\"-D\"]},\"hub\":\"hub1\"}}" },
		{ "losing aliases stay",
		  "{\"message\":\"m\",\"msg\":\"x\",\"host\":\"a\","
		  "\"hostname\":\"b\",\"program\":\"p\",\"pname\":\"q\"}",
		  "{" HEAD ",\"severity\":\"INFO\",\"summary\":\"m\","
		  "\"hostname\":\"b\",\"processname\":\"p\",\"tags\":[],"
		  "\"details\":{\"msg\":\"x\",\"host\":\"a\",\"pname\":\"q\","
		  "\"hub\":\"hub1\"}}" },
		{ "wrong types stay",
		  "{\"host\":5,\"summary\":[1],\"category\":null,"
		  "\"source\":{},\"tags\":7,\"pid\":true,\"details\":\"d\"}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"host\":5,\"summary\":[1],\"category\":null,\"source\":{},"
		  "\"tags\":7,\"pid\":true,\"details\":\"d\",\"hub\":\"hub1\"}}" },
		{ "host object with a name and more",
		  "{\"host\":{\"name\":\"n\",\"ip\":[\"10.0.0.1\"]},"
		  "\"hostname\":5}",
		  "{" HEAD ",\"severity\":\"INFO\",\"hostname\":\"n\","
		  "\"tags\":[],\"details\":{\"host\":{\"ip\":[\"10.0.0.1\"]},"
		  "\"hostname\":5,\"hub\":\"hub1\"}}" },
		{ "empty host object kept",
		  "{\"host\":{}}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"host\":{},\"hub\":\"hub1\"}}" },
		{ "name clashes get a suffix",
		  "{\"details\":{\"foo\":1,\"hub\":\"other\"},\"foo\":2,"
		  "\"@foo\":3,\"@\":4}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"foo\":1,\"foo_2\":2,\"foo_3\":3,\"@\":4,"
		  "\"hub_2\":\"other\",\"hub\":\"hub1\"}}" },
		{ "same hub name is not doubled",
		  "{\"details\":{\"hub\":\"hub1\"}}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],\"details\":{"
		  "\"hub\":\"hub1\"}}" },
	};

	RUN(t);
}

/* normalize_set_detail: details.index, the index the event was sent to;
   one the event carried itself moves to index_2. */
static void
sets_a_detail(void **state)
{
	static const struct normalize_opts nohub = { RECV_US, NULL };
	static const struct tcase t[] = {
		{ "index kept", "{}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],"
		  "\"details\":{\"index\":\"mozdef-events\"}}" },
		{ "the event's own index moves aside",
		  "{\"details\":{\"index\":\"mine\"}}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],"
		  "\"details\":{\"index_2\":\"mine\","
		  "\"index\":\"mozdef-events\"}}" },
		{ "the same name is not doubled",
		  "{\"details\":{\"index\":\"mozdef-events\"}}",
		  "{" HEAD ",\"severity\":\"INFO\",\"tags\":[],"
		  "\"details\":{\"index\":\"mozdef-events\"}}" },
	};
	json_t	*ev, *want;
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ev = load(t[i].name, t[i].in);
		want = load(t[i].name, t[i].want);
		assert_int_equal(normalize_event(ev, &nohub, NULL), 0);
		assert_int_equal(normalize_set_detail(ev, "index",
		    "mozdef-events"), 0);
		if (!json_equal(ev, want))
			fail_msg("%s: %s", t[i].name, json_dumps(ev,
			    JSON_SORT_KEYS));
		json_decref(ev);
		json_decref(want);
	}
	ev = load("no details", "[]");
	assert_int_equal(normalize_set_detail(ev, "index", "x"), -1);
	json_decref(ev);
}

static void
fills_fields_and_needs_an_object(void **state)
{
	static const struct normalize_opts nohub = { RECV_US, NULL };
	struct event_fields	 f;
	json_t			*ev;

	ev = load("f", "{\"timestamp\":\"2026-11-27T17:42:33.5Z\","
	    "\"category\":\"c\",\"level\":\"alert\",\"message\":\"m\","
	    "\"host\":\"h\",\"program\":\"p\",\"source\":\"s\"}");
	memset(&f, 0xff, sizeof(f));
	assert_int_equal(normalize_event(ev, &nohub, &f), 0);
	assert_true(f.utc_us == INT64_C(1795801353) * 1000000 + 500000);
	assert_true(f.received_us == RECV_US);
	assert_int_equal(f.severity, SEV_ALERT);
	assert_string_equal(f.category, "c");
	assert_string_equal(f.summary, "m");
	assert_string_equal(f.hostname, "h");
	assert_string_equal(f.processname, "p");
	assert_string_equal(f.source, "s");
	/* borrowed from the event itself */
	assert_ptr_equal(f.summary, json_string_value(json_object_get(ev,
	    "summary")));
	assert_int_equal(json_object_size(json_object_get(ev, "details")), 0);
	json_decref(ev);

	ev = load("g", "{}");
	memset(&f, 0xff, sizeof(f));
	assert_int_equal(normalize_event(ev, &nohub, &f), 0);
	assert_null(f.category);
	assert_null(f.summary);
	assert_null(f.hostname);
	assert_null(f.processname);
	assert_null(f.source);
	assert_int_equal(f.severity, SEV_INFO);
	assert_true(f.utc_us == RECV_US);
	json_decref(ev);

	ev = json_array();
	assert_int_equal(normalize_event(ev, &opts, &f), -1);
	json_decref(ev);
	ev = json_string("x");
	assert_int_equal(normalize_event(ev, &opts, &f), -1);
	json_decref(ev);
}

/* Normalizing twice changes nothing but moves receivedtimestamp. */
static void
is_stable_on_its_output(void **state)
{
	json_t	*ev, *once;

	ev = load("r", "{\"@timestamp\":\"2026-11-27T17:42:33Z\","
	    "\"message\":\"m\",\"host\":{\"name\":\"h\"},\"level\":3,"
	    "\"tags\":\"x\",\"pid\":\"7\",\"extra\":1}");
	assert_int_equal(normalize_event(ev, &opts, NULL), 0);
	once = json_deep_copy(ev);
	assert_int_equal(normalize_event(ev, &opts, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    ev, "details"), "receivedtimestamp")), RECV);
	assert_int_equal(json_object_del(json_object_get(ev, "details"),
	    "receivedtimestamp"), 0);
	assert_true(json_equal(ev, once));
	json_decref(once);
	json_decref(ev);
}

static void
parses_severity_names(void **state)
{
	static const struct {
		const char	*s;
		int		 rank;
	} t[] = {
		{ "DEBUG", SEV_DEBUG }, { "debug", SEV_DEBUG },
		{ "trace", SEV_DEBUG }, { "INFO", SEV_INFO },
		{ "information", SEV_INFO }, { "Informational", SEV_INFO },
		{ "notice", SEV_NOTICE }, { "WARNING", SEV_WARNING },
		{ "warn", SEV_WARNING }, { "ERROR", SEV_ERROR },
		{ "err", SEV_ERROR }, { "critical", SEV_CRITICAL },
		{ "CRIT", SEV_CRITICAL }, { "fatal", SEV_CRITICAL },
		{ "alert", SEV_ALERT }, { "emergency", SEV_EMERGENCY },
		{ "emerg", SEV_EMERGENCY }, { "panic", SEV_EMERGENCY },
		{ "0", SEV_EMERGENCY }, { "1", SEV_ALERT },
		{ "2", SEV_CRITICAL }, { "3", SEV_ERROR }, { "4", SEV_WARNING },
		{ "5", SEV_NOTICE }, { "6", SEV_INFO }, { "7", SEV_DEBUG },
		{ "8", -1 }, { "-1", -1 }, { "03", -1 }, { "", -1 },
		{ "inf", -1 }, { "infos", -1 }, { "warning ", -1 },
		{ "loud", -1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (severity_parse(t[i].s) != t[i].rank)
			fail_msg("\"%s\": %d, want %d", t[i].s,
			    severity_parse(t[i].s), t[i].rank);
	assert_int_equal(severity_parse(NULL), -1);
	assert_string_equal(severity_name(SEV_DEBUG), "DEBUG");
	assert_string_equal(severity_name(SEV_WARNING), "WARNING");
	assert_string_equal(severity_name(SEV_EMERGENCY), "EMERGENCY");
	assert_null(severity_name(-1));
	assert_null(severity_name(SEV_EMERGENCY + 1));
	for (i = SEV_DEBUG; i <= SEV_EMERGENCY; i++)
		assert_int_equal(severity_parse(severity_name((int)i)), (int)i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalizes_shipper_samples),
		cmocka_unit_test(reads_every_alias),
		cmocka_unit_test(keeps_what_it_cannot_read),
		cmocka_unit_test(sets_a_detail),
		cmocka_unit_test(fills_fields_and_needs_an_object),
		cmocka_unit_test(is_stable_on_its_output),
		cmocka_unit_test(parses_severity_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
