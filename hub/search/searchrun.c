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
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "monotime.h"
#include "partition.h"
#include "searchopts.h"
#include "searchrun.h"
#include "textindex.h"

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

/*
 * SQLite found a file of p damaged (rc, 0: the connection's last): is it
 * its full-text index, the one file that can be made again?  FTS5 says
 * so itself (SQLITE_CORRUPT_VTAB); else the index file alone is checked
 * (PRAGMA quick_check: it reads the file, but this is a rare path).
 * Then the text index rebuilds it, the run says so (r->ix_damaged: the
 * caller may run the search again, now without that file) and 1 is
 * returned; else 0.
 */
static int
index_damaged(struct run *r, const struct part *p, int rc)
{
	sqlite3_stmt *st;
	const char *res;
	char	 msg[256], why[320];
	int	 ext, damaged = 0;

	if (p->db == NULL || sqlite3_db_filename(p->db, "ix") == NULL)
		return 0;
	ext = sqlite3_extended_errcode(p->db);
	if (rc == SQLITE_OK)
		rc = ext;
	if ((rc & 0xff) != SQLITE_CORRUPT && (rc & 0xff) != SQLITE_NOTADB)
		return 0;
	snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(p->db));
	if (ext == SQLITE_CORRUPT_VTAB)
		damaged = 1;
	else if (sqlite3_prepare_v2(p->db, "PRAGMA ix.quick_check(1)", -1,
	    &st, NULL) == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			damaged = (res = (const char *)sqlite3_column_text(st,
			    0)) != NULL && strcmp(res, "ok") != 0;
		else
			damaged = (rc & 0xff) == SQLITE_CORRUPT ||
			    (rc & 0xff) == SQLITE_NOTADB;
		sqlite3_finalize(st);
	}
	if (!damaged)
		return 0;
	snprintf(why, sizeof why, "is damaged (%s)", msg);
	textindex_damaged(r->o->index, partition_day(p->name), why);
	atomic_store(&r->ix_damaged, 1);
	searchrun_seterr(r, SEARCH_EUNAVAIL, "%s: the day's full-text index "
	    "is damaged (%s): the hub rebuilds it from the day's events and "
	    "reads the day without it meanwhile; search again", p->name, msg);
	return 1;
}

/* Report SQLite's failure rc (0: the connection's last) on p. */
void
searchrun_seterr_db(struct run *r, const struct part *p, int rc)
{
	if (index_damaged(r, p, rc))
		return;
	searchrun_seterr(r, db_error(p->db, rc), "%s: %s", p->name,
	    p->db != NULL ? sqlite3_errmsg(p->db) : "cannot open");
}

void
searchrun_timed_out(struct run *r)
{
	char	 day[16];

	r->timed_out = 1;
	pthread_mutex_lock(&r->mtx);
	memcpy(day, r->slow_day, sizeof day);
	pthread_mutex_unlock(&r->mtx);
	if (day[0] != '\0')
		searchrun_seterr(r, SEARCH_ETIMEOUT, "search timed out after "
		    "%d ms: the full-text index of %.10s is being rebuilt or "
		    "is catching up, so its events are read one by one (narrow "
		    "the time range or the query, or wait)",
		    r->o->timeout_ms > 0 ? r->o->timeout_ms :
		    SEARCH_TIMEOUT_MS, day);
	else
		searchrun_seterr(r, SEARCH_ETIMEOUT, "search timed out after "
		    "%d ms (narrow the time range or the query)",
		    r->o->timeout_ms > 0 ? r->o->timeout_ms :
		    SEARCH_TIMEOUT_MS);
}

void
searchrun_step_failed(struct run *r, struct part *p, int rc)
{
	if (r->timed_out || rc == SQLITE_INTERRUPT)
		searchrun_timed_out(r);
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
