/* Unit tests for hub/observe: the observables an alert names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "observe.h"

/* The observable of kind/value in list, or NULL. */
static const json_t *
find(const json_t *list, const char *kind, const char *value)
{
	const json_t *o;
	size_t	 i;

	json_array_foreach(list, i, o)
		if (strcmp(json_string_value(json_object_get(o, "kind")),
		    kind) == 0 && strcmp(json_string_value(json_object_get(o,
		    "value")), value) == 0)
			return o;
	return NULL;
}

static long long
sightings(const json_t *o)
{
	return json_integer_value(json_object_get(o, "sightings"));
}

static const char *
s(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *
alert(const char *text)
{
	json_error_t e;
	json_t	*a = json_loads(text, 0, &e);

	if (a == NULL)
		fail_msg("%s", e.text);
	return a;
}

/* The SSH brute force: grouped by source address, its events parsed. */
static void
brute_force(void **state)
{
	json_t	*a, *o;
	const json_t *x;

	a = alert("{\"group\":\"203.0.113.7\",\"count\":180,"
	    "\"first_seen\":\"2026-11-27T10:00:20Z\","
	    "\"last_seen\":\"2026-11-27T10:01:19Z\",\"samples\":["
	    "{\"utctimestamp\":\"2026-11-27T10:00:20Z\",\"hostname\":\"bastion\","
	    "\"summary\":\"Failed password for invalid user admin from "
	    "203.0.113.7 port 41000 ssh2\",\"details\":{\"sourceipaddress\":"
	    "\"203.0.113.7\",\"sourceport\":41000,\"username\":\"admin\","
	    "\"success\":false,\"hub\":\"hub1.example.org\"}},"
	    "{\"utctimestamp\":\"2026-11-27T10:00:45Z\",\"hostname\":\"web1\","
	    "\"summary\":\"Failed password for root from 203.0.113.7 port 41001 "
	    "ssh2\",\"details\":{\"sourceipaddress\":\"203.0.113.7\","
	    "\"username\":\"root\"}},"
	    "{\"utctimestamp\":\"2026-11-27T10:00:50Z\",\"hostname\":\"web1\","
	    "\"summary\":\"Failed password for root from 203.0.113.7 port 41002 "
	    "ssh2\",\"details\":{\"sourceipaddress\":\"203.0.113.7\","
	    "\"username\":\"root\"}}]}");
	o = observe_alert(a);
	assert_non_null(o);
	/* The group key's value first, with the alert's count and times. */
	x = json_array_get(o, 0);
	assert_string_equal(s(x, "kind"), "ip");
	assert_string_equal(s(x, "value"), "203.0.113.7");
	assert_int_equal(sightings(x), 180);
	assert_string_equal(s(x, "first_seen"), "2026-11-27T10:00:20Z");
	assert_string_equal(s(x, "last_seen"), "2026-11-27T10:01:19Z");
	/* Users and hosts by their fields, each event counted once. */
	assert_non_null(x = find(o, "user", "root"));
	assert_int_equal(sightings(x), 2);
	assert_string_equal(s(x, "first_seen"), "2026-11-27T10:00:45Z");
	assert_string_equal(s(x, "last_seen"), "2026-11-27T10:00:50Z");
	assert_non_null(x = find(o, "user", "admin"));
	assert_int_equal(sightings(x), 1);
	assert_non_null(x = find(o, "host", "web1"));
	assert_int_equal(sightings(x), 2);
	assert_non_null(find(o, "host", "bastion"));
	/* Not the hub's own name, not a port. */
	assert_null(find(o, "host", "hub1.example.org"));
	assert_null(find(o, "domain", "hub1.example.org"));
	assert_int_equal(json_array_size(o), 5);
	json_decref(o);
	json_decref(a);
}

/* Addresses v4 and v6 (in their usual form), hashes by length and hex,
   domains from named fields and URLs, users from KEY=VALUE text. */
static void
kinds(void **state)
{
	json_t	*a, *o;

	a = alert("{\"group\":\"2001:DB8:0:0::7|WEB2.example.org\",\"count\":3,"
	    "\"samples\":[{\"hostname\":\"WEB2.example.org\","
	    "\"summary\":\"deploy : TTY=pts/0 ; USER=root ; COMMAND=/bin/bash "
	    "from 198.51.100.23:4444, hash D41D8CD98F00B204E9800998ECF8427E.\","
	    "\"details\":{\"sha1\":\"da39a3ee5e6b4b0d3255bfef95601890afd80709\","
	    "\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	    "\"notahash\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\","
	    "\"query\":\"Evil.Example.COM\",\"url\":\"https://u:p@cdn.example.net:8443/x?y\","
	    "\"referer\":\"http://[2001:db8::9]/\",\"path\":\"/index.html\","
	    "\"user\":{\"name\":\"carol\"},\"loopback\":\"127.0.0.1\","
	    "\"any\":\"::\",\"rip\":\"192.0.2.44\",\"text\":\"rip=192.0.2.45 user=<dave>, "
	    "at 10:00:01 unknown[192.0.2.46]\"}}]}");
	o = observe_alert(a);
	assert_non_null(o);
	assert_string_equal(s(json_array_get(o, 0), "value"), "2001:db8::7");
	assert_string_equal(s(json_array_get(o, 1), "kind"), "host");
	assert_string_equal(s(json_array_get(o, 1), "value"),
	    "web2.example.org");
	assert_int_equal(sightings(json_array_get(o, 1)), 3);
	assert_non_null(find(o, "user", "root"));
	assert_non_null(find(o, "user", "carol"));
	assert_non_null(find(o, "user", "dave"));
	assert_non_null(find(o, "ip", "198.51.100.23"));
	assert_non_null(find(o, "ip", "192.0.2.44"));
	assert_non_null(find(o, "ip", "192.0.2.45"));
	assert_non_null(find(o, "ip", "192.0.2.46"));
	assert_non_null(find(o, "ip", "2001:db8::9"));
	assert_non_null(find(o, "hash", "d41d8cd98f00b204e9800998ecf8427e"));
	assert_non_null(find(o, "hash",
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
	assert_non_null(find(o, "hash", "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855"));
	assert_null(find(o, "hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e"
	    "4649b934ca495991b7852b85"));
	assert_non_null(find(o, "domain", "evil.example.com"));
	assert_non_null(find(o, "domain", "cdn.example.net"));
	assert_null(find(o, "ip", "127.0.0.1"));
	assert_null(find(o, "ip", "::"));
	assert_null(find(o, "domain", "index.html"));
	json_decref(o);
	json_decref(a);
}

/* A group value the events do not explain and that has no shape is no
   observable; an alert without events or group gives none. */
static void
nothing_to_see(void **state)
{
	json_t	*a, *o;

	a = alert("{\"group\":\"quiet|42\",\"count\":1,\"samples\":[]}");
	o = observe_alert(a);
	assert_non_null(o);
	assert_int_equal(json_array_size(o), 0);
	json_decref(o);
	json_decref(a);
	a = alert("{}");
	o = observe_alert(a);
	assert_int_equal(json_array_size(o), 0);
	json_decref(o);
	json_decref(a);
}

static void
shapes(void **state)
{
	char	 out[64];

	assert_string_equal(observe_shape("203.0.113.7", out, sizeof out), "ip");
	assert_null(observe_shape("203.0.113", out, sizeof out));
	assert_null(observe_shape("203.0.113.256", out, sizeof out));
	assert_string_equal(observe_shape("fe80::1", out, sizeof out), "ip");
	assert_string_equal(observe_shape("Example.ORG", out, sizeof out),
	    "domain");
	assert_string_equal(out, "example.org");
	assert_null(observe_shape("example", out, sizeof out));
	assert_null(observe_shape("-bad.example.org", out, sizeof out));
	assert_null(observe_shape("bad-.example.org", out, sizeof out));
	assert_null(observe_shape("a..example.org", out, sizeof out));
	assert_null(observe_shape("1.2.3.4.5", out, sizeof out));
	assert_null(observe_shape("10:00:01", out, sizeof out));
	assert_null(observe_shape("", out, sizeof out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(brute_force),
		cmocka_unit_test(kinds),
		cmocka_unit_test(nothing_to_see),
		cmocka_unit_test(shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
