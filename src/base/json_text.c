#include "base/json_text.h"

#include <stdlib.h>

#include "base/utf8.h"

json_t *json_text(const char *s)
{
	json_t *v;
	char *clean;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	clean = utf8_sanitize(s);
	if (!clean)
		return NULL;
	v = json_string(clean);
	free(clean);
	return v;
}
