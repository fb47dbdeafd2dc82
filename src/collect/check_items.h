/* check_items: the one path from checklist items that name a built-in
 * check to their results. The facts are collected once, for all of them,
 * and each item's check is judged over those facts. `preflight check` and
 * the checklist loop's check items (src/verify) both run through here, so
 * a launch checklist judges exactly as `preflight check` does.
 */
#ifndef PREFLIGHT_CHECK_ITEMS_H
#define PREFLIGHT_CHECK_ITEMS_H

#include <stddef.h>

#include "base/err.h"
#include "check/check.h"
#include "collect/collect.h"
#include "config/checklist.h"
#include "facts/facts.h"

/* Collects the facts the items items[idx[0..n-1]] (idx NULL: items[0..n-1])
 * need: o as given, with o->metrics_doc set when one of their checks reads
 * the whole /metrics page. Items without a check (exec, http, ...) are
 * ignored. Returns what facts_collect() returns. */
int check_items_collect(struct facts *f, struct collect_opts *o, const struct checklist_item *items,
			const size_t *idx, size_t n, struct err *e);

/* Judges one item's check over f into r (result_init'ed here; the caller
 * releases it with result_release): its id, title and checklist metadata
 * (borrowed from it, which must outlive r), then check_run(). */
void check_item_judge(const struct checklist_item *it, const struct facts *f, struct check_result *r);

#endif
