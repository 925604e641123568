/* state — DATA/state.db: tokens, users, incidents, alerts, op log, audit. */
#ifndef WARD_STATE_H
#define WARD_STATE_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * Open (creating) datadir/state.db in WAL mode with synchronous=FULL and
 * create the tables of every module that keeps state there.  Creates
 * datadir (mode 0750) if missing, and state.db mode 0600.  Returns the handle (the caller closes
 * it with sqlite3_close) or NULL with err.
 */
sqlite3	*state_open(const char *datadir, char *err, size_t errlen);

#endif
