/* geoip — where an event's addresses are: details.sourceipaddress and
 * details.destinationipaddress looked up in a MaxMind DB file (GeoLite2
 * or DB-IP, City or Country), as MozDef's geoip plugin did. */
#ifndef WARD_GEOIP_H
#define WARD_GEOIP_H

#include <stddef.h>

#include <jansson.h>

struct geoip;

/*
 * Open the database at path (memory-mapped; lookups may then run on any
 * number of threads at once).  Returns it (free with geoip_free), or
 * NULL with the reason in err.
 */
struct geoip	*geoip_open(const char *path, char *err, size_t errlen);
/* The transit step (transit.h) is transit_step_geoip: it opens
   transit_opts.geoip when set; its per-worker state is a cache. */
/* Close it; accepts NULL.  No geoip_apply may be running on it. */
void		 geoip_free(struct geoip *);

/*
 * For each of details.sourceipaddress and details.destinationipaddress
 * that is a public address (private, loopback, link-local, multicast,
 * documentation and other reserved IPv4 and IPv6 ranges are skipped)
 * and is in the database, set details.sourceipgeolocation (or
 * destinationipgeolocation) to an object of what the database knows
 * among country_code, country_name, continent, city, region_code,
 * postal_code, latitude, longitude and time_zone, and
 * details.sourceipgeopoint to "latitude,longitude" when both are known.
 * New values are allocated with jansson (the thread's arena if any).
 * Returns how many addresses were located, or -1 when out of memory.
 */
int		 geoip_apply(const struct geoip *, json_t *ev);

/*
 * A worker's cache of the places of the addresses it saw last, for one
 * struct geoip (it holds pointers into that database), used by one
 * thread at a time.  NULL when out of memory; free accepts NULL.
 */
struct geoip_cache;
struct geoip_cache *geoip_cache_new(void);
void		 geoip_cache_free(struct geoip_cache *);
/* geoip_apply() with a cache c (may be NULL). */
int		 geoip_apply_cached(const struct geoip *, struct geoip_cache *c,
		    json_t *ev);

/* Is the address text s a public one (parsed, not in a reserved
   range)?  1 or 0. */
int		 geoip_public(const char *s);

#endif
