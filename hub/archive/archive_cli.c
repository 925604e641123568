/*
 * archive_cli — the archive commands of wardd(8):
 *
 *	wardd archive --data DIR [--older-than AGE] [--archive-dir D] [DAY...]
 *	wardd archive list --data DIR
 *	wardd restore --data DIR [--archive-dir D] DAY...
 *	wardd backup --data DIR DEST
 *
 * They work on the files alone, whether or not a hub runs on DIR
 * (hub/archive/archive.c says how the two keep out of each other's way).
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "args.h"
#include "archive_cli.h"
#include "backup.h"
#include "timeparse.h"

/*
 * The commands run below a hub's ingest and searches, as the retention
 * thread does (nice 10, and so the zstd workers they start): a hub on the
 * same cores keeps its answers in time, and these take the rest.  A 10M-
 * event day (8.8 GB) while a hub takes 50,000 events/s on 2 cores:
 * archive 229 MB/s and ingest p99 1,024 ms at nice 0; 222 MB/s and
 * p99 89 ms at nice 10 (restore 381 and 397 MB/s).
 */
#define CLI_NICE	10

static void
below_the_hub(void)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) < CLI_NICE && errno == 0)
		(void)setpriority(PRIO_PROCESS, 0, CLI_NICE);
}

/* Options common to the three; returns 0 or the exit status. */
static int
opts(int argc, char **argv, const char **data, const char **archdir,
    const char **older, int *optidx)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "archive-dir", required_argument, NULL, 'a' },
		{ "older-than", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	int	 c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': *data = optarg; break;
		case 'a': *archdir = optarg; break;
		case 'o':
			if (older == NULL)
				return ARGS_USAGE;
			*older = optarg;
			break;
		default: return ARGS_USAGE;
		}
	}
	if (*data == NULL) {
		fprintf(stderr, "wardd: %s%s: --data DIR is required\n",
		    strcmp(argv[0], "list") == 0 ? "archive " : "", argv[0]);
		return ARGS_USAGE;
	}
	*optidx = optind;
	return 0;
}

static void
size_text(uint64_t b, char *out, size_t outlen)
{
	if (b >= (uint64_t)10 << 30)
		snprintf(out, outlen, "%" PRIu64 "G", b >> 30);
	else if (b >= (uint64_t)10 << 20)
		snprintf(out, outlen, "%" PRIu64 "M", b >> 20);
	else if (b >= (uint64_t)10 << 10)
		snprintf(out, outlen, "%" PRIu64 "K", b >> 10);
	else
		snprintf(out, outlen, "%" PRIu64, b);
}

static int
list(const char *data)
{
	struct archive_day *v;
	char	 err[512], name[11], t1[TIME_ISO_LEN], t2[TIME_ISO_LEN];
	char	 lb[16], ab[16];
	size_t	 n, i;

	if (archive_list(data, 1, &v, &n, err, sizeof err) == -1) {
		fprintf(stderr, "wardd: archive list: %s\n", err);
		return 1;
	}
	printf("%-10s  %-8s  %10s  %-20s  %-20s  %8s  %8s\n", "DAY", "STATE",
	    "EVENTS", "FIRST", "LAST", "LIVE", "ARCHIVED");
	for (i = 0; i < n; i++) {
		archive_day_name(v[i].day, name);
		time_format(v[i].first_us, t1);
		time_format(v[i].last_us, t2);
		t1[19] = t2[19] = 'Z';
		t1[20] = t2[20] = '\0';
		size_text(v[i].live_bytes, lb, sizeof lb);
		size_text(v[i].archive_bytes, ab, sizeof ab);
		printf("%-10s  %-8s  %10" PRId64 "  %-20s  %-20s  %8s  %8s\n",
		    name, v[i].live && v[i].archived ? "restored" :
		    v[i].live ? "live" : "archived", v[i].events, t1, t2,
		    v[i].live ? lb : "-", v[i].archived ? ab : "-");
	}
	free(v);
	return 0;
}

int
archive_cli(int argc, char **argv)
{
	const char *data = NULL, *archdir = NULL, *older = NULL;
	int64_t	*days = NULL, age, now = time_now_us();
	long	 n = 0, i;
	uint64_t bytes;
	int64_t	 events;
	enum archive_did did;
	char	 err[1024], name[11];
	int	 rc, idx, failed = 0;

	if (argc > 1 && strcmp(argv[1], "list") == 0) {
		if ((rc = opts(argc - 1, argv + 1, &data, &archdir, NULL,
		    &idx)) != 0)
			return rc;
		if (idx != argc - 1)
			return ARGS_USAGE;
		return list(data);
	}
	if ((rc = opts(argc, argv, &data, &archdir, &older, &idx)) != 0)
		return rc;
	if ((older == NULL) == (idx == argc)) {
		fprintf(stderr, "wardd: archive: name days, or --older-than "
		    "AGE (not both)\n");
		return ARGS_USAGE;
	}
	if (older != NULL) {
		if (time_parse_duration(older, &age) == -1 || age < 0) {
			fprintf(stderr, "wardd: archive: --older-than %s: "
			    "expected an age such as 90d\n", older);
			return 2;
		}
		if ((n = archive_older_than(data, age, now, &days, err,
		    sizeof err)) == -1) {
			fprintf(stderr, "wardd: archive: %s\n", err);
			return 1;
		}
		if (n == 0)
			printf("no day older than %s to archive\n", older);
	} else {
		n = argc - idx;
		if ((days = calloc((size_t)n, sizeof *days)) == NULL)
			return 1;
		for (i = 0; i < n; i++)
			if ((days[i] = archive_parse_day(argv[idx + i])) ==
			    -1) {
				fprintf(stderr, "wardd: archive: '%s': expected "
				    "a day, YYYY-MM-DD\n", argv[idx + i]);
				free(days);
				return 2;
			}
	}
	below_the_hub();
	for (i = 0; i < n; i++) {
		archive_day_name(days[i], name);
		if (archive_day(data, archdir, days[i], now, 0, &did, &bytes,
		    &events, err, sizeof err) < 0) {
			fprintf(stderr, "wardd: archive: %s\n", err);
			failed = 1;
			continue;
		}
		printf("%s: %s\n", name, did == ARCHIVE_ALREADY ?
		    "archived already" : did == ARCHIVE_REUSED ?
		    "archived (the archive held it already)" : "archived");
	}
	free(days);
	return failed;
}

int
restore_cli(int argc, char **argv)
{
	const char *data = NULL, *archdir = NULL;
	char	 err[1024];
	int64_t	 day;
	int	 rc, idx, i, failed = 0;

	if ((rc = opts(argc, argv, &data, &archdir, NULL, &idx)) != 0)
		return rc;
	if (idx == argc)
		return ARGS_USAGE;
	below_the_hub();
	for (i = idx; i < argc; i++) {
		if ((day = archive_parse_day(argv[i])) == -1) {
			fprintf(stderr, "wardd: restore: '%s': expected a day, "
			    "YYYY-MM-DD\n", argv[i]);
			failed = 1;
			continue;
		}
		if (archive_restore(data, archdir, day, err, sizeof err) ==
		    -1) {
			fprintf(stderr, "wardd: restore: %s\n", err);
			failed = 1;
			continue;
		}
		printf("%s: restored\n", argv[i]);
	}
	return failed;
}

int
backup_cli(int argc, char **argv)
{
	const char *data = NULL, *archdir = NULL;
	struct backup_stats st;
	char	 err[1024];
	int	 rc, idx;

	if ((rc = opts(argc, argv, &data, &archdir, NULL, &idx)) != 0)
		return rc;
	if (idx != argc - 1 || archdir != NULL)
		return ARGS_USAGE;
	below_the_hub();
	if (backup_run(data, argv[idx], time_now_us(), &st, err,
	    sizeof err) == -1) {
		fprintf(stderr, "wardd: backup: %s\n", err);
		return 1;
	}
	printf("backup of %s in %s: state.db, %zu days copied, %zu unchanged "
	    "since the last backup, %zu other files, %" PRIu64 " bytes\n",
	    data, argv[idx], st.days_copied, st.days_kept, st.files,
	    st.bytes);
	return 0;
}
