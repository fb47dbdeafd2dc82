/* pprof_index: the counts on net/http/pprof's index page (/debug/pprof/).
 *
 * The index is the cheap way to learn how many goroutines a service has
 * before asking for a dump: rendering it calls each profile's Count()
 * (runtime.NumGoroutine() for goroutines), walks no stacks and stops no
 * world. Every command that may ask for a goroutine debug=2 dump looks
 * here first (see the cost figures for debug=2).
 *
 * The page differs between Go versions: Go 1.19 and 1.26 print one
 * "<tr><td>N</td><td><a href='NAME?debug=1'>NAME</a></td></tr>" row per
 * profile (1.26 adds a "symbol" row and a paragraph), Go 1.10 and older
 * "<tr><td align=right>N<td><a href="NAME?debug=1">NAME</a>" rows. The
 * parser keys on the link's href and the first cell of its row, so it
 * reads all of them.
 *
 * What a count means is the profile's: goroutines for "goroutine", OS
 * threads created for "threadcreate", and for heap, allocs, block and
 * mutex the number of records (distinct sampled stacks), not bytes or
 * events.
 */
#ifndef PREFLIGHT_PPROF_INDEX_H
#define PREFLIGHT_PPROF_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct pprof_count {
	bool ok;                 /* the page lists this profile */
	uint64_t n;
};

struct pprof_index {
	struct pprof_count goroutine, heap, allocs, block, mutex, threadcreate;
	size_t n_profiles;       /* rows with a count, those above and others
	                          * (cmdline, profile, trace, custom profiles) */
};

/* Parses an index page held in memory (need not be NUL-terminated).
 * Returns 0 with ret filled, or -PF_EPARSE with e filled when the page
 * lists no goroutine count ("not a pprof index page: ...") or a known
 * profile's count is not a number ("line 21: count of 'heap' is not a
 * number"). ret is written only on success. */
int pprof_index_counts(const char *html, size_t len, struct pprof_index *ret, struct err *e);


/* The index page is small; a bigger answer is not the index. */
#define PPROF_INDEX_MAX (1u << 20)

#endif
