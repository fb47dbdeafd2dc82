/* gccpu: the GC's share of the CPU between two memstats readings.
 *
 * The runtime's GCCPUFraction is cumulative: G / (P * (L - S)) with G the
 * GC CPU time so far, P GOMAXPROCS, L the end of the last GC and S the
 * process start. With P constant, G/P at each reading is F * (L - S), so
 * the share between two readings is the difference over L_b - L_a, and
 * GOMAXPROCS cancels. Shared by `preflight check` (go.gc-cpu) and
 * `preflight watch`. */
#ifndef PREFLIGHT_GCCPU_H
#define PREFLIGHT_GCCPU_H

#include <stdint.h>

struct gc_cpu_point {
	double wall;            /* unix seconds when the reading was taken */
	uint64_t num_gc;
	uint64_t last_gc_ns;    /* unix ns of the last GC's end; 0 = none yet */
	double fraction;        /* GCCPUFraction as the runtime reports it */
};

/* The share over the GCs that ended between a and b (a older). Returns 0
 * with *ret in [0, 1] (0 when no GC ended in between), or -EINVAL when the
 * readings do not fit the formula (unknown start, a GC end before the
 * start, counters or times going backwards: a restarted target). */
int gc_cpu_between(const struct gc_cpu_point *a, const struct gc_cpu_point *b, double start_unix, double *ret);

#endif
