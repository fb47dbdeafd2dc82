/* cgroup memory headroom and OOM kills. */
#include <stdio.h>

#include "check/checks.h"

CHECK_FN(check_mem_cgroup_headroom)
{
	const struct cgroup_facts *cg = &f->proc.cgroup;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), ratio;
	char u[32], l[32];

	if (!cg->has_memory && fact_err_failed(&cg->err)) {
		result_set(r, STATUS_ERROR, "could not read the cgroup of pid %d: %s", (int)f->proc.pid, cg->err.msg);
		return;
	}
	if (!cg->has_memory) {
		result_set(r, STATUS_SKIP, "no cgroup memory controller for pid %d%s%s", (int)f->proc.pid,
			   cg->err.msg[0] ? ": " : "", cg->err.msg);
		return;
	}
	ev_int(r, "usage_bytes", (long long)cg->usage_bytes);
	ev_int(r, "limit_bytes", cg->has_limit ? (long long)cg->limit_bytes : 0);
	ev_int(r, "oom_kills", cg->has_oom_kills ? (long long)cg->oom_kills : 0);
	ev_bool(r, "oom_kills_known", cg->has_oom_kills);
	if (cg->has_oom_kills && cg->oom_kills > 0) {
		result_set(r, STATUS_FAIL, "%llu OOM kill%s recorded in the cgroup (usage %s of %s)",
			   (unsigned long long)cg->oom_kills, cg->oom_kills == 1 ? "" : "s",
			   fmt_bytes(cg->usage_bytes, u), cg->has_limit ? fmt_bytes(cg->limit_bytes, l) : "no limit");
		result_remedy(r, "the kernel already killed a process for memory here: raise the memory "
				 "limit or set GOMEMLIMIT to ~90%% of it so the Go GC works harder before the "
				 "limit, and find the growth with a heap profile");
		return;
	}
	if (!cg->has_limit || cg->limit_bytes == 0) {
		result_set(r, STATUS_PASS, "no cgroup memory limit (usage %s)", fmt_bytes(cg->usage_bytes, u));
		return;
	}
	ratio = (double)cg->usage_bytes / (double)cg->limit_bytes;
	ev_real(r, "ratio", ratio);
	if (ratio > fail)
		result_set(r, STATUS_FAIL, "memory usage %s is %.0f%% of the %s limit (fail above %.0f%%)",
			   fmt_bytes(cg->usage_bytes, u), ratio * 100, fmt_bytes(cg->limit_bytes, l), fail * 100);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "memory usage %s is %.0f%% of the %s limit (warn above %.0f%%)",
			   fmt_bytes(cg->usage_bytes, u), ratio * 100, fmt_bytes(cg->limit_bytes, l), warn * 100);
	else
		result_set(r, STATUS_PASS, "memory usage %s is %.0f%% of the %s limit",
			   fmt_bytes(cg->usage_bytes, u), ratio * 100, fmt_bytes(cg->limit_bytes, l));
	if (r->status != STATUS_PASS)
		result_remedy(r, "usage counts page cache the kernel can reclaim, but a Go heap near the "
				 "limit ends in an OOM kill under load: raise the limit, set GOMEMLIMIT to ~90%% "
				 "of it, and check heap growth with 'go tool pprof /debug/pprof/heap'");
}
