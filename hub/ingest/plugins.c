/*
 * plugins — MozDef's message plugins, run in transit by a python host.
 *
 * The set.  plugins_load() lists DIR/NAME.py of every plugin directory and
 * runs the host once with --list: it imports each file, reads its
 * `class message` (registration, priority) and prints one line a plugin,
 * sorted by priority, or the first load error as FILE:LINE: reason.  The
 * set (struct plugtab) holds those in order, and a hash table of every
 * lower-cased registration term with the mask of plugins (bit k) that
 * register it.  A reload (SIGHUP) loads a new set: the transit stage
 * builds its steps again (transit.h) and each worker gets a new host.
 * The counters are kept by plugin name in a struct plugins_stats that
 * successive sets share (hung on the hub's metrics), so they run on.
 *
 * The pre-filter.  MozDef sends an event to a plugin when the set of its
 * keys and values, lower-cased (dict2List), meets the plugin's
 * registration, checked again before each plugin on the event as the
 * plugins before it left it.  Only a plugin that ran can change the
 * event, so an event that meets no registration as it arrives meets none
 * at all: the C side walks each event once (keys and string values; a
 * string longer than the longest term is not even lower-cased) and only
 * events that meet some term cross to the host, with the mask of the
 * plugins they meet, so the host need not flatten them before the first
 * plugin runs.  Python's lower() and ASCII's agree on ASCII; a short
 * string with other characters is left to python (mask "-").
 *
 * The host.  One python process per pipeline worker (plugin_host_new),
 * started on the first batch that needs it: fd 0 is one end of a stream
 * socket pair (send() with MSG_NOSIGNAL: a dead host is an error, not a
 * SIGPIPE), fd 3 a memfd page, everything else closed; its own process
 * group, so a terminal's ^C goes to wardd alone.  A batch is the events
 * of one job that registered: "SEQ COUNT NBYTES\n" then COUNT lines
 * "LIMIT MASK EVENT" (LIMIT: run plugins 0..LIMIT-1); the reply is the
 * same header then COUNT lines u (untouched), j LAST EVENT (changed), d K
 * (plugin K dropped it), e K REASON EVENT (plugin K raised or returned
 * something unusable; EVENT as it was before K, which the host rebuilds
 * by running the plugins before K again on the original) and a line s of
 * per-plugin calls and nanoseconds.  Length-prefixed so each side reads a
 * batch in one go; NDJSON inside because jansson's and python's compact
 * JSON hold no newline.
 *
 * When a plugin hangs or kills the host.  The host writes into the shared
 * page (plain stores, no system call) the batch, the event and the
 * plugin it is running, and a counter bumped at each event and plugin
 * call.  wardd waits for the reply in slices of a quarter of the timeout;
 * a slice in which the counter did not move and the time since it last
 * moved passes the timeout is a hang: the host is killed.  EOF or a
 * malformed reply is a death.  Either way the page names the culprit:
 * the event goes again, to a new host, limited to the plugins before the
 * culprit, and is tagged plugin_error:NAME; the other events of the batch
 * go again whole (their results were not written yet).  Every death
 * resolves one event, so a batch always ends.  A death the page cannot
 * explain (between plugins) is retried once, then the events left are
 * tagged plugin_error:host.  Deaths in a row (no batch answered whole
 * between) back off: the first three restart at once, the next after
 * 100 ms, 200, ... up to 10 s, and while a host waits the events that
 * need it are stored as they came, tagged plugin_skipped, so a plugin
 * that fails on every event never stalls ingest.  Each
 * plugin's first error after a load is logged with its name and reason;
 * all are counted in /metrics.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errf.h"
#include "jarena.h"
#include "jsonfast.h"
#include "log.h"
#include "metrics.h"
#include "monotime.h"
#include "plugins.h"
#include "transit.h"

#ifndef WARD_SHARE_DIR
#define WARD_SHARE_DIR		"share"
#endif
#define WARD_PLUGIN_HOST	WARD_SHARE_DIR "/plugins/host/ward_plugin_host.py"

extern char **environ;

#define STATS_MAX	256		/* distinct plugin names since start */
#define LIST_TIMEOUT_MS	30000		/* --list, and a host's hello */
#define BACKOFF_MS	100
#define RESTARTS_NOW	3		/* deaths in a row before backing off */
#define BACKOFF_MAX_MS	10000
#define PAGE_SIZE_	4096

/* Words of the shared page (see ward_plugin_host.py). */
enum { W_SEQ, W_EVENT, W_PLUGIN, W_TICK };

struct plugin_stats {
	char			 name[128];
	atomic_uint_fast64_t	 events, dropped, errors, ns;
};

struct plugin_def {
	char		*name;
	char		*file;
	double		 priority;
	struct plugin_stats *st;
	atomic_int	 logged;	/* its first error was logged */
};

struct term {
	char		*s;		/* NULL: empty slot */
	size_t		 len;
	uint64_t	 mask;
};

struct plugtab {
	atomic_int	 refs;
	size_t		 n;
	struct plugin_def *p;
	char		**files;	/* in load order, for the host */
	size_t		 nfiles;
	struct term	*terms;		/* open addressing, power of 2 */
	size_t		 nslots;
	size_t		 minlen, maxlen;	/* of the terms, bytes */
	uint64_t	 star;		/* plugins registered for '*' */
};

/* The counters, by plugin name: shared by the sets loaded one after the
   other (SIGHUP), so they run on across reloads. */
struct plugins_stats {
	pthread_mutex_t	 mtx;
	size_t		 n;
	struct plugin_stats s[STATS_MAX];
	atomic_uint_fast64_t restarts, skipped, sent;
};

struct plugins {
	struct plugins_opts opts;
	char		**dirs;
	size_t		 ndirs;
	pthread_mutex_t	 mtx;
	struct plugtab	*cur;
	struct plugins_stats *stats;
	int		 own_stats;
	atomic_int	 host_logged;
};

/* One event of a run on its way through the host. */
struct pend {
	size_t		 idx;		/* in evs */
	uint64_t	 mask;
	int		 unknown;	/* mask "-" */
	int		 limit;		/* plugins to run */
	int		 err_k;		/* -1, or the plugin that failed on it */
	int		 done;
};

struct plugin_host {
	struct plugins	*ps;
	struct plugtab	*tab;
	pid_t		 pid;		/* 0: not running */
	int		 fd;
	int		 memfd;
	volatile uint32_t *page;
	uint32_t	 seq;
	int		 deaths;	/* in a row */
	int64_t		 next_start;	/* ms, monotonic */
	struct buf	 req, resp;
	struct pend	*pend;
	size_t		 npend, cappend;
	size_t		*sent;		/* batch line -> pend index */
	struct plugin_result *res;
	size_t		 capsent;
	unsigned char	*dropped;	/* the transit step's */
	json_t		**was;
	size_t		 capscratch;
};

/* ---- the set ---------------------------------------------------------- */

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct term *
term_slot(const struct plugtab *t, const char *s, size_t n)
{
	size_t	 i = (size_t)hash(s, n) & (t->nslots - 1);

	while (t->terms[i].s != NULL && (t->terms[i].len != n ||
	    memcmp(t->terms[i].s, s, n) != 0))
		i = (i + 1) & (t->nslots - 1);
	return &t->terms[i];
}

static void
tab_free(struct plugtab *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->p[i].name);
		free(t->p[i].file);
	}
	for (i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	for (i = 0; i < t->nslots; i++)
		free(t->terms[i].s);
	free(t->p);
	free(t->files);
	free(t->terms);
	free(t);
}

static void
tab_unref(struct plugtab *t)
{
	if (t != NULL && atomic_fetch_sub(&t->refs, 1) == 1)
		tab_free(t);
}

static struct plugtab *
tab_get(struct plugins *ps)
{
	struct plugtab *t;

	pthread_mutex_lock(&ps->mtx);
	t = ps->cur;
	atomic_fetch_add(&t->refs, 1);
	pthread_mutex_unlock(&ps->mtx);
	return t;
}

static struct plugin_stats *
stats_for(struct plugins_stats *st, const char *name)
{
	struct plugin_stats *r = NULL;
	size_t	 i;

	pthread_mutex_lock(&st->mtx);
	for (i = 0; i < st->n; i++)
		if (strcmp(st->s[i].name, name) == 0) {
			r = &st->s[i];
			goto out;
		}
	if (st->n < STATS_MAX) {
		snprintf(st->s[st->n].name, sizeof st->s[0].name, "%s", name);
		r = &st->s[st->n++];
	}
out:
	pthread_mutex_unlock(&st->mtx);
	return r;
}

void *
plugins_stats_new(void)
{
	struct plugins_stats *st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	pthread_mutex_init(&st->mtx, NULL);
	return st;
}

void
plugins_stats_free(void *arg)
{
	struct plugins_stats *st = arg;

	if (st == NULL)
		return;
	pthread_mutex_destroy(&st->mtx);
	free(st);
}

struct plugins_stats *
plugins_stats(struct plugins *ps)
{
	return ps->stats;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add DIR's plugin files to t->files.  0, or -1 with err. */
static int
scan_dir(struct plugtab *t, const char *dir, int missing_ok, char *err,
    size_t errlen)
{
	DIR	*d;
	struct dirent *de;
	struct stat sb;
	char	**names = NULL, **nn, path[4096];
	size_t	 n = 0, i, len;
	int	 rc = -1;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		errf(err, errlen, "plugin folder %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || de->d_name[0] == '_' || len < 4 ||
		    strcmp(de->d_name + len - 3, ".py") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof *names)) == NULL)
			goto nomem;
		names = nn;
		if ((names[n] = strdup(path)) == NULL)
			goto nomem;
		n++;
	}
	if (n > 0)		/* qsort(NULL, 0, ...) is undefined */
		qsort(names, n, sizeof *names, cmp_str);
	if ((nn = realloc(t->files, (t->nfiles + n) * sizeof *nn)) == NULL)
		goto nomem;
	t->files = nn;
	for (i = 0; i < n; i++)
		t->files[t->nfiles++] = names[i];
	n = 0;
	rc = 0;
	goto out;
nomem:
	errf(err, errlen, "out of memory");
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* Spawn the host with argv mode and t's files; fd 0 (and fd 1 for
   --list) a socket whose other end is returned in *fd. */
static pid_t
spawn_host(const struct plugins_opts *o, const struct plugtab *t,
    const char *mode, int memfd, int *fd, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	const char **argv;
	pid_t	 pid = -1;
	int	 sv[2], rc;
	size_t	 i, k = 0;

	if ((argv = calloc(t->nfiles + 6, sizeof *argv)) == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	argv[k++] = o->python;
	argv[k++] = "-I";
	argv[k++] = "-B";
	argv[k++] = o->host;
	argv[k++] = mode;
	for (i = 0; i < t->nfiles; i++)
		argv[k++] = t->files[i];
	argv[k] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		errf(err, errlen, "socketpair: %s", strerror(errno));
		free(argv);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	if (memfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, memfd, 3);
	else
		posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_addclosefrom_np(&fa, memfd >= 0 ? 4 : 3);
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, o->python, &fa, &at, (char *const *)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(argv);
	close(sv[1]);
	if (rc != 0) {
		errf(err, errlen, "%s: %s", o->python, strerror(rc));
		close(sv[0]);
		return -1;
	}
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	*fd = sv[0];
	return pid;
}

/* Stop pid; its exit status in *status.  With grace, wait up to 200 ms
   for it to exit by itself first (it closed its socket). */
static void
reap(pid_t pid, int grace, int *status)
{
	int	 st = 0, i;

	for (i = 0; grace && i < 40; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			goto out;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
out:
	if (status != NULL)
		*status = st;
}

/*
 * Read lines from a host's fd until a line "R" (ready) or EOF, at most
 * LIST_TIMEOUT_MS, into out.  0, 1 (EOF), or -1 (timeout, error).
 */
static int
read_hello(int fd, struct buf *out)
{
	int64_t	 deadline = monotime_ms() + LIST_TIMEOUT_MS;
	struct pollfd pfd = { fd, POLLIN, 0 };
	char	 tmp[4096];
	ssize_t	 r;

	for (;;) {
		if (out->len >= 2 && memcmp(out->data + out->len - 2, "R\n",
		    2) == 0 && (out->len == 2 || out->data[out->len - 3] ==
		    '\n'))
			return 0;
		if (monotime_ms() >= deadline)
			return -1;
		if (poll(&pfd, 1, (int)(deadline - monotime_ms())) == -1 &&
		    errno != EINTR)
			return -1;
		r = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
		if (r == 0)
			return 1;
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		if (buf_append(out, tmp, (size_t)r) == -1)
			return -1;
	}
}

/* Fill t from the host's description lines.  0, or -1 with err. */
static int
tab_from_list(struct plugins *ps, struct plugtab *t, const char *text,
    char *err, size_t errlen)
{
	const char *p = text, *nl;
	json_error_t je;
	json_t	*o = NULL, *reg, *v;
	size_t	 i, j, nterms = 0, len;
	struct term *slot;
	const char *s;

	if ((t->p = calloc(t->nfiles + 1, sizeof *t->p)) == NULL)
		goto nomem;
	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl - p < 2 || (p[0] != 'P' && p[0] != 'E') || p[1] != ' ')
			goto next;
		o = json_loadb(p + 2, (size_t)(nl - p - 2), 0, &je);
		if (o == NULL) {
			errf(err, errlen, "plugin host: bad line: %.*s",
			    (int)(nl - p > 200 ? 200 : nl - p), p);
			goto fail;
		}
		if (p[0] == 'E') {
			errf(err, errlen, "%s:%lld: %s",
			    json_string_value(json_object_get(o, "file")) ?
			    json_string_value(json_object_get(o, "file")) :
			    "?", (long long)json_integer_value(
			    json_object_get(o, "line")),
			    json_string_value(json_object_get(o, "reason")) ?
			    json_string_value(json_object_get(o, "reason")) :
			    "cannot load");
			goto fail;
		}
		if (t->n >= t->nfiles || t->n >= PLUGINS_MAX) {
			errf(err, errlen, "more than %d plugins", PLUGINS_MAX);
			goto fail;
		}
		v = json_object_get(o, "name");
		reg = json_object_get(o, "registration");
		if (!json_is_string(v) || !json_is_array(reg)) {
			errf(err, errlen, "plugin host: bad description");
			goto fail;
		}
		t->p[t->n].name = strdup(json_string_value(v));
		t->p[t->n].file = strdup(json_string_value(json_object_get(o,
		    "file")) ? json_string_value(json_object_get(o, "file")) :
		    "");
		t->p[t->n].priority = json_number_value(json_object_get(o,
		    "priority"));
		if (t->p[t->n].name == NULL || t->p[t->n].file == NULL)
			goto nomem;
		t->p[t->n].st = stats_for(ps->stats, t->p[t->n].name);
		if (t->p[t->n].st == NULL) {
			errf(err, errlen, "more than %d plugin names",
			    STATS_MAX);
			goto fail;
		}
		json_array_foreach(reg, j, v) {
			if (!json_is_string(v))
				continue;
			len = json_string_length(v);
			if (len > PLUGINS_TERM_MAX) {
				errf(err, errlen, "%s:1: registration term "
				    "longer than %d bytes", t->p[t->n].file,
				    PLUGINS_TERM_MAX);
				goto fail;
			}
			if (len == 1 && json_string_value(v)[0] == '*')
				t->star |= 1ULL << t->n;
			nterms++;
		}
		t->n++;
		json_decref(o);
		o = NULL;
next:
		if (*nl == '\0')
			break;
	}
	/* The terms: twice as many slots, at least 8. */
	for (t->nslots = 8; t->nslots < nterms * 2; t->nslots *= 2)
		;
	if ((t->terms = calloc(t->nslots, sizeof *t->terms)) == NULL)
		goto nomem;
	t->minlen = SIZE_MAX;
	for (p = text; *p != '\0'; p = nl + 1) {
		size_t	 k;

		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl - p < 2 || p[0] != 'P' || p[1] != ' ')
			goto next2;
		if ((o = json_loadb(p + 2, (size_t)(nl - p - 2), 0, &je)) ==
		    NULL)
			goto next2;
		v = json_object_get(o, "name");
		for (k = 0; k < t->n; k++)
			if (strcmp(t->p[k].name, json_string_value(v)) == 0)
				break;
		reg = json_object_get(o, "registration");
		json_array_foreach(reg, i, v) {
			if (!json_is_string(v))
				continue;
			s = json_string_value(v);
			len = json_string_length(v);
			slot = term_slot(t, s, len);
			if (slot->s == NULL) {
				if ((slot->s = malloc(len + 1)) == NULL)
					goto nomem;
				memcpy(slot->s, s, len + 1);
				slot->len = len;
				if (len < t->minlen)
					t->minlen = len;
				if (len > t->maxlen)
					t->maxlen = len;
			}
			slot->mask |= 1ULL << k;
		}
		json_decref(o);
		o = NULL;
next2:
		if (*nl == '\0')
			break;
	}
	return 0;
nomem:
	errf(err, errlen, "out of memory");
fail:
	json_decref(o);
	return -1;
}

/* Build a set from ps's directories.  NULL with err. */
static struct plugtab *
tab_load(struct plugins *ps, char *err, size_t errlen)
{
	struct plugtab *t;
	struct jarena *saved = jarena_use(NULL);
	struct buf out;
	pid_t	 pid;
	size_t	 i;
	int	 fd = -1, st = 0, r;

	buf_init(&out);
	if ((t = calloc(1, sizeof *t)) == NULL) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	atomic_init(&t->refs, 1);
	for (i = 0; i < ps->ndirs; i++)
		if (scan_dir(t, ps->dirs[i], ps->opts.missing_ok, err,
		    errlen) == -1)
			goto fail;
	if (t->nfiles > PLUGINS_MAX) {
		errf(err, errlen, "%zu plugins: at most %d", t->nfiles,
		    PLUGINS_MAX);
		goto fail;
	}
	if (t->nfiles == 0) {
		if (tab_from_list(ps, t, "", err, errlen) == -1)
			goto fail;
		goto done;
	}
	if ((pid = spawn_host(&ps->opts, t, "--list", -1, &fd, err,
	    errlen)) == -1)
		goto fail;
	r = read_hello(fd, &out);
	reap(pid, r == 1, &st);
	close(fd);
	if (r == -1 || buf_append(&out, "", 1) == -1) {
		errf(err, errlen, "plugin host %s: no answer in %d s",
		    ps->opts.host, LIST_TIMEOUT_MS / 1000);
		goto fail;
	}
	if (tab_from_list(ps, t, out.data, err, errlen) == -1)
		goto fail;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || t->n != t->nfiles) {
		errf(err, errlen, "plugin host %s failed (%s %d); is %s "
		    "there?", ps->opts.host, WIFEXITED(st) ? "exit status" :
		    "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		    ps->opts.python);
		goto fail;
	}
done:
	buf_release(&out);
	jarena_use(saved);
	return t;
fail:
	buf_release(&out);
	tab_free(t);
	jarena_use(saved);
	return NULL;
}

struct plugins *
plugins_load(const char *const *dirs, size_t n, const struct plugins_opts *o,
    char *err, size_t errlen)
{
	struct plugins *ps;
	size_t	 i;

	if ((ps = calloc(1, sizeof *ps)) == NULL ||
	    (ps->dirs = calloc(n + 1, sizeof *ps->dirs)) == NULL) {
		free(ps);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ps->mtx, NULL);
	if (o != NULL)
		ps->opts = *o;
	if ((ps->stats = ps->opts.stats) == NULL) {
		if ((ps->stats = plugins_stats_new()) == NULL) {
			errf(err, errlen, "out of memory");
			goto fail;
		}
		ps->own_stats = 1;
	}
	if (ps->opts.python == NULL)
		ps->opts.python = "/usr/bin/python3";
	if (ps->opts.host == NULL)
		ps->opts.host = WARD_PLUGIN_HOST;
	if (ps->opts.timeout_ms <= 0)
		ps->opts.timeout_ms = 2000;
	if (ps->opts.max_depth == 0)
		ps->opts.max_depth = 64;
	for (i = 0; i < n; i++) {
		if ((ps->dirs[i] = strdup(dirs[i])) == NULL) {
			errf(err, errlen, "out of memory");
			goto fail;
		}
		ps->ndirs++;
	}
	if ((ps->cur = tab_load(ps, err, errlen)) == NULL)
		goto fail;
	return ps;
fail:
	plugins_free(ps);
	return NULL;
}

size_t
plugins_count(struct plugins *ps)
{
	size_t	 n;

	if (ps == NULL)
		return 0;
	pthread_mutex_lock(&ps->mtx);
	n = ps->cur != NULL ? ps->cur->n : 0;
	pthread_mutex_unlock(&ps->mtx);
	return n;
}

void
plugins_free(struct plugins *ps)
{
	size_t	 i;

	if (ps == NULL)
		return;
	tab_unref(ps->cur);
	if (ps->own_stats)
		plugins_stats_free(ps->stats);
	for (i = 0; i < ps->ndirs; i++)
		free(ps->dirs[i]);
	free(ps->dirs);
	pthread_mutex_destroy(&ps->mtx);
	free(ps);
}

/* Append name as a Prometheus label value. */
static int
label(struct buf *out, const char *name)
{
	int	 rc = 0;

	for (; *name != '\0'; name++) {
		if (*name == '"' || *name == '\\')
			rc |= buf_append(out, "\\", 1);
		if (*name == '\n')
			rc |= buf_append(out, "\\n", 2);
		else
			rc |= buf_append(out, name, 1);
	}
	return rc;
}

int
plugins_metrics_render(void *arg, struct buf *out)
{
	static const struct {
		const char *name, *help;
		size_t	 off;
		int	 seconds;
	} m[] = {
		{ "ward_plugin_events_total", "Events a plugin ran on.",
		  offsetof(struct plugin_stats, events), 0 },
		{ "ward_plugin_dropped_total", "Events a plugin dropped.",
		  offsetof(struct plugin_stats, dropped), 0 },
		{ "ward_plugin_errors_total", "Events a plugin failed on "
		  "(raised, hung, killed its host, returned something "
		  "unusable); stored as before it, tagged.",
		  offsetof(struct plugin_stats, errors), 0 },
		{ "ward_plugin_seconds_total", "Time spent in a plugin's "
		  "onMessage.", offsetof(struct plugin_stats, ns), 1 },
	};
	struct plugins_stats *ps = arg;
	size_t	 i, k, n;
	int	 rc = 0;

	if (ps == NULL)
		return 0;
	pthread_mutex_lock(&ps->mtx);
	n = ps->n;
	pthread_mutex_unlock(&ps->mtx);
	for (i = 0; i < sizeof m / sizeof *m; i++) {
		rc |= buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n",
		    m[i].name, m[i].help, m[i].name);
		for (k = 0; k < n; k++) {
			uint64_t v = atomic_load((atomic_uint_fast64_t *)
			    ((char *)&ps->s[k] + m[i].off));

			rc |= buf_printf(out, "%s{plugin=\"", m[i].name);
			rc |= label(out, ps->s[k].name);
			if (m[i].seconds)
				rc |= buf_printf(out, "\"} %.6f\n",
				    (double)v / 1e9);
			else
				rc |= buf_printf(out, "\"} %llu\n",
				    (unsigned long long)v);
		}
	}
	rc |= buf_printf(out, "# HELP ward_plugin_host_restarts_total Plugin "
	    "hosts restarted after one died or hung.\n"
	    "# TYPE ward_plugin_host_restarts_total counter\n"
	    "ward_plugin_host_restarts_total %llu\n"
	    "# HELP ward_plugin_skipped_total Events stored without their "
	    "plugins while the host could not run (tagged plugin_skipped).\n"
	    "# TYPE ward_plugin_skipped_total counter\n"
	    "ward_plugin_skipped_total %llu\n"
	    "# HELP ward_plugin_sent_total Events that met a registration and "
	    "went to a plugin host.\n"
	    "# TYPE ward_plugin_sent_total counter\n"
	    "ward_plugin_sent_total %llu\n",
	    (unsigned long long)atomic_load(&ps->restarts),
	    (unsigned long long)atomic_load(&ps->skipped),
	    (unsigned long long)atomic_load(&ps->sent));
	return rc ? -1 : 0;
}

/* ---- the pre-filter --------------------------------------------------- */

/* s[0..n) against the terms: ORs into *mask; returns 2 when only python
   can tell. */
static int
match_str(const struct plugtab *t, const char *s, size_t n, uint64_t *mask)
{
	char	 low[PLUGINS_TERM_MAX];
	size_t	 i, cp = 0;
	int	 ascii = 1;
	struct term *slot;

	/* Python's lower() never shortens a string in code points, and a
	   code point is at most 4 bytes. */
	if (n > 4 * t->maxlen)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			ascii = 0;
			if ((c & 0xc0) != 0x80)
				cp++;
		} else {
			cp++;
			low[i < sizeof low ? i : 0] = (char)(c >= 'A' &&
			    c <= 'Z' ? c + 32 : c);
		}
	}
	if (!ascii)
		return cp <= t->maxlen ? 2 : 0;
	if (n < t->minlen || n > t->maxlen)
		return 0;
	slot = term_slot(t, low, n);
	if (slot->s != NULL)
		*mask |= slot->mask;
	return 0;
}

static int
match_tree(const struct plugtab *t, const json_t *v, uint64_t *mask)
{
	const char *key;
	json_t	*x;
	size_t	 i;
	int	 r = 0;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, x) {
			r |= match_str(t, key, strlen(key), mask);
			r |= match_tree(t, x, mask);
		}
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, x)
			r |= match_tree(t, x, mask);
		break;
	case JSON_STRING:
		r |= match_str(t, json_string_value(v), json_string_length(v),
		    mask);
		break;
	default:
		break;
	}
	return r;
}

static int
tab_match(const struct plugtab *t, const json_t *ev, uint64_t *mask)
{
	int	 r;

	*mask = 0;
	if (t->n == 0)
		return 0;
	if (t->nslots == 0 || t->maxlen == 0)
		r = 0;
	else
		r = match_tree(t, ev, mask);
	*mask |= t->star;
	if (*mask != 0)
		return 1;
	return r == 2 ? 2 : 0;
}

int
plugins_match(struct plugins *ps, const json_t *ev, uint64_t *mask)
{
	struct plugtab *t = tab_get(ps);
	int	 r = tab_match(t, ev, mask);

	tab_unref(t);
	return r;
}

/* ---- the reply -------------------------------------------------------- */

/* A decimal number at p[0..len) ending at a space or the end; 0 or -1. */
static int
num(const char **pp, const char *end, uint64_t max, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -1;
	}
	*pp = p;
	*out = v;
	return 0;
}

int
plugins_reply_header(const char *p, size_t len, uint32_t *seq, size_t *count,
    size_t *nbytes, size_t *hdrlen)
{
	const char *nl = memchr(p, '\n', len > 64 ? 64 : len), *q = p;
	uint64_t a, b, c;

	if (nl == NULL)
		return len >= 64 ? -1 : 0;
	if (num(&q, nl, UINT32_MAX, &a) == -1 || q >= nl || *q++ != ' ' ||
	    num(&q, nl, 1u << 24, &b) == -1 || q >= nl || *q++ != ' ' ||
	    num(&q, nl, 1ULL << 34, &c) == -1 || q != nl)
		return -1;
	*seq = (uint32_t)a;
	*count = (size_t)b;
	*nbytes = (size_t)c;
	*hdrlen = (size_t)(nl - p) + 1;
	return 1;
}

int
plugins_reply_parse(const char *p, size_t len, size_t count, size_t nplugins,
    struct plugin_result *res, uint64_t *calls, uint64_t *ns, char *err,
    size_t errlen)
{
	const char *end = p + len, *nl, *q;
	uint64_t v, c, t;
	size_t	 i, k, used;

	for (i = 0; i <= count; i++) {
		if (p >= end || (nl = memchr(p, '\n', (size_t)(end - p))) ==
		    NULL) {
			errf(err, errlen, "reply: %zu of %zu lines", i,
			    count + 1);
			return -1;
		}
		q = p + 1;
		if (i == count) {	/* s C0 N0 C1 N1 ... */
			if (*p != 's')
				goto bad;
			for (k = 0; k < nplugins; k++) {
				if (q >= nl || *q++ != ' ' ||
				    num(&q, nl, UINT64_MAX, &c) == -1 ||
				    q >= nl || *q++ != ' ' ||
				    num(&q, nl, UINT64_MAX, &t) == -1)
					goto bad;
				calls[k] += c;
				ns[k] += t;
			}
			if (q != nl)
				goto bad;
			p = nl + 1;
			break;
		}
		memset(&res[i], 0, sizeof res[i]);
		res[i].kind = *p;
		switch (*p) {
		case 'u':
			if (q != nl)
				goto bad;
			break;
		case 'd':
		case 'j':
		case 'e':
			if (q >= nl || *q++ != ' ' ||
			    num(&q, nl, nplugins - 1, &v) == -1 ||
			    nplugins == 0)
				goto bad;
			res[i].k = (int)v;
			if (*p == 'd') {
				if (q != nl)
					goto bad;
				break;
			}
			if (q >= nl || *q++ != ' ')
				goto bad;
			if (*p == 'e') {
				used = jsonfast_skip(q, (size_t)(nl - q));
				if (used < 2 || *q != '"' || q + used >= nl ||
				    q[used] != ' ')
					goto bad;
				res[i].reason = q;
				res[i].reasonlen = used;
				q += used + 1;
			}
			if (q >= nl)
				goto bad;
			res[i].event = q;
			res[i].eventlen = (size_t)(nl - q);
			break;
		default:
			goto bad;
		}
		p = nl + 1;
	}
	if (p != end) {
		errf(err, errlen, "reply: %zu bytes past its lines",
		    (size_t)(end - p));
		return -1;
	}
	return 0;
bad:
	errf(err, errlen, "reply: bad line %zu: %.*s", i + 1,
	    (int)(nl - p > 80 ? 80 : nl - p), p);
	return -1;
}

/* ---- the host --------------------------------------------------------- */

struct plugin_host *
plugin_host_new(struct plugins *ps)
{
	struct plugin_host *h;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->ps = ps;
	h->fd = -1;
	h->memfd = -1;
	buf_init(&h->req);
	buf_init(&h->resp);
	h->tab = tab_get(ps);
	return h;
}

/* Kill the python; returns its wait status. */
static int
host_stop(struct plugin_host *h, int grace)
{
	int	 st = 0;

	if (h->pid > 0) {
		reap(h->pid, grace, &st);
		h->pid = 0;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	return st;
}

void
plugin_host_free(struct plugin_host *h)
{
	if (h == NULL)
		return;
	host_stop(h, 0);
	if (h->page != NULL)
		munmap((void *)h->page, PAGE_SIZE_);
	if (h->memfd >= 0)
		close(h->memfd);
	buf_release(&h->req);
	buf_release(&h->resp);
	tab_unref(h->tab);
	free(h->pend);
	free(h->sent);
	free(h->res);
	free(h->dropped);
	free(h->was);
	free(h);
}

/* Start the python and read its description.  0 or -1 (logged). */
static int
host_start(struct plugin_host *h)
{
	struct plugtab *t = h->tab;
	struct jarena *saved;
	char	 err[512];
	const char *p, *nl;
	size_t	 k = 0;
	int	 r;

	if (h->memfd < 0) {
		if ((h->memfd = memfd_create("ward-plugin-page",
		    MFD_CLOEXEC)) == -1 ||
		    ftruncate(h->memfd, PAGE_SIZE_) == -1 ||
		    (h->page = mmap(NULL, PAGE_SIZE_, PROT_READ | PROT_WRITE,
		    MAP_SHARED, h->memfd, 0)) == MAP_FAILED) {
			h->page = NULL;
			if (h->memfd >= 0)
				close(h->memfd);
			h->memfd = -1;
			log_err("plugin host: shared page: %s",
			    strerror(errno));
			return -1;
		}
	}
	memset((void *)h->page, 0, PAGE_SIZE_);
	if ((h->pid = spawn_host(&h->ps->opts, t, "--serve", h->memfd,
	    &h->fd, err, sizeof err)) == -1) {
		h->pid = 0;
		log_err("plugin host: %s", err);
		return -1;
	}
	buf_reset(&h->resp);
	saved = jarena_use(NULL);
	r = read_hello(h->fd, &h->resp);
	jarena_use(saved);
	/* The same plugins in the same order as the set (a file edited
	   since without a SIGHUP may differ). */
	saved = jarena_use(NULL);
	for (p = h->resp.data; r == 0 && p != NULL && *p == 'P'; p = nl + 1) {
		json_t	*o;
		int	 same;

		if ((nl = strchr(p, '\n')) == NULL || k >= t->n)
			break;
		o = json_loadb(p + 2, (size_t)(nl - p - 2), 0, NULL);
		same = o != NULL && json_is_string(json_object_get(o, "name")) &&
		    strcmp(json_string_value(json_object_get(o, "name")),
		    t->p[k].name) == 0;
		json_decref(o);
		if (!same)
			break;
		k++;
	}
	jarena_use(saved);
	if (r != 0 || k != t->n) {
		if (atomic_exchange(&h->ps->host_logged, 1) == 0)
			log_err("plugin host: did not start with the plugins "
			    "loaded (%s); was a plugin changed without a "
			    "reload? %.*s", r == 1 ? "it exited" : r == -1 ?
			    "no answer" : "other plugins",
			    (int)(h->resp.len > 300 ? 300 : h->resp.len),
			    h->resp.data ? h->resp.data : "");
		host_stop(h, 0);
		return -1;
	}
	buf_reset(&h->resp);
	return 0;
}

static void
tag_event(json_t *ev, const char *tag)
{
	json_t	*tags = json_object_get(ev, "tags"), *a;

	if (json_is_array(tags)) {
		json_array_append_new(tags, json_string(tag));
		return;
	}
	if ((a = json_array()) == NULL)
		return;
	if (json_is_string(tags))
		json_array_append(a, tags);
	json_array_append_new(a, json_string(tag));
	json_object_set_new(ev, "tags", a);
}

static void
tag_error(struct plugin_host *h, json_t *ev, int k)
{
	char	 tag[160];

	if (k < 0 || (size_t)k >= h->tab->n)
		snprintf(tag, sizeof tag, "plugin_error:host");
	else
		snprintf(tag, sizeof tag, "plugin_error:%s",
		    h->tab->p[k].name);
	tag_event(ev, tag);
}

/* Count (and the first time, log) plugin k's failure. */
static void
plugin_failed(struct plugin_host *h, int k, const char *fmt, const char *a)
{
	struct plugin_def *d = &h->tab->p[k];

	atomic_fetch_add(&d->st->errors, 1);
	if (atomic_exchange(&d->logged, 1) == 0) {
		char	 what[512];

		snprintf(what, sizeof what, fmt, a);
		log_warn("plugin %s (%s): %s; the event is stored as it was "
		    "before it, tagged plugin_error:%s (logged once)",
		    d->name, d->file, what, d->name);
	}
}

static void
replace(json_t **slot, json_t *ev)
{
	if (jarena_current() == NULL)
		json_decref(*slot);
	*slot = ev;
}

/* Send buf[off..len) within the deadline; 0 or -1. */
static int
send_all(struct plugin_host *h, const char *p, size_t n, int64_t deadline)
{
	struct pollfd pfd = { h->fd, POLLOUT, 0 };
	ssize_t	 w;

	while (n > 0) {
		w = send(h->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (monotime_ms() >= deadline)
			return -1;
		if (poll(&pfd, 1, (int)(deadline - monotime_ms())) == -1 &&
		    errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * Wait for a whole reply to batch seq in h->resp.  0; -1 dead (EOF,
 * error, bad header: *why set); -2 hung.
 */
static int
recv_reply(struct plugin_host *h, uint32_t seq, size_t count,
    size_t *hdrlen, size_t *nbytes, const char **why)
{
	struct pollfd pfd = { h->fd, POLLIN, 0 };
	int	 slice = h->ps->opts.timeout_ms / 4;
	int64_t	 last = monotime_ms();
	uint32_t tick = h->page[W_TICK], rseq;
	size_t	 rcount;
	ssize_t	 r;
	int	 got;

	if (slice < 10)
		slice = 10;
	for (;;) {
		if (h->resp.len > 0) {
			got = plugins_reply_header(h->resp.data, h->resp.len,
			    &rseq, &rcount, nbytes, hdrlen);
			if (got == -1 || (got == 1 && (rseq != seq ||
			    rcount != count))) {
				*why = "a bad reply header";
				return -1;
			}
			if (got == 1 && h->resp.len >= *hdrlen + *nbytes)
				return h->resp.len == *hdrlen + *nbytes ? 0 :
				    (*why = "bytes past its reply", -1);
		}
		if (buf_reserve(&h->resp, 1 << 16) == -1) {
			*why = "out of memory";
			return -1;
		}
		r = recv(h->fd, h->resp.data + h->resp.len,
		    h->resp.cap - h->resp.len - 1, MSG_DONTWAIT);
		if (r > 0) {
			h->resp.len += (size_t)r;
			h->resp.data[h->resp.len] = '\0';
			continue;
		}
		if (r == 0) {
			*why = "it exited";
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR) {
			*why = "a socket error";
			return -1;
		}
		if (poll(&pfd, 1, slice) == 0) {
			if (h->page[W_TICK] != tick) {
				tick = h->page[W_TICK];
				last = monotime_ms();
			} else if (monotime_ms() - last >=
			    h->ps->opts.timeout_ms)
				return -2;
		}
	}
}

/* Make room for n pending events and a batch of n. */
static int
grow(struct plugin_host *h, size_t n)
{
	void	*a, *b, *c;

	if (n <= h->cappend)
		return 0;
	if ((a = realloc(h->pend, n * sizeof *h->pend)) == NULL)
		return -1;
	h->pend = a;
	if ((b = realloc(h->sent, n * sizeof *h->sent)) == NULL)
		return -1;
	h->sent = b;
	if ((c = realloc(h->res, n * sizeof *h->res)) == NULL)
		return -1;
	h->res = c;
	h->cappend = n;
	return 0;
}

/* Apply result r to pending event e. */
static void
apply(struct plugin_host *h, json_t **evs, unsigned char *dropped,
    struct pend *e, const struct plugin_result *r)
{
	struct jsonfast_error je;
	json_t	*ev = NULL;
	char	 reason[400];
	int	 k = r->k;

	e->done = 1;
	switch (r->kind) {
	case 'd':
		dropped[e->idx] = 1;
		atomic_fetch_add(&h->tab->p[k].st->dropped, 1);
		return;
	case 'u':
		break;
	case 'j':
	case 'e':
		ev = jsonfast_parse(r->event, r->eventlen, NULL,
		    h->ps->opts.max_depth, &je);
		if (ev == NULL || !json_is_object(ev)) {
			json_decref(ev);
			plugin_failed(h, k, "it returned an event wardd cannot "
			    "read (%s)", ev == NULL ? je.text : "not an object");
			tag_error(h, evs[e->idx], k);
			return;
		}
		replace(&evs[e->idx], ev);
		if (r->kind == 'j')
			break;
		snprintf(reason, sizeof reason, "%.*s", (int)(r->reasonlen >
		    sizeof reason - 1 ? sizeof reason - 1 : r->reasonlen),
		    r->reason);
		plugin_failed(h, k, "it raised %s", reason);
		tag_error(h, evs[e->idx], k);
		return;
	}
	if (e->err_k >= 0)
		tag_error(h, evs[e->idx], e->err_k);
}

/*
 * One batch of the pending events not done.  0 when every one got its
 * result; -1 when the host died or hung (it is stopped, and the culprit,
 * when the page names one, is marked).
 */
static int
host_batch(struct plugin_host *h, json_t **evs, unsigned char *dropped)
{
	struct plugtab *t = h->tab;
	uint64_t calls[PLUGINS_MAX] = { 0 }, ns[PLUGINS_MAX] = { 0 };
	const char *why = NULL;
	char	 hdr[64], err[200], mask[20];
	size_t	 i, count = 0, hdrlen, nbytes, start;
	int	 hl, r, st, k;
	uint32_t seq = ++h->seq;
	int64_t	 deadline;

	buf_reset(&h->req);
	if (buf_reserve(&h->req, 64) == -1)
		goto nomem;
	h->req.len = 64;	/* room for the header */
	for (i = 0; i < h->npend; i++) {
		struct pend *e = &h->pend[i];

		if (e->done)
			continue;
		if (e->limit == 0) {	/* nothing before its culprit */
			e->done = 1;
			tag_error(h, evs[e->idx], e->err_k);
			continue;
		}
		if (e->unknown)
			snprintf(mask, sizeof mask, "-");
		else
			snprintf(mask, sizeof mask, "%llx",
			    (unsigned long long)e->mask);
		start = h->req.len;
		if (buf_printf(&h->req, "%d %s ", e->limit, mask) == -1 ||
		    jsonfast_dump(&h->req, evs[e->idx]) == -1 ||
		    buf_append(&h->req, "\n", 1) == -1) {
			/* not writable (a non-finite real...): keep as is */
			h->req.len = start;
			e->done = 1;
			continue;
		}
		h->sent[count++] = i;
	}
	if (count == 0)
		return 0;
	hl = snprintf(hdr, sizeof hdr, "%u %zu %zu\n", seq, count,
	    h->req.len - 64);
	memcpy(h->req.data + 64 - hl, hdr, (size_t)hl);
	deadline = monotime_ms() + h->ps->opts.timeout_ms +
	    (int64_t)(h->req.len >> 10);
	buf_reset(&h->resp);
	if (send_all(h, h->req.data + 64 - hl, h->req.len - 64 + (size_t)hl,
	    deadline) == -1) {
		why = "it stopped reading";
		r = -1;
	} else
		r = recv_reply(h, seq, count, &hdrlen, &nbytes, &why);
	if (r == 0 && plugins_reply_parse(h->resp.data + hdrlen, nbytes, count,
	    t->n, h->res, calls, ns, err, sizeof err) == -1) {
		why = err;
		r = -1;
	}
	if (r == 0) {
		for (i = 0; i < count; i++)
			apply(h, evs, dropped, &h->pend[h->sent[i]],
			    &h->res[i]);
		for (k = 0; (size_t)k < t->n; k++) {
			atomic_fetch_add(&t->p[k].st->events, calls[k]);
			atomic_fetch_add(&t->p[k].st->ns, ns[k]);
		}
		return 0;
	}
	/* Dead or hung: who was running? */
	st = host_stop(h, r == -1);
	atomic_fetch_add(&h->ps->stats->restarts, 1);
	if (h->page[W_SEQ] == seq && h->page[W_PLUGIN] > 0 &&
	    h->page[W_PLUGIN] <= t->n && h->page[W_EVENT] < count) {
		struct pend *e = &h->pend[h->sent[h->page[W_EVENT]]];
		char	 what[400];

		k = (int)h->page[W_PLUGIN] - 1;
		if (r == -2)
			snprintf(what, sizeof what, "it took longer than %d ms "
			    "on an event; its host was killed",
			    h->ps->opts.timeout_ms);
		else if (WIFSIGNALED(st))
			snprintf(what, sizeof what, "its host died (%.150s: %s)",
			    why, strsignal(WTERMSIG(st)));
		else
			snprintf(what, sizeof what, "its host died (%.150s, exit "
			    "status %d)", why, WEXITSTATUS(st));
		plugin_failed(h, k, "%s", what);
		e->limit = k;
		e->err_k = k;
		return -1;
	}
	if (atomic_exchange(&h->ps->host_logged, 1) == 0)
		log_err("plugin host: %s outside any plugin; restarted "
		    "(logged once)", r == -2 ? "hung" : why);
	return -2;
nomem:
	return -2;
}

/* One more death in a row: the first RESTARTS_NOW restart at once,
   then 100 ms, 200 ms, ... 10 s. */
static void
backoff(struct plugin_host *h)
{
	int64_t	 delay = 0;
	int	 d;

	d = ++h->deaths - RESTARTS_NOW;
	if (d > 0)
		delay = (int64_t)BACKOFF_MS << (d < 9 ? d - 1 : 8);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	h->next_start = monotime_ms() + delay;
}

size_t
plugin_host_run(struct plugin_host *h, json_t **evs, size_t n,
    unsigned char *dropped)
{
	struct plugtab *t;
	size_t	 i, sent = 0;
	int	 r, unexplained = 0;
	uint64_t mask;

	memset(dropped, 0, n);
	t = h->tab;
	if (t->n == 0)
		return 0;
	h->npend = 0;
	for (i = 0; i < n; i++) {
		if (evs[i] == NULL || !json_is_object(evs[i]) ||
		    (r = tab_match(t, evs[i], &mask)) == 0)
			continue;
		if (h->npend == h->cappend && grow(h, h->cappend ?
		    h->cappend * 2 : 256) == -1)
			break;
		h->pend[h->npend++] = (struct pend){ i, mask, r == 2,
		    (int)t->n, -1, 0 };
	}
	if (h->npend == 0)
		return 0;
	sent = h->npend;
	atomic_fetch_add(&h->ps->stats->sent, sent);
	for (;;) {
		if (h->pid == 0 && (monotime_ms() < h->next_start ||
		    host_start(h) == -1)) {
			/* it did not start */
			if (h->next_start <= monotime_ms())
				backoff(h);
			for (i = 0; i < h->npend; i++) {
				if (h->pend[i].done)
					continue;
				h->pend[i].done = 1;
				if (h->pend[i].err_k >= 0)
					tag_error(h, evs[h->pend[i].idx],
					    h->pend[i].err_k);
				else {
					tag_event(evs[h->pend[i].idx],
					    "plugin_skipped");
					atomic_fetch_add(&h->ps->stats->skipped, 1);
				}
			}
			break;
		}
		if ((r = host_batch(h, evs, dropped)) == 0) {
			h->deaths = 0;
			break;
		}
		backoff(h);
		if (r == -2 && ++unexplained >= 2) {
			for (i = 0; i < h->npend; i++) {
				if (h->pend[i].done)
					continue;
				h->pend[i].done = 1;
				tag_error(h, evs[h->pend[i].idx],
				    h->pend[i].err_k);
			}
			break;
		}
	}
	return sent;
}

/* ---- the transit step ------------------------------------------------- */

static int
step_init(const struct transit_opts *o, void **state, char *err,
    size_t errlen)
{
	struct plugins_opts po = { 0 };
	struct plugins *ps;

	/* the default folders need not exist; one the user names must */
	po.missing_ok = o->plugins_default;
	po.timeout_ms = o->plugin_timeout_ms;
	if (o->m != NULL && (po.stats = metrics_more(o->m, "plugins",
	    plugins_stats_new, plugins_metrics_render, plugins_stats_free)) ==
	    NULL)
		return errf(err, errlen, "out of memory");
	if ((ps = plugins_load(o->plugins, o->nplugins, &po, err, errlen)) ==
	    NULL)
		return -1;
	if (plugins_count(ps) == 0) {	/* nothing to run: step left out */
		plugins_free(ps);
		ps = NULL;
	}
	*state = ps;
	return 0;
}

static void
step_free(void *state)
{
	plugins_free(state);
}

static void *
step_worker_new(void *state, char *err, size_t errlen)
{
	struct plugin_host *h;

	if ((h = plugin_host_new(state)) == NULL)
		errf(err, errlen, "out of memory");
	return h;
}

static void
step_worker_free(void *state, void *w)
{
	plugin_host_free(w);
}

static int
step_batch(void *state, void *w, json_t **evs, size_t n,
    unsigned char *flags, const struct transit_ctx *ctx)
{
	struct plugin_host *h = w;
	unsigned char *dropped;
	json_t	**was;
	size_t	 i;

	if (n > h->capscratch) {
		if ((dropped = realloc(h->dropped, n)) == NULL)
			return -1;
		h->dropped = dropped;
		if ((was = realloc(h->was, n * sizeof *was)) == NULL)
			return -1;
		h->was = was;
		h->capscratch = n;
	}
	memcpy(h->was, evs, n * sizeof *evs);
	if (plugin_host_run(h, evs, n, h->dropped) == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (h->dropped[i])
			flags[i] |= TRANSIT_DROP;
		else if (evs[i] != h->was[i])
			flags[i] |= TRANSIT_CHANGED;
	}
	return 0;
}

const struct transit_step transit_step_plugins = {
	.name = "plugins",
	.init = step_init,
	.free = step_free,
	.worker_new = step_worker_new,
	.worker_free = step_worker_free,
	.batch = step_batch,
};
