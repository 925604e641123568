/*
 * jsonfast — a fast JSON reader and compact writer for jansson values.
 *
 * Why: jansson's reader pulls every byte through a stream with its own
 * UTF-8 state machine and copies every token into a string buffer; its
 * writer looks each container up in a loop-detection table and escapes
 * strings one code point at a time.  For ingest that was most of the cost
 * of an event.
 *
 * The reader is a lexer and an iterative parser.  The lexer mirrors
 * jansson's tokens, so errors land where jansson puts them: a string is
 * scanned eight bytes at a time for '"', '\\', control bytes and non-ASCII
 * bytes (only the last need UTF-8 checks); a string without escapes is
 * handed to jansson straight from the input, one with escapes is decoded
 * once into a scratch buffer.  The parser keeps the open containers on an
 * explicit stack and attaches each value to its parent as soon as it
 * starts, so the root owns everything and failing is one json_decref.
 * Past max_depth it stops building but goes on checking the grammar, with
 * one bit per level, so a too-deep value still has a known end;
 * jsonfast_check() runs the same grammar building nothing from the start.
 *
 * The writer copies runs of bytes that need no escape with memcpy and
 * formats integers by hand.
 */
#include <langinfo.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "jsonfast.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define JF_SWAR	1
#else
#define JF_SWAR	0
#endif

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

enum tok {
	T_EOF, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COLON, T_COMMA,
	T_STRING, T_INT, T_REAL, T_TRUE, T_FALSE, T_NULL,
	T_INVALID,		/* not a token; the parser says why */
	T_ERROR			/* the lexer has filled err */
};

/* A growable scratch area that starts on the stack. */
struct scratch {
	char	*d;
	size_t	 cap;
	char	 small[256];
};

struct lex {
	const unsigned char *p;
	size_t	 len;
	size_t	 pos;		/* next byte to read */
	size_t	 ts;		/* where the current token starts */
	enum tok tok;
	int	 escaped;	/* T_STRING has a backslash */
	json_int_t ival;	/* T_INT */
	double	 rval;		/* T_REAL */
	struct jsonfast_error *err;
};

struct parser {
	struct lex lx;
	size_t	 max_depth;
	json_t	**stack;	/* the containers being filled */
	json_t	*stack0[64];
	uint64_t *kind;		/* bit d: level d is an object */
	uint64_t kind0[8];
	size_t	 kindwords;
	struct scratch key, str;
	const char *kp;		/* the key the next value goes under */
	size_t	 kl;
	json_t	*root;
	int	 building;	/* 0 when only checking, or once a container
				   was too deep */
	int	 deep;		/* a container was too deep */
	size_t	 deep_pos;	/* where that container starts */
	enum tok first;		/* the value's first token */
};

static void
scratch_init(struct scratch *s)
{
	s->d = s->small;
	s->cap = sizeof(s->small);
}

static void
scratch_release(struct scratch *s)
{
	if (s->d != s->small)
		free(s->d);
	scratch_init(s);
}

/* Room for n bytes (contents not kept).  Returns 0 or -1. */
static int
scratch_room(struct scratch *s, size_t n)
{
	char	*d;

	if (n <= s->cap)
		return 0;
	if ((d = malloc(n)) == NULL)
		return -1;
	scratch_release(s);
	s->d = d;
	s->cap = n;
	return 0;
}

/*
 * Record an error unless one is recorded already (the first one wins, as
 * in jansson).  Like jansson, name the text of the token read so far,
 * lx->p[ts..pos), when it is short, and call a grammar error at the end of
 * the input a premature end.
 */
static void lex_fail(struct lex *, enum jsonfast_code, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
lex_fail(struct lex *lx, enum jsonfast_code code, const char *fmt, ...)
{
	struct jsonfast_error *e = lx->err;
	char	 msg[96];	/* our messages are short */
	size_t	 n;
	va_list	 ap;

	if (e->code != JSONFAST_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = lx->pos > lx->ts ? lx->pos - lx->ts : 0;
	if (n > 0 && lx->p[lx->ts] == '\0')
		n = 0;		/* jansson keeps the text NUL-terminated */
	if (code == JSONFAST_DEPTH || code == JSONFAST_NOMEM ||
	    (code == JSONFAST_UTF8 && n == 0))
		snprintf(e->text, sizeof(e->text), "%s", msg);
	else if (n == 0) {
		if (code == JSONFAST_SYNTAX)
			code = JSONFAST_EOF;
		snprintf(e->text, sizeof(e->text), "%s near end of file", msg);
	} else if (n <= 20)
		snprintf(e->text, sizeof(e->text), "%s near '%.*s'", msg,
		    (int)n, (const char *)lx->p + lx->ts);
	else
		snprintf(e->text, sizeof(e->text), "%s", msg);
	e->code = code;
	e->pos = lx->pos;
}

/* Length of the UTF-8 sequence at s[0..n), or 0 when it is not valid
   (bad lead or continuation byte, overlong, surrogate, past U+10FFFF,
   cut short). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c < 0xf5) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* An invalid UTF-8 sequence starts at byte i. */
static void
utf8_fail(struct lex *lx, size_t i)
{
	lx->pos = i;
	lex_fail(lx, JSONFAST_UTF8, "unable to decode byte 0x%x", lx->p[i]);
}

/* Byte i is not allowed in an escape: a UTF-8 error if it starts a bad
   sequence (jansson reads characters, not bytes), else "invalid escape"
   just past it. */
static void
escape_fail(struct lex *lx, size_t i)
{
	if (i >= lx->len) {
		lx->pos = lx->len;
		lex_fail(lx, JSONFAST_SYNTAX, "invalid escape");
	} else if (lx->p[i] >= 0x80 && utf8_len(lx->p + i, lx->len - i) == 0)
		utf8_fail(lx, i);
	else {
		lx->pos = i + 1;
		lex_fail(lx, JSONFAST_SYNTAX, "invalid escape");
	}
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Bytes in x that a string scan must stop at: '"', '\\', below 0x20 and
   from 0x80.  Exact up to the lowest flagged byte, which is all we use. */
static inline uint64_t
str_stops(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return ((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((x - ONES * 0x20) & ~x) | (x & HIGHS);
}

/*
 * A string token starting at lx->ts ('"').  Checks the escapes' syntax
 * and the UTF-8; decoding waits until the parser wants the value.
 */
static void
lex_string(struct lex *lx)
{
	const unsigned char *p = lx->p, *q = p + lx->ts + 1, *end = p + lx->len;
	size_t	 k;
	unsigned c;

	lx->escaped = 0;
	for (;;) {
#if JF_SWAR
		while (end - q >= 8) {
			uint64_t x, m;

			memcpy(&x, q, 8);
			if ((m = str_stops(x) & HIGHS) != 0) {
				q += __builtin_ctzll(m) >> 3;
				break;
			}
			q += 8;
		}
#endif
		if (q >= end) {
			lx->pos = lx->len;
			lex_fail(lx, JSONFAST_EOF, "premature end of input");
			goto fail;
		}
		c = *q;
		if (c == '"')
			break;
		if (c == '\\') {
			lx->escaped = 1;
			if (q + 1 >= end) {
				escape_fail(lx, lx->len);
				goto fail;
			}
			switch (q[1]) {
			case 'u':
				for (k = 2; k < 6; k++)
					if (q + k >= end || !is_hex(q[k])) {
						escape_fail(lx, q + k - p);
						goto fail;
					}
				q += 6;
				break;
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				q += 2;
				break;
			default:
				escape_fail(lx, q + 1 - p);
				goto fail;
			}
		} else if (c < 0x20) {
			lx->pos = q - p;
			if (c == '\n')
				lex_fail(lx, JSONFAST_SYNTAX, "unexpected newline");
			else
				lex_fail(lx, JSONFAST_SYNTAX,
				    "control character 0x%x", c);
			goto fail;
		} else if (c >= 0x80) {
			if ((k = utf8_len(q, end - q)) == 0) {
				utf8_fail(lx, q - p);
				goto fail;
			}
			q += k;
		} else
			q++;
	}
	lx->pos = q + 1 - p;
	lx->tok = T_STRING;
	return;
fail:
	lx->tok = T_ERROR;
}

/*
 * A number or a word ends at byte i, which jansson reads (and then puts
 * back): if it starts an invalid UTF-8 sequence, that is the error, even
 * when the token itself is fine; it shows unless the parse ends right
 * after this token.
 */
static void
lookahead(struct lex *lx, size_t i)
{
	if (i < lx->len && lx->p[i] >= 0x80 &&
	    utf8_len(lx->p + i, lx->len - i) == 0) {
		lx->pos = i;
		lex_fail(lx, JSONFAST_UTF8, "unable to decode byte 0x%x",
		    lx->p[i]);
	}
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A real: strtod on a NUL-terminated copy, with the locale's radix. */
static int
lex_real(struct lex *lx, const unsigned char *s, size_t n)
{
	char	 small[64], *b = small, *dot;
	const char *radix;
	double	 d;

	if (n >= sizeof(small) && (b = malloc(n + 1)) == NULL) {
		lex_fail(lx, JSONFAST_NOMEM, "out of memory");
		return -1;
	}
	memcpy(b, s, n);
	b[n] = '\0';
	radix = nl_langinfo(RADIXCHAR);
	if (radix[0] != '.' && radix[0] != '\0' && radix[1] == '\0' &&
	    (dot = strchr(b, '.')) != NULL)
		*dot = radix[0];
	d = strtod(b, NULL);
	if (b != small)
		free(b);
	if (isinf(d)) {
		lex_fail(lx, JSONFAST_RANGE, "real number overflow");
		return -1;
	}
	lx->rval = d;
	return 0;
}

/* A number token starting at lx->ts ('-' or a digit), jansson's grammar:
   a bad one is T_INVALID ending where it went wrong. */
static void
lex_number(struct lex *lx)
{
	const unsigned char *p = lx->p;
	size_t	 i = lx->ts, n = lx->len, ds, j;
	uint64_t u, lim;
	int	 neg = 0, real = 0;

	if (p[i] == '-') {
		neg = 1;
		i++;
	}
	ds = i;
	if (i < n && p[i] == '0') {
		i++;
		if (i < n && is_digit(p[i]))
			goto invalid;
	} else if (i < n && is_digit(p[i])) {
		while (i < n && is_digit(p[i]))
			i++;
	} else
		goto invalid;
	if (i < n && p[i] == '.') {
		if (i + 1 >= n || !is_digit(p[i + 1])) {
			i++;
			goto invalid;
		}
		i += 2;
		while (i < n && is_digit(p[i]))
			i++;
		real = 1;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		j = i + 1;
		if (j < n && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j >= n || !is_digit(p[j])) {
			i = j;
			goto invalid;
		}
		for (i = j; i < n && is_digit(p[i]); i++)
			;
		real = 1;
	}
	lookahead(lx, i);
	lx->pos = i;
	if (real) {
		lx->tok = lex_real(lx, p + lx->ts, i - lx->ts) == 0 ? T_REAL :
		    T_ERROR;
		return;
	}
	/* no leading zeros: 20 digits are past int64 */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (i - ds > 19)
		goto range;
	for (u = 0, j = ds; j < i; j++)
		u = u * 10 + (p[j] - '0');
	if (u > lim)
		goto range;
	if (!neg)
		lx->ival = (json_int_t)u;
	else if (u == (uint64_t)INT64_MAX + 1)
		lx->ival = INT64_MIN;
	else
		lx->ival = -(json_int_t)u;
	lx->tok = T_INT;
	return;
range:
	lex_fail(lx, JSONFAST_RANGE, neg ? "too big negative integer" :
	    "too big integer");
	lx->tok = T_ERROR;
	return;
invalid:
	lookahead(lx, i);
	lx->pos = i;
	lx->tok = lx->err->code == JSONFAST_OK ? T_INVALID : T_ERROR;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The next token, the general way: sets tok, ts and pos. */
static void
lex_slow(struct lex *lx)
{
	const unsigned char *p = lx->p;
	size_t	 i = lx->pos, n = lx->len, k;
	unsigned c;

	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' ||
	    p[i] == '\t'))
		i++;
	lx->ts = lx->pos = i;
	if (i >= n) {
		lx->tok = T_EOF;
		return;
	}
	c = p[i];
	lx->pos = i + 1;
	switch (c) {
	case '{':
		lx->tok = T_LBRACE;
		return;
	case '}':
		lx->tok = T_RBRACE;
		return;
	case '[':
		lx->tok = T_LBRACK;
		return;
	case ']':
		lx->tok = T_RBRACK;
		return;
	case ':':
		lx->tok = T_COLON;
		return;
	case ',':
		lx->tok = T_COMMA;
		return;
	case '"':
		lex_string(lx);
		return;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		lex_number(lx);
		return;
	}
	if (is_alpha(c)) {
		for (k = i + 1; k < n && is_alpha(p[k]); k++)
			;
		lookahead(lx, k);
		lx->pos = k;
		k -= i;
		if (k == 4 && memcmp(p + i, "true", 4) == 0)
			lx->tok = T_TRUE;
		else if (k == 5 && memcmp(p + i, "false", 5) == 0)
			lx->tok = T_FALSE;
		else if (k == 4 && memcmp(p + i, "null", 4) == 0)
			lx->tok = T_NULL;
		else
			lx->tok = T_INVALID;
		return;
	}
	if (c >= 0x80) {
		if ((k = utf8_len(p + i, n - i)) == 0) {
			utf8_fail(lx, i);
			lx->tok = T_ERROR;
			return;
		}
		lx->pos = i + k;
	}
	lx->tok = T_INVALID;
}

/* Punctuation tokens by byte (T_EOF: not punctuation). */
static const unsigned char punct[256] = {
	['{'] = T_LBRACE, ['}'] = T_RBRACE, ['['] = T_LBRACK,
	[']'] = T_RBRACK, [':'] = T_COLON, [','] = T_COMMA
};

/* The next token.  Compact JSON comes here: punctuation and strings
   right where the last token ended. */
static inline void
lex_next(struct lex *lx)
{
	size_t	 i = lx->pos;
	unsigned c;

	if (i < lx->len) {
		c = lx->p[i];
		if (punct[c] != T_EOF) {
			lx->ts = i;
			lx->pos = i + 1;
			lx->tok = punct[c];
			return;
		}
		if (c == '"') {
			lx->ts = i;
			lex_string(lx);
			return;
		}
	}
	lex_slow(lx);
}

static unsigned
hex4(const unsigned char *s)
{
	unsigned v = 0, c;
	int	 i;

	for (i = 0; i < 4; i++) {
		c = s[i];
		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/*
 * Decode the current string token (escaped) into sc.  The lexer has
 * checked the escapes' syntax; this checks what they stand for.  Returns
 * the length, or -1 with err set (at the end of the token, like jansson).
 */
static ssize_t
decode(struct lex *lx, struct scratch *sc)
{
	const unsigned char *s = lx->p + lx->ts + 1, *end = lx->p + lx->pos - 1;
	const unsigned char *b;
	unsigned char *d;
	unsigned v, v2;

	if (scratch_room(sc, end - s) == -1) {
		lex_fail(lx, JSONFAST_NOMEM, "out of memory");
		return -1;
	}
	d = (unsigned char *)sc->d;
	while (s < end) {
		if ((b = memchr(s, '\\', end - s)) == NULL)
			b = end;
		memcpy(d, s, b - s);
		d += b - s;
		if ((s = b) >= end)
			break;
		switch (s[1]) {
		case 'b':
			*d++ = '\b';
			break;
		case 'f':
			*d++ = '\f';
			break;
		case 'n':
			*d++ = '\n';
			break;
		case 'r':
			*d++ = '\r';
			break;
		case 't':
			*d++ = '\t';
			break;
		case 'u':
			break;
		default:	/* '"', '\\', '/' */
			*d++ = s[1];
			break;
		}
		if (s[1] != 'u') {
			s += 2;
			continue;
		}
		v = hex4(s + 2);
		s += 6;
		if (v >= 0xd800 && v <= 0xdbff) {
			if (end - s < 6 || s[0] != '\\' || s[1] != 'u') {
				lex_fail(lx, JSONFAST_SYNTAX,
				    "invalid Unicode '\\u%04X'", v);
				return -1;
			}
			v2 = hex4(s + 2);
			s += 6;
			if (v2 < 0xdc00 || v2 > 0xdfff) {
				lex_fail(lx, JSONFAST_SYNTAX,
				    "invalid Unicode '\\u%04X\\u%04X'", v, v2);
				return -1;
			}
			v = ((v - 0xd800) << 10) + (v2 - 0xdc00) + 0x10000;
		} else if (v >= 0xdc00 && v <= 0xdfff) {
			lex_fail(lx, JSONFAST_SYNTAX, "invalid Unicode '\\u%04X'",
			    v);
			return -1;
		} else if (v == 0) {
			lex_fail(lx, JSONFAST_NUL, "\\u0000 is not allowed");
			return -1;
		}
		if (v < 0x80)
			*d++ = v;
		else if (v < 0x800) {
			*d++ = 0xc0 | v >> 6;
			*d++ = 0x80 | (v & 0x3f);
		} else if (v < 0x10000) {
			*d++ = 0xe0 | v >> 12;
			*d++ = 0x80 | (v >> 6 & 0x3f);
			*d++ = 0x80 | (v & 0x3f);
		} else {
			*d++ = 0xf0 | v >> 18;
			*d++ = 0x80 | (v >> 12 & 0x3f);
			*d++ = 0x80 | (v >> 6 & 0x3f);
			*d++ = 0x80 | (v & 0x3f);
		}
	}
	return d - (unsigned char *)sc->d;
}

/* The current string token's bytes, decoded if need be (into sc).
   Returns 0 or -1 (err set). */
static int
string_bytes(struct lex *lx, struct scratch *sc, const char **s, size_t *n)
{
	ssize_t	 k;

	if (!lx->escaped) {
		*s = (const char *)lx->p + lx->ts + 1;
		*n = lx->pos - lx->ts - 2;
		return 0;
	}
	if ((k = decode(lx, sc)) == -1)
		return -1;
	*s = sc->d;
	*n = (size_t)k;
	return 0;
}

static int
kind_of(const struct parser *ps, size_t d)
{
	return ps->kind[d / 64] >> (d % 64) & 1;
}

static int
set_kind(struct parser *ps, size_t d, int obj)
{
	uint64_t *k;
	size_t	 n;

	if (d / 64 >= ps->kindwords) {
		n = ps->kindwords * 2;
		if (ps->kind == ps->kind0) {
			if ((k = malloc(n * sizeof(*k))) != NULL)
				memcpy(k, ps->kind0, sizeof(ps->kind0));
		} else
			k = realloc(ps->kind, n * sizeof(*k));
		if (k == NULL)
			return -1;
		ps->kind = k;
		ps->kindwords = n;
	}
	if (obj)
		ps->kind[d / 64] |= (uint64_t)1 << (d % 64);
	else
		ps->kind[d / 64] &= ~((uint64_t)1 << (d % 64));
	return 0;
}

/* Give v to the container at level depth - 1 (under the pending key), or
   make it the root.  Takes v even on failure.  Returns 0 or -1. */
static int
attach(struct parser *ps, size_t depth, json_t *v)
{
	if (v == NULL)
		return -1;
	if (depth == 0) {
		ps->root = v;
		return 0;
	}
	if (kind_of(ps, depth - 1))
		return json_object_setn_new_nocheck(ps->stack[depth - 1],
		    ps->kp, ps->kl, v);
	return json_array_append_new(ps->stack[depth - 1], v);
}

/* The value of the current scalar token, or NULL (err set). */
static json_t *
scalar(struct parser *ps)
{
	struct lex *lx = &ps->lx;
	const char *s;
	size_t	 n;

	switch (lx->tok) {
	case T_STRING:
		if (string_bytes(lx, &ps->str, &s, &n) == -1)
			return NULL;
		return json_stringn_nocheck(s, n);
	case T_INT:
		return json_integer(lx->ival);
	case T_REAL:
		return json_real(lx->rval);
	case T_TRUE:
		return json_true();
	case T_FALSE:
		return json_false();
	default:
		return json_null();
	}
}

/* The current token is not what the grammar wants.  A string token is
   decoded first: like jansson's lexer, what its escapes stand for is
   checked before the parser looks at it. */
static void
unexpected(struct parser *ps, enum jsonfast_code code, const char *msg)
{
	if (ps->lx.tok == T_STRING && ps->lx.escaped)
		(void)decode(&ps->lx, &ps->str);
	lex_fail(&ps->lx, code, "%s", msg);
}

/* The grammar, driven by tokens; see jansson's parse_value, parse_object
   and parse_array for the messages. */
static int
parse(struct parser *ps)
{
	struct lex *lx = &ps->lx;
	size_t	 depth = 0;
	json_t	*v;
	int	 obj;

	lex_next(lx);
	ps->first = lx->tok;
value:
	switch (lx->tok) {
	case T_LBRACE:
	case T_LBRACK:
		obj = lx->tok == T_LBRACE;
		if (!ps->deep && depth >= ps->max_depth) {
			ps->deep = 1;
			ps->building = 0;
			ps->deep_pos = lx->ts;
			json_decref(ps->root);
			ps->root = NULL;
		}
		if (set_kind(ps, depth, obj) == -1)
			goto nomem;
		if (ps->building) {
			v = obj ? json_object() : json_array();
			if (attach(ps, depth, v) == -1)
				goto nomem;
			ps->stack[depth] = v;
		}
		depth++;
		lex_next(lx);
		if (lx->tok == (obj ? T_RBRACE : T_RBRACK)) {
			depth--;
			goto after;
		}
		if (obj)
			goto key;
		if (lx->tok == T_EOF) {
			unexpected(ps, JSONFAST_SYNTAX, "']' expected");
			return -1;
		}
		goto value;
	case T_STRING:
	case T_INT:
	case T_REAL:
	case T_TRUE:
	case T_FALSE:
	case T_NULL:
		if (ps->building) {
			if ((v = scalar(ps)) == NULL) {
				if (lx->err->code != JSONFAST_OK)
					return -1;
				goto nomem;
			}
			if (attach(ps, depth, v) == -1)
				goto nomem;
		} else if (lx->tok == T_STRING && lx->escaped &&
		    decode(lx, &ps->str) == -1)
			return -1;
		goto after;
	case T_ERROR:
		return -1;
	case T_INVALID:
		lex_fail(lx, JSONFAST_SYNTAX, "invalid token");
		return -1;
	default:
		lex_fail(lx, JSONFAST_SYNTAX, "unexpected token");
		return -1;
	}

key:
	if (lx->tok != T_STRING) {
		lex_fail(lx, JSONFAST_SYNTAX, "string or '}' expected");
		return -1;
	}
	if (string_bytes(lx, &ps->key, &ps->kp, &ps->kl) == -1)
		return -1;
	lex_next(lx);
	if (lx->tok != T_COLON) {
		unexpected(ps, JSONFAST_SYNTAX, "':' expected");
		return -1;
	}
	lex_next(lx);
	goto value;

after:
	if (depth == 0)
		return 0;
	lex_next(lx);
	if (kind_of(ps, depth - 1)) {
		if (lx->tok == T_COMMA) {
			lex_next(lx);
			goto key;
		}
		if (lx->tok == T_RBRACE) {
			depth--;
			goto after;
		}
		unexpected(ps, JSONFAST_SYNTAX, "'}' expected");
		return -1;
	}
	if (lx->tok == T_COMMA) {
		lex_next(lx);
		if (lx->tok == T_EOF) {
			unexpected(ps, JSONFAST_SYNTAX, "']' expected");
			return -1;
		}
		goto value;
	}
	if (lx->tok == T_RBRACK) {
		depth--;
		goto after;
	}
	unexpected(ps, JSONFAST_SYNTAX, "']' expected");
	return -1;

nomem:
	lex_fail(lx, JSONFAST_NOMEM, "out of memory");
	return -1;
}

/* jsonfast_parse(), or with build 0 jsonfast_check(): the value's tree
   (build 1) or the JSON null as a token of success (build 0), NULL with
   err set. */
static json_t *
read_value(const char *p, size_t len, size_t *used, size_t max_depth,
    struct jsonfast_error *err, int build, enum tok *first)
{
	struct parser ps;
	json_t	*root = NULL;

	err->code = JSONFAST_OK;
	err->pos = 0;
	err->text[0] = '\0';
	/* no memset: the stacks and scratch areas are big and need none */
	ps.lx.p = (const unsigned char *)p;
	ps.lx.len = len;
	ps.lx.pos = ps.lx.ts = 0;
	ps.lx.tok = T_EOF;
	ps.lx.escaped = 0;
	ps.lx.err = err;
	ps.kp = NULL;
	ps.kl = 0;
	ps.root = NULL;
	ps.deep_pos = 0;
	ps.max_depth = max_depth < JSONFAST_DEPTH_MAX ? max_depth :
	    JSONFAST_DEPTH_MAX;
	ps.stack = ps.stack0;
	ps.kind = ps.kind0;
	ps.kindwords = sizeof(ps.kind0) / sizeof(ps.kind0[0]);
	ps.building = build;
	ps.deep = 0;
	ps.first = T_EOF;
	scratch_init(&ps.key);
	scratch_init(&ps.str);
	if (ps.max_depth > sizeof(ps.stack0) / sizeof(ps.stack0[0]) &&
	    (ps.stack = malloc(ps.max_depth * sizeof(*ps.stack))) == NULL) {
		ps.stack = ps.stack0;
		lex_fail(&ps.lx, JSONFAST_NOMEM, "out of memory");
		goto fail;
	}

	if (parse(&ps) == -1)
		goto fail;
	if (used != NULL) {
		*used = ps.lx.pos;
		/* what lookahead() saw after the value does not count */
		if (err->code == JSONFAST_UTF8) {
			err->code = JSONFAST_OK;
			err->pos = 0;
			err->text[0] = '\0';
		}
	} else {
		lex_next(&ps.lx);
		if (ps.lx.tok != T_EOF) {
			unexpected(&ps, JSONFAST_TRAILING,
			    "end of file expected");
			goto fail;
		}
	}
	if (ps.deep) {
		lex_fail(&ps.lx, JSONFAST_DEPTH, "nested deeper than %zu levels",
		    ps.max_depth);
		err->pos = ps.deep_pos;
		goto fail;
	}
	root = build ? ps.root : json_null();
	ps.root = NULL;
	*first = ps.first;
fail:
	json_decref(ps.root);
	scratch_release(&ps.key);
	scratch_release(&ps.str);
	if (ps.stack != ps.stack0)
		free(ps.stack);
	if (ps.kind != ps.kind0)
		free(ps.kind);
	return root;
}

json_t *
jsonfast_parse(const char *p, size_t len, size_t *used, size_t max_depth,
    struct jsonfast_error *err)
{
	enum tok first;

	return read_value(p, len, used, max_depth, err, 1, &first);
}

int
jsonfast_check(const char *p, size_t len, size_t *used, size_t max_depth,
    struct jsonfast_error *err)
{
	enum tok first = T_EOF;

	if (read_value(p, len, used, max_depth, err, 0, &first) == NULL)
		return -1;
	switch (first) {
	case T_LBRACE:
		return JSON_OBJECT;
	case T_LBRACK:
		return JSON_ARRAY;
	case T_STRING:
		return JSON_STRING;
	case T_INT:
		return JSON_INTEGER;
	case T_REAL:
		return JSON_REAL;
	case T_TRUE:
		return JSON_TRUE;
	case T_FALSE:
		return JSON_FALSE;
	default:
		return JSON_NULL;
	}
}

/* ---- writer ---- */

/* Room for n more bytes (and the NUL) in b.  Returns 0 or -1. */
static inline int
room(struct buf *b, size_t n)
{
	if (b->data != NULL && n < b->cap - b->len)
		return 0;
	return buf_reserve(b, n);
}

/* Bytes in x a JSON string must escape: '"', '\\' and below 0x20.  Exact
   up to the lowest flagged byte. */
static inline uint64_t
esc_stops(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((x - ONES * 0x20) & ~x)) & HIGHS;
}

/* Bytes a JSON string must escape. */
static const unsigned char must_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1
};

/* How many bytes from s[0..n) need no escape. */
static size_t
clean_run(const unsigned char *s, size_t n)
{
	size_t	 i = 0;

#if JF_SWAR
	while (n - i >= 8) {
		uint64_t x, m;

		memcpy(&x, s + i, 8);
		if ((m = esc_stops(x)) != 0)
			return i + (__builtin_ctzll(m) >> 3);
		i += 8;
	}
#endif
	while (i < n && !must_escape[s[i]])
		i++;
	return i;
}

static int
dump_string(struct buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	char	*d;
	size_t	 k;
	unsigned c;

	if (room(b, n + 2) == -1)
		return -1;
	d = b->data + b->len;
	*d++ = '"';
	for (;;) {
		k = clean_run(s, n);
		memcpy(d, s, k);
		d += k;
		s += k;
		n -= k;
		if (n == 0)
			break;
		/* this byte becomes up to six, the rest stay and '"' */
		b->len = d - b->data;
		if (room(b, n + 6) == -1)
			return -1;
		d = b->data + b->len;
		*d++ = '\\';
		switch ((c = *s)) {
		case '"':
		case '\\':
			*d++ = c;
			break;
		case '\b':
			*d++ = 'b';
			break;
		case '\f':
			*d++ = 'f';
			break;
		case '\n':
			*d++ = 'n';
			break;
		case '\r':
			*d++ = 'r';
			break;
		case '\t':
			*d++ = 't';
			break;
		default:
			memcpy(d, "u00", 3);
			d[3] = hex[c >> 4];
			d[4] = hex[c & 15];
			d += 5;
			break;
		}
		s++;
		n--;
	}
	*d++ = '"';
	b->len = d - b->data;
	return 0;
}

static int
dump_integer(struct buf *b, json_int_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "6263646566676869707172737475767778798081828384858687888990919293"
	    "949596979899";
	char	 t[24], *e = t + sizeof(t), *q = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	while (u >= 100) {
		q -= 2;
		memcpy(q, pairs + (u % 100) * 2, 2);
		u /= 100;
	}
	if (u >= 10) {
		q -= 2;
		memcpy(q, pairs + u * 2, 2);
	} else
		*--q = '0' + u;
	if (v < 0)
		*--q = '-';
	if (room(b, e - q) == -1)
		return -1;
	memcpy(b->data + b->len, q, e - q);
	b->len += e - q;
	return 0;
}

/* jansson's way: "%.17g" in the C locale, ".0" added when that reads as
   an integer, the exponent without '+' and leading zeros. */
static int
dump_real(struct buf *b, double v)
{
	char	 t[40], *x, *from, *to;
	const char *radix;
	int	 n;

	if (!isfinite(v))
		return -1;
	n = snprintf(t, sizeof(t) - 3, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(t) - 3)
		return -1;
	radix = nl_langinfo(RADIXCHAR);
	if (radix[0] != '.' && radix[0] != '\0' && radix[1] == '\0' &&
	    (x = strchr(t, radix[0])) != NULL)
		*x = '.';
	if ((x = strchr(t, 'e')) == NULL) {
		if (strchr(t, '.') == NULL) {
			memcpy(t + n, ".0", 3);
			n += 2;
		}
	} else {
		to = x + 1;
		from = to;
		if (*from == '+')
			from++;
		else if (*from == '-')
			from = ++to;
		while (*from == '0' && from[1] != '\0')
			from++;
		if (from != to) {
			memmove(to, from, t + n + 1 - from);
			n -= from - to;
		}
	}
	if (room(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, t, n);
	b->len += n;
	return 0;
}

static int
put1(struct buf *b, char c)
{
	if (room(b, 1) == -1)
		return -1;
	b->data[b->len++] = c;
	return 0;
}

static int
dump_value(struct buf *b, const json_t *v, int depth)
{
	json_t	*jv = (json_t *)v;
	void	*it;
	size_t	 i, n;
	int	 first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (depth >= JSONFAST_DEPTH_MAX || put1(b, '{') == -1)
			return -1;
		for (it = json_object_iter(jv); it != NULL;
		    it = json_object_iter_next(jv, it)) {
			if (!first && put1(b, ',') == -1)
				return -1;
			first = 0;
			if (dump_string(b, json_object_iter_key(it),
			    json_object_iter_key_len(it)) == -1 ||
			    put1(b, ':') == -1 ||
			    dump_value(b, json_object_iter_value(it),
			    depth + 1) == -1)
				return -1;
		}
		return put1(b, '}');
	case JSON_ARRAY:
		if (depth >= JSONFAST_DEPTH_MAX || put1(b, '[') == -1)
			return -1;
		n = json_array_size(v);
		for (i = 0; i < n; i++)
			if ((i > 0 && put1(b, ',') == -1) ||
			    dump_value(b, json_array_get(v, i), depth + 1) == -1)
				return -1;
		return put1(b, ']');
	case JSON_STRING:
		return dump_string(b, json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		return dump_integer(b, json_integer_value(v));
	case JSON_REAL:
		return dump_real(b, json_real_value(v));
	case JSON_TRUE:
		if (room(b, 4) == -1)
			return -1;
		memcpy(b->data + b->len, "true", 4);
		b->len += 4;
		return 0;
	case JSON_FALSE:
		if (room(b, 5) == -1)
			return -1;
		memcpy(b->data + b->len, "false", 5);
		b->len += 5;
		return 0;
	default:
		if (room(b, 4) == -1)
			return -1;
		memcpy(b->data + b->len, "null", 4);
		b->len += 4;
		return 0;
	}
}

int
jsonfast_dump(struct buf *out, const json_t *v)
{
	size_t	 start = out->len;

	if (v == NULL || dump_value(out, v, 0) == -1) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		return -1;
	}
	out->data[out->len] = '\0';
	return 0;
}

/* ---- finding one value without parsing -------------------------------- */

/* Bytes in x equal to '"' or '\\' (exact up to the lowest flagged). */
static inline uint64_t
quote_stops(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return ((q - ONES) & ~q) | ((b - ONES) & ~b);
}

/* The end of the string opening at p[i] ('"'): the index past its closing
   quote, or 0 when it is not closed. */
static size_t
get_string_end(const unsigned char *p, size_t len, size_t i)
{
	for (i++; i < len; ) {
#if JF_SWAR
		while (len - i >= 8) {
			uint64_t x, m;

			memcpy(&x, p + i, 8);
			if ((m = quote_stops(x) & HIGHS) != 0) {
				i += __builtin_ctzll(m) >> 3;
				break;
			}
			i += 8;
		}
		if (i >= len)
			break;
#endif
		if (p[i] == '"')
			return i + 1;
		i += p[i] == '\\' ? 2 : 1;
	}
	return 0;
}

static size_t
get_ws(const unsigned char *p, size_t len, size_t i)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/* The end of the value starting at p[i] (no whitespace before it), or 0
   when it does not end inside p. */
static size_t
get_value_end(const unsigned char *p, size_t len, size_t i)
{
	size_t	 depth = 0;

	if (i >= len)
		return 0;
	if (p[i] != '{' && p[i] != '[' && p[i] != '"') {
		/* A number or a literal: up to a delimiter. */
		while (i < len && p[i] != ',' && p[i] != '}' && p[i] != ']' &&
		    p[i] != ' ' && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r' && p[i] != ':' && p[i] != '"')
			i++;
		return i;
	}
	while (i < len) {
		switch (p[i]) {
		case '"':
			if ((i = get_string_end(p, len, i)) == 0)
				return 0;
			if (depth == 0)
				return i;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth-- == 0)
				return 0;
			if (depth == 0)
				return i + 1;
			break;
		}
		i++;
	}
	return 0;
}

size_t
jsonfast_skip(const char *p, size_t len)
{
	return get_value_end((const unsigned char *)p, len, 0);
}

int
jsonfast_get(const char *doc, size_t len, const char *path,
    const char **val, size_t *vlen)
{
	const unsigned char *p = (const unsigned char *)doc;
	const char *seg = path, *dot;
	size_t	 i = get_ws(p, len, 0), ks, ke, n, end;

	for (;;) {
		dot = strchr(seg, '.');
		n = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
		if (i >= len)
			return -1;
		if (p[i] != '{')
			return 0;	/* not an object: nothing there */
		i = get_ws(p, len, i + 1);
		if (i < len && p[i] == '}')
			return 0;
		for (;;) {
			if (i >= len || p[i] != '"')
				return -1;
			ks = i + 1;
			if ((i = get_string_end(p, len, i)) == 0)
				return -1;
			ke = i - 1;
			i = get_ws(p, len, i);
			if (i >= len || p[i] != ':')
				return -1;
			i = get_ws(p, len, i + 1);
			if (ke - ks == n && memcmp(p + ks, seg, n) == 0)
				break;
			if ((i = get_value_end(p, len, i)) == 0)
				return -1;
			i = get_ws(p, len, i);
			if (i >= len)
				return -1;
			if (p[i] == '}')
				return 0;
			if (p[i] != ',')
				return -1;
			i = get_ws(p, len, i + 1);
		}
		if (dot == NULL)
			break;
		seg = dot + 1;
	}
	if ((end = get_value_end(p, len, i)) == 0 || end == i)
		return -1;
	*val = doc + i;
	*vlen = end - i;
	return 1;
}
