/*
 * searchrun — the state of one search in progress, shared by the search
 * wing's files: search.c (entry points, events), daypart.c (the
 * partitions), aggregate.c (count, count by, top, histogram), and what
 * they do to it (searchrun.c: time budget, errors, output).  Private to
 * the wing; the interface is search.h.
 */
#ifndef WARD_SEARCHRUN_H
#define WARD_SEARCHRUN_H

#include <sys/types.h>
#include <sys/stat.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

#include "buf.h"
#include "query.h"
#include "searchopts.h"
#include "searchsql.h"

enum plan {
	P_SQL,		/* one statement: rows in output order */
	P_WALK		/* utc index + FTS bitmap + checks by id */
};

struct part {
	char		 name[16];	/* YYYY-MM-DD.db */
	int64_t		 min_utc, max_utc, count;
	sqlite3		*db;
	int		 mapped;	/* db maps the file (daypart_open()) */
	int		 behind;	/* its index lacks rows past ixmark */
	int64_t		 ixmark;
	int		 noindex;	/* its index file is unusable: db
					   has an empty one in its place
					   (daypart.c), ixmark 0 */
	dev_t		 ixdev;		/* the index file opened (0: none) */
	ino_t		 ixino;
	enum plan	 plan;
	sqlite3_stmt	*st;		/* P_SQL rows; P_WALK (id, utc) */
	sqlite3_stmt	*cur;		/* holds the current row: id, utc,
					   doc[, sort key] */
	int		 has_row;	/* cur holds a row */
	int		 done;
	/* P_WALK */
	sqlite3_stmt	*fts;		/* matching rowids, newest first */
	sqlite3_stmt	*verify;	/* by id, FTS match known */
	sqlite3_stmt	*check;		/* by id, nothing known */
	uint64_t	*bits;		/* bit k: id top - k matches */
	size_t		 nwords;
	int64_t		 top;		/* highest matching id */
	int64_t		 lo;		/* every match >= lo is in bits */
	int		 fts_done;	/* every match is in bits */
	size_t		 nread;		/* rowids read from fts */
	size_t		 nchecks;	/* rows checked on their own */
	struct stat	 sb;		/* the file opened */
	int		 gated;		/* inside its day's WAL gate
					   (hub/ingest/walgate.h) */
};

struct run {
	const struct query	*q;
	const struct search_opts *o;
	search_emit		 emit;
	void			*arg;
	struct search_info	*info;
	char			*err;
	size_t			 errlen;
	int64_t			 since, until;	/* utc bounds; 0 open */
	struct timespec		 deadline;
	atomic_llong		 gate_wait_us;	/* spent at closed WAL
						   gates: moves the
						   deadline on */
	atomic_int		 timed_out;	/* set from any thread */
	pthread_mutex_t		 mtx;		/* err, info->partitions and
						   next_part, while workers
						   run */
	size_t			 next_part;	/* count by: the next
						   partition a worker takes */
	size_t			 limit;
	size_t			 max_groups;
	size_t			 fts_probe;
	int			 ix_unsure;	/* the index may lack any day's
						   acknowledged rows (no index
						   to ask, or its wait timed
						   out) */
	char			 slow_day[16];	/* a day read without its
						   whole index (its name;
						   under mtx), for a timeout's
						   message */
	atomic_int		 ix_damaged;	/* a day's index file was found
						   damaged while reading it
						   (searchrun.c): the text
						   index rebuilds it */
	char			 dir[4096];	/* datadir/events */
	struct part		*parts;
	size_t			 nparts;
	char			*fts;		/* FTS expression the filter
						   implies, or NULL */
	struct sql		 sql;		/* P_SQL without FTS */
	struct sql		 sqlrow;	/* sql for a partition behind:
						   every row checked on its own
						   (T_ROW) */
	struct sql		 sqlf;		/* P_SQL driven by FTS */
	struct sql		 count;		/* FTS rowids, any order */
	struct sql		 probe;		/* FTS rowids, newest first */
	struct sql		 walk;		/* P_WALK: (id, utc) */
	struct sql		 verify;	/* P_WALK: row by id */
	struct sql		 check;		/* P_WALK: row by id */
	struct buf		 line;
	int			 stopped;	/* emit said stop */
};

/* Record the search's failure: the first error wins, its kind and its
   message (into the caller's err).  Safe from any thread of the run. */
void	 searchrun_seterr(struct run *r, enum search_error code,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* searchrun_seterr() for SQLite's failure rc on p (0: the connection's
   last), its kind read from the code. */
void	 searchrun_seterr_db(struct run *r, const struct part *p, int rc);

/* Record that the time limit stopped r, saying why it may have been
   slow: a day read without its whole index (r->slow_day). */
void	 searchrun_timed_out(struct run *r);

/* searchrun_seterr() for a step on p that returned rc: a timeout when the
   time limit interrupted it, else SQLite's error. */
void	 searchrun_step_failed(struct run *r, struct part *p, int rc);

/* Is r's time up?  The time it waited at closed WAL gates does not
   count (daypart.c). */
int	 searchrun_past(struct run *r);

/* The progress handler of every connection a run reads through (arg:
   the run): nonzero, interrupting the statement, once the time limit
   is past (r->timed_out set) or the caller cancelled. */
int	 searchrun_progress(void *arg);

/* Emit one result line (s, n bytes; the callee copies what it keeps)
   and count it.  Returns 0, or -1 when the caller's callback said stop
   (r->stopped set). */
int	 searchrun_out(struct run *r, const char *s, size_t n);

#endif
