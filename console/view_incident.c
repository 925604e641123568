/*
 * view_incident — one incident: a header (title, status, phase, lead, who
 * else is looking), the timeline (newest at the bottom, following like the
 * tail), the tasks and the observables and links.  Edits go through ':'
 * commands, which the keys here start with the right words filled in.
 */
#define WARD_TUI_INTERNAL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "tui.h"

static const char *
str(const json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : def;
}

/* "2026-11-27T18:25:03Z" -> "11-27 18:25" */
static void
short_time(const char *iso, char *out, size_t outlen)
{
	snprintf(out, outlen, "%.11s", strlen(iso) >= 16 ? iso + 5 : iso);
	if (strlen(out) > 5 && out[5] == 'T')
		out[5] = ' ';
}

static int
kind_style(const char *k)
{
	if (strcmp(k, "note") == 0)
		return S_NORMAL;
	if (strcmp(k, "status") == 0 || strcmp(k, "phase") == 0 ||
	    strcmp(k, "lead") == 0 || strcmp(k, "closed") == 0 ||
	    strcmp(k, "created") == 0 || strcmp(k, "updated") == 0)
		return S_KEY;
	if (strcmp(k, "task") == 0 || strcmp(k, "assigned") == 0 ||
	    strcmp(k, "task_status") == 0)
		return S_OK;
	return S_DIM;
}

static int
task_style(const char *st)
{
	if (strcmp(st, "done") == 0)
		return S_DIM;
	if (strcmp(st, "blocked") == 0)
		return S_ERR;
	if (strcmp(st, "doing") == 0)
		return S_OK;
	return S_NORMAL;
}

static void
compute(struct tui *t)
{
	struct tui_cache *c = &t->cache[LV_INCIDENT];
	struct tui_rows *tl = &t->rows[LV_INCIDENT][0];
	struct tui_rows *tk = &t->rows[LV_INCIDENT][1];
	struct tui_rows *ob = &t->rows[LV_INCIDENT][2];
	const json_t *e, *arr, *links;
	char	 prefix[256], when[16], ids[512];
	const char *k;
	size_t	 i, o;
	int	 cols = t->lay.r[R_MAIN].w - 1;

	if (c->valid && c->gen == t->gen && c->cols == cols && c->ptr ==
	    t->m.inc)
		return;
	c->valid = 1;
	c->gen = t->gen;
	c->cols = cols;
	c->ptr = t->m.inc;
	tui_rows_clear(tl);
	tui_rows_clear(tk);
	tui_rows_clear(ob);
	if (t->m.inc == NULL)
		return;
	json_array_foreach(json_object_get(t->m.inc, "timeline"), i, e) {
		k = str(e, "kind", "?");
		short_time(str(e, "time", ""), when, sizeof when);
		snprintf(prefix, sizeof prefix, "%s %-10.10s %-11s ", when,
		    str(e, "author", "?"), strcmp(k, "task_status") == 0 ?
		    "task" : k);
		tui_rows_wrap(tl, kind_style(k), NULL, prefix, str(e, "text",
		    ""), cols, 12);
	}
	json_array_foreach(json_object_get(t->m.inc, "tasks"), i, e) {
		k = str(e, "status", "todo");
		tui_rows_add(tk, task_style(k), str(e, "id", ""),
		    "%-6s %-7s %-10.10s %s", str(e, "id", "?"), k,
		    str(e, "assignee", "-"), str(e, "title", ""));
	}
	json_array_foreach(json_object_get(t->m.inc, "observables"), i, e) {
		const char *first, *last;
		long long n = model_sightings(e, &first, &last);
		char	 seen[64] = "";

		if (n > 0)
			snprintf(seen, sizeof seen, "  seen %lld%s%.8s", n,
			    last != NULL && strlen(last) >= 19 ? ", last " : "",
			    last != NULL && strlen(last) >= 19 ? last + 11 : "");
		tui_rows_add(ob, json_is_true(json_object_get(e, "ioc")) ?
		    S_ERR : S_NORMAL, NULL, "%-6s %s%s%s", str(e, "kind", "?"),
		    str(e, "value", ""), json_is_true(json_object_get(e,
		    "ioc")) ? "  IOC" : "", seen);
	}
	links = json_object_get(t->m.inc, "links");
	for (k = "alerts"; k != NULL; k = strcmp(k, "alerts") == 0 ?
	    "events" : NULL) {
		arr = json_object_get(links, k);
		if (json_array_size(arr) == 0)
			continue;
		o = 0;
		ids[0] = '\0';
		json_array_foreach(arr, i, e) {
			int n = snprintf(ids + o, sizeof ids - o, "%s%lld",
			    i ? " " : "", (long long)json_integer_value(e));

			if (n < 0 || (size_t)n >= sizeof ids - o)
				break;
			o += (size_t)n;
		}
		tui_rows_add(ob, S_DIM, NULL, "linked %s: %s", k, ids);
	}
}

static int
panes(struct tui *t)
{
	return t->lay.r[R_SIDE].h > 0 ? 3 : 1;
}

static size_t
nrows(struct tui *t, int p)
{
	return t->rows[LV_INCIDENT][p].n;
}

static const char *
row(struct tui *t, int p, size_t i, int *style)
{
	if (i >= t->rows[LV_INCIDENT][p].n)
		return "";
	*style = t->rows[LV_INCIDENT][p].r[i].style;
	return t->rows[LV_INCIDENT][p].r[i].text;
}

static void
title(struct tui *t, int p, char *out, size_t outlen)
{
	size_t	 n = json_array_size(json_object_get(t->m.inc, p == 0 ?
	    "timeline" : p == 1 ? "tasks" : "observables"));

	if (p == 0)
		snprintf(out, outlen, " Timeline (%zu)", n);
	else if (p == 1)
		snprintf(out, outlen, " Tasks (%zu)", n);
	else
		snprintf(out, outlen, " Observables (%zu) and links", n);
}

/* The keys this user's role may use here, for the header. */
static void
hints(struct tui *t, char *out, size_t outlen)
{
	static const struct { enum catalogue_id op; const char *text; } h[] = {
		{ CAT_INCIDENT_NOTE, "c note" }, { CAT_TASK_ADD, "t task" },
		{ CAT_TASK_ASSIGN, "a assign" }, { CAT_TASK_STATUS, "d done" },
		{ CAT_INCIDENT_STATUS, "s status" }, { CAT_INCIDENT_PHASE,
		"p phase" }, { CAT_INCIDENT_CLOSE, "x close" },
		{ CAT_OBSERVABLE_ADD, "o observable" },
	};
	size_t	 i, o = 0;
	int	 n;

	out[0] = '\0';
	for (i = 0; i < sizeof h / sizeof h[0]; i++) {
		if (role_may(t->m.role, catalogue[h[i].op].name) ==
		    WIRE_MAY_NO)
			continue;
		n = snprintf(out + o, outlen - o, "%s%s", o ? "  " : "",
		    h[i].text);
		if (n < 0 || (size_t)n >= outlen - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(out, outlen, "read only (%s)", role_name(t->m.role));
}

static int
paint(struct tui *t, enum layout_region r, WINDOW *w)
{
	const json_t *inc = t->m.inc;
	char	 raw[1024], esc[2048], who[512], h[256], when[16];
	int	 wd = getmaxx(w), x;
	int64_t	 ver;

	if (r != R_HEADER) {
		if (r == R_MAIN && inc == NULL) {
			snprintf(raw, sizeof raw, "loading %s…", t->opening[0] ?
			    t->opening : "the incident");
			tui_put(t, w, 1, 1, wd - 1, raw, S_DIM);
			return 1;
		}
		return 0;
	}
	if (inc == NULL)
		return 1;
	snprintf(raw, sizeof raw, "%s %s", str(inc, "id", "?"),
	    str(inc, "title", ""));
	layout_escape(raw, strlen(raw), esc, sizeof esc, 1);
	tui_put(t, w, 0, 0, wd, esc, S_TITLE);
	x = layout_width(esc, strlen(esc)) + 2;
	snprintf(raw, sizeof raw, "[%s]", str(inc, "severity", "?"));
	if (x < wd)
		tui_put(t, w, 0, x, wd - x, raw, strcmp(str(inc, "severity",
		    ""), "critical") == 0 || strcmp(str(inc, "severity", ""),
		    "high") == 0 ? S_ERR : S_KEY);
	if (getmaxy(w) < 3)
		return 1;
	ver = json_integer_value(json_object_get(inc, "version"));
	short_time(str(inc, "updated", ""), when, sizeof when);
	snprintf(raw, sizeof raw, "status %s%s%s  phase %s  lead %s  "
	    "updated %s  v%lld", str(inc, "status", "?"),
	    json_is_string(json_object_get(inc, "resolution")) ? " as " : "",
	    str(inc, "resolution", ""), str(inc, "phase", "?"),
	    str(inc, "lead", "nobody"), when, (long long)ver);
	layout_escape(raw, strlen(raw), esc, sizeof esc, 1);
	tui_put(t, w, 1, 0, wd, esc, S_NORMAL);
	if (model_viewers(&t->m, t->m.inc_ref, t->m.user, who, sizeof who) ==
	    0)
		snprintf(who, sizeof who, "nobody else");
	hints(t, h, sizeof h);
	snprintf(raw, sizeof raw, "looking: %s", who);
	layout_escape(raw, strlen(raw), esc, sizeof esc, 1);
	tui_put(t, w, 2, 0, wd, esc, S_OK);
	x = wd - layout_width(h, strlen(h));
	if (x > layout_width(esc, strlen(esc)) + 2)
		tui_put(t, w, 2, x, wd - x, h, S_DIM);
	return 1;
}

/* The task under the cursor, when the Tasks pane has the focus. */
static const char *
task_here(struct tui *t)
{
	struct layout_list *l = &t->list[LV_INCIDENT][1];

	if (t->pane[LV_INCIDENT] != 1 || l->cur >= t->rows[LV_INCIDENT][1].n)
		return NULL;
	return t->rows[LV_INCIDENT][1].r[l->cur].key;
}

static unsigned
action(struct tui *t, enum action a)
{
	const char *task = task_here(t);
	char	 line[128];
	struct cmd c;

	switch (a) {
	case KA_NOTE:
		tui_cmdline(t, "note ");
		break;
	case KA_TASK_ADD:
		tui_cmdline(t, "task add ");
		break;
	case KA_ASSIGN:
		snprintf(line, sizeof line, "assign %s%s", task ? task : "",
		    task ? " " : "");
		tui_cmdline(t, line);
		break;
	case KA_TASK_STATUS:
		snprintf(line, sizeof line, "task status %s%s", task ? task :
		    "", task ? " " : "");
		tui_cmdline(t, line);
		break;
	case KA_TASK_DONE:
		if (task == NULL) {
			tui_msg(t, 1, 3, "no task under the cursor: Tab to "
			    "the Tasks pane");
			return D_REGION(R_CMD);
		}
		memset(&c, 0, sizeof c);
		c.kind = CMD_TASK_DONE;
		c.a[0] = task;
		return tui_run_cmd(t, &c);
	case KA_STATUS:
		tui_cmdline(t, "status ");
		break;
	case KA_PHASE:
		tui_cmdline(t, "phase ");
		break;
	case KA_CLOSE:
		tui_cmdline(t, "close ");
		break;
	case KA_OBSERVABLE:
		tui_cmdline(t, "observable ");
		break;
	default:
		return 0;
	}
	return D_REGION(R_CMD);
}

const struct tui_view tui_view_incident = {
	.id = LV_INCIDENT,
	.name = "Incident",
	.panes = panes,
	.compute = compute,
	.nrows = nrows,
	.row = row,
	.title = title,
	.action = action,
	.paint = paint,
};
