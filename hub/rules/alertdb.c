/*
 * alertdb — alert storage, deduplication and lifecycle.  See alertdb.h.
 * The alert tables are state.c's.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "alertdb.h"
#include "buf.h"
#include "errf.h"
#include "jsonfast.h"
#include "sqlx.h"
#include "wire.h"

/* The columns alertdb_list and the pushes show, in alert_json's order. */
#define COLS \
	"id, rule, rule_id, level, severity, summary, category, tags, " \
	"group_key, count, matches, events, first_seen, last_seen, created, " \
	"updated, status, acknowledged_by, acknowledged_at, escalated_by, " \
	"escalated_at, closed_by, closed_at, incident, rev, change"

const char *
alertdb_severity(const char *level)
{
	if (level == NULL)
		return "medium";
	if (strcmp(level, "informational") == 0 || strcmp(level, "low") == 0)
		return "low";
	if (strcmp(level, "high") == 0)
		return "high";
	if (strcmp(level, "critical") == 0)
		return "critical";
	return "medium";
}

/* A slot of alerts_held, or NULL without one. */
#define SLOT(held, f)	((held) != NULL ? &(held)->f : NULL)

/* Prepare sql, or take the statement kept in *slot (reset, unbound),
   keeping a new one there when slot is not NULL; then bind fmt's
   arguments (sqlx_bindv).  NULL on failure (a kept statement stays kept).
   Give it back with put(). */
static sqlite3_stmt *
prep_held(sqlite3 *db, sqlite3_stmt **slot, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list	 ap;
	int	 rc;

	if (slot != NULL && *slot != NULL) {
		st = *slot;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	else if (slot != NULL)
		*slot = st;
	va_start(ap, fmt);
	rc = sqlx_bindv(st, fmt, ap);
	va_end(ap);
	if (rc != SQLITE_OK) {
		if (slot == NULL)
			sqlite3_finalize(st);
		return NULL;
	}
	return st;
}


/* Done with st from prep_held(): kept for the next call, or finalized. */
static void
put(sqlite3_stmt *st, sqlite3_stmt **slot)
{
	if (st != NULL && slot != NULL && *slot == st)
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
}

void
alertdb_held_release(struct alertdb_held *h)
{
	sqlite3_finalize(h->rev);
	sqlite3_finalize(h->find);
	sqlite3_finalize(h->update);
	sqlite3_finalize(h->insert);
	sqlite3_finalize(h->changed);
	sqlite3_finalize(h->brief);
	sqlite3_finalize(h->changes);
	memset(h, 0, sizeof *h);
}

/* sqlx_run() of a statement from prep_held(). */
static int
run_held(sqlite3_stmt *st, sqlite3_stmt **slot)
{
	int	 rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	put(st, slot);
	return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *
parse_col(sqlite3_stmt *st, int i, json_t *dflt)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	struct jsonfast_error e;
	json_t	*v;

	if (s == NULL || (v = jsonfast_parse(s, (size_t)sqlite3_column_bytes(st,
	    i), NULL, JSONFAST_DEPTH_MAX, &e)) == NULL)
		return dflt;
	json_decref(dflt);
	return v;
}

static json_t *
text_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? json_string(s) : json_null();
}

/* One row of COLS as an object, without its event ids unless events
   (a thousand of them make most of its text); NULL when out of memory. */
static json_t *
alert_json(sqlite3_stmt *st, int events)
{
	static const char *const names[] = { "id", "rule", "rule_id",
		"level", "severity", "summary", "category", "tags", "group",
		"count", "matches", "events", "first_seen", "last_seen",
		"created", "updated", "status", "acknowledged_by",
		"acknowledged_at", "escalated_by", "escalated_at", "closed_by",
		"closed_at", "incident", "rev", "change", NULL };
	json_t	*o, *v;
	char	 ref[32];
	int	 i, rc = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; names[i] != NULL; i++) {
		if (i == 11 && !events)
			continue;
		switch (i) {
		case 0: case 9: case 10: case 24:
			v = json_integer(sqlite3_column_int64(st, i));
			break;
		case 7: case 11:
			v = parse_col(st, i, json_array());
			break;
		case 23:
			if (sqlite3_column_type(st, i) == SQLITE_NULL)
				v = json_null();
			else {
				wire_incident_ref(sqlite3_column_int64(st, i),
				    ref, sizeof ref);
				v = json_string(ref);
			}
			break;
		default:
			v = text_col(st, i);
			break;
		}
		rc |= json_object_set_new(o, names[i], v);
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The category of an alert: the first ATT&CK tactic or ward.* tag, else
   the event's category, else "detection". */
static const char *
category_of(const struct alert_hit *h, const json_t *ev, char *buf,
    size_t len)
{
	const char *t, *c;
	size_t	 i;

	for (i = 0; i < h->ntags; i++) {
		t = h->tags[i];
		if (strncmp(t, "attack.", 7) == 0 && !(t[7] == 't' &&
		    t[8] >= '0' && t[8] <= '9') && t[7] != 'g' && t[7] != 's') {
			snprintf(buf, len, "%s", t + 7);
			return buf;
		}
		if (strncmp(t, "ward.", 5) == 0 && t[5] != '\0') {
			snprintf(buf, len, "%s", t + 5);
			return buf;
		}
	}
	c = json_string_value(json_object_get(ev, "category"));
	if (c != NULL && *c != '\0' && strlen(c) < len) {
		snprintf(buf, len, "%s", c);
		return buf;
	}
	return "detection";
}

/* The summary as one line of at most 1024 bytes (UTF-8 boundary). */
static void
one_line(const char *s, char *out, size_t outlen)
{
	size_t	 i, o = 0;

	for (i = 0; s[i] != '\0' && o + 1 < outlen; i++)
		out[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' :
		    s[i];
	if (s[i] != '\0')
		while (o > 0 && ((unsigned char)s[o] & 0xc0) == 0x80)
			o--;
	out[o] = '\0';
}

/* An alert's event ids as its events column keeps them ("[1,2,3]"),
   oldest first; read and written as text, without a JSON tree, since an
   update of a busy alert rewrites up to ALERTS_MAX_IDS of them. */
struct idlist {
	int64_t		*v;
	size_t		 n, cap;
};

/* Room for n ids in all: 0 or -1. */
static int
ids_reserve(struct idlist *l, size_t n)
{
	int64_t	*v;
	size_t	 cap = l->cap ? l->cap : 64;

	if (n <= l->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((v = realloc(l->v, cap * sizeof *v)) == NULL)
		return -1;
	l->v = v;
	l->cap = cap;
	return 0;
}

/* Read the ids of s (an events column as written by ids_text, or NULL);
   what is not a list of event ids (positive, at most 18 digits) ends the
   list there.  0 or -1 (memory). */
static int
ids_read(const char *s, struct idlist *l)
{
	int64_t	 x;
	int	 digits;

	l->n = 0;
	if (s == NULL || *s++ != '[')
		return 0;
	for (;;) {
		for (x = 0, digits = 0; *s >= '0' && *s <= '9' && digits < 18;
		    s++, digits++)
			x = x * 10 + (*s - '0');
		if (digits == 0)
			return 0;
		if (ids_reserve(l, l->n + 1) == -1)
			return -1;
		l->v[l->n++] = x;
		if (*s++ != ',')
			return 0;
	}
}

/* l as an events column, NUL-terminated: the text or NULL (memory). */
static char *
ids_text(const struct idlist *l)
{
	char	*t, *p;
	size_t	 i;

	if ((p = t = malloc(l->n * BUF_INT64_LEN + 3)) == NULL)
		return NULL;
	*p++ = '[';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			*p++ = ',';
		p += buf_int64_text(p, l->v[i]);
	}
	memcpy(p, "]", 2);
	return t;
}

/*
 * Merge the ids of a hit into the stored list l: returns how many were
 * new, or -1 (memory).  Past ALERTS_MAX_IDS the oldest after the first
 * ALERTS_KEEP_FIRST go; an id at or below the oldest forgotten one counts
 * as seen.
 */
static ssize_t
merge_ids(struct idlist *l, const struct alert_hit *h, int64_t *floor)
{
	int64_t	 max = 0;
	size_t	 i, k, added = 0, drop;

	if (ids_reserve(l, l->n + h->nids) == -1)
		return -1;
	for (k = 0; k < l->n; k++)
		if (l->v[k] > max)
			max = l->v[k];
	for (i = 0; i < h->nids; i++) {
		/* Ids grow as events arrive: most are past the largest. */
		if (h->ids[i] <= *floor)
			continue;
		if (h->ids[i] <= max) {
			for (k = 0; k < l->n && l->v[k] != h->ids[i]; k++)
				;
			if (k < l->n)
				continue;
		}
		l->v[l->n++] = h->ids[i];
		if (h->ids[i] > max)
			max = h->ids[i];
		added++;
	}
	if (l->n > ALERTS_MAX_IDS) {
		drop = l->n - ALERTS_MAX_IDS;
		for (k = ALERTS_KEEP_FIRST; k < ALERTS_KEEP_FIRST + drop; k++)
			if (l->v[k] > *floor)
				*floor = l->v[k];
		memmove(l->v + ALERTS_KEEP_FIRST, l->v + ALERTS_KEEP_FIRST +
		    drop, (l->n - ALERTS_KEEP_FIRST - drop) * sizeof *l->v);
		l->n = ALERTS_MAX_IDS;
	}
	return (ssize_t)added;
}

/* The rev of the next change; slot: where its statement is kept, or
   NULL. */
static int64_t
next_rev(sqlite3 *db, sqlite3_stmt **slot)
{
	sqlite3_stmt *st;
	int64_t	 r = -1;

	if ((st = prep_held(db, slot, "SELECT COALESCE(MAX(rev), 0) + 1 FROM "
	    "alerts", "")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		r = sqlite3_column_int64(st, 0);
	put(st, slot);
	return r;
}

static char *
dump(const json_t *v)
{
	struct buf b;

	buf_init(&b);
	if (jsonfast_dump(&b, v) == -1 || buf_append(&b, "", 1) == -1) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

/*
 * The samples column s[0..len) (an array as dump() writes it) with event
 * (an event's text as dump() writes it) added as alertdb_upsert keeps them: past ALERTS_MAX_SAMPLES the newest
 * but one goes.  Done on the text, element spans copied as they stand,
 * since parsing five events and writing them back on every update of a
 * busy alert was a sixth of the alerter's time.  Returns 1 with *out (the
 * caller frees it), 0 when s is not an array of at most SPLICE_MAX
 * elements (then take the tree's way), -1 when out of memory.
 */
#define SPLICE_MAX	32

static int
samples_add(const char *s, size_t len, const char *event, char **out)
{
	size_t	 at[SPLICE_MAX], n = 0, p = 1, k, i;
	struct buf b;

	*out = NULL;
	if (s == NULL || len < 2 || s[0] != '[')
		return 0;
	while (p < len && s[p] == ' ')
		p++;
	if (p < len && s[p] == ']')
		p++;
	else
		for (;;) {
			if (n == SPLICE_MAX || (k = jsonfast_skip(s + p, len -
			    p)) == 0)
				return 0;
			at[n++] = p;
			p += k;
			while (p < len && s[p] == ' ')
				p++;
			if (p < len && s[p] == ',') {
				p++;
				while (p < len && s[p] == ' ')
					p++;
				continue;
			}
			if (p < len && s[p] == ']') {
				p++;
				break;
			}
			return 0;
		}
	while (p < len && s[p] == ' ')
		p++;
	if (p != len)
		return 0;
	buf_init(&b);
	if (buf_append(&b, "[", 1) == -1)
		goto oom;
	for (i = 0; i < n; i++) {
		if (n >= ALERTS_MAX_SAMPLES && i == ALERTS_MAX_SAMPLES - 1)
			continue;
		k = jsonfast_skip(s + at[i], len - at[i]);
		if (buf_append(&b, s + at[i], k) == -1 ||
		    buf_append(&b, ",", 1) == -1)
			goto oom;
	}
	if (buf_append(&b, event, strlen(event)) == -1 ||
	    buf_append(&b, "]", 2) == -1)
		goto oom;
	*out = b.data;
	return 1;
oom:
	buf_release(&b);
	return -1;
}

/* The hit's event as text into *text (*owned: what to free), or NULL
   without one: 0, or -1 when out of memory. */
static int
event_text(const struct alert_hit *h, const char **text, char **owned)
{
	*owned = NULL;
	*text = h->event_text;
	if (*text == NULL && h->event != NULL && (*text = *owned =
	    dump(h->event)) == NULL)
		return -1;
	return 0;
}

/* The hit's event as a tree (*owned: what to release), or NULL. */
static const json_t *
event_tree(const struct alert_hit *h, json_t **owned)
{
	struct jsonfast_error e;

	*owned = NULL;
	if (h->event_text == NULL)
		return h->event;
	return *owned = jsonfast_parse(h->event_text, strlen(h->event_text),
	    NULL, JSONFAST_DEPTH_MAX, &e);
}

static int
insert_alert(sqlite3 *db, struct alertdb_held *held,
    const struct alert_hit *h, int64_t rev,
    const char *now, int64_t *id, char *err, size_t errlen)
{
	json_t	*tags = NULL, *samples = NULL, *evowned = NULL;
	const json_t *ev = NULL;
	struct idlist ids = { NULL, 0, 0 };
	char	*ttext = NULL, *etext = NULL, *stext = NULL, *atext = NULL;
	char	 first[32], last[32], cat[64], summary[1024];
	int64_t	 floor = 0;
	ssize_t	 added;
	size_t	 i, count;
	int	 rc = -1;

	if ((tags = json_array()) == NULL || (samples = json_array()) == NULL)
		goto oom;
	for (i = 0; i < h->ntags; i++)
		json_array_append_new(tags, json_string(h->tags[i]));
	if ((added = merge_ids(&ids, h, &floor)) < 0)
		goto oom;
	count = (size_t)added + h->ndropped;
	if (count == 0)
		count = h->nmatches > 1 ? h->nmatches : 1;
	ev = event_tree(h, &evowned);
	if (ev != NULL)
		json_array_append(samples, (json_t *)ev);
	if ((ttext = dump(tags)) == NULL || (etext = ids_text(&ids)) == NULL ||
	    (stext = dump(samples)) == NULL || (atext = h->custom != NULL ?
	    dump(h->custom) : strdup("{}")) == NULL)
		goto oom;
	sqlx_iso(h->first_us, first, sizeof first);
	sqlx_iso(h->last_us, last, sizeof last);
	one_line(h->summary ? h->summary : h->rule, summary, sizeof summary);
	if (run_held(prep_held(db, SLOT(held, insert), "INSERT INTO "
	    "alerts(rule, rule_id, level, severity, summary, category, tags, "
	    "group_key, count, matches, events, samples, first_seen, "
	    "last_seen, created, updated, status, rev, change, attributes) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, "
	    "'created', ?)",
	    "tttttttti" "ittttttit", h->rule, h->rule_id, h->level ? h->level :
	    "medium", alertdb_severity(h->level), summary, category_of(h, ev,
	    cat, sizeof cat), ttext, h->group ? h->group : "", (int64_t)count,
	    (int64_t)(h->nmatches > 1 ? h->nmatches : 1), etext, stext, first,
	    last, now, now, rev, atext), SLOT(held, insert)) != 0) {
		errf(err, errlen, "alert insert: %s", sqlite3_errmsg(db));
		goto fail;
	}
	*id = sqlite3_last_insert_rowid(db);
	rc = 1;
	goto fail;
oom:
	errf(err, errlen, "out of memory");
fail:
	free(ttext);
	free(etext);
	free(stext);
	free(atext);
	free(ids.v);
	json_decref(tags);
	json_decref(samples);
	json_decref(evowned);
	return rc;
}

int
alertdb_upsert(sqlite3 *db, struct alertdb_held *held,
    const struct alert_hit *h, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t	*samples = NULL;
	struct idlist ids = { NULL, 0, 0 };
	char	*etext = NULL, *stext = NULL, *evowned = NULL;
	const char *evtext = NULL;
	char	 now[32], first[32], last[32], summary[1024];
	const char *f0, *l0;
	int64_t	 rev, count, floor = 0;
	ssize_t	 added;
	int	 rc = -1, spliced = 0;

	*id = 0;
	sqlx_iso_now(now, sizeof now);
	if ((rev = next_rev(db, SLOT(held, rev))) < 0) {
		errf(err, errlen, "alert rev: %s", sqlite3_errmsg(db));
		return -1;
	}
	if ((st = prep_held(db, SLOT(held, find), "SELECT id, count, events, "
	    "samples, first_seen, last_seen FROM alerts WHERE rule_id = ? AND "
	    "group_key = ? AND status <> 'closed'", "tt", h->rule_id,
	    h->group ? h->group : "")) == NULL) {
		errf(err, errlen, "alert lookup: %s", sqlite3_errmsg(db));
		return -1;
	}
	switch (sqlite3_step(st)) {
	case SQLITE_DONE:
		put(st, SLOT(held, find));
		return insert_alert(db, held, h, rev, now, id, err, errlen);
	case SQLITE_ROW:
		break;
	default:
		errf(err, errlen, "alert lookup: %s", sqlite3_errmsg(db));
		goto fail;
	}
	*id = sqlite3_column_int64(st, 0);
	count = sqlite3_column_int64(st, 1);
	if (ids_read((const char *)sqlite3_column_text(st, 2), &ids) == -1)
		goto oom;
	/* The samples are read and written only when one is added; on
	   their text when they are as dump() wrote them. */
	if (event_text(h, &evtext, &evowned) == -1)
		goto oom;
	if (evtext != NULL && (spliced = samples_add((const char *)
	    sqlite3_column_text(st, 3), (size_t)sqlite3_column_bytes(st, 3),
	    evtext, &stext)) == -1)
		goto oom;
	if (evtext != NULL && spliced == 0)
		samples = parse_col(st, 3, json_array());
	if (evtext != NULL && spliced == 0 && (samples == NULL ||
	    !json_is_array(samples)))
		goto oom;
	/* Ids below the oldest one kept (after the first few) were seen. */
	if (ids.n >= ALERTS_MAX_IDS)
		floor = ids.v[ALERTS_KEEP_FIRST] - 1;
	if ((added = merge_ids(&ids, h, &floor)) < 0)
		goto oom;
	added += (ssize_t)h->ndropped;
	count += h->nids == 0 ? (int64_t)(h->nmatches > 1 ? h->nmatches : 1) :
	    (int64_t)added;
	if (samples != NULL) {
		struct jsonfast_error je;
		json_t	*e = jsonfast_parse(evtext, strlen(evtext), NULL,
		    JSONFAST_DEPTH_MAX, &je);

		if (e == NULL)
			goto oom;
		if (json_array_size(samples) >= ALERTS_MAX_SAMPLES)
			json_array_remove(samples, ALERTS_MAX_SAMPLES - 1);
		json_array_append_new(samples, e);
	}
	sqlx_iso(h->first_us, first, sizeof first);
	sqlx_iso(h->last_us, last, sizeof last);
	f0 = (const char *)sqlite3_column_text(st, 4);
	l0 = (const char *)sqlite3_column_text(st, 5);
	if (f0 != NULL && strcmp(f0, first) < 0)
		snprintf(first, sizeof first, "%s", f0);
	if (l0 != NULL && strcmp(l0, last) > 0)
		snprintf(last, sizeof last, "%s", l0);
	put(st, SLOT(held, find));
	st = NULL;
	if ((etext = ids_text(&ids)) == NULL || (samples != NULL &&
	    (stext = dump(samples)) == NULL))
		goto oom;
	one_line(h->summary ? h->summary : h->rule, summary, sizeof summary);
	if (run_held(prep_held(db, SLOT(held, update), "UPDATE alerts SET "
	    "summary = ?, count = ?, matches = matches + ?, events = ?, "
	    "samples = COALESCE(?, samples), first_seen = ?, last_seen = ?, "
	    "updated = ?, rev = ?, change = 'updated' WHERE id = ?",
	    "tiitttttii", summary, count, (int64_t)(h->nmatches > 1 ?
	    h->nmatches : 1), etext, stext, first, last, now, rev, *id),
	    SLOT(held, update)) != 0) {
		errf(err, errlen, "alert update: %s", sqlite3_errmsg(db));
		goto fail;
	}
	rc = 0;
	goto fail;
oom:
	errf(err, errlen, "out of memory");
fail:
	put(st, SLOT(held, find));
	free(etext);
	free(stext);
	free(evowned);
	free(ids.v);
	json_decref(samples);
	return rc;
}

static enum wire_err
timeline_json(sqlite3 *db, int64_t id, json_t **out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	json_t	*a, *e;
	int	 rc;

	if ((a = json_array()) == NULL ||
	    (st = sqlx_prep(db, "SELECT id, time, author, kind, text, data "
	    "FROM alert_timeline WHERE alert = ? ORDER BY id", "i", id)) ==
	    NULL) {
		json_decref(a);
		errf(err, errlen, "alert timeline: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "time",
		    text_col(st, 1), "author", text_col(st, 2), "kind",
		    text_col(st, 3), "text", text_col(st, 4), "data",
		    parse_col(st, 5, json_null()));
		if (e == NULL || json_array_append_new(a, e) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		errf(err, errlen, "alert timeline: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	*out = a;
	return WIRE_OK;
}

enum wire_err
alertdb_get(sqlite3 *db, int64_t id, int full, json_t **out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	json_t	*o = NULL, *tl = NULL;
	enum wire_err e;
	int	 rc;

	*out = NULL;
	if ((st = sqlx_prep(db, "SELECT " COLS ", samples, attributes FROM "
	    "alerts WHERE id = ?", "i", id)) == NULL) {
		errf(err, errlen, "alert: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		errf(err, errlen, "no alert %" PRId64, id);
		return WIRE_ENOTFOUND;
	}
	if (rc != SQLITE_ROW || (o = alert_json(st, 1)) == NULL) {
		errf(err, errlen, "alert: %s", rc != SQLITE_ROW ?
		    sqlite3_errmsg(db) : "out of memory");
		sqlite3_finalize(st);
		return WIRE_EINTERNAL;
	}
	if (full) {
		json_object_set_new(o, "samples", parse_col(st, 26,
		    json_array()));
		json_object_set_new(o, "attributes", parse_col(st, 27,
		    json_object()));
	}
	sqlite3_finalize(st);
	if (full) {
		if ((e = timeline_json(db, id, &tl, err, errlen)) != WIRE_OK) {
			json_decref(o);
			return e;
		}
		json_object_set_new(o, "timeline", tl);
	}
	*out = o;
	return WIRE_OK;
}

enum wire_err
alertdb_list(sqlite3 *db, const char *status, const char *rule, int limit,
    json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *where;
	json_t	*a, *o;
	int	 rc;

	*out = NULL;
	if (limit <= 0)
		limit = 200;
	if (limit > 1000)
		limit = 1000;
	if (status == NULL || strcmp(status, "all") == 0)
		where = "? IS NULL";
	else if (strcmp(status, "open") == 0)
		where = "status <> 'closed' AND ? IS NULL";
	else
		where = "status = ?";
	if (status != NULL && (strcmp(status, "all") == 0 ||
	    strcmp(status, "open") == 0))
		status = NULL;
	if ((a = json_array()) == NULL)
		goto oom;
	{
		char	 sql[512];

		snprintf(sql, sizeof sql, "SELECT " COLS " FROM alerts WHERE "
		    "%s AND (? IS NULL OR rule_id = ? OR rule = ?) ORDER BY id "
		    "DESC LIMIT ?", where);
		st = sqlx_prep(db, sql, "ttttd", status, rule, rule, rule,
		    limit);
	}
	if (st == NULL) {
		json_decref(a);
		errf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* The ids are for alert.show: a list stays light. */
		if ((o = alert_json(st, 0)) == NULL ||
		    json_array_append_new(a, o) != 0) {
			sqlite3_finalize(st);
			json_decref(a);
			goto oom;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		errf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	*out = a;
	return WIRE_OK;
oom:
	errf(err, errlen, "out of memory");
	return WIRE_EINTERNAL;
}

int
alertdb_timeline_add(sqlite3 *db, int64_t id, const char *author,
    const char *kind, const char *text, const json_t *data, char *err,
    size_t errlen)
{
	char	 now[32], *dtext = NULL;
	int	 rc;

	sqlx_iso_now(now, sizeof now);
	if (data != NULL && (dtext = dump(data)) == NULL)
		return errf(err, errlen, "out of memory");
	rc = sqlx_exec(db, "INSERT INTO alert_timeline(alert, time, author, "
	    "kind, text, data) VALUES(?, ?, ?, ?, ?, ?)", "itttt" "t", id, now,
	    author, kind, text, dtext);
	free(dtext);
	if (rc != 0)
		return errf(err, errlen, "alert timeline: %s",
		    sqlite3_errmsg(db));
	return 0;
}

/* Status of alert id into st (at least 16 bytes) and its incident:
   WIRE_OK, WIRE_ENOTFOUND or WIRE_EINTERNAL. */
static enum wire_err
status_of(sqlite3 *db, int64_t id, char *status, size_t len, int64_t *inc,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int	 rc;

	if ((st = sqlx_prep(db, "SELECT status, incident FROM alerts WHERE "
	    "id = ?", "i", id)) == NULL) {
		errf(err, errlen, "alert: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(status, len, "%s", sqlite3_column_text(st, 0));
		*inc = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		errf(err, errlen, "no alert %" PRId64, id);
		return WIRE_ENOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		errf(err, errlen, "alert: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	return WIRE_OK;
}

/* The change itself, inside a transaction. */
static enum wire_err
set_status(sqlite3 *db, int64_t id, const char *verb, const char *user,
    const char *text, char *err, size_t errlen)
{
	static const struct {
		const char	*verb, *to, *col, *from;
	} moves[] = {
		{ "ack", "acknowledged", "acknowledged", "new escalated" },
		{ "escalate", "escalated", "escalated", "new acknowledged" },
		{ "close", "closed", "closed", "new acknowledged escalated" },
	};
	char	 status[32], now[32], sql[256], line[512];
	enum wire_err e;
	int64_t	 inc, rev;
	size_t	 i;

	for (i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (strcmp(moves[i].verb, verb) == 0)
			break;
	if (i == sizeof moves / sizeof moves[0]) {
		errf(err, errlen, "unknown alert action '%s'", verb);
		return WIRE_EINVALID;
	}
	if ((e = status_of(db, id, status, sizeof status, &inc, err, errlen))
	    != WIRE_OK)
		return e;
	if (strcmp(status, moves[i].to) == 0) {
		errf(err, errlen, "alert %" PRId64 " is already %s", id,
		    status);
		return WIRE_ECONFLICT;
	}
	if (strstr(moves[i].from, status) == NULL) {
		errf(err, errlen, "alert %" PRId64 " is %s", id, status);
		return WIRE_ECONFLICT;
	}
	if ((rev = next_rev(db, NULL)) < 0)
		goto sqlfail;
	sqlx_iso_now(now, sizeof now);
	snprintf(sql, sizeof sql, "UPDATE alerts SET status = ?, %s_by = ?, "
	    "%s_at = ?, updated = ?, rev = ?, change = ? WHERE id = ?",
	    moves[i].col, moves[i].col);
	if (sqlx_exec(db, sql, "ttttiti", moves[i].to, user, now, now, rev,
	    moves[i].to, id) != 0)
		goto sqlfail;
	snprintf(line, sizeof line, "%s by %s%s%.400s", moves[i].to, user,
	    text != NULL ? ": " : "", text != NULL ? text : "");
	if (alertdb_timeline_add(db, id, user, moves[i].to, line, NULL, err,
	    errlen) != 0)
		return WIRE_EINTERNAL;
	return WIRE_OK;
sqlfail:
	errf(err, errlen, "alert %s: %s", verb, sqlite3_errmsg(db));
	return WIRE_EINTERNAL;
}

enum wire_err
alertdb_set_status(sqlite3 *db, int64_t id, const char *verb,
    const char *user, const char *text, json_t **out, char *err,
    size_t errlen)
{
	enum wire_err e;
	int	 nested;

	*out = NULL;
	nested = !sqlite3_get_autocommit(db);
	if (sqlite3_exec(db, nested ? "SAVEPOINT alert_op" : "BEGIN IMMEDIATE",
	    NULL, NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, "alert %s: %s", verb, sqlite3_errmsg(db));
		return sqlite3_errcode(db) == SQLITE_BUSY ? WIRE_EBUSY :
		    WIRE_EINTERNAL;
	}
	if ((e = set_status(db, id, verb, user, text, err, errlen)) != WIRE_OK)
		goto fail;
	if ((e = alertdb_get(db, id, 0, out, err, errlen)) != WIRE_OK)
		goto fail;
	if (sqlite3_exec(db, nested ? "RELEASE alert_op" : "COMMIT", NULL,
	    NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, "alert %s: %s", verb, sqlite3_errmsg(db));
		e = WIRE_EINTERNAL;
		goto fail;
	}
	return WIRE_OK;
fail:
	json_decref(*out);
	*out = NULL;
	sqlite3_exec(db, nested ? "ROLLBACK TO alert_op; RELEASE alert_op" :
	    "ROLLBACK", NULL, NULL, NULL);
	return e;
}

enum wire_err
alertdb_attach(sqlite3 *db, int64_t id, int64_t inc, const char *user,
    char *err, size_t errlen)
{
	char	 status[32], now[32], line[128], ref[32];
	enum wire_err e;
	int64_t	 cur, rev;
	int	 ack;

	if ((e = status_of(db, id, status, sizeof status, &cur, err, errlen))
	    != WIRE_OK)
		return e;
	if (cur == inc)
		return WIRE_OK;
	if (cur != 0) {
		wire_incident_ref(cur, ref, sizeof ref);
		errf(err, errlen, "alert %" PRId64 " was promoted to %s", id,
		    ref);
		return WIRE_ECONFLICT;
	}
	if ((rev = next_rev(db, NULL)) < 0)
		goto sqlfail;
	sqlx_iso_now(now, sizeof now);
	ack = strcmp(status, "new") == 0;
	if (sqlx_exec(db, "UPDATE alerts SET incident = ?, status = CASE WHEN "
	    "? THEN 'acknowledged' ELSE status END, acknowledged_by = CASE "
	    "WHEN ? THEN ? ELSE acknowledged_by END, acknowledged_at = CASE "
	    "WHEN ? THEN ? ELSE acknowledged_at END, updated = ?, rev = ?, "
	    "change = 'promoted' WHERE id = ?", "iddtdttii", inc, ack, ack,
	    user, ack, now, now, rev, id) != 0)
		goto sqlfail;
	wire_incident_ref(inc, ref, sizeof ref);
	snprintf(line, sizeof line, "promoted to %s by %s%s", ref, user,
	    ack ? " (acknowledged)" : "");
	if (alertdb_timeline_add(db, id, user, "promoted", line, NULL, err,
	    errlen) != 0)
		return WIRE_EINTERNAL;
	return WIRE_OK;
sqlfail:
	errf(err, errlen, "alert promote: %s", sqlite3_errmsg(db));
	return WIRE_EINTERNAL;
}

int64_t
alertdb_last_rev(sqlite3 *db)
{
	int64_t	 r = next_rev(db, NULL);

	return r < 0 ? -1 : r - 1;
}

enum wire_err
alertdb_brief(sqlite3 *db, struct alertdb_held *held, int64_t id,
    json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int	 rc;

	*out = NULL;
	if ((st = prep_held(db, SLOT(held, brief), "SELECT " COLS " FROM "
	    "alerts WHERE id = ?", "i", id)) == NULL) {
		errf(err, errlen, "alert: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (*out = alert_json(st, 0)) == NULL)
		errf(err, errlen, "out of memory");
	else if (rc == SQLITE_DONE)
		errf(err, errlen, "no alert %" PRId64, id);
	else if (rc != SQLITE_ROW)
		errf(err, errlen, "alert: %s", sqlite3_errmsg(db));
	put(st, SLOT(held, brief));
	if (*out != NULL)
		return WIRE_OK;
	return rc == SQLITE_DONE ? WIRE_ENOTFOUND : WIRE_EINTERNAL;
}

int64_t
alertdb_changes(sqlite3 *db, struct alertdb_held *held, int64_t rev,
    size_t max, int (*cb)(int64_t id, const char *change, void *arg),
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *change;
	int64_t	 last = rev;
	int	 rc;

	if ((st = prep_held(db, SLOT(held, changes), "SELECT id, rev, change "
	    "FROM alerts WHERE rev > ? ORDER BY rev LIMIT ?", "ii", rev,
	    (int64_t)max)) == NULL) {
		errf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 1);
		change = (const char *)sqlite3_column_text(st, 2);
		if (cb(sqlite3_column_int64(st, 0), change != NULL ? change :
		    "", arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		errf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
	put(st, SLOT(held, changes));
	return rc == SQLITE_DONE ? last : -1;
}

int64_t
alertdb_changed_since(sqlite3 *db, struct alertdb_held *held, int64_t rev,
    size_t max, int (*cb)(json_t *alert, void *arg), void *arg, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	json_t	*o;
	int64_t	 last = rev;
	int	 rc;

	if ((st = prep_held(db, SLOT(held, changed), "SELECT " COLS " FROM "
	    "alerts WHERE rev > ? ORDER BY rev LIMIT ?", "ii", rev,
	    (int64_t)max)) == NULL) {
		errf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 24);
		if ((o = alert_json(st, 0)) == NULL)
			continue;
		rc = cb(o, arg);
		json_decref(o);
		if (rc != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		errf(err, errlen, "alerts: %s", sqlite3_errmsg(db));
	put(st, SLOT(held, changed));
	if (rc != SQLITE_DONE)
		return -1;
	return last;
}

int64_t
alertdb_reload_request(sqlite3 *db, const char *user, char *err,
    size_t errlen)
{
	char	 now[32];
	int64_t	 gen = -1;

	sqlx_iso_now(now, sizeof now);
	if (sqlx_exec(db, "UPDATE rules_state SET requested = requested + 1, "
	    "requested_by = ?, requested_at = ? WHERE id = 1", "tt", user,
	    now) != 0 || sqlx_int(db, "SELECT requested FROM rules_state "
	    "WHERE id = 1", &gen) == -1 || gen < 0)
		return errf(err, errlen, "rules reload: %s",
		    sqlite3_errmsg(db));
	return gen;
}

int64_t
alertdb_reload_wanted(sqlite3 *db)
{
	int64_t	 gen;

	if (sqlx_int(db, "SELECT requested FROM rules_state WHERE id = 1",
	    &gen) == -1)
		return -1;
	return gen;
}

int
alertdb_rules_report(sqlite3 *db, int64_t gen, size_t nrules,
    const json_t *errors, const json_t *logsources, char *err,
    size_t errlen)
{
	char	 now[32], *etext, *ltext;
	int	 rc;

	sqlx_iso_now(now, sizeof now);
	if ((etext = dump(errors != NULL ? errors : json_array())) == NULL)
		return errf(err, errlen, "out of memory");
	if ((ltext = logsources != NULL ? dump(logsources) : strdup("{}")) ==
	    NULL) {
		free(etext);
		return errf(err, errlen, "out of memory");
	}
	rc = sqlx_exec(db, "UPDATE rules_state SET applied = MAX(applied, ?), "
	    "loaded_at = ?, rules = ?, errors = ?, logsources = ? WHERE id = 1",
	    "ititt", gen, now, (int64_t)nrules, etext, ltext);
	free(etext);
	free(ltext);
	if (rc != 0)
		return errf(err, errlen, "rules report: %s",
		    sqlite3_errmsg(db));
	return 0;
}

enum wire_err
alertdb_rules_status(sqlite3 *db, json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int	 rc;

	*out = NULL;
	if ((st = sqlx_prep(db, "SELECT requested, requested_by, requested_at, "
	    "applied, loaded_at, rules, errors, logsources FROM rules_state "
	    "WHERE id = 1", "")) == NULL) {
		errf(err, errlen, "rules: %s", sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = json_pack("{s:I, s:o, s:o, s:I, s:o, s:I, s:o, s:o}",
		    "requested", (json_int_t)sqlite3_column_int64(st, 0),
		    "requested_by", text_col(st, 1), "requested_at",
		    text_col(st, 2), "applied",
		    (json_int_t)sqlite3_column_int64(st, 3), "loaded_at",
		    text_col(st, 4), "rules",
		    (json_int_t)sqlite3_column_int64(st, 5), "errors",
		    parse_col(st, 6, json_array()), "logsources",
		    parse_col(st, 7, json_object()));
	sqlite3_finalize(st);
	if (*out == NULL) {
		errf(err, errlen, "rules: %s", rc == SQLITE_ROW ?
		    "out of memory" : sqlite3_errmsg(db));
		return WIRE_EINTERNAL;
	}
	return WIRE_OK;
}
