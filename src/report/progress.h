/* progress: one status line on stderr while the command waits (a
 * sampling window, a long fetch), redrawn in place, only when stderr is a
 * terminal, and erased when done, so logs and pipes never see it. */
#ifndef PREFLIGHT_PROGRESS_H
#define PREFLIGHT_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool on;                  /* stderr is a terminal and TERM is not dumb */
	bool shown;               /* a line is on the screen */
	unsigned width;
};

void progress_init(struct progress *p);

/* Redraws the line: "preflight goroutines: sampling 2/3 (4.0 s left)". */
__attribute__((format(printf, 2, 3))) void progress_show(struct progress *p, const char *fmt, ...);

/* Erases the line (before any other output to stderr). */
void progress_clear(struct progress *p);

#endif
