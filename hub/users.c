/*
 * users — the users table.  See users.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "errf.h"
#include "users.h"

#define USERS_SCHEMA \
	"CREATE TABLE IF NOT EXISTS users(" \
	" name TEXT PRIMARY KEY," \
	" role TEXT NOT NULL CHECK(role IN " \
	"('viewer','handler','lead','admin'))," \
	" pubkey BLOB NOT NULL UNIQUE CHECK(length(pubkey) = 32)," \
	" comment TEXT NOT NULL DEFAULT ''," \
	" created TEXT NOT NULL" \
	"  DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"

int
users_schema_init(sqlite3 *db, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, USERS_SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "users schema: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void
fill(sqlite3_stmt *st, struct users_entry *e)
{
	const void *pk;

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	e->role = role_parse((const char *)sqlite3_column_text(st, 1));
	pk = sqlite3_column_blob(st, 2);
	if (pk != NULL && sqlite3_column_bytes(st, 2) == AUTH_PK_BYTES)
		memcpy(e->pk, pk, AUTH_PK_BYTES);
	snprintf(e->comment, sizeof(e->comment), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	snprintf(e->created, sizeof(e->created), "%s",
	    (const char *)sqlite3_column_text(st, 4));
}

int
users_add(sqlite3 *db, const char *name, enum role role,
    const unsigned char pk[AUTH_PK_BYTES], const char *comment, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct users_entry e;
	int rc = -1, r;

	if (!wire_valid_name(name))
		return errf(err, errlen, "bad user name '%.64s' (1-%d of "
		    "A-Z a-z 0-9 . _ -, starting with a letter or digit)",
		    name ? name : "", WIRE_MAX_NAME);
	if (!role_is_person(role))
		return errf(err, errlen, "bad role for a person (viewer, "
		    "handler, lead, admin)");
	if ((r = users_find(db, name, &e, err, errlen)) != 0)
		return r < 0 ? -1 : errf(err, errlen, "user %s exists", name);
	if (sqlite3_prepare_v2(db, "INSERT INTO users(name, role, pubkey, "
	    "comment) VALUES(?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, pk, AUTH_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, comment ? comment : "", -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_CONSTRAINT) {
		errf(err, errlen, "that public key already belongs to another "
		    "user");
		goto fail;
	}
	if (r != SQLITE_DONE)
		goto sqlfail;
	rc = 0;
	goto fail;
sqlfail:
	errf(err, errlen, "users: %s", sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	return rc;
}

/* Run sql with name (and text2 when not NULL) bound; the row must exist. */
static int
change(sqlite3 *db, const char *sql, const char *name, const char *text2,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (text2 != NULL)
		sqlite3_bind_text(st, 2, text2, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
		goto fail;
	}
	if (sqlite3_changes(db) == 0) {
		errf(err, errlen, "no user %.64s", name);
		goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

int
users_del(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	if (name == NULL)
		return errf(err, errlen, "no user name");
	return change(db, "DELETE FROM users WHERE name = ?1", name, NULL,
	    err, errlen);
}

int
users_set_role(sqlite3 *db, const char *name, enum role role, char *err,
    size_t errlen)
{
	if (name == NULL)
		return errf(err, errlen, "no user name");
	if (!role_is_person(role))
		return errf(err, errlen, "bad role for a person (viewer, "
		    "handler, lead, admin)");
	return change(db, "UPDATE users SET role = ?2 WHERE name = ?1", name,
	    role_name(role), err, errlen);
}

int
users_find(sqlite3 *db, const char *name, struct users_entry *e, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, r;

	if (name == NULL)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT name, role, pubkey, comment, "
	    "created FROM users WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		if (e != NULL)
			fill(st, e);
		rc = 1;
	} else if (r == SQLITE_DONE)
		rc = 0;
	else
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	return rc;
}

int
users_list(sqlite3 *db, int (*cb)(const struct users_entry *, void *),
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct users_entry e;
	int rc = -1, r;

	if (sqlite3_prepare_v2(db, "SELECT name, role, pubkey, comment, "
	    "created FROM users ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
		goto fail;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		fill(st, &e);
		if ((r = cb(&e, arg)) != 0) {
			rc = r;
			goto fail;
		}
	}
	if (r != SQLITE_DONE) {
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
		goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}
