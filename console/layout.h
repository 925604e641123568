/*
 * layout — what goes where on the console's screen, for a given terminal
 * size and view, and the text measuring the views need (UTF-8 columns,
 * clipping, escaping untrusted text).  Pure: no curses, no model, no I/O,
 * so everything here is unit-tested without a terminal (test_layout.c).
 */
#ifndef WARD_LAYOUT_H
#define WARD_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* The smallest screen the console is designed for, and the one below which
   it only says "too small". */
#define LAYOUT_MIN_W	80
#define LAYOUT_MIN_H	24
#define LAYOUT_TINY_W	20
#define LAYOUT_TINY_H	6
/* From this width, side panes go to the right instead of below. */
#define LAYOUT_WIDE_W	140

/* Views of the console. */
enum layout_view {
	LV_EVENTS = 0,
	LV_ALERTS,
	LV_INCIDENTS,
	LV_INCIDENT,
	LV_HELP,
	LV_COUNT
};

/* Regions of the screen.  A region with h == 0 is not shown. */
enum layout_region {
	R_TABS = 0,	/* row 0: the views, the open incident */
	R_QUERY,	/* events: the query bar */
	R_QERR,		/* events: the caret and the query's error */
	R_HEADER,	/* incident: title and fields */
	R_MAIN,		/* the list (events, alerts, incidents, timeline,
			   help) */
	R_SIDE,		/* events: detail or count table; alerts: detail;
			   incident: tasks */
	R_SIDE2,	/* incident: observables */
	R_STATUS,	/* the status bar */
	R_CMD,		/* the command line / messages */
	R_COUNT
};

struct layout_rect {
	int	y, x, h, w;
};

/* What the layout depends on besides the size. */
struct layout_in {
	int		 w, h;		/* the terminal, in cells */
	enum layout_view view;
	int		 side;		/* events/alerts: a side pane is open
					   (detail, count table) */
	int		 qerr;		/* events: the query has an error */
};

struct layout {
	int			tiny;	/* too small: only R_MAIN, a message */
	int			side_right; /* R_SIDE is right of R_MAIN */
	struct layout_rect	r[R_COUNT];
};

/*
 * Compute where each region goes.  Every shown region lies inside the
 * screen, no two overlap, and R_TABS, R_MAIN, R_STATUS and R_CMD are shown
 * on any screen of at least LAYOUT_TINY_W x LAYOUT_TINY_H (smaller: tiny).
 */
void	layout_compute(const struct layout_in *in, struct layout *out);
/* 1 when the two layouts put every region in the same place. */
int	layout_same(const struct layout *a, const struct layout *b);

/*
 * A scrolled list of n rows shown h rows at a time: cur is the selected
 * row, top the first shown.  follow keeps cur on the last row as rows come
 * (a live tail).
 */
struct layout_list {
	size_t	top, cur;
	int	follow;
};

enum layout_move {
	LM_DOWN, LM_UP, LM_TOP, LM_BOTTOM, LM_HALF_DOWN, LM_HALF_UP,
	LM_PAGE_DOWN, LM_PAGE_UP
};

/* Move the selection of l (n rows, h shown) and scroll so it stays in
   sight.  Moving to the last row (or past it) turns follow on when
   follow_ok, anything else turns it off.  Returns 1 when cur or top
   changed. */
int	layout_list_move(struct layout_list *l, size_t n, size_t h,
	    enum layout_move mv, int follow_ok);
/* Put cur at row i (clamped) and scroll it into sight. */
void	layout_list_set(struct layout_list *l, size_t n, size_t h, size_t i);
/* Bring l in line with n rows shown h at a time (after rows came or went,
   or a resize): clamp cur, keep it in sight, and follow the end when
   follow is on. */
void	layout_list_fix(struct layout_list *l, size_t n, size_t h);
/* The list lost its first k rows (a capped ring dropped them): shift cur
   and top so they point at the same rows (or row 0). */
void	layout_list_dropped(struct layout_list *l, size_t k);


/*
 * Copy the untrusted text s (n bytes) to out (outlen bytes, always
 * NUL-terminated when outlen > 0) so it is safe to draw: C0 control
 * characters and DEL become "^X" ("^[" for ESC), C1 controls and the
 * bidirectional overrides become "\u0085"-style escapes, bytes that are
 * not UTF-8 become "\xNN".  With oneline, newline, CR and tab become a
 * space; without it, newline is kept (for layout_wrap) and CR and tab
 * become a space.  Stops at a character boundary when out is full.
 * Returns the bytes written (without the NUL).  Every place that puts
 * text from events, alerts or incidents on a terminal goes through it:
 * the console's views and the subcommands (cli_clean, utf8_put_json).
 */
size_t	layout_escape(const char *s, size_t n, char *out, size_t outlen,
	    int oneline);

/* Display width, in cells, of the UTF-8 text s (n bytes).  Text must be
   escaped already: an undecodable byte counts as one cell. */
int	layout_width(const char *s, size_t n);
/* How many bytes of s (n bytes) fit in cols cells, on a character
   boundary; *used (if not NULL) gets their width. */
size_t	layout_fit(const char *s, size_t n, int cols, int *used);

/*
 * Word-wrap s (n bytes, escaped, may hold newlines) to lines of at most
 * cols cells: calls fn(arg, start, len) for each line in order.  Returns
 * the number of lines (fn may be NULL to count them).
 */
int	layout_wrap(const char *s, size_t n, int cols,
	    void (*fn)(void *arg, const char *line, size_t len), void *arg);

/* A bar of len cells out of width for value v of max (>= 0): "█" blocks
   and a partial block, into out (at least 3 * width + 4 bytes).  Returns
   the bytes written.  ascii: '#' instead (no UTF-8 locale). */
size_t	layout_bar(uint64_t v, uint64_t max, int width, int ascii, char *out,
	    size_t outlen);

#endif
