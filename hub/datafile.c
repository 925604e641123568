/* datafile — see datafile.h.  A read-only descriptor is enough: on Linux
 * fsync(2) flushes the file, whatever the descriptor's mode, and a
 * directory opens for reading only. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "datafile.h"
#include "errf.h"

int
datafile_private(const char *path, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1)
		return errf(err, errlen, "%.300s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

int
datafile_fsync(const char *path, char *err, size_t errlen)
{
	int	 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errf(err, errlen, "%.300s: %s", path, strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return errf(err, errlen, "%.300s: fsync: %s", path,
		    strerror(errno));
	return 0;
}
