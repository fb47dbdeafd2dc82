/* The json format of a run: the stable contract of docs/launch-report.md.
 * Keys come in the documented order; within a major version fields are
 * added, never renamed or removed. Every time is RFC 3339 UTC or null,
 * every duration an integer number of milliseconds or null; outside text
 * keeps its exact characters (jansson escapes it; bytes that are not
 * UTF-8 become U+FFFD). */
#include "report/launch_common.h"

#include <errno.h>

#include "base/json_text.h"
#include "report/json_out.h"

/* Adds key = v (stolen); false when v is NULL (memory ran out) so one
 * failed allocation fails the whole document. */
static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

json_t *launch_time_json(int64_t ms)
{
	char b[32];

	if (!ms)
		return json_null();
	launch_time_rfc3339(ms, b, sizeof(b));
	return *b ? json_string(b) : json_null();
}

static json_t *ms_json(int64_t ms)
{
	return ms >= 0 ? json_integer((json_int_t)ms) : json_null();
}

json_t *launch_run_json(const struct run_view *v)
{
	json_t *o = json_object();
	bool ok = o && put(o, "id", json_integer((json_int_t)v->id)) && put(o, "name", json_text(v->name)) &&
		  put(o, "source", json_text(v->source)) && put(o, "env", json_text(v->env)) &&
		  put(o, "owner", json_text(v->owner)) && put(o, "opened_by", json_text(v->opened_by)) &&
		  put(o, "host", json_text(v->host)) && put(o, "parent_ticket", json_text(v->parent_ticket)) &&
		  put(o, "opened_at", launch_time_json(v->opened_ms)) && put(o, "closed_at", launch_time_json(v->closed_ms)) &&
		  put(o, "as_of", launch_time_json(v->now_ms)) && put(o, "last_seq", json_integer((json_int_t)v->last_seq));

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *summary_json(const struct launch_sel *s)
{
	json_t *o = json_object();
	bool ok = o && put(o, "items", json_integer((json_int_t)s->n));

	for (int st = 0; ok && st < ITEM_STATUS_COUNT; st++)
		ok = put(o, item_status_name((enum item_status)st), json_integer(s->count[st]));
	ok = ok && put(o, "overdue", json_integer(s->n_overdue)) &&
	     put(o, "followups_open", json_integer(s->followups_open)) &&
	     put(o, "followups_overdue", json_integer(s->followups_overdue)) &&
	     put(o, "filtered", json_boolean(s->filtered));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *launch_item_json(const struct run_view *v, const struct item_view *it)
{
	json_t *o = json_object();
	bool ok = o && put(o, "id", json_text(it->id)) && put(o, "title", json_text(it->title)) &&
		  put(o, "owner", json_text(it->owner)) && put(o, "module", json_text(it->module)) &&
		  put(o, "env", json_text(it->env)) && put(o, "severity", json_text(it->severity)) &&
		  put(o, "verify", json_text(it->verify_kind)) && put(o, "due", launch_time_json(it->due_ms)) &&
		  put(o, "status", json_string(item_status_name(it->status))) &&
		  put(o, "status_at", launch_time_json(it->status_seq ? it->status_ms : 0)) &&
		  put(o, "executor", json_text(it->status_seq ? it->executor : NULL)) &&
		  put(o, "elapsed_ms", ms_json(it->duration_ms)) && put(o, "note", json_text(it->note)) &&
		  put(o, "change", json_text(launch_item_change(it))) &&
		  put(o, "planned_change", json_text(it->planned_change)) &&
		  put(o, "skip_reason", json_text(it->status == ITEM_SKIP ? it->skip_reason : NULL)) &&
		  put(o, "delay_reason", json_text(it->delay_reason)) && put(o, "overdue", json_boolean(it->overdue)) &&
		  put(o, "overdue_ms", it->overdue ? ms_json(launch_item_late_ms(v, it)) : json_null()) &&
		  put(o, "evidence", it->evidence ? json_incref(it->evidence) : json_null()) &&
		  put(o, "closed_at", launch_time_json(item_status_open(it->status) ? 0 : it->closed_ms)) &&
		  put(o, "time_to_close_ms", ms_json(launch_item_close_ms(v, it))) &&
		  put(o, "cycle", json_integer(it->cycle));

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *launch_followup_json(const struct followup_view *f)
{
	json_t *o = json_object();
	bool ok = o && put(o, "id", json_integer((json_int_t)f->id)) && put(o, "item", json_text(f->item_id)) &&
		  put(o, "owner", json_text(f->owner)) && put(o, "summary", json_text(f->summary)) &&
		  put(o, "status", json_string(f->closed ? "closed" : "open")) &&
		  put(o, "opened_at", launch_time_json(f->opened_ms)) && put(o, "rca_due", launch_time_json(f->rca_due_ms)) &&
		  put(o, "overdue", json_boolean(f->overdue)) && put(o, "closed_at", launch_time_json(f->closed_ms)) &&
		  put(o, "closed_by", json_text(f->closed_by)) && put(o, "rca", json_text(f->rca)) &&
		  put(o, "ticket", json_text(f->ticket));

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *launch_to_json(const struct launch_sel *s, const struct launch_render_opts *o)
{
	json_t *doc = json_object(), *items = json_array(), *fus = json_array();
	bool ok = doc && items && fus;

	for (size_t i = 0; ok && i < s->n; i++)
		ok = json_array_append_new(items, launch_item_json(s->v, s->items[i])) == 0;
	for (size_t i = 0; ok && i < s->n_followups; i++)
		ok = json_array_append_new(fus, launch_followup_json(s->followups[i])) == 0;
	ok = ok && put(doc, "preflight_version", json_text(o->preflight_version)) &&
	     put(doc, "run", launch_run_json(s->v)) && put(doc, "summary", summary_json(s)) &&
	     put(doc, "items", json_incref(items)) && put(doc, "followups", json_incref(fus));
	json_decref(items);
	json_decref(fus);
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int launch_json(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	json_t *doc = launch_to_json(s, o);
	int ret;

	if (!doc)
		return -ENOMEM;
	ret = json_out_dump(doc, out);
	json_decref(doc);
	return ret;
}

json_t *launch_event_json(const struct event *ev)
{
	json_t *o = json_object();
	bool ok = o && put(o, "seq", json_integer((json_int_t)ev->seq)) && put(o, "at", launch_time_json(ev->at_ms)) &&
		  put(o, "run", json_integer((json_int_t)ev->run_id)) && put(o, "item", json_text(ev->item_id)) &&
		  put(o, "kind", json_text(ev->kind)) &&
		  put(o, "status", ev->status >= 0 && ev->status < ITEM_STATUS_COUNT
					   ? json_string(item_status_name((enum item_status)ev->status))
					   : json_null()) &&
		  put(o, "actor", json_text(ev->actor)) && put(o, "host", json_text(ev->host)) &&
		  put(o, "reason", json_text(ev->reason)) && put(o, "change", json_text(ev->change_id)) &&
		  put(o, "data", ev->data ? json_incref(ev->data) : json_object());

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}
