#include "collect/sysctl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/parse.h"

/* The first line of a sysctl file: under /proc/sys/net opened in ns
 * (what it shows follows the opener's network namespace), else through
 * the root prefix. */
static int get_line(const char *root, const struct netns *ns, const char *path, char *out, size_t n)
{
	ssize_t got;
	char *nl;
	int fd;

	if (!ns || strncmp(path, "/proc/sys/net/", 14) != 0)
		return read_line(root, path, out, n);
	fd = netns_open_file(ns, path, NULL);
	if (fd < 0)
		return fd;
	do
		got = read(fd, out, n - 1);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		got = -errno;
	close(fd);
	if (got < 0)
		return (int)got;
	out[got] = '\0';
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	else if ((size_t)got == n - 1)
		return -ENOSPC;
	return 0;
}

static void read_one(const char *root, const struct netns *ns, const char *path, struct opt_i64 *ret)
{
	char line[128];
	int64_t v;

	if (get_line(root, ns, path, line, sizeof(line)) == 0 && parse_i64(line, &v) == 0) {
		ret->set = true;
		ret->v = v;
	}
}

/* Reads the first two whitespace-separated numbers of a multi-value file
 * (ip_local_port_range "32768\t60999", file-nr "475\t0\t2466186"); b may be NULL. */
static void read_pair(const char *root, const struct netns *ns, const char *path, struct opt_i64 *a,
		      struct opt_i64 *b)
{
	char line[256], *f[3];
	int64_t va, vb = 0;
	size_t n;

	if (get_line(root, ns, path, line, sizeof(line)) < 0)
		return;
	n = split_fields(line, " \t", f, 3);
	if (n < (b ? 2u : 1u) || parse_i64(f[0], &va) < 0 || (b && parse_i64(f[1], &vb) < 0))
		return;
	a->set = true;
	a->v = va;
	if (b) {
		b->set = true;
		b->v = vb;
	}
}

static void read_host_wide(const char *root, struct sysctl_facts *ret)
{
	read_one(root, NULL, "/proc/sys/fs/file-max", &ret->file_max);
	read_pair(root, NULL, "/proc/sys/fs/file-nr", &ret->file_allocated, NULL);
	read_one(root, NULL, "/proc/sys/fs/nr_open", &ret->nr_open);
}

int sysctl_collect_host(const char *root, struct sysctl_facts *ret)
{
	memset(ret, 0, sizeof(*ret));
	read_host_wide(root, ret);
	return 0;
}

int sysctl_collect_in(const char *root, const struct netns *ns, struct sysctl_facts *ret)
{
	memset(ret, 0, sizeof(*ret));
	/* Per network namespace: the target's when ns is given. */
	read_one(root, ns, "/proc/sys/net/ipv4/tcp_tw_reuse", &ret->tcp_tw_reuse);
	read_one(root, ns, "/proc/sys/net/ipv4/tcp_fin_timeout", &ret->tcp_fin_timeout);
	read_one(root, ns, "/proc/sys/net/core/somaxconn", &ret->somaxconn);
	read_one(root, ns, "/proc/sys/net/ipv4/tcp_max_syn_backlog", &ret->tcp_max_syn_backlog);
	read_pair(root, ns, "/proc/sys/net/ipv4/ip_local_port_range", &ret->port_lo, &ret->port_hi);
	read_one(root, ns, "/proc/sys/net/ipv4/tcp_max_tw_buckets", &ret->tcp_max_tw_buckets);
	read_one(root, ns, "/proc/sys/net/ipv4/tcp_syncookies", &ret->tcp_syncookies);
	/* Host-wide whatever the namespace. */
	read_host_wide(root, ret);
	return 0;
}

int sysctl_collect(const char *root, struct sysctl_facts *ret)
{
	return sysctl_collect_in(root, NULL, ret);
}
