#include "collect/goruntime_collect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/array.h"
#include "base/buf.h"
#include "collect/procfs.h"
#include "io/fetch.h"
#include "goruntime/pprof_index.h"
#include "goruntime/goroutine.h"
#include "goruntime/profiles.h"
#include "collect/source_lines.h"
#include "collect/endpoints.h"

static void pick_endpoints(struct facts *f)
{
	struct goruntime_facts *g = &f->go;
	const struct process_facts *p = &f->proc;

	/* Prefer loopback listeners: the same surface, and no reason to cross
	 * an interface. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < p->n_endpoints; i++) {
			const struct endpoint_facts *e = &p->endpoints[i];

			if (pass == 0 && !e->loopback_only)
				continue;
			if (e->pprof && !g->pprof_url[0])
				snprintf(g->pprof_url, sizeof(g->pprof_url), "%s", e->url_base);
			if (e->expvar && !g->vars_url[0])
				snprintf(g->vars_url, sizeof(g->vars_url), "%s", e->url_base);
			if (e->metrics && !g->metrics_url[0])
				snprintf(g->metrics_url, sizeof(g->metrics_url), "%s", e->url_base);
		}
	g->attempted = g->pprof_url[0] || g->vars_url[0] || g->metrics_url[0];
}

static int fetch(const char *base, const char *path, size_t max, long timeout_ms, bool html, struct buf *b,
		 struct err *e)
{
	struct fetch_opts o = { timeout_ms, max, html };
	char url[256];
	int r = go_url(url, sizeof(url), base, path);

	return r < 0 ? err_set(e, r, "URL too long") : go_fetch(url, &o, b, e);
}

static int sample_memstats(struct facts *f, const struct goruntime_opts *o, struct go_memstats *ms, struct err *e)
{
	struct goruntime_facts *g = &f->go;
	struct buf b = BUF_INIT(FETCH_SMALL_MAX);
	int r;

	if (g->vars_url[0]) {
		r = fetch(g->vars_url, "/debug/vars", FETCH_SMALL_MAX, o->timeout_ms, false, &b, e);
		if (r == 0)
			r = memstats_from_expvar(b.data, b.len, ms, e);
	} else if (g->metrics_url[0]) {
		struct prom_doc d = { 0 };

		r = fetch(g->metrics_url, "/metrics", FETCH_SMALL_MAX, o->timeout_ms, false, &b, e);
		if (r == 0)
			r = prom_parse(b.data, b.len, &d, e);
		if (r == 0)
			r = memstats_from_prom(&d, ms, e);
		prom_doc_release(&d);
	} else {
		r = err_set(e, -PF_ENOTFOUND, "no listener serves /debug/vars or /metrics");
	}
	buf_release(&b);
	return r;
}

static void take_snapshot(struct facts *f, const struct goruntime_opts *o)
{
	struct goruntime_facts *g = &f->go;
	struct buf b = BUF_INIT(FETCH_SMALL_MAX);
	struct timespec now;
	struct err e = { "" };
	char src[160];
	int r;

	if (!g->pprof_url[0])
		return;
	snprintf(src, sizeof(src), "%s/debug/pprof/goroutine?debug=1", g->pprof_url);
	r = fetch(g->pprof_url, "/debug/pprof/goroutine?debug=1", FETCH_SMALL_MAX, o->timeout_ms, false, &b, &e);
	if (r < 0)
		goto fail;
	r = array_reserve(&g->snaps, &g->cap_snaps, g->n_snaps, sizeof(*g->snaps), 8);
	if (r < 0) {
		err_set(&e, r, "out of memory");
		goto fail;
	}
	memset(&g->snaps[g->n_snaps], 0, sizeof(*g->snaps));
	r = gr_parse(b.data, b.len, src, &g->snaps[g->n_snaps], &e);
	if (r < 0)
		goto fail;
	clock_gettime(CLOCK_REALTIME, &now);
	g->snaps[g->n_snaps].taken_at = (double)now.tv_sec + now.tv_nsec / 1e9;
	g->n_snaps++;
	buf_release(&b);
	return;
fail:
	fact_err_set(&g->goroutine_err, r, &e);
	buf_release(&b);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_contention(struct facts *f, const struct goruntime_opts *o, const char *path,
			    struct contention_profile *prof, bool *has, struct fact_err *fe)
{
	struct buf b = BUF_INIT(FETCH_SMALL_MAX);
	struct err e = { "" };
	int r = fetch(f->go.pprof_url, path, FETCH_SMALL_MAX, o->timeout_ms, false, &b, &e);

	if (r == 0)
		r = contention_parse(b.data, b.len, prof, &e);
	if (r == 0)
		*has = true;
	else
		fact_err_set(fe, r, &e);
	buf_release(&b);
}

/* at = 0 at the start of the window, 1 at its end. */
static void take_contention(struct facts *f, const struct goruntime_opts *o, int at)
{
	struct goruntime_facts *g = &f->go;

	if (!g->pprof_url[0])
		return;
	read_contention(f, o, "/debug/pprof/mutex?debug=1", &g->mutex[at], &g->has_mutex[at], &g->mutex_err);
	read_contention(f, o, "/debug/pprof/block?debug=1", &g->block[at], &g->has_block[at],
			&g->block_err);
	g->contention_t[at] = mono_now();
}

/* A debug=2 dump into *dump, at the start (first) or the end of the window. */
static void take_dump2(struct facts *f, const struct goruntime_opts *o, bool first)
{
	struct goruntime_facts *g = &f->go;
	struct buf b = BUF_INIT(FETCH_PROFILE_MAX);
	struct err e = { "" };
	uint64_t count = g->n_snaps ? g->snaps[g->n_snaps - 1].total : g->index_goroutines;
	struct gr_snapshot *dump = first ? &g->dump2_first : &g->dump2;
	bool *has = first ? &g->has_dump2_first : &g->has_dump2;
	char src[160];

	if (!g->pprof_url[0])
		return;
	if (!count || count >= o->max_debug2) {
		if (first)
			return;
		snprintf(g->dump2_note, sizeof(g->dump2_note),
			 count ? "%llu goroutines: a debug=2 dump (wait times) is only taken below %llu"
			       : "goroutine count unknown; no debug=2 dump taken",
			 (unsigned long long)count, (unsigned long long)o->max_debug2);
		return;
	}
	snprintf(src, sizeof(src), "%s/debug/pprof/goroutine?debug=2", g->pprof_url);
	if (fetch(g->pprof_url, "/debug/pprof/goroutine?debug=2", FETCH_PROFILE_MAX, o->timeout_ms, false, &b, &e) == 0 &&
	    gr_parse(b.data, b.len, src, dump, &e) == 0)
		*has = true;
	else if (!first)
		snprintf(g->dump2_note, sizeof(g->dump2_note), "%s", e.msg);
	buf_release(&b);
}

/* The source at the groups' sites, in the target's own mount view: the
 * files a dump names are the target's, not preflight's. */
static void read_source_lines(struct facts *f)
{
	struct goruntime_facts *g = &f->go;
	char root[512];

	if (!g->n_snaps || snprintf(root, sizeof(root), "%s/proc/%d/root", f->root ? f->root : "", (int)f->proc.pid) >=
				   (int)sizeof(root))
		return;
	if (g->has_dump2)
		(void)source_lines_collect(root, &g->dump2, 1, &g->source);
	else
		(void)source_lines_collect(root, g->snaps, g->n_snaps, &g->source);
}

void goruntime_begin(struct facts *f, const struct goruntime_opts *o)
{
	struct goruntime_facts *g = &f->go;
	struct pprof_index idx;
	struct err e = { "" };

	pick_endpoints(f);
	if (!g->attempted)
		return;
	/* The start time turns the cumulative GCCPUFraction into a rate. */
	if (proc_start_unix(f->root, f->proc.pid, &g->process_start_unix, &e) < 0)
		g->process_start_unix = 0;
	/* The cheap count first: it decides whether a debug=2 dump is affordable. */
	if (g->pprof_url[0] && pprof_index_fetch(g->pprof_url, o->timeout_ms, &idx, &e) == 0 && idx.goroutine.ok)
		g->index_goroutines = idx.goroutine.n;
	take_contention(f, o, 0);
	/* Only a sampled window has growth to confirm. */
	if (f->window_s > 0)
		take_dump2(f, o, true);
	goruntime_tick(f, o, true);
}

void goruntime_tick(struct facts *f, const struct goruntime_opts *o, bool snapshot)
{
	struct goruntime_facts *g = &f->go;
	struct go_memstats ms;
	struct err e = { "" };
	struct timespec now;
	double t;
	int r = 0;

	if (!g->attempted)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	t = (double)now.tv_sec + now.tv_nsec / 1e9;
	memset(&ms, 0, sizeof(ms));
	if ((g->vars_url[0] || g->metrics_url[0]) && (r = sample_memstats(f, o, &ms, &e)) == 0) {
		/* Out of memory: the sample is dropped; the checks judge the others. */
		if (array_reserve(&g->samples, &g->cap_samples, g->n_samples, sizeof(*g->samples), 16) == 0 &&
		    array_reserve(&g->sample_times, &g->cap_sample_times, g->n_samples, sizeof(*g->sample_times), 16) == 0) {
			g->samples[g->n_samples] = ms;
			g->sample_times[g->n_samples] = t;
			g->n_samples++;
		}
	} else if (r < 0) {
		fact_err_set(&g->memstats_err, r, &e);
	}
	if (snapshot)
		take_snapshot(f, o);
}


void goruntime_end(struct facts *f, const struct goruntime_opts *o)
{
	struct goruntime_facts *g = &f->go;

	if (!g->attempted)
		return;
	take_snapshot(f, o);
	take_dump2(f, o, false);
	read_source_lines(f);
	/* A second profile only tells something when the window was sampled. */
	if (f->window_s > 0 && (g->has_mutex[0] || g->has_block[0]))
		take_contention(f, o, 1);
}

void goruntime_facts_release(struct goruntime_facts *g)
{
	for (size_t i = 0; i < g->n_snaps; i++)
		gr_snapshot_release(&g->snaps[i]);
	free(g->snaps);
	if (g->has_dump2)
		gr_snapshot_release(&g->dump2);
	if (g->has_dump2_first)
		gr_snapshot_release(&g->dump2_first);
	free(g->samples);
	free(g->sample_times);
	source_lines_release(&g->source);
	for (int i = 0; i < 2; i++) {
		if (g->has_mutex[i])
			contention_profile_release(&g->mutex[i]);
		if (g->has_block[i])
			contention_profile_release(&g->block[i]);
	}
	memset(g, 0, sizeof(*g));
}
