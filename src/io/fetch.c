#include "io/fetch.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/http.h"

static bool looks_like_html(const struct http_request *r)
{
	const char *p = buf_str(&r->body);

	if (!strncasecmp(r->content_type, "text/html", 9))
		return true;
	while (isspace((unsigned char)*p))
		p++;
	return !strncasecmp(p, "<!doctype html", 14) || !strncasecmp(p, "<html", 5);
}

/* Classifies a finished request as go_fetch documents: the transport's
 * error, a 404, another status, or HTML where text was asked for. */
static int classify(struct fetch_req *r)
{
	const struct http_request *h = &r->http;

	if (h->err)
		return err_set(&r->e, h->err, "'%s': %s", h->url,
			       h->err == -E2BIG ? "response larger than the size cap" : h->errmsg);
	if (h->status == 404)
		return err_set(&r->e, -PF_ENOTFOUND,
			       "'%s': 404 not found (is net/http/pprof or expvar registered on this listener?)", h->url);
	/* What Go's net/http (and nginx) answer plain HTTP with on a TLS port. */
	if (h->status == 400 && !strncmp(h->url, "http:", 5) && strstr(buf_str(&h->body), "HTTPS"))
		return err_set(&r->e, -EIO, "'%s': HTTP 400: the listener speaks TLS; use https://", h->url);
	if (h->status != 200)
		return err_set(&r->e, -EIO, "'%s': HTTP %ld", h->url, h->status);
	if (!r->allow_html && looks_like_html(h))
		return err_set(&r->e, -PF_EPARSE, "'%s': got an HTML page, not a profile", h->url);
	return 0;
}

int fetch_req_init(struct fetch_req *r, const char *base, const char *path, size_t max_bytes, bool allow_html)
{
	char url[sizeof(r->http.url)];
	int ret;

	memset(r, 0, sizeof(*r));
	ret = go_url(url, sizeof(url), base, path);
	http_request_init(&r->http, ret < 0 ? "" : url, max_bytes ? max_bytes : FETCH_SMALL_MAX);
	r->allow_html = allow_html;
	if (ret < 0)
		r->err = err_set(&r->e, ret, "'%.64s...%s': URL too long", base, path);
	return ret;
}

void fetch_req_release(struct fetch_req *r)
{
	http_request_release(&r->http);
}

int go_fetch_all(struct fetch_req *reqs, size_t n, long timeout_ms)
{
	long timeout = timeout_ms > 0 ? timeout_ms : FETCH_DEFAULT_TIMEOUT_MS;
	struct http_opts ho = { timeout, timeout };
	struct http_request **run = NULL, *batch = NULL;
	size_t k = 0;
	int r = 0;

	/* http_fetch_all takes an array: requests that failed before they
	 * started (a URL too long) stay out of it. */
	batch = calloc(n ? n : 1, sizeof(*batch));
	run = calloc(n ? n : 1, sizeof(*run));
	if (!batch || !run) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (!reqs[i].err) {
			run[k] = &reqs[i].http;
			batch[k++] = reqs[i].http;
		}
	r = k ? http_fetch_all(batch, k, &ho) : 0;
	for (size_t i = 0; i < k; i++)
		*run[i] = batch[i];   /* the bodies move back to their requests */
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!reqs[i].err)
			reqs[i].err = classify(&reqs[i]);
	free(batch);
	free(run);
	return 0;
fail:
	free(batch);
	free(run);
	for (size_t i = 0; i < n; i++)
		if (!reqs[i].err)
			reqs[i].err = err_errno(&reqs[i].e, r, "'%s': cannot start the request", reqs[i].http.url);
	return r;
}

int go_fetch(const char *url, const struct fetch_opts *o, struct buf *body, struct err *e)
{
	size_t max = o && o->max_bytes ? o->max_bytes : FETCH_SMALL_MAX;
	struct fetch_req req;
	int r;

	if (strlen(url) >= sizeof(req.http.url))
		return err_set(e, -ENAMETOOLONG, "'%.64s...': URL too long", url);
	memset(&req, 0, sizeof(req));
	http_request_init(&req.http, url, max);
	req.allow_html = o && o->allow_html;
	go_fetch_all(&req, 1, o ? o->timeout_ms : 0);
	r = req.err;
	if (r < 0) {
		*e = req.e;
		goto out;
	}
	buf_reset(body);
	r = buf_append(body, req.http.body.data ? req.http.body.data : "", req.http.body.len);
	if (r < 0)
		err_errno(e, r, "'%s': cannot keep the response", url);
out:
	fetch_req_release(&req);
	return r;
}

int go_url(char *out, size_t n, const char *base, const char *path)
{
	size_t bl = strlen(base);
	int w;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	w = snprintf(out, n, "%.*s%s%s", (int)bl, base, path[0] == '/' ? "" : "/", path);
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}
