/*
 * Readiness: systemd's Type=notify waits for "READY=1" on the datagram
 * socket named by $NOTIFY_SOCKET (a path, or "@name" in the abstract
 * namespace).  The protocol is one sendto(2); linking libsystemd for it
 * would add a dependency to every build.
 *
 * Privileges, as OpenBSD daemons do: open what needs root first (a port
 * below 1024, the data directory, TLS keys), then become the service
 * user for good — groups, gid, uid, in that order, and no_new_privs so
 * that nothing the hub runs (plugin hosts) can regain them.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "errf.h"
#include "service.h"

int
service_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	size_t	 n;
	int	 fd, rc;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return 0;
	n = strlen(path);
	if (n >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (path[0] == '/'));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, len) == -1 ? -1 : 1;
	close(fd);
	return rc;
}

int
service_root_check(const char *user, int allow_root, char *err,
    size_t errlen)
{
	const char *env = getenv("WARD_ALLOW_ROOT");

	if (geteuid() != 0 || user != NULL || allow_root ||
	    (env != NULL && strcmp(env, "1") == 0))
		return 0;
	errf(err, errlen, "refusing to run as root: give --user NAME (the "
	    "hub becomes NAME once its port and files are open), or "
	    "--allow-root");
	return -1;
}

static int
owned(const struct passwd *pw, const char *user, const char *datadir,
    char *err, size_t errlen)
{
	struct stat sb;

	if (stat(datadir, &sb) == -1)
		return errf(err, errlen, "%s: %s", datadir, strerror(errno));
	if (sb.st_uid != pw->pw_uid)
		return errf(err, errlen, "--user %s: %s belongs to uid %u, not "
		    "%s (chown -R %s: %s)", user, datadir,
		    (unsigned)sb.st_uid, user, user, datadir);
	return 0;
}

int
service_act_as(const char *user, const char *datadir, char *err,
    size_t errlen)
{
	struct passwd *pw;

	if (user == NULL || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL)
		return errf(err, errlen, "--user %s: no such user", user);
	if (mkdir(datadir, 0750) == 0 && chown(datadir, pw->pw_uid,
	    pw->pw_gid) == -1)
		return errf(err, errlen, "%s: chown: %s", datadir,
		    strerror(errno));
	if (owned(pw, user, datadir, err, errlen) == -1)
		return -1;
	if (setegid(pw->pw_gid) == -1 || seteuid(pw->pw_uid) == -1) {
		errf(err, errlen, "--user %s: %s", user, strerror(errno));
		return -1;
	}
	return 0;
}

int
service_drop(const char *user, const char *datadir, char *err,
    size_t errlen)
{
	struct passwd *pw;

	if (user == NULL)
		return 0;
	if ((pw = getpwnam(user)) == NULL)
		return errf(err, errlen, "--user %s: no such user", user);
	if (getuid() == 0 && geteuid() != 0 && seteuid(0) == -1) {
		/* back from service_act_as() to drop for good */
		errf(err, errlen, "--user %s: %s", user, strerror(errno));
		return -1;
	}
	if (owned(pw, user, datadir, err, errlen) == -1)
		return -1;
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return 0;	/* that user already */
		return errf(err, errlen, "--user %s: only root can become "
		    "another user", user);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		errf(err, errlen, "--user %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {		/* must be gone for good */
		return errf(err, errlen, "--user %s: root could be regained",
		    user);
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}
