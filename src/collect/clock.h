/* clock: the clocksource and the kernel's clock discipline.
 *
 * The clocksource comes from /sys/devices/system/clocksource/clocksource0
 * under a root prefix; running time daemons from root/proc/PID/comm. The
 * kernel's NTP state (adjtimex) exists only on the live system, so it is
 * read only when root is "" (or NULL).
 */
#ifndef PREFLIGHT_CLOCK_H
#define PREFLIGHT_CLOCK_H

#include <sys/timex.h>

#include "facts/facts.h"

/* Fills ret. Returns 0, or a negative code (also in ret->err and
 * ret->errmsg) when current_clocksource cannot be read; adjtimex failing
 * only leaves adjtimex_ok false. Daemons are named by what they are
 * ("systemd-timesyncd"), not by their truncated comm. */
int clock_collect(const char *root, struct clock_facts *ret);

/* Stores what adjtimex(tx) returned: state is its return value (-1 =
 * failed, adjtimex_ok false). Offsets are converted to microseconds when
 * STA_NANO says the kernel gave nanoseconds. */
void clock_fill_adjtimex(struct clock_facts *f, int state, const struct timex *tx);

#endif
