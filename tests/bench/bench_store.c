/*
 * bench_store — the ingest path without the network: how many events a
 * second the pipeline (split + normalize + serialize) and the store
 * (insert + FTS + fsynced group commit) each manage on one thread.
 *
 *   bench_store [-n EVENTS] [-b BATCH] [-d DATADIR] [-p] [-t]
 *
 * -p measures the pipeline only.  -t runs the transit steps too, as
 * wardd does by default (the parsers under share/, from the working
 * directory; no plugins): what a pipeline worker does for an event that
 * arrives in MozDef's shape.  BATCH is the events of a job (1,000: an
 * HTTP shipper's bulk request; the RabbitMQ input makes jobs of up to
 * 2,000).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jarena.h"
#include "job.h"
#include "metrics.h"
#include "pipeline.h"
#include "store.h"
#include "textindex.h"
#include "timeparse.h"
#include "transit.h"

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long done_jobs;

static void
done(void *arg, struct job *j)
{
	job_free(j);
	pthread_mutex_lock(&mtx);
	done_jobs++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
}

/* Bytes this process has written (wchar of /proc/self/io), or 0. */
static double
written(void)
{
	FILE	*f = fopen("/proc/self/io", "r");
	char	 line[128];
	double	 w = 0;

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "wchar: %lf", &w) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return w;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of the calling thread. */
static double
thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A batch of MozDef-shaped NDJSON events of about 450 bytes. */
static void
batch(struct buf *b, int n, unsigned *seed)
{
	static const char *hosts[] = { "web1", "web2", "db1", "mail1",
	    "bastion" };
	static long count;	/* events made so far */
	int	 i;

	for (i = 0; i < n; i++) {
		unsigned r = (*seed = *seed * 1103515245 + 12345);
		/* Times as loadgen's: arriving at 50,000 a second, lagging
		   by under 3 s (1 in 100 by up to a minute). */
		long	 t = 43200 + 60 + count++ / 50000 -
		    (r % 100 == 0 ? (r >> 8) % 60 : (r >> 8) % 3);

		buf_printf(b, "{\"timestamp\":\"2026-11-27T%02ld:%02ld:%02ld.%06uZ\","
		    "\"hostname\":\"%s\",\"processname\":\"sshd\",\"processid\":"
		    "%u,\"severity\":\"WARNING\",\"category\":\"authentication\","
		    "\"source\":\"auth.log\",\"tags\":[\"ssh\"],\"summary\":"
		    "\"Failed password for user%u from 10.%u.%u.%u port %u ssh2\","
		    "\"details\":{\"sourceipaddress\":\"10.%u.%u.%u\","
		    "\"sourceport\":%u,\"username\":\"user%u\",\"success\":false,"
		    "\"authmethod\":\"password\",\"bytes\":%u}}\n",
		    t / 3600, t / 60 % 60, t % 60, r % 1000000, hosts[r % 5], r % 30000,
		    r % 50, r % 250, (r >> 8) % 250, (r >> 16) % 250, r % 60000,
		    r % 250, (r >> 8) % 250, (r >> 16) % 250, r % 60000, r % 50,
		    r % 100000);
	}
}

int
main(int argc, char **argv)
{
	struct pipeline_opts po = { 1, 64u << 20, 64, "bench", NULL };
	struct metrics m;
	struct store *st;
	struct job **jobs;
	struct jarena arena;
	struct transit *tr = NULL;
	struct transit_worker *tw = NULL;
	char	 dir[] = "/tmp/ward-bench-store.XXXXXX", err[512];
	const char *data = NULL;
	long	 total = 200000, nb, i;
	int	 bsize = 1000, c, only_pipe = 0, steps = 0;
	unsigned seed = 1;
	double	 t0, tp, tc, ts, ti, c0, cs, w0;

	while ((c = getopt(argc, argv, "n:b:d:pt")) != -1) {
		switch (c) {
		case 'p': only_pipe = 1; break;
		case 't': steps = 1; break;
		case 'n': total = atol(optarg); break;
		case 'b': bsize = atoi(optarg); break;
		case 'd': data = optarg; break;
		default:
			fprintf(stderr, "usage: bench_store [-n events] "
			    "[-b batch] [-d datadir] [-p] [-t]\n");
			return 2;
		}
	}
	if (data == NULL && (data = mkdtemp(dir)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* As in wardd: the pipeline's trees in a per-thread arena. */
	jarena_install();
	jarena_init(&arena);
	jarena_use(&arena);
	memset(&m, 0, sizeof m);
	if (steps) {
		const char *parsers[] = { "share/parsers" };
		struct transit_opts to = { parsers, 1, NULL, 0, 1, 1, NULL,
		    0, NULL };

		jarena_use(NULL);	/* the steps' states outlive jobs */
		if ((tr = transit_new(&to, err, sizeof err)) == NULL ||
		    (tw = transit_worker_new(tr, err, sizeof err)) == NULL) {
			fprintf(stderr, "bench_store: %s\n", err);
			return 1;
		}
		jarena_use(&arena);
	}
	nb = total / bsize;
	jobs = calloc((size_t)nb, sizeof *jobs);
	for (i = 0; i < nb; i++) {
		jobs[i] = job_new(JOB_EVENTS);
		snprintf(jobs[i]->ctype, sizeof jobs[i]->ctype,
		    "application/x-ndjson");
		jobs[i]->received_us = time_now_us();
		batch(&jobs[i]->body, bsize, &seed);
	}
	t0 = now();
	c0 = thread_cpu();
	for (i = 0; i < nb; i++)
		pipeline_process(&po, tw, jobs[i], &m);
	tp = now() - t0;
	tc = thread_cpu() - c0;
	printf("pipeline  %.0f events/s, %.2f us of CPU an event (one "
	    "thread: split, normalize, %sserialize; %d events a job)\n",
	    nb * bsize / tp, tc * 1e6 / (nb * bsize),
	    steps ? "transit steps, " : "", bsize);
	jarena_use(NULL);
	transit_worker_free(tw);
	transit_unref(tr);
	if (only_pipe)
		return 0;
	if ((st = store_open(data, &m, err, sizeof err)) == NULL ||
	    store_start(st, done, NULL) == -1) {
		fprintf(stderr, "bench_store: %s\n", err);
		return 1;
	}
	/* Four requests in flight, as from four shipper connections. */
	t0 = now();
	c0 = cpu_now();
	w0 = written();
	for (i = 0; i < nb; i++) {
		pthread_mutex_lock(&mtx);
		while (i - done_jobs >= 4)
			pthread_cond_wait(&cond, &mtx);
		pthread_mutex_unlock(&mtx);
		store_submit(st, jobs[i]);
	}
	pthread_mutex_lock(&mtx);
	while (done_jobs < nb)
		pthread_cond_wait(&cond, &mtx);
	pthread_mutex_unlock(&mtx);
	ts = now() - t0;
	/* The full-text index is written beside the store (its own
	   thread): the figures below wait for it too. */
	textindex_wait(store_textindex(st), 600000);
	ti = now() - t0;
	cs = cpu_now() - c0;
	printf("store     %.0f events/s acknowledged (one writer: insert, "
	    "fsynced commits: %llu), %.0f events/s indexed (FTS5, its own "
	    "thread)\n", nb * bsize / ts, (unsigned long long)m.commits,
	    nb * bsize / ti);
	printf("store cpu %.1f us an event (all threads, index included), "
	    "%.0f bytes written an event\n", cs * 1e6 / (nb * bsize),
	    (written() - w0) / (nb * bsize));
	store_free(st);
	free(jobs);
	if (data == dir) {
		char	 cmd[256];

		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
