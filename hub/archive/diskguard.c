/*
 * The hub stops taking events a little before the disk is full rather
 * than when SQLite fails to commit: a full disk also stops the text
 * index, the state database (incidents, alerts) and the WAL checkpoints,
 * and the shipper is better told "507: the hub's disk is nearly full"
 * than 503 "disk I/O error".  Searches and consoles go on (they only
 * read); once space returns (a day archived, files deleted) the next
 * look sees it and ingest resumes by itself.  Nothing acknowledged is
 * at risk either way: a commit that fails is never acknowledged.
 *
 * The default, the smaller of 5 % and 2 GiB: 5 % of a small disk (3 MB
 * of a 64 MB one) still leaves room for a commit in flight, and on a
 * large one 2 GiB is hours of ingest at the issue-2 rate, while 5 % of
 * 10 TB would waste 500 GB.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "diskguard.h"
#include "log.h"
#include "timeparse.h"

#define LOOK_EVERY_US	200000

int
diskguard_parse(struct diskguard *g, const char *s)
{
	char	*end;
	unsigned long long v;

	g->min_bytes = 0;
	g->min_pct = 0;
	g->is_default = 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		return -1;
	switch (*end) {
	case '%':
		if (v > 90)
			return -1;
		g->min_pct = (int)v;
		end++;
		break;
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	}
	if (*end != '\0')
		return -1;
	if (g->min_pct == 0)
		g->min_bytes = v;
	return 0;
}

static void
human(uint64_t b, char *out, size_t outlen)
{
	if (b >= UINT64_C(10) << 30)
		snprintf(out, outlen, "%" PRIu64 " GB", b >> 30);
	else if (b >= UINT64_C(10) << 20)
		snprintf(out, outlen, "%" PRIu64 " MB", b >> 20);
	else
		snprintf(out, outlen, "%" PRIu64 " kB", b >> 10);
}

int
diskguard_low(struct diskguard *g, char *why, size_t whylen)
{
	struct statvfs vfs;
	int64_t	 now = time_now_us();
	uint64_t size, pct;
	char	 f[32], w[32];
	int	 low;

	if (now >= g->next_us) {
		g->next_us = now + LOOK_EVERY_US;
		if (statvfs(g->dir, &vfs) == -1)
			return g->low;		/* keep the last answer */
		size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		g->free = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		pct = size / 100 * (uint64_t)(g->is_default ?
		    DISKGUARD_DEFAULT_PCT : g->min_pct);
		if (g->is_default)
			g->want = pct < DISKGUARD_DEFAULT_BYTES ? pct :
			    DISKGUARD_DEFAULT_BYTES;
		else
			g->want = g->min_pct > 0 ? pct : g->min_bytes;
		low = g->free < g->want;
		human(g->free, f, sizeof f);
		human(g->want, w, sizeof w);
		if (low && !g->low)
			log_err("disk: %s free for %s, below --min-free (%s): "
			    "ingest is answered 507 until there is more "
			    "(archive or delete days: wardd archive)", f,
			    g->dir, w);
		else if (!low && g->low)
			log_info("disk: %s free for %s again: ingest resumes",
			    f, g->dir);
		g->low = low;
	}
	if (g->low) {
		human(g->free, f, sizeof f);
		human(g->want, w, sizeof w);
		snprintf(why, whylen, "the hub's disk is nearly full (%s free, "
		    "it keeps %s free); nothing of this request was stored: "
		    "send it again later", f, w);
	}
	return g->low;
}
