/* term: what a terminal allows, decided once per output stream.
 *
 * Colour only on a TTY, never with NO_COLOR set (to anything, per
 * no-color.org) or TERM=dumb; --color=always/never overrides. Width from
 * the terminal, else $COLUMNS, else 80; output that is not a terminal
 * is not wrapped (width 0) so pipes and files keep whole lines.
 */
#ifndef PREFLIGHT_TERM_H
#define PREFLIGHT_TERM_H

#include <stdbool.h>
#include <stdio.h>

struct term {
	bool color;
	bool tty;
	unsigned width;          /* columns to wrap at; 0 = do not wrap */
};

enum term_color_mode { TERM_COLOR_AUTO, TERM_COLOR_ALWAYS, TERM_COLOR_NEVER };

/* --color's word ("auto", "always", "never") as a mode; anything else is
 * auto (the option table accepts only the three). */
enum term_color_mode term_color_mode_of(const char *when);

/* Decides for stream f. */
void term_detect(FILE *f, enum term_color_mode mode, struct term *ret);

/* Writes text wrapped at width (0 = as is), continuation lines indented
 * by indent spaces; the first line is assumed to start at column start.
 * Breaks only at spaces; a word longer than the line stays whole. */
void term_wrap(FILE *out, const char *text, unsigned width, unsigned start, unsigned indent);

#endif
