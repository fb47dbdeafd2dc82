/* Unit tests for goroutine dumps: parsing real debug=1, debug=2 and crash
 * dumps from Go 1.19 and the machine's Go (tests/fixtures/goroutines),
 * hostile and damaged input, and the leak analysis on synthetic
 * snapshot series and on the fixtures' leak series. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fileio.h"
#include "check/check.h"
#include "check/leak.h"
#include "facts/facts.h"
#include "base/err.h"
#include "goruntime/goroutine.h"
#include "goruntime/goroutine_internal.h"
#include "collect/source_lines.h"
#include "report/goroutines.h"
#include "report/escape.h"

static const char *const versions[] = { "go1.19", "go1.26" };
#define N_VERSIONS (sizeof(versions) / sizeof(versions[0]))

/* ---- helpers ------------------------------------------------------------- */

static char *fixture_path(const char *version, const char *name)
{
	const char *root = getenv("FIXTURES");
	char *p = NULL;

	assert_non_null(root);
	assert_true(asprintf(&p, "%s/goroutines/%s/%s", root, version, name) > 0);
	return p;
}

static char *read_fixture(const char *version, const char *name, size_t *len)
{
	char *path = fixture_path(version, name), *data;
	FILE *f = fopen(path, "re");
	long n;

	if (!f)
		fail_msg("cannot open fixture '%s'", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)n;
	return data;
}

static void parse_fixture(const char *version, const char *name, struct gr_snapshot *s)
{
	char *path = fixture_path(version, name);
	FILE *f = fopen(path, "re");
	struct err e = { "" };

	assert_non_null(f);
	if (gr_parse_stream(fileio_stream_read, f, path, s, &e) != 0)
		fail_msg("'%s': %s", path, e.msg);
	fclose(f);
	free(path);
}

static void parse_text(const char *text, struct gr_snapshot *s)
{
	struct err e = { "" };

	if (gr_parse(text, strlen(text), "test", s, &e) != 0)
		fail_msg("parse failed: %s", e.msg);
}

static int parse_fails(const char *text, size_t len, struct err *e)
{
	struct gr_snapshot s;
	int r;

	memset(e, 0, sizeof(*e));
	r = gr_parse(text, len, "input", &s, e);
	if (r == 0)
		gr_snapshot_release(&s);
	return r;
}

static uint64_t sum_counts(const struct gr_snapshot *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n_groups; i++)
		n += s->groups[i].count;
	return n;
}

/* The group whose site is in function func (the first, biggest one). */
static const struct gr_group *group_at(const struct gr_snapshot *s, const char *func)
{
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct gr_frame *f = gr_group_site(&s->groups[i]);

		if (f && !strcmp(f->func, func))
			return &s->groups[i];
	}
	return NULL;
}

static const struct gr_group *must_group_at(const struct gr_snapshot *s, const char *func)
{
	const struct gr_group *g = group_at(s, func);

	if (!g)
		fail_msg("no group at '%s' in '%s'", func, s->source);
	return g;
}

static const struct gr_group *find_key(const struct gr_snapshot *s, uint64_t key)
{
	for (size_t i = 0; i < s->n_groups; i++)
		if (s->groups[i].key == key)
			return &s->groups[i];
	return NULL;
}

static bool has_func(const struct gr_group *g, const char *prefix)
{
	for (size_t i = 0; i < g->n_frames; i++)
		if (!strncmp(g->frames[i].func, prefix, strlen(prefix)))
			return true;
	return false;
}

/* The goroutine writing the dump: its stack differs between the debug=1
 * and debug=2 writers by construction. */
static bool is_writer(const struct gr_group *g)
{
	return has_func(g, "runtime/pprof.writeGoroutine");
}

/* ---- the fixtures, both versions ----------------------------------------- */

static void test_debug1_counts_match_header(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		static const char *const files[] = { "debug1.txt", "series-1.debug1.txt", "series-2.debug1.txt",
						     "series-3.debug1.txt" };

		for (size_t k = 0; k < 4; k++) {
			struct gr_snapshot s;
			size_t len;
			char *data = read_fixture(versions[v], files[k], &len);
			unsigned long long header;

			assert_int_equal(sscanf(data, "goroutine profile: total %llu", &header), 1);
			parse_fixture(versions[v], files[k], &s);
			assert_int_equal(s.debug, 1);
			assert_false(s.truncated);
			assert_int_equal(s.total, header);
			assert_int_equal(sum_counts(&s), header);
			assert_int_equal(s.malformed, 0);
			for (size_t i = 1; i < s.n_groups; i++)
				assert_true(s.groups[i - 1].count >= s.groups[i].count);
			gr_snapshot_release(&s);
			free(data);
		}
	}
}

static void test_debug1_and_debug2_same_keys(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		struct gr_snapshot d1, d2;
		size_t matched = 0;

		parse_fixture(versions[v], "debug1.txt", &d1);
		parse_fixture(versions[v], "debug2.txt", &d2);
		assert_int_equal(d2.debug, 2);
		assert_false(d2.truncated);
		assert_int_equal(d2.total, d1.total);
		assert_int_equal(d2.malformed, 0);
		for (size_t i = 0; i < d1.n_groups; i++) {
			const struct gr_group *g = &d1.groups[i], *h = find_key(&d2, g->key);

			if (is_writer(g)) {
				assert_null(h);
				continue;
			}
			if (!h)
				fail_msg("%s: debug=1 group at '%s' has no debug=2 twin", versions[v],
					 gr_group_site(g)->func);
			assert_int_equal(h->count, g->count);
			assert_string_equal(gr_group_site(h)->func, gr_group_site(g)->func);
			assert_int_equal(gr_group_site(h)->line, gr_group_site(g)->line);
			matched++;
		}
		/* one group each side is the writer */
		assert_int_equal(matched, d1.n_groups - 1);
		assert_int_equal(matched, d2.n_groups - 1);
		gr_snapshot_release(&d1);
		gr_snapshot_release(&d2);
	}
}

static void expect_state(const struct gr_snapshot *s, const char *func, const char *want)
{
	const struct gr_group *g = must_group_at(s, func);

	if (strcmp(g->state, want))
		fail_msg("%s: '%s' is '%s', want '%s'", s->source, func, g->state, want);
}

static void test_debug2_states(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		bool old = !strcmp(versions[v], "go1.19");
		struct gr_snapshot s;

		parse_fixture(versions[v], "debug2.txt", &s);
		expect_state(&s, "main.recvForever", "chan receive");
		expect_state(&s, "main.sendForever", "chan send");
		expect_state(&s, "main.selectForever", "select");
		expect_state(&s, "main.selectNoCases", "select (no cases)");
		expect_state(&s, "main.nilRecv", "chan receive (nil chan)");
		expect_state(&s, "main.nilSend", "chan send (nil chan)");
		expect_state(&s, "main.sleepLong", "sleep");
		expect_state(&s, "main.condWaitForever", "sync.Cond.Wait");
		/* Go 1.19 says semacquire for every sync wait but Cond's */
		expect_state(&s, "main.lockForever", old ? "semacquire" : "sync.Mutex.Lock");
		expect_state(&s, "main.rlockForever", old ? "semacquire" : "sync.RWMutex.RLock");
		expect_state(&s, "main.wgWaitForever", old ? "semacquire" : "sync.WaitGroup.Wait");
		expect_state(&s, "main.(*fixture).startStates.func18", "IO wait");
		/* ", locked to thread" is not part of the state */
		expect_state(&s, "main.lockedToThread", "chan receive");
		expect_state(&s, "main.writeProfile", "running");
		assert_int_equal(must_group_at(&s, "main.writeProfile")->n_awake, 1);
		assert_int_equal(must_group_at(&s, "main.recvForever")->n_awake, 0);
		assert_int_equal(must_group_at(&s, "main.lockForever")->count, 2);
		/* leading runtime frames are not kept, sync ones are */
		assert_true(has_func(must_group_at(&s, "main.lockForever"), "sync.(*Mutex).Lock"));
		assert_false(has_func(must_group_at(&s, "main.recvForever"), "runtime."));
		gr_snapshot_release(&s);
	}
}

static void test_created_by_both_forms(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		struct gr_snapshot s;
		const struct gr_group *g;
		size_t len;
		char *data = read_fixture(versions[v], "debug2.txt", &len);

		/* the fixture carries the form of its version */
		assert_true((strstr(data, "created by main.(*fixture).start in goroutine 1\n") != NULL) ==
			    !strcmp(versions[v], "go1.26"));
		free(data);
		parse_fixture(versions[v], "debug2.txt", &s);
		g = must_group_at(&s, "main.recvForever");
		assert_string_equal(g->created_by, "main.(*fixture).start");
		assert_non_null(strstr(g->created_at, "/tests/targets/dumpgen/states.go:"));
		assert_null(strchr(g->created_at, '+'));
		g = must_group_at(&s, "net/http.(*persistConn).writeLoop");
		assert_string_equal(g->created_by, "net/http.(*Transport).dialConn");
		g = must_group_at(&s, "main.writeProfile");
		assert_string_equal(g->created_by, ""); /* goroutine 1 */
		gr_snapshot_release(&s);
	}
	/* both forms, synthetic, group together */
	{
		struct gr_snapshot s;

		parse_text("goroutine 5 [chan receive]:\nmain.f()\n\t/x.go:3 +0x1\n"
			   "created by main.g in goroutine 1\n\t/x.go:9 +0x2\n\n"
			   "goroutine 6 [chan receive]:\nmain.f()\n\t/x.go:3 +0x1\n"
			   "created by main.g\n\t/x.go:9 +0x2\n",
			   &s);
		assert_int_equal(s.n_groups, 1);
		assert_int_equal(s.groups[0].count, 2);
		assert_string_equal(s.groups[0].created_by, "main.g");
		assert_string_equal(s.groups[0].created_at, "/x.go:9");
		assert_false(s.truncated);
		gr_snapshot_release(&s);
	}
}

static void test_wait_minutes(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		struct gr_snapshot s;
		const struct gr_group *g;

		parse_fixture(versions[v], "debug2-7min.txt", &s);
		/* the hand edit: 12, 7 and 7 minutes on the three receivers */
		g = must_group_at(&s, "main.recvForever");
		assert_int_equal(g->count, 3);
		assert_int_equal(g->wait_minutes_max, 12);
		assert_int_equal(g->wait_minutes_min, 7);
		g = must_group_at(&s, "main.sendForever");
		assert_int_equal(g->wait_minutes_max, 0);
		gr_snapshot_release(&s);
	}
}

static void test_labels(void **state)
{
	struct gr_snapshot s;
	const struct gr_group *g = NULL;

	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		parse_fixture(versions[v], "debug1.txt", &s);
		for (size_t i = 0; i < s.n_groups; i++)
			if (s.groups[i].labels)
				g = &s.groups[i];
		assert_non_null(g);
		assert_string_equal(g->labels, "{\"handler\":\"orders\", \"tenant\":\"a \\\"quoted\\\" b\"}");
		assert_int_equal(g->count, 2);
		assert_string_equal(gr_group_site(g)->func, "main.recvForever");
		gr_snapshot_release(&s);
	}
	/* Go 1.26, GODEBUG=tracebacklabels=1: labels inside the brackets */
	parse_fixture("go1.26", "debug2-labels.txt", &s);
	g = NULL;
	for (size_t i = 0; i < s.n_groups; i++)
		if (s.groups[i].labels)
			g = &s.groups[i];
	assert_non_null(g);
	assert_string_equal(g->state, "chan receive");
	assert_string_equal(g->labels, "{\"handler\": \"orders\", \"tenant\": \"a \\\"quoted\\\" b\"}");
	assert_int_equal(s.malformed, 0);
	gr_snapshot_release(&s);
	/* the form said to come with Go 1.27: after the bracket */
	parse_text("goroutine 7 [running] {pattern: \"GET /x]\"}:\nmain.h()\n\t/x.go:1 +0x1\n"
		   "created by main.g in goroutine 1\n\t/x.go:9 +0x2\n",
		   &s);
	assert_int_equal(s.n_groups, 1);
	assert_string_equal(s.groups[0].state, "running");
	assert_string_equal(s.groups[0].labels, "{pattern: \"GET /x]\"}");
	gr_snapshot_release(&s);
}

static void test_elision(void **state)
{
	struct gr_snapshot s;
	const struct gr_group *g;

	(void)state;
	/* Go 1.21+: the innermost 50 and outermost 50 frames */
	parse_fixture("go1.26", "debug2.txt", &s);
	g = must_group_at(&s, "main.deepRecursion");
	assert_true(g->elided);
	assert_int_equal(g->n_frames, 100);
	assert_string_equal(g->frames[99].func, "main.(*fixture).startStates.func10");
	assert_true(must_group_at(&s, "main.writeProfile")->elided);
	assert_false(must_group_at(&s, "main.recvForever")->elided);
	gr_snapshot_release(&s);
	/* Go 1.19: 100 frames walked, the marker only when all were printed,
	 * so only for the running goroutine */
	parse_fixture("go1.19", "debug2.txt", &s);
	g = must_group_at(&s, "main.writeProfile");
	assert_true(g->elided);
	assert_int_equal(g->n_frames, 100);
	g = must_group_at(&s, "main.deepRecursion");
	assert_false(g->elided);
	assert_int_equal(g->n_frames, 97);
	gr_snapshot_release(&s);
}

static void test_crash_log(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		struct gr_snapshot crash, d2;
		const struct gr_group *g, *h;
		size_t len;
		char *data = read_fixture(versions[v], "crash-sigquit.txt", &len);
		const char *p = data;
		uint64_t headers = 0;

		while ((p = strstr(p, "\ngoroutine ")))
			headers++, p++;
		free(data);
		parse_fixture(versions[v], "crash-sigquit.txt", &crash);
		parse_fixture(versions[v], "debug2.txt", &d2);
		assert_int_equal(crash.debug, 2);
		assert_false(crash.truncated);
		assert_int_equal(crash.total, headers);
		/* GOTRACEBACK=system shows runtime frames: the key skips them,
		 * so the same code groups under the same key as in a pprof dump
		 * (this is another process of the same binary) */
		g = must_group_at(&crash, "main.recvForever");
		h = must_group_at(&d2, "main.recvForever");
		assert_int_equal(g->key, h->key);
		assert_int_equal(g->count, 3);
		assert_string_equal(g->state, "chan receive");
		g = must_group_at(&crash, "main.lockForever");
		assert_int_equal(g->key, must_group_at(&d2, "main.lockForever")->key);
		/* system goroutines: runtime frames only, kept whole */
		g = NULL;
		for (size_t i = 0; i < crash.n_groups; i++)
			if (!strcmp(crash.groups[i].state, "finalizer wait"))
				g = &crash.groups[i];
		assert_non_null(g);
		assert_true(g->n_frames > 0);
		assert_true(has_func(g, "runtime."));
		gr_snapshot_release(&crash);
		gr_snapshot_release(&d2);
	}
}

/* ---- damaged and hostile input ------------------------------------------- */

static void test_truncation(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		size_t len, cut;
		char *data = read_fixture(versions[v], "debug2.txt", &len);
		struct gr_snapshot s;
		struct err e;
		char *p;

		/* mid-line, at many places */
		for (cut = 37; cut < len; cut += len / 41) {
			if (data[cut - 1] == '\n')
				continue;
			assert_int_equal(gr_parse(data, cut, "cut", &s, &e), 0);
			if (!s.truncated)
				fail_msg("%s cut at %zu not reported as truncated", versions[v], cut);
			gr_snapshot_release(&s);
		}
		/* at a line end: after a function line, before its position */
		p = strstr(data, "\nmain.sendForever(");
		assert_non_null(p);
		cut = (size_t)(strchr(p + 1, '\n') - data) + 1;
		assert_int_equal(gr_parse(data, cut, "cut", &s, &e), 0);
		assert_true(s.truncated);
		gr_snapshot_release(&s);
		/* after a whole frame, before "created by" */
		cut = (size_t)(strchr(strchr(p + 1, '\n') + 1, '\n') - data) + 1;
		assert_int_equal(gr_parse(data, cut, "cut", &s, &e), 0);
		assert_true(s.truncated);
		gr_snapshot_release(&s);
		/* after a header */
		p = strstr(data, "\ngoroutine ");
		cut = (size_t)(strchr(p + 1, '\n') - data) + 1;
		assert_int_equal(gr_parse(data, cut, "cut", &s, &e), 0);
		assert_true(s.truncated);
		gr_snapshot_release(&s);
		/* the whole dump is not */
		assert_int_equal(gr_parse(data, len, "whole", &s, &e), 0);
		assert_false(s.truncated);
		gr_snapshot_release(&s);
		free(data);

		/* debug=1: a cut file has fewer goroutines than its header */
		data = read_fixture(versions[v], "debug1.txt", &len);
		p = strstr(data, "\n\n");
		cut = (size_t)(p - data) + 2;
		assert_int_equal(gr_parse(data, cut, "cut", &s, &e), 0);
		assert_true(s.truncated);
		assert_true(sum_counts(&s) < s.total);
		gr_snapshot_release(&s);
		free(data);
	}
}

/* A dump cut anywhere (mid-line, or at a line end inside a record) never
 * yields a stack the whole dump does not have: the record the cut falls
 * in is left out and said so (record_dropped), so no group with a partial
 * stack, or with no site at all ("4 goroutines at (:0)"), comes out. */
static void test_cut_never_invents_a_stack(void **state)
{
	static const char *const files[] = { "debug1.txt", "series-3.debug1.txt", "debug2.txt", "crash-sigquit.txt" };

	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++)
		for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
			size_t len, dropped = 0, cuts = 0;
			char *data = read_fixture(versions[v], files[k], &len);
			struct gr_snapshot whole, s;
			struct err e;

			assert_int_equal(gr_parse(data, len, "whole", &whole, &e), 0);
			assert_false(whole.record_dropped);
			for (size_t cut = 40; cut < len; cut += 13) {
				uint64_t sum = 0;

				if (gr_parse(data, cut, "cut", &s, &e) != 0)
					continue; /* a crash log cut before its first goroutine */
				cuts++;
				/* A debug=2 goroutine cut at a line end between two
				 * frames cannot be told from a whole one when it needs no
				 * "created by" (goroutine 1, a cgo thread's). */
				if (s.debug == 2 && data[cut - 1] == '\n') {
					gr_snapshot_release(&s);
					continue;
				}
				for (size_t i = 0; i < s.n_groups; i++) {
					const struct gr_group *g = &s.groups[i], *w = find_key(&whole, g->key);

					if (!w)
						fail_msg("%s/%s cut at %zu: a stack the whole dump does not have (%s)",
							 versions[v], files[k], cut,
							 g->n_frames ? g->frames[0].func : "no frames");
					if (g->count > w->count)
						fail_msg("%s/%s cut at %zu: more goroutines than the whole dump", versions[v],
							 files[k], cut);
					if (g->n_frames && !gr_group_site(g))
						fail_msg("%s/%s cut at %zu: a group without a site", versions[v], files[k], cut);
					sum += g->count;
				}
				if (s.debug == 2)
					assert_int_equal(sum, s.total);
				if (s.record_dropped) {
					assert_true(s.truncated);
					dropped++;
				}
				gr_snapshot_release(&s);
			}
			/* most cuts fall inside a record */
			if (dropped * 2 < cuts)
				fail_msg("%s/%s: only %zu of %zu cuts dropped a record", versions[v], files[k], dropped, cuts);
			gr_snapshot_release(&whole);
			free(data);
		}
}

/* The partial record named in the issue: a debug=1 record cut in its
 * first frame line ("#\t0x684944\t") was a group of 4 with an unnamed
 * frame, whose site printed as " (:0)". */
static void test_cut_debug1_frame_line(void **state)
{
	static const char text[] = "goroutine profile: total 51\n"
				   "4 @ 0x485cae 0x41797c 0x417577 0x684945 0x48d3c1\n"
				   "#\t0x684944\t";
	struct gr_snapshot s;
	struct err e;

	(void)state;
	assert_int_equal(gr_parse(text, sizeof(text) - 1, "cut", &s, &e), 0);
	assert_int_equal(s.n_groups, 0);
	assert_true(s.record_dropped);
	assert_true(s.truncated);
	assert_int_equal(s.total, 51);
	gr_snapshot_release(&s);
	/* cut at a line end, inside the record: dropped too */
	assert_int_equal(gr_parse(text, sizeof(text) - 1 - 11, "cut", &s, &e), 0);
	assert_int_equal(s.n_groups, 0);
	assert_true(s.record_dropped);
	gr_snapshot_release(&s);
	/* a whole record with an unnamed frame is kept, but names no site */
	parse_text("goroutine profile: total 4\n4 @ 0x1\n#\t0x1\n\n", &s);
	assert_int_equal(s.n_groups, 1);
	assert_false(s.record_dropped);
	assert_null(gr_group_site(&s.groups[0]));
	gr_snapshot_release(&s);
	/* a crash log whose trailing text is cut keeps its last goroutine */
	parse_text("goroutine 7 [chan send]:\nmain.b()\n\t/b.go:7 +0x1\ncreated by main.c\n\t/c.go:1 +0x9\n\n"
		   "exit stat",
		   &s);
	assert_int_equal(s.total, 1);
	assert_false(s.record_dropped);
	gr_snapshot_release(&s);
}

/* Endless input with no goroutine dump in it is given up after a bounded
 * prefix (`yes | preflight goroutines -`, /dev/urandom). */
struct endless {
	const char *pattern;
	size_t len, off, given;
};

static ssize_t endless_read(void *ctx, char *buf, size_t n)
{
	struct endless *x = ctx;

	for (size_t i = 0; i < n; i++) {
		buf[i] = x->pattern[x->off];
		x->off = (x->off + 1) % x->len;
	}
	x->given += n;
	if (x->given > (64u << 20))
		fail_msg("read %zu bytes of endless input without giving up", x->given);
	return (ssize_t)n;
}

static void test_endless_input_gives_up(void **state)
{
	static const char *const patterns[] = { "y\n", "\n", "x", "panic: boom\n\n" };

	(void)state;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		struct endless x = { patterns[i], strlen(patterns[i]), 0, 0 };
		struct gr_snapshot s;
		struct err e = { "" };

		assert_int_equal(gr_parse_stream(endless_read, &x, "-", &s, &e), -PF_EPARSE);
		assert_non_null(strstr(e.msg, "not a goroutine profile"));
		assert_non_null(strstr(e.msg, "1 MiB"));
		assert_true(x.given <= (3u << 20));
	}
	/* a crash log with a long preamble is still read */
	{
		size_t pre = 900u << 10, n = 0;
		char *text = malloc(pre + 256);
		struct gr_snapshot s;

		assert_non_null(text);
		while (n < pre)
			n += (size_t)sprintf(text + n, "log line %zu\n", n);
		n += (size_t)sprintf(text + n, "goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n");
		parse_text(text, &s);
		assert_int_equal(s.total, 1);
		gr_snapshot_release(&s);
		free(text);
	}
}

/* The runtime's cap: exactly 64 MiB of whole goroutines is still cut. */
static void test_truncation_at_runtime_cap(void **state)
{
	static const char rec[] = "goroutine 100 [chan receive]:\nmain.f(0x1)\n\t/x.go:3 +0x1\n"
				  "created by main.g in goroutine 1\n\t/x.go:9 +0x2\n\n";
	size_t cap = 64u << 20, n = sizeof(rec) - 1;
	char *data = malloc(cap);
	struct gr_snapshot s;
	struct err e;
	size_t off = 0;

	(void)state;
	assert_non_null(data);
	while (off + n <= cap) {
		memcpy(data + off, rec, n);
		off += n;
	}
	/* pad the last record's file line so the dump ends on a newline */
	memset(data + off, '\n', cap - off);
	assert_int_equal(gr_parse(data, cap, "cap", &s, &e), 0);
	assert_true(s.truncated);
	assert_int_equal(s.total, off / n);
	gr_snapshot_release(&s);
	assert_int_equal(gr_parse(data, cap - 1, "below", &s, &e), 0);
	assert_false(s.truncated);
	gr_snapshot_release(&s);
	free(data);
}

static void test_crlf(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		static const char *const files[] = { "debug1.txt", "debug2-7min.txt" };

		for (size_t k = 0; k < 2; k++) {
			size_t len;
			char *data = read_fixture(versions[v], files[k], &len), *crlf = malloc(2 * len + 1);
			struct gr_snapshot a, b;
			struct err e;
			size_t m = 0;

			assert_non_null(crlf);
			for (size_t i = 0; i < len; i++) {
				if (data[i] == '\n')
					crlf[m++] = '\r';
				crlf[m++] = data[i];
			}
			assert_int_equal(gr_parse(data, len, "lf", &a, &e), 0);
			assert_int_equal(gr_parse(crlf, m, "crlf", &b, &e), 0);
			assert_int_equal(a.n_groups, b.n_groups);
			assert_int_equal(a.total, b.total);
			assert_false(b.truncated);
			assert_int_equal(b.malformed, 0);
			for (size_t i = 0; i < a.n_groups; i++) {
				assert_int_equal(a.groups[i].key, b.groups[i].key);
				assert_string_equal(a.groups[i].state, b.groups[i].state);
				assert_int_equal(a.groups[i].wait_minutes_max, b.groups[i].wait_minutes_max);
			}
			gr_snapshot_release(&a);
			gr_snapshot_release(&b);
			free(crlf);
			free(data);
		}
	}
}

static void test_stream_equals_memory(void **state)
{
	static const size_t chunks[] = { 600, 4096, 1u << 20 };

	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		static const char *const files[] = { "debug1.txt", "debug2.txt", "crash-sigquit.txt" };

		for (size_t k = 0; k < 3; k++)
			for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
				size_t len;
				char *data = read_fixture(versions[v], files[k], &len);
				FILE *f = fmemopen(data, len, "r");
				struct gr_snapshot a, b;
				struct err e;

				assert_non_null(f);
				assert_int_equal(gr_parse(data, len, "m", &a, &e), 0);
				assert_int_equal(gr_parse_stream_chunk(fileio_stream_read, f, chunks[c], "s", &b, &e), 0);
				fclose(f);
				assert_int_equal(a.n_groups, b.n_groups);
				assert_int_equal(a.total, b.total);
				assert_int_equal(a.truncated, b.truncated);
				for (size_t i = 0; i < a.n_groups; i++) {
					assert_int_equal(a.groups[i].key, b.groups[i].key);
					assert_int_equal(a.groups[i].count, b.groups[i].count);
				}
				gr_snapshot_release(&a);
				gr_snapshot_release(&b);
				free(data);
			}
	}
}

/* A line longer than the stream's chunk is cut to it, and the goroutines
 * after it are read as usual. */
static void test_stream_long_line(void **state)
{
	size_t long_len = 5000, chunk = 600, n = 0;
	char *text = malloc(long_len + 512);
	struct gr_snapshot s;
	struct err e = { "" };
	FILE *f;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text + n, "goroutine 5 [chan receive]:\nmain.f(");
	memset(text + n, 'x', long_len);
	n += long_len;
	n += (size_t)sprintf(text + n, ")\n\t/x.go:3 +0x1\ncreated by main.g in goroutine 1\n\t/x.go:9 +0x2\n\n"
				       "goroutine 6 [chan send]:\nmain.h()\n\t/x.go:4 +0x1\n"
				       "created by main.g in goroutine 1\n\t/x.go:9 +0x2\n");
	f = fmemopen(text, n, "r");
	assert_non_null(f);
	assert_int_equal(gr_parse_stream_chunk(fileio_stream_read, f, chunk, "long", &s, &e), 0);
	fclose(f);
	assert_int_equal(s.total, 2);
	assert_false(s.truncated);
	assert_non_null(group_at(&s, "main.h"));
	assert_string_equal(group_at(&s, "main.h")->state, "chan send");
	assert_true(s.malformed >= 1);
	gr_snapshot_release(&s);
	free(text);
}

static void test_rejects_what_is_not_a_dump(void **state)
{
	static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00";
	struct err e;

	(void)state;
	assert_int_equal(parse_fails("<!DOCTYPE html>\n<html><body>goroutine 1 [running]:</body></html>\n", 66, &e),
			 -PF_EPARSE);
	assert_non_null(strstr(e.msg, "HTML"));
	assert_non_null(strstr(e.msg, "'input'"));
	assert_int_equal(parse_fails("\n  \n<html>\n", 11, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "HTML"));
	assert_int_equal(parse_fails("{\"memstats\": {}}\n", 17, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "JSON"));
	assert_int_equal(parse_fails(gz, sizeof(gz) - 1, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "binary"));
	assert_int_equal(parse_fails("", 0, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "empty"));
	assert_int_equal(parse_fails("\n\n \n", 4, &e), -PF_EPARSE);
	assert_int_equal(parse_fails("hello world\nthis is not a dump\n", 31, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "hello world"));
	assert_int_equal(parse_fails("--- mutex:\ncycles/second=1\n", 27, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "mutex"));
	assert_int_equal(parse_fails("heap profile: 1: 2 [3: 4] @ heap/1048576\n", 41, &e), -PF_EPARSE);
	assert_int_equal(parse_fails("threadcreate profile: total 9\n", 30, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "threadcreate"));
	/* "goroutine" words without a header are not a dump either */
	assert_int_equal(parse_fails("goroutine leak suspected\n", 25, &e), -PF_EPARSE);
}

static void test_malformed_lines_are_skipped(void **state)
{
	struct gr_snapshot s;

	(void)state;
	parse_text("goroutine profile: total 3\n"
		   "2 @ 0x1 0x2\n"
		   "#\t0x1\tmain.f+0x1\t/x.go:3\n"
		   "# something else\n"
		   "#\t0x2\tmain.g+0x1\t/x.go:notanumber\n"
		   "\n"
		   "1 @ 0x9\n"
		   "#\t0x9\n"
		   "\n"
		   "99999999999999999999999 @ 0x1\n",
		   &s);
	assert_int_equal(s.total, 3);
	assert_int_equal(sum_counts(&s), 3);
	assert_int_equal(s.malformed, 3);
	assert_false(s.truncated);
	gr_snapshot_release(&s);

	parse_text("panic: boom\n\ngoroutine 9 [chan send, 3 minutes]:\n"
		   "not a frame line\n"
		   "main.a(0x1)\n"
		   "main.b(0x2)\n\t/b.go:7 +0x3\n"
		   "\tbogus position\n"
		   "created by main.c in goroutine 2\n\t/c.go:1 +0x9\n"
		   "\n"
		   "goroutine 10 [chan send]:\nmain.b()\n\t/b.go:7\n"
		   "created by main.c\n\t/c.go:1\n\nexit status 2\n",
		   &s);
	assert_int_equal(s.total, 2);
	assert_int_equal(s.n_groups, 2); /* 9 kept main.a without its position */
	assert_int_equal(s.groups[0].n_frames + s.groups[1].n_frames, 3);
	assert_true(s.malformed >= 3);
	gr_snapshot_release(&s);

	/* "0 @" is no group */
	parse_text("goroutine profile: total 1\n0 @ 0x1\n#\t0x1\tmain.g+0x1\t/x.go:3\n\n"
		   "1 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:3\n\n",
		   &s);
	assert_int_equal(s.n_groups, 1);
	gr_snapshot_release(&s);

	/* a huge count does not overflow the sum */
	parse_text("goroutine profile: total 5\n18446744073709551615 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:3\n\n"
		   "7 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:3\n\n",
		   &s);
	assert_int_equal(s.n_groups, 1);
	assert_int_equal(s.groups[0].count, UINT64_MAX);
	gr_snapshot_release(&s);
}

/* ---- the key and the site ------------------------------------------------ */

static void test_key_ignores_args_offsets_and_runtime(void **state)
{
	struct gr_snapshot s;

	(void)state;
	parse_text("goroutine 1 [select]:\n"
		   "runtime.gopark(0x1)\n\t/go/src/runtime/proc.go:1 +0x1 fp=0x1 sp=0x2 pc=0x3\n"
		   "runtime.selectgo(0x1)\n\t/go/src/runtime/select.go:2 +0x2\n"
		   "main.f({0xc0, 0x1}, 0x2?)\n\t/x.go:3 +0x10\n"
		   "main.(*T).g(...)\n\t/x.go:4\n"
		   "runtime.goexit({})\n\t/go/src/runtime/asm.s:5 +0x1\n"
		   "created by main.h\n\t/x.go:6 +0x1\n\n"
		   "goroutine 2 [select]:\n"
		   "main.f(0x9)\n\t/x.go:3 +0x99\n"
		   "main.(*T).g(0x1)\n\t/x.go:4 +0x1\n"
		   "created by main.h in goroutine 1\n\t/x.go:6 +0x1\n",
		   &s);
	assert_int_equal(s.n_groups, 1);
	assert_int_equal(s.groups[0].count, 2);
	/* leading runtime frames dropped, trailing ones kept */
	assert_string_equal(s.groups[0].frames[0].func, "main.f");
	assert_string_equal(s.groups[0].frames[1].func, "main.(*T).g");
	assert_int_equal(s.groups[0].frames[1].line, 4);
	assert_string_equal(gr_group_site(&s.groups[0])->func, "main.f");
	gr_snapshot_release(&s);

	/* a different line is a different stack */
	parse_text("goroutine 1 [select]:\nmain.f()\n\t/x.go:3 +0x1\n\n"
		   "goroutine 2 [select]:\nmain.f()\n\t/x.go:4 +0x1\ncreated by main.h\n\t/x.go:6 +0x1\n",
		   &s);
	assert_int_equal(s.n_groups, 2);
	gr_snapshot_release(&s);
}

static void test_site(void **state)
{
	struct gr_snapshot s;

	(void)state;
	parse_text("goroutine profile: total 3\n"
		   "1 @ 0x1\n"
		   "#\t0x1\tinternal/poll.runtime_pollWait+0x1\t/go/netpoll.go:1\n"
		   "#\t0x1\tnet.(*conn).Read+0x1\t/go/net.go:2\n"
		   "#\t0x1\tnet/http.(*persistConn).Read+0x1\t/go/transport.go:3\n"
		   "#\t0x1\tnet/http.(*persistConn).readLoop+0x1\t/go/transport.go:4\n"
		   "\n"
		   "1 @ 0x1\n"
		   "#\t0x1\tsync.(*Mutex).Lock+0x1\t/go/mutex.go:1\n"
		   "#\t0x1\tgithub.com/a/b.(*C).d+0x1\t/m/b.go:2\n"
		   "#\t0x1\tmain.main+0x1\t/m/main.go:3\n"
		   "\n"
		   "1 @ 0x1\n"
		   "#\t0x1\tencoding/json.Marshal+0x1\t/go/json.go:1\n"
		   "#\t0x1\tmain.handler.func1+0x1\t/m/main.go:9\n"
		   "\n",
		   &s);
	/* all standard library: the function the goroutine runs */
	assert_string_equal(gr_group_site(must_group_at(&s, "net/http.(*persistConn).readLoop"))->func,
			    "net/http.(*persistConn).readLoop");
	/* the innermost frame of the program's own code */
	assert_non_null(group_at(&s, "github.com/a/b.(*C).d"));
	assert_non_null(group_at(&s, "main.handler.func1"));
	gr_snapshot_release(&s);
}

/* ---- leak analysis ------------------------------------------------------- */

/* A debug=1 snapshot with one stack per function named in spec, "f=N ..." */
static void series_snapshot(const char *spec, struct gr_snapshot *s)
{
	char text[4096], name[128];
	size_t w = 0;
	unsigned n, total = 0;
	const char *p = spec;
	int used;

	while (sscanf(p, " %127[^=]=%u%n", name, &n, &used) == 2) {
		total += n;
		p += used;
	}
	w += (size_t)snprintf(text + w, sizeof(text) - w, "goroutine profile: total %u\n", total);
	p = spec;
	while (sscanf(p, " %127[^=]=%u%n", name, &n, &used) == 2) {
		if (n)
			w += (size_t)snprintf(text + w, sizeof(text) - w, "%u @ 0x1\n#\t0x1\t%s+0x1\t/app/%s.go:7\n\n",
					      n, name, name);
		p += used;
	}
	assert_true(w < sizeof(text));
	parse_text(text, s);
}

static const struct gr_suspect *suspect_at(const struct gr_analysis *a, const char *func)
{
	for (size_t i = 0; i < a->n_suspects; i++)
		if (!strncmp(a->suspects[i].site, func, strlen(func)) && a->suspects[i].site[strlen(func)] == ' ')
			return &a->suspects[i];
	return NULL;
}

static void analyze_specs(const char *const *specs, size_t n, const struct gr_leak_params *p, struct gr_snapshot *snaps,
			  struct gr_analysis *a)
{
	struct err e = { "" };

	for (size_t i = 0; i < n; i++)
		series_snapshot(specs[i], &snaps[i]);
	if (gr_analyze(snaps, n, p, a, &e) != 0)
		fail_msg("gr_analyze: %s", e.msg);
}

static void release_all(struct gr_snapshot *snaps, size_t n, struct gr_analysis *a)
{
	gr_analysis_release(a);
	for (size_t i = 0; i < n; i++)
		gr_snapshot_release(&snaps[i]);
}

static void test_growth_rules(void **state)
{
	static const char *const specs[] = {
		"main.leak=2 main.pool=4 main.flat=5 main.slow=3 main.late=0 main.step=2 main.gone=3",
		"main.leak=5 main.pool=12 main.flat=5 main.slow=3 main.late=4 main.step=2 main.gone=3",
		"main.leak=9 main.pool=3 main.flat=5 main.slow=4 main.late=8 main.step=6 main.gone=0",
	};
	struct gr_snapshot snaps[3];
	struct gr_analysis a;
	const struct gr_suspect *s;

	(void)state;
	analyze_specs(specs, 3, NULL, snaps, &a);
	assert_int_equal(a.n_snapshots, 3);
	assert_int_equal(a.n_rows, 7);
	/* rows: every stack, biggest in the last snapshot first */
	assert_int_equal(a.rows[0].counts[2], 9);
	assert_int_equal(a.rows[a.n_rows - 1].counts[2], 0);

	s = suspect_at(&a, "main.leak");
	assert_non_null(s);
	assert_int_equal(s->count, 9);
	assert_int_equal(s->growth, 7);
	assert_int_equal(s->counts[0], 2);
	assert_int_equal(s->counts[1], 5);
	assert_non_null(strstr(s->reason, "grows in every snapshot"));
	assert_non_null(s->pattern);
	assert_non_null(s->remedy);
	assert_string_equal(s->created_by, ""); /* debug=1 knows no creator */
	assert_string_equal(s->site, "main.leak (/app/main.leak.go:7)");
	/* never fell, grew enough, not at every step */
	s = suspect_at(&a, "main.step");
	assert_non_null(s);
	assert_non_null(strstr(s->reason, "never fell"));
	assert_null(suspect_at(&a, "main.pool"));  /* rises and falls: a healthy pool */
	assert_null(suspect_at(&a, "main.flat"));
	assert_null(suspect_at(&a, "main.slow"));  /* +1 < min growth 3 */
	assert_null(suspect_at(&a, "main.late"));  /* absent from the first snapshot */
	assert_null(suspect_at(&a, "main.gone"));
	assert_int_equal(a.n_suspects, 2);
	release_all(snaps, 3, &a);

	/* min_growth and min_snapshots are the caller's */
	{
		struct gr_leak_params p = { .min_growth = 1, .min_snapshots = 2 };

		analyze_specs(specs, 3, &p, snaps, &a);
		assert_non_null(suspect_at(&a, "main.slow"));
		assert_non_null(suspect_at(&a, "main.late")); /* present in 2 */
		release_all(snaps, 3, &a);
		analyze_specs(specs, 2, NULL, snaps, &a); /* fewer than 3 snapshots: no growth rule */
		assert_int_equal(a.n_suspects, 0);
		release_all(snaps, 2, &a);
	}
}

/* debug=2 goroutines ids lo..hi parked in main.leak (the key of the
 * series' "main.leak" stack), and one in main.other. */
static void leak_dump(struct gr_snapshot *s, unsigned lo, unsigned hi, bool truncated)
{
	char text[4096];
	size_t w = 0;

	for (unsigned id = lo; id <= hi; id++)
		w += (size_t)snprintf(text + w, sizeof(text) - w,
				      "goroutine %u [chan receive]:\nmain.leak()\n\t/app/main.leak.go:7 +0x1\n\n", id);
	w += (size_t)snprintf(text + w, sizeof(text) - w,
			      "goroutine 1 [select (no cases)]:\nmain.other()\n\t/app/main.other.go:7 +0x1\n\n");
	assert_true(w < sizeof(text));
	parse_text(text, s);
	s->truncated = truncated;
}

/* Growth needs a site, and goroutines still there after the last
 * snapshot. */
static void test_growth_needs_site_and_last_dump(void **state)
{
	static const char *const specs[] = { "main.leak=2", "main.leak=5", "main.leak=9" };
	struct gr_snapshot snaps[3], first, last;
	struct gr_leak_params p = { 0 };
	struct gr_analysis a;
	struct err e = { "" };

	(void)state;
	/* Only runtime.goexit, which debug=1 hides: goroutines the concurrent
	 * profile caught as they started or exited. No site, no suspect. */
	parse_text("goroutine profile: total 1\n1 @ 0x491401\n\n", &snaps[0]);
	parse_text("goroutine profile: total 5\n5 @ 0x491401\n\n", &snaps[1]);
	parse_text("goroutine profile: total 11\n11 @ 0x491401\n\n", &snaps[2]);
	assert_int_equal(snaps[2].n_groups, 1);
	assert_int_equal(snaps[2].groups[0].n_frames, 0);
	assert_int_equal(gr_analyze(snaps, 3, NULL, &a, &e), 0);
	assert_int_equal(a.n_suspects, 0);
	release_all(snaps, 3, &a);

	/* Dumps at both ends: the first two goroutines stay, a leak. */
	leak_dump(&first, 100, 101, false);
	leak_dump(&last, 100, 108, false);
	p.detail_first = &first;
	p.detail = &last;
	analyze_specs(specs, 3, &p, snaps, &a);
	assert_non_null(suspect_at(&a, "main.leak"));
	release_all(snaps, 3, &a);
	gr_snapshot_release(&last);

	/* The stack is gone from the dump taken after the last snapshot: its
	 * goroutines were in flight, not leaked... */
	parse_text("goroutine 1 [select (no cases)]:\nmain.other()\n\t/app/main.other.go:7 +0x1\n\n", &last);
	analyze_specs(specs, 3, &p, snaps, &a);
	assert_null(suspect_at(&a, "main.leak"));
	release_all(snaps, 3, &a);
	/* ...unless that dump was cut short, and may have lost them. */
	last.truncated = true;
	analyze_specs(specs, 3, &p, snaps, &a);
	assert_non_null(suspect_at(&a, "main.leak"));
	release_all(snaps, 3, &a);
	gr_snapshot_release(&last);
	gr_snapshot_release(&first);
}

static void analyze_one_text(const char *text, const struct gr_leak_params *p, struct gr_snapshot *s,
			     struct gr_analysis *a)
{
	struct err e = { "" };

	parse_text(text, s);
	if (gr_analyze(s, 1, p, a, &e) != 0)
		fail_msg("gr_analyze: %s", e.msg);
}

#define CREATED "created by main.spawn in goroutine 1\n\t/app/spawn.go:5 +0x1\n\n"

static void test_wait_rule(void **state)
{
	/* the other clauses, with the count floor out of the way */
	struct gr_leak_params p1 = { .wait_min_count = 1 };
	struct gr_snapshot s;
	struct gr_analysis a;
	const struct gr_suspect *x;

	(void)state;
	analyze_one_text("goroutine 10 [chan receive, 9 minutes]:\nmain.waiter(0x1)\n\t/app/w.go:3 +0x1\n" CREATED
			 "goroutine 11 [chan receive, 2 minutes]:\nmain.waiter(0x1)\n\t/app/w.go:3 +0x1\n" CREATED
			 "goroutine 12 [chan receive, 4 minutes]:\nmain.young(0x1)\n\t/app/w.go:9 +0x1\n" CREATED
			 "goroutine 13 [IO wait, 60 minutes]:\ninternal/poll.runtime_pollWait(0x1)\n\t/go/netpoll.go:1 +0x1\n"
			 "net.(*TCPListener).Accept(0x1)\n\t/go/tcpsock.go:2 +0x1\n"
			 "main.serve(0x1)\n\t/app/s.go:4 +0x1\n" CREATED
			 "goroutine 14 [select (no cases), 60 minutes]:\nmain.main()\n\t/app/main.go:4 +0x1\n\n"
			 "goroutine 15 [GC worker (idle), 60 minutes]:\nmain.odd()\n\t/app/o.go:4 +0x1\n" CREATED
			 "goroutine 16 [sleep, 30 minutes]:\ntime.Sleep(0x1)\n\t/go/time.go:1 +0x1\n"
			 "main.poll()\n\t/app/p.go:8 +0x1\n" CREATED,
			 &p1, &s, &a);
	x = suspect_at(&a, "main.waiter");
	assert_non_null(x);
	assert_int_equal(x->wait_minutes, 9);
	assert_int_equal(x->count, 2);
	assert_int_equal(x->growth, 0);
	assert_string_equal(x->created_by, "main.spawn (/app/spawn.go:5)");
	assert_string_equal(x->reason, "blocked for 9 minutes on chan receive");
	assert_string_equal(x->pattern, "receive on a channel nobody sends to");
	assert_null(suspect_at(&a, "main.young"));  /* 4 < 5 minutes */
	assert_null(suspect_at(&a, "main.serve"));  /* an accept loop waits by design */
	assert_null(suspect_at(&a, "main.main"));   /* select {} */
	assert_null(suspect_at(&a, "main.odd"));    /* not a state the rule watches */
	x = suspect_at(&a, "main.poll");
	assert_non_null(x);
	assert_string_equal(x->pattern, "sleep in a loop");
	assert_int_equal(a.n_suspects, 2);
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
}

/* n copies of one goroutine record: a dump with a group of n. */
static char *repeat_record(const char *record, unsigned n)
{
	size_t len = strlen(record);
	char *t = malloc(len * n + 1);

	assert_non_null(t);
	for (unsigned i = 0; i < n; i++)
		memcpy(t + i * len, record, len);
	t[len * n] = '\0';
	return t;
}

/* One dump cannot show growth: a group blocked for long is a suspect only
 * when it is too big to be a program's own fixed set (10 by default). */
static void test_wait_rule_needs_a_big_group(void **state)
{
	static const char rec[] = "goroutine 10 [chan receive, 9 minutes]:\nmain.waiter(0x1)\n\t/app/w.go:3 +0x1\n" CREATED;
	struct gr_snapshot s;
	struct gr_analysis a;
	char *t;

	(void)state;
	t = repeat_record(rec, 9);
	analyze_one_text(t, NULL, &s, &a);
	assert_int_equal(a.n_suspects, 0);
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
	free(t);
	t = repeat_record(rec, 10);
	analyze_one_text(t, NULL, &s, &a);
	assert_int_equal(a.n_suspects, 1);
	assert_int_equal(suspect_at(&a, "main.waiter")->count, 10);
	assert_string_equal(suspect_at(&a, "main.waiter")->pattern, "receive on a channel nobody sends to");
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
	free(t);
	/* a singleton blocked for hours: main, a purge loop */
	analyze_one_text("goroutine 1 [select, 600 minutes]:\nmain.main()\n\t/app/main.go:9 +0x1\n\n", NULL, &s, &a);
	assert_int_equal(a.n_suspects, 0);
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
	/* the floor is a parameter */
	{
		struct gr_leak_params p = { .wait_min_count = 3 };

		t = repeat_record(rec, 3);
		analyze_one_text(t, &p, &s, &a);
		assert_int_equal(a.n_suspects, 1);
		gr_analysis_release(&a);
		gr_snapshot_release(&s);
		free(t);
	}
}

/* Connection goroutines of long-lived clients wait as long as the clients
 * stay: never a suspect by the wait rule, however many. */
static void test_connection_goroutines_wait(void **state)
{
	static const char rec[] = "goroutine 10 [select, 9 minutes]:\n"
				  "google.golang.org/grpc/internal/transport.(*http2Server).keepalive(0x1)\n"
				  "\t/g/http2_server.go:1220 +0x1\n"
				  "created by google.golang.org/grpc/internal/transport.NewServerTransport in goroutine 9\n"
				  "\t/g/http2_server.go:371 +0x1\n\n";
	static const char watch[] = "goroutine 11 [select, 9 minutes]:\n"
				    "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*serverWatchStream).sendLoop(0x1)\n"
				    "\t/e/watch.go:419 +0x1\n"
				    "created by main.streams in goroutine 9\n\t/e/watch.go:182 +0x1\n\n";
	struct gr_snapshot s;
	struct gr_analysis a;
	char *t = repeat_record(rec, 50), *w = repeat_record(watch, 50), *both = NULL;

	(void)state;
	assert_true(asprintf(&both, "%s%s", t, w) > 0);
	analyze_one_text(both, NULL, &s, &a);
	assert_int_equal(a.n_suspects, 0);
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
	free(both);
	free(w);
	free(t);
}

/* Stacks that follow connections are judged against the connections'
 * rise: the rise of the one-per-connection goroutines, or the caller's
 * count. They are suspects only past GR_CONN_FACTOR times it plus
 * min_growth. */
#define KA "google.golang.org/grpc/internal/transport.(*http2Server).keepalive"
#define CB "google.golang.org/grpc/internal/transport.(*controlBuffer).get"
#define WS "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*watchServer).Watch"
static void test_connection_growth(void **state)
{
	/* 2 to 40 clients: every per-connection and per-stream stack grows
	 * with them (the t0800 ramp) */
	static const char *const ramp[] = {
		KA "=2 " CB "=2 " WS "=4 main.pool=2",
		KA "=20 " CB "=20 " WS "=40 main.pool=2",
		KA "=40 " CB "=40 " WS "=80 main.pool=2",
	};
	/* the keepalives (connections) rise by 38: 8 * 38 + 3 = 307 */
	static const char *const edge[] = {
		KA "=2 " WS "=10",
		KA "=20 " WS "=100",
		KA "=40 " WS "=316",
	};
	static const char *const over[] = {
		KA "=2 " WS "=10",
		KA "=20 " WS "=100",
		KA "=40 " WS "=317",
	};
	/* connections flat, streams pile up: a stream handler that never
	 * returns */
	static const char *const flat[] = {
		KA "=5 " WS "=5",
		KA "=5 " WS "=10",
		KA "=5 " WS "=15",
	};
	struct gr_snapshot snaps[3];
	struct gr_analysis a;

	(void)state;
	analyze_specs(ramp, 3, NULL, snaps, &a);
	assert_int_equal(a.n_suspects, 0);
	release_all(snaps, 3, &a);
	analyze_specs(edge, 3, NULL, snaps, &a);
	assert_int_equal(a.n_suspects, 0);
	release_all(snaps, 3, &a);
	analyze_specs(over, 3, NULL, snaps, &a);
	assert_int_equal(a.n_suspects, 1);
	assert_non_null(suspect_at(&a, WS));
	release_all(snaps, 3, &a);
	analyze_specs(flat, 3, NULL, snaps, &a);
	assert_int_equal(a.n_suspects, 1);
	assert_int_equal(suspect_at(&a, WS)->growth, 10);
	release_all(snaps, 3, &a);
	/* the caller's connection count wins over the keepalives */
	{
		static const uint64_t conns_up[] = { 5, 30, 40 }, conns_flat[] = { 5, 5, 5 };
		struct gr_leak_params p = { .conns = conns_up, .n_conns = 3 };

		analyze_specs(flat, 3, &p, snaps, &a);
		assert_int_equal(a.n_suspects, 0);
		release_all(snaps, 3, &a);
		/* a server connection's goroutine that grows while the
		 * connections do not: connections never closed */
		{
			static const char *const serve[] = {
				"net/http.(*conn).serve=5",
				"net/http.(*conn).serve=10",
				"net/http.(*conn).serve=15",
			};

			p.conns = conns_flat;
			analyze_specs(serve, 3, &p, snaps, &a);
			assert_int_equal(a.n_suspects, 1);
			assert_string_equal(a.suspects[0].pattern, "connection never closed");
			release_all(snaps, 3, &a);
			/* without the count it is its own measure of connections */
			analyze_specs(serve, 3, NULL, snaps, &a);
			assert_int_equal(a.n_suspects, 0);
			release_all(snaps, 3, &a);
		}
	}
	/* a program's own stack is not excused by the connections */
	{
		static const char *const own[] = {
			KA "=2 main.leak=2",
			KA "=20 main.leak=20",
			KA "=40 main.leak=40",
		};

		analyze_specs(own, 3, NULL, snaps, &a);
		assert_int_equal(a.n_suspects, 1);
		assert_non_null(suspect_at(&a, "main.leak"));
		release_all(snaps, 3, &a);
	}
}

/* etcd 3.6 after 331 s with 4 clients (tests/fixtures/goroutines/
 * etcd-3.6-README.md): singletons and connection goroutines blocked for
 * 5 minutes, none a leak; 17 suspects before these rules. */
static void test_etcd_fixture_healthy(void **state)
{
	struct gr_snapshot s;
	struct gr_analysis a;
	struct err e = { "" };

	(void)state;
	parse_fixture(".", "etcd-3.6-5min-debug2.txt", &s);
	assert_int_equal(s.total, 64);
	assert_int_equal(gr_analyze(&s, 1, NULL, &a, &e), 0);
	assert_int_equal(a.n_suspects, 0);
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
}

/* Appends to *t (malloc'd) with asprintf. */
static void cat(char **t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(char **t, const char *fmt, ...)
{
	va_list ap;
	char *more = NULL, *both = NULL;

	va_start(ap, fmt);
	assert_true(vasprintf(&more, fmt, ap) >= 0);
	va_end(ap);
	assert_true(asprintf(&both, "%s%s", *t ? *t : "", more) >= 0);
	free(*t);
	free(more);
	*t = both;
}

/* main.rec blocked in a receive at depth `depth` (its innermost frame at
 * r.go:3, the recursive calls at r.go:6, started by main.startRec), as a
 * debug=2 record or a debug=1 one of `count`. */
static void cat_rec(char **t, int debug, unsigned count, int depth, unsigned id)
{
	if (debug == 1)
		cat(t, "%u @ 0x1\n#\t0x1\tmain.rec+0x1\t/app/r.go:3\n", count);
	else
		cat(t, "goroutine %u [chan receive, 9 minutes]:\nmain.rec(0x%x)\n\t/app/r.go:3 +0x1\n", id, depth);
	for (int i = 1; i < depth; i++) {
		if (debug == 1)
			cat(t, "#\t0x2\tmain.rec+0x2\t/app/r.go:6\n");
		else
			cat(t, "main.rec(0x%x)\n\t/app/r.go:6 +0x2\n", depth - i);
	}
	if (debug == 1)
		cat(t, "#\t0x3\tmain.startRec+0x3\t/app/r.go:20\n\n");
	else
		cat(t, "main.startRec()\n\t/app/r.go:20 +0x3\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x4\n\n");
}

static const struct gr_group *group_with(const struct gr_snapshot *s, const char *func, const char *creator,
					 size_t n_frames)
{
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct gr_frame *f = gr_group_site(&s->groups[i]);

		if (f && !strcmp(f->func, func) && (!creator || !strcmp(s->groups[i].created_by, creator)) &&
		    (!n_frames || s->groups[i].n_frames == n_frames))
			return &s->groups[i];
	}
	return NULL;
}

/* Known counts per site, as the dumping program would report them: one
 * stack started by two go statements (3 by main.a, 2 by main.b) is two
 * groups; a recursion blocked at depths 30 (2 goroutines) and 40 (3),
 * identical in the first GR_KEY_FRAMES frames, is two groups in debug=2
 * and in debug=1 alike. Across dumps of two kinds the key aligns them. */
static void test_grouping_exact(void **state)
{
	static const char work_a[] = "goroutine %u [select, 9 minutes]:\nmain.work(0x1)\n\t/app/w.go:10 +0x1\n"
				     "created by main.a in goroutine 1\n\t/app/a.go:5 +0x1\n\n";
	static const char work_b[] = "goroutine %u [select, 9 minutes]:\nmain.work(0x1)\n\t/app/w.go:10 +0x1\n"
				     "created by main.b in goroutine 1\n\t/app/b.go:7 +0x1\n\n";
	char *d2 = NULL, *d1 = NULL;
	struct gr_snapshot s, s1, series[2];
	struct gr_leak_params p = { .wait_min_count = 1 };
	struct gr_analysis a;
	struct err e = { "" };
	const struct gr_group *ga, *gb, *r30, *r40;
	unsigned id = 10;

	(void)state;
	for (int i = 0; i < 3; i++)
		cat(&d2, work_a, id++);
	for (int i = 0; i < 2; i++)
		cat(&d2, work_b, id++);
	for (int i = 0; i < 2; i++)
		cat_rec(&d2, 2, 1, 30, id++);
	for (int i = 0; i < 3; i++)
		cat_rec(&d2, 2, 1, 40, id++);
	parse_text(d2, &s);
	assert_int_equal(s.total, 10);
	assert_int_equal(s.n_groups, 4);
	ga = group_with(&s, "main.work", "main.a", 0);
	gb = group_with(&s, "main.work", "main.b", 0);
	assert_non_null(ga);
	assert_non_null(gb);
	assert_int_equal(ga->count, 3);
	assert_int_equal(gb->count, 2);
	assert_string_equal(ga->created_at, "/app/a.go:5");
	assert_true(ga->key == gb->key); /* one stack: aligned with debug=1 */
	assert_true(ga->ident != gb->ident);
	r30 = group_with(&s, "main.rec", NULL, 31);
	r40 = group_with(&s, "main.rec", NULL, 41);
	assert_non_null(r30);
	assert_non_null(r40);
	assert_int_equal(r30->count, 2);
	assert_int_equal(r40->count, 3);
	assert_true(r30->key == r40->key); /* the same first GR_KEY_FRAMES frames */
	assert_true(r30->ident != r40->ident);

	/* one dump: a suspect per group, each with its own creator */
	assert_int_equal(gr_analyze(&s, 1, &p, &a, &e), 0);
	assert_int_equal(a.n_rows, 4);
	assert_int_equal(a.n_suspects, 4);
	for (size_t i = 0; i < a.n_suspects; i++)
		if (!strcmp(a.suspects[i].created_by, "main.b (/app/b.go:7)"))
			assert_int_equal(a.suspects[i].count, 2);
	gr_analysis_release(&a);

	/* debug=1 keeps the recursions apart too */
	cat(&d1, "goroutine profile: total 10\n5 @ 0x1\n#\t0x1\tmain.work+0x1\t/app/w.go:10\n\n");
	cat_rec(&d1, 1, 2, 30, 0);
	cat_rec(&d1, 1, 3, 40, 0);
	parse_text(d1, &s1);
	assert_int_equal(s1.n_groups, 3);
	assert_int_equal(group_with(&s1, "main.rec", NULL, 31)->count, 2);
	assert_int_equal(group_with(&s1, "main.rec", NULL, 41)->count, 3);
	assert_true(group_with(&s1, "main.work", NULL, 0)->key == ga->key);

	/* a debug=1 series with the debug=2 dump as detail aligns on the
	 * key: the two creators' 5 goroutines are one row of 5 */
	p.detail = &s;
	parse_text(d1, &series[0]);
	parse_text(d1, &series[1]);
	p.min_snapshots = 2;
	assert_int_equal(gr_analyze(series, 2, &p, &a, &e), 0);
	for (size_t i = 0; i < a.n_rows; i++)
		if (!strcmp(gr_group_site(a.rows[i].group)->func, "main.work")) {
			assert_int_equal(a.rows[i].counts[1], 5);
			assert_non_null(a.rows[i].detail);
			assert_int_equal(a.rows[i].detail->count, 3); /* the biggest of the stack */
		}
	gr_analysis_release(&a);
	gr_snapshot_release(&series[0]);
	gr_snapshot_release(&series[1]);
	gr_snapshot_release(&s1);
	gr_snapshot_release(&s);
	free(d1);
	free(d2);
}

struct pattern_case {
	const char *dump, *site, *pattern;
};

static void test_patterns(void **state)
{
	static const struct pattern_case cases[] = {
		{ "goroutine 5 [chan receive, 9 minutes]:\nmain.r()\n\t/a.go:1\n" CREATED, "main.r",
		  "receive on a channel nobody sends to" },
		{ "goroutine 5 [chan receive (nil chan), 9 minutes]:\nmain.r()\n\t/a.go:1\n" CREATED, "main.r",
		  "receive on a channel nobody sends to" },
		{ "goroutine 5 [chan send, 9 minutes]:\nmain.s()\n\t/a.go:1\n" CREATED, "main.s", "send with no receiver" },
		{ "goroutine 5 [select, 9 minutes]:\nmain.s()\n\t/a.go:1\n" CREATED, "main.s", "select with no ready case" },
		{ "goroutine 5 [sleep, 9 minutes]:\ntime.Sleep(0x1)\n\t/t.go:1\nmain.s()\n\t/a.go:1\n" CREATED, "main.s",
		  "sleep in a loop" },
		{ "goroutine 5 [sync.Mutex.Lock, 9 minutes]:\nsync.runtime_SemacquireMutex()\n\t/s.go:1\n"
		  "sync.(*Mutex).Lock(...)\n\t/m.go:1\nmain.l()\n\t/a.go:1\n" CREATED,
		  "main.l", "lock never released" },
		/* Go 1.19 */
		{ "goroutine 5 [semacquire, 9 minutes]:\nsync.runtime_SemacquireMutex(0x1)\n\t/s.go:1\n"
		  "sync.(*Mutex).lockSlow(0x1)\n\t/m.go:2\nsync.(*Mutex).Lock(...)\n\t/m.go:1\nmain.l()\n\t/a.go:1\n" CREATED,
		  "main.l", "lock never released" },
		{ "goroutine 5 [semacquire, 9 minutes]:\nsync.runtime_Semacquire(0x1)\n\t/s.go:1\n"
		  "sync.(*WaitGroup).Wait(0x1)\n\t/w.go:1\nmain.w()\n\t/a.go:1\n" CREATED,
		  "main.w", "WaitGroup never done" },
		{ "goroutine 5 [sync.Cond.Wait, 9 minutes]:\nsync.runtime_notifyListWait(0x1)\n\t/s.go:1\n"
		  "sync.(*Cond).Wait(0x1)\n\t/c.go:1\nmain.c()\n\t/a.go:1\n" CREATED,
		  "main.c", "condition never signalled" },
		/* A name, or members caught awake, say nothing of a ticker
		 * left running: the pattern is the stack's alone, so one
		 * stack gets one pattern whichever members a dump caught
		 * awake (gRPC's keepalive loop wakes on timers it stops). */
		{ "goroutine 5 [chan receive, 9 minutes]:\nmain.tickForever(0x1)\n\t/a.go:1\n" CREATED, "main.tickForever",
		  "receive on a channel nobody sends to" },
		{ "goroutine 5 [select, 9 minutes]:\nmain.loop()\n\t/a.go:1\n" CREATED
		  "goroutine 6 [runnable]:\nmain.loop()\n\t/a.go:1\n" CREATED
		  "goroutine 7 [select, 9 minutes]:\nmain.loop()\n\t/a.go:1\n" CREATED,
		  "main.loop", "select with no ready case" },
		{ "goroutine 5 [select, 9 minutes]:\nmain.loop()\n\t/a.go:1\n" CREATED
		  "goroutine 7 [select, 9 minutes]:\nmain.loop()\n\t/a.go:1\n" CREATED,
		  "main.loop", "select with no ready case" },
		{ "goroutine 5 [select, 9 minutes]:\nnet/http.(*persistConn).roundTrip(0x1)\n\t/t.go:1\n"
		  "net/http.(*Client).do(0x1)\n\t/c.go:1\nmain.fetch()\n\t/a.go:1\n" CREATED,
		  "main.fetch", "HTTP client with no timeout" },
		{ "goroutine 5 [IO wait, 9 minutes]:\ninternal/poll.runtime_pollWait(0x1)\n\t/n.go:1\n"
		  "net.(*conn).Read(0x1)\n\t/n.go:2\nnet/http.(*persistConn).Read(0x1)\n\t/t.go:3\n"
		  "net/http.(*persistConn).readLoop(0x1)\n\t/t.go:4\n" CREATED,
		  "net/http.(*persistConn).readLoop", "HTTP client with no timeout" },
		{ "goroutine 5 [select, 9 minutes]:\nnet/http.(*persistConn).readLoop(0x1)\n\t/t.go:4\n" CREATED
		  "goroutine 6 [select, 9 minutes]:\nnet/http.(*persistConn).writeLoop(0x1)\n\t/t.go:5\n" CREATED,
		  "net/http.(*persistConn).writeLoop", "connection never closed" },
		{ "goroutine 5 [IO wait, 9 minutes]:\ninternal/poll.runtime_pollWait(0x1)\n\t/n.go:1\n"
		  "net.(*conn).Read(0x1)\n\t/n.go:2\nmain.readAll()\n\t/a.go:4\n" CREATED,
		  "main.readAll", "network I/O with no deadline" },
	};

	struct gr_leak_params p1 = { .wait_min_count = 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gr_snapshot s;
		struct gr_analysis a;
		const struct gr_suspect *x;

		analyze_one_text(cases[i].dump, &p1, &s, &a);
		x = suspect_at(&a, cases[i].site);
		if (!x)
			fail_msg("case %zu: no suspect at '%s'", i, cases[i].site);
		if (strcmp(x->pattern, cases[i].pattern))
			fail_msg("case %zu: '%s' is '%s', want '%s'", i, cases[i].site, x->pattern, cases[i].pattern);
		assert_true(strlen(x->remedy) > 20);
		gr_analysis_release(&a);
		gr_snapshot_release(&s);
	}
}

static void test_generic_pattern_and_debug1_only(void **state)
{
	static const char *const specs[] = { "main.handler.func1=2", "main.handler.func1=4", "main.handler.func1=6" };
	struct gr_snapshot snaps[3];
	struct gr_analysis a;

	(void)state;
	/* debug=1 alone cannot tell a receive from a send */
	analyze_specs(specs, 3, NULL, snaps, &a);
	assert_int_equal(a.n_suspects, 1);
	assert_string_equal(a.suspects[0].pattern, "blocked goroutines accumulating");
	release_all(snaps, 3, &a);
}

/* The fixtures' leak series: debug=1 counts with the debug=2 dump of the
 * last moment as the detail, as `preflight goroutines URL` takes them. */
static void test_fixture_series(void **state)
{
	(void)state;
	for (size_t v = 0; v < N_VERSIONS; v++) {
		struct gr_snapshot snaps[3], detail;
		struct gr_leak_params p = { .detail = &detail };
		struct gr_analysis a;
		struct err e = { "" };
		const struct gr_suspect *x;
		static const char *const files[] = { "series-1.debug1.txt", "series-2.debug1.txt",
						     "series-3.debug1.txt" };

		for (size_t i = 0; i < 3; i++)
			parse_fixture(versions[v], files[i], &snaps[i]);
		parse_fixture(versions[v], "series-3.debug2.txt", &detail);
		assert_int_equal(gr_analyze(snaps, 3, &p, &a, &e), 0);
		assert_int_equal(a.n_suspects, 2);
		x = suspect_at(&a, "main.leakyHandler.func1");
		assert_non_null(x);
		assert_int_equal(x->count, 12);
		assert_int_equal(x->growth, 8);
		assert_string_equal(x->pattern, "send with no receiver");
		assert_non_null(strstr(x->created_by, "main.leakyHandler ("));
		x = suspect_at(&a, "main.tickerLoop");
		assert_non_null(x);
		assert_int_equal(x->count, 6);
		/* a ticker loop without its source reads as the receive it is */
		assert_string_equal(x->pattern, "receive on a channel nobody sends to");
		assert_null(suspect_at(&a, "main.(*worker).run")); /* 4, 12, 3 */
		for (size_t i = 0; i < a.n_rows; i++)
			if (!is_writer(a.rows[i].group))
				assert_non_null(a.rows[i].detail);
		gr_analysis_release(&a);
		/* without the detail the patterns fall back on what the
		 * stacks show */
		p.detail = NULL;
		assert_int_equal(gr_analyze(snaps, 3, &p, &a, &e), 0);
		assert_string_equal(suspect_at(&a, "main.leakyHandler.func1")->pattern,
				    "blocked goroutines accumulating");
		assert_string_equal(suspect_at(&a, "main.tickerLoop")->pattern, "blocked goroutines accumulating");
		gr_analysis_release(&a);
		for (size_t i = 0; i < 3; i++)
			gr_snapshot_release(&snaps[i]);
		gr_snapshot_release(&detail);
	}
}

/* A ticker loop and a receive nobody sends to look alike in a dump: the
 * source line tells them apart, when it can be read. */
static void test_ticker_from_source(void **state)
{
	static const char src[] = "package main\n"
				  "\n"
				  "func refreshLoop(d time.Duration) {\n"
				  "\tfor range time.NewTicker(d).C {\n"
				  "\t}\n"
				  "}\n"
				  "func waitForReply(c chan int) {\n"
				  "\tv := <-c\n"
				  "}\n"
				  "func poll(t *time.Ticker, q chan int) {\n"
				  "\tselect {\n"
				  "\tcase <-q:\n"
				  "\tcase v := <-t.C:\n"
				  "\t}\n"
				  "}\n"
				  "func other(a, b chan int) {\n"
				  "\tselect {\n"
				  "\tcase <-a:\n"
				  "\t}\n"
				  "\tx := t.C\n"
				  "}\n";
	char dir[] = "/tmp/test_goroutines.XXXXXX", path[256], fifo[256], *dump = NULL;
	struct source_lines lines = { NULL, 0 };
	struct gr_leak_params p = { .wait_min_count = 1 };
	struct gr_snapshot s;
	struct gr_analysis a;
	struct err e = { "" };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/loop.go", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo.go", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(src, f) >= 0, 1);
	fclose(f);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_true(asprintf(&dump,
			     "goroutine 5 [chan receive, 9 minutes]:\nmain.refreshLoop(0x1)\n\t%s:4 +0x1\n" CREATED
			     "goroutine 6 [chan receive, 9 minutes]:\nmain.waitForReply(0x1)\n\t%s:8 +0x1\n" CREATED
			     "goroutine 7 [select, 9 minutes]:\nmain.poll(0x1)\n\t%s:11 +0x1\n" CREATED
			     "goroutine 8 [select, 9 minutes]:\nmain.other(0x1)\n\t%s:17 +0x1\n" CREATED
			     "goroutine 9 [chan receive, 9 minutes]:\nmain.piped(0x1)\n\t%s:1 +0x1\n" CREATED,
			     path, path, path, path, fifo) > 0);
	parse_text(dump, &s);
	/* never read: what the dump shows alone */
	assert_int_equal(gr_analyze(&s, 1, &p, &a, &e), 0);
	assert_string_equal(suspect_at(&a, "main.refreshLoop")->pattern, "receive on a channel nobody sends to");
	assert_string_equal(suspect_at(&a, "main.poll")->pattern, "select with no ready case");
	gr_analysis_release(&a);
	/* read at the paths the dump names; a FIFO is not opened for reading */
	assert_int_equal(source_lines_collect("", &s, 1, &lines), 0);
	assert_non_null(source_lines_find(&lines, path, 4));
	assert_null(source_lines_find(&lines, fifo, 1));
	p.source = &lines;
	assert_int_equal(gr_analyze(&s, 1, &p, &a, &e), 0);
	assert_string_equal(suspect_at(&a, "main.refreshLoop")->pattern, "ticker never stopped");
	assert_string_equal(suspect_at(&a, "main.waitForReply")->pattern, "receive on a channel nobody sends to");
	/* a ticker held in a variable may be stopped where the site's lines
	 * do not show: not claimed */
	assert_string_equal(suspect_at(&a, "main.poll")->pattern, "select with no ready case");
	assert_string_equal(suspect_at(&a, "main.other")->pattern, "select with no ready case");
	assert_string_equal(suspect_at(&a, "main.piped")->pattern, "receive on a channel nobody sends to");
	gr_analysis_release(&a);
	/* under a root that does not hold the file: nothing is read */
	source_lines_release(&lines);
	assert_int_equal(source_lines_collect("/nonexistent-root", &s, 1, &lines), 0);
	assert_int_equal(lines.n, 0);
	assert_int_equal(gr_analyze(&s, 1, &p, &a, &e), 0);
	assert_string_equal(suspect_at(&a, "main.refreshLoop")->pattern, "receive on a channel nobody sends to");
	gr_analysis_release(&a);
	source_lines_release(&lines);
	gr_snapshot_release(&s);
	free(dump);
	unlink(path);
	unlink(fifo);
	rmdir(dir);
}

static void test_analyze_bad_args(void **state)
{
	struct gr_analysis a;
	struct err e = { "" };

	(void)state;
	assert_int_equal(gr_analyze(NULL, 0, NULL, &a, &e), -EINVAL);
	assert_true(strlen(e.msg) > 0);
	gr_analysis_release(NULL);
	gr_snapshot_release(NULL);
	assert_null(gr_group_site(NULL));
}

/* ---- rendering helpers (report/goroutines.c) ------------------------------ */

static char *cut(const char *line, unsigned width)
{
	char *p = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&p, &n);

	assert_non_null(m);
	report_line_cut(m, line, width);
	assert_int_equal(fclose(m), 0);
	return p;
}

static void test_line_cut_and_progress(void **state)
{
	char *s, text[128];

	(void)state;
	s = cut("short", 80);
	assert_string_equal(s, "short\n");
	free(s);
	s = cut("0123456789abcdefghij", 12);
	assert_string_equal(s, "012345678...\n");
	free(s);
	s = cut("0123456789abcdefghij", 0);
	assert_string_equal(s, "0123456789abcdefghij\n");
	free(s);
	/* characters, not bytes: "é" is two bytes and one column, never split */
	s = cut("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8);
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\n");
	free(s);
	s = cut("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8);
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n");
	free(s);
	/* escaping: the raw bytes never come back */
	s = term_escape_dup("main.\x1b]0;pwned\x07h");
	assert_string_equal(s, "\"main.\\e]0;pwned\\x07h\"");
	free(s);
	s = term_escape_dup("main.plain");
	assert_string_equal(s, "main.plain");
	free(s);
	gr_progress_text(text, sizeof(text), 1, 3, 1.54);
	assert_string_equal(text, "snapshot 1/3, next in 1.5s");
	gr_progress_text(text, sizeof(text), 3, 3, 0);
	assert_string_equal(text, "snapshot 3/3");
}


/* ---- --match ------------------------------------------------------------- */

static size_t rows_matching(const char *regex, const struct gr_analysis *a)
{
	regex_t re;
	size_t n = 0;

	assert_int_equal(regcomp(&re, regex, REG_EXTENDED | REG_NOSUB), 0);
	for (size_t i = 0; i < a->n_rows; i++)
		n += gr_row_matches(&a->rows[i], &re);
	regfree(&re);
	return n;
}

/* Site function, site file:line, state, creator function and creator
 * file:line, each on its own; nothing else. */
static void test_match_fields(void **state)
{
	static const char text[] = "goroutine 10 [chan receive, 9 minutes]:\n"
				   "main.waiter(0x1)\n\t/app/w.go:3 +0x1\n"
				   "main.outer(0x1)\n\t/app/outer.go:8 +0x1\n"
				   "created by main.spawn in goroutine 1\n\t/app/spawn.go:5 +0x1\n\n"
				   "goroutine 11 [select]:\nmain.loop()\n\t/app/loop.go:12 +0x1\n\n";
	struct gr_snapshot s;
	struct gr_analysis a;

	(void)state;
	analyze_one_text(text, NULL, &s, &a);
	assert_int_equal(a.n_rows, 2);
	assert_int_equal(rows_matching("^main\\.waiter$", &a), 1);     /* site function */
	assert_int_equal(rows_matching("^/app/w\\.go:3$", &a), 1);      /* site file:line */
	assert_int_equal(rows_matching("^chan receive$", &a), 1);       /* state */
	assert_int_equal(rows_matching("^select$", &a), 1);
	assert_int_equal(rows_matching("^main\\.spawn$", &a), 1);       /* creator */
	assert_int_equal(rows_matching("^/app/spawn\\.go:5$", &a), 1);  /* where it was created */
	assert_int_equal(rows_matching("^main\\.outer$", &a), 0);       /* a frame below the site */
	assert_int_equal(rows_matching("outer\\.go", &a), 0);
	assert_int_equal(rows_matching("waiter /app", &a), 0);          /* texts are not joined */
	assert_int_equal(rows_matching("CHAN", &a), 0);                 /* case-sensitive */
	assert_int_equal(rows_matching("main\\.", &a), 2);
	assert_int_equal(rows_matching("minutes", &a), 0);              /* the wait is not in the state */
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
}

/* Filtering keeps the matching rows and their suspects, hides the rest
 * and remembers how many there were; verdicts do not change. */
static void test_match_filters_rows_and_suspects(void **state)
{
	static const char *const specs[] = {
		"main.leak=2 main.other=4 main.flat=5",
		"main.leak=5 main.other=8 main.flat=5",
		"main.leak=9 main.other=12 main.flat=5",
	};
	struct gr_snapshot snaps[3];
	struct gr_analysis a;
	regex_t re;

	(void)state;
	analyze_specs(specs, 3, NULL, snaps, &a);
	assert_int_equal(a.n_rows, 3);
	assert_int_equal(a.n_suspects, 2);
	assert_int_equal(regcomp(&re, "leak|flat", REG_EXTENDED | REG_NOSUB), 0);
	gr_analysis_match(&a, &re);
	regfree(&re);
	assert_int_equal(a.n_rows_all, 3);
	assert_int_equal(a.n_suspects_all, 2);
	assert_int_equal(a.n_rows, 2);
	assert_int_equal(a.n_suspects, 1);
	assert_non_null(suspect_at(&a, "main.leak"));
	assert_string_equal(a.suspects[0].reason, "grows in every snapshot (2 to 9)");
	assert_int_equal(a.suspects[0].counts[2], 9);
	/* the rows stay sorted, biggest first */
	assert_int_equal(a.rows[0].counts[2], 9);
	assert_int_equal(a.rows[1].counts[2], 5);
	release_all(snaps, 3, &a);
	/* nothing matches: no row, no suspect */
	analyze_specs(specs, 3, NULL, snaps, &a);
	assert_int_equal(regcomp(&re, "^nothing$", REG_EXTENDED | REG_NOSUB), 0);
	gr_analysis_match(&a, &re);
	regfree(&re);
	assert_int_equal(a.n_rows, 0);
	assert_int_equal(a.n_suspects, 0);
	assert_int_equal(a.n_suspects_all, 2);
	release_all(snaps, 3, &a);
}

/* ---- the go.goroutine-leak check's inputs --------------------------------- */

static void run_leak_check(const struct facts *f, const char *overrides, struct check_result *r)
{
	const struct check_def *d = registry_find("go.goroutine-leak");
	json_t *o = overrides ? json_loads(overrides, 0, NULL) : NULL;
	struct check_params p = { d->params, o };

	assert_non_null(d);
	result_init(r, d);
	d->fn(f, &p, r);
	json_decref(o);
}

#define WSS "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*serverWatchStream).sendLoop"

/* The connections the sampler counted decide for the stacks that follow
 * connections; a count with a hole in it is not used. */
static void test_leak_check_uses_connections(void **state)
{
	static const char *const specs[] = { WSS "=5 main.main=1", WSS "=20 main.main=1", WSS "=35 main.main=1" };
	static uint64_t up[] = { 2, 10, 20 }, flat[] = { 2, 2, 2 };
	struct facts *f = calloc(1, sizeof(*f));
	struct check_result r;
	json_t *ev;

	(void)state;
	assert_non_null(f);
	snprintf(f->go.pprof_url, sizeof(f->go.pprof_url), "http://127.0.0.1:6060");
	f->go.snaps = calloc(3, sizeof(*f->go.snaps));
	assert_non_null(f->go.snaps);
	for (size_t i = 0; i < 3; i++)
		series_snapshot(specs[i], &f->go.snaps[i]);
	f->go.n_snaps = 3;
	/* connections rose by 18: 8 * 18 + 10 = 154 > 30 */
	f->go.conns = up;
	f->go.n_conns = 3;
	run_leak_check(f, NULL, &r);
	assert_int_equal(r.status, STATUS_PASS);
	ev = json_object_get(r.evidence, "connections");
	assert_non_null(ev);
	assert_int_equal(json_array_size(ev), 3);
	assert_int_equal(json_integer_value(json_array_get(ev, 2)), 20);
	result_release(&r);
	/* flat: the streams outgrow them */
	f->go.conns = flat;
	run_leak_check(f, NULL, &r);
	assert_int_equal(r.status, STATUS_WARN);
	assert_non_null(strstr(r.summary, "serverWatchStream"));
	result_release(&r);
	/* a count short of a snapshot is no series: not used, not shown */
	f->go.conns = up;
	f->go.n_conns = 2;
	run_leak_check(f, NULL, &r);
	assert_null(json_object_get(r.evidence, "connections"));
	assert_int_equal(r.status, STATUS_WARN);
	result_release(&r);
	/* nor one that failed */
	f->go.n_conns = 3;
	f->go.conns_err.code = -EACCES;
	snprintf(f->go.conns_err.msg, sizeof(f->go.conns_err.msg), "cannot read the fds");
	run_leak_check(f, NULL, &r);
	assert_null(json_object_get(r.evidence, "connections"));
	assert_string_equal(json_string_value(json_object_get(r.evidence, "connections_note")), "cannot read the fds");
	result_release(&r);
	for (size_t i = 0; i < 3; i++)
		gr_snapshot_release(&f->go.snaps[i]);
	free(f->go.snaps);
	free(f);
}

/* wait_min_count: a group blocked for long is a suspect from this many
 * goroutines on, as the checklist sets it. */
static void test_leak_check_wait_min_count(void **state)
{
	static const char rec[] = "goroutine 10 [chan receive, 9 minutes]:\nmain.waiter(0x1)\n\t/app/w.go:3 +0x1\n" CREATED;
	struct facts *f = calloc(1, sizeof(*f));
	struct check_result r;
	char *t = repeat_record(rec, 5);

	(void)state;
	assert_non_null(f);
	snprintf(f->go.pprof_url, sizeof(f->go.pprof_url), "http://127.0.0.1:6060");
	f->go.snaps = calloc(1, sizeof(*f->go.snaps));
	assert_non_null(f->go.snaps);
	parse_text(t, &f->go.snaps[0]);
	parse_text(t, &f->go.dump2);
	f->go.n_snaps = 1;
	f->go.has_dump2 = true;
	run_leak_check(f, NULL, &r);
	assert_int_equal(r.status, STATUS_PASS); /* 5 < the default 10 */
	result_release(&r);
	run_leak_check(f, "{\"wait_min_count\": 6}", &r);
	assert_int_equal(r.status, STATUS_PASS);
	result_release(&r);
	run_leak_check(f, "{\"wait_min_count\": 5}", &r);
	assert_int_equal(r.status, STATUS_WARN);
	assert_non_null(strstr(r.summary, "main.waiter"));
	result_release(&r);
	gr_snapshot_release(&f->go.snaps[0]);
	gr_snapshot_release(&f->go.dump2);
	free(f->go.snaps);
	free(f);
	free(t);
}

/* ---- the html format ------------------------------------------------------ */

static char *render_to_string(const struct gr_view *v, const char *format)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_non_null(m);
	assert_int_equal(gr_render(v, format, m), 0);
	fclose(m);
	return text;
}

/* Names from a dump cannot open an element or end an attribute, and
 * control bytes never reach the page. */
static void test_html_escapes(void **state)
{
	static const char text[] = "goroutine 10 [chan receive\033[2J, 9 minutes]:\n"
				   "main.(*T[<b>&\"x']).run(0x1)\n\t/src/<i>a&b\".go:3 +0x1\n"
				   "created by main.sp\007awn in goroutine 1\n\t/app/spawn.go:5 +0x1\n\n";
	struct gr_snapshot s;
	struct gr_analysis a;
	struct gr_view v = { 0 };
	char *page;

	(void)state;
	analyze_one_text(text, NULL, &s, &a);
	v.snaps = &s;
	v.n_snaps = 1;
	v.an = &a;
	page = render_to_string(&v, "html");
	assert_non_null(strstr(page, "<!DOCTYPE html>\n<html lang=\"en\">"));
	assert_null(strstr(page, "<b>"));
	assert_null(strstr(page, "<i>"));
	assert_null(strchr(page, '\033'));
	assert_null(strchr(page, '\007'));
	assert_non_null(strstr(page, "main.(*T[&lt;b&gt;&amp;&quot;x&#39;]).run"));
	assert_non_null(strstr(page, "/src/&lt;i&gt;a&amp;b&quot;.go:3"));
	assert_non_null(strstr(page, "&quot;chan receive\\e[2J&quot;"));
	assert_non_null(strstr(page, "main.sp\\x07awn"));
	assert_non_null(strstr(page, "</html>\n"));
	free(page);
	/* the other formats are still there, and a strange one is refused */
	page = render_to_string(&v, "json");
	assert_true(page[0] == '{');
	free(page);
	{
		FILE *m = fopen("/dev/null", "we");

		assert_int_equal(gr_render(&v, "xml", m), -EINVAL);
		fclose(m);
	}
	gr_analysis_release(&a);
	gr_snapshot_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug1_counts_match_header),
		cmocka_unit_test(test_debug1_and_debug2_same_keys),
		cmocka_unit_test(test_debug2_states),
		cmocka_unit_test(test_created_by_both_forms),
		cmocka_unit_test(test_wait_minutes),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_elision),
		cmocka_unit_test(test_crash_log),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_at_runtime_cap),
		cmocka_unit_test(test_cut_never_invents_a_stack),
		cmocka_unit_test(test_cut_debug1_frame_line),
		cmocka_unit_test(test_endless_input_gives_up),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_stream_equals_memory),
		cmocka_unit_test(test_stream_long_line),
		cmocka_unit_test(test_rejects_what_is_not_a_dump),
		cmocka_unit_test(test_malformed_lines_are_skipped),
		cmocka_unit_test(test_key_ignores_args_offsets_and_runtime),
		cmocka_unit_test(test_site),
		cmocka_unit_test(test_growth_rules),
		cmocka_unit_test(test_growth_needs_site_and_last_dump),
		cmocka_unit_test(test_wait_rule),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_generic_pattern_and_debug1_only),
		cmocka_unit_test(test_fixture_series),
		cmocka_unit_test(test_ticker_from_source),
		cmocka_unit_test(test_wait_rule_needs_a_big_group),
		cmocka_unit_test(test_connection_goroutines_wait),
		cmocka_unit_test(test_connection_growth),
		cmocka_unit_test(test_etcd_fixture_healthy),
		cmocka_unit_test(test_grouping_exact),
		cmocka_unit_test(test_analyze_bad_args),
		cmocka_unit_test(test_line_cut_and_progress),
		cmocka_unit_test(test_match_fields),
		cmocka_unit_test(test_match_filters_rows_and_suspects),
		cmocka_unit_test(test_leak_check_uses_connections),
		cmocka_unit_test(test_leak_check_wait_min_count),
		cmocka_unit_test(test_html_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
