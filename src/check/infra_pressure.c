/* CPU, memory and I/O pressure (PSI) of the host and the target's cgroup. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "check/checks.h"

/* What is judged: the "some" share for CPU (at the host level "full" is
 * not meaningful, and absent before 5.13), "some" and "full" for memory,
 * "full" for I/O (a "some" I/O stall is any task waiting on any disk,
 * common on a healthy host that logs). */
static const struct {
	enum psi_res res;
	bool full;
	const char *warn, *fail, *label;
} judged[] = {
	{ PSI_CPU, false, "cpu_some_warn", "cpu_some_fail", "cpu some" },
	{ PSI_MEMORY, false, "memory_some_warn", "memory_some_fail", "memory some" },
	{ PSI_MEMORY, true, "memory_full_warn", "memory_full_fail", "memory full" },
	{ PSI_IO, true, "io_full_warn", "io_full_fail", "io full" },
};

static json_t *line_json(const struct psi_resource *res, bool full)
{
	const struct psi_record *last = res->has_end ? &res->end : &res->start;
	struct psi_rate rt;
	json_t *o;

	if (!psi_rate(res, full, &rt))
		return json_null();
	o = json_object();
	json_object_set_new(o, "avg10", json_real(rt.avg10));
	json_object_set_new(o, "avg60", json_real(rt.avg60));
	json_object_set_new(o, "avg300", json_real(rt.avg300));
	json_object_set_new(o, "total_us", json_integer((json_int_t)(full ? last->full.total_us : last->some.total_us)));
	json_object_set_new(o, "window", rt.window ? json_real(rt.window_share) : json_null());
	return o;
}

static json_t *scope_json(const struct psi_scope *s)
{
	static const char *const names[PSI_NRES] = { "cpu", "memory", "io" };
	json_t *o = json_object();

	json_object_set_new(o, "dir", json_string(s->dir));
	for (int i = 0; i < PSI_NRES; i++) {
		const struct psi_resource *res = &s->res[i];
		json_t *ro;

		if (res->state == PSI_ABSENT) {
			json_object_set_new(o, names[i], json_null());
			continue;
		}
		ro = json_object();
		if (res->state == PSI_FAILED) {
			json_object_set_new(ro, "error", json_string(res->err.msg));
		} else {
			json_object_set_new(ro, "some", line_json(res, false));
			json_object_set_new(ro, "full", line_json(res, true));
		}
		json_object_set_new(o, names[i], ro);
	}
	return o;
}

static bool scope_read(const struct psi_scope *s)
{
	if (!s->attempted || s->absent[0])
		return false;
	for (int i = 0; i < PSI_NRES; i++)
		if (s->res[i].state != PSI_ABSENT)
			return true;
	return false;
}

struct verdict {
	enum pf_status status;
	double share, threshold;
	const char *label, *scope;
	enum psi_res res;
	struct psi_rate rate;
	bool set;
};

static void judge_scope(const struct psi_scope *s, const char *scope, const struct check_params *p,
			struct verdict *worst, unsigned *findings, const char **error)
{
	for (int i = 0; i < PSI_NRES; i++)
		if (s->res[i].state == PSI_FAILED && !*error)
			*error = s->res[i].err.msg;
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++) {
		double warn = param_num(p, judged[i].warn), fail = param_num(p, judged[i].fail);
		struct psi_rate rt;
		struct verdict v = { .status = STATUS_PASS, .label = judged[i].label, .scope = scope,
				     .res = judged[i].res, .set = true };

		if (!psi_rate(&s->res[judged[i].res], judged[i].full, &rt))
			continue;
		v.share = rt.share;
		v.rate = rt;
		if (rt.share > fail) {
			v.status = STATUS_FAIL;
			v.threshold = fail;
		} else if (rt.share > warn) {
			v.status = STATUS_WARN;
			v.threshold = warn;
		}
		if (v.status != STATUS_PASS)
			(*findings)++;
		/* The worst status wins; among equals, the larger share. */
		if (!worst->set || v.status > worst->status || (v.status == worst->status && v.share > worst->share))
			*worst = v;
	}
}

/* go: the target is (or may be) a Go program, so its knobs are named. */
static const char *remedy_for(enum psi_res res, bool go)
{
	switch (res) {
	case PSI_CPU:
		return go ? "runnable tasks wait for a CPU: compare the host's /proc/pressure/cpu with the cgroup's "
			    "cpu.pressure to tell busy neighbours from the service's own quota; move neighbours off "
			    "or raise the CPU quota, and keep GOMAXPROCS within the CPUs granted (see cpu.throttling "
			    "and cpu.gomaxprocs)"
			  : "runnable tasks wait for a CPU: compare the host's /proc/pressure/cpu with the cgroup's "
			    "cpu.pressure to tell busy neighbours from the service's own quota; move neighbours off "
			    "or raise the CPU quota (see cpu.throttling)";
	case PSI_MEMORY:
		return go ? "tasks stall in memory reclaim: the host or the cgroup is short of memory. Raise the "
			    "memory limit or free memory on the host; for a Go service set GOMEMLIMIT (environment, "
			    "or the unit file's Environment= line) below the limit so the GC gives memory back "
			    "before the kernel has to reclaim (see mem.gomemlimit and mem.cgroup-headroom)"
			  : "tasks stall in memory reclaim: the host or the cgroup is short of memory. Raise the "
			    "memory limit or free memory on the host (see mem.cgroup-headroom)";
	default:
		return "every task stalls on I/O at times: find the writer (iotop, pidstat -d 1); move "
		       "synchronous logging and fsync off the request path, or to faster storage";
	}
}

CHECK_FN(check_host_pressure)
{
	const struct psi_facts *ps = &f->psi;
	bool host = scope_read(&ps->host), cg = f->proc.present && scope_read(&ps->cgroup);
	struct verdict worst = { 0 };
	unsigned findings = 0;
	const char *error = NULL;
	struct psi_rate any;
	bool window = false;
	double window_s = 0;

	/* PSI is kernel-wide: a host without it has none in any cgroup either,
	 * so a cgroup that could not even be found changes nothing. */
	if (!host && ps->host.absent[0] && !ps->cgroup.dir[0])
		cg = false;
	if (!host && !cg) {
		const char *why = ps->host.absent[0] ? ps->host.absent
				  : "PSI not available (kernel built without CONFIG_PSI or psi=0 boot param)";

		for (int i = 0; i < PSI_NRES; i++)
			if (ps->host.res[i].state == PSI_FAILED) {
				result_set(r, STATUS_ERROR, "could not read the host's pressure: %s",
					   ps->host.res[i].err.msg);
				return;
			}
		result_set(r, STATUS_SKIP, "%s", why);
		return;
	}
	ev_json(r, "host", host ? scope_json(&ps->host) : json_null());
	if (!host)
		ev_str(r, "host_absent", ps->host.absent);
	if (f->proc.present) {
		ev_json(r, "cgroup", cg ? scope_json(&ps->cgroup) : json_null());
		if (!cg)
			ev_str(r, "cgroup_absent", ps->cgroup.absent[0] ? ps->cgroup.absent
					: "the target's cgroup pressure could not be read");
	}
	if (host)
		judge_scope(&ps->host, "host", p, &worst, &findings, &error);
	if (cg)
		judge_scope(&ps->cgroup, "cgroup", p, &worst, &findings, &error);
	for (int i = 0; i < PSI_NRES && !window; i++)
		if ((host && psi_rate(&ps->host.res[i], false, &any) && any.window) ||
		    (cg && psi_rate(&ps->cgroup.res[i], false, &any) && any.window)) {
			window = true;
			window_s = any.window_s;
		}
	ev_str(r, "judged", window ? "window" : "avg10");
	if (window)
		ev_real(r, "window_s", window_s);
	if (worst.set) {
		char key[32];

		snprintf(key, sizeof(key), "%s %s", worst.scope, worst.label);
		ev_str(r, "worst", key);
		ev_real(r, "worst_share", worst.share);
	}
	if (error && (!worst.set || worst.status < STATUS_FAIL)) {
		/* Files that exist but cannot be read are not "no pressure". */
		result_set(r, STATUS_ERROR, "could not read the pressure: %s%s%s", error,
			   worst.set && worst.status == STATUS_WARN ? "; and what was read warns: " : "",
			   worst.set && worst.status == STATUS_WARN ? worst.label : "");
		return;
	}
	if (worst.set && worst.status != STATUS_PASS) {
		char how[64];

		if (worst.rate.window)
			snprintf(how, sizeof(how), "over the %.1f s window", worst.rate.window_s);
		else
			snprintf(how, sizeof(how), "avg10");
		result_set(r, worst.status, "%s %.1f%% %s (%s; %s above %.0f%%; avg60 %.1f%%)%s%s", worst.label,
			   worst.share * 100, how, worst.scope, worst.status == STATUS_FAIL ? "fail" : "warn",
			   worst.threshold * 100, worst.rate.avg60 * 100,
			   findings > 1 ? "; and more stalls in the evidence" : "",
			   error ? "; some pressure files unreadable" : "");
		result_remedy(r, "%s", remedy_for(worst.res, !(f->proc.present && f->proc.gobuild_err.code == -PF_ENOTGO)));
		return;
	}
	if (!worst.set) {
		result_set(r, STATUS_SKIP, "no pressure line to judge in %s", host ? ps->host.dir : ps->cgroup.dir);
		return;
	}
	result_set(r, STATUS_PASS, "no stall above its threshold; the largest: %s %.1f%% (%s, %s)", worst.label,
		   worst.share * 100, worst.scope, window ? "over the window" : "avg10");
}
