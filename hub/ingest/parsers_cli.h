/* parsers_cli — wardd parsers check: the offline command for people who
 * write decoders (ward-parsers(5)). */
#ifndef WARD_PARSERS_CLI_H
#define WARD_PARSERS_CLI_H

/*
 * wardd parsers check [-v] FILE|DIR...: argv[0] is "check".  Loads the
 * decoders ("file:line: reason" on standard error for each that does not
 * load), then runs every file's samples through the whole set: each line
 * of samples/NAME.match.ndjson beside NAME.yml must be matched by a
 * decoder of NAME.yml and leave the fields its "expect" names as given;
 * no line of NAME.nomatch.ndjson may be.  With -v, prints each decoder
 * loaded ("file:line: name").  Ends with one summary line on standard
 * output.  Returns the exit status: 0 when everything loads and every
 * sample passes, 1 otherwise, ARGS_USAGE (args.h) on a usage error.
 */
int	parsers_cli_check(int argc, char **argv);

#endif
