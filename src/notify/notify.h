/* notify: deadlines, alerts and follow-ups of the checklist loop, through
 * one durable outbox in the store (docs/notify.md).
 *
 *   deadlines  -> notify_scan(): for every open run, the overdue items and
 *                 follow-ups get the alert of the stage they reached (due,
 *                 reminder N, escalation to the run owner), queued in the
 *                 outbox under a key that makes a second queueing a no-op:
 *                 no duplicate for the same item, cycle and stage.
 *   delivery   -> notify_deliver(): claims due messages under a lease,
 *                 sends each to its channel (WeCom, DingTalk signed or not,
 *                 Slack, generic webhook, Jira), reads the answer, and
 *                 settles it: sent, retry later (exponential backoff with
 *                 jitter, Retry-After honoured) or dead (an answer that will
 *                 not change). Per-channel rate limits hold messages back
 *                 instead of letting the robot refuse them.
 *   follow-ups -> notify_followup_open(): a failed item's follow-up task,
 *                 its first alert and, with `jira:` in the checklist, a Jira
 *                 sub-task through the same outbox.
 *
 * Secrets (webhook URLs with their keys, the DingTalk signing secret, the
 * Jira token) are read from the environment or files named in the
 * checklist at delivery time; they are never stored, logged or reported.
 * The outbox payload holds the message body only.
 */
#ifndef PREFLIGHT_NOTIFY_H
#define PREFLIGHT_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "facts/launch.h"
#include "store/store.h"

struct notify_stats {
	unsigned queued;        /* alerts put in the outbox by this call */
	unsigned sent;          /* delivered: the endpoint said yes */
	unsigned retried;       /* failed this time, will be tried again */
	unsigned dead;          /* given up on */
	unsigned held;          /* held back by a rate limit */
};

struct notify_opts {
	const char *owner;      /* lease owner: "host:pid"; NULL: made up */
	double timeout_s;       /* per delivery request (default 10 s) */
	unsigned max_batch;     /* messages claimed per call (default 100) */
	FILE *log;              /* one line per delivery outcome (no secrets), or NULL */
	double backoff_base_s;  /* the first retry's ceiling (default 5 s; shorter in tests) */
	double lease_s;         /* how long a claimed message is ours (default 60 s, at least 2 timeouts):
	                         * a notifier killed mid-delivery frees its messages this long after */
};

/* Deliveries that failed in a way that may pass are retried, at most this
 * many times; an answer that will not change is dead at once. A channel
 * whose URL, secret or Jira token is missing from the environment is
 * retried without limit: setting it is the fix. */
#define NOTIFY_MAX_ATTEMPTS 12

/* Queues every alert due at now_ms in every open run (or in run_id alone when > 0). */
int notify_scan(struct store *s, int64_t run_id, int64_t now_ms, struct notify_stats *st, struct err *e);
/* Delivers what is due in the outbox at now_ms. */
int notify_deliver(struct store *s, int64_t now_ms, const struct notify_opts *o, struct notify_stats *st,
		   struct err *e);
/* notify_scan then notify_deliver: `preflight notify --once`, and the
 * loop of `preflight serve`. */
int notify_once(struct store *s, int64_t now_ms, const struct notify_opts *o, struct notify_stats *st,
		struct err *e);

/* What notify_scan would queue at now_ms, without writing: a JSON array of
 * {"id" (dedupe key), "channel", "kind", "run", "item", "stage", "body"}
 * (`preflight notify --dry-run`). */
int notify_plan(struct store *s, int64_t run_id, int64_t now_ms, json_t **ret, struct err *e);

/* Opens the follow-up of a failed item (RCA due after the checklist's
 * alerts.rca_due, default 2 h), queues its first alert and, when the
 * checklist has `jira:`, its Jira sub-task. Call inside the write
 * transaction that recorded the failure. Returns the follow-up id. */
int64_t notify_followup_open(struct store *s, const struct run_view *v, const struct item_view *it,
			     const char *summary, const char *actor, int64_t now_ms, struct err *e);

#endif
