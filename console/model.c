/*
 * model — what this console knows.  See model.h.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "buf.h"
#include "jsonfast.h"
#include "layout.h"
#include "model.h"
#include "query.h"
#include "timeparse.h"
#include "wire.h"

#define AGG_SLOTS	(MODEL_AGG_MAX * 2)

static const char *const sev_names[] = { "EMERGENCY", "ALERT", "CRITICAL",
	"ERROR", "WARNING", "NOTICE", "INFO", "DEBUG" };
static const char *const sev_short[] = { "EMRG", "ALRT", "CRIT", "ERR",
	"WARN", "NOTE", "INFO", "DEBG", "-" };

int
model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	m->ev = calloc(MODEL_EVENTS_MAX, sizeof *m->ev);
	m->rows = calloc(MODEL_EVENTS_MAX, sizeof *m->rows);
	m->aggr = calloc(AGG_SLOTS, sizeof *m->aggr);
	m->lines = calloc(MODEL_LINE_CACHE, sizeof *m->lines);
	if (m->ev == NULL || m->rows == NULL || m->aggr == NULL ||
	    m->lines == NULL) {
		model_release(m);
		return -1;
	}
	return 0;
}

static void
agg_reset(struct model *m)
{
	size_t i;

	if (m->aggr != NULL)
		for (i = 0; i < AGG_SLOTS; i++) {
			free(m->aggr[i].key);
			m->aggr[i].key = NULL;
			m->aggr[i].count = 0;
		}
	m->agg_n = 0;
	m->agg_other = 0;
}

void
model_release(struct model *m)
{
	size_t i;

	model_events_clear(m);
	agg_reset(m);
	free(m->ev);
	free(m->blk);
	free(m->open);
	for (i = 0; i < MODEL_BLOCK_CACHE; i++)
		free(m->cache[i].data);
	if (m->zdef != NULL)
		deflateEnd(m->zdef);
	if (m->zinf != NULL)
		inflateEnd(m->zinf);
	free(m->zdef);
	free(m->zinf);
	free(m->rows);
	free(m->aggr);
	query_free(m->q);
	free(m->qtext);
	free(m->lines);
	for (i = 0; i < m->alerts_n; i++)
		json_decref(m->alerts[i]);
	free(m->alerts);
	json_decref(m->incidents);
	json_decref(m->inc);
	json_decref(m->presence);
	memset(m, 0, sizeof *m);
}

int
model_sev_rank(const char *name)
{
	int i;

	if (name == NULL)
		return MODEL_SEV_UNKNOWN;
	for (i = 0; i < 8; i++)
		if (strcasecmp(name, sev_names[i]) == 0)
			return i;
	return MODEL_SEV_UNKNOWN;
}

const char *
model_sev_name(int rank)
{
	return rank >= 0 && rank < 8 ? sev_names[rank] : "-";
}

const json_t *
model_path(const json_t *o, const char *path)
{
	const char *dot;
	char	 part[QUERY_MAX_FIELD + 1];
	size_t	 n;

	while (o != NULL && json_is_object(o)) {
		/* A key with dots in it wins over the path through it. */
		const json_t *v = json_object_get(o, path);

		if (v != NULL)
			return v;
		if ((dot = strchr(path, '.')) == NULL)
			return NULL;
		n = (size_t)(dot - path);
		if (n >= sizeof part)
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = json_object_get(o, part);
		path = dot + 1;
	}
	return NULL;
}

void
model_value_text(const json_t *v, char *out, size_t outlen)
{
	char *s;

	if (outlen == 0)
		return;
	if (v == NULL || json_is_null(v))
		snprintf(out, outlen, "-");
	else if (json_is_string(v))
		snprintf(out, outlen, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, outlen, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) !=
	    NULL) {
		snprintf(out, outlen, "%s", s);
		free(s);
	} else
		snprintf(out, outlen, "?");
}

/* Count tables. */

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The table's key for ev; 0, or -1 when ev has none (histogram without a
   time). */
static int
agg_key(const struct model *m, const json_t *ev, char *key, size_t keylen,
    int64_t *bucket)
{
	const struct query *q = m->q;
	char	 v[256], t[TIME_ISO_LEN];
	size_t	 i, kl = 0;
	int64_t	 us;
	const char *s;

	*bucket = 0;
	switch (q->agg) {
	case QUERY_AGG_COUNT:
		snprintf(key, keylen, "count");
		return 0;
	case QUERY_AGG_HISTOGRAM:
		s = json_string_value(json_object_get(ev, "utctimestamp"));
		if (s == NULL || time_parse(s, 0, &us) != 0 ||
		    q->interval_us <= 0)
			return -1;
		us -= ((us % q->interval_us) + q->interval_us) %
		    q->interval_us;
		*bucket = us;
		time_format(us, t);
		snprintf(key, keylen, "%s", t);
		return 0;
	default:
		key[0] = '\0';
		for (i = 0; i < q->nby; i++) {
			model_value_text(model_path(ev, q->by[i].path), v,
			    sizeof v);
			kl += (size_t)snprintf(key + kl, keylen - kl, "%s%s",
			    i ? " | " : "", v);
			if (kl >= keylen)
				break;
		}
		return 0;
	}
}

static unsigned
agg_add(struct model *m, const json_t *ev)
{
	struct model_agg_row *r;
	char	 key[512];
	int64_t	 bucket;
	size_t	 i;

	if (m->q == NULL || m->q->agg == QUERY_AGG_NONE)
		return 0;
	if (agg_key(m, ev, key, sizeof key, &bucket) == -1)
		return 0;
	i = hash(key) % AGG_SLOTS;
	for (;;) {
		r = &m->aggr[i];
		if (r->key == NULL)
			break;
		if (strcmp(r->key, key) == 0) {
			r->count++;
			return MC_AGG;
		}
		i = (i + 1) % AGG_SLOTS;
	}
	if (m->agg_n >= MODEL_AGG_MAX || (r->key = strdup(key)) == NULL) {
		m->agg_other++;
		return MC_AGG;
	}
	r->count = 1;
	r->bucket = bucket;
	m->agg_n++;
	return MC_AGG;
}

static int
agg_cmp_count(const void *a, const void *b)
{
	const struct model_agg_row *x = *(const struct model_agg_row *const *)a;
	const struct model_agg_row *y = *(const struct model_agg_row *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int
agg_cmp_time(const void *a, const void *b)
{
	const struct model_agg_row *x = *(const struct model_agg_row *const *)a;
	const struct model_agg_row *y = *(const struct model_agg_row *const *)b;

	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

size_t
model_agg_sorted(const struct model *m, const struct model_agg_row **out,
    size_t max)
{
	const struct model_agg_row **all;
	size_t	 i, n = 0;

	if (m->agg_n == 0 || max == 0)
		return 0;
	if ((all = malloc(m->agg_n * sizeof *all)) == NULL)
		return 0;
	for (i = 0; i < AGG_SLOTS && n < m->agg_n; i++)
		if (m->aggr[i].key != NULL)
			all[n++] = &m->aggr[i];
	qsort(all, n, sizeof *all, m->q != NULL && m->q->agg ==
	    QUERY_AGG_HISTOGRAM ? agg_cmp_time : agg_cmp_count);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof *all);
	free(all);
	return n;
}

/* Events.  Their text lives in blocks of about MODEL_BLOCK_BYTES: the
   newest block as it is, each older one deflated once full.  A few
   inflated blocks are cached for the rows being looked at. */

static struct model_block *
blk_at(const struct model *m, uint64_t b)
{
	if (b < m->blk_first || b - m->blk_first >= m->blk_n)
		return NULL;
	return &m->blk[(m->blk_head + (b - m->blk_first)) % m->blk_cap];
}

/* The logical number of e's block. */
static uint64_t
blk_of(const struct model *m, const struct model_event *e)
{
	return m->blk_first + (uint32_t)(e->blk - (uint32_t)m->blk_first);
}

/* The open block (the newest, not sealed), or NULL. */
static struct model_block *
blk_open(struct model *m)
{
	struct model_block *b;

	if (m->blk_n == 0)
		return NULL;
	b = blk_at(m, m->blk_first + m->blk_n - 1);
	return b->sealed ? NULL : b;
}

/* Start a new open block.  Returns it, or NULL when out of memory. */
static struct model_block *
blk_push(struct model *m)
{
	struct model_block *nb;
	size_t	 i, cap;

	if (m->blk_n == m->blk_cap) {
		cap = m->blk_cap ? m->blk_cap * 2 : 256;
		if ((nb = calloc(cap, sizeof *nb)) == NULL)
			return NULL;
		for (i = 0; i < m->blk_n; i++)
			nb[i] = m->blk[(m->blk_head + i) % m->blk_cap];
		free(m->blk);
		m->blk = nb;
		m->blk_cap = cap;
		m->blk_head = 0;
	}
	nb = &m->blk[(m->blk_head + m->blk_n) % m->blk_cap];
	memset(nb, 0, sizeof *nb);
	m->blk_n++;
	return nb;
}

static void
blk_pop_front(struct model *m)
{
	struct model_block *b = &m->blk[m->blk_head];

	m->ev_bytes -= b->sealed ? b->size : b->rawlen;
	free(b->data);
	memset(b, 0, sizeof *b);
	m->blk_head = (m->blk_head + 1) % m->blk_cap;
	m->blk_n--;
	m->blk_first++;
}

/* The cache slot to use next: a free one, else the least recently used. */
static size_t
cache_victim(const struct model *m)
{
	size_t	 i, v = 0;

	for (i = 0; i < MODEL_BLOCK_CACHE; i++) {
		if (!m->cache[i].valid)
			return i;
		if (m->cache[i].used < m->cache[v].used)
			v = i;
	}
	return v;
}

/*
 * Seal the open block b: deflate its text, or keep a copy as it is when
 * that does not shrink it.  The text itself moves to the cache (the newest
 * rows are the ones shown), whose least used buffer becomes the next open
 * block's.  Out of memory, b stays open.
 */
static void
blk_seal(struct model *m, struct model_block *b)
{
	z_stream *z = m->zdef;
	unsigned char *out = NULL, *fit;
	uLong	 bound;
	size_t	 v, cap;
	char	*t;

	if (z == NULL && (z = calloc(1, sizeof *z)) != NULL) {
		if (deflateInit(z, Z_BEST_SPEED) != Z_OK) {
			free(z);
			z = NULL;
		}
		m->zdef = z;
	}
	if (z != NULL && deflateReset(z) == Z_OK) {
		bound = deflateBound(z, b->rawlen);
		if ((out = malloc(bound)) != NULL) {
			z->next_in = (unsigned char *)m->open;
			z->avail_in = b->rawlen;
			z->next_out = out;
			z->avail_out = (uInt)bound;
			if (deflate(z, Z_FINISH) != Z_STREAM_END ||
			    z->total_out >= b->rawlen) {
				free(out);
				out = NULL;
			}
		}
	}
	if (out != NULL) {
		b->size = (uint32_t)z->total_out;
		b->packed = 1;
		if ((fit = realloc(out, b->size)) != NULL)
			out = fit;
	} else if ((out = malloc(b->rawlen)) != NULL) {
		memcpy(out, m->open, b->rawlen);
		b->size = b->rawlen;
	} else
		return;
	b->data = out;
	b->sealed = 1;
	m->ev_bytes = m->ev_bytes - b->rawlen + b->size;
	v = cache_victim(m);
	t = m->cache[v].data;
	cap = m->cache[v].cap;
	m->cache[v].data = m->open;
	m->cache[v].cap = m->open_cap;
	m->cache[v].b = m->blk_first + m->blk_n - 1;
	m->cache[v].valid = 1;
	m->cache[v].used = ++m->cache_clock;
	m->open = t;
	m->open_cap = cap;
}

/* The text of block bn (rawlen bytes), inflating it when it is not at
   hand.  NULL when it is gone or memory is short. */
static const char *
blk_text(struct model *m, uint64_t bn)
{
	struct model_block *b = blk_at(m, bn);
	z_stream *z = m->zinf;
	size_t	 i, v;
	char	*d;

	if (b == NULL)
		return NULL;
	if (!b->sealed)
		return m->open;
	if (!b->packed)
		return (const char *)b->data;
	for (i = 0; i < MODEL_BLOCK_CACHE; i++)
		if (m->cache[i].valid && m->cache[i].b == bn) {
			m->cache[i].used = ++m->cache_clock;
			return m->cache[i].data;
		}
	if (z == NULL && (z = calloc(1, sizeof *z)) != NULL) {
		if (inflateInit(z) != Z_OK) {
			free(z);
			z = NULL;
		}
		m->zinf = z;
	}
	if (z == NULL || inflateReset(z) != Z_OK)
		return NULL;
	v = cache_victim(m);
	m->cache[v].valid = 0;
	if (m->cache[v].cap < b->rawlen) {
		if ((d = realloc(m->cache[v].data, b->rawlen)) == NULL)
			return NULL;
		m->cache[v].data = d;
		m->cache[v].cap = b->rawlen;
	}
	z->next_in = b->data;
	z->avail_in = b->size;
	z->next_out = (unsigned char *)m->cache[v].data;
	z->avail_out = b->rawlen;
	if (inflate(z, Z_FINISH) != Z_STREAM_END || z->total_out != b->rawlen)
		return NULL;
	m->cache[v].b = bn;
	m->cache[v].valid = 1;
	m->cache[v].used = ++m->cache_clock;
	return m->cache[v].data;
}

const char *
model_event_text(struct model *m, const struct model_event *e, size_t *len)
{
	const char *t;

	if (e == NULL || (t = blk_text(m, blk_of(m, e))) == NULL)
		return NULL;
	*len = e->len;
	return t + e->off;
}

json_t *
model_event_json(struct model *m, const struct model_event *e)
{
	struct jsonfast_error je;
	const char *t;
	size_t	 len;

	if ((t = model_event_text(m, e, &len)) == NULL)
		return NULL;
	return jsonfast_parse(t, len, NULL, JSONFAST_DEPTH_MAX, &je);
}

static void
evict(struct model *m)
{
	struct model_event *e = &m->ev[m->ev_first % MODEL_EVENTS_MAX];
	struct model_block *b = blk_at(m, blk_of(m, e));

	/* Events go in order: a block left empty is the oldest. */
	if (b != NULL && --b->live == 0)
		blk_pop_front(m);
	if (m->rows_n > 0 && m->rows[m->rows_head] == m->ev_first) {
		m->rows_head = (m->rows_head + 1) % MODEL_EVENTS_MAX;
		m->rows_n--;
		m->rows_dropped++;
	}
	m->ev_first++;
	m->ev_n--;
}

static void
row_push(struct model *m, uint64_t n)
{
	m->rows[(m->rows_head + m->rows_n) % MODEL_EVENTS_MAX] = n;
	m->rows_n++;
}

/* Is the event with id held?  The ring is in id order (events come live
   in commit order; model_events_merge keeps the order): a binary search. */
static int
held(const struct model *m, int64_t id)
{
	size_t	 lo = 0, hi = m->ev_n, mid;
	int64_t	 v;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		v = m->ev[(m->ev_first + mid) % MODEL_EVENTS_MAX].id;
		if (v == id)
			return 1;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

unsigned
model_event_add(struct model *m, int64_t id, const char *json, size_t len)
{
	struct jsonfast_error je;
	struct model_block *b;
	struct model_event *e;
	json_t	*ev;
	char	 sev[16], *d;
	size_t	 cap;
	uint64_t n;
	unsigned r = 0;

	if (len == 0 || len > MODEL_EVENT_BYTES)
		return 0;
	/* Stored events fetched by a search may come before the live push
	   of the same event: once is enough. */
	if (m->ev_n > 0 && id <= m->ev[(m->ev_first + m->ev_n - 1) %
	    MODEL_EVENTS_MAX].id && held(m, id))
		return 0;
	if ((b = blk_open(m)) != NULL && b->rawlen > 0 &&
	    b->rawlen + len > MODEL_BLOCK_BYTES)
		blk_seal(m, b);
	while (m->ev_n > 0 && (m->ev_n >= MODEL_EVENTS_MAX ||
	    m->ev_bytes + len > MODEL_EVENT_BYTES))
		evict(m);
	if ((b = blk_open(m)) == NULL && (b = blk_push(m)) == NULL)
		return 0;
	if (b->rawlen + len > m->open_cap) {
		cap = b->rawlen + len > MODEL_BLOCK_BYTES ? b->rawlen + len :
		    MODEL_BLOCK_BYTES;
		if ((d = realloc(m->open, cap)) == NULL) {
			if (b->live == 0)	/* the one just pushed */
				m->blk_n--;
			return 0;
		}
		m->open = d;
		m->open_cap = cap;
	}
	n = m->ev_first + m->ev_n;
	e = &m->ev[n % MODEL_EVENTS_MAX];
	e->id = id;
	e->blk = (uint32_t)(m->blk_first + m->blk_n - 1);
	e->off = b->rawlen;
	e->len = (uint32_t)len;
	wire_json_field(json, len, "severity", sev, sizeof sev);
	e->sev = (unsigned char)model_sev_rank(sev);
	memcpy(m->open + b->rawlen, json, len);
	b->rawlen += (uint32_t)len;
	b->live++;
	m->ev_bytes += len;
	m->ev_n++;
	m->ev_total++;
	if (m->q == NULL) {
		row_push(m, n);
		return MC_EVENTS;
	}
	/* A query: the one case that parses the event. */
	if ((ev = jsonfast_parse(json, len, NULL, JSONFAST_DEPTH_MAX, &je)) ==
	    NULL)
		return 0;
	if (query_match(m->q, ev)) {
		row_push(m, n);
		r = MC_EVENTS | agg_add(m, ev);
	}
	json_decref(ev);
	return r;
}

int
model_events_query(struct model *m, struct query *q, const char *text)
{
	const struct model_event *e;
	struct jsonfast_error je;
	const char *t;
	char	*qt = NULL;
	json_t	*ev;
	size_t	 len;
	uint64_t n;

	if (text != NULL && (qt = strdup(text)) == NULL) {
		query_free(q);
		return -1;
	}
	query_free(m->q);
	free(m->qtext);
	m->q = q;
	m->qtext = qt;
	m->agg = q != NULL ? (int)q->agg : QUERY_AGG_NONE;
	agg_reset(m);
	/* Rows are renumbered: forget the formatted ones' order too. */
	m->rows_dropped += m->rows_n;
	m->rows_head = m->rows_n = 0;
	for (n = m->ev_first; n < m->ev_first + m->ev_n; n++) {
		e = &m->ev[n % MODEL_EVENTS_MAX];
		if (q == NULL) {
			row_push(m, n);
			continue;
		}
		if ((t = model_event_text(m, e, &len)) == NULL ||
		    (ev = jsonfast_parse(t, len, NULL, JSONFAST_DEPTH_MAX,
		    &je)) == NULL)
			continue;
		if (query_match(q, ev)) {
			row_push(m, n);
			agg_add(m, ev);
		}
		json_decref(ev);
	}
	return 0;
}

/* One event to merge: its id and its text in a shared buffer. */
struct mev {
	int64_t	 id;
	size_t	 off, len;
};

static int
mev_cmp(const void *a, const void *b)
{
	const struct mev *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
model_events_merge(struct model *m, const json_t *rows)
{
	struct mev *add = NULL, *held = NULL;
	struct buf text;
	const json_t *r;
	const char *t;
	int64_t	*ids = NULL, id, last = INT64_MIN;
	size_t	 i, j, n = 0, nh = 0, len;
	uint64_t total = m->ev_total;
	unsigned mc = 0;
	char	*s;
	int	 rc = -1;

	buf_init(&text);
	/* The ids held now, sorted, to leave those out. */
	if (m->ev_n > 0) {
		if ((ids = malloc(m->ev_n * sizeof *ids)) == NULL)
			goto out;
		for (i = 0; i < m->ev_n; i++)
			ids[i] = m->ev[(m->ev_first + i) % MODEL_EVENTS_MAX].id;
		last = ids[m->ev_n - 1];
		qsort(ids, m->ev_n, sizeof *ids, id_cmp);
	}
	if ((add = calloc(json_array_size(rows) + 1, sizeof *add)) == NULL)
		goto out;
	json_array_foreach(rows, i, r) {
		if (!json_is_integer(json_object_get(r, "id")))
			continue;	/* not an event (a count) */
		id = json_integer_value(json_object_get(r, "id"));
		if (m->ev_n > 0 && bsearch(&id, ids, m->ev_n, sizeof *ids,
		    id_cmp) != NULL)
			continue;
		/* Older than all held when the ring is full: it would go
		   at once (a rebuild of 100,000 events costs 330 ms). */
		if (m->ev_n >= MODEL_EVENTS_MAX && id < ids[0])
			continue;
		if ((s = json_dumps(r, JSON_COMPACT)) == NULL)
			goto out;
		add[n].id = id;
		add[n].off = text.len;
		add[n].len = strlen(s);
		j = buf_append(&text, s, add[n].len);
		free(s);
		if (j != 0)
			goto out;
		n++;
	}
	rc = 0;
	if (n == 0)
		goto out;
	qsort(add, n, sizeof *add, mev_cmp);
	/* Newer than all held (or nothing held): added at the end. */
	if (m->ev_n == 0 || add[0].id > last) {
		for (i = 0; i < n; i++)
			mc |= model_event_add(m, add[i].id, text.data +
			    add[i].off, add[i].len);
		rc = (int)mc;
		goto out;
	}
	/* Else the ring is made again in id order, held events and new. */
	if ((held = calloc(m->ev_n, sizeof *held)) == NULL) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < m->ev_n; i++) {
		const struct model_event *e = &m->ev[(m->ev_first + i) %
		    MODEL_EVENTS_MAX];

		if ((t = model_event_text(m, e, &len)) == NULL)
			continue;
		held[nh].id = e->id;
		held[nh].off = text.len;
		held[nh].len = len;
		if (buf_append(&text, t, len) != 0) {
			rc = -1;
			goto out;
		}
		nh++;
	}
	model_events_clear(m);
	for (i = j = 0; i < n || j < nh; ) {
		const struct mev *e = j >= nh || (i < n && add[i].id <
		    held[j].id) ? &add[i++] : &held[j++];

		mc |= model_event_add(m, e->id, text.data + e->off, e->len);
	}
	m->ev_total = total + n;
	rc = (int)mc;
out:
	free(held);
	free(add);
	free(ids);
	buf_release(&text);
	return rc;
}

void
model_events_clear(struct model *m)
{
	if (m->ev != NULL)
		while (m->ev_n > 0)
			evict(m);
	m->rows_dropped += m->rows_n;
	m->rows_head = m->rows_n = 0;
	agg_reset(m);
}

const struct model_event *
model_row(const struct model *m, size_t i)
{
	uint64_t n;

	if (i >= m->rows_n)
		return NULL;
	n = m->rows[(m->rows_head + i) % MODEL_EVENTS_MAX];
	if (n < m->ev_first || n >= m->ev_first + m->ev_n)
		return NULL;
	return &m->ev[n % MODEL_EVENTS_MAX];
}

/* Append the escaped s, padded or cut to cols cells (cols < 0: as is). */
static size_t
put_col(char *out, size_t o, size_t outlen, const char *s, int cols)
{
	char	 esc[1024];
	size_t	 n, fit;
	int	 w;

	n = layout_escape(s, strlen(s), esc, sizeof esc, 1);
	fit = cols < 0 ? n : layout_fit(esc, n, cols, &w);
	if (cols < 0)
		w = 0;
	if (o + fit + 1 >= outlen)
		fit = outlen > o + 1 ? outlen - o - 1 : 0;
	memcpy(out + o, esc, fit);
	o += fit;
	while (cols >= 0 && w < cols && o + 1 < outlen) {
		out[o++] = ' ';
		w++;
	}
	out[o] = '\0';
	return o;
}

/* The row of the event whose JSON is json[0..len). */
static void
event_line(const char *json, size_t len, int sev, char *out, size_t outlen)
{
	char	 t[64], h[256], p[256], s[MODEL_LINE_MAX], tm[16];
	size_t	 o = 0;

	out[0] = '\0';
	if (wire_json_field(json, len, "utctimestamp", t, sizeof t) >= 19)
		snprintf(tm, sizeof tm, "%.8s", t + 11);
	else
		snprintf(tm, sizeof tm, "--:--:--");
	if (wire_json_field(json, len, "hostname", h, sizeof h) < 0)
		snprintf(h, sizeof h, "-");
	o = put_col(out, o, outlen, tm, 9);
	o = put_col(out, o, outlen, sev_short[sev >= 0 && sev <= 8 ? sev : 8],
	    5);
	o = put_col(out, o, outlen, h, 16);
	o = put_col(out, o, outlen, " ", 1);
	if (wire_json_field(json, len, "processname", p, sizeof p) >= 0) {
		o = put_col(out, o, outlen, p, -1);
		o = put_col(out, o, outlen, ": ", -1);
	}
	wire_json_field(json, len, "summary", s, sizeof s);
	put_col(out, o, outlen, s, -1);
}

const char *
model_row_line(struct model *m, size_t i)
{
	const struct model_event *e;
	const char *t;
	uint64_t n;
	size_t	 slot, len;

	if ((e = model_row(m, i)) == NULL)
		return "";
	n = m->rows[(m->rows_head + i) % MODEL_EVENTS_MAX];
	slot = n % MODEL_LINE_CACHE;
	if (m->lines[slot].valid && m->lines[slot].n == n)
		return m->lines[slot].line;
	if ((t = model_event_text(m, e, &len)) == NULL)
		return "";
	event_line(t, len, e->sev, m->lines[slot].line, MODEL_LINE_MAX);
	m->lines[slot].n = n;
	m->lines[slot].valid = 1;
	return m->lines[slot].line;
}

/* Alerts. */

json_t *
model_alert_find(const struct model *m, int64_t id)
{
	size_t i;

	for (i = m->alerts_n; i > 0; i--)
		if (json_integer_value(json_object_get(m->alerts[i - 1],
		    "id")) == id)
			return m->alerts[i - 1];
	return NULL;
}

void
model_alert_text(const json_t *a, char *out, size_t outlen)
{
	const char *rule = json_string_value(json_object_get(a, "rule"));
	const char *sum = json_string_value(json_object_get(a, "summary"));
	size_t	 n;

	if (rule == NULL || *rule == '\0')
		rule = json_string_value(json_object_get(a, "rule_id"));
	if (sum == NULL || *sum == '\0') {
		snprintf(out, outlen, "%s", rule != NULL ? rule : "?");
		return;
	}
	/* Rule summaries often start with their title ("SSH brute force:
	   10 failed logins ..."): say it once. */
	if (rule == NULL || *rule == '\0' || ((n = strlen(rule)) > 0 &&
	    strncasecmp(sum, rule, n) == 0 && !isalnum((unsigned char)sum[n])))
		snprintf(out, outlen, "%s", sum);
	else
		snprintf(out, outlen, "%s: %s", rule, sum);
}

unsigned
model_alert_add(struct model *m, const json_t *a)
{
	json_t	*old, **na;
	const json_t *id;

	if (!json_is_object(a))
		return 0;
	id = json_object_get(a, "id");
	if (json_is_integer(id) && (old = model_alert_find(m,
	    json_integer_value(id))) != NULL) {
		json_object_update(old, (json_t *)a);
		return MC_ALERTS;
	}
	if (m->alerts_n == MODEL_ALERTS_MAX) {
		json_decref(m->alerts[0]);
		memmove(m->alerts, m->alerts + 1, (m->alerts_n - 1) *
		    sizeof *m->alerts);
		m->alerts_n--;
	}
	if (m->alerts_n % 64 == 0) {
		na = realloc(m->alerts, (m->alerts_n + 64) * sizeof *na);
		if (na == NULL)
			return 0;
		m->alerts = na;
	}
	m->alerts[m->alerts_n++] = json_deep_copy(a);
	if (m->alerts[m->alerts_n - 1] == NULL) {
		m->alerts_n--;
		return 0;
	}
	m->alerts_unseen++;
	return MC_ALERTS;
}

/* Incidents. */

unsigned
model_incidents_set(struct model *m, json_t *list)
{
	json_decref(m->incidents);
	m->incidents = json_is_array(list) ? list : json_array();
	if (list != m->incidents)
		json_decref(list);
	return MC_INCIDENTS;
}

unsigned
model_incident_set(struct model *m, json_t *inc)
{
	const char *id;

	json_decref(m->inc);
	m->inc = NULL;
	m->inc_ref[0] = '\0';
	if (inc == NULL || !json_is_object(inc) ||
	    (id = json_string_value(json_object_get(inc, "id"))) == NULL) {
		json_decref(inc);
		return MC_INCIDENT;
	}
	snprintf(m->inc_ref, sizeof m->inc_ref, "%s", id);
	m->inc = inc;
	/* Make sure the arrays exist, so ops can append to them. */
	if (!json_is_array(json_object_get(inc, "timeline")))
		json_object_set_new(inc, "timeline", json_array());
	if (!json_is_array(json_object_get(inc, "tasks")))
		json_object_set_new(inc, "tasks", json_array());
	if (!json_is_array(json_object_get(inc, "observables")))
		json_object_set_new(inc, "observables", json_array());
	if (!json_is_object(json_object_get(inc, "links")))
		json_object_set_new(inc, "links", json_pack("{s:[], s:[]}",
		    "alerts", "events"));
	return MC_INCIDENT;
}

/* The array element whose "id" equals id (a string or an integer). */
static json_t *
find_by_id(const json_t *arr, const json_t *id, size_t *at)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(arr, i, e)
		if (json_equal(json_object_get(e, "id"), (json_t *)id)) {
			if (at != NULL)
				*at = i;
			return e;
		}
	return NULL;
}

/* The change in open tasks that the timeline entries tl make. */
static int
open_task_delta(const json_t *tl)
{
	const json_t *e, *d;
	const char *k, *from, *to;
	size_t	 i;
	int	 delta = 0;

	json_array_foreach(tl, i, e) {
		k = json_string_value(json_object_get(e, "kind"));
		d = json_object_get(e, "data");
		if (k == NULL)
			continue;
		if (strcmp(k, "task") == 0)
			delta++;
		else if (strcmp(k, "task_status") == 0) {
			from = json_string_value(json_object_get(d, "from"));
			to = json_string_value(json_object_get(d, "to"));
			if (from == NULL || to == NULL)
				continue;
			if (strcmp(from, "done") != 0 && strcmp(to, "done") == 0)
				delta--;
			else if (strcmp(from, "done") == 0 &&
			    strcmp(to, "done") != 0)
				delta++;
		}
	}
	return delta;
}

static void
merge_ids(json_t *into, const json_t *from)
{
	const json_t *v;
	size_t	 i, j;
	json_t	*w;
	int	 have;

	json_array_foreach(from, i, v) {
		have = 0;
		json_array_foreach(into, j, w)
			if (json_equal(w, (json_t *)v))
				have = 1;
		if (!have)
			json_array_append(into, (json_t *)v);
	}
}

static const char *const list_keys[] = { "id", "title", "severity",
	"status", "phase", "lead", "tags", "updated", "version", NULL };

unsigned
model_apply_op(struct model *m, const json_t *op)
{
	const json_t *st, *inc, *tl, *v, *id, *links;
	json_t	*e, *t, *arr;
	const char *ref;
	int64_t	 seq;
	size_t	 i, at, maxid;
	unsigned r = 0;

	if ((ref = json_string_value(json_object_get(op, "incident"))) ==
	    NULL || !json_is_object(st = json_object_get(op, "state")))
		return 0;
	inc = json_object_get(st, "incident");
	tl = json_object_get(st, "timeline");
	seq = json_integer_value(json_object_get(op, "seq"));
	if (seq > m->last_seq)
		m->last_seq = seq;
	if (m->incidents != NULL && json_is_object(inc)) {
		id = json_object_get(inc, "id");
		if ((e = find_by_id(m->incidents, id, NULL)) == NULL) {
			if ((e = json_object()) != NULL) {
				for (i = 0; list_keys[i] != NULL; i++)
					if ((v = json_object_get(inc,
					    list_keys[i])) != NULL)
						json_object_set(e, list_keys[i],
						    (json_t *)v);
				json_object_set_new(e, "open_tasks",
				    json_integer(0));
				json_array_insert_new(m->incidents, 0, e);
			}
		} else if (seq > 0 && json_integer_value(json_object_get(e,
		    "last_seq")) >= seq)
			e = NULL;	/* a replay of what the list has */
		else
			json_object_update_existing(e, (json_t *)inc);
		if (e != NULL) {
			json_object_set_new(e, "open_tasks", json_integer(
			    json_integer_value(json_object_get(e,
			    "open_tasks")) + open_task_delta(tl)));
			if (seq > 0)
				json_object_set_new(e, "last_seq",
				    json_integer(seq));
		}
		r |= MC_INCIDENTS;
	}
	if (m->inc == NULL || strcmp(ref, m->inc_ref) != 0)
		return r;
	if (json_is_object(inc))
		json_object_update(m->inc, (json_t *)inc);
	/* Timeline: append what is newer than what we hold (a replay after
	   a snapshot may repeat entries). */
	arr = json_object_get(m->inc, "timeline");
	maxid = 0;
	json_array_foreach(arr, i, e)
		if ((size_t)json_integer_value(json_object_get(e, "id")) >
		    maxid)
			maxid = (size_t)json_integer_value(json_object_get(e,
			    "id"));
	json_array_foreach(tl, i, v)
		if ((size_t)json_integer_value(json_object_get(v, "id")) >
		    maxid)
			json_array_append(arr, (json_t *)v);
	if (json_is_object(t = json_object_get(st, "task"))) {
		arr = json_object_get(m->inc, "tasks");
		if (find_by_id(arr, json_object_get(t, "id"), &at) != NULL)
			json_array_set(arr, at, t);
		else
			json_array_append(arr, t);
	}
	if (json_is_object(t = json_object_get(st, "observable"))) {
		arr = json_object_get(m->inc, "observables");
		if (find_by_id(arr, json_object_get(t, "id"), NULL) == NULL)
			json_array_append(arr, t);
	}
	/* A promoted alert's: new ones, or ones with a new sighting. */
	json_array_foreach(json_object_get(st, "observables"), i, t) {
		arr = json_object_get(m->inc, "observables");
		if (find_by_id(arr, json_object_get(t, "id"), &at) != NULL)
			json_array_set(arr, at, t);
		else
			json_array_append(arr, t);
	}
	if (json_is_object(links = json_object_get(st, "links"))) {
		arr = json_object_get(m->inc, "links");
		merge_ids(json_object_get(arr, "alerts"),
		    json_object_get(links, "alerts"));
		merge_ids(json_object_get(arr, "events"),
		    json_object_get(links, "events"));
	}
	return r | MC_INCIDENT;
}

long long
model_sightings(const json_t *ob, const char **first, const char **last)
{
	const json_t *sg;
	const char *f, *l;
	long long n = 0;
	size_t	 i;

	*first = *last = NULL;
	json_array_foreach(json_object_get(ob, "sightings"), i, sg) {
		n += json_integer_value(json_object_get(sg, "events"));
		f = json_string_value(json_object_get(sg, "first_seen"));
		l = json_string_value(json_object_get(sg, "last_seen"));
		if (f != NULL && (*first == NULL || strcmp(f, *first) < 0))
			*first = f;
		if (l != NULL && (*last == NULL || strcmp(l, *last) > 0))
			*last = l;
	}
	return n;
}

unsigned
model_presence_set(struct model *m, const json_t *users)
{
	json_decref(m->presence);
	m->presence = json_is_array(users) ? json_deep_copy(users) : NULL;
	return MC_PRESENCE;
}

int
model_viewers(const struct model *m, const char *ref, const char *self,
    char *out, size_t outlen)
{
	const json_t *u, *vw, *x;
	const char *name, *role;
	size_t	 i, j, o = 0;
	int	 n = 0, k;

	if (outlen > 0)
		out[0] = '\0';
	json_array_foreach(m->presence, i, u) {
		name = json_string_value(json_object_get(u, "user"));
		role = json_string_value(json_object_get(u, "role"));
		vw = json_object_get(u, "viewing");
		if (name == NULL || (self != NULL && strcmp(name, self) == 0))
			continue;
		json_array_foreach(vw, j, x) {
			if (json_is_string(x) &&
			    strcmp(json_string_value(x), ref) == 0) {
				k = snprintf(out + o, outlen - o, "%s%s (%s)",
				    n ? ", " : "", name, role ? role : "?");
				if (k > 0 && (size_t)k < outlen - o)
					o += (size_t)k;
				n++;
				break;
			}
		}
	}
	return n;
}
