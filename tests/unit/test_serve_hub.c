/* The live feed of `preflight serve` (src/serve/hub.c) on a real SQLite
 * store in a temporary directory: events appended by this process, by
 * another connection and by another process come out as SSE frames, in
 * seq order, filtered by run; the cursor advances; a cursor older than
 * what the hub keeps is -ESTALE; the waker is called. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/buf.h"
#include "facts/launch.h"
#include "serve/serve.h"
#include "store/store.h"

struct fixture {
	char dir[256];
	char url[512];
	struct store *s;       /* the test's own connection: not the hub's */
	int64_t run, run2;
	struct serve_hub *h;
};

#define T0 1700000000000LL

static int64_t make_run(struct store *s, const char *name)
{
	struct err e = { { 0 } };
	json_t *items = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "id", "a", "title", "Alpha", "verify_kind",
				  "manual", "id", "b", "title", "Beta", "verify_kind", "manual");
	json_t *checklist = json_pack("{s:s}", "name", name);
	struct run_open o = {
		.name = name, .source = "launch.yaml", .env = "prod", .owner = "olga", .opened_by = "bob",
		.opened_ms = T0, .checklist = checklist, .items = items,
	};
	int64_t id = store_run_create(s, &o, &e);

	if (id <= 0)
		fail_msg("store_run_create: %s", e.msg);
	json_decref(items);
	json_decref(checklist);
	return id;
}

static int64_t add(struct store *s, int64_t run, const char *item, const char *kind, const char *actor)
{
	struct err e = { { 0 } };
	struct event ev = {
		.at_ms = T0 + 1000, .run_id = run, .item_id = (char *)item, .kind = (char *)kind,
		.status = strcmp(kind, EV_ITEM_CONFIRM) == 0 ? ITEM_PASS : -1, .actor = (char *)actor,
	};
	int64_t seq = store_append(s, &ev, &e);

	if (seq <= 0)
		fail_msg("store_append %s: %s", kind, e.msg);
	return seq;
}

/* Waits (bounded: 10 s) until the hub has seen seq. */
static void wait_seen(struct serve_hub *h, int64_t seq)
{
	for (int i = 0; i < 1000 && serve_hub_last_seq(h) < seq; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	assert_true(serve_hub_last_seq(h) >= seq);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e = { { 0 } };

	snprintf(f->dir, sizeof(f->dir), "%s/test_serve_hub.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->url, sizeof(f->url), "%s/preflight.db", f->dir);
	if (store_open(f->url, &f->s, &e) < 0)
		fail_msg("store_open: %s", e.msg);
	f->run = make_run(f->s, "one");
	f->run2 = make_run(f->s, "two");
	/* a long interval: only a kick (or waiting) makes the hub look, so
	 * the cases below see both paths */
	if (serve_hub_start(NULL, f->url, 0.05, &f->h, &e) < 0)
		fail_msg("serve_hub_start: %s", e.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[512];

	serve_hub_stop(f->h);
	store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The seqs of the frames in text, in order; checks each frame's shape. */
static size_t frame_seqs(const char *text, int64_t *seqs, size_t max)
{
	size_t n = 0;
	const char *p = text;

	while (*p) {
		long long seq;
		char kind[64];
		const char *data, *end;
		json_t *j;

		assert_int_equal(sscanf(p, "id: %lld\nevent: %63[^\n]\n", &seq, kind), 2);
		data = strstr(p, "\ndata: ");
		assert_non_null(data);
		data += 7;
		end = strstr(data, "\n\n");
		assert_non_null(end);
		j = json_loadb(data, (size_t)(end - data), 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "seq")), seq);
		assert_string_equal(json_string_value(json_object_get(j, "kind")), kind);
		json_decref(j);
		assert_true(n < max);
		seqs[n++] = seq;
		p = end + 2;
	}
	return n;
}

static void test_frames_in_order(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT(1 << 20);
	int64_t cursor = serve_hub_last_seq(f->h), s1, s2, s3, seqs[8];
	int64_t start = cursor;

	/* the runs opened before the hub started are known already */
	assert_true(cursor > 0);
	s1 = add(f->s, f->run, "a", EV_ITEM_CONFIRM, "carol");
	s2 = add(f->s, f->run2, "b", EV_ITEM_CONFIRM, "dan");
	s3 = add(f->s, f->run, NULL, EV_RUN_CLOSE, "bob");
	serve_hub_kick(f->h);
	wait_seen(f->h, s3);

	long got = serve_hub_frames(f->h, &cursor, 0, &out, 1 << 20);

	assert_int_equal(got, (long)out.len);
	assert_int_equal(frame_seqs(buf_str(&out), seqs, 8), 3);
	assert_int_equal(seqs[0], s1);
	assert_int_equal(seqs[1], s2);
	assert_int_equal(seqs[2], s3);
	assert_int_equal(cursor, s3);
	assert_non_null(strstr(buf_str(&out), "event: item.confirm\ndata: {"));
	assert_non_null(strstr(buf_str(&out), "\"actor\":\"carol\""));

	/* nothing new: 0, the cursor stays */
	buf_reset(&out);
	assert_int_equal(serve_hub_frames(f->h, &cursor, 0, &out, 1 << 20), 0);
	assert_int_equal(cursor, s3);
	assert_int_equal(out.len, 0);

	/* a byte budget smaller than two frames: one frame per call, never a stall */
	cursor = start;
	assert_true(serve_hub_frames(f->h, &cursor, 0, &out, 10) > 0);
	assert_int_equal(cursor, s1);
	assert_int_equal(frame_seqs(buf_str(&out), seqs, 8), 1);
	buf_release(&out);
}

static void test_run_filter(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT(1 << 20);
	int64_t cursor = serve_hub_last_seq(f->h), seqs[8], s1, s3;

	s1 = add(f->s, f->run, "a", EV_ITEM_CONFIRM, "carol");
	add(f->s, f->run2, "a", EV_ITEM_CONFIRM, "dan");
	add(f->s, f->run2, "b", EV_ITEM_CONFIRM, "dan");
	s3 = add(f->s, f->run, "b", EV_ITEM_CONFIRM, "carol");
	serve_hub_kick(f->h);
	wait_seen(f->h, s3);

	assert_true(serve_hub_frames(f->h, &cursor, f->run, &out, 1 << 20) > 0);
	assert_int_equal(frame_seqs(buf_str(&out), seqs, 8), 2);
	assert_int_equal(seqs[0], s1);
	assert_int_equal(seqs[1], s3);
	assert_null(strstr(buf_str(&out), "dan"));
	assert_int_equal(cursor, s3);

	/* a run with nothing new: no bytes, but the cursor moves past the others' */
	buf_reset(&out);
	cursor = s1;
	int64_t s4 = add(f->s, f->run2, "a", EV_ITEM_REOPEN, "dan");
	serve_hub_kick(f->h);
	wait_seen(f->h, s4);
	assert_int_equal(serve_hub_frames(f->h, &cursor, f->run + f->run2 + 10, &out, 1 << 20), 0);
	assert_int_equal(cursor, s4);
	buf_release(&out);
}

static void test_stale_cursor(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	struct buf out = BUF_INIT(8 << 20);
	int64_t cursor, last = 0, seqs[16];

	/* more than the hub keeps, in one transaction */
	assert_int_equal(store_begin_write(f->s, &e), 0);
	for (int i = 0; i < 5000; i++)
		last = add(f->s, f->run, i % 2 ? "a" : "b", EV_ITEM_REOPEN, "bulk");
	assert_int_equal(store_commit(f->s, &e), 0);
	serve_hub_kick(f->h);
	wait_seen(f->h, last);

	cursor = 0;
	assert_int_equal(serve_hub_frames(f->h, &cursor, 0, &out, 1 << 20), -ESTALE);
	assert_int_equal(cursor, 0);
	cursor = last - 5000;
	assert_int_equal(serve_hub_frames(f->h, &cursor, 0, &out, 1 << 20), -ESTALE);
	/* the newest ones are still there */
	cursor = last - 10;
	assert_true(serve_hub_frames(f->h, &cursor, 0, &out, 1 << 20) > 0);
	assert_int_equal(frame_seqs(buf_str(&out), seqs, 16), 10);
	assert_int_equal(seqs[0], last - 9);
	assert_int_equal(cursor, last);
	/* and the whole ring can be read out from its oldest seq on, in budgeted pieces */
	cursor = last - 4000;
	for (int i = 0; i < 100 && cursor < last; i++) {
		buf_reset(&out);
		assert_true(serve_hub_frames(f->h, &cursor, 0, &out, 64 << 10) > 0);
	}
	assert_int_equal(cursor, last);
	buf_release(&out);
}

/* The test's own connection is already another one than the hub's; this
 * is another process as well, as the CLI or a second server would be. */
static void test_other_process(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT(1 << 20);
	int64_t cursor = serve_hub_last_seq(f->h), seqs[8];
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *s;
		struct err e = { { 0 } };
		struct event ev = { .run_id = f->run2, .item_id = "a", .kind = EV_ITEM_CONFIRM, .status = ITEM_PASS,
				    .actor = "erin" };

		if (store_open(f->url, &s, &e) < 0 || store_append(s, &ev, &e) <= 0)
			_exit(1);
		store_close(s);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* no kick: the poll alone finds it */
	wait_seen(f->h, cursor + 1);
	assert_true(serve_hub_frames(f->h, &cursor, f->run2, &out, 1 << 20) > 0);
	assert_int_equal(frame_seqs(buf_str(&out), seqs, 8), 1);
	assert_non_null(strstr(buf_str(&out), "\"actor\":\"erin\""));
	buf_release(&out);
}

static atomic_int wakes;

static void count_wake(void *arg)
{
	(void)arg;
	atomic_fetch_add(&wakes, 1);
}

static void test_waker(void **state)
{
	struct fixture *f = *state;
	int64_t s1;

	atomic_store(&wakes, 0);
	serve_hub_set_waker(f->h, count_wake, NULL);
	s1 = add(f->s, f->run, "a", EV_ITEM_CONFIRM, "carol");
	serve_hub_kick(f->h);
	wait_seen(f->h, s1);
	for (int i = 0; i < 500 && atomic_load(&wakes) == 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&wakes) >= 1);
	serve_hub_set_waker(f->h, NULL, NULL);
}

/* Restarted on a store with history, the hub holds its newest events
 * already: a stream reconnecting after a restart goes on. */
static void test_restart_keeps_history(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	struct buf out = BUF_INIT(1 << 20);
	int64_t s1 = add(f->s, f->run, "a", EV_ITEM_CONFIRM, "carol"), cursor = s1 - 1, seqs[8];

	serve_hub_stop(f->h);
	if (serve_hub_start(NULL, f->url, 10, &f->h, &e) < 0)
		fail_msg("serve_hub_start: %s", e.msg);
	assert_int_equal(serve_hub_last_seq(f->h), s1);
	assert_true(serve_hub_frames(f->h, &cursor, 0, &out, 1 << 20) > 0);
	assert_int_equal(frame_seqs(buf_str(&out), seqs, 8), 1);
	assert_int_equal(seqs[0], s1);
	buf_release(&out);
}

static void test_unreachable_store(void **state)
{
	struct err e = { { 0 } };
	struct serve_hub *h = NULL;

	(void)state;
	assert_true(serve_hub_start(NULL, "/nonexistent/dir/preflight.db", 0.1, &h, &e) < 0);
	assert_null(h);
	assert_true(e.msg[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_history, setup, teardown),
		cmocka_unit_test(test_unreachable_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
