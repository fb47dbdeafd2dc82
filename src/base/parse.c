#include "parse.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int only_space(const char *s)
{
	while (*s && is_space(*s))
		s++;
	return *s == '\0';
}

int parse_u64_prefix(const char *s, size_t n, uint64_t *ret, size_t *ret_len)
{
	uint64_t v = 0;
	size_t i;

	/* Byte by byte, stopping at the first non-digit: s may be a C string
	 * shorter than n. */
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			break;
		/* no division per digit: this runs for every line number of a
		 * million-goroutine dump */
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
			return -ERANGE;
	}
	if (!i)
		return -EINVAL;
	*ret = v;
	*ret_len = i;
	return 0;
}

int parse_u64_n(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v;
	size_t k;
	int r = parse_u64_prefix(s, n, &v, &k);

	if (r < 0)
		return r;
	if (k != n)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The digits of s between optional ASCII whitespace, with a '-' first when
 * neg is not NULL. */
static int parse_whole(const char *s, bool *neg, uint64_t *ret)
{
	size_t k;
	int r;

	while (is_space(*s))
		s++;
	if (neg) {
		*neg = *s == '-';
		s += *neg;
	}
	r = parse_u64_prefix(s, strlen(s), ret, &k);
	if (r < 0)
		return r;
	return only_space(s + k) ? 0 : -EINVAL;
}

int parse_u64(const char *s, uint64_t *ret)
{
	return parse_whole(s, NULL, ret);
}

int parse_i64(const char *s, int64_t *ret)
{
	uint64_t u;
	bool neg;
	int r = parse_whole(s, &neg, &u);

	if (r < 0)
		return r;
	if (u > (uint64_t)INT64_MAX + neg)
		return -ERANGE;
	*ret = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* strtod in the C locale, whatever the process's LC_NUMERIC says: a
 * decimal point is '.' in every file and protocol we read. */
static double strtod_c(const char *s, char **end)
{
	static locale_t c_locale;
	locale_t c = __atomic_load_n(&c_locale, __ATOMIC_ACQUIRE);

	if (c == (locale_t)0) {
		locale_t fresh = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);

		if (fresh == (locale_t)0)
			return strtod(s, end);
		/* One locale for the process; a thread that lost the race
		 * frees its own. */
		if (__atomic_compare_exchange_n(&c_locale, &c, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			c = fresh;
		else
			freelocale(fresh);
	}
	return strtod_l(s, end, c);
}

static int parse_real(const char *s, bool exact, double *ret)
{
	double v;
	char *end;

	while (is_space(*s))
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtod_c(s, &end);
	if (end == s || !only_space(end))
		return -EINVAL;
	if (errno == ERANGE && (exact || v == HUGE_VAL || v == -HUGE_VAL))
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_double(const char *s, double *ret)
{
	return parse_real(s, false, ret);
}

int parse_double_exact(const char *s, double *ret)
{
	return parse_real(s, true, ret);
}

size_t split_fields(char *s, const char *seps, char **fields, size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(s, seps, &save); tok && n < max; tok = strtok_r(NULL, seps, &save))
		fields[n++] = tok;
	return n;
}

char *rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

int parse_duration(const char *s, double *ret_seconds)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "", 1 } };
	size_t len = strlen(s);
	char num[64];
	double v;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t ul = strlen(units[i].unit);

		if (len <= ul || strcmp(s + len - ul, units[i].unit))
			continue;
		if (len - ul >= sizeof(num))
			return -EINVAL;
		memcpy(num, s, len - ul);
		num[len - ul] = '\0';
		/* "5ms" must not fall through to "s" with "5m" as the number. */
		if (ul && (num[len - ul - 1] == 'm' || num[len - ul - 1] == 'h'))
			return -EINVAL;
		if (parse_double(num, &v) < 0 || !isfinite(v) || v < 0)
			return -EINVAL;
		*ret_seconds = v * units[i].scale;
		return 0;
	}
	return -EINVAL;
}
