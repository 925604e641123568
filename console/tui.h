/*
 * tui — the interactive console: one loop that waits on the terminal and
 * on the hub connection, feeds the model, dispatches keys through the key
 * tables and paints what changed, at most TUI_FPS frames a second (a key
 * is answered at once).  See ward(1).
 *
 * The first part is what bin/ward's main() needs; the rest is shared by
 * the console's own files (tui.c and the view_*.c).
 */
#ifndef WARD_TUI_H
#define WARD_TUI_H

#include <stddef.h>
#include <stdint.h>

struct tui_opts {
	const char	*hub;		/* ws[s]://HOST:PORT */
	const char	*user;
	const char	*key;		/* the user's secret key file */
	const char	*tls_ca;	/* wss: CA bundle, or NULL */
	const char	*known_hubs;	/* NULL: ~/.config/ward/known_hubs */
};

/*
 * Open the console on the terminal (stdin/stdout must be a terminal),
 * connect to the hub and run until the user quits.  Returns the exit
 * status: 0 when the user quit, 1 when the connection failed for good
 * (the reason on stderr after the screen is restored), 2 on a usage or
 * terminal problem.  The environment: NO_COLOR (no colours),
 * WARD_TUI_STATS=FILE (write frame and key latency figures there on
 * exit, for the benchmark).
 */
int	tui_main(const struct tui_opts *o);

/* ---- internal to the console ---------------------------------------- */
#ifdef WARD_TUI_INTERNAL

#include <curses.h>

#include "client.h"
#include "cmdline.h"
#include "keys.h"
#include "layout.h"
#include "model.h"
#include "query.h"

#define TUI_FPS		30	/* repaints/s at most */
#define TUI_TAIL_FPS	15	/* ... when only the event tail moved */
#define TUI_PANES	3

/* What needs repainting: one bit per layout region, plus these. */
#define D_REGION(r)	(1u << (r))
#define D_ALL		((1u << R_COUNT) - 1)
#define D_LAYOUT	(1u << 16)	/* recompute where things go */
#define D_CLEAR		(1u << 17)	/* repaint the terminal from scratch */
#define D_CONTENT	(1u << 18)	/* recompute the views' rows */

/* Styles, mapped to colours or to attributes on monochrome terminals. */
enum tui_style {
	S_NORMAL = 0, S_TAB, S_TAB_ON, S_BAR, S_BAR_BAD, S_BAR_WARN,
	S_SEL, S_SEL_DIM, S_TITLE, S_DIM, S_ERR, S_OK, S_MATCH, S_KEY,
	S_SEV0, S_SEV1, S_SEV2, S_SEV3, S_SEV4, S_SEV5, S_SEV6, S_SEV7,
	S_COUNT
};

/* The rows a pane shows when they are worth computing ahead (timeline,
   tasks, detail, help): text (escaped, owned) and a style each. */
struct tui_row {
	char		*text;
	int		 style;
	char		 key[32];	/* what the row is about: "T-4" */
};
struct tui_rows {
	struct tui_row	*r;
	size_t		 n, cap;
};
void	tui_rows_clear(struct tui_rows *);
/* Append a row (text escaped here, oneline).  Returns 0 or -1. */
int	tui_rows_add(struct tui_rows *, int style, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Append text (escaped here) wrapped to cols, each line indented by
   indent spaces after the first (which starts with prefix). */
void	tui_rows_wrap(struct tui_rows *, int style, const char *key,
	    const char *prefix, const char *text, int cols, int indent);

/* What a view's computed rows were computed for. */
struct tui_cache {
	int		 valid;
	int64_t		 id;
	const void	*ptr;
	int		 cols;
	uint64_t	 gen;
};

/* Append "path: value" rows for every field of the object o, nested
   objects flattened ("details.src: 10.0.0.1"), values wrapped to cols. */
void	tui_rows_fields(struct tui_rows *, const char *prefix, const json_t *o,
	    int cols);

struct tui;

/* A view.  Pane 0 is R_MAIN, pane 1 R_SIDE, pane 2 R_SIDE2. */
struct tui_view {
	enum layout_view id;
	const char	*name;
	/* Called when the view is shown and left (may be NULL). */
	void		(*enter)(struct tui *);
	void		(*leave)(struct tui *);
	/* How many panes are shown now (1..TUI_PANES). */
	int		(*panes)(struct tui *);
	/* Recompute the panes' rows for the current model and layout
	   (called before painting when D_CONTENT is set; may be NULL). */
	void		(*compute)(struct tui *);
	/* Rows of pane p, and row i's text (escaped) and style. */
	size_t		(*nrows)(struct tui *, int p);
	const char	*(*row)(struct tui *, int p, size_t i, int *style);
	/* The pane's title line, or "" for none. */
	void		(*title)(struct tui *, int p, char *out, size_t outlen);
	/* The view's own keys: returns D_* flags, or 0 when not handled. */
	unsigned	(*action)(struct tui *, enum action a);
	/* Paint a region the generic list painter does not (header, a bar
	   chart); returns 1 when it did.  May be NULL. */
	int		(*paint)(struct tui *, enum layout_region r, WINDOW *w);
};

extern const struct tui_view tui_view_events;
extern const struct tui_view tui_view_alerts;
extern const struct tui_view tui_view_incidents;
extern const struct tui_view tui_view_incident;
extern const struct tui_view tui_view_help;

enum tui_edit { ED_NONE = 0, ED_CMD, ED_QUERY, ED_SEARCH };

struct tui {
	struct client		*c;
	struct model		 m;
	const struct tui_view	*view;
	enum layout_view	 back;		/* where help and the incident
						   view go back to */
	struct layout		 lay;
	WINDOW			*win[R_COUNT];
	unsigned		 dirty;
	int			 urgent;	/* dirt besides the tail's */
	struct layout_list	 list[LV_COUNT][TUI_PANES];
	int			 pane[LV_COUNT];	/* the focused pane */
	int			 side[LV_COUNT];	/* a side pane is open */
	uint64_t		 rows_dropped;	/* m.rows_dropped we saw */
	int64_t			 backlog_id;	/* the stored events asked
						   for last (a search) */
	struct {			/* what the tail window shows */
		WINDOW		*w;
		uint64_t	 top;	/* absolute: rows_dropped + top */
		int		 cols, valid;
	}			 tail;
	uint64_t		 gen;		/* bumped when incidents, alerts
						   or presence change */
	char			 opening[32];	/* incident being loaded */

	/* The line being edited, if any. */
	enum tui_edit		 edit;
	struct cmdline		 cmd, query, search;
	char			 search_text[256];
	struct query_error	 qerr;		/* the query bar's, as typed */
	int			 qbad;

	/* The message line. */
	char			 msg[1024];
	int			 msg_err;
	int64_t			 msg_until;	/* µs; 0: until a key */

	/* Incidents list: filter and sort, and the order shown. */
	int			 inc_filter, inc_sort;
	size_t			*inc_order;
	size_t			 inc_n;
	/* Computed rows of the other views' panes, and what they were
	   computed for (so a view recomputes only when that changed). */
	struct tui_rows		 rows[LV_COUNT][TUI_PANES];
	struct tui_cache	 cache[LV_COUNT];

	char			 scratch[2048];	/* a view's row() */
	attr_t			 style[S_COUNT];
	int			 ascii;		/* no UTF-8: ASCII bars */
	int			 quit;
	char			 fail[512];	/* why the client gave up */

	/* Benchmark figures (WARD_TUI_STATS). */
	uint64_t		 frames;
	int64_t			 frame_us;	/* time spent painting */
	int64_t			 dispatch_us;	/* ... taking in messages */
	uint64_t		 keys;
	int64_t			 key_lat_max;	/* µs from key to doupdate */
	uint64_t		 key_lat_hist[64]; /* by ms */
};

/* Style s as curses attributes. */
attr_t	tui_attr(const struct tui *t, int s);
/* Draw s (escaped UTF-8) at (y, x) of w, at most cols cells, in style. */
void	tui_put(struct tui *t, WINDOW *w, int y, int x, int cols,
	    const char *s, int style);
/* Fill row y of w with spaces in style. */
void	tui_fill(struct tui *t, WINDOW *w, int y, int style);
/* Say something on the message line (err: in the error style) until the
   next key or secs seconds (0: until a key). */
void	tui_msg(struct tui *t, int err, int secs, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* Send op with args (borrowed, may be NULL); what is said when it is
   applied ("note added").  A refusal shows the hub's reason. */
void	tui_op(struct tui *t, const char *op, const json_t *args,
	    const char *what);
/* Open incident ref ("INC-3"): subscribe to it and show it. */
void	tui_open_incident(struct tui *t, const char *ref);
/* Switch to view v. */
void	tui_show(struct tui *t, enum layout_view v);
/* Start editing the command line with text. */
void	tui_cmdline(struct tui *t, const char *text);
/* The list state of pane p of the current view and its visible rows. */
struct layout_list *tui_list(struct tui *t, int p);
size_t	tui_pane_height(struct tui *t, int p);
/* The selected event / alert (borrowed; NULL when none). */
const struct model_event *tui_selected_event(struct tui *t);
json_t	*tui_selected_alert(struct tui *t);
/* Run a parsed ':' command. */
unsigned tui_run_cmd(struct tui *t, const struct cmd *c);

#endif /* WARD_TUI_INTERNAL */
#endif
