/* url — "SCHEME://HOST[:PORT][/PATH]", the URLs ward is given to reach
 * something: the hub's for the console (ws://, wss://), a webhook's for
 * the hub's actions (http://).  HOST is a name, an IPv4 address, or an
 * IPv6 address in brackets.  Which schemes a caller takes is its own
 * business; a listener's tcp://ADDR:PORT?OPTIONS is another grammar. */
#ifndef WARD_URL_H
#define WARD_URL_H

#include <stddef.h>

struct url {
	char		 scheme[16];	/* before "://", as written */
	char		 host[256];	/* an IPv6 address without brackets */
	int		 port;		/* 1..65535; 0: the URL names none */
	const char	*path;		/* into the parsed text: "/..." or "" */
};

/*
 * Parse s into u (u->path points into s).  Returns 0, or -1 with err
 * saying what is wrong: "bad url", "url has spaces or control
 * characters", "bad IPv6 address in url", "url has no host", "url host
 * is too long", "bad port in url".
 */
int	url_parse(const char *s, struct url *u, char *err, size_t errlen);

#endif
