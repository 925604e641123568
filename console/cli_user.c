/*
 * cli_user — `ward user`.  Each subcommand sends one op or query
 * (cli_op, cli_query), waits for the reply and prints it.  The hub
 * decides: only admins may, an admin may not remove or demote
 * themselves, and the last admin stays.  A refusal prints its code and
 * reason on stderr and exits 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "auth.h"
#include "cli_call.h"
#include "cli_user.h"
#include "wire.h"

/* --json (into x->json) and the operands: their count, which must be n,
   else a usage error (2).  *rest: the operands. */
static int
parse(struct cli *x, int argc, char **argv, int n, char ***rest)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	optind = 0;	/* 0: GNU getopt starts afresh (permuting again) */
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'j')
			return cli_usage_error(x);
		x->json = 1;
	}
	if (argc - optind != n)
		return cli_usage_error(x);
	*rest = argv + optind;
	return 0;
}

/* A role a person may hold, else a usage error (2). */
static int
person_role(const char *s)
{
	if (role_is_person(role_parse(s)))
		return 0;
	fprintf(stderr, "ward: role '%s': expected viewer, handler, lead or "
	    "admin\n", s);
	return 2;
}

/* Print the op's result: JSON, or line for people. */
static int
done(struct cli *x, int rc, json_t *res, const char *line)
{
	if (rc == 0 && x->json)
		cli_print_json(res);
	else if (rc == 0)
		printf("%s\n", line);
	json_decref(res);
	return rc;
}

int
cli_user_add(struct cli *x, int argc, char **argv)
{
	unsigned char pk[AUTH_PK_BYTES];
	char	 comment[AUTH_MAX_COMMENT + 1], line[AUTH_PUBLINE_MAX];
	char	 err[512], msg[256], **a;
	json_t	*res = NULL;
	int	 rc;

	if ((rc = parse(x, argc, argv, 3, &a)) != 0 ||
	    (rc = person_role(a[1])) != 0)
		return rc;
	err[0] = '\0';
	if (auth_pubkey_read(a[2], pk, comment, sizeof comment, err,
	    sizeof err) == -1 || auth_pubkey_format(pk, comment, line,
	    sizeof line) == -1) {
		fprintf(stderr, "ward: %s\n", *err ? err : "key too long");
		return 1;
	}
	rc = cli_op(x, "user.add", json_pack("{s:s, s:s, s:s}", "name", a[0],
	    "role", a[1], "key", line), &res, NULL);
	if (rc == 0)
		snprintf(msg, sizeof msg, "user %s added as %s", cli_str(res,
		    "name"), cli_str(res, "role"));
	return done(x, rc, res, msg);
}

int
cli_user_list(struct cli *x, int argc, char **argv)
{
	json_t	*res = NULL, *u;
	char	**a;
	size_t	 i;
	int	 rc;

	if ((rc = parse(x, argc, argv, 0, &a)) != 0 ||
	    (rc = cli_query(x, "user.list", NULL, &res)) != 0)
		return rc;
	json_array_foreach(res, i, u) {
		if (x->json) {
			cli_print_json(u);
			continue;
		}
		/* The strings are escaped (cli_query). */
		printf("%-20s %-8s %-20s ward-ed25519 %s", cli_str(u, "name"),
		    cli_str(u, "role"), cli_str(u, "created"), cli_str(u,
		    "key"));
		if (*cli_str(u, "comment") != '\0' &&
		    strcmp(cli_str(u, "comment"), "-") != 0)
			printf(" %s", cli_str(u, "comment"));
		putchar('\n');
	}
	json_decref(res);
	return 0;
}

int
cli_user_del(struct cli *x, int argc, char **argv)
{
	json_t	*res = NULL;
	char	 msg[256], **a;
	int	 rc;

	if ((rc = parse(x, argc, argv, 1, &a)) != 0)
		return rc;
	rc = cli_op(x, "user.del", json_pack("{s:s}", "name", a[0]), &res,
	    NULL);
	snprintf(msg, sizeof msg, "user %s removed; their sessions are closed",
	    a[0]);
	return done(x, rc, res, msg);
}

int
cli_user_role(struct cli *x, int argc, char **argv)
{
	json_t	*res = NULL;
	char	 msg[256], **a;
	int	 rc;

	if ((rc = parse(x, argc, argv, 2, &a)) != 0 ||
	    (rc = person_role(a[1])) != 0)
		return rc;
	rc = cli_op(x, "user.role", json_pack("{s:s, s:s}", "name", a[0],
	    "role", a[1]), &res, NULL);
	snprintf(msg, sizeof msg, "user %s is now %s; their sessions are "
	    "closed", a[0], a[1]);
	return done(x, rc, res, msg);
}
