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

/* What the collectors take from a /proc/PID/status (or task/TID/status)
 * text. Sizes in bytes. */
struct proc_status {
	bool has_cpus, has_mems, has_rss;
	struct cpuset cpus, mems;         /* Cpus_allowed_list, Mems_allowed_list */
	uint64_t vm_rss, rss_anon, rss_file, rss_shmem;
};

/* Parses a status text; lines it does not know are skipped. 0, or
 * -PF_EPARSE when none of the fields is there. Pure (fuzzed). */
int proc_parse_status(const char *text, struct proc_status *ret);

/* The most threads whose status proc_read reads for their affinity; the
 * rest are counted, not read (a Go service rarely runs more than a few
 * hundred threads; thousands mean threads blocked in syscalls or cgo). */
#define PROC_THREADS_MAX 4096

/* Orders t->groups (most threads first) and sets t->differ; for the
 * collector and tests that build the facts by hand. */
void thread_affinity_finish(struct thread_affinity_facts *t);

/* Who else the memory cgroup of pid counts: the processes in its
 * cgroup.procs, whether it is the top of the hierarchy the target sees,
 * and the usage of the ancestor whose limit binds. Returns 0; what could
 * not be read is in ret->err. */
int proc_read_memshare(const char *root, const struct cgroup_facts *cg, struct memshare_facts *ret);

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
