/*
 * cli_call — what every subcommand of ward shares: one connection to the
 * hub, one request at a time and its reply (cli_op, cli_query), pushes
 * handed to the subcommand that asked for them (tail), and printing what
 * the hub sent so that nothing in it reaches the terminal unescaped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli_call.h"
#include "client.h"
#include "layout.h"
#include "monotime.h"
#include "utf8.h"
#include "wire.h"

#define CALL_TIMEOUT_MS	30000

volatile sig_atomic_t cli_interrupted;

/* A request waiting for its reply. */
struct call {
	int		 done;
	json_t		*reply;		/* the "ok"/"error" message */
	char		 why[2048];
};

static void
on_state(struct client *c, enum client_state st, const char *why, void *arg)
{
	struct cli *x = arg;

	char	 esc[1024];

	if (st == CLIENT_FAILED)
		cli_esc(why, x->why, sizeof x->why);
	else if (st == CLIENT_RECONNECTING && x->tail_max >= 0)
		fprintf(stderr, "ward: %s\n", cli_esc(why, esc, sizeof esc));
}

static void
on_push(struct client *c, const struct wire_msg *m, void *arg)
{
	struct cli *x = arg;
	const char *type = json_string_value(json_object_get(m->root, "type"));

	char	 esc[1024];

	if (type != NULL && strcmp(type, "notice") == 0) {
		fprintf(stderr, "ward: %s\n", cli_esc(json_string_value(
		    json_object_get(m->root, "message")), esc, sizeof esc));
		return;
	}
	if (x->push != NULL)
		x->push(x, m);
}

static void
on_reply(struct client *c, const struct wire_msg *m, const char *why,
    void *arg)
{
	struct call *k = arg;

	k->done = 1;
	if (m != NULL)
		k->reply = json_incref(m->root);
	else
		snprintf(k->why, sizeof k->why, "%s", why);
}

int
cli_connect(struct cli *x, int reconnect)
{
	struct client_opts co;
	char	 err[2048];

	if (x->c != NULL)
		return 0;
	memset(&co, 0, sizeof co);
	co.url = x->o->hub;
	co.user = x->o->user;
	co.key_path = x->o->key;
	co.tls_ca = x->o->tls_ca;
	co.reconnect = reconnect;
	if ((x->c = client_new(&co, on_state, on_push, x, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "ward: %s\n", err);
		return -1;
	}
	return 0;
}

int
cli_refused(const json_t *reply)
{
	const json_t *cur = json_object_get(reply, "current");
	char	*s, code[64], msg[2048];

	fprintf(stderr, "ward: refused (%s): %s\n",
	    cli_esc(json_string_value(json_object_get(reply, "code")), code,
	    sizeof code), cli_esc(json_string_value(json_object_get(reply,
	    "message")), msg, sizeof msg));
	if (cur != NULL && (s = json_dumps(cur, JSON_COMPACT)) != NULL) {
		fprintf(stderr, "ward: current: %s\n", cli_esc(s, msg,
		    sizeof msg));
		free(s);
	}
	return 1;
}

/*
 * Send req (taken) and wait for the reply.  Returns 0 with *result (the
 * "result" of the ok reply, or NULL; the caller owns it) and *seq, or the
 * exit status after printing why.
 */
static int
call(struct cli *x, json_t *req, json_t **result, int64_t *seq)
{
	struct call k;
	int64_t	 t0;
	const char *type;
	int	 rc;

	*result = NULL;
	if (cli_connect(x, 0) == -1) {
		json_decref(req);
		return 1;
	}
	memset(&k, 0, sizeof k);
	if (client_request(x->c, req, on_reply, &k) == -1) {
		fprintf(stderr, "ward: %s\n", *x->why ? x->why :
		    "cannot send the request");
		return 1;
	}
	t0 = monotime_ms();
	while (!k.done && !cli_interrupted) {
		client_wait(x->c, 200);
		if (monotime_ms() - t0 > CALL_TIMEOUT_MS) {
			fprintf(stderr, "ward: no answer from %s within %d s\n",
			    x->o->hub, CALL_TIMEOUT_MS / 1000);
			return 1;
		}
	}
	if (!k.done)
		return 1;
	if (k.reply == NULL) {
		fprintf(stderr, "ward: %s\n", k.why);
		return 1;
	}
	type = json_string_value(json_object_get(k.reply, "type"));
	if (type != NULL && strcmp(type, "ok") == 0) {
		*result = json_incref(json_object_get(k.reply, "result"));
		/* For people: nothing from the hub reaches the terminal
		   unescaped.  JSON goes out through utf8_put_json. */
		if (!x->json && *result != NULL)
			cli_clean(*result);
		if (seq != NULL)
			*seq = json_integer_value(json_object_get(k.reply,
			    "seq"));
		rc = 0;
	} else
		rc = cli_refused(k.reply);
	json_decref(k.reply);
	return rc;
}

int
cli_op(struct cli *x, const char *name, json_t *args, json_t **state,
    int64_t *seq)
{
	json_t	*req = wire_op(0, name, args);

	json_decref(args);
	if (req == NULL) {
		fprintf(stderr, "ward: out of memory\n");
		return 1;
	}
	json_object_del(req, "id");
	return call(x, req, state, seq);
}

int
cli_query(struct cli *x, const char *name, json_t *args, json_t **result)
{
	json_t	*req = wire_query(0, name, args);

	json_decref(args);
	if (req == NULL) {
		fprintf(stderr, "ward: out of memory\n");
		return 1;
	}
	json_object_del(req, "id");
	return call(x, req, result, NULL);
}

void
cli_print_json(const json_t *v)
{
	char	*s;

	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		utf8_put_json(stdout, s, strlen(s));
		free(s);
	}
}

char *
cli_esc(const char *s, char *out, size_t outlen)
{
	layout_escape(s != NULL ? s : "-", s != NULL ? strlen(s) : 1, out,
	    outlen, 1);
	return out;
}

void
cli_clean(json_t *v)
{
	const char *key;
	json_t	*e;
	size_t	 i, n, cap;
	char	*esc;

	if (json_is_object(v))
		json_object_foreach(v, key, e)
			cli_clean(e);
	else if (json_is_array(v))
		json_array_foreach(v, i, e)
			cli_clean(e);
	else if (json_is_string(v)) {
		n = json_string_length(v);
		/* "\u0085" is the longest a byte can become: 6 bytes. */
		cap = n * 6 + 1;
		if ((esc = malloc(cap)) == NULL) {
			json_string_set(v, "?");
			return;
		}
		layout_escape(json_string_value(v), n, esc, cap, 1);
		json_string_set(v, esc);
		free(esc);
	}
}

const char *
cli_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "-";
}

int
cli_incident_arg(const char *s, char *out, size_t outlen)
{
	int64_t	 n;
	char	 tmp[40];

	if (wire_incident_id(s, &n) == 0) {
		snprintf(out, outlen, "%s", s);
		return 0;
	}
	snprintf(tmp, sizeof tmp, "INC-%.30s", s);
	if (wire_incident_id(tmp, &n) == 0) {
		snprintf(out, outlen, "%s", tmp);
		return 0;
	}
	fprintf(stderr, "ward: '%s' is not an incident id (INC-n)\n", s);
	return -1;
}


int
cli_usage_error(const struct cli *x)
{
	fprintf(stderr, "usage: ward %s\n", x->usage);
	return 2;
}
