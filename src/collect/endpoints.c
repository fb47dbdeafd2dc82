#include "collect/endpoints.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io/http.h"
#include "goruntime/pprof_index.h"
#include "goruntime/profiles.h"
#include "io/fetch.h"
#include "base/buf.h"

#define PROBE_INDEX_MAX (1u << 20)
#define PROBE_METRICS_MAX (16u << 20)

enum { PROBE_PPROF, PROBE_VARS, PROBE_METRICS, PROBE_COUNT };

static const char *const probe_paths[PROBE_COUNT] = { "/debug/pprof/", "/debug/vars", "/metrics" };

static bool looks_like_pprof_index(const struct http_request *r)
{
	struct pprof_index ix;

	return r->status == 200 && pprof_index_counts(buf_str(&r->body), r->body.len, &ix, NULL) == 0;
}

static bool looks_like_expvar(const struct http_request *r)
{
	json_t *doc;
	bool ok;

	if (r->status != 200 || !r->body.len)
		return false;
	doc = json_loadb(r->body.data, r->body.len, 0, NULL);
	ok = json_is_object(doc) && (json_object_get(doc, "memstats") || json_object_get(doc, "cmdline"));
	json_decref(doc);
	return ok;
}

static void url_base_for(const struct listener_facts *l, char *out, size_t n)
{
	char host[64];

	if (sock_local_is_wildcard(&l->sock))
		snprintf(host, sizeof(host), "%s", l->sock.family == AF_INET6 ? "[::1]" : "127.0.0.1");
	else {
		char addr[64], *colon;

		sock_format_addr(&l->sock, 0, addr, sizeof(addr));
		colon = strrchr(addr, ':');
		if (colon)
			*colon = '\0';
		snprintf(host, sizeof(host), "%s", addr);
	}
	snprintf(out, n, "http://%s:%u", host, l->sock.sport);
}

__attribute__((format(printf, 3, 4))) static int probe_failed(struct process_facts *p, int code, const char *fmt, ...)
{
	va_list ap;

	p->http_err = code;
	va_start(ap, fmt);
	vsnprintf(p->http_errmsg, sizeof(p->http_errmsg), fmt, ap);
	va_end(ap);
	return code;
}

int endpoints_probe(struct process_facts *p, long timeout_ms, const struct netns *netns)
{
	struct http_opts o = { timeout_ms, timeout_ms };
	struct http_request *reqs;
	size_t n = p->n_listeners;
	struct err why = { "" };
	int r;

	p->endpoints = calloc(n ? n : 1, sizeof(*p->endpoints));
	reqs = calloc(n ? n * PROBE_COUNT : 1, sizeof(*reqs));
	if (!p->endpoints || !reqs) {
		free(reqs);
		return probe_failed(p, -ENOMEM, "out of memory");
	}
	p->n_endpoints = n;
	for (size_t i = 0; i < n; i++) {
		struct endpoint_facts *e = &p->endpoints[i];

		snprintf(e->addr, sizeof(e->addr), "%s", p->listeners[i].addr);
		url_base_for(&p->listeners[i], e->url_base, sizeof(e->url_base));
		e->loopback_only = sock_local_is_loopback(&p->listeners[i].sock);
		for (int k = 0; k < PROBE_COUNT; k++) {
			char url[256];

			snprintf(url, sizeof(url), "%s%s", e->url_base, probe_paths[k]);
			http_request_init(&reqs[i * PROBE_COUNT + k], url,
					  k == PROBE_METRICS ? PROBE_METRICS_MAX : PROBE_INDEX_MAX);
			reqs[i * PROBE_COUNT + k].netns = netns;
		}
	}
	/* Without libcurl nothing can be asked: one error for the whole target
	 * rather than one "probe failed" per listener, which would read as a
	 * target that serves no pprof. No listener, no need for libcurl. */
	r = n ? http_init(&why) : 0;
	if (r < 0)
		probe_failed(p, r, "%s", why.msg);
	else
		r = http_fetch_all(reqs, n * PROBE_COUNT, &o);
	if (r < 0 && !p->http_err)
		probe_failed(p, r, "cannot probe the listeners: %s", strerror(-r));
	for (size_t i = 0; i < n && r == 0; i++) {
		struct endpoint_facts *e = &p->endpoints[i];
		struct http_request *rq = &reqs[i * PROBE_COUNT];
		struct prom_doc d = { 0 };
		const struct prom_sample *v;

		for (int k = 0; k < PROBE_COUNT; k++) {
			if (rq[k].status > 0)
				e->http = true;
			else if (rq[k].err && !fact_err_failed(&e->probe_err))
				fact_err_setf(&e->probe_err, rq[k].err, "%s%s: %s", e->url_base, probe_paths[k],
					      rq[k].errmsg);
		}
		e->pprof = looks_like_pprof_index(&rq[PROBE_PPROF]);
		e->expvar = looks_like_expvar(&rq[PROBE_VARS]);
		/* /metrics counts when it parses as the text exposition format. */
		e->metrics = rq[PROBE_METRICS].status == 200 &&
			     prom_parse(buf_str(&rq[PROBE_METRICS].body), rq[PROBE_METRICS].body.len, &d, NULL) == 0;
		if (!e->metrics)
			continue;
		v = prom_find(&d, "go_sched_gomaxprocs_threads", NULL);
		if (!p->reported_gomaxprocs && v && v->value >= 1 && v->value < 1e6) {
			p->reported_gomaxprocs = (int64_t)v->value;
			snprintf(p->reported_gomaxprocs_from, sizeof(p->reported_gomaxprocs_from),
				 "go_sched_gomaxprocs_threads at %s/metrics", e->url_base);
		}
		/* Unset, the runtime reports math.MaxInt64. */
		v = prom_find(&d, "go_gc_gomemlimit_bytes", NULL);
		if (!p->reported_gomemlimit && v && v->value > 0 && v->value < 9.2e18)
			p->reported_gomemlimit = (int64_t)v->value;
		prom_doc_release(&d);
	}
	for (size_t i = 0; i < n * PROBE_COUNT; i++)
		http_request_release(&reqs[i]);
	free(reqs);
	return r;
}
