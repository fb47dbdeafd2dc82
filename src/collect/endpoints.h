/* endpoints: which of a process's listeners serve net/http/pprof, expvar
 * or Prometheus metrics, and what GOMAXPROCS/GOMEMLIMIT the service
 * reports there. */
#ifndef PREFLIGHT_ENDPOINTS_H
#define PREFLIGHT_ENDPOINTS_H

#include "facts/facts.h"

/* Probes every listener of p in parallel (p->endpoints gets one entry per
 * listener). Never fails: per-listener problems land in probe_error. */
int endpoints_probe(struct process_facts *p, long timeout_ms);


#include "base/err.h"
#include "goruntime/pprof_index.h"

/* GETs BASE/debug/pprof/ (base as go_url() takes it) with the given
 * timeout (0 = the fetch default) and parses it. Returns 0, a fetch error
 * (fetch.h) or -PF_EPARSE, with e filled. */
int pprof_index_fetch(const char *base, long timeout_ms, struct pprof_index *ret, struct err *e);

#endif
