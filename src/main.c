/* preflight: dispatch to a command of the table in src/cmd/commands.c. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: preflight <command> [options]\n\ncommands:\n");
	for (size_t i = 0; commands[i].spec; i++)
		fprintf(out, "  %-12s %s\n", commands[i].spec->name, commands[i].spec->summary);
	fprintf(out, "\n'preflight <command> --help' shows a command's options; 'man preflight-<command>' too.\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; commands[i].spec; i++)
		if (!strcmp(name, commands[i].spec->name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!(c = find(argv[2])))
			return cmd_usage_error("help", "'%s' is not a command; see 'preflight --help'", argv[2]);
		opts_usage(c->spec, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") || !strcmp(argv[1], "version")) {
		printf("preflight %s\n", PREFLIGHT_VERSION);
		return EXIT_OK;
	}
	if ((c = find(argv[1])))
		return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "preflight: '%s' is not a command; see 'preflight --help'\n", argv[1]);
	return EXIT_USAGE;
}
