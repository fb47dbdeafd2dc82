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

static void url_base_for(const struct listener_facts *l, const char *scheme, char *out, size_t n)
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
	snprintf(out, n, "%s://%s:%u", scheme, host, l->sock.sport);
}

/* Whether a listener's plain HTTP answers look like a TLS listener's:
 * every probe got a 400 (Go's net/http and nginx answer plain HTTP on a
 * TLS port with "400 ... HTTPS"), or no HTTP at all (a TLS alert, a
 * reset, an empty reply). A timeout or a refusal is not a reason to try
 * again: the listener would cost a second timeout for nothing. */
static bool maybe_tls(const struct http_request *rq)
{
	for (int k = 0; k < PROBE_COUNT; k++) {
		if (rq[k].status == 400)
			continue;
		if (rq[k].status == 0 && rq[k].err && rq[k].err != -ETIMEDOUT && rq[k].err != -ECONNREFUSED &&
		    rq[k].err != -E2BIG && rq[k].err != -ELIBACC)
			continue;
		return false;
	}
	return true;
}

/* What one listener's answers (plain or TLS, PROBE_COUNT of them) say.
 * trusted: the answers may be taken as the service's own figures (plain
 * HTTP, a verified certificate, or --insecure); an unverified answer only
 * shows what is served, as the exposure check needs. */
static void read_answers(struct process_facts *p, struct endpoint_facts *e, const struct http_request *rq, bool trusted)
{
	struct prom_doc d = { 0 };
	const struct prom_sample *v;

	e->http = false;
	memset(&e->probe_err, 0, sizeof(e->probe_err));
	for (int k = 0; k < PROBE_COUNT; k++) {
		if (rq[k].status > 0)
			e->http = true;
		else if (rq[k].err && !fact_err_failed(&e->probe_err))
			fact_err_setf(&e->probe_err, rq[k].err, "%s%s: %s", e->url_base, probe_paths[k], rq[k].errmsg);
	}
	e->pprof = looks_like_pprof_index(&rq[PROBE_PPROF]);
	e->expvar = looks_like_expvar(&rq[PROBE_VARS]);
	/* /metrics counts when it parses as the text exposition format. */
	e->metrics = rq[PROBE_METRICS].status == 200 &&
		     prom_parse(buf_str(&rq[PROBE_METRICS].body), rq[PROBE_METRICS].body.len, &d, NULL) == 0;
	if (!e->metrics || !trusted)
		goto out;
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
out:
	if (e->metrics)
		prom_doc_release(&d);
}

/* The second round, for the listeners whose plain answers looked like
 * TLS (want[i]): the same probes over https without verifying (the
 * exposure check must see what is served whoever signed the
 * certificate; these requests carry nothing secret), and one request
 * with the run's trust to learn whether the certificate verifies. A
 * listener that answers HTTP over TLS becomes an https endpoint. */
static int probe_tls(struct process_facts *p, const bool *want, long timeout_ms, const struct netns *netns)
{
	static const struct http_tls look = { NULL, true };
	const struct http_tls *run = http_get_tls();
	struct http_opts o = { timeout_ms, timeout_ms };
	size_t n = p->n_endpoints, k = 0, per;
	struct http_request *reqs;
	size_t *at;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		k += want[i];
	if (!k)
		return 0;
	/* Under --insecure nothing is verified: no need to ask. */
	per = PROBE_COUNT + !run->insecure;
	reqs = calloc(k * per, sizeof(*reqs));
	at = calloc(k, sizeof(*at));
	if (!reqs || !at) {
		r = -ENOMEM;
		goto out;
	}
	k = 0;
	for (size_t i = 0; i < n; i++) {
		char base[sizeof(p->endpoints[i].url_base)], url[256];

		if (!want[i])
			continue;
		url_base_for(&p->listeners[i], "https", base, sizeof(base));
		for (int j = 0; j < PROBE_COUNT; j++) {
			snprintf(url, sizeof(url), "%s%s", base, probe_paths[j]);
			http_request_init(&reqs[k * per + j], url, j == PROBE_METRICS ? PROBE_METRICS_MAX : PROBE_INDEX_MAX);
			reqs[k * per + j].tls = &look;
			reqs[k * per + j].netns = netns;
		}
		/* The verifying request keeps the run's trust (tls NULL). */
		if (per > PROBE_COUNT) {
			snprintf(url, sizeof(url), "%s%s", base, probe_paths[PROBE_PPROF]);
			http_request_init(&reqs[k * per + PROBE_COUNT], url, PROBE_INDEX_MAX);
			reqs[k * per + PROBE_COUNT].netns = netns;
		}
		at[k++] = i;
	}
	/* All at once: a TLS listener that stalls costs one timeout. */
	r = http_fetch_all(reqs, k * per, &o);
	for (size_t j = 0; j < k && r == 0; j++) {
		struct endpoint_facts *e = &p->endpoints[at[j]];
		const struct http_request *rq = &reqs[j * per], *verify = &rq[PROBE_COUNT];
		bool answered = false;

		for (int q = 0; q < PROBE_COUNT; q++)
			answered |= rq[q].status > 0;
		/* No HTTP over TLS either: the plain answers stand. */
		if (!answered)
			continue;
		e->tls = true;
		url_base_for(&p->listeners[at[j]], "https", e->url_base, sizeof(e->url_base));
		if (per > PROBE_COUNT && verify->status > 0)
			e->tls_verified = true;
		else if (per > PROBE_COUNT)
			fact_err_setf(&e->tls_err, verify->err ? verify->err : -PF_EUNTRUSTED, "%s: %s", verify->url,
				      verify->err ? verify->errmsg : "no answer");
		read_answers(p, e, rq, e->tls_verified || run->insecure);
	}
out:
	for (size_t j = 0; reqs && j < k * per; j++)
		http_request_release(&reqs[j]);
	free(reqs);
	free(at);
	return r;
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
	bool *want;
	int r;

	p->endpoints = calloc(n ? n : 1, sizeof(*p->endpoints));
	reqs = calloc(n ? n * PROBE_COUNT : 1, sizeof(*reqs));
	want = calloc(n ? n : 1, sizeof(*want));
	if (!p->endpoints || !reqs || !want) {
		free(reqs);
		free(want);
		return probe_failed(p, -ENOMEM, "out of memory");
	}
	p->n_endpoints = n;
	for (size_t i = 0; i < n; i++) {
		struct endpoint_facts *e = &p->endpoints[i];

		snprintf(e->addr, sizeof(e->addr), "%s", p->listeners[i].addr);
		url_base_for(&p->listeners[i], "http", e->url_base, sizeof(e->url_base));
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
	for (size_t i = 0; i < n && r == 0; i++) {
		read_answers(p, &p->endpoints[i], &reqs[i * PROBE_COUNT], true);
		want[i] = maybe_tls(&reqs[i * PROBE_COUNT]);
	}
	/* Plain HTTP first (most debug listeners), then https only where the
	 * plain answers looked like TLS: a TLS listener costs one quick
	 * refusal more, a plain one nothing. */
	if (r == 0)
		r = probe_tls(p, want, timeout_ms, netns);
	if (r < 0 && !p->http_err)
		probe_failed(p, r, "cannot probe the listeners: %s", strerror(-r));
	for (size_t i = 0; i < n * PROBE_COUNT; i++)
		http_request_release(&reqs[i]);
	free(reqs);
	free(want);
	return r;
}
