/* fileio: read small kernel and config files through a root prefix.
 *
 * Collectors read /proc and /sys through a root prefix (like
 * node_exporter's --path.procfs) so tests run them on captured fixture
 * trees. root "" or NULL means the live system.
 */
#ifndef PREFLIGHT_FILEIO_H
#define PREFLIGHT_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* The largest /proc or /sys file we read whole. */
#define FILEIO_MAX_KERNEL_FILE (4u << 20)

/* Joins root and path into out (size n); -ENAMETOOLONG when it does not fit. */
int path_join(char *out, size_t n, const char *root, const char *path);

/* Reads root+path whole into b (which is reset first), up to b->max bytes.
 * Returns 0 or a negative errno (-E2BIG when the file is larger). */
int read_file(const char *root, const char *path, struct buf *b);
/* Reads the first line (without the newline) into out; -ENOSPC if longer. */
int read_line(const char *root, const char *path, char *out, size_t n);
int read_u64(const char *root, const char *path, uint64_t *ret);
int read_i64(const char *root, const char *path, int64_t *ret);

/* A pull reader over a stdio stream (ctx is the FILE *): fills up to n
 * bytes of buf, returns how many, 0 at the end, or a negative errno. The
 * streaming parsers take this shape so they do no I/O themselves. */
ssize_t fileio_stream_read(void *ctx, char *buf, size_t n);

#endif
