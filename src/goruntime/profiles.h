/* profiles: the other Go runtime surfaces, parsed into plain structs:
 * mutex and block contention profiles (debug=1), the heap profile
 * (debug=1, with its MemStats block), expvar's /debug/vars, and the
 * Prometheus text exposition of /metrics. See shared reference sections
 * 2.5, 2.6, 3 and 4. Each parser takes a whole body (bounded by the fetch)
 * and either fills its struct or returns -PF_EPARSE with e filled
 * ("not a mutex profile: looks like HTML", "...: line 12: ...").
 */
#ifndef PREFLIGHT_PROFILES_H
#define PREFLIGHT_PROFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "goruntime/goroutine.h"

/* ---- runtime.MemStats, from any source ---- */

struct go_memstats {
	bool ok;
	uint64_t heap_alloc, next_gc, heap_sys, heap_idle, heap_inuse, heap_released, heap_objects;
	uint64_t sys, total_alloc, mallocs, frees, stack_inuse;
	uint64_t num_gc, num_forced_gc, pause_total_ns, last_gc_ns;
	bool has_pause_ring;               /* expvar and heap debug=1 have it; /metrics does not */
	uint64_t pause_ns[256];            /* the PauseNs ring */
	double gc_cpu_fraction;            /* since program start */
	bool has_gc_cpu_fraction;
	uint64_t goroutines;               /* only from /metrics (go_goroutines); 0 = unknown */
	bool has_goroutines;
	int64_t gomaxprocs;                /* /metrics go_sched_gomaxprocs_threads; 0 = unknown */
	const char *source;                /* "expvar", "metrics", "heap" */
};

/* /debug/vars JSON: the "memstats" member. uint64 values are kept exact. */
int memstats_from_expvar(const char *body, size_t len, struct go_memstats *ret, struct err *e);
/* The "# runtime.MemStats" block of a heap debug=1 profile. */
int memstats_from_heap(const char *body, size_t len, struct go_memstats *ret, struct err *e);

/* ---- Prometheus text exposition (version 0.0.4) ---- */

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

int prom_parse(const char *body, size_t len, struct prom_doc *ret, struct err *e);
void prom_doc_release(struct prom_doc *d);
/* The first sample named name whose labels include all of the given
 * name=value pairs (NULL-terminated list of alternating strings; NULL for
 * none). */
const struct prom_sample *prom_find(const struct prom_doc *d, const char *name, const char *const *labels);
/* client_golang's go_* metrics into memstats (what they cover). */
int memstats_from_prom(const struct prom_doc *d, struct go_memstats *ret, struct err *e);

/* ---- mutex and block profiles, debug=1 ---- */

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
};

int contention_parse(const char *body, size_t len, struct contention_profile *ret, struct err *e);
void contention_profile_release(struct contention_profile *p);

/* ---- heap profile, debug=1 ---- */

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

int heap_parse(const char *body, size_t len, struct heap_profile *ret, struct err *e);
void heap_profile_release(struct heap_profile *p);

/* Frees the strings of a frame array (shared by the structs above). */
void gr_frames_release(struct gr_frame *frames, size_t n);

#endif
