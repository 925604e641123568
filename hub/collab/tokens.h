/* tokens — bearer tokens for shippers and search clients.  Only their
 * BLAKE2b hashes are stored; the token itself is shown once. */
#ifndef WARD_TOKENS_H
#define WARD_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum token_role { TOKEN_NONE, TOKEN_SHIPPER, TOKEN_READER };

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

/* Remove the token named name (and its use record).  Returns 0, or -1
   with err ("no token NAME", database error). */
int	token_del(sqlite3 *db, const char *name, char *err, size_t errlen);

/* What `wardd token list` shows of a token: never the token or its hash. */
struct token_info {
	char		 name[64];
	enum token_role	 role;
	int64_t		 created;	/* epoch seconds */
	int64_t		 last_used;	/* epoch seconds; 0: not known */
};

/*
 * Call cb for each token in name order; ti is valid during the call only.
 * cb returns 0 to go on, anything else to stop (token_list then returns
 * that value).  Returns 0, cb's value, or -1 with err.
 */
int	token_list(sqlite3 *db, int (*cb)(const struct token_info *ti,
	    void *arg), void *arg, char *err, size_t errlen);

struct tokens;

/* An in-memory verifier over the tokens table of the state db at path;
   NULL on failure.  Used by the net thread only. */
struct tokens	*tokens_new(const char *statedb_path);
void		 tokens_free(struct tokens *);

/*
 * Check an Authorization header value (may be NULL): "Bearer T", "Basic
 * base64(user:T)" or "ApiKey base64(id:T)" (or "ApiKey T").  Returns the
 * token's role, or TOKEN_NONE when missing or unknown.  Each check rereads
 * the table when state.db changed since the last (PRAGMA data_version),
 * so tokens added or deleted while the hub runs count from the next
 * request.  A token accepted is recorded in token_use at most once a
 * minute, never waiting for a lock and without fsync (a lost last-use
 * time is harmless).
 * name (if not NULL, namelen bytes) gets the token's name.
 */
enum token_role	 tokens_check(struct tokens *, const char *authz,
		    char *name, size_t namelen);

#endif
