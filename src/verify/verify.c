/* verify: runs the automatic items of a checklist (verify.h), one phase
 * per kind (verify_run.h). */
#include "verify/verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "verify/verify_run.h"

void verify_result_release(struct verify_result *r)
{
	if (!r)
		return;
	json_decref(r->evidence);
	r->evidence = NULL;
}

double verify_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t verify_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void verify_job_start(const struct verify_run *run, struct verify_job *j, size_t index)
{
	memset(j, 0, sizeof(*j));
	j->index = index;
	j->res.status = ITEM_FAIL;
	j->res.started_ms = verify_wall_ms();
	j->t0 = verify_mono();
	if (run->o->on_start)
		run->o->on_start(run->o->arg, index);
}

void verify_job_set(struct verify_job *j, enum item_status st, const char *fmt, ...)
{
	va_list ap;

	j->res.status = st;
	va_start(ap, fmt);
	vsnprintf(j->res.summary, sizeof(j->res.summary), fmt, ap);
	va_end(ap);
	/* The summary is stored as text (PostgreSQL refuses what is not
	 * UTF-8): a "%.100s" or the buffer's end may have cut a character,
	 * a server may have answered bytes that are not one; those become '?'. */
	for (size_t i = 0, n = strlen(j->res.summary); i < n;) {
		unsigned cp;
		size_t k = utf8_next(j->res.summary + i, n - i, &cp);

		if (!k)
			j->res.summary[i] = '?';
		i += k ? k : 1;
	}
}

void verify_job_done(const struct verify_run *run, struct verify_job *j)
{
	double d = verify_mono() - j->t0;

	j->res.duration_ms = d > 0 ? (int64_t)(d * 1000 + 0.5) : 0;
	if (!j->res.evidence)
		j->res.evidence = json_object();
	if (!j->res.summary[0])
		verify_job_set(j, ITEM_FAIL, "no verdict");
	if (run->o->on_done)
		run->o->on_done(run->o->arg, j->index, &j->res);
	verify_result_release(&j->res);
}

void verify_format_duration(double s, char *out, size_t n)
{
	if (s < 1)
		snprintf(out, n, "%.0fms", s * 1000);
	else if (s < 60)
		snprintf(out, n, "%.3gs", s);
	else if (s < 3600 && (long)s % 60 == 0)
		snprintf(out, n, "%ldm", (long)s / 60);
	else if (s < 3600)
		snprintf(out, n, "%ldm%lds", (long)s / 60, (long)s % 60);
	else if ((long)s % 3600 == 0)
		snprintf(out, n, "%ldh", (long)s / 3600);
	else
		snprintf(out, n, "%ldh%ldm", (long)s / 3600, (long)s % 3600 / 60);
}

int verify_items(const struct checklist *cl, const size_t *idx, size_t n, const struct verify_opts *o,
		 struct err *e)
{
	struct verify_run run = { cl, o, o->max_parallel ? o->max_parallel : cl->max_parallel };
	size_t *by_kind[VERIFY_MANUAL] = { NULL };
	size_t counts[VERIFY_MANUAL] = { 0 };
	int r = 0;

	if (!run.max_parallel)
		run.max_parallel = 8;
	for (int k = 0; k < VERIFY_MANUAL; k++) {
		by_kind[k] = calloc(n ? n : 1, sizeof(size_t));
		if (!by_kind[k]) {
			r = err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct checklist_item *it;

		if (idx[i] >= cl->n_items) {
			r = err_set(e, -EINVAL, "item index %zu out of range", idx[i]);
			goto out;
		}
		it = &cl->items[idx[i]];
		if (it->verify < VERIFY_MANUAL)
			by_kind[it->verify][counts[it->verify]++] = idx[i];
	}
	/* http and promql share one phase: both are requests. */
	{
		size_t *req = calloc(counts[VERIFY_HTTP] + counts[VERIFY_PROMQL] + 1, sizeof(size_t));
		size_t m = 0;

		if (!req) {
			r = err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			enum verify_kind k = cl->items[idx[i]].verify;

			if (k == VERIFY_HTTP || k == VERIFY_PROMQL)
				req[m++] = idx[i];
		}
		r = m ? verify_http_phase(&run, req, m, e) : 0;
		free(req);
	}
	/* A phase that broke (no libcurl) does not keep the others from running;
	 * the first error is the run's. */
	{
		struct err pe = { "" };
		int p = counts[VERIFY_EXEC] ? verify_exec_phase(&run, by_kind[VERIFY_EXEC], counts[VERIFY_EXEC], &pe) : 0;

		if (p < 0 && r == 0) {
			r = p;
			if (e)
				*e = pe;
		}
		pe.msg[0] = '\0';
		p = counts[VERIFY_CHECK] ? verify_check_phase(&run, by_kind[VERIFY_CHECK], counts[VERIFY_CHECK], &pe) : 0;
		if (p < 0 && r == 0) {
			r = p;
			if (e)
				*e = pe;
		}
	}
out:
	for (int k = 0; k < VERIFY_MANUAL; k++)
		free(by_kind[k]);
	return r;
}
