/*
 * tui — the interactive console.  See tui.h.
 *
 * One loop: poll() the terminal and the client's fd; keys go through the
 * key tables to the view or to the generic list actions; the client's
 * callbacks feed the model.  Both only set "dirty" bits; painting happens
 * in one place (frame()), at most TUI_FPS times a second for what the hub
 * sends and at once for a key.  Each region is its own curses window,
 * repainted only when dirty, and the terminal gets only what changed
 * (wnoutrefresh + doupdate: curses compares with what is on screen).
 */
#define WARD_TUI_INTERNAL
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"
#include "timeparse.h"
#include "tui.h"
#include "version.h"

#define FRAME_US	(1000000 / TUI_FPS)
#define TAIL_FRAME_US	(1000000 / TUI_TAIL_FPS)

static const struct tui_view *const views[LV_COUNT] = {
	[LV_EVENTS] = &tui_view_events,
	[LV_ALERTS] = &tui_view_alerts,
	[LV_INCIDENTS] = &tui_view_incidents,
	[LV_INCIDENT] = &tui_view_incident,
	[LV_HELP] = &tui_view_help,
};

static const enum layout_region pane_region[TUI_PANES] = { R_MAIN, R_SIDE,
	R_SIDE2 };

/* Rows. */

void
tui_rows_clear(struct tui_rows *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		free(rs->r[i].text);
	rs->n = 0;
}

static int
rows_push(struct tui_rows *rs, int style, const char *key, const char *text,
    size_t len)
{
	struct tui_row *nr;
	char	*s;

	if (rs->n == rs->cap) {
		nr = realloc(rs->r, (rs->cap ? rs->cap * 2 : 64) * sizeof *nr);
		if (nr == NULL)
			return -1;
		rs->r = nr;
		rs->cap = rs->cap ? rs->cap * 2 : 64;
	}
	if ((s = malloc(len + 1)) == NULL)
		return -1;
	memcpy(s, text, len);
	s[len] = '\0';
	rs->r[rs->n].text = s;
	rs->r[rs->n].style = style;
	snprintf(rs->r[rs->n].key, sizeof rs->r[rs->n].key, "%s",
	    key != NULL ? key : "");
	rs->n++;
	return 0;
}

int
tui_rows_add(struct tui_rows *rs, int style, const char *key,
    const char *fmt, ...)
{
	char	 raw[2048], esc[4096];
	size_t	 n;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	n = layout_escape(raw, strlen(raw), esc, sizeof esc, 1);
	return rows_push(rs, style, key, esc, n);
}

struct wrapctx {
	struct tui_rows	*rs;
	int		 style, indent, first;
	const char	*key, *prefix;
};

static void
wrap_line(void *arg, const char *line, size_t len)
{
	struct wrapctx *w = arg;
	char	 buf[4096];
	size_t	 pl;

	pl = (size_t)snprintf(buf, sizeof buf, "%*s", w->first ? 0 :
	    w->indent, "");
	if (w->first)
		pl = (size_t)snprintf(buf, sizeof buf, "%s", w->prefix);
	if (pl + len >= sizeof buf)
		len = sizeof buf - pl - 1;
	memcpy(buf + pl, line, len);
	rows_push(w->rs, w->style, w->key, buf, pl + len);
	w->first = 0;
}

void
tui_rows_wrap(struct tui_rows *rs, int style, const char *key,
    const char *prefix, const char *text, int cols, int indent)
{
	struct wrapctx w = { rs, style, indent, 1, key, NULL };
	char	*esc, pesc[1024];
	size_t	 n, cap;
	int	 pw;

	layout_escape(prefix, strlen(prefix), pesc, sizeof pesc, 1);
	prefix = w.prefix = pesc;
	cap = strlen(text) * 6 + 1;
	if ((esc = malloc(cap)) == NULL)
		return;
	n = layout_escape(text, strlen(text), esc, cap, 0);
	pw = layout_width(prefix, strlen(prefix));
	if (pw < indent)
		pw = indent;
	/* The first line has the prefix; wrap at the narrower width. */
	layout_wrap(esc, n, cols - pw > 10 ? cols - pw : 10, wrap_line, &w);
	free(esc);
}

static void
fields(struct tui_rows *rs, const char *prefix, const json_t *o, int cols,
    int depth)
{
	const char *k;
	const json_t *v;
	char	 path[512], head[600], *val;

	if ((val = malloc(8192)) == NULL)
		return;
	json_object_foreach((json_t *)o, k, v) {
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." :
		    "", k);
		/* Nested objects are flattened, to a depth. */
		if (json_is_object(v) && json_object_size(v) > 0 &&
		    depth < 6) {
			fields(rs, path, v, cols, depth + 1);
			continue;
		}
		model_value_text(v, val, 8192);
		snprintf(head, sizeof head, "%s: ", path);
		tui_rows_wrap(rs, S_NORMAL, path, head, val, cols, 4);
	}
	free(val);
}

void
tui_rows_fields(struct tui_rows *rs, const char *prefix, const json_t *o,
    int cols)
{
	fields(rs, prefix, o, cols, 0);
}

/* Drawing. */

attr_t
tui_attr(const struct tui *t, int s)
{
	return s >= 0 && s < S_COUNT ? t->style[s] : A_NORMAL;
}

void
tui_put(struct tui *t, WINDOW *w, int y, int x, int cols, const char *s,
    int style)
{
	size_t n;

	if (cols <= 0 || s == NULL)
		return;
	n = layout_fit(s, strlen(s), cols, NULL);
	wattrset(w, tui_attr(t, style));
	mvwaddnstr(w, y, x, s, (int)n);
	wattrset(w, A_NORMAL);
}

void
tui_fill(struct tui *t, WINDOW *w, int y, int style)
{
	int x, wd = getmaxx(w);

	wattrset(w, tui_attr(t, style));
	wmove(w, y, 0);
	for (x = 0; x < wd; x++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

static void
styles(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	int	 color, bg = -1, i;

	for (i = 0; i < S_COUNT; i++)
		t->style[i] = A_NORMAL;
	/* Monochrome first: attributes only. */
	t->style[S_TAB] = A_REVERSE;
	t->style[S_TAB_ON] = A_BOLD | A_UNDERLINE;
	t->style[S_BAR] = A_REVERSE;
	t->style[S_BAR_BAD] = A_BOLD | A_UNDERLINE;
	t->style[S_BAR_WARN] = A_REVERSE | A_BOLD;
	t->style[S_SEL] = A_REVERSE;
	t->style[S_SEL_DIM] = A_UNDERLINE;
	t->style[S_TITLE] = A_BOLD | A_UNDERLINE;
	t->style[S_DIM] = A_DIM;
	t->style[S_ERR] = A_BOLD;
	t->style[S_MATCH] = A_UNDERLINE | A_BOLD;
	t->style[S_KEY] = A_BOLD;
	t->style[S_SEV0] = A_BOLD | A_REVERSE;
	t->style[S_SEV1] = A_BOLD | A_REVERSE;
	t->style[S_SEV2] = A_BOLD;
	t->style[S_SEV3] = A_BOLD;
	t->style[S_SEV4] = A_UNDERLINE;
	t->style[S_SEV7] = A_DIM;
	color = has_colors() && (nc == NULL || *nc == '\0') && COLORS >= 8;
	if (!color || start_color() == ERR)
		return;
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(1, COLOR_RED, bg);
	init_pair(2, COLOR_YELLOW, bg);
	init_pair(3, COLOR_GREEN, bg);
	init_pair(4, COLOR_CYAN, bg);
	init_pair(5, COLOR_MAGENTA, bg);
	init_pair(6, COLOR_WHITE, COLOR_BLUE);
	init_pair(7, COLOR_BLACK, COLOR_CYAN);
	init_pair(8, COLOR_WHITE, COLOR_RED);
	init_pair(9, COLOR_BLACK, COLOR_YELLOW);
	init_pair(10, COLOR_BLUE, bg);
	t->style[S_TAB] = COLOR_PAIR(6);
	t->style[S_TAB_ON] = COLOR_PAIR(7) | A_BOLD;
	t->style[S_BAR] = COLOR_PAIR(6);
	t->style[S_BAR_BAD] = COLOR_PAIR(8) | A_BOLD;
	t->style[S_BAR_WARN] = COLOR_PAIR(9);
	t->style[S_TITLE] = COLOR_PAIR(4) | A_BOLD;
	t->style[S_ERR] = COLOR_PAIR(1) | A_BOLD;
	t->style[S_OK] = COLOR_PAIR(3);
	t->style[S_MATCH] = COLOR_PAIR(9);
	t->style[S_KEY] = COLOR_PAIR(4) | A_BOLD;
	t->style[S_SEV0] = COLOR_PAIR(8) | A_BOLD;
	t->style[S_SEV1] = COLOR_PAIR(5) | A_BOLD;
	t->style[S_SEV2] = COLOR_PAIR(1) | A_BOLD;
	t->style[S_SEV3] = COLOR_PAIR(1);
	t->style[S_SEV4] = COLOR_PAIR(2);
	t->style[S_SEV5] = COLOR_PAIR(4);
	t->style[S_SEV7] = COLOR_PAIR(10);
}

/* Messages. */

void
tui_msg(struct tui *t, int err, int secs, const char *fmt, ...)
{
	char	 raw[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	layout_escape(raw, strlen(raw), t->msg, sizeof t->msg, 1);
	t->msg_err = err;
	t->msg_until = secs > 0 ? monotime_us() + (int64_t)secs * 1000000 : 0;
	t->dirty |= D_REGION(R_CMD);
}

/* What a model change means for the screen. */
static unsigned
dirty_for(struct tui *t, unsigned mc)
{
	enum layout_view v = t->view->id;
	unsigned d = 0;

	if (mc & MC_EVENTS && v == LV_EVENTS) {
		d |= D_REGION(R_QUERY);
		if (t->list[LV_EVENTS][0].follow ||
		    t->m.rows_dropped != t->rows_dropped)
			d |= D_REGION(R_MAIN);
		if (t->side[LV_EVENTS] && (mc & MC_AGG))
			d |= D_REGION(R_SIDE);
	}
	/* Anything but the tail moving is painted at the full rate. */
	if (mc & ~(MC_EVENTS | MC_AGG))
		t->urgent = 1;
	if (mc & MC_ALERTS) {
		if (v == LV_ALERTS) {
			t->m.alerts_unseen = 0;
			d |= D_REGION(R_MAIN) | D_REGION(R_SIDE);
		}
		d |= D_REGION(R_TABS) | D_REGION(R_STATUS);
	}
	if (mc & (MC_INCIDENTS | MC_INCIDENT | MC_PRESENCE)) {
		t->gen++;
		if (v == LV_INCIDENTS || v == LV_INCIDENT)
			d |= D_ALL & ~(D_REGION(R_CMD));
		d |= D_REGION(R_TABS);
	}
	if (mc & MC_CONN)
		d |= D_REGION(R_STATUS) | D_REGION(R_TABS);
	return d;
}

/* The client's callbacks. */

static void
reload(struct tui *t);
static void
backlog_load(struct tui *t);

static void
on_state(struct client *c, enum client_state st, const char *why, void *arg)
{
	struct tui *t = arg;
	int	 was = t->m.conn;

	t->m.conn = st;
	snprintf(t->m.conn_why, sizeof t->m.conn_why, "%s", why ? why : "");
	if (st == CLIENT_READY) {
		snprintf(t->m.user, sizeof t->m.user, "%s", client_user(c));
		t->m.role = client_role(c);
		snprintf(t->m.hub, sizeof t->m.hub, "%s", client_hub(c));
		if (was == CLIENT_RECONNECTING) {
			tui_msg(t, 0, 5, "reconnected to %s; resumed after "
			    "seq %" PRId64, t->m.hub, client_last_seq(c));
			/* The client renewed the events subscription
			   first: what was stored meanwhile. */
			backlog_load(t);
		}
	}
	if (st == CLIENT_FAILED)
		snprintf(t->fail, sizeof t->fail, "%s", why ? why : "");
	t->dirty |= dirty_for(t, MC_CONN);
}

static void
on_push(struct client *c, const struct wire_msg *m, void *arg)
{
	struct tui *t = arg;
	const char *type;
	unsigned mc = 0;
	size_t	 i;

	switch (m->type) {
	case WIRE_EVENTS:
		for (i = 0; i < m->nevents; i++)
			mc |= model_event_add(&t->m, m->events[i].id,
			    m->events[i].json, m->events[i].len);
		break;
	case WIRE_ALERT:
		mc = model_alert_add(&t->m, json_object_get(m->root, "alert"));
		break;
	case WIRE_OP_PUSH:
		mc = model_apply_op(&t->m, m->root);
		break;
	case WIRE_PRESENCE:
		mc = model_presence_set(&t->m, json_object_get(m->root,
		    "users"));
		break;
	case WIRE_RESYNC:
		tui_msg(t, 1, 5, "resync: %s", json_string_value(
		    json_object_get(m->root, "reason")));
		reload(t);
		break;
	default:
		type = json_string_value(json_object_get(m->root, "type"));
		if (type != NULL && strcmp(type, "notice") == 0)
			tui_msg(t, 0, 8, "%s", json_string_value(
			    json_object_get(m->root, "message")));
		break;
	}
	t->dirty |= dirty_for(t, mc);
}

static const char *
reply_message(const struct wire_msg *m)
{
	const char *s = json_string_value(json_object_get(m->root, "message"));

	return s != NULL ? s : "(no reason given)";
}

static void
on_list(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct tui *t = arg;
	json_t	*r;

	if (m == NULL || m->type != WIRE_REPLY_OK)
		return;
	r = json_object_get(m->root, "result");
	if (json_is_array(r))
		t->dirty |= dirty_for(t, model_incidents_set(&t->m,
		    json_incref(r)));
}

static void
on_presence(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct tui *t = arg;
	json_t	*r;

	if (m == NULL || m->type != WIRE_REPLY_OK)
		return;
	r = json_object_get(m->root, "result");
	if (json_is_array(r))
		t->dirty |= dirty_for(t, model_presence_set(&t->m, r));
}

static void
on_sub(struct client *c, const struct wire_msg *m, const char *why, void *arg)
{
	struct tui *t = arg;

	if (m != NULL && m->type == WIRE_REPLY_ERROR)
		tui_msg(t, 1, 0, "refused: %s", reply_message(m));
}

/*
 * The events view opens on the newest stored events, then follows live
 * ones, as less +F does: once the hub has the events subscription (so
 * nothing committed after the search is missed), a search for the
 * newest MODEL_BACKLOG events of the query's filter; model_events_merge
 * puts them before the live ones and leaves out those already held.
 * Asked again after a reconnection, it fills the gap.
 */
static void
on_backlog(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct tui *t = arg;
	struct layout_list *l = &t->list[LV_EVENTS][0];
	const struct model_event *e;
	const char *notice;
	int64_t	 sel = -1;
	size_t	 i;
	int	 mc;

	if (m == NULL || m->id != t->backlog_id)
		return;		/* lost, or a query applied since */
	if (m->type == WIRE_REPLY_ERROR) {
		tui_msg(t, 1, 5, "stored events: %s", reply_message(m));
		return;
	}
	/* Days the search could not read, archived: say so (and how to
	   bring them back) rather than show less without a word.  It
	   stays until another message takes its place. */
	if ((notice = json_string_value(json_object_get(json_object_get(
	    m->root, "result"), "notice"))) != NULL)
		tui_msg(t, 0, 0, "stored events: %s", notice);
	if (!l->follow && (e = model_row(&t->m, l->cur)) != NULL)
		sel = e->id;
	mc = model_events_merge(&t->m, json_object_get(json_object_get(
	    m->root, "result"), "rows"));
	if (mc == -1)
		tui_msg(t, 1, 5, "stored events: out of memory");
	if (mc <= 0)
		return;
	/* Rows may be renumbered: keep the cursor on its event. */
	t->rows_dropped = t->m.rows_dropped;
	if (sel >= 0)
		for (i = 0; (e = model_row(&t->m, i)) != NULL; i++)
			if (e->id == sel) {
				layout_list_set(l, t->m.rows_n,
				    tui_pane_height(t, 0), i);
				break;
			}
	t->tail.valid = 0;
	t->dirty |= dirty_for(t, (unsigned)mc) | D_REGION(R_MAIN);
}

/* The filter of query text q (what comes before its first '|' stage)
   into out. */
static void
query_filter(const char *q, char *out, size_t outlen)
{
	size_t	 i;
	int	 quoted = 0;

	for (i = 0; q[i] != '\0'; i++) {
		if (q[i] == '\\' && q[i + 1] != '\0')
			i++;
		else if (q[i] == '"')
			quoted = !quoted;
		else if (!quoted && q[i] == '|' && q[i + 1] == '|')
			i++;		/* OR */
		else if (!quoted && q[i] == '|')
			break;
	}
	snprintf(out, outlen, "%.*s", (int)i, q);
}

static void
backlog_load(struct tui *t)
{
	char	 filter[QUERY_MAX_LEN + 1];
	json_t	*args;

	query_filter(t->m.qtext != NULL ? t->m.qtext : "", filter,
	    sizeof filter);
	if ((args = json_pack("{s:s, s:i}", "q", filter, "limit",
	    MODEL_BACKLOG)) == NULL)
		return;
	t->backlog_id = client_query(t->c, "search", args, on_backlog, t);
	json_decref(args);
}

static void
on_events_sub(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct tui *t = arg;

	on_sub(c, m, why, arg);
	if (m != NULL && m->type == WIRE_REPLY_OK)
		backlog_load(t);
}

static void
on_incident(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct tui *t = arg;
	json_t	*r;
	const char *id;

	if (m == NULL) {
		tui_msg(t, 1, 0, "could not open %s: %s", t->opening, why);
		return;
	}
	if (m->type == WIRE_REPLY_ERROR) {
		tui_msg(t, 1, 0, "refused: %s", reply_message(m));
		if (t->m.inc == NULL && t->view->id == LV_INCIDENT)
			tui_show(t, LV_INCIDENTS);
		t->opening[0] = '\0';
		return;
	}
	r = json_object_get(m->root, "result");
	id = json_string_value(json_object_get(r, "id"));
	if (id == NULL || strcmp(id, t->opening) != 0)
		return;		/* the user opened another meanwhile */
	t->opening[0] = '\0';
	t->dirty |= dirty_for(t, model_incident_set(&t->m, json_incref(r)));
	t->dirty |= D_LAYOUT;
}

static void
on_alerts(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct tui *t = arg;
	const json_t *r, *a;
	size_t	 i, unseen = 0;

	if (m == NULL || m->type != WIRE_REPLY_OK)
		return;
	r = json_object_get(m->root, "result");
	/* Newest first: add them oldest first, as they would have come. */
	for (i = json_array_size(r); i > 0; i--) {
		a = json_array_get(r, i - 1);
		model_alert_add(&t->m, a);
		if (strcmp(json_string_value(json_object_get(a, "status")) ?
		    json_string_value(json_object_get(a, "status")) : "",
		    "new") == 0)
			unseen++;
	}
	t->m.alerts_unseen = t->view->id == LV_ALERTS ? 0 : unseen;
	t->dirty |= dirty_for(t, MC_ALERTS);
}

/* The alerts still open. */
static void
alerts_load(struct tui *t)
{
	json_t	*args;

	if ((args = json_pack("{s:s, s:i}", "status", "open", "limit", 1000))
	    == NULL)
		return;
	client_query(t->c, "alert.list", args, on_alerts, t);
	json_decref(args);
}

/* Reload what pushes would not restore after a resync. */
static void
reload(struct tui *t)
{
	json_t	*args;

	if ((args = json_pack("{s:s}", "status", "all")) != NULL) {
		client_query(t->c, "incident.list", args, on_list, t);
		json_decref(args);
	}
	if (t->m.inc_ref[0] != '\0' && (args = json_pack("{s:s}", "incident",
	    t->m.inc_ref)) != NULL) {
		snprintf(t->opening, sizeof t->opening, "%s", t->m.inc_ref);
		client_query(t->c, "incident.show", args, on_incident, t);
		json_decref(args);
	}
}

struct opctx {
	struct tui	*t;
	char		 what[160];
	int		 open;		/* open the incident it made */
};

static void
on_op(struct client *c, const struct wire_msg *m, const char *why, void *arg)
{
	struct opctx *o = arg;
	struct tui *t = o->t;
	const json_t *cur, *inc;
	const char *code, *ref;
	char	 cv[64];

	if (m == NULL) {
		tui_msg(t, 1, 0, "%s: no answer from the hub (%s); it may or "
		    "may not have been applied", o->what, why);
		goto done;
	}
	if (m->type == WIRE_REPLY_ERROR) {
		code = json_string_value(json_object_get(m->root, "code"));
		cur = json_object_get(m->root, "current");
		if (code != NULL && strcmp(code, "stale") == 0 &&
		    json_is_object(cur)) {
			model_value_text(json_object_get(cur, "version"), cv,
			    sizeof cv);
			tui_msg(t, 1, 0, "not applied: %s changed meanwhile "
			    "(now version %s: status %s, phase %s); yours: "
			    "%s; repeat to apply", json_string_value(
			    json_object_get(cur, "id")), cv, json_string_value(
			    json_object_get(cur, "status")), json_string_value(
			    json_object_get(cur, "phase")), o->what);
			if (t->m.inc != NULL && json_equal(json_object_get(cur,
			    "id"), json_object_get(t->m.inc, "id"))) {
				json_object_update_existing(t->m.inc,
				    (json_t *)cur);
				t->dirty |= dirty_for(t, MC_INCIDENT);
			}
		} else
			tui_msg(t, 1, 0, "refused: %s", reply_message(m));
		goto done;
	}
	tui_msg(t, 0, 5, "%s", o->what);
	inc = json_object_get(json_object_get(m->root, "result"), "incident");
	ref = json_string_value(json_object_get(inc, "id"));
	if (o->open && ref != NULL)
		tui_open_incident(t, ref);
done:
	free(o);
}

static void
send_op(struct tui *t, const char *op, const json_t *args, const char *what,
    int open)
{
	struct opctx *o;

	if ((o = calloc(1, sizeof *o)) == NULL)
		return;
	o->t = t;
	snprintf(o->what, sizeof o->what, "%s", what);
	o->open = open;
	if (client_op(t->c, op, args, on_op, o) == -1) {
		tui_msg(t, 1, 0, "%s: not connected", what);
		free(o);
		return;
	}
	tui_msg(t, 0, 0, "%s: sent…", op);
}

void
tui_op(struct tui *t, const char *op, const json_t *args, const char *what)
{
	send_op(t, op, args, what, 0);
}

void
tui_open_incident(struct tui *t, const char *ref)
{
	char	 topic[64];

	if (t->m.inc != NULL && strcmp(t->m.inc_ref, ref) == 0) {
		tui_show(t, LV_INCIDENT);
		return;
	}
	if (t->m.inc_ref[0] != '\0') {
		snprintf(topic, sizeof topic, "incident:%s", t->m.inc_ref);
		client_unsubscribe(t->c, topic, NULL, NULL);
	}
	t->dirty |= dirty_for(t, model_incident_set(&t->m, NULL));
	snprintf(t->opening, sizeof t->opening, "%s", ref);
	snprintf(topic, sizeof topic, "incident:%s", ref);
	client_subscribe(t->c, topic, NULL, on_incident, t);
	memset(t->list[LV_INCIDENT], 0, sizeof t->list[LV_INCIDENT]);
	t->list[LV_INCIDENT][0].follow = 1;
	t->pane[LV_INCIDENT] = 0;
	if (t->view->id != LV_INCIDENT && t->view->id != LV_HELP)
		t->back = t->view->id;
	tui_show(t, LV_INCIDENT);
}

void
tui_show(struct tui *t, enum layout_view v)
{
	if (t->view->id == v) {
		t->dirty |= D_ALL | D_LAYOUT | D_CONTENT;
		return;
	}
	if (t->view->leave != NULL)
		t->view->leave(t);
	t->view = views[v];
	if (v == LV_ALERTS)
		t->m.alerts_unseen = 0;
	if (t->view->enter != NULL)
		t->view->enter(t);
	t->dirty |= D_ALL | D_LAYOUT | D_CONTENT;
}

void
tui_cmdline(struct tui *t, const char *text)
{
	cmdline_set(&t->cmd, text);
	t->edit = ED_CMD;
	t->dirty |= D_REGION(R_CMD);
}

struct layout_list *
tui_list(struct tui *t, int p)
{
	return &t->list[t->view->id][p];
}

static enum layout_region
region_of(int p)
{
	return p >= 0 && p < TUI_PANES ? pane_region[p] : R_MAIN;
}

size_t
tui_pane_height(struct tui *t, int p)
{
	char	 title[8];
	int	 h = t->lay.r[region_of(p)].h;

	title[0] = '\0';
	if (t->view->title != NULL)
		t->view->title(t, p, title, sizeof title);
	if (title[0] != '\0')
		h--;
	return h > 0 ? (size_t)h : 1;
}

const struct model_event *
tui_selected_event(struct tui *t)
{
	struct layout_list *l = &t->list[LV_EVENTS][0];

	return model_row(&t->m, l->cur);
}

json_t *
tui_selected_alert(struct tui *t)
{
	struct layout_list *l = &t->list[LV_ALERTS][0];

	if (t->m.alerts_n == 0 || l->cur >= t->m.alerts_n)
		return NULL;
	/* Newest first. */
	return t->m.alerts[t->m.alerts_n - 1 - l->cur];
}

/* The events query. */

static void
apply_query(struct tui *t, const char *text)
{
	struct query *q = NULL;
	struct query_error e;

	if (*text != '\0' && query_parse(text, time_now_us(), &q, &e) != 0) {
		tui_msg(t, 1, 0, "query: %s", e.msg);
		return;
	}
	if (model_events_query(&t->m, q, text) != 0) {
		tui_msg(t, 1, 0, "query: out of memory");
		return;
	}
	t->rows_dropped = t->m.rows_dropped;
	memset(&t->list[LV_EVENTS][0], 0, sizeof t->list[LV_EVENTS][0]);
	t->list[LV_EVENTS][0].follow = 1;
	/* The hub filters too, so a narrow query keeps a long history. */
	client_unsubscribe(t->c, "events", NULL, NULL);
	t->backlog_id = -1;
	client_subscribe(t->c, "events", *text ? text : NULL, on_events_sub,
	    t);
	t->side[LV_EVENTS] = t->m.agg != QUERY_AGG_NONE ? 1 :
	    t->side[LV_EVENTS];
	t->qbad = 0;
	t->dirty |= D_ALL | D_LAYOUT | D_CONTENT;
}

static void
check_query(struct tui *t)
{
	struct query *q = NULL;
	int	 was = t->qbad;

	t->qbad = t->query.len > 0 && query_parse(t->query.buf, time_now_us(),
	    &q, &t->qerr) != 0;
	query_free(q);
	t->dirty |= D_REGION(R_QUERY) | D_REGION(R_QERR);
	if (was != t->qbad)
		t->dirty |= D_LAYOUT | D_ALL;
}

/* Commands. */

static const char *
need_incident(struct tui *t)
{
	if (t->m.inc_ref[0] == '\0') {
		tui_msg(t, 1, 0, "no incident is open: open one from "
		    "Incidents (3) or with :open INC-n");
		return NULL;
	}
	return t->m.inc_ref;
}

static json_int_t
inc_version(struct tui *t)
{
	return json_integer_value(json_object_get(t->m.inc, "version"));
}

/* ack, escalate: the op of kind on the alert under the cursor. */
static void
alert_op(struct tui *t, enum cmd_kind kind, const char *status)
{
	json_t	*a, *args;
	char	 what[64];
	json_int_t id;

	if ((a = tui_selected_alert(t)) == NULL || t->view->id != LV_ALERTS) {
		tui_msg(t, 1, 0, "no alert under the cursor (Alerts, 2)");
		return;
	}
	id = json_integer_value(json_object_get(a, "id"));
	snprintf(what, sizeof what, "alert %" JSON_INTEGER_FORMAT " %s", id,
	    status);
	if ((args = json_pack("{s:I}", "alert", id)) != NULL) {
		tui_op(t, cmdline_op(kind), args, what);
		json_decref(args);
	}
}

/* The hub links the alert's events and acknowledges it. */
static void
promote(struct tui *t, const char *to)
{
	json_t	*a, *args;

	if ((a = tui_selected_alert(t)) == NULL || t->view->id != LV_ALERTS) {
		tui_msg(t, 1, 0, "no alert under the cursor (Alerts, 2)");
		return;
	}
	if ((args = json_pack("{s:O}", "alert", json_object_get(a, "id"))) ==
	    NULL)
		return;
	if (to != NULL)
		json_object_set_new(args, "incident", json_string(to));
	send_op(t, cmdline_op(CMD_PROMOTE), args, to != NULL ?
	    "alert attached" : "alert promoted to a new incident", to == NULL);
	json_decref(args);
}

static void
link_row(struct tui *t, const char *to)
{
	const struct model_event *e;
	json_t	*args;

	if (to == NULL && (to = need_incident(t)) == NULL)
		return;
	if (t->view->id == LV_ALERTS) {
		promote(t, to);
		return;
	}
	if (t->view->id != LV_EVENTS) {
		tui_msg(t, 1, 0, "link works on the event or alert under "
		    "the cursor (Events 1, Alerts 2)");
		return;
	}
	if ((e = tui_selected_event(t)) == NULL || e->id < 0) {
		tui_msg(t, 1, 0, "no event under the cursor");
		return;
	}
	if ((args = json_pack("{s:s, s:[I]}", "incident", to, "events",
	    (json_int_t)e->id)) != NULL) {
		tui_op(t, cmdline_op(CMD_LINK), args, "event linked");
		json_decref(args);
	}
}

unsigned
tui_run_cmd(struct tui *t, const struct cmd *c)
{
	json_t	*args = NULL;
	const char *ref = NULL, *op = cmdline_op(c->kind);
	char	 what[160];

	what[0] = '\0';
	switch (c->kind) {
	case CMD_NOTE:
	case CMD_STATUS:
	case CMD_PHASE:
	case CMD_CLOSE:
	case CMD_LEAD:
	case CMD_TASK_ADD:
	case CMD_OBSERVABLE:
		if ((ref = need_incident(t)) == NULL)
			return 0;
		break;
	default:
		break;
	}
	switch (c->kind) {
	case CMD_NOTE:
		args = json_pack("{s:s, s:s}", "incident", ref, "text", c->a[0]);
		snprintf(what, sizeof what, "note added to %s", ref);
		break;
	case CMD_ASSIGN:
		args = strcmp(c->a[1], "-") == 0 ? json_pack("{s:s, s:n}",
		    "task", c->a[0], "assignee") : json_pack("{s:s, s:s}",
		    "task", c->a[0], "assignee", c->a[1]);
		snprintf(what, sizeof what, "%s assigned to %s", c->a[0],
		    c->a[1]);
		break;
	case CMD_STATUS:
	case CMD_PHASE:
		args = json_pack("{s:s, s:s, s:I}", "incident", ref,
		    c->kind == CMD_STATUS ? "status" : "phase", c->a[0],
		    "version", inc_version(t));
		snprintf(what, sizeof what, "%s is now %s", ref, c->a[0]);
		break;
	case CMD_CLOSE:
		args = json_pack("{s:s, s:s, s:I}", "incident", ref,
		    "resolution", c->a[0], "version", inc_version(t));
		if (args != NULL && c->a[1] != NULL)
			json_object_set_new(args, "text", json_string(c->a[1]));
		snprintf(what, sizeof what, "%s closed (%s)", ref, c->a[0]);
		break;
	case CMD_LEAD:
		args = strcmp(c->a[0], "-") == 0 ? json_pack("{s:s, s:n, s:I}",
		    "incident", ref, "lead", "version", inc_version(t)) :
		    json_pack("{s:s, s:s, s:I}", "incident", ref, "lead",
		    c->a[0], "version", inc_version(t));
		snprintf(what, sizeof what, "%s lead: %s", ref, c->a[0]);
		break;
	case CMD_TASK_ADD:
		args = json_pack("{s:s, s:s}", "incident", ref, "title",
		    c->a[0]);
		if (args != NULL && c->a[1] != NULL)
			json_object_set_new(args, "assignee",
			    json_string(c->a[1]));
		snprintf(what, sizeof what, "task added to %s", ref);
		break;
	case CMD_TASK_DONE:
	case CMD_TASK_STATUS:
		args = json_pack("{s:s, s:s}", "task", c->a[0], "status",
		    c->kind == CMD_TASK_DONE ? "done" : c->a[1]);
		snprintf(what, sizeof what, "%s is %s", c->a[0],
		    c->kind == CMD_TASK_DONE ? "done" : c->a[1]);
		break;
	case CMD_OBSERVABLE:
		args = json_pack("{s:s, s:s, s:s, s:b}", "incident", ref,
		    "kind", c->a[0], "value", c->a[1], "ioc", c->a[2] != NULL);
		snprintf(what, sizeof what, "observable added to %s", ref);
		break;
	case CMD_LINK:
		link_row(t, c->a[0]);
		return D_ALL;
	case CMD_PROMOTE:
		promote(t, c->a[0]);
		return D_ALL;
	case CMD_OPEN:
		tui_open_incident(t, c->a[0]);
		return D_ALL;
	case CMD_NEW:
		if ((args = json_pack("{s:s}", "title", c->a[0])) != NULL)
			send_op(t, op, args, "incident created", 1);
		json_decref(args);
		return D_ALL;
	case CMD_QUERY:
		tui_show(t, LV_EVENTS);
		cmdline_history_add(&t->query, c->a[0]);
		apply_query(t, c->a[0]);
		return D_ALL;
	case CMD_ACK:
		alert_op(t, CMD_ACK, "acknowledged");
		return D_ALL;
	case CMD_ESCALATE:
		alert_op(t, CMD_ESCALATE, "escalated");
		return D_ALL;
	case CMD_HELP:
		if (t->view->id != LV_HELP)
			t->back = t->view->id;
		tui_show(t, LV_HELP);
		return D_ALL;
	case CMD_QUIT:
		t->quit = 1;
		return 0;
	default:
		return 0;
	}
	if (args == NULL) {
		tui_msg(t, 1, 0, "%s: out of memory", op);
		return D_REGION(R_CMD);
	}
	tui_op(t, op, args, what);
	json_decref(args);
	return D_REGION(R_CMD);
}

/* Keys. */

/* Names completion may offer, from the model; the arrays are freed by
   words_free. */
static void
words_build(struct tui *t, struct cmdline_words *w)
{
	const json_t *e, *arr;
	const char **u = NULL, **tk = NULL, **in = NULL, *s;
	size_t	 i, nu = 0, nt = 0, ni = 0;

	memset(w, 0, sizeof *w);
	if (json_array_size(t->m.presence) > 0)
		u = calloc(json_array_size(t->m.presence), sizeof *u);
	json_array_foreach(t->m.presence, i, e)
		if (u != NULL && (s = json_string_value(json_object_get(e,
		    "user"))) != NULL)
			u[nu++] = s;
	arr = json_object_get(t->m.inc, "tasks");
	if (json_array_size(arr) > 0)
		tk = calloc(json_array_size(arr), sizeof *tk);
	json_array_foreach(arr, i, e)
		if (tk != NULL && (s = json_string_value(json_object_get(e,
		    "id"))) != NULL)
			tk[nt++] = s;
	if (json_array_size(t->m.incidents) > 0)
		in = calloc(json_array_size(t->m.incidents), sizeof *in);
	json_array_foreach(t->m.incidents, i, e)
		if (in != NULL && (s = json_string_value(json_object_get(e,
		    "id"))) != NULL)
			in[ni++] = s;
	w->users = u;
	w->nusers = nu;
	w->tasks = tk;
	w->ntasks = nt;
	w->incidents = in;
	w->nincidents = ni;
}

static void
words_free(struct cmdline_words *w)
{
	free((void *)w->users);
	free((void *)w->tasks);
	free((void *)w->incidents);
}

static unsigned
search(struct tui *t, int dir)
{
	const struct tui_view *v = t->view;
	int	 p = t->pane[v->id], style;
	struct layout_list *l = tui_list(t, p);
	size_t	 n = v->nrows(t, p), i, k;

	if (t->search_text[0] == '\0') {
		tui_msg(t, 1, 0, "no search yet: / TEXT");
		return 0;
	}
	for (k = 1; k <= n; k++) {
		i = dir > 0 ? (l->cur + k) % n : (l->cur + n - k % n) % n;
		if (strcasestr(v->row(t, p, i, &style), t->search_text) !=
		    NULL) {
			if ((dir > 0 && i <= l->cur) || (dir < 0 &&
			    i >= l->cur))
				tui_msg(t, 0, 3, "search wrapped around");
			layout_list_set(l, n, tui_pane_height(t, p), i);
			l->follow = 0;
			return D_ALL;
		}
	}
	tui_msg(t, 1, 3, "not found: %s", t->search_text);
	return 0;
}

static unsigned
edit_key(struct tui *t, int ch)
{
	struct cmdline_words w;
	struct cmd *c;
	enum cmdline_res r;
	char	 err[512];
	unsigned d = D_REGION(R_CMD);

	switch (t->edit) {
	case ED_CMD:
		words_build(t, &w);
		r = cmdline_key(&t->cmd, ch, &w);
		words_free(&w);
		if (r == CL_CANCEL)
			t->edit = ED_NONE;
		if (r != CL_ENTER)
			return d;
		t->edit = ED_NONE;
		if ((c = malloc(sizeof *c)) == NULL)
			return d;
		if (cmdline_parse(t->cmd.buf, c, err, sizeof err) == -1)
			tui_msg(t, 1, 0, "%s", err);
		else
			d |= tui_run_cmd(t, c);
		free(c);
		return d;
	case ED_SEARCH:
		r = cmdline_key(&t->search, ch, NULL);
		if (r == CL_CANCEL)
			t->edit = ED_NONE;
		if (r != CL_ENTER)
			return d;
		t->edit = ED_NONE;
		if (t->search.len > 0)
			snprintf(t->search_text, sizeof t->search_text, "%s",
			    t->search.buf);
		return d | search(t, 1) | D_ALL;
	case ED_QUERY:
		if (ch == '\t')
			return 0;
		r = cmdline_key(&t->query, ch, NULL);
		d |= D_REGION(R_QUERY) | D_REGION(R_QERR);
		if (r == CL_CANCEL) {
			t->edit = ED_NONE;
			t->qbad = 0;
			return d | D_LAYOUT | D_ALL;
		}
		check_query(t);
		if (r != CL_ENTER)
			return d;
		if (t->qbad) {
			tui_msg(t, 1, 0, "the query has an error: fix it or "
			    "Esc");
			return d;
		}
		t->edit = ED_NONE;
		apply_query(t, t->query.buf);
		return d | D_ALL;
	default:
		return 0;
	}
}

static unsigned
generic_action(struct tui *t, enum action a)
{
	const struct tui_view *v = t->view;
	enum layout_view id = v->id;
	int	 p = t->pane[id], np = v->panes(t);
	struct layout_list *l = tui_list(t, p);
	size_t	 n = v->nrows(t, p), h = tui_pane_height(t, p);
	int	 follow_ok = (id == LV_EVENTS || id == LV_INCIDENT) && p == 0;

	switch (a) {
	case KA_DOWN:
	case KA_UP:
	case KA_TOP:
	case KA_BOTTOM:
	case KA_HALF_DOWN:
	case KA_HALF_UP:
	case KA_PAGE_DOWN:
	case KA_PAGE_UP:
		layout_list_move(l, n, h, (enum layout_move)(LM_DOWN +
		    (a - KA_DOWN)), follow_ok);
		return D_ALL;
	case KA_SEARCH:
		cmdline_set(&t->search, "");
		t->edit = ED_SEARCH;
		return D_REGION(R_CMD);
	case KA_SEARCH_NEXT:
		return search(t, 1);
	case KA_SEARCH_PREV:
		return search(t, -1);
	case KA_PANE:
	case KA_PANE_BACK:
		if (np > 1)
			t->pane[id] = (p + (a == KA_PANE ? 1 : np - 1)) % np;
		return D_ALL;
	case KA_BACK:
	case KA_QUIT:
		if (id == LV_HELP || id == LV_INCIDENT) {
			tui_show(t, id == LV_INCIDENT && t->back == LV_INCIDENT ?
			    LV_INCIDENTS : t->back);
			return D_ALL;
		}
		if (t->side[id]) {
			t->side[id] = 0;
			t->pane[id] = 0;
			return D_ALL | D_LAYOUT;
		}
		if (a == KA_QUIT)
			t->quit = 1;
		return D_ALL;
	case KA_VIEW_EVENTS:
		tui_show(t, LV_EVENTS);
		return D_ALL;
	case KA_VIEW_ALERTS:
		tui_show(t, LV_ALERTS);
		return D_ALL;
	case KA_VIEW_INCIDENTS:
		tui_show(t, LV_INCIDENTS);
		return D_ALL;
	case KA_VIEW_INCIDENT:
		if (t->m.inc == NULL && t->opening[0] == '\0') {
			tui_msg(t, 1, 3, "no incident open: Enter on one in "
			    "Incidents (3), or :open INC-n");
			return 0;
		}
		if (id != LV_INCIDENT && id != LV_HELP)
			t->back = id;
		tui_show(t, LV_INCIDENT);
		return D_ALL;
	case KA_HELP:
		if (id != LV_HELP)
			t->back = id;
		tui_show(t, LV_HELP);
		return D_ALL;
	case KA_CMDLINE:
		tui_cmdline(t, "");
		return D_REGION(R_CMD);
	case KA_REDRAW:
		return D_ALL | D_CLEAR | D_LAYOUT;
	default:
		return 0;
	}
}

static unsigned
key(struct tui *t, int ch)
{
	enum action a;
	unsigned d;

	if (ch == KEY_RESIZE)
		return D_ALL | D_LAYOUT | D_CONTENT;
	if (t->msg[0] != '\0' && t->msg_until == 0) {
		t->msg[0] = '\0';
		t->dirty |= D_REGION(R_CMD);
	}
	if (t->edit != ED_NONE)
		return edit_key(t, ch);
	a = keys_lookup(t->view->id, ch);
	if (a == KA_NONE)
		return 0;
	if (t->view->action != NULL && (d = t->view->action(t, a)) != 0)
		return d;
	return generic_action(t, a);
}

/* Painting. */

static void
paint_tabs(struct tui *t, WINDOW *w)
{
	static const char *const names[] = { "1 Events", "2 Alerts",
		"3 Incidents" };
	char	 buf[128];
	int	 x = 0, i, wd = getmaxx(w), on;

	tui_fill(t, w, 0, S_TAB);
	for (i = 0; i < 3; i++) {
		on = (int)t->view->id == i ||
		    (t->view->id == LV_HELP && (int)t->back == i);
		if (i == LV_ALERTS && t->m.alerts_unseen > 0)
			snprintf(buf, sizeof buf, " %s (%zu new) ", names[i],
			    t->m.alerts_unseen);
		else
			snprintf(buf, sizeof buf, " %s ", names[i]);
		tui_put(t, w, 0, x, wd - x, buf, on ? S_TAB_ON : S_TAB);
		x += layout_width(buf, strlen(buf)) + 1;
	}
	if (t->m.inc_ref[0] != '\0' || t->opening[0] != '\0') {
		snprintf(buf, sizeof buf, " 4 %s ", t->m.inc_ref[0] ?
		    t->m.inc_ref : t->opening);
		tui_put(t, w, 0, x, wd - x, buf, t->view->id == LV_INCIDENT ?
		    S_TAB_ON : S_TAB);
		x += layout_width(buf, strlen(buf)) + 1;
	}
	if (t->view->id == LV_HELP)
		tui_put(t, w, 0, x, wd - x, " ? Help ", S_TAB_ON);
	snprintf(buf, sizeof buf, "ward %s ", WARD_VERSION);
	i = layout_width(buf, strlen(buf));
	if (wd - i > x + 12)
		tui_put(t, w, 0, wd - i, i, buf, S_TAB);
}

static void
paint_status(struct tui *t, WINDOW *w)
{
	static const char *const st[] = { "connecting", "connecting", "ready",
		"reconnecting", "failed" };
	char	 left[512], right[128];
	int	 style = S_BAR, wd = getmaxx(w), rw;
	int	 conn = t->m.conn >= 0 && t->m.conn <= 4 ? t->m.conn : 0;

	if (conn == CLIENT_RECONNECTING || conn == CLIENT_FAILED)
		style = S_BAR_BAD;
	else if (conn != CLIENT_READY)
		style = S_BAR_WARN;
	tui_fill(t, w, 0, style);
	if (conn == CLIENT_READY || t->m.user[0] != '\0')
		snprintf(left, sizeof left, " [%s] %s (%s) @ %s%s%s", st[conn],
		    t->m.user, role_name(t->m.role), t->m.hub,
		    conn != CLIENT_READY && t->m.conn_why[0] ? ": " : "",
		    conn != CLIENT_READY ? t->m.conn_why : "");
	else
		snprintf(left, sizeof left, " [%s] %s%s", st[conn],
		    t->m.conn_why[0] ? t->m.conn_why : "",
		    t->m.conn_why[0] ? "" : "…");
	layout_escape(left, strlen(left), left, sizeof left, 1);
	if (t->m.alerts_unseen > 0)
		snprintf(right, sizeof right, "%zu unseen alert%s  seq %" PRId64
		    " ", t->m.alerts_unseen, t->m.alerts_unseen == 1 ? "" : "s",
		    t->m.last_seq);
	else
		snprintf(right, sizeof right, "seq %" PRId64 " ",
		    t->m.last_seq);
	rw = layout_width(right, strlen(right));
	tui_put(t, w, 0, 0, wd - rw - 1, left, style);
	tui_put(t, w, 0, wd - rw, rw, right, style);
}

/* The part of an edited line to show in cols cells, keeping the cursor in
   sight: returns the first byte to show and sets *cx to the cursor's
   column. */
static size_t
edit_window(const struct cmdline *cl, int cols, int *cx)
{
	size_t	 start = 0;
	int	 w;

	while ((w = layout_width(cl->buf + start, cl->cur - start)) >=
	    cols && start < cl->cur) {
		start++;
		while (start < cl->cur &&
		    ((unsigned char)cl->buf[start] & 0xc0) == 0x80)
			start++;
	}
	*cx = w;
	return start;
}

static int cursor_y = -1, cursor_x;
static WINDOW *cursor_w;

static void
paint_edit(struct tui *t, WINDOW *w, const char *prompt,
    const struct cmdline *cl, int style)
{
	char	 esc[CMDLINE_MAX * 4];
	size_t	 start;
	int	 pw = layout_width(prompt, strlen(prompt)), cx, wd = getmaxx(w);

	tui_put(t, w, 0, 0, wd, prompt, S_KEY);
	start = edit_window(cl, wd - pw, &cx);
	/* What was typed is shown escaped; the cursor column is counted on
	   the raw text, which the user typed and sees. */
	layout_escape(cl->buf + start, cl->len - start, esc, sizeof esc, 1);
	tui_put(t, w, 0, pw, wd - pw, esc, style);
	cursor_w = w;
	cursor_y = 0;
	cursor_x = pw + cx;
}

static void
paint_cmd(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);

	if (t->edit == ED_CMD) {
		paint_edit(t, w, ":", &t->cmd, S_NORMAL);
		if (t->cmd.hint[0] != '\0' && cursor_x + 4 < wd) {
			char esc[600];

			layout_escape(t->cmd.hint, strlen(t->cmd.hint), esc,
			    sizeof esc, 1);
			tui_put(t, w, 0, cursor_x + 3, wd - cursor_x - 3, esc,
			    S_DIM);
		}
		return;
	}
	if (t->edit == ED_SEARCH) {
		paint_edit(t, w, "/", &t->search, S_NORMAL);
		return;
	}
	if (t->edit == ED_QUERY) {
		tui_put(t, w, 0, 0, wd, "Enter apply   Esc cancel   C-u clear  "
		    " Up/Down history   syntax: man ward-query", S_DIM);
		return;
	}
	if (t->msg[0] != '\0')
		tui_put(t, w, 0, 0, wd, t->msg, t->msg_err ? S_ERR : S_OK);
}

static void
paint_query(struct tui *t, WINDOW *w)
{
	char	 right[128], esc[CMDLINE_MAX * 4];
	const char *q = t->m.qtext;
	int	 wd = getmaxx(w), rw;
	struct layout_list *l = &t->list[LV_EVENTS][0];

	snprintf(right, sizeof right, " %zu/%zu rows  %s ", t->m.rows_n,
	    t->m.ev_n, l->follow ? "following" : "PAUSED");
	rw = layout_width(right, strlen(right));
	tui_put(t, w, 0, wd - rw, rw, right, l->follow ? S_DIM : S_BAR_WARN);
	if (t->edit == ED_QUERY) {
		paint_edit(t, w, "query: ", &t->query, t->qbad ? S_ERR :
		    S_NORMAL);
		return;
	}
	tui_put(t, w, 0, 0, wd - rw, "query: ", S_KEY);
	if (q == NULL || *q == '\0') {
		tui_put(t, w, 0, 7, wd - rw - 7, "* (every event; e to edit)",
		    S_DIM);
		return;
	}
	layout_escape(q, strlen(q), esc, sizeof esc, 1);
	tui_put(t, w, 0, 7, wd - rw - 8, esc, S_NORMAL);
}

static void
paint_qerr(struct tui *t, WINDOW *w)
{
	char	 msg[512];
	int	 col, wd = getmaxx(w), cx;
	size_t	 start, pos;

	if (!t->qbad)
		return;
	start = edit_window(&t->query, wd - 7, &cx);
	pos = t->qerr.pos < 0 ? t->query.len : (size_t)t->qerr.pos;
	if (pos > t->query.len)
		pos = t->query.len;
	col = 7 + (pos >= start ? layout_width(t->query.buf + start,
	    pos - start) : 0);
	if (col >= wd)
		col = wd - 1;
	snprintf(msg, sizeof msg, "^ %s%s%s", t->qerr.msg,
	    t->qerr.expected[0] ? "; expected " : "", t->qerr.expected);
	if (col + layout_width(msg, strlen(msg)) > wd && col > 0) {
		/* Not enough room after the caret: caret, then text before
		   it on the left. */
		tui_put(t, w, 0, col, 1, "^", S_ERR);
		tui_put(t, w, 0, 0, col - 1, msg + 2, S_ERR);
		return;
	}
	tui_put(t, w, 0, col, wd - col, msg, S_ERR);
}

/* Row idx of pane p at line y of w, from column x0. */
static void
paint_row(struct tui *t, WINDOW *w, int y, int x0, int p, size_t idx,
    int sel)
{
	const char *s, *hit;
	int	 style, wd = getmaxx(w), hx;
	char	 seg[256];

	s = t->view->row(t, p, idx, &style);
	if (sel) {
		wattrset(w, tui_attr(t, S_SEL));
		mvwhline(w, y, x0, ' ', wd - x0);
		style = S_SEL;
	}
	tui_put(t, w, y, x0, wd - x0, s, style);
	if (t->search_text[0] != '\0' &&
	    (hit = strcasestr(s, t->search_text)) != NULL) {
		hx = layout_width(s, (size_t)(hit - s));
		if (hx < wd - x0) {
			snprintf(seg, sizeof seg, "%.*s",
			    (int)strlen(t->search_text), hit);
			tui_put(t, w, y, x0 + hx, wd - x0 - hx, seg, S_MATCH);
		}
	}
}

/*
 * The tail moved down by a few rows since the last frame: scroll the
 * window (and, through idlok, the terminal) and paint only the rows that
 * came in and the one that lost the cursor.  Returns 0 when that is not
 * possible and the caller paints the whole pane.
 */
static int
tail_scroll(struct tui *t, WINDOW *w)
{
	struct layout_list *l = &t->list[LV_EVENTS][0];
	size_t	 n = t->m.rows_n, h = (size_t)getmaxy(w), i, d;
	uint64_t top;

	layout_list_fix(l, n, h);
	top = t->m.rows_dropped + l->top;
	if (!t->tail.valid || t->tail.w != w || t->tail.cols != getmaxx(w) ||
	    !l->follow || t->pane[LV_EVENTS] != 0 || n < h ||
	    t->search_text[0] != '\0' || top <= t->tail.top ||
	    top - t->tail.top >= h)
		return 0;
	d = (size_t)(top - t->tail.top);
	scrollok(w, TRUE);
	wscrl(w, (int)d);
	scrollok(w, FALSE);
	for (i = h - d - 1; i < h; i++) {
		wmove(w, (int)i, 0);
		wclrtoeol(w);
		paint_row(t, w, (int)i, 0, 0, l->top + i, l->top + i == l->cur);
	}
	t->tail.top = top;
	return 1;
}

static void
paint_pane(struct tui *t, int p, WINDOW *w)
{
	const struct tui_view *v = t->view;
	struct layout_list *l = tui_list(t, p);
	char	 title[512];
	size_t	 n, h, i;
	int	 y0 = 0, x0 = 0, wd = getmaxx(w), focus;

	title[0] = '\0';
	if (v->title != NULL)
		v->title(t, p, title, sizeof title);
	if (t->lay.side_right && p > 0) {
		wattrset(w, tui_attr(t, S_DIM));
		mvwvline(w, 0, 0, ACS_VLINE, getmaxy(w));
		wattrset(w, A_NORMAL);
		x0 = 1;
	}
	focus = t->pane[v->id] == p && v->panes(t) > 1;
	if (title[0] != '\0') {
		wattrset(w, tui_attr(t, S_TITLE));
		mvwhline(w, 0, x0, ' ', wd - x0);
		tui_put(t, w, 0, x0, wd - x0, title, focus ? S_TAB_ON :
		    S_TITLE);
		y0 = 1;
	}
	n = v->nrows(t, p);
	h = tui_pane_height(t, p);
	layout_list_fix(l, n, h);
	if (n == 0) {
		tui_put(t, w, y0, x0 + 1, wd - x0 - 1, p == 0 && v->id ==
		    LV_EVENTS ? "(no events yet: waiting for the hub)" :
		    "(none)", S_DIM);
		return;
	}
	for (i = 0; i < h && l->top + i < n; i++)
		paint_row(t, w, y0 + (int)i, x0, p, l->top + i,
		    l->top + i == l->cur && p == t->pane[v->id]);
}

static void
windows_make(struct tui *t)
{
	int	 i;

	for (i = 0; i < R_COUNT; i++) {
		if (t->win[i] != NULL)
			delwin(t->win[i]);
		t->win[i] = NULL;
		if (t->lay.r[i].h > 0)
			t->win[i] = newwin(t->lay.r[i].h, t->lay.r[i].w,
			    t->lay.r[i].y, t->lay.r[i].x);
		/* A tail scrolls: let curses scroll the terminal rather
		   than repaint every row. */
		if (t->win[i] != NULL && i == R_MAIN)
			idlok(t->win[i], TRUE);
	}
}

static void
frame(struct tui *t)
{
	struct layout_in in;
	struct layout nl;
	unsigned d = t->dirty;
	WINDOW	*w;
	int	 r, p;

	if (d & (D_LAYOUT | D_CLEAR)) {
		memset(&in, 0, sizeof in);
		in.w = COLS;
		in.h = LINES;
		in.view = t->view->id;
		in.side = t->side[t->view->id];
		in.qerr = t->edit == ED_QUERY && t->qbad;
		layout_compute(&in, &nl);
		if (!layout_same(&nl, &t->lay) || t->win[R_MAIN] == NULL) {
			t->lay = nl;
			windows_make(t);
			d |= D_ALL;
			/* Areas no window covers now must not keep old
			   text. */
			werase(stdscr);
			wnoutrefresh(stdscr);
		}
	}
	if (d & D_CLEAR)
		clearok(curscr, TRUE);
	if (t->view->compute != NULL)
		t->view->compute(t);
	if (t->m.rows_dropped != t->rows_dropped) {
		layout_list_dropped(&t->list[LV_EVENTS][0],
		    (size_t)(t->m.rows_dropped - t->rows_dropped));
		t->rows_dropped = t->m.rows_dropped;
	}
	cursor_y = -1;
	if (t->lay.tiny) {
		w = t->win[R_MAIN];
		werase(w);
		mvwaddstr(w, 0, 0, "ward: the terminal is too small");
		wnoutrefresh(w);
		doupdate();
		t->dirty = 0;
		t->frames++;
		return;
	}
	for (r = 0; r < R_COUNT; r++) {
		if (!(d & D_REGION(r)) || (w = t->win[r]) == NULL)
			continue;
		if (r == R_MAIN && t->view->id == LV_EVENTS &&
		    tail_scroll(t, w)) {
			wnoutrefresh(w);
			continue;
		}
		if (r == R_MAIN) {
			/* Painted whole: remember what the tail shows. */
			t->tail.valid = t->view->id == LV_EVENTS;
			t->tail.w = w;
			t->tail.cols = getmaxx(w);
			t->tail.top = t->m.rows_dropped +
			    t->list[LV_EVENTS][0].top;
		}
		werase(w);
		if (t->view->paint != NULL && t->view->paint(t, r, w))
			;
		else if (r == R_TABS)
			paint_tabs(t, w);
		else if (r == R_STATUS)
			paint_status(t, w);
		else if (r == R_CMD)
			paint_cmd(t, w);
		else if (r == R_QUERY)
			paint_query(t, w);
		else if (r == R_QERR)
			paint_qerr(t, w);
		else if (r == R_MAIN || r == R_SIDE || r == R_SIDE2) {
			p = r == R_MAIN ? 0 : r == R_SIDE ? 1 : 2;
			if (p < t->view->panes(t))
				paint_pane(t, p, w);
		}
		wnoutrefresh(w);
	}
	/* The cursor goes where the user types, or away. */
	if (t->edit == ED_QUERY && t->win[R_QUERY] != NULL && cursor_y < 0)
		d |= D_REGION(R_QUERY);
	if (cursor_y >= 0 && cursor_w != NULL) {
		curs_set(1);
		wmove(cursor_w, cursor_y, cursor_x);
		wnoutrefresh(cursor_w);
	} else
		curs_set(0);
	doupdate();
	t->dirty = 0;
	t->urgent = 0;
	t->frames++;
}

/* The main loop. */

static volatile sig_atomic_t got_sigterm;

static void
on_sigterm(int sig)
{
	got_sigterm = 1;
}

static void
stats_write(struct tui *t, const char *path, int64_t elapsed)
{
	FILE	*f;
	uint64_t n = 0, p99 = 0;
	size_t	 i;

	if ((f = fopen(path, "w")) == NULL)
		return;
	for (i = 0; i < 64; i++)
		n += t->key_lat_hist[i];
	for (i = 0, p99 = 0; i < 64; i++) {
		p99 += t->key_lat_hist[i];
		if (p99 * 100 >= n * 99)
			break;
	}
	fprintf(f, "seconds %.1f\nframes %" PRIu64 "\nfps %.1f\n"
	    "events %" PRIu64 "\nkeys %" PRIu64 "\nkey_lat_max_us %" PRId64
	    "\nkey_lat_p99_ms_le %zu\npaint_ms %.0f\ndispatch_ms %.0f\n",
	    elapsed / 1e6, t->frames,
	    elapsed > 0 ? t->frames * 1e6 / elapsed : 0.0, t->m.ev_total,
	    t->keys, t->key_lat_max, n ? i + 1 : 0, t->frame_us / 1e3,
	    t->dispatch_us / 1e3);
	fclose(f);
}

int
tui_main(const struct tui_opts *o)
{
	struct tui *t;
	struct client_opts co;
	struct pollfd pfd[2];
	const char *stats = getenv("WARD_TUI_STATS");
	char	 err[512];
	int64_t	 now, last_frame = 0, t_key = 0, start, t0, t1, fus;
	int	 rc = 0, timeout, ch, n, got_key, i, j;
	nfds_t	 nfds;
	struct sigaction sa;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ward: the console needs a terminal; see "
		    "ward --help for the subcommands\n");
		return 2;
	}
	if ((t = calloc(1, sizeof *t)) == NULL || model_init(&t->m) != 0) {
		fprintf(stderr, "ward: out of memory\n");
		free(t);
		return 1;
	}
	t->view = views[LV_EVENTS];
	t->back = LV_EVENTS;
	t->list[LV_EVENTS][0].follow = 1;
	cmdline_init(&t->cmd);
	cmdline_init(&t->query);
	cmdline_init(&t->search);
	memset(&co, 0, sizeof co);
	co.url = o->hub;
	co.user = o->user;
	co.key_path = o->key;
	co.known_hubs = o->known_hubs;
	co.tls_ca = o->tls_ca;
	co.reconnect = 1;
	if ((t->c = client_new(&co, on_state, on_push, t, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "ward: %s\n", err);
		rc = 1;
		goto out;
	}
	/* The client holds these until the session is ready, and renews
	   them after each reconnection. */
	client_subscribe(t->c, "incidents", NULL, on_list, t);
	client_subscribe(t->c, "alerts", NULL, on_sub, t);
	client_subscribe(t->c, "presence", NULL, on_presence, t);
	client_subscribe(t->c, "events", NULL, on_events_sub, t);
	alerts_load(t);

	setlocale(LC_ALL, "");
	t->ascii = strcasecmp(nl_langinfo(CODESET), "UTF-8") != 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigterm;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (initscr() == NULL) {
		fprintf(stderr, "ward: cannot use this terminal\n");
		rc = 2;
		goto out;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	styles(t);
	curs_set(0);
	wnoutrefresh(stdscr);
	t->dirty = D_ALL | D_LAYOUT | D_CONTENT;
	start = monotime_us();
	while (!t->quit && !got_sigterm) {
		now = monotime_us();
		if (t->msg[0] != '\0' && t->msg_until > 0 &&
		    now >= t->msg_until) {
			t->msg[0] = '\0';
			t->msg_until = 0;
			t->dirty |= D_REGION(R_CMD);
		}
		timeout = -1;
		/* The tail alone is repainted at TUI_TAIL_FPS: nobody reads
		   2,000 lines a second, and each frame costs. */
		fus = t->urgent || t->edit != ED_NONE ? FRAME_US :
		    TAIL_FRAME_US;
		if (t->dirty) {
			if (now - last_frame >= fus) {
				/* Take in all that came since, then paint. */
				t0 = monotime_us();
				client_dispatch(t->c);
				t1 = monotime_us();
				frame(t);
				t->dispatch_us += t1 - t0;
				t->frame_us += monotime_us() - t1;
				last_frame = now;
			} else
				timeout = (int)((fus - (now - last_frame)) /
				    1000) + 1;
		}
		if (t->msg_until > 0) {
			i = (int)((t->msg_until - now) / 1000) + 1;
			if (timeout < 0 || i < timeout)
				timeout = i < 0 ? 0 : i;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = client_fd(t->c);
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		/* While a frame is pending, what the hub sends waits for it
		   in the client's queue: one dispatch per frame takes in a
		   whole burst, instead of one wakeup per message. */
		nfds = t->dirty ? 1 : 2;
		n = poll(pfd, nfds, timeout);
		if (n < 0 && errno != EINTR)
			break;
		got_key = 0;
		/* EINTR: perhaps SIGWINCH; curses turns it into KEY_RESIZE. */
		if (n < 0 || (pfd[0].revents & (POLLIN | POLLHUP))) {
			for (j = 0; j < 256 && (ch = getch()) != ERR; j++) {
				if (!got_key)
					t_key = monotime_us();
				got_key = 1;
				t->keys++;
				t->dirty |= key(t, ch);
				if (t->quit)
					break;
			}
			if (pfd[0].revents & POLLHUP)
				break;
		}
		if (nfds == 2 && (pfd[1].revents & POLLIN)) {
			t0 = monotime_us();
			client_dispatch(t->c);
			t->dispatch_us += monotime_us() - t0;
		}
		/* A key is answered now; pushes wait for the next frame. */
		if (got_key && t->dirty && !t->quit) {
			frame(t);
			last_frame = monotime_us();
			now = last_frame - t_key;
			if (now > t->key_lat_max)
				t->key_lat_max = now;
			t->key_lat_hist[now / 1000 < 63 ? now / 1000 : 63]++;
		}
	}
	endwin();
	if (stats != NULL)
		stats_write(t, stats, monotime_us() - start);
	if (t->m.conn == CLIENT_FAILED) {
		fprintf(stderr, "ward: %s\n", t->fail);
		rc = 1;
	}
out:
	client_free(t->c);
	for (i = 0; i < R_COUNT; i++)
		if (t->win[i] != NULL)
			delwin(t->win[i]);
	for (i = 0; i < LV_COUNT; i++)
		for (j = 0; j < TUI_PANES; j++) {
			tui_rows_clear(&t->rows[i][j]);
			free(t->rows[i][j].r);
		}
	free(t->inc_order);
	cmdline_release(&t->cmd);
	cmdline_release(&t->query);
	cmdline_release(&t->search);
	model_release(&t->m);
	free(t);
	return rc;
}
