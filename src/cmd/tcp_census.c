/* preflight tcp-census: host-wide TCP sockets per state, IPv4 + IPv6, in
 * preflight's own network namespace (docs/tcp-census.md). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "collect/sockdiag.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: preflight tcp-census [--json]\n\n"
		     "Counts TCP sockets per state over IPv4 and IPv6 (netlink sock_diag).\n"
		     "  --json   one JSON object {\"established\":N,...} instead of \"state N\" lines\n");
}

static void print_text(const uint64_t counts[TCP_STATE_MAX])
{
	for (int s = 1; s < TCP_STATE_MAX; s++) {
		const char *key = tcp_state_key(s);

		if (key)
			printf("%s %llu\n", key, (unsigned long long)counts[s]);
	}
}

static void print_json(const uint64_t counts[TCP_STATE_MAX])
{
	const char *sep = "";

	putchar('{');
	for (int s = 1; s < TCP_STATE_MAX; s++) {
		const char *key = tcp_state_key(s);

		if (!key)
			continue;
		printf("%s\"%s\":%llu", sep, key, (unsigned long long)counts[s]);
		sep = ",";
	}
	printf("}\n");
}

int cmd_tcp_census(int argc, char **argv)
{
	uint64_t counts[TCP_STATE_MAX];
	struct err e = { "" };
	int json = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "preflight tcp-census: '%s' is not an option; see 'preflight tcp-census --help'\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	r = sockdiag_census(counts, &e);
	if (r < 0) {
		fprintf(stderr, "preflight tcp-census: %s\n", e.msg[0] ? e.msg : err_str(r));
		return EXIT_USAGE;
	}
	if (json)
		print_json(counts);
	else
		print_text(counts);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "preflight tcp-census: cannot write to standard output\n");
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}
