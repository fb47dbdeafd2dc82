/* store_followup: follow-up tasks of failed items. The row holds what was
 * known at opening; closing (with the RCA) and the Jira ticket are events
 * (followup.close, followup.ticket: item_id the item, data.followup_id
 * the follow-up), read back here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "store/store_internal.h"

int64_t store_followup_open(struct store *s, int64_t run_id, const char *item_id, const char *owner,
			    int64_t rca_due_ms, const char *summary, const char *actor, struct err *e)
{
	struct event ev = { .status = -1 };
	int64_t id = 0, now = store_now_ms(), r;
	bool own;

	if (!item_id)
		return err_set(e, -EINVAL, "a follow-up needs an item");
	r = tx_enter(s, true, &own, e);
	if (r < 0)
		return r;
	r = sq_int(s, &id, e, "SELECT 1 FROM run_items WHERE run_id = ? AND item_id = ?", "it", run_id, item_id);
	if (r == 0)
		r = err_set(e, -PF_ESTORE_CONFLICT, "run %lld has no item '%s'", (long long)run_id, item_id);
	if (r > 0)
		r = sq_int(s, &id, e,
			   "INSERT INTO followups (run_id, item_id, owner, opened_ms, rca_due_ms, summary)"
			   " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			   "ittiit", run_id, item_id, owner, now, rca_due_ms, summary);
	if (r > 0) {
		ev.at_ms = now;
		ev.run_id = run_id;
		ev.item_id = (char *)item_id;
		ev.kind = EV_FOLLOWUP_OPEN;
		ev.actor = (char *)actor;
		ev.host = s->host;
		ev.reason = (char *)summary;
		ev.data = json_pack("{s:I, s:s?, s:I}", "followup_id", (json_int_t)id, "owner", owner, "rca_due_ms",
				    (json_int_t)rca_due_ms);
		r = ev.data ? store_append_raw(s, &ev, e) : err_set(e, -ENOMEM, "out of memory");
		json_decref(ev.data);
	}
	return tx_leave(s, own, r < 0 ? r : id, e);
}

/* Applies one followup.close / followup.ticket event to the follow-up it names. */
static void apply(struct followup_view *f, size_t n, struct db_stmt *st)
{
	json_t *data = sq_json(st, 4);
	int64_t fid = (int64_t)json_integer_value(json_object_get(data, "followup_id"));
	const char *kind = db_column_text(st, 0), *key;

	for (size_t i = 0; i < n; i++) {
		if (f[i].id != fid)
			continue;
		if (strcmp(kind, EV_FOLLOWUP_CLOSE) == 0) {
			f[i].closed = true;
			f[i].closed_ms = db_column_int(st, 1);
			free(f[i].closed_by);
			f[i].closed_by = sq_text(st, 2);
			free(f[i].rca);
			f[i].rca = sq_text(st, 3);
		} else if ((key = json_string_value(json_object_get(data, "key")))) {
			free(f[i].ticket);
			f[i].ticket = strdup(key);
		}
	}
	json_decref(data);
}

int store_load_followups(struct store *s, int64_t run_id, int64_t fid, int64_t now_ms, struct followup_view **ret,
			 size_t *n, struct err *e)
{
	struct followup_view *f = NULL;
	size_t cap = 0, count = 0;
	struct db_stmt *st = NULL;
	int r;

	if (fid)
		r = sq_prepare(s, &st, e,
			       "SELECT id, run_id, item_id, owner, opened_ms, rca_due_ms, summary FROM followups WHERE id = ?",
			       "i", fid);
	else
		r = sq_prepare(s, &st, e,
			       "SELECT id, run_id, item_id, owner, opened_ms, rca_due_ms, summary FROM followups"
			       " WHERE run_id = ? ORDER BY id",
			       "i", run_id);
	while (r >= 0 && (r = db_step(st, e)) > 0) {
		struct followup_view *v;

		if (array_reserve(&f, &cap, count, sizeof(*f), 4) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		v = &f[count++];
		memset(v, 0, sizeof(*v));
		v->id = db_column_int(st, 0);
		v->run_id = db_column_int(st, 1);
		v->item_id = sq_text(st, 2);
		v->owner = sq_text(st, 3);
		v->opened_ms = db_column_int(st, 4);
		v->rca_due_ms = db_column_int(st, 5);
		v->summary = sq_text(st, 6);
	}
	db_finalize(st);
	st = NULL;
	if (r >= 0 && count) {
		r = sq_prepare(s, &st, e,
			       "SELECT kind, at_ms, actor, reason, data FROM events WHERE run_id = ?"
			       " AND kind IN ('" EV_FOLLOWUP_CLOSE "', '" EV_FOLLOWUP_TICKET "') ORDER BY seq",
			       "i", f[0].run_id);
		while (r >= 0 && (r = db_step(st, e)) > 0)
			apply(f, count, st);
		db_finalize(st);
	}
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			followup_view_release(&f[i]);
		free(f);
		return r;
	}
	for (size_t i = 0; i < count; i++)
		f[i].overdue = !f[i].closed && f[i].rca_due_ms > 0 && now_ms > f[i].rca_due_ms;
	*ret = f;
	*n = count;
	return 0;
}

int store_followup_get(struct store *s, int64_t id, int64_t now_ms, struct followup_view *ret, struct err *e)
{
	struct followup_view *f = NULL;
	size_t n = 0;
	bool own;
	int r;

	r = tx_enter(s, false, &own, e);
	if (r < 0)
		return r;
	r = store_load_followups(s, 0, id, now_ms, &f, &n, e);
	r = (int)tx_leave(s, own, r, e);
	if (r < 0)
		return r;
	if (!n) {
		free(f);
		return err_set(e, -PF_ESTORE_CONFLICT, "no follow-up %lld", (long long)id);
	}
	*ret = f[0];
	free(f);
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct followup_view *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Appends the follow-ups of run_id to *all (count *n, capacity *cap). */
static int gather(struct store *s, int64_t run_id, int64_t now_ms, struct followup_view **all, size_t *n,
		  size_t *cap, struct err *e)
{
	struct followup_view *f = NULL;
	size_t m = 0;
	int r = store_load_followups(s, run_id, 0, now_ms, &f, &m, e);

	if (r < 0)
		return r;
	if (m && array_reserve(all, cap, *n + m - 1, sizeof(**all), m) < 0) {
		for (size_t i = 0; i < m; i++)
			followup_view_release(&f[i]);
		free(f);
		return err_set(e, -ENOMEM, "out of memory");
	}
	if (m)
		memcpy(*all + *n, f, m * sizeof(*f));
	*n += m;
	free(f);
	return 0;
}

int store_followups(struct store *s, int64_t run_id, bool open_only, int64_t now_ms, struct followup_view **ret,
		    size_t *n, struct err *e)
{
	struct followup_view *all = NULL;
	size_t count = 0, cap = 0, kept = 0;
	int64_t *runs = NULL;
	size_t n_runs = 0, runs_cap = 0;
	struct db_stmt *st = NULL;
	bool own;
	int r;

	r = tx_enter(s, false, &own, e);
	if (r < 0)
		return r;
	if (run_id) {
		r = gather(s, run_id, now_ms, &all, &count, &cap, e);
	} else {
		r = sq_prepare(s, &st, e, "SELECT DISTINCT run_id FROM followups ORDER BY run_id", "");
		while (r >= 0 && (r = db_step(st, e)) > 0) {
			if (array_reserve(&runs, &runs_cap, n_runs, sizeof(*runs), 16) < 0) {
				r = err_set(e, -ENOMEM, "out of memory");
				break;
			}
			runs[n_runs++] = db_column_int(st, 0);
		}
		if (st)
			db_finalize(st);
		for (size_t i = 0; r >= 0 && i < n_runs; i++)
			r = gather(s, runs[i], now_ms, &all, &count, &cap, e);
		free(runs);
	}
	r = (int)tx_leave(s, own, r, e);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			followup_view_release(&all[i]);
		free(all);
		return r;
	}
	for (size_t i = 0; i < count; i++) {
		if (open_only && all[i].closed)
			followup_view_release(&all[i]);
		else
			all[kept++] = all[i];
	}
	if (kept > 1)
		qsort(all, kept, sizeof(*all), by_id);
	*ret = all;
	*n = kept;
	return 0;
}
