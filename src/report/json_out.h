/* json_out: every JSON document preflight writes goes out through here,
 * indented by two, keys in insertion order, and each real number in the
 * shortest form that reads back to the same double (0.7, not
 * 0.69999999999999996; 1e-07, not 9.9999999999999995e-08). jansson 2.14
 * (Debian 12) prints every real with one fixed precision, which is either
 * too long for some values or too short for others, so the numbers are
 * formatted here and everything else (string escaping) is jansson's.
 */
#ifndef PREFLIGHT_JSON_OUT_H
#define PREFLIGHT_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

/* Writes doc and a newline. Returns 0, -ENOMEM, or -EIO when the stream
 * reports an error. */
int json_out_dump(const json_t *doc, FILE *out);

/* Same, on one line with no spaces (for JSON lines: one event a line). */
int json_out_dump_compact(const json_t *doc, FILE *out);

/* doc in the indented form as a string, without the final newline, for
 * formats that embed JSON in their own text (JUnit's system-out). The
 * caller frees it; NULL when memory runs out. */
char *json_out_dumps(const json_t *doc);

/* The shortest "%.Ng" (N = 1..17) of v that strtod reads back exactly,
 * with ".0" added when that form has neither a point nor an exponent, so
 * a reader still sees a real (-0.0 stays "-0.0"); NaN and infinities (not
 * JSON) as null. buf holds at least 32 bytes. */
void json_out_real(double v, char *buf, size_t n);

#endif
