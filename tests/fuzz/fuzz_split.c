/*
 * libFuzzer target: split_body in every format, then normalize every
 * document it accepts, checking what the callers rely on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "split.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_result(const struct split_result *r, size_t len)
{
	const struct split_item	*it;
	struct normalize_opts	 o = { INT64_C(1795802400) * 1000000, "fz" };
	struct event_fields	 f;
	size_t			 i, bad = 0;

	for (i = 0; i < r->n; i++) {
		it = &r->items[i];
		if (it->offset >= len || it->line == 0)
			abort();
		if (memchr(it->err, '\0', sizeof(it->err)) == NULL ||
		    memchr(it->index, '\0', sizeof(it->index)) == NULL ||
		    memchr(it->action, '\0', sizeof(it->action)) == NULL)
			abort();
		if (it->doc == NULL) {
			if (it->status != 400 || it->err[0] == '\0')
				abort();
			bad++;
			continue;
		}
		if (it->status != 0 || it->err[0] != '\0' ||
		    !json_is_object(it->doc))
			abort();
		if (normalize_event(it->doc, &o, &f) != 0)
			abort();
		if (json_string_value(json_object_get(it->doc,
		    "utctimestamp")) == NULL ||
		    !json_is_object(json_object_get(it->doc, "details")))
			abort();
	}
	if (bad != r->bad)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum split_format fmts[] = {
		SPLIT_AUTO, SPLIT_JSON, SPLIT_NDJSON, SPLIT_STREAM, SPLIT_BULK
	};
	static const struct split_limits lim = { 16, 2000 };
	struct split_result	 r;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		split_result_init(&r);
		err[0] = 'x';
		if (split_body((const char *)data, len, fmts[i], &lim, &r, err,
		    sizeof(err)) == 0) {
			if (r.n > lim.max_docs)
				abort();
			check_result(&r, len);
		} else if (r.n != 0 || err[0] == '\0' ||
		    memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		split_result_release(&r);
	}
	return 0;
}
