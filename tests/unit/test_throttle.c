/* Unit tests for hub/throttle: waits per address and per user, and the
   audit of refused handshakes kept to a bounded number of rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "throttle.h"

#define S	1000000000LL

/* A NAT: the attacker fails as mallory from 10.0.0.1; alice, behind the
   same address, still gets heard; mallory's name from elsewhere too. */
static void
attacker_behind_nat_locks_out_only_itself(void **state)
{
	struct throttle *t = throttle_new();
	int64_t now = 1000 * S;
	int i;

	assert_non_null(t);
	for (i = 0; i < THROTTLE_FREE - 1; i++)
		throttle_fail(t, "10.0.0.1", "mallory", now);
	assert_int_equal(throttle_check(t, "10.0.0.1", "mallory", now), 0);
	for (i = 0; i < 20; i++)
		throttle_fail(t, "10.0.0.1", "mallory", now);
	assert_int_equal(throttle_check(t, "10.0.0.1", "mallory", now),
	    THROTTLE_MAX_SECS);
	assert_int_equal(throttle_check(t, "10.0.0.1", "alice", now), 0);
	assert_int_equal(throttle_check(t, "10.0.0.2", "mallory", now), 0);
	assert_int_equal(throttle_check(t, "10.0.0.1", NULL, now), 0);
	/* the wait ends */
	assert_int_equal(throttle_check(t, "10.0.0.1", "mallory",
	    now + THROTTLE_MAX_SECS * S), 0);
	throttle_free(t);
}

/* The wait doubles from the first failure past the free ones, and is the
   shorter of the two; a success forgets the user's failures. */
static void
waits_double_and_success_forgets(void **state)
{
	struct throttle *t = throttle_new();
	int64_t now = 5 * S;
	int i;

	for (i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "a", "u", now);
	assert_int_equal(throttle_check(t, "a", "u", now), 1);
	throttle_fail(t, "a", "u", now);
	assert_int_equal(throttle_check(t, "a", "u", now), 2);
	throttle_fail(t, "a", "u", now);
	assert_int_equal(throttle_check(t, "a", "u", now), 4);
	throttle_fail(t, "a", NULL, now);	/* the address only */
	assert_int_equal(throttle_check(t, "a", "u", now), 4);
	throttle_ok(t, "u");
	assert_int_equal(throttle_check(t, "a", "u", now), 0);
	/* failures fade */
	for (i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "b", "v", now);
	now += (THROTTLE_FORGET + 1) * S;
	throttle_fail(t, "b", "v", now);
	assert_int_equal(throttle_check(t, "b", "v", now), 0);
	throttle_free(t);
}

struct rows {
	int	 n, refused;
	char	 last_user[THROTTLE_ID_MAX];
};

static void
count_rows(const struct throttle_summary *s, void *arg)
{
	struct rows *r = arg;

	r->n++;
	r->refused += s->count;
	snprintf(r->last_user, sizeof r->last_user, "%s", s->user);
}

/* 24,000 refusals from one address: the first audited, the rest in one
   summary when the window ends. */
static void
refusals_from_one_pair_are_summarized(void **state)
{
	struct throttle *t = throttle_new();
	struct rows r = { 0, 0, "" };
	int64_t now = 7 * S;
	int i, now_rows = 0;

	for (i = 0; i < 24000; i++)
		now_rows += throttle_refused(t, "10.0.0.1", "mallory", 5,
		    "bad", now + i * 1000);
	assert_int_equal(now_rows, 1);
	assert_int_equal(throttle_flush(t, now + 1 * S, 0, count_rows, &r),
	    0);
	assert_int_equal(throttle_flush(t, now + THROTTLE_WINDOW * S, 0,
	    count_rows, &r), 1);
	assert_int_equal(r.refused, 23999);
	/* a lone refusal needs no summary */
	assert_int_equal(throttle_refused(t, "10.0.0.3", NULL, 5, "x", now),
	    1);
	assert_int_equal(throttle_flush(t, now, 1, count_rows, &r), 0);
	throttle_free(t);
}

/* Names and addresses varied by the attacker: still a bounded number of
   rows in a window. */
static void
varied_refusals_stay_bounded(void **state)
{
	struct throttle *t = throttle_new();
	struct rows r = { 0, 0, "" };
	char user[32], addr[32];
	int64_t now = 9 * S;
	int i, rows = 0;

	for (i = 0; i < 10000; i++) {
		snprintf(user, sizeof user, "u%d", i);
		rows += throttle_refused(t, "10.0.0.1", user, 5, "no user",
		    now);
	}
	assert_int_equal(rows, THROTTLE_PER_ADDR + 1);
	for (i = 0; i < 10000; i++) {
		snprintf(addr, sizeof addr, "192.0.2.%d", i % 250);
		snprintf(user, sizeof user, "v%d", i);
		rows += throttle_refused(t, addr, user, 5, "no user", now);
	}
	assert_true(rows <= THROTTLE_ROWS + 2);
	throttle_flush(t, now, 1, count_rows, &r);
	assert_true(r.n <= THROTTLE_ROWS + 2);
	assert_int_equal(r.refused + rows, 20000);
	throttle_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attacker_behind_nat_locks_out_only_itself),
		cmocka_unit_test(waits_double_and_success_forgets),
		cmocka_unit_test(refusals_from_one_pair_are_summarized),
		cmocka_unit_test(varied_refusals_stay_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
