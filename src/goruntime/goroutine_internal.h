/* goroutine_internal: what the goroutine parser hands to the grouping code
 * (goroutine_parse.c -> goroutine_group.c). Not for use outside
 * src/goruntime/goroutine*.c.
 */
#ifndef PREFLIGHT_GOROUTINE_INTERNAL_H
#define PREFLIGHT_GOROUTINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "goruntime/goroutine.h"

/* A bound on distinct stacks, so hostile input cannot make a snapshot
 * without limit: a real dump has hundreds, a pathological one thousands. */
#define GR_MAX_GROUPS (1u << 20)

/* One frame of the record being parsed; the strings are borrowed from the
 * parser's scratch and are not NUL-terminated. */
struct gr_rframe {
	const char *func;
	const char *file;
	uint32_t func_len, file_len;
	int line;
};

/* One goroutine (debug=2) or one counted stack (debug=1), borrowed. */
struct gr_record {
	const struct gr_rframe *frames;
	size_t n_frames;
	uint64_t key;
	uint64_t deep;          /* hash of the frames beyond the key's GR_KEY_FRAMES; 0 when none */
	const char *state, *created_by, *created_at, *labels;
	size_t state_len, created_by_len, created_at_len, labels_len;
	uint64_t count;
	uint64_t wait_minutes;
	uint64_t goid;          /* debug=2: the goroutine's id; 0 otherwise */
	uint64_t args_hash;     /* debug=2: hash of every frame's argument text */
	bool has_labels, elided, awake;
};

/* The groups of one snapshot while it is being parsed: a hash table from
 * key to group, groups owning copies of their strings. */
struct gr_builder {
	struct gr_group *groups;
	size_t n, cap;
	uint32_t *slots;        /* open addressing: index + 1 into groups; 0 = empty */
	size_t n_slots;         /* a power of two */
	bool keep_ids;          /* record members (id, arguments) (in-memory parses only) */
};

/* The key of a stack (see goroutine.h): frames innermost first. */
uint64_t gr_frames_key(const struct gr_rframe *f, size_t n);
/* Incremental form used by the parser: a frame's own hash, and whether it
 * counts towards the key. */
uint64_t gr_frame_hash(const char *func, size_t func_len, const char *file, size_t file_len, int line);
bool gr_frame_in_key(const char *func, size_t func_len, const char *file, size_t file_len);
uint64_t gr_key_mix(uint64_t key, uint64_t frame_hash);
#define GR_KEY_SEED 0x243f6a8885a308d3ull

void gr_builder_init(struct gr_builder *b);
/* Adds r to its group (found by r->key), creating the group on first
 * sight. -ENOMEM, or -E2BIG past GR_MAX_GROUPS, with e filled. */
int gr_builder_add(struct gr_builder *b, const struct gr_record *r, struct err *e);
/* Moves the groups into s, sorted by count (descending), then key. */
void gr_builder_finish(struct gr_builder *b, struct gr_snapshot *s);
void gr_builder_release(struct gr_builder *b);

/* gr_parse_stream with a chosen chunk size (at least 2 bytes), for tests
 * and the fuzzer to cross chunk boundaries everywhere. Lines longer than
 * the chunk are cut to it (gr_parse cuts them at 1 MiB). */
int gr_parse_stream_chunk(gr_read_fn read_fn, void *ctx, size_t chunk, const char *source, struct gr_snapshot *ret,
			  struct err *e);

/* Whether a function name is a runtime.* function (not runtime/pprof...). */
bool gr_func_is_runtime(const char *func, size_t len);

#endif
