/* promql: judging a Prometheus HTTP API answer against a condition.
 *
 * Pure (no I/O): the bytes of an answer of /api/v1/query or
 * /api/v1/query_range in, a verdict out. The answer is outside input, so
 * every field is checked before use and the fuzz target fuzz_promql holds
 * the parser to its contract.
 *
 * The condition is `op value`, and it must hold for every sample of every
 * series: a vector's one sample per series, a matrix's every sample, a
 * scalar's one. Samples compare as IEEE doubles, as PromQL's comparison
 * operators do: "NaN" satisfies only `!=`, "+Inf" is greater than any
 * number. Native histogram samples cannot be compared and fail.
 */
#ifndef PREFLIGHT_VERIFY_PROMQL_H
#define PREFLIGHT_VERIFY_PROMQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum promql_op { PROMQL_LT, PROMQL_LE, PROMQL_GT, PROMQL_GE, PROMQL_EQ, PROMQL_NE };

/* "<" ... "!=" into *ret: 0, or -EINVAL. */
int promql_op_parse(const char *s, enum promql_op *ret);
const char *promql_op_name(enum promql_op op);
/* Whether v op value holds. */
bool promql_holds(double v, enum promql_op op, double value);

struct promql_verdict {
	char result_type[16];      /* "vector", "matrix", "scalar" */
	size_t series;             /* series in the answer (a scalar counts as one) */
	size_t samples;            /* samples judged */
	size_t failing_samples;
	size_t failing_series;
	/* The worst sample: the first failing one farthest from the
	 * condition, or, when all pass, the one closest to failing. */
	bool has_worst;
	json_t *worst_labels;      /* object (owned), {} for a scalar; NULL when !has_worst */
	char worst_value[48];      /* as Prometheus wrote it ("0.031", "NaN", "+Inf") */
	double worst_at;           /* its Unix time, seconds */
	double first_at, last_at;  /* the earliest and latest sample times (samples > 0) */
};
void promql_verdict_release(struct promql_verdict *v);

/* Judges an answer. Returns 0 with *ret filled (the verdict passes when
 * failing_samples is 0 and samples > 0; an empty result is for the caller
 * to judge), -EREMOTEIO when Prometheus answered status "error"
 * (e->msg = "<errorType>: <error>"), or -PF_EPARSE when the bytes are not
 * an answer of the query API (e->msg says what is wrong). Nothing is
 * owned by *ret on failure. */
int promql_judge(const char *body, size_t len, enum promql_op op, double value, struct promql_verdict *ret,
		 struct err *e);

#endif
