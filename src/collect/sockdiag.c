#include "collect/sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The kernel caps one dump datagram at about 32 KiB (netlink_recvmsg clamps
 * max_recvmsg_len); twice that leaves room for a kernel that raises the cap
 * and MSG_TRUNC still catches anything larger. */
#define SOCKDIAG_RECV_BUF (64 * 1024)
/* Bounds on one recvmsg and on a whole dump, so a stuck or endless answer
 * can never hang the caller. */
#define SOCKDIAG_RECV_TIMEOUT_S 5
#define SOCKDIAG_TOTAL_TIMEOUT_S 30

/* Every real TCP state (1..NEW_SYN_RECV). Bit 13 (TCP_BOUND_INACTIVE,
 * Linux 6.5+) is left out: those are bound-only sockets that ss shows only
 * with -a/-B, and the kernel reports them as CLOSE. */
#define TCPF_ALL_STATES (((1u << TCP_STATE_MAX) - 1) & ~1u)
#define TCPF(s) (1u << (s))

typedef int (*raw_fn)(const struct inet_diag_msg *m, void *arg);

const char *tcp_state_key(int state)
{
	static const char *const keys[TCP_STATE_MAX] = {
		[TCPS_ESTABLISHED] = "established",
		[TCPS_SYN_SENT] = "syn_sent",
		[TCPS_SYN_RECV] = "syn_recv",
		[TCPS_FIN_WAIT1] = "fin_wait1",
		[TCPS_FIN_WAIT2] = "fin_wait2",
		[TCPS_TIME_WAIT] = "time_wait",
		[TCPS_CLOSE] = "close",
		[TCPS_CLOSE_WAIT] = "close_wait",
		[TCPS_LAST_ACK] = "last_ack",
		[TCPS_LISTEN] = "listen",
		[TCPS_CLOSING] = "closing",
	};

	if (state <= 0 || state >= TCP_STATE_MAX)
		return NULL;
	return keys[state];
}

/* Request sockets (NEW_SYN_RECV) are SYN_RECV to every user-facing tool:
 * the kernel widens a SYN_RECV filter to NEW_SYN_RECV and reports request
 * sockets as SYN_RECV (tcp_req_diag_fill), as /proc/net/tcp does. We ask
 * for both whenever either is wanted and fold any stray 12 into 3. */
static uint32_t normalize_mask(uint32_t mask)
{
	mask &= TCPF_ALL_STATES;
	if (mask & (TCPF(TCPS_SYN_RECV) | TCPF(TCPS_NEW_SYN_RECV)))
		mask |= TCPF(TCPS_SYN_RECV) | TCPF(TCPS_NEW_SYN_RECV);
	return mask;
}

static int fold_state(int state)
{
	return state == TCPS_NEW_SYN_RECV ? TCPS_SYN_RECV : state;
}

/* Walks one reply datagram. Returns 0 when more datagrams follow, 1 at
 * NLMSG_DONE, 2 when fn asked to stop, or a negative errno.
 *
 * Headers and socket messages are copied out before use, so any buffer
 * alignment is fine, and lengths are checked before every step, so a
 * message claiming more bytes than remain can never walk past the end
 * (glibc's NLMSG_NEXT would underflow the remaining length there). */
static int parse_datagram(const void *buf, size_t len, uint32_t seq, raw_fn fn, void *arg,
			  struct err *e)
{
	const unsigned char *p = buf;
	size_t left = len;

	while (left >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		const unsigned char *data = p + NLMSG_HDRLEN;
		size_t step;

		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left)
			return err_set(e, -PF_EPARSE, "'sock_diag' sent a %u-byte message in %zu bytes",
				       (unsigned)h.nlmsg_len, left);
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > left)
			step = left;
		p += step;
		left -= step;
		/* A reply to an earlier request on this socket: not ours. */
		if (h.nlmsg_seq != seq)
			continue;
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			/* The payload, when present, is the dump's return value. */
			if (h.nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
				int rc;

				memcpy(&rc, data, sizeof(rc));
				if (rc < -4095)
					return err_set(e, -PF_EPARSE, "'sock_diag' ended the dump with code %d", rc);
				if (rc < 0)
					return err_errno(e, rc, "'sock_diag' dump failed");
			}
			return 1;
		case NLMSG_ERROR: {
			struct nlmsgerr ne;

			if (h.nlmsg_len < NLMSG_LENGTH(sizeof(ne)))
				return err_set(e, -PF_EPARSE, "'sock_diag' sent a truncated error message");
			memcpy(&ne, data, sizeof(ne));
			if (ne.error == 0)
				continue;  /* an ACK */
			if (ne.error > 0 || ne.error < -4095)
				return err_set(e, -PF_EPARSE, "'sock_diag' sent error code %d", ne.error);
			return err_errno(e, ne.error, "'sock_diag' refused the dump");
		}
		case SOCK_DIAG_BY_FAMILY: {
			struct inet_diag_msg m;

			if (h.nlmsg_len < NLMSG_LENGTH(sizeof(m)))
				return err_set(e, -PF_EPARSE, "'sock_diag' sent a %u-byte socket message",
					       (unsigned)h.nlmsg_len);
			memcpy(&m, data, sizeof(m));
			if (fn(&m, arg))
				return 2;
			break;
		}
		default:
			break;  /* NLMSG_NOOP, NLMSG_OVERRUN: nothing to count */
		}
	}
	if (left != 0)
		return err_set(e, -PF_EPARSE, "'sock_diag' sent a datagram with %zu trailing bytes", left);
	return 0;
}

static int open_diag_socket(struct err *e)
{
	struct timeval tv = { .tv_sec = SOCKDIAG_RECV_TIMEOUT_S };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return err_errno(e, -errno, "cannot open netlink socket 'NETLINK_SOCK_DIAG'");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int r = err_errno(e, -errno, "cannot set a receive timeout on 'NETLINK_SOCK_DIAG'");

		close(fd);
		return r;
	}
	return fd;
}

static int send_dump_request(int fd, uint8_t family, uint32_t mask, uint32_t seq, struct err *e)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	struct iovec iov = { &msg, sizeof(msg) };
	struct msghdr mh = {
		.msg_name = &nladdr,
		.msg_namelen = sizeof(nladdr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = seq;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = mask;
	do
		n = sendmsg(fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_errno(e, -errno, "cannot send the 'sock_diag' dump request");
	if ((size_t)n != sizeof(msg))
		return err_set(e, -EIO, "'sock_diag' dump request was sent short");
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One dump of one family on fd. Returns 0 at the end of the dump, 1 when fn
 * stopped it early, or a negative errno. */
static int dump_family(int fd, char *buf, uint8_t family, uint32_t mask, uint32_t seq,
		       raw_fn fn, void *arg, struct err *e)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	double deadline = now_s() + SOCKDIAG_TOTAL_TIMEOUT_S;
	int r;

	r = send_dump_request(fd, family, mask, seq, e);
	if (r < 0)
		return r;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, SOCKDIAG_RECV_BUF };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return err_set(e, -ETIMEDOUT, "'sock_diag' %s dump timed out after %d s",
					       fam, SOCKDIAG_RECV_TIMEOUT_S);
			if (errno == ENOBUFS)
				return err_set(e, -ENOBUFS, "'sock_diag' %s dump overran the receive buffer", fam);
			return err_errno(e, -errno, "cannot read the 'sock_diag' %s dump", fam);
		}
		if (mh.msg_flags & MSG_TRUNC)
			return err_set(e, -EMSGSIZE, "'sock_diag' %s datagram exceeds %d bytes",
				       fam, SOCKDIAG_RECV_BUF);
		if (n == 0)
			return err_set(e, -EIO, "'sock_diag' %s dump ended without NLMSG_DONE", fam);
		/* Only the kernel (port 0) answers dumps. */
		if (mh.msg_namelen >= sizeof(from) && from.nl_pid != 0)
			continue;
		r = parse_datagram(buf, (size_t)n, seq, fn, arg, e);
		if (r < 0) {
			/* Hosts without IPv6 have no IPv6 handler: nothing to count. */
			if (family == AF_INET6 && (r == -ENOENT || r == -EAFNOSUPPORT))
				return 0;
			if (r == -ENOENT)
				return err_set(e, r, "'tcp_diag' is not available in this kernel "
					       "(module 'inet_diag'/'tcp_diag' not loaded?)");
			return r;
		}
		if (r == 1)
			return 0;
		if (r == 2)
			return 1;
		if (now_s() > deadline)
			return err_set(e, -ETIMEDOUT, "'sock_diag' %s dump took longer than %d s",
				       fam, SOCKDIAG_TOTAL_TIMEOUT_S);
	}
}

/* Both families, IPv4 first, on one socket with one buffer. */
static int dump_all(uint32_t mask, raw_fn fn, void *arg, struct err *e)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	char *buf = NULL;
	int fd = -1, r = 0;

	mask = normalize_mask(mask);
	if (!mask)
		goto out;
	buf = malloc(SOCKDIAG_RECV_BUF);
	if (!buf) {
		r = err_set(e, -ENOMEM, "cannot allocate the 'sock_diag' receive buffer");
		goto out;
	}
	fd = open_diag_socket(e);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	for (size_t i = 0; i < sizeof(families); i++) {
		r = dump_family(fd, buf, families[i], mask, (uint32_t)(i + 1), fn, arg, e);
		if (r < 0)
			goto out;
		if (r == 1) {
			r = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

static void entry_from_msg(const struct inet_diag_msg *m, struct sock_entry *s)
{
	s->family = m->idiag_family;
	s->state = (uint8_t)fold_state(m->idiag_state);
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	memcpy(s->src, m->id.idiag_src, sizeof(s->src));
	memcpy(s->dst, m->id.idiag_dst, sizeof(s->dst));
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
}

struct visit_ctx {
	sockdiag_visit_fn visit;
	void *arg;
};

static int visit_raw(const struct inet_diag_msg *m, void *arg)
{
	struct visit_ctx *v = arg;
	struct sock_entry s;

	entry_from_msg(m, &s);
	return v->visit(&s, v->arg);
}

int sockdiag_dump(uint32_t state_mask, sockdiag_visit_fn visit, void *arg, struct err *e)
{
	struct visit_ctx v = { visit, arg };

	return dump_all(state_mask, visit_raw, &v, e);
}

int sockdiag_parse(const void *buf, size_t len, uint32_t seq, sockdiag_visit_fn visit, void *arg,
		   struct err *e)
{
	struct visit_ctx v = { visit, arg };

	return parse_datagram(buf, len, seq, visit_raw, &v, e);
}

static int count_raw(const struct inet_diag_msg *m, void *arg)
{
	uint64_t *counts = arg;
	unsigned s = m->idiag_state;

	/* States the kernel may add later are not ours to count. */
	if (s < TCP_STATE_MAX)
		counts[fold_state((int)s)]++;
	return 0;
}

int sockdiag_census(uint64_t counts[TCP_STATE_MAX], struct err *e)
{
	memset(counts, 0, sizeof(uint64_t) * TCP_STATE_MAX);
	return dump_all(TCPF_ALL_STATES, count_raw, counts, e);
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) carries an IPv4 address in bytes 12..15. */
static const uint8_t *v4_of(const struct sock_entry *s)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (s->family == AF_INET)
		return s->src;
	if (s->family == AF_INET6 && !memcmp(s->src, mapped, sizeof(mapped)))
		return s->src + 12;
	return NULL;
}

void sock_format_addr(const struct sock_entry *s, int remote, char *out, size_t n)
{
	const uint8_t *a = remote ? s->dst : s->src;
	unsigned port = remote ? s->dport : s->sport;
	char ip[INET6_ADDRSTRLEN];

	if (!n)
		return;
	if (s->family == AF_INET && inet_ntop(AF_INET, a, ip, sizeof(ip)))
		snprintf(out, n, "%s:%u", ip, port);
	else if (s->family == AF_INET6 && inet_ntop(AF_INET6, a, ip, sizeof(ip)))
		snprintf(out, n, "[%s]:%u", ip, port);
	else
		snprintf(out, n, "?:%u", port);
}

int sock_local_is_loopback(const struct sock_entry *s)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	const uint8_t *v4 = v4_of(s);

	if (v4)
		return v4[0] == 127;
	return s->family == AF_INET6 && !memcmp(s->src, v6_loopback, sizeof(v6_loopback));
}

int sock_local_is_wildcard(const struct sock_entry *s)
{
	static const uint8_t zero[16];
	const uint8_t *v4 = v4_of(s);

	if (v4)
		return !memcmp(v4, zero, 4);
	return s->family == AF_INET6 && !memcmp(s->src, zero, sizeof(zero));
}
