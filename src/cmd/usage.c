/* usage: the one-line error every command prints. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "report/escape.h"

/* The attribute tells clang the format comes from the callers, which
 * -Wformat=2 (-Wformat-nonliteral) otherwise rejects. */
/* The message may quote what a target or a file handed us (another
 * process's comm in "matches 2 processes", a path): written through the
 * terminal escaper, so a control byte in it cannot reach the terminal. */
__attribute__((format(printf, 2, 0))) static void vprint(const char *cmd, const char *fmt, va_list ap)
{
	char *msg = NULL;

	fprintf(stderr, "preflight %s: ", cmd);
	if (vasprintf(&msg, fmt, ap) < 0)
		fputs("(out of memory formatting the error)", stderr);
	else
		term_puts(stderr, msg);
	free(msg);
	fputc('\n', stderr);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(cmd, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cmd_error(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(cmd, fmt, ap);
	va_end(ap);
	return code;
}
