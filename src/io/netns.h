/* netns: sockets made in another network namespace.
 *
 * A socket belongs to the network namespace it was created in, for its
 * whole life, whatever namespace the thread is in when it is used. So to
 * ask the kernel about a container's sockets (a NETLINK_SOCK_DIAG dump)
 * or to connect to its loopback listeners, it is enough to create the
 * socket there: the calling thread enters the namespace with
 * setns(CLONE_NEWNET), calls socket(), and returns to its own namespace
 * at once. Nothing else runs in the other namespace, and no other thread
 * of the process is moved. Files under /proc/sys/net are the same: the
 * view they show is fixed when they are opened (netns_open_file).
 *
 * Entering needs CAP_SYS_ADMIN (in the user namespace that owns the
 * target's network namespace, and in our own); opening /proc/PID/ns/net
 * at all needs the ptrace read access that /proc/PID/fd needs.
 *
 * Ownership: struct netns owns its two descriptors (O_CLOEXEC);
 * netns_close() closes them and may be called again.
 */
#ifndef PREFLIGHT_IO_NETNS_H
#define PREFLIGHT_IO_NETNS_H

#include <stdbool.h>

#include "base/err.h"

/* What entering another network namespace needs, quoted after the reason. */
#define NETNS_PRIVILEGE_HINT "(entering the target's network namespace needs CAP_SYS_ADMIN: run as root)"

struct netns {
	int fd;             /* the namespace to enter; -1 when closed */
	int home_fd;        /* the calling thread's own, to return to */
	char path[96];      /* "/proc/1234/ns/net": the subject of messages */
};

/* Opens path (a /proc/PID/ns/net link, or a bind mount of one under
 * /run/netns) and the calling thread's own namespace, and tries one round
 * trip into it and back, so that a missing privilege shows here, once,
 * rather than in every later socket. Returns 0 or a negative errno with e
 * filled: "/proc/1234/ns/net: Operation not permitted (entering ... needs
 * CAP_SYS_ADMIN: run as root)". ns is closed on failure. */
int netns_open(struct netns *ns, const char *path, struct err *e);
void netns_close(struct netns *ns);

/* socket(2) in ns (NULL: in the caller's own namespace). SOCK_CLOEXEC is
 * added to type. Returns the descriptor or a negative errno, with e
 * (may be NULL) filled. The thread is back in its own namespace when this
 * returns: if it could not return it aborts, since every later read would
 * silently be of the wrong namespace. */
int netns_socket(const struct netns *ns, int domain, int type, int protocol, struct err *e);

/* open(2) of a file for reading in ns (NULL: plain open): what
 * /proc/sys/net shows follows the opener's namespace, so a sysctl opened
 * this way reads the target's value. O_CLOEXEC is added. Returns the
 * descriptor or a negative errno (e filled, may be NULL). */
int netns_open_file(const struct netns *ns, const char *path, struct err *e);

#endif
