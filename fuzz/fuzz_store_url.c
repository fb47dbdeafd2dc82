/* Fuzzes what a store name (--db, PREFLIGHT_DB) means: any input either
 * parses or fails with -PF_EPARSE and a message, never crashes or leaks.
 * A PostgreSQL URL's name for messages never shows a password: the
 * userinfo's after ':' and every password= value read "***". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static size_t count(const char *hay, const char *needle, size_t n)
{
	size_t k = 0;

	for (const char *q = hay; (q = memmem(q, strlen(q), needle, n)); q++)
		k++;
	return k;
}

/* name keeps the scheme; a userinfo password (between the first ':' and
 * the last '@' before the query) that occurs once in the URL does not
 * occur in name; every password= parameter in name reads "***". */
static void no_password(const char *url, const char *name)
{
	const char *p = strstr(url, "://"), *end, *at = NULL, *colon = NULL;
	size_t keep;

	if (!p)
		abort();
	p += 3;
	end = p + strcspn(p, "?#");
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at)
		colon = memchr(p, ':', (size_t)(at - p));
	keep = (size_t)(p - url);
	if (strncmp(name, url, keep) != 0)
		abort();
	if (colon && at - colon > 4 && count(url, colon + 1, (size_t)(at - colon - 1)) == 1 &&
	    count(name, colon + 1, (size_t)(at - colon - 1)) != 0)
		abort();
	for (const char *q = name; (q = strstr(q, "password=")); q += 9)
		if ((q == name || q[-1] == '?' || q[-1] == '&') && strncmp(q + 9, "***", 3) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1);
	struct store_url u;
	struct err e;

	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = 0;
	e.msg[0] = 0;
	if (store_url_parse(url, &u, &e) == 0) {
		if (!u.name || !u.target)
			abort();
		if (u.pg) {
			no_password(url, u.name);
			if (!strstr(u.target, "connect_timeout="))
				abort();
		}
		store_url_release(&u);
	} else if (!e.msg[0]) {
		abort();
	}
	free(url);
	return 0;
}
