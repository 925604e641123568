/* Unit tests for proto/jsonfast: what it accepts, what it refuses and
   where, and that it writes what jansson writes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonfast.h"

#define OK	JSONFAST_OK
#define SYNTAX	JSONFAST_SYNTAX
#define EOI	JSONFAST_EOF
#define UTF8	JSONFAST_UTF8
#define NUL	JSONFAST_NUL
#define RANGE	JSONFAST_RANGE
#define DEPTH	JSONFAST_DEPTH
#define TRAIL	JSONFAST_TRAILING

/*
 * One parse: in[0..len) (len 0: strlen), stopping after the value unless
 * whole.  Accepted: out is the compact dump and pos the bytes used.
 * Refused: code, the error's byte offset pos, and out a substring of the
 * message.
 */
struct pcase {
	const char	*in;
	size_t		 len;
	int		 whole;
	int		 code;
	size_t		 pos;
	const char	*out;
};

/* jsonfast_check() says of case t what jsonfast_parse() said (j, pe,
   used): the same verdict, type, bytes used and error. */
static void
check_agrees(const struct pcase *t, size_t len, size_t max_depth,
    const json_t *j, const struct jsonfast_error *pe, size_t used)
{
	struct jsonfast_error e;
	size_t	 cused = (size_t)-1;
	int	 type;

	type = jsonfast_check(t->in, len, t->whole ? NULL : &cused,
	    max_depth, &e);
	if (j != NULL && (type != (int)json_typeof(j) || cused != used))
		fail_msg("%s: check says type %d used %zu; parse %d used %zu",
		    t->in, type, cused, (int)json_typeof(j), used);
	if (j == NULL && (type != -1 || e.code != pe->code ||
	    e.pos != pe->pos || strcmp(e.text, pe->text) != 0))
		fail_msg("%s: check says %d, code %d pos %zu \"%s\"; parse "
		    "code %d pos %zu \"%s\"", t->in, type, (int)e.code, e.pos,
		    e.text, (int)pe->code, pe->pos, pe->text);
}

static void
run_cases(const struct pcase *t, size_t n, size_t max_depth)
{
	struct jsonfast_error e;
	struct buf	 b;
	json_t		*j;
	size_t		 i, len, used;

	for (i = 0; i < n; i++) {
		len = t[i].len ? t[i].len : strlen(t[i].in);
		used = (size_t)-1;
		j = jsonfast_parse(t[i].in, len, t[i].whole ? NULL : &used,
		    max_depth, &e);
		check_agrees(&t[i], len, max_depth, j, &e, used);
		if (t[i].code != OK) {
			if (j != NULL || (int)e.code != t[i].code ||
			    e.pos != t[i].pos || strstr(e.text, t[i].out) == NULL)
				fail_msg("case %zu %s: %s, code %d pos %zu \"%s\"; "
				    "want code %d pos %zu \"%s\"", i, t[i].in,
				    j ? "accepted" : "refused", (int)e.code,
				    e.pos, e.text, t[i].code, t[i].pos,
				    t[i].out);
			json_decref(j);
			continue;
		}
		if (j == NULL)
			fail_msg("case %zu %s: refused: %s (pos %zu)", i,
			    t[i].in, e.text, e.pos);
		buf_init(&b);
		assert_int_equal(jsonfast_dump(&b, j), 0);
		if (strcmp(b.data, t[i].out) != 0 ||
		    (!t[i].whole && used != t[i].pos))
			fail_msg("case %zu %s: \"%s\" used %zu; want \"%s\" "
			    "used %zu", i, t[i].in, b.data, used, t[i].out,
			    t[i].pos);
		buf_release(&b);
		json_decref(j);
	}
}

#define RUN(t, d)	run_cases(t, sizeof(t) / sizeof(t[0]), d)

static void
parses_every_construct(void **state)
{
	static const struct pcase t[] = {
		{ "{}", 0, 0, OK, 2, "{}" },
		{ " [ ] ", 0, 0, OK, 4, "[]" },
		{ "\t\r\n{ \"a\" : 1 , \"b\" : [ true , false , null ] }", 0, 0,
		  OK, 46, "{\"a\":1,\"b\":[true,false,null]}" },
		{ "{\"a\":{\"b\":{\"c\":[[],{}]}}}", 0, 0, OK, 25,
		  "{\"a\":{\"b\":{\"c\":[[],{}]}}}" },
		{ "\"\"", 0, 0, OK, 2, "\"\"" },
		{ "\"plain\"", 0, 0, OK, 7, "\"plain\"" },
		{ "true", 0, 0, OK, 4, "true" },
		{ "false", 0, 0, OK, 5, "false" },
		{ "null", 0, 0, OK, 4, "null" },
		/* the last of a duplicate key wins, in the first one's place */
		{ "{\"a\":1,\"b\":2,\"a\":{\"x\":3}}", 0, 0, OK, 25,
		  "{\"a\":{\"x\":3},\"b\":2}" },
		{ "{\"\":0}", 0, 0, OK, 6, "{\"\":0}" },
		{ "[\"\\u00e9\",{\"k\\n\":\"\\\"\"}]", 0, 0, OK, 23,
		  "[\"\xc3\xa9\",{\"k\\n\":\"\\\"\"}]" },
		/* one value, then stop */
		{ "1 2", 0, 0, OK, 1, "1" },
		{ "{\"a\":1}{\"b\":2}", 0, 0, OK, 7, "{\"a\":1}" },
		{ "true false", 0, 0, OK, 4, "true" },
		{ "  12x", 0, 0, OK, 4, "12" },
		{ "[1]]", 0, 0, OK, 3, "[1]" },
		{ "\"a\"\"b\"", 0, 0, OK, 3, "\"a\"" },
		{ "1\xff", 0, 0, OK, 1, "1" },
		/* the whole input */
		{ " {} \n", 0, 1, OK, 0, "{}" },
		{ "{} x", 0, 1, TRAIL, 4, "end of file expected near 'x'" },
		{ "{}{}", 0, 1, TRAIL, 3, "end of file expected near '{'" },
		{ "1 \"\\ud800\"", 0, 1, SYNTAX, 10, "invalid Unicode" },
		{ "1\xff", 0, 1, UTF8, 1, "unable to decode byte 0xff near '1'" },
	};

	RUN(t, 64);
}

static void
parses_strings(void **state)
{
	static const struct pcase t[] = {
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, 0, OK, 18,
		  "\"\\\"\\\\/\\b\\f\\n\\r\\t\"" },
		{ "\"\\u0041\\u00e9\\u20AC\"", 0, 0, OK, 20,
		  "\"A\xc3\xa9\xe2\x82\xac\"" },
		{ "\"\\ud83d\\ude00\"", 0, 0, OK, 14, "\"\xf0\x9f\x98\x80\"" },
		{ "\"\\uDBFF\\uDFFF\"", 0, 0, OK, 14, "\"\xf4\x8f\xbf\xbf\"" },
		{ "\"\\u001f\\u007f\\u0001\"", 0, 0, OK, 20,
		  "\"\\u001F\x7f\\u0001\"" },
		{ "\"a\\/b\"", 0, 0, OK, 6, "\"a/b\"" },
		/* UTF-8 at the edges of each length */
		{ "\"\xc2\x80\xdf\xbf\"", 0, 0, OK, 6, "\"\xc2\x80\xdf\xbf\"" },
		{ "\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\"", 0, 0,
		  OK, 14,
		  "\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\"" },
		{ "\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"", 0, 0, OK, 10,
		  "\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"" },
		/* long, so the eight-byte scan runs, with a stop in each lane */
		{ "\"0123456789abcdef0123456789abcdef\"", 0, 0, OK, 34,
		  "\"0123456789abcdef0123456789abcdef\"" },
		{ "\"01234567\\n9abcdef01234\xc3\xa9\x37\x38\x39\"", 0, 0, OK,
		  29, "\"01234567\\n9abcdef01234\xc3\xa9\x37\x38\x39\"" },
	};

	RUN(t, 64);
}

static void
refuses_bad_strings(void **state)
{
	static const struct pcase t[] = {
		{ "\"abc", 0, 0, EOI, 4, "premature end of input near '\"abc'" },
		{ "\"", 0, 0, EOI, 1, "premature end of input" },
		{ "\"a\nb\"", 0, 0, SYNTAX, 2, "unexpected newline near '\"a'" },
		{ "\"a\tb\"", 0, 0, SYNTAX, 2, "control character 0x9" },
		{ "\"a\0b\"", 5, 0, SYNTAX, 2, "control character 0x0" },
		{ "\"\\x\"", 0, 0, SYNTAX, 3, "invalid escape near '\"\\x'" },
		{ "\"\\u12g4\"", 0, 0, SYNTAX, 6, "invalid escape" },
		{ "\"\\u12", 0, 0, SYNTAX, 5, "invalid escape" },
		{ "\"\\", 0, 0, SYNTAX, 2, "invalid escape" },
		{ "\"\\\xff\"", 0, 0, UTF8, 2, "unable to decode byte 0xff" },
		{ "\"\\u0000\"", 0, 0, NUL, 8, "\\u0000" },
		{ "{\"a\\u0000\":1}", 0, 0, NUL, 10, "\\u0000" },
		{ "\"\\ud800\"", 0, 0, SYNTAX, 8, "invalid Unicode '\\uD800'" },
		{ "\"\\udc00\"", 0, 0, SYNTAX, 8, "invalid Unicode '\\uDC00'" },
		{ "\"\\ud800\\u0041\"", 0, 0, SYNTAX, 14,
		  "invalid Unicode '\\uD800\\u0041'" },
		{ "\"\\ud800x\"", 0, 0, SYNTAX, 9, "invalid Unicode '\\uD800'" },
		{ "\"\\udbff\\udbff\"", 0, 0, SYNTAX, 14, "invalid Unicode" },
		/* invalid UTF-8: the offset of the sequence's first byte */
		{ "\"\xff\"", 0, 0, UTF8, 1, "unable to decode byte 0xff" },
		{ "\"ab\x80\"", 0, 0, UTF8, 3, "byte 0x80" },
		{ "\"\xc3\x28\"", 0, 0, UTF8, 1, "byte 0xc3" },
		{ "\"\xc0\xaf\"", 0, 0, UTF8, 1, "byte 0xc0" },
		{ "\"\xc1\xbf\"", 0, 0, UTF8, 1, "byte 0xc1" },
		{ "\"\xe0\x80\xaf\"", 0, 0, UTF8, 1, "byte 0xe0" },
		{ "\"\xe0\x9f\xbf\"", 0, 0, UTF8, 1, "byte 0xe0" },
		{ "\"\xed\xa0\x80\"", 0, 0, UTF8, 1, "byte 0xed" },
		{ "\"\xed\xbf\xbf\"", 0, 0, UTF8, 1, "byte 0xed" },
		{ "\"\xf0\x80\x80\xaf\"", 0, 0, UTF8, 1, "byte 0xf0" },
		{ "\"\xf0\x8f\xbf\xbf\"", 0, 0, UTF8, 1, "byte 0xf0" },
		{ "\"\xf4\x90\x80\x80\"", 0, 0, UTF8, 1, "byte 0xf4" },
		{ "\"\xf5\x80\x80\x80\"", 0, 0, UTF8, 1, "byte 0xf5" },
		{ "\"\xe2\x82\"", 0, 0, UTF8, 1, "byte 0xe2" },
		{ "\"\xe2\x82", 0, 0, UTF8, 1, "byte 0xe2" },
		{ "\"0123456789abcdef\xff\"", 0, 0, UTF8, 17, "byte 0xff" },
		/* outside strings */
		{ "\xff", 0, 0, UTF8, 0, "unable to decode byte 0xff" },
		{ "\xc3\xa9", 0, 0, SYNTAX, 2, "invalid token near '\xc3\xa9'" },
		{ "[1\xff]", 0, 0, UTF8, 2, "byte 0xff near '1'" },
		{ "[tru\xff]", 0, 0, UTF8, 4, "byte 0xff near 'tru'" },
	};

	RUN(t, 64);
}

static void
parses_numbers(void **state)
{
	static const struct pcase t[] = {
		{ "0", 0, 0, OK, 1, "0" },
		{ "-0", 0, 0, OK, 2, "0" },
		{ "123", 0, 0, OK, 3, "123" },
		{ "9223372036854775807", 0, 0, OK, 19, "9223372036854775807" },
		{ "-9223372036854775808", 0, 0, OK, 20,
		  "-9223372036854775808" },
		{ "9223372036854775808", 0, 0, RANGE, 19,
		  "too big integer near '9223372036854775808'" },
		{ "-9223372036854775809", 0, 0, RANGE, 20,
		  "too big negative integer" },
		{ "12345678901234567890123", 0, 0, RANGE, 23,
		  "too big integer" },
		{ "1.5", 0, 0, OK, 3, "1.5" },
		{ "-0.0", 0, 0, OK, 4, "-0.0" },
		{ "1.0", 0, 0, OK, 3, "1.0" },
		{ "0.1", 0, 0, OK, 3, "0.10000000000000001" },
		{ "1e5", 0, 0, OK, 3, "100000.0" },
		{ "1E+2", 0, 0, OK, 4, "100.0" },
		{ "1e300", 0, 0, OK, 5, "1.0000000000000001e300" },
		{ "1e-5", 0, 0, OK, 4, "1.0000000000000001e-5" },
		{ "2.5e-7", 0, 0, OK, 6, "2.4999999999999999e-7" },
		{ "1e-400", 0, 0, OK, 6, "0.0" },
		{ "5e-324", 0, 0, OK, 6, "4.9406564584124654e-324" },
		{ "1.7976931348623157e308", 0, 0, OK, 22,
		  "1.7976931348623157e308" },
		{ "9223372036854775808.0", 0, 0, OK, 21,
		  "9.2233720368547758e18" },
		{ "0.000000000000000000000000000000000000000000000000000000001",
		  0, 0, OK, 59, "9.9999999999999995e-58" },
		{ "1e400", 0, 0, RANGE, 5, "real number overflow near '1e400'" },
		{ "-1e400", 0, 0, RANGE, 6, "real number overflow" },
		{ "[1,-2.5e+3]", 0, 0, OK, 11, "[1,-2500.0]" },
		/* not numbers */
		{ "01", 0, 0, SYNTAX, 1, "invalid token near '0'" },
		{ "-01", 0, 0, SYNTAX, 2, "invalid token near '-0'" },
		{ "1.", 0, 0, SYNTAX, 2, "invalid token near '1.'" },
		{ "1.e5", 0, 0, SYNTAX, 2, "invalid token near '1.'" },
		{ "1e", 0, 0, SYNTAX, 2, "invalid token near '1e'" },
		{ "1e+", 0, 0, SYNTAX, 3, "invalid token near '1e+'" },
		{ "1.5e", 0, 0, SYNTAX, 4, "invalid token near '1.5e'" },
		{ "-", 0, 0, SYNTAX, 1, "invalid token near '-'" },
		{ "-a", 0, 0, SYNTAX, 1, "invalid token near '-'" },
		{ ".5", 0, 0, SYNTAX, 1, "invalid token near '.'" },
		{ "+1", 0, 0, SYNTAX, 1, "invalid token near '+'" },
		{ "0x10", 0, 1, TRAIL, 2, "end of file expected near 'x'" },
		{ "NaN", 0, 0, SYNTAX, 3, "invalid token near 'NaN'" },
		{ "-Infinity", 0, 0, SYNTAX, 1, "invalid token near '-'" },
		{ "Infinity", 0, 0, SYNTAX, 8, "invalid token" },
	};

	RUN(t, 64);
}

static void
refuses_bad_grammar(void **state)
{
	static const struct pcase t[] = {
		{ "", 0, 0, EOI, 0, "unexpected token near end of file" },
		{ "   ", 0, 0, EOI, 3, "unexpected token near end of file" },
		{ "[", 0, 0, EOI, 1, "']' expected near end of file" },
		{ "[1", 0, 0, EOI, 2, "']' expected near end of file" },
		{ "[1,", 0, 0, EOI, 3, "']' expected near end of file" },
		{ "{", 0, 0, EOI, 1, "string or '}' expected near end of file" },
		{ "{\"a\"", 0, 0, EOI, 4, "':' expected near end of file" },
		{ "{\"a\":", 0, 0, EOI, 5, "unexpected token near end of file" },
		{ "{\"a\":1", 0, 0, EOI, 6, "'}' expected near end of file" },
		{ "[1,]", 0, 0, SYNTAX, 4, "unexpected token near ']'" },
		{ "[,1]", 0, 0, SYNTAX, 2, "unexpected token near ','" },
		{ "[1 2]", 0, 0, SYNTAX, 4, "']' expected near '2'" },
		{ "[1:2]", 0, 0, SYNTAX, 3, "']' expected near ':'" },
		{ "{\"a\":1,}", 0, 0, SYNTAX, 8,
		  "string or '}' expected near '}'" },
		{ "{,}", 0, 0, SYNTAX, 2, "string or '}' expected near ','" },
		{ "{1:2}", 0, 0, SYNTAX, 2, "string or '}' expected near '1'" },
		{ "{a:1}", 0, 0, SYNTAX, 2, "string or '}' expected near 'a'" },
		{ "{\"a\" 1}", 0, 0, SYNTAX, 6, "':' expected near '1'" },
		{ "{\"a\"::1}", 0, 0, SYNTAX, 6, "unexpected token near ':'" },
		{ "{\"a\":1 \"b\":2}", 0, 0, SYNTAX, 10,
		  "'}' expected near '\"b\"'" },
		{ "{\"a\":1]", 0, 0, SYNTAX, 7, "'}' expected near ']'" },
		{ "[1}", 0, 0, SYNTAX, 3, "']' expected near '}'" },
		{ "}", 0, 0, SYNTAX, 1, "unexpected token near '}'" },
		{ ":", 0, 0, SYNTAX, 1, "unexpected token near ':'" },
		{ "truex", 0, 0, SYNTAX, 5, "invalid token near 'truex'" },
		{ "nul", 0, 0, SYNTAX, 3, "invalid token near 'nul'" },
		{ "True", 0, 0, SYNTAX, 4, "invalid token near 'True'" },
		{ "/* c */ 1", 0, 0, SYNTAX, 1, "invalid token near '/'" },
		{ "[1] // c", 0, 1, TRAIL, 5, "end of file expected near '/'" },
		{ "'a'", 0, 0, SYNTAX, 1, "invalid token near '''" },
		{ "[\0]", 3, 0, EOI, 2, "invalid token near end of file" },
		{ "{\"a\":\"b\" \"0123456789abcdefghij\"}", 0, 0, SYNTAX, 31,
		  "'}' expected" },
	};

	RUN(t, 64);
}

static char *
nest(const char *open, size_t n, const char *mid, const char *close)
{
	size_t	 lo = strlen(open), lm = strlen(mid), lc = strlen(close), i;
	char	*s = malloc(n * (lo + lc) + lm + 1), *p = s;

	assert_non_null(s);
	for (i = 0; i < n; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, mid, lm);
	p += lm;
	for (i = 0; i < n; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void
limits_depth(void **state)
{
	static const struct pcase t[] = {
		{ "[[[]]]", 0, 0, OK, 6, "[[[]]]" },
		{ "[[[1,\"a\",true]]]", 0, 0, OK, 16, "[[[1,\"a\",true]]]" },
		{ "{\"a\":{\"b\":{}}}", 0, 0, OK, 14, "{\"a\":{\"b\":{}}}" },
		{ "[[[[]]]]", 0, 0, DEPTH, 3, "nested deeper than 3" },
		{ "[[],[[{}]],[[[]]],1]", 0, 0, DEPTH, 6, "deeper than 3" },
		{ "{\"a\":{\"b\":{\"c\":{}}}}", 0, 0, DEPTH, 15, "deeper" },
		/* a too-deep value must still be good JSON to say so */
		{ "[[[[]]]", 0, 0, EOI, 7, "']' expected" },
		{ "[[[[1,]]]]", 0, 0, SYNTAX, 7, "unexpected token" },
		{ "[[[[\"\\ud800\"]]]]", 0, 0, SYNTAX, 12, "invalid Unicode" },
		{ "[[[[]]]] x", 0, 1, TRAIL, 10, "end of file expected" },
	};
	struct jsonfast_error e;
	json_t	*j;
	char	*s;
	size_t	 used;

	RUN(t, 3);

	/* used covers a too-deep value, so a caller can step over it */
	assert_null(jsonfast_parse("[[[[]]]] 5", 10, &used, 3, &e));
	assert_int_equal(e.code, DEPTH);
	assert_int_equal(used, 8);

	/* 0: no containers at all */
	assert_non_null(j = jsonfast_parse("7", 1, &used, 0, &e));
	json_decref(j);
	assert_null(jsonfast_parse("{}", 2, &used, 0, &e));
	assert_int_equal(e.code, DEPTH);
	assert_int_equal(e.pos, 0);

	/* at the limit and one over, objects and arrays */
	s = nest("{\"a\":", 63, "[1]", "}");
	assert_non_null(j = jsonfast_parse(s, strlen(s), NULL, 64, &e));
	json_decref(j);
	free(s);
	s = nest("{\"a\":", 64, "[1]", "}");
	assert_null(jsonfast_parse(s, strlen(s), &used, 64, &e));
	assert_int_equal(e.code, DEPTH);
	assert_int_equal(e.pos, 64 * 5);
	assert_int_equal(used, strlen(s));
	free(s);

	/* far past any stack: refused, read to the end, no recursion */
	s = nest("[", 200000, "", "]");
	assert_null(jsonfast_parse(s, strlen(s), &used, 64, &e));
	assert_int_equal(e.code, DEPTH);
	assert_int_equal(e.pos, 64);
	assert_int_equal(used, 400000);
	free(s);
	s = nest("[{\"k\":", 100000, "0", "}]");
	assert_null(jsonfast_parse(s, strlen(s), NULL, 100000, &e));
	assert_int_equal(e.code, DEPTH);
	assert_int_equal(e.pos, JSONFAST_DEPTH_MAX * 3);
	free(s);
	s = nest("[", 100000, "", "");
	assert_null(jsonfast_parse(s, strlen(s), &used, 64, &e));
	assert_int_equal(e.code, EOI);
	free(s);
}

/* jsonfast_dump(v) == json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) */
static void
same_as_jansson(json_t *v)
{
	struct buf b;
	char	*ref;

	assert_non_null(v);
	ref = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_non_null(ref);
	buf_init(&b);
	buf_puts(&b, "<");
	assert_int_equal(jsonfast_dump(&b, v), 0);
	if (strcmp(b.data + 1, ref) != 0 || b.data[0] != '<' ||
	    b.len != strlen(ref) + 1)
		fail_msg("jsonfast \"%s\", jansson \"%s\"", b.data + 1, ref);
	free(ref);
	buf_release(&b);
	json_decref(v);
}

static void
dumps_like_jansson(void **state)
{
	static const double reals[] = {
		0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 100.0, 1e15, 1e16, 1e17,
		1e21, 1e22, 1e300, -1e300, 1e-5, 1e-7, 123.456, 5e-324,
		2.2250738585072014e-308, 1.7976931348623157e308,
		9007199254740993.0, 3.141592653589793, 1795801353.123456
	};
	static const json_int_t ints[] = {
		0, 1, -1, 9, 10, 99, 100, -100, 12345, 1000000, 4294967296LL,
		12345678901234LL, INT64_MAX, INT64_MIN, INT64_MIN + 1
	};
	char	 s[300];
	size_t	 i, n;
	json_t	*o;

	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		same_as_jansson(json_real(reals[i]));
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		same_as_jansson(json_integer(ints[i]));
	same_as_jansson(json_true());
	same_as_jansson(json_false());
	same_as_jansson(json_null());

	/* every byte that needs escaping, at every offset of a word */
	for (i = 0; i < 128; i++) {
		for (n = 0; n < 20; n++) {
			memset(s, 'x', 40);
			s[n] = (char)i;
			same_as_jansson(json_stringn(s, 40));
			same_as_jansson(json_stringn(s, n + 1));
		}
	}
	same_as_jansson(json_stringn("a\0b", 3));
	same_as_jansson(json_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/"));
	memset(s, '"', sizeof(s));
	same_as_jansson(json_stringn(s, sizeof(s)));

	o = json_object();
	json_object_set_new(o, "z", json_integer(1));
	json_object_set_new(o, "a", json_array());
	json_array_append_new(json_object_get(o, "a"), json_real(2.0));
	json_array_append_new(json_object_get(o, "a"), json_object());
	json_object_set_new(o, "m\"\n", json_string("v\t"));
	json_object_set_new(o, "e", json_object());
	json_object_set_new(o, "z", json_string("again"));
	same_as_jansson(o);
}

static void
dump_refuses_too_deep(void **state)
{
	struct buf b;
	json_t	*root, *a;
	int	 i;

	root = a = json_array();
	for (i = 0; i < JSONFAST_DEPTH_MAX + 10; i++) {
		json_t *n = json_array();

		json_array_append_new(a, n);
		a = n;
	}
	buf_init(&b);
	buf_puts(&b, "keep");
	assert_int_equal(jsonfast_dump(&b, root), -1);
	assert_string_equal(b.data, "keep");
	assert_int_equal(b.len, 4);
	assert_int_equal(jsonfast_dump(&b, NULL), -1);
	assert_string_equal(b.data, "keep");
	buf_release(&b);
	json_decref(root);
}

/* A realistic event: parse, dump, parse again, the same. */
static void
round_trips_an_event(void **state)
{
	static const char ev[] =
	    "{\"timestamp\":\"2026-11-27T12:01:02.123456Z\",\"hostname\":"
	    "\"web1\",\"processname\":\"sshd\",\"processid\":4242,"
	    "\"severity\":\"WARNING\",\"category\":\"authentication\","
	    "\"tags\":[\"ssh\",\"brute\"],\"summary\":\"Failed password for "
	    "r\\u00f6ot from 10.1.2.3 port 22 ssh2\\n\",\"details\":{"
	    "\"sourceipaddress\":\"10.1.2.3\",\"sourceport\":22,\"success\":"
	    "false,\"ratio\":0.25,\"path\":\"C:\\\\Windows\\\\x\",\"none\":"
	    "null}}";
	struct jsonfast_error e;
	json_error_t	 je;
	struct buf	 b;
	json_t		*a, *ref, *back;
	char		*dumped;

	a = jsonfast_parse(ev, sizeof(ev) - 1, NULL, 64, &e);
	assert_non_null(a);
	ref = json_loadb(ev, sizeof(ev) - 1, 0, &je);
	assert_non_null(ref);
	assert_true(json_equal(a, ref));
	buf_init(&b);
	assert_int_equal(jsonfast_dump(&b, a), 0);
	dumped = json_dumps(ref, JSON_COMPACT);
	assert_string_equal(b.data, dumped);
	back = jsonfast_parse(b.data, b.len, NULL, 64, &e);
	assert_non_null(back);
	assert_true(json_equal(back, ref));
	free(dumped);
	buf_release(&b);
	json_decref(a);
	json_decref(ref);
	json_decref(back);
}

/* jsonfast_get: one value found by path, its text as written. */
struct gcase {
	const char	*doc;
	const char	*path;
	int		 rc;
	const char	*val;	/* rc 1 */
};

static void
gets_values_by_path(void **state)
{
	static const struct gcase t[] = {
		{ "{\"a\":1}", "a", 1, "1" },
		{ " { \"a\" : \"x\" } ", "a", 1, "\"x\"" },
		{ "{\"a\":null}", "a", 1, "null" },
		{ "{\"a\":true,\"b\":false}", "b", 1, "false" },
		{ "{\"a\":-1.5e+3,\"b\":2}", "a", 1, "-1.5e+3" },
		{ "{\"d\":{\"u\":\"alice\",\"n\":7}}", "d.u", 1, "\"alice\"" },
		{ "{\"d\":{\"u\":\"alice\",\"n\":7}}", "d.n", 1, "7" },
		{ "{\"d\":{\"u\":[1,{\"x\":\"}\"}]}}", "d.u", 1,
		  "[1,{\"x\":\"}\"}]" },
		{ "{\"d\":{\"u\":{}}}", "d", 1, "{\"u\":{}}" },
		/* keys and values holding quotes, escapes, braces, dots */
		{ "{\"a\\\"b\":1,\"a\":\"q\\\"}{,\\\\\"}", "a", 1,
		  "\"q\\\"}{,\\\\\"" },
		{ "{\"x\":\"a.b\",\"a.b\":1,\"a\":{\"b\":2}}", "a.b", 1, "2" },
		{ "{\"s\":\"\\u00e9\\n\",\"t\":\"\xc3\xa9\"}", "s", 1,
		  "\"\\u00e9\\n\"" },
		{ "{\"s\":\"\\u00e9\\n\",\"t\":\"\xc3\xa9\"}", "t", 1,
		  "\"\xc3\xa9\"" },
		/* the first of duplicate keys */
		{ "{\"a\":1,\"a\":2}", "a", 1, "1" },
		/* a key nested elsewhere is not a top-level one */
		{ "{\"b\":{\"a\":1},\"c\":[{\"a\":2}]}", "a", 0, NULL },
		{ "{\"b\":{\"a\":1},\"a\":3}", "a", 1, "3" },
		/* nowhere */
		{ "{}", "a", 0, NULL },
		{ "{\"a\":1}", "b", 0, NULL },
		{ "{\"a\":1}", "a.b", 0, NULL },
		{ "{\"a\":[{\"b\":1}]}", "a.b", 0, NULL },
		{ "{\"a\":\"{\\\"b\\\":1}\"}", "a.b", 0, NULL },
		{ "[1,2]", "a", 0, NULL },
		{ "{\"ab\":1,\"abc\":2}", "a", 0, NULL },
		/* not JSON enough to tell */
		{ "", "a", -1, NULL },
		{ "{\"a\":1", "b", -1, NULL },
		{ "{\"a\":\"x", "a", -1, NULL },
		{ "{\"a\" 1}", "a", -1, NULL },
		{ "{a:1}", "a", -1, NULL },
		{ "{\"a\":[1,2}", "b", -1, NULL },
		{ "{\"a\":", "a", -1, NULL },
		{ "{\"a\":\"\\", "b", -1, NULL },
	};
	const char *v;
	size_t	 i, vl;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = NULL;
		vl = 0;
		rc = jsonfast_get(t[i].doc, strlen(t[i].doc), t[i].path, &v,
		    &vl);
		if (rc != t[i].rc)
			fail_msg("case %zu (%s in %s): %d, want %d", i,
			    t[i].path, t[i].doc, rc, t[i].rc);
		if (rc == 1 && (vl != strlen(t[i].val) ||
		    memcmp(v, t[i].val, vl) != 0))
			fail_msg("case %zu: '%.*s', want '%s'", i, (int)vl, v,
			    t[i].val);
	}
}

/* Every prefix of a document either finds the value inside the prefix
   or says it cannot tell; it never reads past the length given. */
static void
get_stays_inside(void **state)
{
	static const char doc[] = "{\"a\":{\"b\":[1,\"x\\\"y\",{\"c\":null}]},"
	    "\"d\":\"tail\"}";
	char	*cp;
	const char *v;
	size_t	 n, vl;
	int	 rc;

	(void)state;
	for (n = 0; n < sizeof(doc) - 1; n++) {
		cp = malloc(n + 1);
		assert_non_null(cp);
		memcpy(cp, doc, n);
		rc = jsonfast_get(cp, n, "d", &v, &vl);
		assert_int_equal(rc, n < sizeof(doc) - 2 ? -1 : 1);
		rc = jsonfast_get(cp, n, "a.b", &v, &vl);
		assert_true(rc == -1 || (rc == 1 && v + vl <= cp + n));
		free(cp);
	}
	assert_int_equal(jsonfast_get(doc, sizeof(doc) - 1, "d", &v, &vl), 1);
	assert_int_equal(vl, 6);
}

/* jsonfast_skip: the length of the value at the start, 0 when none. */
static void
skips_one_value(void **state)
{
	static const struct { const char *in; size_t want; } t[] = {
		{ "\"a\\\"]}\",1", 7 },	/* "a\"]}" then ,1 */
		{ "{\"k\":[1,\"}\"],\"x\":{}} ,", 20 },
		{ "[[],[[]]]]", 9 },
		{ "-12.5e3,", 7 },
		{ "true}", 4 },
		{ "null", 4 },
		{ "{\"open\":[1,2}", 0 },	/* ends outside */
		{ "\"unterminated", 0 },
		{ ",1", 0 },
		{ "", 0 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (jsonfast_skip(t[i].in, strlen(t[i].in)) != t[i].want)
			fail_msg("%s: %zu, want %zu", t[i].in,
			    jsonfast_skip(t[i].in, strlen(t[i].in)), t[i].want);
}

static size_t jansson_allocs;

static void *
counting_malloc(size_t n)
{
	jansson_allocs++;
	return malloc(n);
}

/* A check builds no value: a big event costs jansson no allocation. */
static void
check_builds_nothing(void **state)
{
	const char *ev = "{\"utctimestamp\":\"2026-12-08T01:00:00+00:00\","
	    "\"summary\":\"Failed password for root from 203.0.113.7\","
	    "\"tags\":[\"a\",\"b\",1,2.5,true,false,null],"
	    "\"details\":{\"esc\":\"tab\\there \\u00e9\",\"n\":[[{}]]}} ";
	struct jsonfast_error e;
	size_t	 used;
	json_t	*j;

	(void)state;
	json_set_alloc_funcs(counting_malloc, free);
	assert_int_equal(jsonfast_check(ev, strlen(ev), &used, 64, &e),
	    JSON_OBJECT);
	assert_int_equal(used, strlen(ev) - 1);
	assert_int_equal(jansson_allocs, 0);
	assert_int_equal(jsonfast_check("[1,", 3, NULL, 64, &e), -1);
	assert_int_equal(e.code, EOI);
	assert_int_equal(jansson_allocs, 0);
	j = jsonfast_parse(ev, strlen(ev), NULL, 64, &e);	/* it counts */
	assert_non_null(j);
	assert_true(jansson_allocs > 10);
	json_decref(j);
	json_set_alloc_funcs(malloc, free);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_construct),
		cmocka_unit_test(parses_strings),
		cmocka_unit_test(refuses_bad_strings),
		cmocka_unit_test(parses_numbers),
		cmocka_unit_test(refuses_bad_grammar),
		cmocka_unit_test(limits_depth),
		cmocka_unit_test(dumps_like_jansson),
		cmocka_unit_test(dump_refuses_too_deep),
		cmocka_unit_test(round_trips_an_event),
		cmocka_unit_test(gets_values_by_path),
		cmocka_unit_test(get_stays_inside),
		cmocka_unit_test(skips_one_value),
		cmocka_unit_test(check_builds_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
