/* http: bounded HTTP GETs with libcurl, many at once.
 *
 * Every request has a connect timeout, a total timeout and a response size
 * cap, so a stuck or hostile target can never hang or balloon preflight.
 * All requests of one call run in parallel (curl multi), so a listener that
 * accepts and never answers costs one timeout, not one per path.
 * Connections stay open between calls (keep-alive) until the process
 * exits, so sampling a target every 200 ms costs it no new connections.
 *
 * https:// is verified as curl verifies it (the certificate chain against
 * the system's CAs or a --cacert bundle, and the host name), unless the
 * run's trust (http_set_tls) or a request's own (http_request.tls) says
 * otherwise; a certificate that does not verify is its own error,
 * -PF_EUNTRUSTED, whose message says how to trust it.
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

/* How https:// answers are trusted, as curl's --cacert and --insecure. */
struct http_tls {
	const char *cacert;        /* PEM CA bundle used instead of the system's; NULL = the system's.
				    * Borrowed: it must outlive every request made with it */
	bool insecure;             /* verify neither the certificate nor the host name */
};

struct http_request {
	/* in */
	char url[2048];            /* webhook URLs carry tokens and signatures */
	size_t max_bytes;          /* body cap; larger bodies are cut and flagged */
	/* NULL: GET. Otherwise the method ("POST", "PUT", "HEAD", ...); a body,
	 * when send_body is not NULL, goes with it (borrowed until the request
	 * ends). headers: NULL or a NULL-terminated list of "Name: value"
	 * lines (borrowed). A "Content-Type" among them replaces curl's
	 * default for a POST body. */
	const char *method;
	const char *send_body;
	size_t send_len;
	const char *const *headers;
	bool follow_redirects;     /* off by default: a probe sees the redirect itself */
	const struct http_tls *tls;   /* https:// trust; NULL: the run's (http_set_tls) */
	/* Connect from this network namespace (io/netns.h: the socket is made
	 * there, for a target in a container); NULL = ours. Borrowed until the
	 * request ends. Kept-alive connections are shared by host and port, so
	 * one run asks one namespace per address. */
	const struct netns *netns;
	/* out */
	long status;               /* HTTP status; 0 when no response arrived */
	struct buf body;           /* decoded (gzip accepted) */
	char content_type[128];
	char retry_after[32];      /* the Retry-After header as sent (a 429's or 503's), or "" */
	double elapsed_s;          /* from the start of the transfer to its end */
	bool truncated;            /* the body hit max_bytes */
	int err;                   /* 0, or negative: -ETIMEDOUT, -ECONNREFUSED, -E2BIG, -EIO,
				    * -ELIBACC (libcurl.so.4 cannot be loaded),
				    * -PF_EUNTRUSTED (the TLS certificate did not verify, or the
				    * CA bundle could not be used), -PF_ETLS (no TLS session:
				    * the handshake failed, e.g. a client certificate required) */
	char errmsg[320];          /* curl's (or the loader's) words for err; TLS errors in
				    * curl's detailed words, with the fix for -PF_EUNTRUSTED */
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

/* Sets the run's trust for https:// (the command's --cacert and
 * --insecure), used by every request that brings none (tls NULL): the
 * sampler's, the explicit URLs of goroutines, contention and watch. Called
 * once by a command before its first request; NULL restores the default
 * (system CAs, verified). The struct is copied, its cacert borrowed. */
void http_set_tls(const struct http_tls *t);

/* The run's trust as http_set_tls last set it (never NULL). */
const struct http_tls *http_get_tls(void);

/* Runs all requests concurrently; each ends in success or its own error.
 * When libcurl cannot be loaded, every request ends with -ELIBACC and
 * http_init()'s message, so any caller's message names libcurl. Returns 0,
 * or a negative errno when the run itself broke (-ENOMEM, -EIO). */
int http_fetch_all(struct http_request *reqs, size_t n, const struct http_opts *o);

#endif
