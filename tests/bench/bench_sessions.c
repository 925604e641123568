/*
 * bench_sessions — N authenticated console sessions on one incident.
 *
 *   bench_sessions [-n SESSIONS] [-w WARDD] [-k LATENCY_OPS] [-d SECONDS]
 *                  [-s SEARCHERS]
 *
 * Starts a private wardd (WARDD, default bin/wardd) on a fresh data dir
 * with N viewers and one lead, connects them all over ws://, does the real
 * Ed25519 handshake and subscribes each to incident:INC-1.  Then:
 *  1. hub RSS per idle session: VmRSS of wardd before and after;
 *  2. latency: the lead sends one note at a time; for each, the time until
 *     every one of the N sessions has its push (p50/p99/max);
 *  3. throughput: the lead keeps 64 notes in flight for SECONDS; ops/s
 *     acknowledged, and whether every session got every push.
 * With -s, instead of 1 and 3 (issue 22, "one user stalling everyone"):
 * the hub is given 3000 events with a 2000-byte field, and the lead's
 * latency, measured as in 2 plus the time to the lead's own reply, is
 * taken first alone and then while SEARCHERS viewers (each a user of its
 * own) keep 3 slow searches each in flight: a wildcard that fails late at
 * every offset of that field, which runs into the hub's 5 s limit.  Two
 * of each run, the third waits (the per-user cap); they take every search
 * thread.  Needs curl.
 * One thread drives every connection (one lws context), so the client
 * shares the machine with the hub: the figures are conservative.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "auth.h"
#include "buf.h"
#include "incident.h"
#include "state.h"
#include "users.h"
#include "version.h"
#include "wire.h"

#define WINDOW	64

struct bs {
	struct lws	*wsi;
	int		 idx;		/* 0: the lead */
	int		 state;		/* 0 hello, 1 welcome, 2 sub, 3 ready */
	struct auth_key	 key;
	char		 user[32];
	unsigned char	 hn[32], cn[32], hpk[32];
	struct buf	 rx;
	struct buf	 tx;		/* one pending frame (handshake) */
	int64_t		 last_seq;
	int64_t		 got;
	int		 want;		/* searches to send */
};

struct bench {
	int		 n;		/* viewers */
	struct bs	*s;		/* n + 1; s[n] is the lead */
	int		 ready;
	int		 phase;		/* 1 latency, 2 throughput */
	/* latency */
	int64_t		 lat_seq, t_send;
	int		 lat_i, lat_k;
	double		*lat;
	/* throughput */
	int		 inflight, stop_sending;
	int64_t		 acked, sent, first_seq, max_seq;
	int64_t		 delivered;
	int		 resyncs;
	int64_t		 next_id;
	int		*cnt;		/* pushes received, by seq */
	int		 closing;
	/* -s: slow searches */
	int		 nsearch;	/* viewers 0..nsearch-1 search */
	int		 searching;
	double		*rlat;		/* the lead's reply, by op */
	int64_t		 s_sent, s_answered, s_busy, s_other;
	char		*slow;		/* the query */
};

#define MAX_SEQ	(1 << 22)

static struct bench B;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long
rss_kb(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static void
queue_json(struct bs *b, json_t *m)
{
	char	*s;
	size_t	 len;

	s = wire_encode(m, &len);
	json_decref(m);
	buf_reset(&b->tx);
	buf_append(&b->tx, s, len);
	free(s);
	lws_callback_on_writable(b->wsi);
}

static void
send_note(struct bs *lead)
{
	json_t	*args = json_pack("{s:s, s:s}", "incident", "INC-1", "text",
	    "bench note");

	queue_json(lead, wire_op(++B.next_id, "incident.note", args));
	json_decref(args);
}

static int64_t
field_int(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void	 lat_record(void);

/* A searcher's next search into its tx. */
static void
search_frame(struct bs *b)
{
	json_t	*args = json_pack("{s:s}", "q", B.slow), *m;
	char	*s;
	size_t	 len;

	m = wire_query(++B.next_id, "search", args);
	json_decref(args);
	s = wire_encode(m, &len);
	json_decref(m);
	buf_reset(&b->tx);
	buf_append(&b->tx, s, len);
	free(s);
	b->want--;
	B.s_sent++;
}

static void
on_push(struct bs *b, const char *text)
{
	int64_t	 seq;

	if (b->idx < B.nsearch && (strncmp(text, "{\"type\":\"ok\"", 12) ==
	    0 || strncmp(text, "{\"type\":\"error\"", 15) == 0)) {
		if (strstr(text, "timed out") != NULL ||
		    strstr(text, "\"rows\"") != NULL)
			B.s_answered++;
		else if (strstr(text, "\"busy\"") != NULL)
			B.s_busy++;
		else {
			if (B.s_other++ == 0)
				fprintf(stderr, "search: %.300s\n", text);
		}
		if (B.searching) {
			b->want++;
			lws_callback_on_writable(b->wsi);
		}
		return;
	}
	seq = field_int(text, "\"seq\":");

	if (strstr(text, "\"type\":\"resync\"") != NULL) {
		B.resyncs++;
		return;
	}
	if (seq <= b->last_seq)
		return;
	b->last_seq = seq;
	b->got++;
	B.delivered++;
	if (seq < MAX_SEQ && ++B.cnt[seq] == B.n && B.phase == 1 &&
	    seq == B.lat_seq)
		lat_record();
}

static void
lat_record(void)
{
	B.lat[B.lat_i++] = (now_ns() - B.t_send) / 1e6;
	if (B.lat_i < B.lat_k) {
		B.lat_seq = -1;
		B.t_send = now_ns();
		send_note(&B.s[B.n]);
	}
}

static void
on_text(struct bs *b, const char *text, size_t len)
{
	struct wire_msg m;
	unsigned char sig[64];
	char	 err[256];

	if (b->state == 3) {
		if (b->idx == B.n) {		/* the lead: replies */
			if (strstr(text, "\"type\":\"ok\"") == NULL) {
				fprintf(stderr, "lead: %.300s\n", text);
				return;
			}
			if (B.phase == 1) {
				B.rlat[B.lat_i] = (now_ns() - B.t_send) / 1e6;
				B.lat_seq = field_int(text, "\"seq\":");
				if (B.lat_seq < MAX_SEQ &&
				    B.cnt[B.lat_seq] == B.n)
					lat_record();
			}
			else if (B.phase == 2) {
				B.acked++;
				B.inflight--;
				B.max_seq = field_int(text, "\"seq\":");
				if (!B.stop_sending)
					lws_callback_on_writable(b->wsi);
			}
			return;
		}
		on_push(b, text);
		return;
	}
	if (wire_decode(text, len, WIRE_FROM_HUB, &m, err, sizeof err) != 0) {
		fprintf(stderr, "session %d: %s\n", b->idx, err);
		return;
	}
	switch (b->state) {
	case 0:
		wire_b64_decode(json_string_value(json_object_get(m.root,
		    "hub_key")), b->hpk, 32);
		wire_b64_decode(json_string_value(json_object_get(m.root,
		    "nonce")), b->hn, 32);
		auth_nonce(b->cn);
		auth_console_sign(b->key.sk, b->hn, b->cn, b->hpk, b->user, NULL, sig);
		queue_json(b, wire_auth(b->user, b->cn, sig));
		b->state = 1;
		break;
	case 1:
		if (m.type != WIRE_WELCOME) {
			fprintf(stderr, "session %d refused: %.300s\n", b->idx,
			    text);
			break;
		}
		if (b->idx == B.n) {
			b->state = 3;
			B.ready++;
			break;
		}
		queue_json(b, wire_subscribe(1, "incident:INC-1", NULL, -1));
		b->state = 2;
		break;
	case 2:
		b->last_seq = m.seq;
		b->state = 3;
		B.ready++;
		break;
	}
	wire_msg_release(&m);
}

static int
cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct bs *b = lws_get_opaque_user_data(wsi);
	unsigned char *p;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "connect: %s\n", in ? (char *)in : "?");
		exit(1);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		buf_append(&b->rx, in, len);
		if (!lws_is_final_fragment(wsi) ||
		    lws_remaining_packet_payload(wsi))
			return 0;
		on_text(b, b->rx.data, b->rx.len);
		buf_reset(&b->rx);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (b->tx.len == 0 && b->idx < B.nsearch && B.searching &&
		    b->want > 0)
			search_frame(b);
		if (b->tx.len == 0 && b->idx == B.n && B.phase == 2 &&
		    !B.stop_sending && B.inflight < WINDOW) {
			send_note(b);
			B.inflight++;
			B.sent++;
		}
		if (b->tx.len == 0)
			return 0;
		if ((p = malloc(LWS_PRE + b->tx.len)) == NULL)
			return -1;
		memcpy(p + LWS_PRE, b->tx.data, b->tx.len);
		if (lws_write(wsi, p + LWS_PRE, b->tx.len, LWS_WRITE_TEXT) <
		    (int)b->tx.len) {
			free(p);
			return -1;
		}
		free(p);
		buf_reset(&b->tx);
		if ((b->idx == B.n && B.phase == 2 && B.inflight < WINDOW &&
		    !B.stop_sending) || (b->idx < B.nsearch && B.searching &&
		    b->want > 0))
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!B.closing)
			fprintf(stderr, "session %d closed\n", b->idx);
		return 0;
	default:
		break;
	}
	return 0;
}

static void
service_until(struct lws_context *ctx, int (*done)(void), int64_t ms)
{
	int64_t	 end = now_ns() + ms * 1000000;

	while (!done() && now_ns() < end)
		lws_service(ctx, 0);
}

static int all_ready(void) { return B.ready == B.n + 1; }
static int never(void) { return 0; }
static int lat_done(void) { return B.lat_i >= B.lat_k; }
static int all_delivered(void) {
	return B.delivered >= (int64_t)B.n * (B.max_seq - B.first_seq);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, int n, int p)
{
	int	 i = (n * p) / 100;

	return v[i < n ? i : n - 1];
}

/* One at a time, B.lat_k notes; print the lead's reply and op -> all. */
static void
lat_run(struct lws_context *ctx, const char *what)
{
	B.phase = 1;
	B.lat_i = 0;
	B.lat_seq = -1;
	B.t_send = now_ns();
	send_note(&B.s[B.n]);
	service_until(ctx, lat_done, 120000);
	B.phase = 0;
	if (B.lat_i == 0)
		return;
	qsort(B.lat, B.lat_i, sizeof *B.lat, cmp_double);
	qsort(B.rlat, B.lat_i, sizeof *B.rlat, cmp_double);
	printf("%s: lead's reply p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
	    "op -> all %d sessions p50 %.2f ms, p99 %.2f ms, max %.2f ms "
	    "(%d notes, one at a time)\n", what, pct(B.rlat, B.lat_i, 50),
	    pct(B.rlat, B.lat_i, 99), B.rlat[B.lat_i - 1], B.n,
	    pct(B.lat, B.lat_i, 50), pct(B.lat, B.lat_i, 99),
	    B.lat[B.lat_i - 1], B.lat_i);
}

/* -s: 3000 events with a 2000-byte details.pad, through the hub. */
static int
corpus(const char *wardd, const char *dir, int port)
{
	char	 cmd[1200], path[600];
	FILE	*f;
	int	 i, j;

	snprintf(path, sizeof path, "%s/pad.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	for (i = 0; i < 3000; i++) {
		fprintf(f, "{\"summary\":\"slow %d\",\"hostname\":\"h1\","
		    "\"details\":{\"pad\":\"", i);
		for (j = 0; j < 2000; j++)
			fputc('a', f);
		fputs("\"}}\n", f);
	}
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' token add --data '%s' bench "
	    "2>/dev/null | tail -n 1 >'%s/token' && curl -sf -o /dev/null "
	    "-H \"Authorization: Bearer $(cat '%s/token')\" --data-binary "
	    "@'%s' http://127.0.0.1:%d/events", wardd, dir, dir, dir, path,
	    port);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct lws_protocols protos[2];
	struct lws_context *ctx;
	const char *wardd = "bin/wardd";
	char	 dir[] = "/tmp/ward-bench.XXXXXX", err[512], portarg[64],
		 cmd[600];
	json_t	*args, *res = NULL;
	sqlite3	*db;
	pid_t	 hub;
	long	 rss0, rss1;
	int	 i, c, port, secs = 5;
	int64_t	 t0, t1;

	B.n = 200;
	B.lat_k = 300;
	while ((c = getopt(argc, argv, "n:w:k:d:s:")) != -1) {
		switch (c) {
		case 'n': B.n = atoi(optarg); break;
		case 'w': wardd = optarg; break;
		case 'k': B.lat_k = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 's': B.nsearch = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench_sessions [-n N] [-w WARDD] "
			    "[-k OPS] [-d SECONDS] [-s SEARCHERS]\n");
			return 2;
		}
	}
	if (B.n < 1 || B.lat_k < 1 || secs < 1 || B.nsearch < 0 ||
	    B.nsearch > B.n || mkdtemp(dir) == NULL || auth_init() == -1)
		return 2;
	B.rlat = calloc(B.lat_k, sizeof *B.rlat);
	if ((B.slow = malloc(1600)) == NULL)
		return 2;
	memcpy(B.slow, "details.pad:*", 13);
	memset(B.slow + 13, 'a', 1500);
	memcpy(B.slow + 1513, "b", 2);
	B.s = calloc(B.n + 1, sizeof *B.s);
	B.lat = calloc(B.lat_k, sizeof *B.lat);
	B.cnt = calloc(MAX_SEQ, sizeof *B.cnt);
	if ((db = state_open(dir, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i <= B.n; i++) {
		struct bs *b = &B.s[i];

		b->idx = i;
		snprintf(b->user, sizeof b->user, i == B.n ? "lead" : "v%d", i);
		auth_keygen(&b->key, NULL);
		if (users_add(db, b->user, i == B.n ? ROLE_LEAD : ROLE_VIEWER,
		    b->key.pk, NULL, err, sizeof err) == -1) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	args = json_pack("{s:s, s:s}", "op", "incident.create", "title",
	    "bench");
	if (incident_apply(db, "lead", ROLE_LEAD, args, &res, err,
	    sizeof err) != WIRE_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	json_decref(args);
	json_decref(res);
	sqlite3_close(db);

	port = 20000 + (int)(getpid() % 20000);
	snprintf(portarg, sizeof portarg, "127.0.0.1:%d", port);
	if ((hub = fork()) == 0) {
		int fd = open("/dev/null", 1);

		dup2(fd, 2);
		execl(wardd, wardd, "--data", dir, "--listen", portarg,
		    (char *)NULL);
		_exit(127);
	}
	usleep(500000);
	rss0 = rss_kb(hub);
	if (B.nsearch > 0 && corpus(wardd, dir, port) == -1) {
		fprintf(stderr, "bench_sessions: could not store the corpus "
		    "(curl?)\n");
		kill(hub, SIGTERM);
		return 1;
	}

	memset(protos, 0, sizeof protos);
	protos[0].name = "bench";
	protos[0].callback = cb;
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protos;
	info.fd_limit_per_thread = 1024 + B.n;
	if ((ctx = lws_create_context(&info)) == NULL)
		return 1;
	t0 = now_ns();
	for (i = 0; i <= B.n; i++) {
		memset(&ci, 0, sizeof ci);
		ci.context = ctx;
		ci.address = "127.0.0.1";
		ci.port = port;
		ci.path = "/ws";
		ci.host = ci.origin = "127.0.0.1";
		ci.protocol = WARD_PROTOCOL;
		ci.local_protocol_name = "bench";
		ci.opaque_user_data = &B.s[i];
		ci.pwsi = &B.s[i].wsi;
		if (lws_client_connect_via_info(&ci) == NULL) {
			fprintf(stderr, "connect %d failed\n", i);
			return 1;
		}
		if (i % 50 == 49)
			service_until(ctx, never, 20);
	}
	service_until(ctx, all_ready, 30000);
	t1 = now_ns();
	if (!all_ready()) {
		fprintf(stderr, "only %d of %d sessions ready\n", B.ready,
		    B.n + 1);
		goto out;
	}
	printf("sessions: %d authenticated and subscribed in %.0f ms\n",
	    B.n + 1, (t1 - t0) / 1e6);
	if (B.nsearch > 0) {
		lat_run(ctx, "no search running");
		B.searching = 1;
		for (i = 0; i < B.nsearch; i++) {
			B.s[i].want = 3;
			lws_callback_on_writable(B.s[i].wsi);
		}
		service_until(ctx, never, 1000);
		t0 = now_ns();
		snprintf(err, sizeof err, "%d viewers with 3 slow searches "
		    "each in flight", B.nsearch);
		lat_run(ctx, err);
		t1 = now_ns();
		B.searching = 0;
		printf("searches: %" PRId64 " sent, %" PRId64 " answered (rows "
		    "or the 5 s limit), %" PRId64 " refused busy, %" PRId64
		    " other; %.1f s of notes\n", B.s_sent, B.s_answered,
		    B.s_busy, B.s_other, (t1 - t0) / 1e9);
		goto out;
	}
	service_until(ctx, never, 1000);
	rss1 = rss_kb(hub);
	printf("hub RSS: %ld KB before, %ld KB with %d idle sessions: "
	    "%.1f KB per session\n", rss0, rss1, B.n + 1,
	    (double)(rss1 - rss0) / (B.n + 1));

	/* Latency: one op at a time, until all N have it. */
	B.phase = 1;
	B.lat_seq = -1;
	B.t_send = now_ns();
	send_note(&B.s[B.n]);
	service_until(ctx, lat_done, 60000);
	qsort(B.lat, B.lat_i, sizeof *B.lat, cmp_double);
	if (B.lat_i > 0)
		printf("op -> all %d sessions (%d ops, one at a time): p50 %.2f "
		    "ms, p99 %.2f ms, max %.2f ms\n", B.n, B.lat_i,
		    B.lat[B.lat_i / 2], B.lat[(B.lat_i * 99) / 100 <
		    B.lat_i ? (B.lat_i * 99) / 100 : B.lat_i - 1],
		    B.lat[B.lat_i - 1]);

	/* Throughput: WINDOW ops in flight for secs seconds. */
	B.phase = 2;
	B.first_seq = B.max_seq = B.s[0].last_seq;
	B.delivered = 0;
	t0 = now_ns();
	lws_callback_on_writable(B.s[B.n].wsi);
	service_until(ctx, never, (int64_t)secs * 1000);
	B.stop_sending = 1;
	t1 = now_ns();
	service_until(ctx, all_delivered, 10000);
	printf("sustained: %" PRId64 " ops acknowledged in %.1f s = %.0f "
	    "ops/s; pushes delivered %" PRId64 " of %" PRId64 " (%.0f/s "
	    "over the run), %d resyncs\n", B.acked, (t1 - t0) / 1e9,
	    B.acked / ((t1 - t0) / 1e9), B.delivered, (int64_t)B.n *
	    (B.max_seq - B.first_seq), B.delivered / ((now_ns() - t0) / 1e9),
	    B.resyncs);
out:
	B.closing = 1;
	lws_context_destroy(ctx);
	kill(hub, SIGTERM);
	waitpid(hub, NULL, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
