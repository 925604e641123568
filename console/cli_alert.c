/*
 * cli_alert — `ward alert` and `ward rules`.  Each subcommand sends one
 * op or query (cli_op, cli_query), waits for the reply and prints it: a
 * line per alert for people, one JSON object per line with --json.  A
 * refusal prints its code and reason on stderr and exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli_call.h"
#include "cli_alert.h"
#include "model.h"
#include "wire.h"

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
	/* the rule's custom attributes, as its author wrote them */
	{
		const char *k;
		json_t	*v;

		json_object_foreach(json_object_get(a, "attributes"), k, v) {
			char	*t = json_is_string(v) ? NULL :
			    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			printf("  %-16s %s\n", k, t != NULL ? t :
			    json_string_value(v) ? json_string_value(v) : "?");
			free(t);
		}
	}
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

enum { O_JSON = 1, O_STATUS, O_RULE, O_LIMIT, O_TEXT, O_TO, O_TITLE,
	O_SEV, O_WAIT };

struct aopts {
	int		 json, wait, limit;
	const char	*status, *rule, *text, *to, *title, *sev;
};

/* Options after the subcommand (argv[0]); --json sets x->json.  Returns
   the number of operands, which then start argv (shifted), or -1. */
static int
parse(struct cli *x, int argc, char **argv, struct aopts *a, char ***rest)
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
	x->json = a->json;
	*rest = argv + optind;
	return argc - optind;
}

int
cli_alert_list(struct cli *x, int argc, char **argv)
{
	struct aopts a;
	json_t	*args, *res = NULL, *v;
	char	**rest;
	size_t	 i;
	int	 rc;

	if (parse(x, argc, argv, &a, &rest) != 0)
		return cli_usage_error(x);
	if ((args = json_object()) == NULL)
		return 1;
	if (a.status != NULL)
		json_object_set_new(args, "status", json_string(a.status));
	if (a.rule != NULL)
		json_object_set_new(args, "rule", json_string(a.rule));
	if (a.limit > 0)
		json_object_set_new(args, "limit", json_integer(a.limit));
	if ((rc = cli_query(x, "alert.list", args, &res)) != 0)
		return rc;
	if (!a.json && json_array_size(res) > 0)
		printf("%-6s %-8s %-12s %6s  %-24s %s\n", "ID", "SEVERITY",
		    "STATUS", "COUNT", "LAST SEEN", "SUMMARY");
	json_array_foreach(res, i, v) {
		if (a.json)
			cli_print_json(v);
		else
			print_alert_line(v);
	}
	json_decref(res);
	return 0;
}

/* The options and the one operand, an alert id, of argv. */
static int
one_alert(struct cli *x, int argc, char **argv, struct aopts *a,
    json_int_t *id)
{
	char	**rest;

	if (parse(x, argc, argv, a, &rest) != 1)
		return cli_usage_error(x);
	return alert_arg(rest[0], id) == -1 ? 2 : 0;
}

int
cli_alert_show(struct cli *x, int argc, char **argv)
{
	struct aopts a;
	json_t	*res = NULL;
	json_int_t id;
	int	 rc;

	if ((rc = one_alert(x, argc, argv, &a, &id)) != 0)
		return rc;
	if ((rc = cli_query(x, "alert.show", json_pack("{s:I}", "alert", id),
	    &res)) != 0)
		return rc;
	if (a.json)
		cli_print_json(res);
	else
		print_alert_full(res);
	json_decref(res);
	return 0;
}

int
cli_alert_move(struct cli *x, int argc, char **argv)
{
	static const struct { const char *verb, *op, *done; } t[] = {
		{ "ack", "alert.ack", "acknowledged" },
		{ "acknowledge", "alert.ack", "acknowledged" },
		{ "escalate", "alert.escalate", "escalated" },
		{ "close", "alert.close", "closed" },
	};
	struct aopts a;
	json_t	*args, *res = NULL, *al;
	json_int_t id;
	size_t	 i;
	int	 rc;

	/* argv[0] is one of them (cli.c's table); else the last. */
	for (i = 0; i < sizeof t / sizeof t[0] - 1; i++)
		if (strcmp(t[i].verb, argv[0]) == 0)
			break;
	if ((rc = one_alert(x, argc, argv, &a, &id)) != 0)
		return rc;
	if ((args = json_pack("{s:I}", "alert", id)) == NULL)
		return 1;
	if (a.text != NULL)
		json_object_set_new(args, "text", json_string(a.text));
	if ((rc = cli_op(x, t[i].op, args, &res, NULL)) != 0)
		return rc;
	/* The reply may carry the alert (as its push) or nothing. */
	al = json_object_get(res, "alert");
	if (a.json && al != NULL)
		cli_print_json(al);
	else
		printf("alert %" JSON_INTEGER_FORMAT " %s\n", id, t[i].done);
	json_decref(res);
	return 0;
}

int
cli_alert_promote(struct cli *x, int argc, char **argv)
{
	struct aopts a;
	json_t	*args, *res = NULL;
	json_int_t id;
	char	 inc[40];
	int	 rc;

	if ((rc = one_alert(x, argc, argv, &a, &id)) != 0)
		return rc;
	if (a.to != NULL && cli_incident_arg(a.to, inc, sizeof inc) == -1)
		return 2;
	if ((args = json_pack("{s:I}", "alert", id)) == NULL)
		return 1;
	if (a.to != NULL)
		json_object_set_new(args, "incident", json_string(inc));
	if (a.title != NULL)
		json_object_set_new(args, "title", json_string(a.title));
	if (a.sev != NULL)
		json_object_set_new(args, "severity", json_string(a.sev));
	if ((rc = cli_op(x, "alert.promote", args, &res, NULL)) != 0)
		return rc;
	if (a.json)
		cli_print_json(res);
	else
		printf("%s\n", cli_str(json_object_get(res, "incident"), "id"));
	json_decref(res);
	return 0;
}

/* The rules' status for people; exit 1 when a rule is broken. */
static int
print_rules(const json_t *res)
{
	const json_t *e;
	size_t	 i;

	printf("%" JSON_INTEGER_FORMAT " rules loaded at %s, %zu broken\n",
	    json_integer_value(json_object_get(res, "rules")),
	    cli_str(res, "loaded_at"), json_array_size(json_object_get(res,
	    "errors")));
	/* by logsource, most rules first */
	{
		json_t	*ls = json_object_get(res, "logsources");
		const char *k, **keys;
		size_t	 n = 0, j, m;
		json_t	*v;

		if ((keys = calloc(json_object_size(ls) + 1,
		    sizeof(*keys))) != NULL) {
			json_object_foreach(ls, k, v)
				keys[n++] = k;
			for (j = 1; j < n; j++)
				for (m = j; m > 0 && json_integer_value(
				    json_object_get(ls, keys[m])) >
				    json_integer_value(json_object_get(ls,
				    keys[m - 1])); m--) {
					k = keys[m];
					keys[m] = keys[m - 1];
					keys[m - 1] = k;
				}
			for (j = 0; j < n; j++)
				printf("  %6" JSON_INTEGER_FORMAT "  %s\n",
				    json_integer_value(json_object_get(ls,
				    keys[j])), keys[j]);
			free(keys);
		}
	}
	json_array_foreach(json_object_get(res, "errors"), i, e)
		printf("%s\n", json_string_value(e) ? json_string_value(e) :
		    "?");
	return json_array_size(json_object_get(res, "errors")) > 0 ? 1 : 0;
}

int
cli_rules_reload(struct cli *x, int argc, char **argv)
{
	struct aopts a;
	json_t	*res = NULL;
	json_int_t gen;
	char	**rest;
	int	 rc, tries;

	if (parse(x, argc, argv, &a, &rest) != 0)
		return cli_usage_error(x);
	x->json = 0;
	if ((rc = cli_op(x, "rules.reload", NULL, &res, NULL)) != 0)
		return rc;
	gen = json_integer_value(json_object_get(res, "requested"));
	if (gen == 0) {
		/* A hub that answers ops without a result: the status holds
		   the newest request, ours or later. */
		json_decref(res);
		res = NULL;
		if ((rc = cli_query(x, "rules.status", NULL, &res)) != 0)
			goto out;
		gen = json_integer_value(json_object_get(res, "requested"));
	}
	printf("rules reload asked for (#%" JSON_INTEGER_FORMAT ")\n", gen);
	if (!a.wait)
		goto out;
	/* The alerter picks requests up within a second or so. */
	for (tries = 0; tries < 100; tries++) {
		json_decref(res);
		res = NULL;
		if ((rc = cli_query(x, "rules.status", NULL, &res)) != 0)
			goto out;
		if (json_integer_value(json_object_get(res, "applied")) >= gen)
			break;
		usleep(100 * 1000);
	}
	if (tries == 100) {
		fprintf(stderr, "ward: the hub has not reloaded yet\n");
		rc = 1;
		goto out;
	}
	rc = print_rules(res);
out:
	json_decref(res);
	return rc;
}

int
cli_rules_status(struct cli *x, int argc, char **argv)
{
	struct aopts a;
	json_t	*res = NULL;
	char	**rest;
	int	 rc;

	if (parse(x, argc, argv, &a, &rest) != 0)
		return cli_usage_error(x);
	if ((rc = cli_query(x, "rules.status", NULL, &res)) != 0)
		return rc;
	if (a.json)
		cli_print_json(res);
	else
		rc = print_rules(res);
	json_decref(res);
	return rc;
}
