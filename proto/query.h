/*
 * query — ward's search language (man ward-query.7): a Kibana/Lucene-style
 * filter, then an optional pipeline after '|'.  The parser turns the text
 * into an AST that the hub compiles to SQL (hub/search/searchsql.c) and that
 * query_match() evaluates in memory with the same meaning (live tails,
 * deadman rules).
 */
#ifndef WARD_QUERY_H
#define WARD_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct buf;

/* Limits on what a query may ask. */
#define QUERY_MAX_LEN		8192	/* bytes of query text */
#define QUERY_MAX_DEPTH		32	/* nested parentheses and NOTs */
#define QUERY_MAX_TERMS		256	/* leaves of the filter */
#define QUERY_MAX_TOKENS	32	/* words in one phrase or term */
#define QUERY_MAX_FIELD		128	/* bytes of a field path */
#define QUERY_MAX_BY		4	/* fields of "count by" */
#define QUERY_MAX_FIELDS	32	/* fields of "fields" */
#define QUERY_MAX_N		100000	/* N of "top N" and "head N" */

/* What a field of the event is, which decides how it compares. */
enum query_ftype {
	QUERY_F_JSON,		/* any path into the event: details.x, tags */
	QUERY_F_UTC,		/* utctimestamp (time) */
	QUERY_F_RECEIVED,	/* receivedtimestamp (time) */
	QUERY_F_SEVERITY,	/* severity (ordered by rank) */
	QUERY_F_CATEGORY,	/* the typed text columns */
	QUERY_F_HOSTNAME,
	QUERY_F_PROCESSNAME,
	QUERY_F_SOURCE,
	QUERY_F_SUMMARY		/* analyzed text: matches words */
};

struct query_field {
	char			*path;	/* as written: "details.bytes" */
	enum query_ftype	 type;
};

enum query_kind {
	QUERY_ALL,		/* "*" or empty */
	QUERY_AND,		/* a AND b */
	QUERY_OR,		/* a OR b */
	QUERY_NOT,		/* NOT a */
	QUERY_TEXT,		/* a bare word or phrase: full text, or words
				   of summary when field.type is SUMMARY */
	QUERY_TERM,		/* field:value */
	QUERY_EXISTS		/* _exists_:field, field:* */
};

enum query_op {
	QUERY_EQ,		/* equal, case-insensitively (value) */
	QUERY_GLOB,		/* wildcards * and ? (value, with \ escapes) */
	QUERY_CIDR,		/* an IPv4 or IPv6 network (net) */
	QUERY_RANGE		/* [a TO b], {a TO b}, >, >=, <, <= (lo, hi) */
};

/* Flags of a range. */
#define QUERY_LO	0x01	/* has a lower bound */
#define QUERY_HI	0x02	/* has an upper bound */
#define QUERY_LO_INCL	0x04	/* lower bound included */
#define QUERY_HI_INCL	0x08	/* upper bound included */

struct query_node {
	enum query_kind		 kind;
	int			 pos;	/* byte offset in the query text */
	struct query_node	*a, *b;	/* AND, OR: both; NOT: a */
	struct query_field	 field;	/* TERM, EXISTS; TEXT on summary */
	enum query_op		 op;	/* TERM */
	char			*value;	/* TERM EQ/GLOB: the value text
					   (EQ unescaped, GLOB with its
					   escapes) */
	int			 numeric; /* EQ: value is a number too */
	double			 num;	/* EQ: that number */
	unsigned		 range;	/* RANGE: QUERY_LO... flags */
	double			 lo, hi; /* RANGE: numbers, µs or ranks */
	unsigned		 sevmask; /* severity EQ/GLOB: bit per rank */
	int			 family; /* CIDR: 4 or 6 */
	uint8_t			 net[16]; /* CIDR: network, in order */
	int			 prefix;  /* CIDR: prefix length */
	char			*tokens[QUERY_MAX_TOKENS]; /* TEXT: lower-
					   cased words, in order */
	size_t			 ntokens;
	int			 prefix_last; /* TEXT: last word ends in '*' */
};

enum query_agg {
	QUERY_AGG_NONE,		/* events */
	QUERY_AGG_COUNT,	/* count */
	QUERY_AGG_COUNT_BY,	/* count by F[, F] */
	QUERY_AGG_TOP,		/* top N F */
	QUERY_AGG_HISTOGRAM	/* histogram INTERVAL */
};

struct query {
	struct query_node	*root;	/* never NULL */
	size_t			 nterms; /* leaves in root */
	enum query_agg		 agg;
	struct query_field	 by[QUERY_MAX_BY]; /* COUNT_BY, TOP */
	size_t			 nby;
	size_t			 top;	/* TOP: N */
	int64_t			 interval_us; /* HISTOGRAM */
	struct query_field	 fields[QUERY_MAX_FIELDS]; /* "fields" */
	size_t			 nfields;
	int			 has_sort; /* "sort" given */
	struct query_field	 sort;
	int			 sort_desc; /* "sort -F" */
	size_t			 head;	/* "head N"; 0 when not given */
};

/* Why a query was refused. */
struct query_error {
	int	pos;		/* byte offset of the bad spot, or -1 */
	char	msg[192];	/* "expected a value after ':'" */
	char	expected[96];	/* what would have been valid there, or "" */
};

/*
 * Parse the query text s (NUL-terminated, at most QUERY_MAX_LEN bytes).
 * On success returns 0 and *out is a new query the caller frees with
 * query_free().  On a syntax or validation error returns -1, *out is NULL
 * and err (if not NULL) says where and why.  Relative times ("now-15m")
 * are resolved against now_us.
 */
int	query_parse(const char *s, int64_t now_us, struct query **out,
	    struct query_error *err);

/* Free a query from query_parse(); NULL is fine. */
void	query_free(struct query *);

/*
 * Does the normalized event ev match the filter of q (the pipeline is
 * ignored)?  Same meaning as the hub's SQL.  Returns 1 or 0; ev is only
 * read.
 */
int	query_match(const struct query *q, const json_t *ev);

/*
 * The value at path (object keys joined by '.', "details.username") in
 * ev, or NULL when a key is missing, a step meets something that is not
 * an object, or a key is longer than QUERY_MAX_FIELD.  ev is only read.
 */
const json_t *query_lookup(const json_t *ev, const char *path);

/*
 * Does one field value v (any JSON, NULL when absent) satisfy the TERM
 * node n?  An array matches when one of its elements does.  Used by the
 * SQL functions of hub/search/searchsql.c so both paths share one
 * definition.
 */
int	query_match_value(const struct query_node *n, const json_t *v);

/*
 * Does the TEXT node n match the words of the event ev, or, for a node on
 * summary, of the JSON string ev?  Returns 1 or 0; ev is only read.
 */
int	query_match_text(const struct query_node *n, const json_t *ev);

/*
 * Append to out the text the FTS index holds for ev in its "text" column:
 * every string and number of the event except summary, utctimestamp and
 * receivedtimestamp, separated by newlines.  The store writes this so
 * full-text search and query_match() agree.  Returns 0, or -1 when out of
 * memory.
 */
int	query_fts_text(const json_t *ev, struct buf *out);

/*
 * Split the text s (n bytes) into the lower-cased words full-text search
 * sees, calling fn for each (a word is not NUL-terminated).  Stops and
 * returns what fn returned when it is not 0; otherwise returns 0.
 */
int	query_words(const char *s, size_t n,
	    int (*fn)(void *arg, const char *w, size_t len), void *arg);

/* Returns 1 when path is a valid field path: only [A-Za-z0-9_.-], no
   empty part between dots, at most QUERY_MAX_FIELD bytes; else 0.  Only
   such paths ever reach SQL (and then as bound parameters). */
int	query_field_valid(const char *path);

#endif
