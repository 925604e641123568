/* normalize — turn any shipper's event into ward's schema (README.md). */
#ifndef WARD_NORMALIZE_H
#define WARD_NORMALIZE_H

#include <stdint.h>

#include <jansson.h>

/* Severity ranks, in increasing order of severity (not syslog's order). */
enum severity {
	SEV_DEBUG, SEV_INFO, SEV_NOTICE, SEV_WARNING,
	SEV_ERROR, SEV_CRITICAL, SEV_ALERT, SEV_EMERGENCY
};

/* The fields a store keeps in typed columns; strings borrowed from the
   normalized event and valid while it lives. */
struct event_fields {
	int64_t		 utc_us;	/* utctimestamp */
	int64_t		 received_us;	/* receivedtimestamp */
	int		 severity;	/* enum severity */
	const char	*category;	/* each may be NULL */
	const char	*hostname;
	const char	*processname;
	const char	*source;
	const char	*summary;
};

struct normalize_opts {
	int64_t		 received_us;	/* arrival time */
	const char	*hub;		/* the hub's host name, stored as
					   details.hub */
};

/*
 * Normalize the object ev in place into the schema: utctimestamp and
 * receivedtimestamp as ISO 8601 UTC, severity as an upper-case RFC 5424
 * name, summary, hostname, processname, processid, category, source, tags
 * (array), details (object: everything else).  Nothing sent is lost: an
 * unreadable timestamp becomes the arrival time and its original value
 * stays in details.  Fills f (may be NULL).  Returns 0, or -1 only when
 * out of memory (ev may then be half done) or ev is not an object.
 */
int	normalize_event(json_t *ev, const struct normalize_opts *,
	    struct event_fields *f);

/*
 * Set details.name of the normalized event ev to the string value (the
 * pipeline keeps details.index, the Elasticsearch index an event was sent
 * to, as MozDef did).  A different value the event carried there moves to
 * name_2 (or _3...), as details.hub does.  Returns 0, or -1 when out of
 * memory or ev has no details object.
 */
int	normalize_set_detail(json_t *ev, const char *name, const char *value);

/*
 * Read the typed fields of an event normalized already (by normalize_event,
 * then perhaps changed in transit) into f: utctimestamp (unreadable or
 * absent: received_us), severity (unreadable: INFO), the strings (NULL
 * when absent or not strings; borrowed from ev).  Returns 0, or -1 when ev
 * is not an object.
 */
int	normalize_fields(const json_t *ev, int64_t received_us,
	    struct event_fields *f);

/* Severity name (any case, aliases like "warn", "err", "crit", "emerg",
   "information") or syslog number 0-7 as text, to its rank; -1 if none. */
int	severity_parse(const char *s);
/* Rank to its canonical upper-case name ("WARNING"); NULL if out of range. */
const char *severity_name(int rank);

/* Syslog facility number 0-23 to its name ("auth", "local3"), or NULL. */
const char *facility_name(int facility);
/* Facility name (any case) or number 0-23 as text, to its number; -1. */
int	facility_parse(const char *s);

#endif
