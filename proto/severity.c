/*
 * severity — the schema's two syslog scales as ward names them: severity
 * ranks (in increasing order of severity, not syslog's order) with their
 * names and aliases, and facility names.  Shared by the transit stage,
 * which normalizes events, and the query language, which filters on them.
 */
#include <stddef.h>

#include "severity.h"

static const struct {
	const char	*name;
	int		 rank;
} sev_names[] = {
	{ "debug", SEV_DEBUG }, { "trace", SEV_DEBUG },
	{ "info", SEV_INFO }, { "information", SEV_INFO },
	{ "informational", SEV_INFO }, { "notice", SEV_NOTICE },
	{ "warning", SEV_WARNING }, { "warn", SEV_WARNING },
	{ "error", SEV_ERROR }, { "err", SEV_ERROR },
	{ "critical", SEV_CRITICAL }, { "crit", SEV_CRITICAL },
	{ "fatal", SEV_CRITICAL }, { "alert", SEV_ALERT },
	{ "emergency", SEV_EMERGENCY }, { "emerg", SEV_EMERGENCY },
	{ "panic", SEV_EMERGENCY },
};

static const char *const sev_upper[] = {
	"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT",
	"EMERGENCY"
};

int
severity_parse(const char *s)
{
	size_t	 i, j;

	if (s == NULL)
		return -1;
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return SEV_EMERGENCY - (s[0] - '0');	/* syslog 0 = emerg */
	for (i = 0; i < sizeof(sev_names) / sizeof(sev_names[0]); i++) {
		for (j = 0; s[j] != '\0'; j++) {
			int c = (unsigned char)s[j];

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != sev_names[i].name[j])
				break;
		}
		if (s[j] == '\0' && sev_names[i].name[j] == '\0')
			return sev_names[i].rank;
	}
	return -1;
}

const char *
severity_name(int rank)
{
	if (rank < SEV_DEBUG || rank > SEV_EMERGENCY)
		return NULL;
	return sev_upper[rank];
}

static const char *const fac_names[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7"
};
#define NFAC	((int)(sizeof fac_names / sizeof *fac_names))
_Static_assert(NFAC - 1 == FACILITY_MAX, "FACILITY_MAX names the last facility");

const char *
facility_name(int f)
{
	return f >= 0 && f < NFAC ? fac_names[f] : NULL;
}

int
facility_parse(const char *s)
{
	int	 f, v = 0;
	size_t	 j;

	if (s == NULL || *s == '\0')
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		for (j = 0; s[j] >= '0' && s[j] <= '9' && j < 3; j++)
			v = v * 10 + (s[j] - '0');
		return s[j] == '\0' && v < NFAC ? v : -1;
	}
	for (f = 0; f < NFAC; f++) {
		for (j = 0; s[j] != '\0'; j++) {
			int c = (unsigned char)s[j];

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != fac_names[f][j])
				break;
		}
		if (s[j] == '\0' && fac_names[f][j] == '\0')
			return f;
	}
	return -1;
}
