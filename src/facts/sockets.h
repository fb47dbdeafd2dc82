/* sockets: TCP sockets as the kernel reports them (collect/sockdiag.h
 * reads them), and the small pure helpers that name and format them.
 */
#ifndef PREFLIGHT_FACTS_SOCKETS_H
#define PREFLIGHT_FACTS_SOCKETS_H

#include <stddef.h>
#include <stdint.h>

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

/* Formats "addr:port" ("[v6]:port" for IPv6) of the local or remote side. */
void sock_format_addr(const struct sock_entry *s, int remote, char *out, size_t n);
/* True when the local address is in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. */
int sock_local_is_loopback(const struct sock_entry *s);
/* True when the local address is the wildcard (0.0.0.0 or ::). */
int sock_local_is_wildcard(const struct sock_entry *s);

#endif
