/*
 * bench_search — build a seeded corpus of stored events and time searches
 * over it (tests/bench/search.sh drives it; see issue 3, "Speed").
 *
 *   bench_search build -d DATADIR [-n EVENTS] [-D DAYS] [-s SEED]
 *   bench_search run -d DATADIR [-r REPS] [-R SQLREPS] [-o SQLFILE]
 *                    [-t TSV] [-q QUERY] [-T THREADS]
 *   bench_search mem -d DATADIR [-q QUERY] [-l LIMIT]
 *
 * build writes EVENTS MozDef-shaped sshd events (as tests/bench/loadgen
 * sends, plus a tail of rare hosts and users) straight through the
 * pipeline and the store, their arrival spread evenly over the DAYS UTC
 * days before today (one partition a day), each timestamped up to 60 s
 * before its arrival.  It writes DATADIR/corpus.done when complete.
 *
 * run times every query of the table below REPS times (aggregations
 * AGG_REPS times), after one warm-up run, through search_run(), and
 * prints p50, p99 and max in ms with the rows returned, and p50 and p99 of
 * the CPU time the process spent on a run (all threads: a wall time far
 * above its CPU time is time spent waiting for a core) (with -q, only the
 * query of the table whose text is QUERY; -T sets the threads a count by
 * runs on).  With -o it also writes, for the sqlite3 shell, the same
 * queries as a user would type them over the partitions (ATTACHed), each
 * 1 + SQLREPS times under .timer on (one "Run Time" line each, in table
 * order); search.sh runs that file and compares.
 *
 * mem runs one search, counts its lines and bytes, and prints the peak
 * RSS of the process before and after (getrusage), so a search returning
 * everything can be compared with one returning 50 lines.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "job.h"
#include "metrics.h"
#include "pipeline.h"
#include "search.h"
#include "store.h"
#include "timeparse.h"

#define BATCH		5000	/* events a job */
#define INFLIGHT	4	/* jobs queued for the writer at most */
#define SKEW_S		60	/* timestamps precede arrival by up to this */
#define AGG_REPS	3	/* timed runs of an aggregation */

static const char *hosts[] = { "web1", "web2", "web3", "db1", "db2",
    "mail1", "bastion", "vpn1", "k8s-node-1", "k8s-node-2" };
static const char *users[] = { "root", "admin", "deploy", "alice", "bob",
    "carol", "oracle", "postgres", "test", "ubuntu" };
static const char *sev[] = { "INFO", "INFO", "INFO", "NOTICE", "WARNING",
    "ERROR" };

/* The benchmark's queries: the targets, common and rare terms. */
struct bq {
	const char	*name;
	const char	*q;
	const char	*sql;	/* the same for the sqlite3 shell; %s: the
				   partition, then its index */
	int		 agg;	/* sql is an aggregation */
};

static const struct bq queries[] = {
	{ "text, common (75%)", "failed",
	  "SELECT id, utc, doc FROM %s.events_full WHERE id IN (SELECT rowid"
	  " FROM %s.fts WHERE fts MATCH 'failed')", 0 },
	{ "text, 1 in 11", "alice",
	  "SELECT id, utc, doc FROM %s.events_full WHERE id IN (SELECT rowid"
	  " FROM %s.fts WHERE fts MATCH 'alice')", 0 },
	{ "text, rare (1 in 10^4)", "user0042",
	  "SELECT id, utc, doc FROM %s.events_full WHERE id IN (SELECT rowid"
	  " FROM %s.fts WHERE fts MATCH 'user0042')", 0 },
	{ "field, 1 in 10", "hostname:web1",
	  "SELECT id, utc, doc FROM %s.events_full WHERE hostname = 'web1'",
	  0 },
	{ "field, rare (1 in 10^4)", "hostname:host042",
	  "SELECT id, utc, doc FROM %s.events_full WHERE hostname ="
	  " 'host042'", 0 },
	{ "json field, 1 in 11", "details.username:alice",
	  "SELECT id, utc, doc FROM %s.events_full WHERE f_username ="
	  " '\"alice\"'", 0 },
	{ "json field, rare", "details.username:user0042",
	  "SELECT id, utc, doc FROM %s.events_full WHERE f_username ="
	  " '\"user0042\"'", 0 },
	{ "count by, 1M of 10M", "hostname:web1 | count by details.username",
	  "SELECT f_username AS k, count(*) AS c FROM %s.events WHERE"
	  " hostname = 'web1' GROUP BY 1", 1 },
	{ "count by, text 0.9M", "alice | count by hostname",
	  "SELECT hostname AS k, count(*) AS c FROM %s.events WHERE id IN "
	  "(SELECT rowid FROM %s.fts WHERE fts MATCH 'alice') GROUP BY 1", 1 },
	{ NULL, NULL, NULL, 0 }
};

/* CPU time of the whole process (every thread), ms. */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* One event arriving at recv_us, as NDJSON into b. */
static void
event(struct buf *b, uint32_t *s, int64_t recv_us, long seq)
{
	time_t	 t;
	struct tm tm;
	char	 ts[32], ip[20], host[16], user[16];
	int64_t	 utc = recv_us - (int64_t)(rnd(s) % (SKEW_S * 1000000u));
	unsigned port = 1024 + rnd(s) % 60000;
	int	 ok = rnd(s) % 4 == 0;

	/* 97% of hosts and 90% of users are loadgen's ten; the rest are
	   300 rare hosts and 1000 rare users. */
	if (rnd(s) % 100 < 97)
		snprintf(host, sizeof host, "%s", hosts[rnd(s) % 10]);
	else
		snprintf(host, sizeof host, "host%03u", rnd(s) % 300);
	if (rnd(s) % 10 != 0)
		snprintf(user, sizeof user, "%s", users[rnd(s) % 10]);
	else
		snprintf(user, sizeof user, "user%04u", rnd(s) % 1000);
	t = (time_t)(utc / 1000000);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ip, sizeof ip, "%u.%u.%u.%u", 10 + rnd(s) % 200,
	    rnd(s) % 256, rnd(s) % 256, 1 + rnd(s) % 254);
	buf_printf(b, "{\"timestamp\":\"%s.%06dZ\",\"hostname\":\"%s\","
	    "\"processname\":\"sshd\",\"processid\":%u,"
	    "\"severity\":\"%s\",\"category\":\"authentication\","
	    "\"source\":\"auth.log\",\"tags\":[\"ssh\",\"corpus\"],"
	    "\"summary\":\"%s password for %s from %s port %u ssh2\","
	    "\"details\":{\"sourceipaddress\":\"%s\",\"sourceport\":%u,"
	    "\"username\":\"%s\",\"success\":%s,\"authmethod\":\"password\","
	    "\"loadid\":\"corpus-%ld\",\"bytes\":%u}}\n",
	    ts, (int)(utc % 1000000), host, 1000 + rnd(s) % 30000,
	    sev[rnd(s) % 6], ok ? "Accepted" : "Failed", user, ip, port, ip,
	    port, user, ok ? "true" : "false", seq, rnd(s) % 100000);
}

/* ---- build ------------------------------------------------------------ */

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long done_jobs, failed_jobs;

static void
done(void *arg, struct job *j)
{
	(void)arg;
	pthread_mutex_lock(&mtx);
	if (j->status != 0)
		failed_jobs++;
	done_jobs++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
	job_free(j);
}

static int
build(const char *data, long total, int days, uint32_t seed)
{
	struct pipeline_opts po = { 1, 64u << 20, 64, "bench", NULL };
	struct metrics m;
	struct store *st;
	struct job *j;
	char	 err[512], path[4096];
	int64_t	 day0, start_us, span_us;
	long	 seq = 0, njobs = 0;
	double	 t0 = now_ms();
	uint32_t seed0 = seed;
	FILE	*f;

	memset(&m, 0, sizeof m);
	day0 = time_now_us() / 86400000000LL;
	start_us = (day0 - days) * 86400000000LL;
	span_us = (int64_t)days * 86400000000LL;
	if ((st = store_open(data, &m, err, sizeof err)) == NULL ||
	    store_start(st, done, NULL) == -1) {
		fprintf(stderr, "bench_search: %s\n", err);
		return 1;
	}
	while (seq < total) {
		int64_t	 recv;
		int	 i;

		if ((j = job_new(JOB_EVENTS)) == NULL) {
			fprintf(stderr, "bench_search: out of memory\n");
			return 1;
		}
		snprintf(j->ctype, sizeof j->ctype, "application/x-ndjson");
		recv = start_us + (int64_t)((double)span_us * seq / total);
		j->received_us = recv;
		for (i = 0; i < BATCH && seq < total; i++, seq++)
			event(&j->body, &seed, start_us + (int64_t)((double)
			    span_us * seq / total), seq);
		pipeline_process(&po, NULL, j, &m);
		pthread_mutex_lock(&mtx);
		while (njobs - done_jobs >= INFLIGHT)
			pthread_cond_wait(&cond, &mtx);
		pthread_mutex_unlock(&mtx);
		store_submit(st, j);
		njobs++;
		if (njobs % 200 == 0)
			fprintf(stderr, "\rbuild: %ld events, %.0f/s", seq,
			    seq / ((now_ms() - t0) / 1e3));
	}
	pthread_mutex_lock(&mtx);
	while (done_jobs < njobs)
		pthread_cond_wait(&cond, &mtx);
	pthread_mutex_unlock(&mtx);
	store_free(st);
	fprintf(stderr, "\rbuild: %ld events in %.0f s, %ld failed jobs\n",
	    seq, (now_ms() - t0) / 1e3, failed_jobs);
	if (failed_jobs > 0)
		return 1;
	snprintf(path, sizeof path, "%s/corpus.done", data);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "%ld events, %d days, seed %u\n", total, days, seed0);
	return fclose(f) == 0 ? 0 : 1;
}

/* ---- run -------------------------------------------------------------- */

struct sink {
	size_t	 lines;
	size_t	 bytes;
	int	 sample;	/* watch the anonymous RSS */
	long	 anon_kb;	/* its highest sample */
};

/* The process's anonymous resident memory in kB (heap, not the file
   pages SQLite maps), or -1. */
static long
rss_anon_kb(void)
{
	char	 line[256];
	long	 kb = -1;
	FILE	*f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "RssAnon: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int
sink(void *arg, const char *line, size_t len)
{
	struct sink *k = arg;
	long	 kb;

	(void)line;
	k->lines++;
	k->bytes += len;
	if (k->sample && k->lines % 20000 == 1 &&
	    (kb = rss_anon_kb()) > k->anon_kb)
		k->anon_kb = kb;
	return 0;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run q once; returns ms or -1. */
static double
time_one(const char *data, const char *q, const struct search_opts *o,
    struct sink *k)
{
	struct search_info info;
	char	 err[512];
	double	 t0 = now_ms();
	int	 pos;

	k->lines = k->bytes = 0;
	if (search_run(data, q, o, sink, k, &info, err, sizeof err,
	    &pos) == -1) {
		fprintf(stderr, "bench_search: %s: %s\n", q, err);
		return -1;
	}
	return now_ms() - t0;
}

/* The partitions' file names under data/events, newest first. */
static int
parts(const char *data, char names[][16], int max)
{
	struct dirent *de;
	char	 dir[4096];
	DIR	*d;
	int	 n = 0, i, k;

	snprintf(dir, sizeof dir, "%s/events", data);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (strlen(de->d_name) != 13 ||
		    strcmp(de->d_name + 10, ".db") != 0)
			continue;
		snprintf(names[n++], 16, "%s", de->d_name);
	}
	closedir(d);
	for (i = 1; i < n; i++)		/* insertion sort, descending */
		for (k = i; k > 0 && strcmp(names[k - 1], names[k]) < 0; k--) {
			char	 t[16];

			memcpy(t, names[k], 16);
			memcpy(names[k], names[k - 1], 16);
			memcpy(names[k - 1], t, 16);
		}
	return n;
}

/* The sqlite3 shell script: attach the partitions, run each query
   1 + reps times under .timer on. */
static int
write_sql(const char *data, const char *file, int reps)
{
	char	 names[10][16], alias[10][16], ix[10][16], path[4200];
	struct stat sb;
	FILE	*f;
	int	 n, i, k, r;

	if ((f = fopen(file, "w")) == NULL)
		return -1;
	n = parts(data, names, 10);
	for (i = 0; i < n; i++) {
		/* Layout 3 keeps the index in a file beside the partition
		   (hub/schema.h); older ones inside it. */
		snprintf(path, sizeof path, "%s/events/%.10s.fts", data,
		    names[i]);
		snprintf(alias[i], sizeof alias[i], "p%d", i);
		snprintf(ix[i], sizeof ix[i], "%s%d", stat(path, &sb) == 0 ?
		    "x" : "p", i);
		fprintf(f, "ATTACH '%s/events/%s' AS p%d;\n", data,
		    names[i], i);
		if (ix[i][0] == 'x')
			fprintf(f, "ATTACH '%s' AS x%d;\n", path, i);
	}
	fprintf(f, ".output /dev/null\n.timer on\n");
	for (k = 0; queries[k].name != NULL; k++) {
		for (r = 0; r < reps + 1; r++) {
			fprintf(f, "SELECT %s FROM (", queries[k].agg ?
			    "k, sum(c)" : "id, doc");
			for (i = 0; i < n; i++) {
				if (i > 0)
					fprintf(f, " UNION ALL ");
				fprintf(f, queries[k].sql, alias[i], ix[i]);
			}
			if (queries[k].agg)
				fprintf(f, ") GROUP BY 1 ORDER BY 2 DESC;\n");
			else
				fprintf(f, ") ORDER BY utc DESC, id DESC "
				    "LIMIT 50;\n");
		}
	}
	return fclose(f);
}

static int
run(const char *data, int reps, const char *tsv, const char *only,
    int threads)
{
	FILE	*tf = NULL;
	struct search_opts o;
	struct sink k = { 0, 0, 0, 0 };
	double	*ms, *cpu, t, c0;
	int	 i, r, n;

	if ((ms = calloc((size_t)reps, sizeof *ms)) == NULL ||
	    (cpu = calloc((size_t)reps, sizeof *cpu)) == NULL)
		return 1;
	if (tsv != NULL && (tf = fopen(tsv, "w")) == NULL) {
		perror(tsv);
		return 1;
	}
	memset(&o, 0, sizeof o);
	o.limit = 50;
	o.timeout_ms = 600000;
	o.threads = threads;
	printf("%-26s %-42s %6s %8s %8s %8s %8s %8s\n", "query", "text",
	    "rows", "p50 ms", "p99 ms", "max ms", "cpu p50", "cpu p99");
	for (i = 0; queries[i].name != NULL; i++) {
		if (only != NULL && strcmp(only, queries[i].q) != 0)
			continue;
		/* Aggregations take seconds: a few runs, the median. */
		n = queries[i].agg && reps > AGG_REPS ? AGG_REPS : reps;
		o.limit = queries[i].agg ? 100000 : 50;
		if (time_one(data, queries[i].q, &o, &k) < 0)
			return 1;
		for (r = 0; r < n; r++) {
			c0 = cpu_ms();
			if ((t = time_one(data, queries[i].q, &o, &k)) < 0)
				return 1;
			cpu[r] = cpu_ms() - c0;
			ms[r] = t;
		}
		qsort(ms, (size_t)n, sizeof *ms, dbl_cmp);
		qsort(cpu, (size_t)n, sizeof *cpu, dbl_cmp);
		printf("%-26s %-42s %6zu %8.2f %8.2f %8.2f %8.2f %8.2f\n",
		    queries[i].name, queries[i].q, k.lines, ms[n / 2],
		    ms[(n * 99 + 99) / 100 - 1], ms[n - 1], cpu[n / 2],
		    cpu[(n * 99 + 99) / 100 - 1]);
		fflush(stdout);
		if (tf != NULL)
			fprintf(tf, "%d\t%.3f\t%.3f\n", i, ms[n / 2],
			    ms[(n * 99 + 99) / 100 - 1]);
	}
	free(ms);
	free(cpu);
	if (tf != NULL)
		fclose(tf);
	return 0;
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int
mem(const char *data, const char *q, size_t limit)
{
	struct search_opts o;
	struct sink k;
	long	 before = maxrss_kb(), anon0 = rss_anon_kb();
	double	 t;

	memset(&o, 0, sizeof o);
	o.limit = limit;
	o.max_limit = limit;
	o.timeout_ms = 3600000;
	memset(&k, 0, sizeof k);
	k.sample = 1;
	if ((t = time_one(data, q, &o, &k)) < 0)
		return 1;
	printf("%-14s limit %-9zu %9zu lines %6.0f MB out %7.1f s   "
	    "peak RSS %4ld MB (%ld before), heap %.1f MB (%.1f before)\n",
	    q, limit, k.lines, k.bytes / 1e6, t / 1e3, maxrss_kb() / 1024,
	    before / 1024, k.anon_kb / 1024.0, anon0 / 1024.0);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_search build -d datadir [-n events] "
	    "[-D days] [-s seed]\n"
	    "       bench_search run -d datadir [-r reps] [-R sqlreps] "
	    "[-o sqlfile] [-t tsv] [-q query] [-T threads]\n"
	    "       bench_search mem -d datadir [-q query] [-l limit]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *cmd, *data = NULL, *sqlfile = NULL, *q = "*", *tsv = NULL;
	long	 total = 10000000;
	size_t	 limit = 50;
	int	 c, days = 4, reps = 100, sqlreps = 5, threads = 0;
	uint32_t seed = 1;

	/* As wardd does: no global memory statistics (their mutex is
	   contended between search threads). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2)
		usage();
	cmd = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "d:n:D:s:r:R:o:q:l:t:T:")) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'n': total = atol(optarg); break;
		case 'D': days = atoi(optarg); break;
		case 's': seed = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': reps = atoi(optarg); break;
		case 'R': sqlreps = atoi(optarg); break;
		case 'o': sqlfile = optarg; break;
		case 'q': q = optarg; break;
		case 'l': limit = (size_t)atol(optarg); break;
		case 't': tsv = optarg; break;
		case 'T': threads = atoi(optarg); break;
		default: usage();
		}
	}
	if (data == NULL || total < 1 || days < 1 || reps < 1 ||
	    sqlreps < 1 || seed == 0)
		usage();
	if (strcmp(cmd, "build") == 0)
		return build(data, total, days, seed);
	if (strcmp(cmd, "run") == 0) {
		if (sqlfile != NULL && write_sql(data, sqlfile, sqlreps) != 0) {
			perror(sqlfile);
			return 1;
		}
		return run(data, reps, tsv, strcmp(q, "*") != 0 ? q : NULL,
		    threads);
	}
	if (strcmp(cmd, "mem") == 0)
		return mem(data, q, limit);
	usage();
	return 2;
}
