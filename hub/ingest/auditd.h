/* auditd — Linux audit records in a message (the transit step "auditd";
 * ward-parsers(5), "Built-in parsers"). */
#ifndef WARD_AUDITD_H
#define WARD_AUDITD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct auditd_hdr {
	const char	*node, *type;	/* node NULL when absent */
	size_t		 noden, typen;
	int64_t		 us;		/* the record's time */
	int64_t		 serial;
	size_t		 body;		/* offset of the fields */
};

/*
 * Read the header of an audit record, as auditd writes it
 * ("[node=N ]type=T msg=audit(EPOCH.MS:SERIAL): ...") or the kernel logs
 * it ("audit: type=1400 audit(...): ...").  Returns 1 with h filled, or 0
 * when s[0..n) is not one.  Allocates nothing: kv.c asks it to leave
 * records alone.
 */
int	 auditd_header(const char *s, size_t n, struct auditd_hdr *h);

/* 1 when s[0..n) starts like an audit record (auditd_header), else 0. */
int	 auditd_record(const char *s, size_t n);

/*
 * Set what the record s[0..n) says on the normalized event ev: its
 * fields under details (hex-encoded ones decoded), details.type,
 * details.serial, the time, processname "auditd" when the event has
 * none, category, and for
 * login records MozDef's username, sourceipaddress and success.  The
 * summary is left as it is.  Returns 1 when applied, 0 when s is not a
 * record, -1 when out of memory.  The summary, which s may point into,
 * is not replaced.
 */
int	 auditd_apply(json_t *ev, const char *s, size_t n);

#endif
