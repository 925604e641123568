/*
 * bench_alert_latency — how long after its triggering event is
 * acknowledged an alert reaches a console subscribed to alerts.
 *
 * Runs CMD (a `ward tail --alerts --json` for a user of the hub, through
 * /bin/sh -c) and reads its standard output; posts N events to URL, one
 * at a time, each carrying "WARD-LAT-i" in its summary, which a rule of
 * the hub turns into an alert whose summary repeats it; measures from
 * the moment the POST's 200 arrives to the moment the alert's line does.
 * Prints p50, p90, p99 and max in ms.
 *
 *   bench_alert_latency -u http://127.0.0.1:PORT -t TOKEN -w CMD
 *       [-n EVENTS] [-i INTERVAL_MS]
 * tests/bench/alert_latency.sh sets up a hub, the rule and the user.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* POST one event over a fresh connection; returns the HTTP status. */
static int
post(const char *host, int port, const char *token, const char *body)
{
	struct sockaddr_in sa;
	char	 req[2048], resp[1024];
	int	 fd, status = 0, one = 1;
	size_t	 got = 0;
	ssize_t	 n;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		close(fd);
		return -1;
	}
	snprintf(req, sizeof req, "POST /events HTTP/1.1\r\nHost: %s\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", host, token, strlen(body), body);
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return -1;
	}
	while (got < sizeof resp - 1) {
		if ((n = read(fd, resp + got, sizeof resp - 1 - got)) <= 0)
			break;
		got += (size_t)n;
		resp[got] = '\0';
		if (strstr(resp, "\r\n\r\n") != NULL)
			break;
	}
	resp[got] = '\0';
	sscanf(resp, "HTTP/1.%*d %d", &status);
	close(fd);
	return status;
}

int
main(int argc, char **argv)
{
	const char *url = NULL, *token = NULL, *cmd = NULL;
	char	 host[64] = "127.0.0.1", body[512], mark[64], *nl;
	static char buf[1 << 20];
	size_t	 have = 0;
	int	 ch, port = 0, n = 300, interval = 20, i, p[2], got, lost = 0;
	int64_t	*lat, t_ack, deadline;
	struct pollfd pfd;
	pid_t	 pid;
	ssize_t	 r;

	while ((ch = getopt(argc, argv, "u:t:w:n:i:")) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 't': token = optarg; break;
		case 'w': cmd = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'i': interval = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (url == NULL || token == NULL || cmd == NULL || n < 1 ||
	    sscanf(url, "http://%63[^:]:%d", host, &port) != 2)
		goto usage;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) == -1 || (pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if ((lat = calloc((size_t)n, sizeof *lat)) == NULL)
		return 1;
	sleep(1);	/* let the console subscribe */
	for (i = 0; i < n; i++) {
		snprintf(mark, sizeof mark, "WARD-LAT-%d ", i);
		snprintf(body, sizeof body, "{\"hostname\":\"lat%d\","
		    "\"summary\":\"%send\"}", i, mark);
		if (post(host, port, token, body) != 200) {
			fprintf(stderr, "bench_alert_latency: POST %d failed\n",
			    i);
			lost++;
			continue;
		}
		t_ack = now_us();
		deadline = t_ack + 5000000;
		got = 0;
		while (!got && now_us() < deadline) {
			while ((nl = memchr(buf, '\n', have)) != NULL) {
				*nl = '\0';
				if (strstr(buf, mark) != NULL && !got) {
					lat[i - lost] = now_us() - t_ack;
					got = 1;
				}
				have -= (size_t)(nl + 1 - buf);
				memmove(buf, nl + 1, have);
			}
			if (got)
				break;
			pfd.fd = p[0];
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 100) <= 0)
				continue;
			r = read(p[0], buf + have, sizeof buf - 1 - have);
			if (r <= 0)
				break;
			have += (size_t)r;
		}
		if (!got) {
			fprintf(stderr, "bench_alert_latency: no alert for "
			    "event %d within 5 s\n", i);
			lost++;
		}
		usleep((useconds_t)interval * 1000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	n -= lost;
	if (n <= 0)
		return 1;
	qsort(lat, (size_t)n, sizeof *lat, cmp64);
	printf("alert latency, ack -> console, %d alerts (%d missed): p50 %.1f "
	    "ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n", n, lost,
	    lat[n / 2] / 1e3, lat[n * 90 / 100] / 1e3, lat[n * 99 / 100] / 1e3,
	    lat[n - 1] / 1e3);
	free(lat);
	return lost > 0;
usage:
	fprintf(stderr, "usage: bench_alert_latency -u http://127.0.0.1:PORT "
	    "-t TOKEN -w CMD [-n EVENTS] [-i INTERVAL_MS]\n");
	return 2;
}
