/* Unit tests for hub/ingest/walgate: a closed gate holds new readers back
   until it opens, a close waits for the readers inside and gives up after
   its time (opening again) or when told to stop, days are apart, and a
   reader past its deadline goes in anyway. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "deadline.h"
#include "walgate.h"

struct reader {
	int64_t		 day;
	atomic_int	 inside;
	int64_t		 waited;
	pthread_t	 tid;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;

	r->waited = walgate_enter(r->day, NULL);
	atomic_store(&r->inside, 1);
	return NULL;
}

/* A reader's thread, started; it is inside once r->inside is set. */
static void
reader_start(struct reader *r, int64_t day)
{
	r->day = day;
	atomic_init(&r->inside, 0);
	assert_int_equal(pthread_create(&r->tid, NULL, reader_main, r), 0);
}

static void
test_open_gate_lets_readers_in(void **state)
{
	(void)state;
	assert_int_equal(walgate_enter(100, NULL), 0);
	assert_int_equal(walgate_enter(100, NULL), 0);
	assert_int_equal(walgate_readers(100), 2);
	walgate_leave(100);
	walgate_leave(100);
	assert_int_equal(walgate_readers(100), 0);
	/* With nobody inside, a close is at once. */
	assert_int_equal(walgate_close(100, 1000, NULL), 0);
	walgate_open(100);
}

static void
test_closed_gate_holds_readers_until_open(void **state)
{
	struct reader r;

	(void)state;
	assert_int_equal(walgate_close(200, 1000, NULL), 0);
	reader_start(&r, 200);
	usleep(200000);
	assert_int_equal(atomic_load(&r.inside), 0);
	/* Another day is not held. */
	assert_int_equal(walgate_enter(201, NULL), 0);
	walgate_leave(201);
	walgate_open(200);
	pthread_join(r.tid, NULL);
	assert_int_equal(atomic_load(&r.inside), 1);
	assert_int_equal(walgate_readers(200), 1);
	walgate_leave(200);
}

static void *
leave_later(void *arg)
{
	usleep(200000);
	walgate_leave(*(int64_t *)arg);
	return NULL;
}

static void
test_close_waits_for_readers_inside(void **state)
{
	struct reader r;
	pthread_t t;
	int64_t	 day = 300;

	(void)state;
	assert_int_equal(walgate_enter(day, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, leave_later, &day), 0);
	/* The reader leaves after 0.2 s: the close waits for it. */
	assert_int_equal(walgate_close(day, 5000, NULL), 0);
	assert_int_equal(walgate_readers(day), 0);
	pthread_join(t, NULL);
	/* Closed until opened. */
	reader_start(&r, day);
	usleep(100000);
	assert_int_equal(atomic_load(&r.inside), 0);
	walgate_open(day);
	pthread_join(r.tid, NULL);
	walgate_leave(day);
}

static void
test_close_gives_up_and_opens(void **state)
{
	struct reader r;

	(void)state;
	assert_int_equal(walgate_enter(400, NULL), 0);
	/* The reader stays: the close gives up after its time, the gate is
	   open again (no reader is held back for nothing). */
	assert_int_equal(walgate_close(400, 200, NULL), -1);
	reader_start(&r, 400);
	pthread_join(r.tid, NULL);
	assert_int_equal(r.waited, 0);
	assert_int_equal(walgate_readers(400), 2);
	walgate_leave(400);
	walgate_leave(400);
}

static void *
stop_later(void *arg)
{
	usleep(100000);
	atomic_store((atomic_int *)arg, 1);
	return NULL;
}

static void
test_close_stops_when_told(void **state)
{
	struct timespec t0, t1;
	atomic_int stop;
	pthread_t t;

	(void)state;
	atomic_init(&stop, 0);
	assert_int_equal(walgate_enter(500, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, stop_later, &stop), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(walgate_close(500, 30000, &stop), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(t, NULL);
	assert_true(t1.tv_sec - t0.tv_sec < 25);	/* not the 30 s */
	walgate_leave(500);
}

static void
test_reader_past_deadline_goes_in(void **state)
{
	struct timespec lim;

	(void)state;
	assert_int_equal(walgate_close(600, 1000, NULL), 0);
	deadline_after(CLOCK_MONOTONIC, 100000, &lim);
	walgate_enter(600, &lim);
	assert_int_equal(walgate_readers(600), 1);
	walgate_leave(600);
	walgate_open(600);
	assert_int_equal(walgate_readers(600), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_gate_lets_readers_in),
		cmocka_unit_test(test_closed_gate_holds_readers_until_open),
		cmocka_unit_test(test_close_waits_for_readers_inside),
		cmocka_unit_test(test_close_gives_up_and_opens),
		cmocka_unit_test(test_close_stops_when_told),
		cmocka_unit_test(test_reader_past_deadline_goes_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
