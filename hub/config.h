/* config — ward.conf: the hub's options in a file, one "key = value" a
 * line, each key the name of a long option of wardd (ward.conf(5)).
 * Flags on the command line win over the file. */
#ifndef WARD_CONFIG_H
#define WARD_CONFIG_H

#include <getopt.h>
#include <stddef.h>

/*
 * Read the config file (--config FILE in argv, else DATA/ward.conf with
 * DATA from --data, else ward-data/ward.conf; only a file named by
 * --config must exist) and build the argument vector wardd parses:
 * argv[0], the file's options that argv does not give (a key given on
 * the command line drops all of the file's values for it, so repeatable
 * options are replaced, not added to), then argv's.  Keys are checked
 * against opts (getopt_long's table); "config", "help" and "version" may
 * not be set in the file.  Returns 0 with *outc and *outv (free with
 * config_free; the strings stay valid until then), or -1 with err naming
 * file and line.
 */
int	config_merge(const struct option *opts, int argc, char **argv,
	    int *outc, char ***outv, char *err, size_t errlen);
/* Free what config_merge made; accepts NULL. */
void	config_free(char **v);

#endif
