/* kv — key=value text in a message: the transit step "kv" (ward-parsers(5),
 * "Built-in parsers"); its scanner is kvscan.h. */
#ifndef WARD_KV_H
#define WARD_KV_H

#include <stddef.h>

#include <jansson.h>

#include "kvscan.h"

/* The most pairs of one message set as fields (the summary keeps all). */
#define KV_MAXPAIRS	256

/*
 * The first KV_MAXPAIRS pairs of s[0..n) into d under their keys as
 * sent (pfield_add), then MozDef's names for the keys pfield_alias()
 * knows.  Returns 0, or -1
 * when out of memory.
 */
int	 kv_apply(json_t *d, const char *s, size_t n);

#endif
