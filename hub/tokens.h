/* tokens — bearer tokens for shippers and search clients.  Only their
 * BLAKE2b hashes are stored; the token itself is shown once. */
#ifndef WARD_TOKENS_H
#define WARD_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum token_role { TOKEN_NONE, TOKEN_SHIPPER, TOKEN_READER };

#define TOKENS_SCHEMA \
	"CREATE TABLE IF NOT EXISTS tokens(" \
	" name TEXT PRIMARY KEY, role TEXT NOT NULL," \
	" hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);"

/* "shipper" or "reader" to its role; TOKEN_NONE otherwise. */
enum token_role	 token_role_parse(const char *);
const char	*token_role_name(enum token_role);

/*
 * Create a token named name with role r in db and write it (NUL-terminated,
 * at most 64 bytes) to out.  Returns 0, or -1 with err (name taken, bad
 * name, database error).
 */
int	token_add(sqlite3 *db, const char *name, enum token_role r,
	    char out[64], char *err, size_t errlen);

struct tokens;

/* An in-memory verifier over the tokens table of the state db at path;
   NULL on failure.  Used by the net thread only. */
struct tokens	*tokens_new(const char *statedb_path);
void		 tokens_free(struct tokens *);

/*
 * Check an Authorization header value (may be NULL): "Bearer T", "Basic
 * base64(user:T)" or "ApiKey base64(id:T)" (or "ApiKey T").  Returns the
 * token's role, or TOKEN_NONE when missing or unknown.  A miss rereads the
 * table when the database changed, so tokens added while the hub runs
 * work at once.
 * name (if not NULL, namelen bytes) gets the token's name.
 */
enum token_role	 tokens_check(struct tokens *, const char *authz,
		    char *name, size_t namelen);

#endif
