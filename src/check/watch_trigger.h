/* watch_trigger: the judgement of `preflight watch`, kept apart from the
 * fetching and the files so it is a pure function of the samples: which
 * thresholds a new sample crosses, with a cooldown per reason.
 *
 * Reasons and their values:
 *  - heap-pressure: HeapAlloc / NextGC of the sample;
 *  - gc-cpu: the GC's share of the CPU, recent (over the GCs that ended in
 *    the last window) when the target's start time is known, else the
 *    runtime's cumulative GCCPUFraction (see watch_gc_cpu_between);
 *  - goroutines: the count on the pprof index page;
 *  - goroutine-growth: goroutines per second across a full window.
 *
 * Ownership: a watch_state owns its sample ring; watch_state_release()
 * frees it.
 */
#ifndef PREFLIGHT_WATCH_TRIGGER_H
#define PREFLIGHT_WATCH_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

enum watch_reason {
	WATCH_HEAP_PRESSURE,
	WATCH_GC_CPU,
	WATCH_GOROUTINES,
	WATCH_GOROUTINE_GROWTH,
	WATCH_N_REASONS,
};

/* "heap-pressure", "gc-cpu", "goroutines", "goroutine-growth": the names
 * in event lines and file names. */
const char *watch_reason_name(enum watch_reason r);

struct watch_sample {
	double t;                     /* CLOCK_MONOTONIC seconds */
	double wall;                  /* unix seconds, when the sample was taken */
	bool has_mem;                 /* the memstats fields below were read */
	uint64_t heap_alloc, next_gc, num_gc;
	uint64_t last_gc_ns;          /* unix ns of the last GC's end; 0 = none yet */
	double gc_cpu_fraction;       /* cumulative, as the runtime reports it */
	bool has_goroutines;
	uint64_t goroutines;
};

struct watch_params {
	double heap_pressure;         /* HeapAlloc/NextGC; 0 = not watched */
	double gc_cpu;                /* fraction of the CPU; 0 = not watched */
	uint64_t goroutines;          /* count; 0 = not watched */
	double growth_per_s;          /* goroutines per second; 0 = not watched */
	double window_s;              /* span of the growth rate and the recent GC CPU */
	double cooldown_s;            /* per reason */
	double start_unix;            /* the target's start, unix seconds; 0 = unknown */
	double interval_s;            /* sampling interval, sizes the ring */
};

struct watch_crossing {
	enum watch_reason reason;
	double value, threshold;
};

struct watch_state {
	struct watch_params p;
	struct watch_sample *ring;    /* the samples of the last window, oldest first from head */
	size_t cap, head, n;
	double last_fired[WATCH_N_REASONS];
	bool fired[WATCH_N_REASONS];
	/* The latest judged values, for progress lines; NAN when unknown. */
	double heap_ratio, gc_cpu, growth;
	bool gc_cpu_recent;           /* gc_cpu is recent (not cumulative) */
	bool restarted;               /* the last sample showed the target restarted */
};

int watch_state_init(struct watch_state *s, const struct watch_params *p, struct err *e);
void watch_state_release(struct watch_state *s);

/* Adds a sample (times must not go backwards) and returns how many
 * reasons it crosses that are not in their cooldown, written to
 * out[0..n) in enum order. Those reasons start their cooldown at x->t. A
 * target that restarted (NumGC or LastGC went backwards) empties the ring
 * and, since its start time is then stale, falls back to the cumulative
 * GC CPU. */
size_t watch_observe(struct watch_state *s, const struct watch_sample *x, struct watch_crossing out[WATCH_N_REASONS]);

/* gc_cpu_between() (goruntime/gccpu.h) on two samples; -EINVAL also when
 * either has no memstats. */
int watch_gc_cpu_between(const struct watch_sample *a, const struct watch_sample *b, double start_unix,
			 double *ret);


#endif
