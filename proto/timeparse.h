/* timeparse — reading and writing the timestamps that shippers send. */
#ifndef WARD_TIMEPARSE_H
#define WARD_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Longest string time_format() writes, with its NUL. */
#define TIME_ISO_LEN	33

/*
 * Parse a timestamp string into microseconds since the epoch (UTC).
 * Accepts ISO 8601 / RFC 3339 ("T" or space, optional fraction of any
 * length, "Z", "+hh:mm", "+hhmm", "+hh" or no zone meaning UTC), RFC 2822
 * ("Fri, 27 Nov 2026 17:42:33 +0000"), RFC 3164 syslog ("Nov 27 17:42:33",
 * year taken from now_us), and epoch seconds, milliseconds or microseconds
 * written as a decimal string (optionally with a fraction).  Years
 * 0000-9999 only.  Returns 0, or -1 when s is not a time.
 */
int	time_parse(const char *s, int64_t now_us, int64_t *us);

/*
 * Epoch number to microseconds: its magnitude tells seconds (< 1e11),
 * milliseconds (< 1e14) or microseconds.  Returns 0, or -1 when v is not
 * finite, negative or past the year 9999.
 */
int	time_from_number(double v, int64_t *us);

/* Write us as "2026-11-27T17:42:33.123456+00:00" into out (TIME_ISO_LEN);
   times outside the years 0000-9999 are clamped to them. */
void	time_format(int64_t us, char out[TIME_ISO_LEN]);

/*
 * Parse a duration such as "15m", "2h", "7d", "30s", "500ms", "1w" (also
 * "us") into microseconds.  Returns 0, or -1 when s is not a duration.
 */
int	time_parse_duration(const char *s, int64_t *us);

/* The current time in microseconds since the epoch (CLOCK_REALTIME). */
int64_t	time_now_us(void);

#endif
