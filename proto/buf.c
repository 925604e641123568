#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 want, cap;
	char	*p;

	if (n > (size_t)-1 / 2 - b->len)
		return -1;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room;
	int	 n;

	if (buf_reserve(b, 64) == -1)
		return -1;
	/* Usually it fits in the room there is: one pass. */
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= room) {
		if (buf_reserve(b, (size_t)n) == -1) {
			b->data[b->len] = '\0';
			return -1;
		}
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

int
buf_json_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i, run = 0;

	if (buf_reserve(b, n + 2) == -1 || buf_append(b, "\"", 1) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char	 esc[6] = { '\\', 'u', '0', '0', 0, 0 };
		const char *e;
		size_t	 elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* Flush the run of plain bytes before this one. */
		if (buf_append(b, s + run, i - run) == -1)
			return -1;
		run = i + 1;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			e = esc;
			elen = 6;
			break;
		}
		if (buf_append(b, e, elen) == -1)
			return -1;
	}
	if (buf_append(b, s + run, n - run) == -1)
		return -1;
	return buf_append(b, "\"", 1);
}

char *
buf_steal(struct buf *b, size_t *len)
{
	char	*p = b->data;

	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return p;
}

size_t
buf_int64_text(char *out, int64_t i)
{
	char	 d[BUF_INT64_LEN], *p = d + sizeof d;
	uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
	size_t	 n;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (i < 0)
		*--p = '-';
	n = (size_t)(d + sizeof d - p);
	memcpy(out, p, n);
	return n - 1;
}

int
buf_int64(struct buf *b, int64_t i)
{
	char	 d[BUF_INT64_LEN];

	return buf_append(b, d, buf_int64_text(d, i));
}
