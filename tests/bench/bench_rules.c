/*
 * bench_rules — detection speed: 1,000 generated Sigma rules (half
 * equality, a third contains, the rest regular expressions, most with a
 * second condition) over a seeded stream of parsed, MozDef-shaped events,
 * on one core.  Prints events/s.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iproto -Ihub -o build/bench_rules \
 *       tests/bench/bench_rules.c hub/sigma.c hub/sigma_eval.c \
 *       hub/correlate.c proto/buf.c proto/timeparse.c -ljansson -lyaml -lm
 *   build/bench_rules [RULES [EVENTS]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "correlate.h"
#include "sigma.h"

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
	"connection", "closed", "session", "opened", "user", "failed",
	"accepted", "invalid", "password", "publickey", "timeout", "reset",
	"denied", "granted", "request", "response", "upstream", "backend",
	"query", "slow", "cache", "miss", "hit", "worker", "started",
	"stopped", "reload", "config", "disk", "memory", "cpu", "kernel",
	"module", "loaded", "device", "network", "interface", "link", "up",
	"down", "packet", "dropped", "firewall", "blocked", "allowed",
	"token", "expired", "refresh", "login", "logout", "admin", "root",
	"deploy", "backup", "cron", "job", "finished", "error", "warning",
	"retry", "queue", "full", "empty", "certificate", "handshake",
};
#define NWORDS	(sizeof(words) / sizeof(*words))

static const char *const procs[] = {
	"sshd", "sudo", "nginx", "postgres", "cron", "systemd", "kernel",
	"auditd", "dockerd", "haproxy", "named", "postfix", "app", "java",
};
#define NPROCS	(sizeof(procs) / sizeof(*procs))

static const char *const cats[] = {
	"authentication", "syslog", "web", "database", "audit", "network",
	"application", "firewall",
};
#define NCATS	(sizeof(cats) / sizeof(*cats))

static void
rules_text(struct buf *b, int n)
{
	int i, kind;

	for (i = 0; i < n; i++) {
		buf_printf(b, "---\ntitle: bench rule %d\nid: bench-%d\n"
		    "detection:\n", i, i);
		kind = i % 10;
		if (kind < 5) {		/* equality */
			buf_printf(b, "  sel:\n    details.code: %u\n"
			    "    processname: %s\n", 1000 + rnd() % 5000,
			    procs[rnd() % NPROCS]);
		} else if (kind < 8) {	/* contains */
			buf_printf(b, "  sel:\n    summary|contains: '%s %s %s'\n",
			    words[rnd() % NWORDS], words[rnd() % NWORDS],
			    words[rnd() % NWORDS]);
			if (kind == 7)
				buf_printf(b, "    category: %s\n",
				    cats[rnd() % NCATS]);
		} else {		/* regex */
			buf_printf(b, "  sel:\n    summary|re: '%s [a-z]+ %s"
			    "( [0-9]+)?$'\n", words[rnd() % NWORDS],
			    words[rnd() % NWORDS]);
			if (kind == 9)
				buf_printf(b, "    hostname|startswith: 'web'\n");
		}
		buf_printf(b, "  filter:\n    details.username: nobody\n"
		    "  condition: sel and not filter\n");
	}
}

static json_t *
event(int i)
{
	char summary[256], host[32], ts[40];
	size_t n = 0;
	int k, nw = 4 + rnd() % 8;

	summary[0] = '\0';
	for (k = 0; k < nw; k++)
		n += snprintf(summary + n, sizeof(summary) - n, "%s%s",
		    k ? " " : "", words[rnd() % NWORDS]);
	if (rnd() % 3 == 0)
		snprintf(summary + n, sizeof(summary) - n, " %u", rnd() % 100000);
	snprintf(host, sizeof(host), "%s%u", rnd() % 2 ? "web" : "db",
	    rnd() % 50);
	snprintf(ts, sizeof(ts), "2026-11-27T10:%02d:%02d.%06dZ",
	    (i / 60) % 60, i % 60, i % 1000000);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[s], "
	    "s:{s:s, s:i, s:s, s:b}}",
	    "utctimestamp", ts, "receivedtimestamp", ts,
	    "category", cats[rnd() % NCATS], "severity", "INFO",
	    "summary", summary, "hostname", host,
	    "processid", (int)(rnd() % 65536),
	    "processname", procs[rnd() % NPROCS],
	    "tags", "bench",
	    "details", "sourceipaddress", "203.0.113.7",
	    "code", (int)(1000 + rnd() % 5000),
	    "username", rnd() % 2 ? "deploy" : "nobody",
	    "success", (int)(rnd() % 2));
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
count_cb(void *arg, const struct rule_match *m)
{
	(void)m;
	++*(size_t *)arg;
}

int
main(int argc, char **argv)
{
	int nrules = argc > 1 ? atoi(argv[1]) : 1000;
	int nevents = argc > 2 ? atoi(argv[2]) : 200000;
	struct ruleset *rs;
	struct correlator *c;
	struct buf b;
	json_t **evs;
	size_t nerr = 0, matches = 0;
	double t0, t1;
	int i;

	buf_init(&b);
	rules_text(&b, nrules);
	t0 = now_s();
	rs = ruleset_load_string(b.data, b.len, "bench.yml", NULL, NULL, &nerr);
	t1 = now_s();
	if (rs == NULL || nerr > 0) {
		fprintf(stderr, "bench_rules: %zu rules did not load\n", nerr);
		return 1;
	}
	printf("rules: %zu loaded in %.1f ms\n", ruleset_count(rs),
	    (t1 - t0) * 1e3);
	if ((evs = calloc(nevents, sizeof(*evs))) == NULL)
		return 1;
	for (i = 0; i < nevents; i++)
		evs[i] = event(i);
	c = correlator_new(rs);
	/* warm up */
	for (i = 0; i < nevents / 10; i++)
		correlator_feed(c, evs[i], i, 0, count_cb, &matches);
	matches = 0;
	t0 = now_s();
	for (i = 0; i < nevents; i++)
		correlator_feed(c, evs[i], i, 0, count_cb, &matches);
	t1 = now_s();
	printf("events: %d, matches: %zu, %.0f events/s (%.2f us/event)\n",
	    nevents, matches, nevents / (t1 - t0), (t1 - t0) * 1e6 / nevents);
	for (i = 0; i < nevents; i++)
		json_decref(evs[i]);
	free(evs);
	correlator_free(c);
	ruleset_free(rs);
	buf_release(&b);
	return 0;
}
