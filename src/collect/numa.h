/* numa: NUMA nodes, online CPUs and SMT, from /sys/devices/system.
 *
 * Reads through a root prefix ("" = the live system). Only nodes that hold
 * CPUs count (memory-only nodes, such as CXL or PMEM, cannot run the
 * service). A kernel without NUMA support has no node directory; the
 * machine is then one node holding every online CPU.
 */
#ifndef PREFLIGHT_NUMA_H
#define PREFLIGHT_NUMA_H

#include "facts/facts.h"

/* Fills ret. threads_per_core is 0 when the sibling list of the first
 * online CPU is unreadable. Returns 0, or a negative code (also in
 * ret->err and ret->errmsg) when the online CPU list or a node's CPU list
 * cannot be read, or there are more than NUMA_MAX_NODES nodes with CPUs. */
int numa_collect(const char *root, struct numa_facts *ret);

#endif
