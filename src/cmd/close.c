/* preflight close RUN: ends a checklist run (docs/launch.md, "Closing a
 * run"). A run.close event, after which nothing more is recorded in the
 * run and its deadline alerts stop; the run, its events and its report
 * stay. A run that still has open items (pending, running, failed) or open
 * follow-ups is closed only with --reason: leaving work undone is a
 * decision the record must explain, as a skip is.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/launch_common.h"

struct close_args {
	const char *by, *reason, *db;
};

#define A(field) offsetof(struct close_args, field)
static const struct opt close_opts[] = {
	OPT_BY_ENTRY(struct close_args, by, "who closes it (required)"),
	{ .type = OPT_STRING, .long_name = "reason", .arg_name = "TEXT",
	  .help = "why: required when items or follow-ups are still open", .off = A(reason) },
	OPT_DB_ENTRY(struct close_args, db),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_close_spec = {
	.name = "close",
	.summary = "close a checklist run: nothing more is recorded in it and its alerts stop",
	.synopsis = "RUN --by NAME [--reason TEXT] [--db URL]",
	.description = "Ends a run opened by 'preflight run'. Once closed, no item of it can be confirmed, failed, "
		       "skipped or reopened, and 'preflight notify' raises no more alerts for it; its events and "
		       "reports stay. A run with items still open (pending, running or failed) or follow-ups without "
		       "their RCA is closed only with --reason, which the record keeps.",
	.operands = "RUN: the run id ('preflight runs' lists them).",
	.operand_name = "RUN",
	.exit_status = "Exit status: 0 closed, 2 refused (no such run, already closed, open work without --reason, "
		       "an unreachable store), nothing written then; 3 internal error.",
	.see_also = "docs/launch.md",
	.opts = close_opts,
	.min_operands = 1,
	.max_operands = 1,
	.operand_kind = "none",
};

/* Items and follow-ups still open in v. */
static void open_work(const struct run_view *v, unsigned *items, unsigned *followups)
{
	*items = *followups = 0;
	for (size_t i = 0; i < v->n_items; i++)
		*items += item_status_open(v->items[i].status);
	for (size_t i = 0; i < v->n_followups; i++)
		*followups += !v->followups[i].closed;
}

int cmd_close(int argc, char **argv)
{
	struct close_args a = { 0 };
	struct store *s = NULL;
	struct run_view v = { 0 };
	struct err e = { "" };
	struct event ev = { 0 };
	bool in_tx = false;
	unsigned n_items, n_followups;
	int64_t run_id, now_ms, seq;
	int first, r, ret = EXIT_INTERNAL;

	r = opts_parse(&cmd_close_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (!a.by)
		return cmd_usage_error("close", "close needs --by NAME: who closes it is part of the record");
	if (launch_check_text("close", "by", a.by, 128, false) ||
	    (a.reason && launch_check_text("close", "reason", a.reason, 4000, true)))
		return EXIT_USAGE;

	r = launch_store_open("close", a.db, &s);
	if (r)
		return r;
	ret = launch_lock_run("close", s, argv[first], &now_ms, &v);
	if (ret)
		goto out;
	in_tx = true;
	run_id = v.id;
	if (v.closed_ms) {
		char when[32];

		launch_format_time(v.closed_ms, when, sizeof(when));
		ret = cmd_usage_error("close", "run %" PRId64 " is already closed (%s)", run_id, when);
		goto out;
	}
	open_work(&v, &n_items, &n_followups);
	if ((n_items || n_followups) && !a.reason) {
		ret = cmd_usage_error("close", "run %" PRId64 " still has %u open item%s and %u open follow-up%s; "
				      "closing it needs --reason TEXT",
				      run_id, n_items, n_items == 1 ? "" : "s", n_followups, n_followups == 1 ? "" : "s");
		goto out;
	}
	ev.at_ms = now_ms;
	ev.run_id = run_id;
	ev.kind = EV_RUN_CLOSE;
	ev.status = -1;
	ev.actor = (char *)a.by;
	ev.reason = (char *)a.reason;
	ev.data = json_pack("{s:I,s:I}", "open_items", (json_int_t)n_items, "open_followups", (json_int_t)n_followups);
	if (!ev.data) {
		ret = cmd_error("close", EXIT_INTERNAL, "out of memory");
		goto out;
	}
	seq = store_append(s, &ev, &e);
	if (seq < 0) {
		ret = launch_store_error("close", (int)seq, &e);
		goto out;
	}
	r = store_commit(s, &e);
	in_tx = false;
	if (r < 0) {
		ret = launch_store_error("close", r, &e);
		goto out;
	}
	printf("run %" PRId64 " closed by %s", run_id, a.by);
	if (n_items || n_followups)
		printf(" with %u open item%s and %u open follow-up%s", n_items, n_items == 1 ? "" : "s", n_followups,
		       n_followups == 1 ? "" : "s");
	putchar('\n');
	ret = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
out:
	if (in_tx)
		store_rollback(s);
	json_decref(ev.data);
	run_view_release(&v);
	store_close(s);
	return ret;
}
