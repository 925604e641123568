/*
 * cmdline — the one-line editor and the ':' commands.  See cmdline.h.
 */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalogue.h"
#include "cmdline.h"
#include "errf.h"
#include "wire.h"

#define CTRL(c)	((c) & 0x1f)

/* What an argument of a command is: decides parsing and completion. */
enum argk {
	AK_END = 0,
	AK_TEXT,	/* the rest of the line, required */
	AK_OPTTEXT,	/* the rest of the line, may be empty */
	AK_TASK,
	AK_USER,
	AK_STATUS,
	AK_PHASE,
	AK_RESOLUTION,
	AK_INC,
	AK_OPTINC,
	AK_KIND,
	AK_VALUE,
	AK_OPTIOC,
	AK_TSTATUS
};

/*
 * A ':' command: the op it sends (op >= 0) and the kinds of its
 * arguments, which the parser and completion read.  Its words, usage and
 * help are the op's catalogue entry's (.cmd, .help) unless usage is set
 * here: the console's own commands and shortcuts.
 */
struct spec {
	enum cmd_kind	 kind;
	int		 op;		/* enum catalogue_id, or -1: none */
	enum argk	 args[3];
	const char	*usage;		/* words, then arguments; or NULL */
	const char	*help;
};

static const struct spec specs[] = {
	{ CMD_NOTE, CAT_INCIDENT_NOTE, { AK_TEXT }, NULL, NULL },
	{ CMD_ASSIGN, CAT_TASK_ASSIGN, { AK_TASK, AK_USER }, NULL, NULL },
	{ CMD_STATUS, CAT_INCIDENT_STATUS, { AK_STATUS }, NULL, NULL },
	{ CMD_PHASE, CAT_INCIDENT_PHASE, { AK_PHASE }, NULL, NULL },
	{ CMD_CLOSE, CAT_INCIDENT_CLOSE, { AK_RESOLUTION, AK_OPTTEXT }, NULL,
	  NULL },
	{ CMD_LEAD, CAT_INCIDENT_LEAD, { AK_USER }, NULL, NULL },
	{ CMD_PROMOTE, CAT_ALERT_PROMOTE, { AK_OPTINC }, NULL, NULL },
	{ CMD_TASK_ADD, CAT_TASK_ADD, { AK_TEXT }, NULL, NULL },
	{ CMD_TASK_DONE, CAT_TASK_STATUS, { AK_TASK }, "task done TASK",
	    "mark a task done" },
	{ CMD_TASK_STATUS, CAT_TASK_STATUS, { AK_TASK, AK_TSTATUS }, NULL,
	  NULL },
	{ CMD_OBSERVABLE, CAT_OBSERVABLE_ADD, { AK_KIND, AK_VALUE, AK_OPTIOC },
	  NULL, NULL },
	{ CMD_LINK, CAT_INCIDENT_LINK, { AK_OPTINC }, NULL, NULL },
	{ CMD_OPEN, -1, { AK_INC }, "open INC-n", "open an incident" },
	{ CMD_NEW, CAT_INCIDENT_CREATE, { AK_TEXT }, NULL, NULL },
	{ CMD_QUERY, -1, { AK_OPTTEXT }, "query [QUERY]",
	    "set the events query (empty: every event)" },
	{ CMD_ACK, CAT_ALERT_ACK, { AK_END }, NULL, NULL },
	{ CMD_ESCALATE, CAT_ALERT_ESCALATE, { AK_END }, NULL, NULL },
	{ CMD_HELP, -1, { AK_END }, "help", "the help view" },
	{ CMD_QUIT, -1, { AK_END }, "quit", "leave the console (also :q)" },
};
#define NSPECS	(sizeof(specs) / sizeof(specs[0]))

static const char *
usage_of(const struct spec *sp)
{
	return sp->usage != NULL ? sp->usage : catalogue[sp->op].cmd;
}

/* The command's words ("task add") into out. */
static const char *
name_of(const struct spec *sp, char *out, size_t outlen)
{
	const char *u = usage_of(sp), *w;
	size_t	 n = 0;

	/* Words of lower-case letters lead the usage. */
	for (w = u; *w != '\0'; w += strcspn(w, " ")) {
		if (*w == ' ')
			w++;
		if (strcspn(w, " ") != strspn(w, "abcdefghijklmnopqrstuvwxyz"))
			break;
		n = (size_t)(w - u) + strcspn(w, " ");
	}
	snprintf(out, outlen, "%.*s", (int)n, u);
	return out;
}

static const char *const st_names[] = { "open", "contained", NULL };
static const char *const ioc_names[] = { "ioc", NULL };
static const char *const task_words[] = { "add", "done", "status", NULL };

void
cmdline_init(struct cmdline *cl)
{
	memset(cl, 0, sizeof *cl);
}

void
cmdline_release(struct cmdline *cl)
{
	size_t i;

	for (i = 0; i < cl->nhist; i++)
		free(cl->hist[i]);
	cmdline_init(cl);
}

void
cmdline_set(struct cmdline *cl, const char *text)
{
	size_t n = strlen(text);

	if (n >= CMDLINE_MAX)
		n = CMDLINE_MAX - 1;
	while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;	/* do not cut a character */
	memcpy(cl->buf, text, n);
	cl->buf[n] = '\0';
	cl->len = cl->cur = n;
	cl->hpos = cl->nhist;
	cl->hint[0] = '\0';
}

void
cmdline_history_add(struct cmdline *cl, const char *line)
{
	char *s;

	if (*line == '\0' || (cl->nhist > 0 &&
	    strcmp(cl->hist[cl->nhist - 1], line) == 0))
		return;
	if ((s = strdup(line)) == NULL)
		return;
	if (cl->nhist == CMDLINE_HIST) {
		free(cl->hist[0]);
		memmove(cl->hist, cl->hist + 1, (CMDLINE_HIST - 1) *
		    sizeof cl->hist[0]);
		cl->nhist--;
	}
	cl->hist[cl->nhist++] = s;
	cl->hpos = cl->nhist;
}

static size_t
prev_char(const struct cmdline *cl, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)cl->buf[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static size_t
next_char(const struct cmdline *cl, size_t i)
{
	if (i >= cl->len)
		return cl->len;
	i++;
	while (i < cl->len && ((unsigned char)cl->buf[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/* Delete bytes [a, b). */
static void
cut(struct cmdline *cl, size_t a, size_t b)
{
	memmove(cl->buf + a, cl->buf + b, cl->len - b + 1);
	cl->len -= b - a;
	if (cl->cur > b)
		cl->cur -= b - a;
	else if (cl->cur > a)
		cl->cur = a;
}

/* Insert n bytes of s at the cursor; 0, or -1 when it does not fit. */
static int
insert(struct cmdline *cl, const char *s, size_t n)
{
	if (cl->len + n >= CMDLINE_MAX)
		return -1;
	memmove(cl->buf + cl->cur + n, cl->buf + cl->cur, cl->len - cl->cur +
	    1);
	memcpy(cl->buf + cl->cur, s, n);
	cl->len += n;
	cl->cur += n;
	return 0;
}

static void
history_go(struct cmdline *cl, int dir)
{
	const char *s;
	size_t	 n;

	if (dir < 0 && cl->hpos == 0)
		return;
	if (dir > 0 && cl->hpos >= cl->nhist)
		return;
	if (cl->hpos == cl->nhist)
		memcpy(cl->saved, cl->buf, cl->len + 1);
	cl->hpos = dir < 0 ? cl->hpos - 1 : cl->hpos + 1;
	s = cl->hpos == cl->nhist ? cl->saved : cl->hist[cl->hpos];
	n = strlen(s);
	if (n >= CMDLINE_MAX)
		n = CMDLINE_MAX - 1;
	memmove(cl->buf, s, n);
	cl->buf[n] = '\0';
	cl->len = cl->cur = n;
}

enum cmdline_res
cmdline_key(struct cmdline *cl, int key, const struct cmdline_words *w)
{
	char	 c;
	size_t	 i;

	cl->hint[0] = key == '\t' ? cl->hint[0] : '\0';
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		cmdline_history_add(cl, cl->buf);
		cl->hpos = cl->nhist;
		return CL_ENTER;
	case 27:
	case CTRL('g'):
	case CTRL('c'):
		return CL_CANCEL;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (cl->len == 0)
			return CL_CANCEL;
		if (cl->cur > 0)
			cut(cl, prev_char(cl, cl->cur), cl->cur);
		return CL_EDIT;
	case KEY_DC:
	case CTRL('d'):
		if (cl->cur < cl->len)
			cut(cl, cl->cur, next_char(cl, cl->cur));
		return CL_EDIT;
	case KEY_LEFT:
	case CTRL('b'):
		cl->cur = prev_char(cl, cl->cur);
		return CL_EDIT;
	case KEY_RIGHT:
	case CTRL('f'):
		cl->cur = next_char(cl, cl->cur);
		return CL_EDIT;
	case KEY_HOME:
	case CTRL('a'):
		cl->cur = 0;
		return CL_EDIT;
	case KEY_END:
	case CTRL('e'):
		cl->cur = cl->len;
		return CL_EDIT;
	case CTRL('u'):
		cut(cl, 0, cl->cur);
		return CL_EDIT;
	case CTRL('k'):
		cut(cl, cl->cur, cl->len);
		return CL_EDIT;
	case CTRL('w'):
		i = cl->cur;
		while (i > 0 && cl->buf[i - 1] == ' ')
			i--;
		while (i > 0 && cl->buf[i - 1] != ' ')
			i--;
		cut(cl, i, cl->cur);
		return CL_EDIT;
	case KEY_UP:
	case CTRL('p'):
		history_go(cl, -1);
		return CL_EDIT;
	case KEY_DOWN:
	case CTRL('n'):
		history_go(cl, 1);
		return CL_EDIT;
	case '\t':
		if (w != NULL)
			cmdline_complete(cl, w);
		return CL_EDIT;
	default:
		if (key < 0x20 || key > 0xff || key == 0x7f)
			return CL_IGNORED;
		c = (char)key;
		insert(cl, &c, 1);
		return CL_EDIT;
	}
}

/* Words of s, split at spaces; at most max, each NUL-terminated in s. */
static char *
next_word(char **pp)
{
	char *p = *pp, *w;

	while (*p == ' ')
		p++;
	if (*p == '\0') {
		*pp = p;
		return NULL;
	}
	w = p;
	while (*p != '\0' && *p != ' ')
		p++;
	if (*p == ' ')
		*p++ = '\0';
	*pp = p;
	return w;
}

/* The entry of t that is s or that s is a unique prefix of; NULL when
   none or ambiguous (*ambig set). */
static const char *
enum_match(const char *const *t, const char *s, int *ambig)
{
	const char *hit = NULL;
	size_t	 n = strlen(s), i;

	*ambig = 0;
	if (n == 0)
		return NULL;
	for (i = 0; t[i] != NULL; i++) {
		if (strcasecmp(t[i], s) == 0)
			return t[i];
		if (strncasecmp(t[i], s, n) == 0) {
			if (hit != NULL)
				*ambig = 1;
			hit = t[i];
		}
	}
	return *ambig ? NULL : hit;
}

/* The distinct first words of the commands, NULL-terminated. */
static const char *const *
first_words(void)
{
	static const char *words[NSPECS + 1];
	static char store[NSPECS][16];
	size_t	 i, j, n = 0, k;

	if (words[0] != NULL)
		return words;
	for (i = 0; i < NSPECS; i++) {
		k = strcspn(usage_of(&specs[i]), " ");
		if (k >= sizeof store[0])
			k = sizeof store[0] - 1;
		memcpy(store[n], usage_of(&specs[i]), k);
		store[n][k] = '\0';
		for (j = 0; j < n; j++)
			if (strcmp(words[j], store[n]) == 0)
				break;
		if (j == n) {
			words[n] = store[n];
			n++;
		}
	}
	words[n] = NULL;
	return words;
}

/* Find the command named by the words at *pp (consumed).  NULL with err
   when there is none. */
static const struct spec *
find_spec(char **pp, char *err, size_t errlen)
{
	const char *w1, *w2, *f;
	char	 name[32], w[32], *save;
	size_t	 i;
	int	 ambig;

	if ((w1 = next_word(pp)) == NULL) {
		errf(err, errlen, "no command; :help lists them");
		return NULL;
	}
	if (strcmp(w1, "q") == 0)
		w1 = "quit";
	if ((f = enum_match(first_words(), w1, &ambig)) == NULL) {
		errf(err, errlen, "%s command '%s'; :help lists them",
		    ambig ? "ambiguous" : "unknown", w1);
		return NULL;
	}
	if (strcmp(f, "task") == 0) {
		save = *pp;
		if ((w2 = next_word(pp)) == NULL || (w2 = enum_match(task_words,
		    w2, &ambig)) == NULL) {
			*pp = save;
			errf(err, errlen, "usage: task add TITLE [@USER] | "
			    "task done TASK | task status TASK STATUS");
			return NULL;
		}
		snprintf(name, sizeof name, "task %s", w2);
	} else
		snprintf(name, sizeof name, "%s", f);
	for (i = 0; i < NSPECS; i++)
		if (strcmp(name_of(&specs[i], w, sizeof w), name) == 0)
			return &specs[i];
	errf(err, errlen, "unknown command '%s'", name);
	return NULL;
}

/* "T-4", "t-4", "4" -> "T-4"; "INC-3", "inc-3", "3" -> "INC-3". */
static int
norm_ref(const char *s, const char *prefix, char *out, size_t outlen)
{
	size_t	 pl = strlen(prefix);
	char	*end;
	long long n;

	if (strncasecmp(s, prefix, pl) == 0)
		s += pl;
	if (!isdigit((unsigned char)*s) || *s == '0')
		return -1;
	n = strtoll(s, &end, 10);
	if (*end != '\0' || n <= 0 || n > WIRE_MAX_ID)
		return -1;
	snprintf(out, outlen, "%s%lld", prefix, n);
	return 0;
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

int
cmdline_parse(const char *line, struct cmd *c, char *err, size_t errlen)
{
	const struct spec *sp;
	const char *const *tbl;
	const char *v, *what;
	char	*p, *w, *at;
	size_t	 i;
	int	 ambig;

	c->kind = CMD_NONE;
	c->a[0] = c->a[1] = c->a[2] = NULL;
	snprintf(c->buf, sizeof c->buf, "%s", line);
	p = c->buf;
	while (*p == ' ' || *p == ':')
		p++;
	if ((sp = find_spec(&p, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < 3 && sp->args[i] != AK_END; i++) {
		if (sp->args[i] == AK_TEXT || sp->args[i] == AK_OPTTEXT) {
			p = trim(p);
			if (*p == '\0' && sp->args[i] == AK_TEXT)
				goto usage;
			c->a[i] = *p == '\0' && sp->kind != CMD_QUERY ? NULL : p;
			p += strlen(p);
			break;
		}
		if ((w = next_word(&p)) == NULL) {
			if (sp->args[i] == AK_OPTINC || sp->args[i] ==
			    AK_OPTIOC)
				break;
			goto usage;
		}
		tbl = NULL;
		what = NULL;
		switch (sp->args[i]) {
		case AK_TASK:
			if (norm_ref(w, "T-", c->norm[i], sizeof c->norm[i])
			    == -1)
				return errf(err, errlen, "'%s' is not a task "
				    "(T-n)", w);
			c->a[i] = c->norm[i];
			continue;
		case AK_INC:
		case AK_OPTINC:
			if (norm_ref(w, "INC-", c->norm[i], sizeof c->norm[i])
			    == -1) {
				errf(err, errlen, "'%s' is not an incident "
				    "(INC-n)", w);
				return -1;
			}
			c->a[i] = c->norm[i];
			continue;
		case AK_USER:
			if (strcmp(w, "-") != 0 && !wire_valid_name(w))
				return errf(err, errlen, "'%s' is not a user "
				    "name", w);
			c->a[i] = w;
			continue;
		case AK_VALUE:
			c->a[i] = w;
			continue;
		case AK_STATUS:
			tbl = st_names, what = "status";
			break;
		case AK_PHASE:
			tbl = wire_phases, what = "phase";
			break;
		case AK_RESOLUTION:
			tbl = wire_resolutions, what = "resolution";
			break;
		case AK_KIND:
			tbl = wire_observable_kinds, what = "kind";
			break;
		case AK_TSTATUS:
			tbl = wire_task_statuses, what = "task status";
			break;
		case AK_OPTIOC:
			tbl = ioc_names, what = "flag";
			break;
		default:
			goto usage;
		}
		if ((v = enum_match(tbl, w, &ambig)) == NULL)
			return errf(err, errlen, "%s %s '%s' (usage: %s)",
			    ambig ? "ambiguous" : "no such", what, w,
			    usage_of(sp));
		c->a[i] = v;
	}
	if (next_word(&p) != NULL)
		return errf(err, errlen, "too many words (usage: %s)",
		    usage_of(sp));
	c->kind = sp->kind;
	if (c->kind == CMD_TASK_ADD && (at = strrchr(c->a[0], ' ')) != NULL &&
	    at[1] == '@') {
		if (!wire_valid_name(at + 2))
			return errf(err, errlen, "'%s' is not a user name",
			    at + 2);
		*at = '\0';
		c->a[1] = at + 2;
		c->a[0] = trim((char *)c->a[0]);
	}
	return 0;
usage:
	return errf(err, errlen, "usage: %s", usage_of(sp));
}

const char *
cmdline_usage(size_t i, const char **help)
{
	if (i >= NSPECS)
		return NULL;
	if (help != NULL)
		*help = specs[i].usage != NULL ? specs[i].help :
		    catalogue[specs[i].op].help;
	return usage_of(&specs[i]);
}

const char *
cmdline_op(enum cmd_kind kind)
{
	size_t	 i;

	for (i = 0; i < NSPECS; i++)
		if (specs[i].kind == kind && specs[i].op >= 0)
			return catalogue[specs[i].op].name;
	return NULL;
}

/* Candidates for argument kind k. */
static size_t
candidates(enum argk k, const struct cmdline_words *w,
    const char *const **out)
{
	static const char *const none[] = { NULL };
	const char *const *t = none;
	size_t	 n;

	switch (k) {
	case AK_TASK:
		*out = w->tasks;
		return w->ntasks;
	case AK_USER:
		*out = w->users;
		return w->nusers;
	case AK_INC:
	case AK_OPTINC:
		*out = w->incidents;
		return w->nincidents;
	case AK_STATUS:
		t = st_names;
		break;
	case AK_PHASE:
		t = wire_phases;
		break;
	case AK_RESOLUTION:
		t = wire_resolutions;
		break;
	case AK_KIND:
		t = wire_observable_kinds;
		break;
	case AK_TSTATUS:
		t = wire_task_statuses;
		break;
	case AK_OPTIOC:
		t = ioc_names;
		break;
	default:
		break;
	}
	for (n = 0; t[n] != NULL; n++)
		;
	*out = t;
	return n;
}

int
cmdline_complete(struct cmdline *cl, const struct cmdline_words *w)
{
	const struct spec *sp = NULL;
	const char *const *cand = NULL;
	const char *match[64], *word, *f;
	char	 tmp[CMDLINE_MAX], err[128], w1[32], *p;
	size_t	 ws, nbefore = 0, ncand = 0, nm = 0, i, wl, common, hl;
	int	 at = 0, ambig;
	enum argk k = AK_END;

	cl->hint[0] = '\0';
	/* The word being completed: from the last space before the cursor. */
	ws = cl->cur;
	while (ws > 0 && cl->buf[ws - 1] != ' ')
		ws--;
	word = cl->buf + ws;
	wl = cl->cur - ws;
	/* The words before it. */
	memcpy(tmp, cl->buf, ws);
	tmp[ws] = '\0';
	for (p = tmp; next_word(&p) != NULL; )
		nbefore++;
	memcpy(tmp, cl->buf, ws);
	tmp[ws] = '\0';
	p = tmp;
	if (nbefore == 0) {
		cand = first_words();
		for (ncand = 0; cand[ncand] != NULL; ncand++)
			;
	} else if (nbefore == 1 && (f = enum_match(first_words(),
	    trim(tmp), &ambig)) != NULL && strcmp(f, "task") == 0) {
		cand = task_words;
		ncand = 3;
	} else if ((sp = find_spec(&p, err, sizeof err)) != NULL) {
		i = nbefore - (strchr(name_of(sp, w1, sizeof w1), ' ') !=
		    NULL ? 2 : 1);
		k = i < 3 ? sp->args[i] : AK_END;
		/* Within a text argument: "@user" completes users. */
		for (; i < 3 && i > 0 && k == AK_END; i--)
			k = sp->args[i - 1] == AK_TEXT ? AK_TEXT : AK_END;
		if (k == AK_TEXT || k == AK_OPTTEXT)
			k = AK_END;
		if (sp->kind == CMD_TASK_ADD && word[0] == '@') {
			k = AK_USER;
			at = 1;
		}
		ncand = candidates(k, w, &cand);
	}
	for (i = 0; i < ncand && nm < 64; i++)
		if (cand[i] != NULL && strlen(cand[i]) >= wl - (size_t)at &&
		    strncasecmp(cand[i], word + at, wl - (size_t)at) == 0)
			match[nm++] = cand[i];
	if (nm == 0) {
		if (sp != NULL)
			snprintf(cl->hint, sizeof cl->hint, "%s", usage_of(sp));
		return 0;
	}
	common = strlen(match[0]);
	for (i = 1; i < nm; i++) {
		size_t j = 0;

		while (j < common && match[i][j] != '\0' &&
		    tolower((unsigned char)match[i][j]) ==
		    tolower((unsigned char)match[0][j]))
			j++;
		common = j;
	}
	if (nm > 1) {
		hl = 0;
		for (i = 0; i < nm && hl + 2 < sizeof cl->hint; i++) {
			int r = snprintf(cl->hint + hl, sizeof cl->hint - hl,
			    "%s%s", i ? " " : "", match[i]);
			if (r < 0)
				break;
			hl += (size_t)r;
		}
	}
	if (common <= wl - (size_t)at && nm > 1)
		return 0;
	/* Replace the word with the common prefix (fixing its case). */
	cut(cl, (size_t)(word - cl->buf) + (size_t)at, cl->cur);
	if (insert(cl, match[0], common) == -1)
		return 0;
	if (nm == 1 && (cl->cur == cl->len))
		insert(cl, " ", 1);
	return 1;
}
