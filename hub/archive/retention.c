/*
 * The housekeeping thread.  Retention archives (with --retain-delete:
 * deletes) every day that ended more than --retain ago, through
 * archive_day() — the same steps, lock and checks as `wardd archive`, so
 * the two may run at once — at start and then every 24 hours, one line
 * in the log a day and a count in /metrics.  Between runs it refreshes
 * the disk figures every FIGURES_S seconds: statvfs(2) of DATA, the live
 * bytes of each day and the archives' sizes, read from the files so that
 * the net thread, which renders /metrics, never reads a directory.  It
 * stats the partitions and never opens them (an open could run a WAL's
 * recovery, and hold other readers up, for nothing).
 *
 * A day whose text index is not ready (missing or damaged: the index is
 * told, and rebuilds it; or still being rebuilt or caught up) waits: it
 * is tried again every RETRY_US until it is archived, one line in the log
 * when it starts waiting, not a failure.
 *
 * It also keeps ward_store_events (events in the live set) true when a
 * day leaves it or comes back, whoever moved it (retention, or `wardd
 * archive` and `wardd restore` run beside the hub): at each look it
 * compares the live days with the previous look's, and takes away (or
 * adds) the events of a day archived (or restored) meanwhile, from its
 * manifest.  A day it deletes itself it takes away at once.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "buf.h"
#include "deadline.h"
#include "errf.h"
#include "log.h"
#include "retention.h"
#include "textindex.h"
#include "timeparse.h"

#define FIGURES_S	5		/* between refreshes of the figures: a
					   statvfs, a readdir, a stat a day and
					   a small JSON an archived day */
#define RETAIN_EVERY_US	(INT64_C(86400) * 1000000)
#define RETRY_US	(INT64_C(10) * 1000000)	/* a day that waits */
#define RETAIN_NICE	10	/* this thread's, and its zstd workers' */

/* What /metrics shows; owned by the metrics (metrics_more). */
struct retention_stats {
	atomic_uint_fast64_t	 archived;	/* days archived by retention */
	atomic_uint_fast64_t	 deleted;	/* days deleted by retention */
	atomic_uint_fast64_t	 failed;	/* days it could not */
	pthread_mutex_t		 mtx;
	struct buf		 figures;	/* rendered by the thread */
};

struct retention {
	struct retention_opts	 o;
	struct retention_stats	*st;
	struct metrics		*m;
	int64_t			*live;	/* the live days at the last look, */
	size_t			 nlive;	/* sorted; */
	int			 looked;	/* none before the first */
	int64_t			*waiting;	/* days waiting for their */
	size_t			 nwaiting;	/* index, at the last pass */
	pthread_t		 thread;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	int			 stop;
};

static void *
stats_new(void)
{
	struct retention_stats *st = calloc(1, sizeof *st);

	if (st == NULL)
		return NULL;
	pthread_mutex_init(&st->mtx, NULL);
	buf_init(&st->figures);
	return st;
}

static void
stats_free(void *arg)
{
	struct retention_stats *st = arg;

	buf_release(&st->figures);
	pthread_mutex_destroy(&st->mtx);
	free(st);
}

static int
stats_render(void *arg, struct buf *out)
{
	struct retention_stats *st = arg;
	int	 rc = 0;

	rc |= buf_printf(out, "# HELP ward_retention_archived_total Days "
	    "archived by --retain.\n# TYPE ward_retention_archived_total "
	    "counter\nward_retention_archived_total %" PRIu64 "\n",
	    (uint64_t)st->archived);
	rc |= buf_printf(out, "# HELP ward_retention_deleted_total Days "
	    "deleted by --retain with --retain-delete.\n# TYPE "
	    "ward_retention_deleted_total counter\n"
	    "ward_retention_deleted_total %" PRIu64 "\n",
	    (uint64_t)st->deleted);
	rc |= buf_printf(out, "# HELP ward_retention_failures_total Days "
	    "past --retain that could not be archived or deleted (the log "
	    "says why; retried at the next run).\n# TYPE "
	    "ward_retention_failures_total counter\n"
	    "ward_retention_failures_total %" PRIu64 "\n",
	    (uint64_t)st->failed);
	pthread_mutex_lock(&st->mtx);
	if (st->figures.len > 0)
		rc |= buf_append(out, st->figures.data, st->figures.len);
	pthread_mutex_unlock(&st->mtx);
	return rc ? -1 : 0;
}

static int
in_days(const int64_t *v, size_t n, int64_t day)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] == day)
			return 1;
		if (v[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Follow the days that left the live set or came back since the last
 * look (v: archive_list's, sorted), in m->store_events; remember the
 * live ones.
 */
static void
follow_live(struct retention *r, const struct archive_day *v, size_t n)
{
	int64_t	*live;
	size_t	 nlive = 0, i;
	uint64_t cur, ev;

	if ((live = calloc(n ? n : 1, sizeof *live)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (v[i].live)
			live[nlive++] = v[i].day;
		if (!r->looked || !v[i].archived || v[i].events <= 0 ||
		    v[i].live == in_days(r->live, r->nlive, v[i].day))
			continue;
		ev = (uint64_t)v[i].events;
		if (v[i].live)		/* restored */
			atomic_fetch_add(&r->m->store_events, ev);
		else {			/* archived; never below 0 */
			cur = atomic_load(&r->m->store_events);
			while (!atomic_compare_exchange_weak(
			    &r->m->store_events, &cur, cur > ev ? cur - ev :
			    0))
				;
		}
	}
	free(r->live);
	r->live = live;
	r->nlive = nlive;
	r->looked = 1;
}

/* Forget day from the live days (deleted by retain()). */
static void
forget_live(struct retention *r, int64_t day)
{
	size_t	 i;

	for (i = 0; i < r->nlive; i++)
		if (r->live[i] == day) {
			memmove(&r->live[i], &r->live[i + 1], (r->nlive - i -
			    1) * sizeof *r->live);
			r->nlive--;
			return;
		}
}

/* Render the disk and day figures into st->figures. */
static void
figures(struct retention *r)
{
	struct archive_day *v = NULL;
	struct statvfs vfs;
	struct buf b;
	char	 err[256], name[11];
	size_t	 n = 0, i, narch = 0;
	uint64_t abytes = 0, aevents = 0;

	buf_init(&b);
	if (statvfs(r->o.datadir, &vfs) == 0)
		buf_printf(&b, "# HELP ward_disk_free_bytes Bytes free for the "
		    "hub on the file system of its data directory.\n# TYPE "
		    "ward_disk_free_bytes gauge\nward_disk_free_bytes %" PRIu64
		    "\n# HELP ward_disk_size_bytes Size of that file system.\n"
		    "# TYPE ward_disk_size_bytes gauge\nward_disk_size_bytes %"
		    PRIu64 "\n", (uint64_t)vfs.f_bavail * vfs.f_frsize,
		    (uint64_t)vfs.f_blocks * vfs.f_frsize);
	if (archive_list(r->o.datadir, 0, &v, &n, err, sizeof err) == 0) {
		buf_puts(&b, "# HELP ward_day_bytes Bytes of each live day "
		    "(its partition and text index).\n# TYPE ward_day_bytes "
		    "gauge\n");
		for (i = 0; i < n; i++) {
			if (v[i].archived) {
				narch++;
				abytes += v[i].archive_bytes;
				if (!v[i].live && v[i].events > 0)
					aevents += (uint64_t)v[i].events;
			}
			if (!v[i].live)
				continue;
			archive_day_name(v[i].day, name);
			buf_printf(&b, "ward_day_bytes{day=\"%s\"} %" PRIu64
			    "\n", name, v[i].live_bytes);
		}
		follow_live(r, v, n);
		buf_printf(&b, "# HELP ward_archived_days Days archived "
		    "(restored ones too).\n# TYPE ward_archived_days gauge\n"
		    "ward_archived_days %zu\n# HELP ward_archive_bytes Bytes "
		    "of their compressed files.\n# TYPE ward_archive_bytes "
		    "gauge\nward_archive_bytes %" PRIu64 "\n# HELP "
		    "ward_archived_events Events of the archived days not "
		    "restored (out of ward_store_events, out of searches).\n"
		    "# TYPE ward_archived_events gauge\nward_archived_events %"
		    PRIu64 "\n", narch, abytes, aevents);
	}
	free(v);
	pthread_mutex_lock(&r->st->mtx);
	buf_release(&r->st->figures);
	r->st->figures = b;
	pthread_mutex_unlock(&r->st->mtx);
}

/* Is day's text index not ready to be archived with it?  1 with why
   when it is being rebuilt or caught up, or looks damaged or is missing
   (then the index is told: it rebuilds it; textindex_file_usable), else
   0. */
static int
index_unready(struct retention *r, int64_t day, const char *name,
    char *why, size_t whylen)
{
	char	 path[4200], what[512];

	snprintf(path, sizeof path, "%s/events/%s.fts", r->o.datadir, name);
	if (textindex_file_usable(r->o.index, day, path, what,
	    sizeof what) == -1) {
		snprintf(why, whylen, "its text index is %s", what);
		return 1;
	}
	if (textindex_behind(r->o.index, day)) {
		snprintf(why, whylen, "its text index is catching up");
		return 1;
	}
	return 0;
}

/* Day waits for its index (why); keep it in *w, logging it the first
   time.  prev: the days that waited at the last pass. */
static void
wait_for_index(int64_t day, const char *name, const char *why,
    const int64_t *prev, size_t nprev, int64_t *w, size_t *nw)
{
	size_t	 i;

	for (i = 0; i < nprev && prev[i] != day; i++)
		;
	if (i == nprev)
		log_info("retention: %s waits: %s; it is archived once that "
		    "is done", name, why);
	w[(*nw)++] = day;
}

/* Archive or delete each day past the age.  Returns 1 when a day waits
   for its text index (try again soon), else 0. */
static int
retain(struct retention *r)
{
	enum archive_did did;
	int64_t	*days = NULL, *waiting = NULL, now = time_now_us(), events;
	uint64_t bytes;
	char	 err[1024], name[11];
	size_t	 nw = 0;
	long	 n, i;
	int	 rc;

	if ((n = archive_older_than(r->o.datadir, r->o.age_us, now, &days,
	    err, sizeof err)) == -1) {
		log_err("retention: %s", err);
		return 0;
	}
	if (n > 0 && (waiting = calloc((size_t)n, sizeof *waiting)) == NULL) {
		log_err("retention: out of memory");
		free(days);
		return 0;
	}
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&r->mtx);
		if (r->stop) {
			pthread_mutex_unlock(&r->mtx);
			break;
		}
		pthread_mutex_unlock(&r->mtx);
		archive_day_name(days[i], name);
		if (!r->o.delete && r->o.index != NULL &&
		    index_unready(r, days[i], name, err, sizeof err)) {
			wait_for_index(days[i], name, err, r->waiting,
			    r->nwaiting, waiting, &nw);
			continue;
		}
		rc = archive_day(r->o.datadir, r->o.archdir, days[i], now,
		    r->o.delete, &did, &bytes, &events, err, sizeof err);
		if (rc == -2) {
			wait_for_index(days[i], name, err, r->waiting,
			    r->nwaiting, waiting, &nw);
			continue;
		}
		if (rc == -1) {
			log_warn("retention: %s", err);
			atomic_fetch_add(&r->st->failed, 1);
			continue;
		}
		if (did == ARCHIVE_ALREADY)
			continue;
		if (r->o.delete && events > 0) {
			uint64_t cur = atomic_load(&r->m->store_events);

			while (!atomic_compare_exchange_weak(
			    &r->m->store_events, &cur, cur > (uint64_t)events ?
			    cur - (uint64_t)events : 0))
				;
			forget_live(r, days[i]);
		}
		log_info("retention: %s %s (%" PRIu64 " bytes freed)", name,
		    r->o.delete ? "deleted" : "archived", bytes);
		atomic_fetch_add(r->o.delete ? &r->st->deleted :
		    &r->st->archived, 1);
	}
	free(days);
	free(r->waiting);
	r->waiting = waiting;
	r->nwaiting = nw;
	return nw > 0;
}

static void *
thread_main(void *arg)
{
	struct retention *r = arg;
	struct timespec ts;
	int64_t	 next = 0;

	pthread_setname_np(pthread_self(), "ward-retain");
	/* Archiving a day takes a core or two for seconds (zstd's workers,
	   which start from this thread and so share its nice value): below
	   ingest and searches, which answer people.  Linux's nice is a
	   thread's own. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), RETAIN_NICE) == -1)
		log_debug("retention: setpriority: %s", strerror(errno));
	for (;;) {
		if (r->o.age_us > 0 && time_now_us() >= next) {
			if (!r->looked)
				figures(r);	/* the live days before */
			next = time_now_us() + (retain(r) ? RETRY_US :
			    RETAIN_EVERY_US);
		}
		figures(r);
		pthread_mutex_lock(&r->mtx);
		deadline_after(CLOCK_REALTIME, (int64_t)FIGURES_S * 1000000,
		    &ts);
		while (!r->stop && pthread_cond_timedwait(&r->cond, &r->mtx,
		    &ts) != ETIMEDOUT)
			;
		if (r->stop) {
			pthread_mutex_unlock(&r->mtx);
			break;
		}
		pthread_mutex_unlock(&r->mtx);
	}
	return NULL;
}

struct retention *
retention_start(const struct retention_opts *o, struct metrics *m,
    char *err, size_t errlen)
{
	struct retention *r;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->st = metrics_more(m, "retention", stats_new, stats_render,
	    stats_free)) == NULL) {
		free(r);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	r->o = *o;
	r->m = m;
	pthread_mutex_init(&r->mtx, NULL);
	pthread_cond_init(&r->cond, NULL);
	if (pthread_create(&r->thread, NULL, thread_main, r) != 0) {
		pthread_mutex_destroy(&r->mtx);
		pthread_cond_destroy(&r->cond);
		free(r);
		errf(err, errlen, "cannot start the retention thread");
		return NULL;
	}
	return r;
}

void
retention_stop(struct retention *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mtx);
	r->stop = 1;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->mtx);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->mtx);
	pthread_cond_destroy(&r->cond);
	free(r->live);
	free(r->waiting);
	free(r);
}
