/* sockdiag: TCP sockets from the kernel over NETLINK_SOCK_DIAG, the way
 * ss(8) reads them: the kernel filters by state, we only count or visit.
 */
#ifndef PREFLIGHT_SOCKDIAG_H
#define PREFLIGHT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Kernel TCP state numbers (include/net/tcp_states.h); index into census
 * arrays. 0 is unused. */
enum tcp_state {
	TCPS_ESTABLISHED = 1, TCPS_SYN_SENT, TCPS_SYN_RECV, TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2, TCPS_TIME_WAIT, TCPS_CLOSE, TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK, TCPS_LISTEN, TCPS_CLOSING, TCPS_NEW_SYN_RECV,
	TCP_STATE_MAX
};

/* The evidence key of each state ("established", "time_wait", ...);
 * NULL for 0 and NEW_SYN_RECV. */
const char *tcp_state_key(int state);

/* One socket as the kernel reported it. Addresses are in network byte
 * order; IPv4 addresses use the first 4 bytes. */
struct sock_entry {
	uint8_t family;          /* AF_INET or AF_INET6 */
	uint8_t state;           /* enum tcp_state */
	uint16_t sport, dport;   /* host byte order */
	uint8_t src[16], dst[16];
	uint32_t rqueue, wqueue; /* LISTEN: accept queue length and backlog limit */
	uint32_t uid;
	uint64_t inode;
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

/* Formats "addr:port" ("[v6]:port" for IPv6) of the local or remote side. */
void sock_format_addr(const struct sock_entry *s, int remote, char *out, size_t n);
/* True when the local address is in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. */
int sock_local_is_loopback(const struct sock_entry *s);
/* True when the local address is the wildcard (0.0.0.0 or ::). */
int sock_local_is_wildcard(const struct sock_entry *s);

#endif
