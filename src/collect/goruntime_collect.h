/* goruntime_collect: check's sampling of a Go service's own debug
 * surfaces over the window, through the one sampler (collect/sampler.h):
 * memstats every SAMPLER_TICK_S (expvar, else /metrics), goroutine
 * debug=1 snapshots every SAMPLER_SNAPSHOT_S and at both ends, debug=2
 * dumps at both ends when the goroutine count makes them affordable, and
 * the mutex and block profiles at both ends of the window. Then the source
 * lines at the groups' sites, read through /proc/PID/root. It never hurts
 * the target: debug=2 only below max_debug2 goroutines. */
#ifndef PREFLIGHT_GORUNTIME_COLLECT_H
#define PREFLIGHT_GORUNTIME_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "collect/sampler.h"
#include "facts/facts.h"

struct goruntime_opts {
	long timeout_ms;          /* one tick's requests together */
	uint64_t max_debug2;      /* fetch debug=2 only below this many goroutines */
	double start;             /* CLOCK_MONOTONIC start of the window (sampler_mono()) */
	const struct sampler_hooks *hooks;   /* progress for the command; NULL = none */
	const struct netns *netns;           /* the target's network namespace; NULL = ours */
	/* The metric.* checks: read the whole /metrics page at both ends of
	 * the window, from metrics_url (a full URL) when given, else from the
	 * listener the probes found serving /metrics. */
	const char *metrics_url;
	bool metrics_doc;
};

/* Picks the endpoints among f->proc.endpoints and takes the first tick.
 * Does nothing (but set up s) when no listener serves pprof, expvar or
 * /metrics. s is released by goruntime_end. */
void goruntime_begin(struct facts *f, const struct goruntime_opts *o, struct sampler *s);
/* Samples until deadline (CLOCK_MONOTONIC seconds), when f->window_s > 0. */
void goruntime_window(struct facts *f, struct sampler *s, double deadline);
/* The last snapshot, the debug=2 dump, the second contention profiles,
 * the source lines; releases s. */
void goruntime_end(struct facts *f, struct sampler *s);
void goruntime_facts_release(struct goruntime_facts *g);

#endif
