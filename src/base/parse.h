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

int parse_u64(const char *s, uint64_t *ret);
int parse_i64(const char *s, int64_t *ret);
int parse_double(const char *s, double *ret);
/* Parses the first n bytes of s (need not be NUL-terminated). */
int parse_u64_n(const char *s, size_t n, uint64_t *ret);
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
