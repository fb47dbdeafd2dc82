/* Heap and GC pressure, from memstats sampled over the window. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/stats.h"
#include "check/checks.h"
#include "check/gccpu.h"
#include "check/heap_trough.h"

/* Skips when the target exposes no memstats; returns true when the check
 * can go on. */
static bool need_memstats(const struct facts *f, struct check_result *r)
{
	const struct goruntime_facts *g = &f->go;

	if (f->proc.http_err) {
		result_set(r, STATUS_ERROR, "no memstats: %s", f->proc.http_errmsg);
		return false;
	}
	if (!g->attempted && fact_err_failed(&f->proc.sockets_err)) {
		result_set(r, STATUS_ERROR, "no memstats: listeners unknown: %s", f->proc.sockets_err.msg);
		return false;
	}
	if (!g->attempted) {
		result_set(r, STATUS_SKIP, "no listener of pid %d serves /debug/vars, /metrics or pprof",
			   (int)f->proc.pid);
		return false;
	}
	if (!g->n_samples) {
		result_set(r, g->vars_url[0] || g->metrics_url[0] ? STATUS_ERROR : STATUS_SKIP, "no memstats: %s",
			   g->memstats_err.msg[0] ? g->memstats_err.msg : "neither /debug/vars nor /metrics is served");
		return false;
	}
	return true;
}

/* Where the GC's two knobs come from, as evidence and as a phrase for
 * the summary: "GOGC=100 (Go default), GOMEMLIMIT 2.0 GiB (env GOMEMLIMIT)".
 * A debug.SetGCPercent call in the code is invisible from outside; the
 * service's own go_gc_gomemlimit_bytes sees debug.SetMemoryLimit. */
static void gc_knobs(const struct facts *f, struct check_result *r, char *desc, size_t n)
{
	const struct process_facts *pr = &f->proc;
	const char *gogc, *gogc_src, *gml_src;
	char gml[48], b[32];

	if (pr->env_gogc) {
		gogc = pr->env_gogc;
		gogc_src = "env GOGC";
	} else if (fact_err_failed(&pr->environ_err)) {
		gogc = "unknown";
		gogc_src = "environment unreadable";
	} else {
		gogc = "100";
		gogc_src = "Go default";
	}
	if (pr->reported_gomemlimit > 0 && pr->reported_gomemlimit < INT64_MAX) {
		snprintf(gml, sizeof(gml), "%s", fmt_bytes((unsigned long long)pr->reported_gomemlimit, b));
		gml_src = "service's go_gc_gomemlimit_bytes";
	} else if (pr->env_gomemlimit) {
		snprintf(gml, sizeof(gml), "%s", pr->env_gomemlimit);
		gml_src = "env GOMEMLIMIT";
	} else if (fact_err_failed(&pr->environ_err)) {
		snprintf(gml, sizeof(gml), "unknown");
		gml_src = "environment unreadable";
	} else {
		snprintf(gml, sizeof(gml), "none");
		gml_src = "Go default: no limit";
	}
	ev_str(r, "gogc", gogc);
	ev_str(r, "gogc_source", gogc_src);
	ev_str(r, "gomemlimit", gml);
	ev_str(r, "gomemlimit_source", gml_src);
	snprintf(desc, n, "GOGC=%s (%s), GOMEMLIMIT %s (%s)", gogc, gogc_src, gml, gml_src);
}

/* The pressure the service felt on res ("some" line), as evidence
 * (null when no PSI was read); true and desc filled when it is above
 * limit. */
static bool pressure_above(const struct facts *f, struct check_result *r, enum psi_res res, const char *key,
			   double limit, char *desc, size_t n)
{
	struct psi_rate rt;
	char scope_key[48];

	snprintf(scope_key, sizeof(scope_key), "%s_scope", key);
	if (!psi_felt(f, res, false, &rt, desc, n)) {
		ev_json(r, key, json_null());
		desc[0] = '\0';
		return false;
	}
	ev_real(r, key, rt.share);
	ev_str(r, scope_key, rt.scope);
	return rt.share > limit;
}

/* The trough of HeapAlloc/NextGC after a cycle, as heap_trough.h defines
 * it (watch's heap trigger judges the same): the check judges the window's
 * trough when at least one cycle ended inside the window, and reports the
 * percentiles as evidence. */
CHECK_FN(check_go_heap_pressure)
{
	const struct goruntime_facts *g = &f->go;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), p95, trough;
	const struct go_memstats *last;
	struct heap_point *pts;
	struct heap_trough h;
	char knobs[200], mem[160];
	bool mem_starved;
	uint64_t cycles;
	size_t n;
	int rc;

	if (!need_memstats(f, r))
		return;
	pts = calloc(g->n_samples, sizeof(*pts));
	if (!pts) {
		result_set(r, STATUS_ERROR, "out of memory");
		return;
	}
	for (size_t i = 0; i < g->n_samples; i++)
		pts[i] = (struct heap_point){ g->samples[i].heap_alloc, g->samples[i].next_gc, g->samples[i].num_gc };
	rc = heap_trough_of(pts, g->n_samples, &h);
	free(pts);
	if (rc < 0) {
		result_set(r, STATUS_ERROR, "out of memory");
		return;
	}
	last = &g->samples[g->n_samples - 1];
	cycles = h.cycles;
	n = h.samples;
	ev_int(r, "heap_alloc_bytes", (long long)last->heap_alloc);
	ev_int(r, "next_gc_bytes", (long long)last->next_gc);
	ev_int(r, "samples", (long long)n);
	ev_int(r, "gc_cycles", (long long)cycles);
	ev_str(r, "source", last->source);
	if (!n) {
		result_set(r, STATUS_SKIP, "NextGC is 0 in every sample (GC disabled with GOGC=off?)");
		return;
	}
	trough = h.trough;
	p95 = h.p95;
	ev_real(r, "p50", h.p50);
	ev_real(r, "p95", p95);
	ev_real(r, "max", h.max);
	if (!h.judged) {
		ev_json(r, "trough", json_null());
		/* The trough after a cycle is what is judged: without one, a pass
		 * would be a verdict on nothing. */
		result_set(r, STATUS_SKIP, "no GC cycle completed in the %zu sample%s (HeapAlloc/NextGC p95 %.2f); "
					   "nothing to judge%s", n, n == 1 ? "" : "s", p95,
			   n < 2 ? ": give a --window" : ": give a longer --window");
		return;
	}
	ev_real(r, "trough", trough);
	gc_knobs(f, r, knobs, sizeof(knobs));
	mem_starved = pressure_above(f, r, PSI_MEMORY, "memory_pressure", param_num(p, "memory_pressure"), mem,
				     sizeof(mem));
	if (trough >= fail)
		result_set(r, STATUS_FAIL, "the heap stays at %.2f of its GC goal even right after a cycle "
					   "(fail at %.2f; %llu cycles, p95 %.2f; %s, memstats from %s)%s%s", trough, fail,
			   (unsigned long long)cycles, p95, knobs, last->source, mem_starved ? "; memory is short: " : "",
			   mem_starved ? mem : "");
	else if (trough >= warn)
		result_set(r, STATUS_WARN, "the heap stays at %.2f of its GC goal even right after a cycle "
					   "(warn at %.2f; %llu cycles, p95 %.2f; %s, memstats from %s)%s%s", trough, warn,
			   (unsigned long long)cycles, p95, knobs, last->source, mem_starved ? "; memory is short: " : "",
			   mem_starved ? mem : "");
	else
		result_set(r, STATUS_PASS, "live heap at %.2f of the GC goal after a cycle (%llu cycles in %zu samples; "
					   "p95 %.2f; %s)", trough, (unsigned long long)cycles, n, p95, knobs);
	if (r->status == STATUS_PASS)
		return;
	if (mem_starved)
		result_remedy(r, "the host or cgroup is short of memory as well (%s): the kernel reclaims while "
				 "the GC runs back to back. Give the service memory first (raise the cgroup limit, move "
				 "neighbours), and only then widen the GC goal: GOMEMLIMIT to ~90%% of the limit and "
				 "GOGC (environment variables; for systemd the unit's Environment=GOGC=... line), "
				 "confirmed with GODEBUG=gctrace=1 (each line shows the live heap -> goal). Then, in "
				 "the code: find what is retained ('go tool pprof -sample_index=inuse_space "
				 "URL/debug/pprof/heap')", mem);
	else
		result_remedy(r, "the live heap leaves the GC no room: every allocation brings the next cycle "
				 "closer and a burst triggers GC back to back. Without a code change: raise GOGC "
				 "(e.g. GOGC=200) or GOMEMLIMIT as environment variables (for systemd the unit's "
				 "Environment=GOGC=200 line, then restart), and confirm with GODEBUG=gctrace=1 (each "
				 "line shows the live heap -> goal); or add memory. Then, in the code: find what is "
				 "retained ('go tool pprof -sample_index=inuse_space URL/debug/pprof/heap')");
}

/* GC CPU over the window, from the first and last samples
 * (goruntime/gccpu.h explains the formula). */
static bool window_gc_fraction(const struct goruntime_facts *g, double *ret, uint64_t *cycles)
{
	const struct go_memstats *a = &g->samples[0], *b = &g->samples[g->n_samples - 1];
	struct gc_cpu_point pa = { g->sample_times[0], a->num_gc, a->last_gc_ns, a->gc_cpu_fraction };
	struct gc_cpu_point pb = { g->sample_times[g->n_samples - 1], b->num_gc, b->last_gc_ns, b->gc_cpu_fraction };

	if (g->n_samples < 2 || !a->has_gc_cpu_fraction || !b->has_gc_cpu_fraction)
		return false;
	*cycles = b->num_gc >= a->num_gc ? b->num_gc - a->num_gc : 0;
	return gc_cpu_between(&pa, &pb, g->process_start_unix, ret) == 0;
}

CHECK_FN(check_go_gc_cpu)
{
	const struct goruntime_facts *g = &f->go;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), frac, win = 0;
	const struct go_memstats *last;
	uint64_t cycles = 0;
	bool have_win, idle_window, mem_starved;
	char knobs[200], mem[160];
	const char *scope;

	if (!need_memstats(f, r))
		return;
	last = &g->samples[g->n_samples - 1];
	if (!last->has_gc_cpu_fraction) {
		result_set(r, STATUS_SKIP, "the service's %s has no GC CPU figure (client_golang drops "
					   "go_memstats_gc_cpu_fraction on Go >= 1.17); serve expvar on the debug listener",
			   last->source ? last->source : "surface");
		return;
	}
	if (!last->num_gc) {
		ev_int(r, "num_gc", 0);
		ev_real(r, "lifetime_fraction", last->gc_cpu_fraction);
		result_set(r, STATUS_SKIP, "no GC cycle yet: no GC CPU to judge");
		return;
	}
	have_win = window_gc_fraction(g, &win, &cycles);
	/* A window in which no cycle ended has nothing to rate: its 0 % is
	 * not a verdict, nor is the lifetime share (startup, old bursts). */
	idle_window = have_win && !cycles;
	if (idle_window) {
		ev_real(r, "lifetime_fraction", last->gc_cpu_fraction);
		ev_int(r, "gc_cycles_in_window", 0);
		result_set(r, STATUS_SKIP, "no GC cycle completed in the %.1f s window: nothing to rate "
					   "(%.1f%% since the process started); give a longer --window",
			   g->sample_times[g->n_samples - 1] - g->sample_times[0], last->gc_cpu_fraction * 100);
		return;
	}
	ev_real(r, "lifetime_fraction", last->gc_cpu_fraction);
	if (have_win) {
		ev_real(r, "window_fraction", win);
		ev_int(r, "gc_cycles_in_window", (long long)cycles);
	}
	frac = have_win ? win : last->gc_cpu_fraction;
	scope = have_win ? "over the window" : "since the process started";
	ev_real(r, "gc_cpu_fraction", frac);
	ev_str(r, "scope", have_win ? "window" : "lifetime");
	gc_knobs(f, r, knobs, sizeof(knobs));
	mem_starved = pressure_above(f, r, PSI_MEMORY, "memory_pressure", param_num(p, "memory_pressure"), mem,
				     sizeof(mem));
	if (frac >= fail)
		result_set(r, STATUS_FAIL, "GC used %.1f%% of the CPU %s (fail at %.0f%%; %s)", frac * 100, scope,
			   fail * 100, knobs);
	else if (frac >= warn)
		result_set(r, STATUS_WARN, "GC used %.1f%% of the CPU %s (warn at %.0f%%; %s)", frac * 100, scope,
			   warn * 100, knobs);
	else
		result_set(r, STATUS_PASS, "GC used %.1f%% of the CPU %s (%s)", frac * 100, scope, knobs);
	if (r->status == STATUS_PASS)
		return;
	if (!mem_starved)
		result_remedy(r, "the GC runs often because the heap goal is close to the live heap: without a "
				 "code change, raise GOGC (e.g. GOGC=200: fewer cycles for more memory) and, if "
				 "GOMEMLIMIT is set near the live heap, raise it; both are environment variables (for "
				 "systemd the unit's Environment=GOGC=200 line, then restart). Confirm with "
				 "GODEBUG=gctrace=1 (each line prints the cycle's CPU share). Then, in the code: cut "
				 "allocations on the hot path ('go tool pprof -sample_index=alloc_space "
				 "URL/debug/pprof/allocs') and reuse buffers (sync.Pool)");
	else
		result_remedy(r, "memory is short as well (%s): a GOMEMLIMIT the heap keeps hitting makes the GC "
				 "run almost continuously; give the service memory first (raise the cgroup limit), "
				 "then raise GOMEMLIMIT to ~90%% of it and GOGC (environment variables; for systemd "
				 "the unit's Environment= line). Confirm with GODEBUG=gctrace=1. Then, in the code: "
				 "cut allocations on the hot path ('go tool pprof -sample_index=alloc_space "
				 "URL/debug/pprof/allocs')", mem);
}

CHECK_FN(check_go_gc_pause)
{
	const struct goruntime_facts *g = &f->go;
	double warn_ms = param_num(p, "warn_ms"), fail_ms = param_num(p, "fail_ms");
	const struct go_memstats *ms = NULL;
	double pauses[256], p99, max;
	char cpu[160];
	bool starved;
	size_t n;

	if (!need_memstats(f, r))
		return;
	for (size_t i = g->n_samples; i > 0 && !ms; i--)
		if (g->samples[i - 1].has_pause_ring)
			ms = &g->samples[i - 1];
	if (!ms) {
		result_set(r, STATUS_SKIP, "no GC pause history (/debug/vars has it; /metrics only a summary)");
		return;
	}
	n = ms->num_gc < 256 ? (size_t)ms->num_gc : 256;
	ev_int(r, "num_gc", (long long)ms->num_gc);
	ev_int(r, "pauses", (long long)n);
	ev_str(r, "source", ms->source);
	if (!n) {
		result_set(r, STATUS_SKIP, "no GC cycle yet: no pause to judge");
		return;
	}
	/* The ring holds the newest pause at (NumGC+255)%256; with fewer than
	 * 256 cycles only the first NumGC slots are filled. */
	for (size_t i = 0; i < n; i++)
		pauses[i] = (double)ms->pause_ns[(ms->num_gc + 255 - i) % 256] / 1e6;
	stats_sort(pauses, n);
	p99 = stats_percentile(pauses, n, 0.99);
	max = pauses[n - 1];
	ev_real(r, "p99_ms", p99);
	ev_real(r, "max_ms", max);
	starved = pressure_above(f, r, PSI_CPU, "cpu_pressure", param_num(p, "cpu_starved"), cpu, sizeof(cpu));
	if (p99 > fail_ms)
		result_set(r, STATUS_FAIL, "p99 GC pause %.2f ms over the last %zu cycles (fail above %.0f ms)%s%s", p99,
			   n, fail_ms, starved ? "; the CPU is starved: " : "", starved ? cpu : "");
	else if (p99 > warn_ms)
		result_set(r, STATUS_WARN, "p99 GC pause %.2f ms over the last %zu cycles (warn above %.0f ms)%s%s", p99,
			   n, warn_ms, starved ? "; the CPU is starved: " : "", starved ? cpu : "");
	else
		result_set(r, STATUS_PASS, "p99 GC pause %.2f ms, max %.2f ms over the last %zu cycles", p99, max, n);
	if (r->status == STATUS_PASS)
		return;
	if (starved)
		result_remedy(r, "the CPU is starved (%s): a stop-the-world pause lasts until every thread of the "
				 "service is scheduled again, so the pause measures the wait for a CPU, not the GC's "
				 "work. Fix the CPU before tuning the GC: a CFS quota that throttles (cpu.throttling: "
				 "raise the limit), busy neighbours on the host (host.pressure: compare the host's "
				 "/proc/pressure/cpu with the cgroup's), GOMAXPROCS above the CPUs granted "
				 "(cpu.gomaxprocs: set the GOMAXPROCS environment variable, e.g. the unit's "
				 "Environment=GOMAXPROCS= line). Then confirm with GODEBUG=gctrace=1 (the wall-clock "
				 "STW phases of each cycle)", cpu);
	else
		result_remedy(r, "confirm first with GODEBUG=gctrace=1 in the service's environment (for systemd "
				 "the unit's Environment=GODEBUG=gctrace=1 line; each cycle prints its stop-the-world "
				 "phases to stderr). Long pauses usually mean a starved machine (cpu.throttling, "
				 "cpu.gomaxprocs: the GOMAXPROCS environment variable), an old Go release, or huge "
				 "goroutine stacks or maps scanned in one go: then trace with 'go tool trace'");
}
