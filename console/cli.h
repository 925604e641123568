/* cli — the scriptable subcommands of ward (incident, task, observable,
 * whoami, audit, tail, keygen): one action over the same client library
 * as the console, then exit.  See ward(1). */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stdio.h>

#include <jansson.h>

/* The global options, resolved (environment and defaults applied). */
struct cli_opts {
	const char	*hub;		/* ws[s]://HOST:PORT */
	const char	*user;
	const char	*key;		/* secret key file */
	const char	*tls_ca;	/* NULL: the system's CAs */
};

/* 1 when name is a subcommand of ward (argv[0] of cli_run). */
int	cli_is_command(const char *name);
/* Run the subcommand in argv[0] with its arguments.  Returns the exit
   status: 0 done, 1 refused or failed (the reason on stderr), 2 usage. */
int	cli_run(const struct cli_opts *o, int argc, char **argv);
/* Print the subcommands' synopsis to f. */
void	cli_usage(FILE *f);

/* Print v as one line of compact JSON to standard output. */
void		 cli_print_json(const json_t *v);
/* The string member k of o, or "-" when absent (borrowed from o). */
const char	*cli_str(const json_t *o, const char *k);

#endif
