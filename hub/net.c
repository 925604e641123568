/*
 * The HTTP side of the hub.  A request is routed when its headers are in
 * (LWS_CALLBACK_HTTP); an ingest request's body is collected in its job
 * (HTTP_BODY), handed to the pipeline through the commit owner when
 * complete (HTTP_BODY_COMPLETION, commit.h) and answered when the commit
 * owner, woken by the store through the hub's hook (lws_cancel_service),
 * calls back answer_committed().  Every answer is written from
 * HTTP_WRITEABLE, a chunk per callback.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "commit.h"
#include "diskguard.h"
#include "errf.h"
#include "hub.h"
#include "monotime.h"
#include "store.h"
#include "log.h"
#include "net.h"
#include "searchpool.h"
#include "session.h"
#include "source.h"
#include "timeparse.h"
#include "tokens.h"
#include "version.h"

#define CHUNK		65536	/* bytes written per WRITEABLE */
#define HDR_ROOM	2048
/* Request heads: lws keeps one in a buffer of HEAD_BUF bytes and drops a
   connection whose head does not fit, unanswered; within that, a URL
   over URI_MAX is answered 414 and known headers over HEADERS_MAX 431.
   Elasticsearch's own limits are 4 KB of URL and 8 KB of headers; the
   longest a shipper sends is a bulk URL with a pipeline name. */
#define HEAD_BUF	32768
#define URI_MAX		8192
#define HEADERS_MAX	16384
/* Connections that never authenticate.  An address may hold UNAUTH_MAX
   connections that have not yet shown a valid token (HTTP) or upgraded to
   the console's WebSocket; more are closed at accept.  A shipper opens a
   few and shows its token at once.  A body must arrive at BODY_MIN_RATE
   bytes a second on average after a BODY_GRACE_S start (a 16 MB bulk
   body: 4.5 hours), else 408 and close; lws drops a head that takes over
   10 s itself. */
#define UNAUTH_MAX	256
#define BODY_MIN_RATE	1024
#define BODY_GRACE_S	10

enum route {
	R_NONE, R_HEALTH, R_METRICS, R_ES_ROOT, R_ES_LICENSE, R_ES_SETUP,
	R_EVENTS, R_BULK, R_DOC, R_GELF, R_SEARCH
};

struct es_setup;

/* Per-request state (lws "pss": lws gives every request a fresh one). */
struct pss {
	struct lws	*wsi;
	enum route	 route;
	int		 elastic;	/* add X-Elastic-Product */
	int		 head;		/* HEAD: headers only */
	int		 is_post;
	int		 in_flight;	/* job is with the pipeline/store */
	int		 complete;	/* the request is in: answer it */
	int		 body_done;	/* BODY_COMPLETION seen */
	int		 paused;	/* reading stopped until answered */
	int		 close_now;	/* close once the answer is out */
	int64_t		 body_t0;	/* when the head was in (us) */
	struct job	*job;		/* collecting or in flight */
	size_t		 body_len;
	int		 status;	/* answer status once decided */
	int		 close_after;
	int		 retry_after;	/* seconds, 0 none */
	int		 www_auth;
	const char	*ctype;
	const char	*method;	/* static string */
	const char	*allow;		/* methods of the route, for 405 */
	const struct es_setup *setup;	/* R_ES_SETUP: which, or NULL */
	struct buf	 resp;
	size_t		 sent;
	int		 hdrs_sent;
	struct sjob	*sjob;		/* search being streamed */
};

struct net {
	struct net_opts	 o;
	struct hub	*h;
	struct lws_context *ctx;
	struct tokens	*tokens;
	struct metrics	*m;
	struct searchpool	*pool;
	pthread_mutex_t	 sready_mtx;	/* searches with news */
	struct sready {
		struct sjob	*j;
		struct sready	*next;
	}		*sready;
	char		 hostname[256];
	struct peer	*peers[256];	/* addresses with unauthenticated
					   connections, hashed */
	struct lws_protocols protocols[3];
};

/* An address and how many of its connections have not authenticated;
   each such connection points at it (lws opaque user data). */
struct peer {
	unsigned char	 addr[16];
	int		 count;
	struct peer	*next;
};

static struct net *
net_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void
pss_reset(struct pss *s)
{
	if (s->sjob != NULL) {
		sjob_set_owner(s->sjob, NULL);
		sjob_release(s->sjob);
	}
	buf_release(&s->resp);
	if (s->job != NULL && !s->in_flight)
		job_free(s->job);
	memset(s, 0, sizeof *s);
}

/* Decide the answer; deliver() sends it once the request is in. */
static void
answer(struct pss *s, int status, const char *ctype)
{
	s->status = status;
	s->ctype = ctype;
}

/*
 * A request is read whole before it is answered, and nothing after it is
 * read until its answer is out.  lws 4.1.6 keeps a connection in its body
 * state once the body is in: any further bytes (a pipelined request, or
 * more data than Content-Length said) deliver HTTP_BODY_COMPLETION again,
 * without consuming them, for as long as they sit in its buffer; and once
 * a request's headers are in, it swallows whatever follows until the
 * transaction is completed.  So reading stops (rx flow control) when the
 * request is in, and the answer is written whole by deliver() and the
 * transaction completed before reading resumes: pipelined requests are
 * parsed one at a time and answered in order.  (A flow-controlled h1
 * connection gets no WRITEABLE in lws 4.1.6, hence the one write.)
 */
static void
pause_rx(struct pss *s)
{
	if (!s->paused) {
		s->paused = 1;
		lws_rx_flow_control(s->wsi, 0);
	}
}

static void
resume_rx(struct pss *s)
{
	if (s->paused) {
		s->paused = 0;
		lws_rx_flow_control(s->wsi, 1);
	}
}

/* The transaction is over: 0, or -1 to close.  lws frees the pss in
   lws_http_transaction_completed() (each request gets a fresh one), so
   it is emptied first and not touched after. */
static int
next_request(struct lws *wsi, struct pss *s)
{
	int	 paused = s->paused;

	pss_reset(s);
	if (lws_http_transaction_completed(wsi))
		return -1;
	if (paused)
		lws_rx_flow_control(wsi, 1);
	return 0;
}

static int	write_answer(struct lws *, struct pss *);

/* An HTTP/2 stream (TLS with ALPN h2): no pipelining and no rx flow
   control there; the answer goes out from WRITEABLE, headers first. */
static int
is_h2(struct lws *wsi)
{
	return lws_get_network_wsi(wsi) != wsi;
}

/* Send the decided answer if the request is in (or the connection is to
   close anyway), and make ready for the next request.  0, or -1 when the
   connection must close now. */
static int
deliver(struct lws *wsi, struct pss *s)
{
	int	 close_after = s->close_after;

	if (s->status == 0 || (!s->complete && !close_after))
		return 0;
	if (is_h2(wsi)) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (write_answer(wsi, s) == -1)
		return -1;
	buf_release(&s->resp);
	s->status = 0;
	if (close_after && !lws_partial_buffered(wsi))
		return -1;
	if (lws_partial_buffered(wsi)) {
		/* lws sends the rest as the socket drains, which needs
		   reading on (see above); a client that reads nothing is
		   dropped after 30 s. */
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, 30);
		resume_rx(s);
		if (close_after) {
			s->close_now = 1;	/* in WRITEABLE, once out */
			return 0;
		}
	}
	return next_request(wsi, s);
}

/* deliver() outside the connection's own callback: closing is deferred
   to lws. */
static void
deliver_async(struct lws *wsi, struct pss *s)
{
	if (deliver(wsi, s) == -1)
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* An error answer in the shape the endpoint's clients understand. */
static void
answer_error(struct pss *s, int status, const char *msg)
{
	static const char *types[] = {
		[400] = "illegal_argument_exception",
		[401] = "security_exception",
		[404] = "index_not_found_exception",
		[405] = "illegal_argument_exception",
		[411] = "illegal_argument_exception",
		[413] = "content_too_long_exception",
		[414] = "illegal_argument_exception",
		[429] = "es_rejected_execution_exception",
		[503] = "unavailable_shards_exception",
		[507] = "insufficient_storage_exception",
	};
	const char *type = status < (int)(sizeof types / sizeof *types) &&
	    types[status] ? types[status] : "exception";

	buf_reset(&s->resp);
	if (s->elastic) {
		buf_printf(&s->resp, "{\"error\":{\"root_cause\":[{\"type\":"
		    "\"%s\",\"reason\":", type);
		buf_json_string(&s->resp, msg, strlen(msg));
		buf_printf(&s->resp, "}],\"type\":\"%s\",\"reason\":", type);
		buf_json_string(&s->resp, msg, strlen(msg));
		buf_printf(&s->resp, "},\"status\":%d}\n", status);
	} else {
		buf_puts(&s->resp, "{\"error\":");
		buf_json_string(&s->resp, msg, strlen(msg));
		buf_puts(&s->resp, "}\n");
	}
	if (status == 401)
		s->www_auth = 1;
	if (status >= 400 && s->route >= R_EVENTS && s->route <= R_GELF)
		atomic_fetch_add(&net_of(s->wsi)->m->requests_rejected, 1);
	answer(s, status, "application/json");
}

static int
hdr(struct lws *wsi, enum lws_token_indexes t, char *out, int len)
{
	if (lws_hdr_copy(wsi, out, len, t) < 0) {
		*out = '\0';
		return -1;
	}
	return 0;
}

/* The method of the request, and its URI through *uri. */
static const char *
method_of(struct lws *wsi)
{
	static const struct {
		enum lws_token_indexes t;
		const char *name;
	} m[] = {
		{ WSI_TOKEN_GET_URI, "GET" }, { WSI_TOKEN_POST_URI, "POST" },
		{ WSI_TOKEN_PUT_URI, "PUT" }, { WSI_TOKEN_HEAD_URI, "HEAD" },
		{ WSI_TOKEN_DELETE_URI, "DELETE" },
		{ WSI_TOKEN_PATCH_URI, "PATCH" },
		{ WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
	};
	size_t	 i;

	for (i = 0; i < sizeof m / sizeof *m; i++)
		if (lws_hdr_total_length(wsi, m[i].t) > 0)
			return m[i].name;
	return "?";
}

/* Path segment i (0-based) of uri into out; 0, or -1 if absent. */
static int
segment(const char *uri, int i, char *out, size_t len)
{
	const char *p = uri, *e;

	while (*p == '/')
		p++;
	for (; i > 0; i--) {
		if ((p = strchr(p, '/')) == NULL)
			return -1;
		while (*p == '/')
			p++;
	}
	if (*p == '\0')
		return -1;
	e = strchr(p, '/');
	snprintf(out, len, "%.*s", (int)(e ? e - p : (int)strlen(p)), p);
	return 0;
}

/*
 * The Elasticsearch calls shippers make before they index, and what they
 * are answered (see the table in wardd(8)): Filebeat and Logstash load
 * templates, ILM policies and ingest pipelines (an exists check by GET or
 * HEAD, then PUT), Logstash makes its rollover alias and first index (PUT
 * /INDEX) and may sniff nodes, Vector checks /_cluster/health, rsyslog's
 * omelasticsearch /_cat/health.  Fluent Bit calls only /_bulk.  Their
 * bodies are settings, not events: nothing of them is kept, and they are
 * acknowledged as Elasticsearch would.  Nothing else is.
 */
enum { M_GET = 1, M_HEAD = 2, M_PUT = 4, M_POST = 8 };
static const struct es_setup {
	const char	*seg0;
	const char	*seg1;		/* NULL: any or none */
	int		 methods;
	const char	*get;		/* body for GET (HEAD: none) */
} es_setup[] = {
	{ "_index_template", NULL, M_GET | M_HEAD | M_PUT | M_POST, "{}" },
	{ "_template", NULL, M_GET | M_HEAD | M_PUT | M_POST, "{}" },
	{ "_component_template", NULL, M_GET | M_HEAD | M_PUT | M_POST,
	    "{}" },
	{ "_ilm", NULL, M_GET | M_HEAD | M_PUT, "{}" },
	{ "_ingest", NULL, M_GET | M_HEAD | M_PUT, "{}" },
	{ "_data_stream", NULL, M_GET | M_HEAD | M_PUT, "{\"data_streams\":[]}" },
	{ "_alias", NULL, M_GET | M_HEAD | M_PUT | M_POST, "{}" },
	{ "_aliases", NULL, M_GET | M_POST, "{}" },
	{ "_xpack", NULL, M_GET | M_HEAD, "{\"features\":{}}" },
	{ "_nodes", NULL, M_GET | M_HEAD, "{\"_nodes\":{\"total\":0,"
	    "\"successful\":0,\"failed\":0},\"cluster_name\":\"ward\","
	    "\"nodes\":{}}" },
	{ "_cluster", "health", M_GET | M_HEAD, "{\"cluster_name\":\"ward\","
	    "\"status\":\"green\",\"timed_out\":false,"
	    "\"number_of_nodes\":1,\"number_of_data_nodes\":1}" },
	{ "_cat", "health", M_GET | M_HEAD, NULL },
};

static int
method_bit(const char *method)
{
	return strcmp(method, "GET") == 0 ? M_GET : strcmp(method, "HEAD") ==
	    0 ? M_HEAD : strcmp(method, "PUT") == 0 ? M_PUT :
	    strcmp(method, "POST") == 0 ? M_POST : 0;
}

/* The setup call at s0/s1, or NULL. */
static const struct es_setup *
find_es_setup(const char *s0, const char *s1)
{
	size_t	 i;

	for (i = 0; i < sizeof es_setup / sizeof *es_setup; i++)
		if (strcmp(s0, es_setup[i].seg0) == 0 &&
		    (es_setup[i].seg1 == NULL || strcmp(s1,
		    es_setup[i].seg1) == 0))
			return &es_setup[i];
	return NULL;
}

/* Route by method and path.  Sets s->route and s->elastic; returns 0, or
   the status of a refusal: 404 unknown path, 405 wrong method (s->allow
   says which are). */
static int
route(struct pss *s, const char *method, const char *uri, char *index,
    size_t indexlen)
{
	char	 s0[128] = "", s1[128] = "", s2[128] = "", s3[8] = "";
	char	 path[256];
	const struct es_setup *es;
	int	 m = method_bit(method), get = m == M_GET || m == M_HEAD;
	int	 post = m == M_POST || m == M_PUT;
	size_t	 n;

	/* Our own paths, a trailing slash or two ignored (/events/ is what
	   MozDef's shippers were often told). */
	snprintf(path, sizeof path, "%s", uri);
	for (n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	segment(uri, 0, s0, sizeof s0);
	segment(uri, 1, s1, sizeof s1);
	segment(uri, 2, s2, sizeof s2);
	segment(uri, 3, s3, sizeof s3);
	s->allow = "GET, HEAD";
	if (strcmp(path, "/healthz") == 0) {
		s->route = R_HEALTH;
		return get ? 0 : 405;
	}
	if (strcmp(path, "/metrics") == 0) {
		s->route = R_METRICS;
		return get ? 0 : 405;
	}
	if (strcmp(path, "/events") == 0) {
		s->route = R_EVENTS;
		s->allow = "POST";
		return m == M_POST ? 0 : 405;
	}
	if (strcmp(path, "/gelf") == 0) {	/* Graylog's GELF HTTP input */
		s->route = R_GELF;
		s->allow = "POST";
		return m == M_POST ? 0 : 405;
	}
	if (strcmp(path, "/api/search") == 0) {
		s->route = R_SEARCH;
		return get ? 0 : 405;
	}
	if (strcmp(path, "/ws") == 0)
		return 404;	/* only as a WebSocket upgrade */
	/* Elasticsearch compatibility from here on. */
	s->elastic = 1;
	if (*s0 == '\0') {
		s->route = R_ES_ROOT;
		return get ? 0 : 405;
	}
	if (strcmp(s0, "_license") == 0 && *s1 == '\0') {
		s->route = R_ES_LICENSE;
		return get ? 0 : 405;
	}
	if (strcmp(s0, "_bulk") == 0 && *s1 == '\0') {
		s->route = R_BULK;
		s->allow = "POST, PUT";
		return post ? 0 : 405;
	}
	if ((es = find_es_setup(s0, s1)) != NULL) {
		s->route = R_ES_SETUP;
		s->setup = es;
		s->allow = es->methods & M_PUT ? "GET, HEAD, PUT, POST" :
		    "GET, HEAD";
		return es->methods & m ? 0 : 405;
	}
	if (*s0 == '_' || *s3 != '\0')
		return 404;
	snprintf(index, indexlen, "%s", s0);
	if (strcmp(s1, "_bulk") == 0 && *s2 == '\0') {
		s->route = R_BULK;
		s->allow = "POST, PUT";
		return post ? 0 : 405;
	}
	if ((strcmp(s1, "_doc") == 0 || strcmp(s1, "_create") == 0) &&
	    (*s2 != '\0' || strcmp(s1, "_doc") == 0)) {
		s->route = R_DOC;
		s->allow = "POST, PUT";
		return post ? 0 : 405;
	}
	if (*s1 == '\0') {
		/* HEAD /INDEX: it exists; PUT /INDEX: make it (Logstash's
		   first rollover index).  POST /INDEX is no Elasticsearch
		   call: events go to /INDEX/_doc, /_bulk or /events. */
		s->route = R_ES_SETUP;
		s->allow = "HEAD, PUT";
		return m == M_HEAD || m == M_PUT ? 0 : m == M_GET ? 404 : 405;
	}
	if (strcmp(s1, "_mapping") == 0 || strcmp(s1, "_settings") == 0) {
		s->route = R_ES_SETUP;
		s->allow = "GET, HEAD, PUT";
		return m & (M_GET | M_HEAD | M_PUT) ? 0 : 405;
	}
	return 404;
}

static void
answer_es_root(struct net *n, struct pss *s)
{
	buf_printf(&s->resp, "{\"name\":\"%s\",\"cluster_name\":\"ward\","
	    "\"cluster_uuid\":\"ward\",\"version\":{\"number\":\"8.11.0\","
	    "\"build_flavor\":\"default\",\"build_type\":\"ward\","
	    "\"build_hash\":\"ward-%s\",\"build_date\":"
	    "\"2023-11-04T10:04:57.184859352Z\",\"build_snapshot\":false,"
	    "\"lucene_version\":\"9.8.0\","
	    "\"minimum_wire_compatibility_version\":\"7.17.0\","
	    "\"minimum_index_compatibility_version\":\"7.0.0\"},"
	    "\"tagline\":\"You Know, for Search\"}\n", n->hostname,
	    WARD_VERSION);
	answer(s, 200, "application/json");
}

static void
answer_es_license(struct pss *s)
{
	buf_puts(&s->resp, "{\"license\":{\"status\":\"active\","
	    "\"uid\":\"00000000-0000-0000-0000-000000000000\","
	    "\"type\":\"basic\",\"issue_date\":\"2024-01-01T00:00:00.000Z\","
	    "\"issue_date_in_millis\":1704067200000,"
	    "\"max_nodes\":1000,\"issued_to\":\"ward\",\"issuer\":\"ward\","
	    "\"start_date_in_millis\":-1}}\n");
	answer(s, 200, "application/json");
}

static int	on_writeable(struct lws *, struct pss *);

/* A time bound: a duration back from now ("15m") or a time ("2026-11-27",
   ISO 8601).  0, or -1 when it is neither. */
static int
time_arg(const char *v, int64_t now, int64_t *out)
{
	int64_t	 d;

	if (time_parse_duration(v, &d) == 0) {
		*out = now - d;
		return 0;
	}
	return time_parse(v, now, out);
}

/* GET /api/search?q=&since=&until=&limit= : queue the search; the answer
   streams from on_search_writeable as results come. */
static int
start_search(struct net *n, struct pss *s)
{
	struct search_opts o;
	char	 qb[8300], vb[140], msg[300];
	const char *q, *v;
	int64_t	 now = time_now_us();
	const char *names[] = { "since", "until" };
	int64_t	*dst[2];
	int	 i;

	memset(&o, 0, sizeof o);
	o.now_us = now;
	o.index = store_textindex(n->h->store);
	dst[0] = &o.since_us;
	dst[1] = &o.until_us;
	/* lws copies "name=value" into the buffer and points at the value. */
	if ((q = lws_get_urlarg_by_name(s->wsi, "q=", qb, sizeof qb)) == NULL)
		q = "";
	for (i = 0; i < 2; i++) {
		char	 key[16];

		snprintf(key, sizeof key, "%s=", names[i]);
		if ((v = lws_get_urlarg_by_name(s->wsi, key, vb,
		    sizeof vb)) == NULL || *v == '\0')
			continue;
		if (time_arg(v, now, dst[i]) == -1) {
			snprintf(msg, sizeof msg, "%s=%s: expected a duration "
			    "back from now (15m, 2h, 7d) or an ISO 8601 time",
			    names[i], v);
			answer_error(s, 400, msg);
			return 0;
		}
	}
	if ((v = lws_get_urlarg_by_name(s->wsi, "limit=", vb,
	    sizeof vb)) != NULL && *v != '\0') {
		char	*end;
		unsigned long long l = strtoull(v, &end, 10);

		/* strtoull takes "-1" for 2^64 - 1: digits only. */
		if (*v < '0' || *v > '9' || *end != '\0' || l == 0 ||
		    l > SEARCH_LIMIT_MAX) {
			snprintf(msg, sizeof msg, "limit=%.40s: expected a "
			    "number of rows from 1 to %d", v, SEARCH_LIMIT_MAX);
			answer_error(s, 400, msg);
			return 0;
		}
		o.limit = (size_t)l;
	}
	atomic_fetch_add(&n->m->searches, 1);
	if ((s->sjob = searchpool_submit(n->pool, q, &o)) == NULL) {
		answer_error(s, 503, "out of memory");
		return 0;
	}
	sjob_set_owner(s->sjob, s->wsi);
	/* The answer streams from WRITEABLE, which needs reading on: a
	   request pipelined behind a search would be lost in lws, so the
	   connection closes after it (the streamed answer has no length and
	   says so). */
	s->close_after = 1;
	resume_rx(s);
	return 0;
}

/* Stream a search's output: headers once there is something to say, then
   chunks as they come.  Returns -1 to close. */
static int
on_search_writeable(struct lws *wsi, struct pss *s)
{
	unsigned char *buf = NULL;
	struct buf chunk;
	char	 err[512];
	int	 status, errpos, finished, rc = -1;

	buf_init(&chunk);
	if (buf_reserve(&chunk, LWS_PRE + CHUNK) == -1)
		return -1;
	memset(chunk.data, 0, LWS_PRE);		/* headroom for lws */
	chunk.len = LWS_PRE;
	finished = sjob_take(s->sjob, &chunk, CHUNK, &status, err,
	    sizeof err, &errpos);
	if (!s->hdrs_sent) {
		if (finished && status != 200 && chunk.len == LWS_PRE) {
			/* Nothing came out: a plain error answer. */
			atomic_fetch_add(&net_of(wsi)->m->search_errors, 1);
			sjob_set_owner(s->sjob, NULL);
			sjob_release(s->sjob);
			s->sjob = NULL;
			buf_reset(&s->resp);
			buf_puts(&s->resp, "{\"error\":");
			buf_json_string(&s->resp, err, strlen(err));
			if (errpos >= 0)
				buf_printf(&s->resp, ",\"position\":%d", errpos);
			buf_puts(&s->resp, "}\n");
			s->status = status;
			s->ctype = "application/json";
			if (status == 503)	/* the store cannot be read now */
				s->retry_after = 1;
			buf_release(&chunk);
			return deliver(wsi, s);
		}
		s->status = 200;
		s->ctype = "application/x-ndjson";
		{
			unsigned char hb[LWS_PRE + HDR_ROOM], *start =
			    hb + LWS_PRE, *p = start, *end = hb + sizeof hb - 1;

			if (lws_add_http_common_headers(wsi, 200,
			    "application/x-ndjson",
			    LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) ||
			    lws_finalize_write_http_header(wsi, start, &p, end))
				goto out;
		}
		s->hdrs_sent = 1;
	}
	if (finished && status != 200) {
		/* It failed after output began: say so in a last line. */
		buf_puts(&chunk, "{\"error\":");
		buf_json_string(&chunk, err, strlen(err));
		buf_puts(&chunk, "}\n");
	}
	if (chunk.len > LWS_PRE || finished) {
		size_t	 n = chunk.len - LWS_PRE;

		buf = (unsigned char *)chunk.data;
		if (lws_write(wsi, buf + LWS_PRE, n, finished ?
		    LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
			goto out;
	}
	if (finished) {
		sjob_set_owner(s->sjob, NULL);
		sjob_release(s->sjob);
		s->sjob = NULL;
		goto out;	/* and close: see start_search() */
	}
	if (sjob_ready(s->sjob))
		lws_callback_on_writable(wsi);
	rc = 0;
out:
	buf_release(&chunk);
	return rc;
}

/* From a search thread: j has output or finished. */
static void
net_search_ready(void *arg, struct sjob *j)
{
	struct net *n = arg;
	struct sready *r;

	if ((r = malloc(sizeof *r)) == NULL)
		return;		/* the next chunk or the end will wake us */
	r->j = j;
	pthread_mutex_lock(&n->sready_mtx);
	r->next = n->sready;
	n->sready = r;
	pthread_mutex_unlock(&n->sready_mtx);
	lws_cancel_service(n->ctx);
}

static void
drain_searches(struct net *n)
{
	struct sready *r, *next;

	pthread_mutex_lock(&n->sready_mtx);
	r = n->sready;
	n->sready = NULL;
	pthread_mutex_unlock(&n->sready_mtx);
	for (; r != NULL; r = next) {
		struct lws *wsi = sjob_owner(r->j);

		next = r->next;
		if (wsi != NULL)
			lws_callback_on_writable(wsi);
		sjob_unref(r->j);
		free(r);
	}
}

/*
 * How the body is framed, before anything else: lws 4.1.6 reads a body of
 * Content-Length bytes, or for a POST, PUT or PATCH without one whatever
 * comes for 100 MB; it does not decode Transfer-Encoding.  A request it
 * would misread is refused with Connection: close.  Sets s->complete when
 * no body follows.  0, or the status of a refusal.
 */
static int
framing(struct lws *wsi, struct pss *s, const char *method, char *msg,
    size_t msglen)
{
	char	 clen[32], *end;
	int	 has_clen = lws_hdr_total_length(wsi,
		    WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0;
	unsigned long long v = 0;
	int	 t, total = 0, uri = lws_hdr_total_length(wsi,
		    WSI_TOKEN_HTTP_URI_ARGS);

	for (t = 0; t < WSI_TOKEN_COUNT; t++) {
		int	 l = lws_hdr_total_length(wsi, (enum lws_token_indexes)t);

		if (l > 0 && (t == WSI_TOKEN_GET_URI || t == WSI_TOKEN_POST_URI ||
		    t == WSI_TOKEN_PUT_URI || t == WSI_TOKEN_PATCH_URI ||
		    t == WSI_TOKEN_DELETE_URI || t == WSI_TOKEN_HEAD_URI ||
		    t == WSI_TOKEN_OPTIONS_URI))
			uri += l;
		else if (t != WSI_TOKEN_HTTP_URI_ARGS && l > 0)
			total += l;
	}
	if (uri > URI_MAX) {
		s->close_after = 1;
		snprintf(msg, msglen, "the URL of %d bytes is over the limit of "
		    "%d", uri, URI_MAX);
		return 414;
	}
	if (total > HEADERS_MAX) {
		s->close_after = 1;
		snprintf(msg, msglen, "the headers, %d bytes, are over the limit "
		    "of %d", total, HEADERS_MAX);
		return 431;
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
		s->close_after = 1;
		snprintf(msg, msglen, "Transfer-Encoding (chunked request "
		    "bodies) is not supported: send Content-Length");
		return 411;
	}
	if (has_clen) {
		/* Digits only: no sign, no list of two lengths. */
		if (hdr(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, clen,
		    sizeof clen) == -1 || *clen < '0' || *clen > '9' ||
		    (v = strtoull(clen, &end, 10), *end != '\0')) {
			s->close_after = 1;
			snprintf(msg, msglen, "Content-Length '%.20s' is not a "
			    "number of bytes", clen);
			return 400;
		}
	} else if (s->is_post) {
		s->close_after = 1;
		snprintf(msg, msglen, "%s without Content-Length: send the "
		    "body's length", method);
		return 411;
	}
	/* A POST with Content-Length: 0 still gets its BODY_COMPLETION. */
	if (v == 0 && !(has_clen && strcmp(method, "POST") == 0)) {
		s->complete = 1;
		pause_rx(s);
	} else if (v > 0) {
		s->body_t0 = time_now_us();	/* see on_timer() */
		lws_set_timer_usecs(wsi, 1000000);
	}
	return 0;
}

static int	request(struct lws *, struct pss *, const char *, const char *);
static void	conn_authed(struct net *, struct lws *);
static int	conn_open(struct net *, struct lws *);
static int	on_timer(struct lws *, struct pss *);

/* Called when the request line and headers are in.  0, or -1 to close. */
static int
on_request(struct lws *wsi, struct pss *s, const char *uri)
{
	const char *method = method_of(wsi);
	char	 msg[300];
	int	 rc;

	pss_reset(s);
	s->wsi = wsi;
	s->method = method;
	s->head = strcmp(method, "HEAD") == 0;
	s->is_post = strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	if ((rc = framing(wsi, s, method, msg, sizeof msg)) != 0)
		answer_error(s, rc, msg);
	else
		request(wsi, s, method, uri);
	return deliver(wsi, s);
}

/* Route, authenticate and start the request.  Always 0. */
static int
request(struct lws *wsi, struct pss *s, const char *method, const char *uri)
{
	struct net *n = net_of(wsi);
	char	 index[128] = "", authz[512], clen[32];
	enum token_role role;
	int	 rc;

	if ((rc = route(s, method, uri, index, sizeof index)) != 0) {
		char	 msg[300];

		if (rc == 404)
			snprintf(msg, sizeof msg, "no such endpoint: %s %s",
			    method, uri);
		else
			snprintf(msg, sizeof msg, "method %s not allowed on %s "
			    "(allowed: %s)%s", method, uri, s->allow,
			    s->route == R_ES_SETUP && s->setup == NULL ?
			    "; events go to POST /events, /_bulk or "
			    "/INDEX/_doc" : "");
		answer_error(s, rc, msg);
		return 0;
	}
	switch (s->route) {
	case R_HEALTH:
		answer(s, metrics_health(n->m, &s->resp), "text/plain");
		return 0;
	case R_METRICS:
		if (n->o.metrics_auth)
			break;	/* after the token check */
		metrics_render(n->m, &s->resp);
		answer(s, 200, "text/plain; version=0.0.4");
		return 0;
	default:
		break;
	}
	hdr(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, authz, sizeof authz);
	role = tokens_check(n->tokens, *authz ? authz : NULL, NULL, 0);
	if (role == TOKEN_NONE) {
		answer_error(s, 401, *authz ? "invalid token" :
		    "missing authentication credentials: send a token as "
		    "'Authorization: Bearer TOKEN'");
		return 0;
	}
	conn_authed(n, wsi);
	if (s->route == R_METRICS) {	/* --metrics-auth */
		if (role != TOKEN_READER) {
			answer_error(s, 403, "metrics need a reader token "
			    "(--metrics-auth)");
			return 0;
		}
		metrics_render(n->m, &s->resp);
		answer(s, 200, "text/plain; version=0.0.4");
		return 0;
	}
	switch (s->route) {
	case R_ES_ROOT:
		answer_es_root(n, s);
		return 0;
	case R_ES_LICENSE:
		answer_es_license(s);
		return 0;
	case R_ES_SETUP:
		/* Templates, policies, pipelines, aliases, health: claim they
		   exist so clients go on to index (see es_setup[]); answered
		   once any body is in. */
		if (s->is_post)
			buf_puts(&s->resp, "{\"acknowledged\":true}\n");
		else if (s->setup != NULL && s->setup->get == NULL) {
			/* _cat/health, in _cat's text columns */
			buf_printf(&s->resp, "%lld 00:00:00 ward green 1 1 0 0 "
			    "0 0 0 0 - 100.0%%\n", (long long)time(NULL));
			answer(s, 200, "text/plain; charset=UTF-8");
			return 0;
		} else
			buf_printf(&s->resp, "%s\n", s->setup != NULL ?
			    s->setup->get : "{}");
		answer(s, 200, "application/json");
		return 0;
	case R_SEARCH:
		if (role != TOKEN_READER) {
			answer_error(s, 403, "searching needs a reader token");
			return 0;
		}
		return start_search(n, s);
	default:
		break;
	}
	/* Ingest. */
	if (role != TOKEN_SHIPPER) {
		answer_error(s, 403, "ingest needs a shipper token");
		return 0;
	}
	if (hdr(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, clen, sizeof clen) == 0 &&
	    strtoull(clen, NULL, 10) > n->o.max_body) {
		char	 msg[128];

		snprintf(msg, sizeof msg, "body of %s bytes is over the limit "
		    "of %zu bytes", clen, n->o.max_body);
		s->close_after = 1;
		answer_error(s, 413, msg);
		return 0;
	}
	s->job = job_new(s->route == R_BULK ? JOB_BULK : s->route == R_DOC ?
	    JOB_DOC : s->route == R_GELF ? JOB_GELF : JOB_EVENTS);
	if (s->job == NULL) {
		answer_error(s, 503, "out of memory");
		return 0;
	}
	s->job->received_us = time_now_us();
	snprintf(s->job->index, sizeof s->job->index, "%s", index);
	hdr(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, s->job->ctype,
	    sizeof s->job->ctype);
	{
		char	 enc[64];

		if (hdr(wsi, WSI_TOKEN_HTTP_CONTENT_ENCODING, enc,
		    sizeof enc) == 0 && *enc) {
			if (strcasecmp(enc, "gzip") == 0 ||
			    strcasecmp(enc, "x-gzip") == 0 ||
			    strcasecmp(enc, "deflate") == 0)
				s->job->gzip = 1;
			else if (strcasecmp(enc, "identity") != 0) {
				char	 msg[128];

				snprintf(msg, sizeof msg, "Content-Encoding "
				    "'%s' is not supported (use gzip)", enc);
				job_free(s->job);
				s->job = NULL;
				answer_error(s, 415, msg);
				return 0;
			}
		}
	}
	return 0;
}

/* A piece of the body.  0, or -1 to close. */
static int
on_body(struct pss *s, const void *in, size_t len)
{
	struct net *n = net_of(s->wsi);
	size_t	 ml = strlen(s->method), sk = 0;
	const char *b = in;

	/* lws 4.1.6 reads the body of a request it parsed from its own
	   buffer (one pipelined behind another) from where the request
	   began, then loops on BODY_COMPLETION: such a body is never the
	   real one.  Refuse it and close; the client sends it again.  (A
	   body short enough to be a piece of "POST " is no JSON either.) */
	while (sk < len && (b[sk] == '\r' || b[sk] == '\n'))
		sk++;
	if (s->body_len == 0 && sk < len && memcmp(b + sk, s->method,
	    len - sk < ml ? len - sk : ml) == 0 && (len - sk <= ml ||
	    b[sk + ml] == ' ')) {
		if (s->job != NULL && !s->in_flight)
			job_free(s->job);
		s->job = NULL;
		s->close_after = 1;
		s->retry_after = 1;
		atomic_fetch_add(&n->m->http_pipelined_refused, 1);
		answer_error(s, 503, "a request body pipelined behind another "
		    "request cannot be read: send it again");
		return deliver(s->wsi, s);
	}
	s->body_len += len;
	if (s->job == NULL || s->status != 0)
		return 0;	/* refused already: discard */
	if (s->job->body.len + len > n->o.max_body) {
		char	 msg[128];

		snprintf(msg, sizeof msg, "body is over the limit of %zu bytes",
		    n->o.max_body);
		job_free(s->job);
		s->job = NULL;
		s->close_after = 1;
		answer_error(s, 413, msg);
		return deliver(s->wsi, s);
	}
	if (buf_append(&s->job->body, in, len) == -1) {
		job_free(s->job);
		s->job = NULL;
		answer_error(s, 503, "out of memory");
	}
	return 0;
}

static void	body_done(struct pss *);

/* The body is in.  0, or -1 to close. */
static int
on_body_done(struct pss *s)
{
	/* Once per request: see pause_rx().  Again while reading is off,
	   lws is in its loop over a pipelined body (see on_body): only
	   closing ends it. */
	if (s->body_done)
		return s->paused ? -1 : 0;
	s->body_done = 1;
	s->complete = 1;
	pause_rx(s);
	body_done(s);
	/* An answer decided now goes out from a timer, not from here: lws
	   may call this from its loop over a pipelined body (on_body), and
	   a transaction completed here would leave that loop spinning. */
	lws_set_timer_usecs(s->wsi, s->status != 0 ? 1 : -1);
	return 0;
}

int
net_submit(struct net *n, struct job *j)
{
	const char *why;

	return commit_submit(n->h->commit, j, &why);
}

static void
body_done(struct pss *s)
{
	struct net *n = net_of(s->wsi);
	struct job *j = s->job;
	const char *why;
	static time_t next_say;	/* 429s are logged once in 10 s */
	char	 dmsg[256];

	if (s->status != 0)
		return;		/* already answering */
	if (j == NULL)
		return;
	if (n->h->disk != NULL && diskguard_low(n->h->disk, dmsg,
	    sizeof dmsg)) {
		/* Before the disk is full: 507, and keep serving searches. */
		job_free(j);
		s->job = NULL;
		s->retry_after = 30;
		atomic_fetch_add(&n->m->requests_disk_full, 1);
		answer_error(s, 507, dmsg);
		return;
	}
	j->wsi = s->wsi;
	s->in_flight = 1;
	if (commit_submit(n->h->commit, j, &why) == -1) {
		char	 msg[128];

		s->in_flight = 0;
		job_free(j);
		s->job = NULL;
		s->retry_after = 1;
		atomic_fetch_add(&n->m->requests_throttled, 1);
		/* The net thread alone gets here: a plain static will do. */
		if (time(NULL) >= next_say) {
			log_warn("ingest: answering 429: %s", why);
			next_say = time(NULL) + 10;
		}
		snprintf(msg, sizeof msg, "%s; retry later", why);
		answer_error(s, 429, msg);
		return;
	}
}

/* Append n in decimal; cheaper than printf in the per-item loops. */
static void
put_int(struct buf *b, long long n)
{
	char	 tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = n < 0 ? 0 - (unsigned long long)n :
	    (unsigned long long)n;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* Was item i dropped in transit (a plugin)?  It is answered as taken,
   without an id: the shipper must not send it again. */
static int
dropped(const struct job *j, size_t i)
{
	return j->ids[i] < 0 && j->split.items[i].status == 204;
}

/* Append one bulk item answer: what Logstash, Filebeat and the clients
   read (action, _index, _id, status, error), without the shard details. */
static void
bulk_item(struct buf *b, const struct job *j, size_t i)
{
	const struct split_item *it = &j->split.items[i];
	const char *idx = *it->index ? it->index : *j->index ? j->index :
	    "ward";
	const char *action = *it->action ? it->action : "index";

	if (i > 0)
		buf_append(b, ",", 1);
	buf_append(b, "{\"", 2);
	buf_puts(b, action);
	buf_append(b, "\":{\"_index\":", 12);
	buf_json_string(b, idx, strlen(idx));
	if (j->ids[i] >= 0) {
		buf_puts(b, ",\"_id\":\"");
		put_int(b, j->ids[i]);
		buf_puts(b, "\",\"_version\":1,\"result\":\"created\","
		    "\"status\":201}}");
	} else if (dropped(j, i)) {
		buf_puts(b, ",\"_id\":null,\"result\":\"noop\","
		    "\"status\":200}}");
	} else {
		buf_printf(b, ",\"_id\":null,\"status\":%d,\"error\":{\"type\":"
		    "\"%s\",\"reason\":", it->status ? it->status : 400,
		    it->status == 400 || it->status == 0 ?
		    "document_parsing_exception" : "illegal_argument_exception");
		buf_json_string(b, it->err, strlen(it->err));
		buf_puts(b, "}}}");
	}
}

/* Build the answer of a job back from the store. */
static void
answer_job(struct pss *s, struct job *j)
{
	size_t	 i, accepted = 0, shown = 0, ndropped = 0;
	int	 status = 200;

	if (j->status != 0) {
		if (j->status == 503)
			s->retry_after = 1;
		answer_error(s, j->status, j->err);
		return;
	}
	for (i = 0; i < j->split.n; i++)
		if (j->ids[i] >= 0)
			accepted++;
		else if (dropped(j, i))
			ndropped++;
	accepted += ndropped;
	switch (j->kind) {
	case JOB_BULK:
		buf_printf(&s->resp, "{\"took\":%lld,\"errors\":%s,\"items\":[",
		    (long long)((monotime_ns() - j->t0_ns) / 1000000),
		    accepted == j->split.n ? "false" : "true");
		for (i = 0; i < j->split.n; i++)
			bulk_item(&s->resp, j, i);
		buf_puts(&s->resp, "]}\n");
		break;
	case JOB_DOC:
		if (accepted == 0) {
			answer_error(s, 400, j->split.items[0].err);
			return;
		}
		if (ndropped > 0) {
			buf_puts(&s->resp, "{\"_index\":");
			buf_json_string(&s->resp, j->index, strlen(j->index));
			buf_puts(&s->resp, ",\"_id\":null,\"result\":"
			    "\"noop\"}\n");
			break;
		}
		buf_puts(&s->resp, "{\"_index\":");
		buf_json_string(&s->resp, j->index, strlen(j->index));
		buf_printf(&s->resp, ",\"_id\":\"%lld\",\"_version\":1,"
		    "\"result\":\"created\",\"_shards\":{\"total\":1,"
		    "\"successful\":1,\"failed\":0},\"_seq_no\":%lld,"
		    "\"_primary_term\":1}\n", (long long)j->ids[0],
		    (long long)j->ids[0]);
		status = 201;
		break;
	default:
		buf_printf(&s->resp, "{\"accepted\":%zu,\"rejected\":%zu",
		    accepted, j->split.n - accepted);
		if (ndropped > 0)
			buf_printf(&s->resp, ",\"dropped\":%zu", ndropped);
		if (accepted < j->split.n) {
			buf_puts(&s->resp, ",\"errors\":[");
			for (i = 0; i < j->split.n && shown < 100; i++) {
				const struct split_item *it =
				    &j->split.items[i];

				if (j->ids[i] >= 0 || dropped(j, i))
					continue;
				buf_printf(&s->resp, "%s{\"index\":%zu,"
				    "\"line\":%u,\"offset\":%zu,\"error\":",
				    shown++ ? "," : "", i, it->line,
				    it->offset);
				buf_json_string(&s->resp, it->err,
				    strlen(it->err));
				buf_puts(&s->resp, "}");
			}
			buf_puts(&s->resp, "]");
			if (shown < j->split.n - accepted)
				buf_puts(&s->resp, ",\"errors_truncated\":"
				    "true");
		}
		buf_puts(&s->resp, "}\n");
		/* Graylog's GELF input answers 202. */
		if (j->kind == JOB_GELF)
			status = 202;
		/* Nothing stored: the request as a whole is refused. */
		if (accepted == 0 && j->split.n > 0) {
			status = 400;
			atomic_fetch_add(&net_of(s->wsi)->m->requests_rejected,
			    1);
		}
		break;
	}
	answer(s, status, "application/json");
}

/* The commit owner's answer hook (commit_answer_fn): j, committed or
   failed, is back; answer its client.  j stays the commit owner's. */
static void
answer_committed(void *arg, struct job *j)
{
	struct pss *s = lws_wsi_user(j->wsi);

	(void)arg;
	s->in_flight = 0;
	s->job = NULL;
	answer_job(s, j);
	deliver_async(j->wsi, s);
	j->wsi = NULL;
}

/* Add the answer's headers at *p.  0, or -1 when they do not fit. */
static int
add_headers(struct lws *wsi, struct pss *s, unsigned char **p,
    unsigned char *end)
{
	char	 ra[16];
	const char *allow = s->allow ? s->allow : "GET, HEAD";

	if (lws_add_http_common_headers(wsi, (unsigned)s->status, s->ctype,
	    s->resp.len, p, end))
		return -1;
	if (s->elastic && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"x-elastic-product:",
	    (const unsigned char *)"Elasticsearch", 13, p, end))
		return -1;
	if (s->retry_after) {
		snprintf(ra, sizeof ra, "%d", s->retry_after);
		if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_RETRY_AFTER,
		    (const unsigned char *)ra, (int)strlen(ra), p, end))
			return -1;
	}
	if (s->www_auth && lws_add_http_header_by_token(wsi,
	    WSI_TOKEN_HTTP_WWW_AUTHENTICATE,
	    (const unsigned char *)"Bearer realm=\"ward\"", 19, p, end))
		return -1;
	if (s->status == 405 && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"allow:", (const unsigned char *)allow,
	    (int)strlen(allow), p, end))
		return -1;
	if (s->close_after && !is_h2(wsi) && lws_add_http_header_by_token(wsi,
	    WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, p, end))
		return -1;
	return 0;
}

/* Write the answer, headers and body, in one lws_write (lws keeps what
   the socket does not take and sends it as it drains).  0, or -1. */
static int
write_answer(struct lws *wsi, struct pss *s)
{
	size_t	 body = s->head ? 0 : s->resp.len;
	unsigned char *buf, *start, *p, *end;
	int	 rc = -1;

	if ((buf = malloc(LWS_PRE + HDR_ROOM + body)) == NULL)
		return -1;
	start = p = buf + LWS_PRE;
	end = start + HDR_ROOM - 1;
	if (add_headers(wsi, s, &p, end) || lws_finalize_http_header(wsi, &p,
	    end))
		goto out;
	if (body > 0)
		memcpy(p, s->resp.data, body);
	p += body;
	if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) !=
	    (int)(p - start))
		goto out;
	rc = 0;
out:
	free(buf);
	return rc;
}

/* HTTP/2: the headers in one WRITEABLE, the body in CHUNK pieces after.
   0, or -1 to close the stream. */
static int
h2_writeable(struct lws *wsi, struct pss *s)
{
	unsigned char *buf, hb[LWS_PRE + HDR_ROOM], *start = hb + LWS_PRE,
		      *p = start;
	size_t	 n;
	int	 final;

	if (!s->hdrs_sent) {
		size_t	 len = s->resp.len;
		int	 head = s->head;

		if (add_headers(wsi, s, &p, hb + sizeof hb - 1) ||
		    lws_finalize_write_http_header(wsi, start, &p,
		    hb + sizeof hb - 1))
			return -1;
		s->hdrs_sent = 1;
		if (len > 0 && !head) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		goto done;
	}
	n = s->resp.len - s->sent;
	final = n <= CHUNK;
	if (!final)
		n = CHUNK;
	if ((buf = malloc(LWS_PRE + n)) == NULL)
		return -1;
	memcpy(buf + LWS_PRE, s->resp.data + s->sent, n);
	if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL :
	    LWS_WRITE_HTTP) != (int)n) {
		free(buf);
		return -1;
	}
	free(buf);
	s->sent += n;
	if (!final) {
		lws_callback_on_writable(wsi);
		return 0;
	}
done:
	if (s->close_after)
		return -1;
	return next_request(wsi, s);
}

/* WRITEABLE outside a search: an HTTP/2 answer, or (HTTP/1) closing once
   a partly buffered answer is out.  0, or -1 to close. */
static int
on_writeable(struct lws *wsi, struct pss *s)
{
	if (is_h2(wsi))
		return s->status != 0 ? h2_writeable(wsi, s) : 0;
	if (s->close_now && !lws_partial_buffered(wsi))
		return -1;
	return 0;
}

/*
 * A WebSocket upgrade: lws would bind one that names no subprotocol (or
 * an unknown one) to the first protocol, plain HTTP, and leave it open
 * and silent.  ward-protocol(7): the hub refuses a console that does not
 * offer its subprotocol.  0 to let the upgrade go on, 1 when refused
 * (the answer is written), -1 to hang up.
 */
static int
on_upgrade(struct lws *wsi, const char *upgrade)
{
	char	 offered[256], body[256];
	unsigned char buf[LWS_PRE + HDR_ROOM + sizeof body], *start =
		    buf + LWS_PRE, *p = start, *end = buf + LWS_PRE + HDR_ROOM;
	const char *t;
	size_t	 pl = strlen(WARD_PROTOCOL), bl;

	if (strcasecmp(upgrade, "websocket") != 0)
		return 0;	/* lws refuses the rest itself */
	if (hdr(wsi, WSI_TOKEN_PROTOCOL, offered, sizeof offered) == 0)
		for (t = offered; (t = strstr(t, WARD_PROTOCOL)) != NULL;
		    t += pl)
			if ((t == offered || t[-1] == ',' || t[-1] == ' ') &&
			    (t[pl] == '\0' || t[pl] == ',' || t[pl] == ' '))
				return 0;
	bl = (size_t)snprintf(body, sizeof body, "{\"error\":\"a WebSocket "
	    "upgrade must offer the subprotocol %s (Sec-WebSocket-Protocol)"
	    "\"}\n", WARD_PROTOCOL);
	if (bl >= sizeof body ||
	    lws_add_http_common_headers(wsi, HTTP_STATUS_BAD_REQUEST,
	    "application/json", bl, &p, end) ||
	    lws_finalize_http_header(wsi, &p, end))
		return -1;
	memcpy(p, body, bl);
	p += bl;
	if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) !=
	    (int)(p - start))
		return -1;
	return 1;
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct pss *s = user;
	struct net *n;
	int	 rc;

	switch (reason) {
	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		return (n = net_of(wsi)) != NULL ? conn_open(n, wsi) : 0;
	case LWS_CALLBACK_WSI_DESTROY:
		conn_authed(net_of(wsi), wsi);
		return 0;
	case LWS_CALLBACK_TIMER:
		return on_timer(wsi, s);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		if ((rc = on_upgrade(wsi, in)) == 0)
			conn_authed(net_of(wsi), wsi);
		return rc;
	case LWS_CALLBACK_HTTP:
		return on_request(wsi, s, in);
	case LWS_CALLBACK_HTTP_BODY:
		return on_body(s, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return on_body_done(s);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (s->sjob != NULL)
			return on_search_writeable(wsi, s);
		return on_writeable(wsi, s);
	case LWS_CALLBACK_CLOSED_HTTP:
		if (s != NULL) {
			if (s->job != NULL && s->in_flight) {
				s->job->wsi = NULL;	/* freed when back */
				s->job = NULL;
			}
			pss_reset(s);
		}
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if ((n = net_of(wsi)) != NULL) {
			commit_drain(n->h->commit);
			drain_searches(n);
			sessions_wake(n->h);
		}
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* The address of the connection's peer in 16 bytes (IPv4 mapped). */
static int
peer_addr(struct lws *wsi, unsigned char *out)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int	 fd = (int)lws_get_socket_fd(lws_get_network_wsi(wsi));

	memset(out, 0, 16);
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	else if (ss.ss_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else
		return -1;
	return 0;
}

/* A new connection: count it against its address.  0, or -1 to close it
   (the address holds UNAUTH_MAX unauthenticated connections already). */
static int
conn_open(struct net *n, struct lws *wsi)
{
	unsigned char a[16];
	struct peer *p, **h;
	unsigned int i, hash = 0;

	if (peer_addr(wsi, a) == -1)
		return 0;	/* not a socket we can name: not counted */
	for (i = 0; i < 16; i++)
		hash = hash * 31 + a[i];
	h = &n->peers[hash % 256];
	for (p = *h; p != NULL && memcmp(p->addr, a, 16) != 0; p = p->next)
		;
	if (p != NULL && p->count >= UNAUTH_MAX) {
		atomic_fetch_add(&n->m->http_conns_refused, 1);
		return -1;
	}
	if (p == NULL) {
		if ((p = calloc(1, sizeof *p)) == NULL)
			return 0;
		memcpy(p->addr, a, 16);
		p->next = *h;
		*h = p;
	}
	p->count++;
	atomic_fetch_add(&n->m->http_unauth_conns, 1);
	lws_set_opaque_user_data(wsi, p);
	return 0;
}

/* The connection authenticated (or closed): it no longer counts. */
static void
conn_authed(struct net *n, struct lws *wsi)
{
	struct peer *p = lws_get_opaque_user_data(wsi), **pp;
	size_t	 i;

	if (p == NULL || n == NULL)
		return;
	lws_set_opaque_user_data(wsi, NULL);
	atomic_fetch_sub(&n->m->http_unauth_conns, 1);
	if (--p->count > 0)
		return;
	for (i = 0; i < 256; i++)
		for (pp = &n->peers[i]; *pp != NULL; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				free(p);
				return;
			}
}

/* A second of the body's deadline: 408 and close when it comes slower
   than BODY_MIN_RATE.  0, or -1 to close. */
static int
on_timer(struct lws *wsi, struct pss *s)
{
	struct net *n = net_of(wsi);
	int64_t	 el;

	if (s == NULL)
		return 0;
	if (s->complete)	/* see on_body_done() */
		return s->in_flight ? 0 : deliver(wsi, s);
	if (s->body_t0 == 0)
		return 0;
	el = (time_now_us() - s->body_t0) / 1000000;
	if (el <= BODY_GRACE_S || (int64_t)s->body_len >= (el - BODY_GRACE_S) *
	    BODY_MIN_RATE) {
		lws_set_timer_usecs(wsi, 1000000);
		return 0;
	}
	atomic_fetch_add(&n->m->http_slow_closed, 1);
	if (s->job != NULL && !s->in_flight)
		job_free(s->job);
	s->job = NULL;
	s->close_after = 1;
	buf_reset(&s->resp);
	s->status = 0;
	{
		char	 msg[160];

		snprintf(msg, sizeof msg, "the body came slower than %d bytes "
		    "a second (%zu bytes in %lld s)", BODY_MIN_RATE, s->body_len,
		    (long long)el);
		answer_error(s, 408, msg);
	}
	return deliver(wsi, s);
}

static void
lws_log(int level, const char *line)
{
	size_t	 n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	log_msg(level == LLL_ERR ? LOG_ERR : LOG_WARN, "lws: %.*s", (int)n,
	    line);
}

/* The hub's wake hook (hub.h). */
static void
wake_hook(void *arg)
{
	net_wake(arg);
}

struct net *
net_new(const struct net_opts *o, struct hub *h, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct net *n;

	if ((n = calloc(1, sizeof *n)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	n->o = *o;
	n->h = h;
	n->tokens = h->tokens;
	n->m = &h->m;
	n->protocols[0] = (struct lws_protocols){ "http", http_cb,
	    sizeof(struct pss), 0, 0, NULL, 0 };
	n->protocols[1] = session_protocol(h);
	if (gethostname(n->hostname, sizeof n->hostname) == -1)
		snprintf(n->hostname, sizeof n->hostname, "ward");
	pthread_mutex_init(&n->sready_mtx, NULL);
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&info, 0, sizeof info);
	info.port = o->port;
	info.iface = o->host;
	info.protocols = n->protocols;
	info.user = n;
	info.max_http_header_data = HEAD_BUF;
	info.pt_serv_buf_size = 128 * 1024;	/* fewer, larger reads */
	info.timeout_secs = 60;
	info.keepalive_timeout = 60;
	if (o->tls_cert != NULL) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = o->tls_cert;
		info.ssl_private_key_filepath = o->tls_key;
	}
	if ((n->ctx = lws_create_context(&info)) == NULL) {
		errf(err, errlen, "cannot listen on %s:%d (in use, or "
		    "a bad address or TLS file)", o->host ? o->host : "*",
		    o->port);
		goto fail;
	}
	if ((n->pool = searchpool_new(o->datadir, 2, net_search_ready,
	    n)) == NULL) {
		errf(err, errlen, "cannot start search threads");
		goto fail;
	}
	commit_set_answer(h->commit, answer_committed, n);
	h->wake_arg = n;
	h->wake = wake_hook;
	return n;
fail:
	net_free(n);
	return NULL;
}

int
net_run(struct net *n, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *other)
{
	while (!*stop && !*other)
		if (lws_service(n->ctx, 0) < 0)
			return -1;
	return 0;
}

void
net_wake(struct net *n)
{
	if (n != NULL && n->ctx != NULL)
		lws_cancel_service(n->ctx);
}


void
net_free(struct net *n)
{
	struct peer *p;
	size_t	 i;

	if (n == NULL)
		return;
	if (n->h->wake_arg == n) {
		n->h->wake = NULL;
		n->h->wake_arg = NULL;
	}
	/* Jobs committed and not yet answered stay the commit owner's
	   (commit_free); closing their connections only forgets them. */
	if (n->ctx != NULL)
		lws_context_destroy(n->ctx);	/* releases every sjob */
	for (i = 0; i < 256; i++)
		while ((p = n->peers[i]) != NULL) {
			n->peers[i] = p->next;
			free(p);
		}
	searchpool_free(n->pool);
	drain_searches(n);
	pthread_mutex_destroy(&n->sready_mtx);
	free(n);
}
