/*
 * catalogue — the ops and queries of ward.v3.  See catalogue.h.
 *
 * Each entry's fields and cross-field check sit just above the table;
 * the order of the table is the order of the enumeration and of the
 * names in "must be one of ..." messages.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "catalogue.h"
#include "errf.h"
#include "wire.h"

static const char *const person_roles[] = { "viewer", "handler", "lead",
	"admin", NULL };
static const char *const list_statuses[] = { "open", "contained", "closed",
	"active", "all", NULL };
static const char *const alert_list_statuses[] = { "new", "acknowledged",
	"escalated", "closed", "open", "all", NULL };

static const char *
sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Cross-field checks. */

static int
chk_update(const json_t *o, char *err, size_t errlen)
{
	static const char *const settable[] = { "title", "description",
		"severity", "tags", "reported", "verified", "mitigated", NULL };
	int i;

	for (i = 0; settable[i] != NULL; i++)
		if (json_object_get(o, settable[i]) != NULL)
			return 0;
	return errf(err, errlen, "incident.update: nothing to change (title, "
	    "description, severity, tags, reported, verified, mitigated)");
}

static int
chk_note(const json_t *o, char *err, size_t errlen)
{
	const char *s = sget(o, "text");
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t')
			return 0;
	return errf(err, errlen, "field 'text': empty");
}

static int
chk_status(const json_t *o, char *err, size_t errlen)
{
	if (strcmp(sget(o, "status"), "closed") == 0)
		return errf(err, errlen, "field 'status': close with "
		    "incident.close and a resolution");
	return 0;
}

static int
chk_observable(const json_t *o, char *err, size_t errlen)
{
	return wire_check_observable(sget(o, "kind"), sget(o, "value"), err,
	    errlen);
}

static int
chk_link(const json_t *o, char *err, size_t errlen)
{
	if (json_array_size(json_object_get(o, "alerts")) +
	    json_array_size(json_object_get(o, "events")) == 0)
		return errf(err, errlen, "incident.link: no alerts or events");
	return 0;
}

static int
chk_promote(const json_t *o, char *err, size_t errlen)
{
	if (json_object_get(o, "incident") != NULL &&
	    (json_object_get(o, "title") != NULL ||
	    json_object_get(o, "severity") != NULL))
		return errf(err, errlen, "alert.promote: title and severity "
		    "are for a new incident, not with 'incident'");
	return 0;
}

static int
chk_user_add(const json_t *o, char *err, size_t errlen)
{
	unsigned char pk[AUTH_PK_BYTES];
	char msg[256];

	if (auth_pubkey_parse(sget(o, "key"), pk, NULL, 0, msg,
	    sizeof(msg)) != 0)
		return errf(err, errlen, "field 'key': %s", msg);
	return 0;
}

/* Fields. */

#define END	{ NULL, 0, 0, 0, NULL }
#define INC_REQ	{ "incident", WK_INC, WF_REQ, 0, NULL }
#define VERSION	{ "version", WK_INT, 0, WIRE_MAX_ID, NULL }
#define LIMIT(n) { "limit", WK_INT, 0, n, NULL }


static const struct wire_field o_create[] = {
	{ "title", WK_LINE, WF_REQ, WIRE_MAX_TITLE, NULL },
	{ "description", WK_TEXT, 0, WIRE_MAX_TEXT, NULL },
	{ "severity", WK_ENUM, 0, 0, wire_severities },
	{ "tags", WK_TAGS, 0, WIRE_MAX_TAGS, NULL },
	{ "lead", WK_NAME, 0, 0, NULL },
	{ "reported", WK_TIME, 0, 0, NULL },
	END
};
static const struct wire_field o_update[] = {
	INC_REQ,
	{ "version", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
	{ "title", WK_LINE, 0, WIRE_MAX_TITLE, NULL },
	{ "description", WK_TEXT, 0, WIRE_MAX_TEXT, NULL },
	{ "severity", WK_ENUM, 0, 0, wire_severities },
	{ "tags", WK_TAGS, 0, WIRE_MAX_TAGS, NULL },
	{ "reported", WK_TIME, 0, 0, NULL },
	{ "verified", WK_TIME, WF_NUL, 0, NULL },
	{ "mitigated", WK_TIME, WF_NUL, 0, NULL },
	END
};
static const struct wire_field o_note[] = {
	INC_REQ,
	{ "text", WK_TEXT, WF_REQ, WIRE_MAX_TEXT, NULL },
	END
};
static const struct wire_field o_close[] = {
	INC_REQ, VERSION,
	{ "resolution", WK_ENUM, WF_REQ, 0, wire_resolutions },
	{ "text", WK_TEXT, 0, WIRE_MAX_TEXT, NULL },
	END
};
static const struct wire_field o_status[] = {
	INC_REQ, VERSION,
	{ "status", WK_ENUM, WF_REQ, 0, wire_statuses },
	END
};
static const struct wire_field o_phase[] = {
	INC_REQ, VERSION,
	{ "phase", WK_ENUM, WF_REQ, 0, wire_phases },
	END
};
static const struct wire_field o_lead[] = {
	INC_REQ, VERSION,
	{ "lead", WK_NAME, WF_REQ | WF_NUL, 0, NULL },
	END
};
static const struct wire_field o_task_add[] = {
	INC_REQ,
	{ "title", WK_LINE, WF_REQ, WIRE_MAX_TITLE, NULL },
	{ "assignee", WK_NAME, 0, 0, NULL },
	{ "due", WK_TIME, 0, 0, NULL },
	END
};
static const struct wire_field o_task_assign[] = {
	{ "task", WK_TASK, WF_REQ, 0, NULL },
	{ "assignee", WK_NAME, WF_REQ | WF_NUL, 0, NULL },
	END
};
static const struct wire_field o_task_status[] = {
	{ "task", WK_TASK, WF_REQ, 0, NULL },
	{ "status", WK_ENUM, WF_REQ, 0, wire_task_statuses },
	END
};
static const struct wire_field o_observable[] = {
	INC_REQ,
	{ "kind", WK_ENUM, WF_REQ, 0, wire_observable_kinds },
	{ "value", WK_LINE, WF_REQ, WIRE_MAX_VALUE, NULL },
	{ "ioc", WK_BOOL, 0, 0, NULL },
	END
};
static const struct wire_field o_link[] = {
	INC_REQ,
	{ "alerts", WK_IDS, 0, WIRE_MAX_LINKS, NULL },
	{ "events", WK_IDS, 0, WIRE_MAX_LINKS, NULL },
	END
};
static const struct wire_field o_alert[] = {
	{ "alert", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
	{ "text", WK_TEXT, 0, WIRE_MAX_TEXT, NULL },
	END
};
static const struct wire_field o_promote[] = {
	{ "alert", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
	{ "incident", WK_INC, 0, 0, NULL },
	{ "title", WK_LINE, 0, WIRE_MAX_TITLE, NULL },
	{ "severity", WK_ENUM, 0, 0, wire_severities },
	END
};
static const struct wire_field o_user_add[] = {
	{ "name", WK_NAME, WF_REQ, 0, NULL },
	{ "role", WK_ENUM, WF_REQ, 0, person_roles },
	{ "key", WK_LINE, WF_REQ, AUTH_PUBLINE_MAX, NULL },
	END
};
static const struct wire_field o_user_del[] = {
	{ "name", WK_NAME, WF_REQ, 0, NULL },
	END
};
static const struct wire_field o_user_role[] = {
	{ "name", WK_NAME, WF_REQ, 0, NULL },
	{ "role", WK_ENUM, WF_REQ, 0, person_roles },
	END
};
static const struct wire_field none[] = {
	END
};
static const struct wire_field q_list[] = {
	{ "status", WK_ENUM, 0, 0, list_statuses },
	LIMIT(1000),
	END
};
static const struct wire_field q_show[] = {
	INC_REQ,
	END
};
static const struct wire_field q_audit[] = {
	{ "user", WK_NAME, 0, 0, NULL },
	{ "incident", WK_INC, 0, 0, NULL },
	{ "op", WK_LINE, 0, 64, NULL },
	{ "since", WK_TIME, 0, 0, NULL },
	{ "refused", WK_BOOL, 0, 0, NULL },
	LIMIT(1000),
	END
};
static const struct wire_field q_alerts[] = {
	{ "status", WK_ENUM, 0, 0, alert_list_statuses },
	{ "rule", WK_LINE, 0, 256, NULL },
	LIMIT(1000),
	END
};
static const struct wire_field q_alert[] = {
	{ "alert", WK_INT, WF_REQ, WIRE_MAX_ID, NULL },
	END
};
static const struct wire_field q_search[] = {
	{ "q", WK_TEXT, WF_REQ, WIRE_MAX_QUERY, NULL },
	{ "since", WK_LINE, 0, 64, NULL },
	{ "until", WK_LINE, 0, 64, NULL },
	LIMIT(10000),
	END
};

/* Rights, viewer handler lead admin (2: own tasks only). */
#define HANDLER	{ 0, 1, 1, 1 }
#define LEAD	{ 0, 0, 1, 1 }
#define ADMIN	{ 0, 0, 0, 1 }
#define ANYONE	{ 1, 1, 1, 1 }

#define OP	0
#define LOG	CAT_LOGGED
#define Q	CAT_QUERY

const struct catalogue_entry catalogue[CAT_COUNT] = {
	{ CAT_INCIDENT_CREATE, "incident.create", LOG, o_create, NULL, HANDLER,
	  "incident create --title TITLE [--description TEXT] [--severity "
	  "low|medium|high|critical] [--tag TAG]... [--lead USER] [--json]",
	  "new TITLE", "create an incident and open it" },
	{ CAT_INCIDENT_UPDATE, "incident.update", LOG, o_update, chk_update,
	  HANDLER, "incident update ID [--version N] [--title TITLE] "
	  "[--description TEXT] [--severity SEV] [--tag TAG]... [--json]",
	  NULL, "change an incident's title, description, severity, tags "
	  "or times" },
	{ CAT_INCIDENT_NOTE, "incident.note", LOG, o_note, chk_note, HANDLER,
	  "incident note ID TEXT [--json]",
	  "note TEXT", "add a note to the open incident" },
	{ CAT_INCIDENT_CLOSE, "incident.close", LOG, o_close, NULL, LEAD,
	  "incident close ID --resolution true_positive|false_positive|"
	  "duplicate|other [--text TEXT] [--version N] [--json]",
	  "close RESOLUTION [TEXT]", "true_positive, false_positive, "
	  "duplicate, other (lead)" },
	{ CAT_INCIDENT_STATUS, "incident.status", LOG, o_status, chk_status,
	  LEAD, "incident status ID open|contained [--version N] [--json]",
	  "status open|contained", "set the open incident's status (lead)" },
	{ CAT_INCIDENT_PHASE, "incident.phase", LOG, o_phase, NULL, LEAD,
	  "incident phase ID identification|containment|eradication|"
	  "recovery|lessons_learned [--version N] [--json]",
	  "phase PHASE", "identification, containment, eradication, "
	  "recovery, lessons_learned (lead)" },
	{ CAT_INCIDENT_LEAD, "incident.lead", LOG, o_lead, NULL, LEAD,
	  "incident lead ID USER|--none [--version N] [--json]",
	  "lead USER|-", "set the open incident's lead (lead)" },
	{ CAT_TASK_ADD, "task.add", LOG, o_task_add, NULL, HANDLER,
	  "task add ID TITLE [--assign USER] [--due TIME] [--json]",
	  "task add TITLE [@USER]", "add a task to the open incident "
	  "(assigning it: lead)" },
	{ CAT_TASK_ASSIGN, "task.assign", LOG, o_task_assign, NULL, LEAD,
	  "task assign TASK USER|--none [--json]",
	  "assign TASK USER|-", "assign a task of the open incident (lead)" },
	{ CAT_TASK_STATUS, "task.status", LOG, o_task_status, NULL,
	  { 0, 2, 1, 1 }, "task status TASK todo|doing|done|blocked [--json]",
	  "task status TASK todo|doing|done|blocked", "set a task's status" },
	{ CAT_OBSERVABLE_ADD, "observable.add", LOG, o_observable,
	  chk_observable, HANDLER, "observable add ID ip|domain|hash|user|"
	  "host|url VALUE [--ioc] [--json]",
	  "observable KIND VALUE [ioc]", "ip, domain, hash, user, host, "
	  "url; add to the open incident" },
	{ CAT_INCIDENT_LINK, "incident.link", LOG, o_link, chk_link, HANDLER,
	  "incident link ID [--alert N]... [--event N]... [--json]",
	  "link [INC-n]", "link the event or alert under the cursor to INC-n "
	  "(default: the open incident)" },
	/* Alerts: handlers triage them (acknowledge, escalate, close a false
	   positive) and promote them to incidents; admins reload rules. */
	{ CAT_ALERT_ACK, "alert.ack", OP, o_alert, NULL, HANDLER,
	  "alert ack ID [--text TEXT] [--json]",
	  "ack", "acknowledge the alert under the cursor" },
	{ CAT_ALERT_ESCALATE, "alert.escalate", OP, o_alert, NULL, HANDLER,
	  "alert escalate ID [--text TEXT] [--json]",
	  "escalate", "escalate the alert under the cursor" },
	{ CAT_ALERT_CLOSE, "alert.close", OP, o_alert, NULL, HANDLER,
	  "alert close ID [--text TEXT] [--json]",
	  NULL, "close an alert (a false positive, or dealt with)" },
	{ CAT_ALERT_PROMOTE, "alert.promote", LOG, o_promote, chk_promote,
	  HANDLER, "alert promote ID [--to INC-n] [--title T] [--severity S] "
	  "[--json]", "promote [INC-n]", "the alert under the cursor to a "
	  "new incident, or attach it to INC-n" },
	{ CAT_RULES_RELOAD, "rules.reload", OP, none, NULL, ADMIN,
	  "rules reload [--wait]", NULL, "reload the hub's rules (admin)" },
	/* People: admins only (and the user.list query). */
	{ CAT_USER_ADD, "user.add", CAT_PEOPLE, o_user_add, chk_user_add,
	  ADMIN, "user add NAME ROLE PUBKEYFILE [--json]", NULL,
	  "add a person with a role and a public key (admin)" },
	{ CAT_USER_DEL, "user.del", CAT_PEOPLE, o_user_del, NULL, ADMIN,
	  "user del NAME [--json]", NULL,
	  "remove a person; their sessions close (admin)" },
	{ CAT_USER_ROLE, "user.role", CAT_PEOPLE, o_user_role, NULL, ADMIN,
	  "user role NAME ROLE [--json]", NULL,
	  "change a person's role; their sessions close (admin)" },

	{ CAT_INCIDENT_LIST, "incident.list", Q, q_list, NULL, ANYONE,
	  "incident list [--status open|contained|closed|active|all] "
	  "[--limit N] [--json]", NULL, "incidents, newest first" },
	{ CAT_INCIDENT_SHOW, "incident.show", Q, q_show, NULL, ANYONE,
	  "incident show ID [--json]", NULL, "an incident with its "
	  "timeline, tasks, observables and links" },
	{ CAT_AUDIT_LIST, "audit.list", Q, q_audit, NULL, ANYONE,
	  "audit [--user USER] [--incident ID] [--op NAME] [--since TIME] "
	  "[--refused] [--limit N] [--json]", NULL, "the audit log (viewers "
	  "and handlers: their own entries)" },
	{ CAT_WHOAMI, "whoami", Q, none, NULL, ANYONE, "whoami [--json]",
	  NULL, "the user and role the hub knows you as" },
	{ CAT_PRESENCE, "presence", Q | CAT_SESSION, none, NULL, ANYONE, NULL,
	  NULL, "who is connected and what they are looking at" },
	{ CAT_ALERT_LIST, "alert.list", Q, q_alerts, NULL, ANYONE,
	  "alert list [--status S] [--rule R] [--limit N] [--json]", NULL,
	  "alerts, newest first" },
	{ CAT_ALERT_SHOW, "alert.show", Q, q_alert, NULL, ANYONE,
	  "alert show ID [--json]", NULL, "an alert with its timeline" },
	{ CAT_RULES_STATUS, "rules.status", Q, none, NULL, ANYONE,
	  "rules status [--json]", NULL, "the rules loaded and broken" },
	{ CAT_SEARCH, "search", Q | CAT_SESSION, q_search, NULL, ANYONE,
	  "search [--since TIME] [--until TIME] [--limit N] [--json] QUERY",
	  NULL, "search the stored events (ward-query(7))" },
	{ CAT_USER_LIST, "user.list", Q, none, NULL, ADMIN,
	  "user list [--json]", NULL, "the people of the hub (admin)" },
};

const struct catalogue_entry *
catalogue_find(const char *name, int query)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < CAT_COUNT; i++)
		if (!(catalogue[i].flags & CAT_QUERY) == !query &&
		    strcmp(catalogue[i].name, name) == 0)
			return &catalogue[i];
	return NULL;
}

/* Does word w (NUL-terminated) equal the word at s (up to a space)? */
static int
word_is(const char *s, const char *w)
{
	size_t	 n = strcspn(s, " ");

	return w != NULL && strlen(w) == n && strncmp(s, w, n) == 0;
}

int
catalogue_cli_words(const struct catalogue_entry *e)
{
	const char *s;

	if (e->cli == NULL)
		return 0;
	s = strchr(e->cli, ' ');
	/* A second word of lower-case letters is part of the name. */
	if (s != NULL && s[1] >= 'a' && s[1] <= 'z' && strcspn(s + 1, " ") ==
	    strspn(s + 1, "abcdefghijklmnopqrstuvwxyz"))
		return 2;
	return 1;
}

const struct catalogue_entry *
catalogue_cli(const char *w1, const char *w2)
{
	const struct catalogue_entry *e;
	size_t	 i;

	for (i = 0; i < CAT_COUNT; i++) {
		e = &catalogue[i];
		if (e->cli == NULL || !word_is(e->cli, w1))
			continue;
		if (catalogue_cli_words(e) == 1)
			return e;
		if (word_is(strchr(e->cli, ' ') + 1, w2))
			return e;
	}
	return NULL;
}

void
catalogue_names(int query, char *out, size_t outlen)
{
	size_t	 i, o = 0;
	int	 w;

	out[0] = '\0';
	for (i = 0; i < CAT_COUNT && o < outlen; i++) {
		if (!(catalogue[i].flags & CAT_QUERY) != !query)
			continue;
		w = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "",
		    catalogue[i].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}
