/* sockdiag: TCP sockets from the kernel over NETLINK_SOCK_DIAG, the way
 * ss(8) reads them: the kernel filters by state, we only count or visit.
 */
#ifndef PREFLIGHT_SOCKDIAG_H
#define PREFLIGHT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "facts/sockets.h"




/* Called once per socket; return non-zero to stop the dump early. */
typedef int (*sockdiag_visit_fn)(const struct sock_entry *s, void *arg);

/* Dumps TCP sockets of both families in the given state mask
 * (1u << state; ~0u for all) and calls visit for each.
 * Returns 0 or a negative errno (with e filled).
 *
 * Request sockets (NEW_SYN_RECV) are SYN_RECV here, as in ss and
 * /proc/net/tcp: either bit selects both, and visit sees state SYN_RECV.
 * Bound-only sockets (TCP_BOUND_INACTIVE, Linux 6.5+) are never dumped.
 * The dump covers the caller's network namespace only and is not an atomic
 * snapshot: sockets that change state during it may be seen twice or not
 * at all. It stops early (returning 0) when visit returns non-zero. */
int sockdiag_dump(uint32_t state_mask, sockdiag_visit_fn visit, void *arg, struct err *e);

/* Counts host-wide TCP sockets per state over IPv4 and IPv6 into
 * counts[TCP_STATE_MAX] (zeroed first). Request sockets count as SYN_RECV,
 * so counts[TCPS_NEW_SYN_RECV] stays 0 and counts[TCPS_SYN_RECV] equals
 * what `ss -tan state syn-recv` lists. */
int sockdiag_census(uint64_t counts[TCP_STATE_MAX], struct err *e);

/* Walks one datagram of a dump reply (the wire format, for tests and
 * recorded answers): messages whose nlmsg_seq is not seq are skipped. buf
 * needs no particular alignment and nothing past len is read.
 * Returns 0 when more datagrams would follow, 1 at NLMSG_DONE, 2 when visit
 * stopped the walk, or a negative errno (an NLMSG_ERROR's code, -PF_EPARSE
 * for malformed input) with e filled. */
int sockdiag_parse(const void *buf, size_t len, uint32_t seq, sockdiag_visit_fn visit, void *arg,
		   struct err *e);


#endif
