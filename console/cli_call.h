/* cli_call — what ward's subcommands share: the connection, one request
 * and its reply, pushes, and printing the hub's text safely.  The
 * subcommands themselves are in cli.c (and cli_alert.c, cli_user.c), which
 * include this header; cli.c dispatches to them. */
#ifndef WARD_CLI_CALL_H
#define WARD_CLI_CALL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct wire_msg;
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
	/* Where the hub's pushes go (tail), or NULL: dropped. */
	void		(*push)(struct cli *, const struct wire_msg *);
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

/* Set by a subcommand (or its signal handler) to stop waiting: the
   request in progress returns 1, tail ends. */
extern volatile sig_atomic_t cli_interrupted;

/* Connect to the hub if not yet connected (reconnect: keep trying after a
   loss, as tail does).  0, or -1 after saying why on stderr. */
int	cli_connect(struct cli *x, int reconnect);
/* Print the hub's refusal (its code, reason and current state) on
   stderr; returns 1. */
int	cli_refused(const json_t *reply);

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
