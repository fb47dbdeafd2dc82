/* The shared helpers of src/base on their own: bounded buffers, strict
 * numbers, CPU lists, UTF-8 and growing arrays. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "base/array.h"
#include "base/buf.h"
#include "base/cpuset.h"
#include "base/parse.h"
#include "base/quote.h"
#include "base/utf8.h"

/* A buffer "without" a maximum (SIZE_MAX) must not wrap max + 1 to 0 and
 * realloc to nothing (it did: a double free under escape.c). */
static void test_buf_unbounded(void **state)
{
	struct buf b = BUF_INIT(SIZE_MAX);

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), -E2BIG);
	buf_release(&b);
}

static void test_buf_cap(void **state)
{
	struct buf b = BUF_INIT(8);

	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_string_equal(buf_str(&b), "12345678");
	/* One byte past the named maximum is refused and changes nothing. */
	assert_int_equal(buf_puts(&b, "9"), -E2BIG);
	assert_int_equal(b.len, 8);
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(buf_str(&b), "42-x");
	assert_int_equal(buf_printf(&b, "%s", "too long"), -E2BIG);
	buf_release(&b);
}

static void test_parse_strict(void **state)
{
	uint64_t u;
	int64_t i;
	double d;

	assert_int_equal(parse_u64(" 42\n", &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(parse_u64("18446744073709551615", &u), 0);
	assert_int_equal(parse_u64("18446744073709551616", &u), -ERANGE);
	assert_int_equal(parse_u64("-1", &u), -EINVAL);
	assert_int_equal(parse_u64("12abc", &u), -EINVAL);
	assert_int_equal(parse_u64("", &u), -EINVAL);
	assert_int_equal(parse_i64("-9223372036854775808", &i), 0);
	assert_int_equal(parse_i64("9223372036854775808", &i), -ERANGE);
	assert_int_equal(parse_double("0.25", &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(parse_double("1e400", &d), -ERANGE);
	assert_int_equal(parse_double("1.5x", &d), -EINVAL);
	/* Underflow is Go's ParseFloat result for parse_double, an error for
	 * the exact parse (numbers a person wrote). */
	assert_int_equal(parse_double("1e-400", &d), 0);
	assert_true(d == 0);
	assert_int_equal(parse_double_exact("1e-400", &d), -ERANGE);
	assert_int_equal(parse_double_exact("1e400", &d), -ERANGE);
	assert_int_equal(parse_double_exact(" 2.5 ", &d), 0);
	assert_true(d == 2.5);
	assert_int_equal(parse_i64("-9223372036854775809", &i), -ERANGE);
	assert_int_equal(parse_i64(" -7\n", &i), 0);
	assert_int_equal(i, -7);
	assert_int_equal(parse_i64("+7", &i), -EINVAL);
	assert_int_equal(parse_i64("-", &i), -EINVAL);
	assert_int_equal(parse_i64("- 7", &i), -EINVAL);
	assert_int_equal(parse_u64("4 2", &u), -EINVAL);
	assert_int_equal(parse_u64("+1", &u), -EINVAL);
	assert_int_equal(parse_u64("0x10", &u), -EINVAL);
	/* durations, the grammar of every --interval/--window/--cooldown */
	assert_int_equal(parse_duration("200ms", &d), 0);
	assert_true(fabs(d - 0.2) < 1e-12);
	assert_int_equal(parse_duration("1.5s", &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(parse_duration("2m", &d), 0);
	assert_true(d == 120);
	assert_int_equal(parse_duration("1h", &d), 0);
	assert_true(d == 3600);
	assert_int_equal(parse_duration("3", &d), 0); /* bare: seconds */
	assert_true(d == 3);
	assert_int_equal(parse_duration("0", &d), 0);
	assert_true(d == 0);
	assert_int_equal(parse_duration("5mm", &d), -EINVAL);
	assert_int_equal(parse_duration("5hs", &d), -EINVAL);
	assert_int_equal(parse_duration("-1s", &d), -EINVAL);
	assert_int_equal(parse_duration("s", &d), -EINVAL);
	assert_int_equal(parse_duration("", &d), -EINVAL);
	assert_int_equal(parse_duration("nans", &d), -EINVAL);
	assert_int_equal(parse_duration("1d", &d), -EINVAL);
}

/* The bounded forms: a field cut out of a line, and digits at the start. */
static void test_parse_bounded(void **state)
{
	uint64_t u = 99;
	size_t k;

	(void)state;
	/* only the n bytes count: what follows them is not looked at */
	assert_int_equal(parse_u64_n("12345", 3, &u), 0);
	assert_int_equal(u, 123);
	assert_int_equal(parse_u64_n("18446744073709551615x", 20, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(parse_u64_n("18446744073709551616", 20, &u), -ERANGE);
	/* no sign, no space, nothing empty */
	assert_int_equal(parse_u64_n(" 1", 2, &u), -EINVAL);
	assert_int_equal(parse_u64_n("1 ", 2, &u), -EINVAL);
	assert_int_equal(parse_u64_n("+1", 2, &u), -EINVAL);
	assert_int_equal(parse_u64_n("1", 0, &u), -EINVAL);
	/* a C string shorter than n: stops at the NUL, never reads past it */
	assert_int_equal(parse_u64_n("12", 8, &u), -EINVAL);
	/* long runs of leading zeros are still the number */
	assert_int_equal(parse_u64_n("000000000000000000000000042", 27, &u), 0);
	assert_int_equal(u, 42);

	assert_int_equal(parse_u64_prefix("42 @ 0x1", 8, &u, &k), 0);
	assert_int_equal(u, 42);
	assert_int_equal(k, 2);
	assert_int_equal(parse_u64_prefix("4242", 3, &u, &k), 0);
	assert_int_equal(u, 424);
	assert_int_equal(k, 3);
	assert_int_equal(parse_u64_prefix("x1", 2, &u, &k), -EINVAL);
	assert_int_equal(parse_u64_prefix("", 0, &u, &k), -EINVAL);
	assert_int_equal(parse_u64_prefix("99999999999999999999 ", 21, &u, &k), -ERANGE);
}

static void test_cpuset(void **state)
{
	struct cpuset s, m;
	char out[64];

	assert_int_equal(cpuset_parse_list("0-3,8,10-11\n", &s), 0);
	assert_int_equal(cpuset_count(&s), 7);
	assert_int_equal(cpuset_format(&s, out, sizeof(out)), 0);
	assert_string_equal(out, "0-3,8,10-11");
	assert_int_equal(cpuset_parse_list("", &s), 0);
	assert_int_equal(cpuset_count(&s), 0);
	assert_int_equal(cpuset_parse_list("3-1", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1,,2", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("99999", &s), -ERANGE);
	/* The mask form of Cpus_allowed: comma-separated 32-bit words. */
	assert_int_equal(cpuset_parse_mask("1,00000003\n", &m), 0);
	assert_int_equal(cpuset_format(&m, out, sizeof(out)), 0);
	assert_string_equal(out, "0-1,32");
	assert_int_equal(cpuset_parse_mask("xyz", &m), -EINVAL);
}

static void test_utf8(void **state)
{
	char *s = utf8_sanitize("ok \xff\xc3\xa9");

	assert_non_null(s);
	assert_string_equal(s, "ok " UTF8_REPLACEMENT "\xc3\xa9");
	free(s);
}

/* The validator and the encoder at the edges of each sequence length. */
static void test_utf8_valid_encode(void **state)
{
	static const struct {
		unsigned cp;
		const char *bytes;
	} enc[] = {
		{ 0x7f, "\x7f" }, { 0x80, "\xc2\x80" }, { 0x7ff, "\xdf\xbf" }, { 0x800, "\xe0\xa0\x80" },
		{ 0xffff, "\xef\xbf\xbf" }, { 0x10000, "\xf0\x90\x80\x80" }, { 0x10ffff, "\xf4\x8f\xbf\xbf" },
		/* not encodable: U+FFFD instead, as Go's utf8.EncodeRune */
		{ 0xd800, UTF8_REPLACEMENT }, { 0x110000, UTF8_REPLACEMENT },
	};
	char out[4];

	(void)state;
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		size_t n = utf8_encode(enc[i].cp, out);

		assert_int_equal(n, strlen(enc[i].bytes));
		assert_memory_equal(out, enc[i].bytes, n);
	}
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("a\0b", 3));
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));   /* above U+10FFFF */
	assert_false(utf8_valid("\xed\xa0\x80", 3));        /* surrogate */
	assert_false(utf8_valid("\xc0\xaf", 2));             /* overlong */
	assert_false(utf8_valid("\xe2\x82", 2));             /* short */
}

/* Outside input in a message: one line, no terminal controls, bounded. */
static void test_quote_for_message(void **state)
{
	char q[QUOTE_SIZE], in[200];
	const char *s;

	(void)state;
	assert_string_equal(quote_for_message("vcs.modified", 12, q), "vcs.modified");
	assert_string_equal(quote_for_message("", 0, q), "");
	/* only len bytes count */
	assert_string_equal(quote_for_message("abcdef", 3, q), "abc");
	/* C0, DEL, C1 (U+009B is CSI to some terminals), bytes not UTF-8 */
	assert_string_equal(quote_for_message("a\nb\tc\x1b[31m", 10, q), "a?b?c?[31m");
	assert_string_equal(quote_for_message("x\x7f\xc2\x9by", 5, q), "x??y");
	assert_string_equal(quote_for_message("\xff\xc3", 2, q), "??");
	/* other UTF-8 stays whole */
	assert_string_equal(quote_for_message("caf\xc3\xa9 \xe6\x97\xa5", 9, q), "caf\xc3\xa9 \xe6\x97\xa5");
	/* at most 60 bytes, then "..."; a character is never split */
	memset(in, 'a', sizeof(in));
	s = quote_for_message(in, sizeof(in), q);
	assert_int_equal(strlen(s), 63);
	assert_memory_equal(s + 60, "...", 4);
	memset(in, 'a', 59);
	memcpy(in + 59, "\xe6\x97\xa5", 3);
	s = quote_for_message(in, 62, q);
	assert_int_equal(strlen(s), 62);
	assert_string_equal(s + 59, "...");
	assert_int_equal(strlen(quote_for_message(in, 60, q)), 60);
}

static void test_array_reserve(void **state)
{
	uint32_t *a = NULL;
	size_t cap = 0, n;

	for (n = 0; n < 1000; n++) {
		assert_int_equal(array_reserve(&a, &cap, n, sizeof(*a), 4), 0);
		assert_true(cap > n);
		a[n] = (uint32_t)n;
	}
	assert_int_equal(cap, 1024);
	for (n = 0; n < 1000; n++)
		assert_int_equal(a[n], n);
	/* Room for a far element at once: doubled as often as it takes. */
	assert_int_equal(array_reserve(&a, &cap, 5000, sizeof(*a), 4), 0);
	assert_int_equal(cap, 8192);
	assert_int_equal(a[999], 999);
	/* An element count whose size overflows is refused, array untouched. */
	cap = SIZE_MAX / 2 + 1;
	assert_int_equal(array_reserve(&a, &cap, cap, sizeof(*a), 4), -ENOMEM);
	assert_int_equal(a[999], 999);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_unbounded),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_parse_bounded),
		cmocka_unit_test(test_cpuset),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_valid_encode),
		cmocka_unit_test(test_quote_for_message),
		cmocka_unit_test(test_array_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
