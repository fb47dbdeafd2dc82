/* psi: pressure stall information for the host and the target's cgroup.
 *
 * The kernel (CONFIG_PSI, 4.20+) prints, per resource, the share of
 * wall time in which some task (or, for "full", every non-idle task)
 * stalled waiting for it:
 *
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *
 * in /proc/pressure/{cpu,memory,io} and in a cgroup v2 directory's
 * {cpu,memory,io}.pressure. avgN are percentages averaged over N seconds,
 * total is the stall time in microseconds since boot (or since the cgroup
 * was made). The cpu file has no "full" line before 5.13. Without
 * CONFIG_PSI, with the psi=0 boot parameter, and on cgroup v1, the files
 * are not there; a cgroup with pressure turned off (cgroup.pressure = 0,
 * or psi disabled at run time) answers EOPNOTSUPP.
 *
 * Read twice, at the window's start and end, so a check can rate the
 * total= counters over the window as well as quote the kernel's averages.
 * Reads through a root prefix (fixture trees in tests).
 */
#ifndef PREFLIGHT_PSI_H
#define PREFLIGHT_PSI_H

#include <sys/types.h>

#include "facts/facts.h"

/* Parses one pressure file's text. A "some" line is required, "full" is
 * optional; each line needs avg10, avg60, avg300 (0..100) and total, in
 * any order (keys the kernel may add later are skipped). Returns 0 or
 * -PF_EPARSE. Pure: for tests and the fuzzer. */
int psi_parse(const char *text, struct psi_record *ret);

/* "cpu", "memory", "io". */
const char *psi_res_name(enum psi_res r);

/* Reads the host's and, for pid > 0, the target's cgroup pressure at the
 * start of the window, filling ret (zeroed first); cg is the target's
 * cgroup as cgroup_collect resolved it (its v2 directory holds the
 * pressure files). Never fails: each scope and resource records what it
 * found (enum psi_state). */
void psi_collect_start(const char *root, pid_t pid, const struct cgroup_facts *cg, struct psi_facts *ret);

/* Reads every resource that was read at the start again. */
void psi_collect_end(const char *root, struct psi_facts *f);

#endif
