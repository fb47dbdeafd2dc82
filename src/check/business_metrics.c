/* The service's own metrics: a gauge's value, a counter's rate or
 * increase over the window, a histogram's quantile over the window, each
 * judged against the item's warn/fail thresholds on the side `direction`
 * names. The numbers come from two reads of the target's /metrics page,
 * at the start and the end of the window (collect/sampler.c), computed as
 * Prometheus computes them (check/metric_eval.h). docs/metrics.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/checks.h"
#include "check/metric_eval.h"

enum metric_kind { MK_GAUGE, MK_RATE, MK_INCREASE, MK_QUANTILE };

enum unit { U_NONE, U_SECONDS, U_BYTES };

struct judge {
	double warn, fail;                 /* NAN = not set */
	bool below;                        /* direction: below */
	enum unit unit;
	const char *per;                   /* "/s" for rates, else "" */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The unit Prometheus' naming conventions give a metric: _seconds and
 * _bytes, with or without _total. */
static enum unit unit_of(const char *name)
{
	if (ends_with(name, "_seconds") || ends_with(name, "_seconds_total"))
		return U_SECONDS;
	if (ends_with(name, "_bytes") || ends_with(name, "_bytes_total"))
		return U_BYTES;
	return U_NONE;
}

/* "3.2 ms", "1.5 MiB", "42". */
static const char *fmt_value(double v, enum unit u, const char *per, char *out, size_t n)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(out, n, "NaN");
	else if (isinf(v))
		snprintf(out, n, "%s", v > 0 ? "+Inf" : "-Inf");
	else if (u == U_SECONDS && a != 0 && a < 1e-3)
		snprintf(out, n, "%.3g us%s", v * 1e6, per);
	else if (u == U_SECONDS && a != 0 && a < 1)
		snprintf(out, n, "%.3g ms%s", v * 1e3, per);
	else if (u == U_SECONDS)
		snprintf(out, n, "%.4g s%s", v, per);
	else if (u == U_BYTES && a >= 1024) {
		static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
		int k = -1;

		while (a >= 1024 && k < 4) {
			a /= 1024;
			v /= 1024;
			k++;
		}
		snprintf(out, n, "%.3g %s%s", v, units[k], per);
	} else if (u == U_BYTES)
		snprintf(out, n, "%.4g B%s", v, per);
	else
		snprintf(out, n, "%.4g%s", v, per);
	return out;
}

/* "(warn 5 ms, fail 10 ms)", "(fail below 1)". */
static void fmt_thresholds(const struct judge *j, char *out, size_t n)
{
	char w[48], f[48];
	const char *side = j->below ? "below " : "";

	fmt_value(j->warn, j->unit, j->per, w, sizeof(w));
	fmt_value(j->fail, j->unit, j->per, f, sizeof(f));
	if (!isnan(j->warn) && !isnan(j->fail))
		snprintf(out, n, "(warn %s%s, fail %s%s)", side, w, side, f);
	else if (!isnan(j->warn))
		snprintf(out, n, "(warn %s%s)", side, w);
	else
		snprintf(out, n, "(fail %s%s)", side, f);
}

static bool beyond(const struct judge *j, double v, double t)
{
	return !isnan(t) && (j->below ? v < t : v > t);
}

static enum pf_status verdict(const struct judge *j, double v)
{
	if (beyond(j, v, j->fail))
		return STATUS_FAIL;
	if (beyond(j, v, j->warn))
		return STATUS_WARN;
	return STATUS_PASS;
}

static void judge_init(struct judge *j, const struct check_params *p, const char *name, bool rate)
{
	j->warn = param_num(p, "warn");
	j->fail = param_num(p, "fail");
	j->below = !strcmp(param_str(p, "direction"), "below");
	j->unit = unit_of(name);
	j->per = rate ? "/s" : "";
}

static void ev_thresholds(struct check_result *r, const struct judge *j)
{
	if (!isnan(j->warn))
		ev_real(r, "warn", j->warn);
	if (!isnan(j->fail))
		ev_real(r, "fail", j->fail);
	ev_str(r, "direction", j->below ? "below" : "above");
}

/* Damerau-free edit distance, bounded: names are at most a few hundred
 * characters, and only names of similar length are compared. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, best;

	if (la > 256 || lb > 256)
		return (size_t)-1;
	row = malloc((lb + 1) * sizeof(*row));
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], v = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			diag = up;
			row[j] = v;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

/* The family name closest to name, when close enough to be a typo. */
static const char *suggest(const struct prom_doc *d, const char *name)
{
	size_t len = strlen(name), best = (size_t)-1, limit = len / 5 > 2 ? len / 5 : 2;
	const char *hit = NULL;

	for (size_t i = 0; i < d->n_families; i++) {
		const char *c = d->families[i].name;
		size_t lc = strlen(c), dist;

		if ((lc > len ? lc - len : len - lc) > limit)
			continue;
		dist = edit_distance(name, c);
		if (dist <= limit && dist < best) {
			best = dist;
			hit = c;
		}
	}
	return hit;
}

/* The reads the check needs, or a result saying why there are none.
 * window: the kind needs both ends. On success *d0 (NULL for gauges) and
 * *d1 are the documents and *dt the seconds between them. */
static bool inputs(const struct facts *f, struct check_result *r, bool window, const struct prom_doc **d0,
		   const struct prom_doc **d1, double *dt)
{
	const struct goruntime_facts *g = &f->go;

	if (f->proc.http_err) {
		result_set(r, STATUS_ERROR, "cannot read the target's metrics: %s", f->proc.http_errmsg);
		return false;
	}
	if (!g->metrics_doc_url[0]) {
		if (fact_err_failed(&f->proc.sockets_err))
			result_set(r, STATUS_ERROR, "no /metrics to read: the target's listeners are unknown (%s)",
				   f->proc.sockets_err.msg);
		else
			result_set(r, STATUS_ERROR, "no listener of the target answered /metrics (%zu probed)",
				   f->proc.n_endpoints);
		result_remedy(r, "give the page with --metrics-url URL (a listener of its own, such as etcd's "
				 "--listen-metrics-urls, or a path other than /metrics)");
		return false;
	}
	if (!g->has_metrics_doc[0] && !g->has_metrics_doc[1]) {
		result_set(r, STATUS_ERROR, "cannot read the metrics: %s",
			   g->metrics_doc_err.msg[0] ? g->metrics_doc_err.msg : "not read");
		return false;
	}
	ev_str(r, "url", g->metrics_doc_url);
	if (!window) {
		*d0 = NULL;
		*d1 = g->has_metrics_doc[1] ? &g->metrics_doc[1] : &g->metrics_doc[0];
		*dt = 0;
		return true;
	}
	if (!g->has_metrics_doc[1] && f->window_s <= 0) {
		result_set(r, STATUS_SKIP, "a rate or quantile needs a window: run with --window (30s, 1m)");
		return false;
	}
	if (!g->has_metrics_doc[0] || !g->has_metrics_doc[1]) {
		result_set(r, STATUS_ERROR, "the metrics were read only at the %s of the window: %s",
			   g->has_metrics_doc[0] ? "start" : "end",
			   g->metrics_doc_err.msg[0] ? g->metrics_doc_err.msg : "the other read failed");
		return false;
	}
	*d0 = &g->metrics_doc[0];
	*d1 = &g->metrics_doc[1];
	*dt = g->metrics_doc_t[1] - g->metrics_doc_t[0];
	if (!(*dt > 0)) {
		result_set(r, STATUS_SKIP, "the two reads of the metrics are not apart in time");
		return false;
	}
	ev_real(r, "window_s", *dt);
	return true;
}

/* The family is on the page at all; an ERROR naming the closest one when
 * it is not (a typo, or a metric this version of the service lacks). */
static bool present(const struct prom_doc *d, const struct metric_sel *sel, struct check_result *r)
{
	const char *hint;

	if (metric_name_present(d, sel->name))
		return true;
	hint = suggest(d, sel->name);
	if (hint)
		result_set(r, STATUS_ERROR, "the target exposes no metric '%s' (did you mean '%s'?)", sel->name, hint);
	else
		result_set(r, STATUS_ERROR, "the target exposes no metric '%s' (%zu metric families on the page)",
			   sel->name, d->n_families);
	return false;
}

static bool has_buckets(const struct prom_doc *d, const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < d->n_samples; i++)
		if (!strncmp(d->samples[i].name, name, l) && !strcmp(d->samples[i].name + l, "_bucket"))
			return true;
	return false;
}

static void no_series(struct check_result *r, const char *sel_text)
{
	result_set(r, STATUS_SKIP, "no series matches %s", sel_text);
	result_remedy(r, "check the label matchers against the page; a labelled series appears only after its "
			 "first event");
}

static void run(const struct facts *f, const struct check_params *p, struct check_result *r, enum metric_kind k)
{
	const struct prom_doc *d0 = NULL, *d1 = NULL;
	struct metric_sel sel;
	char why[256], text[512], v[48], th[128], w[32];
	const char *type;
	struct judge j;
	double dt = 0;

	if (metric_sel_parse(param_str(p, "metric"), &sel, why, sizeof(why)) < 0) {
		/* The loader refuses these; only a hand-built item gets here. */
		result_set(r, STATUS_ERROR, "bad metric selector: %s", why);
		return;
	}
	metric_sel_format(&sel, text, sizeof(text));
	ev_str(r, "metric", text);
	judge_init(&j, p, sel.name, k == MK_RATE);
	ev_thresholds(r, &j);
	if (isnan(j.warn) && isnan(j.fail)) {
		result_set(r, STATUS_ERROR, "no threshold: set warn, fail or both");
		return;
	}
	if (!inputs(f, r, k != MK_GAUGE, &d0, &d1, &dt) || !present(d1, &sel, r))
		return;
	type = metric_family_type(d1, sel.name);
	fmt_thresholds(&j, th, sizeof(th));
	snprintf(w, sizeof(w), "%.3g s", dt);

	if (k == MK_GAUGE) {
		struct metric_value mv;

		metric_gauge(d1, &sel, &mv);
		ev_int(r, "series", (long long)mv.n_series);
		if (!mv.n_series) {
			no_series(r, text);
			return;
		}
		ev_real(r, "value", mv.value);
		result_set(r, verdict(&j, mv.value), "%s = %s %s", text, fmt_value(mv.value, j.unit, "", v, sizeof(v)),
			   th);
		return;
	}
	if (k == MK_RATE || k == MK_INCREASE) {
		struct metric_value mv;
		double val;

		if (type && (!strcmp(type, "gauge") || !strcmp(type, "histogram") || !strcmp(type, "summary"))) {
			result_set(r, STATUS_ERROR, "'%s' is a %s, not a counter: %s", sel.name, type,
				   !strcmp(type, "gauge") ? "judge its value with metric.gauge"
							  : "judge name_count or name_sum, or a quantile with "
							    "metric.quantile");
			return;
		}
		if (metric_increase(d0, d1, &sel, &mv) < 0) {
			result_set(r, STATUS_ERROR, "out of memory");
			return;
		}
		ev_int(r, "series", (long long)mv.n_series);
		if (!mv.n_series) {
			no_series(r, text);
			return;
		}
		ev_real(r, "increase", mv.value);
		ev_int(r, "new_series", (long long)mv.n_new);
		ev_int(r, "resets", (long long)mv.n_resets);
		if (k == MK_RATE) {
			val = mv.value / dt;
			ev_real(r, "rate", val);
			result_set(r, verdict(&j, val), "%s rate over %s = %s %s", text, w,
				   fmt_value(val, j.unit, "/s", v, sizeof(v)), th);
		} else {
			val = mv.value;
			result_set(r, verdict(&j, val), "%s increase over %s = %s %s", text, w,
				   fmt_value(val, j.unit, "", v, sizeof(v)), th);
		}
		return;
	}

	/* MK_QUANTILE */
	{
		struct metric_hist h;
		struct metric_quantile q;
		double quant = param_num(p, "quantile");
		char pq[16], lo[48], hi[48];
		enum pf_status st;

		for (size_t i = 0; i < sel.n; i++)
			if (!strcmp(sel.m[i].name, "le")) {
				result_set(r, STATUS_ERROR, "%s: 'le' is the bucket label; the quantile reads every bucket",
					   text);
				return;
			}
		if (type && strcmp(type, "histogram")) {
			result_set(r, STATUS_ERROR, "'%s' is a %s, not a histogram%s", sel.name, type,
				   !strcmp(type, "summary") ? ": a summary's quantiles are the client's own, over its own "
							      "max age; judge name{quantile=\"0.99\"} with metric.gauge"
							    : "");
			return;
		}
		if (metric_hist_window(d0, d1, &sel, &h) < 0) {
			result_set(r, STATUS_ERROR, "out of memory");
			return;
		}
		metric_quantile_of(&h, quant, &q);
		ev_int(r, "series", (long long)h.n_series);
		ev_int(r, "buckets", (long long)h.n);
		ev_int(r, "resets", (long long)h.n_resets);
		metric_hist_release(&h);
		snprintf(pq, sizeof(pq), "p%g", quant * 100);
		ev_real(r, "quantile", quant);
		switch (q.status) {
		case MQ_NO_BUCKETS:
			if (!has_buckets(d1, sel.name)) {
				result_set(r, STATUS_ERROR, "'%s' has no %s_bucket series: not a histogram", sel.name,
					   sel.name);
				return;
			}
			no_series(r, text);
			return;
		case MQ_NO_INF:
			result_set(r, STATUS_ERROR, "%s has no +Inf bucket: not a histogram Prometheus can read", text);
			return;
		case MQ_TOO_FEW:
			result_set(r, STATUS_ERROR, "%s has only the +Inf bucket: no quantile to interpolate", text);
			return;
		case MQ_EMPTY:
			ev_real(r, "observations", 0);
			result_set(r, STATUS_SKIP, "%s: no observations in the window (%s)", text, w);
			result_remedy(r, "judge it under traffic, or over a longer --window");
			return;
		case MQ_OK:
			break;
		}
		ev_real(r, "observations", q.observations);
		ev_real(r, "value", q.value);
		ev_real(r, "bucket_lower", q.lower);
		if (q.in_inf)
			ev_str(r, "bucket_upper", "+Inf");
		else
			ev_real(r, "bucket_upper", q.upper);
		fmt_value(q.value, j.unit, "", v, sizeof(v));
		st = verdict(&j, q.value);
		/* Past the highest finite bound the histogram only says "at least
		 * that much": no pass can be read from it on the high side. */
		if (q.in_inf && !j.below && st != STATUS_FAIL) {
			result_set(r, STATUS_WARN, "%s %s over %s is above the highest bucket, %s: the histogram cannot "
				   "tell it from the thresholds %s", text, pq, w, v, th);
			result_remedy(r, "add buckets above the thresholds to the histogram");
			return;
		}
		result_set(r, st, "%s %s over %s = %s %s (%.0f observations, bucket %s..%s)", text, pq, w, v, th,
			   q.observations, fmt_value(q.lower, j.unit, "", lo, sizeof(lo)),
			   q.in_inf ? "+Inf" : fmt_value(q.upper, j.unit, "", hi, sizeof(hi)));
	}
}

CHECK_FN(check_metric_gauge)
{
	run(f, p, r, MK_GAUGE);
}

CHECK_FN(check_metric_rate)
{
	run(f, p, r, MK_RATE);
}

CHECK_FN(check_metric_increase)
{
	run(f, p, r, MK_INCREASE);
}

CHECK_FN(check_metric_quantile)
{
	run(f, p, r, MK_QUANTILE);
}

int metric_validate(const json_t *params, char *why, size_t n, const char **ret_param)
{
	json_t *w = json_object_get(params, "warn"), *fl = json_object_get(params, "fail");
	json_t *d = json_object_get(params, "direction");
	bool below = d && json_is_string(d) && !strcmp(json_string_value(d), "below");
	double wv, fv;

	if (!w && !fl) {
		snprintf(why, n, "no threshold: set warn, fail or both");
		*ret_param = "metric";
		return -EINVAL;
	}
	if (!w || !fl)
		return 0;
	wv = json_number_value(w);
	fv = json_number_value(fl);
	if (below ? wv < fv : wv > fv) {
		snprintf(why, n, "warn %.15g is %s fail %.15g; with direction %s, warn must not %s fail", wv,
			 below ? "below" : "above", fv, below ? "below" : "above", below ? "be below" : "exceed");
		*ret_param = "warn";
		return -ERANGE;
	}
	return 0;
}
