/* json_text: a JSON string from outside bytes. jansson refuses strings that
 * are not UTF-8, which would make an evidence key or report field vanish;
 * here invalid bytes become U+FFFD instead. */
#ifndef PREFLIGHT_JSON_TEXT_H
#define PREFLIGHT_JSON_TEXT_H

#include <jansson.h>

/* A new reference: json_null() for NULL, the string otherwise; NULL only
 * when memory runs out. */
json_t *json_text(const char *s);

#endif
