/* parse_cli — wardd parse (parse_cli.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "args.h"
#include "buf.h"
#include "jsonfast.h"
#include "normalize.h"
#include "parse_cli.h"
#include "timeparse.h"
#include "transit.h"
#include "utf8.h"

/* Events handed to the steps at once, as a pipeline job would. */
#define BATCH	512

struct batch {
	json_t		*ev[BATCH];
	unsigned char	 flags[BATCH];
	size_t		 n;
};

/* Run the steps over b, print what is kept, empty b.  0 or -1. */
static int
flush(struct transit_worker *w, struct batch *b, int64_t now)
{
	struct transit_ctx ctx = { now };
	struct buf out;
	size_t	 i;
	int	 rc = -1;

	buf_init(&out);
	memset(b->flags, 0, sizeof b->flags);
	if (transit_run(w, b->ev, b->n, b->flags, &ctx) == -1)
		goto fail;
	for (i = 0; i < b->n; i++) {
		if (b->flags[i] & TRANSIT_DROP)
			continue;
		buf_reset(&out);
		if (jsonfast_dump(&out, b->ev[i]) == -1)
			goto fail;
		utf8_put_json(stdout, out.data, out.len);	/* no C1 */
	}
	rc = 0;
fail:
	for (i = 0; i < b->n; i++)
		json_decref(b->ev[i]);
	b->n = 0;
	buf_release(&out);
	return rc;
}

int
parse_cli(int argc, char **argv, const char *share)
{
	static const struct option longopts[] = {
		{ "parsers", required_argument, NULL, 'P' },
		{ "plugins", required_argument, NULL, 'L' },
		{ "geoip", required_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 }
	};
	const char *parsers[16], *plugins[16], *file;
	char	 shareparsers[4096], shareplugins[4096], err[1024];
	char	 hub[256], *line = NULL;
	struct transit_opts to = { 0 };
	struct normalize_opts no;
	struct transit *t = NULL;
	struct transit_worker *w = NULL;
	struct batch *b = NULL;
	json_error_t je;
	json_t	*ev;
	FILE	*f = NULL;
	size_t	 cap = 0, lineno = 0;
	ssize_t	 len;
	int	 c, rc = 2, skipped = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (to.nparsers < sizeof parsers / sizeof *parsers)
				parsers[to.nparsers++] = optarg;
			break;
		case 'L':
			if (to.nplugins < sizeof plugins / sizeof *plugins)
				plugins[to.nplugins++] = optarg;
			break;
		case 'G':
			to.geoip = optarg;
			break;
		default:
			return ARGS_USAGE;
		}
	}
	if (optind != argc - 1) {
		return ARGS_USAGE;
	}
	file = argv[optind];
	to.parsers_default = to.nparsers == 0;
	to.plugins_default = to.nplugins == 0;
	if (to.nparsers == 0) {
		snprintf(shareparsers, sizeof shareparsers, "%s/parsers",
		    share);
		parsers[to.nparsers++] = shareparsers;
	}
	if (to.nplugins == 0) {
		snprintf(shareplugins, sizeof shareplugins, "%s/plugins",
		    share);
		plugins[to.nplugins++] = shareplugins;
	}
	to.parsers = parsers;
	to.plugins = plugins;
	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "wardd parse: %s: cannot read\n", file);
		return 2;
	}
	if ((t = transit_new(&to, err, sizeof err)) == NULL ||
	    (w = transit_worker_new(t, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if ((b = calloc(1, sizeof *b)) == NULL)
		goto nomem;
	if (gethostname(hub, sizeof hub) == -1)
		snprintf(hub, sizeof hub, "ward");
	no.hub = hub;
	no.received_us = time_now_us();
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		ev = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(ev)) {
			fprintf(stderr, "%s:%zu: %s\n", file, lineno,
			    ev == NULL ? je.text : "not a JSON object");
			json_decref(ev);
			skipped = 1;
			continue;
		}
		if (normalize_event(ev, &no, NULL) == -1) {
			json_decref(ev);
			goto nomem;
		}
		b->ev[b->n++] = ev;
		if (b->n == BATCH && flush(w, b, no.received_us) == -1)
			goto nomem;
	}
	if (ferror(f)) {
		fprintf(stderr, "wardd parse: %s: read error\n", file);
		goto out;
	}
	if (flush(w, b, no.received_us) == -1)
		goto nomem;
	rc = skipped;
	goto out;
nomem:
	fprintf(stderr, "wardd parse: out of memory\n");
out:
	while (b != NULL && b->n > 0)
		json_decref(b->ev[--b->n]);
	fflush(stdout);
	free(b);
	free(line);
	transit_worker_free(w);
	transit_unref(t);
	if (f != NULL && f != stdin)
		fclose(f);
	return rc;
}
