/*
 * libFuzzer target: jsonfast against jansson, the reference.
 *
 * Every input is parsed by both, as one value followed by anything
 * (JSON_DISABLE_EOF_CHECK, jsonfast's used) and as the whole input.  They
 * must agree on accept or refuse; when both accept, on the tree
 * (json_equal) and on how many bytes the value took, and jsonfast_dump
 * must write what json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) writes, byte
 * for byte, and jsonfast_get() must find in that text the dump of each
 * value one or two keys down.  When both refuse they must agree on where,
 * on whether the input merely ended too early (split relies on that) and
 * on the message.  jsonfast_check() must say what jsonfast_parse() says,
 * building nothing: the same accept or refuse, type, bytes used, error
 * code, place and message.
 *
 * The allowed differences, which the checks below spell out:
 *   - depth: jansson stops at 2048 nested values of any kind, jsonfast at
 *     max_depth nested containers (DEPTH here), and then still reads to
 *     the end of the value.  A DEPTH refusal must come with a tree that
 *     really is that deep, or with jansson refusing too; a jansson stack
 *     overflow must come with a jsonfast refusal.
 *   - \u0000 and the depth refusal word their messages differently.
 *   - a NUL byte right after a number or a literal: jansson's stream marks
 *     an empty buffer with NUL, so the byte it reads ahead there and puts
 *     back is lost, and "[1\0]" is accepted as [1].  jsonfast refuses the
 *     byte like any other.  Inputs with a NUL after a letter or digit are
 *     only parsed, not compared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"

#define DEPTH	300

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
depth_of(const json_t *j)
{
	const char *k;
	json_t	*v;
	size_t	 i, d, max = 0;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if ((d = depth_of(v)) > max)
				max = d;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if ((d = depth_of(v)) > max)
				max = d;
	} else
		return 0;
	return max + 1;
}

static void
fail(const char *what, const uint8_t *data, size_t len,
    const json_error_t *je, const struct jsonfast_error *fe)
{
	fprintf(stderr, "%s\n  input (%zu bytes): %.*s\n", what, len,
	    (int)(len > 200 ? 200 : len), (const char *)data);
	if (je != NULL)
		fprintf(stderr, "  jansson:  code %d pos %d: %s\n",
		    (int)json_error_code(je), je->position, je->text);
	if (fe != NULL)
		fprintf(stderr, "  jsonfast: code %d pos %zu: %s\n",
		    (int)fe->code, fe->pos, fe->text);
	abort();
}

/* jsonfast_get(text, path) finds the dump of the value at path, for the
   keys of v and of its objects (the pipeline's facets rely on it). */
static void
get_one(const json_t *v, const char *path, const char *text, size_t tlen,
    const uint8_t *data, size_t len)
{
	struct buf want;
	const char *got;
	size_t	 glen;

	buf_init(&want);
	if (jsonfast_dump(&want, v) == -1)
		fail("jsonfast_dump failed", data, len, NULL, NULL);
	if (jsonfast_get(text, tlen, path, &got, &glen) != 1 ||
	    glen != want.len || memcmp(got, want.data, glen) != 0) {
		fprintf(stderr, "path %s: want %.*s\n", path, (int)want.len,
		    want.data);
		fail("jsonfast_get misses a value", data, len, NULL, NULL);
	}
	buf_release(&want);
}

/* A key a path can name: no '.', nothing the dump escapes, not empty. */
static int
key_ok(const char *k)
{
	const unsigned char *p;

	if (*k == '\0' || strlen(k) > 100)
		return 0;
	for (p = (const unsigned char *)k; *p != '\0'; p++)
		if (*p == '.' || *p == '"' || *p == '\\' || *p < 0x20)
			return 0;
	return 1;
}

static void
get_matches(const json_t *v, const char *text, size_t tlen,
    const uint8_t *data, size_t len)
{
	const char *k, *k2;
	json_t	*c, *c2;
	char	 path[256];

	if (!json_is_object(v))
		return;
	json_object_foreach((json_t *)v, k, c) {
		if (!key_ok(k))
			continue;
		get_one(c, k, text, tlen, data, len);
		if (!json_is_object(c))
			continue;
		json_object_foreach(c, k2, c2) {
			if (!key_ok(k2))
				continue;
			snprintf(path, sizeof path, "%s.%s", k, k2);
			get_one(c2, path, text, tlen, data, len);
		}
	}
}

/* Both accepted: the same tree, the same bytes out, and jsonfast_get
   finds each value. */
static void
same_value(json_t *a, json_t *b, const uint8_t *data, size_t len)
{
	struct buf out;
	char	*ref;

	if (!json_equal(a, b))
		fail("trees differ", data, len, NULL, NULL);
	if ((ref = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return;		/* out of memory */
	buf_init(&out);
	buf_puts(&out, "x");	/* the dump appends */
	if (jsonfast_dump(&out, b) == -1)
		fail("jsonfast_dump failed", data, len, NULL, NULL);
	if (strcmp(out.data + 1, ref) != 0 || out.len != strlen(ref) + 1) {
		fprintf(stderr, "jansson:  %s\njsonfast: %s\n", ref,
		    out.data + 1);
		fail("dumps differ", data, len, NULL, NULL);
	}
	free(ref);
	get_matches(b, out.data + 1, out.len - 1, data, len);
	buf_release(&out);
}

/* jsonfast_check() agrees with jsonfast_parse()'s b (fe, used). */
static void
check_agrees(const uint8_t *data, size_t len, int whole, const json_t *b,
    const struct jsonfast_error *fe, size_t used)
{
	struct jsonfast_error ce;
	size_t	 cused = (size_t)-1;
	int	 type;

	type = jsonfast_check((const char *)data, len, whole ? NULL : &cused,
	    DEPTH, &ce);
	if ((b == NULL && fe->code == JSONFAST_NOMEM) ||
	    (type == -1 && ce.code == JSONFAST_NOMEM))
		return;
	if ((b == NULL) != (type == -1))
		fail(b == NULL ? "check accepts what parse refuses" :
		    "check refuses what parse accepts", data, len, NULL, &ce);
	if (b != NULL && type != (int)json_typeof(b))
		fail("check: another type", data, len, NULL, &ce);
	if (cused != used && (b != NULL || fe->code == JSONFAST_DEPTH))
		fail("check: used differs", data, len, NULL, &ce);
	if (b == NULL && (ce.code != fe->code || ce.pos != fe->pos ||
	    strcmp(ce.text, fe->text) != 0))
		fail("check: another error", data, len, NULL, &ce);
}

static void
one(const uint8_t *data, size_t len, int whole)
{
	const size_t	 fl = JSON_DECODE_ANY |
	    (whole ? 0 : JSON_DISABLE_EOF_CHECK);
	struct jsonfast_error fe;
	json_error_t	 je;
	json_t		*a, *b;
	size_t		 used = (size_t)-1;
	int		 eof_a, eof_b;

	a = json_loadb((const char *)data, len, fl, &je);
	b = jsonfast_parse((const char *)data, len, whole ? NULL : &used,
	    DEPTH, &fe);
	check_agrees(data, len, whole, b, &fe, used);

	if (b == NULL && fe.code == JSONFAST_NOMEM)
		goto out;
	if (a == NULL && json_error_code(&je) == json_error_out_of_memory)
		goto out;
	if (b == NULL && fe.code == JSONFAST_DEPTH) {
		if (a != NULL && depth_of(a) <= DEPTH)
			fail("DEPTH on a shallow value", data, len, &je, &fe);
		if (a != NULL && !whole && used != (size_t)je.position)
			fail("DEPTH: used differs", data, len, &je, &fe);
		goto out;
	}
	if (a == NULL && json_error_code(&je) == json_error_stack_overflow) {
		if (b != NULL)
			fail("jansson too deep, jsonfast accepts", data, len,
			    &je, &fe);
		goto out;
	}
	if ((a == NULL) != (b == NULL))
		fail(a == NULL ? "jansson refuses, jsonfast accepts" :
		    "jansson accepts, jsonfast refuses", data, len, &je, &fe);
	if (a != NULL) {
		if (!whole && used != (size_t)je.position)
			fail("used differs", data, len, &je, &fe);
		if (depth_of(a) > DEPTH)
			fail("too deep, accepted", data, len, &je, &fe);
		same_value(a, b, data, len);
		goto out;
	}
	if ((size_t)je.position != fe.pos)
		fail("error positions differ", data, len, &je, &fe);
	eof_a = json_error_code(&je) == json_error_premature_end_of_input;
	eof_b = fe.code == JSONFAST_EOF;
	if (eof_a != eof_b)
		fail("premature end differs", data, len, &je, &fe);
	if (fe.code != JSONFAST_NUL && strcmp(je.text, fe.text) != 0)
		fail("messages differ", data, len, &je, &fe);
out:
	json_decref(a);
	json_decref(b);
}

/* Might jansson lose a NUL byte here (see above)? */
static int
nul_after_alnum(const uint8_t *data, size_t len)
{
	size_t	 i;

	for (i = 1; i < len; i++)
		if (data[i] == '\0' && ((data[i - 1] >= '0' &&
		    data[i - 1] <= '9') || (data[i - 1] >= 'a' &&
		    data[i - 1] <= 'z') || (data[i - 1] >= 'A' &&
		    data[i - 1] <= 'Z')))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct jsonfast_error fe;
	size_t	 used;

	if (nul_after_alnum(data, len)) {
		json_decref(jsonfast_parse((const char *)data, len, &used,
		    DEPTH, &fe));
		json_decref(jsonfast_parse((const char *)data, len, NULL,
		    DEPTH, &fe));
		return 0;
	}
	one(data, len, 0);
	one(data, len, 1);
	return 0;
}
