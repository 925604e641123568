/* syslogframe — RFC 6587 framing of a syslog TCP stream.  See
 * syslogframe.h. */
#include <string.h>

#include "syslogframe.h"

void
syslogframe_init(struct syslogframe *f, size_t max)
{
	memset(f, 0, sizeof *f);
	f->max = max;
	f->delim = '\n';
	f->counted = 1;
}

void
syslogframe_init_nul(struct syslogframe *f, size_t max)
{
	memset(f, 0, sizeof *f);
	f->max = max;
	f->delim = '\0';
}

/* A line ends at LF; white space a sender adds at its end (CR, NUL of
   some old senders) is taken off. */
static size_t
trim(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\0' ||
	    p[n - 1] == '\n'))
		n--;
	return n;
}

int
syslogframe_next(struct syslogframe *f, const char *p, size_t n, int eof,
    const char **msg, size_t *len, size_t *used, const char **why)
{
	size_t	 off = 0, i, count;
	const char *lf;

	*used = 0;
	for (;;) {
		if (f->skip > 0) {		/* rest of a counted one */
			i = f->skip < n - off ? f->skip : n - off;
			f->skip -= i;
			off += i;
			if (f->skip > 0) {
				*used = off;
				return SF_MORE;
			}
			continue;
		}
		if (f->skip_line) {		/* rest of a long line */
			if ((lf = memchr(p + off, f->delim, n - off)) == NULL) {
				*used = n;
				return SF_MORE;
			}
			off = (size_t)(lf - p) + 1;
			f->skip_line = 0;
			continue;
		}
		/* Blank lines and stray NULs between messages. */
		while (off < n && (p[off] == '\n' || p[off] == '\r' ||
		    p[off] == '\0'))
			off++;
		if (off == n) {
			*used = off;
			return SF_MORE;
		}
		break;
	}
	if (f->counted && p[off] >= '1' && p[off] <= '9') {
		/* Octet counting, if digits and a space follow. */
		count = 0;
		for (i = off; i < n && i - off < 10 && p[i] >= '0' &&
		    p[i] <= '9'; i++)
			count = count * 10 + (size_t)(p[i] - '0');
		if (i == n && !eof && i - off < 10) {
			*used = off;
			return SF_MORE;
		}
		if (i < n && p[i] == ' ') {
			i++;
			if (count > f->max) {
				f->skip = count;
				*used = i;
				*why = "message longer than the limit";
				/* the skip runs at the next call */
				return SF_BAD;
			}
			if (n - i < count) {
				if (eof) {
					*used = n;
					*why = "stream ended inside a "
					    "counted message";
					return SF_BAD;
				}
				*used = off;
				return SF_MORE;
			}
			*msg = p + i;
			*len = trim(p + i, count);
			*used = i + count;
			if (*len == 0) {
				*why = "empty counted message";
				return SF_BAD;
			}
			return SF_MSG;
		}
		/* Not a count: a line that starts with a digit. */
	}
	if ((lf = memchr(p + off, f->delim, n - off)) == NULL) {
		if (n - off > f->max) {
			f->skip_line = 1;
			*used = n;
			*why = "line longer than the limit";
			return SF_BAD;
		}
		if (!eof) {
			*used = off;
			return SF_MORE;
		}
		lf = p + n;
	}
	if ((size_t)(lf - (p + off)) > f->max) {
		*used = lf < p + n ? (size_t)(lf - p) + 1 : n;
		*why = "line longer than the limit";
		return SF_BAD;
	}
	*msg = p + off;
	*len = trim(p + off, (size_t)(lf - (p + off)));
	*used = lf < p + n ? (size_t)(lf - p) + 1 : n;
	return SF_MSG;
}
