/* store_events: appending to and reading the event log. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "store/store_internal.h"

/* The item's event count and cycle after ev (0, 0 for a run-level event):
 * read from its latest event, inside the writer's transaction. */
static int item_counters(struct store *s, const struct event *ev, int64_t *item_seq, int64_t *cycle,
			 struct err *e)
{
	struct db_stmt *st;
	int r;

	*item_seq = *cycle = 0;
	if (!ev->item_id)
		return 0;
	r = sq_prepare(s, &st, e,
		       "SELECT item_seq, cycle FROM events WHERE run_id = ? AND item_id = ? ORDER BY seq DESC LIMIT 1",
		       "nt", ev->run_id, ev->item_id);
	if (r < 0)
		return r;
	r = db_step(st, e);
	if (r > 0) {
		*item_seq = db_column_int(st, 0);
		*cycle = db_column_int(st, 1);
	}
	db_finalize(st);
	++*item_seq;
	if (strcmp(ev->kind, EV_ITEM_REOPEN) == 0)
		++*cycle;
	return r < 0 ? r : 0;
}

int64_t store_append_raw(struct store *s, struct event *ev, struct err *e)
{
	struct db_stmt *st;
	int64_t item_seq, cycle;
	char *data;
	int r;

	if (!ev->kind || !ev->kind[0])
		return err_set(e, -EINVAL, "event without a kind");
	if (!ev->at_ms)
		ev->at_ms = store_now_ms();
	r = item_counters(s, ev, &item_seq, &cycle, e);
	if (r < 0)
		return r;
	/* host and data are not written back: the caller's event may hold
	 * borrowed strings, and must not gain memory it does not know of */
	data = ev->data ? json_dumps(ev->data, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("{}");
	if (!data)
		return err_set(e, -ENOMEM, "out of memory");
	r = sq_prepare(s, &st, e,
		       "INSERT INTO events (at_ms, run_id, item_id, kind, status, actor, host, reason, change_id, data,"
		       " item_seq, cycle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
		       "inttitttttii", ev->at_ms, ev->run_id, ev->item_id, ev->kind, (int64_t)0,
		       ev->actor ? ev->actor : "preflight", ev->host ? ev->host : s->host, ev->reason, ev->change_id,
		       data, item_seq, cycle);
	free(data);   /* both backends copy what they bind */
	if (r < 0)
		return r;
	/* status: NULL unless it sets one (the view's partial index) */
	if (ev->status >= 0 && ev->status < ITEM_STATUS_COUNT)
		db_bind_int(st, 5, ev->status);
	else
		db_bind_null(st, 5);
	r = db_step(st, e);
	if (r > 0)
		ev->seq = db_column_int(st, 0);
	db_finalize(st);
	if (r == 0)
		r = err_set(e, -EIO, "store '%s': insert returned no seq", s->name);
	return r < 0 ? r : ev->seq;
}

/* Does the run (and the item, when named) exist? */
static int check_target(struct store *s, int64_t run_id, const char *item_id, struct err *e)
{
	int64_t one;
	int r;

	r = sq_int(s, &one, e, "SELECT 1 FROM runs WHERE id = ?", "i", run_id);
	if (r == 0)
		return err_set(e, -PF_ESTORE_CONFLICT, "no run %lld", (long long)run_id);
	if (r < 0 || !item_id)
		return r < 0 ? r : 0;
	r = sq_int(s, &one, e, "SELECT 1 FROM run_items WHERE run_id = ? AND item_id = ?", "it", run_id, item_id);
	if (r == 0)
		return err_set(e, -PF_ESTORE_CONFLICT, "run %lld has no item '%s'", (long long)run_id, item_id);
	return r < 0 ? r : 0;
}

int64_t store_append(struct store *s, struct event *ev, struct err *e)
{
	bool own;
	int64_t r;

	r = tx_enter(s, true, &own, e);
	if (r < 0)
		return r;
	r = check_target(s, ev->run_id, ev->item_id, e);
	if (r == 0)
		r = store_append_raw(s, ev, e);
	return tx_leave(s, own, r, e);
}

#define EVENT_COLUMNS "seq, at_ms, run_id, item_id, kind, status, actor, host, reason, change_id, data"

/* One row of EVENT_COLUMNS into ev. */
static void read_event(struct db_stmt *st, struct event *ev)
{
	ev->seq = db_column_int(st, 0);
	ev->at_ms = db_column_int(st, 1);
	ev->run_id = db_column_null(st, 2) ? 0 : db_column_int(st, 2);
	ev->item_id = sq_text(st, 3);
	ev->kind = sq_text(st, 4);
	ev->status = db_column_null(st, 5) ? -1 : (int)db_column_int(st, 5);
	ev->actor = sq_text(st, 6);
	ev->host = sq_text(st, 7);
	ev->reason = sq_text(st, 8);
	ev->change_id = sq_text(st, 9);
	ev->data = sq_json(st, 10);
}

int store_events(struct store *s, int64_t run_id, const char *item_id, int64_t after_seq, size_t limit,
		 struct event **ret, size_t *n, struct err *e)
{
	struct event *evs = NULL;
	size_t cap = 0, count = 0;
	struct db_stmt *st;
	int64_t max = limit ? (int64_t)limit : INT64_MAX;
	int r;

	if (run_id && item_id)
		r = sq_prepare(s, &st, e,
			       "SELECT " EVENT_COLUMNS " FROM events WHERE run_id = ? AND item_id = ? AND seq > ?"
			       " ORDER BY seq LIMIT ?",
			       "itii", run_id, item_id, after_seq, max);
	else if (run_id)
		r = sq_prepare(s, &st, e,
			       "SELECT " EVENT_COLUMNS " FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
			       "iii", run_id, after_seq, max);
	else if (item_id)
		r = sq_prepare(s, &st, e,
			       "SELECT " EVENT_COLUMNS " FROM events WHERE item_id = ? AND seq > ? ORDER BY seq LIMIT ?",
			       "tii", item_id, after_seq, max);
	else
		r = sq_prepare(s, &st, e, "SELECT " EVENT_COLUMNS " FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
			       "ii", after_seq, max);
	if (r < 0)
		return r;
	while ((r = db_step(st, e)) > 0) {
		if (array_reserve(&evs, &cap, count, sizeof(*evs), 64) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		read_event(st, &evs[count++]);
	}
	db_finalize(st);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			event_release(&evs[i]);
		free(evs);
		return r;
	}
	*ret = evs;
	*n = count;
	return 0;
}

int64_t store_last_seq(struct store *s, struct err *e)
{
	int64_t seq = 0;
	int r = sq_int(s, &seq, e, "SELECT MAX(seq) FROM events", "");

	return r < 0 ? r : seq;
}
