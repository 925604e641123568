/* cli — the scriptable subcommands of ward: one action over the same
 * client library as the console, then exit.  See ward(1).
 *
 * Every subcommand that sends an op or a query is that op's entry in the
 * catalogue (catalogue.h): its words and usage are the entry's .cli, and
 * its function sits in cli.c's table at the entry's id (the incident,
 * task, observable, whoami, audit and search ones in cli.c, alert and
 * rules in cli_alert.c, user in cli_user.c).  They share one request
 * stack (cli_call.h): cli_op, cli_query.  tail, keygen and `task done` are the few
 * that are no op of their own. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cli_call.h"

/* 1 when name is a subcommand of ward (argv[0] of cli_run). */
int	cli_is_command(const char *name);
/* Run the subcommand in argv[0] with its arguments.  Returns the exit
   status: 0 done, 1 refused or failed (the reason on stderr), 2 usage. */
int	cli_run(const struct cli_opts *o, int argc, char **argv);
/* Print the subcommands' synopsis to f, from the catalogue. */
void	cli_usage(FILE *f);

#endif
