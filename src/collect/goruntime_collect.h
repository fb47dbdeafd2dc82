/* goruntime_collect: samples a Go service's own debug surfaces over the
 * window: memstats every tick (expvar, else /metrics), goroutine debug=1
 * snapshots every GORUNTIME_SNAPSHOT_S and at both ends, one debug=2 dump at the
 * end when the goroutine count makes it affordable, and the mutex and block
 * profiles at both ends of the window. It never hurts the target: debug=2
 * only below max_debug2 goroutines, one request at a time. */
#ifndef PREFLIGHT_GORUNTIME_COLLECT_H
#define PREFLIGHT_GORUNTIME_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "facts/facts.h"

#define GORUNTIME_TICK_S 0.2
#define GORUNTIME_SNAPSHOT_S 0.5

struct goruntime_opts {
	long timeout_ms;          /* per request */
	uint64_t max_debug2;      /* fetch debug=2 only below this many goroutines */
};

/* Picks the endpoints among f->proc.endpoints and takes the first samples.
 * Does nothing when no listener serves pprof, expvar or /metrics. */
void goruntime_begin(struct facts *f, const struct goruntime_opts *o);
/* One memstats sample; with snapshot, also a goroutine debug=1 snapshot. */
void goruntime_tick(struct facts *f, const struct goruntime_opts *o, bool snapshot);
/* The last snapshot, the debug=2 dump and the second contention profiles. */
void goruntime_end(struct facts *f, const struct goruntime_opts *o);
void goruntime_facts_release(struct goruntime_facts *g);

#endif
