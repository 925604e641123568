/*
 * libFuzzer target for proto/wire (and the key line parser of proto/auth):
 * every frame either decodes or is refused with a message; a frame that
 * decodes must encode and decode again as the same message.
 *	make build/fuzz/fuzz_wire && build/fuzz/fuzz_wire -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_msg m, again;
	enum wire_from from;
	unsigned char pk[AUTH_PK_BYTES];
	char err[256], comment[64], *text, *line;
	size_t len;

	if (size < 1)
		return 0;
	from = (data[0] & 1) ? WIRE_FROM_HUB : WIRE_FROM_CONSOLE;
	data++;
	size--;
	err[0] = '\0';
	if (wire_decode((const char *)data, size, from, &m, err,
	    sizeof(err)) == 0) {
		if ((text = wire_encode(m.root, &len)) == NULL)
			abort();
		if (wire_decode(text, len, from, &again, err, sizeof(err)) != 0)
			abort();
		if (again.type != m.type || again.id != m.id ||
		    again.seq != m.seq)
			abort();
		if (m.type == WIRE_OP && wire_check_op(m.root, err,
		    sizeof(err)) != 0)
			abort();
		wire_msg_release(&again);
		wire_msg_release(&m);
		free(text);
	} else if (err[0] == '\0' || m.root != NULL)
		abort();	/* a refusal always says why */

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
