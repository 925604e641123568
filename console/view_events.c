/*
 * view_events — the live tail: the events the query selects, newest at the
 * bottom; a side pane with the selected event's fields, or the query's
 * count table (count, count by, top, histogram) with a bar chart.
 */
#define WARD_TUI_INTERNAL
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

#define AGG_SHOWN	500	/* rows of a count table shown */

static int
panes(struct tui *t)
{
	return t->side[LV_EVENTS] ? 2 : 1;
}

static size_t
nrows(struct tui *t, int p)
{
	return p == 0 ? t->m.rows_n : t->rows[LV_EVENTS][1].n;
}

static const char *
row(struct tui *t, int p, size_t i, int *style)
{
	const struct model_event *e;

	if (p == 0) {
		e = model_row(&t->m, i);
		*style = e != NULL && e->sev < 8 ? S_SEV0 + e->sev : S_NORMAL;
		return model_row_line(&t->m, i);
	}
	if (i >= t->rows[LV_EVENTS][1].n)
		return "";
	*style = t->rows[LV_EVENTS][1].r[i].style;
	return t->rows[LV_EVENTS][1].r[i].text;
}

static const char *const agg_names[] = { "", "count", "count by", "top",
	"histogram" };

static void
title(struct tui *t, int p, char *out, size_t outlen)
{
	const struct model_event *e;

	out[0] = '\0';
	if (p != 1)
		return;
	if (t->m.agg != QUERY_AGG_NONE) {
		snprintf(out, outlen, " %s: %zu keys over %zu rows held when "
		    "the query was applied and every match since%s",
		    agg_names[t->m.agg], t->m.agg_n, t->m.rows_n,
		    t->m.agg_other ? " (keys capped)" : "");
		return;
	}
	e = tui_selected_event(t);
	if (e == NULL)
		snprintf(out, outlen, " Detail (no event selected)");
	else
		snprintf(out, outlen, " Event %" PRId64 " (Tab: scroll it, "
		    "Esc: close)", e->id);
}

static void
compute_detail(struct tui *t, int cols)
{
	struct tui_rows *rs = &t->rows[LV_EVENTS][1];
	const struct model_event *e = tui_selected_event(t);
	struct tui_cache *cached = &t->cache[LV_EVENTS];
	json_t	*ev;

	if (cached->valid && e == cached->ptr && (e == NULL ||
	    e->id == cached->id) && cols == cached->cols)
		return;
	tui_rows_clear(rs);
	memset(&t->list[LV_EVENTS][1], 0, sizeof t->list[LV_EVENTS][1]);
	cached->valid = 1;
	cached->ptr = e;
	cached->id = e != NULL ? e->id : -1;
	cached->cols = cols;
	if (e == NULL || (ev = model_event_json(&t->m, e)) == NULL)
		return;
	tui_rows_fields(rs, "", ev, cols);
	json_decref(ev);
}

static void
compute_agg(struct tui *t, int cols)
{
	struct tui_rows *rs = &t->rows[LV_EVENTS][1];
	const struct model_agg_row *r[AGG_SHOWN];
	char	 bar[1024], key[256], esc[1024];
	size_t	 n, i, max = AGG_SHOWN;
	uint64_t top = 0;
	int	 kw = 8, w, bw;

	t->cache[LV_EVENTS].valid = 0;
	tui_rows_clear(rs);
	if (t->m.q != NULL && t->m.q->agg == QUERY_AGG_TOP && t->m.q->top > 0 &&
	    t->m.q->top < max)
		max = t->m.q->top;
	n = model_agg_sorted(&t->m, r, max);
	for (i = 0; i < n; i++) {
		if (r[i]->count > top)
			top = r[i]->count;
		layout_escape(r[i]->key, strlen(r[i]->key), esc, sizeof esc,
		    1);
		w = layout_width(esc, strlen(esc));
		if (w > kw)
			kw = w;
	}
	if (kw > cols / 2)
		kw = cols / 2;
	bw = cols - kw - 12;
	for (i = 0; i < n; i++) {
		size_t kl, fit;
		int used;

		kl = layout_escape(r[i]->key, strlen(r[i]->key), esc,
		    sizeof esc, 1);
		fit = layout_fit(esc, kl, kw, &used);
		snprintf(key, sizeof key, "%.*s%*s", (int)fit, esc,
		    kw - used, "");
		layout_bar(r[i]->count, top, bw, t->ascii, bar, sizeof bar);
		/* Escaped already: push without escaping again. */
		tui_rows_add(rs, S_NORMAL, NULL, "%s %9" PRIu64 " %s", key,
		    r[i]->count, bar);
	}
	if (t->m.agg_other > 0)
		tui_rows_add(rs, S_DIM, NULL, "(%" PRIu64 " more events under "
		    "keys past the first %d)", t->m.agg_other, MODEL_AGG_MAX);
}

static void
compute(struct tui *t)
{
	int cols = t->lay.r[R_SIDE].w - (t->lay.side_right ? 2 : 1);

	if (!t->side[LV_EVENTS])
		return;
	if (t->m.agg != QUERY_AGG_NONE)
		compute_agg(t, cols);
	else
		compute_detail(t, cols);
}

static unsigned
action(struct tui *t, enum action a)
{
	struct layout_list *l = &t->list[LV_EVENTS][0];
	struct cmd c;

	switch (a) {
	case KA_QUERY:
		cmdline_set(&t->query, t->m.qtext ? t->m.qtext : "");
		t->edit = ED_QUERY;
		t->qbad = 0;
		return D_ALL | D_LAYOUT;
	case KA_FOLLOW:
		l->follow = !l->follow;
		if (l->follow)
			layout_list_set(l, t->m.rows_n, tui_pane_height(t, 0),
			    t->m.rows_n ? t->m.rows_n - 1 : 0);
		tui_msg(t, 0, 2, "%s", l->follow ? "following the tail" :
		    "paused: the rows stay put (f or G to follow)");
		return D_ALL;
	case KA_DETAIL:
		t->side[LV_EVENTS] = !t->side[LV_EVENTS];
		t->pane[LV_EVENTS] = 0;
		t->cache[LV_EVENTS].valid = 0;
		return D_ALL | D_LAYOUT;
	case KA_LINK:
		memset(&c, 0, sizeof c);
		c.kind = CMD_LINK;
		return tui_run_cmd(t, &c);
	case KA_CLEAR:
		model_events_clear(&t->m);
		return D_ALL;
	default:
		return 0;
	}
}

const struct tui_view tui_view_events = {
	.id = LV_EVENTS,
	.name = "Events",
	.panes = panes,
	.compute = compute,
	.nrows = nrows,
	.row = row,
	.title = title,
	.action = action,
};
