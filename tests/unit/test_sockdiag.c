/* sockdiag: address classification, the wire parser on crafted kernel
 * answers, and a live census of sockets this test opens on loopback. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect/sockdiag.h"
#include "io/netlink.h"

static struct sock_entry v4(const char *addr, uint16_t port)
{
	struct sock_entry s = { .family = AF_INET, .sport = port };

	assert_int_equal(inet_pton(AF_INET, addr, s.src), 1);
	return s;
}

static struct sock_entry v6(const char *addr, uint16_t port)
{
	struct sock_entry s = { .family = AF_INET6, .sport = port };

	assert_int_equal(inet_pton(AF_INET6, addr, s.src), 1);
	return s;
}

static void test_state_keys(void **state)
{
	static const char *const want[] = {
		NULL, "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
		"time_wait", "close", "close_wait", "last_ack", "listen", "closing",
	};

	for (int s = 0; s < TCPS_NEW_SYN_RECV; s++) {
		if (want[s])
			assert_string_equal(tcp_state_key(s), want[s]);
		else
			assert_null(tcp_state_key(s));
	}
	assert_null(tcp_state_key(TCPS_NEW_SYN_RECV));
	assert_null(tcp_state_key(TCP_STATE_MAX));
	assert_null(tcp_state_key(-1));
}

static void test_format_addr(void **state)
{
	struct sock_entry s = v4("127.0.0.1", 8080);
	char out[64];

	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", s.dst), 1);
	s.dport = 443;
	sock_format_addr(&s, 0, out, sizeof(out));
	assert_string_equal(out, "127.0.0.1:8080");
	sock_format_addr(&s, 1, out, sizeof(out));
	assert_string_equal(out, "10.1.2.3:443");

	s = v6("::1", 6060);
	sock_format_addr(&s, 0, out, sizeof(out));
	assert_string_equal(out, "[::1]:6060");
	s = v6("2001:db8::5", 0);
	sock_format_addr(&s, 0, out, sizeof(out));
	assert_string_equal(out, "[2001:db8::5]:0");
	s = v6("::ffff:127.0.0.1", 80);
	sock_format_addr(&s, 0, out, sizeof(out));
	assert_string_equal(out, "[::ffff:127.0.0.1]:80");

	/* A short buffer gets a terminated prefix, never an overrun. */
	s = v4("192.168.100.200", 65535);
	memset(out, 'x', sizeof(out));
	sock_format_addr(&s, 0, out, 8);
	assert_string_equal(out, "192.168");
	assert_int_equal(out[8], 'x');
}

static void test_loopback_wildcard(void **state)
{
	static const struct {
		int family;
		const char *addr;
		int loopback, wildcard;
	} cases[] = {
		{ AF_INET, "127.0.0.1", 1, 0 },
		{ AF_INET, "127.255.3.4", 1, 0 },
		{ AF_INET, "0.0.0.0", 0, 1 },
		{ AF_INET, "10.0.0.1", 0, 0 },
		{ AF_INET, "128.0.0.1", 0, 0 },
		{ AF_INET6, "::1", 1, 0 },
		{ AF_INET6, "::", 0, 1 },
		{ AF_INET6, "::2", 0, 0 },
		{ AF_INET6, "fe80::1", 0, 0 },
		{ AF_INET6, "::ffff:127.0.0.1", 1, 0 },
		{ AF_INET6, "::ffff:127.9.9.9", 1, 0 },
		{ AF_INET6, "::ffff:0.0.0.0", 0, 1 },
		{ AF_INET6, "::ffff:10.1.2.3", 0, 0 },
		/* IPv4-compatible (deprecated), not mapped: not loopback. */
		{ AF_INET6, "::127.0.0.1", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sock_entry s = cases[i].family == AF_INET ? v4(cases[i].addr, 1)
								 : v6(cases[i].addr, 1);

		if (sock_local_is_loopback(&s) != cases[i].loopback ||
		    sock_local_is_wildcard(&s) != cases[i].wildcard)
			fail_msg("'%s': loopback %d wildcard %d, want %d %d", cases[i].addr,
				 sock_local_is_loopback(&s), sock_local_is_wildcard(&s),
				 cases[i].loopback, cases[i].wildcard);
	}
}

/* Crafted kernel answers, laid out as the kernel sends them. */
struct wire {
	union {
		char b[4096];
		struct nlmsghdr align;
	} u;
	size_t len;
};

static void *wire_put(struct wire *w, uint16_t type, uint32_t seq, size_t payload)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(w->u.b + w->len);

	assert_true(w->len + NLMSG_SPACE(payload) <= sizeof(w->u.b));
	memset(h, 0, NLMSG_SPACE(payload));
	h->nlmsg_len = NLMSG_LENGTH(payload);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_seq = seq;
	w->len += NLMSG_SPACE(payload);
	return NLMSG_DATA(h);
}

static void wire_sock(struct wire *w, uint32_t seq, int family, int state, const char *src,
		      uint16_t sport, uint32_t rq, uint32_t wq)
{
	struct inet_diag_msg *m = wire_put(w, SOCK_DIAG_BY_FAMILY, seq, sizeof(*m));

	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(sport == 0 ? 0 : 40000);
	assert_int_equal(inet_pton(family, src, m->id.idiag_src), 1);
	m->idiag_rqueue = rq;
	m->idiag_wqueue = wq;
	m->idiag_uid = 1000;
	m->idiag_inode = 424242;
}

struct seen {
	struct sock_entry s[8];
	size_t n;
	size_t stop_after;  /* 0 = never stop */
};

static int record(const struct sock_entry *s, void *arg)
{
	struct seen *v = arg;

	if (v->n < 8)
		v->s[v->n] = *s;
	v->n++;
	return v->stop_after && v->n >= v->stop_after;
}

static void test_parse_sockets_and_done(void **state)
{
	struct wire w = { .len = 0 };
	struct seen v = { .n = 0 };
	struct err e = { "" };
	char addr[64];

	wire_sock(&w, 7, AF_INET, TCPS_LISTEN, "127.0.0.1", 6060, 3, 4096);
	wire_sock(&w, 7, AF_INET6, TCPS_NEW_SYN_RECV, "::1", 8080, 0, 0);
	/* A leftover of an earlier request on the socket is not ours. */
	wire_sock(&w, 6, AF_INET, TCPS_ESTABLISHED, "10.0.0.1", 1, 0, 0);
	wire_sock(&w, 7, AF_INET, TCPS_TIME_WAIT, "10.0.0.2", 5555, 0, 0);
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 7, record, &v, &e), 0);
	assert_int_equal(v.n, 3);

	assert_int_equal(v.s[0].family, AF_INET);
	assert_int_equal(v.s[0].state, TCPS_LISTEN);
	assert_int_equal(v.s[0].sport, 6060);
	assert_int_equal(v.s[0].rqueue, 3);
	assert_int_equal(v.s[0].wqueue, 4096);
	assert_int_equal(v.s[0].uid, 1000);
	assert_int_equal(v.s[0].inode, 424242);
	sock_format_addr(&v.s[0], 0, addr, sizeof(addr));
	assert_string_equal(addr, "127.0.0.1:6060");
	sock_format_addr(&v.s[0], 1, addr, sizeof(addr));
	assert_string_equal(addr, "0.0.0.0:40000");
	/* A request socket reads as SYN_RECV, as in ss. */
	assert_int_equal(v.s[1].state, TCPS_SYN_RECV);
	sock_format_addr(&v.s[1], 0, addr, sizeof(addr));
	assert_string_equal(addr, "[::1]:8080");
	assert_int_equal(v.s[2].state, TCPS_TIME_WAIT);

	w.len = 0;
	v.n = 0;
	wire_sock(&w, 7, AF_INET, TCPS_CLOSE_WAIT, "127.0.0.1", 1234, 0, 0);
	*(int *)wire_put(&w, NLMSG_DONE, 7, sizeof(int)) = 0;
	wire_sock(&w, 7, AF_INET, TCPS_CLOSE_WAIT, "127.0.0.1", 1235, 0, 0);
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 7, record, &v, &e), 1);
	assert_int_equal(v.n, 1);
}

static void test_parse_stop_early(void **state)
{
	struct wire w = { .len = 0 };
	struct seen v = { .n = 0, .stop_after = 2 };

	for (int i = 0; i < 4; i++)
		wire_sock(&w, 1, AF_INET, TCPS_ESTABLISHED, "127.0.0.1", (uint16_t)(100 + i), 0, 0);
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 1, record, &v, NULL), 2);
	assert_int_equal(v.n, 2);
}

static void test_parse_errors(void **state)
{
	struct wire w = { .len = 0 };
	struct seen v = { .n = 0 };
	struct err e = { "" };
	struct nlmsgerr *ne;
	struct nlmsghdr *h;

	/* NLMSG_ERROR carries the kernel's negative errno. */
	ne = wire_put(&w, NLMSG_ERROR, 3, sizeof(*ne));
	ne->error = -EPERM;
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), -EPERM);
	assert_non_null(strstr(e.msg, "'sock_diag'"));
	assert_non_null(strstr(e.msg, strerror(EPERM)));

	/* An error code of 0 is an ACK, not a failure. */
	w.len = 0;
	ne = wire_put(&w, NLMSG_ERROR, 3, sizeof(*ne));
	ne->error = 0;
	*(int *)wire_put(&w, NLMSG_DONE, 3, sizeof(int)) = 0;
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), 1);

	/* A dump that failed midway ends with a negative NLMSG_DONE payload. */
	w.len = 0;
	*(int *)wire_put(&w, NLMSG_DONE, 3, sizeof(int)) = -EINTR;
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), -EINTR);
	/* ...and a code no errno can be is malformed, not negated (found by fuzz_sockdiag). */
	w.len = 0;
	*(int *)wire_put(&w, NLMSG_DONE, 3, sizeof(int)) = INT_MIN;
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), -PF_EPARSE);

	/* A socket message too short for struct inet_diag_msg. */
	w.len = 0;
	wire_put(&w, SOCK_DIAG_BY_FAMILY, 3, 8);
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), -PF_EPARSE);
	assert_int_equal(v.n, 0);

	/* A header claiming more bytes than the datagram holds. */
	w.len = 0;
	wire_sock(&w, 3, AF_INET, TCPS_LISTEN, "127.0.0.1", 1, 0, 0);
	h = (struct nlmsghdr *)w.u.b;
	h->nlmsg_len = 4000;
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), -PF_EPARSE);
	assert_int_equal(v.n, 0);

	/* A truncated NLMSG_ERROR. */
	w.len = 0;
	wire_put(&w, NLMSG_ERROR, 3, 2);
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 3, record, &v, &e), -PF_EPARSE);

	/* Fewer bytes than one header. */
	assert_int_equal(sockdiag_parse(w.u.b, 10, 3, record, &v, &e), -PF_EPARSE);
}

/* Recorded or hostile input: any alignment, an unpadded last message. */
static void test_parse_alignment_and_padding(void **state)
{
	struct wire w = { .len = 0 };
	struct seen v = { .n = 0 };
	static char shifted[4096 + 1];
	struct nlmsghdr *h;

	wire_sock(&w, 9, AF_INET, TCPS_ESTABLISHED, "127.0.0.1", 4242, 0, 0);
	wire_sock(&w, 9, AF_INET6, TCPS_LISTEN, "::", 80, 0, 128);
	*(int *)wire_put(&w, NLMSG_DONE, 9, sizeof(int)) = 0;
	memcpy(shifted + 1, w.u.b, w.len);
	assert_int_equal(sockdiag_parse(shifted + 1, w.len, 9, record, &v, NULL), 1);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.s[0].sport, 4242);
	assert_int_equal(v.s[1].wqueue, 128);
	assert_true(sock_local_is_wildcard(&v.s[1]));

	/* A final message whose length is not a multiple of 4 and has no
	 * padding after it ends the walk instead of stepping past the end. */
	w.len = 0;
	v.n = 0;
	wire_sock(&w, 9, AF_INET, TCPS_ESTABLISHED, "127.0.0.1", 1, 0, 0);
	h = (struct nlmsghdr *)(w.u.b + w.len);
	wire_put(&w, NLMSG_NOOP, 9, 2);
	w.len -= NLMSG_ALIGN(h->nlmsg_len) - h->nlmsg_len;
	assert_int_equal(sockdiag_parse(w.u.b, w.len, 9, record, &v, NULL), 0);
	assert_int_equal(v.n, 1);
}

/* Live: sockets this process holds must show up in the kernel's dump. */
struct find {
	uint16_t port;        /* local port to look for */
	uint16_t peer_port;   /* or remote port, for the accepted side */
	int want_state;       /* 0 = any */
	int found, state;
	struct sock_entry s;
};

static int find_port(const struct sock_entry *s, void *arg)
{
	struct find *f = arg;

	if (f->want_state && s->state != f->want_state)
		return 0;
	if (s->family == AF_INET && (s->sport == f->port || (f->peer_port && s->dport == f->peer_port))) {
		f->found++;
		f->s = *s;
		f->state = s->state;
	}
	return 0;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	return ntohs(a.sin_port);
}

static void test_live_census(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint64_t counts[TCP_STATE_MAX];
	struct err e = { "" };
	struct pollfd pfd;
	struct find f;
	int ln, cl, sv, r;
	uint16_t lport, cport;
	socklen_t n = sizeof(a);

	ln = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(ln >= 0);
	assert_int_equal(bind(ln, (struct sockaddr *)&a, sizeof(a)), 0);
	/* An odd backlog, well under somaxconn, so it is recognisably ours. */
	assert_int_equal(listen(ln, 37), 0);
	assert_int_equal(getsockname(ln, (struct sockaddr *)&a, &n), 0);
	lport = ntohs(a.sin_port);

	cl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(cl >= 0);
	assert_int_equal(connect(cl, (struct sockaddr *)&a, sizeof(a)), 0);
	cport = local_port(cl);
	/* Wait until the handshake has reached the accept queue. */
	pfd.fd = ln;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 10000), 1);

	/* Before accept: the accept queue holds one connection. */
	memset(&f, 0, sizeof(f));
	f.port = lport;
	r = sockdiag_dump(1u << TCPS_LISTEN, find_port, &f, &e);
	assert_int_equal(r, 0);
	assert_int_equal(f.found, 1);
	assert_int_equal(f.state, TCPS_LISTEN);
	assert_int_equal(f.s.wqueue, 37);
	assert_int_equal(f.s.rqueue, 1);
	assert_true(sock_local_is_loopback(&f.s));
	assert_false(sock_local_is_wildcard(&f.s));

	sv = accept4(ln, NULL, NULL, SOCK_CLOEXEC);
	assert_true(sv >= 0);

	r = sockdiag_census(counts, &e);
	if (r < 0)
		fail_msg("census: %s", e.msg);
	assert_true(counts[TCPS_LISTEN] >= 1);
	assert_true(counts[TCPS_ESTABLISHED] >= 2);
	assert_int_equal(counts[0], 0);
	assert_int_equal(counts[TCPS_NEW_SYN_RECV], 0);

	/* Both ends of the pair: the client by its port, the accepted side by
	 * its peer's; the listener is filtered out by the kernel. */
	memset(&f, 0, sizeof(f));
	f.port = cport;
	f.peer_port = cport;
	assert_int_equal(sockdiag_dump(1u << TCPS_ESTABLISHED, find_port, &f, &e), 0);
	assert_int_equal(f.found, 2);
	assert_int_equal(f.state, TCPS_ESTABLISHED);

	/* All states: the listener and the accepted side share the port. */
	memset(&f, 0, sizeof(f));
	f.port = lport;
	assert_int_equal(sockdiag_dump(~0u, find_port, &f, &e), 0);
	assert_int_equal(f.found, 2);

	/* After accept the queue is empty; the backlog limit stays. */
	memset(&f, 0, sizeof(f));
	f.port = lport;
	f.want_state = TCPS_LISTEN;
	assert_int_equal(sockdiag_dump(~0u, find_port, &f, &e), 0);
	assert_int_equal(f.found, 1);
	assert_int_equal(f.s.rqueue, 0);
	assert_int_equal(f.s.wqueue, 37);

	close(sv);
	close(cl);
	close(ln);
}

static int count_and_stop(const struct sock_entry *s, void *arg)
{
	(*(int *)arg)++;
	return 1;
}

static void test_live_stop_early(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct err e = { "" };
	int ln[2], seen = 0;

	/* Two listeners at least, so stopping after the first is visible. */
	for (int i = 0; i < 2; i++) {
		ln[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(ln[i] >= 0);
		assert_int_equal(bind(ln[i], (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(listen(ln[i], 1), 0);
	}
	assert_int_equal(sockdiag_dump(1u << TCPS_LISTEN, count_and_stop, &seen, &e), 0);
	assert_int_equal(seen, 1);
	close(ln[0]);
	close(ln[1]);
}

static int find_v6(const struct sock_entry *s, void *arg)
{
	struct find *f = arg;

	if (s->family == AF_INET6 && s->sport == f->port) {
		f->found++;
		f->s = *s;
	}
	return 0;
}

static void test_live_ipv6_listener(void **state)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t n = sizeof(a);
	struct err e = { "" };
	struct find f;
	char addr[64], want[64];
	int ln;

	ln = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ln < 0 || bind(ln, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (ln >= 0)
			close(ln);
		skip();  /* no IPv6 on this host */
	}
	assert_int_equal(listen(ln, 5), 0);
	assert_int_equal(getsockname(ln, (struct sockaddr *)&a, &n), 0);
	memset(&f, 0, sizeof(f));
	f.port = ntohs(a.sin6_port);
	assert_int_equal(sockdiag_dump(1u << TCPS_LISTEN, find_v6, &f, &e), 0);
	assert_int_equal(f.found, 1);
	assert_int_equal(f.s.wqueue, 5);
	assert_true(sock_local_is_loopback(&f.s));
	sock_format_addr(&f.s, 0, addr, sizeof(addr));
	snprintf(want, sizeof(want), "[::1]:%u", f.port);
	assert_string_equal(addr, want);
	close(ln);
}

/* When the netlink socket cannot be opened the census fails cleanly with
 * the reason, which tcp-census prints as its one-line error. */
static void test_census_cannot_open(void **state)
{
	uint64_t counts[TCP_STATE_MAX];
	struct err e = { "" };
	struct rlimit saved, low;
	int lowest, r;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	lowest = dup(0);
	assert_true(lowest >= 0);
	close(lowest);
	/* No descriptor at or above the lowest free one may be opened. */
	low = saved;
	low.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	r = sockdiag_census(counts, &e);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	assert_int_equal(r, -EMFILE);
	assert_non_null(strstr(e.msg, "'NETLINK_SOCK_DIAG'"));
	assert_non_null(strstr(e.msg, strerror(EMFILE)));
}


/* ---- recordings ------------------------------------------------------------ */

/* A recording built in memory: the header, then datagrams. */
struct rec {
	char *data;
	size_t len;
	FILE *f;
};

static void rec_begin(struct rec *r, const char *magic, uint8_t version, char order, uint32_t protocol)
{
	unsigned char h[NETLINK_RECORD_HEADER] = { 0 };

	r->data = NULL;
	r->len = 0;
	r->f = open_memstream(&r->data, &r->len);
	assert_non_null(r->f);
	memcpy(h, magic, 8);
	h[8] = version;
	h[10] = (unsigned char)order;
	h[12] = (unsigned char)protocol;
	h[13] = (unsigned char)(protocol >> 8);
	assert_int_equal(fwrite(h, 1, sizeof(h), r->f), sizeof(h));
}

static void rec_raw(struct rec *r, uint32_t claimed, const void *p, size_t n)
{
	unsigned char len[4] = { (unsigned char)claimed, (unsigned char)(claimed >> 8),
				 (unsigned char)(claimed >> 16), (unsigned char)(claimed >> 24) };

	assert_int_equal(fwrite(len, 1, 4, r->f), 4);
	if (n)
		assert_int_equal(fwrite(p, 1, n, r->f), n);
}

static void rec_wire(struct rec *r, const struct wire *w)
{
	rec_raw(r, (uint32_t)w->len, w->u.b, w->len);
}

/* Replays the recording for a census; returns its result. */
static int rec_census(struct rec *r, uint64_t counts[TCP_STATE_MAX], struct err *e)
{
	struct sockdiag_source src = { 0 };
	FILE *in;
	int ret;

	assert_int_equal(fflush(r->f), 0);
	in = fmemopen(r->data, r->len ? r->len : 1, "rb");
	assert_non_null(in);
	if (!r->len)
		fseek(in, 0, SEEK_END);
	src.replay_stream = in;
	ret = sockdiag_census_from(&src, counts, e);
	fclose(in);
	return ret;
}

static void rec_end(struct rec *r)
{
	fclose(r->f);
	free(r->data);
}

/* A well-formed two-family dump: IPv4 (sequence 1) with two sockets in one
 * datagram and the DONE in the next, IPv6 (sequence 2) refused as on a
 * host without IPv6. */
static void rec_good_dump(struct rec *r)
{
	struct wire w = { .len = 0 };
	struct nlmsgerr *ne;

	wire_sock(&w, 1, AF_INET, TCPS_LISTEN, "127.0.0.1", 6060, 0, 4096);
	wire_sock(&w, 1, AF_INET, TCPS_NEW_SYN_RECV, "127.0.0.1", 6060, 0, 0);
	wire_sock(&w, 1, AF_INET, TCPS_CLOSE_WAIT, "127.0.0.1", 6061, 0, 0);
	rec_wire(r, &w);
	w.len = 0;
	*(int *)wire_put(&w, NLMSG_DONE, 1, sizeof(int)) = 0;
	rec_wire(r, &w);
	w.len = 0;
	ne = wire_put(&w, NLMSG_ERROR, 2, sizeof(*ne));
	ne->error = -ENOENT;
	rec_wire(r, &w);
}

static void test_replay_crafted(void **state)
{
	uint64_t counts[TCP_STATE_MAX];
	struct err e = { "" };
	struct rec r;

	rec_begin(&r, NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG);
	rec_good_dump(&r);
	assert_int_equal(rec_census(&r, counts, &e), 0);
	assert_int_equal(counts[TCPS_LISTEN], 1);
	assert_int_equal(counts[TCPS_SYN_RECV], 1);   /* a request socket, folded */
	assert_int_equal(counts[TCPS_CLOSE_WAIT], 1);
	assert_int_equal(counts[TCPS_ESTABLISHED], 0);
	rec_end(&r);
}

/* Every way a recording can be damaged is refused with a message that
 * names the file and the place; none is read past its end. */
static void test_replay_damaged(void **state)
{
	static const char other_order = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'b' : 'l';
	static const char order = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'l' : 'b';
	static const struct {
		const char *magic;
		uint8_t version;
		char order;
		uint32_t protocol;
		int body;        /* 0 good dump, 1 empty, 2 len 0, 3 len too big, 4 cut length, 5 cut datagram, 6 no DONE, 7 IPv4 ENOENT */
		int want;
		const char *msg;
	} cases[] = {
		{ "PFNLRECX", 1, 'l', NETLINK_SOCK_DIAG, 0, -PF_EPARSE, "not a netlink recording" },
		{ NETLINK_RECORD_MAGIC, 2, 'l', NETLINK_SOCK_DIAG, 0, -PF_EPARSE, "recording version 2" },
		{ NETLINK_RECORD_MAGIC, 1, 'x', NETLINK_SOCK_DIAG, 0, -PF_EPARSE, "unknown byte order" },
		{ NETLINK_RECORD_MAGIC, 1, 0, NETLINK_SOCK_DIAG, 0, -PF_EPARSE, "-endian host" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', 16, 0, -PF_EPARSE, "protocol 16" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 1, -EIO, "ends after 0 datagrams" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 2, -PF_EPARSE, "record 1 claims 0 bytes" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 3, -PF_EPARSE, "record 1 claims 65537 bytes" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 4, -PF_EPARSE, "record 2 is cut short in its length" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 5, -PF_EPARSE, "record 1 is cut short in its datagram" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 6, -EIO, "no NLMSG_DONE" },
		{ NETLINK_RECORD_MAGIC, 1, 'l', NETLINK_SOCK_DIAG, 7, -ENOENT, "'tcp_diag' is not available" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire w = { .len = 0 };
		uint64_t counts[TCP_STATE_MAX];
		struct err e = { "" };
		struct rec r;
		char ord = cases[i].order == 'l' ? order : cases[i].order ? cases[i].order : other_order;
		int got;

		rec_begin(&r, cases[i].magic, cases[i].version, ord, cases[i].protocol);
		wire_sock(&w, 1, AF_INET, TCPS_LISTEN, "127.0.0.1", 6060, 0, 4096);
		switch (cases[i].body) {
		case 0: rec_good_dump(&r); break;
		case 1: break;
		case 2: rec_raw(&r, 0, NULL, 0); break;
		case 3: rec_raw(&r, NETLINK_DGRAM_MAX + 1, w.u.b, w.len); break;
		case 4: rec_wire(&r, &w); assert_int_equal(fwrite("\x10\x00", 1, 2, r.f), 2); break;
		case 5: rec_raw(&r, (uint32_t)w.len + 10, w.u.b, w.len); break;
		case 6: rec_wire(&r, &w); break;
		case 7: {
			struct nlmsgerr *ne = wire_put(&w, NLMSG_ERROR, 1, sizeof(*ne));

			ne->error = -ENOENT;
			rec_wire(&r, &w);
			break;
		}
		}
		got = rec_census(&r, counts, &e);
		if (got != cases[i].want || !strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: %d '%s', want %d with '%s'", i, got, e.msg, cases[i].want, cases[i].msg);
		rec_end(&r);
	}
}

/* Counts LISTEN sockets and remembers their addresses. */
struct listeners {
	size_t n, other;
	char addr[16][64];
};

static int listen_visit(const struct sock_entry *s, void *arg)
{
	struct listeners *l = arg;

	if (s->state != TCPS_LISTEN) {
		l->other++;
		return 0;
	}
	if (l->n < 16)
		sock_format_addr(s, 0, l->addr[l->n], sizeof(l->addr[0]));
	l->n++;
	return 0;
}

/* A live census recorded, then replayed: the same counts, and a copy
 * made while replaying is the recording byte for byte. A dump with a
 * narrower mask replayed from the census sees only its states. */
static void test_record_replay_live(void **state)
{
	uint64_t live[TCP_STATE_MAX], replayed[TCP_STATE_MAX];
	struct sockdiag_source src = { 0 };
	struct listeners l = { 0 };
	char *rec = NULL, *copy = NULL;
	size_t rec_len = 0, copy_len = 0;
	struct err e = { "" };
	int ln = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	FILE *out, *in;

	assert_true(ln >= 0);
	assert_int_equal(bind(ln, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ln, 8), 0);

	out = open_memstream(&rec, &rec_len);
	assert_non_null(out);
	src.record = out;
	assert_int_equal(sockdiag_census_from(&src, live, &e), 0);
	assert_int_equal(fclose(out), 0);
	assert_true(live[TCPS_LISTEN] >= 1);
	assert_true(rec_len > NETLINK_RECORD_HEADER);
	assert_memory_equal(rec, NETLINK_RECORD_MAGIC, 8);

	in = fmemopen(rec, rec_len, "rb");
	out = open_memstream(&copy, &copy_len);
	assert_true(in && out);
	src = (struct sockdiag_source){ .replay_stream = in, .record = out };
	assert_int_equal(sockdiag_census_from(&src, replayed, &e), 0);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_memory_equal(replayed, live, sizeof(live));
	assert_int_equal(copy_len, rec_len);
	assert_memory_equal(copy, rec, rec_len);

	in = fmemopen(rec, rec_len, "rb");
	assert_non_null(in);
	src = (struct sockdiag_source){ .replay_stream = in };
	assert_int_equal(sockdiag_dump_from(&src, 1u << TCPS_LISTEN, listen_visit, &l, &e), 0);
	fclose(in);
	assert_int_equal(l.n, live[TCPS_LISTEN]);
	assert_int_equal(l.other, 0);
	free(rec);
	free(copy);
	close(ln);
}

/* A malloc'd path under $FIXTURES (CTest sets it). */
static char *fixture(const char *rel)
{
	const char *dir = getenv("FIXTURES");
	char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", dir ? dir : "tests/fixtures", rel) > 0);
	return path;
}

/* "state N" lines, in tcp-census's order, into counts by key. */
static void read_counts(const char *path, uint64_t counts[TCP_STATE_MAX])
{
	FILE *f = fopen(path, "re");
	char key[32];
	unsigned long long n;
	int lines = 0;

	assert_non_null(f);
	memset(counts, 0, sizeof(uint64_t) * TCP_STATE_MAX);
	while (fscanf(f, "%31s %llu", key, &n) == 2) {
		int s;

		for (s = 1; s < TCP_STATE_MAX; s++)
			if (tcp_state_key(s) && !strcmp(tcp_state_key(s), key))
				break;
		assert_true(s < TCP_STATE_MAX);
		counts[s] = n;
		lines++;
	}
	fclose(f);
	assert_int_equal(lines, 11);
}

/* The recorded fixture (tests/fixtures/netlink/capture.sh: sockgen in a
 * fresh network namespace) replays to exactly what ss counted then, by
 * its path and through PREFLIGHT_NETLINK_REPLAY, and its listeners are the
 * ones ss listed. */
static void test_replay_fixture(void **state)
{
	uint64_t ss[TCP_STATE_MAX], mine[TCP_STATE_MAX];
	char *rec = fixture("netlink/sockgen/census.nlrec"), *counts = fixture("netlink/sockgen/ss-counts.txt");
	char *listeners = fixture("netlink/sockgen/ss-listeners.txt"), *missing = fixture("netlink/no-such.nlrec");
	struct sockdiag_source src = { .replay = rec };
	struct listeners l = { 0 };
	struct err e = { "" };
	char want[16][64];
	size_t n_want = 0;
	FILE *f;

	read_counts(counts, ss);
	assert_int_equal(sockdiag_census_from(&src, mine, &e), 0);
	for (int s = 1; s < TCP_STATE_MAX; s++)
		if (mine[s] != ss[s])
			fail_msg("%s: replayed %llu, ss counted %llu", tcp_state_key(s), (unsigned long long)mine[s],
				 (unsigned long long)ss[s]);
	/* The population capture.sh made: sockgen -listen 3 -established 6
	 * -close-wait 2 -time-wait 4 (and its three accepting listeners). */
	assert_int_equal(mine[TCPS_ESTABLISHED], 12);
	assert_int_equal(mine[TCPS_CLOSE_WAIT], 2);
	assert_int_equal(mine[TCPS_FIN_WAIT2], 2);
	assert_int_equal(mine[TCPS_TIME_WAIT], 4);
	assert_int_equal(mine[TCPS_LISTEN], 6);

	assert_int_equal(setenv(SOCKDIAG_REPLAY_ENV, src.replay, 1), 0);
	memset(mine, 0xff, sizeof(mine));
	assert_int_equal(sockdiag_census(mine, &e), 0);
	assert_memory_equal(mine, ss, sizeof(ss));
	assert_int_equal(sockdiag_dump(1u << TCPS_LISTEN, listen_visit, &l, &e), 0);
	assert_int_equal(unsetenv(SOCKDIAG_REPLAY_ENV), 0);
	assert_int_equal(l.other, 0);

	f = fopen(listeners, "re");
	assert_non_null(f);
	while (n_want < 16 && fscanf(f, "%63s", want[n_want]) == 1)
		n_want++;
	fclose(f);
	assert_int_equal(l.n, n_want);
	for (size_t i = 0; i < n_want; i++) {
		bool found = false;

		for (size_t j = 0; j < l.n && !found; j++)
			found = !strcmp(want[i], l.addr[j]);
		if (!found)
			fail_msg("ss listed %s, the replay did not", want[i]);
	}

	/* A missing recording is an error naming it, not a live dump. */
	src.replay = missing;
	assert_int_equal(sockdiag_census_from(&src, mine, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no-such.nlrec"));
	free(rec);
	free(counts);
	free(listeners);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_keys),
		cmocka_unit_test(test_format_addr),
		cmocka_unit_test(test_loopback_wildcard),
		cmocka_unit_test(test_parse_sockets_and_done),
		cmocka_unit_test(test_parse_stop_early),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_alignment_and_padding),
		cmocka_unit_test(test_live_census),
		cmocka_unit_test(test_live_stop_early),
		cmocka_unit_test(test_live_ipv6_listener),
		cmocka_unit_test(test_census_cannot_open),
		cmocka_unit_test(test_replay_crafted),
		cmocka_unit_test(test_replay_damaged),
		cmocka_unit_test(test_record_replay_live),
		cmocka_unit_test(test_replay_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
