/*
 * bench_alertdb — what the alerter's writes cost on a stream where every
 * event matches: A open alerts (one a source address, say), each updated
 * in every write with K new event ids and its latest event, one
 * transaction a write, W writes, on a state db opened as the alerter
 * opens its own (WAL, synchronous=NORMAL).  Once an alert holds its most
 * ids (1000) every update rewrites a full list, which is the steady state
 * of a long flood.  Prints µs per update and per write, by CPU and clock.
 *
 *   bench_alertdb [-a ALERTS] [-k IDS] [-w WRITES] [-d DIR]
 */
#include <sys/resource.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "alertdb.h"
#include "monotime.h"
#include "state.h"

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main(int argc, char **argv)
{
	struct alertdb_held held;
	struct alert_hit h;
	sqlite3	*db = NULL;
	const char *dir = "/tmp";
	char	 path[4096 + 8], err[512], group[32], event[600];
	int64_t	*ids, id, next = 1;
	size_t	 a, k, w, nalerts = 250, nids = 13, writes = 100;
	double	 c0, c1, t0, t1, warm_c = 0, warm_t = 0;
	int	 c;

	while ((c = getopt(argc, argv, "a:k:w:d:")) != -1)
		switch (c) {
		case 'a': nalerts = strtoul(optarg, NULL, 10); break;
		case 'k': nids = strtoul(optarg, NULL, 10); break;
		case 'w': writes = strtoul(optarg, NULL, 10); break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "usage: bench_alertdb [-a ALERTS] "
			    "[-k IDS] [-w WRITES] [-d DIR]\n");
			return 2;
		}
	snprintf(path, 4096, "%s/bench_alertdb.%d.db", dir,
	    (int)getpid());
	if ((ids = calloc(nids, sizeof *ids)) == NULL)
		return 1;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA "
	    "synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    state_schema(db, err, sizeof err) == -1) {
		fprintf(stderr, "bench_alertdb: %s: %s\n", path,
		    sqlite3_errmsg(db));
		return 1;
	}
	memset(&held, 0, sizeof held);
	/* The steady state: writes enough to fill every alert's ids first
	   (1000 / K), not counted. */
	size_t warm = (1000 + nids - 1) / nids;

	for (w = 0; w < warm + writes; w++) {
		if (w == warm) {
			warm_c = cpu_s();
			warm_t = monotime_us() / 1e6;
		}
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (a = 0; a < nalerts; a++) {
			for (k = 0; k < nids; k++)
				ids[k] = next++;
			snprintf(group, sizeof group, "203.0.%zu.%zu",
			    a / 250, a % 250);
			snprintf(event, sizeof event, "{\"category\":"
			    "\"authentication\",\"hostname\":\"bastion%zu\","
			    "\"processname\":\"sshd\",\"severity\":\"NOTICE\","
			    "\"summary\":\"Failed password for root from %s "
			    "port %" PRId64 " ssh2\",\"utctimestamp\":"
			    "\"2026-12-07T10:00:00.000000+00:00\",\"details\":"
			    "{\"sourceipaddress\":\"%s\",\"username\":\"root\","
			    "\"success\":false}}", a % 7, group, next, group);
			memset(&h, 0, sizeof h);
			h.rule = "SSH brute force";
			h.rule_id = "bench-brute-force";
			h.level = "high";
			h.summary = "SSH brute force: 10 failed logins";
			h.group = group;
			h.ids = ids;
			h.nids = nids;
			h.nmatches = 1;
			h.first_us = h.last_us = 1796000000000000LL +
			    (int64_t)w * 1000;
			h.event_text = event;
			if (alertdb_upsert(db, &held, &h, &id, err,
			    sizeof err) == -1) {
				fprintf(stderr, "bench_alertdb: %s\n", err);
				return 1;
			}
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	c1 = cpu_s();
	t1 = monotime_us() / 1e6;
	c0 = warm_c;
	t0 = warm_t;
	printf("%zu alerts x %zu writes, %zu new ids an update: "
	    "%.1f us/update CPU (%.1f clock), %.2f ms/write CPU\n",
	    nalerts, writes, nids, (c1 - c0) * 1e6 / (double)(nalerts *
	    writes), (t1 - t0) * 1e6 / (double)(nalerts * writes),
	    (c1 - c0) * 1e3 / (double)writes);
	alertdb_held_release(&held);
	sqlite3_close(db);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	strcpy(path + strlen(path) - 3, "shm");
	unlink(path);
	free(ids);
	return 0;
}
