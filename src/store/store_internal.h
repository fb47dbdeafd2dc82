/* store_internal: what the store's domain files share (not for callers). */
#ifndef PREFLIGHT_STORE_INTERNAL_H
#define PREFLIGHT_STORE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "store/store.h"

struct store {
	struct db *db;
	char *name;             /* redacted, for messages */
	bool in_tx;             /* a transaction is open (ours or the caller's) */
	char host[256];         /* gethostname(), for events */
};

/* Prepares sql and binds its '?' parameters from the variadic arguments,
 * one per character of types: 't' const char * (NULL binds NULL),
 * 'i' int64_t, 'n' an int64_t where 0 binds NULL (an absent run, time). */
int sq_prepare(struct store *s, struct db_stmt **ret, struct err *e, const char *sql, const char *types, ...);
/* Runs a statement that returns nothing (or whose rows are ignored). */
int sq_exec(struct store *s, struct err *e, const char *sql, const char *types, ...);
/* Runs a query whose first row's first column is an integer: 1 and *ret
 * set when there is a row (a NULL reads as 0), 0 when none. */
int sq_int(struct store *s, int64_t *ret, struct err *e, const char *sql, const char *types, ...);

/* A copy of a column's text, or NULL (NULL or out of memory alike: every
 * text we copy is optional). */
char *sq_text(struct db_stmt *st, int i);
/* A column of JSON text parsed, or an empty object when NULL or broken. */
json_t *sq_json(struct db_stmt *st, int i);

/* Write scope: opens a write transaction unless one is open; *own says
 * whether tx_leave must end it. tx_leave commits (r >= 0) or rolls back,
 * and returns r or the commit's error. */
int tx_enter(struct store *s, bool write, bool *own, struct err *e);
int64_t tx_leave(struct store *s, bool own, int64_t r, struct err *e);

int64_t store_now_ms(void);

/* What a store name means (pure: the fuzz target's entry). */
struct store_url {
	bool pg;
	char *name;             /* for messages: the path, or the URL with its password as "***" */
	char *target;           /* the file path, or the libpq conninfo (connect_timeout added) */
};
/* 0, or -PF_EPARSE for an empty name, an unknown scheme:// or no file name. */
int store_url_parse(const char *url, struct store_url *ret, struct err *e);
void store_url_release(struct store_url *u);

/* Appends an event inside the current transaction, without checking that
 * its run and item exist (the caller knows). Returns its seq. */
int64_t store_append_raw(struct store *s, struct event *ev, struct err *e);

/* Derived per-item state: shared by run_view, runs and open_runs. */
struct item_view;
int store_load_items(struct store *s, int64_t run_id, int64_t now_ms, bool full, struct item_view **ret,
		     size_t *n, struct err *e);
/* The follow-ups of a run (id 0: all of them), or the one with id fid. */
int store_load_followups(struct store *s, int64_t run_id, int64_t fid, int64_t now_ms, struct followup_view **ret,
			 size_t *n, struct err *e);

#endif
