/* board_back: which board page a form's back field names, with its
 * filters (board.h). back is outside input: a fuzz target reads it
 * (fuzz/fuzz_board_back.c). Only the board's own page shapes are
 * recognised; anything else is BACK_OTHER. */
#include "serve/board.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s in place ('+' is a space in a query); a bad escape
 * stays as it is. */
static void decode(char *s, bool query)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		int h, l;

		if (*p == '%' && (h = hexval(p[1])) >= 0 && (l = hexval(p[2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			p += 2;
		} else if (query && *p == '+') {
			*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* A positive run id of a path segment or a query value. */
static int64_t run_number(const char *s)
{
	int64_t n;

	if (!*s || strspn(s, "0123456789") != strlen(s) || parse_i64(s, &n) < 0 || n <= 0)
		return 0;
	return n;
}

static void query(char *q, struct board_back *b)
{
	char *save = NULL;

	for (char *arg = strtok_r(q, "&", &save); arg; arg = strtok_r(NULL, "&", &save)) {
		char *val = strchr(arg, '=');

		if (!val)
			continue;
		*val++ = '\0';
		decode(arg, true);
		decode(val, true);
		if (!strcmp(arg, "env"))
			b->filter.env = val;
		else if (!strcmp(arg, "module"))
			b->filter.module = val;
		else if (!strcmp(arg, "owner"))
			b->filter.owner = val;
		else if (!strcmp(arg, "status"))
			b->filter.status = val;
		else if (!strcmp(arg, "overdue"))
			b->filter.overdue = !strcmp(val, "1");
		else if (!strcmp(arg, "run"))
			b->run_id = run_number(val);
	}
}

int board_back_parse(const char *back, struct board_back *ret)
{
	char *path, *q, *seg[5] = { 0 }, *save = NULL;
	size_t n = 0;

	memset(ret, 0, sizeof(*ret));
	ret->page = BACK_OTHER;
	if (!back || !board_local_path(back))
		return 0;
	if (!(ret->storage = strdup(back)))
		return -ENOMEM;
	path = ret->storage;
	if ((q = strchr(path, '#')))
		*q = '\0';
	if ((q = strchr(path, '?')))
		*q++ = '\0';
	for (char *s = strtok_r(path, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == sizeof(seg) / sizeof(seg[0]))
			return 0;
		seg[n++] = s;
	}
	if (n == 1 && !strcmp(seg[0], "followups")) {
		ret->page = BACK_FOLLOWUPS;
		if (q)
			query(q, ret);
		ret->filter = (struct board_filter){ 0 };
		return 0;
	}
	if (n < 2 || strcmp(seg[0], "runs") || !(ret->run_id = run_number(seg[1])))
		return 0;
	if (n == 2) {
		ret->page = BACK_RUN;
		if (q)
			query(q, ret);
		ret->run_id = run_number(seg[1]);
		return 0;
	}
	if (n == 4 && !strcmp(seg[2], "items")) {
		decode(seg[3], false);
		if (!*seg[3])
			return 0;
		ret->item_id = seg[3];
		ret->page = BACK_ITEM;
	}
	return 0;
}

void board_back_release(struct board_back *b)
{
	free(b->storage);
	b->storage = NULL;
}
