/* Fuzzes what turns a POST body of the API into an action's fields
 * (src/serve/api_body.c): any bytes, under any of a few content types,
 * either give fields or are refused with 400 or 415 and a message; never
 * a crash, a leak or a hang. What is accepted is a JSON object whose
 * fields the call knows, each field given pointing at a string of that
 * object; every message is printable ASCII (it is answered to the client
 * in a JSON error, and reaches the log). The first byte chooses the call
 * (bit 0) and the content type (bits 1-2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/api.h"

static void is_field(json_t *root, const char *key, const char *v)
{
	if (v && json_string_value(json_object_get(root, key)) != v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "application/json", "Application/JSON; charset=utf-8", "text/plain",
					     NULL };
	struct api_body b;
	struct err e = { "" };
	enum api_body_kind kind;
	const char *ct;
	char *body;
	int status;

	if (!size)
		return 0;
	kind = data[0] & 1 ? API_BODY_CLOSE : API_BODY_ACT;
	ct = types[(data[0] >> 1) & 3];
	body = malloc(size);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	status = api_body_parse(body, size - 1, ct, kind, &b, &e);
	if (status == 0) {
		if (size > 1 && !json_is_object(b.root))
			abort();
		if (size > 1 && (!ct || strstr(ct, "text")))
			abort();
		is_field(b.root, "reason", b.reason);
		is_field(b.root, "change", b.change);
		is_field(b.root, "rca", b.rca);
		if (kind == API_BODY_CLOSE ? b.reason || b.change : b.rca != NULL)
			abort();
	} else {
		if ((status != 400 && status != 415) || b.root || !e.msg[0])
			abort();
		for (const char *p = e.msg; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				abort();
	}
	api_body_release(&b);
	free(body);
	return 0;
}
