/* api_body: a POST body of the API into the action's fields (api.h).
 * jansson parses; this file only decides what a body may hold. */
#include <string.h>
#include <strings.h>

#include "serve/api.h"

struct field {
	const char *name;
	size_t off;          /* of the const char * in struct api_body */
};

#define F(name) { #name, offsetof(struct api_body, name) }
static const struct field act_fields[] = { F(reason), F(change), { NULL, 0 } };
static const struct field close_fields[] = { F(rca), { NULL, 0 } };
#undef F

/* A copy of outside text fit for a message whatever it holds: printable
 * ASCII kept, anything else '?', at most len - 1 bytes (so a cut never
 * splits a UTF-8 sequence into invalid bytes). */
static void safe_copy(char *buf, size_t len, const char *s)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
}

/* "application/json", any case, alone or followed by parameters. */
static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n))
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static void names(const struct field *f, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; f->name && used < len; f++) {
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", f->name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int api_body_parse(const char *body, size_t len, const char *content_type, enum api_body_kind kind,
		   struct api_body *ret, struct err *e)
{
	const struct field *fields = kind == API_BODY_CLOSE ? close_fields : act_fields;
	json_error_t je;
	const char *key;
	json_t *v;

	memset(ret, 0, sizeof(*ret));
	if (!body || !len)
		return 0;
	if (!is_json_type(content_type)) {
		char ct[64];

		safe_copy(ct, sizeof(ct), content_type);
		err_set(e, -PF_EPARSE, "the body must be application/json, not %s%s%s", content_type ? "'" : "",
			content_type ? ct : "a body without a Content-Type", content_type ? "'" : "");
		return 415;
	}
	ret->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!ret->root) {
		char text[sizeof(je.text)];

		safe_copy(text, sizeof(text), je.text);
		err_set(e, -PF_EPARSE, "malformed JSON at line %d, column %d: %s", je.line, je.column, text);
		return 400;
	}
	if (!json_is_object(ret->root)) {
		api_body_release(ret);
		err_set(e, -PF_EPARSE, "the body must be a JSON object");
		return 400;
	}
	json_object_foreach(ret->root, key, v) {
		const struct field *f = fields;
		char name[64], known[64];

		while (f->name && strcmp(f->name, key))
			f++;
		safe_copy(name, sizeof(name), key);
		if (!f->name) {
			names(fields, known, sizeof(known));
			err_set(e, -PF_EPARSE, "unknown field '%s'; this call takes %s", name, known);
			api_body_release(ret);
			return 400;
		}
		if (json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			err_set(e, -PF_EPARSE, "field '%s' must be a string", name);
			api_body_release(ret);
			return 400;
		}
		*(const char **)(void *)((char *)ret + f->off) = json_string_value(v);
	}
	return 0;
}

void api_body_release(struct api_body *b)
{
	json_decref(b->root);
	memset(b, 0, sizeof(*b));
}
