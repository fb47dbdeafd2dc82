/* launch_report: every rendering of a run of the checklist loop.
 *
 * `preflight status`, `preflight runs` and `preflight report` render the
 * same struct run_view (facts/launch.h), built from the store's events, in
 * one of: tty (a table for people, colour on a TTY), json (the stable
 * contract in docs/launch-report.md), markdown (the runbook's table),
 * junit (one testcase per item, for CI dashboards) and html (one
 * self-contained file, no network, inline SVG charts). Untrusted text
 * (titles, reasons, evidence) is escaped for each format.
 */
#ifndef PREFLIGHT_LAUNCH_REPORT_H
#define PREFLIGHT_LAUNCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "facts/launch.h"

/* Which items to show; NULL fields match everything. */
struct launch_filter {
	const char *env, *module, *owner;
	int status;             /* enum item_status, or -1 for any */
	bool overdue_only;
};
bool launch_filter_match(const struct launch_filter *f, const struct item_view *it);

/* The formats launch_render takes, NULL-terminated (for option tables). */
extern const char *const launch_formats[];      /* tty json markdown junit html */
extern const char *const launch_runs_formats[]; /* tty json markdown */

/* Writes the run (items passing f; f NULL: all) in format. color: ANSI
 * colour in tty. Returns 0 or a negative errno (a write error). */
int launch_render(FILE *out, const struct run_view *v, const struct launch_filter *f, const char *format,
		  bool color);
/* Writes the list of runs. */
int launch_render_runs(FILE *out, const struct run_summary *runs, size_t n, const char *format, bool color);

/* What launch_render decides by itself, given explicitly (tests, a server
 * rendering for a browser): launch_render takes this preflight's version
 * and, when out is a terminal, its width. */
struct launch_render_opts {
	bool color;                      /* tty: ANSI colour */
	unsigned width;                  /* tty: columns the table fits in (the note is cut); 0 = no limit */
	const char *preflight_version;   /* json, junit, markdown, html: the version named in the document */
};
int launch_render_with(FILE *out, const struct run_view *v, const struct launch_filter *f, const char *format,
		       const struct launch_render_opts *o);
int launch_render_runs_with(FILE *out, const struct run_summary *runs, size_t n, const char *format,
			    const struct launch_render_opts *o);

/* True when format is one of launch_formats / launch_runs_formats. */
bool launch_format_known(const char *format);

#endif
