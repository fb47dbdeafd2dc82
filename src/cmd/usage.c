/* usage: the one-line error every command prints. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd/cmd.h"

__attribute__((format(printf, 2, 0))) static void vprint(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "preflight %s: ", cmd);
	vfprintf(stderr, fmt, ap);
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
