/* input_syslog — the syslog protocol of a listener (--syslog): each
 * message, RFC 5424 or RFC 3164 as it came, becomes an event whose
 * message is the raw line; the transit stage's syslog step
 * (syslogline.c) then reads it into fields — time, severity, facility,
 * host, program, PID, MSGID, structured data as details.sd.ID.PARAM —
 * exactly as it does for a raw line shipped over HTTP.  The sender's
 * address is kept in details.peer. */
#include <string.h>

#include "buf.h"
#include "listener.h"
#include "source.h"

static int
syslog_message(void *state, struct buf *body, const char *msg, size_t len,
    const char *peer, const char **why)
{
	(void)state;
	if (buf_puts(body, "{\"message\":") == -1 ||
	    source_json_text(body, msg, len) == -1 ||
	    buf_puts(body, ",\"details\":{\"input\":\"syslog\",\"peer\":") ==
	    -1 || buf_json_string(body, peer, strlen(peer)) == -1 ||
	    buf_puts(body, "}}\n") == -1) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

const struct listener_proto listener_syslog = {
	.name = "syslog",
	.message = syslog_message,
};
