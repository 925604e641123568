/*
 * libFuzzer target: what wardd reads back from a python plugin host
 * (hub/ingest/plugins.c), which runs code wardd does not control.
 *
 * The first byte picks how many plugins the set has (0-64), the input is
 * a reply: its header is read, and when it is whole the body is checked
 * against the COUNT it declares; every result pointer must lie inside the
 * input, every plugin index below the plugin count, and the event text of
 * j and e lines is parsed as the hub parses it (jsonfast, depth 64).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "plugins.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plugin_result *res;
	struct jsonfast_error je;
	uint64_t calls[PLUGINS_MAX], ns[PLUGINS_MAX];
	const char *p = (const char *)data + 1;
	size_t	 len, count, nbytes, hdr, i, np;
	uint32_t seq;
	char	 err[200];
	json_t	*ev;

	if (size < 1)
		return 0;
	np = data[0] % (PLUGINS_MAX + 1);
	len = size - 1;
	if (plugins_reply_header(p, len, &seq, &count, &nbytes, &hdr) != 1)
		return 0;
	if (hdr > len || nbytes > len - hdr || count > 4096)
		return 0;
	if ((res = calloc(count + 1, sizeof *res)) == NULL)
		return 0;
	memset(calls, 0, sizeof calls);
	memset(ns, 0, sizeof ns);
	if (plugins_reply_parse(p + hdr, nbytes, count, np, res, calls, ns,
	    err, sizeof err) == 0) {
		for (i = 0; i < count; i++) {
			if (res[i].kind != 'u' && (res[i].k < 0 ||
			    (size_t)res[i].k >= np))
				abort();
			if (res[i].kind != 'j' && res[i].kind != 'e')
				continue;
			if (res[i].event < p + hdr || res[i].event +
			    res[i].eventlen > p + hdr + nbytes)
				abort();
			if (res[i].kind == 'e' && (res[i].reason == NULL ||
			    res[i].reason[0] != '"'))
				abort();
			ev = jsonfast_parse(res[i].event, res[i].eventlen, NULL,
			    64, &je);
			json_decref(ev);
		}
	}
	free(res);
	return 0;
}
