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

/* Linux >= 4.4 (tcp_conn_request in net/ipv4/tcp_input.c): a listener's
 * SYN queue is full at its own backlog, min(listen() argument, somaxconn).
 * Then: tcp_syncookies=1 answers with a cookie and drops nothing; 0 drops
 * the SYN. tcp_max_syn_backlog is read only when syncookies is 0: once the
 * SYN queue holds more than 3/4 of it, SYNs from peers the host has no
 * TCP metrics for are dropped too. With 2 every SYN gets a cookie and
 * nothing is queued. A kernel built without CONFIG_SYN_COOKIES has no
 * tcp_syncookies file and behaves as 0. */
static const char *syncookies_meaning(const struct opt_i64 *v)
{
	if (!v->set)
		return "unreadable; judged as 0 (a kernel without CONFIG_SYN_COOKIES has no such file and never "
		       "sends cookies)";
	switch (v->v) {
	case 0: return "never: a full SYN queue drops connection attempts, and past 3/4 of tcp_max_syn_backlog "
		       "SYNs from peers not seen before are dropped";
	case 1: return "when a listener's SYN queue overflows (the default): no SYN is dropped for a full SYN "
		       "queue, and tcp_max_syn_backlog is not used";
	case 2: return "always: every handshake uses a cookie, nothing is queued, tcp_max_syn_backlog is not used";
	default: return "unknown value";
	}
}

/* The SYN queue depth past which the kernel drops SYNs from new peers,
 * when syncookies is 0: it drops once max - len < max >> 2. */
static long long syn_drop_depth(long long max_syn_backlog)
{
	return max_syn_backlog - (max_syn_backlog >> 2);
}

/* The smallest tcp_max_syn_backlog whose drop depth reaches depth. */
static long long syn_backlog_for(long long depth)
{
	long long m = depth * 4 / 3 - 2;

	if (m < 0)
		m = 0;
	while (syn_drop_depth(m) < depth)
		m++;
	return m;
}

CHECK_FN(check_net_sysctl)
{
	const struct sysctl_facts *s = &f->sysctl;
	double min_somax = param_num(p, "min_somaxconn"), min_range = param_num(p, "min_port_range");
	double max_fin = param_num(p, "max_fin_timeout");
	struct buf problems = BUF_INIT(4096), advice = BUF_INIT(8192), unread = BUF_INIT(1024);
	enum pf_status st = STATUS_PASS;
	bool cookies = s->tcp_syncookies.set && s->tcp_syncookies.v != 0;
	char cookies_text[24] = "unread";

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
	if (s->tcp_syncookies.set)
		ev_int(r, "tcp_syncookies", s->tcp_syncookies.v);
	else
		ev_json(r, "tcp_syncookies", json_null());
	ev_str(r, "tcp_syncookies_meaning", syncookies_meaning(&s->tcp_syncookies));
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
	/* With cookies (1 or 2) a small tcp_max_syn_backlog drops nothing. */
	if (!cookies && s->somaxconn.set && s->tcp_max_syn_backlog.set &&
	    syn_drop_depth(s->tcp_max_syn_backlog.v) < s->somaxconn.v) {
		st = STATUS_WARN;
		buf_printf(&problems, "%s and tcp_max_syn_backlog=%lld: SYNs from new peers are "
				      "dropped past %lld half-open connections, below somaxconn=%lld; ",
			   s->tcp_syncookies.set ? "tcp_syncookies=0" : "tcp_syncookies unreadable (judged as 0)",
			   (long long)s->tcp_max_syn_backlog.v,
			   syn_drop_depth(s->tcp_max_syn_backlog.v), (long long)s->somaxconn.v);
		buf_printf(&advice, "set net.ipv4.tcp_syncookies=1 (the kernel default: a full SYN queue then "
				    "answers with cookies instead of dropping), or raise net.ipv4.tcp_max_syn_backlog "
				    "to at least %lld (about 4/3 of somaxconn: without cookies the kernel keeps the last "
				    "quarter for peers it already knows). ",
			   syn_backlog_for(s->somaxconn.v));
	} else if (!cookies && s->tcp_syncookies.set) {
		buf_printf(&advice, "tcp_syncookies=0: any listener whose SYN queue fills (a SYN flood, or a "
				    "burst of legitimate connects) drops connection attempts; net.ipv4.tcp_syncookies=1 "
				    "is the kernel default. ");
	}
	if (s->tcp_syncookies.set && s->tcp_syncookies.v == 2)
		buf_printf(&advice, "tcp_syncookies=2 sends cookies for every connection, which the kernel "
				    "documents as a test setting: TCP options such as window scaling survive only "
				    "with timestamps; 1 (the default) uses cookies only when a SYN queue overflows. ");
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
	if (s->tcp_syncookies.set)
		snprintf(cookies_text, sizeof(cookies_text), "%lld", (long long)s->tcp_syncookies.v);
	if (st == STATUS_PASS && unread.len)
		result_set(r, STATUS_SKIP, "could not read %s under %s/proc/sys: not judged", buf_str(&unread),
			   f->root ? f->root : "");
	else if (st == STATUS_PASS)
		result_set(r, STATUS_PASS, "somaxconn=%lld tcp_max_syn_backlog=%lld tcp_syncookies=%s tcp_tw_reuse=%lld "
					   "tcp_fin_timeout=%lld ports=%lld-%lld",
			   (long long)s->somaxconn.v, (long long)s->tcp_max_syn_backlog.v, cookies_text,
			   (long long)s->tcp_tw_reuse.v, (long long)s->tcp_fin_timeout.v, (long long)s->port_lo.v,
			   (long long)s->port_hi.v);
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
