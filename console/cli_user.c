/*
 * cli_user — `ward user`.  Each subcommand sends one op or query through
 * the client library (client.h), waits for the reply and prints it.  The
 * hub decides: only admins may, an admin may not remove or demote
 * themselves, and the last admin stays.  A refusal prints its code and
 * reason on stderr and exits 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth.h"
#include "cli.h"
#include "cli_user.h"
#include "client.h"
#include "wire.h"

#define WAIT_MS		30000

static const char usage_user[] =
"       ward user add NAME ROLE PUBKEYFILE | list | del NAME |\n"
"                 role NAME ROLE [--json]      (admin)\n";

struct ucli {
	char		 why[2048];
	int		 done;
	json_t		*reply;
	char		 rwhy[2048];
};

void
cli_user_usage(FILE *f)
{
	fputs(usage_user, f);
}

static int
usage(void)
{
	fprintf(stderr, "usage:\n%s", usage_user);
	return 2;
}

static void
on_state(struct client *c, enum client_state st, const char *why, void *arg)
{
	struct ucli *x = arg;

	(void)c;
	if (st == CLIENT_FAILED)
		snprintf(x->why, sizeof x->why, "%s", why);
}

static void
on_reply(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct ucli *x = arg;

	(void)c;
	x->done = 1;
	if (m != NULL)
		x->reply = json_incref(m->root);
	else
		snprintf(x->rwhy, sizeof x->rwhy, "%s", why);
}

/*
 * Connect, send req (taken) and wait for its reply.  Returns 0 with
 * *result (the reply's "result" or NULL; the caller owns it), else the
 * exit status after saying why on stderr.
 */
static int
request(const struct cli_opts *o, json_t *req, json_t **result)
{
	struct client_opts co;
	struct client *c;
	struct ucli x;
	struct timespec t0, t;
	char	 err[2048];
	int	 rc = 1;

	*result = NULL;
	memset(&x, 0, sizeof x);
	if (req == NULL) {
		fprintf(stderr, "ward: out of memory\n");
		return 1;
	}
	json_object_del(req, "id");
	memset(&co, 0, sizeof co);
	co.url = o->hub;
	co.user = o->user;
	co.key_path = o->key;
	co.tls_ca = o->tls_ca;
	if ((c = client_new(&co, on_state, NULL, &x, err, sizeof err)) ==
	    NULL) {
		json_decref(req);
		fprintf(stderr, "ward: %s\n", err);
		return 1;
	}
	if (client_request(c, req, on_reply, &x) == -1) {
		fprintf(stderr, "ward: %s\n", *x.why ? x.why :
		    "cannot send the request");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!x.done) {
		client_wait(c, 200);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 > WAIT_MS) {
			fprintf(stderr, "ward: no answer from %s within %d s\n",
			    o->hub, WAIT_MS / 1000);
			goto out;
		}
	}
	if (x.reply == NULL) {
		fprintf(stderr, "ward: %s\n", *x.rwhy ? x.rwhy : x.why);
		goto out;
	}
	if (strcmp(cli_str(x.reply, "type"), "ok") == 0) {
		*result = json_incref(json_object_get(x.reply, "result"));
		rc = 0;
	} else
		fprintf(stderr, "ward: refused (%s): %s\n",
		    cli_str(x.reply, "code"), cli_str(x.reply, "message"));
out:
	json_decref(x.reply);
	client_free(c);
	return rc;
}

/* Text from the hub for a terminal: control characters shown as '?'. */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void
print_user(const json_t *u)
{
	printf("%-20s %-8s %-20s ward-ed25519 %s", cli_str(u, "name"),
	    cli_str(u, "role"), cli_str(u, "created"), cli_str(u, "key"));
	if (*cli_str(u, "comment") != '\0' &&
	    strcmp(cli_str(u, "comment"), "-") != 0) {
		putchar(' ');
		put_clean(cli_str(u, "comment"));
	}
	putchar('\n');
}

static int
user_add(const struct cli_opts *o, char **argv, int json)
{
	unsigned char pk[AUTH_PK_BYTES];
	char	 comment[AUTH_MAX_COMMENT + 1], line[AUTH_PUBLINE_MAX];
	char	 err[512];
	json_t	*args, *res = NULL;
	int	 rc;

	if (!role_is_person(role_parse(argv[1]))) {
		fprintf(stderr, "ward: role '%s': expected viewer, handler, "
		    "lead or admin\n", argv[1]);
		return 2;
	}
	if (auth_pubkey_read(argv[2], pk, comment, sizeof comment, err,
	    sizeof err) == -1 || auth_pubkey_format(pk, comment, line,
	    sizeof line) == -1) {
		fprintf(stderr, "ward: %s\n", *err ? err : "key too long");
		return 1;
	}
	args = json_pack("{s:s, s:s, s:s}", "name", argv[0], "role", argv[1],
	    "key", line);
	rc = request(o, wire_op(0, "user.add", args), &res);
	json_decref(args);
	if (rc == 0 && json)
		cli_print_json(res);
	else if (rc == 0)
		printf("user %s added as %s\n", cli_str(res, "name"),
		    cli_str(res, "role"));
	json_decref(res);
	return rc;
}

int
cli_user(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sub;
	json_t	*args = NULL, *res = NULL, *u;
	size_t	 i;
	int	 ch, json = 0, rc;

	if (argc < 2)
		return usage();
	sub = argv[1];
	argc--, argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'j')
			return usage();
		json = 1;
	}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "add") == 0 && argc == 3)
		return user_add(o, argv, json);
	if (strcmp(sub, "list") == 0 && argc == 0) {
		if ((rc = request(o, wire_query(0, "user.list", NULL), &res))
		    != 0)
			return rc;
		json_array_foreach(res, i, u) {
			if (json)
				cli_print_json(u);
			else
				print_user(u);
		}
		json_decref(res);
		return 0;
	}
	if (strcmp(sub, "del") == 0 && argc == 1) {
		args = json_pack("{s:s}", "name", argv[0]);
		rc = request(o, wire_op(0, "user.del", args), &res);
		if (rc == 0 && json)
			cli_print_json(res);
		else if (rc == 0)
			printf("user %s removed; their sessions are closed\n",
			    argv[0]);
	} else if (strcmp(sub, "role") == 0 && argc == 2) {
		if (!role_is_person(role_parse(argv[1]))) {
			fprintf(stderr, "ward: role '%s': expected viewer, "
			    "handler, lead or admin\n", argv[1]);
			return 2;
		}
		args = json_pack("{s:s, s:s}", "name", argv[0], "role",
		    argv[1]);
		rc = request(o, wire_op(0, "user.role", args), &res);
		if (rc == 0 && json)
			cli_print_json(res);
		else if (rc == 0)
			printf("user %s is now %s; their sessions are closed\n",
			    argv[0], argv[1]);
	} else
		return usage();
	json_decref(args);
	json_decref(res);
	return rc;
}
