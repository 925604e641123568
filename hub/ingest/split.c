/*
 * split — cut an ingest request body into JSON documents.
 *
 * Every document is parsed once, by jsonfast_parse() on the bytes of the
 * body itself (no copies).  It can stop after one value and say how many
 * bytes it took, which is how we walk arrays and streams.
 *
 * Error recovery, and why it stays linear in the body size:
 *   NDJSON, BULK  every line is parsed on its own, so a bad line never
 *                 touches the next one.
 *   STREAM        a document is first parsed within its line.  Only when
 *                 the parser says the line ended too early is it parsed again
 *                 over the rest of the body (a pretty-printed document).
 *                 After a bad document we resume at the next line that
 *                 starts with '{' after the line the document started on;
 *                 the lines skipped belong to the refused document.  When
 *                 a multi-line attempt failed at byte E, documents that
 *                 start before E are parsed within their line only, so no
 *                 byte is read by more than one multi-line attempt.
 *   JSON array    a bad element is skipped by matching its brackets
 *                 (outside strings); when that is impossible the body as a
 *                 whole is refused.
 * Depth is checked by the parser, which stops building past the limit but
 * reads the too-deep document to its end, so it can be stepped over like a
 * good one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "jsonfast.h"
#include "split.h"

#define SPLIT_DEPTH	64
#define SPLIT_DOCS	100000

struct splitter {
	const char		*body;
	size_t			 len;
	size_t			 max_depth;
	size_t			 max_docs;
	struct split_result	*out;
	char			*err;
	size_t			 errlen;
	size_t			 start;		/* past a byte order mark */
	size_t			 lc_pos;	/* line_at() cursor */
	unsigned		 lc_line;
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_ws(const struct splitter *sp, size_t p)
{
	while (p < sp->len && is_ws((unsigned char)sp->body[p]))
		p++;
	return p;
}

/* Offset of the first '\n' at or after p, or len. */
static size_t
line_end(const struct splitter *sp, size_t p)
{
	const char	*q;

	if (p >= sp->len)
		return sp->len;
	q = memchr(sp->body + p, '\n', sp->len - p);
	return q != NULL ? (size_t)(q - sp->body) : sp->len;
}

static unsigned
count_nl(const char *p, size_t n)
{
	const char	*end = p + n, *q;
	unsigned	 c = 0;

	while (p < end && (q = memchr(p, '\n', end - p)) != NULL) {
		c++;
		p = q + 1;
	}
	return c;
}

/* The 1-based line of byte pos; cheap when pos moves forward. */
static unsigned
line_at(struct splitter *sp, size_t pos)
{
	if (pos > sp->len)
		pos = sp->len;
	if (pos >= sp->lc_pos)
		sp->lc_line += count_nl(sp->body + sp->lc_pos, pos - sp->lc_pos);
	else
		sp->lc_line -= count_nl(sp->body + pos, sp->lc_pos - pos);
	sp->lc_pos = pos;
	return sp->lc_line;
}

/* The body as a whole is unusable: say why and where. */
static int
body_fail(struct splitter *sp, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
body_fail(struct splitter *sp, size_t pos, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (sp->errlen == 0)
		return -1;
	n = snprintf(sp->err, sp->errlen, "line %u, byte %zu: ",
	    line_at(sp, pos), pos);
	if (n < 0 || (size_t)n >= sp->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(sp->err + n, sp->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void
refuse(struct splitter *sp, struct split_item *it, size_t pos,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
refuse(struct splitter *sp, struct split_item *it, size_t pos,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(it->err, sizeof(it->err), "line %u, byte %zu: ",
	    line_at(sp, pos), pos);
	if (n > 0 && (size_t)n < sizeof(it->err)) {
		va_start(ap, fmt);
		vsnprintf(it->err + n, sizeof(it->err) - n, fmt, ap);
		va_end(ap);
	}
	if (it->doc != NULL) {
		json_decref(it->doc);
		it->doc = NULL;
	}
	it->status = 400;
	sp->out->bad++;
}

/* Where the parser stopped, as a body offset. */
static size_t
json_err_pos(size_t start, const struct jsonfast_error *e)
{
	return start + e->pos;
}

/* The parser's message, made plainer for the cases people will meet. */
static void
json_err_text(const struct splitter *sp, const struct jsonfast_error *e,
    char *out, size_t outlen)
{
	switch (e->code) {
	case JSONFAST_DEPTH:
		snprintf(out, outlen, "document nests deeper than %zu levels",
		    sp->max_depth);
		break;
	case JSONFAST_UTF8:
		snprintf(out, outlen, "invalid UTF-8: %s", e->text);
		break;
	case JSONFAST_NUL:
		snprintf(out, outlen, "NUL character (\\u0000) in a string");
		break;
	default:
		snprintf(out, outlen, "%s", e->text);
		break;
	}
}

/*
 * Refuse the document starting at start that the parser refused.  A
 * document that is only too deep is named at its start (and, for an array,
 * refused for not being an object, as it would be when shallow).
 */
static void
refuse_json(struct splitter *sp, struct split_item *it, size_t start,
    const struct jsonfast_error *e)
{
	char	 msg[sizeof(e->text) + 32];

	if (e->code == JSONFAST_DEPTH) {
		if (sp->body[skip_ws(sp, start)] == '[')
			refuse(sp, it, start, "document is a JSON array, "
			    "expected an object");
		else
			refuse(sp, it, start, "document nests deeper than %zu "
			    "levels", sp->max_depth);
		return;
	}
	json_err_text(sp, e, msg, sizeof(msg));
	refuse(sp, it, json_err_pos(start, e), "%s", msg);
}

static int
fail_json(struct splitter *sp, size_t start, const struct jsonfast_error *e)
{
	char	 msg[sizeof(e->text) + 32];

	json_err_text(sp, e, msg, sizeof(msg));
	return body_fail(sp, json_err_pos(start, e), "%s", msg);
}

/* A new item starting at byte off, or NULL (err set) when there are too
   many documents or no memory. */
static struct split_item *
item_new(struct splitter *sp, size_t off)
{
	struct split_result	*r = sp->out;
	struct split_item	*it;
	size_t			 cap, guess;

	if (r->n >= sp->max_docs) {
		body_fail(sp, off, "more than %zu documents in one body",
		    sp->max_docs);
		return NULL;
	}
	if (r->n == r->cap) {
		/*
		 * Items are big and a large realloc makes malloc tidy up
		 * every small block freed so far: grow to what the body
		 * will need, guessed from the documents so far, plus 1/8.
		 */
		cap = r->cap ? r->cap * 2 : 16;
		if (r->n >= 16 && off > sp->start) {
			guess = (sp->len - sp->start) / ((off - sp->start) /
			    r->n + 1) + 1;
			guess += guess / 8;
			if (guess > cap)
				cap = guess;
		}
		if (cap > sp->max_docs)
			cap = sp->max_docs;
		it = realloc(r->items, cap * sizeof(*it));
		if (it == NULL) {
			body_fail(sp, off, "out of memory");
			return NULL;
		}
		r->items = it;
		r->cap = cap;
	}
	it = &r->items[r->n++];
	it->doc = NULL;
	it->err[0] = '\0';
	it->line = line_at(sp, off);
	it->offset = off;
	it->status = 0;
	it->action[0] = '\0';
	it->index[0] = '\0';
	return it;
}

static const char *
type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	default:
		return "object";
	}
}

/* Give doc (parsed at start, no deeper than the limit) to it, or refuse
   it. */
static void
take_doc(struct splitter *sp, struct split_item *it, size_t start,
    json_t *doc)
{
	if (!json_is_object(doc)) {
		refuse(sp, it, start, "document is a JSON %s, expected an "
		    "object", type_name(doc));
		json_decref(doc);
		return;
	}
	it->doc = doc;
}

/* Parse body[start, end) as exactly one document into a new item. */
static int
one_line_doc(struct splitter *sp, size_t start, size_t end,
    struct split_item **itp)
{
	struct split_item	*it;
	struct jsonfast_error	 e;
	json_t			*j;

	if ((it = item_new(sp, start)) == NULL)
		return -1;
	j = jsonfast_parse(sp->body + start, end - start, NULL, sp->max_depth,
	    &e);
	if (j == NULL)
		refuse_json(sp, it, start, &e);
	else
		take_doc(sp, it, start, j);
	if (itp != NULL)
		*itp = it;
	return 0;
}

static int
split_ndjson(struct splitter *sp)
{
	size_t	 p = sp->start, s, eol;

	while (p < sp->len) {
		eol = line_end(sp, p);
		s = p;
		while (s < eol && is_ws((unsigned char)sp->body[s]))
			s++;
		if (s < eol && one_line_doc(sp, s, eol, NULL) == -1)
			return -1;
		p = eol + 1;
	}
	return 0;
}

/* The first line after the one holding byte s whose first non-blank byte
   is '{'; its offset, or len. */
static size_t
next_doc_line(const struct splitter *sp, size_t s)
{
	size_t	 q = line_end(sp, s), r;

	while (q < sp->len) {
		r = skip_ws(sp, q + 1);
		if (r >= sp->len || sp->body[r] == '{')
			return r;
		q = line_end(sp, r);
	}
	return sp->len;
}

static int
split_stream(struct splitter *sp)
{
	struct split_item	*it;
	struct jsonfast_error	 e;
	json_t			*j;
	size_t			 p = sp->start, s, eol = 0, hw = 0, used;
	int			 have_eol = 0;

	for (;;) {
		if ((s = skip_ws(sp, p)) >= sp->len)
			break;
		if (!have_eol || s > eol) {
			eol = line_end(sp, s);
			have_eol = 1;
		}
		if ((it = item_new(sp, s)) == NULL)
			return -1;
		j = jsonfast_parse(sp->body + s, eol - s, &used, sp->max_depth,
		    &e);
		if (j == NULL && e.code == JSONFAST_EOF && eol < sp->len &&
		    s >= hw) {
			/* the document goes on past its line */
			j = jsonfast_parse(sp->body + s, sp->len - s, &used,
			    sp->max_depth, &e);
			if (j == NULL)
				hw = json_err_pos(s, &e);
		}
		if (j != NULL) {
			take_doc(sp, it, s, j);
			p = s + used;
			continue;
		}
		refuse_json(sp, it, s, &e);
		/* a document that is only too deep has a known end */
		p = e.code == JSONFAST_DEPTH ? s + used : next_doc_line(sp, s);
	}
	return 0;
}

/* The end of the object or array starting at byte s, found by matching
   brackets outside strings; 0 when they do not match. */
static size_t
skip_container(const struct splitter *sp, size_t s)
{
	const char	*b = sp->body;
	size_t		 p, depth = 0;
	int		 instr = 0;

	if (b[s] != '{' && b[s] != '[')
		return 0;
	for (p = s; p < sp->len; p++) {
		if (instr) {
			if (b[p] == '\\')
				p++;
			else if (b[p] == '"')
				instr = 0;
			continue;
		}
		switch (b[p]) {
		case '"':
			instr = 1;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return 0;
			if (--depth == 0)
				return p + 1;
			break;
		}
	}
	return 0;
}

static int
split_array(struct splitter *sp, size_t s)
{
	struct split_item	*it;
	struct jsonfast_error	 e;
	json_t			*j;
	size_t			 p, q, used;

	p = skip_ws(sp, s + 1);
	if (p < sp->len && sp->body[p] == ']') {
		p++;
		goto end;
	}
	for (;;) {
		if (p >= sp->len)
			return body_fail(sp, p, "']' expected near end of "
			    "body");
		if ((it = item_new(sp, p)) == NULL)
			return -1;
		j = jsonfast_parse(sp->body + p, sp->len - p, &used,
		    sp->max_depth, &e);
		if (j != NULL) {
			take_doc(sp, it, p, j);
			p += used;
		} else if (e.code == JSONFAST_DEPTH) {
			refuse_json(sp, it, p, &e);
			p += used;
		} else {
			if ((q = skip_container(sp, p)) == 0)
				return fail_json(sp, p, &e);
			refuse_json(sp, it, p, &e);
			p = q;
		}
		p = skip_ws(sp, p);
		if (p < sp->len && sp->body[p] == ',') {
			p = skip_ws(sp, p + 1);
			continue;
		}
		if (p < sp->len && sp->body[p] == ']') {
			p++;
			break;
		}
		return body_fail(sp, p, "',' or ']' expected in the array");
	}
end:
	if ((p = skip_ws(sp, p)) < sp->len)
		return body_fail(sp, p, "data after the end of the array");
	return 0;
}

static int
split_json(struct splitter *sp, size_t s)
{
	struct split_item	*it;
	struct jsonfast_error	 e;
	json_t			*j;

	if (sp->body[s] == '[')
		return split_array(sp, s);
	j = jsonfast_parse(sp->body + s, sp->len - s, NULL, sp->max_depth, &e);
	if (j == NULL && e.code != JSONFAST_DEPTH)
		return fail_json(sp, s, &e);
	if ((it = item_new(sp, s)) == NULL) {
		json_decref(j);
		return -1;
	}
	if (j == NULL)
		refuse_json(sp, it, s, &e);
	else
		take_doc(sp, it, s, j);
	return 0;
}

static void
copy_str(char *dst, size_t dstlen, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Read the bulk action line body[s, eol): its name into act, its
   metadata object into *meta (borrowed from *line, which the caller
   frees).  Returns 0 or -1 (err set: the body does not pair up). */
static int
bulk_action(struct splitter *sp, size_t s, size_t eol, json_t **line,
    char act[8], json_t **meta)
{
	static const char *const names[] = {
		"index", "create", "update", "delete"
	};
	struct jsonfast_error e;
	const char	*k;
	size_t		 i;

	*line = jsonfast_parse(sp->body + s, eol - s, NULL, sp->max_depth, &e);
	if (*line == NULL) {
		char	 msg[sizeof(e.text) + 32];

		json_err_text(sp, &e, msg, sizeof(msg));
		return body_fail(sp, json_err_pos(s, &e), "bad bulk action "
		    "line: %s", msg);
	}
	if (!json_is_object(*line) || json_object_size(*line) != 1)
		return body_fail(sp, s, "a bulk action line must be an object "
		    "with one key: index, create, update or delete");
	k = json_object_iter_key(json_object_iter(*line));
	*meta = json_object_iter_value(json_object_iter(*line));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(k, names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return body_fail(sp, s, "unknown bulk action \"%.32s\"", k);
	if (!json_is_object(*meta))
		return body_fail(sp, s, "bulk action \"%s\" must be an object",
		    names[i]);
	copy_str(act, 8, names[i]);
	return 0;
}

static int
split_bulk(struct splitter *sp)
{
	struct split_item	*it;
	json_t			*line = NULL, *meta = NULL, *idx;
	char			 act[8];
	size_t			 p = sp->start, s, eol, as;

	while (p < sp->len) {
		eol = line_end(sp, p);
		s = p;
		while (s < eol && is_ws((unsigned char)sp->body[s]))
			s++;
		if (s == eol) {
			p = eol + 1;
			continue;
		}
		if (bulk_action(sp, s, eol, &line, act, &meta) == -1)
			goto fail;
		as = s;
		idx = json_object_get(meta, "_index");
		if (strcmp(act, "delete") != 0) {
			/* the document line */
			p = skip_ws(sp, eol);
			if (p >= sp->len) {
				body_fail(sp, as, "bulk action \"%s\" has no "
				    "document line", act);
				goto fail;
			}
			s = p;
			eol = line_end(sp, s);
		}
		if (strcmp(act, "delete") == 0 || strcmp(act, "update") == 0) {
			if ((it = item_new(sp, s)) == NULL)
				goto fail;
			refuse(sp, it, as, "bulk action \"%s\" is not supported "
			    "(only index and create)", act);
		} else if (idx != NULL && (!json_is_string(idx) ||
		    json_string_length(idx) >= sizeof(it->index))) {
			if ((it = item_new(sp, s)) == NULL)
				goto fail;
			refuse(sp, it, as, "_index must be a string of at most "
			    "%zu bytes", sizeof(it->index) - 1);
		} else if (one_line_doc(sp, s, eol, &it) == -1)
			goto fail;
		copy_str(it->action, sizeof(it->action), act);
		if (json_is_string(idx))
			copy_str(it->index, sizeof(it->index),
			    json_string_value(idx));
		json_decref(line);
		line = NULL;
		p = eol + 1;
	}
	return 0;
fail:
	json_decref(line);
	return -1;
}

void
split_result_init(struct split_result *r)
{
	r->items = NULL;
	r->n = r->cap = r->bad = 0;
}

void
split_result_release(struct split_result *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		json_decref(r->items[i].doc);
	free(r->items);
	split_result_init(r);
}

/* Case-insensitive: does s[0..n) equal the lower-case word? */
static int
media_eq(const char *s, size_t n, const char *word)
{
	size_t	 i;

	if (strlen(word) != n)
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != word[i])
			return 0;
	}
	return 1;
}

enum split_format
split_format_for(const char *ct)
{
	size_t	 n;

	if (ct == NULL)
		return SPLIT_AUTO;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	if (media_eq(ct, n, "application/x-ndjson") ||
	    media_eq(ct, n, "application/ndjson") ||
	    media_eq(ct, n, "application/vnd.elasticsearch+x-ndjson"))
		return SPLIT_NDJSON;
	return SPLIT_AUTO;
}

int
split_body(const char *body, size_t len, enum split_format fmt,
    const struct split_limits *lim, struct split_result *out,
    char *err, size_t errlen)
{
	struct splitter	 sp;
	size_t		 s;
	int		 c, rc;

	memset(&sp, 0, sizeof(sp));
	sp.body = body;
	sp.len = len;
	sp.max_depth = lim != NULL ? lim->max_depth : SPLIT_DEPTH;
	sp.max_docs = lim != NULL ? lim->max_docs : SPLIT_DOCS;
	sp.out = out;
	sp.err = err;
	sp.errlen = errlen;
	sp.lc_line = 1;
	if (errlen > 0)
		err[0] = '\0';

	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
		sp.start = 3;	/* a UTF-8 byte order mark */
	s = skip_ws(&sp, sp.start);
	if (s >= len)
		return errf(err, errlen, "empty body");
	c = (unsigned char)body[s];
	if (c != '{' && c != '[') {
		if (c >= 0x20 && c < 0x7f)
			body_fail(&sp, s, "expected a JSON object or array, "
			    "found '%c'", c);
		else
			body_fail(&sp, s, "expected a JSON object or array, "
			    "found byte 0x%02x", c);
		return -1;
	}

	switch (fmt) {
	case SPLIT_JSON:
		rc = split_json(&sp, s);
		break;
	case SPLIT_NDJSON:
		rc = split_ndjson(&sp);
		break;
	case SPLIT_STREAM:
		rc = split_stream(&sp);
		break;
	case SPLIT_BULK:
		rc = split_bulk(&sp);
		break;
	case SPLIT_AUTO:
	default:
		rc = c == '[' ? split_json(&sp, s) : split_stream(&sp);
		break;
	}
	if (rc == -1)
		split_result_release(out);
	return rc;
}
