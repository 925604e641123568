/* pfield — what the structural parsers (kv.c, cef.c, jsonmsg.c, auditd.c,
 * winevent.c) share to put what they read on a normalized event, by the
 * same rules everywhere (ward-parsers(5), "Built-in parsers"):
 *
 *   - a field goes under details by the name it was sent with; a name
 *     taken already by a different value gets "_2", "_3"... (as
 *     normalization does), the same value is not set twice;
 *   - a field of the schema at the top (hostname, processname, ...) that
 *     held a different value keeps it in details under its own name;
 *   - MozDef's names (details.sourceipaddress, ...) are only set when the
 *     event has none yet, and only from text of their type. */
#ifndef WARD_PFIELD_H
#define WARD_PFIELD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The event's details object, made when absent or not an object.
   Borrowed; NULL when out of memory. */
json_t	*pfield_details(json_t *ev);

/*
 * Put v (a new reference, stolen even on failure) under d[name[0..n)],
 * or name_2, name_3... when the name holds a different value; nothing
 * when it holds an equal one.  Returns 0, or -1 when out of memory (v
 * NULL counts as out of memory).
 */
int	 pfield_add(json_t *d, const char *name, size_t n, json_t *v);

/*
 * Set ev[key] = v (stolen).  keep_old: a different value there before
 * moves to d under key (pfield_add).  Returns 0 or -1 (out of memory).
 */
int	 pfield_top(json_t *ev, json_t *d, const char *key, json_t *v,
	    int keep_old);

/* Set MozDef's d[key] = v (stolen) unless d has key; 0 or -1. */
int	 pfield_mozdef(json_t *d, const char *key, json_t *v);

/* A JSON string of p[0..n), or NULL: out of memory, or not valid UTF-8
   (*bad set to 1 then, when bad is not NULL). */
json_t	*pfield_str(const char *p, size_t n, int *bad);

/* 1 if p[0..n) is valid UTF-8 without NUL, else 0. */
int	 pfield_utf8(const char *p, size_t n);

/* p[0..n) an IPv4 or IPv6 address: 1 with its canonical text in out
   (at least 46 bytes), else 0. */
#define PFIELD_IPLEN	46
int	 pfield_ip(const char *p, size_t n, char *out);

/* p[0..n) a decimal port 0-65535: its value, else -1. */
int	 pfield_port(const char *p, size_t n);

/* p[0..n) a decimal integer (optional '-', at most 18 digits): 1 with
   *v, else 0. */
int	 pfield_int(const char *p, size_t n, int64_t *v);

/* The event's time from what it says itself: utctimestamp = us (the
   previous value is not kept: a shipper's or syslog header's reading
   time).  Returns 0 or -1. */
int	 pfield_time(json_t *ev, int64_t us);

/* 1 when ev's utctimestamp is only its arrival time (equal to
   receivedtimestamp: no one's word), else 0. */
int	 pfield_time_is_arrival(const json_t *ev);

/*
 * MozDef's name for a key a parser read, when it is one everybody uses
 * (any case): src, srcip, src_ip, source_ip -> details.sourceipaddress;
 * dst, dstip, dst_ip, destination_ip -> destinationipaddress (an address,
 * or IPv4:port which sets the port too); spt, sport, srcport, src_port,
 * source_port -> sourceport; dpt, dport, dstport, dst_port,
 * destination_port -> destinationport (integers 0-65535); user, username,
 * user_name, duser, suser (lower case only: sudo's USER is the target)
 * -> username, not from "-", "?" or "<...>".  Set only when d has none
 * yet and the value is of the type; the first key in the text wins.  Returns 0 or -1 (out of memory).
 */
int	 pfield_alias(json_t *d, const char *k, size_t kn, const char *v,
	    size_t vn);

/* ASCII case-insensitive: does p[0..n) equal the NUL-terminated s? */
int	 pfield_ieq(const char *p, size_t n, const char *s);

/* Move ev[key] to the end of ev, where normalize_event keeps tags and
   details after the fields of the schema.  0 or -1. */
int	 pfield_last(json_t *ev, const char *key);

#endif
