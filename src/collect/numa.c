#include "collect/numa.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fileio.h"
#include "base/parse.h"

#define NODE_DIR "/sys/devices/system/node"
/* A CPU list of 4096 scattered CPUs is about 20 KiB. */
#define CPULIST_MAX 65536

static int read_cpulist(const char *root, const char *path, struct cpuset *ret)
{
	struct buf b = BUF_INIT(CPULIST_MAX);
	int r = read_file(root, path, &b);

	if (r == 0)
		r = cpuset_parse_list(b.data, ret) < 0 ? -PF_EPARSE : 0;
	buf_release(&b);
	return r;
}

/* "node12" -> 12; false for anything else in the directory (online, possible, power...). */
static bool node_id(const char *name, unsigned *ret)
{
	uint64_t v;

	if (strncmp(name, "node", 4) != 0 || name[4] < '0' || name[4] > '9')
		return false;
	if (parse_u64(name + 4, &v) < 0 || v > 1u << 20)
		return false;
	*ret = (unsigned)v;
	return true;
}

/* Inserts a node keeping node_ids sorted, since readdir order is arbitrary. */
static int add_node(struct numa_facts *f, unsigned id, const struct cpuset *cpus)
{
	unsigned i;

	if (f->nodes == NUMA_MAX_NODES)
		return -E2BIG;
	for (i = f->nodes; i > 0 && f->node_ids[i - 1] > id; i--) {
		f->node_ids[i] = f->node_ids[i - 1];
		f->node_cpus[i] = f->node_cpus[i - 1];
	}
	f->node_ids[i] = id;
	f->node_cpus[i] = *cpus;
	f->nodes++;
	return 0;
}

static int read_nodes(const char *root, struct numa_facts *ret, struct err *e)
{
	char dirpath[4096];
	DIR *d = NULL;
	struct dirent *de;
	int fd, r;

	r = path_join(dirpath, sizeof(dirpath), root, NODE_DIR);
	if (r < 0)
		return err_errno(e, r, "could not open '%s'", NODE_DIR);
	fd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return r == -ENOENT ? r : err_errno(e, r, "could not open '%s'", NODE_DIR);
	}
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return err_errno(e, r, "could not open '%s'", NODE_DIR);
	}
	while ((de = readdir(d)) != NULL) {
		char path[128];
		struct cpuset cpus;
		unsigned id;

		if (!node_id(de->d_name, &id))
			continue;
		snprintf(path, sizeof(path), NODE_DIR "/node%u/cpulist", id);
		r = read_cpulist(root, path, &cpus);
		if (r < 0) {
			err_errno(e, r, "could not read '%s'", path);
			goto out;
		}
		if (cpuset_count(&cpus) == 0)
			continue;
		r = add_node(ret, id, &cpus);
		if (r < 0) {
			err_set(e, r, "more than %d NUMA nodes hold CPUs", NUMA_MAX_NODES);
			goto out;
		}
	}
	r = 0;
out:
	closedir(d);
	return r;
}

static void read_smt(const char *root, struct numa_facts *ret)
{
	struct cpuset siblings;
	char path[128];
	int64_t active;
	unsigned first = 0;

	while (first < CPUSET_MAX && !cpuset_has(&ret->online, first))
		first++;
	/* The first online CPU rather than cpu0: cpu0 can be offline on some
	 * architectures. */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", first);
	if (first < CPUSET_MAX && read_cpulist(root, path, &siblings) == 0)
		ret->threads_per_core = cpuset_count(&siblings);
	/* smt/active (4.19+) says whether SMT is on right now, which the
	 * sibling count of one core alone cannot tell after "nosmt". */
	if (read_i64(root, "/sys/devices/system/cpu/smt/active", &active) == 0)
		ret->smt_active = active != 0;
	else
		ret->smt_active = ret->threads_per_core > 1;
}

int numa_collect(const char *root, struct numa_facts *ret)
{
	struct err e = { { 0 } };
	int r;

	memset(ret, 0, sizeof(*ret));
	r = read_cpulist(root, "/sys/devices/system/cpu/online", &ret->online);
	if (r < 0) {
		err_errno(&e, r, "could not read '%s'", "/sys/devices/system/cpu/online");
		goto out;
	}
	r = read_nodes(root, ret, &e);
	if (r == -ENOENT && !e.msg[0])
		r = 0;
	if (r < 0)
		goto out;
	/* No node directory (CONFIG_NUMA=n) or no node with CPUs: one node. */
	if (ret->nodes == 0) {
		ret->nodes = 1;
		ret->node_ids[0] = 0;
		ret->node_cpus[0] = ret->online;
	}
	read_smt(root, ret);
out:
	if (r < 0)
		fact_err_set(&ret->err, r, &e);
	return r;
}
