/*
 * bench_access — what revocation and handshake throttling cost: a bearer
 * token check (the hash, the PRAGMA data_version that notices a token
 * deleted by another process, the lookup) when nothing changed and right
 * after state.db changed; and a refused handshake's bookkeeping in the
 * throttle (check, charge, audit coalescing) under a flood of varied
 * names.
 *
 *   bench_access [-n CHECKS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "state.h"
#include "throttle.h"
#include "tokens.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	char	 dir[] = "/tmp/ward-bench-access.XXXXXX", path[128], tok[64];
	char	 authz[128], err[256], user[32], cmd[160];
	struct throttle *t;
	struct tokens *tk;
	sqlite3	*db;
	double	 t0, us;
	long	 i, n = 200000;
	int	 ch, rows = 0;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n') {
			fprintf(stderr, "usage: bench_access [-n CHECKS]\n");
			return 2;
		}
		n = atol(optarg);
	}
	if (mkdtemp(dir) == NULL || (db = state_open(dir, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "bench_access: %s\n", err);
		return 1;
	}
	if (token_add(db, "bench", TOKEN_SHIPPER, tok, err, sizeof err) ==
	    -1 || token_add(db, "other", TOKEN_READER, authz, err,
	    sizeof err) == -1) {
		fprintf(stderr, "bench_access: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof path, "%s/state.db", dir);
	if ((tk = tokens_new(path)) == NULL) {
		fprintf(stderr, "bench_access: cannot open %s\n", path);
		return 1;
	}
	snprintf(authz, sizeof authz, "Bearer %s", tok);
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (tokens_check(tk, authz, NULL, 0) != TOKEN_SHIPPER)
			return 1;
	us = (now_us() - t0) / n;
	printf("tokens_check, state.db unchanged: %.2f us a request (%ld)\n",
	    us, n);
	t0 = now_us();
	for (i = 0; i < 2000; i++) {
		sqlite3_exec(db, "UPDATE tokens SET created = created "
		    "WHERE name = 'other'", NULL, NULL, NULL);
		if (tokens_check(tk, authz, NULL, 0) != TOKEN_SHIPPER)
			return 1;
	}
	printf("tokens_check after each commit by another connection "
	    "(reload), with that commit: %.2f us (2000)\n",
	    (now_us() - t0) / 2000);
	tokens_free(tk);
	sqlite3_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;

	if ((t = throttle_new()) == NULL)
		return 1;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		snprintf(user, sizeof user, "u%ld", i % 5000);
		throttle_check(t, "198.51.100.7", user, (int64_t)i * 1000);
		throttle_fail(t, "198.51.100.7", user, (int64_t)i * 1000);
		rows += throttle_refused(t, "198.51.100.7", user, 5,
		    "no such user", (int64_t)i * 1000);
	}
	us = (now_us() - t0) / n;
	printf("throttle, a refused handshake (5000 names, one address): "
	    "%.2f us; %d of %ld refusals audited one by one\n", us, rows, n);
	throttle_free(t);
	return 0;
}
