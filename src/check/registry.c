/* The registry: every check, its layer, title and parameters with their
 * defaults. Order here is the order of the built-in checklist. Ids,
 * defaults and evidence keys are part of the contract (docs/checks.md). */
#include <string.h>

#include "check/leak.h"
#include "check/checks.h"
#include "goruntime/goroutine.h"

#define NUM(n, d, h) { (n), PARAM_NUM, (d), NULL, (h) }
#define STR(n, d, h) { (n), PARAM_STR, 0, (d), (h) }
#define END { NULL, PARAM_NUM, 0, NULL, NULL }

static const struct param_def throttling_params[] = {
	NUM("warn", 0.01, "throttled periods / periods above which to warn"),
	NUM("fail", 0.05, "throttled periods / periods above which to fail"),
	END,
};

static const struct param_def headroom_params[] = {
	NUM("warn", 0.8, "memory usage / limit above which to warn"),
	NUM("fail", 0.9, "memory usage / limit above which to fail"),
	END,
};

static const struct param_def timewait_params[] = {
	NUM("warn", 0.15, "TIME_WAIT / ESTABLISHED above which to warn"),
	NUM("buckets_fail", 0.8, "TIME_WAIT / net.ipv4.tcp_max_tw_buckets above which to fail"),
	END,
};

static const struct param_def close_wait_params[] = {
	NUM("warn", 0, "CLOSE_WAIT sockets of the target above which to warn"),
	NUM("fail", 100, "CLOSE_WAIT sockets of the target above which to fail"),
	END,
};

static const struct param_def listen_params[] = {
	NUM("min_backlog", 1024, "effective listen backlog below which to warn"),
	NUM("queue_warn", 0.5, "accept queue / backlog at or above which to warn"),
	END,
};

static const struct param_def sysctl_params[] = {
	NUM("min_somaxconn", 4096, "net.core.somaxconn below which to warn"),
	NUM("min_port_range", 16384, "width of net.ipv4.ip_local_port_range below which to warn"),
	NUM("max_fin_timeout", 60, "net.ipv4.tcp_fin_timeout above which to warn (seconds)"),
	END,
};

static const struct param_def ephemeral_params[] = {
	NUM("warn", 0.5, "connections to the busiest destination / port range width above which to warn"),
	NUM("fail", 0.8, "same ratio above which to fail"),
	END,
};

static const struct param_def fd_process_params[] = {
	NUM("warn", 0.8, "open fds / soft limit above which to warn"),
	NUM("fail", 0.95, "open fds / soft limit above which to fail"),
	NUM("expected_connections", 10000, "connections the service must hold at peak"),
	NUM("headroom", 1.2, "soft limit must be at least expected_connections times this"),
	END,
};

static const struct param_def fd_system_params[] = {
	NUM("warn", 0.8, "allocated file handles / fs.file-max above which to warn"),
	NUM("soft_share", 0.8, "a process soft limit above this share of fs.file-max warns"),
	END,
};

static const struct param_def clock_sync_params[] = {
	NUM("maxerror_warn_ms", 100, "kernel maximum clock error above which to warn (ms)"),
	END,
};

static const struct param_def gomaxprocs_params[] = {
	NUM("under_ratio", 0.5, "GOMAXPROCS below this share of usable CPUs warns"),
	END,
};

static const struct param_def gomemlimit_params[] = {
	NUM("low_ratio", 0.5, "GOMEMLIMIT below this share of the memory limit warns (GC thrash)"),
	END,
};

static const struct param_def go_version_params[] = {
	/* The oldest Go release still supported when this preflight was made
	 * (Go supports the two newest major releases: 1.27 and 1.26). */
	STR("min_version", "go1.26", "Go releases older than this warn"),
	END,
};

static const struct param_def heap_pressure_params[] = {
	NUM("warn", 0.70, "HeapAlloc/NextGC right after a GC cycle (the window's trough) at or above which to warn"),
	NUM("fail", 0.85, "the same trough at or above which to fail"),
	END,
};

static const struct param_def gc_cpu_params[] = {
	NUM("warn", 0.10, "share of CPU spent in GC at or above which to warn"),
	NUM("fail", 0.25, "share of CPU spent in GC at or above which to fail"),
	END,
};

static const struct param_def gc_pause_params[] = {
	NUM("warn_ms", 10, "p99 of the recent GC pauses (PauseNs ring) above which to warn (ms)"),
	NUM("fail_ms", 50, "p99 of the recent GC pauses above which to fail (ms)"),
	END,
};

static const struct param_def goroutines_params[] = {
	NUM("warn", 50000, "goroutine count at or above which to warn"),
	NUM("fail", 500000, "goroutine count at or above which to fail"),
	END,
};

static const struct param_def leak_params[] = {
	NUM("min_growth", GR_LIVE_MIN_GROWTH, "a stack whose count only grows must gain at least this many goroutines"),
	NUM("min_snapshots", 3, "growth needs at least this many snapshots"),
	NUM("wait_minutes", 5, "goroutines blocked at least this long are suspects (needs debug=2)"),
	NUM("fail_count", 1000, "a suspect with at least this many goroutines fails"),
	END,
};

static const struct param_def contention_params[] = {
	NUM("warn_rate", 0.1, "seconds of waiting per second of the window at or above which to warn"),
	NUM("fail_rate", 1.0, "seconds of waiting per second at or above which to fail"),
	NUM("top", 5, "call sites listed in the evidence"),
	END,
};

static const struct check_def registry[] = {
	/* code: how the service was built */
	{ "go.buildinfo", LAYER_CODE, "Go build information", check_go_buildinfo, NULL, CHECK_NEEDS_TARGET },
	{ "go.version", LAYER_CODE, "Go release still supported", check_go_version, go_version_params, CHECK_NEEDS_TARGET },
	{ "go.race", LAYER_CODE, "Not built with the race detector", check_go_race, NULL, CHECK_NEEDS_TARGET },
	{ "go.cgo", LAYER_CODE, "cgo use", check_go_cgo, NULL, CHECK_NEEDS_TARGET },
	{ "go.vcs-modified", LAYER_CODE, "Built from a clean source tree", check_go_vcs_modified, NULL, CHECK_NEEDS_TARGET },
	/* runtime: the Go runtime inside the live process */
	{ "cpu.gomaxprocs", LAYER_RUNTIME, "GOMAXPROCS fits the CPUs the process may use", check_cpu_gomaxprocs, gomaxprocs_params, CHECK_NEEDS_TARGET },
	{ "mem.gomemlimit", LAYER_RUNTIME, "GOMEMLIMIT fits the memory limit", check_mem_gomemlimit, gomemlimit_params, CHECK_NEEDS_TARGET },
	{ "go.heap-pressure", LAYER_RUNTIME, "Heap below its GC goal", check_go_heap_pressure, heap_pressure_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "go.gc-cpu", LAYER_RUNTIME, "GC CPU share", check_go_gc_cpu, gc_cpu_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "go.gc-pause", LAYER_RUNTIME, "GC stop-the-world pauses", check_go_gc_pause, gc_pause_params, CHECK_NEEDS_TARGET },
	{ "go.goroutines", LAYER_RUNTIME, "Goroutine count and growth", check_go_goroutines, goroutines_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "go.goroutine-leak", LAYER_RUNTIME, "No goroutine leak", check_go_goroutine_leak, leak_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "go.mutex-contention", LAYER_RUNTIME, "Mutex contention", check_go_mutex_contention, contention_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "go.block-contention", LAYER_RUNTIME, "Blocking on channels and locks", check_go_block_contention, contention_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "sec.pprof-exposure", LAYER_RUNTIME, "pprof and expvar reachable, but only on loopback", check_sec_pprof_exposure, NULL, CHECK_NEEDS_TARGET },
	/* infra: the host and container around it */
	{ "cpu.topology", LAYER_INFRA, "CPU and NUMA topology", check_cpu_topology, NULL, 0 },
	{ "cpu.affinity-numa", LAYER_INFRA, "Process confined to one NUMA node", check_cpu_affinity_numa, NULL, CHECK_NEEDS_TARGET },
	{ "cpu.throttling", LAYER_INFRA, "cgroup CPU throttling", check_cpu_throttling, throttling_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "mem.cgroup-headroom", LAYER_INFRA, "cgroup memory headroom", check_mem_cgroup_headroom, headroom_params, CHECK_NEEDS_TARGET },
	{ "net.tcp-states", LAYER_INFRA, "TCP socket states", check_net_tcp_states, NULL, 0 },
	{ "net.timewait-ratio", LAYER_INFRA, "TIME_WAIT pressure", check_net_timewait_ratio, timewait_params, 0 },
	{ "net.close-wait", LAYER_INFRA, "Connections the peer closed but the service did not", check_net_close_wait, close_wait_params, CHECK_NEEDS_TARGET },
	{ "net.listen-queue", LAYER_INFRA, "Listen backlog and accept queue", check_net_listen_queue, listen_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "net.sysctl", LAYER_INFRA, "TCP kernel settings", check_net_sysctl, sysctl_params, 0 },
	{ "net.ephemeral-ports", LAYER_INFRA, "Ephemeral port headroom", check_net_ephemeral_ports, ephemeral_params, 0 },
	{ "fd.process", LAYER_INFRA, "Process file descriptor limit", check_fd_process, fd_process_params, CHECK_NEEDS_TARGET },
	{ "fd.system", LAYER_INFRA, "System-wide file handles", check_fd_system, fd_system_params, 0 },
	{ "clock.source", LAYER_INFRA, "Fast clocksource", check_clock_source, NULL, 0 },
	{ "clock.sync", LAYER_INFRA, "Clock synchronised", check_clock_sync, clock_sync_params, 0 },
};

const struct check_def *registry_all(size_t *n)
{
	*n = sizeof(registry) / sizeof(registry[0]);
	return registry;
}

const struct check_def *registry_find(const char *id)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcmp(registry[i].id, id) == 0)
			return &registry[i];
	return NULL;
}
