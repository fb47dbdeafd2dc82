#include "parse.h"

#include <errno.h>
#include <math.h>
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

int parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	while (is_space(*s))
		s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || !only_space(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_i64(const char *s, int64_t *ret)
{
	long long v;
	char *end;

	while (is_space(*s))
		s++;
	if (!((*s >= '0' && *s <= '9') || *s == '-'))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || !only_space(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_double(const char *s, double *ret)
{
	double v;
	char *end;

	while (is_space(*s))
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return -ERANGE;
	if (end == s || !only_space(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_u64_n(const char *s, size_t n, uint64_t *ret)
{
	char tmp[32];

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return parse_u64(tmp, ret);
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
