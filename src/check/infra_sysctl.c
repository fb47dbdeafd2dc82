/* TCP kernel settings, reported with what each value means. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/parse.h"
#include "check/checks.h"

static const char *tw_reuse_meaning(long long v)
{
	switch (v) {
	case 0: return "disabled";
	case 1: return "reuse TIME_WAIT sockets for new outgoing connections when TCP timestamps make it safe";
	case 2: return "reuse for loopback traffic only (the kernel default since 4.18)";
	default: return "unknown value";
	}
}

CHECK_FN(check_net_sysctl)
{
	const struct sysctl_facts *s = &f->sysctl;
	double min_somax = param_num(p, "min_somaxconn"), min_range = param_num(p, "min_port_range");
	double max_fin = param_num(p, "max_fin_timeout");
	struct buf problems = BUF_INIT(4096), advice = BUF_INIT(8192), unread = BUF_INIT(1024);
	enum pf_status st = STATUS_PASS;

	/* The target's namespace could not be entered: ours are not its values. */
	if (fact_err_failed(&s->net_err)) {
		result_set(r, STATUS_ERROR, "could not read the target's net.* sysctls: %s", s->net_err.msg);
		goto out;
	}
	if (s->tcp_tw_reuse.set) {
		ev_int(r, "tcp_tw_reuse", s->tcp_tw_reuse.v);
		ev_str(r, "tcp_tw_reuse_meaning", tw_reuse_meaning(s->tcp_tw_reuse.v));
	}
	if (s->tcp_fin_timeout.set)
		ev_int(r, "tcp_fin_timeout", s->tcp_fin_timeout.v);
	if (s->somaxconn.set)
		ev_int(r, "somaxconn", s->somaxconn.v);
	if (s->tcp_max_syn_backlog.set)
		ev_int(r, "tcp_max_syn_backlog", s->tcp_max_syn_backlog.v);
	if (s->port_lo.set && s->port_hi.set) {
		char range[64];

		snprintf(range, sizeof(range), "%lld-%lld", (long long)s->port_lo.v, (long long)s->port_hi.v);
		ev_str(r, "ip_local_port_range", range);
	}
	if (s->somaxconn.set && (double)s->somaxconn.v < min_somax) {
		st = STATUS_WARN;
		buf_printf(&problems, "somaxconn=%lld below %.0f; ", (long long)s->somaxconn.v, min_somax);
		buf_printf(&advice, "raise net.core.somaxconn to at least %.0f (it caps every listen backlog). ",
			   min_somax);
	}
	if (s->somaxconn.set && s->tcp_max_syn_backlog.set && s->tcp_max_syn_backlog.v < s->somaxconn.v) {
		st = STATUS_WARN;
		buf_printf(&problems, "tcp_max_syn_backlog=%lld below somaxconn; ", (long long)s->tcp_max_syn_backlog.v);
		buf_printf(&advice, "set net.ipv4.tcp_max_syn_backlog >= somaxconn so half-open connections "
				    "are not dropped first. ");
	}
	if (s->port_lo.set && s->port_hi.set && (double)(s->port_hi.v - s->port_lo.v + 1) < min_range) {
		st = STATUS_WARN;
		buf_printf(&problems, "only %lld ephemeral ports; ", (long long)(s->port_hi.v - s->port_lo.v + 1));
		buf_printf(&advice, "widen net.ipv4.ip_local_port_range (e.g. 10240 65535) for services making "
				    "many outbound connections. ");
	}
	if (s->tcp_fin_timeout.set && (double)s->tcp_fin_timeout.v > max_fin) {
		st = STATUS_WARN;
		buf_printf(&problems, "tcp_fin_timeout=%lld s; ", (long long)s->tcp_fin_timeout.v);
		buf_printf(&advice, "lower net.ipv4.tcp_fin_timeout (FIN_WAIT2 lifetime; 15-30 s is common). ");
	}
	if (s->tcp_tw_reuse.set && s->tcp_tw_reuse.v != 1)
		buf_printf(&advice, "tcp_tw_reuse=%lld (%s): set 1 on hosts that open many outbound "
				    "connections. It only affects outgoing connections and needs TCP timestamps "
				    "on both ends (net.ipv4.tcp_timestamps=1); a NAT or load balancer that strips "
				    "timestamps makes it a no-op. The NAT breakage people remember is "
				    "tcp_tw_recycle (removed in Linux 4.12), not tcp_tw_reuse. ",
			   (long long)s->tcp_tw_reuse.v, tw_reuse_meaning(s->tcp_tw_reuse.v));
	/* A value that could not be read is neither good nor bad: name it,
	 * and pass only when everything judged was read. */
	if (!s->somaxconn.set)
		buf_printf(&unread, "net.core.somaxconn, ");
	if (!s->tcp_max_syn_backlog.set)
		buf_printf(&unread, "net.ipv4.tcp_max_syn_backlog, ");
	if (!s->tcp_tw_reuse.set)
		buf_printf(&unread, "net.ipv4.tcp_tw_reuse, ");
	if (!s->tcp_fin_timeout.set)
		buf_printf(&unread, "net.ipv4.tcp_fin_timeout, ");
	if (!s->port_lo.set || !s->port_hi.set)
		buf_printf(&unread, "net.ipv4.ip_local_port_range, ");
	if (unread.len >= 2)
		unread.data[unread.len - 2] = '\0';
	if (unread.len)
		ev_str(r, "unreadable", buf_str(&unread));
	if (st == STATUS_PASS && unread.len)
		result_set(r, STATUS_SKIP, "could not read %s under %s/proc/sys: not judged", buf_str(&unread),
			   f->root ? f->root : "");
	else if (st == STATUS_PASS)
		result_set(r, STATUS_PASS, "somaxconn=%lld tcp_max_syn_backlog=%lld tcp_tw_reuse=%lld tcp_fin_timeout=%lld ports=%lld-%lld",
			   (long long)s->somaxconn.v, (long long)s->tcp_max_syn_backlog.v, (long long)s->tcp_tw_reuse.v,
			   (long long)s->tcp_fin_timeout.v, (long long)s->port_lo.v, (long long)s->port_hi.v);
	else {
		if (problems.len >= 2)
			problems.data[problems.len - 2] = '\0';
		result_set(r, st, "%s", buf_str(&problems));
	}
	if (advice.len)
		result_remedy(r, "%s", rstrip(advice.data));
out:
	buf_release(&problems);
	buf_release(&unread);
	buf_release(&advice);
}
