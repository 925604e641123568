/* archive_cli — "wardd archive", "wardd archive list", "wardd restore". */
#ifndef WARD_ARCHIVE_CLI_H
#define WARD_ARCHIVE_CLI_H

/* Run "archive ..." (argv[0] is "archive"); returns the exit status. */
int	archive_cli(int argc, char **argv);
/* Run "backup ..." (argv[0] is "backup"); returns the exit status. */
int	backup_cli(int argc, char **argv);
/* Run "restore ..." (argv[0] is "restore"); returns the exit status. */
int	restore_cli(int argc, char **argv);

#endif
