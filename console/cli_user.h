/* cli_user — `ward user add|list|del|role`: an admin manages the people
 * of the hub over the protocol (ops user.add, user.del, user.role; query
 * user.list).  Subcommands of cli.c's table (see cli.h).  See ward(1). */
#ifndef WARD_CLI_USER_H
#define WARD_CLI_USER_H

#include "cli_call.h"

/* user add NAME ROLE PUBKEYFILE | list | del NAME | role NAME ROLE, each
   with [--json]; argv[0] is the subcommand's word. */
int	cli_user_add(struct cli *x, int argc, char **argv);
int	cli_user_list(struct cli *x, int argc, char **argv);
int	cli_user_del(struct cli *x, int argc, char **argv);
int	cli_user_role(struct cli *x, int argc, char **argv);

#endif
