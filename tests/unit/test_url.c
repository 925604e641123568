/* Unit tests for proto/url: the hub's and the webhooks' URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "url.h"

static void
good_urls_are_split(void **state)
{
	static const struct {
		const char *s, *scheme, *host, *path;
		int port;
	} ok[] = {
		{ "ws://hub:9200", "ws", "hub", "", 9200 },
		{ "wss://hub.example.org", "wss", "hub.example.org", "", 0 },
		{ "ws://10.0.0.1:1/", "ws", "10.0.0.1", "/", 1 },
		{ "wss://[::1]:9200/ws", "wss", "::1", "/ws", 9200 },
		{ "http://127.0.0.1:8080/hook?k=v", "http", "127.0.0.1",
		  "/hook?k=v", 8080 },
		{ "http://[fe80::1]/a/b", "http", "fe80::1", "/a/b", 0 },
		{ "ws://hub:08080", "ws", "hub", "", 8080 },
	};
	struct url u;
	char	 err[128];
	size_t	 i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (url_parse(ok[i].s, &u, err, sizeof err) != 0)
			fail_msg("%s: %s", ok[i].s, err);
		assert_string_equal(u.scheme, ok[i].scheme);
		assert_string_equal(u.host, ok[i].host);
		assert_string_equal(u.path, ok[i].path);
		assert_int_equal(u.port, ok[i].port);
	}
}

static void
bad_urls_say_why(void **state)
{
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "hub:9200", "bad url" },
		{ "://hub", "bad url" },
		{ "verylongschemename://h", "bad url" },
		{ "ws://", "url has no host" },
		{ "ws://:9200", "url has no host" },
		{ "ws://[]:9200", "url has no host" },
		{ "ws://hub:0", "bad port in url" },
		{ "ws://hub:65536", "bad port in url" },
		{ "ws://hub:065535", "bad port in url" },
		{ "ws://hub:", "bad port in url" },
		{ "ws://hub:+80", "bad port in url" },
		{ "ws://hub:80x", "bad port in url" },
		{ "ws://[::1", "bad IPv6 address in url" },
		{ "ws://[::1/]", "bad IPv6 address in url" },
		{ "ws://[::1]x", "bad url" },
		{ "http://h /x", "url has spaces or control characters" },
		{ "http://h/\x7f", "url has spaces or control characters" },
	};
	struct url u;
	char	 err[128], big[400];
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (url_parse(bad[i].s, &u, err, sizeof err) != -1)
			fail_msg("%s: accepted", bad[i].s);
		if (strcmp(err, bad[i].why) != 0)
			fail_msg("%s: '%s', want '%s'", bad[i].s, err,
			    bad[i].why);
	}
	memcpy(big, "ws://", 5);
	memset(big + 5, 'a', 300);
	big[305] = '\0';
	assert_int_equal(url_parse(big, &u, err, sizeof err), -1);
	assert_string_equal(err, "url host is too long");
	/* no room for the reason: still refused */
	assert_int_equal(url_parse("ws://", &u, NULL, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_urls_are_split),
		cmocka_unit_test(bad_urls_say_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
