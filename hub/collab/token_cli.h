/* token_cli — "wardd token add|list|del": the bearer tokens of shippers
 * and search clients. */
#ifndef WARD_TOKEN_CLI_H
#define WARD_TOKEN_CLI_H

/* Run "wardd token ..." with argv[0] == "token".  Returns the exit
   status: 0 done, 1 refused or failed (the reason on standard error), 2
   a bad role; or ARGS_USAGE (args.h) on a usage error. */
int	token_cli(int argc, char **argv);

#endif
