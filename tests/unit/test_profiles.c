/* Unit tests for the Go runtime profile parsers (goruntime/profiles.h):
 * mutex and block contention, heap debug=1 with its MemStats block,
 * expvar's /debug/vars and the Prometheus text format with client_golang's
 * go_* metrics. Fixtures come from real Go 1.19 and Go 1.26 programs
 * (tests/fixtures/profiles/README.md); hand-made inputs cover what those
 * cannot show: escapes, huge numbers, runs of TABs, HTML, garbage, and
 * every truncation of a real body. */
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

#include "goruntime/profiles.h"

static const char *const versions[] = { "go1.19", "go1.26" };

static char *fixture(const char *version, const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char path[4096];
	FILE *f;
	char *b;
	long n;

	snprintf(path, sizeof(path), "%s/profiles/%s/%s", dir ? dir : "tests/fixtures", version, name);
	f = fopen(path, "rbe");
	if (!f)
		fail_msg("cannot open fixture '%s'", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* A parse of a hand-made body that must fail, with msg in the message. */
#define assert_fails(call, want)                                                              \
	do {                                                                                  \
		struct err e_ = { "" };                                                       \
		int r_ = (call);                                                              \
		if (r_ != -PF_EPARSE || !strstr(e_.msg, (want)))                               \
			fail_msg("got %d '%s', want -PF_EPARSE with '%s'", r_, e_.msg, (want)); \
	} while (0)

/* ---- contention: the real profiles ------------------------------------ */

static const struct contention_rank *rank_of(const struct contention_rank *k, size_t n, const char *func,
					     size_t *at)
{
	for (size_t i = 0; i < n; i++)
		if (k[i].site && !strcmp(k[i].site->func, func)) {
			if (at)
				*at = i;
			return &k[i];
		}
	return NULL;
}

static void test_mutex_fixtures(void **state)
{
	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct contention_profile p;
		struct contention_rank *k;
		const struct contention_rank *hot, *cold;
		size_t len, n, hot_at, cold_at;
		struct err e = { "" };
		char *body = fixture(versions[v], "mutex.txt", &len);
		double sum = 0;
		bool internal = false;

		assert_int_equal(contention_parse(body, len, &p, &e), 0);
		assert_int_equal(p.kind, 'm');
		assert_true(p.enabled);
		assert_int_equal(p.sampling_period, 1);
		assert_true(p.cycles_per_second > 1000000);
		assert_true(p.n_sites >= 2);
		for (size_t i = 0; i + 1 < p.n_sites; i++)
			assert_true(p.sites[i].cycles >= p.sites[i + 1].cycles);
		assert_int_equal(contention_rank_sites(&p, &k, &n, &e), 0);
		/* The workload holds hotLock for 200 µs under eight goroutines: it
		 * ranks first, at the Unlock line of hotCriticalSection. */
		hot = rank_of(k, n, "main.hotCriticalSection", &hot_at);
		cold = rank_of(k, n, "main.coldCriticalSection", &cold_at);
		assert_non_null(hot);
		assert_non_null(cold);
		assert_int_equal(hot_at, 0);
		assert_true(cold_at > hot_at);
		assert_int_equal(hot->site->line, 36);   /* hotLock.Unlock() */
		assert_true(ends_with(hot->site->file, "/profilegen/workload.go"));
		assert_false(hot->runtime_internal);
		assert_true(hot->share > 0.9);
		assert_string_equal(hot->top->frames[0].func, "sync.(*Mutex).Unlock");
		assert_true(fabs(hot->delay_s - (double)hot->cycles / (double)p.cycles_per_second) < 1e-9);
		for (size_t i = 0; i < n; i++) {
			sum += k[i].share;
			internal |= k[i].runtime_internal;
		}
		assert_true(fabs(sum - 1) < 1e-9);
		/* Runtime-internal lock contention shows up from Go 1.22 on. */
		assert_int_equal(internal, v == 1);
		free(k);
		contention_profile_release(&p);
		free(body);
	}
}

static void test_block_fixtures(void **state)
{
	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct contention_profile p;
		struct contention_rank *k;
		const struct contention_rank *hot, *recv;
		size_t len, n, at;
		struct err e = { "" };
		char *body = fixture(versions[v], "block.txt", &len);

		assert_int_equal(contention_parse(body, len, &p, &e), 0);
		assert_int_equal(p.kind, 'b');
		assert_true(p.enabled);
		assert_int_equal(p.sampling_period, -1);
		assert_int_equal(contention_rank_sites(&p, &k, &n, &e), 0);
		/* A block site is where the goroutine waited: the Lock line, and
		 * the select that receives the jobs. */
		hot = rank_of(k, n, "main.hotCriticalSection", &at);
		assert_non_null(hot);
		assert_int_equal(at, 0);
		assert_int_equal(hot->site->line, 30);   /* hotLock.Lock() */
		recv = rank_of(k, n, "main.consumeJobs", NULL);
		assert_non_null(recv);
		assert_string_equal(recv->top->frames[0].func, "runtime.selectgo");
		assert_true(recv->count > 100);
		free(k);
		contention_profile_release(&p);
		free(body);
	}
}

static void test_contention_disabled(void **state)
{
	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct contention_profile p;
		struct err e = { "" };
		size_t len;
		char *body = fixture(versions[v], "disabled/mutex.txt", &len);

		assert_int_equal(contention_parse(body, len, &p, &e), 0);
		assert_int_equal(p.kind, 'm');
		assert_false(p.enabled);
		assert_int_equal(p.sampling_period, 0);
		assert_int_equal(p.n_sites, 0);
		contention_profile_release(&p);
		free(body);
		body = fixture(versions[v], "disabled/block.txt", &len);
		assert_int_equal(contention_parse(body, len, &p, &e), 0);
		assert_int_equal(p.kind, 'b');
		assert_false(p.enabled);
		assert_int_equal(p.n_sites, 0);
		assert_true(p.total_delay_s == 0);
		contention_profile_release(&p);
		free(body);
	}
}

/* ---- contention: made by hand ----------------------------------------- */

static int cparse(const char *s, struct contention_profile *p, struct err *e)
{
	return contention_parse(s, strlen(s), p, e);
}

static void test_contention_tabs_and_unknown_frames(void **state)
{
	const char *s = "--- mutex:\r\n"
			"cycles/second=1000\r\n"
			"sampling period=5\r\n"
			"3000 7 @ 0x1 0x2 0x3 0x4\r\n"
			"#\t0x1\t\t\tsync.(*RWMutex).Unlock+0x10\t\t/go/src/sync/rwmutex.go:208\r\n"
			"#\t0x2\t\t\tinternal/sync.(*Mutex).unlockSlow+0x1\t/go/src/internal/sync/mutex.go:9\r\n"
			"#\t0x3\r\n"
			"#\t0x4\t\t\tmain.(*cache).put[...]+0x3c\t\t/src/my dir/cache.go:77\r\n"
			"\r\n"
			"1000 1 @ 0x5\r\n"
			"#\t0x5\tmain.other+0x0\t/src/other.go:1\r\n";
	struct contention_profile p;
	struct contention_rank *k;
	size_t n;
	struct err e = { "" };

	(void)state;
	assert_int_equal(cparse(s, &p, &e), 0);
	assert_int_equal(p.sampling_period, 5);
	assert_int_equal(p.n_sites, 2);
	assert_int_equal(p.sites[0].n_frames, 4);
	assert_string_equal(p.sites[0].frames[0].func, "sync.(*RWMutex).Unlock");
	assert_string_equal(p.sites[0].frames[0].file, "/go/src/sync/rwmutex.go");
	assert_int_equal(p.sites[0].frames[0].line, 208);
	assert_string_equal(p.sites[0].frames[2].func, "");
	assert_string_equal(p.sites[0].frames[3].file, "/src/my dir/cache.go");
	assert_true(fabs(p.sites[0].delay_s - 3.0) < 1e-12);
	assert_true(fabs(p.total_delay_s - 4.0) < 1e-12);
	assert_int_equal(p.total_count, 8);
	/* sync and internal/sync frames and the unknown one are skipped. */
	assert_int_equal(contention_rank_sites(&p, &k, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(k[0].site->func, "main.(*cache).put[...]");
	assert_true(fabs(k[0].share - 0.75) < 1e-12);
	free(k);
	contention_profile_release(&p);
}

static void test_contention_merge_and_plumbing(void **state)
{
	/* Two stacks end the same critical section (same function and
	 * line): one site. A stack of runtime frames only is a runtime lock. */
	const char *s = "--- mutex:\n"
			"cycles/second=10\n"
			"sampling period=1\n"
			"40 4 @ 0x1 0x2\n"
			"#\t0x1\tsync.(*Mutex).Unlock+0x1\t/go/sync/mutex.go:1\n"
			"#\t0x2\tmain.f+0x1\t/a.go:10\n"
			"\n"
			"30 2 @ 0x3\n"
			"#\t0x3\truntime._LostContendedRuntimeLock+0x0\t/go/runtime/proc.go:5\n"
			"\n"
			"20 2 @ 0x1 0x4\n"
			"#\t0x1\tsync.(*Mutex).Unlock+0x1\t/go/sync/mutex.go:1\n"
			"#\t0x4\tmain.f+0x1\t/a.go:10\n"
			"#\t0x5\tmain.caller2+0x1\t/a.go:99\n"
			"\n"
			"10 1 @\n";
	struct contention_profile p;
	struct contention_rank *k;
	size_t n;
	struct err e = { "" };
	bool internal;

	(void)state;
	assert_int_equal(cparse(s, &p, &e), 0);
	assert_int_equal(contention_rank_sites(&p, &k, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(k[0].site->func, "main.f");
	assert_int_equal(k[0].cycles, 60);
	assert_int_equal(k[0].count, 6);
	assert_int_equal(k[0].n_stacks, 2);
	assert_int_equal(k[0].top->cycles, 40);
	assert_true(fabs(k[0].delay_s - 6.0) < 1e-12);
	assert_string_equal(k[1].site->func, "runtime._LostContendedRuntimeLock");
	assert_true(k[1].runtime_internal);
	assert_null(k[2].site);   /* a record without frames */
	assert_null(contention_site_frame(&p, &p.sites[3], &internal));
	assert_false(internal);
	free(k);
	contention_profile_release(&p);
}

static void test_contention_huge_numbers(void **state)
{
	struct contention_profile p;
	struct err e = { "" };

	(void)state;
	assert_int_equal(cparse("--- contention:\ncycles/second=18446744073709551615\n"
				"18446744073709551615 18446744073709551615 @ 0xffffffffffffffff\n"
				"1 18446744073709551615 @ 0x1\n",
				&p, &e),
			 0);
	assert_int_equal(p.sites[0].cycles, UINT64_MAX);
	assert_int_equal(p.total_count, UINT64_MAX);   /* saturates */
	assert_true(fabs(p.sites[0].delay_s - 1.0) < 1e-12);
	contention_profile_release(&p);
	assert_fails(cparse("--- contention:\ncycles/second=10\n18446744073709551616 1 @ 0x1\n", &p, &e_),
		     "line 3: expected a record");
	assert_fails(cparse("--- mutex:\ncycles/second=10\nsampling period=99999999999999999999\n", &p, &e_),
		     "line 3:");
}

static void test_contention_rejects(void **state)
{
	struct contention_profile p;

	(void)state;
	assert_fails(cparse("", &p, &e_), "empty");
	assert_fails(cparse("\n\n", &p, &e_), "no header");
	assert_fails(cparse("<!DOCTYPE html><html><body>login</body></html>", &p, &e_), "looks like HTML");
	assert_fails(contention_parse("\x1f\x8b\x08\x00\x00", 5, &p, &e_), "gzip");
	assert_fails(contention_parse("--- mutex:\n\0", 12, &p, &e_), "binary");
	assert_fails(cparse("goroutine profile: total 4\n", &p, &e_), "line 1: expected '--- mutex:'");
	assert_fails(cparse("--- mutex:\n", &p, &e_), "no 'cycles/second=' line");
	assert_fails(cparse("--- mutex:\ncycles/second=0\n", &p, &e_), "line 2: 'cycles/second=' needs a positive");
	assert_fails(cparse("--- mutex:\ncycles/second=-5\n", &p, &e_), "line 2:");
	assert_fails(cparse("--- mutex:\ncycles/second=5\ncycles/second=5\n", &p, &e_), "line 3: a second");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n#\t0x1\tmain.f+0x1\t/a.go:1\n", &p, &e_),
		     "line 3: a frame line outside a record");
	assert_fails(cparse("--- mutex:\n1 1 @ 0x1\n", &p, &e_), "line 2: a record before");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0xzz\n", &p, &e_), "line 3: expected a record");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 0x1\n", &p, &e_), "line 3");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0x1\n#\t0x1\tmain.f\t/a.go:1\n", &p, &e_),
		     "line 4: a frame's function does not end in '+0x<offset>'");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go\n", &p, &e_),
		     "line 4: a frame's location");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0x1\n#\t0x1\tmain.f+0x1\n", &p, &e_),
		     "line 4: a frame line has 2 fields");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0x1\n#\t0x1\ta+0x1\tb:1\tc\n", &p, &e_),
		     "more than 3 fields");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0x1\n# 0x1 main.f+0x1 /a.go:1\n", &p, &e_),
		     "line 4: a frame line starts with");
	assert_fails(cparse("--- mutex:\ncycles/second=5\n1 1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:99999999999\n",
			    &p, &e_),
		     "line 4");
	/* garbage with control bytes is quoted safely */
	assert_fails(cparse("--- mutex:\ncycles/second=5\n\x1b[31mred\n", &p, &e_), "'?[31mred'");
}

/* Every prefix of a real profile: parsed or refused, never a crash or a
 * leak; a prefix at a line boundary past the header always parses. */
static void test_contention_truncated(void **state)
{
	(void)state;
	for (size_t v = 0; v < 2; v++) {
		const char *names[] = { "mutex.txt", "block.txt" };

		for (size_t f = 0; f < 2; f++) {
			size_t len, lines = 0;
			char *body = fixture(versions[v], names[f], &len);

			for (size_t cut = 0; cut <= len; cut++) {
				struct contention_profile p;
				struct err e = { "" };
				int r = contention_parse(body, cut, &p, &e);

				if (r == 0) {
					contention_profile_release(&p);
				} else {
					assert_int_equal(r, -PF_EPARSE);
					assert_true(e.msg[0] != '\0');
				}
				if (cut > 0 && body[cut - 1] == '\n' && ++lines >= 2)
					assert_int_equal(r, 0);
			}
			free(body);
		}
	}
}

/* ---- heap -------------------------------------------------------------- */

static void test_heap_fixtures(void **state)
{
	static const struct {
		uint64_t heap_alloc, next_gc, num_gc, last_gc;
	} want[] = {
		{ 8020992, 12633488, 76, 1795720808232355639ull },
		{ 9368608, 18679962, 81, 1795720819773275394ull },
	};

	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct heap_profile p;
		struct err e = { "" };
		size_t len;
		char *body = fixture(versions[v], "heap.txt", &len);
		uint64_t inuse = 0, alloc = 0;
		bool retained = false;

		assert_int_equal(heap_parse(body, len, &p, &e), 0);
		assert_int_equal(p.sample_rate, 1048576);   /* 2 x the default MemProfileRate */
		assert_true(p.n_sites >= 2);
		for (size_t i = 0; i < p.n_sites; i++) {
			inuse += p.sites[i].inuse_bytes;
			alloc += p.sites[i].alloc_bytes;
			if (i + 1 < p.n_sites)
				assert_true(p.sites[i].inuse_bytes >= p.sites[i + 1].inuse_bytes);
			for (size_t f = 0; f < p.sites[i].n_frames; f++)
				retained |= !strcmp(p.sites[i].frames[f].func, "main.allocateRetained");
		}
		/* The header is the sum of the records (alloc_bytes may carry the
		 * runtime's +1 when it equals inuse_bytes). */
		assert_int_equal(p.inuse_bytes, inuse);
		assert_true(p.alloc_bytes == alloc || p.alloc_bytes == alloc + 1);
		assert_true(retained);
		assert_true(p.memstats.ok);
		assert_string_equal(p.memstats.source, "heap");
		assert_int_equal(p.memstats.heap_alloc, want[v].heap_alloc);
		assert_int_equal(p.memstats.next_gc, want[v].next_gc);
		assert_int_equal(p.memstats.num_gc, want[v].num_gc);
		assert_int_equal(p.memstats.last_gc_ns, want[v].last_gc);
		assert_true(p.memstats.has_pause_ring);
		assert_true(p.memstats.pause_ns[(p.memstats.num_gc + 255) % 256] > 0);
		assert_true(p.memstats.has_gc_cpu_fraction);
		assert_true(p.memstats.gc_cpu_fraction > 0 && p.memstats.gc_cpu_fraction < 1);
		assert_true(p.memstats.stack_inuse > 0);
		/* NumGC <= 256: the ring still holds every pause. */
		assert_true(p.memstats.has_pause_total);
		heap_profile_release(&p);
		free(body);

		body = fixture(versions[v], "disabled/heap.txt", &len);
		assert_int_equal(heap_parse(body, len, &p, &e), 0);
		assert_int_equal(p.sample_rate, 0);
		assert_true(p.memstats.ok);
		heap_profile_release(&p);
		free(body);
	}
}

/* A MemStats block with n PauseNs values and the given extra lines. */
static char *memstats_block(size_t n, const char *extra, uint64_t num_gc)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	fprintf(f, "heap profile: 0: 0 [0: 0] @ heap/1048576\n\n# runtime.MemStats\n# Alloc = 100\n"
		   "# HeapAlloc = 100\n# NextGC = 200\n# Stack = 32768 / 65536\n# NumGC = %llu\n# PauseNs = [",
		(unsigned long long)num_gc);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%zu", i ? " " : "", i < 3 ? 1000 * (i + 1) : 0);
	fprintf(f, "]\n# GCCPUFraction = 0.25\n# DebugGC = false\n%s", extra);
	fclose(f);
	return s;
}

static int hparse(const char *s, struct heap_profile *p, struct err *e)
{
	return heap_parse(s, strlen(s), p, e);
}

static void test_heap_made(void **state)
{
	struct heap_profile p;
	struct go_memstats m;
	struct err e = { "" };
	char *s;

	(void)state;
	s = memstats_block(256, "# MaxRSS = 1234\n# SomethingNew = text\n", 3);
	assert_int_equal(heap_parse(s, strlen(s), &p, &e), 0);
	assert_int_equal(p.n_sites, 0);
	assert_int_equal(p.memstats.stack_inuse, 32768);
	assert_int_equal(p.memstats.pause_ns[2], 3000);
	assert_int_equal(p.memstats.pause_total_ns, 6000);
	assert_true(p.memstats.gc_cpu_fraction == 0.25);
	heap_profile_release(&p);
	/* the block alone, as memstats_from_heap takes it */
	assert_int_equal(memstats_from_heap(strstr(s, "# runtime"), strlen(strstr(s, "# runtime")), &m, &e), 0);
	assert_int_equal(m.next_gc, 200);
	free(s);

	/* past 256 cycles the ring has wrapped: no pause total */
	s = memstats_block(256, "", 300);
	assert_int_equal(heap_parse(s, strlen(s), &p, &e), 0);
	assert_false(p.memstats.has_pause_total);
	heap_profile_release(&p);
	free(s);

	s = memstats_block(255, "", 3);
	assert_fails(heap_parse(s, strlen(s), &p, &e_), "line 9: 'PauseNs' has a malformed value");
	free(s);
	s = memstats_block(257, "", 3);
	assert_fails(heap_parse(s, strlen(s), &p, &e_), "line 9: 'PauseNs'");
	free(s);
	s = memstats_block(256, "# NextGC = 5\n", 3);
	assert_fails(heap_parse(s, strlen(s), &p, &e_), "line 12: 'NextGC' given twice");
	free(s);
	s = memstats_block(256, "# HeapSys = 18446744073709551616\n", 3);
	assert_fails(heap_parse(s, strlen(s), &p, &e_), "line 12: 'HeapSys' has a malformed value");
	free(s);
	s = memstats_block(256, "garbage\n", 3);
	assert_fails(heap_parse(s, strlen(s), &p, &e_), "line 12: expected '# <Name> = <value>'");
	free(s);

	assert_fails(hparse("heap profile: 0: 0 [0: 0] @ heap/1\n", &p, &e_),
		     "no '# runtime.MemStats' block");
	assert_fails(hparse("heap profile: 1: 2 [3: 4] @ heap/1\n1: 2 [3: 4] @ 0x1\n# runtime.MemStats\n"
				"# HeapAlloc = 1\n", &p, &e_),
		     "no NextGC line");
	assert_fails(hparse("heap profile: 1: 2 [3 4] @ heap/1\n", &p, &e_), "line 1: expected 'heap profile:");
	assert_fails(hparse("heap profile: 1: 2 [3: 4] @ heap/1\n1: 2 @ 0x1\n", &p, &e_), "line 2: expected a record");
	assert_fails(hparse("--- mutex:\n", &p, &e_), "not a heap profile: line 1");
	assert_fails(hparse("<html>", &p, &e_), "looks like HTML");
	assert_fails(memstats_from_heap("x\n", strlen("x\n"), &m, &e_), "no '# runtime.MemStats' block");
	assert_fails(hparse("heap profile: 1: 2 [3: 4] @ heap/1\n1: 2 [3: 4] @ 0x1\n#\t0x1\t\t\tmain.f+0x1\n", &p, &e_),
		     "line 3: a frame line has 2 fields");
}

static void test_heap_truncated(void **state)
{
	(void)state;
	for (size_t v = 0; v < 2; v++) {
		size_t len;
		char *body = fixture(versions[v], "heap.txt", &len);
		const char *block = strstr(body, "# NextGC");

		assert_non_null(block);
		for (size_t cut = 0; cut <= len; cut++) {
			struct heap_profile p;
			struct err e = { "" };
			int r = heap_parse(body, cut, &p, &e);

			if (r == 0)
				heap_profile_release(&p);
			else
				assert_true(r == -PF_EPARSE && e.msg[0]);
			/* cut before NextGC was read: refused as truncated */
			if (cut <= (size_t)(block - body))
				assert_int_equal(r, -PF_EPARSE);
		}
		free(body);
	}
}

/* ---- expvar ------------------------------------------------------------ */

static void test_expvar_fixtures(void **state)
{
	static const struct {
		uint64_t heap_alloc, next_gc, num_gc, last_gc, pause_total, last_pause;
	} want[] = {
		{ 8527728, 13077416, 77, 1795720808243804215ull, 23087958, 70823 },
		{ 9420232, 18679962, 81, 1795720819773275394ull, 50391691, 326620 },
	};

	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct go_memstats m;
		struct err e = { "" };
		size_t len;
		char *body = fixture(versions[v], "vars.json", &len);

		assert_int_equal(memstats_from_expvar(body, len, &m, &e), 0);
		assert_true(m.ok);
		assert_string_equal(m.source, "expvar");
		assert_int_equal(m.heap_alloc, want[v].heap_alloc);
		assert_int_equal(m.next_gc, want[v].next_gc);
		assert_int_equal(m.num_gc, want[v].num_gc);
		/* above 2^53: exact, not through a double */
		assert_int_equal(m.last_gc_ns, want[v].last_gc);
		assert_true(m.has_pause_total);
		assert_int_equal(m.pause_total_ns, want[v].pause_total);
		assert_true(m.has_pause_ring);
		assert_int_equal(m.pause_ns[(m.num_gc + 255) % 256], want[v].last_pause);
		assert_true(m.has_gc_cpu_fraction);
		assert_false(m.has_goroutines);
		free(body);
	}
}

static int expvar(const char *s, struct go_memstats *m, struct err *e)
{
	return memstats_from_expvar(s, strlen(s), m, e);
}

static void test_expvar_made(void **state)
{
	struct go_memstats m;
	struct err e = { "" };

	(void)state;
	/* Go writes float64 0 as the integer 0. */
	assert_int_equal(expvar("{\"memstats\":{\"HeapAlloc\":9223372036854775807,\"NextGC\":1,\"GCCPUFraction\":0}}",
				&m, &e),
			 0);
	assert_int_equal(m.heap_alloc, 9223372036854775807ull);
	assert_true(m.has_gc_cpu_fraction && m.gc_cpu_fraction == 0);
	assert_false(m.has_pause_ring);
	/* An application's own variable above INT64_MAX must not hide the
	 * memstats: the document is read again with doubles. */
	assert_int_equal(expvar("{\"myapp_hash\":18446744073709551615,"
				"\"memstats\":{\"HeapAlloc\":4096,\"NextGC\":8192,\"NumGC\":2}}",
				&m, &e),
			 0);
	assert_int_equal(m.heap_alloc, 4096);
	assert_int_equal(m.next_gc, 8192);
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":18446744073709551615,\"NextGC\":1}}", &m, &e_),
		     "'HeapAlloc' is not an unsigned integer");
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":-1,\"NextGC\":1}}", &m, &e_), "'HeapAlloc'");
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":1.5,\"NextGC\":1}}", &m, &e_), "'HeapAlloc'");
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":\"1\",\"NextGC\":1}}", &m, &e_), "'HeapAlloc'");
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":1}}", &m, &e_), "memstats has no NextGC");
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":1,\"NextGC\":1,\"PauseNs\":[1,2]}}", &m, &e_),
		     "'PauseNs' is not an array of 256");
	assert_fails(expvar("{\"memstats\":{\"HeapAlloc\":1,\"NextGC\":1,\"GCCPUFraction\":\"x\"}}", &m, &e_),
		     "'GCCPUFraction'");
	assert_fails(expvar("{\"cmdline\":[\"x\"]}", &m, &e_), "no \"memstats\" object");
	assert_fails(expvar("[1,2]", &m, &e_), "not a JSON object");
	assert_fails(expvar("{\"memstats\":{\n\"HeapAlloc\":1,,}}", &m, &e_), "line 2 column");
	assert_fails(expvar("<!doctype html><p>hi", &m, &e_), "looks like HTML");
	assert_fails(expvar("", &m, &e_), "/debug/vars");
}

static void test_expvar_truncated(void **state)
{
	size_t len;
	char *body = fixture("go1.26", "vars.json", &len);

	(void)state;
	for (size_t cut = 0; cut < len - 2; cut++) {
		struct go_memstats m;
		struct err e = { "" };

		/* nothing short of the whole object is valid JSON */
		assert_int_equal(memstats_from_expvar(body, cut, &m, &e), -PF_EPARSE);
		assert_true(e.msg[0] != '\0');
	}
	free(body);
}

/* ---- Prometheus text --------------------------------------------------- */

static int pparse(const char *s, struct prom_doc *d, struct err *e)
{
	return prom_parse(s, strlen(s), d, e);
}

static void test_prom_fixtures(void **state)
{
	static const struct {
		const char *file;
		uint64_t heap_alloc, num_gc, pause_total;
		int64_t gomaxprocs;
		bool gc_cpu;
	} want[2][2] = {
		{ { "metrics.txt", 297664, 187, 18518527, 0, false },
		  { "metrics-runtime.txt", 310792, 204, 20131253, 2, false } },
		{ { "metrics.txt", 316072, 50, 67657946, 2, false },
		  { "metrics-runtime.txt", 387944, 107, 129695306, 2, true } },
	};

	(void)state;
	for (size_t v = 0; v < 2; v++)
		for (size_t k = 0; k < 2; k++) {
			struct prom_doc d;
			struct go_memstats m;
			struct err e = { "" };
			size_t len;
			char *body = fixture(versions[v], want[v][k].file, &len);
			const struct prom_sample *s;
			const char *q0[] = { "quantile", "0", NULL };
			bool gc_summary = false;

			assert_int_equal(prom_parse(body, len, &d, &e), 0);
			assert_true(d.n_samples > 20);
			for (size_t i = 0; i < d.n_families; i++)
				if (!strcmp(d.families[i].name, "go_gc_duration_seconds")) {
					assert_string_equal(d.families[i].type, "summary");
					assert_non_null(d.families[i].help);
					gc_summary = true;
				}
			assert_true(gc_summary);
			s = prom_find(&d, "go_gc_duration_seconds", q0);
			assert_non_null(s);
			assert_int_equal(s->n_labels, 1);
			s = prom_find(&d, "go_info", NULL);
			assert_non_null(s);
			assert_true(!strncmp(s->labels[0].value, versions[v], 6));

			assert_int_equal(memstats_from_prom(&d, &m, &e), 0);
			assert_true(m.ok);
			assert_string_equal(m.source, "metrics");
			assert_int_equal(m.heap_alloc, want[v][k].heap_alloc);
			assert_int_equal(m.next_gc, 4194304);
			assert_true(m.has_goroutines);
			assert_int_equal(m.goroutines, 3);
			assert_int_equal(m.num_gc, want[v][k].num_gc);
			assert_true(m.has_pause_total);
			assert_int_equal(m.pause_total_ns, want[v][k].pause_total);
			assert_false(m.has_pause_ring);
			assert_int_equal(m.gomaxprocs, want[v][k].gomaxprocs);
			assert_int_equal(m.has_gc_cpu_fraction, want[v][k].gc_cpu);
			if (want[v][k].gc_cpu)   /* /cpu/classes gc/total over total */
				assert_true(fabs(m.gc_cpu_fraction - 0.207700452 / 0.932993572) < 1e-12);
			prom_doc_release(&d);
			free(body);
		}
}

static void test_prom_syntax(void **state)
{
	const char *s = "# a comment\n"
			"\n"
			"   \t\n"
			"# HELP x_total Escapes: \\\\ and \\n, a \"quote\" as is.\r\n"
			"# TYPE x_total COUNTER\r\n"
			"x_total{path=\"/a\\\\b\",msg=\"say \\\"hi\\\"\\nbye\",} 1.5e3 1700000000000\r\n"
			"  x_total { path = \"/c\" } +Inf\n"
			"y NaN\n"
			"y_neg{a=\"\"} -Inf -5\n"
			"y_hex 0x1p-2\n"
			"y_inf{z=\"é\"} infinity\n"
			"{\"dotted.name\",\"label.x\"=\"v\"} 7\n"
			"# HELP\n"
			"# TYPE h histogram\n"
			"h_bucket{le=\"0.5\"} 1\n"
			"h_bucket{le=\"+Inf\"} 2\n"
			"h_sum 0.7\n"
			"h_count 2\n"
			"# HELP empty\n"
			"last 1";
	const char *want_path[] = { "path", "/c", NULL };
	struct prom_doc d;
	struct err e = { "" };
	const struct prom_sample *x;

	(void)state;
	assert_int_equal(pparse(s, &d, &e), 0);
	assert_int_equal(d.n_samples, 12);
	assert_string_equal(d.families[0].name, "x_total");
	assert_string_equal(d.families[0].type, "counter");
	assert_string_equal(d.families[0].help, "Escapes: \\ and \n, a \"quote\" as is.");
	x = &d.samples[0];
	assert_string_equal(x->labels[0].value, "/a\\b");
	assert_string_equal(x->labels[1].value, "say \"hi\"\nbye");
	assert_true(x->value == 1500);
	assert_true(x->has_timestamp);
	assert_int_equal(x->timestamp_ms, 1700000000000);
	x = prom_find(&d, "x_total", want_path);
	assert_ptr_equal(x, &d.samples[1]);
	assert_true(isinf(x->value) && x->value > 0);
	assert_false(x->has_timestamp);
	assert_true(isnan(d.samples[2].value));
	assert_true(isinf(d.samples[3].value) && d.samples[3].value < 0);
	assert_int_equal(d.samples[3].timestamp_ms, -5);
	assert_true(d.samples[4].value == 0.25);
	assert_string_equal(d.samples[5].labels[0].value, "é");
	assert_string_equal(d.samples[6].name, "dotted.name");
	assert_string_equal(d.samples[6].labels[0].name, "label.x");
	assert_string_equal(d.families[2].name, "empty");
	assert_string_equal(d.families[2].help, "");
	assert_string_equal(d.samples[11].name, "last");
	assert_null(prom_find(&d, "x_total", (const char *[]){ "path", "/nope", NULL }));
	prom_doc_release(&d);

	assert_int_equal(pparse("", &d, &e), 0);
	assert_int_equal(d.n_samples, 0);
	prom_doc_release(&d);
}

static void test_prom_rejects(void **state)
{
	struct prom_doc d;

	(void)state;
	assert_fails(pparse("<html><body>Sign in</body></html>", &d, &e_), "not Prometheus text: looks like HTML");
	assert_fails(pparse("ok 1\n9bad 1\n", &d, &e_), "line 2: a metric name expected");
	assert_fails(pparse("a 1\nb{x=\"1\\t\"} 2\n", &d, &e_), "line 2: invalid escape sequence '\\t' in a label value");
	assert_fails(pparse("b{x=\"1} 2\n", &d, &e_), "line 1: a label value has no closing quote");
	assert_fails(pparse("b{x=\"1\" 2\n", &d, &e_), "line 1: expected ',' or '}'");
	assert_fails(pparse("b{x=1} 2\n", &d, &e_), "line 1: the value of label 'x' is not quoted");
	assert_fails(pparse("b{x} 2\n", &d, &e_), "line 1: expected '=' after label 'x'");
	assert_fails(pparse("b{x=\"1\",x=\"2\"} 2\n", &d, &e_), "line 1: label 'x' given twice");
	assert_fails(pparse("b{__name__=\"c\"} 2\n", &d, &e_), "reserved");
	assert_fails(pparse("b{x=\"\xff\"} 2\n", &d, &e_), "line 1: a label value is not UTF-8");
	assert_fails(pparse("b\n", &d, &e_), "line 1: 'b' has no value");
	assert_fails(pparse("b \n", &d, &e_), "line 1: 'b' has no value");
	assert_fails(pparse("b{} \n", &d, &e_), "has no value");
	assert_fails(pparse("b 1.2.3\n", &d, &e_), "line 1: '1.2.3' is not a float value");
	assert_fails(pparse("b 0x10\n", &d, &e_), "'0x10' is not a float");
	assert_fails(pparse("b +NaN\n", &d, &e_), "'+NaN' is not a float");
	assert_fails(pparse("b nan(1)\n", &d, &e_), "not a float");
	assert_fails(pparse("b 1e999\n", &d, &e_), "'1e999' is not a float");
	assert_fails(pparse("b 1 1.5\n", &d, &e_), "'1.5' is not a timestamp");
	assert_fails(pparse("b 1 9223372036854775808\n", &d, &e_), "not a timestamp");
	assert_fails(pparse("b 1 2 3\n", &d, &e_), "text after the timestamp");
	assert_fails(pparse("b{x=\"1\"}2\n", &d, &e_), "expected a blank and a value");
	assert_fails(pparse("# TYPE b gauge\n# TYPE b counter\n", &d, &e_), "line 2: a second TYPE line for 'b'");
	assert_fails(pparse("# HELP b x\n# HELP b y\n", &d, &e_), "line 2: a second HELP line for 'b'");
	assert_fails(pparse("# HELP b bad \\t escape\n", &d, &e_), "invalid escape sequence '\\t' in the HELP text");
	assert_fails(pparse("# TYPE b gauges\n", &d, &e_), "unknown metric type 'gauges' for 'b'");
	assert_fails(pparse("# TYPE b gauge extra\n", &d, &e_), "unknown metric type");
	assert_fails(pparse("b 1\n# TYPE b gauge\n", &d, &e_), "line 2: the TYPE line for 'b' comes after its samples");
	assert_fails(pparse("h_count 1\n# TYPE h histogram\n", &d, &e_), "comes after its samples");
	assert_fails(pparse("# TYPE h histogram\nh_bucket 1\n", &d, &e_), "line 2: histogram bucket 'h_bucket' needs a numeric 'le'");
	assert_fails(pparse("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", &d, &e_), "needs a numeric 'le'");
	assert_fails(pparse("# TYPE s summary\ns 1\n", &d, &e_), "line 2: summary 's' needs a numeric 'quantile'");
	assert_fails(pparse("# TYPE b! gauge\n", &d, &e_), "invalid metric name in the TYPE line");
	assert_fails(pparse("{\"only.labels\"=\"v\"} 1\n", &d, &e_), "a sample without a metric name");
	assert_fails(pparse("b{x=\"1\"\n", &d, &e_), "the label set has no closing '}'");
	assert_fails(pparse("b{\n", &d, &e_), "no closing '}'");
	assert_fails(pparse("b{x=\"a\\", &d, &e_), "lone backslash");
	assert_fails(prom_parse("b 1\n\0", 5, &d, &e_), "binary");
}

static void test_prom_memstats_made(void **state)
{
	struct prom_doc d;
	struct go_memstats m;
	struct err e = { "" };

	(void)state;
	/* client_golang before runtime/metrics: go_memstats_gc_cpu_fraction */
	assert_int_equal(pparse("go_memstats_heap_alloc_bytes 10\ngo_memstats_next_gc_bytes 40\n"
				"go_memstats_gc_cpu_fraction 0.125\ngo_memstats_last_gc_time_seconds 1.5\n",
				&d, &e),
			 0);
	assert_int_equal(memstats_from_prom(&d, &m, &e), 0);
	assert_true(m.ok);
	assert_true(m.has_gc_cpu_fraction && m.gc_cpu_fraction == 0.125);
	assert_int_equal(m.last_gc_ns, 1500000000);
	assert_false(m.has_goroutines);
	prom_doc_release(&d);
	/* the demo service's two gauges: usable, but no heap */
	assert_int_equal(pparse("go_goroutines 12\ngo_sched_gomaxprocs_threads 4\n", &d, &e), 0);
	assert_int_equal(memstats_from_prom(&d, &m, &e), 0);
	assert_false(m.ok);
	assert_int_equal(m.goroutines, 12);
	assert_int_equal(m.gomaxprocs, 4);
	prom_doc_release(&d);
	/* the heap goal from runtime/metrics when the memstats name is absent */
	assert_int_equal(pparse("go_memstats_heap_alloc_bytes 10\ngo_gc_heap_goal_bytes 4.194304e+06\n", &d, &e), 0);
	assert_int_equal(memstats_from_prom(&d, &m, &e), 0);
	assert_true(m.ok);
	assert_int_equal(m.next_gc, 4194304);
	prom_doc_release(&d);

	assert_int_equal(pparse("process_cpu_seconds_total 3\n", &d, &e), 0);
	assert_int_equal(memstats_from_prom(&d, &m, &e), -PF_ENOTFOUND);
	assert_non_null(strstr(e.msg, "no Go runtime metrics"));
	prom_doc_release(&d);
	assert_int_equal(pparse("go_memstats_heap_alloc_bytes -1\n", &d, &e), 0);
	assert_fails(memstats_from_prom(&d, &m, &e_), "'go_memstats_heap_alloc_bytes' is -1, not a count");
	prom_doc_release(&d);
	assert_int_equal(pparse("go_memstats_heap_alloc_bytes NaN\n", &d, &e), 0);
	assert_fails(memstats_from_prom(&d, &m, &e_), "not a count");
	prom_doc_release(&d);
}

/* Every prefix of the default exposition, and every whole-line prefix of
 * the big runtime-metrics one (every byte of it would take minutes under
 * ASan). */
static void test_prom_truncated(void **state)
{
	(void)state;
	for (size_t v = 0; v < 2; v++)
		for (size_t f = 0; f < 2; f++) {
			size_t len;
			char *body = fixture(versions[v], f ? "metrics-runtime.txt" : "metrics.txt", &len);

			for (size_t cut = 0; cut <= len; cut++) {
				bool whole = cut > 0 && body[cut - 1] == '\n';
				struct prom_doc d;
				struct err e = { "" };
				int r;

				if (f && !whole)
					continue;
				r = prom_parse(body, cut, &d, &e);
				if (r == 0)
					prom_doc_release(&d);
				else
					assert_true(r == -PF_EPARSE && e.msg[0]);
				/* every whole line of a real exposition is valid */
				if (whole)
					assert_int_equal(r, 0);
			}
			free(body);
		}
}

/* An empty struct buf hands its data as NULL: an empty body, refused
 * without a crash (the Prometheus text is valid and empty). */
static void test_null_body(void **state)
{
	struct contention_profile c;
	struct heap_profile h;
	struct go_memstats m;
	struct prom_doc d;
	struct err e = { "" };

	(void)state;
	assert_fails(contention_parse(NULL, 0, &c, &e_), "empty");
	assert_fails(heap_parse(NULL, 0, &h, &e_), "empty");
	assert_fails(memstats_from_heap(NULL, 0, &m, &e_), "no '# runtime.MemStats' block");
	assert_fails(memstats_from_expvar(NULL, 0, &m, &e_), "/debug/vars");
	assert_int_equal(prom_parse(NULL, 0, &d, &e), 0);
	assert_int_equal(d.n_samples, 0);
	prom_doc_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutex_fixtures),
		cmocka_unit_test(test_block_fixtures),
		cmocka_unit_test(test_contention_disabled),
		cmocka_unit_test(test_contention_tabs_and_unknown_frames),
		cmocka_unit_test(test_contention_merge_and_plumbing),
		cmocka_unit_test(test_contention_huge_numbers),
		cmocka_unit_test(test_contention_rejects),
		cmocka_unit_test(test_contention_truncated),
		cmocka_unit_test(test_heap_fixtures),
		cmocka_unit_test(test_heap_made),
		cmocka_unit_test(test_heap_truncated),
		cmocka_unit_test(test_expvar_fixtures),
		cmocka_unit_test(test_expvar_made),
		cmocka_unit_test(test_expvar_truncated),
		cmocka_unit_test(test_prom_fixtures),
		cmocka_unit_test(test_prom_syntax),
		cmocka_unit_test(test_prom_rejects),
		cmocka_unit_test(test_prom_memstats_made),
		cmocka_unit_test(test_prom_truncated),
		cmocka_unit_test(test_null_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
