/* source_lines: the lines of a Go program's source that the leak judgment
 * needs (is this receive a ticker's?), read where the program's files are.
 *
 * A dump names each frame's file as the build saw it. For a local target
 * the files, when they are there at all, are in the target's own mount
 * view: root is "/proc/PID/root" (so a container's source is read in the
 * container, not on preflight's filesystem), a directory the user named
 * (--source-root), or "" for the paths as they are.
 */
#ifndef PREFLIGHT_SOURCE_LINES_H
#define PREFLIGHT_SOURCE_LINES_H

#include <stddef.h>

#include "facts/goroutines.h"

/* At most this many call sites are read per collection, biggest groups
 * first: a dump of 100k distinct stacks must not mean 100k file reads. */
#define SOURCE_LINES_MAX_SITES 256

/* Reads the snippet of each group's site (gr_group_site) in snaps, largest
 * groups of the last snapshot first. Files that are not regular, not .go,
 * larger than 8 MiB or unreadable are skipped: a missing source is no
 * error, the judgment then goes without it. ret is zeroed first.
 * Returns 0 or -ENOMEM. */
int source_lines_collect(const char *root, const struct gr_snapshot *snaps, size_t n, struct source_lines *ret);

#endif
