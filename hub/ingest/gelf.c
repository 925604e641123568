/* gelf — GELF 1.1 messages and chunks.  See gelf.h. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gelf.h"
#include "gunzip.h"

#define MAX_PENDING	256	/* chunked messages held at once */

static int
dump_cb(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n);
}

/* Build the event of a GELF object.  NULL when out of memory or when
   it is not GELF (*why). */
static json_t *
event_of(json_t *g, const char *peer, const char **why)
{
	json_t	*ev, *d, *v;
	const char *k;
	int	 rc = 0;

	if (!json_is_string(json_object_get(g, "short_message")) ||
	    json_string_length(json_object_get(g, "short_message")) == 0) {
		*why = "no short_message (GELF requires one)";
		return NULL;
	}
	*why = "out of memory";
	if ((ev = json_object()) == NULL || (d = json_object()) == NULL) {
		json_decref(ev);
		return NULL;
	}
	json_object_foreach(g, k, v) {
		if (strcmp(k, "short_message") == 0)
			rc = json_object_set(ev, "summary", v);
		else if (strcmp(k, "host") == 0)
			rc = json_object_set(ev, "hostname", v);
		else if (strcmp(k, "level") == 0)
			rc = json_object_set(ev, "severity", v);
		else if (strcmp(k, "timestamp") == 0)
			rc = json_object_set(ev, "timestamp", v);
		else if (strcmp(k, "version") == 0)
			continue;
		else if (k[0] == '_' && k[1] != '\0')
			rc = json_object_set(d, k + 1, v);
		else		/* full_message, facility, file, line, ... */
			rc = json_object_set(d, k, v);
		if (rc == -1)
			break;
	}
	if (rc == 0)
		rc = json_object_set_new(d, "input", json_string("gelf"));
	if (rc == 0 && peer != NULL)
		rc = json_object_set_new(d, "peer", json_string(peer));
	if (rc == -1 || json_object_set_new(ev, "details", d) == -1) {
		json_decref(ev);
		return NULL;
	}
	return ev;
}

int
gelf_to_event(const char *p, size_t n, size_t max_inflated,
    const char *peer, struct buf *out, const char **why)
{
	struct buf raw;
	json_t	*g = NULL, *ev = NULL;
	size_t	 before = out->len;
	int	 rc = -1, z;

	buf_init(&raw);
	if (n >= 2 && (((unsigned char)p[0] == 0x1f &&
	    (unsigned char)p[1] == 0x8b) || ((unsigned char)p[0] == 0x78 &&
	    ((unsigned char)p[0] << 8 | (unsigned char)p[1]) % 31 == 0))) {
		if ((z = gunzip(p, n, max_inflated, &raw, NULL, 0)) != 0) {
			*why = z == -2 ? "message larger than the limit once "
			    "inflated" : "compressed data is corrupt or cut short";
			goto out;
		}
		p = raw.data;
		n = raw.len;
	}
	if ((g = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		*why = "not JSON";
		goto out;
	}
	if (!json_is_object(g)) {
		*why = "not a JSON object";
		goto out;
	}
	if ((ev = event_of(g, peer, why)) == NULL)
		goto out;
	if (json_dump_callback(ev, dump_cb, out, JSON_COMPACT) == -1 ||
	    buf_append(out, "\n", 1) == -1) {
		*why = "out of memory";
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
	}
	json_decref(ev);
	json_decref(g);
	buf_release(&raw);
	return rc;
}

/* One chunked message being put together. */
struct pending {
	uint64_t	 id;
	int64_t		 first_ms;
	unsigned	 count, have;
	size_t		 bytes;
	char		*part[GELF_MAX_CHUNKS];
	size_t		 partlen[GELF_MAX_CHUNKS];
};

struct gelf_chunks {
	size_t		 max_bytes, bytes;
	struct pending	*p[MAX_PENDING];
	size_t		 n;
	struct buf	 whole;		/* the last message completed */
};

struct gelf_chunks *
gelf_chunks_new(size_t max_bytes)
{
	struct gelf_chunks *c = calloc(1, sizeof *c);

	if (c != NULL)
		c->max_bytes = max_bytes;
	return c;
}

/* Give up pending message i. */
static void
drop(struct gelf_chunks *c, size_t i)
{
	struct pending *p = c->p[i];
	unsigned k;

	for (k = 0; k < p->count; k++)
		free(p->part[k]);
	c->bytes -= p->bytes;
	free(p);
	c->p[i] = c->p[--c->n];
}

void
gelf_chunks_free(struct gelf_chunks *c)
{
	if (c == NULL)
		return;
	while (c->n > 0)
		drop(c, c->n - 1);
	buf_release(&c->whole);
	free(c);
}

/* The oldest pending message. */
static size_t
oldest(const struct gelf_chunks *c)
{
	size_t	 i, o = 0;

	for (i = 1; i < c->n; i++)
		if (c->p[i]->first_ms < c->p[o]->first_ms)
			o = i;
	return o;
}

int
gelf_chunks_add(struct gelf_chunks *c, const char *d, size_t n,
    int64_t now_ms, const char **msg, size_t *len, const char **why,
    size_t *lost)
{
	struct pending *p = NULL;
	uint64_t id = 0;
	unsigned seq, count, k;
	size_t	 i;

	for (i = c->n; i > 0; i--)		/* expired ones go first */
		if (now_ms - c->p[i - 1]->first_ms > GELF_CHUNK_TIMEOUT_MS) {
			drop(c, i - 1);
			(*lost)++;
		}
	if (n < 2 || (unsigned char)d[0] != 0x1e ||
	    (unsigned char)d[1] != 0x0f) {
		*msg = d;
		*len = n;
		return 1;
	}
	if (n < 12) {
		*why = "chunk shorter than its header";
		return -1;
	}
	for (k = 0; k < 8; k++)
		id = id << 8 | (unsigned char)d[2 + k];
	seq = (unsigned char)d[10];
	count = (unsigned char)d[11];
	if (count == 0 || count > GELF_MAX_CHUNKS || seq >= count) {
		*why = "chunk number or count out of range (at most 128)";
		return -1;
	}
	d += 12;
	n -= 12;
	for (i = 0; i < c->n; i++)
		if (c->p[i]->id == id) {
			p = c->p[i];
			break;
		}
	if (p != NULL && p->count != count) {
		drop(c, i);
		(*lost)++;
		*why = "chunks of one message disagree on their count";
		return -1;
	}
	if (p != NULL && p->part[seq] != NULL)
		return 0;		/* a duplicate: the first one stays */
	if (n > c->max_bytes) {
		*why = "chunk larger than the limit";
		return -1;
	}
	/* Room: the oldest messages give way. */
	while (c->n > 0 && (c->bytes + n > c->max_bytes ||
	    (p == NULL && c->n == MAX_PENDING))) {
		size_t	 o = oldest(c);

		if (c->p[o] == p)
			p = NULL;
		drop(c, o);
		(*lost)++;
	}
	if (p == NULL) {
		if ((p = calloc(1, sizeof *p)) == NULL) {
			*why = "out of memory";
			return -1;
		}
		p->id = id;
		p->count = count;
		p->first_ms = now_ms;
		c->p[c->n++] = p;
	}
	if ((p->part[seq] = malloc(n ? n : 1)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	memcpy(p->part[seq], d, n);
	p->partlen[seq] = n;
	p->bytes += n;
	c->bytes += n;
	if (++p->have < p->count)
		return 0;
	buf_reset(&c->whole);
	for (k = 0; k < p->count; k++)
		if (buf_append(&c->whole, p->part[k], p->partlen[k]) == -1) {
			*why = "out of memory";
			break;
		}
	for (i = 0; i < c->n && c->p[i] != p; i++)
		;
	drop(c, i);
	if (k < count)
		return -1;
	*msg = c->whole.data != NULL ? c->whole.data : "";
	*len = c->whole.len;
	return 1;
}
