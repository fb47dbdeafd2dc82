/* auth_tokens: the tokens file of `preflight serve` (docs/serve.md,
 * "Tokens"): NAME:TOKEN entries, one per line or comma-separated, '#'
 * comment lines. The parser is outside input's first reader, so it has a
 * fuzz target (fuzz/fuzz_serve_tokens.c). */
#ifndef PREFLIGHT_SERVE_AUTH_TOKENS_H
#define PREFLIGHT_SERVE_AUTH_TOKENS_H

#include <stddef.h>

#include "base/err.h"

#define SERVE_TOKEN_MIN 16
#define SERVE_TOKEN_MAX 4096

struct serve_token {
	char *name;     /* what events record as the actor */
	char *token;
};

/* Parses len bytes of text from source (a file name, or
 * "$PREFLIGHT_TOKENS") into *ret (n entries; serve_tokens_free). Returns
 * 0, or -PF_EUSAGE with "SOURCE line N: ..." in e (never the token
 * itself): a line that is not NAME:TOKEN, a name with other than letters,
 * digits and ._@-, a token shorter than 16 bytes or with spaces or
 * control bytes, a name or a token given twice. */
int serve_tokens_parse(const char *text, size_t len, const char *source, struct serve_token **ret, size_t *n,
		       struct err *e);
void serve_tokens_free(struct serve_token *t, size_t n);

#endif
