/*
 * bench_rules — detection speed: 1,000 generated Sigma rules (half
 * equality, a third contains, the rest regular expressions, most with a
 * second condition) over a seeded stream of parsed, MozDef-shaped events,
 * on one core.  Prints events/s.
 *
 * With -d DIR (repeatable; a rule tree such as a checkout of SigmaHQ's
 * rules) it loads those rules with the mappings (-m DIR, default
 * share/mappings), prints the load time and the memory the rules take,
 * and runs a mix of parsed events as Windows (Sysmon, Security) and
 * Linux hosts send them.
 *   build/bench_rules -d ~/sigma/rules -d ~/sigma/rules-emerging-threats \
 *       [-m share/mappings] [-n EVENTS] [-o EVENTS.ndjson]
 * -o also writes the events, for a side-by-side with another engine.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iproto -Ihub -o build/bench_rules \
 *       tests/bench/bench_rules.c hub/rules/sigma.c hub/rules/sigma_eval.c \
 *       hub/rules/correlate.c proto/buf.c proto/timeparse.c -ljansson -lyaml -lm
 *   build/bench_rules [RULES [EVENTS]]
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#define SIGMA_INTERNAL
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

static const char *const exes[] = {
	"svchost.exe", "chrome.exe", "explorer.exe", "conhost.exe",
	"cmd.exe", "powershell.exe", "rundll32.exe", "msiexec.exe",
	"notepad.exe", "taskhostw.exe", "OneDrive.exe", "Teams.exe",
	"backgroundTaskHost.exe", "WmiPrvSE.exe", "git.exe", "python.exe",
};
#define NEXES	(sizeof(exes) / sizeof(*exes))

static const char *const args[] = {
	"-k netsvcs -p", "--type=renderer --lang=en-US", "/c echo build",
	"-NoProfile -File C:\\scripts\\inventory.ps1", "/S /v/qn",
	"shell32.dll,Control_RunDLL", "status --porcelain", "-m pip list",
	"C:\\Users\\u1\\notes.txt", "/background",
};
#define NARGS	(sizeof(args) / sizeof(*args))

/* A parsed event of the mix: Sysmon process creation (40 %), network
   (10 %), file (10 %), registry (10 %), Security logons (10 %), Linux
   sshd and syslog (20 %); each as the canonical Windows shape (EventData
   flat under details) or MozDef's. */
static json_t *
mix_event(int i)
{
	char ts[40], img[128], cmd[256], host[32], user[32], ip[32];
	const char *exe = exes[rnd() % NEXES];
	const char *sysmon = "Microsoft-Windows-Sysmon/Operational";
	unsigned k = rnd() % 10;

	snprintf(ts, sizeof(ts), "2026-11-27T10:%02d:%02d.%06dZ",
	    (i / 60) % 60, i % 60, i % 1000000);
	snprintf(img, sizeof(img), "C:\\Windows\\System32\\%s", exe);
	snprintf(cmd, sizeof(cmd), "\"%s\" %s", img, args[rnd() % NARGS]);
	snprintf(host, sizeof(host), "ws%u.corp.example", rnd() % 500);
	snprintf(user, sizeof(user), "CORP\\u%u", rnd() % 2000);
	snprintf(ip, sizeof(ip), "10.%u.%u.%u", rnd() % 256, rnd() % 256,
	    rnd() % 256);
	if (k < 4)
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s, "
		    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
		    "utctimestamp", ts, "receivedtimestamp", ts, "hostname",
		    host, "processname", "Microsoft-Windows-Sysmon", "summary",
		    "Process Create", "details", "EventID", 1, "Channel", sysmon,
		    "Image", img, "CommandLine", cmd, "ParentImage",
		    "C:\\Windows\\explorer.exe", "ParentCommandLine",
		    "C:\\Windows\\Explorer.EXE", "User", user,
		    "IntegrityLevel", "Medium", "OriginalFileName", exe,
		    "CurrentDirectory", "C:\\Users\\u1\\", "Hashes",
		    "SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15"
		    "D6C15B0F00A08");
	if (k == 4)
		return json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s, s:s, "
		    "s:i, s:s, s:s}}", "utctimestamp", ts, "receivedtimestamp",
		    ts, "hostname", host, "processname",
		    "Microsoft-Windows-Sysmon", "details", "EventID", 3,
		    "Channel", sysmon, "Image", img, "DestinationIp", ip,
		    "DestinationPort", (int)(rnd() % 2 ? 443 : 80), "Protocol",
		    "tcp", "User", user);
	if (k == 5)
		return json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s, s:s}}",
		    "utctimestamp", ts, "receivedtimestamp", ts, "hostname",
		    host, "processname", "Microsoft-Windows-Sysmon", "details",
		    "EventID", 11, "Channel", sysmon, "Image", img,
		    "TargetFilename", "C:\\Users\\u1\\AppData\\Local\\"
		    "Temp\\tmp1234.tmp");
	if (k == 6)
		return json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s, s:s, "
		    "s:s, s:s}}", "utctimestamp", ts, "receivedtimestamp", ts,
		    "hostname", host, "processname", "Microsoft-Windows-Sysmon",
		    "details", "EventID", 13, "Channel", sysmon, "EventType",
		    "SetValue", "Image", img, "TargetObject",
		    "HKU\\S-1-5-21-1\\Software\\Microsoft\\Office\\16.0\\"
		    "Common\\Roaming", "Details", "DWORD (0x00000001)");
	if (k == 7)
		return json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s, s:s, "
		    "s:i, s:s}}", "utctimestamp", ts, "receivedtimestamp", ts,
		    "hostname", "dc1.corp.example", "processname",
		    "Microsoft-Windows-Security-Auditing", "details", "EventID",
		    rnd() % 4 ? 4624 : 4625, "Channel", "Security",
		    "TargetUserName", user + 5, "IpAddress", ip, "LogonType",
		    (int)(rnd() % 2 ? 3 : 10), "WorkstationName", host);
	return event(i);
}

static size_t
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE) / 1024;
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

static void
show_error(void *arg, const struct rule_error *e)
{
	if ((*(size_t *)arg)++ < 5)
		fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->msg);
}

/* -d mode: a rule tree and the mix. */
static int
tree(const char **dirs, size_t ndirs, const char *maps, int nevents,
    const char *out)
{
	const char *paths[40];
	struct ruleset *rs;
	struct correlator *c;
	json_t **evs;
	size_t nerr = 0, matches = 0, before, i, np = 0;
	double t0, t1;
	FILE *f = NULL;
	int k;

	paths[np++] = maps;
	for (i = 0; i < ndirs && np < 40; i++)
		paths[np++] = dirs[i];
	before = rss_kb();
	t0 = now_s();
	rs = ruleset_load(paths, np, show_error, &nerr, &nerr);
	t1 = now_s();
	if (rs == NULL)
		return 1;
	printf("rules: %zu loaded, %zu refused, in %.0f ms; %.1f MB RSS for "
	    "the rules\n", ruleset_count(rs), nerr, (t1 - t0) * 1e3,
	    (double)(rss_kb() - before) / 1024);
	printf("index: %zu rules anchored, %zu tried on every event\n",
	    rs->nanchored, rs->nalways);
	if ((evs = calloc(nevents, sizeof(*evs))) == NULL)
		return 1;
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		perror(out);
		return 1;
	}
	for (k = 0; k < nevents; k++) {
		evs[k] = mix_event(k);
		if (f != NULL) {
			json_dumpf(evs[k], f, JSON_COMPACT);
			fputc('\n', f);
		}
	}
	if (f != NULL)
		fclose(f);
	c = correlator_new(rs);
	for (k = 0; k < nevents / 10; k++)
		correlator_feed(c, evs[k], k, 0, count_cb, &matches);
	matches = 0;
	t0 = now_s();
	for (k = 0; k < nevents; k++)
		correlator_feed(c, evs[k], k, 0, count_cb, &matches);
	t1 = now_s();
	printf("events (Windows and Linux mix): %d, matches: %zu, %.0f "
	    "events/s (%.2f us/event)\n", nevents, matches,
	    nevents / (t1 - t0), (t1 - t0) * 1e6 / nevents);
	for (k = 0; k < nevents; k++)
		json_decref(evs[k]);
	free(evs);
	correlator_free(c);
	ruleset_free(rs);
	return 0;
}

int
main(int argc, char **argv)
{
	int nrules, nevents;
	struct ruleset *rs;
	struct correlator *c;
	struct buf b;
	json_t **evs;
	size_t nerr = 0, matches = 0;
	double t0, t1;
	int i;

	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		const char *dirs[32], *maps = "share/mappings", *out = NULL;
		size_t nd = 0;
		int n = 200000, a;

		for (a = 1; a + 1 < argc; a += 2) {
			if (strcmp(argv[a], "-d") == 0 && nd < 32)
				dirs[nd++] = argv[a + 1];
			else if (strcmp(argv[a], "-m") == 0)
				maps = argv[a + 1];
			else if (strcmp(argv[a], "-n") == 0)
				n = atoi(argv[a + 1]);
			else if (strcmp(argv[a], "-o") == 0)
				out = argv[a + 1];
		}
		return tree(dirs, nd, maps, n > 0 ? n : 1, out);
	}
	nrules = argc > 1 ? atoi(argv[1]) : 1000;
	nevents = argc > 2 ? atoi(argv[2]) : 200000;
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
