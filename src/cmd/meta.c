/* preflight completion / preflight manpage: the shell completion scripts
 * and the man pages, generated from the option tables, for packagers and
 * for `eval "$(preflight completion bash)"`. */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/output.h"

struct meta_args {
	const char *output;
};

static const struct opt completion_opts[] = {
	OPT_OUTPUT_ENTRY(struct meta_args, output),
	OPT_END_ENTRY,
};

const struct command_spec cmd_completion_spec = {
	.name = "completion",
	.summary = "print the bash or zsh completion script",
	.synopsis = "[options] bash|zsh",
	.description = "Prints the completion script for the shell, generated from every command's option table. "
		       "Packages install it; by hand:\n"
		       "  eval \"$(preflight completion bash)\"\n"
		       "  preflight completion zsh > ~/.zfunc/_preflight",
	.exit_status = "Exit status: 0 written, 2 another shell or a usage error, 3 the output could not be written.",
	.opts = completion_opts,
	.min_operands = 1,
	.max_operands = 1,
	.operand_name = "shell (bash or zsh)",
	.operand_kind = "command",
};

static const struct opt manpage_opts[] = {
	OPT_OUTPUT_ENTRY(struct meta_args, output),
	OPT_END_ENTRY,
};

const struct command_spec cmd_manpage_spec = {
	.name = "manpage",
	.summary = "print the man page of preflight or of one command (roff)",
	.synopsis = "[options] [COMMAND]",
	.description = "Prints preflight(1), or preflight-COMMAND(1), in man(7) format, generated from the same "
		       "option tables as --help. The build installs them; to read one without installing:\n"
		       "  preflight manpage goroutines | man -l -",
	.exit_status = "Exit status: 0 written, 2 no such command or a usage error, 3 the output could not be written.",
	.opts = manpage_opts,
	.max_operands = 1,
	.operand_kind = "none",
};

static int write_out(const char *name, const char *path, int (*fn)(const char *arg, FILE *out), const char *arg)
{
	struct output o;
	struct err e = { "" };
	int r;

	if (output_open(&o, path, &e) < 0)
		return cmd_usage_error(name, "%s", e.msg);
	r = fn(arg, o.f);
	if (r < 0) {
		output_abort(&o);
		return cmd_usage_error(name, "'%s' is not a %s", arg, !strcmp(name, "completion") ? "shell (bash, zsh)" : "command");
	}
	if (output_commit(&o, &e) < 0)
		return cmd_error(name, EXIT_INTERNAL, "%s", e.msg);
	return EXIT_OK;
}

static int completion_write(const char *shell, FILE *out)
{
	return opts_completion(shell, out);
}

int cmd_completion(int argc, char **argv)
{
	struct meta_args a = { 0 };
	int first, r = opts_parse(&cmd_completion_spec, argc, argv, &a, &first);

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	return write_out("completion", a.output, completion_write, argv[first]);
}

static int manpage_write(const char *name, FILE *out)
{
	if (!name) {
		opts_man_index(PREFLIGHT_VERSION, out);
		return 0;
	}
	for (size_t i = 0; command_specs[i]; i++)
		if (!strcmp(command_specs[i]->name, name)) {
			opts_man(command_specs[i], PREFLIGHT_VERSION, out);
			return 0;
		}
	return -ENOENT;
}

int cmd_manpage(int argc, char **argv)
{
	struct meta_args a = { 0 };
	int first, r = opts_parse(&cmd_manpage_spec, argc, argv, &a, &first);

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	return write_out("manpage", a.output, manpage_write, first < argc ? argv[first] : NULL);
}
