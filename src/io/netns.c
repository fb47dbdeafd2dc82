#include "io/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int enter(const struct netns *ns, struct err *e)
{
	int r;

	if (setns(ns->fd, CLONE_NEWNET) == 0)
		return 0;
	r = -errno;
	if (r == -EPERM)
		return err_set(e, r, "%s: %s %s", ns->path, strerror(-r), NETNS_PRIVILEGE_HINT);
	return err_set(e, r, "%s: %s", ns->path, strerror(-r));
}

/* Back home. A thread left in the target's namespace would make every
 * later socket and sysctl the target's without a word: better to stop. */
static void leave(const struct netns *ns)
{
	if (setns(ns->home_fd, CLONE_NEWNET) < 0)
		abort();
}

int netns_open(struct netns *ns, const char *path, struct err *e)
{
	int r;

	ns->fd = ns->home_fd = -1;
	snprintf(ns->path, sizeof(ns->path), "%s", path);
	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		r = -errno;
		if (r == -EACCES || r == -EPERM)
			err_set(e, r, "%s: %s (run as the service's user or root, or with CAP_SYS_PTRACE)", path,
				strerror(-r));
		else
			err_set(e, r, "%s: %s", path, strerror(-r));
		goto fail;
	}
	ns->home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->home_fd < 0) {
		r = err_errno(e, -errno, "cannot open our own network namespace '/proc/thread-self/ns/net'");
		goto fail;
	}
	r = enter(ns, e);
	if (r < 0)
		goto fail;
	leave(ns);
	return 0;
fail:
	netns_close(ns);
	return r;
}

void netns_close(struct netns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	if (ns->home_fd >= 0)
		close(ns->home_fd);
	ns->fd = ns->home_fd = -1;
}

int netns_socket(const struct netns *ns, int domain, int type, int protocol, struct err *e)
{
	int fd, r;

	if (ns) {
		r = enter(ns, e);
		if (r < 0)
			return r;
	}
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	r = fd < 0 ? -errno : fd;
	if (ns)
		leave(ns);
	if (r < 0)
		return err_errno(e, r, "cannot create a socket%s%s", ns ? " in " : "", ns ? ns->path : "");
	return r;
}

int netns_open_file(const struct netns *ns, const char *path, struct err *e)
{
	int fd, r;

	if (ns) {
		r = enter(ns, e);
		if (r < 0)
			return r;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : fd;
	if (ns)
		leave(ns);
	if (r < 0)
		return err_errno(e, r, "cannot open '%s'%s%s", path, ns ? " in " : "", ns ? ns->path : "");
	return r;
}
