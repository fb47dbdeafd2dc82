/* metric_eval: what a checklist item asks of the target's own /metrics
 * page, computed the way Prometheus computes it, from two scrapes (the
 * window's first and last) parsed by prom_parse.
 *
 *  - a selector: `name` or `name{label="value",other!="value"}` (PromQL's
 *    instant-vector selector with = and != matchers; a label the series
 *    lacks matches "" as in PromQL);
 *  - a gauge: the sum of the matching series' last values;
 *  - a counter's increase over the window: per series last - first, a
 *    value that went down counts as a restart from 0 (PromQL's reset rule);
 *    a series that appears during the window counts from 0 (client
 *    libraries create labelled series on their first event);
 *  - a histogram quantile over the window: the _bucket deltas summed by
 *    `le` over the matching series, then histogram_quantile's bucket
 *    interpolation (promql/quantile.go: bucketQuantile): linear within the
 *    bucket, the lower bound of the first bucket is 0 (unless its upper
 *    bound is <= 0), a rank in the +Inf bucket returns the highest finite
 *    bound, cumulative counts forced monotonic, no +Inf bucket or no
 *    observations = no answer.
 *
 * Pure: no I/O. Everything borrowed from the documents stays theirs.
 */
#ifndef PREFLIGHT_METRIC_EVAL_H
#define PREFLIGHT_METRIC_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "facts/runtime.h"

#define METRIC_NAME_MAX 200
#define METRIC_LABEL_MAX 128
#define METRIC_VALUE_MAX 256
#define METRIC_MATCHERS_MAX 16

struct metric_matcher {
	char name[METRIC_LABEL_MAX];
	char value[METRIC_VALUE_MAX];      /* unescaped */
	bool neg;                          /* != */
};

struct metric_sel {
	char name[METRIC_NAME_MAX];
	struct metric_matcher m[METRIC_MATCHERS_MAX];
	size_t n;
};

/* Parses s into *ret. Returns 0, or -EINVAL with why = "<what is wrong>"
 * (no "valid:" part; the caller adds it). */
int metric_sel_parse(const char *s, struct metric_sel *ret, char *why, size_t n);
/* "name{a=\"b\"}" back, for messages and evidence. */
void metric_sel_format(const struct metric_sel *sel, char *out, size_t n);

/* Whether sample s is named name and passes sel's matchers. */
bool metric_sel_match(const struct metric_sel *sel, const struct prom_sample *s, const char *name);

/* The family type of name in d ("counter", ...), or NULL when the page
 * has no TYPE line for it. */
const char *metric_family_type(const struct prom_doc *d, const char *name);
/* Whether any sample of d is named name (or name_bucket/_count/_sum). */
bool metric_name_present(const struct prom_doc *d, const char *name);

struct metric_value {
	double value;                      /* the sum (gauge) or increase (counter) */
	size_t n_series;                   /* series matched */
	size_t n_new;                      /* counters: series that appeared in the window */
	size_t n_resets;                   /* counters: series whose value went down */
};

/* Sum of the matching samples named sel->name. n_series 0 = none matched. */
void metric_gauge(const struct prom_doc *d, const struct metric_sel *sel, struct metric_value *ret);
/* Increase of the matching counters named sel->name from d0 to d1.
 * -ENOMEM or 0. */
int metric_increase(const struct prom_doc *d0, const struct prom_doc *d1, const struct metric_sel *sel,
		     struct metric_value *ret);

struct metric_bucket {
	double le;                         /* upper bound; +Inf for the last */
	double count;                      /* cumulative observations in the window */
};

/* The window's histogram: bucket deltas summed by le. */
struct metric_hist {
	struct metric_bucket *b;           /* sorted by le; owned, metric_hist_release */
	size_t n;
	size_t n_series;                   /* series (label sets without le) matched */
	size_t n_resets;
};

/* -ENOMEM or 0. */
int metric_hist_window(const struct prom_doc *d0, const struct prom_doc *d1, const struct metric_sel *sel,
		       struct metric_hist *ret);
void metric_hist_release(struct metric_hist *h);

enum metric_q_status {
	MQ_OK,
	MQ_NO_BUCKETS,                     /* no bucket matched */
	MQ_NO_INF,                         /* no +Inf bucket: Prometheus answers NaN */
	MQ_TOO_FEW,                        /* fewer than two buckets */
	MQ_EMPTY,                          /* no observations in the window */
};

struct metric_quantile {
	enum metric_q_status status;
	double value;
	double observations;               /* the +Inf bucket's count */
	double lower, upper;               /* the bucket the rank fell into */
	bool in_inf;                       /* the rank fell into the +Inf bucket (value = highest finite bound) */
};

/* Prometheus's bucketQuantile over h (0 <= q <= 1). Sorts and fixes h's
 * buckets in place (monotonic). */
void metric_quantile_of(struct metric_hist *h, double q, struct metric_quantile *ret);

#endif
