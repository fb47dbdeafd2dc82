/* utf8: strings from outside (paths, process names, env values, build
 * settings) are bytes, not necessarily UTF-8. Every output format needs
 * valid UTF-8 plus its own escaping; this is the one decoder they share. */
#ifndef PREFLIGHT_UTF8_H
#define PREFLIGHT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"   /* U+FFFD */

/* Decodes the sequence at s (n bytes available): returns its length (1-4)
 * and its code point in *ret_cp, or 0 when s does not start a valid
 * shortest-form sequence (overlong forms, surrogates and code points above
 * U+10FFFF are invalid). */
size_t utf8_next(const char *s, size_t n, unsigned *ret_cp);

/* Whether all n bytes at s are valid UTF-8 (an embedded NUL is valid). */
bool utf8_valid(const char *s, size_t n);

/* Encodes cp into out (4 bytes) and returns its length; a surrogate or a
 * code point above U+10FFFF is written as U+FFFD, as Go's utf8.EncodeRune
 * does. */
size_t utf8_encode(unsigned cp, char out[4]);

/* Returns the text to write for code point cp instead of the character
 * itself, or NULL to copy it as is. scratch (8 bytes) is the callee's to
 * build a replacement in. */
typedef const char *(*utf8_escape_fn)(unsigned cp, char scratch[8], void *arg);

/* Writes s (NULL = nothing) through escape; bytes that are not UTF-8
 * become U+FFFD. */
void utf8_write_escaped(FILE *out, const char *s, utf8_escape_fn escape, void *arg);

/* A malloc'ed copy of s with every byte that is not UTF-8 replaced by
 * U+FFFD; NULL on allocation failure. */
char *utf8_sanitize(const char *s);

#endif
