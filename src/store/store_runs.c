/* store_runs: opening a run: its definition rows and run.open. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static const char *item_str(json_t *item, const char *key)
{
	return json_string_value(json_object_get(item, key));
}

static int insert_item(struct store *s, int64_t run_id, size_t pos, json_t *item, struct err *e)
{
	const char *id = item_str(item, "id"), *title = item_str(item, "title"), *kind = item_str(item, "verify_kind");
	json_t *def = json_object_get(item, "definition");
	char *deftext;
	int r;

	if (!id || !id[0] || !title || !kind)
		return err_set(e, -EINVAL, "run item %zu: needs \"id\", \"title\" and \"verify_kind\"", pos + 1);
	deftext = json_dumps(def ? def : item, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!deftext)
		return err_set(e, -ENOMEM, "out of memory");
	r = sq_exec(s, e,
		    "INSERT INTO run_items (run_id, item_id, position, title, owner, module, env, severity,"
		    " verify_kind, planned_change, due_ms, definition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ititttttttit", run_id, id, (int64_t)pos, title, item_str(item, "owner"), item_str(item, "module"),
		    item_str(item, "env"), item_str(item, "severity"), kind, item_str(item, "change"),
		    (int64_t)json_integer_value(json_object_get(item, "due_ms")), deftext);
	free(deftext);
	return r;
}

int64_t store_run_create(struct store *s, const struct run_open *o, struct err *e)
{
	struct event ev = { .status = -1 };
	json_t *empty = json_object();
	char *checklist;
	int64_t id = 0;
	bool own;
	int r;

	if (!o->name || !o->name[0])
		return json_decref(empty), err_set(e, -EINVAL, "a run needs a name");
	if (o->items && !json_is_array(o->items))
		return json_decref(empty), err_set(e, -EINVAL, "a run's items must be an array");
	checklist = json_dumps(o->checklist ? o->checklist : empty, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(empty);
	if (!checklist)
		return err_set(e, -ENOMEM, "out of memory");
	r = tx_enter(s, true, &own, e);
	if (r < 0) {
		free(checklist);
		return r;
	}
	r = sq_int(s, &id, e,
		   "INSERT INTO runs (name, source, env, owner, opened_by, host, parent_ticket, opened_ms, checklist)"
		   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		   "tttttttit", o->name, o->source, o->env, o->owner, o->opened_by, o->host ? o->host : s->host,
		   o->parent_ticket, o->opened_ms ? o->opened_ms : store_now_ms(), checklist);
	free(checklist);
	if (r == 0)
		r = err_set(e, -EIO, "store '%s': insert returned no run id", s->name);
	for (size_t i = 0; r > 0 && i < json_array_size(o->items); i++) {
		int ri = insert_item(s, id, i, json_array_get(o->items, i), e);

		if (ri < 0)
			r = ri;
	}
	if (r > 0) {
		ev.run_id = id;
		ev.kind = EV_RUN_OPEN;
		ev.at_ms = o->opened_ms;
		ev.actor = (char *)(o->opened_by ? o->opened_by : "preflight");
		ev.host = (char *)(o->host ? o->host : s->host);
		ev.data = json_pack("{s:s, s:s?, s:s?, s:I}", "name", o->name, "source", o->source, "env", o->env,
				    "items", (json_int_t)json_array_size(o->items));
		if (!ev.data)
			r = err_set(e, -ENOMEM, "out of memory");
		else
			r = store_append_raw(s, &ev, e) < 0 ? -EIO : 1;
		json_decref(ev.data);
	}
	return tx_leave(s, own, r < 0 ? r : id, e);
}
