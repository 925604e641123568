/*
 * Unit tests for hub/ingest/syslogframe (RFC 6587 framing of a syslog TCP
 * stream) and source_json_text (a raw message as a JSON string).  The
 * streams are what rsyslog's omfwd sends with TCP_Framing "traditional"
 * and "octet-counted", fed whole and a byte at a time.
 */
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
#include "source.h"
#include "syslogframe.h"

/* Cut stream s (n bytes) fed in pieces of step bytes; the messages go to
   out joined by '|', dropped ones as "!". */
static void
cut(struct syslogframe *f, const char *s, size_t n, size_t step, char *out,
    size_t outlen)
{
	struct buf in;
	size_t	 fed = 0, used, len;
	const char *msg, *why;
	int	 rc, eof;

	buf_init(&in);
	out[0] = '\0';
	for (;;) {
		size_t	 k = n - fed < step ? n - fed : step;

		buf_append(&in, s + fed, k);
		fed += k;
		eof = fed == n;
		for (;;) {
			rc = syslogframe_next(f, in.data ? in.data : "",
			    in.len, eof, &msg, &len, &used, &why);
			if (rc == SF_MSG)
				snprintf(out + strlen(out), outlen - strlen(out),
				    "%s%.*s", *out ? "|" : "", (int)len, msg);
			else if (rc == SF_BAD)
				snprintf(out + strlen(out), outlen - strlen(out),
				    "%s!", *out ? "|" : "");
			if (used > 0) {
				memmove(in.data, in.data + used, in.len - used);
				in.len -= used;
			}
			if (rc == SF_MORE)
				break;
		}
		if (eof)
			break;
	}
	buf_release(&in);
}

static void
both_n(const char *s, size_t n, size_t max, const char *want)
{
	struct syslogframe f;
	char	 got[1024];
	size_t	 step;

	for (step = 1; step <= n + 1; step += step < 4 ? 1 : 7) {
		syslogframe_init(&f, max);
		cut(&f, s, n, step, got, sizeof got);
		assert_string_equal(got, want);
	}
}

static void
both(const char *s, size_t max, const char *want)
{
	both_n(s, strlen(s), max, want);
}

static void
test_newline(void **state)
{
	(void)state;
	both("<13>a\n<14>b\r\n\n<15>c", 100, "<13>a|<14>b|<15>c");
	/* a line that starts with a digit but no count */
	both("2026-12-07 x\n", 100, "2026-12-07 x");
	/* NUL-terminated lines of old senders */
	both_n("<13>a\n\0<13>b\n", 12, 100, "<13>a|<13>b");
}

static void
test_counted(void **state)
{
	(void)state;
	both("5 <13>a6 <14>bc", 100, "<13>a|<14>bc");
	/* a counted message may hold a line feed */
	both("7 <13>a\nb", 100, "<13>a\nb");
	/* the framing may change from one message to the next */
	both("5 <13>a<14>b\n5 <15>c", 100, "<13>a|<14>b|<15>c");
}

static void
test_limits(void **state)
{
	(void)state;
	/* only the long message goes, counted or not */
	both("<13>ok\n<13>xxxxxxxxxxxxxxxxxxxx\n<13>ok2\n", 10,
	    "<13>ok|!|<13>ok2");
	both("5 <13>a24 <13>xxxxxxxxxxxxxxxxxxxx5 <13>b", 10,
	    "<13>a|!|<13>b");
	/* the stream ends inside a counted message */
	both("5 <13>a9 <13>", 100, "<13>a|!");
}

static void
test_nul(void **state)
{
	struct syslogframe f;
	char	 got[256];
	const char s[] = "{\"a\":1}\0{\"b\":\n2}\0";

	(void)state;
	syslogframe_init_nul(&f, 100);
	cut(&f, s, sizeof s - 1, 3, got, sizeof got);
	assert_string_equal(got, "{\"a\":1}|{\"b\":\n2}");
}

static void
test_json_text(void **state)
{
	struct buf b;
	json_t	*v;
	const char in[] = "caf\xc3\xa9 \xe9t\xe9 \"q\" \x01 \xf0\x9f\x99\x82"
	    " \xed\xa0\x80 \xc0\xaf";

	(void)state;
	buf_init(&b);
	assert_int_equal(source_json_text(&b, in, sizeof in - 1), 0);
	v = json_loads(b.data, JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "caf\xc3\xa9 \xef\xbf\xbdt"
	    "\xef\xbf\xbd \"q\" \x01 \xf0\x9f\x99\x82 \xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(v);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newline),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_json_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
