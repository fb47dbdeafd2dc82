/* conn_count: a process's TCP connections at a moment (conn_count.h). */
#include "collect/conn_count.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/array.h"
#include "base/fileio.h"
#include "base/parse.h"
#include "collect/sockdiag.h"

struct inodes {
	uint64_t *v;
	size_t n, cap;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool inodes_has(const struct inodes *s, uint64_t ino)
{
	return ino && s->n && bsearch(&ino, s->v, s->n, sizeof(*s->v), cmp_u64);
}

/* The inode of an fd link "socket:[N]"; 0 for any other link. */
static uint64_t socket_inode(int dfd, const char *name)
{
	char target[64];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
	uint64_t ino;

	if (n <= 9)
		return 0;
	target[n] = '\0';
	if (strncmp(target, "socket:[", 8) || target[n - 1] != ']')
		return 0;
	target[n - 1] = '\0';
	return parse_u64(target + 8, &ino) < 0 ? 0 : ino;
}

/* Adds the socket inodes of pid's fds to s (or, with want, stops at the
 * first fd whose inode is in want: *found). */
static int read_inodes(const char *root, pid_t pid, struct inodes *s, const struct inodes *want, bool *found)
{
	char rel[64], dir[4096];
	struct dirent *de;
	DIR *d;
	int dfd, r = 0;

	snprintf(rel, sizeof(rel), "/proc/%d/fd", (int)pid);
	if (path_join(dir, sizeof(dir), root, rel) < 0)
		return -ENAMETOOLONG;
	if (!(d = opendir(dir)))
		return errno == ENOENT ? -ESRCH : -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		uint64_t ino;

		if (de->d_name[0] == '.' || !(ino = socket_inode(dfd, de->d_name)))
			continue;
		if (want) {
			if (inodes_has(want, ino)) {
				*found = true;
				break;
			}
			continue;
		}
		if (array_reserve(&s->v, &s->cap, s->n, sizeof(*s->v), 64) < 0) {
			r = -ENOMEM;
			break;
		}
		s->v[s->n++] = ino;
	}
	closedir(d);
	if (r == 0 && s && s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	return r;
}

/* The inode of a network namespace link; 0 when unreadable. */
static uint64_t netns_of(const char *root, const char *rel)
{
	char path[4096], link[64];
	ssize_t n;
	uint64_t ino;

	if (path_join(path, sizeof(path), root, rel) < 0 || (n = readlink(path, link, sizeof(link) - 1)) <= 5)
		return 0;
	link[n] = '\0';
	if (strncmp(link, "net:[", 5) || link[n - 1] != ']')
		return 0;
	link[n - 1] = '\0';
	return parse_u64(link + 5, &ino) < 0 ? 0 : ino;
}

struct count_ctx {
	const struct inodes *mine;
	uint64_t n;
};

static int count_visit(const struct sock_entry *s, void *arg)
{
	struct count_ctx *c = arg;

	if (s->state == TCPS_ESTABLISHED && inodes_has(c->mine, s->inode))
		c->n++;
	return 0;
}

int conn_count_established(const char *root, pid_t pid, const struct netns *ns, uint64_t *ret, struct err *e)
{
	struct sockdiag_source src = { .netns = ns };
	struct inodes s = { NULL, 0, 0 };
	struct count_ctx c = { &s, 0 };
	char rel[64];
	uint64_t ours, theirs;
	int r;

	snprintf(rel, sizeof(rel), "/proc/%d/ns/net", (int)pid);
	ours = netns_of("", "/proc/self/ns/net");
	theirs = netns_of(root, rel);
	if (!ns && ours && theirs && ours != theirs) {
		r = err_set(e, -EXDEV, "pid %d is in another network namespace: its connections are not counted",
			    (int)pid);
		goto out;
	}
	r = read_inodes(root, pid, &s, NULL, NULL);
	if (r == -EACCES || r == -EPERM) {
		r = err_set(e, r, "cannot read the fds of pid %d (%s): counting its connections needs the same user or "
				  "CAP_SYS_PTRACE (run as root)",
			    (int)pid, err_str(r));
		goto out;
	}
	if (r < 0) {
		r = err_set(e, r, "cannot read the fds of pid %d: %s", (int)pid, err_str(r));
		goto out;
	}
	r = sockdiag_dump_from(&src, 1u << TCPS_ESTABLISHED, count_visit, &c, e);
	if (r == 0)
		*ret = c.n;
out:
	free(s.v);
	return r;
}

struct listen_ctx {
	uint16_t port;
	struct inodes *found;
	int oom;
};

static int listen_visit(const struct sock_entry *s, void *arg)
{
	struct listen_ctx *c = arg;

	if (s->state != TCPS_LISTEN || s->sport != c->port || !s->inode)
		return 0;
	if (array_reserve(&c->found->v, &c->found->cap, c->found->n, sizeof(uint64_t), 4) < 0) {
		c->oom = 1;
		return 1;
	}
	c->found->v[c->found->n++] = s->inode;
	return 0;
}

int conn_listener_owner(const char *root, uint16_t port, pid_t *ret, struct err *e)
{
	struct inodes want = { NULL, 0, 0 };
	struct listen_ctx c = { port, &want, 0 };
	char dir[4096];
	struct dirent *de;
	DIR *d = NULL;
	int r;

	r = sockdiag_dump(1u << TCPS_LISTEN, listen_visit, &c, e);
	if (r == 0 && c.oom)
		r = err_set(e, -ENOMEM, "out of memory");
	if (r < 0)
		goto out;
	if (!want.n) {
		r = err_set(e, -ESRCH, "no TCP listener on port %u", (unsigned)port);
		goto out;
	}
	qsort(want.v, want.n, sizeof(*want.v), cmp_u64);
	if (path_join(dir, sizeof(dir), root, "/proc") < 0 || !(d = opendir(dir))) {
		int er = -errno;

		r = err_set(e, er, "cannot list /proc: %s", err_str(er));
		goto out;
	}
	r = -ESRCH;
	while ((de = readdir(d))) {
		uint64_t pid;
		bool found = false;
		int rr;

		if (parse_u64(de->d_name, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			continue;
		/* unreadable processes (other users') are skipped, and remembered */
		rr = read_inodes(root, (pid_t)pid, NULL, &want, &found);
		if (rr == 0 && found) {
			*ret = (pid_t)pid;
			r = 0;
			break;
		}
		if (rr == -EACCES || rr == -EPERM)
			r = -EACCES;
	}
	if (r == -EACCES)
		err_set(e, r, "the listener on port %u belongs to no process whose fds we may read (its owner's user "
			      "or root may)", (unsigned)port);
	else if (r < 0)
		err_set(e, r, "no process here owns the listener on port %u", (unsigned)port);
out:
	if (d)
		closedir(d);
	free(want.v);
	return r;
}
