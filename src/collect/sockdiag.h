/* sockdiag: TCP sockets from the kernel over NETLINK_SOCK_DIAG, the way
 * ss(8) reads them: the kernel filters by state, we only count or visit.
 *
 * The answers can be recorded to a file and replayed from one
 * (io/netlink.h has the format), as ss records with -D FILE and replays
 * $TCPDIAG_FILE: with PREFLIGHT_NETLINK_REPLAY=FILE in the environment,
 * every dump in the process reads FILE instead of asking the kernel, so
 * the census and the attribution of sockets to a process (preflight check
 * --root FIXTURE) are testable offline on real kernel answers.
 */
#ifndef PREFLIGHT_SOCKDIAG_H
#define PREFLIGHT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "facts/sockets.h"
#include "io/netns.h"

/* Names a recording that every dump without an explicit source replays. */
#define SOCKDIAG_REPLAY_ENV "PREFLIGHT_NETLINK_REPLAY"

/* Where a dump's answers come from and where they also go. A NULL source,
 * or one with neither replay field set, asks the kernel unless
 * PREFLIGHT_NETLINK_REPLAY names a recording. */
struct sockdiag_source {
	const char *replay;        /* a recording to read instead of the kernel */
	FILE *replay_stream;       /* the same, already open (tests, fuzzers); wins over replay */
	FILE *record;              /* write each answer datagram here as a recording (io/netlink.h) */
	/* Ask about this network namespace's sockets (io/netns.h: the netlink
	 * socket is made there); NULL = the caller's. A recording holds the
	 * answers of whichever namespace it was made in; replaying ignores it. */
	const struct netns *netns;
};

/* Called once per socket; return non-zero to stop the dump early. */
typedef int (*sockdiag_visit_fn)(const struct sock_entry *s, void *arg);

/* Dumps TCP sockets of both families in the given state mask
 * (1u << state; ~0u for all) and calls visit for each.
 * Returns 0 or a negative errno (with e filled).
 *
 * Request sockets (NEW_SYN_RECV) are SYN_RECV here, as in ss and
 * /proc/net/tcp: either bit selects both, and visit sees state SYN_RECV.
 * Bound-only sockets (TCP_BOUND_INACTIVE, Linux 6.5+) are never dumped.
 * The dump covers one network namespace only (the caller's, or
 * src->netns) and is not an atomic snapshot: sockets that change state
 * during it may be seen twice or not at all. It stops early (returning 0) when visit returns non-zero. */
int sockdiag_dump(uint32_t state_mask, sockdiag_visit_fn visit, void *arg, struct err *e);
/* The same from src. A replayed recording may hold more states than
 * asked for (it was made with another mask): visit still sees only the
 * states in state_mask. */
int sockdiag_dump_from(const struct sockdiag_source *src, uint32_t state_mask, sockdiag_visit_fn visit,
		       void *arg, struct err *e);

/* Counts host-wide TCP sockets per state over IPv4 and IPv6 into
 * counts[TCP_STATE_MAX] (zeroed first). Request sockets count as SYN_RECV,
 * so counts[TCPS_NEW_SYN_RECV] stays 0 and counts[TCPS_SYN_RECV] equals
 * what `ss -tan state syn-recv` lists. */
int sockdiag_census(uint64_t counts[TCP_STATE_MAX], struct err *e);
int sockdiag_census_from(const struct sockdiag_source *src, uint64_t counts[TCP_STATE_MAX], struct err *e);

/* Walks one datagram of a dump reply (the wire format, for tests and
 * recorded answers): messages whose nlmsg_seq is not seq are skipped. buf
 * needs no particular alignment and nothing past len is read.
 * Returns 0 when more datagrams would follow, 1 at NLMSG_DONE, 2 when visit
 * stopped the walk, or a negative errno (an NLMSG_ERROR's code, -PF_EPARSE
 * for malformed input) with e filled. */
int sockdiag_parse(const void *buf, size_t len, uint32_t seq, sockdiag_visit_fn visit, void *arg,
		   struct err *e);


#endif
