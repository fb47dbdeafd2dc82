/* netlink: one conversation with the kernel over a netlink socket,
 * bounded in time, that can be recorded to a file and replayed from one,
 * the way ss(8) records a dump with -D FILE and reads one back from
 * $TCPDIAG_FILE, so the code that reads the kernel's answers is tested
 * offline on real captured ones.
 *
 * The transport knows no protocol: the caller sends a request and reads
 * reply datagrams until its own parser sees the end (NLMSG_DONE for a
 * dump). Live, datagrams come from the kernel; replaying, from the file in
 * the order they were recorded, and requests are not sent: a recording
 * holds the answers to the requests the recording run made, so it
 * replays to a caller that makes the same requests in the same order.
 *
 * Recording format, version 1 (docs/tcp-census.md):
 *
 *   offset size  header (16 bytes)
 *        0    8  magic "PFNLREC\n"
 *        8    2  version, 1 (little-endian)
 *       10    1  byte order of the datagrams: 'l' little, 'b' big endian
 *                (netlink messages are in the host's order)
 *       11    1  0
 *       12    4  netlink protocol (little-endian), 4 = NETLINK_SOCK_DIAG
 *   then one record per datagram, to the end of the file:
 *        0    4  length N of the datagram, 1..NETLINK_DGRAM_MAX (little-endian)
 *        4    N  the datagram as recvmsg() returned it
 *
 * Only datagrams from the kernel (port 0) are recorded. A file that is
 * cut inside a record, holds a record of 0 or more than NETLINK_DGRAM_MAX
 * bytes, another protocol or the other byte order is refused with
 * -PF_EPARSE and a message naming the file and the record.
 */
#ifndef PREFLIGHT_IO_NETLINK_H
#define PREFLIGHT_IO_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/err.h"
#include "io/netns.h"

#define NETLINK_RECORD_MAGIC "PFNLREC\n"
#define NETLINK_RECORD_VERSION 1
#define NETLINK_RECORD_HEADER 16
/* The kernel caps one dump datagram at about 32 KiB (netlink_recvmsg
 * clamps max_recvmsg_len); twice that leaves room for a kernel that
 * raises the cap, and MSG_TRUNC still catches anything larger. */
#define NETLINK_DGRAM_MAX (64 * 1024)

struct netlink_opts {
	int protocol;             /* NETLINK_SOCK_DIAG */
	const char *name;         /* "NETLINK_SOCK_DIAG": the subject of messages */
	int recv_timeout_ms;      /* no datagram for this long: -ETIMEDOUT */
	int total_timeout_ms;     /* one request's whole answer, from netlink_send */
	const char *replay_path;  /* read the answers from this recording instead of the kernel */
	FILE *replay;             /* the same from an open stream (wins over replay_path); not closed */
	FILE *record;             /* append every datagram received here, as a recording; not closed */
	/* Live: open the socket in this network namespace (io/netns.h), so the
	 * kernel answers about that namespace's sockets; NULL = the caller's.
	 * Borrowed; only used inside netlink_open. */
	const struct netns *netns;
};

struct netlink {
	int fd;                   /* the socket; -1 when replaying */
	FILE *replay;
	bool own_replay;          /* opened from replay_path: closed by netlink_close */
	char replay_name[256];    /* for messages */
	uint64_t replay_offset;
	size_t replay_records;
	FILE *record;
	const char *name;
	int recv_timeout_ms, total_timeout_ms;
	struct timespec deadline; /* CLOCK_MONOTONIC; set by netlink_send */
	unsigned char *buf;       /* NETLINK_DGRAM_MAX bytes: each datagram received */
};

/* Opens the socket (SOCK_CLOEXEC) or the recording, and writes the
 * recording header when o->record is set. Returns 0 or a negative errno
 * with e filled ("cannot open netlink socket 'NETLINK_SOCK_DIAG': ...",
 * "/proc/1234/ns/net: Operation not permitted (...)" for o->netns,
 * "'FILE': not a netlink recording"). nl is released on failure. */
int netlink_open(struct netlink *nl, const struct netlink_opts *o, struct err *e);

/* Sends one request to the kernel (EINTR retried; a short send is -EIO)
 * and starts the answer's total timeout. Replaying, sends nothing. */
int netlink_send(struct netlink *nl, const void *msg, size_t len, struct err *e);

/* The next datagram of the answer, in *ret (valid until the next call)
 * and *ret_len (> 0). Live: -ETIMEDOUT when none arrives within the
 * receive timeout or the answer runs past the total one, -EMSGSIZE for a
 * datagram over NETLINK_DGRAM_MAX, -ENOBUFS when the socket overran.
 * Replaying: -ENODATA at the end of the recording, -PF_EPARSE for a
 * damaged one. A failed write to the recording is -EIO. */
int netlink_recv(struct netlink *nl, const void **ret, size_t *ret_len, struct err *e);

/* True when the answers come from a recording. */
bool netlink_replaying(const struct netlink *nl);

/* Closes what netlink_open opened; safe to call again, and after a
 * failed netlink_open. */
void netlink_close(struct netlink *nl);

#endif
