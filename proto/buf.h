/* buf — a growable byte buffer, always NUL-terminated. */
#ifndef WARD_BUF_H
#define WARD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char	*data;		/* NUL-terminated; NULL until the first append */
	size_t	 len;
	size_t	 cap;
};

/* Start empty; no allocation until the first append. */
void	buf_init(struct buf *);
/* Free the storage; the buffer is empty and reusable afterwards. */
void	buf_release(struct buf *);
/* Make room for n more bytes.  Returns 0, or -1 when out of memory. */
int	buf_reserve(struct buf *, size_t n);
/* Append n bytes.  Returns 0 or -1 (out of memory; buffer unchanged). */
int	buf_append(struct buf *, const void *p, size_t n);
/* Append a NUL-terminated string.  Returns 0 or -1. */
int	buf_puts(struct buf *, const char *s);
/* Append printf-style.  Returns 0 or -1. */
int	buf_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The decimal form of i into out (BUF_INT64_LEN bytes or more, NUL-
   terminated), at a tenth of snprintf's cost.  Returns its length. */
#define BUF_INT64_LEN	21
size_t	buf_int64_text(char *out, int64_t i);
/* Append the decimal form of i.  Returns 0 or -1. */
int	buf_int64(struct buf *, int64_t i);
/* Append s as a JSON string literal with quotes.  Returns 0 or -1. */
int	buf_json_string(struct buf *, const char *s, size_t n);
/* Forget the contents but keep the storage. */
void	buf_reset(struct buf *);
/* Hand the storage to the caller (who frees it); the buffer is empty. */
char	*buf_steal(struct buf *, size_t *len);

#endif
