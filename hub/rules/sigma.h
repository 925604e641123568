/*
 * sigma — Sigma detection rules, correlation rules and ward's deadman
 * rules, loaded from YAML (through yamldoc, the hub's one YAML loader)
 * into an immutable, indexed ruleset.
 * The format is described in ward-rules(5).
 *
 * Loading: sigma.c.  Matching one event against every detection rule
 * through the rule index: sigma_eval.c.  Windows and deadman state:
 * correlate.c (correlate.h).
 */
#ifndef WARD_SIGMA_H
#define WARD_SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct buf;
struct ruleset;
struct sigma_scratch;

/* One reason a rule did not load: where (1-based line) and why. */
struct rule_error {
	char		 file[256];
	unsigned	 line;
	char		 msg[256];
};

typedef void (*rule_errcb)(void *arg, const struct rule_error *);

enum rule_kind {
	RULE_DETECTION,		/* detection: matches single events */
	RULE_CORRELATION,	/* correlation: over other rules' matches */
	RULE_DEADMAN		/* ward extension: silence of a detection */
};

enum corr_type {
	CORR_EVENT_COUNT, CORR_VALUE_COUNT, CORR_TEMPORAL,
	CORR_TEMPORAL_ORDERED, CORR_VALUE_SUM, CORR_VALUE_AVG,
	CORR_VALUE_PERCENTILE, CORR_VALUE_MEDIAN
};

/* The value_* types that aggregate a field's numbers. */
#define CORR_AGGREGATES(t)	((t) == CORR_VALUE_SUM || (t) == \
	CORR_VALUE_AVG || (t) == CORR_VALUE_PERCENTILE || (t) == \
	CORR_VALUE_MEDIAN)

/* A compiled correlation (RULE_CORRELATION) or deadman (RULE_DEADMAN). */
struct sigma_corr {
	enum corr_type	  type;
	size_t		 *refs;		/* indexes of the rules it refers to */
	size_t		  nrefs;
	size_t		  ngroup;	/* group-by fields */
	char		**groupnames;	/* as written, for templates */
	int		 *groupfield;	/* [ngroup * nrefs]: field index of
					   group-by g for refs[r] (aliases) */
	int		  valuefield;	/* value_count: field index, else -1 */
	int64_t		  span_us;	/* timespan */
	int64_t		  lo, hi;	/* fires when lo <= count <= hi */
	double		  dlo, dhi;	/* value_sum .. median: fires when the
					   aggregate is within them */
	int		  dlo_open, dhi_open;	/* ... (gt, lt: not equal) */
	double		  pct;		/* value_percentile: 0..100 */
};

/*
 * A rule as loaded.  Everything is owned by the ruleset and read-only;
 * pointers are valid until ruleset_free().  The fields after "private"
 * are for sigma.c, sigma_eval.c and correlate.c only.
 */
struct rule {
	size_t		  index;	/* position in the ruleset */
	enum rule_kind	  kind;
	char		 *title;
	char		 *id;		/* the rule's id, else its name, else
					   "FILE#N" (N-th document) */
	char		 *name;		/* NULL if none */
	char		 *level;	/* "informational" .. "critical",
					   "medium" when not given */
	char		 *status;	/* NULL if none */
	char		 *description;	/* NULL if none */
	char		**tags;
	size_t		  ntags;
	char		 *summary;	/* ward.summary template, else NULL */
	char		 *logsource;	/* "product/category/service" as given,
					   "-" for each part missing; NULL
					   when the rule has no logsource */
	json_t		 *custom;	/* the rule's custom attributes (top-
					   level keys Sigma does not define),
					   an object; NULL when none */
	char		  file[256];
	unsigned	  line;		/* where its document starts */
	int		  emit;		/* reports its own matches (0 for a
					   rule only used by correlations) */

	/* private */
	struct sigma_node *cond;	/* detection and deadman */
	struct sigma_corr *corr;	/* correlation and deadman */
	struct sigma_extract *extract;	/* ward.extract */
	size_t		  nextract;
	size_t		 *consumers;	/* (correlation index << 8 | ref
					   position) that use its matches */
	size_t		  nconsumers;
	struct sigma_node *nodes;	/* every node of cond, to free */
	char		 *grouptmp;	/* deadman group-by, unresolved */
};

/*
 * Load every *.yml and *.yaml file in the directories (in name order,
 * then the directories below them, hidden ones skipped) and the files
 * named in paths.  ward-mapping documents among them apply to every rule
 * loaded with them.  A rule that does not load
 * is reported through errcb (when not NULL) with its file, line and
 * reason and left out; the others load.  A path that cannot be read is
 * reported the same way.  Returns the ruleset, which the caller frees with
 * ruleset_free(), or NULL only when out of memory.  *nerr (when not NULL)
 * receives the number of errors reported.
 */
struct ruleset *ruleset_load(const char *const *paths, size_t npaths,
	    rule_errcb errcb, void *arg, size_t *nerr);

/*
 * The same for rules held in memory (YAML text of len bytes), reported
 * as coming from file name.  For tests, fuzzing and rules sent over the
 * wire.
 */
struct ruleset *ruleset_load_string(const char *text, size_t len,
	    const char *name, rule_errcb errcb, void *arg, size_t *nerr);

/* Free a ruleset and every rule in it.  Accepts NULL.  No correlator made
   from it may be used afterwards. */
void	ruleset_free(struct ruleset *);

/* Number of rules loaded (every kind). */
size_t	ruleset_count(const struct ruleset *);
/* The i-th rule (i < ruleset_count()), owned by the ruleset. */
const struct rule *ruleset_rule(const struct ruleset *, size_t i);
/* The rule with this id or name; NULL if none. */
const struct rule *ruleset_find(const struct ruleset *, const char *idname);

/*
 * Per-thread scratch space for matching: caches each field of the event
 * being matched.  Made for one ruleset; free with sigma_scratch_free()
 * (accepts NULL).  NULL when out of memory.
 */
struct sigma_scratch *sigma_scratch_new(const struct ruleset *);
void	sigma_scratch_free(struct sigma_scratch *);

/*
 * Match one normalized event against every detection and deadman rule,
 * through the index: only rules whose anchor (a field value or a literal
 * substring) occurs in the event, plus the rules without an anchor, are
 * evaluated.  Sets *hits to the indexes of the matching rules in
 * increasing order (valid until the next call with s) and returns how
 * many there are.  ev is only read.
 */
size_t	sigma_match(const struct ruleset *, struct sigma_scratch *, json_t *ev,
	    const size_t **hits);

/*
 * Evaluate one detection or deadman rule against ev without the index
 * (slow; for tests that check the index against it).  Returns 1 on a
 * match, 0 otherwise.
 */
int	sigma_rule_matches(const struct ruleset *, struct sigma_scratch *,
	    const struct rule *, json_t *ev);

/*
 * The text of the field a Sigma name stands for (mapped as the ruleset's
 * field mapping says, or a ward.* computed field), in ev, appended to b.
 * For rule r (may be NULL) a ward.extract pattern fills a field the
 * event lacks.  Returns 1 when the field exists, 0 when not (b
 * unchanged), -1 when out of memory.
 */
int	sigma_field_text(const struct ruleset *, const struct rule *r,
	    json_t *ev, const char *name, struct buf *b);

/*
 * Same, for a field index from struct sigma_corr.
 */
int	sigma_field_text_idx(const struct ruleset *, const struct rule *r,
	    json_t *ev, int field, struct buf *b);

/*
 * Expand a summary template: "{field}" becomes the field's text in ev
 * ("-" when missing), "{@count}", "{@group}" and "{@title}" the values
 * given, "{{" and "}}" a brace.  ev may be NULL.  Appends to b.
 * Returns 0, or -1 when out of memory.
 */
int	sigma_template(const struct ruleset *, const struct rule *,
	    const char *tmpl, json_t *ev, size_t count, const char *group,
	    struct buf *b);

/* The event's time in µs: its utctimestamp, else dflt. */
int64_t	sigma_event_time(json_t *ev, int64_t dflt);

#ifdef SIGMA_INTERNAL
/*
 * The compiled form, shared by sigma.c, sigma_eval.c and correlate.c
 * only.
 */
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

/* A regular expression may take this many steps (PCRE2's match limit)
   and this much backtracking depth on one value before it counts as no
   match, so a hostile rule or event cannot stall the alerter. */
#define SIGMA_RE_MATCH_LIMIT	100000
#define SIGMA_RE_DEPTH_LIMIT	1000

enum pat_kind {
	PAT_EQ, PAT_CONTAINS, PAT_STARTS, PAT_ENDS, PAT_ANY, PAT_GLOB,
	PAT_RE, PAT_CIDR, PAT_LT, PAT_LTE, PAT_GT, PAT_GTE,
	PAT_FIELDREF
};

/* One way a value can match. */
struct sigma_pat {
	enum pat_kind	 kind;
	int		 cased;		/* compare case-sensitively */
	char		*s;		/* literal, lower-cased unless cased */
	size_t		 len;
	unsigned char	*wild;		/* GLOB: 1 where s[i] is * or ? */
	int		 isnum;		/* EQ: also a number; LT..GTE: bound */
	double		 num;
	pcre2_code	*re;		/* RE: JIT-compiled when it can be */
	char		**req;		/* RE: literals every match contains
					   (lower-case), checked first */
	size_t		 nreq;
	uint32_t	*reqlit;	/* ... each one's lit1 (see below),
					   once the index is built */
	int		 af;		/* CIDR: AF_INET or AF_INET6 */
	unsigned char	 net[16];
	unsigned	 bits;
	uint32_t	 lit1;		/* CONTAINS: 1 + its number among the
					   literals the index's automata find
					   (0: none), so matching reads a bit */
	int		 ref;		/* FIELDREF: the other field */
	enum pat_kind	 refkind;	/* ... compared as EQ, CONTAINS,
					   STARTS or ENDS */
};

/* One value of a field in a selection: any of its patterns will do
   (windash and base64offset make several). */
struct sigma_val {
	struct sigma_pat *pats;
	size_t		 npats;
};

enum leaf_kind { LEAF_VALUES, LEAF_NULL, LEAF_EXISTS, LEAF_ABSENT };

struct sigma_leaf {
	enum leaf_kind	 kind;
	int		 field;		/* index into ruleset fields */
	int		 all;		/* every value must match, else any */
	struct sigma_val *vals;
	size_t		 nvals;
};

enum node_op { NODE_AND, NODE_OR, NODE_NOT, NODE_LEAF, NODE_TRUE,
	NODE_FALSE };

struct sigma_node {
	enum node_op	  op;
	struct sigma_node **kids;
	size_t		  nkids;
	struct sigma_leaf *leaf;
	struct sigma_node *next;	/* the rule's list of all its nodes */
	int		  weak;		/* added by a logsource: common in
					   events, a poor anchor */
};

/* ward.extract: fill field from group 1 of re run over field from. */
struct sigma_extract {
	int		 field;
	int		 from;
	pcre2_code	*re;
};

/* FV_TEXT (ward.text): the summary and every text in details, one a
   line: what keywords search. */
enum field_virt { FV_NONE, FV_CLOCKSKEW, FV_AGE, FV_TEXT };

struct sigma_field {
	char		 *path;		/* "details.sourceipaddress", or
					   "a|b|c": the first of a, b, c the
					   event has */
	char		**comp;		/* its components */
	size_t		  ncomp;
	enum field_virt	  virt;
	int		 *alts;		/* a|b|c: the fields a, b, c */
	size_t		  nalts;
};


/* A string-keyed hash map (keys copied, values borrowed): open
   addressing, each slot holding its entry's hash, so a probe reads one
   cache line of slots and touches an entry only on a matching hash (the
   correlator looks up tens of thousands of groups an event burst). */
struct sigma_map_ent {
	size_t		 klen;
	void		*val;
	char		 key[];		/* klen bytes and a NUL */
};
struct sigma_map_slot {
	uint64_t	 h;
	struct sigma_map_ent *e;	/* NULL: free */
};
struct sigma_map {
	struct sigma_map_slot *s;
	size_t		 cap, n;	/* cap: 0 or a power of two */
};

uint64_t sigma_hash(const void *, size_t);
/* The entry for key, NULL if none. */
struct sigma_map_ent *sigma_map_get(const struct sigma_map *, const void *key,
	    size_t klen);
/* The entry for key, added with val NULL if new; NULL when out of
   memory. */
struct sigma_map_ent *sigma_map_put(struct sigma_map *, const void *key,
	    size_t klen);
/* Remove key; the value is the caller's to free before. */
void	sigma_map_del(struct sigma_map *, const void *key, size_t klen);
/* Walk the entries: the entry in the first used slot at or after *i,
   *i set to that slot; NULL past the last.  Step with ++*i:
	for (i = 0; (e = sigma_map_next(m, &i)) != NULL; i++) */
struct sigma_map_ent *sigma_map_next(const struct sigma_map *, size_t *i);
/* Remove the entry in slot i (from sigma_map_next) while walking: a later
   entry may move into slot i, so the walk looks at slot i again (do not
   step).  An entry may be seen twice, none is missed. */
void	sigma_map_del_at(struct sigma_map *, size_t i);
/* Free the map and keys (not values); the map is empty afterwards. */
void	sigma_map_release(struct sigma_map *);

/* A field mapping for the rules whose logsource has every (key, value)
   of match (none: every rule): lower-case Sigma name -> "path|path..."
   ("{}" in a path stands for the name), "*" for any name. */
struct sigma_fmap {
	char		**mkeys;
	char		**mvals;
	size_t		  nm;
	struct sigma_map  fields;
};

/* A node of the walk's trie: the plain field whose path ends here (-1:
   none), and whether longer paths go on from it. */
struct sigma_wnode {
	int		 field;
	int		 kids;
};

/* A list of rule indexes. */
struct sigma_ids {
	size_t		*v;
	size_t		 n, cap;
};

struct sigma_ac;

struct ruleset {
	struct rule	**rules;
	size_t		  nrules;
	struct sigma_field *fields;
	size_t		  nfields;
	struct sigma_map  fieldidx;	/* path -> index + 1 */
	struct sigma_map  byname;	/* id and name -> index + 1 */
	struct sigma_map  fieldmap;	/* lower-case Sigma name -> path */
	struct sigma_lsmap *lsmap;	/* logsource mappings */
	size_t		  nlsmap;
	struct sigma_fmap *fmaps;	/* logsource-aware field mappings */
	size_t		  nfmaps;

	/* the index (sigma_eval.c) */
	struct sigma_map  eqidx;	/* field(4 bytes) + lower value ->
					   struct sigma_ids */
	int		 *eqfields;
	unsigned char	 *eqshort;	/* per field: 1 it has short endswith
					   anchors, 2 short startswith ones */
	size_t		  neqfields;
	struct sigma_ac	**ac;		/* per group of fields, substring
					   anchors and literals */
	struct sigma_ac	**acx;		/* ... its literals with bytes past
					   ASCII, run only over text that has
					   such bytes (either may be NULL) */
	int		 *acfields;	/* per group: its first path */
	size_t		  nacfields;	/* groups */
	int		 *acmem;	/* the groups' fields (slots): group g
					   has acmem[acmemoff[g] ..
					   acmemoff[g + 1]) */
	size_t		 *acmemoff;
	size_t		  nacslots;
	uint32_t	  nlits;	/* literals the automata report */
	uint32_t	 *litlen;	/* ... their lengths */
	size_t		 *always;	/* rules without an anchor */
	unsigned char	 *full;		/* per rule: the mask of its clauses */
	size_t		  nalways;
	size_t		  nanchored;

	/* logsource gates (sigma_eval.c): the conditions a logsource adds
	   to a rule, shared by every rule with the same ones and decided
	   once an event */
	int		 *rgate;	/* per rule: its gate, -1 none */
	struct sigma_node **rcore;	/* per rule: its detection without
					   the gate (NULL: cond) */
	size_t		**gates;	/* per gate: its conditions (ANDed),
					   indexes into gconds */
	size_t		 *ngatekids;
	size_t		  ngates;
	struct sigma_node **gconds;	/* the distinct conditions of every
					   gate, each decided once an event
					   (a product's is in many gates);
					   borrowed from the first rule */
	size_t		  ngconds;

	/* the event walk (sigma_eval.c): which fields an event has is
	   learnt from its keys, not by looking each field up */
	struct sigma_map  wtrie;	/* (node, path component) -> node + 1:
					   the plain fields' paths as a trie,
					   node 0 the event */
	struct sigma_wnode *wnodes;
	size_t		  nwnodes;
	size_t		  wmaxcomp;	/* the longest path component */
	unsigned char	 *walkable;	/* per field: plain (the walk sees it),
					   or an a|b|c of plain ones */
	size_t		 *useoff;	/* per plain field f: its index uses
					   (eq: u < neqfields, else automaton
					   u - neqfields) are uses[useoff[f] ..
					   useoff[f + 1]) */
	uint32_t	 *uses;
	uint32_t	 *alwaysuse;	/* uses of fields the walk cannot see */
	size_t		  nalwaysuse;
};

/* A logsource mapping: when a rule's logsource has every (key, value)
   of mkeys/mvals, the conditions in cnode (a selection, or named
   selections and a condition) are ANDed to its detection. */
struct sigma_lsmap {
	char		**mkeys;
	char		**mvals;
	size_t		  nm;
	void		 *cdoc;		/* its conditions: a selection, or */
	void		 *cnode;	/* selections and a condition, in a
					   YAML document, while loading */
};

/* Build the index over the loaded rules.  Returns 0 or -1 (memory). */
int	sigma_index_build(struct ruleset *);
void	sigma_index_free(struct ruleset *);
/* Free a compiled node list / pattern. */
void	sigma_pat_release(struct sigma_pat *);
/* Intern a ward field path; its index or -1 (memory). */
int	sigma_field_intern(struct ruleset *, const char *path);
/* The json value of field f in ev (NULL when missing); computed fields
   are written into *tmp, which the caller decrefs. */
json_t	*sigma_field_get(const struct ruleset *, json_t *ev, int f,
	    json_t **tmp);
#endif

#endif
