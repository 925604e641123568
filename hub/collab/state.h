/* state — DATA/state.db: tokens, users, incidents, alerts, op log, audit. */
#ifndef WARD_STATE_H
#define WARD_STATE_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * Open (creating) datadir/state.db in WAL mode with synchronous=FULL and
 * bring its schema up to date (state_schema).  Creates datadir (mode
 * 0750) if missing, and state.db mode 0600.  Fails too when the
 * catalogue has an op the hub has no handler for
 * (incident_check_handlers).  Returns the handle (the caller closes it
 * with sqlite3_close) or NULL with err.
 */
sqlite3	*state_open(const char *datadir, char *err, size_t errlen);

/*
 * Create every table of state.db that db lacks and migrate an older
 * file, once: a file already at this ward's schema version (PRAGMA
 * user_version) costs one read.  For a handle of one's own on state.db.
 * Returns 0, or -1 with err (a file from a newer ward is refused).
 */
int	 state_schema(sqlite3 *db, char *err, size_t errlen);

#endif
