/* The checks on the new host facts, judged on hand-built facts: host.pressure
 * (PSI) on both sides of every threshold, CPU and memory pressure in the GC
 * remedies and the knobs' sources, per-thread affinity in
 * cpu.affinity-numa, the service's share of a shared memory cgroup, and the
 * "not a Go binary" skip of every Go check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_checks.h"

/* ---- PSI facts by hand ---- */

/* One resource read at the start only (window 0): the kernel's averages. */
static void psi_avg(struct psi_scope *s, enum psi_res res, double some10, double full10, bool has_full)
{
	struct psi_resource *r = &s->res[res];

	s->attempted = true;
	r->state = PSI_OK;
	r->start.some = (struct psi_line){ true, some10, some10, some10, 1000 };
	r->start.full = (struct psi_line){ has_full, full10, full10, full10, 500 };
	r->has_end = false;
}

/* The same with a second read window_s later whose total= grew by share. */
static void psi_window(struct psi_scope *s, enum psi_res res, double avg10, double some_share, double full_share,
		       double window_s)
{
	struct psi_resource *r = &s->res[res];

	psi_avg(s, res, avg10, avg10, true);
	r->has_end = true;
	r->t_start = 100;
	r->t_end = 100 + window_s;
	r->end = r->start;
	r->end.some.total_us = r->start.some.total_us + (uint64_t)(some_share * window_s * 1e6 + 0.5);
	r->end.full.total_us = r->start.full.total_us + (uint64_t)(full_share * window_s * 1e6 + 0.5);
}

/* A quiet host: every resource read, nothing stalled. */
static void quiet_host(struct facts *f)
{
	snprintf(f->psi.host.dir, sizeof(f->psi.host.dir), "/proc/pressure");
	psi_avg(&f->psi.host, PSI_CPU, 0, 0, false);
	psi_avg(&f->psi.host, PSI_MEMORY, 0, 0, true);
	psi_avg(&f->psi.host, PSI_IO, 0, 0, true);
}

/* ---- host.pressure ---- */

static void test_pressure_absent_skips(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Never looked for (as in a hand-built run): no PSI. */
	r = expect(t, "host.pressure", NULL, STATUS_SKIP);
	assert_contains(r->summary, "PSI not available (kernel built without CONFIG_PSI or psi=0 boot param)");
	t->f->psi.host.attempted = true;
	snprintf(t->f->psi.host.absent, sizeof(t->f->psi.host.absent),
		 "PSI not available (kernel built without CONFIG_PSI or psi=0 boot param): no /proc/pressure");
	r = expect(t, "host.pressure", NULL, STATUS_SKIP);
	assert_contains(r->summary, "psi=0 boot param");
	/* A target's cgroup without PSI changes nothing. */
	target_on(t->f);
	t->f->psi.cgroup.attempted = true;
	snprintf(t->f->psi.cgroup.absent, sizeof(t->f->psi.cgroup.absent), "pid 4242 is in no cgroup v2 hierarchy");
	expect(t, "host.pressure", NULL, STATUS_SKIP);
	/* Nor does a cgroup that could not be found: without PSI in the
	 * kernel no cgroup has it either. */
	t->f->psi.cgroup.absent[0] = '\0';
	t->f->psi.cgroup.res[PSI_CPU].state = PSI_FAILED;
	fact_err_setf(&t->f->psi.cgroup.res[PSI_CPU].err, -ENOENT, "cannot find the cgroup of pid 4242");
	r = expect(t, "host.pressure", NULL, STATUS_SKIP);
	assert_contains(r->summary, "CONFIG_PSI");
	/* With PSI on the host, that cgroup failure is an error. */
	quiet_host(t->f);
	t->f->psi.host.absent[0] = '\0';
	r = expect(t, "host.pressure", NULL, STATUS_ERROR);
	assert_contains(r->summary, "cannot find the cgroup of pid 4242");
}

static void test_pressure_unreadable_errors(void **state)
{
	struct tc *t = *state;
	struct psi_resource *cpu = &t->f->psi.host.res[PSI_CPU];
	struct check_result *r;

	quiet_host(t->f);
	cpu->state = PSI_FAILED;
	fact_err_setf(&cpu->err, -EACCES, "cannot read '/proc/pressure/cpu': Permission denied (run as root)");
	r = expect(t, "host.pressure", NULL, STATUS_ERROR);
	assert_contains(r->summary, "/proc/pressure/cpu");
	assert_contains(r->summary, "Permission denied");
	/* Every file unreadable: still an error, never a skip. */
	t->f->psi.host.res[PSI_MEMORY] = *cpu;
	t->f->psi.host.res[PSI_IO] = *cpu;
	r = expect(t, "host.pressure", NULL, STATUS_ERROR);
	assert_contains(r->summary, "Permission denied");
	/* What was read fails: the fail stands (worse than the error). */
	quiet_host(t->f);
	psi_avg(&t->f->psi.host, PSI_IO, 0.6, 0.6, true);
	t->f->psi.host.res[PSI_CPU] = *cpu;
	t->f->psi.host.res[PSI_CPU].state = PSI_FAILED;
	fact_err_setf(&t->f->psi.host.res[PSI_CPU].err, -EIO, "cannot read '/proc/pressure/cpu': I/O error");
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "io full 60.0%");
	assert_contains(r->summary, "unreadable");
	/* What was read only warns: the error wins. */
	psi_avg(&t->f->psi.host, PSI_IO, 0.2, 0.2, true);
	r = expect(t, "host.pressure", NULL, STATUS_ERROR);
	assert_contains(r->summary, "I/O error");
}

static void test_pressure_cpu_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	quiet_host(t->f);
	/* avg10 (no window): exactly at a threshold does not trip it. */
	psi_avg(&t->f->psi.host, PSI_CPU, 0.20, 0, false);
	r = expect(t, "host.pressure", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "judged"), "avg10");
	assert_string_equal(ev_s(r, "worst"), "host cpu some");
	assert_near(ev_d(r, "worst_share"), 0.20);
	assert_contains(r->summary, "cpu some 20.0%");
	psi_avg(&t->f->psi.host, PSI_CPU, 0.2001, 0, false);
	r = expect(t, "host.pressure", NULL, STATUS_WARN);
	assert_contains(r->summary, "cpu some 20.0% avg10 (host; warn above 20%");
	assert_contains(r->remedy, "GOMAXPROCS");
	psi_avg(&t->f->psi.host, PSI_CPU, 0.50, 0, false);
	expect(t, "host.pressure", NULL, STATUS_WARN);
	psi_avg(&t->f->psi.host, PSI_CPU, 0.5001, 0, false);
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "fail above 50%");
	/* The host: 96 %. */
	psi_avg(&t->f->psi.host, PSI_CPU, 0.96, 0, false);
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "cpu some 96.0%");
	/* An older kernel has no cpu "full" line: the evidence says null. */
	assert_true(json_is_null(json_object_get(json_object_get(ev(r, "host"), "cpu"), "full")));
	assert_contains(r->remedy, "GOMAXPROCS");
	/* A non-Go target gets no Go knob. */
	target_on(t->f);
	fact_err_setf(&t->f->proc.gobuild_err, -PF_ENOTGO, "not Go");
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_null(strstr(r->remedy, "GOMAXPROCS"));
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.5, 0, true);
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_null(strstr(r->remedy, "GOMEMLIMIT"));
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0, 0, true);
	t->f->proc = (struct process_facts){ 0 };
	/* Overrides. */
	expect(t, "host.pressure", "{\"cpu_some_warn\": 0.96, \"cpu_some_fail\": 0.99}", STATUS_PASS);
	expect(t, "host.pressure", "{\"cpu_some_warn\": 0.5, \"cpu_some_fail\": 0.959}", STATUS_FAIL);
}

static void test_pressure_window_rate(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *some;

	quiet_host(t->f);
	/* The window's own rate is judged, not the kernel's avg10: a host
	 * that was busy before the window and is quiet during it passes. */
	psi_window(&t->f->psi.host, PSI_CPU, 0.90, 0.20, 0, 2.0);
	r = expect(t, "host.pressure", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "judged"), "window");
	assert_near(ev_d(r, "window_s"), 2.0);
	some = json_object_get(json_object_get(ev(r, "host"), "cpu"), "some");
	assert_near(json_real_value(json_object_get(some, "window")), 0.20);
	assert_near(json_real_value(json_object_get(some, "avg10")), 0.90);
	assert_true(json_integer_value(json_object_get(some, "total_us")) == 1000 + 400000);
	psi_window(&t->f->psi.host, PSI_CPU, 0, 0.2005, 0, 2.0);
	r = expect(t, "host.pressure", NULL, STATUS_WARN);
	assert_contains(r->summary, "over the 2.0 s window");
	/* A window under half a second falls back to avg10. */
	psi_window(&t->f->psi.host, PSI_CPU, 0.90, 0.0, 0, 0.4);
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "judged"), "avg10");
	/* total= that went backwards is no rate. */
	psi_window(&t->f->psi.host, PSI_CPU, 0.1, 0, 0, 2.0);
	t->f->psi.host.res[PSI_CPU].end.some.total_us = 0;
	r = expect(t, "host.pressure", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "judged"), "avg10");
	/* Stalls beyond the clock's own count are capped at 100 %. */
	psi_window(&t->f->psi.host, PSI_CPU, 0, 1.5, 0, 2.0);
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_near(ev_d(r, "worst_share"), 1.0);
}

static void test_pressure_memory_io_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	quiet_host(t->f);
	/* memory some: 0.10 / 0.30 */
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.10, 0, true);
	expect(t, "host.pressure", NULL, STATUS_PASS);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.1001, 0, true);
	r = expect(t, "host.pressure", NULL, STATUS_WARN);
	assert_contains(r->summary, "memory some");
	assert_contains(r->remedy, "GOMEMLIMIT");
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.30, 0, true);
	expect(t, "host.pressure", NULL, STATUS_WARN);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.3001, 0, true);
	expect(t, "host.pressure", NULL, STATUS_FAIL);
	/* memory full: 0.02 / 0.10 */
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0, 0.02, true);
	expect(t, "host.pressure", NULL, STATUS_PASS);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0, 0.0201, true);
	r = expect(t, "host.pressure", NULL, STATUS_WARN);
	assert_contains(r->summary, "memory full");
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0, 0.10, true);
	expect(t, "host.pressure", NULL, STATUS_WARN);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0, 0.1001, true);
	expect(t, "host.pressure", NULL, STATUS_FAIL);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0, 0, true);
	/* io full: 0.10 / 0.30; io some alone is not judged. */
	psi_avg(&t->f->psi.host, PSI_IO, 0.95, 0.10, true);
	expect(t, "host.pressure", NULL, STATUS_PASS);
	psi_avg(&t->f->psi.host, PSI_IO, 0, 0.1001, true);
	r = expect(t, "host.pressure", NULL, STATUS_WARN);
	assert_contains(r->summary, "io full");
	assert_contains(r->remedy, "fsync");
	psi_avg(&t->f->psi.host, PSI_IO, 0, 0.30, true);
	expect(t, "host.pressure", NULL, STATUS_WARN);
	psi_avg(&t->f->psi.host, PSI_IO, 0, 0.3001, true);
	expect(t, "host.pressure", NULL, STATUS_FAIL);
}

static void test_pressure_cgroup_scope(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	quiet_host(t->f);
	target_on(t->f);
	/* The target's cgroup has no PSI (v1): the host is judged, and the
	 * evidence says why the cgroup is not. */
	t->f->psi.cgroup.attempted = true;
	snprintf(t->f->psi.cgroup.absent, sizeof(t->f->psi.cgroup.absent),
		 "pid 4242 is in no cgroup v2 hierarchy (cgroup v1 has no pressure files)");
	r = expect(t, "host.pressure", NULL, STATUS_PASS);
	assert_true(ev_null(r, "cgroup"));
	assert_contains(ev_s(r, "cgroup_absent"), "cgroup v1");
	/* A cgroup that stalls on memory while the host is quiet. */
	t->f->psi.cgroup.absent[0] = '\0';
	snprintf(t->f->psi.cgroup.dir, sizeof(t->f->psi.cgroup.dir), "/sys/fs/cgroup/order.service");
	psi_avg(&t->f->psi.cgroup, PSI_CPU, 0, 0, true);
	psi_avg(&t->f->psi.cgroup, PSI_MEMORY, 0.35, 0.04, true);
	psi_avg(&t->f->psi.cgroup, PSI_IO, 0, 0, true);
	r = expect(t, "host.pressure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "memory some 35.0%");
	assert_contains(r->summary, "(cgroup;");
	assert_contains(r->summary, "more stalls");       /* memory full warns too */
	assert_string_equal(ev_s(r, "worst"), "cgroup memory some");
	assert_string_equal(json_string_value(json_object_get(ev(r, "cgroup"), "dir")),
			    "/sys/fs/cgroup/order.service");
	/* Without a target the cgroup is not looked at. */
	t->f->proc.present = false;
	r = expect(t, "host.pressure", NULL, STATUS_PASS);
	assert_false(ev_has(r, "cgroup"));
}

/* The registry's rules for the new parameters: ratios, warn at most fail. */
static void test_pressure_params_validated(void **state)
{
	const struct check_def *d = registry_find("host.pressure");
	const struct param_def *warn, *fail;
	char why[256];

	(void)state;
	assert_non_null(d);
	warn = check_param_find(d, "memory_full_warn");
	fail = check_param_find(d, "memory_full_fail");
	assert_non_null(warn);
	assert_non_null(fail);
	assert_int_equal(warn->kind, PK_RATIO);
	assert_int_equal(param_check_num(warn, 1.5, false, "1.5", why, sizeof(why)), -ERANGE);
	assert_contains(why, "a ratio from 0 to 1");
	assert_int_equal(param_check_num(warn, -0.1, false, "-0.1", why, sizeof(why)), -ERANGE);
	assert_int_equal(param_check_order(warn, 0.2, false, fail, 0.1, true, why, sizeof(why)), -ERANGE);
	assert_contains(why, "memory_full_warn 0.2 is above memory_full_fail 0.1 (the default)");
	assert_int_equal(param_check_order(warn, 0.1, false, fail, 0.1, true, why, sizeof(why)), 0);
	assert_int_equal(check_param_find(registry_find("go.gc-pause"), "cpu_starved")->kind, PK_RATIO);
	assert_int_equal(check_param_find(registry_find("go.heap-pressure"), "memory_pressure")->kind, PK_RATIO);
	assert_int_equal(check_param_find(registry_find("go.gc-cpu"), "memory_pressure")->kind, PK_RATIO);
}

/* ---- PSI in the GC checks ---- */

static void go_surfaces(struct facts *f)
{
	target_on(f);
	f->go.attempted = true;
	snprintf(f->go.vars_url, sizeof(f->go.vars_url), "http://127.0.0.1:6060");
}

static struct go_memstats *add_sample(struct facts *f, double t)
{
	struct goruntime_facts *g = &f->go;

	g->samples = realloc(g->samples, (g->n_samples + 1) * sizeof(*g->samples));
	g->sample_times = realloc(g->sample_times, (g->n_samples + 1) * sizeof(*g->sample_times));
	assert_non_null(g->samples);
	assert_non_null(g->sample_times);
	memset(&g->samples[g->n_samples], 0, sizeof(*g->samples));
	g->samples[g->n_samples].ok = true;
	g->samples[g->n_samples].source = "expvar";
	g->sample_times[g->n_samples] = t;
	return &g->samples[g->n_samples++];
}

static void test_gc_pause_cpu_starved(void **state)
{
	struct tc *t = *state;
	struct go_memstats *m;
	struct check_result *r;

	go_surfaces(t->f);
	m = add_sample(t->f, 1);
	m->has_pause_ring = true;
	m->num_gc = 3;
	m->pause_ns[0] = m->pause_ns[1] = 1000000;
	m->pause_ns[2] = 60000000;
	/* No PSI: the GC remedy, confirmed with gctrace first. */
	r = expect(t, "go.gc-pause", NULL, STATUS_FAIL);
	assert_true(ev_null(r, "cpu_pressure"));
	assert_contains(r->remedy, "GODEBUG=gctrace=1");
	assert_true(strstr(r->remedy, "GODEBUG=gctrace=1") < strstr(r->remedy, "go tool trace"));
	/* CPU pressure exactly at cpu_starved: not starved. */
	quiet_host(t->f);
	psi_avg(&t->f->psi.host, PSI_CPU, 0.20, 0, false);
	r = expect(t, "go.gc-pause", NULL, STATUS_FAIL);
	assert_near(ev_d(r, "cpu_pressure"), 0.20);
	assert_string_equal(ev_s(r, "cpu_pressure_scope"), "host");
	assert_null(strstr(r->summary, "starved"));
	/* Just above: the CPU comes first, in the summary and the remedy. */
	psi_avg(&t->f->psi.host, PSI_CPU, 0.96, 0, false);
	r = expect(t, "go.gc-pause", NULL, STATUS_FAIL);
	assert_contains(r->summary, "the CPU is starved: cpu some avg10 96.0%");
	assert_contains(r->summary, "(host)");
	assert_true(strncmp(r->remedy, "the CPU is starved", 18) == 0);
	assert_contains(r->remedy, "cpu.throttling");
	assert_contains(r->remedy, "GOMAXPROCS");
	assert_true(strstr(r->remedy, "quota") < strstr(r->remedy, "GODEBUG=gctrace=1"));
	psi_avg(&t->f->psi.host, PSI_CPU, 0.2001, 0, false);
	r = expect(t, "go.gc-pause", NULL, STATUS_FAIL);
	assert_contains(r->summary, "starved");
	/* The target's cgroup, when read, is what the service felt. */
	snprintf(t->f->psi.cgroup.dir, sizeof(t->f->psi.cgroup.dir), "/sys/fs/cgroup/order.service");
	psi_window(&t->f->psi.cgroup, PSI_CPU, 0.1, 0.05, 0, 2.0);
	r = expect(t, "go.gc-pause", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "cpu_pressure_scope"), "cgroup");
	assert_null(strstr(r->summary, "starved"));
	/* A warn is explained the same way; a pass is left alone. */
	psi_window(&t->f->psi.cgroup, PSI_CPU, 0.1, 0.5, 0, 2.0);
	m->pause_ns[2] = 11000000;
	r = expect(t, "go.gc-pause", NULL, STATUS_WARN);
	assert_contains(r->summary, "over the 2.0 s window");
	m->pause_ns[2] = 9000000;
	r = expect(t, "go.gc-pause", NULL, STATUS_PASS);
	assert_null(r->remedy);
	/* The parameter. */
	m->pause_ns[2] = 60000000;
	r = expect(t, "go.gc-pause", "{\"cpu_starved\": 0.6}", STATUS_FAIL);
	assert_null(strstr(r->summary, "starved"));
}

/* Samples with one GC cycle between them and the given trough. */
static void heap_at(struct facts *f, double trough)
{
	for (int i = 0; i < 3; i++) {
		struct go_memstats *m = add_sample(f, 1000 + i * 0.2);

		m->num_gc = i ? 101 : 100;
		m->next_gc = 100u << 20;
		m->heap_alloc = (uint64_t)((i == 1 ? trough : 0.95) * (double)m->next_gc);
	}
}

static void test_heap_knobs_and_memory_pressure(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_surfaces(t->f);
	heap_at(t->f, 0.9);
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	/* Where each knob came from. */
	assert_string_equal(ev_s(r, "gogc"), "100");
	assert_string_equal(ev_s(r, "gogc_source"), "Go default");
	assert_string_equal(ev_s(r, "gomemlimit"), "none");
	assert_contains(r->summary, "GOGC=100 (Go default)");
	assert_contains(r->summary, "memstats from expvar");
	/* The runtime knob before the code change. */
	assert_true(strstr(r->remedy, "GOGC") < strstr(r->remedy, "pprof"));
	assert_contains(r->remedy, "Environment=GOGC=");
	assert_contains(r->remedy, "GODEBUG=gctrace=1");
	t->f->proc.env_gogc = xstrdup("50");
	t->f->proc.env_gomemlimit = xstrdup("900MiB");
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "gogc"), "50");
	assert_string_equal(ev_s(r, "gogc_source"), "env GOGC");
	assert_string_equal(ev_s(r, "gomemlimit"), "900MiB");
	assert_string_equal(ev_s(r, "gomemlimit_source"), "env GOMEMLIMIT");
	/* The service's own report wins over the environment. */
	t->f->proc.reported_gomemlimit = 512ll << 20;
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "gomemlimit"), "512.0 MiB");
	assert_contains(ev_s(r, "gomemlimit_source"), "go_gc_gomemlimit_bytes");
	/* Memory pressure at the threshold: the GC remedy; above: memory first. */
	quiet_host(t->f);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.10, 0, true);
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	assert_near(ev_d(r, "memory_pressure"), 0.10);
	assert_null(strstr(r->summary, "memory is short"));
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.1001, 0, true);
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	assert_contains(r->summary, "memory is short: memory some avg10 10.0%");
	assert_true(strstr(r->remedy, "raise the cgroup limit") < strstr(r->remedy, "GOMEMLIMIT"));
	expect(t, "go.heap-pressure", "{\"memory_pressure\": 0.2}", STATUS_FAIL);
	/* Unreadable environment: the knobs are unknown, not the defaults. */
	free(t->f->proc.env_gogc);
	t->f->proc.env_gogc = NULL;
	free(t->f->proc.env_gomemlimit);
	t->f->proc.env_gomemlimit = NULL;
	t->f->proc.reported_gomemlimit = 0;
	fact_err_setf(&t->f->proc.environ_err, -EACCES, "cannot read /proc/4242/environ: Permission denied");
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "gogc"), "unknown");
	assert_string_equal(ev_s(r, "gomemlimit_source"), "environment unreadable");
}

static void test_gc_cpu_knobs_first(void **state)
{
	struct tc *t = *state;
	struct go_memstats *a, *b;
	struct check_result *r;

	go_surfaces(t->f);
	t->f->go.process_start_unix = 0;
	add_sample(t->f, 1000);
	add_sample(t->f, 1002);
	/* Both added first: add_sample reallocates the array. */
	a = &t->f->go.samples[0];
	b = &t->f->go.samples[1];
	a->has_gc_cpu_fraction = b->has_gc_cpu_fraction = true;
	a->num_gc = 10;
	b->num_gc = 20;
	a->last_gc_ns = 999ull * 1000000000ull;
	b->last_gc_ns = 1001ull * 1000000000ull;
	a->gc_cpu_fraction = b->gc_cpu_fraction = 0.30;
	r = expect(t, "go.gc-cpu", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "gogc_source"), "Go default");
	assert_contains(r->summary, "GOGC=100 (Go default)");
	assert_true(strstr(r->remedy, "GOGC=200") < strstr(r->remedy, "alloc_space"));
	assert_contains(r->remedy, "GODEBUG=gctrace=1");
	quiet_host(t->f);
	psi_avg(&t->f->psi.host, PSI_MEMORY, 0.5, 0.1, true);
	r = expect(t, "go.gc-cpu", NULL, STATUS_FAIL);
	assert_true(strncmp(r->remedy, "memory is short", 15) == 0);
}

/* ---- cpu.affinity-numa with threads ---- */

static void two_node_host(struct facts *f)
{
	f->numa.nodes = 2;
	f->numa.node_ids[0] = 0;
	f->numa.node_ids[1] = 1;
	set_cpus(&f->numa.node_cpus[0], "0-3");
	set_cpus(&f->numa.node_cpus[1], "4-7");
	set_cpus(&f->numa.online, "0-7");
	f->numa.threads_per_core = 1;
}

/* main_list on the main thread, others_list on n_others threads. */
static void threads(struct facts *f, const char *main_list, const char *others_list, unsigned n_others)
{
	struct thread_affinity_facts *ta = &f->proc.thread_affinity;

	memset(ta, 0, sizeof(*ta));
	ta->read = true;
	ta->threads = ta->threads_read = 1 + n_others;
	ta->has_main = true;
	set_cpus(&ta->main_cpus, main_list);
	ta->union_cpus = ta->main_cpus;
	if (n_others) {
		struct cpuset o;

		set_cpus(&o, others_list);
		ta->others = n_others;
		ta->n_groups = 1;
		ta->groups[0].cpus = o;
		ta->groups[0].threads = n_others;
		for (size_t i = 0; i < sizeof(o.bits) / sizeof(o.bits[0]); i++)
			ta->union_cpus.bits[i] |= o.bits[i];
		ta->differ = memcmp(&o, &ta->main_cpus, sizeof(o)) != 0;
		f->proc.affinity = o;
	} else {
		f->proc.affinity = ta->main_cpus;
	}
	f->proc.has_affinity = true;
}

static void test_affinity_main_thread_only(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	two_node_host(t->f);
	target_on(t->f);
	t->f->proc.has_mems = true;
	set_cpus(&t->f->proc.mems_allowed, "0-1");
	/* `taskset -p 0xf PID`: the main thread on node 0, 37 others on both. */
	threads(t->f, "0-3", "0-7", 37);
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_WARN);
	assert_string_equal(ev_s(r, "thread_affinity"), "main thread 0-3, 37 other threads 0-7");
	assert_true(ev_b(r, "threads_differ"));
	assert_int_equal(ev_i(r, "threads"), 38);
	assert_string_equal(ev_s(r, "cpus"), "0-7");
	assert_contains(r->summary, "main thread 0-3, 37 other threads 0-7");
	assert_contains(r->remedy, "taskset -a -p");
	/* `taskset -a -p 0xf PID`: every thread on node 0. */
	threads(t->f, "0-3", "0-3", 37);
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "thread_affinity"), "all 38 threads 0-3");
	assert_false(ev_b(r, "threads_differ"));
	assert_contains(r->summary, "node 0");
	/* The reverse: the main thread spread, the others confined. Any
	 * thread on node 1 reaches memory across nodes. */
	threads(t->f, "0-7", "0-3", 5);
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_WARN);
	assert_string_equal(ev_s(r, "thread_affinity"), "main thread 0-7, 5 other threads 0-3");
	/* The cgroup cpuset narrows the union too. */
	threads(t->f, "0-3", "0-7", 37);
	t->f->proc.cgroup.has_cpuset = true;
	set_cpus(&t->f->proc.cgroup.cpus, "0-3");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_contains(r->summary, "main thread 0-3, 37 other threads 0-7");
	t->f->proc.cgroup.has_cpuset = false;
	/* A single-threaded process. */
	threads(t->f, "4-7", NULL, 0);
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "thread_affinity"), "the only thread 4-7");
	/* Threads not read (a fixture without task/): the process mask. */
	memset(&t->f->proc.thread_affinity, 0, sizeof(t->f->proc.thread_affinity));
	set_cpus(&t->f->proc.affinity, "0-7");
	r = expect(t, "cpu.affinity-numa", NULL, STATUS_WARN);
	assert_false(ev_has(r, "thread_affinity"));
}

static void test_gomaxprocs_uses_process_wide_mask(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	gb_version(&t->f->proc.gobuild, "go1.22.0");
	/* taskset -p 0x1 on the main thread of a 4-CPU process: the runtime
	 * keeps the mask the other threads hold (4 CPUs). */
	threads(t->f, "0", "0-3", 6);
	r = expect(t, "cpu.gomaxprocs", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "effective"), 4);
	assert_int_equal(ev_i(r, "usable_cpus"), 4);
}

/* ---- mem.cgroup-headroom: the service's share ---- */

static void memory(struct facts *f, uint64_t usage, uint64_t limit)
{
	struct cgroup_facts *cg = &f->proc.cgroup;

	target_on(f);
	cg->has_memory = true;
	cg->memory_version = 2;
	cg->has_limit = limit != 0;
	cg->limit_bytes = limit;
	cg->usage_bytes = usage;
	cg->has_oom_kills = true;
	snprintf(cg->memory_dir, sizeof(cg->memory_dir), "/sys/fs/cgroup/system.slice/order.service");
	snprintf(cg->memory_limit_dir, sizeof(cg->memory_limit_dir), "%s", limit ? cg->memory_dir : "");
	f->proc.memshare = (struct memshare_facts){ .known = true, .procs = 1 };
	f->proc.has_rss = true;
	f->proc.vm_rss = 300ull << 20;
	f->proc.rss_anon = 280ull << 20;
	f->proc.rss_file = 20ull << 20;
}

static void test_headroom_own_cgroup(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	memory(t->f, 800ull << 20, 1000ull << 20);
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_false(ev_b(r, "shared"));
	assert_int_equal(ev_i(r, "cgroup_processes"), 1);
	assert_int_equal(ev_i(r, "rss_bytes"), 300ll << 20);
	assert_int_equal(ev_i(r, "rss_anon_bytes"), 280ll << 20);
	assert_int_equal(ev_i(r, "rss_file_bytes"), 20ll << 20);
	assert_near(ev_d(r, "service_share"), 300.0 / 800.0);
	assert_contains(r->summary, "memory usage 800.0 MiB is 80%");
	assert_contains(r->summary, "pid 4242's own RSS 300.0 MiB");
	assert_null(strstr(r->summary, "shared"));
	memory(t->f, 801ull << 20, 1000ull << 20);
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_WARN);
	assert_contains(r->remedy, "GOMEMLIMIT");
	/* No RSS read (a kernel thread, a vanished status): no share. */
	t->f->proc.has_rss = false;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_WARN);
	assert_false(ev_has(r, "rss_bytes"));
}

static void test_headroom_shared_cgroup(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Two processes in the cgroup: its usage is not the service's. */
	memory(t->f, 901ull << 20, 1000ull << 20);
	t->f->proc.memshare.procs = 2;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	assert_true(ev_b(r, "shared"));
	assert_contains(ev_s(r, "shared_reason"), "2 processes share the cgroup /sys/fs/cgroup/system.slice/order.service");
	assert_contains(r->summary, "cgroup usage 901.0 MiB is 90%");
	assert_contains(r->summary, "own RSS 300.0 MiB (33% of the usage)");
	assert_contains(r->remedy, "cgroup.procs");
	assert_contains(r->remedy, "300.0 MiB");
	/* The root of the hierarchy. */
	t->f->proc.memshare.procs = 1;
	t->f->proc.memshare.is_root = true;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	assert_contains(ev_s(r, "shared_reason"), "top cgroup");
	/* A whole systemd slice. */
	t->f->proc.memshare.is_root = false;
	snprintf(t->f->proc.cgroup.memory_dir, sizeof(t->f->proc.cgroup.memory_dir), "/sys/fs/cgroup/user.slice");
	snprintf(t->f->proc.cgroup.memory_limit_dir, sizeof(t->f->proc.cgroup.memory_limit_dir),
		 "/sys/fs/cgroup/user.slice");
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	assert_contains(ev_s(r, "shared_reason"), "whole systemd slice");
	/* cgroup.procs unreadable: not called shared on a guess. */
	memory(t->f, 500ull << 20, 1000ull << 20);
	t->f->proc.memshare = (struct memshare_facts){ 0 };
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_false(ev_has(r, "cgroup_processes"));
	assert_false(ev_b(r, "shared"));
}

static void test_headroom_ancestor_limit(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* The leaf uses 100 MiB, but the 1000 MiB limit is on the slice, whose
	 * usage is what the limit is judged against. */
	memory(t->f, 100ull << 20, 1000ull << 20);
	snprintf(t->f->proc.cgroup.memory_limit_dir, sizeof(t->f->proc.cgroup.memory_limit_dir),
		 "/sys/fs/cgroup/system.slice");
	t->f->proc.memshare.has_limit_usage = true;
	t->f->proc.memshare.limit_usage_bytes = 800ull << 20;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "usage_bytes"), 800ll << 20);
	assert_string_equal(ev_s(r, "cgroup"), "/sys/fs/cgroup/system.slice");
	assert_contains(ev_s(r, "shared_reason"), "the limit is set on /sys/fs/cgroup/system.slice");
	t->f->proc.memshare.limit_usage_bytes = 801ull << 20;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_WARN);
	assert_contains(r->remedy, "runs under /sys/fs/cgroup/system.slice");
	t->f->proc.memshare.limit_usage_bytes = 901ull << 20;
	expect(t, "mem.cgroup-headroom", NULL, STATUS_FAIL);
	/* The ancestor's usage unread: the leaf's stands. */
	t->f->proc.memshare.has_limit_usage = false;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "usage_bytes"), 100ll << 20);
}

/* ---- not a Go binary ---- */

static const char *const go_checks[] = {
	"go.buildinfo", "go.version", "go.race", "go.cgo", "go.vcs-modified", "cpu.gomaxprocs", "mem.gomemlimit",
	"go.heap-pressure", "go.gc-cpu", "go.gc-pause", "go.goroutines", "go.goroutine-leak", "go.mutex-contention",
	"go.block-contention",
};

static void test_not_go_skips_every_go_check(void **state)
{
	struct tc *t = *state;
	const struct check_def *all;
	struct check_result *r;
	size_t n, n_go = 0;

	/* The registry flags exactly these. */
	all = registry_all(&n);
	for (size_t i = 0; i < n; i++) {
		bool listed = false;

		for (size_t j = 0; j < sizeof(go_checks) / sizeof(go_checks[0]); j++)
			listed |= !strcmp(all[i].id, go_checks[j]);
		if (listed != !!(all[i].flags & CHECK_GO))
			fail_msg("%s: CHECK_GO is %s", all[i].id, listed ? "missing" : "unexpected");
		n_go += listed;
	}
	assert_int_equal(n_go, sizeof(go_checks) / sizeof(go_checks[0]));

	target_on(t->f);
	snprintf(t->f->proc.exe, sizeof(t->f->proc.exe), "/usr/bin/sleep");
	fact_err_setf(&t->f->proc.gobuild_err, -PF_ENOTGO, "'/usr/bin/sleep' is not a Go executable");
	/* Even with Go-looking environment and surfaces. */
	t->f->proc.env_gomaxprocs = xstrdup("8");
	t->f->go.attempted = true;
	for (size_t i = 0; i < sizeof(go_checks) / sizeof(go_checks[0]); i++) {
		r = expect(t, go_checks[i], NULL, STATUS_SKIP);
		assert_string_equal(r->summary, "not a Go binary (/usr/bin/sleep)");
		assert_null(r->remedy);
	}
	/* sec.pprof-exposure is not flagged (an exposed page fails whatever
	 * the binary), but with nothing exposed it skips the same way. */
	assert_false(registry_find("sec.pprof-exposure")->flags & CHECK_GO);
	r = expect(t, "sec.pprof-exposure", NULL, STATUS_SKIP);
	assert_string_equal(r->summary, "not a Go binary (/usr/bin/sleep)");
	/* Checks that apply to any process still judge it. */
	t->f->proc.has_nofile = true;
	t->f->proc.nofile_soft = t->f->proc.nofile_hard = 65536;
	t->f->proc.open_fds = 5;
	r = expect(t, "fd.process", NULL, STATUS_PASS);
	t->f->proc.cgroup.has_memory = true;
	r = expect(t, "mem.cgroup-headroom", NULL, STATUS_PASS);
	assert_null(strstr(r->summary, "Go binary"));
	r = expect(t, "net.close-wait", NULL, STATUS_PASS);
	/* Only "not Go" skips: an unreadable executable is still judged
	 * (and reported) by each check. */
	fact_err_setf(&t->f->proc.gobuild_err, -EACCES, "cannot read the executable");
	r = expect(t, "go.race", NULL, STATUS_ERROR);
	/* The target gone: error, not skip. */
	fact_err_setf(&t->f->proc.gobuild_err, -PF_ENOTGO, "'/usr/bin/sleep' is not a Go executable");
	fact_err_setf(&t->f->proc.exited, -ESRCH, "pid 4242 exited during the check");
	expect(t, "go.race", NULL, STATUS_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TC(test_pressure_absent_skips),
		TC(test_pressure_unreadable_errors),
		TC(test_pressure_cpu_boundaries),
		TC(test_pressure_window_rate),
		TC(test_pressure_memory_io_boundaries),
		TC(test_pressure_cgroup_scope),
		cmocka_unit_test(test_pressure_params_validated),
		TC(test_gc_pause_cpu_starved),
		TC(test_heap_knobs_and_memory_pressure),
		TC(test_gc_cpu_knobs_first),
		TC(test_affinity_main_thread_only),
		TC(test_gomaxprocs_uses_process_wide_mask),
		TC(test_headroom_own_cgroup),
		TC(test_headroom_shared_cgroup),
		TC(test_headroom_ancestor_limit),
		TC(test_not_go_skips_every_go_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
