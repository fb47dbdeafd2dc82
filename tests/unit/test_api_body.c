/* The API's pure parts (src/serve/api_body.c, facts run_view_reclock):
 * what a POST body may hold and the message when it may not, and a
 * cached run view moved to a later clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "serve/api.h"

static int parse(const char *body, const char *ct, enum api_body_kind kind, struct api_body *b, struct err *e)
{
	memset(e, 0, sizeof(*e));
	return api_body_parse(body, body ? strlen(body) : 0, ct, kind, b, e);
}

static void test_accepted(void **state)
{
	struct api_body b;
	struct err e;

	(void)state;
	assert_int_equal(parse("{\"reason\": \"db slow\", \"change\": \"DEP-1\"}", "application/json", API_BODY_ACT,
			       &b, &e), 0);
	assert_string_equal(b.reason, "db slow");
	assert_string_equal(b.change, "DEP-1");
	assert_null(b.rca);
	api_body_release(&b);
	/* null is absent; parameters and case in the type are fine */
	assert_int_equal(parse("{\"reason\": null}", "Application/JSON ; charset=utf-8", API_BODY_ACT, &b, &e), 0);
	assert_null(b.reason);
	api_body_release(&b);
	/* an empty body is an empty object, whatever the type */
	assert_int_equal(parse("", "text/plain", API_BODY_ACT, &b, &e), 0);
	assert_null(b.root);
	assert_int_equal(parse(NULL, NULL, API_BODY_CLOSE, &b, &e), 0);
	assert_int_equal(parse("{\"rca\": \"disk full\\nrotated logs\"}", "application/json", API_BODY_CLOSE, &b, &e),
			 0);
	assert_string_equal(b.rca, "disk full\nrotated logs");
	api_body_release(&b);
}

static void test_refused(void **state)
{
	struct api_body b;
	struct err e;

	(void)state;
	assert_int_equal(parse("{}", "text/plain", API_BODY_ACT, &b, &e), 415);
	assert_string_equal(e.msg, "the body must be application/json, not 'text/plain'");
	assert_int_equal(parse("{}", NULL, API_BODY_ACT, &b, &e), 415);
	assert_int_equal(parse("{}", "application/jsonx", API_BODY_ACT, &b, &e), 415);
	assert_int_equal(parse("{\"reason\": \"x\",\n \"change\": }", "application/json", API_BODY_ACT, &b, &e), 400);
	assert_non_null(strstr(e.msg, "malformed JSON at line 2, column"));
	assert_int_equal(parse("[\"reason\"]", "application/json", API_BODY_ACT, &b, &e), 400);
	assert_string_equal(e.msg, "the body must be a JSON object");
	assert_int_equal(parse("{\"by\": \"mallory\"}", "application/json", API_BODY_ACT, &b, &e), 400);
	assert_string_equal(e.msg, "unknown field 'by'; this call takes reason, change");
	assert_int_equal(parse("{\"reason\": \"x\"}", "application/json", API_BODY_CLOSE, &b, &e), 400);
	assert_string_equal(e.msg, "unknown field 'reason'; this call takes rca");
	assert_int_equal(parse("{\"reason\": 5}", "application/json", API_BODY_ACT, &b, &e), 400);
	assert_string_equal(e.msg, "field 'reason' must be a string");
	assert_int_equal(parse("{\"reason\": \"a\", \"reason\": \"b\"}", "application/json", API_BODY_ACT, &b, &e),
			 400);
	assert_int_equal(parse("{\"reason\": \"a\\u0000b\"}", "application/json", API_BODY_ACT, &b, &e), 400);
	/* not UTF-8: jansson refuses it; the message stays printable */
	assert_int_equal(parse("{\"reason\": \"\xff\"}", "application/json", API_BODY_ACT, &b, &e), 400);
	for (const char *p = e.msg; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_null(b.root);
}

static void test_reclock(void **state)
{
	struct item_view items[3] = {
		{ .status = ITEM_PENDING, .due_ms = 1000 },
		{ .status = ITEM_PASS, .due_ms = 1000 },
		{ .status = ITEM_FAIL, .due_ms = 0 },
	};
	struct followup_view fus[2] = { { .rca_due_ms = 1500 }, { .rca_due_ms = 1500, .closed = true } };
	struct run_view v = { .items = items, .n_items = 3, .followups = fus, .n_followups = 2, .now_ms = 500 };

	(void)state;
	run_view_reclock(&v, 1200);
	assert_int_equal(v.now_ms, 1200);
	assert_true(items[0].overdue);
	assert_false(items[1].overdue);   /* closed */
	assert_false(items[2].overdue);   /* no due time */
	assert_int_equal(v.n_overdue, 1);
	assert_false(fus[0].overdue);
	run_view_reclock(&v, 2000);
	assert_true(fus[0].overdue);
	assert_false(fus[1].overdue);
	run_view_reclock(&v, 900);
	assert_int_equal(v.n_overdue, 0);
	assert_false(items[0].overdue);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_reclock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
