/* libFuzzer target for the /proc parsers of the host collectors.
 *
 * The input is a /proc/PID/cgroup text and a /proc/PID/mountinfo text
 * separated by the first NUL byte. They are written into a fixture tree
 * (made once per process under /tmp, with a few cgroup interface files so
 * resolved directories lead to real reads) and cgroup_collect runs on it.
 * Both halves are also fed to netstat_parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/cgroup.h"
#include "collect/netstat.h"

static char tree[64];

static void write_all(const char *rel, const void *p, size_t n)
{
	char path[256];
	const char *c = p;
	size_t total = n;
	int fd;

	/* No O_TRUNC: ext4 flushes a file truncated to zero when it is closed
	 * (auto_da_alloc), which cut the exec rate on /tmp from thousands to
	 * hundreds per second. Overwrite, then cut to length. */
	snprintf(path, sizeof(path), "%s%s", tree, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			abort();
		c += w;
		n -= (size_t)w;
	}
	if (ftruncate(fd, (off_t)total) < 0)
		abort();
	close(fd);
}

static void put(const char *rel, const char *text)
{
	write_all(rel, text, strlen(text));
}

static void mkdir_rel(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		abort();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(void)
{
	nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A v2 hierarchy at /sys/fs/cgroup with a child "a", and v1 cpu and
 * memory hierarchies, so that inputs naming them reach the file readers. */
static void make_tree(void)
{
	static const char *const dirs[] = {
		"/proc", "/proc/1", "/sys", "/sys/fs", "/sys/fs/cgroup", "/sys/fs/cgroup/a",
		"/sys/fs/cgroup/a/b", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpuset",
	};

	snprintf(tree, sizeof(tree), "/tmp/fuzz-procfiles-XXXXXX");
	if (!mkdtemp(tree))
		abort();
	atexit(remove_tree);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir_rel(dirs[i]);
	put("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
	put("/sys/fs/cgroup/cpuset.cpus.effective", "0-7\n");
	put("/sys/fs/cgroup/cpuset.mems.effective", "0\n");
	put("/sys/fs/cgroup/a/cpu.max", "200000 200000\n");
	put("/sys/fs/cgroup/a/memory.max", "max\n");
	put("/sys/fs/cgroup/a/cpu.stat", "usage_usec 5\nnr_periods 10\nnr_throttled 2\nthrottled_usec 300\n");
	put("/sys/fs/cgroup/a/b/cpu.max", "150000 100000\n");
	put("/sys/fs/cgroup/a/b/memory.max", "536870912\n");
	put("/sys/fs/cgroup/a/b/memory.current", "4096\n");
	put("/sys/fs/cgroup/a/b/memory.events", "low 0\nhigh 0\nmax 1\noom 1\noom_kill 1\n");
	put("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "50000\n");
	put("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
	put("/sys/fs/cgroup/cpu/cpu.stat", "nr_periods 1\nnr_throttled 1\nthrottled_time 1000\n");
	put("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("/sys/fs/cgroup/memory/memory.usage_in_bytes", "8192\n");
	put("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	put("/sys/fs/cgroup/cpuset/cpuset.cpus", "0-3\n");
	put("/sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
}

static void parse_netstat(const uint8_t *p, size_t n)
{
	struct netstat_facts ns;
	char *text = malloc(n + 1);

	if (!text)
		return;
	memcpy(text, p, n);
	text[n] = '\0';
	netstat_parse(text, &ns);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t cg_len = nul ? (size_t)(nul - data) : size;
	const uint8_t *mi = nul ? nul + 1 : data + size;
	size_t mi_len = size - cg_len - (nul ? 1 : 0);
	struct cgroup_facts cg;

	if (!tree[0])
		make_tree();
	write_all("/proc/1/cgroup", data, cg_len);
	write_all("/proc/1/mountinfo", mi, mi_len);
	cgroup_collect(tree, 1, &cg);
	/* The facts must be terminated strings whatever the input was, and a
	 * failure always says why (struct fact_err's contract). */
	if (!memchr(cg.cpu_dir, '\0', sizeof(cg.cpu_dir)) || !memchr(cg.err.msg, '\0', sizeof(cg.err.msg)) ||
	    (cg.err.code < 0 && !cg.err.msg[0]))
		abort();
	parse_netstat(data, cg_len);
	parse_netstat(mi, mi_len);
	return 0;
}
