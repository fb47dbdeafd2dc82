/* preflight tcp-census: TCP sockets per state, IPv4 + IPv6, in
 * preflight's own network namespace or a process's (docs/tcp-census.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "collect/netns.h"
#include "collect/procfs.h"
#include "collect/sockdiag.h"
#include "report/census.h"
#include "report/output.h"

struct census_args {
	const char *format, *output, *record, *replay, *process;
	pid_t pid;
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
	{ .type = OPT_PID, .short_name = 'p', .long_name = "pid", .arg_name = "PID",
	  .help = "count the sockets of PID's network namespace (a container's; entering another one needs "
		  "CAP_SYS_ADMIN)",
	  .off = offsetof(struct census_args, pid) },
	{ .type = OPT_STRING, .long_name = "process", .arg_name = "NAME",
	  .help = "the same for the process whose comm or executable name is NAME",
	  .off = offsetof(struct census_args, process) },
	OPT_END_ENTRY,
};

const struct command_spec cmd_tcp_census_spec = {
	.name = "tcp-census",
	.summary = "count host-wide TCP sockets per state (IPv4 + IPv6)",
	.synopsis = "[options]",
	.description = "Counts the TCP sockets of preflight's network namespace per state, over IPv4 and IPv6, "
		       "with one netlink sock_diag dump: what `ss -tan | awk ...` counts, several times faster. "
		       "Request sockets count as syn_recv, as in ss. With --pid or --process, counts the "
		       "namespace of that process instead (what `nsenter -t PID -n ss -tan` lists).",
	.exit_status = "Exit status: 0 counted, 2 usage error, no such process, its network namespace cannot be "
		       "entered, the kernel refused the dump or a recording is damaged, 3 the output or the "
		       "recording could not be written.",
	.see_also = "docs/tcp-census.md",
	.opts = census_opts,
	.operand_kind = "none",
};

/* Opens pid's network namespace when it is not ours: 1 (ns open), 0
 * (ours), or a negative errno with e filled. A namespace that cannot be
 * told is an error here: the user asked for that process's. */
static int census_netns(pid_t pid, struct netns *ns, struct err *e)
{
	struct netns_facts nf;
	int r;

	if (!proc_alive("", pid))
		return err_set(e, -ESRCH, "no process with pid %d", (int)pid);
	r = target_netns_open("", pid, ns, &nf);
	if (r < 0)
		return err_set(e, r, "%s", nf.err.msg);
	if (nf.whose == NETNS_UNKNOWN)
		return err_set(e, nf.unknown.code, "cannot tell the network namespace of pid %d: %s", (int)pid,
			       nf.unknown.msg);
	return r;
}

int cmd_tcp_census(int argc, char **argv)
{
	struct census_args a = { .format = "tty" };
	struct sockdiag_source src = { 0 };
	struct netns ns = { -1, -1, "" };
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
	if (a.pid && a.process)
		return cmd_usage_error("tcp-census", "give --pid or --process, not both");
	if ((a.pid || a.process) && (a.replay || getenv(SOCKDIAG_REPLAY_ENV)))
		return cmd_usage_error("tcp-census", "a recording is of the namespace it was made in: "
				       "--pid/--process and --replay (or $%s) do not go together", SOCKDIAG_REPLAY_ENV);
	if (a.process && proc_find_by_name("", a.process, &a.pid, &e) < 0)
		return cmd_usage_error("tcp-census", "%s", e.msg);
	if (a.pid) {
		r = census_netns(a.pid, &ns, &e);
		if (r < 0)
			return cmd_usage_error("tcp-census", "%s", e.msg);
		if (r == 1)
			src.netns = &ns;
	}
	src.replay = a.replay;
	/* The recording is replaced only once the census is complete, so a
	 * failed dump never leaves half a recording behind. */
	if (a.record) {
		if (output_open(&rec, a.record, &e) < 0)
			return cmd_usage_error("tcp-census", "%s", e.msg);
		src.record = rec.f;
	}
	r = sockdiag_census_from(&src, counts, &e);
	netns_close(&ns);
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
