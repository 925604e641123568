/* ward — the console.  See ward(1).  With a subcommand it runs one action
 * (cli.c); without one it opens the console view. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tui.h"
#include "client.h"
#include "version.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ward [--hub URL] [--user NAME] [--key FILE] [--tls-ca FILE]\n"
"       ward [options] SUBCOMMAND ...\n");
	cli_usage(f);
	fprintf(f,
"       ward --version | --help\n"
"Every subcommand takes --json.  See ward(1).\n"
"\n"
"options:\n"
"  --hub URL       ws://HOST:PORT or wss://HOST:PORT (env WARD_HUB;\n"
"                  default ws://127.0.0.1:9200)\n"
"  --user NAME     who you are on the hub (env WARD_USER; default $USER)\n"
"  --key FILE      your secret key (env WARD_KEY; default\n"
"                  ~/.config/ward/id_ed25519)\n"
"  --tls-ca FILE   wss: trust this CA (PEM) for the hub's certificate\n");
}

/* The interactive console (console/tui.c). */
static int
console_view(const struct cli_opts *o)
{
	struct tui_opts t = { o->hub, o->user, o->key, o->tls_ca, NULL };

	return tui_main(&t);
}

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hub", required_argument, NULL, 'H' },
		{ "user", required_argument, NULL, 'u' },
		{ "key", required_argument, NULL, 'k' },
		{ "tls-ca", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts o;
	static char keypath[4096];
	int	 c;

	memset(&o, 0, sizeof o);
	o.hub = env_or("WARD_HUB", "ws://127.0.0.1:9200");
	o.user = env_or("WARD_USER", env_or("USER", env_or("LOGNAME", NULL)));
	o.key = env_or("WARD_KEY", NULL);
	/* Global options come before the subcommand ("+": stop there). */
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': o.hub = optarg; break;
		case 'u': o.user = optarg; break;
		case 'k': o.key = optarg; break;
		case 'C': o.tls_ca = optarg; break;
		case 'V':
			printf("ward %s\n", WARD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (optind < argc && strcmp(argv[optind], "keygen") == 0)
		return cli_run(&o, argc - optind, argv + optind);
	if (o.key == NULL) {
		if (client_config_path("id_ed25519", keypath,
		    sizeof keypath) == -1) {
			fprintf(stderr, "ward: HOME is not set; use --key\n");
			return 2;
		}
		o.key = keypath;
	}
	if (optind == argc)
		return console_view(&o);
	if (!cli_is_command(argv[optind])) {
		fprintf(stderr, "ward: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return cli_run(&o, argc - optind, argv + optind);
}
