/* Fuzzes the session cookie check of `preflight serve` (src/serve/auth.c),
 * the one parser of a cookie's value: any value either passes or is
 * -EACCES, never crashes or leaks. A value that is not one this key
 * signed never passes; one it signed for the input's first bytes as a name
 * passes with that name and the same CSRF token every time, and fails once
 * expired. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

static struct serve_auth *auth;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct serve_config c;
	struct err e = { "" };

	(void)argc, (void)argv;
	serve_config_defaults(&c);
	setenv("PREFLIGHT_TOKENS", "ann:0123456789abcdef0123", 1);
	if (serve_auth_load(&c, &auth, &e) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cookie = strndup((const char *)data, size), name[200], csrf[80], csrf2[80], issued[600];
	const int64_t now = 1800000000000;

	if (!cookie)
		return 0;
	/* forged: never accepted (a signature cannot be guessed) */
	if (serve_auth_session_check(auth, cookie, now, name, sizeof(name), csrf, sizeof(csrf)) != -EACCES)
		abort();

	/* issued for a name made of the input: accepted until it expires */
	size_t nl = strcspn(cookie, "\n");

	if (nl > 0 && nl <= 128) {
		cookie[nl] = '\0';
		if (serve_auth_session_issue(auth, cookie, now, 60, issued, sizeof(issued)) == 0) {
			if (serve_auth_session_check(auth, issued, now, name, sizeof(name), csrf, sizeof(csrf)) != 0 ||
			    strcmp(name, cookie) != 0 ||
			    serve_auth_session_check(auth, issued, now + 1, NULL, 0, csrf2, sizeof(csrf2)) != 0 ||
			    strcmp(csrf, csrf2) != 0 ||
			    serve_auth_session_check(auth, issued, now + 60001, NULL, 0, NULL, 0) != -EACCES)
				abort();
		}
	}
	free(cookie);
	return 0;
}
