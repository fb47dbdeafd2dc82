/* conn_count: how many TCP connections one process holds, counted at a
 * moment: its socket inodes (the links in /proc/PID/fd) against the
 * kernel's ESTABLISHED sockets (collect/sockdiag.h). The sampler counts
 * them at each goroutine snapshot, so that the leak analysis judges the
 * goroutines that follow connections against the connections' own rise
 * (check/leak.h, gr_leak_params.conns).
 *
 * The kernel's answer covers preflight's own network namespace: a process
 * in another one is refused (-EXDEV) rather than counted as holding none,
 * since a count of 0 would make every connection goroutine look like a
 * leak. Reads /proc through a root prefix ("" = live).
 */
#ifndef PREFLIGHT_CONN_COUNT_H
#define PREFLIGHT_CONN_COUNT_H

#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "io/netns.h"

/* The ESTABLISHED TCP sockets (IPv4 and IPv6) among pid's open fds into
 * *ret, counted in the network namespace ns (io/netns.h: the target's,
 * opened by the caller) or, when ns is NULL, ours. Returns 0; -ESRCH,
 * -EACCES (the fds of another user's process need CAP_SYS_PTRACE or the
 * same uid), -EXDEV (ns NULL and pid in another network namespace: our
 * census would not hold its sockets) or a sockdiag error, with e filled. */
int conn_count_established(const char *root, pid_t pid, const struct netns *ns, uint64_t *ret, struct err *e);

/* The process that owns the TCP listener on port (any local address, in
 * preflight's network namespace), found through every process's fd links.
 * Returns 0; -EACCES when it was not found and some processes' fds could
 * not be read (another user's: it may be theirs); -ESRCH when there is no
 * such listener or no process owns it (e filled). */
int conn_listener_owner(const char *root, uint16_t port, pid_t *ret, struct err *e);

#endif
