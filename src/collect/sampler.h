/* sampler: the one schedule by which preflight samples a live Go service
 * through its debug listeners. `check` samples its window with it,
 * `goroutines URL` takes its snapshots with it, and `watch` samples with it
 * until it is stopped; each asks for the surfaces it judges (opts.what).
 *
 * The schedule:
 *  - sampler_begin: the first tick, every request of it at once (the
 *    index page's goroutine count, memstats, a goroutine debug=1
 *    snapshot, the mutex and block profiles), so a listener that accepts
 *    and never answers costs one timeout, not one per request; then, for
 *    a window (window_s > 0), a debug=2 dump to confirm growth with, when
 *    the goroutine count makes it affordable (below max_debug2);
 *  - sampler_run: ticks every tick_s on a grid from opts.start until the
 *    deadline: memstats and the index count each tick, a debug=1 snapshot
 *    every snapshot_s (the last one is left to sampler_end). A tick that
 *    comes late skips the ticks it covered, unless SAMPLE_EVERY_TICK
 *    (goroutines' --samples is a count). It then waits for the deadline;
 *  - sampler_end: the last snapshot, the debug=2 dump (states, wait
 *    times) below max_debug2, and the contention profiles again.
 * With SAMPLE_METRICS_DOC, the whole /metrics page is read and kept at
 * begin and at the end (not on the ticks: two reads are all a rate or a
 * histogram quantile over the window needs).
 * The goroutine count that decides a debug=2 dump is the index page's
 * (runtime.NumGoroutine(), no stack walked), else go_goroutines on
 * /metrics, else the first snapshot's total; at the end, the larger of it
 * and the last snapshot's total, since the count may have climbed.
 *
 * Requests reuse kept-alive connections (io/http.c keeps libcurl's
 * connection cache for the whole run). The sampler never prints: waits,
 * progress and per-tick judgments go through the hooks, results into a
 * struct goruntime_facts and the latest tick.
 *
 * Ownership: the sampler borrows opts' strings and out; out owns what is
 * gathered (goruntime_facts_release frees it); sampler_release frees the
 * sampler's own buffers. out may be NULL when what asks for no snapshots,
 * debug=2 dumps, contention profiles or kept memstats (watch: the tick
 * is all it reads).
 */
#ifndef PREFLIGHT_SAMPLER_H
#define PREFLIGHT_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "facts/facts.h"
#include "io/netns.h"

/* check's schedule: memstats every 200 ms, a goroutine snapshot every 0.5 s. */
#define SAMPLER_TICK_S 0.2
#define SAMPLER_SNAPSHOT_S 0.5
/* The goroutine guard: the default --max-debug2, below which a debug=2
 * dump (it stops the target's world while it prints every stack) is
 * affordable. */
#define SAMPLER_MAX_DEBUG2 20000

enum sampler_what {
	SAMPLE_MEMSTATS = 1u << 0,      /* each tick: /debug/vars, else /metrics */
	SAMPLE_INDEX = 1u << 1,         /* each tick: the goroutine count on /debug/pprof/ */
	SAMPLE_SNAPSHOTS = 1u << 2,     /* debug=1 at begin and every snapshot_s */
	SAMPLE_LAST_SNAPSHOT = 1u << 3, /* and one more at sampler_end */
	SAMPLE_DEBUG2 = 1u << 4,        /* debug=2 after begin (windows only) and at the end */
	SAMPLE_CONTENTION = 1u << 5,    /* mutex and block at begin and (windows only) at the end */
	SAMPLE_METRICS_COUNT = 1u << 6, /* begin also asks /metrics for go_goroutines */
	SAMPLE_KEEP_MEMSTATS = 1u << 7, /* keep every memstats sample in out (else only the tick's) */
	SAMPLE_KEEP_VARS = 1u << 8,     /* keep the tick's /debug/vars body (watch saves it) */
	SAMPLE_EVERY_TICK = 1u << 9,    /* a late tick is taken at once, not skipped */
	SAMPLE_METRICS_DOC = 1u << 10,  /* the whole page at opts.metrics_doc, parsed, at begin and
	                                 * (windows only) at the end: out->metrics_doc[0..1] */
};

struct sampler_opts {
	const char *pprof, *vars, *metrics;  /* listener bases ("http://127.0.0.1:6060"); NULL or "" = none */
	const char *metrics_doc;             /* SAMPLE_METRICS_DOC: a full URL ("http://127.0.0.1:2381/metrics";
	                                      * without a path, /metrics) */
	unsigned what;                       /* enum sampler_what bits */
	long timeout_ms;                     /* one tick's requests together (connect and total) */
	long debug2_timeout_ms;              /* a debug=2 dump (it stops the target's world) */
	uint64_t max_debug2;                 /* debug=2 only below this many goroutines; 0 = never */
	double tick_s, snapshot_s;           /* 0: no ticks / snapshots in sampler_run */
	double start;                        /* CLOCK_MONOTONIC start of the grid; 0 = at sampler_begin */
	double window_s;                     /* > 0: a window whose growth is confirmed (debug=2 at begin,
	                                      * contention at the end) */
	const struct netns *netns;           /* connect from the target's network namespace; NULL = ours */
	pid_t conns_pid;                     /* > 0: count this process's connections at each snapshot
	                                      * (out->conns; read through conns_root, "" or NULL = live) */
	const char *conns_root;
};

/* What the latest tick (or begin, or end) asked and got. */
struct sampler_tick {
	double mono, wall;                   /* when it started: CLOCK_MONOTONIC, unix seconds */
	bool mem_asked, index_asked, snap_asked;
	int mem_err, index_err, snap_err;    /* 0 or a fetch/parse error (fetch.h) */
	struct err mem_e, index_e, snap_e;
	struct go_memstats mem;              /* when mem_asked && !mem_err */
	uint64_t goroutines;                 /* the index count, when index_asked && !index_err */
};

struct sampler;

struct sampler_hooks {
	void *ctx;
	/* Waits until the CLOCK_MONOTONIC time until; returns true to stop
	 * sampling (a signal). NULL: sleep. */
	bool (*wait)(void *ctx, const struct sampler *s, double until);
	/* After each tick of sampler_run; returns true to stop. NULL: go on. */
	bool (*tick)(void *ctx, const struct sampler *s);
	/* Before a step that may take long (a debug=2 dump), what it is:
	 * "a debug=2 dump of 4213 goroutines". NULL: nothing. */
	void (*step)(void *ctx, const struct sampler *s, const char *what);
};

enum sampler_debug2 {
	SAMPLER_D2_NONE,        /* not asked (no SAMPLE_DEBUG2, or not yet at the end) */
	SAMPLER_D2_TAKEN,
	SAMPLER_D2_TOO_MANY,    /* count >= max_debug2 (or max_debug2 0) */
	SAMPLER_D2_UNKNOWN,     /* no count from anywhere */
	SAMPLER_D2_FAILED,      /* asked, and the request or the parse failed: debug2_e */
};

struct sampler {
	struct sampler_opts o;
	struct sampler_hooks h;
	struct goruntime_facts *out;
	struct sampler_tick tick;
	struct buf vars;                     /* the tick's /debug/vars body (SAMPLE_KEEP_VARS) */
	bool vars_fresh;                     /* ... and it is this tick's */
	uint64_t count;                      /* the cheap goroutine count; 0 = unknown */
	const char *count_from;              /* "the pprof index page", "go_goroutines", ... */
	enum sampler_debug2 debug2;          /* what became of the dump at the end */
	struct err debug2_e;
	uint64_t ticks;                      /* ticks taken, begin's included */
	double next, next_snap, deadline;
};

void sampler_init(struct sampler *s, const struct sampler_opts *o, const struct sampler_hooks *h,
		  struct goruntime_facts *out);
void sampler_release(struct sampler *s);

/* The first tick, all at once, then (a window) the first debug=2 dump.
 * Returns 0 when any request was answered; otherwise the first error,
 * with e saying what was tried and, when nothing answered at all, how
 * long it waited: "'http://127.0.0.1:6060': no answer within 1s to
 * /debug/pprof/goroutine?debug=1, /debug/pprof/ and /metrics (asked at once)".
 * Per-surface results are in s->tick either way. */
int sampler_begin(struct sampler *s, struct err *e);

/* Ticks until deadline (CLOCK_MONOTONIC; INFINITY for ever), then waits
 * for it. Returns true when a hook stopped it, false at the deadline. */
bool sampler_run(struct sampler *s, double deadline);

/* The end of the window: the last snapshot, the debug=2 dump, the second
 * contention profiles. */
void sampler_end(struct sampler *s);

/* Stops asking for some surfaces (watch: one that did not answer the
 * first tick is not asked again). */
void sampler_drop(struct sampler *s, unsigned what);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in seconds. */
double sampler_mono(void);
double sampler_wall(void);

#endif
