/*
 * glob — the one wildcard matcher: '*' (any run) and '?' (one) over
 * bytes, for the search language's field:val*ue (proto/query.c) and
 * Sigma's wildcards (hub/rules/sigma_eval.c).
 */
#ifndef WARD_GLOB_H
#define WARD_GLOB_H

#include <stddef.h>

#define GLOB_NOCASE	0x1	/* ASCII letters compare without case */
#define GLOB_UTF8	0x2	/* '?' is one UTF-8 character, not a byte */

/*
 * Does text s (sn bytes) match pattern p (pn bytes)?  With wild NULL,
 * '*' and '?' in p are wildcards and '\' makes the byte after it plain
 * (the search language's form).  Otherwise wild[i] != 0 says p[i] is a
 * wildcard and there are no escapes (Sigma's form, whose escapes the
 * loader has resolved).  Returns 1 or 0.  Neither string need end in a
 * NUL.  Takes time O(pn * sn) at worst, never more.
 */
int	glob_match(const char *p, size_t pn, const unsigned char *wild,
	    const char *s, size_t sn, unsigned flags);

#endif
