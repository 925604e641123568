/*
 * cli_alert — `ward alert` and `ward rules`.  Each subcommand sends one
 * op or query through the client library (client.h), waits for the
 * reply and prints it: a line per alert for people, one JSON object per
 * line with --json.  A refusal prints its code and reason on stderr and
 * exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "cli_alert.h"
#include "client.h"
#include "model.h"
#include "wire.h"

#define WAIT_MS		30000

struct acli {
	const struct cli_opts *o;
	struct client	*c;
	char		 why[2048];
	int		 done;
	json_t		*reply;
	char		 rwhy[2048];
};

static void
on_state(struct client *c, enum client_state st, const char *why, void *arg)
{
	struct acli *x = arg;

	if (st == CLIENT_FAILED)
		cli_esc(why, x->why, sizeof x->why);
}

static void
on_push(struct client *c, const struct wire_msg *m, void *arg)
{
	const char *t = json_string_value(json_object_get(m->root, "type"));
	char	 esc[1024];

	if (t != NULL && strcmp(t, "notice") == 0)
		fprintf(stderr, "ward: %s\n", cli_esc(json_string_value(
		    json_object_get(m->root, "message")), esc, sizeof esc));
}

static void
on_reply(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct acli *x = arg;

	x->done = 1;
	if (m != NULL)
		x->reply = json_incref(m->root);
	else
		cli_esc(why, x->rwhy, sizeof x->rwhy);
}

/*
 * Send req (taken) and wait.  Returns 0 with *result (the reply's
 * "result", or NULL; the caller owns it), else the exit status after
 * saying why.
 */
static int
request(struct acli *x, json_t *req, json_t **result)
{
	struct client_opts co;
	struct timespec t0, t;
	const char *type;
	char	 err[2048];
	int	 rc;

	*result = NULL;
	if (req == NULL) {
		fprintf(stderr, "ward: out of memory\n");
		return 1;
	}
	json_object_del(req, "id");
	if (x->c == NULL) {
		memset(&co, 0, sizeof co);
		co.url = x->o->hub;
		co.user = x->o->user;
		co.key_path = x->o->key;
		co.tls_ca = x->o->tls_ca;
		if ((x->c = client_new(&co, on_state, on_push, x, err,
		    sizeof err)) == NULL) {
			json_decref(req);
			fprintf(stderr, "ward: %s\n", err);
			return 1;
		}
	}
	x->done = 0;
	x->reply = NULL;
	if (client_request(x->c, req, on_reply, x) == -1) {
		fprintf(stderr, "ward: %s\n", *x->why ? x->why :
		    "cannot send the request");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!x->done) {
		client_wait(x->c, 200);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 > WAIT_MS) {
			fprintf(stderr, "ward: no answer from %s within %d s\n",
			    x->o->hub, WAIT_MS / 1000);
			return 1;
		}
	}
	if (x->reply == NULL) {
		fprintf(stderr, "ward: %s\n", *x->rwhy ? x->rwhy : x->why);
		return 1;
	}
	type = json_string_value(json_object_get(x->reply, "type"));
	if (type != NULL && strcmp(type, "ok") == 0) {
		*result = json_incref(json_object_get(x->reply, "result"));
		rc = 0;
	} else {
		char code[64], msg[2048];

		fprintf(stderr, "ward: refused (%s): %s\n",
		    cli_esc(json_string_value(json_object_get(x->reply,
		    "code")), code, sizeof code), cli_esc(json_string_value(
		    json_object_get(x->reply, "message")), msg, sizeof msg));
		rc = 1;
	}
	json_decref(x->reply);
	x->reply = NULL;
	return rc;
}

/* An alert on a line: its text as the console's list shows it (the
   rule's title, unless the summary starts with it). */
static void
print_alert_line(const json_t *a0)
{
	json_t	*a;
	char	 text[1024];

	if ((a = json_deep_copy(a0)) == NULL)
		return;
	cli_clean(a);
	model_alert_text(a, text, sizeof text);
	printf("%-6" JSON_INTEGER_FORMAT " %-8s %-12s %6" JSON_INTEGER_FORMAT
	    "  %-24s %s", json_integer_value(json_object_get(a, "id")),
	    cli_str(a, "severity"), cli_str(a, "status"),
	    json_integer_value(json_object_get(a, "count")),
	    cli_str(a, "last_seen"), text);
	if (json_is_string(json_object_get(a, "incident")))
		printf(" [%s]", cli_str(a, "incident"));
	putchar('\n');
	json_decref(a);
}

static void
print_alert_full(json_t *a)
{
	static const char *const keys[] = { "rule", "rule_id", "level",
		"severity", "category", "summary", "group", "status",
		"first_seen", "last_seen", "created", "updated",
		"acknowledged_by", "acknowledged_at", "escalated_by",
		"escalated_at", "closed_by", "closed_at", "incident", NULL };
	const json_t *e;
	size_t	 i;

	printf("alert %" JSON_INTEGER_FORMAT "\n", json_integer_value(
	    json_object_get(a, "id")));
	for (i = 0; keys[i] != NULL; i++) {
		if (!json_is_string(json_object_get(a, keys[i])))
			continue;
		printf("  %-16s %s\n", keys[i], cli_str(a, keys[i]));
	}
	printf("  %-16s %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
	    " matches)\n", "count", json_integer_value(json_object_get(a,
	    "count")), json_integer_value(json_object_get(a, "matches")));
	printf("  %-16s %zu kept\n", "events", json_array_size(
	    json_object_get(a, "events")));
	json_array_foreach(json_object_get(a, "timeline"), i, e) {
		printf("  %s %s %s\n", cli_str(e, "time"), cli_str(e, "author"),
		    cli_str(e, "text"));
	}
}

/* An alert id: "42" (or "A-42"). */
static int
alert_arg(const char *s, json_int_t *id)
{
	char	*end;
	long long v;

	if (strncmp(s, "A-", 2) == 0)
		s += 2;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > WIRE_MAX_ID) {
		fprintf(stderr, "ward: '%s' is not an alert id\n", s);
		return -1;
	}
	*id = v;
	return 0;
}

static int
incident_arg(const char *s, char *out, size_t outlen)
{
	int64_t	 n;

	if (wire_incident_id(s, &n) == 0)
		snprintf(out, outlen, "%s", s);
	else
		snprintf(out, outlen, "INC-%.30s", s);
	if (wire_incident_id(out, &n) != 0) {
		fprintf(stderr, "ward: '%s' is not an incident id (INC-n)\n",
		    s);
		return -1;
	}
	return 0;
}

static const char usage_alert[] =
"       ward alert list [--json] [--status S] [--rule R] [--limit N]\n"
"       ward alert show ID [--json]\n"
"       ward alert ack|escalate|close ID [--text TEXT]\n"
"       ward alert promote ID [--to INC-n] [--title T] [--severity S]\n";
static const char usage_rules[] =
"       ward rules reload [--wait]\n"
"       ward rules status [--json]\n";

void
cli_alert_usage(FILE *f)
{
	fputs(usage_alert, f);
	fputs(usage_rules, f);
}

static int
usage(const char *u)
{
	fprintf(stderr, "usage:\n%s", u);
	return 2;
}

enum { O_JSON = 1, O_STATUS, O_RULE, O_LIMIT, O_TEXT, O_TO, O_TITLE,
	O_SEV, O_WAIT };

struct aopts {
	int		 json, wait, limit;
	const char	*status, *rule, *text, *to, *title, *sev;
};

/* Options after the subcommand (argv[0]); returns the index of the
   first operand, or -1. */
static int
parse(int argc, char **argv, struct aopts *a)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "status", required_argument, NULL, O_STATUS },
		{ "rule", required_argument, NULL, O_RULE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "text", required_argument, NULL, O_TEXT },
		{ "to", required_argument, NULL, O_TO },
		{ "title", required_argument, NULL, O_TITLE },
		{ "severity", required_argument, NULL, O_SEV },
		{ "wait", no_argument, NULL, O_WAIT },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(a, 0, sizeof *a);
	optind = 0;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case O_JSON: a->json = 1; break;
		case O_STATUS: a->status = optarg; break;
		case O_RULE: a->rule = optarg; break;
		case O_LIMIT:
			a->limit = atoi(optarg);
			if (a->limit < 1 || a->limit > 1000) {
				fprintf(stderr, "ward: --limit: 1 to 1000\n");
				return -1;
			}
			break;
		case O_TEXT: a->text = optarg; break;
		case O_TO: a->to = optarg; break;
		case O_TITLE: a->title = optarg; break;
		case O_SEV: a->sev = optarg; break;
		case O_WAIT: a->wait = 1; break;
		default:
			return -1;
		}
	}
	return optind;
}

static int
do_list(struct acli *x, struct aopts *a)
{
	json_t	*args, *res = NULL, *v;
	size_t	 i;
	int	 rc;

	if ((args = json_object()) == NULL)
		return 1;
	if (a->status != NULL)
		json_object_set_new(args, "status", json_string(a->status));
	if (a->rule != NULL)
		json_object_set_new(args, "rule", json_string(a->rule));
	if (a->limit > 0)
		json_object_set_new(args, "limit", json_integer(a->limit));
	rc = request(x, wire_query(0, "alert.list", args), &res);
	json_decref(args);
	if (rc != 0)
		return rc;
	if (!a->json && json_array_size(res) > 0)
		printf("%-6s %-8s %-12s %6s  %-24s %s\n", "ID", "SEVERITY",
		    "STATUS", "COUNT", "LAST SEEN", "SUMMARY");
	json_array_foreach(res, i, v) {
		if (a->json)
			cli_print_json(v);
		else
			print_alert_line(v);
	}
	json_decref(res);
	return 0;
}

static int
do_show(struct acli *x, struct aopts *a, json_int_t id)
{
	json_t	*args, *res = NULL;
	int	 rc;

	if ((args = json_pack("{s:I}", "alert", id)) == NULL)
		return 1;
	rc = request(x, wire_query(0, "alert.show", args), &res);
	json_decref(args);
	if (rc != 0)
		return rc;
	if (a->json)
		cli_print_json(res);
	else {
		cli_clean(res);
		print_alert_full(res);
	}
	json_decref(res);
	return 0;
}

static int
do_move(struct acli *x, struct aopts *a, const char *verb, json_int_t id)
{
	static const struct { const char *verb, *op, *done; } t[] = {
		{ "ack", "alert.ack", "acknowledged" },
		{ "acknowledge", "alert.ack", "acknowledged" },
		{ "escalate", "alert.escalate", "escalated" },
		{ "close", "alert.close", "closed" },
	};
	json_t	*args, *res = NULL, *al;
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].verb, verb) == 0)
			break;
	if ((args = json_pack("{s:I}", "alert", id)) == NULL)
		return 1;
	if (a->text != NULL)
		json_object_set_new(args, "text", json_string(a->text));
	rc = request(x, wire_op(0, t[i].op, args), &res);
	json_decref(args);
	if (rc != 0)
		return rc;
	/* The reply may carry the alert (as its push) or nothing. */
	al = json_object_get(res, "alert");
	if (a->json && al != NULL)
		cli_print_json(al);
	else
		printf("alert %" JSON_INTEGER_FORMAT " %s\n", id, t[i].done);
	json_decref(res);
	return 0;
}

static int
do_promote(struct acli *x, struct aopts *a, json_int_t id)
{
	json_t	*args, *res = NULL;
	char	 inc[40];
	int	 rc;

	if ((args = json_pack("{s:I}", "alert", id)) == NULL)
		return 1;
	if (a->to != NULL) {
		if (incident_arg(a->to, inc, sizeof inc) == -1) {
			json_decref(args);
			return 2;
		}
		json_object_set_new(args, "incident", json_string(inc));
	}
	if (a->title != NULL)
		json_object_set_new(args, "title", json_string(a->title));
	if (a->sev != NULL)
		json_object_set_new(args, "severity", json_string(a->sev));
	rc = request(x, wire_op(0, "alert.promote", args), &res);
	json_decref(args);
	if (rc != 0)
		return rc;
	if (a->json)
		cli_print_json(res);
	else
		printf("%s\n", cli_str(json_object_get(res, "incident"), "id"));
	json_decref(res);
	return 0;
}

int
cli_alert(const struct cli_opts *o, int argc, char **argv)
{
	struct acli x;
	struct aopts a;
	json_int_t id = 0;
	const char *sub;
	int	 n, rc;

	if (argc < 2)
		return usage(usage_alert);
	sub = argv[1];
	if ((n = parse(argc - 1, argv + 1, &a)) < 0)
		return usage(usage_alert);
	n++;	/* operands of argv */
	memset(&x, 0, sizeof x);
	x.o = o;
	if (strcmp(sub, "list") == 0) {
		if (n != argc)
			return usage(usage_alert);
		rc = do_list(&x, &a);
	} else if (strcmp(sub, "show") == 0 || strcmp(sub, "ack") == 0 ||
	    strcmp(sub, "acknowledge") == 0 || strcmp(sub, "escalate") == 0 ||
	    strcmp(sub, "close") == 0 || strcmp(sub, "promote") == 0) {
		if (n != argc - 1)
			return usage(usage_alert);
		if (alert_arg(argv[n], &id) == -1)
			return 2;
		if (strcmp(sub, "show") == 0)
			rc = do_show(&x, &a, id);
		else if (strcmp(sub, "promote") == 0)
			rc = do_promote(&x, &a, id);
		else
			rc = do_move(&x, &a, sub, id);
	} else
		return usage(usage_alert);
	client_free(x.c);
	return rc;
}

int
cli_rules(const struct cli_opts *o, int argc, char **argv)
{
	struct acli x;
	struct aopts a;
	json_t	*res = NULL, *e;
	json_int_t gen;
	size_t	 i;
	int	 n, rc, tries;

	if (argc < 2 || (n = parse(argc - 1, argv + 1, &a)) < 0 ||
	    n + 1 != argc)
		return usage(usage_rules);
	memset(&x, 0, sizeof x);
	x.o = o;
	if (strcmp(argv[1], "reload") == 0) {
		if ((rc = request(&x, wire_op(0, "rules.reload", NULL), &res))
		    != 0)
			goto out;
		gen = json_integer_value(json_object_get(res, "requested"));
		if (gen == 0) {
			/* A hub that answers ops without a result: the
			   status holds the newest request, ours or later. */
			json_decref(res);
			res = NULL;
			if ((rc = request(&x, wire_query(0, "rules.status",
			    NULL), &res)) != 0)
				goto out;
			gen = json_integer_value(json_object_get(res,
			    "requested"));
		}
		printf("rules reload asked for (#%" JSON_INTEGER_FORMAT ")\n",
		    gen);
		if (!a.wait)
			goto out;
		/* The alerter picks requests up within a second or so. */
		for (tries = 0; tries < 100; tries++) {
			json_decref(res);
			res = NULL;
			if ((rc = request(&x, wire_query(0, "rules.status",
			    NULL), &res)) != 0)
				goto out;
			if (json_integer_value(json_object_get(res, "applied"))
			    >= gen)
				break;
			usleep(100 * 1000);
		}
		if (tries == 100) {
			fprintf(stderr, "ward: the hub has not reloaded yet\n");
			rc = 1;
			goto out;
		}
	} else if (strcmp(argv[1], "status") == 0) {
		if ((rc = request(&x, wire_query(0, "rules.status", NULL),
		    &res)) != 0)
			goto out;
		if (a.json) {
			cli_print_json(res);
			goto out;
		}
	} else
		return usage(usage_rules);
	cli_clean(res);
	printf("%" JSON_INTEGER_FORMAT " rules loaded at %s, %zu broken\n",
	    json_integer_value(json_object_get(res, "rules")),
	    cli_str(res, "loaded_at"), json_array_size(json_object_get(res,
	    "errors")));
	json_array_foreach(json_object_get(res, "errors"), i, e)
		printf("%s\n", json_string_value(e) ? json_string_value(e) :
		    "?");
	rc = json_array_size(json_object_get(res, "errors")) > 0 ? 1 : 0;
out:
	json_decref(res);
	client_free(x.c);
	return rc;
}
