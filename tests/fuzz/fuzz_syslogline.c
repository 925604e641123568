/*
 * libFuzzer target: read the input as a syslog line, check that every
 * span lies inside it, walk the structured data, and apply the line to
 * an event (when the input is valid UTF-8, as a JSON string is).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "syslogline.h"
#include "timeparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
inside(struct sl_span sp, const char *s, size_t len)
{
	if (sp.p == NULL)
		return;
	if (sp.p < s || sp.p + sp.n > s + len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *s = (const char *)data;
	struct syslogline l;
	struct sl_param p;
	struct event_fields f;
	json_t	*ev, *str;
	size_t	 pos = 0, n = 0;

	if (syslogline_parse(s, len, INT64_C(1796661000) * 1000000, &l) != 0)
		return 0;
	if (l.pri < -1 || l.pri > 191)
		abort();
	inside(l.host, s, len);
	inside(l.app, s, len);
	inside(l.procid, s, len);
	inside(l.msgid, s, len);
	inside(l.sd, s, len);
	inside(l.msg, s, len);
	while (syslogline_sd_next(l.sd, &pos, &p)) {
		inside(p.id, s, len);
		inside(p.name, s, len);
		inside(p.value, s, len);
		if (++n > len)
			abort();
	}
	if ((str = json_stringn(s, len)) == NULL)
		return 0;		/* not UTF-8: no JSON string holds it */
	json_decref(str);
	ev = json_pack("{s:s, s:s, s:s, s:[], s:{}}", "utctimestamp",
	    "2026-12-07T16:30:00.000000+00:00", "receivedtimestamp",
	    "2026-12-07T16:30:00.000000+00:00", "severity", "INFO", "tags",
	    "details");
	if (ev == NULL || syslogline_apply(&l, ev) != 0 ||
	    normalize_fields(ev, 0, &f) != 0 || f.summary == NULL)
		abort();
	json_decref(ev);
	return 0;
}
