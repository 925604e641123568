/* archive_cli — "wardd archive", "wardd archive list", "wardd restore". */
#ifndef WARD_ARCHIVE_CLI_H
#define WARD_ARCHIVE_CLI_H

/* Each returns the exit status, or ARGS_USAGE (args.h) on a usage error. */
/* Run "archive ..." (argv[0] is "archive"). */
int	archive_cli(int argc, char **argv);
/* Run "backup ..." (argv[0] is "backup"). */
int	backup_cli(int argc, char **argv);
/* Run "restore ..." (argv[0] is "restore"). */
int	restore_cli(int argc, char **argv);

#endif
