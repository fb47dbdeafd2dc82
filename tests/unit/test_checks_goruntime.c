/* The Go runtime checks on hand-built facts: memstats samples, goroutine
 * snapshots and contention profiles parsed from small texts in the formats
 * the runtime writes. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "test_checks.h"
#include "goruntime/goroutine.h"
#include "goruntime/profiles.h"

/* A target whose loopback debug listener serves pprof and expvar. */
static void go_surfaces(struct facts *f)
{
	target_on(f);
	f->go.attempted = true;
	snprintf(f->go.pprof_url, sizeof(f->go.pprof_url), "http://127.0.0.1:6060");
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

/* Samples whose ratios are given; a GC cycle ends before every sample
 * whose ratio drops below the previous one. */
static void heap_samples(struct facts *f, const double *ratios, size_t n)
{
	uint64_t num_gc = 100;

	for (size_t i = 0; i < n; i++) {
		struct go_memstats *m = add_sample(f, 1000 + i * 0.2);

		if (i && ratios[i] < ratios[i - 1])
			num_gc++;
		m->num_gc = num_gc;
		m->next_gc = 100u << 20;
		m->heap_alloc = (uint64_t)(ratios[i] * (double)m->next_gc);
	}
}

static void test_heap_pressure(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	/* A healthy sawtooth at GOGC=100: from the live heap (half the goal)
	 * up to the trigger and back. Its p95 sits near the trigger. */
	double healthy[20], squeezed[20], tight[20], flat[20];

	expect(t, "go.heap-pressure", NULL, STATUS_SKIP);   /* no target */
	target_on(t->f);
	r = expect(t, "go.heap-pressure", NULL, STATUS_SKIP);
	assert_contains(r->summary, "serves");
	go_surfaces(t->f);
	fact_err_setf(&t->f->go.memstats_err, -ETIMEDOUT, "'http://127.0.0.1:6060/debug/vars': timed out");
	r = expect(t, "go.heap-pressure", NULL, STATUS_ERROR);
	assert_contains(r->summary, "timed out");

	for (int i = 0; i < 20; i++) {
		healthy[i] = 0.52 + (i % 5) * 0.1;          /* 0.52 .. 0.92, four cycles */
		squeezed[i] = 0.86 + (i % 4) * 0.03;        /* trough 0.86: GOMEMLIMIT binds */
		tight[i] = 0.70 + (i % 4) * 0.05;           /* trough exactly 0.70 */
		flat[i] = 0.80 + i * 0.005;                 /* no cycle: only grows */
	}
	heap_samples(t->f, healthy, 20);
	r = expect(t, "go.heap-pressure", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "samples"), 20);
	assert_int_equal(ev_i(r, "gc_cycles"), 3);
	assert_true(fabs(ev_d(r, "trough") - 0.52) < 1e-9);
	assert_true(ev_d(r, "p95") >= 0.9);              /* the raw p95 would have failed it */
	assert_true(ev_has(r, "p50") && ev_has(r, "max"));
	assert_int_equal(ev_i(r, "next_gc_bytes"), 100 << 20);
	assert_true(ev_has(r, "heap_alloc_bytes"));

	t->f->go.n_samples = 0;
	heap_samples(t->f, tight, 20);
	expect(t, "go.heap-pressure", NULL, STATUS_WARN);   /* exactly 0.70 warns: "at or above" */
	expect(t, "go.heap-pressure", "{\"warn\": 0.71}", STATUS_PASS);

	t->f->go.n_samples = 0;
	heap_samples(t->f, squeezed, 20);
	r = expect(t, "go.heap-pressure", NULL, STATUS_FAIL);
	assert_true(fabs(ev_d(r, "trough") - 0.86) < 1e-9);

	/* No cycle ended in the window: nothing to judge, whatever the level:
	 * skip with the reason, not pass. */
	t->f->go.n_samples = 0;
	heap_samples(t->f, flat, 20);
	r = expect(t, "go.heap-pressure", NULL, STATUS_SKIP);
	assert_int_equal(ev_i(r, "gc_cycles"), 0);
	assert_true(ev_null(r, "trough"));
	assert_contains(r->summary, "no GC cycle completed");
	/* One sample (--window 0) neither. */
	t->f->go.n_samples = 1;
	r = expect(t, "go.heap-pressure", NULL, STATUS_SKIP);
	assert_contains(r->summary, "--window");
}

static void test_gc_cpu_window(void **state)
{
	struct tc *t = *state;
	struct go_memstats *a, *b;
	struct check_result *r;

	go_surfaces(t->f);
	t->f->go.process_start_unix = 1000000;
	/* At the first sample the last GC ended 100 s after start with 5% of
	 * the CPU spent in GC so far; at the second, 110 s and a fraction that
	 * means the 10 s in between spent 30% in GC: (f2*110 - 0.05*100)/10 = 0.3. */
	a = add_sample(t->f, 1000200);
	a->has_gc_cpu_fraction = true;
	a->gc_cpu_fraction = 0.05;
	a->num_gc = 10;
	a->last_gc_ns = (uint64_t)(1000100.0 * 1e9);
	b = add_sample(t->f, 1000211);
	a = &t->f->go.samples[0];   /* add_sample may have moved the array */
	*b = *a;
	b->num_gc = 20;
	b->gc_cpu_fraction = 8.0 / 110.0;
	b->last_gc_ns = (uint64_t)(1000110.0 * 1e9);
	r = expect(t, "go.gc-cpu", NULL, STATUS_FAIL);
	assert_true(fabs(ev_d(r, "window_fraction") - 0.30) < 1e-6);
	assert_string_equal(ev_s(r, "scope"), "window");
	assert_int_equal(ev_i(r, "gc_cycles_in_window"), 10);
	assert_true(fabs(ev_d(r, "lifetime_fraction") - 8.0 / 110.0) < 1e-9);

	/* 15% over the window warns. */
	t->f->go.samples[1].gc_cpu_fraction = (0.15 * 10 + 5) / 110.0;
	expect(t, "go.gc-cpu", NULL, STATUS_WARN);

	/* One cycle in the window is enough to rate it (boundary). */
	t->f->go.samples[1] = t->f->go.samples[0];
	t->f->go.samples[1].num_gc = t->f->go.samples[0].num_gc + 1;
	t->f->go.samples[1].last_gc_ns = (uint64_t)(1000110.0 * 1e9);
	t->f->go.samples[1].gc_cpu_fraction = 5.1 / 110.0;
	r = expect(t, "go.gc-cpu", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "gc_cycles_in_window"), 1);
	assert_string_equal(ev_s(r, "scope"), "window");

	/* No cycle completed in the window: nothing to rate, whatever the
	 * lifetime share -- skip, not pass (nor a lifetime fail). */
	t->f->go.samples[1] = t->f->go.samples[0];
	t->f->go.samples[0].gc_cpu_fraction = t->f->go.samples[1].gc_cpu_fraction = 0.5;
	r = expect(t, "go.gc-cpu", NULL, STATUS_SKIP);
	assert_int_equal(ev_i(r, "gc_cycles_in_window"), 0);
	assert_contains(r->summary, "no GC cycle completed");

	/* One sample (--window 0): the lifetime share is judged. */
	t->f->go.n_samples = 1;
	r = expect(t, "go.gc-cpu", NULL, STATUS_FAIL);
	assert_string_equal(ev_s(r, "scope"), "lifetime");

	/* No GC cycle ever: nothing to judge. */
	t->f->go.samples[0].num_gc = 0;
	r = expect(t, "go.gc-cpu", NULL, STATUS_SKIP);
	assert_contains(r->summary, "no GC cycle yet");
	t->f->go.samples[0].num_gc = 10;

	/* /metrics on Go >= 1.17 has no GC CPU figure. */
	t->f->go.samples[0].has_gc_cpu_fraction = false;
	expect(t, "go.gc-cpu", NULL, STATUS_SKIP);
}

static void test_gc_pause(void **state)
{
	struct tc *t = *state;
	struct go_memstats *m;
	struct check_result *r;

	go_surfaces(t->f);
	m = add_sample(t->f, 1);
	m->has_pause_ring = true;
	m->num_gc = 3;
	m->pause_ns[0] = 1000000;
	m->pause_ns[1] = 2000000;
	m->pause_ns[2] = 9000000;
	r = expect(t, "go.gc-pause", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "pauses"), 3);
	assert_true(fabs(ev_d(r, "p99_ms") - 9.0) < 1e-9);
	m->pause_ns[2] = 11000000;
	expect(t, "go.gc-pause", NULL, STATUS_WARN);
	m->pause_ns[2] = 60000000;
	r = expect(t, "go.gc-pause", NULL, STATUS_FAIL);
	assert_true(fabs(ev_d(r, "max_ms") - 60.0) < 1e-9);

	/* A wrapped ring: 300 cycles, all 256 slots hold the recent ones; the
	 * old long pause in slot 2 is one of 256, under the 1% tail... */
	m->num_gc = 300;
	for (int i = 0; i < 256; i++)
		m->pause_ns[i] = 500000;
	m->pause_ns[2] = 60000000;
	r = expect(t, "go.gc-pause", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "pauses"), 256);
	/* ...but three of them make the p99. */
	m->pause_ns[3] = m->pause_ns[4] = 60000000;
	expect(t, "go.gc-pause", NULL, STATUS_FAIL);

	/* One cycle is a pause to judge; none is nothing to judge: skip, not pass. */
	m->num_gc = 1;
	m->pause_ns[0] = 1000000;
	r = expect(t, "go.gc-pause", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "pauses"), 1);
	m->num_gc = 0;
	r = expect(t, "go.gc-pause", NULL, STATUS_SKIP);
	assert_contains(r->summary, "no GC cycle yet");

	m->has_pause_ring = false;
	expect(t, "go.gc-pause", NULL, STATUS_SKIP);
}

/* A debug=1 goroutine profile with two stacks: a leaking receive and a
 * worker pool. */
static void add_snapshot(struct facts *f, unsigned leak, unsigned pool)
{
	struct goruntime_facts *g = &f->go;
	char text[2048];
	struct err e;
	int n;

	n = snprintf(text, sizeof(text),
		     "goroutine profile: total %u\n"
		     "%u @ 0x43e1f6 0x4086ac 0x408158 0x4a1b25 0x471e41\n"
		     "#\t0x4a1b24\tmain.leakRecv+0x24\t/src/leaky/main.go:42\n"
		     "\n"
		     "%u @ 0x43e1f6 0x46c6b5 0x4a1c45 0x471e41\n"
		     "#\t0x46c6b4\tsync.runtime_Semacquire+0x24\t/usr/local/go/src/runtime/sema.go:71\n"
		     "#\t0x4a1c44\tmain.worker+0x44\t/src/leaky/pool.go:17\n"
		     "\n",
		     leak + pool, leak, pool);
	g->snaps = realloc(g->snaps, (g->n_snaps + 1) * sizeof(*g->snaps));
	assert_non_null(g->snaps);
	memset(&g->snaps[g->n_snaps], 0, sizeof(*g->snaps));
	if (gr_parse(text, (size_t)n, "test", &g->snaps[g->n_snaps], &e) < 0)
		fail_msg("gr_parse: %s", e.msg);
	g->n_snaps++;
}

static void test_goroutines_count(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	go_surfaces(t->f);
	fact_err_setf(&t->f->go.goroutine_err, -PF_ENOTFOUND, "'x': 404 not found");
	r = expect(t, "go.goroutines", NULL, STATUS_ERROR);
	assert_contains(r->summary, "404");
	add_snapshot(t->f, 10, 50);
	add_snapshot(t->f, 30, 20);
	add_snapshot(t->f, 50, 40);
	r = expect(t, "go.goroutines", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "count"), 90);
	assert_int_equal(ev_i(r, "first"), 60);
	assert_int_equal(ev_i(r, "growth"), 30);
	assert_int_equal(json_array_size(ev(r, "counts")), 3);
	expect(t, "go.goroutines", "{\"warn\": 91}", STATUS_PASS);
	r = expect(t, "go.goroutines", "{\"warn\": 90}", STATUS_WARN);
	/* Where the count was read, and the service's own limits before code. */
	assert_contains(r->summary, "(http://127.0.0.1:6060/debug/pprof/goroutine)");
	assert_contains(r->remedy, "preflight goroutines http://127.0.0.1:6060");
	assert_true(strstr(r->remedy, "no rebuild") < strstr(r->remedy, "worker pools"));
	expect(t, "go.goroutines", "{\"warn\": 10, \"fail\": 91}", STATUS_WARN);
	expect(t, "go.goroutines", "{\"warn\": 10, \"fail\": 90}", STATUS_FAIL);
}

static void test_goroutine_leak(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *s;

	go_surfaces(t->f);
	/* The receive only grows; the pool rises and falls. */
	add_snapshot(t->f, 10, 50);
	add_snapshot(t->f, 30, 20);
	add_snapshot(t->f, 50, 40);
	r = expect(t, "go.goroutine-leak", NULL, STATUS_WARN);
	assert_int_equal(json_array_size(ev(r, "suspects")), 1);
	s = json_array_get(ev(r, "suspects"), 0);
	assert_contains(json_string_value(json_object_get(s, "site")), "main.leakRecv");
	assert_int_equal(json_integer_value(json_object_get(s, "count")), 50);
	assert_int_equal(json_integer_value(json_object_get(s, "growth")), 40);
	assert_int_equal(json_array_size(json_object_get(s, "counts")), 3);
	assert_non_null(json_object_get(s, "pattern"));
	assert_non_null(json_object_get(s, "remedy"));
	assert_false(ev_b(r, "debug2"));
	/* A big leak fails. */
	expect(t, "go.goroutine-leak", "{\"fail_count\": 50}", STATUS_FAIL);
	/* Growth below min_growth is not a leak. */
	expect(t, "go.goroutine-leak", "{\"min_growth\": 41}", STATUS_PASS);
	/* Two snapshots are not enough to call growth monotonic, nor to call
	 * the service clean: skip with the reason, not pass. */
	t->f->go.n_snaps = 2;
	r = expect(t, "go.goroutine-leak", NULL, STATUS_SKIP);
	assert_contains(r->summary, "only 2 snapshots (min_snapshots 3)");
	/* min_snapshots 2: two are enough, and the clean answer is a pass. */
	expect(t, "go.goroutine-leak", "{\"min_snapshots\": 2, \"min_growth\": 41}", STATUS_PASS);
	t->f->go.n_snaps = 1;
	expect(t, "go.goroutine-leak", NULL, STATUS_SKIP);
	t->f->go.n_snaps = 3;
}

/* A debug=2 dump of the worker stack with goroutines ids lo..hi, each
 * called with argument arg. */
static void worker_dump_args(struct gr_snapshot *out, unsigned lo, unsigned hi, unsigned arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct err e;

	assert_non_null(f);
	for (unsigned id = lo; id <= hi; id++)
		fprintf(f,
			"goroutine %u [semacquire]:\n"
			"sync.runtime_Semacquire(0xc000012345?)\n"
			"\t/usr/local/go/src/runtime/sema.go:71 +0x25\n"
			"main.worker(0xc0000%05x)\n"
			"\t/src/leaky/pool.go:17 +0x44\n"
			"created by main.start in goroutine 1\n"
			"\t/src/leaky/pool.go:10 +0x55\n\n",
			id, arg);
	fclose(f);
	memset(out, 0, sizeof(*out));
	if (gr_parse(text, len, "test", out, &e) < 0)
		fail_msg("gr_parse: %s", e.msg);
	free(text);
}

static void worker_dump(struct gr_snapshot *out, unsigned lo, unsigned hi)
{
	worker_dump_args(out, lo, hi, 0x100);
}

/* Growth of the worker stack is confirmed by goroutine ids: a leak keeps
 * its goroutines, a pool that grows by replacing workers is no suspect. */
static void test_goroutine_leak_confirmed_by_ids(void **state)
{
	struct tc *t = *state;
	struct goruntime_facts *g = &t->f->go;
	struct check_result *r;

	go_surfaces(t->f);
	add_snapshot(t->f, 0, 12);
	add_snapshot(t->f, 0, 30);
	add_snapshot(t->f, 0, 50);
	/* Without dumps at both ends the growth alone makes a suspect. */
	r = expect(t, "go.goroutine-leak", NULL, STATUS_WARN);
	assert_contains(json_string_value(json_object_get(json_array_get(ev(r, "suspects"), 0), "site")), "main.worker");

	/* The 12 goroutines of the first dump are all still there: a leak. */
	worker_dump(&g->dump2_first, 100, 111);
	worker_dump(&g->dump2, 100, 149);
	g->has_dump2_first = g->has_dump2 = true;
	r = expect(t, "go.goroutine-leak", NULL, STATUS_WARN);
	assert_int_equal(json_array_size(ev(r, "suspects")), 1);

	/* The 50 at the end are all new: the pool replaced its workers. */
	gr_snapshot_release(&g->dump2);
	worker_dump(&g->dump2, 500, 549);
	expect(t, "go.goroutine-leak", NULL, STATUS_PASS);

	/* One in ten may have gone (a late sender, a timeout)... */
	gr_snapshot_release(&g->dump2);
	worker_dump(&g->dump2, 101, 150);
	expect(t, "go.goroutine-leak", NULL, STATUS_WARN);
	/* ...not more. */
	gr_snapshot_release(&g->dump2);
	worker_dump(&g->dump2, 102, 151);
	expect(t, "go.goroutine-leak", NULL, STATUS_PASS);

	/* The same goroutines with new arguments left the call and came
	 * back to it (a keep-alive connection's next request): no leak. */
	gr_snapshot_release(&g->dump2);
	worker_dump_args(&g->dump2, 100, 149, 0x200);
	expect(t, "go.goroutine-leak", NULL, STATUS_PASS);
}

/* A mutex profile whose one site has waited total_s seconds. */
static void mutex_profile(struct contention_profile *p, double total_s, bool enabled)
{
	char text[1024];
	struct err e;
	int n;

	if (enabled)
		n = snprintf(text, sizeof(text),
			     "--- mutex:\ncycles/second=1000000000\nsampling period=1\n"
			     "%.0f 10 @ 0x46c6b5 0x4a1c45 0x471e41\n"
			     "#\t0x46c6b4\tsync.(*Mutex).Unlock+0x74\t/usr/local/go/src/sync/mutex.go:223\n"
			     "#\t0x4a1c44\tmain.hot+0x44\t/src/leaky/contend.go:88\n\n",
			     total_s * 1e9);
	else
		n = snprintf(text, sizeof(text), "--- mutex:\ncycles/second=1000000000\nsampling period=0\n");
	memset(p, 0, sizeof(*p));
	if (contention_parse(text, (size_t)n, p, &e) < 0)
		fail_msg("contention_parse: %s", e.msg);
}

static void test_mutex_contention(void **state)
{
	struct tc *t = *state;
	struct goruntime_facts *g = &t->f->go;
	struct check_result *r;

	go_surfaces(t->f);
	fact_err_setf(&g->mutex_err, -EIO, "'x': HTTP 500");
	expect(t, "go.mutex-contention", NULL, STATUS_ERROR);

	/* Off is the runtime's default: not measured is a skip saying how to
	 * measure, never a warning on every stock service... */
	mutex_profile(&g->mutex[0], 0, false);
	g->has_mutex[0] = true;
	r = expect(t, "go.mutex-contention", NULL, STATUS_SKIP);
	assert_false(ev_b(r, "enabled"));
	assert_false(ev_b(r, "required"));
	assert_contains(r->summary, "mutex profile off");
	assert_contains(r->summary, "SetMutexProfileFraction never called");
	assert_contains(r->summary, "to measure");
	assert_contains(r->remedy, "SetMutexProfileFraction");
	assert_contains(r->remedy, "require_profile");
	/* ...unless the checklist requires the measurement. */
	r = expect(t, "go.mutex-contention", "{\"require_profile\": 1}", STATUS_FAIL);
	assert_true(ev_b(r, "required"));
	assert_contains(r->summary, "requires it");
	expect(t, "go.mutex-contention", "{\"require_profile\": 0}", STATUS_SKIP);
	/* Both ends read and both off: still a skip. */
	mutex_profile(&g->mutex[1], 0, false);
	g->has_mutex[1] = true;
	expect(t, "go.mutex-contention", NULL, STATUS_SKIP);
	g->has_mutex[1] = false;
	contention_profile_release(&g->mutex[1]);
	contention_profile_release(&g->mutex[0]);

	/* 1 s before the window, 4 s after a 2 s window: 1.5 s of waiting per second. */
	mutex_profile(&g->mutex[0], 1, true);
	mutex_profile(&g->mutex[1], 4, true);
	g->has_mutex[1] = true;
	g->contention_t[0] = 100;
	g->contention_t[1] = 102;
	r = expect(t, "go.mutex-contention", NULL, STATUS_FAIL);
	assert_true(fabs(ev_d(r, "rate") - 1.5) < 1e-6);
	assert_true(fabs(ev_d(r, "window_delay_s") - 3.0) < 1e-6);
	assert_contains(json_string_value(json_object_get(json_array_get(ev(r, "top"), 0), "site")), "main.hot");
	assert_contains(r->summary, "contend.go:88");
	expect(t, "go.mutex-contention", "{\"fail_rate\": 2}", STATUS_WARN);
	expect(t, "go.mutex-contention", "{\"warn_rate\": 2, \"fail_rate\": 3}", STATUS_PASS);

	/* A profile that is on is judged whatever require_profile says. */
	expect(t, "go.mutex-contention", "{\"require_profile\": 1}", STATUS_FAIL);
	r = expect(t, "go.mutex-contention", "{\"require_profile\": 1, \"warn_rate\": 2, \"fail_rate\": 3}",
		   STATUS_PASS);
	assert_false(ev_has(r, "required"));

	/* One profile only (--window 0): reported, not judged. */
	g->has_mutex[1] = false;
	contention_profile_release(&g->mutex[1]);
	r = expect(t, "go.mutex-contention", NULL, STATUS_PASS);
	assert_true(fabs(ev_d(r, "total_delay_s") - 1.0) < 1e-6);
	assert_false(ev_has(r, "rate"));
}

/* The block profile prints no rate: no record at all reads as off, and
 * the skip says it may also be on with nothing blocked yet. */
static void test_block_contention_off(void **state)
{
	static const char text[] = "--- contention:\ncycles/second=1000000000\n";
	struct tc *t = *state;
	struct goruntime_facts *g = &t->f->go;
	struct check_result *r;
	struct err e;

	go_surfaces(t->f);
	if (contention_parse(text, sizeof(text) - 1, &g->block[0], &e) < 0)
		fail_msg("contention_parse: %s", e.msg);
	g->has_block[0] = true;
	r = expect(t, "go.block-contention", NULL, STATUS_SKIP);
	assert_false(ev_b(r, "enabled"));
	assert_contains(r->summary, "block profile off");
	assert_contains(r->summary, "SetBlockProfileRate never called");
	assert_contains(r->summary, "no blocking recorded yet");
	assert_contains(r->remedy, "SetBlockProfileRate");
	expect(t, "go.block-contention", "{\"require_profile\": 1}", STATUS_FAIL);
	contention_profile_release(&g->block[0]);
}

/* The runtime checks find the target's surfaces through its listeners:
 * with no listener serving them the checks skip, but when the listeners
 * are unknown (the census could not attribute sockets to the pid) they
 * are errors quoting why. */
static void test_runtime_checks_listeners_unknown(void **state)
{
	static const char *const ids[] = { "go.heap-pressure", "go.gc-cpu", "go.gc-pause", "go.goroutines",
					   "go.goroutine-leak", "go.mutex-contention", "go.block-contention" };
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		expect(t, ids[i], NULL, STATUS_SKIP);
	fact_err_setf(&t->f->proc.sockets_err, -EACCES, "sockets of pid 4242 unknown (the census needs its "
		      "socket inodes): cannot read /proc/4242/fd: Permission denied " PROC_PRIVILEGE_HINT);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		r = expect(t, ids[i], NULL, STATUS_ERROR);
		assert_contains(r->summary, "listeners unknown");
		assert_contains(r->summary, "/proc/4242/fd: Permission denied");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TC(test_heap_pressure),
		TC(test_gc_cpu_window),
		TC(test_gc_pause),
		TC(test_goroutines_count),
		TC(test_goroutine_leak),
		TC(test_goroutine_leak_confirmed_by_ids),
		TC(test_mutex_contention),
		TC(test_block_contention_off),
		TC(test_runtime_checks_listeners_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
