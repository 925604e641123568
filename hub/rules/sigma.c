/*
 * sigma — loading Sigma rules from YAML into a compiled ruleset.
 *
 * Loading runs in four passes over every YAML document of every file:
 * ward-mapping documents first (they change how the rules read), then
 * each detection, deadman and correlation rule is compiled on its own
 * (a broken one is reported and skipped), then correlations are tied to
 * the rules they name (a correlation naming a broken or missing rule, or
 * a loop of correlations, is reported and skipped), and last the index
 * over the detection rules is built (sigma_eval.c).
 */
#define SIGMA_INTERNAL
#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "glob.h"
#include "sigma.h"
#include "yamldoc.h"

#define MAX_RULES	100000
#define MAX_REFS	255
#define MAX_VARIANTS	64

/* A correlation waiting for pass three: its nodes in its document. */
struct pending {
	size_t		 rule;		/* index in loader rules */
	struct yamldoc	*d;
	yaml_node_t	*rules;
	yaml_node_t	*groupby;
	yaml_node_t	*aliases;
	yaml_node_t	*field;
	int		 generate;
	int		 bad;
};

struct loader {
	struct ruleset	*rs;
	rule_errcb	 errcb;
	void		*arg;
	size_t		 nerr;
	int		 oom;
	struct yamldoc	**docs;		/* every document of files, in order */
	size_t		 ndocs;
	struct yamldoc_file **files;	/* as yamldoc read them */
	size_t		 nfiles;
	struct rule	**rules;	/* compiled, before pass three */
	size_t		 nrules;
	size_t		 caprules;
	struct pending	*pend;
	size_t		 npend;
	struct sigma_map failed;	/* ids and names of rules that broke */
	/* the rule being compiled */
	struct yamldoc	*d;
	struct rule	*r;
	const struct sigma_fmap *fm[32];	/* its field mappings, the
						   most specific first */
	size_t		 nfm;
};

/* The default field mapping: Sigma names (lower case) to ward paths. */
static const char *const default_fields[][2] = {
	{ "image", "processname" },
	{ "processname", "processname" },
	{ "process_name", "processname" },
	{ "program", "processname" },
	{ "application", "processname" },
	{ "computer", "hostname" },
	{ "computername", "hostname" },
	{ "hostname", "hostname" },
	{ "host", "hostname" },
	{ "dvc_host", "hostname" },
	{ "message", "summary" },
	{ "msg", "summary" },
	{ "pid", "processid" },
	{ "processid", "processid" },
	{ "sourceip", "details.sourceipaddress" },
	{ "src_ip", "details.sourceipaddress" },
	{ "srcip", "details.sourceipaddress" },
	{ "sourceaddress", "details.sourceipaddress" },
	{ "ipaddress", "details.sourceipaddress" },
	{ "clientip", "details.sourceipaddress" },
	{ "client_ip", "details.sourceipaddress" },
	{ "c-ip", "details.sourceipaddress" },
	{ "destinationip", "details.destinationipaddress" },
	{ "dst_ip", "details.destinationipaddress" },
	{ "dstip", "details.destinationipaddress" },
	{ "destinationaddress", "details.destinationipaddress" },
	{ "destinationport", "details.destinationport" },
	{ "dst_port", "details.destinationport" },
	{ "dstport", "details.destinationport" },
	{ "sourceport", "details.sourceport" },
	{ "src_port", "details.sourceport" },
	{ "user", "details.username" },
	{ "username", "details.username" },
	{ "targetusername", "details.username" },
	{ "user.name", "details.username" },
	{ "subjectusername", "details.subjectusername" },
	{ "commandline", "details.commandline" },
	{ "sc-status", "details.status" },
	{ "cs-method", "details.method" },
	{ "cs-uri-stem", "details.uri" },
	{ "cs-user-agent", "details.useragent" },
};

/* Fields of ward's schema: a name among them is itself. */
static const char *const schema_fields[] = {
	"utctimestamp", "receivedtimestamp", "category", "severity",
	"summary", "hostname", "processname", "processid", "source", "tags",
	"details",
};

static const char *const levels[] = {
	"informational", "low", "medium", "high", "critical",
};

/* ---- hash map -------------------------------------------------------- */

uint64_t
sigma_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL), x;
	size_t i;

	/* eight bytes a step (the index hashes every path and value an
	   event has), then a final mix for the low bits the slots use */
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&x, s, 8);
		h = (h ^ x) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	if (n > 0) {
		for (x = 0, i = 0; i < n; i++)
			x |= (uint64_t)s[i] << (8 * i);
		h = (h ^ x) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* The slot holding key (hash h), or the free slot ending its probe. */
static size_t
map_find(const struct sigma_map *m, uint64_t h, const void *key,
    size_t klen)
{
	size_t mask = m->cap - 1, i = h & mask;
	const struct sigma_map_ent *e;

	for (; (e = m->s[i].e) != NULL; i = (i + 1) & mask)
		if (m->s[i].h == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			break;
	return i;
}

struct sigma_map_ent *
sigma_map_get(const struct sigma_map *m, const void *key, size_t klen)
{
	if (m->n == 0)
		return NULL;
	return m->s[map_find(m, sigma_hash(key, klen), key, klen)].e;
}

/* Double the slots (4 at first); 0 or -1. */
static int
map_grow(struct sigma_map *m)
{
	struct sigma_map_slot *old = m->s;
	size_t i, j, cap = m->cap ? m->cap * 2 : 4, oldcap = m->cap;

	if ((m->s = calloc(cap, sizeof(*m->s))) == NULL) {
		m->s = old;
		return -1;
	}
	m->cap = cap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].e == NULL)
			continue;
		for (j = old[i].h & (cap - 1); m->s[j].e != NULL;
		    j = (j + 1) & (cap - 1))
			;
		m->s[j] = old[i];
	}
	free(old);
	return 0;
}

struct sigma_map_ent *
sigma_map_put(struct sigma_map *m, const void *key, size_t klen)
{
	struct sigma_map_ent *e;
	uint64_t h = sigma_hash(key, klen);
	size_t i;

	/* at most three quarters full, so every probe ends */
	if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m) == -1)
		return NULL;
	i = map_find(m, h, key, klen);
	if (m->s[i].e != NULL)
		return m->s[i].e;
	if ((e = calloc(1, sizeof(*e) + klen + 1)) == NULL)
		return NULL;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	m->s[i].h = h;
	m->s[i].e = e;
	m->n++;
	return e;
}

void
sigma_map_del_at(struct sigma_map *m, size_t i)
{
	size_t mask = m->cap - 1, j, home;

	free(m->s[i].e);
	m->s[i].e = NULL;
	m->n--;
	/* Close the gap: move back each later entry of the run whose home
	   slot does not lie between the gap and it. */
	for (j = (i + 1) & mask; m->s[j].e != NULL; j = (j + 1) & mask) {
		home = m->s[j].h & mask;
		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		m->s[i] = m->s[j];
		m->s[j].e = NULL;
		i = j;
	}
}

void
sigma_map_del(struct sigma_map *m, const void *key, size_t klen)
{
	size_t i;

	if (m->n == 0)
		return;
	i = map_find(m, sigma_hash(key, klen), key, klen);
	if (m->s[i].e != NULL)
		sigma_map_del_at(m, i);
}

struct sigma_map_ent *
sigma_map_next(const struct sigma_map *m, size_t *i)
{
	for (; *i < m->cap; ++*i)
		if (m->s[*i].e != NULL)
			return m->s[*i].e;
	return NULL;
}

void
sigma_map_release(struct sigma_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->s[i].e);
	free(m->s);
	memset(m, 0, sizeof(*m));
}

/* ---- errors and YAML helpers ----------------------------------------- */

static void
lerr(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
lerr(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
{
	struct rule_error e;
	va_list ap;

	L->nerr++;
	if (L->errcb == NULL)
		return;
	memset(&e, 0, sizeof(e));
	snprintf(e.file, sizeof(e.file), "%s", file);
	e.line = line;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	L->errcb(L->arg, &e);
}

#define RERR(L, n, ...)	lerr((L), (L)->d->file, yamldoc_line(n), __VA_ARGS__)

/* The key node of key in mapping n; NULL if none. */
static yaml_node_t *
ykey(struct yamldoc *d, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;
	const char *k;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yamldoc_scalar(yamldoc_node(d, p->key));
		if (k != NULL && strcmp(k, key) == 0)
			return yamldoc_node(d, p->key);
	}
	return NULL;
}

/* A number written in full (no trailing text). */
static int
parse_number(const char *s, double *v)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(*v))
		return -1;
	/* "inf", "nan", hex floats are not numbers to a rule author */
	if (strpbrk(s, "xXnNiI") != NULL)
		return -1;
	return 0;
}

/* "2m", "30s", "1h", "7d", "1w", "500ms" to microseconds. */
static int
parse_span(const char *s, int64_t *us)
{
	char *end;
	long long n;
	int64_t unit;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || n <= 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		unit = 1000;
	else if (strcmp(end, "s") == 0)
		unit = 1000000;
	else if (strcmp(end, "m") == 0)
		unit = 60 * 1000000LL;
	else if (strcmp(end, "h") == 0)
		unit = 3600 * 1000000LL;
	else if (strcmp(end, "d") == 0)
		unit = 86400 * 1000000LL;
	else if (strcmp(end, "w") == 0)
		unit = 7 * 86400 * 1000000LL;
	else
		return -1;
	if (n > INT64_MAX / unit)
		return -1;
	*us = n * unit;
	return 0;
}

static void
lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 'a' - 'A';
}

/* ---- fields ---------------------------------------------------------- */

/* Intern "a|b|c": each of a, b, c, then the field trying them in turn. */
static int
intern_alts(struct ruleset *rs, const char *path)
{
	struct sigma_map_ent *e;
	struct sigma_field *nf, *f;
	const char *p, *q;
	char one[512];
	int *alts, k;
	size_t n = 0;

	if ((alts = calloc(strlen(path) + 1, sizeof(*alts))) == NULL)
		return -1;
	for (p = path; ; p = q + 1) {
		q = strchr(p, '|');
		if (q == NULL)
			q = p + strlen(p);
		if (q > p && (size_t)(q - p) < sizeof(one)) {
			memcpy(one, p, q - p);
			one[q - p] = '\0';
			if ((k = sigma_field_intern(rs, one)) < 0) {
				free(alts);
				return -1;
			}
			alts[n++] = k;
		}
		if (*q == '\0')
			break;
	}
	if (n == 0 || rs->nfields >= INT_MAX - 1 ||
	    (nf = reallocarray(rs->fields, rs->nfields + 1, sizeof(*nf))) ==
	    NULL) {
		free(alts);
		return -1;
	}
	rs->fields = nf;
	f = &rs->fields[rs->nfields];
	memset(f, 0, sizeof(*f));
	f->alts = alts;
	f->nalts = n;
	if ((f->path = strdup(path)) == NULL ||
	    (e = sigma_map_put(&rs->fieldidx, path, strlen(path))) == NULL) {
		free(f->path);
		free(alts);
		return -1;
	}
	e->val = (void *)(uintptr_t)(rs->nfields + 1);
	return (int)rs->nfields++;
}

int
sigma_field_intern(struct ruleset *rs, const char *path)
{
	struct sigma_map_ent *e;
	struct sigma_field *f, *nf;
	const char *p, *q;
	size_t n;

	if ((e = sigma_map_get(&rs->fieldidx, path, strlen(path))) != NULL)
		return (int)(uintptr_t)e->val - 1;
	if (strchr(path, '|') != NULL)
		return intern_alts(rs, path);
	if (rs->nfields >= INT_MAX - 1)
		return -1;
	nf = reallocarray(rs->fields, rs->nfields + 1, sizeof(*nf));
	if (nf == NULL)
		return -1;
	rs->fields = nf;
	f = &rs->fields[rs->nfields];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL)
		return -1;
	if (strcmp(path, "ward.clockskew") == 0)
		f->virt = FV_CLOCKSKEW;
	else if (strcmp(path, "ward.age") == 0)
		f->virt = FV_AGE;
	else if (strcmp(path, "ward.text") == 0)
		f->virt = FV_TEXT;
	for (n = 1, p = path; *p != '\0'; p++)
		n += *p == '.';
	if ((f->comp = calloc(n, sizeof(*f->comp))) == NULL) {
		free(f->path);
		return -1;
	}
	for (p = path; ; p = q + 1) {
		q = strchr(p, '.');
		if (q == NULL)
			q = p + strlen(p);
		if ((f->comp[f->ncomp] = strndup(p, q - p)) == NULL)
			goto fail;
		f->ncomp++;
		if (*q == '\0')
			break;
	}
	if ((e = sigma_map_put(&rs->fieldidx, path, strlen(path))) == NULL)
		goto fail;
	e->val = (void *)(uintptr_t)(rs->nfields + 1);
	return (int)rs->nfields++;
fail:
	for (n = 0; n < f->ncomp; n++)
		free(f->comp[n]);
	free(f->comp);
	free(f->path);
	return -1;
}

static int
is_schema(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(schema_fields) / sizeof(*schema_fields); i++)
		if (strlen(schema_fields[i]) == n &&
		    strncmp(schema_fields[i], s, n) == 0)
			return 1;
	return 0;
}

/*
 * The ward path a Sigma field name stands for, into out (size n):
 * ward.clockskew and ward.age as themselves; a name the rule's
 * logsource mappings hold (any case); unless it is a schema field or a
 * dotted name whose first part is one, their '*'; a name the global
 * mapping holds; a schema field or a path under one as itself; anything
 * else under details.
 */
/*
 * The paths of a mapping's entry tmpl ("a|b", "{}" standing for name)
 * into out, with details.NAME last when it is not among them (a field a
 * mapping names still falls back to the event's own field).
 */
static int
expand_paths(const char *tmpl, const char *name, char *out, size_t n)
{
	struct buf b;
	const char *p;
	char fb[300];
	int rc = -1;

	buf_init(&b);
	for (p = tmpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] == '}') {
			if (buf_puts(&b, name) == -1)
				goto done;
			p++;
		} else if (buf_append(&b, p, 1) == -1)
			goto done;
	}
	if (buf_puts(&b, "") == -1)
		goto done;
	snprintf(fb, sizeof(fb), "details.%s", name);
	if (strchr(name, '.') == NULL && strcmp(b.data, fb) != 0) {
		size_t fl = strlen(fb);
		const char *hit = strstr(b.data, fb);

		while (hit != NULL && !((hit == b.data || hit[-1] == '|') &&
		    (hit[fl] == '\0' || hit[fl] == '|')))
			hit = strstr(hit + 1, fb);
		if (hit == NULL && (buf_puts(&b, "|") == -1 ||
		    buf_puts(&b, fb) == -1))
			goto done;
	}
	rc = snprintf(out, n, "%s", b.data) >= (int)n ? -1 : 0;
done:
	buf_release(&b);
	return rc;
}

static int
resolve_name(const struct ruleset *rs, const struct sigma_fmap *const *fm,
    size_t nfm, const char *name, char *out, size_t n)
{
	struct sigma_map_ent *e;
	char low[256];
	size_t len = strlen(name), i;
	const char *dot;

	if (len == 0 || len >= sizeof(low))
		return -1;
	if (strcmp(name, "ward.clockskew") == 0 ||
	    strcmp(name, "ward.age") == 0 || strcmp(name, "ward.text") == 0)
		return snprintf(out, n, "%s", name) >= (int)n ? -1 : 0;
	memcpy(low, name, len + 1);
	lower(low, len);
	for (i = 0; i < nfm; i++)
		if ((e = sigma_map_get(&fm[i]->fields, low, len)) != NULL)
			return expand_paths(e->val, name, out, n);
	/* a schema field (or a path under one) is itself, whatever a
	   mapping's '*' says: processname, summary, details.type */
	dot = strchr(name, '.');
	if (!is_schema(name, dot ? (size_t)(dot - name) : len))
		for (i = 0; i < nfm; i++)
			if ((e = sigma_map_get(&fm[i]->fields, "*", 1)) != NULL)
				return expand_paths(e->val, name, out, n);
	if ((e = sigma_map_get(&rs->fieldmap, low, len)) != NULL)
		return expand_paths(e->val, name, out, n);
	if (is_schema(name, dot ? (size_t)(dot - name) : len))
		return snprintf(out, n, "%s", name) >= (int)n ? -1 : 0;
	return snprintf(out, n, "details.%s", name) >= (int)n ? -1 : 0;
}

static int
field_of(struct loader *L, const char *name)
{
	char path[2048];
	const char *p;

	if (*name == '\0' || name[strlen(name) - 1] == '.' || *name == '.')
		return -2;
	for (p = name; *p != '\0'; p++)
		if (p[0] == '.' && p[1] == '.')
			return -2;
	if (resolve_name(L->rs, L->fm, L->nfm, name, path, sizeof(path)) ==
	    -1)
		return -2;
	return sigma_field_intern(L->rs, path);
}

int
sigma_field_text(const struct ruleset *rs, const struct rule *r, json_t *ev,
    const char *name, struct buf *b)
{
	struct sigma_map_ent *e;
	char path[2048];

	if (resolve_name(rs, NULL, 0, name, path, sizeof(path)) == -1)
		return 0;
	if ((e = sigma_map_get(&rs->fieldidx, path, strlen(path))) != NULL)
		return sigma_field_text_idx(rs, r, ev,
		    (int)(uintptr_t)e->val - 1, b);
	/* A field no rule names: walk its paths here, the first the event
	   has. */
	{
		json_t *v = NULL;
		char *p, *q, *alt, *next;

		for (alt = path; alt != NULL && v == NULL; alt = next) {
			if ((next = strchr(alt, '|')) != NULL)
				*next++ = '\0';
			for (v = ev, p = alt; v != NULL; p = q + 1) {
				if ((q = strchr(p, '.')) != NULL)
					*q = '\0';
				if (!json_is_object(v)) {
					v = NULL;
					break;
				}
				v = json_object_get(v, p);
				if (q == NULL)
					break;
			}
			if (v != NULL && json_is_null(v))
				v = NULL;
		}
		if (v == NULL)
			return 0;
		if (json_is_string(v))
			return buf_append(b, json_string_value(v),
			    json_string_length(v)) == -1 ? -1 : 1;
		if (json_is_integer(v))
			return buf_printf(b, "%lld",
			    (long long)json_integer_value(v)) == -1 ? -1 : 1;
		if (json_is_real(v))
			return buf_printf(b, "%g", json_real_value(v)) == -1 ?
			    -1 : 1;
		if (json_is_boolean(v))
			return buf_puts(b, json_is_true(v) ? "true" :
			    "false") == -1 ? -1 : 1;
		{
			char *s = json_dumps(v, JSON_COMPACT);
			int rc;

			if (s == NULL)
				return -1;
			rc = buf_puts(b, s);
			free(s);
			return rc == -1 ? -1 : 1;
		}
	}
}

/* ---- values and modifiers -------------------------------------------- */

struct mods {
	int	contains, starts, ends, all, re, re_i, re_m, re_s, cidr;
	int	exists, cmp, b64, b64off, windash, cased;
	int	fieldref, expand, utf16;	/* utf16: 1 le, 2 be, 3 BOM+le */
};

static int
parse_mods(struct loader *L, yaml_node_t *kn, char *spec, struct mods *m)
{
	char *p, *next;
	int n = 0;

	memset(m, 0, sizeof(*m));
	m->cmp = -1;
	for (p = spec; p != NULL; p = next) {
		if ((next = strchr(p, '|')) != NULL)
			*next++ = '\0';
		if (strcmp(p, "contains") == 0)
			m->contains = 1, n++;
		else if (strcmp(p, "startswith") == 0)
			m->starts = 1, n++;
		else if (strcmp(p, "endswith") == 0)
			m->ends = 1, n++;
		else if (strcmp(p, "all") == 0)
			m->all = 1;
		else if (strcmp(p, "re") == 0)
			m->re = 1, n++;
		else if (strcmp(p, "i") == 0 && m->re)
			m->re_i = 1;
		else if (strcmp(p, "m") == 0 && m->re)
			m->re_m = 1;
		else if (strcmp(p, "s") == 0 && m->re)
			m->re_s = 1;
		else if (strcmp(p, "cidr") == 0)
			m->cidr = 1, n++;
		else if (strcmp(p, "exists") == 0)
			m->exists = 1, n++;
		else if (strcmp(p, "lt") == 0)
			m->cmp = PAT_LT, n++;
		else if (strcmp(p, "lte") == 0)
			m->cmp = PAT_LTE, n++;
		else if (strcmp(p, "gt") == 0)
			m->cmp = PAT_GT, n++;
		else if (strcmp(p, "gte") == 0)
			m->cmp = PAT_GTE, n++;
		else if (strcmp(p, "base64") == 0)
			m->b64 = 1;
		else if (strcmp(p, "base64offset") == 0)
			m->b64off = 1;
		else if (strcmp(p, "windash") == 0)
			m->windash = 1;
		else if (strcmp(p, "cased") == 0)
			m->cased = 1;
		else if (strcmp(p, "fieldref") == 0)
			m->fieldref = 1, n++;
		else if (strcmp(p, "expand") == 0)
			m->expand = 1;
		else if (strcmp(p, "utf16le") == 0 || strcmp(p, "wide") == 0)
			m->utf16 = 1;
		else if (strcmp(p, "utf16be") == 0)
			m->utf16 = 2;
		else if (strcmp(p, "utf16") == 0)
			m->utf16 = 3;
		else {
			RERR(L, kn, "unknown or unsupported modifier '%s' "
			    "(see ward-rules(5))", p);
			return -1;
		}
	}
	if (m->starts && m->ends && !m->contains) {
		RERR(L, kn, "startswith and endswith together: use a "
		    "wildcard value or two selections");
		return -1;
	}
	if (m->starts + m->ends + m->contains > 1)
		n -= m->starts + m->ends + m->contains - 1;
	if (m->fieldref)
		n -= m->starts + m->ends + m->contains > 0;
	if (n > 1) {
		RERR(L, kn, "modifiers that compare differently cannot be "
		    "combined (contains/startswith/endswith, re, cidr, "
		    "exists, lt/lte/gt/gte)");
		return -1;
	}
	if ((m->b64 || m->b64off) && (m->re || m->cidr || m->exists ||
	    m->cmp != -1)) {
		RERR(L, kn, "base64 and base64offset go with contains, "
		    "startswith or endswith (or none)");
		return -1;
	}
	if (m->fieldref && (m->b64 || m->b64off || m->windash || m->expand ||
	    m->utf16)) {
		RERR(L, kn, "fieldref goes with contains, startswith, endswith "
		    "or cased only");
		return -1;
	}
	if (m->b64 && m->b64off) {
		RERR(L, kn, "use base64 or base64offset, not both");
		return -1;
	}
	return 0;
}

static const char b64tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64enc(struct buf *out, const unsigned char *s, size_t n)
{
	char q[4];
	size_t i;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = s[i] << 16;
		if (i + 1 < n)
			v |= s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64tab[(v >> 18) & 63];
		q[1] = b64tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64tab[v & 63] : '=';
		if (buf_append(out, q, 4) == -1)
			return -1;
	}
	return 0;
}

/* A literal/wildcard string being built. */
struct wstr {
	struct buf	 s;
	struct buf	 w;		/* one byte per byte of s: 1 = wild */
};

static int
wpush(struct wstr *ws, char c, int wild)
{
	char f = wild ? 1 : 0;

	if (buf_append(&ws->s, &c, 1) == -1 || buf_append(&ws->w, &f, 1) == -1)
		return -1;
	return 0;
}

/* Read Sigma's wildcards: * and ?, \*, \?, \\ escape; other \ literal. */
static int
wparse(struct wstr *ws, const char *s, size_t n, int literal)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (literal) {
			if (wpush(ws, s[i], 0) == -1)
				return -1;
		} else if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '*' ||
		    s[i + 1] == '?' || s[i + 1] == '\\')) {
			if (wpush(ws, s[++i], 0) == -1)
				return -1;
		} else if (s[i] == '*') {
			if (ws->s.len > 0 && ws->s.data[ws->s.len - 1] == '*' &&
			    ws->w.data[ws->w.len - 1])
				continue;	/* ** is * */
			if (wpush(ws, '*', 1) == -1)
				return -1;
		} else if (s[i] == '?') {
			if (wpush(ws, '?', 1) == -1)
				return -1;
		} else if (wpush(ws, s[i], 0) == -1)
			return -1;
	}
	return 0;
}

/* Make pattern p from a wildcard string. */
static int
pat_from_wstr(struct sigma_pat *p, struct wstr *ws, int cased)
{
	const char *s = ws->s.data ? ws->s.data : "";
	const char *w = ws->w.data ? ws->w.data : "";
	size_t n = ws->s.len, i, lo = 0, hi = n;
	int lead, trail, inner = 0;

	p->cased = cased;
	lead = n > 0 && w[0] && s[0] == '*';
	trail = n > (size_t)lead && w[n - 1] && s[n - 1] == '*';
	for (i = lead; i < n - trail; i++)
		if (w[i])
			inner = 1;
	if (!inner) {
		lo = lead;
		hi = n - trail;
		if (lead && trail)
			p->kind = hi == lo ? PAT_ANY : PAT_CONTAINS;
		else if (lead)
			p->kind = hi == lo ? PAT_ANY : PAT_ENDS;
		else if (trail)
			p->kind = hi == lo ? PAT_ANY : PAT_STARTS;
		else
			p->kind = PAT_EQ;
	} else {
		p->kind = PAT_GLOB;
		if ((p->wild = malloc(n + 1)) == NULL)
			return -1;
		memcpy(p->wild, w, n);
	}
	if ((p->s = malloc(hi - lo + 1)) == NULL)
		return -1;
	memcpy(p->s, s + lo, hi - lo);
	p->s[hi - lo] = '\0';
	p->len = hi - lo;
	if (!cased)
		lower(p->s, p->len);
	return 0;
}

void
sigma_pat_release(struct sigma_pat *p)
{
	free(p->s);
	free(p->wild);
	while (p->nreq > 0)
		free(p->req[--p->nreq]);
	free(p->req);
	free(p->reqlit);
	pcre2_code_free(p->re);
	memset(p, 0, sizeof(*p));
}

/*
 * Compile regular expression re (PCRE2, the dialect Sigma rules are
 * written in) with flags, JIT-compiled when the JIT is there.  Returns
 * the code (freed with pcre2_code_free()) or NULL after reporting why at
 * node n.  Byte-wise, not UTF: events may hold any bytes.
 */
static pcre2_code *
re_compile(struct loader *L, yaml_node_t *n, const char *re, uint32_t flags)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	pcre2_code *code;
	int err;

	if (strlen(re) > 8192) {
		RERR(L, n, "regular expression longer than 8192 bytes");
		return NULL;
	}
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, flags,
	    &err, &off, NULL);
	if (code == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		RERR(L, n, "bad regular expression '%s': %s at offset %zu", re,
		    (char *)msg, (size_t)off);
		return NULL;
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

static int
parse_cidr(const char *s, struct sigma_pat *p)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	char *end;
	long bits;

	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, p->net) == 1)
		p->af = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, addr, p->net) == 1)
		p->af = AF_INET6, max = 128;
	else
		return -1;
	bits = max;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 ||
		    bits > (long)max)
			return -1;
	}
	p->bits = (unsigned)bits;
	return 0;
}

/* The windash variants of s: every - or / (up to two of them in every
   combination, more all alike) as -, /, en dash, em dash, bar. */
static const char *const dashes[] = { "-", "/", "\xe2\x80\x93",
	"\xe2\x80\x94", "\xe2\x80\x95" };

static int
windash(const char *s, char ***outv, size_t *outn)
{
	size_t pos[64], npos = 0, i, k, nv, combo;
	char **v = NULL;
	struct buf b;

	for (i = 0; s[i] != '\0' && npos < 64; i++)
		if (s[i] == '-' || s[i] == '/')
			pos[npos++] = i;
	nv = npos == 0 ? 1 : npos <= 2 ? (npos == 1 ? 5 : 25) : 5;
	if ((v = calloc(nv, sizeof(*v))) == NULL)
		return -1;
	buf_init(&b);
	for (combo = 0; combo < nv; combo++) {
		size_t c = combo, next = 0;

		buf_reset(&b);
		for (i = 0; s[i] != '\0'; i++) {
			if (next < npos && pos[next] == i) {
				k = npos <= 2 ? c % 5 : combo;
				if (npos <= 2)
					c /= 5;
				next++;
				if (buf_puts(&b, dashes[k]) == -1)
					goto fail;
			} else if (buf_append(&b, &s[i], 1) == -1)
				goto fail;
		}
		if (buf_puts(&b, "") == -1 || (v[combo] = strdup(b.data)) == NULL)
			goto fail;
	}
	buf_release(&b);
	*outv = v;
	*outn = nv;
	return 0;
fail:
	buf_release(&b);
	for (i = 0; i < nv; i++)
		free(v[i]);
	free(v);
	return -1;
}

/* Add one pattern to v; returns it zeroed, or NULL (memory). */
static struct sigma_pat *
val_add(struct sigma_val *v)
{
	struct sigma_pat *np;

	np = reallocarray(v->pats, v->npats + 1, sizeof(*np));
	if (np == NULL)
		return NULL;
	v->pats = np;
	memset(&np[v->npats], 0, sizeof(*np));
	return &np[v->npats++];
}

static void
val_release(struct sigma_val *v)
{
	size_t i;

	for (i = 0; i < v->npats; i++)
		sigma_pat_release(&v->pats[i]);
	free(v->pats);
	memset(v, 0, sizeof(*v));
}

/* Compile one scalar value under modifiers m into v. */
static int
compile_value(struct loader *L, const struct mods *m, yaml_node_t *n,
    struct sigma_val *v)
{
	const char *text = yamldoc_scalar(n);
	struct sigma_pat *p;
	struct buf tb;
	struct wstr ws;
	char **vars = NULL, *expanded = NULL;
	struct buf wide;
	size_t nvars = 0, i, off;
	int plain;
	double num;

	memset(v, 0, sizeof(*v));
	buf_init(&tb);
	buf_init(&wide);
	memset(&ws, 0, sizeof(ws));
	if (text == NULL) {
		RERR(L, n, "expected a value, not a %s", n->type ==
		    YAML_MAPPING_NODE ? "mapping" : "list");
		return -1;
	}
	plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (m->re) {
		if ((p = val_add(v)) == NULL)
			goto oom;
		if ((p->re = re_compile(L, n, text, (m->re_i ? PCRE2_CASELESS :
		    0) | (m->re_m ? PCRE2_MULTILINE : 0) | (m->re_s ?
		    PCRE2_DOTALL : 0))) == NULL)
			goto fail;
		p->kind = PAT_RE;
		if ((p->s = strdup(text)) == NULL)
			goto oom;
		p->len = strlen(text);
		buf_release(&tb);
		return 0;
	}
	if (m->fieldref) {
		if ((p = val_add(v)) == NULL)
			goto oom;
		p->kind = PAT_FIELDREF;
		p->cased = m->cased;
		p->refkind = m->contains ? PAT_CONTAINS : m->starts ?
		    PAT_STARTS : m->ends ? PAT_ENDS : PAT_EQ;
		if ((p->ref = field_of(L, text)) < 0) {
			if (p->ref == -1)
				goto oom;
			RERR(L, n, "fieldref: '%s' is not a field name", text);
			goto fail;
		}
		return 0;
	}
	if (m->cidr) {
		if ((p = val_add(v)) == NULL)
			goto oom;
		p->kind = PAT_CIDR;
		if (parse_cidr(text, p) == -1) {
			RERR(L, n, "'%s' is not an IPv4 or IPv6 network "
			    "(address/prefix)", text);
			goto fail;
		}
		return 0;
	}
	if (m->cmp != -1) {
		if ((p = val_add(v)) == NULL)
			goto oom;
		p->kind = m->cmp;
		if (parse_number(text, &p->num) == -1) {
			RERR(L, n, "'%s' is not a number (lt, lte, gt and gte "
			    "compare numbers)", text);
			goto fail;
		}
		p->isnum = 1;
		return 0;
	}
	if (m->expand) {
		/* a placeholder (%name%) no mapping fills stands for any
		   text, as pySigma's wildcard placeholders do */
		const char *q, *e;

		buf_reset(&tb);
		for (q = text; *q != '\0'; q++) {
			if (*q == '%' && (e = strchr(q + 1, '%')) != NULL &&
			    e > q + 1 && strspn(q + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789_.-") ==
			    (size_t)(e - q - 1)) {
				/* after a backslash, \\* keeps both the
				   backslash and the wildcard */
				if (buf_puts(&tb, tb.len > 0 &&
				    tb.data[tb.len - 1] == '\\' ? "\\*" : "*") ==
				    -1)
					goto oom;
				q = e;
			} else if (buf_append(&tb, q, 1) == -1)
				goto oom;
		}
		if (buf_puts(&tb, "") == -1 || (text = expanded = strdup(tb.data))
		    == NULL)
			goto oom;
		buf_reset(&tb);
	}
	if (m->windash) {
		if (windash(text, &vars, &nvars) == -1)
			goto oom;
	} else {
		if ((vars = calloc(1, sizeof(*vars))) == NULL ||
		    (vars[0] = strdup(text)) == NULL)
			goto oom;
		nvars = 1;
	}
	for (i = 0; i < nvars; i++) {
		size_t k, nk = m->b64off ? 3 : 1;

		for (k = 0; k < nk; k++) {
			const char *s = vars[i];
			size_t slen = strlen(s);

			if (m->utf16) {
				/* the text as UTF-16 (from ASCII or Latin-1
				   bytes as Windows writes them) */
				size_t j;
				char u[2];

				buf_reset(&wide);
				if (m->utf16 == 3 && buf_append(&wide, "\xff\xfe", 2)
				    == -1)
					goto oom;
				for (j = 0; j < slen; j++) {
					u[m->utf16 == 2] = s[j];
					u[m->utf16 != 2] = '\0';
					if (buf_append(&wide, u, 2) == -1)
						goto oom;
				}
				s = wide.data;
				slen = wide.len;
			}

			buf_reset(&ws.s);
			buf_reset(&ws.w);
			buf_reset(&tb);
			if (m->contains || m->ends)
				if (wpush(&ws, '*', 1) == -1)
					goto oom;
			if (m->b64off) {
				static const size_t start[] = { 0, 2, 3 };
				static const size_t cut[] = { 0, 3, 2 };

				if (buf_append(&tb, "  ", k) == -1 ||
				    buf_append(&tb, s, slen) == -1)
					goto oom;
				off = tb.len;
				/* room first: b64enc appends to tb while it
				   reads tb's start */
				if (buf_reserve(&tb, 4 * (off / 3 + 2)) == -1 ||
				    b64enc(&tb, (unsigned char *)tb.data, off)
				    == -1)
					goto oom;
				{
					size_t elen = tb.len - off;
					size_t a = start[k];
					size_t e = elen - cut[(slen + k) % 3];

					if (e <= a)
						continue;
					if (wparse(&ws, tb.data + off + a, e - a,
					    1) == -1)
						goto oom;
				}
			} else if (m->b64) {
				if (b64enc(&tb, (const unsigned char *)s, slen)
				    == -1)
					goto oom;
				if (wparse(&ws, tb.data, tb.len, 1) == -1)
					goto oom;
			} else if (wparse(&ws, s, slen, 0) == -1)
				goto oom;
			if (m->contains || m->starts)
				if (wpush(&ws, '*', 1) == -1)
					goto oom;
			if (v->npats >= MAX_VARIANTS)
				break;
			if ((p = val_add(v)) == NULL)
				goto oom;
			if (pat_from_wstr(p, &ws, m->cased || m->b64 ||
			    m->b64off || m->utf16) == -1)
				goto oom;
			if (p->kind == PAT_EQ && plain && nvars == 1 &&
			    !m->b64 && !m->b64off && !m->utf16 && !m->expand &&
			    parse_number(text, &num) == 0) {
				p->isnum = 1;
				p->num = num;
			}
		}
	}
	if (v->npats == 0) {
		RERR(L, n, "value '%s' leaves nothing to match", text);
		goto fail;
	}
	for (i = 0; i < nvars; i++)
		free(vars[i]);
	free(vars);
	free(expanded);
	buf_release(&tb);
	buf_release(&wide);
	buf_release(&ws.s);
	buf_release(&ws.w);
	return 0;
oom:
	L->oom = 1;
	RERR(L, n, "out of memory");
fail:
	for (i = 0; i < nvars; i++)
		free(vars[i]);
	free(vars);
	free(expanded);
	buf_release(&tb);
	buf_release(&wide);
	buf_release(&ws.s);
	buf_release(&ws.w);
	val_release(v);
	return -1;
}

/* ---- nodes ----------------------------------------------------------- */

static struct sigma_node *
node_new(struct loader *L, enum node_op op)
{
	struct sigma_node *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		L->oom = 1;
		return NULL;
	}
	n->op = op;
	n->next = L->r->nodes;
	L->r->nodes = n;
	return n;
}

static int
node_add(struct loader *L, struct sigma_node *n, struct sigma_node *kid)
{
	struct sigma_node **nk;

	nk = reallocarray(n->kids, n->nkids + 1, sizeof(*nk));
	if (nk == NULL) {
		L->oom = 1;
		return -1;
	}
	n->kids = nk;
	n->kids[n->nkids++] = kid;
	return 0;
}

static void
leaf_free(struct sigma_leaf *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nvals; i++)
		val_release(&l->vals[i]);
	free(l->vals);
	free(l);
}

static struct sigma_node *
leaf_node(struct loader *L, enum leaf_kind kind, int field, int all)
{
	struct sigma_node *n;

	if ((n = node_new(L, NODE_LEAF)) == NULL)
		return NULL;
	if ((n->leaf = calloc(1, sizeof(*n->leaf))) == NULL) {
		L->oom = 1;
		return NULL;
	}
	n->leaf->kind = kind;
	n->leaf->field = field;
	n->leaf->all = all;
	return n;
}

static int
leaf_addval(struct loader *L, struct sigma_leaf *l, const struct mods *m,
    yaml_node_t *vn)
{
	struct sigma_val *nv;

	nv = reallocarray(l->vals, l->nvals + 1, sizeof(*nv));
	if (nv == NULL) {
		L->oom = 1;
		return -1;
	}
	l->vals = nv;
	if (compile_value(L, m, vn, &l->vals[l->nvals]) == -1)
		return -1;
	l->nvals++;
	return 0;
}

/* One "field|mods: value(s)" item of a selection. */
static struct sigma_node *
compile_item(struct loader *L, yaml_node_t *kn, yaml_node_t *vn)
{
	const char *key = yamldoc_scalar(kn);
	struct sigma_node *n, *or, *nl;
	yaml_node_item_t *it;
	yaml_node_t *x;
	char spec[512], *bar;
	struct mods m;
	int field, b, hasnull = 0;

	if (key == NULL) {
		RERR(L, kn, "a field name must be text");
		return NULL;
	}
	if (strlen(key) >= sizeof(spec)) {
		RERR(L, kn, "field name too long");
		return NULL;
	}
	memcpy(spec, key, strlen(key) + 1);
	memset(&m, 0, sizeof(m));
	m.cmp = -1;
	if ((bar = strchr(spec, '|')) != NULL) {
		*bar++ = '\0';
		if (parse_mods(L, kn, bar, &m) == -1)
			return NULL;
	}
	if (*spec == '\0') {
		/* no field name: keywords, with modifiers ('|all': ...) */
		if (!m.starts && !m.ends && !m.re && !m.cidr && !m.exists &&
		    m.cmp == -1 && !m.fieldref)
			m.contains = 1;
		if ((field = sigma_field_intern(L->rs, "ward.text")) == -1) {
			L->oom = 1;
			RERR(L, kn, "out of memory");
			return NULL;
		}
	} else if ((field = field_of(L, spec)) < 0) {
		if (field == -1)
			L->oom = 1;
		RERR(L, kn, field == -1 ? "out of memory" :
		    "'%s' is not a field name", spec);
		return NULL;
	}
	if (m.exists) {
		if (yamldoc_bool(vn, &b) == -1) {
			RERR(L, vn, "exists takes true or false");
			return NULL;
		}
		return leaf_node(L, b ? LEAF_EXISTS : LEAF_ABSENT, field, 0);
	}
	if (yamldoc_isnull(vn)) {
		if (m.re || m.cidr || m.cmp != -1 || m.contains || m.starts ||
		    m.ends) {
			RERR(L, vn, "null (field missing) takes no modifier");
			return NULL;
		}
		return leaf_node(L, LEAF_NULL, field, 0);
	}
	if ((n = leaf_node(L, LEAF_VALUES, field, m.all)) == NULL)
		goto oom;
	if (vn->type == YAML_SCALAR_NODE)
		return leaf_addval(L, n->leaf, &m, vn) == -1 ? NULL : n;
	if (vn->type != YAML_SEQUENCE_NODE) {
		RERR(L, vn, "the value of '%s' must be a value or a list of "
		    "values, not a mapping", key);
		return NULL;
	}
	for (it = vn->data.sequence.items.start;
	    it < vn->data.sequence.items.top; it++) {
		x = yamldoc_node(L->d, *it);
		if (yamldoc_isnull(x)) {
			hasnull = 1;
			continue;
		}
		if (leaf_addval(L, n->leaf, &m, x) == -1)
			return NULL;
	}
	if (n->leaf->nvals == 0 && !hasnull) {
		RERR(L, vn, "empty list of values for '%s'", key);
		return NULL;
	}
	if (!hasnull)
		return n;
	if (m.all) {
		RERR(L, vn, "null in a list with the all modifier never "
		    "matches");
		return NULL;
	}
	if ((nl = leaf_node(L, LEAF_NULL, field, 0)) == NULL)
		goto oom;
	if (n->leaf->nvals == 0)
		return nl;
	if ((or = node_new(L, NODE_OR)) == NULL || node_add(L, or, nl) == -1 ||
	    node_add(L, or, n) == -1)
		goto oom;
	return or;
oom:
	L->oom = 1;
	RERR(L, kn, "out of memory");
	return NULL;
}

static struct sigma_node *
compile_map(struct loader *L, yaml_node_t *mn)
{
	struct sigma_node *and, *k;
	yaml_node_pair_t *p;

	if ((and = node_new(L, NODE_AND)) == NULL)
		return NULL;
	for (p = mn->data.mapping.pairs.start; p < mn->data.mapping.pairs.top;
	    p++) {
		if ((k = compile_item(L, yamldoc_node(L->d, p->key),
		    yamldoc_node(L->d, p->value))) == NULL)
			return NULL;
		if (node_add(L, and, k) == -1)
			return NULL;
	}
	if (and->nkids == 0) {
		RERR(L, mn, "empty selection");
		return NULL;
	}
	return and;
}

/* A selection: a mapping (AND), a list of mappings (OR of ANDs) or a
   list of keywords (full-text on summary, OR). */
static struct sigma_node *
compile_selection(struct loader *L, yaml_node_t *sn)
{
	struct sigma_node *or, *k;
	yaml_node_item_t *it;
	yaml_node_t *x;
	struct mods m;
	int nmap = 0, nscalar = 0, field;

	if (sn->type == YAML_MAPPING_NODE)
		return compile_map(L, sn);
	memset(&m, 0, sizeof(m));
	m.cmp = -1;
	m.contains = 1;
	if ((field = sigma_field_intern(L->rs, "ward.text")) == -1) {
		L->oom = 1;
		return NULL;
	}
	if (sn->type == YAML_SCALAR_NODE) {
		if (yamldoc_isnull(sn)) {
			RERR(L, sn, "empty selection");
			return NULL;
		}
		if ((k = leaf_node(L, LEAF_VALUES, field, 0)) == NULL ||
		    leaf_addval(L, k->leaf, &m, sn) == -1)
			return NULL;
		return k;
	}
	for (it = sn->data.sequence.items.start;
	    it < sn->data.sequence.items.top; it++) {
		x = yamldoc_node(L->d, *it);
		if (x->type == YAML_MAPPING_NODE)
			nmap++;
		else if (x->type == YAML_SCALAR_NODE)
			nscalar++;
		else {
			RERR(L, x, "a list in a selection holds mappings or "
			    "keywords, not lists");
			return NULL;
		}
	}
	if (nmap && nscalar) {
		RERR(L, sn, "a selection list mixes mappings and keywords");
		return NULL;
	}
	if (nmap + nscalar == 0) {
		RERR(L, sn, "empty selection");
		return NULL;
	}
	if (nscalar) {
		if ((k = leaf_node(L, LEAF_VALUES, field, 0)) == NULL)
			return NULL;
		for (it = sn->data.sequence.items.start;
		    it < sn->data.sequence.items.top; it++)
			if (leaf_addval(L, k->leaf, &m, yamldoc_node(L->d, *it)) == -1)
				return NULL;
		return k;
	}
	if ((or = node_new(L, NODE_OR)) == NULL)
		return NULL;
	for (it = sn->data.sequence.items.start;
	    it < sn->data.sequence.items.top; it++) {
		if ((k = compile_map(L, yamldoc_node(L->d, *it))) == NULL ||
		    node_add(L, or, k) == -1)
			return NULL;
	}
	return or;
}

/* ---- conditions ------------------------------------------------------ */

struct sel {
	const char	 *name;
	struct sigma_node *node;
};

struct cparse {
	struct loader	*L;
	yaml_node_t	*at;		/* for the error line */
	const char	*src;
	const char	*p;
	struct sel	*sels;
	size_t		 nsels;
	int		 depth;
	char		 tok[128];
	int		 tt;		/* token type */
};

enum { T_END, T_ID, T_LP, T_RP, T_AND, T_OR, T_NOT, T_OF, T_ALL, T_ONE,
	T_THEM, T_BAD, T_PIPE };

static void
cnext(struct cparse *c)
{
	size_t n = 0;

	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
	c->tok[0] = '\0';
	if (*c->p == '\0') {
		c->tt = T_END;
		return;
	}
	if (*c->p == '(' || *c->p == ')') {
		c->tt = *c->p == '(' ? T_LP : T_RP;
		snprintf(c->tok, sizeof(c->tok), "%c", *c->p++);
		return;
	}
	if (*c->p == '|') {
		c->tt = T_PIPE;
		c->p++;
		return;
	}
	while (isalnum((unsigned char)*c->p) || *c->p == '_' || *c->p == '*' ||
	    *c->p == '-' || *c->p == '.') {
		if (n + 1 < sizeof(c->tok))
			c->tok[n++] = *c->p;
		c->p++;
	}
	c->tok[n] = '\0';
	if (n == 0) {
		snprintf(c->tok, sizeof(c->tok), "%c", *c->p);
		c->tt = T_BAD;
		return;
	}
	if (strcasecmp(c->tok, "and") == 0)
		c->tt = T_AND;
	else if (strcasecmp(c->tok, "or") == 0)
		c->tt = T_OR;
	else if (strcasecmp(c->tok, "not") == 0)
		c->tt = T_NOT;
	else if (strcasecmp(c->tok, "of") == 0)
		c->tt = T_OF;
	else if (strcasecmp(c->tok, "all") == 0)
		c->tt = T_ALL;
	else if (strcmp(c->tok, "1") == 0)
		c->tt = T_ONE;
	else if (strcasecmp(c->tok, "them") == 0)
		c->tt = T_THEM;
	else
		c->tt = T_ID;
}

static struct sigma_node *cexpr(struct cparse *);

/* Does selection name s match pat, where only '*' is a wildcard (as in
   "1 of selection*")?  0 also when out of memory. */
static int
glob_simple(const char *pat, const char *s)
{
	unsigned char *wild;
	size_t i, n = strlen(pat);
	int m;

	if ((wild = malloc(n + 1)) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		wild[i] = pat[i] == '*';
	m = glob_match(pat, n, wild, s, strlen(s), 0);
	free(wild);
	return m;
}

static struct sigma_node *
cerr(struct cparse *c, const char *fmt, const char *arg)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, arg);
	RERR(c->L, c->at, "condition '%s': %s", c->src, msg);
	return NULL;
}

static struct sigma_node *
cfactor(struct cparse *c)
{
	struct sigma_node *n, *k;
	size_t i;
	int all;

	if (++c->depth > 100)
		return cerr(c, "nested too deeply%s", "");
	switch (c->tt) {
	case T_NOT:
		cnext(c);
		if ((k = cfactor(c)) == NULL)
			return NULL;
		if ((n = node_new(c->L, NODE_NOT)) == NULL ||
		    node_add(c->L, n, k) == -1)
			return NULL;
		c->depth--;
		return n;
	case T_LP:
		cnext(c);
		if ((n = cexpr(c)) == NULL)
			return NULL;
		if (c->tt != T_RP)
			return cerr(c, "missing ')'%s", "");
		cnext(c);
		c->depth--;
		return n;
	case T_ONE:
	case T_ALL:
		all = c->tt == T_ALL;
		cnext(c);
		if (c->tt != T_OF)
			return cerr(c, "expected 'of' after '%s'",
			    all ? "all" : "1");
		cnext(c);
		if (c->tt != T_THEM && c->tt != T_ID)
			return cerr(c, "expected a selection name or 'them' "
			    "after 'of'%s", "");
		if ((n = node_new(c->L, all ? NODE_AND : NODE_OR)) == NULL)
			return NULL;
		for (i = 0; i < c->nsels; i++) {
			if (c->tt == T_THEM ? c->sels[i].name[0] == '_' :
			    !glob_simple(c->tok, c->sels[i].name))
				continue;
			if (node_add(c->L, n, c->sels[i].node) == -1)
				return NULL;
		}
		if (n->nkids == 0)
			return cerr(c, "'%s' names no selection", c->tok);
		cnext(c);
		c->depth--;
		return n;
	case T_ID:
		if (strchr(c->tok, '*') != NULL)
			return cerr(c, "'%s': a wildcard needs '1 of' or "
			    "'all of'", c->tok);
		for (i = 0; i < c->nsels; i++)
			if (strcmp(c->tok, c->sels[i].name) == 0)
				break;
		if (i == c->nsels)
			return cerr(c, "'%s' is not a selection of this rule",
			    c->tok);
		cnext(c);
		c->depth--;
		return c->sels[i].node;
	case T_PIPE:
		return cerr(c, "aggregations after '|' are not supported; "
		    "write a correlation rule%s", "");
	case T_END:
		return cerr(c, "ends too early%s", "");
	default:
		return cerr(c, "unexpected '%s'", c->tok);
	}
}

static struct sigma_node *
cterm(struct cparse *c)
{
	struct sigma_node *n, *k;

	if ((k = cfactor(c)) == NULL)
		return NULL;
	if (c->tt != T_AND)
		return k;
	if ((n = node_new(c->L, NODE_AND)) == NULL || node_add(c->L, n, k) == -1)
		return NULL;
	while (c->tt == T_AND) {
		cnext(c);
		if ((k = cfactor(c)) == NULL || node_add(c->L, n, k) == -1)
			return NULL;
	}
	return n;
}

static struct sigma_node *
cexpr(struct cparse *c)
{
	struct sigma_node *n, *k;

	if ((k = cterm(c)) == NULL)
		return NULL;
	if (c->tt != T_OR)
		return k;
	if ((n = node_new(c->L, NODE_OR)) == NULL || node_add(c->L, n, k) == -1)
		return NULL;
	while (c->tt == T_OR) {
		cnext(c);
		if ((k = cterm(c)) == NULL || node_add(c->L, n, k) == -1)
			return NULL;
	}
	return n;
}

static struct sigma_node *
compile_condition(struct loader *L, yaml_node_t *cn, struct sel *sels,
    size_t nsels)
{
	struct cparse c;
	struct sigma_node *n;

	memset(&c, 0, sizeof(c));
	c.L = L;
	c.at = cn;
	c.sels = sels;
	c.nsels = nsels;
	c.src = c.p = yamldoc_scalar(cn);
	if (c.src == NULL) {
		RERR(L, cn, "condition must be text");
		return NULL;
	}
	cnext(&c);
	if ((n = cexpr(&c)) == NULL)
		return NULL;
	if (c.tt != T_END)
		return cerr(&c, c.tt == T_PIPE ? "aggregations after '|' are "
		    "not supported; write a correlation rule%s" :
		    "unexpected '%s'", c.tok);
	return n;
}

static struct sigma_node *
compile_detection(struct loader *L, yaml_node_t *dkey, yaml_node_t *dn)
{
	struct sel *sels = NULL, *ns;
	struct sigma_node *cond = NULL, *k;
	yaml_node_t *cn = NULL, *kn, *x;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	size_t nsels = 0;

	if (dn->type != YAML_MAPPING_NODE) {
		RERR(L, dn, "detection must be a mapping of selections and a "
		    "condition");
		return NULL;
	}
	for (p = dn->data.mapping.pairs.start; p < dn->data.mapping.pairs.top;
	    p++) {
		kn = yamldoc_node(L->d, p->key);
		if (yamldoc_scalar(kn) == NULL) {
			RERR(L, kn, "selection names must be text");
			goto fail;
		}
		if (strcmp(yamldoc_scalar(kn), "condition") == 0) {
			cn = yamldoc_node(L->d, p->value);
			continue;
		}
		if (strcmp(yamldoc_scalar(kn), "timeframe") == 0) {
			RERR(L, kn, "timeframe is not supported; write a "
			    "correlation rule with a timespan");
			goto fail;
		}
		if ((k = compile_selection(L, yamldoc_node(L->d, p->value))) == NULL)
			goto fail;
		if ((ns = reallocarray(sels, nsels + 1, sizeof(*ns))) == NULL) {
			L->oom = 1;
			goto fail;
		}
		sels = ns;
		sels[nsels].name = yamldoc_scalar(kn);
		sels[nsels++].node = k;
	}
	if (cn == NULL) {
		RERR(L, dkey ? dkey : dn, "detection has no condition");
		goto fail;
	}
	if (cn->type == YAML_SEQUENCE_NODE) {
		if ((cond = node_new(L, NODE_OR)) == NULL)
			goto fail;
		for (it = cn->data.sequence.items.start;
		    it < cn->data.sequence.items.top; it++) {
			x = yamldoc_node(L->d, *it);
			if ((k = compile_condition(L, x, sels, nsels)) == NULL ||
			    node_add(L, cond, k) == -1)
				goto fail;
		}
		if (cond->nkids == 0) {
			RERR(L, cn, "empty condition");
			cond = NULL;
		}
	} else
		cond = compile_condition(L, cn, sels, nsels);
fail:
	free(sels);
	return cond;
}

/*
 * AND the conditions of the logsource mappings that apply to the rule's
 * detection: each a selection (as in a detection: a mapping is all of
 * it, a list any of its mappings) or, when it has a condition key, a
 * detection of its own (named selections and a condition, so it can say
 * "not").  They are compiled in the rule's context, with its field
 * mappings, and marked weak: the index builds the gates from them.
 * Returns the new condition, cond itself when no mapping applies, or
 * NULL (error reported).
 */
static struct sigma_node *
apply_logsource(struct loader *L, yaml_node_t *ls, struct sigma_node *cond)
{
	const struct sigma_lsmap *m;
	struct sigma_node *and = NULL, *k;
	struct yamldoc *save;
	yaml_node_t *cn;
	size_t i, j;
	const char *s;

	if (ls == NULL)
		return cond;
	if (ls->type != YAML_MAPPING_NODE) {
		RERR(L, ls, "logsource must be a mapping");
		return NULL;
	}
	for (i = 0; i < L->rs->nlsmap; i++) {
		m = &L->rs->lsmap[i];
		if (m->nm == 0 || m->cnode == NULL)
			continue;
		for (j = 0; j < m->nm; j++) {
			s = yamldoc_scalar(yamldoc_get(L->d, ls, m->mkeys[j]));
			if (s == NULL || strcasecmp(s, m->mvals[j]) != 0)
				break;
		}
		if (j < m->nm)
			continue;
		if (and == NULL && ((and = node_new(L, NODE_AND)) == NULL ||
		    node_add(L, and, cond) == -1))
			return NULL;
		save = L->d;
		L->d = m->cdoc;
		cn = m->cnode;
		if (cn->type == YAML_MAPPING_NODE &&
		    yamldoc_get(L->d, cn, "condition") != NULL)
			k = compile_detection(L, NULL, cn);
		else
			k = compile_selection(L, cn);
		L->d = save;
		if (k == NULL || node_add(L, and, k) == -1)
			return NULL;
		k->weak = 1;
	}
	return and ? and : cond;
}

/* ---- rules ----------------------------------------------------------- */

static void
corr_free(struct sigma_corr *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->refs);
	for (i = 0; i < c->ngroup; i++)
		free(c->groupnames[i]);
	free(c->groupnames);
	free(c->groupfield);
	free(c);
}

static void
rule_free(struct rule *r)
{
	struct sigma_node *n, *next;
	size_t i;

	if (r == NULL)
		return;
	free(r->title);
	free(r->id);
	free(r->name);
	free(r->level);
	free(r->status);
	free(r->description);
	for (i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	free(r->summary);
	for (n = r->nodes; n != NULL; n = next) {
		next = n->next;
		free(n->kids);
		leaf_free(n->leaf);
		free(n);
	}
	corr_free(r->corr);
	for (i = 0; i < r->nextract; i++)
		pcre2_code_free(r->extract[i].re);
	json_decref(r->custom);
	free(r->logsource);
	free(r->extract);
	free(r->consumers);
	free(r->grouptmp);
	free(r);
}

static int
dupstr(struct loader *L, char **dst, yaml_node_t *n, const char *what)
{
	const char *s = yamldoc_scalar(n);

	if (n == NULL)
		return 0;
	if (s == NULL) {
		RERR(L, n, "%s must be text", what);
		return -1;
	}
	free(*dst);		/* a repeated key: the last one counts */
	if ((*dst = strdup(s)) == NULL) {
		L->oom = 1;
		return -1;
	}
	return 0;
}

/* Check a summary template's braces. */
static int
check_template(struct loader *L, yaml_node_t *n, const char *t)
{
	const char *p;

	for (p = t; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] == '{') {
			p++;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			p++;
			continue;
		}
		if (*p == '}') {
			RERR(L, n, "summary template: '}' without '{' (write "
			    "'}}' for a brace)");
			return -1;
		}
		if (*p == '{') {
			const char *q = strchr(p, '}');

			if (q == NULL || q == p + 1) {
				RERR(L, n, "summary template: '{' without a field "
				    "name and '}' (write '{{' for a brace)");
				return -1;
			}
			p = q;
		}
	}
	return 0;
}

static int
compile_ward(struct loader *L, struct rule *r, yaml_node_t *wn,
    yaml_node_t **deadman, yaml_node_t **groupby)
{
	yaml_node_t *x, *k;
	yaml_node_pair_t *p;
	struct sigma_extract *e;
	int rc, f;

	*deadman = NULL;
	*groupby = NULL;
	if (wn == NULL)
		return 0;
	if (wn->type != YAML_MAPPING_NODE) {
		RERR(L, wn, "ward must be a mapping (summary, deadman, "
		    "extract, alert)");
		return -1;
	}
	for (p = wn->data.mapping.pairs.start; p < wn->data.mapping.pairs.top;
	    p++) {
		k = yamldoc_node(L->d, p->key);
		x = yamldoc_node(L->d, p->value);
		if (yamldoc_scalar(k) == NULL) {
			RERR(L, k, "ward: keys must be text");
			return -1;
		}
		if (strcmp(yamldoc_scalar(k), "summary") == 0) {
			if (dupstr(L, &r->summary, x, "ward.summary") == -1 ||
			    check_template(L, x, r->summary) == -1)
				return -1;
		} else if (strcmp(yamldoc_scalar(k), "deadman") == 0) {
			*deadman = x;
		} else if (strcmp(yamldoc_scalar(k), "group-by") == 0) {
			*groupby = x;
		} else if (strcmp(yamldoc_scalar(k), "alert") == 0) {
			if (yamldoc_bool(x, &rc) == -1) {
				RERR(L, x, "ward.alert takes true or false");
				return -1;
			}
			r->emit = rc ? 2 : -1;	/* forced, resolved later */
		} else if (strcmp(yamldoc_scalar(k), "extract") == 0) {
			yaml_node_pair_t *q;

			if (x->type != YAML_MAPPING_NODE) {
				RERR(L, x, "ward.extract maps fields to regular "
				    "expressions with one group");
				return -1;
			}
			for (q = x->data.mapping.pairs.start;
			    q < x->data.mapping.pairs.top; q++) {
				yaml_node_t *fk = yamldoc_node(L->d, q->key);
				yaml_node_t *fv = yamldoc_node(L->d, q->value);
				uint32_t ncap = 0;

				if (yamldoc_scalar(fk) == NULL || yamldoc_scalar(fv) == NULL) {
					RERR(L, fk, "ward.extract: field: regex");
					return -1;
				}
				if ((f = field_of(L, yamldoc_scalar(fk))) < 0) {
					RERR(L, fk, "'%s' is not a field name",
					    yamldoc_scalar(fk));
					return -1;
				}
				e = reallocarray(r->extract, r->nextract + 1,
				    sizeof(*e));
				if (e == NULL) {
					L->oom = 1;
					return -1;
				}
				r->extract = e;
				e = &e[r->nextract];
				e->field = f;
				if ((e->from = sigma_field_intern(L->rs,
				    "summary")) < 0) {
					L->oom = 1;
					return -1;
				}
				if ((e->re = re_compile(L, fv, yamldoc_scalar(fv), 0))
				    == NULL)
					return -1;
				r->nextract++;
				if (pcre2_pattern_info(e->re,
				    PCRE2_INFO_CAPTURECOUNT, &ncap) != 0 ||
				    ncap < 1) {
					RERR(L, fv, "ward.extract: the regular "
					    "expression needs a (group)");
					return -1;
				}
			}
		} else {
			RERR(L, k, "unknown ward key '%s' (summary, deadman, "
			    "extract, alert, group-by)", yamldoc_scalar(k));
			return -1;
		}
	}
	return 0;
}

/* Compile group-by names (a list of scalars) for refs and aliases. */
static int
compile_groupby(struct loader *L, struct sigma_corr *c, yaml_node_t *gn,
    yaml_node_t *aliases, struct rule **refrules)
{
	yaml_node_item_t *it;
	yaml_node_t *x, *al, *fv;
	size_t g, r;
	const char *name, *fname;
	int f;

	if (gn == NULL)
		return 0;
	if (yamldoc_scalar(gn) != NULL && !yamldoc_isnull(gn)) {
		RERR(L, gn, "group-by must be a list of fields");
		return -1;
	}
	if (gn->type != YAML_SEQUENCE_NODE)
		return 0;
	g = gn->data.sequence.items.top - gn->data.sequence.items.start;
	if ((c->groupnames = calloc(g, sizeof(char *))) == NULL ||
	    (c->groupfield = calloc(g * c->nrefs, sizeof(int))) == NULL) {
		L->oom = 1;
		return -1;
	}
	for (it = gn->data.sequence.items.start;
	    it < gn->data.sequence.items.top; it++) {
		x = yamldoc_node(L->d, *it);
		if ((name = yamldoc_scalar(x)) == NULL) {
			RERR(L, x, "group-by entries must be field names");
			return -1;
		}
		g = c->ngroup;
		if ((c->groupnames[g] = strdup(name)) == NULL) {
			L->oom = 1;
			return -1;
		}
		c->ngroup++;
		al = yamldoc_get(L->d, aliases, name);
		for (r = 0; r < c->nrefs; r++) {
			fname = name;
			if (al != NULL) {
				fv = NULL;
				if (refrules[r]->name != NULL)
					fv = yamldoc_get(L->d, al, refrules[r]->name);
				if (fv == NULL)
					fv = yamldoc_get(L->d, al, refrules[r]->id);
				if ((fname = yamldoc_scalar(fv)) == NULL) {
					RERR(L, al, "alias '%s' names no field "
					    "for rule '%s'", name,
					    refrules[r]->name ? refrules[r]->name :
					    refrules[r]->id);
					return -1;
				}
			}
			if ((f = field_of(L, fname)) < 0) {
				RERR(L, x, "'%s' is not a field name", fname);
				return -1;
			}
			c->groupfield[g * c->nrefs + r] = f;
		}
	}
	return 0;
}

static int
compile_corr_condition(struct loader *L, struct sigma_corr *c,
    yaml_node_t *cn, yaml_node_t **field)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *ks;
	double d;
	int64_t n;

	*field = NULL;
	c->lo = 1;
	c->hi = INT64_MAX;
	c->dlo = -INFINITY;
	c->dhi = INFINITY;
	c->pct = 50;
	if (cn == NULL) {
		if (c->type == CORR_EVENT_COUNT || c->type == CORR_VALUE_COUNT ||
		    CORR_AGGREGATES(c->type)) {
			RERR(L, L->d->y.nodes.start, "correlation: %s needs a "
			    "condition (gte: N ...)", c->type == CORR_EVENT_COUNT ?
			    "event_count" : "value_count");
			return -1;
		}
		c->lo = c->nrefs;
		return 0;
	}
	if (cn->type != YAML_MAPPING_NODE) {
		RERR(L, cn, "correlation condition must be a mapping such as "
		    "{gte: 10}");
		return -1;
	}
	for (p = cn->data.mapping.pairs.start; p < cn->data.mapping.pairs.top;
	    p++) {
		k = yamldoc_node(L->d, p->key);
		v = yamldoc_node(L->d, p->value);
		if ((ks = yamldoc_scalar(k)) == NULL) {
			RERR(L, k, "condition keys must be text");
			return -1;
		}
		if (strcmp(ks, "field") == 0) {
			*field = v;
			continue;
		}
		if (CORR_AGGREGATES(c->type)) {
			/* thresholds on a sum, mean or percentile: any number */
			if (yamldoc_scalar(v) == NULL || parse_number(yamldoc_scalar(v), &d) ==
			    -1) {
				RERR(L, v, "correlation condition '%s' takes a "
				    "number", ks);
				return -1;
			}
			if (strcmp(ks, "percentile") == 0 &&
			    c->type == CORR_VALUE_PERCENTILE && d >= 0 &&
			    d <= 100)
				c->pct = d;
			else if (strcmp(ks, "gt") == 0 || strcmp(ks, "gte") == 0) {
				c->dlo = d;
				c->dlo_open = ks[2] == '\0';
			} else if (strcmp(ks, "lt") == 0 ||
			    strcmp(ks, "lte") == 0) {
				c->dhi = d;
				c->dhi_open = ks[2] == '\0';
			} else if (strcmp(ks, "eq") == 0) {
				c->dlo = c->dhi = d;
				c->dlo_open = c->dhi_open = 0;
			} else {
				RERR(L, k, "unknown correlation condition '%s' "
				    "(gt, gte, lt, lte, eq, field%s)", ks,
				    c->type == CORR_VALUE_PERCENTILE ?
				    ", percentile from 0 to 100" : "");
				return -1;
			}
			continue;
		}
		if (yamldoc_scalar(v) == NULL || parse_number(yamldoc_scalar(v), &d) == -1 ||
		    d != floor(d) || d < 0 || d > 1e15) {
			RERR(L, v, "correlation condition '%s' takes a whole "
			    "number", ks);
			return -1;
		}
		n = (int64_t)d;
		if (strcmp(ks, "gt") == 0)
			c->lo = n + 1 > c->lo ? n + 1 : c->lo;
		else if (strcmp(ks, "gte") == 0)
			c->lo = n > c->lo ? n : c->lo;
		else if (strcmp(ks, "lt") == 0)
			c->hi = n - 1 < c->hi ? n - 1 : c->hi;
		else if (strcmp(ks, "lte") == 0)
			c->hi = n < c->hi ? n : c->hi;
		else if (strcmp(ks, "eq") == 0) {
			c->lo = n > c->lo ? n : c->lo;
			c->hi = n < c->hi ? n : c->hi;
		} else {
			RERR(L, k, "unknown correlation condition '%s' (gt, gte, "
			    "lt, lte, eq, field)", ks);
			return -1;
		}
	}
	if (c->lo > c->hi) {
		RERR(L, cn, "correlation condition can never hold");
		return -1;
	}
	if (c->type == CORR_TEMPORAL_ORDERED && c->lo != 1 &&
	    c->lo != (int64_t)c->nrefs) {
		RERR(L, cn, "temporal_ordered needs every rule, in order");
		return -1;
	}
	if (c->type == CORR_TEMPORAL_ORDERED)
		c->lo = c->nrefs;
	return 0;
}

static struct rule *
rule_new(struct loader *L)
{
	struct rule *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		L->oom = 1;
		return NULL;
	}
	snprintf(r->file, sizeof(r->file), "%s", L->d->file);
	r->line = yamldoc_line(yamldoc_root(L->d));
	return r;
}

static int
add_rule(struct loader *L, struct rule *r)
{
	struct rule **nr;
	struct sigma_map_ent *e;
	size_t i;
	const char *keys[2] = { r->id, r->name };

	for (i = 0; i < 2; i++) {
		if (keys[i] == NULL)
			continue;
		e = sigma_map_get(&L->rs->byname, keys[i], strlen(keys[i]));
		if (e != NULL) {
			lerr(L, r->file, r->line, "%s '%s' is already used by "
			    "%s:%u", i ? "name" : "id", keys[i],
			    L->rules[(uintptr_t)e->val - 1]->file,
			    L->rules[(uintptr_t)e->val - 1]->line);
			return -1;
		}
	}
	if (L->nrules >= MAX_RULES) {
		lerr(L, r->file, r->line, "too many rules (%d)", MAX_RULES);
		return -1;
	}
	if (L->nrules == L->caprules) {
		nr = reallocarray(L->rules, L->caprules ? L->caprules * 2 : 64,
		    sizeof(*nr));
		if (nr == NULL) {
			L->oom = 1;
			return -1;
		}
		L->rules = nr;
		L->caprules = L->caprules ? L->caprules * 2 : 64;
	}
	for (i = 0; i < 2; i++) {
		if (keys[i] == NULL || (i == 1 && r->id != NULL &&
		    strcmp(r->id, r->name) == 0))
			continue;
		if ((e = sigma_map_put(&L->rs->byname, keys[i],
		    strlen(keys[i]))) == NULL) {
			L->oom = 1;
			return -1;
		}
		e->val = (void *)(uintptr_t)(L->nrules + 1);
	}
	L->rules[L->nrules++] = r;
	return 0;
}

static const char *const top_keys[] = {
	"title", "id", "name", "status", "description", "author", "date",
	"modified", "references", "reference", "tags", "level", "logsource",
	"detection", "correlation", "falsepositives", "fields", "related",
	"license", "ward", "generate", "taxonomy", "scope",
};

/* Does logsource ls (a YAML mapping) have every (key, value) given? */
static int
ls_has(struct yamldoc *d, yaml_node_t *ls, char **keys, char **vals, size_t n)
{
	const char *s;
	size_t j;

	if (ls == NULL || ls->type != YAML_MAPPING_NODE)
		return n == 0;
	for (j = 0; j < n; j++)
		if ((s = yamldoc_scalar(yamldoc_get(d, ls, keys[j]))) == NULL ||
		    strcasecmp(s, vals[j]) != 0)
			return 0;
	return 1;
}

/* The field mappings for a rule with logsource ls: the most specific
   (most keys) first, the later loaded first among equals. */
static void
pick_fmaps(struct loader *L, yaml_node_t *ls)
{
	size_t i, j;
	const struct sigma_fmap *t;

	L->nfm = 0;
	for (i = L->rs->nfmaps; i-- > 0 && L->nfm < 32; ) {
		t = &L->rs->fmaps[i];
		if (t->nm > 0 && ls_has(L->d, ls, t->mkeys, t->mvals, t->nm))
			L->fm[L->nfm++] = t;
	}
	for (i = 1; i < L->nfm; i++)
		for (j = i; j > 0 && L->fm[j]->nm > L->fm[j - 1]->nm; j--) {
			t = L->fm[j];
			L->fm[j] = L->fm[j - 1];
			L->fm[j - 1] = t;
		}
}

/* A YAML node as JSON (scalars as text, null as null), or NULL (memory
   or too deep). */
static json_t *
yjson(struct yamldoc *d, yaml_node_t *n, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	json_t *o, *k;

	if (n == NULL || depth > 16)
		return NULL;
	if (n->type == YAML_SCALAR_NODE)
		return yamldoc_isnull(n) ? json_null() : json_stringn(yamldoc_scalar(n),
		    n->data.scalar.length);
	if (n->type == YAML_SEQUENCE_NODE) {
		if ((o = json_array()) == NULL)
			return NULL;
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++)
			if ((k = yjson(d, yamldoc_node(d, *it), depth + 1)) == NULL ||
			    json_array_append_new(o, k) == -1) {
				json_decref(o);
				return NULL;
			}
		return o;
	}
	if ((o = json_object()) == NULL)
		return NULL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		const char *key = yamldoc_scalar(yamldoc_node(d, p->key));

		if (key == NULL)
			continue;
		if ((k = yjson(d, yamldoc_node(d, p->value), depth + 1)) == NULL ||
		    json_object_set_new(o, key, k) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Levenshtein distance of a and b, up to 3 (longer is 3). */
static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[32], prev, t, best;

	if (la >= 31 || lb >= 31)
		return 3;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			t = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (t + 1 < row[j])
				row[j] = t + 1;
			prev = t;
			if (row[j] < best)
				best = row[j];
		}
		if (best >= 3)
			return 3;
	}
	return row[lb] < 3 ? row[lb] : 3;
}

/* The key s looks like a misspelling of, or NULL. */
static const char *
near_miss(const char *s)
{
	static const char *const vital[] = { "detection", "correlation",
	    "logsource" };
	size_t i;

	for (i = 0; i < sizeof(vital) / sizeof(*vital); i++)
		if (edit_distance(s, vital[i]) <= (strlen(vital[i]) > 6 ?
		    2 : 1))
			return vital[i];
	return NULL;
}

/* Compile one document into a rule (pass two). */
static void
compile_doc(struct loader *L, struct yamldoc *d)
{
	yaml_node_t *root, *x, *det, *corr, *dead = NULL, *k, *wgroup = NULL;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	struct rule *r = NULL;
	struct pending *np, pd;
	const char *s;
	size_t i;
	char buf[300];

	L->d = d;
	root = yamldoc_root(d);
	if (root == NULL)
		return;
	if (root->type != YAML_MAPPING_NODE) {
		RERR(L, root, "a rule must be a YAML mapping (title, "
		    "detection, ...)");
		return;
	}
	if (yamldoc_get(d, root, "ward-mapping") != NULL)
		return;
	pick_fmaps(L, yamldoc_get(d, root, "logsource"));
	if ((r = L->r = rule_new(L)) == NULL)
		goto fail;
	if ((x = yamldoc_get(d, root, "logsource")) != NULL &&
	    x->type == YAML_MAPPING_NODE) {
		const char *pr = yamldoc_scalar(yamldoc_get(d, x, "product"));
		const char *ca = yamldoc_scalar(yamldoc_get(d, x, "category"));
		const char *se = yamldoc_scalar(yamldoc_get(d, x, "service"));

		if (asprintf(&r->logsource, "%s/%s/%s", pr ? pr : "-", ca ? ca :
		    "-", se ? se : "-") == -1) {
			r->logsource = NULL;
			goto oom;
		}
	}
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yamldoc_node(d, p->key);
		if ((s = yamldoc_scalar(k)) == NULL) {
			RERR(L, k, "rule keys must be text");
			goto fail;
		}
		for (i = 0; i < sizeof(top_keys) / sizeof(*top_keys); i++)
			if (strcmp(s, top_keys[i]) == 0)
				break;
		/* Sigma v2: any other key is a custom attribute, kept.  One
		   a letter or two from detection or correlation is refused
		   when the rule has neither (logsource: when it has none). */
		if (i == sizeof(top_keys) / sizeof(*top_keys) &&
		    near_miss(s) != NULL && yamldoc_get(d, root, near_miss(s)) ==
		    NULL && (strcmp(near_miss(s), "logsource") == 0 ||
		    (yamldoc_get(d, root, "detection") == NULL &&
		    yamldoc_get(d, root, "correlation") == NULL))) {
			RERR(L, k, "unknown key '%s': did you mean '%s'?", s,
			    near_miss(s));
			goto fail;
		}
		if (i == sizeof(top_keys) / sizeof(*top_keys)) {
			json_t *v = yjson(d, yamldoc_node(d, p->value), 0);

			if (v == NULL)
				goto oom;
			if (r->custom == NULL && (r->custom = json_object()) ==
			    NULL) {
				json_decref(v);
				goto oom;
			}
			if (json_object_set_new(r->custom, s, v) == -1)
				goto oom;
		}
	}
	if (dupstr(L, &r->title, x = yamldoc_get(d, root, "title"), "title") == -1 ||
	    dupstr(L, &r->id, yamldoc_get(d, root, "id"), "id") == -1 ||
	    dupstr(L, &r->name, yamldoc_get(d, root, "name"), "name") == -1 ||
	    dupstr(L, &r->status, yamldoc_get(d, root, "status"), "status") == -1 ||
	    dupstr(L, &r->description, yamldoc_get(d, root, "description"),
	    "description") == -1 ||
	    dupstr(L, &r->level, yamldoc_get(d, root, "level"), "level") == -1)
		goto fail;
	if (r->name != NULL || r->id != NULL) {
		/* so a correlation naming it can say why it is missing */
		sigma_map_put(&L->failed, r->name ? r->name : r->id,
		    strlen(r->name ? r->name : r->id));
		if (r->name && r->id)
			sigma_map_put(&L->failed, r->id, strlen(r->id));
	}
	if (r->title == NULL || *r->title == '\0') {
		RERR(L, root, "rule has no title");
		goto fail;
	}
	if (r->level == NULL && (r->level = strdup("medium")) == NULL)
		goto oom;
	for (i = 0; i < sizeof(levels) / sizeof(*levels); i++)
		if (strcmp(r->level, levels[i]) == 0)
			break;
	if (i == sizeof(levels) / sizeof(*levels)) {
		RERR(L, yamldoc_get(d, root, "level"), "level '%s' is not one of "
		    "informational, low, medium, high, critical", r->level);
		goto fail;
	}
	if ((x = yamldoc_get(d, root, "tags")) != NULL) {
		if (x->type != YAML_SEQUENCE_NODE) {
			RERR(L, x, "tags must be a list");
			goto fail;
		}
		i = x->data.sequence.items.top - x->data.sequence.items.start;
		if ((r->tags = calloc(i + 1, sizeof(char *))) == NULL)
			goto oom;
		for (it = x->data.sequence.items.start;
		    it < x->data.sequence.items.top; it++)
			if (dupstr(L, &r->tags[r->ntags++], yamldoc_node(d, *it),
			    "a tag") == -1)
				goto fail;
	}
	if (compile_ward(L, r, yamldoc_get(d, root, "ward"), &dead, &wgroup) == -1)
		goto fail;
	det = yamldoc_get(d, root, "detection");
	corr = yamldoc_get(d, root, "correlation");
	if (det != NULL && corr != NULL) {
		RERR(L, corr, "a rule has a detection or a correlation, not "
		    "both");
		goto fail;
	}
	if (det == NULL && corr == NULL) {
		RERR(L, root, "rule '%s' has no detection and no correlation",
		    r->title);
		goto fail;
	}
	if (r->id == NULL) {
		if (r->name != NULL)
			r->id = strdup(r->name);
		else {
			const char *base = strrchr(d->file, '/');

			snprintf(buf, sizeof(buf), "%s#%zu", base ? base + 1 :
			    d->file, d->nth);
			r->id = strdup(buf);
		}
		if (r->id == NULL)
			goto oom;
	}
	if (det != NULL) {
		r->kind = dead ? RULE_DEADMAN : RULE_DETECTION;
		if ((r->cond = compile_detection(L, ykey(d, root, "detection"),
		    det)) == NULL)
			goto fail;
		if ((r->cond = apply_logsource(L, yamldoc_get(d, root, "logsource"),
		    r->cond)) == NULL)
			goto fail;
		if (dead != NULL) {
			yaml_node_t *ts = yamldoc_get(d, dead, "timespan");
			struct rule *self = r;

			if (dead->type != YAML_MAPPING_NODE || ts == NULL) {
				RERR(L, dead, "ward.deadman needs a timespan "
				    "(and may have a group-by list)");
				goto fail;
			}
			if ((r->corr = calloc(1, sizeof(*r->corr))) == NULL ||
			    (r->corr->refs = calloc(1, sizeof(size_t))) == NULL)
				goto oom;
			r->corr->nrefs = 1;
			r->corr->valuefield = -1;
			if (yamldoc_scalar(ts) == NULL || parse_span(yamldoc_scalar(ts),
			    &r->corr->span_us) == -1) {
				RERR(L, ts, "timespan '%s' is not a duration "
				    "such as 30s, 10m, 2h, 1d", yamldoc_scalar(ts) ?
				    yamldoc_scalar(ts) : "");
				goto fail;
			}
			x = yamldoc_get(d, dead, "group-by");
			if (compile_groupby(L, r->corr, x ? x : wgroup, NULL,
			    &self) == -1)
				goto fail;
		} else if (wgroup != NULL) {
			struct rule *self = r;

			if ((r->corr = calloc(1, sizeof(*r->corr))) == NULL ||
			    (r->corr->refs = calloc(1, sizeof(size_t))) == NULL)
				goto oom;
			r->corr->nrefs = 1;
			r->corr->valuefield = -1;
			if (compile_groupby(L, r->corr, wgroup, NULL, &self) == -1)
				goto fail;
		}
		if (add_rule(L, r) == -1)
			goto fail;
		r->index = L->nrules - 1;
		L->r = NULL;
		return;
	}
	/* correlation: the references are resolved in pass three */
	if (dead != NULL || wgroup != NULL) {
		RERR(L, dead ? dead : wgroup, "ward.%s goes with a detection "
		    "(a correlation has its own group-by)", dead ? "deadman" :
		    "group-by");
		goto fail;
	}
	r->kind = RULE_CORRELATION;
	if (corr->type != YAML_MAPPING_NODE) {
		RERR(L, corr, "correlation must be a mapping (type, rules, "
		    "group-by, timespan, condition)");
		goto fail;
	}
	if ((r->corr = calloc(1, sizeof(*r->corr))) == NULL)
		goto oom;
	r->corr->valuefield = -1;
	memset(&pd, 0, sizeof(pd));
	x = yamldoc_get(d, corr, "type");
	if ((s = yamldoc_scalar(x)) == NULL) {
		RERR(L, x ? x : corr, "correlation needs a type (event_count, "
		    "value_count, temporal, temporal_ordered)");
		goto fail;
	}
	if (strcmp(s, "event_count") == 0)
		r->corr->type = CORR_EVENT_COUNT;
	else if (strcmp(s, "value_count") == 0)
		r->corr->type = CORR_VALUE_COUNT;
	else if (strcmp(s, "temporal") == 0)
		r->corr->type = CORR_TEMPORAL;
	else if (strcmp(s, "temporal_ordered") == 0)
		r->corr->type = CORR_TEMPORAL_ORDERED;
	else if (strcmp(s, "value_sum") == 0)
		r->corr->type = CORR_VALUE_SUM;
	else if (strcmp(s, "value_avg") == 0)
		r->corr->type = CORR_VALUE_AVG;
	else if (strcmp(s, "value_percentile") == 0)
		r->corr->type = CORR_VALUE_PERCENTILE;
	else if (strcmp(s, "value_median") == 0)
		r->corr->type = CORR_VALUE_MEDIAN;
	else {
		RERR(L, x, "unknown correlation type '%s' (event_count, "
		    "value_count, temporal, temporal_ordered, value_sum, "
		    "value_avg, value_percentile, value_median)", s);
		goto fail;
	}
	for (p = corr->data.mapping.pairs.start;
	    p < corr->data.mapping.pairs.top; p++) {
		static const char *const ck[] = { "type", "rules", "group-by",
		    "timespan", "timeframe", "condition", "aliases",
		    "generate" };

		k = yamldoc_node(d, p->key);
		s = yamldoc_scalar(k);
		for (i = 0; s != NULL && i < sizeof(ck) / sizeof(*ck); i++)
			if (strcmp(s, ck[i]) == 0)
				break;
		if (s == NULL || i == sizeof(ck) / sizeof(*ck)) {
			RERR(L, k, "unknown correlation key '%s'", s ? s : "");
			goto fail;
		}
	}
	pd.rules = yamldoc_get(d, corr, "rules");
	if (pd.rules == NULL || (pd.rules->type != YAML_SEQUENCE_NODE &&
	    yamldoc_scalar(pd.rules) == NULL) || (pd.rules->type ==
	    YAML_SEQUENCE_NODE && pd.rules->data.sequence.items.top ==
	    pd.rules->data.sequence.items.start)) {
		RERR(L, pd.rules ? pd.rules : corr, "correlation needs rules: "
		    "a list of rule names or ids");
		goto fail;
	}
	x = yamldoc_get(d, corr, "timespan");
	if (x == NULL)
		x = yamldoc_get(d, corr, "timeframe");
	if (x == NULL || yamldoc_scalar(x) == NULL || parse_span(yamldoc_scalar(x),
	    &r->corr->span_us) == -1) {
		RERR(L, x ? x : corr, "correlation needs a timespan such as "
		    "30s, 10m, 2h, 1d");
		goto fail;
	}
	pd.groupby = yamldoc_get(d, corr, "group-by");
	pd.aliases = yamldoc_get(d, corr, "aliases");
	if ((x = yamldoc_get(d, corr, "generate")) != NULL && yamldoc_bool(x, &pd.generate)
	    == -1) {
		RERR(L, x, "generate takes true or false");
		goto fail;
	}
	if ((x = yamldoc_get(d, root, "generate")) != NULL && yamldoc_bool(x, &pd.generate)
	    == -1) {
		RERR(L, x, "generate takes true or false");
		goto fail;
	}
	/* the condition is checked in pass three, once nrefs is known */
	if (add_rule(L, r) == -1)
		goto fail;
	r->index = L->nrules - 1;
	pd.rule = L->nrules - 1;
	pd.d = d;
	pd.field = yamldoc_get(d, corr, "condition");
	if ((np = reallocarray(L->pend, L->npend + 1, sizeof(*np))) == NULL) {
		L->nrules--;
		goto oom;
	}
	L->pend = np;
	L->pend[L->npend++] = pd;
	L->r = NULL;
	return;
oom:
	L->oom = 1;
	RERR(L, root, "out of memory");
fail:
	L->r = NULL;
	rule_free(r);
}

/* ---- pass one: ward-mapping documents -------------------------------- */

static int
strv_add(char ***v, size_t n, const char *s)
{
	char **nv;

	if ((nv = reallocarray(*v, n + 1, sizeof(*nv))) == NULL)
		return -1;
	*v = nv;
	return (nv[n] = strdup(s)) == NULL ? -1 : 0;
}

static int
lsmap_add(struct ruleset *rs, struct sigma_lsmap **out)
{
	struct sigma_lsmap *n;

	n = reallocarray(rs->lsmap, rs->nlsmap + 1, sizeof(*n));
	if (n == NULL)
		return -1;
	rs->lsmap = n;
	*out = &n[rs->nlsmap++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

static int
fieldmap_put(struct sigma_map *map, const char *name, const char *path)
{
	struct sigma_map_ent *e;
	char low[256];
	size_t n = strlen(name);
	char *v;

	if (n >= sizeof(low))
		return -1;
	memcpy(low, name, n + 1);
	lower(low, n);
	if ((v = strdup(path)) == NULL)
		return -1;
	if ((e = sigma_map_put(map, low, n)) == NULL) {
		free(v);
		return -1;
	}
	free(e->val);
	e->val = v;
	return 0;
}

static int
fieldmap_set(struct ruleset *rs, const char *name, const char *path)
{
	return fieldmap_put(&rs->fieldmap, name, path);
}

/*
 * The default field mapping.  There is no default logsource condition:
 * which events a logsource stands for is data, in the mapping documents
 * (share/mappings), so a rule loaded without them is tried on every event.
 */
static int
mapping_defaults(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < sizeof(default_fields) / sizeof(*default_fields); i++)
		if (fieldmap_set(rs, default_fields[i][0],
		    default_fields[i][1]) == -1)
			return -1;
	return 0;
}

static int
scalar_pairs(struct loader *L, yaml_node_t *mn, char ***keys, char ***vals,
    size_t *n)
{
	yaml_node_pair_t *p;
	const char *k, *v;

	if (mn == NULL || mn->type != YAML_MAPPING_NODE) {
		RERR(L, mn, "expected a mapping of names to values");
		return -1;
	}
	for (p = mn->data.mapping.pairs.start; p < mn->data.mapping.pairs.top;
	    p++) {
		k = yamldoc_scalar(yamldoc_node(L->d, p->key));
		v = yamldoc_scalar(yamldoc_node(L->d, p->value));
		if (k == NULL || v == NULL) {
			RERR(L, yamldoc_node(L->d, p->key), "expected name: value");
			return -1;
		}
		if (strv_add(keys, *n, k) == -1 || strv_add(vals, *n, v) == -1) {
			L->oom = 1;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static void
load_mapping(struct loader *L, struct yamldoc *d)
{
	yaml_node_t *root, *wm, *f, *ls, *x, *cn;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	struct sigma_lsmap *m;
	struct sigma_fmap *fm;
	struct sigma_map *target;

	L->d = d;
	root = yamldoc_root(d);
	if (root == NULL || root->type != YAML_MAPPING_NODE ||
	    (wm = yamldoc_get(d, root, "ward-mapping")) == NULL)
		return;
	if (wm->type != YAML_MAPPING_NODE) {
		RERR(L, wm, "ward-mapping holds fields and logsources");
		return;
	}
	target = &L->rs->fieldmap;
	if ((x = yamldoc_get(d, wm, "logsource")) != NULL) {
		struct sigma_fmap *nf;

		nf = reallocarray(L->rs->fmaps, L->rs->nfmaps + 1,
		    sizeof(*nf));
		if (nf == NULL) {
			L->oom = 1;
			return;
		}
		L->rs->fmaps = nf;
		fm = &nf[L->rs->nfmaps++];
		memset(fm, 0, sizeof(*fm));
		if (scalar_pairs(L, x, &fm->mkeys, &fm->mvals, &fm->nm) == -1)
			return;
		target = &fm->fields;
	}
	if ((f = yamldoc_get(d, wm, "fields")) != NULL) {
		if (f->type != YAML_MAPPING_NODE) {
			RERR(L, f, "ward-mapping fields: Sigma name: ward field");
			return;
		}
		for (p = f->data.mapping.pairs.start;
		    p < f->data.mapping.pairs.top; p++) {
			const char *k = yamldoc_scalar(yamldoc_node(d, p->key));
			yaml_node_t *vn = yamldoc_node(d, p->value);
			const char *v = yamldoc_scalar(vn);
			struct buf alts;
			int bad = 0;

			buf_init(&alts);
			if (vn != NULL && vn->type == YAML_SEQUENCE_NODE) {
				for (it = vn->data.sequence.items.start;
				    it < vn->data.sequence.items.top; it++) {
					const char *a = yamldoc_scalar(yamldoc_node(d, *it));

					if (a == NULL || *a == '\0' ||
					    strchr(a, '|') != NULL)
						bad = 1;
					else if ((alts.len > 0 &&
					    buf_puts(&alts, "|") == -1) ||
					    buf_puts(&alts, a) == -1)
						L->oom = 1;
				}
				if (buf_puts(&alts, "") == -1)
					L->oom = 1;
				v = alts.len > 0 ? alts.data : NULL;
			}
			if (k == NULL || v == NULL || *v == '\0' || bad) {
				RERR(L, yamldoc_node(d, p->key), "ward-mapping fields: "
				    "Sigma name: ward field, or a list of ward "
				    "fields (the first the event has)");
				buf_release(&alts);
				return;
			}
			if (L->oom || fieldmap_put(target, k, v) == -1) {
				L->oom = 1;
				buf_release(&alts);
				return;
			}
			buf_release(&alts);
		}
	}
	if ((ls = yamldoc_get(d, wm, "logsources")) != NULL) {
		if (ls->type != YAML_SEQUENCE_NODE) {
			RERR(L, ls, "ward-mapping logsources is a list of "
			    "{logsource: ..., conditions: ...}");
			return;
		}
		for (it = ls->data.sequence.items.start;
		    it < ls->data.sequence.items.top; it++) {
			x = yamldoc_node(d, *it);
			cn = yamldoc_get(d, x, "conditions");
			if (yamldoc_get(d, x, "logsource") == NULL || cn == NULL) {
				RERR(L, x, "each logsources entry needs "
				    "logsource and conditions");
				return;
			}
			if (cn->type == YAML_SCALAR_NODE) {
				RERR(L, cn, "conditions is a selection (a "
				    "mapping, or a list of them) or named "
				    "selections and a condition");
				return;
			}
			if (lsmap_add(L->rs, &m) == -1) {
				L->oom = 1;
				return;
			}
			if (scalar_pairs(L, yamldoc_get(d, x, "logsource"), &m->mkeys,
			    &m->mvals, &m->nm) == -1) {
				m->nm = 0;	/* never applies */
				return;
			}
			/* compiled with each rule it applies to */
			m->cdoc = d;
			m->cnode = cn;
		}
	}
}

/* ---- pass three: correlations ---------------------------------------- */

static int
resolve_pending(struct loader *L, struct pending *pd)
{
	struct rule *r = L->rules[pd->rule], **refrules = NULL;
	struct sigma_corr *c = r->corr;
	struct sigma_map_ent *e;
	yaml_node_item_t *start, *end;
	yaml_node_t *x, *field = NULL, *one[1];
	const char *s;
	size_t i;

	L->d = pd->d;
	L->nfm = 0;
	one[0] = pd->rules;
	if (pd->rules->type == YAML_SEQUENCE_NODE) {
		start = pd->rules->data.sequence.items.start;
		end = pd->rules->data.sequence.items.top;
	} else
		start = end = NULL;
	c->nrefs = start ? (size_t)(end - start) : 1;
	if (c->nrefs > MAX_REFS) {
		RERR(L, pd->rules, "a correlation may name at most %d rules",
		    MAX_REFS);
		return -1;
	}
	if ((c->refs = calloc(c->nrefs, sizeof(*c->refs))) == NULL ||
	    (refrules = calloc(c->nrefs, sizeof(*refrules))) == NULL) {
		L->oom = 1;
		goto fail;
	}
	for (i = 0; i < c->nrefs; i++) {
		x = start ? yamldoc_node(pd->d, start[i]) : one[0];
		if ((s = yamldoc_scalar(x)) == NULL) {
			RERR(L, x, "rules lists rule names or ids");
			goto fail;
		}
		if ((e = sigma_map_get(&L->rs->byname, s, strlen(s))) == NULL) {
			if (sigma_map_get(&L->failed, s, strlen(s)) != NULL)
				RERR(L, x, "correlation '%s' refers to '%s', "
				    "which did not load", r->title, s);
			else
				RERR(L, x, "correlation '%s' refers to '%s': no "
				    "rule has that name or id", r->title, s);
			goto fail;
		}
		c->refs[i] = (uintptr_t)e->val - 1;
		refrules[i] = L->rules[c->refs[i]];
		if (c->refs[i] == pd->rule) {
			RERR(L, x, "correlation '%s' refers to itself",
			    r->title);
			goto fail;
		}
	}
	if (pd->aliases != NULL && pd->aliases->type != YAML_MAPPING_NODE) {
		RERR(L, pd->aliases, "aliases: alias: {rule name: field}");
		goto fail;
	}
	if (compile_groupby(L, c, pd->groupby, pd->aliases, refrules) == -1)
		goto fail;
	if (compile_corr_condition(L, c, pd->field, &field) == -1)
		goto fail;
	if (c->type == CORR_VALUE_COUNT || CORR_AGGREGATES(c->type)) {
		if ((s = yamldoc_scalar(field)) == NULL) {
			RERR(L, pd->field ? pd->field : pd->rules,
			    "%s needs condition: {field: NAME, gte: N}",
			    c->type == CORR_VALUE_COUNT ? "value_count" :
			    "a value_* correlation");
			goto fail;
		}
		if ((c->valuefield = field_of(L, s)) < 0) {
			RERR(L, field, "'%s' is not a field name", s);
			goto fail;
		}
	} else if (field != NULL) {
		RERR(L, field, "field goes with value_count only");
		goto fail;
	}
	free(refrules);
	return 0;
fail:
	free(refrules);
	return -1;
}

/* Mark bad every correlation that (transitively) needs a bad rule or
   sits on a loop. */
static int
visit(struct loader *L, size_t i, char *color, char *bad)
{
	struct rule *r = L->rules[i];
	size_t k;

	if (color[i] == 2)
		return bad[i];
	if (color[i] == 1) {
		lerr(L, r->file, r->line, "correlation '%s' is part of a loop "
		    "of correlations", r->title);
		return bad[i] = 1;
	}
	color[i] = 1;
	if (r->kind == RULE_CORRELATION && !bad[i])
		for (k = 0; k < r->corr->nrefs; k++)
			if (visit(L, r->corr->refs[k], color, bad)) {
				if (!bad[i])
					lerr(L, r->file, r->line, "correlation "
					    "'%s' refers to '%s', which did not "
					    "load", r->title,
					    L->rules[r->corr->refs[k]]->title);
				bad[i] = 1;
				break;
			}
	color[i] = 2;
	return bad[i];
}

static int
finish(struct loader *L)
{
	struct ruleset *rs = L->rs;
	char *color = NULL, *bad = NULL;
	size_t *newidx = NULL, i, k, j, n;
	struct rule *r, *t;
	struct sigma_map_ent *e;
	size_t *nc;
	int rc = -1;

	n = L->nrules;
	if ((color = calloc(n + 1, 1)) == NULL ||
	    (bad = calloc(n + 1, 1)) == NULL ||
	    (newidx = calloc(n + 1, sizeof(*newidx))) == NULL)
		goto fail;
	for (i = 0; i < L->npend; i++)
		if (resolve_pending(L, &L->pend[i]) == -1)
			bad[L->pend[i].rule] = 1;
	for (i = 0; i < n; i++)
		visit(L, i, color, bad);
	/* compact, renumbering references */
	for (i = k = 0; i < n; i++)
		newidx[i] = bad[i] ? SIZE_MAX : k++;
	if ((rs->rules = calloc(k + 1, sizeof(*rs->rules))) == NULL)
		goto fail;
	sigma_map_release(&rs->byname);
	for (i = 0; i < n; i++) {
		r = L->rules[i];
		if (bad[i]) {
			rule_free(r);
			L->rules[i] = NULL;
			continue;
		}
		r->index = newidx[i];
		if (r->kind == RULE_CORRELATION)
			for (j = 0; j < r->corr->nrefs; j++)
				r->corr->refs[j] = newidx[r->corr->refs[j]];
		else if (r->corr != NULL)
			r->corr->refs[0] = r->index;
		rs->rules[rs->nrules++] = r;
		L->rules[i] = NULL;
		if ((e = sigma_map_put(&rs->byname, r->id, strlen(r->id))) ==
		    NULL)
			goto fail;
		e->val = (void *)(uintptr_t)(r->index + 1);
		if (r->name != NULL) {
			if ((e = sigma_map_put(&rs->byname, r->name,
			    strlen(r->name))) == NULL)
				goto fail;
			e->val = (void *)(uintptr_t)(r->index + 1);
		}
	}
	/* consumers and who reports its own matches */
	for (i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		if (r->emit == 0)
			r->emit = 1;
	}
	for (i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		if (r->kind != RULE_CORRELATION)
			continue;
		for (j = 0; j < r->corr->nrefs; j++) {
			t = rs->rules[r->corr->refs[j]];
			nc = reallocarray(t->consumers, t->nconsumers + 1,
			    sizeof(*nc));
			if (nc == NULL)
				goto fail;
			t->consumers = nc;
			nc[t->nconsumers++] = i << 8 | j;
		}
	}
	for (i = 0; i < L->npend; i++) {
		if (bad[L->pend[i].rule] || L->pend[i].generate)
			continue;
		r = rs->rules[newidx[L->pend[i].rule]];
		for (j = 0; j < r->corr->nrefs; j++) {
			t = rs->rules[r->corr->refs[j]];
			/* a building block of a correlation in its own file */
			if (t->emit == 1 && strcmp(t->file, r->file) == 0)
				t->emit = 0;
		}
	}
	for (i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		r->emit = r->emit == 2 ? 1 : r->emit == -1 ? 0 : r->emit;
	}
	rc = 0;
fail:
	free(color);
	free(bad);
	free(newidx);
	return rc;
}

/* ---- files ----------------------------------------------------------- */

/* Keep the documents of f (NULL: reading it failed with err at line). */
static void
add_file(struct loader *L, struct yamldoc_file *f, const char *name,
    const char *err, unsigned line)
{
	struct yamldoc_file **nf;
	struct yamldoc **nd;
	size_t i;

	if (f == NULL) {
		if (strcmp(err, "out of memory") == 0)
			L->oom = 1;
		else
			lerr(L, name, line, "%s", err);
		return;
	}
	if ((nf = reallocarray(L->files, L->nfiles + 1, sizeof(*nf))) ==
	    NULL || (L->files = nf, (nd = reallocarray(L->docs, L->ndocs +
	    f->ndocs + 1, sizeof(*nd))) == NULL)) {
		yamldoc_file_free(f);
		L->oom = 1;
		return;
	}
	L->files[L->nfiles++] = f;
	L->docs = nd;
	for (i = 0; i < f->ndocs; i++)
		L->docs[L->ndocs++] = &f->docs[i];
}

static void
load_text(struct loader *L, const char *text, size_t len, const char *name)
{
	struct yamldoc_file *f;
	char err[256];
	unsigned line;

	f = yamldoc_parse(text, len, name, err, sizeof(err), &line);
	add_file(L, f, name, err, line);
}

static void
load_file(struct loader *L, const char *path)
{
	struct yamldoc_file *f;
	char err[256];
	unsigned line;

	f = yamldoc_load(path, err, sizeof(err), &line);
	add_file(L, f, path, err, line);
}

static int
sub_name(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void load_dir(struct loader *, const char *, int);

static void
load_path(struct loader *L, const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		lerr(L, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		load_file(L, path);
		return;
	}
	load_dir(L, path, 0);
}

/* Every *.yml and *.yaml file in directory path and those below it. */
static void
load_dir(struct loader *L, const char *path, int depth)
{
	struct dirent **names = NULL;
	struct stat st;
	char full[PATH_MAX];
	int i, n;

	if ((n = scandir(path, &names, yamldoc_filename, alphasort)) == -1) {
		lerr(L, path, 0, "cannot list: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			load_file(L, full);
		free(names[i]);
	}
	free(names);
	/* then the directories below, in name order (a rule pack such as
	   SigmaHQ's is a tree); hidden ones are not rules */
	if ((n = scandir(path, &names, sub_name, alphasort)) == -1)
		return;
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
		if (depth < 16 && stat(full, &st) == 0 && S_ISDIR(st.st_mode))
			load_dir(L, full, depth + 1);
		free(names[i]);
	}
	free(names);
}

static struct ruleset *
load(struct loader *L)
{
	struct ruleset *rs = L->rs;
	size_t i;

	for (i = 0; i < L->ndocs; i++)
		load_mapping(L, L->docs[i]);
	for (i = 0; i < L->ndocs && !L->oom; i++)
		compile_doc(L, L->docs[i]);
	if (!L->oom && finish(L) == -1)
		L->oom = 1;
	if (!L->oom && sigma_index_build(rs) == -1)
		L->oom = 1;
	for (i = 0; i < L->nfiles; i++)
		yamldoc_file_free(L->files[i]);
	free(L->files);
	free(L->docs);
	for (i = 0; i < L->nrules; i++)
		rule_free(L->rules[i]);
	free(L->rules);
	free(L->pend);
	sigma_map_release(&L->failed);
	if (L->oom) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static int
loader_init(struct loader *L, rule_errcb errcb, void *arg)
{
	memset(L, 0, sizeof(*L));
	L->errcb = errcb;
	L->arg = arg;
	if ((L->rs = calloc(1, sizeof(*L->rs))) == NULL)
		return -1;
	if (mapping_defaults(L->rs) == -1) {
		ruleset_free(L->rs);
		return -1;
	}
	return 0;
}

struct ruleset *
ruleset_load(const char *const *paths, size_t npaths, rule_errcb errcb,
    void *arg, size_t *nerr)
{
	struct loader L;
	struct ruleset *rs;
	size_t i;

	if (loader_init(&L, errcb, arg) == -1)
		return NULL;
	for (i = 0; i < npaths; i++)
		load_path(&L, paths[i]);
	rs = load(&L);
	if (nerr != NULL)
		*nerr = L.nerr;
	return rs;
}

struct ruleset *
ruleset_load_string(const char *text, size_t len, const char *name,
    rule_errcb errcb, void *arg, size_t *nerr)
{
	struct loader L;
	struct ruleset *rs;

	if (loader_init(&L, errcb, arg) == -1)
		return NULL;
	load_text(&L, text, len, name);
	rs = load(&L);
	if (nerr != NULL)
		*nerr = L.nerr;
	return rs;
}

void
ruleset_free(struct ruleset *rs)
{
	struct sigma_map_ent *e;
	size_t i, j, k;

	if (rs == NULL)
		return;
	sigma_index_free(rs);
	for (i = 0; i < rs->nrules; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nfields; i++) {
		for (j = 0; j < rs->fields[i].ncomp; j++)
			free(rs->fields[i].comp[j]);
		free(rs->fields[i].comp);
		free(rs->fields[i].path);
		free(rs->fields[i].alts);
	}
	for (i = 0; i < rs->nfmaps; i++) {
		struct sigma_fmap *m = &rs->fmaps[i];

		for (j = 0; j < m->nm; j++) {
			free(m->mkeys[j]);
			free(m->mvals[j]);
		}
		free(m->mkeys);
		free(m->mvals);
		for (k = 0; (e = sigma_map_next(&m->fields, &k)) != NULL; k++)
			free(e->val);
		sigma_map_release(&m->fields);
	}
	free(rs->fmaps);
	free(rs->fields);
	sigma_map_release(&rs->fieldidx);
	sigma_map_release(&rs->byname);
	for (i = 0; (e = sigma_map_next(&rs->fieldmap, &i)) != NULL; i++)
		free(e->val);
	sigma_map_release(&rs->fieldmap);
	for (i = 0; i < rs->nlsmap; i++) {
		struct sigma_lsmap *m = &rs->lsmap[i];

		for (j = 0; j < m->nm; j++) {
			free(m->mkeys[j]);
			free(m->mvals[j]);
		}
		free(m->mkeys);
		free(m->mvals);
	}
	free(rs->lsmap);
	free(rs);
}

size_t
ruleset_count(const struct ruleset *rs)
{
	return rs->nrules;
}

const struct rule *
ruleset_rule(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i] : NULL;
}

const struct rule *
ruleset_find(const struct ruleset *rs, const char *idname)
{
	struct sigma_map_ent *e;

	e = sigma_map_get(&rs->byname, idname, strlen(idname));
	return e ? rs->rules[(uintptr_t)e->val - 1] : NULL;
}
