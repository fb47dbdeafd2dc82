/* The registry and check_run(): the ids, layers, order and parameter
 * defaults the issue makes part of the contract; target checks skipped
 * without a target and in error when the target could not be read; and
 * every check giving a verdict, without crashing, on facts that hold
 * nothing at all. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_checks.h"

static const struct {
	const char *id;
	enum pf_layer layer;
	bool needs_target;
} contract[] = {
	{ "go.buildinfo", LAYER_CODE, true },
	{ "go.version", LAYER_CODE, true },
	{ "go.race", LAYER_CODE, true },
	{ "go.cgo", LAYER_CODE, true },
	{ "go.vcs-modified", LAYER_CODE, true },
	{ "cpu.gomaxprocs", LAYER_RUNTIME, true },
	{ "mem.gomemlimit", LAYER_RUNTIME, true },
	{ "go.heap-pressure", LAYER_RUNTIME, true },
	{ "go.gc-cpu", LAYER_RUNTIME, true },
	{ "go.gc-pause", LAYER_RUNTIME, true },
	{ "go.goroutines", LAYER_RUNTIME, true },
	{ "go.goroutine-leak", LAYER_RUNTIME, true },
	{ "go.mutex-contention", LAYER_RUNTIME, true },
	{ "go.block-contention", LAYER_RUNTIME, true },
	{ "sec.pprof-exposure", LAYER_RUNTIME, true },
	{ "cpu.topology", LAYER_INFRA, false },
	{ "cpu.affinity-numa", LAYER_INFRA, true },
	{ "cpu.throttling", LAYER_INFRA, true },
	{ "mem.cgroup-headroom", LAYER_INFRA, true },
	{ "net.tcp-states", LAYER_INFRA, false },
	{ "net.timewait-ratio", LAYER_INFRA, false },
	{ "net.close-wait", LAYER_INFRA, true },
	{ "net.listen-queue", LAYER_INFRA, true },
	{ "net.sysctl", LAYER_INFRA, false },
	{ "net.ephemeral-ports", LAYER_INFRA, false },
	{ "fd.process", LAYER_INFRA, true },
	{ "fd.system", LAYER_INFRA, false },
	{ "clock.source", LAYER_INFRA, false },
	{ "clock.sync", LAYER_INFRA, false },
};
#define N_CONTRACT (sizeof(contract) / sizeof(contract[0]))

static void test_registry_ids_layers_order(void **state)
{
	size_t n;
	const struct check_def *all = registry_all(&n);

	assert_int_equal(n, N_CONTRACT);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(all[i].id, contract[i].id);
		assert_int_equal(all[i].layer, contract[i].layer);
		assert_int_equal(!!(all[i].flags & CHECK_NEEDS_TARGET), contract[i].needs_target);
		assert_non_null(all[i].fn);
		assert_non_null(all[i].title);
		assert_ptr_equal(registry_find(all[i].id), &all[i]);
	}
	assert_null(registry_find("net.timewait"));
	assert_null(registry_find(""));
	/* Only the checks that compare two readings sample the window. */
	assert_true(registry_find("cpu.throttling")->flags & CHECK_SAMPLES);
	assert_true(registry_find("net.listen-queue")->flags & CHECK_SAMPLES);
}

static void assert_default(const char *id, const char *param, double want)
{
	const struct check_def *d = registry_find(id);
	const struct param_def *p;

	assert_non_null(d);
	p = check_param_find(d, param);
	if (!p)
		fail_msg("%s has no parameter '%s'", id, param);
	assert_int_equal(p->type, PARAM_NUM);
	if (fabs(p->num - want) > 1e-12)
		fail_msg("%s %s defaults to %g, want %g", id, param, p->num, want);
	assert_non_null(p->help);
}

static void test_registry_defaults(void **state)
{
	const struct param_def *p;

	assert_default("cpu.throttling", "warn", 0.01);
	assert_default("cpu.throttling", "fail", 0.05);
	assert_default("mem.cgroup-headroom", "warn", 0.8);
	assert_default("mem.cgroup-headroom", "fail", 0.9);
	assert_default("net.timewait-ratio", "warn", 0.15);
	assert_default("net.timewait-ratio", "buckets_fail", 0.8);
	assert_default("net.close-wait", "warn", 0);
	assert_default("net.close-wait", "fail", 100);
	assert_default("net.ephemeral-ports", "warn", 0.5);
	assert_default("net.ephemeral-ports", "fail", 0.8);
	assert_default("fd.process", "warn", 0.8);
	assert_default("fd.process", "fail", 0.95);
	assert_default("fd.process", "expected_connections", 10000);
	assert_default("fd.process", "headroom", 1.2);
	assert_default("fd.system", "warn", 0.8);
	assert_default("fd.system", "soft_share", 0.8);
	assert_default("clock.sync", "maxerror_warn_ms", 100);
	assert_default("cpu.gomaxprocs", "under_ratio", 0.5);
	assert_default("mem.gomemlimit", "low_ratio", 0.5);
	p = check_param_find(registry_find("go.version"), "min_version");
	assert_non_null(p);
	assert_int_equal(p->type, PARAM_STR);
	/* Go 1.27 (August 2026) and 1.26 are the supported releases. */
	assert_string_equal(p->str, "go1.26");
	assert_null(check_param_find(registry_find("go.race"), "warn"));
	assert_null(check_param_find(registry_find("cpu.throttling"), "nonesuch"));
}

static void test_target_checks_skip_without_target(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	for (size_t i = 0; i < N_CONTRACT; i++) {
		if (!contract[i].needs_target)
			continue;
		r = expect(t, contract[i].id, NULL, STATUS_SKIP);
		assert_contains(r->summary, "--pid");
		assert_int_equal(json_object_size(r->evidence), 0);
		assert_true(r->duration_ms >= 0);
	}
}

static void test_target_checks_error_when_target_unreadable(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	fact_err_setf(&t->f->proc.exited, -ESRCH, "pid 4242 exited during the check");
	for (size_t i = 0; i < N_CONTRACT; i++) {
		if (!contract[i].needs_target)
			continue;
		r = expect(t, contract[i].id, NULL, STATUS_ERROR);
		assert_string_equal(r->summary, "pid 4242 exited during the check");
	}
}

/* Facts in which every collector found nothing: each check still gives one
 * verdict with a summary (ASan/UBSan watch the rest); where a collector
 * recorded its failure, the check says error or skip rather than judging. */
static void test_every_check_on_empty_facts(void **state)
{
	struct tc *t = *state;
	size_t n;
	const struct check_def *all = registry_all(&n);
	struct check_result *r;

	target_on(t->f);
	for (size_t i = 0; i < n; i++) {
		r = tc_run(t, all[i].id, NULL);
		assert_true(r->status < STATUS_COUNT);
		assert_true(r->summary[0] != '\0');
	}
	/* And once more with the failures named, as the collectors leave them. */
	t->f->numa.err.code = -ENOENT;
	t->f->tcp.err.code = -EPERM;
	fact_err_setf(&t->f->proc.gobuild_err, -EACCES, "'/proc/4242/exe': Permission denied");
	expect(t, "cpu.topology", NULL, STATUS_ERROR);
	expect(t, "cpu.affinity-numa", NULL, STATUS_ERROR);
	expect(t, "net.tcp-states", NULL, STATUS_ERROR);
	expect(t, "net.timewait-ratio", NULL, STATUS_ERROR);
	expect(t, "net.close-wait", NULL, STATUS_ERROR);
	expect(t, "net.ephemeral-ports", NULL, STATUS_ERROR);
	expect(t, "fd.process", NULL, STATUS_ERROR);
	expect(t, "fd.system", NULL, STATUS_ERROR);
	expect(t, "clock.source", NULL, STATUS_SKIP);
	expect(t, "clock.sync", NULL, STATUS_ERROR);
	expect(t, "go.buildinfo", NULL, STATUS_ERROR);
	expect(t, "cpu.throttling", NULL, STATUS_SKIP);
	expect(t, "mem.cgroup-headroom", NULL, STATUS_SKIP);
	expect(t, "cpu.gomaxprocs", NULL, STATUS_ERROR);            /* no affinity */
}

static void test_overrides_of_the_wrong_type_keep_the_default(void **state)
{
	struct tc *t = *state;

	/* The checklist loader rejects these; check_run must not trip on them. */
	target_on(t->f);
	t->f->proc.tcp_states[TCPS_CLOSE_WAIT] = 101;
	expect(t, "net.close-wait", "{\"fail\": \"lots\"}", STATUS_FAIL);
	expect(t, "net.close-wait", "{\"fail\": null}", STATUS_FAIL);
	expect(t, "net.close-wait", "{\"fail\": 200}", STATUS_WARN);
	expect(t, "net.close-wait", "{\"fail\": 200.5}", STATUS_WARN);
	expect(t, "net.close-wait", "{\"unknown\": 1}", STATUS_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_ids_layers_order),
		cmocka_unit_test(test_registry_defaults),
		TC(test_target_checks_skip_without_target),
		TC(test_target_checks_error_when_target_unreadable),
		TC(test_every_check_on_empty_facts),
		TC(test_overrides_of_the_wrong_type_keep_the_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
