/* launch_svg: the inline SVG charts of the html report of a run
 * (launch_html.c), drawn here so the page needs nothing from the network:
 * status by module and by environment (stacked bars), time to close per
 * item, and overdue items by how late. Each chart scales to its
 * container (viewBox, width 100%) and carries its numbers as text and
 * <title> tooltips, so it reads in print, on a phone and without colour. */
#ifndef PREFLIGHT_LAUNCH_SVG_H
#define PREFLIGHT_LAUNCH_SVG_H

#include <stdio.h>

#include "report/launch_common.h"

/* Outside text for HTML or SVG, in text or a quoted attribute: & < > " '
 * as references; control characters, noncharacters and bytes that are
 * not UTF-8 as U+FFFD, which HTML (and XML) may not carry. */
void launch_html_text(FILE *out, const char *s);

/* The CSS fill of a status ("#2e7d32"). */
const char *launch_status_fill(enum item_status s);

enum launch_group { LAUNCH_BY_MODULE, LAUNCH_BY_ENV };
int launch_svg_status_by(FILE *out, const struct launch_sel *s, enum launch_group by);
int launch_svg_time_to_close(FILE *out, const struct launch_sel *s);
/* Writes nothing and returns 0 when no shown item is overdue. */
int launch_svg_overdue(FILE *out, const struct launch_sel *s);

#endif
