/* endpoints: which of a process's listeners serve net/http/pprof, expvar
 * or Prometheus metrics, and what GOMAXPROCS/GOMEMLIMIT the service
 * reports there. */
#ifndef PREFLIGHT_ENDPOINTS_H
#define PREFLIGHT_ENDPOINTS_H

#include "facts/facts.h"

/* Probes every listener of p in parallel (p->endpoints gets one entry per
 * listener). Per-listener problems land in probe_error. Returns 0, or a
 * negative errno when no listener could be asked anything, also recorded
 * in p->http_err and p->http_errmsg: -ELIBACC (libcurl.so.4 cannot be
 * loaded; only asked for when there are listeners), -ENOMEM, -EIO. */
int endpoints_probe(struct process_facts *p, long timeout_ms);


#include "base/err.h"
#include "goruntime/pprof_index.h"


#endif
