#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "incident.h"
#include "log.h"
#include "state.h"
#include "store.h"
#include "tokens.h"

sqlite3 *
state_open(const char *datadir, char *err, size_t errlen)
{
	struct stat sb;
	char	 path[4096], *msg = NULL;
	sqlite3	*db = NULL;

	if (mkdir(datadir, 0750) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", datadir, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof path, "%s/state.db", datadir);
	if (store_private_file(path, err, errlen) == -1)
		return NULL;
	/* Files made by a ward before 0600 keep their mode: say so. */
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("%s is mode %04o, readable by others than its owner; "
		    "chmod 600 the files of %s and %s/events", path,
		    (unsigned)(sb.st_mode & 07777), datadir, datadir);
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
