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
	{ "host.pressure", LAYER_INFRA, false },
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
	{ "metric.gauge", LAYER_BUSINESS, true },
	{ "metric.rate", LAYER_BUSINESS, true },
	{ "metric.increase", LAYER_BUSINESS, true },
	{ "metric.quantile", LAYER_BUSINESS, true },
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

/* The table cannot contradict itself: every default passes its own rule
 * (bounds, integer, version syntax), every pair names a parameter of the
 * same check and the defaults keep its order, and every bound is sane. */
static void test_registry_defaults_pass_their_rules(void **state)
{
	const struct check_def *all;
	size_t n, checked = 0, pairs = 0;
	char why[384], norm[64], text[64];

	all = registry_all(&n);
	for (size_t i = 0; i < n; i++) {
		for (const struct param_def *p = all[i].params; p && p->name; p++) {
			assert_non_null(p->help);
			/* Without a default there is nothing to check but the kind. */
			if (!param_has_default(p)) {
				assert_false(p->required && p->optional);
				assert_int_equal(p->order, ORDER_NONE);
			} else if (p->type == PARAM_STR && p->kind != PK_VERSION) {
				assert_true(p->kind == PK_SELECTOR || p->kind == PK_CHOICE);
				if (param_check_str(p, p->str, why, sizeof(why)) != 0)
					fail_msg("%s.%s: default %s", all[i].id, p->name, why);
			} else if (p->type == PARAM_STR) {
				assert_int_equal(p->kind, PK_VERSION);
				if (param_check_version(p, p->str, norm, sizeof(norm), why, sizeof(why)) != 0)
					fail_msg("%s.%s: default %s", all[i].id, p->name, why);
				assert_string_equal(norm, p->str);
			} else {
				assert_int_not_equal(p->kind, PK_VERSION);
				assert_true(p->min <= p->max);
				if (p->kind == PK_RATIO)
					assert_true(p->min >= 0 && p->max <= 1);
				snprintf(text, sizeof(text), "%.15g", p->num);
				if (param_check_num(p, p->num, p->num == (double)(long long)p->num, text, why,
						    sizeof(why)) != 0)
					fail_msg("%s.%s: default %s", all[i].id, p->name, why);
			}
			if (p->order != ORDER_NONE) {
				const struct param_def *o = check_param_find(&all[i], p->other);

				if (!o)
					fail_msg("%s.%s: ordered against unknown '%s'", all[i].id, p->name, p->other);
				assert_int_equal(o->type, PARAM_NUM);
				if (param_check_order(p, p->num, true, o, o->num, true, why, sizeof(why)) != 0)
					fail_msg("%s.%s: defaults %s", all[i].id, p->name, why);
				pairs++;
			}
			checked++;
		}
	}
	assert_true(checked >= 40);
	assert_true(pairs >= 10);
}

/* The rule functions themselves, including the lower-is-worse order no
 * current check uses. */
static void test_param_rule_functions(void **state)
{
	static const struct param_def lo = { .name = "warn", .type = PARAM_NUM, .num = 10, .help = "h",
					     .kind = PK_INTEGER, .min = 0, .max = 100, .order = ORDER_GE,
					     .other = "fail" };
	static const struct param_def hi = { .name = "fail", .type = PARAM_NUM, .num = 5, .help = "h",
					     .kind = PK_INTEGER, .min = 0, .max = 100 };
	static const struct param_def ver = { .name = "v", .type = PARAM_STR, .str = "go1.26", .help = "h",
					      .kind = PK_VERSION };
	static const struct param_def ratio = { .name = "r", .type = PARAM_NUM, .num = 0.5, .help = "h",
						.kind = PK_RATIO, .min = 0, .max = 1, .unit = "share" };
	char why[384], out[64];

	assert_int_equal(param_check_order(&lo, 5, false, &hi, 5, false, why, sizeof(why)), 0);
	assert_int_equal(param_check_order(&lo, 4, false, &hi, 5, true, why, sizeof(why)), -ERANGE);
	assert_string_equal(why, "warn 4 is below fail 5 (the default); warn must not be below fail");
	assert_int_equal(param_check_num(&lo, 100, true, "100", why, sizeof(why)), 0);
	assert_int_equal(param_check_num(&lo, 101, true, "101", why, sizeof(why)), -ERANGE);
	assert_string_equal(why, "101 is above the maximum 100; valid: an integer from 0 to 100");
	assert_int_equal(param_check_num(&ratio, NAN, false, "nan", why, sizeof(why)), -ERANGE);
	assert_int_equal(param_check_num(&ver, 1.2, false, "1.2", why, sizeof(why)), -EINVAL);
	param_describe(&ratio, out, sizeof(out));
	assert_string_equal(out, "a ratio from 0 to 1 (share)");

	static const char *const good[] = { "1.21", "go1.21", "go1.21.5", "1.0", "go1.22rc1", "1.9beta2",
					    "go1.26.0" };
	static const char *const bad[] = { "", "go", "1", "1.", "go1.21.", "go1.21.5.1", "2.0", "go1.01",
					   "go1.21 ", " go1.21", "go1.21x", "v1.21", "go1.12345", "1.21rc" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (param_check_version(&ver, good[i], out, sizeof(out), why, sizeof(why)) != 0)
			fail_msg("'%s' refused: %s", good[i], why);
		assert_true(strncmp(out, "go1.", 4) == 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (param_check_version(&ver, bad[i], out, sizeof(out), why, sizeof(why)) == 0)
			fail_msg("'%s' accepted as %s", bad[i], out);
	assert_int_equal(param_check_version(&ver, "1.21", out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "go1.21");
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
		cmocka_unit_test(test_registry_defaults_pass_their_rules),
		cmocka_unit_test(test_param_rule_functions),
		TC(test_target_checks_skip_without_target),
		TC(test_target_checks_error_when_target_unreadable),
		TC(test_every_check_on_empty_facts),
		TC(test_overrides_of_the_wrong_type_keep_the_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
