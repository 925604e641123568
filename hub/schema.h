/* schema — the SQL of ward's stores.  Bump the user_version (PRAGMA
   user_version) when a definition here changes. */
#ifndef WARD_SCHEMA_H
#define WARD_SCHEMA_H

/*
 * One event partition, DATA/events/YYYY-MM-DD.db, one per UTC day of
 * arrival.  events.id is the global event id: (days since the epoch << 36)
 * | sequence within the day, so ids sort by arrival and name their file.
 * utc and received are microseconds since the epoch; severity is the rank
 * of enum severity (0 DEBUG .. 7 EMERGENCY).  Text columns compare
 * case-insensitively.
 *
 * events is narrow: the typed columns but summary, and the facets, ~100
 * bytes an event, so that filters, count by and top over many rows read
 * few pages.  The summary and the normalized event itself (JSON) are in
 * docs under the same id, read only for the rows a search returns or
 * must look inside; the view events_full joins the two (its LEFT JOIN
 * costs nothing when neither is used: SQLite drops it).
 *
 * A facet is a detail field handlers filter and group on most, copied
 * into a column of its own as the JSON text doc -> '$.PATH' gives (a
 * string with its quotes; NULL when absent): SCHEMA_FACETS lists them.
 *
 * The full-text index of a partition is in a file of its own beside it,
 * DATA/events/YYYY-MM-DD.fts (SCHEMA_INDEX), written by its own thread
 * (hub/ingest/textindex.c) so that indexing runs beside the writer rather than
 * in its commits.  fts is a contentless FTS5 index whose rowid is
 * events.id: column summary holds the summary, column text every other
 * string and number of the event (hostname, processname, details
 * values); its meta row 'indexed' is the highest id indexed, kept in the
 * same transaction, from which the index catches up after a crash.  A
 * search ATTACHes the file, so the name fts means the same in every
 * layout.  Only time is indexed besides the FTS: each further index
 * halved the writer's rate (tests/bench/bench_store), and a field term is
 * found by walking time newest first (or through the FTS text, which
 * holds it).  meta holds min_utc, max_utc (µs) and count, kept in the
 * same transaction as the inserts.
 *
 * The time index is on (utcs, id, utc), utcs being utc floored to its
 * second (SCHEMA_UTC_SECOND), not on utc: events arrive a few seconds
 * apart from their clocks, so each commit's rows fall all over the last
 * seconds of an index on utc, and every page they touch is written whole
 * to the WAL (two thirds of the bytes the writer wrote at 50,000
 * events/s of loadgen's events).  Under a second's key a row goes after
 * the rows that arrived before it, so a commit touches the ends of a few
 * seconds.  Walking it by utcs DESC, utc DESC, id DESC is the order by utc
 * (SQLite sorts each second, which the index keeps together), and
 * utcs >= SECOND(since) AND utcs < until bounds it (hub/search/searchsql.c).
 *
 * Older layouts are still read (hub/search/daypart.c) and written (hub/ingest/store.c
 * the old way): version 3 has no utcs and indexes utc itself (a search
 * reads it through views that name utc utcs too, which that index walks
 * in the same order); version 2 also holds fts (SCHEMA_FTS) in the
 * partition itself, written in the writer's commits; version 0 (ward
 * before facets; user_version never set) also has no facets and holds
 * doc in events, with no docs table nor view (the search gives it an
 * events_full of the same shape).
 */
#define SCHEMA_PARTITION_VERSION	4

/* X(column, path) for each facet, in column order. */
#define SCHEMA_FACETS(X) \
	X(f_sourceipaddress, "details.sourceipaddress") \
	X(f_destinationipaddress, "details.destinationipaddress") \
	X(f_sourceport, "details.sourceport") \
	X(f_destinationport, "details.destinationport") \
	X(f_username, "details.username")

#define SCHEMA_FACET_COUNT	5

/* utc (µs) floored to its second, in SQL (% truncates toward zero). */
#define SCHEMA_UTC_SECOND(utc) \
	"(" utc " - ((" utc " % 1000000) + 1000000) % 1000000)"

#define SCHEMA_FACET_DECL(col, path)	", " #col " TEXT"
#define SCHEMA_FACET_NAME(col, path)	", " #col

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
	" source TEXT COLLATE NOCASE" \
	SCHEMA_FACETS(SCHEMA_FACET_DECL) "," \
	" utcs INTEGER NOT NULL);" \
	"CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY," \
	" summary TEXT, doc TEXT NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS events_utc ON events(utcs, id, utc);" \
	"CREATE VIEW IF NOT EXISTS events_full AS SELECT events.*," \
	" docs.summary, docs.doc FROM events LEFT JOIN docs" \
	" ON docs.id = events.id;" \
	"INSERT OR IGNORE INTO meta VALUES('count', 0);"

#define SCHEMA_FTS \
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(summary, text," \
	" content='', columnsize=0, detail=column);"

/* The full-text index file of a partition of layout 3.  FTS5 writes a
   segment a transaction and merges a level's segments, a little at each
   write, once it has 'automerge' of them, or all at once when it has
   'crisismerge' (16): 8, not 4, rewrites a row less often for a few more
   segments a search looks in (with the 8 MB below, 9.4-9.6 µs a row
   against the defaults' 12.4-12.9, 400k rows in 10k-row transactions,
   SQLite 3.40); 16 made the two equal, so every merge was a crisis (0.5
   to 0.65 s at a time on the indexer, every ~5 s at 50,000 events/s).
   'hashsize' (the terms a
   transaction holds in memory before it writes a segment) 8 MB, not 1:
   16k rows of loadgen's events made five segments at 1 MB and one at
   4 MB. */
#define SCHEMA_INDEX \
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER);" \
	SCHEMA_FTS \
	"INSERT INTO fts(fts, rank) VALUES('automerge', 8);" \
	"INSERT INTO fts(fts, rank) VALUES('hashsize', 8388608);" \
	"INSERT OR IGNORE INTO meta VALUES('indexed', 0);"

#endif
