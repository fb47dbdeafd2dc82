#include "check/goversion.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"

/* At most 6 digits: a release number, never near INT_MAX. */
static int read_int(const char **p, int *ret)
{
	uint64_t v;
	size_t k;
	int r = parse_u64_prefix(*p, 6, &v, &k);

	if (r < 0)
		return r;
	*ret = (int)v;
	*p += k;
	return 0;
}

int go_version_parse(const char *s, struct go_version *ret)
{
	struct go_version v = { 0 };
	const char *p;

	if (!s)
		return -EINVAL;
	if (strncmp(s, "devel", 5) == 0) {
		v.devel = true;
		p = strstr(s, "go1.");
		if (p) {
			p += 2;
			v.major = 1;
			if (*p == '.') {
				p++;
				read_int(&p, &v.minor);
			}
		}
		*ret = v;
		return 0;
	}
	if (strncmp(s, "go", 2) != 0)
		return -EINVAL;
	p = s + 2;
	if (read_int(&p, &v.major) < 0)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (read_int(&p, &v.minor) < 0)
			return -EINVAL;
		if (*p == '.') {
			p++;
			if (read_int(&p, &v.patch) < 0)
				return -EINVAL;
		}
	}
	/* Anything after (rc1, beta2, " X:exp") does not change ordering
	 * among the releases we judge. */
	*ret = v;
	return 0;
}

int go_version_cmp(const struct go_version *a, const struct go_version *b)
{
	if (a->devel != b->devel)
		return a->devel ? 1 : -1;
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

bool go_version_at_least(const struct go_version *v, int minor)
{
	return v->devel || v->major > 1 || (v->major == 1 && v->minor >= minor);
}

bool godebug_lookup(const char *list, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	bool found = false;
	const char *p = list;

	if (!list || n == 0)
		return false;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && *p == ' ') {
			p++;
			len--;
		}
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = len - klen - 1;

			if (vlen >= n)
				vlen = n - 1;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			found = true;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return found;
}
