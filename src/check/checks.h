/* The check functions, one area per file; registry.c lists them. */
#ifndef PREFLIGHT_CHECKS_H
#define PREFLIGHT_CHECKS_H

#include "check/check.h"

#define CHECK_FN(name) void name(const struct facts *f, const struct check_params *p, struct check_result *r)

/* infra_cpu.c */
CHECK_FN(check_cpu_topology);
CHECK_FN(check_cpu_affinity_numa);
CHECK_FN(check_cpu_throttling);
/* infra_mem.c */
CHECK_FN(check_mem_cgroup_headroom);
/* infra_net.c */
CHECK_FN(check_net_tcp_states);
CHECK_FN(check_net_timewait_ratio);
CHECK_FN(check_net_close_wait);
CHECK_FN(check_net_ephemeral_ports);
/* infra_listen.c */
CHECK_FN(check_net_listen_queue);
/* infra_sysctl.c */
CHECK_FN(check_net_sysctl);
/* infra_fd.c */
CHECK_FN(check_fd_process);
CHECK_FN(check_fd_system);
/* infra_clock.c */
CHECK_FN(check_clock_source);
CHECK_FN(check_clock_sync);
/* runtime_sched.c */
CHECK_FN(check_cpu_gomaxprocs);
CHECK_FN(check_mem_gomemlimit);
/* runtime_exposure.c */
CHECK_FN(check_sec_pprof_exposure);
/* runtime_memory.c */
CHECK_FN(check_go_heap_pressure);
CHECK_FN(check_go_gc_cpu);
CHECK_FN(check_go_gc_pause);
/* runtime_goroutines.c */
CHECK_FN(check_go_goroutines);
CHECK_FN(check_go_goroutine_leak);
/* runtime_contention.c */
CHECK_FN(check_go_mutex_contention);
CHECK_FN(check_go_block_contention);
/* code_build.c */
CHECK_FN(check_go_buildinfo);
CHECK_FN(check_go_version);
CHECK_FN(check_go_race);
CHECK_FN(check_go_cgo);
CHECK_FN(check_go_vcs_modified);
/* business_metrics.c */
CHECK_FN(check_metric_gauge);
CHECK_FN(check_metric_rate);
CHECK_FN(check_metric_increase);
CHECK_FN(check_metric_quantile);
/* At least one threshold, and warn before fail on the bad side of `direction`. */
int metric_validate(const json_t *params, char *why, size_t n, const char **ret_param);

/* infra_pressure.c */
CHECK_FN(check_host_pressure);

/* Shared wording helpers (util.c). */
/* "1.5 GiB" style; out needs 32 bytes. */
const char *fmt_bytes(unsigned long long v, char out[32]);

/* "main thread 0-1, 37 other threads 0-3" when the threads' CPU masks
 * differ, "all 38 threads 0-3" (or "the only thread 0") when they agree,
 * "" when the threads were not read. */
void describe_thread_affinity(const struct process_facts *pr, char *out, size_t n);

/* For a target whose executable has no Go build info (gobuild_err
 * -PF_ENOTGO): sets r to skip "not a Go binary (EXE)" and returns true.
 * check_run calls it for every check flagged CHECK_GO. */
bool skip_not_go(const struct facts *f, struct check_result *r);

/* One PSI line of one resource, rated. share is the judged figure: the
 * rate of total= over the window when both reads exist (window true),
 * else the kernel's avg10. Ratios 0..1. */
struct psi_rate {
	double share;
	double avg10, avg60, avg300;
	bool window;
	double window_s, window_share;
	const char *scope;              /* psi_felt: "cgroup" or "host" */
};

/* false when res was not read or has no such line (cpu "full" before 5.13). */
bool psi_rate(const struct psi_resource *res, bool full, struct psi_rate *ret);

/* The pressure the target's tasks felt: its cgroup's when read, else the
 * host's. desc gets "cpu some 96.0% over the 2.0 s window, avg60 45.3%
 * (host)". false when neither was read. */
bool psi_felt(const struct facts *f, enum psi_res res, bool full, struct psi_rate *ret, char *desc, size_t n);

#endif
