/* sqlx — see sqlx.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sqlx.h"
#include "timeparse.h"

int
sqlx_bindv(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const char *s;
	int	 i, rc = SQLITE_OK;

	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (fmt[i]) {
		case 't':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i + 1, s, -1,
			    SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			break;
		}
	}
	return rc;
}

int
sqlx_run(sqlite3_stmt *st)
{
	int	 rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
sqlx_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int	 rc;

	*v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

json_t *
sqlx_row_json(sqlite3_stmt *st)
{
	const char *name, *text;
	json_t	*o, *v;
	int	 i, n;

	if ((o = json_object()) == NULL)
		return NULL;
	n = sqlite3_column_count(st);
	for (i = 0; i < n; i++) {
		name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			if (strcmp(name, "ioc") == 0)
				v = json_boolean(sqlite3_column_int(st, i));
			else
				v = json_integer(sqlite3_column_int64(st, i));
			break;
		case SQLITE_NULL:
			v = json_null();
			break;
		default:
			text = (const char *)sqlite3_column_text(st, i);
			if (strcmp(name, "tags") == 0 ||
			    strcmp(name, "data") == 0)
				v = json_loads(text, 0, NULL);
			else
				v = json_string(text);
			if (v == NULL)
				v = json_null();
			break;
		}
		if (json_object_set_new(o, name, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* sqlx_prep with the arguments in ap. */
static sqlite3_stmt *
prepv(sqlite3 *db, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlx_bindv(st, fmt, ap) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
sqlx_prep(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list	 ap;

	va_start(ap, fmt);
	st = prepv(db, sql, fmt, ap);
	va_end(ap);
	return st;
}

int
sqlx_exec(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list	 ap;

	va_start(ap, fmt);
	st = prepv(db, sql, fmt, ap);
	va_end(ap);
	return sqlx_run(st);
}

json_t *
sqlx_rows(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	json_t	*a = NULL, *o;
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	st = prepv(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL || (a = json_array()) == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((o = sqlx_row_json(st)) == NULL ||
		    json_array_append_new(a, o) != 0)
			goto fail;
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return a;
fail:
	sqlite3_finalize(st);
	json_decref(a);
	return NULL;
}

void
sqlx_iso(int64_t t_us, char *out, size_t outlen)
{
	struct tm tm;
	time_t	 s;
	int64_t	 ms;
	char	 b[24];

	if (t_us < 0)
		t_us = 0;
	s = (time_t)(t_us / 1000000);
	ms = (t_us / 1000) % 1000;
	gmtime_r(&s, &tm);
	if (strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		b[0] = '\0';
	snprintf(out, outlen, "%.19s.%03dZ", b, (int)ms);
}

void
sqlx_iso_now(char *out, size_t outlen)
{
	sqlx_iso(time_now_us(), out, outlen);
}
