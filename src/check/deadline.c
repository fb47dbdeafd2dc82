/* deadline: the stage each deadline of a run has reached (deadline.h). */
#include "check/deadline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"

/* A duration from the checklist JSON: seconds as a number, or a string
 * "30m" as the file wrote it. Returns false when absent or unusable. */
static bool json_duration_ms(const json_t *o, const char *k1, const char *k2, int64_t *ret)
{
	const json_t *v = json_object_get(o, k1);
	double s;

	if (!v)
		v = json_object_get(o, k2);
	if (json_is_number(v))
		s = json_number_value(v);
	else if (!json_is_string(v) || parse_duration(json_string_value(v), &s) < 0)
		return false;
	if (!(s >= 1 && s <= 366.0 * 86400))
		return false;
	*ret = (int64_t)(s * 1000);
	return true;
}

void deadline_policy_from_checklist(const json_t *checklist, struct deadline_policy *ret)
{
	const json_t *a = json_object_get(checklist, "alerts");
	const json_t *esc = json_object_get(a, "escalate_after");

	ret->remind_every_ms = DEADLINE_REMIND_EVERY_MS;
	ret->escalate_after = DEADLINE_ESCALATE_AFTER;
	ret->rca_due_ms = DEADLINE_RCA_DUE_MS;
	if (!json_is_object(a))
		return;
	json_duration_ms(a, "remind_every_s", "remind_every", &ret->remind_every_ms);
	json_duration_ms(a, "rca_due_s", "rca_due", &ret->rca_due_ms);
	if (json_is_integer(esc) && json_integer_value(esc) >= 0 && json_integer_value(esc) <= 1000)
		ret->escalate_after = (unsigned)json_integer_value(esc);
}

void deadline_stage_at(int64_t due_ms, int64_t now_ms, const struct deadline_policy *p, struct deadline_stage *ret)
{
	int64_t every = p->remind_every_ms > 0 ? p->remind_every_ms : DEADLINE_REMIND_EVERY_MS;
	int64_t n;

	memset(ret, 0, sizeof(*ret));
	/* overdue as the run view says it: strictly after the due time */
	if (due_ms <= 0 || now_ms <= due_ms)
		return;
	ret->reached = true;
	n = (now_ms - due_ms) / every;
	if (n >= (int64_t)p->escalate_after) {
		ret->escalate = true;
		ret->reminder = p->escalate_after;
		ret->since_ms = p->escalate_after ? due_ms + (int64_t)p->escalate_after * every : due_ms + 1;
		snprintf(ret->name, sizeof(ret->name), "escalate");
	} else if (n == 0) {
		ret->since_ms = due_ms + 1;
		snprintf(ret->name, sizeof(ret->name), "due");
	} else {
		ret->reminder = (unsigned)n;
		ret->since_ms = due_ms + n * every;
		snprintf(ret->name, sizeof(ret->name), "remind-%u", ret->reminder);
	}
}

/* Two passes of snprintf: the first sizes the key. */
#define KEY_PRINTF(ret, ...)                                                        \
	do {                                                                        \
		int len_ = snprintf(NULL, 0, __VA_ARGS__);                          \
		(ret) = len_ < 0 ? NULL : malloc((size_t)len_ + 1);                 \
		if (ret)                                                            \
			snprintf((ret), (size_t)len_ + 1, __VA_ARGS__);             \
	} while (0)

char *deadline_item_key(int64_t run_id, const char *item_id, unsigned cycle, const char *stage)
{
	char *k;

	KEY_PRINTF(k, "item:%lld:%s:%u:%s", (long long)run_id, item_id ? item_id : "", cycle, stage);
	return k;
}

char *deadline_followup_key(int64_t followup_id, const char *stage)
{
	char *k;

	KEY_PRINTF(k, "followup:%lld:%s", (long long)followup_id, stage);
	return k;
}

void deadline_alerts_free(struct deadline_alert *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i].key);
	free(a);
}

static void followup_stage(const struct followup_view *f, int64_t now_ms, const struct deadline_policy *p,
			   struct deadline_stage *st)
{
	char name[sizeof(st->name)];

	deadline_stage_at(f->rca_due_ms, now_ms, p, st);
	if (!st->reached) {
		if (now_ms < f->opened_ms)
			return;
		memset(st, 0, sizeof(*st));
		st->reached = true;
		st->since_ms = f->opened_ms;
		snprintf(st->name, sizeof(st->name), "followup-open");
		return;
	}
	snprintf(name, sizeof(name), "%s", st->name);
	snprintf(st->name, sizeof(st->name), "followup-%s", name);
}

int deadline_alerts(const struct run_view *v, int64_t now_ms, struct deadline_alert **ret, size_t *n)
{
	struct deadline_policy p;
	struct deadline_alert *a = calloc(v->n_items + v->n_followups + 1, sizeof(*a));
	size_t k = 0;

	*ret = NULL;
	*n = 0;
	if (!a)
		return -ENOMEM;
	deadline_policy_from_checklist(v->checklist, &p);
	for (size_t i = 0; i < v->n_items; i++) {
		const struct item_view *it = &v->items[i];
		struct deadline_alert *al = &a[k];

		if (!item_status_open(it->status))
			continue;
		deadline_stage_at(it->due_ms, now_ms, &p, &al->stage);
		if (!al->stage.reached)
			continue;
		al->subject = DEADLINE_ITEM;
		al->run_id = v->id;
		al->item_id = it->id;
		al->item_title = it->title;
		al->cycle = it->cycle;
		al->due_ms = it->due_ms;
		al->to = it->owner;
		if (al->stage.escalate && v->owner) {
			al->to = v->owner;
			if (it->owner && strcmp(it->owner, v->owner) != 0)
				al->mention = it->owner;
		}
		if (!(al->key = deadline_item_key(v->id, it->id, it->cycle, al->stage.name)))
			goto nomem;
		k++;
	}
	for (size_t i = 0; i < v->n_followups; i++) {
		const struct followup_view *f = &v->followups[i];
		struct deadline_alert *al = &a[k];
		const struct item_view *it;

		if (f->closed)
			continue;
		followup_stage(f, now_ms, &p, &al->stage);
		if (!al->stage.reached)
			continue;
		it = f->item_id ? run_view_item(v, f->item_id) : NULL;
		al->subject = DEADLINE_FOLLOWUP;
		al->run_id = v->id;
		al->item_id = f->item_id;
		al->item_title = it ? it->title : NULL;
		al->followup_id = f->id;
		al->due_ms = f->rca_due_ms;
		al->to = f->owner;
		if (al->stage.escalate && v->owner) {
			al->to = v->owner;
			if (f->owner && strcmp(f->owner, v->owner) != 0)
				al->mention = f->owner;
		}
		if (!(al->key = deadline_followup_key(f->id, al->stage.name)))
			goto nomem;
		k++;
	}
	*ret = a;
	*n = k;
	return 0;
nomem:
	deadline_alerts_free(a, k);
	return -ENOMEM;
}
