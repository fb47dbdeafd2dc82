/* preflight status [RUN]: a run at a glance, from the store's events, with
 * the board's filters (docs/launch.md, "Where a run stands"). */
#include <inttypes.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/launch_common.h"

struct status_args {
	const char *env, *module, *owner, *status, *format, *output, *color, *db;
	bool overdue;
};

static const char *const status_choices[] = { "pending", "running", "pass", "fail", "skip", NULL };

#define A(field) offsetof(struct status_args, field)
static const struct opt status_opts[] = {
	{ .type = OPT_STRING, .long_name = "env", .arg_name = "ENV", .help = "only the items of environment ENV",
	  .off = A(env) },
	{ .type = OPT_STRING, .long_name = "module", .arg_name = "MODULE", .help = "only the items of module MODULE",
	  .off = A(module) },
	{ .type = OPT_STRING, .long_name = "owner", .arg_name = "NAME", .help = "only the items NAME owns",
	  .off = A(owner) },
	{ .type = OPT_CHOICE, .long_name = "status", .arg_name = "STATUS",
	  .help = "only the items with this status: pending, running, pass, fail or skip", .off = A(status),
	  .choices = status_choices },
	{ .type = OPT_FLAG, .long_name = "overdue", .help = "only the items past their due time and still open",
	  .off = A(overdue) },
	OPT_FORMAT_ENTRY(struct status_args, format, launch_formats,
			 "tty (default), json (docs/launch-report.md), markdown, junit or html"),
	OPT_OUTPUT_ENTRY(struct status_args, output),
	OPT_DB_ENTRY(struct status_args, db),
	OPT_COLOR_ENTRY(struct status_args, color),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_status_spec = {
	.name = "status",
	.summary = "show where a checklist run stands",
	.synopsis = "[RUN] [--env ENV] [--module MODULE] [--owner NAME] [--status STATUS] [--overdue] [options]",
	.description = "Shows a run's items as the store's events say now: status, owner, due time and whether it "
		       "is overdue, who acted, how long the verification took, notes, change tickets and "
		       "follow-ups. The filters combine: '--env prod --status fail' shows prod's failed items.",
	.operands = "RUN: the run id ('preflight runs' lists them); without it, the newest run.",
	.operand_name = "RUN",
	.exit_status = "Exit status: 0 no item shown is failed or overdue, 1 an item shown is failed or overdue, "
		       "2 usage or input error (no such run, an unreachable store), 3 internal error.",
	.see_also = "docs/launch.md, docs/launch-report.md",
	.opts = status_opts,
	.max_operands = 1,
	.operand_kind = "none",
};

int cmd_status(int argc, char **argv)
{
	struct status_args a = { .format = "tty", .color = "auto" };
	struct launch_filter f = { .status = -1 };
	struct store *s = NULL;
	struct run_view v = { 0 };
	int64_t run_id;
	int first, r, ret;

	r = opts_parse(&cmd_status_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	f.env = a.env;
	f.module = a.module;
	f.owner = a.owner;
	f.status = a.status ? item_status_parse(a.status) : -1;
	f.overdue_only = a.overdue;

	ret = launch_store_open("status", a.db, &s);
	if (ret)
		return ret;
	ret = launch_resolve_run("status", s, first < argc ? argv[first] : NULL, &run_id);
	if (ret)
		goto out;
	ret = launch_run_view("status", s, run_id, launch_now_ms(), &v);
	if (ret)
		goto out;
	ret = launch_render_to("status", a.output, a.format, a.color, &v, &f);
	if (ret)
		goto out;
	/* Findings are what a launch cannot go ahead with: a failed item, or
	 * one past its due time; pending items on time are just work to do. */
	for (size_t i = 0; i < v.n_items; i++)
		if (launch_filter_match(&f, &v.items[i]) && (v.items[i].status == ITEM_FAIL || v.items[i].overdue))
			ret = EXIT_FINDINGS;
out:
	run_view_release(&v);
	store_close(s);
	return ret;
}
