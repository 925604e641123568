/*
 * token_cli — "wardd token add|list|del".  Writes DATA/state.db directly;
 * a running hub notices within a request (tokens_check rereads the table
 * when the database changed), so a deleted token is refused at once.
 * list never shows a token or its hash: only the token is secret, and it
 * was shown once, when it was made.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "args.h"
#include "state.h"
#include "token_cli.h"
#include "tokens.h"

static void
utc(int64_t t, char *out, size_t outlen)
{
	time_t	 tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, outlen, "-");
	else
		strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
print_token(const struct token_info *ti, void *arg)
{
	char	 created[32], used[32];

	utc(ti->created, created, sizeof created);
	utc(ti->last_used, used, sizeof used);
	printf("%-24s %-8s %-20s %s\n", ti->name, token_role_name(ti->role),
	    created, used);
	(*(int *)arg)++;
	return 0;
}

int
token_cli(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL, *role = NULL, *cmd;
	char	 tok[64], err[512];
	sqlite3	*db;
	int	 c, rc = 1, n = 0;

	if (argc < 2)
		return ARGS_USAGE;
	cmd = argv[1];
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "del") != 0) {
		fprintf(stderr, "wardd: token: unknown command '%s'\n", cmd);
		return ARGS_USAGE;
	}
	argc--, argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'r': role = optarg; break;
		default: return ARGS_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (data == NULL) {
		fprintf(stderr, "wardd: token %s: --data DIR is required\n",
		    cmd);
		return ARGS_USAGE;
	}
	if ((strcmp(cmd, "list") == 0 && argc != 0) ||
	    (strcmp(cmd, "list") != 0 && argc != 1) ||
	    (role != NULL && strcmp(cmd, "add") != 0))
		return ARGS_USAGE;
	if (role == NULL)
		role = "shipper";
	if (token_role_parse(role) == TOKEN_NONE) {
		fprintf(stderr, "wardd: token role '%s': expected shipper or "
		    "reader\n", role);
		return 2;
	}
	if ((db = state_open(data, err, sizeof err)) == NULL) {
		fprintf(stderr, "wardd: %s\n", err);
		return 1;
	}
	if (strcmp(cmd, "add") == 0) {
		if (token_add(db, argv[0], token_role_parse(role), tok, err,
		    sizeof err) == -1)
			goto fail;
		printf("token '%s' (%s) created; it is shown only this "
		    "once:\n%s\n", argv[0], role, tok);
	} else if (strcmp(cmd, "list") == 0) {
		if (token_list(db, print_token, &n, err, sizeof err) == -1)
			goto fail;
		if (n == 0)
			fprintf(stderr, "wardd: no tokens yet (make one with: "
			    "wardd token add --data %s NAME)\n", data);
	} else {
		if (token_del(db, argv[0], err, sizeof err) == -1)
			goto fail;
		printf("token '%s' deleted; a running hub refuses it from its "
		    "next request\n", argv[0]);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "wardd: %s\n", err);
out:
	sqlite3_close(db);
	return rc;
}
