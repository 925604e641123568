/*
 * libFuzzer target: HTTP framing through the hub's real front door.
 *
 * Once, a hub is built as wardd builds it (state.db with a shipper and a
 * reader token, the store, the net with its lws callbacks, the pipeline
 * and the sessions; no rules) in a fresh directory, listening on
 * loopback, its net thread serving as in wardd.  Each input is one
 * connection: the bytes are written as they are (pipelined, truncated,
 * lying about their length), "TOKEN" and "READER" replaced by the tokens
 * so that ingest and search are reached, then the client reads until the
 * hub closes or stays silent.  A crash, a sanitizer report or a hub that
 * stops answering /healthz is a finding.
 *
 *   make fuzz && build/fuzz/fuzz_http -max_len=4096 tests/fuzz/http_seeds
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commit.h"
#include "hub.h"
#include "net.h"
#include "pipeline.h"
#include "session.h"
#include "state.h"
#include "store.h"
#include "tokens.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define IDLE_MS	30	/* silence that ends an input */

static struct hub h;
static int port;
static char shipper[64], reader[64];
static volatile sig_atomic_t stop, other;

static void *
net_thread(void *arg)
{
	net_run(h.net, &stop, &other);
	return NULL;
}

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_http: %s: %s\n", what, err);
	abort();
}

/* Build the hub once. */
static void
setup(void)
{
	static char dir[] = "/tmp/ward-fuzz-http.XXXXXX";
	struct net_opts no = { 0 };
	struct pipeline_opts po = { 0 };
	pthread_t t;
	sqlite3	*db;
	char	 err[512];
	int	 i;

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	h.datadir = dir;
	snprintf(h.hostname, sizeof h.hostname, "fuzz");
	snprintf(h.statedb, sizeof h.statedb, "%s/state.db", dir);
	if ((db = state_open(dir, err, sizeof err)) == NULL)
		die("state", err);
	if (token_add(db, "fz", TOKEN_SHIPPER, shipper, err, sizeof err) ||
	    token_add(db, "fzr", TOKEN_READER, reader, err, sizeof err))
		die("token", err);
	sqlite3_close(db);
	if ((h.store = store_open(dir, &h.m, err, sizeof err)) == NULL)
		die("store", err);
	if ((h.tokens = tokens_new(h.statedb)) == NULL)
		die("tokens", "cannot read");
	no.host = "127.0.0.1";
	no.max_body = 1 << 20;
	no.datadir = dir;
	if ((h.commit = commit_new(&h, 8, err, sizeof err)) == NULL)
		die("commit", err);
	for (i = 0; i < 50 && h.net == NULL; i++) {
		no.port = port = 20000 + (int)((getpid() * 7 + i * 131) % 12000);
		h.net = net_new(&no, &h, err, sizeof err);
	}
	if (h.net == NULL)
		die("net", err);
	if (sessions_start(&h, err, sizeof err) == -1)
		die("sessions", err);
	po.workers = 1;
	po.max_inflated = 4 << 20;
	po.max_depth = 64;
	po.hub = h.hostname;
	if (store_start(h.store, commit_done, h.commit) == -1 ||
	    (h.pipe = pipeline_new(&po, h.store, &h.m)) == NULL)
		die("pipeline", "cannot start");
	commit_set_pipeline(h.commit, h.pipe);
	if (pthread_create(&t, NULL, net_thread, NULL) != 0)
		die("thread", strerror(errno));
}

static int
dial(void)
{
	struct sockaddr_in sa;
	int	 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("connect", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Read what comes until the hub closes or is silent for ms.  Returns the
   bytes read. */
static size_t
drain(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char	 buf[16384];
	size_t	 total = 0;
	ssize_t	 n;

	while (poll(&p, 1, ms) == 1) {
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			break;
		total += (size_t)n;
	}
	return total;
}

/* The input with TOKEN and READER replaced by the tokens. */
static char *
expand(const uint8_t *d, size_t len, size_t *outlen)
{
	char	*o = malloc(len * 16 + 1);
	size_t	 i, n = 0;

	if (o == NULL)
		abort();
	for (i = 0; i < len; i++) {
		if (len - i >= 5 && memcmp(d + i, "TOKEN", 5) == 0) {
			n += (size_t)sprintf(o + n, "%s", shipper);
			i += 4;
		} else if (len - i >= 6 && memcmp(d + i, "READER", 6) == 0) {
			n += (size_t)sprintf(o + n, "%s", reader);
			i += 5;
		} else
			o[n++] = (char)d[i];
	}
	*outlen = n;
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	const char probe[] = "GET /healthz HTTP/1.1\r\nHost: f\r\n\r\n";
	char	*in, buf[64];
	size_t	 n, off = 0;
	ssize_t	 w;
	int	 fd;

	if (!ready) {
		setup();
		ready = 1;
	}
	in = expand(data, len, &n);
	fd = dial();
	/* 512 bytes at a time, reading answers between, so requests
	   arrive both whole and split across reads. */
	while (off < n) {
		size_t	 part = n - off;

		if (part > 512)
			part = 512;
		if ((w = write(fd, in + off, part)) <= 0)
			break;
		off += (size_t)w;
		drain(fd, 0);
	}
	shutdown(fd, SHUT_WR);
	drain(fd, IDLE_MS);
	close(fd);
	free(in);
	/* The hub still answers. */
	fd = dial();
	if (write(fd, probe, sizeof probe - 1) != (ssize_t)(sizeof probe - 1))
		die("probe", "cannot write");
	{
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 10000) != 1 || read(fd, buf, 12) < 12 ||
		    memcmp(buf, "HTTP/1.1 200", 12) != 0)
			die("probe", "the hub stopped answering /healthz");
	}
	close(fd);
	return 0;
}
