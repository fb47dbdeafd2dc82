/* infra checks on the CPU, memory, fds and the clock, judged on hand-built
 * facts. Each threshold is tried on both sides of its boundary and exactly
 * on it, including what this machine cannot show (several NUMA nodes, hpet,
 * a clock the kernel calls unsynchronised). The network checks are in
 * test_checks_net.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/timex.h>

#include "test_checks.h"

/* ---- cpu.topology ---- */

static void two_node_host(struct facts *f)
{
	f->numa.nodes = 2;
	f->numa.node_ids[0] = 0;
	f->numa.node_ids[1] = 1;
	set_cpus(&f->numa.node_cpus[0], "0-3,8-11");
	set_cpus(&f->numa.node_cpus[1], "4-7,12-15");
	set_cpus(&f->numa.online, "0-15");
	f->numa.threads_per_core = 2;
	f->numa.smt_active = true;
}

static void test_topology_two_nodes(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *nodes;

	two_node_host(t->f);
	/* A host check: no target needed. */
	r = expect(t, "cpu.topology", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "nodes"), 2);
	assert_int_equal(ev_i(r, "cpus"), 16);
	assert_true(ev_b(r, "smt"));
	assert_int_equal(ev_i(r, "threads_per_core"), 2);
	nodes = ev(r, "node_cpus");
	assert_string_equal(json_string_value(json_object_get(nodes, "node0")), "0-3,8-11");
	assert_string_equal(json_string_value(json_object_get(nodes, "node1")), "4-7,12-15");
	assert_contains(r->summary, "2 NUMA nodes, 16 CPUs online, SMT on");
}

static void test_topology_single_node_and_error(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	t->f->numa.nodes = 1;
	set_cpus(&t->f->numa.node_cpus[0], "0-1");
	set_cpus(&t->f->numa.online, "0-1");
	t->f->numa.threads_per_core = 1;
	r = expect(t, "cpu.topology", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "nodes"), 1);
	assert_int_equal(ev_i(r, "cpus"), 2);
	assert_false(ev_b(r, "smt"));
	assert_contains(r->summary, "1 NUMA node, 2 CPUs online, SMT off");

	fact_err_setf(&t->f->numa.err, -ENOENT, "'/sys/devices/system/node' is missing");
	r = expect(t, "cpu.topology", NULL, STATUS_ERROR);
	assert_contains(r->summary, "'/sys/devices/system/node' is missing");
}

/* ---- cpu.affinity-numa ---- */

static void test_affinity_numa_spread_unbound_warns(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	two_node_host(t->f);
	target_on(t->f);
	t->f->proc.has_affinity = t->f->proc.has_mems = true;
	set_cpus(&t->f->proc.affinity, "0-15");
	set_cpus(&t->f->proc.mems_allowed, "0-1");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "numa_nodes"), 2);
	assert_int_equal(ev_i(r, "cpu_nodes"), 2);
	assert_int_equal(ev_i(r, "mem_nodes"), 2);
	assert_string_equal(ev_s(r, "cpus"), "0-15");
	assert_string_equal(ev_s(r, "mems"), "0-1");
	assert_contains(r->remedy, "numactl --cpunodebind=0 --membind=0");
	assert_contains(r->remedy, "cpuset.mems");

	/* Two CPUs, one on each node, are as spread as sixteen. */
	set_cpus(&t->f->proc.affinity, "3,4");
	expect(t, "cpu.affinity-numa", NULL, STATUS_WARN);
}

static void test_affinity_numa_memory_bound_passes(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	two_node_host(t->f);
	target_on(t->f);
	t->f->proc.has_affinity = t->f->proc.has_mems = true;
	set_cpus(&t->f->proc.affinity, "0-15");
	set_cpus(&t->f->proc.mems_allowed, "1");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "mem_nodes"), 1);
	assert_contains(r->summary, "memory is bound");

	/* The cgroup's cpuset.mems narrows Mems_allowed the same way. */
	set_cpus(&t->f->proc.mems_allowed, "0-1");
	t->f->proc.cgroup.has_cpuset = true;
	set_cpus(&t->f->proc.cgroup.cpus, "0-15");
	set_cpus(&t->f->proc.cgroup.mems, "0");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "mem_nodes"), 1);
}

static void test_affinity_numa_confined_cpus_pass(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	two_node_host(t->f);
	target_on(t->f);
	t->f->proc.has_affinity = t->f->proc.has_mems = true;
	set_cpus(&t->f->proc.mems_allowed, "0-1");
	/* numactl --cpunodebind=1: node 1's CPUs, interleaved ids. */
	set_cpus(&t->f->proc.affinity, "4-7,12-15");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "cpu_nodes"), 1);
	assert_contains(r->summary, "node 1");

	/* Affinity spans both nodes but the cgroup cpuset grants node 0 only. */
	set_cpus(&t->f->proc.affinity, "0-15");
	t->f->proc.cgroup.has_cpuset = true;
	set_cpus(&t->f->proc.cgroup.cpus, "0-3,8-11");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "cpu_nodes"), 1);
	assert_string_equal(ev_s(r, "cpus"), "0-3,8-11");
}

static void test_affinity_numa_sparse_node_ids(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Nodes 2 and 3 only (node 0 and 1 memory-only or offline): the
	 * remedy must name a node that exists. */
	t->f->numa.nodes = 2;
	t->f->numa.node_ids[0] = 2;
	t->f->numa.node_ids[1] = 3;
	set_cpus(&t->f->numa.node_cpus[0], "0-3");
	set_cpus(&t->f->numa.node_cpus[1], "4-7");
	set_cpus(&t->f->numa.online, "0-7");
	target_on(t->f);
	t->f->proc.has_affinity = true;
	set_cpus(&t->f->proc.affinity, "0-7");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_WARN);
	/* No Mems_allowed read: every node counts as allowed. */
	assert_int_equal(ev_i(r, "mem_nodes"), 2);
	assert_contains(r->remedy, "--cpunodebind=2 --membind=2");
}

static void test_affinity_numa_single_node_and_errors(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	t->f->numa.nodes = 1;
	set_cpus(&t->f->numa.node_cpus[0], "0-1");
	set_cpus(&t->f->numa.online, "0-1");
	expect(t, "cpu.affinity-numa", NULL, STATUS_SKIP);     /* no target */
	target_on(t->f);
	t->f->proc.has_affinity = t->f->proc.has_mems = true;
	set_cpus(&t->f->proc.affinity, "0-1");
	set_cpus(&t->f->proc.mems_allowed, "0");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_contains(r->summary, "single NUMA node");

	t->f->proc.has_affinity = false;
	expect(t, "cpu.affinity-numa", NULL, STATUS_ERROR);
	t->f->proc.has_affinity = true;
	t->f->numa.err.code = -EACCES;
	expect(t, "cpu.affinity-numa", NULL, STATUS_ERROR);
}

/* ---- cpu.throttling ---- */

static void throttled(struct facts *f, uint64_t periods, uint64_t thr)
{
	target_on(f);
	f->proc.cgroup.has_cpu_stat = true;
	f->proc.cgroup.nr_periods = periods;
	f->proc.cgroup.nr_throttled = thr;
}

static void test_throttling_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	throttled(t->f, 1000, 9);                                   /* 0.9% */
	r = expect(t, "cpu.throttling", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "nr_periods"), 1000);
	assert_int_equal(ev_i(r, "nr_throttled"), 9);
	assert_near(ev_d(r, "ratio"), 0.009);
	assert_string_equal(ev_s(r, "scope"), "lifetime");
	throttled(t->f, 1000, 10);                                  /* 1.0%: not above */
	expect(t, "cpu.throttling", NULL, STATUS_PASS);
	throttled(t->f, 1000, 11);                                  /* 1.1% */
	r = expect(t, "cpu.throttling", NULL, STATUS_WARN);
	assert_contains(r->summary, "1.1%");
	assert_non_null(r->remedy);
	throttled(t->f, 1000, 50);                                  /* 5.0% */
	expect(t, "cpu.throttling", NULL, STATUS_WARN);
	throttled(t->f, 1000, 51);                                  /* 5.1% */
	r = expect(t, "cpu.throttling", NULL, STATUS_FAIL);
	assert_contains(r->summary, "5.1%");
	assert_contains(r->remedy, "GOMAXPROCS");
}

static void test_throttling_window_and_quota(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Lifetime 61/2000 = 3% (warn) but 51 of the last 1000 periods
	 * (5.1%) were throttled during the window: the window decides. */
	throttled(t->f, 2000, 61);
	t->f->window_s = 2;
	t->f->has_cpu_stat_before = true;
	t->f->nr_periods_before = 1000;
	t->f->nr_throttled_before = 10;
	t->f->proc.cgroup.has_quota = true;
	t->f->proc.cgroup.quota_us = 150000;
	t->f->proc.cgroup.period_us = 100000;
	t->f->proc.cgroup.throttled_usec = 2500000;
	r = expect(t, "cpu.throttling", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "scope"), "window");
	assert_int_equal(ev_i(r, "nr_periods"), 1000);
	assert_int_equal(ev_i(r, "nr_throttled"), 51);
	assert_near(ev_d(r, "quota_cpus"), 1.5);
	assert_near(ev_d(r, "throttled_seconds_total"), 2.5);

	/* --window 0: the same counters judged over the lifetime. */
	t->f->window_s = 0;
	r = expect(t, "cpu.throttling", NULL, STATUS_WARN);
	assert_string_equal(ev_s(r, "scope"), "lifetime");

	/* No period ran yet under the quota. */
	throttled(t->f, 0, 0);
	t->f->has_cpu_stat_before = false;
	r = expect(t, "cpu.throttling", NULL, STATUS_PASS);
	assert_contains(r->summary, "yet");
}

static void test_throttling_overrides_and_skips(void **state)
{
	struct tc *t = *state;

	expect(t, "cpu.throttling", NULL, STATUS_SKIP);             /* no target */
	target_on(t->f);
	expect(t, "cpu.throttling", NULL, STATUS_SKIP);             /* no cpu.stat */
	/* No cpu.stat because the cgroup could not be read: error, naming it. */
	fact_err_setf(&t->f->proc.cgroup.err, -ENOENT, "could not read '/proc/4242/cgroup': No such file or directory");
	expect(t, "cpu.throttling", NULL, STATUS_ERROR);
	t->f->proc.cgroup.err = (struct fact_err){ 0 };
	throttled(t->f, 1000, 51);
	expect(t, "cpu.throttling", "{\"warn\": 0.2, \"fail\": 0.3}", STATUS_PASS);
	expect(t, "cpu.throttling", "{\"fail\": 0.06}", STATUS_WARN);
	throttled(t->f, 1000, 5);
	expect(t, "cpu.throttling", "{\"warn\": 0.001}", STATUS_WARN);
}

/* ---- mem.cgroup-headroom ---- */

static void memory(struct facts *f, uint64_t usage, uint64_t limit)
{
	target_on(f);
	f->proc.cgroup.has_memory = true;
	f->proc.cgroup.has_limit = limit != 0;
	f->proc.cgroup.limit_bytes = limit;
	f->proc.cgroup.usage_bytes = usage;
	f->proc.cgroup.has_oom_kills = true;
	f->proc.cgroup.oom_kills = 0;
}

static void test_headroom_boundaries(void **state)
{
	struct tc *t = *state;
	const uint64_t gib = 1ull << 30;
	struct check_result *r;

	memory(t->f, 79 * gib / 100, gib);
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "usage_bytes"), 79 * gib / 100);
	assert_int_equal(ev_i(r, "limit_bytes"), gib);
	assert_int_equal(ev_i(r, "oom_kills"), 0);
	memory(t->f, 81 * gib / 100, gib);
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_WARN);
	assert_contains(r->summary, "81%");
	assert_non_null(r->remedy);
	/* Exactly at the thresholds: not above them. */
	memory(t->f, 80, 100);
	expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	memory(t->f, 90, 100);
	expect(t, "mem.cgroup-headroom", NULL, STATUS_WARN);
	memory(t->f, 91 * gib / 100, gib);
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	assert_contains(r->summary, "91%");
	assert_contains(r->summary, "1.0 GiB");
}

static void test_headroom_oom_kills_fail(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	memory(t->f, 100 << 20, 1ull << 30);
	t->f->proc.cgroup.oom_kills = 3;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "oom_kills"), 3);
	assert_contains(r->summary, "3 OOM kills");
	assert_contains(r->remedy, "GOMEMLIMIT");

	/* Kills are recorded even when the limit was since lifted. */
	memory(t->f, 100 << 20, 0);
	t->f->proc.cgroup.oom_kills = 1;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	assert_contains(r->summary, "1 OOM kill ");
}

static void test_headroom_unlimited_overrides_skip(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "mem.cgroup-headroom", NULL, STATUS_SKIP);        /* no target */
	target_on(t->f);
	expect(t, "mem.cgroup-headroom", NULL, STATUS_SKIP);        /* no memory controller */
	fact_err_setf(&t->f->proc.cgroup.err, -EACCES, "could not read '/proc/4242/mountinfo': Permission denied");
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_ERROR);   /* unreadable is not absent */
	assert_contains(r->summary, "mountinfo");
	t->f->proc.cgroup.err = (struct fact_err){ 0 };
	memory(t->f, 5ull << 30, 0);
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "limit_bytes"), 0);
	assert_contains(r->summary, "no cgroup memory limit");
	memory(t->f, 60, 100);
	expect(t, "mem.cgroup-headroom", "{\"warn\": 0.5}", STATUS_WARN);
	expect(t, "mem.cgroup-headroom", "{\"warn\": 0.4, \"fail\": 0.55}", STATUS_FAIL);
	memory(t->f, 95, 100);
	expect(t, "mem.cgroup-headroom", "{\"fail\": 0.99}", STATUS_WARN);
}

/* ---- fd.process ---- */

static void nofile(struct facts *f, uint64_t open, uint64_t soft, uint64_t hard)
{
	target_on(f);
	f->proc.has_nofile = true;
	f->proc.nofile_soft = soft;
	f->proc.nofile_hard = hard;
	f->proc.open_fds = open;
}

static void test_fd_process_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	static const struct {
		uint64_t open;
		enum pf_status want;
	} cases[] = {
		{ 51773, STATUS_PASS },  /* 0.79 */
		{ 52428, STATUS_PASS },  /* 0.7999 */
		{ 52429, STATUS_WARN },  /* 0.80002 */
		{ 53084, STATUS_WARN },  /* 0.81 */
		{ 62259, STATUS_WARN },  /* 0.94999 */
		{ 62260, STATUS_FAIL },  /* 0.95001 */
		{ 62915, STATUS_FAIL },  /* 0.96 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nofile(t->f, cases[i].open, 65536, 1048576);
		r = expect(t, "fd.process", NULL, cases[i].want);
		assert_int_equal(ev_i(r, "open"), cases[i].open);
		assert_int_equal(ev_i(r, "soft"), 65536);
		assert_int_equal(ev_i(r, "hard"), 1048576);
		assert_near(ev_d(r, "ratio"), cases[i].open / 65536.0);
	}
	assert_contains(r->summary, "62915 of 65536 fds open");
	assert_contains(r->remedy, "LimitNOFILE");
	/* Exactly at the thresholds: not above them. */
	nofile(t->f, 16000, 20000, 20000);
	expect(t, "fd.process", NULL, STATUS_PASS);
	nofile(t->f, 19000, 20000, 20000);
	expect(t, "fd.process", NULL, STATUS_WARN);
}

static void test_fd_process_expected_connections(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* 10000 expected connections x 1.2 = 12000. */
	nofile(t->f, 10, 11999, 11999);
	r = expect(t, "fd.process", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "expected_connections"), 10000);
	assert_contains(r->summary, "below 12000");
	nofile(t->f, 10, 12000, 12000);
	expect(t, "fd.process", NULL, STATUS_PASS);
	nofile(t->f, 10, 1024, 4096);
	expect(t, "fd.process", NULL, STATUS_WARN);
	expect(t, "fd.process", "{\"expected_connections\": 800}", STATUS_PASS);
	expect(t, "fd.process", "{\"expected_connections\": 900}", STATUS_WARN);   /* 1080 > 1024 */
	expect(t, "fd.process", "{\"expected_connections\": 900, \"headroom\": 1.1}", STATUS_PASS);
	nofile(t->f, 10, 65536, 65536);
	expect(t, "fd.process", "{\"expected_connections\": 100000}", STATUS_WARN);
	/* The ratio thresholds too. */
	nofile(t->f, 52429, 65536, 65536);
	expect(t, "fd.process", "{\"warn\": 0.9}", STATUS_PASS);
}

/* The remedy names the knobs where the service is started, with a value
 * (max(expected x headroom, twice what is open), in steps of 1024), before
 * any code; and the summary says where the limit was read. */
static void test_fd_process_remedy_knobs_first(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	nofile(t->f, 10, 1024, 4096);
	r = expect(t, "fd.process", NULL, STATUS_WARN);              /* 12000 wanted */
	assert_contains(r->summary, "fd soft limit 1024 (/proc/4242/limits)");
	assert_contains(r->remedy, "LimitNOFILE=12288");
	assert_contains(r->remedy, "ulimit -n 12288");
	assert_contains(r->remedy, "--ulimit nofile=12288:12288");
	assert_contains(r->remedy, "prlimit --pid 4242 --nofile=12288:12288");
	assert_contains(r->remedy, "no rebuild");
	/* Unknown binary: nothing said about Go. */
	assert_null(strstr(r->remedy, "Go "));
	gb_version(&t->f->proc.gobuild, "go1.26.8");
	r = expect(t, "fd.process", NULL, STATUS_WARN);
	assert_contains(r->remedy, "Go >= 1.19 (this binary) raises its own soft limit");
	gb_version(&t->f->proc.gobuild, "go1.18.10");
	r = expect(t, "fd.process", NULL, STATUS_WARN);
	assert_contains(r->remedy, "syscall.Setrlimit");
	/* Twice the open fds when that is more: 9000 open of 10000 -> 18432. */
	nofile(t->f, 9000, 10000, 10000);
	r = expect(t, "fd.process", NULL, STATUS_WARN);
	assert_contains(r->summary, "soft limit from /proc/4242/limits");
	assert_contains(r->remedy, "LimitNOFILE=18432");
}

static void test_fd_process_unlimited_and_errors(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "fd.process", NULL, STATUS_SKIP);
	target_on(t->f);
	expect(t, "fd.process", NULL, STATUS_ERROR);                /* limits unread */
	nofile(t->f, 300, UINT64_MAX, UINT64_MAX);
	r = expect(t, "fd.process", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "soft"), "unlimited");
	assert_string_equal(ev_s(r, "hard"), "unlimited");
	nofile(t->f, 0, 65536, 65536);
	t->f->proc.fd_err.code = -EACCES;
	r = expect(t, "fd.process", NULL, STATUS_ERROR);
	assert_int_equal(ev_i(r, "open"), -1);
	assert_int_equal(ev_i(r, "soft"), 65536);
}

/* ---- fd.system ---- */

static void handles(struct facts *f, int64_t allocated, int64_t max, int64_t nr_open)
{
	f->sysctl.file_allocated = (struct opt_i64){ true, allocated };
	f->sysctl.file_max = (struct opt_i64){ true, max };
	f->sysctl.nr_open = (struct opt_i64){ nr_open >= 0, nr_open };
}

static void test_fd_system_allocated(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	handles(t->f, 79000, 100000, 1048576);
	r = expect(t, "fd.system", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "file_max"), 100000);
	assert_int_equal(ev_i(r, "allocated"), 79000);
	assert_int_equal(ev_i(r, "nr_open"), 1048576);
	assert_near(ev_d(r, "ratio"), 0.79);
	handles(t->f, 80000, 100000, 1048576);
	expect(t, "fd.system", NULL, STATUS_PASS);
	handles(t->f, 81000, 100000, 1048576);
	r = expect(t, "fd.system", NULL, STATUS_WARN);
	assert_contains(r->remedy, "fs.file-max");
	expect(t, "fd.system", "{\"warn\": 0.9}", STATUS_PASS);
	handles(t->f, 100, 100000, -1);
	r = expect(t, "fd.system", NULL, STATUS_PASS);
	assert_false(ev_has(r, "nr_open"));
	t->f->sysctl.file_max.set = false;
	expect(t, "fd.system", NULL, STATUS_ERROR);
}

static void test_fd_system_process_limits(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	handles(t->f, 1000, 100000, 1048576);
	nofile(t->f, 10, 80000, 80000);
	r = expect(t, "fd.system", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "process_soft"), 80000);
	nofile(t->f, 10, 80001, 80001);                             /* above 0.8 x file-max */
	r = expect(t, "fd.system", NULL, STATUS_WARN);
	assert_contains(r->summary, "80001");
	expect(t, "fd.system", "{\"soft_share\": 0.9}", STATUS_PASS);

	/* A soft limit above fs.nr_open (lowered after the process started). */
	handles(t->f, 1000, 10000000, 1048576);
	nofile(t->f, 10, 2000000, 2000000);
	r = expect(t, "fd.system", NULL, STATUS_WARN);
	assert_contains(r->summary, "fs.nr_open=1048576");
	nofile(t->f, 10, 1048576, 1048576);
	expect(t, "fd.system", NULL, STATUS_PASS);
}

/* ---- clock.source ---- */

static void clocksource(struct facts *f, const char *cur)
{
	snprintf(f->clock.current, sizeof(f->clock.current), "%s", cur);
	snprintf(f->clock.available, sizeof(f->clock.available), "tsc hpet acpi_pm");
}

static void test_clock_source(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	static const char *const fast[] = { "tsc", "kvm-clock", "arch_sys_counter" };
	static const char *const slow[] = { "hpet", "acpi_pm" };

	for (size_t i = 0; i < 3; i++) {
		clocksource(t->f, fast[i]);
		r = expect(t, "clock.source", NULL, STATUS_PASS);
		assert_string_equal(ev_s(r, "current"), fast[i]);
		assert_string_equal(ev_s(r, "available"), "tsc hpet acpi_pm");
		assert_null(r->remedy);
	}
	for (size_t i = 0; i < 2; i++) {
		clocksource(t->f, slow[i]);
		r = expect(t, "clock.source", NULL, STATUS_WARN);
		assert_string_equal(ev_s(r, "current"), slow[i]);
		assert_contains(r->summary, slow[i]);
		assert_contains(r->remedy, "tsc");
	}
	clocksource(t->f, "riscv_clocksource");
	r = expect(t, "clock.source", NULL, STATUS_PASS);
	assert_contains(r->summary, "not judged");
	t->f->clock.current[0] = '\0';
	expect(t, "clock.source", NULL, STATUS_SKIP);
	fact_err_setf(&t->f->clock.err, -ENOENT, "could not read '/sys/devices/system/clocksource/clocksource0/"
		      "current_clocksource': No such file or directory");
	r = expect(t, "clock.source", NULL, STATUS_ERROR);
	assert_contains(r->summary, "current_clocksource");
}

/* ---- clock.sync ---- */

static void adj(struct facts *f, int state, int status, int64_t maxerror_us)
{
	f->clock.adjtimex_ok = true;
	f->clock.state = state;
	f->clock.status = status;
	f->clock.maxerror_us = maxerror_us;
	f->clock.esterror_us = 120;
	f->clock.offset_us = -35;
	snprintf(f->clock.daemons, sizeof(f->clock.daemons), "chronyd");
}

static void test_clock_sync_synced(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	adj(t->f, TIME_OK, STA_PLL, 50000);
	r = expect(t, "clock.sync", NULL, STATUS_PASS);
	assert_true(ev_b(r, "synced"));
	assert_int_equal(ev_i(r, "maxerror_us"), 50000);
	assert_int_equal(ev_i(r, "esterror_us"), 120);
	assert_int_equal(ev_i(r, "offset_us"), -35);
	assert_string_equal(ev_s(r, "daemons"), "chronyd");
	assert_contains(r->summary, "chronyd");
	adj(t->f, TIME_OK, STA_PLL, 100000);                        /* 100 ms: not above */
	expect(t, "clock.sync", NULL, STATUS_PASS);
	adj(t->f, TIME_OK, STA_PLL, 101000);                        /* 101 ms */
	r = expect(t, "clock.sync", NULL, STATUS_WARN);
	assert_true(ev_b(r, "synced"));
	assert_contains(r->summary, "101.0 ms");
	expect(t, "clock.sync", "{\"maxerror_warn_ms\": 200}", STATUS_PASS);
}

static void test_clock_sync_unsynchronised(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* What the kernel reports after ntp_clear() or a day without a daemon. */
	adj(t->f, TIME_ERROR, STA_UNSYNC, 16000000);
	t->f->clock.daemons[0] = '\0';
	r = expect(t, "clock.sync", NULL, STATUS_FAIL);
	assert_false(ev_b(r, "synced"));
	assert_contains(r->summary, "TIME_ERROR");
	assert_contains(r->summary, "STA_UNSYNC");
	assert_contains(r->summary, "none running");
	assert_contains(r->remedy, "chronyc");
	/* Either sign alone is enough. */
	adj(t->f, TIME_OK, STA_PLL | STA_UNSYNC, 1000);
	expect(t, "clock.sync", NULL, STATUS_FAIL);
	adj(t->f, TIME_ERROR, STA_PLL, 1000);
	expect(t, "clock.sync", NULL, STATUS_FAIL);
	/* Thresholds do not excuse an unsynchronised clock. */
	expect(t, "clock.sync", "{\"maxerror_warn_ms\": 100000}", STATUS_FAIL);
	t->f->clock.adjtimex_ok = false;
	expect(t, "clock.sync", NULL, STATUS_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TC(test_topology_two_nodes),
		TC(test_topology_single_node_and_error),
		TC(test_affinity_numa_spread_unbound_warns),
		TC(test_affinity_numa_memory_bound_passes),
		TC(test_affinity_numa_confined_cpus_pass),
		TC(test_affinity_numa_sparse_node_ids),
		TC(test_affinity_numa_single_node_and_errors),
		TC(test_throttling_boundaries),
		TC(test_throttling_window_and_quota),
		TC(test_throttling_overrides_and_skips),
		TC(test_headroom_boundaries),
		TC(test_headroom_oom_kills_fail),
		TC(test_headroom_unlimited_overrides_skip),
		TC(test_fd_process_boundaries),
		TC(test_fd_process_expected_connections),
		TC(test_fd_process_remedy_knobs_first),
		TC(test_fd_process_unlimited_and_errors),
		TC(test_fd_system_allocated),
		TC(test_fd_system_process_limits),
		TC(test_clock_source),
		TC(test_clock_sync_synced),
		TC(test_clock_sync_unsynchronised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
