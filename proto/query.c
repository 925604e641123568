/*
 * query — parse ward's search language into an AST and evaluate it on a
 * normalized event.  The grammar (man ward-query.7):
 *
 *	query	:= [expr] ('|' stage)*
 *	expr	:= and (('OR' | '||') and)*
 *	and	:= unary ([('AND' | '&&')] unary)*
 *	unary	:= ('NOT' | '!') unary | '-' primary | '+' primary | primary
 *	primary	:= '(' expr ')' | '"phrase"' | word | field ':' value
 *	value	:= word | '"phrase"' | '[' b 'TO' b ']' | '{' b 'TO' b '}'
 *		 | ('>' | '>=' | '<' | '<=') word
 *	stage	:= 'count' ['by' f (',' f)*] | 'top' N f | 'histogram' INTERVAL
 *		 | 'fields' f (',' f)* | 'sort' ['-'] f | 'head' N
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "glob.h"
#include "severity.h"
#include "query.h"
#include "timeparse.h"

#define EXPECT_VALUE	"a word, \"phrase\", [a TO b], >N or *"
#define EXPECT_STAGE	"count, top, histogram, fields, sort, head"
#define EXPECT_SEV	"DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, " \
			"ALERT or EMERGENCY"
#define EXPECT_TIME	"an ISO 8601 time, epoch seconds, now or now-15m"
#define FTS_MAX_DEPTH	64	/* as deep as the store indexes text */
#define EXPECT_FIELD	"a field name ([A-Za-z0-9_.-])"

struct parser {
	const char		*s;
	size_t			 len;
	size_t			 i;
	int64_t			 now;
	int			 depth;
	int			 parens;
	struct query		*q;
	struct query_error	*err;
	int			 failed;
};

static const struct {
	const char		*name;
	enum query_ftype	 type;
} typed_fields[] = {
	{ "utctimestamp",	QUERY_F_UTC },
	{ "receivedtimestamp",	QUERY_F_RECEIVED },
	{ "severity",		QUERY_F_SEVERITY },
	{ "category",		QUERY_F_CATEGORY },
	{ "hostname",		QUERY_F_HOSTNAME },
	{ "processname",	QUERY_F_PROCESSNAME },
	{ "source",		QUERY_F_SOURCE },
	{ "summary",		QUERY_F_SUMMARY },
};

static struct query_node *parse_or(struct parser *);

/* ---- errors ---------------------------------------------------------- */

static void *
perr(struct parser *p, size_t pos, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void *
perr(struct parser *p, size_t pos, const char *expected, const char *fmt, ...)
{
	va_list	 ap;

	if (p->failed)
		return NULL;
	p->failed = 1;
	if (p->err == NULL)
		return NULL;
	p->err->pos = (int)pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	snprintf(p->err->expected, sizeof(p->err->expected), "%s",
	    expected != NULL ? expected : "");
	return NULL;
}

/* A short, printable excerpt of the query for messages. */
static const char *
excerpt(const char *s, size_t n, char *out, size_t outlen)
{
	size_t	 i, j;

	for (i = j = 0; i < n && j + 4 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		out[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < n && j + 3 < outlen) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
	return out;
}

/* ---- words ----------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (1 for a bad byte) and its code
   point in *cp. */
static size_t
utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t	 len, k;
	unsigned c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[k] & 0x3f);
	}
	*cp = c;
	return len;
}

/* Is the code point part of a word, as FTS5's unicode61 tokenizer sees
   it?  ASCII letters and digits exactly; above ASCII, common punctuation
   blocks separate and everything else is taken as a letter. */
static int
word_cp(unsigned c)
{
	if (c < 0x80)
		return isalnum((int)c) != 0;
	if (c < 0xc0 || c == 0xd7 || c == 0xf7)
		return 0;
	if (c >= 0x2000 && c <= 0x206f)
		return 0;
	if (c >= 0x3000 && c <= 0x303f)
		return 0;
	if (c >= 0xfe30 && c <= 0xfe4f)
		return 0;
	if (c >= 0xff00 && c <= 0xff0f)
		return 0;
	if (c == 0xfeff || c == 0xfffd)
		return 0;
	return 1;
}

/* Fold one word into out (same length): ASCII and Latin-1 letters to
   lower case. */
static void
fold(const char *w, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		else if (c == 0xc3 && i + 1 < n) {
			unsigned char d = (unsigned char)w[i + 1];

			out[i++] = (char)c;
			if (d >= 0x80 && d <= 0x9e && d != 0x97)
				d = (unsigned char)(d + 0x20);
			c = d;
		}
		out[i] = (char)c;
	}
}

int
query_words(const char *s, size_t n,
    int (*fn)(void *, const char *, size_t), void *arg)
{
	const unsigned char *u = (const unsigned char *)s;
	char	 small[128], *w = small, *big = NULL;
	size_t	 i = 0, start, k;
	unsigned cp;
	int	 rc = 0;

	while (i < n) {
		k = utf8_next(u + i, n - i, &cp);
		if (!word_cp(cp)) {
			i += k;
			continue;
		}
		start = i;
		while (i < n) {
			k = utf8_next(u + i, n - i, &cp);
			if (!word_cp(cp))
				break;
			i += k;
		}
		if (i - start > sizeof(small)) {
			free(big);
			if ((big = malloc(i - start)) == NULL)
				return -1;
			w = big;
		} else
			w = small;
		fold(s + start, i - start, w);
		if ((rc = fn(arg, w, i - start)) != 0)
			break;
	}
	free(big);
	return rc;
}

/* ---- small helpers ---------------------------------------------------- */

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int
caseeq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t	 i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* A decimal number, the whole string: digits, sign, point, exponent. */
static int
str_number(const char *s, double *d)
{
	const char *c;
	char	*end;
	int	 digit = 0;

	if (*s == '\0')
		return 0;
	for (c = s; *c != '\0'; c++) {
		if (isdigit((unsigned char)*c))
			digit = 1;
		else if (strchr("+-.eE", *c) == NULL)
			return 0;
	}
	if (!digit)
		return 0;
	errno = 0;
	*d = strtod(s, &end);
	if (*end != '\0' || !isfinite(*d))
		return 0;
	return 1;
}

/* Format a JSON number as full-text and wildcards see it. */
static size_t
num_text(const json_t *v, char *out, size_t len)
{
	int	 n;

	/* Integers by hand: snprintf costs more than the rest of the
	   event. */
	if (json_is_integer(v))
		return len < BUF_INT64_LEN ? 0 :
		    buf_int64_text(out, (int64_t)json_integer_value(v));
	n = snprintf(out, len, "%.17g", json_real_value(v));
	return (n < 0 || (size_t)n >= len) ? 0 : (size_t)n;
}

int
query_field_valid(const char *path)
{
	size_t	 i, n = strlen(path);

	if (n == 0 || n > QUERY_MAX_FIELD || path[0] == '.' ||
	    path[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '.' && path[i + 1] == '.')
			return 0;
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return 0;
	}
	return 1;
}

/* Wildcard match, * and ? (one character), \ escapes; ASCII letters
   compare without case. */
static int
qglob(const char *p, const char *s, size_t sn)
{
	return glob_match(p, strlen(p), NULL, s, sn, GLOB_NOCASE | GLOB_UTF8);
}

static int
has_wildcard(const char *raw)
{
	for (; *raw != '\0'; raw++) {
		if (*raw == '\\' && raw[1] != '\0')
			raw++;
		else if (*raw == '*' || *raw == '?')
			return 1;
	}
	return 0;
}

/* Remove \ escapes into a new string. */
static char *
unescape(const char *raw, size_t n)
{
	char	*out, *o;
	size_t	 i;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i++) {
		if (raw[i] == '\\' && i + 1 < n)
			i++;
		*o++ = raw[i];
	}
	*o = '\0';
	return out;
}

/* ---- AST ------------------------------------------------------------- */

static void
node_free(struct query_node *n)
{
	size_t	 i;

	if (n == NULL)
		return;
	node_free(n->a);
	node_free(n->b);
	free(n->field.path);
	free(n->value);
	for (i = 0; i < n->ntokens; i++)
		free(n->tokens[i]);
	free(n);
}

void
query_free(struct query *q)
{
	size_t	 i;

	if (q == NULL)
		return;
	node_free(q->root);
	for (i = 0; i < q->nby; i++)
		free(q->by[i].path);
	for (i = 0; i < q->nfields; i++)
		free(q->fields[i].path);
	free(q->sort.path);
	free(q);
}

static struct query_node *
node_new(struct parser *p, enum query_kind kind, size_t pos)
{
	struct query_node *n;

	if (kind != QUERY_AND && kind != QUERY_OR && kind != QUERY_NOT &&
	    ++p->q->nterms > QUERY_MAX_TERMS)
		return perr(p, pos, NULL, "too many terms (at most %d)",
		    QUERY_MAX_TERMS);
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return perr(p, pos, NULL, "out of memory");
	n->kind = kind;
	n->pos = (int)pos;
	return n;
}

static struct query_node *
node_pair(struct parser *p, enum query_kind kind, size_t pos,
    struct query_node *a, struct query_node *b)
{
	struct query_node *n;

	if ((n = node_new(p, kind, pos)) == NULL) {
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->a = a;
	n->b = b;
	return n;
}

static enum query_ftype
field_type(const char *path)
{
	size_t	 i;

	for (i = 0; i < sizeof(typed_fields) / sizeof(typed_fields[0]); i++)
		if (strcmp(typed_fields[i].name, path) == 0)
			return typed_fields[i].type;
	return QUERY_F_JSON;
}

static int
field_set(struct parser *p, struct query_field *f, const char *s, size_t n,
    size_t pos)
{
	char	*path;

	if (n == 0 || n > QUERY_MAX_FIELD) {
		perr(p, pos, EXPECT_FIELD, n == 0 ? "expected a field name" :
		    "field name too long (at most %d bytes)", QUERY_MAX_FIELD);
		return -1;
	}
	if ((path = strndup(s, n)) == NULL) {
		perr(p, pos, NULL, "out of memory");
		return -1;
	}
	if (!query_field_valid(path)) {
		char	 ex[48];

		perr(p, pos, EXPECT_FIELD, "bad field name '%s'",
		    excerpt(s, n, ex, sizeof(ex)));
		free(path);
		return -1;
	}
	f->path = path;
	f->type = field_type(path);
	return 0;
}

/* ---- lexing ---------------------------------------------------------- */

static void
skip_ws(struct parser *p)
{
	while (p->i < p->len && isspace((unsigned char)p->s[p->i]))
		p->i++;
}

static int
at(struct parser *p, const char *tok)
{
	size_t	 n = strlen(tok);

	return p->len - p->i >= n && memcmp(p->s + p->i, tok, n) == 0;
}

static int
delim(struct parser *p, size_t i)
{
	return i >= p->len || isspace((unsigned char)p->s[i]) ||
	    p->s[i] == '(' || p->s[i] == ')' || p->s[i] == '"';
}

/* A keyword: AND, OR, NOT, standing alone. */
static int
at_kw(struct parser *p, const char *kw)
{
	return at(p, kw) && delim(p, p->i + strlen(kw));
}

static int
at_or(struct parser *p)
{
	return at(p, "||") || at_kw(p, "OR");
}

static int
at_and(struct parser *p)
{
	return at(p, "&&") || at_kw(p, "AND");
}

static int
at_pipe(struct parser *p)
{
	return p->i < p->len && p->s[p->i] == '|' && !at(p, "||");
}

/*
 * Read a raw word from the current spot: up to white space or one of the
 * stop characters, \ escaping the next byte.  Returns its length.
 */
static size_t
raw_word(struct parser *p, const char *stop)
{
	size_t	 start = p->i;

	while (p->i < p->len) {
		char c = p->s[p->i];

		if (c == '\\' && p->i + 1 < p->len) {
			p->i += 2;
			continue;
		}
		if (isspace((unsigned char)c) || strchr(stop, c) != NULL)
			break;
		p->i++;
	}
	return p->i - start;
}

/* A quoted phrase; p->i is on the opening quote.  Returns the text with
   escapes removed, or NULL (error set). */
static char *
phrase(struct parser *p)
{
	size_t	 open = p->i, start;
	char	*s;

	start = ++p->i;
	while (p->i < p->len && p->s[p->i] != '"') {
		if (p->s[p->i] == '\\' && p->i + 1 < p->len)
			p->i++;
		p->i++;
	}
	if (p->i >= p->len)
		return perr(p, open, "'\"'", "unterminated phrase");
	if ((s = unescape(p->s + start, p->i - start)) == NULL)
		return perr(p, open, NULL, "out of memory");
	p->i++;
	return s;
}

/* ---- values ---------------------------------------------------------- */

struct tokctx {
	struct query_node *n;
	int		 full;
};

static int
add_token(void *arg, const char *w, size_t len)
{
	struct tokctx *t = arg;

	if (t->n->ntokens == QUERY_MAX_TOKENS) {
		t->full = 1;
		return 1;
	}
	if ((t->n->tokens[t->n->ntokens] = strndup(w, len)) == NULL)
		return -1;
	t->n->ntokens++;
	return 0;
}

/* Fill the words of a TEXT node from text s (escapes removed). */
static int
text_tokens(struct parser *p, struct query_node *n, const char *s,
    size_t pos)
{
	struct tokctx t = { n, 0 };
	char	 ex[48];

	if (query_words(s, strlen(s), add_token, &t) == -1) {
		perr(p, pos, NULL, "out of memory");
		return -1;
	}
	if (t.full) {
		perr(p, pos, NULL, "too many words in one term (at most %d)",
		    QUERY_MAX_TOKENS);
		return -1;
	}
	if (n->ntokens == 0) {
		perr(p, pos, "a word with letters or digits",
		    "nothing to search for in '%s'",
		    excerpt(s, strlen(s), ex, sizeof(ex)));
		return -1;
	}
	return 0;
}

/* A free-text word (raw, with escapes): only a trailing * is allowed. */
static struct query_node *
text_word(struct parser *p, struct query_node *n, const char *raw,
    size_t rn, size_t pos)
{
	char	*s;
	size_t	 k;
	int	 prefix = 0;

	if (rn > 1 && raw[rn - 1] == '*' && raw[rn - 2] != '\\') {
		prefix = 1;
		rn--;
	}
	for (k = 0; k < rn; k++) {
		if (raw[k] == '\\') {
			k++;
			continue;
		}
		if (raw[k] == '*' || raw[k] == '?') {
			node_free(n);
			return perr(p, pos + k, "a wildcard only at the end of "
			    "a word", "full-text words take '*' only at the "
			    "end (use field:pattern for other wildcards)");
		}
	}
	if ((s = unescape(raw, rn)) == NULL) {
		node_free(n);
		return perr(p, pos, NULL, "out of memory");
	}
	if (text_tokens(p, n, s, pos) == -1) {
		free(s);
		node_free(n);
		return NULL;
	}
	/* "foo.*" : the star follows no word, so it adds nothing. */
	if (prefix && rn > 0) {
		unsigned cp;
		size_t	 i = rn - 1;

		while (i > 0 && ((unsigned char)raw[i] & 0xc0) == 0x80)
			i--;
		utf8_next((const unsigned char *)raw + i, rn - i, &cp);
		n->prefix_last = word_cp(cp);
	}
	free(s);
	return n;
}

/* A time value: ISO and the rest of time_parse(), or now[+-]duration. */
static int
time_value(struct parser *p, const char *s, int64_t *us)
{
	int64_t	 d;

	if (strncmp(s, "now", 3) == 0) {
		if (s[3] == '\0') {
			*us = p->now;
			return 0;
		}
		if ((s[3] == '-' || s[3] == '+') &&
		    time_parse_duration(s + 4, &d) == 0) {
			*us = s[3] == '-' ? p->now - d : p->now + d;
			return 0;
		}
		return -1;
	}
	return time_parse(s, p->now, us);
}

static int
is_date(const char *s)
{
	size_t	 i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]))
			return 0;
	return s[10] == '\0';
}

/* One bound of a range or comparison on field f: number, time or rank.
   "*" is an open bound (returns 1). */
static int
bound(struct parser *p, const struct query_field *f, const char *s,
    size_t pos, const char *after, double *v)
{
	int64_t	 us;
	int	 r;
	char	 ex[48];

	if (strcmp(s, "*") == 0)
		return 1;
	switch (f->type) {
	case QUERY_F_UTC:
	case QUERY_F_RECEIVED:
		if (time_value(p, s, &us) == -1) {
			perr(p, pos, EXPECT_TIME, "expected a time %s, not '%s'",
			    after, excerpt(s, strlen(s), ex, sizeof(ex)));
			return -1;
		}
		*v = (double)us;
		return 0;
	case QUERY_F_SEVERITY:
		if ((r = severity_parse(s)) < 0) {
			perr(p, pos, EXPECT_SEV, "unknown severity '%s'",
			    excerpt(s, strlen(s), ex, sizeof(ex)));
			return -1;
		}
		*v = r;
		return 0;
	case QUERY_F_JSON:
		if (!str_number(s, v)) {
			perr(p, pos, "a number", "expected a number %s, not "
			    "'%s'", after, excerpt(s, strlen(s), ex,
			    sizeof(ex)));
			return -1;
		}
		return 0;
	default:
		perr(p, pos, "a number, time or severity field", "field '%s' "
		    "cannot be compared (ranges need numbers, times or "
		    "severity)", f->path);
		return -1;
	}
}

/* field:[a TO b] or {a TO b}, mixed brackets allowed. */
static int
range_value(struct parser *p, struct query_node *n)
{
	size_t	 pos[2], len[2];
	char	*w[2] = { NULL, NULL };
	double	 v;
	int	 k, r, rc = -1;

	n->op = QUERY_RANGE;
	if (p->s[p->i] == '[')
		n->range |= QUERY_LO_INCL;
	p->i++;
	for (k = 0; k < 2; k++) {
		skip_ws(p);
		if (k == 1) {
			if (!at_kw(p, "TO")) {
				perr(p, p->i, "TO", "expected 'TO' in range");
				goto fail;
			}
			p->i += 2;
			skip_ws(p);
		}
		pos[k] = p->i;
		len[k] = raw_word(p, "[]{}()\"|");
		if (len[k] == 0) {
			perr(p, p->i, "a value or *",
			    "expected a bound in range");
			goto fail;
		}
		if ((w[k] = unescape(p->s + pos[k], len[k])) == NULL) {
			perr(p, pos[k], NULL, "out of memory");
			goto fail;
		}
	}
	skip_ws(p);
	if (p->i >= p->len || (p->s[p->i] != ']' && p->s[p->i] != '}')) {
		perr(p, p->i, "']' or '}'", "expected ']' or '}' to close "
		    "the range");
		goto fail;
	}
	if (p->s[p->i] == ']')
		n->range |= QUERY_HI_INCL;
	p->i++;
	for (k = 0; k < 2; k++) {
		if ((r = bound(p, &n->field, w[k], pos[k], "in range",
		    &v)) == -1)
			goto fail;
		if (r == 1)
			continue;
		if (k == 0) {
			n->range |= QUERY_LO;
			n->lo = v;
		} else {
			n->range |= QUERY_HI;
			n->hi = v;
		}
	}
	rc = 0;
fail:
	free(w[0]);
	free(w[1]);
	return rc;
}

/* field:>v, >=v, <v, <=v */
static int
compare_value(struct parser *p, struct query_node *n)
{
	size_t	 pos, len;
	char	 op[3] = { 0 }, after[32], *w;
	double	 v;
	int	 r;

	op[0] = p->s[p->i++];
	if (p->i < p->len && p->s[p->i] == '=')
		op[1] = p->s[p->i++];
	snprintf(after, sizeof(after), "after '%s'", op);
	pos = p->i;
	if ((len = raw_word(p, "()\"|")) == 0) {
		perr(p, pos, EXPECT_VALUE, "expected a value after '%s'", op);
		return -1;
	}
	if ((w = unescape(p->s + pos, len)) == NULL) {
		perr(p, pos, NULL, "out of memory");
		return -1;
	}
	r = bound(p, &n->field, w, pos, after, &v);
	free(w);
	if (r == -1)
		return -1;
	if (r == 1) {
		perr(p, pos, "a value", "'*' cannot follow '%s'", op);
		return -1;
	}
	n->op = QUERY_RANGE;
	n->range = op[0] == '>' ? QUERY_LO : QUERY_HI;
	if (op[1] == '=')
		n->range |= op[0] == '>' ? QUERY_LO_INCL : QUERY_HI_INCL;
	if (op[0] == '>')
		n->lo = v;
	else
		n->hi = v;
	return 0;
}

/* Does s look like an address with a prefix length ("10.0.0.0/8",
   "2001:db8::/32")?  Then it must be a valid one. */
static int
cidr_value(struct parser *p, struct query_node *n, const char *s, size_t pos)
{
	const char *slash = strchr(s, '/'), *c;
	char	 addr[64], ex[64];
	long	 len;
	char	*end;
	int	 dots = 0, colons = 0;

	if (slash == NULL || slash == s || slash[1] == '\0')
		return 0;
	for (c = s; c < slash; c++) {
		if (*c == '.')
			dots++;
		else if (*c == ':')
			colons++;
		else if (!isxdigit((unsigned char)*c))
			return 0;
	}
	for (c = slash + 1; *c != '\0'; c++)
		if (!isdigit((unsigned char)*c))
			return 0;
	if (dots == 0 && colons == 0)
		return 0;
	excerpt(s, strlen(s), ex, sizeof(ex));
	if ((size_t)(slash - s) >= sizeof(addr))
		goto bad;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (colons == 0 && inet_pton(AF_INET, addr, n->net) == 1) {
		n->family = 4;
		if (errno != 0 || len > 32)
			goto badlen;
	} else if (colons > 0 && inet_pton(AF_INET6, addr, n->net) == 1) {
		n->family = 6;
		if (errno != 0 || len > 128)
			goto badlen;
	} else
		goto bad;
	n->prefix = (int)len;
	n->op = QUERY_CIDR;
	return 1;
badlen:
	perr(p, pos, "a prefix length of 0-32 (IPv4) or 0-128 (IPv6)",
	    "bad CIDR '%s': prefix length out of range", ex);
	return -1;
bad:
	perr(p, pos, "an IPv4 or IPv6 network such as 10.0.0.0/8",
	    "bad CIDR '%s': not an IP address", ex);
	return -1;
}

/* field:word (raw, with escapes). */
static int
word_value(struct parser *p, struct query_node *n, const char *raw,
    size_t rn, size_t pos)
{
	char	*s, ex[48];
	int64_t	 us;
	int	 r;

	if (has_wildcard(raw)) {
		switch (n->field.type) {
		case QUERY_F_UTC:
		case QUERY_F_RECEIVED:
			perr(p, pos, "a time or a range", "wildcards do not "
			    "apply to time field '%s'", n->field.path);
			return -1;
		case QUERY_F_SEVERITY:
			/* raw ends at rn, inside the query's text */
			if ((s = strndup(raw, rn)) == NULL) {
				perr(p, pos, NULL, "out of memory");
				return -1;
			}
			for (r = 0; r <= SEV_EMERGENCY; r++) {
				const char *nm = severity_name(r);

				if (nm != NULL && qglob(s, nm,
				    strlen(nm)))
					n->sevmask |= 1u << r;
			}
			free(s);
			if (n->sevmask == 0) {
				perr(p, pos, EXPECT_SEV, "no severity "
				    "matches '%s'", excerpt(raw, rn, ex,
				    sizeof(ex)));
				return -1;
			}
			n->op = QUERY_EQ;
			return 0;
		default:
			break;
		}
		n->op = QUERY_GLOB;
		if ((n->value = strndup(raw, rn)) == NULL) {
			perr(p, pos, NULL, "out of memory");
			return -1;
		}
		return 0;
	}
	if ((s = unescape(raw, rn)) == NULL) {
		perr(p, pos, NULL, "out of memory");
		return -1;
	}
	n->value = s;
	n->op = QUERY_EQ;
	switch (n->field.type) {
	case QUERY_F_UTC:
	case QUERY_F_RECEIVED:
		if (time_value(p, s, &us) == -1) {
			perr(p, pos, EXPECT_TIME, "expected a time after ':', "
			    "not '%s'", excerpt(s, strlen(s), ex, sizeof(ex)));
			return -1;
		}
		/* A date alone means that whole (UTC) day. */
		n->op = QUERY_RANGE;
		n->range = QUERY_LO | QUERY_HI | QUERY_LO_INCL;
		n->lo = (double)us;
		if (is_date(s))
			n->hi = (double)us + 86400.0 * 1e6;
		else {
			n->hi = (double)us;
			n->range |= QUERY_HI_INCL;
		}
		return 0;
	case QUERY_F_SEVERITY:
		if ((r = severity_parse(s)) < 0) {
			perr(p, pos, EXPECT_SEV, "unknown severity '%s'",
			    excerpt(s, strlen(s), ex, sizeof(ex)));
			return -1;
		}
		n->sevmask = 1u << r;
		return 0;
	default:
		break;
	}
	if ((r = cidr_value(p, n, s, pos)) != 0)
		return r == 1 ? 0 : -1;
	n->numeric = str_number(s, &n->num);
	return 0;
}

/* ---- grammar --------------------------------------------------------- */

/* field ':' value; p->i is just past the ':'. */
static struct query_node *
field_term(struct parser *p, const char *name, size_t nlen, size_t fpos)
{
	struct query_node *n;
	size_t	 pos = p->i, rn;
	char	*s;

	if (nlen == 8 && memcmp(name, "_exists_", 8) == 0) {
		if ((n = node_new(p, QUERY_EXISTS, fpos)) == NULL)
			return NULL;
		rn = raw_word(p, "()\"|");
		if (rn == 0) {
			node_free(n);
			return perr(p, pos, EXPECT_FIELD,
			    "expected a field name after '_exists_:'");
		}
		if (field_set(p, &n->field, p->s + pos, rn, pos) == -1) {
			node_free(n);
			return NULL;
		}
		return n;
	}
	if ((n = node_new(p, QUERY_TERM, fpos)) == NULL)
		return NULL;
	if (field_set(p, &n->field, name, nlen, fpos) == -1)
		goto fail;
	if (p->i >= p->len || isspace((unsigned char)p->s[p->i]) ||
	    p->s[p->i] == ')' || p->s[p->i] == '|') {
		perr(p, pos, EXPECT_VALUE, "expected a value after ':'");
		goto fail;
	}
	if (p->s[p->i] == '(') {
		perr(p, pos, EXPECT_VALUE, "a list of values in ( ) is not "
		    "supported; write field:a OR field:b");
		goto fail;
	}
	if (p->s[p->i] == '"') {
		if ((s = phrase(p)) == NULL)
			goto fail;
		if (n->field.type == QUERY_F_SUMMARY) {
			n->kind = QUERY_TEXT;
			if (text_tokens(p, n, s, pos) == -1) {
				free(s);
				goto fail;
			}
			free(s);
			return n;
		}
		if (n->field.type == QUERY_F_SEVERITY ||
		    n->field.type == QUERY_F_UTC ||
		    n->field.type == QUERY_F_RECEIVED) {
			/* Same meaning as unquoted. */
			int rc = word_value(p, n, s, strlen(s), pos);

			free(s);
			if (rc == -1)
				goto fail;
			return n;
		}
		n->value = s;
		n->op = QUERY_EQ;
		n->numeric = str_number(s, &n->num);
		return n;
	}
	if (p->s[p->i] == '[' || p->s[p->i] == '{') {
		if (range_value(p, n) == -1)
			goto fail;
		return n;
	}
	if (p->s[p->i] == '>' || p->s[p->i] == '<') {
		if (compare_value(p, n) == -1)
			goto fail;
		return n;
	}
	rn = raw_word(p, "()\"|");
	if (rn == 1 && p->s[pos] == '*') {
		n->kind = QUERY_EXISTS;
		return n;
	}
	if (n->field.type == QUERY_F_SUMMARY) {
		n->kind = QUERY_TEXT;
		return text_word(p, n, p->s + pos, rn, pos);
	}
	if (word_value(p, n, p->s + pos, rn, pos) == -1)
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct query_node *
primary(struct parser *p)
{
	struct query_node *n;
	size_t	 pos, rn;
	char	*s;

	skip_ws(p);
	pos = p->i;
	if (p->i >= p->len || at_pipe(p))
		return perr(p, pos, "a term", "expected a term");
	if (p->s[p->i] == ')')
		return perr(p, pos, "a term", p->parens > 0 ?
		    "expected a term before ')'" : "unbalanced ')'");
	if (at_or(p) || at_and(p))
		return perr(p, pos, "a term", "expected a term before '%.*s'",
		    at(p, "||") || at(p, "&&") ? 2 : (at(p, "OR") ? 2 : 3),
		    p->s + p->i);
	if (p->s[p->i] == '(') {
		p->i++;
		p->parens++;
		n = parse_or(p);
		p->parens--;
		if (n == NULL)
			return NULL;
		skip_ws(p);
		if (p->i >= p->len || p->s[p->i] != ')') {
			node_free(n);
			return perr(p, pos, "')'", "unbalanced '(': expected "
			    "')'");
		}
		p->i++;
		return n;
	}
	if (p->s[p->i] == '"') {
		if ((s = phrase(p)) == NULL)
			return NULL;
		if ((n = node_new(p, QUERY_TEXT, pos)) == NULL) {
			free(s);
			return NULL;
		}
		if (text_tokens(p, n, s, pos) == -1) {
			free(s);
			node_free(n);
			return NULL;
		}
		free(s);
		return n;
	}
	rn = raw_word(p, "()\"|:");
	if (p->i < p->len && p->s[p->i] == ':')
		return p->i++, field_term(p, p->s + pos, rn, pos);
	if (rn == 0)
		return perr(p, pos, "a term", "unexpected '%c'", p->s[pos]);
	if (rn == 1 && p->s[pos] == '*')
		return node_new(p, QUERY_ALL, pos);
	if ((n = node_new(p, QUERY_TEXT, pos)) == NULL)
		return NULL;
	return text_word(p, n, p->s + pos, rn, pos);
}

static struct query_node *
unary(struct parser *p)
{
	struct query_node *n = NULL;
	size_t	 pos;

	skip_ws(p);
	pos = p->i;
	if (at_kw(p, "NOT") || at(p, "!")) {
		if (p->depth + 1 > QUERY_MAX_DEPTH)
			return perr(p, pos, NULL, "query nested too deeply "
			    "(at most %d levels)", QUERY_MAX_DEPTH);
		p->depth++;
		p->i += at(p, "!") ? 1 : 3;
		skip_ws(p);
		if (p->i >= p->len)
			n = perr(p, p->i, "a term", "expected a term after "
			    "NOT");
		else if ((n = unary(p)) != NULL)
			n = node_pair(p, QUERY_NOT, pos, n, NULL);
		p->depth--;
	} else if ((at(p, "-") || at(p, "+")) && p->i + 1 < p->len &&
	    !isspace((unsigned char)p->s[p->i + 1]) &&
	    p->s[p->i + 1] != ')' && p->s[p->i + 1] != '|') {
		int neg = p->s[p->i] == '-';

		p->i++;
		if ((n = primary(p)) != NULL && neg)
			n = node_pair(p, QUERY_NOT, pos, n, NULL);
	} else
		n = primary(p);
	return n;
}

static struct query_node *
parse_and(struct parser *p)
{
	struct query_node *l, *r;
	size_t	 pos;

	if ((l = unary(p)) == NULL)
		return NULL;
	for (;;) {
		skip_ws(p);
		pos = p->i;
		if (p->i >= p->len || p->s[p->i] == ')' || at_pipe(p) ||
		    at_or(p))
			break;
		if (at_and(p)) {
			p->i += at(p, "&&") ? 2 : 3;
			skip_ws(p);
			if (p->i >= p->len || at_pipe(p)) {
				node_free(l);
				return perr(p, p->i, "a term",
				    "expected a term after AND");
			}
		}
		if ((r = unary(p)) == NULL) {
			node_free(l);
			return NULL;
		}
		if ((l = node_pair(p, QUERY_AND, pos, l, r)) == NULL)
			return NULL;
	}
	return l;
}

static struct query_node *
parse_or(struct parser *p)
{
	struct query_node *l, *r;
	size_t	 pos;

	if (++p->depth > QUERY_MAX_DEPTH)
		return perr(p, p->i, NULL, "query nested too deeply (at most "
		    "%d levels)", QUERY_MAX_DEPTH);
	if ((l = parse_and(p)) == NULL)
		goto out;
	for (;;) {
		skip_ws(p);
		if (!at_or(p))
			break;
		pos = p->i;
		p->i += 2;
		skip_ws(p);
		if (p->i >= p->len || at_pipe(p) || p->s[p->i] == ')') {
			node_free(l);
			l = perr(p, p->i, "a term", "expected a term after OR");
			goto out;
		}
		if ((r = parse_and(p)) == NULL) {
			node_free(l);
			l = NULL;
			goto out;
		}
		if ((l = node_pair(p, QUERY_OR, pos, l, r)) == NULL)
			goto out;
	}
out:
	p->depth--;
	return l;
}

/* ---- pipeline -------------------------------------------------------- */

static int
stage_field(struct parser *p, struct query_field *f)
{
	size_t	 pos;

	skip_ws(p);
	pos = p->i;
	while (p->i < p->len && !isspace((unsigned char)p->s[p->i]) &&
	    p->s[p->i] != ',' && p->s[p->i] != '|')
		p->i++;
	return field_set(p, f, p->s + pos, p->i - pos, pos);
}

static int
field_list(struct parser *p, struct query_field *fs, size_t *n, size_t max,
    const char *stage)
{
	for (;;) {
		if (*n == max) {
			perr(p, p->i, NULL, "too many fields for '%s' (at most "
			    "%zu)", stage, max);
			return -1;
		}
		if (stage_field(p, &fs[*n]) == -1)
			return -1;
		(*n)++;
		skip_ws(p);
		if (p->i < p->len && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		return 0;
	}
}

static int
stage_number(struct parser *p, const char *stage, size_t *out)
{
	size_t	 pos, k;
	unsigned long long v = 0;

	skip_ws(p);
	pos = p->i;
	for (k = p->i; k < p->len && isdigit((unsigned char)p->s[k]); k++)
		if (v <= QUERY_MAX_N)
			v = v * 10 + (unsigned)(p->s[k] - '0');
	if (k == pos || (k < p->len && !isspace((unsigned char)p->s[k]) &&
	    p->s[k] != '|')) {
		perr(p, pos, "a number", "expected a number after '%s'",
		    stage);
		return -1;
	}
	if (v == 0 || v > QUERY_MAX_N) {
		perr(p, pos, "1 to 100000", "'%s' takes 1 to %d", stage,
		    QUERY_MAX_N);
		return -1;
	}
	p->i = k;
	*out = (size_t)v;
	return 0;
}

static int
stage(struct parser *p, unsigned *seen)
{
	struct query *q = p->q;
	size_t	 pos, n;
	char	 name[16], ex[48], *iv;
	unsigned bit;
	int64_t	 us;

	skip_ws(p);
	pos = p->i;
	while (p->i < p->len && isalpha((unsigned char)p->s[p->i]))
		p->i++;
	n = p->i - pos;
	if (n == 0) {
		perr(p, pos, EXPECT_STAGE, "expected a pipeline stage after "
		    "'|'");
		return -1;
	}
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, p->s + pos, n);
	name[n] = '\0';
	if (strcmp(name, "count") == 0 || strcmp(name, "top") == 0 ||
	    strcmp(name, "histogram") == 0)
		bit = 1;
	else if (strcmp(name, "fields") == 0)
		bit = 2;
	else if (strcmp(name, "sort") == 0)
		bit = 4;
	else if (strcmp(name, "head") == 0)
		bit = 8;
	else {
		perr(p, pos, EXPECT_STAGE, "unknown pipeline stage '%s' "
		    "(expected %s)", excerpt(p->s + pos, p->i - pos, ex,
		    sizeof(ex)), EXPECT_STAGE);
		return -1;
	}
	if (*seen & bit) {
		perr(p, pos, NULL, bit == 1 ? "only one of count, top and "
		    "histogram per query" : "'%s' given twice", name);
		return -1;
	}
	if (bit == 1 && (*seen & 6)) {
		perr(p, pos, NULL, "'%s' cannot follow fields or sort", name);
		return -1;
	}
	if ((bit & 6) && (*seen & 1)) {
		perr(p, pos, NULL, "'%s' cannot follow an aggregation", name);
		return -1;
	}
	*seen |= bit;
	if (strcmp(name, "count") == 0) {
		skip_ws(p);
		if (at_kw(p, "by")) {
			p->i += 2;
			q->agg = QUERY_AGG_COUNT_BY;
			return field_list(p, q->by, &q->nby, QUERY_MAX_BY,
			    "count by");
		}
		q->agg = QUERY_AGG_COUNT;
	} else if (strcmp(name, "top") == 0) {
		q->agg = QUERY_AGG_TOP;
		if (stage_number(p, "top", &q->top) == -1)
			return -1;
		q->nby = 1;
		return stage_field(p, &q->by[0]);
	} else if (strcmp(name, "histogram") == 0) {
		q->agg = QUERY_AGG_HISTOGRAM;
		skip_ws(p);
		pos = p->i;
		while (p->i < p->len && !isspace((unsigned char)p->s[p->i]) &&
		    p->s[p->i] != '|')
			p->i++;
		if ((iv = strndup(p->s + pos, p->i - pos)) == NULL) {
			perr(p, pos, NULL, "out of memory");
			return -1;
		}
		if (time_parse_duration(iv, &us) == -1 || us < 1000000) {
			perr(p, pos, "a duration such as 30s, 5m, 1h, 1d",
			    p->i == pos ? "expected an interval after "
			    "'histogram'" : "bad interval '%s' (expected a "
			    "duration of at least 1s, such as 30s, 5m, 1h, 1d)",
			    excerpt(iv, strlen(iv), ex, sizeof(ex)));
			free(iv);
			return -1;
		}
		free(iv);
		q->interval_us = us;
	} else if (strcmp(name, "fields") == 0)
		return field_list(p, q->fields, &q->nfields, QUERY_MAX_FIELDS,
		    "fields");
	else if (strcmp(name, "sort") == 0) {
		skip_ws(p);
		if (p->i < p->len && p->s[p->i] == '-') {
			q->sort_desc = 1;
			p->i++;
		}
		q->has_sort = 1;
		return stage_field(p, &q->sort);
	} else
		return stage_number(p, "head", &q->head);
	return 0;
}

static int
pipeline(struct parser *p)
{
	unsigned seen = 0;

	while (p->i < p->len && p->s[p->i] == '|') {
		p->i++;
		if (stage(p, &seen) == -1)
			return -1;
		skip_ws(p);
		if (p->i < p->len && p->s[p->i] != '|') {
			perr(p, p->i, "'|' or the end of the query",
			    "unexpected '%c' after pipeline stage",
			    p->s[p->i]);
			return -1;
		}
	}
	return 0;
}

int
query_parse(const char *s, int64_t now_us, struct query **out,
    struct query_error *err)
{
	struct parser p;
	struct query *q;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.now = now_us;
	p.err = err;
	if (err != NULL) {
		err->pos = -1;
		err->msg[0] = err->expected[0] = '\0';
	}
	p.len = strnlen(s, QUERY_MAX_LEN + 1);
	if (p.len > QUERY_MAX_LEN) {
		perr(&p, QUERY_MAX_LEN, NULL, "query too long (at most %d "
		    "bytes)", QUERY_MAX_LEN);
		return -1;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		perr(&p, 0, NULL, "out of memory");
		return -1;
	}
	p.q = q;
	skip_ws(&p);
	if (p.i >= p.len || at_pipe(&p))
		q->root = node_new(&p, QUERY_ALL, p.i);
	else {
		q->root = parse_or(&p);
		skip_ws(&p);
		if (q->root != NULL && p.i < p.len && p.s[p.i] == ')')
			perr(&p, p.i, "an operator, a term or the end",
			    "unbalanced ')'");
	}
	if (q->root == NULL || p.failed)
		goto fail;
	if (pipeline(&p) == -1)
		goto fail;
	*out = q;
	return 0;
fail:
	if (!p.failed)
		perr(&p, p.i, NULL, "out of memory");
	query_free(q);
	return -1;
}

/* ---- matching -------------------------------------------------------- */

const json_t *
query_lookup(const json_t *ev, const char *path)
{
	const char *dot;
	char	 key[QUERY_MAX_FIELD + 1];
	size_t	 n;

	while (ev != NULL) {
		if (!json_is_object(ev))
			return NULL;
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n > QUERY_MAX_FIELD)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		ev = json_object_get(ev, key);
		if (dot == NULL)
			return ev;
		path = dot + 1;
	}
	return NULL;
}

static int
value_number(const json_t *v, double *d)
{
	if (json_is_number(v)) {
		*d = json_number_value(v);
		return 1;
	}
	if (json_is_string(v))
		return str_number(json_string_value(v), d);
	return 0;
}

static int
in_range(const struct query_node *n, double d)
{
	if (n->range & QUERY_LO) {
		if (n->range & QUERY_LO_INCL ? d < n->lo : d <= n->lo)
			return 0;
	}
	if (n->range & QUERY_HI) {
		if (n->range & QUERY_HI_INCL ? d > n->hi : d >= n->hi)
			return 0;
	}
	return 1;
}

static int
ip_in(const struct query_node *n, const char *s)
{
	uint8_t	 a[16];
	const uint8_t *ap = a;
	int	 bits, k;

	if (strchr(s, ':') == NULL) {
		if (n->family != 4 || inet_pton(AF_INET, s, a) != 1)
			return 0;
	} else {
		if (inet_pton(AF_INET6, s, a) != 1)
			return 0;
		if (n->family == 4) {
			static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0,
			    0, 0, 0, 0, 0xff, 0xff };

			if (memcmp(a, mapped, 12) != 0)
				return 0;
			ap = a + 12;
		}
	}
	for (bits = n->prefix, k = 0; bits >= 8; bits -= 8, k++)
		if (ap[k] != n->net[k])
			return 0;
	if (bits > 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((ap[k] & mask) != (n->net[k] & mask))
			return 0;
	}
	return 1;
}

static int
scalar_match(const struct query_node *n, const json_t *v)
{
	const char *s;
	char	 num[64];
	size_t	 len;
	double	 d;

	switch (n->op) {
	case QUERY_EQ:
		if (json_is_string(v)) {
			s = json_string_value(v);
			len = json_string_length(v);
			if (caseeq(s, len, n->value, strlen(n->value)))
				return 1;
			return n->numeric && str_number(s, &d) && d == n->num;
		}
		if (json_is_number(v))
			return n->numeric && json_number_value(v) == n->num;
		if (json_is_boolean(v))
			return strcasecmp(n->value, json_is_true(v) ?
			    "true" : "false") == 0;
		return 0;
	case QUERY_GLOB:
		if (json_is_string(v))
			return qglob(n->value, json_string_value(v),
			    json_string_length(v));
		if (json_is_number(v)) {
			len = num_text(v, num, sizeof(num));
			return len > 0 && qglob(n->value, num, len);
		}
		if (json_is_boolean(v)) {
			s = json_is_true(v) ? "true" : "false";
			return qglob(n->value, s, strlen(s));
		}
		return 0;
	case QUERY_CIDR:
		return json_is_string(v) && ip_in(n, json_string_value(v));
	case QUERY_RANGE:
		return value_number(v, &d) && in_range(n, d);
	}
	return 0;
}

int
query_match_value(const struct query_node *n, const json_t *v)
{
	size_t	 i;

	if (v == NULL || n->kind != QUERY_TERM)
		return 0;
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			if (scalar_match(n, json_array_get(v, i)))
				return 1;
		return 0;
	}
	return scalar_match(n, v);
}

/* The words of one text, as an array of folded copies. */
struct words {
	char	**w;
	size_t	 *len;
	size_t	  n, cap;
	int	  nomem;
};

static int
words_add(void *arg, const char *w, size_t len)
{
	struct words *ws = arg;
	char	**nw;
	size_t	 *nl, cap;

	if (ws->n == ws->cap) {
		cap = ws->cap ? ws->cap * 2 : 16;
		if ((nw = reallocarray(ws->w, cap, sizeof(*nw))) == NULL)
			goto nomem;
		ws->w = nw;
		if ((nl = reallocarray(ws->len, cap, sizeof(*nl))) == NULL)
			goto nomem;
		ws->len = nl;
		ws->cap = cap;
	}
	if ((ws->w[ws->n] = malloc(len)) == NULL)
		goto nomem;
	memcpy(ws->w[ws->n], w, len);
	ws->len[ws->n++] = len;
	return 0;
nomem:
	ws->nomem = 1;
	return -1;
}

static void
words_free(struct words *ws)
{
	size_t	 i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	free(ws->len);
}

/* Do the words of n appear, in order and next to each other, in text s? */
static int
text_has(const struct query_node *n, const char *s, size_t sn)
{
	struct words ws = { 0 };
	size_t	 i, k, tl;
	int	 found = 0;

	if (query_words(s, sn, words_add, &ws) != 0) {
		words_free(&ws);
		return 0;
	}
	for (i = 0; !found && i + n->ntokens <= ws.n; i++) {
		for (k = 0; k < n->ntokens; k++) {
			tl = strlen(n->tokens[k]);
			if (k + 1 == n->ntokens && n->prefix_last) {
				if (ws.len[i + k] < tl ||
				    memcmp(ws.w[i + k], n->tokens[k], tl) != 0)
					break;
			} else if (ws.len[i + k] != tl ||
			    memcmp(ws.w[i + k], n->tokens[k], tl) != 0)
				break;
		}
		if (k == n->ntokens)
			found = 1;
	}
	words_free(&ws);
	return found;
}

static int
leaf_has(const struct query_node *n, const json_t *v, int depth)
{
	const char *key;
	const json_t *e;
	char	 num[64];
	size_t	 i, len;

	if (depth > FTS_MAX_DEPTH)
		return 0;
	if (json_is_string(v))
		return text_has(n, json_string_value(v), json_string_length(v));
	if (json_is_number(v)) {
		len = num_text(v, num, sizeof(num));
		return text_has(n, num, len);
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (leaf_has(n, e, depth + 1))
				return 1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e)
			if (leaf_has(n, e, depth + 1))
				return 1;
	}
	return 0;
}

/* The top-level fields whose words full text sees besides summary (the
   store's FTS "text" column, hub/ingest/pipeline.c); severity and the two
   timestamps are not among them. */
static const char *fts_keys[] = { "hostname", "processname", "category",
    "source", "tags", "details", "processid" };

int
query_match_text(const struct query_node *n, const json_t *ev)
{
	const json_t *v;
	size_t	 k;

	if (n->kind != QUERY_TEXT || n->ntokens == 0)
		return 0;
	if (n->field.type == QUERY_F_SUMMARY)
		return json_is_string(ev) && leaf_has(n, ev, 0);
	if (!json_is_object(ev))
		return 0;
	v = json_object_get(ev, "summary");
	if (json_is_string(v) && leaf_has(n, v, 0))
		return 1;
	for (k = 0; k < sizeof(fts_keys) / sizeof(fts_keys[0]); k++)
		if ((v = json_object_get(ev, fts_keys[k])) != NULL &&
		    leaf_has(n, v, 0))
			return 1;
	return 0;
}

static int
fts_leaf(const json_t *v, struct buf *out, int depth)
{
	const json_t *e;
	const char *key;
	char	 num[64];
	size_t	 i, len;

	if (depth > FTS_MAX_DEPTH)
		return 0;
	if (json_is_string(v)) {
		if (buf_append(out, json_string_value(v),
		    json_string_length(v)) == -1 || buf_puts(out, "\n") == -1)
			return -1;
	} else if (json_is_number(v)) {
		len = num_text(v, num, sizeof(num));
		if (buf_append(out, num, len) == -1 ||
		    buf_puts(out, "\n") == -1)
			return -1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (fts_leaf(e, out, depth + 1) == -1)
				return -1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e)
			if (fts_leaf(e, out, depth + 1) == -1)
				return -1;
	}
	return 0;
}

int
query_fts_text(const json_t *ev, struct buf *out)
{
	const json_t *v;
	size_t	 k;

	if (!json_is_object(ev))
		return 0;
	for (k = 0; k < sizeof(fts_keys) / sizeof(fts_keys[0]); k++)
		if ((v = json_object_get(ev, fts_keys[k])) != NULL &&
		    fts_leaf(v, out, 0) == -1)
			return -1;
	return 0;
}

static int
typed_text_eq(const struct query_node *n, const json_t *v)
{
	if (!json_is_string(v))
		return 0;
	return caseeq(json_string_value(v), json_string_length(v), n->value,
	    strlen(n->value));
}

static int
node_match(const struct query_node *n, const json_t *ev)
{
	const json_t *v;
	int64_t	 us;
	int	 r;

	switch (n->kind) {
	case QUERY_ALL:
		return 1;
	case QUERY_AND:
		return node_match(n->a, ev) && node_match(n->b, ev);
	case QUERY_OR:
		return node_match(n->a, ev) || node_match(n->b, ev);
	case QUERY_NOT:
		return !node_match(n->a, ev);
	case QUERY_TEXT:
		if (n->field.type == QUERY_F_SUMMARY)
			return query_match_text(n, json_object_get(ev,
			    "summary"));
		return query_match_text(n, ev);
	case QUERY_EXISTS:
		switch (n->field.type) {
		case QUERY_F_UTC:
		case QUERY_F_RECEIVED:
		case QUERY_F_SEVERITY:
			return 1;
		default:
			v = query_lookup(ev, n->field.path);
			return v != NULL && !json_is_null(v);
		}
	case QUERY_TERM:
		break;
	}
	v = query_lookup(ev, n->field.path);
	switch (n->field.type) {
	case QUERY_F_UTC:
	case QUERY_F_RECEIVED:
		if (!json_is_string(v) ||
		    time_parse(json_string_value(v), 0, &us) == -1)
			return 0;
		return in_range(n, (double)us);
	case QUERY_F_SEVERITY:
		if (!json_is_string(v) ||
		    (r = severity_parse(json_string_value(v))) < 0)
			return 0;
		if (n->op == QUERY_RANGE)
			return in_range(n, r);
		return (n->sevmask >> r) & 1;
	case QUERY_F_CATEGORY:
	case QUERY_F_HOSTNAME:
	case QUERY_F_PROCESSNAME:
	case QUERY_F_SOURCE:
		if (n->op == QUERY_EQ)
			return typed_text_eq(n, v);
		return json_is_string(v) && query_match_value(n, v);
	default:
		return query_match_value(n, v);
	}
}

int
query_match(const struct query *q, const json_t *ev)
{
	return node_match(q->root, ev);
}
