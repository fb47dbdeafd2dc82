/* gobuild: the build information the Go linker embeds in executables
 * (.go.buildinfo), read the way debug/buildinfo and `go version -m` do:
 * both the inline-string format (Go >= 1.18) and the older pointer format
 * (Go 1.13-1.17). See shared reference section 1.
 */
#ifndef PREFLIGHT_GOBUILD_H
#define PREFLIGHT_GOBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "facts/buildinfo.h"



/* Reads the build info of an ELF executable at path (ELF32/ELF64, either
 * byte order; files up to 1 GiB, mapped read-only).
 * Returns 0; -PF_ENOTGO when the file is ELF but carries no Go build info;
 * -PF_EPARSE for a non-ELF, truncated or malformed file or modinfo;
 * -EISDIR for a directory; -EFBIG past 1 GiB; or a negative errno.
 * ret is written only on success; free it with gobuild_release(). */
int gobuild_read_file(const char *path, struct gobuild *ret, struct err *e);

/* Same, on an image already in memory (used by tests and the fuzzer).
 * Messages name the image '<memory>'. */
int gobuild_read_mem(const uint8_t *data, size_t len, struct gobuild *ret, struct err *e);

/* Parses the modinfo text (between the sentinels) into ret's path, main,
 * deps and settings, the way runtime/debug.ParseBuildInfo does: unknown
 * lines are skipped, build keys and values may be Go-quoted ("..." or
 * `...`). ret must be zeroed or hold earlier results; on success its old
 * path, main, deps and settings are freed and replaced (go_version is
 * kept); on failure (-PF_EPARSE, -ENOMEM) ret is untouched.
 * Deviation from Go: text holding a NUL byte is refused. */
int gobuild_parse_modinfo(const char *text, size_t len, struct gobuild *ret, struct err *e);

/* Appends b's modinfo as runtime/debug.BuildInfo.String() prints it
 * without the "go" line: path, mod, dep, => and build lines, each ending
 * in '\n', build keys and values re-quoted with strconv.Quote rules,
 * and, like Go, an empty line after each "=>" line.
 * This is the text `go version -m` indents under its first line.
 * Returns 0 or a buf error (-E2BIG, -ENOMEM). */
int gobuild_string(const struct gobuild *b, struct buf *out);


#endif
