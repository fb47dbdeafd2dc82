#include "report/census.h"

#include <errno.h>
#include <string.h>

const char *const census_formats[] = { "tty", "json", "prom", NULL };

int census_render(const uint64_t counts[TCP_STATE_MAX], const char *format, FILE *out)
{
	const char *sep = "";

	if (!strcmp(format, "prom"))
		fputs("# HELP preflight_tcp_sockets TCP sockets of the network namespace per state (IPv4 and IPv6).\n"
		      "# TYPE preflight_tcp_sockets gauge\n",
		      out);
	else if (!strcmp(format, "json"))
		fputc('{', out);
	else if (strcmp(format, "tty"))
		return -EINVAL;
	for (int s = 1; s < TCP_STATE_MAX; s++) {
		const char *key = tcp_state_key(s);
		unsigned long long n = (unsigned long long)counts[s];

		if (!key)
			continue;
		if (!strcmp(format, "json")) {
			fprintf(out, "%s\"%s\":%llu", sep, key, n);
			sep = ",";
		} else if (!strcmp(format, "prom")) {
			fprintf(out, "preflight_tcp_sockets{state=\"%s\"} %llu\n", key, n);
		} else {
			fprintf(out, "%s %llu\n", key, n);
		}
	}
	if (!strcmp(format, "json"))
		fputs("}\n", out);
	return 0;
}
