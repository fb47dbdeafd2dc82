/* endpoints: which of a process's listeners serve net/http/pprof, expvar
 * or Prometheus metrics, and what GOMAXPROCS/GOMEMLIMIT the service
 * reports there. */
#ifndef PREFLIGHT_ENDPOINTS_H
#define PREFLIGHT_ENDPOINTS_H

#include "facts/facts.h"
#include "io/netns.h"

/* Probes every listener of p in parallel (p->endpoints gets one entry per
 * listener). Per-listener problems land in probe_error. Returns 0, or a
 * negative errno when no listener could be asked anything, also recorded
 * in p->http_err and p->http_errmsg: -ELIBACC (libcurl.so.4 cannot be
 * loaded; only asked for when there are listeners), -ENOMEM, -EIO.
 * netns: the target's network namespace, where its listeners are (the
 * probes connect from there, io/netns.h); NULL = ours. */
int endpoints_probe(struct process_facts *p, long timeout_ms, const struct netns *netns);


#include "base/err.h"
#include "goruntime/pprof_index.h"


#endif
