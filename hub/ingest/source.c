/* source — what every ingest source shares: its counters on /metrics and
 * the JSON text of a raw message.  See source.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "job.h"
#include "metrics.h"
#include "source.h"

/* The "inputs" table of metrics_more(): a list of sources it does not
   own (each input frees its own, after the net is gone). */
struct source_table {
	struct ingest_source	*head, **tail;
};

static void *
table_new(void)
{
	struct source_table *t = calloc(1, sizeof *t);

	if (t != NULL)
		t->tail = &t->head;
	return t;
}

static void
table_free(void *arg)
{
	free(arg);
}

static int
family(struct buf *out, struct source_table *t, const char *name,
    const char *type, const char *help, size_t off)
{
	struct ingest_source *s;
	int	 rc = buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name,
	    help, name, type);

	for (s = t->head; s != NULL && rc == 0; s = s->next) {
		const void *p = (const char *)s + off;
		long long v = strcmp(type, "gauge") == 0 ?
		    (long long)atomic_load((const atomic_int_fast64_t *)p) :
		    (long long)atomic_load((const atomic_uint_fast64_t *)p);

		rc = buf_printf(out, "%s{input=", name) == -1 ||
		    buf_json_string(out, s->kind, strlen(s->kind)) == -1 ||
		    buf_puts(out, ",url=") == -1 ||
		    buf_json_string(out, s->url, strlen(s->url)) == -1 ||
		    buf_printf(out, "} %lld\n", v) == -1 ? -1 : 0;
	}
	return rc;
}

static int
table_render(void *arg, struct buf *out)
{
	struct source_table *t = arg;

	if (t->head == NULL)
		return 0;
	return family(out, t, "ward_input_messages_total", "counter",
	    "Messages (syslog lines, GELF messages, broker deliveries) an "
	    "input took", offsetof(struct ingest_source, messages)) ||
	    family(out, t, "ward_input_events_total", "counter",
	    "Events an input's messages stored",
	    offsetof(struct ingest_source, events)) ||
	    family(out, t, "ward_input_rejected_total", "counter",
	    "Messages an input dropped as bad (framing, size, not JSON)",
	    offsetof(struct ingest_source, rejected)) ||
	    family(out, t, "ward_input_dropped_total", "counter",
	    "Datagrams the kernel dropped before an input read them "
	    "(socket buffer overruns)",
	    offsetof(struct ingest_source, dropped)) ||
	    family(out, t, "ward_input_failed_total", "counter",
	    "Events an input took that the store could not commit",
	    offsetof(struct ingest_source, failed)) ||
	    family(out, t, "ward_input_reconnects_total", "counter",
	    "Connections an input made again to its broker",
	    offsetof(struct ingest_source, reconnects)) ||
	    family(out, t, "ward_input_connections", "gauge",
	    "Connections open to an input now",
	    offsetof(struct ingest_source, connections)) ? -1 : 0;
}

int
source_register(struct metrics *m, struct ingest_source *s)
{
	struct source_table *t;

	if ((t = metrics_more(m, "inputs", table_new, table_render,
	    table_free)) == NULL)
		return -1;
	s->next = NULL;
	*t->tail = s;
	t->tail = &s->next;
	return 0;
}

size_t
source_count(struct ingest_source *s, const struct job *j)
{
	size_t	 i, stored = 0;

	if (j->status == 0 && j->ids != NULL)
		for (i = 0; i < j->split.n; i++)
			if (j->ids[i] >= 0)
				stored++;
	atomic_fetch_add(&s->events, stored);
	if (stored < j->split.n)
		atomic_fetch_add(&s->failed, j->split.n - stored);
	return stored;
}

/* The length of the UTF-8 sequence at p (at most n bytes), or 0 when it
   is not one (overlong, surrogate, past U+10FFFF, cut short). */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t	 len, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int
source_json_text(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i = 0, run = 0, l;

	if (buf_reserve(b, n + 2) == -1 || buf_append(b, "\"", 1) == -1)
		return -1;
	while (i < n) {
		char	 esc[6] = { '\\', 'u', '0', '0', 0, 0 };
		const char *e;
		size_t	 elen = 2, skip = 1;

		if (p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
		    p[i] != '\\') {
			i++;
			continue;
		}
		if (p[i] >= 0x80 && (l = utf8_len(p + i, n - i)) != 0) {
			i += l;
			continue;
		}
		/* Flush the plain run before this byte. */
		if (buf_append(b, s + run, i - run) == -1)
			return -1;
		switch (p[i]) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		default:
			if (p[i] >= 0x80) {
				e = "\\ufffd";
				elen = 6;
				break;
			}
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 15];
			e = esc;
			elen = 6;
			break;
		}
		if (buf_append(b, e, elen) == -1)
			return -1;
		i += skip;
		run = i;
	}
	return buf_append(b, s + run, n - run) == -1 ||
	    buf_append(b, "\"", 1) == -1 ? -1 : 0;
}
