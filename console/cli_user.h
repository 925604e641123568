/* cli_user — `ward user add|list|del|role`: an admin manages the people
 * of the hub over the protocol (ops user.add, user.del, user.role; query
 * user.list).  One request over the client library, then exit.  See
 * ward(1). */
#ifndef WARD_CLI_USER_H
#define WARD_CLI_USER_H

#include <stdio.h>

#include "cli.h"

/*
 * Run `ward user SUB ...` (argv[0] is "user"): add NAME ROLE PUBKEYFILE |
 * list [--json] | del NAME | role NAME ROLE.  Returns the exit status: 0
 * done, 1 refused or failed (the reason on stderr), 2 usage.
 */
int	cli_user(const struct cli_opts *o, int argc, char **argv);
/* Its synopsis lines, to f. */
void	cli_user_usage(FILE *f);

#endif
