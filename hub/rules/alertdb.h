/*
 * alertdb — what the rules raised, kept in DATA/state.db: one row per alert
 * with its rule, severity, summary, group key, events (ids, capped, and a
 * few sample events), count, first and last seen, lifecycle status with
 * who and when, the incident it was promoted to, and a timeline (status
 * changes, response actions and their results).
 *
 * Deduplication: while an alert for the same rule and group key is open
 * (not closed), a new match updates it (count, last seen, ids) instead of
 * adding a new one; a unique partial index enforces it.
 *
 * Every change gives the alert the next "rev" (a counter over all
 * alerts, assigned inside the writing transaction, so revs appear in
 * commit order) and names the change ("created", "updated",
 * "acknowledged", "escalated", "closed", "promoted"); the alerter
 * broadcasts the alerts changed since the last rev it sent, whoever
 * changed them.
 *
 * Functions take a state.db handle, are not thread-safe on one handle and
 * do not open transactions unless said; JSON shapes are in ward-rules(5).
 */
#ifndef WARD_ALERTS_H
#define WARD_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "wire.h"

#define ALERTS_MAX_IDS		1000	/* event ids kept per alert */
#define ALERTS_KEEP_FIRST	10	/* ... of which the first ones */
#define ALERTS_MAX_SAMPLES	5	/* sample events kept per alert */

/* One rule match to record; everything borrowed for the call. */
struct alert_hit {
	const char	*rule;		/* the rule's title */
	const char	*rule_id;
	const char	*level;		/* Sigma level, informational..critical */
	const char	*summary;
	const char	*group;		/* group key, "" when none */
	const char *const *tags;
	size_t		 ntags;
	const int64_t	*ids;		/* event ids, in arrival order */
	size_t		 nids;
	int64_t		 first_us, last_us;	/* event times */
	json_t		*event;		/* the triggering event, or NULL */
	const char	*event_text;	/* ... or it as jsonfast_dump writes
					   it (taken before event) */
	json_t		*custom;	/* the rule's custom attributes (an
					   object), or NULL */
	size_t		 nmatches;	/* matches folded into this hit (0
					   counts as 1) */
	size_t		 ndropped;	/* new event ids left out of ids */
};

/* ward's severity (low medium high critical) for a Sigma level; "medium"
   for anything unknown.  A static string. */
const char	*alertdb_severity(const char *level);

/* The statements alertdb_upsert() keeps prepared between calls on one
   connection (preparing them was a tenth of the alerter's time): zeroed
   before the first call, released before the connection closes. */
struct alertdb_held {
	sqlite3_stmt	*rev, *find, *update, *insert;
	sqlite3_stmt	*changed, *brief;	/* alertdb_changed_since's,
						   alertdb_brief's */
	sqlite3_stmt	*changes;		/* alertdb_changes' */
};

/* Finalize what h holds; h is zeroed. */
void	alertdb_held_release(struct alertdb_held *h);

/*
 * Record hit: update the open alert of its rule and group key, or add a
 * new one.  Call inside a transaction (the alerter's batch).  held: the
 * connection's kept statements, or NULL to prepare them for this call.
 * Sets *id.  Returns 1 when a new alert was added, 0 when an open one was
 * updated, -1 on error with err.
 */
int	alertdb_upsert(sqlite3 *db, struct alertdb_held *held,
	    const struct alert_hit *hit, int64_t *id,
	    char *err, size_t errlen);

/*
 * The alert as an object (the caller owns it): with full, also its
 * "samples" and "timeline".  WIRE_OK, WIRE_ENOTFOUND or WIRE_EINTERNAL
 * with err.
 */
enum wire_err	alertdb_get(sqlite3 *db, int64_t id, int full, json_t **out,
		    char *err, size_t errlen);

/*
 * Alerts, newest first, without their event ids: status one of new,
 * acknowledged, escalated, closed, "open" (not closed) or "all" (NULL:
 * all); rule (may be NULL) a rule id or title; limit 1..1000 (0: 200).  *out is an array the caller
 * owns.  WIRE_OK or WIRE_EINTERNAL with err.
 */
enum wire_err	alertdb_list(sqlite3 *db, const char *status, const char *rule,
		    int limit, json_t **out, char *err, size_t errlen);

/*
 * Move alert id through its lifecycle on behalf of user: verb "ack"
 * (new or escalated -> acknowledged), "escalate" (new or acknowledged ->
 * escalated), "close" (any open -> closed); text (may be NULL) goes on
 * the timeline.  Its own transaction unless one is open.  Sets *out to
 * the alert after the change (the caller owns it).  WIRE_OK,
 * WIRE_ENOTFOUND, WIRE_ECONFLICT (already so, or closed), WIRE_EINVALID
 * (unknown verb), WIRE_EBUSY or WIRE_EINTERNAL, with err.
 */
enum wire_err	alertdb_set_status(sqlite3 *db, int64_t id, const char *verb,
		    const char *user, const char *text, json_t **out,
		    char *err, size_t errlen);

/*
 * Attach alert id to incident inc (the caller's transaction, which also
 * links it on the incident's side): sets its incident, acknowledges it
 * when new, notes it on its timeline.  An alert attached elsewhere keeps
 * its first incident.  WIRE_OK, WIRE_ENOTFOUND, WIRE_ECONFLICT (already
 * promoted: err names the incident) or WIRE_EINTERNAL.
 */
enum wire_err	alertdb_attach(sqlite3 *db, int64_t id, int64_t inc,
		    const char *user, char *err, size_t errlen);

/* Add an entry to alert id's timeline (kind: "action", "note", ...;
   data may be NULL, borrowed).  Returns 0 or -1 with err. */
int	alertdb_timeline_add(sqlite3 *db, int64_t id, const char *author,
	    const char *kind, const char *text, const json_t *data, char *err,
	    size_t errlen);

/* The highest rev given out (0 when none), or -1 on error. */
int64_t	alertdb_last_rev(sqlite3 *db);

/*
 * Call cb with each alert changed after rev, in rev order, as
 * alertdb_list shows it (without "events", the ids, which only
 * alertdb_get gives) with "rev" and "change"; borrowed during the
 * call.  held: kept statements, or NULL.  cb returns 0 to go on.  At most max alerts.  Returns the last
 * rev seen (rev when none), or -1 on error with err.
 */
int64_t	alertdb_changed_since(sqlite3 *db, struct alertdb_held *held,
	    int64_t rev, size_t max, int (*cb)(json_t *alert, void *arg),
	    void *arg, char *err, size_t errlen);

/*
 * The same walk, lighter: cb gets each changed alert's id and change
 * (borrowed during the call) and fetches with alertdb_brief the ones it
 * wants; building every alert's object when most updates of a busy one
 * are only noted for a later push took a tenth of the alerter's time.
 * Call it inside a read transaction for one snapshot.  Returns as
 * alertdb_changed_since does.
 */
int64_t	alertdb_changes(sqlite3 *db, struct alertdb_held *held, int64_t rev,
	    size_t max, int (*cb)(int64_t id, const char *change, void *arg),
	    void *arg, char *err, size_t errlen);

/*
 * Alert id as alertdb_changed_since shows it (without "events"), into *out
 * (the caller owns it); held: kept statements, or NULL.  WIRE_OK,
 * WIRE_ENOTFOUND or WIRE_EINTERNAL with err.
 */
enum wire_err	alertdb_brief(sqlite3 *db, struct alertdb_held *held,
		    int64_t id, json_t **out, char *err, size_t errlen);

/*
 * Rule reloads asked for over the wire (rules.reload) and the alerter's
 * report, in one row.  alertdb_reload_request records a request by user
 * and returns its generation (or -1 with err); the alerter polls
 * alertdb_reload_wanted (the newest generation asked for, 0 when none, -1
 * on error) and, after each load (at start, on SIGHUP or on request),
 * records what it loaded with alertdb_rules_report (gen: the request it
 * answers, or 0; errors: an array of "file:line: reason" strings,
 * borrowed; logsources: {"product/category/service": rules}, borrowed,
 * may be NULL).  alertdb_rules_status answers the rules.status query:
 * {"requested","requested_by","requested_at","applied","loaded_at",
 * "rules","errors","logsources"}.
 */
int64_t	alertdb_reload_request(sqlite3 *db, const char *user, char *err,
	    size_t errlen);
int64_t	alertdb_reload_wanted(sqlite3 *db);
int	alertdb_rules_report(sqlite3 *db, int64_t gen, size_t nrules,
	    const json_t *errors, const json_t *logsources, char *err,
	    size_t errlen);
enum wire_err	alertdb_rules_status(sqlite3 *db, json_t **out, char *err,
		    size_t errlen);

#endif
