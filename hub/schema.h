/* schema — the SQL of ward's stores.  Bump the user_version (PRAGMA
   user_version) when a definition here changes. */
#ifndef WARD_SCHEMA_H
#define WARD_SCHEMA_H

#define SCHEMA_PARTITION_VERSION	1

/*
 * One event partition, DATA/events/YYYY-MM-DD.db, one per UTC day of
 * arrival.  events.id is the global event id: (days since the epoch << 36)
 * | sequence within the day, so ids sort by arrival and name their file.
 * utc and received are microseconds since the epoch; severity is the rank
 * of enum severity (0 DEBUG .. 7 EMERGENCY).  Text columns compare
 * case-insensitively.  fts is a contentless FTS5 index whose rowid is
 * events.id: column summary holds the summary, column text every other
 * string and number of the event (hostname, processname, details values).
 * Only utc is indexed besides the FTS: each further index halved the
 * writer's rate (tests/bench/bench_store), and a field term is found by
 * walking utc newest first (or through the FTS text, which holds it).
 * meta holds min_utc, max_utc (µs) and count, kept in the same transaction
 * as the inserts.
 */
#define SCHEMA_PARTITION \
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER);" \
	"CREATE TABLE IF NOT EXISTS events(" \
	" id INTEGER PRIMARY KEY," \
	" utc INTEGER NOT NULL," \
	" received INTEGER NOT NULL," \
	" severity INTEGER NOT NULL," \
	" category TEXT COLLATE NOCASE," \
	" hostname TEXT COLLATE NOCASE," \
	" processname TEXT COLLATE NOCASE," \
	" source TEXT COLLATE NOCASE," \
	" summary TEXT," \
	" doc TEXT NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS events_utc ON events(utc);" \
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(summary, text," \
	" content='', columnsize=0, detail=column);" \
	"INSERT OR IGNORE INTO meta VALUES('count', 0);"

#endif
