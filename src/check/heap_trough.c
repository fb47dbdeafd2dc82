/* The post-GC trough of HeapAlloc/NextGC (heap_trough.h). */
#include "check/heap_trough.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "base/stats.h"

int heap_trough_of(const struct heap_point *pts, size_t n, struct heap_trough *ret)
{
	double *ratios;
	size_t k = 0;

	*ret = (struct heap_trough){ .trough = NAN, .p50 = NAN, .p95 = NAN, .max = NAN };
	if (!n)
		return 0;
	ratios = calloc(n, sizeof(*ratios));
	if (!ratios)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (pts[i].next_gc)
			ratios[k++] = (double)pts[i].heap_alloc / (double)pts[i].next_gc;
	ret->samples = k;
	ret->cycles = pts[n - 1].num_gc >= pts[0].num_gc ? pts[n - 1].num_gc - pts[0].num_gc : 0;
	if (k) {
		stats_sort(ratios, k);
		ret->trough = ratios[0];
		ret->p50 = stats_percentile(ratios, k, 0.50);
		ret->p95 = stats_percentile(ratios, k, 0.95);
		ret->max = ratios[k - 1];
	}
	ret->judged = k >= 2 && ret->cycles > 0;
	free(ratios);
	return 0;
}
