/* launch_report: every rendering of a run (tty, json, markdown, junit,
 * html) and of the runs list, on run views built by hand: one with every
 * status, overdue items and follow-ups (compared with golden files in
 * tests/golden/launch, UPDATE_GOLDEN=1 rewrites them), an empty run, and
 * one whose every outside string is hostile (HTML, Markdown pipes,
 * control characters, ANSI escapes). Output is checked the way its
 * readers read it: JSON parsed back, XML and HTML through xmllint, tty
 * for bytes a terminal obeys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/launch_report.h"

/* 2026-11-26T10:00:00Z, in ms */
#define T0 1795687200000LL
#define MIN (60 * 1000LL)
#define S(x) ((char *)(x))

static const struct launch_render_opts plain = { false, 0, "test" };

/* --- fixtures -------------------------------------------------------------- */

struct fixture {
	struct run_view v;
	struct item_view items[6];
	struct followup_view fus[2];
};

static void count(struct run_view *v)
{
	memset(v->count, 0, sizeof(v->count));
	v->n_overdue = 0;
	for (size_t i = 0; i < v->n_items; i++) {
		v->count[v->items[i].status]++;
		v->n_overdue += v->items[i].overdue;
	}
}

/* A run three hours old: every status, two items overdue, an overdue
 * follow-up and a closed one. */
static void full_run(struct fixture *fx)
{
	struct item_view *it = fx->items;

	memset(fx, 0, sizeof(*fx));
	fx->v = (struct run_view){ .id = 7, .name = S("Big sale 11.11"), .source = S("launch/1111.yaml"),
				   .env = S("prod"), .owner = S("alice"), .opened_by = S("alice"),
				   .host = S("ops-1"), .parent_ticket = S("LAUNCH-42"), .opened_ms = T0,
				   .now_ms = T0 + 180 * MIN, .last_seq = 31, .items = fx->items, .n_items = 6,
				   .followups = fx->fus, .n_followups = 2 };
	it[0] = (struct item_view){ .id = S("ORD-CHK-001"), .title = S("Order service health endpoint"),
				    .owner = S("bob"), .module = S("order"), .env = S("prod"), .severity = S("P0"),
				    .verify_kind = S("http"), .due_ms = T0 + 30 * MIN, .status = ITEM_PASS,
				    .status_seq = 3, .status_ms = T0 + 5 * MIN, .executor = S("preflight"),
				    .note = S("200 OK in 142ms"), .duration_ms = 142, .closed_ms = T0 + 5 * MIN,
				    .evidence = json_pack("{s:i,s:s}", "status", 200, "url", "http://127.0.0.1:8080/healthz") };
	it[1] = (struct item_view){ .id = S("ORD-CHK-002"), .title = S("Database failover drill"), .owner = S("carol"),
				    .module = S("order"), .env = S("prod"), .severity = S("P0"),
				    .verify_kind = S("manual"), .planned_change = S("DEP-1200"), .due_ms = T0 + 60 * MIN,
				    .status = ITEM_FAIL, .status_seq = 9, .status_ms = T0 + 40 * MIN,
				    .executor = S("carol"), .note = S("replica lag 45s after the switch"),
				    .change_id = S("DEP-1234"), .duration_ms = -1, .overdue = true };
	it[2] = (struct item_view){ .id = S("PAY-CHK-001"), .title = S("Payment gateway TLS"), .owner = S("dave"),
				    .module = S("payment"), .env = S("prod"), .severity = S("P1"), .verify_kind = S("check"),
				    .due_ms = T0 + 30 * MIN, .status = ITEM_SKIP, .status_seq = 12,
				    .status_ms = T0 + 65 * MIN, .executor = S("dave"),
				    .note = S("certificate rotated yesterday, see DEP-99"),
				    .skip_reason = S("certificate rotated yesterday, see DEP-99"),
				    .delay_reason = S("waited for the vendor's window"), .duration_ms = -1,
				    .closed_ms = T0 + 65 * MIN };
	it[3] = (struct item_view){ .id = S("PAY-CHK-002"), .title = S("Refund queue drained"), .owner = S("dave"),
				    .module = S("payment"), .env = S("staging"), .severity = S("P2"), .verify_kind = S("promql"),
				    .due_ms = T0 + 100 * MIN, .status = ITEM_PENDING, .duration_ms = -1, .overdue = true };
	it[4] = (struct item_view){ .id = S("INV-CHK-001"), .title = S("Inventory cache warm"), .owner = S("erin"),
				    .module = S("inventory"), .env = S("prod"), .verify_kind = S("exec"),
				    .due_ms = T0 + 240 * MIN, .status = ITEM_RUNNING, .status_seq = 30,
				    .status_ms = T0 + 179 * MIN, .executor = S("preflight"), .duration_ms = -1 };
	it[5] = (struct item_view){ .id = S("OPS-CHK-001"), .title = S("War room staffed"), .verify_kind = S("manual"),
				    .status = ITEM_PENDING, .duration_ms = -1 };
	fx->fus[0] = (struct followup_view){ .id = 1, .run_id = 7, .item_id = S("ORD-CHK-002"), .owner = S("carol"),
					     .opened_ms = T0 + 40 * MIN, .rca_due_ms = T0 + 160 * MIN,
					     .summary = S("replica lag 45s after the switch"), .ticket = S("OPS-77"),
					     .overdue = true };
	fx->fus[1] = (struct followup_view){ .id = 2, .run_id = 7, .item_id = S("PAY-CHK-001"), .owner = S("dave"),
					     .opened_ms = T0 + 20 * MIN, .rca_due_ms = T0 + 140 * MIN,
					     .summary = S("probe timed out"), .closed = true, .closed_ms = T0 + 70 * MIN,
					     .closed_by = S("dave"), .rca = S("the probe used the old VIP") };
	count(&fx->v);
}

/* Everything a person or a checklist can type, at its worst. */
#define HOSTILE "<script>alert(1)</script> a|b & \"c\" 'd'\x01\x1b[31mred\x1b]0;pwned\x07 \xc2\x9b" "2J\n| x | y |\xff"

static void hostile_run(struct fixture *fx)
{
	full_run(fx);
	fx->v.name = S(HOSTILE);
	fx->v.owner = S(HOSTILE);
	fx->v.source = S("`" HOSTILE "`");
	for (size_t i = 0; i < fx->v.n_items; i++) {
		struct item_view *it = &fx->items[i];

		it->title = S(HOSTILE);
		it->note = S(HOSTILE);
		it->owner = S(HOSTILE);
		it->module = S(HOSTILE);
		it->executor = S(HOSTILE);
	}
	fx->items[0].id = S("X|`<b>`\x1b[2J");
	fx->items[2].skip_reason = S("<img src=x onerror=alert(1)>" HOSTILE);
	fx->items[2].delay_reason = S(HOSTILE);
	fx->fus[0].summary = S(HOSTILE);
	fx->fus[1].rca = S(HOSTILE);
}

static void fixture_release(struct fixture *fx)
{
	for (size_t i = 0; i < 6; i++)
		json_decref(fx->items[i].evidence);
}

static int setup(void **state)
{
	struct fixture *fx = malloc(sizeof(*fx));

	if (!fx)
		return -1;
	full_run(fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture_release(*state);
	free(*state);
	return 0;
}

/* --- helpers --------------------------------------------------------------- */

static char *render(const struct run_view *v, const struct launch_filter *f, const char *format,
		    const struct launch_render_opts *o)
{
	char *p = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&p, &n);

	assert_non_null(m);
	assert_int_equal(launch_render_with(m, v, f, format, o), 0);
	assert_int_equal(fclose(m), 0);
	return p;
}

static char *render_runs(const struct run_summary *r, size_t n_runs, const char *format)
{
	char *p = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&p, &n);

	assert_non_null(m);
	assert_int_equal(launch_render_runs_with(m, r, n_runs, format, &plain), 0);
	assert_int_equal(fclose(m), 0);
	return p;
}

/* Compares text with tests/golden/launch/NAME; UPDATE_GOLDEN=1 rewrites it
 * (docs/testing.md). */
static void golden(const char *name, const char *text)
{
	const char *fx = getenv("FIXTURES"), *update = getenv("UPDATE_GOLDEN");
	char path[4096];
	char *want;
	size_t n;
	FILE *f;

	assert_non_null(fx);
	snprintf(path, sizeof(path), "%s/../golden/launch/%s", fx, name);
	if (update && !strcmp(update, "1")) {
		f = fopen(path, "we");
		assert_non_null(f);
		assert_true(fputs(text, f) >= 0);
		assert_int_equal(fclose(f), 0);
	}
	f = fopen(path, "re");
	if (!f)
		fail_msg("no golden file '%s' (UPDATE_GOLDEN=1 writes it)", path);
	want = malloc(1u << 18);
	assert_non_null(want);
	n = fread(want, 1, (1u << 18) - 1, f);
	want[n] = '\0';
	fclose(f);
	if (strcmp(want, text))
		fail_msg("'%s' differs:\n--- want\n%s--- got\n%s", path, want, text);
	free(want);
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Writes s to a temporary file and runs the shell command cmd with $F
 * the file's name; returns its exit status. */
static int run_on(const char *cmd, const char *s)
{
	char path[] = "/tmp/preflight-test-launch-XXXXXX";
	char line[1024];
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_true(fputs(s, f) >= 0);
	assert_int_equal(fclose(f), 0);
	snprintf(line, sizeof(line), "F=%s; %s", path, cmd);
	rc = system(line);
	unlink(path);
	return rc;
}

/* An HTML page both parsers accept: well-formed XML, and HTML for
 * libxml2's parser with no error other than the HTML5 elements (section,
 * svg, ...) its HTML 4 tables do not know. */
static void assert_html_parses(const char *html)
{
	if (!have_tool("xmllint")) {
		print_message("xmllint not installed: HTML not parsed\n");
		return;
	}
	assert_int_equal(run_on("xmllint --noout \"$F\"", html), 0);
	assert_int_equal(run_on("xmllint --html --noout \"$F\" 2>&1 | grep -v 'Tag [a-zA-Z]* invalid' | "
				"grep -q 'error' && exit 1; xmllint --html --noout \"$F\" 2>/dev/null", html), 0);
}

/* Nothing a terminal would obey: no C0 control but newline, no DEL, and
 * unless c1_ok no C1 (U+0080..U+009F as UTF-8). JSON may carry C1 as
 * characters (jansson escapes only C0; a JSON reader gets the text). */
static void assert_terminal_safe_c1(const char *s, bool c1_ok)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			continue;
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x at offset %zu", *p, (size_t)(p - (const unsigned char *)s));
		if (!c1_ok && *p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fail_msg("C1 control at offset %zu", (size_t)(p - (const unsigned char *)s));
	}
}

static void assert_terminal_safe(const char *s)
{
	assert_terminal_safe_c1(s, false);
}

/* No needle in s, except (code_ok) inside a Markdown code span, which
 * shows it literally: a backtick earlier on its line. */
static void assert_no_markup(const char *s, const char *needle, bool code_ok)
{
	for (const char *m = s; (m = strstr(m, needle)); m++) {
		const char *bol = m;

		while (bol > s && bol[-1] != '\n')
			bol--;
		if (!code_ok || !memchr(bol, '`', (size_t)(m - bol)))
			fail_msg("markup outside a code span: %.60s", m);
	}
}

/* --- the full run, in every format ----------------------------------------- */

static void test_golden_formats(void **state)
{
	struct fixture *fx = *state;
	static const char *const formats[] = { "tty", "json", "markdown", "junit", "html" };
	static const char *const files[] = { "run.tty", "run.json", "run.md", "run.junit.xml", "run.html" };

	for (size_t i = 0; i < 5; i++) {
		char *s = render(&fx->v, NULL, formats[i], &plain);

		golden(files[i], s);
		free(s);
	}
}

static void test_json_contract(void **state)
{
	struct fixture *fx = *state;
	char *s = render(&fx->v, NULL, "json", &plain);
	json_error_t jerr;
	json_t *doc = json_loads(s, 0, &jerr), *items, *it, *sum;

	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "preflight_version")), "test");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "run"), "id")), 7);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "run"), "opened_at")),
			    "2026-11-26T10:00:00Z");
	sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "items")), 6);
	assert_int_equal(json_integer_value(json_object_get(sum, "pending")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "fail")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "overdue")), 2);
	items = json_object_get(doc, "items");
	assert_int_equal(json_array_size(items), 6);
	/* every item has every documented key, in order */
	{
		static const char *const keys[] = { "id", "title", "owner", "module", "env", "severity", "verify",
						    "due", "status", "status_at", "executor", "elapsed_ms", "note",
						    "change", "planned_change", "skip_reason", "delay_reason", "overdue",
						    "overdue_ms", "evidence", "closed_at", "time_to_close_ms", "cycle" };
		size_t k = 0;
		const char *key;
		json_t *val;

		json_object_foreach(json_array_get(items, 5), key, val) {
			assert_true(k < sizeof(keys) / sizeof(keys[0]));
			assert_string_equal(key, keys[k++]);
		}
		assert_int_equal(k, sizeof(keys) / sizeof(keys[0]));
	}
	it = json_array_get(items, 1);   /* ORD-CHK-002: failed, overdue by 2h, a new change ticket */
	assert_string_equal(json_string_value(json_object_get(it, "status")), "fail");
	assert_true(json_is_true(json_object_get(it, "overdue")));
	assert_int_equal(json_integer_value(json_object_get(it, "overdue_ms")), 120 * MIN);
	assert_string_equal(json_string_value(json_object_get(it, "change")), "DEP-1234");
	assert_string_equal(json_string_value(json_object_get(it, "planned_change")), "DEP-1200");
	assert_true(json_is_null(json_object_get(it, "closed_at")));
	it = json_array_get(items, 0);
	assert_int_equal(json_integer_value(json_object_get(it, "elapsed_ms")), 142);
	assert_int_equal(json_integer_value(json_object_get(it, "time_to_close_ms")), 5 * MIN);
	assert_string_equal(json_string_value(json_object_get(it, "closed_at")), "2026-11-26T10:05:00Z");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(it, "evidence"), "status")), 200);
	it = json_array_get(items, 5);   /* pending since open: no executor, no due */
	assert_true(json_is_null(json_object_get(it, "executor")));
	assert_true(json_is_null(json_object_get(it, "due")));
	assert_true(json_is_null(json_object_get(it, "elapsed_ms")));
	assert_int_equal(json_array_size(json_object_get(doc, "followups")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "followups"), 1),
							       "status")),
			    "closed");
	json_decref(doc);
	free(s);
}

static void test_junit_statuses(void **state)
{
	struct fixture *fx = *state;
	char *s = render(&fx->v, NULL, "junit", &plain);

	/* fail, and the three unfinished items, are failures; the skip is skipped with its reason */
	assert_non_null(strstr(s, "tests=\"6\" failures=\"4\" errors=\"0\" skipped=\"1\""));
	assert_non_null(strstr(s, "<failure type=\"fail\" message=\"replica lag 45s after the switch\"/>"));
	assert_non_null(strstr(s, "<failure type=\"pending\" message=\"pending at report time, overdue 1h20m"));
	assert_non_null(strstr(s, "<failure type=\"running\""));
	assert_non_null(strstr(s, "<skipped message=\"certificate rotated yesterday, see DEP-99\"/>"));
	assert_non_null(strstr(s, "classname=\"payment\""));
	if (have_tool("xmllint"))
		assert_int_equal(run_on("xmllint --noout \"$F\"", s), 0);
	free(s);
}

static void test_html(void **state)
{
	struct fixture *fx = *state;
	char *s = render(&fx->v, NULL, "html", &plain);

	assert_html_parses(s);
	/* self-contained: nothing fetched, nothing run */
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "<link"));
	assert_null(strstr(s, "src="));
	assert_null(strstr(s, "url("));
	assert_null(strstr(s, "@import"));
	/* the four charts, and the overdue one ordered by lateness */
	assert_non_null(strstr(s, "<h2>Status by module</h2>\n<div class=\"scroll\">\n<svg"));
	assert_non_null(strstr(s, "<h2>Status by environment</h2>\n<div class=\"scroll\">\n<svg"));
	assert_non_null(strstr(s, "<h2>Time to close</h2>\n<div class=\"scroll\">\n<svg"));
	assert_non_null(strstr(s, "<h2>Overdue items</h2>\n<div class=\"scroll\">\n<svg"));
	assert_true(strstr(s, "ORD-CHK-002: overdue 2h") < strstr(s, "PAY-CHK-002: overdue 1h20m"));
	assert_non_null(strstr(s, "@media print"));
	assert_non_null(strstr(s, "name=\"viewport\""));
	free(s);
}

static void test_tty(void **state)
{
	struct fixture *fx = *state;
	struct launch_render_opts color = { true, 0, "test" }, narrow = { false, 80, "test" };
	char *s = render(&fx->v, NULL, "tty", &color), *line, *nl;

	/* colour when asked: the failed status in bold red, the overdue time in red */
	assert_non_null(strstr(s, "\033[1;31mfail\033[0m"));
	assert_non_null(strstr(s, "\033[31moverdue 2h\033[0m"));
	free(s);
	s = render(&fx->v, NULL, "tty", &plain);
	assert_null(strchr(s, '\033'));
	assert_non_null(strstr(s, "overdue 1h20m"));
	assert_non_null(strstr(s, "6 items: 1 fail, 1 running, 2 pending, 1 skip, 1 pass; 2 overdue"));
	free(s);
	/* on a terminal of 80 columns every table line fits, the note cut with an ellipsis */
	s = render(&fx->v, NULL, "tty", &narrow);
	line = strstr(s, "\nID");
	assert_non_null(line);
	for (line++; (nl = strchr(line, '\n')) && nl != line; line = nl + 1) {
		size_t cols = 0;

		for (char *p = line; p < nl; p++)
			cols += ((unsigned char)*p & 0xC0) != 0x80;
		if (cols > 80)
			fail_msg("line of %zu columns: %.*s", cols, (int)(nl - line), line);
	}
	assert_non_null(strstr(s, "\xe2\x80\xa6"));
	free(s);
}

static void test_filter(void **state)
{
	struct fixture *fx = *state;
	struct launch_filter f = { .status = -1 };
	char *s;
	json_t *doc;

	assert_true(launch_filter_match(NULL, &fx->items[0]));
	assert_true(launch_filter_match(&f, &fx->items[0]));
	f.module = "payment";
	assert_false(launch_filter_match(&f, &fx->items[0]));
	assert_true(launch_filter_match(&f, &fx->items[2]));
	f.env = "staging";
	assert_false(launch_filter_match(&f, &fx->items[2]));
	assert_true(launch_filter_match(&f, &fx->items[3]));
	f = (struct launch_filter){ .owner = "dave", .status = ITEM_PENDING };
	assert_false(launch_filter_match(&f, &fx->items[2]));
	assert_true(launch_filter_match(&f, &fx->items[3]));
	f = (struct launch_filter){ .status = -1, .overdue_only = true };
	assert_true(launch_filter_match(&f, &fx->items[1]));
	assert_false(launch_filter_match(&f, &fx->items[2]));
	/* an item without a module never matches a module filter */
	f = (struct launch_filter){ .module = "order", .status = -1 };
	assert_false(launch_filter_match(&f, &fx->items[5]));

	/* the counts and follow-ups are those of the items shown */
	f = (struct launch_filter){ .module = "order", .status = -1 };
	s = render(&fx->v, &f, "json", &plain);
	doc = json_loads(s, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "items")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "items")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "pass")), 1);
	assert_true(json_is_true(json_object_get(json_object_get(doc, "summary"), "filtered")));
	assert_int_equal(json_array_size(json_object_get(doc, "followups")), 1);
	json_decref(doc);
	free(s);
	f = (struct launch_filter){ .owner = "nobody", .status = -1 };
	s = render(&fx->v, &f, "tty", &plain);
	assert_non_null(strstr(s, "no item matches"));
	free(s);
}

/* --- hostile text ----------------------------------------------------------- */

static void test_hostile(void **state)
{
	struct fixture *fx = *state;
	static const char *const formats[] = { "tty", "json", "markdown", "junit", "html" };
	struct launch_render_opts color = { true, 100, "test" };
	json_t *doc;

	fixture_release(fx);
	hostile_run(fx);
	for (size_t i = 0; i < 5; i++) {
		char *s = render(&fx->v, NULL, formats[i], &plain);

		assert_terminal_safe_c1(s, !strcmp(formats[i], "json"));
		/* markup stays text wherever a reader would render it (tty and JSON keep it as is;
		 * in Markdown a code span shows it literally) */
		if (strcmp(formats[i], "tty") && strcmp(formats[i], "json")) {
			assert_no_markup(s, "<script>", !strcmp(formats[i], "markdown"));
			assert_no_markup(s, "<img", !strcmp(formats[i], "markdown"));
		}
		if (!strcmp(formats[i], "json")) {
			/* JSON keeps the exact text (bytes that are not UTF-8 as U+FFFD) */
			doc = json_loads(s, 0, NULL);
			assert_non_null(doc);
			assert_non_null(strstr(json_string_value(json_object_get(json_array_get(json_object_get(doc,
													  "items"),
												   0),
										   "title")),
					       "<script>alert(1)</script> a|b"));
			json_decref(doc);
		} else if (!strcmp(formats[i], "markdown")) {
			/* a pipe cannot end a cell, a newline cannot end a row */
			assert_non_null(strstr(s, "a\\|b"));
			for (char *l = strstr(s, "| item id |"); l && *l == '|'; l = strchr(l, '\n') + 1) {
				size_t pipes = 0;

				for (char *p = l; *p != '\n'; p++)
					pipes += *p == '|' && (p == l || p[-1] != '\\');
				assert_int_equal(pipes, 7);
			}
		} else if (!strcmp(formats[i], "junit")) {
			if (have_tool("xmllint"))
				assert_int_equal(run_on("xmllint --noout \"$F\"", s), 0);
		} else if (!strcmp(formats[i], "html")) {
			assert_html_parses(s);
			assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
		} else {
			assert_non_null(strstr(s, "\\e[31mred\\e]0;pwned\\x07"));
		}
		free(s);
	}
	/* colour on: the only escape sequences are ours */
	{
		char *s = render(&fx->v, NULL, "tty", &color);

		assert_null(strstr(s, "\033]"));
		assert_null(strstr(s, "\033[2J"));
		assert_null(strstr(s, "\033[31mred"));
		free(s);
	}
}

/* --- an empty run ------------------------------------------------------------ */

static void test_empty_run(void **state)
{
	struct run_view v = { .id = 1, .name = S("empty"), .opened_ms = T0, .now_ms = T0 + MIN };
	static const char *const formats[] = { "tty", "json", "markdown", "junit", "html" };
	static const char *const files[] = { "empty.tty", "empty.json", "empty.md", "empty.junit.xml", "empty.html" };

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		char *s = render(&v, NULL, formats[i], &plain);

		golden(files[i], s);
		if (!strcmp(formats[i], "html"))
			assert_html_parses(s);
		free(s);
	}
}

static void test_unknown_format_and_write_error(void **state)
{
	struct fixture *fx = *state;
	FILE *f = fopen("/dev/full", "we");

	assert_false(launch_format_known("prom"));
	assert_true(launch_format_known("html"));
	assert_int_equal(launch_render_with(stdout, &fx->v, NULL, "prom", &plain), -EINVAL);
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(launch_render_with(f, &fx->v, NULL, "html", &plain), -EIO);
	fclose(f);
}

/* --- the runs list ------------------------------------------------------------ */

static void test_runs(void **state)
{
	struct run_summary runs[2] = {
		{ .id = 8, .name = S("Big sale 11.11 | rehearsal"), .env = S("staging"), .owner = S("alice"),
		  .opened_by = S("alice"), .opened_ms = T0 + 240 * MIN, .count = { 3, 1, 10, 0, 0 }, .n_items = 14,
		  .n_overdue = 1 },
		{ .id = 7, .name = S("Big sale 11.11"), .env = S("prod"), .owner = S("alice\x1b[2J"), .opened_by = S("bob"),
		  .opened_ms = T0, .closed_ms = T0 + 200 * MIN, .count = { 0, 0, 12, 1, 1 }, .n_items = 14 },
	};
	char *s;
	json_t *doc;

	(void)state;
	s = render_runs(runs, 2, "tty");
	assert_terminal_safe(s);
	golden("runs.tty", s);
	free(s);
	s = render_runs(runs, 2, "markdown");
	golden("runs.md", s);
	free(s);
	s = render_runs(runs, 2, "json");
	golden("runs.json", s);
	doc = json_loads(s, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "runs")), 2);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "closed_at")));
	json_decref(doc);
	free(s);
	s = render_runs(NULL, 0, "tty");
	assert_string_equal(s, "no runs\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test(test_empty_run),
		cmocka_unit_test_setup_teardown(test_unknown_format_and_write_error, setup, teardown),
		cmocka_unit_test(test_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
