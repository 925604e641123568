/* sqlx — the small SQLite helpers of the modules that keep state in
 * SQLite (incident.c, alertdb.c): prepare-and-bind in one call, run a
 * statement that returns no rows, rows as JSON objects, and the time
 * format state.db stores.  The schema itself is state.c's. */
#ifndef WARD_SQLX_H
#define WARD_SQLX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

/*
 * Bind one argument per letter of fmt to st's parameters 1, 2, ...: 't'
 * const char * (NULL binds NULL), 'i' int64_t, 'd' int.  Returns
 * SQLITE_OK or the first error.
 */
int		 sqlx_bindv(sqlite3_stmt *st, const char *fmt, va_list ap);

/*
 * Prepare sql and bind fmt's arguments (sqlx_bindv).  Returns the
 * statement, which the caller finalizes (sqlx_run, sqlx_rows_json or
 * sqlite3_finalize), or NULL (sqlite3_errmsg says why).
 */
sqlite3_stmt	*sqlx_prep(sqlite3 *db, const char *sql, const char *fmt, ...);

/* Step st (from sqlx_prep; NULL is a failure) to its end and finalize it.
   Returns 0 when it ran to SQLITE_DONE, else -1. */
int		 sqlx_run(sqlite3_stmt *st);

/* The first column of the first row of sql (no parameters) into *v: -1
   when there is no row or it is NULL.  Returns 0, or -1 on an error
   (sqlite3_errmsg says why). */
int		 sqlx_int(sqlite3 *db, const char *sql, int64_t *v);

/*
 * The current row of st as a new object keyed by column name (NULL when
 * out of memory).  By state.db's conventions a column named "tags" or
 * "data" holds JSON text and is parsed (null when it does not parse), and
 * an integer column named "ioc" is a boolean.
 */
json_t		*sqlx_row_json(sqlite3_stmt *st);

/* sqlx_run of sqlx_prep(db, sql, fmt, ...): for a statement that returns
   no rows.  0 or -1 (sqlite3_errmsg says why). */
int		 sqlx_exec(sqlite3 *db, const char *sql, const char *fmt, ...);

/* Run sql with fmt's arguments (sqlx_prep) and gather its rows
   (sqlx_row_json) in a new array.  NULL on failure. */
json_t		*sqlx_rows(sqlite3 *db, const char *sql, const char *fmt, ...);

/* "2026-11-27T17:42:33.123Z" for t_us µs since the epoch (before it:
   the epoch), into out (at least 32 bytes): the times state.db keeps. */
void		 sqlx_iso(int64_t t_us, char *out, size_t outlen);

/* sqlx_iso of the time now. */
void		 sqlx_iso_now(char *out, size_t outlen);

#endif
