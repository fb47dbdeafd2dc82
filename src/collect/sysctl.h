/* sysctl: the kernel settings preflight judges, from root/proc/sys.
 * The net.* values are per network namespace (what /proc/sys/net shows
 * follows the namespace of whoever opens the file); fs.* are host-wide. */
#ifndef PREFLIGHT_SYSCTL_H
#define PREFLIGHT_SYSCTL_H

#include "facts/facts.h"
#include "io/netns.h"

/* Fills ret. A missing, unreadable or malformed file leaves its value
 * unset (set = false): kernels differ in what they have, and a check that
 * needs a value says it is absent. Always returns 0. The net.* values are
 * those of the reader's network namespace. */
int sysctl_collect(const char *root, struct sysctl_facts *ret);

/* The same with the net.* files opened in ns (the target's network
 * namespace, io/netns.h); ns NULL = sysctl_collect. */
int sysctl_collect_in(const char *root, const struct netns *ns, struct sysctl_facts *ret);

/* Only the host-wide fs.* values, every net.* one left unset: for a target
 * whose network namespace could not be entered (ours are not its). */
int sysctl_collect_host(const char *root, struct sysctl_facts *ret);

#endif
