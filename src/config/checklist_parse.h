/* checklist_parse: the parts of the checklist loader split out of
 * checklist.c, one file each: verify kinds (checklist_verify.c) and the
 * run-wide sections, people, notify, alerts, prometheus, jira
 * (checklist_people.c). Internal to src/config.
 *
 * Every parser returns 0, or -PF_EPARSE with "NAME:LINE:COL: message"
 * (clvalue.h), or -ENOMEM. What a failed parser filled in is released by
 * checklist_release() like the rest. */
#ifndef PREFLIGHT_CHECKLIST_PARSE_H
#define PREFLIGHT_CHECKLIST_PARSE_H

#include "config/checklist.h"
#include "config/clvalue.h"
#include "config/ytree.h"

/* `verify:` of an item: sets it->verify and its spec. promql servers are
 * looked up in prometheus (the checklist's section, or NULL). */
int clv_parse_verify(const struct clctx *c, const struct ynode *v, const json_t *prometheus,
		     struct checklist_item *it);
void clv_release(struct checklist_item *it);

int clp_parse_people(const struct clctx *c, const struct ynode *v, struct checklist *cl);
int clp_parse_prometheus(const struct clctx *c, const struct ynode *v, struct checklist *cl);
int clp_parse_notify(const struct clctx *c, const struct ynode *v, struct checklist *cl);
/* After notify: alert channels must name notify channels. */
int clp_parse_alerts(const struct clctx *c, const struct ynode *v, struct checklist *cl);
int clp_parse_jira(const struct clctx *c, const struct ynode *v, struct checklist *cl);
/* When the checklist has `people:`, owner must be one of them; the error
 * points at at (the owner value as written). */
int clp_check_owner(const struct clctx *c, const struct checklist *cl, const struct ynode *at, const char *owner);
/* The defaults of the run-wide sections (alerts, parallel). */
void clp_set_defaults(struct checklist *cl);
void clp_release(struct checklist *cl);

#endif
