/* syslogframe — cut a syslog TCP stream into messages (RFC 6587): each
 * message is either octet-counted ("LEN SP MSG") or ends at a line feed
 * (a CR before it and a NUL are taken off), told apart per message by
 * its first byte (a digit 1-9 starts a count; a syslog message starts
 * with '<').  No I/O: the listener feeds it what it read. */
#ifndef WARD_SYSLOGFRAME_H
#define WARD_SYSLOGFRAME_H

#include <stddef.h>

struct syslogframe {
	size_t		 max;		/* longest message kept */
	size_t		 skip;		/* bytes of an oversized counted
					   message still to throw away */
	int		 skip_line;	/* throwing away up to the next LF */
	char		 delim;		/* '\n', or '\0' for GELF */
	int		 counted;	/* octet counting allowed */
};

enum {
	SF_MORE = 0,	/* nothing complete in what was given */
	SF_MSG = 1,	/* a message */
	SF_BAD = 2	/* a message dropped (too long, bad count): *why */
};

/* Start a syslog stream whose messages are at most max bytes. */
void	syslogframe_init(struct syslogframe *, size_t max);
/* The same for a GELF TCP stream: messages end at a NUL, no counts. */
void	syslogframe_init_nul(struct syslogframe *, size_t max);

/*
 * Look at p[0..n), the stream's unconsumed bytes.  Sets *used to the
 * bytes consumed (the caller drops them before the next call) and
 * returns SF_MSG with *msg and *len (pointing into p; empty lines are
 * skipped, never returned), SF_BAD with *why (a static string) when a
 * message was dropped, or SF_MORE when what is left is not yet a whole
 * message (*used may still be > 0: bytes thrown away).  When eof is set
 * the stream has ended: a last line without LF is a message.  A message
 * longer than max is dropped, and only that message.
 */
int	syslogframe_next(struct syslogframe *, const char *p, size_t n,
	    int eof, const char **msg, size_t *len, size_t *used,
	    const char **why);

#endif
