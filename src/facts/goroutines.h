/* goroutines: a goroutine dump as plain data, parsed by goruntime/goroutine.h
 * (the key and grouping rules are documented there) and judged by
 * check/leak.h.
 *
 * Ownership: a gr_snapshot owns all its strings and groups;
 * gr_snapshot_release() frees them.
 */
#ifndef PREFLIGHT_FACTS_GOROUTINES_H
#define PREFLIGHT_FACTS_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GR_KEY_FRAMES 24

struct gr_frame {
	char *func;              /* "main.(*server).handle"; no arguments */
	char *file;              /* "/src/app/server.go"; may be "" in debug=1 when unknown */
	int line;
};

/* One goroutine of a debug=2 dump, as two dumps tell it apart: its id,
 * and a hash of the argument values of all its frames. A goroutine parked
 * in the same call in both dumps shows the same arguments; one that left
 * the call and came back to it (a keep-alive connection's goroutine
 * serving its next request) shows new ones. */
struct gr_member {
	uint64_t id;
	uint64_t args;
};

struct gr_group {
	/* debug=2 parsed in memory (gr_parse): the members, sorted by id, so
	 * two dumps tell goroutines that stay from ones replaced or reused;
	 * NULL from gr_parse_stream, whose memory must not grow with the dump. */
	struct gr_member *members;
	size_t n_members, cap_members;
	uint64_t key;            /* hash of the frames (see above) */
	/* The group's identity within its snapshot: the key, every frame the
	 * dump shows beyond the key's GR_KEY_FRAMES, and (debug=2) the
	 * creator and where it started the goroutine. Groups of one snapshot
	 * differ in it; the key, which debug=1 and debug=2 dumps of one stack
	 * share, aligns snapshots of two kinds. */
	uint64_t ident;
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
	char *labels;            /* debug=1 "# labels:" text, or the labels of a debug=2
	                          * header (Go 1.26 GODEBUG=tracebacklabels=1), or NULL */
	bool elided;             /* the runtime left frames out ("...N frames elided...") */
	uint64_t n_awake;        /* debug=2: members caught runnable or running, not parked */
};

struct gr_snapshot {
	char *source;            /* URL or file name */
	double taken_at;         /* unix seconds (0 for files: unknown) */
	int debug;               /* 1 or 2 */
	uint64_t total;          /* goroutines in the dump */
	bool truncated;          /* debug=2 cut short (runtime's 64 MiB cap, or a cut file) */
	bool record_dropped;     /* the input ended inside a record, which was left out
	                          * (its stack is partial); truncated is set too */
	struct gr_group *groups; /* sorted by count, descending */
	size_t n_groups;
	uint64_t malformed;      /* lines that fit no rule and were skipped */
};

void gr_snapshot_release(struct gr_snapshot *s);

/* The innermost frame that is not runtime/internal/sync plumbing: where
 * the goroutine is blocked from the program's point of view. */
const struct gr_frame *gr_group_site(const struct gr_group *g);

/* Frees the strings of a frame array and the array (shared by the
 * profile structs too); NULL is fine. */
void gr_frames_release(struct gr_frame *frames, size_t n);

/* Source lines a judgment needs, read by a collector (collect/source_lines.h)
 * and handed over as data: for a call site file:line, the text from that
 * line on, up to SOURCE_SNIPPET_LINES lines (a select spreads what it waits
 * on over the lines below it). */
#define SOURCE_SNIPPET_LINES 40

struct source_snippet {
	char *file;
	int line;
	char *text;              /* NUL-terminated, lines joined by '\n' */
};

struct source_lines {
	struct source_snippet *v;   /* sorted by file, then line */
	size_t n;
};

/* The snippet starting at file:line, or NULL when it was not read. */
const char *source_lines_find(const struct source_lines *s, const char *file, int line);
void source_lines_release(struct source_lines *s);

#endif
