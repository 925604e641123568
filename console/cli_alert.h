/* cli_alert — `ward alert ...` and `ward rules ...`: list, show and move
 * alerts through their lifecycle, promote them to incidents, reload the
 * hub's rules.  One request over the client library, then exit.  See
 * ward(1). */
#ifndef WARD_CLI_ALERT_H
#define WARD_CLI_ALERT_H

#include <stdio.h>

#include "cli.h"

/*
 * Run `ward alert SUB ...` (argv[0] is "alert"): list [--json]
 * [--status S] [--rule R] [--limit N] | show ID [--json] |
 * ack|escalate|close ID [--text T] | promote ID [--to INC-n]
 * [--title T] [--severity S].  Returns the exit status: 0 done, 1
 * refused or failed (the reason on stderr), 2 usage.
 */
int	cli_alert(const struct cli_opts *o, int argc, char **argv);
/* `ward rules reload [--wait]` (admin) and `ward rules status [--json]`;
   argv[0] is "rules".  As cli_alert. */
int	cli_rules(const struct cli_opts *o, int argc, char **argv);
/* The synopsis lines of both, to f. */
void	cli_alert_usage(FILE *f);

#endif
