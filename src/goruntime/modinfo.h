/* modinfo: the module information a Go binary carries in its build info
 * (the text between the sentinels of runtime.modinfo), parsed the way
 * runtime/debug.ParseBuildInfo does, and the quoting rules that text uses.
 *
 * Pure: no I/O. collect/gobuild.c reads the text out of an executable;
 * report/buildinfo_text.c prints it back.
 */
#ifndef PREFLIGHT_GORUNTIME_MODINFO_H
#define PREFLIGHT_GORUNTIME_MODINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "facts/buildinfo.h"

/* Parses the modinfo text (between the sentinels) into ret's path, main,
 * deps and settings, the way runtime/debug.ParseBuildInfo does: unknown
 * lines are skipped, build keys and values may be Go-quoted ("..." or
 * `...`). ret must be zeroed or hold earlier results; on success its old
 * path, main, deps and settings are freed and replaced (go_version is
 * kept); on failure (-PF_EPARSE, -ENOMEM) ret is untouched.
 * Deviation from Go: text holding a NUL byte is refused. */
int gobuild_parse_modinfo(const char *text, size_t len, struct gobuild *ret, struct err *e);

/* runtime/debug's quoteKey and quoteValue: whether a build setting's key
 * or value (n bytes at s) must be written Go-quoted. */
bool modinfo_key_needs_quote(const char *s, size_t n);
bool modinfo_value_needs_quote(const char *s, size_t n);

#endif
