#include "io/fetch.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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

int go_fetch(const char *url, const struct fetch_opts *o, struct buf *body, struct err *e)
{
	long timeout = o && o->timeout_ms > 0 ? o->timeout_ms : FETCH_DEFAULT_TIMEOUT_MS;
	size_t max = o && o->max_bytes ? o->max_bytes : FETCH_SMALL_MAX;
	struct http_opts ho = { timeout, timeout };
	struct http_request req;
	int r;

	if (strlen(url) >= sizeof(req.url))
		return err_set(e, -ENAMETOOLONG, "'%.64s...': URL too long", url);
	http_request_init(&req, url, max);
	r = http_fetch_all(&req, 1, &ho);
	if (r < 0) {
		err_errno(e, r, "'%s': cannot start the request", url);
		goto out;
	}
	if (req.err) {
		r = req.err;
		err_set(e, r, "'%s': %s", url, r == -E2BIG ? "response larger than the size cap" : req.errmsg);
		goto out;
	}
	if (req.status == 404) {
		r = err_set(e, -PF_ENOTFOUND, "'%s': 404 not found (is net/http/pprof or expvar registered on this listener?)",
			    url);
		goto out;
	}
	if (req.status != 200) {
		r = err_set(e, -EIO, "'%s': HTTP %ld", url, req.status);
		goto out;
	}
	if (!(o && o->allow_html) && looks_like_html(&req)) {
		r = err_set(e, -PF_EPARSE, "'%s': got an HTML page, not a profile", url);
		goto out;
	}
	buf_reset(body);
	r = buf_append(body, req.body.data ? req.body.data : "", req.body.len);
	if (r < 0)
		err_errno(e, r, "'%s': cannot keep the response", url);
out:
	http_request_release(&req);
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
