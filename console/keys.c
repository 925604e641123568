/*
 * keys — the console's key tables.  See keys.h.
 *
 * An entry with help NULL is another key for the action of the entry
 * before it; help prints them on one line ("j  Down").
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

#define CTRL(c)	((c) & 0x1f)
#define NB(t)	(sizeof(t) / sizeof((t)[0]))

static const struct keybind global_binds[] = {
	{ '1', KA_VIEW_EVENTS, "1", "Events: the live tail (where ward opens)" },
	{ '2', KA_VIEW_ALERTS, "2", "Alerts" },
	{ '3', KA_VIEW_INCIDENTS, "3", "Incidents" },
	{ '4', KA_VIEW_INCIDENT, "4", "the incident opened last" },
	{ '?', KA_HELP, "?", "this help (for the view you came from)" },
	{ KEY_F(1), KA_HELP, "F1", NULL },
	{ ':', KA_CMDLINE, ":", "command line (Tab completes, Up/Down "
	    "history)" },
	{ '\t', KA_PANE, "Tab", "next pane" },
	{ KEY_BTAB, KA_PANE_BACK, "S-Tab", "previous pane" },
	{ '\n', KA_OPEN, "Enter", "open the row under the cursor" },
	{ '\r', KA_OPEN, "Enter", NULL },
	{ KEY_ENTER, KA_OPEN, "Enter", NULL },
	{ 27, KA_BACK, "Esc", "back: close the pane, leave the view" },
	{ 'q', KA_QUIT, "q", "back; from Events, Alerts or Incidents: quit" },
	{ CTRL('l'), KA_REDRAW, "C-l", "repaint the whole screen" },
};

static const struct keybind list_binds[] = {
	{ 'j', KA_DOWN, "j", "down one row" },
	{ KEY_DOWN, KA_DOWN, "Down", NULL },
	{ CTRL('n'), KA_DOWN, "C-n", NULL },
	{ 'k', KA_UP, "k", "up one row" },
	{ KEY_UP, KA_UP, "Up", NULL },
	{ CTRL('p'), KA_UP, "C-p", NULL },
	{ 'g', KA_TOP, "g", "first row" },
	{ KEY_HOME, KA_TOP, "Home", NULL },
	{ '<', KA_TOP, "<", NULL },
	{ 'G', KA_BOTTOM, "G", "last row (and follow, in Events)" },
	{ KEY_END, KA_BOTTOM, "End", NULL },
	{ '>', KA_BOTTOM, ">", NULL },
	{ CTRL('d'), KA_HALF_DOWN, "C-d", "half a page down" },
	{ CTRL('u'), KA_HALF_UP, "C-u", "half a page up" },
	{ KEY_NPAGE, KA_PAGE_DOWN, "PgDn", "a page down" },
	{ CTRL('f'), KA_PAGE_DOWN, "C-f", NULL },
	{ ' ', KA_PAGE_DOWN, "Space", NULL },
	{ KEY_PPAGE, KA_PAGE_UP, "PgUp", "a page up" },
	{ CTRL('b'), KA_PAGE_UP, "C-b", NULL },
	{ '/', KA_SEARCH, "/", "search the rows for text" },
	{ 'n', KA_SEARCH_NEXT, "n", "next match (down)" },
	{ 'N', KA_SEARCH_PREV, "N", "previous match (up)" },
};

static const struct keybind events_binds[] = {
	{ 'e', KA_QUERY, "e", "edit the query (ward-query(7)); Enter "
	    "applies, Esc cancels" },
	{ 'f', KA_FOLLOW, "f", "pause / follow the tail" },
	{ '\n', KA_DETAIL, "Enter", "detail pane: the event's fields" },
	{ '\r', KA_DETAIL, "Enter", NULL },
	{ KEY_ENTER, KA_DETAIL, "Enter", NULL },
	{ 'L', KA_LINK, "L", "link the event to the open incident" },
	{ 'c', KA_CLEAR, "c", "clear the tail" },
};

static const struct keybind alerts_binds[] = {
	{ '\n', KA_DETAIL, "Enter", "detail pane: the alert's fields" },
	{ '\r', KA_DETAIL, "Enter", NULL },
	{ KEY_ENTER, KA_DETAIL, "Enter", NULL },
	{ 'a', KA_ACK, "a", "acknowledge" },
	{ 'e', KA_ESCALATE, "e", "escalate" },
	{ 'p', KA_PROMOTE, "p", "promote to a new incident" },
	{ 'A', KA_ATTACH, "A", "attach to the open incident" },
	{ 'L', KA_ATTACH, "L", NULL },
};

static const struct keybind incidents_binds[] = {
	{ 'f', KA_FILTER, "f", "filter: active, open, contained, closed, all" },
	{ 's', KA_SORT, "s", "sort: updated, severity, id, status" },
	{ 'c', KA_NEW, "c", "create an incident (:new TITLE)" },
};

static const struct keybind incident_binds[] = {
	{ 'c', KA_NOTE, "c", "comment: add a note (:note TEXT)" },
	{ 't', KA_TASK_ADD, "t", "add a task (:task add TITLE [@USER])" },
	{ 'a', KA_ASSIGN, "a", "assign the task under the cursor (lead)" },
	{ 'd', KA_TASK_DONE, "d", "mark the task under the cursor done" },
	{ 'S', KA_TASK_STATUS, "S", "set the status of the task under the "
	    "cursor" },
	{ 's', KA_STATUS, "s", "incident status: open, contained (lead)" },
	{ 'p', KA_PHASE, "p", "incident phase (lead)" },
	{ 'x', KA_CLOSE, "x", "close with a resolution (lead)" },
	{ 'o', KA_OBSERVABLE, "o", "add an observable (:observable KIND "
	    "VALUE)" },
};

static const struct keymap km_global = { "Everywhere", global_binds,
	NB(global_binds) };
static const struct keymap km_list = { "Moving", list_binds,
	NB(list_binds) };
static const struct keymap km_events = { "Events", events_binds,
	NB(events_binds) };
static const struct keymap km_alerts = { "Alerts", alerts_binds,
	NB(alerts_binds) };
static const struct keymap km_incidents = { "Incidents", incidents_binds,
	NB(incidents_binds) };
static const struct keymap km_incident = { "Incident", incident_binds,
	NB(incident_binds) };

static const struct keymap *const maps_events[] = { &km_events, &km_list,
	&km_global, NULL };
static const struct keymap *const maps_alerts[] = { &km_alerts, &km_list,
	&km_global, NULL };
static const struct keymap *const maps_incidents[] = { &km_incidents,
	&km_list, &km_global, NULL };
static const struct keymap *const maps_incident[] = { &km_incident,
	&km_list, &km_global, NULL };
static const struct keymap *const maps_help[] = { &km_list, &km_global,
	NULL };

const struct keymap *const *
keys_for(enum layout_view v)
{
	switch (v) {
	case LV_EVENTS:
		return maps_events;
	case LV_ALERTS:
		return maps_alerts;
	case LV_INCIDENTS:
		return maps_incidents;
	case LV_INCIDENT:
		return maps_incident;
	default:
		return maps_help;
	}
}

enum action
keys_lookup(enum layout_view v, int key)
{
	const struct keymap *const *km;
	size_t	 i;

	for (km = keys_for(v); *km != NULL; km++)
		for (i = 0; i < (*km)->n; i++)
			if ((*km)->binds[i].key == key)
				return (*km)->binds[i].action;
	return KA_NONE;
}

static const char *const action_names[KA_COUNT] = {
	[KA_NONE] = "none", [KA_DOWN] = "down", [KA_UP] = "up",
	[KA_TOP] = "top", [KA_BOTTOM] = "bottom", [KA_HALF_DOWN] = "half-down",
	[KA_HALF_UP] = "half-up", [KA_PAGE_DOWN] = "page-down",
	[KA_PAGE_UP] = "page-up", [KA_SEARCH] = "search",
	[KA_SEARCH_NEXT] = "search-next", [KA_SEARCH_PREV] = "search-prev",
	[KA_OPEN] = "open", [KA_BACK] = "back", [KA_PANE] = "pane",
	[KA_PANE_BACK] = "pane-back", [KA_VIEW_EVENTS] = "events",
	[KA_VIEW_ALERTS] = "alerts", [KA_VIEW_INCIDENTS] = "incidents",
	[KA_VIEW_INCIDENT] = "incident", [KA_HELP] = "help",
	[KA_CMDLINE] = "cmdline", [KA_REDRAW] = "redraw", [KA_QUIT] = "quit",
	[KA_QUERY] = "query", [KA_FOLLOW] = "follow", [KA_DETAIL] = "detail",
	[KA_CLEAR] = "clear", [KA_ACK] = "ack", [KA_ESCALATE] = "escalate",
	[KA_PROMOTE] = "promote", [KA_ATTACH] = "attach", [KA_LINK] = "link",
	[KA_FILTER] = "filter", [KA_SORT] = "sort", [KA_NEW] = "new",
	[KA_NOTE] = "note", [KA_TASK_ADD] = "task-add", [KA_ASSIGN] = "assign",
	[KA_TASK_DONE] = "task-done", [KA_TASK_STATUS] = "task-status",
	[KA_STATUS] = "status", [KA_PHASE] = "phase", [KA_CLOSE] = "close",
	[KA_OBSERVABLE] = "observable",
};

const char *
keys_action_name(enum action a)
{
	if ((int)a < 0 || a >= KA_COUNT || action_names[a] == NULL)
		return "none";
	return action_names[a];
}

int
keys_help_line(const struct keymap *km, size_t i, char *out, size_t outlen)
{
	char	 names[64];
	size_t	 j, nl = 0;
	int	 k;

	if (i >= km->n || km->binds[i].help == NULL || outlen == 0)
		return -1;
	names[0] = '\0';
	for (j = i; j < km->n && (j == i || km->binds[j].help == NULL); j++) {
		/* Skip a name already listed (Enter has three codes). */
		if (j > i && strcmp(km->binds[j].keyname,
		    km->binds[j - 1].keyname) == 0)
			continue;
		k = snprintf(names + nl, sizeof names - nl, "%s%s",
		    j == i ? "" : " ", km->binds[j].keyname);
		if (k < 0 || (size_t)k >= sizeof names - nl)
			break;
		nl += (size_t)k;
	}
	snprintf(out, outlen, "  %-16s %s", names, km->binds[i].help);
	return 0;
}
