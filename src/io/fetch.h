/* fetch: one Go runtime surface over HTTP (a pprof profile, /debug/vars,
 * /metrics), with a timeout, a response size cap and gzip accepted, and a
 * clear error when the answer is not what was asked for: a 404 ("no such
 * profile"), an HTML page where text was expected (a login page, the pprof
 * index), or any other non-200. */
#ifndef PREFLIGHT_FETCH_H
#define PREFLIGHT_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "io/http.h"

#define FETCH_DEFAULT_TIMEOUT_MS 5000
#define FETCH_PROFILE_MAX (256u << 20)   /* a debug=2 dump the runtime caps at 64 MiB, gzip aside */
#define FETCH_SMALL_MAX (16u << 20)      /* expvar, /metrics, debug=1 profiles */

struct fetch_opts {
	long timeout_ms;                 /* connect and total; 0 = FETCH_DEFAULT_TIMEOUT_MS */
	size_t max_bytes;                /* 0 = FETCH_SMALL_MAX */
	bool allow_html;                 /* the caller wants an HTML page (the pprof index) */
};

/* GETs url into body (reset first). Returns 0; -ETIMEDOUT, -ECONNREFUSED,
 * -E2BIG (larger than max_bytes), -PF_ENOTFOUND (404), -PF_EPARSE (HTML
 * where text was expected) or -EIO, with e filled: "'URL': ...". */
int go_fetch(const char *url, const struct fetch_opts *o, struct buf *body, struct err *e);

/* One of several GETs made at once (go_fetch_all). The caller sets url,
 * max_bytes and allow_html through fetch_req_init; the answer is in body
 * (owned by the request until fetch_req_release) or err and e. */
struct fetch_req {
	struct http_request http;        /* url and cap in; status and body out */
	bool allow_html;
	int err;                         /* 0 or as go_fetch returns */
	struct err e;
};

/* Joins base and path (go_url) into r. Returns 0 or -ENAMETOOLONG (with
 * r->err and r->e set, so the request counts as failed and is skipped). */
int fetch_req_init(struct fetch_req *r, const char *base, const char *path, size_t max_bytes, bool allow_html);
void fetch_req_release(struct fetch_req *r);

/* Runs every request concurrently, all bounded by one timeout_ms (connect
 * and total): a listener that accepts and never answers costs one timeout
 * for all of them. Each request ends with its own result, classified as
 * go_fetch classifies it. Returns 0, or a negative errno when the requests
 * could not be started at all (then every request carries it too). */
int go_fetch_all(struct fetch_req *reqs, size_t n, long timeout_ms);

/* Joins a base ("http://127.0.0.1:6060" or with a trailing '/') and a path
 * ("/debug/pprof/goroutine?debug=1") into out. */
int go_url(char *out, size_t n, const char *base, const char *path);

#endif
