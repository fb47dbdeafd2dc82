/* scan: queueing the alerts the deadline engine finds, and follow-ups
 * (notify.h). A message is rendered when queued: its outbox payload is
 *   {"body": what to POST, "channel": {kind, format, url_env, url_file,
 *    secret_env, secret_file, rate_per_min}}   (names of secrets only)
 *   {"body": the Jira issue, "followup_id": N}  (kind "jira")
 * and its dedupe key is the alert's key + "@" + the channel's name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/deadline.h"
#include "notify/message.h"
#include "notify/notify.h"

#define MAX_CHANNELS 32

static json_t *channel_json(const struct notify_channel *c)
{
	json_t *o = json_pack("{s:s,s:s,s:i}", "kind", c->kind, "format", c->format, "rate_per_min",
			      (int)c->rate_per_min);
	const char *k[] = { "url_env", "url_file", "secret_env", "secret_file" };
	const char *v[] = { c->url_env, c->url_file, c->secret_env, c->secret_file };

	for (size_t i = 0; o && i < 4; i++)
		if (v[i])
			json_object_set_new(o, k[i], json_string(v[i]));
	return o;
}

static void alert_from(const struct run_view *v, const struct deadline_alert *d, const char *summary,
		       int64_t now_ms, struct notify_alert *a)
{
	const char *item_owner = NULL;

	memset(a, 0, sizeof(*a));
	a->id = d->key;
	a->stage = d->stage.name;
	a->reminder = d->stage.reminder;
	a->escalate = d->stage.escalate;
	a->run_id = v->id;
	a->run_name = v->name;
	a->env = v->env;
	a->item_id = d->item_id;
	a->item_title = d->item_title;
	a->followup_id = d->followup_id;
	a->summary = summary;
	a->due_ms = d->due_ms;
	a->now_ms = now_ms;
	notify_person_lookup(v->checklist, d->to, &a->to);
	notify_person_lookup(v->checklist, d->mention, &a->mention);
	item_owner = d->mention ? d->mention : d->to;
	notify_person_lookup(v->checklist, item_owner, &a->item_owner);
}

/* One message per channel for one alert: into the outbox, or (plan) into
 * an array. */
static int queue(struct store *s, const struct run_view *v, const struct deadline_alert *d, const char *summary,
		 int64_t now_ms, json_t *plan, struct notify_stats *st, struct err *e)
{
	const char *names[MAX_CHANNELS];
	size_t n = notify_alert_channels(v->checklist, names, MAX_CHANNELS);
	struct notify_alert a;
	int r = 0;

	alert_from(v, d, summary, now_ms, &a);
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct notify_channel c;
		struct outbox_msg m = { 0 };
		json_t *body;
		char key[1024];
		int64_t id;

		if (notify_channel_lookup(v->checklist, names[i], &c) < 0)
			continue;   /* the loader refuses unknown channels; an old run's checklist may still lack one */
		if (snprintf(key, sizeof(key), "%s@%s", d->key, c.name) >= (int)sizeof(key))
			return err_set(e, -E2BIG, "alert key '%.64s...' too long", d->key);
		a.id = key;   /* the message's stable id: the webhook's "id" and Idempotency-Key */
		body = notify_render(c.kind, c.format, &a);
		if (!body)
			continue;   /* a kind this preflight cannot send */
		if (plan) {
			json_array_append_new(plan, json_pack("{s:s,s:s,s:s,s:I,s:o,s:s,s:o}", "id", key, "channel",
							      c.name, "kind", c.kind, "run", (json_int_t)v->id, "item",
							      d->item_id ? json_string(d->item_id) : json_null(),
							      "stage", d->stage.name, "body", body));
			continue;
		}
		m.dedupe_key = key;
		m.channel = (char *)c.name;
		m.kind = (char *)c.kind;
		m.payload = json_pack("{s:o,s:o}", "body", body, "channel", channel_json(&c));
		m.run_id = v->id;
		m.item_id = (char *)d->item_id;
		m.created_ms = now_ms;
		m.next_attempt_ms = now_ms;
		m.state = "pending";
		if (!m.payload)
			return err_set(e, -ENOMEM, "out of memory");
		id = store_outbox_put(s, &m, e);
		json_decref(m.payload);
		if (id < 0)
			r = (int)id;
		else if (id > 0 && st)
			st->queued++;
	}
	return r;
}

static const char *followup_summary(const struct run_view *v, const struct deadline_alert *d)
{
	for (size_t i = 0; i < v->n_followups; i++)
		if (v->followups[i].id == d->followup_id)
			return v->followups[i].summary;
	return NULL;
}

static int scan_run(struct store *s, int64_t run_id, int64_t now_ms, json_t *plan, struct notify_stats *st,
		    struct err *e)
{
	struct run_view v;
	struct deadline_alert *a = NULL;
	size_t n = 0;
	int r = store_run_view(s, run_id, now_ms, &v, e);

	if (r < 0)
		return r;
	if (v.closed_ms) {
		run_view_release(&v);
		return 0;
	}
	r = deadline_alerts(&v, now_ms, &a, &n);
	if (r < 0)
		r = err_set(e, r, "out of memory");
	for (size_t i = 0; i < n && r >= 0; i++)
		r = queue(s, &v, &a[i], a[i].subject == DEADLINE_FOLLOWUP ? followup_summary(&v, &a[i]) : NULL, now_ms,
			  plan, st, e);
	deadline_alerts_free(a, n);
	run_view_release(&v);
	return r;
}

static int scan(struct store *s, int64_t run_id, int64_t now_ms, json_t *plan, struct notify_stats *st,
		struct err *e)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	if (run_id > 0)
		return scan_run(s, run_id, now_ms, plan, st, e);
	r = store_open_runs(s, &ids, &n, e);
	for (size_t i = 0; i < n && r >= 0; i++)
		r = scan_run(s, ids[i], now_ms, plan, st, e);
	free(ids);
	return r < 0 ? r : 0;
}

int notify_scan(struct store *s, int64_t run_id, int64_t now_ms, struct notify_stats *st, struct err *e)
{
	return scan(s, run_id, now_ms, NULL, st, e);
}

int notify_plan(struct store *s, int64_t run_id, int64_t now_ms, json_t **ret, struct err *e)
{
	json_t *plan = json_array();
	int r;

	*ret = NULL;
	if (!plan)
		return err_set(e, -ENOMEM, "out of memory");
	r = scan(s, run_id, now_ms, plan, NULL, e);
	if (r < 0) {
		json_decref(plan);
		return r;
	}
	*ret = plan;
	return 0;
}

int64_t notify_followup_open(struct store *s, const struct run_view *v, const struct item_view *it,
			     const char *summary, const char *actor, int64_t now_ms, struct err *e)
{
	struct deadline_policy p;
	struct deadline_alert d = { 0 };
	const char *owner = it->owner ? it->owner : v->owner;
	const json_t *jira = json_object_get(v->checklist, "jira");
	int64_t id;
	int r;

	deadline_policy_from_checklist(v->checklist, &p);
	id = store_followup_open(s, v->id, it->id, owner, now_ms + p.rca_due_ms, summary, actor, e);
	if (id <= 0)
		return id;
	d.subject = DEADLINE_FOLLOWUP;
	d.run_id = v->id;
	d.item_id = it->id;
	d.item_title = it->title;
	d.followup_id = id;
	d.due_ms = now_ms + p.rca_due_ms;
	d.to = owner;
	d.stage.reached = true;
	d.stage.since_ms = now_ms;
	snprintf(d.stage.name, sizeof(d.stage.name), "followup-open");
	if (!(d.key = deadline_followup_key(id, d.stage.name)))
		return err_set(e, -ENOMEM, "out of memory");
	r = queue(s, v, &d, summary, now_ms, NULL, NULL, e);
	if (r >= 0 && json_is_object(jira)) {
		struct notify_alert a;
		struct outbox_msg m = { 0 };
		json_t *body;
		char key[64];
		int64_t q;

		alert_from(v, &d, summary, now_ms, &a);
		body = notify_render_jira(jira, v->parent_ticket, &a);
		if (body) {
			snprintf(key, sizeof(key), "jira:followup:%lld", (long long)id);
			m.dedupe_key = key;
			m.channel = "jira";
			m.kind = "jira";
			m.payload = json_pack("{s:o,s:I}", "body", body, "followup_id", (json_int_t)id);
			m.run_id = v->id;
			m.item_id = it->id;
			m.created_ms = now_ms;
			m.next_attempt_ms = now_ms;
			m.state = "pending";
			q = m.payload ? store_outbox_put(s, &m, e) : err_set(e, -ENOMEM, "out of memory");
			json_decref(m.payload);
			if (q < 0)
				r = (int)q;
		}
	}
	free(d.key);
	return r < 0 ? r : id;
}
