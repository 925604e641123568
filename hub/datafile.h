/* datafile — the file steps that writers of the data directory take
 * around their own writes: create a database file private to its owner
 * (state.db, the day partitions and their indexes, a backup's copies),
 * and fsync a file or a directory by its name (the archive's renames and
 * unlinks, the backup's copies).  No state. */
#ifndef WARD_DATAFILE_H
#define WARD_DATAFILE_H

#include <stddef.h>

/*
 * Create the database file path, empty and mode 0600, unless it exists
 * (an existing file keeps its mode).  SQLite gives the -wal, -shm and
 * -journal files beside a database its file's mode, so they are the
 * owner's alone too, like the hub key.  Returns 0, or -1 with err.
 */
int	datafile_private(const char *path, char *err, size_t errlen);

/*
 * Flush path, a file or a directory, to the disk: a file's bytes, or a
 * directory's entries (a rename, a new file or an unlink in it is durable
 * only once its directory is).  Returns 0, or -1 with err naming path.
 */
int	datafile_fsync(const char *path, char *err, size_t errlen);

#endif
