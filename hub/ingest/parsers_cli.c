/* parsers_cli — wardd parsers check.  See parsers_cli.h. */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "args.h"
#include "decoder.h"
#include "normalize.h"
#include "parsers_cli.h"
#include "query.h"
#include "timeparse.h"

struct check {
	const struct decoders	*ds;
	struct decoder_scratch	*s;
	size_t			 nsamples;
	size_t			 nproblems;
};

static void
print_error(void *arg, const struct decoder_error *e)
{
	(void)arg;
	if (e->line > 0)
		fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->msg);
	else
		fprintf(stderr, "%s: %s\n", e->file, e->msg);
}

/* Did a decoder of file match in the last apply? */
static int
file_matched(const struct check *c, const char *file)
{
	const size_t *m;
	size_t	 n, i;

	m = decoder_scratch_matched(c->s, &n);
	for (i = 0; i < n; i++)
		if (strcmp(decoders_file(c->ds, m[i]), file) == 0)
			return 1;
	return 0;
}

static int
has_tag(const json_t *tags, const char *t)
{
	const json_t *v;
	size_t	 i;

	json_array_foreach(tags, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), t) == 0)
			return 1;
	return 0;
}

/* Compare the fields expect names with ev's.  Reports each difference;
   returns their number. */
static size_t
compare(const char *where, const json_t *expect, const json_t *ev)
{
	const char *path;
	const json_t *want, *got, *t;
	char	*ws, *gs;
	size_t	 bad = 0, i;

	json_object_foreach((json_t *)expect, path, want) {
		got = query_lookup(ev, path);
		if (strcmp(path, "tags") == 0 && json_is_array(want)) {
			json_array_foreach(want, i, t)
				if (!json_is_string(t) ||
				    !has_tag(json_object_get(ev, "tags"),
				    json_string_value(t))) {
					fprintf(stderr, "%s: tags: no tag %s\n",
					    where, json_is_string(t) ?
					    json_string_value(t) : "?");
					bad++;
				}
			continue;
		}
		if (json_is_null(want) ? got == NULL : json_equal(want, got))
			continue;
		ws = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
		gs = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) :
		    NULL;
		fprintf(stderr, "%s: %s is %s, expected %s\n", where, path,
		    gs ? gs : "absent", ws ? ws : "?");
		free(ws);
		free(gs);
		bad++;
	}
	return bad;
}

/* Run one sample file; must says whether its lines must match. */
static int
run_samples(struct check *c, const char *file, const char *path, int must)
{
	struct normalize_opts no = { time_now_us(), NULL };
	json_error_t jerr;
	json_t	*line_ev, *ev, *expect;
	char	*line = NULL, where[PATH_MAX + 32];
	size_t	 cap = 0, lineno = 0;
	ssize_t	 n;
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (line[strspn(line, " \t")] == '\0' ||
		    line[strspn(line, " \t")] == '#')
			continue;
		snprintf(where, sizeof where, "%s:%zu", path, lineno);
		c->nsamples++;
		if ((line_ev = json_loads(line, 0, &jerr)) == NULL ||
		    !json_is_object(ev = json_object_get(line_ev, "event"))) {
			fprintf(stderr, "%s: expected {\"event\": {...}%s}%s%s\n",
			    where, must ? ", \"expect\": {...}" : "",
			    line_ev ? "" : ": ", line_ev ? "" : jerr.text);
			json_decref(line_ev);
			c->nproblems++;
			continue;
		}
		expect = json_object_get(line_ev, "expect");
		if (normalize_event(ev, &no, NULL) == -1 ||
		    (rc = decoders_apply(c->ds, ev, c->s)) == -1) {
			fprintf(stderr, "wardd parsers check: out of memory\n");
			json_decref(line_ev);
			free(line);
			fclose(f);
			return -1;
		}
		if (must && !file_matched(c, file)) {
			fprintf(stderr, "%s: no decoder of %s matched: %s\n",
			    where, file, json_string_value(json_object_get(ev,
			    "summary")) ? json_string_value(json_object_get(ev,
			    "summary")) : "(no summary)");
			c->nproblems++;
		} else if (must && json_is_object(expect))
			c->nproblems += compare(where, expect, ev);
		else if (!must && file_matched(c, file)) {
			fprintf(stderr, "%s: a decoder of %s matched a line that "
			    "must not match\n", where, file);
			c->nproblems++;
		}
		json_decref(line_ev);
	}
	free(line);
	fclose(f);
	return 0;
}

/* The sample files of decoder file F: DIR/samples/BASE.{,no}match.ndjson
   where F is DIR/BASE.yml. */
static void
sample_path(const char *file, const char *kind, char *out, size_t outlen)
{
	char	 d[PATH_MAX], b[PATH_MAX], *dot;

	snprintf(d, sizeof d, "%s", file);
	snprintf(b, sizeof b, "%s", file);
	if ((dot = strrchr(basename(b), '.')) != NULL)
		*dot = '\0';
	snprintf(out, outlen, "%s/samples/%s.%s.ndjson", dirname(d),
	    basename(b), kind);
}

int
parsers_cli_check(int argc, char **argv)
{
	struct check c;
	struct decoders *ds;
	const char *const *files;
	char	 mp[PATH_MAX], np[PATH_MAX];
	struct stat st;
	size_t	 nerr = 0, nfiles, i;
	int	 verbose = 0, first = 1, rc = 2;

	memset(&c, 0, sizeof c);
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	if (argc <= first)
		return ARGS_USAGE;
	ds = decoders_load_all((const char *const *)argv + first,
	    (size_t)(argc - first), print_error, NULL, &nerr);
	if (ds == NULL || (c.s = decoder_scratch_new()) == NULL) {
		fprintf(stderr, "wardd parsers check: out of memory\n");
		goto out;
	}
	c.ds = ds;
	if (verbose)
		for (i = 0; i < decoders_count(ds); i++)
			printf("%s: %s\n", decoders_file(ds, i),
			    decoders_name(ds, i));
	files = decoders_files(ds, &nfiles);
	for (i = 0; i < nfiles; i++) {
		sample_path(files[i], "match", mp, sizeof mp);
		sample_path(files[i], "nomatch", np, sizeof np);
		if (stat(mp, &st) == -1 && stat(np, &st) == -1)
			fprintf(stderr, "%s: no samples (%s)\n", files[i], mp);
		if (run_samples(&c, files[i], mp, 1) == -1 ||
		    run_samples(&c, files[i], np, 0) == -1) {
			fprintf(stderr, "%s: cannot read samples: %s\n",
			    files[i], strerror(errno));
			c.nproblems++;
		}
	}
	printf("%zu decoder%s in %zu file%s, %zu sample%s, %zu problem%s\n",
	    decoders_count(ds), decoders_count(ds) == 1 ? "" : "s", nfiles,
	    nfiles == 1 ? "" : "s", c.nsamples, c.nsamples == 1 ? "" : "s",
	    nerr + c.nproblems, nerr + c.nproblems == 1 ? "" : "s");
	rc = nerr + c.nproblems > 0 ? 1 : 0;
out:
	decoder_scratch_free(c.s);
	decoders_free(ds);
	fflush(stdout);
	return rc;
}
