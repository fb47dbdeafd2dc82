/* output: where a command's report goes (-o/--output), the same way for
 * every command: standard output, or a file that is replaced only once
 * the report is complete (written to FILE.partial-PID, flushed, fsynced,
 * renamed over FILE, and the directory fsynced), so a reader or a
 * collector (node_exporter's textfile directory) never sees half a report
 * and a failed run leaves the previous one in place.
 */
#ifndef PREFLIGHT_OUTPUT_H
#define PREFLIGHT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

struct output {
	FILE *f;                 /* write here */
	bool is_stdout;
	bool direct;             /* a device or pipe, written in place */
	char *path;              /* the final name; NULL for stdout */
	char *partial;           /* the name written to */
};

/* path NULL or "-" = standard output. Returns 0 or a negative errno with
 * e filled ("cannot write 'FILE': Permission denied"). */
int output_open(struct output *o, const char *path, struct err *e);

/* Flushes and, for a file, renames it into place. Returns 0, or a negative
 * errno (a full disk, a closed pipe) with e filled; the partial file is
 * removed then. Always releases o. */
int output_commit(struct output *o, struct err *e);

/* Drops a report that will not be completed (removes the partial file). */
void output_abort(struct output *o);

#endif
