/* The deadline engine: both sides of every stage boundary (due, each
 * reminder, escalation), only the latest stage, cycles, follow-ups, the
 * policy read from the checklist JSON, and the dedupe keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/deadline.h"

#define MIN (60 * 1000LL)
#define DUE (1700000000000LL)

static const struct deadline_policy policy = { .remind_every_ms = 30 * MIN, .escalate_after = 3,
					       .rca_due_ms = 120 * MIN };

static const char *stage(int64_t now)
{
	static struct deadline_stage st;

	deadline_stage_at(DUE, now, &policy, &st);
	return st.reached ? st.name : "-";
}

static void test_stage_boundaries(void **state)
{
	(void)state;
	assert_string_equal(stage(DUE - 1), "-");
	assert_string_equal(stage(DUE), "-");          /* overdue is strictly after due */
	assert_string_equal(stage(DUE + 1), "due");
	assert_string_equal(stage(DUE + 30 * MIN - 1), "due");
	assert_string_equal(stage(DUE + 30 * MIN), "remind-1");
	assert_string_equal(stage(DUE + 60 * MIN - 1), "remind-1");
	assert_string_equal(stage(DUE + 60 * MIN), "remind-2");
	assert_string_equal(stage(DUE + 90 * MIN - 1), "remind-2");
	assert_string_equal(stage(DUE + 90 * MIN), "escalate");
	/* hours later: still one stage, the last */
	assert_string_equal(stage(DUE + 100 * 60 * MIN), "escalate");
}

static void test_stage_since_and_no_due(void **state)
{
	struct deadline_stage st;
	struct deadline_policy p0 = policy;

	(void)state;
	deadline_stage_at(DUE, DUE + 65 * MIN, &policy, &st);
	assert_true(st.reached);
	assert_int_equal(st.reminder, 2);
	assert_int_equal(st.since_ms, DUE + 60 * MIN);
	deadline_stage_at(0, DUE, &policy, &st);
	assert_false(st.reached);
	/* escalate_after 0: straight to the run owner */
	p0.escalate_after = 0;
	deadline_stage_at(DUE, DUE + 1, &p0, &st);
	assert_true(st.escalate);
	assert_string_equal(st.name, "escalate");
}

static void test_policy_from_checklist(void **state)
{
	struct deadline_policy p;
	json_t *c;

	(void)state;
	deadline_policy_from_checklist(NULL, &p);
	assert_int_equal(p.remind_every_ms, 30 * MIN);
	assert_int_equal(p.escalate_after, 3);
	assert_int_equal(p.rca_due_ms, 120 * MIN);
	c = json_pack("{s:{s:f,s:i,s:s}}", "alerts", "remind_every_s", 600.0, "escalate_after", 5, "rca_due", "1h");
	deadline_policy_from_checklist(c, &p);
	assert_int_equal(p.remind_every_ms, 10 * MIN);
	assert_int_equal(p.escalate_after, 5);
	assert_int_equal(p.rca_due_ms, 60 * MIN);
	json_decref(c);
	/* nonsense keeps the defaults */
	c = json_pack("{s:{s:s,s:i,s:f}}", "alerts", "remind_every", "soon", "escalate_after", -1, "rca_due_s", 0.0);
	deadline_policy_from_checklist(c, &p);
	assert_int_equal(p.remind_every_ms, 30 * MIN);
	assert_int_equal(p.escalate_after, 3);
	assert_int_equal(p.rca_due_ms, 120 * MIN);
	json_decref(c);
}

struct fixture {
	struct item_view items[4];
	struct followup_view fu[2];
	struct run_view v;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->items[0] = (struct item_view){ .id = "ORD-1", .title = "db ready", .owner = "alice", .due_ms = DUE,
					  .status = ITEM_PENDING };
	f->items[1] = (struct item_view){ .id = "ORD-2", .title = "passed", .owner = "bob", .due_ms = DUE,
					  .status = ITEM_PASS };
	f->items[2] = (struct item_view){ .id = "ORD-3", .title = "failed", .owner = "bob", .due_ms = DUE,
					  .status = ITEM_FAIL, .cycle = 2 };
	f->items[3] = (struct item_view){ .id = "ORD-4", .title = "no due", .status = ITEM_PENDING };
	f->fu[0] = (struct followup_view){ .id = 7, .run_id = 3, .item_id = "ORD-3", .owner = "bob",
					   .opened_ms = DUE, .rca_due_ms = DUE + 120 * MIN };
	f->fu[1] = (struct followup_view){ .id = 8, .run_id = 3, .item_id = "ORD-1", .owner = "alice",
					   .opened_ms = DUE, .rca_due_ms = DUE + 120 * MIN, .closed = true };
	f->v.id = 3;
	f->v.owner = "carol";
	f->v.items = f->items;
	f->v.n_items = 4;
	f->v.followups = f->fu;
	f->v.n_followups = 2;
	f->v.checklist = NULL;   /* default policy */
}

static void test_alerts_of_a_run(void **state)
{
	struct fixture f;
	struct deadline_alert *a;
	size_t n;

	(void)state;
	fixture_init(&f);
	/* before due: only the open follow-up's first alert */
	assert_int_equal(deadline_alerts(&f.v, DUE - 1, &a, &n), 0);
	assert_int_equal(n, 0);
	deadline_alerts_free(a, n);
	assert_int_equal(deadline_alerts(&f.v, DUE, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].key, "followup:7:followup-open");
	deadline_alerts_free(a, n);

	assert_int_equal(deadline_alerts(&f.v, DUE + 1, &a, &n), 0);
	assert_int_equal(n, 3);   /* ORD-1 and ORD-3 (open, overdue), follow-up 7 */
	assert_string_equal(a[0].key, "item:3:ORD-1:0:due");
	assert_string_equal(a[0].to, "alice");
	assert_null(a[0].mention);
	assert_string_equal(a[1].key, "item:3:ORD-3:2:due");
	assert_int_equal(a[1].cycle, 2);
	assert_int_equal(a[2].subject, DEADLINE_FOLLOWUP);
	assert_int_equal(a[2].followup_id, 7);
	assert_string_equal(a[2].item_title, "failed");
	deadline_alerts_free(a, n);

	/* escalation: to the run owner, mentioning the item owner */
	assert_int_equal(deadline_alerts(&f.v, DUE + 90 * MIN, &a, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].key, "item:3:ORD-1:0:escalate");
	assert_string_equal(a[0].to, "carol");
	assert_string_equal(a[0].mention, "alice");
	deadline_alerts_free(a, n);

	/* follow-up stages around the RCA due time */
	assert_int_equal(deadline_alerts(&f.v, DUE + 120 * MIN, &a, &n), 0);
	assert_string_equal(a[2].key, "followup:7:followup-open");
	deadline_alerts_free(a, n);
	assert_int_equal(deadline_alerts(&f.v, DUE + 120 * MIN + 1, &a, &n), 0);
	assert_string_equal(a[2].key, "followup:7:followup-due");
	assert_string_equal(a[2].to, "bob");
	deadline_alerts_free(a, n);
	assert_int_equal(deadline_alerts(&f.v, DUE + 150 * MIN, &a, &n), 0);
	assert_string_equal(a[2].key, "followup:7:followup-remind-1");
	deadline_alerts_free(a, n);
	assert_int_equal(deadline_alerts(&f.v, DUE + 210 * MIN, &a, &n), 0);
	assert_string_equal(a[2].key, "followup:7:followup-escalate");
	assert_string_equal(a[2].to, "carol");
	assert_string_equal(a[2].mention, "bob");
	deadline_alerts_free(a, n);
}

static void test_escalation_without_run_owner(void **state)
{
	struct fixture f;
	struct deadline_alert *a;
	size_t n;

	(void)state;
	fixture_init(&f);
	f.v.owner = NULL;
	assert_int_equal(deadline_alerts(&f.v, DUE + 90 * MIN, &a, &n), 0);
	assert_string_equal(a[0].to, "alice");
	assert_null(a[0].mention);
	deadline_alerts_free(a, n);
}

static void test_policy_of_the_run(void **state)
{
	struct fixture f;
	struct deadline_alert *a;
	size_t n;

	(void)state;
	fixture_init(&f);
	f.v.checklist = json_pack("{s:{s:i,s:i}}", "alerts", "remind_every_s", 60, "escalate_after", 10);
	assert_int_equal(deadline_alerts(&f.v, DUE + 5 * MIN, &a, &n), 0);
	assert_string_equal(a[0].key, "item:3:ORD-1:0:remind-5");
	deadline_alerts_free(a, n);
	json_decref(f.v.checklist);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_boundaries),
		cmocka_unit_test(test_stage_since_and_no_due),
		cmocka_unit_test(test_policy_from_checklist),
		cmocka_unit_test(test_alerts_of_a_run),
		cmocka_unit_test(test_escalation_without_run_owner),
		cmocka_unit_test(test_policy_of_the_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
