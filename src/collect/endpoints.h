/* endpoints: which of a process's listeners serve net/http/pprof, expvar
 * or Prometheus metrics, and what GOMAXPROCS/GOMEMLIMIT the service
 * reports there. */
#ifndef PREFLIGHT_ENDPOINTS_H
#define PREFLIGHT_ENDPOINTS_H

#include "collect/facts.h"

/* Probes every listener of p in parallel (p->endpoints gets one entry per
 * listener). Never fails: per-listener problems land in probe_error. */
int endpoints_probe(struct process_facts *p, long timeout_ms);

/* Looks for a sample of metric name (no labels or any labels) in a
 * Prometheus text body; the first one found wins. */
bool prom_find_value(const char *body, const char *name, double *ret);

#endif
