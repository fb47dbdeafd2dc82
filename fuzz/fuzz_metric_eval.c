/* Fuzzes the metric.* math: the input is a selector line, then two
 * Prometheus text pages split by a line "---" (the window's first and
 * last read). Selector parsing, matching, gauges, counter increases,
 * histogram windows and quantiles must never crash, leak or hang, and a
 * quantile answer must lie within its bucket. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/metric_eval.h"
#include "goruntime/profiles.h"

static const double quantiles[] = { 0, 0.1, 0.5, 0.9, 0.99, 1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *nl, *sep, why[256], out[4096];
	struct prom_doc d0 = { 0 }, d1 = { 0 };
	struct metric_sel sel;
	struct metric_value v;
	struct metric_hist h;
	struct metric_quantile q;
	size_t len0, len1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	nl = strchr(text, '\n');
	if (!nl || strlen(text) != size)
		goto out;
	*nl = '\0';
	if (metric_sel_parse(text, &sel, why, sizeof(why)) != 0)
		goto out;
	metric_sel_format(&sel, out, sizeof(out));
	/* The formatted selector reads back as the same selector. */
	{
		struct metric_sel again;

		if (strlen(out) + 1 < sizeof(out) && metric_sel_parse(out, &again, why, sizeof(why)) != 0)
			abort();
	}
	sep = strstr(nl + 1, "\n---\n");
	len0 = sep ? (size_t)(sep - (nl + 1)) : size - (size_t)(nl + 1 - text);
	if (prom_parse(nl + 1, len0, &d0, NULL) != 0)
		goto out;
	if (sep) {
		len1 = size - (size_t)(sep + 5 - text);
		if (prom_parse(sep + 5, len1, &d1, NULL) != 0)
			goto out;
	}
	metric_gauge(&d0, &sel, &v);
	(void)metric_name_present(&d0, sel.name);
	(void)metric_family_type(&d0, sel.name);
	(void)metric_increase(&d0, &d1, &sel, &v);
	if (metric_hist_window(&d0, &d1, &sel, &h) == 0) {
		for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++) {
			metric_quantile_of(&h, quantiles[i], &q);
			if (q.status == MQ_OK && !q.in_inf && isfinite(q.value) &&
			    (q.value < q.lower - 1e-9 * fabs(q.lower) || q.value > q.upper + 1e-9 * fabs(q.upper)))
				abort();
		}
		metric_hist_release(&h);
	}
out:
	prom_doc_release(&d0);
	prom_doc_release(&d1);
	free(text);
	return 0;
}
