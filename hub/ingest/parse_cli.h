/* parse_cli — wardd parse: events as they would be stored, for people who
 * write decoders and plugins. */
#ifndef WARD_PARSE_CLI_H
#define WARD_PARSE_CLI_H

/*
 * wardd parse [--parsers DIR]... [--plugins DIR]... [--geoip FILE]
 * EVENTS.ndjson ("-": standard input); argv[0] is "parse".  Normalizes
 * each line's event as the hub would on arrival now, runs the transit
 * steps (default folders: share's parsers and plugins, as the hub's but
 * without a data directory) and prints each
 * event as it would be stored, one per line; dropped events are left out.
 * A line that is not a JSON object is reported on standard error as
 * "file:line: reason" and skipped.  Returns the exit status: 0, 1 when a
 * line was skipped, 2 on an unreadable file, or a decoder or plugin that
 * does not load ("file:line: reason" on standard error); or ARGS_USAGE
 * (args.h) on a usage error.
 */
int	parse_cli(int argc, char **argv, const char *share);

#endif
