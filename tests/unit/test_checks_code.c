/* code checks judged on hand-built build info: what go.buildinfo reports,
 * the supported-release rule of go.version and its min_version parameter,
 * and the -race, cgo and dirty-tree findings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/err.h"
#include "test_checks.h"

static const char *const code_checks[] = { "go.buildinfo", "go.version", "go.race", "go.cgo", "go.vcs-modified" };
#define N_CODE (sizeof(code_checks) / sizeof(code_checks[0]))

/* What `go version -m` shows for a service built by Go 1.26 in CI. */
static void order_api(struct facts *f)
{
	struct gobuild *b = &f->proc.gobuild;

	target_on(f);
	gb_version(b, "go1.26.8");
	b->path = xstrdup("example.com/order/cmd/order-api");
	b->main.path = xstrdup("example.com/order");
	b->main.version = xstrdup("v1.4.2");
	b->main.sum = xstrdup("");
	gb_dep(b, "github.com/google/uuid", "v1.6.0", "h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=");
	gb_dep(b, "golang.org/x/net", "v0.38.0", "h1:vRMAPTMaeGqVhG5QyLJHqNDwecKTomGeqbnfZyKlBI8=");
	gb_dep(b, "golang.org/x/sys", "v0.31.0", "h1:ioabZlmFYtWhL+TRYpcnNlLwhyxaM9kWTDEmfnprqik=");
	gb_setting(b, "-buildmode", "exe");
	gb_setting(b, "-compiler", "gc");
	gb_setting(b, "-trimpath", "true");
	gb_setting(b, "CGO_ENABLED", "0");
	gb_setting(b, "GOARCH", "amd64");
	gb_setting(b, "GOOS", "linux");
	gb_setting(b, "GOAMD64", "v1");
	gb_setting(b, "vcs", "git");
	gb_setting(b, "vcs.revision", "9f3c2a7b51e04d1c8e6f0a2b3c4d5e6f7a8b9c0d");
	gb_setting(b, "vcs.time", "2026-11-20T08:15:00Z");
	gb_setting(b, "vcs.modified", "false");
}

/* ---- go.buildinfo ---- */

static void test_buildinfo_evidence(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *settings;

	order_api(t->f);
	r = expect(t, "go.buildinfo", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "go_version"), "go1.26.8");
	assert_string_equal(ev_s(r, "path"), "example.com/order/cmd/order-api");
	assert_string_equal(ev_s(r, "main_path"), "example.com/order");
	assert_string_equal(ev_s(r, "main_version"), "v1.4.2");
	assert_int_equal(ev_i(r, "deps"), 3);
	settings = ev(r, "settings");
	assert_true(json_is_object(settings));
	assert_int_equal(json_object_size(settings), 11);
	assert_string_equal(json_string_value(json_object_get(settings, "-buildmode")), "exe");
	assert_string_equal(json_string_value(json_object_get(settings, "CGO_ENABLED")), "0");
	assert_string_equal(json_string_value(json_object_get(settings, "vcs.revision")),
			    "9f3c2a7b51e04d1c8e6f0a2b3c4d5e6f7a8b9c0d");
	assert_contains(r->summary, "go1.26.8, example.com/order v1.4.2, 3 dependencies");
}

static void test_buildinfo_minimal(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* A binary built outside a module (go build x.go): no mod line. */
	target_on(t->f);
	gb_version(&t->f->proc.gobuild, "go1.19.13");
	t->f->proc.gobuild.path = xstrdup("command-line-arguments");
	r = expect(t, "go.buildinfo", NULL, STATUS_PASS);
	assert_true(ev_null(r, "main_version"));
	assert_int_equal(ev_i(r, "deps"), 0);
	assert_int_equal(json_object_size(ev(r, "settings")), 0);
	assert_contains(r->summary, "command-line-arguments");
	assert_contains(r->summary, "0 dependencies");
	gb_dep(&t->f->proc.gobuild, "golang.org/x/sys", "v0.31.0", "");
	r = expect(t, "go.buildinfo", NULL, STATUS_PASS);
	assert_contains(r->summary, "1 dependency");
}

static void test_not_go_skips_every_code_check(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	fact_err_setf(&t->f->proc.gobuild_err, -PF_ENOTGO, "'/usr/bin/python3' is not a Go executable");
	for (size_t i = 0; i < N_CODE; i++) {
		r = expect(t, code_checks[i], NULL, STATUS_SKIP);
		assert_string_equal(r->summary, "not a Go binary (/srv/order-api)");
		assert_string_equal(ev_s(r, "exe"), "/srv/order-api");
	}
}

static void test_unreadable_buildinfo_is_an_error(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	fact_err_setf(&t->f->proc.gobuild_err, -PF_EPARSE,
		 "'/proc/4242/exe' is truncated: section '.go.buildinfo' runs past the end");
	for (size_t i = 0; i < N_CODE; i++) {
		r = expect(t, code_checks[i], NULL, STATUS_ERROR);
		assert_contains(r->summary, "truncated");
	}
	t->f->proc.gobuild_err.code = -EACCES;
	expect(t, "go.buildinfo", NULL, STATUS_ERROR);
}

static void test_code_checks_need_a_target(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Build info present but no target process: still skipped. */
	gb_version(&t->f->proc.gobuild, "go1.26.8");
	for (size_t i = 0; i < N_CODE; i++) {
		r = expect(t, code_checks[i], NULL, STATUS_SKIP);
		assert_contains(r->summary, "no target process");
	}
}

/* ---- go.version ---- */

static void test_go_version_default_minimum(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	static const struct {
		const char *v;
		enum pf_status want;
	} cases[] = {
		{ "go1.18.10", STATUS_WARN }, { "go1.24.7", STATUS_WARN }, { "go1.25.9", STATUS_WARN },
		{ "go1.26", STATUS_PASS },    { "go1.26.0", STATUS_PASS }, { "go1.26.8", STATUS_PASS },
		{ "go1.27.1", STATUS_PASS },
		{ "go1.26.8 X:boringcrypto", STATUS_PASS },
		{ "devel go1.28-4f8a2b1c Tue Nov 24 12:00:00 2026 +0000", STATUS_PASS },
	};

	order_api(t->f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gb_version(&t->f->proc.gobuild, cases[i].v);
		r = expect(t, "go.version", NULL, cases[i].want);
		assert_string_equal(ev_s(r, "go_version"), cases[i].v);
		assert_string_equal(ev_s(r, "min_version"), "go1.26");
	}
	gb_version(&t->f->proc.gobuild, "go1.24.7");
	r = expect(t, "go.version", NULL, STATUS_WARN);
	assert_contains(r->summary, "go1.24.7");
	assert_contains(r->summary, "go1.26");
	assert_contains(r->remedy, "security fixes");
}

static void test_go_version_min_version_param(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	order_api(t->f);
	gb_version(&t->f->proc.gobuild, "go1.24.7");
	r = expect(t, "go.version", "{\"min_version\": \"go1.22\"}", STATUS_PASS);
	assert_string_equal(ev_s(r, "min_version"), "go1.22");
	gb_version(&t->f->proc.gobuild, "go1.21.13");
	expect(t, "go.version", "{\"min_version\": \"go1.22\"}", STATUS_WARN);
	/* A stricter minimum than the default. */
	gb_version(&t->f->proc.gobuild, "go1.26.8");
	expect(t, "go.version", "{\"min_version\": \"go1.27\"}", STATUS_WARN);
	/* A minimum with a patch level (say, the release with a CVE fix) is
	 * honoured: go1.24.1 is older than go1.24.5. */
	gb_version(&t->f->proc.gobuild, "go1.24.1");
	expect(t, "go.version", "{\"min_version\": \"go1.24.5\"}", STATUS_WARN);
	gb_version(&t->f->proc.gobuild, "go1.24.5");
	expect(t, "go.version", "{\"min_version\": \"go1.24.5\"}", STATUS_PASS);
	gb_version(&t->f->proc.gobuild, "go1.25.0");
	expect(t, "go.version", "{\"min_version\": \"go1.24.5\"}", STATUS_PASS);
	/* A minimum that is not a Go version is the checklist's mistake. */
	r = expect(t, "go.version", "{\"min_version\": \"1.22\"}", STATUS_ERROR);
	assert_contains(r->summary, "'1.22'");
	/* A build with an unrecognisable version string is not judged. */
	gb_version(&t->f->proc.gobuild, "unknown");
	expect(t, "go.version", NULL, STATUS_SKIP);
}

/* ---- go.race ---- */

static void test_go_race(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	order_api(t->f);
	r = expect(t, "go.race", NULL, STATUS_PASS);
	assert_false(ev_b(r, "race"));
	gb_setting(&t->f->proc.gobuild, "-race", "true");
	r = expect(t, "go.race", NULL, STATUS_FAIL);
	assert_true(ev_b(r, "race"));
	assert_contains(r->summary, "-race");
	/* The remedy names commands that exist (there is no 'go vet -race'). */
	assert_contains(r->remedy, "go test -race");
	assert_null(strstr(r->remedy, "vet"));
}

/* ---- go.cgo ---- */

static void test_go_cgo(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	order_api(t->f);
	r = expect(t, "go.cgo", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "cgo_enabled"), "0");
	assert_contains(r->summary, "CGO_ENABLED=0");
	gb_setting(&t->f->proc.gobuild, "CGO_ENABLED", "1");
	r = expect(t, "go.cgo", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "cgo_enabled"), "1");
	assert_contains(r->summary, "CGO_ENABLED=1");
	/* Built before Go 1.18: no build settings at all. */
	gobuild_release(&t->f->proc.gobuild);
	gb_version(&t->f->proc.gobuild, "go1.17.13");
	r = expect(t, "go.cgo", NULL, STATUS_SKIP);
	assert_true(ev_null(r, "cgo_enabled"));
}

/* ---- go.vcs-modified ---- */

static void test_go_vcs_modified(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	order_api(t->f);
	r = expect(t, "go.vcs-modified", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "vcs"), "git");
	assert_string_equal(ev_s(r, "revision"), "9f3c2a7b51e04d1c8e6f0a2b3c4d5e6f7a8b9c0d");
	assert_string_equal(ev_s(r, "modified"), "false");
	assert_contains(r->summary, "clean git tree at 9f3c2a7b51e0");

	gb_setting(&t->f->proc.gobuild, "vcs.modified", "true");
	r = expect(t, "go.vcs-modified", NULL, STATUS_WARN);
	assert_string_equal(ev_s(r, "modified"), "true");
	assert_contains(r->summary, "modified git tree at 9f3c2a7b51e0");
	assert_non_null(r->remedy);

	/* -buildvcs=false, or built outside a repository. */
	gobuild_release(&t->f->proc.gobuild);
	gb_version(&t->f->proc.gobuild, "go1.26.8");
	gb_setting(&t->f->proc.gobuild, "CGO_ENABLED", "0");
	r = expect(t, "go.vcs-modified", NULL, STATUS_SKIP);
	assert_true(ev_null(r, "modified"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TC(test_buildinfo_evidence),
		TC(test_buildinfo_minimal),
		TC(test_not_go_skips_every_code_check),
		TC(test_unreadable_buildinfo_is_an_error),
		TC(test_code_checks_need_a_target),
		TC(test_go_version_default_minimum),
		TC(test_go_version_min_version_param),
		TC(test_go_race),
		TC(test_go_cgo),
		TC(test_go_vcs_modified),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
