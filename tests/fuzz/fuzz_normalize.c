/*
 * libFuzzer target: parse the input as one JSON object, normalize it and
 * check the schema's invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "timeparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_time(json_t *ev, const char *k, int64_t want)
{
	const char	*s;
	int64_t		 us;

	if ((s = json_string_value(json_object_get(ev, k))) == NULL ||
	    strlen(s) != TIME_ISO_LEN - 1 || time_parse(s, 0, &us) != 0)
		abort();
	if (want != -1 && us != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const fields[] = {
		"category", "summary", "hostname", "processname", "source"
	};
	struct normalize_opts	 o;
	struct event_fields	 f;
	json_error_t		 e;
	json_t			*ev, *v;
	const char		*s;
	size_t			 i;

	ev = json_loadb((const char *)data, len, 0, &e);
	if (!json_is_object(ev)) {
		json_decref(ev);
		return 0;
	}
	o.received_us = INT64_C(1795802400) * 1000000;
	o.hub = len % 2 ? "hub" : NULL;
	if (normalize_event(ev, &o, &f) != 0)
		abort();
	check_time(ev, "utctimestamp", f.utc_us);
	check_time(ev, "receivedtimestamp", o.received_us);
	if ((s = json_string_value(json_object_get(ev, "severity"))) == NULL ||
	    severity_parse(s) != f.severity || severity_name(f.severity) == NULL)
		abort();
	if (!json_is_object(json_object_get(ev, "details")) ||
	    !json_is_array(json_object_get(ev, "tags")))
		abort();
	if (o.hub != NULL && strcmp(json_string_value(json_object_get(
	    json_object_get(ev, "details"), "hub")), "hub") != 0)
		abort();
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		v = json_object_get(ev, fields[i]);
		if (v != NULL && !json_is_string(v))
			abort();
	}
	if (f.summary != json_string_value(json_object_get(ev, "summary")))
		abort();
	/* only the schema's fields are left at the top */
	if (json_object_size(ev) > 11)
		abort();
	/* normalizing its own output works too */
	if (normalize_event(ev, &o, &f) != 0)
		abort();
	json_decref(ev);
	return 0;
}
