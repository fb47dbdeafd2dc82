/* hub_route: GET /api/v1/stream, the live feed as Server-Sent Events
 * (docs/api.md). The hub (hub.c) keeps the frames; the http layer keeps
 * the connection and feeds it; this file only reads what the client asked
 * for:
 *   run=N            only run N's events (absent: every run)
 *   Last-Event-ID: S after seq S: what a browser's EventSource sends when
 *                    it reconnects, so it wins over the URL's after=
 *   after=S          after seq S (a page rendered at seq S opens its
 *                    stream with it, so nothing between is lost)
 * With neither, the stream starts now: only events written after it
 * opened. A cursor the hub no longer holds (the server keeps the newest
 * 4096 events) gets "event: reset" on the stream, and the page reloads. */
#include <errno.h>
#include <stdint.h>

#include "base/parse.h"
#include "serve/serve.h"

/* A seq or run id from outside: digits only, no sign. */
static int parse_id(const char *s, int64_t *ret)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v > INT64_MAX)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

static int stream_get(struct http_request *r, struct http_response *w)
{
	struct serve_hub *h = serve_hub_of(r->sv);
	const char *run = http_query(r, "run");
	const char *last_id = http_header(r, "Last-Event-ID");
	const char *after = http_query(r, "after");
	int64_t run_id = 0, after_seq;

	if (!h)
		return http_error(w, 503, "unavailable", "the live feed is not running");
	if (run && (parse_id(run, &run_id) < 0 || run_id == 0))
		return http_error(w, 400, "bad_request", "run must be a run id (a positive integer)");
	if (last_id && last_id[0]) {
		if (parse_id(last_id, &after_seq) < 0)
			return http_error(w, 400, "bad_request", "Last-Event-ID must be an event seq");
	} else if (after && after[0]) {
		if (parse_id(after, &after_seq) < 0)
			return http_error(w, 400, "bad_request", "after must be an event seq (a non-negative integer)");
	} else {
		after_seq = serve_hub_last_seq(h);
	}
	return http_stream(w, after_seq, run_id);
}

const struct route hub_routes[] = {
	{ "GET", "/api/v1/stream", ROUTE_READ | ROUTE_STREAM, stream_get },
	{ NULL, NULL, 0, NULL },
};
