/* actions: what a person does to a run of the checklist loop, whoever
 * asks: the `item` and `followup` commands and `preflight serve` (API and
 * board) take the same actions through these functions, under the same
 * rules, in one write transaction each (docs/launch.md, "Acting on an
 * item").
 *
 * The rules (checked and the event appended in one transaction, so two
 * people acting at once end in one consistent state):
 *   - nothing is recorded in a closed run;
 *   - an action to the status the item already has is refused;
 *   - reopen goes from anything else to pending;
 *   - confirm, fail, skip need an open item that is not running (a closed
 *     one is reopened first);
 *   - skip always needs a reason; so does any action but reopen on an
 *     item past its due time (the delay's reason);
 *   - fail opens the item's follow-up (notify_followup_open);
 *   - closing a follow-up needs its RCA, once.
 *
 * Functions return 0 or a negative code with e filled (no printing):
 *   -PF_ELAUNCH_NOTFOUND  no such run, item or follow-up
 *   -PF_ELAUNCH_INVALID   the request is incomplete or malformed (no reason
 *                         where one is needed, a text with control bytes)
 *   -PF_ELAUNCH_REFUSED   the state does not allow it (already closed, running...)
 *   other negative codes  the store's (unreachable, internal)
 */
#ifndef PREFLIGHT_LAUNCH_ACTIONS_H
#define PREFLIGHT_LAUNCH_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "facts/launch.h"
#include "store/store.h"

enum {
	PF_ELAUNCH_NOTFOUND = 4300,
	PF_ELAUNCH_INVALID,
	PF_ELAUNCH_REFUSED,
};

enum launch_action {
	LAUNCH_CONFIRM,
	LAUNCH_FAIL,
	LAUNCH_SKIP,
	LAUNCH_REOPEN,
};

/* "confirm", "fail", "skip", "reopen"; parse returns -1 for anything else. */
const char *launch_action_name(enum launch_action a);
int launch_action_parse(const char *name);

/* The most bytes kept of a name (--by, a token's name), of a reason or an
 * RCA, and of a change id. */
#define LAUNCH_MAX_ACTOR 128
#define LAUNCH_MAX_REASON 4000
#define LAUNCH_MAX_CHANGE 128

/* Checks a person's text for an event: non-empty, valid UTF-8, at most max
 * bytes, no control characters but tab and newline (newline only when
 * multiline). -PF_ELAUNCH_INVALID with "NAME is ..." in e, where name is
 * how the caller calls the field ("--reason", "reason"). */
int launch_text_check(const char *name, const char *text, size_t max, bool multiline, struct err *e);

struct launch_act {
	int64_t run_id;
	const char *item_id;
	enum launch_action action;
	const char *actor;          /* who: recorded as the event's actor (required) */
	const char *reason;         /* NULL when none */
	const char *change;         /* the change ticket, NULL when none */
	const char *via;            /* "cli", "api", "board": kept in the event's data.via; NULL: not recorded */
	/* How the caller's user gives a reason, for the message that asks for
	 * one: "--reason TEXT" (the CLI), "a reason" (the board and API). */
	const char *reason_hint;
};

struct launch_act_result {
	int64_t seq;                /* the event appended */
	enum item_status from, to;
	int64_t followup_id;        /* > 0 when a failure opened one */
};

/* Takes the action at the store's clock of now (launch_act_at with the wall
 * clock). The texts are checked (launch_text_check) first. */
int launch_act_item(struct store *s, const struct launch_act *a, struct launch_act_result *ret, struct err *e);
int launch_act_item_at(struct store *s, const struct launch_act *a, int64_t now_ms, struct launch_act_result *ret,
		       struct err *e);

/* Closes follow-up id with its RCA, by actor; via as above. Returns the
 * event's seq. */
int64_t launch_close_followup(struct store *s, int64_t id, const char *rca, const char *actor, const char *via,
			      int64_t now_ms, struct err *e);

/* "a, b, c" of the ids of v's items closest to want first (a typo's
 * likely fix first), at most max of them; into buf. */
void launch_suggest_items(const struct run_view *v, const char *want, char *buf, size_t len, size_t max);

#endif
