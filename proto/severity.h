/* severity — syslog severities and facilities as ward's schema names them. */
#ifndef WARD_SEVERITY_H
#define WARD_SEVERITY_H

/* Severity ranks, in increasing order of severity (not syslog's order). */
enum severity {
	SEV_DEBUG, SEV_INFO, SEV_NOTICE, SEV_WARNING,
	SEV_ERROR, SEV_CRITICAL, SEV_ALERT, SEV_EMERGENCY
};

/* Severity name (any case, aliases like "warn", "err", "crit", "emerg",
   "information") or syslog number 0-7 as text, to its rank; -1 if none. */
int	severity_parse(const char *s);
/* Rank to its canonical upper-case name ("WARNING"); NULL if out of range. */
const char *severity_name(int rank);

/* The highest syslog facility number (local7). */
#define FACILITY_MAX	23

/* Syslog facility number 0-23 to its name ("auth", "local3"), or NULL. */
const char *facility_name(int facility);
/* Facility name (any case) or number 0-23 as text, to its number; -1. */
int	facility_parse(const char *s);

#endif
