/*
 * loadgen — ward's ingest load generator.  Several connections over
 * loopback POST bulk NDJSON batches of seeded, MozDef-shaped events (about
 * 450 bytes each) and measure how fast the hub acknowledges them.
 *
 *   loadgen -u http://127.0.0.1:9200 -t TOKEN [-c CONNS] [-b BATCH]
 *           [-d SECONDS] [-w SECONDS] [-n TOTAL] [-s SEED] [-p PID]
 *           [-a ACKFILE] [-r RATE] [-e /events|/_bulk] [-L SECONDS]
 *
 * Prints events/s, ack latency p50/p99/max and, with -p, the hub's CPU
 * seconds and peak RSS.  With -a every acknowledged event's loadid is
 * written to ACKFILE (one per line), for durability tests.  -r caps the
 * total rate in events/s (0: as fast as possible).  A request answered
 * 429 is sent again after 1 s (the hub's Retry-After), as shippers do,
 * unless the run ends first; its latency counts from the first try.
 * -w SECONDS sends at the same rate for that long first and counts none
 * of it but failures (not the requests sent then, their latency, 429s,
 * the hub's CPU), as benchmark harnesses warm a server up: a fresh hub's
 * first second pays for its caches, arenas and correlation groups filling
 * (run without -w for that cold start).
 *
 * Event times lag the wall clock as a fleet of shippers' do: 99 % by up to
 * 2 s (a flush interval or two), 1 % by up to 60 s (a shipper catching
 * up).  -L SECONDS spreads every event uniformly over that many seconds
 * instead — the worst case for the hub's time index.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	char	 host[256];
	int	 port;
	const char *token, *path, *ackfile;
	int	 conns, batch, seconds, warmup, rate, spread;
	long	 total;
	unsigned seed;
	int	 pid;
};

static struct opts o;
#define RETRY_AFTER_S	1	/* what wardd says in Retry-After */

static atomic_long sent_events, acked_events, failed_reqs, throttled;
static atomic_long claimed_events;	/* of -n: taken by a connection */
static pthread_mutex_t ack_mtx = PTHREAD_MUTEX_INITIALIZER;
static FILE *ackf;
static double *lat;		/* ms, one per request */
static atomic_long nlat;
static long maxlat = 1 << 22;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const char *hosts[] = { "web1", "web2", "web3", "db1", "db2",
    "mail1", "bastion", "vpn1", "k8s-node-1", "k8s-node-2" };
static const char *users[] = { "root", "admin", "deploy", "alice", "bob",
    "carol", "oracle", "postgres", "test", "ubuntu" };
static const char *sev[] = { "INFO", "INFO", "INFO", "NOTICE", "WARNING",
    "ERROR" };

/* One event of about 450 bytes into out; returns its length. */
static int
event(char *out, size_t len, uint32_t *s, int conn, long seq)
{
	uint32_t r = rnd(s);
	time_t	 t = time(NULL) - (time_t)(o.spread > 0 ? r % (uint32_t)o.spread :
		    r % 100 == 0 ? (r >> 8) % 60 : (r >> 8) % 3);
	struct tm tm;
	char	 ts[32], ip[20];
	const char *h = hosts[rnd(s) % 10], *u = users[rnd(s) % 10];
	unsigned port = 1024 + rnd(s) % 60000;
	int	 ok = rnd(s) % 4 == 0;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ip, sizeof ip, "%u.%u.%u.%u", 10 + rnd(s) % 200,
	    rnd(s) % 256, rnd(s) % 256, 1 + rnd(s) % 254);
	return snprintf(out, len,
	    "{\"timestamp\":\"%s.%06uZ\",\"hostname\":\"%s\","
	    "\"processname\":\"sshd\",\"processid\":%u,"
	    "\"severity\":\"%s\",\"category\":\"authentication\","
	    "\"source\":\"auth.log\",\"tags\":[\"ssh\",\"loadgen\"],"
	    "\"summary\":\"%s password for %s from %s port %u ssh2\","
	    "\"details\":{\"sourceipaddress\":\"%s\",\"sourceport\":%u,"
	    "\"username\":\"%s\",\"success\":%s,\"authmethod\":\"password\","
	    "\"loadid\":\"s%u-c%d-%ld\",\"bytes\":%u}}\n",
	    ts, rnd(s) % 1000000, h, 1000 + rnd(s) % 30000, sev[rnd(s) % 6],
	    ok ? "Accepted" : "Failed", u, ip, port, ip, port, u,
	    ok ? "true" : "false", o.seed, conn, seq, rnd(s) % 100000);
}

static int
connect_hub(void)
{
	struct sockaddr_in sa;
	int	 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o.port);
	if (inet_pton(AF_INET, o.host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t	 w = write(fd, p, n);

		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one HTTP response; returns the status or -1. */
static int
read_response(int fd, char *buf, size_t cap)
{
	size_t	 have = 0;
	long	 clen = -1;
	char	*hend = NULL, *p;
	int	 status;

	for (;;) {
		ssize_t	 r;

		if (hend != NULL && clen >= 0 &&
		    have >= (size_t)(hend - buf) + 4 + (size_t)clen)
			break;
		if (have + 1 >= cap)
			return -1;
		if ((r = read(fd, buf + have, cap - have - 1)) <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if (hend == NULL && (hend = strstr(buf, "\r\n\r\n")) != NULL) {
			p = strcasestr(buf, "\ncontent-length:");
			clen = p && p < hend ? strtol(p + 16, NULL, 10) : 0;
		}
	}
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	return status;
}

static void *
worker(void *arg)
{
	int	 conn = (int)(intptr_t)arg, fd = -1, status;
	uint32_t s = o.seed * 2654435761u + (uint32_t)conn + 1;
	size_t	 cap = (size_t)o.batch * 700 + 1024, rcap = 4 << 20;
	char	*body = malloc(cap), *req = malloc(cap + 1024);
	char	*resp = malloc(rcap), **ids = calloc((size_t)o.batch,
		    sizeof *ids);
	double	 start = now_s(), measure = start + o.warmup,
		 end = measure + o.seconds, t0;
	long	 seq = 0, nreq = 0;
	int	 i, len, hl;

	for (i = 0; i < o.batch; i++)
		ids[i] = malloc(32);
	/* Each request claims its events of -n first, so that connections
	   racing for the last ones do not send more than -n. */
	while (now_s() < end && (o.total == 0 ||
	    atomic_fetch_add(&claimed_events, o.batch) < o.total)) {
		size_t	 bl = 0;

		if (o.rate > 0) {
			/* Requests spaced evenly: connection conn sends the
			   k-th round's request at (k * conns + conn) * batch /
			   rate, so they do not arrive in bursts of conns. */
			double	 due = ((double)nreq * o.conns + conn) *
			    o.batch / (double)o.rate, left;

			while ((left = due - (now_s() - start)) > 0)
				usleep(left > 0.001 ? 1000 : (useconds_t)
				    (left * 1e6) + 1);
		}
		nreq++;
		for (i = 0; i < o.batch; i++) {
			if (strcmp(o.path, "/_bulk") == 0)
				bl += (size_t)snprintf(body + bl, cap - bl,
				    "{\"create\":{\"_index\":\"load\"}}\n");
			snprintf(ids[i], 32, "s%u-c%d-%ld", o.seed, conn, seq);
			bl += (size_t)event(body + bl, cap - bl, &s, conn,
			    seq++);
		}
		atomic_fetch_add(&sent_events, o.batch);
		hl = snprintf(req, 1024, "POST %s HTTP/1.1\r\nHost: %s\r\n"
		    "Authorization: Bearer %s\r\nContent-Type: "
		    "application/x-ndjson\r\nContent-Length: %zu\r\n\r\n",
		    o.path, o.host, o.token, bl);
		memcpy(req + hl, body, bl);
		len = hl + (int)bl;
		t0 = now_s();
	again:
		if (fd == -1 && (fd = connect_hub()) == -1) {
			atomic_fetch_add(&failed_reqs, 1);
			usleep(100000);
			continue;
		}
		if (write_all(fd, req, (size_t)len) == -1 ||
		    (status = read_response(fd, resp, rcap)) == -1) {
			atomic_fetch_add(&failed_reqs, 1);
			close(fd);
			fd = -1;
			continue;
		}
		if (status == 429) {
			/* As a shipper does: the same request again after
			   the hub's Retry-After (1 s); its latency runs on. */
			if (t0 >= measure)
				atomic_fetch_add(&throttled, 1);
			/* No time left to retry: this connection is done
			   (sending the next request at once would spin on
			   429s until the end). */
			if (now_s() + RETRY_AFTER_S > end)
				break;
			usleep(RETRY_AFTER_S * 1000000);
			goto again;
		}
		if (status < 200 || status > 205) {
			atomic_fetch_add(&failed_reqs, 1);
			continue;
		}
		if (t0 >= measure) {
			long	 k = atomic_fetch_add(&nlat, 1);

			if (k < maxlat)
				lat[k] = (now_s() - t0) * 1000;
			atomic_fetch_add(&acked_events, o.batch);
		}
		if (ackf != NULL) {
			pthread_mutex_lock(&ack_mtx);
			for (i = 0; i < o.batch; i++)
				fprintf(ackf, "%s\n", ids[i]);
			fflush(ackf);
			pthread_mutex_unlock(&ack_mtx);
		}
	}
	if (fd != -1)
		close(fd);
	for (i = 0; i < o.batch; i++)
		free(ids[i]);
	free(ids);
	free(body);
	free(req);
	free(resp);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* utime+stime seconds and VmHWM kB of pid. */
static void
proc_usage(int pid, double *cpu, long *hwm)
{
	char	 path[64], line[512];
	FILE	*f;
	unsigned long ut = 0, st = 0;

	*cpu = 0;
	*hwm = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof line, f) != NULL) {
			char	*p = strrchr(line, ')');

			if (p != NULL)
				sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u "
				    "%*u %*u %*u %lu %lu", &ut, &st);
		}
		fclose(f);
	}
	*cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "VmHWM:", 6) == 0)
				*hwm = strtol(line + 6, NULL, 10);
		fclose(f);
	}
}

int
main(int argc, char **argv)
{
	pthread_t *th;
	double	 t0, el, cpu0 = 0, cpu1 = 0;
	long	 hwm = 0, n, i;
	int	 c;
	const char *url = "http://127.0.0.1:9200";

	o.conns = 4;
	o.batch = 1000;
	o.seconds = 10;
	o.seed = 1;
	o.path = "/_bulk";
	while ((c = getopt(argc, argv, "u:t:c:b:d:w:n:s:p:a:r:e:L:")) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 't': o.token = optarg; break;
		case 'c': o.conns = atoi(optarg); break;
		case 'b': o.batch = atoi(optarg); break;
		case 'd': o.seconds = atoi(optarg); break;
		case 'w': o.warmup = atoi(optarg); break;
		case 'n': o.total = atol(optarg); break;
		case 's': o.seed = (unsigned)atoi(optarg); break;
		case 'p': o.pid = atoi(optarg); break;
		case 'a': o.ackfile = optarg; break;
		case 'r': o.rate = atoi(optarg); break;
		case 'e': o.path = optarg; break;
		case 'L': o.spread = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: loadgen -u URL -t TOKEN [-c conns]"
			    " [-b batch] [-d seconds] [-w seconds] [-n total]"
			    " [-s seed]"
			    " [-p hubpid] [-a ackfile] [-r rate] [-e path]"
			    " [-L spread]\n");
			return 2;
		}
	}
	if (o.token == NULL || sscanf(url, "http://%255[^:]:%d", o.host,
	    &o.port) != 2 || o.conns < 1 || o.batch < 1) {
		fprintf(stderr, "loadgen: need -t TOKEN and -u "
		    "http://ADDR:PORT\n");
		return 2;
	}
	if (o.ackfile != NULL && (ackf = fopen(o.ackfile, "w")) == NULL) {
		perror(o.ackfile);
		return 1;
	}
	lat = calloc((size_t)maxlat, sizeof *lat);
	th = calloc((size_t)o.conns, sizeof *th);
	for (i = 0; i < o.conns; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	if (o.warmup > 0)
		sleep((unsigned)o.warmup);
	if (o.pid)
		proc_usage(o.pid, &cpu0, &hwm);
	t0 = now_s();
	for (i = 0; i < o.conns; i++)
		pthread_join(th[i], NULL);
	el = now_s() - t0;
	if (o.pid)
		proc_usage(o.pid, &cpu1, &hwm);
	n = atomic_load(&nlat) < maxlat ? atomic_load(&nlat) : maxlat;
	qsort(lat, (size_t)n, sizeof *lat, cmp);
	if (o.warmup > 0)
		printf("warm-up        %d s at the same rate first, not "
		    "counted\n", o.warmup);
	printf("events acked   %ld in %.1f s (%d connections, %d per "
	    "request)\n", atomic_load(&acked_events), el, o.conns, o.batch);
	printf("rate           %.0f events/s\n", atomic_load(&acked_events) /
	    el);
	if (n > 0)
		printf("ack latency    p50 %.1f ms, p99 %.1f ms, max %.1f ms "
		    "(%ld requests)\n", lat[n / 2], lat[(n * 99) / 100],
		    lat[n - 1], n);
	printf("throttled      %ld requests (429, sent again)\nfailed         %ld "
	    "requests\n", atomic_load(&throttled), atomic_load(&failed_reqs));
	if (o.pid)
		printf("hub cpu        %.1f s (%.0f events per cpu-second)\n"
		    "hub peak rss   %.1f MB\n", cpu1 - cpu0,
		    cpu1 > cpu0 ? atomic_load(&acked_events) / (cpu1 - cpu0) :
		    0, hwm / 1024.0);
	if (ackf != NULL)
		fclose(ackf);
	free(lat);
	free(th);
	return atomic_load(&acked_events) > 0 ? 0 : 1;
}
