/* syslogline — read one raw syslog line (RFC 3164 or RFC 5424) into spans
 * of the line, without regular expressions and without jansson, so a
 * syslog listener can use it as well as the transit stage. */
#ifndef WARD_SYSLOGLINE_H
#define WARD_SYSLOGLINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A piece of the line: p == NULL when absent (RFC 5424's "-" too). */
struct sl_span {
	const char	*p;
	size_t		 n;
};

struct syslogline {
	int		 pri;		/* 0-191, or -1: no <PRI> */
	int		 version;	/* 0: RFC 3164 (BSD), 1: RFC 5424 */
	int		 has_time;	/* utc_us is set */
	int64_t		 utc_us;	/* the line's time, UTC */
	struct sl_span	 host;
	struct sl_span	 app;		/* TAG or APP-NAME */
	struct sl_span	 procid;	/* [PID] or PROCID */
	struct sl_span	 msgid;		/* RFC 5424 only */
	struct sl_span	 sd;		/* RFC 5424 structured data, the
					   whole "[...][...]" text */
	struct sl_span	 msg;		/* MSG, white space around it and a
					   UTF-8 BOM taken off */
};

/*
 * Parse s[0..len) as a syslog line.  RFC 3164: an optional <PRI>, a
 * timestamp ("Dec  7 16:00:01", optionally with a year before or after the
 * clock or a fraction; or RFC 3339), an optional HOSTNAME, an optional
 * "TAG:" or "TAG[PID]:", the MSG.  A line without <PRI> must start with a
 * timestamp.  A timestamp without a year takes the year that puts it
 * nearest to now_us; one without a zone is UTC.  RFC 5424: "<PRI>1 " and
 * the header, "-" for absent parts, structured data checked.  Returns 0
 * with out filled (spans point into s), or -1 when s is not a syslog line.
 */
int	syslogline_parse(const char *s, size_t len, int64_t now_us,
	    struct syslogline *out);

/* One SD-PARAM of RFC 5424 structured data; value still escaped
   (\" \\ \] stand for " \ ]). */
struct sl_param {
	struct sl_span	 id, name, value;
};

/*
 * Walk the structured data sd (as parsed, so well formed): the first call
 * with *pos == 0.  Returns 1 with p filled, or 0 at the end.  An SD-ELEMENT
 * without parameters gives one with name.p == NULL.
 */
int	syslogline_sd_next(struct sl_span sd, size_t *pos, struct sl_param *p);

/*
 * Set what line l says on the normalized event ev (MozDef names):
 * utctimestamp, severity, hostname, processname, processid and summary
 * (the MSG) at the top — a different value there before moves to details
 * under its own name, except a summary (the line itself, now in fields)
 * and a utctimestamp that was only the arrival time — and under details:
 * facility (its name), msgid, and sd.ID.PARAM for structured data (a
 * repeated parameter becomes an array).  Returns 0, or -1 out of memory.
 */
int	syslogline_apply(const struct syslogline *l, json_t *ev);

#endif
