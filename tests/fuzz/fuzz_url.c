/*
 * fuzz_url — libFuzzer target for proto/url.c (the console's hub URL, a
 * webhook's url): any text either parses, into a host that is not empty
 * and a path inside the text that is empty or starts with '/', or is
 * refused with a reason.
 *
 *   make build/fuzz/fuzz_url && build/fuzz/fuzz_url -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url u;
	char	*s, err[128];

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (url_parse(s, &u, err, sizeof err) == 0) {
		if (u.host[0] == '\0' || u.scheme[0] == '\0' ||
		    u.port < 0 || u.port > 65535 || u.path < s ||
		    u.path > s + strlen(s) ||
		    (*u.path != '\0' && *u.path != '/'))
			abort();
	} else if (err[0] == '\0')
		abort();	/* a refusal must say why */
	free(s);
	return 0;
}
