/*
 * incident — incidents, their timelines, tasks, observables and links, the
 * op log and the audit log, in DATA/state.db.
 *
 * Every change is an op (see catalogue.h): incident_apply
 * validates it, authorises it by role, checks the version it was made
 * against, and in one transaction applies the effect, appends to the
 * timeline, appends to the op log (which gives it its sequence number) and
 * to the audit log.  A refused op changes nothing and is audited after the
 * rollback.  The op log's seq is contiguous: a failed op takes no number.
 *
 * All functions take the hub's state.db handle (WAL mode, opened by the
 * caller) and are not thread-safe on one handle; the hub calls them from
 * its writer thread.  JSON shapes are documented in ward-protocol.7.
 */
#ifndef WARD_INCIDENT_H
#define WARD_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "wire.h"

/*
 * The hub's handlers, one per entry of the catalogue (catalogue.h): 0 when
 * every op and every query not answered by the session layer
 * (CAT_SESSION) has one and those have none, else -1 with err naming the
 * first that does not.
 */
int	incident_check_handlers(char *err, size_t errlen);

/*
 * Apply the op request req (an object {"op":NAME, ...}, as decoded from a
 * "type":"op" frame; "type" and "id" are ignored) on behalf of user, who
 * holds role.  Returns WIRE_OK and sets *result to the op push message
 * ({"type":"op","seq":N,"op",...,"state":{...}}, the caller owns it and
 * broadcasts it); or an error code with a one-line reason in err, and
 * *result set to the current incident for WIRE_ESTALE (the caller owns
 * it; it goes into the error's "current") and NULL otherwise.  req is not
 * modified or kept.
 *
 * Group commit: when the caller has a transaction open on db, the op runs
 * in a savepoint inside it (a refused op rolls back to it) and is durable
 * only when the caller commits; broadcast the ops only after that commit,
 * and none of them if it fails.  Otherwise the op is its own transaction.
 */
enum wire_err	incident_apply(sqlite3 *db, const char *user, enum role role,
		    const json_t *req, json_t **result, char *err,
		    size_t errlen);

/*
 * Answer the query request req ({"query":NAME, ...}) for user, by the
 * query's handler: incident.list (an array), incident.show (an object),
 * audit.list (an array; viewers and handlers see only their own entries),
 * whoami ({"user","role","last_seq"}), alert.list, alert.show,
 * rules.status, user.list (admins).  The CAT_SESSION queries (presence,
 * search) are the session layer's and get WIRE_EINVALID.
 * Returns WIRE_OK and sets *result (the caller owns it), or an error code
 * with err and *result NULL.
 */
enum wire_err	incident_query(sqlite3 *db, const char *user, enum role role,
		    const json_t *req, json_t **result, char *err,
		    size_t errlen);

/*
 * The incident INC-id as one object: its fields plus "timeline", "tasks",
 * "observables" arrays and "links" {"alerts":[..],"events":[..]} — what
 * `ward incident show ID --json` prints.  Returns WIRE_OK with *out (the
 * caller owns it), WIRE_ENOTFOUND or WIRE_EINTERNAL with err.
 */
enum wire_err	incident_show(sqlite3 *db, int64_t id, json_t **out,
		    char *err, size_t errlen);

/*
 * Incidents, newest first: status is "open", "contained", "closed",
 * "active" (not closed) or "all" (NULL: all); limit 1..1000 (0: 200).
 * Each entry: id, title, severity, status, phase, lead, tags, updated
 * (last change), version, open_tasks (tasks not done), last_seq.
 * Returns WIRE_OK with *out (an array the caller owns) or WIRE_EINTERNAL.
 */
enum wire_err	incident_list(sqlite3 *db, const char *status, int limit,
		    json_t **out, char *err, size_t errlen);

/*
 * Replay the op log after seq: call cb with each op push message (as
 * incident_apply returned it; borrowed, valid during the call) in seq
 * order; only incident INC-inc's ops when inc > 0.  cb returns 0 to go on,
 * anything else to stop (returned).  Returns 0, cb's value, or -1 with err.
 */
int		incident_ops_since(sqlite3 *db, int64_t seq, int64_t inc,
		    int (*cb)(json_t *op, void *arg), void *arg, char *err,
		    size_t errlen);

/* The last seq given out (0 when none), or -1 on error. */
int64_t		incident_last_seq(sqlite3 *db);

/*
 * The audit log: every op applied or refused, and whatever else the hub
 * records (refused handshakes: kind "auth").  kind is "op", "auth",
 * "query" or "subscribe"; name the op or query (may be NULL); inc the
 * incident number or 0; code WIRE_OK or the refusal; message may be NULL;
 * request (may be NULL) is stored as text, cut to 8 KiB; seq the op's seq
 * or -1.  Returns 0 or -1 with err.
 */
int		audit_add(sqlite3 *db, const char *user, enum role role,
		    const char *kind, const char *name, int64_t inc,
		    enum wire_err code, const char *message,
		    const json_t *request, int64_t seq, char *err,
		    size_t errlen);

/* Filters for audit_list; zero/NULL fields do not filter. */
struct audit_filter {
	const char	*user;
	int64_t		 incident;
	const char	*name;		/* op or query name */
	const char	*since;		/* ISO 8601 UTC, inclusive */
	int		 refused;	/* only refusals */
	int		 limit;		/* 1..1000; 0: 100 */
};

/*
 * Call cb with each matching audit entry, newest first: {"id","time",
 * "user","role","kind","name","incident","result" ("ok" or an error code),
 * "message","seq","request"}.  The entry is borrowed, valid during the
 * call.  cb returns 0 to go on, anything else to stop (returned).
 * Returns 0, cb's value, or -1 with err.
 */
int		audit_list(sqlite3 *db, const struct audit_filter *f,
		    int (*cb)(json_t *entry, void *arg), void *arg, char *err,
		    size_t errlen);

#endif
