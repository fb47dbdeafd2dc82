/* CPU topology, NUMA placement and cgroup CPU throttling. */
#include <stdio.h>

#include "check/checks.h"

CHECK_FN(check_cpu_topology)
{
	const struct numa_facts *n = &f->numa;
	json_t *nodes;
	char list[256];

	if (n->err.code) {
		result_set(r, STATUS_ERROR, "could not read the CPU topology: %s", n->err.msg);
		return;
	}
	nodes = json_object();
	for (unsigned i = 0; i < n->nodes && i < NUMA_MAX_NODES; i++) {
		char key[16];

		snprintf(key, sizeof(key), "node%u", n->node_ids[i]);
		if (cpuset_format(&n->node_cpus[i], list, sizeof(list)) == 0)
			json_object_set_new(nodes, key, json_string(list));
	}
	ev_int(r, "nodes", n->nodes);
	ev_int(r, "cpus", cpuset_count(&n->online));
	ev_bool(r, "smt", n->smt_active);
	ev_int(r, "threads_per_core", n->threads_per_core);
	ev_json(r, "node_cpus", nodes);
	result_set(r, STATUS_PASS, "%u NUMA node%s, %u CPUs online, SMT %s", n->nodes,
		   n->nodes == 1 ? "" : "s", cpuset_count(&n->online), n->smt_active ? "on" : "off");
}

/* The CPUs the target's threads may run on: the union of every
 * thread's mask (`taskset -p` without -a confines the main thread only,
 * and the others keep running where they were), or the process-wide
 * mask when the threads were not read; narrowed by the cgroup cpuset
 * when one applies. */
static struct cpuset usable_cpus(const struct process_facts *p)
{
	struct cpuset s = p->thread_affinity.read && p->thread_affinity.threads_read ? p->thread_affinity.union_cpus
										     : p->affinity;

	if (p->cgroup.has_cpuset && cpuset_count(&p->cgroup.cpus) > 0)
		cpuset_and(&s, &p->cgroup.cpus);
	return s;
}

CHECK_FN(check_cpu_affinity_numa)
{
	const struct numa_facts *n = &f->numa;
	const struct process_facts *pr = &f->proc;
	const struct thread_affinity_facts *ta = &pr->thread_affinity;
	struct cpuset cpus, mems;
	unsigned cpu_nodes = 0, mem_nodes;
	char list[256] = "", mlist[256] = "", threads[512] = "";
	unsigned first_node = 0;

	if (n->err.code) {
		result_set(r, STATUS_ERROR, "could not read the NUMA topology: %s", n->err.msg);
		return;
	}
	if (!pr->has_affinity) {
		result_set(r, STATUS_ERROR, "could not read the CPU affinity of pid %d: %s", (int)pr->pid,
			   pr->status_err.msg[0] ? pr->status_err.msg : "no Cpus_allowed_list in /proc/PID/status");
		return;
	}
	cpus = usable_cpus(pr);
	mems = pr->mems_allowed;
	if (pr->cgroup.has_cpuset && cpuset_count(&pr->cgroup.mems) > 0)
		cpuset_and(&mems, &pr->cgroup.mems);
	for (unsigned i = 0; i < n->nodes && i < NUMA_MAX_NODES; i++)
		if (cpuset_intersects(&cpus, &n->node_cpus[i])) {
			if (!cpu_nodes)
				first_node = n->node_ids[i];
			cpu_nodes++;
		}
	mem_nodes = pr->has_mems ? cpuset_count(&mems) : n->nodes;
	cpuset_format(&cpus, list, sizeof(list));
	cpuset_format(&mems, mlist, sizeof(mlist));
	ev_int(r, "numa_nodes", n->nodes);
	ev_int(r, "cpu_nodes", cpu_nodes);
	ev_int(r, "mem_nodes", mem_nodes);
	ev_str(r, "cpus", list);
	ev_str(r, "mems", mlist);
	describe_thread_affinity(pr, threads, sizeof(threads));
	if (ta->read && ta->threads_read) {
		ev_int(r, "threads", ta->threads);
		ev_int(r, "threads_read", ta->threads_read);
		ev_bool(r, "threads_differ", ta->differ);
		ev_str(r, "thread_affinity", threads);
	}
	if (n->nodes <= 1) {
		result_set(r, STATUS_PASS, "single NUMA node host; nothing to confine%s%s%s", ta->differ ? " (" : "",
			   ta->differ ? threads : "", ta->differ ? ")" : "");
		return;
	}
	if (cpu_nodes > 1 && mem_nodes != 1) {
		if (ta->differ)
			result_set(r, STATUS_WARN,
				   "the threads may run on CPUs of %u NUMA nodes (%s) with memory on %u nodes: "
				   "the affinity was set on some threads only", cpu_nodes, threads, mem_nodes);
		else
			result_set(r, STATUS_WARN,
				   "process may run on CPUs of %u NUMA nodes (cpus %s) with memory on %u nodes",
				   cpu_nodes, list, mem_nodes);
		result_remedy(r,
			      "%sconfine the service to one node so its memory stays local: start it with "
			      "'numactl --cpunodebind=%u --membind=%u', or set cpuset.cpus and cpuset.mems of "
			      "its cgroup to one node's CPUs and that node; run one instance per node and set "
			      "GOMAXPROCS to the node's CPU count",
			      ta->differ ? "'taskset -p MASK PID' changes the main thread only and the others keep "
					   "their mask: use 'taskset -a -p MASK PID' (every thread), or better, bind "
					   "it at start. " : "",
			      first_node, first_node);
		return;
	}
	if (cpu_nodes > 1)
		result_set(r, STATUS_PASS, "CPUs span %u NUMA nodes but memory is bound to node %s",
			   cpu_nodes, mlist);
	else
		result_set(r, STATUS_PASS, "process confined to NUMA node %u (cpus %s%s%s)", first_node, list,
			   ta->differ ? "; " : "", ta->differ ? threads : "");
}

CHECK_FN(check_cpu_throttling)
{
	const struct cgroup_facts *cg = &f->proc.cgroup;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), ratio;
	uint64_t periods, throttled;
	const char *scope;

	if (!cg->has_cpu_stat && fact_err_failed(&cg->err)) {
		result_set(r, STATUS_ERROR, "could not read the cgroup of pid %d: %s", (int)f->proc.pid, cg->err.msg);
		return;
	}
	if (!cg->has_cpu_stat) {
		result_set(r, STATUS_SKIP, "no cgroup CPU statistics for pid %d%s%s", (int)f->proc.pid,
			   cg->err.msg[0] ? ": " : "", cg->err.msg);
		return;
	}
	periods = cg->nr_periods;
	throttled = cg->nr_throttled;
	scope = "lifetime";
	if (f->has_cpu_stat_before && f->window_s > 0 && cg->nr_periods > f->nr_periods_before) {
		periods = cg->nr_periods - f->nr_periods_before;
		throttled = cg->nr_throttled - f->nr_throttled_before;
		scope = "window";
	}
	ratio = periods ? (double)throttled / (double)periods : 0;
	ev_int(r, "nr_periods", (long long)periods);
	ev_int(r, "nr_throttled", (long long)throttled);
	ev_real(r, "ratio", ratio);
	ev_str(r, "scope", scope);
	ev_real(r, "throttled_seconds_total", cg->throttled_usec / 1e6);
	if (cg->has_quota && cg->quota_us > 0)
		ev_real(r, "quota_cpus", (double)cg->quota_us / (double)cg->period_us);
	if (!periods) {
		if (cg->has_quota && cg->quota_us > 0)
			result_set(r, STATUS_PASS, "no CFS periods recorded yet under the quota");
		else
			result_set(r, STATUS_PASS, "no CFS periods recorded (no CPU quota enforced)");
		return;
	}
	if (ratio > fail)
		result_set(r, STATUS_FAIL, "%.1f%% of CFS periods throttled over the %s (fail above %.0f%%)",
			   ratio * 100, scope, fail * 100);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "%.1f%% of CFS periods throttled over the %s (warn above %.0f%%)",
			   ratio * 100, scope, warn * 100);
	else
		result_set(r, STATUS_PASS, "%.2f%% of CFS periods throttled over the %s", ratio * 100, scope);
	if (r->status != STATUS_PASS)
		result_remedy(r,
			      "the service needs more CPU than its quota in bursts: raise the CPU limit, or "
			      "lower GOMAXPROCS to the quota (Go >= 1.25 does this by default for go >= 1.25 "
			      "modules; older ones need GOMAXPROCS or go.uber.org/automaxprocs), and check the "
			      "GC CPU share");
}
