/* gobuild: the build information the Go linker embeds in executables
 * (.go.buildinfo), read the way debug/buildinfo and `go version -m` do:
 * both the inline-string format (Go >= 1.18) and the older pointer format
 * (Go 1.13-1.17). See shared reference section 1.
 *
 * The reader glues three parts: collect/elf.h (the ELF image),
 * goruntime/modinfo.h (the module text, gobuild_parse_modinfo) and
 * facts/buildinfo.h (the result); report/buildinfo_text.h prints it.
 */
#ifndef PREFLIGHT_GOBUILD_H
#define PREFLIGHT_GOBUILD_H

#include <stddef.h>
#include <stdint.h>

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

#endif
