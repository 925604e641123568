/*
 * jsonfast — a fast JSON reader and compact writer for jansson values.
 *
 * jsonfast_parse() reads RFC 8259 JSON into ordinary jansson values, so
 * everything downstream is unchanged; it accepts exactly what json_loadb()
 * accepts (flags JSON_DECODE_ANY, optionally JSON_DISABLE_EOF_CHECK) except
 * for the nesting limit, which counts containers (see below), and a NUL
 * byte right after a number or literal, which jansson 2.14 loses (it
 * takes "[1\0]" for [1]) and jsonfast refuses.  Its error
 * messages and byte offsets follow jansson's: a syntax error is reported
 * just past the token that broke the grammar, "near 'token'" (or "near end
 * of file"), a UTF-8 error at the first byte of the bad sequence.
 *
 * jsonfast_dump() writes what json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)
 * writes, byte for byte, for any value whose strings are valid UTF-8.
 */
#ifndef WARD_JSONFAST_H
#define WARD_JSONFAST_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"

enum jsonfast_code {
	JSONFAST_OK,
	JSONFAST_SYNTAX,	/* not JSON */
	JSONFAST_EOF,		/* the input ended inside the value: more
				   bytes might have made it good */
	JSONFAST_UTF8,		/* invalid UTF-8 */
	JSONFAST_NUL,		/* \u0000 in a string (jansson refuses it) */
	JSONFAST_RANGE,		/* an integer beyond int64, a real beyond
				   double */
	JSONFAST_DEPTH,		/* containers nested deeper than max_depth */
	JSONFAST_TRAILING,	/* used == NULL and more than whitespace
				   follows the value */
	JSONFAST_NOMEM
};

struct jsonfast_error {
	enum jsonfast_code code;
	size_t	 pos;		/* byte offset from the start of the input */
	char	 text[160];	/* what went wrong, jansson's wording */
};

/* The deepest max_depth honoured; larger values are clamped to it. */
#define JSONFAST_DEPTH_MAX	4096

/*
 * Parse one JSON value (any type) from p[0..len), after optional
 * whitespace.  A container at the top is at depth 1; a container nested
 * deeper than max_depth is refused with JSONFAST_DEPTH (pos: where it
 * starts) once the rest of the value has been read, and then *used is set
 * as on success, so a caller can step over the refused value.
 *
 * With used != NULL parsing stops after the value and *used is the number
 * of bytes it took (leading whitespace included, trailing not).  With used
 * NULL the value must be followed by nothing but whitespace.
 *
 * Returns a new reference (the caller owns it), or NULL with err filled.
 * p need not be NUL-terminated and is not kept.
 */
json_t	*jsonfast_parse(const char *p, size_t len, size_t *used,
	    size_t max_depth, struct jsonfast_error *err);

/*
 * Check p[0..len) as jsonfast_parse() reads it (the same grammar, limits,
 * *used, errors and positions) without building the value: no jansson
 * value is made.  Returns the value's type (JSON_OBJECT, JSON_ARRAY,
 * JSON_STRING, ...), or -1 with err filled.
 */
int	 jsonfast_check(const char *p, size_t len, size_t *used,
	    size_t max_depth, struct jsonfast_error *err);

/*
 * Append v to out as compact JSON, exactly as
 * json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY): object members in
 * insertion order, '"', '\\' and control characters escaped (\b \f \n \r
 * \t, else \u00XX), all other bytes of strings copied as they are (they are
 * not checked: jansson's own constructors keep them valid UTF-8), reals
 * as "%.17g" made to look like a real.  Returns 0, or -1 (out of memory,
 * nesting deeper than JSONFAST_DEPTH_MAX, or a non-finite real) with out as
 * it was before the call.
 */
int	 jsonfast_dump(struct buf *out, const json_t *v);

/*
 * The length of the JSON value at the start of p[0..len) (no whitespace
 * before it), found without checking it: a string to its closing quote,
 * an object or array to its matching bracket (brackets inside strings
 * skipped), a number or literal up to a delimiter.  0 when there is no
 * value there or it does not end inside p.
 */
size_t	 jsonfast_skip(const char *p, size_t len);

/*
 * Find the value at path (object keys joined by '.', "details.username")
 * in the JSON text doc[0..len) without parsing the rest of it.  Returns 1
 * with *val and *vlen the value's text exactly as it stands in doc (a
 * string with its quotes and escapes, a container with everything
 * inside); 0 when the path leads nowhere (a key is missing, or a step
 * meets something that is not an object); -1 when doc is not JSON enough
 * to tell.  Keys compare byte for byte as written (escapes undecoded) and
 * the first of duplicate keys wins, as SQLite's doc -> '$.path' finds
 * them in the compact documents ward stores.  Only what the walk passes
 * over is looked at: the rest of doc is not validated.  *val points into
 * doc.
 */
int	 jsonfast_get(const char *doc, size_t len, const char *path,
	    const char **val, size_t *vlen);

#endif
