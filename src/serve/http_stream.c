/* http_stream: Server-Sent-Events responses (ROUTE_STREAM, http_stream).
 *
 * A stream is a response of unknown length whose reader takes the hub's
 * frames after the stream's cursor. With nothing new, the reader suspends
 * its connection (no thread waits on it) and the hub's waker resumes every
 * suspended stream after a poll that found events, and every 15 s: a
 * stream woken with nothing new sends a comment line, so proxies keep it
 * open. serve_stop ends them all: each reader then returns end-of-stream. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "serve/http_internal.h"

struct stream {
	struct stream *prev, *next;
	struct serve *sv;
	struct MHD_Connection *conn;
	int64_t cursor, run;
	struct buf pending;         /* frames taken from the hub, not yet given to the library */
	size_t off;
	int fd;                     /* the socket, to see a client leave while suspended */
	bool suspended, woken, end_after, gone;
};

struct http_streams {
	pthread_mutex_t lock;
	struct stream head;
	unsigned n;
	bool ending;
};

#define STREAM_CHUNK (16 * 1024)

int http_streams_init(struct serve *sv, struct err *e)
{
	struct http_streams *s = calloc(1, sizeof(*s));

	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	s->head.next = s->head.prev = &s->head;
	sv->streams = s;
	return 0;
}

/* The hub's waker: resume every suspended stream. */
void http_streams_wake(void *arg)
{
	struct serve *sv = arg;
	struct http_streams *s = sv->streams;

	pthread_mutex_lock(&s->lock);
	for (struct stream *st = s->head.next; st != &s->head; st = st->next) {
		st->woken = true;
		if (st->suspended) {
			st->suspended = false;
			MHD_resume_connection(st->conn);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

/* The library does not watch a suspended connection, so a client that
 * left would keep its stream (and a place under --max-streams) until the
 * next wake. The reaper calls this every second: a suspended stream whose
 * peer hung up is resumed, and its reader ends it. */
void http_streams_check_peers(struct serve *sv)
{
	struct http_streams *s = sv->streams;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (struct stream *st = s->head.next; st != &s->head; st = st->next) {
		struct pollfd p = { .fd = st->fd, .events = POLLRDHUP };

		if (!st->suspended || st->fd < 0 || poll(&p, 1, 0) <= 0 ||
		    !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			continue;
		st->gone = true;
		st->suspended = false;
		MHD_resume_connection(st->conn);
	}
	pthread_mutex_unlock(&s->lock);
}

void http_streams_end(struct serve *sv)
{
	struct http_streams *s = sv->streams;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->ending = true;
	pthread_mutex_unlock(&s->lock);
	http_streams_wake(sv);
}

void http_streams_free(struct serve *sv)
{
	struct http_streams *s = sv->streams;

	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
	sv->streams = NULL;
}

unsigned http_streams_count(const struct serve *sv)
{
	struct http_streams *s = sv->streams;
	unsigned n;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static ssize_t give(struct stream *st, char *out, size_t max)
{
	size_t n = st->pending.len - st->off;

	if (n > max)
		n = max;
	memcpy(out, st->pending.data + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *st = cls;
	struct serve *sv = st->sv;
	struct http_streams *s = sv->streams;
	long got = 0;

	(void)pos;
	if (st->off < st->pending.len)
		return give(st, out, max);
	if (st->end_after)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (st->gone)
		return MHD_CONTENT_READER_END_WITH_ERROR;   /* the client left: close */
	pthread_mutex_lock(&s->lock);
	if (s->ending) {
		pthread_mutex_unlock(&s->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	buf_reset(&st->pending);
	st->off = 0;
	if (sv->hub)
		got = serve_hub_frames(sv->hub, &st->cursor, st->run, &st->pending, max > STREAM_CHUNK ? max : STREAM_CHUNK);
	if (got == -ESTALE) {
		/* the cursor is older than what the hub keeps: the page reloads */
		buf_reset(&st->pending);
		buf_puts(&st->pending, "event: reset\ndata: {}\n\n");
		st->end_after = true;
	} else if (got <= 0 || st->pending.len == 0) {
		if (!st->woken) {
			st->suspended = true;
			MHD_suspend_connection(st->conn);
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
		buf_puts(&st->pending, ": keep-alive\n\n");
	}
	st->woken = false;
	pthread_mutex_unlock(&s->lock);
	return give(st, out, max);
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	struct http_streams *s = st->sv->streams;

	pthread_mutex_lock(&s->lock);
	st->prev->next = st->next;
	st->next->prev = st->prev;
	s->n--;
	pthread_mutex_unlock(&s->lock);
	buf_release(&st->pending);
	free(st);
}

void *http_stream_response(struct serve *sv, void *conn, struct http_response *w)
{
	struct http_streams *s = sv->streams;
	struct stream *st;
	struct MHD_Response *resp;

	pthread_mutex_lock(&s->lock);
	if (s->ending || s->n >= sv->cfg.max_streams) {
		bool ending = s->ending;

		pthread_mutex_unlock(&s->lock);
		http_set_header(w, "Retry-After", "5");
		if (ending)
			http_error(w, 503, "unavailable", "the server is stopping");
		else
			http_error(w, 503, "unavailable", "too many live streams (%u); try again later",
				   sv->cfg.max_streams);
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		pthread_mutex_unlock(&s->lock);
		http_error(w, 500, "internal", "out of memory");
		return NULL;
	}
	st->sv = sv;
	st->conn = conn;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	st->fd = ci ? ci->connect_fd : -1;
	st->cursor = w->stream_after;
	st->run = w->stream_run;
	buf_init(&st->pending, SIZE_MAX);
	/* how long a browser waits before it reconnects */
	buf_puts(&st->pending, "retry: 3000\n\n");
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_CHUNK, reader, st, stream_free);
	if (!resp) {
		pthread_mutex_unlock(&s->lock);
		buf_release(&st->pending);
		free(st);
		http_error(w, 500, "internal", "out of memory");
		return NULL;
	}
	st->next = &s->head;
	st->prev = s->head.prev;
	s->head.prev->next = st;
	s->head.prev = st;
	s->n++;
	pthread_mutex_unlock(&s->lock);
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	/* a live stream is quiet between events: the heartbeat keeps it, not the idle timeout */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0);
	return resp;
}

