/* errf — the one way modules report a failure into an error buffer. */
#ifndef WARD_ERRF_H
#define WARD_ERRF_H

#include <stddef.h>

/* Format into err (errlen bytes; err may be NULL or errlen 0: nothing is
   written) and return -1, so a failing path can "return errf(...)". */
int	errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
