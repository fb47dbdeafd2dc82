/* watch_trigger: the judgement of `preflight watch`, kept apart from the
 * fetching and the files so it is a pure function of the samples: which
 * thresholds a new sample crosses, with a cooldown per reason, and which
 * incident each crossing belongs to.
 *
 * Each reason mirrors a check (docs/watch.md), with that check's
 * definition and, by default, the threshold at which it fails
 * (watch_params_defaults reads them from the registry):
 *  - heap-pressure (go.heap-pressure): the trough of HeapAlloc/NextGC over
 *    the samples of a full window in which at least one GC cycle ended
 *    (check/heap_trough.h); a climb between two cycles is never judged;
 *  - gc-cpu (go.gc-cpu): the GC's share of the CPU over the GCs that ended
 *    in the last window when the target's start time is known, else the
 *    runtime's cumulative GCCPUFraction (see watch_gc_cpu_between); not
 *    judged before the first GC, nor over a window in which none ended;
 *  - goroutines (go.goroutines): the count on the pprof index page;
 *  - goroutine-growth (go.goroutines' growth over the window): goroutines
 *    per second across a full window; off by default, as the check does
 *    not judge growth.
 *
 * An incident is a run of crossings of one reason: it opens with a
 * crossing when none of that reason is open, and ends once the reason has
 * not crossed for a quiet period, which is the cooldown (or at the first
 * sample that does not cross, with a cooldown of 0). Crossings whose
 * reason is in its cooldown are not reported but keep the incident open,
 * so a long incident gives one capture per cooldown, numbered from 1.
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
#include "check/heap_trough.h"

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
/* The check each reason mirrors: "go.heap-pressure", "go.gc-cpu",
 * "go.goroutines" (both goroutine reasons). */
const char *watch_reason_check(enum watch_reason r);

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
	double heap_pressure;         /* post-GC trough of HeapAlloc/NextGC; 0 = not watched */
	double gc_cpu;                /* fraction of the CPU; 0 = not watched */
	uint64_t goroutines;          /* count; 0 = not watched */
	double growth_per_s;          /* goroutines per second; 0 = not watched */
	double window_s;              /* span of the growth rate and the recent GC CPU */
	double cooldown_s;            /* per reason; also the quiet period that ends an incident */
	double start_unix;            /* the target's start, unix seconds; 0 = unknown */
	double interval_s;            /* sampling interval, sizes the ring */
};

/* The thresholds of the checks the reasons mirror, at their fail level
 * (go.heap-pressure fail, go.gc-cpu fail, go.goroutines fail), growth off,
 * and the rest zero. */
void watch_params_defaults(struct watch_params *p);

struct watch_crossing {
	enum watch_reason reason;
	double value, threshold;
	uint64_t incident;            /* numbered from 1 in this watcher's life, across reasons */
	double incident_wall;         /* unix seconds of the incident's first crossing */
	unsigned capture;             /* this event's number in the incident; 1 = the first */
};

struct watch_incident {
	bool open;
	uint64_t id;
	double start_wall;
	double last_cross;            /* monotonic time of its latest crossing */
	unsigned captures;
};

struct watch_state {
	struct watch_params p;
	struct watch_sample *ring;    /* the samples of the last window, oldest first from head */
	size_t cap, head, n;
	double last_fired[WATCH_N_REASONS];
	bool fired[WATCH_N_REASONS];
	struct watch_incident inc[WATCH_N_REASONS];
	bool crossed_last[WATCH_N_REASONS];   /* the previous sample crossed */
	uint64_t n_incidents;
	struct heap_point *pts;       /* scratch for the trough, cap long */
	/* The latest judged values, for progress lines; NAN when unknown.
	 * heap_ratio is the sample's own HeapAlloc/NextGC, heap_trough the
	 * judged value (NAN until a full window with a GC cycle). */
	double heap_ratio, heap_trough, gc_cpu, growth;
	bool gc_cpu_recent;           /* gc_cpu is recent (not cumulative) */
	bool restarted;               /* the last sample showed the target restarted */
};

int watch_state_init(struct watch_state *s, const struct watch_params *p, struct err *e);
void watch_state_release(struct watch_state *s);

/* Adds a sample (times must not go backwards) and returns how many
 * reasons it crosses that are not in their cooldown, written to
 * out[0..n) in enum order with their incident. Those reasons start their
 * cooldown at x->t. A
 * target that restarted (NumGC or LastGC went backwards) empties the ring
 * and, since its start time is then stale, falls back to the cumulative
 * GC CPU. */
size_t watch_observe(struct watch_state *s, const struct watch_sample *x, struct watch_crossing out[WATCH_N_REASONS]);

/* Whether an event may add a debug=2 goroutine dump to its debug=1
 * profile: only when the user asked (full_stacks, --full-stacks) and the
 * count (the larger of the sample's and the debug=1 profile's; 0 =
 * unknown) is under the goroutine guard max_debug2 (0 = never), the one
 * check and goroutines use (--max-debug2), since the dump stops the
 * target's world while every stack is printed. why (n bytes) gets the
 * reason, for the event's metadata: "debug=1 only: --full-stacks not
 * given", "debug=2 too: 214 goroutines < --max-debug2 20000". */
bool watch_debug2_decide(bool full_stacks, uint64_t max_debug2, uint64_t count, char *why, size_t n);

/* gc_cpu_between() (goruntime/gccpu.h) on two samples; -EINVAL also when
 * either has no memstats. */
int watch_gc_cpu_between(const struct watch_sample *a, const struct watch_sample *b, double start_unix,
			 double *ret);


#endif
