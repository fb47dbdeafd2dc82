/* contention: the renderers of `preflight contention` (docs/profiles.md):
 * the mutex and block profiles of a Go service, their call sites ranked
 * by delay, as text for people, JSON or Markdown.
 *
 * The report borrows everything: the profiles and their rankings stay the
 * caller's. Function names and file paths come from the service's profile
 * and are escaped for the terminal in tty (report/escape.h).
 */
#ifndef PREFLIGHT_REPORT_CONTENTION_H
#define PREFLIGHT_REPORT_CONTENTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "goruntime/profiles.h"

/* One profile as fetched or read, parsed and ranked. */
struct contention_view {
	const char *name;                        /* "mutex" or "block" */
	const char *url;                         /* the URL fetched; NULL when read from a file */
	const char *file;                        /* the file read; NULL when fetched */
	const struct contention_profile *p;
	const struct contention_rank *ranks;     /* contention_rank_sites() */
	size_t n_ranks;
};

struct contention_report {
	const char *url;                         /* the listener as given (http:// added); NULL for files */
	const struct contention_view *profiles;  /* mutex before block; either may be missing for files */
	size_t n_profiles;
	size_t top;                              /* sites shown per profile; 0 = all */
	bool color;                              /* tty: bold headings */
	unsigned width;                          /* tty: wrap long lines at this width; 0 = do not */
};

/* tty (default), json, markdown; NULL-terminated, for --format. */
extern const char *const contention_formats[];

/* Writes the report in format. Returns 0, -EINVAL for an unknown format,
 * -ENOMEM, or -EIO when the stream reports a write error. */
int contention_render(const struct contention_report *r, const char *format, FILE *out);

/* The JSON document contention_render writes (caller decrefs); NULL when
 * memory runs out. */
json_t *contention_to_json(const struct contention_report *r);

/* The text telling how to turn a profile on: for 'm' (mutex) and 'b'. */
const char *contention_enable_remedy(int kind);

#endif
