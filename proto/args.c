/* args — see args.h. */
#include <string.h>

#include "args.h"

int
args_want_help(int argc, char **argv)
{
	int	 i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}
