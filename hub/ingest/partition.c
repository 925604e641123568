/*
 * Partition names are days in UTC: the name is what gmtime gives for the
 * day's first second, and a name goes back to its day by the
 * days-from-civil formula (proleptic Gregorian), so no time zone or
 * library call is involved either way.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "errf.h"
#include "partition.h"

void
partition_path(const char *datadir, int64_t day, char *out, size_t outlen)
{
	time_t	 t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%s/events/%04d-%02d-%02d.db", datadir,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t
partition_day(const char *name)
{
	int64_t	 y, m, d, era, yoe, doy, doe;
	size_t	 i;

	if (strlen(name) != 13 || strcmp(name + 10, ".db") != 0)
		return -1;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? name[i] != '-' :
		    !isdigit((unsigned char)name[i]))
			return -1;
	y = atoi(name);
	m = atoi(name + 5);
	d = atoi(name + 8);
	/* Days from civil (proleptic Gregorian). */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
partition_index_beside(const char *path, char *out, size_t outlen)
{
	size_t	 len = strlen(path);

	if (len < 3 || strcmp(path + len - 3, ".db") != 0 ||
	    len + 2 > outlen)
		return -1;
	memcpy(out, path, len - 3);
	memcpy(out + len - 3, ".fts", 5);
	return 0;
}

void
partition_index_path(const char *datadir, int64_t day, char *out,
    size_t outlen)
{
	char	 part[4096];

	partition_path(datadir, day, part, sizeof part);
	if (partition_index_beside(part, out, outlen) == -1 && outlen > 0)
		*out = '\0';
}

int
partition_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}
