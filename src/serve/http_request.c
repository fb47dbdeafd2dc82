/* http_request: what handlers read of a request (headers, query, cookies,
 * route parameters, form fields; all parsed by libmicrohttpd) and the
 * responses they build (serve.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/json_text.h"
#include "serve/http_internal.h"

const char *http_header(const struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(const struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_param(const struct http_request *r, const char *name)
{
	for (size_t i = 0; i < r->n_params; i++)
		if (r->params[i][0] && strcmp(r->params[i][0], name) == 0)
			return r->params[i][1];
	return NULL;
}

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				  const char *content_type, const char *transfer_encoding, const char *data,
				  uint64_t off, size_t size)
{
	struct req_ctx *x = cls;
	struct http_form_field *f;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	if (!key)
		return MHD_YES;
	/* a long value comes in pieces: the first at offset 0 */
	if (off > 0 && x->n_form && strcmp(x->form[x->n_form - 1].name, key) == 0) {
		f = &x->form[x->n_form - 1];
		size_t have = strlen(f->value);
		char *v = realloc(f->value, have + size + 1);

		if (!v)
			return MHD_NO;
		memcpy(v + have, data, size);
		v[have + size] = '\0';
		f->value = v;
		return MHD_YES;
	}
	if (x->n_form == HTTP_MAX_FORM_FIELDS)
		return MHD_YES;   /* more fields than any of our forms has: ignored */
	f = &x->form[x->n_form];
	f->name = strdup(key);
	f->value = strndup(data ? data : "", size);
	if (!f->name || !f->value) {
		free(f->name);
		free(f->value);
		return MHD_NO;
	}
	x->n_form++;
	return MHD_YES;
}

static void parse_form(struct req_ctx *x)
{
	const char *ct = http_header(&x->r, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct MHD_PostProcessor *pp;

	x->form_parsed = true;
	if (!x->r.body || !ct || strncasecmp(ct, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
					     strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) != 0)
		return;
	pp = MHD_create_post_processor(x->conn, 4096, form_field, x);
	if (!pp)
		return;
	MHD_post_process(pp, x->r.body, x->r.body_len);
	MHD_destroy_post_processor(pp);
}

const char *http_form(const struct http_request *r, const char *name, char *buf, size_t len)
{
	struct req_ctx *x = req_ctx_of(r);

	if (!x->form_parsed)
		parse_form(x);
	for (size_t i = 0; i < x->n_form; i++) {
		if (strcmp(x->form[i].name, name) == 0) {
			if (!buf || !len)
				return NULL;
			snprintf(buf, len, "%s", x->form[i].value);
			return buf;
		}
	}
	return NULL;
}

int http_url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = 0;

	for (const unsigned char *c = (const unsigned char *)s; *c && r >= 0; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("-_.~", *c)) {
			r = buf_append(out, c, 1);
		} else {
			char esc[3] = { '%', hex[*c >> 4], hex[*c & 15] };

			r = buf_append(out, esc, 3);
		}
	}
	return r < 0 ? r : 0;
}

struct target_walk {
	struct buf *out;
	bool first;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct target_walk *t = cls;

	(void)kind;
	buf_puts(t->out, t->first ? "?" : "&");
	t->first = false;
	http_url_encode(t->out, key);
	if (value) {
		buf_puts(t->out, "=");
		http_url_encode(t->out, value);
	}
	return MHD_YES;
}

int http_request_target(const struct http_request *r, struct buf *out)
{
	struct target_walk t = { out, true };
	int rc = 0;

	for (const unsigned char *c = (const unsigned char *)r->path; *c && rc >= 0; c++) {
		if (*c == '/')
			rc = buf_append(out, c, 1);
		else {
			char one[2] = { (char)*c, 0 };

			rc = http_url_encode(out, one);
		}
	}
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &t);
	return rc;
}

const char *http_client_ip(const struct http_request *r, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(buf, len, "-");
	if (!ci || !ci->client_addr)
		return buf;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, (socklen_t)len);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf, (socklen_t)len);
	return buf;
}

/* ---- the store, one connection per worker thread ------------------------ */

static void store_destructor(void *p)
{
	store_close(p);
}

int http_store_init(struct serve *sv, struct err *e)
{
	int r = pthread_key_create(&sv->store_key, store_destructor);

	if (r)
		return err_errno(e, -r, "pthread_key_create");
	sv->store_key_made = true;
	return 0;
}

void http_store_fini(struct serve *sv)
{
	if (sv->store_key_made)
		pthread_key_delete(sv->store_key);
	sv->store_key_made = false;
}

struct store *http_store(const struct http_request *r, struct err *e)
{
	struct serve *sv = r->sv;
	struct store *s = pthread_getspecific(sv->store_key);

	if (s)
		return s;
	if (store_open(sv->cfg.db, &s, e) < 0)
		return NULL;
	pthread_setspecific(sv->store_key, s);
	return s;
}

void http_store_drop(struct serve *sv)
{
	struct store *s = pthread_getspecific(sv->store_key);

	if (s) {
		pthread_setspecific(sv->store_key, NULL);
		store_close(s);
	}
}

/* ---- responses ------------------------------------------------------------ */

void http_response_release(struct http_response *w)
{
	buf_release(&w->body);
	for (size_t i = 0; i < w->n_headers; i++) {
		free(w->headers[i][0]);
		free(w->headers[i][1]);
	}
	w->n_headers = 0;
}

int http_set_header(struct http_response *w, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v = NULL, *n;
	int r;

	/* a header set twice: the last one wins */
	for (size_t i = 0; i < w->n_headers; i++) {
		if (strcasecmp(w->headers[i][0], name) == 0 && strcasecmp(name, "Set-Cookie") != 0) {
			va_start(ap, fmt);
			r = vasprintf(&v, fmt, ap);
			va_end(ap);
			if (r < 0)
				return -ENOMEM;
			free(w->headers[i][1]);
			w->headers[i][1] = v;
			return 0;
		}
	}
	if (w->n_headers == HTTP_MAX_HEADERS)
		return -E2BIG;
	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	/* a value is one line: a CR or LF from outside text would split the response */
	for (char *c = v; *c; c++)
		if (*c == '\r' || *c == '\n')
			*c = ' ';
	n = strdup(name);
	if (!n) {
		free(v);
		return -ENOMEM;
	}
	w->headers[w->n_headers][0] = n;
	w->headers[w->n_headers][1] = v;
	w->n_headers++;
	return 0;
}

/* When not even an error's JSON can be made: a fixed body, no allocation
 * beyond the buffer's. */
static int out_of_memory(struct http_response *w)
{
	buf_reset(&w->body);
	w->body.max = SIZE_MAX;
	buf_puts(&w->body, "{\"error\":{\"status\":500,\"code\":\"internal\",\"message\":\"out of memory\"}}\n");
	w->status = 500;
	w->content_type = "application/json";
	w->stream = false;
	return -ENOMEM;
}

int http_json(struct http_response *w, unsigned status, json_t *j)
{
	char *text;

	if (!j)
		return out_of_memory(w);
	text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!text)
		return out_of_memory(w);
	buf_reset(&w->body);
	w->body.max = SIZE_MAX;
	if (buf_puts(&w->body, text) < 0 || buf_puts(&w->body, "\n") < 0) {
		free(text);
		return out_of_memory(w);
	}
	free(text);
	w->status = status;
	w->content_type = "application/json";
	return 0;
}

int http_error(struct http_response *w, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->stream = false;
	/* a message may quote outside bytes (a path's id): json_text keeps them valid JSON */
	return http_json(w, status, json_pack("{s:{s:i,s:s,s:o}}", "error", "status", (int)status, "code", code,
					      "message", json_text(msg)));
}

int http_error_code(struct http_response *w, int code, const char *message)
{
	switch (-code) {
	case PF_ELAUNCH_NOTFOUND:
	case PF_ESTORE_CONFLICT:
		return http_error(w, 404, "not_found", "%s", message);
	case PF_ELAUNCH_INVALID:
		return http_error(w, 400, "bad_request", "%s", message);
	case PF_ELAUNCH_REFUSED:
		return http_error(w, 409, "conflict", "%s", message);
	case PF_ESTORE_UNREACHABLE:
		return http_error(w, 503, "unavailable", "%s", message);
	default:
		return http_error(w, 500, "internal", "%s", message);
	}
}

int http_stream(struct http_response *w, int64_t after_seq, int64_t run_id)
{
	w->stream = true;
	w->stream_after = after_seq;
	w->stream_run = run_id;
	w->status = 200;
	w->content_type = "text/event-stream";
	return 0;
}
