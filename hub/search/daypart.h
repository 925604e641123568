/*
 * daypart — the day partitions (DATA/events/YYYY-MM-DD.db) a search
 * reads (hub/search/daypart.c).  Private to the search wing.
 */
#ifndef WARD_DAYPART_H
#define WARD_DAYPART_H

struct part;
struct run;
struct sql;

/* Close the pool's idle connections whose file is gone or replaced
   (retention, archive, restore).  Call at the start of a search. */
void	 daypart_prune(void);

/* Fill r->parts (r->nparts) with the partitions under datadir/events
   whose time range meets [r->since, r->until), newest day first, their
   time range read (some left open in a read transaction).  Returns 0
   (none is not an error) or -1 with the run's error set.  r owns the
   array: daypart_close_all() frees it. */
int	 daypart_list(struct run *r, const char *datadir);

/* Open p read-only (or take an idle pooled connection to the same
   file) inside a read transaction, one snapshot for all it reads, and
   find whether its full-text index is behind (p->behind).  Does
   nothing when p is open.  Returns 0 or -1 with the run's error set. */
int	 daypart_open(struct run *r, struct part *p);

/* Finalize p's statements, end its transaction and give its connection
   back to the pool (or close it).  p may be closed already. */
void	 daypart_close(struct run *r, struct part *p);

/* daypart_close() every partition of r and free r->parts. */
void	 daypart_close_all(struct run *r);

/* Open p and prepare s on it into *st with s's parameters bound.
   Returns 0 or -1 with the run's error set; *st is p's to finalize
   (daypart_close()) either way. */
int	 daypart_prepare(struct run *r, struct part *p, const struct sql *s,
	    sqlite3_stmt **st);

/* Step p->st, a statement yielding rows in output order: p->has_row
   and p->cur when it gave one, p->done when not.  Returns 0 or -1 with
   the run's error set. */
int	 daypart_step(struct run *r, struct part *p);

/* Order r->parts by their newest event, newest first. */
void	 daypart_sort_newest(struct run *r);

/* Count the archived days (hub/archive/archive.h) the run's time range
   reaches into r->info->archived and archived_days: they are not
   searched, and the caller says so rather than return less. */
void	 daypart_archived(struct run *r, const char *datadir);

#endif
