/*
 * throttle — how the hub slows failed console handshakes, and how it keeps
 * their audit short.  Pure bookkeeping: no clock of its own (callers pass
 * now, in nanoseconds of a monotonic clock), no I/O, no locks; the session
 * worker owns one.
 *
 * Failures are counted twice: against the source address and against the
 * claimed user (the key a console says it holds).  The first THROTTLE_FREE
 * failures of either are free; after that each one doubles its wait, up to
 * THROTTLE_MAX_SECS.  A handshake is refused unheard (no lookup, no
 * signature check) only while both its address and its user are waiting:
 * so an attacker behind a NAT or proxy does not lock out the other people
 * there, and one guessing a name from many addresses does not lock out
 * its owner; a good key from a clean address or for an untargeted user
 * always gets in.  Failures fade after THROTTLE_FORGET seconds.
 *
 * Refusals are audited once per (address, user) per THROTTLE_WINDOW
 * seconds: the first as it happens, the rest as one summary row with their
 * count when the window ends.  Past THROTTLE_PER_ADDR users from one
 * address, the others are counted together as user "*"; past
 * THROTTLE_ROWS itemised pairs in a window, every further pair is counted
 * together as ("*", "*").  So a flood writes a bounded number of rows a
 * minute whatever it varies.
 */
#ifndef WARD_THROTTLE_H
#define WARD_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_SLOTS		256	/* addresses, users remembered (each) */
#define THROTTLE_FREE		3	/* failures before any wait */
#define THROTTLE_MAX_SECS	60	/* the longest wait */
#define THROTTLE_FORGET		600	/* failures fade after this */
#define THROTTLE_WINDOW		60	/* seconds per audit summary */
#define THROTTLE_PER_ADDR	8	/* users itemised per address */
#define THROTTLE_ROWS		64	/* pairs itemised per window */
#define THROTTLE_REFS		160	/* pairs counted at once: two windows' worth */

#define THROTTLE_ID_MAX		72	/* an address or a user name, NUL incl. */

struct throttle;

/* A summary to write: refusals after the first of a window. */
struct throttle_summary {
	const char	*addr;		/* "*": several */
	const char	*user;		/* "*": several; "-": none claimed */
	int		 count;		/* refusals not audited one by one */
	int		 secs;		/* over this many seconds */
	int		 code;		/* of the last of them */
	const char	*why;		/* ... and its reason */
};

/* A new, empty throttle; NULL when out of memory. */
struct throttle	*throttle_new(void);
void		 throttle_free(struct throttle *);

/*
 * May a handshake from addr claiming user (NULL: none yet) be heard?
 * Returns 0 when it may; otherwise the seconds (>= 1) to wait before both
 * its address and its user are free again.
 */
int	throttle_check(struct throttle *, const char *addr, const char *user,
	    int64_t now_ns);
/* A handshake failed in a way that counts (a bad signature, an unknown
   user, a malformed auth): charge addr and user (may be NULL). */
void	throttle_fail(struct throttle *, const char *addr, const char *user,
	    int64_t now_ns);
/* user proved its key: its failures are forgotten (the address's are
   not: others may still be failing there). */
void	throttle_ok(struct throttle *, const char *user);

/*
 * A handshake was refused (counted or not).  Returns 1 when this refusal
 * should be logged and audited now (the first of its pair in the window),
 * 0 when it was counted into a later summary.
 */
int	throttle_refused(struct throttle *, const char *addr,
	    const char *user, int code, const char *why, int64_t now_ns);
/*
 * Call cb for each summary whose window has ended (all of them when
 * force), then forget those pairs.  Returns how many summaries there were.
 */
int	throttle_flush(struct throttle *, int64_t now_ns, int force,
	    void (*cb)(const struct throttle_summary *, void *), void *arg);

#endif
