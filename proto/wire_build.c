/*
 * wire_build — the messages' builders: each returns a new object ready
 * for wire_encode.  See wire.h.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "version.h"
#include "wire.h"
#include "wire_impl.h"

static int
set_b64(json_t *o, const char *k, const unsigned char *p, size_t n)
{
	char b[128];

	wire_b64_encode(p, n, b, sizeof(b));
	return json_object_set_new(o, k, json_string(b));
}

static json_t *
msg_new(const char *type, int64_t id)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "type", json_string(type)) != 0 ||
	    (id >= 0 && json_object_set_new(o, "id", json_integer(id)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
done(json_t *o, int rc)
{
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
wire_hello(const unsigned char hub_key[WIRE_KEY_BYTES],
    const unsigned char nonce[WIRE_NONCE_BYTES])
{
	json_t *o;
	int rc = 0;

	if ((o = msg_new("hello", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "protocol", json_string(WARD_PROTOCOL));
	rc |= json_object_set_new(o, "version", json_string(WARD_VERSION));
	rc |= set_b64(o, "hub_key", hub_key, WIRE_KEY_BYTES);
	rc |= set_b64(o, "nonce", nonce, WIRE_NONCE_BYTES);
	return done(o, rc);
}

json_t *
wire_auth(const char *user, const unsigned char console_nonce[WIRE_NONCE_BYTES],
    const unsigned char sig[WIRE_SIG_BYTES])
{
	json_t *o;
	int rc = 0;

	if (!wire_valid_name(user) || (o = msg_new("auth", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "user", json_string(user));
	rc |= set_b64(o, "nonce", console_nonce, WIRE_NONCE_BYTES);
	rc |= set_b64(o, "signature", sig, WIRE_SIG_BYTES);
	return done(o, rc);
}

json_t *
wire_welcome(const char *user, enum role role,
    const unsigned char sig[WIRE_SIG_BYTES], int64_t last_seq)
{
	json_t *o;
	int rc = 0;

	if (!wire_valid_name(user) || !role_is_person(role) || last_seq < 0 ||
	    (o = msg_new("welcome", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "user", json_string(user));
	rc |= json_object_set_new(o, "role", json_string(role_name(role)));
	rc |= set_b64(o, "signature", sig, WIRE_SIG_BYTES);
	rc |= json_object_set_new(o, "last_seq", json_integer(last_seq));
	return done(o, rc);
}

json_t *
wire_subscribe(int64_t id, const char *topic, const char *query,
    int64_t since_seq)
{
	json_t *o;
	int rc = 0;

	if (topic == NULL || !wire_valid_topic(topic) ||
	    (o = msg_new("subscribe", id)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "topic", json_string(topic));
	if (query != NULL)
		rc |= json_object_set_new(o, "query", json_string(query));
	if (since_seq >= 0)
		rc |= json_object_set_new(o, "since_seq",
		    json_integer(since_seq));
	return done(o, rc);
}

json_t *
wire_unsubscribe(int64_t id, const char *topic)
{
	json_t *o;

	if (topic == NULL || !wire_valid_topic(topic) ||
	    (o = msg_new("unsubscribe", id)) == NULL)
		return NULL;
	return done(o, json_object_set_new(o, "topic", json_string(topic)));
}

static json_t *
named(const char *type, int64_t id, const char *key, const char *name,
    const json_t *args)
{
	const char *k;
	json_t *o, *v;
	int rc = 0;

	if (name == NULL || (args != NULL && !json_is_object(args)) ||
	    (o = msg_new(type, id)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, key, json_string(name));
	if (args != NULL)
		json_object_foreach((json_t *)args, k, v)
			if (strcmp(k, "type") != 0 && strcmp(k, "id") != 0 &&
			    strcmp(k, key) != 0)
				rc |= json_object_set_new(o, k,
				    json_deep_copy(v));
	return done(o, rc);
}

json_t *
wire_op(int64_t id, const char *op, const json_t *args)
{
	return named("op", id, "op", op, args);
}

json_t *
wire_query(int64_t id, const char *query, const json_t *args)
{
	return named("query", id, "query", query, args);
}

json_t *
wire_ok(int64_t id, int64_t seq, json_t *steal_result)
{
	json_t *o;
	int rc = 0;

	if ((o = msg_new("ok", id)) == NULL) {
		json_decref(steal_result);
		return NULL;
	}
	if (seq >= 0)
		rc |= json_object_set_new(o, "seq", json_integer(seq));
	if (steal_result != NULL)
		rc |= json_object_set_new(o, "result", steal_result);
	return done(o, rc);
}

json_t *
wire_error(int64_t id, enum wire_err code, const char *message,
    json_t *steal_current)
{
	json_t *o;
	size_t n;
	int rc = 0;

	if ((o = msg_new("error", id)) == NULL) {
		json_decref(steal_current);
		return NULL;
	}
	if (message == NULL)
		message = "";
	n = strlen(message);
	if (n > WIRE_MAX_MESSAGE) {
		n = WIRE_MAX_MESSAGE;
		while (n > 0 && ((unsigned char)message[n] & 0xc0) == 0x80)
			n--;
	}
	rc |= json_object_set_new(o, "code", json_string(wire_err_name(code)));
	rc |= json_object_set_new(o, "message", json_stringn(message, n));
	if (steal_current != NULL)
		rc |= json_object_set_new(o, "current", steal_current);
	return done(o, rc);
}

json_t *
wire_alert(json_t *steal_alert)
{
	json_t *o;

	if ((o = msg_new("alert", -1)) == NULL) {
		json_decref(steal_alert);
		return NULL;
	}
	return done(o, json_object_set_new(o, "alert", steal_alert));
}

json_t *
wire_presence(json_t *steal_users)
{
	json_t *o;

	if ((o = msg_new("presence", -1)) == NULL) {
		json_decref(steal_users);
		return NULL;
	}
	return done(o, json_object_set_new(o, "users", steal_users));
}

json_t *
wire_resync(const char *reason, int64_t last_seq)
{
	json_t *o;
	int rc = 0;

	if (reason == NULL || last_seq < 0 ||
	    (o = msg_new("resync", -1)) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "reason", json_string(reason));
	rc |= json_object_set_new(o, "last_seq", json_integer(last_seq));
	return done(o, rc);
}

char *
wire_encode(const json_t *msg, size_t *len)
{
	char *s;

	if (msg == NULL)
		return NULL;
	if ((s = json_dumps(msg, JSON_COMPACT)) == NULL)
		return NULL;
	if (len != NULL)
		*len = strlen(s);
	return s;
}
