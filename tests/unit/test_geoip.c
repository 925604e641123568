/*
 * Unit tests for hub/ingest/geoip: a MaxMind DB written for the test by
 * tests/geoip/mkmmdb.pl (Debian's libmaxmind-db-writer-perl), events
 * located by their source and destination addresses, reserved ranges
 * skipped.  Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "geoip.h"

static char dbpath[64];
static struct geoip *g;

static int
setup(void **state)
{
	char	 cmd[256], err[256];
	int	 fd;

	snprintf(dbpath, sizeof dbpath, "/tmp/ward-geoip.XXXXXX");
	if ((fd = mkstemp(dbpath)) == -1)
		return -1;
	close(fd);
	snprintf(cmd, sizeof cmd, "perl tests/geoip/mkmmdb.pl %s", dbpath);
	if (system(cmd) != 0)
		return -1;
	if ((g = geoip_open(dbpath, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	geoip_free(g);
	unlink(dbpath);
	return 0;
}

static json_t *
ev_with(const char *src, const char *dst)
{
	json_t	*ev = json_pack("{s:s, s:{}}", "summary", "x", "details");
	json_t	*d = json_object_get(ev, "details");

	if (src != NULL)
		json_object_set_new(d, "sourceipaddress", json_string(src));
	if (dst != NULL)
		json_object_set_new(d, "destinationipaddress",
		    json_string(dst));
	return ev;
}

static void
city_of_a_public_source(void **state)
{
	json_t	*ev = ev_with("81.2.69.160", NULL), *loc, *d;

	assert_int_equal(geoip_apply(g, ev), 1);
	d = json_object_get(ev, "details");
	loc = json_object_get(d, "sourceipgeolocation");
	assert_non_null(loc);
	assert_string_equal(json_string_value(json_object_get(loc,
	    "country_code")), "GB");
	assert_string_equal(json_string_value(json_object_get(loc,
	    "country_name")), "United Kingdom");
	assert_string_equal(json_string_value(json_object_get(loc, "city")),
	    "London");
	assert_string_equal(json_string_value(json_object_get(loc,
	    "continent")), "EU");
	assert_string_equal(json_string_value(json_object_get(loc,
	    "region_code")), "ENG");
	assert_string_equal(json_string_value(json_object_get(loc,
	    "time_zone")), "Europe/London");
	assert_float_equal(json_real_value(json_object_get(loc, "latitude")),
	    51.5142, 1e-9);
	assert_float_equal(json_real_value(json_object_get(loc, "longitude")),
	    -0.0931, 1e-9);
	assert_string_equal(json_string_value(json_object_get(d,
	    "sourceipgeopoint")), "51.5142,-0.0931");
	assert_null(json_object_get(d, "destinationipgeolocation"));
	json_decref(ev);
}

static void
destination_ipv6_and_unicode(void **state)
{
	json_t	*ev = ev_with("89.160.20.112", "2001:218:1:2::3"), *d;

	assert_int_equal(geoip_apply(g, ev), 2);
	d = json_object_get(ev, "details");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    d, "sourceipgeolocation"), "city")), "Link\xc3\xb6ping");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    d, "destinationipgeolocation"), "country_code")), "JP");
	assert_non_null(json_object_get(d, "destinationipgeopoint"));
	json_decref(ev);
}

static void
country_only_network(void **state)
{
	json_t	*ev = ev_with("67.43.156.7", NULL), *loc, *d;

	assert_int_equal(geoip_apply(g, ev), 1);
	d = json_object_get(ev, "details");
	loc = json_object_get(d, "sourceipgeolocation");
	assert_string_equal(json_string_value(json_object_get(loc,
	    "country_code")), "BT");
	assert_null(json_object_get(loc, "city"));
	assert_null(json_object_get(loc, "latitude"));
	assert_null(json_object_get(d, "sourceipgeopoint"));
	json_decref(ev);
}

static void
reserved_unknown_and_bad_are_skipped(void **state)
{
	static const char *const skip[] = {
		"10.1.2.3",		/* private, although in the file */
		"::ffff:10.1.2.3", "127.0.0.1", "192.168.1.1", "172.20.0.1",
		"100.64.0.1", "169.254.1.1", "203.0.113.7", "198.51.100.1",
		"192.0.2.1", "224.0.0.251", "255.255.255.255", "0.0.0.0",
		"::1", "::", "fe80::1", "fd00::1", "ff02::1", "2001:db8::1",
		"8.8.8.8",		/* public, not in the file */
		"example.org", "", "81.2.69.160/24", "999.1.1.1",
	};
	json_t	*ev;
	size_t	 i;

	for (i = 0; i < sizeof skip / sizeof *skip; i++) {
		ev = ev_with(skip[i], skip[i]);
		if (geoip_apply(g, ev) != 0)
			fail_msg("%s was located", skip[i]);
		assert_int_equal(json_object_size(json_object_get(ev,
		    "details")), 2);
		json_decref(ev);
	}
	assert_true(geoip_public("::ffff:81.2.69.160"));
	assert_true(geoip_public("2001:218::1"));
	assert_false(geoip_public("::ffff:192.168.0.1"));
	/* an event without details, or with details not an object */
	ev = json_pack("{s:s}", "summary", "x");
	assert_int_equal(geoip_apply(g, ev), 0);
	json_decref(ev);
	ev = json_pack("{s:s}", "details", "81.2.69.160");
	assert_int_equal(geoip_apply(g, ev), 0);
	json_decref(ev);
}

/* A worker's cache gives what the database gives, for every address,
   however often and in whatever order they come. */
static void
cache_agrees(void **state)
{
	static const char *const ips[] = { "81.2.69.160", "89.160.20.112",
	    "2001:218:1:2::3", "67.43.156.7", "8.8.8.8", "10.1.2.3",
	    "81.2.69.161", "::ffff:81.2.69.162" };
	struct geoip_cache *c = geoip_cache_new();
	json_t	*a, *b;
	size_t	 i, k;
	char	*sa, *sb;

	assert_non_null(c);
	for (k = 0; k < 3000; k++) {
		i = (k * 7 + k / 5) % (sizeof ips / sizeof *ips);
		a = ev_with(ips[i], ips[(i + 3) % 8]);
		b = ev_with(ips[i], ips[(i + 3) % 8]);
		assert_int_equal(geoip_apply_cached(g, c, a),
		    geoip_apply(g, b));
		sa = json_dumps(a, JSON_SORT_KEYS);
		sb = json_dumps(b, JSON_SORT_KEYS);
		assert_string_equal(sa, sb);
		free(sa);
		free(sb);
		json_decref(a);
		json_decref(b);
	}
	geoip_cache_free(c);
}

static void
bad_database_file(void **state)
{
	char	 err[256];

	assert_null(geoip_open("tests/geoip/mkmmdb.pl", err, sizeof err));
	assert_non_null(strstr(err, "tests/geoip/mkmmdb.pl: "));
	assert_null(geoip_open("/nonexistent.mmdb", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent.mmdb: "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(city_of_a_public_source),
		cmocka_unit_test(destination_ipv6_and_unicode),
		cmocka_unit_test(country_only_network),
		cmocka_unit_test(reserved_unknown_and_bad_are_skipped),
		cmocka_unit_test(cache_agrees),
		cmocka_unit_test(bad_database_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
