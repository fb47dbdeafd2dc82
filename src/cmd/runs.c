/* preflight runs: the runs in the store, newest first (docs/launch.md). */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/launch_common.h"
#include "report/output.h"
#include "report/term.h"

struct runs_args {
	const char *format, *output, *color, *db;
	uint64_t limit;
};

#define A(field) offsetof(struct runs_args, field)
static const struct opt runs_opts[] = {
	{ .type = OPT_COUNT, .short_name = 'l', .long_name = "limit", .arg_name = "N",
	  .help = "list the newest N runs (default 20; 0 = all)", .off = A(limit), .hi = 1000000 },
	OPT_FORMAT_ENTRY(struct runs_args, format, launch_runs_formats, "tty (default), json or markdown"),
	OPT_OUTPUT_ENTRY(struct runs_args, output),
	OPT_DB_ENTRY(struct runs_args, db),
	OPT_COLOR_ENTRY(struct runs_args, color),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_runs_spec = {
	.name = "runs",
	.summary = "list the checklist runs in the store",
	.synopsis = "[--limit N] [options]",
	.description = "Lists the runs in the store, newest first: id, checklist name, environment, who opened it "
		       "and when, whether it is closed, and its items by status with the overdue ones counted.",
	.exit_status = "Exit status: 0 listed, 2 usage or input error (an unreachable store), 3 internal error.",
	.see_also = "docs/launch.md, docs/launch-report.md",
	.opts = runs_opts,
	.max_operands = 0,
	.operand_kind = "none",
};

int cmd_runs(int argc, char **argv)
{
	struct runs_args a = { .format = "tty", .color = "auto", .limit = 20 };
	struct store *s = NULL;
	struct run_summary *runs = NULL;
	size_t n = 0;
	struct output out;
	struct term t;
	struct err e = { "" };
	int first, r, ret;

	r = opts_parse(&cmd_runs_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (first < argc)
		return cmd_usage_error("runs", "unexpected operand '%s'; see --help", argv[first]);
	ret = launch_store_open("runs", a.db, &s);
	if (ret)
		return ret;
	r = store_runs(s, launch_now_ms(), (size_t)a.limit, &runs, &n, &e);
	if (r < 0) {
		ret = launch_store_error("runs", r, &e);
		goto out;
	}
	if (output_open(&out, a.output, &e) < 0) {
		ret = cmd_usage_error("runs", "%s", e.msg);
		goto out;
	}
	term_detect(out.f, term_color_mode_of(a.color), &t);
	r = launch_render_runs(out.f, runs, n, a.format, t.color && !strcmp(a.format, "tty"));
	if (r < 0) {
		output_abort(&out);
		ret = cmd_error("runs", EXIT_INTERNAL, "cannot write the list: %s", err_str(r));
		goto out;
	}
	ret = output_commit(&out, &e) < 0 ? cmd_error("runs", EXIT_INTERNAL, "%s", e.msg) : EXIT_OK;
out:
	for (size_t i = 0; i < n; i++)
		run_summary_release(&runs[i]);
	free(runs);
	store_close(s);
	return ret;
}
