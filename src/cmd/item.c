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

int cmd_item(int argc, char **argv)
{
	struct item_args a = { 0 };
	struct launch_act act = { .via = "cli", .reason_hint = "--reason TEXT" };
	struct launch_act_result res;
	struct store *s = NULL;
	struct run_view v = { 0 };
	struct err e = { "" };
	int64_t run_id;
	int first, action, r, ret;

	r = opts_parse(&cmd_item_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	action = launch_action_parse(argv[first]);
	if (action < 0)
		return cmd_usage_error("item", "'%s' is not an action; give confirm, fail, skip or reopen",
				       argv[first]);
	act.action = (enum launch_action)action;
	act.actor = a.by;
	act.reason = a.reason;
	act.change = a.change;
	act.item_id = argv[first + 2];
	/* the request's own faults first, before the store is opened */
	if (!a.by)
		return cmd_usage_error("item", "%s needs --by NAME: who acts is part of the record", argv[first]);
	if (act.action == LAUNCH_SKIP && !a.reason)
		return cmd_usage_error("item", "skip needs --reason TEXT: why the item is not done");
	if (launch_check_text("item", "by", a.by, LAUNCH_MAX_ACTOR, false) ||
	    (a.reason && launch_check_text("item", "reason", a.reason, LAUNCH_MAX_REASON, true)) ||
	    (a.change && launch_check_text("item", "change", a.change, LAUNCH_MAX_CHANGE, false)))
		return EXIT_USAGE;

	r = launch_store_open("item", a.db, &s);
	if (r)
		return r;
	/* an unknown run: the message naming the runs there are */
	ret = launch_resolve_run("item", s, argv[first + 1], &run_id);
	if (!ret)
		ret = launch_run_view("item", s, run_id, launch_now_ms(), &v);
	if (ret)
		goto out;
	act.run_id = run_id;
	r = launch_act_item(s, &act, &res, &e);
	if (r < 0) {
		ret = r == -PF_ELAUNCH_NOTFOUND || r == -PF_ELAUNCH_INVALID || r == -PF_ELAUNCH_REFUSED
			      ? cmd_usage_error("item", "%s", e.msg)
			      : launch_store_error("item", r, &e);
		goto out;
	}
	printf("run %" PRId64 " item %s: %s -> %s by %s", run_id, act.item_id, item_status_name(res.from),
	       item_status_name(res.to), a.by);
	if (res.followup_id > 0)
		printf("; follow-up %" PRId64 " opened", res.followup_id);
	putchar('\n');
	ret = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
out:
	run_view_release(&v);
	store_close(s);
	return ret;
}
