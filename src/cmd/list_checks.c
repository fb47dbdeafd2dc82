/* preflight list-checks: every check of the registry with its layer,
 * title, parameters and defaults (docs/checks.md is the long form). */
#include "check/check.h"
#include "check/checks.h"
#include "cmd/cmd.h"
#include "report/checks_list.h"
#include "report/output.h"

struct list_args {
	const char *format, *output;
	bool json;
};

static const struct opt list_opts[] = {
	OPT_FORMAT_ENTRY(struct list_args, format, checks_list_formats, "tty (default), json or markdown"),
	OPT_OUTPUT_ENTRY(struct list_args, output),
	{ .type = OPT_FLAG, .long_name = "json", .help = "the same as --format json (kept for scripts)",
	  .off = offsetof(struct list_args, json) },
	OPT_END_ENTRY,
};

const struct command_spec cmd_list_checks_spec = {
	.name = "list-checks",
	.summary = "list every check with its layer, parameters and defaults",
	.synopsis = "[options]",
	.description = "Lists every check preflight check can run: its id, its layer of the risk map (code, "
		       "runtime, infra, business), its title, and each parameter a checklist may override with "
		       "its default.",
	.exit_status = "Exit status: 0 listed, 2 usage error, 3 the output could not be written.",
	.see_also = "docs/checks.md",
	.opts = list_opts,
	.operand_kind = "none",
};

int cmd_list_checks(int argc, char **argv)
{
	struct list_args a = { .format = "tty" };
	const struct check_def *d;
	struct output out;
	struct err e = { "" };
	size_t n;
	int first, r = opts_parse(&cmd_list_checks_spec, argc, argv, &a, &first);

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (a.json)
		a.format = "json";
	d = registry_all(&n);
	if (output_open(&out, a.output, &e) < 0)
		return cmd_usage_error("list-checks", "%s", e.msg);
	r = checks_list_render(d, n, a.format, out.f);
	if (r < 0) {
		output_abort(&out);
		return cmd_error("list-checks", EXIT_INTERNAL, "cannot render the list: %s", err_str(r));
	}
	if (output_commit(&out, &e) < 0)
		return cmd_error("list-checks", EXIT_INTERNAL, "%s", e.msg);
	return EXIT_OK;
}
