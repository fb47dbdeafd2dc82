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

/* Shared wording helpers (util.c). */
/* "1.5 GiB" style; out needs 32 bytes. */
const char *fmt_bytes(unsigned long long v, char out[32]);

#endif
