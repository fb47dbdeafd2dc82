#include "collect/procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/array.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/parse.h"
#include "collect/cgroup.h"

#define PROC_TEXT_MAX (1u << 20)

/* Records why a part could not be read, for the checks that need it. */
static void note(const struct process_facts *p, struct fact_err *fe, const char *what, int r)
{
	fact_err_setf(fe, r, "cannot read /proc/%d/%s: %s%s", (int)p->pid, what, strerror(-r),
		      r == -EACCES || r == -EPERM ? " " PROC_PRIVILEGE_HINT : "");
}

static int read_proc_file(const char *root, pid_t pid, const char *name, struct buf *b)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return read_file(root, path, b);
}

/* Alive means present and not a zombie: a process that exited but was not
 * yet reaped by its parent keeps its /proc entry. */
bool proc_alive(const char *root, pid_t pid)
{
	struct buf b = BUF_INIT(4096);
	const char *paren;
	bool alive = false;

	if (read_proc_file(root, pid, "stat", &b) == 0 && (paren = strrchr(b.data, ')')) && paren[1] == ' ')
		alive = paren[2] != 'Z' && paren[2] != 'X';
	buf_release(&b);
	return alive;
}

int proc_parse_limits_nofile(const char *text, uint64_t *soft, uint64_t *hard)
{
	const char *line = strstr(text, "\nMax open files");
	char copy[256], *fields[4];
	size_t len, n;
	const char *end;

	if (!line)
		return -PF_EPARSE;
	line++;
	end = strchr(line, '\n');
	len = end ? (size_t)(end - line) : strlen(line);
	if (len >= sizeof(copy) || len < 15)
		return -PF_EPARSE;
	/* The name has spaces; the values follow it in fixed columns, but
	 * splitting what follows the name on blanks is just as exact. */
	memcpy(copy, line + 14, len - 14);
	copy[len - 14] = '\0';
	n = split_fields(copy, " \t", fields, 4);
	if (n < 2)
		return -PF_EPARSE;
	if (!strcmp(fields[0], "unlimited"))
		*soft = UINT64_MAX;
	else if (parse_u64(fields[0], soft) < 0)
		return -PF_EPARSE;
	if (!strcmp(fields[1], "unlimited"))
		*hard = UINT64_MAX;
	else if (parse_u64(fields[1], hard) < 0)
		return -PF_EPARSE;
	return 0;
}

static void read_environ(const char *root, struct process_facts *p)
{
	struct buf b = BUF_INIT(PROC_TEXT_MAX);
	int r = read_proc_file(root, p->pid, "environ", &b);

	if (r < 0) {
		note(p, &p->environ_err, "environ", r);
		goto out;
	}
	for (size_t off = 0; off < b.len;) {
		const char *kv = b.data + off;
		size_t len = strnlen(kv, b.len - off);
		static const struct { const char *key; size_t field; } keys[] = {
			{ "GOMAXPROCS=", offsetof(struct process_facts, env_gomaxprocs) },
			{ "GOMEMLIMIT=", offsetof(struct process_facts, env_gomemlimit) },
			{ "GOGC=", offsetof(struct process_facts, env_gogc) },
			{ "GODEBUG=", offsetof(struct process_facts, env_godebug) },
		};

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i].key);
			char **slot = (char **)((char *)p + keys[i].field);

			if (len >= kl && !strncmp(kv, keys[i].key, kl)) {
				free(*slot);
				*slot = strndup(kv + kl, len - kl);
			}
		}
		off += len + 1;
	}
out:
	buf_release(&b);
}

/* "  1234 kB" into bytes. */
static int parse_kb(const char *s, uint64_t *ret)
{
	uint64_t v;
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	if (parse_u64_prefix(s, 20, &v, &len) < 0 || strcmp(s + len, " kB") != 0 || v > UINT64_MAX / 1024)
		return -PF_EPARSE;
	*ret = v * 1024;
	return 0;
}

int proc_parse_status(const char *text, struct proc_status *ret)
{
	static const struct { const char *key; size_t off; } kb[] = {
		{ "VmRSS:", offsetof(struct proc_status, vm_rss) },
		{ "RssAnon:", offsetof(struct proc_status, rss_anon) },
		{ "RssFile:", offsetof(struct proc_status, rss_file) },
		{ "RssShmem:", offsetof(struct proc_status, rss_shmem) },
	};
	unsigned rss_seen = 0;
	const char *p = text;

	memset(ret, 0, sizeof(*ret));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[8192];

		/* The longest line is a CPU list of thousands of CPUs; one that
		 * does not fit is not one we read. */
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (!strncmp(line, "Cpus_allowed_list:", 18))
				ret->has_cpus = cpuset_parse_list(line + 18, &ret->cpus) == 0;
			else if (!strncmp(line, "Mems_allowed_list:", 18))
				ret->has_mems = cpuset_parse_list(line + 18, &ret->mems) == 0;
			for (size_t i = 0; i < sizeof(kb) / sizeof(kb[0]); i++) {
				size_t kl = strlen(kb[i].key);

				if (!strncmp(line, kb[i].key, kl) &&
				    parse_kb(line + kl, (uint64_t *)((char *)ret + kb[i].off)) == 0)
					rss_seen |= 1u << i;
			}
		}
		p += len + (nl ? 1 : 0);
	}
	/* A kernel thread has no VmRSS; before 4.5 there is no RssAnon. */
	ret->has_rss = rss_seen & 1;
	return ret->has_cpus || ret->has_mems || ret->has_rss ? 0 : -PF_EPARSE;
}

static void read_status(const char *root, struct process_facts *p)
{
	struct buf b = BUF_INIT(PROC_TEXT_MAX);
	struct proc_status *st = malloc(sizeof(*st));
	int r = read_proc_file(root, p->pid, "status", &b);

	if (r < 0) {
		note(p, &p->status_err, "status", r);
		goto out;
	}
	if (!st)
		goto out;
	proc_parse_status(buf_str(&b), st);
	p->has_affinity = st->has_cpus;
	p->affinity = st->cpus;
	p->has_mems = st->has_mems;
	p->mems_allowed = st->mems;
	p->has_rss = st->has_rss;
	p->vm_rss = st->vm_rss;
	p->rss_anon = st->rss_anon;
	p->rss_file = st->rss_file;
	p->rss_shmem = st->rss_shmem;
out:
	free(st);
	buf_release(&b);
}

/* Adds one other thread's mask to the groups. */
static void group_add(struct thread_affinity_facts *t, const struct cpuset *cpus)
{
	for (unsigned i = 0; i < t->n_groups; i++)
		if (!memcmp(&t->groups[i].cpus, cpus, sizeof(*cpus))) {
			t->groups[i].threads++;
			return;
		}
	if (t->n_groups == THREAD_AFFINITY_GROUPS) {
		t->others_ungrouped++;
		return;
	}
	t->groups[t->n_groups].cpus = *cpus;
	t->groups[t->n_groups].threads = 1;
	t->n_groups++;
}

static void cpuset_or(struct cpuset *dst, const struct cpuset *src)
{
	for (size_t i = 0; i < sizeof(dst->bits) / sizeof(dst->bits[0]); i++)
		dst->bits[i] |= src->bits[i];
}

void thread_affinity_finish(struct thread_affinity_facts *t)
{
	/* Most common first; among equals the main thread's mask, then the
	 * order seen, so the result does not depend on readdir's order
	 * more than it must. */
	for (unsigned i = 1; i < t->n_groups; i++)
		for (unsigned j = i; j > 0; j--) {
			bool a_main = t->has_main && !memcmp(&t->groups[j].cpus, &t->main_cpus, sizeof(t->main_cpus));
			bool b_main = t->has_main &&
				      !memcmp(&t->groups[j - 1].cpus, &t->main_cpus, sizeof(t->main_cpus));

			if (t->groups[j].threads > t->groups[j - 1].threads ||
			    (t->groups[j].threads == t->groups[j - 1].threads && a_main && !b_main)) {
				__typeof__(t->groups[0]) tmp = t->groups[j];

				t->groups[j] = t->groups[j - 1];
				t->groups[j - 1] = tmp;
			} else {
				break;
			}
		}
	t->differ = t->n_groups > 1 || t->others_ungrouped ||
		    (t->n_groups == 1 && t->has_main && memcmp(&t->groups[0].cpus, &t->main_cpus, sizeof(t->main_cpus)));
}

/* Every thread's Cpus_allowed_list, at most PROC_THREADS_MAX of them. */
static void read_threads(const char *root, struct process_facts *p)
{
	struct thread_affinity_facts *t = &p->thread_affinity;
	struct buf b = BUF_INIT(PROC_TEXT_MAX);
	struct proc_status *st = malloc(sizeof(*st));
	char dir[4096], rel[64];
	struct dirent *de;
	int jr;
	DIR *d;

	snprintf(rel, sizeof(rel), "/proc/%d/task", (int)p->pid);
	jr = st ? path_join(dir, sizeof(dir), root, rel) : 0;
	if (!st || jr < 0 || !(d = opendir(dir))) {
		/* path_join sets no errno: its own code, not a stale one. */
		int r = !st ? -ENOMEM : jr < 0 ? jr : -errno;

		/* A fixture tree without task/ is a process seen only through its
		 * main thread; so is a live one whose task/ vanished. */
		if (r != -ENOENT)
			note(p, &t->err, "task", r);
		free(st);
		return;
	}
	t->read = true;
	while ((de = readdir(d))) {
		uint64_t tid;
		char name[64];

		if (parse_u64_n(de->d_name, strlen(de->d_name), &tid) < 0 || tid > INT32_MAX)
			continue;
		t->threads++;
		if (t->threads_read >= PROC_THREADS_MAX)
			continue;
		snprintf(name, sizeof(name), "task/%d/status", (int)tid);
		/* A thread that exits between readdir and the read is not counted. */
		if (read_proc_file(root, p->pid, name, &b) < 0 || proc_parse_status(buf_str(&b), st) < 0 ||
		    !st->has_cpus) {
			t->threads--;
			continue;
		}
		t->threads_read++;
		cpuset_or(&t->union_cpus, &st->cpus);
		if ((pid_t)tid == p->pid) {
			t->has_main = true;
			t->main_cpus = st->cpus;
		} else {
			t->others++;
			group_add(t, &st->cpus);
		}
	}
	closedir(d);
	free(st);
	buf_release(&b);
	thread_affinity_finish(t);
	/* The process-wide mask: what most other threads hold (new threads
	 * inherit their creator's mask, and Go's runtime re-reads its own
	 * thread's, see docs/collectors.md). */
	if (t->n_groups) {
		p->affinity = t->groups[0].cpus;
		p->has_affinity = true;
	} else if (t->has_main && !p->has_affinity) {
		p->affinity = t->main_cpus;
		p->has_affinity = true;
	}
}

int proc_read_memshare(const char *root, const struct cgroup_facts *cg, struct memshare_facts *ret)
{
	struct buf b = BUF_INIT(FILEIO_MAX_KERNEL_FILE);
	char path[CGROUP_PATH_MAX + 32];
	size_t dl = strlen(cg->memory_dir);
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!cg->memory_version || !dl)
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", cg->memory_dir, cg->memory_dir[dl - 1] == '/' ? "" : "/",
		 "cgroup.procs");
	r = read_file(root, path, &b);
	if (r < 0) {
		fact_err_setf(&ret->err, r, "cannot read '%s': %s", path, strerror(-r));
	} else {
		ret->known = true;
		for (size_t i = 0; i < b.len; i++)
			ret->procs += b.data[i] == '\n';
		if (b.len && b.data[b.len - 1] != '\n')
			ret->procs++;
	}
	/* The top of the hierarchy the target sees: the host's root cgroup,
	 * or under a cgroup namespace the container's whole cgroup. */
	ret->is_root = cg->memory_is_top;
	if (cg->memory_limit_dir[0] && strcmp(cg->memory_limit_dir, cg->memory_dir)) {
		size_t ll = strlen(cg->memory_limit_dir);
		uint64_t v;

		snprintf(path, sizeof(path), "%s%s%s", cg->memory_limit_dir,
			 cg->memory_limit_dir[ll - 1] == '/' ? "" : "/",
			 cg->memory_version == 2 ? "memory.current" : "memory.usage_in_bytes");
		if (read_file(root, path, &b) == 0 && parse_u64(buf_str(&b), &v) == 0) {
			ret->has_limit_usage = true;
			ret->limit_usage_bytes = v;
		}
	}
	buf_release(&b);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Counts open fds and collects socket inodes from the fd links. */
static void read_fds(const char *root, struct process_facts *p)
{
	char dir[4096], rel[64], link[64], target[128];
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd;

	snprintf(rel, sizeof(rel), "/proc/%d/fd", (int)p->pid);
	if (path_join(dir, sizeof(dir), root, rel) < 0 || !(d = opendir(dir))) {
		note(p, &p->fd_err, "fd", -errno);
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		ssize_t n;
		uint64_t ino;

		if (de->d_name[0] == '.')
			continue;
		p->open_fds++;
		snprintf(link, sizeof(link), "%s", de->d_name);
		n = readlinkat(dfd, link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "socket:[", 8) || target[n - 1] != ']')
			continue;
		target[n - 1] = '\0';
		if (parse_u64(target + 8, &ino) < 0)
			continue;
		if (array_reserve(&p->socket_inodes, &cap, p->n_socket_inodes, sizeof(*p->socket_inodes), 64) < 0)
			break;
		p->socket_inodes[p->n_socket_inodes++] = ino;
	}
	closedir(d);
	if (p->n_socket_inodes)
		qsort(p->socket_inodes, p->n_socket_inodes, sizeof(uint64_t), cmp_u64);
}

int proc_read(const char *root, pid_t pid, struct process_facts *p, struct err *e)
{
	struct buf b = BUF_INIT(PROC_TEXT_MAX);
	char path[4096], rel[64];
	ssize_t n;
	int r;

	p->pid = pid;
	r = read_proc_file(root, pid, "comm", &b);
	if (r < 0) {
		r = (r == -ENOENT) ? -ESRCH : r;
		err_set(e, r, r == -ESRCH ? "no process with pid %d" : "cannot read process %d: %s", (int)pid,
			strerror(-r));
		goto out;
	}
	p->present = true;
	snprintf(p->comm, sizeof(p->comm), "%s", rstrip(b.data));

	snprintf(rel, sizeof(rel), "/proc/%d/exe", (int)pid);
	if (path_join(path, sizeof(path), root, rel) == 0) {
		n = readlink(path, p->exe, sizeof(p->exe) - 1);
		if (n > 0)
			p->exe[n] = '\0';
		else
			note(p, &p->exe_err, "exe", -errno);
	}
	if (read_proc_file(root, pid, "cmdline", &b) == 0) {
		for (size_t i = 0; i + 1 < b.len; i++)
			if (b.data[i] == '\0')
				b.data[i] = ' ';
		p->cmdline = strdup(b.data);
	}
	read_environ(root, p);
	read_status(root, p);
	read_threads(root, p);
	r = read_proc_file(root, pid, "limits", &b);
	if (r == 0)
		p->has_nofile = proc_parse_limits_nofile(b.data, &p->nofile_soft, &p->nofile_hard) == 0;
	else
		note(p, &p->limits_err, "limits", r);
	read_fds(root, p);
	r = 0;
out:
	buf_release(&b);
	return r;
}

/* Matches the kernel's comm (truncated to 15 bytes, so only for short
 * names) or the basename of the executable. */
static bool match_name(const char *root, pid_t pid, const char *name, char *comm, size_t n)
{
	struct buf b = BUF_INIT(4096);
	char path[4096], rel[64], exe[1024];
	const char *base;
	ssize_t len;

	comm[0] = '\0';
	if (read_proc_file(root, pid, "comm", &b) == 0)
		snprintf(comm, n, "%s", rstrip(b.data));
	buf_release(&b);
	if (comm[0] && !strcmp(comm, name))
		return true;
	snprintf(rel, sizeof(rel), "/proc/%d/exe", (int)pid);
	if (path_join(path, sizeof(path), root, rel) < 0)
		return false;
	len = readlink(path, exe, sizeof(exe) - 1);
	if (len <= 0)
		return false;
	exe[len] = '\0';
	if (len > 10 && !strcmp(exe + len - 10, " (deleted)"))
		exe[len - 10] = '\0';
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return !strcmp(base, name);
}

int proc_find_by_name(const char *root, const char *name, pid_t *ret, struct err *e)
{
	struct buf cands = BUF_INIT(8192);
	char dir[4096], comm[64];
	pid_t self = getpid(), found = 0;
	unsigned nfound = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (path_join(dir, sizeof(dir), root, "/proc") < 0 || !(d = opendir(dir)))
		return err_errno(e, -errno, "cannot list '%s/proc'", root ? root : "");
	while ((de = readdir(d))) {
		uint64_t v;

		if (parse_u64_n(de->d_name, strlen(de->d_name), &v) < 0 || v > INT32_MAX)
			continue;
		if ((pid_t)v == self || !match_name(root, (pid_t)v, name, comm, sizeof(comm)))
			continue;
		nfound++;
		found = (pid_t)v;
		buf_printf(&cands, "%s%d (%s)", cands.len ? ", " : "", (int)v, comm);
	}
	closedir(d);
	if (nfound == 0)
		r = err_set(e, -ESRCH, "no process named '%s'", name);
	else if (nfound > 1)
		r = err_set(e, -PF_EAMBIGUOUS, "'%s' matches %u processes: %s; pick one with --pid", name, nfound,
			    buf_str(&cands));
	else
		*ret = found;
	buf_release(&cands);
	return r;
}

int proc_start_unix(const char *root, pid_t pid, double *ret, struct err *e)
{
	struct buf b = BUF_INIT(FILEIO_MAX_KERNEL_FILE);
	struct timespec real, boot;
	char *p, *f[20];
	uint64_t ticks;
	long hz = sysconf(_SC_CLK_TCK);
	int r;

	r = read_proc_file(root, pid, "stat", &b);
	if (r < 0) {
		r = r == -ENOENT ? -ESRCH : r;
		err_errno(e, r, "'/proc/%d/stat': cannot read the process start", (int)pid);
		goto out;
	}
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf_str(&b), ')');
	/* After comm: state is field 3, starttime field 22, so the 20th here. */
	if (!p || split_fields(p + 1, " \n", f, 20) < 20 || parse_u64(f[19], &ticks) < 0 || hz <= 0) {
		r = err_set(e, -PF_EPARSE, "'/proc/%d/stat': no start time in it", (int)pid);
		goto out;
	}
	if (clock_gettime(CLOCK_REALTIME, &real) < 0 || clock_gettime(CLOCK_BOOTTIME, &boot) < 0) {
		r = err_errno(e, -errno, "cannot read the clocks");
		goto out;
	}
	*ret = (double)real.tv_sec + real.tv_nsec / 1e9 -
	       ((double)boot.tv_sec + boot.tv_nsec / 1e9 - (double)ticks / (double)hz);
	r = 0;
out:
	buf_release(&b);
	return r;
}

void process_facts_release(struct process_facts *p)
{
	free(p->cmdline);
	free(p->env_gomaxprocs);
	free(p->env_gomemlimit);
	free(p->env_gogc);
	free(p->env_godebug);
	free(p->socket_inodes);
	free(p->listeners);
	free(p->endpoints);
	gobuild_release(&p->gobuild);
	memset(p, 0, sizeof(*p));
}
