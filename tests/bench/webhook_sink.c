/*
 * webhook_sink — a tiny HTTP receiver for the webhook tests: accepts
 * POSTs on 127.0.0.1:PORT one at a time, waits DELAY ms before it
 * answers (a slow receiver), answers STATUS, and appends each request
 * body as one line to FILE.  Runs until killed.
 *   webhook_sink -p PORT -o FILE [-d DELAY_MS] [-s STATUS]
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void
serve(int c, FILE *out, int delay_ms, int status)
{
	char	 buf[65536], *end, *cl, resp[128];
	size_t	 got = 0, want = 0, hdr;
	ssize_t	 n;
	struct timespec ts;

	while (got < sizeof buf - 1) {
		if ((n = read(c, buf + got, sizeof buf - 1 - got)) <= 0)
			return;
		got += (size_t)n;
		buf[got] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		hdr = (size_t)(end - buf) + 4;
		if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL &&
		    cl < end)
			want = strtoul(cl + 17, NULL, 10);
		if (got >= hdr + want)
			break;
	}
	end = strstr(buf, "\r\n\r\n");
	if (end == NULL)
		return;
	ts.tv_sec = delay_ms / 1000;
	ts.tv_nsec = (long)(delay_ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
	fprintf(out, "%.*s\n", (int)want, end + 4);
	fflush(out);
	snprintf(resp, sizeof resp, "HTTP/1.1 %d X\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", status);
	if (write(c, resp, strlen(resp)) < 0)
		return;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	FILE	*out = NULL;
	int	 ch, port = 0, delay = 0, status = 200, s, c, one = 1;

	while ((ch = getopt(argc, argv, "p:o:d:s:")) != -1) {
		switch (ch) {
		case 'p': port = atoi(optarg); break;
		case 'o':
			if ((out = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'd': delay = atoi(optarg); break;
		case 's': status = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: webhook_sink -p PORT -o FILE "
			    "[-d DELAY_MS] [-s STATUS]\n");
			return 2;
		}
	}
	if (port <= 0 || out == NULL) {
		fprintf(stderr, "usage: webhook_sink -p PORT -o FILE "
		    "[-d DELAY_MS] [-s STATUS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(s, 16) == -1) {
		perror("webhook_sink");
		return 1;
	}
	for (;;) {
		if ((c = accept(s, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		serve(c, out, delay, status);
		close(c);
	}
}
