/* Placeholder until the users module is wired. */
#include <stdio.h>

#include "user_cli.h"

int
user_cli(int argc, char **argv)
{
	fprintf(stderr, "wardd: user: not available yet\n");
	return 2;
}
