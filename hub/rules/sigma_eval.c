/*
 * sigma_eval — matching events against a compiled ruleset.
 *
 * Rules are not tried one by one.  When the ruleset loads, each detection
 * rule gets up to MAX_CLAUSES clauses: sets of anchors, each set holding
 * (one of its anchors at least) in every event the rule matches; an AND
 * gives a clause per condition it ANDs, the most selective kept, an OR
 * one clause merged from the best of each branch.  An anchor is a field
 * equal to a value, or starting or ending with a one- or two-byte
 * literal (a hash table keyed by field and lower-cased text), or a
 * literal a field contains, starts or ends with (an Aho-Corasick
 * automaton over lower-cased text, one per group of fields that share a
 * path).  Regular expressions give the literals they require.  A rule
 * becomes a candidate when every clause has fired; the rules without a
 * clause are candidates always.
 *
 * Per event: a walk over the event's keys says which fields it has (a
 * field the walk did not see is missing, without a lookup); the index
 * runs over those fields only, each automaton once over each distinct
 * value; the conditions a logsource mapping adds to rules (the gates)
 * are decided once for all the rules that share them; then each
 * candidate behind an open gate is evaluated in full.  The automata also
 * record the literals of the rules' case-insensitive contains (and the
 * literals regular expressions require) they meet, so evaluating those
 * reads a bit.
 */
#define SIGMA_INTERNAL
#include <arpa/inet.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "glob.h"
#include "sigma.h"
#include "timeparse.h"

#define MIN_LITERAL	3
/* A rule with more anchors than this is tried on every event (its
   selection lists thousands of values: hashes, emoji). */
#define MAX_ANCHORS	8192
/* A rule is a candidate when this many of its clauses (anchor sets
   from different conditions it ANDs) have fired, or all it has: more
   than one keeps a rule keyed on a common value (Initiated: 'true') from
   being tried on every event of its source. */
#define MAX_CLAUSES	3
/* What an anchor asks of its field: the literal is its text, is in it
   anywhere, at its start or at its end. */
enum { AK_CONTAINS, AK_EQ, AK_START, AK_END,
	AK_SSTART, AK_SEND	/* a literal too short for the automata that
				   the field starts or ends with: the hash
				   table's, under the field tagged */
};
#define TAG_END		(1 << 30)
#define TAG_START	(1 << 29)
/* An index entry for a rule: (rule << ID_SHIFT) | (AK_* << 3) | clause;
   for a literal, LIT_FLAG | its number.  An automaton's entries also
   carry the slot (a field of its group) they are for at SLOT_SHIFT. */
#define ID_SHIFT	5
#define SLOT_SHIFT	40
#define SLOT_MASK	((size_t)0xfffff)
#define ID_MASK		(((size_t)1 << SLOT_SHIFT) - 1)

/* What matching knows about one field of the current event. */
struct fval {
	uint32_t	 epoch;
	json_t		*v;		/* NULL when missing or null */
	json_t		*tmp;		/* a computed value we own */
	int		 scalar;	/* v has a text form */
	const char	*raw;		/* that form, once made (field_text) */
	size_t		 len;
	const char	*low;		/* lower-cased raw, when made */
	int		 isnum;		/* v is a JSON number */
	double		 num;
	struct buf	 rawb;
	struct buf	 lowb;
};

struct sigma_scratch {
	const struct ruleset *rs;
	json_t		*ev;
	uint32_t	 epoch;
	struct fval	*f;
	uint32_t	*mark;		/* per rule: epoch when cmask was set */
	unsigned char	*cmask;		/* ... its clauses that fired, and 0x80
					   once a candidate */
	size_t		*cand;
	size_t		 ncand;
	size_t		*hits;
	size_t		 nhits;
	struct buf	 key;
	struct buf	 el, ell;	/* an array element's text */
	pcre2_match_data *md;		/* for the rules' regexes */
	pcre2_match_context *mc;	/* their limits */
	pcre2_jit_stack	*js;
	uint32_t	*lit;		/* per literal: epoch when found */
	uint32_t	*litstart;	/* ... found at the start of a text */
	uint32_t	*litend;	/* ... found at the end */
	int		 uselit;	/* lit[] holds for the event's fields */

	/* the walk over the event's keys (sigma_match) */
	int		 walked;	/* wep[] and wv[] hold for ev */
	uint32_t	*wep;		/* per field: epoch when the walk saw
					   its path */
	json_t		**wv;		/* ... its value, when reached by keys
					   without dots (else NULL: ask
					   sigma_field_get) */
	int		*present;	/* the fields seen, in walk order */
	size_t		 npresent;
	struct buf	 wpath;		/* a key of the walk's trie */
	uint32_t	*useep;		/* per index use: epoch when run */
	uint32_t	*slottag;	/* per automaton slot: the run of its
					   group's automaton it takes part in */
	uint32_t	 curtag;	/* the run going on */
	uint32_t	 tagctr;
	struct fval	**clu;		/* a group's distinct values */
	json_t		*textv;		/* ward.text's value when it is in
					   its fval's buffer */
	uint32_t	*gep;		/* per gate: epoch when decided */
	unsigned char	*gres;		/* ... and how */
	uint32_t	*cep;		/* per gate condition: the same */
	unsigned char	*cres;
};

/* An automaton's output that is a literal's number, not a rule's. */
#define LIT_FLAG	((size_t)1 << (sizeof(size_t) * 8 - 1))
/* Literals shorter than MIN_LITERAL are left to memmem: they would
   report too often.  But a two-byte one that is a non-ASCII character (a Cyrillic
   look-alike: SigmaHQ's homoglyph rules list dozens) is rare in events,
   so the automata take it. */
/* Is s (len bytes) long enough, or rare enough, for an automaton? */
static int
long_literal(const char *s, size_t len)
{
	return len >= MIN_LITERAL || (len == 2 &&
	    ((unsigned char)s[0] >= 0x80 || (unsigned char)s[1] >= 0x80));
}

struct sigma_ac {
	int		 ncls;
	unsigned char	 cls[256];
	int32_t		*delta;		/* [state * ncls + class] (building) */
	uint32_t	*next;		/* the same as (next state * ncls) << 1,
					   | 1 when it has output: what runs */
	int32_t		*outidx;	/* per state: index in outs or -1 */
	int32_t		*dict;		/* next state with output, or -1 */
	struct sigma_ids *outs;
	uint32_t	*outlen;	/* per output: its literal's length */
	size_t		 nouts;
	size_t		 nstates;
};

/* ---- text of values -------------------------------------------------- */

/* dst = src lower-cased (ASCII), n bytes and a NUL; eight bytes a step
   where it can (every text an event's indexed fields hold goes through
   here). */
static void
lowcpy(char *dst, const char *src, size_t n)
{
	const uint64_t hi = 0x8080808080808080ULL, lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t x, h, upper;
	size_t i;
	char c;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, src + i, 8);
		h = x & lo7;
		/* bit 7 of a byte: >= 'A' xor > 'Z', where the byte is ASCII */
		upper = ~x & hi & ((h + 0x3f3f3f3f3f3f3f3fULL) ^
		    (h + 0x2525252525252525ULL));
		x |= upper >> 2;
		memcpy(dst + i, &x, 8);
	}
	for (; i < n; i++) {
		c = src[i];
		dst[i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	}
	dst[n] = '\0';
}

/* The text form of a scalar into b (reset first); 0, or -1 when v has
   none (object, array, null) or memory runs out. */
static int
scalar_text(json_t *v, struct buf *b, const char **raw, size_t *len)
{
	double d;

	buf_reset(b);
	switch (json_typeof(v)) {
	case JSON_STRING:
		*raw = json_string_value(v);
		*len = json_string_length(v);
		return 0;
	case JSON_INTEGER:
		if (buf_int64(b, (int64_t)json_integer_value(v)) == -1)
			return -1;
		break;
	case JSON_REAL:
		d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 1e15) {
			if (buf_int64(b, (int64_t)d) == -1)
				return -1;
		} else if (buf_printf(b, "%.17g", d) == -1)
			return -1;
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		if (buf_puts(b, json_is_true(v) ? "true" : "false") == -1)
			return -1;
		break;
	default:
		return -1;
	}
	*raw = b->data;
	*len = b->len;
	return 0;
}

/* Every text and number under v, each on a line of its own, into b. */
static void
text_of(json_t *v, struct buf *b, int depth)
{
	const char *k;
	json_t *x;
	size_t i;

	if (v == NULL || depth > 16)
		return;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, k, x)
			text_of(x, b, depth + 1);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, x)
			text_of(x, b, depth + 1);
		break;
	case JSON_STRING:
		(void)buf_append(b, "\n", 1);
		(void)buf_append(b, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		(void)buf_append(b, "\n", 1);
		(void)buf_int64(b, (int64_t)json_integer_value(v));
		break;
	default:
		break;
	}
}

/* ward.text: the summary and every text and number in details, one a
   line, appended to b. */
static void
text_build(json_t *ev, struct buf *b)
{
	json_t *v;

	if ((v = json_object_get(ev, "summary")) != NULL && json_is_string(v))
		(void)buf_append(b, json_string_value(v),
		    json_string_length(v));
	text_of(json_object_get(ev, "details"), b, 0);
}

/* Is every byte of s ASCII (so it is valid UTF-8 as it is)? */
static int
all_ascii(const char *s, size_t n)
{
	uint64_t x, acc = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		acc |= x;
	}
	for (; i < n; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x8080808080808080ULL) == 0;
}

/*
 * Follow fd's path from component *i (starting at byte *off of fd->path)
 * down the objects from v.  Stops at the end of the path, or at an array
 * met on the way (*i < fd->ncomp then: the component to take in its
 * elements).  Returns the value reached, or NULL when the path leads
 * nowhere.
 */
static json_t *
path_step(const struct sigma_field *fd, json_t *v, size_t *i, size_t *off)
{
	json_t *x;

	for (; *i < fd->ncomp; (*i)++) {
		if (json_is_array(v))
			return v;
		if (!json_is_object(v))
			return NULL;
		x = json_object_get(v, fd->comp[*i]);
		if (x == NULL && *i + 1 < fd->ncomp) {
			/* the rest of the path as one key: {"a.b": 1} */
			*i = fd->ncomp;
			return json_object_get(v, fd->path + *off);
		}
		if (x == NULL)
			return NULL;
		*off += strlen(fd->comp[*i]) + 1;
		v = x;
	}
	return v;
}

/*
 * Append to acc the values at components i.. of fd's path (from byte off)
 * under each element of the array a, and so on through arrays met further
 * down: a field under an array of objects is the values its elements
 * have, as Sigma's backends read one (Elasticsearch's flattened arrays),
 * and an array found at the end adds its elements.
 */
static void
collect(const struct sigma_field *fd, json_t *a, size_t i, size_t off,
    json_t *acc, int depth)
{
	json_t *x, *v;
	size_t j, k, o;

	json_array_foreach(a, j, x) {
		k = i;
		o = off;
		if ((v = path_step(fd, x, &k, &o)) == NULL || json_is_null(v))
			continue;
		if (k < fd->ncomp) {
			if (depth < 8)
				collect(fd, v, k, o, acc, depth + 1);
		} else if (json_is_array(v))
			(void)json_array_extend(acc, v);
		else
			(void)json_array_append(acc, v);
	}
}

json_t *
sigma_field_get(const struct ruleset *rs, json_t *ev, int f, json_t **tmp)
{
	const struct sigma_field *fd = &rs->fields[f];
	json_t *v;
	const char *s;
	size_t i, off = 0;
	int64_t utc, rcv;

	*tmp = NULL;
	if (fd->nalts > 0) {
		for (i = 0; i < fd->nalts; i++)
			if ((v = sigma_field_get(rs, ev, fd->alts[i], tmp)) !=
			    NULL)
				return v;
		return NULL;
	}
	if (fd->virt == FV_TEXT) {
		struct buf b;

		buf_init(&b);
		text_build(ev, &b);
		*tmp = json_stringn(b.data ? b.data : "", b.len);
		buf_release(&b);
		return *tmp;
	}
	if (fd->virt != FV_NONE) {
		s = json_string_value(json_object_get(ev, "utctimestamp"));
		if (s == NULL || time_parse(s, 0, &utc) == -1)
			return NULL;
		s = json_string_value(json_object_get(ev,
		    "receivedtimestamp"));
		if (s == NULL || time_parse(s, 0, &rcv) == -1)
			return NULL;
		if (fd->virt == FV_CLOCKSKEW)
			*tmp = json_real(fabs((double)(rcv - utc)) / 1e6);
		else
			*tmp = json_real((double)(rcv - utc) / 1e6);
		return *tmp;
	}
	i = 0;
	if ((v = path_step(fd, ev, &i, &off)) != NULL && i < fd->ncomp) {
		/* an array of objects on the way: their values */
		if ((*tmp = json_array()) == NULL)
			return NULL;
		collect(fd, v, i, off, *tmp, 0);
		if (json_array_size(*tmp) > 0)
			return *tmp;
		json_decref(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return v == NULL || json_is_null(v) ? NULL : v;
}

/*
 * The value of field f in the event, as sigma_field_get() finds it, but
 * answered from the walk when sigma_match made one: a path the walk did
 * not see is missing (the walk sees every path sigma_field_get could
 * find, and perhaps more), and a value it reached by plain keys is the
 * one sigma_field_get would return.
 */
static json_t *
walk_get(struct sigma_scratch *s, int f, json_t **tmp)
{
	const struct sigma_field *fd = &s->rs->fields[f];
	json_t *v;
	size_t i;

	*tmp = NULL;
	if (!s->walked || !s->rs->walkable[f])
		return sigma_field_get(s->rs, s->ev, f, tmp);
	if (fd->nalts > 0) {
		for (i = 0; i < fd->nalts; i++)
			if ((v = walk_get(s, fd->alts[i], tmp)) != NULL)
				return v;
		return NULL;
	}
	if (s->wep[f] != s->epoch)
		return NULL;
	if ((v = s->wv[f]) != NULL)
		return json_is_null(v) ? NULL : v;
	return sigma_field_get(s->rs, s->ev, f, tmp);
}

static struct fval *
field(struct sigma_scratch *s, int f)
{
	struct fval *fv = &s->f[f];

	if (fv->epoch == s->epoch)
		return fv;
	fv->epoch = s->epoch;
	if (fv->tmp != NULL) {
		json_decref(fv->tmp);
		fv->tmp = NULL;
	}
	fv->raw = NULL;
	fv->low = NULL;
	fv->scalar = 0;
	fv->isnum = 0;
	if (s->rs->fields[f].virt == FV_TEXT) {
		/* made in a buffer kept from event to event, not a new JSON
		   string each time (a large allocation an event made malloc
		   consolidate its free lists every time); as sigma_field_get()
		   makes it, missing when it is not valid UTF-8 */
		buf_reset(&fv->rawb);
		text_build(s->ev, &fv->rawb);
		if (buf_reserve(&fv->rawb, 1) == -1)
			return fv->v = NULL, fv;
		if (all_ascii(fv->rawb.data, fv->rawb.len)) {
			fv->v = s->textv;
			fv->raw = fv->rawb.data;
			fv->len = fv->rawb.len;
		} else
			fv->v = fv->tmp = json_stringn(fv->rawb.data,
			    fv->rawb.len);
		fv->scalar = fv->v != NULL;
		return fv;
	}
	fv->v = walk_get(s, f, &fv->tmp);
	if (fv->v == NULL)
		return fv;
	/* The text form is made when a pattern needs it (fval_text). */
	fv->scalar = json_is_string(fv->v) || json_is_number(fv->v) ||
	    json_is_boolean(fv->v);
	if (json_is_number(fv->v)) {
		fv->isnum = 1;
		fv->num = json_number_value(fv->v);
	}
	return fv;
}

/* The text form of a scalar field (fv->raw, fv->len); NULL when memory
   runs out. */
static const char *
fval_text(struct fval *fv)
{
	if (fv->raw == NULL &&
	    scalar_text(fv->v, &fv->rawb, &fv->raw, &fv->len) == -1)
		return fv->raw = NULL;
	return fv->raw;
}

/* Does leaf l compare numbers only, so a number needs no text form? */
static int
numeric_only(const struct sigma_leaf *l)
{
	size_t	 i, k;

	for (i = 0; i < l->nvals; i++)
		for (k = 0; k < l->vals[i].npats; k++) {
			const struct sigma_pat *p = &l->vals[i].pats[k];

			if (!(p->kind == PAT_EQ && p->isnum) &&
			    p->kind != PAT_LT && p->kind != PAT_LTE &&
			    p->kind != PAT_GT && p->kind != PAT_GTE)
				return 0;
		}
	return 1;
}

static const char *
field_low(struct fval *fv)
{
	if (fv->low != NULL)
		return fv->low;
	if (fval_text(fv) == NULL)
		return NULL;
	buf_reset(&fv->lowb);
	if (buf_reserve(&fv->lowb, fv->len + 1) == -1)
		return NULL;
	lowcpy(fv->lowb.data, fv->raw, fv->len);
	fv->lowb.len = fv->len;
	return fv->low = fv->lowb.data;
}

/* ---- matching -------------------------------------------------------- */

static int
cidr_match(const struct sigma_pat *p, const char *raw, size_t len)
{
	unsigned char a[16];
	char tmp[64];
	unsigned full, rest;

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, raw, len);
	tmp[len] = '\0';
	if (inet_pton(p->af, tmp, a) != 1)
		return 0;
	full = p->bits / 8;
	rest = p->bits % 8;
	if (memcmp(a, p->net, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ p->net[full]) & (0xff << (8 - rest))) == 0;
}

static int
num_of(const char *raw, size_t len, int isnum, double num, double *out)
{
	char tmp[64], *end;

	if (isnum) {
		*out = num;
		return 0;
	}
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, raw, len);
	tmp[len] = '\0';
	*out = strtod(tmp, &end);
	if (*end != '\0' || end == tmp || !isfinite(*out))
		return -1;
	return 0;
}

static struct fval *field(struct sigma_scratch *, int);
static const char *field_low(struct fval *);
static const char *fval_text(struct fval *);

/* fieldref: does the value (raw, low) equal, contain, start or end with
   the value of the other field? */
static int
fieldref_match(struct sigma_scratch *s, const struct sigma_pat *p,
    const char *raw, size_t len, const char *low)
{
	struct fval *o = field(s, p->ref);
	const char *t = p->cased ? raw : low, *u;

	if (o->v == NULL || !o->scalar || t == NULL)
		return 0;
	if ((u = p->cased ? fval_text(o) : field_low(o)) == NULL)
		return 0;
	switch (p->refkind) {
	case PAT_CONTAINS:
		return memmem(t, len, u, o->len) != NULL;
	case PAT_STARTS:
		return len >= o->len && memcmp(t, u, o->len) == 0;
	case PAT_ENDS:
		return len >= o->len && memcmp(t + len - o->len, u, o->len) ==
		    0;
	default:
		return len == o->len && memcmp(t, u, len) == 0;
	}
}

/* Does pattern p match one scalar (raw text, its lower-case form made on
   demand through lowp)? */
static int
pat_match(struct sigma_scratch *s, const struct sigma_pat *p,
    const char *raw, size_t len,
    const char *low, int isnum, double num)
{
	const char *t = p->cased ? raw : low;
	double d;
	size_t i;

	switch (p->kind) {
	case PAT_EQ:
		if (p->isnum && isnum)
			return num == p->num;
		return len == p->len && memcmp(t, p->s, len) == 0;
	case PAT_CONTAINS:
		/* the field's automaton has looked for it already */
		if (p->lit1 != 0 && s->uselit)
			return s->lit[p->lit1 - 1] == s->epoch;
		return memmem(t, len, p->s, p->len) != NULL;
	case PAT_STARTS:
		if (p->lit1 != 0 && s->uselit)
			return s->litstart[p->lit1 - 1] == s->epoch;
		return len >= p->len && memcmp(t, p->s, p->len) == 0;
	case PAT_ENDS:
		if (p->lit1 != 0 && s->uselit)
			return s->litend[p->lit1 - 1] == s->epoch;
		return len >= p->len && memcmp(t + len - p->len, p->s,
		    p->len) == 0;
	case PAT_ANY:
		return 1;
	case PAT_GLOB:
		return glob_match(p->s, p->len, p->wild, t, len, 0);
	case PAT_RE:
		/* the literals every match has: found by the field's
		   automaton already, or looked for here, in order */
		if (p->reqlit != NULL && s->uselit) {
			for (i = 0; i < p->nreq; i++)
				if (p->reqlit[i] != 0 &&
				    s->lit[p->reqlit[i] - 1] != s->epoch)
					return 0;
		} else for (i = 0, t = low; i < p->nreq; i++) {
			size_t rl = strlen(p->req[i]);

			if ((t = memmem(t, len - (t - low), p->req[i], rl)) ==
			    NULL)
				return 0;
			t += rl;
		}
		return pcre2_match(p->re, (PCRE2_SPTR)raw, len, 0, 0, s->md,
		    s->mc) >= 0;
	case PAT_CIDR:
		return cidr_match(p, raw, len);
	case PAT_FIELDREF:
		return fieldref_match(s, p, raw, len, low);
	case PAT_LT:
	case PAT_LTE:
	case PAT_GT:
	case PAT_GTE:
		if (num_of(raw, len, isnum, num, &d) == -1)
			return 0;
		return p->kind == PAT_LT ? d < p->num : p->kind == PAT_LTE ?
		    d <= p->num : p->kind == PAT_GT ? d > p->num : d >= p->num;
	}
	return 0;
}

static int
val_match(struct sigma_scratch *s, const struct sigma_val *v,
    const char *raw, size_t len,
    const char *low, int isnum, double num)
{
	size_t i;

	for (i = 0; i < v->npats; i++)
		if (pat_match(s, &v->pats[i], raw, len, low, isnum, num))
			return 1;
	return 0;
}

/* Does value v match the array element x? */
static int
val_match_json(struct sigma_scratch *s, const struct sigma_val *v, json_t *x)
{
	const char *raw;
	size_t len;

	int use = s->uselit, m;

	if (scalar_text(x, &s->el, &raw, &len) == -1)
		return 0;
	buf_reset(&s->ell);
	if (buf_reserve(&s->ell, len + 1) == -1)
		return 0;
	lowcpy(s->ell.data, raw, len);
	/* the automaton ran over every element: a literal found in one is
	   not found in this one */
	s->uselit = 0;
	m = val_match(s, v, raw, len, s->ell.data, json_is_number(x),
	    json_is_number(x) ? json_number_value(x) : 0);
	s->uselit = use;
	return m;
}

static int
leaf_eval(struct sigma_scratch *s, const struct sigma_leaf *l)
{
	struct fval *fv = field(s, l->field);
	const char *low;
	size_t i, j;
	json_t *x;
	int m;

	switch (l->kind) {
	case LEAF_NULL:
	case LEAF_ABSENT:
		return fv->v == NULL;
	case LEAF_EXISTS:
		return fv->v != NULL;
	case LEAF_VALUES:
		break;
	}
	if (fv->v == NULL)
		return 0;
	if (json_is_array(fv->v)) {
		for (i = 0; i < l->nvals; i++) {
			m = 0;
			json_array_foreach(fv->v, j, x)
				if ((m = val_match_json(s, &l->vals[i], x)))
					break;
			if (m && !l->all)
				return 1;
			if (!m && l->all)
				return 0;
		}
		return l->all;
	}
	if (!fv->scalar)
		return 0;
	if (fv->isnum && numeric_only(l)) {
		for (i = 0; i < l->nvals; i++) {
			m = val_match(s, &l->vals[i], NULL, 0, NULL, 1, fv->num);
			if (m && !l->all)
				return 1;
			if (!m && l->all)
				return 0;
		}
		return l->all;
	}
	if ((low = field_low(fv)) == NULL)
		return 0;
	for (i = 0; i < l->nvals; i++) {
		m = val_match(s, &l->vals[i], fv->raw, fv->len, low, fv->isnum,
		    fv->num);
		if (m && !l->all)
			return 1;
		if (!m && l->all)
			return 0;
	}
	return l->all;
}

static int
node_eval(struct sigma_scratch *s, const struct sigma_node *n)
{
	size_t i;

	switch (n->op) {
	case NODE_AND:
		for (i = 0; i < n->nkids; i++)
			if (!node_eval(s, n->kids[i]))
				return 0;
		return 1;
	case NODE_OR:
		for (i = 0; i < n->nkids; i++)
			if (node_eval(s, n->kids[i]))
				return 1;
		return 0;
	case NODE_NOT:
		return !node_eval(s, n->kids[0]);
	case NODE_LEAF:
		return leaf_eval(s, n->leaf);
	case NODE_TRUE:
		return 1;
	case NODE_FALSE:
		return 0;
	}
	return 0;
}

/* ---- scratch --------------------------------------------------------- */

struct sigma_scratch *
sigma_scratch_new(const struct ruleset *rs)
{
	struct sigma_scratch *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->rs = rs;
	s->epoch = 1;
	if ((s->f = calloc(rs->nfields + 1, sizeof(*s->f))) == NULL ||
	    (s->mark = calloc(rs->nrules + 1, sizeof(*s->mark))) == NULL ||
	    (s->cmask = calloc(rs->nrules + 1, 1)) == NULL ||
	    (s->cand = calloc(rs->nrules + 1, sizeof(*s->cand))) == NULL ||
	    (s->hits = calloc(rs->nrules + 1, sizeof(*s->hits))) == NULL ||
	    (s->lit = calloc(rs->nlits + 1, sizeof(*s->lit))) == NULL ||
	    (s->litstart = calloc(rs->nlits + 1, sizeof(*s->lit))) == NULL ||
	    (s->litend = calloc(rs->nlits + 1, sizeof(*s->lit))) == NULL ||
	    (s->wep = calloc(rs->nfields + 1, sizeof(*s->wep))) == NULL ||
	    (s->wv = calloc(rs->nfields + 1, sizeof(*s->wv))) == NULL ||
	    (s->present = calloc(rs->nfields + 1, sizeof(*s->present))) ==
	    NULL || (s->useep = calloc(rs->neqfields + rs->nacfields + 1,
	    sizeof(*s->useep))) == NULL ||
	    (s->gep = calloc(rs->ngates + 1, sizeof(*s->gep))) == NULL ||
	    (s->textv = json_string("")) == NULL ||
	    (s->slottag = calloc(rs->nacslots + 1, sizeof(uint32_t))) ==
	    NULL || (s->clu = calloc(rs->nacslots + 1, sizeof(*s->clu))) ==
	    NULL ||
	    (s->gres = calloc(rs->ngates + 1, 1)) == NULL ||
	    (s->cep = calloc(rs->ngconds + 1, sizeof(*s->cep))) == NULL ||
	    (s->cres = calloc(rs->ngconds + 1, 1)) == NULL ||
	    buf_reserve(&s->wpath, rs->wmaxcomp + 8) == -1 ||
	    (s->md = pcre2_match_data_create(1, NULL)) == NULL ||
	    (s->mc = pcre2_match_context_create(NULL)) == NULL ||
	    (s->js = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL)) ==
	    NULL) {
		sigma_scratch_free(s);
		return NULL;
	}
	pcre2_set_match_limit(s->mc, SIGMA_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mc, SIGMA_RE_DEPTH_LIMIT);
	pcre2_jit_stack_assign(s->mc, NULL, s->js);
	return s;
}

void
sigma_scratch_free(struct sigma_scratch *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->f != NULL)
		for (i = 0; i < s->rs->nfields; i++) {
			json_decref(s->f[i].tmp);
			buf_release(&s->f[i].rawb);
			buf_release(&s->f[i].lowb);
		}
	free(s->f);
	free(s->mark);
	free(s->cmask);
	free(s->cand);
	free(s->hits);
	buf_release(&s->key);
	buf_release(&s->el);
	buf_release(&s->ell);
	free(s->lit);
	free(s->litstart);
	free(s->litend);
	free(s->wep);
	free(s->wv);
	free(s->present);
	free(s->useep);
	free(s->gep);
	free(s->slottag);
	json_decref(s->textv);
	free(s->clu);
	free(s->gres);
	free(s->cep);
	free(s->cres);
	buf_release(&s->wpath);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->js);
	free(s);
}

static void
begin(struct sigma_scratch *s, json_t *ev)
{
	size_t i;

	s->ev = ev;
	if (++s->epoch == 0) {
		for (i = 0; i < s->rs->nfields; i++)
			s->f[i].epoch = 0;
		memset(s->mark, 0, s->rs->nrules * sizeof(*s->mark));
		memset(s->lit, 0, s->rs->nlits * sizeof(*s->lit));
		memset(s->litstart, 0, s->rs->nlits * sizeof(*s->lit));
		memset(s->litend, 0, s->rs->nlits * sizeof(*s->lit));
		memset(s->wep, 0, s->rs->nfields * sizeof(*s->wep));
		memset(s->useep, 0, (s->rs->neqfields + s->rs->nacfields) *
		    sizeof(*s->useep));
		memset(s->gep, 0, s->rs->ngates * sizeof(*s->gep));
		memset(s->cep, 0, s->rs->ngconds * sizeof(*s->cep));
		s->epoch = 1;
	}
	s->ncand = 0;
	s->nhits = 0;
	s->walked = 0;
	s->npresent = 0;
}

/* The anchors of ids fired: a literal of litlen bytes found ending at
   byte at of a text of len bytes (all 0 for an equality).  A literal
   among them is marked found; a rule's clause holds (when the anchor's
   position is right), and the rule is a candidate once all its clauses
   do. */
static void
candidate(struct sigma_scratch *s, const struct sigma_ids *ids, size_t at,
    size_t len, size_t litlen, int slots)
{
	unsigned char *m;
	size_t i, r, v;

	for (i = 0; i < ids->n; i++) {
		v = ids->v[i];
		if (slots) {
			/* a field of the group whose value this is not */
			if (s->slottag[(v >> SLOT_SHIFT) & SLOT_MASK] !=
			    s->curtag)
				continue;
			v = (v & LIT_FLAG) | (v & ID_MASK);
		}
		if (v & LIT_FLAG) {
			r = v & ~LIT_FLAG;
			s->lit[r] = s->epoch;
			if (at + 1 == litlen)
				s->litstart[r] = s->epoch;
			if (at + 1 == len)
				s->litend[r] = s->epoch;
			continue;
		}
		switch ((v >> 3) & 3) {
		case AK_START:
			if (at + 1 != litlen)
				continue;
			break;
		case AK_END:
			if (at + 1 != len)
				continue;
			break;
		}
		r = v >> ID_SHIFT;
		m = &s->cmask[r];
		if (s->mark[r] != s->epoch) {
			s->mark[r] = s->epoch;
			*m = 0;
		}
		if (*m & 0x80)
			continue;
		*m |= 1u << (v & 7);
		if (*m == s->rs->full[r]) {
			*m |= 0x80;
			s->cand[s->ncand++] = r;
		}
	}
}

static void
eq_probe1(struct sigma_scratch *s, int32_t fi, const char *low, size_t len)
{
	struct sigma_map_ent *e;

	buf_reset(&s->key);
	if (buf_append(&s->key, &fi, sizeof(fi)) == -1 ||
	    buf_append(&s->key, low, len) == -1)
		return;
	if ((e = sigma_map_get(&s->rs->eqidx, s->key.data, s->key.len)) != NULL)
		candidate(s, e->val, 0, 0, 0, 0);
}

/* The equality anchors of field f, and its short start and end ones. */
static void
eq_probe(struct sigma_scratch *s, int f, const char *low, size_t len)
{
	unsigned char sh = s->rs->eqshort[f];
	size_t n;

	eq_probe1(s, f, low, len);
	for (n = 1; sh != 0 && n < MIN_LITERAL && n <= len; n++) {
		if (sh & 1)
			eq_probe1(s, f | TAG_END, low + len - n, n);
		if (sh & 2)
			eq_probe1(s, f | TAG_START, low, n);
	}
}

static void
ac_run(struct sigma_scratch *s, const struct sigma_ac *ac, const char *t,
    size_t len)
{
	const unsigned char *p = (const unsigned char *)t;
	uint32_t v = 0;
	int32_t o;
	size_t i;

	for (i = 0; i < len; i++) {
		v = ac->next[(v >> 1) + ac->cls[p[i]]];
		if (!(v & 1))
			continue;
		o = (int32_t)((v >> 1) / (uint32_t)ac->ncls);
		o = ac->outidx[o] >= 0 ? o : ac->dict[o];
		while (o >= 0) {
			candidate(s, &ac->outs[ac->outidx[o]], i, len,
			    ac->outlen[ac->outidx[o]], 1);
			o = ac->dict[o];
		}
	}
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The trie node below node for component c (n bytes); -1 if none. */
static int
wstep(struct sigma_scratch *s, int node, const char *c, size_t n)
{
	const struct ruleset *rs = s->rs;
	struct sigma_map_ent *e;
	uint32_t nd = (uint32_t)node;
	char *k;

	if (n > rs->wmaxcomp || !rs->wnodes[node].kids)
		return -1;
	k = s->wpath.data;
	memcpy(k, &nd, sizeof(nd));
	memcpy(k + sizeof(nd), c, n);
	if ((e = sigma_map_get(&rs->wtrie, k, sizeof(nd) + n)) == NULL)
		return -1;
	return (int)(uintptr_t)e->val - 1;
}

static void walk_array(struct sigma_scratch *, json_t *, int, int);

/*
 * Walk the object v, at trie node node (exact: reached by keys without
 * dots): every key whose path is a plain field's marks that field
 * present, and objects (and arrays of them) on the way to one are walked
 * in turn.  A key with dots in it steps through the trie a component at a
 * time, as sigma_field_get() would find it under the path joined with
 * dots.
 */
static void
walk(struct sigma_scratch *s, json_t *v, int node, int exact)
{
	const struct ruleset *rs = s->rs;
	const char *k, *c, *dot;
	json_t *x;
	size_t kl;
	int n, f, ex;

	json_object_foreach(v, k, x) {
		kl = strlen(k);
		ex = exact;
		n = node;
		for (c = k; n >= 0; c = dot + 1) {
			if ((dot = memchr(c, '.', kl - (c - k))) == NULL) {
				n = wstep(s, n, c, kl - (c - k));
				break;
			}
			ex = 0;
			n = wstep(s, n, c, dot - c);
		}
		if (n < 0)
			continue;
		if ((f = rs->wnodes[n].field) >= 0) {
			if (s->wep[f] != s->epoch) {
				s->wep[f] = s->epoch;
				s->wv[f] = NULL;
				s->present[s->npresent++] = f;
			}
			if (ex)
				s->wv[f] = x;
		}
		if (rs->wnodes[n].kids && json_is_object(x))
			walk(s, x, n, ex);
		else if (rs->wnodes[n].kids && json_is_array(x))
			walk_array(s, x, n, 0);
	}
}

/* The objects in array a (in arrays in it too), at trie node node: the
   paths under them are present; their values are gathered by
   sigma_field_get (collect), so none is exact. */
static void
walk_array(struct sigma_scratch *s, json_t *a, int node, int depth)
{
	json_t *y;
	size_t i;

	if (depth > 8)
		return;
	json_array_foreach(a, i, y) {
		if (json_is_object(y))
			walk(s, y, node, 0);
		else if (json_is_array(y))
			walk_array(s, y, node, depth + 1);
	}
}

/* Run group g's automata over one text: the one for literals with
   bytes past ASCII only when the text has such bytes. */
static void
run_text(struct sigma_scratch *s, size_t g, const char *low, size_t len)
{
	if (s->rs->ac[g] != NULL)
		ac_run(s, s->rs->ac[g], low, len);
	if (s->rs->acx[g] != NULL && !all_ascii(low, len))
		ac_run(s, s->rs->acx[g], low, len);
}

/* Run the equality probes of field eqf (g -1), or group g's automata,
   over one value. */
static void
run_value(struct sigma_scratch *s, struct fval *fv, int eqf, ssize_t g)
{
	const char *low, *raw;
	size_t j, len;
	json_t *x;

	if (fv->scalar) {
		if ((low = field_low(fv)) == NULL)
			return;
		if (g < 0)
			eq_probe(s, eqf, low, fv->len);
		else
			run_text(s, (size_t)g, low, fv->len);
	} else if (json_is_array(fv->v)) {
		json_array_foreach(fv->v, j, x) {
			if (scalar_text(x, &s->el, &raw, &len) == -1 ||
			    buf_reserve(&s->ell, len + 1) == -1)
				continue;
			lowcpy(s->ell.data, raw, len);
			if (g < 0)
				eq_probe(s, eqf, s->ell.data, len);
			else
				run_text(s, (size_t)g, s->ell.data, len);
		}
	}
}

/*
 * Run index use u: an equality probe over its field, or a group's
 * automaton once over each distinct value its fields have (fields
 * "a|b" and "a|c" are mostly both a: one pass), each time answering
 * only for the fields that have that value.
 */
static void
run_use(struct sigma_scratch *s, uint32_t u)
{
	const struct ruleset *rs = s->rs;
	struct fval *fv;
	size_t g, m, c, nclu = 0;
	int f;

	if (u < rs->neqfields) {
		f = rs->eqfields[u];
		if ((fv = field(s, f))->v != NULL)
			run_value(s, fv, f, -1);
		return;
	}
	g = u - rs->neqfields;
	if (s->tagctr > UINT32_MAX - rs->nacslots - 2) {
		memset(s->slottag, 0, rs->nacslots * sizeof(*s->slottag));
		s->tagctr = 0;
	}
	for (m = rs->acmemoff[g]; m < rs->acmemoff[g + 1]; m++) {
		fv = field(s, rs->acmem[m]);
		if (fv->v == NULL)
			continue;
		for (c = 0; c < nclu && s->clu[c]->v != fv->v; c++)
			;
		if (c == nclu)
			s->clu[nclu++] = fv;
		s->slottag[m] = s->tagctr + 1 + (uint32_t)c;
	}
	for (c = 0; c < nclu; c++) {
		s->curtag = s->tagctr + 1 + (uint32_t)c;
		run_value(s, s->clu[c], -1, (ssize_t)g);
	}
	s->tagctr += (uint32_t)nclu;
}

/* Does the event pass gate g (the conditions a logsource adds)?  Each
   condition is decided once an event, whichever gates hold it. */
static int
gate_pass(struct sigma_scratch *s, int g)
{
	size_t i, c;
	int m = 1;

	if (s->gep[g] == s->epoch)
		return s->gres[g];
	for (i = 0; i < s->rs->ngatekids[g] && m; i++) {
		c = s->rs->gates[g][i];
		if (s->cep[c] != s->epoch) {
			s->cres[c] = (unsigned char)node_eval(s,
			    s->rs->gconds[c]);
			s->cep[c] = s->epoch;
		}
		m = s->cres[c];
	}
	s->gep[g] = s->epoch;
	s->gres[g] = (unsigned char)m;
	return m;
}

size_t
sigma_match(const struct ruleset *rs, struct sigma_scratch *s, json_t *ev,
    const size_t **hits)
{
	const struct sigma_node *n;
	size_t i, j, r;
	uint32_t u;
	int f;

	begin(s, ev);
	s->walked = 1;
	if (json_is_object(ev))
		walk(s, ev, 0, 1);
	for (i = 0; i < s->npresent; i++) {
		f = s->present[i];
		for (j = rs->useoff[f]; j < rs->useoff[f + 1]; j++) {
			u = rs->uses[j];
			if (s->useep[u] != s->epoch) {
				s->useep[u] = s->epoch;
				run_use(s, u);
			}
		}
	}
	for (i = 0; i < rs->nalwaysuse; i++)
		run_use(s, rs->alwaysuse[i]);
	for (i = 0; i < rs->nalways; i++) {
		s->mark[rs->always[i]] = s->epoch;
		s->cmask[rs->always[i]] = 0x80;
		s->cand[s->ncand++] = rs->always[i];
	}
	s->uselit = 1;
	for (i = 0; i < s->ncand; i++) {
		r = s->cand[i];
		if (rs->rgate[r] >= 0 && !gate_pass(s, rs->rgate[r]))
			continue;
		n = rs->rcore[r] != NULL ? rs->rcore[r] : rs->rules[r]->cond;
		if (node_eval(s, n))
			s->hits[s->nhits++] = r;
	}
	s->uselit = 0;
	/* in increasing order: the candidates came in the order their
	   anchors fired */
	if (s->nhits > 1)
		qsort(s->hits, s->nhits, sizeof(*s->hits), cmp_size);
	*hits = s->hits;
	return s->nhits;
}

int
sigma_rule_matches(const struct ruleset *rs, struct sigma_scratch *s,
    const struct rule *r, json_t *ev)
{
	(void)rs;
	if (r->cond == NULL)
		return 0;
	begin(s, ev);
	s->uselit = 0;
	return node_eval(s, r->cond);
}

/* ---- anchors --------------------------------------------------------- */

struct anchor {
	int		 eq;		/* AK_* */
	int		 field;
	char		*lit;		/* lower-case */
	size_t		 len;
};

struct aset {
	struct anchor	*a;
	size_t		 n;
	int		 ok;		/* 0: no anchor possible */
};

static void
aset_clear(struct aset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->a[i].lit);
	free(s->a);
	memset(s, 0, sizeof(*s));
}

static int
aset_add(struct aset *s, int eq, int field, const char *lit, size_t len)
{
	struct anchor *na;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].eq == eq && s->a[i].field == field &&
		    s->a[i].len == len && memcmp(s->a[i].lit, lit, len) == 0)
			return 0;
	if ((na = reallocarray(s->a, s->n + 1, sizeof(*na))) == NULL)
		return -1;
	s->a = na;
	if ((na[s->n].lit = malloc(len + 1)) == NULL)
		return -1;
	lowcpy(na[s->n].lit, lit, len);
	na[s->n].eq = eq;
	na[s->n].field = field;
	na[s->n].len = len;
	s->n++;
	return 0;
}

/* Move every anchor of b into a. */
static int
aset_merge(struct aset *a, struct aset *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (aset_add(a, b->a[i].eq, b->a[i].field, b->a[i].lit,
		    b->a[i].len) == -1)
			return -1;
	aset_clear(b);
	return 0;
}

/* Lower is better: equality beats substrings, long beats short, and
   fields with few distinct values are poor anchors. */
static unsigned
aset_cost(const struct ruleset *rs, const struct aset *s)
{
	unsigned c = 0;
	size_t i;
	const char *p;

	for (i = 0; i < s->n; i++) {
		if (s->a[i].eq == AK_EQ) {
			p = rs->fields[s->a[i].field].path;
			c += strcmp(p, "category") == 0 ||
			    strcmp(p, "severity") == 0 ||
			    strcmp(p, "source") == 0 ||
			    strcmp(p, "tags") == 0 ||
			    strcmp(p, "processname") == 0 ? 8 : 2;
		} else
			c += s->a[i].len >= 8 ? 3 : s->a[i].len >= 6 ? 4 :
			    s->a[i].len >= 4 ? 6 : 12;
	}
	return c;
}

/*
 * The literals every match of regular expression re contains (lower
 * case), through cb for each run of at least MIN_LITERAL bytes; the
 * longest is copied to out.  Returns the length of the longest.
 */
static size_t
re_literal(const char *re, char *out, size_t outsz,
    int (*cb)(void *, const char *, size_t), void *arg)
{
	char run[256];
	size_t rn = 0, best = 0, i;
	int depth;

#define BREAK_RUN() do {						\
	if (rn >= MIN_LITERAL && cb != NULL)				\
		cb(arg, run, rn);					\
	if (rn > best && rn < outsz) {					\
		memcpy(out, run, rn);					\
		best = rn;						\
	}								\
	rn = 0;								\
} while (0)

	/* a top-level alternation has no common literal we can see */
	for (i = 0, depth = 0; re[i] != '\0'; i++) {
		if (re[i] == '\\' && re[i + 1] != '\0')
			i++;
		else if (re[i] == '[') {
			i++;
			if (re[i] == '^')
				i++;
			if (re[i] == ']')
				i++;
			while (re[i] != '\0' && re[i] != ']')
				i++;
			if (re[i] == '\0')
				return 0;
		} else if (re[i] == '(')
			depth++;
		else if (re[i] == ')')
			depth--;
		else if (re[i] == '|' && depth == 0)
			return 0;
	}
	for (i = 0; re[i] != '\0'; i++) {
		char c = re[i];

		if (c == '\\') {
			if (re[i + 1] == '\0')
				break;
			c = re[++i];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9')) {
				BREAK_RUN();
				continue;
			}
		} else if (c == '[') {
			BREAK_RUN();
			i++;
			if (re[i] == '^')
				i++;
			if (re[i] == ']')
				i++;
			while (re[i] != '\0' && re[i] != ']')
				i++;
			if (re[i] == '\0')
				break;
			continue;
		} else if (c == '(') {
			BREAK_RUN();
			for (depth = 1, i++; re[i] != '\0' && depth > 0; i++) {
				if (re[i] == '\\' && re[i + 1] != '\0')
					i++;
				else if (re[i] == '(')
					depth++;
				else if (re[i] == ')')
					depth--;
			}
			i--;
			continue;
		} else if (c == '*' || c == '?' || c == '{') {
			if (rn > 0)
				rn--;		/* the last char was optional */
			BREAK_RUN();
			if (c == '{')
				while (re[i] != '\0' && re[i] != '}')
					i++;
			if (re[i] == '\0')
				break;
			continue;
		} else if (c == '+') {
			BREAK_RUN();
			continue;
		} else if (c == '.' || c == '^' || c == '$' || c == ')') {
			BREAK_RUN();
			continue;
		}
		/* a literal: but a following quantifier may make it optional,
		   which the next round handles by dropping it */
		if (rn + 1 < sizeof(run))
			run[rn++] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	}
	BREAK_RUN();
#undef BREAK_RUN
	return best;
}

/* The longest literal run of a GLOB pattern. */
static void
glob_literal(const struct sigma_pat *p, size_t *off, size_t *len)
{
	size_t i, start = 0, bo = 0, bl = 0;

	for (i = 0; i <= p->len; i++) {
		if (i == p->len || p->wild[i]) {
			if (i - start > bl) {
				bo = start;
				bl = i - start;
			}
			start = i + 1;
		}
	}
	*off = bo;
	*len = bl;
}

static int
canonical_int(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		return s[1] == '\0';
	if (*s < '1' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

static int
pat_anchor(const struct sigma_pat *p, int field, struct aset *out)
{
	char lit[256];
	size_t off, len;

	switch (p->kind) {
	case PAT_EQ:
		if (p->isnum && !canonical_int(p->s))
			return 0;
		return aset_add(out, AK_EQ, field, p->s, p->len) == -1 ? -1 : 1;
	case PAT_CONTAINS:
	case PAT_STARTS:
	case PAT_ENDS:
		if (!long_literal(p->s, p->len)) {
			if (p->kind == PAT_CONTAINS || p->len == 0 ||
			    field >= TAG_START)
				return 0;
			return aset_add(out, p->kind == PAT_STARTS ? AK_SSTART :
			    AK_SEND, field, p->s, p->len) == -1 ? -1 : 1;
		}
		return aset_add(out, p->kind == PAT_STARTS ? AK_START :
		    p->kind == PAT_ENDS ? AK_END : AK_CONTAINS, field, p->s,
		    p->len) == -1 ? -1 : 1;
	case PAT_GLOB:
		glob_literal(p, &off, &len);
		if (len < MIN_LITERAL)
			return 0;
		return aset_add(out, AK_CONTAINS, field, p->s + off, len) == -1 ? -1 : 1;
	case PAT_RE:
		if ((len = re_literal(p->s, lit, sizeof(lit), NULL, NULL)) <
		    MIN_LITERAL)
			return 0;
		return aset_add(out, AK_CONTAINS, field, lit, len) == -1 ? -1 : 1;
	default:
		return 0;
	}
}

/* Anchors of one value (any of its patterns): 1 found, 0 none, -1. */
static int
val_anchors(const struct sigma_val *v, int field, struct aset *out)
{
	size_t i;
	int rc;

	for (i = 0; i < v->npats; i++)
		if ((rc = pat_anchor(&v->pats[i], field, out)) <= 0)
			return rc;
	return 1;
}

/*
 * Clauses: every one holds in every event the node matches, and a clause
 * holds when one of its anchors does.  A rule becomes a candidate when
 * each of its clauses (at most MAX_CLAUSES, the most selective) has had
 * an anchor fire.
 */
struct cnf {
	struct aset	*c;
	size_t		 n;
};

static void
cnf_clear(struct cnf *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		aset_clear(&f->c[i]);
	free(f->c);
	memset(f, 0, sizeof(*f));
}

/* Move clause a into f.  Returns 0 or -1 (memory; a is cleared). */
static int
cnf_add(struct cnf *f, struct aset *a)
{
	struct aset *nc;

	if ((nc = reallocarray(f->c, f->n + 1, sizeof(*nc))) == NULL) {
		aset_clear(a);
		return -1;
	}
	f->c = nc;
	nc[f->n++] = *a;
	memset(a, 0, sizeof(*a));
	return 0;
}

/* Keep the k cheapest clauses of f, cheapest first. */
static void
cnf_keep(const struct ruleset *rs, struct cnf *f, size_t k)
{
	struct aset t;
	unsigned *cost, ct;
	size_t i, j, m;

	if ((cost = calloc(f->n + 1, sizeof(*cost))) == NULL) {
		/* dropping clauses is always safe: keep the first k */
		while (f->n > k)
			aset_clear(&f->c[--f->n]);
		return;
	}
	for (i = 0; i < f->n; i++)
		cost[i] = f->c[i].n > MAX_ANCHORS ? UINT_MAX :
		    aset_cost(rs, &f->c[i]);
	for (i = 0; i < f->n && i < k; i++) {
		for (m = i, j = i + 1; j < f->n; j++)
			if (cost[j] < cost[m])
				m = j;
		t = f->c[i];
		f->c[i] = f->c[m];
		f->c[m] = t;
		ct = cost[i];
		cost[i] = cost[m];
		cost[m] = ct;
	}
	while (f->n > k || (f->n > 0 && cost[f->n - 1] == UINT_MAX))
		aset_clear(&f->c[--f->n]);
	free(cost);
}

static int
anchors(const struct ruleset *rs, const struct sigma_node *n,
    struct cnf *out)
{
	struct cnf k;
	struct aset a;
	size_t i, pass;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	switch (n->op) {
	case NODE_LEAF:
		if (n->leaf->kind != LEAF_VALUES)
			return 0;
		if (n->leaf->all) {
			/* every value must match: a clause each */
			for (i = 0; i < n->leaf->nvals; i++) {
				rc = val_anchors(&n->leaf->vals[i],
				    n->leaf->field, &a);
				if (rc == 1 && cnf_add(out, &a) == -1)
					rc = -1;
				aset_clear(&a);
				if (rc == -1) {
					cnf_clear(out);
					return -1;
				}
			}
			cnf_keep(rs, out, MAX_CLAUSES);
			return 0;
		}
		for (i = 0; i < n->leaf->nvals; i++) {
			rc = val_anchors(&n->leaf->vals[i], n->leaf->field, &a);
			if (rc <= 0) {
				aset_clear(&a);
				return rc;
			}
		}
		return cnf_add(out, &a);
	case NODE_AND:
		/* the logsource's conditions (weak: every event of that
		   source has them, and the gates decide them) only when
		   nothing else anchors */
		for (pass = 0; pass < 2 && out->n == 0; pass++)
			for (i = 0; i < n->nkids; i++) {
				if (n->kids[i]->weak != (int)pass)
					continue;
				if (anchors(rs, n->kids[i], &k) == -1) {
					cnf_clear(out);
					return -1;
				}
				while (k.n > 0) {
					if (cnf_add(out, &k.c[--k.n]) == -1) {
						cnf_clear(&k);
						cnf_clear(out);
						return -1;
					}
				}
				cnf_clear(&k);
			}
		cnf_keep(rs, out, MAX_CLAUSES);
		return 0;
	case NODE_OR:
		/* one clause: the cheapest of every branch, merged */
		for (i = 0; i < n->nkids; i++) {
			if (anchors(rs, n->kids[i], &k) == -1) {
				aset_clear(&a);
				return -1;
			}
			if (k.n == 0) {
				cnf_clear(&k);
				aset_clear(&a);
				return 0;
			}
			rc = aset_merge(&a, &k.c[0]);
			cnf_clear(&k);
			if (rc == -1) {
				aset_clear(&a);
				return -1;
			}
		}
		return cnf_add(out, &a);
	case NODE_FALSE:
		return cnf_add(out, &a);
	default:
		return 0;
	}
}

/* ---- Aho-Corasick ---------------------------------------------------- */

struct acpat {
	int		 group;		/* the field that names its group */
	int		 field;
	const char	*lit;
	size_t		 len;
	size_t		 rule;
};

static int
ids_add(struct sigma_ids *ids, size_t v)
{
	size_t *nv;

	if (ids->n > 0 && ids->v[ids->n - 1] == v)
		return 0;
	if (ids->n == ids->cap) {
		nv = reallocarray(ids->v, ids->cap ? ids->cap * 2 : 4,
		    sizeof(*nv));
		if (nv == NULL)
			return -1;
		ids->v = nv;
		ids->cap = ids->cap ? ids->cap * 2 : 4;
	}
	ids->v[ids->n++] = v;
	return 0;
}

static void
ac_free(struct sigma_ac *ac)
{
	size_t i;

	if (ac == NULL)
		return;
	for (i = 0; i < ac->nouts; i++)
		free(ac->outs[i].v);
	free(ac->outs);
	free(ac->outlen);
	free(ac->delta);
	free(ac->next);
	free(ac->outidx);
	free(ac->dict);
	free(ac);
}

/* Build an automaton over pats[0..n) (all of one field). */
static struct sigma_ac *
ac_build(const struct acpat *pats, size_t n)
{
	struct sigma_ac *ac;
	int32_t *trie = NULL, *fail = NULL, *queue = NULL, *nt;
	size_t i, j, maxst = 1, qh = 0, qt = 0;
	int32_t st, c, u, v;

	if ((ac = calloc(1, sizeof(*ac))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		for (j = 0; j < pats[i].len; j++)
			ac->cls[(unsigned char)pats[i].lit[j]] = 1;
	ac->ncls = 1;
	for (i = 0; i < 256; i++)
		if (ac->cls[i])
			ac->cls[i] = ac->ncls++;
	for (i = 0; i < n; i++)
		maxst += pats[i].len;
	if ((trie = calloc(maxst * ac->ncls, sizeof(*trie))) == NULL ||
	    (ac->outidx = malloc(maxst * sizeof(int32_t))) == NULL)
		goto fail;
	for (i = 0; i < maxst; i++)
		ac->outidx[i] = -1;
	ac->nstates = 1;
	for (i = 0; i < n; i++) {
		st = 0;
		for (j = 0; j < pats[i].len; j++) {
			c = ac->cls[(unsigned char)pats[i].lit[j]];
			if (trie[(size_t)st * ac->ncls + c] == 0)
				trie[(size_t)st * ac->ncls + c] =
				    (int32_t)ac->nstates++;
			st = trie[(size_t)st * ac->ncls + c];
		}
		if (ac->outidx[st] < 0) {
			struct sigma_ids *no;
			uint32_t *nl;

			if ((nl = reallocarray(ac->outlen, ac->nouts + 1,
			    sizeof(*nl))) == NULL)
				goto fail;
			ac->outlen = nl;
			nl[ac->nouts] = (uint32_t)pats[i].len;
			no = reallocarray(ac->outs, ac->nouts + 1, sizeof(*no));
			if (no == NULL)
				goto fail;
			ac->outs = no;
			memset(&no[ac->nouts], 0, sizeof(*no));
			ac->outidx[st] = (int32_t)ac->nouts++;
		}
		if (ids_add(&ac->outs[ac->outidx[st]], pats[i].rule) == -1)
			goto fail;
	}
	/* shrink to the states used */
	if ((nt = realloc(trie, ac->nstates * ac->ncls * sizeof(*trie))) != NULL)
		trie = nt;
	if ((ac->delta = calloc(ac->nstates * ac->ncls, sizeof(int32_t))) ==
	    NULL || (fail = calloc(ac->nstates, sizeof(*fail))) == NULL ||
	    (queue = malloc(ac->nstates * sizeof(*queue))) == NULL ||
	    (ac->dict = malloc(ac->nstates * sizeof(int32_t))) == NULL)
		goto fail;
	ac->dict[0] = -1;
	for (c = 0; c < ac->ncls; c++) {
		v = trie[c];
		ac->delta[c] = v;
		if (v != 0 && c != 0) {
			fail[v] = 0;
			ac->dict[v] = -1;
			queue[qt++] = v;
		}
	}
	while (qh < qt) {
		u = queue[qh++];
		for (c = 0; c < ac->ncls; c++) {
			v = c ? trie[(size_t)u * ac->ncls + c] : 0;
			if (v != 0) {
				fail[v] = ac->delta[(size_t)fail[u] * ac->ncls + c];
				ac->dict[v] = ac->outidx[fail[v]] >= 0 ? fail[v] :
				    ac->dict[fail[v]];
				ac->delta[(size_t)u * ac->ncls + c] = v;
				queue[qt++] = v;
			} else
				ac->delta[(size_t)u * ac->ncls + c] =
				    ac->delta[(size_t)fail[u] * ac->ncls + c];
		}
	}
	free(trie);
	free(fail);
	free(queue);
	if (ac->nstates * ac->ncls > UINT32_MAX / 2) {
		ac_free(ac);
		return NULL;
	}
	/* ready to run: no multiply, and no look at outidx, a byte */
	ac->next = (uint32_t *)ac->delta;
	for (i = 0; i < ac->nstates * ac->ncls; i++) {
		st = ac->delta[i];
		ac->next[i] = (uint32_t)((size_t)st * ac->ncls) << 1 |
		    (ac->outidx[st] >= 0 || ac->dict[st] >= 0);
	}
	ac->delta = NULL;
	return ac;
fail:
	free(trie);
	free(fail);
	free(queue);
	ac_free(ac);
	return NULL;
}

static int
req_add(void *arg, const char *lit, size_t len)
{
	struct sigma_pat *p = arg;
	char **nr, *s;

	if (p->nreq >= 8)
		return 0;
	if ((s = strndup(lit, len)) == NULL)
		return -1;
	if ((nr = reallocarray(p->req, p->nreq + 1, sizeof(*nr))) == NULL) {
		free(s);
		return -1;
	}
	p->req = nr;
	p->req[p->nreq++] = s;
	return 0;
}

/* Give every regular expression its required literals. */
static void
re_prefilters(struct sigma_node *n)
{
	struct sigma_leaf *l;
	char lit[256];
	size_t i, j;

	if (n->op != NODE_LEAF) {
		for (i = 0; i < n->nkids; i++)
			re_prefilters(n->kids[i]);
		return;
	}
	l = n->leaf;
	for (i = 0; i < l->nvals; i++)
		for (j = 0; j < l->vals[i].npats; j++)
			if (l->vals[i].pats[j].kind == PAT_RE &&
			    l->vals[i].pats[j].nreq == 0)
				re_literal(l->vals[i].pats[j].s, lit, sizeof(lit),
				    req_add, &l->vals[i].pats[j]);
}

static int
cmp_acpat(const void *a, const void *b)
{
	const struct acpat *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * A signature of node n into b: nodes with the same signature match the
 * same events.  Returns 0, or -1 for a node it cannot vouch for (regular
 * expressions, CIDR, field references) or when out of memory.
 */
static int
node_sig(struct buf *b, const struct sigma_node *n)
{
	const struct sigma_leaf *l;
	const struct sigma_pat *p;
	size_t i, k, hdr[4];

	hdr[0] = n->op;
	hdr[1] = n->nkids;
	if (buf_append(b, hdr, 2 * sizeof(*hdr)) == -1)
		return -1;
	if (n->op != NODE_LEAF) {
		for (i = 0; i < n->nkids; i++)
			if (node_sig(b, n->kids[i]) == -1)
				return -1;
		return 0;
	}
	l = n->leaf;
	hdr[0] = l->kind;
	hdr[1] = (size_t)l->field;
	hdr[2] = (size_t)l->all;
	hdr[3] = l->nvals;
	if (buf_append(b, hdr, sizeof(hdr)) == -1)
		return -1;
	for (i = 0; i < l->nvals; i++) {
		if (buf_append(b, &l->vals[i].npats, sizeof(size_t)) == -1)
			return -1;
		for (k = 0; k < l->vals[i].npats; k++) {
			p = &l->vals[i].pats[k];
			if (p->kind == PAT_RE || p->kind == PAT_CIDR ||
			    p->kind == PAT_FIELDREF)
				return -1;
			hdr[0] = p->kind;
			hdr[1] = (size_t)p->cased;
			hdr[2] = (size_t)p->isnum;
			hdr[3] = p->len;
			if (buf_append(b, hdr, sizeof(hdr)) == -1 ||
			    buf_append(b, &p->num, sizeof(p->num)) == -1 ||
			    buf_append(b, p->s, p->len) == -1 ||
			    (p->kind == PAT_GLOB && buf_append(b, p->wild,
			    p->len) == -1))
				return -1;
		}
	}
	return 0;
}

/*
 * The logsource gates: a rule whose detection is ANDed with conditions
 * from its logsource (weak nodes, apply_logsource in sigma.c) gets the
 * gate those conditions make, shared with every rule that has the same
 * ones; sigma_match decides each gate once an event and skips the rules
 * behind a closed one.  A condition found in several gates (a product's,
 * beside each of its categories') is one, decided once.  Returns 0 or -1
 * (memory).
 */
static int
gates_build(struct ruleset *rs)
{
	struct sigma_map sigs = { 0 }, csigs = { 0 };
	struct sigma_map_ent *e;
	struct sigma_node *c, **nc;
	struct buf b, kb;
	size_t i, k, nweak, nstrong, *nk, **ng, *kids, id;
	int rc = -1, bad;

	buf_init(&b);
	buf_init(&kb);
	if ((rs->rgate = calloc(rs->nrules + 1, sizeof(int))) == NULL ||
	    (rs->rcore = calloc(rs->nrules + 1, sizeof(*rs->rcore))) == NULL)
		goto done;
	for (i = 0; i < rs->nrules; i++) {
		rs->rgate[i] = -1;
		if ((c = rs->rules[i]->cond) == NULL || c->op != NODE_AND)
			continue;
		/* the gate's signature: its conditions' ids, in order */
		buf_reset(&b);
		for (k = nweak = nstrong = 0, bad = 0; k < c->nkids; k++) {
			if (!c->kids[k]->weak) {
				nstrong++;
				continue;
			}
			nweak++;
			buf_reset(&kb);
			if (node_sig(&kb, c->kids[k]) == -1) {
				bad = 1;
				break;
			}
			if ((e = sigma_map_put(&csigs, kb.data, kb.len)) == NULL)
				goto done;
			if (e->val == NULL) {
				if ((nc = reallocarray(rs->gconds,
				    rs->ngconds + 1, sizeof(*nc))) == NULL)
					goto done;
				rs->gconds = nc;
				nc[rs->ngconds] = c->kids[k];
				e->val = (void *)(uintptr_t)++rs->ngconds;
			}
			id = (uintptr_t)e->val - 1;
			if (buf_append(&b, &id, sizeof(id)) == -1)
				goto done;
		}
		if (nweak == 0 || bad)
			continue;
		if ((e = sigma_map_put(&sigs, b.data, b.len)) == NULL)
			goto done;
		if (e->val == NULL) {
			if ((ng = reallocarray(rs->gates, rs->ngates + 1,
			    sizeof(*ng))) == NULL)
				goto done;
			rs->gates = ng;
			if ((nk = reallocarray(rs->ngatekids, rs->ngates + 1,
			    sizeof(*nk))) == NULL)
				goto done;
			rs->ngatekids = nk;
			if ((kids = malloc(b.len)) == NULL)
				goto done;
			memcpy(kids, b.data, b.len);
			ng[rs->ngates] = kids;
			nk[rs->ngates] = nweak;
			e->val = (void *)(uintptr_t)++rs->ngates;
		}
		rs->rgate[i] = (int)(uintptr_t)e->val - 1;
		if (nstrong == 1)
			for (k = 0; k < c->nkids; k++)
				if (!c->kids[k]->weak)
					rs->rcore[i] = c->kids[k];
	}
	rc = 0;
done:
	sigma_map_release(&sigs);
	sigma_map_release(&csigs);
	buf_release(&b);
	buf_release(&kb);
	return rc;
}

/* Add index use u to plain field f's list (counting pass when uses is
   NULL). */
static void
use_add(struct ruleset *rs, size_t *fill, int f, uint32_t u)
{
	if (rs->uses == NULL)
		rs->useoff[f + 1]++;
	else
		rs->uses[rs->useoff[f] + fill[f]++] = u;
}

/*
 * The walk's tables: every plain field's path and the prefixes leading to
 * it, and for each plain field the index uses (equality probes,
 * automata) of the fields it is, or is one of the alternatives of.  A
 * use of a field the walk cannot see (computed) runs on every event.
 * Returns 0 or -1 (memory).
 */
static int
walk_build(struct ruleset *rs)
{
	const struct sigma_field *fd;
	struct sigma_map_ent *e;
	size_t i, k, pass, nuse = rs->neqfields + rs->nacfields, *fill = NULL;
	struct sigma_wnode *nw;
	struct buf key;
	uint32_t u;
	int f, ok, node;

	buf_init(&key);
	if ((rs->wnodes = calloc(1, sizeof(*rs->wnodes))) == NULL)
		goto fail;
	rs->wnodes[0].field = -1;
	rs->nwnodes = 1;
	if ((rs->walkable = calloc(rs->nfields + 1, 1)) == NULL ||
	    (rs->useoff = calloc(rs->nfields + 2, sizeof(size_t))) == NULL ||
	    (rs->alwaysuse = calloc(nuse + 1, sizeof(uint32_t))) == NULL ||
	    (fill = calloc(rs->nfields + 1, sizeof(size_t))) == NULL)
		goto fail;
	for (i = 0; i < rs->nfields; i++) {
		fd = &rs->fields[i];
		if (fd->nalts > 0) {
			rs->walkable[i] = 2;
			continue;
		}
		if (fd->virt != FV_NONE || fd->ncomp == 0)
			continue;
		rs->walkable[i] = 1;
		for (k = 0, node = 0; k < fd->ncomp; k++) {
			size_t cl = strlen(fd->comp[k]);
			uint32_t nd = (uint32_t)node;

			buf_reset(&key);
			if (buf_append(&key, &nd, sizeof(nd)) == -1 ||
			    buf_append(&key, fd->comp[k], cl) == -1 ||
			    (e = sigma_map_put(&rs->wtrie, key.data,
			    key.len)) == NULL)
				goto fail;
			if (cl > rs->wmaxcomp)
				rs->wmaxcomp = cl;
			rs->wnodes[node].kids = 1;
			if (e->val == NULL) {
				if ((nw = reallocarray(rs->wnodes,
				    rs->nwnodes + 1, sizeof(*nw))) == NULL)
					goto fail;
				rs->wnodes = nw;
				nw[rs->nwnodes].field = -1;
				nw[rs->nwnodes].kids = 0;
				e->val = (void *)(uintptr_t)++rs->nwnodes;
			}
			node = (int)(uintptr_t)e->val - 1;
		}
		rs->wnodes[node].field = (int)i;
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (i = 0; i < rs->nfields; i++)
				rs->useoff[i + 1] += rs->useoff[i];
			if ((rs->uses = calloc(rs->useoff[rs->nfields] + 1,
			    sizeof(uint32_t))) == NULL)
				goto fail;
		}
		for (u = 0; u < nuse; u++) {
			size_t m0 = 0, m1 = 1, m;

			if (u >= rs->neqfields) {
				m0 = rs->acmemoff[u - rs->neqfields];
				m1 = rs->acmemoff[u - rs->neqfields + 1];
			}
			/* a use runs when one of its fields' paths is there */
			for (m = m0, ok = 1; m < m1 && ok; m++) {
				f = u < rs->neqfields ? rs->eqfields[u] :
				    rs->acmem[m];
				fd = &rs->fields[f];
				for (k = 0; k < fd->nalts; k++)
					if (rs->walkable[fd->alts[k]] != 1)
						ok = 0;
				if (!rs->walkable[f])
					ok = 0;
			}
			if (!ok) {
				if (pass == 1)
					rs->alwaysuse[rs->nalwaysuse++] = u;
				continue;
			}
			for (m = m0; m < m1; m++) {
				f = u < rs->neqfields ? rs->eqfields[u] :
				    rs->acmem[m];
				fd = &rs->fields[f];
				if (fd->nalts == 0)
					use_add(rs, fill, f, u);
				for (k = 0; k < fd->nalts; k++)
					use_add(rs, fill, fd->alts[k], u);
			}
		}
	}
	free(fill);
	buf_release(&key);
	return 0;
fail:
	free(fill);
	buf_release(&key);
	return -1;
}

/*
 * Literal lit (lower-case, len bytes) of field fi becomes one the field's
 * automaton reports: *lit1 is set to 1 + its number (shared with every
 * pattern asking for the same), or left 0 past UINT32_MAX literals.
 * Returns 0 or -1 (memory).
 */
static int
lit_register(struct ruleset *rs, struct sigma_map *lits, struct acpat **acp,
    size_t *nacp, int fi, const char *lit, size_t len, uint32_t *lit1)
{
	struct sigma_map_ent *e;
	struct acpat *na;
	uint32_t *nl;
	char key[4 + 256];

	if (len > 256)
		return 0;
	memcpy(key, &fi, sizeof(fi));
	memcpy(key + 4, lit, len);
	if ((e = sigma_map_put(lits, key, 4 + len)) == NULL)
		return -1;
	if (e->val != NULL) {
		*lit1 = (uint32_t)(uintptr_t)e->val;
		return 0;
	}
	if (rs->nlits >= UINT32_MAX - 1)
		return 0;
	if ((na = reallocarray(*acp, *nacp + 1, sizeof(*na))) == NULL)
		return -1;
	*acp = na;
	na[*nacp].field = fi;
	na[*nacp].lit = lit;
	na[*nacp].len = len;
	na[(*nacp)++].rule = LIT_FLAG | rs->nlits;
	if ((nl = reallocarray(rs->litlen, rs->nlits + 1, sizeof(*nl))) ==
	    NULL)
		return -1;
	rs->litlen = nl;
	nl[rs->nlits] = (uint32_t)len;
	*lit1 = ++rs->nlits;
	e->val = (void *)(uintptr_t)*lit1;
	return 0;
}

/* Union-find: the representative of x's set (paths halved). */
static int
uf_find(int *uf, int x)
{
	while (uf[x] != x)
		x = uf[x] = uf[uf[x]];
	return x;
}

int
sigma_index_build(struct ruleset *rs)
{
	struct cnf *sets = NULL;
	struct acpat *part = NULL;
	size_t x;
	int *uf = NULL;
	struct acpat *acp = NULL, *nacp;
	struct sigma_map_ent *e;
	struct sigma_ids *ids;
	struct buf key;
	size_t i, j, c, nacp_n = 0, start;
	int32_t fi;
	char *seen = NULL;
	struct sigma_map lits = { 0 };
	int rc = -1;

	buf_init(&key);
	if ((sets = calloc(rs->nrules + 1, sizeof(*sets))) == NULL ||
	    (rs->always = calloc(rs->nrules + 1, sizeof(size_t))) == NULL ||
	    (rs->full = calloc(rs->nrules + 1, 1)) == NULL ||
	    (rs->eqshort = calloc(rs->nfields + 1, 1)) == NULL ||
	    (seen = calloc(rs->nfields + 1, 1)) == NULL)
		goto fail;
	for (i = 0; i < rs->nrules; i++) {
		if (rs->rules[i]->cond == NULL)
			continue;
		re_prefilters(rs->rules[i]->cond);
		if (anchors(rs, rs->rules[i]->cond, &sets[i]) == -1)
			goto fail;
		cnf_keep(rs, &sets[i], MAX_CLAUSES);
		if (sets[i].n == 0) {
			rs->always[rs->nalways++] = i;
			continue;
		}
		rs->nanchored++;
		rs->full[i] = (unsigned char)((1u << sets[i].n) - 1);
		for (c = 0; c < sets[i].n; c++)
		for (j = 0; j < sets[i].c[c].n; j++) {
			struct anchor *a = &sets[i].c[c].a[j];
			size_t id = i << ID_SHIFT | (size_t)a->eq << 3 | c;

			if (a->eq != AK_EQ && a->eq != AK_SSTART &&
			    a->eq != AK_SEND) {
				nacp = reallocarray(acp, nacp_n + 1,
				    sizeof(*acp));
				if (nacp == NULL)
					goto fail;
				acp = nacp;
				acp[nacp_n].field = a->field;
				acp[nacp_n].lit = a->lit;
				acp[nacp_n].len = a->len;
				acp[nacp_n++].rule = id;
				continue;
			}
			fi = a->field;
			if (a->eq == AK_SEND || a->eq == AK_SSTART) {
				fi |= a->eq == AK_SEND ? TAG_END : TAG_START;
				rs->eqshort[a->field] |= a->eq == AK_SEND ? 1 : 2;
				id = i << ID_SHIFT | (size_t)AK_EQ << 3 | c;
			}
			buf_reset(&key);
			if (buf_append(&key, &fi, sizeof(fi)) == -1 ||
			    buf_append(&key, a->lit, a->len) == -1)
				goto fail;
			if ((e = sigma_map_put(&rs->eqidx, key.data, key.len)) ==
			    NULL)
				goto fail;
			if (e->val == NULL &&
			    (e->val = calloc(1, sizeof(struct sigma_ids))) == NULL)
				goto fail;
			if (ids_add(e->val, id) == -1)
				goto fail;
			if (!(seen[a->field] & 1)) {
				int *nf = reallocarray(rs->eqfields,
				    rs->neqfields + 1, sizeof(int));

				if (nf == NULL)
					goto fail;
				rs->eqfields = nf;
				nf[rs->neqfields++] = a->field;
				seen[a->field] |= 1;
			}
		}
	}
	/* every case-insensitive contains-literal of every rule: found by
	   the field's automaton in the same pass as the anchors */
	for (i = 0; i < rs->nrules; i++) {
		struct sigma_node *n;

		for (n = rs->rules[i]->nodes; n != NULL; n = n->next) {
			struct sigma_leaf *l = n->leaf;
			size_t v, k, q;

			if (n->op != NODE_LEAF || l->kind != LEAF_VALUES)
				continue;
			for (v = 0; v < l->nvals; v++)
				for (k = 0; k < l->vals[v].npats; k++) {
					struct sigma_pat *p = &l->vals[v].pats[k];

					/* (startswith and endswith as well
					   measured no faster, and 13 MB more
					   for SigmaHQ's set: memcmp is cheap) */
					if (p->kind == PAT_RE && p->nreq > 0 &&
					    p->reqlit == NULL) {
						if ((p->reqlit = calloc(p->nreq,
						    sizeof(uint32_t))) == NULL)
							goto fail;
						for (q = 0; q < p->nreq; q++)
							if (lit_register(rs, &lits,
							    &acp, &nacp_n, l->field,
							    p->req[q], strlen(p->req[q]),
							    &p->reqlit[q]) == -1)
								goto fail;
						continue;
					}
					if (p->kind != PAT_CONTAINS || p->cased ||
					    !long_literal(p->s, p->len))
						continue;
					if (lit_register(rs, &lits, &acp, &nacp_n,
					    l->field, p->s, p->len, &p->lit1) == -1)
						goto fail;
				}
		}
	}
	/* one automaton for the fields of a group: those that share a
	   path, directly or through others (the mappings' a|b, b|a, a|c) */
	if ((uf = calloc(rs->nfields + 1, sizeof(*uf))) == NULL)
		goto fail;
	for (i = 0; i < rs->nfields; i++)
		uf[i] = (int)i;
	for (i = 0; i < nacp_n; i++) {
		const struct sigma_field *fd = &rs->fields[acp[i].field];

		for (c = 1; c < fd->nalts; c++)
			uf[uf_find(uf, fd->alts[c])] = uf_find(uf, fd->alts[0]);
	}
	for (i = 0; i < nacp_n; i++) {
		const struct sigma_field *fd = &rs->fields[acp[i].field];

		acp[i].group = uf_find(uf, fd->nalts > 0 ? fd->alts[0] :
		    acp[i].field);
	}
	if (nacp_n > 0)
		qsort(acp, nacp_n, sizeof(*acp), cmp_acpat);
	if ((rs->acmemoff = calloc(nacp_n + 2, sizeof(size_t))) == NULL ||
	    (rs->acmem = calloc(nacp_n + 1, sizeof(int))) == NULL ||
	    (part = calloc(nacp_n + 1, sizeof(*part))) == NULL)
		goto fail;
	for (i = 0; i < nacp_n; i = j) {
		struct sigma_ac **na;
		int *nf;

		start = i;
		for (j = i; j < nacp_n && acp[j].group == acp[start].group; j++) {
			if (j == start || acp[j].field != acp[j - 1].field) {
				if (rs->nacslots >= SLOT_MASK)
					goto fail;
				rs->acmem[rs->nacslots++] = acp[j].field;
			}
			acp[j].rule |= (size_t)(rs->nacslots - 1) << SLOT_SHIFT;
		}
		na = reallocarray(rs->ac, rs->nacfields + 1, sizeof(*na));
		if (na == NULL)
			goto fail;
		rs->ac = na;
		na[rs->nacfields] = NULL;
		na = reallocarray(rs->acx, rs->nacfields + 1, sizeof(*na));
		if (na == NULL)
			goto fail;
		rs->acx = na;
		na[rs->nacfields] = NULL;
		nf = reallocarray(rs->acfields, rs->nacfields + 1, sizeof(int));
		if (nf == NULL)
			goto fail;
		rs->acfields = nf;
		nf[rs->nacfields] = acp[start].group;
		/* the literals with bytes past ASCII (emoji, look-alike
		   letters) in an automaton of their own: they would make
		   every row of the other one twice as wide, and most texts
		   need not meet them at all */
		for (x = 0; x < 2; x++) {
			size_t m = 0, k;

			for (k = start; k < j; k++)
				if (all_ascii(acp[k].lit, acp[k].len) == !x)
					part[m++] = acp[k];
			if (m > 0 && ((x ? rs->acx : rs->ac)[rs->nacfields] =
			    ac_build(part, m)) == NULL) {
				rs->nacfields++;
				goto fail;
			}
		}
		rs->nacfields++;
		rs->acmemoff[rs->nacfields] = rs->nacslots;
	}
	(void)ids;
	if (gates_build(rs) == -1 || walk_build(rs) == -1)
		goto fail;
	rc = 0;
fail:
	if (sets != NULL)
		for (i = 0; i < rs->nrules; i++)
			cnf_clear(&sets[i]);
	free(sets);
	free(uf);
	free(part);
	free(acp);
	free(seen);
	sigma_map_release(&lits);
	buf_release(&key);
	return rc;
}

void
sigma_index_free(struct ruleset *rs)
{
	struct sigma_map_ent *e;
	struct sigma_ids *ids;
	size_t i;

	for (i = 0; (e = sigma_map_next(&rs->eqidx, &i)) != NULL; i++) {
		ids = e->val;
		if (ids != NULL)
			free(ids->v);
		free(ids);
	}
	sigma_map_release(&rs->eqidx);
	free(rs->eqfields);
	for (i = 0; i < rs->nacfields; i++) {
		ac_free(rs->ac[i]);
		if (rs->acx != NULL)
			ac_free(rs->acx[i]);
	}
	free(rs->ac);
	free(rs->acx);
	rs->acx = NULL;
	free(rs->acfields);
	free(rs->acmem);
	free(rs->acmemoff);
	rs->acmem = NULL;
	rs->acmemoff = NULL;
	rs->nacslots = 0;
	free(rs->always);
	free(rs->full);
	rs->full = NULL;
	free(rs->eqshort);
	rs->eqshort = NULL;
	free(rs->litlen);
	for (i = 0; i < rs->ngates; i++)
		free(rs->gates[i]);
	free(rs->gates);
	free(rs->ngatekids);
	free(rs->gconds);
	free(rs->rgate);
	free(rs->rcore);
	rs->gates = NULL;
	rs->ngatekids = NULL;
	rs->gconds = NULL;
	rs->ngconds = 0;
	rs->rgate = NULL;
	rs->rcore = NULL;
	rs->ngates = 0;
	sigma_map_release(&rs->wtrie);
	free(rs->wnodes);
	rs->wnodes = NULL;
	rs->nwnodes = rs->wmaxcomp = 0;
	free(rs->walkable);
	free(rs->useoff);
	free(rs->uses);
	free(rs->alwaysuse);
	rs->walkable = NULL;
	rs->useoff = NULL;
	rs->uses = NULL;
	rs->alwaysuse = NULL;
	rs->nalwaysuse = 0;
	rs->litlen = NULL;
	rs->nlits = 0;
	rs->eqfields = NULL;
	rs->ac = NULL;
	rs->acfields = NULL;
	rs->always = NULL;
	rs->neqfields = rs->nacfields = rs->nalways = 0;
}

/* ---- fields as text, templates, time --------------------------------- */

static int field_text(const struct ruleset *, const struct rule *, json_t *,
    int, struct buf *, int);

int
sigma_field_text_idx(const struct ruleset *rs, const struct rule *r,
    json_t *ev, int f, struct buf *b)
{
	return field_text(rs, r, ev, f, b, 0);
}

/* A correlation has no ward.extract of its own: it uses those of the
   rules it names. */
static int
field_text(const struct ruleset *rs, const struct rule *r, json_t *ev, int f,
    struct buf *b, int depth)
{
	json_t *tmp, *v, *from, *ft;
	const char *raw;
	struct buf t;
	pcre2_match_data *md = NULL;
	PCRE2_SIZE *ov;
	size_t i, len;
	char *str;
	int rc = 0;

	if (f < 0 || (size_t)f >= rs->nfields || ev == NULL)
		return 0;
	buf_init(&t);
	v = sigma_field_get(rs, ev, f, &tmp);
	if (v != NULL) {
		if (scalar_text(v, &t, &raw, &len) == 0)
			rc = buf_append(b, raw, len) == -1 ? -1 : 1;
		else if ((str = json_dumps(v, JSON_COMPACT)) != NULL) {
			rc = buf_puts(b, str) == -1 ? -1 : 1;
			free(str);
		} else
			rc = -1;
		goto done;
	}
	for (i = 0; r != NULL && i < r->nextract; i++) {
		if (r->extract[i].field != f)
			continue;
		from = sigma_field_get(rs, ev, r->extract[i].from, &ft);
		if (from != NULL && json_is_string(from) &&
		    (md = pcre2_match_data_create_from_pattern(r->extract[i].re,
		    NULL)) != NULL && pcre2_match(r->extract[i].re,
		    (PCRE2_SPTR)json_string_value(from),
		    json_string_length(from), 0, 0, md, NULL) >= 2 &&
		    (ov = pcre2_get_ovector_pointer(md))[2] !=
		    PCRE2_UNSET) {
			rc = buf_append(b, json_string_value(from) + ov[2],
			    ov[3] - ov[2]) == -1 ? -1 : 1;
			json_decref(ft);
			goto done;
		}
		pcre2_match_data_free(md);
		md = NULL;
		json_decref(ft);
	}
	if (r != NULL && r->kind == RULE_CORRELATION && depth < 8)
		for (i = 0; i < r->corr->nrefs && rc == 0; i++)
			rc = field_text(rs, rs->rules[r->corr->refs[i]], ev, f,
			    b, depth + 1);
done:
	pcre2_match_data_free(md);
	json_decref(tmp);
	buf_release(&t);
	return rc;
}

int
sigma_template(const struct ruleset *rs, const struct rule *r,
    const char *tmpl, json_t *ev, size_t count, const char *group,
    struct buf *b)
{
	const char *p, *q;
	char name[256];
	size_t n;
	int rc;

	for (p = tmpl; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (buf_append(b, p++, 1) == -1)
				return -1;
			continue;
		}
		if (*p != '{' || (q = strchr(p, '}')) == NULL) {
			if (buf_append(b, p, 1) == -1)
				return -1;
			continue;
		}
		n = q - p - 1;
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		p = q;
		if (strcmp(name, "@count") == 0)
			rc = buf_printf(b, "%zu", count);
		else if (strcmp(name, "@group") == 0)
			rc = buf_puts(b, group ? group : "");
		else if (strcmp(name, "@title") == 0)
			rc = buf_puts(b, r ? r->title : "");
		else if ((rc = sigma_field_text(rs, r, ev, name, b)) == 0)
			rc = buf_puts(b, "-");
		if (rc == -1)
			return -1;
	}
	return 0;
}

int64_t
sigma_event_time(json_t *ev, int64_t dflt)
{
	const char *s;
	int64_t us;

	s = json_string_value(json_object_get(ev, "utctimestamp"));
	if (s == NULL || time_parse(s, dflt, &us) == -1)
		return dflt;
	return us;
}
