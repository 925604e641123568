/* service — what wardd does for a service manager: readiness and reload
 * notices to systemd (sd_notify's datagram, written here: no libsystemd),
 * and dropping root for --user once ports and files are open. */
#ifndef WARD_SERVICE_H
#define WARD_SERVICE_H

#include <stddef.h>

/*
 * Send state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...") to
 * the socket in $NOTIFY_SOCKET, when there is one (run by systemd with
 * Type=notify).  Returns 1 sent, 0 no socket, -1 failed (errno).
 */
int	service_notify(const char *state);

/*
 * Refuse to run as root without a user to become, unless allow_root (or
 * WARD_ALLOW_ROOT=1 in the environment).  Returns 0, or -1 with err.
 */
int	service_root_check(const char *user, int allow_root, char *err,
	    size_t errlen);

/*
 * Before the hub opens its files, as root with --user: create datadir
 * for user if it is missing (or check it is the user's), and act as
 * user (effective ids) so that every file it creates is the user's;
 * service_drop() later makes it for good.  user NULL: nothing.
 * Returns 0, or -1 with err.
 */
int	service_act_as(const char *user, const char *datadir, char *err,
	    size_t errlen);

/*
 * Become user (its uid, gid and groups; no_new_privs) after the hub has
 * bound its ports and opened datadir, which must be the user's (new day
 * partitions are created in it later).  user NULL: nothing.  Returns 0,
 * or -1 with err.
 */
int	service_drop(const char *user, const char *datadir, char *err,
	    size_t errlen);

#endif
