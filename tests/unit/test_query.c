/* Unit tests for proto/query: every construct, every error, matching. */
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
#include "query.h"
#include "timeparse.h"

/* 2026-11-27T12:00:00Z */
#define NOW	1795780800000000LL

/* ---- a compact rendering of the AST ---------------------------------- */

static void
dump_num(struct buf *b, double v)
{
	buf_printf(b, "%.17g", v);
}

static void
dump(struct buf *b, const struct query_node *n)
{
	size_t	 k;

	switch (n->kind) {
	case QUERY_ALL:
		buf_puts(b, "*");
		return;
	case QUERY_AND:
	case QUERY_OR:
		buf_puts(b, "(");
		dump(b, n->a);
		buf_puts(b, n->kind == QUERY_AND ? " & " : " | ");
		dump(b, n->b);
		buf_puts(b, ")");
		return;
	case QUERY_NOT:
		buf_puts(b, "!");
		dump(b, n->a);
		return;
	case QUERY_TEXT:
		buf_puts(b, n->field.type == QUERY_F_SUMMARY ? "summary~<" :
		    "<");
		for (k = 0; k < n->ntokens; k++)
			buf_printf(b, "%s%s", k ? " " : "", n->tokens[k]);
		buf_puts(b, n->prefix_last ? "*>" : ">");
		return;
	case QUERY_EXISTS:
		buf_printf(b, "%s?", n->field.path);
		return;
	case QUERY_TERM:
		break;
	}
	buf_puts(b, n->field.path);
	switch (n->op) {
	case QUERY_EQ:
		if (n->sevmask)
			buf_printf(b, "=sev:%#x", n->sevmask);
		else
			buf_printf(b, "=%s%s", n->value, n->numeric ? "#" : "");
		break;
	case QUERY_GLOB:
		buf_printf(b, "~%s", n->value);
		break;
	case QUERY_CIDR:
		buf_printf(b, "@v%d/%d", n->family, n->prefix);
		break;
	case QUERY_RANGE:
		buf_puts(b, n->range & QUERY_LO_INCL ? "[" : "{");
		if (n->range & QUERY_LO)
			dump_num(b, n->lo);
		else
			buf_puts(b, "*");
		buf_puts(b, ",");
		if (n->range & QUERY_HI)
			dump_num(b, n->hi);
		else
			buf_puts(b, "*");
		buf_puts(b, n->range & QUERY_HI_INCL ? "]" : "}");
		break;
	}
}

static char *
render(const char *text)
{
	struct query_error e;
	struct query *q;
	struct buf b;
	size_t	 i;

	if (query_parse(text, NOW, &q, &e) == -1) {
		fprintf(stderr, "# parse '%s': %d %s\n", text, e.pos, e.msg);
		return NULL;
	}
	buf_init(&b);
	dump(&b, q->root);
	switch (q->agg) {
	case QUERY_AGG_COUNT:
		buf_puts(&b, " |count");
		break;
	case QUERY_AGG_COUNT_BY:
	case QUERY_AGG_TOP:
		if (q->agg == QUERY_AGG_TOP)
			buf_printf(&b, " |top %zu", q->top);
		else
			buf_puts(&b, " |count by");
		for (i = 0; i < q->nby; i++)
			buf_printf(&b, "%s%s", i ? "," : " ", q->by[i].path);
		break;
	case QUERY_AGG_HISTOGRAM:
		buf_printf(&b, " |histogram %lld", (long long)q->interval_us);
		break;
	default:
		break;
	}
	if (q->nfields) {
		buf_puts(&b, " |fields");
		for (i = 0; i < q->nfields; i++)
			buf_printf(&b, "%s%s", i ? "," : " ",
			    q->fields[i].path);
	}
	if (q->has_sort)
		buf_printf(&b, " |sort %s%s", q->sort_desc ? "-" : "",
		    q->sort.path);
	if (q->head)
		buf_printf(&b, " |head %zu", q->head);
	query_free(q);
	buf_puts(&b, "");
	return buf_steal(&b, NULL);
}

/* ---- constructs -------------------------------------------------------- */

static const struct {
	const char	*q;
	const char	*ast;
} parses[] = {
	{ "", "*" },
	{ "   ", "*" },
	{ "*", "*" },
	{ "foo", "<foo>" },
	{ "Foo", "<foo>" },
	{ "\"Failed password\"", "<failed password>" },
	{ "10.0.0.1", "<10 0 0 1>" },
	{ "web*", "<web*>" },
	{ "foo.*", "<foo>" },
	{ "hostname:web01", "hostname=web01" },
	{ "hostname:\"web 01\"", "hostname=web 01" },
	{ "hostname:web*", "hostname~web*" },
	{ "hostname:w?b", "hostname~w?b" },
	{ "hostname:web\\*", "hostname=web*" },
	{ "details.a.b:v", "details.a.b=v" },
	{ "details.port:22", "details.port=22#" },
	{ "details.x:-5", "details.x=-5#" },
	{ "details.ip:10.0.0.0/8", "details.ip@v4/8" },
	{ "details.ip:2001:db8::/32", "details.ip@v6/32" },
	{ "details.path:/var/log", "details.path=/var/log" },
	{ "details.ip:2001:db8::1", "details.ip=2001:db8::1" },
	{ "details.port:[1000 TO 2000]", "details.port[1000,2000]" },
	{ "details.port:{1000 TO 2000}", "details.port{1000,2000}" },
	{ "details.port:[1000 TO 2000}", "details.port[1000,2000}" },
	{ "details.port:[1000 TO *]", "details.port[1000,*]" },
	{ "details.bytes:>1000000", "details.bytes{1000000,*}" },
	{ "details.bytes:>=1e6", "details.bytes[1000000,*}" },
	{ "details.bytes:<5", "details.bytes{*,5}" },
	{ "details.bytes:<=5.5", "details.bytes{*,5.5]" },
	{ "severity:WARNING", "severity=sev:0x8" },
	{ "severity:warn", "severity=sev:0x8" },
	{ "severity:E*", "severity=sev:0x90" },
	/* the wildcard ends where the word does, not at the query's end */
	{ "(severity:E*)", "severity=sev:0x90" },
	{ "severity:E* OR severity:DEBUG", "(severity=sev:0x90 | severity=sev:0x1)" },
	{ "severity:>=WARNING", "severity[3,*}" },
	{ "severity:[NOTICE TO ERROR]", "severity[2,4]" },
	{ "utctimestamp:>2026-11-27T00:00:00Z",
	  "utctimestamp{1795737600000000,*}" },
	{ "utctimestamp:2026-11-27",
	  "utctimestamp[1795737600000000,1795824000000000}" },
	{ "utctimestamp:>now-15m", "utctimestamp{1795779900000000,*}" },
	{ "receivedtimestamp:[now-1h TO now]",
	  "receivedtimestamp[1795777200000000,1795780800000000]" },
	{ "_exists_:details.username", "details.username?" },
	{ "details.username:*", "details.username?" },
	{ "summary:failed", "summary~<failed>" },
	{ "summary:\"failed password\"", "summary~<failed password>" },
	{ "summary:fail*", "summary~<fail*>" },
	{ "a b", "(<a> & <b>)" },
	{ "a AND b", "(<a> & <b>)" },
	{ "a && b", "(<a> & <b>)" },
	{ "a OR b", "(<a> | <b>)" },
	{ "a || b", "(<a> | <b>)" },
	{ "a OR b c", "(<a> | (<b> & <c>))" },
	{ "a b OR c", "((<a> & <b>) | <c>)" },
	{ "NOT a b", "(!<a> & <b>)" },
	{ "NOT a OR b", "(!<a> | <b>)" },
	{ "!a", "!<a>" },
	{ "! a", "!<a>" },
	{ "-a", "!<a>" },
	{ "+a -b", "(<a> & !<b>)" },
	{ "-hostname:web*", "!hostname~web*" },
	{ "(a OR b) c", "((<a> | <b>) & <c>)" },
	{ "a AND (b OR (c AND NOT d))", "(<a> & (<b> | (<c> & !<d>)))" },
	{ "-(a b)", "!(<a> & <b>)" },
	{ "NOT NOT a", "!!<a>" },
	{ "and or", "(<and> & <or>)" },
	{ "ANDROID", "<android>" },
	{ "| count", "* |count" },
	{ "a | count", "<a> |count" },
	{ "a|count", "<a> |count" },
	{ "* | count by hostname", "* |count by hostname" },
	{ "* | count by hostname, details.user",
	  "* |count by hostname,details.user" },
	{ "* | count by hostname ,details.user",
	  "* |count by hostname,details.user" },
	{ "* | top 10 details.sourceipaddress",
	  "* |top 10 details.sourceipaddress" },
	{ "* | histogram 5m", "* |histogram 300000000" },
	{ "* | histogram 1h | head 3", "* |histogram 3600000000 |head 3" },
	{ "* | fields hostname,summary", "* |fields hostname,summary" },
	{ "* | sort -details.bytes | head 5",
	  "* |sort -details.bytes |head 5" },
	{ "* | sort hostname", "* |sort hostname" },
	{ "a OR b | head 2", "(<a> | <b>) |head 2" },
};

static void
parses_every_construct(void **state)
{
	size_t	 i;
	char	*got;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		got = render(parses[i].q);
		if (got == NULL || strcmp(got, parses[i].ast) != 0)
			fail_msg("query '%s': got '%s', want '%s'",
			    parses[i].q, got ? got : "(error)", parses[i].ast);
		free(got);
	}
}

/* ---- errors ----------------------------------------------------------- */

static const struct {
	const char	*q;
	int		 pos;
	const char	*msg;		/* a part of the message */
} errors[] = {
	{ "hostname:", 9, "expected a value after ':'" },
	{ "hostname: web", 9, "expected a value after ':'" },
	{ "(hostname:)", 10, "expected a value after ':'" },
	{ "a)", 1, "unbalanced ')'" },
	{ ")", 0, "unbalanced ')'" },
	{ "(a", 0, "unbalanced '('" },
	{ "()", 1, "expected a term before ')'" },
	{ "a | cnt", 4, "unknown pipeline stage 'cnt' (expected count, top, "
	  "histogram, fields, sort, head)" },
	{ "a |", 3, "expected a pipeline stage" },
	{ "a | count | count", 12, "only one of count" },
	{ "a | count | sort x", 12, "cannot follow an aggregation" },
	{ "a | sort x | count", 13, "cannot follow fields or sort" },
	{ "a | head 5 | head 6", 13, "given twice" },
	{ "a | head x", 9, "expected a number after 'head'" },
	{ "a | head 0", 9, "'head' takes 1 to" },
	{ "a | head 1000001", 9, "'head' takes 1 to" },
	{ "a | top hostname", 8, "expected a number after 'top'" },
	{ "a | histogram 5x", 14, "bad interval '5x'" },
	{ "a | histogram", 13, "expected an interval" },
	{ "a | histogram 10ms", 14, "bad interval" },
	{ "a | count by", 12, "expected a field name" },
	{ "a | count by a,", 15, "expected a field name" },
	{ "a | count x", 10, "unexpected 'x'" },
	{ "a | fields a;b", 11, "bad field name" },
	{ "details.bytes:>abc", 15, "expected a number after '>', not 'abc'" },
	{ "details.bytes:>", 15, "expected a value after '>'" },
	{ "details.bytes:[1 TO x]", 20, "expected a number in range" },
	{ "details.bytes:[1 x]", 17, "expected 'TO'" },
	{ "details.bytes:[1 TO 2", 21, "expected ']' or '}'" },
	{ "details.bytes:>*", 15, "'*' cannot follow" },
	{ "hostname:>a", 10, "field 'hostname' cannot be compared" },
	{ "summary:[a TO b]", 9, "field 'summary' cannot be compared" },
	{ "severity:>=LOUD", 11, "unknown severity 'LOUD'" },
	{ "severity:LOUD", 9, "unknown severity" },
	{ "severity:X*", 9, "no severity matches" },
	{ "utctimestamp:>yesterday", 14, "expected a time after '>'" },
	{ "utctimestamp:2026*", 13, "wildcards do not apply" },
	{ "utctimestamp:>now-5q", 14, "expected a time" },
	{ "details.ip:10.0.0.0/33", 11, "bad CIDR '10.0.0.0/33'" },
	{ "details.ip:10.0.0.300/8", 11, "bad CIDR" },
	{ "details.ip:2001:db8::/129", 11, "prefix length out of range" },
	{ "details.ip:2001:db8:::1/32", 11, "bad CIDR" },
	{ "\"unterminated", 0, "unterminated phrase" },
	{ "hostname:\"x", 9, "unterminated phrase" },
	{ "\"\"", 0, "nothing to search for" },
	{ "...", 0, "nothing to search for" },
	{ "*foo", 0, "only at the end" },
	{ "fo?o", 2, "only at the end" },
	{ "a AND", 5, "expected a term after AND" },
	{ "a OR", 4, "expected a term after OR" },
	{ "a OR )", 5, "expected a term after OR" },
	{ "OR a", 0, "expected a term before 'OR'" },
	{ "AND a", 0, "expected a term before 'AND'" },
	{ "NOT", 3, "expected a term after NOT" },
	{ "bad$field:x", 0, "bad field name" },
	{ "a..b:x", 0, "bad field name" },
	{ ":x", 0, "expected a field name" },
	{ "_exists_:", 9, "expected a field name" },
	{ "_exists_:a$b", 9, "bad field name" },
	{ "hostname:(a OR b)", 9, "not supported" },
};

static void
reports_every_error(void **state)
{
	struct query_error e;
	struct query *q;
	size_t	 i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		q = (void *)1;
		if (query_parse(errors[i].q, NOW, &q, &e) == 0) {
			query_free(q);
			fail_msg("query '%s' parsed", errors[i].q);
		}
		assert_null(q);
		if (strstr(e.msg, errors[i].msg) == NULL ||
		    e.pos != errors[i].pos)
			fail_msg("query '%s': got %d '%s', want %d '%s'",
			    errors[i].q, e.pos, e.msg, errors[i].pos,
			    errors[i].msg);
	}
}

static void
error_says_what_was_expected(void **state)
{
	struct query_error e;
	struct query *q;

	assert_int_equal(query_parse("hostname:", NOW, &q, &e), -1);
	assert_non_null(strstr(e.expected, "\"phrase\""));
	assert_int_equal(query_parse("a | x", NOW, &q, &e), -1);
	assert_string_equal(e.expected,
	    "count, top, histogram, fields, sort, head");
	assert_int_equal(query_parse("(a", NOW, &q, &e), -1);
	assert_string_equal(e.expected, "')'");
	/* A NULL error pointer is allowed. */
	assert_int_equal(query_parse("(a", NOW, &q, NULL), -1);
}

static void
enforces_limits(void **state)
{
	struct query_error e;
	struct query *q;
	struct buf b;
	int	 i;

	buf_init(&b);
	for (i = 0; i < QUERY_MAX_LEN + 1; i++)
		buf_puts(&b, "a");
	assert_int_equal(query_parse(b.data, NOW, &q, &e), -1);
	assert_non_null(strstr(e.msg, "too long"));

	buf_reset(&b);
	for (i = 0; i < QUERY_MAX_DEPTH + 1; i++)
		buf_puts(&b, "(");
	buf_puts(&b, "a");
	for (i = 0; i < QUERY_MAX_DEPTH + 1; i++)
		buf_puts(&b, ")");
	assert_int_equal(query_parse(b.data, NOW, &q, &e), -1);
	assert_non_null(strstr(e.msg, "nested too deeply"));

	buf_reset(&b);
	for (i = 0; i < QUERY_MAX_DEPTH - 1; i++)
		buf_puts(&b, "(");
	buf_puts(&b, "a");
	for (i = 0; i < QUERY_MAX_DEPTH - 1; i++)
		buf_puts(&b, ")");
	assert_int_equal(query_parse(b.data, NOW, &q, &e), 0);
	query_free(q);

	buf_reset(&b);
	for (i = 0; i < QUERY_MAX_DEPTH + 1; i++)
		buf_puts(&b, "NOT ");
	buf_puts(&b, "a");
	assert_int_equal(query_parse(b.data, NOW, &q, &e), -1);
	assert_non_null(strstr(e.msg, "nested too deeply"));

	buf_reset(&b);
	for (i = 0; i < QUERY_MAX_TERMS + 1; i++)
		buf_printf(&b, "w%d ", i);
	assert_int_equal(query_parse(b.data, NOW, &q, &e), -1);
	assert_non_null(strstr(e.msg, "too many terms"));

	buf_reset(&b);
	for (i = 0; i < QUERY_MAX_TOKENS + 1; i++)
		buf_printf(&b, "w%d.", i);
	assert_int_equal(query_parse(b.data, NOW, &q, &e), -1);
	assert_non_null(strstr(e.msg, "too many words"));
	buf_release(&b);
}

/* ---- matching --------------------------------------------------------- */

static const char event[] =
    "{\"utctimestamp\":\"2026-11-27T11:42:33.000000+00:00\","
    "\"receivedtimestamp\":\"2026-11-27T11:42:34.000000+00:00\","
    "\"category\":\"authentication\",\"severity\":\"WARNING\","
    "\"summary\":\"Failed password for root from 203.0.113.7 port 22\","
    "\"hostname\":\"web01.example.com\",\"processname\":\"sshd\","
    "\"processid\":4242,\"source\":\"syslog\",\"tags\":[\"ssh\",\"Brute\"],"
    "\"details\":{\"sourceipaddress\":\"203.0.113.7\",\"sourceport\":51234,"
    "\"bytes\":1500000,\"username\":\"root\",\"success\":false,"
    "\"ipv6\":\"2001:db8::1\",\"ratio\":0.5,\"count\":\"17\","
    "\"mapped\":\"::ffff:10.1.2.3\",\"nothing\":null,"
    "\"nested\":{\"deep\":\"Deep Value\"},\"Élan\":\"Élan vital\"}}";

static const struct {
	const char	*q;
	int		 want;
} matches[] = {
	{ "", 1 },
	{ "*", 1 },
	{ "failed", 1 },
	{ "FAILED", 1 },
	{ "fail", 0 },
	{ "fail*", 1 },
	{ "\"failed password\"", 1 },
	{ "\"password failed\"", 0 },
	{ "\"root from\"", 1 },
	{ "203.0.113.7", 1 },
	{ "203.0.113.8", 0 },
	{ "sshd", 1 },
	{ "brute", 1 },
	{ "deep", 1 },
	{ "\"deep value\"", 1 },
	{ "\"value deep\"", 0 },
	{ "4242", 1 },
	{ "51234", 1 },
	{ "warning", 0 },		/* severity is not full text */
	{ "2026", 0 },			/* nor are the timestamps */
	{ "authentication", 1 },
	{ "hostname:web01.example.com", 1 },
	{ "hostname:WEB01.example.COM", 1 },
	{ "hostname:web01", 0 },
	{ "hostname:web*", 1 },
	{ "hostname:WEB*", 1 },
	{ "hostname:*.com", 1 },
	{ "hostname:w?b01.example.com", 1 },
	{ "hostname:w?01*", 0 },
	{ "category:authentication", 1 },
	{ "processname:sshd", 1 },
	{ "source:syslog", 1 },
	{ "processid:4242", 1 },
	{ "processid:>4000", 1 },
	{ "details.username:root", 1 },
	{ "details.username:ROOT", 1 },
	{ "details.username:\"root\"", 1 },
	{ "details.username:admin", 0 },
	{ "details.nested.deep:\"deep value\"", 1 },
	{ "details.nested.deep:deep*", 1 },
	{ "details.nested:x", 0 },
	{ "details.sourceipaddress:203.0.113.7", 1 },
	{ "details.sourceipaddress:203.0.113.0/24", 1 },
	{ "details.sourceipaddress:203.0.112.0/24", 0 },
	{ "details.sourceipaddress:0.0.0.0/0", 1 },
	{ "details.sourceipaddress:10.0.0.0/8", 0 },
	{ "details.ipv6:2001:db8::/32", 1 },
	{ "details.ipv6:2001:db9::/32", 0 },
	{ "details.ipv6:10.0.0.0/8", 0 },
	{ "details.mapped:10.0.0.0/8", 1 },
	{ "details.sourceipaddress:2001:db8::/32", 0 },
	{ "details.sourceport:[50000 TO 60000]", 1 },
	{ "details.sourceport:[51234 TO 51234]", 1 },
	{ "details.sourceport:{51234 TO 60000]", 0 },
	{ "details.sourceport:[1 TO 51234}", 0 },
	{ "details.sourceport:51234", 1 },
	{ "details.sourceport:5123*", 1 },
	{ "details.bytes:>1000000", 1 },
	{ "details.bytes:>1500000", 0 },
	{ "details.bytes:>=1500000", 1 },
	{ "details.bytes:<1500000", 0 },
	{ "details.bytes:<=1.5e6", 1 },
	{ "details.ratio:0.5", 1 },
	{ "details.ratio:<1", 1 },
	{ "details.count:17", 1 },	/* a number sent as a string */
	{ "details.count:>16", 1 },
	{ "details.username:>1", 0 },
	{ "details.success:false", 1 },
	{ "details.success:FALSE", 1 },
	{ "details.success:true", 0 },
	{ "tags:ssh", 1 },
	{ "tags:brute", 1 },
	{ "tags:br*", 1 },
	{ "tags:nope", 0 },
	{ "severity:WARNING", 1 },
	{ "severity:warning", 1 },
	{ "severity:ERROR", 0 },
	{ "severity:W*", 1 },
	{ "severity:>=WARNING", 1 },
	{ "severity:>WARNING", 0 },
	{ "severity:[NOTICE TO ERROR]", 1 },
	{ "severity:<NOTICE", 0 },
	{ "utctimestamp:>2026-11-27T11:00:00Z", 1 },
	{ "utctimestamp:>now-15m", 0 },
	{ "utctimestamp:>now-1h", 1 },
	{ "utctimestamp:2026-11-27", 1 },
	{ "utctimestamp:2026-11-26", 0 },
	{ "utctimestamp:[2026-11-27T11:42:33Z TO 2026-11-27T11:42:33Z]", 1 },
	{ "utctimestamp:\"2026-11-27T11:42:33Z\"", 1 },
	{ "receivedtimestamp:<2026-11-27T11:42:34Z", 0 },
	{ "receivedtimestamp:<=2026-11-27T11:42:34Z", 1 },
	{ "_exists_:details.username", 1 },
	{ "_exists_:details.nothing", 0 },
	{ "_exists_:details.missing", 0 },
	{ "_exists_:hostname", 1 },
	{ "_exists_:severity", 1 },
	{ "details.missing:*", 0 },
	{ "details.nested:*", 1 },
	{ "summary:failed", 1 },
	{ "summary:sshd", 0 },
	{ "summary:\"failed password\"", 1 },
	{ "summary:pass*", 1 },
	{ "failed AND sshd", 1 },
	{ "failed sshd", 1 },
	{ "failed AND nope", 0 },
	{ "failed OR nope", 1 },
	{ "nope OR nada", 0 },
	{ "NOT failed", 0 },
	{ "NOT nope", 1 },
	{ "-nope", 1 },
	{ "-failed", 0 },
	{ "+failed -nope", 1 },
	{ "nope OR failed nope", 0 },
	{ "(nope OR failed) sshd", 1 },
	{ "!details.username:root", 0 },
	{ "NOT details.missing:x", 1 },
	{ "-hostname:db*", 1 },
	{ "élan", 1 },
	{ "ÉLAN", 1 },
	{ "failed | count", 1 },
};

static void
matches_in_memory(void **state)
{
	struct query_error e;
	struct query *q;
	json_t	*ev;
	size_t	 i;

	ev = json_loads(event, 0, NULL);
	assert_non_null(ev);
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		if (query_parse(matches[i].q, NOW, &q, &e) == -1)
			fail_msg("query '%s': %s", matches[i].q, e.msg);
		if (query_match(q, ev) != matches[i].want)
			fail_msg("query '%s': want %d", matches[i].q,
			    matches[i].want);
		query_free(q);
	}
	json_decref(ev);
}

static int
collect(void *arg, const char *w, size_t len)
{
	struct buf *b = arg;

	buf_append(b, w, len);
	buf_puts(b, "|");
	return 0;
}

static void
splits_words_like_fts(void **state)
{
	struct buf b;
	const char *s = "Failed  password: for ROOT@203.0.113.7 x_y "
	    "Éclair—naïve";

	buf_init(&b);
	assert_int_equal(query_words(s, strlen(s), collect, &b), 0);
	assert_string_equal(b.data, "failed|password|for|root|203|0|113|7|"
	    "x|y|éclair|naïve|");
	buf_release(&b);
}

static void
fts_text_holds_the_searchable_fields(void **state)
{
	struct buf b;
	json_t	*ev;

	ev = json_loads(event, 0, NULL);
	buf_init(&b);
	assert_int_equal(query_fts_text(ev, &b), 0);
	assert_non_null(strstr(b.data, "web01.example.com"));
	assert_non_null(strstr(b.data, "4242"));
	assert_non_null(strstr(b.data, "Brute"));
	assert_non_null(strstr(b.data, "Deep Value"));
	assert_null(strstr(b.data, "Failed password"));	/* summary */
	assert_null(strstr(b.data, "WARNING"));
	assert_null(strstr(b.data, "2026-11-27"));
	buf_release(&b);
	json_decref(ev);
}

static void
field_names_are_checked(void **state)
{
	assert_true(query_field_valid("details.a-b_c.9"));
	assert_false(query_field_valid(""));
	assert_false(query_field_valid(".a"));
	assert_false(query_field_valid("a."));
	assert_false(query_field_valid("a..b"));
	assert_false(query_field_valid("a'b"));
	assert_false(query_field_valid("a b"));
	assert_false(query_field_valid("$.a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_construct),
		cmocka_unit_test(reports_every_error),
		cmocka_unit_test(error_says_what_was_expected),
		cmocka_unit_test(enforces_limits),
		cmocka_unit_test(matches_in_memory),
		cmocka_unit_test(splits_words_like_fts),
		cmocka_unit_test(fts_text_holds_the_searchable_fields),
		cmocka_unit_test(field_names_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
