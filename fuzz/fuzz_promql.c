/* libFuzzer target for the Prometheus query API answer judge
 * (verify/promql.c): the first byte picks the comparison and the value,
 * the rest is the answer. Beyond not crashing or leaking, the harness
 * holds the judge to its contract: a refused answer owns nothing, an
 * accepted one counts no more failing samples than samples and no more
 * failing series than series, and names a worst sample exactly when it
 * judged one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify/promql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double values[] = { 0, 1, -1, 0.5, 1e308 };
	struct promql_verdict v;
	struct err e = { "" };
	enum promql_op op;
	int r;

	if (size < 1)
		return 0;
	op = (enum promql_op)(data[0] % 6);
	r = promql_judge((const char *)data + 1, size - 1, op, values[(data[0] / 6) % 5], &v, &e);
	if (r < 0) {
		if (v.worst_labels || v.samples)
			abort();
		return 0;
	}
	if (v.failing_samples > v.samples || v.failing_series > v.series || v.has_worst != (v.samples > 0) ||
	    (v.has_worst && !json_is_object(v.worst_labels)) || !memchr(v.worst_value, 0, sizeof(v.worst_value)))
		abort();
	promql_verdict_release(&v);
	return 0;
}
