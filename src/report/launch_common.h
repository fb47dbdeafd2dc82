/* launch_common: what the renderers of a run (launch_*.c) share: the
 * items a filter lets through, counts over them, times and durations in
 * the words every format uses. Private to src/report. */
#ifndef PREFLIGHT_LAUNCH_COMMON_H
#define PREFLIGHT_LAUNCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/launch_report.h"

/* The items of v that f lets through (f NULL: all), in checklist order,
 * with their counts: what every format shows. */
struct launch_sel {
	const struct run_view *v;
	const struct item_view **items;
	size_t n;
	unsigned count[ITEM_STATUS_COUNT];
	unsigned n_overdue;
	const struct followup_view **followups;   /* those of shown items (all when unfiltered) */
	size_t n_followups;
	unsigned followups_open, followups_overdue;
	bool filtered;
};
int launch_sel_init(struct launch_sel *s, const struct run_view *v, const struct launch_filter *f);
void launch_sel_release(struct launch_sel *s);

/* The statuses in the order reports list them: worst first. */
extern const enum item_status launch_status_order[ITEM_STATUS_COUNT];

/* "2026-11-26T10:00:00Z" (RFC 3339, UTC, to the second); "" for 0. buf: 32 bytes. */
void launch_time_rfc3339(int64_t ms, char *buf, size_t n);
/* "2026-11-26 10:00 UTC"; "" for 0. */
void launch_time_human(int64_t ms, char *buf, size_t n);
/* A duration in the fewest words that say it: "850ms", "4.2s", "42s",
 * "5m30s", "20m", "1h20m", "2d3h". Negative durations as 0. buf: 32 bytes. */
void launch_duration(int64_t ms, char *buf, size_t n);

/* The change ticket to show for an item: the one given when it was acted
 * on, else the one the checklist planned; NULL when neither. */
const char *launch_item_change(const struct item_view *it);
/* How late an overdue item is (now - due), 0 when it is not overdue. */
int64_t launch_item_late_ms(const struct run_view *v, const struct item_view *it);
/* Time from the run's opening to the item's closing; -1 while open. */
int64_t launch_item_close_ms(const struct run_view *v, const struct item_view *it);

/* The formats, each in its own file. */
int launch_tty(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o);
int launch_json(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o);
int launch_markdown(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o);
int launch_junit(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o);
int launch_html(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o);
/* The HTML report's charts (status by module and by env, time to close,
 * overdue), each in a section that scrolls sideways on a phone; one_grid
 * (the board): all of them in one grid, and no section when nothing is
 * overdue. Returns 0 or a negative errno. */
int launch_html_charts(FILE *out, const struct launch_sel *s, bool one_grid);
int launch_runs_tty(FILE *out, const struct run_summary *r, size_t n, const struct launch_render_opts *o);
int launch_runs_json(FILE *out, const struct run_summary *r, size_t n, const struct launch_render_opts *o);
int launch_runs_markdown(FILE *out, const struct run_summary *r, size_t n, const struct launch_render_opts *o);

/* The run document as JSON (launch_json writes it; the html report could
 * embed it). Caller decrefs; NULL when memory runs out. */
json_t *launch_to_json(const struct launch_sel *s, const struct launch_render_opts *o);

/* The parts of that document, for the API of `preflight serve`
 * (docs/api.md), which answers with the same objects as the report:
 * the run's header ("run"), one item of "items", one follow-up of
 * "followups", one row of `preflight runs --format json`, and one event
 * of the store's log (seq, at, run, item, kind, status, actor, host,
 * reason, change, data). Caller decrefs; NULL when memory runs out. */
json_t *launch_run_json(const struct run_view *v);
/* A time as the contract writes it: RFC 3339 UTC, or null for 0. */
json_t *launch_time_json(int64_t ms);
json_t *launch_item_json(const struct run_view *v, const struct item_view *it);
json_t *launch_followup_json(const struct followup_view *f);
json_t *launch_run_summary_json(const struct run_summary *r);
json_t *launch_event_json(const struct event *ev);

#endif
