/* archive — whole day partitions out of the live set and back: a day's
 * files compressed with zstd into the archive directory, with a manifest
 * that says what they hold and their SHA-256.  See the opening comment of
 * archive.c for the order of the steps, and wardd(8), FILES, for the
 * formats. */
#ifndef WARD_ARCHIVE_H
#define WARD_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

/* A day can be archived once this long has passed since it ended: the
   store files an event by its arrival, and one that arrived just before
   midnight may still be on its way to the writer just after. */
#define ARCHIVE_GRACE_US	(INT64_C(3600) * 1000000)

/* What a data directory holds of one day. */
struct archive_day {
	int64_t	 day;		/* days since the epoch */
	int	 live;		/* DATA/events/DAY.db exists */
	int	 archived;	/* a complete archive of it exists */
	int64_t	 events;	/* from the partition's meta, or the
				   manifest; -1 unknown */
	int64_t	 first_us, last_us;	/* utctimestamp range; 0 unknown */
	uint64_t live_bytes;	/* DAY.db + DAY.fts */
	uint64_t archive_bytes;	/* the compressed files */
};

/* What archive_day did. */
enum archive_did {
	ARCHIVE_WROTE,		/* wrote the archive, removed the live day */
	ARCHIVE_REUSED,		/* the archive held these very bytes
				   (a restored day): removed the live day */
	ARCHIVE_ALREADY		/* nothing live: archived before */
};

/*
 * Archive day of the data directory datadir into archdir (NULL: the
 * default DATA/archive), unless the day is not over (now_us: see
 * ARCHIVE_GRACE_US), or its text index is missing or still catching up.  With
 * remove_only, the day is deleted instead (no archive written; an
 * existing archive is left alone).  Safe while a hub runs on datadir and
 * against another archive or restore (a lock file serialises them), and
 * against kill -9 at any point.  Returns 0 with *did, *bytes (live
 * bytes archived or freed) and *events (the day's events; -1 unknown, as
 * with ARCHIVE_ALREADY); -2 with err when the day's text index is
 * missing or still catching up (not now: a hub rebuilds a missing one);
 * or -1 with err.
 */
int	archive_day(const char *datadir, const char *archdir, int64_t day,
	    int64_t now_us, int remove_only, enum archive_did *did,
	    uint64_t *bytes, int64_t *events, char *err, size_t errlen);

/*
 * Bring an archived day back into datadir's live set, checking every
 * byte against the manifest's SHA-256 before the day becomes visible.
 * The archive stays (the day is "restored": archiving it again removes
 * the live files without a second copy).  archdir NULL: the one the day
 * was archived to.  Returns 0 (also when the day is live already), or -1
 * with err.
 */
int	archive_restore(const char *datadir, const char *archdir, int64_t day,
	    char *err, size_t errlen);

/*
 * Every day datadir holds, live, archived or both, oldest first, into
 * *out (the caller frees it) and *n; without meta, a live day's events
 * and times are not read (its partition is not opened: sizes only).
 * Returns 0 or -1 with err.
 */
int	archive_list(const char *datadir, int meta, struct archive_day **out,
	    size_t *n, char *err, size_t errlen);

/*
 * Days archived and not live (DATA/events/DAY.archived without DAY.db)
 * whose events may fall in [since_us, until_us) (0: open), for a search
 * to say what it could not read.  Writes up to max of them, newest
 * first, into days (days since the epoch).  Returns how many there are
 * in all (possibly more than max).
 */
size_t	archive_reaching(const char *datadir, int64_t since_us,
	    int64_t until_us, int64_t *days, size_t max);

/*
 * What a search says when its time range reaches n archived days (days:
 * the newest shown of them, nshown): "3 days archived: restore with
 * wardd restore --data DIR 2026-09-03 2026-09-02 2026-09-01", into out.
 */
void	archive_notice(const char *datadir, size_t n, const int64_t *days,
	    size_t nshown, char *out, size_t outlen);

/* "YYYY-MM-DD" of day into out (11 bytes). */
void	archive_day_name(int64_t day, char out[11]);

/* The day of "YYYY-MM-DD", or -1. */
int64_t	archive_parse_day(const char *s);

/*
 * The live days of datadir that ended more than age_us before now_us
 * (and are over: ARCHIVE_GRACE_US), oldest first, into *out (the caller
 * frees it).  Returns how many, or -1 with err.
 */
long	archive_older_than(const char *datadir, int64_t age_us, int64_t now_us,
	    int64_t **out, char *err, size_t errlen);

#endif
