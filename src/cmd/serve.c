/* preflight serve: the board, the JSON API, /metrics and the notify loop
 * in one long-running process (docs/serve.md). A daemon: no --format or
 * --output; it says where it listens on standard output and logs to
 * standard error or --log FILE. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "serve/serve.h"
#include "store/store.h"

struct serve_args {
	const char *listen, *db, *tokens, *session_key, *tls_cert, *tls_key, *log;
	bool allow_remote, open_reads, no_notify, access_log, protect_metrics;
	double session_ttl_s, notify_interval_s, notify_timeout_s, header_timeout_s, idle_timeout_s, grace_s;
	uint64_t threads, max_body, max_connections, max_per_ip, max_streams;
};

static const struct opt serve_opts_table[] = {
	{ .type = OPT_STRING, .long_name = "listen", .arg_name = "ADDR:PORT",
	  .help = "where to listen (default 127.0.0.1:8088; [::1]:8088 for IPv6; port 0 picks a free one); "
		  "a non-loopback address needs --allow-remote",
	  .off = offsetof(struct serve_args, listen) },
	{ .type = OPT_FLAG, .long_name = "allow-remote",
	  .help = "allow --listen on a non-loopback address (warned about without --tls-cert)",
	  .off = offsetof(struct serve_args, allow_remote) },
	{ .type = OPT_STRING, .long_name = "db", .arg_name = "URL",
	  .help = "the store: a SQLite file or a postgresql:// URL (default: $PREFLIGHT_DB, then "
		  "$XDG_STATE_HOME/preflight/preflight.db)",
	  .off = offsetof(struct serve_args, db) },
	{ .type = OPT_FILE, .long_name = "tokens", .arg_name = "FILE",
	  .help = "NAME:TOKEN lines (default: $PREFLIGHT_TOKENS); the name is who the events say acted",
	  .off = offsetof(struct serve_args, tokens) },
	{ .type = OPT_FLAG, .long_name = "open-reads", .help = "reads (GET) need no token or session",
	  .off = offsetof(struct serve_args, open_reads) },
	{ .type = OPT_FLAG, .long_name = "protect-metrics",
	  .help = "/metrics and /healthz need a token or a session too (default: public)",
	  .off = offsetof(struct serve_args, protect_metrics) },
	{ .type = OPT_FILE, .long_name = "session-key", .arg_name = "FILE",
	  .help = "sign session cookies with this key (at least 32 bytes), so servers sharing it accept each "
		  "other's sessions (default: random per process)",
	  .off = offsetof(struct serve_args, session_key) },
	{ .type = OPT_DURATION, .long_name = "session-ttl", .arg_name = "D",
	  .help = "how long a board login lasts (default 12h)", .off = offsetof(struct serve_args, session_ttl_s),
	  .flags = OPT_NONZERO, .dhi = 30 * 86400 },
	{ .type = OPT_FILE, .long_name = "tls-cert", .arg_name = "FILE",
	  .help = "serve https with this certificate (PEM; with --tls-key)", .off = offsetof(struct serve_args, tls_cert) },
	{ .type = OPT_FILE, .long_name = "tls-key", .arg_name = "FILE", .help = "the certificate's private key (PEM)",
	  .off = offsetof(struct serve_args, tls_key) },
	{ .type = OPT_COUNT, .long_name = "threads", .arg_name = "N", .help = "worker threads (default 4)",
	  .off = offsetof(struct serve_args, threads), .lo = 1, .hi = 256 },
	{ .type = OPT_DURATION, .long_name = "notify-interval", .arg_name = "D",
	  .help = "time between rounds of the deadline and outbox loop (default 15s)",
	  .off = offsetof(struct serve_args, notify_interval_s), .flags = OPT_NONZERO, .dhi = 86400 },
	{ .type = OPT_FLAG, .long_name = "no-notify",
	  .help = "do not run the deadline and outbox loop here (a separate `preflight notify` does)",
	  .off = offsetof(struct serve_args, no_notify) },
	{ .type = OPT_DURATION, .long_name = "notify-timeout", .arg_name = "D",
	  .help = "per alert delivery request (default 10s)", .off = offsetof(struct serve_args, notify_timeout_s),
	  .flags = OPT_NONZERO, .dhi = 3600 },
	{ .type = OPT_FILE, .long_name = "log", .arg_name = "FILE",
	  .help = "append the log to FILE (reopened on SIGHUP) instead of standard error",
	  .off = offsetof(struct serve_args, log) },
	{ .type = OPT_FLAG, .long_name = "access-log",
	  .help = "log one line per request (client, method, path, status, time, actor)",
	  .off = offsetof(struct serve_args, access_log) },
	{ .type = OPT_COUNT, .long_name = "max-body", .arg_name = "BYTES",
	  .help = "the largest request body (default 65536); more is 413", .off = offsetof(struct serve_args, max_body),
	  .lo = 1024, .hi = 64 << 20 },
	{ .type = OPT_DURATION, .long_name = "header-timeout", .arg_name = "D",
	  .help = "a request's whole head must arrive within this (default 10s), else 408",
	  .off = offsetof(struct serve_args, header_timeout_s), .flags = OPT_NONZERO, .dhi = 3600 },
	{ .type = OPT_DURATION, .long_name = "idle-timeout", .arg_name = "D",
	  .help = "close a connection idle this long (default 60s)", .off = offsetof(struct serve_args, idle_timeout_s),
	  .flags = OPT_NONZERO, .dhi = 86400 },
	{ .type = OPT_COUNT, .long_name = "max-connections", .arg_name = "N",
	  .help = "connections at once (default 1024)", .off = offsetof(struct serve_args, max_connections), .lo = 1,
	  .hi = 1000000 },
	{ .type = OPT_COUNT, .long_name = "max-per-ip", .arg_name = "N",
	  .help = "connections at once from one address (default 256; 0: no limit)",
	  .off = offsetof(struct serve_args, max_per_ip), .lo = 0, .hi = 1000000 },
	{ .type = OPT_COUNT, .long_name = "max-streams", .arg_name = "N",
	  .help = "live event streams at once (default 256); more get 503", .off = offsetof(struct serve_args, max_streams),
	  .lo = 1, .hi = 1000000 },
	{ .type = OPT_DURATION, .long_name = "grace", .arg_name = "D",
	  .help = "on SIGTERM, how long in-flight requests may take to finish (default 10s)",
	  .off = offsetof(struct serve_args, grace_s), .dhi = 3600 },
	OPT_END_ENTRY,
};

const struct command_spec cmd_serve_spec = {
	.name = "serve",
	.summary = "serve the live launch board, the JSON API and /metrics, and run the alert loop",
	.synopsis = "[--listen ADDR:PORT] [--db URL] [--tokens FILE] [options]",
	.description = "Serves the launch board (HTML, live over Server-Sent Events), the JSON API (/api/v1), "
		       "/metrics and /healthz from the store, and runs the deadline and outbox loop of `preflight "
		       "notify` every --notify-interval. Listens on loopback unless --allow-remote. Writes need a "
		       "token: a bearer token for the API, a session cookie (from logging in with a token) plus its "
		       "CSRF token for the board. The first line on standard output is \"preflight serve: listening "
		       "on http://ADDR:PORT\"; the log (time-stamped, never a token or a cookie) goes to standard "
		       "error or --log. SIGTERM or SIGINT stops accepting, lets in-flight requests finish (--grace) "
		       "and exits 0; SIGHUP reopens --log.",
	.exit_status = "Exit status: 0 stopped by SIGTERM or SIGINT; 2 usage error, a refused configuration (a "
		       "remote address without --allow-remote, no tokens, a bad tokens file or certificate), the "
		       "store cannot be opened or the address cannot be bound; 3 internal error.",
	.see_also = "docs/serve.md",
	.opts = serve_opts_table,
	.max_operands = 0,
	.operand_kind = "none",
};

static struct serve *running;

static void on_stop(int sig)
{
	(void)sig;
	if (running)
		serve_stop_request(running);
}

static void on_hup(int sig)
{
	(void)sig;
	if (running)
		serve_reopen_request(running);
}

int cmd_serve(int argc, char **argv)
{
	struct serve_config c;
	struct serve_args a = { 0 };
	struct serve *sv = NULL;
	struct err e = { "" };
	struct sigaction sa = { 0 };
	int first, r;

	serve_config_defaults(&c);
	a.threads = c.threads;
	a.max_body = c.max_body;
	a.max_connections = c.max_connections;
	a.max_per_ip = c.max_per_ip;
	a.max_streams = c.max_streams;
	a.session_ttl_s = c.session_ttl_s;
	a.notify_interval_s = c.notify_interval_s;
	a.notify_timeout_s = c.notify_timeout_s;
	a.header_timeout_s = c.header_timeout_s;
	a.idle_timeout_s = c.idle_timeout_s;
	a.grace_s = 10;
	r = opts_parse(&cmd_serve_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (a.listen)
		c.listen = a.listen;
	c.allow_remote = a.allow_remote;
	c.db = a.db;
	c.tokens_file = a.tokens;
	c.open_reads = a.open_reads;
	c.protect_metrics = a.protect_metrics;
	c.session_key_file = a.session_key;
	c.session_ttl_s = a.session_ttl_s;
	c.tls_cert = a.tls_cert;
	c.tls_key = a.tls_key;
	c.threads = (unsigned)a.threads;
	c.notify_interval_s = a.no_notify ? 0 : a.notify_interval_s;
	c.notify_timeout_s = a.notify_timeout_s;
	c.log_path = a.log;
	c.log_stream = stderr;
	c.access_log = a.access_log;
	c.max_body = (size_t)a.max_body;
	c.header_timeout_s = a.header_timeout_s;
	c.idle_timeout_s = a.idle_timeout_s;
	c.max_connections = (unsigned)a.max_connections;
	c.max_per_ip = (unsigned)a.max_per_ip;
	c.max_streams = (unsigned)a.max_streams;

	/* a peer that hangs up mid-response is the library's to see, not a signal */
	signal(SIGPIPE, SIG_IGN);
	r = serve_start(&c, &sv, &e);
	if (r < 0)
		return cmd_error("serve", r == -ENOMEM || r == -ELIBACC ? EXIT_INTERNAL : EXIT_USAGE, "%s", e.msg);
	running = sv;
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	printf("preflight serve: listening on %s://%s\n", c.tls_cert ? "https" : "http", serve_address(sv));
	fflush(stdout);
	serve_announce(sv);
	r = serve_wait(sv, &e);
	running = NULL;
	serve_stop(sv, a.grace_s);
	if (r < 0)
		return cmd_error("serve", EXIT_INTERNAL, "%s", e.msg);
	return EXIT_OK;
}
