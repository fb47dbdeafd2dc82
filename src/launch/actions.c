/* actions: the transitions a person makes, for every caller (actions.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "launch/actions.h"
#include "notify/notify.h"

struct action_def {
	const char *name;
	const char *kind;           /* EV_* */
	enum item_status to;
	const char *verb;           /* for messages: "confirming" */
};

static const struct action_def action_defs[] = {
	[LAUNCH_CONFIRM] = { "confirm", EV_ITEM_CONFIRM, ITEM_PASS, "confirming" },
	[LAUNCH_FAIL] = { "fail", EV_ITEM_FAIL, ITEM_FAIL, "failing" },
	[LAUNCH_SKIP] = { "skip", EV_ITEM_SKIP, ITEM_SKIP, "skipping" },
	[LAUNCH_REOPEN] = { "reopen", EV_ITEM_REOPEN, ITEM_PENDING, "reopening" },
};

const char *launch_action_name(enum launch_action a)
{
	return (unsigned)a < sizeof(action_defs) / sizeof(action_defs[0]) ? action_defs[a].name : "?";
}

int launch_action_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(action_defs) / sizeof(action_defs[0]); i++)
		if (!strcmp(name, action_defs[i].name))
			return (int)i;
	return -1;
}

int launch_text_check(const char *name, const char *text, size_t max, bool multiline, struct err *e)
{
	size_t n = text ? strlen(text) : 0;

	if (!n)
		return err_set(e, -PF_ELAUNCH_INVALID, "%s needs a non-empty value", name);
	if (n > max)
		return err_set(e, -PF_ELAUNCH_INVALID, "%s is %zu bytes long; at most %zu are kept", name, n, max);
	if (!utf8_valid(text, n))
		return err_set(e, -PF_ELAUNCH_INVALID, "%s is not valid UTF-8", name);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\t' && !(multiline && c == '\n')) || c == 0x7f)
			return err_set(e, -PF_ELAUNCH_INVALID, "%s holds a control character (byte %zu)%s", name, i + 1,
				       multiline ? "" : "; it is one line");
	}
	return 0;
}

/* "1h 5m", "3m", "42s" */
static void format_span(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(buf, len, "%" PRId64 "d %" PRId64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRId64 "h %" PRId64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRId64 "m", s / 60);
	else
		snprintf(buf, len, "%" PRId64 "s", s);
}

static void format_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%" PRId64, ms);
}

/* Whether the action may be taken on it now; fills e and returns a code when not. */
static int transition_allowed(const struct action_def *act, const struct launch_act *a, const struct run_view *v,
			      const struct item_view *it, int64_t now_ms, struct err *e)
{
	const char *from = item_status_name(it->status);
	const char *by = it->executor ? it->executor : "";
	bool has_by = it->executor != NULL;

	if (v->closed_ms)
		return err_set(e, -PF_ELAUNCH_REFUSED, "run %" PRId64 " is closed; nothing more is recorded in it",
			       v->id);
	if (act->to == it->status)
		return err_set(e, -PF_ELAUNCH_REFUSED, "item '%s' of run %" PRId64 " is already %s%s%s%s", it->id,
			       v->id, from, has_by ? " (by " : "", by, has_by ? ")" : "");
	if (act->to == ITEM_PENDING)
		return 0;   /* reopen: from anything else */
	if (it->status == ITEM_RUNNING)
		return err_set(e, -PF_ELAUNCH_REFUSED, "item '%s' of run %" PRId64 " is running (an automatic "
			       "verification began%s%s); wait for its result, or reopen it if that process is gone",
			       it->id, v->id, has_by ? " by " : "", by);
	if (!item_status_open(it->status))
		return err_set(e, -PF_ELAUNCH_REFUSED, "item '%s' of run %" PRId64 " is already %s%s%s%s; reopen it "
			       "first ('preflight item reopen %" PRId64 " %s')", it->id, v->id, from,
			       has_by ? " (by " : "", by, has_by ? ")" : "", v->id, it->id);
	if (it->due_ms && now_ms > it->due_ms && !a->reason) {
		char due[32], late[32];

		format_time(it->due_ms, due, sizeof(due));
		format_span(now_ms - it->due_ms, late, sizeof(late));
		return err_set(e, -PF_ELAUNCH_INVALID, "item '%s' of run %" PRId64 " was due %s (%s ago); %s it now "
			       "needs %s, the reason for the delay", it->id, v->id, due, late, act->verb,
			       a->reason_hint ? a->reason_hint : "a reason");
	}
	return 0;
}

static int check_request(const struct launch_act *a, struct err *e)
{
	bool cli = a->reason_hint && a->reason_hint[0] == '-';
	int r;

	if ((unsigned)a->action >= sizeof(action_defs) / sizeof(action_defs[0]))
		return err_set(e, -PF_ELAUNCH_INVALID, "not an action; give confirm, fail, skip or reopen");
	if (!a->actor)
		return err_set(e, -PF_ELAUNCH_INVALID, "%s needs %s: who acts is part of the record",
			       action_defs[a->action].name, cli ? "--by NAME" : "who acts");
	if (a->action == LAUNCH_SKIP && !a->reason)
		return err_set(e, -PF_ELAUNCH_INVALID, "skip needs %s: why the item is not done",
			       a->reason_hint ? a->reason_hint : "a reason");
	r = launch_text_check(cli ? "--by" : "by", a->actor, LAUNCH_MAX_ACTOR, false, e);
	if (r >= 0 && a->reason)
		r = launch_text_check(cli ? "--reason" : "reason", a->reason, LAUNCH_MAX_REASON, true, e);
	if (r >= 0 && a->change)
		r = launch_text_check(cli ? "--change" : "change", a->change, LAUNCH_MAX_CHANGE, false, e);
	return r;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int launch_act_item(struct store *s, const struct launch_act *a, struct launch_act_result *ret, struct err *e)
{
	return launch_act_item_at(s, a, -1, ret, e);
}

int launch_act_item_at(struct store *s, const struct launch_act *a, int64_t now_ms, struct launch_act_result *ret,
		       struct err *e)
{
	const struct action_def *act;
	struct run_view v = { 0 };
	struct event ev = { 0 };
	struct item_view *it;
	int64_t seq, followup = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = check_request(a, e);
	if (r < 0)
		return r;
	act = &action_defs[a->action];
	/* Check and append in one transaction: what the rule looked at is
	 * what the event changes. The clock is read inside it. */
	r = store_begin_write(s, e);
	if (r < 0)
		return r;
	if (now_ms < 0)
		now_ms = wall_ms();
	r = store_run_view(s, a->run_id, now_ms, &v, e);
	if (r == -PF_ESTORE_CONFLICT)
		r = err_set(e, -PF_ELAUNCH_NOTFOUND, "no run %" PRId64 " in '%s'", a->run_id, store_name(s));
	if (r < 0)
		goto out;
	it = run_view_item(&v, a->item_id);
	if (!it) {
		char known[512];

		launch_suggest_items(&v, a->item_id, known, sizeof(known), 8);
		r = err_set(e, -PF_ELAUNCH_NOTFOUND, "run %" PRId64 " has no item '%s'; its items: %s", v.id,
			    a->item_id, v.n_items ? known : "(none)");
		goto out;
	}
	r = transition_allowed(act, a, &v, it, now_ms, e);
	if (r < 0)
		goto out;
	ret->from = it->status;
	ret->to = act->to;

	ev.at_ms = now_ms;
	ev.run_id = v.id;
	ev.item_id = it->id;
	ev.kind = (char *)act->kind;
	ev.status = (int)act->to;
	ev.actor = (char *)a->actor;
	ev.reason = (char *)a->reason;
	ev.change_id = (char *)a->change;
	ev.data = json_pack("{s:s}", "from", item_status_name(it->status));
	r = -ENOMEM;
	if (!ev.data || (a->via && json_object_set_new(ev.data, "via", json_string(a->via)) < 0))
		goto oom;
	/* Acting after the due time: the reason given is the delay's, and the
	 * event says how late, so the report need not recompute it. */
	if (act->to != ITEM_PENDING && it->due_ms && now_ms > it->due_ms &&
	    json_object_set_new(ev.data, "late_ms", json_integer(now_ms - it->due_ms)) < 0)
		goto oom;
	seq = store_append(s, &ev, e);
	if (seq < 0) {
		r = (int)seq;
		goto out;
	}
	ret->seq = seq;
	if (act->to == ITEM_FAIL) {
		/* the whole reason (checked: UTF-8, at most 4000 bytes) */
		const char *summary = a->reason ? a->reason : "failed by a person";
		struct run_view after = { 0 };
		struct item_view *failed;

		/* The follow-up reads the item as it now is (failed). */
		r = store_run_view(s, v.id, now_ms, &after, e);
		failed = r < 0 ? NULL : run_view_item(&after, it->id);
		followup = failed ? notify_followup_open(s, &after, failed, summary, a->actor, now_ms, e) : r;
		run_view_release(&after);
		if (followup < 0) {
			r = (int)followup;
			goto out;
		}
		ret->followup_id = followup;
	}
	r = store_commit(s, e);
	json_decref(ev.data);
	run_view_release(&v);
	return r < 0 ? r : 0;
oom:
	err_set(e, -ENOMEM, "out of memory");
out:
	store_rollback(s);
	json_decref(ev.data);
	run_view_release(&v);
	return r;
}

int64_t launch_close_followup(struct store *s, int64_t id, const char *rca, const char *actor, const char *via,
			      int64_t now_ms, struct err *e)
{
	struct followup_view f = { 0 };
	struct event ev = { 0 };
	int64_t seq;
	int r;

	if (!rca)
		return err_set(e, -PF_ELAUNCH_INVALID, "closing a follow-up needs its RCA: the root cause");
	if (!actor)
		return err_set(e, -PF_ELAUNCH_INVALID, "closing a follow-up needs who closes it");
	r = launch_text_check("by", actor, LAUNCH_MAX_ACTOR, false, e);
	if (r >= 0)
		r = launch_text_check("rca", rca, LAUNCH_MAX_REASON, true, e);
	if (r < 0)
		return r;
	r = store_begin_write(s, e);
	if (r < 0)
		return r;
	if (now_ms < 0)
		now_ms = wall_ms();
	r = store_followup_get(s, id, now_ms, &f, e);
	if (r == -PF_ESTORE_CONFLICT)
		r = err_set(e, -PF_ELAUNCH_NOTFOUND, "no follow-up %" PRId64 " in '%s'", id, store_name(s));
	else if (r >= 0 && f.closed)
		r = err_set(e, -PF_ELAUNCH_REFUSED, "follow-up %" PRId64 " is already closed (by %s)", id,
			    f.closed_by ? f.closed_by : "someone");
	if (r < 0)
		goto out;
	ev.at_ms = now_ms;
	ev.run_id = f.run_id;
	ev.item_id = f.item_id;
	ev.kind = EV_FOLLOWUP_CLOSE;
	ev.status = -1;
	ev.actor = (char *)actor;
	ev.reason = (char *)rca;
	ev.data = json_pack("{s:I}", "followup_id", (json_int_t)id);
	if (!ev.data || (via && json_object_set_new(ev.data, "via", json_string(via)) < 0)) {
		r = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	seq = store_append(s, &ev, e);
	if (seq < 0) {
		r = (int)seq;
		goto out;
	}
	r = store_commit(s, e);
	json_decref(ev.data);
	followup_view_release(&f);
	return r < 0 ? r : seq;
out:
	store_rollback(s);
	json_decref(ev.data);
	followup_view_release(&f);
	return r;
}

