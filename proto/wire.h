/*
 * wire — the ward.v3 messages: build, decode and validate every message
 * that crosses the /ws WebSocket between wardd and ward.
 *
 * One JSON object per text frame: {"type":"...", ...}.  Requests from the
 * console carry a client-chosen "id"; the hub's reply ("ok" or "error")
 * echoes it.  Pushes from the hub carry no id; op pushes carry "seq".
 * The message types are below (enum wire_type); the ops and queries a
 * "type":"op" or "type":"query" request names, with their fields, checks
 * and rights, are the catalogue (catalogue.h), one entry each.
 * man/ward-protocol.7 is the reference; keep it in step with both files.
 * The code: wire_check.c (decode and check, against the catalogue),
 * wire_build.c (the builders), wire_events.c (event batches as raw text).
 *
 * If you change a message here incompatibly (rename or remove a message or
 * a field, change a field's type, narrow a limit, change the meaning of a
 * value), bump WARD_PROTOCOL in version.h and say so in ward-protocol.7.
 * Every decoder refuses unknown fields, so adding a field is incompatible
 * too.  Old consoles are refused at the WebSocket upgrade, never guessed at.
 * A new op or query (with fields of its own) is not a bump: a hub without
 * it refuses it as invalid, naming it, which the console shows.
 */
#ifndef WARD_WIRE_H
#define WARD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct buf;
struct catalogue_entry;

/* Limits.  Every string on the wire is capped; lengths are in bytes. */
#define WIRE_MAX_FRAME		(1024 * 1024)	/* one message, as text */
#define WIRE_MAX_NAME		64	/* user names: [A-Za-z0-9._-], alnum first */
#define WIRE_MAX_TITLE		200	/* titles: one line */
#define WIRE_MAX_TEXT		16384	/* descriptions, notes: lines allowed */
#define WIRE_MAX_TAG		64
#define WIRE_MAX_TAGS		32
#define WIRE_MAX_QUERY		4096
#define WIRE_MAX_MESSAGE	1024	/* error messages, resync reasons */
#define WIRE_MAX_VALUE		2048	/* observable values */
#define WIRE_MAX_LINKS		100	/* ids per incident.link */
#define WIRE_MAX_ID		9007199254740991LL	/* 2^53 - 1 */
#define WIRE_KEY_BYTES		32	/* Ed25519 public key */
#define WIRE_NONCE_BYTES	32
#define WIRE_SIG_BYTES		64
#define WIRE_MAX_BATCH		10000	/* events in one "events" push */
#define WIRE_MAX_DEPTH		2048	/* JSON nesting, as jansson's parser */

/* Roles, shared by hub and console.  People hold viewer..admin (ordered:
   each has every right of the ones before it); tokens hold shipper or
   reader and are never people. */
enum role {
	ROLE_NONE = 0,
	ROLE_VIEWER,
	ROLE_HANDLER,
	ROLE_LEAD,
	ROLE_ADMIN,
	ROLE_SHIPPER,
	ROLE_READER,
};

/* "viewer" .. "reader" to its role; ROLE_NONE for anything else or NULL. */
enum role	 role_parse(const char *);
/* The role's name (a static string); "none" for ROLE_NONE or junk. */
const char	*role_name(enum role);
/* 1 when r is one of the roles a person may hold (viewer..admin). */
int		 role_is_person(enum role r);

/* Who may do an op.  WIRE_MAY_OWN: only on something the user owns (a task
   assigned to or created by them); the hub checks the owner. */
enum wire_may { WIRE_MAY_NO = 0, WIRE_MAY_YES, WIRE_MAY_OWN };
/* The right of role r to request op (an op name such as "task.status"),
   from the op's catalogue entry.  Unknown ops, queries and non-person
   roles get WIRE_MAY_NO.  The console uses this to hide what the hub
   would refuse; the hub enforces it. */
enum wire_may	 role_may(enum role r, const char *op);

/* Error codes of "error" replies. */
enum wire_err {
	WIRE_OK = 0,
	WIRE_EINVALID,		/* malformed or semantically invalid request */
	WIRE_EFORBIDDEN,	/* the role does not allow it */
	WIRE_ESTALE,		/* version mismatch; "current" has the value */
	WIRE_ENOTFOUND,		/* no such incident, task, user */
	WIRE_EUNAUTH,		/* handshake failed or not yet done */
	WIRE_EBUSY,		/* slow down (rate limit, queue full) */
	WIRE_EINTERNAL,		/* the hub failed; the request had no effect */
	WIRE_ECONFLICT,		/* already so (closing a closed incident...) */
};
/* "invalid", "forbidden", ... for an error code; "internal" for junk. */
const char	*wire_err_name(enum wire_err);
/* The code for a name; -1 when unknown. */
int		 wire_err_parse(const char *);

/* Message types.  WIRE_OP is a request from the console and WIRE_OP_PUSH
   the same "type":"op" from the hub (with "seq", without "id"). */
enum wire_type {
	WIRE_NONE = 0,
	/* handshake */
	WIRE_HELLO,		/* hub -> console */
	WIRE_AUTH,		/* console -> hub */
	WIRE_WELCOME,		/* hub -> console */
	/* requests, console -> hub */
	WIRE_SUBSCRIBE,
	WIRE_UNSUBSCRIBE,
	WIRE_OP,
	WIRE_QUERY,
	/* replies, hub -> console */
	WIRE_REPLY_OK,
	WIRE_REPLY_ERROR,
	/* pushes, hub -> console */
	WIRE_OP_PUSH,
	WIRE_EVENTS,		/* a batch of events; see struct wire_event */
	WIRE_ALERT,
	WIRE_PRESENCE,
	WIRE_RESYNC,
};

/* Which side sent a frame: decoders accept only that side's messages. */
enum wire_from { WIRE_FROM_CONSOLE = 1, WIRE_FROM_HUB };

/* Enumerations, NULL-terminated, in the order of the schema. */
extern const char *const wire_statuses[];	/* open contained closed */
extern const char *const wire_resolutions[];	/* true_positive ... other */
extern const char *const wire_phases[];		/* identification ... */
extern const char *const wire_severities[];	/* low medium high critical */
extern const char *const wire_task_statuses[];	/* todo doing done blocked */
extern const char *const wire_observable_kinds[]; /* ip domain hash ... */
extern const char *const wire_alert_statuses[]; /* new acknowledged ... */

/* Index of s in the NULL-terminated table t, or -1. */
int		 wire_enum(const char *const *t, const char *s);

/* One event of an "events" push: its store id and the text of its JSON
   object (not NUL-terminated), validated, "id" among its members. */
struct wire_event {
	int64_t		 id;
	const char	*json;
	size_t		 len;
};

/*
 * A decoded, validated message.  root is the whole object (owned by the
 * message; wire_msg_release frees it).  The other pointers point into root
 * and live as long as it does.
 *
 * An "events" push is the exception, read without building a JSON value
 * per event: root holds its "type" and "sub" only, and events[0..nevents)
 * point into text, the frame's bytes, which the message owns.
 */
struct wire_msg {
	enum wire_type	 type;
	int64_t		 id;	/* request id; -1 when the message has none */
	int64_t		 seq;	/* op pushes, welcome: last seq; -1 otherwise */
	const char	*name;	/* op: the op; query: the query; subscribe,
				   unsubscribe: the topic; NULL otherwise */
	const struct catalogue_entry *entry;	/* op, query, op push: its
				   catalogue entry; NULL otherwise */
	json_t		*root;
	struct wire_event *events;	/* WIRE_EVENTS only */
	size_t		 nevents;
	char		*text;
};

/*
 * Parse one frame of len bytes sent by side from, and validate it
 * completely: JSON syntax (no duplicate keys), an object, a known type for
 * that side, required fields present, no unknown fields, every value of
 * the right type, within its length cap and enumeration.  Returns 0 and
 * fills *m (release it with wire_msg_release), or -1 with a one-line
 * reason in err and *m empty.  When the frame was an object with a usable
 * "id", *m->id is set even on failure so the error reply can echo it.
 */
int		 wire_decode(const char *frame, size_t len, enum wire_from from,
		    struct wire_msg *m, char *err, size_t errlen);
/* Free m->root; m is empty afterwards.  Accepts an empty message. */
void		 wire_msg_release(struct wire_msg *m);

/*
 * Validate the fields of an op request object (as wire_decode does for
 * type "op").  incident_apply calls this itself, so a request built in the
 * hub is held to the same rules.  Returns 0 or -1 with err.
 */
int		 wire_check_op(const json_t *req, char *err, size_t errlen);
/* The same for a query request object. */
int		 wire_check_query(const json_t *req, char *err, size_t errlen);

/* "INC-42" -> 42.  Returns 0 or -1 (not an incident id). */
int		 wire_incident_id(const char *s, int64_t *n);
/* A task reference, "T-7" or the integer 7 -> 7.  Returns 0 or -1. */
int		 wire_task_id(const json_t *v, int64_t *n);
/* Write "INC-n" / "T-n" into out (at least 24 bytes). */
void		 wire_incident_ref(int64_t n, char *out, size_t outlen);
void		 wire_task_ref(int64_t n, char *out, size_t outlen);
/* 1 when s is a valid user name (1..WIRE_MAX_NAME of [A-Za-z0-9._-],
   starting with a letter or digit). */
int		 wire_valid_name(const char *s);
/* 1 when s is an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SS[.fff]Z". */
int		 wire_valid_time(const char *s);
/* Validate an observable value for its kind (ip, domain, ...).  Returns 0
   or -1 with err. */
int		 wire_check_observable(const char *kind, const char *value,
		    char *err, size_t errlen);

/*
 * Builders.  Each returns a new object (the caller owns the reference) or
 * NULL when out of memory or an argument is invalid.  Builders never take
 * ownership of their arguments, except where a parameter is named
 * "steal_*": that reference passes to the new message, even on failure.
 * Binary arguments are encoded as base64 (standard alphabet, padded).
 */
json_t		*wire_hello(const unsigned char hub_key[WIRE_KEY_BYTES],
		    const unsigned char nonce[WIRE_NONCE_BYTES]);
json_t		*wire_auth(const char *user,
		    const unsigned char console_nonce[WIRE_NONCE_BYTES],
		    const unsigned char sig[WIRE_SIG_BYTES]);
json_t		*wire_welcome(const char *user, enum role role,
		    const unsigned char sig[WIRE_SIG_BYTES], int64_t last_seq);
/* topic: "incidents", "incident:INC-n", "alerts", "events", "presence";
   query only for "events" (NULL: every event); since_seq < 0: none. */
json_t		*wire_subscribe(int64_t id, const char *topic,
		    const char *query, int64_t since_seq);
json_t		*wire_unsubscribe(int64_t id, const char *topic);
/* An op request: {"type":"op","id":id,"op":op} plus the fields of args
   (copied).  Not validated here: the hub validates. */
json_t		*wire_op(int64_t id, const char *op, const json_t *args);
/* A query request, likewise. */
json_t		*wire_query(int64_t id, const char *query, const json_t *args);
/* {"type":"ok","id":id} plus "seq" when seq >= 0, plus "result" when
   steal_result is not NULL. */
json_t		*wire_ok(int64_t id, int64_t seq, json_t *steal_result);
/* {"type":"error","code":..,"message":..}, "id" when id >= 0 and
   "current" when steal_current is not NULL.  The message is cut to
   WIRE_MAX_MESSAGE bytes (on a UTF-8 boundary). */
json_t		*wire_error(int64_t id, enum wire_err code, const char *message,
		    json_t *steal_current);
/* Pushes. */
json_t		*wire_alert(json_t *steal_alert);
/* users: an array of {"user","role","viewing":[...]} objects. */
json_t		*wire_presence(json_t *steal_users);
json_t		*wire_resync(const char *reason, int64_t last_seq);

/* Serialize compactly (the frame to send).  Returns a malloc'd NUL-terminated
   string the caller frees, length in *len (if not NULL), or NULL. */
char		*wire_encode(const json_t *msg, size_t *len);

/*
 * Event batches are built as text, so the hub copies each stored event's
 * JSON instead of parsing and printing it per console:
 *   wire_events_head(out, sub)	{"type":"events","sub":N,"events":[
 *   wire_event_text(out, ...)	one event, after a ',' from the 2nd on
 *   wire_events_tail(out)		]}
 * sub is the id of the subscribe request that asked for the events (< 0:
 * no "sub").  wire_event_text appends the object json[0..len) with
 * "id":id as its first member (an "id" it had is replaced); json must be
 * one valid JSON object.  Each returns 0, or -1 (json is not an object,
 * out of memory) with out as it was.
 */
int		 wire_events_head(struct buf *out, int64_t sub);
int		 wire_event_text(struct buf *out, int64_t id, const char *json,
		    size_t len);
int		 wire_events_tail(struct buf *out);

/*
 * Raw JSON, for the events of a batch (valid JSON objects).  They never
 * read outside obj[0..len), whatever it holds.
 *
 * wire_json_member: the value of the top-level member key of the object
 * obj[0..len) as a slice of it (*val, *vlen).  Returns 0, or -1 when there
 * is none or obj is not an object.
 * wire_json_str: the JSON string v[0..vlen) (quotes included) decoded into
 * out, NUL-terminated, cut on a UTF-8 boundary to fit outlen.  Returns its
 * length, or -1 when v is not a string.
 * wire_json_field: both: the top-level string member key into out; -1
 * when it is missing or not a string.
 */
int		 wire_json_member(const char *obj, size_t len, const char *key,
		    const char **val, size_t *vlen);
int		 wire_json_str(const char *v, size_t vlen, char *out,
		    size_t outlen);
int		 wire_json_field(const char *obj, size_t len, const char *key,
		    char *out, size_t outlen);

/* base64 helpers (standard alphabet, padded).  wire_b64_decode returns 0
   only when s decodes to exactly n bytes. */
int		 wire_b64_decode(const char *s, unsigned char *out, size_t n);
/* out must hold at least ((n + 2) / 3) * 4 + 1 bytes. */
void		 wire_b64_encode(const unsigned char *in, size_t n, char *out,
		    size_t outlen);

#endif
