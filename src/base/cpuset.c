#include "cpuset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"

void cpuset_clear(struct cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void cpuset_set(struct cpuset *s, unsigned cpu)
{
	if (cpu < CPUSET_MAX)
		s->bits[cpu / 64] |= 1ull << (cpu % 64);
}

bool cpuset_has(const struct cpuset *s, unsigned cpu)
{
	return cpu < CPUSET_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < CPUSET_MAX / 64; i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

void cpuset_and(struct cpuset *dst, const struct cpuset *other)
{
	for (size_t i = 0; i < CPUSET_MAX / 64; i++)
		dst->bits[i] &= other->bits[i];
}

bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b)
{
	for (size_t i = 0; i < CPUSET_MAX / 64; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

static int parse_num(const char **p, unsigned long *ret)
{
	uint64_t v;
	size_t k;
	int r = parse_u64_prefix(*p, strlen(*p), &v, &k);

	if (r < 0)
		return r;
	if (v >= CPUSET_MAX)
		return -ERANGE;
	*ret = (unsigned long)v;
	*p += k;
	return 0;
}

int cpuset_parse_list(const char *s, struct cpuset *ret)
{
	struct cpuset set;
	const char *p = s;
	unsigned long a, b;
	int r;

	cpuset_clear(&set);
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != '\n') {
		r = parse_num(&p, &a);
		if (r < 0)
			return r;
		b = a;
		if (*p == '-') {
			p++;
			r = parse_num(&p, &b);
			if (r < 0)
				return r;
			if (b < a)
				return -EINVAL;
		}
		for (unsigned long c = a; c <= b; c++)
			cpuset_set(&set, (unsigned)c);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n' && *p != ' ')
			return -EINVAL;
		else
			break;
	}
	*ret = set;
	return 0;
}

int cpuset_parse_mask(const char *s, struct cpuset *ret)
{
	struct cpuset set;
	size_t len = strlen(s);
	unsigned bit = 0;

	cpuset_clear(&set);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	for (size_t i = len; i > 0; i--) {
		char c = s[i - 1];
		int v;

		if (c == ',')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -EINVAL;
		for (int k = 0; k < 4; k++, bit++)
			if (v & (1 << k))
				cpuset_set(&set, bit);
	}
	*ret = set;
	return 0;
}

int cpuset_format(const struct cpuset *s, char *out, size_t n)
{
	size_t used = 0;
	bool first = true;

	if (n == 0)
		return -ENOSPC;
	out[0] = '\0';
	for (unsigned c = 0; c < CPUSET_MAX; c++) {
		unsigned e;
		int w;

		if (!cpuset_has(s, c))
			continue;
		e = c;
		while (e + 1 < CPUSET_MAX && cpuset_has(s, e + 1))
			e++;
		if (e == c)
			w = snprintf(out + used, n - used, "%s%u", first ? "" : ",", c);
		else
			w = snprintf(out + used, n - used, "%s%u-%u", first ? "" : ",", c, e);
		if (w < 0 || (size_t)w >= n - used)
			return -ENOSPC;
		used += (size_t)w;
		first = false;
		c = e;
	}
	return 0;
}
