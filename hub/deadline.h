/* deadline — the time, on a given clock, some microseconds from now: what
 * pthread_cond_timedwait and a timeout compare against. */
#ifndef WARD_DEADLINE_H
#define WARD_DEADLINE_H

#include <stdint.h>
#include <time.h>

/* Set *ts to us microseconds (>= 0) after now on clock clk. */
static inline void
deadline_after(clockid_t clk, int64_t us, struct timespec *ts)
{
	clock_gettime(clk, ts);
	ts->tv_sec += (time_t)(us / 1000000);
	ts->tv_nsec += (long)(us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif
