/* http_deadline: a deadline for the whole request head.
 *
 * libmicrohttpd's own timeout is an idle timeout: every byte restarts it,
 * so a client sending its headers one byte a second would hold a
 * connection (and its memory) for ever. Here every connection is noted
 * when it opens (MHD_OPTION_NOTIFY_CONNECTION) with a deadline
 * header_timeout_s away; the access handler's first call (the head is
 * complete) clears it; a request's completion (MHD_OPTION_NOTIFY_COMPLETED)
 * sets it again for the next request on a kept-alive connection, giving
 * idle_timeout_s + header_timeout_s since the first byte of the next head
 * cannot be seen from outside the library. A reaper thread answers
 * "408 Request Timeout" on the socket itself to a connection past its
 * deadline (plain HTTP; a TLS one is only shut down, its bytes would need
 * the session) and shuts the socket down, so the library sees the end and
 * closes it in its own thread. One mutex orders the reaper against the
 * handler: a connection whose head completed is never written to here. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "serve/http_internal.h"

enum head_state {
	HEAD_WAITING,   /* the head (or a kept-alive connection's next one) is due */
	BODY_WAITING,   /* the head is in; its body is due (as long again) */
	HEAD_DONE,      /* the request is the handler's and the library's: never touched here */
	HEAD_REAPED,    /* answered here and shut down */
};

struct conn_rec {
	struct conn_rec *prev, *next;
	int fd;
	double deadline;            /* monotonic seconds */
	enum head_state state;
	char ip[48];
};

struct http_deadline {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
	struct conn_rec head;       /* list sentinel */
	unsigned long reaped;
};

/* Writes a whole response on the socket and shuts it down: plain HTTP
 * only (a TLS socket is only shut down). Called with the lock held, on a
 * connection the library is only reading from. */
static void raw_reply(struct serve *sv, struct conn_rec *c, const char *status_line, const char *body)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg),
			 "HTTP/1.1 %s\r\nContent-Type: application/json\r\nConnection: close\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 status_line, strlen(body), body);

	c->state = HEAD_REAPED;
	/* best effort, never blocking: the client may not read at all */
	if (!sv->tls && n > 0 && (size_t)n < sizeof(msg))
		(void)!send(c->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(c->fd, SHUT_RDWR);
}

static void reap(struct serve *sv, struct conn_rec *c)
{
	bool body = c->state == BODY_WAITING;

	raw_reply(sv, c, "408 Request Timeout",
		  body ? "{\"error\":{\"status\":408,\"code\":\"request_timeout\",\"message\":\"the request body "
			 "took too long\"}}\n"
		       : "{\"error\":{\"status\":408,\"code\":\"request_timeout\",\"message\":\"the request head "
			 "took too long\"}}\n");
	serve_log(sv, "%s: request %s not complete after %gs: 408, connection closed", c->ip, body ? "body" : "head",
		  sv->cfg.header_timeout_s);
}

static void *reaper(void *arg)
{
	struct serve *sv = arg;
	struct http_deadline *d = sv->deadline;

	unsigned tick = 0;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		struct timespec ts;
		double now = http_monotonic();

		if (++tick % 5 == 0) {
			/* outside our lock: the streams take theirs */
			pthread_mutex_unlock(&d->lock);
			http_streams_check_peers(sv);
			pthread_mutex_lock(&d->lock);
			if (d->stop)
				break;
		}

		for (struct conn_rec *c = d->head.next; c != &d->head; c = c->next) {
			if ((c->state == HEAD_WAITING || c->state == BODY_WAITING) && now > c->deadline) {
				reap(sv, c);
				d->reaped++;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->cond, &d->lock, &ts);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int http_deadline_start(struct serve *sv, struct err *e)
{
	struct http_deadline *d = calloc(1, sizeof(*d));
	pthread_condattr_t ca;
	int r;

	if (!d)
		return err_set(e, -ENOMEM, "out of memory");
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cond, &ca);
	pthread_condattr_destroy(&ca);
	d->head.next = d->head.prev = &d->head;
	sv->deadline = d;
	r = pthread_create(&d->thread, NULL, reaper, sv);
	if (r)
		return err_errno(e, -r, "cannot start the request-head reaper");
	d->running = true;
	return 0;
}

void http_deadline_stop(struct serve *sv)
{
	struct http_deadline *d = sv->deadline;

	if (!d)
		return;
	if (d->running) {
		pthread_mutex_lock(&d->lock);
		d->stop = true;
		pthread_cond_signal(&d->cond);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->thread, NULL);
	}
	/* the daemon is stopped: every connection was closed and unlinked */
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
	sv->deadline = NULL;
}

void http_deadline_opened(struct serve *sv, void *conn, void **socket_context)
{
	struct http_deadline *d = sv->deadline;
	struct conn_rec *c = calloc(1, sizeof(*c));
	const union MHD_ConnectionInfo *ci;

	*socket_context = c;
	if (!c)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	c->fd = ci ? ci->connect_fd : -1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(c->ip, sizeof(c->ip), "-");
	if (ci && ci->client_addr) {
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, c->ip, sizeof(c->ip));
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, c->ip,
				  sizeof(c->ip));
	}
	c->deadline = http_monotonic() + sv->cfg.header_timeout_s;
	c->state = c->fd >= 0 ? HEAD_WAITING : HEAD_DONE;
	pthread_mutex_lock(&d->lock);
	c->next = &d->head;
	c->prev = d->head.prev;
	d->head.prev->next = c;
	d->head.prev = c;
	pthread_mutex_unlock(&d->lock);
}

void http_deadline_closed(struct serve *sv, void **socket_context)
{
	struct http_deadline *d = sv->deadline;
	struct conn_rec *c = *socket_context;

	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
	*socket_context = NULL;
}

static struct conn_rec *rec_of(void *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

bool http_deadline_head_done(struct serve *sv, void *conn, bool body_follows)
{
	struct http_deadline *d = sv->deadline;
	struct conn_rec *c = rec_of(conn);
	bool ok = true;

	if (!c)
		return true;
	pthread_mutex_lock(&d->lock);
	if (c->state == HEAD_REAPED) {
		ok = false;
	} else if (body_follows) {
		c->state = BODY_WAITING;
		c->deadline = http_monotonic() + sv->cfg.header_timeout_s;
	} else {
		c->state = HEAD_DONE;
	}
	pthread_mutex_unlock(&d->lock);
	return ok;
}

bool http_deadline_body_done(struct serve *sv, void *conn)
{
	struct http_deadline *d = sv->deadline;
	struct conn_rec *c = rec_of(conn);
	bool ok = true;

	if (!c)
		return true;
	pthread_mutex_lock(&d->lock);
	if (c->state == HEAD_REAPED)
		ok = false;
	else
		c->state = HEAD_DONE;
	pthread_mutex_unlock(&d->lock);
	return ok;
}

bool http_deadline_reject(struct serve *sv, void *conn, const char *status_line, const char *body)
{
	struct http_deadline *d = sv->deadline;
	struct conn_rec *c = rec_of(conn);
	bool ok = true;

	if (!c)
		return false;
	pthread_mutex_lock(&d->lock);
	if (c->state == HEAD_REAPED)
		ok = false;
	else
		raw_reply(sv, c, status_line, body);
	pthread_mutex_unlock(&d->lock);
	return ok;
}

void http_deadline_completed(struct serve *sv, void *conn)
{
	struct http_deadline *d = sv->deadline;
	struct conn_rec *c = rec_of(conn);

	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	if (c->state == HEAD_DONE || c->state == BODY_WAITING) {
		c->state = HEAD_WAITING;
		c->deadline = http_monotonic() + sv->cfg.idle_timeout_s + sv->cfg.header_timeout_s;
	}
	pthread_mutex_unlock(&d->lock);
}
