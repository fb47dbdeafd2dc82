/* promql: a Prometheus query API answer against `op value` (promql.h). */
#include "verify/promql.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "base/parse.h"

static const char *const op_names[] = { "<", "<=", ">", ">=", "==", "!=" };

int promql_op_parse(const char *s, enum promql_op *ret)
{
	for (size_t i = 0; s && i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(s, op_names[i])) {
			*ret = (enum promql_op)i;
			return 0;
		}
	return -EINVAL;
}

const char *promql_op_name(enum promql_op op)
{
	return (unsigned)op < sizeof(op_names) / sizeof(op_names[0]) ? op_names[op] : "?";
}

bool promql_holds(double v, enum promql_op op, double value)
{
	switch (op) {
	case PROMQL_LT: return v < value;
	case PROMQL_LE: return v <= value;
	case PROMQL_GT: return v > value;
	case PROMQL_GE: return v >= value;
	case PROMQL_EQ: return v == value;
	case PROMQL_NE: return v != value;
	}
	return false;
}

/* How far a sample is on the wrong side of the condition (bigger is
 * worse), so a failing run names its worst sample and a passing one the
 * sample closest to failing. NaN is worst unless the condition is `!=`. */
static double badness(double v, enum promql_op op, double value)
{
	double b;

	if (isnan(v))
		return op == PROMQL_NE ? -INFINITY : INFINITY;
	switch (op) {
	case PROMQL_LT:
	case PROMQL_LE: b = v; break;
	case PROMQL_GT:
	case PROMQL_GE: b = -v; break;
	case PROMQL_EQ: b = fabs(v - value); break;
	default: b = -fabs(v - value); break;
	}
	return isnan(b) ? 0 : b;   /* inf - inf */
}

void promql_verdict_release(struct promql_verdict *v)
{
	json_decref(v->worst_labels);
	v->worst_labels = NULL;
}

struct judge {
	enum promql_op op;
	double value;
	struct promql_verdict *v;
	bool worst_fails;
	double worst_badness;
	struct err *e;
};

/* One [time, "value"] pair. */
static int judge_sample(struct judge *j, const json_t *pair, json_t *labels, bool *ret_failed)
{
	const json_t *t = json_array_get(pair, 0), *s = json_array_get(pair, 1);
	const char *text;
	double v, b;
	bool fails;

	if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_number(t) || !json_is_string(s))
		return err_set(j->e, -PF_EPARSE, "a sample is not [time, \"value\"]");
	text = json_string_value(s);
	if (!text[0] || strlen(text) >= sizeof(j->v->worst_value) || parse_double(text, &v) < 0)
		return err_set(j->e, -PF_EPARSE, "a sample's value is not a number");
	fails = !promql_holds(v, j->op, j->value);
	b = badness(v, j->op, j->value);
	if (!j->v->samples || json_number_value(t) < j->v->first_at)
		j->v->first_at = json_number_value(t);
	if (!j->v->samples || json_number_value(t) > j->v->last_at)
		j->v->last_at = json_number_value(t);
	j->v->samples++;
	if (fails) {
		j->v->failing_samples++;
		*ret_failed = true;
	}
	if (!j->v->has_worst || (fails && !j->worst_fails) || (fails == j->worst_fails && b > j->worst_badness)) {
		json_decref(j->v->worst_labels);
		j->v->worst_labels = json_incref(labels);
		snprintf(j->v->worst_value, sizeof(j->v->worst_value), "%s", text);
		j->v->worst_at = json_number_value(t);
		j->v->has_worst = true;
		j->worst_fails = fails;
		j->worst_badness = b;
	}
	return 0;
}

static int judge_series(struct judge *j, const json_t *series, bool matrix)
{
	json_t *labels = json_object_get(series, "metric");
	const json_t *samples;
	bool failed = false;
	size_t i;
	json_t *pair;
	int r;

	if (!json_is_object(series))
		return err_set(j->e, -PF_EPARSE, "a series is not an object");
	if (!labels)
		labels = json_object();   /* a series without labels (an expression's result) */
	else if (json_is_object(labels))
		json_incref(labels);
	else
		return err_set(j->e, -PF_EPARSE, "a series' \"metric\" is not an object");
	r = 0;
	if (json_object_get(series, matrix ? "histograms" : "histogram")) {
		r = err_set(j->e, -EDOM, "the query returns native histograms, which cannot be compared: "
					 "use histogram_quantile(), histogram_count() or histogram_sum()");
		goto out;
	}
	j->v->series++;
	if (matrix) {
		samples = json_object_get(series, "values");
		if (!json_is_array(samples)) {
			r = err_set(j->e, -PF_EPARSE, "a matrix series has no \"values\" array");
			goto out;
		}
		json_array_foreach(samples, i, pair) {
			r = judge_sample(j, pair, labels, &failed);
			if (r < 0)
				goto out;
		}
	} else {
		r = judge_sample(j, json_object_get(series, "value"), labels, &failed);
		if (r < 0)
			goto out;
	}
	if (failed)
		j->v->failing_series++;
out:
	json_decref(labels);
	return r;
}

int promql_judge(const char *body, size_t len, enum promql_op op, double value, struct promql_verdict *ret,
		 struct err *e)
{
	struct promql_verdict v = { .worst_value = "" };
	struct judge j = { op, value, &v, false, 0, e };
	json_error_t je;
	json_t *root = json_loadb(body, len, 0, &je);
	const json_t *status, *data, *type, *result;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (!json_is_object(root)) {
		r = err_set(e, -PF_EPARSE, "not a Prometheus API answer (%s)", root ? "not a JSON object" : je.text);
		goto out;
	}
	status = json_object_get(root, "status");
	if (json_is_string(status) && !strcmp(json_string_value(status), "error")) {
		const json_t *et = json_object_get(root, "errorType"), *er = json_object_get(root, "error");

		r = err_set(e, -EREMOTEIO, "%s: %s", json_is_string(et) ? json_string_value(et) : "error",
			    json_is_string(er) ? json_string_value(er) : "(no message)");
		goto out;
	}
	if (!json_is_string(status) || strcmp(json_string_value(status), "success")) {
		r = err_set(e, -PF_EPARSE, "not a Prometheus API answer (no \"status\": \"success\")");
		goto out;
	}
	data = json_object_get(root, "data");
	type = json_object_get(data, "resultType");
	result = json_object_get(data, "result");
	if (!json_is_object(data) || !json_is_string(type) || !result) {
		r = err_set(e, -PF_EPARSE, "not a Prometheus API answer (no data.resultType and data.result)");
		goto out;
	}
	snprintf(v.result_type, sizeof(v.result_type), "%s", json_string_value(type));
	if (!strcmp(v.result_type, "vector") || !strcmp(v.result_type, "matrix")) {
		bool matrix = v.result_type[0] == 'm';
		size_t i;
		json_t *s;

		if (!json_is_array(result)) {
			r = err_set(e, -PF_EPARSE, "data.result of a %s is not an array", v.result_type);
			goto out;
		}
		json_array_foreach(result, i, s) {
			r = judge_series(&j, s, matrix);
			if (r < 0)
				goto out;
		}
	} else if (!strcmp(v.result_type, "scalar")) {
		json_t *none = json_object();
		bool failed = false;

		v.series = 1;
		r = none ? judge_sample(&j, result, none, &failed) : -ENOMEM;
		json_decref(none);
		if (r < 0)
			goto out;
		v.failing_series = failed;
	} else if (!strcmp(v.result_type, "string")) {
		r = err_set(e, -EDOM, "the query returns a string, which cannot be compared");
		goto out;
	} else {
		r = err_set(e, -PF_EPARSE, "unknown data.resultType");
		goto out;
	}
out:
	json_decref(root);
	if (r < 0)
		promql_verdict_release(&v);
	else
		*ret = v;
	return r;
}
