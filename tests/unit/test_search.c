/*
 * Unit tests for hub/search/search: three day partitions built with the store's
 * exact schema, searched through the public interface, and every result
 * checked against query_match() over the same events in memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "normalize.h"
#include "query.h"
#include "schema.h"
#include "search.h"
#include "timeparse.h"

#define DAY	86400000000LL
#define HOUR	3600000000LL
#define D0	1795564800000000LL	/* 2026-11-25T00:00:00Z */
#define NOW	(D0 + 3 * DAY)		/* 2026-11-28T00:00:00Z */
#define PER_DAY	120
#define NEV	(3 * PER_DAY)

struct ev {
	int64_t	 id, utc, received;
	json_t	*doc;
};

static char	 dir[64];
static struct ev evs[NEV];
static size_t	 nev;

static uint32_t	 seed = 12345;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static const char *hosts[] = { "web01", "web02", "WEB02", "db01", "mail" };
static const char *cats[] = { "authentication", "network", "system" };
static const char *sevs[] = { "DEBUG", "INFO", "NOTICE", "WARNING",
    "ERROR", "CRITICAL" };
static const char *sums[] = {
	"Failed password for root from %s port 22",
	"Accepted publickey for alice from %s port 22",
	"connection reset by %s",
	"disk usage at 91 percent",
	"password changed for bob",
};

static json_t *
make_doc(int64_t utc, int64_t received, uint32_t i)
{
	char	 t1[TIME_ISO_LEN], t2[TIME_ISO_LEN], ip[32], sum[128];
	const char *fmt = sums[rnd(5)];
	json_t	*doc, *details, *tags;

	time_format(utc, t1);
	time_format(received, t2);
	if (rnd(2))
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", rnd(4), rnd(256),
		    rnd(256));
	else
		snprintf(ip, sizeof(ip), "203.0.113.%u", rnd(16));
	snprintf(sum, sizeof(sum), fmt, ip);
	details = json_pack("{s:s, s:i, s:i}", "sourceipaddress", ip,
	    "bytes", (json_int_t)rnd(10000), "port", (json_int_t)(rnd(3) ?
	    22 : 443));
	if (rnd(3) == 0)
		json_object_set_new(details, "username",
		    json_string(rnd(2) ? "root" : "Robert"));
	if (i % 17 == 5)	/* a number written as a string */
		json_object_set_new(details, "port", json_string("22"));
	if (rnd(4) == 0)
		json_object_set_new(details, "note", json_null());
	if (i % 7 == 2)		/* a facet: a number, a string, a null */
		json_object_set_new(details, "sourceport", i % 3 == 0 ?
		    json_string("2222") : i % 3 == 1 ? json_null() :
		    json_integer(40000 + i));
	tags = json_array();
	if (rnd(2))
		json_array_append_new(tags, json_string("ssh"));
	if (rnd(3) == 0)
		json_array_append_new(tags, json_string("Brute"));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, "
	    "s:o, s:o}", "utctimestamp", t1, "receivedtimestamp", t2,
	    "category", cats[rnd(3)], "severity", sevs[rnd(6)], "summary",
	    sum, "hostname", hosts[rnd(5)], "processname", rnd(2) ? "sshd" :
	    "kernel", "processid", (json_int_t)(100 + i), "source", "syslog",
	    "tags", tags, "details", details);
	return doc;
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/* The partition layout of ward before facets (hub/schema.h, layout 0):
   the document in events, no docs table; still read and written. */
#define LEGACY_SCHEMA \
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER);" \
	"CREATE TABLE events(id INTEGER PRIMARY KEY, utc INTEGER NOT NULL," \
	" received INTEGER NOT NULL, severity INTEGER NOT NULL," \
	" category TEXT COLLATE NOCASE, hostname TEXT COLLATE NOCASE," \
	" processname TEXT COLLATE NOCASE, source TEXT COLLATE NOCASE," \
	" summary TEXT, doc TEXT NOT NULL);" \
	"CREATE INDEX events_utc ON events(utc);" \
	"CREATE VIRTUAL TABLE fts USING fts5(summary, text, content=''," \
	" columnsize=0, detail=column);"

/* The partition layout before the time index had utcs (layout 3, and
   layout 2 with SCHEMA_FTS): the time index on utc itself. */
#define LAYOUT3_SCHEMA \
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER);" \
	"CREATE TABLE events(id INTEGER PRIMARY KEY, utc INTEGER NOT NULL," \
	" received INTEGER NOT NULL, severity INTEGER NOT NULL," \
	" category TEXT COLLATE NOCASE, hostname TEXT COLLATE NOCASE," \
	" processname TEXT COLLATE NOCASE, source TEXT COLLATE NOCASE" \
	SCHEMA_FACETS(SCHEMA_FACET_DECL) ");" \
	"CREATE TABLE docs(id INTEGER PRIMARY KEY, summary TEXT," \
	" doc TEXT NOT NULL);" \
	"CREATE INDEX events_utc ON events(utc);" \
	"CREATE VIEW events_full AS SELECT events.*, docs.summary, docs.doc" \
	" FROM events LEFT JOIN docs ON docs.id = events.id;" \
	"INSERT INTO meta VALUES('count', 0);"

/* Write the events of day into a partition: day 1 in the layout before
   facets, day 0 in layout 2 (the index inside the partition, the time
   index on utc), day 2 in the current one (the index in a file beside
   it); the facets are what SQLite's own doc -> '$.PATH' computes. */
static void
write_partition(int day)
{
	char	 path[128], name[16];
	sqlite3	*db, *ixdb = NULL;
	sqlite3_stmt *ins, *docs = NULL, *fts, *meta;
	const char *tail;
	int64_t	 lo = INT64_MAX, hi = INT64_MIN, start = D0 + day * DAY;
	time_t	 tt = (time_t)(start / 1000000);
	struct tm tm;
	size_t	 i;
	struct buf text;

	gmtime_r(&tt, &tm);
	strftime(name, sizeof(name), "%Y-%m-%d", &tm);
	snprintf(path, sizeof(path), "%s/events/%s.db", dir, name);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode=WAL");
	exec_ok(db, "BEGIN");
	if (day == 1) {
		exec_ok(db, LEGACY_SCHEMA);
		assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO events"
		    " VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &ins, NULL),
		    SQLITE_OK);
	} else {
		if (day == 2) {
			snprintf(path, sizeof(path), "%s/events/%s.fts",
			    dir, name);
			assert_int_equal(sqlite3_open(path, &ixdb), SQLITE_OK);
			exec_ok(ixdb, SCHEMA_INDEX "BEGIN");
			exec_ok(db, SCHEMA_PARTITION "PRAGMA user_version = 4;");
		} else
			exec_ok(db, LAYOUT3_SCHEMA SCHEMA_FTS
			    "PRAGMA user_version = 2;");
		assert_int_equal(sqlite3_prepare_v2(db, day == 2 ?
		    "INSERT INTO events SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		    " ?10 -> '$.details.sourceipaddress',"
		    " ?10 -> '$.details.destinationipaddress',"
		    " ?10 -> '$.details.sourceport',"
		    " ?10 -> '$.details.destinationport',"
		    " ?10 -> '$.details.username', " SCHEMA_UTC_SECOND("?2") ";"
		    "INSERT INTO docs VALUES (?1, ?9, ?10)" :
		    "INSERT INTO events SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		    " ?10 -> '$.details.sourceipaddress',"
		    " ?10 -> '$.details.destinationipaddress',"
		    " ?10 -> '$.details.sourceport',"
		    " ?10 -> '$.details.destinationport',"
		    " ?10 -> '$.details.username';"
		    "INSERT INTO docs VALUES (?1, ?9, ?10)", -1, &ins, &tail),
		    SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, tail, -1, &docs,
		    NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_prepare_v2(ixdb ? ixdb : db, "INSERT INTO"
	    " fts(rowid, summary, text) VALUES (?,?,?)", -1, &fts, NULL),
	    SQLITE_OK);
	buf_init(&text);
	for (i = 0; i < nev; i++) {
		struct ev *e = &evs[i];
		json_t	*d = e->doc;
		char	*s;

		if (e->received < start || e->received >= start + DAY)
			continue;
		s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
		sqlite3_bind_int64(ins, 1, e->id);
		sqlite3_bind_int64(ins, 2, e->utc);
		sqlite3_bind_int64(ins, 3, e->received);
		sqlite3_bind_int(ins, 4, severity_parse(json_string_value(
		    json_object_get(d, "severity"))));
		sqlite3_bind_text(ins, 5, json_string_value(json_object_get(d,
		    "category")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 6, json_string_value(json_object_get(d,
		    "hostname")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 7, json_string_value(json_object_get(d,
		    "processname")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 8, json_string_value(json_object_get(d,
		    "source")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 9, json_string_value(json_object_get(d,
		    "summary")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 10, s, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_reset(ins);
		if (docs != NULL) {
			sqlite3_bind_int64(docs, 1, e->id);
			sqlite3_bind_text(docs, 9, json_string_value(
			    json_object_get(d, "summary")), -1,
			    SQLITE_TRANSIENT);
			sqlite3_bind_text(docs, 10, s, -1, SQLITE_TRANSIENT);
			assert_int_equal(sqlite3_step(docs), SQLITE_DONE);
			sqlite3_reset(docs);
		}
		free(s);
		buf_reset(&text);
		assert_int_equal(query_fts_text(d, &text), 0);
		sqlite3_bind_int64(fts, 1, e->id);
		sqlite3_bind_text(fts, 2, json_string_value(json_object_get(d,
		    "summary")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fts, 3, text.data ? text.data : "", -1,
		    SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(fts), SQLITE_DONE);
		sqlite3_reset(fts);
		if (e->utc < lo)
			lo = e->utc;
		if (e->utc > hi)
			hi = e->utc;
	}
	buf_release(&text);
	sqlite3_finalize(ins);
	sqlite3_finalize(docs);
	sqlite3_finalize(fts);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta "
	    "VALUES ('min_utc', ?), ('max_utc', ?), ('count', ?)", -1, &meta,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(meta, 1, lo);
	sqlite3_bind_int64(meta, 2, hi);
	sqlite3_bind_int64(meta, 3, PER_DAY);
	assert_int_equal(sqlite3_step(meta), SQLITE_DONE);
	sqlite3_finalize(meta);
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	if (ixdb != NULL) {
		/* Its mark: the index holds every row (hub/ingest/textindex.c). */
		exec_ok(ixdb, "UPDATE meta SET value = 9223372036854775807"
		    " WHERE key = 'indexed'; COMMIT");
		sqlite3_close(ixdb);
	}
}

/* Write the full-text index of day 2's partition into the directory d
   as the hub would have written it up to event id mark: the rows past it
   missing, its mark there (an index fallen behind). */
static void
write_index_upto(const char *d, int64_t mark)
{
	char	 path[128];
	sqlite3	*ixdb;
	sqlite3_stmt *fts, *st;
	struct buf text;
	size_t	 i;

	snprintf(path, sizeof(path), "%s/events/2026-11-27.fts", d);
	unlink(path);
	assert_int_equal(sqlite3_open(path, &ixdb), SQLITE_OK);
	exec_ok(ixdb, SCHEMA_INDEX "BEGIN");
	assert_int_equal(sqlite3_prepare_v2(ixdb, "INSERT INTO fts(rowid,"
	    " summary, text) VALUES (?,?,?)", -1, &fts, NULL), SQLITE_OK);
	buf_init(&text);
	for (i = 0; i < nev; i++) {
		struct ev *e = &evs[i];

		if (e->id >> 36 != D0 / DAY + 2 || e->id > mark)
			continue;
		buf_reset(&text);
		assert_int_equal(query_fts_text(e->doc, &text), 0);
		sqlite3_bind_int64(fts, 1, e->id);
		sqlite3_bind_text(fts, 2, json_string_value(json_object_get(
		    e->doc, "summary")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fts, 3, text.data ? text.data : "", -1,
		    SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(fts), SQLITE_DONE);
		sqlite3_reset(fts);
	}
	buf_release(&text);
	sqlite3_finalize(fts);
	assert_int_equal(sqlite3_prepare_v2(ixdb, "UPDATE meta SET value = ?"
	    " WHERE key = 'indexed'", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, mark);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	exec_ok(ixdb, "COMMIT");
	sqlite3_close(ixdb);
}

static int
setup(void **state)
{
	char	 path[128];
	int	 day;
	uint32_t i;

	snprintf(dir, sizeof(dir), "/tmp/ward-search.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/events", dir);
	mkdir(path, 0700);
	/* Something that is not a partition, and an empty partition. */
	snprintf(path, sizeof(path), "%s/events/notes.txt", dir);
	fclose(fopen(path, "w"));
	for (day = 0; day < 3; day++)
		for (i = 0; i < PER_DAY; i++) {
			struct ev *e = &evs[nev++];
			int64_t	 start = D0 + day * DAY;

			e->received = start + (int64_t)i * (DAY / PER_DAY) +
			    rnd(600) * 1000000LL;
			e->utc = e->received - rnd(120) * 1000000LL;
			if (i % 40 == 7)	/* arrived two days late */
				e->utc = e->received - 2 * DAY;
			if (day == 0 && i == 3)	/* a clock in the future */
				e->utc = D0 + 5 * DAY;
			if (i % 30 == 11)	/* same instant as the last */
				e->utc = evs[nev - 2].utc;
			e->id = ((D0 / DAY + day) << 36) | (i + 1);
			e->doc = make_doc(e->utc, e->received, i);
		}
	for (day = 0; day < 3; day++)
		write_partition(day);
	{
		sqlite3	*db;

		snprintf(path, sizeof(path), "%s/events/2026-11-20.db", dir);
		sqlite3_open(path, &db);
		exec_ok(db, LAYOUT3_SCHEMA SCHEMA_FTS
		    "PRAGMA user_version = 2;");
		sqlite3_close(db);
	}
	(void)state;
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];
	size_t	 i;

	for (i = 0; i < nev; i++)
		json_decref(evs[i].doc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
	(void)state;
	return 0;
}

/* ---- running searches ------------------------------------------------- */

struct lines {
	char	**l;
	size_t	  n;
	int	  stop_after;	/* >0: stop after that many */
	int	  sleep_ms;
};

static int
collect(void *arg, const char *line, size_t len)
{
	struct lines *ls = arg;

	assert_int_equal(strlen(line), len);
	assert_null(strchr(line, '\n'));
	ls->l = realloc(ls->l, (ls->n + 1) * sizeof(*ls->l));
	ls->l[ls->n++] = strdup(line);
	if (ls->sleep_ms)
		usleep((useconds_t)ls->sleep_ms * 1000);
	if (ls->stop_after > 0 && ls->n >= (size_t)ls->stop_after)
		return -1;
	return 0;
}

static void
lines_free(struct lines *ls)
{
	size_t	 i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	free(ls->l);
	memset(ls, 0, sizeof(*ls));
}

static int
search(const char *q, struct search_opts *o, struct lines *ls,
    struct search_info *info)
{
	char	 err[256];
	int	 pos, rc;

	o->now_us = NOW;
	rc = search_run(dir, q, o, collect, ls, info, err, sizeof(err), &pos);
	if (rc == -1)
		fprintf(stderr, "# search '%s': %s (at %d)\n", q, err, pos);
	return rc;
}

static int64_t
line_id(const char *line)
{
	json_t	*j = json_loads(line, 0, NULL);
	int64_t	 id;

	assert_non_null(j);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* The events query_match() accepts, newest first, in [since, until). */
static size_t
expected(const char *text, int64_t since, int64_t until, int64_t *ids)
{
	struct query_error e;
	struct query *q;
	size_t	 i, j, n = 0;

	if (query_parse(text, NOW, &q, &e) == -1)
		fail_msg("'%s': %s", text, e.msg);
	for (i = 0; i < nev; i++) {
		if (since && evs[i].utc < since)
			continue;
		if (until && evs[i].utc >= until)
			continue;
		if (query_match(q, evs[i].doc))
			ids[n++] = (int64_t)i;
	}
	query_free(q);
	/* Insertion sort by utc desc, id desc. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			struct ev *a = &evs[ids[j - 1]], *b = &evs[ids[j]];

			if (a->utc > b->utc || (a->utc == b->utc &&
			    a->id > b->id))
				break;
			int64_t t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		ids[i] = evs[ids[i]].id;
	return n;
}

static const char *agree[] = {
	"", "*", "failed", "FAILED", "\"failed password\"", "\"password for\"",
	"\"for root\"", "password", "pass*", "publickey alice", "root",
	"hostname:web01", "hostname:WEB02", "hostname:web0*", "hostname:w?b02",
	"-hostname:web01", "NOT hostname:web*", "severity:>=WARNING",
	"severity:ERROR OR severity:CRITICAL", "severity:E*",
	"severity:[INFO TO NOTICE]", "severity:warning",
	"category:authentication AND NOT failed",
	"details.sourceipaddress:10.0.0.0/8",
	"details.sourceipaddress:203.0.113.0/28",
	"details.sourceipaddress:10.2.0.0/16", "details.bytes:>5000",
	"details.bytes:[100 TO 1000]", "details.bytes:{100 TO 1000}",
	"details.bytes:<=100", "details.bytes:9*",
	"_exists_:details.username", "NOT _exists_:details.username",
	"_exists_:details.note", "details.note:*", "details.username:root",
	"details.sourceport:2222", "_exists_:details.sourceport",
	"details.sourceport:>40100", "NOT details.sourceport:*",
	"details.username:ROBERT", "details.username:ro*", "tags:ssh",
	"tags:brute", "-tags:ssh", "tags:*", "utctimestamp:>2026-11-26T12:00:00Z",
	"utctimestamp:2026-11-26", "utctimestamp:[now-30h TO now-20h]",
	"receivedtimestamp:<2026-11-26T00:00:00Z", "summary:accepted",
	"summary:\"accepted publickey\"", "summary:root", "summary:sshd",
	"203.0.113.5", "10.1*", "\"root from\"", "processid:>150",
	"processid:1?5", "(hostname:web01 OR hostname:web02) severity:<WARNING",
	"source:syslog", "source:SYS*", "details.port:22", "details.port:443",
	"!sshd", "kernel OR sshd", "sshd && failed", "web01*", "percent -disk",
	"_exists_:hostname", "processname:sshd AND details.port:443",
	"details.sourceipaddress:203.0.113.5 OR details.sourceipaddress:10.*",
	"nothingmatchesthis", "category:nope",
};

static void
agrees_with_query_match(void **state)
{
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 };
	int64_t	 want[NEV];
	size_t	 i, k, n;

	for (i = 0; i < sizeof(agree) / sizeof(agree[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.limit = NEV + 10;
		assert_int_equal(search(agree[i], &o, &ls, &info), 0);
		n = expected(agree[i], 0, 0, want);
		if (ls.n != n)
			fail_msg("'%s': %zu rows, want %zu", agree[i], ls.n,
			    n);
		for (k = 0; k < n; k++)
			if (line_id(ls.l[k]) != want[k])
				fail_msg("'%s': row %zu is %lld, want %lld",
				    agree[i], k, (long long)line_id(ls.l[k]),
				    (long long)want[k]);
		assert_int_equal(info.rows, n);
		assert_false(info.limited);
		lines_free(&ls);
	}
}

/*
 * Every plan a partition may take gives the same rows: the FTS-driven
 * sort (default on these small partitions), the utc walk with the FTS
 * bitmap, and the walk that checks rows on their own document; with the
 * limit cutting the walk short too.
 */
static void
plans_agree(void **state)
{
	static const int plans[] = { SEARCH_PLAN_WALK, SEARCH_PLAN_CHECK };
	static const size_t limits[] = { NEV + 10, 7 };
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 };
	int64_t	 want[NEV];
	size_t	 i, k, n, pl, li;

	for (pl = 0; pl < 2; pl++)
		for (li = 0; li < 2; li++)
			for (i = 0; i < sizeof(agree) / sizeof(agree[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.limit = limits[li];
		o.force_plan = plans[pl];
		assert_int_equal(search(agree[i], &o, &ls, &info), 0);
		n = expected(agree[i], 0, 0, want);
		if (n > limits[li])
			n = limits[li];
		if (ls.n != n)
			fail_msg("'%s' plan %d: %zu rows, want %zu", agree[i],
			    plans[pl], ls.n, n);
		for (k = 0; k < n; k++)
			if (line_id(ls.l[k]) != want[k])
				fail_msg("'%s' plan %d: row %zu is %lld, want "
				    "%lld", agree[i], plans[pl], k,
				    (long long)line_id(ls.l[k]),
				    (long long)want[k]);
		lines_free(&ls);
	}
	(void)state;
}

/* Field equalities use the FTS text as a prefilter: the column still
   decides, so a value that is only part of a field, or in another field,
   does not match. */
static void
field_prefilter_is_exact(void **state)
{
	static const char *qs[] = {
		"hostname:web", "hostname:web01", "hostname:WEB01",
		"details.username:robert", "details.username:root",
		"hostname:root", "processname:root", "category:system",
		"hostname:web01 AND details.username:root",
		"hostname:web01 OR category:network", "details.port:22",
		"source:syslog failed", "tags:ssh AND -hostname:db01",
	};
	struct search_opts o;
	struct lines ls = { 0 };
	int64_t	 want[NEV];
	size_t	 i, k, n;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.limit = NEV + 10;
		o.fts_probe = 1 + i % 3 * 20;
		assert_int_equal(search(qs[i], &o, &ls, NULL), 0);
		n = expected(qs[i], 0, 0, want);
		if (ls.n != n)
			fail_msg("'%s': %zu rows, want %zu", qs[i], ls.n, n);
		for (k = 0; k < n; k++)
			assert_int_equal(line_id(ls.l[k]), want[k]);
		lines_free(&ls);
	}
	(void)state;
}

static void
rows_are_the_stored_document_with_id_first(void **state)
{
	struct search_opts o = { 0 };
	struct lines ls = { 0 };
	json_t	*j, *doc;
	size_t	 i;
	int64_t	 id;

	o.limit = 3;
	assert_int_equal(search("*", &o, &ls, NULL), 0);
	assert_int_equal(ls.n, 3);
	assert_memory_equal(ls.l[0], "{\"id\":", 6);
	j = json_loads(ls.l[0], 0, NULL);
	id = json_integer_value(json_object_get(j, "id"));
	for (i = 0; i < nev; i++)
		if (evs[i].id == id)
			break;
	assert_true(i < nev);
	doc = json_deep_copy(j);
	json_object_del(doc, "id");
	assert_true(json_equal(doc, evs[i].doc));
	json_decref(doc);
	json_decref(j);
	lines_free(&ls);
}

static void
newest_first_across_partitions_and_limit(void **state)
{
	struct search_opts o = { 0 };
	struct search_info info;
	struct lines ls = { 0 };
	int64_t	 want[NEV];
	size_t	 n, k;

	/* The newest event is the future-clocked one in the oldest
	   partition. */
	o.limit = 5;
	assert_int_equal(search("*", &o, &ls, &info), 0);
	n = expected("*", 0, 0, want);
	assert_true(n > 5);
	assert_int_equal(ls.n, 5);
	assert_true(info.limited);
	for (k = 0; k < 5; k++)
		assert_int_equal(line_id(ls.l[k]), want[k]);
	assert_int_equal(line_id(ls.l[0]) >> 36, D0 / DAY);
	lines_free(&ls);

	/* head N lowers the limit. */
	memset(&o, 0, sizeof(o));
	assert_int_equal(search("failed | head 2", &o, &ls, &info), 0);
	assert_int_equal(ls.n, 2);
	lines_free(&ls);

	/* max_limit caps it. */
	memset(&o, 0, sizeof(o));
	o.limit = 1000;
	o.max_limit = 7;
	assert_int_equal(search("*", &o, &ls, &info), 0);
	assert_int_equal(ls.n, 7);
	lines_free(&ls);

	/* The callback can stop the search. */
	memset(&o, 0, sizeof(o));
	ls.stop_after = 4;
	assert_int_equal(search("*", &o, &ls, &info), 0);
	assert_int_equal(ls.n, 4);
	lines_free(&ls);
}

/*
 * A search cut by its limit says so (info.limited) on every plan, when it
 * read one partition too (a copy of the newest alone); one whose matches
 * are exactly the limit does not.
 */
static void
limit_in_one_partition_is_reported(void **state)
{
	static const char *qs[] = { "*", "failed", "hostname:web01",
	    "failed | sort utctimestamp" };
	static const int plans[] = { 0, SEARCH_PLAN_WALK, SEARCH_PLAN_CHECK };
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 };
	char	 saved[sizeof(dir)], cmd[512], q[128];
	int64_t	 want[NEV];
	size_t	 i, pl, n;

	(void)state;
	memcpy(saved, dir, sizeof(dir));
	snprintf(dir, sizeof(dir), "/tmp/ward-search1.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir %s/events && cp %s/events/"
	    "2026-11-27.db %s/events/2026-11-27.fts %s/events/", dir, saved,
	    saved, dir);
	assert_int_equal(system(cmd), 0);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		for (pl = 0; pl < 3; pl++) {
			snprintf(q, sizeof(q), "receivedtimestamp:[2026-11-27 "
			    "TO 2026-11-28} %s", qs[i]);
			n = expected(q, 0, 0, want);
			assert_true(n > 2);
			memset(&o, 0, sizeof(o));
			o.force_plan = plans[pl];
			o.limit = n - 1;
			assert_int_equal(search(qs[i], &o, &ls, &info), 0);
			assert_int_equal(info.partitions, 1);
			assert_int_equal(ls.n, n - 1);
			if (!info.limited)
				fail_msg("'%s' plan %d: %zu of %zu rows, not "
				    "limited", qs[i], plans[pl], ls.n, n);
			lines_free(&ls);
			o.limit = n;
			assert_int_equal(search(qs[i], &o, &ls, &info), 0);
			assert_int_equal(ls.n, n);
			if (info.limited)
				fail_msg("'%s' plan %d: all %zu rows, yet "
				    "limited", qs[i], plans[pl], n);
			lines_free(&ls);
		}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	memcpy(dir, saved, sizeof(dir));
}

static void
time_bounds_span_day_boundaries(void **state)
{
	static const struct { int64_t since, until; const char *q; } b[] = {
		{ D0 + DAY - HOUR, D0 + DAY + HOUR, "*" },
		{ D0 + DAY - HOUR, D0 + 2 * DAY + HOUR, "failed" },
		{ D0 + 2 * DAY + 22 * HOUR, 0, "*" },
		{ 0, D0 + DAY, "*" },
		{ D0 - 5 * DAY, D0 - 4 * DAY, "*" },
		{ D0 + 2 * DAY, D0 + DAY, "*" },
	};
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 };
	int64_t	 want[NEV];
	size_t	 i, k, n;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.since_us = b[i].since;
		o.until_us = b[i].until;
		o.limit = NEV;
		assert_int_equal(search(b[i].q, &o, &ls, &info), 0);
		n = expected(b[i].q, b[i].since, b[i].until, want);
		if (ls.n != n)
			fail_msg("bounds %zu: %zu rows, want %zu", i, ls.n, n);
		for (k = 0; k < n; k++)
			assert_int_equal(line_id(ls.l[k]), want[k]);
		lines_free(&ls);
	}
	/* Only the partitions that can match are searched: after the
	   newest arrival, only the oldest file holds an event (from a
	   clock in the future). */
	memset(&o, 0, sizeof(o));
	o.since_us = D0 + 3 * DAY;
	assert_int_equal(search("*", &o, &ls, &info), 0);
	assert_int_equal(ls.n, 1);
	assert_int_equal(info.partitions, 1);
	lines_free(&ls);
	assert_int_equal(search("utctimestamp:>now", &o, &ls, &info), 0);
	assert_int_equal(ls.n, 1);
	assert_int_equal(info.partitions, 1);
	lines_free(&ls);
}

/* Counts by a key computed in memory, for the aggregation checks. */
/* A group's value as a key: its JSON text, so 22 and "22" differ; an
   event without the field counts under null. */
static void
value_key(const json_t *v, char *key, size_t len)
{
	char	*t = v != NULL ? json_dumps(v, JSON_COMPACT |
	    JSON_ENCODE_ANY) : NULL;

	snprintf(key, len, "%s", t != NULL ? t : "null");
	free(t);
}

static size_t
ref_count(const char *text, const char *path, int fold, char keys[][64],
    size_t *counts)
{
	struct query_error e;
	struct query *q;
	size_t	 i, k, n = 0;
	char	 key[64];

	assert_int_equal(query_parse(text, NOW, &q, &e), 0);
	for (i = 0; i < nev; i++) {
		const json_t *v;

		if (!query_match(q, evs[i].doc))
			continue;
		v = json_object_get(evs[i].doc, path);
		if (v == NULL && strncmp(path, "details.", 8) == 0)
			v = json_object_get(json_object_get(evs[i].doc,
			    "details"), path + 8);
		value_key(v, key, sizeof(key));
		if (fold)
			for (k = 0; key[k]; k++)
				key[k] = (char)tolower((unsigned char)key[k]);
		for (k = 0; k < n; k++)
			if (strcmp(keys[k], key) == 0)
				break;
		if (k == n) {
			snprintf(keys[n], 64, "%s", key);
			counts[n++] = 0;
		}
		counts[k]++;
	}
	query_free(q);
	return n;
}

static void
check_count_by(const char *text, const char *field, int fold)
{
	struct search_opts o = { 0 };
	struct lines ls = { 0 };
	char	 keys[NEV][64], qs[256], key[64];
	size_t	 counts[NEV], n, i, k;
	json_int_t last = INT64_MAX;

	n = ref_count(text, field, fold, keys, counts);
	snprintf(qs, sizeof(qs), "%s | count by %s", text, field);
	assert_int_equal(search(qs, &o, &ls, NULL), 0);
	if (ls.n != n)
		fail_msg("'%s': %zu groups, want %zu", qs, ls.n, n);
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL), *v;
		json_int_t c = json_integer_value(json_object_get(j, "count"));

		assert_true(c <= last);		/* largest first */
		last = c;
		v = json_object_get(j, field);
		value_key(v, key, sizeof(key));
		if (fold)
			for (k = 0; key[k]; k++)
				key[k] = (char)tolower((unsigned char)key[k]);
		for (k = 0; k < n; k++)
			if (strcmp(keys[k], key) == 0)
				break;
		if (k == n || (json_int_t)counts[k] != c)
			fail_msg("'%s': group %s count %lld", qs, key,
			    (long long)c);
		json_decref(j);
	}
	lines_free(&ls);
}

static void
aggregations_merge_partitions(void **state)
{
	struct search_opts o = { 0 };
	struct search_info info;
	struct lines ls = { 0 };
	int64_t	 want[NEV];
	char	 line[64];
	size_t	 n, i;
	json_int_t sum = 0;

	/* count */
	n = expected("failed", 0, 0, want);
	assert_int_equal(search("failed | count", &o, &ls, &info), 0);
	assert_int_equal(ls.n, 1);
	snprintf(line, sizeof(line), "{\"count\":%zu}", n);
	assert_string_equal(ls.l[0], line);
	lines_free(&ls);
	assert_int_equal(search("nothingmatchesthis | count", &o, &ls, NULL),
	    0);
	assert_string_equal(ls.l[0], "{\"count\":0}");
	lines_free(&ls);
	/* summary lives in docs: a count whose filter reads it joins them */
	n = expected("summary:\"accepted publickey\"", 0, 0, want);
	assert_true(n > 0);
	assert_int_equal(search("summary:\"accepted publickey\" | count", &o,
	    &ls, NULL), 0);
	snprintf(line, sizeof(line), "{\"count\":%zu}", n);
	assert_string_equal(ls.l[0], line);
	lines_free(&ls);
	n = expected("summary:root OR hostname:web01", 0, 0, want);
	assert_int_equal(search("summary:root OR hostname:web01 | count", &o,
	    &ls, NULL), 0);
	snprintf(line, sizeof(line), "{\"count\":%zu}", n);
	assert_string_equal(ls.l[0], line);
	lines_free(&ls);

	/* count by: typed columns group without case, JSON fields exactly */
	check_count_by("*", "hostname", 1);
	check_count_by("failed", "hostname", 1);
	check_count_by("*", "details.username", 0);
	check_count_by("*", "details.sourceport", 0);
	check_count_by("severity:>=NOTICE", "details.port", 0);
	check_count_by("*", "category", 1);
	check_count_by("password", "summary", 0);

	/* count by two fields */
	assert_int_equal(search("* | count by category, severity", &o, &ls,
	    NULL), 0);
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL);

		assert_true(json_is_string(json_object_get(j, "category")));
		assert_true(json_is_string(json_object_get(j, "severity")));
		sum += json_integer_value(json_object_get(j, "count"));
		json_decref(j);
	}
	assert_int_equal(sum, NEV);
	lines_free(&ls);

	/* top N */
	assert_int_equal(search("* | top 2 hostname", &o, &ls, NULL), 0);
	assert_int_equal(ls.n, 2);
	lines_free(&ls);

	/* histogram: buckets oldest first, adding up to the matches */
	n = expected("password", 0, 0, want);
	assert_int_equal(search("password | histogram 6h", &o, &ls, &info),
	    0);
	sum = 0;
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL);
		int64_t	 t;

		assert_int_equal(time_parse(json_string_value(json_object_get(
		    j, "time")), 0, &t), 0);
		assert_int_equal(t % (6 * HOUR), 0);
		if (i > 0) {
			json_t *p = json_loads(ls.l[i - 1], 0, NULL);
			int64_t pt;

			time_parse(json_string_value(json_object_get(p,
			    "time")), 0, &pt);
			assert_true(pt < t);
			json_decref(p);
		}
		sum += json_integer_value(json_object_get(j, "count"));
		json_decref(j);
	}
	assert_int_equal(sum, n);
	lines_free(&ls);

	/* group cap: truncated is reported */
	memset(&o, 0, sizeof(o));
	o.max_groups = 2;
	assert_int_equal(search("* | count by details.bytes", &o, &ls, &info),
	    0);
	assert_int_equal(ls.n, 2);
	assert_true(info.truncated);
	lines_free(&ls);
}

/*
 * count by against SQLite's own JSON: for every event query_match()
 * accepts, each field's value is what doc -> '$.field' gives for its
 * stored (compact) document, "null" when there is none, without case for
 * the typed text fields; the search's groups must be exactly those, with
 * the same counts, whatever the number of threads.
 */
#define REF_KEY	512

static int
typed_text(const char *f)
{
	return strcmp(f, "hostname") == 0 || strcmp(f, "category") == 0 ||
	    strcmp(f, "processname") == 0 || strcmp(f, "source") == 0;
}

static void
fold(char *k)
{
	for (; *k != '\0'; k++)
		*k = (char)tolower((unsigned char)*k);
}

static void
check_count_by_sqlite(const char *text, const char **fields, size_t nf,
    int threads)
{
	static char keys[NEV][REF_KEY];
	size_t	 counts[NEV], n = 0, i, k, g;
	struct search_opts o = { 0 };
	struct lines ls = { 0 };
	struct query_error e;
	struct query *q;
	sqlite3	*db;
	sqlite3_stmt *st;
	char	 qs[256], key[REF_KEY], path[96];
	json_int_t total = 0, matches = 0;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT ifnull(? -> ?, "
	    "'null')", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(query_parse(text, NOW, &q, &e), 0);
	for (i = 0; i < nev; i++) {
		char	*doc;

		if (!query_match(q, evs[i].doc))
			continue;
		doc = json_dumps(evs[i].doc, JSON_COMPACT |
		    JSON_PRESERVE_ORDER);
		matches++;
		key[0] = '\0';
		for (k = 0; k < nf; k++) {
			snprintf(path, sizeof(path), "$.%s", fields[k]);
			sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			strncat(key, (const char *)sqlite3_column_text(st, 0),
			    sizeof(key) - strlen(key) - 2);
			strcat(key, "\x01");
			sqlite3_reset(st);
		}
		free(doc);
		for (k = 0; k < nf; k++)
			if (typed_text(fields[k]))
				fold(key);	/* only typed fields in tests
						   that fold */
		for (g = 0; g < n; g++)
			if (strcmp(keys[g], key) == 0)
				break;
		if (g == n) {
			snprintf(keys[n], REF_KEY, "%s", key);
			counts[n++] = 0;
		}
		counts[g]++;
	}
	query_free(q);
	sqlite3_finalize(st);
	sqlite3_close(db);

	snprintf(qs, sizeof(qs), "%s | count by ", text);
	for (k = 0; k < nf; k++) {
		if (k > 0)
			strcat(qs, ", ");
		strcat(qs, fields[k]);
	}
	o.threads = threads;
	o.limit = NEV;
	assert_int_equal(search(qs, &o, &ls, NULL), 0);
	if (ls.n != n)
		fail_msg("'%s' (%d threads): %zu groups, want %zu", qs,
		    threads, ls.n, n);
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL);
		json_int_t c = json_integer_value(json_object_get(j, "count"));

		assert_non_null(j);
		key[0] = '\0';
		for (k = 0; k < nf; k++) {
			char	*t = json_dumps(json_object_get(j, fields[k]),
			    JSON_COMPACT | JSON_ENCODE_ANY |
			    JSON_PRESERVE_ORDER);

			assert_non_null(t);
			strncat(key, t, sizeof(key) - strlen(key) - 2);
			strcat(key, "\x01");
			free(t);
		}
		for (k = 0; k < nf; k++)
			if (typed_text(fields[k]))
				fold(key);
		for (g = 0; g < n; g++)
			if (strcmp(keys[g], key) == 0)
				break;
		if (g == n || (json_int_t)counts[g] != c)
			fail_msg("'%s' (%d threads): group %s count %lld%s",
			    qs, threads, ls.l[i], (long long)c, g == n ?
			    " not expected" : "");
		total += c;
		json_decref(j);
	}
	assert_int_equal(total, matches);
	lines_free(&ls);
}

static void
count_by_agrees_with_sqlite_json(void **state)
{
	static const char *f_note[] = { "details.note" };
	static const char *f_port[] = { "details.port" };
	static const char *f_sport[] = { "details.sourceport" };	/* a facet */
	static const char *f_tags[] = { "tags" };
	static const char *f_details[] = { "details" };
	static const char *f_deep[] = { "details.port.x" };
	static const char *f_none[] = { "nosuchfield" };
	static const char *f_two[] = { "hostname", "details.username" };
	static const char *f_three[] = { "details.port", "category",
	    "details.note" };
	int	 t;

	(void)state;
	for (t = 1; t <= 3; t++) {
		/* null and missing are one group */
		check_count_by_sqlite("*", f_note, 1, t);
		/* 22 and "22" are two */
		check_count_by_sqlite("*", f_port, 1, t);
		check_count_by_sqlite("failed", f_port, 1, t);
		check_count_by_sqlite("*", f_sport, 1, t);
		check_count_by_sqlite("failed", f_sport, 1, t);
		/* arrays and objects group by their JSON text */
		check_count_by_sqlite("*", f_tags, 1, t);
		check_count_by_sqlite("*", f_details, 1, t);
		check_count_by_sqlite("*", f_deep, 1, t);
		check_count_by_sqlite("*", f_none, 1, t);
		check_count_by_sqlite("*", f_two, 2, t);
		check_count_by_sqlite("hostname:web02 OR password", f_two, 2,
		    t);
		check_count_by_sqlite("severity:>=NOTICE", f_three, 3, t);
		check_count_by_sqlite("nothingmatchesthis", f_two, 2, t);
	}
}

/* The rows of a count by, spelling of each group included (the first
   event's, in partition order), are the same on any number of threads. */
static void
count_by_is_the_same_on_any_threads(void **state)
{
	static const char *qs[] = { "* | count by hostname",
	    "* | count by hostname, details.username",
	    "failed | top 2 hostname", "* | count by details.bytes" };
	struct search_opts o = { 0 };
	struct lines one = { 0 }, many = { 0 };
	size_t	 i, k;
	int	 t;

	(void)state;
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		o.limit = NEV;
		o.threads = 1;
		assert_int_equal(search(qs[i], &o, &one, NULL), 0);
		assert_true(one.n > 0);
		for (t = 2; t <= 4; t++) {
			o.threads = t;
			assert_int_equal(search(qs[i], &o, &many, NULL), 0);
			assert_int_equal(many.n, one.n);
			for (k = 0; k < one.n; k++)
				assert_string_equal(many.l[k], one.l[k]);
			lines_free(&many);
		}
		lines_free(&one);
	}
}

static void
fields_and_sort(void **state)
{
	struct search_opts o = { 0 };
	struct lines ls = { 0 };
	size_t	 i;
	json_int_t prev = -1;

	assert_int_equal(search("failed | fields hostname, details.bytes",
	    &o, &ls, NULL), 0);
	assert_true(ls.n > 0);
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL);

		assert_int_equal(json_object_size(j), 3);
		assert_non_null(json_object_get(j, "id"));
		assert_true(json_is_string(json_object_get(j, "hostname")));
		assert_true(json_is_integer(json_object_get(j,
		    "details.bytes")));
		json_decref(j);
	}
	assert_memory_equal(ls.l[0], "{\"id\":", 6);
	lines_free(&ls);

	o.limit = NEV;
	assert_int_equal(search("* | sort details.bytes | fields "
	    "details.bytes", &o, &ls, NULL), 0);
	assert_int_equal(ls.n, NEV);
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL);
		json_int_t b = json_integer_value(json_object_get(j,
		    "details.bytes"));

		assert_true(b >= prev);
		prev = b;
		json_decref(j);
	}
	lines_free(&ls);

	o.limit = 10;
	assert_int_equal(search("* | sort -details.bytes", &o, &ls, NULL), 0);
	assert_int_equal(ls.n, 10);
	prev = INT64_MAX;
	for (i = 0; i < ls.n; i++) {
		json_t	*j = json_loads(ls.l[i], 0, NULL);
		json_int_t b = json_integer_value(json_object_get(
		    json_object_get(j, "details"), "bytes"));

		assert_true(b <= prev);
		prev = b;
		json_decref(j);
	}
	lines_free(&ls);
}

static void
errors_and_hostile_input(void **state)
{
	struct search_opts o = { 0 };
	struct search_info info;
	struct lines ls = { 0 };
	char	 err[256];
	int	 pos;

	o.now_us = NOW;
	assert_int_equal(search_run(dir, "hostname:", &o, collect, &ls,
	    &info, err, sizeof(err), &pos), -1);
	assert_int_equal(pos, 9);
	assert_non_null(strstr(err, "expected a value after ':'"));
	assert_int_equal(search_run(dir, "a | cnt", &o, collect, &ls, NULL,
	    err, sizeof(err), &pos), -1);
	assert_int_equal(pos, 4);
	assert_non_null(strstr(err, "unknown pipeline stage 'cnt'"));
	assert_int_equal(search_run(dir, "details.bytes:>abc", &o, collect,
	    &ls, NULL, err, sizeof(err), &pos), -1);
	assert_non_null(strstr(err, "expected a number"));
	assert_int_equal(ls.n, 0);

	/* SQL in values is only ever a value. */
	assert_int_equal(search("hostname:\"x' OR 1=1 --\"", &o, &ls, NULL),
	    0);
	assert_int_equal(ls.n, 0);
	assert_int_equal(search("\"x\\\" OR \\\"y\" OR NEAR", &o, &ls, NULL),
	    0);
	assert_int_equal(ls.n, 0);
	assert_int_equal(search("details.x'):1", &o, &ls, NULL), -1);

	/* As many terms as a query may hold, ANDed or ORed: neither the
	   SQL nor the implied FTS5 expression nests past their parsers'
	   stacks (found by fuzz_query). */
	{
		char	 q[QUERY_MAX_LEN];
		size_t	 len = 0;
		int	 i, k;

		for (k = 0; k < 2; k++) {
			len = 0;
			for (i = 0; i < QUERY_MAX_TERMS; i++)
				len += (size_t)snprintf(q + len, sizeof(q) - len,
				    "%sw%d", i == 0 ? "" : k ? " OR " : " ", i);
			assert_true(len < sizeof(q));
			assert_int_equal(search(q, &o, &ls, NULL), 0);
			assert_int_equal(ls.n, 0);
		}
	}

	/* No data directory: nothing, no error. */
	assert_int_equal(search_run("/nonexistent/ward", "*", &o, collect,
	    &ls, &info, err, sizeof(err), &pos), 0);
	assert_int_equal(ls.n, 0);
}

/*
 * A day whose full-text index is behind (a write failed: the rows past
 * its mark are not in it) is searched on its documents: every query, on
 * every plan, and every aggregation finds what query_match() finds.
 * Without an index to ask (opts.index NULL) the search compares each
 * partition's mark with its rows.
 */
static void
index_behind_finds_everything(void **state)
{
	static const int plans[] = { 0, SEARCH_PLAN_WALK, SEARCH_PLAN_CHECK };
	static const char *aggs[] = { "failed | count", "* | count",
	    "root OR kernel | count", "failed | count by hostname",
	    "password | top 3 hostname", "-sshd | histogram 1h" };
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 }, want_ls = { 0 };
	char	 saved[sizeof(dir)], cmd[512], q[512];
	int64_t	 want[NEV], mark = ((D0 / DAY + 2) << 36) | (PER_DAY - 40);
	size_t	 i, k, pl, n;

	(void)state;
	memcpy(saved, dir, sizeof(dir));
	snprintf(dir, sizeof(dir), "/tmp/ward-search2.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir %s/events && cp %s/events/"
	    "2026-11-27.db %s/events/", dir, saved, dir);
	assert_int_equal(system(cmd), 0);
	write_index_upto(dir, mark);
	for (i = 0; i < sizeof(agree) / sizeof(agree[0]); i++)
		for (pl = 0; pl < 3; pl++) {
			struct query_error qe;
			struct query *pq;

			snprintf(q, sizeof(q), "receivedtimestamp:[2026-11-27 TO"
			    " 2026-11-28} AND (%s)", *agree[i] ? agree[i] : "*");
			/* (severity:E*) does not parse (proto/query.c). */
			if (query_parse(q, NOW, &pq, &qe) == -1)
				continue;
			query_free(pq);
			n = expected(q, 0, 0, want);
			memset(&o, 0, sizeof(o));
			o.force_plan = plans[pl];
			o.limit = NEV;
			assert_int_equal(search(agree[i], &o, &ls, &info), 0);
			if (ls.n != n)
				fail_msg("'%s' plan %d: %zu rows, want %zu",
				    agree[i], plans[pl], ls.n, n);
			for (k = 0; k < n; k++)
				if (line_id(ls.l[k]) != want[k])
					fail_msg("'%s' plan %d: row %zu differs",
					    agree[i], plans[pl], k);
			lines_free(&ls);
		}
	/* Aggregations: the same rows as on a whole index. */
	for (i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++) {
		memset(&o, 0, sizeof(o));
		assert_int_equal(search(aggs[i], &o, &ls, &info), 0);
		write_index_upto(dir, INT64_MAX);
		assert_int_equal(search(aggs[i], &o, &want_ls, &info), 0);
		write_index_upto(dir, mark);
		assert_int_equal(ls.n, want_ls.n);
		assert_true(want_ls.n > 0);
		for (k = 0; k < ls.n; k++)
			assert_string_equal(ls.l[k], want_ls.l[k]);
		lines_free(&ls);
		lines_free(&want_ls);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	memcpy(dir, saved, sizeof(dir));
}

/*
 * A day whose index file is missing, empty, not a database or truncated
 * (deleted by hand, a disk error, an old copy) is searched on its
 * documents alone, an empty index standing in for the file: every query,
 * on every plan, and every aggregation finds what it finds with the
 * whole index.  (With a hub, the text index is told and rebuilds the
 * file: tests/e2e/t80-index-rebuild.sh.)
 */
static void
index_file_damaged_finds_everything(void **state)
{
	static const int plans[] = { 0, SEARCH_PLAN_WALK, SEARCH_PLAN_CHECK };
	static const char *aggs[] = { "failed | count", "* | count",
	    "root OR kernel | count", "failed | count by hostname",
	    "password | top 3 hostname", "-sshd | histogram 1h" };
	static const char *damage[] = {
		"rm -f %s",
		": >%s",
		"head -c 40000 /dev/urandom >%s",
		"f=%s; truncate -s $(($(stat -c %%s $f) / 2)) $f",
	};
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 }, want_ls[6];
	char	 saved[sizeof(dir)], cmd[512], q[512], ix[256];
	int64_t	 want[NEV];
	size_t	 i, k, pl, n, v;

	(void)state;
	memcpy(saved, dir, sizeof(dir));
	snprintf(dir, sizeof(dir), "/tmp/ward-search3.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir %s/events && cp %s/events/"
	    "2026-11-27.db %s/events/", dir, saved, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(ix, sizeof(ix), "%s/events/2026-11-27.fts", dir);
	/* The aggregations over the whole index. */
	write_index_upto(dir, INT64_MAX);
	for (i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++) {
		memset(&want_ls[i], 0, sizeof(want_ls[i]));
		memset(&o, 0, sizeof(o));
		assert_int_equal(search(aggs[i], &o, &want_ls[i], &info), 0);
		assert_true(want_ls[i].n > 0);
	}
	for (v = 0; v < sizeof(damage) / sizeof(damage[0]); v++) {
		write_index_upto(dir, INT64_MAX);
		snprintf(cmd, sizeof(cmd), damage[v], ix);
		assert_int_equal(system(cmd), 0);
		for (i = 0; i < sizeof(agree) / sizeof(agree[0]); i++)
			for (pl = 0; pl < 3; pl++) {
				struct query_error qe;
				struct query *pq;

				snprintf(q, sizeof(q), "receivedtimestamp:"
				    "[2026-11-27 TO 2026-11-28} AND (%s)",
				    *agree[i] ? agree[i] : "*");
				if (query_parse(q, NOW, &pq, &qe) == -1)
					continue;
				query_free(pq);
				n = expected(q, 0, 0, want);
				memset(&o, 0, sizeof(o));
				o.force_plan = plans[pl];
				o.limit = NEV;
				if (search(agree[i], &o, &ls, &info) != 0)
					fail_msg("'%s' (%s) plan %d failed",
					    agree[i], damage[v], plans[pl]);
				if (ls.n != n)
					fail_msg("'%s' (%s) plan %d: %zu rows, "
					    "want %zu", agree[i], damage[v],
					    plans[pl], ls.n, n);
				for (k = 0; k < n; k++)
					if (line_id(ls.l[k]) != want[k])
						fail_msg("'%s' (%s) plan %d: row "
						    "%zu differs", agree[i],
						    damage[v], plans[pl], k);
				lines_free(&ls);
			}
		for (i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++) {
			memset(&o, 0, sizeof(o));
			assert_int_equal(search(aggs[i], &o, &ls, &info), 0);
			assert_int_equal(ls.n, want_ls[i].n);
			for (k = 0; k < ls.n; k++)
				assert_string_equal(ls.l[k], want_ls[i].l[k]);
			lines_free(&ls);
		}
	}
	for (i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++)
		lines_free(&want_ls[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	memcpy(dir, saved, sizeof(dir));
}

/* A partition created and not laid out yet (the writer's empty file, for
   the moment its day's first events are being stored) holds nothing, and
   searches keep nothing of what they saw of it: once the same file has
   its layout and its index, they read them as any other partition. */
static void
new_partition_is_read_once_laid_out(void **state)
{
	static const char *qs[] = { "password", "failed OR root",
	    "password | count", "hostname:web01 | count",
	    "root | count by hostname" };
	struct search_opts o;
	struct search_info info;
	struct lines ls = { 0 }, want_ls = { 0 };
	char	 saved[sizeof(dir)], other[sizeof(dir)], cmd[512], path[160];
	size_t	 i, k, n;
	int	 fd, round;

	(void)state;
	memcpy(saved, dir, sizeof(dir));
	snprintf(dir, sizeof(dir), "/tmp/ward-search3.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/events/2026-11-27.db", dir);
	assert_true((fd = open(path, O_RDWR | O_CREAT, 0600)) != -1);
	close(fd);
	/* Twice each: a search read through the pool's connections too. */
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
			memset(&o, 0, sizeof(o));
			o.limit = NEV;
			assert_int_equal(search(qs[i], &o, &ls, &info), 0);
			for (k = 0; k < ls.n; k++)
				if (strstr(ls.l[k], "\"count\":0") == NULL)
					fail_msg("'%s' on an empty file: %s",
					    qs[i], ls.l[k]);
			lines_free(&ls);
		}
	/* Laid out as the writer does: the index file, then the layout in
	   the same file. */
	write_index_upto(dir, INT64_MAX);
	snprintf(cmd, sizeof(cmd), "cat %s/events/2026-11-27.db >%s",
	    saved, path);
	assert_int_equal(system(cmd), 0);
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
			n = strcspn(qs[i], "|");
			snprintf(cmd, sizeof(cmd), "receivedtimestamp:"
			    "[2026-11-27 TO 2026-11-28} AND (%.*s)%s", (int)n,
			    qs[i], qs[i] + n);
			memset(&o, 0, sizeof(o));
			o.limit = NEV;
			assert_int_equal(search(qs[i], &o, &ls, &info), 0);
			memcpy(other, dir, sizeof(dir));
			memcpy(dir, saved, sizeof(dir));
			memset(&o, 0, sizeof(o));
			o.limit = NEV;
			assert_int_equal(search(cmd, &o, &want_ls, &info), 0);
			memcpy(dir, other, sizeof(dir));
			assert_true(want_ls.n > 0);
			assert_int_equal(ls.n, want_ls.n);
			for (k = 0; k < ls.n; k++)
				assert_string_equal(ls.l[k], want_ls.l[k]);
			lines_free(&ls);
			lines_free(&want_ls);
		}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	memcpy(dir, saved, sizeof(dir));
}

static void
timeout_is_reported(void **state)
{
	struct search_opts o = { 0 };
	struct search_info info;
	struct lines ls = { 0 };
	char	 err[256];
	int	 pos;

	o.now_us = NOW;
	o.timeout_ms = 20;
	o.limit = NEV;
	ls.sleep_ms = 5;
	assert_int_equal(search_run(dir, "*", &o, collect, &ls, &info, err,
	    sizeof(err), &pos), -1);
	assert_true(info.timed_out);
	assert_non_null(strstr(err, "timed out"));
	assert_int_equal(pos, -1);
	assert_true(ls.n < NEV);
	lines_free(&ls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_query_match),
		cmocka_unit_test(rows_are_the_stored_document_with_id_first),
		cmocka_unit_test(plans_agree),
		cmocka_unit_test(field_prefilter_is_exact),
		cmocka_unit_test(newest_first_across_partitions_and_limit),
		cmocka_unit_test(limit_in_one_partition_is_reported),
		cmocka_unit_test(time_bounds_span_day_boundaries),
		cmocka_unit_test(aggregations_merge_partitions),
		cmocka_unit_test(count_by_agrees_with_sqlite_json),
		cmocka_unit_test(count_by_is_the_same_on_any_threads),
		cmocka_unit_test(fields_and_sort),
		cmocka_unit_test(errors_and_hostile_input),
		cmocka_unit_test(index_behind_finds_everything),
		cmocka_unit_test(index_file_damaged_finds_everything),
		cmocka_unit_test(new_partition_is_read_once_laid_out),
		cmocka_unit_test(timeout_is_reported),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
