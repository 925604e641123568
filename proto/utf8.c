/*
 * utf8 — decoding UTF-8, and writing JSON text a terminal can show safely
 * (see utf8.h).
 */
#include <stdio.h>

#include "utf8.h"

size_t
utf8_decode(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0], v, min;
	size_t	 len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

void
utf8_put_json(FILE *f, const char *s, size_t len)
{
	char	 u[8];
	size_t	 i = 0, k;
	unsigned cp;

	while (i < len) {
		if ((k = utf8_decode(s + i, len - i, &cp)) == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			snprintf(u, sizeof u, "\\u%04x", cp);
			fputs(u, f);
		} else
			fwrite(s + i, 1, k, f);
		i += k;
	}
	putc('\n', f);
}

