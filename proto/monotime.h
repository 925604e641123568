/* monotime — the monotonic clock (CLOCK_MONOTONIC) in the units ward
 * counts in: for timeouts, backoffs and how long something took, which a
 * step of the wall clock must not stretch or shrink.  The wall clock, for
 * times shown or stored, is time_now_us (timeparse.h). */
#ifndef WARD_MONOTIME_H
#define WARD_MONOTIME_H

#include <stdint.h>

/* Nanoseconds, microseconds, milliseconds on the monotonic clock: only
   differences between two readings mean anything. */
int64_t	monotime_ns(void);
int64_t	monotime_us(void);
int64_t	monotime_ms(void);

#endif
