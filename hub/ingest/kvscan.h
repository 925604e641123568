/* kvscan — key=value text scanned word by word, without allocating: shared
 * by the kv step (kv.h) and the auditd parser (auditd.h). */
#ifndef WARD_KVSCAN_H
#define WARD_KVSCAN_H

#include <stddef.h>

#include <jansson.h>

/* Longest key taken as one. */
#define KV_KEY_MAX	64
/* One word of a message: a pair (k != NULL) or a bare word (k == NULL,
   v the word).  Spans point into the scanned text. */
struct kv_item {
	const char	*k;
	size_t		 kn;
	const char	*v;		/* the value, quotes taken off */
	size_t		 vn;
	int		 q;		/* '"' or '\'' when quoted, else 0 */
};

struct kv_scan {
	const char	*s;
	size_t		 i, n;
};

/*
 * Walk s[0..n) word by word.  Words are separated by spaces, tabs, line
 * ends and GS (0x1d, auditd's enriched separator).  A pair is KEY=VALUE:
 * KEY a letter or '_' then up to 63 letters, digits, '_', '.', '-', '['
 * and ']'; VALUE "quoted" (backslash escapes \" and \\), 'quoted', or a
 * run of other bytes up to the next separator, possibly empty, a ',' or
 * ';' ending it taken off.  A quote that does not close is an ordinary
 * byte.  kv_next() returns 1 with it filled, or 0 at the end.
 */
void	 kv_scan_init(struct kv_scan *, const char *s, size_t n);
int	 kv_next(struct kv_scan *, struct kv_item *it);

/* The value of it as a JSON string, "\"" and "\\" unescaped in a
   double-quoted one.  NULL when out of memory. */
json_t	*kv_value(const struct kv_item *it);

/* Is s[0..n) mostly key=value text: at least two pairs, and from the
   first pair on, pairs at least half of the words?  Allocates nothing. */
int	 kv_mostly(const char *s, size_t n);

#endif
