/* leak: goroutine snapshots compared and leaks named, a pure function of
 * the parsed dumps (facts/goroutines.h) and of the source lines a
 * collector read for it (collect/source_lines.h). See docs/goroutines.md.
 *
 * Ownership: a gr_analysis owns its rows and suspects, and borrows the
 * snapshots' groups: release it before the snapshots.
 */
#ifndef PREFLIGHT_CHECK_LEAK_H
#define PREFLIGHT_CHECK_LEAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <regex.h>

#include "base/err.h"
#include "facts/goroutines.h"

/* ---- comparing snapshots and finding leaks (goroutine_leak.c) ---- */

struct gr_leak_params {
	uint64_t min_growth;          /* a growing group must gain at least this many */
	uint64_t wait_minutes;        /* blocked at least this long = suspect (default 5) */
	/* A group blocked that long is a suspect only if it also grew over
	 * the snapshots, or has at least this many goroutines (default
	 * GR_DEFAULT_WAIT_MIN_COUNT): singletons and a program's fixed sets
	 * wait for ever by design. */
	uint64_t wait_min_count;
	unsigned min_snapshots;       /* growth needs at least this many snapshots (default 3) */
	/* A debug=2 snapshot taken alongside the series (debug=1 counts, as
	 * `preflight goroutines URL` takes them) whose states, creators and
	 * wait times describe the series' stacks; NULL to use the latest
	 * debug=2 snapshot of the series itself. Must outlive the analysis. */
	const struct gr_snapshot *detail;
	/* A debug=2 snapshot taken at the start of the series. With detail
	 * (taken at its end) it confirms growth: a leak's goroutines never
	 * exit or move, so nearly all members of the first dump's group are in
	 * the last one, parked in the same call (same id, same arguments); a
	 * pool that grows by replacing its workers, or connections whose
	 * goroutines come back to the same handler, are no suspects.
	 * NULL skips the confirmation. */
	const struct gr_snapshot *detail_first;
	/* Source lines a collector read (collect/source_lines.h) to tell a
	 * ticker loop from a receive nobody sends to, which a dump shows
	 * alike; NULL when there are none. Must outlive the analysis. */
	const struct source_lines *source;
	/* The target's established TCP connections at each snapshot (oldest
	 * first), when the caller counted them; NULL otherwise. Goroutines
	 * that follow connections (gRPC and net/http server transports,
	 * per-stream handlers, cmux, etcd watch streams) grow with them and
	 * are suspects only when they grow by more than GR_CONN_FACTOR times
	 * the connections' rise plus min_growth. Without the counts, the rise
	 * of the one-per-connection goroutines (a server connection's serve
	 * loop, a gRPC transport's keepalive or reader) stands in for it.
	 * Must outlive the analysis. */
	const uint64_t *conns;
	size_t n_conns;
};

#define GR_DEFAULT_MIN_GROWTH 3
/* The growth a live window of a few seconds needs (preflight check, and
 * preflight goroutines sampling a URL): requests in flight that outlive
 * the window come and go by a few, and those that stay for all of it
 * show the same goroutines in the same call at both ends, like a leak.
 * Against the healthy test target under a loaded machine they reached
 * +3 (2 to 5) in 1 of 24 windows; a leak of a few a second gains tens. */
#define GR_LIVE_MIN_GROWTH 10
#define GR_DEFAULT_WAIT_MINUTES 5
#define GR_DEFAULT_MIN_SNAPSHOTS 3
/* What a program starts once comes in ones and a few: the healthy etcd
 * 3.6 fixture (64 goroutines after 331 s) has no group above 5, and its
 * largest that is not per connection has 3 (grpc's CallbackSerializer,
 * etcd's purgeFile loops). A leak worth acting on reaches tens. */
#define GR_DEFAULT_WAIT_MIN_COUNT 10
/* New streams per new connection a connection-following stack may gain
 * before its growth outlasts the traffic: etcd's clients open 1 to 2
 * watch streams per connection; 8 leaves room for busier clients and
 * still catches a stream handler that never returns. */
#define GR_CONN_FACTOR 8

struct gr_suspect {
	const struct gr_group *group; /* in the last snapshot; borrowed */
	char *site;                   /* "main.leak (/src/main.go:42)" */
	char *created_by;             /* "main.handler (/src/main.go:30)" or "" */
	uint64_t count;               /* in the last snapshot */
	int64_t growth;               /* last - first */
	uint64_t *counts;             /* per snapshot, n_snapshots entries */
	uint64_t wait_minutes;        /* longest wait, when known */
	const char *reason;           /* "grows in every snapshot" or "blocked for N minutes" */
	const char *pattern;          /* "receive on a channel nobody sends to", ... */
	const char *remedy;
	char reason_buf[96];          /* what reason points to */
};

struct gr_analysis {
	size_t n_snapshots;
	/* Every stack seen in any snapshot, with its count in each. */
	struct gr_row {
		const struct gr_group *group;  /* from the latest snapshot that has it */
		uint64_t *counts;              /* n_snapshots entries */
		const struct gr_group *detail; /* the same stack in the detail (debug=2)
		                                * snapshot: state, creator, waits; or NULL */
	} *rows;
	size_t n_rows;
	struct gr_suspect *suspects;
	size_t n_suspects;
	/* After gr_analysis_match: the rows and suspects there were before
	 * (rows and suspects then hold only the matching ones); 0 before. */
	size_t n_rows_all, n_suspects_all;
};

/* Aligns the groups of snapshots (oldest first) by key and picks the leak
 * suspects. The snapshots must outlive the analysis. Rows are sorted by
 * count in the last snapshot, descending; suspects by count, descending.
 * Zero fields of p take the GR_DEFAULT_* values. */
int gr_analyze(const struct gr_snapshot *snaps, size_t n, const struct gr_leak_params *p,
	       struct gr_analysis *ret, struct err *e);
void gr_analysis_release(struct gr_analysis *a);

/* True when re matches any of the row's texts, each on its own (so ^ and
 * $ anchor within one): the site's function, the site's "file:line", the
 * state (wait reason; from the detail dump when there is one), the
 * creator's function and the creator's "file:line". A debug=1 row has no
 * state or creator. */
bool gr_row_matches(const struct gr_row *row, const regex_t *re);

/* Keeps only the rows that match re, and the suspects whose row is kept;
 * sets n_rows_all and n_suspects_all. The judgments were made on every
 * row before (a suspect's pattern may depend on the others), so
 * filtering only hides, never changes, a verdict. */
void gr_analysis_match(struct gr_analysis *a, const regex_t *re);

#endif
