/*
 * correlate — runs a ruleset over a stream of events: detection matches,
 * correlation windows (event_count, value_count, temporal,
 * temporal_ordered) and deadman timers.  One correlator per ruleset,
 * used from one thread.  See ward-rules(5).
 */
#ifndef WARD_CORRELATE_H
#define WARD_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sigma.h"

struct correlator;

/* The most groups a rule holds.  A hit that would start one more evicts
   the rule's least recently hit group (correlator_evicted()), or, in a
   deadman rule, is dropped (correlator_dropped()).  It bounds memory:
   tests/bench/bench_groups (failed SSH logins from new addresses) gives
   256 B an event_count group, 783 B a new address across the default
   pack, 39 MB once every rule is at the cap. */
#define CORRELATOR_MAX_GROUPS	50000

/*
 * What a rule reports.  Everything is borrowed and valid only during the
 * callback: copy what you keep.
 */
struct rule_match {
	const struct rule *rule;	/* owned by the ruleset */
	const char	*group;		/* the group-by values joined by "|",
					   "" when the rule has no group-by */
	const int64_t	*ids;		/* ids of the events involved, in the
					   order they came (at most 1000) */
	size_t		 nids;
	size_t		 count;		/* events (detection 1, event_count),
					   distinct values (value_count),
					   rules seen (temporal) */
	int64_t		 first_us;	/* event time of the first and last
					   event involved (deadman: when the
					   group was last seen, and now) */
	int64_t		 last_us;
	const char	*summary;	/* ward.summary expanded, else title */
	json_t		*event;		/* the event that triggered it; NULL
					   for a deadman */
};

typedef void (*rule_matchcb)(void *arg, const struct rule_match *);

/*
 * A correlator for rs, with empty windows.  rs must outlive it.  NULL
 * when out of memory.  On a reload, make a new correlator for the new
 * ruleset (windows start empty) and free the old one.
 */
struct correlator *correlator_new(const struct ruleset *rs);
/* Free it and every window.  Accepts NULL. */
void	correlator_free(struct correlator *);

/*
 * Evaluate one normalized event: id is its store id, now_us its arrival
 * time.  Calls cb for every detection rule that matches (unless it only
 * serves a correlation in its file), every correlation that fires, in
 * rule order, chained correlations after the ones they use.
 * Correlation windows use the event's utctimestamp (now_us when it has
 * none); a window [t - timespan, t] includes both ends.  Deadman rules
 * note the event as a sign of life at now_us.  ev is only read, and not
 * kept.  Returns the number of callbacks made, or -1 when out of memory
 * (some windows may then have missed this event).
 */
int	correlator_feed(struct correlator *, json_t *ev, int64_t id,
	    int64_t now_us, rule_matchcb cb, void *arg);

/*
 * Let time pass: call cb for every deadman group silent for its timespan
 * or longer at now_us (once per silence: a group fires again only after
 * it has been seen again), and forget correlation groups idle for longer
 * than their timespan.  A deadman without group-by counts its silence
 * from the first feed or tick.  Call it about once a second.  Returns the
 * number of callbacks made, or -1 when out of memory.
 */
int	correlator_tick(struct correlator *, int64_t now_us, rule_matchcb cb,
	    void *arg);

/* Hits of deadman rules dropped because their rule already held
   CORRELATOR_MAX_GROUPS groups (since new). */
uint64_t correlator_dropped(const struct correlator *);
/* Groups of correlation rules evicted, the least recently hit, to make
   room for a new one at CORRELATOR_MAX_GROUPS (since new). */
uint64_t correlator_evicted(const struct correlator *);
/* Groups held now, over all rules. */
size_t	correlator_groups(const struct correlator *);

#endif
