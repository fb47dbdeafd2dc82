/* report: turns check results into one output format. Nothing else prints
 * results. Each format is one file; report_formats lists them. */
#ifndef PREFLIGHT_REPORT_H
#define PREFLIGHT_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "check/check.h"

struct report {
	const char *preflight_version;
	time_t started_at;
	const char *hostname;
	const char *checklist_source;    /* file path or "built-in" */
	const char *checklist_name;      /* may be NULL */
	/* Target; pid 0 = host only. */
	pid_t pid;
	const char *exe;
	const char *comm;
	const char **listeners;          /* "127.0.0.1:6060" ... */
	const char *listeners_unknown;   /* why the target's listeners could not be read; NULL = they were */
	size_t n_listeners;
	/* Whose network namespace the census, listeners and probes are of:
	 * "target (net:[...])", "host (net:[...])"; NULL = not told. The tty
	 * report shows it when netns_other (not plainly ours). */
	const char *netns;
	bool netns_other;
	struct check_result *results;
	size_t n_results;
	enum pf_status fail_on;          /* STATUS_WARN or STATUS_FAIL */
	bool color;                      /* tty only: ANSI colour allowed */
	unsigned width;                  /* tty only: columns to wrap at; 0 = no wrapping */
	double duration_s;               /* wall time of the whole run (collection, window, checks),
					  * monotonic; 0 = unknown */
};

/* Counts results per status into counts[STATUS_COUNT]. */
void report_count(const struct report *r, size_t counts[STATUS_COUNT]);

typedef int (*report_fn)(const struct report *r, FILE *out);

int report_tty(const struct report *r, FILE *out);
int report_json(const struct report *r, FILE *out);
int report_junit(const struct report *r, FILE *out);
int report_markdown(const struct report *r, FILE *out);
int report_prom(const struct report *r, FILE *out);

/* The JSON document report_json writes (caller decrefs); shared by other
 * machine formats that need the same data. */
json_t *report_to_json(const struct report *r);
/* One check result as the report's "checks" array holds it: what the
 * checklist loop keeps as a check item's evidence. NULL when memory runs out. */
json_t *report_check_to_json(const struct check_result *c);

/* Looks up a format by name ("tty", "json", "junit", "markdown", "prom");
 * NULL when there is no such format. */
report_fn report_find(const char *name);
/* "tty, json, junit, markdown, prom": for usage and error messages. */
const char *report_format_list(void);
/* The same names, NULL-terminated: the --format choices of check. */
extern const char *const report_formats[];

/* Helpers shared by the reporters (common.c). */

/* The checklist item id (the check id when the item has none), the check
 * id, and the title (the check's title when the item has none). */
const char *report_item_id(const struct check_result *c);
const char *report_check_id(const struct check_result *c);
const char *report_title(const struct check_result *c);
/* True when a result of status s makes the run fail under fail_on (the exit
 * code rule): fail always; warn and error too when fail_on is warn. */
bool report_is_finding(enum pf_status s, enum pf_status fail_on);
/* Outside text in Markdown that renders as itself (punctuation escaped,
 * a newline as <br>, control characters and bytes that are not UTF-8 as
 * U+FFFD), and the same as a code span (markdown.c). */
void report_md_text(FILE *out, const char *s);
void report_md_code(FILE *out, const char *s);
/* Outside text as XML 1.0 character data (in_attr false) or an attribute
 * value (true): markup escaped, characters XML cannot carry and bytes that
 * are not UTF-8 as U+FFFD (junit.c; the launch reports share it). */
void report_xml_text(FILE *out, const char *s, bool in_attr);
/* Formats t as RFC 3339 UTC, "2026-11-26T10:00:00Z". Returns 0, or -EINVAL
 * when the time cannot be represented or n is too small (21 bytes suffice). */
int report_time_utc(time_t t, char *buf, size_t n);

#endif
