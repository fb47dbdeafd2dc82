/* runtime: the Go runtime's other surfaces as plain data: MemStats from
 * any source, a Prometheus text document, mutex and block contention
 * profiles and the heap profile. The parsers are in goruntime/profiles.h.
 *
 * Ownership: each struct owns its strings and arrays; its _release()
 * frees them.
 */
#ifndef PREFLIGHT_FACTS_RUNTIME_H
#define PREFLIGHT_FACTS_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/goroutines.h"

struct go_memstats {
	bool ok;                           /* heap_alloc and next_gc are known */
	uint64_t heap_alloc, next_gc, heap_sys, heap_idle, heap_inuse, heap_released, heap_objects;
	uint64_t sys, total_alloc, mallocs, frees, stack_inuse;
	uint64_t num_gc, num_forced_gc, pause_total_ns, last_gc_ns;
	bool has_pause_total;              /* heap debug=1 prints no PauseTotalNs: known only
	                                    * while NumGC <= 256 (the ring's sum) */
	bool has_pause_ring;               /* expvar and heap debug=1 have it; /metrics does not */
	uint64_t pause_ns[256];            /* the PauseNs ring */
	double gc_cpu_fraction;            /* since program start */
	bool has_gc_cpu_fraction;
	uint64_t goroutines;               /* only from /metrics (go_goroutines); 0 = unknown */
	bool has_goroutines;
	int64_t gomaxprocs;                /* /metrics go_sched_gomaxprocs_threads; 0 = unknown */
	const char *source;                /* "expvar", "metrics", "heap" */
};

struct prom_label {
	char *name, *value;                /* value unescaped */
};

struct prom_sample {
	char *name;                        /* metric name as written, e.g. "go_gc_duration_seconds_sum" */
	struct prom_label *labels;
	size_t n_labels;
	double value;                      /* NaN, +Inf, -Inf accepted */
	bool has_timestamp;
	int64_t timestamp_ms;
};

struct prom_family {
	char *name;
	char *type;                        /* "counter", "gauge", "histogram", "summary", "untyped" */
	char *help;                        /* unescaped; may be NULL */
};

struct prom_doc {
	struct prom_sample *samples;
	size_t n_samples;
	struct prom_family *families;
	size_t n_families;
};

struct contention_site {
	uint64_t cycles;                   /* total delay in CPU cycles */
	uint64_t count;                    /* contention events */
	double delay_s;                    /* cycles / cycles_per_second */
	struct gr_frame *frames;           /* innermost first */
	size_t n_frames;
};

struct contention_profile {
	int kind;                          /* 'm' mutex, 'b' block */
	uint64_t cycles_per_second;
	int64_t sampling_period;           /* mutex: SetMutexProfileFraction rate; block: -1 (not printed) */
	bool enabled;                      /* false when the profile is off (rate 0, only headers) */
	struct contention_site *sites;     /* sorted by delay, descending */
	size_t n_sites;
	double total_delay_s;
	uint64_t total_count;              /* contention events over all sites (saturating) */
};

struct heap_site {
	uint64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes;
	struct gr_frame *frames;
	size_t n_frames;
};

struct heap_profile {
	uint64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes;
	uint64_t sample_rate;              /* the header's heap/N, which is 2 x MemProfileRate */
	struct heap_site *sites;           /* sorted by inuse_bytes, descending */
	size_t n_sites;
	struct go_memstats memstats;       /* from the trailing block */
};

void prom_doc_release(struct prom_doc *d);
void contention_profile_release(struct contention_profile *p);
void heap_profile_release(struct heap_profile *p);

#endif
