/* wire_impl — what the files of the wire module (wire_check.c,
 * wire_events.c, wire_build.c) share and nothing else uses. */
#ifndef WARD_WIRE_IMPL_H
#define WARD_WIRE_IMPL_H

#include <stddef.h>

struct wire_msg;

/* Are the n bytes at s free of NUL, C0 and C1 controls and DEL (newline
   and tab allowed when lines is set)?  1 or 0.  (wire_check.c) */
int	wire_clean_text(const char *s, size_t n, int lines);

/* Is s a topic one may subscribe to ("incidents", "alerts", "events",
   "presence", "incident:INC-n")?  1 or 0.  (wire_check.c) */
int	wire_valid_topic(const char *s);

/*
 * Decode an "events" push of len bytes at frame into m (wire_decode has
 * seen its "type").  The members are "type", "sub" (optional) and
 * "events", in any order.  Returns 0, or -1 with err and m released.
 * (wire_events.c)
 */
int	wire_decode_events(const char *frame, size_t len, struct wire_msg *m,
	    char *err, size_t errlen);

#endif
