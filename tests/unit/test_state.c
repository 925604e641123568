/* Unit tests for hub/collab/state: state.db's schema, its version and
   the migration of a file from before versions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "state.h"

static int
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int	 v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
new_file_gets_every_table_and_a_version(void **state)
{
	char	 err[256];
	sqlite3	*db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(state_schema(db, err, sizeof err), 0);
	assert_true(one_int(db, "PRAGMA user_version") >= 1);
	assert_int_equal(one_int(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('tokens', 'token_use', "
	    "'users', 'incidents', 'timeline', 'tasks', 'observables', "
	    "'sightings', 'links', 'oplog', 'audit', 'alerts', "
	    "'alert_timeline', 'rules_state')"), 14);
	assert_int_equal(one_int(db, "SELECT count(*) FROM rules_state"), 1);
	/* again: nothing to do, nothing changes */
	assert_int_equal(state_schema(db, err, sizeof err), 0);
	assert_int_equal(one_int(db, "SELECT count(*) FROM rules_state"), 1);
	sqlite3_close(db);
}

static void
file_from_before_versions_is_migrated(void **state)
{
	char	 err[256];
	sqlite3	*db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	/* the two tables as a ward of before their last columns made them */
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE rules_state(id "
	    "INTEGER PRIMARY KEY CHECK(id = 1), requested INTEGER NOT NULL "
	    "DEFAULT 0, requested_by TEXT, requested_at TEXT, applied INTEGER "
	    "NOT NULL DEFAULT 0, loaded_at TEXT, rules INTEGER NOT NULL "
	    "DEFAULT 0, errors TEXT NOT NULL DEFAULT '[]');"
	    "INSERT INTO rules_state(id, rules) VALUES(1, 7);"
	    "CREATE TABLE alerts(id INTEGER PRIMARY KEY, rule TEXT NOT NULL, "
	    "rule_id TEXT NOT NULL, level TEXT NOT NULL, severity TEXT NOT "
	    "NULL, summary TEXT NOT NULL, category TEXT NOT NULL, tags TEXT "
	    "NOT NULL DEFAULT '[]', group_key TEXT NOT NULL, count INTEGER NOT "
	    "NULL, matches INTEGER NOT NULL, events TEXT NOT NULL DEFAULT "
	    "'[]', samples TEXT NOT NULL DEFAULT '[]', first_seen TEXT NOT "
	    "NULL, last_seen TEXT NOT NULL, created TEXT NOT NULL, updated "
	    "TEXT NOT NULL, status TEXT NOT NULL, acknowledged_by TEXT, "
	    "acknowledged_at TEXT, escalated_by TEXT, escalated_at TEXT, "
	    "closed_by TEXT, closed_at TEXT, incident INTEGER, rev INTEGER NOT "
	    "NULL, change TEXT NOT NULL);", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(state_schema(db, err, sizeof err), 0);
	assert_true(one_int(db, "PRAGMA user_version") >= 1);
	assert_int_equal(sqlite3_exec(db, "SELECT logsources FROM rules_state; "
	    "SELECT attributes FROM alerts", NULL, NULL, NULL), SQLITE_OK);
	/* what the file held is kept */
	assert_int_equal(one_int(db, "SELECT rules FROM rules_state"), 7);
	sqlite3_close(db);
}

static void
file_from_a_newer_ward_is_refused(void **state)
{
	char	 err[256];
	sqlite3	*db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 9999", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(state_schema(db, err, sizeof err), -1);
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(one_int(db, "SELECT count(*) FROM sqlite_master"), 0);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_file_gets_every_table_and_a_version),
		cmocka_unit_test(file_from_before_versions_is_migrated),
		cmocka_unit_test(file_from_a_newer_ward_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
