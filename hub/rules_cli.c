/* rules_cli — the offline rule commands, for rule authors. */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "correlate.h"
#include "normalize.h"
#include "rules_cli.h"
#include "sigma.h"
#include "timeparse.h"

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

int
rules_cli_check(int argc, char **argv)
{
	struct ruleset *rs;
	const struct rule *r;
	size_t nerr = 0, i;
	int verbose = 0, first = 1;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: wardd rules check [-v] FILE|DIR...\n");
		return 2;
	}
	rs = ruleset_load((const char *const *)argv + first,
	    (size_t)(argc - first), print_error, NULL, &nerr);
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
	printf("%s\n", s);
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

	memset(&t, 0, sizeof(t));
	if (argc != 3) {
		fprintf(stderr, "usage: wardd rules test RULE EVENTS.ndjson\n");
		return 2;
	}
	t.events = argv[2];
	if (stat(argv[1], &st) == -1) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (S_ISDIR(st.st_mode))
		rs = ruleset_load((const char *const *)argv + 1, 1, test_error,
		    &t, &nerr);
	else {
		/* load its directory too, for the rules it refers to, but
		   report on this file only */
		const char *paths[2];
		size_t np = 0, len = strlen(argv[1]);

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
