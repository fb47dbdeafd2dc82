/* usage: the one-line error every command prints for a bad option. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "preflight %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}
