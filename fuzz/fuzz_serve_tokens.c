/* Fuzzes the tokens file of `preflight serve` (src/serve/auth_tokens.c):
 * any input either parses or is refused with a message naming the source
 * and the line, never crashes or leaks, and never echoes a token. A parsed
 * file has valid names, tokens of 16 to 4096 bytes without spaces or
 * control bytes, and no name or token twice. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/auth_tokens.h"

static void valid(const struct serve_token *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t tl = strlen(t[i].token);

		if (!t[i].name[0] || tl < SERVE_TOKEN_MIN || tl > SERVE_TOKEN_MAX)
			abort();
		for (const char *c = t[i].name; *c; c++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-", *c))
				abort();
		for (const unsigned char *c = (const unsigned char *)t[i].token; *c; c++)
			if (*c <= 0x20 || *c >= 0x7f || *c == ',')
				abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t[i].name, t[j].name) || !strcmp(t[i].token, t[j].token))
				abort();
	}
}

/* Whether piece occurs inside the name part (before the first ':') of an
 * entry: names are shown in messages, so a "token" that is also part of a
 * name may be too. */
static bool in_a_name(const char *text, size_t len, const char *piece, size_t pl)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != ',' && text[i] != '\n')
			continue;
		const char *colon = memchr(text + start, ':', i - start);
		size_t nl = colon ? (size_t)(colon - (text + start)) : i - start;

		if (memmem(text + start, nl, piece, pl))
			return true;
		start = i + 1;
	}
	return false;
}

/* The text after each ':' up to ',' or a newline: what a token would be.
 * Unless it is also in a name (names are shown), it must not be in the
 * message. Short pieces could be words of the message itself. */
static void no_token_in(const char *text, size_t len, const char *msg)
{
	for (size_t i = 0; i < len; i++) {
		if (text[i] != ':')
			continue;
		size_t s = i + 1, e = s;

		while (e < len && text[e] != ',' && text[e] != '\n')
			e++;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
			e--;
		if (e - s < 12 || memchr(text + s, '\0', e - s))
			continue;   /* short, or not text (refused whole) */
		if (memmem(msg, strlen(msg), text + s, e - s) && !in_a_name(text, len, text + s, e - s))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct serve_token *t = NULL;
	struct err e = { "" };
	size_t n = 0;
	int r = serve_tokens_parse((const char *)data, size, "tokens", &t, &n, &e);

	if (r == 0) {
		valid(t, n);
		serve_tokens_free(t, n);
		return 0;
	}
	if (t || n || strncmp(e.msg, "tokens", 6) != 0)
		abort();
	no_token_in((const char *)data, size, e.msg);
	return 0;
}
