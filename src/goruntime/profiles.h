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
#include "facts/runtime.h"

/* ---- runtime.MemStats, from any source ---- */


/* /debug/vars JSON: the "memstats" member. uint64 values are kept exact
 * (jansson's integers are int64: a document holding an integer above
 * INT64_MAX anywhere is read again with integers as doubles, and memstats
 * values above 2^53, such as LastGC, then lose their last bits). HeapAlloc
 * and NextGC are required; PauseNs, when present, has 256 entries. */
int memstats_from_expvar(const char *body, size_t len, struct go_memstats *ret, struct err *e);
/* The "# runtime.MemStats" block of a heap debug=1 profile; body may be the
 * whole profile (the block is found by its header line). */
int memstats_from_heap(const char *body, size_t len, struct go_memstats *ret, struct err *e);

/* ---- Prometheus text exposition (version 0.0.4) ---- */


int prom_parse(const char *body, size_t len, struct prom_doc *ret, struct err *e);
/* The first sample named name whose labels include all of the given
 * name=value pairs (NULL-terminated list of alternating strings; NULL for
 * none). */
const struct prom_sample *prom_find(const struct prom_doc *d, const char *name, const char *const *labels);
/* client_golang's go_* metrics into memstats (what they cover; ok only
 * when both the heap and the goal are there). next_gc falls back to
 * go_gc_heap_goal_bytes, gc_cpu_fraction to the /cpu/classes ratio
 * gc/total over total; num_gc and pause_total_ns come from the
 * go_gc_duration_seconds summary. Returns -PF_ENOTFOUND when the
 * exposition has none of the metrics, -PF_EPARSE for a value that is not
 * a count (negative, NaN, ...). */
int memstats_from_prom(const struct prom_doc *d, struct go_memstats *ret, struct err *e);

/* ---- mutex and block profiles, debug=1 ---- */


/* A mutex profile is enabled when its sampling period is above 0. The
 * block profile prints no rate: it counts as enabled when it holds any
 * record, so an enabled block profile that has seen no blocking yet reads
 * as disabled. Values are as the runtime wrote them: Go 1.19 wrote the
 * sampled mutex events unscaled, Go 1.26 scales them by the period when it
 * records them (docs/profiles.md). */
int contention_parse(const char *body, size_t len, struct contention_profile *ret, struct err *e);

/* The call site of a record: its innermost frame that is not runtime,
 * sync or internal/ plumbing (gr_frame_is_plumbing). A mutex record points
 * at the Unlock, so this is the function that ends the critical section
 * others waited on; a block record points at the blocking operation, so
 * this is the function that waited. When every frame is plumbing, the
 * innermost frame. *ret_runtime_internal (may be NULL) is set for mutex
 * records of runtime-internal locks (innermost frame runtime.*, Go 1.22+
 * reports them), whose site is then the program function that took the
 * runtime lock, or runtime's own frame. NULL for a record without frames. */
const struct gr_frame *contention_site_frame(const struct contention_profile *p, const struct contention_site *s,
					     bool *ret_runtime_internal);

/* The records of a profile merged by call site (function, file, line) and
 * sorted by delay, descending. */
struct contention_rank {
	const struct gr_frame *site;       /* borrowed from the profile; NULL when unknown */
	bool runtime_internal;
	uint64_t cycles, count;            /* sums (saturating) */
	double delay_s;
	double share;                      /* of the profile's total delay, 0..1 (0 when the total is 0) */
	size_t n_stacks;                   /* records merged into this site */
	const struct contention_site *top; /* the merged record with the biggest delay; borrowed */
};

/* *ret (free() it; its pointers borrow from p) gets *ret_n ranks. */
int contention_rank_sites(const struct contention_profile *p, struct contention_rank **ret, size_t *ret_n,
			  struct err *e);

/* ---- heap profile, debug=1 ---- */


int heap_parse(const char *body, size_t len, struct heap_profile *ret, struct err *e);

/* Whether a frame is runtime, sync or internal/ plumbing (the machinery of
 * blocking and locking) rather than the program's own call site. */
bool gr_frame_is_plumbing(const struct gr_frame *f);

#endif
