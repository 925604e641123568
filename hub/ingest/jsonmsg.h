/* jsonmsg — a JSON object as a message, or after a short prefix (the
 * transit step "jsonmsg"; ward-parsers(5), "Built-in parsers"). */
#ifndef WARD_JSONMSG_H
#define WARD_JSONMSG_H

#include <stddef.h>

#include <jansson.h>

/* Where the object starts in s[0..n): the offset of a '{' within the
   first 64 bytes (the first byte, or after ": " or a space), when the
   text ends with '}' (white space after it allowed); else -1. */
long	 jsonmsg_find(const char *s, size_t n);

/*
 * Merge the object at s[off..n) into the normalized event ev: every key
 * under details by its name (pfield_add: a name taken by a different
 * value gets "_2"); the first string of message, msg, Message, MESSAGE,
 * summary becomes the summary instead; a time (timestamp, @timestamp,
 * time, ts) is the event's when it had only its arrival time; the
 * prefix s[0..off) — "app:" or "app[pid]:" naming the program when the
 * event has none — goes to details.prefix.  Nothing else at the top
 * changes.  Returns 1 when merged, 0 when s[off..n) is not one JSON
 * object, -1 when out of memory.  The summary, which s may point into,
 * is held by the caller.
 */
int	 jsonmsg_apply(json_t *ev, const char *s, size_t n, size_t off);

#endif
