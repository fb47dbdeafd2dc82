/* store_followups (the API's GET /api/v1/followups): follow-ups of every
 * run or of one, in id order whatever run they belong to, the closed ones
 * left out on request, each as store_followup_get derives it (closed, RCA,
 * overdue at the moment asked). On a SQLite store in a scratch file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"

#define T0 1700000000000LL

static int64_t make_run(struct store *s, const char *name)
{
	struct err e = { { 0 } };
	json_t *items = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "id", "a", "title", "A", "verify_kind",
				  "manual", "id", "b", "title", "B", "verify_kind", "manual");
	json_t *checklist = json_pack("{s:s}", "name", name);
	struct run_open o = { .name = name, .source = "x.yaml", .opened_by = "ann", .opened_ms = T0,
			      .checklist = checklist, .items = items };
	int64_t id = store_run_create(s, &o, &e);

	assert_true(id > 0);
	json_decref(items);
	json_decref(checklist);
	return id;
}

static void close_followup(struct store *s, int64_t run, const char *item, int64_t id)
{
	struct err e = { { 0 } };
	struct event ev = { .run_id = run, .item_id = (char *)item, .kind = EV_FOLLOWUP_CLOSE, .status = -1,
			    .actor = "bob", .reason = "root cause", .at_ms = T0 + 5000 };

	ev.data = json_pack("{s:I}", "followup_id", (json_int_t)id);
	assert_true(store_append(s, &ev, &e) > 0);
	json_decref(ev.data);
}

static void release(struct followup_view *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		followup_view_release(&f[i]);
	free(f);
}

static void test_list(void **state)
{
	char path[] = "/tmp/test_store_followups.XXXXXX";
	struct err e = { { 0 } };
	struct followup_view *f = NULL;
	struct store *s;
	int64_t r1, r2, f1, f2, f3;
	size_t n = 0;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s, &e), 0);
	r1 = make_run(s, "one");
	r2 = make_run(s, "two");
	/* ids interleave across runs: run 2's first, then run 1's, then run 2's */
	f1 = store_followup_open(s, r2, "a", "bob", T0 + 1000, "first", "ann", &e);
	f2 = store_followup_open(s, r1, "b", "ann", T0 + 1000, "second", "ann", &e);
	f3 = store_followup_open(s, r2, "b", NULL, 0, "third", "ann", &e);
	assert_true(f1 > 0 && f2 > f1 && f3 > f2);
	close_followup(s, r2, "a", f1);

	assert_int_equal(store_followups(s, 0, false, T0 + 2000, &f, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(f[0].id, f1);
	assert_int_equal(f[1].id, f2);
	assert_int_equal(f[2].id, f3);
	assert_true(f[0].closed);
	assert_string_equal(f[0].rca, "root cause");
	assert_false(f[0].overdue);     /* closed */
	assert_true(f[1].overdue);      /* open, past its RCA due time */
	assert_false(f[2].overdue);     /* no due time */
	assert_int_equal(f[1].run_id, r1);
	release(f, n);

	assert_int_equal(store_followups(s, 0, true, T0 + 2000, &f, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].id, f2);
	assert_int_equal(f[1].id, f3);
	release(f, n);

	assert_int_equal(store_followups(s, r2, false, T0, &f, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[1].summary, "third");
	release(f, n);

	assert_int_equal(store_followups(s, 4242, false, T0, &f, &n, &e), 0);
	assert_int_equal(n, 0);
	release(f, n);

	store_close(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
