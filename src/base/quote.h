/* quote: a piece of outside input (a key from a checklist, a token from a
 * profile, a setting from a binary) made fit to stand between quotes in an
 * error message: short, one line, and unable to drive a terminal.
 * git quotes the subject of a message ('%s'); this is what goes inside. */
#ifndef PREFLIGHT_QUOTE_H
#define PREFLIGHT_QUOTE_H

#include <stddef.h>

/* The size of the buffer quote_for_message writes: at most 60 bytes of
 * the input, "..." and the NUL. */
#define QUOTE_SIZE 64

/* Copies the len bytes at s into out for a message and returns out.
 * Control characters (C0, DEL, C1), which would break the line or talk to
 * the terminal, and bytes that are not UTF-8 become '?'; other UTF-8
 * characters are kept whole, never split; a cut is marked with "...". */
const char *quote_for_message(const char *s, size_t len, char out[QUOTE_SIZE]);

#endif
