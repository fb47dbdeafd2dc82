/* goroutines: the renderers of `preflight goroutines` (docs/goroutines.md):
 * the snapshots, every group with its counts and the leak suspects, as
 * text for a person (tty) or one JSON document (json).
 *
 * Everything a dump or a target supplied (function names, file paths,
 * states, labels, creators, sources) is escaped for the terminal in tty
 * output (report/escape.h); lines of the group table are cut to the
 * terminal's width and prose (reasons, fixes) is wrapped to it, when the
 * output is a terminal.
 */
#ifndef PREFLIGHT_REPORT_GOROUTINES_H
#define PREFLIGHT_REPORT_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "check/leak.h"
#include "facts/goroutines.h"

extern const char *const gr_formats[];   /* tty, json, html */

struct gr_view {
	const struct gr_snapshot *snaps;     /* the series, oldest first */
	size_t n_snaps;
	const struct gr_snapshot *detail;    /* the debug=2 dump with a URL series; NULL when none */
	const struct gr_analysis *an;
	size_t frames;                       /* tty: frames shown per group */
	size_t top;                          /* tty: groups shown; 0 = all */
	bool color;                          /* tty: ANSI colour allowed (report/term.h decided) */
	unsigned width;                      /* tty: columns; 0 = do not cut or wrap */
	const char *match;                   /* --match REGEX (an was filtered by it); NULL when none */
	const uint64_t *conns;               /* the target's connections at each snapshot; NULL when
	                                      * not counted */
	int conns_pid;                       /* whose, when conns */
};

/* Writes v in format ("tty", "json" or "html"). Returns 0, -EINVAL for
 * another format, -ENOMEM, or -EIO when the stream reports an error. */
int gr_render(const struct gr_view *v, const char *format, FILE *out);

/* The html format (goroutines_html.c): one self-contained HTML5 page, no
 * external assets, every group collapsible with its counts over the
 * snapshots, state, waits, creator and every frame; suspects highlighted
 * with their reason. All text from a dump is escaped for HTML, and
 * control bytes are shown as the terminal escaper writes them. */
int gr_render_html(const struct gr_view *v, FILE *out);

/* The progress line while a URL is sampled: "snapshot 2/3, next in 1.5s"
 * (taken snapshots of total, seconds to the next). */
void gr_progress_text(char *buf, size_t n, size_t taken, size_t total, double next_in_s);

/* Writes line to out, cut to width columns (counting UTF-8 characters)
 * with "..." when it is longer; width 0 writes it whole. Adds a newline.
 * Shared with the watch renderer. */
void report_line_cut(FILE *out, const char *line, unsigned width);

#endif
