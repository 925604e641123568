/* Unit tests for hub/ingest/split. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "split.h"

/* The tables below leave trailing members out on purpose (zero: not
   checked). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define AUTO	SPLIT_AUTO
#define JSON	SPLIT_JSON
#define NDJSON	SPLIT_NDJSON
#define STREAM	SPLIT_STREAM
#define BULK	SPLIT_BULK

/*
 * One expected item: k is the value of the document's "k" member when it
 * was accepted (0 when refused), err a substring of the refusal.  line and
 * off are checked when line is not 0.
 */
struct want {
	int		 k;
	const char	*err;
	unsigned	 line;
	long		 off;
	const char	*action;
	const char	*index;
};

struct tcase {
	const char	*name;
	const char	*body;
	int		 fmt;
	int		 rc;
	const char	*err;		/* substring of err when rc == -1 */
	size_t		 n;
	struct want	 w[8];
};

static const struct split_limits lim = { 64, 100000 };

static void
run_cases(const struct tcase *t, size_t nt, const struct split_limits *l)
{
	struct split_result	 r;
	struct split_item	*it;
	char			 err[256];
	size_t			 i, j, bad;
	json_t			*k;

	for (i = 0; i < nt; i++) {
		split_result_init(&r);
		memset(err, 'x', sizeof(err));
		if (split_body(t[i].body, strlen(t[i].body), t[i].fmt, l, &r,
		    err, sizeof(err)) != t[i].rc)
			fail_msg("%s: rc %d, err \"%s\"", t[i].name, -t[i].rc - 1,
			    err);
		if (t[i].rc == -1) {
			if (strstr(err, t[i].err) == NULL)
				fail_msg("%s: err \"%s\", want \"%s\"",
				    t[i].name, err, t[i].err);
			if (r.n != 0 || r.items != NULL)
				fail_msg("%s: result not empty after -1",
				    t[i].name);
			continue;
		}
		if (r.n != t[i].n)
			fail_msg("%s: %zu items, want %zu", t[i].name, r.n,
			    t[i].n);
		for (j = bad = 0; j < r.n; j++) {
			it = &r.items[j];
			if (t[i].w[j].err != NULL) {
				bad++;
				if (it->doc != NULL || it->status != 400 ||
				    strstr(it->err, t[i].w[j].err) == NULL)
					fail_msg("%s: item %zu: \"%s\", want "
					    "\"%s\"", t[i].name, j, it->err,
					    t[i].w[j].err);
			} else {
				k = json_object_get(it->doc, "k");
				if (it->doc == NULL || it->status != 0 ||
				    it->err[0] != '\0' ||
				    json_integer_value(k) != t[i].w[j].k)
					fail_msg("%s: item %zu: k %lld, want "
					    "%d (%s)", t[i].name, j,
					    (long long)json_integer_value(k),
					    t[i].w[j].k, it->err);
			}
			if (t[i].w[j].line != 0 &&
			    (it->line != t[i].w[j].line ||
			    it->offset != (size_t)t[i].w[j].off))
				fail_msg("%s: item %zu at line %u byte %zu, "
				    "want %u %ld", t[i].name, j, it->line,
				    it->offset, t[i].w[j].line, t[i].w[j].off);
			if (strcmp(it->action, t[i].w[j].action ?
			    t[i].w[j].action : "") != 0 ||
			    strcmp(it->index, t[i].w[j].index ?
			    t[i].w[j].index : "") != 0)
				fail_msg("%s: item %zu action %s index %s",
				    t[i].name, j, it->action, it->index);
		}
		if (r.bad != bad)
			fail_msg("%s: bad %zu, want %zu", t[i].name, r.bad, bad);
		split_result_release(&r);
		assert_null(r.items);
	}
}

#define RUN(t)	run_cases(t, sizeof(t) / sizeof(t[0]), &lim)

static void
splits_json_objects_and_arrays(void **state)
{
	static const struct tcase t[] = {
		{ "one object", "{\"k\":1}", AUTO, 0, NULL, 1,
		  { { 1, NULL, 1, 0 } } },
		{ "one object, JSON", " {\"k\":1}\n", JSON, 0, NULL, 1,
		  { { 1, NULL, 1, 1 } } },
		{ "pretty object", "{\n  \"k\": 1,\n  \"a\": [1,\n 2]\n}\n",
		  AUTO, 0, NULL, 1, { { 1, NULL, 1, 0 } } },
		{ "array", "[{\"k\":1},{\"k\":2}]", AUTO, 0, NULL, 2,
		  { { 1, NULL, 1, 1 }, { 2, NULL, 1, 9 } } },
		{ "pretty array", "[\n  {\"k\":1},\n  {\"k\":2}\n]\n", JSON, 0,
		  NULL, 2, { { 1, NULL, 2, 4 }, { 2, NULL, 3, 15 } } },
		{ "empty array", " [ ] ", AUTO, 0, NULL, 0, { { 0 } } },
		{ "non-objects in array",
		  "[{\"k\":1}, 5, [1], \"s\", null, true, {\"k\":2}]", AUTO, 0,
		  NULL, 7, {
		    { 1, NULL, 1, 1 },
		    { 0, "byte 10: document is a JSON number, expected an "
		      "object", 1, 10 },
		    { 0, "JSON array", 1, 13 }, { 0, "JSON string", 1, 18 },
		    { 0, "JSON null", 1, 23 }, { 0, "JSON boolean", 1, 29 },
		    { 2, NULL, 1, 35 } } },
		{ "bad element skipped", "[{\"k\":1},{\"k\":},{\"k\":3}]", AUTO,
		  0, NULL, 3, { { 1, NULL, 1, 1 },
		    { 0, "line 1, byte 15: unexpected token near '}'", 1, 9 },
		    { 3, NULL, 1, 16 } } },
		{ "bad UTF-8 element skipped",
		  "[{\"k\":1},\n{\"k\":\"\xff\"},\n{\"k\":3}]", AUTO, 0, NULL,
		  3, { { 1, NULL, 1, 1 },
		    { 0, "line 2, byte 16: invalid UTF-8", 2, 10 },
		    { 3, NULL, 3, 21 } } },
		{ "NUL in a string", "[{\"k\":\"\\u0000\"}]", AUTO, 0, NULL, 1,
		  { { 0, "NUL character", 1, 1 } } },
		{ "element not a container", "[{\"k\":1}, tru, {\"k\":3}]",
		  AUTO, -1, "line 1, byte 13: invalid token near 'tru'" },
		{ "unclosed array", "[{\"k\":1}", AUTO, -1,
		  "byte 8: ',' or ']' expected" },
		{ "unclosed element", "[{\"k\":1},{\"k\":2", AUTO, -1,
		  "line 1, byte 15:" },
		{ "missing comma", "[{\"k\":1} {\"k\":2}]", AUTO, -1,
		  "byte 9: ',' or ']' expected" },
		{ "trailing comma", "[{\"k\":1},]", AUTO, -1, "byte 10" },
		{ "data after array", "[{\"k\":1}]\n{\"k\":2}", AUTO, -1,
		  "line 2, byte 10: data after the end of the array" },
		{ "JSON: garbage after object", "{\"k\":1} x", JSON, -1,
		  "line 1, byte 9: end of file expected near 'x'" },
		{ "JSON: two objects", "{\"k\":1}\n{\"k\":2}", JSON, -1,
		  "line 2, byte 9: end of file expected" },
		{ "JSON: broken object", "{\n\"k\":\n", JSON, -1,
		  "line 3, byte 7: unexpected token near end of file" },
		{ "JSON: not an object", "[1, {\"k\":1}]", JSON, 0, NULL, 2,
		  { { 0, "JSON number" }, { 1 } } },
	};

	RUN(t);
}

static void
splits_ndjson(void **state)
{
	static const struct tcase t[] = {
		{ "trailing newline", "{\"k\":1}\n{\"k\":2}\n", NDJSON, 0, NULL,
		  2, { { 1, NULL, 1, 0 }, { 2, NULL, 2, 8 } } },
		{ "no trailing newline", "{\"k\":1}\n{\"k\":2}", NDJSON, 0,
		  NULL, 2, { { 1, NULL, 1, 0 }, { 2, NULL, 2, 8 } } },
		{ "CRLF", "{\"k\":1}\r\n{\"k\":2}\r\n", NDJSON, 0, NULL, 2,
		  { { 1, NULL, 1, 0 }, { 2, NULL, 2, 9 } } },
		{ "blank lines", "\n\n{\"k\":1}\n  \t\n\r\n {\"k\":2}\n\n",
		  NDJSON, 0, NULL, 2, { { 1, NULL, 3, 2 },
		    { 2, NULL, 6, 17 } } },
		{ "bad line does not swallow the next",
		  "{\"k\":1}\n{\"k\":\n{\"k\":3}\n", NDJSON, 0, NULL, 3,
		  { { 1, NULL, 1, 0 },
		    { 0, "line 2, byte 13: unexpected token near end of file",
		      2, 8 }, { 3, NULL, 3, 14 } } },
		{ "error names the body line and byte",
		  "{\"k\":1}\n{\"k\":2}\n{\"k\" 3}\n", NDJSON, 0, NULL, 3,
		  { { 1 }, { 2 }, { 0, "line 3, byte 22: ':' expected near "
		    "'3'", 3, 16 } } },
		{ "two objects on a line", "{\"k\":1}{\"k\":2}\n{\"k\":3}",
		  NDJSON, 0, NULL, 2, { { 0, "end of file expected", 1, 0 },
		    { 3, NULL, 2, 15 } } },
		{ "array line", "{\"k\":1}\n[{\"k\":2}]\n", NDJSON, 0, NULL, 2,
		  { { 1 }, { 0, "line 2, byte 8: document is a JSON array", 2,
		    8 } } },
		{ "garbage line", "{\"k\":1}\nhello\n{\"k\":3}", NDJSON, 0,
		  NULL, 3, { { 1 }, { 0, "invalid token", 2, 8 },
		    { 3, NULL, 3, 14 } } },
		{ "invalid UTF-8 line", "{\"k\":\"\xc3\x28\"}\n{\"k\":2}",
		  NDJSON, 0, NULL, 2, { { 0, "invalid UTF-8", 1, 0 }, { 2 } } },
		{ "AUTO reads NDJSON as a stream",
		  "{\"k\":1}\n{\"k\":2}\n{\"k\":3}\n", AUTO, 0, NULL, 3,
		  { { 1, NULL, 1, 0 }, { 2, NULL, 2, 8 }, { 3, NULL, 3, 16 } } },
	};

	RUN(t);
}

static void
splits_streams(void **state)
{
	static const struct tcase t[] = {
		{ "back to back", "{\"k\":1}{\"k\":2}{\"k\":3}", STREAM, 0,
		  NULL, 3, { { 1, NULL, 1, 0 }, { 2, NULL, 1, 7 },
		    { 3, NULL, 1, 14 } } },
		{ "any whitespace", " {\"k\":1} {\"k\":2}\n\n\t{\"k\":3}\r\n",
		  STREAM, 0, NULL, 3, { { 1, NULL, 1, 1 }, { 2, NULL, 1, 9 },
		    { 3, NULL, 3, 19 } } },
		{ "pretty documents", "{\n \"k\": 1\n}\n{\n \"k\": 2\n}",
		  AUTO, 0, NULL, 2, { { 1, NULL, 1, 0 }, { 2, NULL, 4, 12 } } },
		{ "bad document, next line kept",
		  "{\"k\":1,}\n{\"k\":2}", STREAM, 0, NULL, 2,
		  { { 0, "line 1, byte 8: string or '}' expected", 1, 0 },
		    { 2, NULL, 2, 9 } } },
		{ "unterminated document, next lines kept",
		  "{\"k\":1\n{\"k\":2}\n{\"k\":3}", STREAM, 0, NULL, 3,
		  { { 0, "line 2, byte 8: '}' expected near '{'", 1, 0 },
		    { 2, NULL, 2, 7 }, { 3, NULL, 3, 15 } } },
		{ "bad pretty document skipped whole",
		  "{\n \"k\": 1,,\n}\n{\"k\":2}", STREAM, 0, NULL, 2,
		  { { 0, "line 2, byte 11: string or '}' expected", 1, 0 },
		    { 2, NULL, 4, 14 } } },
		{ "bad document at the end", "{\"k\":1}\n{\"k\":", STREAM, 0,
		  NULL, 2, { { 1 }, { 0, "end of file", 2, 8 } } },
		{ "garbage between documents", "{\"k\":1}\nnope\n{\"k\":3}",
		  STREAM, 0, NULL, 3, { { 1 }, { 0, "invalid token", 2, 8 },
		    { 3, NULL, 3, 13 } } },
		{ "non-objects in a stream", "{\"k\":1} 5 [2] \"x\" {\"k\":4}",
		  STREAM, 0, NULL, 5, { { 1 }, { 0, "JSON number", 1, 8 },
		    { 0, "JSON array", 1, 10 }, { 0, "JSON string", 1, 14 },
		    { 4, NULL, 1, 18 } } },
		{ "string across a newline",
		  "{\"k\":\"a\nb\"}\n{\"k\":2}", STREAM, 0, NULL, 2,
		  { { 0, "unexpected newline", 1, 0 }, { 2, NULL, 3, 12 } } },
		{ "byte order mark", "\xef\xbb\xbf{\"k\":1}\n{\"k\":2}", AUTO, 0,
		  NULL, 2, { { 1, NULL, 1, 3 }, { 2, NULL, 2, 11 } } },
	};

	RUN(t);
}

static void
splits_bulk(void **state)
{
	static const struct tcase t[] = {
		{ "index and create",
		  "{\"index\":{\"_index\":\"logs\"}}\n{\"k\":1}\n"
		  "{\"create\":{\"_index\":\"a\",\"_id\":\"x\"}}\n{\"k\":2}\n",
		  BULK, 0, NULL, 2, {
		    { 1, NULL, 2, 28, "index", "logs" },
		    { 2, NULL, 4, 72, "create", "a" } } },
		{ "no _index, CRLF, no last newline, blank lines",
		  "{\"index\":{}}\r\n\r\n{\"k\":1}\r\n{ \"index\" : { } }\r\n"
		  "{\"k\":2}", BULK, 0, NULL, 2, {
		    { 1, NULL, 3, 16, "index" },
		    { 2, NULL, 5, 44, "index" } } },
		{ "bad document in the middle keeps pairing",
		  "{\"index\":{}}\n{\"k\":1}\n{\"index\":{}}\n{\"k\":\n"
		  "{\"index\":{}}\n{\"k\":3}\n", BULK, 0, NULL, 3, {
		    { 1, NULL, 2, 13, "index" },
		    { 0, "line 4, byte 39: unexpected token", 4, 34, "index" },
		    { 3, NULL, 6, 53, "index" } } },
		{ "delete has no document, update has one",
		  "{\"delete\":{\"_index\":\"a\",\"_id\":\"1\"}}\n"
		  "{\"update\":{\"_id\":\"2\"}}\n{\"doc\":{\"k\":9}}\n"
		  "{\"index\":{}}\n{\"k\":3}\n", BULK, 0, NULL, 3, {
		    { 0, "line 1, byte 0: bulk action \"delete\" is not "
		      "supported", 1, 0, "delete", "a" },
		    { 0, "line 2, byte 36: bulk action \"update\" is not "
		      "supported", 3, 59, "update" },
		    { 3, NULL, 5, 88, "index" } } },
		{ "non-object document", "{\"index\":{}}\n[1]\n", BULK, 0, NULL,
		  1, { { 0, "document is a JSON array", 2, 13, "index" } } },
		{ "_index not a string",
		  "{\"index\":{\"_index\":5}}\n{\"k\":1}\n{\"index\":{}}\n"
		  "{\"k\":2}", BULK, 0, NULL, 2, {
		    { 0, "_index must be a string", 2, 23, "index" },
		    { 2, NULL, 4, 44, "index" } } },
		{ "action without document", "{\"index\":{}}\n{\"k\":1}\n"
		  "{\"index\":{}}\n", BULK, -1,
		  "line 3, byte 21: bulk action \"index\" has no document line" },
		{ "odd lines", "{\"index\":{}}\n{\"k\":1}\n{\"k\":2}\n", BULK,
		  -1, "line 3, byte 21: unknown bulk action \"k\"" },
		{ "broken action line", "{\"index\":{}\n{\"k\":1}\n", BULK, -1,
		  "line 1, byte 11: bad bulk action line: '}' expected" },
		{ "unknown action", "{\"upsert\":{}}\n{\"k\":1}\n", BULK, -1,
		  "unknown bulk action \"upsert\"" },
		{ "action not an object", "{\"index\":\"x\"}\n{\"k\":1}\n",
		  BULK, -1, "bulk action \"index\" must be an object" },
		{ "two actions on a line",
		  "{\"index\":{},\"create\":{}}\n{\"k\":1}\n", BULK, -1,
		  "with one key" },
	};

	RUN(t);
}

static void
refuses_unusable_bodies(void **state)
{
	static const int fmts[] = { AUTO, JSON, NDJSON, STREAM, BULK };
	static const struct {
		const char	*body;
		size_t		 len;
		const char	*err;
	} t[] = {
		{ "", 0, "empty body" },
		{ " \r\n\t\n", 5, "empty body" },
		{ "hello", 5, "line 1, byte 0: expected a JSON object or array, "
		  "found 'h'" },
		{ "\n\n 42", 5, "line 3, byte 3: expected a JSON object or "
		  "array, found '4'" },
		{ "\xff{}", 3, "found byte 0xff" },
		{ "\0{}", 3, "found byte 0x00" },
	};
	struct split_result	 r;
	char			 err[128];
	size_t			 i, j;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (j = 0; j < sizeof(fmts) / sizeof(fmts[0]); j++) {
			split_result_init(&r);
			assert_int_equal(split_body(t[i].body, t[i].len,
			    fmts[j], &lim, &r, err, sizeof(err)), -1);
			if (strstr(err, t[i].err) == NULL)
				fail_msg("body %zu fmt %zu: %s", i, j, err);
			assert_int_equal(r.n, 0);
		}
}

static void
limits_documents(void **state)
{
	static const struct tcase t[] = {
		{ "stream at the limit", "{\"k\":1}{\"k\":2}{\"k\":3}", STREAM,
		  0, NULL, 3, { { 1 }, { 2 }, { 3 } } },
		{ "stream over", "{\"k\":1}{\"k\":2}{\"k\":3}{\"k\":4}", STREAM,
		  -1, "line 1, byte 21: more than 3 documents" },
		{ "refused ones count", "{\"k\":1}\n5\n6\n7\n", NDJSON, -1,
		  "more than 3 documents" },
		{ "array over", "[{},{},{},{}]", AUTO, -1, "more than 3" },
		{ "bulk over", "{\"index\":{}}\n{}\n{\"index\":{}}\n{}\n"
		  "{\"index\":{}}\n{}\n{\"delete\":{}}\n", BULK, -1,
		  "more than 3" },
	};
	static const struct split_limits three = { 64, 3 };

	run_cases(t, sizeof(t) / sizeof(t[0]), &three);
}

static void
limits_depth(void **state)
{
	static const struct tcase t[] = {
		{ "depth 4", "{\"k\":4,\"a\":{\"b\":{\"c\":{}}}}", AUTO, 0,
		  NULL, 1, { { 4 } } },
		{ "depth 4 with arrays", "{\"k\":4,\"a\":[[{\"x\":1}]]}", AUTO,
		  0, NULL, 1, { { 4 } } },
		{ "depth 5", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", AUTO, 0,
		  NULL, 1, { { 0, "line 1, byte 0: document nests deeper "
		  "than 4 levels" } } },
		{ "depth 5 with arrays", "{\"a\":[[[[]]]]}\n{\"k\":2}", NDJSON,
		  0, NULL, 2, { { 0, "deeper than 4" }, { 2 } } },
		{ "array elements count from themselves",
		  "[{\"k\":4,\"a\":{\"b\":{\"c\":{}}}},{\"a\":[[[[1]]]]}]",
		  AUTO, 0, NULL, 2, { { 4 }, { 0, "deeper than 4" } } },
		{ "deep bulk document",
		  "{\"index\":{}}\n{\"a\":[[[[1]]]]}\n{\"index\":{}}\n{\"k\":2}",
		  BULK, 0, NULL, 2, { { 0, "deeper than 4", 2, 13, "index" },
		    { 2, NULL, 4, 42, "index" } } },
	};
	static const struct split_limits four = { 4, 100 };
	struct split_result	 r;
	struct buf		 b;
	char			 err[128];
	int			 i;

	run_cases(t, sizeof(t) / sizeof(t[0]), &four);

	/* past jansson's own limit (2048): refused, next one kept */
	buf_init(&b);
	for (i = 0; i < 3000; i++)
		buf_puts(&b, "{\"a\":");
	buf_puts(&b, "1");
	for (i = 0; i < 3000; i++)
		buf_puts(&b, "}");
	buf_puts(&b, "\n{\"k\":2}\n");
	split_result_init(&r);
	assert_int_equal(split_body(b.data, b.len, NDJSON, &lim, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_non_null(strstr(r.items[0].err, "deeper than 64"));
	assert_non_null(r.items[1].doc);
	split_result_release(&r);
	assert_int_equal(split_body(b.data, b.len, STREAM, &lim, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_non_null(strstr(r.items[0].err, "deeper than 64"));
	split_result_release(&r);
	buf_release(&b);
}

/* Lines that each open a document and never close it: every one is
   refused, and the work stays linear (this would take minutes if each
   line re-read the rest of the body). */
static void
survives_unclosed_documents(void **state)
{
	static const struct split_limits l = { 64, 1000000 };
	struct split_result	 r;
	struct buf		 b;
	char			 err[128];
	size_t			 i, n = 200000;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_puts(&b, "{\"a\":[1,\n");
	split_result_init(&r);
	assert_int_equal(split_body(b.data, b.len, STREAM, &l, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.n, n);
	assert_int_equal(r.bad, n);
	assert_int_equal(r.items[n - 1].line, n);
	split_result_release(&r);
	buf_release(&b);
}

static void
picks_format_from_content_type(void **state)
{
	static const struct {
		const char	*ct;
		int		 fmt;
	} t[] = {
		{ NULL, AUTO }, { "", AUTO }, { "application/json", AUTO },
		{ "application/json; charset=UTF-8", AUTO },
		{ "application/x-ndjson", NDJSON },
		{ "Application/X-NDJSON", NDJSON },
		{ "application/x-ndjson; charset=utf-8", NDJSON },
		{ " application/x-ndjson;charset=utf-8", NDJSON },
		{ "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
		  NDJSON },
		{ "application/vnd.elasticsearch+json; compatible-with=8",
		  AUTO },
		{ "application/ndjson", NDJSON },
		{ "text/plain", AUTO }, { "application/x-ndjsonx", AUTO },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if ((int)split_format_for(t[i].ct) != t[i].fmt)
			fail_msg("%s", t[i].ct ? t[i].ct : "NULL");
}

/* A realistic Fluent Bit json_stream body and a Vector array. */
static void
splits_shipper_bodies(void **state)
{
	static const char fluent[] =
	    "{\"date\":1795801353.123456,\"log\":\"GET / 200\",\"k\":1}"
	    "{\"date\":1795801354.5,\"log\":\"GET /x 404\",\"k\":2}";
	static const char vector[] =
	    "[{\"message\":\"a\",\"host\":\"web1\",\"timestamp\":"
	    "\"2026-11-27T17:42:33.123456789Z\",\"source_type\":\"file\","
	    "\"k\":1},\n{\"message\":\"b\",\"host\":\"web1\",\"timestamp\":"
	    "\"2026-11-27T17:42:34Z\",\"source_type\":\"file\",\"k\":2}]";
	struct split_result	 r;
	char			 err[128];

	split_result_init(&r);
	assert_int_equal(split_body(fluent, sizeof(fluent) - 1,
	    split_format_for("application/json"), &lim, &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.bad, 0);
	assert_string_equal(json_string_value(json_object_get(r.items[1].doc,
	    "log")), "GET /x 404");
	split_result_release(&r);
	assert_int_equal(split_body(vector, sizeof(vector) - 1,
	    split_format_for("application/json"), &lim, &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.bad, 0);
	assert_int_equal(r.items[1].line, 2);
	split_result_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits_json_objects_and_arrays),
		cmocka_unit_test(splits_ndjson),
		cmocka_unit_test(splits_streams),
		cmocka_unit_test(splits_bulk),
		cmocka_unit_test(refuses_unusable_bodies),
		cmocka_unit_test(limits_documents),
		cmocka_unit_test(limits_depth),
		cmocka_unit_test(survives_unclosed_documents),
		cmocka_unit_test(picks_format_from_content_type),
		cmocka_unit_test(splits_shipper_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
