/* url — see url.h. */
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "url.h"

int
url_parse(const char *s, struct url *u, char *err, size_t errlen)
{
	const char *h, *e, *slash;
	size_t	 i, n;

	memset(u, 0, sizeof *u);
	u->path = "";
	if ((h = strstr(s, "://")) == NULL || h == s ||
	    (size_t)(h - s) >= sizeof u->scheme)
		return errf(err, errlen, "bad url");
	memcpy(u->scheme, s, (size_t)(h - s));
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return errf(err, errlen, "url has spaces or control "
			    "characters");
	h += 3;
	slash = strchr(h, '/');
	if (*h == '[') {
		if ((e = strchr(h, ']')) == NULL ||
		    (slash != NULL && e > slash))
			return errf(err, errlen, "bad IPv6 address in url");
		h++;
		n = (size_t)(e - h);
		e++;
	} else {
		e = h + strcspn(h, ":/");
		n = (size_t)(e - h);
	}
	if (n == 0)
		return errf(err, errlen, "url has no host");
	if (n >= sizeof u->host)
		return errf(err, errlen, "url host is too long");
	memcpy(u->host, h, n);
	if (*e == ':') {
		e++;
		i = strspn(e, "0123456789");
		if (i == 0 || i > 5 || (e[i] != '\0' && e[i] != '/') ||
		    atoi(e) < 1 || atoi(e) > 65535)
			return errf(err, errlen, "bad port in url");
		u->port = atoi(e);
		e += i;
	} else if (*e != '\0' && *e != '/')
		return errf(err, errlen, "bad url");
	u->path = e;
	return 0;
}
