/*
 * bench_plugins — what the python plugin stage costs: the mix
 * (70 % host noise from many hosts and programs, 30 % sshd failed logins
 * from a few dozen addresses), already normalized, in jobs of 1000
 * events, through plugins_load/plugin_host_run on one worker with its
 * arena, as the pipeline runs it.  Prints events/s through the stage, the
 * wall and CPU time an event (this thread and the python host), and the
 * time python's onMessage took.
 *
 *   build/rel/bench/bench_plugins [-d PLUGINDIR] [-n EVENTS] [-b BATCH]
 *
 * Without -d it writes an sshd parser in MozDef's style (the shape of
 * MozDef's parse_sshd.py: registration ['sshd'], regexes compiled in
 * onMessage) to a temporary directory; -d runs any plugin directory, e.g.
 * one holding MozDef's own parse_sshd.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "jarena.h"
#include "plugins.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char sshd_py[] =
"import re\n"
"\n"
"\n"
"class message(object):\n"
"    def __init__(self):\n"
"        self.registration = ['sshd']\n"
"        self.priority = 5\n"
"\n"
"    def onMessage(self, message, metadata):\n"
"        failed = re.compile(r'^Failed (?P<authmethod>\\w+) for (invalid "
    "user )?(?P<username>\\S+) from (?P<sourceipaddress>[0-9.]+) port "
    "(?P<sourceport>\\d+) ssh2$')\n"
"        accepted = re.compile(r'^Accepted (?P<authmethod>\\w+) for "
    "(?P<username>\\S+) from (?P<sourceipaddress>[0-9.]+) port "
    "(?P<sourceport>\\d+) ssh2')\n"
"        if 'processname' in message and message['processname'] == "
    "'sshd':\n"
"            msg = message['summary']\n"
"            if msg.startswith('Failed'):\n"
"                m = re.search(failed, msg)\n"
"                if m:\n"
"                    message['details']['authmethod'] = m.group("
    "'authmethod')\n"
"                    message['details']['username'] = m.group('username')\n"
"                    message['details']['sourceipaddress'] = m.group("
    "'sourceipaddress')\n"
"                    message['details']['sourceport'] = m.group("
    "'sourceport')\n"
"            if msg.startswith('Accepted'):\n"
"                m = re.search(accepted, msg)\n"
"                if m:\n"
"                    message['details']['username'] = m.group('username')\n"
"        return (message, metadata)\n";

static const char *const progs[] = {
	"cron", "systemd", "kernel", "nginx", "postfix/smtpd", "dhclient",
	"sudo", "CRON", "dockerd", "containerd", "rsyslogd", "ntpd",
};
static const char *const words[] = {
	"connection", "closed", "session", "opened", "worker", "started",
	"stopped", "reload", "config", "disk", "memory", "request", "upstream",
	"timeout", "cache", "miss", "query", "slow", "backend", "reset",
};
static const char *const users[] = {
	"root", "admin", "oracle", "test", "ubuntu", "git", "postgres", "pi",
};

static json_t *
event(int sshd)
{
	char	 host[64], summary[256], ip[32];
	json_t	*ev;
	size_t	 i, n;

	snprintf(host, sizeof host, "web%03u.example.org", rnd() % 400);
	if (sshd) {
		snprintf(ip, sizeof ip, "203.0.113.%u", rnd() % 40 + 1);
		snprintf(summary, sizeof summary, "Failed password for %s%s "
		    "from %s port %u ssh2", rnd() % 3 ? "" : "invalid user ",
		    users[rnd() % 8], ip, 1024 + rnd() % 60000);
	} else {
		n = 0;
		for (i = 0; i < 6 + rnd() % 6; i++)
			n += (size_t)snprintf(summary + n, sizeof summary - n,
			    "%s%s", i ? " " : "", words[rnd() % 20]);
	}
	ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:[],s:{s:s,s:s}}",
	    "utctimestamp", "2026-12-07T16:00:00.000000+00:00",
	    "receivedtimestamp", "2026-12-07T16:00:00.100000+00:00",
	    "category", "syslog", "severity", "INFO",
	    "hostname", host, "processname", sshd ? "sshd" :
	    progs[rnd() % 12], "processid", (int)(rnd() % 30000),
	    "summary", summary, "tags", "details", "facility", "auth",
	    "program", sshd ? "sshd" : "other");
	return ev;
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
tcpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main(int argc, char **argv)
{
	struct plugins_opts o = { 0 };
	struct plugins *ps;
	struct plugin_host *h;
	struct jarena arena;
	const char *dirs[1];
	char	 tmp[] = "/tmp/ward-bench-plugins.XXXXXX", path[128], err[512];
	const char *dir = NULL;
	size_t	 n = 200000, batch = 1000, i, done, sent = 0, sshd = 0;
	json_t	**evs;
	unsigned char *dropped;
	double	 t0, t1, c0, wall = 0, ccpu = 0, ch;
	struct buf m;
	FILE	*f;
	int	 c;

	while ((c = getopt(argc, argv, "d:n:b:")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'b': batch = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_plugins [-d DIR] "
			    "[-n EVENTS] [-b BATCH]\n");
			return 2;
		}
	}
	jarena_install();
	if (dir == NULL) {
		if (mkdtemp(tmp) == NULL)
			return 1;
		snprintf(path, sizeof path, "%s/sshd_mozdef_style.py", tmp);
		if ((f = fopen(path, "w")) == NULL)
			return 1;
		fputs(sshd_py, f);
		fclose(f);
		dir = tmp;
	}
	dirs[0] = dir;
	if ((ps = plugins_load(dirs, 1, &o, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_plugins: %s\n", err);
		return 1;
	}
	h = plugin_host_new(ps);
	evs = calloc(batch, sizeof *evs);
	dropped = calloc(batch, 1);
	jarena_init(&arena);
	jarena_use(&arena);
	/* a first batch starts python, not counted */
	for (i = 0; i < batch; i++)
		evs[i] = event(i % 10 < 3);
	plugin_host_run(h, evs, batch, dropped);
	jarena_reset(&arena);
	for (done = 0; done < n; done += batch) {
		for (i = 0; i < batch; i++) {
			int	 s = rnd() % 10 < 3;

			sshd += (size_t)s;
			evs[i] = event(s);
		}
		t0 = secs();
		c0 = tcpu();
		sent += plugin_host_run(h, evs, batch, dropped);
		t1 = secs();
		ccpu += tcpu() - c0;
		wall += t1 - t0;
		jarena_reset(&arena);
	}
	jarena_use(NULL);
	buf_init(&m);
	plugins_metrics_render(plugins_stats(ps), &m);
	plugin_host_free(h);		/* reaps python: its CPU time */
	ch = cpu(RUSAGE_CHILDREN);
	printf("plugins from %s: %zu events (%zu sshd), batches of %zu, "
	    "%zu sent to python\n", dir, done, sshd, batch, sent);
	printf("  %.0f events/s through the stage (%.2f s in plugin_host_run)"
	    "\n", (double)done / wall, wall);
	printf("  per event of the mix: %.2f us wall; CPU %.2f us in the "
	    "worker thread, %.2f us in python\n", wall * 1e6 / (double)done,
	    ccpu * 1e6 / (double)done, ch * 1e6 / (double)done);
	printf("  per event sent: %.2f us of python CPU (with start-up and "
	    "the first batch)\n", ch * 1e6 / (double)(sent ? sent : 1));
	for (char *p = m.data; p != NULL && *p; ) {
		char	*nl = strchr(p, '\n');

		if (strncmp(p, "ward_plugin_seconds_total{", 26) == 0 ||
		    strncmp(p, "ward_plugin_events_total{", 25) == 0)
			printf("  %.*s\n", (int)(nl - p), p);
		p = nl ? nl + 1 : NULL;
	}
	buf_release(&m);
	jarena_release(&arena);
	free(evs);
	free(dropped);
	plugins_free(ps);
	if (dir == tmp) {
		unlink(path);
		rmdir(tmp);
	}
	return 0;
}
