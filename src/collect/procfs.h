/* procfs: what /proc says about one process: identity, Go-relevant
 * environment, CPU and memory placement, fd limit and open fds, and the
 * inodes of its sockets. Reads through a root prefix. */
#ifndef PREFLIGHT_PROCFS_H
#define PREFLIGHT_PROCFS_H

#include <sys/types.h>

#include "base/err.h"
#include "facts/facts.h"

/* Fills p (pid, comm, exe, cmdline, environment, affinity, limits, fds,
 * socket inodes). Returns -ESRCH when the process does not exist; other
 * unreadable parts are recorded in p (environ_err, fd_err, errmsg) and do
 * not fail the call. */
int proc_read(const char *root, pid_t pid, struct process_facts *p, struct err *e);

/* True when root/proc/PID still exists. */
bool proc_alive(const char *root, pid_t pid);

/* Parses the "Max open files" line of a /proc/PID/limits text;
 * UINT64_MAX = unlimited. */
int proc_parse_limits_nofile(const char *text, uint64_t *soft, uint64_t *hard);

/* Finds the process whose comm or executable basename equals name
 * (excluding preflight itself). -ESRCH when none; -PF_EAMBIGUOUS when
 * several match, with e listing the candidates. */
int proc_find_by_name(const char *root, const char *name, pid_t *ret, struct err *e);

/* When process pid started, in unix seconds: its starttime in
 * /proc/PID/stat (clock ticks since boot, 10 ms at USER_HZ 100) placed on
 * the wall clock through the boot-time clock. -ESRCH (e filled) when there
 * is no such process, -PF_EPARSE when the file has no start time. */
int proc_start_unix(const char *root, pid_t pid, double *ret, struct err *e);

void process_facts_release(struct process_facts *p);

#endif
