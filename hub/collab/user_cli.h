/* user_cli — "wardd user add|list|del": the people allowed on the hub. */
#ifndef WARD_USER_CLI_H
#define WARD_USER_CLI_H

/* Run "wardd user ..." with argv[0] == "user".  Returns the exit status,
   or ARGS_USAGE (args.h) on a usage error. */
int	user_cli(int argc, char **argv);

#endif
