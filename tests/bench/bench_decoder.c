/*
 * bench_decoder — decoder speed on the traffic mix, on one core:
 * 70 % varied host noise (many hosts, programs and messages, some of
 * them lines a decoder reads: sudo, pam_unix, kernel packet logs, web
 * access lines, mail) and 30 % an SSH attack (failed logins, invalid
 * users, preauth closes from a few dozen addresses), as normalized
 * events.  Prints microseconds per event for the shipped decoders
 * (share/parsers, from the working directory), and for GeoIP (with a
 * worker's cache, as in the hub) when given a database: CPU time of the thread, so that other work on the machine
 * counts less.  Events and the values set are allocated in a jansson
 * arena, as on the hub's pipeline threads.
 *
 *   build/rel/bench/bench_decoder [-n EVENTS] [-g FILE.mmdb]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "decoder.h"
#include "geoip.h"
#include "jarena.h"

#define JOB	1000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char *const noise_procs[] = {
	"cron", "systemd", "postgres", "dockerd", "containerd", "kubelet",
	"NetworkManager", "dhclient", "chronyd", "rsyslogd", "snapd",
	"nginx", "kernel", "sudo", "CRON", "systemd-logind", "auditd",
	"postfix/smtpd", "dovecot", "named",
};
#define NNOISE	(sizeof noise_procs / sizeof *noise_procs)

static const char *const words[] = {
	"connection", "session", "opened", "worker", "started", "stopped",
	"reload", "config", "disk", "memory", "interface", "link", "up",
	"down", "queue", "certificate", "handshake", "timeout", "retry",
	"upstream", "query", "slow", "cache", "finished", "job", "unit",
};
#define NWORDS	(sizeof words / sizeof *words)

static char *
noise_message(const char *proc, char *buf, size_t len)
{
	uint32_t r = rnd();
	size_t	 n, i;

	/* a fifth of the noise is lines a decoder reads */
	if (r % 5 == 0) {
		if (strcmp(proc, "kernel") == 0)
			snprintf(buf, len, "[%u.%06u] [UFW BLOCK] IN=eth0 "
			    "OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:"
			    "00 SRC=81.2.69.%u DST=10.0.0.5 LEN=40 TOS=0x00 "
			    "PREC=0x00 TTL=245 ID=%u PROTO=TCP SPT=%u DPT=%u "
			    "WINDOW=1024 RES=0x00 SYN URGP=0", r % 90000,
			    r % 999999, r % 250, r % 65535, 1024 + r % 60000,
			    r % 1024);
		else if (strcmp(proc, "nginx") == 0)
			snprintf(buf, len, "89.160.20.%u - - [07/Dec/2026:16:"
			    "%02u:%02u +0000] \"GET /static/app.%u.js HTTP/1.1\""
			    " 200 %u \"https://example.org/\" \"Mozilla/5.0 "
			    "(X11; Linux x86_64)\"", r % 250, r % 60, r / 7 % 60,
			    r % 100, r % 100000);
		else if (strcmp(proc, "sudo") == 0)
			snprintf(buf, len, "   deploy : TTY=pts/%u ; PWD=/srv/"
			    "app ; USER=root ; COMMAND=/usr/bin/systemctl "
			    "restart app%u", r % 4, r % 9);
		else if (strcmp(proc, "CRON") == 0)
			snprintf(buf, len, "pam_unix(cron:session): session "
			    "opened for user root(uid=0) by (uid=0)");
		else if (strcmp(proc, "postfix/smtpd") == 0)
			snprintf(buf, len, "warning: unknown[81.2.69.%u]: SASL "
			    "LOGIN authentication failed: UGFzc3dvcmQ6",
			    r % 250);
		else
			goto words;
		return buf;
	}
words:
	n = 0;
	for (i = 0; i < 6 + r % 10 && n + 16 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
		    words[rnd() % NWORDS]);
	if (n + 16 < len)
		snprintf(buf + n, len - n, " id=%u", rnd());
	return buf;
}

static char *
attack_message(char *buf, size_t len)
{
	static const char *const users[] = { "root", "admin", "test",
	    "oracle", "ubuntu", "pi", "git", "postgres", "user", "guest" };
	uint32_t r = rnd(), ip = r % 40;

	switch (r % 10) {
	case 0: case 1: case 2: case 3: case 4:
		snprintf(buf, len, "Failed password for %s%s from 81.2.69.%u "
		    "port %u ssh2", r % 3 ? "invalid user " : "",
		    users[r / 7 % 10], ip, 1024 + r % 60000);
		break;
	case 5: case 6:
		snprintf(buf, len, "Invalid user %s from 81.2.69.%u port %u",
		    users[r / 7 % 10], ip, 1024 + r % 60000);
		break;
	case 7:
		snprintf(buf, len, "pam_unix(sshd:auth): authentication "
		    "failure; logname= uid=0 euid=0 tty=ssh ruser= "
		    "rhost=81.2.69.%u  user=%s", ip, users[r / 7 % 10]);
		break;
	case 8:
		snprintf(buf, len, "Connection closed by authenticating user "
		    "%s 81.2.69.%u port %u [preauth]", users[r / 7 % 10], ip,
		    1024 + r % 60000);
		break;
	default:
		snprintf(buf, len, "Received disconnect from 81.2.69.%u port "
		    "%u:11: Bye Bye [preauth]", ip, 1024 + r % 60000);
		break;
	}
	return buf;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	const char *dir[] = { "share/parsers" }, *mmdb = NULL;
	struct decoder_scratch *s;
	struct decoders *ds;
	struct geoip *g = NULL;
	struct geoip_cache *gc = NULL;
	json_t	*evs[JOB];
	struct jarena arena;
	char	**msgs, **hosts;
	const char **procs;
	double	 tdec = 0, tgeo = 0;
	size_t	 j;
	char	 err[512], msg[512], host[32];
	size_t	 n = 200000, i, matched = 0, located = 0;
	double	 t0, t1;
	int	 c, round;

	while ((c = getopt(argc, argv, "n:g:")) != -1) {
		switch (c) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'g': mmdb = optarg; break;
		default:
			fprintf(stderr, "usage: bench_decoder [-n EVENTS] "
			    "[-g FILE.mmdb]\n");
			return 2;
		}
	}
	jarena_install();
	if ((ds = decoders_load(dir, 1, err, sizeof err)) == NULL ||
	    (s = decoder_scratch_new()) == NULL ||
	    (mmdb != NULL && ((g = geoip_open(mmdb, err, sizeof err)) ==
	    NULL || (gc = geoip_cache_new()) == NULL))) {
		fprintf(stderr, "bench_decoder: %s\n", err);
		return 1;
	}
	if ((msgs = calloc(n, sizeof *msgs)) == NULL ||
	    (procs = calloc(n, sizeof *procs)) == NULL ||
	    (hosts = calloc(n, sizeof *hosts)) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		if (rnd() % 10 < 3) {
			procs[i] = rnd() % 4 ? "sshd" : "sshd-session";
			attack_message(msg, sizeof msg);
			snprintf(host, sizeof host, "bastion%u", rnd() % 3);
		} else {
			procs[i] = noise_procs[rnd() % NNOISE];
			noise_message(procs[i], msg, sizeof msg);
			snprintf(host, sizeof host, "host%u", rnd() % 500);
		}
		if ((msgs[i] = strdup(msg)) == NULL ||
		    (hosts[i] = strdup(host)) == NULL)
			return 1;
	}
	/* In jobs of 1,000 events, as the pipeline runs them: build the
	   events in the arena (not timed), decode them (timed), locate
	   them (timed), reset the arena.  Two passes; the second counts. */
	jarena_init(&arena);
	jarena_use(&arena);
	for (round = 0; round < 2; round++) {
		tdec = tgeo = 0;
		matched = located = 0;
		for (j = 0; j < n; j += JOB) {
			for (i = j; i < n && i < j + JOB; i++)
				evs[i - j] = json_pack("{s:s, s:s, s:s, s:s, "
				    "s:s, s:[], s:{s:s}}", "utctimestamp",
				    "2026-12-07T16:00:00.000000Z", "hostname",
				    hosts[i], "processname", procs[i],
				    "summary", msgs[i], "severity", "INFO",
				    "tags", "details", "hub", "ward");
			t0 = now();
			for (i = j; i < n && i < j + JOB; i++)
				if (decoders_apply(ds, evs[i - j], s) == 1)
					matched++;
			t1 = now();
			tdec += t1 - t0;
			if (g != NULL) {
				for (i = j; i < n && i < j + JOB; i++)
					if (geoip_apply_cached(g, gc,
					    evs[i - j]) > 0)
						located++;
				tgeo += now() - t1;
			}
			jarena_reset(&arena);
		}
	}
	printf("decoders: %zu decoders, %zu events (30 %% SSH attack), "
	    "%zu decoded: %.3f us/event, %.0f events/s on one core\n",
	    decoders_count(ds), n, matched, tdec * 1e6 / (double)n,
	    (double)n / tdec);
	if (g != NULL)
		printf("geoip: %zu located: %.3f us/event\n", located,
		    tgeo * 1e6 / (double)n);
	for (i = 0; i < n; i++) {
		free(msgs[i]);
		free(hosts[i]);
	}
	free(msgs);
	free(hosts);
	free(procs);
	jarena_use(NULL);
	jarena_release(&arena);
	geoip_cache_free(gc);
	geoip_free(g);
	decoder_scratch_free(s);
	decoders_free(ds);
	return 0;
}
