/*
 * observe — the observables an alert names, for alert.promote: addresses
 * (IPv4, IPv6), users, hosts, hashes (MD5, SHA-1, SHA-256: hex digits of
 * length 32, 40, 64) and domains, found in its group key and in its
 * events, each with its sightings (how many of the alert's events showed
 * it, first and last: of the few events the alert keeps, but all of them
 * for a value of its group key).
 *
 * Pure: JSON in, JSON out; no SQLite.  Where a value is, not what
 * program wrote it, says what it is:
 *  - the group key (the group-by values joined by '|'): a value is an
 *    address or a hash by its shape, else what the events say it is
 *    (the field it came from), else a domain by its shape; every event of
 *    the alert has it, so its sightings are the alert's count and times;
 *  - an event's hostname is a host (an address when it is one);
 *  - a field named like a user (user, username, targetuser, ...) holds a
 *    user, like a host (host, srchost, computername, ...) a host, like a
 *    domain (domain, fqdn, query, ...) a domain, like a URL (url, uri,
 *    referer) a domain or address in its authority;
 *  - any other string is an address or a hash when it is one whole; text
 *    (with spaces: the summary, messages) is searched for addresses and
 *    hashes, and for KEY=VALUE words with a user key (sudo's USER=root).
 * Loopback and unspecified addresses, and the hub's own name
 * (details.hub), are not observables.
 */
#ifndef WARD_OBSERVE_H
#define WARD_OBSERVE_H

#include <jansson.h>

#define OBSERVE_MAX	64	/* observables one alert gives, at most */

/*
 * The observables of alert a (as alertdb_get(full) gives it: "group",
 * "samples" (its kept events), "count", "first_seen", "last_seen";
 * borrowed).  Returns a new array (the caller owns it) of
 * {"kind":"ip|user|host|hash|domain","value":V,"sightings":N,
 * "first_seen":T|null,"last_seen":T|null}, in the order found (the group
 * key's first), hashes and domains in lower case; NULL when out of
 * memory.
 */
json_t	*observe_alert(const json_t *a);

/* What the string s is by its shape alone: "ip", "hash", "domain", or
   NULL.  For an address, out (outlen >= 46) gets its usual form
   (inet_ntop); for a hash or domain, s in lower case. */
const char *observe_shape(const char *s, char *out, size_t outlen);

#endif
