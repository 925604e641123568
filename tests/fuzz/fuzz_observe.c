/*
 * fuzz_observe — libFuzzer target for the observables of an alert
 * (hub/observe.c): the input is an event as a shipper may have sent it
 * (JSON, any shape), kept as the alert's sample, with the input's first
 * line as the group key.  Whatever comes out is an array of observables
 * of the known kinds, each value non-empty, without control characters.
 *
 *   make build/fuzz/fuzz_observe && build/fuzz/fuzz_observe -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "observe.h"

static int
clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 &&
		    p[1] <= 0x9f))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "ip", "user", "host", "hash",
		"domain", NULL };
	const char *nl = memchr(data, '\n', size), *k;
	json_t	*a, *ev, *out, *o;
	size_t	 i, j, glen = nl ? (size_t)(nl - (const char *)data) : 0;

	ev = json_loadb(nl ? nl + 1 : (const char *)data, nl ? size - glen - 1 :
	    size, JSON_DECODE_ANY, NULL);
	a = json_pack("{s:s%, s:i, s:s, s:s, s:[o?]}", "group",
	    (const char *)data, glen, "count", 7, "first_seen", "a",
	    "last_seen", "b", "samples", ev);
	if (a == NULL)
		return 0;	/* the group key was not UTF-8 */
	if ((out = observe_alert(a)) == NULL)
		abort();
	if (json_array_size(out) > OBSERVE_MAX)
		abort();
	json_array_foreach(out, i, o) {
		k = json_string_value(json_object_get(o, "kind"));
		for (j = 0; kinds[j] != NULL; j++)
			if (k != NULL && strcmp(k, kinds[j]) == 0)
				break;
		if (kinds[j] == NULL ||
		    !clean(json_string_value(json_object_get(o, "value"))) ||
		    json_integer_value(json_object_get(o, "sightings")) < 1)
			abort();
	}
	json_decref(out);
	json_decref(a);
	return 0;
}
