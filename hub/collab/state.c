/*
 * state — DATA/state.db: its one description.  See state.h.
 *
 * Every table of state.db is defined here, whichever module reads and
 * writes it: tokens (tokens.c), users (users.c), incidents and their
 * timeline, tasks, observables, links, op log and audit (incident.c),
 * alerts and the rules' state (alertdb.c).  state_schema runs once per
 * handle at open; PRAGMA user_version says which version of this file a
 * state.db was last brought to, so a current file costs one read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "datafile.h"
#include "errf.h"
#include "incident.h"
#include "log.h"
#include "sqlx.h"
#include "state.h"

#define STATE_STR_(x)	#x
#define STATE_STR(x)	STATE_STR_(x)

/* token_use: when the hub last accepted each token (epoch seconds),
   written at most once a minute per token; a table of its own so the
   tokens table needs no migration. */
#define TOKENS_SCHEMA \
	"CREATE TABLE IF NOT EXISTS tokens(" \
	" name TEXT PRIMARY KEY, role TEXT NOT NULL," \
	" hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);" \
	"CREATE TABLE IF NOT EXISTS token_use(" \
	" name TEXT PRIMARY KEY, last_used INTEGER NOT NULL);"

#define USERS_SCHEMA \
	"CREATE TABLE IF NOT EXISTS users(" \
	" name TEXT PRIMARY KEY," \
	" role TEXT NOT NULL CHECK(role IN " \
	"('viewer','handler','lead','admin'))," \
	" pubkey BLOB NOT NULL UNIQUE CHECK(length(pubkey) = 32)," \
	" comment TEXT NOT NULL DEFAULT ''," \
	" created TEXT NOT NULL" \
	"  DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"

#define INCIDENT_SCHEMA \
	"CREATE TABLE IF NOT EXISTS incidents(" \
	" id INTEGER PRIMARY KEY," \
	" title TEXT NOT NULL," \
	" description TEXT NOT NULL DEFAULT ''," \
	" severity TEXT NOT NULL CHECK(severity IN " \
	"('low','medium','high','critical'))," \
	" status TEXT NOT NULL CHECK(status IN ('open','contained','closed'))," \
	" resolution TEXT CHECK(resolution IN " \
	"('true_positive','false_positive','duplicate','other'))," \
	" phase TEXT NOT NULL CHECK(phase IN ('identification','containment'," \
	"'eradication','recovery','lessons_learned'))," \
	" lead TEXT," \
	" tags TEXT NOT NULL DEFAULT '[]'," \
	" reported TEXT, verified TEXT, contained TEXT, mitigated TEXT," \
	" closed TEXT," \
	" created_by TEXT NOT NULL," \
	" created TEXT NOT NULL," \
	" updated TEXT NOT NULL," \
	" version INTEGER NOT NULL CHECK(version >= 1)," \
	" CHECK((status = 'closed') = (resolution IS NOT NULL)));" \
	"CREATE TABLE IF NOT EXISTS timeline(" \
	" id INTEGER PRIMARY KEY," \
	" incident INTEGER NOT NULL REFERENCES incidents(id)," \
	" time TEXT NOT NULL," \
	" author TEXT NOT NULL," \
	" kind TEXT NOT NULL," \
	" text TEXT NOT NULL," \
	" data TEXT);" \
	"CREATE INDEX IF NOT EXISTS timeline_incident ON timeline(incident, id);" \
	"CREATE TRIGGER IF NOT EXISTS timeline_no_update BEFORE UPDATE ON " \
	"timeline BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;" \
	"CREATE TRIGGER IF NOT EXISTS timeline_no_delete BEFORE DELETE ON " \
	"timeline BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;" \
	"CREATE TABLE IF NOT EXISTS tasks(" \
	" id INTEGER PRIMARY KEY," \
	" incident INTEGER NOT NULL REFERENCES incidents(id)," \
	" title TEXT NOT NULL," \
	" assignee TEXT," \
	" status TEXT NOT NULL CHECK(status IN " \
	"('todo','doing','done','blocked'))," \
	" due TEXT," \
	" created_by TEXT NOT NULL," \
	" created TEXT NOT NULL," \
	" updated TEXT NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS tasks_incident ON tasks(incident, id);" \
	"CREATE INDEX IF NOT EXISTS tasks_assignee ON tasks(assignee);" \
	"CREATE TABLE IF NOT EXISTS observables(" \
	" id INTEGER PRIMARY KEY," \
	" incident INTEGER NOT NULL REFERENCES incidents(id)," \
	" kind TEXT NOT NULL CHECK(kind IN " \
	"('ip','domain','hash','user','host','url'))," \
	" value TEXT NOT NULL," \
	" ioc INTEGER NOT NULL DEFAULT 0," \
	" added_by TEXT NOT NULL," \
	" time TEXT NOT NULL," \
	" UNIQUE(incident, kind, value));" \
	"CREATE INDEX IF NOT EXISTS observables_value ON observables(value);" \
	"CREATE TABLE IF NOT EXISTS sightings(" \
	" observable INTEGER NOT NULL REFERENCES observables(id)," \
	" alert INTEGER NOT NULL," \
	" events INTEGER NOT NULL," \
	" first_seen TEXT," \
	" last_seen TEXT," \
	" PRIMARY KEY(observable, alert)) WITHOUT ROWID;" \
	"CREATE TABLE IF NOT EXISTS links(" \
	" incident INTEGER NOT NULL REFERENCES incidents(id)," \
	" kind TEXT NOT NULL CHECK(kind IN ('alert','event'))," \
	" ref INTEGER NOT NULL," \
	" added_by TEXT NOT NULL," \
	" time TEXT NOT NULL," \
	" PRIMARY KEY(incident, kind, ref)) WITHOUT ROWID;" \
	"CREATE TABLE IF NOT EXISTS oplog(" \
	" seq INTEGER PRIMARY KEY AUTOINCREMENT," \
	" time TEXT NOT NULL," \
	" user TEXT NOT NULL," \
	" type TEXT NOT NULL," \
	" incident INTEGER NOT NULL," \
	" payload TEXT NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS oplog_incident ON oplog(incident, seq);" \
	"CREATE TABLE IF NOT EXISTS audit(" \
	" id INTEGER PRIMARY KEY," \
	" time TEXT NOT NULL," \
	" user TEXT NOT NULL," \
	" role TEXT NOT NULL," \
	" kind TEXT NOT NULL," \
	" name TEXT," \
	" incident INTEGER," \
	" result TEXT NOT NULL," \
	" message TEXT," \
	" seq INTEGER," \
	" request TEXT);" \
	"CREATE INDEX IF NOT EXISTS audit_user ON audit(user, id);" \
	"CREATE INDEX IF NOT EXISTS audit_incident ON audit(incident, id);"

#define ALERTS_SCHEMA \
	"CREATE TABLE IF NOT EXISTS alerts(" \
	" id INTEGER PRIMARY KEY," \
	" rule TEXT NOT NULL," \
	" rule_id TEXT NOT NULL," \
	" level TEXT NOT NULL," \
	" severity TEXT NOT NULL CHECK(severity IN " \
	"('low','medium','high','critical'))," \
	" summary TEXT NOT NULL," \
	" category TEXT NOT NULL," \
	" tags TEXT NOT NULL DEFAULT '[]'," \
	" group_key TEXT NOT NULL," \
	" count INTEGER NOT NULL," \
	" matches INTEGER NOT NULL," \
	" events TEXT NOT NULL DEFAULT '[]'," \
	" samples TEXT NOT NULL DEFAULT '[]'," \
	" first_seen TEXT NOT NULL," \
	" last_seen TEXT NOT NULL," \
	" created TEXT NOT NULL," \
	" updated TEXT NOT NULL," \
	" status TEXT NOT NULL CHECK(status IN " \
	"('new','acknowledged','escalated','closed'))," \
	" acknowledged_by TEXT, acknowledged_at TEXT," \
	" escalated_by TEXT, escalated_at TEXT," \
	" closed_by TEXT, closed_at TEXT," \
	" incident INTEGER," \
	" rev INTEGER NOT NULL," \
	" change TEXT NOT NULL," \
	" attributes TEXT NOT NULL DEFAULT '{}');" \
	"CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts(rule_id, " \
	"group_key) WHERE status <> 'closed';" \
	"CREATE INDEX IF NOT EXISTS alerts_rev ON alerts(rev);" \
	"CREATE INDEX IF NOT EXISTS alerts_status ON alerts(status, id);" \
	"CREATE TABLE IF NOT EXISTS alert_timeline(" \
	" id INTEGER PRIMARY KEY," \
	" alert INTEGER NOT NULL REFERENCES alerts(id)," \
	" time TEXT NOT NULL," \
	" author TEXT NOT NULL," \
	" kind TEXT NOT NULL," \
	" text TEXT NOT NULL," \
	" data TEXT);" \
	"CREATE INDEX IF NOT EXISTS alert_timeline_alert ON " \
	"alert_timeline(alert, id);" \
	"CREATE TABLE IF NOT EXISTS rules_state(" \
	" id INTEGER PRIMARY KEY CHECK(id = 1)," \
	" requested INTEGER NOT NULL DEFAULT 0," \
	" requested_by TEXT, requested_at TEXT," \
	" applied INTEGER NOT NULL DEFAULT 0," \
	" loaded_at TEXT," \
	" rules INTEGER NOT NULL DEFAULT 0," \
	" errors TEXT NOT NULL DEFAULT '[]'," \
	" logsources TEXT NOT NULL DEFAULT '{}');" \
	"INSERT OR IGNORE INTO rules_state(id) VALUES(1);"

/*
 * The version of the schema above: PRAGMA user_version of a state.db this
 * ward has brought up to date.  0 is a file from before versions (or a new
 * one).  When a definition above changes, bump it and say in migrate()
 * how a file of the version before is brought to it.
 */
#define STATE_VERSION	1

/* Add column col (its definition def) to table, unless it is there. */
static int
add_column(sqlite3 *db, const char *table, const char *col, const char *def,
    char **msg)
{
	char	 sql[256];

	snprintf(sql, sizeof sql, "SELECT %s FROM %s LIMIT 0", col, table);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", table,
	    col, def);
	return sqlite3_exec(db, sql, NULL, NULL, msg) == SQLITE_OK ? 0 : -1;
}

/* Bring db from version v to STATE_VERSION, inside a transaction. */
static int
migrate(sqlite3 *db, int64_t v, char **msg)
{
	if (sqlite3_exec(db, TOKENS_SCHEMA USERS_SCHEMA INCIDENT_SCHEMA
	    ALERTS_SCHEMA, NULL, NULL, msg) != SQLITE_OK)
		return -1;
	/* 0: files older than these columns (a new file has them) */
	if (v < 1 && (add_column(db, "rules_state", "logsources",
	    "TEXT NOT NULL DEFAULT '{}'", msg) == -1 || add_column(db,
	    "alerts", "attributes", "TEXT NOT NULL DEFAULT '{}'", msg) == -1))
		return -1;
	return sqlite3_exec(db, "PRAGMA user_version = "
	    STATE_STR(STATE_VERSION), NULL, NULL, msg) == SQLITE_OK ? 0 : -1;
}

int
state_schema(sqlite3 *db, char *err, size_t errlen)
{
	char	*msg = NULL;
	int64_t	 v;

	if (sqlx_int(db, "PRAGMA user_version", &v) == -1)
		return errf(err, errlen, "state.db: %s", sqlite3_errmsg(db));
	if (v == STATE_VERSION)
		return 0;
	if (v > STATE_VERSION)
		return errf(err, errlen, "state.db is of schema version %lld, "
		    "newer than this ward's (%d)", (long long)v, STATE_VERSION);
	/* Again inside the transaction: another handle may have done it. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK
	    || sqlx_int(db, "PRAGMA user_version", &v) == -1 ||
	    (v < STATE_VERSION && migrate(db, v, &msg) == -1) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "state.db schema: %s", msg ? msg :
		    sqlite3_errmsg(db));
		sqlite3_free(msg);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

sqlite3 *
state_open(const char *datadir, char *err, size_t errlen)
{
	struct stat sb;
	char	 path[4096], *msg = NULL;
	sqlite3	*db = NULL;

	if (mkdir(datadir, 0750) == -1 && errno != EEXIST) {
		errf(err, errlen, "%s: %s", datadir, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof path, "%s/state.db", datadir);
	if (datafile_private(path, err, errlen) == -1)
		return NULL;
	/* Files made by a ward before 0600 keep their mode: say so. */
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("%s is mode %04o, readable by others than its owner; "
		    "chmod 600 the files of %s and %s/events", path,
		    (unsigned)(sb.st_mode & 07777), datadir, datadir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		errf(err, errlen, "%s: %s", path, msg ? msg :
		    sqlite3_errmsg(db));
		sqlite3_free(msg);
		goto fail;
	}
	if (state_schema(db, err, errlen) == -1)
		goto fail;
	/* Every start opens state.db here: refuse to run with an op of the
	   catalogue the hub has no handler for. */
	if (incident_check_handlers(err, errlen) == -1)
		goto fail;
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}
