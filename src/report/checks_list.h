/* checks_list: the renderer of `preflight list-checks`. */
#ifndef PREFLIGHT_REPORT_CHECKS_LIST_H
#define PREFLIGHT_REPORT_CHECKS_LIST_H

#include <stddef.h>
#include <stdio.h>

#include "check/check.h"

extern const char *const checks_list_formats[];   /* tty, json, markdown */

/* Every check with its layer, title and parameters (defaults and help).
 * Returns 0, -EINVAL for another format, -ENOMEM. */
int checks_list_render(const struct check_def *defs, size_t n, const char *format, FILE *out);

#endif
