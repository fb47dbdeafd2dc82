/* http: bounded HTTP GETs with libcurl, many at once.
 *
 * Every request has a connect timeout, a total timeout and a response size
 * cap, so a stuck or hostile target can never hang or balloon preflight.
 * All requests of one call run in parallel (curl multi), so a listener that
 * accepts and never answers costs one timeout, not one per path.
 * Connections stay open between calls (keep-alive) until the process
 * exits, so sampling a target every 200 ms costs it no new connections.
 *
 * libcurl.so.4 is loaded on first use (dlopen). When it cannot be loaded,
 * that is an error of its own, -ELIBACC, whose message names libcurl and
 * the package to install: a host without libcurl must not look like a
 * target without pprof.
 */
#ifndef PREFLIGHT_HTTP_H
#define PREFLIGHT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "io/netns.h"

struct http_request {
	/* in */
	char url[256];
	size_t max_bytes;          /* body cap; larger bodies are cut and flagged */
	/* Connect from this network namespace (io/netns.h: the socket is made
	 * there, for a target in a container); NULL = ours. Borrowed until the
	 * request ends. Kept-alive connections are shared by host and port, so
	 * one run asks one namespace per address. */
	const struct netns *netns;
	/* out */
	long status;               /* HTTP status; 0 when no response arrived */
	struct buf body;           /* decoded (gzip accepted) */
	char content_type[128];
	bool truncated;            /* the body hit max_bytes */
	int err;                   /* 0, or negative: -ETIMEDOUT, -ECONNREFUSED, -E2BIG, -EIO,
				    * -ELIBACC (libcurl.so.4 cannot be loaded) */
	char errmsg[192];          /* curl's (or the loader's) words for err */
};

struct http_opts {
	long connect_timeout_ms;
	long total_timeout_ms;
};

/* Initialises reqs[i].body etc. from url and max_bytes set by the caller. */
void http_request_init(struct http_request *r, const char *url, size_t max_bytes);
void http_request_release(struct http_request *r);

/* Loads libcurl.so.4 once. Returns 0, or -ELIBACC with e filled:
 * "libcurl.so.4 cannot be loaded: <the loader's words>; install libcurl4".
 * http_fetch_all() calls it; callers call it to tell "no libcurl" apart
 * from a target's own failures before they ask anything. */
int http_init(struct err *e);

/* Runs all requests concurrently; each ends in success or its own error.
 * When libcurl cannot be loaded, every request ends with -ELIBACC and
 * http_init()'s message, so any caller's message names libcurl. Returns 0,
 * or a negative errno when the run itself broke (-ENOMEM, -EIO). */
int http_fetch_all(struct http_request *reqs, size_t n, const struct http_opts *o);

#endif
