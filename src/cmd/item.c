/* preflight item confirm|fail|skip|reopen RUN ITEM: a person's transition
 * of one item of a run, appended to the store's event log (docs/launch.md,
 * "Acting on an item").
 *
 * The rule is checked and the event appended in one write transaction, so
 * two people acting on one item at the same moment end in one consistent
 * state: the second sees what the first did and is told, instead of both
 * "winning".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/launch_common.h"
#include "notify/notify.h"

struct item_args {
	const char *by, *reason, *change, *db;
};

#define A(field) offsetof(struct item_args, field)
static const struct opt item_opts[] = {
	OPT_BY_ENTRY(struct item_args, by, "who acts (required): the name the report shows as the item's executor"),
	{ .type = OPT_STRING, .long_name = "reason", .arg_name = "TEXT",
	  .help = "why: required to skip, and to confirm, fail or skip an item past its due time (the delay "
		  "reason); a failure's reason is its follow-up's summary",
	  .off = A(reason) },
	{ .type = OPT_STRING, .long_name = "change", .arg_name = "ID",
	  .help = "the change ticket this action belongs to, such as DEP-1234", .off = A(change) },
	OPT_DB_ENTRY(struct item_args, db),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_item_spec = {
	.name = "item",
	.summary = "confirm, fail, skip or reopen an item of a checklist run",
	.synopsis = "confirm|fail|skip|reopen RUN ITEM --by NAME [--reason TEXT] [--change ID] [options]",
	.description = "Records a person's verdict on one item of a run opened by 'preflight run'. confirm marks it "
		       "passed, fail marks it failed and opens its follow-up (an RCA due in 2 h by default), skip "
		       "closes it without doing it and always needs --reason, reopen puts a closed or failed item back "
		       "to pending so it is done again. An item past its due time cannot be confirmed, failed or "
		       "skipped without --reason, the reason for the delay. Acting on an item that already has the "
		       "status asked for, or confirming or failing a closed one, is refused: reopen it first. Every "
		       "action is an event in the store, with who, when and from which host.",
	.operands = "confirm|fail|skip|reopen: the action. RUN: the run id ('preflight runs' lists them). ITEM: the "
		    "item's id in its checklist.",
	.operand_name = "ACTION RUN ITEM",
	.exit_status = "Exit status: 0 recorded, 2 refused (no such run or item, skip without --reason, an overdue "
		       "item without a delay reason, a transition the item's status does not allow, an unreachable "
		       "store), nothing written then; 3 internal error.",
	.see_also = "docs/launch.md",
	.opts = item_opts,
	.min_operands = 3,
	.max_operands = 3,
	.operand_kind = "none",
};

struct action {
	const char *name;
	const char *kind;           /* EV_* */
	enum item_status to;
	const char *verb;           /* for messages: "confirming" */
};

static const struct action actions[] = {
	{ "confirm", EV_ITEM_CONFIRM, ITEM_PASS, "confirming" },
	{ "fail", EV_ITEM_FAIL, ITEM_FAIL, "failing" },
	{ "skip", EV_ITEM_SKIP, ITEM_SKIP, "skipping" },
	{ "reopen", EV_ITEM_REOPEN, ITEM_PENDING, "reopening" },
};

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

/* Whether the action may be taken on it now; prints why not and returns 2. */
static int transition_allowed(const struct action *act, const struct run_view *v, const struct item_view *it,
			      const char *reason, int64_t now_ms)
{
	const char *from = item_status_name(it->status);

	if (v->closed_ms)
		return cmd_usage_error("item", "run %" PRId64 " is closed; nothing more is recorded in it", v->id);
	if (act->to == it->status)
		return cmd_usage_error("item", "item '%s' of run %" PRId64 " is already %s%s%s%s", it->id, v->id, from,
				       it->executor ? " (by " : "", it->executor ? it->executor : "",
				       it->executor ? ")" : "");
	if (act->to == ITEM_PENDING)
		return 0;   /* reopen: from anything else */
	if (it->status == ITEM_RUNNING)
		return cmd_usage_error("item", "item '%s' of run %" PRId64 " is running (an automatic verification "
				       "began%s%s); wait for its result, or reopen it if that process is gone",
				       it->id, v->id, it->executor ? " by " : "", it->executor ? it->executor : "");
	if (!item_status_open(it->status))
		return cmd_usage_error("item", "item '%s' of run %" PRId64 " is already %s%s%s%s; reopen it first "
				       "('preflight item reopen %" PRId64 " %s')", it->id, v->id, from,
				       it->executor ? " (by " : "", it->executor ? it->executor : "",
				       it->executor ? ")" : "", v->id, it->id);
	if (it->due_ms && now_ms > it->due_ms && !reason) {
		char due[32], late[32];

		launch_format_time(it->due_ms, due, sizeof(due));
		format_span(now_ms - it->due_ms, late, sizeof(late));
		return cmd_usage_error("item", "item '%s' of run %" PRId64 " was due %s (%s ago); %s it now needs "
				       "--reason TEXT, the reason for the delay", it->id, v->id, due, late, act->verb);
	}
	return 0;
}

static int unknown_item(const struct run_view *v, const char *id)
{
	char known[512];

	launch_suggest_items(v, id, known, sizeof(known), 8);
	return cmd_usage_error("item", "run %" PRId64 " has no item '%s'; its items: %s", v->id, id,
			       v->n_items ? known : "(none)");
}

int cmd_item(int argc, char **argv)
{
	struct item_args a = { 0 };
	const struct action *act = NULL;
	struct store *s = NULL;
	struct run_view v = { 0 };
	struct err e = { "" };
	struct event ev = { 0 };
	struct item_view *it;
	const char *item_id;
	bool in_tx = false;
	enum item_status from;
	int64_t run_id, now_ms, seq, followup = 0;
	int first, r, ret = EXIT_INTERNAL;

	r = opts_parse(&cmd_item_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(argv[first], actions[i].name))
			act = &actions[i];
	if (!act)
		return cmd_usage_error("item", "'%s' is not an action; give confirm, fail, skip or reopen",
				       argv[first]);
	if (!a.by)
		return cmd_usage_error("item", "%s needs --by NAME: who acts is part of the record", act->name);
	if (act->to == ITEM_SKIP && !a.reason)
		return cmd_usage_error("item", "skip needs --reason TEXT: why the item is not done");
	if (launch_check_text("item", "by", a.by, 128, false) ||
	    (a.reason && launch_check_text("item", "reason", a.reason, 4000, true)) ||
	    (a.change && launch_check_text("item", "change", a.change, 128, false)))
		return EXIT_USAGE;
	item_id = argv[first + 2];

	r = launch_store_open("item", a.db, &s);
	if (r)
		return r;
	/* Check and append in one transaction: what the rule looked at is
	 * what the event changes. */
	ret = launch_lock_run("item", s, argv[first + 1], &now_ms, &v);
	if (ret)
		goto out;
	in_tx = true;
	run_id = v.id;
	it = run_view_item(&v, item_id);
	if (!it) {
		ret = unknown_item(&v, item_id);
		goto out;
	}
	ret = transition_allowed(act, &v, it, a.reason, now_ms);
	if (ret)
		goto out;
	ret = EXIT_INTERNAL;
	from = it->status;

	ev.at_ms = now_ms;
	ev.run_id = run_id;
	ev.item_id = (char *)it->id;
	ev.kind = (char *)act->kind;
	ev.status = (int)act->to;
	ev.actor = (char *)a.by;
	ev.reason = (char *)a.reason;
	ev.change_id = (char *)a.change;
	ev.data = json_pack("{s:s}", "from", item_status_name(from));
	if (!ev.data)
		goto oom;
	/* Acting after the due time: the reason given is the delay's, and the
	 * event says how late, so the report need not recompute it. */
	if (act->to != ITEM_PENDING && it->due_ms && now_ms > it->due_ms &&
	    json_object_set_new(ev.data, "late_ms", json_integer(now_ms - it->due_ms)) < 0)
		goto oom;
	seq = launch_append(s, &ev, &e);
	if (seq < 0) {
		ret = launch_store_error("item", (int)seq, &e);
		goto out;
	}
	if (act->to == ITEM_FAIL) {
		/* the whole reason (checked: UTF-8, at most 4000 bytes); a copy
		 * cut at a byte count split a character, which PostgreSQL
		 * refused and JSON output dropped */
		const char *summary = a.reason ? a.reason : "failed by a person";
		struct run_view after = { 0 };
		struct item_view *failed;

		/* The follow-up reads the item as it now is (failed). */
		r = store_run_view(s, run_id, now_ms, &after, &e);
		failed = r < 0 ? NULL : run_view_item(&after, it->id);
		followup = failed ? notify_followup_open(s, &after, failed, summary, a.by, now_ms, &e) : r;
		run_view_release(&after);
		if (followup < 0) {
			ret = launch_store_error("item", (int)followup, &e);
			goto out;
		}
	}
	r = store_commit(s, &e);
	in_tx = false;
	if (r < 0) {
		ret = launch_store_error("item", r, &e);
		goto out;
	}
	printf("run %" PRId64 " item %s: %s -> %s by %s", run_id, it->id, item_status_name(from),
	       item_status_name(act->to), a.by);
	if (followup > 0)
		printf("; follow-up %" PRId64 " opened", followup);
	putchar('\n');
	ret = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
	goto out;
oom:
	cmd_error("item", EXIT_INTERNAL, "out of memory");
	ret = EXIT_INTERNAL;
out:
	if (in_tx)
		store_rollback(s);
	json_decref(ev.data);
	run_view_release(&v);
	store_close(s);
	return ret;
}
