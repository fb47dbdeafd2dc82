/* launch: the plain data of the checklist loop (docs/launch.md).
 *
 * A run is one pass of a checklist towards a launch. What happened in it is
 * the append-only event log of the store (src/store); everything here is a
 * view derived from those events at one moment (`now_ms`), never a second
 * copy of state: `status`, the reports, the board and the alerts all read
 * the same struct run_view that store_run_view() builds.
 *
 * Times are Unix milliseconds (int64_t); 0 means "none".
 */
#ifndef PREFLIGHT_LAUNCH_H
#define PREFLIGHT_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An item's status. Open items (pending, running, fail) are still to be
 * done and can be overdue; pass and skip close an item. A failed item
 * stays open until it is confirmed, reopened and passed, or skipped. */
enum item_status {
	ITEM_PENDING = 0,   /* not run yet, or waiting for a person (manual) */
	ITEM_RUNNING,       /* an automatic verification started and has not ended */
	ITEM_PASS,
	ITEM_FAIL,          /* failed verification (errors included: an item not shown to work failed) */
	ITEM_SKIP,          /* skipped, always with a reason */
	ITEM_STATUS_COUNT
};

/* "pending", "running", "pass", "fail", "skip"; item_status_parse returns
 * -1 for anything else. */
const char *item_status_name(enum item_status s);
int item_status_parse(const char *name);
bool item_status_open(enum item_status s);

/* The event kinds (events.kind). Each one's data and meaning is in
 * docs/launch.md; the status column is set by those that change an item's
 * status. */
#define EV_RUN_OPEN        "run.open"          /* a run was opened from a checklist */
#define EV_RUN_CLOSE       "run.close"         /* nothing more will be done in it */
#define EV_ITEM_START      "item.start"        /* -> running: an automatic verification began */
#define EV_ITEM_RESULT     "item.result"       /* -> pass|fail: its verdict, evidence, duration */
#define EV_ITEM_CONFIRM    "item.confirm"      /* -> pass, by a person */
#define EV_ITEM_FAIL       "item.fail"         /* -> fail, by a person */
#define EV_ITEM_SKIP       "item.skip"         /* -> skip, with a reason */
#define EV_ITEM_REOPEN     "item.reopen"       /* -> pending */
#define EV_FOLLOWUP_OPEN   "followup.open"     /* a failed item's follow-up task */
#define EV_FOLLOWUP_CLOSE  "followup.close"    /* closed with its RCA */
#define EV_FOLLOWUP_TICKET "followup.ticket"   /* its Jira sub-task was created (data.key) */
#define EV_ALERT_QUEUED    "alert.queued"      /* an alert entered the outbox (data.stage, data.outbox_id) */
#define EV_ALERT_SENT      "alert.sent"        /* the channel said yes */
#define EV_ALERT_DEAD      "alert.dead"        /* gave up: a 4xx that will not change, or too many tries */

/* One row of the event log, as stored. Strings are owned by the struct
 * that holds it (event_release). */
struct event {
	int64_t seq;            /* store-assigned, strictly increasing in commit order */
	int64_t at_ms;
	int64_t run_id;
	char *item_id;          /* NULL for run-level events */
	char *kind;             /* EV_* */
	int status;             /* enum item_status it sets, or -1 */
	char *actor;            /* who: --by NAME, or "preflight" for the automation */
	char *host;             /* where the process that wrote it ran */
	char *reason;           /* skip / delay / fail reason, RCA text; NULL when none */
	char *change_id;        /* the change ticket (DEP-...), NULL when none */
	json_t *data;           /* object, never NULL: evidence, the item's definition, ... */
};
void event_release(struct event *ev);

/* One item of a run, as the events say at now_ms. */
struct item_view {
	/* its definition, fixed when the run was opened (run.open) */
	char *id, *title;
	char *owner;            /* NULL when none */
	char *module, *env;     /* NULL when none */
	char *severity;         /* "P0".."P3" or NULL */
	char *verify_kind;      /* "check", "exec", "http", "promql", "manual" */
	char *planned_change;   /* the item's `change:` in the checklist, or NULL */
	int64_t due_ms;         /* absolute (relative dues resolved at open); 0 = none */
	json_t *definition;     /* the item as the checklist gave it (verify included) */

	/* its state, from the latest status-changing event */
	enum item_status status;
	int64_t status_seq;     /* that event's seq (0: none yet, pending since open) */
	int64_t status_ms;      /* when it got this status */
	char *executor;         /* the actor of that event */
	char *note;             /* its reason, or the verdict's one-line summary */
	char *change_id;        /* the latest change ticket given for this item */
	char *skip_reason;      /* when skipped */
	char *delay_reason;     /* the reason given for acting after due_ms */
	int64_t duration_ms;    /* the last automatic verification's duration; -1 none */
	json_t *evidence;       /* the last item.result's data.evidence, or NULL */
	int64_t closed_ms;      /* when it became pass/skip (0 while open) */
	unsigned cycle;         /* how many times it was reopened: alert stages restart per cycle */
	unsigned n_events;      /* events about this item */
	bool overdue;           /* open and now_ms > due_ms */
};

struct followup_view {
	int64_t id;
	int64_t run_id;
	char *item_id;
	char *owner;
	int64_t opened_ms, rca_due_ms;
	char *summary;          /* why it was opened (the failure) */
	bool closed;
	int64_t closed_ms;
	char *closed_by, *rca;  /* NULL while open */
	char *ticket;           /* the Jira key, or NULL */
	bool overdue;           /* open and now_ms > rca_due_ms */
};

struct run_view {
	int64_t id;
	char *name;             /* the checklist's name, or its file name */
	char *source;           /* the checklist file it was opened from */
	char *env;              /* --env */
	char *owner;            /* the run's owner (escalations go there); NULL when none */
	char *opened_by, *host;
	char *parent_ticket;    /* Jira parent issue key, or NULL */
	int64_t opened_ms;
	int64_t closed_ms;      /* 0 while open */
	json_t *checklist;      /* the checklist as loaded at open (notify, people, alerts sections) */
	int64_t now_ms;         /* the moment this view describes */
	int64_t last_seq;       /* the newest event in it */

	struct item_view *items;   /* in checklist order */
	size_t n_items;
	struct followup_view *followups;   /* by id */
	size_t n_followups;

	unsigned count[ITEM_STATUS_COUNT];
	unsigned n_overdue;
};

void run_view_release(struct run_view *v);
/* Moves v to the moment now_ms without reading the store: what depends on
 * the clock alone (v->now_ms, each item's and follow-up's overdue,
 * n_overdue) is derived again, the rule of store_run_view. Valid while no
 * event was appended since v was read: a cache keyed on the store's last
 * seq (serve's API) re-clocks its view instead of deriving it again. */
void run_view_reclock(struct run_view *v, int64_t now_ms);
/* The item with this id, or NULL. */
struct item_view *run_view_item(const struct run_view *v, const char *id);

/* A run in `preflight runs`: the header of a run_view and its counts. */
struct run_summary {
	int64_t id;
	char *name, *env, *owner, *opened_by;
	int64_t opened_ms, closed_ms;
	unsigned count[ITEM_STATUS_COUNT];
	unsigned n_items, n_overdue;
};
void run_summary_release(struct run_summary *r);

#endif
