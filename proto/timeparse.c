/*
 * timeparse — reading and writing the timestamps that shippers send.
 *
 * Everything here is plain arithmetic on the proleptic Gregorian calendar:
 * no locale, no TZ, no timegm().  Times are microseconds since
 * 1970-01-01T00:00:00Z in an int64_t; the years we accept are 0000-9999.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"

#define US_PER_S	INT64_C(1000000)
#define S_PER_DAY	INT64_C(86400)
/* 0000-03-01 is day 0 of our internal count; 1970-01-01 is day 719468. */
#define EPOCH_SHIFT	INT64_C(719468)
/* First and last microsecond we represent: 0000-01-01 and 9999-12-31. */
#define US_MIN		(INT64_C(-62167219200) * US_PER_S)
#define US_MAX		(INT64_C(253402300800) * US_PER_S - 1)

static const char *const month_names[12] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};
static const char *const day_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive match of the n bytes of word at p. */
static int
word_eq(const char *p, const char *word, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] == '\0' || lower((unsigned char)p[i]) != word[i])
			return 0;
	return 1;
}

/* Three-letter English month name at p: 1-12, or 0. */
static int
month_at(const char *p)
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (word_eq(p, month_names[i], 3))
			return i + 1;
	return 0;
}

/* Read exactly n digits at *pp into *v and advance. */
static int
fixed_digits(const char **pp, int n, int *v)
{
	const char	*p = *pp;
	int		 i, x = 0;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	*pp = p + n;
	return 0;
}

/* Read between 1 and max digits at *pp into *v and advance. */
static int
some_digits(const char **pp, int max, int *v)
{
	const char	*p = *pp;
	int		 i, x = 0;

	for (i = 0; i < max && is_digit((unsigned char)p[i]); i++)
		x = x * 10 + (p[i] - '0');
	if (i == 0 || is_digit((unsigned char)p[i]))
		return -1;
	*v = x;
	*pp = p + i;
	return 0;
}

/* A fraction of a second after the '.' or ',': any number of digits,
   kept to the microsecond (truncated). */
static int
fraction(const char **pp, int64_t *us)
{
	const char	*p = *pp;
	int64_t		 f = 0;
	int		 n = 0;

	if (!is_digit((unsigned char)*p))
		return -1;
	for (; is_digit((unsigned char)*p); p++, n++)
		if (n < 6)
			f = f * 10 + (*p - '0');
	for (; n < 6; n++)
		f *= 10;
	*us = f;
	*pp = p;
	return 0;
}

/* a / b rounded towards minus infinity (b > 0). */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-(a + 1)) / b) - 1;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/*
 * Days from 1970-01-01 to y-m-d.  The year is taken to start on March 1,
 * so February (and its leap day) is the last month; the calendar repeats
 * every 400 years (146097 days).  Day of year from March: the month
 * lengths 31 30 31 30 31 31 30 31 30 31 31 28 follow (153 * m + 2) / 5.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;
	int	 mp;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	mp = m > 2 ? m - 3 : m + 9;
	doy = (153 * mp + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - EPOCH_SHIFT;
}

/* The inverse of days_from_civil(). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += EPOCH_SHIFT;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Validate the fields and combine them; off_s is the zone's offset east
   of UTC in seconds. */
static int
make_time(int64_t y, int mo, int d, int h, int mi, int s, int64_t frac,
    int64_t off_s, int64_t *us)
{
	int64_t	 t;

	if (y < 0 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60)
		return -1;
	t = days_from_civil(y, mo, d) * S_PER_DAY + h * 3600 + mi * 60 + s -
	    off_s;
	t = t * US_PER_S + frac;
	if (t < US_MIN || t > US_MAX)
		return -1;
	*us = t;
	return 0;
}

/* Named zones of RFC 2822 (and "UTC"), as seconds east of UTC. */
static int
zone_name(const char **pp, int64_t *off)
{
	static const struct {
		const char	*name;
		int		 hours;
	} zones[] = {
		{ "utc", 0 }, { "gmt", 0 }, { "ut", 0 }, { "z", 0 },
		{ "est", -5 }, { "edt", -4 }, { "cst", -6 }, { "cdt", -5 },
		{ "mst", -7 }, { "mdt", -6 }, { "pst", -8 }, { "pdt", -7 },
	};
	const char	*p = *pp;
	size_t		 i, n;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		n = strlen(zones[i].name);
		if (word_eq(p, zones[i].name, n) &&
		    !((p[n] >= 'a' && p[n] <= 'z') ||
		    (p[n] >= 'A' && p[n] <= 'Z'))) {
			*off = zones[i].hours * 3600;
			*pp = p + n;
			return 0;
		}
	}
	return -1;
}

/* "+hh:mm", "+hhmm", "+hh" (or '-'): seconds east of UTC. */
static int
zone_offset(const char **pp, int64_t *off)
{
	const char	*p = *pp;
	int		 sign, hh, mm = 0;

	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (fixed_digits(&p, 2, &hh) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (fixed_digits(&p, 2, &mm) == -1)
			return -1;
	} else if (is_digit((unsigned char)*p)) {
		if (fixed_digits(&p, 2, &mm) == -1)
			return -1;
	}
	if (hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	*pp = p;
	return 0;
}

/* hh:mm[:ss[.frac]] */
static int
clock_time(const char **pp, int need_sec, int *h, int *mi, int *s,
    int64_t *frac)
{
	const char	*p = *pp;

	*s = 0;
	*frac = 0;
	if (fixed_digits(&p, 2, h) == -1 || *p++ != ':' ||
	    fixed_digits(&p, 2, mi) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (fixed_digits(&p, 2, s) == -1)
			return -1;
		if ((*p == '.' || *p == ',') && is_digit((unsigned char)p[1])) {
			p++;
			if (fraction(&p, frac) == -1)
				return -1;
		}
	} else if (need_sec)
		return -1;
	*pp = p;
	return 0;
}

/* ISO 8601 / RFC 3339: YYYY-MM-DD[(T| )hh:mm[:ss[.f]]][ ][Z|+hh:mm|...] */
static int
parse_iso(const char *p, int64_t *us)
{
	int64_t	 frac = 0, off = 0;
	int	 y, mo, d, h = 0, mi = 0, s = 0;

	if (fixed_digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    fixed_digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    fixed_digits(&p, 2, &d) == -1)
		return -1;
	if (*p == 'T' || *p == 't' || (*p == ' ' && is_digit((unsigned char)p[1]))) {
		p++;
		if (clock_time(&p, 0, &h, &mi, &s, &frac) == -1)
			return -1;
		if (*p == ' ' && p[1] != '\0')
			p++;
		if (*p == '+' || *p == '-') {
			if (zone_offset(&p, &off) == -1)
				return -1;
		} else if (*p != '\0' && zone_name(&p, &off) == -1)
			return -1;
	}
	if (*p != '\0')
		return -1;
	return make_time(y, mo, d, h, mi, s, frac, off, us);
}

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* RFC 2822: [Day, ]DD Mon YYYY hh:mm[:ss] zone [(comment)] */
static int
parse_rfc2822(const char *p, int64_t *us)
{
	int64_t	 frac, off;
	int	 i, y, mo, d, h, mi, s;

	for (i = 0; i < 7; i++)
		if (word_eq(p, day_names[i], 3) && p[3] == ',') {
			p = skip_spaces(p + 4);
			break;
		}
	if (some_digits(&p, 2, &d) == -1 || *p != ' ')
		return -1;
	p = skip_spaces(p);
	if ((mo = month_at(p)) == 0 || p[3] != ' ')
		return -1;
	p = skip_spaces(p + 3);
	if (fixed_digits(&p, 4, &y) == -1) {
		/* obsolete two-digit year (RFC 2822 section 4.3) */
		if (fixed_digits(&p, 2, &y) == -1)
			return -1;
		y += y < 50 ? 2000 : 1900;
	}
	if (*p != ' ')
		return -1;
	p = skip_spaces(p);
	if (clock_time(&p, 0, &h, &mi, &s, &frac) == -1 || *p != ' ')
		return -1;
	p = skip_spaces(p);
	if (*p == '+' || *p == '-') {
		if (zone_offset(&p, &off) == -1)
			return -1;
	} else if (zone_name(&p, &off) == -1)
		return -1;
	p = skip_spaces(p);
	if (*p == '(') {
		while (*p != '\0' && *p != ')')
			p++;
		if (*p++ != ')')
			return -1;
		p = skip_spaces(p);
	}
	if (*p != '\0')
		return -1;
	return make_time(y, mo, d, h, mi, s, frac, off, us);
}

/*
 * RFC 3164: "Mon dd hh:mm:ss" (day space-padded or not), no year and no
 * zone: UTC, and of the years around now_us the one nearest to it.
 */
static int
parse_rfc3164(const char *p, int64_t now_us, int64_t *us)
{
	int64_t	 frac, ny, y, t, best = 0, dist, bestdist = -1;
	int	 mo, d, h, mi, s, nm, nd;

	if ((mo = month_at(p)) == 0 || p[3] != ' ')
		return -1;
	p = skip_spaces(p + 3);
	if (some_digits(&p, 2, &d) == -1 || *p++ != ' ')
		return -1;
	if (clock_time(&p, 1, &h, &mi, &s, &frac) == -1 || *p != '\0')
		return -1;
	civil_from_days(floor_div(now_us, S_PER_DAY * US_PER_S), &ny, &nm,
	    &nd);
	for (y = ny - 1; y <= ny + 1; y++) {
		if (make_time(y, mo, d, h, mi, s, frac, 0, &t) == -1)
			continue;
		dist = t > now_us ? t - now_us : now_us - t;
		if (bestdist == -1 || dist < bestdist) {
			best = t;
			bestdist = dist;
		}
	}
	if (bestdist == -1)
		return -1;
	*us = best;
	return 0;
}

/* Epoch seconds, milliseconds or microseconds: digits[.digits]. */
static int
parse_epoch(const char *p, int64_t *us)
{
	int64_t	 ip = 0, frac = 0, scale, v;
	int	 n = 0;

	for (; is_digit((unsigned char)*p); p++) {
		if (++n > 18)
			return -1;
		ip = ip * 10 + (*p - '0');
	}
	if (n == 0)
		return -1;
	if (*p == '.') {
		p++;
		if (fraction(&p, &frac) == -1)
			return -1;
	}
	if (*p != '\0')
		return -1;
	/* frac is in millionths of the unit */
	if (ip < INT64_C(100000000000))
		scale = US_PER_S;
	else if (ip < INT64_C(100000000000000))
		scale = 1000;
	else
		scale = 1;
	if (ip > US_MAX / scale)
		return -1;
	v = ip * scale + frac * scale / US_PER_S;
	if (v > US_MAX)
		return -1;
	*us = v;
	return 0;
}

int
time_parse(const char *s, int64_t now_us, int64_t *us)
{
	const char	*p;

	if (s == NULL || *s == '\0')
		return -1;
	if (is_digit((unsigned char)s[0])) {
		for (p = s; is_digit((unsigned char)*p); p++)
			;
		if (*p == '\0' || *p == '.')
			return parse_epoch(s, us);
		if (p - s == 4 && *p == '-')
			return parse_iso(s, us);
		return parse_rfc2822(s, us);
	}
	if (month_at(s) != 0 && s[3] == ' ')
		return parse_rfc3164(s, now_us, us);
	return parse_rfc2822(s, us);
}

int
time_from_number(double v, int64_t *us)
{
	double	 x;

	if (!isfinite(v) || v < 0)
		return -1;
	if (v < 1e11)
		x = v * 1e6;
	else if (v < 1e14)
		x = v * 1e3;
	else
		x = v;
	x = floor(x + 0.5);
	if (x > (double)US_MAX)
		return -1;
	*us = (int64_t)x;
	return 0;
}

static char *
put_digits(char *p, int64_t v, int n)
{
	int	 i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

void
time_format(int64_t us, char out[TIME_ISO_LEN])
{
	int64_t	 s, days, sod, frac, y;
	int	 m, d;
	char	*p = out;

	if (us < US_MIN)
		us = US_MIN;
	if (us > US_MAX)
		us = US_MAX;
	s = floor_div(us, US_PER_S);
	frac = us - s * US_PER_S;
	days = floor_div(s, S_PER_DAY);
	sod = s - days * S_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = '.';
	p = put_digits(p, frac, 6);
	memcpy(p, "+00:00", 7);
}

int
time_parse_duration(const char *s, int64_t *us)
{
	static const struct {
		const char	*unit;
		int64_t		 us;
	} units[] = {
		{ "us", 1 }, { "ms", 1000 }, { "s", US_PER_S },
		{ "m", 60 * US_PER_S }, { "h", 3600 * US_PER_S },
		{ "d", S_PER_DAY * US_PER_S }, { "w", 7 * S_PER_DAY * US_PER_S },
	};
	const char	*p = s;
	int64_t		 v = 0;
	size_t		 i;

	if (s == NULL || !is_digit((unsigned char)*p))
		return -1;
	for (; is_digit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].us)
			return -1;
		*us = v * units[i].us;
		return 0;
	}
	return -1;
}

int64_t
time_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000;
}
