#include "collect/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void http_request_init(struct http_request *r, const char *url, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->url, sizeof(r->url), "%s", url);
	r->max_bytes = max_bytes;
	buf_init(&r->body, max_bytes);
}

void http_request_release(struct http_request *r)
{
	buf_release(&r->body);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_request *r = arg;
	size_t n = size * nmemb;

	if (buf_append(&r->body, ptr, n) < 0) {
		r->truncated = true;
		return 0;   /* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

static int map_curl_error(CURLcode c, const struct http_request *r)
{
	switch (c) {
	case CURLE_OK: return 0;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_WRITE_ERROR: return r->truncated ? -E2BIG : -EIO;
	case CURLE_FILESIZE_EXCEEDED: return -E2BIG;
	default: return -EIO;
	}
}

int http_fetch_all(struct http_request *reqs, size_t n, const struct http_opts *o)
{
	CURLM *multi = curl_multi_init();
	CURL **easy = NULL;
	int running = 0, r = 0;
	CURLMsg *msg;
	int left;

	if (!multi)
		return -ENOMEM;
	easy = calloc(n ? n : 1, sizeof(*easy));
	if (!easy) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		CURL *h = curl_easy_init();

		if (!h) {
			r = -ENOMEM;
			goto out;
		}
		easy[i] = h;
		curl_easy_setopt(h, CURLOPT_URL, reqs[i].url);
		curl_easy_setopt(h, CURLOPT_PRIVATE, &reqs[i]);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &reqs[i]);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");   /* gzip, deflate: what curl supports */
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)reqs[i].max_bytes);
		/* Never send a target's pprof traffic through a proxy from the environment. */
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_USERAGENT, "preflight/" PREFLIGHT_VERSION);
		curl_multi_add_handle(multi, h);
	}
	do {
		CURLMcode mc = curl_multi_perform(multi, &running);

		if (mc == CURLM_OK && running)
			mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK) {
			r = -EIO;
			break;
		}
	} while (running);
	while ((msg = curl_multi_info_read(multi, &left))) {
		struct http_request *req;
		char *ct = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &req->status);
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			snprintf(req->content_type, sizeof(req->content_type), "%s", ct);
		req->err = map_curl_error(msg->data.result, req);
		if (req->err)
			snprintf(req->errmsg, sizeof(req->errmsg), "%s",
				 req->truncated ? "response larger than the size cap" : curl_easy_strerror(msg->data.result));
	}
out:
	for (size_t i = 0; easy && i < n; i++)
		if (easy[i]) {
			curl_multi_remove_handle(multi, easy[i]);
			curl_easy_cleanup(easy[i]);
		}
	free(easy);
	curl_multi_cleanup(multi);
	return r;
}
