/*
 * searchrun — what the search wing's parts share about the one search in
 * progress: its time budget, its errors (the first wins) and its output
 * lines.  search.c, daypart.c and aggregate.c call these; they call none
 * of those.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <sqlite3.h>

#include "monotime.h"
#include "searchopts.h"
#include "searchrun.h"

/* ---- time budget ------------------------------------------------------ */

/* Is r's time up?  The time it waited at closed WAL gates (daypart.c)
   is not its own: the deadline moves on by as much. */
int
searchrun_past(struct run *r)
{
	int64_t	 now = monotime_ns() - atomic_load(&r->gate_wait_us) * 1000;

	return now >= (int64_t)r->deadline.tv_sec * 1000000000 +
	    r->deadline.tv_nsec;
}

int
searchrun_progress(void *arg)
{
	struct run *r = arg;

	if (searchrun_past(r)) {
		r->timed_out = 1;
		return 1;
	}
	if (r->o->cancel != NULL && atomic_load(r->o->cancel))
		return 1;	/* the caller will not read the answer */
	return 0;
}

/* ---- errors ----------------------------------------------------------- */

/* The first error wins: its message and its kind. */
void
searchrun_seterr(struct run *r, enum search_error code, const char *fmt, ...)
{
	va_list	 ap;

	pthread_mutex_lock(&r->mtx);
	if (r->info->error == SEARCH_OK) {
		r->info->error = code;
		if (r->err != NULL && r->errlen > 0) {
			va_start(ap, fmt);
			vsnprintf(r->err, r->errlen, fmt, ap);
			va_end(ap);
		}
	}
	pthread_mutex_unlock(&r->mtx);
}

/* The kind of a failure SQLite reported (rc, or the connection's last):
   a damaged file, the time limit, or the store unreadable now (disk
   full, I/O, busy, memory, a file missing). */
static enum search_error
db_error(sqlite3 *db, int rc)
{
	if (rc == SQLITE_OK && db != NULL)
		rc = sqlite3_errcode(db);
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
		return SEARCH_EFAIL;
	case SQLITE_INTERRUPT:
		return SEARCH_ETIMEOUT;
	default:
		return SEARCH_EUNAVAIL;
	}
}

/* Report SQLite's failure rc (0: the connection's last) on p. */
void
searchrun_seterr_db(struct run *r, const struct part *p, int rc)
{
	searchrun_seterr(r, db_error(p->db, rc), "%s: %s", p->name,
	    p->db != NULL ? sqlite3_errmsg(p->db) : "cannot open");
}

void
searchrun_step_failed(struct run *r, struct part *p, int rc)
{
	if (r->timed_out || rc == SQLITE_INTERRUPT)
		searchrun_seterr(r, SEARCH_ETIMEOUT, "search timed out after "
		    "%d ms (narrow the time range or the query)",
		    r->o->timeout_ms > 0 ? r->o->timeout_ms :
		    SEARCH_TIMEOUT_MS);
	else
		searchrun_seterr_db(r, p, rc);
}

int
searchrun_out(struct run *r, const char *s, size_t n)
{
	if (r->emit(r->arg, s, n) == -1) {
		r->stopped = 1;
		return -1;
	}
	r->info->rows++;
	return 0;
}
