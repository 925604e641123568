/* datafile — the file steps that writers of the data directory take
 * around their own writes: fsync a file or a directory by its name (the
 * archive's renames and unlinks, the backup's copies).  No state. */
#ifndef WARD_DATAFILE_H
#define WARD_DATAFILE_H

#include <stddef.h>

/*
 * Flush path, a file or a directory, to the disk: a file's bytes, or a
 * directory's entries (a rename, a new file or an unlink in it is durable
 * only once its directory is).  Returns 0, or -1 with err naming path.
 */
int	datafile_fsync(const char *path, char *err, size_t errlen);

#endif
