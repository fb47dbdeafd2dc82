/* endpoints: which of a process's listeners serve net/http/pprof, expvar
 * or Prometheus metrics, and what GOMAXPROCS/GOMEMLIMIT the service
 * reports there. */
#ifndef PREFLIGHT_ENDPOINTS_H
#define PREFLIGHT_ENDPOINTS_H

#include "collect/facts.h"

/* Probes every listener of p in parallel (p->endpoints gets one entry per
 * listener). Never fails: per-listener problems land in probe_error. */
int endpoints_probe(struct process_facts *p, long timeout_ms);


#endif
