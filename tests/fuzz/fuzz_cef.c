/*
 * fuzz_cef — libFuzzer target for the CEF reader (cef.c) and the
 * Windows event step (winevent.c).  The input is a message: it is run as
 * an event's summary through the cef step, with and without rsyslog's
 * "CEF" program name; and, when it is a JSON object, as a whole event's
 * details through the winevent step.
 *
 *   make build/fuzz/fuzz_cef && build/fuzz/fuzz_cef -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cef.h"
#include "transit.h"
#include "winevent.h"

static void
one(json_t *sum, const char *program)
{
	struct transit_ctx ctx = { 1796661000000000 };
	json_t	*ev;

	ev = json_pack("{s:s, s:s, s:s, s:O, s:s, s:[], s:{s:s}}",
	    "utctimestamp", "2026-12-07T16:30:00.000000+00:00",
	    "receivedtimestamp", "2026-12-07T16:30:00.000000+00:00",
	    "severity", "INFO", "summary", sum, "processname", program,
	    "tags", "details", "hub", "h");
	if (ev == NULL)
		abort();
	if (transit_step_cef.event(NULL, NULL, ev, &ctx) == -1)
		abort();
	if (!json_is_string(json_object_get(ev, "summary")) ||
	    !json_is_string(json_object_get(ev, "severity")))
		abort();
	free(json_dumps(ev, 0));
	json_decref(ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	json_t	*sum, *d, *ev;

	(void)cef_find(s, size);
	if ((sum = json_stringn(s, size)) == NULL)
		return 0;
	one(sum, "x");
	one(sum, "CEF");
	json_decref(sum);
	/* a JSON object as details, for the Windows step */
	if (size > 0 && s[0] == '{' &&
	    (d = json_loadb(s, size, 0, NULL)) != NULL) {
		if (json_is_object(d) && (ev = json_pack("{s:s, s:s, s:O}",
		    "utctimestamp", "2026-12-07T16:30:00.000000+00:00",
		    "receivedtimestamp", "2026-12-07T16:30:00.000000+00:00",
		    "details", d)) != NULL) {
			if (winevent_apply(ev) == -1)
				abort();
			free(json_dumps(ev, 0));
			json_decref(ev);
		}
		json_decref(d);
	}
	return 0;
}
