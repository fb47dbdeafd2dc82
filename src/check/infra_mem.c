/* cgroup memory headroom and OOM kills, and the service's share of it. */
#include <stdio.h>
#include <string.h>

#include "check/checks.h"

/* Why the cgroup's usage is not the service's own ("" when it is):
 * others in the cgroup, the root of the hierarchy, a whole systemd
 * slice, or a limit set on an ancestor that counts its siblings too. */
static void shared_reason(const struct process_facts *pr, bool limit_above, char *out, size_t n)
{
	const struct cgroup_facts *cg = &pr->cgroup;
	const struct memshare_facts *ms = &pr->memshare;
	size_t dl = strlen(cg->memory_dir);

	out[0] = '\0';
	if (ms->is_root)
		snprintf(out, n, "the target is in the top cgroup it can see (%s): its usage is the whole host's "
			 "or container's", cg->memory_dir);
	else if (limit_above)
		snprintf(out, n, "the limit is set on %s, above the target's cgroup: its usage counts every "
			 "cgroup below it", cg->memory_limit_dir);
	else if (dl > 6 && !strcmp(cg->memory_dir + dl - 6, ".slice"))
		snprintf(out, n, "%s is a whole systemd slice", cg->memory_dir);
	else if (ms->known && ms->procs > 1)
		snprintf(out, n, "%llu processes share the cgroup %s", (unsigned long long)ms->procs, cg->memory_dir);
}

CHECK_FN(check_mem_cgroup_headroom)
{
	const struct process_facts *pr = &f->proc;
	const struct cgroup_facts *cg = &pr->cgroup;
	const struct memshare_facts *ms = &pr->memshare;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), ratio;
	bool limit_above = cg->has_limit && cg->memory_limit_dir[0] && strcmp(cg->memory_limit_dir, cg->memory_dir);
	uint64_t usage = limit_above && ms->has_limit_usage ? ms->limit_usage_bytes : cg->usage_bytes;
	char u[32], l[32], rss[32], why[700], own[200] = "";

	if (!cg->has_memory && fact_err_failed(&cg->err)) {
		result_set(r, STATUS_ERROR, "could not read the cgroup of pid %d: %s", (int)f->proc.pid, cg->err.msg);
		return;
	}
	if (!cg->has_memory) {
		result_set(r, STATUS_SKIP, "no cgroup memory controller for pid %d%s%s", (int)f->proc.pid,
			   cg->err.msg[0] ? ": " : "", cg->err.msg);
		return;
	}
	shared_reason(pr, limit_above, why, sizeof(why));
	ev_int(r, "usage_bytes", (long long)usage);
	ev_int(r, "limit_bytes", cg->has_limit ? (long long)cg->limit_bytes : 0);
	ev_int(r, "oom_kills", cg->has_oom_kills ? (long long)cg->oom_kills : 0);
	ev_bool(r, "oom_kills_known", cg->has_oom_kills);
	ev_str(r, "cgroup", limit_above ? cg->memory_limit_dir : cg->memory_dir);
	if (ms->known)
		ev_int(r, "cgroup_processes", (long long)ms->procs);
	ev_bool(r, "shared", why[0] != '\0');
	if (why[0])
		ev_str(r, "shared_reason", why);
	if (pr->has_rss) {
		ev_int(r, "rss_bytes", (long long)pr->vm_rss);
		ev_int(r, "rss_anon_bytes", (long long)pr->rss_anon);
		ev_int(r, "rss_file_bytes", (long long)pr->rss_file);
		ev_int(r, "rss_shmem_bytes", (long long)pr->rss_shmem);
		if (usage)
			ev_real(r, "service_share", (double)pr->vm_rss / (double)usage);
		snprintf(own, sizeof(own), "; pid %d's own RSS %s", (int)pr->pid, fmt_bytes(pr->vm_rss, rss));
		if (why[0] && usage) {
			char pct[48];

			snprintf(pct, sizeof(pct), " (%.0f%% of the usage)", 100.0 * (double)pr->vm_rss / (double)usage);
			strncat(own, pct, sizeof(own) - strlen(own) - 1);
		}
	}
	if (why[0]) {
		/* The usage is not the service's: say whose it is. */
		strncat(own, "; shared: ", sizeof(own) - strlen(own) - 1);
		strncat(own, why, sizeof(own) - strlen(own) - 1);
	}
	if (cg->has_oom_kills && cg->oom_kills > 0) {
		result_set(r, STATUS_FAIL, "%llu OOM kill%s recorded in the cgroup (%s usage %s of %s)%s",
			   (unsigned long long)cg->oom_kills, cg->oom_kills == 1 ? "" : "s", why[0] ? "cgroup" : "its",
			   fmt_bytes(usage, u), cg->has_limit ? fmt_bytes(cg->limit_bytes, l) : "no limit", own);
		result_remedy(r, "the kernel already killed a process for memory here: raise the memory "
				 "limit or set GOMEMLIMIT to ~90%% of it so the Go GC works harder before the "
				 "limit, and find the growth with a heap profile");
		return;
	}
	if (!cg->has_limit || cg->limit_bytes == 0) {
		result_set(r, STATUS_PASS, "no cgroup memory limit (%s usage %s)%s", why[0] ? "cgroup" : "its",
			   fmt_bytes(usage, u), own);
		return;
	}
	ratio = (double)usage / (double)cg->limit_bytes;
	ev_real(r, "ratio", ratio);
	if (ratio > fail)
		result_set(r, STATUS_FAIL, "%s usage %s is %.0f%% of the %s limit (fail above %.0f%%)%s",
			   why[0] ? "cgroup" : "memory", fmt_bytes(usage, u), ratio * 100, fmt_bytes(cg->limit_bytes, l),
			   fail * 100, own);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "%s usage %s is %.0f%% of the %s limit (warn above %.0f%%)%s",
			   why[0] ? "cgroup" : "memory", fmt_bytes(usage, u), ratio * 100, fmt_bytes(cg->limit_bytes, l),
			   warn * 100, own);
	else
		result_set(r, STATUS_PASS, "%s usage %s is %.0f%% of the %s limit%s", why[0] ? "cgroup" : "memory",
			   fmt_bytes(usage, u), ratio * 100, fmt_bytes(cg->limit_bytes, l), own);
	if (r->status == STATUS_PASS)
		return;
	if (why[0] && limit_above)
		result_remedy(r, "the limit is shared, and the service holds %s of its %s usage: find what else "
				 "runs under %s (systemd-cgls, or the cgroup.procs files below it) before tuning the "
				 "service; give the service a limit of its own (a systemd unit with MemoryMax=, a "
				 "container) so its limit and GOMEMLIMIT can be set together",
			      pr->has_rss ? fmt_bytes(pr->vm_rss, rss) : "an unknown share", fmt_bytes(usage, u),
			      cg->memory_limit_dir);
	else if (why[0])
		result_remedy(r, "the limit is shared, and the service holds %s of its %s usage: find the other "
				 "processes in the cgroup (cat %s/cgroup.procs) before tuning the service; give the "
				 "service a cgroup of its own (a systemd unit with MemoryMax=, a container) so its "
				 "limit and GOMEMLIMIT can be set together",
			      pr->has_rss ? fmt_bytes(pr->vm_rss, rss) : "an unknown share", fmt_bytes(usage, u),
			      cg->memory_dir);
	else
		result_remedy(r, "usage counts page cache the kernel can reclaim, but a Go heap near the "
				 "limit ends in an OOM kill under load: raise the limit, set GOMEMLIMIT to ~90%% "
				 "of it, and check heap growth with 'go tool pprof /debug/pprof/heap'");
}
