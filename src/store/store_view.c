/* store_view: what a run is now, derived from its events by indexed
 * queries (a few index seeks per item), never by replaying the log in C:
 * `status` costs the same on a store of a hundred events or of millions
 * (docs/store.md has the figures). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "store/store_internal.h"

/* The run's items, each with the seq of its latest status-changing event
 * (s_seq, events_status) and its event count and cycle (those its latest
 * event carries, events_item): one index seek each. Materialized, so
 * neither engine flattens it: joined on seq = (subquery) directly,
 * PostgreSQL hashed the whole events table for a large run; the callers
 * join events by primary key on s_seq instead. */
#define ITEMS_WITH_SEQS(which)                                                                            \
	"WITH i AS MATERIALIZED (SELECT i.*,"                                                               \
	" (SELECT MAX(x.seq) FROM events x WHERE x.run_id = i.run_id AND x.item_id = i.item_id"             \
	"  AND x.status IS NOT NULL) AS s_seq,"                                                             \
	" (SELECT y.item_seq FROM events y WHERE y.run_id = i.run_id AND y.item_id = i.item_id"             \
	"  ORDER BY y.seq DESC LIMIT 1) AS n_events,"                                                       \
	" (SELECT y.cycle FROM events y WHERE y.run_id = i.run_id AND y.item_id = i.item_id"                \
	"  ORDER BY y.seq DESC LIMIT 1) AS cycle"                                                           \
	" FROM run_items i WHERE " which ") "

#define ITEMS_FULL_SQL(which)											\
	ITEMS_WITH_SEQS(which) \
	"SELECT i.item_id, i.title, i.owner, i.module, i.env, i.severity, i.verify_kind, i.planned_change," \
	" i.due_ms, i.definition," \
	" s.seq, s.at_ms, s.status, s.actor, s.reason, s.data," \
	" i.n_events, i.cycle," \
	" (SELECT c.change_id FROM events c WHERE c.run_id = i.run_id AND c.item_id = i.item_id" \
	"  AND c.change_id IS NOT NULL ORDER BY c.seq DESC LIMIT 1)," \
	" (SELECT c.data FROM events c WHERE c.run_id = i.run_id AND c.kind = '" EV_ITEM_RESULT "'" \
	"  AND c.item_id = i.item_id ORDER BY c.seq DESC LIMIT 1)," \
	/* a person acting after the due time says why */ \
	" (SELECT c.reason FROM events c WHERE c.run_id = i.run_id AND c.item_id = i.item_id" \
	"  AND c.reason IS NOT NULL AND c.kind IN ('" EV_ITEM_CONFIRM "', '" EV_ITEM_SKIP "', '" EV_ITEM_FAIL "')" \
	"  AND i.due_ms > 0 AND c.at_ms > i.due_ms ORDER BY c.seq DESC LIMIT 1)" \
	" FROM i LEFT JOIN events s ON s.seq = i.s_seq ORDER BY i.position"

static const char items_full_sql[] = ITEMS_FULL_SQL("i.run_id = ?");
/* one item: store_item_view */
static const char item_full_sql[] = ITEMS_FULL_SQL("i.run_id = ? AND i.item_id = ?");

/* What counts need: status and due time. */
static const char items_light_sql[] =
	"WITH i AS MATERIALIZED (SELECT i.*,"
	" (SELECT MAX(x.seq) FROM events x WHERE x.run_id = i.run_id AND x.item_id = i.item_id"
	"  AND x.status IS NOT NULL) AS s_seq"
	" FROM run_items i WHERE i.run_id = ?) "
	"SELECT i.item_id, i.due_ms, s.seq, s.at_ms, s.status FROM i LEFT JOIN events s ON s.seq = i.s_seq"
	" ORDER BY i.position";

static void read_state(struct item_view *it, int64_t seq, int64_t at_ms, int64_t status, int64_t now_ms)
{
	it->status = seq && status >= 0 && status < ITEM_STATUS_COUNT ? (enum item_status)status : ITEM_PENDING;
	it->status_seq = seq;
	it->status_ms = at_ms;
	if (!item_status_open(it->status))
		it->closed_ms = at_ms;
	it->overdue = item_status_open(it->status) && it->due_ms > 0 && now_ms > it->due_ms;
}

static void read_full(struct db_stmt *st, struct item_view *it, int64_t now_ms)
{
	json_t *result, *v;

	it->id = sq_text(st, 0);
	it->title = sq_text(st, 1);
	it->owner = sq_text(st, 2);
	it->module = sq_text(st, 3);
	it->env = sq_text(st, 4);
	it->severity = sq_text(st, 5);
	it->verify_kind = sq_text(st, 6);
	it->planned_change = sq_text(st, 7);
	it->due_ms = db_column_int(st, 8);
	it->definition = sq_json(st, 9);
	read_state(it, db_column_int(st, 10), db_column_int(st, 11), db_column_null(st, 12) ? -1 : db_column_int(st, 12),
		   now_ms);
	if (it->status_seq) {
		it->executor = sq_text(st, 13);
		it->note = sq_text(st, 14);
		if (!it->note) {
			json_t *data = sq_json(st, 15);
			const char *summary = json_string_value(json_object_get(data, "summary"));

			it->note = summary ? strdup(summary) : NULL;
			json_decref(data);
		}
		if (it->status == ITEM_SKIP)
			it->skip_reason = sq_text(st, 14);
	}
	it->n_events = (unsigned)db_column_int(st, 16);
	it->cycle = (unsigned)db_column_int(st, 17);
	it->change_id = sq_text(st, 18);
	it->duration_ms = -1;
	if (!db_column_null(st, 19)) {
		result = sq_json(st, 19);
		v = json_object_get(result, "duration_ms");
		if (json_is_number(v))
			it->duration_ms = (int64_t)json_number_value(v);
		v = json_object_get(result, "evidence");
		if (v)
			it->evidence = json_incref(v);
		json_decref(result);
	}
	it->delay_reason = sq_text(st, 20);
}

int store_load_items(struct store *s, int64_t run_id, int64_t now_ms, bool full, struct item_view **ret,
		     size_t *n, struct err *e)
{
	struct item_view *items = NULL;
	size_t cap = 0, count = 0;
	struct db_stmt *st;
	int r;

	r = sq_prepare(s, &st, e, full ? items_full_sql : items_light_sql, "i", run_id);
	if (r < 0)
		return r;
	while ((r = db_step(st, e)) > 0) {
		struct item_view *it;

		if (array_reserve(&items, &cap, count, sizeof(*items), 16) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		it = &items[count++];
		memset(it, 0, sizeof(*it));
		if (full) {
			read_full(st, it, now_ms);
		} else {
			it->id = sq_text(st, 0);
			it->due_ms = db_column_int(st, 1);
			it->duration_ms = -1;
			read_state(it, db_column_int(st, 2), db_column_int(st, 3),
				   db_column_null(st, 4) ? -1 : db_column_int(st, 4), now_ms);
		}
	}
	db_finalize(st);
	if (r < 0) {
		/* a view of only items releases them all */
		struct run_view v = { .items = items, .n_items = count };

		run_view_release(&v);
		return r;
	}
	*ret = items;
	*n = count;
	return 0;
}

static void count_items(const struct item_view *items, size_t n, unsigned count[ITEM_STATUS_COUNT],
			unsigned *n_overdue)
{
	for (size_t i = 0; i < n; i++) {
		count[items[i].status]++;
		*n_overdue += items[i].overdue;
	}
}

/* When run.close was appended (0: still open). */
static int run_closed_ms(struct store *s, int64_t run_id, int64_t *ret, struct err *e)
{
	int r = sq_int(s, ret, e,
		       /* item_id IS NULL (a run-level event) lets both engines seek
			* events_kind; without it SQLite walked the whole run in seq
			* order on events_run: 34 ms for a run of 100,000 events */
		       "SELECT at_ms FROM events WHERE run_id = ? AND kind = '" EV_RUN_CLOSE "' AND item_id IS NULL"
		       " ORDER BY seq LIMIT 1",
		       "i", run_id);

	if (r == 0)
		*ret = 0;
	return r < 0 ? r : 0;
}

static int load_run(struct store *s, int64_t run_id, int64_t now_ms, struct run_view *v, struct err *e)
{
	struct db_stmt *st;
	int r;

	r = sq_prepare(s, &st, e,
		       "SELECT name, source, env, owner, opened_by, host, parent_ticket, opened_ms, checklist"
		       " FROM runs WHERE id = ?",
		       "i", run_id);
	if (r < 0)
		return r;
	r = db_step(st, e);
	if (r > 0) {
		v->id = run_id;
		v->name = sq_text(st, 0);
		v->source = sq_text(st, 1);
		v->env = sq_text(st, 2);
		v->owner = sq_text(st, 3);
		v->opened_by = sq_text(st, 4);
		v->host = sq_text(st, 5);
		v->parent_ticket = sq_text(st, 6);
		v->opened_ms = db_column_int(st, 7);
		v->checklist = sq_json(st, 8);
		v->now_ms = now_ms;
	}
	db_finalize(st);
	if (r == 0)
		return err_set(e, -PF_ESTORE_CONFLICT, "no run %lld", (long long)run_id);
	if (r < 0)
		return r;
	r = run_closed_ms(s, run_id, &v->closed_ms, e);
	if (r == 0)
		r = sq_int(s, &v->last_seq, e, "SELECT MAX(seq) FROM events WHERE run_id = ?", "i", run_id) < 0 ? -EIO : 0;
	return r;
}

/* One item (item_id) of the run into v, or none when the run has no such item. */
static int load_one_item(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, struct run_view *v,
			 struct err *e)
{
	struct db_stmt *st;
	int r = sq_prepare(s, &st, e, item_full_sql, "it", run_id, item_id);

	if (r < 0)
		return r;
	r = db_step(st, e);
	if (r > 0) {
		v->items = calloc(1, sizeof(*v->items));
		if (!v->items) {
			r = err_set(e, -ENOMEM, "out of memory");
		} else {
			read_full(st, &v->items[0], now_ms);
			v->n_items = 1;
			r = 0;
		}
	}
	db_finalize(st);
	return r;
}

/* The run as of now_ms: every item and follow-up (item_id NULL), or that
 * one item alone. */
static int derive_view(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, struct run_view *ret,
		       struct err *e)
{
	struct run_view v = { 0 };
	bool own;
	int r;

	r = tx_enter(s, false, &own, e);
	if (r < 0)
		return r;
	r = load_run(s, run_id, now_ms, &v, e);
	if (r == 0 && item_id)
		r = load_one_item(s, run_id, item_id, now_ms, &v, e);
	if (r == 0 && !item_id)
		r = store_load_items(s, run_id, now_ms, true, &v.items, &v.n_items, e);
	if (r == 0 && !item_id)
		r = store_load_followups(s, run_id, 0, now_ms, &v.followups, &v.n_followups, e);
	r = (int)tx_leave(s, own, r, e);
	if (r < 0) {
		run_view_release(&v);
		return r;
	}
	for (size_t i = 0; i < v.n_items; i++)
		if (!v.items[i].status_seq)
			v.items[i].status_ms = v.opened_ms;   /* pending since the run opened */
	count_items(v.items, v.n_items, v.count, &v.n_overdue);
	*ret = v;
	return 0;
}

int store_run_view(struct store *s, int64_t run_id, int64_t now_ms, struct run_view *ret, struct err *e)
{
	return derive_view(s, run_id, NULL, now_ms, ret, e);
}

int store_item_view(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, struct run_view *ret,
		    struct err *e)
{
	return derive_view(s, run_id, item_id, now_ms, ret, e);
}

int64_t store_latest_run(struct store *s, struct err *e)
{
	int64_t id = 0;
	int r = sq_int(s, &id, e, "SELECT MAX(id) FROM runs", "");

	return r < 0 ? r : id;
}

/* A run's counts, from the light item query. */
static int summarize(struct store *s, int64_t run_id, int64_t now_ms, struct run_summary *sum, struct err *e)
{
	struct item_view *items = NULL;
	size_t n = 0;
	int r;

	r = store_load_items(s, run_id, now_ms, false, &items, &n, e);
	if (r < 0)
		return r;
	sum->n_items = (unsigned)n;
	count_items(items, n, sum->count, &sum->n_overdue);
	{
		struct run_view v = { .items = items, .n_items = n };

		run_view_release(&v);
	}
	return run_closed_ms(s, run_id, &sum->closed_ms, e);
}

int store_runs(struct store *s, int64_t now_ms, size_t limit, struct run_summary **ret, size_t *n, struct err *e)
{
	struct run_summary *runs = NULL;
	size_t cap = 0, count = 0;
	struct db_stmt *st = NULL;
	bool own;
	int r;

	r = tx_enter(s, false, &own, e);
	if (r < 0)
		return r;
	r = sq_prepare(s, &st, e, "SELECT id, name, env, owner, opened_by, opened_ms FROM runs ORDER BY id DESC LIMIT ?",
		       "i", limit ? (int64_t)limit : INT64_MAX);
	while (r >= 0 && (r = db_step(st, e)) > 0) {
		struct run_summary *sum;

		if (array_reserve(&runs, &cap, count, sizeof(*runs), 16) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		sum = &runs[count++];
		memset(sum, 0, sizeof(*sum));
		sum->id = db_column_int(st, 0);
		sum->name = sq_text(st, 1);
		sum->env = sq_text(st, 2);
		sum->owner = sq_text(st, 3);
		sum->opened_by = sq_text(st, 4);
		sum->opened_ms = db_column_int(st, 5);
	}
	db_finalize(st);
	/* PostgreSQL holds one result at a time per connection: the counts
	 * come after the list is read. */
	for (size_t i = 0; r >= 0 && i < count; i++)
		r = summarize(s, runs[i].id, now_ms, &runs[i], e);
	r = (int)tx_leave(s, own, r < 0 ? r : 0, e);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			run_summary_release(&runs[i]);
		free(runs);
		return r;
	}
	*ret = runs;
	*n = count;
	return 0;
}

/* Does any follow-up of the run remain open? */
static int followups_open(struct store *s, int64_t run_id, struct err *e)
{
	struct followup_view *f = NULL;
	size_t n = 0;
	int r, open = 0;

	r = store_load_followups(s, run_id, 0, 0, &f, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		open |= !f[i].closed;
		followup_view_release(&f[i]);
	}
	free(f);
	return open;
}

int store_open_runs(struct store *s, int64_t **ret, size_t *n, struct err *e)
{
	int64_t *ids = NULL, *out = NULL;
	size_t cap = 0, count = 0, kept = 0;
	struct db_stmt *st = NULL;
	bool own;
	int r;

	r = tx_enter(s, false, &own, e);
	if (r < 0)
		return r;
	/* not closed; those with an open item (pending, running, fail: an
	 * item without a status event is pending) sort first (flag 1) */
	r = sq_prepare(s, &st, e,
		       "SELECT r.id, CASE WHEN EXISTS (SELECT 1 FROM run_items i WHERE i.run_id = r.id AND"
		       " COALESCE((SELECT x.status FROM events x WHERE x.run_id = i.run_id AND x.item_id = i.item_id"
		       " AND x.status IS NOT NULL ORDER BY x.seq DESC LIMIT 1), 0) IN (0, 1, 3)) THEN 1 ELSE 0 END"
		       " FROM runs r WHERE NOT EXISTS (SELECT 1 FROM events c WHERE c.run_id = r.id"
		       " AND c.kind = '" EV_RUN_CLOSE "') ORDER BY r.id",
		       "");
	while (r >= 0 && (r = db_step(st, e)) > 0) {
		if (array_reserve(&ids, &cap, count + 1, sizeof(*ids), 32) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		/* pairs: id, has-open-item */
		ids[count++] = db_column_int(st, 0);
		ids[count++] = db_column_int(st, 1);
	}
	db_finalize(st);
	if (r >= 0 && count && !(out = calloc(count / 2, sizeof(*out))))
		r = err_set(e, -ENOMEM, "out of memory");
	for (size_t i = 0; r >= 0 && i < count; i += 2) {
		int open = ids[i + 1] ? 1 : followups_open(s, ids[i], e);

		if (open < 0)
			r = open;
		else if (open)
			out[kept++] = ids[i];
	}
	free(ids);
	r = (int)tx_leave(s, own, r < 0 ? r : 0, e);
	if (r < 0) {
		free(out);
		return r;
	}
	*ret = out;
	*n = kept;
	return 0;
}
