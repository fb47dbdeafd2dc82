#include "report/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/term.h"

void progress_init(struct progress *p)
{
	struct term t;

	term_detect(stderr, TERM_COLOR_AUTO, &t);
	memset(p, 0, sizeof(*p));
	p->on = t.tty && !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	p->width = t.width ? t.width : 80;
}

void progress_show(struct progress *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!p->on)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* never wider than the terminal: a wrapped line cannot be redrawn */
	if (p->width > 1 && strlen(line) >= p->width)
		line[p->width - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (!p->on || !p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}
