/* split — cut an ingest request body into JSON documents. */
#ifndef WARD_SPLIT_H
#define WARD_SPLIT_H

#include <stddef.h>

#include <jansson.h>

enum split_format {
	SPLIT_AUTO,	/* decide by the first non-space byte: '[' array,
			   '{' object, NDJSON or back-to-back stream */
	SPLIT_JSON,	/* one object or an array of objects */
	SPLIT_NDJSON,	/* one object per line; blank lines skipped */
	SPLIT_STREAM,	/* objects back to back, any whitespace between
			   (Fluent Bit json_stream); NDJSON is a special case */
	SPLIT_BULK	/* Elasticsearch bulk: action line, document line */
};

struct split_limits {
	size_t	max_depth;	/* deepest nesting allowed in a document (64) */
	size_t	max_docs;	/* most documents in one body (100000) */
};

/* One document of a body, or the reason it was refused. */
struct split_item {
	json_t	*doc;		/* owned by the result; NULL when refused */
	char	 err[192];	/* "" when doc is set, else why, naming the
				   line and byte where it went wrong */
	unsigned line;		/* 1-based line where the document starts */
	size_t	 offset;	/* byte offset where the document starts */
	int	 status;	/* 0 when accepted, else 400 (bad document) */
	char	 action[8];	/* bulk only: "index" or "create" (or what was
				   asked for when refused: "delete", "update") */
	char	 index[128];	/* bulk only: _index of the action, or "" */
};

struct split_result {
	struct split_item *items;	/* in body order */
	size_t	 n;
	size_t	 cap;
	size_t	 bad;		/* how many items were refused */
};

/* Set out to the empty result. */
void	split_result_init(struct split_result *);
/* Free every document and the array. */
void	split_result_release(struct split_result *);

/*
 * Pick the format from a Content-Type header value (may be NULL):
 * x-ndjson (also Elastic's vnd.elasticsearch+x-ndjson) gives NDJSON,
 * application/json gives SPLIT_AUTO (arrays, objects and streams all
 * arrive as application/json), anything else SPLIT_AUTO.  Parameters such
 * as "; charset=UTF-8" and "; compatible-with=8" are ignored.
 */
enum split_format split_format_for(const char *content_type);

/*
 * Split body[0..len) in format fmt.  Every document must be a JSON object
 * no deeper than lim->max_depth and valid UTF-8.  For NDJSON, STREAM and
 * BULK a bad document is recorded as a refused item and the rest go on
 * (Elasticsearch's per-item model); for JSON a bad element of an array is a
 * refused item too.  Returns 0 with out filled, or -1 when the body as a
 * whole is unusable (not JSON at all in JSON mode, empty, more than
 * max_docs documents, a bulk body that does not pair up) with err saying
 * what and where (line, byte); out is then empty.  A NULL lim means
 * { 64, 100000 }.  After a bad document NDJSON and BULK go on at the next
 * line, STREAM at the next line that starts with '{'.
 */
int	split_body(const char *body, size_t len, enum split_format fmt,
	    const struct split_limits *lim, struct split_result *out,
	    char *err, size_t errlen);

#endif
