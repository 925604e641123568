/*
 * view_incidents — every incident: id, severity, status, phase, lead, open
 * tasks, last change, title; filtered by status and sorted (f, s); Enter
 * opens one.
 */
#define WARD_TUI_INTERNAL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static const char *const filters[] = { "active", "open", "contained",
	"closed", "all" };
static const char *const sorts[] = { "last change", "severity", "id",
	"status" };
#define NFILTERS	5
#define NSORTS		4

static const char *
str(const json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : def;
}

static int
sev_rank(const char *s)
{
	int r = wire_enum(wire_severities, s);

	return r < 0 ? -1 : r;
}

static int
sev_style(const char *s)
{
	static const int st[] = { S_SEV5, S_SEV4, S_SEV3, S_SEV1 };
	int r = sev_rank(s);

	return r < 0 ? S_NORMAL : st[r];
}

static int
keep(const struct tui *t, const json_t *e)
{
	const char *st = str(e, "status", "");

	switch (t->inc_filter) {
	case 0:
		return strcmp(st, "closed") != 0;
	case 4:
		return 1;
	default:
		return strcmp(st, filters[t->inc_filter]) == 0;
	}
}

/* qsort has no argument: the comparison reads the list through these. */
struct sortctx {
	const json_t	*list;
	int		 by;
};

static int
inc_num(const json_t *e)
{
	int64_t n = 0;

	wire_incident_id(str(e, "id", ""), &n);
	return (int)n;
}

static int
cmp(const struct sortctx *c, size_t a, size_t b)
{
	const json_t *x = json_array_get(c->list, a), *y = json_array_get(c->list,
	    b);
	int	 d = 0;

	switch (c->by) {
	case 1:
		d = sev_rank(str(y, "severity", "")) - sev_rank(str(x,
		    "severity", ""));
		break;
	case 3:
		d = wire_enum(wire_statuses, str(x, "status", "")) -
		    wire_enum(wire_statuses, str(y, "status", ""));
		break;
	default:
		break;
	}
	if (d == 0 && c->by == 0)
		d = -strcmp(str(x, "updated", ""), str(y, "updated", ""));
	if (d == 0)
		d = inc_num(y) - inc_num(x);
	return d;
}

/* An insertion sort: lists are short (hundreds) and it needs no global. */
static void
order(struct tui *t)
{
	struct sortctx c = { t->m.incidents, t->inc_sort };
	size_t	 n = json_array_size(t->m.incidents), i, j, k, *o;

	free(t->inc_order);
	t->inc_order = NULL;
	t->inc_n = 0;
	if (n == 0 || (o = calloc(n, sizeof *o)) == NULL)
		return;
	for (i = k = 0; i < n; i++)
		if (keep(t, json_array_get(t->m.incidents, i)))
			o[k++] = i;
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && cmp(&c, o[j - 1], o[j]) > 0; j--) {
			size_t x = o[j];

			o[j] = o[j - 1];
			o[j - 1] = x;
		}
	t->inc_order = o;
	t->inc_n = k;
}

static void
compute(struct tui *t)
{
	struct tui_cache *c = &t->cache[LV_INCIDENTS];

	if (c->valid && c->gen == t->gen && c->id == t->inc_filter * 16 +
	    t->inc_sort)
		return;
	c->valid = 1;
	c->gen = t->gen;
	c->id = t->inc_filter * 16 + t->inc_sort;
	order(t);
}

static int
panes(struct tui *t)
{
	return 1;
}

static size_t
nrows(struct tui *t, int p)
{
	return p == 0 ? t->inc_n : 0;
}

static const json_t *
selected(struct tui *t)
{
	size_t cur = t->list[LV_INCIDENTS][0].cur;

	if (cur >= t->inc_n)
		return NULL;
	return json_array_get(t->m.incidents, t->inc_order[cur]);
}

static const char *
row(struct tui *t, int p, size_t i, int *style)
{
	const json_t *e;
	char	 raw[1024], tasks[16], when[16] = "";
	const char *upd;

	if (i >= t->inc_n)
		return "";
	e = json_array_get(t->m.incidents, t->inc_order[i]);
	*style = sev_style(str(e, "severity", NULL));
	if (strcmp(str(e, "status", ""), "closed") == 0)
		*style = S_DIM;
	upd = str(e, "updated", "");
	/* "2026-11-27T18:25:03Z" -> "11-27 18:25" */
	snprintf(when, sizeof when, "%.11s", strlen(upd) >= 16 ? upd + 5 :
	    upd);
	if (when[5] == 'T')
		when[5] = ' ';
	snprintf(tasks, sizeof tasks, "%lld", (long long)json_integer_value(
	    json_object_get(e, "open_tasks")));
	snprintf(raw, sizeof raw, "%-8s %-8.8s %-9.9s %-15.15s %-10.10s %5s  "
	    "%-11.11s  %s", str(e, "id", "?"), str(e, "severity", "-"),
	    str(e, "status", "-"), str(e, "phase", "-"), str(e, "lead", "-"),
	    tasks, when, str(e, "title", ""));
	layout_escape(raw, strlen(raw), t->scratch, sizeof t->scratch, 1);
	return t->scratch;
}

static void
title(struct tui *t, int p, char *out, size_t outlen)
{
	snprintf(out, outlen, " %-8s %-8s %-9s %-15s %-10s %5s  %-11s  title"
	    "  [%s, by %s]", "id", "severity", "status", "phase", "lead",
	    "tasks", "last change", filters[t->inc_filter],
	    sorts[t->inc_sort]);
}

static unsigned
action(struct tui *t, enum action a)
{
	const json_t *e;

	switch (a) {
	case KA_OPEN:
		if ((e = selected(t)) == NULL)
			return D_REGION(R_CMD);
		tui_open_incident(t, str(e, "id", ""));
		return D_ALL | D_LAYOUT;
	case KA_FILTER:
		t->inc_filter = (t->inc_filter + 1) % NFILTERS;
		tui_msg(t, 0, 2, "showing %s incidents",
		    filters[t->inc_filter]);
		return D_ALL;
	case KA_SORT:
		t->inc_sort = (t->inc_sort + 1) % NSORTS;
		tui_msg(t, 0, 2, "sorted by %s", sorts[t->inc_sort]);
		return D_ALL;
	case KA_NEW:
		tui_cmdline(t, "new ");
		return D_REGION(R_CMD);
	default:
		return 0;
	}
}

const struct tui_view tui_view_incidents = {
	.id = LV_INCIDENTS,
	.name = "Incidents",
	.panes = panes,
	.compute = compute,
	.nrows = nrows,
	.row = row,
	.title = title,
	.action = action,
};
