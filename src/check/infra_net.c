/* TCP state census and what it says about connection handling. */
#include <stdio.h>

#include "check/checks.h"

static json_t *census_json(const uint64_t states[TCP_STATE_MAX])
{
	json_t *o = json_object();

	for (int s = 1; s < TCP_STATE_MAX; s++) {
		const char *key = tcp_state_key(s);

		if (key)
			json_object_set_new(o, key, json_integer((json_int_t)states[s]));
	}
	return o;
}

CHECK_FN(check_net_tcp_states)
{
	const struct tcp_facts *t = &f->tcp;
	json_t *host;
	const char *k;
	json_t *v;

	if (t->err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", t->err.msg);
		return;
	}
	host = census_json(t->states);
	json_object_foreach(host, k, v)
		ev_json(r, k, json_incref(v));
	json_decref(host);
	if (f->proc.present && !f->proc.exited.code && fact_err_failed(&f->proc.sockets_err)) {
		/* The host's census was read; the pid's share of it was not:
		 * unknown, never zeros. */
		ev_json(r, "target", json_null());
		ev_str(r, "target_error", f->proc.sockets_err.msg);
		result_set(r, STATUS_PASS, "host: %llu established, %llu time_wait, %llu close_wait, %llu listen; "
					   "pid %d: unknown (%s)",
			   (unsigned long long)t->states[TCPS_ESTABLISHED], (unsigned long long)t->states[TCPS_TIME_WAIT],
			   (unsigned long long)t->states[TCPS_CLOSE_WAIT], (unsigned long long)t->states[TCPS_LISTEN],
			   (int)f->proc.pid, f->proc.sockets_err.msg);
		return;
	}
	if (f->proc.present && !f->proc.exited.code)
		ev_json(r, "target", census_json(f->proc.tcp_states));
	if (f->proc.present && !f->proc.exited.code)
		result_set(r, STATUS_PASS,
			   "host: %llu established, %llu time_wait, %llu close_wait, %llu listen; "
			   "pid %d: %llu established, %llu close_wait, %llu listen",
			   (unsigned long long)t->states[TCPS_ESTABLISHED], (unsigned long long)t->states[TCPS_TIME_WAIT],
			   (unsigned long long)t->states[TCPS_CLOSE_WAIT], (unsigned long long)t->states[TCPS_LISTEN],
			   (int)f->proc.pid, (unsigned long long)f->proc.tcp_states[TCPS_ESTABLISHED],
			   (unsigned long long)f->proc.tcp_states[TCPS_CLOSE_WAIT],
			   (unsigned long long)f->proc.tcp_states[TCPS_LISTEN]);
	else
		result_set(r, STATUS_PASS, "host: %llu established, %llu time_wait, %llu close_wait, %llu listen",
			   (unsigned long long)t->states[TCPS_ESTABLISHED], (unsigned long long)t->states[TCPS_TIME_WAIT],
			   (unsigned long long)t->states[TCPS_CLOSE_WAIT], (unsigned long long)t->states[TCPS_LISTEN]);
}

CHECK_FN(check_net_timewait_ratio)
{
	const struct tcp_facts *t = &f->tcp;
	double warn = param_num(p, "warn"), bfail = param_num(p, "buckets_fail");
	uint64_t tw = t->states[TCPS_TIME_WAIT], est = t->states[TCPS_ESTABLISHED];
	const struct opt_i64 *buckets = &f->sysctl.tcp_max_tw_buckets;
	double ratio = est ? (double)tw / (double)est : 0;

	if (t->err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", t->err.msg);
		return;
	}
	ev_int(r, "time_wait", (long long)tw);
	ev_int(r, "established", (long long)est);
	if (est)
		ev_real(r, "ratio", ratio);
	else
		ev_json(r, "ratio", json_null());
	if (buckets->set)
		ev_int(r, "tcp_max_tw_buckets", buckets->v);
	if (buckets->set && buckets->v > 0 && (double)tw > bfail * (double)buckets->v) {
		result_set(r, STATUS_FAIL,
			   "%llu TIME_WAIT sockets are %.0f%% of tcp_max_tw_buckets=%lld (fail above %.0f%%): "
			   "at the limit, closing sockets skip TIME_WAIT (TcpExtTCPTimeWaitOverflow)",
			   (unsigned long long)tw, 100.0 * (double)tw / (double)buckets->v, (long long)buckets->v,
			   bfail * 100);
	} else if (!est) {
		result_set(r, tw ? STATUS_WARN : STATUS_PASS,
			   "%llu TIME_WAIT and no ESTABLISHED connections", (unsigned long long)tw);
	} else if (ratio > warn)
		result_set(r, STATUS_WARN, "TIME_WAIT/ESTABLISHED = %.2f (%llu/%llu; warn above %.2f)", ratio,
			   (unsigned long long)tw, (unsigned long long)est, warn);
	else
		result_set(r, STATUS_PASS, "TIME_WAIT/ESTABLISHED = %.2f (%llu/%llu)", ratio,
			   (unsigned long long)tw, (unsigned long long)est);
	if (r->status != STATUS_PASS)
		result_remedy(r,
			      "TIME_WAIT piles up where connections are opened and closed per request: reuse them "
			      "(HTTP keep-alive; in Go raise http.Transport.MaxIdleConnsPerHost from its default of "
			      "2 and always drain and close response bodies), let the client side close first, and "
			      "for outbound connections to many peers consider net.ipv4.tcp_tw_reuse=1");
}

CHECK_FN(check_net_close_wait)
{
	double warn = param_num(p, "warn"), fail = param_num(p, "fail");
	uint64_t cw = f->proc.tcp_states[TCPS_CLOSE_WAIT];

	if (f->tcp.err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", f->tcp.err.msg);
		return;
	}
	if (f->proc.fd_err.code) {
		result_set(r, STATUS_ERROR, "could not list the sockets of pid %d: %s", (int)f->proc.pid,
			   f->proc.fd_err.msg);
		return;
	}
	ev_int(r, "close_wait", (long long)cw);
	ev_int(r, "host_close_wait", (long long)f->tcp.states[TCPS_CLOSE_WAIT]);
	if ((double)cw > fail)
		result_set(r, STATUS_FAIL, "pid %d holds %llu CLOSE_WAIT sockets (fail above %.0f)",
			   (int)f->proc.pid, (unsigned long long)cw, fail);
	else if ((double)cw > warn)
		result_set(r, STATUS_WARN, "pid %d holds %llu CLOSE_WAIT socket%s (warn above %.0f)",
			   (int)f->proc.pid, (unsigned long long)cw, cw == 1 ? "" : "s", warn);
	else
		result_set(r, STATUS_PASS, "pid %d holds %llu CLOSE_WAIT sockets", (int)f->proc.pid,
			   (unsigned long long)cw);
	if (r->status != STATUS_PASS)
		result_remedy(r, "the peer closed these connections and the service never did: each one "
				 "leaks an fd until the process dies. In Go, close what you open: "
				 "resp.Body.Close() on every response, conn.Close() when Read returns io.EOF, "
				 "and set read deadlines so idle peers are noticed");
}

CHECK_FN(check_net_ephemeral_ports)
{
	const struct sysctl_facts *s = &f->sysctl;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), ratio;
	long long width;

	if (f->tcp.err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", f->tcp.err.msg);
		return;
	}
	if (!s->port_lo.set || !s->port_hi.set || s->port_hi.v < s->port_lo.v) {
		result_set(r, STATUS_SKIP, "net.ipv4.ip_local_port_range unreadable");
		return;
	}
	width = s->port_hi.v - s->port_lo.v + 1;
	ratio = (double)f->tcp.busiest_count / (double)width;
	ev_str(r, "busiest_destination", f->tcp.busiest_dst[0] ? f->tcp.busiest_dst : NULL);
	ev_int(r, "connections", (long long)f->tcp.busiest_count);
	ev_int(r, "range_width", width);
	ev_real(r, "ratio", ratio);
	if (!f->tcp.busiest_count) {
		result_set(r, STATUS_PASS, "no outbound connections from ephemeral ports; range %lld-%lld (%lld ports)",
			   (long long)s->port_lo.v, (long long)s->port_hi.v, width);
		return;
	}
	if (ratio > fail)
		result_set(r, STATUS_FAIL, "%llu connections to %s use %.0f%% of the %lld ephemeral ports (fail above %.0f%%)",
			   (unsigned long long)f->tcp.busiest_count, f->tcp.busiest_dst, ratio * 100, width, fail * 100);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "%llu connections to %s use %.0f%% of the %lld ephemeral ports (warn above %.0f%%)",
			   (unsigned long long)f->tcp.busiest_count, f->tcp.busiest_dst, ratio * 100, width, warn * 100);
	else
		result_set(r, STATUS_PASS, "busiest destination %s holds %llu of %lld ephemeral ports (%.1f%%)",
			   f->tcp.busiest_dst, (unsigned long long)f->tcp.busiest_count, width, ratio * 100);
	if (r->status != STATUS_PASS)
		result_remedy(r, "one local address can hold at most one connection per ephemeral port to a "
				 "given destination: pool and reuse connections, widen "
				 "net.ipv4.ip_local_port_range, or spread over more destination addresses");
}
