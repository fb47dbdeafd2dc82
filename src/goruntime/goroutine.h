/* goroutine: goroutine profiles (net/http/pprof text formats) parsed and
 * grouped by stack, so snapshots can be compared and leaks found.
 *
 *  - debug=1 ("goroutine profile: total N", count per unique stack), cheap
 *    and complete: the source of counts and diffs;
 *  - debug=2 (full "panic-format" tracebacks), expensive for the target and
 *    capped at 64 MiB by the runtime: the source of states and wait times;
 *    also the format of crash logs and SIGQUIT dumps.
 * Both Go 1.19-era and current formats are accepted (see shared reference
 * section 2.2-2.4). A group's key is its frames (function and file:line,
 * arguments and PC offsets stripped, leading runtime.* frames dropped), so
 * the same stack groups together in both formats.
 *
 * Ownership: a gr_snapshot owns all its strings and groups;
 * gr_snapshot_release() frees them.
 */
#ifndef PREFLIGHT_GOROUTINE_H
#define PREFLIGHT_GOROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

struct gr_frame {
	char *func;              /* "main.(*server).handle"; no arguments */
	char *file;              /* "/src/app/server.go"; may be "" in debug=1 when unknown */
	int line;
};

struct gr_group {
	uint64_t key;            /* hash of the frames (see above) */
	struct gr_frame *frames; /* innermost first, leading runtime.* frames dropped */
	size_t n_frames;
	char *state;             /* debug=2: wait reason or status ("chan receive", "IO wait",
	                          * "running"); "" for debug=1 */
	char *created_by;        /* debug=2: creator function; "" when unknown */
	char *created_at;        /* debug=2: "file:line" of the go statement; "" when unknown */
	uint64_t count;
	/* debug=2 only: the longest and shortest ", N minutes" in the group
	 * (0 when under a minute or not shown). */
	uint64_t wait_minutes_max, wait_minutes_min;
	char *labels;            /* debug=1 "# labels:" text, or NULL */
};

struct gr_snapshot {
	char *source;            /* URL or file name */
	double taken_at;         /* unix seconds (0 for files: unknown) */
	int debug;               /* 1 or 2 */
	uint64_t total;          /* goroutines in the dump */
	bool truncated;          /* debug=2 cut short (runtime's 64 MiB cap, or a cut file) */
	struct gr_group *groups; /* sorted by count, descending */
	size_t n_groups;
};

/* Parses a whole dump held in memory; the format is detected. Returns 0,
 * or -PF_EPARSE with e filled ("not a goroutine profile: looks like HTML"
 * etc.). */
int gr_parse(const char *data, size_t len, const char *source, struct gr_snapshot *ret, struct err *e);

/* Parses a dump read from f in bounded chunks: memory grows with the
 * number of distinct stacks, not with the size of the dump. */
int gr_parse_stream(FILE *f, const char *source, struct gr_snapshot *ret, struct err *e);

void gr_snapshot_release(struct gr_snapshot *s);

/* The innermost frame that is not runtime/internal/sync plumbing: where
 * the goroutine is blocked from the program's point of view. */
const struct gr_frame *gr_group_site(const struct gr_group *g);

/* ---- comparing snapshots and finding leaks (goroutine_leak.c) ---- */

struct gr_leak_params {
	uint64_t min_growth;          /* a growing group must gain at least this many */
	uint64_t wait_minutes;        /* blocked at least this long = suspect (default 5) */
	unsigned min_snapshots;       /* growth needs at least this many snapshots (default 3) */
};

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
};

struct gr_analysis {
	size_t n_snapshots;
	/* Every stack seen in any snapshot, with its count in each. */
	struct gr_row {
		const struct gr_group *group;  /* from the latest snapshot that has it */
		uint64_t *counts;              /* n_snapshots entries */
	} *rows;
	size_t n_rows;
	struct gr_suspect *suspects;
	size_t n_suspects;
};

/* Aligns the groups of snapshots (oldest first) by key and picks the leak
 * suspects. The snapshots must outlive the analysis. */
int gr_analyze(const struct gr_snapshot *snaps, size_t n, const struct gr_leak_params *p,
	       struct gr_analysis *ret, struct err *e);
void gr_analysis_release(struct gr_analysis *a);

#endif
