/*
 * view_alerts — the live alert list, newest first, severity in colour;
 * acknowledge, escalate, promote to an incident or attach to the open one;
 * a side pane with the selected alert's fields.
 */
#define WARD_TUI_INTERNAL
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui.h"

/* The style of an alert's severity: incident severities (low .. critical)
   or syslog names. */
static int
sev_style(const char *s)
{
	int r;

	if (s == NULL)
		return S_NORMAL;
	if (strcasecmp(s, "critical") == 0)
		return S_SEV1;
	if (strcasecmp(s, "high") == 0)
		return S_SEV3;
	if (strcasecmp(s, "medium") == 0)
		return S_SEV4;
	if (strcasecmp(s, "low") == 0)
		return S_SEV5;
	r = model_sev_rank(s);
	return r < 8 ? S_SEV0 + r : S_NORMAL;
}

static int
panes(struct tui *t)
{
	return t->side[LV_ALERTS] ? 2 : 1;
}

static size_t
nrows(struct tui *t, int p)
{
	return p == 0 ? t->m.alerts_n : t->rows[LV_ALERTS][1].n;
}

static const char *
str(const json_t *a, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(a, k));

	return s != NULL ? s : def;
}

/* One alert as a row: into the view's scratch buffer. */
static const char *
row(struct tui *t, int p, size_t i, int *style)
{
	char	*line = t->scratch;
	const json_t *a;
	char	 raw[1024], cnt[32], id[32], text[800];
	const char *when;

	if (p == 1) {
		if (i >= t->rows[LV_ALERTS][1].n)
			return "";
		*style = t->rows[LV_ALERTS][1].r[i].style;
		return t->rows[LV_ALERTS][1].r[i].text;
	}
	if (i >= t->m.alerts_n)
		return "";
	a = t->m.alerts[t->m.alerts_n - 1 - i];
	*style = sev_style(str(a, "severity", NULL));
	model_value_text(json_object_get(a, "id"), id, sizeof id);
	model_value_text(json_object_get(a, "count"), cnt, sizeof cnt);
	model_alert_text(a, text, sizeof text);
	when = str(a, "last_seen", str(a, "lastseen", str(a, "updated",
	    str(a, "utctimestamp", ""))));
	snprintf(raw, sizeof raw, "%-6s %-8.8s %-12.12s %5s  %.8s  %s",
	    id, str(a, "severity", "-"), str(a, "status", "new"),
	    strcmp(cnt, "-") ? cnt : "1", strlen(when) >= 19 ? when + 11 :
	    when, text);
	layout_escape(raw, strlen(raw), line, sizeof t->scratch, 1);
	return line;
}

static void
title(struct tui *t, int p, char *out, size_t outlen)
{
	const json_t *a;
	char	 id[32];

	out[0] = '\0';
	if (p == 0) {
		snprintf(out, outlen, " %-6s %-8s %-12s %5s  %-8s  rule: "
		    "summary", "id", "severity", "status", "count", "last");
		return;
	}
	if ((a = tui_selected_alert(t)) == NULL) {
		snprintf(out, outlen, " Detail (no alert selected)");
		return;
	}
	model_value_text(json_object_get(a, "id"), id, sizeof id);
	snprintf(out, outlen, " Alert %s (Esc: close)", id);
}

static void
compute(struct tui *t)
{
	struct tui_cache *c = &t->cache[LV_ALERTS];
	json_t	*a;
	int	 cols = t->lay.r[R_SIDE].w - (t->lay.side_right ? 2 : 1);

	if (!t->side[LV_ALERTS])
		return;
	a = tui_selected_alert(t);
	if (c->valid && c->ptr == a && c->gen == t->gen && c->cols == cols)
		return;
	c->valid = 1;
	c->ptr = a;
	c->gen = t->gen;
	c->cols = cols;
	tui_rows_clear(&t->rows[LV_ALERTS][1]);
	if (a != NULL)
		tui_rows_fields(&t->rows[LV_ALERTS][1], "", a, cols);
}

static unsigned
action(struct tui *t, enum action a)
{
	struct cmd c;

	memset(&c, 0, sizeof c);
	switch (a) {
	case KA_DETAIL:
		t->side[LV_ALERTS] = !t->side[LV_ALERTS];
		t->pane[LV_ALERTS] = 0;
		t->cache[LV_ALERTS].valid = 0;
		return D_ALL | D_LAYOUT;
	case KA_ACK:
		c.kind = CMD_ACK;
		break;
	case KA_ESCALATE:
		c.kind = CMD_ESCALATE;
		break;
	case KA_PROMOTE:
		c.kind = CMD_PROMOTE;
		break;
	case KA_ATTACH:
		c.kind = CMD_LINK;
		break;
	default:
		return 0;
	}
	t->cache[LV_ALERTS].valid = 0;
	return tui_run_cmd(t, &c) | D_ALL;
}

static void
enter(struct tui *t)
{
	t->m.alerts_unseen = 0;
}

const struct tui_view tui_view_alerts = {
	.id = LV_ALERTS,
	.name = "Alerts",
	.enter = enter,
	.panes = panes,
	.compute = compute,
	.nrows = nrows,
	.row = row,
	.title = title,
	.action = action,
};
