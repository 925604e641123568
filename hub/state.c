#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "incident.h"
#include "state.h"
#include "tokens.h"

sqlite3 *
state_open(const char *datadir, char *err, size_t errlen)
{
	char	 path[4096], *msg = NULL;
	sqlite3	*db = NULL;

	if (mkdir(datadir, 0750) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", datadir, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof path, "%s/state.db", datadir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;" TOKENS_SCHEMA, NULL, NULL, &msg) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg :
		    sqlite3_errmsg(db));
		sqlite3_free(msg);
		goto fail;
	}
	if (incident_schema_init(db, err, errlen) == -1)
		goto fail;
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}
