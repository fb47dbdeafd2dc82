/* tw_owner: whose TIME_WAIT sockets are they?
 *
 * A TIME_WAIT socket has no inode (the kernel keeps only a small
 * inet_timewait_sock), so /proc/PID/fd cannot attribute it the way the
 * census attributes live sockets. Its addresses can: the census notes
 * every socket it visits, and at the end each TIME_WAIT socket is put in
 * the first class that fits (docs/checks.md, net.timewait-ratio):
 *
 *  1. service, inbound: its local addr:port is a listener of the target
 *     (a wildcard listener matches any local address of its family; [::]
 *     any). The service accepted the connection and closed it first.
 *  2. service, outbound (probable): its local port is ephemeral (inside
 *     ip_local_port_range, when that was read) and its remote addr:port is
 *     a destination the target holds ESTABLISHED outbound connections to
 *     right now. Another process on the host talking to the same
 *     destination cannot be told apart: "probably".
 *  3. clients of the service on this host: its remote addr:port is a
 *     listener of the target and the remote address is one of this host's
 *     (loopback, or a local address some socket in the census is bound
 *     to). The client closed first; it may be the service calling itself.
 *  4. other servers: its local addr:port is a listener of another process.
 *  5. unattributed: anything else (outbound sockets of processes the census
 *     cannot name, connections whose listener has gone).
 *
 * Pure: no I/O; fed by collect.c's census visit, testable on hand-made
 * sock_entry values. Owns its arrays; tw_census_release frees them.
 */
#ifndef PREFLIGHT_TW_OWNER_H
#define PREFLIGHT_TW_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/facts.h"
#include "facts/sockets.h"

/* An endpoint, normalised so IPv4 and IPv4-mapped IPv6 compare equal. */
struct tw_ep {
	uint8_t v4;              /* 1: addr[0..3] is an IPv4 address */
	uint8_t addr[16];
	uint16_t port;
};

struct tw_listener {
	struct tw_ep ep;
	bool target, wildcard;
};

struct tw_census {
	struct tw_ep *tw;         /* TIME_WAIT sockets: [2i] local, [2i+1] remote */
	size_t n_tw, cap_tw;      /* counted in endpoints */
	struct tw_listener *listeners;
	size_t n_listeners, cap_listeners;
	struct tw_ep *dests;      /* the target's ESTABLISHED sockets: [2i] local, [2i+1] remote; */
	size_t n_dests, cap_dests;   /* after a split, only the outbound ones' remote ends, sorted */
	bool split_done;
	struct tw_ep *locals;     /* distinct local addresses seen (port 0), at most TW_LOCALS_MAX */
	size_t n_locals, cap_locals;
};

#define TW_LOCALS_MAX 256

/* Notes one socket of the census; target says the target owns it (its
 * inode is in /proc/PID/fd). States other than TIME_WAIT, ESTABLISHED and
 * LISTEN only add their local address. Returns 0 or -ENOMEM. */
int tw_census_note(struct tw_census *c, const struct sock_entry *s, bool target);

/* Classifies the TIME_WAIT sockets noted so far into *ret (set = true).
 * port_lo/port_hi: ip_local_port_range, or unset to not require an
 * ephemeral local port in class 2. Sorts the arrays in place; may be
 * called again (with another range) but no note may follow it. */
void tw_census_split(struct tw_census *c, const struct opt_i64 *port_lo, const struct opt_i64 *port_hi,
		     struct tw_split *ret);

void tw_census_release(struct tw_census *c);

#endif
