/*
 * kv — key=value text in a message (kv.h).
 *
 * Firewalls (iptables, UFW, Fortinet, Meraki), Go programs (logfmt),
 * useradd and many appliances write "a=1 b=two c="x y"".  The step runs on
 * every event, so it decides on the summary without allocating: no '='
 * at all, or a shape another parser owns (an auditd record, which auditd.c
 * has read and leaves as the summary), and it returns at once; otherwise
 * one pass counts words and pairs, and only text that is mostly pairs
 * (kv_mostly) is read, a second time, into details.  Prose with one
 * "x=y" in it is left alone, and so is the summary: the fields come in
 * addition to it.
 */
#include <stdlib.h>
#include <string.h>

#include "auditd.h"
#include "kv.h"
#include "kvscan.h"
#include "pfield.h"
#include "transit.h"

int
kv_apply(json_t *d, const char *s, size_t n)
{
	struct kv_scan sc;
	struct kv_item it;
	size_t	 np = 0;

	kv_scan_init(&sc, s, n);
	while (np < KV_MAXPAIRS && kv_next(&sc, &it))
		if (it.k != NULL && (np++,
		    pfield_add(d, it.k, it.kn, kv_value(&it))) == -1)
			return -1;
	kv_scan_init(&sc, s, n);
	np = 0;
	while (np < KV_MAXPAIRS && kv_next(&sc, &it))
		if (it.k != NULL && (np++,
		    pfield_alias(d, it.k, it.kn, it.v, it.vn)) == -1)
			return -1;
	return 0;
}

/* The transit step: a summary that is mostly pairs gives fields. */
static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	json_t	*sum, *d;
	const char *s;
	size_t	 n;

	(void)state, (void)w, (void)ctx;
	sum = json_object_get(ev, "summary");
	if ((s = json_string_value(sum)) == NULL)
		return 0;
	n = json_string_length(sum);
	if (n < 7 || s[0] == '{' || auditd_record(s, n) ||
	    (s[0] == 'C' && strncmp(s, "CEF:", 4) == 0) || !kv_mostly(s, n))
		return 0;
	if ((d = pfield_details(ev)) == NULL)
		return -1;
	return kv_apply(d, s, n) == -1 ? -1 : 0;
}

const struct transit_step transit_step_kv = {
	.name = "kv",
	.event = step_event,
};
