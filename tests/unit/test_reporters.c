/* reporters: tty, json, junit, markdown and prom on a hand-made report
 * holding every status, with hostile strings where outside input can
 * reach. The output is checked the way its consumers read it: JSON parsed
 * back, XML through xmllint, Prometheus text against the exposition
 * grammar and promtool (when installed), tty for bytes a terminal obeys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "base/utf8.h"

/* 2026-11-26T10:00:00Z */
#define STARTED 1795687200

/* A '<', '&', quotes, a control character, a pipe and a newline: what an
 * exe path or a process name can carry into a summary. */
#define NASTY "a<b & \"c\" 'd'\x01 | e\nf"

static void noop(const struct facts *f, const struct check_params *p, struct check_result *r)
{
}

static const struct check_def defs[] = {
	{ "go.race", LAYER_CODE, "Race detector build", noop, NULL, 0 },
	{ "cpu.gomaxprocs", LAYER_RUNTIME, "GOMAXPROCS vs CPUs", noop, NULL, CHECK_NEEDS_TARGET },
	{ "net.timewait-ratio", LAYER_INFRA, "TIME_WAIT ratio", noop, NULL, 0 },
	{ "fd.process", LAYER_INFRA, "Process fds", noop, NULL, CHECK_NEEDS_TARGET },
	{ "clock.sync", LAYER_INFRA, "Clock sync", noop, NULL, 0 },
};

#define N_RESULTS 5

struct fixture {
	struct check_result results[N_RESULTS];
	const char *listeners[2];
	struct report r;
	json_t *tags;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct check_result *c = fx->results;

	/* code: fail, with checklist metadata */
	result_init(&c[0], &defs[0]);
	c[0].item_id = strdup("build-no-race");
	c[0].title = strdup("No race detector in production");
	result_set(&c[0], STATUS_FAIL, "built with -race (5-10x memory, 2-20x CPU)");
	result_remedy(&c[0], "rebuild without -race");
	ev_bool(&c[0], "race", true);
	ev_str(&c[0], "go_version", "go1.26.0");
	c[0].duration_ms = 0.25;
	fx->tags = json_pack("{s:s,s:s}", "env", "prod", "module", "order");
	c[0].meta = (struct item_meta){ .owner = "sre-team", .due = "2026-12-01", .severity = "P0",
					.rollback = "redeploy the previous build", .tags = fx->tags };

	/* runtime: warn */
	result_init(&c[1], &defs[1]);
	result_set(&c[1], STATUS_WARN, "GOMAXPROCS 8 above the CPU quota 2");
	result_remedy(&c[1], "set GOMAXPROCS=2");
	ev_int(&c[1], "effective", 8);
	ev_str(&c[1], "source", "env");
	ev_int(&c[1], "usable_cpus", 4);
	ev_real(&c[1], "quota_cpus", 2.0);
	/* needs all 17 digits to read back */
	ev_real(&c[1], "share", 0.1 + 0.2);
	c[1].duration_ms = 1.5;

	/* infra: pass, skip, error */
	result_init(&c[2], &defs[2]);
	result_set(&c[2], STATUS_PASS, "TIME_WAIT/ESTABLISHED = 0.05 (warn at 0.15)");
	ev_int(&c[2], "time_wait", 5);
	ev_int(&c[2], "established", 100);
	ev_real(&c[2], "ratio", 0.05);
	ev_json(&c[2], "nested", json_pack("{s:i}", "x", 1));
	c[2].duration_ms = 3;

	result_init(&c[3], &defs[3]);
	result_set(&c[3], STATUS_SKIP, "no target process (use --pid or --process)");

	result_init(&c[4], &defs[4]);
	result_set(&c[4], STATUS_ERROR, "%s", NASTY);
	result_remedy(&c[4], "check | chronyc\ntracking <now>");
	c[4].duration_ms = 0.001;

	fx->listeners[0] = "127.0.0.1:6060";
	fx->listeners[1] = "0.0.0.0:8080";
	fx->r = (struct report){
		.preflight_version = "0.1.0",
		.started_at = STARTED,
		.hostname = "web-1",
		.checklist_source = "built-in",
		.pid = 1234,
		.exe = "/srv/order",
		.comm = "order",
		.listeners = fx->listeners,
		.n_listeners = 2,
		.netns = "host (net:[4026531833])",
		.results = fx->results,
		.n_results = N_RESULTS,
		.fail_on = STATUS_FAIL,
		.duration_s = 2.0412347,
	};
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	for (int i = 0; i < N_RESULTS; i++)
		result_release(&fx->results[i]);
	json_decref(fx->tags);
	free(fx);
	return 0;
}

static char *render(report_fn fn, const struct report *r)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	assert_int_equal(fn(r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(s);
	return s;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle))
		n++;
	return n;
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Writes s to a temporary file and runs "cmd FILE" (or "cmd < FILE" when
 * stdin is set) on it; returns the exit status. */
static int run_on(const char *cmd, const char *s, bool use_stdin)
{
	char path[] = "/tmp/preflight-test-reporters-XXXXXX";
	char line[512];
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	snprintf(line, sizeof(line), "%s %s%s", cmd, use_stdin ? "< " : "", path);
	rc = system(line);
	unlink(path);
	return rc;
}

/* --- common ------------------------------------------------------------ */

static void test_find_and_count(void **state)
{
	struct fixture *fx = *state;
	size_t counts[STATUS_COUNT];

	assert_ptr_equal(report_find("json"), report_json);
	assert_ptr_equal(report_find("junit"), report_junit);
	assert_ptr_equal(report_find("markdown"), report_markdown);
	assert_ptr_equal(report_find("prom"), report_prom);
	assert_ptr_equal(report_find("tty"), report_tty);
	assert_null(report_find("html"));
	assert_null(report_find("JSON"));
	assert_null(report_find(NULL));

	report_count(&fx->r, counts);
	for (int s = 0; s < STATUS_COUNT; s++)
		assert_int_equal(counts[s], 1);
}

static void test_is_finding(void **state)
{
	assert_true(report_is_finding(STATUS_FAIL, STATUS_FAIL));
	assert_true(report_is_finding(STATUS_ERROR, STATUS_FAIL));
	assert_false(report_is_finding(STATUS_WARN, STATUS_FAIL));
	assert_true(report_is_finding(STATUS_WARN, STATUS_WARN));
	assert_true(report_is_finding(STATUS_ERROR, STATUS_WARN));
	assert_false(report_is_finding(STATUS_SKIP, STATUS_WARN));
	assert_false(report_is_finding(STATUS_PASS, STATUS_WARN));
}

static void test_utf8(void **state)
{
	unsigned cp;

	assert_int_equal(utf8_next("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_next("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_next("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_next("\xe2\x82\xac", 2, &cp), 0);   /* truncated */
	assert_int_equal(utf8_next("\xc0\xaf", 2, &cp), 0);       /* overlong '/' */
	assert_int_equal(utf8_next("\xed\xa0\x80", 3, &cp), 0);   /* surrogate */
	assert_int_equal(utf8_next("\xf4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
	assert_int_equal(utf8_next("\xff", 1, &cp), 0);
	assert_int_equal(utf8_next("\x80", 1, &cp), 0);
}

/* --- json -------------------------------------------------------------- */

static void assert_keys(json_t *o, const char *const *keys, size_t n)
{
	void *it = json_object_iter(o);

	for (size_t i = 0; i < n; i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), keys[i]);
		it = json_object_iter_next(o, it);
	}
	assert_null(it);
}

static void test_json_contract(void **state)
{
	static const char *const top[] = { "preflight_version", "started_at", "host", "checklist",
					   "target", "summary", "checks", "duration_seconds" };
	static const char *const target[] = { "pid", "exe", "comm", "listeners", "netns" };
	static const char *const summary[] = { "pass", "warn", "fail", "skip", "error" };
	static const char *const check[] = { "id", "check", "title", "layer", "status", "summary",
					     "evidence", "remedy", "duration_ms" };
	static const char *const check_meta[] = { "id", "check", "title", "layer", "status",
						  "summary", "evidence", "remedy", "duration_ms",
						  "owner", "due", "severity", "tags", "rollback" };
	struct fixture *fx = *state;
	char *s = render(report_json, &fx->r);
	json_error_t err;
	json_t *doc = json_loads(s, 0, &err), *checks, *c;

	assert_non_null(doc);
	/* Indented by two spaces, one newline at the end. */
	assert_true(strncmp(s, "{\n  \"preflight_version\": \"0.1.0\",\n  \"started_at\"", 48) == 0);
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_int_not_equal(s[strlen(s) - 2], '\n');

	assert_keys(doc, top, 8);
	/* The whole run's wall time, to the microsecond. */
	assert_non_null(strstr(s, "\n  \"duration_seconds\": 2.041235\n}\n"));
	/* Shortest exact reals: 0.30000000000000004 needs 17 digits. */
	assert_non_null(strstr(s, "\"share\": 0.30000000000000004\n"));
	assert_string_equal(json_string_value(json_object_get(doc, "started_at")), "2026-11-26T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(doc, "host")), "web-1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "checklist"), "source")),
			    "built-in");
	assert_true(json_is_null(json_object_get(json_object_get(doc, "checklist"), "name")));

	assert_keys(json_object_get(doc, "target"), target, 5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "target"), "netns")),
			    "host (net:[4026531833])");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "target"), "pid")), 1234);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "target"), "listeners")), 2);

	assert_keys(json_object_get(doc, "summary"), summary, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), summary[i])), 1);

	checks = json_object_get(doc, "checks");
	assert_int_equal(json_array_size(checks), N_RESULTS);
	c = json_array_get(checks, 0);
	assert_keys(c, check_meta, 14);
	assert_string_equal(json_string_value(json_object_get(c, "id")), "build-no-race");
	assert_string_equal(json_string_value(json_object_get(c, "check")), "go.race");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "No race detector in production");
	assert_string_equal(json_string_value(json_object_get(c, "layer")), "code");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "fail");
	assert_string_equal(json_string_value(json_object_get(c, "severity")), "P0");
	assert_true(json_equal(json_object_get(c, "tags"), fx->tags));
	assert_true(json_equal(json_object_get(c, "evidence"), fx->results[0].evidence));

	/* Without checklist metadata: the nine contract keys only; id and
	 * title fall back to the check's. */
	c = json_array_get(checks, 2);
	assert_keys(c, check, 9);
	assert_string_equal(json_string_value(json_object_get(c, "id")), "net.timewait-ratio");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "TIME_WAIT ratio");
	assert_true(json_equal(json_object_get(c, "evidence"), fx->results[2].evidence));
	assert_true(json_is_null(json_object_get(c, "remedy")));
	assert_true(json_real_value(json_object_get(c, "duration_ms")) == 3.0);
	/* 0.05 is written as 0.05, not 0.050000000000000003. */
	assert_non_null(strstr(s, "\"ratio\": 0.05,"));

	c = json_array_get(checks, 4);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "error");
	assert_string_equal(json_string_value(json_object_get(c, "summary")), NASTY);

	json_decref(doc);
	free(s);
}

static void test_json_host_only_and_bad_utf8(void **state)
{
	struct fixture *fx = *state;
	struct report r = fx->r;
	json_t *doc, *t;
	char *s;

	r.pid = 0;
	s = render(report_json, &r);
	doc = json_loads(s, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_null(json_object_get(doc, "target")));
	json_decref(doc);
	free(s);

	/* A path that is not UTF-8 still yields valid JSON with the field. */
	r = fx->r;
	r.exe = "/srv/\xff\xfeorder";
	r.checklist_name = "launch";
	s = render(report_json, &r);
	doc = json_loads(s, 0, NULL);
	assert_non_null(doc);
	t = json_object_get(doc, "target");
	assert_string_equal(json_string_value(json_object_get(t, "exe")), "/srv/\xef\xbf\xbd\xef\xbf\xbdorder");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "checklist"), "name")),
			    "launch");
	json_decref(doc);
	free(s);

	doc = report_to_json(&fx->r);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "checks")), N_RESULTS);
	json_decref(doc);
}

/* --- junit ------------------------------------------------------------- */

/* Tags must nest; every '&' must start an entity; no raw control
 * character may appear. Enough to catch a broken writer when xmllint is
 * missing. */
static void assert_balanced_xml(const char *s)
{
	const char *stack[64];
	size_t stack_len[64];
	int depth = 0;

	for (const char *p = s; *p; p++) {
		const unsigned char ch = (unsigned char)*p;

		assert_true(ch >= 0x20 || ch == '\n' || ch == '\t');
		if (*p == '&')
			assert_true(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
				    strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0 ||
				    strncmp(p, "&apos;", 6) == 0 || strncmp(p, "&#", 2) == 0);
		if (*p != '<')
			continue;
		if (p[1] == '?') {
			p = strstr(p, "?>");
			assert_non_null(p);
			continue;
		}
		const char *end = strchr(p, '>');

		assert_non_null(end);
		if (p[1] == '/') {
			size_t n = strcspn(p + 2, " >");

			assert_true(depth > 0);
			depth--;
			assert_int_equal(n, stack_len[depth]);
			assert_true(strncmp(p + 2, stack[depth], n) == 0);
		} else if (end[-1] != '/') {
			assert_true(depth < 64);
			stack[depth] = p + 1;
			stack_len[depth] = strcspn(p + 1, " >");
			depth++;
		}
		p = end;
	}
	assert_int_equal(depth, 0);
}

static void test_junit(void **state)
{
	struct fixture *fx = *state;
	struct report r = fx->r;
	char *s = render(report_junit, &r);

	assert_balanced_xml(s);
	if (have_tool("xmllint"))
		assert_int_equal(run_on("xmllint --noout", s, false), 0);
	else
		print_message("xmllint not found: well-formedness checked by the tag walk only\n");

	/* An error is a finding under --fail-on fail too (the run exits 1),
	 * so it is an <error>, never a skip: a run that could not look is
	 * not green. */
	assert_non_null(strstr(s, "<testsuites name=\"preflight\" tests=\"5\" failures=\"1\" errors=\"1\" time=\"2.041235\">"));
	assert_non_null(strstr(s, "<testsuite name=\"preflight\" tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"2.041235\""));
	assert_non_null(strstr(s, "timestamp=\"2026-11-26T10:00:00\" hostname=\"web-1\""));
	assert_int_equal(count_of(s, "<testcase "), 5);
	assert_int_equal(count_of(s, "<failure "), 1);
	assert_int_equal(count_of(s, "<error "), 1);
	assert_int_equal(count_of(s, "<skipped "), 1);
	assert_null(strstr(s, "could not judge"));
	assert_non_null(strstr(s, "<error message=\"a&lt;b &amp;"));
	/* Each check's own time, to the microsecond, never an exponent. */
	assert_non_null(strstr(s, "<testcase classname=\"preflight.code\" name=\"build-no-race\" time=\"0.00025\">"));
	assert_non_null(strstr(s, "<testcase classname=\"preflight.infra\" name=\"net.timewait-ratio\" time=\"0.003\">"));
	assert_non_null(strstr(s, "<testcase classname=\"preflight.infra\" name=\"clock.sync\" time=\"0.000001\">"));
	assert_non_null(strstr(s, "<testcase classname=\"preflight.infra\" name=\"fd.process\" time=\"0.0\">"));
	/* Evidence numbers as in the JSON report. */
	assert_non_null(strstr(s, "\"quota_cpus\": 2.0,\n  \"share\": 0.30000000000000004\n}"));
	/* The warning passes under --fail-on fail and says so in system-out. */
	assert_non_null(strstr(s, "status: warn\nsummary: GOMAXPROCS 8 above the CPU quota 2\nremedy: set GOMAXPROCS=2"));
	/* Escaping: all five specials, the control character replaced, and
	 * the newline kept as a reference inside the attribute. */
	assert_non_null(strstr(s, "<error message=\"a&lt;b &amp; &quot;c&quot; &apos;d&apos;\xef\xbf\xbd | e&#10;f\""));
	assert_null(strchr(s, '\x01'));
	/* Evidence as JSON in system-out. */
	assert_non_null(strstr(s, "evidence: {\n  \"time_wait\": 5,"));
	/* In text, only what XML requires is escaped. */
	assert_non_null(strstr(s, "summary: a&lt;b &amp; \"c\" 'd'\xef\xbf\xbd | e\nf\nremedy: check | chronyc\ntracking &lt;now&gt;\n"));
	free(s);

	/* Under --fail-on warn the warning is a failure and the error an
	 * <error>: both make the exit status 1. */
	r.fail_on = STATUS_WARN;
	s = render(report_junit, &r);
	assert_balanced_xml(s);
	assert_non_null(strstr(s, "tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"1\""));
	assert_int_equal(count_of(s, "<failure "), 2);
	assert_int_equal(count_of(s, "<error "), 1);
	assert_int_equal(count_of(s, "<skipped "), 1);
	assert_non_null(strstr(s, "<error message=\"a&lt;b &amp;"));
	assert_non_null(strstr(s, "<failure message=\"GOMAXPROCS 8 above the CPU quota 2\" type=\"warn\">set GOMAXPROCS=2</failure>"));
	if (have_tool("xmllint"))
		assert_int_equal(run_on("xmllint --noout", s, false), 0);
	free(s);
}

/* --- markdown ---------------------------------------------------------- */

/* Pipes that are not preceded by a backslash. */
static int cell_separators(const char *line, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
			n++;
	return n;
}

static void test_markdown(void **state)
{
	struct fixture *fx = *state;
	char *s = render(report_markdown, &fx->r);
	const char *code = strstr(s, "\n## code\n"), *runtime = strstr(s, "\n## runtime\n");
	const char *infra = strstr(s, "\n## infra\n"), *business = strstr(s, "\n## business\n");
	int rows = 0;

	assert_true(code && runtime && infra && business);
	assert_true(code < runtime && runtime < infra && infra < business);
	assert_non_null(strstr(business, "_No checks in this layer._"));
	assert_non_null(strstr(s, "**Summary:** 1 fail · 1 error · 1 warn · 1 skip · 1 pass"));
	assert_non_null(strstr(s, "- **Duration:** 2.0 s\n"));
	assert_non_null(strstr(s, "pid 1234, /srv/order (order), listening on 127.0.0.1:6060, 0.0.0.0:8080"));

	/* Every table line has exactly four cell separators: an escaped pipe
	 * in a summary does not split the cell, a newline does not end the
	 * row. */
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (*p == '|') {
			assert_int_equal(cell_separators(p, len), 4);
			rows++;
		}
		p += len + (nl ? 1 : 0);
	}
	/* 3 header+rule pairs (business is empty) and 5 rows. */
	assert_int_equal(rows, 3 * 2 + 5);
	assert_non_null(strstr(s, "| **ERROR** | `clock.sync` | a\\<b \\& \"c\" 'd'\xef\xbf\xbd \\| e<br>f |"));

	/* Worst first within a layer: error, then skip, then pass. */
	assert_true(strstr(infra, "`clock.sync`") < strstr(infra, "`fd.process`"));
	assert_true(strstr(infra, "`fd.process`") < strstr(infra, "`net.timewait-ratio`"));

	/* Remedies of what did not pass, escaped the same way. */
	assert_non_null(strstr(code, "**Remedies**\n\n- `build-no-race` (fail): rebuild without -race\n"));
	assert_non_null(strstr(infra, "- `clock.sync` (error): check \\| chronyc<br>tracking \\<now\\>\n"));
	free(s);
}

/* --- prom -------------------------------------------------------------- */

#define NAME "[a-zA-Z_:][a-zA-Z0-9_:]*"
#define LVALUE "\"([^\"\\\\]|\\\\[\\\\\"n])*\""
#define LABEL "[a-zA-Z_][a-zA-Z0-9_]*=" LVALUE
#define VALUE "([-+]?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+([eE][-+]?[0-9]+)?|NaN|[-+]Inf)"

static const char *const grammar[] = {
	"^# HELP " NAME " [^\n]*$",
	"^# TYPE " NAME " (counter|gauge|histogram|summary|untyped)$",
	"^" NAME "(\\{(" LABEL "(," LABEL ")*)?\\})? " VALUE "$",
};

static void assert_exposition(const char *s)
{
	regex_t re[3];
	char *copy = strdup(s), *save = NULL;
	char help_seen[64][80];
	int n_help = 0;

	assert_int_equal(s[strlen(s) - 1], '\n');
	for (int i = 0; i < 3; i++)
		assert_int_equal(regcomp(&re[i], grammar[i], REG_EXTENDED | REG_NOSUB), 0);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool ok = false;

		for (int i = 0; i < 3 && !ok; i++)
			ok = regexec(&re[i], line, 0, NULL, 0) == 0;
		if (!ok)
			fail_msg("not exposition format: '%s'", line);
		/* HELP once per metric name. */
		if (strncmp(line, "# HELP ", 7) == 0) {
			size_t n = strcspn(line + 7, " ");

			assert_true(n < sizeof(help_seen[0]) && n_help < 64);
			for (int i = 0; i < n_help; i++)
				assert_false(strlen(help_seen[i]) == n && strncmp(help_seen[i], line + 7, n) == 0);
			memcpy(help_seen[n_help], line + 7, n);
			help_seen[n_help++][n] = '\0';
		}
	}
	for (int i = 0; i < 3; i++)
		regfree(&re[i]);
	free(copy);
}

static void test_prom(void **state)
{
	struct fixture *fx = *state;
	struct report r = fx->r;
	char *s;

	r.exe = "/srv/a\"b\\c\nd";
	s = render(report_prom, &r);
	assert_exposition(s);
	if (have_tool("promtool"))
		assert_int_equal(run_on("promtool check metrics", s, true), 0);
	else
		print_message("promtool not found: exposition grammar checked by regex only\n");

	/* State set: five series per check, exactly one of them 1. */
	assert_int_equal(count_of(s, "\npreflight_check_status{"), 5 * N_RESULTS);
	assert_int_equal(count_of(s, "preflight_check_status{id=\"clock.sync\""), 5);
	assert_non_null(strstr(s, "preflight_check_status{id=\"clock.sync\",check=\"clock.sync\",layer=\"infra\",status=\"error\"} 1\n"));
	assert_non_null(strstr(s, "preflight_check_status{id=\"clock.sync\",check=\"clock.sync\",layer=\"infra\",status=\"fail\"} 0\n"));
	assert_non_null(strstr(s, "preflight_check_status{id=\"build-no-race\",check=\"go.race\",layer=\"code\",status=\"fail\"} 1\n"));
	assert_int_equal(count_of(s, "\",status=\"warn\"} 1\n"), 1);

	assert_non_null(strstr(s, "preflight_check_info{id=\"build-no-race\",check=\"go.race\",layer=\"code\",title=\"No race detector in production\",severity=\"P0\",owner=\"sre-team\"} 1\n"));
	assert_non_null(strstr(s, "preflight_check_duration_seconds{id=\"net.timewait-ratio\"} 0.003\n"));
	assert_non_null(strstr(s, "preflight_checks{status=\"skip\"} 1\n"));
	assert_non_null(strstr(s, "preflight_last_run_timestamp_seconds 1795687200\n"));
	assert_non_null(strstr(s, "preflight_last_run_duration_seconds 2.041235\n"));
	assert_non_null(strstr(s, "preflight_target_info{pid=\"1234\",exe=\"/srv/a\\\"b\\\\c\\nd\",comm=\"order\"} 1\n"));

	/* Numeric evidence only: numbers and booleans, not strings or objects. */
	assert_non_null(strstr(s, "preflight_check_evidence{id=\"net.timewait-ratio\",key=\"ratio\"} 0.05\n"));
	assert_non_null(strstr(s, "preflight_check_evidence{id=\"cpu.gomaxprocs\",key=\"quota_cpus\"} 2\n"));
	assert_non_null(strstr(s, "preflight_check_evidence{id=\"build-no-race\",key=\"race\"} 1\n"));
	assert_null(strstr(s, "key=\"source\""));
	assert_null(strstr(s, "key=\"nested\""));
	assert_null(strstr(s, "key=\"go_version\""));
	assert_int_equal(count_of(s, "# TYPE preflight_check_evidence gauge\n"), 1);
	free(s);

	/* Host only: no target series. */
	r = fx->r;
	r.pid = 0;
	s = render(report_prom, &r);
	assert_exposition(s);
	assert_null(strstr(s, "preflight_target_info"));
	free(s);
}

/* A full disk is reported, not ignored: -o on a full filesystem must not
 * leave a truncated report and exit 0. */
static void test_write_error(void **state)
{
	static const report_fn fns[] = { report_tty, report_json, report_junit, report_markdown, report_prom };
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		FILE *f = fopen("/dev/full", "we");

		if (!f)
			skip();
		assert_int_equal(fns[i](&fx->r, f), -EIO);
		fclose(f);
	}
}

/* --- tty --------------------------------------------------------------- */

/* An executable path with a window-title OSC and a screen clear, as the
 * t0315 scenario starts a real target with. */
#define EVIL_EXE "/tmp/x/\x1b]0;pwned\a\x1b[2Jsvc"
#define EVIL_EXE_ESCAPED "\"/tmp/x/\\e]0;pwned\\x07\\e[2Jsvc\""

/* No byte a terminal acts on, beyond newlines and (when allowed) SGR
 * colour sequences: C0 controls, DEL, C1 controls as UTF-8. */
static void assert_terminal_safe(const char *s, bool allow_sgr)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 0x1b && allow_sgr && p[1] == '[') {
			const unsigned char *q = p + 2;

			while ((*q >= '0' && *q <= '9') || *q == ';')
				q++;
			if (*q == 'm') {
				p = q;
				continue;
			}
		}
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("control byte 0x%02x at offset %td: '%.40s'", *p, (const char *)p - s, (const char *)p);
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fail_msg("C1 control at offset %td", (const char *)p - s);
	}
}

static void test_tty_escapes(void **state)
{
	struct fixture *fx = *state;
	struct report r = fx->r;
	char *s;

	r.hostname = "web\x1b[2J";
	r.comm = "\x1b]0;pwned\asvc";
	r.exe = EVIL_EXE;
	r.checklist_source = "/etc/\x1b[31mlist.yaml";
	r.checklist_name = "launch\xc2\x9b" "2J";
	result_remedy(&fx->results[1], "set GOMAXPROCS=2 \x1b[8mhidden");
	s = render(report_tty, &r);
	assert_terminal_safe(s, false);
	assert_null(strchr(s, '\x1b'));
	assert_non_null(strstr(s, "host \"web\\e[2J\"  2026-11-26 10:00:00 UTC\n"));
	assert_non_null(strstr(s, "target: pid 1234 \"\\e]0;pwned\\x07svc\" (" EVIL_EXE_ESCAPED ")\n"));
	assert_non_null(strstr(s, "checklist: \"/etc/\\e[31mlist.yaml\" (\"launch\\xc2\\x9b2J\")\n"));
	/* The summary with a control byte and a newline stays on one line. */
	assert_non_null(strstr(s, "clock.sync           \"a<b & \\\"c\\\" 'd'\\x01 | e\\nf\"\n"));
	assert_non_null(strstr(s, "fix: \"set GOMAXPROCS=2 \\e[8mhidden\"\n"));
	/* Plain text is left alone. */
	assert_non_null(strstr(s, "  FAIL   build-no-race        built with -race (5-10x memory, 2-20x CPU)\n"));
	assert_non_null(strstr(s, "1 fail, 1 warn, 1 error, 1 pass, 1 skip (exit non-zero on error or fail) in 2.0 s\n"));
	free(s);

	/* Colour adds SGR sequences and nothing else. */
	r.color = true;
	s = render(report_tty, &r);
	assert_non_null(strstr(s, "\x1b[1;31mFAIL\x1b[0m"));
	assert_terminal_safe(s, true);
	free(s);
}

/* The tty report names the namespace only when it is not plainly ours. */
static void test_tty_netns(void **state)
{
	struct fixture *fx = *state;
	struct report r = fx->r;
	char *s;

	s = render(report_tty, &r);
	assert_null(strstr(s, "netns:"));
	free(s);
	r.netns = "target (net:[4026532281])";
	r.netns_other = true;
	s = render(report_tty, &r);
	assert_non_null(strstr(s, "listeners: 127.0.0.1:6060, 0.0.0.0:8080\nnetns: target (net:[4026532281])\n"));
	free(s);
	s = render(report_markdown, &r);
	assert_non_null(strstr(s, "- **Network namespace:** target (net:\\[4026532281\\])\n"));
	free(s);
	s = render(report_junit, &r);
	assert_non_null(strstr(s, "<property name=\"target_netns\" value=\"target (net:[4026532281])\"/>"));
	free(s);
	r.netns_other = false;
	s = render(report_markdown, &r);
	assert_null(strstr(s, "Network namespace"));
	free(s);
}

static void test_tty_wrap(void **state)
{
	struct fixture *fx = *state;
	struct report r = fx->r;
	const char *long_remedy = "raise the limit with LimitNOFILE in the unit file or ulimit -n in the "
				  "wrapper script, then restart the service and check /proc/PID/limits again";
	char *s;
	size_t longest = 0;

	result_remedy(&fx->results[4], "%s", long_remedy);
	/* width 0 (a file or a pipe): whole lines */
	s = render(report_tty, &r);
	assert_non_null(strstr(s, long_remedy));
	free(s);

	r.width = 72;
	s = render(report_tty, &r);
	assert_null(strstr(s, long_remedy));
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, "\n");

		if (len > longest)
			longest = len;
		p += len + (p[len] == '\n');
	}
	assert_true(longest <= 72);
	/* Continuation lines start under the text column. */
	assert_non_null(strstr(s, "\n                                   "));
	assert_non_null(strstr(s, "fix: raise the limit"));
	free(s);
}

/* JUnit and Markdown carry no raw control byte either (JSON escapes them
 * as \u00XX itself; prom label values are the format's own). */
static void test_machine_formats_no_controls(void **state)
{
	static const report_fn fns[] = { report_junit, report_markdown };
	struct fixture *fx = *state;
	struct report r = fx->r;

	r.comm = "\x1b]0;pwned\asvc";
	r.exe = EVIL_EXE;
	r.hostname = "h\xc2\x9b" "2J\x7f";
	r.checklist_name = "n\x1b[1m";
	free(fx->results[0].item_id);
	fx->results[0].item_id = strdup("id\x1b[2J|x");
	result_set(&fx->results[1], STATUS_WARN, "bad \xc2\x9b" "31m \x01 \x7f text");
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		char *s = render(fns[i], &r);

		assert_terminal_safe(s, false);
		assert_null(strchr(s, '\x1b'));
		if (fns[i] == report_junit && have_tool("xmllint"))
			assert_int_equal(run_on("xmllint --noout", s, false), 0);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_and_count, setup, teardown),
		cmocka_unit_test(test_is_finding),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test_setup_teardown(test_json_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_host_only_and_bad_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty_netns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_formats_no_controls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
