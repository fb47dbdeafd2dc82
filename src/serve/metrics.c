/* metrics: GET /metrics (Prometheus text format 0.0.4) and GET /healthz.
 *
 * Both are public by default (ROUTE_PUBLIC|ROUTE_OBSERVE): a scraper and
 * a load balancer's health check carry no token, and neither page says
 * more than counts and the newest event's seq; --protect-metrics makes
 * them reads (a token or a session) for those who disagree.
 *
 * The request latency histogram is counted without locks: a fixed table
 * of route patterns (static strings from the route tables, claimed by
 * compare-and-swap on first use) times five status classes times the
 * buckets, each an atomic counter. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "serve/http_internal.h"

#define ROUTE_SLOTS 128
#define N_CLASSES 5

static const double bucket_le[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define N_BUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct hist {
	atomic_ulong bucket[N_BUCKETS];   /* not cumulative: one per bucket, summed when printed */
	atomic_ulong count;
	atomic_ulong sum_us;
};

struct route_slot {
	_Atomic(const char *) route;
	struct hist h[N_CLASSES];
};

struct serve_metrics {
	struct route_slot slots[ROUTE_SLOTS];
	atomic_ulong dropped;             /* observations of routes past ROUTE_SLOTS */
};

int serve_metrics_init(struct serve *sv)
{
	sv->metrics = calloc(1, sizeof(*sv->metrics));
	return sv->metrics ? 0 : -ENOMEM;
}

void serve_metrics_free(struct serve *sv)
{
	free(sv->metrics);
	sv->metrics = NULL;
}

static struct route_slot *slot_for(struct serve_metrics *m, const char *route)
{
	size_t h = 5381;

	for (const char *c = route; *c; c++)
		h = h * 33 + (unsigned char)*c;
	for (size_t i = 0; i < ROUTE_SLOTS; i++) {
		struct route_slot *s = &m->slots[(h + i) % ROUTE_SLOTS];
		const char *cur = atomic_load(&s->route);

		if (!cur) {
			const char *expected = NULL;

			if (atomic_compare_exchange_strong(&s->route, &expected, route))
				return s;
			cur = expected;
		}
		if (cur == route || strcmp(cur, route) == 0)
			return s;
	}
	return NULL;
}

void serve_metrics_observe(struct serve *sv, const char *route, unsigned status, double seconds)
{
	struct route_slot *s;
	unsigned cls = status / 100;

	if (!sv->metrics)
		return;
	if (!route)
		route = "-";
	s = slot_for(sv->metrics, route);
	if (!s) {
		atomic_fetch_add(&sv->metrics->dropped, 1);
		return;
	}
	if (cls < 1 || cls > 5)
		cls = 5;
	struct hist *h = &s->h[cls - 1];
	size_t b = 0;

	while (b < N_BUCKETS && seconds > bucket_le[b])
		b++;
	if (b < N_BUCKETS)
		atomic_fetch_add(&h->bucket[b], 1);
	atomic_fetch_add(&h->count, 1);
	atomic_fetch_add(&h->sum_us, (unsigned long)(seconds * 1e6));
}

/* A label value: backslash, quote and newline escaped. */
static void label(struct buf *b, const char *v)
{
	for (const char *c = v; *c; c++) {
		if (*c == '\\' || *c == '"')
			buf_printf(b, "\\%c", *c);
		else if (*c == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, c, 1);
	}
}

static void histogram(struct serve *sv, struct buf *b)
{
	static const char *const classes[N_CLASSES] = { "1xx", "2xx", "3xx", "4xx", "5xx" };

	buf_puts(b, "# HELP preflight_http_request_duration_seconds Time from a request's head to its response's "
		    "end, by route pattern and status class.\n"
		    "# TYPE preflight_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < ROUTE_SLOTS; i++) {
		struct route_slot *s = &sv->metrics->slots[i];
		const char *route = atomic_load(&s->route);

		if (!route)
			continue;
		for (size_t c = 0; c < N_CLASSES; c++) {
			struct hist *h = &s->h[c];
			unsigned long count = atomic_load(&h->count), cum = 0;

			if (!count)
				continue;
			for (size_t k = 0; k < N_BUCKETS; k++) {
				cum += atomic_load(&h->bucket[k]);
				buf_puts(b, "preflight_http_request_duration_seconds_bucket{route=\"");
				label(b, route);
				buf_printf(b, "\",code=\"%s\",le=\"%g\"} %lu\n", classes[c], bucket_le[k], cum);
			}
			buf_puts(b, "preflight_http_request_duration_seconds_bucket{route=\"");
			label(b, route);
			buf_printf(b, "\",code=\"%s\",le=\"+Inf\"} %lu\n", classes[c], count);
			buf_puts(b, "preflight_http_request_duration_seconds_sum{route=\"");
			label(b, route);
			buf_printf(b, "\",code=\"%s\"} %.6f\n", classes[c], (double)atomic_load(&h->sum_us) / 1e6);
			buf_puts(b, "preflight_http_request_duration_seconds_count{route=\"");
			label(b, route);
			buf_printf(b, "\",code=\"%s\"} %lu\n", classes[c], count);
		}
	}
}

/* Items of open runs by status, and their overdue counts. */
static int launch_metrics(struct store *s, struct buf *b, struct err *e)
{
	int64_t *ids = NULL, now = serve_now_ms();
	size_t n = 0;
	struct buf overdue = BUF_INIT(SIZE_MAX);
	int r = store_open_runs(s, &ids, &n, e);

	if (r < 0)
		return r;
	buf_puts(b, "# HELP preflight_launch_items Items of the open runs, by status.\n"
		    "# TYPE preflight_launch_items gauge\n");
	buf_puts(&overdue, "# HELP preflight_launch_items_overdue Open items past their due time, by open run.\n"
			   "# TYPE preflight_launch_items_overdue gauge\n");
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct run_view v = { 0 };

		r = store_run_view(s, ids[i], now, &v, e);
		if (r < 0)
			break;
		for (int st = 0; st < ITEM_STATUS_COUNT; st++)
			buf_printf(b, "preflight_launch_items{run=\"%lld\",status=\"%s\"} %u\n", (long long)v.id,
				   item_status_name((enum item_status)st), v.count[st]);
		buf_printf(&overdue, "preflight_launch_items_overdue{run=\"%lld\"} %u\n", (long long)v.id, v.n_overdue);
		run_view_release(&v);
	}
	free(ids);
	if (r >= 0)
		buf_puts(b, buf_str(&overdue));
	buf_release(&overdue);
	return r < 0 ? r : 0;
}

static int outbox_metrics(struct store *s, struct buf *b, struct err *e)
{
	static const char *const states[] = { "pending", "dead" };
	int64_t oldest = 0, now = serve_now_ms();

	buf_puts(b, "# HELP preflight_outbox_messages Messages in the outbox waiting to go (pending) or given up on "
		    "(dead).\n# TYPE preflight_outbox_messages gauge\n");
	for (size_t k = 0; k < 2; k++) {
		struct outbox_msg *m = NULL;
		size_t n = 0;
		int r = store_outbox_list(s, states[k], 0, &m, &n, e);

		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++) {
			if (k == 0 && (!oldest || m[i].created_ms < oldest))
				oldest = m[i].created_ms;
			outbox_msg_release(&m[i]);
		}
		free(m);
		buf_printf(b, "preflight_outbox_messages{state=\"%s\"} %zu\n", states[k], n);
	}
	buf_printf(b, "# HELP preflight_outbox_oldest_pending_seconds Age of the oldest pending message (0: none).\n"
		      "# TYPE preflight_outbox_oldest_pending_seconds gauge\n"
		      "preflight_outbox_oldest_pending_seconds %.3f\n",
		   oldest && now > oldest ? (double)(now - oldest) / 1e3 : 0.0);
	return 0;
}

static int get_metrics(struct http_request *r, struct http_response *w)
{
	struct serve *sv = r->sv;
	struct err e = { "" };
	struct store *s = http_store(r, &e);
	struct buf *b = &w->body;
	int rc = s ? 0 : -PF_ESTORE_UNREACHABLE;

	buf_printf(b, "# HELP preflight_build_info The running preflight's version.\n"
		      "# TYPE preflight_build_info gauge\npreflight_build_info{version=\"%s\"} 1\n",
		   PREFLIGHT_VERSION);
	if (s) {
		int64_t seq = store_last_seq(s, &e);

		rc = seq < 0 ? (int)seq : 0;
		if (rc == 0) {
			buf_printf(b, "# HELP preflight_store_last_event_seq The newest event in the store.\n"
				      "# TYPE preflight_store_last_event_seq gauge\npreflight_store_last_event_seq %lld\n",
				   (long long)seq);
			rc = launch_metrics(s, b, &e);
		}
		if (rc == 0)
			rc = outbox_metrics(s, b, &e);
	}
	buf_printf(b, "# HELP preflight_store_up Whether the store answered this scrape.\n"
		      "# TYPE preflight_store_up gauge\npreflight_store_up %d\n",
		   rc == 0);
	if (rc < 0)
		serve_log(sv, "/metrics: the store did not answer: %s", e.msg);
	buf_printf(b, "# HELP preflight_serve_sse_streams Live event streams.\n"
		      "# TYPE preflight_serve_sse_streams gauge\npreflight_serve_sse_streams %u\n",
		   http_streams_count(sv));
	buf_printf(b, "# HELP preflight_serve_requests_in_flight Requests between their head and their end.\n"
		      "# TYPE preflight_serve_requests_in_flight gauge\npreflight_serve_requests_in_flight %u\n",
		   atomic_load(&sv->in_flight));
	histogram(sv, b);
	w->status = 200;
	w->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}

static int get_healthz(struct http_request *r, struct http_response *w)
{
	struct serve *sv = r->sv;
	struct err e = { "" };
	struct store *s = http_store(r, &e);
	int64_t seq = s ? store_last_seq(s, &e) : -PF_ESTORE_UNREACHABLE;

	if (seq < 0) {
		/* the why goes to the log: a store's message may name a host or a file */
		serve_log(sv, "/healthz: the store did not answer: %s", e.msg);
		return http_json(w, 503, json_pack("{s:s,s:s}", "status", "unavailable", "store", sv->backend));
	}
	return http_json(w, 200, json_pack("{s:s,s:s,s:I}", "status", "ok", "store", sv->backend, "last_seq",
					   (json_int_t)seq));
}

const struct route metrics_routes[] = {
	{ "GET", "/metrics", ROUTE_PUBLIC | ROUTE_OBSERVE, get_metrics },
	{ "GET", "/healthz", ROUTE_PUBLIC | ROUTE_OBSERVE, get_healthz },
	{ NULL, NULL, 0, NULL },
};
