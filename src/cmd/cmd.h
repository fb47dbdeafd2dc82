/* The commands, their table and the exit codes they share (DESIGN.md). */
#ifndef PREFLIGHT_CMD_H
#define PREFLIGHT_CMD_H

#include <stdbool.h>

#include "cmd/options.h"

enum exit_code {
	EXIT_OK = 0,        /* everything passed, or only what --fail-on allows */
	EXIT_FINDINGS = 1,  /* findings at or above --fail-on */
	EXIT_USAGE = 2,     /* usage or input error */
	EXIT_INTERNAL = 3,  /* internal error */
};

/* Prints "preflight CMD: <message>" on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int cmd_usage_error(const char *cmd, const char *fmt, ...);

/* Prints "preflight CMD: <message>" on stderr; returns code. For errors
 * that are not usage errors (EXIT_INTERNAL, EXIT_FINDINGS). */
__attribute__((format(printf, 3, 4))) int cmd_error(const char *cmd, int code, const char *fmt, ...);

/* Checks --cacert FILE (readable, not a directory) and makes --cacert and
 * --insecure the run's trust for https:// (http_set_tls). Returns 0, or
 * EXIT_USAGE after printing the one line. cacert is borrowed (argv). */
int cmd_http_trust(const char *cmd, const char *cacert, bool insecure);

struct command {
	const struct command_spec *spec;
	int (*fn)(int argc, char **argv);
};

/* Every command, in the order `preflight --help` lists them; ends with
 * a NULL spec. */
extern const struct command commands[];

#define COMMAND(name) \
	extern const struct command_spec name##_spec; \
	int name(int argc, char **argv)

COMMAND(cmd_check);
COMMAND(cmd_list_checks);
COMMAND(cmd_buildinfo);
COMMAND(cmd_tcp_census);
COMMAND(cmd_goroutines);
COMMAND(cmd_contention);
COMMAND(cmd_watch);
COMMAND(cmd_run);
COMMAND(cmd_item);
COMMAND(cmd_status);
COMMAND(cmd_runs);
COMMAND(cmd_report);
COMMAND(cmd_notify);
COMMAND(cmd_followup);
COMMAND(cmd_close);
COMMAND(cmd_serve);
COMMAND(cmd_completion);
COMMAND(cmd_manpage);

#endif
