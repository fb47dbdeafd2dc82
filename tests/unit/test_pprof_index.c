/* Unit tests for the pprof index page parser: real pages captured from
 * Go 1.19 and Go 1.26 (tests/fixtures/pprof-index/), the old (Go 1.10)
 * layout, and pages that are not an index or are cut short. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "goruntime/pprof_index.h"
#include "collect/endpoints.h"

/* Reads a fixture into a buffer of exactly its size, with no NUL after
 * it: the parser must not read past len (ASan watches). */
static char *read_fixture(const char *rel, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char path[1024];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", rel);
	f = fopen(path, "rbe");
	if (!f)
		fail_msg("cannot open fixture '%s'", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static char *copy_exact(const char *s, size_t *len)
{
	char *d;

	*len = strlen(s);
	d = malloc(*len ? *len : 1);
	assert_non_null(d);
	memcpy(d, s, *len);
	return d;
}

static int parse_str(const char *s, struct pprof_index *x, struct err *e)
{
	size_t len;
	char *d = copy_exact(s, &len);
	int r = pprof_index_counts(d, len, x, e);

	free(d);
	return r;
}

static void test_go119(void **state)
{
	struct pprof_index x;
	struct err e = { "" };
	size_t len;
	char *html = read_fixture("pprof-index/go1.19/index.html", &len);

	(void)state;
	assert_int_equal(pprof_index_counts(html, len, &x, &e), 0);
	assert_true(x.goroutine.ok);
	assert_int_equal(x.goroutine.n, 41);
	assert_true(x.heap.ok);
	assert_int_equal(x.heap.n, 139);
	assert_true(x.allocs.ok);
	assert_int_equal(x.allocs.n, 136);
	assert_true(x.block.ok);
	assert_int_equal(x.block.n, 3);
	assert_true(x.mutex.ok);
	assert_int_equal(x.mutex.n, 1);
	assert_true(x.threadcreate.ok);
	assert_int_equal(x.threadcreate.n, 7);
	/* allocs block cmdline goroutine heap mutex profile threadcreate trace */
	assert_int_equal(x.n_profiles, 9);
	free(html);
}

static void test_go126(void **state)
{
	struct pprof_index x;
	struct err e = { "" };
	size_t len;
	char *html = read_fixture("pprof-index/go1.26/index.html", &len);

	(void)state;
	assert_int_equal(pprof_index_counts(html, len, &x, &e), 0);
	assert_int_equal(x.goroutine.n, 41);
	assert_int_equal(x.heap.n, 144);
	assert_int_equal(x.allocs.n, 141);
	assert_int_equal(x.block.n, 4);
	assert_int_equal(x.mutex.n, 1);
	assert_int_equal(x.threadcreate.n, 6);
	assert_true(x.goroutine.ok && x.heap.ok && x.allocs.ok && x.block.ok && x.mutex.ok && x.threadcreate.ok);
	/* Go 1.26 lists symbol too. */
	assert_int_equal(x.n_profiles, 10);
	free(html);
}

/* The old template (Go 1.10 and before): no closing tags, double quotes,
 * align=right, no allocs profile (added in Go 1.11). A page captured from
 * such a service. */
static void test_go110_layout(void **state)
{
	const char *html = "<html>\n<head>\n<title>/debug/pprof/</title>\n</head>\n<body>\n"
			   "/debug/pprof/<br>\n<br>\nprofiles:<br>\n<table>\n\n"
			   "<tr><td align=right>0<td><a href=\"block?debug=1\">block</a>\n\n"
			   "<tr><td align=right>33<td><a href=\"goroutine?debug=1\">goroutine</a>\n\n"
			   "<tr><td align=right>3<td><a href=\"heap?debug=1\">heap</a>\n\n"
			   "<tr><td align=right>0<td><a href=\"mutex?debug=1\">mutex</a>\n\n"
			   "<tr><td align=right>11<td><a href=\"threadcreate?debug=1\">threadcreate</a>\n\n"
			   "</table>\n<br>\n<a href=\"goroutine?debug=2\">full goroutine stack dump</a><br>\n"
			   "</body>\n</html>\n";
	struct pprof_index x;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse_str(html, &x, &e), 0);
	assert_int_equal(x.goroutine.n, 33);
	assert_int_equal(x.heap.n, 3);
	assert_int_equal(x.threadcreate.n, 11);
	assert_true(x.block.ok);
	assert_int_equal(x.block.n, 0);
	assert_false(x.allocs.ok);
	assert_int_equal(x.n_profiles, 5);
}

/* A service's own pprof.NewProfile shows up as a row; it is counted but
 * does not disturb the known ones. Links may carry a path prefix when the
 * index is mounted elsewhere. */
static void test_custom_profile_and_prefix(void **state)
{
	const char *html = "<table>\n"
			   "<tr><td>7</td><td><a href='/admin/pprof/my.conns?debug=1'>my.conns</a></td></tr>\n"
			   "<tr><td>18446744073709551615</td><td><a href='/admin/pprof/goroutine?debug=1'>goroutine</a></td></tr>\n"
			   "</table>\n";
	struct pprof_index x;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse_str(html, &x, &e), 0);
	assert_int_equal(x.goroutine.n, UINT64_MAX);
	assert_false(x.heap.ok);
	assert_int_equal(x.n_profiles, 2);
}

static void expect_parse_error(const char *html, const char *want)
{
	struct pprof_index x;
	struct err e = { "" };

	memset(&x, 0xa5, sizeof(x));
	assert_int_equal(parse_str(html, &x, &e), -PF_EPARSE);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' does not contain '%s'", e.msg, want);
	/* Nothing is written on failure. */
	assert_int_equal(x.goroutine.n, 0xa5a5a5a5a5a5a5a5ull);
}

static void test_not_an_index(void **state)
{
	(void)state;
	expect_parse_error("", "not a pprof index page");
	expect_parse_error("goroutine profile: total 4\n1 @ 0x1 0x2\n#\t0x1\tmain.main+0x1\t/m.go:1\n",
			   "not a pprof index page");
	expect_parse_error("<html><body><form action=/login><input name=user></form></body></html>",
			   "not a pprof index page");
	/* The dump link below the table is not a count. */
	expect_parse_error("<table></table><a href=\"goroutine?debug=2\">full goroutine stack dump</a>",
			   "no goroutine count");
}

static void test_bad_counts(void **state)
{
	(void)state;
	expect_parse_error("<table>\n<tr><td>1</td><td><a href='heap?debug=1'>heap</a></td></tr>\n"
			   "<tr><td>many</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n</table>",
			   "line 3: count of 'goroutine' is not a number");
	/* One past UINT64_MAX. */
	expect_parse_error("<tr><td>18446744073709551616</td><td><a href='goroutine?debug=1'>goroutine</a>",
			   "count of 'goroutine' is not a number");
	expect_parse_error("<tr><td>-3</td><td><a href='goroutine?debug=1'>goroutine</a>", "not a number");
	expect_parse_error("<tr><td>12abc</td><td><a href='goroutine?debug=1'>goroutine</a>", "not a number");
	/* An unknown profile with a strange count is not our business. */
	{
		struct pprof_index x;
		struct err e = { "" };

		assert_int_equal(parse_str("<tr><td>n/a</td><td><a href='custom?debug=1'>custom</a></td></tr>"
					   "<tr><td>5</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>",
					   &x, &e),
				 0);
		assert_int_equal(x.goroutine.n, 5);
		assert_int_equal(x.n_profiles, 1);
	}
}

/* A page cut at any length either parses with the right goroutine count
 * or is refused: a cut never turns "41" into a wrong number that parses. */
static void test_truncated_everywhere(void **state)
{
	static const char *const files[] = { "pprof-index/go1.19/index.html", "pprof-index/go1.26/index.html" };

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		size_t len, ok = 0;
		char *html = read_fixture(files[f], &len);

		for (size_t n = 0; n <= len; n++) {
			char *cut = malloc(n ? n : 1);
			struct pprof_index x;
			struct err e = { "" };
			int r;

			assert_non_null(cut);
			memcpy(cut, html, n);
			r = pprof_index_counts(cut, n, &x, &e);
			if (r == 0) {
				assert_int_equal(x.goroutine.n, 41);
				ok++;
			} else {
				assert_int_equal(r, -PF_EPARSE);
			}
			free(cut);
		}
		/* From the end of the goroutine link on, every cut parses. */
		assert_true(ok > len / 2);
		free(html);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go119),
		cmocka_unit_test(test_go126),
		cmocka_unit_test(test_go110_layout),
		cmocka_unit_test(test_custom_profile_and_prefix),
		cmocka_unit_test(test_not_an_index),
		cmocka_unit_test(test_bad_counts),
		cmocka_unit_test(test_truncated_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
