/*
 * walgate — keeps a day partition's WAL bounded under readers that never
 * pause.  A read transaction pins the WAL frames its snapshot needs, and
 * SQLite starts a WAL over only at an instant when no reader holds one:
 * back-to-back multi-second searches leave no such instant, and the WAL
 * of the partition being written grows for as long as they go on (11-15
 * GB in two minutes was seen; tests/bench/wal.sh measures it).
 *
 * So each day has a gate.  Searches pass it before their read transaction
 * on a day's files and leave after it ends (hub/search/daypart.c).  When
 * the store's checkpointer finds the day's WAL past its bound it closes
 * the gate: searches arriving then wait, those inside finish (each is
 * bounded by its time limit), and once none is left the checkpointer
 * truncates the WAL and opens the gate again (hub/ingest/store.c).  A
 * search still reads one snapshot per partition, so its results are
 * exactly what they were; what it costs is the wait at a closed gate.
 *
 * The gates are process-wide, like SQLite's own locks on those files: the
 * readers and the checkpointer reach a day by its number, from different
 * wings, without knowing each other.
 */
#ifndef WARD_WALGATE_H
#define WARD_WALGATE_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* The longest a closer waits for the readers inside to leave (longer
   than a search's default time limit, SEARCH_TIMEOUT_MS): a reader at a
   closed gate waits at most about this. */
#define WALGATE_WAIT_MS	30000

/*
 * Pass day's gate before a read transaction on its files: wait while it
 * is closed, but not past deadline (CLOCK_MONOTONIC; NULL: no limit),
 * then count as a reader inside, gate closed or not (a reader past its
 * deadline is about to stop anyway).  Returns the milliseconds waited.
 * Every walgate_enter() is matched by one walgate_leave() of the same
 * day.
 */
int64_t	 walgate_enter(int64_t day, const struct timespec *deadline);

/* The reader's transaction on day's files has ended. */
void	 walgate_leave(int64_t day);

/*
 * Close day's gate and wait up to wait_ms for the readers inside to
 * leave, or until *stop (NULL: never) is set.  Returns 0 when none is
 * left (the gate stays closed: call walgate_open()), or -1 when some
 * still are (the gate is open again).  One closer at a time (the store's
 * checkpointer).
 */
int	 walgate_close(int64_t day, int wait_ms, const atomic_int *stop);

/* Open day's gate again: the readers waiting go in. */
void	 walgate_open(int64_t day);

/* Readers inside day's gate now (tests, metrics). */
int	 walgate_readers(int64_t day);

#endif
