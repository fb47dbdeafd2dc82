/* sysctl: the host-wide kernel settings preflight judges, from
 * root/proc/sys. Note that the net.* values are those of the reader's
 * network namespace. */
#ifndef PREFLIGHT_SYSCTL_H
#define PREFLIGHT_SYSCTL_H

#include "facts/facts.h"

/* Fills ret. A missing, unreadable or malformed file leaves its value
 * unset (set = false): kernels differ in what they have, and a check that
 * needs a value says it is absent. Always returns 0. */
int sysctl_collect(const char *root, struct sysctl_facts *ret);

#endif
