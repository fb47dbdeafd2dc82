#include <stdio.h>

#include "check/checks.h"

const char *fmt_bytes(unsigned long long v, char out[32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, 32, "%llu B", v);
	else
		snprintf(out, 32, "%.1f %s", d, units[u]);
	return out;
}
