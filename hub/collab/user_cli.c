/*
 * user_cli — "wardd user add|list|del|role": the people allowed to open a
 * console on this hub.  Exit status: 0 done, 1 refused or failed (the
 * reason on standard error), 2 a bad argument; ARGS_USAGE (args.h) for
 * a usage error, whose synopsis main.c prints.  A running hub notices a deleted
 * user or a changed role within a second and closes their sessions
 * (session.c, users_check).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "args.h"
#include "auth.h"
#include "incident.h"
#include "state.h"
#include "user_cli.h"
#include "users.h"
#include "wire.h"

/* Open DIR/state.db with every table the users module needs. */
static sqlite3 *
open_state(const char *data)
{
	char	 err[512];
	sqlite3	*db;

	if ((db = state_open(data, err, sizeof err)) == NULL) {
		fprintf(stderr, "wardd: %s\n", err);
		return NULL;
	}
	return db;
}

static int
user_add(sqlite3 *db, char **argv)
{
	unsigned char pk[AUTH_PK_BYTES];
	char	 comment[AUTH_MAX_COMMENT + 1], err[512], b64[64];
	enum role role;

	if (!wire_valid_name(argv[0])) {
		fprintf(stderr, "wardd: user name '%s': use 1-%d of A-Z a-z "
		    "0-9 . _ -, starting with a letter or digit\n", argv[0],
		    WIRE_MAX_NAME);
		return 2;
	}
	role = role_parse(argv[1]);
	if (!role_is_person(role)) {
		fprintf(stderr, "wardd: role '%s': expected viewer, handler, "
		    "lead or admin\n", argv[1]);
		return 2;
	}
	if (auth_pubkey_read(argv[2], pk, comment, sizeof comment, err,
	    sizeof err) == -1) {
		fprintf(stderr, "wardd: %s\n", err);
		return 1;
	}
	if (users_add(db, argv[0], role, pk, comment, err, sizeof err) == -1) {
		fprintf(stderr, "wardd: %s\n", err);
		return 1;
	}
	auth_pubkey_b64(pk, b64, sizeof b64);
	printf("user %s added as %s (ward-ed25519 %s)\n", argv[0],
	    role_name(role), b64);
	return 0;
}

static int
print_user(const struct users_entry *e, void *arg)
{
	char	 b64[64];

	auth_pubkey_b64(e->pk, b64, sizeof b64);
	printf("%-20s %-8s %s ward-ed25519 %s%s%s\n", e->name,
	    role_name(e->role), e->created, b64, *e->comment ? " " : "",
	    e->comment);
	(*(int *)arg)++;
	return 0;
}

int
user_cli(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL, *cmd;
	char	 err[512];
	sqlite3	*db;
	int	 c, rc, n = 0;

	if (argc < 2)
		return ARGS_USAGE;
	cmd = argv[1];
	argc--, argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		default:
			return ARGS_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (data == NULL) {
		fprintf(stderr, "wardd: user %s: --data DIR is required\n",
		    cmd);
		return ARGS_USAGE;
	}
	if ((strcmp(cmd, "add") == 0 && argc != 3) ||
	    (strcmp(cmd, "list") == 0 && argc != 0) ||
	    (strcmp(cmd, "del") == 0 && argc != 1) ||
	    (strcmp(cmd, "role") == 0 && argc != 2))
		return ARGS_USAGE;
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "del") != 0 && strcmp(cmd, "role") != 0) {
		fprintf(stderr, "wardd: user: unknown command '%s'\n", cmd);
		return ARGS_USAGE;
	}
	if ((db = open_state(data)) == NULL)
		return 1;
	if (strcmp(cmd, "add") == 0)
		rc = user_add(db, argv);
	else if (strcmp(cmd, "list") == 0) {
		rc = 0;
		if (users_list(db, print_user, &n, err, sizeof err) == -1) {
			fprintf(stderr, "wardd: %s\n", err);
			rc = 1;
		} else if (n == 0)
			fprintf(stderr, "wardd: no users yet (add one with: "
			    "wardd user add --data %s NAME ROLE PUBKEYFILE)\n",
			    data);
	} else if (strcmp(cmd, "role") == 0) {
		rc = 0;
		if (!role_is_person(role_parse(argv[1]))) {
			fprintf(stderr, "wardd: role '%s': expected viewer, "
			    "handler, lead or admin\n", argv[1]);
			rc = 2;
		} else if (users_set_role(db, argv[0], role_parse(argv[1]),
		    err, sizeof err) == -1) {
			fprintf(stderr, "wardd: %s\n", err);
			rc = 1;
		} else
			printf("user %s is now %s\n", argv[0], argv[1]);
	} else {
		rc = 0;
		if (users_del(db, argv[0], err, sizeof err) == -1) {
			fprintf(stderr, "wardd: %s\n", err);
			rc = 1;
		} else
			printf("user %s removed\n", argv[0]);
	}
	sqlite3_close(db);
	return rc;
}
