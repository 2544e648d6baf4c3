/*
 * A one-connection HTTP server on the test's own loop: it answers the
 * first request with a canned response and closes. For heads and bodies
 * the fake provider never sends. Call canned_tick() after every
 * loop_run_once().
 */
#ifndef AGENTD_TEST_CANNED_SERVER_H
#define AGENTD_TEST_CANNED_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"

struct canned {
	struct loop *loop;
	int lfd, cfd;			/* listening, accepted (-1: none) */
	const char *response;		/* sent once the request head is in */
	char req[8192];
	size_t req_len;
	bool watch;			/* cfd accepted, not yet watched */
	bool answered;			/* close cfd after this iteration */
	int port;
};

static void
canned_read(int fd, unsigned events, void *arg)
{
	struct canned *s = arg;
	const char *end, *cl;
	ssize_t n;

	if (s->answered || fd != s->cfd)
		return;
	n = read(fd, s->req + s->req_len, sizeof(s->req) - 1 - s->req_len);
	if (n <= 0)
		return;
	s->req_len += (size_t)n;
	s->req[s->req_len] = '\0';
	if ((end = strstr(s->req, "\r\n\r\n")) == NULL)
		return;
	/* all of a POST body too: closing on unread bytes sends a RST */
	if ((cl = strcasestr(s->req, "\r\ncontent-length:")) != NULL && cl < end &&
	    s->req_len < (size_t)(end + 4 - s->req) + strtoul(cl + 17, NULL, 10))
		return;
	for (size_t off = 0, len = strlen(s->response); off < len; ) {
		n = write(fd, s->response + off, len - off);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (n > 0)
			off += (size_t)n;
	}
	/* closed by canned_tick: a handler must not remove its own fd while
	 * loop_run_once walks the descriptor table */
	s->answered = true;
}

static void
canned_accept(int fd, unsigned events, void *arg)
{
	struct canned *s = arg;
	int cfd;

	if (fd != s->lfd || s->cfd >= 0)
		return;
	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
		return;
	/* watched from canned_tick: loop_run_once walks its descriptor table
	 * up to the current count, so a descriptor added by a handler would be
	 * read from slots the poll never filled */
	s->cfd = cfd;
	s->watch = true;
}

/* After each loop iteration: watches an accepted connection, closes an
 * answered one. */
static void
canned_tick(struct canned *s)
{
	if (s->watch) {
		loop_add_fd(s->loop, s->cfd, LOOP_READ, canned_read, s);
		s->watch = false;
	}
	if (s->answered && s->cfd >= 0) {
		loop_remove_fd(s->loop, s->cfd);
		close(s->cfd);
		s->cfd = -1;
	}
}

static int
canned_open(struct canned *s, struct loop *loop, const char *response)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);

	*s = (struct canned){ .loop = loop, .cfd = -1, .response = response };
	if ((s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->lfd, 4) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &sl) != 0) {
		close(s->lfd);
		return -1;
	}
	s->port = ntohs(sa.sin_port);
	loop_add_fd(loop, s->lfd, LOOP_READ, canned_accept, s);
	return 0;
}

static void
canned_close(struct canned *s)
{
	if (s->cfd >= 0) {
		if (!s->watch)
			loop_remove_fd(s->loop, s->cfd);
		close(s->cfd);
	}
	loop_remove_fd(s->loop, s->lfd);
	close(s->lfd);
}

#endif
