/* array: the one way to grow a doubling array of any element type. */
#ifndef PREFLIGHT_ARRAY_H
#define PREFLIGHT_ARRAY_H

#include <stddef.h>

/* Makes room for element n of an array whose pointer is at items (a
 * `T **`), with *cap elements of elem bytes allocated: doubles it, or
 * allocates first elements the first time. Returns 0, or -ENOMEM with the
 * array left as it was. */
int array_reserve(void *items, size_t *cap, size_t n, size_t elem, size_t first);

#endif
