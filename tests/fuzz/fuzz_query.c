/*
 * libFuzzer target for the query language: parse any bytes; when they
 * parse, evaluate the query on fixed events in memory and run it through
 * the SQL path over a small partition holding the same events, and abort
 * if the two disagree (ASCII queries; non-ASCII case folding differs by
 * design, see ward-query.7).
 *
 *	make build/fuzz/fuzz_query
 *	build/fuzz/fuzz_query -max_total_time=60 -max_len=512
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "normalize.h"
#include "query.h"
#include "schema.h"
#include "search.h"
#include "timeparse.h"

#define NOW	1795780800000000LL	/* 2026-11-27T12:00:00Z */

static const char *docs[] = {
	"{\"utctimestamp\":\"2026-11-27T11:42:33.000000+00:00\","
	"\"receivedtimestamp\":\"2026-11-27T11:42:34.000000+00:00\","
	"\"category\":\"authentication\",\"severity\":\"WARNING\","
	"\"summary\":\"Failed password for root from 203.0.113.7 port 22\","
	"\"hostname\":\"web01.example.com\",\"processname\":\"sshd\","
	"\"processid\":4242,\"source\":\"syslog\",\"tags\":[\"ssh\",\"Brute\"],"
	"\"details\":{\"sourceipaddress\":\"203.0.113.7\",\"sourceport\":51234,"
	"\"bytes\":1500000,\"username\":\"root\",\"success\":false,"
	"\"ipv6\":\"2001:db8::1\",\"ratio\":0.5,\"count\":\"17\","
	"\"nothing\":null,\"nested\":{\"deep\":\"Deep Value\"}}}",
	"{\"utctimestamp\":\"2026-11-27T10:00:00.000000+00:00\","
	"\"receivedtimestamp\":\"2026-11-27T11:50:00.000000+00:00\","
	"\"category\":\"network\",\"severity\":\"INFO\","
	"\"summary\":\"connection from 10.1.2.3 closed\","
	"\"hostname\":\"DB02\",\"processname\":\"kernel\",\"processid\":1,"
	"\"source\":\"netflow\",\"tags\":[],\"details\":{\"sourceipaddress\":"
	"\"10.1.2.3\",\"bytes\":20,\"port\":443,\"name\":\"a b-c_d*e?f\"}}",
	"{\"utctimestamp\":\"2026-11-27T11:59:59.000000+00:00\","
	"\"receivedtimestamp\":\"2026-11-27T11:59:59.000000+00:00\","
	"\"category\":\"system\",\"severity\":\"CRITICAL\","
	"\"summary\":\"disk 91 percent full on db02\","
	"\"hostname\":\"db02\",\"processname\":\"df\",\"processid\":77,"
	"\"source\":\"syslog\",\"details\":{\"bytes\":9.5e9,\"user\":"
	"\"Robert\",\"ok\":true}}",
};
#define NDOCS	(sizeof(docs) / sizeof(docs[0]))

static json_t	*events[NDOCS];
static char	 datadir[64];

/* A partition of the current layout holding docs, and its index file. */
static void
build(void)
{
	char	 path[128];
	sqlite3	*db, *ixdb;
	sqlite3_stmt *ins, *doc, *fts;
	const char *tail;
	struct buf text;
	size_t	 i;

	snprintf(datadir, sizeof(datadir), "/tmp/ward-fuzzq.XXXXXX");
	if (mkdtemp(datadir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/events", datadir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/events/2026-11-27.db", datadir);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, SCHEMA_PARTITION "PRAGMA user_version = 4;",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO events SELECT ?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?10 -> '$.details.sourceipaddress',"
	    " ?10 -> '$.details.destinationipaddress',"
	    " ?10 -> '$.details.sourceport',"
	    " ?10 -> '$.details.destinationport',"
	    " ?10 -> '$.details.username', " SCHEMA_UTC_SECOND("?2") ";"
	    "INSERT INTO docs VALUES (?1, ?9, ?10)", -1, &ins, &tail) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, tail, -1, &doc, NULL) != SQLITE_OK)
		abort();
	snprintf(path, sizeof(path), "%s/events/2026-11-27.fts", datadir);
	if (sqlite3_open(path, &ixdb) != SQLITE_OK ||
	    sqlite3_exec(ixdb, SCHEMA_INDEX, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ixdb, "INSERT INTO fts(rowid, summary, text) "
	    "VALUES (?,?,?)", -1, &fts, NULL) != SQLITE_OK)
		abort();
	buf_init(&text);
	for (i = 0; i < NDOCS; i++) {
		json_t	*e = events[i] = json_loads(docs[i], 0, NULL);
		const char *sum = json_string_value(json_object_get(e,
		    "summary"));
		int64_t	 utc, rcv;

		if (time_parse(json_string_value(json_object_get(e,
		    "utctimestamp")), 0, &utc) == -1 ||
		    time_parse(json_string_value(json_object_get(e,
		    "receivedtimestamp")), 0, &rcv) == -1)
			abort();
		sqlite3_bind_int64(ins, 1, (int64_t)i + 1);
		sqlite3_bind_int64(ins, 2, utc);
		sqlite3_bind_int64(ins, 3, rcv);
		sqlite3_bind_int(ins, 4, severity_parse(json_string_value(
		    json_object_get(e, "severity"))));
		sqlite3_bind_text(ins, 5, json_string_value(json_object_get(e,
		    "category")), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, json_string_value(json_object_get(e,
		    "hostname")), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, json_string_value(json_object_get(e,
		    "processname")), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, json_string_value(json_object_get(e,
		    "source")), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 10, docs[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(doc, 1, (int64_t)i + 1);
		sqlite3_bind_text(doc, 9, sum, -1, SQLITE_STATIC);
		sqlite3_bind_text(doc, 10, docs[i], -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE ||
		    sqlite3_step(doc) != SQLITE_DONE)
			abort();
		sqlite3_reset(ins);
		sqlite3_reset(doc);
		buf_reset(&text);
		query_fts_text(e, &text);
		sqlite3_bind_int64(fts, 1, (int64_t)i + 1);
		sqlite3_bind_text(fts, 2, sum, -1, SQLITE_STATIC);
		sqlite3_bind_text(fts, 3, text.data ? text.data : "", -1,
		    SQLITE_TRANSIENT);
		if (sqlite3_step(fts) != SQLITE_DONE)
			abort();
		sqlite3_reset(fts);
	}
	buf_release(&text);
	sqlite3_finalize(ins);
	sqlite3_finalize(doc);
	sqlite3_finalize(fts);
	if (sqlite3_exec(db, "INSERT OR REPLACE INTO meta VALUES ('min_utc',"
	    " 0), ('max_utc', 9000000000000000), ('count', 3)", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(ixdb, "UPDATE meta SET value = 3 WHERE key ="
	    " 'indexed'", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	sqlite3_close(db);
	sqlite3_close(ixdb);
}

static int
collect(void *arg, const char *line, size_t len)
{
	unsigned *got = arg;
	json_t	*j = json_loadb(line, len, 0, NULL);
	json_int_t id;

	if (j == NULL)
		abort();
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	if (id < 1 || id > (json_int_t)NDOCS)
		abort();
	*got |= 1u << (id - 1);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	build();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_opts o = { 0 };
	struct search_info info;
	struct query_error e;
	struct query *q;
	char	*s, err[256];
	unsigned want = 0, got = 0;
	size_t	 i;
	int	 ascii = 1;

	if (size > QUERY_MAX_LEN + 16)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < size; i++)
		if (data[i] >= 0x80)
			ascii = 0;
	if (query_parse(s, NOW, &q, &e) == -1) {
		if (e.pos < 0 || (size_t)e.pos > size || e.msg[0] == '\0')
			abort();
		free(s);
		return 0;
	}
	for (i = 0; i < NDOCS; i++)
		if (query_match(q, events[i]))
			want |= 1u << i;
	if (q->agg == QUERY_AGG_NONE && !q->has_sort && q->nfields == 0 &&
	    q->head == 0 && ascii) {
		o.limit = NDOCS;
		o.now_us = NOW;
		o.timeout_ms = 2000;
		if (search_exec(datadir, q, &o, collect, &got, &info, err,
		    sizeof(err)) == -1) {
			if (!info.timed_out) {
				fprintf(stderr, "search failed: %s\n", err);
				abort();
			}
		} else if (got != want) {
			fprintf(stderr, "disagree on '%s': sql %#x mem %#x\n",
			    s, got, want);
			abort();
		}
	}
	query_free(q);
	free(s);
	return 0;
}
