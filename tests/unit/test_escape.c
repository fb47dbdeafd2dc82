/* escape and term: untrusted text made safe for a terminal (no byte that
 * a terminal obeys gets through, text that needs nothing is left alone),
 * word wrapping, and the colour and width rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"
#include "report/term.h"

static char *escaped(const char *s)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	term_puts(f, s);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* term_puts and term_escape_dup agree, and the result holds no byte a
 * terminal would act on. */
static void expect_escape(const char *in, const char *want)
{
	char *a = escaped(in), *b = term_escape_dup(in);

	assert_non_null(b);
	assert_string_equal(a, want);
	assert_string_equal(b, want);
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		assert_false(*p < 0x20 || *p == 0x7f);
	/* escaping is idempotent in effect: the output needs none */
	assert_false(term_needs_escape(a, strlen(a)));
	free(a);
	free(b);
}

static void test_escape_cases(void **state)
{
	/* Nothing to do: written as is, no quotes, even with quotes inside. */
	expect_escape("order-api", "order-api");
	expect_escape("/srv/a \"b\" \\c", "/srv/a \"b\" \\c");
	expect_escape("h\xc3\xa9llo \xe4\xb8\xad\xe6\x96\x87", "h\xc3\xa9llo \xe4\xb8\xad\xe6\x96\x87");
	expect_escape("", "");
	/* A window-title OSC and a screen clear, as an executable name. */
	expect_escape("/tmp/x/\x1b]0;pwned\a\x1b[2Jsvc", "\"/tmp/x/\\e]0;pwned\\x07\\e[2Jsvc\"");
	/* C escapes for the common controls, \xNN for the rest and DEL. */
	expect_escape("a\tb\nc\rd", "\"a\\tb\\nc\\rd\"");
	expect_escape("nul\x01x\x7f", "\"nul\\x01x\\x7f\"");
	/* Once quoted, quotes and backslashes inside are escaped too. */
	expect_escape("\x1b\"\\", "\"\\e\\\"\\\\\"");
	/* C1 controls are valid UTF-8 but terminals obey them (U+009B is CSI). */
	expect_escape("x\xc2\x9b" "31m", "\"x\\xc2\\x9b31m\"");
	expect_escape("\xc2\x85", "\"\\xc2\\x85\"");
	/* U+00A0, the first character after C1, is fine. */
	expect_escape("\xc2\xa0", "\xc2\xa0");
	/* Bytes that are not UTF-8: each one escaped, the rest kept. */
	expect_escape("ab\xff\xfe" "c", "\"ab\\xff\\xfec\"");
	expect_escape("\xe4\xb8", "\"\\xe4\\xb8\"");           /* cut short */
	expect_escape("\xc0\xaf", "\"\\xc0\\xaf\"");           /* overlong '/' */
	expect_escape("\xed\xa0\x80", "\"\\xed\\xa0\\x80\"");  /* a surrogate */
}

static void test_escape_null_and_putn(void **state)
{
	char *out = NULL, *dup;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	term_puts(f, NULL);
	term_putn(f, NULL, 3);
	/* putn stops at n and escapes an embedded NUL. */
	term_putn(f, "ab\0cd", 5);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "\"ab\\x00cd\"");
	free(out);
	dup = term_escape_dup(NULL);
	assert_non_null(dup);
	assert_string_equal(dup, "");
	free(dup);
	assert_false(term_needs_escape("plain", 5));
	assert_true(term_needs_escape("a\x1b", 2));
	/* only the first n bytes count */
	assert_false(term_needs_escape("a\x1b", 1));
}

static char *wrapped(const char *text, unsigned width, unsigned start, unsigned indent)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	term_wrap(f, text, width, start, indent);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_wrap(void **state)
{
	char *s;

	/* width 0: as is */
	s = wrapped("one two three", 0, 0, 4);
	assert_string_equal(s, "one two three");
	free(s);
	s = wrapped("aaaa bbbb cccc dddd eeee ffff", 20, 0, 2);
	assert_string_equal(s, "aaaa bbbb cccc dddd\n  eeee ffff");
	free(s);
	/* The first line starts at column start; continuation lines at indent. */
	s = wrapped("aaaa bbbb cccc dddd", 22, 10, 10);
	assert_string_equal(s, "aaaa bbbb\n          cccc dddd");
	free(s);
	/* A word longer than the line stays whole. */
	s = wrapped("x abcdefghijklmnopqrstuvwxyz y", 20, 0, 0);
	assert_string_equal(s, "x\nabcdefghijklmnopqrstuvwxyz\ny");
	free(s);
	/* A newline in the text starts an indented line. */
	s = wrapped("a\nb", 40, 0, 3);
	assert_string_equal(s, "a\n   b");
	free(s);
	/* Characters, not bytes: twelve two-byte letters fill 12 columns. */
	s = wrapped("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 12, 0, 0);
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	free(s);
	/* Every line fits the width when the words do. */
	s = wrapped("the quick brown fox jumps over the lazy dog and keeps running far away", 24, 5, 5);
	for (char *line = s, *nl; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		assert_true((size_t)(nl ? nl - line : (long)strlen(line)) + (line == s ? 5 : 0) <= 24);
	}
	free(s);
}

static void test_detect(void **state)
{
	struct term t;
	FILE *f = tmpfile();

	assert_non_null(f);
	/* Not a terminal: no colour, no wrapping, whatever the environment. */
	setenv("COLUMNS", "100", 1);
	unsetenv("NO_COLOR");
	term_detect(f, TERM_COLOR_AUTO, &t);
	assert_false(t.tty);
	assert_false(t.color);
	assert_int_equal(t.width, 0);
	/* --color=always forces colour; never forbids it. */
	term_detect(f, TERM_COLOR_ALWAYS, &t);
	assert_true(t.color);
	term_detect(f, TERM_COLOR_NEVER, &t);
	assert_false(t.color);
	unsetenv("COLUMNS");
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_cases),
		cmocka_unit_test(test_escape_null_and_putn),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
