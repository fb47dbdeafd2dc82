/* Shared by the test_checks_*.c suites: a test case owns hand-built facts
 * and every result it runs, so its teardown frees them even when an
 * assertion fails (cmocka runs teardowns after failures; LSan stays quiet).
 *
 * Strings and arrays put into the facts are heap-allocated the way the
 * collectors allocate them, because facts_release() frees them: env values,
 * listeners, endpoints and the whole struct gobuild.
 *
 * Include after <cmocka.h>.
 */
#ifndef TEST_CHECKS_H
#define TEST_CHECKS_H

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "facts/facts.h"
#include "collect/gobuild.h"

struct tc {
	struct facts *f;
	struct check_result **res;
	size_t n;
};

static inline int tc_setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->f = calloc(1, sizeof(*t->f));
	if (!t->f) {
		free(t);
		return -1;
	}
	t->f->root = "";
	*state = t;
	return 0;
}

static inline int tc_teardown(void **state)
{
	struct tc *t = *state;

	for (size_t i = 0; i < t->n; i++) {
		result_release(t->res[i]);
		free(t->res[i]);
	}
	free(t->res);
	facts_release(t->f);
	free(t->f);
	free(t);
	return 0;
}

#define TC(fn) cmocka_unit_test_setup_teardown(fn, tc_setup, tc_teardown)

static inline char *xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static inline void set_cpus(struct cpuset *s, const char *list)
{
	assert_int_equal(cpuset_parse_list(list, s), 0);
}

/* A live target: pid 4242, read without errors. */
static inline void target_on(struct facts *f)
{
	f->proc.present = true;
	f->proc.pid = 4242;
	snprintf(f->proc.comm, sizeof(f->proc.comm), "order-api");
	snprintf(f->proc.exe, sizeof(f->proc.exe), "/srv/order-api");
}

/* Runs the registered check id on the test's facts with overrides given as
 * JSON object text (NULL for none), the way the checklist passes them. The
 * result belongs to t. */
static inline struct check_result *tc_run(struct tc *t, const char *id, const char *params)
{
	const struct check_def *d = registry_find(id);
	struct check_result *r, **grown;
	json_t *o = NULL;
	json_error_t je;

	if (!d)
		fail_msg("no check '%s' in the registry", id);
	if (params) {
		o = json_loads(params, 0, &je);
		if (!o || !json_is_object(o))
			fail_msg("bad params in the test: %s", params);
	}
	r = calloc(1, sizeof(*r));
	grown = realloc(t->res, (t->n + 1) * sizeof(*t->res));
	assert_non_null(r);
	assert_non_null(grown);
	t->res = grown;
	t->res[t->n++] = r;
	result_init(r, d);
	check_run(d, t->f, o, r);
	json_decref(o);
	assert_non_null(r->summary);
	assert_non_null(r->evidence);
	return r;
}

static inline void assert_status_at(const struct check_result *r, enum pf_status want, const char *file, int line)
{
	if (r->status != want) {
		print_error("%s:%d: %s is %s, want %s: %s\n", file, line, r->def->id, status_name(r->status),
			    status_name(want), r->summary);
		_fail(file, line);
	}
}

/* Runs id and asserts its status; returns the result for further asserts. */
#define expect(t, id, params, want) expect_at((t), (id), (params), (want), __FILE__, __LINE__)

static inline struct check_result *expect_at(struct tc *t, const char *id, const char *params, enum pf_status want,
					    const char *file, int line)
{
	struct check_result *r = tc_run(t, id, params);

	assert_status_at(r, want, file, line);
	return r;
}

#define assert_contains(hay, needle) assert_contains_at((hay), (needle), __FILE__, __LINE__)

static inline void assert_contains_at(const char *hay, const char *needle, const char *file, int line)
{
	if (!hay || !strstr(hay, needle)) {
		print_error("%s:%d: '%s' not found in '%s'\n", file, line, needle, hay ? hay : "(null)");
		_fail(file, line);
	}
}

static inline json_t *ev(const struct check_result *r, const char *key)
{
	json_t *v = json_object_get(r->evidence, key);

	if (!v)
		fail_msg("%s: no evidence key '%s'", r->def->id, key);
	return v;
}

static inline long long ev_i(const struct check_result *r, const char *key)
{
	json_t *v = ev(r, key);

	if (!json_is_integer(v))
		fail_msg("%s: evidence '%s' is not an integer", r->def->id, key);
	return json_integer_value(v);
}

static inline double ev_d(const struct check_result *r, const char *key)
{
	json_t *v = ev(r, key);

	if (!json_is_number(v))
		fail_msg("%s: evidence '%s' is not a number", r->def->id, key);
	return json_number_value(v);
}

static inline const char *ev_s(const struct check_result *r, const char *key)
{
	json_t *v = ev(r, key);

	if (!json_is_string(v))
		fail_msg("%s: evidence '%s' is not a string", r->def->id, key);
	return json_string_value(v);
}

static inline bool ev_b(const struct check_result *r, const char *key)
{
	json_t *v = ev(r, key);

	if (!json_is_boolean(v))
		fail_msg("%s: evidence '%s' is not a boolean", r->def->id, key);
	return json_is_true(v);
}

static inline bool ev_null(const struct check_result *r, const char *key)
{
	return json_is_null(ev(r, key));
}

static inline bool ev_has(const struct check_result *r, const char *key)
{
	return json_object_get(r->evidence, key) != NULL;
}

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* Build info the way gobuild_read_file allocates it. */
static inline void gb_version(struct gobuild *b, const char *v)
{
	free(b->go_version);
	b->go_version = xstrdup(v);
}

/* Adds a build setting, or replaces the value of one already there. */
static inline void gb_setting(struct gobuild *b, const char *key, const char *value)
{
	struct gobuild_setting *s;

	for (size_t i = 0; i < b->n_settings; i++)
		if (!strcmp(b->settings[i].key, key)) {
			free(b->settings[i].value);
			b->settings[i].value = xstrdup(value);
			return;
		}
	s = realloc(b->settings, (b->n_settings + 1) * sizeof(*s));
	assert_non_null(s);
	b->settings = s;
	s[b->n_settings].key = xstrdup(key);
	s[b->n_settings].value = xstrdup(value);
	b->n_settings++;
}

static inline void gb_dep(struct gobuild *b, const char *path, const char *version, const char *sum)
{
	struct gobuild_module *d = realloc(b->deps, (b->n_deps + 1) * sizeof(*d));

	assert_non_null(d);
	b->deps = d;
	memset(&d[b->n_deps], 0, sizeof(d[b->n_deps]));
	d[b->n_deps].path = xstrdup(path);
	d[b->n_deps].version = xstrdup(version);
	d[b->n_deps].sum = xstrdup(sum);
	b->n_deps++;
}

#endif
