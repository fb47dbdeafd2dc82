/* serve_internal: the server's state shared by src/serve's own files
 * (http*.c, serve.c, metrics.c, loops.c, auth.c); handlers see only
 * serve.h. */
#ifndef PREFLIGHT_SERVE_INTERNAL_H
#define PREFLIGHT_SERVE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "serve/serve.h"

struct MHD_Daemon;
struct http_deadline;
struct http_streams;
struct serve_metrics;
struct serve_loops;

struct serve {
	struct serve_config cfg;        /* a copy; its strings are the caller's (argv) */
	struct serve_auth *auth;
	struct serve_hub *hub;          /* NULL until hub.c is linked */
	struct MHD_Daemon *daemon;
	char address[128];              /* "127.0.0.1:8088" as bound */
	char backend[16];               /* "sqlite", "postgresql" */
	bool tls;

	/* the log */
	pthread_mutex_t log_lock;
	FILE *log;                      /* cfg.log_stream or our own file */
	bool log_owned;

	/* requests from signal handlers: a self-pipe serve_wait reads */
	int wake_pipe[2];
	volatile sig_atomic_t stop_requested, reopen_requested;

	/* each worker thread's store connection */
	pthread_key_t store_key;
	bool store_key_made;

	struct http_deadline *deadline; /* the request head's deadline (http_deadline.c) */
	struct http_streams *streams;   /* suspended event streams (http_stream.c) */
	struct serve_metrics *metrics;  /* counters (metrics.c) */
	struct serve_loops *loops;      /* the notify loop (loops.c) */
	bool starting;                  /* the library's start-up complaints: our one line says it */
	atomic_bool quiescing;          /* SIGTERM seen: new requests get Connection: close */
	atomic_uint in_flight;          /* requests between their head and their completion */
};

/* http.c */
int http_daemon_start(struct serve *sv, struct err *e);
/* Stops accepting new connections (SIGTERM's first step). */
void http_daemon_quiesce(struct serve *sv);
void http_daemon_stop(struct serve *sv);

/* http_deadline.c: connections still sending their request head past
 * header_timeout_s get 408 and are shut down. */
int http_deadline_start(struct serve *sv, struct err *e);
void http_deadline_stop(struct serve *sv);
/* MHD_OPTION_NOTIFY_CONNECTION and MHD_OPTION_NOTIFY_COMPLETED hooks. */
void http_deadline_opened(struct serve *sv, void *conn, void **socket_context);
void http_deadline_closed(struct serve *sv, void **socket_context);
void http_deadline_completed(struct serve *sv, void *conn);
/* The access handler's first call: the head is complete; a body, when
 * one follows, gets as long again. false when the reaper already answered
 * 408 on this connection (drop the request). */
bool http_deadline_head_done(struct serve *sv, void *conn, bool body_follows);
/* The body is complete: the request is the handler's. false when reaped. */
bool http_deadline_body_done(struct serve *sv, void *conn);
/* Answers on the socket itself and shuts it down (a body past max_body
 * while the library reads it, when it takes no response); TLS: shut down
 * only. false when the connection was already answered. */
bool http_deadline_reject(struct serve *sv, void *conn, const char *status_line, const char *body);

/* http_stream.c */
int http_streams_init(struct serve *sv, struct err *e);
/* Ends every stream (serve_stop): each reader returns end-of-stream. */
void http_streams_end(struct serve *sv);
void http_streams_free(struct serve *sv);
/* Ends the suspended streams whose client hung up (the reaper, every second). */
void http_streams_check_peers(struct serve *sv);
unsigned http_streams_count(const struct serve *sv);
/* Turns w's stream request into the library's response, or NULL with
 * w filled with a 503 when there are too many. */
void *http_stream_response(struct serve *sv, void *conn, struct http_response *w);
/* The hub's waker: resumes every suspended stream (arg: the serve). */
void http_streams_wake(void *arg);

/* http_request.c */
void http_response_release(struct http_response *w);
/* The store key's destructor and the stop-time cleanup. */
int http_store_init(struct serve *sv, struct err *e);
void http_store_fini(struct serve *sv);
/* Closes this thread's store connection (a 503: the store did not answer);
 * the next request opens a new one, so a restarted PostgreSQL is found again. */
void http_store_drop(struct serve *sv);

/* metrics.c */
int serve_metrics_init(struct serve *sv);
void serve_metrics_free(struct serve *sv);

/* loops.c */
int serve_loops_start(struct serve *sv, struct err *e);
void serve_loops_stop(struct serve *sv);

/* routes.c: the route tables the server tries, in order; NULL-ended. */
extern const struct route *const route_tables[];

/* auth.c */
/* A failed login from this address: true when it is locked out now. */
bool serve_auth_login_locked(struct serve_auth *a, const char *ip, int64_t now_ms);
void serve_auth_login_failed(struct serve_auth *a, const char *ip, int64_t now_ms);
void serve_auth_login_ok(struct serve_auth *a, const char *ip);
/* Reads the tokens again (SIGHUP): the new table replaces the old one at
 * once, and sessions of a name no longer there stop working. A file that
 * cannot be read or parsed keeps the old tokens (-PF_EUSAGE, e says why).
 * Returns the number of tokens. */
int serve_auth_reload(struct serve_auth *a, const struct serve_config *c, struct err *e);
/* Whether a key was given (--session-key) or made up for this process. */
bool serve_auth_key_shared(const struct serve_auth *a);
/* A warning to log at start (a secret file readable by others), or NULL. */
const char *serve_auth_warning(const struct serve_auth *a);
/* Constant-time comparison of two NUL-terminated strings. */
bool serve_auth_equal(const char *a, const char *b);

/* The client's address as text ("127.0.0.1"), for per-IP limits and logs. */
const char *http_client_ip(const struct http_request *r, char *buf, size_t len);


#endif
