/* dump_file: a saved goroutine dump (a debug=1 or debug=2 profile, a crash
 * log), or standard input for "-", streamed through the parser in bounded
 * chunks, so a dump of a million goroutines needs memory for its distinct
 * stacks only. */
#ifndef PREFLIGHT_DUMP_FILE_H
#define PREFLIGHT_DUMP_FILE_H

#include "base/err.h"
#include "facts/goroutines.h"

/* Returns 0, or a negative errno ("cannot open 'F': ...") or the parser's
 * error, with e filled. */
int dump_file_read(const char *path, struct gr_snapshot *ret, struct err *e);

#endif
