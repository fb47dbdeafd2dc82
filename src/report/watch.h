/* watch: the renderers of `preflight watch` (docs/watch.md): one line per
 * event on the output, as text (tty) or as JSON lines (json, one object a
 * line), and the progress line's text.
 *
 * Event text is made of preflight's own words and numbers and the file
 * names the store gave (reason names and UTC times), but the directory is
 * the user's: escaped for the terminal all the same.
 */
#ifndef PREFLIGHT_REPORT_WATCH_H
#define PREFLIGHT_REPORT_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "check/watch_trigger.h"

extern const char *const watch_formats[];   /* tty, json */

/* What an event took of the goroutines (watch_debug2_decide). */
struct watch_stacks {
	bool debug1, debug2;                 /* saved */
	uint64_t count;                      /* the count that decided; 0 = unknown */
	const char *why;                     /* the decision, in words */
};

struct watch_event {
	double wall;                         /* the sample's time, unix seconds */
	const struct watch_crossing *crossings;
	size_t n_crossings;
	const char *dir;                     /* where the files are */
	const char *stem;                    /* "20261126T100000Z-heap-pressure" */
	const char *const *files;            /* names in dir */
	size_t n_files;
	unsigned width;                      /* tty: columns to wrap at; 0 = one line */
	const char *url;                     /* the target (in the meta file only); may be NULL */
	const struct watch_stacks *stacks;   /* NULL: no goroutine profile was asked for */
};

/* Writes one event in format ("tty" or "json"), and flushes, so a reader
 * of a pipe sees it at once. Returns 0, -EINVAL for another format,
 * -ENOMEM, or -EIO when the stream reports an error. */
int watch_render_event(const struct watch_event *ev, const char *format, FILE *out);

/* The event's metadata document (meta-STEM.json, docs/watch.md): the
 * JSON line's members and the URL, indented. Its "incident" member is
 * what retention reads back (watch_meta_parse). Returns 0 or -ENOMEM. */
int watch_render_meta(const struct watch_event *ev, struct buf *out);

/* An incident's id: "20261126T100000Z-heap-pressure-i3", the UTC second
 * and reason of its first crossing and its number in the watcher's life. */
void watch_incident_id(const struct watch_crossing *c, char *out, size_t n);

/* "2026-11-26T10:00:00Z" (UTC, to the second) of unix seconds wall. */
void watch_format_utc(double wall, char *out, size_t n);

/* The progress line: "1234 samples, 2 events; heap 0.42 gc-cpu 0.01 goroutines 230"
 * from the state's latest judged values (NAN = unknown, left out) and the
 * last goroutine count (has_goroutines false: left out). */
void watch_progress_text(char *buf, size_t n, uint64_t samples, uint64_t events, const struct watch_state *st,
			 bool has_goroutines, uint64_t goroutines);

#endif
