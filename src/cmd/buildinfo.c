/* preflight buildinfo: the Go build info of executables, printed exactly as
 * `go version -m` prints it, or as JSON lines (docs/buildinfo.md). */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "collect/buildinfo_scan.h"
#include "report/buildinfo_text.h"
#include "report/output.h"
#include "report/term.h"

struct buildinfo_args {
	const char *format, *output;
	bool json;
};

static const struct opt buildinfo_opts[] = {
	OPT_FORMAT_ENTRY(struct buildinfo_args, format, buildinfo_formats,
			 "tty (default: byte for byte what `go version -m` prints; escaped on a terminal) or json "
			 "(one object per executable, one per line)"),
	OPT_OUTPUT_ENTRY(struct buildinfo_args, output),
	{ .type = OPT_FLAG, .long_name = "json", .help = "the same as --format json (kept for scripts)",
	  .off = offsetof(struct buildinfo_args, json) },
	OPT_END_ENTRY,
};

const struct command_spec cmd_buildinfo_spec = {
	.name = "buildinfo",
	.summary = "print a Go executable's build info, as `go version -m` does",
	.synopsis = "[options] FILE...",
	.description = "Prints the Go version and module information embedded in Go executables, byte for byte "
		       "as `go version -m FILE` does, without Go installed. A directory is searched recursively, "
		       "and only the Go executables in it are listed.",
	.operands = "FILE: an executable (ELF, either format of build info: Go 1.13 and later) or a directory.",
	.exit_status = "Exit status: 0 every named file was read, 2 a named file is not a Go executable or cannot "
		       "be read (each said in one line), 3 internal error or the output could not be written.",
	.see_also = "docs/buildinfo.md",
	.opts = buildinfo_opts,
	.min_operands = 1,
	.operand_name = "FILE",
	.operand_kind = "file",
};

struct scan_state {
	FILE *out;
	const char *format;
	bool escape;
	bool failed;     /* a named file could not be read */
	bool internal;   /* out of memory, output unwritable */
};

static void found(void *ctx, const char *file, const struct gobuild *b)
{
	struct scan_state *s = ctx;
	int r = buildinfo_render(s->out, s->format, s->escape, file, b);

	if (r < 0) {
		cmd_error("buildinfo", EXIT_INTERNAL, "'%s': cannot print its build info: %s", file, err_str(r));
		s->internal = true;
	}
}

static void failed(void *ctx, int code, const char *msg)
{
	struct scan_state *s = ctx;

	cmd_error("buildinfo", EXIT_USAGE, "%s", msg);
	if (code == -ENOMEM)
		s->internal = true;
	else
		s->failed = true;
}

int cmd_buildinfo(int argc, char **argv)
{
	struct buildinfo_args a = { .format = "tty" };
	struct scan_state s = { 0 };
	struct buildinfo_sink sink = { found, failed, &s };
	struct output out;
	struct term t;
	struct err e = { "" };
	int first, r = opts_parse(&cmd_buildinfo_spec, argc, argv, &a, &first);

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (a.json)
		a.format = "json";
	if (output_open(&out, a.output, &e) < 0)
		return cmd_usage_error("buildinfo", "%s", e.msg);
	term_detect(out.f, TERM_COLOR_NEVER, &t);
	s.out = out.f;
	s.format = a.format;
	s.escape = t.tty;
	for (int i = first; i < argc; i++)
		buildinfo_scan(argv[i], &sink);
	if (output_commit(&out, &e) < 0)
		return cmd_error("buildinfo", EXIT_INTERNAL, "%s", e.msg);
	if (s.internal)
		return EXIT_INTERNAL;
	return s.failed ? EXIT_USAGE : EXIT_OK;
}
