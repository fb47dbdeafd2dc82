/* Goroutine count, growth and leak suspects, from goroutine profiles
 * sampled over the window. */
#include <stdio.h>
#include <string.h>

#include "check/leak.h"
#include "check/checks.h"

static bool need_goroutines(const struct facts *f, struct check_result *r)
{
	const struct goruntime_facts *g = &f->go;

	if (f->proc.http_err) {
		result_set(r, STATUS_ERROR, "no goroutine profile: %s", f->proc.http_errmsg);
		return false;
	}
	if (!g->pprof_url[0] && fact_err_failed(&f->proc.sockets_err)) {
		result_set(r, STATUS_ERROR, "no goroutine profile: listeners unknown: %s", f->proc.sockets_err.msg);
		return false;
	}
	if (!g->pprof_url[0]) {
		result_set(r, STATUS_SKIP, "no listener of pid %d serves /debug/pprof/", (int)f->proc.pid);
		return false;
	}
	if (!g->n_snaps) {
		result_set(r, STATUS_ERROR, "no goroutine profile: %s",
			   g->goroutine_err.msg[0] ? g->goroutine_err.msg : "unknown reason");
		return false;
	}
	return true;
}

CHECK_FN(check_go_goroutines)
{
	const struct goruntime_facts *g = &f->go;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail");
	uint64_t first, last;
	json_t *counts;

	if (!need_goroutines(f, r))
		return;
	first = g->snaps[0].total;
	last = g->snaps[g->n_snaps - 1].total;
	counts = json_array();
	for (size_t i = 0; i < g->n_snaps; i++)
		json_array_append_new(counts, json_integer((json_int_t)g->snaps[i].total));
	ev_int(r, "count", (long long)last);
	ev_int(r, "first", (long long)first);
	ev_int(r, "growth", (long long)last - (long long)first);
	ev_json(r, "counts", counts);
	ev_int(r, "snapshots", (long long)g->n_snaps);
	ev_int(r, "groups", (long long)g->snaps[g->n_snaps - 1].n_groups);
	if ((double)last >= fail)
		result_set(r, STATUS_FAIL, "%llu goroutines (fail at %.0f); %+lld over the window (%s/debug/pprof/goroutine)",
			   (unsigned long long)last, fail, (long long)last - (long long)first, g->pprof_url);
	else if ((double)last >= warn)
		result_set(r, STATUS_WARN, "%llu goroutines (warn at %.0f); %+lld over the window (%s/debug/pprof/goroutine)",
			   (unsigned long long)last, warn, (long long)last - (long long)first, g->pprof_url);
	else
		result_set(r, STATUS_PASS, "%llu goroutines in %zu distinct stacks; %+lld over %zu snapshots",
			   (unsigned long long)last, g->snaps[g->n_snaps - 1].n_groups,
			   (long long)last - (long long)first, g->n_snaps);
	if (r->status != STATUS_PASS)
		result_remedy(r, "each goroutine costs at least a 2 KiB stack and scheduler and GC work. Find the "
				 "biggest groups with 'preflight goroutines %s'. If they follow connections or "
				 "requests, cap those first where the service runs, no rebuild: its own flags or "
				 "settings for concurrent connections, streams or in-flight requests, or the limits "
				 "of a proxy or load balancer in front. Otherwise bound them in code with worker "
				 "pools or semaphores",
			      g->pprof_url);
}

static json_t *suspect_json(const struct gr_suspect *s, size_t n_snapshots)
{
	json_t *o = json_object(), *counts = json_array();

	json_object_set_new(o, "site", json_string(s->site ? s->site : ""));
	json_object_set_new(o, "created_by", json_string(s->created_by ? s->created_by : ""));
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "growth", json_integer(s->growth));
	for (size_t i = 0; s->counts && i < n_snapshots; i++)
		json_array_append_new(counts, json_integer((json_int_t)s->counts[i]));
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "wait_minutes", json_integer((json_int_t)s->wait_minutes));
	json_object_set_new(o, "reason", json_string(s->reason ? s->reason : ""));
	json_object_set_new(o, "pattern", json_string(s->pattern ? s->pattern : ""));
	json_object_set_new(o, "remedy", json_string(s->remedy ? s->remedy : ""));
	return o;
}

CHECK_FN(check_go_goroutine_leak)
{
	const struct goruntime_facts *g = &f->go;
	/* Growth comes from the cheap debug=1 snapshots, confirmed by the
	 * members (id, arguments) of debug=2 dumps at both ends of the window; states,
	 * creators and wait times come from the last dump. Dumps are taken only
	 * when the goroutine count makes them affordable. The
	 * source lines the collector read in the target's mount view tell a
	 * ticker loop from a receive nobody sends to. */
	struct gr_leak_params lp = {
		.min_growth = (uint64_t)param_num(p, "min_growth"),
		.wait_minutes = (uint64_t)param_num(p, "wait_minutes"),
		.min_snapshots = (unsigned)param_num(p, "min_snapshots"),
		.detail = g->has_dump2 ? &g->dump2 : NULL,
		.detail_first = g->has_dump2 && g->has_dump2_first ? &g->dump2_first : NULL,
		.source = &g->source,
		.wait_min_count = (uint64_t)param_num(p, "wait_min_count"),
	};
	double fail_count = param_num(p, "fail_count");
	struct gr_analysis a = { 0 };
	struct err e = { "" };
	json_t *arr;

	if (!need_goroutines(f, r))
		return;
	/* Connection goroutines are judged against the target's connections
	 * when they were counted at every snapshot; else against the
	 * goroutines that exist once per connection (check/leak.h). */
	if (g->n_conns == g->n_snaps && !fact_err_failed(&g->conns_err)) {
		lp.conns = g->conns;
		lp.n_conns = g->n_conns;
	}
	if (gr_analyze(g->snaps, g->n_snaps, &lp, &a, &e) < 0) {
		result_set(r, STATUS_ERROR, "could not analyse the goroutine profiles: %s", e.msg);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < a.n_suspects; i++)
		json_array_append_new(arr, suspect_json(&a.suspects[i], a.n_snapshots));
	ev_json(r, "suspects", arr);
	ev_int(r, "snapshots", (long long)g->n_snaps);
	if (lp.conns) {
		json_t *conns = json_array();

		for (size_t i = 0; i < lp.n_conns; i++)
			json_array_append_new(conns, json_integer((json_int_t)lp.conns[i]));
		ev_json(r, "connections", conns);
	} else if (fact_err_failed(&g->conns_err)) {
		ev_str(r, "connections_note", g->conns_err.msg);
	}
	ev_bool(r, "debug2", g->has_dump2);
	if (!g->has_dump2)
		ev_str(r, "debug2_note", g->dump2_note);
	if (!a.n_suspects && g->n_snaps < lp.min_snapshots && !g->has_dump2) {
		/* Growth needs min_snapshots profiles, wait times a debug=2 dump:
		 * with neither, "no suspect" would be a verdict on nothing. */
		result_set(r, STATUS_SKIP, "only %zu snapshot%s (min_snapshots %u) and no debug=2 dump%s%s: "
					   "nothing to judge a leak by; give a longer --window",
			   g->n_snaps, g->n_snaps == 1 ? "" : "s", lp.min_snapshots,
			   g->dump2_note[0] ? ": " : "", g->dump2_note);
	} else if (!a.n_suspects) {
		result_set(r, STATUS_PASS, "no leak suspect in %zu snapshots%s", g->n_snaps,
			   g->has_dump2 ? " and the debug=2 dump" : "");
	} else {
		/* Suspects are sorted by count: the first is the biggest. */
		const struct gr_suspect *top = &a.suspects[0];

		result_set(r, (double)top->count >= fail_count ? STATUS_FAIL : STATUS_WARN,
			   "%zu leak suspect%s; biggest: %llu goroutines at %s (%s)", a.n_suspects,
			   a.n_suspects == 1 ? "" : "s", (unsigned long long)top->count, top->site, top->pattern);
		result_remedy(r, "%s", top->remedy ? top->remedy : "see the suspects' remedies");
	}
	gr_analysis_release(&a);
}
