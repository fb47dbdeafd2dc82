/* check: pure judgments over collected facts.
 *
 * A check has a stable id ("net.timewait-ratio"), a layer, parameters with
 * defaults, and a function of (facts, params) that fills a result: status,
 * a one-line summary with the numbers, evidence (the named numbers it
 * judged) and a remedy. Checks never read the system themselves.
 * All checks are listed in one table, registry.c.
 */
#ifndef PREFLIGHT_CHECK_H
#define PREFLIGHT_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "facts/facts.h"

enum pf_layer { LAYER_CODE, LAYER_RUNTIME, LAYER_INFRA, LAYER_BUSINESS, LAYER_COUNT };

/* Ordered by how bad they are, so max() is "worst". */
enum pf_status { STATUS_PASS, STATUS_SKIP, STATUS_WARN, STATUS_ERROR, STATUS_FAIL, STATUS_COUNT };

const char *layer_name(enum pf_layer l);
const char *status_name(enum pf_status s);
/* "pass", "warn"... into *ret: 0, or -EINVAL for another word. */
int status_parse(const char *s, enum pf_status *ret);

enum param_type { PARAM_NUM, PARAM_STR };

/* What a parameter accepts. The checklist loader refuses any other value
 * when the file loads, so a check never sees one. */
enum param_kind {
	PK_NUMBER,      /* a finite number in [min, max] */
	PK_INTEGER,     /* an integer written as one, in [min, max] */
	PK_RATIO,       /* a number in [min, max], a sub-range of [0, 1] */
	PK_VERSION,     /* PARAM_STR: a Go release, "1.21" or "go1.21.5"; stored as "go1.21..." */
	PK_SELECTOR,    /* PARAM_STR: a metric selector, name{label="value",...} (check/metric_eval.h) */
	PK_CHOICE,      /* PARAM_STR: one of `choices` */
};

/* An ordering this parameter must keep with another one of the same
 * check: ORDER_LE for a warn threshold below its fail threshold when
 * higher is worse, ORDER_GE when lower is worse. */
enum param_order { ORDER_NONE, ORDER_LE, ORDER_GE };

struct param_def {
	const char *name;
	enum param_type type;
	double num;                 /* default for PARAM_NUM */
	const char *str;            /* default for PARAM_STR */
	const char *help;
	enum param_kind kind;
	double min, max;            /* inclusive bounds for numbers; max may be INFINITY */
	const char *unit;           /* what the number counts ("ms", "sockets"), or NULL */
	enum param_order order;
	const char *other;          /* the parameter `order` compares against */
	const char *const *choices; /* PK_CHOICE: the words accepted, NULL-terminated */
	/* No default: `required` ones must be set by the checklist item (a
	 * check with one is left out of the built-in checklist); `optional`
	 * ones are simply absent (param_num gives NAN, param_str ""). */
	bool required, optional;
};

/* Validation, pure and shared by the loader and the tests. Each returns 0,
 * or -EINVAL/-ERANGE with why = "<what is wrong>; valid: <what is valid>".
 *
 * param_describe: "a ratio from 0 to 1", "an integer from 2 to 1000
 * (snapshots)", "a number >= 0 (ms)", "a Go version such as ...".
 * param_check_num: v as the file wrote it (text), is_int when the file
 * wrote an integer.
 * param_check_version: s as written; out receives the normalised form
 * ("1.21" -> "go1.21").
 * param_check_order: p against its `other`, with both effective values;
 * *_default marks the values that come from the registry. */
void param_describe(const struct param_def *p, char *out, size_t n);
int param_check_num(const struct param_def *p, double v, bool is_int, const char *text, char *why, size_t n);
int param_check_version(const struct param_def *p, const char *s, char *out, size_t out_n, char *why,
			size_t n);
int param_check_order(const struct param_def *p, double v, bool v_default, const struct param_def *other,
		      double ov, bool ov_default, char *why, size_t n);
/* PK_SELECTOR and PK_CHOICE strings, as written. */
int param_check_str(const struct param_def *p, const char *s, char *why, size_t n);
/* Whether a parameter has a default value (neither required nor optional). */
bool param_has_default(const struct param_def *p);

/* The parameters a check runs with: its defaults, overridden by the
 * checklist item's "params" object (validated when the checklist loads). */
struct check_params {
	const struct param_def *defs;   /* terminated by a NULL name */
	json_t *overrides;              /* borrowed; may be NULL */
};

double param_num(const struct check_params *p, const char *name);
const char *param_str(const struct check_params *p, const char *name);

struct check_result;
typedef void (*check_fn)(const struct facts *f, const struct check_params *p, struct check_result *r);

enum check_flags {
	CHECK_NEEDS_TARGET = 1 << 0,    /* skipped when no process is given */
	CHECK_SAMPLES = 1 << 1,         /* uses the sampling window */
	CHECK_NETNS = 1 << 2,           /* judges per-network-namespace facts: with a target, evidence
	                                 * "netns" says whose were read (docs/collectors.md) */
	CHECK_GO = 1 << 3,              /* judges a Go program: skipped, saying so, when the
	                                 * target's executable has no Go build info */
	CHECK_READS_METRICS = 1 << 4,   /* reads the whole /metrics page (facts.go.metrics_doc) */
};

struct check_def {
	const char *id;
	enum pf_layer layer;
	const char *title;
	check_fn fn;
	const struct param_def *params; /* NULL-name terminated; may be NULL */
	unsigned flags;
};

/* Rules across a check's parameters that the table cannot say (a
 * threshold order that depends on another parameter); params holds the
 * item's validated overrides. Returns 0, or -EINVAL/-ERANGE with why and
 * *ret_param naming the parameter to point at. */
typedef int (*check_validate_fn)(const json_t *params, char *why, size_t n, const char **ret_param);
/* d's rule, or NULL when it has none. */
check_validate_fn check_validator(const struct check_def *d);

/* Checklist metadata carried into the report (stored now, acted on by the
 * checklist loop later). All strings owned by the checklist. */
struct item_meta {
	const char *owner, *due, *severity, *rollback;
	json_t *tags;                   /* object or NULL */
};

struct check_result {
	const struct check_def *def;
	char *item_id;                  /* checklist item id (defaults to the check id) */
	char *title;
	enum pf_status status;
	char *summary;
	json_t *evidence;               /* object, insertion-ordered */
	char *remedy;
	double duration_ms;
	struct item_meta meta;
};

void result_init(struct check_result *r, const struct check_def *def);
void result_release(struct check_result *r);
/* Sets status and summary (printf-style). */
void result_set(struct check_result *r, enum pf_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void result_remedy(struct check_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ev_int(struct check_result *r, const char *key, long long v);
void ev_real(struct check_result *r, const char *key, double v);
void ev_str(struct check_result *r, const char *key, const char *v);
void ev_bool(struct check_result *r, const char *key, bool v);
void ev_json(struct check_result *r, const char *key, json_t *v);   /* steals v */

/* The registry. */
const struct check_def *registry_all(size_t *n);
const struct check_def *registry_find(const char *id);
const struct param_def *check_param_find(const struct check_def *d, const char *name);

/* Runs one check with the given overrides, timing it; skips target checks
 * when no target is present. */
void check_run(const struct check_def *d, const struct facts *f, json_t *overrides,
	       struct check_result *r);

#endif
