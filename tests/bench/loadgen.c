/*
 * loadgen — ward's ingest load generator.  Several connections over
 * loopback POST bulk NDJSON batches of seeded, MozDef-shaped events (about
 * 450 bytes each) and measure how fast the hub acknowledges them.
 *
 *   loadgen -u http://127.0.0.1:9200 -t TOKEN [-c CONNS] [-b BATCH]
 *           [-d SECONDS] [-w SECONDS] [-n TOTAL] [-s SEED] [-p PID]
 *           [-a ACKFILE] [-r RATE] [-e /events|/_bulk] [-L SECONDS]
 *           [-m ssh|mix|mixparsed|flood]
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
 *
 * -m picks the traffic: "ssh" (the default) is sshd events already in
 * MozDef's shape; "mix" is issue 17's: 70 % varied host noise shaped as
 * rsyslog's omelasticsearch ships it (timestamp, hostname, programname,
 * procid, severity, facility, msg with its leading space; 400 hosts, a
 * dozen programs) and 30 % an SSH attack on a few servers from 36
 * addresses, each a raw syslog line in "message" ("<38>Dec  7 16:00:01
 * web3 sshd[1234]: Failed password for root from 198.51.100.7 port ...
 * ssh2"), so the transit stage must parse it for the rules to see it;
 * "mixparsed" is the same traffic with the attack already in fields, the
 * baseline that shows what the parsing costs; "flood" is a brute force
 * at its height, every event a parsed failed root login (MozDef's shape,
 * as tests/bench/inputs.sh sends over AMQP) from one of 250 addresses,
 * so nearly every event matches a rule and updates one of a few hundred
 * open alerts: the rules thread's worst case.  All stamped now.
 *
 * With -p the hub's CPU is also reported per thread name
 * (from /proc/PID/task/TID/stat): where the time goes.
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
	const char *mix;
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

static const char *progs[] = { "cron", "systemd", "kernel", "nginx",
    "postfix/smtpd", "dhclient", "sudo", "dockerd", "kubelet", "ntpd",
    "CRON", "systemd-logind" };
/* Each with a %u, then a %s. */
static const char *noise[] = {
    "Started Session %u of user %s.",
    "(root) CMD (run-parts /etc/cron.hourly) [%u] %s",
    "[UFW BLOCK] IN=eth0 OUT= SRC=10.1.%u.7 DST=10.0.0.1 PROTO=TCP %s",
    "10.2.0.%u - - \\\"GET /api/v1/%s HTTP/1.1\\\" 200 512",
    "connect from unknown[192.0.2.%u] user=%s",
    "DHCPACK of 10.3.0.%u from 10.3.0.1 (%s)",
    "pam_unix(sudo:session): session opened for user root(uid=%u) by %s(uid=1000)",
    "level=info msg=\\\"container %u started\\\" name=%s",
    "Successfully probed volume %u for pod %s",
    "adjusting local clock by %u ms (%s)",
};

/* One event of issue 17's mix into out; returns its length. */
static int
mix_event(char *out, size_t len, uint32_t *s, int conn, long seq)
{
	time_t	 t = time(NULL);
	struct tm tm;
	char	 ts[32], syslogts[32], msg[256], ip[20];
	const char *u = users[rnd(s) % 10];
	unsigned h, pid = 1000 + rnd(s) % 30000, port = 1024 + rnd(s) % 60000;
	int	 k;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(syslogts, sizeof syslogts, "%b %e %H:%M:%S", &tm);
	if (rnd(s) % 10 < 7) {
		/* host noise, as rsyslog's ordinary template ships it */
		h = rnd(s) % 400;
		k = (int)(rnd(s) % 10);
		snprintf(msg, sizeof msg, noise[k], rnd(s) % 250, u);
		return snprintf(out, len,
		    "{\"timestamp\":\"%s.%06uZ\",\"hostname\":\"host%03u\","
		    "\"programname\":\"%s\",\"procid\":\"%u\","
		    "\"severity\":\"%s\",\"facility\":\"daemon\","
		    "\"message\":\" %s\",\"loadid\":\"s%u-c%d-%ld\"}\n",
		    ts, rnd(s) % 1000000, h, progs[rnd(s) % 12], pid,
		    sev[rnd(s) % 6], msg, o.seed, conn, seq);
	}
	/* the attack: 36 addresses on 6 servers */
	k = (int)(rnd(s) % 36);
	snprintf(ip, sizeof ip, "%s.%u", k < 18 ? "198.51.100" : "203.0.113",
	    7 + (unsigned)k * 7);
	h = rnd(s) % 6;
	if (strcmp(o.mix, "mixparsed") == 0)
		return snprintf(out, len,
		    "{\"timestamp\":\"%s.000000Z\",\"hostname\":\"web%u\","
		    "\"processname\":\"sshd\",\"processid\":%u,"
		    "\"severity\":\"INFO\",\"summary\":\"Failed password for "
		    "%s from %s port %u ssh2\",\"details\":{\"facility\":"
		    "\"auth\",\"loadid\":\"s%u-c%d-%ld\"}}\n", ts, h, pid, u,
		    ip, port, o.seed, conn, seq);
	return snprintf(out, len,
	    "{\"message\":\"<38>%s web%u sshd[%u]: Failed password for %s "
	    "from %s port %u ssh2\",\"loadid\":\"s%u-c%d-%ld\"}\n",
	    syslogts, h, pid, u, ip, port, o.seed, conn, seq);
}

/* One event of the "flood" traffic into out; returns its length. */
static int
flood_event(char *out, size_t len, uint32_t *s, int conn, long seq)
{
	time_t	 t = time(NULL);
	struct tm tm;
	char	 ts[32];
	unsigned k = rnd(s) % 250;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	return snprintf(out, len,
	    "{\"category\":\"authentication\",\"hostname\":\"bastion%u\","
	    "\"processname\":\"sshd\",\"processid\":%u,"
	    "\"severity\":\"NOTICE\",\"summary\":\"Failed password for "
	    "root from 203.0.113.%u port %u ssh2\",\"tags\":[\"mozdef\"],"
	    "\"timestamp\":\"%s.%06uZ\",\"details\":{\"sourceipaddress\":"
	    "\"203.0.113.%u\",\"username\":\"root\",\"success\":false,"
	    "\"loadid\":\"s%u-c%d-%ld\"}}\n", rnd(s) % 7, 20000 + rnd(s) %
	    5000, k, 30000 + rnd(s) % 30000, ts, rnd(s) % 1000000, k, o.seed,
	    conn, seq);
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
			bl += (size_t)(strcmp(o.mix, "ssh") == 0 ?
			    event(body + bl, cap - bl, &s, conn, seq) :
			    strcmp(o.mix, "flood") == 0 ?
			    flood_event(body + bl, cap - bl, &s, conn, seq) :
			    mix_event(body + bl, cap - bl, &s, conn, seq));
			seq++;
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

/* The hub's threads by name: CPU seconds and how many share the name. */
#define MAXNAMES	32
struct tcpu {
	char	 name[32];
	double	 s;
	int	 n;
};

static int
threads_cpu(int pid, struct tcpu *t)
{
	char	 path[96], line[512], name[32];
	unsigned long ut, st;
	int	 nt = 0, k, tid;
	FILE	*f, *ls;

	snprintf(path, sizeof path, "ls /proc/%d/task", pid);
	if ((ls = popen(path, "r")) == NULL)
		return 0;
	while (fscanf(ls, "%d", &tid) == 1) {
		snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof line, f) != NULL) {
			char	*a = strchr(line, '('), *b = strrchr(line, ')');

			ut = st = 0;
			if (a != NULL && b != NULL && b > a) {
				snprintf(name, sizeof name, "%.*s",
				    (int)(b - a - 1), a + 1);
				sscanf(b + 2, "%*c %*d %*d %*d %*d %*d %*u "
				    "%*u %*u %*u %*u %lu %lu", &ut, &st);
				for (k = 0; k < nt && strcmp(t[k].name, name);
				    k++)
					;
				if (k == nt && nt < MAXNAMES) {
					snprintf(t[nt].name, sizeof t[nt].name,
					    "%s", name);
					t[nt].s = 0;
					t[nt++].n = 0;
				}
				if (k < nt) {
					t[k].s += (double)(ut + st) /
					    (double)sysconf(_SC_CLK_TCK);
					t[k].n++;
				}
			}
		}
		fclose(f);
	}
	pclose(ls);
	return nt;
}

int
main(int argc, char **argv)
{
	pthread_t *th;
	double	 t0, el, cpu0 = 0, cpu1 = 0;
	struct tcpu tc0[MAXNAMES], tc1[MAXNAMES];
	int	 nt0 = 0, nt1 = 0, k, j;
	long	 hwm = 0, n, i;
	int	 c;
	const char *url = "http://127.0.0.1:9200";

	o.conns = 4;
	o.batch = 1000;
	o.seconds = 10;
	o.seed = 1;
	o.path = "/_bulk";
	o.mix = "ssh";
	while ((c = getopt(argc, argv, "u:t:c:b:d:w:n:s:p:a:r:e:L:m:")) != -1) {
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
		case 'm': o.mix = optarg; break;
		default:
			fprintf(stderr, "usage: loadgen -u URL -t TOKEN [-c conns]"
			    " [-b batch] [-d seconds] [-w seconds] [-n total]"
			    " [-s seed]"
			    " [-p hubpid] [-a ackfile] [-r rate] [-e path]"
			    " [-L spread] [-m ssh|mix|mixparsed|flood]\n");
			return 2;
		}
	}
	if (strcmp(o.mix, "ssh") != 0 && strcmp(o.mix, "mix") != 0 &&
	    strcmp(o.mix, "mixparsed") != 0 && strcmp(o.mix, "flood") != 0) {
		fprintf(stderr, "loadgen: -m ssh, mix, mixparsed or flood\n");
		return 2;
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
	if (o.pid) {
		proc_usage(o.pid, &cpu0, &hwm);
		nt0 = threads_cpu(o.pid, tc0);
	}
	t0 = now_s();
	for (i = 0; i < o.conns; i++)
		pthread_join(th[i], NULL);
	el = now_s() - t0;
	if (o.pid) {
		proc_usage(o.pid, &cpu1, &hwm);
		nt1 = threads_cpu(o.pid, tc1);
	}
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
	if (nt1 > 0) {
		/* CPU seconds a second, and microseconds an acked event */
		printf("hub threads    cpu/s, us/event:");
		for (k = 0; k < nt1; k++) {
			double	 before = 0, d;

			for (j = 0; j < nt0; j++)
				if (strcmp(tc0[j].name, tc1[k].name) == 0)
					before = tc0[j].s;
			if ((d = tc1[k].s - before) < 0.05)
				continue;
			printf(" %s[%d] %.2f %.1f", tc1[k].name, tc1[k].n,
			    d / el, atomic_load(&acked_events) > 0 ? d * 1e6 /
			    (double)atomic_load(&acked_events) : 0);
		}
		printf("\n");
	}
	if (ackf != NULL)
		fclose(ackf);
	free(lat);
	free(th);
	return atomic_load(&acked_events) > 0 ? 0 : 1;
}
