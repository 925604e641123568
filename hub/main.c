/* wardd — the ward hub.  See wardd(8). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alerter.h"
#include "archive_cli.h"
#include "args.h"
#include "commit.h"
#include "config.h"
#include "diskguard.h"
#include "errf.h"
#include "retention.h"
#include "hub.h"
#include "input_amqp.h"
#include "jarena.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "parse_cli.h"
#include "parsers_cli.h"
#include "pipeline.h"
#include "rules_cli.h"
#include "service.h"
#include "selflog.h"
#include "session.h"
#include "timeparse.h"
#include "state.h"
#include "store.h"
#include "token_cli.h"
#include "tokens.h"
#include "transit.h"
#include "user_cli.h"
#include "version.h"

/* Options without a letter of their own (getopt_long returns these). */
enum {
	OPT_RETAIN = 256, OPT_RETAIN_DELETE, OPT_ARCHIVE_DIR, OPT_MIN_FREE,
	OPT_USER, OPT_ALLOW_ROOT, OPT_CONFIG, OPT_WAL_MAX
};

/*
 * Every option of a running hub: its flag, its key in ward.conf (the same
 * name), its argument and its help.  getopt_long's table, the ward.conf
 * reader and --help are made from it (config.h).
 */
static const struct config_opt hub_opts[] = {
	{ "data", 'd', "DIR", 0, "data directory (default ./ward-data)" },
	{ "listen", 'l', "ADDR:PORT", 0,
	    "where to listen (default 127.0.0.1:9200)" },
	{ "tls-cert", 'c', "FILE", 0,
	    "serve https/wss with this PEM certificate" },
	{ "tls-key", 'k', "FILE", 0, "... and this PEM private key" },
	{ "max-body", 'b', "BYTES", 0,
	    "largest request body (default 16777216)" },
	{ "max-inflated", 'z', "BYTES", 0,
	    "largest gzip body once inflated (default 67108864)" },
	{ "max-inflight", 'i', "N", 0,
	    "ingest requests in the pipeline before 429\n(default 64)" },
	{ "workers", 'w', "N", 0, "pipeline threads (default 2)" },
	{ "max-depth", 'D', "N", 0,
	    "deepest nesting of an event (default 64)" },
	{ "rules", 'R', "DIR", CONFIG_REPEAT,
	    "load detection rules from DIR (repeatable; default\n"
	    "the installed share/rules and DIR/rules)" },
	{ "mappings", 'A', "DIR", CONFIG_REPEAT,
	    "Sigma field mappings (repeatable; default the\n"
	    "installed share/mappings)" },
	{ "parsers", 'P', "DIR", CONFIG_REPEAT,
	    "load decoders from DIR (repeatable; default the\n"
	    "installed share/parsers and DIR/parsers)" },
	{ "plugins", 'L', "DIR", CONFIG_REPEAT,
	    "load Python plugins from DIR (repeatable; default\n"
	    "the installed share/plugins and DIR/plugins)" },
	{ "plugin-timeout", 'T', "MS", 0,
	    "longest a plugin may take on one event before its\n"
	    "host is killed (default 2000)" },
	{ "geoip", 'G', "FILE", 0,
	    "add details.sourceipgeolocation from this .mmdb" },
	{ "metrics-auth", 'M', NULL, 0,
	    "/metrics needs a reader token (default: open)" },
	{ "syslog", 'S', "URL", CONFIG_REPEAT,
	    "receive syslog on tcp://, udp:// or tls://ADDR:PORT\n"
	    "(repeatable; tls:// uses --tls-cert and --tls-key)" },
	{ "gelf", 'F', "URL", CONFIG_REPEAT,
	    "receive GELF on udp://, tcp:// or tls://ADDR:PORT\n"
	    "(repeatable; tls:// uses --tls-cert and --tls-key)" },
	{ "amqp", 'Q', "URL", CONFIG_REPEAT,
	    "consume a RabbitMQ queue: amqp[s]://USER:PASS@HOST:PORT/\n"
	    "VHOST?queue=Q&exchange=E&routing-key=K&prefetch=N\n"
	    "(repeatable)" },
	{ "retain", OPT_RETAIN, "AGE", 0,
	    "archive the days that ended more than AGE ago (90d),\n"
	    "at start and once a day" },
	{ "retain-delete", OPT_RETAIN_DELETE, NULL, 0,
	    "delete them instead of archiving them" },
	{ "archive-dir", OPT_ARCHIVE_DIR, "DIR", 0,
	    "where archived days go (default DATA/archive)" },
	{ "min-free", OPT_MIN_FREE, "SIZE|PCT", 0,
	    "answer ingest 507 below this free space (500M, 5%;\n"
	    "default the smaller of 5% and 2G; 0: off)" },
	{ "wal-max", OPT_WAL_MAX, "SIZE", 0,
	    "truncate a WAL past SIZE, new searches of its day\n"
	    "waiting for those reading it (default 1G; 0: off)" },
	{ "config", OPT_CONFIG, "FILE", CONFIG_CMDLINE,
	    "read options from FILE (default DATA/ward.conf);\n"
	    "options on the command line win" },
	{ "user", OPT_USER, "NAME", 0,
	    "become NAME once the port and files are open" },
	{ "allow-root", OPT_ALLOW_ROOT, NULL, 0,
	    "run as root without --user" },
	{ "verbose", 'v', NULL, 0, "log debug messages" },
	{ "version", 'V', NULL, CONFIG_CMDLINE, "print the version and exit" },
	{ "help", 'h', NULL, CONFIG_CMDLINE, "print this help and exit" },
	{ NULL, 0, NULL, 0, NULL }
};

static char **conf_argv;		/* ward.conf + argv (config.c); held
					   until exit, optarg points in it */
static volatile sig_atomic_t stop;	/* set by SIGTERM/SIGINT */
static volatile sig_atomic_t reload;	/* set by SIGHUP */
static struct net *wake_net;		/* for the signal handler */

static int
parse_main(int argc, char **argv)
{
	return parse_cli(argc, argv, WARD_SHARE_DIR);
}

/*
 * The subcommands: their words (w2 NULL: one word), their function (given
 * argv from the last word on), their synopsis, which usage, a
 * subcommand's --help and its usage errors (ARGS_USAGE, args.h) print,
 * and what --help and a usage error say after it (or NULL).  This table
 * is the synopses' one home: wardd(8) has them too.  A first word without
 * its second is a usage error naming that word's subcommands.
 */
static const struct subcommand {
	const char	*w1, *w2;
	int		(*fn)(int, char **);
	const char	*synopsis;
	const char	*more;
} subcommands[] = {
	{ "token", NULL, token_cli,
	    "token add --data DIR NAME [--role shipper|reader]\n"
	    "token list --data DIR\n"
	    "token del --data DIR NAME", NULL },
	{ "user", NULL, user_cli,
	    "user add --data DIR NAME ROLE PUBKEYFILE\n"
	    "user list --data DIR\n"
	    "user del --data DIR NAME\n"
	    "user role --data DIR NAME ROLE",
	    "ROLE is viewer, handler, lead or admin; PUBKEYFILE is the .pub "
	    "file\nwritten by 'ward keygen'.\n" },
	{ "rules", "check", rules_cli_check,
	    "rules check [-v] [--mappings DIR]... FILE|DIR...", NULL },
	{ "rules", "test", rules_cli_test,
	    "rules test [--mappings DIR]... RULE|DIR EVENTS.ndjson", NULL },
	{ "parse", NULL, parse_main,
	    "parse [--parsers DIR]... [--plugins DIR]... [--geoip FILE]\n"
	    "      EVENTS.ndjson", NULL },
	{ "parsers", "check", parsers_cli_check,
	    "parsers check [-v] FILE|DIR...", NULL },
	{ "archive", NULL, archive_cli,
	    "archive --data DIR [--older-than AGE] [--archive-dir D] [DAY...]\n"
	    "archive list --data DIR", NULL },
	{ "restore", NULL, restore_cli,
	    "restore --data DIR [--archive-dir D] DAY...", NULL },
	{ "backup", NULL, backup_cli, "backup --data DIR DEST", NULL },
};
#define NSUB	(sizeof subcommands / sizeof subcommands[0])

/* Each line of synopsis s: the first after first, the next ones after
   "wardd " (indented alike), a line that goes on one after blanks. */
static void
synopsis(FILE *f, const char *first, const char *s)
{
	size_t	 n;

	for (; *s != '\0'; s += n + (s[n] == '\n')) {
		n = strcspn(s, "\n");
		fprintf(f, "%s%.*s\n", *s == ' ' ? "             " : first,
		    (int)n, s);
		first = "       wardd ";
	}
}

/*
 * Run the subcommand argv[1..] names: its exit status, or -1 when argv
 * names none (a hub is to run).  --help after one prints its synopsis on
 * standard output; a usage error, on standard error (exit 2).
 */
static int
subcommand(int argc, char **argv)
{
	const struct subcommand *c;
	size_t	 i, words;
	int	 known = 0, rc;

	if (argc < 2)
		return -1;
	for (i = 0; i < NSUB; i++) {
		c = &subcommands[i];
		if (strcmp(argv[1], c->w1) != 0)
			continue;
		known = 1;
		if (c->w2 != NULL && (argc < 3 || strcmp(argv[2], c->w2) != 0))
			continue;
		words = c->w2 != NULL ? 2 : 1;
		if (args_want_help(argc - 1 - words, argv + 1 + words)) {
			synopsis(stdout, "usage: wardd ", c->synopsis);
			fputs(c->more != NULL ? c->more : "", stdout);
			return 0;
		}
		if ((rc = c->fn(argc - words, argv + words)) != ARGS_USAGE)
			return rc;
		synopsis(stderr, "usage: wardd ", c->synopsis);
		fputs(c->more != NULL ? c->more : "", stderr);
		return 2;
	}
	if (!known)
		return -1;
	for (i = 0; i < NSUB; i++)
		if (strcmp(argv[1], subcommands[i].w1) == 0)
			synopsis(stderr, known++ == 1 ? "usage: wardd " :
			    "       wardd ", subcommands[i].synopsis);
	return 2;
}

static void
usage(FILE *f)
{
	size_t	 i;

	fprintf(f,
"usage: wardd [--data DIR] [--listen ADDR:PORT] [options]\n");
	for (i = 0; i < NSUB; i++)
		synopsis(f, "       wardd ", subcommands[i].synopsis);
	fprintf(f,
"       wardd --version | --help\n"
"\n"
"options (each but config, version and help also a key of ward.conf(5)):\n");
	config_usage(hub_opts, f);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
	net_wake(wake_net);
}

/* Parse a size with an optional k/m/g suffix.  0 or -1. */
static int
parse_size(const char *s, size_t *out)
{
	char	*end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end != '\0' || v == 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	char	*end;
	long	 p;

	if (colon == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535 || colon - s >= (long)hostlen)
		return -1;
	snprintf(host, hostlen, "%.*s", (int)(colon - s), s);
	if (host[0] == '[') {		/* [::1]:9200 */
		size_t	 n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			return -1;
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	*port = (int)p;
	return 0;
}

/* A SIGHUP's new parsers and plugins, built off the net thread. */
struct reload {
	const struct transit_opts *to;
	struct transit_slot *slot;
	pthread_t	 thread;
	int		 running;	/* thread to join */
};

static void *
reload_transit(void *arg)
{
	struct reload *rl = arg;
	struct transit *t;
	char	 err[512];

	if ((t = transit_new(rl->to, err, sizeof err)) == NULL)
		log_err("parsers and plugins: %s; the previous ones stay",
		    err);
	else {
		transit_slot_set(rl->slot, t);	/* takes its own reference */
		transit_unref(t);
	}
	service_notify("READY=1");
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct option longopts[sizeof hub_opts / sizeof *hub_opts];
	static struct hub h;
	struct net_opts no = { 0 };
	int	 max_inflight = 64;	/* --max-inflight: jobs in the pipeline */
	struct pipeline_opts po = { 0 };
	struct sigaction sa;
	struct alerter_opts ao = { 0 };
	const char *rules[16], *parsers[16], *plugins[16], *ruleuse[32];
	char	 sharemaps[4096];
	size_t	 nmaps = 0, nruleuse = 0;
	/* --syslog URL... (listener.h), opened with the other sockets */
	struct {
		const struct listener_proto *p;
		const char	*flag, *url;
		struct listener	*l;
	}	 ins[16];
	size_t	 nins = 0, ii;
	const char *amqp_urls[16];	/* --amqp URL... (input_amqp.h) */
	struct amqp_input *amqps[16] = { NULL };
	size_t	 namqp = 0;
	char	 rulesdir[4096], datarules[4096];
	char	 shareparsers[4096], dataparsers[4096];
	char	 shareplugins[4096], dataplugins[4096];
	size_t	 nrules = 0;
	struct transit_opts to = { 0 };
	struct retention_opts ro = { 0 };
	struct retention *ret = NULL;
	struct selflog *self = NULL;
	struct diskguard dg = { .is_default = 1 };
	int64_t	 wal_max = STORE_WAL_MAX_DEFAULT;
	const char *user = NULL;
	int	 allow_root = 0;
	struct transit *tr = NULL;
	struct transit_slot *slot = NULL;
	struct reload rl = { 0 };
	sqlite3	*state = NULL;
	const char *data = "ward-data";
	char	 host[256] = "127.0.0.1", err[1024];
	size_t	 v;
	int	 c, port = 9200, rc = 1, sub;

	/* Before any jansson value exists: the pipeline and the alerter
	   build their event trees in per-thread arenas. */
	jarena_install();
#ifdef M_ARENA_MAX
	/* Two malloc arenas, not glibc's 8 a core: a dozen threads hand
	   buffers to one another, and each arena kept tens of MB freed but
	   not returned.  Closed-loop overload, 40 s, with the 16 MB index
	   queue (hub/net.c): peak RSS 252-264 MB -> 202-211, events a
	   CPU-second as before. */
	mallopt(M_ARENA_MAX, 2);
#endif
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if ((sub = subcommand(argc, argv)) != -1)
		return sub;
	/* ward.conf's options go ahead of the command line's: flags win. */
	if (config_longopts(hub_opts, longopts, sizeof longopts /
	    sizeof *longopts) == -1 ||
	    config_merge(hub_opts, argc, argv, &argc, &conf_argv, err,
	    sizeof err) == -1) {
		fprintf(stderr, "wardd: %s\n", err);
		return 2;
	}
	argv = conf_argv;
	no.max_body = 16u << 20;
	po.workers = 2;
	po.max_inflated = 64u << 20;
	po.max_depth = 64;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'l':
			if (parse_listen(optarg, host, sizeof host, &port)) {
				fprintf(stderr, "wardd: --listen %s: expected "
				    "ADDR:PORT\n", optarg);
				return 2;
			}
			break;
		case 'c':
			no.tls_cert = optarg;
			break;
		case 'k':
			no.tls_key = optarg;
			break;
		case 'b':
		case 'z':
		case 'i':
		case 'w':
		case 'D':
			if (parse_size(optarg, &v) == -1 || (c != 'b' &&
			    c != 'z' && v > INT_MAX)) {
				fprintf(stderr, "wardd: bad number '%s'\n",
				    optarg);
				return 2;
			}
			if (c == 'b')
				no.max_body = v;
			else if (c == 'z')
				po.max_inflated = v;
			else if (c == 'i')
				max_inflight = (int)v;
			else if (c == 'w')
				po.workers = (int)v;
			else
				po.max_depth = v;
			break;
		case 'R':
			if (nrules < sizeof rules / sizeof *rules)
				rules[nrules++] = optarg;
			break;
		case 'A':
			if (nmaps < 16)
				ruleuse[nmaps++] = optarg;
			break;
		case 'P':
			if (to.nparsers < sizeof parsers / sizeof *parsers)
				parsers[to.nparsers++] = optarg;
			break;
		case 'L':
			if (to.nplugins < sizeof plugins / sizeof *plugins)
				plugins[to.nplugins++] = optarg;
			break;
		case OPT_RETAIN:
			if (time_parse_duration(optarg, &ro.age_us) == -1 ||
			    ro.age_us <= 0) {
				fprintf(stderr, "wardd: --retain %s: expected an "
				    "age such as 90d\n", optarg);
				return 2;
			}
			break;
		case OPT_RETAIN_DELETE:
			ro.delete = 1;
			break;
		case OPT_ARCHIVE_DIR:
			ro.archdir = optarg;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case OPT_CONFIG:
			break;		/* read by config_merge() */
		case OPT_ALLOW_ROOT:
			allow_root = 1;
			break;
		case OPT_WAL_MAX:
			v = 0;
			if (strcmp(optarg, "0") != 0 &&
			    parse_size(optarg, &v) == -1) {
				fprintf(stderr, "wardd: --wal-max %s: expected "
				    "a size (1G, 256M; 0: no bound)\n", optarg);
				return 2;
			}
			wal_max = (int64_t)v;
			break;
		case OPT_MIN_FREE:
			if (diskguard_parse(&dg, optarg) == -1) {
				fprintf(stderr, "wardd: --min-free %s: expected "
				    "a size (500M, 2G) or a percentage (5%%)\n",
				    optarg);
				return 2;
			}
			break;
		case 'G':
			to.geoip = optarg;
			break;
		case 'T':
			if (parse_size(optarg, &v) == -1 || v > 3600000) {
				fprintf(stderr, "wardd: --plugin-timeout %s: "
				    "expected milliseconds\n", optarg);
				return 2;
			}
			to.plugin_timeout_ms = (int)v;
			break;
		case 'M':
			no.metrics_auth = 1;
			break;
		case 'Q':
			if (namqp == sizeof amqp_urls / sizeof *amqp_urls) {
				fprintf(stderr, "wardd: at most %zu --amqp\n",
				    namqp);
				return 2;
			}
			amqp_urls[namqp++] = optarg;
			break;
		case 'S':
		case 'F':
			if (nins == sizeof ins / sizeof *ins) {
				fprintf(stderr, "wardd: at most %zu listeners\n",
				    nins);
				return 2;
			}
			ins[nins].p = c == 'S' ? &listener_syslog :
			    &listener_gelf;
			ins[nins].flag = c == 'S' ? "--syslog" : "--gelf";
			ins[nins].l = NULL;
			ins[nins++].url = optarg;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'V':
			printf("wardd %s\n", WARD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "wardd: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	if (service_root_check(user, allow_root, err, sizeof err) == -1) {
		fprintf(stderr, "wardd: %s\n", err);
		return 2;
	}
	if (ro.delete && ro.age_us == 0) {
		fprintf(stderr, "wardd: --retain-delete goes with --retain AGE\n");
		return 2;
	}
	if ((no.tls_cert == NULL) != (no.tls_key == NULL)) {
		fprintf(stderr, "wardd: --tls-cert and --tls-key go together\n");
		return 2;
	}
	if (sodium_init() == -1) {
		fprintf(stderr, "wardd: libsodium failed to start\n");
		return 1;
	}
	if (gethostname(h.hostname, sizeof h.hostname) == -1)
		snprintf(h.hostname, sizeof h.hostname, "ward");
	h.datadir = data;
	dg.dir = data;
	if (dg.is_default || dg.min_bytes > 0 || dg.min_pct > 0)
		h.disk = &dg;
	po.hub = h.hostname;
	no.host = host;
	no.port = port;
	no.datadir = data;

	/* The warnings of the start (a broken rule, a file readable by
	   others) are events too, stored once the pipeline runs. */
	if ((self = selflog_new(&h, err, sizeof err)) == NULL)
		goto fail;
	/* Open files and sockets first. */
	/* With --user, files are made as that user from the start. */
	if (service_act_as(user, data, err, sizeof err) == -1 ||
	    (state = state_open(data, err, sizeof err)) == NULL ||
	    (h.store = store_open(data, &h.m, err, sizeof err)) == NULL)
		goto fail;
	store_wal_max(h.store, wal_max);
	snprintf(h.statedb, sizeof h.statedb, "%s/state.db", data);
	if ((h.tokens = tokens_new(h.statedb)) == NULL) {
		errf(err, sizeof err, "cannot read tokens");
		goto fail;
	}
	/* The port is bound as root (it may be below 1024), then root is
	   given up for good, before any thread starts. */
	if (user != NULL && getuid() == 0 && seteuid(0) == -1) {
		errf(err, sizeof err, "seteuid: %s", strerror(errno));
		goto fail;
	}
	if ((h.commit = commit_new(&h, max_inflight, err, sizeof err)) ==
	    NULL || (h.net = net_new(&no, &h, err, sizeof err)) == NULL ||
	    service_drop(user, data, err, sizeof err) == -1 ||
	    sessions_start(&h, err, sizeof err) == -1)
		goto fail;
	for (ii = 0; ii < nins; ii++)
		if ((ins[ii].l = listener_new(ins[ii].p, ins[ii].flag,
		    ins[ii].url, no.tls_cert, no.tls_key, err,
		    sizeof err)) == NULL ||
		    listener_register(ins[ii].l, &h.m) == -1)
			goto fail;
	for (ii = 0; ii < namqp; ii++)
		if ((amqps[ii] = amqp_input_new(amqp_urls[ii], err,
		    sizeof err)) == NULL ||
		    amqp_input_register(amqps[ii], &h.m) == -1)
			goto fail;
	if (nrules == 0) {
		/* The pack installed beside the binary, then DATA/rules. */
		snprintf(rulesdir, sizeof rulesdir, "%s", WARD_RULES_DIR);
		rules[nrules++] = rulesdir;
		snprintf(datarules, sizeof datarules, "%s/rules", data);
		rules[nrules++] = datarules;
	}
	to.parsers_default = to.nparsers == 0;
	to.plugins_default = to.nplugins == 0;
	if (to.nparsers == 0) {
		snprintf(shareparsers, sizeof shareparsers, "%s/parsers",
		    WARD_SHARE_DIR);
		parsers[to.nparsers++] = shareparsers;
		snprintf(dataparsers, sizeof dataparsers, "%s/parsers", data);
		parsers[to.nparsers++] = dataparsers;
	}
	if (to.nplugins == 0) {
		snprintf(shareplugins, sizeof shareplugins, "%s/plugins",
		    WARD_SHARE_DIR);
		plugins[to.nplugins++] = shareplugins;
		snprintf(dataplugins, sizeof dataplugins, "%s/plugins", data);
		plugins[to.nplugins++] = dataplugins;
	}
	to.parsers = parsers;
	to.plugins = plugins;
	to.m = &h.m;
	if ((tr = transit_new(&to, err, sizeof err)) == NULL)
		goto fail;
	if ((slot = transit_slot_new(tr)) == NULL) {
		errf(err, sizeof err, "out of memory");
		goto fail;
	}
	po.transit = slot;
	rl.to = &to;
	rl.slot = slot;
	/* the field mappings load with the rules, first */
	if (nmaps == 0) {
		snprintf(sharemaps, sizeof sharemaps, "%s/mappings",
		    WARD_SHARE_DIR);
		if (access(sharemaps, R_OK) == 0)
			ruleuse[nmaps++] = sharemaps;
	}
	for (nruleuse = nmaps; nruleuse - nmaps < nrules; nruleuse++)
		ruleuse[nruleuse] = rules[nruleuse - nmaps];
	ao.rule_paths = ruleuse;
	ao.nrule_paths = nruleuse;
	if ((h.alerter = alerter_new(&h, &ao, err, sizeof err)) == NULL)
		goto fail;
	if (store_start(h.store, commit_done, h.commit) == -1 ||
	    (h.pipe = pipeline_new(&po, h.store, &h.m)) == NULL) {
		errf(err, sizeof err, "cannot start threads");
		goto fail;
	}
	commit_set_pipeline(h.commit, h.pipe);
	for (ii = 0; ii < nins; ii++)
		if (listener_start(ins[ii].l, h.net) == -1) {
			errf(err, sizeof err, "cannot start threads");
			goto fail;
		}
	for (ii = 0; ii < namqp; ii++)
		if (amqp_input_start(amqps[ii], h.net) == -1) {
			errf(err, sizeof err, "cannot start threads");
			goto fail;
		}
	ro.datadir = data;
	ro.index = store_textindex(h.store);
	if ((ret = retention_start(&ro, &h.m, err, sizeof err)) == NULL ||
	    selflog_start(self, err, sizeof err) == -1)
		goto fail;

	wake_net = h.net;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_info("listening on %s:%d, data in %s (%llu events stored)",
	    host, port, data, (unsigned long long)h.m.store_events);
	service_notify("READY=1");
	while (!stop) {
		if (net_run(h.net, &stop, &reload) == -1) {
			log_err("the network loop failed");
			break;
		}
		if (reload) {
			reload = 0;
			service_notify("RELOADING=1");
			log_info("SIGHUP: reloading rules, parsers and "
			    "plugins");
			alerter_reload(h.alerter);
			/* Not on this thread: loading plugins runs the
			   Python host once (130-220 ms measured), and no
			   request is answered meanwhile. */
			transit_unref(tr);
			tr = NULL;
			if (rl.running)
				pthread_join(rl.thread, NULL);
			rl.running = pthread_create(&rl.thread, NULL,
			    reload_transit, &rl) == 0;
			if (!rl.running)
				log_err("parsers and plugins: cannot start "
				    "the reload; the previous ones stay");
		}
	}
	if (rl.running)
		pthread_join(rl.thread, NULL);
	log_info("shutting down");
	service_notify("STOPPING=1");
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "wardd: %s\n", err);
out:
	/* Finish what was accepted: parse, commit, then close the doors. */
	for (ii = 0; ii < nins; ii++)
		listener_stop(ins[ii].l);	/* hand on what they read */
	for (ii = 0; ii < namqp; ii++)
		amqp_input_stop(amqps[ii]);
	retention_stop(ret);		/* after the day it is on */
	selflog_stop(self);		/* its last job into the pipeline */
	pipeline_free(h.pipe);
	transit_slot_free(slot);
	transit_unref(tr);
	metrics_release(&h.m);
	if (h.store != NULL)
		store_stop(h.store);
	alerter_quiet(h.alerter);	/* no more broadcasts */
	sessions_stop(&h);
	wake_net = NULL;
	net_free(h.net);
	commit_free(h.commit);		/* committed, unanswered: retried */
	for (ii = 0; ii < nins; ii++)
		listener_free(ins[ii].l);	/* after the jobs naming them */
	for (ii = 0; ii < namqp; ii++)
		amqp_input_free(amqps[ii]);
	alerter_free(h.alerter);
	store_free(h.store);
	tokens_free(h.tokens);
	sqlite3_close(state);
	return rc;
}
