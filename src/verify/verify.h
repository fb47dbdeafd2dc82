/* verify: shows a checklist item done, by the means its `verify:` names.
 *
 * The automatic kinds run here: exec (a command, its exit code, its
 * output captured and capped), http (method, URL, status, body match),
 * promql (a query against a Prometheus server of the file, a condition,
 * optionally held over a duration) and check (a built-in check, through
 * the very collectors and checks `preflight check` uses — never a second
 * copy of them). Manual items are not run: a person confirms them.
 *
 * Items run in parallel where they allow (at most max_parallel at once):
 * exec items as child processes watched from one poll loop, http and
 * promql items as one batch of concurrent requests, check items in one
 * collection of the target. Every item has its own timeout; nothing here
 * can hang. Each result reaches the caller as soon as the item ends
 * (on_done), so the caller records it at once: a run interrupted half-way
 * keeps what it learnt.
 */
#ifndef PREFLIGHT_VERIFY_H
#define PREFLIGHT_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "config/checklist.h"
#include "facts/launch.h"

struct verify_result {
	enum item_status status;   /* ITEM_PASS or ITEM_FAIL */
	char summary[512];         /* one line: "exit 0 in 1.2s", "HTTP 503, want 200", "max 0.031 > 0.01 over 5m" */
	json_t *evidence;          /* object (documented per kind in docs/checklist.md); owned */
	int64_t started_ms;        /* wall clock, Unix ms */
	int64_t duration_ms;
};
void verify_result_release(struct verify_result *r);

/* What check items need: the target, as `preflight check` takes it. */
struct verify_target {
	pid_t pid;                 /* 0: host checks only; items needing a target fail, saying so */
	double window_s;           /* as check --window (default 2) */
	double timeout_s;          /* as check --timeout */
	const char *metrics_url;   /* as check --metrics-url, or NULL */
	bool warn_fails;           /* a check's warn fails the item (--fail-on warn); default: passes, noted */
};

struct verify_opts {
	unsigned max_parallel;     /* 0: the checklist's (default 8) */
	struct verify_target target;
	/* Called once per item, in the order items end, from the calling
	 * thread; index is the item's index in cl->items. */
	void (*on_start)(void *arg, size_t index);
	void (*on_done)(void *arg, size_t index, const struct verify_result *r);
	void *arg;
};

/* Runs the automatic items among cl->items[idx[0..n-1]] (manual ones are
 * ignored). Returns 0 once every one of them has ended, or a negative
 * code when the run itself broke (-ENOMEM, a libcurl that cannot load);
 * a failing item is a result, not an error. When one kind cannot run
 * (no libcurl: no http or promql item gets on_start/on_done), the other
 * kinds still run, and the first error is returned. */
int verify_items(const struct checklist *cl, const size_t *idx, size_t n, const struct verify_opts *o,
		 struct err *e);

#endif
