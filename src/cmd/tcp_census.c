/* preflight tcp-census: host-wide TCP sockets per state, IPv4 + IPv6, in
 * preflight's own network namespace (docs/tcp-census.md). */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "collect/sockdiag.h"
#include "report/census.h"
#include "report/output.h"

struct census_args {
	const char *format, *output, *record, *replay;
	bool json;
};

static const struct opt census_opts[] = {
	OPT_FORMAT_ENTRY(struct census_args, format, census_formats,
			 "tty (default: \"state N\" lines), json (one object) or prom (node_exporter textfile)"),
	OPT_OUTPUT_ENTRY(struct census_args, output),
	{ .type = OPT_FLAG, .long_name = "json", .help = "the same as --format json (kept for scripts)",
	  .off = offsetof(struct census_args, json) },
	{ .type = OPT_FILE, .long_name = "record", .arg_name = "FILE",
	  .help = "also write the kernel's answers to FILE, a netlink recording that --replay and "
		  "PREFLIGHT_NETLINK_REPLAY read back (like ss -D)",
	  .off = offsetof(struct census_args, record) },
	{ .type = OPT_FILE, .long_name = "replay", .arg_name = "FILE",
	  .help = "count from a netlink recording instead of asking the kernel (default: "
		  "$PREFLIGHT_NETLINK_REPLAY when set)",
	  .off = offsetof(struct census_args, replay) },
	OPT_END_ENTRY,
};

const struct command_spec cmd_tcp_census_spec = {
	.name = "tcp-census",
	.summary = "count host-wide TCP sockets per state (IPv4 + IPv6)",
	.synopsis = "[options]",
	.description = "Counts the TCP sockets of preflight's network namespace per state, over IPv4 and IPv6, "
		       "with one netlink sock_diag dump: what `ss -tan | awk ...` counts, several times faster. "
		       "Request sockets count as syn_recv, as in ss.",
	.exit_status = "Exit status: 0 counted, 2 usage error, the kernel refused the dump or a recording is "
		       "damaged, 3 the output or the recording could not be written.",
	.see_also = "docs/tcp-census.md",
	.opts = census_opts,
	.operand_kind = "none",
};

int cmd_tcp_census(int argc, char **argv)
{
	struct census_args a = { .format = "tty" };
	struct sockdiag_source src = { 0 };
	uint64_t counts[TCP_STATE_MAX];
	struct output out, rec = { 0 };
	struct err e = { "" };
	int first, r = opts_parse(&cmd_tcp_census_spec, argc, argv, &a, &first);

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (a.json)
		a.format = "json";
	if (a.record && !strcmp(a.record, "-"))
		return cmd_usage_error("tcp-census", "--record writes a binary file; give its name, not '-'");
	src.replay = a.replay;
	/* The recording is replaced only once the census is complete, so a
	 * failed dump never leaves half a recording behind. */
	if (a.record) {
		if (output_open(&rec, a.record, &e) < 0)
			return cmd_usage_error("tcp-census", "%s", e.msg);
		src.record = rec.f;
	}
	r = sockdiag_census_from(&src, counts, &e);
	if (r < 0) {
		if (a.record)
			output_abort(&rec);
		if (r == -ENOMEM)
			return cmd_error("tcp-census", EXIT_INTERNAL, "%s", e.msg[0] ? e.msg : err_str(r));
		return cmd_usage_error("tcp-census", "%s", e.msg[0] ? e.msg : err_str(r));
	}
	if (a.record && output_commit(&rec, &e) < 0)
		return cmd_error("tcp-census", EXIT_INTERNAL, "%s", e.msg);
	if (output_open(&out, a.output, &e) < 0)
		return cmd_usage_error("tcp-census", "%s", e.msg);
	census_render(counts, a.format, out.f);
	if (output_commit(&out, &e) < 0)
		return cmd_error("tcp-census", EXIT_INTERNAL, "%s", e.msg);
	return EXIT_OK;
}
