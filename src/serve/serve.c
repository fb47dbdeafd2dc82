/* serve: the server's life (serve.h): start, wait for a signal's request,
 * stop gracefully; the log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve/http_internal.h"

void serve_config_defaults(struct serve_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = "127.0.0.1:8088";
	c->session_ttl_s = 12 * 3600;
	c->threads = 4;
	c->notify_interval_s = 15;
	c->notify_timeout_s = 10;
	c->poll_interval_s = 0.25;
	c->max_body = 64 * 1024;
	c->header_timeout_s = 10;
	c->idle_timeout_s = 60;
	c->max_connections = 1024;
	c->max_per_ip = 256;
	c->max_streams = 256;
}

int64_t serve_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct serve_config *serve_config_of(const struct serve *sv)
{
	return &sv->cfg;
}

struct serve_auth *serve_auth_of(const struct serve *sv)
{
	return sv->auth;
}

struct serve_hub *serve_hub_of(const struct serve *sv)
{
	return sv->hub;
}

const char *serve_address(const struct serve *sv)
{
	return sv->address;
}

/* ---- the log ---------------------------------------------------------------- */

__attribute__((format(printf, 2, 0))) static void vlog_line(struct serve *sv, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char stamp[40], line[4096];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	/* a line quotes outside text (a decoded path, an item id): a control
	 * byte in it must not start a forged line of its own */
	vsnprintf(line, sizeof(line), fmt, ap);
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	pthread_mutex_lock(&sv->log_lock);
	if (sv->log) {
		fprintf(sv->log, "%s.%03ldZ %s\n", stamp, ts.tv_nsec / 1000000, line);
		fflush(sv->log);
	}
	pthread_mutex_unlock(&sv->log_lock);
}

void serve_log(struct serve *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_line(sv, fmt, ap);
	va_end(ap);
}

static FILE *open_log(const char *path, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	FILE *f;

	if (fd < 0) {
		err_errno(e, -errno, "--log '%s' cannot be opened", path);
		return NULL;
	}
	f = fdopen(fd, "a");
	if (!f) {
		err_errno(e, -errno, "--log '%s' cannot be opened", path);
		close(fd);
	}
	return f;
}

/* SIGHUP: the tokens again, so a token is added or revoked without a
 * restart (streams and sessions of the others go on). */
static void reload_tokens(struct serve *sv)
{
	struct err e = { "" };
	int n;

	if (!sv->cfg.tokens_file && !getenv("PREFLIGHT_TOKENS"))
		return;
	n = serve_auth_reload(sv->auth, &sv->cfg, &e);
	if (n < 0)
		serve_log(sv, "SIGHUP: tokens not reloaded, the old ones stay: %s", e.msg);
	else
		serve_log(sv, "SIGHUP: tokens reloaded (%d)", n);
}

/* SIGHUP: logrotate moved the file away; write to a new one at the path. */
static void reopen_log(struct serve *sv)
{
	struct err e = { "" };
	FILE *f, *old;

	if (!sv->log_owned || !sv->cfg.log_path) {
		serve_log(sv, "SIGHUP: no --log file to reopen");
		return;
	}
	f = open_log(sv->cfg.log_path, &e);
	if (!f) {
		serve_log(sv, "SIGHUP: %s; still logging to the old file", e.msg);
		return;
	}
	pthread_mutex_lock(&sv->log_lock);
	old = sv->log;
	sv->log = f;
	pthread_mutex_unlock(&sv->log_lock);
	fclose(old);
	serve_log(sv, "log reopened (SIGHUP)");
}

/* ---- start and stop -------------------------------------------------------- */

static void free_all(struct serve *sv)
{
	http_streams_free(sv);
	http_store_fini(sv);
	serve_metrics_free(sv);
	serve_auth_free(sv->auth);
	if (sv->wake_pipe[0] >= 0)
		close(sv->wake_pipe[0]);
	if (sv->wake_pipe[1] >= 0)
		close(sv->wake_pipe[1]);
	if (sv->log_owned && sv->log)
		fclose(sv->log);
	pthread_mutex_destroy(&sv->log_lock);
	free(sv);
}

/* Opens the store once: is it there, which backend. */
static int check_store(struct serve *sv, struct err *e)
{
	struct store *s = NULL;
	int r = store_open(sv->cfg.db, &s, e);
	int64_t seq;

	if (r < 0)
		return r;
	snprintf(sv->backend, sizeof(sv->backend), "%s", store_backend(s));
	seq = store_last_seq(s, e);
	store_close(s);
	return seq < 0 ? (int)seq : 0;
}

int serve_start(const struct serve_config *c, struct serve **ret, struct err *e)
{
	struct serve *sv = calloc(1, sizeof(*sv));
	int r;

	*ret = NULL;
	if (!sv)
		return err_set(e, -ENOMEM, "out of memory");
	sv->cfg = *c;
	sv->wake_pipe[0] = sv->wake_pipe[1] = -1;
	/* the library first: without it nothing else is worth opening */
	if ((r = mhd_load(e)) < 0) {
		free(sv);
		return r;
	}
	pthread_mutex_init(&sv->log_lock, NULL);
	sv->log = c->log_stream;
	if (c->log_path) {
		sv->log = open_log(c->log_path, e);
		if (!sv->log) {
			r = -PF_EUSAGE;
			goto fail;
		}
		sv->log_owned = true;
	}
	if (pipe2(sv->wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = err_errno(e, -errno, "pipe");
		goto fail;
	}
	if ((r = serve_auth_load(c, &sv->auth, e)) < 0)
		goto fail;
	if (serve_auth_count(sv->auth) == 0 && !c->open_reads) {
		r = err_set(e, -PF_EUSAGE,
			    "no tokens: give --tokens FILE or $PREFLIGHT_TOKENS (NAME:TOKEN lines), or --open-reads "
			    "for a read-only board");
		goto fail;
	}
	if (serve_auth_warning(sv->auth))
		serve_log(sv, "%s", serve_auth_warning(sv->auth));
	if ((r = check_store(sv, e)) < 0)
		goto fail;
	if ((r = serve_metrics_init(sv)) < 0 || (r = http_store_init(sv, e)) < 0 || (r = http_streams_init(sv, e)) < 0 ||
	    (r = http_deadline_start(sv, e)) < 0) {
		if (r == -ENOMEM)
			err_set(e, r, "out of memory");
		goto fail_threads;
	}
	if ((r = serve_hub_start(sv, c->db, c->poll_interval_s, &sv->hub, e)) < 0)
		goto fail_threads;
	serve_hub_set_waker(sv->hub, http_streams_wake, sv);
	if ((r = http_daemon_start(sv, e)) < 0)
		goto fail_threads;
	if ((r = serve_loops_start(sv, e)) < 0) {
		http_daemon_stop(sv);
		goto fail_threads;
	}
	*ret = sv;
	return 0;

fail_threads:
	if (sv->hub)
		serve_hub_stop(sv->hub);
	http_deadline_stop(sv);
fail:
	free_all(sv);
	return r;
}

void serve_announce(struct serve *sv)
{
	const struct serve_config *c = &sv->cfg;

	serve_log(sv, "listening on %s://%s (store: %s, %zu token%s%s%s, notify %s)", sv->tls ? "https" : "http",
		  sv->address, sv->backend, serve_auth_count(sv->auth), serve_auth_count(sv->auth) == 1 ? "" : "s",
		  c->open_reads ? ", open reads" : "",
		  serve_auth_count(sv->auth) == 0 ? ", no tokens: writes are refused, no one can log in" : "",
		  c->notify_interval_s > 0 ? "on" : "off");
}

void serve_stop_request(struct serve *sv)
{
	sv->stop_requested = 1;
	(void)!write(sv->wake_pipe[1], "S", 1);   /* async-signal-safe */
}

void serve_reopen_request(struct serve *sv)
{
	sv->reopen_requested = 1;
	(void)!write(sv->wake_pipe[1], "R", 1);
}

int serve_wait(struct serve *sv, struct err *e)
{
	(void)e;
	while (!sv->stop_requested) {
		struct pollfd p = { .fd = sv->wake_pipe[0], .events = POLLIN };
		char drain[64];

		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return err_errno(e, -errno, "poll");
		while (read(sv->wake_pipe[0], drain, sizeof(drain)) > 0)
			;
		if (sv->reopen_requested) {
			sv->reopen_requested = 0;
			reopen_log(sv);
			reload_tokens(sv);
		}
	}
	return 0;
}

void serve_stop(struct serve *sv, double grace_s)
{
	double until;
	unsigned left;

	if (!sv)
		return;
	serve_log(sv, "stopping: no new connections; in-flight requests have %gs", grace_s);
	http_daemon_quiesce(sv);
	/* live streams end now: they never finish on their own */
	http_streams_end(sv);
	until = http_monotonic() + grace_s;
	while ((left = atomic_load(&sv->in_flight)) > 0 && http_monotonic() < until) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (left)
		serve_log(sv, "stopping: %u requests still in flight after %gs are cut", left, grace_s);
	serve_loops_stop(sv);
	http_streams_end(sv);
	http_daemon_stop(sv);
	if (sv->hub)
		serve_hub_stop(sv->hub);
	sv->hub = NULL;
	http_deadline_stop(sv);
	serve_log(sv, "stopped");
	free_all(sv);
}
