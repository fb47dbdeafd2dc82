/* array: the one way to grow a doubling array of any element type. */
#ifndef PREFLIGHT_ARRAY_H
#define PREFLIGHT_ARRAY_H

#include <stddef.h>

/* Makes room for element n of an array whose pointer is at items (a
 * `T **`), with *cap elements of elem bytes allocated: doubles it (as
 * often as it takes to pass n), or allocates first elements the first
 * time. Appending one at a time, n is the count so far; to hold n
 * elements at once, ask for element n - 1. Returns 0, or -ENOMEM with the
 * array left as it was (also when the size would overflow). */
int array_reserve(void *items, size_t *cap, size_t n, size_t elem, size_t first);

#endif
