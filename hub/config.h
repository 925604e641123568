/* config — the hub's options as one table: each row is a long option of
 * wardd, its key in ward.conf (the same name), its argument and its help.
 * getopt_long's table, the ward.conf reader and wardd --help are all made
 * from it, so a flag cannot lack a key or a line of help (ward.conf(5)).
 * Flags on the command line win over the file. */
#ifndef WARD_CONFIG_H
#define WARD_CONFIG_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* config_opt.flags */
#define CONFIG_REPEAT	0x1	/* may be given more than once */
#define CONFIG_CMDLINE	0x2	/* command line only: no ward.conf key */

struct config_opt {
	const char	*name;	/* long option (--name) and ward.conf key */
	int		 id;	/* what getopt_long returns for it */
	const char	*arg;	/* its argument in --help (DIR), or NULL
				   for a switch */
	unsigned	 flags;	/* CONFIG_* */
	const char	*help;	/* one line or more ("\n" between) */
};

/*
 * Fill longopts (room for n entries, the last one all zero) from table,
 * which ends with a row whose name is NULL.  Returns 0, or -1 if n is
 * too small.  longopts points into table's strings.
 */
int	config_longopts(const struct config_opt *table, struct option *longopts,
	    size_t n);

/* Print the options part of --help: one entry per row of table, in
 * table order, each "--name ARG" then its help. */
void	config_usage(const struct config_opt *table, FILE *f);

/*
 * Read the config file (--config FILE in argv, else DATA/ward.conf with
 * DATA from --data, else ward-data/ward.conf; only a file named by
 * --config must exist) and build the argument vector wardd parses:
 * argv[0], the file's options that argv does not give (a key given on
 * the command line drops all of the file's values for it, so repeatable
 * options are replaced, not added to), then argv's.  Keys are the names
 * of table's rows without CONFIG_CMDLINE.  Returns 0 with *outc and *outv
 * (free with config_free; the strings stay valid until then), or -1 with
 * err naming file and line.
 */
int	config_merge(const struct config_opt *table, int argc, char **argv,
	    int *outc, char ***outv, char *err, size_t errlen);
/* Free what config_merge made; accepts NULL. */
void	config_free(char **v);

#endif
