#include "base/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *items, size_t *cap, size_t n, size_t elem, size_t first)
{
	void *old, *p;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap : first;
	while (nc && nc <= n && nc <= SIZE_MAX / 2)
		nc *= 2;
	if (!nc || nc <= n || nc > SIZE_MAX / elem)
		return -ENOMEM;
	/* memcpy, because the caller's pointer is a T *, not a void *. */
	memcpy(&old, items, sizeof(old));
	p = realloc(old, nc * elem);
	if (!p)
		return -ENOMEM;
	memcpy(items, &p, sizeof(p));
	*cap = nc;
	return 0;
}
