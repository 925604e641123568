/*
 * keys — the console's key tables: which key does what in which view, with
 * the help text of each.  The main loop dispatches from these tables and
 * the help view (?) is generated from the same tables, so the two cannot
 * disagree.  Key codes are curses' (KEY_DOWN ...) and plain characters.
 */
#ifndef WARD_KEYS_H
#define WARD_KEYS_H

#include <stddef.h>

#include "layout.h"

enum action {
	KA_NONE = 0,
	/* moving */
	KA_DOWN, KA_UP, KA_TOP, KA_BOTTOM, KA_HALF_DOWN, KA_HALF_UP, KA_PAGE_DOWN,
	KA_PAGE_UP, KA_SEARCH, KA_SEARCH_NEXT, KA_SEARCH_PREV,
	/* everywhere */
	KA_OPEN, KA_BACK, KA_PANE, KA_PANE_BACK, KA_VIEW_EVENTS, KA_VIEW_ALERTS,
	KA_VIEW_INCIDENTS, KA_VIEW_INCIDENT, KA_HELP, KA_CMDLINE, KA_REDRAW,
	KA_QUIT,
	/* events */
	KA_QUERY, KA_FOLLOW, KA_DETAIL, KA_CLEAR,
	/* alerts */
	KA_ACK, KA_ESCALATE, KA_PROMOTE, KA_ATTACH,
	/* events and alerts: link the row to the open incident */
	KA_LINK,
	/* incidents */
	KA_FILTER, KA_SORT, KA_NEW,
	/* incident */
	KA_NOTE, KA_TASK_ADD, KA_ASSIGN, KA_TASK_DONE, KA_TASK_STATUS, KA_STATUS,
	KA_PHASE, KA_CLOSE, KA_OBSERVABLE,
	KA_COUNT
};

/* One binding.  keyname is what help shows ("j", "Down", "C-d"). */
struct keybind {
	int		 key;
	enum action	 action;
	const char	*keyname;
	const char	*help;		/* NULL: same action as the binding
					   before, shown on its line */
};

/* A table of bindings: the global one, the list movement one, and one
   per view. */
struct keymap {
	const char		*title;
	const struct keybind	*binds;
	size_t			 n;
};

/* The tables that apply in view v, most specific first (the view's own,
   then list movement, then global), NULL-terminated.  Static storage. */
const struct keymap *const *keys_for(enum layout_view v);

/* The action of key in view v (the first table that binds it wins), or
   KA_NONE. */
enum action	 keys_lookup(enum layout_view v, int key);

/* A short name of the action ("down", "ack"), for tests and messages. */
const char	*keys_action_name(enum action a);

/*
 * One line of help for table entry i of km, into out: "j Down    move
 * down" with the names of the bindings that share the action joined.
 * Returns 0, or -1 when entry i only continues the line of the one before
 * (nothing to print).
 */
int		 keys_help_line(const struct keymap *km, size_t i, char *out,
		    size_t outlen);

#endif
