/* The actions module (src/launch/actions.c): the rules every caller of a
 * person's action relies on — the CLI, the API and the board — and the
 * error codes the server maps to HTTP statuses (404, 400, 409). On a real
 * SQLite store in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "launch/actions.h"
#include "store/store.h"

#define T0 1700000000000LL
#define MIN 60000LL

struct fixture {
	char dir[256], url[300];
	struct store *s;
	int64_t run;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e = { { 0 } };
	json_t *items = json_pack("[{s:s,s:s,s:s,s:I}, {s:s,s:s,s:s}]", "id", "late", "title", "Late one",
				  "verify_kind", "manual", "due_ms", (json_int_t)(T0 + 10 * MIN), "id", "free",
				  "title", "No due", "verify_kind", "manual");
	json_t *checklist = json_pack("{s:s}", "name", "actions");
	struct run_open o = { .name = "actions", .source = "a.yaml", .opened_by = "bob", .opened_ms = T0,
			      .checklist = checklist, .items = items };

	snprintf(f->dir, sizeof(f->dir), "%s/test_actions.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->url, sizeof(f->url), "%s/preflight.db", f->dir);
	if (store_open(f->url, &f->s, &e) < 0)
		fail_msg("store_open: %s", e.msg);
	f->run = store_run_create(f->s, &o, &e);
	if (f->run <= 0)
		fail_msg("store_run_create: %s", e.msg);
	json_decref(items);
	json_decref(checklist);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[512];

	store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int act(struct fixture *f, const char *item, enum launch_action a, const char *reason, int64_t at,
	       struct launch_act_result *res, struct err *e)
{
	struct launch_act req = { .run_id = f->run, .item_id = item, .action = a, .actor = "ann", .reason = reason,
				  .via = "api", .reason_hint = "a reason" };

	return launch_act_item_at(f->s, &req, at, res, e);
}

static void test_names(void **state)
{
	(void)state;
	for (int a = LAUNCH_CONFIRM; a <= LAUNCH_REOPEN; a++)
		assert_int_equal(launch_action_parse(launch_action_name((enum launch_action)a)), a);
	assert_int_equal(launch_action_parse("approve"), -1);
	assert_int_equal(launch_action_parse(NULL), -1);
}

/* The codes the server turns into 404, 400 and 409. */
static void test_codes(void **state)
{
	struct fixture *f = *state;
	struct launch_act_result res;
	struct err e = { { 0 } };
	struct launch_act req = { .run_id = 999, .item_id = "free", .action = LAUNCH_CONFIRM, .actor = "ann" };

	assert_int_equal(launch_act_item_at(f->s, &req, T0, &res, &e), -PF_ELAUNCH_NOTFOUND);
	assert_non_null(strstr(e.msg, "no run 999"));
	assert_int_equal(act(f, "fre", LAUNCH_CONFIRM, NULL, T0, &res, &e), -PF_ELAUNCH_NOTFOUND);
	assert_non_null(strstr(e.msg, "has no item 'fre'; its items: free"));   /* the closest first */
	assert_int_equal(act(f, "free", LAUNCH_SKIP, NULL, T0, &res, &e), -PF_ELAUNCH_INVALID);
	assert_string_equal(e.msg, "skip needs a reason: why the item is not done");
	assert_int_equal(act(f, "free", LAUNCH_CONFIRM, "bad\001byte", T0, &res, &e), -PF_ELAUNCH_INVALID);
	assert_int_equal(act(f, "free", LAUNCH_REOPEN, NULL, T0, &res, &e), -PF_ELAUNCH_REFUSED);
	assert_non_null(strstr(e.msg, "is already pending"));
	req.run_id = f->run;
	req.actor = NULL;
	assert_int_equal(launch_act_item_at(f->s, &req, T0, &res, &e), -PF_ELAUNCH_INVALID);
	/* nothing of it was written */
	assert_int_equal(store_last_seq(f->s, &e), 1);
}

static void test_transitions_and_record(void **state)
{
	struct fixture *f = *state;
	struct launch_act_result res;
	struct err e = { { 0 } };
	struct event *evs = NULL;
	size_t n = 0;

	assert_int_equal(act(f, "free", LAUNCH_CONFIRM, NULL, T0 + MIN, &res, &e), 0);
	assert_int_equal(res.from, ITEM_PENDING);
	assert_int_equal(res.to, ITEM_PASS);
	assert_int_equal(act(f, "free", LAUNCH_SKIP, "no", T0 + MIN, &res, &e), -PF_ELAUNCH_REFUSED);
	assert_non_null(strstr(e.msg, "already pass (by ann); reopen it first"));
	assert_int_equal(act(f, "free", LAUNCH_REOPEN, NULL, T0 + MIN, &res, &e), 0);
	/* past its due: a delay reason is needed, in the caller's words */
	assert_int_equal(act(f, "late", LAUNCH_CONFIRM, NULL, T0 + 70 * MIN, &res, &e), -PF_ELAUNCH_INVALID);
	assert_non_null(strstr(e.msg, "(1h 0m ago); confirming it now needs a reason, the reason for the delay"));
	assert_int_equal(act(f, "late", LAUNCH_FAIL, "disk full", T0 + 70 * MIN, &res, &e), 0);
	assert_true(res.followup_id > 0);
	assert_int_equal(store_events(f->s, f->run, "late", 0, 0, &evs, &n, &e), 0);
	assert_true(n >= 2);
	assert_string_equal(evs[0].kind, EV_ITEM_FAIL);
	assert_string_equal(evs[0].actor, "ann");
	assert_string_equal(json_string_value(json_object_get(evs[0].data, "via")), "api");
	assert_int_equal(json_integer_value(json_object_get(evs[0].data, "late_ms")), 60 * MIN);
	for (size_t i = 0; i < n; i++)
		event_release(&evs[i]);
	free(evs);

	/* the follow-up closes once, with its RCA */
	assert_int_equal(launch_close_followup(f->s, res.followup_id, NULL, "ann", "board", T0 + 80 * MIN, &e),
			 -PF_ELAUNCH_INVALID);
	assert_true(launch_close_followup(f->s, res.followup_id, "the disk", "ann", "board", T0 + 80 * MIN, &e) > 0);
	assert_int_equal(launch_close_followup(f->s, res.followup_id, "again", "ann", "board", T0 + 90 * MIN, &e),
			 -PF_ELAUNCH_REFUSED);
	assert_int_equal(launch_close_followup(f->s, 424242, "x", "ann", NULL, T0, &e), -PF_ELAUNCH_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitions_and_record, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
