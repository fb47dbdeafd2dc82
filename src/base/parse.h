/* parse: strict number parsing for outside input.
 *
 * No atoi/strtol without full checking (systemd's rule): these accept the
 * whole string (surrounding ASCII whitespace allowed) or fail with -EINVAL,
 * and fail with -ERANGE on overflow.
 */
#ifndef PREFLIGHT_PARSE_H
#define PREFLIGHT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* The one decimal integer parser; every other entry point below is built
 * on it. The digits at the start of s, at most n bytes: *ret_len digits
 * were read. No sign, no space. -EINVAL when s does not start with a
 * digit; -ERANGE past UINT64_MAX. Reads byte by byte and stops at the
 * first non-digit, so s may be a C string shorter than n. */
int parse_u64_prefix(const char *s, size_t n, uint64_t *ret, size_t *ret_len);
/* Exactly the n bytes at s (need not be NUL-terminated), all digits: no
 * sign, no space. For fields cut out of a line. */
int parse_u64_n(const char *s, size_t n, uint64_t *ret);
/* A whole C string: digits (with a leading '-' for parse_i64), ASCII
 * whitespace around them allowed (a /proc file's "42\n"). */
int parse_u64(const char *s, uint64_t *ret);
int parse_i64(const char *s, int64_t *ret);
/* A whole C string as strtod reads it in the C locale (whatever
 * LC_NUMERIC says), whitespace around allowed. -ERANGE on overflow only:
 * like Go's strconv.ParseFloat, a value too small to represent becomes 0
 * or a subnormal, so Go's own output (memstats, Prometheus text) reads
 * back as Go wrote it. */
int parse_double(const char *s, double *ret);
/* The same, with underflow also -ERANGE: for numbers a person wrote (a
 * checklist), where 1e-400 silently becoming 0 would hide a mistake. */
int parse_double_exact(const char *s, double *ret);
/* A duration as every command's options take it: a non-negative number
 * with a unit ms, s, m or h, or bare (seconds): "200ms", "1.5s", "2m",
 * "3". Into seconds; -EINVAL otherwise. */
int parse_duration(const char *s, double *ret_seconds);

/* Splits s in place on runs of characters in seps; at most max fields.
 * Returns the number of fields. */
size_t split_fields(char *s, const char *seps, char **fields, size_t max);
/* Strips trailing whitespace in place; returns s. */
char *rstrip(char *s);

#endif
