/* cpuset: sets of CPU (or NUMA node) numbers, as the kernel's list
 * format writes them ("0-3,8,10-11"). */
#ifndef PREFLIGHT_CPUSET_H
#define PREFLIGHT_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPUSET_MAX 4096

struct cpuset {
	uint64_t bits[CPUSET_MAX / 64];
};

void cpuset_clear(struct cpuset *s);
/* Parses the list format; an empty string is the empty set. */
int cpuset_parse_list(const char *s, struct cpuset *ret);
/* Parses the hex mask format of /proc/PID/status Cpus_allowed ("ff,ffffffff"). */
int cpuset_parse_mask(const char *s, struct cpuset *ret);
void cpuset_set(struct cpuset *s, unsigned cpu);
bool cpuset_has(const struct cpuset *s, unsigned cpu);
unsigned cpuset_count(const struct cpuset *s);
void cpuset_and(struct cpuset *dst, const struct cpuset *other);
bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b);
/* Writes the list format into out; returns 0 or -ENOSPC. */
int cpuset_format(const struct cpuset *s, char *out, size_t n);

#endif
