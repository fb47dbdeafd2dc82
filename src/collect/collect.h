/* collect: runs every collector once and fills struct facts. The only
 * place that decides what to read and in which order. */
#ifndef PREFLIGHT_COLLECT_H
#define PREFLIGHT_COLLECT_H

#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "facts/facts.h"

struct collect_opts {
	const char *root;          /* "" = live system */
	pid_t pid;                 /* 0 = host only */
	double window_s;           /* sampling window; 0 disables sampling */
	long http_timeout_ms;      /* per endpoint probe and runtime surface request */
	uint64_t max_debug2;       /* take a goroutine debug=2 dump only below this count */
	/* The command's view of the runtime sampling (a progress line);
	 * NULL = none. The collectors themselves never print. */
	const struct sampler_hooks *hooks;
	/* The metric.* checks' /metrics page (goruntime_opts). */
	const char *metrics_url;
	bool metrics_doc;
};

/* Returns 0, or -ESRCH when the target does not exist (e filled). Parts
 * that fail record their own errors in f and do not fail the call. A
 * target that exits during the window sets f->proc.err = -ESRCH. */
int facts_collect(struct facts *f, const struct collect_opts *o, struct err *e);

#endif
