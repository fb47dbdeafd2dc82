/* json_out: every real written in the shortest form that reads back as
 * the same double, still recognisably a real; boundary values by hand and
 * a round-trip property over random bit patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <stdbool.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_out.h"

static const char *real(double v)
{
	static char buf[40];

	json_out_real(v, buf, sizeof(buf));
	return buf;
}

static void test_real_by_hand(void **state)
{
	assert_string_equal(real(0.1), "0.1");
	assert_string_equal(real(0.7), "0.7");
	assert_string_equal(real(0.31), "0.31");
	assert_string_equal(real(1e-7), "1e-07");
	assert_string_equal(real(1.0 / 3.0), "0.3333333333333333");
	assert_string_equal(real(2.0 / 3.0), "0.6666666666666666");
	/* 2^53 + 1 is not a double: it rounds to 2^53, which needs every digit
	 * and gets ".0" so it reads back as a real, not an integer. */
	assert_string_equal(real((double)((1LL << 53) + 1)), "9007199254740992.0");
	assert_string_equal(real(1e300), "1e+300");
	assert_string_equal(real(-1e-300), "-1e-300");
	assert_string_equal(real(-0.0), "-0.0");
	assert_true(signbit(strtod(real(-0.0), NULL)));
	assert_string_equal(real(0.0), "0.0");
	assert_string_equal(real(3.0), "3.0");
	assert_string_equal(real(-2.5), "-2.5");
	/* plain decimals from 1e-4 up to 1e16, as Python's repr: no 1e+02 */
	assert_string_equal(real(100.0), "100.0");
	assert_string_equal(real(549120.0), "549120.0");
	assert_string_equal(real(1e-4), "0.0001");
	assert_string_equal(real(1.5e-5), "1.5e-05");
	assert_string_equal(real(1e15), "1000000000000000.0");
	assert_string_equal(real(1e16), "1e+16");
	/* Values that need all 17 significant digits. */
	assert_string_equal(real(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(real(5e-324), "5e-324");   /* the smallest subnormal: one digit suffices */
	assert_string_equal(real(DBL_MAX), "1.7976931348623157e+308");
	assert_string_equal(real(DBL_MIN), "2.2250738585072014e-308");
	assert_string_equal(real(nextafter(1.0, 2.0)), "1.0000000000000002");
	assert_string_equal(real(123456789012345678.0), "1.2345678901234568e+17");
	/* Not JSON numbers: null. */
	assert_string_equal(real(NAN), "null");
	assert_string_equal(real(INFINITY), "null");
	assert_string_equal(real(-INFINITY), "null");
}

/* splitmix64: reproducible pseudo-random bits without global state. */
static uint64_t next_bits(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Property: for any finite double, the text reads back exactly, is a
 * real to a JSON reader, and no shorter %g form would read back (it is
 * the shortest). Random bit patterns cover subnormals, huge and tiny
 * exponents; random small decimals cover the values evidence holds. */
static void test_real_round_trip(void **state)
{
	uint64_t seed = 20261126;
	size_t checked = 0;

	for (int i = 0; i < 200000; i++) {
		uint64_t bits = next_bits(&seed);
		double v;
		char buf[40], shorter[40];
		int digits;
		const char *mant_end;

		if (i % 2) {
			memcpy(&v, &bits, sizeof(v));
		} else {
			/* k / 10^d: short decimals, where a fixed precision goes wrong */
			v = (double)(bits % 1000000) / pow(10, (double)(bits >> 60));
		}
		if (!isfinite(v))
			continue;
		json_out_real(v, buf, sizeof(buf));
		if (strtod(buf, NULL) != v || signbit(strtod(buf, NULL)) != signbit(v))
			fail_msg("%a written as '%s' reads back as %a", v, buf, strtod(buf, NULL));
		if (!strpbrk(buf, ".eE"))
			fail_msg("%a written as '%s' reads as an integer", v, buf);
		/* Significant digits used: those before the exponent, less the
		 * sign, the point, leading zeros, and the ".0" added for reals. */
		mant_end = strpbrk(buf, "eE");
		digits = 0;
		{
			bool leading = true;
			size_t len = mant_end ? (size_t)(mant_end - buf) : strlen(buf);

			/* %g never ends in ".0" itself: that is json_out's suffix */
			if (len >= 2 && !mant_end && !strcmp(buf + len - 2, ".0"))
				len -= 2;
			int zeros = 0;   /* trailing zeros of the digits: not significant */

			for (size_t k = 0; k < len; k++) {
				if (buf[k] < '0' || buf[k] > '9')
					continue;
				if (leading && buf[k] == '0')
					continue;
				leading = false;
				digits++;
				zeros = buf[k] == '0' ? zeros + 1 : 0;
			}
			digits -= zeros;
		}
		if (digits > 1) {
			snprintf(shorter, sizeof(shorter), "%.*g", digits - 1, v);
			if (strtod(shorter, NULL) == v)
				fail_msg("%a: '%s' is not the shortest, '%s' reads back too", v, buf, shorter);
		}
		checked++;
	}
	assert_true(checked > 190000);
}

static char *dump_to_string(const json_t *doc, int (*fn)(const json_t *, FILE *))
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	assert_int_equal(fn(doc, f), 0);
	assert_int_equal(fclose(f), 0);
	return s;
}

static void test_dump_forms(void **state)
{
	json_t *doc = json_pack("{s:f,s:f,s:i,s:[f,f],s:{},s:[],s:s,s:n,s:b}", "ratio", 0.7, "tiny", 1e-7, "n", 3,
				"list", 0.1, 2.0, "empty", "none", "text", "a\"b\x1b", "nothing", "yes", 1);
	char *pretty, *compact, *str;
	json_t *back;

	assert_non_null(doc);
	pretty = dump_to_string(doc, json_out_dump);
	assert_string_equal(pretty, "{\n"
				    "  \"ratio\": 0.7,\n"
				    "  \"tiny\": 1e-07,\n"
				    "  \"n\": 3,\n"
				    "  \"list\": [\n"
				    "    0.1,\n"
				    "    2.0\n"
				    "  ],\n"
				    "  \"empty\": {},\n"
				    "  \"none\": [],\n"
				    "  \"text\": \"a\\\"b\\u001B\",\n"
				    "  \"nothing\": null,\n"
				    "  \"yes\": true\n"
				    "}\n");
	compact = dump_to_string(doc, json_out_dump_compact);
	assert_string_equal(compact, "{\"ratio\":0.7,\"tiny\":1e-07,\"n\":3,\"list\":[0.1,2.0],\"empty\":{},\"none\":[],"
				     "\"text\":\"a\\\"b\\u001B\",\"nothing\":null,\"yes\":true}\n");
	/* The string form is the pretty form without its newline. */
	str = json_out_dumps(doc);
	assert_non_null(str);
	assert_int_equal(strlen(str) + 1, strlen(pretty));
	assert_memory_equal(str, pretty, strlen(str));
	/* and it reads back equal, the string with its exact bytes */
	back = json_loads(str, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, doc));
	json_decref(back);
	assert_null(json_out_dumps(NULL));
	free(pretty);
	free(compact);
	free(str);
	json_decref(doc);
}

static void test_dump_write_error(void **state)
{
	json_t *doc = json_pack("{s:f}", "x", 0.5);
	FILE *f = fopen("/dev/full", "we");

	if (!f) {
		json_decref(doc);
		skip();
	}
	assert_int_equal(json_out_dump(doc, f), -EIO);
	fclose(f);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_by_hand),
		cmocka_unit_test(test_real_round_trip),
		cmocka_unit_test(test_dump_forms),
		cmocka_unit_test(test_dump_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
