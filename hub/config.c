/*
 * ward.conf is read before getopt, as arguments placed ahead of the
 * command line's: one parser and one table (main.c's hub_opts[]: name,
 * argument, help) serve both, and --help is printed from the same table,
 * so every flag has a key and a line of help by construction and a key
 * behaves exactly as its flag.  t75 checks that ward.conf(5) lists
 * exactly the keys --help shows.
 *
 *	# comment
 *	listen = 0.0.0.0:9200
 *	rules = /etc/ward/rules
 *	rules = /var/lib/ward/rules	(repeatable options: one line each)
 *	retain-delete			(a flag: the key alone, or = yes)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errf.h"

#define LINE_MAX_	4096

static const struct config_opt *
find(const struct config_opt *t, const char *key)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, key) == 0)
			return t;
	return NULL;
}

int
config_longopts(const struct config_opt *t, struct option *lo, size_t n)
{
	size_t	 i;

	for (i = 0; t[i].name != NULL; i++) {
		if (i + 1 >= n)
			return -1;
		lo[i].name = t[i].name;
		lo[i].has_arg = t[i].arg != NULL ? required_argument :
		    no_argument;
		lo[i].flag = NULL;
		lo[i].val = t[i].id;
	}
	memset(&lo[i], 0, sizeof lo[i]);
	return 0;
}

#define HELP_COL	23	/* where help starts: "  --max-inflated BYTES " */

void
config_usage(const struct config_opt *t, FILE *f)
{
	const char *h, *nl;
	int	 w;

	for (; t->name != NULL; t++) {
		w = fprintf(f, "  --%s%s%s", t->name, t->arg != NULL ? " " :
		    "", t->arg != NULL ? t->arg : "");
		if (w >= HELP_COL) {
			fputc('\n', f);
			w = 0;
		}
		for (h = t->help; ; h = nl + 1) {
			fprintf(f, "%*s", HELP_COL - w, "");
			w = 0;
			if ((nl = strchr(h, '\n')) == NULL) {
				fprintf(f, "%s\n", h);
				break;
			}
			fprintf(f, "%.*s\n", (int)(nl - h), h);
		}
	}
}

/* Does argv give option name (--name, --name=...)? */
static int
given(int argc, char **argv, const char *name)
{
	size_t	 n = strlen(name);
	int	 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--", 2) == 0 &&
		    strncmp(argv[i] + 2, name, n) == 0 &&
		    (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
			return 1;
	}
	return 0;
}

/* The value of --name in argv, or NULL. */
static const char *
value_of(int argc, char **argv, const char *name)
{
	size_t	 n = strlen(name);
	int	 i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 ||
		    strncmp(argv[i] + 2, name, n) != 0)
			continue;
		if (argv[i][2 + n] == '=')
			return argv[i] + 3 + n;
		if (argv[i][2 + n] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
push(char ***v, size_t *n, size_t *cap, const char *s)
{
	char	**nv, *d;

	if (*n + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 32;
		if ((nv = realloc(*v, *cap * sizeof *nv)) == NULL)
			return -1;
		*v = nv;
	}
	if ((d = strdup(s)) == NULL)
		return -1;
	(*v)[(*n)++] = d;
	(*v)[*n] = NULL;
	return 0;
}

int
config_merge(const struct config_opt *table, int argc, char **argv,
    int *outc, char ***outv, char *err, size_t errlen)
{
	const struct config_opt *o;
	const char *path, *data;
	char	 def[4200], line[LINE_MAX_], opt[300], *k, *val, *eq;
	char	**v = NULL;
	size_t	 n = 0, cap = 0;
	int	 i, lineno = 0, must;
	FILE	*f;

	*outv = NULL;
	if (push(&v, &n, &cap, argv[0]) == -1)
		goto oom;
	must = (path = value_of(argc, argv, "config")) != NULL;
	if (!must) {
		data = value_of(argc, argv, "data");
		snprintf(def, sizeof def, "%.4000s/ward.conf", data != NULL ?
		    data : "ward-data");
		path = def;
	}
	if ((f = fopen(path, "r")) == NULL) {
		if (must || errno != ENOENT) {
			errf(err, errlen, "%.300s: %s", path,
			    strerror(errno));
			goto fail;
		}
	} else {
		while (fgets(line, sizeof line, f) != NULL) {
			lineno++;
			if ((k = strchr(line, '#')) != NULL)
				*k = '\0';
			k = trim(line);
			if (*k == '\0')
				continue;
			val = NULL;
			if ((eq = strchr(k, '=')) != NULL) {
				*eq = '\0';
				val = trim(eq + 1);
				k = trim(k);
			}
			if ((o = find(table, k)) == NULL ||
			    (o->flags & CONFIG_CMDLINE)) {
				errf(err, errlen, "%.300s:%d: unknown key "
				    "'%.100s' (the keys are wardd's long "
				    "options: ward.conf(5))", path, lineno, k);
				goto fail_f;
			}
			if (o->arg != NULL &&
			    (val == NULL || *val == '\0')) {
				errf(err, errlen, "%.300s:%d: %s needs a "
				    "value (%s = ...)", path, lineno, k, k);
				goto fail_f;
			}
			if (o->arg == NULL && val != NULL &&
			    strcmp(val, "yes") != 0 && strcmp(val, "true") !=
			    0) {
				if (strcmp(val, "no") == 0 ||
				    strcmp(val, "false") == 0)
					continue;
				errf(err, errlen, "%.300s:%d: %s is a "
				    "switch: the key alone, or yes or no",
				    path, lineno, k);
				goto fail_f;
			}
			if (given(argc, argv, k))
				continue;		/* the flag wins */
			snprintf(opt, sizeof opt, "--%s", k);
			if (push(&v, &n, &cap, opt) == -1 ||
			    (o->arg != NULL &&
			    push(&v, &n, &cap, val) == -1)) {
				fclose(f);
				goto oom;
			}
		}
		if (ferror(f)) {
			errf(err, errlen, "%.300s: %s", path,
			    strerror(errno));
			goto fail_f;
		}
		fclose(f);
	}
	for (i = 1; i < argc; i++)
		if (push(&v, &n, &cap, argv[i]) == -1)
			goto oom;
	*outc = (int)n;
	*outv = v;
	return 0;
fail_f:
	fclose(f);
	goto fail;
oom:
	errf(err, errlen, "out of memory");
fail:
	config_free(v);
	return -1;
}

void
config_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
