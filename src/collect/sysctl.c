#include "collect/sysctl.h"

#include <string.h>

#include "base/fileio.h"
#include "base/parse.h"

static void read_one(const char *root, const char *path, struct opt_i64 *ret)
{
	int64_t v;

	if (read_i64(root, path, &v) == 0) {
		ret->set = true;
		ret->v = v;
	}
}

/* Reads the first two whitespace-separated numbers of a multi-value file
 * (ip_local_port_range "32768\t60999", file-nr "475\t0\t2466186"); b may be NULL. */
static void read_pair(const char *root, const char *path, struct opt_i64 *a, struct opt_i64 *b)
{
	char line[256], *f[3];
	int64_t va, vb = 0;
	size_t n;

	if (read_line(root, path, line, sizeof(line)) < 0)
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

int sysctl_collect(const char *root, struct sysctl_facts *ret)
{
	memset(ret, 0, sizeof(*ret));
	read_one(root, "/proc/sys/net/ipv4/tcp_tw_reuse", &ret->tcp_tw_reuse);
	read_one(root, "/proc/sys/net/ipv4/tcp_fin_timeout", &ret->tcp_fin_timeout);
	read_one(root, "/proc/sys/net/core/somaxconn", &ret->somaxconn);
	read_one(root, "/proc/sys/net/ipv4/tcp_max_syn_backlog", &ret->tcp_max_syn_backlog);
	read_pair(root, "/proc/sys/net/ipv4/ip_local_port_range", &ret->port_lo, &ret->port_hi);
	read_one(root, "/proc/sys/net/ipv4/tcp_max_tw_buckets", &ret->tcp_max_tw_buckets);
	read_one(root, "/proc/sys/net/ipv4/tcp_syncookies", &ret->tcp_syncookies);
	read_one(root, "/proc/sys/fs/file-max", &ret->file_max);
	read_pair(root, "/proc/sys/fs/file-nr", &ret->file_allocated, NULL);
	read_one(root, "/proc/sys/fs/nr_open", &ret->nr_open);
	return 0;
}
