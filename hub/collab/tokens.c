/*
 * tokens — bearer tokens.  See tokens.h.  The verifier keeps the table in
 * memory (a handful of rows) and reloads it when state.db changes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "errf.h"
#include "tokens.h"

#define HASH_HEX	(crypto_generichash_BYTES * 2 + 1)

#define USE_EVERY	60		/* seconds between token_use writes */

struct entry {
	char		 hash[HASH_HEX];
	char		 name[64];
	enum token_role	 role;
	int64_t		 used;		/* last use written, epoch seconds */
};

struct tokens {
	sqlite3		*db;		/* kept open; writes token_use only */
	sqlite3_stmt	*version;	/* PRAGMA data_version */
	sqlite3_stmt	*use;		/* INSERT OR REPLACE INTO token_use */
	struct entry	*e;
	size_t		 n;
	int64_t		 loaded;	/* data_version of the last load */
};

enum token_role
token_role_parse(const char *s)
{
	if (s == NULL)
		return TOKEN_NONE;
	if (strcmp(s, "shipper") == 0)
		return TOKEN_SHIPPER;
	if (strcmp(s, "reader") == 0)
		return TOKEN_READER;
	return TOKEN_NONE;
}

const char *
token_role_name(enum token_role r)
{
	return r == TOKEN_SHIPPER ? "shipper" : r == TOKEN_READER ? "reader" :
	    "none";
}

static void
hash_hex(const char *tok, size_t len, char out[HASH_HEX])
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof h, (const unsigned char *)tok, len,
	    NULL, 0);
	sodium_bin2hex(out, HASH_HEX, h, sizeof h);
}

int
token_add(sqlite3 *db, const char *name, enum token_role r, char out[64],
    char *err, size_t errlen)
{
	unsigned char raw[24];
	char	 hex[HASH_HEX], b64[sodium_base64_ENCODED_LEN(24,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	sqlite3_stmt *st = NULL;
	size_t	 i;
	int	 rc = -1;

	if (sodium_init() == -1)
		return errf(err, errlen, "libsodium failed to start");
	if (r == TOKEN_NONE)
		return errf(err, errlen, "role must be shipper or reader");
	if (*name == '\0' || strlen(name) >= 64)
		return errf(err, errlen, "token name must be 1-63 characters");
	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("-_.@", name[i]) == NULL) {
			errf(err, errlen, "token name '%s': only letters,"
			    " digits and - _ . @ are allowed", name);
			return -1;
		}
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, 64, "ward_%s", b64);
	hash_hex(out, strlen(out), hex);
	if (sqlite3_prepare_v2(db, "INSERT INTO tokens VALUES (?,?,?,?)", -1,
	    &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, token_role_name(r), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(db) ==
		    SQLITE_CONSTRAINT_PRIMARYKEY) {
			errf(err, errlen, "a token named '%s' exists",
			    name);
			goto out;
		}
		goto sqlfail;
	}
	rc = 0;
	goto out;
sqlfail:
	errf(err, errlen, "tokens: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sodium_memzero(raw, sizeof raw);
	return rc;
}

int
token_del(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int	 rc = -1;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto sqlfail;
	if (sqlite3_prepare_v2(db, "DELETE FROM tokens WHERE name = ?", -1,
	    &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlfail;
	if (sqlite3_changes(db) == 0) {
		errf(err, errlen, "no token named '%.63s' (see: wardd "
		    "token list)", name);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM token_use WHERE name = ?",
	    -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto sqlfail;
	rc = 0;
	goto out;
sqlfail:
	errf(err, errlen, "tokens: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	if (rc != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
token_list(sqlite3 *db, int (*cb)(const struct token_info *, void *),
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct token_info ti;
	int	 rc = -1, r;

	if (sqlite3_prepare_v2(db, "SELECT t.name, t.role, t.created, "
	    "coalesce(u.last_used, 0) FROM tokens t LEFT JOIN token_use u "
	    "USING (name) ORDER BY t.name", -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ti, 0, sizeof ti);
		snprintf(ti.name, sizeof ti.name, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		ti.role = token_role_parse((const char *)sqlite3_column_text(st,
		    1));
		ti.created = sqlite3_column_int64(st, 2);
		ti.last_used = sqlite3_column_int64(st, 3);
		if ((r = cb(&ti, arg)) != 0) {
			rc = r;
			goto out;
		}
	}
	if (r != SQLITE_DONE)
		goto sqlfail;
	rc = 0;
	goto out;
sqlfail:
	errf(err, errlen, "tokens: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	return rc;
}

static int64_t
data_version(struct tokens *t)
{
	int64_t	 v = -1;

	if (sqlite3_step(t->version) == SQLITE_ROW)
		v = sqlite3_column_int64(t->version, 0);
	sqlite3_reset(t->version);
	return v;
}

/* Reread the table if it changed since the last load.  Keeps the old list
   when the database can't be read. */
static void
reload(struct tokens *t)
{
	sqlite3_stmt *st = NULL;
	struct entry *e = NULL, *ne;
	size_t	 n = 0;
	int64_t	 v = data_version(t);
	int	 r;

	if (v == t->loaded)
		return;
	if (sqlite3_prepare_v2(t->db, "SELECT t.hash, t.name, t.role, "
	    "coalesce(u.last_used, 0) FROM tokens t LEFT JOIN token_use u "
	    "USING (name)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ne = realloc(e, (n + 1) * sizeof *e)) == NULL)
			goto out;
		e = ne;
		snprintf(e[n].hash, sizeof e[n].hash, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		snprintf(e[n].name, sizeof e[n].name, "%s",
		    (const char *)sqlite3_column_text(st, 1));
		e[n].role = token_role_parse(
		    (const char *)sqlite3_column_text(st, 2));
		e[n].used = sqlite3_column_int64(st, 3);
		n++;
	}
	if (r != SQLITE_DONE)
		goto out;		/* keep the old list whole */
	free(t->e);
	t->e = e;
	t->n = n;
	t->loaded = v;
	e = NULL;
out:
	free(e);
	sqlite3_finalize(st);
}

struct tokens *
tokens_new(const char *path)
{
	struct tokens *t;

	if (sodium_init() == -1 || (t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	t->loaded = -2;
	/* Writes from here (token_use) must never stall the net thread:
	   no fsync, never a checkpoint (the hub's other connections do
	   them), and no waiting for the lock (see note_use). */
	if (sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || sqlite3_exec(t->db, "PRAGMA synchronous=OFF;"
	    "PRAGMA wal_autocheckpoint=0;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(t->db, "PRAGMA data_version", -1,
	    &t->version, NULL) != SQLITE_OK || sqlite3_prepare_v2(t->db,
	    "INSERT OR REPLACE INTO token_use(name, last_used) VALUES(?, ?)",
	    -1, &t->use, NULL) != SQLITE_OK) {
		tokens_free(t);
		return NULL;
	}
	sqlite3_busy_timeout(t->db, 1000);
	reload(t);
	return t;
}

void
tokens_free(struct tokens *t)
{
	if (t == NULL)
		return;
	sqlite3_finalize(t->version);
	sqlite3_finalize(t->use);
	sqlite3_close(t->db);
	free(t->e);
	free(t);
}

/* The token inside an Authorization value into tok; 0 or -1. */
static int
extract(const char *authz, char *tok, size_t toklen)
{
	unsigned char dec[256];
	size_t	 declen;
	const char *p, *colon;

	if (strncasecmp(authz, "Bearer ", 7) == 0) {
		p = authz + 7;
		while (*p == ' ')
			p++;
		snprintf(tok, toklen, "%s", p);
		return 0;
	}
	if (strncasecmp(authz, "Basic ", 6) == 0)
		p = authz + 6;
	else if (strncasecmp(authz, "ApiKey ", 7) == 0)
		p = authz + 7;
	else
		return -1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "ward_", 5) == 0) {	/* ApiKey with the raw token */
		snprintf(tok, toklen, "%s", p);
		return 0;
	}
	if (sodium_base642bin(dec, sizeof dec - 1, p, strlen(p), " ", &declen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	dec[declen] = '\0';
	colon = strchr((char *)dec, ':');
	snprintf(tok, toklen, "%s", colon ? colon + 1 : (char *)dec);
	sodium_memzero(dec, sizeof dec);
	return 0;
}

/* e was just accepted: record it when its last record is a minute old.
   A busy database skips the record (tried again on the next use). */
static void
note_use(struct tokens *t, struct entry *e)
{
	int64_t	 now = (int64_t)time(NULL);

	if (now - e->used < USE_EVERY)
		return;
	e->used = now;
	sqlite3_busy_timeout(t->db, 0);
	sqlite3_bind_text(t->use, 1, e->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(t->use, 2, now);
	(void)sqlite3_step(t->use);
	sqlite3_reset(t->use);
	sqlite3_clear_bindings(t->use);
	sqlite3_busy_timeout(t->db, 1000);
}

enum token_role
tokens_check(struct tokens *t, const char *authz, char *name, size_t namelen)
{
	char	 tok[300], hex[HASH_HEX];
	size_t	 i;

	if (authz == NULL || extract(authz, tok, sizeof tok) == -1 ||
	    *tok == '\0')
		return TOKEN_NONE;
	hash_hex(tok, strlen(tok), hex);
	sodium_memzero(tok, sizeof tok);
	/* Every check asks whether state.db changed (PRAGMA data_version),
	   so a token deleted by `wardd token del` in another process is
	   refused on its next request, not only after a miss.  A whole
	   check costs 10 us a request on a loaded 2-core machine
	   (bench_access), the reload after a change about 40 us. */
	reload(t);
	for (i = 0; i < t->n; i++)
		if (sodium_memcmp(t->e[i].hash, hex, HASH_HEX - 1) == 0) {
			if (name != NULL)
				snprintf(name, namelen, "%s", t->e[i].name);
			note_use(t, &t->e[i]);
			return t->e[i].role;
		}
	return TOKEN_NONE;
}
