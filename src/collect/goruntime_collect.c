/* goruntime_collect: check's use of the sampler (goruntime_collect.h). */
#include "collect/goruntime_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/procfs.h"
#include "collect/source_lines.h"
#include "goruntime/goroutine.h"
#include "goruntime/profiles.h"

static void pick_endpoints(struct facts *f)
{
	struct goruntime_facts *g = &f->go;
	const struct process_facts *p = &f->proc;

	/* Prefer loopback listeners: the same surface, and no reason to cross
	 * an interface. Prefer too a listener that can be read (plain HTTP, or
	 * a certificate that verified) to one whose TLS certificate did not
	 * verify; the last pass takes that one all the same, so the checks
	 * that needed it say why they read nothing instead of skipping. */
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < p->n_endpoints; i++) {
			const struct endpoint_facts *e = &p->endpoints[i];
			bool untrusted = e->tls && fact_err_failed(&e->tls_err);

			if ((pass == 0 && !e->loopback_only) || (pass < 2 && untrusted))
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

/* Whether there is anything to read: the probes found a surface, or the
 * metric.* checks have a page (possibly given by --metrics-url). */
static bool sampling(const struct goruntime_facts *g)
{
	return g->attempted || g->metrics_doc_url[0];
}

void goruntime_begin(struct facts *f, const struct goruntime_opts *o, struct sampler *s)
{
	struct goruntime_facts *g = &f->go;
	struct sampler_opts so = {
		.what = SAMPLE_MEMSTATS | SAMPLE_SNAPSHOTS | SAMPLE_LAST_SNAPSHOT | SAMPLE_DEBUG2 | SAMPLE_CONTENTION |
			SAMPLE_KEEP_MEMSTATS,
		.timeout_ms = o->timeout_ms,
		.debug2_timeout_ms = o->timeout_ms,
		.max_debug2 = o->max_debug2,
		.tick_s = SAMPLER_TICK_S,
		.snapshot_s = SAMPLER_SNAPSHOT_S,
		.start = o->start,
		.window_s = f->window_s,
		.netns = o->netns,
		/* the leak analysis judges connection goroutines against them;
		 * live only: a captured /proc holds no sockets to count, and the
		 * kernel's answer would be this host's, not the capture's */
		.conns_pid = f->proc.present && (!f->root || !f->root[0]) ? f->proc.pid : 0,
		.conns_root = f->root,
	};
	struct err e = { "" };

	pick_endpoints(f);
	so.pprof = g->pprof_url;
	so.vars = g->vars_url;
	so.metrics = g->metrics_url;
	if (o->metrics_doc) {
		g->metrics_doc_asked = true;
		if (o->metrics_url && o->metrics_url[0])
			snprintf(g->metrics_doc_url, sizeof(g->metrics_doc_url), "%s", o->metrics_url);
		else if (g->metrics_url[0])
			snprintf(g->metrics_doc_url, sizeof(g->metrics_doc_url), "%s/metrics", g->metrics_url);
		if (g->metrics_doc_url[0]) {
			so.what |= SAMPLE_METRICS_DOC;
			so.metrics_doc = g->metrics_doc_url;
		}
	}
	sampler_init(s, &so, o->hooks, g);
	if (!sampling(g))
		return;
	/* The start time turns the cumulative GCCPUFraction into a rate. */
	if (proc_start_unix(f->root, f->proc.pid, &g->process_start_unix, &e) < 0)
		g->process_start_unix = 0;
	/* What did not answer is in the per-surface messages of g. */
	(void)sampler_begin(s, &e);
}

void goruntime_window(struct facts *f, struct sampler *s, double deadline)
{
	if (sampling(&f->go) && f->window_s > 0)
		sampler_run(s, deadline);
}

void goruntime_end(struct facts *f, struct sampler *s)
{
	if (sampling(&f->go)) {
		sampler_end(s);
		read_source_lines(f);
	}
	sampler_release(s);
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
	free(g->conns);
	source_lines_release(&g->source);
	for (int i = 0; i < 2; i++) {
		if (g->has_metrics_doc[i])
			prom_doc_release(&g->metrics_doc[i]);
		if (g->has_mutex[i])
			contention_profile_release(&g->mutex[i]);
		if (g->has_block[i])
			contention_profile_release(&g->block[i]);
	}
	memset(g, 0, sizeof(*g));
}
