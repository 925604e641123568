#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_level = LOG_INFO;	/* set once at start */
static pthread_mutex_t hook_mtx = PTHREAD_MUTEX_INITIALIZER;
static void (*hook)(void *, enum log_level, const char *);	/* hook_mtx */
static void *hook_arg;
static _Thread_local int in_hook;	/* no hook from inside the hook */
static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static int journal;		/* stderr is the journal's stream */

/* Is standard error the stream systemd gave us to the journal?  Then a
   line is "<3>message": the journal keeps the priority and adds the
   time and pid itself (systemd.exec(5), JOURNAL_STREAM). */
static void
to_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	journal = js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &sb) == 0 && (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_set_level(enum log_level l)
{
	log_level = l;
}

void
log_set_hook(void (*fn)(void *, enum log_level, const char *), void *arg)
{
	pthread_mutex_lock(&hook_mtx);
	hook = fn;
	hook_arg = arg;
	pthread_mutex_unlock(&hook_mtx);
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char	 line[1024], ts[32];
	time_t	 now = time(NULL);
	struct tm tm;
	va_list	 ap;
	static const int prio[] = { 3, 4, 6, 7 };	/* syslog(3)'s */
	int	 n;

	if (l > log_level)
		return;
	pthread_once(&journal_once, to_journal);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (journal)
		n = snprintf(line, sizeof line, "<%d>%s: ", prio[l],
		    names[l]);
	else
		n = snprintf(line, sizeof line, "%s wardd[%d]: %s: ", ts,
		    (int)getpid(), names[l]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);	/* one write per line */
	if (l <= LOG_WARN && !in_hook) {
		in_hook = 1;
		pthread_mutex_lock(&hook_mtx);
		if (hook != NULL)
			hook(hook_arg, l, line + n);
		pthread_mutex_unlock(&hook_mtx);
		in_hook = 0;
	}
}
