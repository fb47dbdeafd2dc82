/* contention_collect: a Go service's mutex and block profiles (debug=1),
 * fetched from its pprof listener or read from saved files, parsed.
 * The `contention` command's collector, as the sampler is check's. */
#ifndef PREFLIGHT_CONTENTION_COLLECT_H
#define PREFLIGHT_CONTENTION_COLLECT_H

#include "base/err.h"
#include "facts/runtime.h"

struct contention_source {
	const char *name;              /* "mutex", "block" */
	char url[2048];                /* fetched from here ("" for a file) */
	const char *file;              /* or read from here (borrowed); NULL for a URL */
	struct contention_profile p;   /* parsed; release with contention_source_release */
};

/* Fetches BASE/debug/pprof/mutex?debug=1 and ...block?debug=1 at once,
 * both bounded by one timeout (a listener that never answers costs one
 * timeout, not two), into out[0] (mutex) and out[1] (block). Returns 0,
 * or the first failure (a fetch error as go_fetch returns it, -PF_EPARSE,
 * or a profile of the other kind) with e naming the URL. */
int contention_collect_url(const char *base, long timeout_ms, struct contention_source out[2], struct err *e);

/* Reads and parses a saved profile; its kind gives out->name. */
int contention_collect_file(const char *path, struct contention_source *out, struct err *e);

void contention_source_release(struct contention_source *s);

#endif
