/* The metric.* checks: selectors, the counter and histogram math against
 * hand-derived values (Prometheus's histogram_quantile rules), the checks
 * on both sides of their thresholds, and the checklist's load-time rules
 * for their params, with examples/etcd.yaml loading. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "test_checks.h"
#include "check/metric_eval.h"
#include "config/checklist.h"
#include "base/buf.h"
#include "goruntime/profiles.h"

static void parse_doc(const char *text, struct prom_doc *d)
{
	struct err e = { { 0 } };

	if (prom_parse(text, strlen(text), d, &e) != 0)
		fail_msg("prom_parse: %s", e.msg);
}

static void sel(const char *s, struct metric_sel *out)
{
	char why[256];

	if (metric_sel_parse(s, out, why, sizeof(why)) != 0)
		fail_msg("'%s' refused: %s", s, why);
}

static void test_selectors(void **state)
{
	static const char *const good[] = { "x", "etcd_disk_wal_fsync_duration_seconds", "a:b_c", "x{}", "x{a=\"b\"}",
					    " x { a = \"b\" , c != \"\" } ", "x{a=\"q\\\"\\\\\\n\"}", "x{a=\"b\",}" };
	static const char *const bad[] = { "", "   ", "1x", "x y", "x{", "x{a}", "x{a=b}", "x{a=\"b}", "x{a=~\"b\"}",
					   "x{a!~\"b\"}", "x{a=\"b\"} z", "x{a=\"b\",a=\"c\"}", "x{1a=\"b\"}",
					   "x{a=\"\\t\"}", "{a=\"b\"}" };
	struct metric_sel s;
	char why[256], out[512];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		sel(good[i], &s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (metric_sel_parse(bad[i], &s, why, sizeof(why)) == 0)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(metric_sel_parse("x{a=~\"b\"}", &s, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "label 'a': regular-expression matchers (=~, !~) are not supported; match exact values "
				 "with = or !=");
	sel(" x { a = \"b\" , c != \"q\\\"\" } ", &s);
	assert_string_equal(s.name, "x");
	assert_int_equal(s.n, 2);
	assert_string_equal(s.m[1].value, "q\"");
	assert_true(s.m[1].neg);
	metric_sel_format(&s, out, sizeof(out));
	assert_string_equal(out, "x{a=\"b\",c!=\"q\\\"\"}");
	(void)state;
}

static void test_match_and_gauge(void **state)
{
	struct prom_doc d = { 0 };
	struct metric_sel s;
	struct metric_value v;

	parse_doc("# TYPE up gauge\nup{job=\"a\"} 1\nup{job=\"b\",zone=\"z1\"} 0\nup{job=\"c\",zone=\"z2\"} 1\nother 5\n",
		  &d);
	sel("up", &s);
	metric_gauge(&d, &s, &v);
	assert_int_equal(v.n_series, 3);
	assert_true(v.value == 2);
	/* A label a series lacks matches "" (PromQL). */
	sel("up{zone=\"\"}", &s);
	metric_gauge(&d, &s, &v);
	assert_int_equal(v.n_series, 1);
	sel("up{zone!=\"z1\"}", &s);
	metric_gauge(&d, &s, &v);
	assert_int_equal(v.n_series, 2);
	assert_true(v.value == 2);
	sel("up{job=\"nope\"}", &s);
	metric_gauge(&d, &s, &v);
	assert_int_equal(v.n_series, 0);
	assert_string_equal(metric_family_type(&d, "up"), "gauge");
	assert_null(metric_family_type(&d, "other"));
	assert_true(metric_name_present(&d, "other"));
	assert_false(metric_name_present(&d, "othe"));
	prom_doc_release(&d);
	(void)state;
}

static void test_counter_increase(void **state)
{
	struct prom_doc d0 = { 0 }, d1 = { 0 };
	struct metric_sel s;
	struct metric_value v;

	parse_doc("# TYPE x_total counter\nx_total{a=\"1\"} 10\nx_total{a=\"2\"} 5\n", &d0);
	/* a=1 +5; a=2 went down: a restart, +3; a=3 new in the window: +4;
	 * the labels in another order are the same series. */
	parse_doc("# TYPE x_total counter\nx_total{a=\"3\"} 4\nx_total{a=\"2\"} 3\nx_total{a=\"1\"} 15\n", &d1);
	sel("x_total", &s);
	assert_int_equal(metric_increase(&d0, &d1, &s, &v), 0);
	assert_true(v.value == 12);
	assert_int_equal(v.n_series, 3);
	assert_int_equal(v.n_resets, 1);
	assert_int_equal(v.n_new, 1);
	sel("x_total{a=\"1\"}", &s);
	assert_int_equal(metric_increase(&d0, &d1, &s, &v), 0);
	assert_true(v.value == 5);
	assert_int_equal(v.n_resets, 0);
	prom_doc_release(&d0);
	prom_doc_release(&d1);
	(void)state;
}

static void quantile_of(const double *le, const double *count, size_t n, double q, struct metric_quantile *ret)
{
	struct metric_hist h = { 0 };

	h.b = calloc(n ? n : 1, sizeof(*h.b));
	assert_non_null(h.b);
	/* Given out of order on purpose: the function sorts. */
	for (size_t i = 0; i < n; i++)
		h.b[n - 1 - i] = (struct metric_bucket){ le[i], count[i] };
	h.n = n;
	metric_quantile_of(&h, q, ret);
	metric_hist_release(&h);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NEAR(a, b) (fabs((a) - (b)) <= 1e-12 * fmax(1, fabs(b)))

static void test_quantile_math(void **state)
{
	struct metric_quantile q;
	/* 100 observations, all in (0.0025, 0.005]: p99 = 0.0025 + 0.0025 * 99/100. */
	const double le_a[] = { 0.001, 0.0025, 0.005, 0.01, INFINITY }, c_a[] = { 0, 0, 100, 100, 100 };
	/* Half in (0, 0.1], half in (0.1, 0.2]. */
	const double le_b[] = { 0.1, 0.2, INFINITY }, c_b[] = { 50, 100, 100 };
	/* 90 of 100 beyond the last finite bound. */
	const double le_c[] = { 0.1, INFINITY }, c_c[] = { 10, 100 };
	/* Not monotonic (0.2 below 0.1): 0.2 takes 10. */
	const double le_e[] = { 0.1, 0.2, INFINITY }, c_e[] = { 10, 8, 20 };
	const double le_none[] = { 0.1, 0.2 }, c_none[] = { 1, 2 };
	const double le_one[] = { INFINITY }, c_one[] = { 5 };
	const double c_zero[] = { 0, 0, 0 };
	/* A first bucket with an upper bound <= 0 is the answer itself. */
	const double le_neg[] = { -1, 0, INFINITY }, c_neg[] = { 5, 10, 10 };

	quantile_of(le_a, c_a, N(le_a), 0.99, &q);
	assert_int_equal(q.status, MQ_OK);
	assert_true(NEAR(q.value, 0.004975));
	assert_true(q.lower == 0.0025 && q.upper == 0.005 && q.observations == 100 && !q.in_inf);
	quantile_of(le_b, c_b, N(le_b), 0.5, &q);
	assert_true(NEAR(q.value, 0.1));
	quantile_of(le_b, c_b, N(le_b), 0.25, &q);
	assert_true(NEAR(q.value, 0.05));
	assert_true(q.lower == 0 && q.upper == 0.1);
	quantile_of(le_b, c_b, N(le_b), 0.75, &q);
	assert_true(NEAR(q.value, 0.15));
	quantile_of(le_b, c_b, N(le_b), 1, &q);
	assert_true(NEAR(q.value, 0.2));
	quantile_of(le_b, c_b, N(le_b), 0, &q);
	assert_true(q.value == 0);
	quantile_of(le_c, c_c, N(le_c), 0.99, &q);
	assert_int_equal(q.status, MQ_OK);
	assert_true(q.in_inf && q.value == 0.1);
	quantile_of(le_c, c_c, N(le_c), 0.1, &q);
	assert_true(!q.in_inf && NEAR(q.value, 0.1));
	quantile_of(le_e, c_e, N(le_e), 0.5, &q);
	assert_true(NEAR(q.value, 0.1));
	quantile_of(le_e, c_e, N(le_e), 0.75, &q);
	assert_true(q.in_inf && q.value == 0.2);
	quantile_of(le_none, c_none, N(le_none), 0.5, &q);
	assert_int_equal(q.status, MQ_NO_INF);
	quantile_of(le_one, c_one, N(le_one), 0.5, &q);
	assert_int_equal(q.status, MQ_TOO_FEW);
	quantile_of(le_b, c_zero, N(le_b), 0.5, &q);
	assert_int_equal(q.status, MQ_EMPTY);
	quantile_of(le_b, c_b, 0, 0.5, &q);
	assert_int_equal(q.status, MQ_NO_BUCKETS);
	quantile_of(le_neg, c_neg, N(le_neg), 0.25, &q);
	assert_true(q.value == -1);
	(void)state;
}

static const char hist0[] = "# TYPE h histogram\n"
			    "h_bucket{op=\"r\",le=\"0.01\"} 10\nh_bucket{op=\"r\",le=\"0.1\"} 20\n"
			    "h_bucket{op=\"r\",le=\"+Inf\"} 20\nh_sum{op=\"r\"} 1\nh_count{op=\"r\"} 20\n"
			    "h_bucket{op=\"w\",le=\"0.01\"} 0\nh_bucket{op=\"w\",le=\"0.1\"} 0\n"
			    "h_bucket{op=\"w\",le=\"+Inf\"} 0\nh_sum{op=\"w\"} 0\nh_count{op=\"w\"} 0\n";
/* The window adds: op=r 40 in (0, 0.01], 10 in (0.01, 0.1]; op=w 0 in the
 * first bucket, 40 in the second, 10 beyond (le written 1e-1: the same
 * bound). Summed by le: 40, 90, 100. */
static const char hist1[] = "# TYPE h histogram\n"
			    "h_bucket{op=\"r\",le=\"0.01\"} 50\nh_bucket{op=\"r\",le=\"0.1\"} 70\n"
			    "h_bucket{op=\"r\",le=\"+Inf\"} 70\nh_sum{op=\"r\"} 2\nh_count{op=\"r\"} 70\n"
			    "h_bucket{op=\"w\",le=\"0.01\"} 0\nh_bucket{op=\"w\",le=\"1e-1\"} 40\n"
			    "h_bucket{op=\"w\",le=\"+Inf\"} 50\nh_sum{op=\"w\"} 9\nh_count{op=\"w\"} 50\n";

static void test_histogram_window(void **state)
{
	struct prom_doc d0 = { 0 }, d1 = { 0 };
	struct metric_hist h;
	struct metric_quantile q;
	struct metric_sel s;

	parse_doc(hist0, &d0);
	parse_doc(hist1, &d1);
	sel("h", &s);
	assert_int_equal(metric_hist_window(&d0, &d1, &s, &h), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.n_series, 2);
	assert_true(h.b[0].count == 40 && h.b[1].count == 90 && h.b[2].count == 100);
	/* p50: rank 50 in (0.01, 0.1]: 0.01 + 0.09 * (50 - 40) / 50. */
	metric_quantile_of(&h, 0.5, &q);
	assert_true(NEAR(q.value, 0.01 + 0.09 * 10.0 / 50.0));
	/* p95: rank 95 beyond 0.1: the highest finite bound. */
	metric_quantile_of(&h, 0.95, &q);
	assert_true(q.in_inf && q.value == 0.1);
	metric_hist_release(&h);
	/* One series: op=r, 50 observations, p99 rank 49.5 in (0.01, 0.1]:
	 * 0.01 + 0.09 * 9.5 / 10. */
	sel("h{op=\"r\"}", &s);
	assert_int_equal(metric_hist_window(&d0, &d1, &s, &h), 0);
	assert_int_equal(h.n_series, 1);
	metric_quantile_of(&h, 0.99, &q);
	assert_true(NEAR(q.value, 0.01 + 0.09 * 9.5 / 10));
	metric_hist_release(&h);
	/* The target restarted: the end's counts are the window's. */
	assert_int_equal(metric_hist_window(&d1, &d0, &s, &h), 0);
	assert_true(h.n_resets >= 1);
	assert_true(h.b[2].count == 20);
	metric_hist_release(&h);
	prom_doc_release(&d0);
	prom_doc_release(&d1);
	(void)state;
}

/* Many series: 20,000 label sets of 3 buckets each, listed in opposite
 * orders in the two reads. Each series gains 1 observation under 0.1 and
 * 1 above; one restarts. (Pairing by sorted keys: a quadratic pairing
 * would take minutes here and hit the test's timeout.) */
static void test_many_series(void **state)
{
	enum { N = 20000 };
	struct buf t0 = BUF_INIT(8u << 20), t1 = BUF_INIT(8u << 20);
	struct prom_doc d0 = { 0 }, d1 = { 0 };
	struct metric_hist h;
	struct metric_quantile q;
	struct metric_value v;
	struct metric_sel s;
	struct err e = { { 0 } };

	assert_int_equal(buf_printf(&t0, "# TYPE m histogram\n# TYPE c_total counter\n"), 0);
	assert_int_equal(buf_printf(&t1, "# TYPE m histogram\n# TYPE c_total counter\n"), 0);
	for (int i = 0; i < N; i++) {
		int j = N - 1 - i;
		int base = j == 7 ? 0 : 10;   /* series 7 restarted: its end is the window's */

		assert_int_equal(buf_printf(&t0, "m_bucket{id=\"%d\",le=\"0.1\"} 10\nm_bucket{id=\"%d\",le=\"1\"} 20\n"
					 "m_bucket{id=\"%d\",le=\"+Inf\"} 20\nc_total{id=\"%d\"} 5\n", i, i, i, i), 0);
		assert_int_equal(buf_printf(&t1, "c_total{id=\"%d\"} 6\nm_bucket{le=\"+Inf\",id=\"%d\"} %d\n"
					 "m_bucket{le=\"1\",id=\"%d\"} %d\nm_bucket{le=\"0.1\",id=\"%d\"} %d\n",
					 j, j, base + 12, j, base + 12, j, base + 1), 0);
	}
	assert_int_equal(prom_parse(t0.data, t0.len, &d0, &e), 0);
	assert_int_equal(prom_parse(t1.data, t1.len, &d1, &e), 0);
	sel("m", &s);
	assert_int_equal(metric_hist_window(&d0, &d1, &s, &h), 0);
	assert_int_equal(h.n_series, N);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.n_resets, 3);
	/* 19,999 series add 1 and 2; the restarted one 1 and 12. */
	assert_true(h.b[0].count == N - 1 + 1);
	assert_true(h.b[2].count == 2.0 * (N - 1) + 12);
	metric_quantile_of(&h, 0.5, &q);
	assert_int_equal(q.status, MQ_OK);
	metric_hist_release(&h);
	sel("c_total", &s);
	assert_int_equal(metric_increase(&d0, &d1, &s, &v), 0);
	assert_int_equal(v.n_series, N);
	assert_true(v.value == N);
	prom_doc_release(&d0);
	prom_doc_release(&d1);
	buf_release(&t0);
	buf_release(&t1);
	(void)state;
}

/* ---- the checks on facts ---- */

static void metrics_facts(struct facts *f, const char *t0, const char *t1, double window)
{
	struct goruntime_facts *g = &f->go;

	target_on(f);
	f->window_s = window;
	g->metrics_doc_asked = true;
	snprintf(g->metrics_doc_url, sizeof(g->metrics_doc_url), "http://127.0.0.1:2381/metrics");
	if (t0) {
		parse_doc(t0, &g->metrics_doc[0]);
		g->has_metrics_doc[0] = true;
		g->metrics_doc_t[0] = 100;
	}
	if (t1) {
		parse_doc(t1, &g->metrics_doc[1]);
		g->has_metrics_doc[1] = true;
		g->metrics_doc_t[1] = 100 + window;
	}
}

static double ev_num(const struct check_result *r, const char *key)
{
	json_t *v = json_object_get(r->evidence, key);

	if (!v || !json_is_number(v))
		fail_msg("no number '%s' in the evidence of %s", key, r->def->id);
	return json_number_value(v);
}

static void test_check_quantile(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	/* p50 of the window = 0.028 (see test_histogram_window). */
	double p50;
	char params[256];

	metrics_facts(t->f, hist0, hist1, 30);
	r = expect(t, "metric.quantile", "{\"metric\": \"h\", \"quantile\": 0.5, \"warn\": 0.05, \"fail\": 0.1}",
		   STATUS_PASS);
	assert_string_equal(r->summary, "h p50 over 30 s = 0.028 (warn 0.05, fail 0.1) (100 observations, bucket "
					"0.01..0.1)");
	p50 = ev_num(r, "value");
	assert_true(NEAR(p50, 0.028));
	assert_true(ev_num(r, "observations") == 100);
	assert_true(ev_num(r, "series") == 2);
	assert_true(ev_num(r, "bucket_lower") == 0.01 && ev_num(r, "bucket_upper") == 0.1);
	assert_true(ev_num(r, "window_s") == 30);
	/* Both sides of each threshold: equal passes it. */
	snprintf(params, sizeof(params), "{\"metric\": \"h\", \"quantile\": 0.5, \"warn\": %.17g}", p50);
	expect(t, "metric.quantile", params, STATUS_PASS);
	snprintf(params, sizeof(params), "{\"metric\": \"h\", \"quantile\": 0.5, \"warn\": %.17g}", p50 * 0.999);
	expect(t, "metric.quantile", params, STATUS_WARN);
	snprintf(params, sizeof(params), "{\"metric\": \"h\", \"quantile\": 0.5, \"warn\": 0.001, \"fail\": %.17g}",
		 p50 * 0.999);
	expect(t, "metric.quantile", params, STATUS_FAIL);
	snprintf(params, sizeof(params), "{\"metric\": \"h\", \"quantile\": 0.5, \"fail\": %.17g}", p50 * 1.001);
	expect(t, "metric.quantile", params, STATUS_PASS);
	/* below: a quantile that must stay high. */
	expect(t, "metric.quantile", "{\"metric\": \"h\", \"quantile\": 0.5, \"fail\": 0.03, \"direction\": \"below\"}",
	       STATUS_FAIL);
	expect(t, "metric.quantile", "{\"metric\": \"h\", \"quantile\": 0.5, \"fail\": 0.02, \"direction\": \"below\"}",
	       STATUS_PASS);
	/* p95 lies past the last finite bound (0.1): below a fail of 1 s
	 * cannot be read as a pass; above a fail of 50 ms it fails. */
	r = expect(t, "metric.quantile", "{\"metric\": \"h\", \"quantile\": 0.95, \"fail\": 1}", STATUS_WARN);
	assert_contains(r->summary, "above the highest bucket");
	expect(t, "metric.quantile", "{\"metric\": \"h\", \"quantile\": 0.95, \"fail\": 0.05}", STATUS_FAIL);
	/* Labels select series; none matching is a skip, a typo an error. */
	r = expect(t, "metric.quantile", "{\"metric\": \"h{op=\\\"x\\\"}\", \"fail\": 1}", STATUS_SKIP);
	assert_string_equal(r->summary, "no series matches h{op=\"x\"}");
	r = expect(t, "metric.quantile", "{\"metric\": \"hh\", \"fail\": 1}", STATUS_ERROR);
	assert_string_equal(r->summary, "the target exposes no metric 'hh' (did you mean 'h'?)");
	r = expect(t, "metric.quantile", "{\"metric\": \"h_count\", \"fail\": 1}", STATUS_ERROR);
	assert_string_equal(r->summary, "'h_count' has no h_count_bucket series: not a histogram");
	(void)state;
}

static void test_check_quantile_empty_window(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* The same page twice: no observation in the window. */
	metrics_facts(t->f, hist0, hist0, 30);
	r = expect(t, "metric.quantile", "{\"metric\": \"h\", \"fail\": 1}", STATUS_SKIP);
	assert_string_equal(r->summary, "h: no observations in the window (30 s)");
}

static void test_check_window_zero(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	metrics_facts(t->f, hist0, NULL, 0);
	r = expect(t, "metric.rate", "{\"metric\": \"h_count\", \"fail\": 1}", STATUS_SKIP);
	assert_contains(r->summary, "needs a window");
	/* A gauge needs one read only. */
	r = expect(t, "metric.gauge", "{\"metric\": \"h_count{op=\\\"r\\\"}\", \"fail\": 19}", STATUS_FAIL);
	assert_string_equal(r->summary, "h_count{op=\"r\"} = 20 (fail 19)");
	expect(t, "metric.gauge", "{\"metric\": \"h_count{op=\\\"r\\\"}\", \"fail\": 20}", STATUS_PASS);
}

static const char ctr0[] = "# TYPE etcd_server_leader_changes_seen_total counter\n"
			   "etcd_server_leader_changes_seen_total 1\n"
			   "# TYPE etcd_server_has_leader gauge\netcd_server_has_leader 1\n";
static const char ctr1[] = "# TYPE etcd_server_leader_changes_seen_total counter\n"
			   "etcd_server_leader_changes_seen_total 4\n"
			   "# TYPE etcd_server_has_leader gauge\netcd_server_has_leader 0\n"
			   "x_seconds 0.0032\ny_seconds 2.5e-05\nz_bytes 3145728\n";

static void test_check_counters_and_gauges(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	metrics_facts(t->f, ctr0, ctr1, 30);
	/* 3 changes in 30 s: 0.1/s. */
	r = expect(t, "metric.rate", "{\"metric\": \"etcd_server_leader_changes_seen_total\", \"warn\": 0.05, "
				     "\"fail\": 0.2}", STATUS_WARN);
	assert_string_equal(r->summary, "etcd_server_leader_changes_seen_total rate over 30 s = 0.1/s (warn 0.05/s, "
					"fail 0.2/s)");
	assert_true(NEAR(ev_num(r, "rate"), 0.1));
	expect(t, "metric.rate", "{\"metric\": \"etcd_server_leader_changes_seen_total\", \"fail\": 0.1}", STATUS_PASS);
	r = expect(t, "metric.increase", "{\"metric\": \"etcd_server_leader_changes_seen_total\", \"fail\": 2}",
		   STATUS_FAIL);
	assert_string_equal(r->summary, "etcd_server_leader_changes_seen_total increase over 30 s = 3 (fail 2)");
	expect(t, "metric.increase", "{\"metric\": \"etcd_server_leader_changes_seen_total\", \"fail\": 3}",
	       STATUS_PASS);
	/* has_leader 0 at the end: below 1 fails; the gauge is the last read. */
	r = expect(t, "metric.gauge", "{\"metric\": \"etcd_server_has_leader\", \"fail\": 1, \"direction\": \"below\"}",
		   STATUS_FAIL);
	assert_string_equal(r->summary, "etcd_server_has_leader = 0 (fail below 1)");
	expect(t, "metric.gauge", "{\"metric\": \"etcd_server_has_leader\", \"fail\": 0, \"direction\": \"below\"}",
	       STATUS_PASS);
	/* Units from the name: _seconds and _bytes. */
	r = expect(t, "metric.gauge", "{\"metric\": \"x_seconds\", \"fail\": 0.01}", STATUS_PASS);
	assert_string_equal(r->summary, "x_seconds = 3.2 ms (fail 10 ms)");
	r = expect(t, "metric.gauge", "{\"metric\": \"y_seconds\", \"fail\": 2}", STATUS_PASS);
	assert_string_equal(r->summary, "y_seconds = 25 us (fail 2 s)");
	r = expect(t, "metric.gauge", "{\"metric\": \"z_bytes\", \"warn\": 1048576}", STATUS_WARN);
	assert_string_equal(r->summary, "z_bytes = 3 MiB (warn 1 MiB)");
	/* A rate of a gauge is refused. */
	r = expect(t, "metric.rate", "{\"metric\": \"etcd_server_has_leader\", \"fail\": 1}", STATUS_ERROR);
	assert_contains(r->summary, "is a gauge, not a counter");
	r = expect(t, "metric.quantile", "{\"metric\": \"etcd_server_has_leader\", \"fail\": 1}", STATUS_ERROR);
	assert_contains(r->summary, "not a histogram");
}

static void test_check_no_page(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	r = expect(t, "metric.gauge", "{\"metric\": \"up\", \"fail\": 1}", STATUS_ERROR);
	assert_contains(r->summary, "no listener of the target answered /metrics");
	assert_contains(r->remedy, "--metrics-url");
	snprintf(t->f->go.metrics_doc_url, sizeof(t->f->go.metrics_doc_url), "http://127.0.0.1:1/metrics");
	fact_err_setf(&t->f->go.metrics_doc_err, -ECONNREFUSED, "'http://127.0.0.1:1/metrics': connection refused");
	r = expect(t, "metric.gauge", "{\"metric\": \"up\", \"fail\": 1}", STATUS_ERROR);
	assert_string_equal(r->summary, "cannot read the metrics: 'http://127.0.0.1:1/metrics': connection refused");
	/* No target: skipped like every target check. */
	t->f->proc.present = false;
	expect(t, "metric.gauge", "{\"metric\": \"up\", \"fail\": 1}", STATUS_SKIP);
}

/* ---- the checklist ---- */

static void load_fails(const char *yaml, const char *want)
{
	struct checklist c;
	struct err e = { { 0 } };

	if (checklist_load_mem(yaml, strlen(yaml), "m.yaml", &c, &e) == 0)
		fail_msg("loaded:\n%s", yaml);
	if (strcmp(e.msg, want))
		fail_msg("got  %s\nwant %s", e.msg, want);
}

static void test_checklist_rules(void **state)
{
	struct checklist c;
	struct err e = { { 0 } };
	const char *ok = "version: 1\nitems:\n  - check: metric.quantile\n    params:\n"
			 "      metric: 'h{op=\"r\"}'\n      warn: 0.005\n      fail: 0.01\n"
			 "  - check: metric.gauge\n    params: {metric: up, fail: 1, direction: below}\n";

	assert_int_equal(checklist_load_mem(ok, strlen(ok), "m.yaml", &c, &e), 0);
	assert_int_equal(c.n_items, 2);
	assert_string_equal(json_string_value(json_object_get(c.items[0].params, "metric")), "h{op=\"r\"}");
	checklist_release(&c);

	load_fails("version: 1\nitems:\n  - check: metric.gauge\n",
		   "m.yaml:3:12: metric.gauge needs param 'metric' (the series to judge: name or name{label=\"value\",...}; "
		   "matching series are summed)");
	load_fails("version: 1\nitems:\n  - check: metric.gauge\n    params: {fail: 1}\n",
		   "m.yaml:4:13: metric.gauge needs param 'metric' (the series to judge: name or name{label=\"value\",...}; "
		   "matching series are summed)");
	load_fails("version: 1\nitems:\n  - check: metric.gauge\n    params: {metric: up}\n",
		   "m.yaml:4:22: metric.gauge.metric: no threshold: set warn, fail or both");
	load_fails("version: 1\nitems:\n  - check: metric.gauge\n    params: {metric: 'up{a=~\"b\"}', fail: 1}\n",
		   "m.yaml:4:22: metric.gauge.metric: 'up{a=~\"b\"}': label 'a': regular-expression matchers (=~, !~) are "
		   "not supported; match exact values with = or !=; valid: a metric name, optionally with label "
		   "matchers: name{label=\"value\",other!=\"value\"}");
	load_fails("version: 1\nitems:\n  - check: metric.quantile\n    params: {metric: h, warn: 0.02, fail: 0.01}\n",
		   "m.yaml:4:31: metric.quantile.warn: warn 0.02 is above fail 0.01; with direction above, warn must not "
		   "exceed fail");
	load_fails("version: 1\nitems:\n  - check: metric.gauge\n    params: {metric: up, warn: 1, fail: 2, "
		   "direction: below}\n",
		   "m.yaml:4:32: metric.gauge.warn: warn 1 is below fail 2; with direction below, warn must not be below "
		   "fail");
	load_fails("version: 1\nitems:\n  - check: metric.gauge\n    params: {metric: up, fail: 1, direction: under}\n",
		   "m.yaml:4:46: metric.gauge.direction: 'under' is not a choice; valid: one of above, below");
	load_fails("version: 1\nitems:\n  - check: metric.quantile\n    params: {metric: h, fail: 1, quantile: 99}\n",
		   "m.yaml:4:44: metric.quantile.quantile: 99 is above the maximum 1; valid: a ratio from 0 to 1");
	load_fails("version: 1\nitems:\n  - check: metric.gauge\n    params: {metric: up, fail: \"1\"}\n",
		   "m.yaml:4:32: param 'fail' of 'metric.gauge' must be a number, not the string \"1\" (drop the quotes)");
	(void)state;
}

static void test_builtin_leaves_metrics_out(void **state)
{
	struct checklist c;

	assert_int_equal(checklist_default(&c), 0);
	for (size_t i = 0; i < c.n_items; i++)
		assert_true(strncmp(c.items[i].id, "metric.", 7) != 0);
	assert_false(checklist_builtin(registry_find("metric.quantile")));
	assert_true(checklist_builtin(registry_find("go.gc-pause")));
	checklist_release(&c);
	(void)state;
}

static void test_etcd_example_loads(void **state)
{
	struct checklist c;
	struct err e = { { 0 } };
	char *path = NULL;
	size_t quantiles = 0;

	assert_true(asprintf(&path, "%s/../../examples/etcd.yaml", getenv("FIXTURES")) > 0);
	if (checklist_load_file(path, &c, &e) != 0)
		fail_msg("%s", e.msg);
	free(path);
	for (size_t i = 0; i < c.n_items; i++)
		quantiles += !strcmp(c.items[i].check, "metric.quantile");
	assert_true(quantiles >= 2);
	assert_true(c.n_items >= 6);
	checklist_release(&c);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_match_and_gauge),
		cmocka_unit_test(test_counter_increase),
		cmocka_unit_test(test_quantile_math),
		cmocka_unit_test(test_histogram_window),
		cmocka_unit_test(test_many_series),
		TC(test_check_quantile),
		TC(test_check_quantile_empty_window),
		TC(test_check_window_zero),
		TC(test_check_counters_and_gauges),
		TC(test_check_no_page),
		cmocka_unit_test(test_checklist_rules),
		cmocka_unit_test(test_builtin_leaves_metrics_out),
		cmocka_unit_test(test_etcd_example_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
