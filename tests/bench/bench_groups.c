/*
 * bench_groups — heap held by correlation groups: feeds failed SSH logins,
 * each from a new source address, through a correlator of the given rules
 * and prints the heap bytes it grew by (glibc mallinfo2), in all and per
 * event.  With ward's rule pack every event opens a group in each
 * correlation that groups by source address, up to MAX_GROUPS a rule.
 * With -f FLOOD, FLOOD more such events then come (past the cap: each
 * evicts the least recently used group of those rules), and the time an
 * event of the flood takes is printed.
 *
 *   bench_groups [-r RULESDIR] [-n EVENTS] [-f FLOOD]
 */
#include <malloc.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "correlate.h"
#include "sigma.h"

static void
ignore(void *arg, const struct rule_match *m)
{
	(void)arg;
	(void)m;
}

/* Feed one failed login from a new address (seed *s).  0 or -1. */
static int
feed(struct correlator *c, unsigned *s, long id)
{
	char	 ip[32];
	json_t	*ev;
	int	 rc;

	*s = *s * 1103515245u + 12345u;
	snprintf(ip, sizeof ip, "10.%u.%u.%u", (*s >> 8) & 255,
	    (*s >> 16) & 255, 1 + (*s >> 24) % 254);
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s+, s:s, s:s, s:s, "
	    "s:[], s:{s:s, s:s, s:b}}",
	    "utctimestamp", "2026-12-04T17:00:00.000000+00:00",
	    "receivedtimestamp", "2026-12-04T17:00:00.000000+00:00",
	    "category", "authentication", "severity", "INFO",
	    "summary", "Failed password for bob from ", ip,
	    "hostname", "web1", "processname", "sshd",
	    "source", "auth.log", "tags", "details",
	    "sourceipaddress", ip, "username", "bob", "success", 0);
	rc = ev == NULL || correlator_feed(c, ev, id, 1764867600000000LL,
	    ignore, NULL) < 0 ? -1 : 0;
	json_decref(ev);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *paths[1] = { WARD_RULES_DIR };
	struct ruleset *rs;
	struct correlator *c;
	size_t	 before, after, nerr = 0;
	struct timespec t0, t1;
	unsigned s = 1;
	long	 i, n = 50000, flood = 0;
	int	 ch;

	while ((ch = getopt(argc, argv, "r:n:f:")) != -1) {
		switch (ch) {
		case 'r': paths[0] = optarg; break;
		case 'n': n = atol(optarg); break;
		case 'f': flood = atol(optarg); break;
		default:
			fprintf(stderr, "usage: bench_groups [-r rulesdir]"
			    " [-n events] [-f flood]\n");
			return 2;
		}
	}
	if ((rs = ruleset_load(paths, 1, NULL, NULL, &nerr)) == NULL ||
	    (c = correlator_new(rs)) == NULL) {
		fprintf(stderr, "bench_groups: out of memory\n");
		return 1;
	}
	before = mallinfo2().uordblks;
	for (i = 0; i < n; i++)
		if (feed(c, &s, i + 1) == -1) {
			fprintf(stderr, "bench_groups: out of memory\n");
			return 1;
		}
	after = mallinfo2().uordblks;
	printf("groups: %ld events from new addresses, %zu rule errors: heap "
	    "+%.1f MB, %.0f bytes an event\n", n, nerr,
	    (double)(after - before) / 1e6,
	    n > 0 ? (double)(after - before) / (double)n : 0.0);
	if (flood > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < flood; i++)
			if (feed(c, &s, n + i + 1) == -1) {
				fprintf(stderr, "bench_groups: out of memory\n");
				return 1;
			}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("groups: a flood of %ld more new addresses: %.2f us an "
		    "event, %zu groups held, %llu evicted, %llu hits "
		    "dropped\n", flood,
		    ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec -
		    t0.tv_nsec) / 1e3) / (double)flood, correlator_groups(c),
		    (unsigned long long)correlator_evicted(c),
		    (unsigned long long)correlator_dropped(c));
	}
	correlator_free(c);
	ruleset_free(rs);
	return 0;
}
