/* Mutex and block contention: which call sites make goroutines wait, and
 * how much waiting the window added. */
#include <stdio.h>
#include <string.h>

#include "check/checks.h"
#include "goruntime/profiles.h"

static bool same_stack(const struct contention_site *a, const struct contention_site *b)
{
	if (a->n_frames != b->n_frames)
		return false;
	for (size_t i = 0; i < a->n_frames; i++)
		if (a->frames[i].line != b->frames[i].line || strcmp(a->frames[i].func ? a->frames[i].func : "",
								     b->frames[i].func ? b->frames[i].func : ""))
			return false;
	return true;
}

/* The delay a site added between the two profiles. */
static double site_delta(const struct contention_profile *start, const struct contention_site *s)
{
	for (size_t i = 0; start && i < start->n_sites; i++)
		if (same_stack(&start->sites[i], s))
			return s->delay_s - start->sites[i].delay_s;
	return s->delay_s;
}

static void judge(const struct facts *f, const struct check_params *p, struct check_result *r, const char *what,
		  const struct contention_profile prof[2], const bool has[2], const char *errmsg, const char *off_why,
		  const char *enable_short, const char *enable)
{
	const struct goruntime_facts *g = &f->go;
	double warn = param_num(p, "warn_rate"), fail = param_num(p, "fail_rate"), window = 0, added = 0, rate;
	const struct contention_profile *end, *start = NULL;
	size_t top = (size_t)param_num(p, "top");
	json_t *arr = json_array();
	const struct gr_frame *worst = NULL;
	double worst_delay = -1;

	if (f->proc.http_err) {
		json_decref(arr);
		result_set(r, STATUS_ERROR, "no %s profile: %s", what, f->proc.http_errmsg);
		return;
	}
	if (!g->pprof_url[0] && fact_err_failed(&f->proc.sockets_err)) {
		json_decref(arr);
		result_set(r, STATUS_ERROR, "no %s profile: listeners unknown: %s", what, f->proc.sockets_err.msg);
		return;
	}
	if (!g->pprof_url[0]) {
		json_decref(arr);
		result_set(r, STATUS_SKIP, "no listener of pid %d serves /debug/pprof/", (int)f->proc.pid);
		return;
	}
	if (!has[0]) {
		json_decref(arr);
		result_set(r, STATUS_ERROR, "no %s profile: %s", what, errmsg[0] ? errmsg : "unknown reason");
		return;
	}
	end = has[1] ? &prof[1] : &prof[0];
	if (has[1]) {
		start = &prof[0];
		window = g->contention_t[1] - g->contention_t[0];
	}
	ev_bool(r, "enabled", end->enabled);
	if (!end->enabled) {
		/* Off is the runtime's default: a stock service would warn on
		 * every run and `--fail-on warn` could never pass. Not measured
		 * is a skip that says how to measure, unless the checklist asks
		 * for the measurement (require_profile: 1). */
		json_decref(arr);
		ev_bool(r, "required", param_num(p, "require_profile") != 0);
		if (param_num(p, "require_profile") != 0)
			result_set(r, STATUS_FAIL, "%s and this checklist requires it (require_profile: 1): "
						   "%s contention cannot be measured", off_why, what);
		else
			result_set(r, STATUS_SKIP, "%s: not measured; to measure, %s", off_why, enable_short);
		result_remedy(r, "%s", enable);
		return;
	}
	for (size_t i = 0; i < end->n_sites; i++) {
		const struct gr_frame *site = contention_site_frame(end, &end->sites[i], NULL);
		double d = start ? site_delta(start, &end->sites[i]) : end->sites[i].delay_s;

		added += d > 0 ? d : 0;
		if (site && d > worst_delay) {
			worst_delay = d;
			worst = site;
		}
		if (i < top) {
			json_t *o = json_object();
			char where[512];

			snprintf(where, sizeof(where), "%s (%s:%d)", site && site->func ? site->func : "?",
				 site && site->file ? site->file : "?", site ? site->line : 0);
			json_object_set_new(o, "site", json_string(where));
			json_object_set_new(o, "delay_s", json_real(end->sites[i].delay_s));
			json_object_set_new(o, "count", json_integer((json_int_t)end->sites[i].count));
			if (start)
				json_object_set_new(o, "window_delay_s", json_real(d));
			json_array_append_new(arr, o);
		}
	}
	ev_real(r, "total_delay_s", end->total_delay_s);
	ev_json(r, "top", arr);
	if (end->sampling_period >= 0)
		ev_int(r, "sampling_period", end->sampling_period);
	if (!start || window <= 0) {
		result_set(r, STATUS_PASS, "%.3f s of %s delay recorded since profiling began (no window to rate it)",
			   end->total_delay_s, what);
		return;
	}
	rate = added / window;
	ev_real(r, "window_delay_s", added);
	ev_real(r, "window_s", window);
	ev_real(r, "rate", rate);
	if (rate >= fail)
		result_set(r, STATUS_FAIL, "goroutines waited %.2f s per second on %s (fail at %.2f); worst at %s:%d",
			   rate, what, fail, worst && worst->file ? worst->file : "?", worst ? worst->line : 0);
	else if (rate >= warn)
		result_set(r, STATUS_WARN, "goroutines waited %.2f s per second on %s (warn at %.2f); worst at %s:%d",
			   rate, what, warn, worst && worst->file ? worst->file : "?", worst ? worst->line : 0);
	else
		result_set(r, STATUS_PASS, "goroutines waited %.3f s per second on %s over %.1f s", rate, what, window);
	if (r->status != STATUS_PASS)
		result_remedy(r, "shorten or split the critical sections at the top sites ('preflight contention "
				 "URL' ranks them): move I/O and allocation out from under the lock, shard the "
				 "protected data, or use sync.RWMutex/atomics where reads dominate");
}

/* The rates can only be set from the service's own code: the runtime reads
 * no environment variable or GODEBUG setting for them, and
 * /debug/pprof/{mutex,block}?seconds=N only diffs what is already being
 * recorded. So the runtime knob a remedy can name is one the service
 * itself offers (a flag or variable that calls the setter). */
CHECK_FN(check_go_mutex_contention)
{
	judge(f, p, r, "mutex", f->go.mutex, f->go.has_mutex, f->go.mutex_err.msg,
	      "mutex profile off (sampling period 0: runtime.SetMutexProfileFraction never called)",
	      "the service must call runtime.SetMutexProfileFraction(n) (n = 5..100)",
	      "if the service has a flag or environment variable that sets the mutex profile fraction, "
	      "turn it on and rerun; otherwise call runtime.SetMutexProfileFraction(n) at start (n = 5..100 "
	      "samples 1/n of contention events at negligible cost; reading n from an environment variable "
	      "lets operators turn it on without a rebuild), then read /debug/pprof/mutex. To require the "
	      "measurement, give the checklist item params: {require_profile: 1}");
}

CHECK_FN(check_go_block_contention)
{
	judge(f, p, r, "blocking", f->go.block, f->go.has_block, f->go.block_err.msg,
	      "block profile off (no record: runtime.SetBlockProfileRate never called, or on with no "
	      "blocking recorded yet)",
	      "the service must call runtime.SetBlockProfileRate(rate) (rate 1e6 ns)",
	      "if the service has a flag or environment variable that sets the block profile rate, turn "
	      "it on and rerun; otherwise call runtime.SetBlockProfileRate(rate) at start (rate in ns: 1e6 "
	      "samples one blocking event per millisecond blocked, cheap enough for production; reading it "
	      "from an environment variable lets operators turn it on without a rebuild), then read "
	      "/debug/pprof/block. To require the measurement, give the checklist item params: "
	      "{require_profile: 1}");
}
