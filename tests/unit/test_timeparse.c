/* Unit tests for proto/timeparse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "timeparse.h"

/* 2026-11-27T17:42:33Z */
#define T0	INT64_C(1795801353)
#define S(x)	((int64_t)(x) * 1000000)

struct good {
	const char	*in;
	int64_t		 us;
};

static void
parses_iso8601_forms(void **state)
{
	static const struct good t[] = {
		{ "2026-11-27T17:42:33Z", S(T0) },
		{ "2026-11-27T17:42:33z", S(T0) },
		{ "2026-11-27t17:42:33Z", S(T0) },
		{ "2026-11-27 17:42:33", S(T0) },
		{ "2026-11-27T17:42:33", S(T0) },
		{ "2026-11-27T17:42:33.1Z", S(T0) + 100000 },
		{ "2026-11-27T17:42:33.123Z", S(T0) + 123000 },
		{ "2026-11-27T17:42:33.123456Z", S(T0) + 123456 },
		{ "2026-11-27T17:42:33.123456789Z", S(T0) + 123456 },
		{ "2026-11-27T17:42:33,5Z", S(T0) + 500000 },
		{ "2026-11-27T17:42:33+00:00", S(T0) },
		{ "2026-11-27T18:42:33+01:00", S(T0) },
		{ "2026-11-27T18:42:33+0100", S(T0) },
		{ "2026-11-27T18:42:33+01", S(T0) },
		{ "2026-11-27T12:12:33-05:30", S(T0) },
		{ "2026-11-27T17:42:33.250-00:00", S(T0) + 250000 },
		{ "2026-11-27 17:42:33 +0000", S(T0) },
		{ "2026-11-27 17:42:33 UTC", S(T0) },
		{ "2026-11-27T17:42Z", S(T0 - 33) },
		{ "2026-11-27", S(T0 - (17 * 3600 + 42 * 60 + 33)) },
		/* zones that cross midnight and the year */
		{ "2026-11-28T01:42:33+08:00", S(T0) },
		{ "2026-11-26T23:42:33-18:00", S(T0) },
		{ "2027-01-01T00:30:00+01:00", S(INT64_C(1798759800)) },
		{ "2026-12-31T23:30:00Z", S(INT64_C(1798759800)) },
		/* epoch and calendar edges */
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", S(-1) },
		{ "2000-02-29T00:00:00Z", S(INT64_C(951782400)) },
		{ "2024-02-29T12:00:00Z", S(INT64_C(1709208000)) },
		{ "2038-01-19T03:14:08Z", S(INT64_C(2147483648)) },
		{ "2106-02-07T06:28:16Z", S(INT64_C(4294967296)) },
		{ "9999-12-31T23:59:59.999999Z", S(INT64_C(253402300799)) + 999999 },
		{ "2016-12-31T23:59:60Z", S(INT64_C(1483228800)) },
	};
	size_t	 i;
	int64_t	 us;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		us = -42;
		if (time_parse(t[i].in, 0, &us) != 0)
			fail_msg("%s: refused", t[i].in);
		if (us != t[i].us)
			fail_msg("%s: %lld, want %lld", t[i].in, (long long)us,
			    (long long)t[i].us);
	}
}

static void
parses_rfc2822(void **state)
{
	static const struct good t[] = {
		{ "Fri, 27 Nov 2026 17:42:33 +0000", S(T0) },
		{ "27 Nov 2026 17:42:33 +0000", S(T0) },
		{ "Fri, 27 Nov 2026 17:42:33 GMT", S(T0) },
		{ "Fri, 27 Nov 2026 17:42:33 UT", S(T0) },
		{ "Fri, 27 Nov 2026 12:42:33 EST", S(T0) },
		{ "Fri, 27 Nov 2026 09:42:33 PST", S(T0) },
		{ "Fri, 27 Nov 2026 19:42:33 +0200", S(T0) },
		{ "Fri, 27 nov 2026 17:42:33 -0000 (UTC)", S(T0) },
		{ "Sat, 28 Nov 2026 02:42:33 +0900", S(T0) },
		{ "Fri, 27 Nov 2026 17:42 +0000", S(T0 - 33) },
		{ "Fri,  7 Nov 2026 17:42:33 +0000", S(T0 - 20 * 86400) },
		{ "27 Nov 26 17:42:33 +0000", S(T0) },
	};
	size_t	 i;
	int64_t	 us;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (time_parse(t[i].in, 0, &us) != 0)
			fail_msg("%s: refused", t[i].in);
		if (us != t[i].us)
			fail_msg("%s: %lld, want %lld", t[i].in, (long long)us,
			    (long long)t[i].us);
	}
}

static void
parses_rfc3164_with_nearest_year(void **state)
{
	static const struct {
		const char	*in;
		const char	*now;
		const char	*want;
	} t[] = {
		{ "Nov 27 17:42:33", "2026-11-27T18:00:00Z",
		  "2026-11-27T17:42:33.000000+00:00" },
		{ "Nov  7 17:42:33", "2026-11-27T18:00:00Z",
		  "2026-11-07T17:42:33.000000+00:00" },
		{ "nov 7 17:42:33", "2026-11-27T18:00:00Z",
		  "2026-11-07T17:42:33.000000+00:00" },
		/* sent just before new year, read just after it */
		{ "Dec 31 23:59:58", "2027-01-01T00:00:03Z",
		  "2026-12-31T23:59:58.000000+00:00" },
		/* a clock slightly ahead, around new year */
		{ "Jan  1 00:00:02", "2026-12-31T23:59:59Z",
		  "2027-01-01T00:00:02.000000+00:00" },
		{ "Feb 29 12:00:00", "2024-03-01T00:00:00Z",
		  "2024-02-29T12:00:00.000000+00:00" },
		{ "Feb 29 12:00:00", "2025-01-10T00:00:00Z",
		  "2024-02-29T12:00:00.000000+00:00" },
		{ "Jun 15 08:00:00.250", "2026-06-15T09:00:00Z",
		  "2026-06-15T08:00:00.250000+00:00" },
	};
	char	 out[TIME_ISO_LEN];
	size_t	 i;
	int64_t	 now, us;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(time_parse(t[i].now, 0, &now), 0);
		if (time_parse(t[i].in, now, &us) != 0)
			fail_msg("%s: refused", t[i].in);
		time_format(us, out);
		if (strcmp(out, t[i].want) != 0)
			fail_msg("%s at %s: %s, want %s", t[i].in, t[i].now,
			    out, t[i].want);
	}
	/* no leap year among 2025, 2026, 2027 */
	assert_int_equal(time_parse("2026-06-01T00:00:00Z", 0, &now), 0);
	assert_int_equal(time_parse("Feb 29 12:00:00", now, &us), -1);
}

static void
parses_epoch_strings(void **state)
{
	static const struct good t[] = {
		{ "0", 0 }, { "2026", S(2026) },
		{ "1795801353", S(T0) },
		{ "1795801353.5", S(T0) + 500000 },
		{ "1795801353.123456789", S(T0) + 123456 },
		{ "1795801353123", S(T0) + 123000 },
		{ "1795801353123.5", S(T0) + 123500 },
		{ "1795801353123456", S(T0) + 123456 },
		{ "2147483648", S(INT64_C(2147483648)) },
		/* the seconds/milliseconds boundary at 1e11 */
		{ "99999999999", S(INT64_C(99999999999)) },
		{ "100000000000", INT64_C(100000000000) * 1000 },
		/* milliseconds/microseconds at 1e14 */
		{ "99999999999999", INT64_C(99999999999999) * 1000 },
		{ "100000000000000", INT64_C(100000000000000) },
	};
	size_t	 i;
	int64_t	 us;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (time_parse(t[i].in, 0, &us) != 0)
			fail_msg("%s: refused", t[i].in);
		if (us != t[i].us)
			fail_msg("%s: %lld, want %lld", t[i].in, (long long)us,
			    (long long)t[i].us);
	}
}

static void
refuses_bad_times(void **state)
{
	static const char *const bad[] = {
		"", "now", "yesterday", "2026-11", "2026-13-01",
		"2026-00-10", "2026-11-00", "2026-11-31", "2026-02-29",
		"2100-02-29T00:00:00Z", "2026-02-30T00:00:00Z",
		"2026-11-27T25:00:00Z", "2026-11-27T24:00:00Z",
		"2026-11-27T17:60:00Z", "2026-11-27T17:42:61Z",
		"2026-11-27T17:42:33+25:00", "2026-11-27T17:42:33+01:60",
		"2026-11-27T17:42:33Q", "2026-11-27T17:42:33.Z",
		"2026-11-27T17:42:33 ", " 2026-11-27T17:42:33Z",
		"2026-11-27T17:42:33Zjunk", "2026-11-27T1:42:33Z",
		"26-11-27T17:42:33Z", "2026/11/27 17:42:33",
		"Fri, 27 Foo 2026 17:42:33 +0000",
		"Fri, 32 Nov 2026 17:42:33 +0000",
		"Fri, 27 Nov 2026 17:42:33 XYZ",
		"Fri, 27 Nov 2026 17:42:33",
		"Fri, 27 Nov 2026 17:42:33 +0000 (unclosed",
		"Nov 31 17:42:33", "Nov 27 17:42", "Nov 27 17:42:33 2026",
		"Nov 27 25:42:33", "Foo 27 17:42:33", "Nov",
		"-1", "1.", "1.2.3", "12a", "1e9", "0x10",
		"9999999999999999999", "253402300800000000",
		"10000-01-01T00:00:00Z",
	};
	size_t	 i;
	int64_t	 us;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (time_parse(bad[i], S(T0), &us) != -1)
			fail_msg("\"%s\" was accepted as %lld", bad[i],
			    (long long)us);
	assert_int_equal(time_parse(NULL, 0, &us), -1);
}

static void
converts_epoch_numbers(void **state)
{
	static const struct {
		double	 v;
		int64_t	 us;
	} t[] = {
		{ 0, 0 },
		{ 1795801353, S(T0) },
		{ 1795801353.123456, S(T0) + 123456 },
		{ 1795801353.5, S(T0) + 500000 },
		{ 1795801353123.0, S(T0) + 123000 },
		{ 1795801353123456.0, S(T0) + 123456 },
		{ 99999999999.0, S(INT64_C(99999999999)) },
		{ 100000000000.0, INT64_C(100000000000000) },
		{ 4102444800.0, S(INT64_C(4102444800)) },	/* 2100 */
	};
	size_t	 i;
	int64_t	 us;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(time_from_number(t[i].v, &us), 0);
		if (us != t[i].us)
			fail_msg("%f: %lld, want %lld", t[i].v, (long long)us,
			    (long long)t[i].us);
	}
	assert_int_equal(time_from_number(-1, &us), -1);
	assert_int_equal(time_from_number(NAN, &us), -1);
	assert_int_equal(time_from_number(INFINITY, &us), -1);
	assert_int_equal(time_from_number(1e19, &us), -1);
	assert_int_equal(time_from_number(9.3e18, &us), -1);
}

static void
formats_with_six_digits(void **state)
{
	static const struct {
		int64_t		 us;
		const char	*want;
	} t[] = {
		{ 0, "1970-01-01T00:00:00.000000+00:00" },
		{ S(T0) + 123456, "2026-11-27T17:42:33.123456+00:00" },
		{ S(T0) + 7, "2026-11-27T17:42:33.000007+00:00" },
		{ -1, "1969-12-31T23:59:59.999999+00:00" },
		{ S(INT64_C(951782400)), "2000-02-29T00:00:00.000000+00:00" },
		{ S(INT64_C(2147483648)), "2038-01-19T03:14:08.000000+00:00" },
		{ S(INT64_C(253402300799)) + 999999,
		  "9999-12-31T23:59:59.999999+00:00" },
		{ INT64_MAX, "9999-12-31T23:59:59.999999+00:00" },
		{ INT64_MIN, "0000-01-01T00:00:00.000000+00:00" },
	};
	char	 out[TIME_ISO_LEN];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(out, 'x', sizeof(out));
		time_format(t[i].us, out);
		assert_string_equal(out, t[i].want);
		assert_int_equal(strlen(out), TIME_ISO_LEN - 1);
	}
}

/* Every day from 1899 to 2101 goes through format and parse unchanged. */
static void
round_trips_every_day(void **state)
{
	char	 out[TIME_ISO_LEN];
	int64_t	 us, back, d;

	for (d = -25567; d < 48000; d++) {
		us = S(d * 86400 + 3723) + 456789;
		time_format(us, out);
		assert_int_equal(time_parse(out, 0, &back), 0);
		assert_true(back == us);
	}
}

static void
parses_durations(void **state)
{
	static const struct good t[] = {
		{ "0s", 0 }, { "500ms", 500000 }, { "30s", S(30) },
		{ "15m", S(900) }, { "2h", S(7200) }, { "7d", S(604800) },
		{ "1w", S(604800) }, { "250us", 250 },
	};
	static const char *const bad[] = {
		"", "15", "m", "-5m", "1.5h", "5 m", "5M", "5mm", "5y",
		"99999999999999999999s", "9999999999999999w",
	};
	size_t	 i;
	int64_t	 us;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (time_parse_duration(t[i].in, &us) != 0)
			fail_msg("%s: refused", t[i].in);
		assert_true(us == t[i].us);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (time_parse_duration(bad[i], &us) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(time_parse_duration(NULL, &us), -1);
}

static void
now_is_now(void **state)
{
	int64_t	 a = time_now_us();

	/* after 2025-01-01 and before 2100 */
	assert_true(a > S(INT64_C(1735689600)));
	assert_true(a < S(INT64_C(4102444800)));
	assert_true(time_now_us() >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_iso8601_forms),
		cmocka_unit_test(parses_rfc2822),
		cmocka_unit_test(parses_rfc3164_with_nearest_year),
		cmocka_unit_test(parses_epoch_strings),
		cmocka_unit_test(refuses_bad_times),
		cmocka_unit_test(converts_epoch_numbers),
		cmocka_unit_test(formats_with_six_digits),
		cmocka_unit_test(round_trips_every_day),
		cmocka_unit_test(parses_durations),
		cmocka_unit_test(now_is_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
