/* pprof_text: pieces shared by the parsers of net/http/pprof's legacy text
 * formats (mutex, block and heap profiles at debug=1) and of the other
 * runtime surfaces: walking a body line by line with line numbers, telling
 * an HTML page or a binary profile from text, and the frame lines
 * "#\t0x<pc>\t<func>+0x<off>\t<file>:<line>" that text/tabwriter pads with
 * runs of TABs. Internal to src/goruntime/. */
#ifndef PREFLIGHT_PPROF_TEXT_H
#define PREFLIGHT_PPROF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "goruntime/goroutine.h"

/* A record of a debug=1 profile has at most runtime's profstackdepth
 * (1024) frames, a few more after inline expansion. */
#define PPROF_MAX_FRAMES 4096
/* Records (call stacks) in one profile: far above what a runtime keeps. */
#define PPROF_MAX_RECORDS (1u << 20)

struct text_lines {
	const char *p, *end;
	size_t lineno;                 /* of the line last returned, 1-based */
};

void text_lines_init(struct text_lines *t, const char *body, size_t len);
/* The next line without its '\n' (nor a '\r' before it); false at the end.
 * A last line without '\n' is returned too. */
bool text_lines_next(struct text_lines *t, const char **ret, size_t *ret_len);

/* NULL when body may be text; otherwise why it is not: "looks like HTML",
 * "is gzip-compressed, not text (...)", "holds binary data". */
const char *text_not_text(const char *body, size_t len);
/* The start of every text parser: a NULL body (an empty struct buf) reads
 * as "", and a body that is not text fails with -PF_EPARSE and e set to
 * "<prefix>: <why>" ("not a heap profile: looks like HTML"). */
int text_accept(const char **body, size_t *len, const char *prefix, struct err *e);

/* Sets e to "<what>: line <lineno>: <message>" and returns -PF_EPARSE. */
int text_fail(struct err *e, const char *what, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A malloc'ed C string of the n bytes at s (s may be NULL when n is 0,
 * which strndup does not allow); NULL when memory runs out. */
char *text_dup(const char *s, size_t n);

/* Whether s (len bytes) starts with the NUL-terminated prefix. */
bool text_starts(const char *s, size_t len, const char *prefix);

/* Parses a frame line (it starts with "#\t"); a frame whose function is
 * unknown ("#\t0x<pc>") gets func "" and file "". The strings are the
 * caller's to free (gr_frames_release). Returns 0, -ENOMEM, or
 * -PF_EPARSE with e set to the problem (without a line number). */
int pprof_frame_parse(const char *line, size_t len, struct gr_frame *ret, struct err *e);

/* Checks that s is "@" followed by zero or more " 0x<hex>" program
 * counters, the tail of a record line. */
bool pprof_pcs_valid(const char *s, size_t len);

/* Appends a frame to a growing array (doubling), at most PPROF_MAX_FRAMES. */
int pprof_frames_push(struct gr_frame **frames, size_t *n, size_t *cap, const struct gr_frame *f);
/* Parses a '#\t0x...\tfunc+0x..\tfile:line' line and appends the frame to
 * a record's array; errors name what and lineno. */
int pprof_frame_line_add(const char *line, size_t len, struct gr_frame **frames, size_t *n, size_t *cap,
			 const char *what, size_t lineno, struct err *e);

#endif
