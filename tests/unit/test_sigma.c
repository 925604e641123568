/* Unit tests for hub/rules/sigma: reading Sigma rules and matching events. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "buf.h"
#define SIGMA_INTERNAL	/* the map */
#include "sigma.h"

struct errs {
	struct rule_error e[16];
	size_t n;
};

static void
collect(void *arg, const struct rule_error *e)
{
	struct errs *x = arg;

	if (x->n < 16)
		x->e[x->n] = *e;
	x->n++;
}

static struct ruleset *
load_ok(const char *yaml)
{
	struct errs x;
	struct ruleset *rs;
	size_t nerr;

	memset(&x, 0, sizeof(x));
	rs = ruleset_load_string(yaml, strlen(yaml), "t.yml", collect, &x,
	    &nerr);
	assert_non_null(rs);
	if (nerr > 0)
		fail_msg("unexpected error %s:%u: %s", x.e[0].file, x.e[0].line,
		    x.e[0].msg);
	return rs;
}

/* Match ev (JSON text) against the only rule; the index and the direct
   evaluation must agree. */
static int
match(const char *yaml, const char *evjson)
{
	struct ruleset *rs = load_ok(yaml);
	struct sigma_scratch *s = sigma_scratch_new(rs);
	const size_t *hits;
	json_error_t je;
	json_t *ev;
	size_t n;
	int direct;

	assert_non_null(s);
	ev = json_loads(evjson, 0, &je);
	if (ev == NULL)
		fail_msg("bad test event: %s", je.text);
	assert_int_equal(ruleset_count(rs), 1);
	n = sigma_match(rs, s, ev, &hits);
	direct = sigma_rule_matches(rs, s, ruleset_rule(rs, 0), ev);
	assert_int_equal(n, direct);
	json_decref(ev);
	sigma_scratch_free(s);
	ruleset_free(rs);
	return direct;
}

/* Loading must fail with an error at line naming msg. */
static void
load_fails(const char *yaml, unsigned line, const char *msg)
{
	struct errs x;
	struct ruleset *rs;
	size_t nerr;

	memset(&x, 0, sizeof(x));
	rs = ruleset_load_string(yaml, strlen(yaml), "bad.yml", collect, &x,
	    &nerr);
	assert_non_null(rs);
	if (nerr == 0)
		fail_msg("no error for a rule that should not load (%s)", msg);
	if (x.e[0].line != line || strstr(x.e[0].msg, msg) == NULL)
		fail_msg("got %s:%u: %s; want line %u with '%s'", x.e[0].file,
		    x.e[0].line, x.e[0].msg, line, msg);
	assert_string_equal(x.e[0].file, "bad.yml");
	ruleset_free(rs);
}

#define RULE(sel) "title: t\nid: t1\ndetection:\n" sel "  condition: sel\n"

static const char ssh[] = "{\"processname\": \"sshd\", \"hostname\": "
    "\"web1\", \"summary\": \"Failed password for invalid user admin from "
    "203.0.113.7 port 52211 ssh2\", \"tags\": [\"auth\", \"Linux\"], "
    "\"details\": {\"sourceipaddress\": \"203.0.113.7\", \"username\": "
    "\"admin\", \"success\": false, \"port\": 52211, \"ratio\": 0.5, "
    "\"EventID\": 4625, \"note\": null}}";

static void
map_is_and(void **state)
{
	assert_true(match(RULE("  sel:\n    processname: sshd\n"
	    "    hostname: web1\n"), ssh));
	assert_false(match(RULE("  sel:\n    processname: sshd\n"
	    "    hostname: web2\n"), ssh));
}

static void
list_is_or(void **state)
{
	assert_true(match(RULE("  sel:\n    processname:\n      - sudo\n"
	    "      - sshd\n"), ssh));
	assert_false(match(RULE("  sel:\n    processname:\n      - sudo\n"
	    "      - cron\n"), ssh));
}

static void
list_of_maps_is_or_of_ands(void **state)
{
	const char *r = RULE("  sel:\n    - processname: sudo\n"
	    "      hostname: web1\n    - processname: sshd\n"
	    "      hostname: %s\n");
	char y[512];

	snprintf(y, sizeof(y), r, "web1");
	assert_true(match(y, ssh));
	snprintf(y, sizeof(y), r, "web9");
	assert_false(match(y, ssh));
}

static void
keywords_search_summary(void **state)
{
	assert_true(match(RULE("  sel:\n    - 'invalid USER'\n"
	    "    - nothing\n"), ssh));
	assert_false(match(RULE("  sel:\n    - web1\n"), ssh));
	assert_true(match(RULE("  sel: 'port 5221?'\n"), ssh));
}

static void
case_insensitive_unless_cased(void **state)
{
	assert_true(match(RULE("  sel:\n    processname: SSHD\n"), ssh));
	assert_false(match(RULE("  sel:\n    processname|cased: SSHD\n"), ssh));
	assert_true(match(RULE("  sel:\n    processname|cased: sshd\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary|contains|cased: "
	    "'failed password'\n"), ssh));
}

static void
wildcards(void **state)
{
	assert_true(match(RULE("  sel:\n    summary: 'Failed * from *.7 "
	    "port ?????*'\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary: 'Failed * from *.8 "
	    "port *'\n"), ssh));
	assert_true(match(RULE("  sel:\n    processname: 's?hd'\n"), ssh));
	assert_false(match(RULE("  sel:\n    processname: 's?d'\n"), ssh));
	/* escaped: a literal star and question mark */
	assert_false(match(RULE("  sel:\n    processname: 's\\*'\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.q: 'a\\*b\\?'\n"),
	    "{\"details\": {\"q\": \"a*b?\"}}"));
	assert_false(match(RULE("  sel:\n    details.q: 'a\\*b'\n"),
	    "{\"details\": {\"q\": \"axxb\"}}"));
	/* a backslash before anything else is itself */
	assert_true(match(RULE("  sel:\n    details.p|endswith: "
	    "'\\cmd.exe'\n"), "{\"details\": {\"p\": \"C:\\\\Windows\\\\"
	    "cmd.exe\"}}"));
}

static void
contains_startswith_endswith(void **state)
{
	assert_true(match(RULE("  sel:\n    summary|contains: 'user admin'\n"),
	    ssh));
	assert_false(match(RULE("  sel:\n    summary|contains: 'user root'\n"),
	    ssh));
	assert_true(match(RULE("  sel:\n    summary|startswith: 'failed'\n"),
	    ssh));
	assert_false(match(RULE("  sel:\n    summary|startswith: 'password'\n"),
	    ssh));
	assert_true(match(RULE("  sel:\n    summary|endswith: 'SSH2'\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary|endswith: 'port'\n"),
	    ssh));
}

static void
all_modifier(void **state)
{
	assert_true(match(RULE("  sel:\n    summary|contains|all:\n"
	    "      - failed\n      - admin\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary|contains|all:\n"
	    "      - failed\n      - root\n"), ssh));
	assert_true(match(RULE("  sel:\n    summary|contains:\n"
	    "      - failed\n      - root\n"), ssh));
}

static void
regex_modifier(void **state)
{
	assert_true(match(RULE("  sel:\n    summary|re: '^Failed [a-z]+ for "
	    ".* port [0-9]+ ssh2$'\n"), ssh));
	/* case-sensitive by default, |i makes it not */
	assert_false(match(RULE("  sel:\n    summary|re: '^failed'\n"), ssh));
	assert_true(match(RULE("  sel:\n    summary|re|i: '^failed'\n"), ssh));
	assert_true(match(RULE("  sel:\n    summary|re: 'port \\d{5} '\n"),
	    ssh));
	assert_false(match(RULE("  sel:\n    summary|re: 'port \\d{6}'\n"),
	    ssh));
	assert_true(match(RULE("  sel:\n    summary|re: 'user (root|admin) "
	    "from'\n"), ssh));
	assert_true(match(RULE("  sel:\n    summary|re: 'admin|nobody'\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary|re: 'x+yz|nobody'\n"),
	    ssh));
	/* the PCRE dialect SigmaHQ's rules are written in */
	assert_true(match(RULE("  sel:\n    summary|re: '(?i)^failed'\n"),
	    ssh));
	assert_true(match(RULE("  sel:\n    summary|re: '\\bport\\b \\d++'\n"),
	    ssh));
	assert_true(match(RULE("  sel:\n    summary|re: 'user (?!root)\\w+ "
	    "from'\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary|re: 'user (?!admin)\\w+ "
	    "from'\n"), ssh));
	assert_false(match(RULE("  sel:\n    summary|re: '.{1000,}'\n"), ssh));
	assert_true(match(RULE("  sel:\n    summary|re: '.{10,}'\n"), ssh));
	/* m: ^ and $ at every line; s: . crosses lines */
	assert_false(match(RULE("  sel:\n    details.ml|re: '^two$'\n"),
	    "{\"details\": {\"ml\": \"one\\ntwo\\nthree\"}}"));
	assert_true(match(RULE("  sel:\n    details.ml|re|m: '^two$'\n"),
	    "{\"details\": {\"ml\": \"one\\ntwo\\nthree\"}}"));
	assert_false(match(RULE("  sel:\n    details.ml|re: 'one.two'\n"),
	    "{\"details\": {\"ml\": \"one\\ntwo\\nthree\"}}"));
	assert_true(match(RULE("  sel:\n    details.ml|re|s: 'one.two'\n"),
	    "{\"details\": {\"ml\": \"one\\ntwo\\nthree\"}}"));
	/* catastrophic backtracking stops at the match limit: no match */
	assert_false(match(RULE("  sel:\n    details.a|re: '^(a|aa)+$'\n"),
	    "{\"details\": {\"a\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"}}"));
}

static void
cidr_modifier(void **state)
{
	assert_true(match(RULE("  sel:\n    details.sourceipaddress|cidr: "
	    "203.0.113.0/24\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.sourceipaddress|cidr: "
	    "203.0.112.0/23\n"), ssh));
	assert_false(match(RULE("  sel:\n    details.sourceipaddress|cidr: "
	    "203.0.112.0/24\n"), ssh));
	assert_false(match(RULE("  sel:\n    details.sourceipaddress|cidr: "
	    "'2001:db8::/32'\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.ip|cidr: '2001:db8::/32'\n"),
	    "{\"details\": {\"ip\": \"2001:db8:1::7\"}}"));
	assert_false(match(RULE("  sel:\n    details.ip|cidr: 10.0.0.0/8\n"),
	    "{\"details\": {\"ip\": \"not an address\"}}"));
}

static void
exists_modifier(void **state)
{
	assert_true(match(RULE("  sel:\n    details.username|exists: true\n"),
	    ssh));
	assert_false(match(RULE("  sel:\n    details.username|exists: false\n"),
	    ssh));
	assert_true(match(RULE("  sel:\n    details.nothere|exists: false\n"),
	    ssh));
	/* a JSON null does not exist */
	assert_false(match(RULE("  sel:\n    details.note|exists: true\n"),
	    ssh));
}

static void
numeric_comparisons(void **state)
{
	assert_true(match(RULE("  sel:\n    details.port|gt: 50000\n"), ssh));
	assert_false(match(RULE("  sel:\n    details.port|lt: 52211\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.port|lte: 52211\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.port|gte: 52211\n"), ssh));
	assert_false(match(RULE("  sel:\n    details.port|gte: 52212\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.ratio|lt: 0.75\n"), ssh));
	/* a number in a string compares as a number */
	assert_true(match(RULE("  sel:\n    details.n|gt: 9\n"),
	    "{\"details\": {\"n\": \"10\"}}"));
	assert_false(match(RULE("  sel:\n    details.n|gt: 9\n"),
	    "{\"details\": {\"n\": \"ten\"}}"));
}

static void
numbers_and_booleans(void **state)
{
	assert_true(match(RULE("  sel:\n    EventID: 4625\n"), ssh));
	assert_false(match(RULE("  sel:\n    EventID: 4624\n"), ssh));
	assert_true(match(RULE("  sel:\n    EventID: 4625\n"),
	    "{\"details\": {\"EventID\": \"4625\"}}"));
	assert_true(match(RULE("  sel:\n    EventID: 4625\n"),
	    "{\"details\": {\"EventID\": 4625.0}}"));
	assert_true(match(RULE("  sel:\n    details.ratio: 0.50\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.success: false\n"), ssh));
	assert_false(match(RULE("  sel:\n    details.success: true\n"), ssh));
}

static void
null_means_missing(void **state)
{
	assert_true(match(RULE("  sel:\n    details.nothere: null\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.note: null\n"), ssh));
	assert_false(match(RULE("  sel:\n    details.username: null\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.username:\n      - null\n"
	    "      - admin\n"), ssh));
	/* an empty string is a value, not a missing field */
	assert_false(match(RULE("  sel:\n    details.e: null\n"),
	    "{\"details\": {\"e\": \"\"}}"));
	assert_true(match(RULE("  sel:\n    details.e: ''\n"),
	    "{\"details\": {\"e\": \"\"}}"));
}

static void
base64_modifiers(void **state)
{
	/* "attack" is YXR0YWNr; at offsets 1 and 2 "F0dGFja" and "hdHRhY2" */
	assert_true(match(RULE("  sel:\n    details.b|base64|contains: "
	    "attack\n"), "{\"details\": {\"b\": \"xxYXR0YWNrxx\"}}"));
	assert_false(match(RULE("  sel:\n    details.b|base64|contains: "
	    "attack\n"), "{\"details\": {\"b\": \"xxyxr0ywnrxx\"}}"));
	assert_true(match(RULE("  sel:\n    details.b|base64offset|contains: "
	    "attack\n"), "{\"details\": {\"b\": \"QUF0dGFja0I=\"}}"));
	assert_true(match(RULE("  sel:\n    details.b|base64offset|contains: "
	    "attack\n"), "{\"details\": {\"b\": \"QUFBYXR0YWNr\"}}"));
	assert_true(match(RULE("  sel:\n    details.b|base64offset|contains: "
	    "attack\n"), "{\"details\": {\"b\": \"IGF0dGFjaw==\"}}"));
	assert_false(match(RULE("  sel:\n    details.b|base64offset|contains: "
	    "attack\n"), "{\"details\": {\"b\": \"IGF0dGFjyw==\"}}"));
}

static void
windash_modifier(void **state)
{
	const char *r = RULE("  sel:\n    details.cmd|windash|contains: "
	    "' -enc '\n");

	assert_true(match(r, "{\"details\": {\"cmd\": \"powershell -enc AA\"}}"));
	assert_true(match(r, "{\"details\": {\"cmd\": \"powershell /enc AA\"}}"));
	assert_true(match(r, "{\"details\": {\"cmd\": \"powershell \xe2\x80\x93"
	    "enc AA\"}}"));
	assert_false(match(r, "{\"details\": {\"cmd\": \"powershell +enc "
	    "AA\"}}"));
}

static void
arrays_match_any_element(void **state)
{
	assert_true(match(RULE("  sel:\n    tags: linux\n"), ssh));
	assert_false(match(RULE("  sel:\n    tags: windows\n"), ssh));
	assert_true(match(RULE("  sel:\n    tags|contains|all:\n"
	    "      - aut\n      - nux\n"), ssh));
}

static void
conditions(void **state)
{
	const char *base = "title: t\nid: t1\ndetection:\n"
	    "  sel_a:\n    processname: sshd\n"
	    "  sel_b:\n    hostname: web1\n"
	    "  filter:\n    details.username: root\n"
	    "  _helper:\n    hostname: nowhere\n"
	    "  condition: %s\n";
	static const struct {
		const char *cond;
		int want;
	} c[] = {
		{ "sel_a and sel_b", 1 },
		{ "sel_a and not sel_b", 0 },
		{ "sel_a and not filter", 1 },
		{ "not sel_a or filter", 0 },
		{ "filter or sel_a and sel_b", 1 },	/* and binds tighter */
		{ "(filter or sel_a) and not sel_b", 0 },
		{ "not (filter or _helper)", 1 },
		{ "1 of sel_*", 1 },
		{ "all of sel_*", 1 },
		{ "all of sel_* and not 1 of filter*", 1 },
		{ "1 of them", 1 },
		{ "all of them", 0 },		/* filter does not match */
		{ "all of sel_* and _helper", 0 },
		{ "NOT filter AND sel_a", 1 },
	};
	char y[512];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(*c); i++) {
		snprintf(y, sizeof(y), base, c[i].cond);
		if (match(y, ssh) != c[i].want)
			fail_msg("condition '%s' should be %d", c[i].cond,
			    c[i].want);
	}
}

static void
them_leaves_out_underscore(void **state)
{
	const char *y = "title: t\nid: t1\ndetection:\n"
	    "  sel:\n    processname: sshd\n"
	    "  _never:\n    hostname: nowhere\n"
	    "  condition: all of them\n";

	assert_true(match(y, ssh));
}

static void
field_mapping(void **state)
{
	/* default names */
	assert_true(match(RULE("  sel:\n    Image: sshd\n"), ssh));
	assert_true(match(RULE("  sel:\n    Computer: web1\n"), ssh));
	assert_true(match(RULE("  sel:\n    SourceIp: 203.0.113.7\n"), ssh));
	assert_true(match(RULE("  sel:\n    src_ip: 203.0.113.7\n"), ssh));
	assert_true(match(RULE("  sel:\n    TargetUserName: admin\n"), ssh));
	assert_true(match(RULE("  sel:\n    Message|contains: ssh2\n"), ssh));
	/* unmapped: under details; dotted: that path */
	assert_true(match(RULE("  sel:\n    port: 52211\n"), ssh));
	assert_true(match(RULE("  sel:\n    details.port: 52211\n"), ssh));
	assert_true(match(RULE("  sel:\n    event.outcome: failure\n"),
	    "{\"details\": {\"event\": {\"outcome\": \"failure\"}}}"));
	assert_true(match(RULE("  sel:\n    event.outcome: failure\n"),
	    "{\"details\": {\"event.outcome\": \"failure\"}}"));
}

static void
mapping_document(void **state)
{
	const char *y = "ward-mapping:\n  fields:\n    Attacker: "
	    "details.sourceipaddress\n  logsources:\n"
	    "    - logsource: {product: linux, service: auth}\n"
	    "      conditions: {processname: sshd}\n---\n"
	    "title: t\nid: t1\nlogsource:\n  product: linux\n  service: auth\n"
	    "detection:\n  sel:\n    Attacker: 203.0.113.7\n"
	    "  condition: sel\n";

	assert_true(match(y, ssh));
	assert_false(match(y, "{\"processname\": \"cron\", \"details\": "
	    "{\"sourceipaddress\": \"203.0.113.7\"}}"));
}

static void
logsource_mapping(void **state)
{
	const char *map = "ward-mapping:\n  logsources:\n"
	    "    - logsource: {service: sshd}\n"
	    "      conditions:\n        processname: [sshd, sshd-session]\n"
	    "---\n";
	const char *sshd = "title: t\nid: t1\nlogsource:\n  product: linux\n"
	    "  service: sshd\ndetection:\n  sel:\n    - password\n"
	    "  condition: sel\n";
	const char *unknown = "title: t\nid: t1\nlogsource:\n  product: "
	    "zos\n  service: smf\ndetection:\n  sel:\n    - password\n"
	    "  condition: sel\n";
	const char *cron = "{\"processname\": \"cron\", \"summary\": "
	    "\"password\"}";
	char y[1024];

	snprintf(y, sizeof(y), "%s%s", map, sshd);
	assert_true(match(y, ssh));
	assert_true(match(y, "{\"processname\": \"sshd-session\", "
	    "\"summary\": \"password\"}"));
	assert_false(match(y, cron));
	/* a logsource the mapping does not name adds no condition */
	snprintf(y, sizeof(y), "%s%s", map, unknown);
	assert_true(match(y, cron));
	/* nor does any without mapping documents: the engine knows none */
	assert_true(match(sshd, cron));
}

/*
 * A logsource's conditions written as a detection: named selections and
 * a condition, so a mapping can say what an event must not be.  Field
 * names are read with the rule's mappings, and a schema field (summary,
 * details.x) stays itself under a mapping's '*'.
 */
static void
logsource_detection(void **state)
{
	const char *y = "ward-mapping:\n  logsource: {product: linux}\n"
	    "  fields:\n    '*': ['details.{}', 'details.auditd.data.{}']\n"
	    "  logsources:\n"
	    "    - logsource: {product: linux}\n"
	    "      conditions:\n"
	    "        windows:\n"
	    "          - details.Channel|exists: true\n"
	    "          - details.winlog|exists: true\n"
	    "        linux_sysmon:\n"
	    "          details.Channel|startswith: 'Linux-'\n"
	    "        condition: linux_sysmon or not windows\n"
	    "---\n"
	    "title: t\nid: t1\nlogsource:\n  product: linux\n"
	    "detection:\n  sel:\n    summary|contains: whoami\n"
	    "  condition: sel\n";

	assert_true(match(y, "{\"summary\": \"whoami\"}"));
	assert_true(match(y, "{\"summary\": \"whoami\", \"details\": "
	    "{\"Channel\": \"Linux-Sysmon/Operational\"}}"));
	assert_false(match(y, "{\"summary\": \"whoami\", \"details\": "
	    "{\"Channel\": \"Security\"}}"));
	assert_false(match(y, "{\"summary\": \"whoami\", \"details\": "
	    "{\"winlog\": {\"channel\": \"Security\"}}}"));
	/* summary is not details.summary, though the mapping's '*' says so */
	assert_false(match(y, "{\"details\": {\"summary\": \"whoami\"}}"));
	load_fails("ward-mapping:\n  logsources:\n"
	    "    - logsource: {product: linux}\n"
	    "      conditions: linux\n", 4, "conditions is a selection");
	load_fails("ward-mapping:\n  logsources:\n"
	    "    - logsource: {product: linux}\n", 3,
	    "needs logsource and conditions");
}

static void
computed_clockskew(void **state)
{
	const char *r = RULE("  sel:\n    ward.clockskew|gt: 3600\n");

	assert_true(match(r, "{\"utctimestamp\": \"2026-11-27T08:00:00Z\", "
	    "\"receivedtimestamp\": \"2026-11-27T10:00:00Z\"}"));
	assert_true(match(r, "{\"utctimestamp\": \"2026-11-28T10:00:00Z\", "
	    "\"receivedtimestamp\": \"2026-11-27T10:00:00Z\"}"));
	assert_false(match(r, "{\"utctimestamp\": \"2026-11-27T09:30:00Z\", "
	    "\"receivedtimestamp\": \"2026-11-27T10:00:00Z\"}"));
	assert_false(match(r, "{\"summary\": \"no times\"}"));
}

/* The index may never lose a match: compare it with plain evaluation
   over many rules and events. */
static void
index_agrees_with_evaluation(void **state)
{
	static const char *const vals[] = { "sshd", "sudo", "web1", "admin",
	    "Failed password", "203.0.113.7", "root", "port 5" };
	static const char *const mods[] = { "", "|contains", "|startswith",
	    "|endswith", "|re", "|contains|all" };
	static const char *const fields[] = { "processname", "hostname",
	    "summary", "details.username", "details.sourceipaddress", "tags" };
	static const char *const evs[] = {
	    ssh,
	    "{\"processname\": \"sudo\", \"hostname\": \"web1\", \"summary\": "
	    "\"root : TTY=pts/0 ; COMMAND=/bin/sh\", \"details\": "
	    "{\"username\": \"root\"}}",
	    "{\"processname\": \"SSHD\", \"summary\": \"Accepted password for "
	    "root from 203.0.113.7 port 5\", \"tags\": [\"sshd\", \"web1\"]}",
	    "{\"summary\": \"\"}",
	};
	struct buf y;
	struct ruleset *rs;
	struct sigma_scratch *s;
	const size_t *hits;
	json_t *ev;
	size_t i, n, k, nmatch = 0;
	unsigned seed = 7;

	buf_init(&y);
	for (i = 0; i < 400; i++) {
		seed = seed * 1103515245 + 12345;
		buf_printf(&y, "---\ntitle: r%zu\nid: r%zu\ndetection:\n"
		    "  a:\n    %s%s: '%s'\n  b:\n    %s: '%s'\n"
		    "  condition: %s\n", i, i,
		    fields[seed % 6], mods[(seed >> 4) % 6],
		    vals[(seed >> 8) % 8], fields[(seed >> 12) % 6],
		    vals[(seed >> 16) % 8],
		    (seed >> 20) % 4 == 0 ? "a and b" : (seed >> 20) % 4 == 1 ?
		    "a or b" : (seed >> 20) % 4 == 2 ? "a and not b" : "a");
	}
	rs = load_ok(y.data);
	s = sigma_scratch_new(rs);
	for (k = 0; k < sizeof(evs) / sizeof(*evs); k++) {
		ev = json_loads(evs[k], 0, NULL);
		assert_non_null(ev);
		n = sigma_match(rs, s, ev, &hits);
		{
			size_t *copy = malloc((n + 1) * sizeof(*copy)), j = 0;

			memcpy(copy, hits, n * sizeof(*copy));
			for (i = 0; i < ruleset_count(rs); i++) {
				int m = sigma_rule_matches(rs, s,
				    ruleset_rule(rs, i), ev);

				if (m) {
					nmatch++;
					if (j >= n || copy[j] != i)
						fail_msg("event %zu: rule %zu "
						    "matches but the index "
						    "missed it", k, i);
					j++;
				}
			}
			assert_int_equal(j, n);
			free(copy);
		}
		json_decref(ev);
	}
	assert_true(nmatch > 50);	/* the test exercises something */
	sigma_scratch_free(s);
	ruleset_free(rs);
	buf_release(&y);
}

/*
 * The index on rules and events of the shapes SigmaHQ's Windows rules
 * meet: a logsource mapping that adds conditions (decided once an event
 * for all its rules), fields with several paths (flat and Winlogbeat's
 * nested), endswith and startswith anchors, rules needing two
 * conditions.  What fires is what a user expects, and the index agrees
 * with evaluating every rule in full, on every event.
 */
static void
index_on_windows_shapes(void **state)
{
	static const char y[] =
	    "ward-mapping:\n"
	    "  logsource: {product: windows}\n"
	    "  fields:\n"
	    "    '*': ['details.{}', 'details.winlog.event_data.{}']\n"
	    "    EventID: [details.EventID, details.winlog.event_id]\n"
	    "    Image: [details.Image, details.NewProcessName,"
	    " details.winlog.event_data.Image]\n"
	    "  logsources:\n"
	    "    - logsource: {product: windows, category: process_creation}\n"
	    "      conditions:\n"
	    "        - {EventID: 1, Channel: 'Microsoft-Windows-Sysmon/"
	    "Operational'}\n"
	    "        - {EventID: 4688, Channel: 'Security'}\n"
	    "    - logsource: {product: windows, category: "
	    "network_connection}\n"
	    "      conditions:\n"
	    "        - {EventID: 3}\n"
	    "---\n"
	    "title: cmd whoami\nid: p1\n"
	    "logsource: {product: windows, category: process_creation}\n"
	    "detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n"
	    "    CommandLine|contains|all: ['whoami', '/all']\n"
	    "  condition: sel\n"
	    "---\n"
	    "title: short suffix\nid: p2\n"
	    "logsource: {product: windows, category: process_creation}\n"
	    "detection:\n  sel:\n    Image|endswith: '\\w'\n"
	    "  condition: sel\n"
	    "---\n"
	    "title: starts\nid: p3\n"
	    "logsource: {product: windows, category: process_creation}\n"
	    "detection:\n  sel:\n    CommandLine|startswith: 'whoami'\n"
	    "  condition: sel\n"
	    "---\n"
	    "title: outbound cmd\nid: n1\n"
	    "logsource: {product: windows, category: network_connection}\n"
	    "detection:\n  sel:\n    Initiated: 'true'\n"
	    "    Image|endswith: '\\cmd.exe'\n  condition: sel\n"
	    "---\n"
	    "title: any whoami\nid: k1\n"
	    "detection:\n  keywords: ['whoami']\n  condition: keywords\n"
	    "---\n"
	    "title: not svchost\nid: x1\n"
	    "logsource: {product: windows, category: process_creation}\n"
	    "detection:\n  sel:\n    Image|endswith: '.exe'\n"
	    "  filter:\n    Image|endswith: '\\svchost.exe'\n"
	    "  condition: sel and not filter\n";
	static const struct {
		const char	*ev;
		const char	*want;	/* the ids that fire, in rule order */
	} cases[] = {
	    /* NXLog's flat Sysmon event */
	    { "{\"summary\": \"Process Create\", \"details\": {\"EventID\": 1, "
	      "\"Channel\": \"Microsoft-Windows-Sysmon/Operational\", "
	      "\"Image\": \"C:\\\\Windows\\\\System32\\\\cmd.exe\", "
	      "\"CommandLine\": \"whoami /all\"}}", "p1 p3 k1 x1" },
	    /* the same as Winlogbeat nests it */
	    { "{\"details\": {\"winlog\": {\"event_id\": 1, \"channel\": "
	      "\"Microsoft-Windows-Sysmon/Operational\", \"event_data\": "
	      "{\"Image\": \"C:\\\\Windows\\\\System32\\\\CMD.EXE\", "
	      "\"CommandLine\": \"cmd /c WHOAMI /ALL\"}}, \"Channel\": "
	      "\"Microsoft-Windows-Sysmon/Operational\"}}", "p1 k1 x1" },
	    /* Security 4688: the image under another name; a dotted key */
	    { "{\"details\": {\"EventID\": 4688, \"Channel\": \"Security\", "
	      "\"NewProcessName\": \"C:\\\\tools\\\\w\", "
	      "\"winlog.event_data.CommandLine\": \"whoami\"}}", "p2 p3 k1" },
	    /* a network connection by cmd.exe: not a process creation */
	    { "{\"details\": {\"EventID\": 3, \"Image\": \"C:\\\\Windows\\\\"
	      "System32\\\\cmd.exe\", \"Initiated\": \"true\", "
	      "\"CommandLine\": \"whoami /all\"}}", "n1 k1" },
	    /* the suffix elsewhere than at the end, svchost filtered */
	    { "{\"details\": {\"EventID\": 1, \"Channel\": \"Microsoft-"
	      "Windows-Sysmon/Operational\", \"Image\": \"C:\\\\Windows\\\\"
	      "svchost.exe\", \"CommandLine\": \"x whoami /all\"}}", "k1" },
	    /* arrays, nulls, a value that is an object */
	    { "{\"details\": {\"EventID\": [1, 2], \"Channel\": null, "
	      "\"Image\": {\"a\": \"\\\\cmd.exe\"}, \"CommandLine\": "
	      "[\"whoami\", \"/all\"]}}", "k1" },
	};
	struct ruleset *rs = load_ok(y);
	struct sigma_scratch *s = sigma_scratch_new(rs);
	const size_t *hits;
	struct buf got;
	json_error_t je;
	json_t *ev;
	size_t k, i, n, j;

	assert_non_null(s);
	buf_init(&got);
	for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		if ((ev = json_loads(cases[k].ev, 0, &je)) == NULL)
			fail_msg("case %zu: %s", k, je.text);
		n = sigma_match(rs, s, ev, &hits);
		buf_reset(&got);
		for (i = 0; i < n; i++)
			buf_printf(&got, "%s%s", i ? " " : "",
			    ruleset_rule(rs, hits[i])->id);
		(void)buf_puts(&got, "");
		if (strcmp(got.data, cases[k].want) != 0)
			fail_msg("case %zu: fired '%s', want '%s'", k, got.data,
			    cases[k].want);
		for (i = j = 0; i < ruleset_count(rs); i++)
			if (sigma_rule_matches(rs, s, ruleset_rule(rs, i), ev)) {
				assert_true(j < n && hits[j] == i);
				j++;
			}
		assert_int_equal(j, n);
		json_decref(ev);
	}
	buf_release(&got);
	sigma_scratch_free(s);
	ruleset_free(rs);
}

static void
errors_name_the_line(void **state)
{
	load_fails("title: t\ndetection:\n  sel:\n    a: [1, 2\n"
	    "  condition: sel\n", 5, "YAML");
	load_fails("title: t\ndetection:\n  sel:\n    a|contain: x\n"
	    "  condition: sel\n", 4, "unknown or unsupported modifier "
	    "'contain'");
	load_fails("title: t\ndetection:\n  sel:\n    a: x\n"
	    "  condition: sel and sel2\n", 5, "'sel2' is not a selection");
	load_fails("title: t\ndetection:\n  sel:\n    a: x\n", 2,
	    "no condition");
	load_fails("title: t\ndetection:\n  sel:\n    a|re: '(x'\n"
	    "  condition: sel\n", 4, "bad regular expression");
	load_fails("title: t\ndetection:\n  sel:\n    a|re: '(?<=a+)b'\n"
	    "  condition: sel\n", 4, "lookbehind");
	load_fails("title: t\ndetection:\n  sel:\n    a|cidr: 10.0.0.0/33\n"
	    "  condition: sel\n", 4, "not an IPv4 or IPv6 network");
	load_fails("title: t\ndetection:\n  sel:\n    a|gt: many\n"
	    "  condition: sel\n", 4, "not a number");
	load_fails("detection:\n  sel:\n    a: x\n  condition: sel\n", 1,
	    "no title");
	load_fails("title: t\nlevel: severe\ndetection:\n  sel:\n    a: x\n"
	    "  condition: sel\n", 2, "level 'severe'");
	load_fails("title: t\ndetection:\n  sel:\n    a: x\n"
	    "  condition: sel | count() > 5\n", 5, "aggregations");
	load_fails("title: t\ndetection:\n  sel:\n    a: x\n"
	    "  condition: (sel\n", 5, "missing ')'");
	load_fails("title: t\ndetecton:\n  sel:\n    a: x\n", 2,
	    "unknown key 'detecton'");
	load_fails("title: t\ncorrelation:\n  type: event_count\n  rules:\n"
	    "    - nosuch\n  timespan: 5m\n  condition:\n    gte: 3\n", 5,
	    "no rule has that name");
	load_fails("title: t\ncorrelation:\n  type: event_count\n  rules:\n"
	    "    - x\n  timespan: 5 minutes\n", 6, "timespan");
	load_fails("title: t\ndetection:\n  sel:\n    a: x\n  condition: sel\n"
	    "ward:\n  summary: 'from {details.ip'\n", 7, "summary template");
}

static void
broken_rule_does_not_stop_others(void **state)
{
	const char *y = "title: good one\nid: g1\ndetection:\n  sel:\n"
	    "    a: x\n  condition: sel\n---\ntitle: broken\ndetection:\n"
	    "  sel:\n    a|nope: x\n  condition: sel\n---\ntitle: good two\n"
	    "id: g2\ndetection:\n  sel:\n    a: y\n  condition: sel\n";
	struct errs x;
	struct ruleset *rs;
	size_t nerr;

	memset(&x, 0, sizeof(x));
	rs = ruleset_load_string(y, strlen(y), "mix.yml", collect, &x, &nerr);
	assert_non_null(rs);
	assert_int_equal(nerr, 1);
	assert_int_equal(x.e[0].line, 11);
	assert_int_equal(ruleset_count(rs), 2);
	assert_non_null(ruleset_find(rs, "g1"));
	assert_non_null(ruleset_find(rs, "g2"));
	ruleset_free(rs);
}

static void
duplicate_ids_and_loops(void **state)
{
	const char *dup = "title: a\nid: same\ndetection:\n  sel:\n    a: x\n"
	    "  condition: sel\n---\ntitle: b\nid: same\ndetection:\n  sel:\n"
	    "    a: y\n  condition: sel\n";
	const char *loop = "title: c1\nname: c1\ncorrelation:\n  type: "
	    "event_count\n  rules: [c2]\n  timespan: 1m\n  condition: {gte: 2}\n"
	    "---\ntitle: c2\nname: c2\ncorrelation:\n  type: event_count\n"
	    "  rules: [c1]\n  timespan: 1m\n  condition: {gte: 2}\n";

	load_fails(dup, 8, "id 'same' is already used by bad.yml:1");
	load_fails(loop, 1, "loop");
}

/* fieldref: the value names another field of the same event. */
static void
fieldref_modifier(void **state)
{
	const char *eq = RULE("  sel:\n    details.parent|fieldref: "
	    "details.image\n");
	const char *ends = RULE("  sel:\n    details.target|fieldref|endswith: "
	    "details.name\n");

	assert_true(match(eq, "{\"details\": {\"parent\": \"C:\\\\A.exe\", "
	    "\"image\": \"c:\\\\a.exe\"}}"));
	assert_false(match(eq, "{\"details\": {\"parent\": \"C:\\\\A.exe\", "
	    "\"image\": \"c:\\\\b.exe\"}}"));
	assert_false(match(eq, "{\"details\": {\"parent\": \"C:\\\\A.exe\"}}"));
	assert_false(match(RULE("  sel:\n    details.parent|fieldref|cased: "
	    "details.image\n"), "{\"details\": {\"parent\": \"C:\\\\A.exe\", "
	    "\"image\": \"c:\\\\a.exe\"}}"));
	assert_true(match(ends, "{\"details\": {\"target\": \"C:\\\\x\\\\evil"
	    ".exe\", \"name\": \"EVIL.exe\"}}"));
	assert_false(match(ends, "{\"details\": {\"target\": \"C:\\\\x\\\\evil"
	    ".exe.txt\", \"name\": \"evil.exe\"}}"));
}

/* expand: a %placeholder% no mapping fills stands for any text. */
static void
expand_modifier(void **state)
{
	const char *r = RULE("  sel:\n    details.path|expand: "
	    "'C:\\Users\\%username%\\AppData\\evil.exe'\n");

	assert_true(match(r, "{\"details\": {\"path\": \"C:\\\\Users\\\\bob\\\\"
	    "AppData\\\\evil.exe\"}}"));
	assert_false(match(r, "{\"details\": {\"path\": \"C:\\\\Users\\\\bob\\\\"
	    "AppData\\\\good.exe\"}}"));
	/* without expand, % is a character like any other */
	assert_false(match(RULE("  sel:\n    details.path: "
	    "'C:\\Users\\%username%\\AppData\\evil.exe'\n"), "{\"details\": "
	    "{\"path\": \"C:\\\\Users\\\\bob\\\\AppData\\\\evil.exe\"}}"));
}

/* utf16le (wide), utf16be and utf16 before base64: PowerShell's
   -EncodedCommand is base64 of UTF-16LE. */
static void
utf16_modifiers(void **state)
{
	/* "whoami" as UTF-16LE, base64: dwBoAG8AYQBtAGkA */
	assert_true(match(RULE("  sel:\n    details.cmd|wide|base64|contains: "
	    "whoami\n"), "{\"details\": {\"cmd\": \"powershell -enc "
	    "dwBoAG8AYQBtAGkA\"}}"));
	assert_true(match(RULE("  sel:\n    details.cmd|utf16le|base64offset|"
	    "contains: whoami\n"), "{\"details\": {\"cmd\": \"powershell -enc "
	    "dwBoAG8AYQBtAGkA\"}}"));
	/* one character before it: the text at offset 2 of 3 */
	assert_true(match(RULE("  sel:\n    details.cmd|utf16le|base64offset|"
	    "contains: whoami\n"), "{\"details\": {\"cmd\": \"-enc "
	    "IAB3AGgAbwBhAG0AaQA=\"}}"));
	assert_false(match(RULE("  sel:\n    details.cmd|utf16be|base64|"
	    "contains: whoami\n"), "{\"details\": {\"cmd\": \"powershell -enc "
	    "dwBoAG8AYQBtAGkA\"}}"));
	/* UTF-16BE: AHcAaABvAGEAbQBp */
	assert_true(match(RULE("  sel:\n    details.cmd|utf16be|base64|"
	    "contains: whoami\n"), "{\"details\": {\"cmd\": \"AHcAaABvAGEAbQBp"
	    "\"}}"));
	/* UTF-16 with its byte order mark: //53AGgAbwBhAG0AaQA= */
	assert_true(match(RULE("  sel:\n    details.cmd|utf16|base64|"
	    "contains: whoami\n"), "{\"details\": {\"cmd\": \"x //53AGgAbwBhAG0A"
	    "aQA= y\"}}"));
}

/* Keywords with modifiers under an empty field name, as SigmaHQ writes
   them; keywords look at the summary and every text of details. */
static void
empty_field_name_is_keywords(void **state)
{
	const char *all = RULE("  sel:\n    '|all':\n      - ':179'\n"
	    "      - BADAUTH\n");

	assert_true(match(all, "{\"summary\": \"%TCP-6-BADAUTH from "
	    "192.0.2.1:179\"}"));
	assert_false(match(all, "{\"summary\": \"%TCP-6-BADAUTH from "
	    "192.0.2.1:22\"}"));
	assert_true(match(RULE("  sel:\n    '|re': 'BAD[A-Z]+ from'\n"),
	    "{\"summary\": \"%TCP-6-BADAUTH from 192.0.2.1:179\"}"));
	/* a structured event without a summary: its texts are searched */
	assert_true(match(RULE("  sel:\n    - mimikatz\n"), "{\"details\": "
	    "{\"CommandLine\": \"C:\\\\t\\\\Mimikatz.exe coffee\"}}"));
	assert_false(match(RULE("  sel:\n    - mimikatz\n"), "{\"details\": "
	    "{\"CommandLine\": \"C:\\\\t\\\\notepad.exe\"}}"));
}

/* Attributes Sigma does not define are kept, never an error. */
static void
custom_attributes_kept(void **state)
{
	struct ruleset *rs = load_ok("title: t\nid: c1\n"
	    "regression_tests_path: tests/c1/info.yml\nsimulation:\n"
	    "  - type: atomic-red-team\n    name: T1003\nmy_team: blue\n"
	    "detection:\n  sel:\n    a: x\n  condition: sel\n");
	const struct rule *r = ruleset_rule(rs, 0);

	assert_non_null(r->custom);
	assert_string_equal(json_string_value(json_object_get(r->custom,
	    "my_team")), "blue");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(r->custom, "simulation"), 0), "name")), "T1003");
	assert_non_null(json_object_get(r->custom, "regression_tests_path"));
	assert_null(json_object_get(r->custom, "title"));
	ruleset_free(rs);
}

/* The examples of the Sigma specification (sigma-specification,
   specification/sigma-rules-specification.md and the correlation
   specification) read as the specification says. */
static void
specification_examples(void **state)
{
	/* Detection: a list of maps, and a keyword selection. */
	const char *lists = "title: spec lists\nid: s1\ndetection:\n"
	    "  selection:\n    - Image|endswith: '\\\\example.exe'\n"
	    "    - Description|contains: 'Test executable'\n"
	    "  condition: selection\n";
	/* Correlation example "Failed Logins Followed by Successful Login",
	   grouped by User, with the base rules mapped onto ward fields. */
	const char *corr = "title: Correlation - Multiple Failed Logins "
	    "Followed by Successful Login\nid: b180ead8-d58f-40b2-ae54-"
	    "c8940995b9b6\nstatus: experimental\ncorrelation:\n  type: "
	    "temporal_ordered\n  rules:\n    - multiple_failed_login\n"
	    "    - successful_login\n  group-by:\n    - User\n  timespan: 10m\n"
	    "falsepositives:\n  - Unlikely\nlevel: high\n---\ntitle: Multiple "
	    "failed logons\nid: a8418a5a-5fc4-46b5-b23b-6c73beb19d41\n"
	    "name: multiple_failed_login\ncorrelation:\n  type: event_count\n"
	    "  rules:\n    - failed_login\n  group-by:\n    - User\n"
	    "  timespan: 10m\n  condition:\n    gte: 10\n---\ntitle: Single "
	    "failed login\nid: 53ba33fd-3a50-4468-a5ef-c583635cfa92\nname: "
	    "failed_login\nlogsource:\n  product: windows\n  service: "
	    "security\ndetection:\n  selection:\n    EventID:\n      - 529\n"
	    "      - 4625\n  condition: selection\n---\ntitle: Successful "
	    "login\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\nname: "
	    "successful_login\nlogsource:\n  product: windows\n  service: "
	    "security\ndetection:\n  selection:\n    EventID:\n      - 528\n"
	    "      - 4624\n  condition: selection\n";
	struct ruleset *rs;
	const struct rule *r;

	assert_true(match(lists, "{\"processname\": \"C:\\\\x\\\\example.exe\"}"));
	assert_true(match(lists, "{\"details\": {\"Description\": \"a Test "
	    "executable here\"}}"));
	assert_false(match(lists, "{\"processname\": \"example.exe.bak\"}"));
	rs = load_ok(corr);
	assert_int_equal(ruleset_count(rs), 4);
	r = ruleset_find(rs, "multiple_failed_login");
	assert_non_null(r);
	assert_int_equal(r->kind, RULE_CORRELATION);
	assert_int_equal(r->corr->span_us, 600000000LL);
	assert_int_equal(r->corr->lo, 10);
	/* building blocks of the outer correlation do not report alone */
	assert_int_equal(r->emit, 0);
	assert_int_equal(ruleset_find(rs, "failed_login")->emit, 0);
	assert_int_equal(ruleset_find(rs, "b180ead8-d58f-40b2-ae54-"
	    "c8940995b9b6")->emit, 1);
	ruleset_free(rs);
}

/* The map the rules and the correlator keep their keys in: many keys,
   removals by key and while walking it, nothing lost or left behind. */
static void
map_keeps_every_key(void **state)
{
	struct sigma_map m = { 0 };
	struct sigma_map_ent *e;
	unsigned char seen[20000] = { 0 };
	char	 k[32];
	size_t	 i, n;
	int	 id;

	(void)state;
	for (id = 0; id < 20000; id++) {
		n = (size_t)snprintf(k, sizeof k, "10.%d.%d.1", id / 256,
		    id % 256);
		assert_non_null(e = sigma_map_put(&m, k, n));
		assert_null(e->val);
		e->val = (void *)(intptr_t)(id + 1);
		assert_ptr_equal(sigma_map_put(&m, k, n), e);
	}
	assert_int_equal(m.n, 20000);
	/* every third by key */
	for (id = 0; id < 20000; id += 3) {
		n = (size_t)snprintf(k, sizeof k, "10.%d.%d.1", id / 256,
		    id % 256);
		sigma_map_del(&m, k, n);
	}
	for (id = 0; id < 20000; id++) {
		n = (size_t)snprintf(k, sizeof k, "10.%d.%d.1", id / 256,
		    id % 256);
		e = sigma_map_get(&m, k, n);
		if (id % 3 == 0)
			assert_null(e);
		else {
			assert_non_null(e);
			assert_int_equal((intptr_t)e->val, id + 1);
			assert_string_equal(e->key, k);
		}
	}
	/* the even ones while walking, as the correlator expires groups */
	for (i = 0; (e = sigma_map_next(&m, &i)) != NULL; ) {
		id = (int)(intptr_t)e->val - 1;
		seen[id] = 1;
		if (id % 2 == 0)
			sigma_map_del_at(&m, i);
		else
			i++;
	}
	for (id = 0; id < 20000; id++) {
		n = (size_t)snprintf(k, sizeof k, "10.%d.%d.1", id / 256,
		    id % 256);
		assert_int_equal(seen[id], id % 3 != 0);
		e = sigma_map_get(&m, k, n);
		if (id % 3 == 0 || id % 2 == 0)
			assert_null(e);
		else
			assert_non_null(e);
	}
	assert_int_equal(m.n, 20000 - 20000 / 2 - (20000 / 3 + 1) +
	    (20000 / 6 + 1));
	sigma_map_release(&m);
	assert_int_equal(m.n, 0);
	assert_null(sigma_map_get(&m, "x", 1));
}

/* A field under an array of objects is the values its elements have
   (CloudTrail's resources, Okta's target, Google Workspace's events), as
   Sigma's backends read one; the index and the evaluation agree. */
static void
fields_through_arrays(void **state)
{
	static const char ev[] = "{\"summary\": \"changed\", \"details\": "
	    "{\"targets\": [{\"type\": \"User\", \"id\": \"alice\"}, "
	    "{\"type\": \"Group\", \"id\": \"admins\", \"tags\": [\"a\", "
	    "\"b\"]}], \"nested\": [[{\"k\": \"deep\"}], 3], "
	    "\"one\": {\"type\": \"Role\"}}}";

	(void)state;
	assert_int_equal(match(RULE("  sel:\n    details.targets.type: Group\n"),
	    ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.targets.type: Role\n"),
	    ev), 0);
	assert_int_equal(match(RULE("  sel:\n    details.targets.id|contains: "
	    "dmin\n"), ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.targets.id|startswith: "
	    "ali\n"), ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.targets.type|all:\n"
	    "      - User\n      - Group\n"), ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.targets.tags: b\n"),
	    ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.targets.type|exists: "
	    "true\n"), ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.targets.nope|exists: "
	    "true\n"), ev), 0);
	assert_int_equal(match(RULE("  sel:\n    details.nested.k: deep\n"),
	    ev), 1);
	assert_int_equal(match(RULE("  sel:\n    details.one.type: Role\n"),
	    ev), 1);
	/* both conditions on one field: any element for each */
	assert_int_equal(match("title: t\nid: t1\ndetection:\n  a:\n"
	    "    details.targets.type: User\n  b:\n    details.targets.id: "
	    "admins\n  condition: a and b\n", ev), 1);
	assert_int_equal(match("title: t\nid: t1\ndetection:\n  a:\n"
	    "    details.targets.type: Role\n  condition: not a\n", ev), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_keeps_every_key),
		cmocka_unit_test(map_is_and),
		cmocka_unit_test(list_is_or),
		cmocka_unit_test(list_of_maps_is_or_of_ands),
		cmocka_unit_test(keywords_search_summary),
		cmocka_unit_test(case_insensitive_unless_cased),
		cmocka_unit_test(wildcards),
		cmocka_unit_test(contains_startswith_endswith),
		cmocka_unit_test(all_modifier),
		cmocka_unit_test(regex_modifier),
		cmocka_unit_test(cidr_modifier),
		cmocka_unit_test(exists_modifier),
		cmocka_unit_test(numeric_comparisons),
		cmocka_unit_test(numbers_and_booleans),
		cmocka_unit_test(null_means_missing),
		cmocka_unit_test(base64_modifiers),
		cmocka_unit_test(windash_modifier),
		cmocka_unit_test(arrays_match_any_element),
		cmocka_unit_test(conditions),
		cmocka_unit_test(them_leaves_out_underscore),
		cmocka_unit_test(field_mapping),
		cmocka_unit_test(mapping_document),
		cmocka_unit_test(logsource_mapping),
		cmocka_unit_test(logsource_detection),
		cmocka_unit_test(computed_clockskew),
		cmocka_unit_test(index_agrees_with_evaluation),
		cmocka_unit_test(index_on_windows_shapes),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(broken_rule_does_not_stop_others),
		cmocka_unit_test(duplicate_ids_and_loops),
		cmocka_unit_test(specification_examples),
		cmocka_unit_test(fieldref_modifier),
		cmocka_unit_test(expand_modifier),
		cmocka_unit_test(utf16_modifiers),
		cmocka_unit_test(empty_field_name_is_keywords),
		cmocka_unit_test(custom_attributes_kept),
		cmocka_unit_test(fields_through_arrays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
