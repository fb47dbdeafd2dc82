/* goquote: Go's string quoting, strconv.Quote and strconv.Unquote, for
 * text that Go wrote and that must round-trip the way Go reads it (the
 * build settings in a binary's build info, `go version -m` output).
 *
 * Pure: no I/O, no global state. Output goes to a caller's bounded buf.
 */
#ifndef PREFLIGHT_GOQUOTE_H
#define PREFLIGHT_GOQUOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* strconv.Quote of the C string s, appended to out: a double-quoted Go
 * string literal where bytes that are not UTF-8 become \xNN and runes
 * that strconv.IsPrint rejects become \a..\v, \xNN, \uNNNN or
 * \UNNNNNNNN. Returns 0 or a buf error (-E2BIG, -ENOMEM). */
int go_quote(struct buf *out, const char *s);

/* strconv.Unquote for the "..." and `...` forms: the quoted string at the
 * start of s (n bytes, need not be NUL-terminated) is unescaped into out,
 * which is reset first; *used is its length including the quotes, so the
 * caller can see what follows. Raw strings drop carriage returns.
 * Returns 0, -EINVAL on a syntax error, or a buf error. */
int go_unquote(const char *s, size_t n, struct buf *out, size_t *used);

/* strconv.IsPrint: whether Quote leaves rune r as it is. */
bool go_isprint(unsigned r);

#endif
