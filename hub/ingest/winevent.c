/*
 * winevent — Windows events, one shape for three shippers (winevent.h).
 *
 * SigmaHQ's Windows rules name EventData fields (Image, CommandLine,
 * TargetUserName...) and the System ones (EventID, Channel,
 * Provider_Name); ward keeps all of them flat under details, so a Sigma
 * field maps to details.<Field> whatever shipped the event.  The step
 * looks for three keys in details (EventID, winlog, Event) and leaves
 * every other event at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pfield.h"
#include "timeparse.h"
#include "transit.h"
#include "winevent.h"

/* Longest summary made up (bytes). */
#define SUMMARY_MAX	400

/* What the three shapes give, values borrowed from ev (or NULL). */
struct win {
	json_t		*ev, *d;
	json_int_t	 eid;
	json_t		*channel, *provider, *computer, *record, *message;
	json_t		*pid, *time;
};

/* An event ID: an integer, a digit string or {"#text": ...}; 1 with
   *id, else 0. */
static int
event_id(json_t *v, json_int_t *id)
{
	int64_t	 x;

	if (json_is_object(v))
		v = json_object_get(v, "#text");
	if (json_is_integer(v)) {
		*id = json_integer_value(v);
		return *id >= 0;
	}
	if (json_is_string(v) && pfield_int(json_string_value(v),
	    json_string_length(v), &x) && x >= 0) {
		*id = x;
		return 1;
	}
	return 0;
}

/* v as the text of a field (a new reference): strings as they are,
   numbers and booleans written out, {"#text": x} as x, arrays and
   objects as sent; NULL with *skip set for null, NULL alone when out of
   memory. */
static json_t *
as_text(json_t *v, int *skip)
{
	char	 b[64];

	*skip = 0;
	if (json_is_object(v) && json_object_get(v, "#text") != NULL &&
	    !json_is_object(json_object_get(v, "#text")))
		v = json_object_get(v, "#text");
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_incref(v);
	case JSON_INTEGER:
		snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return json_string(b);
	case JSON_REAL:
		snprintf(b, sizeof b, "%.17g", json_real_value(v));
		return json_string(b);
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	case JSON_NULL:
		*skip = 1;
		return NULL;
	default:
		return json_incref(v);
	}
}

/* Every member of o (but #attributes and xml_name) under d as text. */
static int
flatten(json_t *d, json_t *o)
{
	const char *k;
	json_t	*v, *t;
	int	 skip;

	json_object_foreach(o, k, v) {
		if (strcmp(k, "#attributes") == 0 || strcmp(k, "xml_name") == 0)
			continue;
		if ((t = as_text(v, &skip)) == NULL) {
			if (skip)
				continue;
			return -1;
		}
		if (pfield_add(d, k, strlen(k), t) == -1)
			return -1;
	}
	return 0;
}

/* Take key k out of o: a reference the caller owns, or NULL. */
static json_t *
take(json_t *o, const char *k)
{
	json_t	*v;

	if (!json_is_object(o) || (v = json_object_get(o, k)) == NULL)
		return NULL;
	json_incref(v);
	json_object_del(o, k);
	return v;
}

/* NXLog: EventID and Channel at the top, so in details. */
static int
nxlog(struct win *w)
{
	json_t	*d = w->d;

	if (!event_id(json_object_get(d, "EventID"), &w->eid) ||
	    !json_is_string(json_object_get(d, "Channel")))
		return 0;
	w->channel = json_incref(json_object_get(d, "Channel"));
	if ((w->provider = take(d, "SourceName")) == NULL &&
	    (w->provider = take(d, "ProviderName")) == NULL)
		w->provider = json_incref(json_object_get(w->ev,
		    "processname"));
	/* these are at the top unless the event came as JSON in a
	   message (jsonmsg.c) */
	w->computer = take(d, "Hostname");
	w->time = take(d, "EventTime");
	w->message = take(d, "Message");
	w->pid = take(d, "ProcessID");
	w->record = take(d, "RecordNumber");
	return 1;
}

/* Winlogbeat: details.winlog. */
static int
winlogbeat(struct win *w)
{
	json_t	*wl = json_object_get(w->d, "winlog"), *x;

	if (!json_is_object(wl) ||
	    !event_id(json_object_get(wl, "event_id"), &w->eid))
		return 0;
	if ((x = take(wl, "event_data")) != NULL) {
		if (json_is_object(x) && flatten(w->d, x) == -1) {
			json_decref(x);
			return -1;
		}
		json_decref(x);
	}
	if ((x = take(wl, "user_data")) != NULL) {
		if (json_is_object(x) && flatten(w->d, x) == -1) {
			json_decref(x);
			return -1;
		}
		json_decref(x);
	}
	json_decref(take(wl, "event_id"));
	w->channel = take(wl, "channel");
	w->provider = take(wl, "provider_name");
	w->computer = take(wl, "computer_name");
	w->record = take(wl, "record_id");
	if (json_is_object(x = json_object_get(wl, "process")))
		w->pid = json_incref(json_object_get(x, "pid"));
	if (json_object_size(wl) == 0)
		json_object_del(w->d, "winlog");
	return 1;
}

/* o["#attributes"][k], borrowed, or NULL. */
static json_t *
attr(json_t *o, const char *k)
{
	return json_object_get(json_object_get(o, "#attributes"), k);
}

/* evtx_dump's JSON: details.Event.System and EventData or UserData. */
static int
evtx(struct win *w)
{
	json_t	*e = json_object_get(w->d, "Event"), *s, *v, *x;
	const char *k;
	int	 rc = -1;

	if (!json_is_object(e) || !json_is_object(s = json_object_get(e,
	    "System")) || !event_id(json_object_get(s, "EventID"), &w->eid))
		return 0;
	json_incref(e);
	json_object_del(w->d, "Event");
	w->provider = json_incref(attr(json_object_get(s, "Provider"),
	    "Name"));
	w->channel = json_incref(json_object_get(s, "Channel"));
	w->computer = json_incref(json_object_get(s, "Computer"));
	w->record = json_incref(json_object_get(s, "EventRecordID"));
	w->time = json_incref(attr(json_object_get(s, "TimeCreated"),
	    "SystemTime"));
	w->pid = json_incref(attr(json_object_get(s, "Execution"),
	    "ProcessID"));
	if ((v = attr(json_object_get(s, "Execution"), "ThreadID")) != NULL &&
	    pfield_add(w->d, "ThreadID", 8, json_incref(v)) == -1)
		goto fail;
	if ((v = attr(json_object_get(s, "Security"), "UserID")) != NULL &&
	    pfield_add(w->d, "UserID", 6, json_incref(v)) == -1)
		goto fail;
	if ((v = attr(json_object_get(s, "Provider"), "Guid")) != NULL &&
	    pfield_add(w->d, "ProviderGuid", 12, json_incref(v)) == -1)
		goto fail;
	/* the rest of System that is plain: Version, Level, Task... */
	json_object_foreach(s, k, v) {
		if (json_is_object(v) || json_is_null(v) ||
		    strcmp(k, "EventID") == 0 || strcmp(k, "Channel") == 0 ||
		    strcmp(k, "Computer") == 0 ||
		    strcmp(k, "EventRecordID") == 0)
			continue;
		if (pfield_add(w->d, k, strlen(k), json_incref(v)) == -1)
			goto fail;
	}
	if (json_is_object(x = json_object_get(e, "EventData")) &&
	    flatten(w->d, x) == -1)
		goto fail;
	if (json_is_object(x = json_object_get(e, "UserData")))
		json_object_foreach(x, k, v)
			if (json_is_object(v) && flatten(w->d, v) == -1)
				goto fail;
	rc = 1;
fail:
	json_decref(e);
	return rc;
}

static const struct {
	const char	*channel, *category;
} categories[] = {
	{ "Security", "security" },
	{ "System", "system" },
	{ "Application", "application" },
	{ "Microsoft-Windows-Sysmon/Operational", "sysmon" },
	{ "Microsoft-Windows-PowerShell/Operational", "powershell" },
	{ "Windows PowerShell", "powershell" },
	{ "PowerShellCore/Operational", "powershell" },
	{ "Microsoft-Windows-Windows Defender/Operational", "windefend" },
	{ "Microsoft-Windows-TaskScheduler/Operational", "taskscheduler" },
	{ "Microsoft-Windows-WMI-Activity/Operational", "wmi" },
	{ "Microsoft-Windows-Bits-Client/Operational", "bits-client" },
	{ "Microsoft-Windows-DNS-Client/Operational", "dns-client" },
	{ "Microsoft-Windows-NTLM/Operational", "ntlm" },
};

/* Security's logon events, category authentication. */
static int
logon_event(json_int_t id)
{
	static const json_int_t ids[] = { 4624, 4625, 4634, 4647, 4648,
	    4768, 4769, 4771, 4776, 4778, 4779 };
	size_t	 i;

	for (i = 0; i < sizeof ids / sizeof *ids; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static const char *
category(const struct win *w)
{
	const char *c = json_string_value(w->channel);
	size_t	 i;

	if (c == NULL)
		return "windows";
	if (strcmp(c, "Security") == 0 && logon_event(w->eid))
		return "authentication";
	for (i = 0; i < sizeof categories / sizeof *categories; i++)
		if (pfield_ieq(c, strlen(c), categories[i].channel))
			return categories[i].category;
	return "windows";
}

/* MozDef's login fields from a Security logon event. */
static int
logon_fields(struct win *w)
{
	json_t	*d = w->d, *v;
	const char *s;
	char	 ip[PFIELD_IPLEN];
	size_t	 n;
	int	 port, ok = -1;

	if ((s = json_string_value(json_object_get(d, "Status"))) != NULL)
		ok = strcmp(s, "0x0") == 0;
	switch (w->eid) {
	case 4624:
		ok = 1;
		break;
	case 4625:
	case 4771:
		ok = 0;
		break;
	case 4768:
	case 4776:
		break;
	default:
		ok = -1;
	}
	if (ok >= 0 && pfield_mozdef(d, "success", json_boolean(ok)) == -1)
		return -1;
	v = json_object_get(d, "TargetUserName");
	if ((s = json_string_value(v)) != NULL && s[0] != '\0' &&
	    strcmp(s, "-") != 0 &&
	    pfield_mozdef(d, "username", json_incref(v)) == -1)
		return -1;
	v = json_object_get(d, "IpAddress");
	if ((s = json_string_value(v)) != NULL &&
	    pfield_ip(s, json_string_length(v), ip) &&
	    pfield_mozdef(d, "sourceipaddress", json_string(ip)) == -1)
		return -1;
	v = json_object_get(d, "IpPort");
	if ((s = json_string_value(v)) != NULL &&
	    (n = json_string_length(v)) > 0 &&
	    (port = pfield_port(s, n)) > 0 &&
	    pfield_mozdef(d, "sourceport", json_integer(port)) == -1)
		return -1;
	return 0;
}

/* The fields a made-up summary shows, the first three found. */
static const char *const telling[] = {
	"CommandLine", "Image", "TargetFilename", "TargetObject",
	"QueryName", "DestinationIp", "TargetUserName", "SubjectUserName",
	"ServiceName", "ImagePath", "ScriptBlockText", "IpAddress", NULL
};

/* "Channel EventID on Computer: Field=value ..." */
static json_t *
made_summary(const struct win *w)
{
	struct buf b;
	json_t	*j = NULL;
	const char *s;
	size_t	 i, n, shown = 0;

	buf_init(&b);
	s = json_string_value(w->channel);
	if (buf_printf(&b, "%s %" JSON_INTEGER_FORMAT, s != NULL ? s :
	    "Windows", w->eid) == -1)
		goto fail;
	if ((s = json_string_value(w->computer)) != NULL &&
	    buf_printf(&b, " on %s", s) == -1)
		goto fail;
	for (i = 0; telling[i] != NULL && shown < 3; i++) {
		s = json_string_value(json_object_get(w->d, telling[i]));
		if (s == NULL || s[0] == '\0' || strcmp(s, "-") == 0)
			continue;
		if (buf_printf(&b, "%s %s=%s", shown == 0 ? ":" : "",
		    telling[i], s) == -1)
			goto fail;
		shown++;
	}
	n = b.len;
	if (n > SUMMARY_MAX) {
		/* cut on a UTF-8 boundary */
		n = SUMMARY_MAX;
		while (n > 0 && ((unsigned char)b.data[n] & 0xc0) == 0x80)
			n--;
	}
	j = json_stringn(b.data, n);
fail:
	buf_release(&b);
	return j;
}

/* The common shape from what the shapes found. */
static int
canonical(struct win *w)
{
	json_t	*ev = w->ev, *d = w->d, *v;
	json_int_t rec;
	const char *s;
	int64_t	 us;

	if (json_object_set_new(d, "EventID", json_integer(w->eid)) == -1)
		return -1;
	if (json_is_string(w->channel) &&
	    json_object_set(d, "Channel", w->channel) == -1)
		return -1;
	if (json_is_string(w->provider) &&
	    json_object_set(d, "Provider_Name", w->provider) == -1)
		return -1;
	if (event_id(w->record, &rec) &&
	    json_object_set_new(d, "EventRecordID", json_integer(rec)) == -1)
		return -1;
	if (json_is_string(w->computer) && json_string_length(w->computer) &&
	    pfield_top(ev, d, "hostname", json_incref(w->computer), 1) == -1)
		return -1;
	if ((s = json_string_value(w->time)) != NULL &&
	    time_parse(s, 0, &us) == 0 && pfield_time(ev, us) == -1)
		return -1;
	if (json_object_get(ev, "processname") == NULL &&
	    json_is_string(w->provider) && json_object_set(ev, "processname",
	    w->provider) == -1)
		return -1;
	if (json_object_get(ev, "processid") == NULL &&
	    event_id(w->pid, &rec) && json_object_set_new(ev, "processid",
	    json_integer(rec)) == -1)
		return -1;
	if (json_object_get(ev, "category") == NULL &&
	    json_object_set_new(ev, "category",
	    json_string(category(w))) == -1)
		return -1;
	if (json_is_string(w->message) && json_string_length(w->message) > 0)
		v = json_incref(w->message);
	else if ((s = json_string_value(json_object_get(ev, "summary"))) ==
	    NULL || s[0] == '\0')
		v = made_summary(w);
	else
		v = NULL;
	if (v != NULL && pfield_top(ev, d, "summary", v, 0) == -1)
		return -1;
	if (json_is_string(w->channel) &&
	    strcmp(json_string_value(w->channel), "Security") == 0 &&
	    logon_event(w->eid) && logon_fields(w) == -1)
		return -1;
	return pfield_last(ev, "tags") == -1 ||
	    pfield_last(ev, "details") == -1 ? -1 : 0;
}

int
winevent_apply(json_t *ev)
{
	struct win w;
	int	 r;

	memset(&w, 0, sizeof w);
	w.ev = ev;
	if ((w.d = json_object_get(ev, "details")) == NULL ||
	    !json_is_object(w.d))
		return 0;
	if ((r = winlogbeat(&w)) == 0 && (r = evtx(&w)) == 0)
		r = nxlog(&w);
	if (r == 1 && canonical(&w) == -1)
		r = -1;
	json_decref(w.channel);
	json_decref(w.provider);
	json_decref(w.computer);
	json_decref(w.record);
	json_decref(w.message);
	json_decref(w.pid);
	json_decref(w.time);
	return r;
}

/* The transit step. */
static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	(void)state, (void)w, (void)ctx;
	return winevent_apply(ev);
}

const struct transit_step transit_step_winevent = {
	.name = "winevent",
	.event = step_event,
};
