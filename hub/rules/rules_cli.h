/* rules_cli — the offline rule commands: wardd rules check / test. */
#ifndef WARD_RULES_CLI_H
#define WARD_RULES_CLI_H

#include <stdint.h>

#include <jansson.h>

/*
 * wardd rules check [-v] FILE|DIR...: load the rules; argv[0] is
 * "check".  Prints "file:line: reason" on standard error for every rule
 * that does not load (with -v, also "file:line: id: title" on standard
 * output for every rule that does).  Returns the exit status: 0 when
 * every rule loads, 1 when one does not, 2 when out of memory;
 * ARGS_USAGE (args.h) on a usage error.
 */
int	rules_cli_check(int argc, char **argv);

/*
 * wardd rules test RULE EVENTS.ndjson: argv[0] is "test".  RULE is a
 * rule file (or directory); EVENTS holds one raw shipper event per line,
 * normalized as the hub would (rules_cli_replay).  Prints every event
 * involved in a match once, as NDJSON on standard output, and one line
 * per match on standard error ("events:LINE: title: summary").  Returns
 * the exit status: 0 if any event matched, 1 if none did, 2 when the
 * rule does not load or a file cannot be read; ARGS_USAGE (args.h) on a
 * usage error.
 */
int	rules_cli_test(int argc, char **argv);

/*
 * Normalize a raw event for replay, as if it arrived when it was sent:
 * the arrival time is the event's own receivedtimestamp when it has one
 * (a stored ward event does), else its utctimestamp, else now_us.
 * Sets *received_us.  Returns 0, or -1 (not an object, out of memory).
 */
int	rules_cli_replay(json_t *ev, int64_t now_us, int64_t *received_us);

#endif
