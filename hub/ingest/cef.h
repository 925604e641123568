/* cef — ArcSight's Common Event Format in a message (the transit step
 * "cef"; ward-parsers(5), "Built-in parsers"). */
#ifndef WARD_CEF_H
#define WARD_CEF_H

#include <stddef.h>

#include <jansson.h>

/*
 * Where a CEF record starts in s[0..n): the offset of "CEF:" at the start
 * or after a space within the first 128 bytes, or -1.  Allocates nothing.
 */
long	 cef_find(const char *s, size_t n);

/*
 * Read the CEF record s[0..n) (from "CEF:", or from the version digits
 * when rsyslog took "CEF:" for a tag) onto the normalized event ev: the
 * header as details.cefVersion, deviceVendor, deviceProduct,
 * deviceVersion, deviceEventClassId, name, cefSeverity; every extension
 * key under its name; MozDef's names for src, dst, spt, dpt, suser and
 * duser; severity mapped; rt as the time; the summary the event's name.
 * prefix[0..pn) is the text before the record, kept as details.prefix.
 * Returns 1 when applied, 0 when s is not CEF (fewer than seven header
 * fields), -1 when out of memory.  s must stay valid during the call
 * even though the summary is replaced (hold a reference).
 */
int	 cef_apply(json_t *ev, const char *s, size_t n, const char *prefix,
	    size_t pn);

#endif
