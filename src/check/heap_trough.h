/* heap_trough: the one judgment of "the heap at its GC goal", shared by
 * the go.heap-pressure check and `preflight watch`'s heap-pressure
 * trigger, so the two can never disagree about what is judged.
 *
 * HeapAlloc counts garbage not yet collected, so across a GC cycle it
 * climbs from the live heap to the trigger point just under NextGC and
 * drops again: any service that allocates spends time near 0.9 of its
 * goal, healthy or not. What shows a heap at its goal is the trough, the
 * ratio just after a cycle (live heap over goal): about 1/(1+GOGC/100)
 * while the goal has room, near 1 when GOMEMLIMIT or a huge live heap
 * squeezes it. So what is judged is the smallest HeapAlloc/NextGC of a
 * run of samples in which at least one GC cycle ended; without a cycle
 * the run shows a climb between two cycles, and there is nothing to judge.
 *
 * Pure: no I/O; the only allocation is a scratch copy of the ratios.
 */
#ifndef PREFLIGHT_HEAP_TROUGH_H
#define PREFLIGHT_HEAP_TROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One memstats sample, oldest first. */
struct heap_point {
	uint64_t heap_alloc, next_gc, num_gc;
};

struct heap_trough {
	size_t samples;               /* points with NextGC > 0 (GOGC=off has none) */
	uint64_t cycles;              /* GC cycles that ended from the first point to the last;
	                               * 0 when NumGC went back (a restart) */
	double trough, p50, p95, max; /* of HeapAlloc/NextGC (nearest rank); NAN without samples */
	bool judged;                  /* at least 2 samples and 1 cycle: the trough is a post-GC heap */
};

/* Fills ret from n points. Returns 0, or -ENOMEM. */
int heap_trough_of(const struct heap_point *pts, size_t n, struct heap_trough *ret);

#endif
