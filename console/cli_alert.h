/* cli_alert — `ward alert ...` and `ward rules ...`: list, show and move
 * alerts through their lifecycle, promote them to incidents, reload the
 * hub's rules.  Subcommands of cli.c's table (see cli.h): their usage is
 * the catalogue's.  See ward(1). */
#ifndef WARD_CLI_ALERT_H
#define WARD_CLI_ALERT_H

#include "cli_call.h"

/* alert list [--status S] [--rule R] [--limit N] [--json] */
int	cli_alert_list(struct cli *x, int argc, char **argv);
/* alert show ID [--json] */
int	cli_alert_show(struct cli *x, int argc, char **argv);
/* alert ack|acknowledge|escalate|close ID [--text T] [--json]: argv[0]
   names the move. */
int	cli_alert_move(struct cli *x, int argc, char **argv);
/* alert promote ID [--to INC-n] [--title T] [--severity S] [--json] */
int	cli_alert_promote(struct cli *x, int argc, char **argv);
/* rules reload [--wait] (admin); rules status [--json].  Exit 1 when a
   rule is broken. */
int	cli_rules_reload(struct cli *x, int argc, char **argv);
int	cli_rules_status(struct cli *x, int argc, char **argv);

#endif
