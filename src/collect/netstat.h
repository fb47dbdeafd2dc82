/* netstat: TcpExt counters from /proc/net/netstat (of the reader's
 * network namespace), read through a root prefix. */
#ifndef PREFLIGHT_NETSTAT_H
#define PREFLIGHT_NETSTAT_H

#include "facts/facts.h"

/* Parses the text of /proc/net/netstat: pairs of a "TcpExt: names..."
 * line and a "TcpExt: values..." line, matched by name since the columns
 * differ between kernels. ret->set is false when the counters are absent.
 * Returns 0, or -PF_EPARSE (also in ret->err) when a pair is malformed. */
int netstat_parse(const char *text, struct netstat_facts *ret);

/* Reads root/proc/net/netstat and parses it; a negative errno (also in
 * ret->err) when it cannot be read. */
int netstat_collect(const char *root, struct netstat_facts *ret);

/* The same from another file of that format: /proc/PID/net/netstat shows
 * the counters of PID's network namespace (no privilege needed). */
int netstat_collect_file(const char *root, const char *path, struct netstat_facts *ret);

#endif
