/* The commands and the exit codes they share (DESIGN.md). */
#ifndef PREFLIGHT_CMD_H
#define PREFLIGHT_CMD_H

enum exit_code {
	EXIT_OK = 0,        /* everything passed, or only what --fail-on allows */
	EXIT_FINDINGS = 1,  /* findings at or above --fail-on */
	EXIT_USAGE = 2,     /* usage or input error */
	EXIT_INTERNAL = 3,  /* internal error */
};

/* Prints "preflight CMD: <message>" on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int cmd_usage_error(const char *cmd, const char *fmt, ...);

int cmd_check(int argc, char **argv);
int cmd_list_checks(int argc, char **argv);
int cmd_buildinfo(int argc, char **argv);
int cmd_tcp_census(int argc, char **argv);
int cmd_goroutines(int argc, char **argv);
int cmd_contention(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif
