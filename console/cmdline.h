/*
 * cmdline — the console's one-line editor (the ':' command line and the
 * events query bar) with history and completion, and the parser of ':'
 * commands.  Pure: no curses calls (key codes are curses' numbers), no
 * network; the main loop turns a parsed command into a request.  The
 * commands that send an op take their usage and help from its entry in
 * the catalogue (catalogue.h).
 */
#ifndef WARD_CMDLINE_H
#define WARD_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX	4096	/* bytes of one line */
#define CMDLINE_HIST	200	/* lines of history kept */

struct cmdline {
	char	 buf[CMDLINE_MAX];
	size_t	 len, cur;		/* bytes; cur on a character start */
	char	*hist[CMDLINE_HIST];	/* oldest first; owned */
	size_t	 nhist;
	size_t	 hpos;			/* nhist: the line being edited */
	char	 saved[CMDLINE_MAX];	/* that line, while in history */
	char	 hint[512];		/* completions or usage to show */
};

/* What completion may offer, beside command names and enumerations.
   Borrowed for the call. */
struct cmdline_words {
	const char *const	*users;		/* user names */
	size_t			 nusers;
	const char *const	*tasks;		/* "T-4" */
	size_t			 ntasks;
	const char *const	*incidents;	/* "INC-3" */
	size_t			 nincidents;
};

enum cmdline_res {
	CL_IGNORED = 0,		/* not a key for the line */
	CL_EDIT,		/* the line or the cursor changed */
	CL_ENTER,		/* done: the line is in buf */
	CL_CANCEL		/* abandoned (Esc, C-g, backspace on empty) */
};

/* Make cl empty, without history.  cmdline_release frees the history. */
void	cmdline_init(struct cmdline *cl);
void	cmdline_release(struct cmdline *cl);
/* Start editing text (copied, cut to CMDLINE_MAX - 1), cursor at the
   end, history position at the end. */
void	cmdline_set(struct cmdline *cl, const char *text);
/* Add line (copied) to the end of the history unless empty or the same as
   the last; the oldest is dropped past CMDLINE_HIST. */
void	cmdline_history_add(struct cmdline *cl, const char *line);
/*
 * Apply one key: characters (bytes of UTF-8 one at a time), Left/Right,
 * Home/End, C-a C-e C-b C-f, Backspace, Delete, C-d, C-u, C-k, C-w,
 * Up/Down and C-p/C-n (history), Tab (complete, when w is not NULL),
 * Enter (adds the line to the history), Esc / C-g / C-c.
 */
enum cmdline_res cmdline_key(struct cmdline *cl, int key,
	    const struct cmdline_words *w);
/* Complete the word before the cursor from the grammar of ':' commands
   and w; sets hint to the candidates (or the command's usage).  Returns 1
   when the line changed. */
int	cmdline_complete(struct cmdline *cl, const struct cmdline_words *w);

enum cmd_kind {
	CMD_NONE = 0,
	CMD_NOTE,		/* a0 text */
	CMD_ASSIGN,		/* a0 task, a1 user ("-": nobody) */
	CMD_STATUS,		/* a0 open|contained */
	CMD_PHASE,		/* a0 phase */
	CMD_CLOSE,		/* a0 resolution, a1 text or NULL */
	CMD_LEAD,		/* a0 user ("-": nobody) */
	CMD_PROMOTE,		/* a0 INC-n to attach to, or NULL: new */
	CMD_TASK_ADD,		/* a0 title, a1 assignee or NULL */
	CMD_TASK_DONE,		/* a0 task */
	CMD_TASK_STATUS,	/* a0 task, a1 status */
	CMD_OBSERVABLE,		/* a0 kind, a1 value, a2 "ioc" or NULL */
	CMD_LINK,		/* a0 INC-n or NULL: the open incident */
	CMD_OPEN,		/* a0 INC-n */
	CMD_NEW,		/* a0 title */
	CMD_QUERY,		/* a0 query text ("" for every event) */
	CMD_ACK,
	CMD_ESCALATE,
	CMD_HELP,
	CMD_QUIT
};

/* A parsed command: a0..a2 point into buf or at static names. */
struct cmd {
	enum cmd_kind	 kind;
	const char	*a[3];
	char		 buf[CMDLINE_MAX];
	char		 norm[3][32];	/* "T-4", "INC-3" as normalized */
};

/*
 * Parse a ':' command line (without the ':').  Words may be unique
 * prefixes of command names and of enumerations (":st cont" is
 * ":status contained"); tasks may be "T-4" or "4", incidents "INC-3" or
 * "3".  Returns 0 and fills c, or -1 with a one-line reason (and the
 * command's usage) in err.
 */
int	cmdline_parse(const char *line, struct cmd *c, char *err,
	    size_t errlen);

/* The commands, for help: usage of entry i and its help line, or NULL
   past the end.  A command that sends an op has its op's (catalogue.h). */
const char	*cmdline_usage(size_t i, const char **help);
/* The op (its catalogue name, static) a command of that kind sends, or
   NULL: the console's own (open, query, help, quit). */
const char	*cmdline_op(enum cmd_kind kind);

#endif
