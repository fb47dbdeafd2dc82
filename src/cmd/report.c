/* preflight report: a run of the checklist loop as a document
 * (docs/launch-report.md): the runbook's table in Markdown, the JSON
 * contract, JUnit for CI, or one self-contained HTML page with charts.
 *
 * A report is a document, not a gate: it exits 0 whatever the run holds,
 * unless --fail-on names what should make it exit 1 (a CI job that
 * publishes the report and fails the pipeline on a failed item). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/parse.h"
#include "cmd/cmd.h"
#include "report/launch_report.h"
#include "report/output.h"
#include "report/term.h"
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
	{ .type = OPT_STRING, .long_name = "db", .arg_name = "URL",
	  .help = "the store: a SQLite file or a postgresql:// URL (default: PREFLIGHT_DB, else "
		  "$XDG_STATE_HOME/preflight/preflight.db)",
	  .off = A(db) },
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

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	struct output out;
	struct term t;
	struct err e = { "" };
	uint64_t id = 0;
	int64_t run_id;
	int first, r = opts_parse(&cmd_report_spec, argc, argv, &a, &first), ret;

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (first < argc && (parse_u64(argv[first], &id) < 0 || id == 0 || id > INT64_MAX))
		return cmd_usage_error("report", "RUN is a run's id (a number from preflight runs), not '%s'",
				       argv[first]);
	f.env = a.env;
	f.module = a.module;
	f.owner = a.owner;
	r = store_open(a.db, &st, &e);
	if (r < 0)
		return cmd_error("report", r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s", e.msg);
	run_id = (int64_t)id;
	if (!run_id) {
		run_id = store_latest_run(st, &e);
		if (run_id <= 0) {
			ret = run_id < 0 ? cmd_error("report", EXIT_INTERNAL, "%s", e.msg)
					 : cmd_usage_error("report", "store '%s' holds no run yet (preflight run "
								     "CHECKLIST opens one)", store_name(st));
			goto out;
		}
	}
	r = store_run_view(st, run_id, now_ms(), &v, &e);
	if (r < 0) {
		ret = r == -PF_ESTORE_CONFLICT ? cmd_usage_error("report", "%s", e.msg)
					       : cmd_error("report", EXIT_INTERNAL, "%s", e.msg);
		goto out;
	}
	if (output_open(&out, a.output, &e) < 0) {
		ret = cmd_usage_error("report", "%s", e.msg);
		goto out;
	}
	term_detect(out.f, term_color_mode_of(a.color), &t);
	r = launch_render(out.f, &v, &f, a.format, t.color);
	if (r < 0) {
		output_abort(&out);
		ret = cmd_error("report", EXIT_INTERNAL, "cannot write the report: %s", err_str(r));
		goto out;
	}
	if (output_commit(&out, &e) < 0) {
		ret = cmd_error("report", EXIT_INTERNAL, "%s", e.msg);
		goto out;
	}
	ret = fails(&v, &f, a.fail_on) ? EXIT_FINDINGS : EXIT_OK;
out:
	run_view_release(&v);
	store_close(st);
	return ret;
}
