/*
 * fuzz_config — libFuzzer target for the ward.conf reader (config.c).
 * The input is a config file, read through --config; a flag on the
 * command line is there too, so "flags win" is exercised.  On success
 * the vector must be argv[0], then options ("--key" with a value after
 * it when the key takes one) from the file and the command line, and
 * nothing the table does not know; on failure the error names the file.
 *
 *   make build/fuzz/fuzz_config && build/fuzz/fuzz_config -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

static const struct config_opt table[] = {
	{ "data", 'd', "DIR", 0, "data directory" },
	{ "listen", 'l', "ADDR:PORT", 0, "where to listen" },
	{ "syslog", 'S', "URL", CONFIG_REPEAT, "a syslog listener" },
	{ "verbose", 'v', NULL, 0, "log debug messages" },
	{ "retain-delete", 'x', NULL, 0, "delete" },
	{ "config", 'C', "FILE", CONFIG_CMDLINE, "read options from FILE" },
	{ "help", 'h', NULL, CONFIG_CMDLINE, "help" },
	{ NULL, 0, NULL, 0, NULL }
};

static const struct config_opt *
lookup(const char *name)
{
	const struct config_opt *t;

	for (t = table; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 path[64], err[512], **v;
	char	*argv[6];
	const struct config_opt *o;
	int	 fd, n, i;

	if ((fd = memfd_create("ward.conf", 0)) == -1)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	argv[0] = (char *)"wardd";
	argv[1] = (char *)"--config";
	argv[2] = path;
	argv[3] = (char *)"--listen";
	argv[4] = (char *)"127.0.0.1:1";
	argv[5] = NULL;
	err[0] = '\0';
	if (config_merge(table, 5, argv, &n, &v, err, sizeof err) == -1) {
		if (strstr(err, path) == NULL && strcmp(err, "out of memory"))
			abort();	/* an error names the file */
		close(fd);
		return 0;
	}
	if (n < 5 || strcmp(v[0], "wardd") != 0 || v[n] != NULL)
		abort();
	for (i = 1; i < n; i++) {
		if (strncmp(v[i], "--", 2) != 0 ||
		    (o = lookup(v[i] + 2)) == NULL)
			abort();	/* an option the table knows */
		if ((o->flags & CONFIG_CMDLINE) && (strcmp(o->name,
		    "config") != 0 || i + 1 >= n || strcmp(v[i + 1],
		    path) != 0))
			abort();	/* never from the file */
		/* the command line's --listen wins: the file's is left
		   out (a value may look like an option: getopt takes it
		   as the value all the same) */
		if (strcmp(o->name, "listen") == 0 && (i + 1 >= n ||
		    strcmp(v[i + 1], "127.0.0.1:1") != 0))
			abort();
		if (o->arg != NULL)
			i++;		/* its value */
		if (i >= n)
			abort();
	}
	config_free(v);
	close(fd);
	return 0;
}
