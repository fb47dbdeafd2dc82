/* checklist: the YAML checklist file against the registry. A valid file
 * with every field, each way a file can be refused (with the exact line and
 * column a user would jump to), defaults inheritance, the size and item
 * limits, the built-in default, and the shipped example. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "config/checklist.h"

static char *fixture_path(const char *name)
{
	const char *dir = getenv("FIXTURES");
	char *p = NULL;

	assert_non_null(dir);
	assert_true(asprintf(&p, "%s/checklist/%s", dir, name) > 0);
	return p;
}

static int load_str(const char *yaml, struct checklist *c, struct err *e)
{
	return checklist_load_mem(yaml, strlen(yaml), "t.yaml", c, e);
}

/* Asserts that s fails to load with exactly "t.yaml:<pos>: <msg>". */
static void expect_mem_error(const char *yaml, const char *pos_msg)
{
	struct checklist c;
	struct err e = { { 0 } };
	char want[1024];

	assert_int_equal(load_str(yaml, &c, &e), -PF_EPARSE);
	snprintf(want, sizeof(want), "t.yaml:%s", pos_msg);
	assert_string_equal(e.msg, want);
	assert_null(c.items);
	checklist_release(&c);
}

static void test_valid_every_field(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"name: order-service launch\n"
		"defaults:\n"
		"  owner: sre-oncall\n"
		"  tags: {env: prod}\n"
		"items:\n"
		"  - id: fd-limit\n"
		"    check: fd.process\n"
		"    title: \"fd limit covers expected connections\"\n"
		"    params: {expected_connections: 50000, warn: 0.75, headroom: 2e0}\n"
		"    owner: alice\n"
		"    due: 2026-12-01\n"
		"    severity: P0\n"
		"    tags: {env: prod, module: order}\n"
		"    rollback: \"restore LimitNOFILE=65536 in the unit file\"\n"
		"  - check: go.version\n"
		"    params: {min_version: \"1.20\"}\n"
		"    due: 2024-02-29T23:59:60.25-03:30\n";
	struct checklist c;
	struct err e = { { 0 } };
	struct checklist_item *it;
	json_t *v;

	assert_int_equal(load_str(yaml, &c, &e), 0);
	assert_string_equal(c.source, "t.yaml");
	assert_string_equal(c.name, "order-service launch");
	assert_int_equal(c.n_items, 2);

	it = &c.items[0];
	assert_string_equal(it->id, "fd-limit");
	assert_string_equal(it->check, "fd.process");
	assert_ptr_equal(it->def, registry_find("fd.process"));
	assert_string_equal(it->title, "fd limit covers expected connections");
	assert_string_equal(it->owner, "alice");
	assert_string_equal(it->due, "2026-12-01");
	assert_string_equal(it->severity, "P0");
	assert_string_equal(it->rollback, "restore LimitNOFILE=65536 in the unit file");
	assert_int_equal(it->line, 7);
	assert_int_equal(it->column, 5);
	assert_int_equal(json_object_size(it->params), 3);
	v = json_object_get(it->params, "expected_connections");
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), 50000);
	v = json_object_get(it->params, "warn");
	assert_true(json_is_real(v));
	assert_true(json_real_value(v) == 0.75);
	assert_true(json_number_value(json_object_get(it->params, "headroom")) == 2.0);
	assert_int_equal(json_object_size(it->tags), 2);
	assert_string_equal(json_string_value(json_object_get(it->tags, "module")), "order");

	/* What the check sees: the overrides, and defaults for the rest. */
	struct check_params p = { it->def->params, it->params };
	assert_true(param_num(&p, "expected_connections") == 50000);
	assert_true(param_num(&p, "warn") == 0.75);
	assert_true(param_num(&p, "fail") == check_param_find(it->def, "fail")->num);

	it = &c.items[1];
	assert_string_equal(it->id, "go.version");                      /* id defaults to the check */
	assert_string_equal(it->title, registry_find("go.version")->title);
	/* A version keeps the file's spelling (1.20 must not become 1.2), with
	 * the "go" prefix the check compares against. */
	assert_string_equal(json_string_value(json_object_get(it->params, "min_version")), "go1.20");
	assert_string_equal(it->due, "2024-02-29T23:59:60.25-03:30");
	assert_null(it->severity);
	assert_null(it->rollback);
	checklist_release(&c);
	assert_null(c.items);
	checklist_release(&c);  /* released twice: harmless */
}

static void test_defaults_inheritance(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"defaults:\n"
		"  owner: sre-oncall\n"
		"  due: 2026-12-01\n"
		"  severity: P2\n"
		"  tags: {env: prod, team: core}\n"
		"items:\n"
		"  - check: clock.sync\n"
		"  - check: fd.system\n"
		"    owner: bob\n"
		"    due: 2027-01-15\n"
		"    severity: P0\n"
		"    tags: {team: edge, module: gateway}\n";
	struct checklist c;
	struct err e = { { 0 } };
	json_t *t;

	assert_int_equal(load_str(yaml, &c, &e), 0);
	assert_null(c.name);
	assert_string_equal(c.items[0].owner, "sre-oncall");
	assert_string_equal(c.items[0].due, "2026-12-01");
	assert_string_equal(c.items[0].severity, "P2");
	t = c.items[0].tags;
	assert_int_equal(json_object_size(t), 2);
	assert_string_equal(json_string_value(json_object_get(t, "env")), "prod");

	assert_string_equal(c.items[1].owner, "bob");
	assert_string_equal(c.items[1].due, "2027-01-15");
	assert_string_equal(c.items[1].severity, "P0");
	/* Tags merge key by key; the item wins on the same key. */
	t = c.items[1].tags;
	assert_int_equal(json_object_size(t), 3);
	assert_string_equal(json_string_value(json_object_get(t, "env")), "prod");
	assert_string_equal(json_string_value(json_object_get(t, "team")), "edge");
	assert_string_equal(json_string_value(json_object_get(t, "module")), "gateway");
	checklist_release(&c);

	/* No defaults, no tags: NULL, not an empty object. */
	assert_int_equal(load_str("version: 1\nitems: [{check: clock.sync}]\n", &c, &e), 0);
	assert_null(c.items[0].tags);
	assert_null(c.items[0].owner);
	assert_non_null(c.items[0].params);
	assert_int_equal(json_object_size(c.items[0].params), 0);
	checklist_release(&c);
}

static const struct {
	const char *file;
	const char *pos_msg;    /* what follows "PATH:" */
} bad_files[] = {
	{ "top-not-mapping.yaml", "2:1: the top level must be a mapping with 'version' and 'items', not a sequence" },
	{ "missing-version.yaml", "1:1: missing 'version' (this preflight reads 'version: 1')" },
	{ "bad-version.yaml", "1:10: unsupported checklist version 2 (this preflight reads version 1)" },
	{ "unknown-top-key.yaml", "3:1: unknown key 'item' at the top level (did you mean 'items'?)" },
	{ "missing-items.yaml", "1:1: missing 'items' (the list of checks to run)" },
	{ "empty-items.yaml", "2:8: 'items' is empty; list at least one check" },
	{ "unknown-item-key.yaml", "4:5: unknown key 'ownr' in an item (did you mean 'owner'?)" },
	{ "missing-check.yaml",
	  "4:5: item 'orphan' has no 'check' (the id of a registered check) or 'verify' (exec, http, promql, manual)" },
	{ "item-not-mapping.yaml", "3:5: an item must be a mapping with at least 'check', not a string" },
	{ "duplicate-id.yaml", "5:9: duplicate item id 'fds' (first at 3:9)" },
	{ "duplicate-default-id.yaml",
	  "5:12: duplicate item id 'fd.process' (first at 3:12); an item without 'id' takes its check's id, "
	  "so give repeated checks an 'id' each" },
	{ "bad-id.yaml",
	  "3:9: bad item id 'fd limit' (use letters, digits, '.', '_' and '-', starting with a letter or digit, "
	  "at most 64 characters)" },
	{ "empty-id.yaml", "3:9: 'id' is empty" },
	{ "duplicate-key.yaml", "6:5: duplicate key 'owner' (first at 4:5)" },
	{ "unknown-check.yaml", "5:12: unknown check 'net.tcp-state' (did you mean 'net.tcp-states'?)" },
	{ "unknown-param.yaml",
	  "5:7: unknown param 'expected_connection' for 'fd.process' (did you mean 'expected_connections'? "
	  "valid: warn, fail, expected_connections, headroom)" },
	{ "param-no-params.yaml", "4:14: unknown param 'warn': 'go.race' takes no params" },
	{ "param-not-number.yaml", "4:20: param 'warn' of 'fd.process' must be a number, not the string 'abc'" },
	{ "param-quoted-number.yaml",
	  "4:20: param 'warn' of 'fd.process' must be a number, not the string \"0.75\" (drop the quotes)" },
	{ "param-boolean.yaml", "4:20: param 'warn' of 'fd.process' must be a number, not a boolean ('true')" },
	{ "param-overflow.yaml", "5:13: param 'warn' of 'fd.process' is out of range ('1e400')" },
	{ "param-not-finite.yaml", "4:20: param 'fail' of 'fd.process' must be a finite number, not '.inf'" },
	{ "param-leading-zero.yaml",
	  "4:31: param 'max_fin_timeout' of 'net.sysctl': '030' is ambiguous (octal in YAML 1.1, decimal in "
	  "YAML 1.2); drop the leading zeros" },
	{ "param-version-number.yaml",
	  "6:20: go.version.min_version: 1.20 is a number (1.2 to YAML), write the version as a string (\"1.20\"); "
	  "valid: a Go version such as \"1.21\" or \"go1.21.5\"" },
	{ "param-warn-above-fail.yaml",
	  "5:20: go.heap-pressure.warn: warn 0.9 is above fail 0.5; warn must not exceed fail" },
	{ "param-fail-below-default-warn.yaml",
	  "5:13: go.goroutines.fail: warn 50000 (the default) is above fail 40000; warn must not exceed fail" },
	{ "param-below-min.yaml",
	  "6:22: go.goroutine-leak.min_snapshots: 0 is below the minimum 2; valid: an integer from 2 to 1000 "
	  "(snapshots)" },
	{ "param-integer-overflow.yaml",
	  "5:19: go.goroutine-leak.fail_count: 18446744073709551617 is above the maximum 1000000000; valid: an "
	  "integer from 1 to 1000000000 (goroutines)" },
	{ "param-str-mapping.yaml", "5:20: param 'min_version' of 'go.version' must be a string, not a mapping" },
	{ "bad-severity.yaml", "4:15: bad severity 'P4' (use P0, P1, P2 or P3)" },
	{ "bad-date.yaml", "4:10: bad due date '2026-02-29' (no such day or time)" },
	{ "bad-datetime.yaml", "4:10: bad due date '2026-12-01T24:00:00Z' (no such day or time)" },
	{ "bad-date-format.yaml",
	  "4:10: bad due date 'next friday' (use YYYY-MM-DD or an RFC 3339 date-time such as "
	  "2026-12-01T18:00:00Z)" },
	{ "bad-tags.yaml", "4:11: 'tags' must be a mapping of name: value, not a sequence" },
	{ "bad-tag-name.yaml",
	  "4:12: bad tag name 'team-name' (use letters, digits and '_', not starting with a digit, at most 64 "
	  "characters)" },
	{ "anchor.yaml", "2:11: anchors and aliases are not allowed ('&d'); write the value out" },
	{ "alias.yaml", "4:12: anchors and aliases are not allowed ('*someone'); write the value out" },
	{ "billion-laughs.yaml", "2:4: anchors and aliases are not allowed ('&a'); write the value out" },
	{ "explicit-tag.yaml", "4:20: explicit tags are not allowed ('tag:yaml.org,2002:float')" },
	{ "multi-doc.yaml", "4:1: a second YAML document; a checklist is one document" },
	{ "empty.yaml", "1:1: checklist is empty" },
	{ "comments-only.yaml", "1:1: checklist is empty" },
	{ "scanner-error.yaml", "5:1: found unexpected end of stream (while scanning a quoted scalar at 4:12)" },
	{ "tab-indent.yaml",
	  "4:1: found a tab character that violates indentation (while scanning a plain scalar at 3:12)" },
	{ "not-utf8.yaml",
	  "2:10: invalid trailing UTF-8 octet (0x0a after lead byte 0xe9); a checklist must be UTF-8 text" },
	{ "utf16.yaml", "1:1: the file is UTF-16; a checklist must be UTF-8 text" },
	{ "control-char.yaml", "4:12: 'owner' contains a control character (0x1b)" },
	{ "deep.yaml", "2:35: nested deeper than 32 levels" },
};

static void test_bad_files(void **state)
{
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		char *path = fixture_path(bad_files[i].file), want[1024];
		struct checklist c;
		struct err e = { { 0 } };
		int r;

		r = checklist_load_file(path, &c, &e);
		snprintf(want, sizeof(want), "%s:%s", path, bad_files[i].pos_msg);
		if (r != -PF_EPARSE || strcmp(e.msg, want) != 0)
			fail_msg("%s: got %d '%s'\nwant '%s'", bad_files[i].file, r, e.msg, want);
		assert_int_equal(c.n_items, 0);
		assert_null(c.items);
		free(path);
	}
}

static void test_bad_inline(void **state)
{
	/* Scalars that are no numbers in the forms we accept. */
	expect_mem_error("version: 1\nitems: [{check: fd.process, params: {warn: 1e-400}}]\n",
			 "2:44: param 'warn' of 'fd.process' is out of range ('1e-400')");
	expect_mem_error("version: 1\nitems: [{check: fd.process, params: {warn: 0x10}}]\n",
			 "2:44: param 'warn' of 'fd.process' must be a number, not the string '0x10'");
	expect_mem_error("version: 1\nitems: [{check: fd.process, params: {warn: .nan}}]\n",
			 "2:44: param 'warn' of 'fd.process' must be a finite number, not '.nan'");
	expect_mem_error("version: 1\nitems: [{check: fd.process, params: {warn: }}]\n",
			 "2:44: param 'warn' of 'fd.process' has no value");
	/* Dates that are not calendar dates, and near misses of the format. */
	expect_mem_error("version: 1\nitems: [{check: fd.process, due: 2100-02-29}]\n",
			 "2:34: bad due date '2100-02-29' (no such day or time)");
	expect_mem_error("version: 1\nitems: [{check: fd.process, due: 2026-13-01}]\n",
			 "2:34: bad due date '2026-13-01' (no such day or time)");
	expect_mem_error("version: 1\nitems: [{check: fd.process, due: 2026-1-01}]\n",
			 "2:34: bad due date '2026-1-01' (use YYYY-MM-DD or an RFC 3339 date-time such as "
			 "2026-12-01T18:00:00Z)");
	expect_mem_error("version: 1\nitems: [{check: fd.process, due: '2026-12-01T10:00:00'}]\n",
			 "2:34: bad due date '2026-12-01T10:00:00' (use YYYY-MM-DD or an RFC 3339 date-time such as "
			 "2026-12-01T18:00:00Z)");
	expect_mem_error("version: 1\nitems: [{check: fd.process, severity: p1}]\n",
			 "2:39: bad severity 'p1' (did you mean 'P1'?)");
	expect_mem_error("version: 1\nitems: [{check: fd.process, owner: ~}]\n", "2:36: 'owner' has no value");
	expect_mem_error("version: 1\nitems: [{check: fd.process, owner: \"a\\0b\"}]\n",
			 "2:36: 'owner' contains a control character (0x00)");
	expect_mem_error("version: 1\nitems: [{check: [fd.process]}]\n", "2:17: 'check' must be a string, not a sequence");
	expect_mem_error("version: \"1\"\nitems: [{check: fd.process}]\n",
			 "1:10: 'version' must be the number 1, not a string");
	expect_mem_error("version: 1\n? [a, b]\n: c\n", "2:3: a mapping key must be a scalar, not a sequence");
	expect_mem_error("version: 1\ndefaults: {owner: x, params: {warn: 1}}\n",
			 "2:22: unknown key 'params' in 'defaults' (valid: owner, due, severity, tags, env, module)");
	expect_mem_error("~\n", "1:1: checklist is empty");
	expect_mem_error("", "1:1: checklist is empty");
	{
		struct checklist c;
		struct err e = { { 0 } };

		assert_int_equal(checklist_load_mem(NULL, 0, "t.yaml", &c, &e), -PF_EPARSE);
		assert_string_equal(e.msg, "t.yaml:1:1: checklist is empty");
	}
	expect_mem_error("just a string\n",
			 "1:1: the top level must be a mapping with 'version' and 'items', not a string");
}

/* "version: 1 / items: / - check: CHECK / params: {BODY}": the body starts
 * at 4:14, so a value at offset k of the body is at column 14 + k. */
static void param_yaml(char *out, size_t n, const char *check, const char *body)
{
	snprintf(out, n, "version: 1\nitems:\n  - check: %s\n    params: {%s}\n", check, body);
}

static const struct {
	const char *check, *body;
	const char *pos_msg;    /* NULL: loads */
} param_cases[] = {
	/* versions: a string, "1.21" or "go1.21.5"; an unquoted number is refused */
	{ "go.version", "min_version: 1.20",
	  "4:27: go.version.min_version: 1.20 is a number (1.2 to YAML), write the version as a string (\"1.20\"); "
	  "valid: a Go version such as \"1.21\" or \"go1.21.5\"" },
	{ "go.version", "min_version: 1.21",
	  "4:27: go.version.min_version: 1.21 is a number, write the version as a string (\"1.21\"); "
	  "valid: a Go version such as \"1.21\" or \"go1.21.5\"" },
	{ "go.version", "min_version: .inf",
	  "4:27: go.version.min_version: .inf is a number, write the version as a string (\".inf\"); "
	  "valid: a Go version such as \"1.21\" or \"go1.21.5\"" },
	{ "go.version", "min_version: true",
	  "4:27: go.version.min_version: 'true' is not a Go version; valid: a Go version such as \"1.21\" or "
	  "\"go1.21.5\"" },
	{ "go.version", "min_version: \"1.x\"",
	  "4:27: go.version.min_version: '1.x' is not a Go version; valid: a Go version such as \"1.21\" or "
	  "\"go1.21.5\"" },
	{ "go.version", "min_version: \"2.0\"",
	  "4:27: go.version.min_version: '2.0' is not a Go version; valid: a Go version such as \"1.21\" or "
	  "\"go1.21.5\"" },
	{ "go.version", "min_version: \"go1.021\"",
	  "4:27: go.version.min_version: 'go1.021' is not a Go version; valid: a Go version such as \"1.21\" or "
	  "\"go1.21.5\"" },
	{ "go.version", "min_version: \"1.20\"", NULL },
	{ "go.version", "min_version: go1.21.5", NULL },
	{ "go.version", "min_version: 1.21.5", NULL },          /* two dots: a string to YAML */
	{ "go.version", "min_version: \"go1.22rc1\"", NULL },
	/* ratios: 0 and 1 included */
	{ "fd.process", "warn: 0", NULL },
	{ "fd.process", "warn: 1, fail: 1", NULL },
	{ "fd.process", "warn: -0.01",
	  "4:20: fd.process.warn: -0.01 is negative; valid: a ratio from 0 to 1" },
	{ "fd.process", "fail: 1.01",
	  "4:20: fd.process.fail: 1.01 is above the maximum 1; valid: a ratio from 0 to 1" },
	/* warn <= fail, against the other's default too; equal is allowed */
	{ "fd.process", "warn: 0.5, fail: 0.5", NULL },
	{ "fd.process", "warn: 0.95", NULL },
	{ "fd.process", "warn: 0.9, fail: 0.5",
	  "4:20: fd.process.warn: warn 0.9 is above fail 0.5; warn must not exceed fail" },
	{ "fd.process", "fail: 0.5, warn: 0.9",
	  "4:31: fd.process.warn: warn 0.9 is above fail 0.5; warn must not exceed fail" },
	{ "fd.process", "fail: 0.5",
	  "4:20: fd.process.fail: warn 0.8 (the default) is above fail 0.5; warn must not exceed fail" },
	{ "fd.process", "warn: 0.96",
	  "4:20: fd.process.warn: warn 0.96 is above fail 0.95 (the default); warn must not exceed fail" },
	{ "go.gc-pause", "warn_ms: 50, fail_ms: 50", NULL },
	{ "go.gc-pause", "warn_ms: 50.5, fail_ms: 50",
	  "4:23: go.gc-pause.warn_ms: warn_ms 50.5 is above fail_ms 50; warn_ms must not exceed fail_ms" },
	{ "go.goroutines", "warn: 500001",
	  "4:20: go.goroutines.warn: warn 500001 is above fail 500000 (the default); warn must not exceed fail" },
	/* numbers >= 0 */
	{ "go.gc-pause", "warn_ms: 0", NULL },
	{ "go.gc-pause", "warn_ms: -1",
	  "4:23: go.gc-pause.warn_ms: -1 is negative; valid: a number >= 0 (ms)" },
	{ "net.timewait-ratio", "warn: 5", NULL },              /* TIME_WAIT / ESTABLISHED may exceed 1 */
	{ "net.timewait-ratio", "warn: -0.5",
	  "4:20: net.timewait-ratio.warn: -0.5 is negative; valid: a number >= 0" },
	{ "clock.sync", "maxerror_warn_ms: 1e300", NULL },
	/* bounded numbers */
	{ "fd.process", "headroom: 1", NULL },
	{ "fd.process", "headroom: 100", NULL },
	{ "fd.process", "headroom: 0.99",
	  "4:24: fd.process.headroom: 0.99 is below the minimum 1; valid: a number from 1 to 100" },
	{ "fd.process", "headroom: 100.01",
	  "4:24: fd.process.headroom: 100.01 is above the maximum 100; valid: a number from 1 to 100" },
	/* integers: written as integers, within bounds that fit the check's types */
	{ "go.goroutine-leak", "min_snapshots: 2", NULL },
	{ "go.goroutine-leak", "min_snapshots: 1",
	  "4:29: go.goroutine-leak.min_snapshots: 1 is below the minimum 2; valid: an integer from 2 to 1000 "
	  "(snapshots)" },
	{ "go.goroutine-leak", "min_snapshots: 1000", NULL },
	{ "go.goroutine-leak", "min_snapshots: 1001",
	  "4:29: go.goroutine-leak.min_snapshots: 1001 is above the maximum 1000; valid: an integer from 2 to "
	  "1000 (snapshots)" },
	{ "go.goroutine-leak", "min_snapshots: 2.5",
	  "4:29: go.goroutine-leak.min_snapshots: 2.5 is not an integer; valid: an integer from 2 to 1000 "
	  "(snapshots)" },
	{ "go.goroutine-leak", "min_snapshots: 3e0",
	  "4:29: go.goroutine-leak.min_snapshots: 3e0 is not an integer; valid: an integer from 2 to 1000 "
	  "(snapshots)" },
	{ "go.goroutine-leak", "min_growth: -1",
	  "4:26: go.goroutine-leak.min_growth: -1 is below the minimum 1; valid: an integer from 1 to 1000000000 "
	  "(goroutines)" },
	{ "go.goroutine-leak", "fail_count: 1000000000", NULL },
	{ "go.goroutine-leak", "fail_count: 1000000001",
	  "4:26: go.goroutine-leak.fail_count: 1000000001 is above the maximum 1000000000; valid: an integer from "
	  "1 to 1000000000 (goroutines)" },
	{ "go.goroutine-leak", "fail_count: 99999999999999999999",
	  "4:26: go.goroutine-leak.fail_count: 99999999999999999999 is above the maximum 1000000000; valid: an "
	  "integer from 1 to 1000000000 (goroutines)" },
	{ "go.goroutine-leak", "wait_minutes: -9223372036854775809",
	  "4:28: go.goroutine-leak.wait_minutes: -9223372036854775809 is below the minimum 1; valid: an integer "
	  "from 1 to 525600 (minutes)" },
	{ "net.close-wait", "warn: 0, fail: 0", NULL },
	{ "net.close-wait", "warn: -1",
	  "4:20: net.close-wait.warn: -1 is negative; valid: an integer from 0 to 1000000000 (sockets)" },
	{ "net.close-wait", "fail: 100.5",
	  "4:20: net.close-wait.fail: 100.5 is not an integer; valid: an integer from 0 to 1000000000 (sockets)" },
	{ "net.sysctl", "min_port_range: 65535", NULL },
	{ "net.sysctl", "min_port_range: 65536",
	  "4:30: net.sysctl.min_port_range: 65536 is above the maximum 65535; valid: an integer from 0 to 65535 "
	  "(ports)" },
	{ "go.mutex-contention", "top: 0", NULL },
	{ "go.mutex-contention", "top: -1",
	  "4:19: go.mutex-contention.top: -1 is negative; valid: an integer from 0 to 1000 (call sites)" },
};

static void test_param_rules(void **state)
{
	for (size_t i = 0; i < sizeof(param_cases) / sizeof(param_cases[0]); i++) {
		char yaml[512], want[1024];
		struct checklist c;
		struct err e = { { 0 } };
		int r;

		param_yaml(yaml, sizeof(yaml), param_cases[i].check, param_cases[i].body);
		r = load_str(yaml, &c, &e);
		if (!param_cases[i].pos_msg) {
			if (r != 0)
				fail_msg("%s {%s}: %s", param_cases[i].check, param_cases[i].body, e.msg);
			checklist_release(&c);
			continue;
		}
		snprintf(want, sizeof(want), "t.yaml:%s", param_cases[i].pos_msg);
		if (r != -PF_EPARSE || strcmp(e.msg, want) != 0)
			fail_msg("%s {%s}: got %d '%s'\nwant '%s'", param_cases[i].check, param_cases[i].body, r, e.msg,
				 want);
		assert_null(c.items);
	}
}

static void test_accepted_forms(void **state)
{
	static const char *const ok[] = {
		/* UTF-8 with a BOM, and a multi-byte name */
		"\xef\xbb\xbfversion: 1\nname: caf\xc3\xa9\nitems: [{check: fd.process}]\n",
		/* explicit document markers */
		"---\nversion: 1\nitems: [{check: fd.process}]\n...\n",
		/* RFC 3339 variants: lowercase t and z, fractional seconds, offsets */
		"version: 1\nitems: [{check: fd.process, due: 2026-12-01t08:00:00z}]\n",
		"version: 1\nitems: [{check: fd.process, due: 2028-02-29T00:00:00.123456+14:00}]\n",
		/* numbers: signs, exponents, leading dot, zero */
		("version: 1\nitems: [{check: fd.process,\n"
		 "  params: {warn: +.15, fail: 1.5E-1, headroom: 1, expected_connections: -0}}]\n"),
		/* the same check twice under different ids */
		"version: 1\nitems: [{check: fd.process, id: a}, {check: fd.process, id: b}]\n",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct checklist c;
		struct err e = { { 0 } };

		if (load_str(ok[i], &c, &e) != 0)
			fail_msg("case %zu: %s", i, e.msg);
		checklist_release(&c);
	}
}

static void test_number_values(void **state)
{
	static const char yaml[] = "version: 1\nitems: [{check: fd.process, params: {warn: +.5, fail: 5E-1,\n"
				   "  headroom: 1e2, expected_connections: -0}},\n"
				   "  {check: clock.sync, params: {maxerror_warn_ms: 99999999999999999999}}]\n";
	struct checklist c;
	struct err e = { { 0 } };
	json_t *p;

	assert_int_equal(load_str(yaml, &c, &e), 0);
	p = c.items[0].params;
	assert_true(json_is_real(json_object_get(p, "warn")));
	assert_true(json_real_value(json_object_get(p, "warn")) == 0.5);
	assert_true(json_real_value(json_object_get(p, "fail")) == 0.5);
	assert_true(json_is_real(json_object_get(p, "headroom")));
	assert_true(json_real_value(json_object_get(p, "headroom")) == 100);
	assert_true(json_is_integer(json_object_get(p, "expected_connections")));
	assert_int_equal(json_integer_value(json_object_get(p, "expected_connections")), 0);
	/* Beyond 64 bits: kept as a real rather than refused or wrapped. */
	p = c.items[1].params;
	assert_true(json_is_real(json_object_get(p, "maxerror_warn_ms")));
	assert_true(json_real_value(json_object_get(p, "maxerror_warn_ms")) == 1e20);
	checklist_release(&c);
}

static void test_limits(void **state)
{
	struct buf b = BUF_INIT(4u << 20);
	struct checklist c;
	struct err e = { { 0 } };
	char path[] = "/tmp/test_checklist.XXXXXX";
	int fd;

	/* CHECKLIST_MAX_ITEMS items load; one more is refused at that item. */
	assert_int_equal(buf_puts(&b, "version: 1\nitems:\n"), 0);
	for (int i = 0; i < CHECKLIST_MAX_ITEMS; i++)
		assert_int_equal(buf_printf(&b, "  - {id: i%d, check: clock.sync}\n", i), 0);
	assert_int_equal(checklist_load_mem(b.data, b.len, "t.yaml", &c, &e), 0);
	assert_int_equal(c.n_items, CHECKLIST_MAX_ITEMS);
	checklist_release(&c);
	assert_int_equal(buf_puts(&b, "  - {id: extra, check: clock.sync}\n"), 0);
	assert_int_equal(checklist_load_mem(b.data, b.len, "t.yaml", &c, &e), -PF_EPARSE);
	assert_string_equal(e.msg, "t.yaml:10003:5: more than 10000 items");

	/* Over 1 MiB: refused before parsing, from memory and from a file. */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "version: 1\nitems: [{check: clock.sync}]\n"), 0);
	while (b.len <= CHECKLIST_MAX_BYTES)
		assert_int_equal(buf_puts(&b, "# padding padding padding padding padding padding padding\n"), 0);
	assert_int_equal(checklist_load_mem(b.data, b.len, "t.yaml", &c, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "t.yaml: checklist is larger than 1 MiB"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	close(fd);
	assert_int_equal(checklist_load_file(path, &c, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "checklist is larger than 1 MiB"));
	unlink(path);
	buf_release(&b);

	/* A missing file is an errno, naming the file. */
	assert_int_equal(checklist_load_file("/nonexistent/prod.yaml", &c, &e), -ENOENT);
	assert_string_equal(e.msg, "cannot read checklist '/nonexistent/prod.yaml': No such file or directory");
}

static void test_duplicate_keys_many(void **state)
{
	struct buf b = BUF_INIT(1u << 20);
	struct checklist c;
	struct err e = { { 0 } };

	/* A wide mapping: the earliest repeated key is the one reported. */
	assert_int_equal(buf_puts(&b, "version: 1\nx:\n"), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_printf(&b, "  k%d: 1\n", i), 0);
	assert_int_equal(buf_puts(&b, "  k4000: 2\n  k17: 2\n"), 0);
	assert_int_equal(checklist_load_mem(b.data, b.len, "t.yaml", &c, &e), -PF_EPARSE);
	assert_string_equal(e.msg, "t.yaml:5003:3: duplicate key 'k4000' (first at 4003:3)");
	buf_release(&b);
}

static void test_default_covers_registry(void **state)
{
	const struct check_def *all;
	struct checklist c;
	size_t n;

	all = registry_all(&n);
	assert_true(n >= 22);
	assert_int_equal(checklist_default(&c), 0);
	assert_string_equal(c.source, "built-in");
	/* Every check that runs on its defaults, in registry order; the
	 * metric.* checks need a metric from a checklist item. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!checklist_builtin(&all[i])) {
			assert_true(strncmp(all[i].id, "metric.", 7) == 0);
			continue;
		}
		assert_true(k < c.n_items);
		assert_ptr_equal(c.items[k].def, &all[i]);
		assert_string_equal(c.items[k].id, all[i].id);
		assert_string_equal(c.items[k].check, all[i].id);
		assert_string_equal(c.items[k].title, all[i].title);
		assert_non_null(c.items[k].params);
		assert_int_equal(json_object_size(c.items[k].params), 0);
		assert_int_equal(c.items[k].line, 0);
		k++;
	}
	assert_int_equal(c.n_items, k);
	assert_int_equal(k, n - 4);
	checklist_release(&c);
}

static void test_example_loads(void **state)
{
	const struct check_def *all;
	struct checklist c;
	struct err e = { { 0 } };
	char *path = NULL;
	size_t n;

	assert_true(asprintf(&path, "%s/../../examples/checklist.yaml", getenv("FIXTURES")) > 0);
	if (checklist_load_file(path, &c, &e) != 0)
		fail_msg("%s", e.msg);
	free(path);
	/* The example documents every check: each one appears in it. */
	all = registry_all(&n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t j = 0; j < c.n_items && !found; j++)
			found = c.items[j].def == &all[i];
		if (!found)
			fail_msg("examples/checklist.yaml has no item for '%s'", all[i].id);
	}
	checklist_release(&c);
}

/* docs/checklist.md lists every parameter with what is valid, row for row
 * as the registry says; PF_PRINT_PARAMS=1 prints the rows to paste. */
static void test_docs_list_every_param(void **state)
{
	const struct check_def *all;
	struct buf doc = BUF_INIT(1u << 20);
	char *path = NULL, row[512], valid[160];
	bool print = getenv("PF_PRINT_PARAMS") != NULL;
	size_t n;

	assert_true(asprintf(&path, "%s/../../docs/checklist.md", getenv("FIXTURES")) > 0);
	assert_int_equal(read_file(NULL, path, &doc), 0);
	assert_int_equal(buf_append(&doc, "", 1), 0);
	all = registry_all(&n);
	for (size_t i = 0; i < n; i++) {
		for (const struct param_def *p = all[i].params; p && p->name; p++) {
			char def[32];

			param_describe(p, valid, sizeof(valid));
			if (p->required)
				snprintf(def, sizeof(def), "required");
			else if (p->optional)
				snprintf(def, sizeof(def), "none");
			else if (p->type == PARAM_STR)
				snprintf(def, sizeof(def), "`%s`", p->str);
			else
				snprintf(def, sizeof(def), "%.15g", p->num);
			snprintf(row, sizeof(row), "| `%s` | `%s` | %s | %s%s%s%s |", all[i].id, p->name, def, valid,
				 p->order == ORDER_NONE ? "" : p->order == ORDER_LE ? "; at most `" : "; at least `",
				 p->order == ORDER_NONE ? "" : p->other, p->order == ORDER_NONE ? "" : "`");
			if (print)
				printf("%s\n", row);
			else if (!strstr(doc.data, row))
				fail_msg("docs/checklist.md lacks the row\n%s", row);
		}
	}
	buf_release(&doc);
	free(path);
}

/* ---- The checklist loop's format: verify kinds, people, notify, alerts,
 * prometheus, jira, relative dues (docs/checklist.md). ---- */

static void load_ok(const char *yaml, struct checklist *c)
{
	struct err e = { { 0 } };

	if (load_str(yaml, c, &e) != 0)
		fail_msg("load failed: %s", e.msg);
}

/* The sections most items refer to, on lines 1-5, so an item list on line
 * 6 reads "items: [...]" with its columns counted from there. */
#define HEAD                                                                                                   \
	"version: 1\n"                                                                                         \
	"prometheus: {prod: 'http://prom.example:9090', staging: 'https://prom-stg.example/'}\n"                \
	"people: {alice: {name: Alice Wang, mobile: '+86-138-0013-8000', slack: U012AB3CD}, bob: {}}\n"        \
	"notify: {channels: [{name: ops-wecom, kind: wecom, url_env: WECOM_URL}]}\n"                            \
	"owner: alice\n"

static void test_verify_kinds(void **state)
{
	static const char yaml[] =
		HEAD
		"items:\n"
		"  - id: mig\n"
		"    title: migration applied\n"
		"    verify: {exec: {command: 'test -f /tmp/x'}}\n"
		"  - id: smoke\n"
		"    title: smoke test\n"
		"    verify:\n"
		"      exec: {command: [/bin/echo, '', b], expect_exit: 3, timeout: 500ms, output_cap: 100, workdir: /srv}\n"
		"  - id: health\n"
		"    title: healthz\n"
		"    verify: {http: {url: 'http://127.0.0.1:8080/healthz'}}\n"
		"  - id: post\n"
		"    title: callback\n"
		"    verify:\n"
		"      http:\n"
		"        url: https://pay.example/cb\n"
		"        method: POST\n"
		"        headers: {Content-Type: application/json, X-Probe: '1'}\n"
		"        body: '{\"probe\": true}'\n"
		"        expect_status: 202\n"
		"        body_contains: accepted\n"
		"        body_regex: '^\\{.*\"ok\": *true'\n"
		"        timeout: 2m\n"
		"        insecure: true\n"
		"  - id: err-rate\n"
		"    title: error rate\n"
		"    verify: {promql: {server: prod, query: 'sum(rate(x[5m]))', condition: '< 0.01'}}\n"
		"  - id: lat\n"
		"    title: latency\n"
		"    verify: {promql: {server: staging, query: q, condition: '>=-2.5e1', for: 5m, step: 10s, empty_ok: yes, "
		"timeout: 3s}}\n"
		"  - id: long\n"
		"    title: long hold\n"
		"    verify: {promql: {server: prod, query: q, condition: '!= 0', for: 1h}}\n"
		"  - {id: flag, title: flag flipped, verify: manual}\n"
		"  - {id: signoff, title: sign-off, verify: {manual: {}}}\n"
		"  - check: clock.sync\n";
	struct checklist c;
	const struct checklist_item *it;

	load_ok(yaml, &c);
	assert_int_equal(c.n_items, 10);

	it = &c.items[0];
	assert_int_equal(it->verify, VERIFY_EXEC);
	assert_null(it->def);
	assert_null(it->check);
	assert_non_null(it->params);            /* never NULL, even without check */
	assert_string_equal(it->title, "migration applied");
	assert_string_equal(it->exec.argv[0], "/bin/sh");
	assert_string_equal(it->exec.argv[1], "-c");
	assert_string_equal(it->exec.argv[2], "test -f /tmp/x");
	assert_null(it->exec.argv[3]);
	assert_int_equal(it->exec.expect_exit, 0);
	assert_true(it->exec.timeout_s == 60);
	assert_int_equal(it->exec.output_cap, 4096);
	assert_null(it->exec.workdir);

	it = &c.items[1];
	assert_string_equal(it->exec.argv[0], "/bin/echo");
	assert_string_equal(it->exec.argv[1], "");
	assert_string_equal(it->exec.argv[2], "b");
	assert_null(it->exec.argv[3]);
	assert_int_equal(it->exec.expect_exit, 3);
	assert_true(it->exec.timeout_s == 0.5);
	assert_int_equal(it->exec.output_cap, 100);
	assert_string_equal(it->exec.workdir, "/srv");

	it = &c.items[2];
	assert_int_equal(it->verify, VERIFY_HTTP);
	assert_string_equal(it->http.method, "GET");
	assert_string_equal(it->http.url, "http://127.0.0.1:8080/healthz");
	assert_null(it->http.headers);
	assert_null(it->http.body);
	assert_int_equal(it->http.expect_status, 200);
	assert_null(it->http.body_contains);
	assert_null(it->http.body_regex);
	assert_true(it->http.timeout_s == 10);
	assert_false(it->http.insecure);

	it = &c.items[3];
	assert_string_equal(it->http.method, "POST");
	assert_string_equal(it->http.headers[0], "Content-Type: application/json");
	assert_string_equal(it->http.headers[1], "X-Probe: 1");
	assert_null(it->http.headers[2]);
	assert_string_equal(it->http.body, "{\"probe\": true}");
	assert_int_equal(it->http.expect_status, 202);
	assert_string_equal(it->http.body_contains, "accepted");
	assert_string_equal(it->http.body_regex, "^\\{.*\"ok\": *true");
	assert_true(it->http.timeout_s == 120);
	assert_true(it->http.insecure);

	it = &c.items[4];
	assert_int_equal(it->verify, VERIFY_PROMQL);
	assert_string_equal(it->promql.server, "prod");
	assert_string_equal(it->promql.server_url, "http://prom.example:9090");
	assert_string_equal(it->promql.query, "sum(rate(x[5m]))");
	assert_string_equal(it->promql.op, "<");
	assert_true(it->promql.value == 0.01);
	assert_true(it->promql.hold_s == 0);
	assert_true(it->promql.step_s == 1);
	assert_false(it->promql.empty_ok);
	assert_true(it->promql.timeout_s == 10);

	it = &c.items[5];
	assert_string_equal(it->promql.server_url, "https://prom-stg.example/");
	assert_string_equal(it->promql.op, ">=");
	assert_true(it->promql.value == -25);
	assert_true(it->promql.hold_s == 300);
	assert_true(it->promql.step_s == 10);
	assert_true(it->promql.empty_ok);
	assert_true(it->promql.timeout_s == 3);

	it = &c.items[6];
	assert_string_equal(it->promql.op, "!=");
	assert_true(it->promql.value == 0);
	assert_true(it->promql.step_s == 120);  /* for / 30 */

	assert_int_equal(c.items[7].verify, VERIFY_MANUAL);
	assert_int_equal(c.items[8].verify, VERIFY_MANUAL);
	assert_int_equal(c.items[9].verify, VERIFY_CHECK);
	assert_ptr_equal(c.items[9].def, registry_find("clock.sync"));
	assert_string_equal(c.items[9].check, "clock.sync");

	assert_string_equal(verify_kind_name(VERIFY_CHECK), "check");
	assert_string_equal(verify_kind_name(VERIFY_EXEC), "exec");
	assert_string_equal(verify_kind_name(VERIFY_HTTP), "http");
	assert_string_equal(verify_kind_name(VERIFY_PROMQL), "promql");
	assert_string_equal(verify_kind_name(VERIFY_MANUAL), "manual");
	checklist_release(&c);
}

static void test_verify_errors(void **state)
{
	/* Item shape. */
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {shell: {command: x}}}]\n",
			 "2:36: unknown verify kind 'shell' (valid: exec, http, promql, manual)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {htp: {url: 'http://x'}}}]\n",
			 "2:36: unknown verify kind 'htp' (did you mean 'http'? valid: exec, http, promql, manual)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: shell}]\n",
			 "2:35: unknown verify kind 'shell' (valid: exec, http, promql, manual)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: exec}]\n",
			 "2:35: verify exec needs its settings: 'verify: {exec: {...}}'");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {}}]\n",
			 "2:35: 'verify' is empty; give one of exec, http, promql, manual");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {manual: {}, exec: {command: x}}}]\n",
			 "2:48: 'verify' takes exactly one kind; found 'manual' and 'exec'");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {manual: {x: 1}}}]\n",
			 "2:44: verify manual takes no settings ('verify: manual')");
	expect_mem_error("version: 1\nitems: [{id: a, check: clock.sync, verify: manual}]\n",
			 "2:44: item 'a' has both 'check' and 'verify'; give one");
	expect_mem_error("version: 1\nitems: [{check: clock.sync}, {title: t}]\n",
			 "2:30: item 2 has no 'check' (the id of a registered check) or 'verify' (exec, http, promql, "
			 "manual)");
	expect_mem_error("version: 1\nitems: [{id: a, verify: manual}]\n",
			 "2:9: item 'a' has no 'title' (an item with 'verify' needs one)");
	expect_mem_error("version: 1\nitems: [{title: t, verify: manual}]\n",
			 "2:9: item 1 has no 'id' (an item with 'verify' needs one)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: manual, params: {warn: 1}}]\n",
			 "2:51: item 'a': 'params' belong to 'check' items; a 'verify' item carries its settings under "
			 "its kind");
	/* Duplicate ids across kinds: both places named. */
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: manual}, {id: a, check: clock.sync}]\n",
			 "2:49: duplicate item id 'a' (first at 2:14)");

	/* http headers: credentials only by ${VAR}, the value never quoted back */
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', headers: "
			 "{Authorization: Bearer abc123}}}}]\n",
			 "2:85: header 'Authorization' carries a credential: secrets never go in the checklist; write it "
			 "as ${VAR} (for example 'Bearer ${API_TOKEN}'), read from the environment when the item runs");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', headers: "
			 "{X-Api-Key: k}}}}]\n",
			 "2:81: header 'X-Api-Key' carries a credential: secrets never go in the checklist; write it as "
			 "${VAR} (for example 'Bearer ${API_TOKEN}'), read from the environment when the item runs");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', headers: "
			 "{X-Probe: 'a ${1X}'}}}}]\n",
			 "2:79: header 'X-Probe': a malformed ${VAR} reference (at byte 3); write ${NAME}, NAME of "
			 "letters, digits and _");
	{
		struct checklist cl;
		struct err e = { "" };
		const char *y = "version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', headers: "
				"{Authorization: 'Bearer ${API_TOKEN}', X-Note: 'costs $5'}}}}]\n";

		assert_int_equal(checklist_load_mem(y, strlen(y), "t.yaml", &cl, &e), 0);
		/* kept as written: the store and reports see the reference, never the token */
		assert_string_equal(cl.items[0].http.headers[0], "Authorization: Bearer ${API_TOKEN}");
		assert_string_equal(cl.items[0].http.headers[1], "X-Note: costs $5");
		checklist_release(&cl);
	}

	/* exec */
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {}}}]\n",
			 "2:42: verify exec needs 'command'");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: []}}}]\n",
			 "2:52: exec 'command' is an empty list; give the program and its arguments");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: [ls, {a: 1}]}}}]\n",
			 "2:57: exec 'command' arguments must be strings, not a mapping");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: x, timeout: 10y}}}]\n",
			 "2:64: exec 'timeout': bad duration '10y' (use a number with ms, s, m or h: 500ms, 2s, 1m, 1h)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: x, timeout: 0s}}}]\n",
			 "2:64: exec 'timeout': duration '0s' is too short (at least 0.001s)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: x, timeout: 25h}}}]\n",
			 "2:64: exec 'timeout': duration '25h' is too long (at most 86400s)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: x, expect_exit: 256}}}]\n",
			 "2:68: exec 'expect_exit': 256 is out of range (valid: 0 to 255)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {exec: {command: x, cwd: /}}}]\n",
			 "2:55: unknown key 'cwd' in verify exec (valid: command, expect_exit, timeout, output_cap, workdir)");

	/* http */
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'ftp://x'}}}]\n",
			 "2:48: http 'url' 'ftp://x' is not an http:// or https:// URL");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://u:hunter2@x/'}}}]\n",
			 "2:48: http 'url' carries credentials (user:password@); secrets never go in the checklist");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', body_regex: 'a(b'}}}]\n",
			 "2:72: bad http 'body_regex': Unmatched ( or \\( (a POSIX extended regular expression)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', method: GTE}}}]\n",
			 "2:68: unknown http method 'GTE' (did you mean 'GET'? valid: GET, HEAD, POST, PUT, PATCH, DELETE, "
			 "OPTIONS)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', expect_status: 99}}}]\n",
			 "2:75: http 'expect_status': 99 is out of range (valid: 100 to 599)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', headers: {'A B': c}}}}]\n",
			 "2:70: bad header name 'A B' (letters, digits and -)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', headers: {A: \"b\\nX: y\"}}}}]\n",
			 "2:73: header 'A' has a line break in its value");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {http: {url: 'http://x', insecure: maybe}}}]\n",
			 "2:70: http 'insecure' must be true or false, not maybe");
	{
		/* At most 2047 bytes. */
		char yaml[4200], url[2100];

		memset(url, 'a', sizeof(url) - 1);
		url[sizeof(url) - 1] = '\0';
		memcpy(url, "http://", 7);
		snprintf(yaml, sizeof(yaml), "version: 1\nitems: [{id: a, title: t, verify: {http: {url: '%s'}}}]\n", url);
		expect_mem_error(yaml, "2:48: http 'url' is longer than 2047 bytes");
	}

	/* promql */
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: prd, query: q, condition: '< 1'}}}]\n",
			 "6:53: unknown promql server 'prd' (did you mean 'prod'? valid: prod, staging)");
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: main, query: q, condition: '< 1'}}}]\n",
			 "6:53: unknown promql server 'main' (not in 'prometheus:'; valid: prod, staging)");
	expect_mem_error("version: 1\nitems: [{id: a, title: t, verify: {promql: {server: p, query: q, condition: '< 1'}}}]\n",
			 "2:53: unknown promql server 'p' (the checklist has no 'prometheus:' section naming servers)");
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: prod, query: q, condition: '~ 1'}}}]\n",
			 "6:80: bad promql 'condition' '~ 1' (an operator <, <=, >, >=, == or != and a number, such as "
			 "\"< 0.01\"; quote it in YAML)");
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: prod, query: q, condition: '< x'}}}]\n",
			 "6:80: bad promql 'condition' '< x' (an operator <, <=, >, >=, == or != and a number, such as "
			 "\"< 0.01\"; quote it in YAML)");
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: prod, query: q}}}]\n",
			 "6:44: verify promql needs 'condition'");
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: prod, query: q, condition: '< 1', "
			      "for: 1h, step: 100ms}}}]\n",
			 "6:102: promql 'step' is too small for 'for': more than 11000 points (Prometheus refuses the "
			 "query)");
	expect_mem_error(HEAD "items: [{id: a, title: t, verify: {promql: {server: prod, query: q, condition: '< 1', "
			      "for: five}}}]\n",
			 "6:92: promql 'for': bad duration 'five' (use a number with ms, s, m or h: 500ms, 2s, 1m, 1h)");
}

static void test_item_keys(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"defaults: {env: prod, module: order, due: +2h, owner: bob}\n"
		"items:\n"
		"  - {id: a, title: t, verify: manual, change: DEP-1234}\n"
		"  - {id: b, title: t, verify: manual, env: staging, module: payment, due: +30m}\n"
		"  - {id: c, title: t, verify: manual, due: +1h30m}\n"
		"  - {id: d, title: t, verify: manual, due: +90s}\n"
		"  - {id: e, title: t, verify: manual, due: 2026-12-01}\n"
		"  - {id: f, title: t, verify: manual, due: +1h2m3s}\n";
	struct checklist c;

	load_ok(yaml, &c);
	assert_string_equal(c.items[0].env, "prod");
	assert_string_equal(c.items[0].module, "order");
	assert_string_equal(c.items[0].change, "DEP-1234");
	assert_string_equal(c.items[0].owner, "bob");
	assert_string_equal(c.items[0].due, "+2h");     /* as written, from defaults */
	assert_true(c.items[0].due_relative);
	assert_true(c.items[0].due_offset_s == 7200);
	assert_string_equal(c.items[1].env, "staging");
	assert_string_equal(c.items[1].module, "payment");
	assert_null(c.items[1].change);
	assert_string_equal(c.items[1].due, "+30m");
	assert_true(c.items[1].due_offset_s == 1800);
	assert_true(c.items[2].due_offset_s == 5400);
	assert_true(c.items[3].due_offset_s == 90);
	assert_string_equal(c.items[4].due, "2026-12-01");
	assert_false(c.items[4].due_relative);
	assert_true(c.items[4].due_offset_s == 0);
	assert_true(c.items[5].due_offset_s == 3723);
	/* No people section: any owner goes. */
	assert_null(c.people);
	assert_null(checklist_person(&c, "bob"));
	checklist_release(&c);

	expect_mem_error("version: 1\nitems: [{check: clock.sync, due: +30}]\n",
			 "2:34: bad relative due '+30' (use +30m, +2h or +1h30m: hours, minutes and seconds after the run "
			 "starts)");
	expect_mem_error("version: 1\nitems: [{check: clock.sync, due: +30m2h}]\n",
			 "2:34: bad relative due '+30m2h' (use +30m, +2h or +1h30m: hours, minutes and seconds after the run "
			 "starts)");
	expect_mem_error("version: 1\nitems: [{check: clock.sync, due: +0m}]\n",
			 "2:34: bad relative due '+0m' (use +30m, +2h or +1h30m: hours, minutes and seconds after the run "
			 "starts)");
	expect_mem_error("version: 1\nitems: [{check: clock.sync, due: +1.5h}]\n",
			 "2:34: bad relative due '+1.5h' (use +30m, +2h or +1h30m: hours, minutes and seconds after the run "
			 "starts)");
	expect_mem_error("version: 1\nitems: [{check: clock.sync, due: +9000h}]\n",
			 "2:34: relative due '+9000h' is more than a year after the run starts");
	expect_mem_error("version: 1\ndefaults: {due: '+1d'}\nitems: [{check: clock.sync}]\n",
			 "2:17: bad relative due '+1d' (use +30m, +2h or +1h30m: hours, minutes and seconds after the run "
			 "starts)");
	expect_mem_error("version: 1\nitems: [{check: clock.sync, module: 'order svc'}]\n",
			 "2:37: bad module 'order svc' (use letters, digits, '.', '_' and '-', starting with a letter or "
			 "digit, at most 64 characters)");
	expect_mem_error("version: 1\nitems: [{check: clock.sync, change: 'DEP 1'}]\n",
			 "2:37: bad change 'DEP 1' (use letters, digits, '.', '_' and '-', starting with a letter or "
			 "digit, at most 64 characters)");
	expect_mem_error("version: 1\ndefaults: {env: [prod]}\nitems: [{check: clock.sync}]\n",
			 "2:17: env must be a string, not a sequence");
}

static void test_sections(void **state)
{
	static const char yaml[] =
		HEAD
		"alerts: {remind_every: 15m, escalate_after: 2, rca_due: 1h, channels: [ops-wecom]}\n"
		"jira: {project: OPS, parent: OPS-123, issue_type: Task}\n"
		"parallel: 16\n"
		"defaults: {owner: bob}\n"
		"items:\n"
		"  - check: clock.sync\n"
		"  - {id: x, title: t, verify: manual, owner: alice}\n";
	struct checklist c;
	const struct checklist_person *p;

	load_ok(yaml, &c);
	assert_int_equal(c.version, 1);
	assert_string_equal(c.owner, "alice");
	assert_int_equal(c.n_people, 2);
	p = checklist_person(&c, "alice");
	assert_non_null(p);
	assert_string_equal(p->name, "alice");
	assert_string_equal(p->display, "Alice Wang");
	assert_string_equal(p->mobile, "+86-138-0013-8000");
	assert_string_equal(p->slack, "U012AB3CD");
	assert_null(p->email);
	p = checklist_person(&c, "bob");
	assert_non_null(p);
	assert_null(p->display);
	assert_null(checklist_person(&c, "carol"));
	assert_null(checklist_person(&c, NULL));
	assert_int_equal(c.n_channels, 1);
	assert_string_equal(c.channels[0].name, "ops-wecom");
	assert_string_equal(c.channels[0].kind, "wecom");
	assert_string_equal(c.channels[0].url_env, "WECOM_URL");
	assert_null(c.channels[0].url_file);
	assert_null(c.channels[0].secret_env);
	assert_string_equal(c.channels[0].format, "markdown");
	assert_int_equal(c.channels[0].rate_per_min, 20);
	assert_true(c.alerts.remind_every_s == 900);
	assert_int_equal(c.alerts.escalate_after, 2);
	assert_true(c.alerts.rca_due_s == 3600);
	assert_string_equal(c.alerts.channels[0], "ops-wecom");
	assert_null(c.alerts.channels[1]);
	assert_string_equal(json_string_value(json_object_get(c.prometheus, "prod")), "http://prom.example:9090");
	assert_string_equal(json_string_value(json_object_get(c.jira, "project")), "OPS");
	assert_string_equal(json_string_value(json_object_get(c.jira, "parent")), "OPS-123");
	assert_string_equal(json_string_value(json_object_get(c.jira, "issue_type")), "Task");
	assert_int_equal(c.max_parallel, 16);
	assert_string_equal(c.items[0].owner, "bob");
	assert_string_equal(c.items[1].owner, "alice");
	checklist_release(&c);

	/* The defaults of every section. */
	load_ok("version: 1\nitems: [{check: clock.sync}]\n", &c);
	assert_null(c.owner);
	assert_null(c.people);
	assert_null(c.channels);
	assert_int_equal(c.n_channels, 0);
	assert_true(c.alerts.remind_every_s == 1800);
	assert_int_equal(c.alerts.escalate_after, 3);
	assert_true(c.alerts.rca_due_s == 7200);
	assert_null(c.alerts.channels);
	assert_null(c.prometheus);
	assert_null(c.jira);
	assert_int_equal(c.max_parallel, 8);
	checklist_release(&c);
	load_ok("version: 1\njira: {project: ORDER2}\nnotify: {channels: [{name: d, kind: dingtalk, url_file: /run/u, "
		"secret_file: /run/s, format: text, rate_per_min: 5}]}\nitems: [{check: clock.sync}]\n", &c);
	assert_string_equal(json_string_value(json_object_get(c.jira, "issue_type")), "Sub-task");
	assert_null(json_object_get(c.jira, "parent"));
	assert_string_equal(c.channels[0].url_file, "/run/u");
	assert_string_equal(c.channels[0].secret_file, "/run/s");
	assert_string_equal(c.channels[0].format, "text");
	assert_int_equal(c.channels[0].rate_per_min, 5);
	checklist_release(&c);
	/* An empty people section still means owners must be listed. */
	expect_mem_error("version: 1\npeople: {}\nitems: [{check: clock.sync, owner: bob}]\n",
			 "3:36: unknown owner 'bob' (not in people:)");
	{
		/* checklist_default has the defaults too. */
		assert_int_equal(checklist_default(&c), 0);
		assert_int_equal(c.max_parallel, 8);
		assert_int_equal(c.alerts.escalate_after, 3);
		for (size_t i = 0; i < c.n_items; i++)
			assert_int_equal(c.items[i].verify, VERIFY_CHECK);
		checklist_release(&c);
	}
}

static void test_section_errors(void **state)
{
	/* Owners must be people, pointing at the owner as written. */
	expect_mem_error(HEAD "items: [{check: clock.sync, owner: carol}]\n",
			 "6:36: unknown owner 'carol' (not in people:)");
	expect_mem_error(HEAD "items: [{check: clock.sync, owner: alcie}]\n",
			 "6:36: unknown owner 'alcie' (not in people:; did you mean 'alice'?)");
	expect_mem_error(HEAD "defaults: {owner: dave}\nitems: [{check: clock.sync}]\n",
			 "6:19: unknown owner 'dave' (not in people:)");
	expect_mem_error("version: 1\npeople: {alice: {}}\nowner: zed\nitems: [{check: clock.sync}]\n",
			 "3:8: unknown owner 'zed' (not in people:)");
	/* People. */
	expect_mem_error("version: 1\npeople: {alice: {mobile: '138 0013 8000'}}\nitems: [{check: clock.sync}]\n",
			 "2:26: bad mobile number '138 0013 8000' (digits, an optional leading '+' and '-' between groups: "
			 "+86-138-0013-8000)");
	expect_mem_error("version: 1\npeople: {alice: {mobile: '+86--138'}}\nitems: [{check: clock.sync}]\n",
			 "2:26: bad mobile number '+86--138' (digits, an optional leading '+' and '-' between groups: "
			 "+86-138-0013-8000)");
	expect_mem_error("version: 1\npeople: {alice: {mobile: 13800138000-}}\nitems: [{check: clock.sync}]\n",
			 "2:26: bad mobile number '13800138000-' (digits, an optional leading '+' and '-' between groups: "
			 "+86-138-0013-8000)");
	expect_mem_error("version: 1\npeople: {alice: {slack: '@alice'}}\nitems: [{check: clock.sync}]\n",
			 "2:25: bad Slack member id '@alice' (upper-case letters and digits, such as U012AB3CD)");
	expect_mem_error("version: 1\npeople: {alice: {email: alice}}\nitems: [{check: clock.sync}]\n",
			 "2:25: bad email address 'alice'");
	expect_mem_error("version: 1\npeople: {alice: {phone: 1}}\nitems: [{check: clock.sync}]\n",
			 "2:18: unknown key 'phone' in a person (valid: name, mobile, slack, email)");
	expect_mem_error("version: 1\npeople: [alice]\nitems: [{check: clock.sync}]\n",
			 "2:9: 'people' must be a mapping of name: {name, mobile, slack, email}, not a sequence");
	/* Notify: secrets are refused whatever their value, and never echoed. */
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: wecom, url: 'https://qyapi/send?key=SECRET'}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:44: 'url' is refused in a channel: secrets never go in the checklist; name where the webhook "
			 "URL is with url_env: VAR or url_file: PATH");
	expect_mem_error("version: 1\nnotify: {channels: [{name: d, kind: dingtalk, url_env: U, secret: SEC}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:59: 'secret' is refused in a channel: secrets never go in the checklist; name where it is with "
			 "secret_env: VAR or secret_file: PATH");
	expect_mem_error("version: 1\njira: {project: OPS, token: abc}\nitems: [{check: clock.sync}]\n",
			 "2:22: 'token' is refused in 'jira': secrets never go in the checklist; preflight reads them "
			 "from the environment or a file");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: wecom}]}\nitems: [{check: clock.sync}]\n",
			 "2:21: channel 'w' needs url_env (an environment variable) or url_file (a file) holding its webhook "
			 "URL");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: wecom, url_env: A, url_file: /b}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:66: channel 'w' takes url_env or url_file, not both");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: wecom, url_env: A, secret_env: B}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:68: channel 'w': a signing secret is for dingtalk channels only");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: teams, url_env: A}]}\nitems: [{check: clock.sync}]\n",
			 "2:37: unknown channel kind 'teams' (valid: wecom, dingtalk, slack, webhook)");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: wecom, url_env: 'https://h/?key=SECRET'}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:53: bad url_env: give the name of an environment variable (letters, digits and '_'), not its "
			 "value");
	expect_mem_error("version: 1\nnotify: {channels: [{name: d, kind: dingtalk, url_env: U, secret_env: SEC-abc}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:71: bad secret_env: give the name of an environment variable (letters, digits and '_'), not "
			 "its value");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: slack, url_env: A}, {name: w, kind: wecom, "
			 "url_env: B}]}\nitems: [{check: clock.sync}]\n",
			 "2:64: duplicate channel name 'w' (first at 2:28)");
	expect_mem_error("version: 1\nnotify: {channels: [{name: w, kind: wecom, url_env: A, format: html}]}\n"
			 "items: [{check: clock.sync}]\n",
			 "2:64: unknown channel format 'html' (valid: markdown, text)");
	/* Alerts. */
	expect_mem_error(HEAD "alerts: {channels: [ops-wecom, ops-slack]}\nitems: [{check: clock.sync}]\n",
			 "6:32: unknown channel 'ops-slack' in alerts (not in notify.channels; valid: ops-wecom)");
	expect_mem_error(HEAD "alerts: {channels: [pager]}\nitems: [{check: clock.sync}]\n",
			 "6:21: unknown channel 'pager' in alerts (not in notify.channels; valid: ops-wecom)");
	expect_mem_error("version: 1\nalerts: {channels: [pager]}\nitems: [{check: clock.sync}]\n",
			 "2:21: unknown channel 'pager' in alerts (the checklist has no notify.channels)");
	expect_mem_error("version: 1\nalerts: {remind_every: soon}\nitems: [{check: clock.sync}]\n",
			 "2:24: alerts 'remind_every': bad duration 'soon' (use a number with ms, s, m or h: 500ms, 2s, 1m, "
			 "1h)");
	expect_mem_error("version: 1\nalerts: {remind_every: 10s}\nitems: [{check: clock.sync}]\n",
			 "2:24: alerts 'remind_every': duration '10s' is too short (at least 60s)");
	/* Prometheus, jira, parallel. */
	expect_mem_error("version: 1\nprometheus: {prod: 'prom:9090'}\nitems: [{check: clock.sync}]\n",
			 "2:20: prometheus URL 'prom:9090' is not an http:// or https:// URL");
	expect_mem_error("version: 1\njira: {parent: OPS-1}\nitems: [{check: clock.sync}]\n",
			 "2:7: 'jira' needs 'project' (the project key, such as OPS)");
	expect_mem_error("version: 1\njira: {project: ops}\nitems: [{check: clock.sync}]\n",
			 "2:17: bad jira project key 'ops' (upper-case letters and digits, such as OPS)");
	expect_mem_error("version: 1\njira: {project: OPS, parent: 'OPS 1'}\nitems: [{check: clock.sync}]\n",
			 "2:30: bad jira parent 'OPS 1' (an issue key such as OPS-123)");
	expect_mem_error("version: 1\nparallel: 0\nitems: [{check: clock.sync}]\n",
			 "2:11: 'parallel': 0 is out of range (valid: 1 to 256)");
	expect_mem_error("version: 1\nparallel: 257\nitems: [{check: clock.sync}]\n",
			 "2:11: 'parallel': 257 is out of range (valid: 1 to 256)");
	expect_mem_error("version: 1\nparalel: 2\nitems: [{check: clock.sync}]\n",
			 "2:1: unknown key 'paralel' at the top level (did you mean 'parallel'?)");
}

/* What a run stores: everything but line numbers; channels with only the
 * names of where their secrets are. */
static void test_json_forms(void **state)
{
	static const char yaml[] =
		HEAD
		"jira: {project: OPS}\n"
		"items:\n"
		"  - {id: fd, check: fd.process, params: {warn: 0.5}, owner: bob, due: +30m, tags: {t: v}}\n"
		"  - {id: m, title: sign-off, verify: manual, env: prod, module: order, change: DEP-1}\n"
		"  - {id: x, title: run, verify: {exec: {command: [a, b]}}}\n"
		"  - {id: h, title: get, verify: {http: {url: 'http://x/', headers: {A: b}}}}\n"
		"  - {id: p, title: q, verify: {promql: {server: prod, query: up, condition: '== 1'}}}\n";
	struct checklist c;
	json_t *j, *it, *ch;
	char *text;

	load_ok(yaml, &c);
	j = checklist_to_json(&c);
	assert_non_null(j);
	text = json_dumps(j, JSON_SORT_KEYS);
	assert_null(strstr(text, "line"));
	assert_null(strstr(text, "column"));
	assert_string_equal(json_string_value(json_object_get(j, "owner")), "alice");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "parallel")), 8);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j, "people"), "alice"),
							       "mobile")),
			    "+86-138-0013-8000");
	ch = json_array_get(json_object_get(json_object_get(j, "notify"), "channels"), 0);
	assert_string_equal(json_string_value(json_object_get(ch, "url_env")), "WECOM_URL");
	assert_null(json_object_get(ch, "url"));
	assert_int_equal(json_integer_value(json_object_get(ch, "rate_per_min")), 20);
	assert_true(json_number_value(json_object_get(json_object_get(j, "alerts"), "remind_every_s")) == 1800);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "prometheus"), "prod")),
			    "http://prom.example:9090");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "jira"), "issue_type")), "Sub-task");
	assert_int_equal(json_array_size(json_object_get(j, "items")), 5);
	free(text);

	it = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "verify")), "check");
	assert_string_equal(json_string_value(json_object_get(it, "check")), "fd.process");
	assert_true(json_real_value(json_object_get(json_object_get(it, "params"), "warn")) == 0.5);
	assert_string_equal(json_string_value(json_object_get(it, "due")), "+30m");
	assert_true(json_number_value(json_object_get(it, "due_offset_s")) == 1800);
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "tags"), "t")), "v");
	assert_string_equal(json_string_value(json_object_get(it, "title")), registry_find("fd.process")->title);
	it = json_array_get(json_object_get(j, "items"), 1);
	assert_string_equal(json_string_value(json_object_get(it, "verify")), "manual");
	assert_null(json_object_get(it, "check"));
	assert_null(json_object_get(it, "owner"));
	assert_string_equal(json_string_value(json_object_get(it, "env")), "prod");
	assert_string_equal(json_string_value(json_object_get(it, "module")), "order");
	assert_string_equal(json_string_value(json_object_get(it, "change")), "DEP-1");
	it = json_array_get(json_object_get(j, "items"), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(it, "exec"), "command"), 1)),
			    "b");
	assert_true(json_number_value(json_object_get(json_object_get(it, "exec"), "timeout_s")) == 60);
	it = json_array_get(json_object_get(j, "items"), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "http"), "method")), "GET");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(it, "http"), "headers"), 0)),
			    "A: b");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(it, "http"), "expect_status")), 200);
	it = json_array_get(json_object_get(j, "items"), 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "promql"), "server_url")),
			    "http://prom.example:9090");
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "promql"), "op")), "==");
	assert_true(json_number_value(json_object_get(json_object_get(it, "promql"), "value")) == 1);
	json_decref(j);

	/* The item form alone is the same object. */
	j = checklist_item_to_json(&c.items[4]);
	it = checklist_to_json(&c);
	assert_true(json_equal(j, json_array_get(json_object_get(it, "items"), 4)));
	json_decref(j);
	json_decref(it);
	checklist_release(&c);
}

static void test_launch_example_loads(void **state)
{
	struct checklist c;
	struct err e = { { 0 } };
	char *path = NULL;
	size_t kinds[VERIFY_MANUAL + 1] = { 0 }, modules = 0;
	json_t *j;
	char *text;

	assert_true(asprintf(&path, "%s/../../examples/launch.yaml", getenv("FIXTURES")) > 0);
	if (checklist_load_file(path, &c, &e) != 0)
		fail_msg("%s", e.msg);
	free(path);
	assert_int_equal(c.n_items, 12);
	for (size_t i = 0; i < c.n_items; i++) {
		kinds[c.items[i].verify]++;
		assert_string_equal(c.items[i].env, "prod");
		assert_non_null(c.items[i].module);
		assert_non_null(checklist_person(&c, c.items[i].owner));
		modules += !strcmp(c.items[i].module, "payment") || !strcmp(c.items[i].module, "order") ||
			   !strcmp(c.items[i].module, "infra");
	}
	assert_int_equal(modules, c.n_items);
	for (int k = VERIFY_CHECK; k <= VERIFY_MANUAL; k++)
		assert_true(kinds[k] >= 2);
	assert_string_equal(c.owner, "alice");
	assert_int_equal(c.n_channels, 3);
	assert_string_equal(c.channels[0].kind, "wecom");
	assert_string_equal(c.channels[1].kind, "dingtalk");
	assert_string_equal(c.channels[1].secret_env, "PREFLIGHT_DINGTALK_SECRET");
	assert_string_equal(c.channels[2].kind, "slack");
	assert_non_null(c.alerts.channels);
	assert_non_null(c.jira);
	assert_int_equal(c.max_parallel, 4);
	j = checklist_to_json(&c);
	assert_non_null(j);
	text = json_dumps(j, 0);
	assert_non_null(text);
	free(text);
	json_decref(j);
	checklist_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_every_field),
		cmocka_unit_test(test_defaults_inheritance),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_inline),
		cmocka_unit_test(test_param_rules),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_number_values),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_duplicate_keys_many),
		cmocka_unit_test(test_default_covers_registry),
		cmocka_unit_test(test_example_loads),
		cmocka_unit_test(test_docs_list_every_param),
		cmocka_unit_test(test_verify_kinds),
		cmocka_unit_test(test_verify_errors),
		cmocka_unit_test(test_item_keys),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_json_forms),
		cmocka_unit_test(test_launch_example_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
