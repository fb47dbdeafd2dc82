#include "io/netlink.h"

#include <endian.h>
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if __BYTE_ORDER == __LITTLE_ENDIAN
#define HOST_ORDER 'l'
#else
#define HOST_ORDER 'b'
#endif

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t ts_ms(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* ---- recording ------------------------------------------------------------ */

static int record_header(FILE *f, int protocol, struct err *e)
{
	unsigned char h[NETLINK_RECORD_HEADER] = { 0 };

	memcpy(h, NETLINK_RECORD_MAGIC, 8);
	h[8] = NETLINK_RECORD_VERSION;
	h[9] = 0;
	h[10] = HOST_ORDER;
	put_le32(h + 12, (uint32_t)protocol);
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h))
		return err_errno(e, -EIO, "cannot write the netlink recording");
	return 0;
}

static int record_datagram(FILE *f, const void *p, size_t n, struct err *e)
{
	unsigned char len[4];

	put_le32(len, (uint32_t)n);
	if (fwrite(len, 1, 4, f) != 4 || fwrite(p, 1, n, f) != n)
		return err_errno(e, -EIO, "cannot write the netlink recording");
	return 0;
}

/* ---- replaying ------------------------------------------------------------ */

/* Reads exactly n bytes: 0, 1 at a clean end of file (nothing read), or
 * -PF_EPARSE when the file ends inside them. */
static int read_exact(struct netlink *nl, void *p, size_t n, const char *what, struct err *e)
{
	size_t got = fread(p, 1, n, nl->replay);

	nl->replay_offset += got;
	if (got == n)
		return 0;
	if (ferror(nl->replay))
		return err_errno(e, -EIO, "cannot read '%s'", nl->replay_name);
	if (got == 0 && !strcmp(what, "length"))
		return 1;
	return err_set(e, -PF_EPARSE, "'%s': record %zu is cut short in its %s (at byte %llu)", nl->replay_name,
		       nl->replay_records + 1, what, (unsigned long long)nl->replay_offset);
}

static int replay_header(struct netlink *nl, int protocol, struct err *e)
{
	unsigned char h[NETLINK_RECORD_HEADER];
	size_t got = fread(h, 1, sizeof(h), nl->replay);
	uint32_t proto;

	nl->replay_offset = got;
	if (ferror(nl->replay))
		return err_errno(e, -EIO, "cannot read '%s'", nl->replay_name);
	if (got < 8 || memcmp(h, NETLINK_RECORD_MAGIC, 8))
		return err_set(e, -PF_EPARSE, "'%s' is not a netlink recording (no '%s' header)", nl->replay_name,
			       "PFNLREC");
	if (got < sizeof(h))
		return err_set(e, -PF_EPARSE, "'%s': the recording header is cut short", nl->replay_name);
	if (h[8] != NETLINK_RECORD_VERSION || h[9] != 0)
		return err_set(e, -PF_EPARSE, "'%s': recording version %u, this preflight reads version %d",
			       nl->replay_name, (unsigned)h[8] | (unsigned)h[9] << 8, NETLINK_RECORD_VERSION);
	if (h[10] != 'l' && h[10] != 'b')
		return err_set(e, -PF_EPARSE, "'%s': unknown byte order 0x%02x in the recording header",
			       nl->replay_name, h[10]);
	/* Netlink messages are in the recording host's order: replaying them
	 * on the other one would read every length and state byte-swapped. */
	if (h[10] != HOST_ORDER)
		return err_set(e, -PF_EPARSE, "'%s' was recorded on a %s-endian host; this one is %s-endian",
			       nl->replay_name, h[10] == 'l' ? "little" : "big", HOST_ORDER == 'l' ? "little" : "big");
	proto = get_le32(h + 12);
	if (proto != (uint32_t)protocol)
		return err_set(e, -PF_EPARSE, "'%s' records netlink protocol %u, not %d", nl->replay_name, proto,
			       protocol);
	return 0;
}

static int replay_next(struct netlink *nl, size_t *ret_len, struct err *e)
{
	unsigned char len[4];
	uint32_t n;
	int r = read_exact(nl, len, 4, "length", e);

	if (r == 1)
		return err_set(e, -ENODATA, "'%s': the recording ends after %zu datagrams, before the answer does",
			       nl->replay_name, nl->replay_records);
	if (r < 0)
		return r;
	n = get_le32(len);
	if (n == 0 || n > NETLINK_DGRAM_MAX)
		return err_set(e, -PF_EPARSE, "'%s': record %zu claims %u bytes (1 to %d allowed)", nl->replay_name,
			       nl->replay_records + 1, n, NETLINK_DGRAM_MAX);
	r = read_exact(nl, nl->buf, n, "datagram", e);
	if (r != 0)
		return r < 0 ? r : -PF_EPARSE;
	nl->replay_records++;
	*ret_len = n;
	return 0;
}

/* ---- live ----------------------------------------------------------------- */

static int live_next(struct netlink *nl, size_t *ret_len, struct err *e)
{
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { nl->buf, NETLINK_DGRAM_MAX };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
		int64_t left = ts_ms(&nl->deadline) - now_ms();
		int wait = left < nl->recv_timeout_ms ? (int)left : nl->recv_timeout_ms;
		ssize_t n;
		int r;

		if (left <= 0)
			return err_set(e, -ETIMEDOUT, "'%s' took longer than %d s to answer", nl->name,
				       nl->total_timeout_ms / 1000);
		/* Read first, wait only when nothing is there: the kernel fills
		 * a dump's next datagram inside recvmsg, so a poll before each
		 * read costs a wake-up per datagram for nothing (measured: the
		 * census took 1.5 ms longer). */
		n = recvmsg(nl->fd, &mh, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = poll(&pfd, 1, wait);
			if (r < 0 && errno != EINTR)
				return err_errno(e, -errno, "cannot wait for '%s'", nl->name);
			if (r == 0 && wait >= nl->recv_timeout_ms)
				return err_set(e, -ETIMEDOUT, "'%s' sent nothing for %d s", nl->name,
					       nl->recv_timeout_ms / 1000);
			continue;   /* readable, interrupted, or the total deadline (reported above) */
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				return err_set(e, -ENOBUFS, "'%s' overran the receive buffer", nl->name);
			return err_errno(e, -errno, "cannot read from '%s'", nl->name);
		}
		if (mh.msg_flags & MSG_TRUNC)
			return err_set(e, -EMSGSIZE, "'%s' sent a datagram over %d bytes", nl->name, NETLINK_DGRAM_MAX);
		if (n == 0)
			return err_set(e, -EIO, "'%s' sent an empty datagram", nl->name);
		/* Only the kernel (port 0) answers; anything else is not ours. */
		if (mh.msg_namelen >= sizeof(from) && from.nl_pid != 0)
			continue;
		*ret_len = (size_t)n;
		return 0;
	}
}

/* ---- the API -------------------------------------------------------------- */

int netlink_open(struct netlink *nl, const struct netlink_opts *o, struct err *e)
{
	int r;

	memset(nl, 0, sizeof(*nl));
	nl->fd = -1;
	nl->name = o->name ? o->name : "netlink";
	nl->recv_timeout_ms = o->recv_timeout_ms > 0 ? o->recv_timeout_ms : 5000;
	nl->total_timeout_ms = o->total_timeout_ms > 0 ? o->total_timeout_ms : 30000;
	nl->record = o->record;
	nl->buf = malloc(NETLINK_DGRAM_MAX);
	if (!nl->buf) {
		r = err_set(e, -ENOMEM, "cannot allocate the '%s' receive buffer", nl->name);
		goto fail;
	}
	if (o->replay || o->replay_path) {
		if (o->replay) {
			nl->replay = o->replay;
			snprintf(nl->replay_name, sizeof(nl->replay_name), "%s",
				 o->replay_path ? o->replay_path : "(stream)");
		} else {
			snprintf(nl->replay_name, sizeof(nl->replay_name), "%s", o->replay_path);
			nl->replay = fopen(o->replay_path, "rbe");
			if (!nl->replay) {
				r = err_errno(e, -errno, "cannot open the netlink recording '%s'", o->replay_path);
				goto fail;
			}
			nl->own_replay = true;
		}
		r = replay_header(nl, o->protocol, e);
		if (r < 0)
			goto fail;
	} else {
		struct err why = { "" };

		r = netns_socket(o->netns, AF_NETLINK, SOCK_DGRAM, o->protocol, &why);
		if (r < 0) {
			if (o->netns)
				err_set(e, r, "%s", why.msg);
			else
				err_errno(e, r, "cannot open netlink socket '%s'", nl->name);
			goto fail;
		}
		nl->fd = r;
	}
	if (nl->record) {
		r = record_header(nl->record, o->protocol, e);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	netlink_close(nl);
	return r;
}

int netlink_send(struct netlink *nl, const void *msg, size_t len, struct err *e)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int64_t deadline;
	ssize_t n;

	if (nl->replay)
		return 0;
	do
		n = sendmsg(nl->fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_errno(e, -errno, "cannot send a request to '%s'", nl->name);
	if ((size_t)n != len)
		return err_set(e, -EIO, "a request to '%s' was sent short", nl->name);
	deadline = now_ms() + nl->total_timeout_ms;
	nl->deadline.tv_sec = (time_t)(deadline / 1000);
	nl->deadline.tv_nsec = (long)(deadline % 1000) * 1000000;
	return 0;
}

int netlink_recv(struct netlink *nl, const void **ret, size_t *ret_len, struct err *e)
{
	size_t n = 0;
	int r = nl->replay ? replay_next(nl, &n, e) : live_next(nl, &n, e);

	if (r < 0)
		return r;
	if (nl->record) {
		r = record_datagram(nl->record, nl->buf, n, e);
		if (r < 0)
			return r;
	}
	*ret = nl->buf;
	*ret_len = n;
	return 0;
}

bool netlink_replaying(const struct netlink *nl)
{
	return nl->replay != NULL;
}

void netlink_close(struct netlink *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
	if (nl->own_replay && nl->replay)
		fclose(nl->replay);
	nl->replay = NULL;
	nl->own_replay = false;
	free(nl->buf);
	nl->buf = NULL;
}
