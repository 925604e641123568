#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_level = LOG_INFO;	/* set once at start */

void
log_set_level(enum log_level l)
{
	log_level = l;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char	 line[1024], ts[32];
	time_t	 now = time(NULL);
	struct tm tm;
	va_list	 ap;
	int	 n;

	if (l > log_level)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof line, "%s wardd[%d]: %s: ", ts,
	    (int)getpid(), names[l]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);	/* one write per line */
}
