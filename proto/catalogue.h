/*
 * catalogue — every op and query of ward.v3, each described once: its
 * name, its fields and their checks, the rights it needs, where the hub
 * applies it, its `ward` subcommand and its ':' command, and its help
 * line.  tmux's cmd_table[] is the model.  Everything else is driven from
 * this table:
 *
 *   wire_check.c validates requests against .fields and .check, and answers
 *		role_may from .may;
 *   hub	keeps one handler per entry (hub/collab/incident.c, indexed by
 *		enum catalogue_id) and checks at start that none is missing;
 *   console	`ward` finds its subcommands by .cli and prints it as their
 *		usage (console/cli.c, one function per entry); the ':' line
 *		shows .cmd and .help (console/cmdline.c), the Incident view's
 *		key hints and ward --help come from here too.
 *
 * Adding an op: an enum value, one entry in catalogue.c (its fields and
 * checks beside it), one handler in the hub's table; a `ward` subcommand
 * is one function in cli.c's table.  A new op or query is not a protocol
 * bump (wire.h says why); changing an existing entry's fields may be.
 */
#ifndef WARD_CATALOGUE_H
#define WARD_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* What a field's value must be; wire_check.c's check_value checks it. */
enum wire_kind {
	WK_LINE = 1,	/* one line of text, not blank, max bytes */
	WK_TEXT,	/* text with newlines and tabs, may be empty */
	WK_NAME,	/* a user name */
	WK_INT,		/* integer 0..max */
	WK_BOOL,
	WK_OBJ,		/* any object */
	WK_ANY,		/* any value */
	WK_TAGS,	/* array of up to max WK_LINE strings of WIRE_MAX_TAG */
	WK_IDS,		/* array of up to max integers 1..WIRE_MAX_ID */
	WK_OBJS,	/* array of up to max objects */
	WK_B64,		/* base64 of exactly max bytes */
	WK_ENUM,	/* one of names */
	WK_INC,		/* "INC-n" */
	WK_TASK,	/* "T-n" or n */
	WK_TIME,	/* ISO 8601 UTC */
	WK_TOPIC,	/* a subscription topic */
	WK_OP,		/* the name of an op of the catalogue */
	WK_QUERY,	/* the name of a query of the catalogue */
};

#define WF_REQ	0x1	/* required */
#define WF_NUL	0x2	/* null accepted */

/* One field of a message; lists end with an entry whose name is NULL. */
struct wire_field {
	const char		*name;
	enum wire_kind		 kind;
	int			 flags;
	int64_t			 max;
	const char *const	*names;		/* WK_ENUM: NULL-terminated */
};

/* One value per op and query, in the order of the table: ops first. */
enum catalogue_id {
	CAT_INCIDENT_CREATE = 0,
	CAT_INCIDENT_UPDATE,
	CAT_INCIDENT_NOTE,
	CAT_INCIDENT_CLOSE,
	CAT_INCIDENT_STATUS,
	CAT_INCIDENT_PHASE,
	CAT_INCIDENT_LEAD,
	CAT_TASK_ADD,
	CAT_TASK_ASSIGN,
	CAT_TASK_STATUS,
	CAT_OBSERVABLE_ADD,
	CAT_INCIDENT_LINK,
	CAT_ALERT_ACK,
	CAT_ALERT_ESCALATE,
	CAT_ALERT_CLOSE,
	CAT_ALERT_PROMOTE,
	CAT_RULES_RELOAD,
	CAT_USER_ADD,
	CAT_USER_DEL,
	CAT_USER_ROLE,
	/* queries */
	CAT_INCIDENT_LIST,
	CAT_INCIDENT_SHOW,
	CAT_AUDIT_LIST,
	CAT_WHOAMI,
	CAT_PRESENCE,
	CAT_ALERT_LIST,
	CAT_ALERT_SHOW,
	CAT_RULES_STATUS,
	CAT_SEARCH,
	CAT_USER_LIST,
	CAT_COUNT
};

/* Flags of an entry. */
#define CAT_QUERY	0x1	/* a query ("type":"query"), else an op */
#define CAT_LOGGED	0x2	/* an incident op: op log, seq, broadcast;
				   other ops are answered and audited only */
#define CAT_PEOPLE	0x4	/* changes who may be signed in: the hub
				   re-checks open sessions afterwards */
#define CAT_SESSION	0x8	/* a query the session layer answers itself
				   (presence, search), not the state store */

struct catalogue_entry {
	enum catalogue_id	 id;
	const char		*name;		/* "incident.note" */
	unsigned		 flags;		/* CAT_* */
	const struct wire_field	*fields;	/* besides type, id, op/query */
	/* A check across fields, after each field passed; 0 or -1 with
	   err.  NULL: none. */
	int			(*check)(const json_t *, char *, size_t);
	/* enum wire_may for viewer, handler, lead, admin.  Handlers work
	   incidents and move their own tasks (WIRE_MAY_OWN: the hub checks
	   the owner); leads also assign, set status, phase and lead, and
	   close; admins may do everything; tokens may do none of it. */
	unsigned char		 may[4];
	const char		*cli;	/* `ward` synopsis: the subcommand's
					   words, then its arguments; NULL:
					   no subcommand */
	const char		*cmd;	/* ':' usage; NULL: no command */
	const char		*help;	/* one line, for :help and docs */
};

/* The table, indexed by enum catalogue_id (entry i has id i). */
extern const struct catalogue_entry catalogue[CAT_COUNT];

/* The op (query when query is set) named name, or NULL. */
const struct catalogue_entry *catalogue_find(const char *name, int query);
/* The entry whose .cli starts with the words w1 [w2] ("incident",
   "note"; w2 may be NULL): the longest match, or NULL. */
const struct catalogue_entry *catalogue_cli(const char *w1, const char *w2);
/* The number of words of e->cli that name the subcommand (1 or 2). */
int		 catalogue_cli_words(const struct catalogue_entry *e);
/* Write the names of the ops (queries when query is set), ", "
   separated, into out (cut to outlen). */
void		 catalogue_names(int query, char *out, size_t outlen);

#endif
