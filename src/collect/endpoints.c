#include "collect/endpoints.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collect/http.h"

#define PROBE_INDEX_MAX (1u << 20)
#define PROBE_METRICS_MAX (16u << 20)

enum { PROBE_PPROF, PROBE_VARS, PROBE_METRICS, PROBE_COUNT };

static const char *const probe_paths[PROBE_COUNT] = { "/debug/pprof/", "/debug/vars", "/metrics" };

bool prom_find_value(const char *body, const char *name, double *ret)
{
	size_t nl = strlen(name);

	for (const char *line = body; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *v;
		char *end;
		double d;

		if (strncmp(line, name, nl) || (line[nl] != ' ' && line[nl] != '{'))
			continue;
		v = line + nl;
		if (*v == '{') {
			/* Label values may contain '}' only escaped inside quotes; skip to the
			 * closing brace outside quotes. */
			bool q = false;

			for (v++; *v && *v != '\n'; v++) {
				if (*v == '\\' && q && v[1])
					v++;
				else if (*v == '"')
					q = !q;
				else if (*v == '}' && !q)
					break;
			}
			if (*v != '}')
				continue;
			v++;
		}
		errno = 0;
		d = strtod(v, &end);
		if (end == v || errno)
			continue;
		*ret = d;
		return true;
	}
	return false;
}

static bool looks_like_pprof_index(const struct http_request *r)
{
	const char *b = buf_str(&r->body);

	return r->status == 200 && (strstr(b, "Types of profiles available") || strstr(b, "goroutine?debug="));
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

static bool looks_like_metrics(const struct http_request *r)
{
	const char *b = buf_str(&r->body);

	return r->status == 200 && (strstr(b, "# TYPE ") || !strncmp(b, "go_", 3) || strstr(b, "\ngo_"));
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

int endpoints_probe(struct process_facts *p, long timeout_ms)
{
	struct http_opts o = { timeout_ms, timeout_ms };
	struct http_request *reqs;
	size_t n = p->n_listeners;
	int r;

	p->endpoints = calloc(n ? n : 1, sizeof(*p->endpoints));
	reqs = calloc(n ? n * PROBE_COUNT : 1, sizeof(*reqs));
	if (!p->endpoints || !reqs) {
		free(reqs);
		return -ENOMEM;
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
		}
	}
	r = http_fetch_all(reqs, n * PROBE_COUNT, &o);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct endpoint_facts *e = &p->endpoints[i];
		struct http_request *rq = &reqs[i * PROBE_COUNT];
		double v;

		for (int k = 0; k < PROBE_COUNT; k++) {
			if (rq[k].status > 0)
				e->http = true;
			else if (rq[k].err && !e->probe_error[0])
				snprintf(e->probe_error, sizeof(e->probe_error), "%s%s: %s", e->url_base, probe_paths[k],
					 rq[k].errmsg);
		}
		e->pprof = looks_like_pprof_index(&rq[PROBE_PPROF]);
		e->expvar = looks_like_expvar(&rq[PROBE_VARS]);
		e->metrics = looks_like_metrics(&rq[PROBE_METRICS]);
		if (!e->metrics)
			continue;
		if (!p->reported_gomaxprocs && prom_find_value(rq[PROBE_METRICS].body.data, "go_sched_gomaxprocs_threads", &v) &&
		    v >= 1 && v < 1e6) {
			p->reported_gomaxprocs = (int64_t)v;
			snprintf(p->reported_gomaxprocs_from, sizeof(p->reported_gomaxprocs_from),
				 "go_sched_gomaxprocs_threads at %s/metrics", e->url_base);
		}
		if (!p->reported_gomemlimit && prom_find_value(rq[PROBE_METRICS].body.data, "go_gc_gomemlimit_bytes", &v) &&
		    v > 0 && v < 9.2e18)
			p->reported_gomemlimit = (int64_t)v;
	}
	for (size_t i = 0; i < n * PROBE_COUNT; i++)
		http_request_release(&reqs[i]);
	free(reqs);
	return r;
}
