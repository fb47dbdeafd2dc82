/* The host collectors (cgroup, NUMA, clock, sysctl, netstat) on the
 * fixture trees of tests/fixtures/host, on small trees made here for the
 * corner cases, and on this machine. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "collect/cgroup.h"
#include "collect/clock.h"
#include "collect/netstat.h"
#include "collect/numa.h"
#include "collect/sysctl.h"
#include "facts/fact_err.h"

#define HYBRID_MEM_DIR "/sys/fs/cgroup/memory/process_api/cabdd5b6e672061634cd33928386e130"
#define V2_LEAF "/sys/fs/cgroup/services.slice/order.slice/order-api.service"

static const char *fixture(const char *name)
{
	static char path[4096];
	const char *base = getenv("FIXTURES");

	snprintf(path, sizeof(path), "%s/host/%s", base ? base : "tests/fixtures", name);
	return path;
}

static const char *fmt_set(const struct cpuset *s)
{
	static char out[2][256];
	static int which;

	which ^= 1;
	assert_int_equal(cpuset_format(s, out[which], sizeof(out[which])), 0);
	return out[which];
}

/* ---- small trees for the corner cases ---- */

struct tfile {
	const char *path, *content;
};

static void write_file(const char *root, const char *path, const char *content)
{
	char full[4096];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (char *p = full + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(full, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	f = fopen(full, "we");
	assert_non_null(f);
	assert_int_equal(fputs(content, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *mktree(const struct tfile *files, size_t n)
{
	char *dir = strdup("/tmp/pf-host-test-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < n; i++)
		write_file(dir, files[i].path, files[i].content);
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rmtree(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* ---- hybrid-v1: captured from a hybrid host (v1 controllers, v2 beside) ---- */

static void test_hybrid_cgroup(void **state)
{
	struct cgroup_facts cg;

	assert_int_equal(cgroup_collect(fixture("hybrid-v1"), 4242, &cg), 0);
	assert_int_equal(cg.err.code, 0);
	/* cpu, cpuset and memory are bound to v1 even though a v2 mount exists. */
	assert_int_equal(cg.cpu_version, 1);
	assert_string_equal(cg.cpu_dir, "/sys/fs/cgroup/cpu");
	assert_true(cg.has_quota);
	assert_int_equal(cg.quota_us, -1);
	assert_int_equal(cg.period_us, 100000);
	assert_string_equal(cg.cpu_limit_dir, "");
	assert_true(cg.has_cpu_stat);
	assert_int_equal(cg.nr_periods, 0);
	assert_true(cg.has_cpuset);
	assert_string_equal(fmt_set(&cg.cpus), "0-1");
	assert_string_equal(fmt_set(&cg.mems), "0");
	assert_int_equal(cg.memory_version, 1);
	assert_string_equal(cg.memory_dir, HYBRID_MEM_DIR);
	assert_true(cg.has_memory);
	/* 9223372036854771712 at every level means no limit. */
	assert_false(cg.has_limit);
	assert_string_equal(cg.memory_limit_dir, "");
	assert_int_equal(cg.usage_bytes, 51195904);
	assert_true(cg.has_oom_kills);
	assert_int_equal(cg.oom_kills, 0);
}

static void test_hybrid_numa(void **state)
{
	struct numa_facts n;

	assert_int_equal(numa_collect(fixture("hybrid-v1"), &n), 0);
	assert_int_equal(n.nodes, 1);
	assert_int_equal(n.node_ids[0], 0);
	assert_string_equal(fmt_set(&n.node_cpus[0]), "0-1");
	assert_string_equal(fmt_set(&n.online), "0-1");
	assert_int_equal(n.threads_per_core, 1);
	assert_false(n.smt_active);
}

static void test_hybrid_clock(void **state)
{
	struct clock_facts c;

	assert_int_equal(clock_collect(fixture("hybrid-v1"), &c), 0);
	assert_string_equal(c.current, "tsc");
	assert_string_equal(c.available, "tsc kvm-clock");
	/* adjtimex describes the live kernel, never a fixture. */
	assert_false(c.adjtimex_ok);
	assert_string_equal(c.daemons, "");
}

static void test_hybrid_sysctl(void **state)
{
	struct sysctl_facts s;

	assert_int_equal(sysctl_collect(fixture("hybrid-v1"), &s), 0);
	assert_true(s.tcp_tw_reuse.set);
	assert_int_equal(s.tcp_tw_reuse.v, 2);
	assert_int_equal(s.tcp_fin_timeout.v, 60);
	assert_int_equal(s.somaxconn.v, 4096);
	assert_int_equal(s.tcp_max_syn_backlog.v, 2048);
	assert_true(s.port_lo.set && s.port_hi.set);
	assert_int_equal(s.port_lo.v, 32768);
	assert_int_equal(s.port_hi.v, 60999);
	assert_int_equal(s.tcp_max_tw_buckets.v, 131072);
	assert_int_equal(s.file_max.v, 2466186);
	assert_true(s.file_allocated.set);
	assert_int_equal(s.file_allocated.v, 542);
	assert_int_equal(s.nr_open.v, 1048576);
}

static void test_hybrid_netstat(void **state)
{
	struct netstat_facts ns;

	assert_int_equal(netstat_collect(fixture("hybrid-v1"), &ns), 0);
	assert_true(ns.set);
	assert_int_equal(ns.listen_overflows, 0);
	assert_int_equal(ns.listen_drops, 0);
}

/* ---- v2-quota: a v2 host whose grandparent has the tighter CPU quota ---- */

static void test_v2_cgroup(void **state)
{
	struct cgroup_facts cg;

	assert_int_equal(cgroup_collect(fixture("v2-quota"), 4242, &cg), 0);
	assert_int_equal(cg.cpu_version, 2);
	assert_string_equal(cg.cpu_dir, V2_LEAF);
	/* The leaf allows 1.5 CPUs (150000/100000), services.slice 1 CPU
	 * (200000/200000): the ratio decides, not the larger quota number. */
	assert_true(cg.has_quota);
	assert_int_equal(cg.quota_us, 200000);
	assert_int_equal(cg.period_us, 200000);
	assert_string_equal(cg.cpu_limit_dir, "/sys/fs/cgroup/services.slice");
	/* ...while the Go runtime reads only the leaf's own cpu.max. */
	assert_int_equal(cg.leaf_quota_us, 150000);
	assert_int_equal(cg.leaf_period_us, 100000);
	/* Throttling counts come from where the binding quota is enforced. */
	assert_true(cg.has_cpu_stat);
	assert_int_equal(cg.nr_periods, 182340);
	assert_int_equal(cg.nr_throttled, 9120);
	assert_int_equal(cg.throttled_usec, 1023345871);
	/* The leaf has no cpuset controller; its parent grants 0-3. */
	assert_true(cg.has_cpuset);
	assert_string_equal(fmt_set(&cg.cpus), "0-3");
	assert_string_equal(fmt_set(&cg.mems), "0");
	assert_int_equal(cg.memory_version, 2);
	assert_string_equal(cg.memory_dir, V2_LEAF);
	assert_true(cg.has_memory);
	assert_true(cg.has_limit);
	assert_int_equal(cg.limit_bytes, 536870912);
	assert_string_equal(cg.memory_limit_dir, V2_LEAF);
	assert_int_equal(cg.usage_bytes, 214441984);
	assert_true(cg.has_oom_kills);
	assert_int_equal(cg.oom_kills, 3);
}

/* A tree without the files: clear errors, nothing half-filled. */
static void test_v2_other_collectors_missing(void **state)
{
	struct numa_facts n;
	struct clock_facts c;
	struct sysctl_facts s;
	struct netstat_facts ns;

	assert_int_equal(numa_collect(fixture("v2-quota"), &n), -ENOENT);
	assert_int_equal(n.err.code, -ENOENT);
	assert_non_null(strstr(n.err.msg, "'/sys/devices/system/cpu/online'"));
	assert_int_equal(clock_collect(fixture("v2-quota"), &c), -ENOENT);
	assert_non_null(strstr(c.err.msg, "current_clocksource'"));
	assert_int_equal(sysctl_collect(fixture("v2-quota"), &s), 0);
	assert_false(s.somaxconn.set);
	assert_false(s.tcp_syncookies.set);
	assert_false(s.port_lo.set);
	assert_false(s.file_allocated.set);
	assert_int_equal(netstat_collect(fixture("v2-quota"), &ns), -ENOENT);
	assert_int_equal(ns.err.code, -ENOENT);
	assert_false(ns.set);
}

/* ---- v1-container: docker on an old v1 kernel, cgroup subtrees bind-mounted ---- */

static void test_v1_container_cgroup(void **state)
{
	struct cgroup_facts cg;

	assert_int_equal(cgroup_collect(fixture("v1-container"), 1, &cg), 0);
	/* The mount root /docker/<id> equals the process's path, so the
	 * container's cgroup is the mount point itself. */
	assert_int_equal(cg.cpu_version, 1);
	assert_string_equal(cg.cpu_dir, "/sys/fs/cgroup/cpu,cpuacct");
	assert_int_equal(cg.quota_us, 50000);
	assert_int_equal(cg.period_us, 100000);
	assert_int_equal(cg.leaf_quota_us, 50000);
	assert_string_equal(cg.cpu_limit_dir, "/sys/fs/cgroup/cpu,cpuacct");
	assert_true(cg.has_cpu_stat);
	assert_int_equal(cg.nr_periods, 86210);
	assert_int_equal(cg.nr_throttled, 12044);
	/* throttled_time 904213377641 ns */
	assert_int_equal(cg.throttled_usec, 904213377);
	/* No cpuset.effective_cpus on this kernel: cpuset.cpus applies. */
	assert_true(cg.has_cpuset);
	assert_string_equal(fmt_set(&cg.cpus), "2-3");
	assert_int_equal(cg.memory_version, 1);
	assert_string_equal(cg.memory_dir, "/sys/fs/cgroup/memory");
	assert_true(cg.has_limit);
	assert_int_equal(cg.limit_bytes, 268435456);
	assert_int_equal(cg.usage_bytes, 201326592);
	/* memory.oom_control without an oom_kill line: unknown, not zero. */
	assert_false(cg.has_oom_kills);
}

/* ---- numa-2node ---- */

static void test_numa_2node(void **state)
{
	struct numa_facts n;

	assert_int_equal(numa_collect(fixture("numa-2node"), &n), 0);
	/* node2 is memory-only and does not count. */
	assert_int_equal(n.nodes, 2);
	assert_int_equal(n.node_ids[0], 0);
	assert_int_equal(n.node_ids[1], 1);
	assert_string_equal(fmt_set(&n.node_cpus[0]), "0-3,8-11");
	assert_string_equal(fmt_set(&n.node_cpus[1]), "4-7,12-15");
	assert_int_equal(cpuset_count(&n.online), 16);
	assert_int_equal(n.threads_per_core, 2);
	assert_true(n.smt_active);
}

static void test_numa_absent_node_dir(void **state)
{
	static const struct tfile files[] = {
		{ "/sys/devices/system/cpu/online", "0-3\n" },
		{ "/sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "0-1\n" },
	};
	char *root = mktree(files, 2);
	struct numa_facts n;

	assert_int_equal(numa_collect(root, &n), 0);
	/* A kernel without NUMA: one node with every online CPU. */
	assert_int_equal(n.nodes, 1);
	assert_string_equal(fmt_set(&n.node_cpus[0]), "0-3");
	/* No smt/active (before 4.19): the sibling count decides. */
	assert_int_equal(n.threads_per_core, 2);
	assert_true(n.smt_active);
	rmtree(root);
}

static void test_numa_smt_off_at_runtime(void **state)
{
	static const struct tfile files[] = {
		{ "/sys/devices/system/cpu/online", "2-3\n" },
		{ "/sys/devices/system/cpu/smt/active", "0\n" },
		{ "/sys/devices/system/cpu/cpu2/topology/thread_siblings_list", "2\n" },
		{ "/sys/devices/system/node/node1/cpulist", "2-3\n" },
		{ "/sys/devices/system/node/possible", "0-1\n" },
	};
	char *root = mktree(files, 5);
	struct numa_facts n;

	assert_int_equal(numa_collect(root, &n), 0);
	assert_int_equal(n.nodes, 1);
	assert_int_equal(n.node_ids[0], 1);
	/* cpu0 and cpu1 are offline; the first online CPU is asked. */
	assert_int_equal(n.threads_per_core, 1);
	assert_false(n.smt_active);
	rmtree(root);
}

/* ---- hpet ---- */

static void test_hpet_clock(void **state)
{
	struct clock_facts c;

	assert_int_equal(clock_collect(fixture("hpet"), &c), 0);
	assert_int_equal(c.err.code, 0);
	assert_string_equal(c.current, "hpet");
	/* The kernel's trailing space is trimmed. */
	assert_string_equal(c.available, "hpet acpi_pm");
	/* Two chronyd processes are one daemon; bash and systemd are none. */
	assert_string_equal(c.daemons, "chronyd,ptp4l");
	assert_false(c.adjtimex_ok);
}

static void test_hpet_cgroup_missing(void **state)
{
	struct cgroup_facts cg;

	assert_int_equal(cgroup_collect(fixture("hpet"), 0, &cg), -ENOENT);
	assert_int_equal(cg.err.code, -ENOENT);
	assert_string_equal(cg.err.msg, "could not read '/proc/self/cgroup': No such file or directory");
	assert_int_equal(cg.cpu_version, 0);
	assert_false(cg.has_memory);
}

static void test_clock_daemon_names(void **state)
{
	static const struct tfile files[] = {
		{ "/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n" },
		{ "/proc/77/comm", "systemd-timesyn\n" },
		{ "/proc/78/comm", "phc2sys\n" },
		{ "/proc/79/comm", "ntpdate\n" },
	};
	char *root = mktree(files, 4);
	struct clock_facts c;

	assert_int_equal(clock_collect(root, &c), 0);
	/* comm is cut at 15 characters; the report names the daemon. ntpdate
	 * is a one-shot tool, not ntpd. */
	assert_string_equal(c.daemons, "systemd-timesyncd,phc2sys");
	assert_string_equal(c.available, "");
	rmtree(root);
}

static void test_clock_fill_adjtimex(void **state)
{
	struct clock_facts c;
	struct timex tx;

	memset(&c, 0, sizeof(c));
	memset(&tx, 0, sizeof(tx));
	tx.status = STA_PLL | STA_NANO;
	tx.offset = -1500000;
	tx.maxerror = 16000;
	tx.esterror = 120;
	clock_fill_adjtimex(&c, TIME_OK, &tx);
	assert_true(c.adjtimex_ok);
	assert_int_equal(c.state, TIME_OK);
	assert_int_equal(c.status, STA_PLL | STA_NANO);
	assert_int_equal(c.offset_us, -1500);
	assert_int_equal(c.maxerror_us, 16000);
	assert_int_equal(c.esterror_us, 120);

	tx.status = STA_UNSYNC;
	tx.offset = 250;
	clock_fill_adjtimex(&c, TIME_ERROR, &tx);
	assert_int_equal(c.state, TIME_ERROR);
	assert_int_equal(c.offset_us, 250);

	clock_fill_adjtimex(&c, -1, &tx);
	assert_false(c.adjtimex_ok);
}

/* ---- netstat parsing ---- */

static void test_netstat_by_name(void **state)
{
	/* Columns in another order than any real kernel, other sections in
	 * between: only the names count. */
	const char *text = "IpExt: InNoRoutes InTruncatedPkts\n"
			   "IpExt: 4 5\n"
			   "TcpExt: ListenDrops SyncookiesSent ListenOverflows\n"
			   "TcpExt: 912 3 877\n";
	struct netstat_facts ns;

	assert_int_equal(netstat_parse(text, &ns), 0);
	assert_true(ns.set);
	assert_int_equal(ns.listen_overflows, 877);
	assert_int_equal(ns.listen_drops, 912);
}

static void test_netstat_malformed(void **state)
{
	struct netstat_facts ns;

	assert_int_equal(netstat_parse("TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n", &ns), -PF_EPARSE);
	assert_int_equal(ns.err.code, -PF_EPARSE);
	assert_false(ns.set);
	assert_int_equal(netstat_parse("TcpExt: ListenOverflows ListenDrops\nTcpExt: 1 x\n", &ns), -PF_EPARSE);
	assert_int_equal(netstat_parse("TcpExt: ListenOverflows ListenDrops\n", &ns), -PF_EPARSE);
	/* No TcpExt at all: absent, not an error. */
	assert_int_equal(netstat_parse("IpExt: InNoRoutes\nIpExt: 0\n", &ns), 0);
	assert_false(ns.set);
}

/* ---- cgroup resolution on strings ---- */

static void test_mountinfo_escapes(void **state)
{
	char line[] = "41 31 0:38 /a\\040b /sys/fs/cgroup/my\\040cg\\134x rw,relatime shared:9 master:2 - "
		      "cgroup2 cgroup2 rw,nsdelegate";
	struct mountinfo_entry m;

	assert_int_equal(mountinfo_parse_line(line, &m), 0);
	assert_string_equal(m.root, "/a b");
	assert_string_equal(m.mountpoint, "/sys/fs/cgroup/my cg\\x");
	assert_string_equal(m.fstype, "cgroup2");
	assert_string_equal(m.super_opts, "rw,nsdelegate");
	char bad[] = "41 31 0:38 / /sys/fs/cgroup rw,relatime cgroup2 cgroup2 rw";
	assert_int_equal(mountinfo_parse_line(bad, &m), -PF_EPARSE);
}

static void test_resolve_namespaces(void **state)
{
	struct cgroup_paths p;
	struct err e;

	/* A private cgroup namespace: the process sees itself at "/". */
	assert_int_equal(cgroup_resolve("0::/\n",
					"30 23 0:27 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n", &p, &e),
			 0);
	assert_int_equal(p.ctl[CGROUP_MEMORY].version, 2);
	assert_string_equal(p.ctl[CGROUP_MEMORY].dir, "/sys/fs/cgroup");
	assert_string_equal(p.ctl[CGROUP_MEMORY].top, "/sys/fs/cgroup");

	/* A cgroup outside the reader's namespace ("/..") is not visible. */
	assert_int_equal(cgroup_resolve("0::/../sibling\n",
					"30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &p, &e),
			 0);
	assert_int_equal(p.unified.version, 0);
	assert_int_equal(p.ctl[CGROUP_CPU].version, 0);

	/* A bind mount of a subtree shows only paths below its root, by
	 * whole components. */
	assert_int_equal(cgroup_resolve("0::/kubepods/pod1/ctr\n",
					"30 23 0:27 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &p, &e),
			 0);
	assert_string_equal(p.ctl[CGROUP_CPU].dir, "/sys/fs/cgroup/ctr");
	assert_int_equal(cgroup_resolve("0::/kubepods/pod12\n",
					"30 23 0:27 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &p, &e),
			 0);
	assert_int_equal(p.ctl[CGROUP_CPU].version, 0);
}

static void test_resolve_hybrid_and_shadowing(void **state)
{
	const char *cg = "3:cpu,cpuacct:/svc\n2:name=systemd:/svc\n0::/svc\n";
	const char *mi = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
			 "33 31 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
			 "34 31 0:30 /svc /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	struct cgroup_paths p;
	struct err e;

	assert_int_equal(cgroup_resolve(cg, mi, &p, &e), 0);
	assert_int_equal(p.ctl[CGROUP_CPU].version, 1);
	assert_string_equal(p.ctl[CGROUP_CPU].dir, "/sys/fs/cgroup/cpu,cpuacct/svc");
	assert_string_equal(p.ctl[CGROUP_CPU].top, "/sys/fs/cgroup/cpu,cpuacct");
	/* memory is on no v1 line, so only v2 can have it; the second mount
	 * on /sys/fs/cgroup/unified hides the first. */
	assert_int_equal(p.ctl[CGROUP_MEMORY].version, 2);
	assert_string_equal(p.ctl[CGROUP_MEMORY].dir, "/sys/fs/cgroup/unified");

	/* A v1 controller whose hierarchy is not mounted is not found, and
	 * not looked for on v2 either. */
	assert_int_equal(cgroup_resolve("4:memory:/svc\n0::/svc\n",
					"33 31 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &p, &e),
			 0);
	assert_int_equal(p.ctl[CGROUP_MEMORY].version, 0);
	assert_int_equal(p.ctl[CGROUP_CPU].version, 2);
}

static void test_resolve_malformed(void **state)
{
	struct cgroup_paths p;
	struct err e = { { 0 } };

	assert_int_equal(cgroup_resolve("0::/\nbogus\n", "", &p, &e), -PF_EPARSE);
	assert_string_equal(e.msg, "line 2 of the cgroup list is malformed");
	assert_int_equal(cgroup_resolve("0::/\n", "1 2 3\n", &p, &e), -PF_EPARSE);
	assert_string_equal(e.msg, "line 1 of mountinfo is malformed");
	assert_int_equal(cgroup_resolve("x:cpu:/\n", "", &p, &e), -PF_EPARSE);
	/* An empty mount point (two spaces) once sent the ancestor walk into
	 * a loop; found by fuzz_procfiles. */
	assert_int_equal(cgroup_resolve("0::/a/b\n", "22 1 259:20 /  rw - cgroup2 cgroup2 rw\n", &p, &e),
			 -PF_EPARSE);
}

/* An escaped mount point, read end to end, and a controller that the
 * unified hierarchy does not list. */
static void test_cgroup_escaped_mountpoint(void **state)
{
	static const struct tfile files[] = {
		{ "/proc/7/cgroup", "0::/svc\n" },
		{ "/proc/7/mountinfo",
		  "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
		  "40 22 0:38 / /mnt/cgroup\\040v2 rw,relatime - cgroup2 cgroup2 rw\n" },
		{ "/mnt/cgroup v2/cgroup.controllers", "memory pids\n" },
		{ "/mnt/cgroup v2/svc/memory.max", "1048576\n" },
		{ "/mnt/cgroup v2/svc/memory.current", "4096\n" },
		{ "/mnt/cgroup v2/svc/cpu.max", "max 100000\n" },
	};
	char *root = mktree(files, 6);
	struct cgroup_facts cg;

	assert_int_equal(cgroup_collect(root, 7, &cg), 0);
	assert_int_equal(cg.memory_version, 2);
	assert_string_equal(cg.memory_dir, "/mnt/cgroup v2/svc");
	assert_true(cg.has_limit);
	assert_int_equal(cg.limit_bytes, 1048576);
	assert_int_equal(cg.usage_bytes, 4096);
	/* No oom_kill without memory.events. */
	assert_false(cg.has_oom_kills);
	/* cpu is not in cgroup.controllers: not found, stray files or not. */
	assert_int_equal(cg.cpu_version, 0);
	assert_false(cg.has_quota);
	assert_false(cg.has_cpuset);
	rmtree(root);
}

/* ---- this machine ---- */

/* A target whose cgroup lies above our cgroup namespace's root: an error
 * that says so, never "no controller" (which would read as no limit). */
static void test_cgroup_outside_namespace(void **state)
{
	static const struct tfile files[] = {
		{ "/proc/7/cgroup", "0::/../sibling/svc\n" },
		{ "/proc/7/mountinfo", "30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n" },
		{ "/sys/fs/cgroup/cgroup.controllers", "cpu memory\n" },
	};
	char *root = mktree(files, 3);
	struct cgroup_facts cg;

	(void)state;
	assert_int_equal(cgroup_collect(root, 7, &cg), -EXDEV);
	assert_int_equal(cg.err.code, -EXDEV);
	assert_string_equal(cg.err.msg, "the cgroup '/../sibling/svc' of pid 7 lies outside preflight's cgroup "
					"namespace: run preflight in the host's cgroup namespace (or in the target's)");
	rmtree(root);
}

/* /proc/PID/net/netstat: the counters of PID's network namespace. */
static void test_netstat_of_pid(void **state)
{
	static const struct tfile files[] = {
		{ "/proc/7/net/netstat", "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n"
					 "TcpExt: 0 17 19\n" },
	};
	char *root = mktree(files, 1);
	struct netstat_facts ns;

	(void)state;
	assert_int_equal(netstat_collect_file(root, "/proc/7/net/netstat", &ns), 0);
	assert_true(ns.set);
	assert_int_equal(ns.listen_overflows, 17);
	assert_int_equal(ns.listen_drops, 19);
	assert_int_equal(netstat_collect_file(root, "/proc/8/net/netstat", &ns), -ENOENT);
	assert_string_equal(ns.err.msg, "cannot read /proc/8/net/netstat: No such file or directory");
	rmtree(root);
}

static void test_live_numa(void **state)
{
	struct numa_facts n;
	unsigned in_nodes = 0;

	assert_int_equal(numa_collect("", &n), 0);
	assert_int_equal(cpuset_count(&n.online), (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(n.nodes >= 1);
	for (unsigned i = 0; i < n.nodes; i++)
		in_nodes += cpuset_count(&n.node_cpus[i]);
	assert_int_equal(in_nodes, cpuset_count(&n.online));
}

/* The memory cgroup path as /proc/self/cgroup names it: the v1 memory
 * line, else the v2 line. */
static void self_memory_path(char *out, size_t n)
{
	char line[4096], v2[4096] = "";
	FILE *f = fopen("/proc/self/cgroup", "re");

	assert_non_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char ctls[256];

		if (!c2)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(ctls, sizeof(ctls), ",%.*s,", (int)(c2 - c1 - 1), c1 + 1);
		if (strstr(ctls, ",memory,"))
			snprintf(out, n, "%s", c2 + 1);
		else if (c2 == c1 + 1)
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
	}
	fclose(f);
	if (!out[0])
		snprintf(out, n, "%s", v2);
}

/* Whether some cgroup mount shows a subtree (a bind mount, or a cgroup
 * namespace seen from outside): then the directory need not end with the
 * path /proc/self/cgroup names. */
static bool cgroup_subtree_mounted(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " - cgroup") && !strstr(line, " / /"))
			found = true;
	fclose(f);
	return found;
}

static void test_live_cgroup(void **state)
{
	struct cgroup_facts by_pid, self;
	char want[4096];
	size_t dl, wl;
	struct stat st;

	assert_int_equal(cgroup_collect("", getpid(), &by_pid), 0);
	assert_int_equal(cgroup_collect("", 0, &self), 0);
	assert_int_equal(by_pid.memory_version, self.memory_version);
	assert_string_equal(by_pid.memory_dir, self.memory_dir);
	self_memory_path(want, sizeof(want));
	if (by_pid.memory_version == 0) {
		print_message("no visible memory cgroup (path '%s')\n", want);
		return;
	}
	assert_true(by_pid.has_memory);
	assert_int_equal(stat(by_pid.memory_dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	if (strcmp(want, "/") == 0 || cgroup_subtree_mounted())
		return;
	dl = strlen(by_pid.memory_dir);
	wl = strlen(want);
	if (dl < wl || strcmp(by_pid.memory_dir + dl - wl, want) != 0)
		fail_msg("memory_dir '%s' does not end with '%s'", by_pid.memory_dir, want);
}

static void test_live_clock_sysctl_netstat(void **state)
{
	struct clock_facts c;
	struct sysctl_facts s;
	struct netstat_facts ns;
	long nr_open = 0;
	FILE *f;

	assert_int_equal(clock_collect("", &c), 0);
	assert_true(c.current[0] != '\0');
	assert_non_null(strstr(c.available, c.current));
	if (c.adjtimex_ok)
		assert_true(c.state >= TIME_OK && c.state <= TIME_ERROR);

	assert_int_equal(sysctl_collect("", &s), 0);
	f = fopen("/proc/sys/fs/nr_open", "re");
	if (f) {
		assert_int_equal(fscanf(f, "%ld", &nr_open), 1);
		fclose(f);
		assert_true(s.nr_open.set);
		assert_int_equal(s.nr_open.v, nr_open);
	}
	f = fopen("/proc/sys/net/ipv4/tcp_syncookies", "re");
	if (f) {
		long cookies = -1;

		assert_int_equal(fscanf(f, "%ld", &cookies), 1);
		fclose(f);
		assert_true(s.tcp_syncookies.set);
		assert_int_equal(s.tcp_syncookies.v, cookies);
	}
	if (access("/proc/net/netstat", R_OK) == 0) {
		assert_int_equal(netstat_collect("", &ns), 0);
		assert_true(ns.set);
		assert_true(ns.listen_drops >= ns.listen_overflows);
	}
}

/* The one error shape of every part: a code and a message never empty. */
static void test_fact_err(void **state)
{
	struct fact_err fe = { 0 };
	struct err e = { "" };
	char big[600];

	(void)state;
	assert_false(fact_err_failed(&fe));
	fact_err_set(&fe, -EACCES, NULL);
	assert_true(fact_err_failed(&fe));
	assert_int_equal(fe.code, -EACCES);
	assert_string_equal(fe.msg, "Permission denied");
	fact_err_set(&fe, -PF_EPARSE, &e);   /* an empty struct err: the code's words */
	assert_string_equal(fe.msg, "malformed input");
	err_set(&e, -ENOENT, "'/sys/x' is missing");
	fact_err_set(&fe, -ENOENT, &e);
	assert_string_equal(fe.msg, "'/sys/x' is missing");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fact_err_setf(&fe, -E2BIG, "%s", big);
	assert_int_equal(strlen(fe.msg), FACTS_ERR_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fact_err),
		cmocka_unit_test(test_hybrid_cgroup),
		cmocka_unit_test(test_hybrid_numa),
		cmocka_unit_test(test_hybrid_clock),
		cmocka_unit_test(test_hybrid_sysctl),
		cmocka_unit_test(test_hybrid_netstat),
		cmocka_unit_test(test_v2_cgroup),
		cmocka_unit_test(test_v2_other_collectors_missing),
		cmocka_unit_test(test_v1_container_cgroup),
		cmocka_unit_test(test_numa_2node),
		cmocka_unit_test(test_numa_absent_node_dir),
		cmocka_unit_test(test_numa_smt_off_at_runtime),
		cmocka_unit_test(test_hpet_clock),
		cmocka_unit_test(test_hpet_cgroup_missing),
		cmocka_unit_test(test_clock_daemon_names),
		cmocka_unit_test(test_clock_fill_adjtimex),
		cmocka_unit_test(test_netstat_by_name),
		cmocka_unit_test(test_netstat_malformed),
		cmocka_unit_test(test_mountinfo_escapes),
		cmocka_unit_test(test_resolve_namespaces),
		cmocka_unit_test(test_resolve_hybrid_and_shadowing),
		cmocka_unit_test(test_resolve_malformed),
		cmocka_unit_test(test_cgroup_escaped_mountpoint),
		cmocka_unit_test(test_cgroup_outside_namespace),
		cmocka_unit_test(test_netstat_of_pid),
		cmocka_unit_test(test_live_numa),
		cmocka_unit_test(test_live_cgroup),
		cmocka_unit_test(test_live_clock_sysctl_netstat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
