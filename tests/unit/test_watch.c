/* Unit tests for the parts of `preflight watch` that need no target: the
 * uptime-weighted GC CPU, the thresholds with their cooldowns, and the
 * event directory (names, partial files, pruning, the lock). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/watch_store.h"
#include "collect/procfs.h"
#include "check/watch_trigger.h"
#include "report/watch.h"
#include "check/check.h"
#include "check/heap_trough.h"

/* A sample as the runtime would report it for a process started at
 * start, whose GC has used gc_cpu_s seconds (per P) by the end of its last
 * GC at last_gc: GCCPUFraction = gc_cpu_s / (last_gc - start). */
static struct watch_sample mem_sample(double t, double start, double last_gc, double gc_cpu_s, uint64_t num_gc)
{
	struct watch_sample x = { 0 };

	x.t = t;
	x.wall = start + t;
	x.has_mem = true;
	x.num_gc = num_gc;
	x.last_gc_ns = num_gc ? (uint64_t)(last_gc * 1e9) : 0;
	x.gc_cpu_fraction = num_gc ? gc_cpu_s / (last_gc - start) : 0;
	x.heap_alloc = 10;
	x.next_gc = 100;
	return x;
}

static void test_gc_cpu_between(void **state)
{
	const double S = 1.7e9;
	struct watch_sample a = mem_sample(10, S, S + 10, 1, 5), b = mem_sample(20, S, S + 20, 6, 9);
	double v = -1;

	(void)state;
	/* 5 s of GC in the 10 s between the two GC ends: 0.5, where the
	 * cumulative fraction says 0.3. */
	assert_int_equal(watch_gc_cpu_between(&a, &b, S, &v), 0);
	assert_true(fabs(v - 0.5) < 1e-6);
	assert_true(fabs(b.gc_cpu_fraction - 0.3) < 1e-9);

	/* No GC ended in between: nothing recent. */
	assert_int_equal(watch_gc_cpu_between(&a, &a, S, &v), 0);
	assert_true(v == 0);

	/* Before the first GC no GC time was spent: from a's wall time on. */
	a = mem_sample(15, S, 0, 0, 0);
	b = mem_sample(20, S, S + 20, 2.5, 1);
	assert_int_equal(watch_gc_cpu_between(&a, &b, S, &v), 0);
	assert_true(fabs(v - 0.5) < 1e-6);

	/* Unknown start, GCs that ended before the "start" (a wrong pid),
	 * counts that go backwards: not judged. */
	a = mem_sample(10, S, S + 10, 1, 5);
	b = mem_sample(20, S, S + 20, 6, 9);
	assert_int_equal(watch_gc_cpu_between(&a, &b, 0, &v), -EINVAL);
	assert_int_equal(watch_gc_cpu_between(&a, &b, S + 15, &v), -EINVAL);
	assert_int_equal(watch_gc_cpu_between(&b, &a, S, &v), -EINVAL);
	/* Same count, different end: inconsistent. */
	b.num_gc = a.num_gc;
	assert_int_equal(watch_gc_cpu_between(&a, &b, S, &v), -EINVAL);
	/* A share far above 1 means the numbers do not fit the formula. */
	a = mem_sample(10, S, S + 10, 1, 5);
	b = mem_sample(20, S, S + 20, 30, 9);
	assert_int_equal(watch_gc_cpu_between(&a, &b, S, &v), -EINVAL);
}

static struct watch_params params(void)
{
	struct watch_params p = { .heap_pressure = 0.85, .gc_cpu = 0.25, .goroutines = 1000, .growth_per_s = 0,
				  .window_s = 2, .cooldown_s = 5, .interval_s = 0.5 };

	return p;
}

/* A heap sample: HeapAlloc/NextGC = ratio/100 after num_gc cycles. */
static struct watch_sample heap_sample(double t, uint64_t ratio, uint64_t num_gc)
{
	struct watch_sample x = mem_sample(t, 1e9, 0, 0, 0);

	x.heap_alloc = ratio;
	x.next_gc = 100;
	x.num_gc = num_gc;
	return x;
}

/* Feeds samples every 0.5 s from t0 with the ratios and GC counts given;
 * returns how many crossings the last one gave. */
static size_t feed(struct watch_state *s, double t0, const uint64_t *ratio, const uint64_t *gcs, size_t n,
		   struct watch_crossing *c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct watch_sample x = heap_sample(t0 + 0.5 * (double)i, ratio[i], gcs[i]);

		k = watch_observe(s, &x, c);
		if (i + 1 < n)
			assert_int_equal(k, 0);
	}
	return k;
}

static void test_defaults_are_the_checks(void **state)
{
	struct watch_params p;

	(void)state;
	watch_params_defaults(&p);
	assert_true(p.heap_pressure == check_param_find(registry_find("go.heap-pressure"), "fail")->num);
	assert_true(p.gc_cpu == check_param_find(registry_find("go.gc-cpu"), "fail")->num);
	assert_true((double)p.goroutines == check_param_find(registry_find("go.goroutines"), "fail")->num);
	assert_true(p.growth_per_s == 0);
	/* The numbers the option table's help and docs/watch.md give. */
	assert_true(p.heap_pressure == 0.85);
	assert_true(p.gc_cpu == 0.25);
	assert_int_equal(p.goroutines, 500000);
	assert_string_equal(watch_reason_check(WATCH_HEAP_PRESSURE), "go.heap-pressure");
	assert_string_equal(watch_reason_check(WATCH_GC_CPU), "go.gc-cpu");
	assert_string_equal(watch_reason_check(WATCH_GOROUTINE_GROWTH), "go.goroutines");
}

/* The heap trigger judges what go.heap-pressure judges: the post-GC
 * trough over a full window with a GC cycle in it. */
static void test_heap_trough(void **state)
{
	struct watch_params p = params();
	struct watch_state s;
	struct watch_crossing c[WATCH_N_REASONS];
	/* window 2 s at 0.5 s: five samples span it. */
	static const uint64_t at_goal[] = { 92, 95, 86, 90, 94 }, gc_at_goal[] = { 7, 7, 8, 8, 8 };
	static const uint64_t below[] = { 92, 95, 85, 90, 94 };
	static const uint64_t burst[] = { 86, 90, 95, 99, 99 }, no_gc[] = { 7, 7, 7, 7, 7 };
	static const uint64_t healthy[] = { 60, 80, 50, 70, 90 }, gc_healthy[] = { 3, 3, 4, 4, 5 };

	(void)state;
	p.goroutines = 0;
	p.gc_cpu = 0;
	/* The trough 0.86 after the cycle, at or above 0.85: fires, once. */
	p.heap_pressure = 0.86;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	assert_int_equal(feed(&s, 0, at_goal, gc_at_goal, 5, c), 1);
	assert_int_equal(c[0].reason, WATCH_HEAP_PRESSURE);
	assert_true(fabs(c[0].value - 0.86) < 1e-9);
	assert_true(fabs(s.heap_trough - 0.86) < 1e-9);
	watch_state_release(&s);
	/* A trough of 0.85 under 0.86: silent however high the climbs. */
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	assert_int_equal(feed(&s, 0, below, gc_at_goal, 5, c), 0);
	assert_true(fabs(s.heap_trough - 0.85) < 1e-9);
	watch_state_release(&s);
	/* A burst of allocation between two cycles (no GC ended in the
	 * window), every sample above the threshold: nothing to judge. */
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	assert_int_equal(feed(&s, 0, burst, no_gc, 5, c), 0);
	assert_true(isnan(s.heap_trough));
	assert_true(fabs(s.heap_ratio - 0.99) < 1e-9);
	watch_state_release(&s);
	/* A healthy service at GOGC=100: cycles, climbs to 0.9, trough 0.5. */
	p.heap_pressure = 0.85;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	assert_int_equal(feed(&s, 0, healthy, gc_healthy, 5, c), 0);
	assert_true(fabs(s.heap_trough - 0.5) < 1e-9);
	watch_state_release(&s);
	/* The window not yet full (four samples span 1.5 s of 2): silent,
	 * even with a cycle and a high trough; full at the fifth. */
	p.heap_pressure = 0.86;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	assert_int_equal(feed(&s, 0, at_goal, gc_at_goal, 4, c), 0);
	assert_true(isnan(s.heap_trough));
	watch_state_release(&s);
	/* A threshold of 0 is off; NextGC 0 is no ratio. */
	p.heap_pressure = 0;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	assert_int_equal(feed(&s, 0, at_goal, gc_at_goal, 5, c), 0);
	watch_state_release(&s);
	p.heap_pressure = 0.85;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	{
		struct watch_sample x = heap_sample(0, 90, 1);

		x.next_gc = 0;
		assert_int_equal(watch_observe(&s, &x, c), 0);
		assert_true(isnan(s.heap_ratio));
	}
	watch_state_release(&s);
}

/* The shared judgment itself, as go.heap-pressure sees it. */
static void test_heap_trough_of(void **state)
{
	static const struct heap_point pts[] = { { 90, 100, 4 }, { 50, 100, 5 }, { 70, 100, 5 }, { 1, 0, 5 } };
	struct heap_trough h;

	(void)state;
	assert_int_equal(heap_trough_of(pts, 4, &h), 0);
	assert_int_equal(h.samples, 3);
	assert_int_equal(h.cycles, 1);
	assert_true(h.judged);
	assert_true(fabs(h.trough - 0.5) < 1e-9 && fabs(h.max - 0.9) < 1e-9 && fabs(h.p50 - 0.7) < 1e-9);
	/* One sample, or no cycle, or NumGC gone back: not judged. */
	assert_int_equal(heap_trough_of(pts, 1, &h), 0);
	assert_false(h.judged);
	assert_int_equal(heap_trough_of(pts + 1, 2, &h), 0);
	assert_false(h.judged);
	assert_int_equal(h.cycles, 0);
	{
		static const struct heap_point back[] = { { 50, 100, 9 }, { 60, 100, 2 } };

		assert_int_equal(heap_trough_of(back, 2, &h), 0);
		assert_false(h.judged);
	}
	assert_int_equal(heap_trough_of(pts, 0, &h), 0);
	assert_true(isnan(h.trough));
}

static void test_cooldown_and_incidents(void **state)
{
	struct watch_params p = params();
	struct watch_state s;
	struct watch_crossing c[WATCH_N_REASONS];
	struct watch_sample x = mem_sample(0, 1e9, 0, 0, 0);

	(void)state;
	p.heap_pressure = 0;
	p.cooldown_s = 5;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x.has_goroutines = true;
	x.goroutines = 999;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 0.5;
	x.goroutines = 1000;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].reason, WATCH_GOROUTINES);
	assert_int_equal(c[0].incident, 1);
	assert_int_equal(c[0].capture, 1);
	assert_true(c[0].incident_wall == x.wall);
	/* Within the cooldown: silent, however high; the incident goes on. */
	for (double t = 1; t < 5.5; t += 0.5) {
		x.t = t;
		x.goroutines = 5000;
		assert_int_equal(watch_observe(&s, &x, c), 0);
	}
	/* 5 s after the first event, still crossing: capture 2 of incident 1. */
	x.t = 5.5;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].incident, 1);
	assert_int_equal(c[0].capture, 2);
	/* A dip shorter than the quiet period (the cooldown) does not end it. */
	x.t = 6;
	x.goroutines = 10;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 8;
	x.goroutines = 2000;
	assert_int_equal(watch_observe(&s, &x, c), 0);   /* 2.5 s after capture 2: in cooldown */
	x.t = 10.5;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].incident, 1);
	assert_int_equal(c[0].capture, 3);
	/* Quiet for longer than the cooldown: the next crossing opens incident 2. */
	x.goroutines = 10;
	for (double t = 11; t <= 16; t += 0.5) {
		x.t = t;
		assert_int_equal(watch_observe(&s, &x, c), 0);
	}
	x.t = 16.5;
	x.goroutines = 1000;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].incident, 2);
	assert_int_equal(c[0].capture, 1);
	watch_state_release(&s);

	/* --cooldown 0: an event per crossing sample; consecutive crossings
	 * are one incident, a sample that does not cross ends it. */
	p.cooldown_s = 0;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x.goroutines = 1000;
	for (int i = 0; i < 3; i++) {
		x.t = 20 + i * 0.5;
		assert_int_equal(watch_observe(&s, &x, c), 1);
		assert_int_equal(c[0].incident, 1);
		assert_int_equal(c[0].capture, (unsigned)i + 1);
	}
	x.t = 21.5;
	x.goroutines = 1;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 22;
	x.goroutines = 1000;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].incident, 2);
	assert_int_equal(c[0].capture, 1);
	watch_state_release(&s);
}

static void test_debug2_decision(void **state)
{
	char why[160];

	(void)state;
	/* Not asked: never, however few goroutines. */
	assert_false(watch_debug2_decide(false, 20000, 10, why, sizeof(why)));
	assert_non_null(strstr(why, "--full-stacks not given"));
	/* Asked: below the guard only. */
	assert_true(watch_debug2_decide(true, 20000, 19999, why, sizeof(why)));
	assert_string_equal(why, "debug=2 too: 19999 goroutines < --max-debug2 20000 (--full-stacks)");
	assert_false(watch_debug2_decide(true, 20000, 20000, why, sizeof(why)));
	assert_string_equal(why, "debug=1 only: 20000 goroutines >= --max-debug2 20000");
	assert_false(watch_debug2_decide(true, 20000, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "unknown"));
	assert_false(watch_debug2_decide(true, 0, 5, why, sizeof(why)));
}

static void test_growth_needs_a_full_window(void **state)
{
	struct watch_params p = params();
	struct watch_state s;
	struct watch_crossing c[WATCH_N_REASONS];
	struct watch_sample x = { 0 };

	(void)state;
	p.goroutines = 0;
	p.growth_per_s = 100;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x.has_goroutines = true;
	/* A jump of 500 in the first half second: a burst, not judged yet. */
	x.t = 0;
	x.goroutines = 10;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 0.5;
	x.goroutines = 510;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(isnan(s.growth));
	/* Back down: over the full window, no growth. */
	x.t = 1;
	x.goroutines = 20;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 1.5;
	x.goroutines = 20;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 2;
	x.goroutines = 20;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(fabs(s.growth - 5) < 1e-9);
	/* A steady climb of 150/s fires once the window holds enough of it. */
	x.t = 2.5;
	x.goroutines = 95;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 3;
	x.goroutines = 170;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 3.5;
	x.goroutines = 245;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].reason, WATCH_GOROUTINE_GROWTH);
	assert_true(fabs(c[0].value - 112.5) < 1e-9);
	watch_state_release(&s);
}

static void test_gc_cpu_recent_and_restart(void **state)
{
	const double S = 1.7e9;
	struct watch_params p = params();
	struct watch_state s;
	struct watch_crossing c[WATCH_N_REASONS];
	struct watch_sample x;

	(void)state;
	p.start_unix = S;
	p.heap_pressure = 0;
	p.goroutines = 0;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	/* Cumulative 0.3 from an old burst, and the last window is quiet. */
	x = mem_sample(100, S, S + 100, 30, 50);
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(isnan(s.gc_cpu));
	/* No cycle ended since: nothing to rate (go.gc-cpu skips), not 0. */
	x = mem_sample(100.25, S, S + 100, 30, 50);
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(isnan(s.gc_cpu));
	x = mem_sample(100.5, S, S + 100.4, 30.02, 51);
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(s.gc_cpu_recent);
	assert_true(fabs(s.gc_cpu - 0.05) < 1e-6);
	/* A busy half second: 0.4 s of GC in 0.5 s. */
	x = mem_sample(101, S, S + 100.9, 30.42, 60);
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].reason, WATCH_GC_CPU);
	assert_true(fabs(c[0].value - 0.42 / 0.9) < 1e-6);

	/* The target restarted: its GC count went back. The start time is
	 * stale, so the cumulative fraction is judged from now on. */
	x = mem_sample(101.5, S + 101, S + 101.2, 0.1, 2);
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(s.restarted);
	assert_false(s.gc_cpu_recent);
	assert_true(fabs(s.gc_cpu - 0.5) < 1e-6);
	watch_state_release(&s);

	/* Without a start time: the cumulative fraction, from the first
	 * sample, but not before the first GC (go.gc-cpu: nothing to judge). */
	p.start_unix = 0;
	p.cooldown_s = 0;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x = mem_sample(99, S, 0, 0, 0);
	x.gc_cpu_fraction = 0.9;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(isnan(s.gc_cpu));
	x = mem_sample(100, S, S + 100, 30, 50);
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_true(fabs(c[0].value - 0.3) < 1e-9);
	assert_false(s.gc_cpu_recent);
	watch_state_release(&s);
}

static void test_process_start(void **state)
{
	double start = 0, now = (double)time(NULL);
	struct err e = { "" };

	(void)state;
	assert_int_equal(proc_start_unix("", getpid(), &start, &e), 0);
	/* This test started a moment ago (clock ticks of 10 ms, so a little slack). */
	assert_true(start <= now + 1);
	assert_true(start > now - 600);
	assert_int_equal(proc_start_unix("", 0x7ffffff0, &start, &e), -ESRCH);
	assert_non_null(strstr(e.msg, "/proc/2147483632/stat"));
}

/* ---- the event directory ---- */

static void test_names(void **state)
{
	char stem[WATCH_STEM_MAX];

	(void)state;
	assert_true(watch_store_parse_name("heap-20261126T100000Z-heap-pressure.pb.gz", stem));
	assert_string_equal(stem, "20261126T100000Z-heap-pressure");
	assert_true(watch_store_parse_name("goroutine-20261126T100000Z-goroutines-12.debug2.txt", stem));
	assert_string_equal(stem, "20261126T100000Z-goroutines-12");
	assert_true(watch_store_parse_name("goroutine-20261126T100000Z-goroutine-growth.txt", stem));
	assert_string_equal(stem, "20261126T100000Z-goroutine-growth");
	assert_true(watch_store_parse_name("memstats-20261126T100000Z-gc-cpu.json", NULL));
	assert_true(watch_store_parse_name("heap-20261126T100000Z-gc-cpu-2.pb", NULL));
	/* Not ours: anything a person may keep next to the events. */
	assert_false(watch_store_parse_name("heap-notes.txt", NULL));
	assert_false(watch_store_parse_name("heap-20261126T100000Z-oom.pb.gz", NULL));
	assert_false(watch_store_parse_name("heap-20261126T100000Z-gc-cpu-0.pb.gz", NULL));
	assert_false(watch_store_parse_name("heap-20261126T100000Z-gc-cpu-.pb.gz", NULL));
	assert_false(watch_store_parse_name("heap-20261126T100000Z-gc-cpu.pb.gz.bak", NULL));
	assert_false(watch_store_parse_name("cpu-20261126T100000Z-gc-cpu.pb.gz", NULL));
	assert_false(watch_store_parse_name("heap-2026112xT100000Z-gc-cpu.pb.gz", NULL));
	assert_false(watch_store_parse_name("heap-.pb.gz", NULL));
	assert_false(watch_store_parse_name(".heap-20261126T100000Z-gc-cpu.pb.gz.partial", NULL));
}

static int count_files(const char *dir, const char *prefix)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s' || true", dir, prefix);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void test_store(void **state)
{
	char dir[64] = "/tmp/test_watch.XXXXXX", path[512], cmd[600];
	struct watch_store s, other;
	struct err e = { "" };
	const double t = 1795687200; /* 2026-11-26T10:00:00Z */
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strcat(dir, "/events");
	/* A partial file a killed watcher left, and a file of someone else. */
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/.heap-20261126T090000Z-gc-cpu.pb.gz.partial", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/.notes.partial", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(watch_store_open(&s, dir, 2, &e), 0);
	snprintf(path, sizeof(path), "%s/.heap-20261126T090000Z-gc-cpu.pb.gz.partial", dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/.notes.partial", dir);
	assert_int_equal(stat(path, &st), 0);

	/* One watcher per directory. */
	assert_int_equal(watch_store_open(&other, dir, 2, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "another preflight watch"));

	/* An event is invisible until committed. */
	assert_int_equal(watch_store_begin(&s, t, "heap-pressure", &e), 0);
	assert_string_equal(s.stem, "20261126T100000Z-heap-pressure");
	assert_int_equal(watch_store_put(&s, "heap", ".pb.gz", "\x1f\x8b", 2, &e), 0);
	assert_int_equal(watch_store_put(&s, "memstats", ".json", "{}", 2, &e), 0);
	assert_int_equal(count_files(dir, "heap-"), 0);
	assert_int_equal(watch_store_commit(&s, &e), 0);
	assert_int_equal(count_files(dir, "heap-20261126T100000Z-heap-pressure.pb.gz"), 1);
	snprintf(path, sizeof(path), "%s/memstats-20261126T100000Z-heap-pressure.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* An abandoned event leaves nothing. */
	assert_int_equal(watch_store_begin(&s, t, "gc-cpu", &e), 0);
	assert_int_equal(watch_store_put(&s, "heap", ".pb.gz", "x", 1, &e), 0);
	watch_store_abort(&s);
	assert_int_equal(count_files(dir, "\\.heap"), 0);
	assert_int_equal(count_files(dir, "heap-"), 1);

	/* The same second: "-2", "-3"..., whatever the reason; the abandoned
	 * event above had "-2". */
	assert_int_equal(watch_store_begin(&s, t + 0.5, "gc-cpu", &e), 0);
	assert_string_equal(s.stem, "20261126T100000Z-gc-cpu-3");
	assert_int_equal(watch_store_put(&s, "heap", ".pb.gz", "x", 1, &e), 0);
	assert_int_equal(watch_store_commit(&s, &e), 0);
	assert_int_equal(watch_store_begin(&s, t + 0.9, "heap-pressure", &e), 0);
	assert_string_equal(s.stem, "20261126T100000Z-heap-pressure-4");
	assert_int_equal(watch_store_put(&s, "goroutine", ".txt", "x", 1, &e), 0);
	assert_int_equal(watch_store_commit(&s, &e), 0);

	/* keep 2: the oldest event goes, the order is the order made (the
	 * gc-cpu event sorts before heap-pressure by name, not by time). */
	{
		struct watch_capture_info *gone = NULL;
		size_t removed = 9;

		assert_int_equal(watch_store_prune(&s, &gone, &removed, &e), 0);
		assert_int_equal(removed, 1);
		/* No meta file (an older preflight's events): each its own incident. */
		assert_string_equal(gone[0].stem, "20261126T100000Z-heap-pressure");
		assert_string_equal(gone[0].incident, "20261126T100000Z-heap-pressure");
		assert_true(gone[0].first);
		free(gone);
	}
	assert_int_equal(count_files(dir, "heap-20261126T100000Z-heap-pressure.pb.gz"), 0);
	assert_int_equal(count_files(dir, "memstats-"), 0);
	assert_int_equal(count_files(dir, "heap-20261126T100000Z-gc-cpu-3"), 1);
	assert_int_equal(count_files(dir, "goroutine-20261126T100000Z-heap-pressure-4"), 1);
	/* A freed stem is not handed out again in that second. */
	assert_int_equal(watch_store_begin(&s, t + 0.95, "heap-pressure", &e), 0);
	assert_string_equal(s.stem, "20261126T100000Z-heap-pressure-5");
	watch_store_abort(&s);
	/* A new second starts over. */
	assert_int_equal(watch_store_begin(&s, t + 1, "gc-cpu", &e), 0);
	assert_string_equal(s.stem, "20261126T100001Z-gc-cpu");
	watch_store_abort(&s);

	watch_store_close(&s);
	/* Closed: the lock is free. */
	assert_int_equal(watch_store_open(&other, dir, 0, &e), 0);
	watch_store_close(&other);

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(dir) - strlen("/events")), dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- retention: the first capture of every incident is kept longest ---- */

/* Saves one event of incident `incident` (capture `capture`, first
 * crossing at incident_wall) at wall, with its meta file as watch writes
 * it; returns its stem in stem. */
static void save_event(struct watch_store *s, double wall, enum watch_reason reason, uint64_t incident,
		       double incident_wall, unsigned capture, char *stem)
{
	struct watch_crossing c = { reason, 1, 1, incident, incident_wall, capture };
	struct watch_stacks st = { true, false, 12, "debug=1 only: --full-stacks not given" };
	struct buf meta = BUF_INIT(WATCH_META_MAX);
	struct err e = { "" };
	const char *files[] = { "x" };
	struct watch_event ev;

	assert_int_equal(watch_store_begin(s, wall, watch_reason_name(reason), &e), 0);
	strcpy(stem, s->stem);
	assert_int_equal(watch_store_put(s, "heap", ".pb.gz", "x", 1, &e), 0);
	ev = (struct watch_event){ wall, &c, 1, "d", stem, files, 1, 0, "http://127.0.0.1:1", &st };
	assert_int_equal(watch_render_meta(&ev, &meta), 0);
	assert_int_equal(watch_store_put(s, "meta", ".json", buf_str(&meta), meta.len, &e), 0);
	assert_int_equal(watch_store_commit(s, &e), 0);
	buf_release(&meta);
}

static bool has_event(const char *dir, const char *stem)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/heap-%s.pb.gz", dir, stem);
	return stat(path, &st) == 0;
}

static void test_retention(void **state)
{
	char dir[64] = "/tmp/test_watch.XXXXXX", cmd[128];
	/* a1 a2 a3 b1 a4 b2 c1 c2 c3, in that order: three incidents. */
	static const struct {
		enum watch_reason r;
		uint64_t inc;
		unsigned cap;
	} ev[] = {
		{ WATCH_HEAP_PRESSURE, 1, 1 }, { WATCH_HEAP_PRESSURE, 1, 2 }, { WATCH_HEAP_PRESSURE, 1, 3 },
		{ WATCH_GOROUTINES, 2, 1 },    { WATCH_HEAP_PRESSURE, 1, 4 }, { WATCH_GOROUTINES, 2, 2 },
		{ WATCH_GC_CPU, 3, 1 },        { WATCH_GC_CPU, 3, 2 },        { WATCH_GC_CPU, 3, 3 },
	};
	enum { A1, A2, A3, B1, A4, B2, C1, C2, C3, N };
	const double t = 1795687200;
	double started[4] = { 0 };
	char stems[N][WATCH_STEM_MAX];
	struct watch_capture_info *gone = NULL;
	struct watch_store s;
	struct err e = { "" };
	size_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(watch_store_open(&s, dir, 0, &e), 0);
	for (int i = 0; i < N; i++) {
		if (ev[i].cap == 1)
			started[ev[i].inc] = t + 60 * i;
		save_event(&s, t + 60 * i, ev[i].r, ev[i].inc, started[ev[i].inc], ev[i].cap, stems[i]);
	}
	/* keep 0 deletes nothing. */
	assert_int_equal(watch_store_prune(&s, &gone, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(gone);

	/* keep 5 of 9: the middles a2, a3, c2 first, then a4, the oldest
	 * capture left that is not an incident's first. */
	s.keep = 5;
	assert_int_equal(watch_store_prune(&s, &gone, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_string_equal(gone[0].stem, stems[A2]);
	assert_string_equal(gone[1].stem, stems[A3]);
	assert_string_equal(gone[2].stem, stems[A4]);
	assert_string_equal(gone[3].stem, stems[C2]);
	assert_string_equal(gone[0].incident, "20261126T100000Z-heap-pressure-i1");
	assert_int_equal(gone[0].capture, 2);
	assert_false(gone[0].first);
	free(gone);
	for (int i = 0; i < N; i++)
		assert_int_equal(has_event(dir, stems[i]), i == A1 || i == B1 || i == B2 || i == C1 || i == C3);

	/* keep 2 of 5: b2 and c3 go, then the oldest first capture, a1. */
	s.keep = 2;
	assert_int_equal(watch_store_prune(&s, &gone, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(gone[0].stem, stems[A1]);
	assert_true(gone[0].first);
	free(gone);
	for (int i = 0; i < N; i++)
		assert_int_equal(has_event(dir, stems[i]), i == B1 || i == C1);

	watch_store_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_plan_and_meta(void **state)
{
	struct watch_capture_info c[4] = { 0 };
	bool del[4];

	(void)state;
	/* An event that opened a second incident is a first capture too. */
	strcpy(c[0].stem, "s0");
	assert_int_equal(watch_meta_parse("{\"incident\":{\"id\":\"X\",\"capture\":1,\"first\":true}}", strlen("{\"incident\":{\"id\":\"X\",\"capture\":1,\"first\":true}}"), &c[0]), 0);
	strcpy(c[1].stem, "s1");
	assert_int_equal(watch_meta_parse("{\"incident\":{\"id\":\"X\",\"capture\":2,\"first\":true}}", strlen("{\"incident\":{\"id\":\"X\",\"capture\":2,\"first\":true}}"), &c[1]), 0);
	assert_true(c[1].first);
	strcpy(c[2].stem, "s2");
	assert_int_equal(watch_meta_parse("{\"incident\":{\"id\":\"X\",\"capture\":3,\"first\":false}}", strlen("{\"incident\":{\"id\":\"X\",\"capture\":3,\"first\":false}}"), &c[2]), 0);
	assert_string_equal(c[2].incident, "X");
	assert_false(c[2].first);
	/* Not a meta document: an incident of its own, first. */
	strcpy(c[3].stem, "s3");
	assert_int_equal(watch_meta_parse("{\"incident\":{\"id\":\"X\",\"capture\":0,\"first\":false}}", strlen("{\"incident\":{\"id\":\"X\",\"capture\":0,\"first\":false}}"), &c[3]),
			 -PF_EPARSE);
	assert_string_equal(c[3].incident, "s3");
	assert_true(c[3].first);
	assert_int_equal(watch_meta_parse("[1,", strlen("[1,"), &c[3]), -PF_EPARSE);
	assert_int_equal(watch_store_plan_prune(c, 4, 3, del), 1);
	assert_true(del[2] && !del[0] && !del[1] && !del[3]);
	assert_int_equal(watch_store_plan_prune(c, 4, 1, del), 3);
	assert_true(del[0] && del[1] && del[2] && !del[3]);
	assert_int_equal(watch_store_plan_prune(c, 4, 4, del), 0);
}

/* ---- the event line and the progress line (report/watch.c) ---------------- */

static char *render(const struct watch_event *ev, const char *format)
{
	char *p = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&p, &n);

	assert_non_null(m);
	assert_int_equal(watch_render_event(ev, format, m), 0);
	assert_int_equal(fclose(m), 0);
	return p;
}

/* Compares text with tests/golden/watch/NAME; UPDATE_GOLDEN=1 rewrites it
 * (docs/testing.md). */
static void golden(const char *name, const char *text)
{
	const char *fx = getenv("FIXTURES"), *update = getenv("UPDATE_GOLDEN");
	char path[4096];
	char *want = NULL;
	size_t n = 0;
	FILE *f;

	assert_non_null(fx);
	snprintf(path, sizeof(path), "%s/../golden/watch/%s", fx, name);
	if (update && !strcmp(update, "1")) {
		f = fopen(path, "we");
		assert_non_null(f);
		assert_int_equal(fputs(text, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
	}
	f = fopen(path, "re");
	if (!f)
		fail_msg("no golden file '%s' (UPDATE_GOLDEN=1 writes it)", path);
	want = malloc(1u << 16);
	assert_non_null(want);
	n = fread(want, 1, (1u << 16) - 1, f);
	want[n] = '\0';
	fclose(f);
	if (strcmp(want, text))
		fail_msg("'%s' differs:\n--- want\n%s--- got\n%s", path, want, text);
	free(want);
}

static void test_event_lines(void **state)
{
	/* 2026-11-26T10:00:00Z */
	const double wall = 1795687200.25;
	static const struct watch_crossing c[] = {
		{ WATCH_HEAP_PRESSURE, 0.9123, 0.85, 3, 1795687140.5, 2 },
		{ WATCH_GOROUTINES, 12034, 10000, 4, 1795687200.25, 1 },
		{ WATCH_GOROUTINE_GROWTH, 312.4, 100, 5, 1795687200.25, 1 },
	};
	static const char *const files[] = {
		"heap-20261126T100000Z-heap-pressure.pb.gz",
		"goroutine-20261126T100000Z-heap-pressure.txt",
		"goroutine-20261126T100000Z-heap-pressure.debug2.txt",
		"memstats-20261126T100000Z-heap-pressure.json",
	};
	struct watch_stacks st = { true, false, 12034, "debug=1 only: --full-stacks not given" };
	struct watch_event ev = { wall, c, 3, "./preflight-watch", "20261126T100000Z-heap-pressure", files, 4, 0,
				  "http://127.0.0.1:6060", &st };
	struct buf meta = BUF_INIT(WATCH_META_MAX);
	struct watch_capture_info info = { .stem = "s" };
	char *tty, *json, *narrow;
	char stamp[32];

	(void)state;
	watch_format_utc(wall, stamp, sizeof(stamp));
	assert_string_equal(stamp, "2026-11-26T10:00:00Z");
	tty = render(&ev, "tty");
	json = render(&ev, "json");
	golden("event.tty", tty);
	golden("event.json", json);
	/* one line each */
	assert_true(strchr(tty, '\n') + 1 == tty + strlen(tty));
	assert_true(strchr(json, '\n') + 1 == json + strlen(json));
	/* on a terminal of 60 columns, wrapped at spaces, nothing lost */
	ev.width = 60;
	narrow = render(&ev, "tty");
	for (char *line = narrow, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		assert_true((size_t)(nl - line) <= 60 || !memchr(line, ' ', (size_t)(nl - line)));
	for (size_t i = 0; i < 4; i++)
		assert_non_null(strstr(narrow, files[i]));
	assert_int_equal(watch_render_event(&ev, "xml", stdout), -EINVAL);
	/* The meta file: the same members, the URL, and an incident that
	 * retention reads back (capture 2 of heap-pressure's incident, first
	 * because the goroutines crossing opened one). */
	ev.width = 0;
	assert_int_equal(watch_render_meta(&ev, &meta), 0);
	golden("meta.json", buf_str(&meta));
	assert_int_equal(watch_meta_parse(buf_str(&meta), meta.len, &info), 0);
	assert_string_equal(info.incident, "20261126T095900Z-heap-pressure-i3");
	assert_int_equal(info.capture, 2);
	assert_true(info.first);
	buf_release(&meta);
	free(tty);
	free(json);
	free(narrow);
}

static void test_progress_text(void **state)
{
	struct watch_params p = { .heap_pressure = 0.85, .window_s = 1, .cooldown_s = 60, .interval_s = 0.2 };
	struct watch_state st;
	struct err e = { "" };
	char text[256];

	(void)state;
	assert_int_equal(watch_state_init(&st, &p, &e), 0);
	watch_progress_text(text, sizeof(text), 1, 0, &st, false, 0);
	assert_string_equal(text, "1 sample, 0 events");
	st.heap_ratio = 0.4212;
	st.gc_cpu = 0.013;
	st.gc_cpu_recent = true;
	watch_progress_text(text, sizeof(text), 1234, 2, &st, true, 230);
	assert_string_equal(text, "1234 samples, 2 events; heap 0.42 gc-cpu 0.01 goroutines 230");
	st.heap_ratio = NAN;
	st.gc_cpu_recent = false;
	st.growth = 12;
	watch_progress_text(text, sizeof(text), 5, 1, &st, true, 230);
	assert_string_equal(text, "5 samples, 1 event; gc-cpu 0.01 (cumulative) goroutines 230 (+12/s)");
	/* a short buffer is cut, never overrun */
	watch_progress_text(text, 8, 1234, 2, &st, true, 230);
	assert_int_equal(strlen(text), 7);
	watch_state_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gc_cpu_between),
		cmocka_unit_test(test_defaults_are_the_checks),
		cmocka_unit_test(test_heap_trough),
		cmocka_unit_test(test_heap_trough_of),
		cmocka_unit_test(test_cooldown_and_incidents),
		cmocka_unit_test(test_debug2_decision),
		cmocka_unit_test(test_growth_needs_a_full_window),
		cmocka_unit_test(test_gc_cpu_recent_and_restart),
		cmocka_unit_test(test_process_start),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_plan_and_meta),
		cmocka_unit_test(test_event_lines),
		cmocka_unit_test(test_progress_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
