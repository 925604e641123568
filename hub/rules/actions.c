/*
 * actions — response actions: webhooks and commands, on worker threads,
 * with retries and a record of every attempt.  See actions.h.
 *
 * The queue is a list of tasks ordered by when they are due; a worker
 * takes the first one due, runs it without any lock held, records the
 * result on the alert's timeline and, on a failure with retries left,
 * puts it back due after the action's backoff (doubling, at most a
 * minute).  A task holds a reference to the action set it came from, so
 * a reload never pulls an action from under a worker.
 *
 * The webhook client is plain HTTP/1.1 over a socket with one deadline
 * for connect, send and the status line; https is not spoken (point the
 * webhook at a local relay).  Commands run without a shell, in a process
 * group of their own (killed as a group at the timeout), with no
 * descriptor of the hub's but the pipes.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "actions.h"
#include "alertdb.h"
#include "deadline.h"
#include "errf.h"
#include "log.h"
#include "monotime.h"
#include "url.h"
#include "yamldoc.h"

#define ACT_MAX_WORKERS		16
#define ACT_DEF_WORKERS		2
#define ACT_OUTPUT_MAX		4096	/* command output kept */
#define ACT_BACKOFF_MAX		(60 * 1000000LL)
#define ACT_QUEUE_MAX		10000	/* tasks waiting: past it, refuse */

enum { ON_NEW = 1, ON_UPDATE = 2, ON_ESCALATED = 4 };
enum act_kind { ACT_WEBHOOK, ACT_COMMAND };

static const char *const sev_names[] = { "low", "medium", "high",
	"critical", NULL };

struct action {
	char		*name;
	enum act_kind	 kind;
	int		 on;		/* ON_* */
	int		 minsev;	/* index in sev_names, -1: any */
	char		**rules;	/* rule ids or titles; none: any */
	size_t		 nrules;
	int64_t		 timeout_us, backoff_us;
	int		 retries;
	/* webhook */
	char		*url, *host, *port, *path;
	char		**hdrs;		/* "Name: value" lines */
	size_t		 nhdrs;
	/* command */
	char		**argv;		/* NULL-terminated */
};

struct action_set {
	struct action	*v;
	size_t		 n;
	int		 workers;
	int		 refs;		/* under the actions' mutex */
};

struct task {
	struct task	*next;
	struct action_set *set;
	const struct action *act;
	int64_t		 alert;
	char		*json;
	size_t		 len;
	int		 attempt;	/* the next one, from 1 */
	int64_t		 due;		/* µs, monotonic */
};

struct actions {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	struct task	*q;
	size_t		 nq, running;
	int		 closing;
	struct action_set *set;
	char		 path[4096];
	char		 statedb[4096];
	pthread_t	 thr[ACT_MAX_WORKERS];
	size_t		 nthr;
};

/* The configuration. */

static void
action_release(struct action *a)
{
	size_t	 i;

	free(a->name);
	for (i = 0; i < a->nrules; i++)
		free(a->rules[i]);
	free(a->rules);
	free(a->url);
	free(a->host);
	free(a->port);
	free(a->path);
	for (i = 0; i < a->nhdrs; i++)
		free(a->hdrs[i]);
	free(a->hdrs);
	for (i = 0; a->argv != NULL && a->argv[i] != NULL; i++)
		free(a->argv[i]);
	free(a->argv);
}

void
action_set_free(struct action_set *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		action_release(&s->v[i]);
	free(s->v);
	free(s);
}

size_t
action_set_count(const struct action_set *s)
{
	return s != NULL ? s->n : 0;
}

struct pctx {
	struct yamldoc	*d;
	const char	*name;
	char		*err;
	size_t		 errlen;
};

/* Shorthands of yamldoc's for the many uses below. */
static yaml_node_t *
ynode(struct pctx *p, int i)
{
	return yamldoc_node(p->d, i);
}

static const char *
yscalar(const yaml_node_t *n)
{
	return yamldoc_scalar(n);
}

static int
bad(struct pctx *p, yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct pctx *p, yaml_node_t *n, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return errf(p->err, p->errlen, "%s:%u: %s", p->name, yamldoc_line(n),
	    msg);
}

/* "5", "5s", "1.5s", "500ms", "2m" -> µs; -1 when not a duration. */
static int64_t
duration(const char *s)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0 || v > 86400)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (int64_t)(v * 1e6);
	if (strcmp(end, "ms") == 0)
		return (int64_t)(v * 1e3);
	if (strcmp(end, "m") == 0)
		return (int64_t)(v * 60e6);
	return -1;
}

/* A scalar or a list of scalars into a NULL-terminated array. */
static int
strings(struct pctx *p, yaml_node_t *n, const char *what, char ***out,
    size_t *nout)
{
	yaml_node_item_t *it;
	yaml_node_t *x;
	char	**v;
	size_t	 k = 0, cap;

	if (yscalar(n) != NULL)
		cap = 2;
	else if (n->type == YAML_SEQUENCE_NODE)
		cap = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start) + 1;
	else
		return bad(p, n, "%s: a name or a list of names", what);
	if ((v = calloc(cap, sizeof *v)) == NULL)
		return bad(p, n, "out of memory");
	*out = v;
	if (yscalar(n) != NULL) {
		if ((v[k++] = strdup(yscalar(n))) == NULL)
			return bad(p, n, "out of memory");
	} else
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			x = ynode(p, *it);
			if (yscalar(x) == NULL || *yscalar(x) == '\0')
				return bad(p, x, "%s: every item must be "
				    "text", what);
			if ((v[k++] = strdup(yscalar(x))) == NULL)
				return bad(p, x, "out of memory");
		}
	if (nout != NULL)
		*nout = k;
	if (k == 0)
		return bad(p, n, "%s: empty", what);
	return 0;
}

/* 1 when the key of pair q was already used earlier in its mapping. */
static int
dup_key(struct pctx *p, yaml_node_t *map, yaml_node_pair_t *q)
{
	yaml_node_pair_t *e;
	const char *ks = yscalar(ynode(p, q->key)), *es;

	if (ks == NULL)
		return 0;
	for (e = map->data.mapping.pairs.start; e < q; e++)
		if ((es = yscalar(ynode(p, e->key))) != NULL &&
		    strcmp(es, ks) == 0)
			return 1;
	return 0;
}

/* "http://host[:port][/path]" into a's host, port and path. */
static int
parse_url(struct pctx *p, yaml_node_t *n, struct action *a)
{
	const char *u = yscalar(n);
	struct url url;
	char	 why[64];

	if (u == NULL)
		return bad(p, n, "webhook: url must be text");
	if (strncmp(u, "https://", 8) == 0)
		return bad(p, n, "webhook: https is not spoken by wardd; point "
		    "the url at a local relay (http://127.0.0.1:PORT/...)");
	if (strncmp(u, "http://", 7) != 0)
		return bad(p, n, "webhook: url must start with http://");
	if (url_parse(u, &url, why, sizeof why) == -1)
		return bad(p, n, "webhook: %s", why);
	if (url.port == 0)
		url.port = 80;
	a->host = strdup(url.host);
	if (asprintf(&a->port, "%d", url.port) == -1)
		a->port = NULL;
	a->path = strdup(*url.path == '/' ? url.path : "/");
	a->url = strdup(u);
	if (a->host == NULL || a->port == NULL || a->path == NULL ||
	    a->url == NULL)
		return bad(p, n, "out of memory");
	return 0;
}

static int
parse_webhook(struct pctx *p, yaml_node_t *n, struct action *a)
{
	yaml_node_pair_t *q, *r;
	yaml_node_t *k, *v, *hk, *hv;
	const char *ks;
	char	**nh;
	size_t	 len;

	a->kind = ACT_WEBHOOK;
	if (yscalar(n) != NULL)
		return parse_url(p, n, a);
	if (n->type != YAML_MAPPING_NODE)
		return bad(p, n, "webhook: a url, or a mapping with url and "
		    "headers");
	for (q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top;
	    q++) {
		k = ynode(p, q->key);
		v = ynode(p, q->value);
		if ((ks = yscalar(k)) == NULL)
			return bad(p, k, "webhook: keys must be text");
		if (dup_key(p, n, q))
			return bad(p, k, "webhook: '%s' given twice", ks);
		if (strcmp(ks, "url") == 0) {
			if (parse_url(p, v, a) == -1)
				return -1;
		} else if (strcmp(ks, "headers") == 0) {
			if (v->type != YAML_MAPPING_NODE)
				return bad(p, v, "webhook: headers maps names "
				    "to values");
			for (r = v->data.mapping.pairs.start;
			    r < v->data.mapping.pairs.top; r++) {
				hk = ynode(p, r->key);
				hv = ynode(p, r->value);
				if (yscalar(hk) == NULL || yscalar(hv) == NULL ||
				    *yscalar(hk) == '\0' ||
				    strpbrk(yscalar(hk), ": \t\r\n") != NULL ||
				    strpbrk(yscalar(hv), "\r\n") != NULL)
					return bad(p, hk, "webhook: a header "
					    "is a name (no spaces or colons) "
					    "and a one-line value");
				nh = reallocarray(a->hdrs, a->nhdrs + 1,
				    sizeof *nh);
				if (nh == NULL)
					return bad(p, hk, "out of memory");
				a->hdrs = nh;
				len = strlen(yscalar(hk)) +
				    strlen(yscalar(hv)) + 3;
				if ((nh[a->nhdrs] = malloc(len)) == NULL)
					return bad(p, hk, "out of memory");
				snprintf(nh[a->nhdrs++], len, "%s: %s",
				    yscalar(hk), yscalar(hv));
			}
		} else
			return bad(p, k, "webhook: unknown key '%s' (url, "
			    "headers)", ks);
	}
	if (a->url == NULL)
		return bad(p, n, "webhook: no url");
	return 0;
}

static int
parse_command(struct pctx *p, yaml_node_t *n, struct action *a)
{
	yaml_node_pair_t *q;
	yaml_node_t *k;

	a->kind = ACT_COMMAND;
	if (n->type == YAML_MAPPING_NODE) {
		for (q = n->data.mapping.pairs.start;
		    q < n->data.mapping.pairs.top; q++) {
			k = ynode(p, q->key);
			if (yscalar(k) == NULL || strcmp(yscalar(k), "argv")
			    != 0 || dup_key(p, n, q))
				return bad(p, k, "command: the only key is "
				    "argv, once");
			n = ynode(p, q->value);
		}
		if (n->type == YAML_MAPPING_NODE)
			return bad(p, n, "command: no argv");
	}
	if (strings(p, n, "command", &a->argv, NULL) == -1)
		return -1;
	if (a->argv[0][0] != '/')
		return bad(p, n, "command: give the program's absolute path "
		    "(no shell, no PATH search)");
	return 0;
}

static int
parse_action(struct pctx *p, yaml_node_t *n, struct action *a)
{
	yaml_node_pair_t *q;
	yaml_node_t *k, *v, *what = NULL;
	const char *ks;
	char	**on = NULL;
	size_t	 non = 0, i;
	int64_t	 d;
	int	 rc = -1;

	a->minsev = -1;
	a->on = ON_NEW;
	a->timeout_us = 10 * 1000000LL;
	a->backoff_us = 1000000;
	a->retries = -1;
	if (n->type != YAML_MAPPING_NODE)
		return bad(p, n, "an action is a mapping (name, webhook or "
		    "command, ...)");
	for (q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top;
	    q++) {
		k = ynode(p, q->key);
		v = ynode(p, q->value);
		if ((ks = yscalar(k)) == NULL)
			return bad(p, k, "action keys must be text");
		if (dup_key(p, n, q))
			return bad(p, k, "'%s' given twice", ks);
		if (strcmp(ks, "name") == 0) {
			if (yscalar(v) == NULL || *yscalar(v) == '\0')
				return bad(p, v, "name must be text");
			if ((a->name = strdup(yscalar(v))) == NULL)
				return bad(p, v, "out of memory");
		} else if (strcmp(ks, "rules") == 0) {
			if (strings(p, v, "rules", &a->rules, &a->nrules) == -1)
				return -1;
		} else if (strcmp(ks, "severity") == 0) {
			for (i = 0; sev_names[i] != NULL; i++)
				if (yscalar(v) != NULL &&
				    strcmp(yscalar(v), sev_names[i]) == 0)
					break;
			if (sev_names[i] == NULL)
				return bad(p, v, "severity: the lowest one to "
				    "act on: low, medium, high or critical");
			a->minsev = (int)i;
		} else if (strcmp(ks, "on") == 0) {
			if (strings(p, v, "on", &on, &non) == -1)
				goto out;
			a->on = 0;
			for (i = 0; i < non; i++) {
				if (strcmp(on[i], "new") == 0)
					a->on |= ON_NEW;
				else if (strcmp(on[i], "update") == 0)
					a->on |= ON_UPDATE;
				else if (strcmp(on[i], "escalated") == 0)
					a->on |= ON_ESCALATED;
				else {
					bad(p, v, "on: new, update or "
					    "escalated, not '%s'", on[i]);
					goto out;
				}
			}
			/* Done with the list: no later return may leak it. */
			for (i = 0; i < non; i++)
				free(on[i]);
			free(on);
			on = NULL;
		} else if (strcmp(ks, "timeout") == 0 ||
		    strcmp(ks, "backoff") == 0) {
			if ((d = duration(yscalar(v))) <= 0)
				return bad(p, v, "%s: a duration such as 5s, "
				    "500ms or 1m", ks);
			if (*ks == 't')
				a->timeout_us = d;
			else
				a->backoff_us = d;
		} else if (strcmp(ks, "retries") == 0) {
			if (yscalar(v) == NULL || strspn(yscalar(v),
			    "0123456789") != strlen(yscalar(v)) ||
			    *yscalar(v) == '\0' || atoi(yscalar(v)) > 100)
				return bad(p, v, "retries: 0 to 100");
			a->retries = atoi(yscalar(v));
		} else if (strcmp(ks, "webhook") == 0 ||
		    strcmp(ks, "command") == 0) {
			if (what != NULL)
				return bad(p, k, "an action is a webhook or "
				    "a command, not both");
			what = k;
			if ((*ks == 'w' ? parse_webhook(p, v, a) :
			    parse_command(p, v, a)) == -1)
				return -1;
		} else
			return bad(p, k, "unknown action key '%s' (name, rules, "
			    "severity, on, webhook, command, timeout, retries, "
			    "backoff)", ks);
	}
	if (a->name == NULL)
		return bad(p, n, "the action has no name");
	if (what == NULL)
		return bad(p, n, "action %s: no webhook or command", a->name);
	if (a->retries < 0)
		a->retries = a->kind == ACT_WEBHOOK ? 5 : 2;
	rc = 0;
out:
	for (i = 0; on != NULL && on[i] != NULL; i++)
		free(on[i]);
	free(on);
	return rc;
}

struct action_set *
action_set_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct yamldoc_file *f;
	yaml_node_t *root = NULL, *k, *v, *x;
	yaml_node_pair_t *q;
	yaml_node_item_t *it;
	struct action_set *s;
	struct pctx p;
	char	 why[256];
	size_t	 i, n;
	unsigned line;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	s->workers = ACT_DEF_WORKERS;
	if ((f = yamldoc_parse(text, len, name, why, sizeof why, &line)) ==
	    NULL) {
		errf(err, errlen, "%s:%u: %s", name, line, why);
		free(s);
		return NULL;
	}
	/* The first document is the configuration (as it always was). */
	p.d = f->ndocs > 0 ? &f->docs[0] : NULL;
	p.name = name;
	p.err = err;
	p.errlen = errlen;
	if (p.d == NULL || (root = yamldoc_root(p.d)) == NULL)
		goto done;	/* empty: no actions */
	if (root->type != YAML_MAPPING_NODE) {
		bad(&p, root, "expected a mapping with 'actions'");
		goto fail;
	}
	for (q = root->data.mapping.pairs.start;
	    q < root->data.mapping.pairs.top; q++) {
		k = ynode(&p, q->key);
		v = ynode(&p, q->value);
		if (dup_key(&p, root, q)) {
			bad(&p, k, "'%s' given twice", yscalar(k));
			goto fail;
		}
		if (yscalar(k) != NULL && strcmp(yscalar(k), "workers") == 0) {
			if (yscalar(v) == NULL || atoi(yscalar(v)) < 1 ||
			    atoi(yscalar(v)) > ACT_MAX_WORKERS) {
				bad(&p, v, "workers: 1 to %d", ACT_MAX_WORKERS);
				goto fail;
			}
			s->workers = atoi(yscalar(v));
			continue;
		}
		if (yscalar(k) == NULL || strcmp(yscalar(k), "actions") != 0) {
			bad(&p, k, "unknown key (actions, workers)");
			goto fail;
		}
		if (yscalar(v) != NULL && *yscalar(v) == '\0')
			continue;	/* "actions:" with nothing */
		if (v->type != YAML_SEQUENCE_NODE) {
			bad(&p, v, "actions: a list of actions");
			goto fail;
		}
		n = (size_t)(v->data.sequence.items.top -
		    v->data.sequence.items.start);
		if (n == 0)
			continue;
		if ((s->v = calloc(n, sizeof *s->v)) == NULL) {
			bad(&p, v, "out of memory");
			goto fail;
		}
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			x = ynode(&p, *it);
			if (parse_action(&p, x, &s->v[s->n++]) == -1)
				goto fail;
			for (i = 0; i + 1 < s->n; i++)
				if (strcmp(s->v[i].name, s->v[s->n - 1].name)
				    == 0) {
					bad(&p, x, "two actions named %s",
					    s->v[i].name);
					goto fail;
				}
		}
	}
done:
	yamldoc_file_free(f);
	return s;
fail:
	yamldoc_file_free(f);
	action_set_free(s);
	return NULL;
}

/* Selecting. */

static int
severity_rank(const char *s)
{
	int	 i;

	for (i = 0; s != NULL && sev_names[i] != NULL; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return i;
	return 1;
}

static int
wants(const struct action *a, const json_t *alert)
{
	const char *change = json_string_value(json_object_get(alert,
	    "change"));
	const char *rid = json_string_value(json_object_get(alert, "rule_id"));
	const char *title = json_string_value(json_object_get(alert, "rule"));
	int	 on;
	size_t	 i;

	if (change == NULL)
		return 0;
	if (strcmp(change, "created") == 0)
		on = ON_NEW;
	else if (strcmp(change, "updated") == 0)
		on = ON_UPDATE;
	else if (strcmp(change, "escalated") == 0)
		on = ON_ESCALATED;
	else
		return 0;
	if ((a->on & on) == 0)
		return 0;
	if (a->minsev >= 0 && severity_rank(json_string_value(
	    json_object_get(alert, "severity"))) < a->minsev)
		return 0;
	if (a->nrules == 0)
		return 1;
	for (i = 0; i < a->nrules; i++)
		if ((rid != NULL && strcmp(a->rules[i], rid) == 0) ||
		    (title != NULL && strcmp(a->rules[i], title) == 0))
			return 1;
	return 0;
}

size_t
action_set_select(const struct action_set *s, const json_t *alert,
    char *out, size_t outlen)
{
	size_t	 i, n = 0, o = 0;

	if (outlen > 0)
		out[0] = '\0';
	for (i = 0; s != NULL && i < s->n; i++) {
		if (!wants(&s->v[i], alert))
			continue;
		if (o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s",
			    n ? "," : "", s->v[i].name);
		n++;
	}
	return n;
}

/* Running: the webhook. */

/* Wait for fd to be ready for ev until deadline (monotonic µs): 1 ready,
   0 timed out, -1 error. */
static int
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd pfd;
	int64_t	 left;
	int	 rc;

	for (;;) {
		left = deadline - monotime_us();
		if (left <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = ev;
		rc = poll(&pfd, 1, (int)((left + 999) / 1000));
		if (rc > 0)
			return 1;
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int
dial(const struct action *a, int64_t deadline, char *res, size_t reslen)
{
	struct addrinfo hints, *ai = NULL, *p;
	socklen_t sl;
	int	 fd = -1, rc, soerr;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(a->host, a->port, &hints, &ai)) != 0) {
		errf(res, reslen, "%s: %s", a->host, gai_strerror(rc));
		return -1;
	}
	for (p = ai; p != NULL; p = p->ai_next) {
		fd = socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, p->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, p->ai_addr, p->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			rc = wait_fd(fd, POLLOUT, deadline);
			soerr = 0;
			sl = sizeof soerr;
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
			    &soerr, &sl) == 0 && soerr == 0)
				break;
			if (rc == 0) {
				errf(res, reslen, "connect: timed out");
				close(fd);
				fd = -1;
				break;
			}
			errno = soerr ? soerr : errno;
		}
		errf(res, reslen, "connect: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * POST body to the webhook.  Returns 0 on a 2xx, else -1 with res; *again
 * says whether a retry may help (not for a 4xx other than 408 and 429).
 */
static int
webhook(const struct action *a, int64_t alert, const char *body,
    size_t len, char *res, size_t reslen, int *again)
{
	char	 head[4096], resp[1024];
	size_t	 o, off, got = 0;
	ssize_t	 w;
	int64_t	 deadline = monotime_us() + a->timeout_us;
	int	 fd, status = 0, rc = -1;
	size_t	 i;

	*again = 1;
	if ((fd = dial(a, deadline, res, reslen)) == -1)
		return -1;
	o = (size_t)snprintf(head, sizeof head, "POST %s HTTP/1.1\r\n"
	    "Host: %s:%s\r\nUser-Agent: wardd\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "X-Ward-Alert: %" PRId64 "\r\n", a->path, a->host, a->port, len,
	    alert);
	for (i = 0; i < a->nhdrs && o < sizeof head; i++)
		o += (size_t)snprintf(head + o, sizeof head - o, "%s\r\n",
		    a->hdrs[i]);
	if (o + 3 > sizeof head) {
		errf(res, reslen, "headers too long");
		*again = 0;
		goto out;
	}
	memcpy(head + o, "\r\n", 3);
	o += 2;
	for (off = 0; off < o + len; ) {
		if (wait_fd(fd, POLLOUT, deadline) != 1) {
			errf(res, reslen, "timed out sending");
			goto out;
		}
		if (off < o)
			w = send(fd, head + off, o - off, MSG_NOSIGNAL);
		else
			w = send(fd, body + (off - o), len - (off - o),
			    MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			errf(res, reslen, "send: %s", strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	/* The status line is all we need. */
	while (got < sizeof resp - 1 && memchr(resp, '\n', got) == NULL) {
		if (wait_fd(fd, POLLIN, deadline) != 1) {
			errf(res, reslen, "no answer within %.1f s",
			    (double)a->timeout_us / 1e6);
			goto out;
		}
		w = recv(fd, resp + got, sizeof resp - 1 - got, 0);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w <= 0) {
			errf(res, reslen, w == 0 ? "connection closed without "
			    "an answer" : "recv: %s", strerror(errno));
			goto out;
		}
		got += (size_t)w;
	}
	resp[got] = '\0';
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) {
		errf(res, reslen, "not an HTTP answer");
		goto out;
	}
	if (status >= 200 && status < 300) {
		errf(res, reslen, "HTTP %d", status);
		rc = 0;
	} else {
		errf(res, reslen, "HTTP %d", status);
		if (status >= 400 && status < 500 && status != 408 &&
		    status != 429)
			*again = 0;
	}
out:
	close(fd);
	return rc;
}

/* Running: the command. */

/* Bytes of output safe to keep as JSON text: printable ASCII, newline
   and tab; anything else becomes '?'. */
static void
clean_output(char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n' &&
		    s[i] != '\t') || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
}

extern char **environ;

static char **
child_env(int64_t alert, const json_t *a)
{
	char	**env, b[3][320];
	size_t	 n, i, k = 0;

	for (n = 0; environ != NULL && environ[n] != NULL; n++)
		;
	if ((env = calloc(n + 4, sizeof *env)) == NULL)
		return NULL;
	snprintf(b[0], sizeof b[0], "WARD_ALERT_ID=%" PRId64, alert);
	snprintf(b[1], sizeof b[1], "WARD_ALERT_RULE_ID=%.256s",
	    json_string_value(json_object_get(a, "rule_id")) ?
	    json_string_value(json_object_get(a, "rule_id")) : "");
	snprintf(b[2], sizeof b[2], "WARD_ALERT_SEVERITY=%.32s",
	    json_string_value(json_object_get(a, "severity")) ?
	    json_string_value(json_object_get(a, "severity")) : "");
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "WARD_ALERT_", 11) != 0)
			env[k++] = environ[i];
	for (i = 0; i < 3; i++)
		if ((env[k++] = strdup(b[i])) == NULL)
			break;
	return env;
}

static void
child_env_free(char **env)
{
	size_t	 i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "WARD_ALERT_", 11) == 0)
			free(env[i]);
	free(env);
}

/*
 * Run the command with body on its standard input.  Returns 0 when it
 * exited 0, else -1; res says how it ended; *out (the caller frees)
 * holds the start of its output.
 */
static int
command(const struct action *a, int64_t alert, const json_t *aj,
    const char *body, size_t len, char *res, size_t reslen, char **out)
{
	struct pollfd pfd[2];
	char	**env = NULL, *buf = NULL, drain[512];
	int	 in[2] = { -1, -1 }, op[2] = { -1, -1 }, st = 0, killed = 0;
	int	 rc = -1, n;
	int64_t	 deadline = monotime_us() + a->timeout_us, left;
	size_t	 off = 0, got = 0;
	ssize_t	 w;
	pid_t	 pid = -1, r;

	*out = NULL;
	if ((buf = malloc(ACT_OUTPUT_MAX + 1)) == NULL ||
	    (env = child_env(alert, aj)) == NULL ||
	    pipe2(in, O_CLOEXEC) == -1 || pipe2(op, O_CLOEXEC) == -1) {
		errf(res, reslen, "cannot start: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) == -1) {
		errf(res, reslen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (dup2(in[0], 0) == -1 || dup2(op[1], 1) == -1 ||
		    dup2(op[1], 2) == -1)
			_exit(126);
		close_range(3, ~0U, 0);
		signal(SIGPIPE, SIG_DFL);
		execve(a->argv[0], a->argv, env);
		_exit(127);
	}
	close(in[0]);
	close(op[1]);
	in[0] = op[1] = -1;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(op[0], F_SETFL, O_NONBLOCK);
	if (len == 0) {
		close(in[1]);
		in[1] = -1;
	}
	while (op[0] != -1) {
		if ((left = deadline - monotime_us()) <= 0) {
			killed = 1;
			break;
		}
		n = 0;
		pfd[n].fd = op[0];
		pfd[n++].events = POLLIN;
		if (in[1] != -1) {
			pfd[n].fd = in[1];
			pfd[n++].events = POLLOUT;
		}
		if (poll(pfd, (nfds_t)n, (int)((left + 999) / 1000)) < 0 &&
		    errno != EINTR)
			break;
		if (n == 2 && (pfd[1].revents & (POLLOUT | POLLERR |
		    POLLHUP))) {
			w = write(in[1], body + off, len - off);
			if (w > 0)
				off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
			    off == len) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (got < ACT_OUTPUT_MAX)
				w = read(op[0], buf + got, ACT_OUTPUT_MAX - got);
			else
				w = read(op[0], drain, sizeof drain);
			if (w > 0 && got < ACT_OUTPUT_MAX)
				got += (size_t)w;
			else if (w == 0 || (w < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(op[0]);
				op[0] = -1;
			}
		}
	}
	/* Output closed: wait for the exit, within the deadline. */
	while (!killed && (r = waitpid(pid, &st, WNOHANG)) == 0) {
		if (monotime_us() >= deadline) {
			killed = 1;
			break;
		}
		usleep(2000);
	}
	if (killed) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		errf(res, reslen, "killed after %.1f s (timeout)",
		    (double)a->timeout_us / 1e6);
	} else if (WIFEXITED(st)) {
		errf(res, reslen, "exit %d", WEXITSTATUS(st));
		if (WEXITSTATUS(st) == 0)
			rc = 0;
		else if (WEXITSTATUS(st) == 127)
			errf(res, reslen, "exit 127 (cannot run %s?)",
			    a->argv[0]);
	} else if (WIFSIGNALED(st))
		errf(res, reslen, "killed by signal %d", WTERMSIG(st));
	pid = -1;
	buf[got] = '\0';
	clean_output(buf, got);
	*out = buf;
	buf = NULL;
out:
	if (in[0] != -1)
		close(in[0]);
	if (in[1] != -1)
		close(in[1]);
	if (op[0] != -1)
		close(op[0]);
	if (op[1] != -1)
		close(op[1]);
	child_env_free(env);
	free(buf);
	return rc;
}

/* Workers. */

static void
set_release(struct actions *x, struct action_set *s)
{
	/* under x->mtx */
	if (s != NULL && --s->refs == 0)
		action_set_free(s);
}

static void
task_free(struct actions *x, struct task *t)
{
	set_release(x, t->set);
	free(t->json);
	free(t);
}

static void
enqueue(struct actions *x, struct task *t)
{
	struct task **pp;

	/* under x->mtx; ordered by due, FIFO among equals */
	for (pp = &x->q; *pp != NULL && (*pp)->due <= t->due;
	    pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	x->nq++;
	pthread_cond_signal(&x->cond);
}

static void
record(sqlite3 **db, const char *path, int64_t alert, const char *text,
    const json_t *data)
{
	char	 err[512];

	if (*db == NULL) {
		if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) !=
		    SQLITE_OK) {
			log_err("actions: %s: %s", path, sqlite3_errmsg(*db));
			sqlite3_close(*db);
			*db = NULL;
			return;
		}
		sqlite3_busy_timeout(*db, 10000);
	}
	if (alertdb_timeline_add(*db, alert, "wardd", "action", text, data,
	    err, sizeof err) == -1)
		log_err("actions: alert %" PRId64 ": %s (%s)", alert, err,
		    text);
}

static void
run_task(struct actions *x, struct task *t, sqlite3 **db)
{
	const struct action *a = t->act;
	json_t	*aj = NULL, *data = NULL;
	char	 res[512], line[1024], *out = NULL;
	int64_t	 t0, ms, backoff;
	int	 rc, again = 1, i;

	t0 = monotime_us();
	if (a->kind == ACT_WEBHOOK)
		rc = webhook(a, t->alert, t->json, t->len, res, sizeof res,
		    &again);
	else {
		aj = json_loadb(t->json, t->len, 0, NULL);
		rc = command(a, t->alert, aj, t->json, t->len, res, sizeof res,
		    &out);
	}
	ms = (monotime_us() - t0) / 1000;
	if (out != NULL) {
		size_t	 n = strlen(out);

		while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' ||
		    out[n - 1] == '\t'))
			out[--n] = '\0';
	}
	data = json_pack("{s:s, s:s, s:i, s:b, s:s, s:I}", "action", a->name,
	    "kind", a->kind == ACT_WEBHOOK ? "webhook" : "command", "attempt",
	    t->attempt, "ok", rc == 0, "result", res, "ms", (json_int_t)ms);
	if (data != NULL && out != NULL)
		json_object_set_new(data, "output", json_string(out));
	if (rc == 0) {
		snprintf(line, sizeof line, "%s %s: %s in %" PRId64 " ms%s%.200s",
		    a->kind == ACT_WEBHOOK ? "webhook" : "command", a->name, res,
		    ms, out != NULL && *out != '\0' ? ": " : "", out ? out : "");
		log_info("actions: alert %" PRId64 ": %s", t->alert, line);
	} else if (again && t->attempt <= a->retries) {
		backoff = a->backoff_us;
		for (i = 1; i < t->attempt && backoff < ACT_BACKOFF_MAX; i++)
			backoff *= 2;
		if (backoff > ACT_BACKOFF_MAX)
			backoff = ACT_BACKOFF_MAX;
		snprintf(line, sizeof line, "%s %s: attempt %d of %d failed: %s; "
		    "retry in %.1f s", a->kind == ACT_WEBHOOK ? "webhook" :
		    "command", a->name, t->attempt, a->retries + 1, res,
		    (double)backoff / 1e6);
		log_warn("actions: alert %" PRId64 ": %s", t->alert, line);
		record(db, x->statedb, t->alert, line, data);
		json_decref(data);
		json_decref(aj);
		free(out);
		t->attempt++;
		t->due = monotime_us() + backoff;
		pthread_mutex_lock(&x->mtx);
		x->running--;
		enqueue(x, t);
		pthread_mutex_unlock(&x->mtx);
		return;
	} else {
		snprintf(line, sizeof line, "%s %s: gave up after %d attempt%s: "
		    "%s", a->kind == ACT_WEBHOOK ? "webhook" : "command",
		    a->name, t->attempt, t->attempt == 1 ? "" : "s", res);
		log_err("actions: alert %" PRId64 ": %s", t->alert, line);
	}
	record(db, x->statedb, t->alert, line, data);
	json_decref(data);
	json_decref(aj);
	free(out);
	pthread_mutex_lock(&x->mtx);
	x->running--;
	task_free(x, t);
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->mtx);
}

static void *
worker(void *arg)
{
	struct actions *x = arg;
	struct timespec ts;
	struct task *t;
	sqlite3	*db = NULL;
	int64_t	 wait;

	pthread_mutex_lock(&x->mtx);
	for (;;) {
		if (x->closing)
			break;
		t = x->q;
		if (t == NULL) {
			pthread_cond_wait(&x->cond, &x->mtx);
			continue;
		}
		if ((wait = t->due - monotime_us()) > 0) {
			deadline_after(CLOCK_MONOTONIC, wait, &ts);
			pthread_cond_timedwait(&x->cond, &x->mtx, &ts);
			continue;
		}
		x->q = t->next;
		x->nq--;
		x->running++;
		pthread_mutex_unlock(&x->mtx);
		run_task(x, t, &db);
		pthread_mutex_lock(&x->mtx);
	}
	pthread_mutex_unlock(&x->mtx);
	sqlite3_close(db);
	return NULL;
}

/* Read DATA/actions.yml into a set: an empty set when there is none. */
static struct action_set *
load_file(const char *path, char *err, size_t errlen)
{
	struct action_set *s;
	FILE	*f;
	char	*text = NULL;
	size_t	 len = 0, cap = 0, n;

	if (*path == '\0' || (f = fopen(path, "r")) == NULL) {
		if (*path != '\0' && errno != ENOENT) {
			errf(err, errlen, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if ((s = calloc(1, sizeof *s)) == NULL)
			errf(err, errlen, "out of memory");
		else
			s->workers = ACT_DEF_WORKERS;
		return s;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *nt = realloc(text, cap + 65536);

			if (nt == NULL || cap > (1 << 20)) {
				free(nt ? nt : text);
				fclose(f);
				errf(err, errlen, "%s: too large", path);
				return NULL;
			}
			text = nt;
			cap += 65536;
		}
		if ((n = fread(text + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	s = action_set_parse(text ? text : "", len, path, err, errlen);
	free(text);
	return s;
}

static void
log_set(const char *path, const struct action_set *s)
{
	size_t	 i;

	if (s->n == 0)
		return;
	for (i = 0; i < s->n; i++)
		log_info("actions: %s: %s %s", path, s->v[i].kind ==
		    ACT_WEBHOOK ? "webhook" : "command", s->v[i].name);
}

struct actions *
actions_new(const char *datadir, const char *statedb, char *err,
    size_t errlen)
{
	struct actions *x;
	size_t	 i;
	int	 nw;

	if ((x = calloc(1, sizeof *x)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&x->mtx, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (datadir != NULL)
		snprintf(x->path, sizeof x->path, "%s/actions.yml", datadir);
	snprintf(x->statedb, sizeof x->statedb, "%s", statedb ? statedb : "");
	if ((x->set = load_file(x->path, err, errlen)) == NULL)
		goto fail;
	x->set->refs = 1;
	log_set(x->path, x->set);
	nw = x->set->workers;
	for (i = 0; i < (size_t)nw; i++) {
		if (pthread_create(&x->thr[i], NULL, worker, x) != 0) {
			errf(err, errlen, "cannot start the action workers");
			goto fail;
		}
		pthread_setname_np(x->thr[i], "ward-action");
		x->nthr++;
	}
	return x;
fail:
	actions_free(x);
	return NULL;
}

int
actions_reload(struct actions *x, char *err, size_t errlen)
{
	struct action_set *s;

	if (x == NULL)
		return 0;
	if ((s = load_file(x->path, err, errlen)) == NULL)
		return -1;
	s->refs = 1;
	log_set(x->path, s);
	if (s->workers != x->set->workers)
		log_info("actions: workers: a change takes effect at the next "
		    "start");
	pthread_mutex_lock(&x->mtx);
	set_release(x, x->set);
	x->set = s;
	pthread_mutex_unlock(&x->mtx);
	return 0;
}

void
actions_offer(struct actions *x, const json_t *alert)
{
	struct action_set *s;
	struct task *t;
	char	*json = NULL;
	size_t	 i;

	if (x == NULL)
		return;
	pthread_mutex_lock(&x->mtx);
	s = x->set;
	for (i = 0; s != NULL && i < s->n; i++) {
		if (!wants(&s->v[i], alert))
			continue;
		if (x->nq >= ACT_QUEUE_MAX) {
			log_err("actions: queue full; action %s not run for "
			    "alert %" JSON_INTEGER_FORMAT, s->v[i].name,
			    json_integer_value(json_object_get(alert, "id")));
			continue;
		}
		if (json == NULL && (json = json_dumps(alert, JSON_COMPACT)) ==
		    NULL)
			break;
		if ((t = calloc(1, sizeof *t)) == NULL ||
		    (t->json = strdup(json)) == NULL) {
			free(t);
			log_err("actions: out of memory; action %s not run",
			    s->v[i].name);
			continue;
		}
		t->len = strlen(json);
		t->set = s;
		s->refs++;
		t->act = &s->v[i];
		t->alert = json_integer_value(json_object_get(alert, "id"));
		t->attempt = 1;
		t->due = monotime_us();
		enqueue(x, t);
	}
	pthread_mutex_unlock(&x->mtx);
	free(json);
}

size_t
actions_pending(struct actions *x)
{
	size_t	 n;

	if (x == NULL)
		return 0;
	pthread_mutex_lock(&x->mtx);
	n = x->nq + x->running;
	pthread_mutex_unlock(&x->mtx);
	return n;
}

void
actions_free(struct actions *x)
{
	struct task *t, *next;
	sqlite3	*db = NULL;
	char	 line[512];
	size_t	 i;

	if (x == NULL)
		return;
	pthread_mutex_lock(&x->mtx);
	x->closing = 1;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->mtx);
	for (i = 0; i < x->nthr; i++)
		pthread_join(x->thr[i], NULL);
	for (t = x->q; t != NULL; t = next) {
		next = t->next;
		snprintf(line, sizeof line, "%s %s: not run (attempt %d): the "
		    "hub stopped", t->act->kind == ACT_WEBHOOK ? "webhook" :
		    "command", t->act->name, t->attempt);
		log_err("actions: alert %" PRId64 ": %s", t->alert, line);
		if (*x->statedb != '\0')
			record(&db, x->statedb, t->alert, line, NULL);
		task_free(x, t);
	}
	sqlite3_close(db);
	set_release(x, x->set);
	pthread_mutex_destroy(&x->mtx);
	pthread_cond_destroy(&x->cond);
	free(x);
}
