/* Unit tests for the sampler's schedule (collect/sampler.h): which tick
 * asks for what, on which grid, what a late tick does, and the one line
 * when nothing answers. Time is the hooks': the wait hook records where
 * the sampler would sleep and returns at once. The requests go to
 * 127.0.0.1:1, where nothing listens: refused at once, no network. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/goruntime_collect.h"
#include "collect/sampler.h"

#define NOWHERE "http://127.0.0.1:1"
#define MAX_EVENTS 64

struct record {
	double waits[MAX_EVENTS];      /* relative to the grid's start */
	size_t n_waits;
	bool snap[MAX_EVENTS], mem[MAX_EVENTS];   /* per tick */
	size_t n_ticks;
	size_t stop_after;             /* ticks; 0 = never stop */
};

static bool rec_wait(void *ctx, const struct sampler *s, double until)
{
	struct record *r = ctx;

	if (r->n_waits < MAX_EVENTS)
		r->waits[r->n_waits++] = until - s->o.start;
	return false;
}

static bool rec_tick(void *ctx, const struct sampler *s)
{
	struct record *r = ctx;

	if (r->n_ticks < MAX_EVENTS) {
		r->snap[r->n_ticks] = s->tick.snap_asked;
		r->mem[r->n_ticks] = s->tick.mem_asked;
		r->n_ticks++;
	}
	return r->stop_after && r->n_ticks >= r->stop_after;
}

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-6)
		fail_msg("got %.9f, want %.9f", got, want);
}

/* check's window: memstats every 0.2 s, a snapshot every 0.5 s, the last
 * one left to the end. */
static void test_check_schedule(void **state)
{
	struct goruntime_facts g;
	struct record r = { 0 };
	struct sampler_hooks h = { &r, rec_wait, rec_tick, NULL };
	struct sampler_opts o = {
		.pprof = NOWHERE, .vars = NOWHERE,
		.what = SAMPLE_MEMSTATS | SAMPLE_SNAPSHOTS | SAMPLE_LAST_SNAPSHOT | SAMPLE_KEEP_MEMSTATS,
		.timeout_ms = 2000, .tick_s = SAMPLER_TICK_S, .snapshot_s = SAMPLER_SNAPSHOT_S, .window_s = 2,
	};
	struct sampler s;
	struct err e = { "" };

	(void)state;
	memset(&g, 0, sizeof(g));
	o.start = sampler_mono() + 3600;   /* far ahead: no tick is ever late */
	sampler_init(&s, &o, &h, &g);
	assert_true(sampler_begin(&s, &e) < 0);
	assert_false(sampler_run(&s, o.start + o.window_s));
	/* ticks at 0.2 .. 1.8, then the wait for the deadline */
	assert_int_equal(r.n_ticks, 9);
	assert_int_equal(r.n_waits, 10);
	for (size_t k = 0; k < 9; k++) {
		near(r.waits[k], 0.2 * (double)(k + 1));
		assert_true(r.mem[k]);
		/* snapshots at 0.6 and 1.2; 1.8 is within half a snapshot of the end */
		assert_int_equal(r.snap[k], k == 2 || k == 5);
	}
	near(r.waits[9], 2.0);
	sampler_end(&s);
	assert_true(s.tick.snap_asked);
	sampler_release(&s);
	goruntime_facts_release(&g);
}

/* goroutines: --samples is a count: every tick is taken, late or not. */
static void test_samples_are_a_count(void **state)
{
	for (int every = 0; every < 2; every++) {
		struct goruntime_facts g;
		struct record r = { 0 };
		struct sampler_hooks h = { &r, rec_wait, rec_tick, NULL };
		struct sampler_opts o = {
			.pprof = NOWHERE,
			.what = SAMPLE_SNAPSHOTS | SAMPLE_LAST_SNAPSHOT | (every ? SAMPLE_EVERY_TICK : 0u),
			.timeout_ms = 2000, .tick_s = 1, .snapshot_s = 1, .window_s = 4,
		};
		struct sampler s;
		struct err e = { "" };

		(void)state;
		memset(&g, 0, sizeof(g));
		/* the grid started 2.5 s ago: ticks 1 and 2 are late */
		o.start = sampler_mono() - 2.5;
		sampler_init(&s, &o, &h, &g);
		(void)sampler_begin(&s, &e);
		assert_false(sampler_run(&s, o.start + o.window_s));
		if (every) {
			/* 1, 2 (late, at once) and 3 */
			assert_int_equal(r.n_ticks, 3);
			near(r.waits[0], 1);
			near(r.waits[1], 2);
			near(r.waits[2], 3);
		} else {
			/* the late ones skipped: only 3 */
			assert_int_equal(r.n_ticks, 1);
			near(r.waits[0], 3);
		}
		for (size_t k = 0; k < r.n_ticks; k++)
			assert_true(r.snap[k]);
		sampler_release(&s);
		goruntime_facts_release(&g);
	}
}

/* watch: until a hook stops it, on an endless grid. */
static void test_stopped_by_a_hook(void **state)
{
	struct record r = { .stop_after = 5 };
	struct sampler_hooks h = { &r, rec_wait, rec_tick, NULL };
	struct sampler_opts o = {
		.pprof = NOWHERE, .vars = NOWHERE, .what = SAMPLE_MEMSTATS | SAMPLE_INDEX | SAMPLE_KEEP_VARS,
		.timeout_ms = 2000, .tick_s = 0.2,
	};
	struct sampler s;
	struct err e = { "" };

	(void)state;
	o.start = sampler_mono() + 3600;
	sampler_init(&s, &o, &h, NULL);
	assert_true(sampler_begin(&s, &e) < 0);
	assert_true(s.tick.mem_asked && s.tick.index_asked);
	assert_true(sampler_run(&s, INFINITY));
	assert_int_equal(r.n_ticks, 5);
	assert_false(s.vars_fresh);
	/* dropping a surface: the next ticks no longer ask for it */
	sampler_drop(&s, SAMPLE_MEMSTATS);
	r.stop_after = 6;
	assert_true(sampler_run(&s, INFINITY));
	assert_false(r.mem[5]);
	sampler_release(&s);
	/* snapshots with nowhere to keep them are refused */
	o.what = SAMPLE_SNAPSHOTS;
	sampler_init(&s, &o, &h, NULL);
	assert_int_equal(sampler_begin(&s, &e), -EINVAL);
	sampler_release(&s);
}

/* Nothing answers: one message naming every URL asked. */
static void test_nothing_answered(void **state)
{
	struct goruntime_facts g;
	struct sampler_opts o = {
		.pprof = NOWHERE, .metrics = NOWHERE,
		.what = SAMPLE_SNAPSHOTS | SAMPLE_DEBUG2 | SAMPLE_METRICS_COUNT,
		.timeout_ms = 2000, .max_debug2 = 20000,
	};
	struct sampler s;
	struct err e = { "" };

	(void)state;
	memset(&g, 0, sizeof(g));
	sampler_init(&s, &o, NULL, &g);
	assert_int_equal(sampler_begin(&s, &e), -ECONNREFUSED);
	assert_non_null(strstr(e.msg, "no answer from '" NOWHERE "/debug/pprof/goroutine?debug=1', '" NOWHERE
					"/debug/pprof/' and '" NOWHERE "/metrics' (asked at once)"));
	assert_true(s.tick.snap_asked);
	assert_int_equal(s.tick.snap_err, -ECONNREFUSED);
	assert_int_equal(g.n_snaps, 0);
	/* no count: no debug=2 dump at the end, and the note says why */
	sampler_end(&s);
	assert_int_equal(s.debug2, SAMPLER_D2_UNKNOWN);
	assert_non_null(strstr(g.dump2_note, "unknown"));
	sampler_release(&s);
	goruntime_facts_release(&g);
}

/* The metric.* checks' page: read at begin, and at the end only with a
 * window; a URL without a path reads /metrics, one with a path that path. */
static void test_metrics_doc(void **state)
{
	static const struct {
		const char *url, *want;
		double window;
	} cases[] = {
		{ NOWHERE, "'" NOWHERE "/metrics'", 2 },
		{ NOWHERE "/app/prom?x=1", "'" NOWHERE "/app/prom?x=1'", 2 },
		{ NOWHERE "/metrics", "'" NOWHERE "/metrics'", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct goruntime_facts g;
		struct sampler_opts o = {
			.metrics_doc = cases[i].url, .what = SAMPLE_METRICS_DOC, .timeout_ms = 2000,
			.window_s = cases[i].window,
		};
		struct sampler s;
		struct err e = { "" };

		memset(&g, 0, sizeof(g));
		sampler_init(&s, &o, NULL, &g);
		assert_int_equal(sampler_begin(&s, &e), -ECONNREFUSED);
		if (!strstr(g.metrics_doc_err.msg, cases[i].want))
			fail_msg("'%s': error '%s' does not name %s", cases[i].url, g.metrics_doc_err.msg, cases[i].want);
		assert_false(g.has_metrics_doc[0]);
		memset(&g.metrics_doc_err, 0, sizeof(g.metrics_doc_err));
		sampler_end(&s);
		/* Asked again at the end only when there is a window. */
		assert_int_equal(g.metrics_doc_err.code != 0, cases[i].window > 0);
		assert_false(g.has_metrics_doc[1]);
		sampler_release(&s);
		goruntime_facts_release(&g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_schedule),
		cmocka_unit_test(test_samples_are_a_count),
		cmocka_unit_test(test_stopped_by_a_hook),
		cmocka_unit_test(test_nothing_answered),
		cmocka_unit_test(test_metrics_doc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
