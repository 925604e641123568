/* args — what ward's and wardd's subcommands share in reading their
 * command lines. */
#ifndef WARD_ARGS_H
#define WARD_ARGS_H

/* Is --help or -h among the argc words of argv (before a "--")?  A
   subcommand that sees one prints its synopsis and exits 0. */
int	args_want_help(int argc, char **argv);

#endif
