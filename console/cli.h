/* cli — the scriptable subcommands of ward: one action over the same
 * client library as the console, then exit.  See ward(1).
 *
 * Every subcommand that sends an op or a query is that op's entry in the
 * catalogue (catalogue.h): its words and usage are the entry's .cli, and
 * its function sits in cli.c's table at the entry's id (the incident,
 * task, observable, whoami, audit and search ones in cli.c, alert and
 * rules in cli_alert.c, user in cli_user.c).  They share one request
 * stack: cli_op, cli_query.  tail, keygen and `task done` are the few
 * that are no op of their own. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct client;

/* The global options, resolved (environment and defaults applied). */
struct cli_opts {
	const char	*hub;		/* ws[s]://HOST:PORT */
	const char	*user;
	const char	*key;		/* secret key file */
	const char	*tls_ca;	/* NULL: the system's CAs */
};

/* One invocation of a subcommand. */
struct cli {
	const struct cli_opts *o;
	struct client	*c;
	const char	*usage;		/* its synopsis, for usage errors */
	const char	*help;		/* its help line, or NULL */
	int		 json;		/* --json: print JSON, unescaped */
	char		 why[2048];	/* why the client failed */
	int		 tail_count, tail_max;	/* tail */
};

/* A subcommand: argv[0] is its last word ("note" of `incident note`).
   Returns the exit status. */
typedef int	(*cli_fn)(struct cli *, int argc, char **argv);

/*
 * Send the op (cli_query: the query) name with the fields of args (taken;
 * may be NULL) and wait for the hub's reply.  Returns 0 with *result (the
 * reply's "result", or NULL; the caller owns it; every string in it
 * escaped for a terminal unless x->json) and *seq (may be NULL), or the
 * exit status, 1, after saying why on stderr (a refusal: its code and
 * reason).  Connects on first use.
 */
int	cli_op(struct cli *x, const char *name, json_t *args, json_t **result,
	    int64_t *seq);
int	cli_query(struct cli *x, const char *name, json_t *args,
	    json_t **result);
/* Print "usage: ward SYNOPSIS" (x->usage) on stderr; returns 2. */
int	cli_usage_error(const struct cli *x);
/* An incident id, "INC-7" or "7", into "INC-7" in out.  0, or -1 after
   saying why on stderr. */
int	cli_incident_arg(const char *s, char *out, size_t outlen);

/* 1 when name is a subcommand of ward (argv[0] of cli_run). */
int	cli_is_command(const char *name);
/* Run the subcommand in argv[0] with its arguments.  Returns the exit
   status: 0 done, 1 refused or failed (the reason on stderr), 2 usage. */
int	cli_run(const struct cli_opts *o, int argc, char **argv);
/* Print the subcommands' synopsis to f, from the catalogue. */
void	cli_usage(FILE *f);

/*
 * Text from the hub is other people's input (shippers write events, users
 * write incidents): what the subcommands print of it goes through
 * layout_escape, as the console's views do, so no escape sequence in it
 * reaches the terminal.
 */
/* Print v as one line of compact JSON to standard output (through
   utf8_put_json). */
void		 cli_print_json(const json_t *v);
/* Escape every string of v in place (layout_escape, one line) before it
   is printed for people. */
void		 cli_clean(json_t *v);
/* s (NULL: "-") escaped into out (outlen bytes); returns out. */
char		*cli_esc(const char *s, char *out, size_t outlen);
/* The string member k of o, or "-" when absent (borrowed from o). */
const char	*cli_str(const json_t *o, const char *k);

#endif
