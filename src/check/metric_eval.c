/* metric_eval: selectors, gauges, counter increases and histogram
 * quantiles over two /metrics scrapes (metric_eval.h). */
#include "check/metric_eval.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- selectors ---- */

static bool name_start(char c, bool metric)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
}

static bool name_char(char c, bool metric)
{
	return name_start(c, metric) || (c >= '0' && c <= '9');
}

static void skip_blanks(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* A name at *p into out (max n including the NUL); false when there is
 * none or it is too long. */
static bool read_name(const char **p, bool metric, char *out, size_t n)
{
	size_t k = 0;

	if (!name_start(**p, metric))
		return false;
	while (name_char(**p, metric)) {
		if (k + 1 >= n)
			return false;
		out[k++] = *(*p)++;
	}
	out[k] = '\0';
	return true;
}

int metric_sel_parse(const char *s, struct metric_sel *ret, char *why, size_t n)
{
	const char *p = s;

	memset(ret, 0, sizeof(*ret));
	skip_blanks(&p);
	if (!*p) {
		snprintf(why, n, "empty; name the metric");
		return -EINVAL;
	}
	if (!read_name(&p, true, ret->name, sizeof(ret->name))) {
		if (name_start(*p, true))
			snprintf(why, n, "the metric name is longer than %d characters", METRIC_NAME_MAX - 1);
		else
			snprintf(why, n, "'%.64s' does not start with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", s);
		return -EINVAL;
	}
	skip_blanks(&p);
	if (!*p)
		return 0;
	if (*p != '{') {
		snprintf(why, n, "unexpected '%c' after the metric name '%s' (labels go in {label=\"value\"})", *p,
			 ret->name);
		return -EINVAL;
	}
	p++;
	for (;;) {
		struct metric_matcher *m;
		size_t k = 0;

		skip_blanks(&p);
		if (*p == '}')
			break;
		if (ret->n == METRIC_MATCHERS_MAX) {
			snprintf(why, n, "more than %d label matchers", METRIC_MATCHERS_MAX);
			return -EINVAL;
		}
		m = &ret->m[ret->n];
		if (!read_name(&p, false, m->name, sizeof(m->name))) {
			snprintf(why, n, "expected a label name at offset %zu", (size_t)(p - s));
			return -EINVAL;
		}
		for (size_t j = 0; j < ret->n; j++)
			if (!strcmp(ret->m[j].name, m->name)) {
				snprintf(why, n, "label '%s' is matched twice", m->name);
				return -EINVAL;
			}
		skip_blanks(&p);
		if (p[0] == '=' && p[1] != '~') {
			p++;
		} else if (p[0] == '!' && p[1] == '=' && p[2] != '~') {
			m->neg = true;
			p += 2;
		} else if ((p[0] == '=' || p[0] == '!') && strchr("=~", p[1]) && (p[1] == '~' || p[2] == '~')) {
			snprintf(why, n, "label '%s': regular-expression matchers (=~, !~) are not supported; match exact "
				 "values with = or !=", m->name);
			return -EINVAL;
		} else {
			snprintf(why, n, "label '%s': expected = or != at offset %zu", m->name, (size_t)(p - s));
			return -EINVAL;
		}
		skip_blanks(&p);
		if (*p != '"') {
			snprintf(why, n, "label '%s': the value must be in double quotes", m->name);
			return -EINVAL;
		}
		p++;
		while (*p && *p != '"') {
			char c = *p++;

			if (c == '\\') {
				c = *p++;
				if (c == 'n')
					c = '\n';
				else if (c != '\\' && c != '"') {
					snprintf(why, n, "label '%s': unknown escape in the value (\\\\, \\\" and \\n)",
						 m->name);
					return -EINVAL;
				}
			}
			if (k + 1 >= sizeof(m->value)) {
				snprintf(why, n, "label '%s': the value is longer than %d bytes", m->name,
					 METRIC_VALUE_MAX - 1);
				return -EINVAL;
			}
			m->value[k++] = c;
		}
		if (*p != '"') {
			snprintf(why, n, "label '%s': the value's closing quote is missing", m->name);
			return -EINVAL;
		}
		m->value[k] = '\0';
		p++;
		ret->n++;
		skip_blanks(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p != '}') {
			snprintf(why, n, "expected ',' or '}' at offset %zu", (size_t)(p - s));
			return -EINVAL;
		}
		break;
	}
	p++;
	skip_blanks(&p);
	if (*p) {
		snprintf(why, n, "unexpected text after '}' at offset %zu", (size_t)(p - s));
		return -EINVAL;
	}
	return 0;
}

void metric_sel_format(const struct metric_sel *sel, char *out, size_t n)
{
	size_t used;
	int w;

	w = snprintf(out, n, "%s", sel->name);
	used = w < 0 ? 0 : (size_t)w;
	for (size_t i = 0; i < sel->n && used < n; i++) {
		w = snprintf(out + used, n - used, "%s%s%s\"", i ? "," : "{", sel->m[i].name, sel->m[i].neg ? "!=" : "=");
		used += w < 0 ? 0 : (size_t)w;
		for (const char *v = sel->m[i].value; *v && used + 3 < n; v++) {
			if (*v == '"' || *v == '\\')
				out[used++] = '\\';
			if (*v == '\n') {
				out[used++] = '\\';
				out[used++] = 'n';
			} else {
				out[used++] = *v;
			}
		}
		if (used + 2 < n) {
			out[used++] = '"';
			out[used] = '\0';
		}
	}
	if (sel->n && used + 1 < n) {
		out[used++] = '}';
		out[used] = '\0';
	}
}

static const char *label_of(const struct prom_sample *s, const char *name)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return "";
}

bool metric_sel_match(const struct metric_sel *sel, const struct prom_sample *s, const char *name)
{
	if (strcmp(s->name, name))
		return false;
	for (size_t i = 0; i < sel->n; i++) {
		bool eq = !strcmp(label_of(s, sel->m[i].name), sel->m[i].value);

		if (eq == sel->m[i].neg)
			return false;
	}
	return true;
}

const char *metric_family_type(const struct prom_doc *d, const char *name)
{
	for (size_t i = 0; i < d->n_families; i++)
		if (!strcmp(d->families[i].name, name))
			return d->families[i].type;
	return NULL;
}

static bool has_suffix_of(const char *s, const char *name, const char *suffix)
{
	size_t l = strlen(name);

	return !strncmp(s, name, l) && !strcmp(s + l, suffix);
}

bool metric_name_present(const struct prom_doc *d, const char *name)
{
	if (metric_family_type(d, name))
		return true;
	for (size_t i = 0; i < d->n_samples; i++) {
		const char *s = d->samples[i].name;

		if (!strcmp(s, name) || has_suffix_of(s, name, "_bucket") || has_suffix_of(s, name, "_count") ||
		    has_suffix_of(s, name, "_sum"))
			return true;
	}
	return false;
}

/* ---- series identity ---- */

/* A sample with the identity of its series: its labels (le aside for
 * buckets) sorted by name, each as "<len>:name<len>:value" so no value can
 * pass for another split. Sorting these and searching them keeps a page
 * with tens of thousands of series O(n log n), not O(n^2). */
struct keyed {
	const struct prom_sample *s;
	char *key;
	double le;                         /* buckets; 0 otherwise */
};

static int label_ptr_cmp(const void *pa, const void *pb)
{
	const struct prom_label *a = *(const struct prom_label *const *)pa, *b = *(const struct prom_label *const *)pb;

	return strcmp(a->name, b->name);
}

static char *series_key(const struct prom_sample *s, bool skip_le)
{
	const struct prom_label **l = malloc((s->n_labels ? s->n_labels : 1) * sizeof(*l));
	size_t n = 0, len = 1, used = 0;
	char *key = NULL;

	if (!l)
		return NULL;
	for (size_t i = 0; i < s->n_labels; i++)
		if (!(skip_le && !strcmp(s->labels[i].name, "le"))) {
			l[n++] = &s->labels[i];
			len += strlen(s->labels[i].name) + strlen(s->labels[i].value) + 2 * 21 + 2;
		}
	qsort(l, n, sizeof(*l), label_ptr_cmp);
	key = malloc(len);
	if (key) {
		key[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			int w = snprintf(key + used, len - used, "%zu:%s%zu:%s", strlen(l[i]->name), l[i]->name,
					 strlen(l[i]->value), l[i]->value);

			used += w < 0 ? 0 : (size_t)w;
		}
	}
	free(l);
	return key;
}

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int r = strcmp(a->key, b->key);

	if (r)
		return r;
	return a->le < b->le ? -1 : a->le > b->le;
}

static void keyed_free(struct keyed *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
}

static bool le_of(const struct prom_sample *s, double *ret);

/* The matching samples of d named name, keyed (buckets: without le, and
 * only those whose le is a number), sorted. */
static int collect(const struct prom_doc *d, const struct metric_sel *sel, const char *name, bool bucket,
		   struct keyed **ret, size_t *ret_n)
{
	struct keyed *v = NULL;
	size_t k = 0;

	*ret = NULL;
	*ret_n = 0;
	for (size_t i = 0; d && i < d->n_samples; i++)
		if (metric_sel_match(sel, &d->samples[i], name))
			k++;
	if (!k)
		return 0;
	v = calloc(k, sizeof(*v));
	if (!v)
		return -ENOMEM;
	k = 0;
	for (size_t i = 0; i < d->n_samples; i++) {
		double le = 0;

		if (!metric_sel_match(sel, &d->samples[i], name) || (bucket && !le_of(&d->samples[i], &le)))
			continue;
		v[k] = (struct keyed){ &d->samples[i], series_key(&d->samples[i], bucket), le };
		if (!v[k].key) {
			keyed_free(v, k);
			return -ENOMEM;
		}
		k++;
	}
	if (k)
		qsort(v, k, sizeof(*v), keyed_cmp);
	*ret = v;
	*ret_n = k;
	return 0;
}

static const struct keyed *find(const struct keyed *v, size_t n, const struct keyed *want)
{
	return n ? bsearch(want, v, n, sizeof(*v), keyed_cmp) : NULL;
}

/* The increase of one series: a value that went down is a restart from 0. */
static double series_increase(double v0, double v1, bool *reset)
{
	if (v1 < v0) {
		*reset = true;
		return v1;
	}
	*reset = false;
	return v1 - v0;
}

/* ---- gauges and counters ---- */

void metric_gauge(const struct prom_doc *d, const struct metric_sel *sel, struct metric_value *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < d->n_samples; i++)
		if (metric_sel_match(sel, &d->samples[i], sel->name)) {
			ret->value += d->samples[i].value;
			ret->n_series++;
		}
}

int metric_increase(const struct prom_doc *d0, const struct prom_doc *d1, const struct metric_sel *sel,
		    struct metric_value *ret)
{
	struct keyed *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = collect(d0, sel, sel->name, false, &a, &na);
	if (r == 0)
		r = collect(d1, sel, sel->name, false, &b, &nb);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		const struct keyed *before = find(a, na, &b[i]);
		double v1 = b[i].s->value;
		bool reset = false;

		ret->n_series++;
		if (!before) {
			ret->n_new++;
			ret->value += v1 > 0 ? v1 : 0;
			continue;
		}
		ret->value += series_increase(before->s->value, v1, &reset);
		ret->n_resets += reset;
	}
	keyed_free(a, na);
	keyed_free(b, nb);
	return r;
}

/* ---- histograms ---- */

static int bucket_cmp(const void *pa, const void *pb)
{
	const struct metric_bucket *a = pa, *b = pb;

	return a->le < b->le ? -1 : a->le > b->le;
}

static int add_bucket(struct metric_hist *h, size_t *cap, double le, double count)
{
	if (h->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct metric_bucket *nb = realloc(h->b, nc * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		h->b = nb;
		*cap = nc;
	}
	h->b[h->n++] = (struct metric_bucket){ le, count };
	return 0;
}

/* Sorts by le and sums the buckets of one le (coalesceBuckets). */
static void coalesce(struct metric_hist *h)
{
	size_t k = 0;

	if (!h->n)
		return;
	qsort(h->b, h->n, sizeof(*h->b), bucket_cmp);
	for (size_t i = 1; i < h->n; i++) {
		if (h->b[i].le == h->b[k].le)
			h->b[k].count += h->b[i].count;
		else
			h->b[++k] = h->b[i];
	}
	h->n = k + 1;
}

/* le as Prometheus reads it (ParseFloat); false for a value that is not
 * a number (prom_parse already refuses those). */
static bool le_of(const struct prom_sample *s, double *ret)
{
	const char *v = label_of(s, "le");
	char *end;

	if (!*v)
		return false;
	if (!strcmp(v, "+Inf") || !strcmp(v, "Inf") || !strcmp(v, "+inf") || !strcmp(v, "inf")) {
		*ret = INFINITY;
		return true;
	}
	*ret = strtod(v, &end);
	return *end == '\0' && !isnan(*ret);
}

int metric_hist_window(const struct prom_doc *d0, const struct prom_doc *d1, const struct metric_sel *sel,
		       struct metric_hist *ret)
{
	char bucket[METRIC_NAME_MAX + 8];
	struct keyed *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, cap = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	snprintf(bucket, sizeof(bucket), "%s_bucket", sel->name);
	r = collect(d0, sel, bucket, true, &a, &na);
	if (r == 0)
		r = collect(d1, sel, bucket, true, &b, &nb);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		const struct keyed *before = find(a, na, &b[i]);
		double v1 = b[i].s->value, inc;
		bool reset = false;

		/* A series new in the window counts from 0, as for counters. */
		inc = before ? series_increase(before->s->value, v1, &reset) : (v1 > 0 ? v1 : 0);
		ret->n_resets += reset;
		r = add_bucket(ret, &cap, b[i].le, inc);
		/* Sorted by series then le: a new key starts a new series. */
		if (i == 0 || strcmp(b[i - 1].key, b[i].key))
			ret->n_series++;
	}
	if (r == 0)
		coalesce(ret);
	keyed_free(a, na);
	keyed_free(b, nb);
	if (r < 0)
		metric_hist_release(ret);
	return r;
}

void metric_hist_release(struct metric_hist *h)
{
	free(h->b);
	memset(h, 0, sizeof(*h));
}

void metric_quantile_of(struct metric_hist *h, double q, struct metric_quantile *ret)
{
	struct metric_bucket *b = h->b;
	size_t n = h->n, k;
	double rank, start = 0, count;

	memset(ret, 0, sizeof(*ret));
	ret->value = NAN;
	if (!n) {
		ret->status = MQ_NO_BUCKETS;
		return;
	}
	qsort(b, n, sizeof(*b), bucket_cmp);
	if (!isinf(b[n - 1].le)) {
		ret->status = MQ_NO_INF;
		return;
	}
	/* ensureMonotonic: a bucket below its predecessor takes its count
	 * (precision loss in the rates, or scrapes that raced an update). */
	for (size_t i = 1; i < n; i++)
		if (b[i].count < b[i - 1].count)
			b[i].count = b[i - 1].count;
	if (n < 2) {
		ret->status = MQ_TOO_FEW;
		return;
	}
	ret->observations = b[n - 1].count;
	if (!(ret->observations > 0)) {
		ret->status = MQ_EMPTY;
		return;
	}
	rank = q * ret->observations;
	/* sort.Search over all buckets but the last: the first whose count
	 * reaches the rank. */
	for (k = 0; k < n - 1 && !(b[k].count >= rank); k++)
		;
	if (k == n - 1) {
		ret->in_inf = true;
		ret->lower = b[n - 2].le;
		ret->upper = INFINITY;
		ret->value = b[n - 2].le;
		return;
	}
	if (k == 0 && b[0].le <= 0) {
		ret->lower = b[0].le;
		ret->upper = b[0].le;
		ret->value = b[0].le;
		return;
	}
	count = b[k].count;
	if (k > 0) {
		start = b[k - 1].le;
		count -= b[k - 1].count;
		rank -= b[k - 1].count;
	}
	ret->lower = start;
	ret->upper = b[k].le;
	/* count is 0 only for rank 0 (q = 0) over an empty first bucket. */
	ret->value = count > 0 ? start + (b[k].le - start) * (rank / count) : start;
}
