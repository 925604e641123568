/*
 * libFuzzer target for proto/wire (and the key line parser of proto/auth):
 * every frame either decodes or is refused with a message; a frame that
 * decodes must encode and decode again as the same message.  An "events"
 * push, read by wire_events.c's own scanner, is also checked against jansson:
 * each event it accepts must be an object jansson reads too (duplicates
 * refused), with the same integer "id".  The raw field readers run over
 * the bytes as they are.
 *	make build/fuzz/fuzz_wire && build/fuzz/fuzz_wire -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
events_check(const struct wire_msg *m)
{
	struct wire_msg again;
	const json_t *sub;
	json_t	*ev, *id;
	struct buf b;
	char	 err[256], out[64];
	size_t	 i;

	buf_init(&b);
	sub = json_object_get(m->root, "sub");
	if (wire_events_head(&b, json_is_integer(sub) ?
	    json_integer_value(sub) : -1) != 0)
		abort();
	for (i = 0; i < m->nevents; i++) {
		ev = json_loadb(m->events[i].json, m->events[i].len,
		    JSON_REJECT_DUPLICATES, NULL);
		id = json_object_get(ev, "id");
		if (!json_is_object(ev) || !json_is_integer(id) ||
		    json_integer_value(id) != m->events[i].id)
			abort();
		json_decref(ev);
		wire_json_field(m->events[i].json, m->events[i].len, "summary",
		    out, sizeof(out));
		if ((i > 0 && buf_append(&b, ",", 1) != 0) ||
		    wire_event_text(&b, m->events[i].id, m->events[i].json,
		    m->events[i].len) != 0)
			abort();
	}
	if (wire_events_tail(&b) != 0)
		abort();
	if (wire_decode(b.data, b.len, WIRE_FROM_HUB, &again, err,
	    sizeof(err)) != 0 || again.type != WIRE_EVENTS ||
	    again.nevents != m->nevents)
		abort();
	for (i = 0; i < m->nevents; i++)
		if (again.events[i].id != m->events[i].id)
			abort();
	wire_msg_release(&again);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_msg m, again;
	enum wire_from from;
	unsigned char pk[AUTH_PK_BYTES];
	char err[256], comment[64], *text, *line;
	const char *v;
	size_t len, vl;

	if (size < 1)
		return 0;
	from = (data[0] & 1) ? WIRE_FROM_HUB : WIRE_FROM_CONSOLE;
	data++;
	size--;
	err[0] = '\0';
	if (wire_decode((const char *)data, size, from, &m, err,
	    sizeof(err)) == 0) {
		if (m.type == WIRE_EVENTS)
			events_check(&m);
		else {
			if ((text = wire_encode(m.root, &len)) == NULL)
				abort();
			if (wire_decode(text, len, from, &again, err,
			    sizeof(err)) != 0)
				abort();
			if (again.type != m.type || again.id != m.id ||
			    again.seq != m.seq)
				abort();
			wire_msg_release(&again);
			free(text);
		}
		if (m.type == WIRE_OP && wire_check_op(m.root, err,
		    sizeof(err)) != 0)
			abort();
		wire_msg_release(&m);
	} else if (err[0] == '\0' || m.root != NULL || m.events != NULL ||
	    m.text != NULL)
		abort();	/* a refusal always says why */

	/* the raw readers, on anything */
	if (wire_json_member((const char *)data, size, "type", &v, &vl) == 0 &&
	    (v < (const char *)data || v + vl > (const char *)data + size))
		abort();
	wire_json_field((const char *)data, size, "summary", comment,
	    sizeof(comment));

	/* the same bytes as a public key line */
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	auth_pubkey_parse(line, pk, comment, sizeof(comment), err,
	    sizeof(err));
	free(line);
	return 0;
}
