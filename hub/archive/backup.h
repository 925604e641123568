/* backup — a consistent copy of a data directory, hub running or not,
 * that is itself a data directory: `wardd --data DEST` starts from it. */
#ifndef WARD_BACKUP_H
#define WARD_BACKUP_H

#include <stddef.h>
#include <stdint.h>

struct backup_stats {
	size_t	 days_copied;	/* partitions copied this run */
	size_t	 days_kept;	/* closed days DEST had already */
	size_t	 files;		/* other files copied (key, rules, ...) */
	uint64_t bytes;		/* copied in all */
};

/*
 * Copy datadir into dest (created if missing): state.db and every
 * partition through SQLite's online backup (each a snapshot that holds
 * every transaction committed before its copy began), the hub key,
 * ward.conf, rules, parsers, plugins, and the archive.  A closed day
 * (over for an hour) DEST holds already, unchanged since, is not copied
 * again.  Every file is written under a temporary name, synced and
 * renamed.  Returns 0 with *st, or -1 with err.
 */
int	backup_run(const char *datadir, const char *dest, int64_t now_us,
	    struct backup_stats *st, char *err, size_t errlen);

#endif
