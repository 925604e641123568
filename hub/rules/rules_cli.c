/* rules_cli — the offline rule commands, for rule authors. */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "args.h"
#include "correlate.h"
#include "normalize.h"
#include "rules_cli.h"
#include "sigma.h"
#include "timeparse.h"
#include "utf8.h"

static void
print_error(void *arg, const struct rule_error *e)
{
	(void)arg;
	if (e->line > 0)
		fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->msg);
	else
		fprintf(stderr, "%s: %s\n", e->file, e->msg);
}

static const char *
kind_name(enum rule_kind k)
{
	return k == RULE_DETECTION ? "detection" : k == RULE_CORRELATION ?
	    "correlation" : "deadman";
}

/* The reasons rules were refused, grouped: each message with its quoted
   parts elided, and how many rules gave it. */
struct reasons {
	char		**msg;
	size_t		 *count;
	size_t		  n;
};

static void
check_error(void *arg, const struct rule_error *e)
{
	struct reasons *rz = arg;
	char key[256], **nm;
	size_t i, k = 0, *nc;
	const char *p;
	int quoted = 0;

	print_error(NULL, e);
	for (p = e->msg; *p != '\0' && k + 4 < sizeof(key); p++) {
		if (*p == '\'') {
			if (!quoted)
				k += (size_t)snprintf(key + k, sizeof(key) - k,
				    "'...'");
			quoted = !quoted;
		} else if (!quoted)
			key[k++] = *p;
	}
	key[k] = '\0';
	for (i = 0; i < rz->n; i++)
		if (strcmp(rz->msg[i], key) == 0) {
			rz->count[i]++;
			return;
		}
	if ((nm = reallocarray(rz->msg, rz->n + 1, sizeof(*nm))) == NULL)
		return;
	rz->msg = nm;
	if ((nc = reallocarray(rz->count, rz->n + 1, sizeof(*nc))) == NULL)
		return;
	rz->count = nc;
	if ((rz->msg[rz->n] = strdup(key)) == NULL)
		return;
	rz->count[rz->n++] = 1;
}

/* n with thousands separated: 3,754. */
static const char *
thousands(size_t n, char *out, size_t len)
{
	char tmp[32];
	size_t i, k = 0, d;

	d = (size_t)snprintf(tmp, sizeof(tmp), "%zu", n);
	for (i = 0; i < d && k + 2 < len; i++) {
		if (i > 0 && (d - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = tmp[i];
	}
	out[k] = '\0';
	return out;
}

/*
 * The paths to load: the field mappings (--mappings DIR, repeatable,
 * else the installed share/mappings when it is there) then the rules.
 * Returns how many, in out (room for argc + 1 + 16).
 */
static size_t
with_mappings(int argc, char **argv, int *first, const char **out)
{
	static char dflt[4200];
	struct stat st;
	size_t n = 0, nm = 0;
	int i;

	for (i = *first; i + 1 < argc && strcmp(argv[i], "--mappings") == 0;
	    i += 2)
		if (nm < 16)
			out[n++] = argv[i + 1], nm++;
	*first = i;
	if (nm == 0) {
		snprintf(dflt, sizeof(dflt), "%s/mappings", WARD_SHARE_DIR);
		if (stat(dflt, &st) == 0 && S_ISDIR(st.st_mode))
			out[n++] = dflt;
	}
	for (; i < argc; i++)
		out[n++] = argv[i];
	return n;
}

int
rules_cli_check(int argc, char **argv)
{
	struct ruleset *rs;
	const struct rule *r;
	struct reasons rz;
	size_t nerr = 0, i, j, np, *order;
	int verbose = 0, first = 1;
	char a[32], b[32];

	memset(&rz, 0, sizeof(rz));
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	{
		const char *paths[argc + 17];

		np = with_mappings(argc, argv, &first, paths);
		if (argc <= first)
			return ARGS_USAGE;
		rs = ruleset_load(paths, np, check_error, &rz, &nerr);
	}
	if (rs == NULL) {
		fprintf(stderr, "wardd rules check: out of memory\n");
		return 2;
	}
	if (verbose)
		for (i = 0; i < ruleset_count(rs); i++) {
			r = ruleset_rule(rs, i);
			printf("%s:%u: %s: %s (%s)\n", r->file, r->line, r->id,
			    r->title, kind_name(r->kind));
		}
	/* the summary: most frequent reason first */
	printf("%s of %s rules load", thousands(ruleset_count(rs), a,
	    sizeof(a)), thousands(ruleset_count(rs) + nerr, b, sizeof(b)));
	if (nerr == 0)
		printf("\n");
	else
		printf("; %s refused:\n", thousands(nerr, a, sizeof(a)));
	if ((order = calloc(rz.n + 1, sizeof(*order))) != NULL) {
		for (i = 0; i < rz.n; i++)
			order[i] = i;
		for (i = 1; i < rz.n; i++)
			for (j = i; j > 0 && rz.count[order[j]] >
			    rz.count[order[j - 1]]; j--) {
				size_t t = order[j];

				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		for (i = 0; i < rz.n; i++)
			printf("  %6zu  %s\n", rz.count[order[i]],
			    rz.msg[order[i]]);
		free(order);
	}
	for (i = 0; i < rz.n; i++)
		free(rz.msg[i]);
	free(rz.msg);
	free(rz.count);
	ruleset_free(rs);
	return nerr > 0 ? 1 : 0;
}

int
rules_cli_replay(json_t *ev, int64_t now_us, int64_t *received_us)
{
	struct normalize_opts no;
	struct event_fields f;
	char iso[TIME_ISO_LEN];
	const char *s;
	int64_t rcv = 0;
	int have = 0;

	if (!json_is_object(ev))
		return -1;
	if ((s = json_string_value(json_object_get(ev, "receivedtimestamp")))
	    != NULL && time_parse(s, now_us, &rcv) == 0)
		have = 1;
	memset(&no, 0, sizeof(no));
	no.received_us = now_us;
	if (normalize_event(ev, &no, &f) == -1)
		return -1;
	if (have)
		json_object_del(json_object_get(ev, "details"),
		    "receivedtimestamp");
	else
		rcv = f.utc_us;
	time_format(rcv, iso);
	if (json_object_set_new(ev, "receivedtimestamp", json_string(iso)) ==
	    -1)
		return -1;
	*received_us = rcv;
	return 0;
}

struct test_ctx {
	const char	*rule;		/* the file named, as given */
	char		 want[PATH_MAX];/* ... as the loader names it */
	size_t		 nerr;
	const char	*events;
	json_t		**evs;		/* by line, 1-based */
	size_t		 nevs;
	char		*printed;
	size_t		 nmatch;
	size_t		 line;
};

/* Is file the rule file under test (or is every rule under test)? */
static int
wanted(const struct test_ctx *t, const char *file)
{
	return t->rule == NULL || strcmp(file, t->rule) == 0 ||
	    strcmp(file, t->want) == 0;
}

static void
test_error(void *arg, const struct rule_error *e)
{
	struct test_ctx *t = arg;

	if (!wanted(t, e->file))
		return;
	t->nerr++;
	print_error(NULL, e);
}

static void
print_event(struct test_ctx *t, size_t line)
{
	char *s;

	if (line == 0 || line > t->nevs || t->evs[line] == NULL ||
	    t->printed[line])
		return;
	t->printed[line] = 1;
	if ((s = json_dumps(t->evs[line], JSON_COMPACT)) == NULL)
		return;
	utf8_put_json(stdout, s, strlen(s));	/* events are others' text */
	free(s);
}

static void
on_match(void *arg, const struct rule_match *m)
{
	struct test_ctx *t = arg;
	size_t i;

	if (!wanted(t, m->rule->file))
		return;
	t->nmatch++;
	fprintf(stderr, "%s:%zu: %s: %s%s%s%s\n", t->events, t->line,
	    m->rule->title, m->summary, *m->group ? " [" : "", m->group,
	    *m->group ? "]" : "");
	for (i = 0; i < m->nids; i++)
		print_event(t, (size_t)m->ids[i]);
}

int
rules_cli_test(int argc, char **argv)
{
	struct test_ctx t;
	struct ruleset *rs = NULL;
	struct correlator *c = NULL;
	struct sigma_scratch *s = NULL;
	json_error_t jerr;
	json_t *ev, **nevs;
	FILE *f = NULL;
	char *line = NULL, *np;
	size_t cap = 0, nerr = 0, i;
	struct stat st;
	char dir[PATH_MAX];
	ssize_t n;
	int64_t now, rcv;
	int rc = 2;

	const char *maps[argc + 17];
	size_t nmaps;
	int first = 1;

	memset(&t, 0, sizeof(t));
	nmaps = with_mappings(argc, argv, &first, maps) - (size_t)(argc -
	    first);
	argv += first - 1;
	argc -= first - 1;
	if (argc != 3)
		return ARGS_USAGE;
	t.events = argv[2];
	if (stat(argv[1], &st) == -1) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (S_ISDIR(st.st_mode)) {
		maps[nmaps] = argv[1];
		rs = ruleset_load(maps, nmaps + 1, test_error, &t, &nerr);
	} else {
		/* load its directory too, for the rules it refers to, but
		   report on this file only */
		const char *paths[2 + 16];
		size_t np = 0, len = strlen(argv[1]);

		for (np = 0; np < nmaps && np < 16; np++)
			paths[np] = maps[np];

		snprintf(dir, sizeof(dir), "%s", argv[1]);
		snprintf(t.want, sizeof(t.want), "%s/%s", dirname(dir),
		    basename(argv[1]));
		snprintf(dir, sizeof(dir), "%s", argv[1]);
		paths[np++] = dirname(dir);
		if (!(len > 4 && strcmp(argv[1] + len - 4, ".yml") == 0) &&
		    !(len > 5 && strcmp(argv[1] + len - 5, ".yaml") == 0))
			paths[np++] = argv[1];
		t.rule = argv[1];
		rs = ruleset_load(paths, np, test_error, &t, &nerr);
	}
	if (rs == NULL) {
		fprintf(stderr, "wardd rules test: out of memory\n");
		goto done;
	}
	if (t.nerr > 0)
		goto done;
	for (i = 0; i < ruleset_count(rs); i++)
		if (wanted(&t, ruleset_rule(rs, i)->file))
			break;
	if (i == ruleset_count(rs)) {
		fprintf(stderr, "%s: no rule in it\n", argv[1]);
		goto done;
	}
	if ((c = correlator_new(rs)) == NULL ||
	    (s = sigma_scratch_new(rs)) == NULL) {
		fprintf(stderr, "wardd rules test: out of memory\n");
		goto done;
	}
	if ((f = fopen(argv[2], "r")) == NULL) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
		goto done;
	}
	now = time_now_us();
	while ((n = getline(&line, &cap, f)) != -1) {
		t.line++;
		if ((nevs = reallocarray(t.evs, t.line + 1, sizeof(*nevs))) ==
		    NULL || (np = realloc(t.printed, t.line + 1)) == NULL) {
			if (nevs != NULL)
				t.evs = nevs;
			fprintf(stderr, "wardd rules test: out of memory\n");
			goto done;
		}
		t.evs = nevs;
		t.printed = np;
		t.evs[t.line] = NULL;
		t.printed[t.line] = 0;
		t.nevs = t.line;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strspn(line, " \t") == (size_t)n)
			continue;
		if ((ev = json_loads(line, JSON_REJECT_DUPLICATES, &jerr)) ==
		    NULL) {
			fprintf(stderr, "%s:%zu: not JSON: %s (skipped)\n",
			    argv[2], t.line, jerr.text);
			continue;
		}
		if (rules_cli_replay(ev, now, &rcv) == -1) {
			fprintf(stderr, "%s:%zu: not a JSON object (skipped)\n",
			    argv[2], t.line);
			json_decref(ev);
			continue;
		}
		t.evs[t.line] = ev;
		if (correlator_feed(c, ev, (int64_t)t.line, rcv, on_match, &t) ==
		    -1) {
			fprintf(stderr, "wardd rules test: out of memory\n");
			goto done;
		}
		/* a deadman's detection: the events that keep it quiet */
		for (i = 0; i < ruleset_count(rs); i++) {
			const struct rule *r = ruleset_rule(rs, i);

			if (r->kind != RULE_DEADMAN || !wanted(&t, r->file) ||
			    !sigma_rule_matches(rs, s, r, ev))
				continue;
			t.nmatch++;
			fprintf(stderr, "%s:%zu: %s: keeps the deadman quiet\n",
			    argv[2], t.line, r->title);
			print_event(&t, t.line);
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
		goto done;
	}
	rc = t.nmatch > 0 ? 0 : 1;
done:
	if (f != NULL)
		fclose(f);
	free(line);
	for (i = 1; i <= t.nevs; i++)
		json_decref(t.evs[i]);
	free(t.evs);
	free(t.printed);
	sigma_scratch_free(s);
	correlator_free(c);
	ruleset_free(rs);
	fflush(stdout);
	return rc;
}
