/* libFuzzer target for the new host facts' parsers: a pressure file
 * (/proc/pressure/{cpu,memory,io}, a cgroup's *.pressure) and a
 * /proc/PID/status text (RSS, CPU and memory masks). The first byte picks
 * the parser; the rest is its input. Beyond not crashing, the harness
 * holds each parser to its contract: a refused pressure file leaves
 * nothing set, an accepted one has its averages in 0..1, and the status
 * parser only reports what it found. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/procfs.h"
#include "collect/psi.h"

static void check_line(const struct psi_line *l)
{
	if (!l->set)
		return;
	if (!(l->avg10 >= 0 && l->avg10 <= 1) || !(l->avg60 >= 0 && l->avg60 <= 1) ||
	    !(l->avg300 >= 0 && l->avg300 <= 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status *st;
	struct psi_record rec;
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1) {
		st = malloc(sizeof(*st));
		if (st) {
			if (proc_parse_status(s, st) < 0 && (st->has_cpus || st->has_mems || st->has_rss))
				abort();
			free(st);
		}
	} else if (psi_parse(s, &rec) == 0) {
		if (!rec.some.set)
			abort();
		check_line(&rec.some);
		check_line(&rec.full);
	} else if (rec.some.set || rec.full.set) {
		abort();
	}
	free(s);
	return 0;
}
