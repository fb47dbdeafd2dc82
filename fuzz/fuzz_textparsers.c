/* libFuzzer target for the small parsers of outside text that have no
 * target of their own: /proc/PID/limits, CPU lists and masks, Go version
 * strings and GODEBUG
 * lists (both from a target's binary or environment), strict numbers (whole
 * strings and bounded fields), and the quoting of outside text for messages.
 * The first byte picks the parser; the rest is its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/cpuset.h"
#include "base/parse.h"
#include "base/quote.h"
#include "check/goversion.h"
#include "collect/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[64];
	struct cpuset set;
	struct go_version v, w = { 1, 26, 0, false };
	uint64_t a, b;
	int64_t i;
	double d;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0:
		proc_parse_limits_nofile(s, &a, &b);
		break;
	case 1:
		if (cpuset_parse_list(s, &set) == 0) {
			char list[256];

			cpuset_format(&set, list, sizeof(list));
		}
		break;
	case 2:
		cpuset_parse_mask(s, &set);
		break;
	case 3: {
		/* The bounded forms on an exact-size copy that is not
		 * NUL-terminated, so reading past the field is an ASan report. */
		size_t n = size - 1, k;
		char *raw = malloc(n ? n : 1), q[QUOTE_SIZE];

		if (!raw)
			break;
		memcpy(raw, data + 1, n);
		if (parse_u64_n(raw, n, &a) == 0 && parse_u64(s, &b) == 0 && a != b)
			__builtin_trap();   /* the two forms must agree on digits alone */
		if (parse_u64_prefix(raw, n, &a, &k) == 0 && (k == 0 || k > n))
			__builtin_trap();
		quote_for_message(raw, n, q);
		if (strlen(q) >= QUOTE_SIZE)
			__builtin_trap();
		free(raw);
		break;
	}
	case 4:
		if (go_version_parse(s, &v) == 0)
			(void)go_version_cmp(&v, &w);
		break;
	case 5:
		godebug_lookup(s, "containermaxprocs", out, sizeof(out));
		break;
	case 6:
		parse_u64(s, &a);
		parse_i64(s, &i);
		parse_double(s, &d);
		parse_double_exact(s, &d);
		break;
	}
	free(s);
	return 0;
}
