/* preflight: the command table. Each command lives in src/cmd/. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "check", cmd_check, "judge the host and a Go service's process against the risk map" },
	{ "list-checks", cmd_list_checks, "list every check with its layer, parameters and defaults" },
	{ "buildinfo", cmd_buildinfo, "print a Go executable's build info, as `go version -m` does" },
	{ "tcp-census", cmd_tcp_census, "count host-wide TCP sockets per state (IPv4 + IPv6)" },
	{ "goroutines", cmd_goroutines, "group goroutine dumps by stack, diff snapshots, name leak suspects" },
	{ "contention", cmd_contention, "rank a Go service's mutex and block contention by call site" },
	{ "watch", cmd_watch, "watch a Go service's heap, GC and goroutines; save profiles when they cross" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: preflight <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'preflight <command> --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("preflight %s\n", PREFLIGHT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "preflight: '%s' is not a command; see 'preflight --help'\n", argv[1]);
	return EXIT_USAGE;
}
