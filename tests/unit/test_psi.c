/* The new host facts' collectors: the PSI parser on the kernel's formats
 * (with and without the cpu "full" line), the PSI collector on fixture
 * trees and this machine, /proc/PID/status (RSS, masks), every thread's
 * affinity, and who shares the memory cgroup. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "collect/procfs.h"
#include "collect/cgroup.h"
#include "collect/psi.h"

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

#define assert_near(a, b) assert_true(fabs_((double)(a) - (double)(b)) < 1e-9)
static double fabs_(double v)
{
	return v < 0 ? -v : v;
}

/* ---- psi_parse ---- */

static void test_parse_kernel_formats(void **state)
{
	struct psi_record r;

	(void)state;
	/* 5.13+ (here 6.18): the cpu file has a "full" line, all zero at the
	 * host level. */
	assert_int_equal(psi_parse("some avg10=89.68 avg60=45.28 avg300=22.56 total=5845924399\n"
				   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &r), 0);
	assert_true(r.some.set);
	assert_near(r.some.avg10, 0.8968);
	assert_near(r.some.avg60, 0.4528);
	assert_near(r.some.avg300, 0.2256);
	assert_true(r.some.total_us == 5845924399ull);
	assert_true(r.full.set);
	assert_near(r.full.avg10, 0);
	assert_true(r.full.total_us == 0);

	/* 4.20 .. 5.12: cpu has no "full" line. */
	assert_int_equal(psi_parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &r), 0);
	assert_true(r.some.set);
	assert_false(r.full.set);

	/* memory and io, and the extremes the kernel prints. */
	assert_int_equal(psi_parse("some avg10=100.00 avg60=0.01 avg300=0.40 total=18446744073709551615\n"
				   "full avg10=4.20 avg60=3.10 avg300=1.75 total=4567890\n", &r), 0);
	assert_near(r.some.avg10, 1);
	assert_near(r.some.avg60, 0.0001);
	assert_true(r.some.total_us == UINT64_MAX);
	assert_near(r.full.avg10, 0.042);
	/* Without the final newline, and fields in another order. */
	assert_int_equal(psi_parse("some total=7 avg300=1 avg60=2 avg10=3", &r), 0);
	assert_near(r.some.avg10, 0.03);
	assert_true(r.some.total_us == 7);
	/* A key a later kernel might add is skipped. */
	assert_int_equal(psi_parse("some avg10=1.00 avg60=1.00 avg300=1.00 total=1 avg3600=1.00\n", &r), 0);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",                 /* no some */
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",                         /* no total */
		"some avg10=0.00 avg60=0.00 total=0\n",                             /* no avg300 */
		"some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n",               /* above 100 % */
		"some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1.2.3 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1. avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=.5 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n", /* overflow */
		"some avg10=0.00  avg60=0.00 avg300=0.00 total=0\n",                /* two spaces */
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0 \n",                /* trailing space */
		"some avg10=0.00 avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",      /* a key twice */
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nhalf avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"<html><body>404</body></html>\n",
		"some\n",
		"some avg10 avg60=0.00 avg300=0.00 total=0\n",
	};
	struct psi_record r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (psi_parse(bad[i], &r) != -PF_EPARSE)
			fail_msg("accepted: '%s'", bad[i]);
		/* A refused file leaves nothing half-filled. */
		assert_false(r.some.set);
		assert_false(r.full.set);
	}
}

/* ---- psi_collect ---- */

static void test_collect_fixture_v2(void **state)
{
	static struct cgroup_facts cg;
	struct psi_facts *p = calloc(1, sizeof(*p));
	const struct psi_resource *cpu, *mem;

	(void)state;
	assert_non_null(p);
	assert_int_equal(cgroup_collect(fixture("psi-v2"), 4242, &cg), 0);
	psi_collect_start(fixture("psi-v2"), 4242, &cg, p);
	assert_true(p->host.attempted);
	assert_string_equal(p->host.dir, "/proc/pressure");
	assert_string_equal(p->host.absent, "");
	cpu = &p->host.res[PSI_CPU];
	assert_int_equal(cpu->state, PSI_OK);
	assert_near(cpu->start.some.avg10, 0.612);
	assert_false(cpu->start.full.set);            /* a kernel before 5.13 */
	assert_int_equal(p->host.res[PSI_IO].state, PSI_OK);
	assert_true(p->host.res[PSI_IO].start.full.set);
	/* The target's cgroup, found the way cgroup_collect finds it. */
	assert_string_equal(p->cgroup.dir, V2_LEAF);
	mem = &p->cgroup.res[PSI_MEMORY];
	assert_int_equal(mem->state, PSI_OK);
	assert_near(mem->start.full.avg10, 0.042);
	assert_false(mem->has_end);
	psi_collect_end(fixture("psi-v2"), p);
	assert_true(mem->has_end);
	assert_true(mem->end.some.total_us == mem->start.some.total_us);
	assert_true(mem->t_end >= mem->t_start);
	free(p);
}

static void test_collect_absent(void **state)
{
	static struct cgroup_facts cg;
	struct psi_facts *p = calloc(1, sizeof(*p));

	(void)state;
	assert_non_null(p);
	/* A container fixture on cgroup v1 with no /proc/pressure. */
	assert_int_equal(cgroup_collect(fixture("v1-container"), 1, &cg), 0);
	psi_collect_start(fixture("v1-container"), 1, &cg, p);
	for (int i = 0; i < PSI_NRES; i++)
		assert_int_equal(p->host.res[i].state, PSI_ABSENT);
	assert_non_null(strstr(p->host.absent, "CONFIG_PSI"));
	assert_non_null(strstr(p->host.absent, "psi=0"));
	assert_true(p->cgroup.attempted);
	assert_string_equal(p->cgroup.dir, "");
	assert_non_null(strstr(p->cgroup.absent, "cgroup v1"));
	/* No pid: the host only. */
	psi_collect_start(fixture("psi-v2"), 0, NULL, p);
	assert_false(p->cgroup.attempted);
	free(p);
}

/* A pressure file that is there but cannot be read (here a directory in
 * its place, since root reads any mode) is a failure, not absence. */
static void test_collect_unreadable(void **state)
{
	char tree[] = "/tmp/test-psi-XXXXXX", path[256];
	struct psi_facts *p = calloc(1, sizeof(*p));
	FILE *fp;

	(void)state;
	assert_non_null(p);
	assert_non_null(mkdtemp(tree));
	snprintf(path, sizeof(path), "%s/proc", tree);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/pressure", tree);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/pressure/cpu", tree);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/pressure/memory", tree);
	assert_non_null(fp = fopen(path, "w"));
	fputs("garbage\n", fp);
	fclose(fp);
	psi_collect_start(tree, 0, NULL, p);
	assert_int_equal(p->host.res[PSI_CPU].state, PSI_FAILED);
	assert_non_null(strstr(p->host.res[PSI_CPU].err.msg, "/proc/pressure/cpu"));
	assert_int_equal(p->host.res[PSI_MEMORY].state, PSI_FAILED);
	assert_non_null(strstr(p->host.res[PSI_MEMORY].err.msg, "not a pressure file"));
	assert_int_equal(p->host.res[PSI_IO].state, PSI_ABSENT);
	assert_string_equal(p->host.absent, "");
	rmdir(path);
	remove(path);
	snprintf(path, sizeof(path), "%s/proc/pressure/cpu", tree);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/proc/pressure", tree);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/proc", tree);
	rmdir(path);
	rmdir(tree);
	free(p);
}

/* This machine: when /proc/pressure is there, what we read matches a
 * read of our own, and total= only grows over a window. */
static void test_collect_live(void **state)
{
	static struct cgroup_facts cg;
	struct psi_facts *p = calloc(1, sizeof(*p));
	const struct psi_resource *cpu;
	struct timespec ts = { 0, 600 * 1000 * 1000 };

	(void)state;
	assert_non_null(p);
	assert_int_equal(cgroup_collect("", getpid(), &cg), 0);
	psi_collect_start("", getpid(), &cg, p);
	if (access("/proc/pressure/cpu", R_OK) != 0) {
		assert_int_equal(p->host.res[PSI_CPU].state, PSI_ABSENT);
		free(p);
		skip();
	}
	cpu = &p->host.res[PSI_CPU];
	assert_int_equal(cpu->state, PSI_OK);
	nanosleep(&ts, NULL);
	psi_collect_end("", p);
	assert_true(cpu->has_end);
	assert_true(cpu->end.some.total_us >= cpu->start.some.total_us);
	assert_true(cpu->t_end - cpu->t_start >= 0.5);
	free(p);
}

/* ---- /proc/PID/status ---- */

static void test_parse_status(void **state)
{
	struct proc_status st;

	(void)state;
	assert_int_equal(proc_parse_status("Name:\tcat\nVmHWM:\t    1696 kB\nVmRSS:\t    1696 kB\n"
					   "RssAnon:\t     112 kB\nRssFile:\t    1584 kB\nRssShmem:\t       0 kB\n"
					   "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"
					   "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\n", &st), 0);
	assert_true(st.has_rss && st.has_cpus && st.has_mems);
	assert_true(st.vm_rss == 1696 * 1024);
	assert_true(st.rss_anon == 112 * 1024);
	assert_true(st.rss_file == 1584 * 1024);
	assert_true(st.rss_shmem == 0);
	assert_string_equal(fmt_set(&st.cpus), "0-1");
	/* A kernel thread has no Vm* lines. */
	assert_int_equal(proc_parse_status("Name:\tkthreadd\nCpus_allowed_list:\t0-3\n", &st), 0);
	assert_false(st.has_rss);
	assert_true(st.has_cpus);
	/* Before 4.5 there are no Rss* lines; VmRSS alone is enough. */
	assert_int_equal(proc_parse_status("VmRSS:\t  204800 kB\n", &st), 0);
	assert_true(st.has_rss);
	assert_true(st.rss_anon == 0);
	/* Malformed sizes are not read. */
	assert_int_equal(proc_parse_status("VmRSS:\t 12 MB\n", &st), -PF_EPARSE);
	assert_int_equal(proc_parse_status("VmRSS:\t99999999999999999999 kB\n", &st), -PF_EPARSE);
	assert_int_equal(proc_parse_status("VmRSS:\t18014398509481984 kB\n", &st), -PF_EPARSE); /* x1024 overflows */
	assert_int_equal(proc_parse_status("", &st), -PF_EPARSE);
}

/* ---- every thread's affinity ---- */

static void test_threads_fixture(void **state)
{
	struct process_facts *p = calloc(1, sizeof(*p));
	const struct thread_affinity_facts *t;
	struct err e = { "" };

	(void)state;
	assert_non_null(p);
	/* `taskset -p 0x3 4242`: the main thread on 0-1, the other three
	 * still on 0-15. */
	assert_int_equal(proc_read(fixture("psi-v2"), 4242, p, &e), 0);
	t = &p->thread_affinity;
	assert_true(t->read);
	assert_int_equal(t->threads, 4);
	assert_int_equal(t->threads_read, 4);
	assert_true(t->has_main);
	assert_string_equal(fmt_set(&t->main_cpus), "0-1");
	assert_string_equal(fmt_set(&t->union_cpus), "0-15");
	assert_int_equal(t->others, 3);
	assert_int_equal(t->n_groups, 1);
	assert_int_equal(t->groups[0].threads, 3);
	assert_true(t->differ);
	/* The process-wide mask is the other threads', not status's. */
	assert_true(p->has_affinity);
	assert_string_equal(fmt_set(&p->affinity), "0-15");
	/* RSS from the status file. */
	assert_true(p->has_rss);
	assert_true(p->vm_rss == 204800ull * 1024);
	assert_true(p->rss_anon == 190464ull * 1024);
	assert_true(p->rss_file == 14336ull * 1024);
	process_facts_release(p);

	/* A tree without task/: the main thread's mask stands, no error. */
	assert_int_equal(proc_read(fixture("v2-quota"), 4242, p, &e), 0);
	assert_false(p->thread_affinity.read);
	assert_int_equal(p->thread_affinity.err.code, 0);
	assert_string_equal(fmt_set(&p->affinity), "0-15");
	process_facts_release(p);
	free(p);
}

static void test_thread_groups(void **state)
{
	struct thread_affinity_facts t = { 0 };

	(void)state;
	/* Ties go to the main thread's mask; more threads win. */
	t.has_main = true;
	cpuset_parse_list("0-1", &t.main_cpus);
	t.n_groups = 3;
	cpuset_parse_list("2-3", &t.groups[0].cpus);
	t.groups[0].threads = 2;
	cpuset_parse_list("0-1", &t.groups[1].cpus);
	t.groups[1].threads = 2;
	cpuset_parse_list("4", &t.groups[2].cpus);
	t.groups[2].threads = 5;
	thread_affinity_finish(&t);
	assert_string_equal(fmt_set(&t.groups[0].cpus), "4");
	assert_string_equal(fmt_set(&t.groups[1].cpus), "0-1");
	assert_string_equal(fmt_set(&t.groups[2].cpus), "2-3");
	assert_true(t.differ);
	/* Every thread on the main thread's mask: no difference. */
	t.n_groups = 1;
	t.groups[0].cpus = t.main_cpus;
	t.groups[0].threads = 7;
	thread_affinity_finish(&t);
	assert_false(t.differ);
}

/* This process: every thread is read, and they agree. */
static void test_threads_live(void **state)
{
	struct process_facts *p = calloc(1, sizeof(*p));
	struct err e = { "" };

	(void)state;
	assert_non_null(p);
	assert_int_equal(proc_read("", getpid(), p, &e), 0);
	assert_true(p->thread_affinity.read);
	assert_true(p->thread_affinity.threads >= 1);
	assert_int_equal(p->thread_affinity.threads, p->thread_affinity.threads_read);
	assert_false(p->thread_affinity.differ);
	assert_true(p->has_rss && p->vm_rss > 0);
	process_facts_release(p);
	free(p);
}

/* ---- who shares the memory cgroup ---- */

static void test_memshare_fixture(void **state)
{
	struct cgroup_facts cg = { 0 };
	struct memshare_facts ms;

	(void)state;
	cg.memory_version = 2;
	snprintf(cg.memory_dir, sizeof(cg.memory_dir), "%s", V2_LEAF);
	snprintf(cg.memory_limit_dir, sizeof(cg.memory_limit_dir), "/sys/fs/cgroup/services.slice");
	assert_int_equal(proc_read_memshare(fixture("psi-v2"), &cg, &ms), 0);
	assert_true(ms.known);
	assert_int_equal(ms.procs, 2);
	assert_false(ms.is_root);
	assert_true(ms.has_limit_usage);
	assert_true(ms.limit_usage_bytes == 943718400ull);
	/* The limit on the leaf itself: no ancestor usage read. */
	snprintf(cg.memory_limit_dir, sizeof(cg.memory_limit_dir), "%s", V2_LEAF);
	assert_int_equal(proc_read_memshare(fixture("psi-v2"), &cg, &ms), 0);
	assert_false(ms.has_limit_usage);
	/* No cgroup.procs in v2-quota: unknown, and said why. */
	assert_int_equal(proc_read_memshare(fixture("v2-quota"), &cg, &ms), 0);
	assert_false(ms.known);
	assert_int_equal(ms.err.code, -ENOENT);
	assert_non_null(strstr(ms.err.msg, "cgroup.procs"));
	/* The root of the hierarchy the target sees, as cgroup_collect resolves it. */
	assert_int_equal(cgroup_collect(fixture("v1-container"), 1, &cg), 0);
	assert_true(cg.memory_is_top);
	assert_int_equal(proc_read_memshare(fixture("v1-container"), &cg, &ms), 0);
	assert_true(ms.is_root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kernel_formats),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_collect_fixture_v2),
		cmocka_unit_test(test_collect_absent),
		cmocka_unit_test(test_collect_unreadable),
		cmocka_unit_test(test_collect_live),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_threads_fixture),
		cmocka_unit_test(test_thread_groups),
		cmocka_unit_test(test_threads_live),
		cmocka_unit_test(test_memshare_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
