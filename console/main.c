/* ward — the console.  For now it only knows its version. */
#include <stdio.h>
#include <string.h>

#include "version.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: ward [--version] [--help]\n");
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") != 0) {
		usage(stderr);
		return 2;
	}
	printf("ward %s\n", WARD_VERSION);
	return 0;
}
