/* preflight tcp-census: host-wide TCP sockets per state, IPv4 + IPv6, in
 * preflight's own network namespace (docs/tcp-census.md). */
#include <string.h>

#include "cmd/cmd.h"
#include "collect/sockdiag.h"
#include "report/census.h"
#include "report/output.h"

struct census_args {
	const char *format, *output;
	bool json;
};

static const struct opt census_opts[] = {
	OPT_FORMAT_ENTRY(struct census_args, format, census_formats,
			 "tty (default: \"state N\" lines), json (one object) or prom (node_exporter textfile)"),
	OPT_OUTPUT_ENTRY(struct census_args, output),
	{ .type = OPT_FLAG, .long_name = "json", .help = "the same as --format json (kept for scripts)",
	  .off = offsetof(struct census_args, json) },
	OPT_END_ENTRY,
};

const struct command_spec cmd_tcp_census_spec = {
	.name = "tcp-census",
	.summary = "count host-wide TCP sockets per state (IPv4 + IPv6)",
	.synopsis = "[options]",
	.description = "Counts the TCP sockets of preflight's network namespace per state, over IPv4 and IPv6, "
		       "with one netlink sock_diag dump: what `ss -tan | awk ...` counts, several times faster. "
		       "Request sockets count as syn_recv, as in ss.",
	.exit_status = "Exit status: 0 counted, 2 usage error or the kernel refused the dump, 3 the output could "
		       "not be written.",
	.see_also = "docs/tcp-census.md",
	.opts = census_opts,
	.operand_kind = "none",
};

int cmd_tcp_census(int argc, char **argv)
{
	struct census_args a = { .format = "tty" };
	uint64_t counts[TCP_STATE_MAX];
	struct output out;
	struct err e = { "" };
	int first, r = opts_parse(&cmd_tcp_census_spec, argc, argv, &a, &first);

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (a.json)
		a.format = "json";
	r = sockdiag_census(counts, &e);
	if (r < 0)
		return cmd_usage_error("tcp-census", "%s", e.msg[0] ? e.msg : err_str(r));
	if (output_open(&out, a.output, &e) < 0)
		return cmd_usage_error("tcp-census", "%s", e.msg);
	census_render(counts, a.format, out.f);
	if (output_commit(&out, &e) < 0)
		return cmd_error("tcp-census", EXIT_INTERNAL, "%s", e.msg);
	return EXIT_OK;
}
