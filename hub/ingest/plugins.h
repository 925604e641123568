/* plugins — MozDef-style Python plugins run in transit, out of process:
 * a supervised plugin host (Debian's python3 running
 * share/plugins/host/ward_plugin_host.py) per pipeline worker, fed
 * batches of the events some plugin registers for.  The design, the
 * framing and what happens when a plugin fails are in plugins.c's
 * opening comment; the interface plugins see is ward-plugins(7). */
#ifndef WARD_PLUGINS_H
#define WARD_PLUGINS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"

struct plugins;
struct plugins_stats;
struct plugin_host;

/* Most plugins loaded at once (one bit each in a registration mask). */
#define PLUGINS_MAX		64
/* Longest registration term, in bytes. */
#define PLUGINS_TERM_MAX	256

struct plugins_opts {
	const char	*python;	/* NULL: /usr/bin/python3 */
	const char	*host;		/* the host script; NULL: the
					   installed one (WARD_PLUGIN_HOST) */
	int		 timeout_ms;	/* longest a plugin may take on one
					   event; 0: 2000 */
	size_t		 max_depth;	/* nesting limit of an event a plugin
					   returns; 0: 64 */
	int		 missing_ok;	/* a directory that does not exist is
					   skipped instead of an error */
	struct plugins_stats *stats;	/* counters shared by successive
					   loads (plugins_stats_new); NULL:
					   the set's own */
};

/*
 * Scan dirs (each DIR/NAME.py, but not _NAME.py or .NAME) and learn every
 * plugin's name, priority and registration by running the host once
 * (--list).  Returns the set (with no plugin at all if the directories
 * hold none: then nothing ever runs), or NULL with err: a directory that
 * cannot be read ("DIR: reason"), a broken plugin ("FILE:LINE: reason":
 * a syntax error, no class message, a registration that is not a list of
 * strings, an import that fails), the host that cannot run.  dirs and
 * opts are copied.  Free with plugins_free().
 */
struct plugins	*plugins_load(const char *const *dirs, size_t n,
		    const struct plugins_opts *, char *err, size_t errlen);
/* Plugins loaded now. */
size_t		 plugins_count(struct plugins *);
/* Free; every host made from it must be freed first.  Accepts NULL.
   (A reload loads a new set: transit.h.) */
void		 plugins_free(struct plugins *);
/* Empty counters (a struct plugins_stats), or NULL; and their free
   (accepts NULL).  void * for metrics_more(). */
void		*plugins_stats_new(void);
void		 plugins_stats_free(void *);
/* The counters ps counts into. */
struct plugins_stats *plugins_stats(struct plugins *ps);
/*
 * Append the counters arg (a struct plugins_stats, or NULL: nothing) to
 * out in Prometheus text: ward_plugin_events_total{plugin="NAME"},
 * ..._dropped_total, ..._errors_total, ..._seconds_total, then
 * ward_plugin_host_restarts_total, ward_plugin_skipped_total and
 * ward_plugin_sent_total.  Returns 0 or -1.
 */
int		 plugins_metrics_render(void *arg, struct buf *out);

/* A host for one thread (its python starts on the first batch that needs
   it).  NULL when out of memory.  ps must outlive it. */
struct plugin_host *plugin_host_new(struct plugins *ps);
/*
 * Run the plugins over evs[0..n) (NULL entries are skipped), in place.
 * Only events whose keys or string values, lower-cased, meet some
 * plugin's registration cross to the host.  On return dropped[i] is 1
 * for an event a plugin dropped (0 otherwise), and evs[i] may be a new
 * tree, built in the calling thread's arena when it has one (jarena.h);
 * the tree it replaced was left to that arena's reset, or, without an
 * arena, json_decref'd.  A plugin that raises, hangs past the timeout,
 * returns something unusable or kills its host leaves the event as it
 * was before that plugin, tagged "plugin_error:NAME"; an event met while
 * its host cannot run (restarting after repeated deaths) is left as it
 * came, tagged "plugin_skipped".  No event is lost.  Returns the number
 * of events that went to the host (0 when none registered).
 */
size_t		 plugin_host_run(struct plugin_host *, json_t **evs, size_t n,
		    unsigned char *dropped);
/* Stop its python and free; accepts NULL. */
void		 plugin_host_free(struct plugin_host *);

/*
 * What the C side reads back from a host, exposed for tests and the fuzz
 * target.  A reply is a header line "SEQ COUNT NBYTES\n" and NBYTES of
 * COUNT result lines and a statistics line (plugins.c).
 */
struct plugin_result {
	char		 kind;		/* 'u', 'j', 'd' or 'e' */
	int		 k;		/* j: last plugin that ran; d, e: the
					   plugin */
	const char	*reason;	/* e: a JSON string literal */
	size_t		 reasonlen;
	const char	*event;		/* j, e: JSON text, not yet checked */
	size_t		 eventlen;
};

/* Read a reply header from p[0..len): 1 with *seq, *count, *nbytes and
   *hdrlen (bytes up to and with its newline), 0 when more bytes are
   needed, -1 when it is not a header. */
int		 plugins_reply_header(const char *p, size_t len, uint32_t *seq,
		    size_t *count, size_t *nbytes, size_t *hdrlen);
/*
 * Check a reply body p[0..len) holding count result lines for a set of
 * nplugins plugins, and fill res[0..count) (pointing into p) and
 * calls[k], ns[k] (added to) from its statistics line.  Returns 0, or -1
 * with err when any line is malformed or the counts disagree.
 */
int		 plugins_reply_parse(const char *p, size_t len, size_t count,
		    size_t nplugins, struct plugin_result *res,
		    uint64_t *calls, uint64_t *ns, char *err, size_t errlen);

/*
 * The registration pre-filter, exposed for tests: which plugins (bit k)
 * the event registers for.  Returns 1 with *mask when some plugin wants
 * it, 0 when none does, 2 when only python can tell (a string with
 * non-ASCII characters short enough to lower-case into a term): send it
 * with an unknown mask.
 */
int		 plugins_match(struct plugins *, const json_t *ev,
		    uint64_t *mask);

#endif
