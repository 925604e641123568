/* decoder — declarative message decoders: YAML files of PCRE2 patterns
 * with named groups that set typed fields, tried only on the events their
 * selector can match.  The format is ward-parsers(5). */
#ifndef WARD_DECODER_H
#define WARD_DECODER_H

#include <stddef.h>

#include <jansson.h>

struct decoders;
struct decoder_scratch;

/* One problem found while loading: "file:line: msg" (line 0: none). */
struct decoder_error {
	const char	*file;
	unsigned	 line;
	const char	*msg;
};
typedef void (*decoder_errcb)(void *arg, const struct decoder_error *);

/*
 * Load every decoder in paths (files, or directories whose *.yml and
 * *.yaml files are read in name order; nothing below them).  Each
 * problem is reported through cb (may be NULL) and counted in *nerr; a
 * broken decoder is left out, the others load.  Returns the set (free
 * with decoders_free), or NULL only when out of memory.
 */
struct decoders	*decoders_load_all(const char *const *paths, size_t npaths,
		    decoder_errcb cb, void *arg, size_t *nerr);
/* The same from YAML text in memory, called name in errors. */
struct decoders	*decoders_load_string(const char *text, size_t len,
		    const char *name, decoder_errcb cb, void *arg,
		    size_t *nerr);
/*
 * decoders_load_all, but any problem fails the load: returns NULL with the first
 * one in err as "file:line: reason" (or "out of memory").
 */
struct decoders	*decoders_load(const char *const *paths, size_t npaths,
		    char *err, size_t errlen);
/*
 * The transit step (transit.h) is transit_step_decoders: it loads
 * transit_opts.parsers (skipping paths that do not exist), and its
 * per-worker state is a scratch.
 */
/* Free the set; accepts NULL.  No decoders_apply may be running on it. */
void		 decoders_free(struct decoders *);

/* How many decoders loaded. */
size_t		 decoders_count(const struct decoders *);
/* Decoder i's name and the file it came from (owned by the set). */
const char	*decoders_name(const struct decoders *, size_t i);
const char	*decoders_file(const struct decoders *, size_t i);
/* The files read, in order, whether or not a decoder of theirs loaded;
   *n is set to their number (owned by the set). */
const char *const *decoders_files(const struct decoders *, size_t *n);

/*
 * Per-thread matching state (PCRE2 match data, JIT stack, limits); one
 * serves any set, on one thread at a time.  NULL when out of memory.
 */
struct decoder_scratch *decoder_scratch_new(void);
void		 decoder_scratch_free(struct decoder_scratch *);

/*
 * Run the decoders whose selector matches the normalized event ev over
 * it, setting the fields, constants and tags of every pattern that
 * matches (the set may be read by many threads at once; s is this
 * thread's).  New values are allocated with jansson, so in the calling
 * thread's arena if it has one.  Returns 1 when a pattern matched, 0
 * when none did, -1 when out of memory (ev may then be half done).
 */
int		 decoders_apply(const struct decoders *, json_t *ev,
		    struct decoder_scratch *s);
/*
 * The decoders (indexes) that matched in s's last decoders_apply, in
 * the order they ran; *n is set to their number.  Valid until the next.
 */
const size_t	*decoder_scratch_matched(const struct decoder_scratch *s,
		    size_t *n);
/* Did s's last decoders_apply set a field of the schema (category)? */
int		 decoder_scratch_schema(const struct decoder_scratch *s);
/* Matches given up at the PCRE2 match limit by s so far (hostile input
   against a backtracking pattern). */
unsigned long	 decoder_scratch_limited(const struct decoder_scratch *s);

#endif
