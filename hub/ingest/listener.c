/* listener — syslog and GELF sockets (TCP, UDP, TLS) read by one thread
 * with poll(), their messages handed to the pipeline in batches.  See
 * listener.h. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <linux/sock_diag.h>	/* SK_MEMINFO_DROPS */

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "errf.h"
#include "job.h"
#include "listener.h"
#include "log.h"
#include "monotime.h"
#include "net.h"
#include "syslogframe.h"
#include "timeparse.h"

#define READ_CHUNK	(256u << 10)	/* bytes read from a socket at once */
#define BATCH_BYTES	(1u << 20)	/* NDJSON in a batch before it goes */
#define UDP_VLEN	32		/* datagrams a recvmmsg */
#define UDP_RCVBUF	(8 << 20)	/* asked of the kernel */

enum ltype { L_TCP, L_UDP, L_TLS };

struct conn {
	int		 fd;
	SSL		*ssl;
	int		 handshake;	/* TLS not yet accepted */
	int		 want_write;	/* TLS needs POLLOUT */
	int		 eof;
	char		 peer[64];
	struct buf	 in;		/* unconsumed bytes */
	struct syslogframe f;
	time_t		 last;		/* last byte in */
};

struct listener {
	struct ingest_source src;	/* first: the jobs' src */
	const struct listener_proto *p;
	void		*pstate;
	enum ltype	 type;
	char		 flag[16];
	int		 fd;
	int		 wake[2];
	SSL_CTX		*ssl;
	size_t		 max_msg;
	int		 max_conns;
	int		 idle;		/* seconds, 0: never */
	struct conn	**conns;
	int		 nconns;
	struct net	*net;
	pthread_t	 th;
	int		 started;
	atomic_int	 stop;
	atomic_int	 inflight;	/* batches in the pipeline */
	struct job	*batch;		/* being built, or waiting for room */
	size_t		 nbatch;	/* messages in it */
	time_t		 next_say;	/* bad messages logged once a second */
	uint64_t	 unsaid;	/* ... and how many were not */
	uint32_t	 ovfl;		/* the kernel's drop count, last read */
};

/* Drop a message: counted, and logged at most once a second. */
static void
bad(struct listener *l, const char *peer, const char *why)
{
	time_t	 now = time(NULL);

	atomic_fetch_add(&l->src.rejected, 1);
	if (now < l->next_say) {
		l->unsaid++;
		return;
	}
	log_warn("%s: dropped a message from %s: %s%s", l->src.name, peer,
	    why, l->unsaid ? " (and more not logged)" : "");
	l->unsaid = 0;
	l->next_say = now + 1;
}

/* Net thread: a batch is committed (or failed). */
static void
on_done(struct ingest_source *s, struct job *j)
{
	struct listener *l = (struct listener *)s;
	size_t	 stored = source_count(s, j);
	static time_t next_say;

	if (stored < j->split.n && time(NULL) >= next_say) {
		log_err("%s: %zu of %zu messages could not be stored: %s",
		    s->name, j->split.n - stored, j->split.n,
		    j->status != 0 ? j->err : "rejected by the pipeline");
		next_say = time(NULL) + 10;
	}
	atomic_fetch_sub(&l->inflight, 1);
	/* a full pipe means it is awake anyway */
	(void)!write(l->wake[1], "", 1);
}

/* Parse "tcp://ADDR:PORT?k=v&..." into l.  0, or -1 with err. */
static int
parse_url(struct listener *l, const char *url, char *host, size_t hostlen,
    char *port, size_t portlen, char *err, size_t errlen)
{
	const char *p, *colon, *q, *end;
	size_t	 n;

	if (strncmp(url, "tcp://", 6) == 0)
		l->type = L_TCP;
	else if (strncmp(url, "udp://", 6) == 0)
		l->type = L_UDP;
	else if (strncmp(url, "tls://", 6) == 0)
		l->type = L_TLS;
	else
		return errf(err, errlen, "expected tcp://, udp:// or tls://");
	p = url + 6;
	q = strchr(p, '?');
	end = q != NULL ? q : p + strlen(p);
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL || rb[1] != ':')
			goto bad_addr;
		n = (size_t)(rb - p - 1);
		p++;
		colon = rb + 1;
	} else {
		for (colon = end; colon > p && colon[-1] != ':'; colon--)
			;
		if (colon == p)
			goto bad_addr;
		colon--;
		n = (size_t)(colon - p);
	}
	if (n >= hostlen || (size_t)(end - colon - 1) >= portlen ||
	    end - colon - 1 == 0)
		goto bad_addr;
	memcpy(host, p, n);
	host[n] = '\0';
	memcpy(port, colon + 1, (size_t)(end - colon - 1));
	port[end - colon - 1] = '\0';
	while (q != NULL && *q != '\0') {
		char	 key[32], *e;
		const char *eq, *amp;
		unsigned long long v;

		q++;
		amp = strchr(q, '&');
		if (amp == NULL)
			amp = q + strlen(q);
		if ((eq = memchr(q, '=', (size_t)(amp - q))) == NULL ||
		    (size_t)(eq - q) >= sizeof key)
			return errf(err, errlen, "bad option '%.*s'",
			    (int)(amp - q), q);
		snprintf(key, sizeof key, "%.*s", (int)(eq - q), q);
		errno = 0;
		v = strtoull(eq + 1, &e, 10);
		if (errno != 0 || e != amp || e == eq + 1)
			return errf(err, errlen, "%s: expected a number", key);
		if (strcmp(key, "max-message") == 0 && v >= 64 &&
		    v <= (16u << 20))
			l->max_msg = (size_t)v;
		else if (strcmp(key, "max-connections") == 0 && v >= 1 &&
		    v <= 65536)
			l->max_conns = (int)v;
		else if (strcmp(key, "idle") == 0 && v <= 86400 * 7)
			l->idle = (int)v;
		else
			return errf(err, errlen, "unknown option or value out "
			    "of range: %s=%llu (max-message 64-16777216, "
			    "max-connections 1-65536, idle 0-604800)", key, v);
		q = amp;
	}
	return 0;
bad_addr:
	return errf(err, errlen, "expected ADDR:PORT after the scheme");
}

static int
nonblock(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ? -1 : 0;
}

struct listener *
listener_new(const struct listener_proto *p, const char *flag,
    const char *url, const char *tls_cert, const char *tls_key, char *err,
    size_t errlen)
{
	struct listener *l;
	struct addrinfo hints, *ai = NULL;
	char	 host[256], port[16], why[256];
	int	 one = 1, rc;

	if ((l = calloc(1, sizeof *l)) == NULL) {
		errf(err, errlen, "%s %s: out of memory", flag, url);
		return NULL;
	}
	l->fd = l->wake[0] = l->wake[1] = -1;
	l->p = p;
	l->max_msg = 65536;
	l->max_conns = 1024;
	l->idle = 3600;
	l->src.done = on_done;
	snprintf(l->flag, sizeof l->flag, "%s", flag);
	snprintf(l->src.kind, sizeof l->src.kind, "%s", p->name);
	snprintf(l->src.url, sizeof l->src.url, "%.*s",
	    (int)strcspn(url, "?"), url);
	snprintf(l->src.name, sizeof l->src.name, "%s %s", p->name,
	    l->src.url);
	if (parse_url(l, url, host, sizeof host, port, sizeof port, why,
	    sizeof why) == -1)
		goto fail;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	hints.ai_socktype = l->type == L_UDP ? SOCK_DGRAM : SOCK_STREAM;
	if ((rc = getaddrinfo(*host ? host : NULL, port, &hints, &ai)) != 0) {
		snprintf(why, sizeof why, "%s", gai_strerror(rc));
		goto fail;
	}
	if ((l->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    0)) == -1)
		goto fail_errno;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (l->type == L_UDP) {
		int	 rcv = UDP_RCVBUF;

		setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
	}
	if (bind(l->fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    (l->type != L_UDP && listen(l->fd, 128) == -1) ||
	    nonblock(l->fd) == -1 || pipe2(l->wake, O_CLOEXEC | O_NONBLOCK))
		goto fail_errno;
	freeaddrinfo(ai);
	ai = NULL;
	if (l->type == L_TLS) {
		if (tls_cert == NULL || tls_key == NULL) {
			snprintf(why, sizeof why, "tls:// needs --tls-cert "
			    "and --tls-key");
			goto fail;
		}
		if ((l->ssl = SSL_CTX_new(TLS_server_method())) == NULL ||
		    SSL_CTX_use_certificate_chain_file(l->ssl, tls_cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(l->ssl, tls_key,
		    SSL_FILETYPE_PEM) != 1) {
			snprintf(why, sizeof why, "cannot load %s and %s: %s",
			    tls_cert, tls_key,
			    ERR_reason_error_string(ERR_get_error()));
			goto fail;
		}
		SSL_CTX_set_min_proto_version(l->ssl, TLS1_2_VERSION);
		SSL_CTX_set_mode(l->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	}
	if (p->state_new != NULL && (l->pstate = p->state_new()) == NULL) {
		snprintf(why, sizeof why, "out of memory");
		goto fail;
	}
	return l;
fail_errno:
	snprintf(why, sizeof why, "%s", strerror(errno));
fail:
	errf(err, errlen, "%s %s: %s", flag, url, why);
	if (ai != NULL)
		freeaddrinfo(ai);
	listener_free(l);
	return NULL;
}

int
listener_register(struct listener *l, struct metrics *m)
{
	return source_register(m, &l->src);
}

static void
conn_close(struct listener *l, int i)
{
	struct conn *c = l->conns[i];

	if (c->ssl != NULL)
		SSL_free(c->ssl);
	close(c->fd);
	buf_release(&c->in);
	free(c);
	l->conns[i] = l->conns[--l->nconns];
	atomic_fetch_sub(&l->src.connections, 1);
}

/* Hand the batch to the pipeline if there is one and room.  1 when no
   batch is left waiting, else 0. */
static int
flush(struct listener *l)
{
	if (l->batch == NULL)
		return 1;
	if (atomic_load(&l->inflight) >= LISTENER_INFLIGHT)
		return 0;
	atomic_fetch_add(&l->inflight, 1);
	if (net_submit(l->net, l->batch) == -1) {
		atomic_fetch_sub(&l->inflight, 1);
		return 0;
	}
	l->batch = NULL;
	l->nbatch = 0;
	return 1;
}

/* Is the batch too big to take more? */
static int
batch_full(const struct listener *l)
{
	return l->batch != NULL && (l->nbatch >= LISTENER_BATCH ||
	    l->batch->body.len >= BATCH_BYTES);
}

/* One message in: into the batch, or counted as bad. */
static void
take(struct listener *l, const char *msg, size_t len, const char *peer)
{
	const char *why = "out of memory";
	size_t	 before;

	atomic_fetch_add(&l->src.messages, 1);
	if (l->batch == NULL) {
		if ((l->batch = job_new(JOB_EVENTS)) == NULL) {
			bad(l, peer, why);
			return;
		}
		snprintf(l->batch->ctype, sizeof l->batch->ctype,
		    "application/x-ndjson");
		l->batch->src = &l->src;
		l->batch->t0_ns = monotime_ns();
		l->batch->received_us = time_now_us();
	}
	before = l->batch->body.len;
	if (l->p->message(l->pstate, &l->batch->body, msg, len, peer,
	    &why) == -1) {
		l->batch->body.len = before;
		if (l->batch->body.data != NULL)
			l->batch->body.data[before] = '\0';
		bad(l, peer, why);
		return;
	}
	l->nbatch++;
}

/* Cut c's bytes into messages while the batch has room. */
static void
conn_frames(struct listener *l, struct conn *c)
{
	const char *msg, *why;
	size_t	 len, used, off = 0;
	int	 rc;

	while (!batch_full(l)) {
		rc = syslogframe_next(&c->f, c->in.data + off, c->in.len - off,
		    c->eof, &msg, &len, &used, &why);
		off += used;
		if (rc == SF_MSG)
			take(l, msg, len, c->peer);
		else if (rc == SF_BAD) {
			atomic_fetch_add(&l->src.messages, 1);
			bad(l, c->peer, why);
		} else
			break;
	}
	if (off > 0) {
		memmove(c->in.data, c->in.data + off, c->in.len - off);
		c->in.len -= off;
		c->in.data[c->in.len] = '\0';
	}
}

/* Read what c has; 0, or -1 when c is to be closed. */
static int
conn_read(struct listener *l, struct conn *c)
{
	size_t	 room = l->max_msg + 32;
	ssize_t	 n;

	if (c->handshake) {
		int	 rc = SSL_accept(c->ssl), e;

		if (rc != 1) {
			e = SSL_get_error(c->ssl, rc);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				c->want_write = e == SSL_ERROR_WANT_WRITE;
				return 0;
			}
			bad(l, c->peer, "TLS handshake failed");
			return -1;
		}
		c->handshake = 0;
		c->want_write = 0;
	}
	if (c->in.len >= room) {	/* the batch was full */
		conn_frames(l, c);
		return 0;
	}
	if (buf_reserve(&c->in, room - c->in.len + 1) == -1)
		return -1;
	if (room - c->in.len > READ_CHUNK)
		room = c->in.len + READ_CHUNK;
	if (c->ssl != NULL) {
		int	 rc = SSL_read(c->ssl, c->in.data + c->in.len,
		    (int)(room - c->in.len)), e;

		if (rc <= 0) {
			e = SSL_get_error(c->ssl, rc);
			if (e == SSL_ERROR_WANT_READ)
				return 0;
			if (e == SSL_ERROR_WANT_WRITE) {
				c->want_write = 1;
				return 0;
			}
			c->eof = 1;
			n = 0;
		} else
			n = rc;
		c->want_write = 0;
	} else {
		n = read(c->fd, c->in.data + c->in.len, room - c->in.len);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			c->eof = 1;
	}
	if (n > 0) {
		c->in.len += (size_t)n;
		c->in.data[c->in.len] = '\0';
		c->last = time(NULL);
	}
	conn_frames(l, c);
	return c->eof && c->in.len == 0 ? -1 : 0;
}

static void
do_accept(struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct conn *c, **nc;
	int	 fd;

	for (;;) {
		sl = sizeof ss;
		fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		if (l->nconns >= l->max_conns) {
			static time_t next_say;

			if (time(NULL) >= next_say) {
				log_warn("%s: refusing a connection: %d open "
				    "(max-connections)", l->src.name,
				    l->nconns);
				next_say = time(NULL) + 10;
			}
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof *c)) == NULL ||
		    (nc = realloc(l->conns, (size_t)(l->nconns + 1) *
		    sizeof *nc)) == NULL) {
			free(c);
			close(fd);
			return;
		}
		l->conns = nc;
		c->fd = fd;
		c->last = time(NULL);
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->
			    sin_addr, c->peer, sizeof c->peer);
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->
			    sin6_addr, c->peer, sizeof c->peer);
		else
			snprintf(c->peer, sizeof c->peer, "local");
		if (l->p->nul_framed)
			syslogframe_init_nul(&c->f, l->max_msg);
		else
			syslogframe_init(&c->f, l->max_msg);
		if (l->ssl != NULL) {
			if ((c->ssl = SSL_new(l->ssl)) == NULL ||
			    SSL_set_fd(c->ssl, fd) != 1) {
				SSL_free(c->ssl);
				free(c);
				close(fd);
				continue;
			}
			SSL_set_accept_state(c->ssl);
			c->handshake = 1;
		}
		l->conns[l->nconns++] = c;
		atomic_fetch_add(&l->src.connections, 1);
	}
}

/* Count the datagrams the kernel dropped on the socket (its buffer full)
   since the last look: the socket's drop counter (SO_MEMINFO, what
   /proc/net/udp shows as drops).  Read after every wake-up, at least once
   a second, so a burst that overflowed is counted even when nothing comes
   after it (SO_RXQ_OVFL tells only with the next datagram). */
static void
udp_drops(struct listener *l)
{
	uint32_t mi[SK_MEMINFO_VARS], v;
	socklen_t len = sizeof mi;

	if (getsockopt(l->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) == -1 ||
	    len <= SK_MEMINFO_DROPS * sizeof *mi)
		return;
	v = mi[SK_MEMINFO_DROPS];
	if (v != l->ovfl) {
		atomic_fetch_add(&l->src.dropped, (uint32_t)(v - l->ovfl));
		l->ovfl = v;
	}
}

static void
udp_read(struct listener *l, char *bufs)
{
	struct mmsghdr mm[UDP_VLEN];
	struct iovec iov[UDP_VLEN];
	struct sockaddr_storage from[UDP_VLEN];
	size_t	 sz = l->max_msg + 1;
	int	 i, n;

	while (!batch_full(l)) {
		memset(mm, 0, sizeof mm);
		for (i = 0; i < UDP_VLEN; i++) {
			iov[i].iov_base = bufs + (size_t)i * sz;
			iov[i].iov_len = sz;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof from[i];
		}
		if ((n = recvmmsg(l->fd, mm, UDP_VLEN, MSG_DONTWAIT,
		    NULL)) <= 0)
			return;
		for (i = 0; i < n; i++) {
			char	 peer[64] = "?";
			const char *p = iov[i].iov_base, *why = NULL;
			size_t	 len = mm[i].msg_len;

			if (from[i].ss_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)
				    &from[i])->sin_addr, peer, sizeof peer);
			else if (from[i].ss_family == AF_INET6)
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
				    &from[i])->sin6_addr, peer, sizeof peer);
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				atomic_fetch_add(&l->src.messages, 1);
				bad(l, peer, "datagram longer than the limit");
				continue;
			}
			if (l->p->datagram != NULL) {
				size_t	 lost = 0;
				int	 rc = l->p->datagram(l->pstate, p, len,
				    monotime_ns() / 1000000, &p, &len, &why,
				    &lost);

				if (lost > 0) {
					atomic_fetch_add(&l->src.messages, lost);
					atomic_fetch_add(&l->src.rejected,
					    lost - 1);
					bad(l, peer, "chunked message given up "
					    "(its chunks did not all come in "
					    "time)");
				}
				if (rc == -1) {
					atomic_fetch_add(&l->src.messages, 1);
					bad(l, peer, why);
				}
				if (rc != 1)
					continue;	/* a chunk kept */
			} else {	/* a line: its end taken off */
				while (len > 0 && (p[len - 1] == '\n' ||
				    p[len - 1] == '\r' || p[len - 1] == '\0'))
					len--;
			}
			if (len == 0) {
				atomic_fetch_add(&l->src.messages, 1);
				bad(l, peer, why != NULL ? why :
				    "empty datagram");
				continue;
			}
			take(l, p, len, peer);
		}
	}
}

static void *
run(void *arg)
{
	struct listener *l = arg;
	struct pollfd *pfd = NULL;
	char	*ubufs = NULL, drain[64];
	time_t	 last_idle = time(NULL);
	int	 i, n, base, npolled, again = 0;

	if (l->type == L_UDP &&
	    (ubufs = malloc((l->max_msg + 1) * UDP_VLEN)) == NULL) {
		log_err("%s: out of memory", l->src.name);
		goto out;
	}
	while (!atomic_load(&l->stop)) {
		int	 room = flush(l) || !batch_full(l), timeout;
		struct pollfd *np;

		if ((np = realloc(pfd, (size_t)(l->nconns + 2) *
		    sizeof *pfd)) == NULL) {
			usleep(100000);
			continue;
		}
		pfd = np;
		pfd[0].fd = l->wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = room ? l->fd : -1;
		pfd[1].events = POLLIN;
		base = 2;
		for (i = 0; i < l->nconns; i++) {
			pfd[base + i].fd = l->conns[i]->fd;
			pfd[base + i].events = (room ? POLLIN : 0) |
			    (l->conns[i]->want_write ? POLLOUT : 0);
		}
		/* A batch waiting for room is tried again soon; a TLS
		   connection with bytes decrypted already is read now. */
		timeout = again ? 0 : l->batch != NULL ? 20 : 1000;
		n = poll(pfd, (nfds_t)(base + l->nconns), timeout);
		if (n == -1 && errno != EINTR)
			break;
		while (read(l->wake[0], drain, sizeof drain) > 0)
			;
		again = 0;
		if (l->type == L_UDP)
			udp_drops(l);
		if (!room && l->batch != NULL)
			continue;
		if (l->type == L_UDP) {
			if (pfd[1].revents & POLLIN)
				udp_read(l, ubufs);
			continue;
		}
		npolled = l->nconns;
		if (pfd[1].revents & POLLIN)
			do_accept(l);
		/* Backwards: a close moves the last connection (one done,
		   or one just accepted) into the hole. */
		for (i = npolled - 1; i >= 0; i--) {
			struct conn *c = l->conns[i];
			short	 ev = n > 0 ? pfd[base + i].revents : 0;

			if (pfd[base + i].fd != c->fd)
				ev = 0;		/* moved by a close */
			if ((ev & (POLLIN | POLLOUT | POLLHUP | POLLERR)) ||
			    c->in.len > 0) {
				if (conn_read(l, c) == -1) {
					conn_close(l, i);
					continue;
				}
			}
			if (c->ssl != NULL && SSL_pending(c->ssl) > 0)
				again = 1;
		}
		if (l->idle > 0 && time(NULL) != last_idle) {
			time_t	 now = last_idle = time(NULL);

			for (i = l->nconns - 1; i >= 0; i--)
				if (now - l->conns[i]->last > l->idle)
					conn_close(l, i);
		}
	}
out:
	/* What was read is handed on: the pipeline finishes it. */
	for (i = 0; l->batch != NULL && i < 500; i++)
		if (!flush(l))
			usleep(10000);
	if (l->batch != NULL) {
		log_err("%s: %zu messages not stored at shutdown",
		    l->src.name, l->nbatch);
		atomic_fetch_add(&l->src.failed, l->nbatch);
		job_free(l->batch);
		l->batch = NULL;
	}
	free(pfd);
	free(ubufs);
	return NULL;
}

int
listener_start(struct listener *l, struct net *net)
{
	l->net = net;
	if (pthread_create(&l->th, NULL, run, l) != 0)
		return -1;
	l->started = 1;
	log_info("%s: listening", l->src.name);
	return 0;
}

void
listener_stop(struct listener *l)
{
	if (l == NULL || !l->started)
		return;
	atomic_store(&l->stop, 1);
	(void)!write(l->wake[1], "", 1);
	pthread_join(l->th, NULL);
	l->started = 0;
	while (l->nconns > 0)
		conn_close(l, l->nconns - 1);
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

void
listener_free(struct listener *l)
{
	if (l == NULL)
		return;
	listener_stop(l);
	while (l->nconns > 0)
		conn_close(l, l->nconns - 1);
	free(l->conns);
	if (l->fd != -1)
		close(l->fd);
	if (l->wake[0] != -1) {
		close(l->wake[0]);
		close(l->wake[1]);
	}
	if (l->ssl != NULL)
		SSL_CTX_free(l->ssl);
	if (l->pstate != NULL && l->p->state_free != NULL)
		l->p->state_free(l->pstate);
	job_free(l->batch);
	free(l);
}
