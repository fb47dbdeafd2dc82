/* runtime checks judged on hand-built facts: where GOMAXPROCS comes from
 * and how the Go release decides its default, GOMEMLIMIT against the
 * container's memory limit, and who can reach pprof and expvar. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/err.h"
#include "test_checks.h"

/* ---- cpu.gomaxprocs ---- */

/* A Go target on the given CPUs, optionally under a CFS quota of its own
 * cgroup (quota_us per 100 ms period; 0 = none). */
static void go_target(struct facts *f, const char *go_version, const char *affinity, int64_t quota_us)
{
	target_on(f);
	f->proc.has_affinity = true;
	set_cpus(&f->proc.affinity, affinity);
	if (go_version)
		gb_version(&f->proc.gobuild, go_version);
	if (quota_us) {
		f->proc.cgroup.cpu_version = 2;
		f->proc.cgroup.has_quota = true;
		f->proc.cgroup.quota_us = quota_us;
		f->proc.cgroup.period_us = 100000;
		/* The quota is the process's own cgroup's (cpu.max there). */
		f->proc.cgroup.leaf_quota_us = quota_us;
		f->proc.cgroup.leaf_period_us = 100000;
		snprintf(f->proc.cgroup.cpu_dir, sizeof(f->proc.cgroup.cpu_dir), "/sys/fs/cgroup/order-api.service");
		snprintf(f->proc.cgroup.cpu_limit_dir, sizeof(f->proc.cgroup.cpu_limit_dir), "%s", f->proc.cgroup.cpu_dir);
	}
}

static void set_env(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

static void test_gomaxprocs_evidence_keys(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_target(t->f, "go1.26.8", "0-7", 0);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 8);
	assert_contains(ev_s(r, "source"), "derived");
	assert_int_equal(ev_i(r, "usable_cpus"), 8);
	assert_true(ev_null(r, "quota_cpus"));                      /* no quota */
}

static void test_gomaxprocs_source_precedence(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_target(t->f, "go1.26.8", "0-15", 0);
	t->f->proc.reported_gomaxprocs = 12;
	snprintf(t->f->proc.reported_gomaxprocs_from, sizeof(t->f->proc.reported_gomaxprocs_from),
		 "go_sched_gomaxprocs_threads at http://127.0.0.1:6060/metrics");
	set_env(&t->f->proc.env_gomaxprocs, "4");
	/* What the service reports beats the environment: its code set it. */
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 12);
	assert_contains(ev_s(r, "source"), "service");
	assert_contains(ev_s(r, "source"), "go_sched_gomaxprocs_threads");
	assert_contains(ev_s(r, "source"), "set by its code (the environment says 4)");
	assert_string_equal(ev_s(r, "origin"), "code");
	/* The report agrees with the environment: the environment set it. */
	set_env(&t->f->proc.env_gomaxprocs, "12");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "origin"), "environment");
	assert_contains(r->summary, "GOMAXPROCS=12 from the environment (/proc/4242/environ), as the service's own "
				    "metric go_sched_gomaxprocs_threads");
	/* No environment, and the report is Go's default: the default. */
	set_env(&t->f->proc.env_gomaxprocs, NULL);
	t->f->proc.reported_gomaxprocs = 16;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "origin"), "default");
	assert_contains(ev_s(r, "source"), "Go's default for this binary");
	/* No environment, and not the default: the code. */
	t->f->proc.reported_gomaxprocs = 4;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_string_equal(ev_s(r, "origin"), "code");
	assert_contains(ev_s(r, "source"), "Go's default would be 16");
	assert_contains(r->remedy, "runtime.GOMAXPROCS");
	assert_contains(r->remedy, "its own flag or setting");
	/* ...the environment beats the derived default... */
	set_env(&t->f->proc.env_gomaxprocs, "4");
	t->f->proc.reported_gomaxprocs = 0;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);         /* 4 < 16/2 */
	assert_int_equal(ev_i(r, "effective"), 4);
	assert_string_equal(ev_s(r, "source"), "the environment (/proc/4242/environ)");
	assert_string_equal(ev_s(r, "origin"), "environment");
	assert_contains(r->summary, "GOMAXPROCS=4 from the environment (/proc/4242/environ) uses less than");
	assert_contains(r->remedy, "GOMAXPROCS=4 comes from the service's environment");
	assert_contains(r->remedy, "Environment=GOMAXPROCS=16");
	assert_contains(r->remedy, "or unset it");
	assert_contains(r->remedy, "no rebuild needed");
	/* ...and a value the runtime ignores falls back to the default. */
	set_env(&t->f->proc.env_gomaxprocs, "eight");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 16);
	assert_contains(ev_s(r, "source"), "derived");
	set_env(&t->f->proc.env_gomaxprocs, "0");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 16);
	set_env(&t->f->proc.env_gomaxprocs, "-2");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 16);
}

static void test_gomaxprocs_before_go125_ignores_quota(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Go 1.24: the default is the affinity count, whatever the quota. */
	go_target(t->f, "go1.24.7", "0-15", 200000);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);         /* 16 > 2 x 2 */
	assert_int_equal(ev_i(r, "effective"), 16);
	assert_int_equal(ev_i(r, "quota_cpus"), 2);
	assert_int_equal(ev_i(r, "usable_cpus"), 16);
	assert_contains(ev_s(r, "source"), "go1.24.7");
	assert_contains(ev_s(r, "source"), "affinity");
	assert_string_equal(ev_s(r, "origin"), "default");
	assert_contains(r->summary, "GOMAXPROCS=16 from Go's default for go1.24.7");
	assert_contains(r->remedy, "GOMAXPROCS=2");
	/* The knob first (no rebuild), the code change after. */
	assert_true(strstr(r->remedy, "Environment=GOMAXPROCS=2") < strstr(r->remedy, "Go >= 1.25"));
	assert_contains(r->remedy, "no rebuild needed");
	/* The same value from the environment: change the environment; with
	 * Go < 1.25, unsetting it would not help, and the remedy says so. */
	set_env(&t->f->proc.env_gomaxprocs, "16");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	assert_contains(r->summary, "GOMAXPROCS=16 from the environment (/proc/4242/environ) is more than twice");
	assert_contains(r->remedy, "Environment=GOMAXPROCS=2");
	assert_contains(r->remedy, "once the binary is built with Go >= 1.25, unset it");
	set_env(&t->f->proc.env_gomaxprocs, NULL);

	/* Go 1.19 under a 1.5-CPU quota on 3 CPUs: 3 > 2 warns, not more. */
	gb_version(&t->f->proc.gobuild, "go1.19.13");
	set_cpus(&t->f->proc.affinity, "0-2");
	t->f->proc.cgroup.quota_us = 150000;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "effective"), 3);
	assert_int_equal(ev_i(r, "quota_cpus"), 2);
}

static void test_gomaxprocs_go125_container_aware(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* cgroup v2 cpu.max "150000 100000" on 16 CPUs: ceil(1.5) = 2. */
	go_target(t->f, "go1.25.0", "0-15", 150000);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "quota_cpus"), 2);
	assert_int_equal(ev_i(r, "effective"), 2);
	assert_int_equal(ev_i(r, "usable_cpus"), 16);
	assert_contains(ev_s(r, "source"), "container-aware");

	/* A quota of 4 CPUs: min(16, 4). */
	t->f->proc.cgroup.quota_us = 400000;
	t->f->proc.cgroup.leaf_quota_us = 400000;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 4);

	/* Half a CPU: the runtime raises the limit to 2, above the quota. */
	t->f->proc.cgroup.quota_us = 50000;
	t->f->proc.cgroup.leaf_quota_us = 50000;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "effective"), 2);
	assert_int_equal(ev_i(r, "quota_cpus"), 1);

	/* ...but never above the affinity: one CPU gives 1. */
	set_cpus(&t->f->proc.affinity, "3");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 1);

	/* No quota: the affinity count. */
	set_cpus(&t->f->proc.affinity, "0-15");
	t->f->proc.cgroup.has_quota = false;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 16);
	assert_true(ev_null(r, "quota_cpus"));
	/* An unlimited quota (cpu.max "max") is no quota either. */
	t->f->proc.cgroup.has_quota = true;
	t->f->proc.cgroup.quota_us = -1;
	t->f->proc.cgroup.leaf_quota_us = -1;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 16);
	assert_true(ev_null(r, "quota_cpus"));
}

static void test_gomaxprocs_go125_reads_the_leaf_cgroup_only(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* The quota binds on an ancestor (a slice's CPUQuota=) while the
	 * service's own cgroup says cpu.max "max". The kernel throttles at 2
	 * CPUs, but the Go runtime reads only the cgroup that holds the
	 * process (src/runtime/cgroup_linux.go, "We only read the limit from
	 * the leaf cgroup"), so it runs 16 Ps: more than twice the quota. */
	go_target(t->f, "go1.26.8", "0-15", 200000);
	snprintf(t->f->proc.cgroup.cpu_dir, sizeof(t->f->proc.cgroup.cpu_dir),
		 "/sys/fs/cgroup/services.slice/order.slice/order-api.service");
	snprintf(t->f->proc.cgroup.cpu_limit_dir, sizeof(t->f->proc.cgroup.cpu_limit_dir),
		 "/sys/fs/cgroup/services.slice/order.slice");
	t->f->proc.cgroup.leaf_quota_us = -1;
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "effective"), 16);
	assert_int_equal(ev_i(r, "quota_cpus"), 2);
	/* The remedy names the ancestor and the knobs, not a rebuild. */
	assert_contains(r->remedy, "/sys/fs/cgroup/services.slice/order.slice");
	assert_contains(r->remedy, "Environment=GOMAXPROCS=2");
	assert_contains(r->remedy, "CPUQuota=");
}

static void test_gomaxprocs_later_releases_and_devel(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_target(t->f, "go1.27.1", "0-15", 300000);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 3);
	gb_version(&t->f->proc.gobuild, "devel go1.28-4f8a2b1c Tue Nov 24 2026");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 3);
	gb_version(&t->f->proc.gobuild, "go1.25rc2");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 3);
}

static void test_gomaxprocs_default_godebug_turns_it_off(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Built by Go 1.26 from a module whose go line is 1.24: the linker
	 * records the old defaults in DefaultGODEBUG. */
	go_target(t->f, "go1.26.8", "0-15", 200000);
	gb_setting(&t->f->proc.gobuild, "-compiler", "gc");
	gb_setting(&t->f->proc.gobuild, "DefaultGODEBUG",
		   "asynctimerchan=1,containermaxprocs=0,decoratemappings=0,tlsmlkem=0,updatemaxprocs=0");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "effective"), 16);
	assert_contains(ev_s(r, "source"), "containermaxprocs=0");
	assert_contains(r->remedy, "remove it from GODEBUG");
	assert_contains(r->remedy, "GOMAXPROCS=2");

	/* GODEBUG in the environment overrides the binary's default. */
	set_env(&t->f->proc.env_godebug, "http2client=0,containermaxprocs=1");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 2);
	/* The last occurrence wins, as in the runtime. */
	set_env(&t->f->proc.env_godebug, "containermaxprocs=1,containermaxprocs=0");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "effective"), 16);
	/* An environment GODEBUG without the key leaves the default alone. */
	set_env(&t->f->proc.env_godebug, "madvdontneed=1");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "effective"), 16);
}

static void test_gomaxprocs_env_godebug_turns_it_off(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_target(t->f, "go1.26.8", "0-15", 200000);
	set_env(&t->f->proc.env_godebug, "containermaxprocs=0");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "effective"), 16);
	/* Only "0" turns it off. */
	set_env(&t->f->proc.env_godebug, "containermaxprocs=1");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	/* A key that merely ends in the name is another setting. */
	set_env(&t->f->proc.env_godebug, "xcontainermaxprocs=0");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
}

static void test_gomaxprocs_thresholds_against_quota(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	static const struct {
		const char *env;
		enum pf_status want;
	} cases[] = {
		{ "1", STATUS_WARN },  /* below half of 4 */
		{ "2", STATUS_PASS },  /* exactly half */
		{ "4", STATUS_PASS },
		{ "5", STATUS_WARN },  /* above the quota */
		{ "8", STATUS_WARN },  /* twice the quota is not above it */
		{ "9", STATUS_FAIL },  /* above twice the quota */
	};

	/* 16 CPUs, a 4-CPU quota. */
	go_target(t->f, "go1.24.7", "0-15", 400000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_env(&t->f->proc.env_gomaxprocs, cases[i].env);
		r = expect(t, "cpu.gomaxprocs", NULL, cases[i].want);
		assert_int_equal(ev_i(r, "quota_cpus"), 4);
		assert_int_equal(ev_i(r, "usable_cpus"), 16);
	}
	set_env(&t->f->proc.env_gomaxprocs, "5");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_contains(r->summary, "GOMAXPROCS=5");
	assert_contains(r->remedy, "GOMAXPROCS=4");
	set_env(&t->f->proc.env_gomaxprocs, "1");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_contains(r->remedy, "4");
	/* under_ratio is a parameter. */
	expect(t, "cpu.gomaxprocs", "{\"under_ratio\": 0.25}", STATUS_PASS);
}

static void test_gomaxprocs_usable_is_affinity_and_cpuset(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* No quota: capacity is the usable CPU count. */
	go_target(t->f, "go1.26.8", "0-7", 0);
	set_env(&t->f->proc.env_gomaxprocs, "3");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);             /* 3 < 4 */
	set_env(&t->f->proc.env_gomaxprocs, "9");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	set_env(&t->f->proc.env_gomaxprocs, "17");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);

	/* The cgroup cpuset narrows what the affinity allows. */
	set_cpus(&t->f->proc.affinity, "0-15");
	t->f->proc.cgroup.has_cpuset = true;
	set_cpus(&t->f->proc.cgroup.cpus, "0-3");
	set_env(&t->f->proc.env_gomaxprocs, "8");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "usable_cpus"), 4);
	set_env(&t->f->proc.env_gomaxprocs, "9");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_FAIL);
	/* The quota binds when it is smaller than the usable CPUs. */
	t->f->proc.cgroup.has_quota = true;
	t->f->proc.cgroup.quota_us = 200000;
	t->f->proc.cgroup.period_us = 100000;
	set_env(&t->f->proc.env_gomaxprocs, "4");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	set_env(&t->f->proc.env_gomaxprocs, "2");
	expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
}

static void test_gomaxprocs_unknown_and_errors(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "cpu.gomaxprocs", NULL, STATUS_SKIP);             /* no target */
	go_target(t->f, NULL, "0-3", 0);
	fact_err_setf(&t->f->proc.gobuild_err, -PF_ENOTGO,
		 "'/usr/bin/python3' is not a Go executable");
	/* Not a Go binary: skipped, even with a GOMAXPROCS in its
	 * environment, which means nothing to it. */
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_SKIP);
	assert_contains(r->summary, "not a Go binary");
	set_env(&t->f->proc.env_gomaxprocs, "4");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_SKIP);
	assert_contains(r->summary, "not a Go binary (/srv/order-api)");
	/* A Go binary whose build info could not be read: the environment
	 * alone is enough to judge. */
	fact_err_setf(&t->f->proc.gobuild_err, -EACCES, "cannot read the executable");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 4);
	t->f->proc.has_affinity = false;
	expect(t, "cpu.gomaxprocs", NULL, STATUS_ERROR);
}

/* /proc/PID/environ unreadable (a root service, an unprivileged user):
 * the default would be a guess, so error naming it -- unless the service
 * itself reported the value. An unreadable executable is an error too,
 * while a non-Go one stays a skip. */
static void test_gomaxprocs_environ_unreadable(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_target(t->f, "go1.22.0", "0-3", 0);
	expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	fact_err_setf(&t->f->proc.environ_err, -EACCES, "cannot read /proc/4242/environ: Permission denied "
		      PROC_PRIVILEGE_HINT);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_ERROR);
	assert_contains(r->summary, "GOMAXPROCS unknown: cannot read /proc/4242/environ: Permission denied");
	assert_contains(r->summary, "CAP_SYS_PTRACE");
	t->f->proc.reported_gomaxprocs = 4;
	snprintf(t->f->proc.reported_gomaxprocs_from, sizeof(t->f->proc.reported_gomaxprocs_from), "/metrics");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	/* The value is the service's own; who set it cannot be told. */
	assert_string_equal(ev_s(r, "origin"), "unknown");
	assert_contains(r->summary, "who set it is unknown (cannot read /proc/4242/environ");
	t->f->proc.reported_gomaxprocs = 1;                         /* 1 < 0.5 x 4 */
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_WARN);
	assert_contains(r->remedy, "Environment=GOMAXPROCS=4");
	assert_contains(r->remedy, "environment was unreadable");
	t->f->proc.reported_gomaxprocs = 0;
	t->f->proc.environ_err = (struct fact_err){ 0 };
	fact_err_setf(&t->f->proc.gobuild_err, -EACCES, "cannot read the executable '/proc/4242/exe': "
		      "Permission denied " PROC_PRIVILEGE_HINT);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_ERROR);
	assert_contains(r->summary, "/proc/4242/exe");
	/* Not a Go binary: the Go question does not apply, environ or not. */
	fact_err_setf(&t->f->proc.gobuild_err, -PF_ENOTGO, "'/usr/bin/python3' is not a Go executable");
	fact_err_setf(&t->f->proc.environ_err, -EACCES, "cannot read /proc/4242/environ: Permission denied");
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_SKIP);
	assert_contains(r->summary, "not a Go binary");
}

/* ---- mem.gomemlimit ---- */

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static void mem_target(struct facts *f, const char *go_version, uint64_t limit)
{
	target_on(f);
	gb_version(&f->proc.gobuild, go_version);
	f->proc.cgroup.has_memory = true;
	f->proc.cgroup.has_limit = limit != 0;
	f->proc.cgroup.limit_bytes = limit;
}

static void test_gomemlimit_missing_warns(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	mem_target(t->f, "go1.26.8", GiB);
	r = expect(t, "mem.gomemlimit", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "limit_bytes"), GiB);
	assert_int_equal(ev_i(r, "gomemlimit_bytes"), 0);
	assert_true(ev_null(r, "source"));
	assert_string_equal(ev_s(r, "origin"), "none");
	assert_contains(r->summary, "no GOMEMLIMIT (none in the environment, /proc/4242/environ; one set in code, "
				    "debug.SetMemoryLimit, would not show: no /metrics)");
	assert_contains(r->remedy, "90-95%");
	/* The knob first, in a form the runtime parses: 92% of 1 GiB. */
	assert_contains(r->remedy, "Environment=GOMEMLIMIT=942MiB");
	assert_true(strstr(r->remedy, "Environment=GOMEMLIMIT") < strstr(r->remedy, "debug.SetMemoryLimit"));
	assert_contains(r->remedy, "no rebuild needed");
	/* "off" is the runtime's spelling of no limit. */
	set_env(&t->f->proc.env_gomemlimit, "off");
	expect(t, "mem.gomemlimit", NULL, STATUS_WARN);
	/* No container limit, nothing to fit. */
	mem_target(t->f, "go1.26.8", 0);
	set_env(&t->f->proc.env_gomemlimit, NULL);
	expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
	set_env(&t->f->proc.env_gomemlimit, "4GiB");
	r = expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "gomemlimit_bytes"), 4 * GiB);
}

static void test_gomemlimit_ratio_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	static const struct {
		const char *env;
		uint64_t bytes;
		enum pf_status want;
	} cases[] = {
		{ "2GiB", 2 * GiB, STATUS_FAIL },
		{ "1025MiB", 1025 * MiB, STATUS_FAIL },
		{ "1GiB", GiB, STATUS_PASS },                   /* equal is not above */
		{ "943718400", 900 * MiB, STATUS_PASS },        /* bare bytes */
		{ "966367641B", 966367641, STATUS_PASS },
		{ "921600KiB", 900 * MiB, STATUS_PASS },
		{ "512MiB", 512 * MiB, STATUS_PASS },           /* exactly half */
		{ "511MiB", 511 * MiB, STATUS_WARN },
		{ "64MiB", 64 * MiB, STATUS_WARN },
	};

	mem_target(t->f, "go1.26.8", GiB);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_env(&t->f->proc.env_gomemlimit, cases[i].env);
		r = expect(t, "mem.gomemlimit", NULL, cases[i].want);
		assert_int_equal(ev_i(r, "gomemlimit_bytes"), cases[i].bytes);
		assert_string_equal(ev_s(r, "source"), "env GOMEMLIMIT");
		assert_near(ev_d(r, "ratio"), (double)cases[i].bytes / GiB);
	}
	set_env(&t->f->proc.env_gomemlimit, "2GiB");
	r = expect(t, "mem.gomemlimit", NULL, STATUS_FAIL);
	assert_contains(r->summary, "2.0 GiB");
	assert_contains(r->summary, "1.0 GiB");
	set_env(&t->f->proc.env_gomemlimit, "900MiB");
	expect(t, "mem.gomemlimit", "{\"low_ratio\": 0.9}", STATUS_WARN);
	set_env(&t->f->proc.env_gomemlimit, "2TiB");
	r = expect(t, "mem.gomemlimit", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "gomemlimit_bytes"), 2048 * GiB);
}

static void test_gomemlimit_malformed_fails(void **state)
{
	struct tc *t = *state;
	static const char *const bad[] = {
		"1GB", "1G", "0.9GiB", "-1", "GiB", "1gib", "1 GiB", " 1GiB", "1GiB ", "1e9", "0x100",
		"99999999999999999999",
	};
	struct check_result *r;

	mem_target(t->f, "go1.26.8", GiB);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_env(&t->f->proc.env_gomemlimit, bad[i]);
		r = expect(t, "mem.gomemlimit", NULL, STATUS_FAIL);
		assert_contains(r->summary, "malformed");
	}
}

static void test_gomemlimit_empty_is_unset(void **state)
{
	struct tc *t = *state;

	/* GOMEMLIMIT= (empty, e.g. 'docker run -e GOMEMLIMIT=') is no limit
	 * to the runtime, not a malformed one (runtime readGOMEMLIMIT). */
	mem_target(t->f, "go1.26.8", GiB);
	set_env(&t->f->proc.env_gomemlimit, "");
	expect(t, "mem.gomemlimit", NULL, STATUS_WARN);
	mem_target(t->f, "go1.26.8", 0);
	expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
}

static void test_gomemlimit_service_report_wins(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	mem_target(t->f, "go1.26.8", GiB);
	set_env(&t->f->proc.env_gomemlimit, "2GiB");
	/* debug.SetMemoryLimit at run time: the service's own number counts. */
	t->f->proc.reported_gomemlimit = (int64_t)(900 * MiB);
	r = expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "source"), "service");
	assert_string_equal(ev_s(r, "origin"), "code");
	assert_contains(r->summary, "from the service's own metric go_gc_gomemlimit_bytes; set by its code (the "
				    "environment says '2GiB')");
	assert_int_equal(ev_i(r, "gomemlimit_bytes"), 900 * MiB);
	/* Set by code and too low: the service's own setting first. */
	t->f->proc.reported_gomemlimit = (int64_t)(100 * MiB);
	r = expect(t, "mem.gomemlimit", NULL, STATUS_WARN);
	assert_contains(r->remedy, "debug.SetMemoryLimit");
	assert_contains(r->remedy, "overrides GOMEMLIMIT from the environment");
	/* The report equals the environment's value: the environment set it. */
	set_env(&t->f->proc.env_gomemlimit, "900MiB");
	t->f->proc.reported_gomemlimit = (int64_t)(900 * MiB);
	r = expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "origin"), "environment");
	assert_contains(r->summary, "GOMEMLIMIT=900.0 MiB from the environment (/proc/4242/environ), as the "
				    "service's own metric go_gc_gomemlimit_bytes confirms");
	set_env(&t->f->proc.env_gomemlimit, "2GiB");
	/* math.MaxInt64 is the runtime's "no limit": back to the env. */
	t->f->proc.reported_gomemlimit = INT64_MAX;
	r = expect(t, "mem.gomemlimit", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "source"), "env GOMEMLIMIT");
	assert_string_equal(ev_s(r, "origin"), "environment");
	assert_contains(r->summary, "GOMEMLIMIT=2.0 GiB from the environment (/proc/4242/environ) is above");
	assert_contains(r->remedy, "in place of the one in the service's environment");
	assert_contains(r->remedy, "Environment=GOMEMLIMIT=942MiB");
}

static void test_gomemlimit_environ_unreadable(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	mem_target(t->f, "go1.22.0", 0);
	expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
	fact_err_setf(&t->f->proc.environ_err, -EACCES, "cannot read /proc/4242/environ: Permission denied "
		      PROC_PRIVILEGE_HINT);
	r = expect(t, "mem.gomemlimit", NULL, STATUS_ERROR);
	assert_contains(r->summary, "GOMEMLIMIT unknown: cannot read /proc/4242/environ");
	/* The service's own report needs no environment, but who set it is
	 * then unknown, never "its code". */
	t->f->proc.reported_gomemlimit = 512 * (int64_t)MiB;
	r = expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "origin"), "unknown");
	assert_contains(r->summary, "who set it is unknown (/proc/4242/environ unreadable)");
	t->f->proc.cgroup.has_limit = true;
	t->f->proc.cgroup.limit_bytes = 2 * GiB;
	r = expect(t, "mem.gomemlimit", NULL, STATUS_WARN);         /* 512 MiB < half of 2 GiB */
	assert_contains(r->remedy, "Environment=GOMEMLIMIT=1884MiB");
	assert_contains(r->remedy, "that overrides the environment");
	t->f->proc.cgroup.has_limit = false;
	t->f->proc.cgroup.limit_bytes = 0;
	/* "No container memory limit" must have been read, not assumed. */
	t->f->proc.cgroup.has_memory = false;
	fact_err_setf(&t->f->proc.cgroup.err, -ENOENT, "could not read '/proc/4242/cgroup': No such file or directory");
	r = expect(t, "mem.gomemlimit", NULL, STATUS_ERROR);
	assert_contains(r->summary, "memory limit unknown");
}

static void test_gomemlimit_before_go119_warns(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	mem_target(t->f, "go1.18.10", GiB);
	set_env(&t->f->proc.env_gomemlimit, "900MiB");
	r = expect(t, "mem.gomemlimit", NULL, STATUS_WARN);
	assert_contains(r->summary, "go1.18.10 ignores it");
	gb_version(&t->f->proc.gobuild, "go1.19");
	expect(t, "mem.gomemlimit", NULL, STATUS_PASS);
}

static void test_gomemlimit_malformed_before_go119(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Go 1.18 never reads GOMEMLIMIT, so a malformed value cannot stop
	 * it from starting: it is set-but-ignored (warn), not fatal. */
	mem_target(t->f, "go1.18.10", GiB);
	set_env(&t->f->proc.env_gomemlimit, "900M");
	r = expect(t, "mem.gomemlimit", NULL, STATUS_WARN);
	assert_contains(r->summary, "ignores it");
}

static void test_gomemlimit_skip_without_target(void **state)
{
	struct tc *t = *state;

	expect(t, "mem.gomemlimit", NULL, STATUS_SKIP);
}

/* ---- sec.pprof-exposure ---- */

static void endpoints(struct facts *f, size_t n)
{
	target_on(f);
	f->proc.endpoints = calloc(n, sizeof(*f->proc.endpoints));
	assert_non_null(f->proc.endpoints);
	f->proc.n_endpoints = n;
}

static void endpoint(struct facts *f, size_t i, const char *addr, bool loopback, bool pprof, bool expvar,
		     bool metrics)
{
	struct endpoint_facts *e = &f->proc.endpoints[i];

	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	e->loopback_only = loopback;
	e->http = pprof || expvar || metrics;
	e->pprof = pprof;
	e->expvar = expvar;
	e->metrics = metrics;
}

static void test_pprof_beyond_loopback_fails(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *arr;

	endpoints(t->f, 2);
	endpoint(t->f, 0, "0.0.0.0:6060", false, true, true, false);
	endpoint(t->f, 1, "127.0.0.1:9090", true, false, false, true);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "0.0.0.0:6060 serves /debug/pprof/ and /debug/vars");
	assert_true(ev_b(r, "pprof"));
	assert_true(ev_b(r, "expvar"));
	arr = ev(r, "endpoints");
	assert_int_equal(json_array_size(arr), 2);
	assert_false(json_is_true(json_object_get(json_array_get(arr, 0), "loopback_only")));
	assert_true(json_is_true(json_object_get(json_array_get(arr, 1), "metrics")));
	assert_contains(r->remedy, "127.0.0.1");

	/* IPv6 wildcard, pprof only. */
	endpoint(t->f, 0, "[::]:6060", false, true, false, false);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "[::]:6060 serves /debug/pprof/ beyond loopback");
}

static void test_expvar_beyond_loopback_fails(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* pprof kept on loopback, but /debug/vars (the command line) on the
	 * public port. */
	endpoints(t->f, 2);
	endpoint(t->f, 0, "127.0.0.1:6060", true, true, false, false);
	endpoint(t->f, 1, "10.0.0.7:8080", false, false, true, true);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "10.0.0.7:8080 serves /debug/vars");
	assert_null(strstr(r->summary, "127.0.0.1"));
}

static void test_pprof_loopback_only_passes(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	endpoints(t->f, 3);
	endpoint(t->f, 0, "127.0.0.1:6060", true, true, true, false);
	endpoint(t->f, 1, "[::1]:6061", true, true, false, false);
	endpoint(t->f, 2, "0.0.0.0:8080", false, false, false, true);  /* metrics may be public */
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_PASS);
	assert_true(ev_b(r, "pprof"));
	assert_contains(r->summary, "loopback only");
}

static void test_pprof_missing_warns(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_WARN);     /* no listeners */
	assert_false(ev_b(r, "pprof"));
	assert_int_equal(json_array_size(ev(r, "endpoints")), 0);
	endpoints(t->f, 1);
	endpoint(t->f, 0, "0.0.0.0:8080", false, false, false, false);
	fact_err_setf(&t->f->proc.endpoints[0].probe_err, -EIO,
		 "timed out after 2000 ms");
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_WARN);
	assert_contains(r->summary, "no listener of pid 4242 serves /debug/pprof/");
	assert_contains(r->remedy, "net/http/pprof");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev(r, "endpoints"), 0), "probe_error")),
			    "timed out after 2000 ms");
	/* expvar on loopback without pprof still leaves no way to profile. */
	endpoint(t->f, 0, "127.0.0.1:8080", true, false, true, false);
	expect(t, "sec.pprof-exposure", NULL, STATUS_WARN);
}

static void test_pprof_skip_and_error(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "sec.pprof-exposure", NULL, STATUS_SKIP);
	target_on(t->f);
	fact_err_setf(&t->f->proc.exited, -ESRCH, "pid 4242 exited during the check");
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_ERROR);
	assert_string_equal(r->summary, "pid 4242 exited during the check");
}

/* No listener seen is a warning only when the listeners were known. */
static void test_pprof_listeners_unknown(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	expect(t, "sec.pprof-exposure", NULL, STATUS_WARN);
	fact_err_setf(&t->f->proc.sockets_err, -EACCES, "sockets of pid 4242 unknown (the census needs its socket inodes): cannot read /proc/4242/fd: Permission denied " PROC_PRIVILEGE_HINT);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_ERROR);
	assert_contains(r->summary, "listeners unknown");
	assert_contains(r->summary, "cannot read /proc/4242/fd: Permission denied");
	assert_null(strstr(r->summary, "no pprof found"));
}

/* TLS does not change the verdict: pprof over TLS beyond loopback fails
 * whether or not its certificate verified (the probe looks without
 * trusting it), and on loopback it passes; the evidence says which
 * listeners speak TLS and whether their certificates verified. */
static void test_pprof_over_tls(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *e0, *e1;

	endpoints(t->f, 2);
	endpoint(t->f, 0, "0.0.0.0:2379", false, true, false, true);
	t->f->proc.endpoints[0].tls = true;
	fact_err_setf(&t->f->proc.endpoints[0].tls_err, -PF_EUNTRUSTED,
		      "https://127.0.0.1:2379/debug/pprof/: SSL certificate problem: unable to get local issuer "
		      "certificate (pass --cacert FILE or --insecure)");
	endpoint(t->f, 1, "127.0.0.1:2381", true, false, false, true);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "0.0.0.0:2379 serves /debug/pprof/ (over TLS) beyond loopback");
	assert_contains(r->remedy, "TLS does not help");
	e0 = json_array_get(ev(r, "endpoints"), 0);
	e1 = json_array_get(ev(r, "endpoints"), 1);
	assert_true(json_is_true(json_object_get(e0, "tls")));
	assert_true(json_is_false(json_object_get(e0, "tls_verified")));
	assert_contains(json_string_value(json_object_get(e0, "tls_error")), "unable to get local issuer");
	assert_true(json_is_false(json_object_get(e1, "tls")));
	assert_null(json_object_get(e1, "tls_verified"));

	/* verified: the same failure, no tls_error */
	t->f->proc.endpoints[0].tls_verified = true;
	memset(&t->f->proc.endpoints[0].tls_err, 0, sizeof(t->f->proc.endpoints[0].tls_err));
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_FAIL);
	e0 = json_array_get(ev(r, "endpoints"), 0);
	assert_true(json_is_true(json_object_get(e0, "tls_verified")));
	assert_null(json_object_get(e0, "tls_error"));

	/* the same TLS listener bound to loopback passes */
	endpoint(t->f, 0, "127.0.0.1:2379", true, true, false, true);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_PASS);
	assert_contains(r->summary, "loopback only");

	/* a plain exposure says nothing about TLS */
	endpoint(t->f, 0, "0.0.0.0:6060", false, true, false, false);
	t->f->proc.endpoints[0].tls = false;
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_FAIL);
	assert_null(strstr(r->summary, "TLS"));
	assert_null(strstr(r->remedy, "TLS"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TC(test_gomaxprocs_evidence_keys),
		TC(test_gomaxprocs_source_precedence),
		TC(test_gomaxprocs_before_go125_ignores_quota),
		TC(test_gomaxprocs_go125_container_aware),
		TC(test_gomaxprocs_go125_reads_the_leaf_cgroup_only),
		TC(test_gomaxprocs_later_releases_and_devel),
		TC(test_gomaxprocs_default_godebug_turns_it_off),
		TC(test_gomaxprocs_env_godebug_turns_it_off),
		TC(test_gomaxprocs_thresholds_against_quota),
		TC(test_gomaxprocs_usable_is_affinity_and_cpuset),
		TC(test_gomaxprocs_unknown_and_errors),
		TC(test_gomaxprocs_environ_unreadable),
		TC(test_gomemlimit_missing_warns),
		TC(test_gomemlimit_ratio_boundaries),
		TC(test_gomemlimit_malformed_fails),
		TC(test_gomemlimit_empty_is_unset),
		TC(test_gomemlimit_service_report_wins),
		TC(test_gomemlimit_environ_unreadable),
		TC(test_gomemlimit_before_go119_warns),
		TC(test_gomemlimit_malformed_before_go119),
		TC(test_gomemlimit_skip_without_target),
		TC(test_pprof_beyond_loopback_fails),
		TC(test_expvar_beyond_loopback_fails),
		TC(test_pprof_loopback_only_passes),
		TC(test_pprof_missing_warns),
		TC(test_pprof_skip_and_error),
		TC(test_pprof_listeners_unknown),
		TC(test_pprof_over_tls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
