/*
 * cli — ward's scriptable subcommands.  Each builds one request (or a
 * subscription for tail), sends it through the client library and prints
 * the reply: for people by default, as JSON with --json.  A refusal by
 * the hub prints its code and reason on standard error and exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "args.h"
#include "auth.h"
#include "buf.h"
#include "catalogue.h"
#include "cli.h"
#include "cli_alert.h"
#include "cli_user.h"
#include "client.h"
#include "layout.h"
#include "utf8.h"
#include "model.h"
#include "monotime.h"
#include "query.h"
#include "wire.h"

static int
task_arg(const char *s, json_t **out)
{
	json_t	*v = json_string(s);
	int64_t	 n;

	if (v != NULL && wire_task_id(v, &n) == 0) {
		*out = v;
		return 0;
	}
	json_decref(v);
	if (*s >= '1' && *s <= '9' && strspn(s, "0123456789") ==
	    strlen(s)) {
		*out = json_integer(strtoll(s, NULL, 10));
		return 0;
	}
	fprintf(stderr, "ward: '%s' is not a task id (T-n)\n", s);
	return -1;
}

/* getopt_long over argv (argv[0] the command); the options of the table
   o; returns the index of the first operand or -1 on a bad option. */
static int
opts(int argc, char **argv, const struct option *o, void (*fn)(int, void *),
    void *arg)
{
	int	 ch;

	optind = 0;	/* 0: GNU getopt starts afresh (permuting again) */
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "", o, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			return -1;
		fn(ch, arg);
	}
	return optind;
}

/* Options shared by many commands.  Parsed values. */
struct flags {
	struct cli	*x;
	const char	*title, *description, *severity, *lead, *status;
	const char	*resolution, *text, *assign, *due, *since, *user;
	const char	*incident, *opname, *query, *reported, *until;
	json_t		*tags, *alerts, *events;
	int64_t		 version;
	int		 limit, ioc, refused, none, count;
	int		 incidents, alerts_on, presence, events_on;
	int64_t		 since_seq;
	int		 bad;
};

enum {
	F_JSON = 1000, F_TITLE, F_DESC, F_SEV, F_LEAD, F_STATUS, F_RES,
	F_TEXT, F_ASSIGN, F_DUE, F_SINCE, F_USER, F_INC, F_OP, F_TAG,
	F_ALERT, F_EVENT, F_VERSION, F_LIMIT, F_IOC, F_REFUSED, F_NONE,
	F_COUNT, F_INCIDENTS, F_ALERTS, F_PRESENCE, F_EVENTS, F_QUERY,
	F_SINCE_SEQ, F_REPORTED, F_UNTIL
};

static int64_t
num(struct flags *f, const char *s)
{
	char	*end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "ward: '%s' is not a number\n", s);
		f->bad = 1;
		return 0;
	}
	return v;
}

static void
flag(int ch, void *arg)
{
	struct flags *f = arg;

	switch (ch) {
	case F_JSON: f->x->json = 1; break;
	case F_TITLE: f->title = optarg; break;
	case F_DESC: f->description = optarg; break;
	case F_SEV: f->severity = optarg; break;
	case F_LEAD: f->lead = optarg; break;
	case F_STATUS: f->status = optarg; break;
	case F_RES: f->resolution = optarg; break;
	case F_TEXT: f->text = optarg; break;
	case F_ASSIGN: f->assign = optarg; break;
	case F_DUE: f->due = optarg; break;
	case F_SINCE: f->since = optarg; break;
	case F_UNTIL: f->until = optarg; break;
	case F_USER: f->user = optarg; break;
	case F_INC: f->incident = optarg; break;
	case F_OP: f->opname = optarg; break;
	case F_QUERY: f->query = optarg; break;
	case F_REPORTED: f->reported = optarg; break;
	case F_TAG:
		if (f->tags == NULL)
			f->tags = json_array();
		json_array_append_new(f->tags, json_string(optarg));
		break;
	case F_ALERT:
	case F_EVENT:
		if (ch == F_ALERT && f->alerts == NULL)
			f->alerts = json_array();
		if (ch == F_EVENT && f->events == NULL)
			f->events = json_array();
		json_array_append_new(ch == F_ALERT ? f->alerts : f->events,
		    json_integer(num(f, optarg)));
		break;
	case F_VERSION: f->version = num(f, optarg); break;
	case F_LIMIT: f->limit = (int)num(f, optarg); break;
	case F_IOC: f->ioc = 1; break;
	case F_REFUSED: f->refused = 1; break;
	case F_NONE: f->none = 1; break;
	case F_COUNT: f->count = (int)num(f, optarg); break;
	case F_INCIDENTS: f->incidents = 1; break;
	case F_ALERTS: f->alerts_on = 1; break;
	case F_PRESENCE: f->presence = 1; break;
	case F_EVENTS: f->events_on = 1; break;
	case F_SINCE_SEQ: f->since_seq = num(f, optarg); break;
	}
}

#define O(n, a, v)	{ n, a, NULL, v }
static const struct option all_opts[] = {
	O("json", no_argument, F_JSON),
	O("title", required_argument, F_TITLE),
	O("description", required_argument, F_DESC),
	O("severity", required_argument, F_SEV),
	O("lead", required_argument, F_LEAD),
	O("status", required_argument, F_STATUS),
	O("resolution", required_argument, F_RES),
	O("text", required_argument, F_TEXT),
	O("assign", required_argument, F_ASSIGN),
	O("due", required_argument, F_DUE),
	O("since", required_argument, F_SINCE),
	O("until", required_argument, F_UNTIL),
	O("user", required_argument, F_USER),
	O("incident", required_argument, F_INC),
	O("op", required_argument, F_OP),
	O("tag", required_argument, F_TAG),
	O("alert", required_argument, F_ALERT),
	O("event", required_argument, F_EVENT),
	O("version", required_argument, F_VERSION),
	O("limit", required_argument, F_LIMIT),
	O("ioc", no_argument, F_IOC),
	O("refused", no_argument, F_REFUSED),
	O("none", no_argument, F_NONE),
	O("count", required_argument, F_COUNT),
	O("incidents", no_argument, F_INCIDENTS),
	O("alerts", no_argument, F_ALERTS),
	O("presence", no_argument, F_PRESENCE),
	O("events", no_argument, F_EVENTS),
	O("query", required_argument, F_QUERY),
	O("since-seq", required_argument, F_SINCE_SEQ),
	O("reported", required_argument, F_REPORTED),
	{ NULL, 0, NULL, 0 }
};

/* Parse argv into f; returns the operands' count (argv shifted into
   *rest) or -1. */
static int
parse(struct cli *x, int argc, char **argv, struct flags *f, char ***rest)
{
	int	 i;

	memset(f, 0, sizeof *f);
	f->x = x;
	f->version = -1;
	f->since_seq = -1;
	if ((i = opts(argc, argv, all_opts, flag, f)) == -1 || f->bad) {
		json_decref(f->tags);
		json_decref(f->alerts);
		json_decref(f->events);
		return -1;
	}
	*rest = argv + i;
	return argc - i;
}

static void
flags_release(struct flags *f)
{
	json_decref(f->tags);
	json_decref(f->alerts);
	json_decref(f->events);
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, json_string(v));
}

/* The incident's current version (for updates made without --version). */
static int
current_version(struct cli *x, const char *inc, int64_t *version)
{
	json_t	*res;
	int	 rc;

	if ((rc = cli_query(x, "incident.show", json_pack("{s:s}", "incident",
	    inc), &res)) != 0)
		return rc;
	*version = json_integer_value(json_object_get(res, "version"));
	json_decref(res);
	return 0;
}

/* Print the result of an op: JSON, or a line for people. */
static void
op_done(struct cli *x, const json_t *state, int64_t seq, const char *what)
{
	if (x->json)
		cli_print_json(state);
	else
		printf("%s (seq %" PRId64 ")\n", what, seq);
}

static int
c_incident_create(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *st = NULL;
	char	**rest;
	int64_t	 seq;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 0 || f.title == NULL) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_pack("{s:s}", "title", f.title);
	set_str(args, "description", f.description);
	set_str(args, "severity", f.severity);
	set_str(args, "lead", f.lead);
	set_str(args, "reported", f.reported);
	if (f.tags != NULL)
		json_object_set(args, "tags", f.tags);
	flags_release(&f);
	if ((rc = cli_op(x, "incident.create", args, &st, &seq)) != 0)
		return rc;
	if (x->json)
		cli_print_json(st);
	else
		printf("%s\n", cli_str(json_object_get(st, "incident"), "id"));
	json_decref(st);
	return 0;
}

static int
c_incident_list(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *res, *e;
	char	**rest;
	size_t	 i;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 0) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_object();
	set_str(args, "status", f.status);
	if (f.limit > 0)
		json_object_set_new(args, "limit", json_integer(f.limit));
	flags_release(&f);
	if ((rc = cli_query(x, "incident.list", args, &res)) != 0)
		return rc;
	if (x->json) {
		cli_print_json(res);
		json_decref(res);
		return 0;
	}
	printf("%-8s %-8s %-9s %-15s %-12s %5s  %s\n", "ID", "SEVERITY",
	    "STATUS", "PHASE", "LEAD", "TASKS", "TITLE");
	json_array_foreach(res, i, e) {
		printf("%-8s %-8s %-9s %-15s %-12s %5lld  %s\n", cli_str(e, "id"),
		    cli_str(e, "severity"), cli_str(e, "status"), cli_str(e, "phase"),
		    cli_str(e, "lead"), (long long)json_integer_value(
		    json_object_get(e, "open_tasks")), cli_str(e, "title"));
	}
	json_decref(res);
	return 0;
}

static int
c_incident_show(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*res, *e, *a;
	char	**rest, inc[40];
	size_t	 i;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 1 ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	if ((rc = cli_query(x, "incident.show", json_pack("{s:s}", "incident",
	    inc), &res)) != 0)
		return rc;
	if (x->json) {
		cli_print_json(res);
		json_decref(res);
		return 0;
	}
	printf("%s  %s\n", cli_str(res, "id"), cli_str(res, "title"));
	printf("severity %s  status %s%s%s  phase %s  lead %s  version %lld\n",
	    cli_str(res, "severity"), cli_str(res, "status"),
	    json_is_string(json_object_get(res, "resolution")) ? " " : "",
	    json_is_string(json_object_get(res, "resolution")) ?
	    cli_str(res, "resolution") : "", cli_str(res, "phase"), cli_str(res, "lead"),
	    (long long)json_integer_value(json_object_get(res, "version")));
	if (*cli_str(res, "description") != '-' && *cli_str(res, "description"))
		printf("\n%s\n", cli_str(res, "description"));
	if (json_array_size(a = json_object_get(res, "tasks")) > 0) {
		printf("\ntasks:\n");
		json_array_foreach(a, i, e)
			printf("  %-6s %-8s %-12s %s\n", cli_str(e, "id"),
			    cli_str(e, "status"), cli_str(e, "assignee"),
			    cli_str(e, "title"));
	}
	if (json_array_size(a = json_object_get(res, "observables")) > 0) {
		printf("\nobservables:\n");
		json_array_foreach(a, i, e) {
			const char *first, *last;
			long long n = model_sightings(e, &first, &last);

			printf("  %-7s %s%s", cli_str(e, "kind"), cli_str(e,
			    "value"), json_is_true(json_object_get(e, "ioc")) ?
			    "  (IOC)" : "");
			if (n > 0)
				printf("  seen %lld, %s to %s", n, first ?
				    first : "?", last ? last : "?");
			putchar('\n');
		}
	}
	printf("\ntimeline:\n");
	json_array_foreach(json_object_get(res, "timeline"), i, e)
		printf("  %s  %-12s %s\n", cli_str(e, "time"), cli_str(e, "author"),
		    cli_str(e, "text"));
	json_decref(res);
	return 0;
}

static int
c_incident_update(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *st;
	char	**rest, inc[40], what[80];
	int64_t	 seq;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 1 ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	if (f.version < 0 && (rc = current_version(x, inc, &f.version)) != 0) {
		flags_release(&f);
		return rc;
	}
	args = json_pack("{s:s, s:I}", "incident", inc, "version",
	    (json_int_t)f.version);
	set_str(args, "title", f.title);
	set_str(args, "description", f.description);
	set_str(args, "severity", f.severity);
	set_str(args, "reported", f.reported);
	if (f.tags != NULL)
		json_object_set(args, "tags", f.tags);
	flags_release(&f);
	if ((rc = cli_op(x, "incident.update", args, &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "updated %s", inc);
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
c_incident_note(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*st;
	char	**rest, inc[40], what[80], *text;
	size_t	 len = 0;
	int64_t	 seq;
	int	 i, n, rc;

	if ((n = parse(x, argc, argv, &f, &rest)) < 2 ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	for (i = 1; i < n; i++)
		len += strlen(rest[i]) + 1;
	if ((text = calloc(1, len + 1)) == NULL)
		return 1;
	for (i = 1; i < n; i++) {
		if (i > 1)
			strcat(text, " ");
		strcat(text, rest[i]);
	}
	rc = cli_op(x, "incident.note", json_pack("{s:s, s:s}", "incident", inc,
	    "text", text), &st, &seq);
	free(text);
	if (rc != 0)
		return rc;
	snprintf(what, sizeof what, "noted on %s", inc);
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
c_incident_close(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *st;
	char	**rest, inc[40], what[80];
	int64_t	 seq;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 1 || f.resolution == NULL ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_pack("{s:s, s:s}", "incident", inc, "resolution",
	    f.resolution);
	set_str(args, "text", f.text);
	if (f.version >= 0)
		json_object_set_new(args, "version", json_integer(f.version));
	flags_release(&f);
	if ((rc = cli_op(x, "incident.close", args, &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "closed %s", inc);
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

/* incident status|phase|lead ID VALUE */
static int
set_field(struct cli *x, int argc, char **argv, const char *opname,
    const char *key)
{
	struct flags f;
	json_t	*args, *st;
	char	**rest, inc[40], what[160];
	int64_t	 seq;
	int	 rc, n;

	n = parse(x, argc, argv, &f, &rest);
	if (!(n == 2 || (n == 1 && f.none && strcmp(key, "lead") == 0)) ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_pack("{s:s}", "incident", inc);
	json_object_set_new(args, key, n == 2 ? json_string(rest[1]) :
	    json_null());
	if (f.version >= 0)
		json_object_set_new(args, "version", json_integer(f.version));
	flags_release(&f);
	if ((rc = cli_op(x, opname, args, &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "%s of %s is %s", key, inc, n == 2 ?
	    rest[1] : "none");
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
c_incident_status(struct cli *x, int argc, char **argv)
{
	return set_field(x, argc, argv, "incident.status", "status");
}

static int
c_incident_phase(struct cli *x, int argc, char **argv)
{
	return set_field(x, argc, argv, "incident.phase", "phase");
}

static int
c_incident_lead(struct cli *x, int argc, char **argv)
{
	return set_field(x, argc, argv, "incident.lead", "lead");
}

static int
c_incident_link(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *st;
	char	**rest, inc[40], what[80];
	int64_t	 seq;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 1 || (f.alerts == NULL &&
	    f.events == NULL) || cli_incident_arg(rest[0], inc, sizeof inc) ==
	    -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_pack("{s:s}", "incident", inc);
	if (f.alerts != NULL)
		json_object_set(args, "alerts", f.alerts);
	if (f.events != NULL)
		json_object_set(args, "events", f.events);
	flags_release(&f);
	if ((rc = cli_op(x, "incident.link", args, &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "linked to %s", inc);
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
c_task_add(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *st;
	char	**rest, inc[40];
	int64_t	 seq;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 2 ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_pack("{s:s, s:s}", "incident", inc, "title", rest[1]);
	set_str(args, "assignee", f.assign);
	set_str(args, "due", f.due);
	flags_release(&f);
	if ((rc = cli_op(x, "task.add", args, &st, &seq)) != 0)
		return rc;
	if (x->json)
		cli_print_json(st);
	else
		printf("%s\n", cli_str(json_object_get(st, "task"), "id"));
	json_decref(st);
	return 0;
}

static int
c_task_assign(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *st, *task;
	char	**rest, what[160];
	int64_t	 seq;
	int	 rc, n;

	n = parse(x, argc, argv, &f, &rest);
	if (!(n == 2 || (n == 1 && f.none)) || task_arg(rest[0], &task) ==
	    -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	args = json_pack("{s:o, s:o}", "task", task, "assignee", n == 2 ?
	    json_string(rest[1]) : json_null());
	if ((rc = cli_op(x, "task.assign", args, &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "%s assigned to %s", rest[0], n == 2 ?
	    rest[1] : "nobody");
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
task_status(struct cli *x, const char *task_s, const char *status)
{
	json_t	*st, *task;
	char	 what[160];
	int64_t	 seq;
	int	 rc;

	if (task_arg(task_s, &task) == -1)
		return 2;
	if ((rc = cli_op(x, "task.status", json_pack("{s:o, s:s}", "task", task,
	    "status", status), &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "%s is %s", task_s, status);
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
c_task_done(struct cli *x, int argc, char **argv)
{
	struct flags f;
	char	**rest;

	if (parse(x, argc, argv, &f, &rest) != 1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	return task_status(x, rest[0], "done");
}

static int
c_task_status(struct cli *x, int argc, char **argv)
{
	struct flags f;
	char	**rest;

	if (parse(x, argc, argv, &f, &rest) != 2) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	return task_status(x, rest[0], rest[1]);
}

static int
c_observable_add(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*st;
	char	**rest, inc[40], what[80];
	int64_t	 seq;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 3 ||
	    cli_incident_arg(rest[0], inc, sizeof inc) == -1) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	if ((rc = cli_op(x, "observable.add", json_pack("{s:s, s:s, s:s, s:b}",
	    "incident", inc, "kind", rest[1], "value", rest[2], "ioc",
	    f.ioc), &st, &seq)) != 0)
		return rc;
	snprintf(what, sizeof what, "observable added to %s", inc);
	op_done(x, st, seq, what);
	json_decref(st);
	return 0;
}

static int
c_whoami(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*res;
	char	**rest;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 0) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	flags_release(&f);
	if ((rc = cli_query(x, "whoami", json_object(), &res)) != 0)
		return rc;
	if (x->json)
		cli_print_json(res);
	else
		printf("%s (%s) on %s, op log at seq %lld\n", cli_str(res, "user"),
		    cli_str(res, "role"), client_hub(x->c),
		    (long long)json_integer_value(json_object_get(res,
		    "last_seq")));
	json_decref(res);
	return 0;
}

static int
c_audit(struct cli *x, int argc, char **argv)
{
	struct flags f;
	json_t	*args, *res, *e;
	char	**rest, inc[40];
	size_t	 i;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) != 0 || (f.incident != NULL &&
	    cli_incident_arg(f.incident, inc, sizeof inc) == -1)) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	args = json_object();
	set_str(args, "user", f.user);
	if (f.incident != NULL)
		set_str(args, "incident", inc);
	set_str(args, "op", f.opname);
	set_str(args, "since", f.since);
	if (f.refused)
		json_object_set_new(args, "refused", json_true());
	if (f.limit > 0)
		json_object_set_new(args, "limit", json_integer(f.limit));
	flags_release(&f);
	if ((rc = cli_query(x, "audit.list", args, &res)) != 0)
		return rc;
	if (x->json) {
		cli_print_json(res);
		json_decref(res);
		return 0;
	}
	json_array_foreach(res, i, e) {
		json_int_t n = json_integer_value(json_object_get(e,
		    "incident"));

		if (json_is_string(json_object_get(e, "incident")))
			snprintf(inc, sizeof inc, "%.30s", cli_str(e, "incident"));
		else if (n > 0)
			snprintf(inc, sizeof inc, "INC-%lld", (long long)n);
		else
			snprintf(inc, sizeof inc, "-");
		printf("%s  %-12s %-7s %-5s %-16s %-9s %-8s %s\n",
		    cli_str(e, "time"), cli_str(e, "user"), cli_str(e, "role"),
		    cli_str(e, "kind"), cli_str(e, "name"), cli_str(e, "result"), inc,
		    json_is_string(json_object_get(e, "message")) ?
		    cli_str(e, "message") : "");
	}
	json_decref(res);
	return 0;
}

/* tail: one event of an "events" push, as a line. */
static void
tail_event(struct cli *x, const struct wire_msg *m, const struct wire_event *e)
{
	static const char *const keys[] = { "utctimestamp", "severity",
		"hostname", "summary" };
	const json_t *sub = json_object_get(m->root, "sub");
	char	 raw[1024], f[4][1024];
	struct buf line;
	size_t	 i;

	if (x->json) {
		/* One line an event, the event's text as the hub sent it. */
		buf_init(&line);
		if (json_is_integer(sub))
			buf_printf(&line, "{\"type\":\"event\",\"sub\":%"
			    JSON_INTEGER_FORMAT ",\"event\":",
			    json_integer_value(sub));
		else
			buf_puts(&line, "{\"type\":\"event\",\"event\":");
		buf_append(&line, e->json, e->len);
		buf_puts(&line, "}");
		if (line.data != NULL)
			utf8_put_json(stdout, line.data, line.len);
		buf_release(&line);
		return;
	}
	/* What is missing or not a string shows as "-", as cli_str does;
	   the rest escaped, as everywhere. */
	for (i = 0; i < 4; i++) {
		if (wire_json_field(e->json, e->len, keys[i], raw, sizeof raw)
		    < 0)
			snprintf(raw, sizeof raw, "-");
		cli_esc(raw, f[i], sizeof f[i]);
	}
	printf("%s %-8s %-16s %s\n", f[0], f[1], f[2], f[3]);
}

/* tail: print pushes as they come; an "events" push counts as one push
   per event. */
static void
tail_push(struct cli *x, const struct wire_msg *m)
{
	const json_t *r = m->root;
	const char *type = cli_str(r, "type");
	json_t	*c;
	size_t	 i;

	if (x->tail_max < 0 || (x->tail_max > 0 && x->tail_count >=
	    x->tail_max))
		return;		/* not tailing, or done */
	if (m->type == WIRE_EVENTS) {
		for (i = 0; i < m->nevents; i++) {
			tail_event(x, m, &m->events[i]);
			if (x->tail_max > 0 && ++x->tail_count >= x->tail_max) {
				cli_interrupted = 1;
				break;
			}
		}
		fflush(stdout);
		return;
	}
	if (x->json || (strcmp(type, "op") != 0 && strcmp(type, "resync") !=
	    0))
		cli_print_json(r);
	else if ((c = json_deep_copy(r)) != NULL) {
		cli_clean(c);
		if (*type == 'o')
			printf("%6lld %s %-8s %-16s %s\n", (long long)m->seq,
			    cli_str(c, "time"), cli_str(c, "incident"),
			    cli_str(c, "op"), cli_str(c, "user"));
		else
			printf("resync: %s (seq %lld)\n", cli_str(c, "reason"),
			    (long long)m->seq);
		json_decref(c);
	}
	fflush(stdout);
	if (x->tail_max > 0 && ++x->tail_count >= x->tail_max)
		cli_interrupted = 1;
}

static void
on_tail_sub(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct cli *x = arg;

	if (m == NULL)
		return;		/* renewed by the client after a loss */
	if (m->type == WIRE_REPLY_ERROR) {
		cli_refused(m->root);
		x->tail_max = -1;
		cli_interrupted = 1;
		return;
	}
	fprintf(stderr, "ward: subscribed (seq %lld)\n", (long long)
	    json_integer_value(json_object_get(m->root, "seq")));
}

static void
on_signal(int sig)
{
	cli_interrupted = 1;
}

static int
c_tail(struct cli *x, int argc, char **argv)
{
	struct sigaction sa;
	struct flags f;
	char	**rest, inc[40], topic[64];
	int	 n, i, topics = 0;

	if ((n = parse(x, argc, argv, &f, &rest)) < 0) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	x->tail_max = f.count;
	x->push = tail_push;
	if (cli_connect(x, 1) == -1) {
		flags_release(&f);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (f.incidents && ++topics)
		client_subscribe(x->c, "incidents", NULL, on_tail_sub, x);
	if (f.incident != NULL) {
		if (cli_incident_arg(f.incident, inc, sizeof inc) == -1) {
			flags_release(&f);
			return 2;
		}
		snprintf(topic, sizeof topic, "incident:%s", inc);
		client_subscribe(x->c, topic, NULL, on_tail_sub, x);
		topics++;
	}
	for (i = 0; i < n; i++) {
		if (cli_incident_arg(rest[i], inc, sizeof inc) == -1) {
			flags_release(&f);
			return 2;
		}
		snprintf(topic, sizeof topic, "incident:%s", inc);
		client_subscribe(x->c, topic, NULL, on_tail_sub, x);
		topics++;
	}
	if (f.alerts_on && ++topics)
		client_subscribe(x->c, "alerts", NULL, on_tail_sub, x);
	if (f.presence && ++topics)
		client_subscribe(x->c, "presence", NULL, on_tail_sub, x);
	if ((f.events_on || f.query != NULL) && ++topics)
		client_subscribe(x->c, "events", f.query, on_tail_sub, x);
	flags_release(&f);
	if (topics == 0)
		return cli_usage_error(x);
	while (!cli_interrupted && client_state(x->c) != CLIENT_FAILED)
		client_wait(x->c, 500);
	if (client_state(x->c) == CLIENT_FAILED) {
		fprintf(stderr, "ward: %s\n", x->why);
		return 1;
	}
	return x->tail_max < 0 ? 1 : 0;
}

/* One search result on a line: time, host, process, summary (the
   reply's strings are escaped already: cli_clean); or an aggregation row
   as compact JSON. */
static void
search_line(const json_t *row)
{
	const char *t = cli_str(row, "utctimestamp");

	if (json_object_get(row, "summary") == NULL &&
	    json_object_get(row, "utctimestamp") == NULL) {
		cli_print_json(row);
		return;
	}
	printf("%.19s  %-14.14s %-12.12s %s\n", *t ? t : "-",
	    cli_str(row, "hostname"), cli_str(row, "processname"),
	    cli_str(row, "summary"));
}

static int
c_search(struct cli *x, int argc, char **argv)
{
	struct query *q = NULL;
	struct query_error qe;
	struct flags f;
	struct buf text;
	json_t	*args, *res, *row;
	char	**rest;
	size_t	 i;
	int	 rc;

	if (parse(x, argc, argv, &f, &rest) < 0) {
		flags_release(&f);
		return cli_usage_error(x);
	}
	buf_init(&text);
	for (i = 0; rest[i] != NULL; i++)
		buf_printf(&text, "%s%s", i ? " " : "", rest[i]);
	/* Check it here first: the caret goes under the bad spot. */
	if (query_parse(text.data ? text.data : "", 0, &q, &qe) != 0) {
		fprintf(stderr, "ward: search: %s\n  %s\n  %*s^\n", qe.msg,
		    text.data ? text.data : "", (int)qe.pos, "");
		buf_release(&text);
		flags_release(&f);
		return 1;
	}
	query_free(q);
	args = json_object();
	json_object_set_new(args, "q", json_string(text.data ? text.data :
	    ""));
	set_str(args, "since", f.since);
	set_str(args, "until", f.until);
	json_object_set_new(args, "limit", json_integer(f.limit > 0 ?
	    f.limit : 50));
	buf_release(&text);
	flags_release(&f);
	if ((rc = cli_query(x, "search", args, &res)) != 0)
		return rc;
	json_array_foreach(json_object_get(res, "rows"), i, row) {
		if (x->json)
			cli_print_json(row);
		else
			search_line(row);
	}
	if (json_string_value(json_object_get(res, "notice")) != NULL) {
		char	 esc[1024];

		/* archived days the time range reaches: not searched */
		fprintf(stderr, "ward: search: %s\n", cli_esc(
		    json_string_value(json_object_get(res, "notice")), esc,
		    sizeof esc));
	}
	if (json_is_true(json_object_get(res, "limited")))
		fprintf(stderr, "ward: search: limit %zu reached; more match "
		    "(raise --limit or narrow the query)\n",
		    json_array_size(json_object_get(res, "rows")));
	json_decref(res);
	return 0;
}

static int
c_keygen(struct cli *x, int argc, char **argv)
{
	static const struct option o[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "comment", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct auth_key k;
	const char *path = x->o->key, *comment = NULL;
	char	 def[4096], dir[4096], err[1024], line[AUTH_PUBLINE_MAX],
		 host[256], who[400], *slash;
	int	 ch, force = 0;

	optind = 0;	/* 0: GNU getopt starts afresh (permuting again) */
	while ((ch = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (ch) {
		case 'k': path = optarg; break;
		case 'f': force = 1; break;
		case 'c': comment = optarg; break;
		default: return cli_usage_error(x);
		}
	}
	if (optind != argc)
		return cli_usage_error(x);
	if (path == NULL) {
		if (client_config_path("id_ed25519", def, sizeof def) == -1) {
			fprintf(stderr, "ward: HOME is not set; use --key\n");
			return 1;
		}
		path = def;
	}
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		/* ~/.config/ward and its parent, if missing. */
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
			*slash = '/';
		}
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			fprintf(stderr, "ward: %s: %s\n", dir, strerror(errno));
			return 1;
		}
	}
	if (comment == NULL) {
		if (gethostname(host, sizeof host) == -1)
			snprintf(host, sizeof host, "localhost");
		snprintf(who, sizeof who, "%s@%s", x->o->user ? x->o->user :
		    "ward", host);
		comment = who;
	}
	if (auth_keygen(&k, comment) == -1) {
		fprintf(stderr, "ward: cannot make a key\n");
		return 1;
	}
	if (auth_key_write(path, &k, force, err, sizeof err) == -1) {
		auth_key_wipe(&k);
		fprintf(stderr, "ward: %s\n", err);
		return 1;
	}
	auth_pubkey_format(k.pk, k.comment, line, sizeof line);
	auth_key_wipe(&k);
	printf("wrote %s (secret, mode 0600) and %s.pub\n%s\n", path, path,
	    line);
	return 0;
}

/*
 * The subcommands.  Those that send an op or a query of their own sit at
 * its catalogue id: their words and usage are the entry's .cli.  extra[]
 * holds the few that are not an op's: tail, keygen, and shortcuts.
 */
static const cli_fn fns[CAT_COUNT] = {
	[CAT_INCIDENT_CREATE] = c_incident_create,
	[CAT_INCIDENT_UPDATE] = c_incident_update,
	[CAT_INCIDENT_NOTE] = c_incident_note,
	[CAT_INCIDENT_CLOSE] = c_incident_close,
	[CAT_INCIDENT_STATUS] = c_incident_status,
	[CAT_INCIDENT_PHASE] = c_incident_phase,
	[CAT_INCIDENT_LEAD] = c_incident_lead,
	[CAT_TASK_ADD] = c_task_add,
	[CAT_TASK_ASSIGN] = c_task_assign,
	[CAT_TASK_STATUS] = c_task_status,
	[CAT_OBSERVABLE_ADD] = c_observable_add,
	[CAT_INCIDENT_LINK] = c_incident_link,
	[CAT_ALERT_ACK] = cli_alert_move,
	[CAT_ALERT_ESCALATE] = cli_alert_move,
	[CAT_ALERT_CLOSE] = cli_alert_move,
	[CAT_ALERT_PROMOTE] = cli_alert_promote,
	[CAT_RULES_RELOAD] = cli_rules_reload,
	[CAT_USER_ADD] = cli_user_add,
	[CAT_USER_DEL] = cli_user_del,
	[CAT_USER_ROLE] = cli_user_role,
	[CAT_INCIDENT_LIST] = c_incident_list,
	[CAT_INCIDENT_SHOW] = c_incident_show,
	[CAT_AUDIT_LIST] = c_audit,
	[CAT_WHOAMI] = c_whoami,
	[CAT_ALERT_LIST] = cli_alert_list,
	[CAT_ALERT_SHOW] = cli_alert_show,
	[CAT_RULES_STATUS] = cli_rules_status,
	[CAT_SEARCH] = c_search,
	[CAT_USER_LIST] = cli_user_list,
};

static const struct {
	const char	*w1, *w2;
	cli_fn		 fn;
	const char	*usage;
} extra[] = {
	{ "task", "done", c_task_done, "task done TASK [--json]" },
	{ "alert", "acknowledge", cli_alert_move,
	  "alert acknowledge ID [--text TEXT] [--json]" },
	{ "tail", NULL, c_tail, "tail [--incidents] [--incident ID]... "
	  "[--alerts] [--events] [--query QUERY] [--presence] [--count N] "
	  "[--json]" },
	{ "keygen", NULL, c_keygen, "keygen [--key FILE] [--force] "
	  "[--comment TEXT]" },
};

#define NEXTRA	(sizeof extra / sizeof extra[0])

int
cli_is_command(const char *name)
{
	const struct catalogue_entry *e;
	size_t	 i;

	for (i = 0; i < NEXTRA; i++)
		if (strcmp(extra[i].w1, name) == 0)
			return 1;
	if ((e = catalogue_cli(name, NULL)) != NULL && fns[e->id] != NULL)
		return 1;
	/* A group: the first word of a two-word subcommand. */
	for (i = 0; i < CAT_COUNT; i++)
		if (fns[i] != NULL && catalogue_cli_words(&catalogue[i]) == 2 &&
		    strncmp(catalogue[i].cli, name, strlen(name)) == 0 &&
		    catalogue[i].cli[strlen(name)] == ' ')
			return 1;
	return 0;
}

/* Does the first word of a equal that of b? */
static int
same_group(const char *a, const char *b)
{
	size_t	 n = strcspn(a, " ");

	return n == strcspn(b, " ") && strncmp(a, b, n) == 0;
}

void
cli_usage(FILE *f)
{
	size_t	 i, j;

	/* By group, in the catalogue's order; the shortcuts after theirs. */
	fprintf(f, "       ward [options] %s\n", extra[NEXTRA - 1].usage);
	for (i = 0; i < CAT_COUNT; i++) {
		if (fns[i] == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (fns[j] != NULL && same_group(catalogue[j].cli,
			    catalogue[i].cli))
				break;
		if (j < i)
			continue;	/* its group is out already */
		for (j = i; j < CAT_COUNT; j++)
			if (fns[j] != NULL && same_group(catalogue[j].cli,
			    catalogue[i].cli))
				fprintf(f, "       ward [options] %s\n",
				    catalogue[j].cli);
		if (same_group(extra[0].usage, catalogue[i].cli))
			fprintf(f, "       ward [options] %s\n",
			    extra[0].usage);
	}
	fprintf(f, "       ward [options] %s\n", extra[NEXTRA - 2].usage);
}

int
cli_run(const struct cli_opts *o, int argc, char **argv)
{
	const struct catalogue_entry *e;
	struct cli x;
	cli_fn	 fn = NULL;
	size_t	 i, n;
	int	 rc = 2, words = 1;

	memset(&x, 0, sizeof x);
	x.o = o;
	for (i = 0; i < NEXTRA && fn == NULL; i++)
		if (strcmp(extra[i].w1, argv[0]) == 0 && (extra[i].w2 == NULL ||
		    (argc > 1 && strcmp(extra[i].w2, argv[1]) == 0))) {
			fn = extra[i].fn;
			x.usage = extra[i].usage;
			words = extra[i].w2 != NULL ? 2 : 1;
		}
	if (fn == NULL && (e = catalogue_cli(argv[0], argc > 1 ? argv[1] :
	    NULL)) != NULL && fns[e->id] != NULL) {
		fn = fns[e->id];
		x.usage = e->cli;
		x.help = e->help;
		words = catalogue_cli_words(e);
	}
	if (fn != NULL && args_want_help(argc - words, argv + words)) {
		printf("usage: ward %s\n", x.usage);
		if (x.help != NULL)
			printf("%s\n", x.help);
		return 0;
	}
	if (fn != NULL) {
		rc = fn(&x, argc - (words - 1), argv + (words - 1));
		client_free(x.c);
		return rc;
	}
	if (!cli_is_command(argv[0])) {
		fprintf(stderr, "ward: unknown command '%s'\n", argv[0]);
		return 2;
	}
	fprintf(stderr, "ward: %s: expected one of:", argv[0]);
	n = strlen(argv[0]);
	for (i = 0; i < CAT_COUNT; i++)
		if (fns[i] != NULL && catalogue_cli_words(&catalogue[i]) == 2 &&
		    strncmp(catalogue[i].cli, argv[0], n) == 0 &&
		    catalogue[i].cli[n] == ' ')
			fprintf(stderr, " %.*s", (int)strcspn(catalogue[i].cli +
			    n + 1, " "), catalogue[i].cli + n + 1);
	for (i = 0; i < NEXTRA; i++)
		if (extra[i].w2 != NULL && strcmp(extra[i].w1, argv[0]) == 0)
			fprintf(stderr, " %s", extra[i].w2);
	fprintf(stderr, "\n");
	return 2;
}
