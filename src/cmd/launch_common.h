/* launch_common: what the commands of the checklist loop (run, item,
 * status, runs) share, so each says it once and the same way
 * (docs/launch.md): the --db option, opening the store with its one-line
 * errors, who and where (the actor and host of an event), which run an
 * operand names, resolving an item's due time, and rendering a run to
 * -o/--output.
 */
#ifndef PREFLIGHT_CMD_LAUNCH_COMMON_H
#define PREFLIGHT_CMD_LAUNCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "cmd/options.h"
#include "config/checklist.h"
#include "facts/launch.h"
#include "launch/actions.h"
#include "report/launch_report.h"
#include "store/store.h"

#define OPT_DB_ENTRY(T, field) \
	{ .type = OPT_STRING, .long_name = "db", .arg_name = "URL", \
	  .help = "the store: a SQLite file (default: $PREFLIGHT_DB, else " \
		  "$XDG_STATE_HOME/preflight/preflight.db) or a postgresql:// URL (its password from " \
		  "PGPASSWORD or ~/.pgpass rather than the URL)", \
	  .off = offsetof(T, field) }
#define OPT_BY_ENTRY(T, field, help_) \
	{ .type = OPT_STRING, .long_name = "by", .arg_name = "NAME", .help = (help_), .off = offsetof(T, field) }

/* Opens the store named by --db (NULL: PREFLIGHT_DB, then the default
 * path). On failure prints "preflight CMD: <the store's message>" and
 * returns the exit code: 2 for a store that cannot be reached, that a
 * newer preflight wrote, or a URL that is not one; 3 otherwise. */
int launch_store_open(const char *cmd, const char *url, struct store **ret);

/* Prints the store error e of code r as one line; returns the exit code
 * (2 for input: unknown run or item, an unreachable store; 3 otherwise). */
int launch_store_error(const char *cmd, int r, const struct err *e);

/* Who acts: --by NAME when given, else $USER, else the login name, else
 * the user name of the uid; NULL when none is known. */
const char *launch_actor(const char *by);

/* The wall clock in Unix milliseconds. */
int64_t launch_now_ms(void);

/* The run an operand names: a positive decimal id, or (arg NULL) the
 * newest run. Prints the one line and returns 2 when there is no such
 * run or none at all ("no runs in 'STORE' yet"); 0 with *ret set. */
int launch_resolve_run(const char *cmd, struct store *s, const char *arg, int64_t *ret);

/* store_append, kept for its callers: the store no longer fills host or
 * data into the event, so an event of borrowed strings needs nothing
 * more. */
int64_t launch_append(struct store *s, struct event *ev, struct err *e);

/* store_run_view for a command: an unknown run is one line naming the
 * newest runs the store has ("no run 9 in 'STORE'; its newest runs: 3, 2,
 * 1") and exit 2; other errors as launch_store_error. 0 on success. */
int launch_run_view(const char *cmd, struct store *s, int64_t run_id, int64_t now_ms, struct run_view *ret);

/* For a command that checks the run's state, then appends (item,
 * close): resolves the RUN operand, opens the write transaction and reads
 * the run inside it at *now_ms (set here), so what the rule looked at is
 * what the event changes. 0 with the transaction open (the caller commits
 * or rolls back), or the exit code after the one line, with none open. */
int launch_lock_run(const char *cmd, struct store *s, const char *arg, int64_t *now_ms, struct run_view *ret);

/* An item's due time in Unix ms: relative ("+30m") from opened_ms, an
 * RFC 3339 date-time as it says, a date (YYYY-MM-DD) at the end of that
 * day in UTC (the item is due by then). 0 without a due. -EINVAL for a
 * text neither of these (the checklist loader has refused those). */
int launch_due_ms(const struct checklist_item *it, int64_t opened_ms, int64_t *ret);

/* Checks a person's text for an event (--by, --reason, --change): non-empty,
 * valid UTF-8, at most max bytes, no control characters but tab and
 * newline (newline only when multiline). Prints the one line naming the
 * option and returns 2; 0 when it is fine. */
int launch_check_text(const char *cmd, const char *option, const char *text, size_t max, bool multiline);

/* Formats ms as "2026-12-05T12:00:00Z" into buf. */
void launch_format_time(int64_t ms, char *buf, size_t len);

/* Renders the run (items passing f) to -o/--output in format, colour by
 * --color on a terminal. Returns 0 or the exit code after printing the
 * one line (2 for an output that cannot be opened, 3 for a write error). */
int launch_render_to(const char *cmd, const char *output, const char *format, const char *color,
		     const struct run_view *v, const struct launch_filter *f);


#endif
