/*
 * users — the people who may open a console: name, role, Ed25519 public
 * key, in the users table of DATA/state.db.  Backs `wardd user add|list|del`
 * and the hub's handshake (users_find).
 */
#ifndef WARD_USERS_H
#define WARD_USERS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "auth.h"
#include "wire.h"

struct users_entry {
	char		 name[WIRE_MAX_NAME + 1];
	enum role	 role;
	unsigned char	 pk[AUTH_PK_BYTES];
	char		 comment[AUTH_MAX_COMMENT + 1];
	char		 created[32];	/* ISO 8601 UTC */
};

/*
 * Add a person.  name must be a valid user name (wire_valid_name), role
 * one of viewer, handler, lead, admin, and the key must not belong to
 * another user.  comment may be NULL.  Returns 0, or -1 with err (for
 * example "user NAME exists").
 */
int	users_add(sqlite3 *db, const char *name, enum role role,
	    const unsigned char pk[AUTH_PK_BYTES], const char *comment,
	    char *err, size_t errlen);
/* Remove a person.  Returns 0, or -1 with err ("no user NAME"). */
int	users_del(sqlite3 *db, const char *name, char *err, size_t errlen);
/* Change a person's role.  Returns 0 or -1 with err. */
int	users_set_role(sqlite3 *db, const char *name, enum role role,
	    char *err, size_t errlen);
/* Look name up.  Returns 1 and fills *e when found, 0 when there is no
   such user, -1 on error (err). */
int	users_find(sqlite3 *db, const char *name, struct users_entry *e,
	    char *err, size_t errlen);
/*
 * Call cb for each user in name order; e is valid during the call only.
 * cb returns 0 to go on, anything else to stop (users_list then returns
 * that value).  Returns 0, cb's stop value, or -1 with err.
 */
int	users_list(sqlite3 *db, int (*cb)(const struct users_entry *e,
	    void *arg), void *arg, char *err, size_t errlen);

/*
 * An admin's user op over the protocol: req is a validated op request
 * (wire_check_op) named "user.add" ({name, role, key: a .pub line}),
 * "user.del" ({name}) or "user.role" ({name, role}), made by actor.
 * Refuses what would leave the hub without an admin, and an actor
 * removing or demoting themselves (another admin, or `wardd user` on the
 * hub's machine, may).  Returns WIRE_OK with *result ({"name","role",...};
 * the caller owns it), or the refusal's code with err.  Neither audits
 * nor closes sessions: the caller does both.
 */
enum wire_err	users_apply(sqlite3 *db, const char *actor, const json_t *req,
		    json_t **result, char *err, size_t errlen);

/* The user.list query: [{"name","role","created","key","comment"}] in
   name order ("key": the public key, base64).  WIRE_OK with *result (the
   caller owns it), else WIRE_EINTERNAL with err. */
enum wire_err	users_list_json(sqlite3 *db, json_t **result, char *err,
		    size_t errlen);

#endif
