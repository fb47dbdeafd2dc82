/* cgroup: the CPU, cpuset and memory limits of a process's cgroup.
 *
 * Reads /proc/PID/cgroup and a mountinfo through a root prefix (on the
 * live system our own, /proc/self/mountinfo, since the cgroup paths are
 * relative to our cgroup namespace and the files are read in our mount
 * namespace; in a fixture tree the target's), finds where each controller
 * is attached (a v1 hierarchy, the v2 unified
 * hierarchy, or on a hybrid host a mix of both), and reads its files.
 * See docs/collectors.md for the rules, the ancestor rule in particular.
 *
 * The pure parsers are exposed so they can be fuzzed and tested on strings.
 */
#ifndef PREFLIGHT_CGROUP_H
#define PREFLIGHT_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"
#include "facts/facts.h"

/* Same size as the directory fields of struct cgroup_facts. */
#define CGROUP_PATH_MAX 512

enum cgroup_ctl {
	CGROUP_CPU,
	CGROUP_CPUSET,
	CGROUP_MEMORY,
	CGROUP_NCTL,
};

/* Where one controller's cgroup is, as paths on the target system (without
 * the root prefix). */
struct cgroup_loc {
	int version;                 /* 1, 2, or 0 when not found or not visible */
	char dir[CGROUP_PATH_MAX];   /* the cgroup's directory */
	char top[CGROUP_PATH_MAX];   /* its mount point: the highest ancestor we can see */
};

struct cgroup_paths {
	struct cgroup_loc ctl[CGROUP_NCTL];
	struct cgroup_loc unified;   /* the process's v2 cgroup, version 0 when none */
};

/* One line of /proc/PID/mountinfo; the strings point into the parsed line
 * and are unescaped (the kernel writes space, tab, newline and backslash
 * as \040, \011, \012, \134). */
struct mountinfo_entry {
	char *root;                  /* the part of the filesystem the mount shows */
	char *mountpoint;
	char *fstype;
	char *super_opts;            /* for cgroup v1: the controllers, "rw,cpu,cpuacct" */
};

/* Parses one mountinfo line in place. Returns 0 or -PF_EPARSE. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *ret);

/* Resolves each controller from the texts of /proc/PID/cgroup and
 * /proc/PID/mountinfo. A controller named on a v1 line gets version 1 when
 * a cgroup mount of its hierarchy shows the process's cgroup, else 0.
 * Every other controller gets version 2 when the unified hierarchy is
 * mounted and shows the cgroup: whether it is really enabled there is only
 * known from cgroup.controllers, which the caller reads (cgroup_collect
 * does). Returns 0, or a negative code with e filled for malformed input
 * or a path longer than CGROUP_PATH_MAX. */
int cgroup_resolve(const char *proc_cgroup, const char *mountinfo, struct cgroup_paths *ret,
		   struct err *e);

/* Fills ret for process pid (0 = the caller, /proc/self) under root ("" =
 * the live system). A controller that is not found leaves its version 0
 * and its has_* flags false; that is not an error. Returns 0, or a negative
 * code (also stored in ret->err, with ret->errmsg) when /proc/PID/cgroup or
 * mountinfo cannot be read or parsed, and -EXDEV when no controller is found
 * because the cgroup lies outside our cgroup namespace ("/.."). */
int cgroup_collect(const char *root, pid_t pid, struct cgroup_facts *ret);

#endif
