/* deadline: which alert each overdue item and open follow-up of a run has
 * reached at one moment (docs/notify.md, "Deadlines"). Pure: no I/O, no
 * clock; the notifier (src/notify) queues what this returns.
 *
 * An overdue item goes through stages measured from its due time:
 *   "due"       once now_ms > due_ms (the item is overdue),
 *   "remind-N"  from due_ms + N * remind_every (N >= 1),
 *   "escalate"  from due_ms + escalate_after * remind_every: to the run's
 *               owner, mentioning the item's owner. It is the last stage.
 * Only the stage reached now is returned, never the ones before it: a
 * notifier that was down for hours sends one alert, not a burst. The stages
 * restart with each cycle (an item reopened). A follow-up has the same
 * stages around its RCA due time, prefixed "followup-", plus
 * "followup-open" from its opening until the RCA is due.
 *
 * Each alert has a key that names it for good ("item:RUN:ITEM:CYCLE:STAGE",
 * "followup:ID:STAGE"): the outbox refuses a second message with the same
 * key, which is how no stage is ever sent twice.
 */
#ifndef PREFLIGHT_DEADLINE_H
#define PREFLIGHT_DEADLINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/launch.h"

/* The checklist's `alerts:` as the run stored it. */
struct deadline_policy {
	int64_t remind_every_ms;   /* default 30 min; at least 1 s */
	unsigned escalate_after;   /* reminders before escalating; default 3 */
	int64_t rca_due_ms;        /* a follow-up's RCA due after it opens; default 2 h */
};

#define DEADLINE_REMIND_EVERY_MS (30 * 60 * 1000LL)
#define DEADLINE_ESCALATE_AFTER 3u
#define DEADLINE_RCA_DUE_MS (2 * 3600 * 1000LL)

/* Reads checklist JSON's "alerts" object (keys remind_every_s or
 * remind_every, escalate_after, rca_due_s or rca_due; seconds as numbers,
 * or durations as strings "30m"); defaults for what is absent or unusable. */
void deadline_policy_from_checklist(const json_t *checklist, struct deadline_policy *ret);

enum deadline_subject { DEADLINE_ITEM, DEADLINE_FOLLOWUP };

/* The stage a deadline has reached at now_ms. */
struct deadline_stage {
	bool reached;              /* false: not due yet (nothing to say) */
	unsigned reminder;         /* N of "remind-N"; 0 for "due" */
	bool escalate;
	int64_t since_ms;          /* when this stage was reached */
	char name[24];             /* "due", "remind-2", "escalate" */
};
/* The pure core: the stage of a deadline due at due_ms. */
void deadline_stage_at(int64_t due_ms, int64_t now_ms, const struct deadline_policy *p, struct deadline_stage *ret);

struct deadline_alert {
	enum deadline_subject subject;
	int64_t run_id;
	const char *item_id;       /* borrowed from the view */
	const char *item_title;    /* borrowed; NULL for a follow-up without its item */
	int64_t followup_id;       /* DEADLINE_FOLLOWUP */
	unsigned cycle;
	struct deadline_stage stage;   /* name prefixed "followup-" for follow-ups */
	int64_t due_ms;            /* the deadline this alert is about (RCA due for a follow-up) */
	const char *to;            /* who is addressed: the owner, or the run's owner on escalation; may be NULL */
	const char *mention;       /* also mentioned: the item's owner on escalation, else NULL */
	char *key;                 /* the dedupe key (owned) */
};

/* Every alert due in v at now_ms: one per open overdue item (in checklist
 * order) and one per open follow-up (by id). *ret: deadline_alerts_free.
 * Returns 0 or -ENOMEM. */
int deadline_alerts(const struct run_view *v, int64_t now_ms, struct deadline_alert **ret, size_t *n);
void deadline_alerts_free(struct deadline_alert *a, size_t n);

/* The key of one alert: "item:RUN:ITEM:CYCLE:STAGE" / "followup:ID:STAGE"
 * (malloc'ed, NULL on ENOMEM). */
char *deadline_item_key(int64_t run_id, const char *item_id, unsigned cycle, const char *stage);
char *deadline_followup_key(int64_t followup_id, const char *stage);

#endif
