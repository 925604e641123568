/* transit — what happens to an event between normalization and the store:
 * the steps that parse, enrich, change or drop it (MozDef's "plugins that
 * change data in transit").
 *
 * A step is one table entry (Fluent Bit's filter struct is the model): a
 * name, init/free of the state it shares between threads (built once from
 * the hub's options, rebuilt on SIGHUP), new/free of a per-worker state
 * (PCRE2 match data, a plugin host process), and either a per-event or a
 * per-batch callback.  The table is in transit.c, in the order steps run:
 *
 *   syslog     a raw syslog line in the summary (syslogline.c)
 *   auditd     an audit record in the summary (auditd.c)
 *   cef        a CEF record in the summary (cef.c)
 *   jsonmsg    a JSON object in the summary (jsonmsg.c)
 *   winevent   a Windows event, NXLog, Winlogbeat or evtx_dump (winevent.c)
 *   kv         key=value text in the summary (kv.c)
 *   decoders   share/parsers/ and --parsers DIR (PCRE2)
 *   geoip      --geoip FILE.mmdb
 *   plugins    Python plugins, --plugins DIR (batch; may drop events)
 *
 * Every per-event step runs on every event of a job, then every batch step
 * on the job's events that are left.  Steps run on the pipeline workers,
 * after normalize_event() and before the rows are built and the request
 * acknowledged, so what they set is stored, searchable and seen by the
 * rules.  An event a step changes is still a normalized event: the
 * schema's fields at the top (utctimestamp as ISO 8601 UTC, severity as an
 * upper-case name, ...), the rest under details; the pipeline re-reads the
 * typed columns from it (normalize_fields()) when a step says it changed.
 *
 * Threads: a struct transit is built by one thread and then only read; a
 * worker holds a struct transit_worker, which is its own.  A reload builds
 * a new transit while the old one serves; each worker moves to it between
 * jobs (transit_worker_sync), and the old one is freed when the last
 * worker has left it.
 */
#ifndef WARD_TRANSIT_H
#define WARD_TRANSIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct metrics;

/* The hub's options a step builds its state from. */
struct transit_opts {
	const char *const *parsers;	/* decoder files or folders, in order */
	size_t		 nparsers;
	const char *const *plugins;	/* plugin folders, in order */
	size_t		 nplugins;
	int		 parsers_default;	/* the paths are the default */
	int		 plugins_default;	/* folders, which need not
						   exist; a path given by
						   the user must */
	const char	*geoip;		/* a .mmdb file, or NULL: no GeoIP */
	int		 plugin_timeout_ms;	/* 0: the default (2 s) */
	struct metrics	*m;		/* the hub's counters, or NULL */
};

/* What a step knows of the events it is given. */
struct transit_ctx {
	int64_t		 received_us;	/* arrival of the request */
};

/* Per-event flags, one byte an event, set by steps. */
#define TRANSIT_CHANGED	0x01	/* a field of the schema may differ: the
				   typed columns are read again */
#define TRANSIT_DROP	0x02	/* not stored (a plugin returned None) */

/*
 * One step.  init() builds the state shared by every worker from the
 * options: returns 0 with *state set (NULL is allowed and means the step
 * has nothing to do: it is left out), or -1 with err filled as
 * "file:line: reason" (or "file: reason") — a reload then keeps the old
 * transit.  free(state) accepts NULL.  worker_new(), if given, makes one
 * worker's state (NULL with err on failure); worker_free() accepts NULL.
 *
 * event(): one event, changed in place; returns 1 if it may have changed
 * a field of the schema, 0 if not (it may still have added details), or
 * -1 when out of memory (the request is refused with 503, nothing is
 * stored).  Any other failure is the step's to handle: the event goes on
 * as it was before the step, tagged and counted.
 *
 * batch(): the n events of a job not dropped so far, in order, with their
 * flags; sets TRANSIT_CHANGED or TRANSIT_DROP in flags[i].  A step may
 * replace evs[i] by another normalized object (json_decref()ing the old
 * one; trees are built in the worker's arena, see jarena.h).  Returns 0,
 * or -1 when out of memory.
 *
 * Exactly one of event and batch is set.  init, free, worker_new and
 * worker_free run with no jansson arena current (plain malloc); event and
 * batch run with the worker's arena current, so a tree they build goes
 * with the job, and what they keep longer must be made with the arena
 * put aside (jarena_use(NULL)).
 */
struct transit_step {
	const char	*name;
	int		(*init)(const struct transit_opts *, void **state,
			    char *err, size_t errlen);
	void		(*free)(void *state);
	void	       *(*worker_new)(void *state, char *err, size_t errlen);
	void		(*worker_free)(void *state, void *w);
	int		(*event)(void *state, void *w, json_t *ev,
			    const struct transit_ctx *);
	int		(*batch)(void *state, void *w, json_t **evs, size_t n,
			    unsigned char *flags, const struct transit_ctx *);
};

/* The built-in steps, each defined beside its code. */
extern const struct transit_step transit_step_syslog;	/* syslogline.c */
extern const struct transit_step transit_step_auditd;	/* auditd.c */
extern const struct transit_step transit_step_cef;	/* cef.c */
extern const struct transit_step transit_step_jsonmsg;	/* jsonmsg.c */
extern const struct transit_step transit_step_winevent;	/* winevent.c */
extern const struct transit_step transit_step_kv;	/* kv.c */
extern const struct transit_step transit_step_decoders;	/* decoder.c */
extern const struct transit_step transit_step_geoip;	/* geoip.c */
extern const struct transit_step transit_step_plugins;	/* plugins.c */

struct transit;
struct transit_worker;

/*
 * Build every step from o (which need only live during the call).
 * Returns the transit with one reference, the caller's, or NULL with err
 * naming the step's file and line.
 */
struct transit	*transit_new(const struct transit_opts *o, char *err,
		    size_t errlen);
/* The same from another table of steps (tests); at most 16. */
struct transit	*transit_new_steps(const struct transit_step *const *steps,
		    size_t nsteps, const struct transit_opts *o, char *err,
		    size_t errlen);
/* Drop the caller's reference; the last one frees.  Accepts NULL. */
void		 transit_unref(struct transit *);
/* The number of steps in use (for logs and tests). */
size_t		 transit_nsteps(const struct transit *);

/*
 * Per-worker state over a shared, reloadable transit.  transit_worker_new()
 * takes its own reference to t (may be NULL: nothing runs).  Returns NULL
 * when out of memory or a step's worker state cannot be made (err).
 */
struct transit_worker *transit_worker_new(struct transit *t, char *err,
		    size_t errlen);
/* Free the worker's state and drop its reference.  Accepts NULL. */
void		 transit_worker_free(struct transit_worker *);

/*
 * Offer a new transit to the workers (the reload): it takes its own
 * reference to t; each worker moves to it at its next
 * transit_worker_sync().  slot is the one the workers were made from
 * (transit_slot_new), shared by them.  Thread-safe.
 */
struct transit_slot;
struct transit_slot *transit_slot_new(struct transit *t);
void		 transit_slot_set(struct transit_slot *, struct transit *t);
/* Free the slot and its reference; accepts NULL.  Workers gone first. */
void		 transit_slot_free(struct transit_slot *);
/* A worker following slot s; as transit_worker_new(). */
struct transit_worker *transit_slot_worker(struct transit_slot *s,
		    char *err, size_t errlen);
/*
 * Between jobs: move w to the slot's newest transit if it changed.  When
 * the new per-worker states cannot be made, w keeps the old ones and the
 * error is logged once.  No-op for a worker not made from a slot.
 */
void		 transit_worker_sync(struct transit_worker *w);

/*
 * Run every step on the n events evs (normalized objects; each may be
 * replaced by a batch step), setting flags[i] (zeroed by the caller).
 * Returns 0, or -1 when out of memory.
 */
int		 transit_run(struct transit_worker *w, json_t **evs,
		    size_t n, unsigned char *flags,
		    const struct transit_ctx *ctx);

#endif
