/* The loop's command helpers (src/cmd/launch_common.c) on their own: due
 * times as a run resolves them (relative from the run's start, a date by
 * the end of that day in UTC, RFC 3339 with its offset), the close-match
 * list of an unknown item, and what a person's text may hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/launch_common.h"

static int64_t due_of(const char *due, bool relative, double offset_s, int64_t opened_ms, int *ret)
{
	struct checklist_item it = { .due = (char *)due, .due_relative = relative, .due_offset_s = offset_s };
	int64_t ms = -1;

	*ret = launch_due_ms(&it, opened_ms, &ms);
	return ms;
}

static void test_due(void **state)
{
	int r;

	(void)state;
	/* none */
	assert_int_equal(due_of(NULL, false, 0, 5000, &r), 0);
	assert_int_equal(r, 0);
	/* relative: from the run's start, never from now */
	assert_int_equal(due_of("+30m", true, 1800, 1000000, &r), 1000000 + 1800000);
	assert_int_equal(due_of("+1.5s", true, 1.5, 0, &r), 1500);
	/* a date: due by the end of that day, UTC (2020-01-01T00:00:00Z is 1577836800) */
	assert_int_equal(due_of("2020-01-01", false, 0, 0, &r), (1577836800LL + 86400) * 1000);
	assert_int_equal(r, 0);
	/* a leap day */
	assert_int_equal(due_of("2028-02-29", false, 0, 0, &r), (1835395200LL + 86400) * 1000);
	/* RFC 3339: offsets, fractions, lowercase t and z, a leap second */
	assert_int_equal(due_of("2020-01-01T00:00:00Z", false, 0, 0, &r), 1577836800000LL);
	assert_int_equal(due_of("2020-01-01t08:00:00+08:00", false, 0, 0, &r), 1577836800000LL);
	assert_int_equal(due_of("2019-12-31T19:30:00-04:30", false, 0, 0, &r), 1577836800000LL);
	assert_int_equal(due_of("2020-01-01T00:00:00.25z", false, 0, 0, &r), 1577836800250LL);
	assert_int_equal(due_of("2020-01-01T00:00:00.123456Z", false, 0, 0, &r), 1577836800123LL);
	assert_int_equal(due_of("2016-12-31T23:59:60Z", false, 0, 0, &r), 1483228800000LL);
	assert_int_equal(r, 0);
	/* what the loader would have refused */
	due_of("2020-13-01", false, 0, 0, &r);
	assert_int_equal(r, -EINVAL);
	due_of("2020-01-01T00:00:00", false, 0, 0, &r);
	assert_int_equal(r, -EINVAL);
	due_of("2020-01-01T00:00:00+8:00", false, 0, 0, &r);
	assert_int_equal(r, -EINVAL);
	due_of("2020-01-01T24:00:00Z", false, 0, 0, &r);
	assert_int_equal(r, -EINVAL);
	due_of("2020-01-01T00:00:00.Z", false, 0, 0, &r);
	assert_int_equal(r, -EINVAL);
	due_of("tomorrow", false, 0, 0, &r);
	assert_int_equal(r, -EINVAL);
}

static void test_format_time(void **state)
{
	char buf[32];

	(void)state;
	launch_format_time(1577836800000LL + 86400000, buf, sizeof(buf));
	assert_string_equal(buf, "2020-01-02T00:00:00Z");
}

static void test_suggest(void **state)
{
	struct item_view items[] = { { .id = "db-migration" }, { .id = "feature-flag" }, { .id = "order-health" },
				     { .id = "feature-flags" } };
	struct run_view v = { .items = items, .n_items = 4 };
	char buf[256];

	(void)state;
	launch_suggest_items(&v, "feature-flagg", buf, sizeof(buf), 8);
	/* one edit away first, ties in checklist order */
	assert_string_equal(buf, "feature-flag, feature-flags, order-health, db-migration");
	launch_suggest_items(&v, "FEATURE-FLAG", buf, sizeof(buf), 2);
	assert_string_equal(buf, "feature-flag, feature-flags, ...");
	/* too small a buffer: never overrun, never a partial id */
	launch_suggest_items(&v, "x", buf, 10, 8);
	assert_true(strlen(buf) < 10);
}

static void test_check_text(void **state)
{
	(void)state;
	assert_int_equal(launch_check_text("t", "reason", "the reviewer was on leave", 100, true), 0);
	assert_int_equal(launch_check_text("t", "reason", "two\nlines\tand a tab", 100, true), 0);
	assert_int_equal(launch_check_text("t", "reason", "€ and 中文", 100, true), 0);
	assert_int_equal(launch_check_text("t", "by", "two\nlines", 100, false), 2);
	assert_int_equal(launch_check_text("t", "reason", "esc\033[2J", 100, true), 2);
	assert_int_equal(launch_check_text("t", "reason", "del\x7f", 100, true), 2);
	assert_int_equal(launch_check_text("t", "reason", "\xff\xfe", 100, true), 2);
	assert_int_equal(launch_check_text("t", "reason", "", 100, true), 2);
	assert_int_equal(launch_check_text("t", "change", "DEP-12345", 9, false), 0);
	assert_int_equal(launch_check_text("t", "change", "DEP-123456", 9, false), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_check_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
