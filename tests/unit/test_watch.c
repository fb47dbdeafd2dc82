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

static void test_heap_and_cooldown(void **state)
{
	struct watch_params p = params();
	struct watch_state s;
	struct watch_crossing c[WATCH_N_REASONS];
	struct watch_sample x = mem_sample(0, 1e9, 0, 0, 0);

	(void)state;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x.heap_alloc = 84;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	x.t = 0.5;
	x.heap_alloc = 85;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].reason, WATCH_HEAP_PRESSURE);
	assert_true(fabs(c[0].value - 0.85) < 1e-9);
	assert_true(c[0].threshold == 0.85);
	/* Within the cooldown: silent, however high. */
	for (double t = 1; t < 5.5; t += 0.5) {
		x.t = t;
		x.heap_alloc = 99;
		assert_int_equal(watch_observe(&s, &x, c), 0);
	}
	/* The cooldown is per reason: goroutines fire now. */
	x.t = 5.0;
	x.has_goroutines = true;
	x.goroutines = 1000;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].reason, WATCH_GOROUTINES);
	/* 5 s after the first heap event: it may fire again. */
	x.t = 5.5;
	assert_int_equal(watch_observe(&s, &x, c), 1);
	assert_int_equal(c[0].reason, WATCH_HEAP_PRESSURE);
	/* Both reasons out of cooldown at once: one crossing each, in enum order. */
	x.t = 11;
	assert_int_equal(watch_observe(&s, &x, c), 2);
	assert_int_equal(c[0].reason, WATCH_HEAP_PRESSURE);
	assert_int_equal(c[1].reason, WATCH_GOROUTINES);
	watch_state_release(&s);

	/* A threshold of 0 is off; NextGC 0 is no ratio. */
	p.heap_pressure = 0;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x.t = 0;
	x.has_goroutines = false;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	watch_state_release(&s);
	p = params();
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
	x.next_gc = 0;
	assert_int_equal(watch_observe(&s, &x, c), 0);
	assert_true(isnan(s.heap_ratio));
	watch_state_release(&s);
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

	/* Without a start time: the cumulative fraction, from the first sample. */
	p.start_unix = 0;
	p.cooldown_s = 0;
	assert_int_equal(watch_state_init(&s, &p, NULL), 0);
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
		size_t removed = 9;

		assert_int_equal(watch_store_prune(&s, &removed, &e), 0);
		assert_int_equal(removed, 1);
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
		{ WATCH_HEAP_PRESSURE, 0.9123, 0.85 },
		{ WATCH_GOROUTINES, 12034, 10000 },
		{ WATCH_GOROUTINE_GROWTH, 312.4, 100 },
	};
	static const char *const files[] = {
		"heap-20261126T100000Z-heap-pressure.pb.gz",
		"goroutine-20261126T100000Z-heap-pressure.txt",
		"goroutine-20261126T100000Z-heap-pressure.debug2.txt",
		"memstats-20261126T100000Z-heap-pressure.json",
	};
	struct watch_event ev = { wall, c, 3, "./preflight-watch", "20261126T100000Z-heap-pressure", files, 4, 0 };
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
		cmocka_unit_test(test_heap_and_cooldown),
		cmocka_unit_test(test_growth_needs_a_full_window),
		cmocka_unit_test(test_gc_cpu_recent_and_restart),
		cmocka_unit_test(test_process_start),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_event_lines),
		cmocka_unit_test(test_progress_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
