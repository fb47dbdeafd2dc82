#include "check/gccpu.h"

#include <errno.h>
#include <math.h>

/* Rounding in the runtime's own accounting can put the share a hair
 * outside [0, 1]; more than this means the readings do not fit. */
#define GC_CPU_SLACK 0.02

int gc_cpu_between(const struct gc_cpu_point *a, const struct gc_cpu_point *b, double start_unix, double *ret)
{
	double la, lb, v;

	if (!(start_unix > 0) || b->num_gc < a->num_gc)
		return -EINVAL;
	if (b->num_gc == a->num_gc) {
		if (b->last_gc_ns != a->last_gc_ns)
			return -EINVAL;
		*ret = 0;
		return 0;
	}
	/* Before the first GC the runtime has spent no GC time: G_a = 0 from
	 * the moment a was taken. */
	la = a->num_gc ? (double)a->last_gc_ns / 1e9 - start_unix : a->wall - start_unix;
	lb = (double)b->last_gc_ns / 1e9 - start_unix;
	if (la < 0 || !(lb > la))
		return -EINVAL;
	v = (b->fraction * lb - (a->num_gc ? a->fraction * la : 0)) / (lb - la);
	if (!isfinite(v) || v < -GC_CPU_SLACK || v > 1 + GC_CPU_SLACK)
		return -EINVAL;
	*ret = v < 0 ? 0 : v > 1 ? 1 : v;
	return 0;
}
