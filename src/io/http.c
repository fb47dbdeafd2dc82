#include "io/http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* libcurl is loaded on first use, not at start: it pulls in some 36 shared
 * libraries (TLS, Kerberos, LDAP, ...) whose loading and constructors cost
 * about 8 ms, which every command paid even when it spoke no HTTP — a third
 * of a TCP census and most of a small goroutine dump's grouping time. */
static struct {
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_loaded;
static char curl_load_errmsg[160];   /* why not, when curl_loaded is 0 */

/* One multi handle for the whole run: its connection cache keeps the
 * target's connections open between calls, so `watch` and the window's
 * samples reuse one connection instead of a connect, an accept and a new
 * server goroutine per request (which also showed up in the very
 * goroutine dumps we take). preflight runs single-threaded. */
static CURLM *multi_cached;

/* The run's trust for https:// (http_set_tls): the command's --cacert and
 * --insecure, set once before the first request. A request made with
 * other settings (the exposure probe, which only looks) never shares a
 * connection with these: libcurl reuses a connection only for the same
 * TLS settings. */
static struct http_tls tls_run;

static void close_connections(void)
{
	if (multi_cached)
		curl.multi_cleanup(multi_cached);
	multi_cached = NULL;
}

/* The package that ships libcurl.so.4 on Debian, named in every error. */
#define CURL_SONAME "libcurl.so.4"
#define CURL_PACKAGE "libcurl4"

static void curl_load(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	CURLcode (*global_init)(long);
	const char *missing = NULL;

	if (!h) {
		const char *why = dlerror();

		snprintf(curl_load_errmsg, sizeof(curl_load_errmsg), "%s", why ? why : "not found");
		return;
	}
	/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define SYM(field, name)                                  \
	do {                                              \
		if (!(*(void **)&curl.field = dlsym(h, name))) \
			missing = name;                   \
	} while (0)
	SYM(multi_init, "curl_multi_init");
	SYM(multi_add_handle, "curl_multi_add_handle");
	SYM(multi_remove_handle, "curl_multi_remove_handle");
	SYM(multi_perform, "curl_multi_perform");
	SYM(multi_poll, "curl_multi_poll");
	SYM(multi_info_read, "curl_multi_info_read");
	SYM(multi_cleanup, "curl_multi_cleanup");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
	if (missing) {
		/* curl_multi_poll is the newest we call (7.66.0). */
		snprintf(curl_load_errmsg, sizeof(curl_load_errmsg), "it has no '%s' (older than 7.66.0?)", missing);
		dlclose(h);
		return;
	}
	*(void **)&global_init = dlsym(h, "curl_global_init");
	if (!global_init || global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(curl_load_errmsg, sizeof(curl_load_errmsg), "curl_global_init failed");
		dlclose(h);
		return;
	}
	curl_loaded = 1;
	atexit(close_connections);
}

int http_init(struct err *e)
{
	pthread_once(&curl_once, curl_load);
	if (curl_loaded)
		return 0;
	return err_set(e, -ELIBACC, "'" CURL_SONAME "' cannot be loaded: %s; install " CURL_PACKAGE,
		       curl_load_errmsg);
}

void http_set_tls(const struct http_tls *t)
{
	tls_run = t ? *t : (struct http_tls){ NULL, false };
}

const struct http_tls *http_get_tls(void)
{
	return &tls_run;
}

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

/* Keeps Retry-After for a caller that backs off (a webhook's 429). */
static size_t on_header(char *ptr, size_t size, size_t nitems, void *arg)
{
	struct http_request *r = arg;
	size_t n = size * nitems;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) - 1 && !strncasecmp(ptr, name, sizeof(name) - 1)) {
		const char *v = ptr + sizeof(name) - 1;
		size_t len = n - (sizeof(name) - 1);

		while (len && (*v == ' ' || *v == '\t'))
			v++, len--;
		while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
			len--;
		if (len >= sizeof(r->retry_after))
			len = sizeof(r->retry_after) - 1;
		memcpy(r->retry_after, v, len);
		r->retry_after[len] = '\0';
	}
	return n;
}

/* CURLOPT_OPENSOCKETFUNCTION for a request with a netns: the socket is
 * created in the target's network namespace and connects there. */
static curl_socket_t open_socket_in(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	int fd = netns_socket(clientp, a->family, a->socktype, a->protocol, NULL);

	(void)purpose;
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static int map_curl_error(CURLcode c, const struct http_request *r)
{
	switch (c) {
	case CURLE_OK: return 0;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_WRITE_ERROR: return r->truncated ? -E2BIG : -EIO;
	case CURLE_FILESIZE_EXCEEDED: return -E2BIG;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH: return -PF_EUNTRUSTED;
	case CURLE_SSL_CONNECT_ERROR: return -PF_ETLS;
	default: return -EIO;
	}
}

/* The words for a failed request. TLS failures get curl's detailed words
 * ("SSL certificate problem: unable to get local issuer certificate"),
 * since its short ones ("SSL peer certificate or SSH remote key was not
 * OK") do not say what to fix, and an untrusted certificate says how to
 * trust it; every other error keeps curl's short words. */
static void describe_error(struct http_request *r, CURLcode c, const char *detail)
{
	const char *words = curl.easy_strerror(c);

	if (r->truncated) {
		snprintf(r->errmsg, sizeof(r->errmsg), "response larger than the size cap");
		return;
	}
	if ((r->err == -PF_EUNTRUSTED || r->err == -PF_ETLS) && detail && detail[0])
		words = detail;
	if (c == CURLE_SSL_CACERT_BADFILE)
		snprintf(r->errmsg, sizeof(r->errmsg), "%s (%s)", words,
			 (r->tls ? r->tls : &tls_run)->cacert ? "is the --cacert FILE a PEM bundle?"
							       : "install ca-certificates, or pass --cacert FILE");
	else if (r->err == -PF_EUNTRUSTED)
		snprintf(r->errmsg, sizeof(r->errmsg), "%s (pass --cacert FILE or --insecure)", words);
	else
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", words);
}

/* Verification as curl does it unless told otherwise (t NULL: the run's). */
static void set_tls(CURL *h, const struct http_tls *t)
{
	if (!t)
		t = &tls_run;
	if (t->insecure) {
		curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (t->cacert) {
		curl.easy_setopt(h, CURLOPT_CAINFO, t->cacert);
	}
}

int http_fetch_all(struct http_request *reqs, size_t n, const struct http_opts *o)
{
	CURLM *multi;
	CURL **easy = NULL;
	struct curl_slist **hdrs = NULL;
	char (*detail)[CURL_ERROR_SIZE] = NULL;   /* curl's detailed words, one per request */
	int running = 0, r = 0;
	CURLMsg *msg;
	struct err e = { "" };
	int left;

	if (http_init(&e) < 0) {
		for (size_t i = 0; i < n; i++) {
			reqs[i].err = -ELIBACC;
			snprintf(reqs[i].errmsg, sizeof(reqs[i].errmsg), "%s", e.msg);
		}
		return 0;
	}
	if (!multi_cached)
		multi_cached = curl.multi_init();
	multi = multi_cached;
	if (!multi)
		return -ENOMEM;
	easy = calloc(n ? n : 1, sizeof(*easy));
	detail = calloc(n ? n : 1, sizeof(*detail));
	hdrs = calloc(n ? n : 1, sizeof(*hdrs));
	if (!easy || !detail || !hdrs) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		CURL *h = curl.easy_init();

		if (!h) {
			r = -ENOMEM;
			goto out;
		}
		easy[i] = h;
		curl.easy_setopt(h, CURLOPT_URL, reqs[i].url);
		curl.easy_setopt(h, CURLOPT_PRIVATE, &reqs[i]);
		curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
		curl.easy_setopt(h, CURLOPT_WRITEDATA, &reqs[i]);
		curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
		curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
		curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");   /* gzip, deflate: what curl supports */
		curl.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)reqs[i].max_bytes);
		/* Never send a target's pprof traffic through a proxy from the environment. */
		curl.easy_setopt(h, CURLOPT_NOPROXY, "*");
		curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl.easy_setopt(h, CURLOPT_USERAGENT, "preflight/" PREFLIGHT_VERSION);
		curl.easy_setopt(h, CURLOPT_ERRORBUFFER, detail[i]);
		curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl.easy_setopt(h, CURLOPT_HEADERDATA, &reqs[i]);
		if (reqs[i].follow_redirects) {
			curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
			curl.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
			curl.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		}
		if (reqs[i].send_body) {
			curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)reqs[i].send_len);
			curl.easy_setopt(h, CURLOPT_POSTFIELDS, reqs[i].send_body);
		}
		if (reqs[i].method) {
			if (!strcmp(reqs[i].method, "HEAD"))
				curl.easy_setopt(h, CURLOPT_NOBODY, 1L);
			else if (strcmp(reqs[i].method, "GET") || reqs[i].send_body)
				curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, reqs[i].method);
		}
		for (const char *const *hl = reqs[i].headers; hl && *hl; hl++) {
			struct curl_slist *l = curl.slist_append(hdrs[i], *hl);

			if (!l) {
				r = -ENOMEM;
				goto out;
			}
			hdrs[i] = l;
		}
		/* No "Expect: 100-continue" wait on a POST: webhooks answer at once. */
		if (reqs[i].send_body) {
			struct curl_slist *l = curl.slist_append(hdrs[i], "Expect:");

			if (!l) {
				r = -ENOMEM;
				goto out;
			}
			hdrs[i] = l;
		}
		if (hdrs[i])
			curl.easy_setopt(h, CURLOPT_HTTPHEADER, hdrs[i]);
		set_tls(h, reqs[i].tls);
		if (reqs[i].netns) {
			curl.easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket_in);
			curl.easy_setopt(h, CURLOPT_OPENSOCKETDATA, (void *)reqs[i].netns);
		}
		curl.multi_add_handle(multi, h);
	}
	do {
		CURLMcode mc = curl.multi_perform(multi, &running);

		if (mc == CURLM_OK && running)
			mc = curl.multi_poll(multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK) {
			r = -EIO;
			break;
		}
	} while (running);
	while ((msg = curl.multi_info_read(multi, &left))) {
		struct http_request *req;
		char *ct = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		curl.easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &req->status);
		curl.easy_getinfo(msg->easy_handle, CURLINFO_TOTAL_TIME, &req->elapsed_s);
		if (curl.easy_getinfo(msg->easy_handle, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			snprintf(req->content_type, sizeof(req->content_type), "%s", ct);
		req->err = map_curl_error(msg->data.result, req);
		if (req->err)
			describe_error(req, msg->data.result, detail[req - reqs]);
	}
out:
	for (size_t i = 0; easy && i < n; i++)
		if (easy[i]) {
			curl.multi_remove_handle(multi, easy[i]);
			curl.easy_cleanup(easy[i]);
		}
	for (size_t i = 0; hdrs && i < n; i++)
		if (hdrs[i])
			curl.slist_free_all(hdrs[i]);
	free(easy);
	free(hdrs);
	free(detail);
	if (r < 0)
		close_connections();   /* a broken multi is not reused */
	return r;
}
