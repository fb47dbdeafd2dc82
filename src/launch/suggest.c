/* suggest: the ids of a run's items closest to a mistyped one, for the
 * "has no item 'x'; its items: ..." messages of every caller. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/actions.h"

/* Levenshtein distance, capped: ids are at most 64 characters. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 64;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			bool same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
			size_t sub = prev[j - 1] + !same;
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

void launch_suggest_items(const struct run_view *v, const char *want, char *buf, size_t len, size_t max)
{
	size_t used = 0, shown = 0, *dist = calloc(v->n_items ? v->n_items : 1, sizeof(*dist));

	buf[0] = '\0';
	if (!dist)
		return;
	for (size_t i = 0; i < v->n_items; i++)
		dist[i] = edit_distance(v->items[i].id, want);
	/* Closest first; ties keep the checklist's order. */
	while (shown < max && shown < v->n_items) {
		size_t best = SIZE_MAX;
		int w;

		for (size_t i = 0; i < v->n_items; i++)
			if (dist[i] != SIZE_MAX - 1 && (best == SIZE_MAX || dist[i] < dist[best]))
				best = i;
		if (best == SIZE_MAX)
			break;
		dist[best] = SIZE_MAX - 1;   /* shown */
		w = snprintf(buf + used, len - used, "%s%s", shown ? ", " : "", v->items[best].id);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
		shown++;
	}
	if (shown < v->n_items && len - used > 5)
		snprintf(buf + used, len - used, ", ...");
	free(dist);
}
