/* serve: `preflight serve`, the long-running home of the checklist loop
 * (docs/serve.md, the API in docs/api.md).
 *
 * One process, on libmicrohttpd:
 *   http.c      the server: listen (loopback unless --allow-remote), TLS
 *               from files through the library, a pool of worker threads
 *               on epoll, limits (connections, per-IP, body size, a
 *               deadline for a request's head so a slow client gets 408 and
 *               costs nobody else), routing, authentication by route
 *               flags, the request latency histogram, quiescing on SIGTERM.
 *   auth.c      tokens (NAME:TOKEN lines from --tokens FILE or
 *               $PREFLIGHT_TOKENS), signed session cookies for the board
 *               and their CSRF tokens.
 *   hub.c       the live feed: one thread tails the store's event log
 *               (any process may write it) and wakes the Server-Sent-Events
 *               streams, which the http layer keeps suspended meanwhile.
 *   api.c       the JSON API (/api/v1/...), same objects as the report.
 *   board*.c    the server-rendered board (HTML, one CSS, one small JS).
 *   metrics.c   /metrics (Prometheus text) and /healthz.
 *   loops.c     the deadline and outbox loop (notify_once) on a thread.
 *
 * State: none of its own. Every view is read from the store (per worker
 * thread, its own connection); a cache may hold a view only keyed on the
 * store's last event seq. Sessions are signed cookies, not a table.
 */
#ifndef PREFLIGHT_SERVE_H
#define PREFLIGHT_SERVE_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "facts/launch.h"
#include "store/store.h"

/* ---- configuration (src/cmd/serve.c fills it from options) ----------- */
struct serve_config {
	const char *listen;          /* "127.0.0.1:8088" (default), "[::1]:8088", ":8088" = all (needs allow_remote) */
	bool allow_remote;           /* --allow-remote: a non-loopback address may be bound */
	const char *db;              /* the store URL (NULL: the default store) */
	const char *tls_cert;        /* --tls-cert FILE (PEM) */
	const char *tls_key;         /* --tls-key FILE (PEM) */
	const char *tokens_file;     /* --tokens FILE; else $PREFLIGHT_TOKENS */
	bool open_reads;             /* --open-reads: GET needs no token or session */
	const char *session_key_file;/* --session-key FILE: shared by servers behind one name; else random */
	double session_ttl_s;        /* default 12 h */
	unsigned threads;            /* worker threads (default 4) */
	double notify_interval_s;    /* the deadline+outbox loop's period (default 15 s); 0: off (--no-notify) */
	double notify_timeout_s;     /* per delivery (default 10 s) */
	double poll_interval_s;      /* how often the hub looks for new events (default 0.25 s) */
	const char *log_path;        /* --log FILE, reopened on SIGHUP; NULL: log_stream */
	FILE *log_stream;            /* the command passes stderr (src/serve never names stdout/stderr) */
	bool access_log;             /* --access-log: one line per request */
	size_t max_body;             /* bytes (default 64 KiB): more is 413 */
	double header_timeout_s;     /* the whole request head within this (default 10 s): else 408 */
	double idle_timeout_s;       /* a keep-alive connection idle this long is closed (default 60 s) */
	unsigned max_connections;    /* default 1024 */
	unsigned max_per_ip;         /* default 256; 0: no limit */
	unsigned max_streams;        /* live SSE streams at once (default 256): more get 503 */
	bool protect_metrics;        /* --protect-metrics: /metrics and /healthz need a token or session */
};

/* Fills the defaults above. */
void serve_config_defaults(struct serve_config *c);

struct serve;   /* the running server */

/* Starts everything (loads tokens and TLS files, opens the store once to
 * check it, binds, starts the threads). Returns 0 or a negative code with
 * e filled: -PF_EUSAGE for a configuration refused (a remote address
 * without --allow-remote, no tokens, an unreadable certificate), others
 * for the store and the socket. */
int serve_start(const struct serve_config *c, struct serve **ret, struct err *e);
/* Logs the line that says the server runs (address, store, tokens, loop):
 * the command calls it once its own stdout line is out, so that line
 * comes first even where stdout and stderr are one stream. */
void serve_announce(struct serve *sv);
/* The address actually bound ("127.0.0.1:8088", the port filled in when 0 was asked). */
const char *serve_address(const struct serve *sv);
/* Blocks until serve_stop_request() (SIGTERM/SIGINT) or a fatal error;
 * reopens the log on serve_reopen_request() (SIGHUP). Async-signal-safe
 * requests; the loop does the work. */
int serve_wait(struct serve *sv, struct err *e);
void serve_stop_request(struct serve *sv);
void serve_reopen_request(struct serve *sv);
/* Stops accepting, lets in-flight requests finish (at most grace_s), ends
 * the streams and the threads, frees everything. */
void serve_stop(struct serve *sv, double grace_s);

/* The log: one line, time-stamped, no secrets (never a token, a cookie,
 * an Authorization header or a webhook URL). Thread-safe. */
void serve_log(struct serve *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- requests and responses (http.c) ----------------------------------- */
enum route_flags {
	ROUTE_PUBLIC = 1 << 0,   /* no authentication at all: /healthz, /metrics, /login, /assets */
	ROUTE_READ = 1 << 1,     /* needs a token or a session unless --open-reads */
	ROUTE_WRITE = 1 << 2,    /* mutates: a bearer token, or a session plus its CSRF token */
	ROUTE_BOARD = 1 << 3,    /* a page: unauthenticated -> 303 to /login?next=..., errors as HTML */
	ROUTE_STREAM = 1 << 4,   /* may answer with an event stream (http_stream) */
	ROUTE_OBSERVE = 1 << 5,  /* with ROUTE_PUBLIC: /metrics, /healthz; a read (token or session)
	                          * under --protect-metrics */
};

struct http_request;

/* Who made a request that authenticated: the token's name, "api" for a
 * bearer token or "board" for a session. NULL actor when anonymous (an
 * open read). */
struct http_auth {
	const char *actor;
	const char *via;
	const char *csrf;            /* the session's CSRF token (board pages put it in forms); NULL otherwise */
};

struct http_request {
	struct serve *sv;
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* the URL path, percent-decoded, without the query */
	const char *body;            /* NUL-terminated copy of the body (NULL when none) */
	size_t body_len;
	bool tls;
	struct http_auth auth;
	void *conn;                  /* the library's connection (http.c only) */
	const char *params[4][2];    /* route parameters: {name, value}, see http_param */
	size_t n_params;
};

/* A header, a query-string argument (percent-decoded), a cookie or a
 * route parameter ("{run}" in the pattern) of the request; NULL when
 * absent. */
const char *http_header(const struct http_request *r, const char *name);
const char *http_query(const struct http_request *r, const char *name);
const char *http_cookie(const struct http_request *r, const char *name);
const char *http_param(const struct http_request *r, const char *name);
/* A form field of an application/x-www-form-urlencoded body (decoded into
 * buf); NULL when absent or the body is not a form. */
const char *http_form(const struct http_request *r, const char *name, char *buf, size_t len);

/* The request's path and query as the client sent them, re-encoded
 * ("/runs/3?env=prod&module=pay"): what a login brings the user back to. */
int http_request_target(const struct http_request *r, struct buf *out);
/* Appends s percent-encoded for a query value (unreserved bytes kept). */
int http_url_encode(struct buf *out, const char *s);

/* This worker thread's store connection (opened on first use, kept for
 * the thread's life). NULL with e filled when it cannot be opened. */
struct store *http_store(const struct http_request *r, struct err *e);

#define HTTP_MAX_HEADERS 8

struct http_response {
	unsigned status;             /* 0 until set: the handler must set it */
	const char *content_type;    /* a static string */
	struct buf body;             /* owned; freed by the server */
	char *headers[HTTP_MAX_HEADERS][2];   /* owned copies (http_set_header) */
	size_t n_headers;
	/* an event stream instead of a body (ROUTE_STREAM): the server keeps
	 * the connection and feeds it from the hub */
	bool stream;
	int64_t stream_after;        /* events after this seq (Last-Event-ID or ?after=) */
	int64_t stream_run;          /* only this run's events (0: all) */
};

/* Sets a response header (copied). -ENOMEM or -E2BIG (too many). */
int http_set_header(struct http_response *w, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* status + application/json body of j (stolen; NULL = 500). */
int http_json(struct http_response *w, unsigned status, json_t *j);
/* status + the API's error body:
 *   {"error": {"status": 409, "code": "refused", "message": "item 'x' of run 3 is already pass (by ann)"}}
 * codes: bad_request, unauthorized, forbidden, not_found, method_not_allowed,
 * conflict (refused), payload_too_large, unsupported_media_type, internal,
 * unavailable. */
int http_error(struct http_response *w, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Maps an actions.h / store code to status and code: NOTFOUND 404
 * not_found, INVALID 400 bad_request, REFUSED 409 conflict, an unreachable
 * store 503 unavailable, others 500 internal. */
int http_error_code(struct http_response *w, int code, const char *message);
/* Asks for an event stream (ROUTE_STREAM routes): after seq, of run (0: all). */
int http_stream(struct http_response *w, int64_t after_seq, int64_t run_id);

typedef int (*http_handler)(struct http_request *r, struct http_response *w);

struct route {
	const char *method;          /* "GET", "POST" */
	const char *pattern;         /* "/api/v1/runs/{run}/items/{item}": {x} matches one non-empty segment */
	unsigned flags;              /* enum route_flags */
	http_handler handler;
};

/* The route tables, each ended by { NULL }: the server tries them in
 * this order; an unmatched path is 404, a matched path with another
 * method 405 with Allow. */
extern const struct route metrics_routes[];  /* metrics.c: /metrics, /healthz */
extern const struct route auth_routes[];     /* auth.c: POST /login (form: token, next) -> session cookie
                                              * and 303 to next; POST /logout; a bad token: 303
                                              * to /login?error=token&next=... */
extern const struct route hub_routes[];      /* hub.c: GET /api/v1/stream?run=&after= (SSE, ROUTE_READ|ROUTE_STREAM) */
extern const struct route api_routes[];      /* api.c */
extern const struct route board_routes[];    /* board*.c: pages, GET /login, form actions, /assets */
/* board_routes.c: an HTML error page of the board (status, the message
 * shown escaped) with its security headers, for the board's paths that
 * match no route or fail authentication (ROUTE_BOARD errors as HTML). */
int board_error(struct http_request *r, struct http_response *w, unsigned status, const char *message);

/* ---- authentication (auth.c) ------------------------------------------- */
struct serve_auth;

/* Loads tokens (file, else $PREFLIGHT_TOKENS: "NAME:TOKEN" per line or
 * comma-separated; '#' comments; a token shorter than 16 bytes or a
 * duplicate name refused with the line number, never the token) and the
 * session key (file of at least 32 bytes, else 32 random bytes). */
int serve_auth_load(const struct serve_config *c, struct serve_auth **ret, struct err *e);
void serve_auth_free(struct serve_auth *a);
size_t serve_auth_count(const struct serve_auth *a);
/* The name of the token (compared in constant time), or NULL. */
const char *serve_auth_token(const struct serve_auth *a, const char *token);
/* A session cookie value for name, valid until now + ttl; into buf. */
int serve_auth_session_issue(const struct serve_auth *a, const char *name, int64_t now_ms, double ttl_s,
			     char *buf, size_t len);
/* Checks a cookie value: its name (copied into name) and its CSRF token
 * (into csrf, derived from the session: HMAC of the cookie). -EACCES when
 * forged or expired. */
int serve_auth_session_check(const struct serve_auth *a, const char *cookie, int64_t now_ms, char *name,
			     size_t name_len, char *csrf, size_t csrf_len);

#define SERVE_SESSION_COOKIE "preflight_session"
#define SERVE_CSRF_HEADER "X-CSRF-Token"
#define SERVE_CSRF_FIELD "csrf"

/* ---- the live feed (hub.c) --------------------------------------------- */
struct serve_hub;

/* Starts the thread that polls the store (its own connection) every
 * interval and keeps the newest events' SSE frames. */
int serve_hub_start(struct serve *sv, const char *db, double interval_s, struct serve_hub **ret, struct err *e);
void serve_hub_stop(struct serve_hub *h);
/* The newest seq the hub has seen (0 before the first poll). */
int64_t serve_hub_last_seq(const struct serve_hub *h);
/* Appends to out the SSE frames of events after *cursor (of run, 0: all),
 * at most max bytes, and advances *cursor. Returns the bytes added, 0
 * when nothing is new, or -ESTALE when the cursor is older than what the
 * hub keeps (the stream then says "event: reset" and the page reloads).
 * A frame: "id: SEQ\nevent: KIND\ndata: <launch_event_json>\n\n".
 * The cursor is a plain seq: 0 means "after seq 0", which is -ESTALE once
 * the hub no longer holds seq 1; "from now" is the stream handler's
 * default (serve_hub_last_seq() when the client names no seq). The hub
 * keeps the newest 4096 events or 4 MiB of frames, and at start the
 * newest 4096 of the store (a client reconnecting after a restart goes
 * on). Whole frames only; the first even past max (never a stall); the
 * cursor also passes events of other runs. */
long serve_hub_frames(struct serve_hub *h, int64_t *cursor, int64_t run_id, struct buf *out, size_t max);
/* Calls wake(arg) after every poll that found new events, and every 15 s
 * (the streams send a comment then, so proxies keep them open). */
void serve_hub_set_waker(struct serve_hub *h, void (*wake)(void *), void *arg);
/* Tells the hub this process appended an event: poll now. */
void serve_hub_kick(struct serve_hub *h);

/* ---- metrics (metrics.c) ------------------------------------------------- */
/* Records one request's latency (seconds) by route pattern and status
 * class; lock-free. */
void serve_metrics_observe(struct serve *sv, const char *route, unsigned status, double seconds);

/* ---- the server's parts, for the handlers ------------------------------- */
const struct serve_config *serve_config_of(const struct serve *sv);
struct serve_auth *serve_auth_of(const struct serve *sv);
struct serve_hub *serve_hub_of(const struct serve *sv);
/* The wall clock in Unix ms. */
int64_t serve_now_ms(void);

#endif
