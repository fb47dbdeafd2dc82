/* verify http and promql: items that are HTTP requests, run as batches of
 * concurrent requests (http_fetch_all).
 *
 * One batch carries one timeout, so items are grouped by their timeout
 * and each group is cut into batches of at most max_parallel requests;
 * items of one batch start and end together. Bodies are capped at 1 MiB:
 * a longer body is judged on its first MiB, and the evidence says so.
 * Redirects are not followed: an item that wants a 200 sees the 302.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/json_text.h"
#include "io/http.h"
#include "verify/promql.h"
#include "verify/verify_run.h"

#define VERIFY_BODY_MAX (1u << 20)
#define VERIFY_EXCERPT 512

struct req_job {
	struct verify_job job;
	const struct checklist_item *it;
	struct http_request req;
	char *form;            /* promql: the POSTed form */
	char **headers;        /* http: the item's headers with ${VAR} read from the environment */
	char missing[160];     /* http: "header 'X': environment variable 'V' is not set", or "" */
	double window_start, window_end;   /* promql: the range asked (Unix s) */
};

static double item_timeout(const struct checklist_item *it)
{
	double t = it->verify == VERIFY_HTTP ? it->http.timeout_s : it->promql.timeout_s;

	return t > 0 ? t : 10;
}

static int by_timeout(const void *a, const void *b)
{
	const struct checklist_item *p = *(const struct checklist_item *const *)a;
	const struct checklist_item *q = *(const struct checklist_item *const *)b;
	double x = item_timeout(p), y = item_timeout(q);

	if (x != y)
		return x < y ? -1 : 1;
	return p < q ? -1 : p > q;   /* the file's order within a timeout */
}

/* ---- http ---------------------------------------------------------------- */

static const struct http_tls tls_insecure = { NULL, true };

/* A header line with every ${VAR} replaced by the variable's value; NULL
 * with rj->missing said when one is unset (or on no memory). */
static char *expand_header(struct req_job *rj, const char *line)
{
	struct buf b;
	const char *p = line, *ref;
	char *out;

	buf_init(&b, 64 * 1024);
	while ((ref = strstr(p, "${"))) {
		const char *end = strchr(ref, '}');
		char name[128];
		const char *val;

		if (!end || (size_t)(end - ref - 2) >= sizeof(name))
			break;   /* the loader refused these; send the rest as written */
		memcpy(name, ref + 2, (size_t)(end - ref - 2));
		name[end - ref - 2] = '\0';
		val = getenv(name);
		if (!val) {
			snprintf(rj->missing, sizeof(rj->missing), "header '%.*s': environment variable '%s' is not set",
				 (int)strcspn(line, ":"), line, name);
			if (b.data)
				explicit_bzero(b.data, b.len);
			buf_release(&b);
			return NULL;
		}
		if (buf_append(&b, p, (size_t)(ref - p)) < 0 || buf_append(&b, val, strlen(val)) < 0)
			goto oom;
		p = end + 1;
	}
	if (buf_append(&b, p, strlen(p)) < 0)
		goto oom;
	out = strdup(buf_str(&b));
	if (b.data)
		explicit_bzero(b.data, b.len);
	buf_release(&b);
	if (!out)
		snprintf(rj->missing, sizeof(rj->missing), "out of memory");
	return out;
oom:
	snprintf(rj->missing, sizeof(rj->missing), "out of memory");
	if (b.data)
		explicit_bzero(b.data, b.len);
	buf_release(&b);
	return NULL;
}

static void free_headers(struct req_job *rj)
{
	for (size_t i = 0; rj->headers && rj->headers[i]; i++) {
		explicit_bzero(rj->headers[i], strlen(rj->headers[i]));   /* they may hold a token */
		free(rj->headers[i]);
	}
	free(rj->headers);
	rj->headers = NULL;
}

static void http_prepare(struct req_job *rj)
{
	const struct verify_http *h = &rj->it->http;
	size_t n = 0;

	while (h->headers && h->headers[n])
		n++;
	if (n) {
		rj->headers = calloc(n + 1, sizeof(*rj->headers));
		if (!rj->headers)
			snprintf(rj->missing, sizeof(rj->missing), "out of memory");
		for (size_t i = 0; rj->headers && i < n && !rj->missing[0]; i++)
			rj->headers[i] = expand_header(rj, h->headers[i]);
		if (rj->missing[0]) {
			/* Not sent: an empty URL fails at once, and the verdict says why. */
			free_headers(rj);
			http_request_init(&rj->req, "", 1);
			return;
		}
	}

	http_request_init(&rj->req, h->url ? h->url : "", VERIFY_BODY_MAX);
	if (h->method && strcmp(h->method, "GET"))
		rj->req.method = h->method;
	if (h->body) {
		rj->req.send_body = h->body;
		rj->req.send_len = strlen(h->body);
		if (!rj->req.method)
			rj->req.method = "POST";
	}
	rj->req.headers = (const char *const *)rj->headers;
	if (h->insecure)
		rj->req.tls = &tls_insecure;
}

static void http_verdict(struct req_job *rj)
{
	const struct verify_http *h = &rj->it->http;
	const struct http_request *q = &rj->req;
	const char *method = q->method ? q->method : "GET";
	bool answered = q->status > 0 && (q->err == 0 || q->err == -E2BIG);
	json_t *ev = json_object();
	size_t ex = q->body.len < VERIFY_EXCERPT ? q->body.len : VERIFY_EXCERPT;
	char *excerpt = strndup(buf_str(&q->body), ex);
	long ms = lround(q->elapsed_s * 1000);

	if (rj->missing[0]) {
		json_decref(ev);
		free(excerpt);
		verify_job_set(&rj->job, ITEM_FAIL, "%s", rj->missing);
		return;
	}

	json_object_set_new(ev, "url", json_text(h->url));
	json_object_set_new(ev, "method", json_string(method));
	json_object_set_new(ev, "status", q->status > 0 ? json_integer(q->status) : json_null());
	json_object_set_new(ev, "elapsed_ms", json_integer(ms));
	json_object_set_new(ev, "body_excerpt", json_text(excerpt ? excerpt : ""));
	json_object_set_new(ev, "body_truncated", json_boolean(q->truncated));
	json_object_set_new(ev, "error", answered ? json_null() : json_text(q->errmsg));
	rj->job.res.evidence = ev;
	free(excerpt);

	if (!answered) {
		if (q->err == -ETIMEDOUT) {
			char t[32];

			verify_format_duration(item_timeout(rj->it), t, sizeof(t));
			verify_job_set(&rj->job, ITEM_FAIL, "%s %s: no answer within %s", method, h->url, t);
		} else {
			verify_job_set(&rj->job, ITEM_FAIL, "%s %s: %s", method, h->url,
				       q->errmsg[0] ? q->errmsg : "no answer");
		}
		return;
	}
	if (q->status != h->expect_status) {
		verify_job_set(&rj->job, ITEM_FAIL, "HTTP %ld, want %ld", q->status, h->expect_status);
		return;
	}
	if (h->body_contains && !memmem(q->body.data ? q->body.data : "", q->body.len, h->body_contains,
					strlen(h->body_contains))) {
		verify_job_set(&rj->job, ITEM_FAIL, "HTTP %ld, but the body%s does not contain \"%.100s\"", q->status,
			       q->truncated ? " (its first MiB)" : "", h->body_contains);
		return;
	}
	if (h->body_regex) {
		regex_t re;
		int rc = regcomp(&re, h->body_regex, REG_EXTENDED | REG_NOSUB);

		if (rc) {
			verify_job_set(&rj->job, ITEM_FAIL, "body_regex does not compile");
			return;
		}
		rc = regexec(&re, buf_str(&q->body), 0, NULL, 0);
		regfree(&re);
		if (rc) {
			verify_job_set(&rj->job, ITEM_FAIL, "HTTP %ld, but the body%s does not match /%.100s/",
				       q->status, q->truncated ? " (its first MiB)" : "", h->body_regex);
			return;
		}
	}
	verify_job_set(&rj->job, ITEM_PASS, "HTTP %ld in %ld ms%s", q->status, ms,
		       h->body_contains || h->body_regex ? ", body matches" : "");
}

/* ---- promql -------------------------------------------------------------- */

/* application/x-www-form-urlencoded (RFC 3986 unreserved kept). */
static int form_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = 0;

	for (; *s && !r; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~')
			r = buf_append(b, s, 1);
		else
			r = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
	return r;
}

static double promql_step(const struct verify_promql *p)
{
	double step = p->step_s > 0 ? p->step_s : p->hold_s / 30;

	return step < 1 ? 1 : step;
}

static const char *const form_headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };

static int promql_prepare(struct req_job *rj)
{
	const struct verify_promql *p = &rj->it->promql;
	struct buf url = BUF_INIT(4096), form = BUF_INIT(1u << 20);
	const char *base = p->server_url ? p->server_url : "";
	size_t blen = strlen(base);
	double now = (double)verify_wall_ms() / 1000;
	int r;

	while (blen && base[blen - 1] == '/')
		blen--;
	r = buf_append(&url, base, blen);
	r = r ? r : buf_puts(&url, p->hold_s > 0 ? "/api/v1/query_range" : "/api/v1/query");
	r = r ? r : buf_puts(&form, "query=");
	r = r ? r : form_escape(&form, p->query ? p->query : "");
	rj->window_end = now;
	rj->window_start = p->hold_s > 0 ? now - p->hold_s : now;
	if (!r && p->hold_s > 0)
		r = buf_printf(&form, "&start=%.3f&end=%.3f&step=%.3f", rj->window_start, now, promql_step(p));
	else if (!r)
		r = buf_printf(&form, "&time=%.3f", now);
	if (!r) {
		http_request_init(&rj->req, buf_str(&url), VERIFY_BODY_MAX);
		rj->req.method = "POST";
		rj->form = buf_detach(&form);
		rj->req.send_body = rj->form;
		rj->req.send_len = strlen(rj->form);
		rj->req.headers = form_headers;
		if (blen + 20 >= sizeof(rj->req.url))
			r = -E2BIG;
	}
	buf_release(&url);
	buf_release(&form);
	return r;
}

static void iso_time(double t, char *out, size_t n)
{
	time_t s = (time_t)floor(t);
	struct tm tm;
	int ms = (int)lround((t - floor(t)) * 1000);

	if (ms == 1000)
		s++, ms = 0;
	if (!isfinite(t) || !gmtime_r(&s, &tm)) {
		snprintf(out, n, "%g", t);
		return;
	}
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

/* {job="api",instance="x"}, cut to fit a summary. */
static void labels_text(const json_t *labels, char *out, size_t n)
{
	struct buf b = BUF_INIT(n > 4 ? n - 4 : 1);
	const char *k;
	json_t *v;
	bool first = true, cut = false;

	cut = buf_puts(&b, "{") < 0;
	json_object_foreach((json_t *)labels, k, v) {
		if (cut)
			break;
		cut = buf_printf(&b, "%s%s=\"%s\"", first ? "" : ",", k,
				 json_is_string(v) ? json_string_value(v) : "?") < 0;
		first = false;
	}
	if (!cut)
		cut = buf_puts(&b, "}") < 0;
	snprintf(out, n, "%s%s", buf_str(&b), cut ? "...}" : "");
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	buf_release(&b);
}

static void promql_verdict(struct req_job *rj)
{
	const struct verify_promql *p = &rj->it->promql;
	const struct http_request *q = &rj->req;
	struct promql_verdict v;
	struct err e = { "" };
	enum promql_op op = PROMQL_LT;
	json_t *ev = json_object();
	char hold[32] = "", over[48] = "";
	int r;

	json_object_set_new(ev, "query", json_text(p->query));
	json_object_set_new(ev, "server", json_text(p->server));
	json_object_set_new(ev, "server_url", json_text(p->server_url));
	json_object_set_new(ev, "condition", json_pack("{s:s,s:f}", "op", p->op ? p->op : "?", "value",
						       isfinite(p->value) ? p->value : 0));
	if (p->hold_s > 0) {
		verify_format_duration(p->hold_s, hold, sizeof(hold));
		json_object_set_new(ev, "for_s", json_real(p->hold_s));
		json_object_set_new(ev, "step_s", json_real(promql_step(p)));
		snprintf(over, sizeof(over), " over %s", hold);
	}
	rj->job.res.evidence = ev;
	if (!p->server_url) {
		verify_job_set(&rj->job, ITEM_FAIL, "no prometheus server '%s' in the checklist",
			       p->server ? p->server : "");
		return;
	}
	if (promql_op_parse(p->op, &op) < 0) {
		verify_job_set(&rj->job, ITEM_FAIL, "unknown comparison '%s'", p->op ? p->op : "");
		return;
	}
	if (q->status == 0 || (q->err && q->err != -E2BIG)) {
		json_object_set_new(ev, "error", json_text(q->errmsg));
		if (q->err == -ETIMEDOUT) {
			char t[32];

			verify_format_duration(item_timeout(rj->it), t, sizeof(t));
			verify_job_set(&rj->job, ITEM_FAIL, "prometheus '%s': no answer within %s", p->server, t);
		} else {
			verify_job_set(&rj->job, ITEM_FAIL, "prometheus '%s': %s", p->server,
				       q->errmsg[0] ? q->errmsg : "no answer");
		}
		return;
	}
	r = promql_judge(q->body.data ? q->body.data : "", q->body.len, op, p->value, &v, &e);
	if (r == -EREMOTEIO || r == -EDOM) {
		json_object_set_new(ev, "error", json_text(e.msg));
		verify_job_set(&rj->job, ITEM_FAIL, "prometheus: %s", e.msg);
		return;
	}
	if (r < 0) {
		json_object_set_new(ev, "error", json_text(e.msg));
		if (q->status != 200)
			verify_job_set(&rj->job, ITEM_FAIL, "prometheus '%s' answered HTTP %ld", p->server, q->status);
		else
			verify_job_set(&rj->job, ITEM_FAIL, "prometheus '%s': %s", p->server, e.msg);
		return;
	}
	json_object_set_new(ev, "result_type", json_string(v.result_type));
	json_object_set_new(ev, "series", json_integer((json_int_t)v.series));
	json_object_set_new(ev, "samples", json_integer((json_int_t)v.samples));
	json_object_set_new(ev, "failing_samples", json_integer((json_int_t)v.failing_samples));
	json_object_set_new(ev, "failing_series", json_integer((json_int_t)v.failing_series));
	if (v.has_worst) {
		char at[40];

		iso_time(v.worst_at, at, sizeof(at));
		json_object_set_new(ev, "worst", json_pack("{s:O,s:s,s:s}", "labels", v.worst_labels, "value",
							   v.worst_value, "at", at));
	}
	if (!v.samples) {
		if (p->empty_ok)
			verify_job_set(&rj->job, ITEM_PASS, "no series (allowed: empty_ok)");
		else
			verify_job_set(&rj->job, ITEM_FAIL, "no series%s", over);
	} else if (p->hold_s > 0 && v.last_at - v.first_at + promql_step(p) < p->hold_s - 1e-3) {
		char covered[32];

		verify_format_duration(v.last_at - v.first_at, covered, sizeof(covered));
		verify_job_set(&rj->job, ITEM_FAIL, "the data covers only %s of the %s the condition must hold",
			       covered, hold);
	} else if (v.failing_samples) {
		char labels[200];

		labels_text(v.worst_labels, labels, sizeof(labels));
		verify_job_set(&rj->job, ITEM_FAIL, "%s%s is not %s %.15g (%zu of %zu samples, %zu of %zu series%s)",
			       v.worst_value, strcmp(labels, "{}") ? labels : "", p->op, p->value, v.failing_samples,
			       v.samples, v.failing_series, v.series, over);
	} else {
		verify_job_set(&rj->job, ITEM_PASS, "every sample %s %.15g%s (%zu series, %zu samples; worst %s)", p->op,
			       p->value, over, v.series, v.samples, v.worst_value);
	}
	promql_verdict_release(&v);
}

/* ---- the phase ----------------------------------------------------------- */

static int run_batch(const struct verify_run *run, const struct checklist_item **items, size_t n,
		     struct err *e)
{
	struct req_job *jobs = calloc(n, sizeof(*jobs));
	struct http_request *reqs = calloc(n, sizeof(*reqs));
	double t = item_timeout(items[0]);
	struct http_opts ho = { (long)(t * 1000), (long)(t * 1000) };
	int r = 0;

	if (!jobs || !reqs) {
		free(jobs);
		free(reqs);
		return err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].it = items[i];
		verify_job_start(run, &jobs[i].job, (size_t)(items[i] - run->cl->items));
		if (items[i]->verify == VERIFY_HTTP)
			http_prepare(&jobs[i]);
		else if (promql_prepare(&jobs[i]) < 0)
			http_request_init(&jobs[i].req, "", 1);   /* judged as failing below */
		reqs[i] = jobs[i].req;
	}
	r = http_fetch_all(reqs, n, &ho);
	if (r < 0)
		err_set(e, r, "the requests could not be made: %s", err_str(r));
	for (size_t i = 0; i < n; i++) {
		jobs[i].req = reqs[i];
		if (r < 0)
			verify_job_set(&jobs[i].job, ITEM_FAIL, "not run: %s", e->msg);
		else if (items[i]->verify == VERIFY_HTTP)
			http_verdict(&jobs[i]);
		else
			promql_verdict(&jobs[i]);
		http_request_release(&jobs[i].req);
		free_headers(&jobs[i]);
		free(jobs[i].form);
		verify_job_done(run, &jobs[i].job);
	}
	free(jobs);
	free(reqs);
	return r;
}

int verify_http_phase(const struct verify_run *run, const size_t *idx, size_t n, struct err *e)
{
	const struct checklist_item **items = calloc(n ? n : 1, sizeof(*items));
	size_t i = 0;
	int r = 0;

	if (!items)
		return err_set(e, -ENOMEM, "out of memory");
	/* No libcurl: the run cannot do what it was asked, which is not an item's failure. */
	r = http_init(e);
	if (r < 0)
		goto out;
	for (size_t k = 0; k < n; k++)
		items[k] = &run->cl->items[idx[k]];
	qsort(items, n, sizeof(*items), by_timeout);
	while (i < n && r == 0) {
		size_t m = 1;

		while (i + m < n && m < run->max_parallel && item_timeout(items[i + m]) == item_timeout(items[i]))
			m++;
		r = run_batch(run, items + i, m, e);
		i += m;
	}
out:
	free(items);
	return r;
}
