/* store: the state of the checklist loop, in SQLite or PostgreSQL.
 *
 * One module that every command uses (run, item, status, runs, report,
 * notify, followup, later serve and fuse). The truth is an append-only
 * event log (facts/launch.h: struct event); runs, items and follow-ups have
 * insert-only definition rows; what anything "is" now is derived from the
 * events by the readers below, never edited in place. The outbox is the one
 * mutable table: it is a delivery queue (attempts, next try, lease), not a
 * state of the launch, and every delivery outcome is also an event.
 *
 * Backends:
 *   - SQLite (default): a file, WAL, busy timeout, writers take the lock
 *     at BEGIN (IMMEDIATE) so several preflight processes serialise cleanly.
 *   - PostgreSQL (libpq): "postgresql://..." or "postgres://..." URLs, or
 *     any libpq conninfo starting with one of them. Write transactions take
 *     one transaction-level advisory lock, so event seqs are committed in
 *     order (a reader tailing "seq > N" never skips one) and the checks
 *     that precede an append (is it overdue? is it already closed?) see
 *     the state they act on.
 * The same SQL text serves both (written with '?' placeholders; the
 * PostgreSQL backend numbers them), and the same tests run on both.
 *
 * Schema versions: a `meta` row holds the version; opening migrates an
 * older store forward in one transaction, and refuses one written by a
 * newer preflight with -PF_ESTORE_NEWER ("store 'X' has schema 5; this
 * preflight knows up to 3: upgrade preflight").
 *
 * Every function returns 0 (or a count/id >= 0) or a negative code with e
 * filled; nothing prints. Secrets never pass through here: alert payloads
 * are stored without webhook URLs or keys, which the notifier reads from
 * its environment at delivery time.
 */
#ifndef PREFLIGHT_STORE_H
#define PREFLIGHT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "facts/launch.h"

struct store;

/* Error codes of the store (beyond errno and err.h's). */
enum {
	PF_ESTORE_NEWER = 4200,    /* written by a newer schema version */
	PF_ESTORE_UNREACHABLE,     /* cannot open / connect */
	PF_ESTORE_CONFLICT,        /* a precondition failed: unknown run or item, bad transition */
};

/* Where the store is when neither --db nor PREFLIGHT_DB says:
 * $XDG_STATE_HOME/preflight/preflight.db, or ~/.local/state/preflight/... .
 * Writes into buf; returns 0 or -ENAMETOOLONG / -ENOENT (no HOME). */
int store_default_path(char *buf, size_t len);

/* Opens (creating and migrating as needed) the store named by url: a
 * "postgresql://" or "postgres://" URL, or a file path ("sqlite:" prefix
 * optional). NULL: PREFLIGHT_DB, then store_default_path() (its directory
 * is created, 0700). Errors: -PF_ESTORE_UNREACHABLE (the message names the
 * store with any password replaced by "***"), -PF_ESTORE_NEWER, -PF_EPARSE
 * for a URL that is not one. */
int store_open(const char *url, struct store **ret, struct err *e);
void store_close(struct store *s);
/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *s);
/* The store's location for messages, password redacted. */
const char *store_name(const struct store *s);

/* ---- transactions -------------------------------------------------------
 * Every function below that writes runs in its own transaction unless one
 * is open; a caller that must check-then-write (a transition's
 * precondition) wraps both in store_begin_write .. store_commit. */
int store_begin_write(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* ---- runs -------------------------------------------------------------- */
struct run_open {
	const char *name, *source, *env, *owner, *opened_by, *host, *parent_ticket;
	int64_t opened_ms;
	json_t *checklist;          /* the loaded checklist as JSON (borrowed) */
	/* The items' definitions, in order: objects with at least "id",
	 * "title", "verify_kind"; optionally "owner", "module", "env",
	 * "severity", "change", "due_ms" (absolute), and "definition". */
	json_t *items;              /* array (borrowed) */
};
/* Inserts the run and its items and appends run.open; returns the new run
 * id (> 0) or a negative code. */
int64_t store_run_create(struct store *s, const struct run_open *o, struct err *e);

/* ---- events ------------------------------------------------------------- */
/* Appends one event (ev->seq and an unset at_ms are filled in; host NULL
 * means this host's name and data NULL means {}, both without writing
 * them back: the event's strings may be borrowed). Returns its seq. The run (and item, when named) must exist:
 * -PF_ESTORE_CONFLICT otherwise. */
int64_t store_append(struct store *s, struct event *ev, struct err *e);

/* Events in seq order with seq > after_seq, at most limit (0: no limit);
 * run_id 0: every run; item_id NULL: every item. *ret is an array of
 * struct event (event_release each, then free). */
int store_events(struct store *s, int64_t run_id, const char *item_id, int64_t after_seq, size_t limit,
		 struct event **ret, size_t *n, struct err *e);
/* The newest seq in the store (0 when empty): what a tailer polls. */
int64_t store_last_seq(struct store *s, struct err *e);

/* ---- views (derived from the events) ---------------------------------- */
/* The whole run as of now_ms. -PF_ESTORE_CONFLICT ("no run 7") when absent. */
int store_run_view(struct store *s, int64_t run_id, int64_t now_ms, struct run_view *ret, struct err *e);
/* The run as of now_ms with only the item item_id in it (n_items 1, or 0
 * when the run has no such item; its counts are that item's; no
 * follow-ups): what one item costs to derive whatever the run's size, for
 * a reader of one item (the API's item read). -PF_ESTORE_CONFLICT when
 * the run is absent. */
int store_item_view(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, struct run_view *ret,
		    struct err *e);
/* The newest run id (0 when there is none): `status` without RUN. */
int64_t store_latest_run(struct store *s, struct err *e);
/* Runs, newest first, at most limit (0: all); *ret: run_summary_release each, then free. */
int store_runs(struct store *s, int64_t now_ms, size_t limit, struct run_summary **ret, size_t *n, struct err *e);
/* Run ids with at least one open item or open follow-up and no run.close:
 * the ones the deadline loop looks at. *ret: free(). */
int store_open_runs(struct store *s, int64_t **ret, size_t *n, struct err *e);

/* ---- follow-ups ----------------------------------------------------------- */
/* Inserts the follow-up and appends followup.open; returns its id. */
int64_t store_followup_open(struct store *s, int64_t run_id, const char *item_id, const char *owner,
			    int64_t rca_due_ms, const char *summary, const char *actor, struct err *e);
/* The follow-up with this id, as of now_ms. */
int store_followup_get(struct store *s, int64_t id, int64_t now_ms, struct followup_view *ret, struct err *e);
void followup_view_release(struct followup_view *f);
/* The follow-ups of run_id (0: of every run) in id order, as of now_ms;
 * open_only: those not closed. *ret: followup_view_release each, then free. */
int store_followups(struct store *s, int64_t run_id, bool open_only, int64_t now_ms, struct followup_view **ret,
		    size_t *n, struct err *e);

/* ---- the outbox -------------------------------------------------------------
 * One row per message to one channel. dedupe_key is unique: queueing the
 * same key twice is a no-op returning 0 ("already queued"), which is how an
 * alert is never raised twice for the same item, stage and cycle. */
struct outbox_msg {
	int64_t id;
	char *dedupe_key;        /* "item:RUN:ITEM:CYCLE:STAGE@CHANNEL", "followup:ID:STAGE@CHANNEL", ... */
	char *channel;           /* the channel's name in the checklist's notify section */
	char *kind;              /* "wecom", "dingtalk", "slack", "webhook", "jira" */
	json_t *payload;         /* what to say, without secrets (the deliverer adds them) */
	int64_t run_id;          /* 0 when none */
	char *item_id;           /* NULL when none */
	int64_t created_ms, next_attempt_ms, sent_ms;
	unsigned attempts;
	char *state;             /* "pending", "sent", "dead" */
	char *last_error;        /* NULL when none */
};
void outbox_msg_release(struct outbox_msg *m);

/* Queues a message; returns its id (> 0), 0 when dedupe_key was already
 * queued, or a negative code. Appends alert.queued in the same
 * transaction. */
int64_t store_outbox_put(struct store *s, const struct outbox_msg *m, struct err *e);
/* Claims up to max messages that are pending with next_attempt_ms <= now_ms
 * and no live lease, leasing them to owner until now_ms + lease_ms, so two
 * notifiers (two hosts, two `serve`) never deliver one message twice while
 * both live; a claimant that dies loses its lease when it expires. *ret:
 * outbox_msg_release each, then free. */
int store_outbox_claim(struct store *s, const char *owner, int64_t now_ms, int64_t lease_ms, size_t max,
		       struct outbox_msg **ret, size_t *n, struct err *e);
/* After a delivery: sent (appends alert.sent), retry at next_attempt_ms
 * with the error (attempts + 1), or dead (appends alert.dead). Only the
 * lease owner may settle a message: -PF_ESTORE_CONFLICT otherwise. */
int store_outbox_sent(struct store *s, int64_t id, const char *owner, int64_t now_ms, struct err *e);
int store_outbox_retry(struct store *s, int64_t id, const char *owner, int64_t next_attempt_ms, const char *error,
		       struct err *e);
int store_outbox_dead(struct store *s, int64_t id, const char *owner, const char *error, struct err *e);
/* Messages in id order, filtered by state (NULL: all); for `notify --list` and the API. */
int store_outbox_list(struct store *s, const char *state, size_t limit, struct outbox_msg **ret, size_t *n,
		      struct err *e);
/* Sent messages to channel since since_ms: the per-channel rate limit's window. */
int store_outbox_sent_since(struct store *s, const char *channel, int64_t since_ms, struct err *e);

#endif
