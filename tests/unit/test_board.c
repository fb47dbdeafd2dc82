/* board: the pages of `preflight serve` rendered without a server, on run
 * views built by hand (board.h): what a person sees (status as word and
 * symbol, "overdue by", filters kept in the form, a refusal next to its
 * item), what the Content-Security-Policy needs (no inline script or
 * style), outside text escaped, and the back-path parser of the forms. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/board.h"
#include "serve/board_assets.h"

#define T0 1795687200000LL /* 2026-11-26T10:00:00Z */
#define MIN (60 * 1000LL)
#define S(x) ((char *)(x))

struct fixture {
	struct run_view v;
	struct item_view items[3];
	struct followup_view fus[1];
};

static void make_run(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->v = (struct run_view){ .id = 3, .name = S("shop <b>launch</b>"), .source = S("shop.yaml"), .env = S("prod"),
				   .owner = S("alice"), .opened_by = S("alice"), .host = S("ops-1"), .opened_ms = T0,
				   .now_ms = T0 + 125 * MIN, .items = fx->items, .n_items = 3, .followups = fx->fus,
				   .n_followups = 1 };
	fx->items[0] = (struct item_view){ .id = S("pay-1"), .title = S("<script>alert(1)</script>"), .owner = S("bob"),
					   .module = S("payment"), .env = S("prod"), .due_ms = T0 + 60 * MIN,
					   .status = ITEM_PENDING, .duration_ms = -1, .overdue = true };
	fx->items[1] = (struct item_view){ .id = S("ord-1"), .title = S("orders \"flow\""), .owner = S("carol"),
					   .module = S("order"), .env = S("prod"), .due_ms = T0 + 200 * MIN,
					   .status = ITEM_PASS, .status_seq = 5, .executor = S("carol"),
					   .duration_ms = -1, .closed_ms = T0 + 10 * MIN };
	fx->items[2] = (struct item_view){ .id = S("ord-2"), .title = S("refunds"), .owner = S("bob"),
					   .module = S("order"), .env = S("prod"), .due_ms = T0 + 200 * MIN, .status = ITEM_FAIL, .status_seq = 6,
					   .executor = S("bob"), .note = S("answered 500"), .duration_ms = -1 };
	fx->fus[0] = (struct followup_view){ .id = 1, .run_id = 3, .item_id = S("ord-2"), .owner = S("bob"),
					     .rca_due_ms = T0 + 48 * 60 * MIN, .summary = S("answered 500"),
					     .ticket = S("OPS-7") };
	fx->v.count[ITEM_PENDING] = fx->v.count[ITEM_PASS] = fx->v.count[ITEM_FAIL] = 1;
	fx->v.n_overdue = 1;
}

typedef int (*writer)(FILE *out, void *arg);

/* What fn writes, into the caller's buffer (freed by the caller). */
struct page {
	char *html;
	size_t len;
};

static char *capture_into(struct page *p, writer fn, void *arg)
{
	FILE *f = open_memstream(&p->html, &p->len);

	assert_non_null(f);
	assert_int_equal(fn(f, arg), 0);
	assert_int_equal(fclose(f), 0);
	return p->html;
}

#define capture(fn, arg) capture_into(&(struct page){ NULL, 0 }, fn, arg)

struct run_args {
	struct fixture *fx;
	const struct board_ctx *c;
	const struct board_filter *f;
	const struct board_alert *a;
	bool fragment;
};

static int write_run(FILE *out, void *arg)
{
	struct run_args *a = arg;

	return board_page_run(out, a->c, &a->fx->v, a->f, a->a, a->fragment);
}

static const struct board_ctx ctx = { "ann", "CSRF123", T0 };

/* What the Content-Security-Policy would block, and raw outside text. */
static void assert_csp_clean(const char *html)
{
	const char *p = html;

	assert_null(strstr(html, " style="));
	assert_null(strstr(html, "<style"));
	assert_null(strstr(html, " onclick="));
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "javascript:"));
	while ((p = strstr(p, "<script"))) {
		assert_true(strncmp(p, "<script defer=\"defer\" src=\"/assets/board.js?v=", 46) == 0);
		p++;
	}
}

static void test_run_page(void **state)
{
	struct fixture fx;
	struct run_args a = { &fx, &ctx, NULL, NULL, false };
	char *html;

	(void)state;
	make_run(&fx);
	html = capture(write_run, &a);
	assert_csp_clean(html);
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "shop &lt;b&gt;launch&lt;/b&gt;"));
	/* status as a word and a symbol, never colour alone */
	assert_non_null(strstr(html, "<span class=\"badge st-pending\">\xe2\x97\x8b pending</span>"));
	assert_non_null(strstr(html, "overdue by 1h 5m"));
	assert_non_null(strstr(html, "1h 15m left"));
	/* each item's form: csrf, back, reason and its actions */
	assert_non_null(strstr(html, "name=\"csrf\" value=\"CSRF123\""));
	assert_non_null(strstr(html, "formaction=\"/runs/3/items/pay-1/skip\""));
	assert_null(strstr(html, "formaction=\"/runs/3/items/ord-1/confirm\""));   /* already pass */
	assert_non_null(strstr(html, "formaction=\"/runs/3/items/ord-1/reopen\""));
	assert_non_null(strstr(html, "action=\"/followups/1/close\""));
	assert_non_null(strstr(html, "OPS-7"));
	assert_non_null(strstr(html, "<svg class=\"chart\""));
	assert_non_null(strstr(html, "<div id=\"live\" data-run=\"3\">"));
	assert_non_null(strstr(html, "signed in as <b>ann</b>"));
	free(html);
}

static int write_url(FILE *out, void *arg)
{
	board_run_url(out, 3, arg);
	return 0;
}

static void test_filter_and_alert(void **state)
{
	struct fixture fx;
	struct board_filter f = { .module = "order", .owner = "b&b" };
	struct board_alert al = { "ord-2", 0, "skip needs a reason: why the item is not done" };
	struct run_args a = { &fx, &ctx, &f, &al, false };
	char *html;

	(void)state;
	make_run(&fx);
	f.owner = NULL;
	html = capture(write_run, &a);
	assert_null(strstr(html, "pay-1"));
	assert_non_null(strstr(html, "ord-2"));
	assert_non_null(strstr(html, "<option value=\"order\" selected=\"selected\">order</option>"));
	assert_non_null(strstr(html, "name=\"back\" value=\"/runs/3?module=order\""));
	assert_non_null(strstr(html, "<div class=\"alert\" role=\"alert\">skip needs a reason: why the item is not done</div>"));
	free(html);

	/* a value with & or a space in the URL is encoded in the page's URL */
	f.owner = "b&b c";
	f.overdue = true;
	html = capture(write_url, &f);
	assert_string_equal(html, "/runs/3?module=order&owner=b%26b%20c&overdue=1");
	free(html);
}

static void test_fragment(void **state)
{
	struct fixture fx;
	struct run_args a = { &fx, &ctx, NULL, NULL, true };
	char *html;

	(void)state;
	make_run(&fx);
	html = capture(write_run, &a);
	assert_null(strstr(html, "<html"));
	assert_null(strstr(html, "id=\"live\""));
	assert_non_null(strstr(html, "data-key=\"item-pay-1\""));
	free(html);
}

static void test_anonymous_has_no_forms(void **state)
{
	struct fixture fx;
	struct board_ctx anon = { NULL, NULL, T0 };
	struct run_args a = { &fx, &anon, NULL, NULL, false };
	char *html;

	(void)state;
	make_run(&fx);
	html = capture(write_run, &a);
	assert_null(strstr(html, "method=\"post\""));
	assert_non_null(strstr(html, "href=\"/login\""));
	free(html);
}

struct item_args {
	struct fixture *fx;
	struct event *ev;
	size_t n;
	bool fragment;
};

static int write_item(FILE *out, void *arg)
{
	struct item_args *a = arg;

	return board_page_item(out, &ctx, &a->fx->v, &a->fx->items[2], a->ev, a->n, NULL, a->fragment);
}

static void test_item_history(void **state)
{
	struct fixture fx;
	struct event ev[2] = {
		{ .seq = 1, .at_ms = T0, .run_id = 3, .kind = S("run.open"), .status = -1, .actor = S("alice"),
		  .host = S("ops-1"), .data = json_object() },
		{ .seq = 6, .at_ms = T0 + MIN, .run_id = 3, .item_id = S("ord-2"), .kind = S("item.fail"), .status = ITEM_FAIL,
		  .actor = S("bob"), .host = S("h<1>"), .reason = S("answered 500"), .data = json_pack("{s:s}", "via", "board") },
	};
	struct item_args a = { &fx, ev, 2, false };
	char *html, *first, *second;

	(void)state;
	make_run(&fx);
	html = capture(write_item, &a);
	assert_csp_clean(html);
	first = strstr(html, "<tr data-seq=\"1\">");
	second = strstr(html, "<tr data-seq=\"6\">");
	assert_non_null(first);
	assert_non_null(second);
	assert_true(first < second);   /* newest last */
	assert_non_null(strstr(second, "<td data-label=\"via\">board</td>"));
	assert_non_null(strstr(second, "h&lt;1&gt;"));
	free(html);
	a.fragment = true;   /* what a live update swaps: the status and the history, no frame */
	html = capture(write_item, &a);
	assert_null(strstr(html, "<html"));
	assert_null(strstr(html, "id=\"live\""));
	assert_non_null(strstr(html, "<tr data-seq=\"6\">"));
	json_decref(ev[0].data);
	json_decref(ev[1].data);
	free(html);
}

static int write_login(FILE *out, void *arg)
{
	(void)arg;
	return board_page_login(out, "//evil.example/", "token");
}

static void test_login(void **state)
{
	char *html;

	(void)state;
	html = capture(write_login, NULL);
	assert_csp_clean(html);
	assert_non_null(strstr(html, "wrong token"));
	assert_non_null(strstr(html, "name=\"next\" value=\"/\""));   /* not another site */
	assert_non_null(strstr(html, "action=\"/login\""));
	free(html);
}

static void test_span_and_paths(void **state)
{
	char buf[48];

	(void)state;
	board_span(65 * MIN, buf, sizeof(buf));
	assert_string_equal(buf, "1h 5m");
	board_span(60 * MIN, buf, sizeof(buf));
	assert_string_equal(buf, "1h");
	board_span(26 * 60 * MIN + 7 * MIN, buf, sizeof(buf));
	assert_string_equal(buf, "1d 2h");
	board_span(42000, buf, sizeof(buf));
	assert_string_equal(buf, "42s");
	board_span(-5, buf, sizeof(buf));
	assert_string_equal(buf, "0s");

	assert_true(board_local_path("/runs/3?module=a"));
	assert_false(board_local_path("//evil.example/"));
	assert_false(board_local_path("/\\evil.example/"));
	assert_false(board_local_path("https://evil.example/"));
	assert_false(board_local_path("/runs/3\r\nSet-Cookie: x"));
	assert_false(board_local_path(""));
	assert_false(board_local_path(NULL));
}

static void test_back_parse(void **state)
{
	struct board_back b;

	(void)state;
	assert_int_equal(board_back_parse("/runs/3?module=pay+ment&owner=b%26b&overdue=1&x", &b), 0);
	assert_int_equal(b.page, BACK_RUN);
	assert_int_equal(b.run_id, 3);
	assert_string_equal(b.filter.module, "pay ment");
	assert_string_equal(b.filter.owner, "b&b");
	assert_true(b.filter.overdue);
	assert_null(b.filter.env);
	board_back_release(&b);

	assert_int_equal(board_back_parse("/runs/12/items/a%2Fb", &b), 0);
	assert_int_equal(b.page, BACK_ITEM);
	assert_int_equal(b.run_id, 12);
	assert_string_equal(b.item_id, "a/b");
	board_back_release(&b);

	assert_int_equal(board_back_parse("/followups?run=4", &b), 0);
	assert_int_equal(b.page, BACK_FOLLOWUPS);
	assert_int_equal(b.run_id, 4);
	board_back_release(&b);

	static const char *const other[] = { "/runs/0", "/runs/-1", "/runs/x", "/runs/3/items/", "/runs/3/items/a/b",
					     "//x", "/runs/99999999999999999999", "/elsewhere", "/runs/3/items/%zz/x" };
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_int_equal(board_back_parse(other[i], &b), 0);
		assert_int_equal(b.page, BACK_OTHER);
		board_back_release(&b);
	}
}

static void test_assets(void **state)
{
	const struct board_asset *a;

	(void)state;
	assert_non_null(a = board_asset_find("board.css"));
	assert_string_equal(a->content_type, "text/css; charset=utf-8");
	assert_true(a->len > 100);
	assert_int_equal(strlen(a->version), 16);
	assert_non_null(a = board_asset_find("board.js"));
	assert_non_null(memmem(a->data, a->len, "EventSource", 11));
	assert_non_null(board_asset_find("favicon.svg"));
	assert_null(board_asset_find("../board.css"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_page),     cmocka_unit_test(test_filter_and_alert),
		cmocka_unit_test(test_fragment),     cmocka_unit_test(test_anonymous_has_no_forms),
		cmocka_unit_test(test_item_history), cmocka_unit_test(test_login),
		cmocka_unit_test(test_span_and_paths), cmocka_unit_test(test_back_parse),
		cmocka_unit_test(test_assets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
