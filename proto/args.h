/* args — what ward's and wardd's subcommands share in reading their
 * command lines. */
#ifndef WARD_ARGS_H
#define WARD_ARGS_H

/* What a subcommand returns for a usage error, having said what was
   wrong (if anything more than its synopsis says): its caller, which
   holds the synopsis, prints it on standard error and exits 2.  Apart
   from every exit status. */
#define ARGS_USAGE	(-2)

/* Is --help or -h among the argc words of argv (before a "--")?  A
   subcommand that sees one prints its synopsis and exits 0. */
int	args_want_help(int argc, char **argv);

#endif
