/* store_outbox: the delivery queue, the store's one mutable table.
 *
 * A row is a message on its way to one channel; its columns (attempts,
 * next try, lease, state) are the queue's bookkeeping, not the launch's
 * state, and every outcome that matters to the launch is also an event
 * (alert.queued, alert.sent, alert.dead). Claims lease rows to one owner
 * for a while, inside the writer lock (and FOR UPDATE SKIP LOCKED on
 * PostgreSQL), so two notifiers never deliver one row twice; only the
 * lease owner may settle a row. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/json_text.h"
#include "store/store_internal.h"

#define MSG_COLUMNS                                                                                        \
	"id, dedupe_key, channel, kind, payload, run_id, item_id, created_ms, next_attempt_ms, sent_ms,"   \
	" attempts, state, last_error"

void outbox_msg_release(struct outbox_msg *m)
{
	if (!m)
		return;
	free(m->dedupe_key);
	free(m->channel);
	free(m->kind);
	json_decref(m->payload);
	free(m->item_id);
	free(m->state);
	free(m->last_error);
	memset(m, 0, sizeof(*m));
}

static void read_msg(struct db_stmt *st, struct outbox_msg *m)
{
	m->id = db_column_int(st, 0);
	m->dedupe_key = sq_text(st, 1);
	m->channel = sq_text(st, 2);
	m->kind = sq_text(st, 3);
	m->payload = sq_json(st, 4);
	m->run_id = db_column_null(st, 5) ? 0 : db_column_int(st, 5);
	m->item_id = sq_text(st, 6);
	m->created_ms = db_column_int(st, 7);
	m->next_attempt_ms = db_column_int(st, 8);
	m->sent_ms = db_column_int(st, 9);
	m->attempts = (unsigned)db_column_int(st, 10);
	m->state = sq_text(st, 11);
	m->last_error = sq_text(st, 12);
}

/* Runs a query of MSG_COLUMNS into an array. */
static int read_msgs(struct db_stmt *st, struct outbox_msg **ret, size_t *n, struct err *e)
{
	struct outbox_msg *msgs = NULL;
	size_t cap = 0, count = 0;
	int r;

	while ((r = db_step(st, e)) > 0) {
		if (array_reserve(&msgs, &cap, count, sizeof(*msgs), 8) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		read_msg(st, &msgs[count++]);
	}
	db_finalize(st);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			outbox_msg_release(&msgs[i]);
		free(msgs);
		return r;
	}
	*ret = msgs;
	*n = count;
	return 0;
}

/* The alert.* event about message id. */
static int64_t alert_event(struct store *s, const char *kind, int64_t id, int64_t run_id, const char *item_id,
			   const char *channel, const char *reason, json_t *data, struct err *e)
{
	struct event ev = { .status = -1 };
	int64_t r;

	ev.run_id = run_id;
	ev.item_id = (char *)item_id;
	ev.kind = (char *)kind;
	ev.actor = "preflight";
	ev.host = s->host;
	ev.reason = (char *)reason;
	ev.data = data ? data : json_object();
	if (!ev.data)
		return err_set(e, -ENOMEM, "out of memory");
	json_object_set_new(ev.data, "outbox_id", json_integer(id));
	if (channel)
		json_object_set_new(ev.data, "channel", json_text(channel));
	r = store_append_raw(s, &ev, e);
	json_decref(ev.data);
	return r;
}

int64_t store_outbox_put(struct store *s, const struct outbox_msg *m, struct err *e)
{
	int64_t id = 0, created = m->created_ms ? m->created_ms : store_now_ms(), r;
	json_t *stage, *data;
	char *payload;
	bool own = false, queued;

	if (!m->dedupe_key || !m->channel || !m->kind)
		return err_set(e, -EINVAL, "an outbox message needs a dedupe key, a channel and a kind");
	payload = json_dumps(m->payload ? m->payload : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	if (!payload)
		return err_set(e, -ENOMEM, "out of memory");
	r = tx_enter(s, true, &own, e);
	if (r == 0)
		r = sq_int(s, &id, e,
			   "INSERT INTO outbox (dedupe_key, channel, kind, payload, run_id, item_id, created_ms,"
			   " next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
			   " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
			   "ttttntii", m->dedupe_key, m->channel, m->kind, payload, m->run_id, m->item_id, created,
			   m->next_attempt_ms ? m->next_attempt_ms : created);
	free(payload);
	queued = r > 0;
	if (queued) {
		stage = json_object_get(m->payload, "stage");
		data = json_pack("{s:s, s:s, s:O?}", "kind", m->kind, "dedupe_key", m->dedupe_key, "stage", stage);
		r = alert_event(s, EV_ALERT_QUEUED, id, m->run_id, m->item_id, m->channel, NULL, data, e);
	}
	return tx_leave(s, own, r < 0 ? r : queued ? id : 0, e);
}

int store_outbox_claim(struct store *s, const char *owner, int64_t now_ms, int64_t lease_ms, size_t max,
		       struct outbox_msg **ret, size_t *n, struct err *e)
{
	struct outbox_msg *msgs = NULL;
	size_t count = 0;
	struct db_stmt *st;
	bool own;
	int r;

	if (!owner || !owner[0])
		return err_set(e, -EINVAL, "a claim needs an owner");
	r = tx_enter(s, true, &own, e);
	if (r < 0)
		return r;
	r = sq_prepare(s, &st, e,
		       s->db->pg ? "SELECT " MSG_COLUMNS " FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ?"
				   " AND lease_until_ms <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED"
				 : "SELECT " MSG_COLUMNS " FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ?"
				   " AND lease_until_ms <= ? ORDER BY id LIMIT ?",
		       "iii", now_ms, now_ms, max ? (int64_t)max : INT64_MAX);
	if (r == 0)
		r = read_msgs(st, &msgs, &count, e);
	for (size_t i = 0; r == 0 && i < count; i++)
		r = sq_exec(s, e, "UPDATE outbox SET lease_owner = ?, lease_until_ms = ? WHERE id = ?", "tii", owner,
			    now_ms + lease_ms, msgs[i].id);
	r = (int)tx_leave(s, own, r, e);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			outbox_msg_release(&msgs[i]);
		free(msgs);
		return r;
	}
	*ret = msgs;
	*n = count;
	return 0;
}

/* Settles message id if owner holds its lease: runs update (which must
 * return run_id, item_id, channel) and appends kind (NULL: none). */
static int settle(struct store *s, int64_t id, const char *owner, const char *update, const char *types,
		  int64_t a, const char *text, const char *kind, struct err *e)
{
	struct db_stmt *st;
	int64_t run_id = 0;
	char *item_id = NULL, *channel = NULL;
	bool own;
	int64_t r;

	r = tx_enter(s, true, &own, e);
	if (r < 0)
		return (int)r;
	if (types[0] == 'i')
		r = sq_prepare(s, &st, e, update, "itit", a, text, id, owner);
	else
		r = sq_prepare(s, &st, e, update, "tit", text, id, owner);
	if (r == 0) {
		r = db_step(st, e);
		if (r > 0) {
			run_id = db_column_null(st, 0) ? 0 : db_column_int(st, 0);
			item_id = sq_text(st, 1);
			channel = sq_text(st, 2);
		}
		db_finalize(st);
	}
	if (r == 0)
		r = err_set(e, -PF_ESTORE_CONFLICT, "outbox message %lld is not pending under a lease of '%s'",
			    (long long)id, owner);
	if (r > 0 && kind)
		r = alert_event(s, kind, id, run_id, item_id, channel, text, NULL, e);
	free(item_id);
	free(channel);
	return (int)tx_leave(s, own, r < 0 ? r : 0, e);
}

#define SETTLE_WHERE " WHERE id = ? AND lease_owner = ? AND state = 'pending' RETURNING run_id, item_id, channel"

int store_outbox_sent(struct store *s, int64_t id, const char *owner, int64_t now_ms, struct err *e)
{
	return settle(s, id, owner,
		      "UPDATE outbox SET state = 'sent', sent_ms = ?, last_error = ?, attempts = attempts + 1,"
		      " lease_owner = NULL, lease_until_ms = 0" SETTLE_WHERE,
		      "i", now_ms, NULL, EV_ALERT_SENT, e);
}

int store_outbox_retry(struct store *s, int64_t id, const char *owner, int64_t next_attempt_ms, const char *error,
		       struct err *e)
{
	return settle(s, id, owner,
		      "UPDATE outbox SET next_attempt_ms = ?, last_error = ?, attempts = attempts + 1,"
		      " lease_owner = NULL, lease_until_ms = 0" SETTLE_WHERE,
		      "i", next_attempt_ms, error, NULL, e);
}

int store_outbox_dead(struct store *s, int64_t id, const char *owner, const char *error, struct err *e)
{
	return settle(s, id, owner,
		      "UPDATE outbox SET state = 'dead', last_error = ?, attempts = attempts + 1,"
		      " lease_owner = NULL, lease_until_ms = 0" SETTLE_WHERE,
		      "t", 0, error, EV_ALERT_DEAD, e);
}

int store_outbox_list(struct store *s, const char *state, size_t limit, struct outbox_msg **ret, size_t *n,
		      struct err *e)
{
	struct db_stmt *st;
	int64_t max = limit ? (int64_t)limit : INT64_MAX;
	int r;

	if (state)
		r = sq_prepare(s, &st, e, "SELECT " MSG_COLUMNS " FROM outbox WHERE state = ? ORDER BY id LIMIT ?", "ti",
			       state, max);
	else
		r = sq_prepare(s, &st, e, "SELECT " MSG_COLUMNS " FROM outbox ORDER BY id LIMIT ?", "i", max);
	return r < 0 ? r : read_msgs(st, ret, n, e);
}

int store_outbox_sent_since(struct store *s, const char *channel, int64_t since_ms, struct err *e)
{
	int64_t count = 0;
	int r = sq_int(s, &count, e,
		       "SELECT COUNT(*) FROM outbox WHERE channel = ? AND state = 'sent' AND sent_ms >= ?", "ti",
		       channel, since_ms);

	return r < 0 ? r : (int)count;
}
