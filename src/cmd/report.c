/* preflight report: a run of the checklist loop as a document
 * (docs/launch-report.md): the runbook's table in Markdown, the JSON
 * contract, JUnit for CI, or one self-contained HTML page with charts.
 *
 * A report is a document, not a gate: it exits 0 whatever the run holds,
 * unless --fail-on names what should make it exit 1 (a CI job that
 * publishes the report and fails the pipeline on a failed item). */
#include <stdint.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/launch_common.h"
#include "report/launch_report.h"
#include "store/store.h"

struct report_args {
	const char *format, *output, *db, *fail_on, *env, *module, *owner, *color;
};

#define A(f) offsetof(struct report_args, f)

static const char *const fail_on_choices[] = { "fail", "overdue", "open", NULL };

static const struct opt report_opts[] = {
	OPT_FORMAT_ENTRY(struct report_args, format, launch_formats,
			 "markdown (default: the runbook's table, owners, skip reasons, follow-ups), json (the "
			 "stable contract of docs/launch-report.md), junit (a testcase per item), html (one "
			 "self-contained page with charts) or tty"),
	OPT_OUTPUT_ENTRY(struct report_args, output),
	OPT_DB_ENTRY(struct report_args, db),
	{ .type = OPT_CHOICE, .long_name = "fail-on", .arg_name = "WHAT",
	  .help = "exit 1 when a shown item failed (fail), failed or is overdue (overdue), or is not closed by a "
		  "pass or a skip (open); default: exit 0, a report is a document",
	  .off = A(fail_on), .choices = fail_on_choices },
	{ .type = OPT_STRING, .long_name = "env", .arg_name = "ENV", .help = "only the items of this environment",
	  .off = A(env) },
	{ .type = OPT_STRING, .long_name = "module", .arg_name = "MODULE", .help = "only the items of this module",
	  .off = A(module) },
	{ .type = OPT_STRING, .long_name = "owner", .arg_name = "NAME", .help = "only the items this person owns",
	  .off = A(owner) },
	OPT_COLOR_ENTRY(struct report_args, color),
	OPT_END_ENTRY,
};

const struct command_spec cmd_report_spec = {
	.name = "report",
	.summary = "write the report of a checklist run: markdown, json, junit or html",
	.synopsis = "[options] [RUN]",
	.description = "Writes the report of a run of the checklist loop as the store's events say it stands now: "
		       "per item its id, executor, elapsed time, result, note and change ticket, plus its owner and "
		       "due time, the skip and delay reasons, and the follow-ups. The html format is one file that "
		       "needs no network (inline CSS and SVG charts: status by module and by environment, time to "
		       "close per item, overdue items).\n\n"
		       "A report is a document: it exits 0 whatever the run holds, unless --fail-on says what "
		       "should make it exit 1.",
	.operands = "RUN: the run's id (preflight runs lists them); default: the newest run.",
	.operand_name = "RUN",
	.exit_status = "Exit status: 0 the report was written (and nothing --fail-on names was found), 1 --fail-on "
		       "found what it names, 2 usage error, no such run, or the store cannot be opened or is from a "
		       "newer preflight, 3 internal error or the report could not be written.",
	.see_also = "docs/launch-report.md",
	.opts = report_opts,
	.max_operands = 1,
	.operand_kind = "none",
};

/* Whether the shown items hold what --fail-on names. */
static bool fails(const struct run_view *v, const struct launch_filter *f, const char *fail_on)
{
	for (size_t i = 0; fail_on && i < v->n_items; i++) {
		const struct item_view *it = &v->items[i];

		if (!launch_filter_match(f, it))
			continue;
		if (it->status == ITEM_FAIL)
			return true;
		if (!strcmp(fail_on, "overdue") && it->overdue)
			return true;
		if (!strcmp(fail_on, "open") && item_status_open(it->status))
			return true;
	}
	return false;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { .format = "markdown" };
	struct launch_filter f = { .status = -1 };
	struct run_view v = { 0 };
	struct store *st = NULL;
	int64_t run_id;
	int first, r = opts_parse(&cmd_report_spec, argc, argv, &a, &first), ret;

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	f.env = a.env;
	f.module = a.module;
	f.owner = a.owner;
	/* the same store, run and messages as run, item and status */
	ret = launch_store_open("report", a.db, &st);
	if (ret)
		return ret;
	ret = launch_resolve_run("report", st, first < argc ? argv[first] : NULL, &run_id);
	if (!ret)
		ret = launch_run_view("report", st, run_id, launch_now_ms(), &v);
	if (!ret)
		ret = launch_render_to("report", a.output, a.format, a.color, &v, &f);
	if (!ret)
		ret = fails(&v, &f, a.fail_on) ? EXIT_FINDINGS : EXIT_OK;
	run_view_release(&v);
	store_close(st);
	return ret;
}
