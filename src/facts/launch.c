/* launch: names of item statuses and the release functions of the
 * checklist loop's views (launch.h). */
#include <stdlib.h>
#include <string.h>

#include "facts/launch.h"

static const char *const status_names[ITEM_STATUS_COUNT] = {
	[ITEM_PENDING] = "pending",
	[ITEM_RUNNING] = "running",
	[ITEM_PASS] = "pass",
	[ITEM_FAIL] = "fail",
	[ITEM_SKIP] = "skip",
};

const char *item_status_name(enum item_status s)
{
	return (unsigned)s < ITEM_STATUS_COUNT ? status_names[s] : "unknown";
}

int item_status_parse(const char *name)
{
	for (int i = 0; name && i < ITEM_STATUS_COUNT; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

bool item_status_open(enum item_status s)
{
	return s == ITEM_PENDING || s == ITEM_RUNNING || s == ITEM_FAIL;
}

void event_release(struct event *ev)
{
	if (!ev)
		return;
	free(ev->item_id);
	free(ev->kind);
	free(ev->actor);
	free(ev->host);
	free(ev->reason);
	free(ev->change_id);
	json_decref(ev->data);
	memset(ev, 0, sizeof(*ev));
	ev->status = -1;
}

static void item_release(struct item_view *it)
{
	free(it->id);
	free(it->title);
	free(it->owner);
	free(it->module);
	free(it->env);
	free(it->severity);
	free(it->verify_kind);
	free(it->planned_change);
	json_decref(it->definition);
	free(it->executor);
	free(it->note);
	free(it->change_id);
	free(it->skip_reason);
	free(it->delay_reason);
	json_decref(it->evidence);
	memset(it, 0, sizeof(*it));
}

/* Declared in store/store.h (the store hands these out); plain data, so here. */
void followup_view_release(struct followup_view *f);

void followup_view_release(struct followup_view *f)
{
	if (!f)
		return;
	free(f->item_id);
	free(f->owner);
	free(f->summary);
	free(f->closed_by);
	free(f->rca);
	free(f->ticket);
	memset(f, 0, sizeof(*f));
}

void run_view_release(struct run_view *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->source);
	free(v->env);
	free(v->owner);
	free(v->opened_by);
	free(v->host);
	free(v->parent_ticket);
	json_decref(v->checklist);
	for (size_t i = 0; i < v->n_items; i++)
		item_release(&v->items[i]);
	free(v->items);
	for (size_t i = 0; i < v->n_followups; i++)
		followup_view_release(&v->followups[i]);
	free(v->followups);
	memset(v, 0, sizeof(*v));
}

void run_view_reclock(struct run_view *v, int64_t now_ms)
{
	v->now_ms = now_ms;
	v->n_overdue = 0;
	for (size_t i = 0; i < v->n_items; i++) {
		struct item_view *it = &v->items[i];

		it->overdue = item_status_open(it->status) && it->due_ms > 0 && now_ms > it->due_ms;
		v->n_overdue += it->overdue;
	}
	for (size_t i = 0; i < v->n_followups; i++) {
		struct followup_view *f = &v->followups[i];

		f->overdue = !f->closed && f->rca_due_ms > 0 && now_ms > f->rca_due_ms;
	}
}

struct item_view *run_view_item(const struct run_view *v, const char *id)
{
	for (size_t i = 0; id && i < v->n_items; i++)
		if (strcmp(v->items[i].id, id) == 0)
			return &v->items[i];
	return NULL;
}

void run_summary_release(struct run_summary *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->env);
	free(r->owner);
	free(r->opened_by);
	memset(r, 0, sizeof(*r));
}
