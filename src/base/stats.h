/* stats: the order statistics the checks quote (percentiles of pauses,
 * heap ratios), one definition so every p95 in a report means the same. */
#ifndef PREFLIGHT_STATS_H
#define PREFLIGHT_STATS_H

#include <stddef.h>

/* Sorts v ascending (NaNs are the caller's to keep out). */
void stats_sort(double *v, size_t n);
/* Nearest-rank percentile (p in [0, 1]) of a sorted, non-empty array:
 * the smallest value with at least p*n values at or below it. */
double stats_percentile(const double *sorted, size_t n, double p);

#endif
