/* normalize — turn any shipper's event into ward's schema (README.md). */
#ifndef WARD_NORMALIZE_H
#define WARD_NORMALIZE_H

#include <stdint.h>

#include <jansson.h>

#include "severity.h"


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

#endif
