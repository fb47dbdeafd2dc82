/* census: the renderers of `preflight tcp-census`. */
#ifndef PREFLIGHT_REPORT_CENSUS_H
#define PREFLIGHT_REPORT_CENSUS_H

#include <stdint.h>
#include <stdio.h>

#include "facts/sockets.h"

extern const char *const census_formats[];   /* tty, json, prom */

/* tty: "state N" lines; json: {"established":N,...}; prom: node_exporter
 * textfile lines preflight_tcp_sockets{state="..."} N. Returns 0, or
 * -EINVAL for another format. Write errors show on the stream. */
int census_render(const uint64_t counts[TCP_STATE_MAX], const char *format, FILE *out);

#endif
