/* buildinfo_text: a Go binary's build info as `go version -m` prints it. */
#ifndef PREFLIGHT_REPORT_BUILDINFO_TEXT_H
#define PREFLIGHT_REPORT_BUILDINFO_TEXT_H

#include "base/buf.h"
#include "facts/buildinfo.h"

/* Appends b's modinfo as runtime/debug.BuildInfo.String() prints it
 * without the "go" line: path, mod, dep, => and build lines, each ending
 * in '\n', build keys and values re-quoted with strconv.Quote rules,
 * and, like Go, an empty line after each "=>" line.
 * This is the text `go version -m` indents under its first line.
 * Returns 0 or a buf error (-E2BIG, -ENOMEM). */
int gobuild_string(const struct gobuild *b, struct buf *out);

#include <stdbool.h>
#include <stdio.h>

extern const char *const buildinfo_formats[];   /* tty, json */

/* One executable's build info. tty: exactly `go version -m FILE`'s text
 * ("FILE: goVERSION", then the modinfo lines behind a tab), with file and
 * lines escaped for the terminal when escape is set (a binary's module
 * paths are outside text); json: one object on one line (JSON lines,
 * docs/buildinfo.md). Returns 0, -ENOMEM, -E2BIG (modinfo too large) or
 * -EINVAL for another format. */
int buildinfo_render(FILE *out, const char *format, bool escape, const char *file, const struct gobuild *b);

#endif
