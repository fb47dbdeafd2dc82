/* netns (collect): is the target in another network namespace than
 * preflight, and if so, open it so that the census, the attribution of
 * its sockets, the probes of its listeners, TcpExt counters and the net.*
 * sysctls are the target's (io/netns.h makes the sockets there).
 *
 * What is per network namespace and what is host-wide is in
 * docs/collectors.md ("Containers").
 */
#ifndef PREFLIGHT_COLLECT_NETNS_H
#define PREFLIGHT_COLLECT_NETNS_H

#include <sys/types.h>

#include "facts/facts.h"
#include "io/netns.h"

/* Compares root/proc/PID/ns/net with our own namespace and fills ret.
 * Returns
 *   1  the target's namespace is another one: ns is open (close it with
 *      netns_close) and ret->whose is NETNS_TARGET;
 *   0  it is ours (ret->whose NETNS_OWN), or it cannot be told
 *      (NETNS_UNKNOWN: the link is unreadable without ptrace access, and
 *      ret->desc says so); ns is closed;
 *   <0 it is another one and cannot be entered (no CAP_SYS_ADMIN):
 *      ret->err says "/proc/PID/ns/net: Operation not permitted (...)";
 *      ns is closed.
 * A fixture tree (root not "") has no namespaces: always NETNS_OWN. */
int target_netns_open(const char *root, pid_t pid, struct netns *ns, struct netns_facts *ret);

/* The evidence value for a namespace link: "target (net:[4026532281])". */
void target_netns_describe(struct netns_facts *ret);

#endif
