/*
 * users — the users table.  See users.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "errf.h"
#include "users.h"

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

/* Format the reason into err and return code. */
static enum wire_err
refuse(enum wire_err code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* How many admins there are, or -1 with err. */
static int
admin_count(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int	 n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM users WHERE role = "
	    "'admin'", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		errf(err, errlen, "users: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return n;
}

static json_t *
entry_json(const struct users_entry *e)
{
	char	 b64[64];

	auth_pubkey_b64(e->pk, b64, sizeof b64);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", e->name, "role",
	    role_name(e->role), "created", e->created, "key", b64, "comment",
	    e->comment);
}

enum wire_err
users_apply(sqlite3 *db, const char *actor, const json_t *req,
    json_t **result, char *err, size_t errlen)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	const char *name = json_string_value(json_object_get(req, "name"));
	const char *rs = json_string_value(json_object_get(req, "role"));
	unsigned char pk[AUTH_PK_BYTES];
	char	 comment[AUTH_MAX_COMMENT + 1];
	struct users_entry e;
	enum role role = role_parse(rs);
	int	 r, admins;

	*result = NULL;
	if (op == NULL || name == NULL)
		return refuse(WIRE_EINVALID, err, errlen, "user op without a "
		    "name");
	if (strcmp(op, "user.add") == 0) {
		if (auth_pubkey_parse(json_string_value(json_object_get(req,
		    "key")), pk, comment, sizeof comment, err, errlen) != 0)
			return WIRE_EINVALID;
		if ((r = users_find(db, name, NULL, err, errlen)) != 0)
			return r < 0 ? WIRE_EINTERNAL : refuse(WIRE_ECONFLICT,
			    err, errlen, "user %s exists", name);
		if (users_add(db, name, role, pk, comment, err, errlen) != 0)
			return WIRE_ECONFLICT;	/* the key is someone's */
		goto done;
	}
	if ((r = users_find(db, name, &e, err, errlen)) <= 0)
		return r < 0 ? WIRE_EINTERNAL : refuse(WIRE_ENOTFOUND, err,
		    errlen, "no user %s", name);
	if (strcmp(op, "user.role") == 0 && e.role == role)
		return refuse(WIRE_ECONFLICT, err, errlen, "%s is already %s",
		    name, rs);
	if (actor != NULL && strcmp(actor, name) == 0)
		return refuse(WIRE_EFORBIDDEN, err, errlen, "you may not %s "
		    "yourself (another admin may, or wardd user on the hub)",
		    strcmp(op, "user.del") == 0 ? "remove" : "change the role "
		    "of");
	if (e.role == ROLE_ADMIN) {
		if ((admins = admin_count(db, err, errlen)) < 0)
			return WIRE_EINTERNAL;
		if (admins <= 1)
			return refuse(WIRE_EFORBIDDEN, err, errlen, "%s is the "
			    "last admin; make another admin first", name);
	}
	if (strcmp(op, "user.del") == 0) {
		if (users_del(db, name, err, errlen) != 0)
			return WIRE_EINTERNAL;
		if ((*result = json_pack("{s:s, s:s}", "name", name, "role",
		    role_name(e.role))) == NULL)
			goto oom;
		return WIRE_OK;
	}
	if (strcmp(op, "user.role") != 0)
		return refuse(WIRE_EINVALID, err, errlen, "op %s is not a user "
		    "op", op);
	if (users_set_role(db, name, role, err, errlen) != 0)
		return WIRE_EINTERNAL;
done:
	if ((r = users_find(db, name, &e, err, errlen)) != 1)
		return r < 0 ? WIRE_EINTERNAL : refuse(WIRE_EINTERNAL, err,
		    errlen, "user %s vanished", name);
	if ((*result = entry_json(&e)) == NULL)
		goto oom;
	return WIRE_OK;
oom:
	return refuse(WIRE_EINTERNAL, err, errlen, "out of memory");
}

static int
list_one(const struct users_entry *e, void *arg)
{
	return json_array_append_new((json_t *)arg, entry_json(e)) == 0 ? 0 :
	    -1;
}

enum wire_err
users_list_json(sqlite3 *db, json_t **result, char *err, size_t errlen)
{
	json_t	*a;

	*result = NULL;
	if ((a = json_array()) == NULL)
		return refuse(WIRE_EINTERNAL, err, errlen, "out of memory");
	*err = '\0';
	if (users_list(db, list_one, a, err, errlen) != 0) {
		json_decref(a);
		return *err ? WIRE_EINTERNAL : refuse(WIRE_EINTERNAL, err,
		    errlen, "out of memory");
	}
	*result = a;
	return WIRE_OK;
}
