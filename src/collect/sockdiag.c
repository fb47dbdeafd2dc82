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

#include "io/netlink.h"

/* Bounds on one datagram and on a whole dump, so a stuck or endless
 * answer can never hang the caller. */
#define SOCKDIAG_RECV_TIMEOUT_MS 5000
#define SOCKDIAG_TOTAL_TIMEOUT_MS 30000

/* Every real TCP state (1..NEW_SYN_RECV). Bit 13 (TCP_BOUND_INACTIVE,
 * Linux 6.5+) is left out: those are bound-only sockets that ss shows only
 * with -a/-B, and the kernel reports them as CLOSE. */
#define TCPF_ALL_STATES (((1u << TCP_STATE_MAX) - 1) & ~1u)
#define TCPF(s) (1u << (s))
/* sockdiag_parse: every message, whatever its state. */
#define ANY_STATE UINT32_MAX

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

/* Whether a socket in state is one the caller asked for. The kernel
 * filters a live dump already; a recording may hold a dump made with a
 * wider mask (a census replayed to a LISTEN-only visit), so the same
 * filter is applied here. States past bit 31 only match ANY_STATE. */
static bool wanted(uint32_t mask, unsigned state)
{
	if (mask == ANY_STATE)
		return true;
	return state < 32 && (mask & (1u << state));
}

/* Walks one reply datagram, calling fn for each socket message whose
 * state is in mask. Returns 0 when more datagrams follow, 1 at
 * NLMSG_DONE, 2 when fn asked to stop, or a negative errno.
 *
 * Headers and socket messages are copied out before use, so any buffer
 * alignment is fine, and lengths are checked before every step, so a
 * message claiming more bytes than remain can never walk past the end
 * (glibc's NLMSG_NEXT would underflow the remaining length there). */
static int parse_datagram(const void *buf, size_t len, uint32_t seq, uint32_t mask, raw_fn fn, void *arg,
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
			if (wanted(mask, m.idiag_state) && fn(&m, arg))
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

static int send_dump_request(struct netlink *nl, uint8_t family, uint32_t mask, uint32_t seq, struct err *e)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = seq;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = mask;
	return netlink_send(nl, &msg, sizeof(msg), e);
}

/* One dump of one family. Returns 0 at the end of the dump, 1 when fn
 * stopped it early, or a negative errno. */
static int dump_family(struct netlink *nl, uint8_t family, uint32_t mask, uint32_t seq, raw_fn fn, void *arg,
		       struct err *e)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	struct err ne = { "" };
	int r;

	r = send_dump_request(nl, family, mask, seq, e);
	if (r < 0)
		return r;
	for (;;) {
		const void *dgram;
		size_t n;

		r = netlink_recv(nl, &dgram, &n, &ne);
		if (r == -ENODATA)
			return err_set(e, -EIO, "%s (the %s dump has no NLMSG_DONE)", ne.msg, fam);
		if (r < 0)
			return err_set(e, r, "%s dump: %s", fam, ne.msg);
		r = parse_datagram(dgram, n, seq, mask, fn, arg, e);
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
	}
}

/* Both families, IPv4 first (sequence 1, then 2: a recording replays in
 * that order), on one socket or from one recording. */
static int dump_all(const struct sockdiag_source *src, uint32_t mask, raw_fn fn, void *arg, struct err *e)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct netlink_opts o = {
		.protocol = NETLINK_SOCK_DIAG,
		.name = "NETLINK_SOCK_DIAG",
		.recv_timeout_ms = SOCKDIAG_RECV_TIMEOUT_MS,
		.total_timeout_ms = SOCKDIAG_TOTAL_TIMEOUT_MS,
	};
	const char *env = getenv(SOCKDIAG_REPLAY_ENV);
	struct netlink nl = { .fd = -1 };
	int r = 0;

	mask = normalize_mask(mask);
	if (!mask)
		return 0;
	if (src) {
		o.replay = src->replay_stream;
		o.replay_path = src->replay;
		o.record = src->record;
		o.netns = src->netns;
	}
	if (!o.replay && !o.replay_path && env && env[0])
		o.replay_path = env;
	r = netlink_open(&nl, &o, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(families); i++) {
		r = dump_family(&nl, families[i], mask, (uint32_t)(i + 1), fn, arg, e);
		if (r < 0)
			break;
		if (r == 1) {
			r = 0;
			break;
		}
	}
	netlink_close(&nl);
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

int sockdiag_dump_from(const struct sockdiag_source *src, uint32_t state_mask, sockdiag_visit_fn visit,
		       void *arg, struct err *e)
{
	struct visit_ctx v = { visit, arg };

	return dump_all(src, state_mask, visit_raw, &v, e);
}

int sockdiag_dump(uint32_t state_mask, sockdiag_visit_fn visit, void *arg, struct err *e)
{
	return sockdiag_dump_from(NULL, state_mask, visit, arg, e);
}

int sockdiag_parse(const void *buf, size_t len, uint32_t seq, sockdiag_visit_fn visit, void *arg,
		   struct err *e)
{
	struct visit_ctx v = { visit, arg };

	return parse_datagram(buf, len, seq, ANY_STATE, visit_raw, &v, e);
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

int sockdiag_census_from(const struct sockdiag_source *src, uint64_t counts[TCP_STATE_MAX], struct err *e)
{
	memset(counts, 0, sizeof(uint64_t) * TCP_STATE_MAX);
	return dump_all(src, TCPF_ALL_STATES, count_raw, counts, e);
}

int sockdiag_census(uint64_t counts[TCP_STATE_MAX], struct err *e)
{
	return sockdiag_census_from(NULL, counts, e);
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
