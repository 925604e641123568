/*
 * view_help — every key of the view help was opened from, and every ':'
 * command, generated from the key tables the loop dispatches from and the
 * command table the parser reads, so help cannot disagree with the code.
 */
#define WARD_TUI_INTERNAL
#include <stdio.h>
#include <string.h>

#include "tui.h"

static const char *const view_names[LV_COUNT] = { "Events", "Alerts",
	"Incidents", "Incident", "Help" };

static void
compute(struct tui *t)
{
	struct tui_cache *c = &t->cache[LV_HELP];
	struct tui_rows *rs = &t->rows[LV_HELP][0];
	const struct keymap *const *km;
	const struct keybind *b;
	const char *usage, *help;
	char	 line[256];
	size_t	 i;

	if (c->valid && c->id == (int64_t)t->back)
		return;
	c->valid = 1;
	c->id = t->back;
	tui_rows_clear(rs);
	for (km = keys_for(t->back); *km != NULL; km++) {
		tui_rows_add(rs, S_TITLE, NULL, "%s", (*km)->title);
		for (i = 0; i < (*km)->n; i++) {
			b = &(*km)->binds[i];
			/* A key a more specific table takes is not this
			   table's any more in this view. */
			if (b->help == NULL || keys_lookup(t->back, b->key) !=
			    b->action)
				continue;
			if (keys_help_line(*km, i, line, sizeof line) == 0)
				tui_rows_add(rs, S_NORMAL, NULL, "%s", line);
		}
		tui_rows_add(rs, S_NORMAL, NULL, "%s", "");
	}
	tui_rows_add(rs, S_TITLE, NULL, "Commands (type : first; Tab "
	    "completes)");
	for (i = 0; (usage = cmdline_usage(i, &help)) != NULL; i++)
		tui_rows_add(rs, S_NORMAL, NULL, "  :%-40s %s", usage, help);
	tui_rows_add(rs, S_NORMAL, NULL, "%s", "");
	tui_rows_add(rs, S_TITLE, NULL, "The command line and the query bar");
	tui_rows_add(rs, S_NORMAL, NULL, "  Left Right C-a C-e C-b C-f move, "
	    "C-u C-k C-w cut, Up Down history, Esc cancels");
	tui_rows_add(rs, S_NORMAL, NULL, "  The query language: ward-query(7),"
	    " e.g. severity:>=WARNING AND hostname:web* | count by hostname");
}

static int
panes(struct tui *t)
{
	return 1;
}

static size_t
nrows(struct tui *t, int p)
{
	return t->rows[LV_HELP][0].n;
}

static const char *
row(struct tui *t, int p, size_t i, int *style)
{
	if (i >= t->rows[LV_HELP][0].n)
		return "";
	*style = t->rows[LV_HELP][0].r[i].style;
	return t->rows[LV_HELP][0].r[i].text;
}

static void
title(struct tui *t, int p, char *out, size_t outlen)
{
	snprintf(out, outlen, " Help: %s (q or Esc: back)",
	    view_names[t->back]);
}

const struct tui_view tui_view_help = {
	.id = LV_HELP,
	.name = "Help",
	.panes = panes,
	.compute = compute,
	.nrows = nrows,
	.row = row,
	.title = title,
};
