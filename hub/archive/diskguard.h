/* diskguard — --min-free: is the data directory's file system below the
 * space the hub keeps free?  Asked by the net thread before it accepts
 * an ingest request, which is answered 507 while it is. */
#ifndef WARD_DISKGUARD_H
#define WARD_DISKGUARD_H

#include <stddef.h>
#include <stdint.h>

#define DISKGUARD_DEFAULT_PCT	5		/* of the file system ... */
#define DISKGUARD_DEFAULT_BYTES	(UINT64_C(2) << 30)	/* ... or this,
						   whichever is smaller */

struct diskguard {
	const char	*dir;		/* the data directory */
	uint64_t	 min_bytes;	/* 0: none (a percentage, or off) */
	int		 min_pct;	/* 0: none */
	int		 is_default;	/* neither given: the smaller of the
					   defaults */
	int64_t		 next_us;	/* statvfs(2) again from then */
	int		 low;		/* below the minimum at the last look */
	uint64_t	 free, want;	/* bytes, at the last look */
};

/*
 * Parse the argument of --min-free: "5%", "2G", "500M", "0" (off) into
 * g.  Returns 0 or -1.
 */
int	diskguard_parse(struct diskguard *g, const char *s);

/*
 * Is the file system of g->dir below its minimum free space?  Looks at
 * most every 200 ms (statvfs(2) costs a microsecond, but a burst of
 * requests need not ask each).  Logs each change.  When low, why gets a
 * sentence for the shipper.  Returns 1 when low, else 0.  One thread.
 */
int	diskguard_low(struct diskguard *g, char *why, size_t whylen);

#endif
