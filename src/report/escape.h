/* escape: untrusted text made safe for a terminal, as git's
 * quote_c_style does for paths. Process names, executable paths, function
 * names and file names from a dump, pprof labels, anything a target or a
 * file handed us may hold escape sequences that would move the cursor,
 * retitle the window or hide lines. Text that needs no escaping is
 * written as it is; text that does is written in double quotes with C
 * escapes: \t \n \r \e \" \\ and \xNN for other control bytes (C0, DEL),
 * the C1 controls U+0080..U+009F, and bytes that are not UTF-8.
 */
#ifndef PREFLIGHT_ESCAPE_H
#define PREFLIGHT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when s (n bytes) would be written quoted. */
bool term_needs_escape(const char *s, size_t n);

/* Writes s, escaped when it needs to be. NULL writes nothing. */
void term_puts(FILE *out, const char *s);
void term_putn(FILE *out, const char *s, size_t n);

/* The same into a string (malloc'd; NULL on ENOMEM), for code that
 * formats into buffers before printing (column widths). */
char *term_escape_dup(const char *s);

#endif
