/*
 * fuzz_kv — libFuzzer target for the key=value scanner and the parsers
 * that read text with it (kv.c, auditd.c), and for JSON in a message
 * (jsonmsg.c).  The input is a message; it is run as an event's summary
 * through those steps, and the scanner's spans are checked to stay
 * inside the input.
 *
 *   make build/fuzz/fuzz_kv && build/fuzz/fuzz_kv -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auditd.h"
#include "jsonmsg.h"
#include "kv.h"
#include "transit.h"

static void
scan(const char *s, size_t n)
{
	struct kv_scan sc;
	struct kv_item it;
	size_t	 words = 0;

	kv_scan_init(&sc, s, n);
	while (kv_next(&sc, &it)) {
		if (it.v < s || it.v + it.vn > s + n)
			abort();
		if (it.k != NULL && (it.k < s || it.k + it.kn > it.v ||
		    it.kn == 0 || it.kn > KV_KEY_MAX))
			abort();
		if (++words > n)
			abort();	/* no progress */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct transit_step *const steps[] = {
		&transit_step_auditd, &transit_step_jsonmsg,
		&transit_step_kv,
	};
	struct transit_ctx ctx = { 1796661000000000 };
	const char *s = (const char *)data;
	json_t	*ev, *sum;
	size_t	 i;

	scan(s, size);
	(void)kv_mostly(s, size);
	(void)auditd_record(s, size);
	if ((sum = json_stringn(s, size)) == NULL)
		return 0;		/* not UTF-8: never a summary */
	ev = json_pack("{s:s, s:s, s:s, s:O, s:[], s:{s:s}}",
	    "utctimestamp", "2026-12-07T16:30:00.000000+00:00",
	    "receivedtimestamp", "2026-12-07T16:30:00.000000+00:00",
	    "severity", "INFO", "summary", sum, "tags", "details", "hub", "h");
	json_decref(sum);
	if (ev == NULL)
		abort();
	for (i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i]->event(NULL, NULL, ev, &ctx) == -1)
			abort();	/* no allocation fails here */
	if (!json_is_object(json_object_get(ev, "details")) ||
	    !json_is_string(json_object_get(ev, "summary")))
		abort();
	free(json_dumps(ev, 0));
	json_decref(ev);
	return 0;
}
