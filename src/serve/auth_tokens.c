/* auth_tokens: the tokens file's parser (auth_tokens.h). */
#include "serve/auth_tokens.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "launch/actions.h"
#include "notify/crypto.h"

void serve_tokens_free(struct serve_token *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].name);
		if (t[i].token) {
			crypto_wipe(t[i].token, strlen(t[i].token));
			free(t[i].token);
		}
	}
	free(t);
}

static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '@' || c == '-';
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t' || **s == '\r')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* One NAME:TOKEN entry of line ln. */
static int entry(const char *s, size_t n, const char *source, unsigned ln, struct serve_token *t, size_t have,
		 unsigned *lines, struct err *e)
{
	const char *colon = memchr(s, ':', n);
	size_t nl, tl;

	if (!colon)
		return err_set(e, -PF_EUSAGE, "%s line %u: not NAME:TOKEN", source, ln);
	nl = (size_t)(colon - s);
	tl = n - nl - 1;
	const char *tok = colon + 1;

	trim(&s, &nl);
	trim(&tok, &tl);
	if (nl == 0)
		return err_set(e, -PF_EUSAGE, "%s line %u: the name before ':' is empty", source, ln);
	if (nl > LAUNCH_MAX_ACTOR)
		return err_set(e, -PF_EUSAGE, "%s line %u: the name is longer than %d bytes", source, ln,
			       LAUNCH_MAX_ACTOR);
	for (size_t i = 0; i < nl; i++)
		if (!name_char((unsigned char)s[i]))
			return err_set(e, -PF_EUSAGE,
				       "%s line %u: a name has only letters, digits and . _ @ - (it is what events "
				       "record as the actor)",
				       source, ln);
	if (tl < SERVE_TOKEN_MIN)
		return err_set(e, -PF_EUSAGE, "%s line %u: the token of '%.*s' is shorter than %d bytes", source, ln,
			       (int)nl, s, SERVE_TOKEN_MIN);
	if (tl > SERVE_TOKEN_MAX)
		return err_set(e, -PF_EUSAGE, "%s line %u: the token of '%.*s' is longer than %d bytes", source, ln,
			       (int)nl, s, SERVE_TOKEN_MAX);
	for (size_t i = 0; i < tl; i++)
		if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] >= 0x7f)
			return err_set(e, -PF_EUSAGE,
				       "%s line %u: the token of '%.*s' has a space, a control or a non-ASCII byte",
				       source, ln, (int)nl, s);
	for (size_t i = 0; i < have; i++) {
		if (strlen(t[i].name) == nl && memcmp(t[i].name, s, nl) == 0)
			return err_set(e, -PF_EUSAGE, "%s line %u: the name '%.*s' is already given on line %u", source,
				       ln, (int)nl, s, lines[i]);
		if (strlen(t[i].token) == tl && memcmp(t[i].token, tok, tl) == 0)
			return err_set(e, -PF_EUSAGE, "%s line %u: the token of '%.*s' is already given to '%s' on line %u",
				       source, ln, (int)nl, s, t[i].name, lines[i]);
	}
	t[have].name = strndup(s, nl);
	t[have].token = strndup(tok, tl);
	if (!t[have].name || !t[have].token) {
		free(t[have].name);
		free(t[have].token);
		t[have].name = t[have].token = NULL;
		return err_set(e, -ENOMEM, "out of memory");
	}
	lines[have] = ln;
	return 0;
}

int serve_tokens_parse(const char *text, size_t len, const char *source, struct serve_token **ret, size_t *n,
		       struct err *e)
{
	struct serve_token *t = NULL;
	unsigned *lines = NULL;
	size_t have = 0, cap = 0, pos = 0;
	unsigned ln = 0;
	int r = 0;

	*ret = NULL;
	*n = 0;
	if (memchr(text, '\0', len))
		return err_set(e, -PF_EUSAGE, "%s holds a NUL byte: not a tokens file", source);
	while (pos < len && r == 0) {
		const char *line = text + pos, *nlp = memchr(line, '\n', len - pos);
		size_t ll = nlp ? (size_t)(nlp - line) : len - pos;

		pos += ll + (nlp ? 1 : 0);
		ln++;
		trim(&line, &ll);
		if (ll == 0 || line[0] == '#')
			continue;
		/* comma-separated entries on one line ($PREFLIGHT_TOKENS) */
		while (ll && r == 0) {
			const char *comma = memchr(line, ',', ll);
			size_t el = comma ? (size_t)(comma - line) : ll;
			const char *es = line;

			line += el + (comma ? 1 : 0);
			ll -= el + (comma ? 1 : 0);
			trim(&es, &el);
			if (el == 0)
				continue;
			if (have == cap) {
				size_t nc = cap ? cap * 2 : 8;
				struct serve_token *nt = realloc(t, nc * sizeof(*t));
				unsigned *nlines;

				if (!nt) {
					r = err_set(e, -ENOMEM, "out of memory");
					break;
				}
				t = nt;
				nlines = realloc(lines, nc * sizeof(*lines));
				if (!nlines) {
					r = err_set(e, -ENOMEM, "out of memory");
					break;
				}
				lines = nlines;
				cap = nc;
			}
			r = entry(es, el, source, ln, t, have, lines, e);
			if (r == 0)
				have++;
		}
	}
	free(lines);
	if (r < 0) {
		serve_tokens_free(t, have);
		return r;
	}
	*ret = t;
	*n = have;
	return 0;
}
