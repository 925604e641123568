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

/*
 * Text from the hub is other people's input (shippers write events, users
 * write incidents): what the subcommands print of it goes through
 * layout_escape, as the console's views do, so no escape sequence in it
 * reaches the terminal.
 */
/* Print v as one line of compact JSON to standard output (through
   cli_put_json). */
void		 cli_print_json(const json_t *v);
/* Write the JSON text s (len bytes) and a newline to f, with DEL and the C1
   controls (U+0080-U+009F) written as \u escapes and a byte that is not
   UTF-8 as \ufffd: the same JSON, with nothing a terminal would obey. */
void		 cli_put_json(FILE *f, const char *s, size_t len);
/* Escape every string of v in place (layout_escape, one line) before it
   is printed for people. */
void		 cli_clean(json_t *v);
/* s (NULL: "-") escaped into out (outlen bytes); returns out. */
char		*cli_esc(const char *s, char *out, size_t outlen);
/* The string member k of o, or "-" when absent (borrowed from o). */
const char	*cli_str(const json_t *o, const char *k);

#endif
