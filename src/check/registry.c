/* The registry: every check, its layer, title and parameters with their
 * defaults. Order here is the order of the built-in checklist. Ids,
 * defaults and evidence keys are part of the contract (docs/checks.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/leak.h"
#include "check/checks.h"
#include "check/goversion.h"
#include "check/metric_eval.h"
#include "goruntime/goroutine.h"

/* Each parameter declares what it accepts (enum param_kind, bounds, unit)
 * and, for a warn/fail pair, the order the two must keep: validation is
 * data in this one table. The unit test checks every default against its
 * own rule, so the table cannot contradict itself. */
#define P_NUM(n, d, lo, hi, u, h, ...) \
	{ .name = (n), .type = PARAM_NUM, .num = (d), .help = (h), .kind = PK_NUMBER, .min = (lo), .max = (hi), \
	  .unit = (u), __VA_ARGS__ }
#define P_INT(n, d, lo, hi, u, h, ...) \
	{ .name = (n), .type = PARAM_NUM, .num = (d), .help = (h), .kind = PK_INTEGER, .min = (lo), .max = (hi), \
	  .unit = (u), __VA_ARGS__ }
#define P_RATIO(n, d, h, ...) \
	{ .name = (n), .type = PARAM_NUM, .num = (d), .help = (h), .kind = PK_RATIO, .min = 0, .max = 1, __VA_ARGS__ }
#define P_VERSION(n, d, h) { .name = (n), .type = PARAM_STR, .str = (d), .help = (h), .kind = PK_VERSION }
/* "warn must not exceed fail" (higher is worse). */
#define LE(o) .order = ORDER_LE, .other = (o)
#define END { .name = NULL }

/* Counts compared as doubles: a bound far beyond any real process, and
 * far below where a double stops holding integers exactly. */
#define COUNT_MAX 1e9
#define INT32_LIMIT 2147483647.0

static const struct param_def throttling_params[] = {
	P_RATIO("warn", 0.01, "throttled periods / periods above which to warn", LE("fail")),
	P_RATIO("fail", 0.05, "throttled periods / periods above which to fail"),
	END,
};

static const struct param_def headroom_params[] = {
	P_RATIO("warn", 0.8, "memory usage / limit above which to warn", LE("fail")),
	P_RATIO("fail", 0.9, "memory usage / limit above which to fail"),
	END,
};

static const struct param_def pressure_params[] = {
	P_RATIO("cpu_some_warn", 0.20, "share of time some task waited for a CPU above which to warn",
		LE("cpu_some_fail")),
	P_RATIO("cpu_some_fail", 0.50, "the same share above which to fail"),
	P_RATIO("memory_some_warn", 0.10, "share of time some task stalled on memory above which to warn",
		LE("memory_some_fail")),
	P_RATIO("memory_some_fail", 0.30, "the same share above which to fail"),
	P_RATIO("memory_full_warn", 0.02, "share of time every task stalled on memory above which to warn",
		LE("memory_full_fail")),
	P_RATIO("memory_full_fail", 0.10, "the same share above which to fail"),
	P_RATIO("io_full_warn", 0.10, "share of time every task stalled on I/O above which to warn", LE("io_full_fail")),
	P_RATIO("io_full_fail", 0.30, "the same share above which to fail"),
	END,
};

static const struct param_def timewait_params[] = {
	/* TIME_WAIT may outnumber ESTABLISHED many times over: not a ratio
	 * bounded by 1. */
	P_NUM("warn", 0.15, 0, INFINITY, NULL, "TIME_WAIT / ESTABLISHED (the service's own with a target) above which to warn"),
	P_RATIO("buckets_fail", 0.8, "TIME_WAIT / net.ipv4.tcp_max_tw_buckets above which to fail"),
	P_INT("min_time_wait", 100, 0, COUNT_MAX, "sockets", "TIME_WAIT sockets below which the ratio is not judged"),
	END,
};

static const struct param_def close_wait_params[] = {
	P_INT("warn", 0, 0, COUNT_MAX, "sockets", "CLOSE_WAIT sockets of the target above which to warn", LE("fail")),
	P_INT("fail", 100, 0, COUNT_MAX, "sockets", "CLOSE_WAIT sockets of the target above which to fail"),
	END,
};

static const struct param_def listen_params[] = {
	P_INT("min_backlog", 1024, 0, INT32_LIMIT, NULL, "effective listen backlog below which to warn"),
	P_RATIO("queue_warn", 0.5, "accept queue / backlog at or above which to warn"),
	END,
};

static const struct param_def sysctl_params[] = {
	P_INT("min_somaxconn", 4096, 0, INT32_LIMIT, NULL, "net.core.somaxconn below which to warn"),
	P_INT("min_port_range", 16384, 0, 65535, "ports", "width of net.ipv4.ip_local_port_range below which to warn"),
	P_INT("max_fin_timeout", 60, 0, INT32_LIMIT, "seconds", "net.ipv4.tcp_fin_timeout above which to warn (seconds)"),
	END,
};

static const struct param_def ephemeral_params[] = {
	P_RATIO("warn", 0.5, "connections to the busiest destination / port range width above which to warn",
		LE("fail")),
	P_RATIO("fail", 0.8, "same ratio above which to fail"),
	END,
};

static const struct param_def fd_process_params[] = {
	P_RATIO("warn", 0.8, "open fds / soft limit above which to warn", LE("fail")),
	P_RATIO("fail", 0.95, "open fds / soft limit above which to fail"),
	P_INT("expected_connections", 10000, 0, INT32_LIMIT, "connections", "connections the service must hold at peak"),
	P_NUM("headroom", 1.2, 1, 100, NULL, "soft limit must be at least expected_connections times this"),
	END,
};

static const struct param_def fd_system_params[] = {
	P_RATIO("warn", 0.8, "allocated file handles / fs.file-max above which to warn"),
	P_RATIO("soft_share", 0.8, "a process soft limit above this share of fs.file-max warns"),
	END,
};

static const struct param_def clock_sync_params[] = {
	P_NUM("maxerror_warn_ms", 100, 0, INFINITY, "ms", "kernel maximum clock error above which to warn (ms)"),
	END,
};

static const struct param_def gomaxprocs_params[] = {
	P_RATIO("under_ratio", 0.5, "GOMAXPROCS below this share of usable CPUs warns"),
	END,
};

static const struct param_def gomemlimit_params[] = {
	P_RATIO("low_ratio", 0.5, "GOMEMLIMIT below this share of the memory limit warns (GC thrash)"),
	END,
};

static const struct param_def go_version_params[] = {
	/* The oldest Go release still supported when this preflight was made
	 * (Go supports the two newest major releases: 1.27 and 1.26). */
	P_VERSION("min_version", "go1.26", "Go releases older than this warn"),
	END,
};

static const struct param_def heap_pressure_params[] = {
	P_RATIO("warn", 0.70, "HeapAlloc/NextGC right after a GC cycle (the window's trough) at or above which to warn",
		LE("fail")),
	P_RATIO("fail", 0.85, "the same trough at or above which to fail"),
	P_RATIO("memory_pressure", 0.10, "memory some stall share (PSI) above which the remedy puts memory first"),
	END,
};

static const struct param_def gc_cpu_params[] = {
	P_RATIO("warn", 0.10, "share of CPU spent in GC at or above which to warn", LE("fail")),
	P_RATIO("fail", 0.25, "share of CPU spent in GC at or above which to fail"),
	P_RATIO("memory_pressure", 0.10, "memory some stall share (PSI) above which the remedy puts memory first"),
	END,
};

static const struct param_def gc_pause_params[] = {
	P_NUM("warn_ms", 10, 0, INFINITY, "ms", "p99 of the recent GC pauses (PauseNs ring) above which to warn (ms)",
	      LE("fail_ms")),
	P_NUM("fail_ms", 50, 0, INFINITY, "ms", "p99 of the recent GC pauses above which to fail (ms)"),
	P_RATIO("cpu_starved", 0.20, "cpu some stall share (PSI) above which a slow pause is blamed on CPU starvation first"),
	END,
};

static const struct param_def goroutines_params[] = {
	P_INT("warn", 50000, 0, COUNT_MAX, "goroutines", "goroutine count at or above which to warn", LE("fail")),
	P_INT("fail", 500000, 0, COUNT_MAX, "goroutines", "goroutine count at or above which to fail"),
	END,
};

static const struct param_def leak_params[] = {
	/* Cast to unsigned types by the check: a negative value would wrap
	 * into a huge one, hence the lower bounds. */
	P_INT("min_growth", GR_LIVE_MIN_GROWTH, 1, COUNT_MAX, "goroutines",
	      "a stack whose count only grows must gain at least this many goroutines"),
	P_INT("min_snapshots", 3, 2, 1000, "snapshots", "growth needs at least this many snapshots"),
	P_INT("wait_minutes", 5, 1, 525600, "minutes", "goroutines blocked at least this long are suspects (needs debug=2)"),
	P_INT("wait_min_count", GR_DEFAULT_WAIT_MIN_COUNT, 1, COUNT_MAX, "goroutines",
	      "a stack blocked that long is a suspect only if it grew or has at least this many goroutines"),
	P_INT("fail_count", 1000, 1, COUNT_MAX, "goroutines", "a suspect with at least this many goroutines fails"),
	END,
};

static const struct param_def contention_params[] = {
	P_NUM("warn_rate", 0.1, 0, INFINITY, NULL, "seconds of waiting per second of the window at or above which to warn",
	      LE("fail_rate")),
	P_NUM("fail_rate", 1.0, 0, INFINITY, NULL, "seconds of waiting per second at or above which to fail"),
	P_INT("top", 5, 0, 1000, "call sites", "call sites listed in the evidence"),
	P_INT("require_profile", 0, 0, 1, NULL, "1: a profile that is off fails instead of skipping"),
	END,
};

/* The service's own metrics (business_metrics.c). Thresholds are in the
 * metric's own unit (seconds for _seconds, as Prometheus names them) and
 * have no default: an item sets warn, fail or both; `direction` says
 * which side is bad, and metric_validate keeps warn and fail in its order. */
static const char *const direction_choices[] = { "above", "below", NULL };
#define P_SELECTOR(h) \
	{ .name = "metric", .type = PARAM_STR, .str = "", .help = (h), .kind = PK_SELECTOR, .required = true }
#define P_THRESHOLD(n, h) \
	{ .name = (n), .type = PARAM_NUM, .num = 0, .help = (h), .kind = PK_NUMBER, .min = -INFINITY, \
	  .max = INFINITY, .optional = true }
#define P_DIRECTION \
	{ .name = "direction", .type = PARAM_STR, .str = "above", .kind = PK_CHOICE, .choices = direction_choices, \
	  .help = "above: values above the thresholds are bad; below: values below them are" }

static const struct param_def metric_gauge_params[] = {
	P_SELECTOR("the series to judge: name or name{label=\"value\",...}; matching series are summed"),
	P_THRESHOLD("warn", "the value beyond which to warn"),
	P_THRESHOLD("fail", "the value beyond which to fail"),
	P_DIRECTION,
	END,
};

static const struct param_def metric_rate_params[] = {
	P_SELECTOR("the counter: name or name{label=\"value\",...}; matching series are summed"),
	P_THRESHOLD("warn", "increase per second over the window beyond which to warn"),
	P_THRESHOLD("fail", "increase per second over the window beyond which to fail"),
	P_DIRECTION,
	END,
};

static const struct param_def metric_increase_params[] = {
	P_SELECTOR("the counter: name or name{label=\"value\",...}; matching series are summed"),
	P_THRESHOLD("warn", "increase over the window beyond which to warn"),
	P_THRESHOLD("fail", "increase over the window beyond which to fail"),
	P_DIRECTION,
	END,
};

static const struct param_def metric_quantile_params[] = {
	P_SELECTOR("the histogram (its name without _bucket), optionally {label=\"value\",...}; buckets of "
		   "matching series are summed by le"),
	{ .name = "quantile", .type = PARAM_NUM, .num = 0.99, .help = "the quantile over the window (0.99 = p99)",
	  .kind = PK_RATIO, .min = 0, .max = 1 },
	P_THRESHOLD("warn", "the quantile beyond which to warn, in the metric's unit"),
	P_THRESHOLD("fail", "the quantile beyond which to fail, in the metric's unit"),
	P_DIRECTION,
	END,
};

static const struct check_def registry[] = {
	/* code: how the service was built */
	{ "go.buildinfo", LAYER_CODE, "Go build information", check_go_buildinfo, NULL, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "go.version", LAYER_CODE, "Go release still supported", check_go_version, go_version_params, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "go.race", LAYER_CODE, "Not built with the race detector", check_go_race, NULL, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "go.cgo", LAYER_CODE, "cgo use", check_go_cgo, NULL, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "go.vcs-modified", LAYER_CODE, "Built from a clean source tree", check_go_vcs_modified, NULL, CHECK_NEEDS_TARGET | CHECK_GO },
	/* runtime: the Go runtime inside the live process */
	{ "cpu.gomaxprocs", LAYER_RUNTIME, "GOMAXPROCS fits the CPUs the process may use", check_cpu_gomaxprocs, gomaxprocs_params, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "mem.gomemlimit", LAYER_RUNTIME, "GOMEMLIMIT fits the memory limit", check_mem_gomemlimit, gomemlimit_params, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "go.heap-pressure", LAYER_RUNTIME, "Heap below its GC goal", check_go_heap_pressure, heap_pressure_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_GO },
	{ "go.gc-cpu", LAYER_RUNTIME, "GC CPU share", check_go_gc_cpu, gc_cpu_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_GO },
	{ "go.gc-pause", LAYER_RUNTIME, "GC stop-the-world pauses", check_go_gc_pause, gc_pause_params, CHECK_NEEDS_TARGET | CHECK_GO },
	{ "go.goroutines", LAYER_RUNTIME, "Goroutine count and growth", check_go_goroutines, goroutines_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_GO },
	{ "go.goroutine-leak", LAYER_RUNTIME, "No goroutine leak", check_go_goroutine_leak, leak_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_GO },
	{ "go.mutex-contention", LAYER_RUNTIME, "Mutex contention", check_go_mutex_contention, contention_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_GO },
	{ "go.block-contention", LAYER_RUNTIME, "Blocking on channels and locks", check_go_block_contention, contention_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_GO },
	{ "sec.pprof-exposure", LAYER_RUNTIME, "pprof and expvar reachable, but only on loopback", check_sec_pprof_exposure, NULL, CHECK_NEEDS_TARGET | CHECK_NETNS },
	/* infra: the host and container around it */
	{ "cpu.topology", LAYER_INFRA, "CPU and NUMA topology", check_cpu_topology, NULL, 0 },
	{ "cpu.affinity-numa", LAYER_INFRA, "Process confined to one NUMA node", check_cpu_affinity_numa, NULL, CHECK_NEEDS_TARGET },
	{ "cpu.throttling", LAYER_INFRA, "cgroup CPU throttling", check_cpu_throttling, throttling_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES },
	{ "mem.cgroup-headroom", LAYER_INFRA, "cgroup memory headroom", check_mem_cgroup_headroom, headroom_params, CHECK_NEEDS_TARGET },
	{ "host.pressure", LAYER_INFRA, "CPU, memory and I/O pressure (PSI)", check_host_pressure, pressure_params, CHECK_SAMPLES },
	{ "net.tcp-states", LAYER_INFRA, "TCP socket states", check_net_tcp_states, NULL, CHECK_NETNS },
	{ "net.timewait-ratio", LAYER_INFRA, "TIME_WAIT pressure", check_net_timewait_ratio, timewait_params, CHECK_NETNS },
	{ "net.close-wait", LAYER_INFRA, "Connections the peer closed but the service did not", check_net_close_wait, close_wait_params, CHECK_NEEDS_TARGET | CHECK_NETNS },
	{ "net.listen-queue", LAYER_INFRA, "Listen backlog and accept queue", check_net_listen_queue, listen_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_NETNS },
	{ "net.sysctl", LAYER_INFRA, "TCP kernel settings", check_net_sysctl, sysctl_params, CHECK_NETNS },
	{ "net.ephemeral-ports", LAYER_INFRA, "Ephemeral port headroom", check_net_ephemeral_ports, ephemeral_params, CHECK_NETNS },
	{ "fd.process", LAYER_INFRA, "Process file descriptor limit", check_fd_process, fd_process_params, CHECK_NEEDS_TARGET },
	{ "fd.system", LAYER_INFRA, "System-wide file handles", check_fd_system, fd_system_params, 0 },
	{ "clock.source", LAYER_INFRA, "Fast clocksource", check_clock_source, NULL, 0 },
	{ "clock.sync", LAYER_INFRA, "Clock synchronised", check_clock_sync, clock_sync_params, 0 },
	/* business: the service's own metrics, from a checklist item (they
	 * need a metric to judge, so the built-in checklist leaves them out) */
	{ "metric.gauge", LAYER_BUSINESS, "A metric of the service", check_metric_gauge, metric_gauge_params, CHECK_NEEDS_TARGET | CHECK_READS_METRICS },
	{ "metric.rate", LAYER_BUSINESS, "A counter's rate over the window", check_metric_rate, metric_rate_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_READS_METRICS },
	{ "metric.increase", LAYER_BUSINESS, "A counter's increase over the window", check_metric_increase, metric_increase_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_READS_METRICS },
	{ "metric.quantile", LAYER_BUSINESS, "A histogram's quantile over the window", check_metric_quantile, metric_quantile_params, CHECK_NEEDS_TARGET | CHECK_SAMPLES | CHECK_READS_METRICS },
};

const struct check_def *registry_all(size_t *n)
{
	*n = sizeof(registry) / sizeof(registry[0]);
	return registry;
}

check_validate_fn check_validator(const struct check_def *d)
{
	static const struct {
		check_fn fn;
		check_validate_fn validate;
	} rules[] = {
		{ check_metric_gauge, metric_validate },
		{ check_metric_rate, metric_validate },
		{ check_metric_increase, metric_validate },
		{ check_metric_quantile, metric_validate },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (d->fn == rules[i].fn)
			return rules[i].validate;
	return NULL;
}

const struct check_def *registry_find(const char *id)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcmp(registry[i].id, id) == 0)
			return &registry[i];
	return NULL;
}

/* "%.15g" keeps what the file meant (0.1, 50000, 1e+20) without the
 * noise of %f. */
static void fmt_num(double v, char *out, size_t n)
{
	snprintf(out, n, "%.15g", v == 0 ? 0 : v);
}

void param_describe(const struct param_def *p, char *out, size_t n)
{
	char lo[32], hi[32], unit[48] = "";
	const char *noun;

	if (p->kind == PK_VERSION) {
		snprintf(out, n, "a Go version such as \"1.21\" or \"go1.21.5\"");
		return;
	}
	if (p->kind == PK_SELECTOR) {
		snprintf(out, n, "a metric name, optionally with label matchers: name{label=\"value\",other!=\"value\"}");
		return;
	}
	if (p->kind == PK_CHOICE) {
		size_t used = 0;
		int w = snprintf(out, n, "one of");

		used = w < 0 ? 0 : (size_t)w;
		for (const char *const *c = p->choices; c && *c && used < n; c++) {
			w = snprintf(out + used, n - used, "%s %s", c == p->choices ? "" : ",", *c);
			used += w < 0 ? 0 : (size_t)w;
		}
		return;
	}
	noun = p->kind == PK_INTEGER ? "an integer" : p->kind == PK_RATIO ? "a ratio" : "a number";
	fmt_num(p->min, lo, sizeof(lo));
	fmt_num(p->max, hi, sizeof(hi));
	if (p->unit)
		snprintf(unit, sizeof(unit), " (%s)", p->unit);
	if (isinf(p->max) && isinf(p->min))
		snprintf(out, n, "%s%s", noun, unit);
	else if (isinf(p->max))
		snprintf(out, n, "%s >= %s%s", noun, lo, unit);
	else
		snprintf(out, n, "%s from %s to %s%s", noun, lo, hi, unit);
}

int param_check_num(const struct param_def *p, double v, bool is_int, const char *text, char *why, size_t n)
{
	char valid[128], bound[32];

	param_describe(p, valid, sizeof(valid));
	if (p->type != PARAM_NUM) {
		snprintf(why, n, "%s is a number; valid: %s", text, valid);
		return -EINVAL;
	}
	if (!isfinite(v)) {
		snprintf(why, n, "%s is not a finite number; valid: %s", text, valid);
		return -ERANGE;
	}
	if (v < p->min) {
		fmt_num(p->min, bound, sizeof(bound));
		if (p->min == 0)
			snprintf(why, n, "%s is negative; valid: %s", text, valid);
		else
			snprintf(why, n, "%s is below the minimum %s; valid: %s", text, bound, valid);
		return -ERANGE;
	}
	if (v > p->max) {
		fmt_num(p->max, bound, sizeof(bound));
		snprintf(why, n, "%s is above the maximum %s; valid: %s", text, bound, valid);
		return -ERANGE;
	}
	if (p->kind == PK_INTEGER && !is_int) {
		snprintf(why, n, "%s is not an integer; valid: %s", text, valid);
		return -EINVAL;
	}
	return 0;
}

/* Up to 4 digits, no leading zero: "21", "0". */
static const char *release_number(const char *s)
{
	size_t k = 0;

	if (s[0] == '0')
		return s + 1;
	while (k < 4 && s[k] >= '0' && s[k] <= '9')
		k++;
	return k ? s + k : NULL;
}

/* (go)?1.MINOR(.PATCH)?((rc|beta)N)? */
static bool version_syntax(const char *s)
{
	if (strncmp(s, "go", 2) == 0)
		s += 2;
	if (s[0] != '1' || s[1] != '.')
		return false;
	s = release_number(s + 2);
	if (!s)
		return false;
	if (*s == '.') {
		s = release_number(s + 1);
		if (!s)
			return false;
	} else if (strncmp(s, "rc", 2) == 0 || strncmp(s, "beta", 4) == 0) {
		s = release_number(s + (s[0] == 'r' ? 2 : 4));
		if (!s)
			return false;
	}
	return *s == '\0';
}

int param_check_version(const struct param_def *p, const char *s, char *out, size_t out_n, char *why, size_t n)
{
	char valid[128];
	struct go_version v;
	int w;

	param_describe(p, valid, sizeof(valid));
	if (!version_syntax(s)) {
		snprintf(why, n, "'%.64s' is not a Go version; valid: %s", s, valid);
		return -EINVAL;
	}
	w = snprintf(out, out_n, "%s%s", strncmp(s, "go", 2) == 0 ? "" : "go", s);
	if (w < 0 || (size_t)w >= out_n || go_version_parse(out, &v) < 0) {
		snprintf(why, n, "'%.64s' is not a Go version; valid: %s", s, valid);
		return -EINVAL;
	}
	return 0;
}

int param_check_order(const struct param_def *p, double v, bool v_default, const struct param_def *other,
		      double ov, bool ov_default, char *why, size_t n)
{
	char a[32], b[32];

	if (p->order == ORDER_NONE || !other)
		return 0;
	if ((p->order == ORDER_LE && v <= ov) || (p->order == ORDER_GE && v >= ov))
		return 0;
	fmt_num(v, a, sizeof(a));
	fmt_num(ov, b, sizeof(b));
	snprintf(why, n, "%s %s%s is %s %s %s%s; %s must not %s %s", p->name, a, v_default ? " (the default)" : "",
		 p->order == ORDER_LE ? "above" : "below", other->name, b, ov_default ? " (the default)" : "", p->name,
		 p->order == ORDER_LE ? "exceed" : "be below", other->name);
	return -ERANGE;
}

int param_check_str(const struct param_def *p, const char *s, char *why, size_t n)
{
	char valid[192], what[256];

	param_describe(p, valid, sizeof(valid));
	if (p->kind == PK_SELECTOR) {
		struct metric_sel sel;

		if (metric_sel_parse(s, &sel, what, sizeof(what)) < 0) {
			snprintf(why, n, "'%.80s': %s; valid: %s", s, what, valid);
			return -EINVAL;
		}
		return 0;
	}
	if (p->kind == PK_CHOICE) {
		for (const char *const *c = p->choices; c && *c; c++)
			if (!strcmp(*c, s))
				return 0;
		snprintf(why, n, "'%.64s' is not a choice; valid: %s", s, valid);
		return -EINVAL;
	}
	return 0;
}

bool param_has_default(const struct param_def *p)
{
	return !p->required && !p->optional;
}
