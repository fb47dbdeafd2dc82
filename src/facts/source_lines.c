/* The lookup and release of source_lines (facts/goroutines.h): pure. */
#include <stdlib.h>
#include <string.h>

#include "facts/goroutines.h"

const char *source_lines_find(const struct source_lines *s, const char *file, int line)
{
	size_t lo = 0, hi = s ? s->n : 0;

	if (!file)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].file, file);

		if (!c)
			c = (s->v[mid].line > line) - (s->v[mid].line < line);
		if (!c)
			return s->v[mid].text;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void source_lines_release(struct source_lines *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].file);
		free(s->v[i].text);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
