/*
 * bench_structural — the structural parsers of the transit stage (auditd,
 * CEF, JSON in a message, Windows events, key=value) on one core, on a
 * mix shaped like issue 17's: 30 % an SSH attack (prose none of them
 * reads) and 70 % host noise, of which most is prose and the rest each
 * shape they read (UFW and logfmt pairs, JSON, CEF, audit records,
 * Windows logons as Winlogbeat ships them).  Events are normalized
 * already and built in a jansson arena, as on the pipeline's threads.
 * Prints microseconds per event for each step and for all, and the bytes
 * the steps allocated on events none of them reads (the cost of saying
 * no; it should be 0).
 *
 *   build/rel/bench/bench_structural [-n EVENTS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jarena.h"
#include "transit.h"

#define JOB	1000

static const struct transit_step *const steps[] = {
	&transit_step_auditd, &transit_step_cef, &transit_step_jsonmsg,
	&transit_step_winevent, &transit_step_kv,
};
#define NSTEPS	(sizeof steps / sizeof *steps)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char *const words[] = {
	"connection", "session", "opened", "worker", "started", "stopped",
	"reload", "config", "disk", "memory", "interface", "link", "up",
	"down", "queue", "certificate", "handshake", "timeout", "retry",
	"upstream", "query", "slow", "cache", "finished", "job", "unit",
};
#define NWORDS	(sizeof words / sizeof *words)

enum kind { K_ATTACK, K_PROSE, K_UFW, K_LOGFMT, K_JSON, K_CEF, K_AUDIT,
	K_WIN, K_N };
static const char *const kind_names[K_N] = { "ssh attack", "prose",
	"ufw", "logfmt", "json", "cef", "auditd", "windows" };

/* One event's message (or, for Windows, the user name) into buf. */
static enum kind
message(char *buf, size_t len)
{
	uint32_t r = rnd(), k = rnd() % 100;
	size_t	 n, i;

	if (k < 30) {
		snprintf(buf, len, "Failed password for invalid user admin "
		    "from 81.2.69.%u port %u ssh2", r % 40, 1024 + r % 60000);
		return K_ATTACK;
	}
	if (k < 35) {
		snprintf(buf, len, "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:"
		    "34:56:52:54:00:65:43:21:08:00 SRC=81.2.69.%u DST=10.0.0.5 "
		    "LEN=40 TOS=0x00 PREC=0x00 TTL=245 ID=%u PROTO=TCP SPT=%u "
		    "DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0", r % 250,
		    r % 65535, 1024 + r % 60000);
		return K_UFW;
	}
	if (k < 39) {
		snprintf(buf, len, "time=\"2026-12-07T16:00:%02uZ\" level=info "
		    "msg=\"container %u started\" name=web-%u", r % 60,
		    r % 1000, r % 9);
		return K_LOGFMT;
	}
	if (k < 43) {
		snprintf(buf, len, "{\"level\":\"warn\",\"msg\":\"slow query\","
		    "\"ms\":%u,\"db\":\"main\",\"rows\":%u}", r % 5000, r % 99);
		return K_JSON;
	}
	if (k < 46) {
		snprintf(buf, len, "CEF:0|Security|threatmanager|1.0|100|worm "
		    "successfully stopped|%u|src=10.0.0.%u dst=2.1.2.2 spt=%u "
		    "act=blocked msg=stopped at the gateway", r % 11, r % 250,
		    1024 + r % 60000);
		return K_CEF;
	}
	if (k < 50) {
		snprintf(buf, len, "type=SYSCALL msg=audit(1796661000.%03u:%u):"
		    " arch=c000003e syscall=59 success=yes exit=0 a0=10812c8 "
		    "a1=1070208 a2=1152008 a3=59a items=2 ppid=10027 pid=%u "
		    "auid=1001 uid=1001 gid=1002 euid=1001 suid=1001 "
		    "fsuid=1001 egid=1002 sgid=1002 fsgid=1002 tty=pts0 ses=11"
		    " comm=\"uname\" exe=\"/bin/uname\" key=\"exec\"",
		    r % 1000, r % 100000, r % 30000);
		return K_AUDIT;
	}
	if (k < 53) {
		snprintf(buf, len, "user%u", r % 50);
		return K_WIN;
	}
	n = 0;
	for (i = 0; i < 6 + r % 10 && n + 16 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
		    words[rnd() % NWORDS]);
	if (n + 16 < len)
		snprintf(buf + n, len - n, " id=%u", rnd());
	return K_PROSE;
}

static json_t *
event(enum kind k, const char *m)
{
	if (k == K_WIN)
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:{s:s, "
		    "s:{s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s}}}}",
		    "utctimestamp", "2026-12-07T16:00:00.000000+00:00",
		    "receivedtimestamp", "2026-12-07T16:00:00.000000+00:00",
		    "severity", "INFO", "summary", "An account failed to log "
		    "on.", "hostname", "dc01", "tags", "details", "hub", "ward",
		    "winlog", "channel", "Security", "event_id", "4625",
		    "provider_name", "Microsoft-Windows-Security-Auditing",
		    "computer_name", "DC01", "record_id", 77, "event_data",
		    "TargetUserName", m, "IpAddress", "203.0.113.7", "IpPort",
		    "50123", "LogonType", "3");
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:{s:s}}",
	    "utctimestamp", "2026-12-07T16:00:00.000000+00:00",
	    "receivedtimestamp", "2026-12-07T16:00:00.000000+00:00",
	    "severity", "INFO", "summary", m, "hostname", "host1",
	    "processname", "app", "tags", "details", "hub", "ward");
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
	struct transit_ctx ctx = { 1796661000000000 };
	struct jarena arena;
	json_t	*evs[JOB];
	char	**msgs, msg[600];
	unsigned char *kinds;
	double	 t[NSTEPS], tk[K_N], total, t0, clockcost;
	size_t	 n = 200000, i, j, s, nk[K_N], noalloc = 0, nnone = 0;
	size_t	 before;
	int	 c, round, r, any;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		switch (c) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_structural [-n EVENTS]\n");
			return 2;
		}
	}
	jarena_install();
	if ((msgs = calloc(n, sizeof *msgs)) == NULL ||
	    (kinds = calloc(n, 1)) == NULL)
		return 1;
	memset(nk, 0, sizeof nk);
	for (i = 0; i < n; i++) {
		kinds[i] = (unsigned char)message(msg, sizeof msg);
		nk[kinds[i]]++;
		if ((msgs[i] = strdup(msg)) == NULL)
			return 1;
	}
	/* what timing one event costs by itself (the clock is a system
	   call), taken off the per-kind figures */
	t0 = now();
	for (i = 0; i < 10000; i++)
		(void)now();
	clockcost = (now() - t0) / 10000;
	jarena_init(&arena);
	jarena_use(&arena);
	for (round = 0; round < 2; round++) {
		memset(t, 0, sizeof t);
		memset(tk, 0, sizeof tk);
		noalloc = nnone = 0;
		for (j = 0; j < n; j += JOB) {
			for (i = j; i < n && i < j + JOB; i++)
				if ((evs[i - j] = event(kinds[i], msgs[i])) ==
				    NULL)
					return 1;
			/* step by step over the job, as transit_run does */
			for (s = 0; s < NSTEPS; s++) {
				t0 = now();
				for (i = j; i < n && i < j + JOB; i++)
					if (steps[s]->event(NULL, NULL,
					    evs[i - j], &ctx) == -1)
						return 1;
				t[s] += now() - t0;
			}
			jarena_reset(&arena);
			/* again event by event, for the cost per kind and
			   the bytes spent saying no */
			for (i = j; i < n && i < j + JOB; i++)
				if ((evs[i - j] = event(kinds[i], msgs[i])) ==
				    NULL)
					return 1;
			for (i = j; i < n && i < j + JOB; i++) {
				before = arena.allocated;
				t0 = now();
				for (s = any = 0; s < NSTEPS; s++) {
					r = steps[s]->event(NULL, NULL,
					    evs[i - j], &ctx);
					any |= r != 0;
				}
				tk[kinds[i]] += now() - t0 - clockcost;
				if (kinds[i] == K_ATTACK ||
				    kinds[i] == K_PROSE) {
					nnone++;
					noalloc += arena.allocated - before;
				}
				(void)any;
			}
			jarena_reset(&arena);
		}
	}
	total = 0;
	for (s = 0; s < NSTEPS; s++)
		total += t[s];
	printf("structural parsers: %zu events (30 %% SSH attack, 70 %% "
	    "noise), one core: %.3f us/event, %.0f events/s\n", n,
	    total * 1e6 / (double)n, (double)n / total);
	for (s = 0; s < NSTEPS; s++)
		printf("  step %-9s %.3f us/event\n", steps[s]->name,
		    t[s] * 1e6 / (double)n);
	for (s = 0; s < K_N; s++)
		if (nk[s] > 0)
			printf("  %-10s %5.1f %% of events: %.3f us each\n",
			    kind_names[s], 100.0 * (double)nk[s] / (double)n,
			    tk[s] * 1e6 / (double)nk[s]);
	printf("  bytes allocated on the %zu events no step reads: %zu\n",
	    nnone, noalloc);
	for (i = 0; i < n; i++)
		free(msgs[i]);
	free(msgs);
	free(kinds);
	jarena_use(NULL);
	jarena_release(&arena);
	return 0;
}
