/* http: the server on libmicrohttpd (serve.h): the daemon, the access
 * handler (head, body, routing, authentication by route flags) and the
 * request's end (metrics, access log). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "notify/crypto.h"
#include "serve/http_internal.h"

double http_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the listening address --------------------------------------------- */

struct listen_addr {
	struct sockaddr_storage ss;
	bool v6;
};

/* "127.0.0.1:8088", "[::1]:8088", "localhost:8088", ":8088" (all). */
static int parse_listen(const char *text, struct listen_addr *la, struct err *e)
{
	char host[256];
	const char *colon, *port_s;
	char *end;
	long port;

	memset(la, 0, sizeof(*la));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
			return err_set(e, -PF_EUSAGE, "--listen '%s' is not HOST:PORT ([ADDR]:PORT for IPv6)", text);
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		port_s = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon || (size_t)(colon - text) >= sizeof(host) || memchr(text, ':', (size_t)(colon - text)))
			return err_set(e, -PF_EUSAGE, "--listen '%s' is not HOST:PORT ([ADDR]:PORT for IPv6)", text);
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (!*port_s || *end || errno || port < 0 || port > 65535)
		return err_set(e, -PF_EUSAGE, "--listen '%s': the port must be 0 to 65535", text);
	if (!host[0])
		snprintf(host, sizeof(host), "0.0.0.0");
	if (strcasecmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");

	struct sockaddr_in *in4 = (struct sockaddr_in *)&la->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&la->ss;

	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		la->v6 = true;
	} else {
		return err_set(e, -PF_EUSAGE, "--listen '%s': '%s' is not an IP address (or localhost)", text, host);
	}
	return 0;
}

static bool is_loopback(const struct listen_addr *la)
{
	if (!la->v6)
		return (ntohl(((const struct sockaddr_in *)&la->ss)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)&la->ss)->sin6_addr;

	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static void format_address(const struct listen_addr *la, unsigned port, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "";

	if (la->v6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&la->ss)->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&la->ss)->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, port);
	}
}

/* ---- routing ------------------------------------------------------------- */

/* Matches path against pattern; fills x's parameters. */
static bool match(struct req_ctx *x, const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;
	size_t n = 0;

	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t seg = strcspn(s, "/");

			if (!close || seg == 0 || n >= 4)
				return false;
			x->r.params[n][0] = NULL;   /* filled below once the whole path matched */
			s += seg;
			p = close + 1;
			n++;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;

	/* matched: copy the values out of the path */
	free(x->path_copy);
	x->path_copy = strdup(path);
	if (!x->path_copy)
		return false;
	p = pattern;
	char *c = x->path_copy;

	n = 0;
	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t seg = strcspn(c, "/"), nl = (size_t)(close - p - 1);

			if (nl >= sizeof(x->param_names[0]))
				nl = sizeof(x->param_names[0]) - 1;
			memcpy(x->param_names[n], p + 1, nl);
			x->param_names[n][nl] = '\0';
			x->r.params[n][0] = x->param_names[n];
			x->r.params[n][1] = c;
			c += seg;
			bool more = *c != '\0';

			*c = '\0';
			if (more)
				c++;
			p = close + 1;
			if (*p == '/')
				p++;
			n++;
			continue;
		}
		p++;
		c++;
	}
	x->r.n_params = n;
	return true;
}

/* The route for method and path; NULL with *allow filled ("GET, POST")
 * when the path exists under other methods, empty when not at all. */
static const struct route *find_route(struct req_ctx *x, const char *method, const char *path, char *allow,
				      size_t allow_len)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;

	allow[0] = '\0';
	for (size_t t = 0; route_tables[t]; t++) {
		for (const struct route *rt = route_tables[t]; rt->method; rt++) {
			if (!match(x, rt->pattern, path))
				continue;
			if (strcmp(rt->method, want) == 0)
				return rt;
			if (!strstr(allow, rt->method)) {
				size_t l = strlen(allow);

				snprintf(allow + l, allow_len - l, "%s%s", l ? ", " : "", rt->method);
				if (strcmp(rt->method, "GET") == 0 && !strstr(allow, "HEAD")) {
					l = strlen(allow);
					snprintf(allow + l, allow_len - l, ", HEAD");
				}
			}
		}
	}
	x->r.n_params = 0;
	return NULL;
}

/* ---- authentication by route flags --------------------------------------- */

/* The first value of a proxy's X-Forwarded-* header, into buf; NULL when absent. */
static const char *forwarded(struct req_ctx *x, const char *name, char *buf, size_t len)
{
	const char *v = http_header(&x->r, name);

	if (!v || !*v)
		return NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(v, ", "), v);
	return buf;
}

/* Origin, when a browser sent one, must be this server as the client
 * reached it: scheme://Host. Behind a TLS proxy the client reached
 * https://NAME: the proxy says so in X-Forwarded-Proto/-Host. A page
 * elsewhere cannot add those to a browser's cross-site request (a custom
 * header needs a CORS preflight this server never grants), so they cannot
 * help a forgery. */
static bool origin_ok(struct req_ctx *x)
{
	char fproto[16], fhost[256];
	const char *origin = http_header(&x->r, "Origin");
	const char *host = forwarded(x, "X-Forwarded-Host", fhost, sizeof(fhost));
	const char *proto = forwarded(x, "X-Forwarded-Proto", fproto, sizeof(fproto));
	const char *scheme = x->r.tls ? "https://" : "http://";
	size_t sl;

	if (!origin)
		return true;
	if (!host)
		host = http_header(&x->r, "Host");
	if (proto && (strcasecmp(proto, "https") == 0 || strcasecmp(proto, "http") == 0))
		scheme = strcasecmp(proto, "https") == 0 ? "https://" : "http://";
	sl = strlen(scheme);
	if (!host || strncasecmp(origin, scheme, sl) != 0)
		return false;
	return strcasecmp(origin + sl, host) == 0;
}

/* A browser on the board's paths (route NULL: none matched, then any
 * path outside /api/) gets its errors as the board's HTML pages. */
static bool board_html_error(struct req_ctx *x, const struct route *rt)
{
	const char *accept = http_header(&x->r, "Accept");

	if (rt ? !(rt->flags & ROUTE_BOARD) : strncmp(x->r.path, "/api/", 5) == 0)
		return false;
	return accept && strstr(accept, "text/html");
}

/* Sets x->r.auth from a bearer token or a session cookie. Returns 0, or
 * 1 when the response is already made (a wrong bearer token). */
static int identify(struct req_ctx *x, bool *bearer)
{
	struct serve *sv = x->r.sv;
	const char *authz = http_header(&x->r, "Authorization");
	const char *cookie;

	*bearer = false;
	if (authz) {
		const char *name;

		if (strncasecmp(authz, "Bearer ", 7) != 0) {
			http_set_header(&x->w, "WWW-Authenticate", "Bearer realm=\"preflight\"");
			http_error(&x->w, 401, "unauthorized", "the Authorization header must be 'Bearer TOKEN'");
			return 1;
		}
		name = serve_auth_token(sv->auth, authz + 7);
		if (!name) {
			http_set_header(&x->w, "WWW-Authenticate", "Bearer realm=\"preflight\", error=\"invalid_token\"");
			http_error(&x->w, 401, "unauthorized", "unknown token");
			return 1;
		}
		snprintf(x->actor, sizeof(x->actor), "%s", name);
		x->r.auth.actor = x->actor;
		x->r.auth.via = "api";
		*bearer = true;
		return 0;
	}
	cookie = http_cookie(&x->r, SERVE_SESSION_COOKIE);
	if (cookie && serve_auth_session_check(sv->auth, cookie, serve_now_ms(), x->actor, sizeof(x->actor), x->csrf,
					       sizeof(x->csrf)) == 0) {
		x->r.auth.actor = x->actor;
		x->r.auth.via = "board";
		x->r.auth.csrf = x->csrf;
	}
	return 0;
}

/* A board route asked by a page's script (fetch with Accept:
 * application/json, no text/html): it reads a JSON error, not the login. */
static bool wants_json_only(struct req_ctx *x)
{
	const char *accept = http_header(&x->r, "Accept");

	return accept && strstr(accept, "application/json") && !strstr(accept, "text/html");
}

static void unauthenticated(struct req_ctx *x, const struct route *rt)
{
	if ((rt->flags & ROUTE_BOARD) && !wants_json_only(x)) {
		/* a page comes back after the login (next=path?query, encoded); a
		 * form's action is not repeated: the login goes back to the page
		 * the form was on (its back field; login checks it is local) */
		struct buf target = BUF_INIT(8192), loc = BUF_INIT(16384);
		char back[2048];
		const char *page = NULL;

		buf_puts(&loc, "/login");
		if (strcmp(x->r.method, "GET") == 0 || strcmp(x->r.method, "HEAD") == 0) {
			http_request_target(&x->r, &target);
			page = buf_str(&target);
		} else {
			page = http_form(&x->r, "back", back, sizeof(back));
		}
		if (page && page[0] == '/') {
			buf_puts(&loc, "?next=");
			http_url_encode(&loc, page);
		}
		buf_release(&target);
		http_set_header(&x->w, "Location", "%s", buf_str(&loc));
		buf_release(&loc);
		x->w.status = 303;
		x->w.content_type = "text/plain; charset=utf-8";
		buf_puts(&x->w.body, "see /login\n");
		return;
	}
	http_set_header(&x->w, "WWW-Authenticate", "Bearer realm=\"preflight\"");
	http_error(&x->w, 401, "unauthorized", "a bearer token or a session is needed");
}

/* 0: go on to the handler; 1: the response is made. */
static int authorize(struct req_ctx *x, const struct route *rt)
{
	struct serve *sv = x->r.sv;
	bool bearer = false;
	bool write = (rt->flags & ROUTE_WRITE) || (strcmp(x->r.method, "GET") != 0 && strcmp(x->r.method, "HEAD") != 0);

	if (write && !origin_ok(x)) {
		http_error(&x->w, 403, "forbidden", "the Origin of this request is not this server");
		return 1;
	}
	if ((rt->flags & ROUTE_PUBLIC) && !((rt->flags & ROUTE_OBSERVE) && sv->cfg.protect_metrics))
		return 0;
	if (identify(x, &bearer))
		return 1;
	if (rt->flags & ROUTE_WRITE) {
		const char *given;
		char field[128];

		if (bearer)
			return 0;   /* no ambient credential: nothing to forge */
		if (!x->r.auth.actor) {
			unauthenticated(x, rt);
			return 1;
		}
		given = http_header(&x->r, SERVE_CSRF_HEADER);
		if (!given)
			given = http_form(&x->r, SERVE_CSRF_FIELD, field, sizeof(field));
		if (!given || !serve_auth_equal(given, x->csrf)) {
			if (board_html_error(x, rt))
				board_error(&x->r, &x->w, 403, "missing or wrong CSRF token: reload the page and try again");
			else
				http_error(&x->w, 403, "forbidden", "missing or wrong CSRF token");
			return 1;
		}
		return 0;
	}
	/* ROUTE_READ (or nothing said: treated as a read) */
	if (!x->r.auth.actor && !sv->cfg.open_reads) {
		unauthenticated(x, rt);
		return 1;
	}
	return 0;
}

/* ---- responses --------------------------------------------------------- */

static bool has_header(const struct http_response *w, const char *name)
{
	for (size_t i = 0; i < w->n_headers; i++)
		if (strcasecmp(w->headers[i][0], name) == 0)
			return true;
	return false;
}

enum MHD_Result http_queue(struct req_ctx *x)
{
	struct serve *sv = x->r.sv;
	struct http_response *w = &x->w;
	struct MHD_Response *resp;
	enum MHD_Result ok;

	if (w->status == 0)
		http_error(w, 500, "internal", "the handler gave no answer");
	resp = NULL;
	if (w->stream && w->status < 300)
		resp = http_stream_response(sv, x->conn, w);   /* NULL: w says why (503) */
	if (!resp) {
		size_t n = w->body.len;
		char *data = buf_detach(&w->body);

		resp = MHD_create_response_from_buffer_with_free_callback(n, data ? data : strdup(""), free);
	}
	if (!resp)
		return MHD_NO;
	if (w->content_type)
		MHD_add_response_header(resp, "Content-Type", w->content_type);
	for (size_t i = 0; i < w->n_headers; i++)
		MHD_add_response_header(resp, w->headers[i][0], w->headers[i][1]);
	if (!has_header(w, "Cache-Control"))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (!has_header(w, "X-Content-Type-Options"))
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (!has_header(w, "X-Frame-Options"))
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (!has_header(w, "Referrer-Policy"))
		MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	if (atomic_load(&sv->quiescing) || x->too_big)
		MHD_add_response_header(resp, "Connection", "close");
	x->status = w->status;
	ok = MHD_queue_response(x->conn, w->status, resp);
	MHD_destroy_response(resp);
	x->queued = true;
	return ok;
}

/* ---- the access handler ------------------------------------------------ */

static void dispatch(struct req_ctx *x)
{
	char allow[128];
	const struct route *rt;

	rt = find_route(x, x->r.method, x->r.path, allow, sizeof(allow));
	if (!rt) {
		if (allow[0]) {
			x->pattern = "-405";
			http_set_header(&x->w, "Allow", "%s", allow);
			http_error(&x->w, 405, "method_not_allowed", "%s is not allowed here; use %s", x->r.method, allow);
		} else {
			x->pattern = "-404";
			if (board_html_error(x, NULL))
				board_error(&x->r, &x->w, 404, "no such page");
			else
				http_error(&x->w, 404, "not_found", "no such path");
		}
		return;
	}
	x->pattern = rt->pattern;
	if (x->too_big) {
		http_error(&x->w, 413, "payload_too_large", "the body is larger than %zu bytes", x->r.sv->cfg.max_body);
		return;
	}
	if (authorize(x, rt))
		return;
	if (rt->handler(&x->r, &x->w) < 0 && x->w.status == 0)
		http_error(&x->w, 500, "internal", "the request could not be answered");
	if (x->w.stream && !(rt->flags & ROUTE_STREAM)) {
		x->w.stream = false;
		http_error(&x->w, 500, "internal", "this route cannot stream");
	}
}

static void req_free(struct req_ctx *x)
{
	if (!x)
		return;
	buf_release(&x->body);
	http_response_release(&x->w);
	free(x->path_copy);
	for (size_t i = 0; i < x->n_form; i++) {
		free(x->form[i].name);
		free(x->form[i].value);
	}
	free(x);
}

static enum MHD_Result too_big_now(struct req_ctx *x)
{
	x->pattern = "-413";
	http_error(&x->w, 413, "payload_too_large", "the body is larger than %zu bytes", x->r.sv->cfg.max_body);
	return http_queue(x);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct serve *sv = cls;
	struct req_ctx *x = *con_cls;

	(void)version;
	if (!x) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
		bool body_follows = te || (cl && strtoull(cl, NULL, 10) > 0);

		if (!http_deadline_head_done(sv, conn, body_follows))
			return MHD_NO;   /* the reaper answered 408 already */
		x = calloc(1, sizeof(*x));
		if (!x)
			return MHD_NO;
		*con_cls = x;
		atomic_fetch_add(&sv->in_flight, 1);
		x->t0 = http_monotonic();
		x->conn = conn;
		x->pattern = "-";
		buf_init(&x->body, sv->cfg.max_body);
		buf_init(&x->w.body, SIZE_MAX);
		x->r.sv = sv;
		x->r.method = method;
		x->r.path = url;
		x->r.conn = conn;
		x->r.tls = sv->tls;   /* the whole daemon is https or not */
		if (cl) {
			char *end;
			unsigned long long n = strtoull(cl, &end, 10);

			if (end != cl && n > sv->cfg.max_body) {
				/* said before a byte of it is read: answered now, the
				 * connection then closes instead of reading on */
				x->too_big = true;
				http_deadline_body_done(sv, conn);
				return too_big_now(x);
			}
		}
		return MHD_YES;
	}
	if (x->queued) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (buf_append(&x->body, upload, *upload_size) < 0) {
			/* a chunked body past the limit: the library takes no response
			 * while it reads one, so the answer goes on the socket itself */
			char body[256];

			x->too_big = true;
			x->pattern = "-413";
			x->status = 413;
			snprintf(body, sizeof(body),
				 "{\"error\":{\"status\":413,\"code\":\"payload_too_large\",\"message\":\"the body is "
				 "larger than %zu bytes\"}}\n",
				 sv->cfg.max_body);
			http_deadline_reject(sv, conn, "413 Content Too Large", body);
			return MHD_NO;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!http_deadline_body_done(sv, conn))
		return MHD_NO;   /* the body came too slowly: answered 408 */
	if (x->body.len) {
		x->r.body = x->body.data;
		x->r.body_len = x->body.len;
	}
	dispatch(x);
	if (x->w.status == 503)
		http_store_drop(sv);
	return http_queue(x);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct serve *sv = cls;
	struct req_ctx *x = *con_cls;

	(void)toe;
	if (!x)
		return;
	*con_cls = NULL;
	double dt = http_monotonic() - x->t0;

	if (x->status)   /* 0: no answer went (the client left, or 408 on the socket) */
		serve_metrics_observe(sv, x->pattern, x->status, dt);
	if (sv->cfg.access_log) {
		char ip[64], status[16];

		snprintf(status, sizeof(status), "%u", x->status);
		serve_log(sv, "%s %s %s %s %.1fms %s", http_client_ip(&x->r, ip, sizeof(ip)), x->r.method, x->r.path,
			  x->status ? status : "closed", dt * 1e3, x->r.auth.actor ? x->r.auth.actor : "-");
	}
	req_free(x);
	atomic_fetch_sub(&sv->in_flight, 1);
	http_deadline_completed(sv, conn);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct serve *sv = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		http_deadline_opened(sv, conn, socket_context);
	else
		http_deadline_closed(sv, socket_context);
}

__attribute__((format(printf, 2, 0))) static void on_library_log(void *cls, const char *fmt, va_list ap)
{
	struct serve *sv = cls;
	char line[512];
	size_t n;

	if (sv->starting)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	serve_log(sv, "libmicrohttpd: %s", line);
}

/* ---- the daemon ---------------------------------------------------------- */

static int read_pem(const char *path, const char *what, char **ret, struct err *e)
{
	struct buf b = BUF_INIT(1 << 20);
	int r = read_file(NULL, path, &b);

	if (r < 0) {
		buf_release(&b);
		return err_set(e, -PF_EUSAGE, "%s '%s' cannot be read: %s", what, path, strerror(-r));
	}
	if (!b.data || !strstr(b.data, "-----BEGIN ")) {
		buf_release(&b);
		return err_set(e, -PF_EUSAGE, "%s '%s' is not PEM", what, path);
	}
	*ret = buf_detach(&b);
	return 0;
}

int http_daemon_start(struct serve *sv, struct err *e)
{
	struct listen_addr la;
	struct MHD_OptionItem ops[20];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG | MHD_USE_ITC;
	char *cert = NULL, *key = NULL;
	size_t n = 0;
	int r = parse_listen(sv->cfg.listen, &la, e);

	if (r < 0)
		return r;
	if (!is_loopback(&la) && !sv->cfg.allow_remote)
		return err_set(e, -PF_EUSAGE,
			       "refusing to listen on %s, which is not a loopback address: give --allow-remote "
			       "(with --tls-cert/--tls-key) to serve the network",
			       sv->cfg.listen);
	if (!!sv->cfg.tls_cert != !!sv->cfg.tls_key)
		return err_set(e, -PF_EUSAGE, "--tls-cert and --tls-key go together");
	if (sv->cfg.tls_cert) {
		if ((r = read_pem(sv->cfg.tls_cert, "--tls-cert", &cert, e)) < 0)
			return r;
		if ((r = read_pem(sv->cfg.tls_key, "--tls-key", &key, e)) < 0) {
			free(cert);
			return r;
		}
		flags |= MHD_USE_TLS;
		sv->tls = true;
	}
	if (la.v6)
		flags |= MHD_USE_IPv6;
	if (!is_loopback(&la) && !sv->tls)
		serve_log(sv, "warning: listening on %s without TLS: tokens and session cookies cross the network in "
			      "clear text; give --tls-cert/--tls-key or put a TLS proxy in front",
			  sv->cfg.listen);

#define OPT(o, v, p) ops[n++] = (struct MHD_OptionItem){ (o), (intptr_t)(v), (p) }
	OPT(MHD_OPTION_EXTERNAL_LOGGER, on_library_log, sv);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, on_connection, sv);
	OPT(MHD_OPTION_SOCK_ADDR, 0, &la.ss);
	if (sv->cfg.threads > 1)
		OPT(MHD_OPTION_THREAD_POOL_SIZE, sv->cfg.threads, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, sv->cfg.max_connections, NULL);
	if (sv->cfg.max_per_ip)
		OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, sv->cfg.max_per_ip, NULL);
	/* the request head and its parsing live in this pool: 64 KiB of headers at most */
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)128 * 1024, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(sv->cfg.idle_timeout_s + 0.999), NULL);
	OPT(MHD_OPTION_LISTENING_ADDRESS_REUSE, 0, NULL);
	if (cert) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, key);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT

	errno = 0;
	sv->starting = true;
	sv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_access, sv, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
	int saved = errno;

	sv->starting = false;

	if (key) {
		crypto_wipe(key, strlen(key));
		free(key);
	}
	free(cert);
	if (!sv->daemon) {
		if (saved == 0)
			saved = EADDRNOTAVAIL;
		return err_set(e, -PF_EUSAGE, "cannot listen on %s: %s", sv->cfg.listen,
			       saved == EADDRINUSE ? "Address already in use" : strerror(saved));
	}

	const union MHD_DaemonInfo *di = MHD_get_daemon_info(sv->daemon, MHD_DAEMON_INFO_BIND_PORT);

	format_address(&la, di ? di->port : 0, sv->address, sizeof(sv->address));
	return 0;
}

void http_daemon_quiesce(struct serve *sv)
{
	atomic_store(&sv->quiescing, true);
	if (sv->daemon) {
		MHD_socket s = MHD_quiesce_daemon(sv->daemon);

		if (s != MHD_INVALID_SOCKET)
			close(s);   /* the library no longer watches it and leaves it to us */
	}
}

void http_daemon_stop(struct serve *sv)
{
	if (sv->daemon)
		MHD_stop_daemon(sv->daemon);
	sv->daemon = NULL;
}
