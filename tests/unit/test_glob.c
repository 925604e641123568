/* Unit tests for proto/glob: the one wildcard matcher, in both its
   forms (the search language's escapes, Sigma's wildcard mask). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "glob.h"

/* The search language's form: NUL-terminated, escapes, no case. */
static int
q(const char *p, const char *s)
{
	return glob_match(p, strlen(p), NULL, s, strlen(s),
	    GLOB_NOCASE | GLOB_UTF8);
}

/* Sigma's form: '*' and '?' in p are wildcards where marked with 'w'
   in mask (same length), bytes compared as they are. */
static int
sg(const char *p, const char *mask, const char *s)
{
	unsigned char w[64];
	size_t i, n = strlen(p);

	assert_true(n < sizeof(w) && strlen(mask) == n);
	for (i = 0; i < n; i++)
		w[i] = mask[i] == 'w';
	return glob_match(p, n, w, s, strlen(s), 0);
}

static void
search_form(void **state)
{
	(void)state;
	assert_true(q("web*", "web01"));
	assert_true(q("WEB*", "web01"));		/* no case */
	assert_true(q("*01", "web01"));
	assert_true(q("w?b*", "web"));
	assert_true(q("*", ""));
	assert_true(q("**a**", "xax"));
	assert_false(q("web?", "web"));
	assert_false(q("db*", "web01"));
	assert_true(q("a\\*b", "a*b"));		/* an escaped star */
	assert_false(q("a\\*b", "axxb"));
	assert_true(q("a\\?", "a?"));
	assert_false(q("a\\?", "ab"));
	assert_true(q("a\\", "a\\"));		/* a trailing backslash */
	assert_true(q("caf?", "caf\xc3\xa9"));	/* ? takes a character */
	assert_false(q("caf??", "caf\xc3\xa9"));
	/* backtracking: the star must give back what it took */
	assert_true(q("*ab*ab", "xabyabab"));
	assert_false(q("*ab*abc", "xabyabab"));
}

static void
sigma_form(void **state)
{
	(void)state;
	assert_true(sg("a*c", ".w.", "abbbc"));
	assert_true(sg("a*c", "...", "a*c"));		/* a plain star */
	assert_false(sg("a*c", "...", "abc"));
	assert_true(sg("a?c", ".w.", "abc"));
	assert_false(sg("a?c", ".w.", "a\xc3\xa9" "c"));	/* bytes */
	assert_false(sg("ABC", "...", "abc"));		/* with case */
	assert_true(sg("*\\cmd.exe", "w........", "c:\\windows\\cmd.exe"));
	assert_false(sg("*\\cmd.exe", "w........", "c:\\windows\\cmd.exe "));
	assert_true(sg("**", "ww", ""));
}

static void
bounded(void **state)
{
	char s[4097];

	(void)state;
	/* many stars over a long text that nearly matches: quick, not
	   exponential */
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_false(q("*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
	assert_true(q("*a*a*a*a*a*a*a*a*a*a*a*a*", s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(search_form),
		cmocka_unit_test(sigma_form),
		cmocka_unit_test(bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
