/*
 * decoder — declarative message decoders (ward-parsers(5)).
 *
 * A decoder is one YAML document: a selector (event fields and the exact
 * values or globs they must have), the field whose text it reads
 * (summary by default), and patterns: PCRE2 regexes, JIT-compiled, whose
 * named groups set typed fields (details.NAME unless "captures" says
 * otherwise), with constant fields and tags.  Within a decoder the first
 * pattern that matches wins ("match: first", the default) or every one
 * applies ("match: all"); every decoder whose selector matches runs, in
 * load order (files by name, documents in order).
 *
 * Only the decoders whose selector can match are tried: a decoder that
 * selects exact processname values is indexed under each value in a hash
 * table, and an event tries that bucket merged (in load order) with the
 * decoders that select on something else.  The sshd decoder never looks
 * at a kernel line.
 *
 * Hostile messages: every match runs under a match limit (and depth and
 * heap limits when JIT is unavailable), on a JIT stack of at most 1 MB;
 * a message that is not valid UTF-8 is not decoded; a captured value that
 * does not convert to its type is left unset.
 */
#include <sys/stat.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "decoder.h"
#include "errf.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "transit.h"
#include "yamldoc.h"

#define MAX_REGEX	4096		/* bytes of one pattern */
#define MAX_DEPTH	8		/* segments of a field path */
#define MATCH_LIMIT	200000		/* PCRE2 steps of one match */
#define DEPTH_LIMIT	2000		/* backtracking depth (interpreter) */
#define HEAP_LIMIT	4096		/* KiB of backtracking (interpreter) */
#define JIT_STACK_MAX	(1u << 20)

enum dtype { DT_STRING, DT_INT, DT_BOOL, DT_IP };

static const char *const dtype_names[] = { "string", "int", "bool", "ip" };

/* A named group of a pattern and where its text goes. */
struct dcap {
	uint32_t	 group;
	char		*path;
	enum dtype	 type;
};

/* A constant: set path to a value built afresh for every event (no
   value is shared between events, so arenas and threads stay apart). */
struct dconst {
	char		*path;
	enum dtype	 type;
	char		*s;
	long long	 i;
};

struct dset {
	struct dconst	*c;
	size_t		 nc;
	char		**tags;
	size_t		 ntags;
};

struct dpattern {
	pcre2_code	*re;
	unsigned	 line;
	struct dcap	*caps;
	size_t		 ncaps;
	struct dset	 set;
};

/* One field of the selector: the event's value must equal (or, for a
   glob, fnmatch) one of vals. */
struct dsel {
	char		*path;
	char		**vals;
	unsigned char	*glob;		/* GLOB_* */
	size_t		*plen;		/* a glob's literal prefix */
	size_t		 nvals;
};
#define GLOB_EXACT	0
#define GLOB_PREFIX	1		/* "literal*": the prefix decides */
#define GLOB_FULL	2		/* fnmatch(3) after the prefix */

struct decoder {
	char		*name;
	const char	*file;		/* owned by the set's files[] */
	unsigned	 line;
	struct dsel	*sels;
	size_t		 nsels;
	char		*field;
	int		 all;
	struct dpattern	*pats;
	size_t		 npats;
	struct dset	 set;
	int		 indexed;	/* exact processname values */
};

struct bucket {
	char		*key;		/* NULL: empty slot */
	size_t		*ids;
	size_t		 n;
};

struct decoders {
	struct decoder	*d;
	size_t		 n;
	char		**files;
	size_t		 nfiles;
	struct bucket	*tab;		/* processname -> decoders */
	size_t		 tabsize;	/* power of two */
	size_t		*rest;		/* decoders not indexed */
	size_t		 nrest;
	uint32_t	 maxgroups;	/* largest capture count */
};

struct decoder_scratch {
	pcre2_match_data *md;
	uint32_t	 groups;	/* md's capacity */
	pcre2_match_context *mc;
	pcre2_jit_stack	*js;
	size_t		*matched;
	size_t		 nmatched;
	size_t		 capmatched;
	unsigned long	 limited;
	int		 schema;	/* category set in the last apply */
};

/* ---- loading ---------------------------------------------------------- */

struct loader {
	struct decoders	*ds;
	decoder_errcb	 cb;
	void		*arg;
	size_t		 nerr;
	int		 oom;
	struct yamldoc	*d;		/* the document being read */
	const char	*file;
};

static void
lerr(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
lerr(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
{
	struct decoder_error e;
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	L->nerr++;
	if (L->cb == NULL)
		return;
	e.file = file;
	e.line = line;
	e.msg = msg;
	L->cb(L->arg, &e);
}

#define NERR(L, n, ...)	lerr((L), (L)->file, yamldoc_line(n), __VA_ARGS__)

static void
dset_release(struct dset *s)
{
	size_t	 i;

	for (i = 0; i < s->nc; i++) {
		free(s->c[i].path);
		free(s->c[i].s);
	}
	free(s->c);
	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
}

static void
decoder_release(struct decoder *d)
{
	size_t	 i, j;

	free(d->name);
	for (i = 0; i < d->nsels; i++) {
		free(d->sels[i].path);
		for (j = 0; j < d->sels[i].nvals; j++)
			free(d->sels[i].vals[j]);
		free(d->sels[i].vals);
		free(d->sels[i].glob);
		free(d->sels[i].plen);
	}
	free(d->sels);
	free(d->field);
	for (i = 0; i < d->npats; i++) {
		pcre2_code_free(d->pats[i].re);
		for (j = 0; j < d->pats[i].ncaps; j++)
			free(d->pats[i].caps[j].path);
		free(d->pats[i].caps);
		dset_release(&d->pats[i].set);
	}
	free(d->pats);
	dset_release(&d->set);
}

void
decoders_free(struct decoders *ds)
{
	size_t	 i;

	if (ds == NULL)
		return;
	for (i = 0; i < ds->n; i++)
		decoder_release(&ds->d[i]);
	free(ds->d);
	for (i = 0; i < ds->nfiles; i++)
		free(ds->files[i]);
	free(ds->files);
	for (i = 0; i < ds->tabsize; i++) {
		free(ds->tab[i].key);
		free(ds->tab[i].ids);
	}
	free(ds->tab);
	free(ds->rest);
	free(ds);
}

static char *
xstrdup(struct loader *L, const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		L->oom = 1;
	return p;
}

/* A field path a decoder may set: details.X[.Y...] or category. */
static int
settable(const char *path)
{
	const char *p;
	size_t	 seg = 0, len = 0;

	if (strcmp(path, "category") == 0)
		return 1;
	if (strncmp(path, "details.", 8) != 0)
		return 0;
	for (p = path; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (len == 0 || ++seg > MAX_DEPTH)
				return 0;
			len = 0;
			if (*p == '\0')
				return 1;
		} else
			len++;
	}
}

static int
parse_type(const char *s, enum dtype *t)
{
	size_t	 i;

	for (i = 0; i < sizeof dtype_names / sizeof *dtype_names; i++)
		if (s != NULL && strcmp(s, dtype_names[i]) == 0) {
			*t = (enum dtype)i;
			return 0;
		}
	return -1;
}

/* A YAML scalar or a sequence of scalars, as a list of strings.  Returns
   the count, or -1 (reported). */
static ssize_t
string_list(struct loader *L, yaml_node_t *n, const char *what,
    char ***out)
{
	yaml_node_item_t *it;
	yaml_node_t *x;
	const char *s;
	char	**v;
	size_t	 cnt = 0;

	*out = NULL;
	if (n->type == YAML_SCALAR_NODE) {
		if ((v = calloc(1, sizeof *v)) == NULL ||
		    (v[0] = xstrdup(L, yamldoc_scalar(n))) == NULL) {
			free(v);
			L->oom = 1;
			return -1;
		}
		*out = v;
		return 1;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		NERR(L, n, "%s: expected a value or a list of values", what);
		return -1;
	}
	cnt = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (cnt == 0) {
		NERR(L, n, "%s: empty list", what);
		return -1;
	}
	if ((v = calloc(cnt, sizeof *v)) == NULL) {
		L->oom = 1;
		return -1;
	}
	cnt = 0;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		x = yamldoc_node(L->d, *it);
		if ((s = yamldoc_scalar(x)) == NULL) {
			NERR(L, x, "%s: expected a value", what);
			goto fail;
		}
		if ((v[cnt] = xstrdup(L, s)) == NULL)
			goto fail;
		cnt++;
	}
	*out = v;
	return (ssize_t)cnt;
fail:
	while (cnt > 0)
		free(v[--cnt]);
	free(v);
	return -1;
}

/* set: {path: constant, ...} and tags: [..] into s.  0 or -1. */
static int
parse_set(struct loader *L, yaml_node_t *setn, yaml_node_t *tagn,
    struct dset *s)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *ks, *vs;
	struct dconst *c;
	ssize_t	 nt;
	char	*end;

	if (setn != NULL) {
		if (setn->type != YAML_MAPPING_NODE) {
			NERR(L, setn, "set: expected a mapping of fields to "
			    "values");
			return -1;
		}
		s->nc = (size_t)(setn->data.mapping.pairs.top -
		    setn->data.mapping.pairs.start);
		if ((s->c = calloc(s->nc + 1, sizeof *s->c)) == NULL) {
			L->oom = 1;
			s->nc = 0;
			return -1;
		}
		c = s->c;
		for (p = setn->data.mapping.pairs.start;
		    p < setn->data.mapping.pairs.top; p++, c++) {
			k = yamldoc_node(L->d, p->key);
			v = yamldoc_node(L->d, p->value);
			ks = yamldoc_scalar(k);
			if (ks == NULL || !settable(ks)) {
				NERR(L, k, "set: '%s': a decoder sets "
				    "details.NAME or category", ks ? ks : "?");
				return -1;
			}
			if ((vs = yamldoc_scalar(v)) == NULL ||
			    yamldoc_isnull(v)) {
				NERR(L, v, "set: %s: expected a value", ks);
				return -1;
			}
			if ((c->path = xstrdup(L, ks)) == NULL)
				return -1;
			c->type = DT_STRING;
			if (yamldoc_plain(v)) {
				int	 b;

				errno = 0;
				c->i = strtoll(vs, &end, 10);
				if (yamldoc_bool(v, &b) == 0) {
					c->type = DT_BOOL;
					c->i = b;
				} else if (*vs != '\0' && *end == '\0' &&
				    errno == 0)
					c->type = DT_INT;
			}
			if (c->type == DT_STRING &&
			    (c->s = xstrdup(L, vs)) == NULL)
				return -1;
			if (strcmp(ks, "category") == 0 && c->type != DT_STRING) {
				NERR(L, v, "set: category: expected text");
				return -1;
			}
		}
	}
	if (tagn != NULL) {
		if ((nt = string_list(L, tagn, "tags", &s->tags)) == -1)
			return -1;
		s->ntags = (size_t)nt;
	}
	return 0;
}

/* Check a mapping's keys against the allowed ones. */
static int
known_keys(struct loader *L, yaml_node_t *n, const char *const *keys,
    const char *what)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	const char *s;
	size_t	 i;

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yamldoc_node(L->d, p->key);
		if ((s = yamldoc_scalar(k)) == NULL) {
			NERR(L, k, "%s: keys are names", what);
			return -1;
		}
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(s, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			NERR(L, k, "%s: unknown key '%s'", what, s);
			return -1;
		}
	}
	return 0;
}

/* Is name a group of re? */
static int
has_group(const pcre2_code *re, const char *name)
{
	return pcre2_substring_number_from_name(re, (PCRE2_SPTR)name) >= 0 ||
	    pcre2_substring_number_from_name(re, (PCRE2_SPTR)name) ==
	    PCRE2_ERROR_NOUNIQUESUBSTRING;
}

/* captures: {group: TYPE | {field: PATH, type: TYPE}}: check it and find
   group's entry.  Returns 1 and fills *path and *type when found, 0 when
   group is not in it, -1 on a broken entry (reported). */
static int
capture_spec(struct loader *L, yaml_node_t *caps, const char *group,
    const char **path, enum dtype *type)
{
	static const char *const keys[] = { "field", "type", NULL };
	yaml_node_pair_t *p;
	yaml_node_t *k, *v, *f, *t;
	const char *ks;

	if (caps == NULL)
		return 0;
	for (p = caps->data.mapping.pairs.start;
	    p < caps->data.mapping.pairs.top; p++) {
		k = yamldoc_node(L->d, p->key);
		v = yamldoc_node(L->d, p->value);
		if ((ks = yamldoc_scalar(k)) == NULL || strcmp(ks, group) != 0)
			continue;
		*path = NULL;
		*type = DT_STRING;
		if (v->type == YAML_SCALAR_NODE) {
			if (parse_type(yamldoc_scalar(v), type) == -1) {
				NERR(L, v, "captures: %s: unknown type '%s' "
				    "(string, int, bool or ip)", ks,
				    yamldoc_scalar(v));
				return -1;
			}
			return 1;
		}
		if (v->type != YAML_MAPPING_NODE ||
		    known_keys(L, v, keys, "captures") == -1) {
			if (v->type != YAML_MAPPING_NODE)
				NERR(L, v, "captures: %s: expected a type or "
				    "{field, type}", ks);
			return -1;
		}
		f = yamldoc_get(L->d, v, "field");
		t = yamldoc_get(L->d, v, "type");
		if (f != NULL) {
			*path = yamldoc_scalar(f);
			if (*path == NULL || !settable(*path)) {
				NERR(L, f, "captures: %s: field: a decoder "
				    "sets details.NAME or category", ks);
				return -1;
			}
		}
		if (t != NULL && parse_type(yamldoc_scalar(t), type) == -1) {
			NERR(L, t, "captures: %s: unknown type '%s' (string, "
			    "int, bool or ip)", ks, yamldoc_scalar(t) ?
			    yamldoc_scalar(t) : "?");
			return -1;
		}
		if (*path != NULL && strcmp(*path, "category") == 0 &&
		    *type != DT_STRING) {
			NERR(L, v, "captures: %s: category is text", ks);
			return -1;
		}
		return 1;
	}
	return 0;
}

static int
check_captures(struct loader *L, yaml_node_t *caps, const char *where)
{
	if (caps != NULL && caps->type != YAML_MAPPING_NODE) {
		NERR(L, caps, "%scaptures: expected a mapping of group names",
		    where);
		return -1;
	}
	return 0;
}

static int
compile_pattern(struct loader *L, struct decoder *dec, yaml_node_t *pn,
    yaml_node_t *dcaps, struct dpattern *pat)
{
	static const char *const keys[] = { "regex", "set", "tags",
	    "captures", "description", NULL };
	yaml_node_t *rn, *caps;
	const char *re, *name, *path;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	PCRE2_SPTR table, e;
	uint32_t count, size, i, ngroups;
	enum dtype type;
	char	 dflt[256];
	int	 rc, err;

	pat->line = yamldoc_line(pn);
	if (pn->type != YAML_MAPPING_NODE) {
		NERR(L, pn, "patterns: each is a mapping with a regex");
		return -1;
	}
	if (known_keys(L, pn, keys, "pattern") == -1)
		return -1;
	rn = yamldoc_get(L->d, pn, "regex");
	if ((re = yamldoc_scalar(rn)) == NULL || *re == '\0') {
		NERR(L, rn ? rn : pn, "pattern: regex: expected a regular "
		    "expression");
		return -1;
	}
	if (strlen(re) > MAX_REGEX) {
		NERR(L, rn, "regex: longer than %d bytes", MAX_REGEX);
		return -1;
	}
	pat->re = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF, &err, &off, NULL);
	if (pat->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		NERR(L, rn, "regex: %s at offset %zu", (char *)msg,
		    (size_t)off);
		return -1;
	}
	/* JIT when the platform has it; the interpreter otherwise (with
	   the depth and heap limits of the match context). */
	(void)pcre2_jit_compile(pat->re, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(pat->re, PCRE2_INFO_CAPTURECOUNT, &ngroups);
	if (ngroups + 1 > L->ds->maxgroups)
		L->ds->maxgroups = ngroups + 1;
	pcre2_pattern_info(pat->re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(pat->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(pat->re, PCRE2_INFO_NAMETABLE, &table);
	if (count == 0) {
		NERR(L, rn, "regex: no named group (?<name>...) to set a "
		    "field from");
		return -1;
	}
	caps = yamldoc_get(L->d, pn, "captures");
	if (check_captures(L, caps, "pattern: ") == -1)
		return -1;
	/* every name the pattern's captures mention is a group of it */
	if (caps != NULL) {
		yaml_node_pair_t *p;
		yaml_node_t *k;

		for (p = caps->data.mapping.pairs.start;
		    p < caps->data.mapping.pairs.top; p++) {
			k = yamldoc_node(L->d, p->key);
			if ((name = yamldoc_scalar(k)) == NULL ||
			    !has_group(pat->re, name)) {
				NERR(L, k, "captures: '%s' is not a group of "
				    "this regex", name ? name : "?");
				return -1;
			}
		}
	}
	if ((pat->caps = calloc(count, sizeof *pat->caps)) == NULL) {
		L->oom = 1;
		return -1;
	}
	for (i = 0; i < count; i++) {
		e = table + (size_t)i * size;
		name = (const char *)e + 2;
		path = NULL;
		type = DT_STRING;
		if ((rc = capture_spec(L, caps, name, &path, &type)) == -1)
			return -1;
		if (rc == 0 && (rc = capture_spec(L, dcaps, name, &path,
		    &type)) == -1)
			return -1;
		if (path == NULL) {
			snprintf(dflt, sizeof dflt, "details.%s", name);
			path = dflt;
		}
		pat->caps[i].group = ((uint32_t)e[0] << 8) | e[1];
		pat->caps[i].type = type;
		if ((pat->caps[i].path = xstrdup(L, path)) == NULL)
			return -1;
		pat->ncaps++;
	}
	(void)dec;
	return parse_set(L, yamldoc_get(L->d, pn, "set"),
	    yamldoc_get(L->d, pn, "tags"), &pat->set);
}

static int
compile_select(struct loader *L, struct decoder *dec, yaml_node_t *sn)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	struct dsel *s;
	const char *ks;
	ssize_t	 n;
	size_t	 i, exact = 0;

	if (sn == NULL || sn->type != YAML_MAPPING_NODE ||
	    sn->data.mapping.pairs.top == sn->data.mapping.pairs.start) {
		NERR(L, sn, "select: expected a mapping of fields to the "
		    "values they must have (e.g. processname: sshd)");
		return -1;
	}
	dec->nsels = (size_t)(sn->data.mapping.pairs.top -
	    sn->data.mapping.pairs.start);
	if ((dec->sels = calloc(dec->nsels, sizeof *dec->sels)) == NULL) {
		dec->nsels = 0;
		L->oom = 1;
		return -1;
	}
	s = dec->sels;
	for (p = sn->data.mapping.pairs.start; p < sn->data.mapping.pairs.top;
	    p++, s++) {
		k = yamldoc_node(L->d, p->key);
		if ((ks = yamldoc_scalar(k)) == NULL || *ks == '\0') {
			NERR(L, k, "select: keys are field names");
			return -1;
		}
		if ((s->path = xstrdup(L, ks)) == NULL)
			return -1;
		if ((n = string_list(L, yamldoc_node(L->d, p->value), "select",
		    &s->vals)) == -1)
			return -1;
		s->nvals = (size_t)n;
		if ((s->glob = calloc(s->nvals, 1)) == NULL ||
		    (s->plen = calloc(s->nvals, sizeof *s->plen)) == NULL) {
			L->oom = 1;
			return -1;
		}
		exact = 0;
		for (i = 0; i < s->nvals; i++) {
			const char *v = s->vals[i];

			s->plen[i] = strcspn(v, "*?[\\");
			s->glob[i] = v[s->plen[i]] == '\0' ? GLOB_EXACT :
			    strcmp(v + s->plen[i], "*") == 0 ? GLOB_PREFIX :
			    GLOB_FULL;
			exact += s->glob[i] == GLOB_EXACT;
		}
		if (strcmp(ks, "processname") == 0 && exact == s->nvals)
			dec->indexed = 1;
	}
	return 0;
}

static void
compile_doc(struct loader *L, struct yamldoc *d)
{
	static const char *const keys[] = { "decoder", "description",
	    "select", "field", "match", "set", "tags", "captures",
	    "patterns", NULL };
	struct decoders *ds = L->ds;
	struct decoder dec, *nd;
	yaml_node_t *root, *n, *caps;
	yaml_node_item_t *it;
	const char *s;
	size_t	 i;

	memset(&dec, 0, sizeof dec);
	L->d = d;
	root = yamldoc_root(d);
	dec.file = L->file;
	dec.line = yamldoc_line(root);
	if (root->type != YAML_MAPPING_NODE) {
		NERR(L, root, "a decoder is a mapping (decoder, select, "
		    "patterns, ...)");
		return;
	}
	if (known_keys(L, root, keys, "decoder") == -1)
		goto fail;
	n = yamldoc_get(d, root, "decoder");
	if ((s = yamldoc_scalar(n)) == NULL || *s == '\0') {
		NERR(L, n ? n : root, "decoder: expected its name");
		goto fail;
	}
	for (i = 0; i < ds->n; i++)
		if (strcmp(ds->d[i].name, s) == 0) {
			NERR(L, n, "decoder '%s' is already defined at %s:%u",
			    s, ds->d[i].file, ds->d[i].line);
			goto fail;
		}
	if ((dec.name = xstrdup(L, s)) == NULL)
		goto fail;
	if (compile_select(L, &dec, yamldoc_get(d, root, "select")) == -1)
		goto fail;
	n = yamldoc_get(d, root, "field");
	if ((s = n != NULL ? yamldoc_scalar(n) : "summary") == NULL ||
	    *s == '\0') {
		NERR(L, n, "field: expected the name of the field to read");
		goto fail;
	}
	if ((dec.field = xstrdup(L, s)) == NULL)
		goto fail;
	if ((n = yamldoc_get(d, root, "match")) != NULL) {
		s = yamldoc_scalar(n);
		if (s != NULL && strcmp(s, "all") == 0)
			dec.all = 1;
		else if (s == NULL || strcmp(s, "first") != 0) {
			NERR(L, n, "match: expected first or all");
			goto fail;
		}
	}
	if (parse_set(L, yamldoc_get(d, root, "set"),
	    yamldoc_get(d, root, "tags"), &dec.set) == -1)
		goto fail;
	caps = yamldoc_get(d, root, "captures");
	if (check_captures(L, caps, "") == -1)
		goto fail;
	n = yamldoc_get(d, root, "patterns");
	if (n == NULL || n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.top == n->data.sequence.items.start) {
		NERR(L, n ? n : root, "patterns: expected a list of "
		    "{regex: ...}");
		goto fail;
	}
	dec.npats = 0;
	if ((dec.pats = calloc((size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start), sizeof *dec.pats)) == NULL) {
		L->oom = 1;
		goto fail;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		dec.npats++;
		if (compile_pattern(L, &dec, yamldoc_node(d, *it), caps,
		    &dec.pats[dec.npats - 1]) == -1)
			goto fail;
	}
	/* every name the decoder's captures mention is a group of one of
	   its patterns */
	if (caps != NULL) {
		yaml_node_pair_t *p;
		yaml_node_t *k;

		for (p = caps->data.mapping.pairs.start;
		    p < caps->data.mapping.pairs.top; p++) {
			k = yamldoc_node(d, p->key);
			s = yamldoc_scalar(k);
			for (i = 0; s != NULL && i < dec.npats; i++)
				if (has_group(dec.pats[i].re, s))
					break;
			if (s == NULL || i == dec.npats) {
				NERR(L, k, "captures: '%s' is not a group of "
				    "any pattern", s ? s : "?");
				goto fail;
			}
		}
	}
	if ((nd = reallocarray(ds->d, ds->n + 1, sizeof *nd)) == NULL) {
		L->oom = 1;
		goto fail;
	}
	ds->d = nd;
	ds->d[ds->n++] = dec;
	return;
fail:
	decoder_release(&dec);
}

/* Note a file read (for decoders_files) and compile its documents; f
   NULL: it did not parse (err, line). */
static void
load_docs(struct loader *L, const char *name, struct yamldoc_file *f,
    const char *err, unsigned line)
{
	char	**nf;
	size_t	 i;

	if ((nf = reallocarray(L->ds->files, L->ds->nfiles + 1,
	    sizeof *nf)) == NULL) {
		L->oom = 1;
		return;
	}
	L->ds->files = nf;
	if ((nf[L->ds->nfiles] = xstrdup(L, name)) == NULL)
		return;
	L->file = nf[L->ds->nfiles++];
	if (f == NULL) {
		lerr(L, name, line, "%s", err);
		return;
	}
	for (i = 0; i < f->ndocs && !L->oom; i++)
		compile_doc(L, &f->docs[i]);
}

static void
load_file(struct loader *L, const char *path)
{
	struct yamldoc_file *f;
	char	 err[512];
	unsigned line;

	f = yamldoc_load(path, err, sizeof err, &line);
	load_docs(L, path, f, err, line);
	yamldoc_file_free(f);
}

static void
load_path(struct loader *L, const char *path)
{
	struct dirent **names = NULL;
	struct stat st;
	char	 full[PATH_MAX];
	int	 i, n;

	if (stat(path, &st) == -1) {
		lerr(L, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		load_file(L, path);
		return;
	}
	if ((n = scandir(path, &names, yamldoc_filename, alphasort)) == -1) {
		lerr(L, path, 0, "cannot list: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
		if (!L->oom && stat(full, &st) == 0 && S_ISREG(st.st_mode))
			load_file(L, full);
		free(names[i]);
	}
	free(names);
}

/* FNV-1a */
static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct bucket *
bucket_find(const struct decoders *ds, const char *key)
{
	size_t	 i;

	if (ds->tabsize == 0)
		return NULL;
	for (i = hash(key) & (ds->tabsize - 1); ds->tab[i].key != NULL;
	    i = (i + 1) & (ds->tabsize - 1))
		if (strcmp(ds->tab[i].key, key) == 0)
			return &ds->tab[i];
	return NULL;
}

static int
bucket_add(struct decoders *ds, const char *key, size_t id)
{
	struct bucket *b;
	size_t	 i, *ni;

	for (i = hash(key) & (ds->tabsize - 1); ds->tab[i].key != NULL;
	    i = (i + 1) & (ds->tabsize - 1))
		if (strcmp(ds->tab[i].key, key) == 0)
			break;
	b = &ds->tab[i];
	if (b->key == NULL && (b->key = strdup(key)) == NULL)
		return -1;
	if (b->n > 0 && b->ids[b->n - 1] == id)
		return 0;		/* the same value twice */
	if ((ni = reallocarray(b->ids, b->n + 1, sizeof *ni)) == NULL)
		return -1;
	b->ids = ni;
	b->ids[b->n++] = id;
	return 0;
}

static int
build_index(struct decoders *ds)
{
	size_t	 i, j, nkeys = 0;
	struct dsel *s;

	for (i = 0; i < ds->n; i++)
		for (j = 0; j < ds->d[i].nsels; j++)
			if (ds->d[i].indexed &&
			    strcmp(ds->d[i].sels[j].path, "processname") == 0)
				nkeys += ds->d[i].sels[j].nvals;
	for (ds->tabsize = 8; ds->tabsize < nkeys * 2; ds->tabsize *= 2)
		;
	if ((ds->tab = calloc(ds->tabsize, sizeof *ds->tab)) == NULL ||
	    (ds->rest = calloc(ds->n + 1, sizeof *ds->rest)) == NULL)
		return -1;
	for (i = 0; i < ds->n; i++) {
		if (!ds->d[i].indexed) {
			ds->rest[ds->nrest++] = i;
			continue;
		}
		for (j = 0; j < ds->d[i].nsels; j++) {
			s = &ds->d[i].sels[j];
			if (strcmp(s->path, "processname") != 0)
				continue;
			for (size_t k = 0; k < s->nvals; k++)
				if (bucket_add(ds, s->vals[k], i) == -1)
					return -1;
		}
	}
	return 0;
}

struct decoders *
decoders_load_all(const char *const *paths, size_t npaths, decoder_errcb cb,
    void *arg, size_t *nerr)
{
	struct loader L;
	size_t	 i;

	memset(&L, 0, sizeof L);
	L.cb = cb;
	L.arg = arg;
	*nerr = 0;
	if ((L.ds = calloc(1, sizeof *L.ds)) == NULL)
		return NULL;
	L.ds->maxgroups = 1;
	for (i = 0; i < npaths && !L.oom; i++)
		load_path(&L, paths[i]);
	if (L.oom || build_index(L.ds) == -1) {
		decoders_free(L.ds);
		return NULL;
	}
	*nerr = L.nerr;
	return L.ds;
}

struct decoders *
decoders_load_string(const char *text, size_t len, const char *name,
    decoder_errcb cb, void *arg, size_t *nerr)
{
	struct yamldoc_file *f;
	struct loader L;
	char	 err[512];
	unsigned line;

	memset(&L, 0, sizeof L);
	L.cb = cb;
	L.arg = arg;
	*nerr = 0;
	if ((L.ds = calloc(1, sizeof *L.ds)) == NULL)
		return NULL;
	L.ds->maxgroups = 1;
	f = yamldoc_parse(text, len, name, err, sizeof err, &line);
	load_docs(&L, name, f, err, line);
	yamldoc_file_free(f);
	if (L.oom || build_index(L.ds) == -1) {
		decoders_free(L.ds);
		return NULL;
	}
	*nerr = L.nerr;
	return L.ds;
}

struct first_error {
	char	*err;
	size_t	 errlen;
	int	 seen;
};

static void
keep_first(void *arg, const struct decoder_error *e)
{
	struct first_error *fe = arg;

	if (fe->seen++)
		return;
	if (e->line > 0)
		snprintf(fe->err, fe->errlen, "%s:%u: %s", e->file, e->line,
		    e->msg);
	else
		snprintf(fe->err, fe->errlen, "%s: %s", e->file, e->msg);
}

struct decoders *
decoders_load(const char *const *paths, size_t npaths, char *err,
    size_t errlen)
{
	struct first_error fe = { err, errlen, 0 };
	struct decoders *ds;
	size_t	 nerr;

	if ((ds = decoders_load_all(paths, npaths, keep_first, &fe, &nerr)) ==
	    NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	if (nerr > 0) {
		decoders_free(ds);
		return NULL;
	}
	return ds;
}

size_t
decoders_count(const struct decoders *ds)
{
	return ds->n;
}

const char *
decoders_name(const struct decoders *ds, size_t i)
{
	return ds->d[i].name;
}

const char *
decoders_file(const struct decoders *ds, size_t i)
{
	return ds->d[i].file;
}

const char *const *
decoders_files(const struct decoders *ds, size_t *n)
{
	*n = ds->nfiles;
	return (const char *const *)ds->files;
}

/* ---- matching --------------------------------------------------------- */

struct decoder_scratch *
decoder_scratch_new(void)
{
	struct decoder_scratch *s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	if ((s->mc = pcre2_match_context_create(NULL)) == NULL ||
	    (s->js = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX,
	    NULL)) == NULL)
		goto fail;
	pcre2_set_match_limit(s->mc, MATCH_LIMIT);
	pcre2_set_depth_limit(s->mc, DEPTH_LIMIT);
	pcre2_set_heap_limit(s->mc, HEAP_LIMIT);
	pcre2_jit_stack_assign(s->mc, NULL, s->js);
	return s;
fail:
	decoder_scratch_free(s);
	return NULL;
}

void
decoder_scratch_free(struct decoder_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->js);
	free(s->matched);
	free(s);
}

const size_t *
decoder_scratch_matched(const struct decoder_scratch *s, size_t *n)
{
	*n = s->nmatched;
	return s->matched;
}

int
decoder_scratch_schema(const struct decoder_scratch *s)
{
	return s->schema;
}

unsigned long
decoder_scratch_limited(const struct decoder_scratch *s)
{
	return s->limited;
}

/* Is s (n bytes) valid UTF-8, as PCRE2's UTF mode needs? */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k, len;
	uint32_t c;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, c = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, c = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, c = s[i] & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/* Does the event's value v (a string or an integer) satisfy sel? */
static int
sel_match(const struct dsel *sel, const json_t *v)
{
	char	 num[32];
	const char *s;
	size_t	 i;

	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		s = num;
	} else
		return 0;
	for (i = 0; i < sel->nvals; i++) {
		if (sel->glob[i] == GLOB_EXACT) {
			if (strcmp(sel->vals[i], s) == 0)
				return 1;
			continue;
		}
		/* a glob's literal start, compared first: 'pam_unix(*' needs
		   no fnmatch */
		if (strncmp(sel->vals[i], s, sel->plen[i]) != 0)
			continue;
		if (sel->glob[i] == GLOB_PREFIX ||
		    fnmatch(sel->vals[i], s, 0) == 0)
			return 1;
	}
	return 0;
}

static int
selected(const struct decoder *d, const json_t *ev)
{
	size_t	 i;

	for (i = 0; i < d->nsels; i++)
		if (!sel_match(&d->sels[i], query_lookup(ev,
		    d->sels[i].path)))
			return 0;
	return 1;
}

/* Set path (details.a.b or category) in ev to v, which it steals.  An
   object on the way that is missing is made; one that is not an object
   is left alone (v dropped).  0 or -1 (memory). */
static int
set_path(json_t *ev, const char *path, json_t *v)
{
	const char *dot;
	char	 key[256];
	json_t	*o = ev, *next;
	size_t	 n;

	if (v == NULL)
		return -1;
	while ((dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof key)
			goto drop;
		memcpy(key, path, n);
		key[n] = '\0';
		if ((next = json_object_get(o, key)) == NULL) {
			if ((next = json_object()) == NULL ||
			    json_object_set_new(o, key, next) == -1)
				goto fail;
		} else if (!json_is_object(next))
			goto drop;
		o = next;
		path = dot + 1;
	}
	return json_object_set_new(o, path, v);
drop:
	json_decref(v);
	return 0;
fail:
	json_decref(v);
	return -1;
}

static int
add_tags(json_t *ev, char *const *tags, size_t n)
{
	json_t	*arr, *t;
	size_t	 i, k;

	if (n == 0)
		return 0;
	if ((arr = json_object_get(ev, "tags")) == NULL) {
		if ((arr = json_array()) == NULL ||
		    json_object_set_new(ev, "tags", arr) == -1)
			return -1;
	} else if (!json_is_array(arr))
		return 0;
	for (i = 0; i < n; i++) {
		json_array_foreach(arr, k, t)
			if (json_is_string(t) &&
			    strcmp(json_string_value(t), tags[i]) == 0)
				break;
		if (k < json_array_size(arr))
			continue;
		if (json_array_append_new(arr, json_string(tags[i])) == -1)
			return -1;
	}
	return 0;
}

static int
apply_set(json_t *ev, const struct dset *s, int *schema)
{
	const struct dconst *c;
	json_t	*v;
	size_t	 i;

	for (i = 0; i < s->nc; i++) {
		c = &s->c[i];
		v = c->type == DT_BOOL ? json_boolean(c->i) :
		    c->type == DT_INT ? json_integer(c->i) : json_string(c->s);
		if (strchr(c->path, '.') == NULL)
			*schema = 1;
		if (set_path(ev, c->path, v) == -1)
			return -1;
	}
	return add_tags(ev, s->tags, s->ntags);
}

/* The value of a captured text t (n bytes, n > 0) as type; NULL when it
   does not convert (*oom clear) or memory ran out (*oom set). */
static json_t *
typed(enum dtype type, const char *t, size_t n, int *oom)
{
	char	 buf[64], *end;
	unsigned char a[16];
	long long i;
	json_t	*v = NULL;

	*oom = 0;
	if (type == DT_STRING) {
		if ((v = json_stringn(t, n)) == NULL)
			*oom = 1;
		return v;
	}
	if (n >= sizeof buf)
		return NULL;
	memcpy(buf, t, n);
	buf[n] = '\0';
	switch (type) {
	case DT_INT:
		errno = 0;
		i = strtoll(buf, &end, 10);
		if (*end != '\0' || errno != 0 || end == buf)
			return NULL;
		v = json_integer(i);
		break;
	case DT_BOOL:
		if (strcasecmp(buf, "true") == 0 || strcasecmp(buf, "yes") ==
		    0 || strcasecmp(buf, "on") == 0 || strcmp(buf, "1") == 0)
			v = json_true();
		else if (strcasecmp(buf, "false") == 0 ||
		    strcasecmp(buf, "no") == 0 || strcasecmp(buf, "off") == 0 ||
		    strcmp(buf, "0") == 0)
			v = json_false();
		else
			return NULL;
		break;
	case DT_IP:
		if (inet_pton(AF_INET, buf, a) == 1)
			inet_ntop(AF_INET, a, buf, sizeof buf);
		else if (inet_pton(AF_INET6, buf, a) == 1) {
			/* ::ffff:192.0.2.1 is the IPv4 address */
			static const unsigned char mapped[12] = { 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0xff, 0xff };

			if (memcmp(a, mapped, 12) == 0)
				inet_ntop(AF_INET, a + 12, buf, sizeof buf);
			else
				inet_ntop(AF_INET6, a, buf, sizeof buf);
		} else
			return NULL;
		v = json_string(buf);
		break;
	default:
		return NULL;
	}
	if (v == NULL)
		*oom = 1;
	return v;
}

static int
apply_pattern(json_t *ev, const struct dpattern *p, const char *subj,
    const PCRE2_SIZE *ov, int rc, int *schema)
{
	const struct dcap *c;
	json_t	*v;
	size_t	 i;
	int	 oom;

	for (i = 0; i < p->ncaps; i++) {
		c = &p->caps[i];
		if (c->group >= (uint32_t)rc || ov[2 * c->group] ==
		    PCRE2_UNSET || ov[2 * c->group + 1] <= ov[2 * c->group])
			continue;		/* unset or empty */
		v = typed(c->type, subj + ov[2 * c->group],
		    ov[2 * c->group + 1] - ov[2 * c->group], &oom);
		if (v == NULL) {
			if (oom)
				return -1;
			continue;
		}
		if (strchr(c->path, '.') == NULL)
			*schema = 1;
		if (set_path(ev, c->path, v) == -1)
			return -1;
	}
	return apply_set(ev, &p->set, schema);
}

/* Run one decoder whose selector matched.  1 matched, 0 not, -1. */
static int
run_decoder(const struct decoder *d, json_t *ev, struct decoder_scratch *s)
{
	json_t	*field;
	const char *subj;
	size_t	 len, i;
	int	 rc, hit = 0, ret = 0;

	field = (json_t *)query_lookup(ev, d->field);
	if (!json_is_string(field))
		return 0;
	/* held: a pattern may set the very field it read */
	json_incref(field);
	subj = json_string_value(field);
	len = json_string_length(field);
	/* the text without the white space around it (rsyslog's message
	   keeps the space after the colon) */
	while (len > 0 && (*subj == ' ' || *subj == '\t')) {
		subj++;
		len--;
	}
	while (len > 0 && (subj[len - 1] == ' ' || subj[len - 1] == '\t' ||
	    subj[len - 1] == '\n' || subj[len - 1] == '\r'))
		len--;
	if (!utf8_valid((const unsigned char *)subj, len))
		goto out;
	for (i = 0; i < d->npats; i++) {
		rc = pcre2_match(d->pats[i].re, (PCRE2_SPTR)subj, len, 0,
		    PCRE2_NO_UTF_CHECK, s->md, s->mc);
		if (rc < 0) {
			if (rc == PCRE2_ERROR_MATCHLIMIT ||
			    rc == PCRE2_ERROR_DEPTHLIMIT ||
			    rc == PCRE2_ERROR_HEAPLIMIT ||
			    rc == PCRE2_ERROR_JIT_STACKLIMIT)
				s->limited++;
			continue;
		}
		if (rc == 0)		/* ovector too small: cannot be */
			rc = (int)pcre2_get_ovector_count(s->md);
		hit = 1;
		if (apply_pattern(ev, &d->pats[i], subj,
		    pcre2_get_ovector_pointer(s->md), rc, &s->schema) == -1) {
			ret = -1;
			goto out;
		}
		if (!d->all)
			break;
	}
	if (hit && apply_set(ev, &d->set, &s->schema) == -1)
		ret = -1;
	else
		ret = hit;
out:
	json_decref(field);
	return ret;
}

static int
note_match(struct decoder_scratch *s, size_t id, size_t n)
{
	size_t	*m;

	if (s->capmatched < n) {
		if ((m = reallocarray(s->matched, n, sizeof *m)) == NULL)
			return -1;
		s->matched = m;
		s->capmatched = n;
	}
	s->matched[s->nmatched++] = id;
	return 0;
}

int
decoders_apply(const struct decoders *ds, json_t *ev,
    struct decoder_scratch *s)
{
	const struct bucket *b = NULL;
	const char *pn;
	size_t	 bi = 0, ri = 0, id;
	int	 rc, any = 0;

	s->nmatched = 0;
	s->schema = 0;
	if (ds == NULL || ds->n == 0 || !json_is_object(ev))
		return 0;
	if (s->groups < ds->maxgroups) {
		pcre2_match_data_free(s->md);
		s->groups = 0;
		if ((s->md = pcre2_match_data_create(ds->maxgroups, NULL)) ==
		    NULL)
			return -1;
		s->groups = ds->maxgroups;
	}
	if ((pn = json_string_value(json_object_get(ev, "processname"))) !=
	    NULL)
		b = bucket_find(ds, pn);
	/* the bucket and the unindexed decoders, merged in load order */
	for (;;) {
		if (b != NULL && bi < b->n && (ri >= ds->nrest ||
		    b->ids[bi] < ds->rest[ri]))
			id = b->ids[bi++];
		else if (ri < ds->nrest)
			id = ds->rest[ri++];
		else
			break;
		if (!selected(&ds->d[id], ev))
			continue;
		if ((rc = run_decoder(&ds->d[id], ev, s)) == -1)
			return -1;
		if (rc == 1) {
			any = 1;
			if (note_match(s, id, ds->n) == -1)
				return -1;
		}
	}
	return any;
}

/* ---- the transit step -------------------------------------------------- */

/*
 * The hub's counters (metrics_more "decoders"): events each decoder
 * matched, by name, and matches given up at the match limit.  The table
 * outlives reloads; a name keeps its slot.  Slots are added only on the
 * main thread (step init), which is also the one that renders; workers
 * only add to the counters of slots that exist.
 */
#define DSTAT_MAX	256

struct decoder_stats {
	atomic_size_t	 n;
	char		*name[DSTAT_MAX];
	atomic_uint_fast64_t matched[DSTAT_MAX];
	atomic_uint_fast64_t limited;
};

static void *
stats_new(void)
{
	return calloc(1, sizeof(struct decoder_stats));
}

static void
stats_free(void *arg)
{
	struct decoder_stats *st = arg;
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < atomic_load(&st->n); i++)
		free(st->name[i]);
	free(st);
}

/* The slot of name, added if need be; DSTAT_MAX when full (or memory). */
static size_t
stats_slot(struct decoder_stats *st, const char *name)
{
	size_t	 i, n = atomic_load(&st->n);

	for (i = 0; i < n; i++)
		if (strcmp(st->name[i], name) == 0)
			return i;
	if (n == DSTAT_MAX || (st->name[n] = strdup(name)) == NULL)
		return DSTAT_MAX;
	atomic_store(&st->n, n + 1);
	return n;
}

static int
stats_render(void *arg, struct buf *out)
{
	struct decoder_stats *st = arg;
	const char *p;
	size_t	 i, n = atomic_load(&st->n);
	int	 rc = 0;

	rc |= buf_puts(out, "# HELP ward_decoder_matches_total Events a "
	    "decoder matched (ward-parsers(5)), by decoder.\n"
	    "# TYPE ward_decoder_matches_total counter\n");
	for (i = 0; i < n; i++) {
		rc |= buf_puts(out, "ward_decoder_matches_total{decoder=\"");
		for (p = st->name[i]; *p != '\0'; p++)
			rc |= *p == '"' || *p == '\\' ? buf_printf(out, "\\%c",
			    *p) : *p == '\n' ? buf_puts(out, "\\n") :
			    buf_append(out, p, 1);
		rc |= buf_printf(out, "\"} %llu\n", (unsigned long long)
		    atomic_load(&st->matched[i]));
	}
	rc |= buf_printf(out, "# HELP ward_decoder_match_limit_total Decoder "
	    "matches given up at PCRE2's match limit.\n"
	    "# TYPE ward_decoder_match_limit_total counter\n"
	    "ward_decoder_match_limit_total %llu\n", (unsigned long long)
	    atomic_load(&st->limited));
	return rc != 0 ? -1 : 0;
}

struct dstep {
	struct decoders	*ds;
	struct decoder_stats *st;	/* the hub's, or NULL */
	size_t		*slot;		/* by decoder */
};

static void
step_free(void *state)
{
	struct dstep *d = state;

	if (d == NULL)
		return;
	decoders_free(d->ds);
	free(d->slot);
	free(d);
}

/* The decoders of o->parsers; a folder or file that does not exist is
   skipped (DATA/parsers is there only if the hub's owner made it). */
static int
step_init(const struct transit_opts *o, void **state, char *err,
    size_t errlen)
{
	const char **paths;
	struct dstep *d = NULL;
	struct decoders *ds;
	struct stat st;
	size_t	 i, n = 0;

	*state = NULL;
	if (o->nparsers == 0)
		return 0;
	if ((paths = calloc(o->nparsers, sizeof *paths)) == NULL)
		goto nomem;
	for (i = 0; i < o->nparsers; i++) {
		if (stat(o->parsers[i], &st) == -1 && errno == ENOENT) {
			if (!o->parsers_default) {
				errf(err, errlen, "--parsers %s: %s",
				    o->parsers[i], strerror(errno));
				free(paths);
				return -1;
			}
			log_debug("decoders: %s: not there, skipped",
			    o->parsers[i]);
			continue;
		}
		paths[n++] = o->parsers[i];
	}
	ds = n > 0 ? decoders_load(paths, n, err, errlen) : NULL;
	free(paths);
	if (n > 0 && ds == NULL)
		return -1;
	if (ds == NULL || decoders_count(ds) == 0) {
		decoders_free(ds);
		return 0;
	}
	if ((d = calloc(1, sizeof *d)) == NULL ||
	    (d->slot = calloc(decoders_count(ds), sizeof *d->slot)) == NULL) {
		decoders_free(ds);
		goto nomem;
	}
	d->ds = ds;
	if (o->m != NULL && (d->st = metrics_more(o->m, "decoders", stats_new,
	    stats_render, stats_free)) == NULL)
		goto nomem;
	for (i = 0; d->st != NULL && i < decoders_count(ds); i++)
		d->slot[i] = stats_slot(d->st, decoders_name(ds, i));
	*state = d;
	return 0;
nomem:
	step_free(d);
	return errf(err, errlen, "decoders: out of memory");
}

static void *
step_worker_new(void *state, char *err, size_t errlen)
{
	struct decoder_scratch *s;

	if ((s = decoder_scratch_new()) == NULL)
		errf(err, errlen, "decoders: out of memory");
	return s;
}

static void
step_worker_free(void *state, void *w)
{
	decoder_scratch_free(w);
}

static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	struct dstep *d = state;
	struct decoder_scratch *s = w;
	unsigned long limited = s->limited;
	size_t	 i;

	if (decoders_apply(d->ds, ev, s) == -1)
		return -1;
	if (d->st != NULL) {
		for (i = 0; i < s->nmatched; i++)
			if (d->slot[s->matched[i]] < DSTAT_MAX)
				atomic_fetch_add(&d->st->matched[
				    d->slot[s->matched[i]]], 1);
		if (s->limited != limited)
			atomic_fetch_add(&d->st->limited, s->limited - limited);
	}
	return s->schema;
}

const struct transit_step transit_step_decoders = {
	.name = "decoders",
	.init = step_init,
	.free = step_free,
	.worker_new = step_worker_new,
	.worker_free = step_worker_free,
	.event = step_event,
};
