/*
 * model — what this console knows: the live events (a capped ring, the
 * rows the current query selects, and its count table), the alerts, the
 * incident list, the open incident with its timeline, tasks and
 * observables, who is connected and looking at what, and the connection.
 *
 * Pure data: no curses and no network.  The main loop feeds it the hub's
 * messages (as decoded JSON; events as their JSON text, parsed only when
 * needed) and it says what changed (MC_* flags), so it
 * is unit-tested by feeding it messages (test_model.c).  Everything drawn
 * from it comes from other people's input: the views escape it
 * (layout_escape) before drawing.
 */
#ifndef WARD_MODEL_H
#define WARD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wire.h"

struct query;

#define MODEL_EVENTS_MAX	100000		/* scroll-back, in events */
#define MODEL_EVENT_BYTES	(16u << 20)	/* ... and in bytes held (the
						   JSON, deflated by block) */
#define MODEL_BLOCK_BYTES	(64u << 10)	/* JSON text deflated together */
#define MODEL_BLOCK_CACHE	4		/* blocks kept inflated */
#define MODEL_ALERTS_MAX	5000
#define MODEL_AGG_MAX		4096		/* rows of a count table */
#define MODEL_LINE_CACHE	512		/* event rows kept formatted */
#define MODEL_LINE_MAX		512		/* bytes of one formatted row */
#define MODEL_SEV_UNKNOWN	8
#define MODEL_BACKLOG		1000		/* stored events a console
						   opens on (less +F) */

/* What changed, returned by the functions that feed the model. */
#define MC_EVENTS	0x01
#define MC_ALERTS	0x02
#define MC_INCIDENTS	0x04
#define MC_INCIDENT	0x08
#define MC_PRESENCE	0x10
#define MC_CONN		0x20
#define MC_AGG		0x40

/* One held event: its store id, severity rank, and where its JSON text
   is (model_event_text). */
struct model_event {
	int64_t		 id;
	uint32_t	 blk;		/* its block's number, low 32 bits */
	uint32_t	 off, len;	/* its text in the block's */
	unsigned char	 sev;		/* 0 EMERGENCY .. 7 DEBUG, 8 none */
};

/* A block of events' JSON text, one after the other: the newest (open)
   one as it is, the others deflated once full. */
struct model_block {
	unsigned char	*data;		/* deflated, or raw when !packed */
	uint32_t	 size;		/* bytes of data */
	uint32_t	 rawlen;	/* bytes of text */
	uint32_t	 live;		/* its events still held */
	int		 packed, sealed;
};

/* One row of a count table. */
struct model_agg_row {
	char		*key;
	uint64_t	 count;
	int64_t		 bucket;	/* histogram: the bucket's start, µs */
};

struct model {
	/* Events: a ring of the last MODEL_EVENTS_MAX events (logical
	   numbers ev_first .. ev_first + ev_n - 1), and the ring of the
	   logical numbers of those the query selects (the rows).  Their
	   text is in blocks (logical numbers blk_first ..), a ring that
	   grows; ev_bytes counts the bytes the blocks hold. */
	struct model_event *ev;
	uint64_t	 ev_first;
	size_t		 ev_n;
	size_t		 ev_bytes;
	struct model_block *blk;
	size_t		 blk_head, blk_n, blk_cap;
	uint64_t	 blk_first;
	char		*open;		/* the open block's text */
	size_t		 open_cap;
	struct {			/* blocks inflated lately */
		uint64_t	 b;
		uint64_t	 used;
		int		 valid;
		char		*data;
		size_t		 cap;
	}		 cache[MODEL_BLOCK_CACHE];
	uint64_t	 cache_clock;
	void		*zdef, *zinf;	/* z_streams, made when first needed */
	uint64_t	 ev_total;	/* events ever received */
	uint64_t	*rows;
	size_t		 rows_head, rows_n;
	uint64_t	 rows_dropped;	/* rows lost off the front, ever */
	struct query	*q;		/* the applied query (NULL: all) */
	char		*qtext;
	/* The count table of the query's pipeline (count, count by, top,
	   histogram), over the rows held when the query was applied and
	   every matching event since. */
	int		 agg;		/* enum query_agg */
	struct model_agg_row *aggr;	/* open addressing, MODEL_AGG_MAX*2 */
	size_t		 agg_n;
	uint64_t	 agg_other;	/* events past MODEL_AGG_MAX keys */
	/* Formatted rows, by logical number, formatted when first shown. */
	struct { uint64_t n; int valid; char line[MODEL_LINE_MAX]; }
			*lines;

	/* Alerts, in the order they first came; updates replace in place. */
	json_t		**alerts;
	size_t		 alerts_n;
	size_t		 alerts_unseen;	/* new since the Alerts view was seen */

	json_t		*incidents;	/* array of incident.list entries */
	json_t		*inc;		/* the open incident (incident.show) */
	char		 inc_ref[32];	/* its "INC-n", "" when none */
	json_t		*presence;	/* array of {user, role, viewing} */

	/* The connection. */
	int		 conn;		/* enum client_state; 0 before */
	char		 conn_why[256];
	char		 user[WIRE_MAX_NAME + 1];
	enum role	 role;
	char		 hub[128];
	int64_t		 last_seq;
};

/* Empty model.  model_release frees everything it holds. */
int	model_init(struct model *m);
void	model_release(struct model *m);

/*
 * Add the event with store id id whose JSON object is json[0..len) (as an
 * "events" push carries it: checked by wire_decode; copied) to the ring,
 * dropping the oldest past the caps; an id held already is left out.  Nothing is parsed unless a query is
 * applied.  Returns MC_EVENTS when it became a row (it matches the query),
 * with MC_AGG when the count table changed, else 0.
 */
unsigned model_event_add(struct model *m, int64_t id, const char *json,
	    size_t len);
/* Apply a query: q (taken; NULL: every event) and its text (copied).
   Re-selects the rows from the ring and rebuilds the count table.
   Returns 0, or -1 when out of memory (the old query stays). */
int	model_events_query(struct model *m, struct query *q, const char *text);
/*
 * Merge stored events into the ring: rows (borrowed) is a search's rows,
 * event objects with their store "id" (other rows are skipped).  Those
 * not held already go in by id, which is arrival order, as if they had
 * come live: after the newest held when they are newer, else the ring is
 * made again in id order (rows of the query renumbered, as by
 * model_events_query).  Returns what changed (MC_EVENTS, MC_AGG; 0 when
 * nothing was new), or -1 when out of memory (the ring as it was, or
 * holding part of the rows).
 */
int	model_events_merge(struct model *m, const json_t *rows);
/* Forget every event (the query stays). */
void	model_events_clear(struct model *m);
/* Row i (0: oldest) of the events the query selects, or NULL. */
const struct model_event *model_row(const struct model *m, size_t i);
/* The JSON text of e (a row's event), *len bytes, not NUL-terminated;
   valid until the next model call.  NULL when out of memory. */
const char *model_event_text(struct model *m, const struct model_event *e,
	    size_t *len);
/* e's JSON as a new value (the caller owns it), or NULL. */
json_t	*model_event_json(struct model *m, const struct model_event *e);
/* The row's one-line summary, escaped: "HH:MM:SS SEVERITY host proc:
   summary".  Kept in a small cache; valid until the next model call. */
const char *model_row_line(struct model *m, size_t i);
/* The count table sorted for showing (by count, or by time for a
   histogram): fills out with up to max pointers, returns how many. */
size_t	model_agg_sorted(const struct model *m,
	    const struct model_agg_row **out, size_t max);

/* Severity names and ranks: "WARNING" -> 4, 8 when unknown. */
int	model_sev_rank(const char *name);
const char *model_sev_name(int rank);

/* Add or update (same "id") the alert a (borrowed).  Returns MC_ALERTS. */
unsigned model_alert_add(struct model *m, const json_t *a);
/* The text alert a is listed with, raw (escape it to draw it): "RULE:
   SUMMARY", or the summary alone when it starts with the rule's title
   (case aside), or the rule alone without a summary.  Into out. */
void	model_alert_text(const json_t *a, char *out, size_t outlen);
/* The alert with id, or NULL. */
json_t	*model_alert_find(const struct model *m, int64_t id);

/* Replace the incident list with list (taken). */
unsigned model_incidents_set(struct model *m, json_t *list);
/* Open the incident inc (incident.show's object, taken); NULL closes. */
unsigned model_incident_set(struct model *m, json_t *inc);
/* Apply an op push (or an op reply's "result"), borrowed: updates the
   incident list and, when it is the open incident, the incident.
   Returns what changed. */
unsigned model_apply_op(struct model *m, const json_t *op);
/* The sightings of observable ob (as incident.show gives it): how many
   events of the alerts it came from showed it, in all (0: none), and the
   first and last time (borrowed from ob; NULL when unknown). */
long long model_sightings(const json_t *ob, const char **first,
	    const char **last);
/* Replace who is connected (users array, borrowed). */
unsigned model_presence_set(struct model *m, const json_t *users);
/* The other users viewing incident ref, as "bob (lead), carol
   (handler)" into out; returns how many. */
int	model_viewers(const struct model *m, const char *ref, const char *self,
	    char *out, size_t outlen);

/* A field of an object by dotted path ("details.src.ip"), or NULL. */
const json_t *model_path(const json_t *o, const char *path);
/* A JSON value as short text: strings as they are, null as "-", numbers
   and booleans in JSON, arrays and objects compact.  Into out. */
void	model_value_text(const json_t *v, char *out, size_t outlen);

#endif
